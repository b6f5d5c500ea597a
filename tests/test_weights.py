"""Tests for clem_lib.weights against R's survey package.

Every reference value was printed by a script in tests/r_reference/ and the R call is quoted beside
each value: survey_weights.R (R 4.2.x, survey 4.x) with

    des <- svydesign(ids = ~1, strata = ~unit, weights = ~w, data = d)

on the 24-row table below; survey_design.R (strata and fpc, city-wide figures) and
district_design.R (a district or agency as a whole, and against the rest of the city) further down.
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


# ---------------------------------------------------------------------------
# Stratified design with finite-population correction: tests/r_reference/survey_design.R
# (R 4.2, survey 4.1.1) on tests/r_reference/design_sample.csv, 36 respondents in 3 units with
# N = 100, 25, 60 and n = 12, 9, 15 (sampling fractions 12 %, 36 %, 25 %):
#   d$w <- d$N / n_h;  des <- svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N, data = d)
# ---------------------------------------------------------------------------

from pathlib import Path

from clem_lib import (compare_proportions_design, design_chisq, design_ikm, stratum_sizes,  # noqa: E402
                      units_without_size)

_DESIGN_CSV = Path(__file__).parent / "r_reference" / "design_sample.csv"


@pytest.fixture
def ds():
    d = pd.read_csv(_DESIGN_CSV)
    for c in ("special_group", "facility_friendly"):
        d[c] = d[c].map({True: True, False: False, "TRUE": True, "FALSE": False}).astype("boolean")
    for c in d.columns:
        if c.startswith("unsur_"):
            d[c] = d[c].astype("Int64")
    sizes = d.groupby("unit")["N"].first().to_dict()
    d["w"] = poststratify_weights(d, sizes)
    assert stratum_sizes(d, sizes).tolist() == d["N"].astype(float).tolist()
    return d


def test_fpc_mean_matches_svymean(ds):
    r = weighted_mean(ds, "unsur_waktu", weight="w", fpc="N").iloc[0]
    # svymean(~unsur_waktu, des, na.rm = TRUE): 2.52509652509652, SE 0.173289160866592,
    #   confint 2.18545601088684 2.86473703930621
    assert r.estimate == pytest.approx(2.52509652509652, rel=1e-12)
    assert r.se == pytest.approx(0.173289160866592, rel=1e-10)
    assert (r.ci_low, r.ci_high) == pytest.approx((2.18545601088684, 2.86473703930621), rel=1e-10)
    # without fpc (svydesign without fpc = ~N): SE 0.18902588633666, 9 % larger
    r0 = weighted_mean(ds, "unsur_waktu", weight="w").iloc[0]
    assert r0.se == pytest.approx(0.18902588633666, rel=1e-10)
    # weights omitted: N_h / n_h from the population sizes, as R's svydesign(fpc = ~N) without weights
    assert weighted_mean(ds, "unsur_waktu", weight=None, fpc="N").se.iloc[0] == pytest.approx(r.se, rel=1e-12)


def test_fpc_proportion_matches_svyciprop(ds):
    r = weighted_proportion(ds, "facility_friendly", event=False, weight="w", fpc="N").iloc[0]
    # svymean(~nf, des, na.rm = TRUE): 0.407667731629393, SE 0.0823825212552008
    assert r.estimate == pytest.approx(0.407667731629393, rel=1e-10)
    assert r.se == pytest.approx(0.0823825212552008, rel=1e-10)
    # svyciprop(~I(nf == 1), des, method = "logit", na.rm = TRUE): ci 0.255837128037559 0.579443259501723
    assert (r.ci_low, r.ci_high) == pytest.approx((0.255837128037559, 0.579443259501723), rel=1e-8)
    assert r.df == 33  # degf(des)
    # without fpc: SE 0.0904164308985721
    assert weighted_proportion(ds, "facility_friendly", event=False, weight="w").se.iloc[0] == pytest.approx(
        0.0904164308985721, rel=1e-10)


def test_design_ikm_matches_svyratio_svycontrast(ds):
    r = design_ikm(ds, weight="w", fpc="N").iloc[0]
    # rt <- svyratio(~y_persyaratan + ... + y_sarana, ~r_persyaratan + ... + r_sarana, des, covmat = TRUE)
    # svycontrast(rt, 25/9 on each y_u/r_u): 68.9183302045381, SE 2.93133148103157,
    #   confint(df = degf(des)): 62.9544914644845 74.8821689445917
    assert r.ikm == pytest.approx(68.9183302045381, rel=1e-12)
    assert r.se == pytest.approx(2.93133148103157, rel=1e-10)
    assert (r.ci_low, r.ci_high) == pytest.approx((62.9544914644845, 74.8821689445917), rel=1e-10)
    assert (r.n, r.df, r.grade) == (36, 33, "C")
    # without fpc: SE 3.18755223869823
    assert design_ikm(ds, weight="w").se.iloc[0] == pytest.approx(3.18755223869823, rel=1e-10)
    # svymean of the per-respondent score 25 * rowMeans(...) is another figure when answers are skipped:
    # 68.7802385719052
    ds["score"] = 25 * ds[[c for c in ds.columns if c.startswith("unsur_")]].astype(float).mean(axis=1)
    assert weighted_mean(ds, "score", weight="w", fpc="N").estimate.iloc[0] == pytest.approx(68.7802385719052,
                                                                                              rel=1e-12)


def test_design_ikm_with_equal_weights_is_the_regulation_and_the_delta_interval(ds):
    from clem_lib import ikm

    one = ds[ds["unit"] == "C"].reset_index(drop=True)
    r = design_ikm(one, weight=None).iloc[0]
    u = ikm(one).iloc[0]
    assert r.ikm == pytest.approx(u.ikm, rel=1e-12)
    assert (r.ci_low, r.ci_high) == pytest.approx((u.ci_low, u.ci_high), rel=1e-12)


def test_domains_match_svyby(ds):
    b = design_ikm(ds, by="sector", weight="w", fpc="N").set_index("sector")
    # svycontrast(svyratio(num, den, subset(des, sector == s), covmat = TRUE), 25/9 each) (what svyby does)
    #   adminduk: 71.2685422906861, SE 4.39854387209261, degf 15, confint(df = 15) 61.8932679533895 80.6438166279826
    #   kesehatan: 65.1838162438606, SE 2.93280059217908, degf 17, confint(df = 17) 58.9961478678023 71.3714846199188
    assert b.loc["adminduk", "ikm"] == pytest.approx(71.2685422906861, rel=1e-12)
    assert b.loc["adminduk", "se"] == pytest.approx(4.39854387209261, rel=1e-10)
    assert (b.loc["adminduk", "ci_low"], b.loc["adminduk", "ci_high"]) == pytest.approx(
        (61.8932679533895, 80.6438166279826), rel=1e-10)
    assert b.loc["kesehatan", "ikm"] == pytest.approx(65.1838162438606, rel=1e-12)
    assert b.loc["kesehatan", "se"] == pytest.approx(2.93280059217908, rel=1e-10)
    assert (b.loc["kesehatan", "ci_low"], b.loc["kesehatan", "ci_high"]) == pytest.approx(
        (58.9961478678023, 71.3714846199188), rel=1e-10)
    assert b["df"].tolist() == [15, 17]
    m = weighted_mean(ds, "unsur_waktu", weight="w", fpc="N", by="sector")
    # svyby(~unsur_waktu, ~sector, des, svymean, na.rm = TRUE): 2.65789473684211 2.31622516556291,
    #   SE 0.25596040035937 0.185640402902127
    assert m["estimate"].tolist() == pytest.approx([2.65789473684211, 2.31622516556291], rel=1e-12)
    assert m["se"].tolist() == pytest.approx([0.25596040035937, 0.185640402902127], rel=1e-10)
    p = weighted_proportion(ds, "facility_friendly", event=False, weight="w", fpc="N", by="sector")
    # svyby(~I(nf == 1), ~sector, des, svyciprop, method = "logit", na.rm = TRUE, vartype = "ci"):
    #   adminduk 0.324324324324365 (0.130017397817727, 0.606557976200199)
    #   kesehatan 0.528124999997844 (0.318925060874676, 0.727892060119368)
    assert p["estimate"].tolist() == pytest.approx([0.324324324324365, 0.528124999997844], rel=1e-9)
    assert p["ci_low"].tolist() == pytest.approx([0.130017397817727, 0.318925060874676], rel=1e-8)
    assert p["ci_high"].tolist() == pytest.approx([0.606557976200199, 0.727892060119368], rel=1e-8)


def test_rao_scott_matches_svychisq(ds):
    r = design_chisq(ds, "special_group", "facility_friendly", column_event=False, weight="w", fpc="N").iloc[0]
    # svychisq(~special_group + nf, subset(des, !is.na(special_group) & !is.na(nf))):
    #   F = 19.1715157957877, ndf = 1, ddf = 30, p = 0.000133715020242997
    assert r.statistic == pytest.approx(19.1715157957877, rel=1e-10)
    assert (r.ndf, r.ddf) == pytest.approx((1.0, 30.0), rel=1e-12)
    assert r.p_value == pytest.approx(0.000133715020242997, rel=1e-9)
    assert r.n == 33
    # without fpc: F = 14.5980943181737, p = 0.000623398208910849
    r0 = design_chisq(ds, "special_group", "facility_friendly", column_event=False, weight="w").iloc[0]
    assert (r0.statistic, r0.p_value) == pytest.approx((14.5980943181737, 0.000623398208910849), rel=1e-9)
    # a 2 x 3 table runs through the same code (ndf from the generalised design effects)
    ds["three"] = pd.Series(np.arange(len(ds)) % 3, dtype="Int64")
    t = design_chisq(ds, "special_group", "three", weight="w", fpc="N").iloc[0]
    assert 1 <= t.ndf <= 2 and 0 <= t.p_value <= 1


def test_design_gap_matches_svyby_svycontrast(ds):
    g = compare_proportions_design(ds, "facility_friendly", by="special_group", group1=True, group2=False,
                                   event=False, weight="w", fpc="N", metric="pct_not_friendly").iloc[0]
    # svyby(~nf, ~special_group, dd, svymean, covmat = TRUE): 0.20533070088845 0.833333333333333
    assert (g.estimate1, g.estimate2) == pytest.approx((83.3333333333333, 20.533070088845), rel=1e-10)
    # svycontrast(b, c(-1, 1)): 0.628002632444883, SE 0.114103082322178, confint 0.404364700568406 0.85164056432136
    assert g.gap == pytest.approx(62.8002632444883, rel=1e-10)
    assert (g.ci_low, g.ci_high) == pytest.approx((40.4364700568406, 85.164056432136), rel=1e-9)
    # svyciprop(~I(nf == 1), subset(des, special_group == TRUE / FALSE), method = "logit", na.rm = TRUE)
    assert (g.ci1_low, g.ci1_high) == pytest.approx((58.4245793082149, 94.6780796160457), rel=1e-8)
    assert (g.ci2_low, g.ci2_high) == pytest.approx((8.01170793458842, 43.3925938289741), rel=1e-8)
    assert g.statistic == pytest.approx(19.1715157957877, rel=1e-10)  # the Rao-Scott F
    assert g.p_value == pytest.approx(0.000133715020242997, rel=1e-9)
    assert (g.n1, g.n2, g.status) == (14, 19, "ok")


def test_units_without_size_and_bad_fpc(ds):
    assert units_without_size(ds, {"A": 100, "B": 25, "C": 60}) == []
    assert units_without_size(ds, {"A": 100, "B": None}) == ["B", "C"]
    bad = ds.assign(N=ds["N"].where(ds["unit"] != "B", 5))  # 9 respondents from 5 users
    with pytest.raises(ClemInputError, match="stratum .B. has more respondents"):
        weighted_mean(bad, "unsur_waktu", weight="w", fpc="N")
    with pytest.raises(ValueError, match="population-size column"):
        weighted_mean(ds, "unsur_waktu", weight="w", fpc="nope")


@pytest.mark.slow
def test_design_simulation_covers_and_the_unweighted_estimator_is_biased():
    """Fast, seeded version of scripts/simulate_design.py (the full table is in docs/statistics.md)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "simulate_design", Path(__file__).resolve().parent.parent / "scripts" / "simulate_design.py")
    sim = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sim)
    t = sim.simulate("sampling fractions 12-40 %, n_h 36-50", reps=150, seed=7).set_index(["metric", "estimator"])
    for m in ("ikm", "pct_not_friendly"):
        # 150 replicates: Monte Carlo SE of a 95 % coverage is 1.8 points
        assert 89 <= t.loc[(m, "design-based, fpc"), "coverage"] <= 99.5
        # without fpc the interval is wider for the same estimate
        assert t.loc[(m, "design-based, no fpc"), "width"] > t.loc[(m, "design-based, fpc"), "width"]
    assert abs(t.loc[("ikm", "design-based, fpc"), "bias"]) < 0.5
    # the heavily sampled units are the least satisfied: the unweighted IKM is too low and misses
    assert t.loc[("ikm", "unweighted"), "bias"] < -3 and t.loc[("ikm", "unweighted"), "coverage"] < 20


