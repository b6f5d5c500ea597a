"""Interval formulas shared by scoring and stats: normal quantile, Wilson, t and Welch.

Each formula is written once here. The module imports nothing from clem but
its defaults, so the figures of :mod:`clem_lib.scoring` and the tests of
:mod:`clem_lib.stats` can both use it. Limits are on the scale of the data
(Wilson on 0..1); callers that show percentages multiply by 100.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import special as sps_special
from scipy import stats as sps

from .defaults import CONF_LEVEL

__all__ = ["z_value", "t_value", "wilson_interval", "mean_interval", "welch_interval"]


@functools.lru_cache(maxsize=64)
def z_value(conf_level: float = CONF_LEVEL) -> float:
    """The two-sided standard normal quantile of a confidence level: ``Phi^-1(0.5 + conf_level / 2)``.

    >>> round(z_value(0.95), 6)
    1.959964
    >>> z_value(95)
    Traceback (most recent call last):
    ...
    ValueError: conf_level must be between 0 and 1 (e.g. 0.95), not 95

    Cached: a report asks for the same one or two levels hundreds of times.
    """
    if not (0 < conf_level < 1):
        raise ValueError(f"conf_level must be between 0 and 1 (e.g. 0.95), not {conf_level!r}")
    return float(sps.norm.ppf(0.5 + conf_level / 2))


def t_value(conf_level: float, df: float) -> float:
    """The two-sided Student t quantile ``t_df^-1(0.5 + conf_level / 2)``.

    The number ``scipy.stats.t.ppf`` gives (it calls the same ``stdtrit``),
    without its argument handling, which costs more than the quantile: a
    report asks for a few hundred.

    >>> round(t_value(0.95, 10), 6)
    2.228139
    """
    return float(sps_special.stdtrit(df, 0.5 + conf_level / 2))


def wilson_interval(successes, n, conf_level: float = CONF_LEVEL) -> tuple[float, float]:
    """Wilson score interval of the proportion ``successes / n`` on the 0..1 scale.

    ``(p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``, limits kept
    within 0..1; (NaN, NaN) when ``n == 0``. Equals R's
    ``prop.test(x, n, correct = FALSE)$conf.int`` and, at the 95 % level, the
    ``proportion_confint(method="wilson")`` of statsmodels to the last bit.

    >>> lo, hi = wilson_interval(53, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.4329, 0.6249)
    >>> wilson_interval(0, 0)
    (nan, nan)
    """
    n = int(n)
    x = int(successes)
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"a Wilson interval needs 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return float("nan"), float("nan")
    z = z_value(conf_level)
    p = x / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(x, conf_level: float = CONF_LEVEL) -> tuple[float, float]:
    """t interval of a mean, ``mean +/- t(n-1) s / sqrt(n)``; (NaN, NaN) with fewer than two values.

    >>> lo, hi = mean_interval([2, 3, 3, 4])
    >>> round(lo, 3), round(hi, 3)
    (1.701, 4.299)
    """
    x = np.asarray(x, dtype=float)
    n = len(x)
    if n < 2:
        return np.nan, np.nan
    m = float(np.mean(x))
    h = t_value(conf_level, n - 1) * float(np.std(x, ddof=1)) / math.sqrt(n)
    return float(m - h), float(m + h)


def welch_interval(x, y, conf_level: float = CONF_LEVEL) -> tuple[float, float]:
    """Welch-Satterthwaite interval of ``mean(x) - mean(y)`` (each side needs two values).

    >>> lo, hi = welch_interval([3, 4, 4, 3, 4], [2, 3, 2, 1, 2])
    >>> round(lo, 3), round(hi, 3)
    (0.667, 2.533)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n1, n2 = len(x), len(y)
    v1, v2 = np.var(x, ddof=1) / n1, np.var(y, ddof=1) / n2
    se = math.sqrt(v1 + v2)
    d = float(np.mean(x) - np.mean(y))
    if se == 0:
        return d, d
    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    t = t_value(conf_level, df)
    return float(d - t * se), float(d + t * se)
