"""Service-standard compliance: the share of the standard's components observed at a unit.

Observers tick each component of the service standard (Permenpan RB No.
15/2014) and the accessibility items at the unit; :func:`compliance` turns the
checklist into an index per unit (and round) and lists what is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ClemInputError
from .tables import by_list, check_columns, iter_groups, rows_frame

__all__ = ["compliance"]

_YES = {"ya", "y", "yes", "true", "1", "ada"}
_NO = {"tidak", "t", "no", "false", "0", "tidak ada"}


def compliance(checklist: pd.DataFrame, by="unit", *, component: str = "component",
               category: str = "category", present: str = "present") -> pd.DataFrame:
    """Service-standard compliance index (0..100) with the missing components listed.

    Parameters
    ----------
    checklist : DataFrame
        Observation checklist, one row per unit x item: ``unit, round,
        component, category, present`` (``present`` is ``ya``/``tidak``; also
        accepted: yes/no, true/false, 1/0, booleans; empty = not observed).
    by : str or list of str
        Grouping columns; ``round`` is added when the checklist has it, so
        observation rounds are never pooled.
    component, category, present : str
        Column names.

    Returns
    -------
    DataFrame
        Per group, a row ``category = "all"`` then one per category (sorted):
        the ``by`` columns, ``category``, ``metric`` (``"compliance"`` or
        ``"compliance:<category>"``), ``n_items`` (items observed), ``n_present``,
        ``n_unobserved``, ``index`` (``100 x n_present / n_items``), ``missing``
        (components not present, sorted, joined by ``"; "``; empty string when
        none).

    Notes
    -----
    Every observed item weighs the same. The components follow Permenpan RB
    No. 15/2014 (service standard: 14 components) plus the observers'
    accessibility items (ramp, priority counter, accessible toilet, seating,
    signage, published fees and times).

    Raises
    ------
    ClemInputError
        When ``present`` holds a value that is neither yes nor no (names the row).

    References
    ----------
    Permenpan RB No. 15/2014 tentang Pedoman Standar Pelayanan.

    Examples
    --------
    >>> checklist = pd.DataFrame({"unit": ["A"] * 4, "component": ["ramp", "fees", "signage", "toilet"],
    ...                           "category": ["access", "standard", "access", "access"],
    ...                           "present": ["ya", "ya", "tidak", ""]})
    >>> compliance(checklist)[["metric", "n_items", "n_present", "index", "missing"]].round(1)
                    metric  n_items  n_present  index  missing
    0           compliance        3          2   66.7  signage
    1    compliance:access        2          1   50.0  signage
    2  compliance:standard        1          1  100.0
    """
    by_cols = by_list(by)
    if "round" in checklist.columns and "round" not in by_cols:
        by_cols = by_cols + ["round"]
    check_columns(checklist, by_cols + [component, category, present], "compliance")
    data = checklist.assign(_present=_answers(checklist[present], present))
    rows = []
    for key, sub in iter_groups(data, by_cols):
        cats = [("all", sub)] + [(str(c), g) for c, g in
                                 sub.groupby(category, sort=True, dropna=True, observed=True)]
        rows.extend(_category_row(key, cat, g, component) for cat, g in cats)
    cols = by_cols + ["category", "metric", "n_items", "n_present", "n_unobserved", "index",
                      "missing"]
    return rows_frame(rows, cols)


def _answers(raw: pd.Series, column: str) -> pd.Series:
    """The ``present`` column as nullable booleans (empty: not observed); names a row that is neither."""
    val = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    for i, (idx, v) in enumerate(raw.items()):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            val.loc[idx] = bool(v)
            continue
        t = str(v).strip().lower()
        if t == "":
            continue
        if t in _YES:
            val.loc[idx] = True
        elif t in _NO:
            val.loc[idx] = False
        else:
            raise ClemInputError(f"'{v}' is not a checklist answer", row=i + 1, column=column,
                                 fix="write 'ya' or 'tidak' (leave empty when not observed)")
    return val


def _category_row(key: dict, cat: str, g: pd.DataFrame, component: str) -> dict:
    """The row of :func:`compliance` for one group and category (``"all"``: every item)."""
    obs = g["_present"].notna()
    yes = g["_present"].fillna(False).astype(bool)
    n_items = int(obs.sum())
    n_present = int(yes.sum())
    missing = sorted({str(c) for c in g.loc[obs & ~yes, component]})
    return {**key, "category": cat,
            "metric": "compliance" if cat == "all" else f"compliance:{cat}",
            "n_items": n_items, "n_present": n_present,
            "n_unobserved": int((~obs).sum()),
            "index": 100.0 * n_present / n_items if n_items else float("nan"),
            "missing": "; ".join(missing)}
