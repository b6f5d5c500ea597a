"""District and agency reports: ReportParams' level and location, the report of one location
(LocationReport through CityReport.from_params), its results rows, and the notebook run for a district.

The survey: the bundled sample's six units, 40 rows of each per round, in a units file that puts
them in two districts and two agencies (written to a temporary folder, cleaned once per module).
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import clem_lib as clem
from clem_lib.errors import ClemInputError
from clem_lib.paths import CHECKLIST_FILE, SAMPLE_CODEBOOK, SAMPLE_DATA
from clem_lib.report.data import read_unit_slice
from clem_lib.report.location import VS_CITY_COLUMNS

SOUTH = ("Kec. Laweyan", "Kec. Serengan", "Kec. Pasar Kliwon")
NORTH = ("Kec. Jebres", "Kec. Banjarsari")
UNITS_YML = """\
units:
  - {name: Dispendukcapil, slug: dispendukcapil, sectors: [adminduk], users_per_month: 5400, agency: Dispendukcapil}
  - {name: Kec. Laweyan, slug: kec-laweyan, sectors: [adminduk, kesehatan, pendidikan], users_per_month: 1500,
     district: Surakarta Selatan, agency: Kecamatan}
  - {name: Kec. Serengan, slug: kec-serengan, sectors: [adminduk, kesehatan, pendidikan], users_per_month: 900,
     district: Surakarta Selatan, agency: Kecamatan}
  - {name: Kec. Pasar Kliwon, slug: kec-pasar-kliwon, sectors: [adminduk, kesehatan, pendidikan],
     users_per_month: 1300, district: Surakarta Selatan, agency: Kecamatan}
  - {name: Kec. Jebres, slug: kec-jebres, sectors: [adminduk, kesehatan, pendidikan], users_per_month: 2100,
     district: Surakarta Utara, agency: Kecamatan}
  - {name: Kec. Banjarsari, slug: kec-banjarsari, sectors: [adminduk, kesehatan, pendidikan],
     users_per_month: 2400, district: Surakarta Utara, agency: Kecamatan}
districts:
  - {name: Surakarta Selatan, slug: surakarta-selatan, aliases: [Selatan]}
  - {name: Surakarta Utara, slug: surakarta-utara}
agencies:
  - {name: Dispendukcapil, slug: agency-dispendukcapil}
  - {name: Kecamatan, slug: kecamatan-kelurahan}
