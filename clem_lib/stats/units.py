"""k units: Kruskal-Wallis across the units of a sector, Dunn's pairs, each unit against the rest.

The omnibus row carries epsilon squared with a bootstrap interval, drawn as
multinomial counts per unit (:func:`kruskal_from_counts`); Dunn's pairs rank
every kept unit together; :func:`unit_vs_rest` compares each unit with the
pooled others by the two-group tests.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..defaults import CONF_LEVEL, DEFAULT_SEED, MIN_N
from .effects import epsilon_squared
from .ikm_tests import ikm_vs_rest_rows
from .multitest import adjust_within_family, finish
from .rows import NOT_ENOUGH, OK, float_values, gap_frame, gap_row, label_value, need_columns, score_metric, side_values
from .twogroup import proportions_gap_row, score_row, scores_gap_row

__all__ = ["dunn_test", "compare_units", "unit_vs_rest", "dunn_pairs", "kruskal_from_counts"]

_DUNN_METHOD = ("Dunn's z test (tie-corrected, all kept groups ranked together); "
                "gap = difference in means, Welch interval; Cliff's delta, Cliff interval")


def _dunn_core(samples: Sequence[np.ndarray]) -> tuple[np.ndarray, float]:
    """Mean pooled mid-rank of each sample and the tie-corrected rank variance ``S^2``."""
    allv = np.concatenate(samples)
    ranks = sps.rankdata(allv)
    n_tot = len(allv)
    _, t = np.unique(allv, return_counts=True)
    s2 = n_tot * (n_tot + 1) / 12 - np.sum(t ** 3 - t) / (12 * (n_tot - 1))
    bounds = np.cumsum([0] + [len(x) for x in samples])
    return np.array([ranks[bounds[i]:bounds[i + 1]].mean() for i in range(len(samples))]), float(s2)


def dunn_pairs(samples: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Dunn's z and two-sided p for every pair i < j of the samples (in that order).

    >>> z, p = dunn_pairs([np.array([1., 2, 2, 3]), np.array([3., 4, 4, 4]), np.array([2., 3, 3, 4])])
    >>> z.round(3).tolist(), p.round(3).tolist()
    ([-2.51, -1.332, 1.178], [0.012, 0.183, 0.239])
    """
    mr, s2 = _dunn_core(samples)
    zs, ps = [], []
    for i in range(len(samples)):
        for j in range(i + 1, len(samples)):
            if s2 > 0:
                z = (mr[i] - mr[j]) / math.sqrt(s2 * (1 / len(samples[i]) + 1 / len(samples[j])))
            else:
                z = 0.0
            zs.append(z)
            ps.append(2 * sps.norm.sf(abs(z)))
    return np.array(zs), np.array(ps)


def _groups(data: pd.DataFrame, column: str, by: str, groups, min_n: int):
    """The answers of each group (missing dropped) and the groups with enough of them to rank."""
    v = float_values(data[column])
    values = {k: v[side_values(data, by, k)] for k in groups}
    values = {k: x[~np.isnan(x)] for k, x in values.items()}
    return values, [k for k in groups if len(values[k]) >= max(min_n, 2)]


