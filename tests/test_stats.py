"""Tests for clem_lib.stats: reference values pinned from R, behaviour, simulation, sample survey.

Every R value below was printed by the scripts in tests/r_reference/ (R 4.2.x); the
call that produced it is quoted beside it. R is not needed to run these tests.
"""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pandas as pd
import pytest

from clem_lib import stats as cs
from clem_lib.codebook import UNSUR_14_2017
from clem_lib.defaults import DEFAULT_SEED
from clem_lib.paths import PROJECT_ROOT
from clem_lib.stats.units import kruskal_from_counts
from clem_lib.stats import (
    GAP_COLUMNS, adjust_pvalues, adjust_within_family, cliffs_delta, compare_ikm, compare_proportions,
    compare_rounds, compare_scores, compare_units, dunn_test, gap_report, ikm_vs_target, newcombe_ci,
    ordinal_model, paired_gap, proportion_vs_target, unit_vs_rest, wilson_ci,
)

UNSUR9 = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
          "pengaduan", "sarana")

# tests/r_reference/two_sample.R
X = [1, 2, 2, 3, 3, 3, 4, 4, 2, 1, 3, 4, 2, 3]
Y = [2, 3, 3, 4, 4, 4, 3, 4, 2, 4, 3, 4, 4, 3, 4, 2]


def two_groups(x, y, column="unsur_sarana"):
    return pd.DataFrame({"g": ["x"] * len(x) + ["y"] * len(y),
                         column: pd.array(list(x) + list(y), dtype="Int64")})


def bool_groups(k1, n1, k2, n2):
    v = [True] * k1 + [False] * (n1 - k1) + [True] * k2 + [False] * (n2 - k2)
    return pd.DataFrame({"g": ["a"] * n1 + ["b"] * n2, "v": pd.array(v, dtype="boolean")})


def lcg(n, s=12345):
    """The generator of tests/r_reference/ordinal_model.R: s <- (69069 s + 1) mod 2^32."""
    out = []
    for _ in range(n):
        s = (69069 * s + 1) % 2 ** 32
        out.append((s + 0.5) / 2 ** 32)
    return np.array(out)


def synthetic_survey(n=240, seed=7, sarana_gap=0.0):
    """A cleaned-table-shaped frame with nine unsur, expectations and indicators."""
    rng = np.random.default_rng(seed)
    sg = rng.random(n) < 0.35
    df = pd.DataFrame({
        "unit": rng.choice(["Kec. Jebres", "Kec. Laweyan", "Kec. Serengan"], n),
        "sector": "adminduk", "service": rng.choice(["KTP-el", "KK"], n),
        "round": pd.array(rng.choice([1, 2], n), dtype="Int64"),
        "special_group": pd.array(sg, dtype="boolean"),
        "gender": rng.choice(["female", "male"], n),
        "channel": rng.choice(["broker", "in_person"], n, p=[0.25, 0.75]),
        "overall_satisfaction": pd.array(rng.integers(1, 5, n), dtype="Int64"),
        "facility_friendly": pd.array(rng.random(n) < 0.5, dtype="boolean"),
        "paid_extra": pd.array(rng.random(n) < 0.2, dtype="boolean"),
    })
    for k in UNSUR9:
        base = rng.choice([1, 2, 3, 4], n, p=[0.1, 0.25, 0.4, 0.25])
        if k == "sarana" and sarana_gap:
            drop = sg & (rng.random(n) < sarana_gap)
            base = np.where(drop, np.maximum(1, base - 1), base)
        df[f"unsur_{k}"] = pd.array(base, dtype="Int64")
        df[f"harapan_{k}"] = pd.array(rng.choice([2, 3, 4], n, p=[0.2, 0.4, 0.4]), dtype="Int64")
    return df


# ---------------------------------------------------------------------------
# Two groups, ordinal scores
# ---------------------------------------------------------------------------


def test_compare_scores_matches_r():
    r = compare_scores(two_groups(X, Y), "unsur_sarana", by="g", group1="x", group2="y").iloc[0]
    assert list(r.index) == list(GAP_COLUMNS)
    # wilcox.test(x, y, correct = TRUE, exact = FALSE): W = 69.5, p-value = 0.0659588701922137
    assert r.statistic == 69.5
    assert r.p_value == pytest.approx(0.0659588701922137, rel=1e-10)
    # t.test(x, y, var.equal = FALSE)$conf.int: -1.35919879889204 0.019913084606328
    assert r.ci_low == pytest.approx(-1.35919879889204, rel=1e-10)
    assert r.ci_high == pytest.approx(0.019913084606328, rel=1e-8)
    assert r.gap == pytest.approx(np.mean(X) - np.mean(Y))
    # Cliff's delta, brute-force dominance matrix in two_sample.R:
    # delta = -0.379464285714286, ci = -0.67262111644662 0.0166456387648796
    assert r.effect_size == pytest.approx(-0.379464285714286, rel=1e-12)
    assert r.effect_ci_low == pytest.approx(-0.67262111644662, rel=1e-10)
    assert r.effect_ci_high == pytest.approx(0.0166456387648796, rel=1e-8)
    assert (r.n1, r.n2, r.status, r.metric) == (14, 16, "ok", "nrr:sarana")
    # each side's mean with its t interval (t.test(x)$conf.int)
    h = 2.16036865646279 * np.std(X, ddof=1) / np.sqrt(14)  # R: qt(0.975, 13) = 2.16036865646279
    assert (r.ci1_low, r.ci1_high) == pytest.approx((np.mean(X) - h, np.mean(X) + h), rel=1e-12)


