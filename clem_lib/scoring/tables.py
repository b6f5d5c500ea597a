"""Reading the cleaned table for scoring: columns checked, answers as numbers, groups.

Every scoring function goes through these helpers, so a missing column, an
answer off the scale or a grouping column is reported the same way
everywhere, and grouped results come out in the same (sorted) order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ClemInputError

__all__ = [
    "check_columns",
    "check_level",
    "as_float",
    "as_bool",
    "answers",
    "scores",
    "by_list",
    "iter_groups",
    "group_codes",
    "group_matrix_sums",
    "rows_frame",
]


def check_columns(df: pd.DataFrame, columns, what: str) -> None:
    """Raise a ``ValueError`` naming the columns of ``columns`` that ``df`` lacks.

    >>> check_columns(pd.DataFrame({"unit": ["A"]}), ["unit", "unsur_waktu"], "ikm")
    Traceback (most recent call last):
    ...
    ValueError: ikm: the table has no column(s) unsur_waktu; clean the survey ...
    """
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: the table has no column(s) {', '.join(missing)}; "
            "clean the survey with clem_lib.clean_survey or map them in the codebook"
        )


def check_level(level: float) -> None:
    """Raise a ``ValueError`` unless the confidence level is strictly between 0 and 1.

    >>> check_level(0.95)
    >>> check_level(95)
    Traceback (most recent call last):
    ...
    ValueError: level 95 must be between 0 and 1, e.g. 0.95
    """
    if not (0 < level < 1):
        raise ValueError(f"level {level!r} must be between 0 and 1, e.g. 0.95")


def as_float(series: pd.Series) -> np.ndarray:
    """A column as float64, NaN for missing or not a number (booleans become 0/1).

    >>> as_float(pd.Series(["3", "x", None]))
    array([ 3., nan, nan])
    >>> as_float(pd.array([1, None, 4], dtype="Int64"))
    array([ 1., nan,  4.])
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        # the cleaned table's Int64 and Float64 columns: one conversion
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def as_bool(series: pd.Series) -> pd.Series:
    """A flag column as nullable boolean (accepts bool, 0/1 and nullable booleans).

    >>> as_bool(pd.Series([1, 0, None], dtype="Int64")).tolist()
    [True, False, <NA>]
    >>> as_bool(pd.Series(["ya"], name="disability"))
    Traceback (most recent call last):
    ...
    ValueError: column 'disability' should be boolean (True/False/<NA>); ...
    """
    if series.dtype == "boolean":
        return series
    try:
        return series.astype("boolean")
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"column '{series.name}' should be boolean (True/False/<NA>); clean the survey "
            "with clem_lib.clean_survey so that flags are booleans"
        ) from exc


def answers(df: pd.DataFrame, columns) -> np.ndarray:
    """Answers as a float matrix (respondents x columns), NaN for missing.

    >>> answers(pd.DataFrame({"a": [1, 4], "b": ["2", None]}), ["a", "b"])
    array([[ 1.,  2.],
           [ 4., nan]])
    """
    x = np.empty((len(df), len(columns)))
    if not len(df):
        return x
    for j, c in enumerate(columns):
        x[:, j] = as_float(df[c])  # straight into the matrix, no column_stack copy
    return x


def scores(df: pd.DataFrame, s, columns=None) -> np.ndarray:
    """Answers of a scheme's columns (default: its performance columns), checked against its scale.

    ``s`` is a :class:`~clem_lib.scoring.Scheme`. An answer off the scale
    (below ``scale_min``, above ``scale_max`` or not whole) raises a
    :class:`~clem_lib.errors.ClemInputError` naming the respondent.

    >>> from clem_lib.scoring import get_scheme
    >>> s = get_scheme({"unsur": ["waktu", "biaya"]})
    >>> scores(pd.DataFrame({"unsur_waktu": [3, 4], "unsur_biaya": [2, None]}), s)
    array([[ 3.,  2.],
           [ 4., nan]])
    >>> scores(pd.DataFrame({"unsur_waktu": [5], "unsur_biaya": [2]}), s)
    Traceback (most recent call last):
    ...
    clem_lib.errors.ClemInputError: column 'unsur_waktu': answer 5 of table row 1 is outside the scale 1..4 ...
    """
    columns = list(s.columns if columns is None else columns)
    x = answers(df, columns)
    bad = ~np.isnan(x) & ((x < s.scale_min) | (x > s.scale_max) | (x != np.floor(x)))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        who = (f"respondent {df['respondent_id'].iloc[i]}" if "respondent_id" in df.columns
               else f"table row {int(i) + 1}")
        raise ClemInputError(
            f"answer {x[i, j]:g} of {who} is outside the scale {s.scale_min}..{s.scale_max} "
            f"({int(bad.sum())} such answers)", column=columns[j],
            fix="clean the survey with clem_lib.clean_survey (out-of-scale codes become missing) "
                "or declare the scale in the scheme")
    return x


