"""Importance-performance analysis: how each unsur performs against how much it matters.

Each unsur's mean performance (``unsur_<key>``, X) and mean importance
(``harapan_<key>``, Y) place it in one of four quadrants; the conformity
level (*tingkat kesesuaian*) says how far performance meets expectations.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

from .schemes import Scheme, get_scheme
from .tables import by_list, check_columns, iter_groups, rows_frame, scores

__all__ = ["QUADRANTS", "ipa"]

QUADRANTS = MappingProxyType({
    "I": ("Prioritas Utama", "Concentrate here"),
    "II": ("Pertahankan Prestasi", "Keep up the good work"),
    "III": ("Prioritas Rendah", "Low priority"),
    "IV": ("Berlebihan", "Possible overkill"),
})
"""Importance-performance quadrants: Indonesian and English labels."""


def ipa(df: pd.DataFrame, by=None, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
        cross: str | tuple[float, float] = "mean") -> pd.DataFrame:
    """Importance-performance analysis: conformity level and quadrant of each unsur.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` (performance, X) and ``harapan_<key>``
        (importance / expectation, Y).
    by : str or list of str, optional
        Grouping columns.
    scheme : str, mapping or Scheme
        Which unsur.
    cross : {"mean", "midpoint"} or (x, y)
        Where the quadrant lines cross: the mean of the unsur means (within each
        group), the scale midpoint ((1 + 4) / 2 = 2.5), or given values.

    Returns
    -------
    DataFrame
        One row per group x unsur (scheme order): the ``by`` columns, ``unsur``,
        ``label_id``, ``label_en``, ``n`` (respondents answering both X and Y),
        ``sum_x``, ``sum_y``, ``mean_x``, ``mean_y``, ``tk`` (conformity level,
        %), ``gap`` (mean_x - mean_y), ``x_cross``, ``y_cross``, ``quadrant``
        (I..IV), ``quadrant_id``, ``quadrant_en``.

    Notes
    -----
    ``TK = sum X / sum Y x 100`` over respondents who answered both; below 100
    means expectations are not met. Performance on the x axis, importance on the
    y axis; a value on a line counts as high. I *Prioritas Utama* (Y high, X
    low), II *Pertahankan Prestasi* (both high), III *Prioritas Rendah* (both
    low), IV *Berlebihan* (X high, Y low).

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis.
    Journal of Marketing, 41(1), 77-79; Supranto, J. (2006). Pengukuran Tingkat
    Kepuasan Pelanggan. Jakarta: Rineka Cipta.

    Examples
    --------
    >>> df = pd.DataFrame({"unsur_waktu": [2, 3, 2], "harapan_waktu": [4, 4, 3],
    ...                    "unsur_biaya": [4, 4, 3], "harapan_biaya": [3, 2, 3]})
    >>> out = ipa(df, scheme={"unsur": ["waktu", "biaya"]})
    >>> out[["unsur", "mean_x", "mean_y", "tk", "quadrant", "quadrant_en"]].round(2)
       unsur  mean_x  mean_y     tk quadrant        quadrant_en
    0  waktu    2.33    3.67  63.64        I   Concentrate here
    1  biaya    3.67    2.67 137.50       IV  Possible overkill
    """
    s = get_scheme(scheme)
    by_cols = by_list(by)
    check_columns(df, list(s.columns) + list(s.importance_columns), "ipa")
    given = _given_cross(cross)
    rows = []
    for key, sub in iter_groups(df, by_cols):
        x = scores(sub, s)
        y = scores(sub, s, s.importance_columns)
        both = ~np.isnan(x) & ~np.isnan(y)
        n = both.sum(axis=0)
        sx = np.where(both, x, 0).sum(axis=0)
        sy = np.where(both, y, 0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mx = np.where(n > 0, sx / np.maximum(n, 1), np.nan)
            my = np.where(n > 0, sy / np.maximum(n, 1), np.nan)
            tk = np.where(sy > 0, sx / np.where(sy > 0, sy, 1) * 100.0, np.nan)
        xc, yc = _crossing(cross, given, mx, my, bool(np.any(n)), s)
        for j, u in enumerate(s.unsur):
            rows.append({**key, "unsur": u, "label_id": s.labels_id[u], "label_en": s.labels_en[u],
                         "n": int(n[j]), "sum_x": float(sx[j]), "sum_y": float(sy[j]),
                         "mean_x": float(mx[j]), "mean_y": float(my[j]), "tk": float(tk[j]),
                         "gap": float(mx[j] - my[j]), "x_cross": xc, "y_cross": yc,
                         **_quadrant(int(n[j]), mx[j], my[j], xc, yc)})
    cols = by_cols + ["unsur", "label_id", "label_en", "n", "sum_x", "sum_y", "mean_x", "mean_y",
                      "tk", "gap", "x_cross", "y_cross", "quadrant", "quadrant_id", "quadrant_en"]
    return rows_frame(rows, cols)


def _given_cross(cross) -> tuple[float, float] | None:
    """The crossing point given as (x, y); None for ``"mean"`` and ``"midpoint"``; else an error."""
    if isinstance(cross, str):
        if cross not in ("mean", "midpoint"):
            raise ValueError(f"cross={cross!r}; use 'mean', 'midpoint' or an (x, y) pair")
        return None
    try:
        cx, cy = (float(c) for c in cross)
    except (TypeError, ValueError):
        raise ValueError(f"cross={cross!r}; use 'mean', 'midpoint' or an (x, y) pair") from None
    return cx, cy


def _crossing(cross, given, mx: np.ndarray, my: np.ndarray, answered: bool,
              s: Scheme) -> tuple[float, float]:
    """Where the quadrant lines cross in one group: mean of the unsur means, midpoint or given."""
    if cross == "mean":
        if not answered:
            return np.nan, np.nan
        return float(np.nanmean(mx)), float(np.nanmean(my))
    if cross == "midpoint":
        mid = (s.scale_min + s.scale_max) / 2.0
        return mid, mid
    return given


def _quadrant(n: int, mx: float, my: float, xc: float, yc: float) -> dict:
    """Quadrant of an unsur (a value on a line counts as high; none when nobody answered both)."""
    if n == 0:
        q = None
    else:
        hx, hy = mx >= xc - 1e-12, my >= yc - 1e-12
        q = "II" if (hx and hy) else "I" if hy else "IV" if hx else "III"
    return {"quadrant": q,
            "quadrant_id": QUADRANTS[q][0] if q else None,
            "quadrant_en": QUADRANTS[q][1] if q else None}