def test_cliffs_delta_symmetry_and_extremes():
    d, lo, hi = cliffs_delta(X, Y)
    d2, lo2, hi2 = cliffs_delta(Y, X)
    assert d2 == pytest.approx(-d) and lo2 == pytest.approx(-hi) and hi2 == pytest.approx(-lo)
    d, lo, hi = cliffs_delta([4, 4, 4, 3], [1, 1, 2, 2, 1])
    assert d == 1.0 and hi == 1.0 and 0 < lo < 1


def test_not_enough_data_gives_no_p():
    r = compare_scores(two_groups([1, 2, 3, 4], Y), "unsur_sarana", by="g", group1="x", group2="y").iloc[0]
    assert r.status == "not enough data"
    assert math.isnan(r.p_value) and math.isnan(r.p_adjusted) and math.isnan(r.ci_low)
    assert r.n1 == 4 and r.estimate1 == 2.5
    assert "Data belum cukup" in r.reading_id and "n = 4 dan 16" in r.reading_id
    # min_n is configurable
    r = compare_scores(two_groups([1, 2, 3, 4], Y), "unsur_sarana", by="g", group1="x", group2="y",
                       min_n=3).iloc[0]
    assert r.status == "ok" and 0 < r.p_value <= 1


def test_group2_none_means_the_rest_and_missing_groups_are_left_out():
    df = two_groups(X, Y)
    df.loc[0, "g"] = None
    r = compare_scores(df, "unsur_sarana", by="g", group1="y").iloc[0]
    assert (r.group1, r.group2, r.n1, r.n2) == ("y", "rest", 16, 13)


def test_bad_column_raises_with_fix():
    with pytest.raises(ValueError, match="no column"):
        compare_scores(two_groups(X, Y), "unsur_nope", by="g", group1="x")


# ---------------------------------------------------------------------------
# Proportions
# ---------------------------------------------------------------------------


def test_wilson_and_newcombe_match_r():
    # prop.test(18, 40, correct = FALSE)$conf.int: 0.307053078109049 0.60170908201068
    assert wilson_ci(18, 40) == pytest.approx((0.307053078109049, 0.60170908201068), rel=1e-12)
    # prop.test(0, 20, correct = FALSE)$conf.int: 0 0.161125158052819
    assert wilson_ci(0, 20) == pytest.approx((0.0, 0.161125158052819), abs=1e-14)
    # Newcombe hybrid score from those Wilson limits (two_sample.R): 0.0511501320174459 0.426928506110327
    assert newcombe_ci(18, 40, 9, 45) == pytest.approx((0.0511501320174459, 0.426928506110327), rel=1e-12)
    with pytest.raises(ValueError):
        wilson_ci(5, 3)


def test_compare_proportions_chisq_matches_r():
    r = compare_proportions(bool_groups(18, 40, 9, 45), "v", by="g", group1="a", group2="b").iloc[0]
    # prop.test(c(18, 9), c(40, 45), correct = FALSE): X-squared = 6.10632183908046, p = 0.0134699165715175
    # (chisq.test(matrix(c(18, 22, 9, 36), 2, byrow = TRUE), correct = FALSE) gives the same X-squared)
    assert r.statistic == pytest.approx(6.10632183908046, rel=1e-12)
    assert r.p_value == pytest.approx(0.0134699165715175, rel=1e-10)
    assert "chi-square" in r.method
    assert (r.estimate1, r.estimate2, r.gap) == pytest.approx((45.0, 20.0, 25.0))
    assert (r.ci_low, r.ci_high) == pytest.approx((5.11501320174459, 42.6928506110327), rel=1e-10)
    # 2 * asin(sqrt(18/40)) - 2 * asin(sqrt(9/45)) = 0.543333687631725
    assert r.effect_size == pytest.approx(0.543333687631725, rel=1e-12)
    assert r.effect_ci_low == pytest.approx(0.543333687631725 - 1.959963984540054 * math.sqrt(1 / 40 + 1 / 45))
    assert r.gap_unit == "percentage points"
    # each side's Wilson interval, in percent: prop.test(9, 45, correct = FALSE)$conf.int
    # = 0.108961268078313 0.33822969116142
    assert (r.ci1_low, r.ci1_high) == pytest.approx((30.7053078109049, 60.170908201068), rel=1e-12)
    assert (r.ci2_low, r.ci2_high) == pytest.approx((10.8961268078313, 33.822969116142), rel=1e-12)


def test_compare_proportions_switches_to_fisher_for_small_expected_counts():
    r = compare_proportions(bool_groups(2, 12, 7, 11), "v", by="g", group1="a", group2="b").iloc[0]
    # fisher.test(matrix(c(2, 10, 7, 4), 2, byrow = TRUE))$p.value = 0.036074841836048
    assert r.p_value == pytest.approx(0.036074841836048, rel=1e-10)
    assert "Fisher" in r.method
    # conditional maximum-likelihood odds ratio and exact interval, tests/r_reference/survey_design.R:
    # fisher.test(matrix(c(2, 10, 7, 4), 2, byrow = TRUE)) with uniroot(tol = 1e-13):
    #   OR = 0.127720380703785, ci = 0.00907432758641834 1.05587542657962
    assert (r.odds_ratio, r.or_ci_low, r.or_ci_high) == pytest.approx(
        (0.127720380703785, 0.00907432758641834, 1.05587542657962), rel=1e-9)
    assert r.statistic == r.odds_ratio
    # fisher.test(...) as printed (uniroot's default tolerance 1.2e-4): OR = 0.12774782256347,
    #   ci = 0.00907224685930837 1.05587539359037; equal to that tolerance
    assert (r.odds_ratio, r.or_ci_low, r.or_ci_high) == pytest.approx(
        (0.12774782256347, 0.00907224685930837, 1.05587539359037), rel=5e-4)