def test_design_crc_uses_the_report_card_definitions(ds):
    from clem_lib import accessibility, crc_indicators, design_crc

    rng = np.random.default_rng(3)
    ds["had_problem"] = pd.array(rng.random(len(ds)) < 0.4, dtype="boolean")
    ds["problem_resolved"] = pd.array(np.where(ds["had_problem"], rng.random(len(ds)) < 0.5, pd.NA),
                                      dtype="boolean")
    ds["paid_extra"] = pd.array(rng.random(len(ds)) < 0.2, dtype="boolean")
    ds.loc[3, "paid_extra"] = pd.NA
    # equal weights: the same percentages (numerators and denominators) as crc_indicators / accessibility
    d = design_crc(ds, weight=None).set_index("metric")
    c = crc_indicators(ds).set_index("metric")
    for m in c.index:
        if m.startswith("pct_"):
            assert d.loc[m, "estimate"] == pytest.approx(c.loc[m, "estimate"]), m
            assert d.loc[m, "n"] == c.loc[m, "n"], m
    a = accessibility(ds).iloc[0]
    assert (d.loc["pct_not_friendly", "estimate"], d.loc["pct_not_friendly", "n"]) == (pytest.approx(a.estimate), a.n)
    # design-based: each is weighted_proportion of the indicator (svyciprop)
    w = design_crc(ds, weight="w", fpc="N").set_index("metric")
    nf = weighted_proportion(ds, "facility_friendly", event=False, weight="w", fpc="N").iloc[0]
    assert (w.loc["pct_not_friendly", "estimate"], w.loc["pct_not_friendly", "ci_low"]) == pytest.approx(
        (100 * nf.estimate, 100 * nf.ci_low))
    # problem resolved among those who had a problem: a domain of the design
    dom = weighted_proportion(ds.assign(r=ds["problem_resolved"].where(ds["had_problem"])), "r", weight="w",
                              fpc="N").iloc[0]
    assert w.loc["pct_problem_resolved", "estimate"] == pytest.approx(100 * dom.estimate)


