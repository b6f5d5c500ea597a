"""Two independent groups: an ordinal score (Mann-Whitney U) and a proportion (chi-square or Fisher).

The public tests return a finished gap table of one row; the ``*_row``
functions return the row itself, so that :func:`~clem_lib.stats.gaps.gap_report`,
:func:`~clem_lib.stats.rounds.compare_rounds` and
:func:`~clem_lib.stats.units.unit_vs_rest` adjust and read many rows at once.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..defaults import CONF_LEVEL, MIN_N
from ..intervals import mean_interval, welch_interval, z_value
from .effects import cliffs_delta, cohens_h, fisher_odds_ratio
from .intervals import newcombe_ci, wilson_ci
from .multitest import finish
from .rows import (NOT_ENOUGH, event_values, float_values, gap_row, label_value, need_columns, score_metric,
                   side_values)

__all__ = [
    "DEFAULT_PROPORTIONS", "compare_scores", "compare_proportions", "score_row", "scores_gap_row",
    "proportion_row", "proportions_gap_row",
]

DEFAULT_PROPORTIONS: tuple[tuple[str, str, object], ...] = (
    ("pct_satisfied", "overall_satisfaction", lambda s: s >= 3),
    ("pct_not_friendly", "facility_friendly", False),
    ("pct_paid_extra", "paid_extra", True),
)
"""Indicators compared between groups and rounds: (metric, column, event)."""

_SCORES_METHOD = ("Mann-Whitney U (normal approximation, tie and continuity corrected); "
                  "gap = difference in means, Welch interval; Cliff's delta, Cliff interval")


def _sides(df: pd.DataFrame, by: str, group1, group2) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the two sides; ``group2=None`` is every other non-missing value."""
    m1 = side_values(df, by, group1)
    m2 = side_values(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    return m1, m2


def score_row(x: np.ndarray, y: np.ndarray, *, min_n: int = MIN_N, conf_level: float = CONF_LEVEL,
              **meta) -> dict:
    """The gap row of two samples of scores (NaN dropped): Mann-Whitney U, Welch interval, Cliff's delta.

    ``meta`` fills the naming columns (``family``, ``metric``, ``group1`` ...).

    >>> r = score_row(np.array([3., 4, 4, 3, 4, 2]), np.array([2., 3, 2, 1, 2, 3]), metric="nrr:waktu")
    >>> r["n1"], round(r["gap"], 3), round(r["p_value"], 4), round(r["effect_size"], 3)
    (6, 1.167, 0.0447, 0.694)
    """
    x = x[~np.isnan(x)]
    y = y[~np.isnan(y)]
    n1, n2 = len(x), len(y)
    (c1l, c1h), (c2l, c2h) = mean_interval(x, conf_level), mean_interval(y, conf_level)
    row = gap_row(design="two-group", n1=n1, n2=n2,
                  estimate1=float(np.mean(x)) if n1 else np.nan,
                  estimate2=float(np.mean(y)) if n2 else np.nan,
                  ci1_low=c1l, ci1_high=c1h, ci2_low=c2l, ci2_high=c2h,
                  effect_name="Cliff's delta", method=_SCORES_METHOD, **meta)
    if n1 < max(min_n, 2) or n2 < max(min_n, 2):
        row["status"] = NOT_ENOUGH
        if n1 and n2:
            row["gap"] = row["estimate1"] - row["estimate2"]
        return row
    row["gap"] = float(np.mean(x) - np.mean(y))
    row["ci_low"], row["ci_high"] = welch_interval(x, y, conf_level)
    if np.ptp(np.concatenate([x, y])) == 0:
        row.update(statistic=n1 * n2 / 2, p_value=1.0, effect_size=0.0,
                   effect_ci_low=np.nan, effect_ci_high=np.nan)
        return row
    res = sps.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="asymptotic")
    delta, lo, hi = cliffs_delta(x, y, conf_level=conf_level)
    row.update(statistic=float(res.statistic), p_value=float(res.pvalue),
               effect_size=delta, effect_ci_low=lo, effect_ci_high=hi)
    return row


