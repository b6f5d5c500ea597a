"""`clem run` on the bundled sample survey, the way a new user runs it.

One real run (all six units, the real notebooks, two workers) into a temporary
folder; the assertions compare what reviewers see (index.html, the reports,
results.csv) with figures computed here directly from the library, and scan
every output for the sample's personal data.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

import clem_lib as clem
from _html_checks import assert_clean_pages
from clem_lib.paths import SAMPLE_CODEBOOK, SAMPLE_DATA

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("e2e") / "sample"
    proc = subprocess.run([sys.executable, "-m", "clem_lib", "run", "--out", str(out), "--jobs", "2", "--quiet"],
                          capture_output=True, text=True, timeout=1200)
    return proc, out


def _fmt(value: float) -> str:
    """A number as the Indonesian reports print it (two decimals, decimal comma)."""
    return f"{clem.round_half_up(value, 2):.2f}".replace(".", ",")


def test_run_exits_0_and_writes_the_contracted_files(run):
    proc, out = run
    assert proc.returncode == 0, proc.stderr[-2000:]
    units = clem.load_units()
    expected = {"index.html", "results.csv", "cleaning_log.csv", "manifest.json",
                "city_overview.html", "city_overview.ipynb"}
    expected |= {f"{slug}.{ext}" for slug in units["slug"] for ext in ("html", "ipynb")}
    assert expected <= {p.name for p in out.iterdir()}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["failures"] == [] and manifest["status"] == "complete"


def test_index_and_results_carry_the_ikm_the_library_computes(run):
    proc, out = run
    table = pd.read_parquet(out / "cleaned.parquet")
    latest = table[table["round"] == table["round"].max()]
    expected = clem.ikm(latest, by="unit").set_index("unit")
    res = pd.read_csv(out / "results.csv", keep_default_na=False, na_values=[""])
    assert tuple(res.columns) == tuple(clem.RESULTS_COLUMNS)
    index = (out / "index.html").read_text(encoding="utf-8")
    for unit, row in expected.iterrows():
        got = res[(res["unit"] == unit) & (res["metric"] == "ikm") & (res["group"].isna())]
        assert len(got) == 1, unit
        assert got["estimate"].iloc[0] == pytest.approx(row["ikm"], abs=1e-9)
        assert got["n"].iloc[0] == row["n"]
        assert _fmt(row["ikm"]) in index, f"index.html does not show {unit}'s IKM {_fmt(row['ikm'])}"
    # the planted weak unit is graded C on the index and in its own report
    pk = expected.loc["Kec. Pasar Kliwon"]
    assert pk["grade"] == "C" and pk["ikm"] < 76.61
    report = (out / "kec-pasar-kliwon.html").read_text(encoding="utf-8")
    assert _fmt(pk["ikm"]) in report and "Kurang Baik" in report


def test_reports_are_self_contained_without_code(run):
    _, out = run
    for page in sorted(out.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert clem.external_references(html) == [], page.name
        assert not re.search(r"<script[^>]+src=", html, re.I), page.name
        assert "import clem_lib" not in html, page.name
        assert page.stat().st_size < 3 * 1024 * 1024, page.name
    assert_clean_pages(out)


def test_no_personal_value_of_the_raw_export_reaches_any_output(run):
    _, out = run
    values = clem.personal_values(clem.read_survey(SAMPLE_DATA), clem.load_codebook(SAMPLE_CODEBOOK))
    assert len(values) > 1000  # names, NIK, phone numbers, addresses of the sample
    assert clem.scan_for_personal_values(out, values) == []


def test_data_quality_per_unit_reaches_the_report(run):
    _, out = run
    summary = pd.read_csv(out / "cleaning_summary.csv", keep_default_na=False)
    serengan = summary[summary["unit"] == "Kec. Serengan"]
    n_alias = int(serengan.loc[serengan["rule"] == "unit_alias", "n"].iloc[0])
    html = (out / "kec-serengan.html").read_text(encoding="utf-8")
    # a row of the data-quality table: readable rule name, count, rule code as in cleaning_log.csv
    assert re.search(rf"<td[^>]*>\s*{n_alias}\s*</td>\s*<td[^>]*>\s*unit_alias\s*</td>", html)
