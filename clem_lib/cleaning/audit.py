"""The audit log: every change cleaning makes, one row ``(row, column, old, new, rule)``.

``row`` is the 1-based data row of the raw export (0: a change to a whole
column) and ``column`` the raw column name. The log is collected as integer
codes and built at the end, sorted by row, then by rule in :data:`RULES`
order, then by column; :func:`summarize_log` counts it by rule and unit.
Personal values never appear in it: they show as ``<removed>``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "RULES",
    "LOG_COLUMNS",
    "ROW_REMOVED",
    "REMOVAL_RULES",
    "AuditLog",
    "OldValues",
    "summarize_log",
    "count_by_rule_and_unit",
]

RULES = (
    "consent_refused", "duplicate_uuid", "duplicate_answers", "alias", "missing_code",
    "unmatched_label", "out_of_range", "not_a_number", "bad_date", "future_date", "unit_alias",
    "sector_not_at_unit", "skip_logic", "pii_dropped", "pii_hashed", "pii_free_text",
)


LOG_COLUMNS = ["row", "column", "old", "new", "rule"]


ROW_REMOVED = "<row removed>"


REMOVAL_RULES = ("consent_refused", "duplicate_uuid", "duplicate_answers")


class AuditLog:
    """Collects audit-log pieces as integer codes (no per-row Python objects).

    Each piece is one rule applied to one column: its rows, and its old and
    new values, each given as one string for all rows, one value per row, or
    ``(values, codes)``: ``values[codes]`` with the distinct values stored
    once. The log's text columns are built at the end, in Arrow.
    """

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, rows, column, old, new, rule):
        """One rule applied to one column at ``rows`` (0-based positions in the raw export)."""
        rows = np.asarray(rows, dtype="int64")
        if rows.size == 0:
            return
        self.parts.append((rows + 1, str(column), old, new, rule))

    def add_column(self, column, old, new, rule):
        """One rule applied to a whole column (logged as row 0), e.g. a personal-data column dropped."""
        self.parts.append((np.array([0], dtype="int64"), str(column), old, new, rule))  # row 0: column-level

    def summary(self, unit_pos, unit_names) -> pd.DataFrame:
        """:func:`summarize_log` of the last :meth:`frame`, from its codes (row r -> unit_pos[r - 1])."""
        if not hasattr(self, "counted"):
            return count_by_rule_and_unit([], [], [], unit_names)
        rule_code, rule_names, row = self.counted
        unit_code = np.where(row > 0, unit_pos[np.maximum(row - 1, 0)], -1)
        return count_by_rule_and_unit(rule_code, rule_names, unit_code, unit_names)

    @staticmethod
    def _coded(parts, sizes, i):
        """Field ``i`` of every piece as (distinct values, one code per entry)."""
        values, codes, base = [], [], 0
        for p, k in zip(parts, sizes):
            v = p[i]
            if isinstance(v, tuple):
                vals, c = np.asarray(v[0], dtype=object), np.asarray(v[1], dtype="int64")
            elif isinstance(v, str) or v is None:
                vals, c = np.array([v], dtype=object), np.zeros(k, dtype="int64")
            else:
                vals, c = np.asarray(v, dtype=object), np.arange(k, dtype="int64")
            values.append(vals)
            codes.append(c + base)
            base += vals.size
        return np.concatenate(values), np.concatenate(codes)

    def frame(self, removed=None) -> pd.DataFrame:
        """The log, sorted by row (column-level entries first), rule order, column.

        ``removed``: boolean per raw row; value corrections in removed rows are
        left out (the removal itself is the entry that matters).
        """
        if not self.parts:
            df = pd.DataFrame({c: pd.Series(dtype=pd.StringDtype("python")) for c in LOG_COLUMNS})
            df["row"] = df["row"].astype("Int64")
            return df
        parts, self.parts = self.parts, []
        col_names = sorted({p[1] for p in parts})
        rule_names = list(dict.fromkeys([*RULES, *(p[4] for p in parts)]))
        # pieces in (rule order, column) order, then one stable sort by row gives the log's order
        # (a rule not in RULES sorts first); ties keep the order the pieces were added in
        rank_of = {r: (i if i < len(RULES) else -1) for i, r in enumerate(rule_names)}
        parts.sort(key=lambda p: (rank_of[p[4]], col_names.index(p[1])))
        sizes = np.array([p[0].size for p in parts])
        row = np.concatenate([p[0] for p in parts])
        col_code = np.repeat(np.array([col_names.index(p[1]) for p in parts]), sizes)
        rule_code = np.repeat(np.array([rule_names.index(p[4]) for p in parts]), sizes)
        keep = np.ones(row.size, dtype=bool)
        if removed is not None:
            removal = np.array([p[4] in REMOVAL_RULES for p in parts])
            keep = ~(np.repeat(~removal, sizes) & (row > 0) & removed[np.maximum(row - 1, 0)])
        idx = np.flatnonzero(keep)
        order = idx[np.argsort(row[idx], kind="stable")]
        r = row[order]
        self.counted = (rule_code[order], np.array(rule_names, dtype=object), r)  # for the summary
        old_values, old_codes = self._coded(parts, sizes, 2)
        new_values, new_codes = self._coded(parts, sizes, 3)
        # python-backed strings: each entry points at its distinct value's object (no copies)
        text = pd.StringDtype("python")
        return pd.DataFrame({
            "row": pd.arrays.IntegerArray(r, r <= 0),
            "column": pd.array(np.array(col_names, dtype=object)[col_code[order]], dtype=text),
            "old": pd.array(old_values[old_codes[order]], dtype=text),
            "new": pd.array(new_values[new_codes[order]], dtype=text),
            "rule": pd.array(np.array(rule_names, dtype=object)[rule_code[order]], dtype=text),
        }, copy=False)


class OldValues:
    """Raw values of a column, fetched only for the rows that are logged."""

    def __init__(self, s: pd.Series):
        self.s = s

    def __getitem__(self, rows):
        if np.isscalar(rows):
            v = self.s.iloc[int(rows)]
            return None if pd.isna(v) else str(v)
        vals = self.s.iloc[np.asarray(rows)].astype(object).to_numpy()
        return np.where(pd.isna(vals), None, vals)


def summarize_log(log: pd.DataFrame, unit_by_row: pd.Series | None = None) -> pd.DataFrame:
    """Count audit-log entries by rule and unit.

    Parameters
    ----------
    log : pandas.DataFrame
        Audit log (``row, column, old, new, rule``).
    unit_by_row : pandas.Series, optional
        Canonical unit indexed by 1-based raw row.

    Returns
    -------
    pandas.DataFrame
        ``rule, unit, n``, sorted by rule (in :data:`RULES` order) then unit;
        ``unit`` is empty for column-level entries (personal-data columns).
    """
    rule_codes, rule_names = pd.factorize(log["rule"].astype(object), use_na_sentinel=True)
    if unit_by_row is not None and len(log):
        u_codes, u_names = pd.factorize(unit_by_row.astype(object))
        lookup = pd.Series(u_codes, index=unit_by_row.index)
        rows = log["row"].to_numpy(dtype="float64", na_value=np.nan)
        pos = lookup.index.get_indexer(np.nan_to_num(rows, nan=-1).astype("int64"))
        unit_codes = np.where(pos >= 0, lookup.to_numpy()[np.maximum(pos, 0)], -1)
    else:
        unit_codes, u_names = np.full(len(log), -1), []
    return count_by_rule_and_unit(rule_codes, rule_names, unit_codes, u_names)


def count_by_rule_and_unit(rule_codes, rule_names, unit_codes, unit_names) -> pd.DataFrame:
    """``rule, unit, n`` from one rule code and one unit code (-1: none) per log entry."""
    rule_names = np.asarray(rule_names, dtype=object)
    unit_names = np.append(np.asarray(unit_names, dtype=object), "")  # code -1 -> ""
    width = unit_names.size
    rule_codes = np.asarray(rule_codes, dtype="int64")
    ruled = rule_codes >= 0  # an entry without a rule is not counted under any
    key = rule_codes[ruled] * width + np.asarray(unit_codes, dtype="int64")[ruled] % width
    counts = np.bincount(key, minlength=1)  # keys are few (rules x units): counted, not sorted
    keys = np.flatnonzero(counts)
    n = counts[keys]
    out = pd.DataFrame({"rule": rule_names[keys // width], "unit": unit_names[keys % width], "n": n})
    out["_o"] = pd.Categorical(out["rule"], categories=RULES, ordered=True).codes
    out = out.sort_values(["_o", "rule", "unit"], kind="stable").drop(columns="_o").reset_index(drop=True)
    out["rule"] = out["rule"].astype("string")
    out["unit"] = out["unit"].astype("string")
    out["n"] = out["n"].astype("Int64")
    return out
