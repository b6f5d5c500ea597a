"""Against a target: is the IKM above a grade threshold, is a share above a goal? One-sided."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from .. import scoring
from ..defaults import CONF_LEVEL, DEFAULT_SEED, MIN_N
from ..intervals import z_value
from .effects import cohens_h
from .ikm_tests import ikm_arrays, ikm_from_counts, resample_counts
from .intervals import wilson_ci
from .multitest import finish
from .rows import NOT_ENOUGH, event_values, gap_row, need_columns

__all__ = ["GRADE_B_2017", "ikm_vs_target", "proportion_vs_target"]

GRADE_B_2017 = 76.61
"""Lowest IKM of grade B (*Baik*) under Permenpan RB 14/2017."""


def ikm_vs_target(df: pd.DataFrame, *, target: float = GRADE_B_2017, scheme="permenpan14_2017",
                  weights="exact", unit: str = "", min_n: int = MIN_N, n_boot: int = 2000,
                  seed: int = DEFAULT_SEED, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Is the IKM above a target (by default the grade-B threshold 76.61)? One-sided.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (one unit's slice).
    target : float
        Threshold on the 25..100 scale (``GRADE_B_2017`` = 76.61; 88.31 for A).
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    unit : str
        Written to the output.
    min_n : int
        Fewest respondents (with every unsur answered by someone).
    n_boot, seed : int
        Bootstrap resamples of respondents and seed.
    conf_level : float
        One-sided confidence level (0.95: the 5th percentile is the lower bound).

    Returns
    -------
    DataFrame
        One row (design ``"target"``): ``estimate1`` the IKM, ``estimate2`` the
        target, ``gap = IKM - target`` with the one-sided interval
        ``[ci_low, inf)`` (``ci_high`` is ``inf``), ``statistic`` the gap over its
        bootstrap standard error, ``p_value`` the one-sided bootstrap p
        ``(1 + #{IKM* <= target}) / (n_boot + 1)``; no effect size.

    Notes
    -----
    The IKM is "above the target" at level ``1 - conf_level`` exactly when the
    lower percentile bound exceeds the target.

    References
    ----------
    Permenpan RB No. 14/2017 (grade bands). Efron & Tibshirani (1993), ch. 13 and 16.

    Examples
    --------
    >>> cols = scoring.get_scheme("permenpan14_2017").columns
    >>> d = pd.DataFrame({c: [3 + (i * (j + 1)) % 2 for i in range(30)] for j, c in enumerate(cols)})
    >>> r = ikm_vs_target(d, n_boot=500).iloc[0]
    >>> r[["estimate1", "estimate2", "gap", "ci_high"]].astype(float).round(2).tolist()
    [81.94, 76.61, 5.33, inf]
    >>> print(r.reading_en)
    The IKM of 81.94 is above the target of 76.61 (one-sided 95% lower bound: ...; p = 0.002).
    """
    w, xv, a = ikm_arrays(df, scheme, weights)
    rows = np.flatnonzero(a.sum(axis=1) > 0)
    n = len(rows)
    est = scoring.ikm_point(df.iloc[rows], scheme=scheme, weights=weights) if n else np.nan
    row = gap_row(design="target", family=f"{unit or 'all'}: IKM vs target", unit=unit, comparison="target",
                  metric="ikm", group1="ikm", group2=f"target {target:g}", n1=n, n2=pd.NA, estimate1=est,
                  estimate2=float(target), gap_unit="points", effect_name="",
                  method=f"IKM (Permenpan RB 14/2017); one-sided percentile bootstrap bound and p "
                         f"({n_boot} resamples)")
    if n < max(min_n, 2) or not np.all(a[rows].sum(axis=0) > 0):
        row["status"] = NOT_ENOUGH
        return finish([row], adjust=False)
    rng = np.random.default_rng(seed)
    boot = ikm_from_counts(resample_counts(rng, n, n_boot), xv[rows], a[rows], w)
    boot = boot[np.isfinite(boot)]
    lo = float(np.quantile(boot, 1 - conf_level))
    row["ci1_low"], row["ci1_high"] = np.quantile(boot, [(1 - conf_level) / 2, (1 + conf_level) / 2])
    se = float(np.std(boot, ddof=1))
    p = (1 + np.sum(boot <= target)) / (1 + len(boot))
    row.update(gap=est - target, ci_low=lo - target, ci_high=np.inf,
               statistic=(est - target) / se if se > 0 else np.nan, p_value=float(p))
    return finish([row], adjust=False)


