"""Cleaning: from a raw export to the cleaned table, with an audit trail.

Each rule is named; every change it makes is one row of the audit log
``(row, column, old, new, rule)``, where ``row`` is the 1-based data row of the
raw export and ``column`` the raw column name. Rules:

=====================  ==========================================================
rule                   what it does
=====================  ==========================================================
``consent_refused``    consent is "no" (or missing): the interview is removed
``duplicate_uuid``     same respondent id as an earlier submission: removed
``duplicate_answers``  same enumerator, identical answers, submitted within
                       ``quality.duplicate_window_minutes``: removed
``alias``              a known variant spelling was mapped to its code
``missing_code``       "don't know" / "no answer" became missing (never 0)
``unmatched_label``    a value matching no level became missing
``out_of_range``       a number or code outside the valid range became missing
``not_a_number``       text in a numeric column became missing
``bad_date``           an unreadable date became missing
``future_date``        a date after today became missing
``unit_alias``         a unit spelling was mapped to its canonical name
``sector_not_at_unit`` a sector the unit does not serve became missing
``skip_logic``         an answer that should be empty (resolved without a
                       problem, extra amount without paying extra) became missing
``pii_dropped``        a personal-data column was dropped (one row per column)
``pii_hashed``         a personal-data column was replaced by a salted hash
``pii_free_text``      NIK, phone numbers or e-mails were removed from free text
=====================  ==========================================================

Speeders and straight-liners are flagged (``speeder``, ``straightliner``),
never dropped. Personal values never appear in the log: they show as
``<removed>``.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..codebook import ROLES, Codebook, Scale, load_codebook, load_units, normalize_label
from ..errors import ClemInputError
from ..io import atomic_path, read_survey, read_survey_columns, write_csv
from ..paths import UNITS_FILE
from ..privacy import REMOVED, get_salt, hash_values, scrub_text

__all__ = [
    "RULES",
    "LOG_COLUMNS",
    "Problem",
    "CleanResult",
    "clean_survey",
    "clean_frame",
    "validate_survey",
    "write_cleaned",
    "summarize_log",
]

RULES = (
    "consent_refused", "duplicate_uuid", "duplicate_answers", "alias", "missing_code",
    "unmatched_label", "out_of_range", "not_a_number", "bad_date", "future_date", "unit_alias",
    "sector_not_at_unit", "skip_logic", "pii_dropped", "pii_hashed", "pii_free_text",
)
LOG_COLUMNS = ["row", "column", "old", "new", "rule"]
ROW_REMOVED = "<row removed>"

_STRING_COLS = ("respondent_id", "unit", "unit_slug", "sector", "service", "enumerator", "gender",
                "education", "income_group", "channel", "suggestion")
_BOOL_COLS = ("disability", "elderly", "pregnant", "with_child", "special_group")
_FLAGS = ("disability", "elderly", "pregnant", "with_child")
_CONTRACT_DTYPES = {
    "round": "Int64", "interview_date": "datetime64[ns]", "age": "Float64",
    "overall_satisfaction": "Int64", "extra_amount": "Float64", "cost_paid": "Float64",
    "official_fee": "Float64", "days_to_complete": "Float64", "standard_days": "Float64",
    "wait_minutes": "Float64",
    **{c: "boolean" for c in ("disability", "elderly", "pregnant", "with_child", "special_group",
                              "facility_friendly", "had_problem", "problem_resolved", "paid_extra",
                              "knows_complaint", "speeder", "straightliner")},
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an export, as ``clem validate`` prints it.

    ``row`` is the 1-based data row (None: the whole file or column),
    ``column`` the raw column name, ``level`` ``"error"`` (exit 2) or
    ``"warning"``.
    """

    row: int | None
    column: str | None
    message: str
    fix: str | None
    level: str = "error"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        head = f"{self.level}: " + (", ".join(where) + ": " if where else "")
        tail = f" (fix: {self.fix})" if self.fix else ""
        return head + self.message + tail


@dataclass(frozen=True)
class CleanResult:
    """What :func:`clean_survey` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        The cleaned table (``docs/data_model.md``), one row per respondent,
        sorted by round, unit, respondent_id.
    log : pandas.DataFrame
        Audit log ``row, column, old, new, rule``.
    summary : pandas.DataFrame
        ``rule, unit, n``: changes per rule and unit (``unit`` empty for
        column-level entries).
    survey_name : str
    problems : tuple of Problem
        Warnings (unmatched labels with suggestions, out-of-range values...).
    n_raw : int
        Data rows in the raw export.
    """

    table: pd.DataFrame
    log: pd.DataFrame
    summary: pd.DataFrame
    survey_name: str
    problems: tuple = field(default_factory=tuple)
    n_raw: int = 0


class _Log:
    """Collects audit-log pieces as integer codes (no per-row Python objects).

    Each piece is one rule applied to one column: its rows, and its old and
    new values, each given as one string for all rows, one value per row, or
    ``(values, codes)``: ``values[codes]`` with the distinct values stored
    once. The log's text columns are built at the end, in Arrow.
    """

    def __init__(self):
        self.parts: list[tuple] = []

    def add(self, rows, column, old, new, rule):
        rows = np.asarray(rows, dtype="int64")
        if rows.size == 0:
            return
        self.parts.append((rows + 1, str(column), old, new, rule))

    def add_column(self, column, old, new, rule):
        self.parts.append((np.array([0], dtype="int64"), str(column), old, new, rule))  # row 0: column-level

    def summary(self, unit_pos, unit_names) -> pd.DataFrame:
        """:func:`summarize_log` of the last :meth:`frame`, from its codes (row r -> unit_pos[r - 1])."""
        if not hasattr(self, "counted"):
            return _count_by_rule_and_unit([], [], [], unit_names)
        rule_code, rule_names, row = self.counted
        unit_code = np.where(row > 0, unit_pos[np.maximum(row - 1, 0)], -1)
        return _count_by_rule_and_unit(rule_code, rule_names, unit_code, unit_names)

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
            removal = np.array([p[4] in _REMOVAL_RULES for p in parts])
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


_REMOVAL_RULES = ("consent_refused", "duplicate_uuid", "duplicate_answers")


class _Problems(list):
    """The problems of one cleaning; with ``collect``, errors are noted here instead of raised
    (``validate_survey`` lists every error in one pass)."""

    def __init__(self, collect: bool = False):
        super().__init__()
        self.collect = collect

    def stop(self, exc: ClemInputError) -> None:
        """Raise ``exc``, or note it as an error and let cleaning go on without the bad values."""
        if not self.collect:
            raise exc
        problem = _problem_from(exc, exc.file)
        if problem not in self:  # e.g. one missing salt for several hashed columns
            self.append(problem)


class _Old:
    """Raw values of a column, fetched only for the rows that are logged."""

    def __init__(self, s: pd.Series):
        self.s = s

    def __getitem__(self, rows):
        if np.isscalar(rows):
            v = self.s.iloc[int(rows)]
            return None if pd.isna(v) else str(v)
        vals = self.s.iloc[np.asarray(rows)].astype(object).to_numpy()
        return np.where(pd.isna(vals), None, vals)