def test_fisher_odds_ratio_matches_r():
    from clem_lib import fisher_odds_ratio

    # fisher.test(matrix(c(0, 9, 6, 5), 2, byrow = TRUE)) with uniroot(tol = 1e-13): OR = 0, ci = 0 0.747182010963517
    orr, lo, hi = fisher_odds_ratio([[0, 9], [6, 5]])
    assert (orr, lo) == (0.0, 0.0) and hi == pytest.approx(0.747182010963517, rel=1e-9)
    # fisher.test(matrix(c(12, 3, 4, 9), 2, byrow = TRUE)) with uniroot(tol = 1e-13):
    #   OR = 8.18218693495668, ci = 1.2555386506048 73.4253779368546
    assert fisher_odds_ratio([[12, 3], [4, 9]]) == pytest.approx((8.18218693495668, 1.2555386506048, 73.4253779368546),
                                                                 rel=1e-9)
    # chi-square rows carry no odds ratio
    r = compare_proportions(bool_groups(18, 40, 9, 45), "v", by="g", group1="a", group2="b").iloc[0]
    assert np.isnan(r.odds_ratio) and "chi-square" in r.method


def test_event_false_and_callable_events():
    df = bool_groups(18, 40, 9, 45)
    r = compare_proportions(df, "v", by="g", group1="a", group2="b", event=False).iloc[0]
    assert r.estimate1 == pytest.approx(55.0) and r.gap == pytest.approx(-25.0)
    df["s"] = pd.array([4, 3, 1, 2] * 21 + [pd.NA], dtype="Int64")
    r = compare_proportions(df, "s", by="g", group1="a", group2="b", event=lambda s: s >= 3).iloc[0]
    assert r.n1 == 40 and r.n2 == 44 and r.estimate1 == pytest.approx(50.0)


def test_proportion_vs_target_matches_r():
    df = pd.DataFrame({"v": pd.array([True] * 34 + [False] * 6, dtype="boolean")})
    r = proportion_vs_target(df, "v", target=0.7).iloc[0]
    # binom.test(34, 40, p = 0.7, alternative = "greater")$p.value = 0.0237609464125401
    assert r.p_value == pytest.approx(0.0237609464125401, rel=1e-10)
    # prop.test(34, 40, correct = FALSE, conf.level = 0.90)$conf.int[1] = 0.735256114268597
    assert r.ci_low == pytest.approx(100 * (0.735256114268597 - 0.7), rel=1e-10)
    assert r.ci_high == math.inf and r.estimate1 == 85.0
    assert "di atas target 70%" in r.reading_id and "74%" in r.reading_id  # 73.5% read as a table shows it


# ---------------------------------------------------------------------------
# Multiplicity
# ---------------------------------------------------------------------------


def test_adjust_pvalues_matches_r():
    p = [0.01, 0.04, 0.03, 0.2, 0.005]
    # p.adjust(p, "holm") = 0.04 0.09 0.09 0.2 0.025
    assert adjust_pvalues(p) == pytest.approx([0.04, 0.09, 0.09, 0.2, 0.025])
    # p.adjust(p, "BH") = 0.025 0.05 0.05 0.2 0.025
    assert adjust_pvalues(p, "fdr_bh") == pytest.approx([0.025, 0.05, 0.05, 0.2, 0.025])
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(0)
    many = np.concatenate([rng.random(40) ** 3, [0.5, 0.5, 0.02, 0.02]])  # ties included
    assert adjust_pvalues(many) == pytest.approx(multipletests(many, method="holm")[1], rel=1e-15)
    out = adjust_pvalues([0.01, np.nan, 0.04])
    assert out[0] == pytest.approx(0.02) and np.isnan(out[1]) and out[2] == pytest.approx(0.04)
    with pytest.raises(ValueError, match="holm"):
        adjust_pvalues(p, "sidak-ish")


def test_adjust_within_family_excludes_not_enough_data_and_separates_families():
    t = pd.DataFrame({"family": ["a", "a", "a", "b", "b"],
                      "p_value": [0.01, 0.04, np.nan, 0.03, 0.02],
                      "status": ["ok", "ok", "not enough data", "ok", "ok"]})
    out = adjust_within_family(t, readings=False)
    assert out.p_adjusted.tolist()[:2] == pytest.approx([0.02, 0.04])
    assert np.isnan(out.p_adjusted[2])
    assert out.p_adjusted.tolist()[3:] == pytest.approx([0.04, 0.04])
    t.loc[2, "p_value"] = 0.5  # a stray p on an excluded row must not enter the family
    assert adjust_within_family(t, readings=False).p_adjusted.tolist()[:2] == pytest.approx([0.02, 0.04])


# ---------------------------------------------------------------------------
# k units
# ---------------------------------------------------------------------------

A = [1, 2, 2, 3, 3, 2, 1, 2, 3, 2]
B = [2, 3, 3, 4, 3, 4, 3, 3, 2, 4, 3]
C = [3, 4, 4, 4, 3, 4, 2, 4, 4]


def k_units():
    return pd.DataFrame({"unit": ["a"] * len(A) + ["b"] * len(B) + ["c"] * len(C),
                         "sector": "adminduk", "unsur_waktu": pd.array(A + B + C, dtype="Int64")})