def dunn_test(df: pd.DataFrame, column: str, *, by: str = "unit", groups: Sequence | None = None,
              metric: str | None = None, family: str | None = None, method: str = "holm",
              min_n: int = MIN_N, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Dunn's pairwise z tests after Kruskal-Wallis, tie-corrected, p adjusted within the family.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Score column (e.g. ``"unsur_waktu"``).
    by : str
        Group column (default ``"unit"``).
    groups : sequence, optional
        Groups to compare, in this order (default: every value of ``by``, sorted).
        Groups with fewer than ``min_n`` answers are not ranked; their pairs get
        status ``"not enough data"``.
    metric, family : str, optional
        Names written to the output (default ``"nrr:<key>"`` and ``"Dunn: <metric>"``).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment over all pairs (see :func:`~clem_lib.stats.adjust_pvalues`).
    min_n, conf_level : see :func:`~clem_lib.stats.compare_scores`.

    Returns
    -------
    DataFrame
        One row per pair (``GAP_COLUMNS``, design ``"k-group pair"``): mean scores,
        gap in means with its Welch interval, ``statistic`` Dunn's z (positive when
        group 1 has the higher mean rank), two-sided ``p_value``, ``p_adjusted``,
        Cliff's delta of the pair with its interval.

    Notes
    -----
    All kept groups are ranked together (mid-ranks for ties);
    ``z_ij = (Rbar_i - Rbar_j) / sqrt((N(N+1)/12 - sum(t^3 - t)/(12(N-1))) (1/n_i + 1/n_j))``,
    ``p = 2 (1 - Phi(|z|))``.

    References
    ----------
    Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics 6,
    241-252.

    Examples
    --------
    >>> d = pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6 + ["C"] * 6,
    ...                   "unsur_waktu": [1, 2, 2, 3, 2, 1, 3, 4, 4, 4, 3, 4, 2, 3, 3, 4, 2, 3]})
    >>> t = dunn_test(d, "unsur_waktu")
    >>> t[["group1", "group2"]].agg(" vs ".join, axis=1).tolist(), t.p_adjusted.round(3).tolist()
    (['A vs B', 'A vs C', 'B vs C'], [0.004, 0.205, 0.205])
    """
    need_columns(df, [column, by], "dunn_test")
    if metric is None:
        metric = score_metric(column)
    family = family or f"Dunn: {metric}"
    if groups is None:
        groups = sorted(pd.unique(df[by].dropna()).tolist(), key=str)
    values, kept = _groups(df, column, by, groups, min_n)
    rows = []
    if len(kept) >= 2:
        mean_rank, s2 = _dunn_core([values[k] for k in kept])
        mean_rank = dict(zip(kept, mean_rank))
    for i, k1 in enumerate(groups):
        for k2 in groups[i + 1:]:
            row = score_row(values[k1], values[k2], min_n=min_n, conf_level=conf_level, family=family,
                            comparison=by, metric=metric, group1=label_value(k1), group2=label_value(k2),
                            gap_unit="points")
            row.update(design="k-group pair", method=_DUNN_METHOD)
            if k1 in kept and k2 in kept:
                n1, n2 = len(values[k1]), len(values[k2])
                if s2 > 0:
                    z = (mean_rank[k1] - mean_rank[k2]) / math.sqrt(s2 * (1 / n1 + 1 / n2))
                    p = 2 * sps.norm.sf(abs(z))
                else:
                    z, p = 0.0, 1.0
                row.update(statistic=float(z), p_value=float(p), status=OK)
            else:
                row.update(statistic=np.nan, p_value=np.nan, status=NOT_ENOUGH)
            rows.append(row)
    return finish(rows, adjust=True, method=method)


def kruskal_from_counts(counts: np.ndarray) -> np.ndarray:
    """Tie-corrected Kruskal-Wallis H from count tables (..., k groups, L ordered values).

    >>> from scipy.stats import kruskal
    >>> a, b = [1, 2, 2, 3], [3, 4, 4, 4]
    >>> h = kruskal_from_counts(np.array([[1., 2, 1, 0], [0, 0, 1, 3]]))
    >>> round(float(h), 6) == round(float(kruskal(a, b).statistic), 6)
    True
    """
    n_g = counts.sum(axis=-1)
    tot = counts.sum(axis=-2)
    n = tot.sum(axis=-1)
    midrank = np.cumsum(tot, axis=-1) - tot + (tot + 1) / 2
    r_g = np.sum(counts * midrank[..., None, :], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = 12 / (n * (n + 1)) * np.sum(r_g ** 2 / n_g, axis=-1) - 3 * (n + 1)
        c = 1 - np.sum(tot ** 3 - tot, axis=-1) / (n ** 3 - n)
        return np.where(c > 0, h / c, 0.0)


def _kruskal(row: dict, samples: list[np.ndarray], *, n_boot: int, seed: int, conf_level: float) -> None:
    """Fill the omnibus row: H, p, epsilon squared with its bootstrap interval (stratified by unit)."""
    allv = np.concatenate(samples)
    n = len(allv)
    if np.ptp(allv) == 0:
        row.update(statistic=0.0, p_value=1.0, effect_size=0.0)
        return
    res = sps.kruskal(*samples)
    eps = epsilon_squared(float(res.statistic), n)
    rng = np.random.default_rng(seed)
    # resampling within a unit only changes how many answers fall on each value, so the
    # bootstrap draws multinomial counts per unit and computes H from the count table
    levels = np.unique(allv)
    props = [np.searchsorted(levels, s_) for s_ in samples]
    props = [np.bincount(ix, minlength=len(levels)) / len(ix) for ix in props]
    counts = np.stack([rng.multinomial(len(s_), pr, size=n_boot) for s_, pr in zip(samples, props)],
                      axis=1).astype(float)
    boots = epsilon_squared(kruskal_from_counts(counts), n)
    alpha = 1 - conf_level
    lo, hi = np.quantile(boots, [alpha / 2, 1 - alpha / 2])
    row.update(statistic=float(res.statistic), p_value=float(res.pvalue), effect_size=eps,
               effect_ci_low=float(lo), effect_ci_high=float(hi))


# long: the numpydoc docstring with its example is two thirds of it; the body is 25 lines
def compare_units(df: pd.DataFrame, column: str, *, unit: str = "unit", sector: str | None = None,
                  sector_column: str = "sector", units: Sequence | None = None,
                  metric: str | None = None, method: str = "holm", min_n: int = MIN_N,
                  n_boot: int = 1000, seed: int = DEFAULT_SEED, conf_level: float = CONF_LEVEL,
                  pairs: bool = True) -> pd.DataFrame:
    """Compare a score across the units of a sector: Kruskal-Wallis, then Dunn's pairwise tests.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Score column, e.g. ``"unsur_waktu"``.
    unit : str
        Unit column (default ``"unit"``).
    sector : str, optional
        Keep only rows of this sector (``sector_column == sector``).
    units : sequence, optional
        Units to compare (default: all units present, sorted).
    metric : str, optional
        Metric name (default ``"nrr:<key>"``).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment of the Dunn pairs.
    min_n : int
        Units with fewer answers are left out of the test (their pairs are
        "not enough data"); fewer than two units left gives "not enough data".
    n_boot, seed : int
        Bootstrap resamples (stratified by unit) and seed for the interval of
        epsilon squared.
    conf_level : float
        Confidence level.
    pairs : bool, default True
        Add Dunn's pairwise tests. ``k`` units make ``k (k - 1) / 2`` pairs
        (4,560 for 96 units), each with its own interval and effect size;
        ``pairs=False`` returns the omnibus row alone.

    Returns
    -------
    DataFrame
        First row: the omnibus test (design ``"k-group"``; ``group1`` lists the
        units, ``n1`` the answers used, ``n2`` the number of units,
        ``statistic`` H, ``effect_size`` epsilon squared with a percentile
        bootstrap interval). Then, with ``pairs``, one row per pair from
        :func:`dunn_test`.

    Notes
    -----
    H is tie-corrected (``scipy.stats.kruskal``, equal to R ``kruskal.test``).
    ``epsilon^2 = H (N + 1) / (N^2 - 1) = H / (N - 1)``.

    References
    ----------
    Kruskal, W. H. & Wallis, W. A. (1952). JASA 47, 583-621. Tomczak, M. &
    Tomczak, E. (2014). The need to report effect size estimates revisited.
    Trends in Sport Sciences 21, 19-25 (epsilon squared). Dunn (1964).

    Examples
    --------
    >>> d = pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6 + ["C"] * 6,
    ...                   "unsur_waktu": [1, 2, 2, 3, 2, 1, 3, 4, 4, 4, 3, 4, 2, 3, 3, 4, 2, 3]})
    >>> t = compare_units(d, "unsur_waktu", n_boot=200)
    >>> t.design.tolist(), t.loc[0, ["statistic", "p_value", "effect_size"]].astype(float).round(4).tolist()
    (['k-group', 'k-group pair', 'k-group pair', 'k-group pair'], [10.1308, 0.0063, 0.5959])
    """
    need_columns(df, [column, unit], "compare_units")
    data = df
    if sector is not None:
        need_columns(df, [sector_column], "compare_units")
        data = df[df[sector_column].eq(sector).fillna(False).to_numpy(dtype=bool)]
    if metric is None:
        metric = score_metric(column)
    if units is None:
        units = sorted(pd.unique(data[unit].dropna()).tolist(), key=str)
    values, kept = _groups(data, column, unit, units, min_n)
    scope = sector or "all sectors"
    row = gap_row(design="k-group", family=f"{scope}: Kruskal-Wallis", comparison=unit, metric=metric,
                  group1="; ".join(map(str, kept)), group2="", gap_unit="points",
                  n1=int(sum(len(values[k]) for k in kept)), n2=len(kept),
                  effect_name="epsilon squared",
                  method=f"Kruskal-Wallis H (tie-corrected, chi-square with k-1 df); epsilon squared, "
                         f"percentile bootstrap interval stratified by unit ({n_boot} resamples)")
    if len(kept) < 2:
        row["status"] = NOT_ENOUGH
    else:
        _kruskal(row, [values[k] for k in kept], n_boot=n_boot, seed=seed, conf_level=conf_level)
    omnibus = finish([row], adjust=False, method=method)
    if not pairs:
        return omnibus
    dunn = dunn_test(data, column, by=unit, groups=list(units), metric=metric,
                     family=f"{scope}: Dunn {metric}", method=method, min_n=min_n,
                     conf_level=conf_level)
    return pd.concat([omnibus, dunn], ignore_index=True)


def unit_vs_rest(df: pd.DataFrame, column: str | None = None, *, kind: str = "score",
                 unit: str = "unit", units: Sequence | None = None, event=True,
                 metric: str | None = None, scheme="permenpan14_2017", weights="exact",
                 method: str = "holm", min_n: int = MIN_N, n_boot: int = 2000, n_perm: int = 2000,
                 seed: int = DEFAULT_SEED, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Compare each unit with the rest of the city (every other unit pooled).

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all units).
    column : str, optional
        Score or indicator column; not needed for ``kind="ikm"``.
    kind : {"score", "proportion", "ikm"}
        Which two-group test: :func:`~clem_lib.stats.compare_scores`,
        :func:`~clem_lib.stats.compare_proportions` or :func:`~clem_lib.stats.compare_ikm`.
    unit, units : see :func:`compare_units`.
    event : see :func:`~clem_lib.stats.compare_proportions`.
    metric, scheme, weights, min_n, n_boot, n_perm, seed, conf_level :
        passed on to the two-group test.
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment over the units (one family per metric).

    Returns
    -------
    DataFrame
        One row per unit (``GAP_COLUMNS``), ``group1`` the unit, ``group2 = "rest"``,
        family ``"unit vs rest: <metric>"``.

    Notes
    -----
    ``kind="ikm"``: the point figures are those of :func:`~clem_lib.stats.compare_ikm`; the
    bootstrap resamples every unit on its own, once for all units (the units
    are the survey's strata; the rest's resample is the sum of the other
    units'), and each permutation is a random subset of the pooled respondents,
    so the cost grows with the respondents, not with units x respondents.

    Examples
    --------
    >>> d = pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6 + ["C"] * 6,
    ...                   "unsur_waktu": [1, 2, 2, 3, 2, 1, 3, 4, 4, 4, 3, 4, 2, 3, 3, 4, 2, 3]})
    >>> t = unit_vs_rest(d, "unsur_waktu")
    >>> t.group1.tolist(), t.gap.round(2).tolist(), t.family[0]
    (['A', 'B', 'C'], [-1.42, 1.33, 0.08], 'unit vs rest: nrr:waktu')
    """
    need_columns(df, [unit], "unit_vs_rest")
    if units is None:
        units = sorted(pd.unique(df[unit].dropna()).tolist(), key=str)
    if kind == "ikm":
        rows = ikm_vs_rest_rows(df, unit=unit, units=units, scheme=scheme, weights=weights, min_n=min_n,
                                n_boot=n_boot, n_perm=n_perm, seed=seed, conf_level=conf_level)
    elif kind in ("score", "proportion"):
        # one frame at the end: the rows' p are adjusted and read once, for all units
        common = dict(by=unit, metric=metric, min_n=min_n, conf_level=conf_level)
        rows = [scores_gap_row(df, column, group1=u, **common) if kind == "score"
                else proportions_gap_row(df, column, group1=u, event=event, **common) for u in units]
    else:
        raise ValueError(f"unknown kind {kind!r}; use 'score', 'proportion' or 'ikm'")
    out = gap_frame(rows)
    out["family"] = "unit vs rest: " + out["metric"]
    return adjust_within_family(out, method=method)