def by_list(by) -> list[str]:
    """The grouping argument of the scoring functions as a list of column names.

    >>> by_list(None), by_list("unit"), by_list(("unit", "round"))
    ([], ['unit'], ['unit', 'round'])
    """
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def iter_groups(df: pd.DataFrame, by: list[str]):
    """Yield (key dict, sub-frame) for each group, sorted; one whole-table group when by is empty.

    Missing keys form a group of their own (sorted last).

    >>> df = pd.DataFrame({"unit": ["B", "A", "B"], "x": [1, 2, 3]})
    >>> [(key, len(sub)) for key, sub in iter_groups(df, ["unit"])]
    [({'unit': 'A'}, 1), ({'unit': 'B'}, 2)]
    >>> [(key, len(sub)) for key, sub in iter_groups(df, [])]
    [({}, 3)]
    """
    if not by:
        yield {}, df
        return
    check_columns(df, by, "grouping")
    for key, sub in df.groupby(by, sort=True, dropna=False, observed=True):
        if not isinstance(key, tuple):
            key = (key,)
        yield dict(zip(by, key)), sub


def group_codes(df: pd.DataFrame, by: list[str]) -> tuple[list[dict], np.ndarray]:
    """Group keys (sorted, as :func:`iter_groups` yields them) and each row's group number.

    >>> keys, codes = group_codes(pd.DataFrame({"unit": ["B", "A", "B"]}), ["unit"])
    >>> keys, codes.tolist()
    ([{'unit': 'A'}, {'unit': 'B'}], [1, 0, 1])
    """
    if not by:
        return [{}], np.zeros(len(df), dtype=np.intp)
    check_columns(df, by, "grouping")
    gb = df.groupby(by, sort=True, dropna=False, observed=True)
    codes = gb.ngroup().to_numpy(dtype=np.intp)
    keys = [dict(zip(by, k if isinstance(k, tuple) else (k,))) for k in gb.size().index]
    return keys, codes


def group_matrix_sums(x: np.ndarray, codes: np.ndarray, ngroups: int):
    """Per-group answer counts and sums of a respondents x unsur matrix.

    Returns ``(answered, zero_filled, counts, totals)``: the answered
    indicator and the answers with missing set to 0 (respondents x unsur),
    then the number and the sum of answers per group (groups x unsur).

    >>> x = np.array([[1.0, np.nan], [3.0, 4.0], [2.0, 2.0]])
    >>> _, _, counts, totals = group_matrix_sums(x, np.array([0, 0, 1]), 2)
    >>> counts.tolist(), totals.tolist()
    ([[2.0, 1.0], [1.0, 1.0]], [[4.0, 4.0], [2.0, 2.0]])
    """
    r = ~np.isnan(x)
    y0 = np.where(r, x, 0.0)
    k = x.shape[1]
    counts = np.empty((ngroups, k))
    totals = np.empty((ngroups, k))
    for j in range(k):
        counts[:, j] = np.bincount(codes, weights=r[:, j], minlength=ngroups)
        totals[:, j] = np.bincount(codes, weights=y0[:, j], minlength=ngroups)
    return r, y0, counts, totals


def rows_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """The result table of a scoring function: ``rows`` in ``columns`` order, index 0..n-1.

    >>> rows_frame([{"unit": "A", "n": 3}], ["unit", "n", "estimate"])
      unit  n  estimate
    0    A  3       NaN
    """
    out = pd.DataFrame(rows, columns=columns)
    return out.reset_index(drop=True)