def compare_scores(df: pd.DataFrame, column: str, *, by: str, group1, group2=None,
                   metric: str | None = None, family: str | None = None, unit: str = "",
                   gap_unit: str = "points", min_n: int = MIN_N,
                   conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Compare an ordinal or numeric score between two independent groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Score column, e.g. ``"unsur_sarana"``.
    by : str
        Column that defines the groups, e.g. ``"special_group"``.
    group1, group2 : scalar or list
        Values of ``by`` for each side; ``group2=None`` means every other
        (non-missing) value ("the rest").
    metric : str, optional
        Metric name in the output (default ``"nrr:<key>"`` for ``unsur_<key>``,
        else ``"mean:<column>"``).
    family : str, optional
        Multiplicity family written to the ``family`` column.
    unit : str
        Service unit the comparison is made in (written to ``unit``).
    gap_unit : str
        Unit of the gap for the reading (``"points"``, ``"rupiah"``).
    min_n : int
        Fewest answers per side to run the test (default 5); below it the row
        has status ``"not enough data"`` and no p-value.
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row with ``GAP_COLUMNS``: ``estimate1/2`` are the mean scores
        (``ci1_*``/``ci2_*`` their t intervals),
        ``gap = estimate1 - estimate2``, ``ci_low/ci_high`` its Welch interval,
        ``statistic`` the Mann-Whitney U of group 1 (R's ``W``), ``p_value``
        two-sided, ``effect_size`` Cliff's delta with Cliff's interval.

    Notes
    -----
    U is referred to the normal distribution with the tie-corrected variance
    ``n1 n2 / 12 * ((N+1) - sum(t^3 - t) / (N (N-1)))`` and a continuity
    correction of 1/2, as R's ``wilcox.test(x, y, correct = TRUE, exact = FALSE)``.

    References
    ----------
    Mann, H. B. & Whitney, D. R. (1947). Ann. Math. Statist. 18, 50-60.
    Welch, B. L. (1947). Biometrika 34, 28-35. Cliff, N. (1993), see :func:`cliffs_delta`.

    Examples
    --------
    >>> d = pd.DataFrame({"g": ["a"] * 6 + ["b"] * 6,
    ...                   "unsur_sarana": [3, 4, 4, 3, 4, 2, 2, 3, 2, 1, 2, 3]})
    >>> r = compare_scores(d, "unsur_sarana", by="g", group1="a", group2="b").iloc[0]
    >>> r.metric, r[["gap", "p_value", "effect_size"]].astype(float).round(3).tolist()
    ('nrr:sarana', [1.167, 0.045, 0.694])
    """
    row = scores_gap_row(df, column, by=by, group1=group1, group2=group2, metric=metric, family=family,
                         unit=unit, gap_unit=gap_unit, min_n=min_n, conf_level=conf_level)
    return finish([row], adjust=False)


def scores_gap_row(df, column, *, by, group1, group2=None, metric=None, family=None, unit="",
                   gap_unit="points", min_n=MIN_N, conf_level=CONF_LEVEL) -> dict:
    """The row of :func:`compare_scores` (before its p is adjusted and read).

    >>> d = pd.DataFrame({"g": ["a"] * 6 + ["b"] * 6,
    ...                   "unsur_sarana": [3, 4, 4, 3, 4, 2, 2, 3, 2, 1, 2, 3]})
    >>> r = scores_gap_row(d, "unsur_sarana", by="g", group1="a")
    >>> r["family"], r["group2"], round(r["gap"], 2)
    ('g: nrr:sarana', 'rest', 1.17)
    """
    need_columns(df, [column, by], "compare_scores")
    m1, m2 = _sides(df, by, group1, group2)
    v = float_values(df[column])
    if metric is None:
        metric = score_metric(column)
    return score_row(v[m1], v[m2], min_n=min_n, conf_level=conf_level,
                     family=family or f"{by}: {metric}", unit=unit, comparison=by, metric=metric,
                     group1=label_value(group1), group2="rest" if group2 is None else label_value(group2),
                     gap_unit=gap_unit)


def _two_by_two(x1: int, n1: int, x2: int, n2: int, conf_level: float) -> tuple[float, float, str, dict]:
    """Statistic, p, test name and Fisher odds ratio of a 2x2 table (Cochran's rule picks the test)."""
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    col = table.sum(axis=0)
    expected = np.outer(table.sum(axis=1), col) / table.sum()
    if col.min() == 0:
        return 0.0, 1.0, "no test (every answer is the same)", {}
    if expected.min() < 5:
        res = sps.fisher_exact(table.astype(int), alternative="two-sided")
        orr, or_lo, or_hi = fisher_odds_ratio(table.astype(int), conf_level=conf_level)
        test = ("Fisher's exact test (an expected count < 5); conditional maximum-likelihood odds ratio "
                "with exact interval")
        return orr, float(res.pvalue), test, {"odds_ratio": orr, "or_ci_low": or_lo, "or_ci_high": or_hi}
    res = sps.chi2_contingency(table, correction=False)
    return float(res.statistic), float(res.pvalue), "Pearson chi-square test without continuity correction", {}


def proportion_row(a: np.ndarray, b: np.ndarray, *, min_n: int = MIN_N, conf_level: float = CONF_LEVEL,
                   **meta) -> dict:
    """The gap row of two samples of 0/1 answers (NaN dropped): chi-square or Fisher, Newcombe, Cohen's h.

    >>> r = proportion_row(np.array([1.] * 30 + [0.] * 10), np.array([1.] * 20 + [0.] * 20))
    >>> round(r["gap"], 1), round(r["p_value"], 4), r["method"].split(";")[0]
    (25.0, 0.0209, 'Pearson chi-square test without continuity correction')
    """
    a = a[~np.isnan(a)]
    b = b[~np.isnan(b)]
    n1, n2 = len(a), len(b)
    x1, x2 = int(a.sum()), int(b.sum())
    (c1l, c1h) = wilson_ci(x1, n1, conf_level=conf_level)
    (c2l, c2h) = wilson_ci(x2, n2, conf_level=conf_level)
    row = gap_row(design="two-group", n1=n1, n2=n2, gap_unit="percentage points",
                  ci1_low=100 * c1l, ci1_high=100 * c1h, ci2_low=100 * c2l, ci2_high=100 * c2h,
                  estimate1=100 * x1 / n1 if n1 else np.nan, estimate2=100 * x2 / n2 if n2 else np.nan,
                  effect_name="Cohen's h", **meta)
    if n1 < max(min_n, 1) or n2 < max(min_n, 1):
        row["status"] = NOT_ENOUGH
        row["method"] = "risk difference"
        if n1 and n2:
            row["gap"] = row["estimate1"] - row["estimate2"]
        return row
    p1, p2 = x1 / n1, x2 / n2
    lo, hi = newcombe_ci(x1, n1, x2, n2, conf_level=conf_level)
    stat, p, test, odds = _two_by_two(x1, n1, x2, n2, conf_level)
    h = cohens_h(p1, p2)
    z = z_value(conf_level)
    se_h = math.sqrt(1 / n1 + 1 / n2)
    row.update(gap=100 * (p1 - p2), ci_low=100 * lo, ci_high=100 * hi, statistic=stat, p_value=p,
               effect_size=h, effect_ci_low=h - z * se_h, effect_ci_high=h + z * se_h,
               method=f"{test}; risk difference, Newcombe hybrid score interval; Cohen's h", **odds)
    return row


def compare_proportions(df: pd.DataFrame, column: str, *, by: str, group1, group2=None,
                        event=True, metric: str | None = None, family: str | None = None,
                        unit: str = "", min_n: int = MIN_N, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Compare the share of an answer between two independent groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Indicator column, e.g. ``"paid_extra"`` or ``"facility_friendly"``.
    by, group1, group2 : see :func:`compare_scores`.
    event : scalar or callable
        The answer counted (default ``True``); ``event=False`` on
        ``facility_friendly`` counts "not friendly". A callable receives the
        column and returns booleans (e.g. ``lambda s: s >= 3`` for "satisfied").
    metric, family, unit, min_n, conf_level : see :func:`compare_scores`.

    Returns
    -------
    DataFrame
        One row (``GAP_COLUMNS``): ``estimate1/2`` in percent (``ci1_*``/``ci2_*``
        their Wilson intervals), ``gap`` in
        percentage points with Newcombe's interval, ``statistic`` the chi-square
        (or, under Fisher, the conditional maximum-likelihood odds ratio, which is also
        in ``odds_ratio`` with its exact interval ``or_ci_low``, ``or_ci_high``, as R
        ``fisher.test``; see :func:`fisher_odds_ratio`), ``effect_size`` Cohen's h with
        the interval ``h +/- z sqrt(1/n1 + 1/n2)``.

    Notes
    -----
    Test rule (Cochran): Pearson's chi-square without continuity correction
    (R ``chisq.test(tab, correct = FALSE)``, equal to ``prop.test(correct = FALSE)``)
    when every expected count of the 2x2 table is at least 5, otherwise
    Fisher's exact test (R ``fisher.test``, two-sided). Cohen's
    ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``.

    References
    ----------
    Newcombe (1998), see :func:`newcombe_ci`. Cochran, W. G. (1954). Some
    methods for strengthening the common chi-square tests. Biometrics 10, 417-451.
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, ch. 6.

    Examples
    --------
    >>> d = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 40, "paid_extra": [True] * 30 + [False] * 10
    ...                   + [True] * 20 + [False] * 20})
    >>> r = compare_proportions(d, "paid_extra", by="g", group1="a", group2="b").iloc[0]
    >>> r[["estimate1", "estimate2", "gap", "p_value"]].astype(float).round(4).tolist()
    [75.0, 50.0, 25.0, 0.0209]
    """
    row = proportions_gap_row(df, column, by=by, group1=group1, group2=group2, event=event, metric=metric,
                              family=family, unit=unit, min_n=min_n, conf_level=conf_level)
    return finish([row], adjust=False)


def proportions_gap_row(df, column, *, by, group1, group2=None, event=True, metric=None, family=None,
                        unit="", min_n=MIN_N, conf_level=CONF_LEVEL) -> dict:
    """The row of :func:`compare_proportions` (before its p is adjusted and read).

    >>> d = pd.DataFrame({"g": ["a", "a", "b", "b"], "paid_extra": [True, False, False, False]})
    >>> r = proportions_gap_row(d, "paid_extra", by="g", group1="a", min_n=2)
    >>> r["metric"], r["gap"], r["status"]
    ('pct:paid_extra', 50.0, 'ok')
    """
    need_columns(df, [column, by], "compare_proportions")
    m1, m2 = _sides(df, by, group1, group2)
    ev = event_values(df[column], event)
    if metric is None:
        metric = f"pct:{column}"
    return proportion_row(ev[m1], ev[m2], min_n=min_n, conf_level=conf_level,
                          family=family or f"{by}: {metric}", unit=unit, comparison=by, metric=metric,
                          group1=label_value(group1), group2="rest" if group2 is None else label_value(group2))
