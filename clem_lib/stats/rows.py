"""The gap table: its columns, its row statuses, and the columns of the cleaned table it is computed from.

Every test of :mod:`clem_lib.stats` (and the design-based tests of
:mod:`clem_lib.weights`) builds its rows with :func:`gap_row` and turns them
into a table with :func:`gap_frame`; :func:`clem_lib.stats.multitest.finish`
then adjusts p within each family and adds the readings.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "GAP_COLUMNS", "OK", "NOT_ENOUGH", "gap_row", "gap_frame", "label_value", "side_values",
    "need_columns", "float_values", "event_values", "score_metric",
]

GAP_COLUMNS: tuple[str, ...] = (  # ci1_*/ci2_*: 95% interval of estimate1 / estimate2
    "family", "unit", "design", "comparison", "metric", "group1", "group2", "n1", "n2",
    "estimate1", "estimate2", "ci1_low", "ci1_high", "ci2_low", "ci2_high", "gap", "gap_unit", "ci_low", "ci_high", "statistic",
    "p_value", "p_adjusted", "effect_size", "effect_name", "effect_ci_low", "effect_ci_high",
    "odds_ratio", "or_ci_low", "or_ci_high",
    "method", "status", "reading_id", "reading_en",
)
"""Columns of every gap table, in order."""

OK = "ok"
"""Status of a row whose test was run."""

NOT_ENOUGH = "not enough data"
"""Status of a row with too few answers to test (no p, no interval, no effect size)."""

_FLOAT_COLUMNS = ("estimate1", "estimate2", "ci1_low", "ci1_high", "ci2_low", "ci2_high", "gap", "ci_low",
                  "ci_high", "statistic", "p_value", "p_adjusted", "effect_size", "effect_ci_low",
                  "effect_ci_high", "odds_ratio", "or_ci_low", "or_ci_high")
_TEXT_COLUMNS = ("family", "unit", "design", "comparison", "metric", "group1", "group2", "gap_unit",
                 "effect_name", "method", "status", "reading_id", "reading_en")


def gap_row(**values) -> dict:
    """One row of a gap table: every column of :data:`GAP_COLUMNS`, NaN or ``""`` unless given.

    >>> r = gap_row(design="two-group", n1=12, n2=30)
    >>> r["status"], r["n1"], r["gap"], r["reading_en"]
    ('ok', 12, nan, '')
    """
    row = {c: np.nan for c in GAP_COLUMNS}
    row.update(status=OK, reading_id="", reading_en="", family="", unit="", design="",
               comparison="", metric="", group1="", group2="", method="", effect_name="",
               gap_unit="")
    row.update(values)
    return row


def gap_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows made by :func:`gap_row` as a gap table: n as ``Int64``, figures as float, text as str.

    >>> t = gap_frame([gap_row(n1=12, n2=30, gap=0.5)])
    >>> list(t.columns) == list(GAP_COLUMNS), str(t.n1.dtype), t.gap.tolist()
    (True, 'Int64', [0.5])
    >>> len(gap_frame([]))
    0
    """
    out = pd.DataFrame(rows, columns=list(GAP_COLUMNS))
    if out.empty:
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in GAP_COLUMNS})
    for c in ("n1", "n2"):
        out[c] = pd.array(out[c], dtype="Int64")
    for c in _FLOAT_COLUMNS:
        out[c] = out[c].astype(float)
    for c in _TEXT_COLUMNS:
        out[c] = out[c].fillna("").astype(str)
    return out


def label_value(v) -> str:
    """A group value as written in ``group1``/``group2``: lists joined by ``+``, whole floats as integers.

    >>> label_value(True), label_value(2.0), label_value(["low", "middle"]), label_value("broker")
    ('True', '2', 'low+middle', 'broker')
    """
    if isinstance(v, (list, tuple, set, frozenset)):
        return "+".join(str(x) for x in v)
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def side_values(df: pd.DataFrame, by: str, value) -> np.ndarray:
    """Boolean mask of the rows whose ``by`` equals ``value`` (or is one of a list); missing is False.

    >>> d = pd.DataFrame({"g": ["a", "b", None, "c"]})
    >>> side_values(d, "g", "a").tolist(), side_values(d, "g", ["b", "c"]).tolist()
    ([True, False, False, False], [False, True, False, True])
    """
    col = df[by]
    if isinstance(value, (list, tuple, set, frozenset)):
        m = col.isin(list(value))
    else:
        m = col.eq(value)
    return m.fillna(False).to_numpy(dtype=bool)


def need_columns(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ``ValueError`` naming ``what`` when ``df`` is not a table or lacks one of ``columns``.

    >>> need_columns(pd.DataFrame({"unit": []}), ["unit", "sector"], "compare_units")
    Traceback (most recent call last):
    ...
    ValueError: compare_units: the table has no column(s) sector; ...
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what}: the first argument must be a DataFrame (the cleaned table)")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: the table has no column(s) {', '.join(map(str, missing))}; "
            "pass the right column names by keyword or clean the survey with clem_lib.clean_survey"
        )


def float_values(s: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for missing (booleans become 0/1, text is parsed).

    >>> float_values(pd.Series([4, None, 2], dtype="Int64")).tolist()
    [4.0, nan, 2.0]
    """
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        s = pd.to_numeric(s, errors="coerce")
    return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def event_values(values: pd.Series, event) -> np.ndarray:
    """1.0 where the answer is ``event`` (or where the callable ``event`` says so), 0.0 elsewhere, NaN when missing.

    >>> s = pd.Series([True, False, None], dtype="boolean")
    >>> event_values(s, True).tolist(), event_values(s, False).tolist()
    ([1.0, 0.0, nan], [0.0, 1.0, nan])
    >>> event_values(pd.Series([4, 2, 3]), lambda v: v >= 3).tolist()
    [1.0, 0.0, 1.0]
    """
    if callable(event):
        hit = event(values)
        hit = pd.Series(hit, index=values.index).astype("boolean")
    else:
        hit = values.eq(event).astype("boolean")
    out = hit.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    out[values.isna().to_numpy()] = np.nan
    return out


def score_metric(column: str) -> str:
    """The metric name of a score column: ``nrr:<key>`` for ``unsur_<key>``, else ``mean:<column>``.

    >>> score_metric("unsur_waktu"), score_metric("cost_paid")
    ('nrr:waktu', 'mean:cost_paid')
    """
    return f"nrr:{column[6:]}" if column.startswith("unsur_") else f"mean:{column}"