# ---------------------------------------------------------------------------
# A district or an agency as a whole, and against the rest of the city:
# tests/r_reference/district_design.R (R 4.2.2, survey 4.1.1) on tests/r_reference/district_sample.csv,
# 80 respondents of six units (three in district Serengan, two in Jebres, Dispendukcapil in none) with
# N = 150, 60, 40, 220, 90, 500 users per month and n = 14, 11, 12, 15, 10, 18 respondents:
#   dd <- d[d$district %in% "Serengan", ];  dd$w <- dd$N / n_h
#   des <- svydesign(ids = ~1, strata = ~unit, fpc = ~N, weights = ~w, data = dd)
# ---------------------------------------------------------------------------

from clem_lib import compare_location_design, design_difference, location_crc, location_ikm  # noqa: E402

_DISTRICT_CSV = Path(__file__).parent / "r_reference" / "district_sample.csv"


@pytest.fixture
def city():
    d = pd.read_csv(_DISTRICT_CSV)
    d["facility_friendly"] = d["facility_friendly"].astype("boolean")
    for c in d.columns:
        if c.startswith("unsur_"):
            d[c] = d[c].astype("Int64")
    return d


def _units_of(d):
    """The units table of the sample: name, users per month, district, agency."""
    first = d.groupby("unit", sort=False).first().reset_index()
    return pd.DataFrame({"name": first["unit"], "users_per_month": first["N"].astype("Int64"),
                         "district": first["district"], "agency": first["agency"]})