def _resolve_columns(raw: pd.DataFrame, codebook: Codebook, file, problems) -> dict:
    """codebook entry name -> raw column name (Kobo group prefixes resolved)."""
    sep = codebook.source.get("group_separator") or "/"
    cols = list(raw.columns)
    stripped = {c: c.strip().casefold() for c in cols}
    last = {}
    for c in cols:
        last.setdefault(c.split(sep)[-1].strip().casefold(), []).append(c)
    found = {}
    for spec in codebook.columns:
        src = spec.source
        if spec.role == "special_groups":
            # Kobo's one 0/1 column per choice, when the export has one for every choice that is a
            # flag, is read before the joined column: joined labels holding spaces cannot be split
            flagged = [c for c, f in spec.choices.items() if f is not None]
            if flagged and all(f"{src}{sep}{c}" in raw.columns for c in flagged):
                found[spec.name] = None
                continue
        if src in raw.columns:
            found[spec.name] = src
            continue
        hit = [c for c in cols if stripped[c] == src.strip().casefold()]
        if not hit:
            hit = last.get(src.split(sep)[-1].strip().casefold(), [])
        if len(hit) == 1:
            found[spec.name] = hit[0]
        elif spec.role == "special_groups":
            prefix = src + sep
            if any(c.startswith(prefix) for c in cols):
                found[spec.name] = None  # Kobo split columns: <source>/<choice> = 0/1
            elif spec.required:
                problems.append(Problem(None, src, f"required column '{src}' (codebook entry "
                                        f"'{spec.name}', role {spec.role}) is not in the export",
                                        "rename the column in the export or fix source: in the codebook"))
        elif spec.required:
            from rapidfuzz import process

            close = process.extract(src, cols, limit=2, score_cutoff=60)
            hint = f"; close: {', '.join(repr(h[0]) for h in close)}" if close else ""
            problems.append(Problem(
                None, src,
                f"required column '{src}' (codebook entry '{spec.name}', role {spec.role}) is not in the export{hint}",
                "rename the column in the export, fix source: in the codebook, or mark it required: false",
            ))
    return found


def _factorize(s: pd.Series):
    """``pd.factorize(s, use_na_sentinel=True)``, without hashing when ``s`` is categorical.

    Same result: codes (-1 for missing) and the distinct values in order of
    first appearance (unused categories left out).
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return pd.factorize(s, use_na_sentinel=True)
    cat = s.cat.codes.to_numpy()
    cats = s.cat.categories
    n, k = cat.size, len(cats)
    if n and k:
        # categories already in order of first appearance, each one used (the usual case: the
        # reader builds them so)? Exactly then the running maximum of the codes starts at -1 or 0,
        # never climbs by more than one and ends at k - 1. (No overflow in the code dtype: codes
        # are below k, so a step is at most k.)
        top = np.maximum.accumulate(cat)
        if top[0] <= 0 and top[-1] == k - 1 and (n == 1 or int(np.diff(top).max()) <= 1):
            return cat.astype(np.intp), pd.Index(np.asarray(cats, dtype=object), dtype=object)
    ok = cat >= 0
    first = np.full(k, n, dtype="int64")
    np.minimum.at(first, cat[ok], np.flatnonzero(ok))
    used = np.flatnonzero(first < n)
    order = used[np.argsort(first[used], kind="stable")]
    uniques = pd.Index(np.asarray(cats, dtype=object)[order], dtype=object)
    if order.size == k and (order == np.arange(k)).all():
        return cat.astype(np.intp), uniques
    remap = np.full(k + 1, -1, dtype=np.intp)
    remap[order] = np.arange(order.size)
    return remap[cat], uniques  # code -1 picks remap[-1] == -1


def _map_scale(s: pd.Series, scale: Scale):
    """Map raw strings through a scale.

    Returns (typed pandas array of codes, status per row, distinct values,
    row -> distinct index, status per distinct value); status 0 =
    exact/official, 1 = alias, 2 = missing code, 3 = unmatched, 4 = out of
    range, -1 = empty. Each distinct value is normalised once.
    """
    codes, uniques = _factorize(s)
    uval = np.empty(len(uniques), dtype=object)
    ustat = np.zeros(len(uniques), dtype="int8")
    valid = set(scale.codes)
    for i, u in enumerate(uniques):
        key = normalize_label(u)
        if key in scale.lookup:
            uval[i] = scale.lookup[key]
            ustat[i] = 0 if str(u) in scale.canonical else 1
        elif key in scale.missing or key == "":
            uval[i] = None
            ustat[i] = 2
        else:
            uval[i] = None
            ustat[i] = 3
            if scale.kind == "ordinal":
                try:
                    num = float(key.replace(" ", ""))
                except ValueError:
                    num = None
                if num is not None and num not in valid:
                    ustat[i] = 4
    stat = np.append(ustat, np.int8(-1))[codes]  # code -1 (missing) picks the appended -1
    return _typed(scale, uval, codes), stat, uniques, codes, ustat


def _typed(scale: Scale, uval, codes):
    """Per-row values as a pandas array of the scale's type, built from the distinct values."""
    known = np.array([v is not None for v in uval] + [False], dtype=bool)
    idx = np.where(codes >= 0, codes, len(uval))
    mask = ~known[idx]
    if scale.kind == "ordinal":
        u = np.array([v if v is not None else 0 for v in uval] + [0], dtype="int64")
        return pd.arrays.IntegerArray(u[idx], mask)
    if scale.kind == "boolean":
        u = np.array([bool(v) for v in uval] + [False], dtype=bool)
        return pd.arrays.BooleanArray(u[idx], mask)
    return _Coded(np.array([None if v is None else str(v) for v in uval], dtype=object),
                  np.where(mask, -1, idx))


@dataclass(frozen=True)
class _Coded:
    """A text column kept as its distinct values and one code per row (-1: missing).

    clean_frame builds the ``string`` array only after the rows are sorted,
    from the few distinct values, instead of building it and then reordering
    a million strings.
    """

    values: np.ndarray
    codes: np.ndarray

    def strings(self, order=None):
        return _strings(self.values, self.codes if order is None else self.codes[order])


