"""Accessibility for special groups: who says the facilities are not friendly to them.

The figure the CLeM hearing asks for first: the share of users saying the
unit's facilities are not friendly to people with disabilities, the elderly,
pregnant women and people with small children, overall and as answered by
each of those groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .intervals import wilson_percent
from .tables import (
    as_bool,
    by_list,
    check_columns,
    check_level,
    iter_groups,
    rows_frame,
)

__all__ = ["SPECIAL_GROUPS", "accessibility"]

SPECIAL_GROUPS = ("disability", "elderly", "pregnant", "with_child", "special_group")
"""The flag columns of the cleaned table :func:`accessibility` reports on, in report order."""


def accessibility(df: pd.DataFrame, by=None, *, groups=SPECIAL_GROUPS,
                  column: str = "facility_friendly", level: float = 0.95) -> pd.DataFrame:
    """Share of users who say the facilities are not friendly to special groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with the boolean ``facility_friendly`` column and the
        special-group flags.
    by : str or list of str, optional
        Grouping columns (``"unit"`` for the per-unit figure; ``None`` city-wide).
    groups : sequence of str
        Boolean flag columns; each gives the figure as answered by users with
        the flag set. Flags absent from ``df`` are skipped.
    column : str
        The friendliness answer (False = not friendly).
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Per group of ``by``: a row ``group = "all"``, then one per flag
        (``group = "disability"``, ...; users with the flag True), then
        ``group = "not_special_group"`` (flag False) when ``special_group`` is
        among the flags. Columns: the ``by`` columns, ``group``, ``metric``
        (``"pct_not_friendly"``), ``estimate`` (% answering not friendly,
        0..100), ``ci_low``, ``ci_high`` (Wilson), ``n`` (users who answered),
        ``count`` (users answering not friendly), ``method``.

    Notes
    -----
    ``pct_not_friendly = 100 x #(facility_friendly == False) / #(answered)``.
    The seed report: 53% of users said the facilities were not friendly.

    Examples
    --------
    >>> df = pd.DataFrame({"facility_friendly": [False, True, False, None, True],
    ...                    "disability": [True, False, True, False, False]})
    >>> out = accessibility(df, groups=("disability",))
    >>> out[["group", "estimate", "n", "count"]]
            group  estimate  n  count
    0         all      50.0  4      2
    1  disability     100.0  2      2
    """
    check_level(level)
    by_cols = by_list(by)
    check_columns(df, [column], "accessibility")
    rows = []
    for key, sub in iter_groups(df, by_cols):
        friendly = as_bool(sub[column])
        answered = friendly.notna().to_numpy(dtype=bool)
        notf = (~friendly).fillna(False).to_numpy(dtype=bool)
        subsets = [("all", np.ones(len(sub), dtype=bool))]
        for g in groups:
            if g in sub.columns:
                f = as_bool(sub[g])
                subsets.append((g, f.fillna(False).to_numpy(dtype=bool)))
                if g == "special_group":
                    subsets.append(("not_special_group", (~f).fillna(False).to_numpy(dtype=bool)))
        for name, m in subsets:
            den = int((answered & m).sum())
            num = int((notf & answered & m).sum())
            lo, hi = wilson_percent(num, den, level)
            rows.append({**key, "group": name, "metric": "pct_not_friendly",
                         "estimate": 100.0 * num / den if den else float("nan"),
                         "ci_low": lo, "ci_high": hi, "n": den, "count": num,
                         "method": "Wilson score interval"})
    cols = by_cols + ["group", "metric", "estimate", "ci_low", "ci_high", "n", "count", "method"]
    return rows_frame(rows, cols)
