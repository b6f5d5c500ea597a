"""Survey exports clem was not built on, run end to end with no hand edit.

``tests/foreign/make_exports.py`` writes six SYNTHETIC exports in the shapes
other teams send (KoboToolbox XLSX with its XLSForm, the same survey as a Kobo
CSV with English labels, ODK Central CSV, Google Forms CSV, SPSS .sav, a bare
sheet of scores) together with the answers it wrote. Each goes through ``clem init`` (the Kobo one with ``--form``), then
``clem validate`` and ``clem run --jobs 2`` on the drafted codebook and units
file, exactly as drafted. Checked:

- every step exits 0;
- every unit of the data is drafted once (all its spellings under one unit)
  and gets ``<slug>.html``;
- the IKM per unit in ``results.csv`` equals the IKM computed here from the
  generator's own answers (Permenpan RB 14/2017, weight exactly 1/9,
  docs/scoring.md), within 1e-9; so do the NRR per unsur where the export
  says which column is which unsur;
- no personal value (name, NIK, phone number, e-mail, address) is in any file
  of the output folder.

The first test checks the generator itself (same bytes twice; the files
hold the answers it reports), reading the files without clem.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import sys
import traceback
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from _html_checks import assert_clean_pages
from clem_lib.cli import main as clem_main

HERE = Path(__file__).resolve().parent


def _load_generator():
    name = "clem_tests_foreign_exports"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / "foreign" / "make_exports.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
SHAPES = ["kobo_xlsx", "odk_central_csv", "google_forms_csv", "spss_sav", "bare_scores_xlsx", "kobo_labels_csv"]


# ---------------------------------------------------------------------------
# helpers

def _norm(text) -> str:
    """Case, accents, punctuation and repeated spaces removed: 'Pusk.  X ' -> 'pusk x'."""
    t = unicodedata.normalize("NFKD", str(text))
    t = "".join(c for c in t if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", t).split())


def _ikm(scores: pd.DataFrame) -> float:
    """IKM = 25 x (1/k) x sum over unsur of NRR, NRR = sum of answers / number of answers."""
    values = scores[gen.UNSUR].to_numpy(dtype=float)
    answered = ~np.isnan(values)
    nrr = np.where(answered, values, 0.0).sum(axis=0) / answered.sum(axis=0)
    return 25.0 * float(nrr.sum()) / len(gen.UNSUR)


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _clem(args: list[str]) -> tuple[int, str]:
    """``clem <args>`` in this process: (exit code, what it printed). A traceback is code -1."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        try:
            code = clem_main([str(a) for a in args])
        except SystemExit as exc:  # argparse: usage errors, unknown command
            code = exc.code if isinstance(exc.code, int) else 2
        except Exception:  # noqa: BLE001 - reported with the step
            code = -1
            buf.write(traceback.format_exc())
    return code, buf.getvalue()


@dataclass
class Pipeline:
    export: object
    init_dir: Path
    out_dir: Path
    steps: dict = field(default_factory=dict)    # step -> (exit code, output)
    codebook: Path | None = None
    units_file: Path | None = None

    def require(self, *steps):
        for step in steps:
            if step not in self.steps:
                pytest.fail(f"{self.export.name}: '{step}' did not run (an earlier step failed)")
            code, out = self.steps[step]
            assert code == 0, (f"{self.export.name}: clem {step} exited {code}:\n{_tail(out)}")