def _strings(values, codes) -> pd.api.extensions.ExtensionArray:
    """``values[codes]`` (code -1: missing) as a ``string`` array, built in Arrow (no per-row objects)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = np.asarray(codes)
    dictionary = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    taken = pc.take(dictionary, pa.array(codes, mask=codes < 0, type=pa.int64()))
    return pd.array(taken, dtype=pd.StringDtype("pyarrow"))


def _map_scale_values(uniques, scale: Scale) -> list:
    return [scale.lookup.get(normalize_label(u)) for u in uniques]


def _suggestion_text(scale: Scale, values) -> str:
    parts = []
    for v in values[:3]:
        sug = scale.suggest(v)
        parts.append(f"'{v}'" + (f" (did you mean '{sug[0]}'?)" if sug else ""))
    return ", ".join(parts)


def _clean_scale_column(s, spec, scale, raw_col, log, problems, max_share, file):
    vals, stat, uniques, codes, ustat = _map_scale(s, scale)
    # old and new values are taken from the distinct values: no per-row string objects
    u_old = np.asarray(uniques, dtype=object)
    u_new = np.array(["" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
                      for v in _map_scale_values(uniques, scale)], dtype=object)
    for st, rule in ((1, "alias"), (2, "missing_code"), (3, "unmatched_label"), (4, "out_of_range")):
        rows = np.flatnonzero(stat == st)
        if rows.size:
            new = (u_new, codes[rows]) if st == 1 else ""
            log.add(rows, raw_col, (u_old, codes[rows]), new, rule)
    answered = int((stat >= 0).sum())
    n_bad = int((stat == 3).sum())
    if n_bad:
        counts = np.bincount(codes + 1, minlength=len(uniques) + 1)[1:]  # code -1 counted apart
        bad_idx = np.flatnonzero(ustat == 3)
        bad_idx = bad_idx[np.argsort(-counts[bad_idx], kind="stable")]  # most frequent first
        text = _suggestion_text(scale, [u_old[i] for i in bad_idx])
        share = n_bad / max(answered, 1)
        first_row = int(np.flatnonzero(stat == 3)[0]) + 1
        if share > max_share:
            problems.stop(ClemInputError(
                f"{n_bad} of {answered} answers ({share:.0%}) match no level of scale '{scale.name}', "
                f"more than the allowed {max_share:.0%}: {text}",
                file=file, row=first_row, column=raw_col,
                fix=f"add the spellings as aliases of scale '{scale.name}' in the codebook",
            ))
        else:
            problems.append(Problem(first_row, raw_col,
                                    f"{n_bad} answer(s) match no level of scale '{scale.name}' and became "
                                    f"missing: {text}",
                                    f"add them as aliases of scale '{scale.name}' in the codebook",
                                    "warning"))
    n_oor = int((stat == 4).sum())
    if n_oor:
        problems.append(Problem(int(np.flatnonzero(stat == 4)[0]) + 1, raw_col,
                                f"{n_oor} answer(s) outside scale '{scale.name}' "
                                f"({', '.join(str(c) for c in scale.codes)}) became missing", None, "warning"))
    return vals


def _to_number(s: pd.Series) -> pd.Series:
    """Parse numbers as typed (``Rp 50.000``, ``2,5``); each distinct value once."""
    codes, uniques = _factorize(s)
    parsed = _parse_numbers(pd.Series(uniques, dtype="string")).to_numpy(dtype="float64", na_value=np.nan)
    out = np.append(parsed, np.nan)[codes]  # code -1 (missing) picks the appended NaN
    return pd.Series(out, index=s.index)


#: amounts typed as a word meaning "nothing paid" (normalised as labels are)
_ZERO_AMOUNTS = frozenset({"gratis", "free", "nol", "tidak bayar", "tidak ada biaya", "tanpa biaya",
                           "tidak dipungut biaya", "rp 0", "rp0"})


def _parse_numbers(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip()
    t = t.str.replace(r"(?i)^rp\.?\s*", "", regex=True)
    t = t.str.replace(r"(?:,-|,00|\.-)$", "", regex=True)  # Rp 10.000,- / Rp 10.000,00
    # Indonesian thousands separators: 50.000 / 1.250.000
    thousands = t.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+", na=False)
    t = t.where(~thousands, t.str.replace(".", "", regex=False))
    t = t.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
    return pd.to_numeric(t, errors="coerce")


def _clean_number(s, spec, raw_col, log, problems):
    num = _to_number(s)
    present = s.notna().to_numpy()
    old = _Old(s)
    if spec.role == "amount":
        # "gratis" and the like: nothing paid, logged as a reading of the typed word
        codes, uniques = _factorize(s)
        zero_u = np.array([normalize_label(str(u)) in _ZERO_AMOUNTS for u in uniques] + [False], dtype=bool)
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


def _parse_datetimes(s: pd.Series, *, dayfirst=True) -> pd.Series:
    """Parse strings to naive UTC datetimes; unique values parsed once."""
    fast = _parse_iso_arrow(s)
    if fast is not None:
        return fast
    codes, uniques = _factorize(s)
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


def _arrow_text(s: pd.Series):
    """The Arrow data of an Arrow-backed text column (a ``ChunkedArray``), or None for any other column."""
    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa

    return pa.chunked_array(pa.array(s.array))


def _parse_iso_arrow(s: pd.Series) -> pd.Series | None:
    """:func:`_parse_datetimes` of an Arrow-backed text column whose every value is ISO 8601.

    Time stamps are distinct in nearly every row, so parsing the distinct
    values saves nothing: Arrow's parser reads the whole column at once. Every
    value must carry a zone offset (converted to UTC), or none may (taken as
    UTC), as ``pd.to_datetime(format="ISO8601", utc=True)`` reads them.
    Returns None for anything else (a value that is not ISO 8601, offsets in
    some rows only, a year outside the datetime64[ns] range): the caller
    parses value by value.
    """
    arr = _arrow_text(s)
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


def _clean_date(s, spec, raw_col, log, problems, today):
    dt = _parse_datetimes(s)
    # interview_date is a date: local calendar day as typed
    present = s.notna().to_numpy()
    bad = present & dt.isna().to_numpy()
    old = _Old(s)
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


def _clean_integer(s, spec, scale, raw_col, log, problems, max_share, file):
    if scale is not None:
        if scale.kind != "ordinal":
            problems.stop(ClemInputError(f"column {spec.name} needs an ordinal scale (integer codes), "
                                         f"'{scale.name}' is {scale.kind}", file=file, column=raw_col,
                                         fix="give the scale integer codes and kind: ordinal"))
            return pd.arrays.IntegerArray(np.zeros(len(s), dtype="int64"), np.ones(len(s), dtype=bool))
        return _clean_scale_column(s, spec, scale, raw_col, log, problems, max_share, file)
    num = _to_number(s)
    bad = (s.notna() & (num.isna() | (num != np.round(num)))).to_numpy()
    old = _Old(s)
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


def _unit_lookup(units: pd.DataFrame) -> dict:
    lookup = {}
    for name, aliases in zip(units["name"], units["aliases"]):
        for a in [name, *aliases]:
            lookup[normalize_label(a)] = str(name)
    return lookup


def _clean_units(s, units, raw_col, log, file, problems):
    lookup = _unit_lookup(units)
    codes, uniques = _factorize(s)
    mapped = [lookup.get(normalize_label(u)) for u in uniques]
    unknown = [i for i, m in enumerate(mapped) if m is None]  # in order of first appearance
    if unknown:
        from rapidfuzz import fuzz, process

        names = sorted(set(lookup))
        first_rows = _first_rows(codes, len(uniques))
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
                f"unit '{u}' is not in units.yml{hint}{more}", file=file, row=int(first_rows[i]) + 1,
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
    log.add(rows, raw_col, _Old(s)[rows], np.array(mapped, dtype=object)[codes[rows]], "unit_alias")
    return unit_pos


def _salt(codebook: Codebook, problems: "_Problems"):
    """The salt for hashing personal data, or None when it is missing and errors are collected."""
    try:
        return get_salt(codebook.privacy.get("salt_env", "CLEM_PII_SALT"))
    except ClemInputError as exc:
        problems.stop(exc)
        return None


def _first_rows(codes, k) -> np.ndarray:
    """Row of the first appearance of each of ``k`` codes (code -1 ignored)."""
    first = np.full(k, codes.size, dtype="int64")
    ok = codes >= 0
    np.minimum.at(first, codes[ok], np.flatnonzero(ok))
    return first


def _choice_pieces(value: str, separator: str | None) -> list[str]:
    """The ticked choices of one cell, each normalised as labels are (see ``normalize_label``).

    With no separator the choices are Kobo/ODK choice names joined by spaces;
    otherwise the cell is split at the separator (Google Forms joins checkbox
    labels with ", ", and a label may itself hold spaces).
    """
    if separator is None or not separator.strip():
        parts = re.split(r"[\s,;]+", value)
    else:
        parts = value.split(separator.strip())
    return [p for p in (normalize_label(x) for x in parts) if p]


def _select_multiple(raw, spec, raw_col, sep, n, log=None, problems=None, file=None):
    """A select-multiple question -> {flag: boolean array}.

    One column of ticked choices (Kobo/ODK names joined by spaces, or labels
    joined by ``spec.separator``), or Kobo's split columns
    ``<source><sep><choice>`` holding 1/0. A blank cell means nothing ticked
    (``spec.blank == "none"``, flags false) or no answer (``"missing"``).
    Ticked values that are no choice of the codebook are logged as
    ``unmatched_label`` and are an error: the codebook must say what they mean.
    """
    blank_is_none = spec.blank == "none"
    wanted = {normalize_label(c): flag for c, flag in spec.choices.items()}
    flag_names = list(dict.fromkeys(f for f in spec.choices.values() if f is not None))
    if raw_col is not None:
        codes, uniques = _factorize(raw[raw_col])
        n_u = len(uniques)
        hits = {f: np.zeros(n_u + 1, dtype=bool) for f in flag_names}  # last: blank cell (code -1)
        unknown = []
        blank_u = np.zeros(n_u + 1, dtype=bool)
        blank_u[n_u] = True
        for i, u in enumerate(uniques):
            pieces = _choice_pieces(str(u), spec.separator)
            if not pieces:
                blank_u[i] = True
            for piece in pieces:
                if piece not in wanted:
                    unknown.append(i)
                elif wanted[piece] is not None:
                    hits[wanted[piece]][i] = True
        idx = np.where(codes >= 0, codes, n_u)
        if unknown and log is not None:
            bad_u = np.zeros(n_u + 1, dtype=bool)
            bad_u[unknown] = True
            rows = np.flatnonzero(bad_u[idx])
            log.add(rows, raw_col, (np.asarray(uniques, dtype=object), codes[rows]), "", "unmatched_label")
            shown = ", ".join(repr(str(uniques[i])) for i in unknown[:3])
            problems.stop(ClemInputError(
                f"{rows.size} answer(s) hold choices the codebook does not list: {shown}",
                file=file, row=int(rows[0]) + 1, column=raw_col,
                fix=f"add each choice under choices: of '{spec.source}' (map it to a flag, or to null "
                    "when it is none of the special groups)"))
        blank_rows = blank_u[idx]
        if problems is not None and n and blank_rows.mean() > 0.9:  # most users belong to no special group
            problems.append(Problem(
                None, raw_col, f"{blank_rows.mean():.0%} of the cells are blank; they count as "
                + ("nothing ticked (blank: none)" if blank_is_none else "not answered (blank: missing)"),
                "if a blank means the question was skipped, write blank: missing in the codebook entry"
                if blank_is_none else "if a blank means nothing was ticked, write blank: none", "warning"))
        mask = blank_rows if not blank_is_none else np.zeros(n, dtype=bool)
        return {f: pd.arrays.BooleanArray(hits[f][idx] & ~mask, mask.copy()) for f in flag_names}
    flags = {}
    present = [c for c in spec.choices if f"{spec.source}{sep}{c}" in raw.columns]
    for choice, flag in spec.choices.items():
        col = f"{spec.source}{sep}{choice}"
        if flag is None or col not in raw.columns:
            continue
        v = raw[col].astype("string").str.strip().str.casefold()
        hit = v.isin(["1", "true", "ya", "yes", "1.0"]).astype("boolean")
        if not blank_is_none:
            hit = hit.mask(v.isna() | v.eq(""))
        prev = flags.get(flag)
        flags[flag] = hit if prev is None else (prev | hit)
    if not blank_is_none and present:
        # a row with every split column blank was not answered: unknown, whatever the flag; so is a
        # row whose joined column (Kobo writes both) is blank
        cols = [raw[f"{spec.source}{sep}{c}"].astype("string").str.strip() for c in present]
        if spec.source in raw.columns:
            cols = [raw[spec.source].astype("string").str.strip()]
        unanswered = np.logical_and.reduce([(c.isna() | c.eq("")).to_numpy(dtype=bool) for c in cols])
        flags = {k: v.mask(unanswered) for k, v in flags.items()}
    return {k: v.array for k, v in flags.items()}


def _value_codes(s: pd.Series) -> np.ndarray:
    """One integer per row, equal exactly where the values are equal (missing: -1).

    Categoricals give their codes; Arrow-backed text is dictionary-encoded in
    Arrow (without the GIL, fast on columns whose values are all distinct);
    anything else goes through ``pd.factorize``.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.intp)
    arr = _arrow_text(s)
    if arr is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(arr)  # one dictionary for all chunks
        indices = pa.chunked_array([ch.indices for ch in encoded.chunks], type=pa.int32())
        return pc.fill_null(indices, -1).to_numpy().astype(np.intp)
    return _factorize(s)[0].astype(np.intp)