def test_kruskal_and_dunn_match_r():
    t = compare_units(k_units(), "unsur_waktu", sector="adminduk", n_boot=200)
    omni = t.iloc[0]
    # kruskal.test(list(a, b, cc)): H = 12.4277627627628, p = 0.00200145396232723
    assert omni.statistic == pytest.approx(12.4277627627628, rel=1e-12)
    assert omni.p_value == pytest.approx(0.00200145396232723, rel=1e-10)
    # epsilon^2 = H (N + 1) / (N^2 - 1) = 0.428543543543544
    assert omni.effect_size == pytest.approx(0.428543543543544, rel=1e-12)
    assert omni.effect_ci_low < omni.effect_size < omni.effect_ci_high
    assert (omni.design, omni.n1, omni.n2) == ("k-group", 30, 3)
    pairs = t.iloc[1:]
    assert pairs[["group1", "group2"]].values.tolist() == [["a", "b"], ["a", "c"], ["b", "c"]]
    # Dunn (1964) by hand in k_sample_paired.R: z = -2.36330402619001 -3.44541198675795 -1.22468663639208
    assert pairs.statistic.tolist() == pytest.approx([-2.36330402619001, -3.44541198675795, -1.22468663639208],
                                                     rel=1e-12)
    # p = 0.0181128035707182 0.000570189617994023 0.220693311123275
    assert pairs.p_value.tolist() == pytest.approx([0.0181128035707182, 0.000570189617994023, 0.220693311123275],
                                                   rel=1e-10)
    # p.adjust(p, "holm") = 0.0362256071414364 0.00171056885398207 0.220693311123275
    assert pairs.p_adjusted.tolist() == pytest.approx(
        [0.0362256071414364, 0.00171056885398207, 0.220693311123275], rel=1e-10)
    assert (pairs.family == "adminduk: Dunn nrr:waktu").all()
    assert "berbeda antar unit" in omni.reading_id
    # without the pairs: the same omnibus row, alone
    alone = compare_units(k_units(), "unsur_waktu", sector="adminduk", n_boot=200, pairs=False)
    pd.testing.assert_frame_equal(alone, t.iloc[[0]].reset_index(drop=True))


def test_kruskal_from_count_tables_equals_scipy():
    from scipy.stats import kruskal

    rng = np.random.default_rng(4)
    for samples in ([rng.integers(1, 5, 30), rng.integers(1, 5, 41), rng.integers(2, 5, 25)],
                    [rng.normal(size=12), rng.normal(size=9) + 1]):
        levels = np.unique(np.concatenate(samples))
        counts = np.stack([np.bincount(np.searchsorted(levels, s), minlength=len(levels)) for s in samples])
        assert kruskal_from_counts(counts.astype(float)) == pytest.approx(kruskal(*samples).statistic,
                                                                          rel=1e-12)


def test_dunn_small_unit_is_not_enough_data():
    df = pd.concat([k_units(), pd.DataFrame({"unit": ["d"] * 3, "sector": "adminduk",
                                             "unsur_waktu": pd.array([1, 2, 3], dtype="Int64")})])
    d = dunn_test(df, "unsur_waktu")
    assert len(d) == 6
    small = d[(d.group1 == "d") | (d.group2 == "d")]
    assert (small.status == "not enough data").all() and small.p_value.isna().all()
    # the three kept units give the same z as without unit d
    kept = d[d.status == "ok"]
    assert kept.statistic.tolist() == pytest.approx([-2.36330402619001, -3.44541198675795, -1.22468663639208])


def test_unit_vs_rest_one_row_per_unit_adjusted():
    t = unit_vs_rest(k_units(), "unsur_waktu")
    assert t.group1.tolist() == ["a", "b", "c"] and (t.group2 == "rest").all()
    assert (t.family == "unit vs rest: nrr:waktu").all()
    assert t.p_adjusted.tolist() == pytest.approx(adjust_pvalues(t.p_value))
    assert "the rest of the city" in t.reading_en[0]


def _ikm_city(n_units=4, n=60, shift=0.0, seed=0):
    """Units answering 9 unsur on 1..4, the first unit ``shift`` points higher on average."""
    rng = np.random.default_rng(seed)
    frames = []
    for j in range(n_units):
        p = np.array([0.1, 0.25, 0.45, 0.2])
        x = rng.choice([1, 2, 3, 4], p=p, size=(n, 9)).astype(float)
        if j == 0 and shift:
            x = np.clip(x + rng.binomial(1, shift, size=x.shape), 1, 4)
        x[rng.random(x.shape) < 0.05] = np.nan
        d = pd.DataFrame({f"unsur_{k}": pd.array(x[:, i], dtype="Float64").astype("Int64")
                          for i, k in enumerate(UNSUR_14_2017)})
        d["unit"] = f"u{j}"
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def test_unit_vs_rest_ikm_agrees_with_compare_ikm_per_unit():
    df = _ikm_city(n_units=5, n=80, shift=0.4, seed=11)
    t = unit_vs_rest(df, kind="ikm", n_boot=1000, n_perm=1000)
    for i, u in enumerate(t.group1):
        one = compare_ikm(df, by="unit", group1=u, n_boot=1000, n_perm=1000, seed=DEFAULT_SEED + i).iloc[0]
        r = t.iloc[i]
        # the point figures are the same computation
        for c in ("n1", "n2", "estimate1", "estimate2", "gap", "effect_size", "effect_ci_low", "effect_ci_high"):
            assert r[c] == pytest.approx(one[c], rel=1e-12), c
        # intervals and p: Monte Carlo, another resampling scheme (within units) and another draw
        assert r.ci_low == pytest.approx(one.ci_low, abs=0.6) and r.ci_high == pytest.approx(one.ci_high, abs=0.6)
        assert r.p_value == pytest.approx(one.p_value, abs=0.04)
    assert t.iloc[0].p_adjusted < 0.05 and t.iloc[0].gap > 0  # the shifted unit stands out
    assert (t.family == "unit vs rest: ikm").all()
    assert "every unit resampled on its own" in t.method[0]
    pd.testing.assert_frame_equal(t, unit_vs_rest(df, kind="ikm", n_boot=1000, n_perm=1000))  # seeded


