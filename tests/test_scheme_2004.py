"""A Kepmenpan 25/2004 survey (fourteen unsur, other grade bands) end to end.

The same IKM earns different grades under the two regulations (85: A under
25/2004, B under 14/2017; 70: B and C), so a report graded by the wrong rule
shows. The survey is a plain office spreadsheet of scores U1..U14, drafted by
``clem init`` and run with no hand edit; the grade on the index, in each
report's headline and in ``results.csv`` must be the 25/2004 grade of the IKM
computed here from the generated answers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from _html_checks import assert_clean_pages
from clem_lib.cli import main

UNITS = {"Kelurahan Sudiroprajan": 3.45, "Kelurahan Kampung Baru": 2.85}  # mean score of each unit


def _grade_2004(ikm: float) -> str:
    """Kepmenpan 25/2004 bands (A >= 81.26, B >= 62.51, C >= 43.76, else D) on the IKM rounded to 2 places."""
    v = round(ikm, 2)
    return "A" if v >= 81.26 else "B" if v >= 62.51 else "C" if v >= 43.76 else "D"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    d = tmp_path_factory.mktemp("kep2004")
    rng = np.random.default_rng(25_2004)
    rows = []
    for unit, mean in UNITS.items():
        for i in range(30):
            p = np.clip(np.array([0.05, 0.15, 0.5, 0.3]) + (mean - 3.05) * np.array([-0.1, -0.2, -0.1, 0.4]),
                        0.01, None)
            scores = rng.choice([1, 2, 3, 4], size=14, p=p / p.sum()).astype(float)
            scores[rng.random(14) < 0.03] = np.nan  # a few blanks
            rows.append({"No": len(rows) + 1, "Unit Layanan": unit,
                         **{f"U{k}": scores[k - 1] for k in range(1, 15)}})
    df = pd.DataFrame(rows)
    raw = d / "raw"
    raw.mkdir()
    df.to_excel(raw / "Rekap IKM 2004.xlsx", index=False)
    out = d / "out"
    assert main(["init", "--data", str(raw / "Rekap IKM 2004.xlsx")]) == 0
    cb = d / "rekap_ikm_2004.codebook.yml"
    assert main(["run", "--data", str(raw / "Rekap IKM 2004.xlsx"), "--codebook", str(cb), "--out", str(out),
                 "--jobs", "2", "--quiet"]) == 0
    return df, cb, out


def _ikm(rows: pd.DataFrame) -> float:
    """25 x the mean of the 14 per-unsur means (weight 1/14), from the generated scores."""
    nrr = [rows[f"U{k}"].mean() for k in range(1, 15)]
    return 25.0 * float(np.mean(nrr))


@pytest.mark.slow
def test_the_draft_names_the_2004_scheme(run):
    _, cb, _ = run
    assert re.search(r"^scheme: kepmenpan25_2004\b", cb.read_text(encoding="utf-8"), re.M)


@pytest.mark.slow
def test_index_report_and_results_grade_by_the_2004_bands(run):
    df, _, out = run
    res = pd.read_csv(out / "results.csv", keep_default_na=False, na_values=[""])
    index = (out / "index.html").read_text(encoding="utf-8")
    grades = set()
    for unit in UNITS:
        ikm = _ikm(df[df["Unit Layanan"] == unit])
        row = res[(res["unit"] == unit) & (res["metric"] == "ikm") & res["group"].isna()]
        assert len(row) == 1 and abs(row["estimate"].iloc[0] - ikm) <= 1e-9
        grade = _grade_2004(ikm)
        grades.add(grade)
        # the index row of the unit
        cells = re.search(rf"<td[^>]*>{re.escape(unit)}</td>(.*?)</tr>", index, re.S).group(1)
        assert re.search(rf'class="grade"[^>]*>{grade} \(', cells), (unit, grade, cells)
        # the unit's report headline: "mutu <grade> (...)"
        slug = unit.lower().replace(" ", "-")
        page = (out / f"{slug}.html").read_text(encoding="utf-8")
        assert re.search(rf"mutu {grade} \(", page), (unit, grade)
        # the methods cite the 2004 decree
        assert "25 Tahun 2004" in page or "25/M.PAN/2/2004" in page
    assert grades == {"A", "B"}  # 14/2017 would have graded these B and C
    assert_clean_pages(out)
