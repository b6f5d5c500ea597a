"""District and agency reports in ``clem run``: the plan, ``--units`` and ``--level``, the grouped
index, the manifest, retries.

The plan, the selection and the index are tested without executing anything,
on a small cleaned table written here. The runs execute fixture notebooks: the
unit report of tests/fixtures/notebooks and a city overview written here that
honours ``level`` and ``location`` as the real one does (rows with ``unit`` =
the location, ``group`` starting with ``level=district`` / ``level=agency``).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from clem_lib import ClemInputError
from clem_lib.batch import run_reports
from clem_lib.batch.levels import Location, parse_levels
from clem_lib.batch.manifest import Clock, running_manifest
from clem_lib.batch.plan import make_plan, notebook_tasks, run_settings, unit_columns
from clem_lib.batch.publish import index_levels, location_figures
from clem_lib.cli import main
from clem_lib.htmlout import external_references, render_index_html
from clem_lib.paths import SAMPLE_CODEBOOK

from _small_survey import sample_rows, write_export

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"

UNITS = {  # name -> (slug, district, agency, answers, answer to unsur_waktu)
    "Kec. Serengan": ("kec-serengan", "Serengan", "Kecamatan", 12, 4),
    "Puskesmas Kratonan": ("puskesmas-kratonan", "Serengan", "Dinas Kesehatan", 8, 3),
    "Kec. Jebres": ("kec-jebres", "Jebres", "Kecamatan", 9, 3),
    "Puskesmas Jebres": ("puskesmas-jebres", "Jebres", "Dinas Kesehatan", 6, 2),
    "Kec. Laweyan": ("kec-laweyan", "Laweyan", "Kecamatan", 7, 4),
    "Dispendukcapil": ("dispendukcapil", None, "Dispendukcapil", 10, 2),
}
AGENCIES = [{"name": "Kecamatan", "slug": "kecamatan"},
            {"name": "Dinas Kesehatan", "slug": "dinas-kesehatan", "aliases": ["Dinkes"]},
            {"name": "Dispendukcapil", "slug": "dinas-dispendukcapil"}]
PARAMS = ("lang", "round", "alpha", "min_n", "seed", "city_weights", "complaint_standard_days")

CITY_FIXTURE = '''\
import csv, os
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from clem_lib.codebook import load_units, locations
if (location or "city") in os.environ.get("CLEM_TEST_FAIL_UNITS", "").split("|"):
    raise RuntimeError("deliberate failure of " + (location or "the city overview"))
table = pq.ParquetFile(data_path).read(columns=["unit", "unsur_waktu"])
if level != "city":  # only the location's units, as the real notebook reads them
    places = locations(load_units(units_path))
    mine = places[(places["level"] == level) & (places["name"] == location)]["units"].iloc[0]
    table = table.filter(pc.is_in(table["unit"], value_set=pa.array(list(mine))))
ikm = 25.0 * pc.mean(table["unsur_waktu"]).as_py()
print(f"{level} {location}: {len(pc.unique(table['unit']))} units, n = {table.num_rows}")
if level == "city":
    rows = [["", "", "", "n_units", len(pc.unique(table["unit"])), "", "", table.num_rows, "", "", "", "fixture"]]
else:
    g = f"level={level}"
    rows = [[location, "", f"{g}; design-based", "ikm", ikm, ikm - 3, ikm + 3, table.num_rows, "", "", "", "fixture"],
            [location, "", f"{g}; unweighted", "ikm", ikm - 1, ikm - 4, ikm + 2, table.num_rows, "", "", "", "fixture"],
            [location, "", f"{g}; unit vs rest of {level}", "gap:ikm", 1.0, 0.2, 1.8, table.num_rows, 2.5,
             0.001, 0.002, "fixture"]]
if results_path:
    with open(results_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\\n")
        w.writerow(["unit", "sector", "group", "metric", "estimate", "ci_low", "ci_high", "n",
                    "statistic", "p_value", "p_adjusted", "method"])
        w.writerows(rows)
'''


def _units_doc(units: dict, *, hierarchy: bool = True) -> dict:
    entries = []
    for name, (slug, district, agency, _, _) in units.items():
        e = {"name": name, "slug": slug, "sectors": ["adminduk"], "users_per_month": 100}
        if name.startswith("Kec. "):
            e["aliases"] = [name[5:]]  # "Serengan" is the unit first, the district with district:
        if hierarchy:
            e.update({k: v for k, v in (("district", district), ("agency", agency)) if v})
        entries.append(e)
    return {"agencies": AGENCIES, "units": entries} if hierarchy else {"units": entries}


def _write_cleaned(path: Path, units: dict) -> Path:
    rows = [{"respondent_id": f"{slug}-{j}", "unit": name, "unit_slug": slug, "sector": "adminduk", "round": 1,
             "unsur_waktu": answer}
            for name, (slug, _, _, n, answer) in units.items() for j in range(n)]
    df = pd.DataFrame(rows).astype({"round": "Int64", "unsur_waktu": "Int64"})
    df.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """A cleaned table of six units in three districts and three agencies, its units files, and
    notebooks whose city overview reports a district or agency when asked."""
    root = tmp_path_factory.mktemp("hier")
    units_yml = root / "units.yml"
    units_yml.write_text(yaml.safe_dump(_units_doc(UNITS), allow_unicode=True, sort_keys=False), encoding="utf-8")
    flat_yml = root / "flat.units.yml"
    flat_yml.write_text(yaml.safe_dump(_units_doc(UNITS, hierarchy=False), sort_keys=False), encoding="utf-8")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    shutil.copy(FIXTURES / "location_report.ipynb", notebooks / "location_report.ipynb")
    nb = nbformat.read(FIXTURES / "city_overview.ipynb", as_version=4)
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params.source = params.source.replace(
        'results_path: str = ""',
        'level: str = "city"  # city, district or agency\n'
        'location: str = ""  # the district or agency, empty for the city\n'
        'round: int = 0  # survey round (0 means the latest)\n'
        'results_path: str = ""')
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    nb.cells[code[-1]].source = CITY_FIXTURE
    nbformat.write(nb, notebooks / "city_overview.ipynb")
    return {"root": root, "cleaned": _write_cleaned(root / "cleaned.parquet", UNITS), "units_yml": units_yml,
            "flat_yml": flat_yml, "notebooks": notebooks}


def _plan(survey, out=None, *, units=None, levels=None, lang=None, cold=False, previous=None, units_yml=None,
          cleaned=None):
    out = out or survey["root"] / "out"
    given = dict.fromkeys(PARAMS)
    given["lang"] = lang
    settings = run_settings(out, previous, given, notebooks_dir=survey["notebooks"],
                            units_path=units_yml or survey["units_yml"], checklist_path="", complaints_path=None,
                            holidays_path=None, checklist_default=None)
    cleaned = cleaned or survey["cleaned"]
    return make_plan(settings, unit_columns(cleaned), cleaned, cleaned_path=cleaned, survey_name="fixture",
                     scheme="permenpan14_2017", units=units, timeout=60, cold=cold, levels=levels)


def _run(survey, out, **kw):
    kw.setdefault("jobs", 2)
    kw.setdefault("progress", False)
    return run_reports(survey["cleaned"], out, survey_name="fixture", units_path=survey["units_yml"],
                       notebooks_dir=survey["notebooks"], **kw)


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


def test_plan_has_a_report_per_district_and_agency_of_two_units(survey):
    plan = _plan(survey)
    # Laweyan (one unit) and Dispendukcapil (one unit) repeat their unit's report: none of their own
    assert [(p.level, p.name, p.slug) for p in plan.locations] == [
        ("district", "Serengan", "serengan"), ("district", "Jebres", "jebres"),
        ("agency", "Kecamatan", "kecamatan"), ("agency", "Dinas Kesehatan", "dinas-kesehatan")]
    assert plan.location_rerun == ["serengan", "jebres", "kecamatan", "dinas-kesehatan"]
    assert plan.chosen == sorted(UNITS) and plan.city_chosen
    tasks = notebook_tasks(plan)
    assert [(t.key, t.kind) for t in tasks][:5] == [
        ("city_overview", "city"), ("serengan", "district"), ("jebres", "district"), ("kecamatan", "agency"),
        ("dinas-kesehatan", "agency")]
    assert len(tasks) == 5 + len(UNITS)
    serengan = tasks[1]
    assert serengan.label == "Kecamatan Serengan" and tasks[4].label == "Dinas Kesehatan"
    assert serengan.notebook.endswith("city_overview.ipynb") and serengan.warm and not tasks[0].warm
    assert serengan.results_path.endswith(".parts/serengan.results.csv")
    city = dict(tasks[0].parameters)
    del city["results_path"]
    assert dict(serengan.parameters) == {**city, "level": "district", "location": "Serengan",
                                         "results_path": ".parts/serengan.results.csv"}
    assert list(serengan.parameters)[-4:] == ["city_weights", "level", "location", "results_path"]
    assert not any(t.warm for t in notebook_tasks(_plan(survey, cold=True)))
    en = notebook_tasks(_plan(survey, lang="en"))
    assert [t.label for t in en[1:5]] == ["District of Serengan", "District of Jebres", "Kecamatan (agency)",
                                          "Dinas Kesehatan (agency)"]


@pytest.mark.parametrize("units, levels, chosen, located, city", [
    # a unit item: its report (a unit's alias wins over a district of the same name)
    ("Serengan", None, ["Kec. Serengan"], [], True),
    # its district too when --level names districts
    ("Serengan", "unit,district", ["Kec. Serengan"], ["serengan"], False),
    ("Serengan", "district", [], ["serengan"], False),
    # a location item: its report and its units'
    ("district:serengan", None, ["Kec. Serengan", "Puskesmas Kratonan"], ["serengan"], True),
    ("dinkes", None, ["Puskesmas Jebres", "Puskesmas Kratonan"], ["dinas-kesehatan"], True),
    ("Dinas Kesehatan", "agency", [], ["dinas-kesehatan"], False),
    # a location of one unit: that unit's report
    ("district:Laweyan", None, ["Kec. Laweyan"], [], True),
    # levels alone
    (None, "district,city", [], ["serengan", "jebres"], True),
    (None, "unit", sorted(UNITS), [], False),
    (None, "agency", [], ["kecamatan", "dinas-kesehatan"], False),
])
def test_units_and_levels_select_the_reports(survey, units, levels, chosen, located, city):
    plan = _plan(survey, units=units, levels=levels)
    assert (plan.chosen, [p.slug for p in plan.locations], plan.city_chosen) == (chosen, located, city)


def test_unknown_item_names_the_closest_units_and_locations(survey):
    with pytest.raises(ClemInputError) as exc:
        _plan(survey, units="Kec. Serengan,Srengan")
    msg = str(exc.value)
    assert "'Srengan' is neither a unit nor a district or agency" in msg
    assert "closest units: 'Kec. Serengan'" in msg and "district 'Serengan'" in msg
    assert "\n" not in msg
    with pytest.raises(ClemInputError, match="--units: unknown agency 'Dinas Pendidikan'"):
        _plan(survey, units="agency:Dinas Pendidikan")


def test_level_errors(survey):
    with pytest.raises(ClemInputError, match="--level: unknown level 'kecamatan'"):
        parse_levels("unit,kecamatan")
    with pytest.raises(ClemInputError, match=r"--level district: the units file names no district \(fix: add "
                                             r"district: to units in .*flat.units.yml"):
        _plan(survey, levels="district", units_yml=survey["flat_yml"])
    with pytest.raises(ClemInputError, match="--level agency: the units file names no agency"):
        _plan(survey, levels="unit,agency", units_yml=survey["flat_yml"])
    one_each = {k: v for k, v in UNITS.items() if k in ("Kec. Serengan", "Kec. Jebres", "Dispendukcapil")}
    cleaned = _write_cleaned(survey["root"] / "one_each.parquet", one_each)
    with pytest.raises(ClemInputError, match="--level district: nothing to report"):
        _plan(survey, levels="district", cleaned=cleaned)
    previous = {"parameters": {"levels": ["unit", "district"]}, "units": [], "locations": []}
    with pytest.raises(ClemInputError, match="--retry-failed: --level unit differs from the previous run "
                                             r"\(unit,district\)"):
        _plan(survey, levels="unit", previous=previous)


def test_a_location_slug_may_not_clash_with_a_unit_missing_from_the_units_file(survey):
    extra = {**UNITS, "Kantor Jebres": ("jebres", None, None, 3, 3)}  # in the data only, slug "jebres"
    cleaned = _write_cleaned(survey["root"] / "clash.parquet", extra)
    with pytest.raises(ClemInputError, match="district 'Jebres' has slug 'jebres', which is also the name of "
                                             "unit 'Kantor Jebres'"):
        _plan(survey, cleaned=cleaned)


def test_manifest_records_locations_only_with_a_hierarchy(survey):
    kw = dict(inputs={}, clock=Clock.start(), jobs=1, scheduler_name=None)
    flat = running_manifest(_plan(survey, units_yml=survey["flat_yml"]), **kw)
    assert "locations" not in flat and "levels" not in flat["parameters"]
    assert list(flat) == ["tool", "survey_name", "status", "parameters", "inputs", "packages", "timings", "units",
                          "city_overview", "failures"]
    m = running_manifest(_plan(survey, levels="unit,district"), **kw)
    assert list(m)[7:9] == ["units", "locations"] and m["city_overview"] is None
    assert m["parameters"]["levels"] == ["unit", "district"]
    assert m["locations"][0] == {"level": "district", "name": "Serengan", "slug": "serengan",
                                 "units": ["Kec. Serengan", "Puskesmas Kratonan"], "status": "pending"}


# ---------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------

FIGURES = dict.fromkeys(("n", "ikm", "ikm_low", "ikm_high", "grade", "access", "gaps", "compliance"))


def _unit_row(name, **kw):
    return {**FIGURES, "unit": name, "slug": UNITS[name][0], "sector": "adminduk", "status": "ok", "error": None,
            "report": f"{UNITS[name][0]}.html", "notebook": None, "seconds": 1.0, "n": UNITS[name][3],
            "ikm": 70.0 + len(name), "grade": "B (Baik)", **kw}


def _location_row(place: Location, **kw):
    return {**FIGURES, "level": place.level, "name": place.name, "slug": place.slug, "label": place.label,
            "units": list(place.units), "sector": "adminduk", "status": "ok", "error": None,
            "report": f"{place.slug}.html", "notebook": None, "seconds": 2.0, "n": 20, "ikm": 81.25,
            "ikm_low": 79.0, "ikm_high": 83.5, "grade": "B (Baik)", **kw}


def test_index_groups_units_under_their_districts_and_agencies(survey):
    plan = _plan(survey)
    units = [_unit_row(u) for u in plan.chosen]
    places = [_location_row(p, **({"status": "failed", "error": "cell 3: RuntimeError: boom", "report": None,
                                   "ikm": None} if p.slug == "jebres" else {})) for p in plan.locations]
    levels = index_levels(plan, units, places)
    assert [s["level"] for s in levels] == ["district", "agency"]
    district, agency = levels
    assert [g["slug"] for g in district["groups"]] == ["serengan", "jebres"]
    assert [r["unit"] for r in district["groups"][0]["rows"]] == ["Kec. Serengan", "Puskesmas Kratonan"]
    assert [(r["place"], r["unit"]) for r in district["single"]] == [("Laweyan", "Kec. Laweyan")]
    assert [r["unit"] for r in district["other"]] == ["Dispendukcapil"]
    assert [(r["place"], r["unit"]) for r in agency["single"]] == [("Dispendukcapil", "Dispendukcapil")]
    assert agency["other"] == []
    # a run of one district report alone: no agency section
    assert [s["level"] for s in index_levels(plan, [], places[:1])] == ["district"]
    page = render_index_html(units, survey_name="s", lang="id", city={"status": "ok", "report": "city_overview.html"},
                             levels=levels)
    assert external_references(page) == [] and "<script" not in page and 'id="units"' not in page
    assert '<section class="level" id="level-district">\n<h2>Kecamatan</h2>' in page
    assert '<section class="level" id="level-agency">\n<h2>Dinas</h2>' in page
    summary = re.search(r'<details class="location" id="serengan">\n<summary>(.*?)</summary>', page).group(1)
    assert summary == ('<strong>Kecamatan Serengan</strong> <span class="loc-meta">(2 unit &middot; IKM 81,25 '
                       '&middot; B (Baik))</span> <a href="serengan.html">buka</a>')
    body = page[page.index('id="serengan"'):page.index("</details>", page.index('id="serengan"'))]
    assert '<tr class="ok whole">\n<td data-sort="Kecamatan Serengan: semua unit">' in body
    assert "<td class=\"num\" data-sort=\"81.25\">81,25 (79,00–83,50)</td>" in body
    assert body.index("Kec. Serengan") < body.index("Puskesmas Kratonan") and "Kec. Jebres" not in body
    assert "<h3>Kecamatan dengan satu unit</h3>" in page and "<h3>Tanpa kecamatan</h3>" in page
    assert '<th data-type="text">Kecamatan</th>\n<th data-type="text">Unit layanan</th>' in page
    assert '<td data-sort="Laweyan">Laweyan</td>\n<td data-sort="Kec. Laweyan">Kec. Laweyan</td>' in page
    # a failed location: marked in its summary, listed with the failures
    assert '<details class="location" id="jebres">\n<summary><strong>Kecamatan Jebres</strong> <span ' \
           'class="loc-meta">(2 unit)</span> <span class="failed">gagal</span></summary>' in page
    assert "<h2>Laporan yang gagal</h2>" in page and "RuntimeError: boom" in page
    assert '<a href="city_overview.html">buka</a>' in page
    en = render_index_html(units, survey_name="s", lang="en", levels=levels)
    assert "<h2>Districts</h2>" in en and "<h3>No district</h3>" in en and "<h3>Agencies with one unit</h3>" in en
    assert "(2 units &middot; IKM 81.25" in en


def test_index_without_a_hierarchy_is_the_flat_sortable_table(survey):
    plan = _plan(survey, units_yml=survey["flat_yml"])
    units = [_unit_row(u) for u in plan.chosen]
    assert index_levels(plan, units, []) == []
    page = render_index_html(units, survey_name="s", lang="id", levels=[])
    assert page == render_index_html(units, survey_name="s", lang="id")
    assert '<table id="units">' in page and "<script>" in page and "<details" not in page


def test_location_figures_read_the_design_based_rows():
    rows = pd.DataFrame([
        ["Serengan", "", "level=district; design-based", "ikm", 81.0, 79.0, 83.0, 40, None, None, None, "x"],
        ["Serengan", "", "level=district; unweighted", "ikm", 78.0, 76.0, 80.0, 40, None, None, None, "x"],
        ["Serengan", "", "level=district; design-based", "pct_not_friendly", 30.0, 20.0, 40.0, 40, None, None, None,
         "x"],
        ["Serengan", "", "level=district; special_group: True vs False; design-based", "gap:pct_not_friendly",
         5.0, 1.0, 9.0, 40, 2.0, 0.01, None, "x"],
        ["Serengan", "", "level=district; special_group: True vs False; unweighted", "gap:pct_not_friendly",
         5.0, 1.0, 9.0, 40, 2.0, 0.01, None, "x"],
        ["Serengan", "", "level=district; unit vs rest of district", "gap:ikm", 2.0, 1.0, 3.0, 20, 2.0, 0.2, 0.4,
         "x"],
        ["Serengan", "", "level=agency; design-based", "ikm", 10.0, 9.0, 11.0, 5, None, None, None, "x"],
        ["Kec. Serengan", "", "", "ikm", 50.0, 49.0, 51.0, 20, None, None, None, "x"],
    ], columns=["unit", "sector", "group", "metric", "estimate", "ci_low", "ci_high", "n", "statistic", "p_value",
                "p_adjusted", "method"])
    f = location_figures(rows, "Serengan", "district", lang="en")
    assert (f["ikm"], f["ikm_low"], f["ikm_high"], f["n"], f["access"], f["gaps"]) == (81.0, 79.0, 83.0, 40, 30.0, 1)
    assert f["grade"] == "B (Good)"
    unweighted = rows[~rows["group"].str.endswith("design-based")]
    assert location_figures(unweighted, "Serengan", "district")["ikm"] == 78.0


# ---------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("clem: error: ") and "Traceback" not in err, err
    return lines[0]


def test_cli_level_and_location_errors_exit_2_and_write_nothing(tmp_path, capsys):
    export = write_export(tmp_path / "export.csv", rows=sample_rows(("Kec. Serengan", "Kec. Jebres"), n=8))
    doc = yaml.safe_load((Path(SAMPLE_CODEBOOK).parent / "units.yml").read_text(encoding="utf-8"))
    doc = {"units": [{k: v for k, v in u.items() if k not in ("district", "agency")} for u in doc["units"]]}
    flat = tmp_path / "flat.units.yml"
    flat.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    for u in doc["units"]:
        u["district"] = "Solo" if u["name"] in ("Kec. Serengan", "Kec. Jebres") else "Lain"
    hier = tmp_path / "units.yml"
    hier.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "out"
    base = ["run", "--data", str(export), "--codebook", str(SAMPLE_CODEBOOK), "--checklist", "", "--out", str(out),
            "--quiet"]
    assert main(base + ["--level", "unit,distrik"]) == 2
    assert "--level: unknown level 'distrik'" in _one_error_line(capsys.readouterr().err)
    assert main(base + ["--units-file", str(flat), "--level", "district"]) == 2
    assert "--level district: the units file names no district (fix: add district: to units in" \
           in _one_error_line(capsys.readouterr().err)
    assert main(base + ["--units-file", str(hier), "--units", "Sol"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "'Sol' is neither a unit nor a district or agency" in line and "district 'Solo'" in line
    assert not out.exists()


# ---------------------------------------------------------------------------
# Runs (fixture notebooks)
# ---------------------------------------------------------------------------


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_run_writes_district_and_agency_reports(survey, tmp_path):
    out = tmp_path / "run"
    result = _run(survey, out, units="district:Serengan,Dinkes")
    assert result.exit_code == 0, result.failures
    assert [e["slug"] for e in result.locations] == ["serengan", "dinas-kesehatan"]
    for stem in ("serengan", "dinas-kesehatan", "kec-serengan", "puskesmas-kratonan", "puskesmas-jebres",
                 "city_overview"):
        assert (out / f"{stem}.html").is_file() and (out / f"{stem}.ipynb").is_file()
    page = (out / "serengan.html").read_text(encoding="utf-8")
    assert "<title>Kecamatan Serengan</title>" in page and "district Serengan: 2 units, n = 20" in page
    m = _manifest(out)
    entry = m["locations"][0]
    assert {k: entry[k] for k in ("level", "name", "slug", "label", "units", "status", "error", "report",
                                  "notebook")} == {
        "level": "district", "name": "Serengan", "slug": "serengan", "label": "Kecamatan Serengan",
        "units": ["Kec. Serengan", "Puskesmas Kratonan"], "status": "ok", "error": None, "report": "serengan.html",
        "notebook": "serengan.ipynb"}
    assert entry["seconds"] > 0 and "serengan.html" in m["outputs"] and "serengan" in m["timings"]["notebooks_seconds"]
    nb = json.loads((out / "serengan.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["location"] == "Serengan"
    rows = pd.read_csv(out / "results.csv", keep_default_na=False)
    mine = rows[rows["unit"] == "Serengan"]
    assert set(mine["group"]) == {"level=district; design-based", "level=district; unweighted",
                                  "level=district; unit vs rest of district"}
    assert set(rows.loc[rows["unit"] == "Dinas Kesehatan", "group"].str.split(";").str[0]) == {"level=agency"}
    index = (out / "index.html").read_text(encoding="utf-8")
    # IKM of Serengan as a whole: 25 * mean of (12 answers of 4, 8 of 3) = 90
    assert ('<summary><strong>Kecamatan Serengan</strong> <span class="loc-meta">(2 unit &middot; IKM 90,00 '
            '&middot; A (Sangat Baik))</span> <a href="serengan.html">buka</a></summary>') in index
    assert '<details class="location" id="dinas-kesehatan">' in index
    # Jebres has a report, not in this run: listed with the unit of it that ran, without figures or link
    jebres = index[index.index('id="jebres"'):index.index("</details>", index.index('id="jebres"'))]
    assert '<summary><strong>Kecamatan Jebres</strong> <span class="loc-meta">(2 unit)</span></summary>' in jebres
    assert '<tr class="not-run whole">' in jebres and "Puskesmas Jebres" in jebres and "Kec. Jebres" not in jebres


@pytest.mark.slow
def test_retry_reruns_a_failed_location_only(survey, tmp_path, monkeypatch):
    out = tmp_path / "retry"
    monkeypatch.setenv("CLEM_TEST_FAIL_UNITS", "Jebres")
    result = _run(survey, out, units="district:Jebres", levels="district,city")
    assert result.exit_code == 1
    assert result.failures == [{"unit": "Jebres", "slug": "jebres", "level": "district",
                                "error": result.failures[0]["error"]}]
    assert "deliberate failure of Jebres" in result.failures[0]["error"]
    assert "An Exception was encountered" in (out / "jebres.html").read_text(encoding="utf-8")
    m = _manifest(out)
    assert m["status"] == "complete_with_failures" and m["locations"][0]["status"] == "failed"
    assert m["parameters"]["levels"] == ["district", "city"] and m["units"] == []
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<span class="failed">gagal</span></summary>' in index and "deliberate failure of Jebres" in index
    city = (out / "city_overview.ipynb").stat().st_mtime_ns

    monkeypatch.delenv("CLEM_TEST_FAIL_UNITS")
    retry = _run(survey, out, retry_failed=True)
    assert retry.exit_code == 0 and retry.failures == []
    m = _manifest(out)
    assert set(m["timings"]["notebooks_seconds"]) == {"jebres"}  # only the failed location ran
    assert m["locations"][0]["status"] == "ok" and m["parameters"]["levels"] == ["district", "city"]
    assert (out / "city_overview.ipynb").stat().st_mtime_ns == city
    assert "An Exception" not in (out / "jebres.html").read_text(encoding="utf-8")
    rows = pd.read_csv(out / "results.csv", keep_default_na=False)
    assert set(rows["unit"]) == {"", "Jebres"}
    with pytest.raises(ClemInputError, match="--level unit differs from the previous run"):
        _run(survey, out, retry_failed=True, levels="unit")
