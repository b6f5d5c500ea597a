"""Paired answers: experience (unsur, X) against expectation (harapan, Y) per unsur, the IPA gap tested.

Wilcoxon signed-rank test, the mean gap with its paired t interval, and the
matched-pairs rank-biserial with a bootstrap interval.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from .. import scoring
from ..defaults import CONF_LEVEL, DEFAULT_SEED, MIN_N
from ..intervals import mean_interval, t_value
from .multitest import finish
from .rows import NOT_ENOUGH, float_values, gap_row, need_columns

__all__ = ["paired_gap", "paired_row", "signed_rank_r"]


def signed_rank_r(d: np.ndarray) -> np.ndarray:
    """Matched-pairs rank-biserial ``(R+ - R-) / (R+ + R-)`` of each row of differences ``d`` (zeros dropped).

    >>> signed_rank_r(np.array([1., 2, -1, 0, 3])).round(3).tolist()
    [0.7]
    """
    d = np.atleast_2d(d)
    absd = np.abs(d)
    ranks = sps.rankdata(absd, axis=1)
    nz = (d == 0).sum(axis=1, keepdims=True)
    ranks = ranks - nz  # zeros are the smallest |d|: removing them shifts the other ranks
    rp = np.where(d > 0, ranks, 0).sum(axis=1)
    rm = np.where(d < 0, ranks, 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rp - rm) / (rp + rm)


def _wilcoxon_p(x: np.ndarray, y: np.ndarray) -> float:
    """Two-sided p of Wilcoxon's signed-rank test, normal approximation with continuity correction."""
    try:
        res = sps.wilcoxon(x, y, zero_method="wilcox", correction=True, alternative="two-sided",
                           method="asymptotic")
    except ValueError:  # scipy < 1.13 calls the normal approximation "approx"
        res = sps.wilcoxon(x, y, zero_method="wilcox", correction=True, alternative="two-sided",
                           method="approx")
    return float(res.pvalue)


def paired_row(x: np.ndarray, y: np.ndarray, *, rng, n_boot: int = 2000, min_n: int = MIN_N,
               conf_level: float = CONF_LEVEL, **meta) -> dict:
    """Paired gap row (experience x, expectation y); incomplete pairs dropped.

    >>> x, y = np.array([3., 2, 3, 2, 4, 2, 3, 2]), np.array([4., 4, 4, 3, 4, 4, 3, 4])
    >>> r = paired_row(x, y, rng=np.random.default_rng(1), n_boot=200, metric="nrr:waktu")
    >>> r["n1"], r["gap"], r["statistic"], round(r["p_value"], 4), r["effect_size"]
    (8, -1.125, 0.0, 0.032, -1.0)
    """
    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[ok], y[ok]
    d = x - y
    n = len(d)
    nz = int(np.sum(d != 0))
    (c1l, c1h), (c2l, c2h) = mean_interval(x, conf_level), mean_interval(y, conf_level)
    row = gap_row(design="paired", comparison="expectation", group1="experience", group2="expectation",
                  n1=n, n2=n, estimate1=float(x.mean()) if n else np.nan,
                  estimate2=float(y.mean()) if n else np.nan, gap_unit="points",
                  ci1_low=c1l, ci1_high=c1h, ci2_low=c2l, ci2_high=c2h,
                  effect_name="matched-pairs rank-biserial",
                  method="Wilcoxon signed-rank (zeros dropped, tie-corrected normal approximation with "
                         "continuity correction); gap = mean of X - Y, paired t interval; "
                         f"matched-pairs rank-biserial, percentile bootstrap interval ({n_boot} resamples)",
                  **meta)
    if nz < max(min_n, 1) and not (n >= max(min_n, 2) and nz == 0):
        row["status"] = NOT_ENOUGH
        if n:
            row["gap"] = float(d.mean())
        return row
    gap = float(d.mean())
    sd = float(np.std(d, ddof=1))
    t = t_value(conf_level, n - 1)
    row.update(gap=gap, ci_low=gap - t * sd / math.sqrt(n), ci_high=gap + t * sd / math.sqrt(n))
    if nz == 0:  # every pair equal: no evidence of a gap
        row.update(statistic=0.0, p_value=1.0, effect_size=0.0)
        return row
    p = _wilcoxon_p(x, y)
    dn = d[d != 0]
    ranks = sps.rankdata(np.abs(dn))
    v = float(ranks[dn > 0].sum())
    r = float(signed_rank_r(d)[0])
    idx = rng.integers(0, n, size=(n_boot, n))
    rb = signed_rank_r(d[idx])
    rb = rb[np.isfinite(rb)]
    alpha = 1 - conf_level
    lo, hi = (np.quantile(rb, [alpha / 2, 1 - alpha / 2]) if len(rb) else (np.nan, np.nan))
    row.update(statistic=v, p_value=p, effect_size=r, effect_ci_low=float(lo), effect_ci_high=float(hi))
    return row


