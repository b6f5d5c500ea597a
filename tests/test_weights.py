"""Tests for clem_lib.weights against R's survey package.

Every reference value was printed by tests/r_reference/survey_weights.R (R 4.2.x,
survey 4.x) with

    des <- svydesign(ids = ~1, strata = ~unit, weights = ~w, data = d)

on the 24-row table below; the call is quoted beside each value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from clem_lib import ClemInputError, poststratify_weights, weighted_mean, weighted_proportion


@pytest.fixture
def d():
    return pd.DataFrame({
        "unit": ["A"] * 8 + ["B"] * 7 + ["C"] * 9,
        "w": [10, 10, 12, 12, 10, 8, 10, 10, 30, 25, 30, 35, 30, 30, 30, 5, 5, 6, 5, 4, 5, 5, 6, 5],
        "y": pd.array([3, 2, 4, 3, None, 2, 3, 4, 1, 2, 2, 3, 1, 2, 2, 4, 4, 3, 4, 3, 4, 2, 4, 3],
                      dtype="Int64"),
        "ok": pd.array([True, False, True, True, True, False, True, None, False, False, True, False, False,
                        True, False, True, True, True, False, True, True, True, True, True], dtype="boolean"),
    })


def test_weighted_mean_matches_svymean(d):
    r = weighted_mean(d, "y", weight="w").iloc[0]
    # svymean(~y, des, na.rm = TRUE): 2.35975609756098, SE 0.192710296937717
    assert r.estimate == pytest.approx(2.35975609756098, rel=1e-12)
    assert r.se == pytest.approx(0.192710296937717, rel=1e-10)
    # confint(svymean(~y, des, na.rm = TRUE)): 1.98205085611303 2.73746133900892
    assert (r.ci_low, r.ci_high) == pytest.approx((1.98205085611303, 2.73746133900892), rel=1e-10)
    assert (r.n, r.n_strata) == (23, 3)


def test_weighted_proportion_matches_svyciprop(d):
    r = weighted_proportion(d, "ok", weight="w").iloc[0]
    # svymean(~as.numeric(ok), des, na.rm = TRUE): 0.472560975609756, SE 0.126124731332996
    assert r.estimate == pytest.approx(0.472560975609756, rel=1e-12)
    assert r.se == pytest.approx(0.126124731332996, rel=1e-10)
    # svyciprop(~I(ok), des, method = "logit", na.rm = TRUE): ci 0.238268012060619 0.719597443361508, degf 21
    # (R's estimate 0.472560975691755 comes from an iterated glm: equal to 1e-10)
    assert (r.ci_low, r.ci_high) == pytest.approx((0.238268012060619, 0.719597443361508), rel=1e-8)
    assert r.df == 21
    m = weighted_proportion(d, "ok", weight="w", method="mean").iloc[0]
    # svyciprop(~I(ok), des, method = "mean", na.rm = TRUE): ci 0.210270238167098 0.734851713052414
    assert (m.ci_low, m.ci_high) == pytest.approx((0.210270238167098, 0.734851713052414), rel=1e-10)
    nf = weighted_proportion(d, "ok", event=False, weight="w").iloc[0]
    assert nf.estimate == pytest.approx(1 - 0.472560975609756, rel=1e-12)
    assert nf.se == pytest.approx(r.se, rel=1e-12)


def test_poststratified_weights_match_r(d):
    d["wps"] = poststratify_weights(d, {"A": 400, "B": 1500, "C": 250})
    assert d.groupby("unit")["wps"].sum().to_dict() == pytest.approx({"A": 400, "B": 1500, "C": 250})
    r = weighted_mean(d, "y", weight="wps").iloc[0]
    # d$wps <- N[d$unit] / n_h; svymean(~y, svydesign(ids = ~1, strata = ~unit, weights = ~wps, data = d),
    #   na.rm = TRUE): 2.23658352229781, SE 0.196114138622448
    assert r.estimate == pytest.approx(2.23658352229781, rel=1e-12)
    assert r.se == pytest.approx(0.196114138622448, rel=1e-10)
    units = pd.DataFrame({"name": ["A", "B", "C"], "users_per_month": [400, 1500, 250]})
    assert poststratify_weights(d, units).tolist() == pytest.approx(d["wps"].tolist())


def test_design_se_is_not_the_frequency_weight_se(d):
    from statsmodels.stats.weightstats import DescrStatsW

    ok = d["y"].notna().to_numpy()
    fw = DescrStatsW(d["y"].to_numpy(dtype=float, na_value=np.nan)[ok], weights=d["w"].to_numpy(float)[ok])
    # frequency-weight SE in survey_weights.R: 0.052136853354025 (a quarter of the design SE)
    assert fw.std_mean == pytest.approx(0.052136853354025, rel=1e-10)
    assert weighted_mean(d, "y", weight="w").se.iloc[0] > 3 * fw.std_mean
    # doubling every weight leaves the design SE unchanged but shrinks the frequency-weight SE
    d["w2"] = d["w"] * 2
    assert weighted_mean(d, "y", weight="w2").se.iloc[0] == pytest.approx(weighted_mean(d, "y", weight="w").se.iloc[0])


def test_unweighted_unstratified_is_the_plain_mean_and_se(d):
    r = weighted_mean(d, "y", weight=None, strata=None).iloc[0]
    y = d["y"].dropna().to_numpy(float)
    assert r.estimate == pytest.approx(y.mean())
    # with one stratum and equal weights the linearised SE is sd / sqrt(n) (the n/(n-1) factor
    # with n counting all rows: 24 rows, one unanswered)
    assert r.se == pytest.approx(np.sqrt(24 / 23 * np.sum(((y - y.mean()) / 23) ** 2)))


def test_bad_input(d):
    with pytest.raises(ClemInputError, match="users per month"):
        poststratify_weights(d, {"A": 400, "B": 1500})
    d2 = d.copy()
    d2.loc[0, "w"] = np.nan
    with pytest.raises(ClemInputError, match="weights"):
        weighted_mean(d2, "y", weight="w")
    lonely = pd.concat([d, pd.DataFrame({"unit": ["D"], "w": [3], "y": pd.array([2], dtype="Int64"),
                                         "ok": pd.array([True], dtype="boolean")})], ignore_index=True)
    with pytest.raises(ClemInputError, match="single respondent"):
        weighted_mean(lonely, "y", weight="w")
    r = weighted_mean(lonely, "y", weight="w", lonely_psu="certainty").iloc[0]
    assert np.isfinite(r.se)
    with pytest.raises(ValueError, match="no weight column"):
        weighted_mean(d, "y", weight="nope")