def _drafted_files(init_dir: Path) -> tuple[Path | None, Path | None]:
    """The drafted codebook (a YAML with ``columns:``) and units file (a YAML with ``units:``)."""
    codebook = units = None
    for path in sorted(init_dir.rglob("*.y*ml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
        if isinstance(doc, dict) and "columns" in doc and codebook is None:
            codebook = path
        elif isinstance(doc, dict) and "units" in doc and units is None:
            units = path
    return codebook, units


def _run_pipeline(export, work: Path) -> Pipeline:
    p = Pipeline(export, work / "init", work / "out")
    p.init_dir.mkdir(parents=True)
    args = ["init", "--data", export.path, "--out", p.init_dir]
    if export.form is not None:
        args += ["--form", export.form]
    p.steps["init"] = _clem(args)
    if p.steps["init"][0] != 0:
        return p
    p.codebook, p.units_file = _drafted_files(p.init_dir)
    if p.codebook is None or p.units_file is None:
        found = sorted(x.name for x in p.init_dir.rglob("*") if x.is_file())
        p.steps["init"] = (-2, p.steps["init"][1] + f"\nno drafted codebook or units file among {found}")
        return p
    common = ["--data", export.path, "--codebook", p.codebook, "--units-file", p.units_file]
    p.steps["validate"] = _clem(["validate", *common])
    if p.steps["validate"][0] != 0:
        return p
    p.steps["run"] = _clem(["run", *common, "--out", p.out_dir, "--jobs", "2"])
    return p


def _drafted_units(units_file: Path) -> list[dict]:
    from clem_lib.codebook import slugify

    doc = yaml.safe_load(units_file.read_text(encoding="utf-8"))
    out = []
    for u in doc["units"]:
        name = str(u["name"])
        keys = {_norm(name)} | {_norm(a) for a in (u.get("aliases") or [])}
        out.append({"name": name, "slug": str(u.get("slug") or slugify(name)), "keys": keys})
    return out


def _unit_map(p: Pipeline) -> dict[str, dict]:
    """Canonical unit of the generator -> the drafted unit that holds all its spellings."""
    drafted = _drafted_units(p.units_file)
    mapping, problems = {}, []
    for unit, spellings in p.export.unit_spellings.items():
        keys = {_norm(unit)} | {_norm(s) for s in spellings}
        hits = [d for d in drafted if d["keys"] & keys]
        if len(hits) != 1:
            problems.append(f"{unit!r} (spelled {sorted(spellings)}) is in {len(hits)} drafted units: "
                            f"{[d['name'] for d in hits]}")
            continue
        missing = sorted(s for s in spellings if _norm(s) not in hits[0]["keys"])
        if missing:
            problems.append(f"{unit!r}: drafted unit {hits[0]['name']!r} lacks the spellings {missing}")
        mapping[unit] = hits[0]
    extra = [d["name"] for d in drafted if all(d is not m for m in mapping.values())]
    if extra:
        problems.append(f"drafted units that are no unit of the data: {extra}")
    assert not problems, f"{p.export.name}: units drafted in {p.units_file.name}:\n" + "\n".join(problems)
    return mapping


def _results(p: Pipeline) -> pd.DataFrame:
    res = pd.read_csv(p.out_dir / "results.csv", dtype={"unit": str, "sector": str, "group": str,
                                                        "metric": str},
                      keep_default_na=False, na_values={"estimate": [""], "n": [""]})
    return res


def _unit_rows(res: pd.DataFrame, unit: str, metric: str) -> pd.DataFrame:
    return res[(res["metric"] == metric) & (res["unit"] == unit) & (res["group"] == "")]


def _personal_needles(export) -> list[bytes]:
    needles = set()
    for value in export.personal:
        needles.add(value)
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 10 and not re.search(r"[A-Za-z]", value):  # phone numbers and NIKs
            needles.add(digits)
            if digits.startswith("62"):
                needles.add("0" + digits[2:])
            elif digits.startswith("0"):
                needles.add("62" + digits[1:])
    return sorted(v.encode("utf-8") for v in needles)


def _leaks(folder: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):  # xlsx and other zipped files: their members
            with zipfile.ZipFile(path) as z:
                blobs += [z.read(i) for i in z.infolist() if not i.is_dir()]
        if path.suffix == ".parquet":  # compressed pages: look at the values too
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            blobs.append("\x00".join(str(v) for col in table.columns for v in col.to_pylist()
                                     if v is not None).encode("utf-8"))
        for needle in needles:
            if any(needle in blob for blob in blobs):
                found.append(f"{path.relative_to(folder)}: {needle.decode()!r}")
    return found


# ---------------------------------------------------------------------------
# fixtures

@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    return gen.make_all(tmp_path_factory.mktemp("foreign-exports"))


@pytest.fixture(scope="module")
def pipeline(exports, tmp_path_factory):
    done: dict[str, Pipeline] = {}

    def get(name: str) -> Pipeline:
        if name not in done:
            done[name] = _run_pipeline(exports[name], tmp_path_factory.mktemp(f"foreign-{name}"))
        return done[name]

    return get


# ---------------------------------------------------------------------------
# the generator

def _read_back(e) -> pd.DataFrame:
    """The answers in export ``e``, read with pandas/pyreadstat only: unit and scores by unsur key."""
    if e.name == "kobo_xlsx":
        raw = pd.read_excel(e.path, dtype=str)
        survey = pd.read_excel(e.form, sheet_name="survey", dtype=str)
        choices = pd.read_excel(e.form, sheet_name="choices", dtype=str)
        lists = dict(zip(survey["name"], survey["type"].str.split(" ").str[1]))
        units = dict(zip(choices["name"], choices["label::Indonesian (id)"]))
        out = pd.DataFrame({"unit": raw["identitas/unit_layanan"].map(units)})
        for key in gen.UNSUR:
            col = next(c for c in raw.columns if c.startswith("skm/") and c.endswith("_" + key))
            names = [n for n in choices.loc[choices["list_name"] == lists[col.split("/")[1]], "name"]
                     if n != "tidak_tahu"]
            out[key] = raw[col].map({n: float(i) for i, n in enumerate(names, start=1)})
        return out
    if e.name == "kobo_labels_csv":
        raw = pd.read_csv(e.path, dtype=str, sep=";", keep_default_na=False)
        out = pd.DataFrame({"unit": raw.iloc[:, 2]})
        for key in gen.UNSUR:
            col = next(c for c in raw.columns if c.endswith(gen.QUESTIONS_EN[key]))
            scores = {lab: float(i) for i, lab in enumerate(gen.SKM_LABELS_EN[key], start=1)}
            out[key] = raw[col].map(scores)
        return out
    if e.name == "odk_central_csv":
        raw = pd.read_csv(e.path, dtype=str)
        out = pd.DataFrame({"unit": raw["identitas-unit"]})
        for key in gen.UNSUR:
            v = pd.to_numeric(raw[f"skm-{key}"])
            out[key] = v.where(v <= 4)
        return out
    if e.name == "google_forms_csv":
        raw = pd.read_csv(e.path, dtype=str, keep_default_na=False)
        out = pd.DataFrame({"unit": raw.iloc[:, 2]})
        short = {"sgt": "sangat", "tdk": "tidak", "krg": "kurang"}
        for key in gen.UNSUR:
            col = next(c for c in raw.columns if c.endswith(gen.QUESTIONS[key]))
            labels = {_norm(lab): float(i) for i, lab in enumerate(gen.SKM_LABELS[key], start=1)}

            def score(text, labels=labels):
                words = _norm(text).split()
                return labels.get(" ".join(short.get(w, w) for w in words), np.nan) if words else np.nan

            out[key] = raw[col].map(score)
        return out
    if e.name == "spss_sav":
        import pyreadstat

        raw, meta = pyreadstat.read_sav(str(e.path))
        out = pd.DataFrame({"unit": raw["unit"].map(meta.variable_value_labels["unit"])})
        for i, key in enumerate(gen.ANNEX_ORDER, start=1):
            v = raw[f"u{i}"]
            out[key] = v.where(v <= 4)
        return out
    if e.name == "bare_scores_xlsx":
        raw = pd.read_excel(e.path)
        out = pd.DataFrame({"unit": raw["Unit Layanan"]})
        for i, key in enumerate(gen.UNSUR, start=1):
            out[key] = raw[f"U{i}"].astype(float)
        return out
    raise AssertionError(e.name)


@pytest.mark.slow
def test_generator_same_bytes_and_its_truth_is_in_the_files(tmp_path):
    first = gen.make_all(tmp_path / "a")
    gen.make_all(tmp_path / "b")  # the same call again, compared file by file below
    assert list(first) == SHAPES
    for name, e in first.items():
        files = [e.path] + ([e.form] if e.form else [])
        for path in files:
            twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
            assert path.read_bytes() == twin.read_bytes(), f"{name}: {path.name} differs between two calls"
        t = e.truth
        assert list(t.columns) == ["unit", *gen.UNSUR]
        sizes = t["unit"].value_counts()
        assert 3 <= len(sizes) <= 4 and sizes.between(25, 45).all(), (name, sizes.to_dict())
        vals = t[gen.UNSUR].to_numpy(dtype=float)
        assert set(np.unique(vals[~np.isnan(vals)])) <= {1.0, 2.0, 3.0, 4.0}
        assert (~np.isnan(vals)).any(axis=1).all()
        back = _read_back(e)[["unit", *gen.UNSUR]]
        canon = {_norm(s): u for u, sp in e.unit_spellings.items() for s in (*sp, u)}
        back["unit"] = back["unit"].map(lambda s: canon.get(_norm(s), s))
        pd.testing.assert_frame_equal(back.reset_index(drop=True), t, check_dtype=False,
                                      obj=f"{name}: answers in the file vs truth")
        niks = [v for v in e.personal if re.fullmatch(r"\d{16}", v)]
        assert all(v.startswith("3372") for v in niks)
        assert bool(niks) == (name in ("kobo_xlsx", "odk_central_csv", "kobo_labels_csv")), name
        assert bool(e.personal) == (name != "spss_sav"), name
        # the leak check finds them where they are
        found = _leaks(e.path.parent, _personal_needles(e))
        assert len(found) >= min(len(e.personal), 20), (name, len(found))
    personal = [v for e in first.values() for v in e.personal]
    assert any(v.startswith("08") for v in personal) and any(v.startswith("+62") for v in personal)
    assert any("@" in v for v in personal) and any(v.startswith("Jl. ") for v in personal)


# ---------------------------------------------------------------------------
# end to end

@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPES)
def test_init_validate_run_with_no_hand_edit(pipeline, name):
    p = pipeline(name)
    p.require("init", "validate", "run")
    mapping = _unit_map(p)
    missing = [f"{d['slug']}.html" for d in mapping.values() if not (p.out_dir / f"{d['slug']}.html").is_file()]
    assert not missing, f"{name}: no report {missing} in {sorted(x.name for x in p.out_dir.iterdir())}"
    assert_clean_pages(p.out_dir)
    # no checklist was given: no compliance column on the index, no compliance section in a report
    index = (p.out_dir / "index.html").read_text(encoding="utf-8")
    assert "Indeks kepatuhan" not in index and "Unit layanan" in index
    first = next(iter(mapping.values()))["slug"]
    assert "Daftar periksa standar pelayanan" not in (p.out_dir / f"{first}.html").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPES)
