"""Effect sizes: Cliff's delta, the conditional odds ratio of a 2x2 table, Cohen's h, epsilon squared.

An effect size says how big a gap is on a scale that does not grow with n;
the tests report one beside every p.
"""

from __future__ import annotations

import math

import numpy as np

from ..defaults import CONF_LEVEL
from ..intervals import z_value

__all__ = ["cliffs_delta", "fisher_odds_ratio", "cohens_h", "epsilon_squared"]


def cliffs_delta(x, y, *, conf_level: float = CONF_LEVEL) -> tuple[float, float, float]:
    """Cliff's delta (= rank-biserial correlation) with Cliff's asymmetric interval.

    Parameters
    ----------
    x, y : array-like
        Scores of group 1 and group 2 (missing values dropped).
    conf_level : float
        Confidence level (0.95).

    Returns
    -------
    (delta, low, high) : tuple of float
        ``delta = P(X > Y) - P(X < Y)`` in -1..1; positive when group 1 scores higher.

    Notes
    -----
    ``delta = 2U/(n1 n2) - 1`` with U the Mann-Whitney statistic of ``x``
    (ties count one half), which is also the rank-biserial correlation.
    Its variance is Cliff's unbiased estimate from the dominance matrix
    ``d_ij = sign(x_i - y_j)``:
    ``s^2 = (n2^2 S_x + n1^2 S_y - S_xy) / (n1 n2 (n1-1)(n2-1))`` with
    ``S_x = sum_i (d_i. - delta)^2``, ``S_y = sum_j (d_.j - delta)^2``,
    ``S_xy = sum_ij (d_ij - delta)^2``; floored at ``(1 - delta^2)/(n1 n2)``.
    Under complete separation (``|delta| = 1``) the far limit is computed at
    ``|delta| = 1 - 2/(n1 n2)`` (one pair reversed) and the near limit is 1.
    The interval is
    ``(delta - delta^3 -/+ z s sqrt((1-delta^2)^2 + z^2 s^2)) / (1 - delta^2 + z^2 s^2)``.

    References
    ----------
    Cliff, N. (1993). Dominance statistics: ordinal analyses to answer ordinal
    questions. Psychological Bulletin 114, 494-509.
    Feng, D. & Cliff, N. (2004). Monte Carlo evaluation of ordinal d with
    improved confidence interval. JMASM 3, 322-332.

    Examples
    --------
    >>> d, lo, hi = cliffs_delta([3, 4, 4, 3, 4, 2], [2, 3, 2, 1, 2, 3])
    >>> round(d, 3), round(lo, 3), round(hi, 3)
    (0.694, 0.124, 0.92)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x = x[~np.isnan(x)]
    y = y[~np.isnan(y)]
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        return float("nan"), float("nan"), float("nan")
    ys = np.sort(y)
    xs = np.sort(x)
    # row means of the dominance matrix: (#y below x_i - #y above x_i) / n2
    di = (np.searchsorted(ys, x, side="left") - (n2 - np.searchsorted(ys, x, side="right"))) / n2
    dj = (np.searchsorted(xs, y, side="left") - (n1 - np.searchsorted(xs, y, side="right"))) / n1
    dj = -dj  # column means of d_ij = sign(x_i - y_j)
    delta = float(np.mean(di))
    if n1 < 2 or n2 < 2:
        return delta, float("nan"), float("nan")
    ties = int(np.sum(np.searchsorted(ys, x, side="right") - np.searchsorted(ys, x, side="left")))
    s_xy = (n1 * n2 - ties) - n1 * n2 * delta ** 2  # sum of (d_ij - delta)^2, d_ij^2 = 1 unless tied
    s_x = float(np.sum((di - delta) ** 2))
    s_y = float(np.sum((dj - delta) ** 2))
    var = (n2 ** 2 * s_x + n1 ** 2 * s_y - s_xy) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    m = n1 * n2
    # complete separation (|delta| = 1) makes the interval degenerate: bound it with the
    # delta of one reversed pair, 1 - 2/(n1 n2), and keep the other limit at +/-1
    dd = math.copysign(min(abs(delta), 1 - 2 / m), delta) if m > 1 else delta
    var = max(var, (1 - dd ** 2) / m)
    s = math.sqrt(var)
    z = z_value(conf_level)
    den = 1 - dd ** 2 + z * z * var
    root = z * s * math.sqrt((1 - dd ** 2) ** 2 + z * z * var)
    lo = (dd - dd ** 3 - root) / den
    hi = (dd - dd ** 3 + root) / den
    if delta == 1.0:
        hi = 1.0
    elif delta == -1.0:
        lo = -1.0
    return delta, max(-1.0, lo), min(1.0, hi)


def fisher_odds_ratio(table, *, conf_level: float = CONF_LEVEL) -> tuple[float, float, float]:
    """Conditional maximum-likelihood odds ratio of a 2x2 table and its exact interval, as R ``fisher.test``.

    Parameters
    ----------
    table : array-like, 2 x 2
        Counts ``[[a, b], [c, d]]`` (group 1: a events, b others; group 2: c, d).
    conf_level : float
        Level of the two-sided interval.

    Returns
    -------
    tuple of float
        ``(odds_ratio, ci_low, ci_high)``; 0 or infinity at the edges of the
        support (a zero cell), as R gives.

    Notes
    -----
    The estimate maximises the conditional (non-central hypergeometric)
    likelihood given the margins; the interval inverts the two one-sided
    exact tests at ``(1 - conf_level) / 2`` each
    (``scipy.stats.contingency.odds_ratio(kind="conditional")``). R's
    ``fisher.test`` solves the same equations with ``uniroot``'s default
    tolerance (1.2e-4), so its printed estimate agrees to about four digits;
    solved tightly in R the two agree to 1e-12 (``tests/r_reference/survey_design.R``).
    The sample odds ratio ``ad / bc`` is a different figure.

    References
    ----------
    Fisher, R. A. (1935). The logic of inductive inference. JRSS 98, 39-82;
    Cornfield, J. (1956). A statistical problem arising from retrospective studies.

    Examples
    --------
    >>> orr, lo, hi = fisher_odds_ratio([[2, 10], [7, 4]])
    >>> round(orr, 4), round(lo, 4), round(hi, 4)
    (0.1277, 0.0091, 1.0559)
    """
    from scipy.stats.contingency import odds_ratio

    res = odds_ratio(np.asarray(table, dtype=int), kind="conditional")
    ci = res.confidence_interval(confidence_level=conf_level)
    return float(res.statistic), float(ci.low), float(ci.high)


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h of two proportions: ``2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``.

    Its large-sample standard error is ``sqrt(1/n1 + 1/n2)`` (Cohen 1988, ch. 6).

    >>> round(cohens_h(0.8, 0.6), 4)
    0.4421
    """
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def epsilon_squared(h, n):
    """Epsilon squared of a Kruskal-Wallis H on n answers: ``H (n + 1) / (n^2 - 1) = H / (n - 1)``.

    Works on arrays of H (bootstrap resamples) as on one value.

    >>> round(epsilon_squared(12.0, 121), 3)
    0.1
    """
    return h * (n + 1) / (n * n - 1)