"""


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """Paths of the cleaned survey, its units file and the units table."""
    d = tmp_path_factory.mktemp("hierarchy")
    raw = pd.read_csv(SAMPLE_DATA, sep=";", dtype=str, keep_default_na=False)
    raw = raw[raw["identitas/persetujuan"].str.lower().eq("ya")
              & raw["identitas/kecamatan"].isin([*SOUTH, *NORTH, "Dispendukcapil"])]
    raw = raw.groupby(["identitas/kecamatan", "identitas/putaran"], sort=False).head(40)
    raw.to_csv(d / "survey.csv", sep=";", index=False)
    (d / "units.yml").write_text(UNITS_YML, encoding="utf-8")
    checklist = pd.read_csv(CHECKLIST_FILE, dtype=str, keep_default_na=False)
    checklist[checklist["unit"].isin([*SOUTH, *NORTH, "Dispendukcapil"])].to_csv(d / "checklist.csv", index=False)
    result = clem.clean_survey(d / "survey.csv", SAMPLE_CODEBOOK, d / "units.yml")
    clem.write_cleaned(result, d / "cleaned.parquet")
    return {"data": d / "cleaned.parquet", "units_path": d / "units.yml", "units": clem.load_units(d / "units.yml"),
            "dir": d}


def _params(survey, **kw) -> clem.ReportParams:
    return clem.ReportParams(data_path=str(survey["data"]), units_path=str(survey["units_path"]),
                             checklist_path=str(survey["dir"] / "checklist.csv"), **kw)


@pytest.fixture(scope="module")
def south(survey):
    return clem.CityReport.from_params(_params(survey, level="district", location="selatan"), n_boot=200)


def test_report_params_level_and_location(survey):
    units = survey["units"]
    p = clem.ReportParams(level="district", location="surakarta-selatan").validate(units)
    assert (p.level, p.location) == ("district", "Surakarta Selatan")
    assert clem.ReportParams(level="agency", location="kecamatan").validate(units).location == "Kecamatan"
    assert clem.ReportParams().validate(units).location == ""
    for kw, fragment in [({"level": "province"}, "unknown level 'province'"),
                         ({"level": "district", "location": "Surakarta Tengah"},
                          "known districts: 'Surakarta Selatan', 'Surakarta Utara'"),
                         ({"level": "district", "location": ""}, "the district is empty"),
                         ({"location": "Selatan"}, "location 'Selatan' given for level 'city'")]:
        with pytest.raises(ClemInputError) as err:
            clem.ReportParams(**kw).validate(units)
        assert fragment in str(err.value) and "\n" not in str(err.value)
    no_agencies = units.drop(columns=["agency"])
    with pytest.raises(ClemInputError, match="the units file names no agency"):
        clem.ReportParams(level="agency", location="Kecamatan").validate(no_agencies)


def test_to_papermill_passes_level_and_location_only_for_a_location():
    city = clem.ReportParams(results_path="r.csv").to_papermill()
    assert "level" not in city and "location" not in city
    assert list(city)[-2:] == ["city_weights", "results_path"]
    loc = clem.ReportParams(level="district", location="Serengan", complaints_path="c.parquet").to_papermill()
    names = list(loc)
    assert names[names.index("city_weights"):] == ["city_weights", "level", "location", "results_path"]
    assert (loc["level"], loc["location"]) == ("district", "Serengan")
    assert clem.ReportParams.from_papermill(loc) == clem.ReportParams(level="district", location="Serengan",
                                                                      complaints_path="c.parquet")
    unit = clem.ReportParams(unit="Kec. Serengan", level="district", location="Serengan").to_papermill()
    assert "level" not in unit  # a unit's report takes neither


def test_city_overview_notebook_has_no_cell_for_a_location_only():
    """A cell that prints nothing for the city still adds an empty cell to the city overview's page,
    so the location's own section is shown by the cell of its figures table."""
    import nbformat

    from clem_lib.paths import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / "city_overview.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert not [s for s in code if "vs_city" in s]
    assert "city.city_table()" in code and "vs_city_table" not in dir(clem.CityReport)


def test_read_unit_slice_reads_only_the_units_given(survey):
    d = read_unit_slice(survey["data"], units=list(NORTH), columns=["unit", "round"])
    assert sorted(d["unit"].unique()) == sorted(NORTH)
    assert len(read_unit_slice(survey["data"], units=[], columns=["unit"])) == 0


def test_city_overview_is_unchanged_by_the_location_code(survey):
    city = clem.CityReport.from_params(_params(survey), n_boot=50)
    assert type(city) is clem.CityReport and "sec_vs_city" not in city.SECTIONS
    assert not city.has_section("sec_vs_city") and str(city.section("sec_vs_city")) == ""
    assert str(city.section("sec_city")) == "## 1. " + clem.label("sec_city", "id")


def test_district_report_reads_only_its_units(survey, south):
    assert isinstance(south, clem.LocationReport) and south.location == "Surakarta Selatan"
    assert south.location_units == SOUTH
    assert set(south.data["unit"]) == set(SOUTH) and set(south.latest["unit"]) == set(SOUTH)
    assert set(south.checklist["unit"]) <= set(SOUTH)
    # of the other units only their latest round, and only what the comparison with the city needs
    assert set(south.rest["unit"]) == {*NORTH, "Dispendukcapil"}
    assert south.rest.groupby("unit")["round"].nunique().max() == 1
    scheme_cols = set(clem.get_scheme("permenpan14_2017").columns)
    assert set(south.rest.columns) <= set(VS_CITY_COLUMNS) | scheme_cols
    assert {"sector", "special_group", "gender"}.isdisjoint(south.rest.columns)


