"""Numbers as typed: rupiah amounts (``Rp 50.000``, ``gratis``), decimals with a comma, whole numbers.

Text that is no number, and numbers outside the codebook's range, become
missing and are logged (``not_a_number``, ``out_of_range``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codebook import normalize_label
from ..errors import ClemInputError
from ..problems import Problem
from .audit import OldValues
from .codes import factorize
from .labels import clean_scale_column

__all__ = ["to_number", "ZERO_AMOUNTS", "parse_numbers", "clean_number", "clean_integer"]


def to_number(s: pd.Series) -> pd.Series:
    """Parse numbers as typed (``Rp 50.000``, ``2,5``); each distinct value once."""
    codes, uniques = factorize(s)
    parsed = parse_numbers(pd.Series(uniques, dtype="string")).to_numpy(dtype="float64", na_value=np.nan)
    out = np.append(parsed, np.nan)[codes]  # code -1 (missing) picks the appended NaN
    return pd.Series(out, index=s.index)


#: amounts typed as a word meaning "nothing paid" (normalised as labels are)
ZERO_AMOUNTS = frozenset({"gratis", "free", "nol", "tidak bayar", "tidak ada biaya", "tanpa biaya",
                           "tidak dipungut biaya", "rp 0", "rp0"})


def parse_numbers(s: pd.Series) -> pd.Series:
    """Numbers as typed in Indonesia: ``Rp 10.000,-``, ``50.000`` (thousands), ``2,5``; NaN for the rest."""
    t = s.astype("string").str.strip()
    t = t.str.replace(r"(?i)^rp\.?\s*", "", regex=True)
    t = t.str.replace(r"(?:,-|,00|\.-)$", "", regex=True)  # Rp 10.000,- / Rp 10.000,00
    # Indonesian thousands separators: 50.000 / 1.250.000
    thousands = t.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+", na=False)
    t = t.where(~thousands, t.str.replace(".", "", regex=False))
    t = t.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    return pd.to_numeric(t, errors="coerce")


def clean_number(s, spec, raw_col, log, problems):
    """A number column as Float64; text and values off the range become missing, logged.

    In an amount, a word for "nothing paid" (:data:`ZERO_AMOUNTS`) reads as 0.
    """
    num = to_number(s)
    present = s.notna().to_numpy()
    old = OldValues(s)
    if spec.role == "amount":
        # "gratis" and the like: nothing paid, logged as a reading of the typed word
        codes, uniques = factorize(s)
        zero_u = np.array([normalize_label(str(u)) in ZERO_AMOUNTS for u in uniques] + [False], dtype=bool)
        zero = zero_u[np.where(codes >= 0, codes, len(uniques))] & num.isna().to_numpy()
        if zero.any():
            rows = np.flatnonzero(zero)
            log.add(rows, raw_col, old[rows], "0", "alias")
            num = num.mask(pd.Series(zero, index=num.index), 0.0)
    nan_num = num.isna().to_numpy()
    bad = present & nan_num
    if bad.any():
        rows = np.flatnonzero(bad)
        log.add(rows, raw_col, old[rows], "", "not_a_number")
        problems.append(Problem(int(rows[0]) + 1, raw_col, f"{rows.size} value(s) are not numbers and "
                                f"became missing (e.g. '{old[rows[0]]}')", None, "warning"))
    arr = num.to_numpy(dtype="float64", na_value=np.nan)
    if spec.range is not None:
        lo, hi = spec.range
        oor = np.zeros(len(arr), dtype=bool)
        if lo is not None:
            oor |= arr < float(lo)
        if hi is not None:
            oor |= arr > float(hi)
        if oor.any():
            rows = np.flatnonzero(oor)
            log.add(rows, raw_col, old[rows], "", "out_of_range")
            problems.append(Problem(int(rows[0]) + 1, raw_col, f"{rows.size} value(s) outside "
                                    f"[{lo}, {hi}] became missing (e.g. '{old[rows[0]]}')", None, "warning"))
            arr = np.where(oor, np.nan, arr)
    return pd.array(arr, dtype="Float64")


def clean_integer(s, spec, scale, raw_col, log, problems, max_share, file):
    """A whole-number column (e.g. the round) as Int64, through its ordinal scale when it has one.

    A value that is no whole number is an error; one outside the range becomes missing.
    """
    if scale is not None:
        if scale.kind != "ordinal":
            problems.stop(ClemInputError(f"column {spec.name} needs an ordinal scale (integer codes), "
                                         f"'{scale.name}' is {scale.kind}", file=file, column=raw_col,
                                         fix="give the scale integer codes and kind: ordinal"))
            return pd.arrays.IntegerArray(np.zeros(len(s), dtype="int64"), np.ones(len(s), dtype=bool))
        return clean_scale_column(s, spec, scale, raw_col, log, problems, max_share, file)
    num = to_number(s)
    bad = (s.notna() & (num.isna() | (num != np.round(num)))).to_numpy()
    old = OldValues(s)
    if bad.any():
        rows = np.flatnonzero(bad)
        more = f" ({rows.size} values in all)" if problems.collect and rows.size > 1 else ""
        problems.stop(ClemInputError(f"'{old[rows[0]]}' is not a whole number{more}", file=file,
                                     row=int(rows[0]) + 1, column=raw_col,
                                     fix="write the round as 1, 2, ... or give it a scale"))
        num = num.mask(bad)
    out = num.astype("Float64")
    if spec.range is not None:
        lo, hi = spec.range
        oor = ((out < lo) | (out > hi)).fillna(False).to_numpy(dtype=bool)
        if oor.any():
            rows = np.flatnonzero(oor)
            log.add(rows, raw_col, old[rows], "", "out_of_range")
            out = out.mask(oor)
    return out.astype("Int64").array