@pytest.mark.slow
def test_unit_vs_rest_ikm_size_and_coverage_by_simulation():
    # no unit differs: the test rejects about 5% of the time and the gap's interval covers 0 about 95%
    reject = cover = total = 0
    for rep in range(150):
        t = unit_vs_rest(_ikm_city(n_units=3, n=50, seed=1000 + rep), kind="ikm", n_boot=300, n_perm=300,
                         seed=rep, method="bonferroni")
        reject += int((t.p_value < 0.05).sum())
        cover += int(((t.ci_low <= 0) & (0 <= t.ci_high)).sum())
        total += len(t)
    assert 0.02 <= reject / total <= 0.09
    assert 0.91 <= cover / total <= 0.98


def test_unit_vs_rest_ikm_unit_not_in_data_is_not_enough():
    df = _ikm_city(n_units=3, n=30, seed=5)
    t = unit_vs_rest(df, kind="ikm", units=["u0", "nowhere"], n_boot=200, n_perm=200)
    assert t.status.tolist() == ["ok", "not enough data"]
    assert t.iloc[0].n2 == 60  # the rest: every other unit in the data, compared or not


# ---------------------------------------------------------------------------
# Paired expectation vs experience
# ---------------------------------------------------------------------------

PX = [2, 3, 3, 2, 4, 1, 2, 3, 3, 2, 4, 2, 3, 1, 2, 3]
PY = [3, 3, 4, 4, 4, 3, 3, 3, 4, 2, 3, 4, 4, 2, 4, 4]


def test_paired_gap_matches_r():
    df = pd.DataFrame({"unsur_waktu": pd.array(PX, dtype="Int64"),
                       "harapan_waktu": pd.array(PY, dtype="Int64")})
    r = paired_gap(df, unsur=["waktu"]).iloc[0]
    # wilcox.test(x, y, paired = TRUE, correct = TRUE, exact = FALSE): V = 4.5, p = 0.00561986008747984
    assert r.statistic == 4.5
    assert r.p_value == pytest.approx(0.00561986008747984, rel=1e-10)
    # t.test(x, y, paired = TRUE)$conf.int = -1.34661582481528 -0.403384175184721
    assert (r.ci_low, r.ci_high) == pytest.approx((-1.34661582481528, -0.403384175184721), rel=1e-12)
    # matched-pairs rank-biserial on the non-zero differences = -0.884615384615385
    assert r.effect_size == pytest.approx(-0.884615384615385, rel=1e-12)
    assert r.effect_ci_low <= r.effect_size <= r.effect_ci_high
    assert (r.n1, r.design, r.group1) == (16, "paired", "experience")
    assert r.reading_id.startswith("Untuk unsur waktu penyelesaian, kinerja 0,88 poin di bawah harapan")


def test_paired_gap_all_unsur_and_missing_pairs():
    df = synthetic_survey(120)
    df.loc[:9, "harapan_waktu"] = pd.NA
    t = paired_gap(df, unit="Kec. Jebres")
    assert t.metric.tolist() == [f"nrr:{k}" for k in UNSUR9]
    assert t.set_index("metric").loc["nrr:waktu", "n1"] == 110
    assert (t.family == "Kec. Jebres: expectation vs experience").all()
    assert t.p_adjusted.tolist() == pytest.approx(adjust_pvalues(t.p_value))


# ---------------------------------------------------------------------------
# IKM gap, rounds, target
# ---------------------------------------------------------------------------


def test_compare_ikm_gap_equals_the_regulation_formula_and_is_seeded():
    from clem_lib.scoring import ikm_point

    df = synthetic_survey(200, sarana_gap=0.0)
    df.loc[3, "unsur_waktu"] = pd.NA
    r = compare_ikm(df, by="special_group", group1=True, group2=False, n_boot=500, n_perm=500, seed=3).iloc[0]
    sg = df.special_group.to_numpy(dtype=bool)
    assert r.estimate1 == pytest.approx(ikm_point(df[sg]), rel=1e-12)
    assert r.estimate2 == pytest.approx(ikm_point(df[~sg]), rel=1e-12)
    assert r.gap == pytest.approx(r.estimate1 - r.estimate2)
    assert r.ci_low < r.gap < r.ci_high and 1 / 501 <= r.p_value <= 1
    assert r.ci1_low < r.estimate1 < r.ci1_high and r.ci2_low < r.estimate2 < r.ci2_high
    again = compare_ikm(df, by="special_group", group1=True, group2=False, n_boot=500, n_perm=500, seed=3)
    pd.testing.assert_frame_equal(again, compare_ikm(df, by="special_group", group1=True, group2=False,
                                                     n_boot=500, n_perm=500, seed=3))
    # rounded weights (0.111) move the estimate like ikm_point does
    r2 = compare_ikm(df, by="special_group", group1=True, group2=False, weights="rounded", n_boot=200,
                     n_perm=200).iloc[0]
    assert r2.estimate1 == pytest.approx(ikm_point(df[sg], weights="rounded"), rel=1e-12)