def test_district_design_based_ikm_is_location_ikm_on_its_rows(survey, south):
    """The headline IKM equals weights.location_ikm on the district's rows of its latest round,
    read here straight from the parquet."""
    df = pd.read_parquet(survey["data"])
    df = df[df["unit"].isin(SOUTH)]
    df = df[df["round"] == df.groupby("unit")["round"].transform("max")]
    ref = clem.location_ikm(df, survey["units"]).iloc[0]
    fig = south.city_figures
    got = fig[(fig["metric"] == "ikm") & (fig["estimator"] == "design-based") & (fig["domain"] == "")].iloc[0]
    assert abs(got["estimate"] - ref["ikm"]) < 1e-9
    assert abs(got["ci_low"] - ref["ci_low"]) < 1e-9 and int(got["n"]) == int(ref["n"])
    mean, k = south.mean_of_units
    assert abs(mean - ref["mean_of_units"]) < 1e-9 and k == 3
    # the plain mean is the mean of the ranking's unit IKMs
    assert abs(mean - float(pd.to_numeric(south.ikm_units["ikm"]).mean())) < 1e-9
    vs = south.vs_city.set_index("metric")
    assert abs(vs.at["ikm", "estimate1"] - ref["ikm"]) < 1e-9


def _texts(report) -> str:
    parts = [report.title(), *(report.section(k) for k in report.SECTIONS), report.city_text(), report.city_table(),
             report.vs_city_text(), report.vs_city_table(), report.ranking_table(), report.between_text(),
             report.between_table(), report.access_table(), report.rounds_table(), report.methods(),
             *(report.caption(k) for k in ("ranking", "heatmap", "access_units", "rounds_city"))]
    return "\n".join(map(repr, parts))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_district_report_speaks_of_the_district(survey, lang):
    r = clem.CityReport.from_params(_params(survey, level="district", location="Surakarta Selatan", lang=lang),
                                    n_boot=200)
    text = _texts(r)
    place = clem.label("place_district", lang)
    title = "Kecamatan Surakarta Selatan" if lang == "id" else "District of Surakarta Selatan"
    assert text.startswith(f"# {title}\n\n3 unit")
    assert f"## 1. {clem.label('sec_location', lang, place=place)}" in text
    assert f"## 2. {clem.label('sec_vs_city', lang)}" in text
    assert clem.label("s_location_why", lang, place=place) in text
    assert f"IKM: Kec. Serengan vs {clem.label('grp_rest_of_place', lang, place=place)}" in text
    # the city is named only as what the district is compared with
    rest = ["unit lain di kota", "desain tingkat kota", "rest of the city", "city-wide design", "city_weights"]
    left = re.sub("|".join(map(re.escape, rest)), "", text, flags=re.I)
    assert not re.findall(r"\bkota\b|\bcity\b|city-wide", left, flags=re.I), \
        [m.group(0) for m in re.finditer(r".{40}\b(kota|city)\b.{20}", left, flags=re.I)][:5]


def test_district_results_rows_follow_the_level_convention(south):
    res = south.results()
    assert tuple(res.columns) == tuple(clem.RESULTS_COLUMNS)
    assert set(res["unit"]) == {"Surakarta Selatan"}
    assert res["group"].str.startswith("level=district").all()
    groups = set(res["group"])
    assert {"level=district; design-based", "level=district; unweighted", "level=district; vs rest of city",
            "level=district; special_group: True vs False; design-based"} <= groups
    assert {f"level=district; unit vs rest of district: {u}" for u in SOUTH} <= groups
    ikm = res[(res["group"] == "level=district; design-based") & (res["metric"] == "ikm") & (res["sector"] == "")]
    assert len(ikm) == 1
    vs = res[res["group"] == "level=district; vs rest of city"]
    assert vs["metric"].iloc[0] == "gap:ikm" and vs["metric"].str.startswith("gap:").all()
    assert vs["p_adjusted"].notna().any() and (vs["p_adjusted"].dropna() >= vs["p_value"].dropna()).all()
    assert clem.check_results_text(res.to_csv(index=False)) is None