def proportion_vs_target(df: pd.DataFrame, column: str, *, target: float, event=True,
                         metric: str | None = None, unit: str = "", min_n: int = MIN_N,
                         conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Is a proportion above a target? Exact binomial test, one-sided, Wilson bound.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Indicator column.
    target : float
        Target share on the 0..1 scale (e.g. ``0.8`` for 80 %).
    event : see :func:`~clem_lib.stats.compare_proportions`.
    metric, unit : str
        Written to the output (metric default ``"pct:<column>"``).
    min_n : int
        Fewest answers.
    conf_level : float
        One-sided level of the lower bound.

    Returns
    -------
    DataFrame
        One row (design ``"target"``): ``estimate1`` the share in percent,
        ``estimate2`` the target in percent, ``gap`` in percentage points with
        the one-sided Wilson lower bound (``ci_high = inf``), ``statistic`` the
        number of events, ``p_value`` the exact binomial
        ``P(X >= x | n, target)`` (R ``binom.test(x, n, p = target,
        alternative = "greater")``), ``effect_size`` Cohen's h against the target.

    References
    ----------
    Clopper-Pearson exact test; Wilson (1927); Cohen (1988), ch. 6.

    Examples
    --------
    >>> d = pd.DataFrame({"facility_friendly": [False] * 34 + [True] * 16})
    >>> r = proportion_vs_target(d, "facility_friendly", target=0.5, event=False,
    ...                          metric="pct_not_friendly").iloc[0]
    >>> r[["estimate1", "gap", "p_value"]].astype(float).round(4).tolist()
    [68.0, 18.0, 0.0077]
    >>> print(r.reading_en)
    The share of users who find the facilities unfriendly to special groups of 68% is above the target of 50% (one-sided 95% lower bound: 56%; p = 0.008).
    """
    need_columns(df, [column], "proportion_vs_target")
    if not (0 < target < 1):
        raise ValueError(f"target must be a share between 0 and 1 (e.g. 0.8 for 80 %), not {target!r}")
    ev = event_values(df[column], event)
    ev = ev[~np.isnan(ev)]
    n, x = len(ev), int(ev.sum())
    metric = metric or f"pct:{column}"
    row = gap_row(design="target", family=f"{unit or 'all'}: {metric} vs target", unit=unit,
                  comparison="target", metric=metric, group1=metric, group2=f"target {100 * target:g}%",
                  n1=n, n2=pd.NA, estimate1=100 * x / n if n else np.nan, estimate2=100 * target,
                  gap_unit="percentage points", effect_name="Cohen's h",
                  method="exact binomial test, one-sided (greater); one-sided Wilson lower bound; Cohen's h")
    if n < max(min_n, 1):
        row["status"] = NOT_ENOUGH
        return finish([row], adjust=False)
    lo, _ = wilson_ci(x, n, conf_level=1 - 2 * (1 - conf_level))
    c1l, c1h = wilson_ci(x, n, conf_level=conf_level)
    row.update(ci1_low=100 * c1l, ci1_high=100 * c1h)
    res = sps.binomtest(x, n, target, alternative="greater")
    h = cohens_h(x / n, target)
    z = z_value(conf_level)
    row.update(gap=100 * (x / n - target), ci_low=100 * (lo - target), ci_high=np.inf, statistic=x,
               p_value=float(res.pvalue), effect_size=h, effect_ci_low=h - z / math.sqrt(n),
               effect_ci_high=h + z / math.sqrt(n))
    return finish([row], adjust=False)