def _answer_key(columns, enum_codes, rows) -> np.ndarray:
    """One 64-bit key per row of ``rows``, from its enumerator and its value in each column.

    Each column's value codes (:func:`_value_codes`, over ``rows`` alone) are
    mixed (:func:`_mix64`) and combined: equal keys mean equal values but for
    a 64-bit collision.
    """
    h = _mix64(enum_codes[rows])
    for s in columns:
        codes = _value_codes(s if rows.size == len(s) else s.take(rows))
        mixed = _mix64(np.arange(-1, int(codes.max(initial=-1)) + 1))  # per distinct value (and missing)
        codes += 1
        np.multiply(h, np.uint64(1000003), out=h)
        np.bitwise_xor(h, mixed.take(codes), out=h)
    return h


def _repeated(h: np.ndarray) -> np.ndarray:
    """Boolean: the entries of ``h`` that occur more than once."""
    return pd.Series(h).duplicated(keep=False).to_numpy()


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (Steele, Lea and Flood 2014): well-spread 64-bit values from integers."""
    x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _duplicates(raw, found, codebook, keep_mask, log, sub_times, ids):
    """Mark duplicate submissions (same uuid; identical answers minutes apart).

    Sorting and comparing work on integer codes (one per distinct value), not
    on the strings.
    """
    id_col = found.get("respondent_id")
    n = len(raw)
    if sub_times is not None:
        t = sub_times.to_numpy().astype("datetime64[ns]").view("int64").copy()
        t[np.isnat(sub_times.to_numpy())] = np.iinfo("int64").max  # no time stamp: last
    else:
        t = np.zeros(n, dtype="int64")
    remove_uuid = np.zeros(n, dtype=bool)
    id_codes = _value_codes(ids)
    # among kept rows with an id, in submission order (ties: row order), every repeat of an id after
    # its first; only the rows whose id occurs more than once are sorted
    cand = keep_mask & (id_codes >= 0)
    counts = np.bincount(id_codes[cand] + 1, minlength=int(id_codes.max(initial=-1)) + 2)  # [0]: no id
    rows = np.flatnonzero(cand & (counts[id_codes + 1] > 1))
    rows = rows[np.lexsort((rows, t[rows], id_codes[rows]))]
    later = id_codes[rows][1:] == id_codes[rows][:-1]
    remove_uuid[rows[1:][later]] = True
    ans_specs = [c for c in codebook.columns
                 if c.role not in ("respondent_id", "submission_time") and found.get(c.name)]
    ans_cols = list(dict.fromkeys(found[c.name] for c in ans_specs))
    enum_col = found.get("enumerator")
    remove_ans = np.zeros(n, dtype=bool)
    if enum_col is not None and ans_cols:
        enum_codes, _ = _factorize(raw[enum_col])
        # rows without an enumerator are never "the same enumerator"
        live = np.flatnonzero(keep_mask & ~remove_uuid & (enum_codes >= 0))
        # only rows whose answers repeat under the same enumerator can be duplicates: first narrowed
        # by the label columns (categoricals: cheap codes), then the key of every answer is built for
        # the rows left (text with a distinct value in nearly every row is encoded for those alone)
        labels = [c for c in ans_cols if isinstance(raw[c].dtype, pd.CategoricalDtype)]
        if labels:
            live = live[_repeated(_answer_key([raw[c] for c in labels], enum_codes, live))]
        h = _answer_key([raw[c] for c in ans_cols], enum_codes, live)
        again = _repeated(h)
        live, h = live[again], h[again]
        # by enumerator and answers, then submission time, then row
        by = np.lexsort((live, t[live], h, enum_codes[live]))
        srt, h = live[by], h[by]
        same = (h[1:] == h[:-1]) & (enum_codes[srt][1:] == enum_codes[srt][:-1])
        if sub_times is not None:
            window = pd.Timedelta(minutes=float(codebook.quality["duplicate_window_minutes"]))
            ts = sub_times.to_numpy().astype("datetime64[ns]")[srt]
            close = (ts[1:] - ts[:-1]) <= window.to_timedelta64()
        else:
            close = np.ones(max(srt.size - 1, 0), dtype=bool)
        dup = np.concatenate([[False], same & close]) if srt.size else np.zeros(0, dtype=bool)
        remove_ans[srt[dup]] = True
    id_specs = codebook.by_role("respondent_id")
    old = _Old(ids) if not id_specs or id_specs[0].pii != "hash" else (lambda rows: REMOVED)
    id_col = id_col if id_col is not None else ""  # rows numbered by clem: no export column
    rows = np.flatnonzero(remove_uuid)
    fetch = old.__getitem__ if isinstance(old, _Old) else old
    log.add(rows, id_col, fetch(rows), ROW_REMOVED, "duplicate_uuid")
    rows = np.flatnonzero(remove_ans)
    log.add(rows, id_col, fetch(rows), ROW_REMOVED, "duplicate_answers")
    return remove_uuid | remove_ans


def _clean_values(raw, codebook, found, log, problems, *, file, today, ids) -> dict:
    """The value columns, one after another: codebook entry name -> cleaned array (or _Coded).

    ``ids``: the respondent ids, stripped (by :func:`clean_frame`, for the duplicate rules too).
    """
    n = len(raw)
    max_share = float(codebook.quality["max_unmatched_share"])
    sep = codebook.source.get("group_separator") or "/"
    out: dict[str, object] = {}
    for spec in codebook.columns:
        col = found.get(spec.name)
        kind = ROLES[spec.role]
        if spec.role in ("unit", "consent", "start_time", "end_time", "submission_time"):
            continue
        if spec.role == "special_groups":
            if spec.name in found:
                out.update(_select_multiple(raw, spec, col, sep, n, log, problems, file))
            continue
        if col is None:
            continue
        s = raw[col]
        scale = codebook.scales.get(spec.scale) if spec.scale else None
        if kind == "personal":
            if spec.pii == "hash":
                salt = _salt(codebook, problems)
                if salt is None:
                    continue
                out[spec.name] = hash_values(s, salt).array
                log.add_column(col, REMOVED, "<hashed>", "pii_hashed")
            else:
                log.add_column(col, REMOVED, "<dropped>", "pii_dropped")
            continue
        if kind == "id":
            if spec.pii == "hash":
                salt = _salt(codebook, problems)
                if salt is None:
                    continue
                ids = hash_values(ids, salt)
                log.add_column(col, REMOVED, "<hashed>", "pii_hashed")
            out[spec.name] = ids.array
            continue
        if kind in ("ordinal", "boolean", "nominal") or (kind == "text" and scale is not None):
            out[spec.name] = _clean_scale_column(s, spec, scale, col, log, problems, max_share, file)
        elif kind == "integer":
            out[spec.name] = _clean_integer(s, spec, scale, col, log, problems, max_share, file)
        elif kind == "number":
            out[spec.name] = _clean_number(s, spec, col, log, problems)
        elif kind == "date":
            out[spec.name] = _clean_date(s, spec, col, log, problems, today).array
        elif kind == "free_text":
            codes, uniques = _factorize(s)
            u = pd.Series(uniques, dtype="string")
            su = scrub_text(u)
            changed_u = (su != u).fillna(False).to_numpy(dtype=bool)
            clean_u = su.str.strip().replace("", pd.NA).to_numpy(dtype=object, na_value=None)
            changed = np.append(changed_u, False)[codes]  # code -1: the appended False
            rows = np.flatnonzero(changed)
            log.add(rows, col, REMOVED, (clean_u, codes[rows]), "pii_free_text")
            out[spec.name] = _Coded(clean_u, codes)
        else:  # text: stripped, each distinct value once
            codes, uniques = _factorize(s)
            out[spec.name] = _Coded(np.array([str(u).strip() for u in uniques], dtype=object), codes)

    return out


def clean_frame(raw: pd.DataFrame, codebook: Codebook, units: pd.DataFrame, *, file=None,
                today=None, collect_errors: bool = False) -> CleanResult:
    """Clean a raw frame (as returned by :func:`read_survey`) through a codebook.

    Parameters
    ----------
    raw : pandas.DataFrame
        Raw strings, index ``0..n-1`` (data row = index + 1).
    codebook : Codebook
    units : pandas.DataFrame
        From :func:`load_units`.
    file : str or Path, optional
        Named in error messages.
    today : pandas.Timestamp, optional
        Dates after it are impossible (default: the current date).
    collect_errors : bool, default False
        Note each error (unknown units, too many unmatched labels in a
        column, values that are not whole numbers, a missing salt) in
        ``problems`` with level ``"error"`` and go on without the bad values,
        instead of raising at the first; :func:`validate_survey` uses it to
        list every error in one pass. A missing required column is raised
        all the same.

    Returns
    -------
    CleanResult

    Raises
    ------
    ClemInputError
        Missing required column, unit not in the units file, too many
        unmatched labels in a column, respondent id hashing without salt.
    """
    today = pd.Timestamp.today().normalize() if today is None else pd.Timestamp(today).normalize()
    raw = raw.reset_index(drop=True)
    n = len(raw)
    problems = _Problems(collect=collect_errors)
    log = _Log()
    found = _resolve_columns(raw, codebook, file, problems)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        p = errors[0]
        more = f" (+{len(errors) - 1} more missing columns)" if len(errors) > 1 else ""
        raise ClemInputError(p.message + more, file=file, column=p.column, fix=p.fix)

    # unit first: an unknown unit stops everything
    unit_col = found["unit"]
    unit_pos = _clean_units(raw[unit_col], units, unit_col, log, file, problems)  # row -> units row
    unit_names = np.array([str(u) for u in units["name"]], dtype=object)

    # consent
    keep = unit_pos >= 0  # all rows, unless validating an export with unknown units
    unit_known = keep.copy()
    unit_pos = np.maximum(unit_pos, 0)
    consent_spec = codebook.by_role("consent")
    if consent_spec and found.get(consent_spec[0].name):
        c = consent_spec[0]
        col = found[c.name]
        vals, stat, *_ = _map_scale(raw[col], codebook.scales[c.scale])
        yes = pd.array(vals, dtype="boolean").fillna(False).to_numpy(dtype=bool)
        rows = np.flatnonzero(~yes)
        old = _Old(raw[col])[rows]
        log.add(rows, col, np.where(pd.isna(old), "", old), ROW_REMOVED, "consent_refused")
        keep &= yes

    # times used for quality checks
    times = {}
    for role in ("start_time", "end_time", "submission_time"):
        specs = codebook.by_role(role)
        if specs and found.get(specs[0].name):
            times[role] = _parse_datetimes(raw[found[specs[0].name]])
    sub_times = times.get("submission_time", times.get("end_time"))
    if found.get("respondent_id") is not None:
        ids = raw[found["respondent_id"]].astype("string").str.strip()  # for the duplicate rules and the table
    else:
        # no respondent id in the export (e.g. Google Forms): each data row is a respondent, numbered
        width = len(str(n))
        ids = pd.Series([f"{i:0{width}d}" for i in range(1, n + 1)], dtype="string")

    # duplicates (encoding and sorting whole columns, in Arrow and numpy code that mostly runs without
    # the GIL) in a second thread while the value columns are cleaned; the two add audit-log pieces of
    # different (rule, column), so the log's order does not depend on which ends first. The raw columns
    # stay until both are done (the duplicate rule reads every answer).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(_duplicates, raw, found, codebook, keep.copy(), log, sub_times, ids)
        # a bad value column raises here; leaving the block waits for the other thread first
        out = _clean_values(raw, codebook, found, log, problems, file=file, today=today, ids=ids)
        removed = pending.result()
    if not codebook.by_role("respondent_id"):
        out["respondent_id"] = ids.array
    if not codebook.by_role("round"):
        out["round"] = pd.array(np.ones(n, dtype="int64"), dtype="Int64")  # one round
    keep &= ~removed

    coded = {k: v for k, v in out.items() if isinstance(v, _Coded)}  # text: built after sorting
    table = pd.DataFrame({k: v for k, v in out.items() if k not in coded}, index=raw.index, copy=False)
    coded["unit"] = _Coded(unit_names, unit_pos)

    # sector must be one the unit serves; a unit with one sector gives it when none is typed
    # (worked on integer codes: unit position x distinct sector)
    sectors = list(units["sectors"])
    if "sector" in coded:
        # several spellings may map to one sector: one code per distinct sector
        vals = coded["sector"].values
        sec_vals = list(dict.fromkeys(str(v) for v in vals if v is not None))
        remap = np.array([sec_vals.index(str(v)) if v is not None else -1 for v in vals] + [-1], dtype=np.intp)
        sec_codes = remap[coded["sector"].codes]  # code -1 picks the appended -1
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
        scol = found[codebook.column("sector").name]
        log.add(rows, scol, _Old(raw[scol])[rows], "", "sector_not_at_unit")
        problems.append(Problem(int(rows[0]) + 1, scol, f"{rows.size} sector(s) not served by the "
                                "interview's unit (see units.yml) became missing", None, "warning"))
    sec_codes = np.where(bad | (sec_codes < 0), implied[unit_pos], sec_codes)
    coded["sector"] = _Coded(np.array(sec_vals, dtype=object), sec_codes)

    # skip logic
    for parent, child in (("had_problem", "problem_resolved"), ("paid_extra", "extra_amount")):
        if parent in table.columns and child in table.columns:
            bad = (table[parent].eq(False) & table[child].notna()).fillna(False).to_numpy(dtype=bool)
            if bad.any():
                rows = np.flatnonzero(bad)
                ccol = found[child]
                log.add(rows, ccol, _Old(raw[ccol])[rows], "", "skip_logic")
                table.loc[bad, child] = pd.NA

    coded["unit_slug"] = _Coded(np.array([str(v) for v in units["slug"]], dtype=object), unit_pos)
    del raw  # every raw value needed is in the table or the log now

    def log_and_summary():
        return log.frame(removed=~keep), log.summary(unit_pos, unit_names)

    # nothing below adds to the log: it is sorted and built (value corrections in removed rows left
    # out, as noise beside the removal) in a second thread while the table is finished and sorted

    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = pool.submit(log_and_summary)
        table = _finish_table(table, coded, codebook, times, keep, unit_pos, unit_names, pool)
        log_df, summary = pending.result()
    unsur_cols = [f"unsur_{k}" for k in codebook.unsur_keys if f"unsur_{k}" in table.columns]
    if len(table) and unsur_cols and not table[unsur_cols].notna().to_numpy().any():
        sources = [c.source for c in codebook.columns if c.role == "unsur"]
        problems.stop(ClemInputError(
            f"no IKM answers: every answer in the {len(sources)} unsur column(s) "
            f"({', '.join(sources[:3])}{', ...' if len(sources) > 3 else ''}) is blank or missing",
            file=file, fix="export the survey with its SKM answers, or point source: in the codebook "
                           "at the columns that hold them"))
    return CleanResult(table=table, log=log_df, summary=summary, survey_name=codebook.survey_name,
                       problems=tuple(problems), n_raw=n)


def _finish_table(table, coded, codebook, times, keep, unit_pos, unit_names, pool) -> pd.DataFrame:
    """Derived columns and quality flags, then the kept rows in order and the columns in order."""
    n = len(table)
    # derived columns (unit_slug: in clean_frame, from the units)
    any_true = np.zeros(n, dtype=bool)
    all_known = np.ones(n, dtype=bool)
    asked = [f for f in _FLAGS if f in table.columns]  # a flag the survey did not ask: no say in special_group
    for flag in _FLAGS:
        if flag not in table.columns:
            table[flag] = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
        if flag not in asked and asked:
            continue
        arr = pd.array(table[flag], dtype="boolean")
        known = ~arr.isna()
        any_true |= arr.to_numpy(dtype=bool, na_value=False)
        all_known &= known
    # any flag true: special; all known and none true: not; else unknown
    table["special_group"] = pd.arrays.BooleanArray(any_true, ~any_true & ~all_known)

    # quality flags
    if "start_time" in times and "end_time" in times:
        minutes = (times["end_time"] - times["start_time"]).dt.total_seconds() / 60.0
        ok_minutes = minutes.where(minutes > 0)
        thr = codebook.quality.get("speeder_minutes")
        if thr is None:
            med = ok_minutes[keep].median()
            thr = float(codebook.quality["speeder_fraction_of_median"]) * med
        sp = (ok_minutes < float(thr))
        table["speeder"] = pd.array(sp.where(ok_minutes.notna()), dtype="boolean")
    else:
        table["speeder"] = pd.array([pd.NA] * n, dtype="boolean")
    unsur_cols = [f"unsur_{k}" for k in codebook.unsur_keys if f"unsur_{k}" in table.columns]
    if unsur_cols:
        answered = np.zeros(n, dtype="int64")
        hi = np.full(n, -np.inf)
        lo = np.full(n, np.inf)
        for c in unsur_cols:
            v = table[c].to_numpy(dtype="float64", na_value=np.nan)
            ok = ~np.isnan(v)
            answered += ok
            hi = np.where(ok, np.maximum(hi, v), hi)
            lo = np.where(ok, np.minimum(lo, v), lo)
        need = codebook.quality.get("straightliner_min_items") or len(unsur_cols)
        # every answered item the same (none answered: not a straight-liner)
        table["straightliner"] = pd.array((hi == lo) & (answered >= need), dtype="boolean")
    else:
        table["straightliner"] = pd.array([pd.NA] * n, dtype="boolean")

    # one take: kept rows, sorted by round, unit, respondent id, raw row
    kept = np.flatnonzero(keep)
    order = _sorted_rows(table, kept, _ranks(unit_names)[unit_pos[kept]])
    # the text columns are built in Arrow (without the GIL) while pandas takes the others
    texts = {name: pool.submit(col.strings, order) for name, col in coded.items()}
    # column by column (each array's own take: much less overhead than DataFrame.take here)
    columns = {c: table[c].array.take(order) for c in table.columns}
    columns.update({name: text.result() for name, text in texts.items()})
    table = pd.DataFrame(columns, copy=False)  # one frame, not one insert per text column
    table = _order_columns(table, codebook)
    return table


def _ranks(names) -> np.ndarray:
    """Rank of each name in code-point order (the order Python and Arrow sort strings in)."""
    ranks = np.empty(len(names), dtype="int64")
    ranks[sorted(range(len(names)), key=lambda i: names[i])] = np.arange(len(names))
    return ranks


def _sorted_rows(table: pd.DataFrame, kept: np.ndarray, unit_rank: np.ndarray) -> np.ndarray:
    """``kept`` (row positions) sorted by round, unit, respondent id, then position.

    ``unit_rank``: the rank of each kept row's unit name. A stable multi-key
    sort in Arrow (strings compared by code point, as Python does; a missing
    round last, a missing id as ""): much faster than sorting a frame of
    Python strings.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(name):
        if name not in table.columns:
            return pa.nulls(kept.size, pa.string()).fill_null("")
        return pc.fill_null(pc.take(pa.array(table[name].array, from_pandas=True), pa.array(kept)), "")

    rnd = (table["round"].to_numpy(dtype="float64", na_value=np.inf)[kept] if "round" in table.columns
           else np.zeros(kept.size))
    keys = pa.table({"round": rnd, "unit": unit_rank, "rid": text("respondent_id")})
    idx = pc.sort_indices(keys, sort_keys=[("round", "ascending"), ("unit", "ascending"),
                                           ("rid", "ascending")])
    return kept[idx.to_numpy()]  # sort_indices is stable: ties keep row order