def test_district_ikm_matches_svydesign_on_its_rows(city):
    units = _units_of(city)
    rows = city[city["district"].eq("Serengan").fillna(False)].reset_index(drop=True)
    r = location_ikm(rows, units).iloc[0]
    # svycontrast(svyratio(num, den, des, covmat = TRUE), 25/9 each): IKM = 71.0501405504322,
    #   SE = 2.46612673858169, degf = 34, confint(df = degf(des)) = 66.038368026668 76.0619130741965
    assert r.ikm == pytest.approx(71.0501405504322, rel=1e-10, abs=1e-6)
    assert r.se == pytest.approx(2.46612673858169, rel=1e-10, abs=1e-6)
    assert (r.ci_low, r.ci_high) == pytest.approx((66.038368026668, 76.0619130741965), rel=1e-10)
    assert (r.n, r.n_strata, r.df, r.grade) == (37, 3, 34, "C")
    # the units' own IKMs 77.4306711806712 62.0454545454545 60.0968013468013, their mean 66.524309024309:
    # the busy kantor kecamatan, the most satisfied, carries the district figure above the mean of its units
    assert r.mean_of_units == pytest.approx(66.524309024309, rel=1e-12)
    assert r.n_units == 3
    # the same as a domain of the city-wide design (a district is a union of whole strata)
    c = city.assign(N=city["N"].astype(float), inside=city["district"].eq("Serengan").fillna(False))
    dom = design_ikm(c, by="inside", weight=None, fpc="N").set_index("inside").loc[True]
    assert (dom.ikm, dom.se, dom.df) == (pytest.approx(r.ikm, rel=1e-12), pytest.approx(r.se, rel=1e-12), r.df)


