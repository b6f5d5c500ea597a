"""Intervals of proportions: Wilson for one, Newcombe's hybrid score for a difference of two.

The Wilson formula itself is :func:`clem_lib.intervals.wilson_interval`, shared
with :mod:`clem_lib.scoring`.
"""

from __future__ import annotations

import math

from ..defaults import CONF_LEVEL
from ..intervals import wilson_interval

__all__ = ["wilson_ci", "newcombe_ci"]


def wilson_ci(successes, n, *, conf_level: float = CONF_LEVEL) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    Parameters
    ----------
    successes, n : int
        Number of events and of answers.
    conf_level : float
        Confidence level (0.95).

    Returns
    -------
    (float, float)
        Lower and upper limit on the 0..1 scale; (NaN, NaN) when ``n == 0``.

    Notes
    -----
    ``(p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``; equals R's
    ``prop.test(x, n, correct = FALSE)$conf.int``
    (:func:`clem_lib.intervals.wilson_interval`).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. JASA 22, 209-212.

    Examples
    --------
    >>> lo, hi = wilson_ci(12, 40)
    >>> round(lo, 4), round(hi, 4)
    (0.1807, 0.4543)
    """
    return wilson_interval(successes, n, conf_level)


def newcombe_ci(x1, n1, x2, n2, *, conf_level: float = CONF_LEVEL) -> tuple[float, float]:
    """Newcombe's hybrid score interval for a difference of two proportions p1 - p2.

    Parameters
    ----------
    x1, n1, x2, n2 : int
        Events and answers of group 1 and group 2.
    conf_level : float
        Confidence level (0.95).

    Returns
    -------
    (float, float)
        Limits for ``p1 - p2`` on the -1..1 scale.

    Notes
    -----
    With Wilson limits ``(l1, u1)`` and ``(l2, u2)``:
    ``lower = d - sqrt((p1-l1)^2 + (u2-p2)^2)``,
    ``upper = d + sqrt((u1-p1)^2 + (p2-l2)^2)``, ``d = p1 - p2``
    (method 10 of Newcombe 1998).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions: comparison of eleven methods. Statistics in
    Medicine 17, 873-890.

    Examples
    --------
    >>> lo, hi = newcombe_ci(56, 70, 48, 80)
    >>> round(lo, 4), round(hi, 4)
    (0.0524, 0.3339)
    """
    if int(n1) == 0 or int(n2) == 0:
        return float("nan"), float("nan")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_ci(x1, n1, conf_level=conf_level)
    l2, u2 = wilson_ci(x2, n2, conf_level=conf_level)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
