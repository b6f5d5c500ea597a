"""Intervals of the scoring figures: Wilson for shares, order statistics for medians, the IKM's.

The IKM's interval is the delta method (linearisation) by default and a
bootstrap over respondents on request; both treat the index with item
non-response as what it is, a sum of ratios whose answers are correlated
within a respondent (see :func:`clem_lib.scoring.ikm`).

scipy and statsmodels are imported inside the functions that use them, so
that importing clem stays quick.
"""

from __future__ import annotations

import math
import warnings
import zlib

import numpy as np

from ..intervals import t_value, wilson_interval

__all__ = [
    "wilson_percent",
    "median_interval",
    "ikm_parts",
    "delta_interval",
    "group_seed",
    "bootstrap_interval",
]


def wilson_percent(count: int, nobs: int, level: float) -> tuple[float, float]:
    """Wilson score interval for ``count / nobs``, as percentages (:func:`clem_lib.intervals.wilson_interval`).

    (NaN, NaN) when ``nobs`` is 0.

    >>> lo, hi = wilson_percent(53, 100, 0.95)
    >>> round(lo, 2), round(hi, 2)
    (43.29, 62.49)
    >>> wilson_percent(0, 0, 0.95)
    (nan, nan)
    """
    if nobs <= 0:
        return float("nan"), float("nan")
    lo, hi = wilson_interval(count, nobs, level)
    return 100 * lo, 100 * hi


def median_interval(values: np.ndarray, level: float) -> tuple[float, float, float]:
    """Median and its distribution-free interval (binomial order statistics, scipy).

    Missing values (NaN) are left out; all three are NaN when none is left.
    The limits are NaN or infinite when there are too few values for the level.

    >>> median_interval(np.array([3.0, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, np.nan]), 0.95)
    (4.0, 1.0, 6.0)
    """
    from scipy import stats as sps

    v = values[~np.isnan(values)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    med = float(np.median(v))
    ci = sps.quantile_test(v, q=med, p=0.5).confidence_interval(confidence_level=level)
    return med, float(ci.low), float(ci.high)


def ikm_parts(x: np.ndarray):
    """Zero-filled answers and answered-indicators (as floats) of a respondents x unsur matrix.

    >>> y0, r = ikm_parts(np.array([[4.0, np.nan]]))
    >>> y0.tolist(), r.tolist()
    ([[4.0, 0.0]], [[1.0, 0.0]])
    """
    r = ~np.isnan(x)
    y0 = np.where(r, x, 0.0)
    return y0, r.astype(float)


def delta_interval(x: np.ndarray, w: float, level: float) -> tuple[float, float, float]:
    """Linearisation (delta-method) interval of ``IKM = 25 w sum_u ybar_u``, and its SE.

    Influence of respondent i: ``z_i = 25 w sum_u r_iu (y_iu - ybar_u) / n_u``.
    ``Var = n/(n-1) sum_i z_i^2`` (with complete answers: s^2/n of the
    respondent scores ``25 w sum_u y_iu``). Interval: estimate +/- t_{n-1} SE,
    not cut to the scale (:func:`clem_lib.scoring.ikm` cuts it). NaN with
    fewer than two respondents or an unsur nobody answered.

    >>> x = np.array([[3.0, 4.0], [2.0, 3.0], [4.0, np.nan], [3.0, 3.0]])
    >>> lo, hi, se = delta_interval(x, 0.5, 0.95)
    >>> round(lo, 2), round(hi, 2), round(se, 3)
    (55.99, 102.35, 7.283)
    """
    y0, r = ikm_parts(x)
    n_u = r.sum(axis=0)
    n = x.shape[0]
    if n < 2 or np.any(n_u == 0):
        return float("nan"), float("nan"), float("nan")
    ybar = y0.sum(axis=0) / n_u
    z = 25.0 * w * ((y0 - ybar * r) / n_u).sum(axis=1)
    var = n / (n - 1) * float(np.sum(z ** 2))
    se = math.sqrt(var)
    est = float(25.0 * w * ybar.sum())
    tq = t_value(level, n - 1)
    return est - tq * se, est + tq * se, se


def group_seed(seed: int, key: dict) -> np.random.SeedSequence:
    """Seed for one group from the user seed and the group's key (independent of group order).

    >>> a = group_seed(2017, {"unit": "A", "round": 1})
    >>> a.entropy == group_seed(2017, {"round": 1, "unit": "A"}).entropy
    True
    """
    text = "|".join(f"{k}={key[k]}" for k in sorted(key))
    return np.random.SeedSequence([int(seed), zlib.crc32(text.encode("utf-8"))])


def bootstrap_interval(x: np.ndarray, w: float, level: float, n_boot: int, rng,
                       method: str) -> tuple[float, float]:
    """Bootstrap over respondents (``scipy.stats.bootstrap``) of the IKM with item non-response.

    ``method`` is ``"BCa"``, ``"percentile"`` or ``"basic"``. When every
    resample gives the same index (all respondents answered alike), the
    interval is the point.

    >>> x = np.array([[3.0, 4.0], [2.0, 3.0], [4.0, np.nan], [3.0, 3.0], [4.0, 4.0]])
    >>> lo, hi = bootstrap_interval(x, 0.5, 0.95, 1000, np.random.default_rng(1), "percentile")
    >>> round(lo, 2), round(hi, 2)
    (72.44, 97.5)
    >>> bootstrap_interval(np.full((5, 2), 4.0), 0.5, 0.95, 1000, np.random.default_rng(1), "BCa")
    (100.0, 100.0)
    """
    from scipy import stats as sps

    n = x.shape[0]
    y0, r = ikm_parts(x)
    if n < 2 or np.any(r.sum(axis=0) == 0):
        return float("nan"), float("nan")

    def stat(idx, axis=-1):
        idx = np.asarray(idx, dtype=np.intp)
        sums = y0[idx].sum(axis=-2)
        counts = r[idx].sum(axis=-2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return 25.0 * w * (sums / counts).sum(axis=-1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate samples (all answers equal) give NaN bounds
        res = sps.bootstrap((np.arange(n),), stat, n_resamples=n_boot, batch=min(n_boot, 250),
                            vectorized=True, confidence_level=level, method=method, rng=rng)
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if np.isnan(lo) or np.isnan(hi):
        # every resample equal (e.g. all respondents answered 4 everywhere): the interval is the point
        est = float(stat(np.arange(n)))
        if np.allclose(res.bootstrap_distribution, est):
            return est, est
    return lo, hi