def test_agency_ikm_and_district_share_match_r(city):
    units = _units_of(city)
    rows = city[city["agency"].eq("Dinas Kesehatan").fillna(False)].reset_index(drop=True)
    r = location_ikm(rows, units).iloc[0]
    # agency Dinas Kesehatan: IKM = 62.1140658415298, SE = 2.22841756312768, degf = 19,
    #   confint 57.4499342786376 66.778197404422; unit IKMs 62.0454545454545 62.1296296296296
    assert (r.ikm, r.se) == pytest.approx((62.1140658415298, 2.22841756312768), rel=1e-10, abs=1e-6)
    assert (r.ci_low, r.ci_high) == pytest.approx((57.4499342786376, 66.778197404422), rel=1e-10)
    assert r.df == 19
    assert r.mean_of_units == pytest.approx((62.0454545454545 + 62.1296296296296) / 2, rel=1e-12)
    serengan = city[city["district"].eq("Serengan").fillna(False)].reset_index(drop=True)
    p = location_crc(serengan, units).set_index("metric").loc["pct_not_friendly"]
    # svyciprop(~I(nf == 1), des, method = "logit", na.rm = TRUE) = 0.399585492227979,
    #   ci 0.232917131498412 0.59327652197969; SE(svymean(~nf, des, na.rm = TRUE)) = 0.092640186724371
    assert p.estimate == pytest.approx(39.9585492227979, rel=1e-9)
    assert (p.ci_low, p.ci_high) == pytest.approx((23.2917131498412, 59.327652197969), rel=1e-8)
    assert p.se == pytest.approx(9.2640186724371, rel=1e-10)


