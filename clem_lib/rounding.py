"""The one rounding of clem: half up on the decimal representation.

Figures (:func:`round_half_up`, used by scoring for the published IKM) and
their printed form (:mod:`clem_lib.text.format`) round the same way, so a
number never reads differently in a table and in the sentence beside it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pandas as pd

__all__ = ["half_up", "round_half_up"]


def half_up(value: float, decimals: int) -> Decimal:
    """``value`` rounded half up to ``decimals`` places, as a :class:`~decimal.Decimal`.

    Floating-point noise from the arithmetic is removed first: the value is
    taken to 9 decimals before the half-up step, so ``76.60499999999999`` (a sum
    that is exactly 76.605 in real numbers) becomes ``76.61``.

    >>> half_up(76.605, 2), half_up(2.675, 2), half_up(-3.25, 1)
    (Decimal('76.61'), Decimal('2.68'), Decimal('-3.3'))
    """
    d = Decimal(repr(float(value))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def round_half_up(value: float, decimals: int = 2) -> float:
    """Round half up on the decimal representation, as a person with a calculator does.

    ``76.605 -> 76.61`` and ``2.675 -> 2.68`` (Python's ``round`` gives 76.6 and
    2.67, because it rounds the binary float half to even); see :func:`half_up`.
    Returns NaN for NaN or None.

    >>> round_half_up(76.605), round_half_up(2.675), round(2.675, 2)
    (76.61, 2.68, 2.67)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return float("nan")
    return float(half_up(value, decimals))
