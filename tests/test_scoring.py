"""Tests for clem_lib.scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clem_lib import scoring
from clem_lib.scoring import SCHEMES, get_scheme, ikm_grade, ikm_point, round_half_up

UNSUR9 = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
          "pengaduan", "sarana"]


def test_schemes_shape():
    s = get_scheme("permenpan14_2017")
    assert s.unsur == tuple(UNSUR9)
    assert s.k == 9
    assert [(b.grade, b.min_ikm, b.label_id) for b in s.bands] == [
        ("A", 88.31, "Sangat Baik"), ("B", 76.61, "Baik"), ("C", 65.00, "Kurang Baik"),
        ("D", 25.00, "Tidak Baik")]
    assert s.weight("exact") == pytest.approx(1 / 9)
    assert s.weight("rounded") == 0.111
    assert s.weight("rounded2") == 0.11
    old = get_scheme("kepmenpan25_2004")
    assert old.k == 14
    assert old.weight("rounded") == 0.071
    assert [b.min_ikm for b in old.bands] == [81.26, 62.51, 43.76, 25.0]
    assert set(SCHEMES) == {"permenpan14_2017", "kepmenpan25_2004"}
    with pytest.raises(Exception):
        s.unsur = ()  # frozen


@pytest.mark.parametrize(
    "value, grade",
    [(100.0, "A"), (88.31, "A"), (88.305, "A"), (88.30, "B"), (88.304999, "B"), (76.61, "B"),
     (76.605, "B"), (76.60, "C"), (76.6049, "C"), (65.00, "C"), (64.995, "C"), (64.99, "D"),
     (25.0, "D")],
)
def test_grade_boundaries_2017(value, grade):
    assert ikm_grade(value).grade == grade


def test_round_half_up_is_decimal_safe():
    assert round(76.615, 2) == 76.61  # binary float below the half: the trap
    assert round_half_up(76.615) == 76.62
    assert round(80.125, 2) == 80.12  # exact binary half, rounded to even
    assert round_half_up(80.125) == 80.13
    assert round_half_up(76.605) == 76.61
    assert round_half_up(2.675) == 2.68
    assert round_half_up(76.60499999999999) == 76.61  # float noise of an exact 76.605
    assert round_half_up(76.6049) == 76.60
    assert np.isnan(round_half_up(float("nan")))


def test_grade_labels():
    assert ikm_grade(80.0, lang="id") == "B (Baik)"
    assert ikm_grade(90.0, lang="en") == "A (Very good)"
    assert ikm_grade(pd.NA) is None
    assert ikm_grade(81.26, "kepmenpan25_2004").grade == "A"
    assert ikm_grade(81.25, "kepmenpan25_2004").grade == "B"
    assert ikm_grade(43.75, "kepmenpan25_2004").grade == "D"


def _frame(rows, keys=UNSUR9):
    return pd.DataFrame({f"unsur_{k}": pd.array([r[i] for r in rows], dtype="Int64")
                         for i, k in enumerate(keys)})


def test_ikm_point_by_hand():
    # two respondents; unsur means 3.5 (x4), 3.0 (x4), and one unsur with a missing answer
    rows = [[4, 4, 4, 4, 3, 3, 3, 3, 2], [3, 3, 3, 3, 3, 3, 3, 3, None]]
    df = _frame(rows)
    # NRR = [3.5]*4 + [3.0]*4 + [2.0]; sum = 14 + 12 + 2 = 28
    assert ikm_point(df) == pytest.approx(28 / 9 * 25)  # 77.777...
    assert ikm_point(df, weights="rounded") == pytest.approx(28 * 0.111 * 25)  # 77.70
    assert ikm_point(df, weights="rounded2") == pytest.approx(28 * 0.11 * 25)  # 77.00
    assert ikm_point(df, weights=0.111) == pytest.approx(77.70)
    assert ikm_point(df.iloc[:0]) != ikm_point(df.iloc[:0])  # NaN on empty


def test_custom_scheme():
    s = get_scheme({"name": "mini", "unsur": ["waktu", {"key": "antrean", "id": "Antrean",
                                                         "en": "Queue"}]})
    assert s.unsur == ("waktu", "antrean")
    assert s.label("antrean", "en") == "Queue"
    assert s.label("waktu") == "Waktu penyelesaian"
    assert s.weight("rounded") == 0.5
    df = pd.DataFrame({"unsur_waktu": pd.array([4, 2], dtype="Int64"),
                       "unsur_antrean": pd.array([3, pd.NA], dtype="Int64")})
    assert ikm_point(df, scheme=s) == pytest.approx(25 * (3 * 0.5 + 3 * 0.5))
    with pytest.raises(ValueError, match="unsur"):
        get_scheme({"name": "x"})
    with pytest.raises(ValueError, match="unknown IKM scheme"):
        get_scheme("nope")
