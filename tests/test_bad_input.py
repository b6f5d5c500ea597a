"""Bad and hostile input: one stderr line, exit 2, no traceback, the output folder untouched.

Every case builds its inputs in ``tmp_path`` from small fixtures (the sample's
codebook, mutated; 2 units x 20 rows of the sample export), runs the ``clem``
command in this process (``clem_lib.cli.main``) and checks:

* the exit code (2);
* exactly one non-empty line on stderr, starting ``clem: error:``, with no
  ``Traceback``, and containing the words the case expects (the file, the
  fix); ``clem validate`` lists each problem on stdout and sums up in that
  line, so its words may be in either;
* the output folder, byte for byte, as before the command (names and
  sha256 of every file, hidden ones included).

Most cases fail before any notebook runs; the few ``run`` cases that get as
far as the notebooks use the fixture notebooks (a second each).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
import yaml

from _small_survey import FIXTURES, UNIT_COLUMN, codebook_text, sample_rows
from clem_lib.cli import main
from clem_lib.paths import SAMPLE_CODEBOOK, UNITS_FILE

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


# ---------------------------------------------------------------------------
# Fixtures: a small export, its codebook, the units file, an earlier complete run
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """Inputs shared by every case (never changed by a case) and one complete earlier run."""
    root = tmp_path_factory.mktemp("base")
    rows = sample_rows(n=20)
    rows.to_csv(root / "small.csv", sep=";", index=False)
    shutil.copy(SAMPLE_CODEBOOK, root / "codebook.yml")
    shutil.copy(UNITS_FILE, root / "units.yml")
    done = root / "done"
    code = main(["run", "--data", str(root / "small.csv"), "--codebook", str(root / "codebook.yml"),
                 "--units-file", str(root / "units.yml"), "--out", str(done), "--notebooks", str(FIXTURES),
                 "--jobs", "2", "--quiet"])
    assert code == 0
    return {"root": root, "rows": rows, "done": done}


def snapshot(folder: Path) -> dict:
    """Every file and folder under ``folder`` (hidden ones too): relative name -> sha256 or "dir"."""
    if not folder.exists():
        return {}
    if folder.is_file():
        return {".": hashlib.sha256(folder.read_bytes()).hexdigest()}
    tree = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            tree[rel] = "link:" + os.readlink(p)
        else:
            tree[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return tree


class Case:
    """Inputs of one case in ``tmp``; ``argv`` refers to them by name."""

    def __init__(self, base, tmp: Path):
        self.base, self.tmp = base, tmp
        self.data = tmp / "data.csv"
        self.codebook = tmp / "codebook.yml"
        self.units = tmp / "units.yml"
        self.out = tmp / "out"
        base["rows"].to_csv(self.data, sep=";", index=False)
        shutil.copy(base["root"] / "codebook.yml", self.codebook)
        shutil.copy(base["root"] / "units.yml", self.units)

    # -- mutations ---------------------------------------------------------
    def rows(self, fn):
        df = self.base["rows"].copy()
        df = fn(df) if fn else df
        df.to_csv(self.data, sep=";", index=False)

    def cb(self, fn):
        doc = yaml.safe_load(codebook_text())
        fn(doc)  # changes doc in place
        self.codebook.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def cb_text(self, text: str):
        self.codebook.write_text(text, encoding="utf-8")

    def units_doc(self, fn):
        doc = yaml.safe_load(UNITS_FILE.read_text(encoding="utf-8"))
        fn(doc)  # changes doc in place
        self.units.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def earlier_run(self):
        """``out`` is a copy of a complete earlier run (so "nothing destroyed" is checked)."""
        shutil.copytree(self.base["done"], self.out, symlinks=True)

    # -- command lines -----------------------------------------------------
    def validate(self, *extra):
        return ["validate", "--data", str(self.data), "--codebook", str(self.codebook),
                "--units-file", str(self.units), *extra]

    def clean(self, *extra, out=None):
        return ["clean", "--data", str(self.data), "--codebook", str(self.codebook),
                "--units-file", str(self.units), "--out", str(out or self.tmp / "clean.parquet"), *extra]

    def run(self, *extra):
        return ["run", "--data", str(self.data), "--codebook", str(self.codebook), "--units-file",
                str(self.units), "--out", str(self.out), "--notebooks", str(FIXTURES), "--jobs", "1",
                "--quiet", *extra]


def _cell(value):
    return lambda df: df.assign(**{UNIT_COLUMN: df[UNIT_COLUMN]}).pipe(lambda d: d)


def _set(column, value, rows=slice(None)):
    def f(df):
        df = df.copy()
        df.loc[df.index[rows], column] = value
        return df
    return f


def _skm(df):
    return [c for c in df.columns if c.startswith("skm/u")]


def _blank_skm(df):
    df = df.copy()
    df[_skm(df)] = ""
    return df


def _columns_of(c, role):
    return [e for e in c["columns"] if e.get("role") == role]


def _first_col(doc, pred):
    for e in doc["columns"]:
        if pred(e):
            return e
    raise LookupError


# ---------------------------------------------------------------------------
# The cases: (id, setup(case) -> argv, words expected in the stderr line)
# ---------------------------------------------------------------------------

CASES = []


def case(name, *words, skip=None):
    def register(fn):
        CASES.append(pytest.param(fn, words, id=name, marks=[pytest.mark.skipif(bool(skip), reason=str(skip))]
                                  if skip else []))
        return fn
    return register


# --- files: missing, empty, wrong kind --------------------------------------------------------

for cmd in ("validate", "clean", "run"):
    @case(f"{cmd}-data-missing", "nope.csv", "not found")
    def _(c, cmd=cmd):
        c.data = c.tmp / "nope.csv"
        return getattr(c, cmd)()

    @case(f"{cmd}-data-empty", "data.csv", "empty")
    def _(c, cmd=cmd):
        c.data.write_bytes(b"")
        return getattr(c, cmd)()

    @case(f"{cmd}-data-is-folder", "folder")
    def _(c, cmd=cmd):
        c.data = c.tmp / "dir.csv"
        c.data.mkdir()
        return getattr(c, cmd)()

    @case(f"{cmd}-data-symlink-loop", "loop.csv")
    def _(c, cmd=cmd):
        c.data = c.tmp / "loop.csv"
        os.symlink(c.tmp / "loop2.csv", c.data)
        os.symlink(c.data, c.tmp / "loop2.csv")
        return getattr(c, cmd)()

    @case(f"{cmd}-codebook-missing", "nope.yml")
    def _(c, cmd=cmd):
        c.codebook = c.tmp / "nope.yml"
        return getattr(c, cmd)()

    @case(f"{cmd}-units-file-missing", "nope-units.yml")
    def _(c, cmd=cmd):
        c.units = c.tmp / "nope-units.yml"
        return getattr(c, cmd)()

    @case(f"{cmd}-binary-garbage-as-csv", "not a text table")
    def _(c, cmd=cmd):
        c.data.write_bytes(bytes(range(256)) * 20)
        return getattr(c, cmd)()

    @case(f"{cmd}-utf16-csv", "UTF-16", "UTF-8")
    def _(c, cmd=cmd):
        c.data.write_bytes(c.data.read_text(encoding="utf-8").encode("utf-16"))
        return getattr(c, cmd)()

    @case(f"{cmd}-duplicate-column", "appears twice", "columns 3 and 6")
    def _(c, cmd=cmd):
        lines = c.data.read_text(encoding="utf-8").split("\n")
        head = lines[0].split(";")
        head[5] = head[2]
        c.data.write_text("\n".join([";".join(head)] + lines[1:]), encoding="utf-8")
        return getattr(c, cmd)()

    @case(f"{cmd}-header-only", "no data rows")
    def _(c, cmd=cmd):
        c.data.write_text(c.data.read_text(encoding="utf-8").split("\n")[0] + "\n", encoding="utf-8")
        return getattr(c, cmd)()

    @case(f"{cmd}-every-ikm-answer-blank", "no IKM answers")
    def _(c, cmd=cmd):
        c.rows(_blank_skm)
        return getattr(c, cmd)()

    @case(f"{cmd}-bad-yaml-codebook", "codebook.yml", "not valid YAML")
    def _(c, cmd=cmd):
        c.cb_text("survey_name: x\ncolumns: [\n  - name: a\n")
        return getattr(c, cmd)()

    @case(f"{cmd}-units-slug-traversal", "units.yml", "line", "../../etc/evil")
    def _(c, cmd=cmd):
        c.units_doc(lambda d: d["units"][1].update(slug="../../etc/evil"))
        return getattr(c, cmd)()

    @case(f"{cmd}-unknown-unit-in-data", "Kecamatan Atlantis")
    def _(c, cmd=cmd):
        c.rows(_set(UNIT_COLUMN, "Kecamatan Atlantis", slice(4, 5)))
        return getattr(c, cmd)()


@case("validate-wrong-extension", ".pdf")
def _(c):
    c.data = c.tmp / "data.pdf"
    c.data.write_bytes(b"%PDF-1.4 not a survey")
    return c.validate()


@case("validate-tab-separated-as-csv", "tab")
def _(c):
    c.data.write_text(c.data.read_text(encoding="utf-8").replace(";", "\t"), encoding="utf-8")
    return c.validate()


@case("validate-pipe-separated", "'|'")
def _(c):
    c.data.write_text(c.data.read_text(encoding="utf-8").replace(";", "|"), encoding="utf-8")
    return c.validate()


@case("validate-header-empty-line", "data.csv")
def _(c):
    c.data.write_text("\n\n\n", encoding="utf-8")
    return c.validate()


@case("validate-not-utf8-or-cp1252", "data.csv")
def _(c):
    c.data.write_bytes(c.data.read_bytes() + b"\x81\x8d\x8f\x90\x9d;;\n")
    return c.validate()


@case("validate-bad-xlsx", "Excel")
def _(c):
    c.data = c.tmp / "data.xlsx"
    c.data.write_bytes(b"PK\x03\x04 this is no workbook")
    return c.validate()


@case("validate-bad-sav", "SPSS")
def _(c):
    c.data = c.tmp / "data.sav"
    c.data.write_bytes(b"$FL2 not really spss" * 10)
    return c.validate()


@case("validate-codebook-is-folder", "folder")
def _(c):
    c.codebook = c.tmp / "cb.yml"
    c.codebook.mkdir()
    return c.validate()


@case("validate-codebook-empty", "codebook.yml")
def _(c):
    c.cb_text("")
    return c.validate()


@case("validate-codebook-a-list", "codebook.yml")
def _(c):
    c.cb_text("- a\n- b\n")
    return c.validate()


@case("validate-codebook-not-utf8", "UTF-8")
def _(c):
    c.codebook.write_bytes(b"survey_name: \xff\xfe\n")
    return c.validate()


@case("validate-codebook-no-columns", "codebook.yml")
def _(c):
    c.cb(lambda d: d.pop("columns"))
    return c.validate()


@case("validate-codebook-unknown-role", "codebook.yml", "role")
def _(c):
    c.cb(lambda d: _first_col(d, lambda e: e.get("role") == "unsur").update(role="wibble"))
    return c.validate()


@case("validate-codebook-unknown-key", "codebook.yml")
def _(c):
    c.cb(lambda d: _first_col(d, lambda e: True).update(colour="blue"))
    return c.validate()


@case("validate-codebook-column-without-source", "codebook.yml")
def _(c):
    c.cb(lambda d: _first_col(d, lambda e: e.get("role") == "unsur").pop("source"))
    return c.validate()


@case("validate-codebook-unknown-scale", "codebook.yml")
def _(c):
    c.cb(lambda d: _first_col(d, lambda e: e.get("role") == "unsur").update(scale="no_such_scale"))
    return c.validate()


@case("validate-codebook-no-unsur", "codebook.yml")
def _(c):
    c.cb(lambda d: d.update(columns=[e for e in d["columns"] if e.get("role") not in ("unsur", "harapan")]))
    return c.validate()


@case("validate-codebook-duplicate-column-name", "codebook.yml")
def _(c):
    def f(d):
        d["columns"].append(dict(d["columns"][0]))
    c.cb(f)
    return c.validate()


@case("validate-codebook-no-survey-name", "codebook.yml")
def _(c):
    c.cb(lambda d: d.pop("survey_name", None))
    return c.validate()


@case("validate-codebook-unknown-encoding", "encoding")
def _(c):
    c.cb(lambda d: d.setdefault("source", {}).update(encoding="klingon-8"))
    return c.validate()


@case("validate-codebook-wrong-delimiter", "delimiter")
def _(c):
    c.cb(lambda d: d.setdefault("source", {}).update(delimiter=","))
    return c.validate()


@case("validate-required-column-missing", "skm/u3_waktu")
def _(c):
    c.rows(lambda df: df.drop(columns=["skm/u3_waktu"]))
    return c.validate()


@case("validate-unit-column-missing", "identitas/kecamatan")
def _(c):
    c.rows(lambda df: df.drop(columns=[UNIT_COLUMN]))
    return c.validate()


@case("validate-units-empty", "units.yml")
def _(c):
    c.units.write_text("", encoding="utf-8")
    return c.validate()


@case("validate-units-bad-yaml", "units.yml")
def _(c):
    c.units.write_text("units:\n  - name: [unclosed\n", encoding="utf-8")
    return c.validate()


@case("validate-units-a-mapping-of-units", "units.yml")
def _(c):
    c.units.write_text("units:\n  Kec. Serengan: {sectors: [adminduk]}\n", encoding="utf-8")
    return c.validate()


@case("validate-units-entry-a-string", "units.yml", "line")
def _(c):
    c.units_doc(lambda d: d["units"].append("Kec. Baru"))
    return c.validate()


@case("validate-units-no-sectors", "units.yml", "sectors")
def _(c):
    c.units_doc(lambda d: d["units"][0].pop("sectors"))
    return c.validate()


@case("validate-units-alias-twice", "units.yml", "alias")
def _(c):
    c.units_doc(lambda d: d["units"][1].setdefault("aliases", []).append(d["units"][0]["name"]))
    return c.validate()


@case("validate-units-slug-twice", "units.yml", "slug")
def _(c):
    c.units_doc(lambda d: d["units"][1].update(slug=d["units"][0]["slug"]))
    return c.validate()


@case("validate-units-slug-index", "units.yml", "line", "index")
def _(c):
    c.units_doc(lambda d: d["units"][0].update(slug="index"))
    return c.validate()


@case("validate-units-slug-results", "units.yml", "results")
def _(c):
    c.units_doc(lambda d: d["units"][0].update(slug="results"))
    return c.validate()


@case("validate-units-name-5000-chars", "units.yml", "line", "5000 characters")
def _(c):
    c.units_doc(lambda d: d["units"].append({"name": "K" * 5000, "sectors": ["adminduk"]}))
    return c.validate()


@case("validate-units-users-per-month-text", "units.yml", "users_per_month")
def _(c):
    c.units_doc(lambda d: d["units"][0].update(users_per_month="banyak"))
    return c.validate()


@case("validate-units-aliases-a-mapping", "units.yml", "aliases")
def _(c):
    c.units_doc(lambda d: d["units"][0].update(aliases={"a": 1}))
    return c.validate()


@case("validate-units-slug-a-number", "units.yml", "slug")
def _(c):
    c.units_doc(lambda d: d["units"][0].update(slug=12))
    return c.validate()


@case("validate-units-name-blank", "units.yml", "no name")
def _(c):
    c.units_doc(lambda d: d["units"][0].update(name="   "))
    return c.validate()


# --- clean: the output -------------------------------------------------------------------------

@case("clean-out-not-parquet", "parquet")
def _(c):
    return c.clean(out=c.out / "clean.csv")


@case("clean-out-folder-missing", "does not exist")
def _(c):
    return c.clean(out=c.tmp / "no" / "such" / "clean.parquet")


@case("clean-out-under-a-file", "clean.parquet")
def _(c):
    (c.tmp / "afile").write_text("x")
    return c.clean(out=c.tmp / "afile" / "clean.parquet")


@case("clean-out-unwritable-folder", "clean.parquet", skip=ROOT_USER and "root may write anywhere")
def _(c):
    c.out.mkdir()
    c.out.chmod(0o555)
    return c.clean(out=c.out / "clean.parquet")


@case("clean-missing-out-option", "--out")
def _(c):
    return c.clean()[:-2]


# --- run: options --------------------------------------------------------------------------------

@case("run-out-is-a-file", "out", "is an existing file")
def _(c):
    c.out.write_text("not a folder")
    return c.run()


@case("run-out-inside-a-file", "inside a file")
def _(c):
    (c.tmp / "afile").write_text("x")
    c.out = c.tmp / "afile" / "out"
    return c.run()


@case("run-scheduler-nothing-listening", "tcp://127.0.0.1:9", "scheduler")
def _(c):
    pytest.importorskip("distributed")
    c.earlier_run()
    return c.run("--scheduler", "tcp://127.0.0.1:9")


@case("run-scheduler-not-an-address", "scheduler")
def _(c):
    pytest.importorskip("distributed")
    return c.run("--scheduler", "gopher://x")


@case("run-jobs-0", "--jobs")
def _(c):
    return c.run("--jobs", "0")


@case("run-jobs-text", "--jobs")
def _(c):
    return c.run("--jobs", "many")


@case("run-unknown-lang", "--lang")
def _(c):
    return c.run("--lang", "fr")


@case("run-negative-round", "--round")
def _(c):
    return c.run("--round", "-1")


@case("run-round-not-in-data", "round 7 is not in the data")
def _(c):
    c.earlier_run()
    return c.run("--round", "7")


@case("run-round-text", "--round")
def _(c):
    return c.run("--round", "latest")


@case("run-unknown-units", "is neither a unit nor a district or agency")
def _(c):
    c.earlier_run()
    return c.run("--units", "Kec. Atlantis")


@case("run-unit-without-answers", "no answers")
def _(c):
    return c.run("--units", "Kec. Jebres")


@case("run-notebooks-folder-missing", "location_report.ipynb")
def _(c):
    args = c.run()
    args[args.index("--notebooks") + 1] = str(c.tmp / "nowhere")
    return args


@case("run-notebooks-folder-without-city", "city_overview.ipynb")
def _(c):
    nb = c.tmp / "nb"
    nb.mkdir()
    shutil.copy(FIXTURES / "location_report.ipynb", nb)
    args = c.run()
    args[args.index("--notebooks") + 1] = str(nb)
    return args


@case("run-data-without-codebook", "give both --data and --codebook")
def _(c):
    return ["run", "--data", str(c.data), "--out", str(c.out)]


@case("run-retry-without-previous-run", "no previous run")
def _(c):
    return c.run("--retry-failed")


@case("run-retry-other-language", "differs from the previous run")
def _(c):
    c.earlier_run()
    return c.run("--retry-failed", "--lang", "en")


@case("run-retry-other-notebooks", "--notebooks", "differs from the previous run")
def _(c):
    c.earlier_run()
    nb = c.tmp / "other-nb"
    shutil.copytree(FIXTURES, nb)
    args = c.run("--retry-failed")
    args[args.index("--notebooks") + 1] = str(nb)
    return args


@case("run-retry-changed-export", "changed since the previous run")
def _(c):
    c.earlier_run()
    c.rows(lambda df: df.iloc[:-1])
    return c.run("--retry-failed")


@case("run-retry-broken-manifest", "manifest")
def _(c):
    c.earlier_run()
    (c.out / "manifest.json").write_text("{not json", encoding="utf-8")
    return c.run("--retry-failed")


@case("run-unknown-option", "unrecognized arguments")
def _(c):
    return c.run("--frobnicate")


@case("run-abbreviated-option", "unrecognized arguments")
def _(c):
    return c.run("--lan", "en")


@case("unknown-command", "invalid choice")
def _(c):
    return ["frobnicate"]


@case("run-checklist-missing", "nope-checklist.csv")
def _(c):
    return c.run("--checklist", str(c.tmp / "nope-checklist.csv"))


# --- hostile units.yml and data, on an earlier complete run -----------------------------------

@case("run-slug-traversal-keeps-earlier-run", "units.yml", "line", "../../etc/evil")
def _(c):
    c.earlier_run()
    c.units_doc(lambda d: [u.update(slug="../../etc/evil") for u in d["units"] if u["name"] == "Kec. Serengan"])
    return c.run()


@case("run-slug-index-keeps-earlier-run", "units.yml", "index")
def _(c):
    c.earlier_run()
    c.units_doc(lambda d: [u.update(slug="index") for u in d["units"] if u["name"] == "Dispendukcapil"])
    return c.run()


@case("run-long-unit-name-keeps-earlier-run", "units.yml", "characters")
def _(c):
    c.earlier_run()
    c.units_doc(lambda d: [u.update(name="Kec. Serengan " + "x" * 5000) for u in d["units"]
                           if u["name"] == "Kec. Serengan"])
    return c.run()


@case("run-blank-ikm-keeps-earlier-run", "no IKM answers")
def _(c):
    c.earlier_run()
    c.rows(_blank_skm)
    return c.run()


@case("run-binary-export-keeps-earlier-run", "not a text table")
def _(c):
    c.earlier_run()
    c.data.write_bytes(os.urandom(5000).replace(b"\n", b"\x00"))
    return c.run()


@case("run-out-symlink-loop", "output folder")
def _(c):
    c.out = c.tmp / "outloop"
    os.symlink(c.tmp / "outloop2", c.out)
    os.symlink(c.out, c.tmp / "outloop2")
    return c.run()


@case("run-units-file-is-folder", "folder")
def _(c):
    c.units = c.tmp / "units-dir"
    c.units.mkdir()
    return c.run()


@case("run-data-unreadable", "data.csv", skip=ROOT_USER and "root reads everything")
def _(c):
    c.data.chmod(0)
    return c.run()


# ---------------------------------------------------------------------------
# The test
# ---------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("setup, words", CASES)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(base, tmp_path, capsys, setup, words):
    c = Case(base, tmp_path)
    argv = setup(c)
    watched = [c.out, c.tmp]
    before = {str(w): snapshot(w) for w in watched}
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = exc.code
    captured = capsys.readouterr()
    err = captured.err
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("clem: error: "), err
    # `clem validate` lists every problem on stdout (file, row, column, fix) and sums up on stderr
    said = lines[0] + ("\n" + captured.out if argv[0] == "validate" else "")
    assert "Traceback" not in said
    for w in words:
        assert w in said, (w, said)
    for w in watched:
        assert snapshot(w) == before[str(w)], f"{w} changed"


def test_there_are_at_least_80_cases():
    assert len({p.id for p in CASES}) == len(CASES) >= 80


# ---------------------------------------------------------------------------
# Hostile names that are valid input: shown as text, kept exact where clem reads them back
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["=SUM(A1:A9)", "+62 Kantor", "-Kec. Minus", "@Kec. At", "'=quoted"])
def test_formula_guard_only_at_the_final_csv_and_reversible(tmp_path, name):
    import pandas as pd

    from clem_lib.io import restore_formulas, write_csv

    df = pd.DataFrame({"unit": [name], "n": [3]})
    write_csv(df, tmp_path / "final.csv")
    write_csv(df, tmp_path / "part.csv", neutralize=False)
    final = pd.read_csv(tmp_path / "final.csv", dtype=str)["unit"]
    assert final[0].startswith("'")  # a spreadsheet shows it as text
    assert restore_formulas(final)[0] == name
    assert pd.read_csv(tmp_path / "part.csv", dtype=str)["unit"][0] == name  # internal file: exact


def test_markdown_and_bidi_in_names_render_as_text():
    import nbconvert.filters.markdown_mistune as md

    from clem_lib import escape_text

    for hostile in ("[klik](https://evil.example/x)", "[x](javascript:alert(1))", "![img](http://a/b.png)",
                    "see https://evil.example now"):
        page = md.markdown2html_mistune(f"Unit **{escape_text(hostile)}**")
        assert "<a " not in page and "<img" not in page, page
    shown = escape_text("Kec. \u202eLIVE\u202c \u2066x\u2069")
    assert not any(ch in shown for ch in "\u202e\u202c\u2066\u2069") and "LIVE" in shown


def test_bidi_controls_removed_from_unit_names(tmp_path):
    from clem_lib.codebook import load_units

    f = tmp_path / "units.yml"
    f.write_text('units:\n  - name: "Kec. \u202eSerengan"\n    sectors: [adminduk]\n    aliases: ["\u2066Srengan"]\n',
                 encoding="utf-8")
    row = load_units(f).iloc[0]
    assert row["name"] == "Kec. Serengan" and row["aliases"] == ["Srengan"]


def test_edge_case_charts_print_no_warning(recwarn):
    import warnings

    import pandas as pd

    from clem_lib.plots import chart, plot_ikm_elements, plot_ikm_ranking

    warnings.simplefilter("always")
    empty = pd.DataFrame({"unsur": pd.Series([], dtype=str), "ikm_unsur": pd.Series([], dtype=float),
                          "n": pd.Series([], dtype="Int64")})
    chart(plot_ikm_elements(empty))
    one = pd.DataFrame({"unit": ["Kecamatan " + "sangat panjang " * 20], "ikm": [80.0], "ci_low": [70.0],
                        "ci_high": [90.0], "n": [1]})
    chart(plot_ikm_ranking(one))
    assert [str(w.message) for w in recwarn] == []