def test_compare_ikm_finds_a_large_gap_and_not_a_null_one():
    rng = np.random.default_rng(11)
    n = 80
    low = pd.DataFrame({f"unsur_{k}": pd.array(rng.choice([1, 2, 3], n), dtype="Int64") for k in UNSUR9})
    high = pd.DataFrame({f"unsur_{k}": pd.array(rng.choice([2, 3, 4], n), dtype="Int64") for k in UNSUR9})
    df = pd.concat([low.assign(g="low"), high.assign(g="high")], ignore_index=True)
    r = compare_ikm(df, by="g", group1="low", group2="high", n_boot=500, n_perm=500).iloc[0]
    assert r.gap == pytest.approx(-25, abs=3) and r.p_value == pytest.approx(1 / 501)
    assert r.ci_high < -20
    same = pd.concat([low.assign(g="a"), low.assign(g="b")], ignore_index=True)
    r = compare_ikm(same, by="g", group1="a", group2="b", n_boot=200, n_perm=200).iloc[0]
    assert r.gap == 0 and r.p_value == 1.0


def test_ikm_vs_target_reads_grade_b():
    rng = np.random.default_rng(5)
    n = 150
    good = pd.DataFrame({f"unsur_{k}": pd.array(rng.choice([3, 4], n, p=[0.4, 0.6]), dtype="Int64")
                         for k in UNSUR9})
    r = ikm_vs_target(good, n_boot=500).iloc[0]
    assert r.estimate2 == 76.61 and r.gap == pytest.approx(r.estimate1 - 76.61)
    assert r.p_value == pytest.approx(1 / 501) and r.ci_low > 0 and r.ci_high == math.inf
    assert "berada di atas target 76,61" in r.reading_id
    poor = pd.DataFrame({f"unsur_{k}": pd.array(rng.choice([2, 3], n), dtype="Int64") for k in UNSUR9})
    r = ikm_vs_target(poor, n_boot=500).iloc[0]
    assert r.p_value > 0.5 and "not shown to be above" in r.reading_en


def test_compare_rounds_family():
    df = synthetic_survey(300)
    t = compare_rounds(df, unit="Kec. Jebres", n_boot=200, n_perm=200)
    assert t.metric.tolist() == ["ikm"] + [f"nrr:{k}" for k in UNSUR9] + [
        "pct_satisfied", "pct_not_friendly", "pct_paid_extra"]
    assert (t.family == "Kec. Jebres: round 2 vs 1").all()
    assert (t.group1 == "2").all() and (t.group2 == "1").all()
    assert t.p_adjusted.tolist() == pytest.approx(adjust_pvalues(t.p_value))
    assert "putaran 2" in t.reading_id[0]


# ---------------------------------------------------------------------------
# Ordinal model
# ---------------------------------------------------------------------------