def test_agency_report_and_its_rows(survey):
    r = clem.CityReport.from_params(_params(survey, level="agency", location="kecamatan", lang="en"), n_boot=100)
    assert r.title_text() == "Kecamatan (agency)" and set(r.data["unit"]) == {*SOUTH, *NORTH}
    assert str(r.section("sec_city")) == "## 1. The agency as a whole"
    res = r.results()
    assert set(res["unit"]) == {"Kecamatan"} and res["group"].str.startswith("level=agency").all()
    assert "level=agency; unit vs rest of agency: Kec. Jebres" in set(res["group"])


def test_comparison_with_the_city_needs_the_design(survey, tmp_path):
    r = clem.CityReport.from_params(_params(survey, level="district", location="Surakarta Utara", lang="en",
                                            city_weights="none"), n_boot=100)
    assert r.vs_city_status == "none" and not len(r.vs_city)
    assert str(r.vs_city_text()) == clem.label("s_vs_city_unweighted", "en")
    assert str(r.vs_city_table()) == ""
    assert not r.results()["group"].eq("level=district; vs rest of city").any()
    # a unit without users per month: the district's figures unweighted, the comparison left out
    units = tmp_path / "units.yml"
    units.write_text(UNITS_YML.replace("users_per_month: 5400, ", ""), encoding="utf-8")
    p = _params(survey, level="district", location="Surakarta Utara", lang="en")
    r = clem.CityReport.from_params(replace(p, units_path=str(units)), n_boot=100)
    assert r.design["used"] and r.vs_city_status == "missing"
    assert "Dispendukcapil" in str(r.vs_city_text())


def test_a_location_with_no_respondents_fails_with_one_line(survey, tmp_path):
    units = tmp_path / "units.yml"
    text = UNITS_YML.replace("units:\n", "units:\n  - {name: Kel. Baru, slug: kel-baru, sectors: [adminduk], "
                                          "users_per_month: 100, district: Kosong}\n")
    units.write_text(text.replace("districts:\n", "districts:\n  - {name: Kosong, slug: kosong}\n"), encoding="utf-8")
    p = _params(survey, level="district", location="Kosong")
    with pytest.raises(ClemInputError, match="no respondents in district 'Kosong'"):
        clem.CityReport.from_params(replace(p, units_path=str(units)))


@pytest.mark.slow
def test_city_overview_notebook_for_a_district(survey, tmp_path):
    """One papermill run of city_overview.ipynb with level=district: it renders, with the section
    against the rest of the city, no traceback and no warning, and writes the district's rows."""
    import nbformat
    import papermill

    from clem_lib.htmlout import render_notebook_html
    from clem_lib.paths import NOTEBOOKS_DIR

    results = tmp_path / "surakarta-selatan.results.csv"
    params = _params(survey, level="district", location="Surakarta Selatan", lang="en",
                     results_path=str(results)).to_papermill()
    out = tmp_path / "surakarta-selatan.ipynb"
    papermill.execute_notebook(str(NOTEBOOKS_DIR / "city_overview.ipynb"), str(out), parameters=params,
                               kernel_name="clem", progress_bar=False, log_output=False, cwd=str(tmp_path))
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"]
    page = render_notebook_html(nb, title="District of Surakarta Selatan", lang="en")
    assert "Traceback" not in page and "Warning" not in page
    assert "District of Surakarta Selatan" in page and "2. Against the rest of the city" in page
    res = pd.read_csv(results, keep_default_na=False)
    assert set(res["unit"]) == {"Surakarta Selatan"} and res["group"].str.startswith("level=district").all()
    assert np.isfinite(res.loc[res["group"] == "level=district; vs rest of city", "estimate"].astype(float)).any()