def paired_gap(df: pd.DataFrame, *, scheme="permenpan14_2017", unsur: Sequence[str] | None = None,
               experience: str = "unsur_{key}", expectation: str = "harapan_{key}",
               unit: str = "", family: str | None = None, method: str = "holm", min_n: int = MIN_N,
               n_boot: int = 2000, seed: int = DEFAULT_SEED, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Experience (X) against expectation (Y) per unsur: the IPA gap, paired.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` (X) and ``harapan_<key>`` (Y).
    scheme : str, mapping or Scheme
        Which unsur (see :func:`clem_lib.scoring.get_scheme`).
    unsur : sequence of str, optional
        Subset of unsur keys (default: every unsur of the scheme).
    experience, expectation : str
        Column patterns with ``{key}``.
    unit, family : str
        Written to the output; ``family`` default ``"<unit>: expectation vs experience"``.
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment across the unsur.
    min_n : int
        Fewest complete pairs with a non-zero difference to run the test.
    n_boot, seed : int
        Bootstrap resamples of pairs and seed for the interval of the effect size.
    conf_level : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per unsur (``GAP_COLUMNS``, design ``"paired"``): ``n1 = n2`` the
        complete pairs, ``estimate1`` mean X, ``estimate2`` mean Y, ``gap`` mean of
        X - Y with the paired t interval, ``statistic`` R's V (sum of the ranks of
        the positive differences), two-sided ``p_value``, ``effect_size`` the
        matched-pairs rank-biserial ``(R+ - R-)/(R+ + R-)`` with a percentile
        bootstrap interval.

    Notes
    -----
    Wilcoxon signed-rank test, normal approximation with tie-corrected variance
    and continuity correction; zero differences are dropped before ranking
    (Wilcoxon's method), as R ``wilcox.test(x, y, paired = TRUE, correct = TRUE,
    exact = FALSE)``. The mean gap and its interval use every complete pair,
    zeros included. The conformity level of IPA is ``TK = 100 x estimate1 / estimate2``.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics
    Bulletin 1, 80-83. Kerby, D. S. (2014). The simple difference formula: an
    approach to teaching nonparametric correlation. Comprehensive Psychology 3, 1.
    Martilla, J. A. & James, J. C. (1977). Importance-performance analysis.
    Journal of Marketing 41, 77-79.

    Examples
    --------
    >>> d = pd.DataFrame({"unsur_waktu": [3, 2, 3, 2, 4, 2, 3, 2], "harapan_waktu": [4, 4, 4, 3, 4, 4, 3, 4]})
    >>> r = paired_gap(d, unsur=["waktu"], n_boot=200).iloc[0]
    >>> r.metric, r[["gap", "p_value"]].astype(float).round(4).tolist()
    ('nrr:waktu', [-1.125, 0.032])
    >>> print(r.reading_id)
    Untuk unsur waktu penyelesaian, kinerja 1,13 poin di bawah harapan (IK 95% tanpa koreksi: 0,43–1,82; p terkoreksi = 0,032).
    """
    s = scoring.get_scheme(scheme)
    keys = list(unsur) if unsur is not None else list(s.unsur)
    cols = [experience.format(key=k) for k in keys] + [expectation.format(key=k) for k in keys]
    need_columns(df, cols, "paired_gap")
    family = family or (f"{unit}: expectation vs experience" if unit else "expectation vs experience")
    rng = np.random.default_rng(seed)
    rows = []
    for k in keys:
        x = float_values(df[experience.format(key=k)])
        y = float_values(df[expectation.format(key=k)])
        rows.append(paired_row(x, y, rng=rng, n_boot=n_boot, min_n=min_n, conf_level=conf_level,
                               family=family, unit=unit, metric=f"nrr:{k}"))
    return finish(rows, adjust=True, method=method)