def polr_data():
    n = 240
    u = lcg(3 * n)
    idx = np.arange(n)
    unit = np.array(["A", "B", "C"])[idx % 3]
    service = np.array(["KTP-el", "KK"])[(idx // 3) % 2]
    sg = u[:n] < 0.3
    lat = (-0.9 * sg + 0.5 * (unit == "B") - 0.3 * (unit == "C") + 0.4 * (service == "KK")
           + np.log(u[n:2 * n] / (1 - u[n:2 * n])))
    y = 1 + (lat > -1.2).astype(int) + (lat > 0.2) + (lat > 1.6)
    return pd.DataFrame({"unsur_sarana": pd.array(y, dtype="Int64"),
                         "special_group": pd.array(sg, dtype="boolean"),
                         "unit": unit, "sector": "adminduk", "service": service})


def test_ordinal_model_matches_polr():
    df = polr_data()
    assert np.bincount(df.unsur_sarana.to_numpy(int)).tolist() == [0, 47, 69, 82, 42]  # R: table(y)
    r = ordinal_model(df, unsur=["sarana"]).iloc[0]
    # polr(y ~ sg + unit + service, method = "logistic"): coef sg = -0.64249961052489, se = 0.261180828465992
    # odds ratio = 0.525976044254005, Wald 95% CI = 0.315245169261564 0.877573476469512
    # (polr stops at optim's tolerance; Newton here reaches the maximum a few 1e-6 further)
    assert r.effect_size == pytest.approx(0.525976044254005, rel=2e-5)
    assert r.effect_ci_low == pytest.approx(0.315245169261564, rel=2e-5)
    assert r.effect_ci_high == pytest.approx(0.877573476469512, rel=2e-5)
    assert r.statistic == pytest.approx(-0.64249961052489 / 0.261180828465992, rel=1e-4)
    assert r.status == "ok" and "sector" not in r.method.split("adjusted for")[0]
    assert r.reading_en.startswith("After adjusting for unit, sector and service, the odds that special-group "
                                   "users give a higher score for facilities and infrastructure are 0.53 times")


def test_ordinal_model_reports_failures_as_rows():
    df = polr_data()
    df["unsur_waktu"] = pd.array([3] * len(df), dtype="Int64")  # one answer level only
    df["unsur_biaya"] = df["unsur_sarana"]
    df.loc[df.special_group.to_numpy(dtype=bool), "unsur_biaya"] = pd.NA  # no special-group answers
    t = ordinal_model(df, unsur=["sarana", "waktu", "biaya"])
    st = dict(zip(t.metric, t.status))
    assert st["nrr:sarana"] == "ok"
    assert st["nrr:waktu"].startswith("model failed")
    assert st["nrr:biaya"] == "not enough data"
    assert t.set_index("metric").p_value[["nrr:waktu", "nrr:biaya"]].isna().all()
    # the family excludes the failed rows: sarana's p is not multiplied by 3
    ok = t[t.status == "ok"].iloc[0]
    assert ok.p_adjusted == pytest.approx(ok.p_value)


# ---------------------------------------------------------------------------
# Readings and the report of one unit
# ---------------------------------------------------------------------------


def test_reading_uses_indonesian_decimal_commas_and_the_report_terms():
    row = dict(zip(GAP_COLUMNS, [np.nan] * len(GAP_COLUMNS)))
    row.update(design="two-group", comparison="special_group", metric="nrr:sarana", group1="True",
               group2="False", n1=40, n2=120, gap=-0.45, ci_low=-0.60, ci_high=-0.30, p_value=0.0002,
               p_adjusted=0.0012, gap_unit="points", status="ok")
    t = cs.add_readings(pd.DataFrame([row]))
    assert t.reading_id[0] == ("Rata-rata nilai unsur sarana dan prasarana pada pengguna kelompok rentan "
                               "0,45 poin lebih rendah daripada pada pengguna lain "
                               "(IK 95% tanpa koreksi: 0,30\u20130,60; p terkoreksi = 0,001).")
    assert t.reading_en[0] == ("The mean score for facilities and infrastructure among special-group users is "
                               "0.45 points lower than among other users (unadjusted 95% CI: 0.30\u20130.60; adjusted p = 0.001).")
    row.update(gap=12345.6, ci_low=-100.0, ci_high=24000.0, p_adjusted=0.2, gap_unit="rupiah",
               metric="mean:cost_paid", comparison="channel", group1="broker", group2="in_person")
    t = cs.add_readings(pd.DataFrame([row]))
    assert "selisih +Rp 12.346 (IK 95% tanpa koreksi: \u2212100 sampai 24.000; p terkoreksi = 0,200)" in t.reading_id[0]
    assert "gap +Rp 12,346 (unadjusted 95% CI: \u2212100 to 24,000; adjusted p = 0.200)" in t.reading_en[0]


def test_reading_prints_each_figure_as_the_report_tables_do():
    from clem_lib.text import fmt_interval, fmt_number, fmt_p

    row = dict(zip(GAP_COLUMNS, [np.nan] * len(GAP_COLUMNS)))
    row.update(design="two-group", comparison="channel", metric="mean:days_to_complete", group1="broker",
               group2="in_person", n1=1200, n2=30, gap=-3.25, ci_low=-5.25, ci_high=-1.25, p_value=0.04,
               p_adjusted=0.2, gap_unit="days", status="ok")
    t = cs.add_readings(pd.DataFrame([row]))
    # half up, a true minus sign, "sampai" between negative limits: fmt_number / fmt_interval / fmt_p
    assert f"selisih {fmt_number(-3.25, 1, 'id', signed=True)} hari" in t.reading_id[0]
    assert "selisih \u22123,3 hari (IK 95% tanpa koreksi: \u22125,3 sampai \u22121,3; p terkoreksi = 0,200)" \
        in t.reading_id[0]
    assert f"CI: {fmt_interval(-5.25, -1.25, 1, 'en', prefix=False)}; adjusted p = {fmt_p(0.2, 'en')})" \
        in t.reading_en[0]
    row.update(metric="pct_paid_extra", gap=12.5, ci_low=2.5, ci_high=22.5, p_adjusted=0.01,
               gap_unit="percentage points")
    t = cs.add_readings(pd.DataFrame([row]))
    assert "13 poin persen lebih tinggi" in t.reading_id[0] and "(IK 95% tanpa koreksi: 3\u201323;" in t.reading_id[0]
    assert "13 percentage points higher" in t.reading_en[0]


def test_readings_know_the_row_statuses():
    from clem_lib.stats.rows import NOT_ENOUGH, OK, gap_row

    rows = [gap_row(design="two-group", comparison="gender", group1="female", group2="male", metric="ikm",
                    n1=3, n2=1040, status=NOT_ENOUGH),
            gap_row(design="model", metric="nrr:sarana", status="model failed: every answer is the same"),
            gap_row(design="k-group", metric="nrr:waktu", statistic=7.5, p_value=0.02, effect_size=0.0123,
                    status=OK)]
    t = cs.add_readings(pd.DataFrame(rows))
    assert t.reading_id.tolist() == [
        "Data belum cukup untuk membandingkan IKM antara perempuan dan laki-laki (n = 3 dan 1.040; "
        "terlalu sedikit jawaban untuk diuji).",
        "Rata-rata nilai unsur sarana dan prasarana: model tidak dapat diestimasi "
        "(model failed: every answer is the same).",
        "Rata-rata nilai unsur waktu penyelesaian berbeda antar unit (Kruskal\u2013Wallis H = 7,50; p = 0,020; "
        "\u03b5\u00b2 = 0,012)."]


def test_gap_report_families_and_holm():
    df = synthetic_survey(400, sarana_gap=0.8)
    t = gap_report(df, unit="Kec. Jebres", n_boot=200, n_perm=200)
    assert list(t.columns) == list(GAP_COLUMNS)
    fams = list(dict.fromkeys(t.family))
    assert fams == ["Kec. Jebres: special_group True vs False", "Kec. Jebres: gender female vs male",
                    "Kec. Jebres: channel broker vs in_person"]  # absent comparisons are skipped
    first = t[t.family == fams[0]]
    assert first.metric.tolist() == [f"nrr:{k}" for k in UNSUR9] + [
        "ikm", "pct_satisfied", "pct_not_friendly", "pct_paid_extra"]
    for _, fam in t.groupby("family"):
        ok = fam.status == "ok"
        assert fam.p_adjusted[ok].tolist() == pytest.approx(adjust_pvalues(fam.p_value[ok]))
    assert (t.unit == "Kec. Jebres").all()
    assert t.reading_id.str.len().gt(40).all() and t.reading_en.str.len().gt(40).all()
    bh = gap_report(df, unit="Kec. Jebres", method="fdr_bh", n_boot=200, n_perm=200)
    assert (bh.p_adjusted <= t.p_adjusted + 1e-15).all()


# ---------------------------------------------------------------------------
# Simulation (fast, seeded version of scripts/simulate_gap_tests.py)
# ---------------------------------------------------------------------------


def _sim():
    spec = importlib.util.spec_from_file_location("simulate_gap_tests",
                                                  PROJECT_ROOT / "scripts" / "simulate_gap_tests.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_simulation_size_and_coverage_fast():
    sim = _sim()
    # 1,200 replicates: a correct 5 % test lands in 3.2-6.9 % with probability > 0.99;
    # a test at 10 % (or one that never rejects) does not.
    s = sim.sim_scores(40, 1200, seed=101)
    assert 0.032 <= s["reject"] <= 0.069
    assert 0.93 <= s["coverage_gap"] <= 0.97 and 0.93 <= s["coverage_effect"] <= 0.975
    p = sim.sim_proportions(40, 1200, seed=102)
    assert 0.032 <= p["reject"] <= 0.069 and 0.93 <= p["coverage_gap"] <= 0.975
    k = sim.sim_kruskal(30, 1200, seed=103)
    assert 0.032 <= k["reject"] <= 0.069 and 0.025 <= k["reject_dunn_any"] <= 0.069
    w = sim.sim_paired(40, 400, seed=104, n_boot=300)
    assert 0.02 <= w["reject"] <= 0.085 and 0.92 <= w["coverage_gap"] <= 0.98
    i = sim.sim_ikm(30, 150, seed=105, n_boot=400, n_perm=400)
    assert i["reject"] <= 0.10 and 0.88 <= i["coverage_gap"] <= 0.99
    # a real gap of 0.8 points at 40 per side is found almost always
    assert sim.power_scores(40, 0.8, 400, seed=106) > 0.9


# ---------------------------------------------------------------------------
# The sample survey: planted gaps are found, null unsur are not flagged
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    from clem_lib import SAMPLE_CODEBOOK, SAMPLE_DATA, clean_survey

    if not SAMPLE_DATA.exists():
        pytest.skip("sample survey not built")
    return clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK).table


def test_sample_planted_gaps_found_and_nulls_not_flagged(sample):
    # the six units the effects were planted on (the six facilities come from another random stream)
    six = sample[~sample["unit"].isin(["Kel. Joyotakan", "Puskesmas Kratonan", "SD Negeri Danukusuman",
                                       "Kel. Semanggi", "Puskesmas Sangkrah", "SD Negeri Semanggi"])]
    t = gap_report(six, comparisons=[("special_group", True, False), ("channel", "broker", "in_person")],
                   n_boot=300, n_perm=300)
    sg = t[t.family == "special_group True vs False"].set_index("metric")
    # planted: special-group users rate sarana 0.45 points lower (data/README.md, effect 2)
    assert sg.loc["nrr:sarana", "gap"] == pytest.approx(-0.44, abs=0.02)
    assert sg.loc["nrr:sarana", "ci_low"] < -0.45 < sg.loc["nrr:sarana", "ci_high"]
    assert sg.loc["nrr:sarana", "p_adjusted"] < 1e-10
    null = [f"nrr:{k}" for k in UNSUR9 if k != "sarana"]
    assert (sg.loc[null, "p_adjusted"] > 0.05).all()
    assert sg.loc["pct_not_friendly", "gap"] > 0 and sg.loc["pct_not_friendly", "p_adjusted"] < 0.001
    br = t[t.family == "channel broker vs in_person"].set_index("metric")
    # planted: broker users pay more (paid_extra 90 % vs 8 %, cost about Rp 148,000 vs Rp 2,700)
    assert br.loc["pct_paid_extra", "gap"] == pytest.approx(82, abs=4)
    assert br.loc["pct_paid_extra", "p_adjusted"] < 1e-50
    assert br.loc["mean:cost_paid", "gap"] > 100_000 and br.loc["mean:cost_paid", "p_adjusted"] < 1e-50
    assert "lebih tinggi" in br.loc["pct_paid_extra", "reading_id"]


def test_sample_pasar_kliwon_below_grade_b_and_dispendukcapil_improves(sample):
    pk = sample[sample.unit == "Kec. Pasar Kliwon"]
    r = ikm_vs_target(pk, n_boot=500).iloc[0]
    assert r.estimate1 == pytest.approx(72.3, abs=0.3) and r.p_value > 0.5
    d = compare_rounds(sample, unit="Dispendukcapil", n_boot=300, n_perm=300).set_index("metric")
    assert d.loc["ikm", "gap"] == pytest.approx(86.8 - 78.7, abs=0.5)
    assert d.loc["ikm", "ci_low"] > 0 and d.loc["ikm", "p_adjusted"] < 0.05


def test_t_value_is_scipy_t_ppf_to_the_last_bit():
    from scipy import stats as sps

    from clem_lib.intervals import t_value

    for conf in (0.8, 0.9, 0.95, 0.99):
        for df in [*range(1, 300), 0.5, 2.3, 37.9, 1e3, 1e9, np.inf]:
            assert t_value(conf, df) == float(sps.t.ppf(0.5 + conf / 2, df)), (conf, df)
    assert np.isnan(t_value(0.95, 0)) and np.isnan(t_value(0.95, np.nan))