def _order_columns(table: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    head = ["respondent_id", "unit", "unit_slug", "sector", "service", "round", "interview_date",
            "enumerator", "gender", "age", "education", "income_group", *_FLAGS, "special_group",
            "channel"]
    keys = list(codebook.unsur_keys)
    body = [f"unsur_{k}" for k in keys] + [f"harapan_{k}" for k in keys]
    tail = ["overall_satisfaction", "facility_friendly", "had_problem", "problem_resolved",
            "paid_extra", "extra_amount", "cost_paid", "official_fee", "days_to_complete",
            "standard_days", "wait_minutes", "knows_complaint", "suggestion", "weight",
            "speeder", "straightliner"]
    for c in head + tail:
        if c not in table.columns and c not in ("weight",):
            table[c] = pd.Series(pd.NA, index=table.index, dtype=_CONTRACT_DTYPES.get(c, "string"))
    known = [c for c in head + body + tail if c in table.columns]
    extra = sorted(c for c in table.columns if c not in known)
    table = table[known + extra]
    for c in table.columns:
        if c in _STRING_COLS:
            table[c] = table[c].astype("string")
        elif c in _BOOL_COLS or c in ("speeder", "straightliner"):
            table[c] = table[c].astype("boolean")
    return table


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
    return _count_by_rule_and_unit(rule_codes, rule_names, unit_codes, u_names)


def _count_by_rule_and_unit(rule_codes, rule_names, unit_codes, unit_names) -> pd.DataFrame:
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


def clean_survey(data_path, codebook_path, units_path=UNITS_FILE, *, sheet=None, today=None) -> CleanResult:
    """Read an export and clean it through its codebook and the units file.

    Parameters
    ----------
    data_path : str or Path
        The raw export (CSV, Excel, SPSS, Kobo/ODK).
    codebook_path : str, Path or Codebook
    units_path : str or Path, default ``data/units.yml``
    sheet : str or int, optional
        Excel sheet.
    today : date-like, optional
        Reference date for the ``future_date`` rule (default: today).

    Returns
    -------
    CleanResult
        ``.table`` (``docs/data_model.md``), ``.log`` (``row, column, old,
        new, rule``), ``.summary`` (``rule, unit, n``), ``.survey_name``,
        ``.problems`` (warnings), ``.n_raw``.

    Raises
    ------
    ClemInputError
        Any bad input (see :func:`validate_survey`); nothing is written.

    Notes
    -----
    Order of the rules: unit names, consent, duplicates, then values column
    by column (scales, numbers, dates, free text), unit × sector, skip logic,
    personal data, derived flags. Vectorised: labels are mapped once per
    distinct value, then spread with array indexing.

    Examples
    --------
    >>> from clem_lib import clean_survey, SAMPLE_DATA, SAMPLE_CODEBOOK
    >>> res = clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK)
    >>> res.table["unit"].nunique()
    6
    """
    codebook = codebook_path if isinstance(codebook_path, Codebook) else load_codebook(codebook_path)
    # the units file is parsed (Python) while the export is read (pyarrow, without the GIL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(load_units, units_path)
        try:
            raw = [read_survey_columns(data_path, codebook, _column_selector(codebook), sheet=sheet)]
        except ClemInputError:
            pending.result()  # a bad units file is reported first, as when read one after the other
            raise
        units = pending.result()
    # no other reference to the raw frame: clean_frame frees its columns as it goes
    return clean_frame(raw.pop(), codebook, units, file=Path(data_path), today=today)


_TEXT_KINDS = ("id", "free_text", "personal")
_TEXT_ROLES = ("start_time", "end_time", "submission_time")


def _column_selector(codebook: Codebook):
    """For :func:`read_survey_columns`: the raw columns cleaning uses, and those read as plain text.

    Columns no codebook entry names are never read; answers with few distinct
    values (labels, codes, dates, units) come back as categoricals; ids,
    free text, personal data and time stamps (distinct in nearly every row)
    as strings. When a required column is missing every column is read, so
    the error lists the close names from the whole header.
    """
    def select(names):
        problems: list[Problem] = []
        found = _resolve_columns(pd.DataFrame(columns=names), codebook, None, problems)
        if any(p.level == "error" for p in problems):
            return names, set(names)
        sep = codebook.source.get("group_separator") or "/"
        read, text = set(), set()
        for spec in codebook.columns:
            if spec.name not in found:
                continue
            col = found[spec.name]
            cols = [col] if col is not None else [c for c in names if c.startswith(spec.source + sep)]
            if col is None and spec.source in names:
                cols.append(spec.source)  # the joined column beside Kobo's per-choice ones: which rows answered
            read.update(cols)
            if ROLES[spec.role] in _TEXT_KINDS or spec.role in _TEXT_ROLES:
                text.update(cols)
        return [c for c in names if c in read], text

    return select


def validate_survey(data_path, codebook_path, units_path=UNITS_FILE, *, sheet=None, today=None) -> list:
    """Check an export against its codebook without writing anything.

    Parameters
    ----------
    data_path, codebook_path, units_path, sheet, today
        As for :func:`clean_survey`.

    Returns
    -------
    list of Problem
        Every error found in one pass (``level == "error"``: the data cannot
        be cleaned; the CLI exits with code 2): each missing required
        column, each unknown unit spelling (the first 20), each column with
        too many unmatched labels, values that are not whole numbers, a
        missing salt. A file that cannot be read at all gives one error.
        Without errors: the warnings (values that cleaning turns into
        missing, with suggestions for close spellings). Empty when the
        export is clean.
    """
    try:
        codebook = codebook_path if isinstance(codebook_path, Codebook) else load_codebook(codebook_path)
        units = load_units(units_path)
        raw = read_survey_columns(data_path, codebook, _column_selector(codebook), sheet=sheet)
    except ClemInputError as exc:
        return [_problem_from(exc, data_path)]
    problems: list[Problem] = []
    found = _resolve_columns(raw, codebook, data_path, problems)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return errors
    try:
        res = clean_frame(raw, codebook, units, file=Path(data_path), today=today, collect_errors=True)
    except ClemInputError as exc:
        return [_problem_from(exc, data_path)]
    errors = [p for p in res.problems if p.level == "error"]
    return errors if errors else list(res.problems)


def _problem_from(exc: ClemInputError, data_path) -> Problem:
    """A ClemInputError as a Problem, without repeating the data file's name."""
    text = str(exc)
    if exc.fix and text.endswith(")"):
        tail = f" (fix: {' '.join(str(exc.fix).rstrip('.').split())})"
        if text.endswith(tail):
            text = text[: -len(tail)]
    where = []
    same_file = exc.file is not None and Path(str(exc.file)) == Path(str(data_path))
    if exc.file is not None:
        where.append(str(exc.file))
    if exc.row is not None:
        where.append(f"row {exc.row}")
    if exc.column is not None:
        where.append(f"column '{exc.column}'")
    prefix = ", ".join(where) + ": "
    if where and text.startswith(prefix):
        text = text[len(prefix):]
        if not same_file and exc.file is not None:
            text = f"{exc.file}: {text}"
    return Problem(exc.row, exc.column, text, exc.fix, "error")


def write_cleaned(result: CleanResult, out_path) -> Path:
    """Write the cleaned table (parquet) and its audit log, atomically.

    Parameters
    ----------
    result : CleanResult
    out_path : str or Path
        ``.parquet`` file; the log goes next to it as ``<stem>.log.csv`` and the
        changes per rule and unit (``rule, unit, n``) as ``<stem>.summary.csv``.

    Returns
    -------
    Path
        ``out_path``.
    """
    out_path = Path(out_path)
    if out_path.suffix.lower() != ".parquet":
        raise ClemInputError("the cleaned table is written as parquet", file=out_path,
                             fix="give an output name ending in .parquet")
    log_path = out_path.with_name(out_path.stem + ".log.csv")
    summary_path = out_path.with_name(out_path.stem + ".summary.csv")
    tmp, final = atomic_path(out_path)
    tmp_log = tmp.with_name(tmp.name + ".log.csv")
    tmp_summary = tmp.with_name(tmp.name + ".summary.csv")
    try:
        result.table.to_parquet(tmp, index=False)
        write_csv(result.log, tmp_log)
        write_csv(result.summary, tmp_summary)
        os.replace(tmp_log, log_path)
        os.replace(tmp_summary, summary_path)
        os.replace(tmp, final)
    finally:
        for t in (tmp, tmp_log, tmp_summary):
            if t.exists():
                t.unlink()
    return final
