"""The report notebooks run under papermill on the sample for every unit, in both languages,
render to self-contained HTML, and the committed reference execution still matches (nbval)."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

import clem_lib as clem
from clem_lib.paths import NOTEBOOKS_DIR, PROJECT_ROOT

pytestmark = pytest.mark.slow

NBVAL_DIR = PROJECT_ROOT / "tests" / "nbval"
UNITS = clem.load_units()
MAX_HTML_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def cleaned():
    return clem.cleaned_sample()


def _run(name, out, **params):
    import papermill

    papermill.execute_notebook(str(NOTEBOOKS_DIR / name), str(out), parameters=params, kernel_name="clem",
                               progress_bar=False, log_output=False, cwd=str(out.parent))
    return nbformat.read(out, as_version=4)


def _outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield from cell.get("outputs", [])


def _markdown_text(nb) -> str:
    return "\n".join(o["data"]["text/markdown"] for o in _outputs(nb) if "text/markdown" in o.get("data", {}))


def _check_html(nb, title, lang):
    from clem_lib.htmlout import external_references, render_notebook_html

    page = render_notebook_html(nb, title=title, lang=lang)
    assert len(page.encode("utf-8")) < MAX_HTML_BYTES
    assert external_references(page) == []
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert "import clem_lib" not in page and "UnitReport.build" not in page and "CityReport.build" not in page
    # no code cells, no prompts
    assert not re.search(r'class="[^"]*\bjp-InputArea-editor', page) and "In&nbsp;[" not in page
    assert not re.search(r'class="[^"]*\bjp-InputPrompt', page)
    assert "data:image/png;base64," in page
    return page


@pytest.mark.parametrize("unit", list(UNITS["name"]))
def test_location_report_every_unit_in_indonesian(unit, cleaned, tmp_path):
    slug = UNITS.loc[UNITS["name"] == unit, "slug"].iloc[0]
    results = tmp_path / f"{slug}.results.csv"
    nb = _run("location_report.ipynb", tmp_path / f"{slug}.ipynb", unit=unit, data_path=str(cleaned),
              lang="id", results_path=str(results))
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    text = _markdown_text(nb)
    assert f"# Laporan pemantauan layanan: {unit}" in text
    for i, key in enumerate(clem.UnitReport.SECTIONS, 1):
        assert f"## {i}. {clem.label(key, 'id')}" in text
    assert "Ringkasan utama" in text and "Headline" not in text
    # results.csv rows carry the number the headline shows
    res = pd.read_csv(results, keep_default_na=False, na_values=[""])
    assert tuple(res.columns) == tuple(clem.RESULTS_COLUMNS)
    assert set(res["unit"]) == {unit}
    ikm = res[(res["metric"] == "ikm") & res["group"].isna()]["estimate"].iloc[0]
    assert f"IKM {clem.fmt_number(ikm, 2, 'id')} (IK 95%" in text
    _check_html(nb, unit, "id")


def test_location_report_in_english_standalone_with_hostile_free_text(cleaned, tmp_path):
    df = pd.read_parquet(cleaned)
    last_round = df.loc[df["unit"] == "Dispendukcapil", "round"].max()
    first = df.index[(df["unit"] == "Dispendukcapil") & (df["round"] == last_round)][0]
    df.loc[first, "suggestion"] = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    hostile = tmp_path / "hostile.parquet"
    df.to_parquet(hostile, index=False)
    nb = _run("location_report.ipynb", tmp_path / "dispendukcapil.ipynb", unit="disdukcapil",
              data_path=str(hostile), lang="en", min_n=10)
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    text = _markdown_text(nb)
    assert "# Service monitoring report: Dispendukcapil" in text
    # a data file of one's own with no checklist given: no checklist section, the next ones numbered on
    assert "## 1. Headline" in text and "## 10. Findings and recommendations" in text
    assert "checklist" not in text.lower()
    assert "Ringkasan utama" not in text and " responden." not in text
    page = _check_html(nb, "Dispendukcapil", "en")
    assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script>alert" not in page and "<img src=x" not in page


def test_location_report_standalone_defaults(tmp_path):
    """data_path="" cleans the bundled sample through the library; unknown units fail clearly."""
    nb = _run("location_report.ipynb", tmp_path / "default.ipynb")
    assert "Kec. Serengan" in _markdown_text(nb)
    import papermill

    with pytest.raises(papermill.PapermillExecutionError) as err:
        _run("location_report.ipynb", tmp_path / "bad.ipynb", unit="Kec. Serengen")
    assert "unknown unit 'Kec. Serengen'" in str(err.value) and "Kec. Serengan" in str(err.value)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_city_overview(lang, cleaned, tmp_path):
    results = tmp_path / "city.results.csv"
    nb = _run("city_overview.ipynb", tmp_path / f"city_{lang}.ipynb", data_path=str(cleaned), lang=lang,
              results_path=str(results))
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    text = _markdown_text(nb)
    for i, key in enumerate(clem.CityReport.SECTIONS, 1):
        assert f"## {i}. {clem.label(key, lang)}" in text
    res = pd.read_csv(results, keep_default_na=False, na_values=[""])
    assert tuple(res.columns) == tuple(clem.RESULTS_COLUMNS)
    # the city IKM twice, design-based (the sample's units carry users_per_month) and unweighted
    ikm = res[(res["metric"] == "ikm") & res["unit"].isna()]
    assert sorted(ikm.loc[ikm["sector"].isna(), "group"])[:2] == ["design-based", "design-based; special_group=False"]
    assert {"design-based", "unweighted"} <= set(ikm.loc[ikm["sector"].isna(), "group"])
    assert set(ikm.loc[ikm["sector"].notna(), "group"]) == {"design-based", "unweighted"}  # by sector
    special = res[res["group"].fillna("").str.startswith("special_group: True vs False; ")]
    assert sorted(special["group"].str.rsplit("; ", n=1).str[-1]) == ["design-based", "unweighted"]
    # Kruskal-Wallis rows: n is the answers (not answers + units), no dangling "vs"
    kw = res[res["group"].fillna("").str.startswith("units: ")]
    assert len(kw) and not kw["group"].str.endswith("vs").any()
    assert (kw["n"] <= len(pd.read_parquet(cleaned, columns=["unit"]))).all()
    rest = res[res["group"] == "unit vs rest of city"]
    assert sorted(rest["unit"]) == sorted(UNITS["name"])  # each row names the unit it compares
    _check_html(nb, clem.label("title_city", lang), lang)


def test_explore_notebook_runs(cleaned, tmp_path):
    nb = _run("explore.ipynb", tmp_path / "explore.ipynb", data_path=str(cleaned))
    assert not [o for o in _outputs(nb) if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in _outputs(nb))


def test_source_notebooks_follow_the_parameter_contract():
    register = ["complaints_path", "complaint_standard_days", "holidays_path"]
    want = {"location_report.ipynb": ["unit", "data_path", "checklist_path", "units_path", "round", "lang",
                                      "alpha", "min_n", "seed", "scheme", *register, "results_path"],
            "city_overview.ipynb": ["data_path", "checklist_path", "units_path", "lang", "alpha", "min_n", "seed",
                                    "scheme", "city_weights", "level", "location", *register, "results_path"]}
    for name, params in want.items():
        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        assert nb.metadata["kernelspec"] == {"name": "clem", "display_name": "Python (clem)",
                                             "language": "python"}
        cell = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(cell) == 1
        lines = [ln for ln in cell[0].source.splitlines() if ln.strip()]
        assert [ln.split(":")[0] for ln in lines] == params
        assert all(re.match(r"^\w+: (str|int|float) = .+  # \S", ln) for ln in lines), lines
        assert all("=" not in ln.split("#", 1)[1] for ln in lines)  # papermill skips such lines
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # committed clean
        import papermill

        assert list(papermill.inspect_notebook(str(NOTEBOOKS_DIR / name))) == params


def test_every_chart_is_followed_by_its_numbered_caption():
    """Findings cite figures by number: each chart cell is followed by the caption cell of its figure."""
    charts = {"location_report.ipynb": ("report", {
        "sample_chart": "sample", "ikm_elements_chart": "ikm_elements", "likert_chart": "likert",
        "groups_chart": "forest", "channel_chart": "broker", "ipa_chart": "ipa", "rounds_chart": "rounds",
        "register_chart": "register"}),
        "city_overview.ipynb": ("city", {
            "ranking_chart": "ranking", "heatmap_chart": "heatmap", "access_chart": "access_units",
            "rounds_chart": "rounds_city", "complaints_chart": "complaints_city"})}
    for name, (obj, pairs) in charts.items():
        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        src = [c.source.strip() for c in nb.cells]
        for method, key in pairs.items():
            i = src.index(f"{obj}.{method}()")
            assert src[i + 1] == f'{obj}.caption("{key}")', (name, method)
        shown = {m for m in re.findall(rf"{obj}\.(\w+_chart)\(\)", "\n".join(src))}
        assert shown == set(pairs), name  # no chart without a caption


def test_nbval_reference_execution():
    """`pytest --nbval-lax` on the committed reference run of one unit (key figures checked)."""
    ref = sorted(NBVAL_DIR.glob("*.ipynb"))
    assert ref, "no reference execution in tests/nbval/"
    proc = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-kernel-name", "clem",
                           "--sanitize-with", str(NBVAL_DIR / "sanitize.cfg"), "-p", "no:cacheprovider", "-q",
                           *map(str, ref)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert re.search(r"\d+ passed", proc.stdout)
