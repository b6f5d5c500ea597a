"""Units and sectors: each spelling mapped to its unit in the units file, sectors checked against it.

An unknown unit stops cleaning (``clem validate`` lists the first 20, with
close names); a sector the unit does not serve becomes missing, and a unit
with one sector gives it when none is typed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codebook import normalize_label
from ..errors import ClemInputError
from ..problems import Problem
from .audit import OldValues
from .codes import Coded, factorize, first_rows

__all__ = ["unit_lookup", "clean_units", "unit_sectors"]


def unit_lookup(units: pd.DataFrame) -> dict:
    """Normalised spelling (name or alias) -> the unit's canonical name."""
    lookup = {}
    for name, aliases in zip(units["name"], units["aliases"]):
        for a in [name, *aliases]:
            lookup[normalize_label(a)] = str(name)
    return lookup


def clean_units(s, units, raw_col, log, file, problems):
    """Each row's position in ``units`` (-1: unknown or empty, only when validating); aliases logged.

    An unknown or empty unit stops cleaning; when validating, the first 20
    unknown spellings are each listed with the close names.
    """
    lookup = unit_lookup(units)
    codes, uniques = factorize(s)
    mapped = [lookup.get(normalize_label(u)) for u in uniques]
    unknown = [i for i, m in enumerate(mapped) if m is None]  # in order of first appearance
    if unknown:
        from rapidfuzz import fuzz, process

        names = sorted(set(lookup))
        first_row = first_rows(codes, len(uniques))
        # cleaning stops at the first; validate lists each (the first 20)
        shown = unknown[:20] if problems.collect else unknown[:1]
        for i in shown:
            u = uniques[i]
            close = process.extract(normalize_label(u), names, scorer=fuzz.ratio, limit=8, score_cutoff=60)
            close_names = list(dict.fromkeys(lookup[c[0]] for c in close))[:3]
            hint = f"; close: {', '.join(close_names)}" if close_names else ""
            more = (f" ({len(unknown)} unknown unit values in all)" if len(unknown) > 1 and
                    (not problems.collect or i == shown[-1] and len(unknown) > len(shown)) else "")
            problems.stop(ClemInputError(
                f"unit '{u}' is not in units.yml{hint}{more}", file=file, row=int(first_row[i]) + 1,
                column=raw_col,
                fix="add it as an alias of the right unit in the units file (data/units.yml by default)",
            ))
    if (codes < 0).any():
        rows = np.flatnonzero(codes < 0)
        more = f" ({rows.size} rows in all)" if problems.collect and rows.size > 1 else ""
        problems.stop(ClemInputError(f"the unit is empty{more}", file=file, row=int(rows[0]) + 1,
                                     column=raw_col, fix="fill in the unit of every interview"))
    position = {str(name): i for i, name in enumerate(units["name"])}
    # -1: an unknown or empty unit (only when validating: cleaning has stopped above)
    unit_pos = np.array([position.get(m, -1) for m in mapped] + [-1], dtype=np.intp)[codes]
    canon = np.array([str(u) == m for u, m in zip(uniques, mapped)] + [True], dtype=bool)
    rows = np.flatnonzero(~canon[codes])
    log.add(rows, raw_col, OldValues(s)[rows], np.array(mapped, dtype=object)[codes[rows]], "unit_alias")
    return unit_pos


def unit_sectors(sector: Coded | None, units: pd.DataFrame, unit_pos: np.ndarray,
                 unit_known: np.ndarray, raw_sector: pd.Series | None, raw_col, log,
                 problems) -> Coded:
    """The sector of each row: one its unit serves, or the unit's only sector.

    ``sector`` is the cleaned sector column (None when the export has none),
    ``unit_pos`` each row's position in ``units``, ``unit_known`` False for
    rows whose unit is unknown (only when validating). A sector the
    interview's unit does not serve becomes missing and is logged
    (``sector_not_at_unit``, old value from ``raw_sector``); a unit with one
    sector gives it when none is typed. Worked on integer codes: unit
    position x distinct sector.
    """
    n = unit_pos.size
    sectors = list(units["sectors"])
    if sector is not None:
        # several spellings may map to one sector: one code per distinct sector
        vals = sector.values
        sec_vals = list(dict.fromkeys(str(v) for v in vals if v is not None))
        remap = np.array([sec_vals.index(str(v)) if v is not None else -1 for v in vals] + [-1], dtype=np.intp)
        sec_codes = remap[sector.codes]  # code -1 picks the appended -1
    else:
        sec_codes, sec_vals = np.full(n, -1, dtype=np.intp), []
    sec_index = {v: j for j, v in enumerate(sec_vals)}
    served = np.zeros((len(sectors), len(sec_vals) + 1), dtype=bool)  # last column: no sector
    for i, secs in enumerate(sectors):
        for sec in secs:
            if sec in sec_index:
                served[i, sec_index[sec]] = True
    for secs in sectors:
        if len(secs) == 1 and secs[0] not in sec_index:
            sec_index[secs[0]] = len(sec_vals)
            sec_vals.append(secs[0])
    implied = np.array([sec_index[secs[0]] if len(secs) == 1 else -1 for secs in sectors], dtype=np.intp)
    bad = (sec_codes >= 0) & ~served[unit_pos, sec_codes] & unit_known
    if bad.any():
        rows = np.flatnonzero(bad)
        log.add(rows, raw_col, OldValues(raw_sector)[rows], "", "sector_not_at_unit")
        problems.append(Problem(int(rows[0]) + 1, raw_col, f"{rows.size} sector(s) not served by the "
                                "interview's unit (see units.yml) became missing", None, "warning"))
    sec_codes = np.where(bad | (sec_codes < 0), implied[unit_pos], sec_codes)
    return Coded(np.array(sec_vals, dtype=object), sec_codes)