def test_district_against_the_rest_matches_svyttest(city):
    c = city.assign(N=city["N"].astype(float), in_d=city["district"].eq("Serengan").fillna(False))
    m = design_difference(c, domain="in_d", column="unsur_waktu", weight=None, fpc="N").iloc[0]
    # svyttest(unsur_waktu ~ in_d, desC): difference = -0.500891338317903, t = -2.36543822287177, df = 68,
    #   p = 0.0208670316336337, conf.int = -0.923440147232568 -0.0783425294032378
    # (svyby(~unsur_waktu, ~in_d, complete cases, svymean, covmat = TRUE): 3.05439512619669 2.55350378787879,
    #   svycontrast(b, c(-1, 1)) SE = 0.211754140723148)
    assert m.difference == pytest.approx(-0.500891338317903, rel=1e-10)
    assert (m.estimate1, m.estimate2) == pytest.approx((2.55350378787879, 3.05439512619669), rel=1e-12)
    assert m.se == pytest.approx(0.211754140723148, rel=1e-10)
    assert (m.statistic, m.df) == (pytest.approx(-2.36543822287177, rel=1e-10), 68)
    assert m.p_value == pytest.approx(0.0208670316336337, rel=1e-9)
    assert (m.ci_low, m.ci_high) == pytest.approx((-0.923440147232568, -0.0783425294032378), rel=1e-10)
    s = design_difference(c, domain="in_d", column="facility_friendly", event=False, weight=None, fpc="N").iloc[0]
    # svyttest(nf ~ in_d, desC): difference = -0.0521541261783057, t = -0.422472645040922, df = 65,
    #   p = 0.674074338410707, conf.int = -0.298700224943268 0.194391972586657
    assert (s.difference, s.statistic) == pytest.approx((-0.0521541261783057, -0.422472645040922), rel=1e-9)
    assert (s.df, s.p_value) == (65, pytest.approx(0.674074338410707, rel=1e-9))
    assert (s.ci_low, s.ci_high) == pytest.approx((-0.298700224943268, 0.194391972586657), rel=1e-9)


def test_district_ikm_against_the_rest_matches_svycontrast(city):
    units = _units_of(city)
    serengan = units.loc[units["district"].eq("Serengan").fillna(False), "name"].tolist()
    t = compare_location_design(city, units, serengan).set_index("metric")
    r = t.loc["ikm"]
    # IKM district, rest = 71.0501405504322 76.9077965527697 (SE 2.46612673858169 2.46715513411199)
    # svycontrast(svyratio(domain totals, covmat = TRUE), +25/9 district, -25/9 rest):
    #   gap = -5.85765600233746, SE = 3.48835714148117, t = -1.67920191791207, df = degf(desC) - 1 = 73,
    #   p = 2 pt(-|t|, df) = 0.0973883425521558, confint(df = 73) = -12.8099417593868 1.09462975471187
    assert (r.estimate1, r.estimate2) == pytest.approx((71.0501405504322, 76.9077965527697), rel=1e-10)
    assert r.difference == pytest.approx(-5.85765600233746, rel=1e-10, abs=1e-6)
    assert r.se == pytest.approx(3.48835714148117, rel=1e-10, abs=1e-6)
    assert (r.statistic, r.df) == (pytest.approx(-1.67920191791207, rel=1e-10), 73)
    assert r.p_value == pytest.approx(0.0973883425521558, rel=1e-9)
    assert (r.ci_low, r.ci_high) == pytest.approx((-12.8099417593868, 1.09462975471187), rel=1e-10)
    assert (r.n1, r.n2) == (37, 43)
    # the report-card share in percentage points: svyttest(nf ~ in_d, desC) difference -0.0521541261783057
    nf = t.loc["pct_not_friendly"]
    assert nf.difference == pytest.approx(-5.21541261783057, rel=1e-9)
    assert (nf.df, nf.p_value) == (65, pytest.approx(0.674074338410707, rel=1e-9))
    # design_difference gives the same IKM row from a domain column
    c = city.assign(N=city["N"].astype(float), in_d=city["unit"].isin(serengan))
    same = design_difference(c, domain="in_d", weight=None, fpc="N").iloc[0]
    assert (same.difference, same.se, same.df) == (pytest.approx(r.difference, rel=1e-12),
                                                   pytest.approx(r.se, rel=1e-12), r.df)


