"""Dates and time stamps: ISO 8601 read whole in Arrow, anything else value by value.

An unreadable date, one after today and one outside the codebook's range
become missing and are logged (``bad_date``, ``future_date``, ``out_of_range``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..problems import Problem
from .audit import OldValues
from .codes import arrow_text, factorize

__all__ = ["parse_datetimes", "parse_iso_arrow", "clean_date"]


def parse_datetimes(s: pd.Series, *, dayfirst=True) -> pd.Series:
    """Parse strings to naive UTC datetimes; unique values parsed once."""
    fast = parse_iso_arrow(s)
    if fast is not None:
        return fast
    codes, uniques = factorize(s)
    u = pd.Series(uniques, dtype=object)
    parsed = pd.to_datetime(u, errors="coerce", format="ISO8601", utc=True)
    miss = parsed.isna() & u.notna()
    if miss.any():
        alt = pd.to_datetime(u[miss], errors="coerce", format="mixed", dayfirst=dayfirst, utc=True)
        parsed[miss] = alt
    parsed = parsed.dt.tz_localize(None)
    # a year the nanosecond range cannot hold (e.g. 2500, typed for 2025) cannot be read either
    parsed = parsed.where((parsed >= pd.Timestamp.min) & (parsed <= pd.Timestamp.max)).astype("datetime64[ns]")
    out = np.append(parsed.to_numpy(), np.datetime64("NaT", "ns"))[codes]  # code -1 picks the NaT
    return pd.Series(out, index=s.index)


def parse_iso_arrow(s: pd.Series) -> pd.Series | None:
    """:func:`parse_datetimes` of an Arrow-backed text column whose every value is ISO 8601.

    Time stamps are distinct in nearly every row, so parsing the distinct
    values saves nothing: Arrow's parser reads the whole column at once. Every
    value must carry a zone offset (converted to UTC), or none may (taken as
    UTC), as ``pd.to_datetime(format="ISO8601", utc=True)`` reads them.
    Returns None for anything else (a value that is not ISO 8601, offsets in
    some rows only, a year outside the datetime64[ns] range): the caller
    parses value by value.
    """
    arr = arrow_text(s)
    if arr is None:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    for tz in ("UTC", None):
        try:
            parsed = pc.cast(arr, pa.timestamp("ns", tz))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        out = parsed.cast(pa.timestamp("ns")).to_numpy()
        return pd.Series(out.astype("datetime64[ns]", copy=False), index=s.index)
    return None


def clean_date(s, spec, raw_col, log, problems, today):
    """A date column as calendar days; unreadable, future and out-of-range dates become missing, logged."""
    dt = parse_datetimes(s)
    # interview_date is a date: local calendar day as typed
    present = s.notna().to_numpy()
    bad = present & dt.isna().to_numpy()
    old = OldValues(s)
    if bad.any():
        rows = np.flatnonzero(bad)
        log.add(rows, raw_col, old[rows], "", "bad_date")
        problems.append(Problem(int(rows[0]) + 1, raw_col, f"{rows.size} date(s) cannot be read and "
                                f"became missing (e.g. '{old[rows[0]]}')", "write dates as YYYY-MM-DD",
                                "warning"))
    day = dt.dt.normalize()
    lo, hi = (spec.range or (None, "today"))
    hi_ts = today if hi in (None, "today") else pd.Timestamp(str(hi))
    fut = (day > hi_ts).to_numpy()
    if fut.any():
        rows = np.flatnonzero(fut)
        rule = "future_date" if hi in (None, "today") else "out_of_range"
        log.add(rows, raw_col, old[rows], "", rule)
        problems.append(Problem(int(rows[0]) + 1, raw_col, f"{rows.size} date(s) after "
                                f"{hi_ts.date()} became missing (e.g. '{old[rows[0]]}')", None, "warning"))
        day = day.mask(fut)
    if lo is not None:
        early = (day < pd.Timestamp(str(lo))).to_numpy()
        if early.any():
            rows = np.flatnonzero(early)
            log.add(rows, raw_col, old[rows], "", "out_of_range")
            day = day.mask(early)
    return day.astype("datetime64[ns]")