def test_ikm_per_unit_equals_the_regulation_formula_on_the_generated_answers(pipeline, name):
    p = pipeline(name)
    p.require("init", "validate", "run")
    mapping = _unit_map(p)
    res = _results(p)
    truth = p.export.truth
    wrong = []
    for unit, drafted in mapping.items():
        mine = truth[truth["unit"] == unit]
        rows = _unit_rows(res, drafted["name"], "ikm")
        if rows.empty:
            wrong.append(f"{drafted['name']}: no ikm row")
            continue
        expected = _ikm(mine)
        for _, r in rows.iterrows():
            if not abs(r["estimate"] - expected) <= 1e-9:
                wrong.append(f"{drafted['name']} (sector {r['sector']!r}): ikm {r['estimate']!r}, "
                             f"expected {expected!r}")
            if int(r["n"]) != len(mine):
                wrong.append(f"{drafted['name']}: n {r['n']!r}, expected {len(mine)} respondents")
    assert not wrong, f"{name}: results.csv\n" + "\n".join(wrong)


@pytest.mark.slow
@pytest.mark.parametrize("name", [s for s in SHAPES if s != "bare_scores_xlsx"])
def test_nrr_per_unsur_follows_the_column_meaning(pipeline, name):
    p = pipeline(name)
    p.require("init", "validate", "run")
    assert p.export.unsur_named
    mapping = _unit_map(p)
    res = _results(p)
    truth = p.export.truth
    wrong = []
    for unit, drafted in mapping.items():
        mine = truth[truth["unit"] == unit]
        for key in gen.UNSUR:
            expected = float(mine[key].mean())  # pandas skips missing answers
            rows = _unit_rows(res, drafted["name"], f"nrr:{key}")
            if rows.empty or not (abs(rows["estimate"] - expected) <= 1e-9).all():
                wrong.append(f"{drafted['name']} nrr:{key}: {rows['estimate'].tolist()}, expected {expected!r}")
    assert not wrong, f"{name}: results.csv\n" + "\n".join(wrong)


@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPES)
def test_no_personal_value_in_the_output_folder(pipeline, name):
    p = pipeline(name)
    p.require("init", "validate", "run")
    leaks = _leaks(p.out_dir, _personal_needles(p.export))
    assert not leaks, f"{name}: personal values in the output folder:\n" + "\n".join(leaks[:20])


@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPES)
def test_no_personal_value_in_the_drafted_codebook_and_units(pipeline, name):
    p = pipeline(name)
    p.require("init")
    leaks = _leaks(p.init_dir, _personal_needles(p.export))
    assert not leaks, f"{name}: personal values in the drafted files:\n" + "\n".join(leaks[:20])