def test_location_edge_cases(city):
    units = _units_of(city)
    # the whole city as the location: nothing to compare it with
    whole = compare_location_design(city, units, units["name"]).set_index("metric").loc["ikm"]
    assert np.isfinite(whole.estimate1) and np.isnan(whole.estimate2) and np.isnan(whole.p_value)
    with pytest.raises(ValueError, match="none of the location's units"):
        compare_location_design(city, units, ["Kec. Laweyan"])
    # a unit without users per month cannot be weighted: the caller checks units_without_size first
    no_size = units.assign(users_per_month=units["users_per_month"].where(units["name"] != "SDN Serengan 1"))
    rows = city[city["district"].eq("Serengan").fillna(False)]
    assert units_without_size(rows, no_size) == ["SDN Serengan 1"]
    with pytest.raises(ClemInputError, match="SDN Serengan 1"):
        location_ikm(rows, no_size)
    # a mapping unit -> users per month does as well as the units table; a column named N is left alone
    sizes = dict(zip(units["name"], units["users_per_month"].astype(int)))
    a = location_ikm(rows.assign(N=0), sizes).iloc[0]
    assert a.ikm == pytest.approx(location_ikm(rows, units).ikm.iloc[0], rel=1e-12)


@pytest.mark.slow
def test_district_interval_covers_in_a_simulation():
    """Stratified samples from a fixed finite population: the district's 95 % intervals (its IKM, and its
    difference from the rest of the city) cover the true figures about 95 % of the time."""
    from clem_lib import ikm_point

    rng = np.random.default_rng(20240622)
    keys = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana"]
    # units: (N, n, satisfaction shift, in the district); sampling fractions 10-30 %
    spec = [(150, 15, 0.5, True), (60, 12, -0.4, True), (40, 12, 0.1, True), (300, 20, 0.2, False),
            (100, 15, -0.1, False)]
    pop = []
    for h, (N, _n, shift, inside) in enumerate(spec):
        lat = rng.normal(shift, 0.6, N)[:, None] + rng.normal(0, 0.8, (N, len(keys)))
        ans = (np.searchsorted([-1.28, -0.25, 0.84], lat) + 1).astype(float)
        ans[rng.random(ans.shape) < 0.05] = np.nan
        part = pd.DataFrame(ans, columns=[f"unsur_{k}" for k in keys]).astype("Int64")
        pop.append(part.assign(unit=f"U{h + 1}", inside=inside))
    pop = pd.concat(pop, ignore_index=True)
    sizes = {f"U{h + 1}": N for h, (N, *_rest) in enumerate(spec)}
    district = [u for u, (_N, _n, _s, inside) in zip(sizes, spec) if inside]
    true_ikm = ikm_point(pop[pop["inside"]])
    true_gap = true_ikm - ikm_point(pop[~pop["inside"]])
    reps, hit_ikm, hit_gap = 400, 0, 0
    for _ in range(reps):
        idx = np.concatenate([rng.choice(np.flatnonzero(pop["unit"].eq(f"U{h + 1}")), n, replace=False)
                              for h, (_N, n, *_rest) in enumerate(spec)])
        sample = pop.iloc[idx].reset_index(drop=True)
        r = location_ikm(sample[sample["inside"]], sizes).iloc[0]
        hit_ikm += r.ci_low <= true_ikm <= r.ci_high
        g = compare_location_design(sample, sizes, district).iloc[0]
        hit_gap += g.ci_low <= true_gap <= g.ci_high
    # Monte Carlo SE of a 95 % coverage over 400 replicates: 1.1 points; allow three of them
    # (this seed: 381 and 380 intervals of 400 cover)
    for hits in (hit_ikm, hit_gap):
        assert abs(hits / reps - 0.95) <= 3 * np.sqrt(0.95 * 0.05 / reps), (hit_ikm, hit_gap)
