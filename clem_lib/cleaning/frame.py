"""The cleaned table from a raw frame: :func:`clean_frame` and its steps, in order.

Unit names first (an unknown unit stops everything), then consent; the
duplicate rules run in a second thread beside the value columns; then
sectors against the units file and skip logic. Finally the audit log is
built in a second thread while the table is finished: derived flags, the
kept rows sorted by round, unit and respondent id, the columns in the order
of docs/data_model.md.

Each column is worked on as integer codes (:mod:`.codes`); neither thread
adds a log piece of the other's (rule, column), so the output is the same
whichever ends first.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..columns import resolve_columns
from ..errors import ClemInputError
from ..problems import ProblemList
from .audit import ROW_REMOVED, AuditLog, OldValues
from .codes import Coded
from .dates import parse_datetimes
from .labels import map_scale
from .quality import mark_duplicates, speeder_flags, straightliner_flags
from .units import clean_units, unit_sectors
from .values import clean_values

__all__ = ["CleanResult", "clean_frame"]

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
    problems = ProblemList(collect=collect_errors)
    log = AuditLog()
    found = _found_columns(raw, codebook, file, problems)

    # unit first: an unknown unit stops everything
    unit_col = found["unit"]
    unit_pos = clean_units(raw[unit_col], units, unit_col, log, file, problems)  # row -> units row
    unit_names = np.array([str(u) for u in units["name"]], dtype=object)
    keep = unit_pos >= 0  # all rows, unless validating an export with unknown units
    unit_known = keep.copy()
    unit_pos = np.maximum(unit_pos, 0)
    keep &= _consented(raw, codebook, found, log)
    times = _times(raw, codebook, found)  # for the quality rules
    out, removed = _values_and_duplicates(raw, codebook, found, log, problems, keep, times,
                                          file=file, today=today)
    keep &= ~removed

    coded = {k: v for k, v in out.items() if isinstance(v, Coded)}  # text: built after sorting
    table = pd.DataFrame({k: v for k, v in out.items() if k not in coded}, index=raw.index, copy=False)
    coded["unit"] = Coded(unit_names, unit_pos)
    scol = found.get("sector") if "sector" in coded else None
    coded["sector"] = unit_sectors(coded.get("sector"), units, unit_pos, unit_known,
                                   None if scol is None else raw[scol], scol, log, problems)
    _skip_logic(table, raw, found, log)
    coded["unit_slug"] = Coded(np.array([str(v) for v in units["slug"]], dtype=object), unit_pos)
    del raw  # every raw value needed is in the table or the log now

    table, log_df, summary = _table_and_log(table, coded, codebook, times, keep, unit_pos, unit_names,
                                            log)
    _check_ikm_answers(table, codebook, file, problems)
    return CleanResult(table=table, log=log_df, summary=summary, survey_name=codebook.survey_name,
                       problems=tuple(problems), n_raw=n)


def _found_columns(raw: pd.DataFrame, codebook: Codebook, file, problems: ProblemList) -> dict:
    """:func:`~clem_lib.columns.resolve_columns`, raising at a missing required column (naming how many)."""
    found = resolve_columns(raw, codebook, problems)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        p = errors[0]
        more = f" (+{len(errors) - 1} more missing columns)" if len(errors) > 1 else ""
        raise ClemInputError(p.message + more, file=file, column=p.column, fix=p.fix)
    return found


def _consented(raw: pd.DataFrame, codebook: Codebook, found: dict, log: AuditLog) -> np.ndarray:
    """True where consent is yes; the other rows are logged (``consent_refused``) to be removed."""
    consent_spec = codebook.by_role("consent")
    if not (consent_spec and found.get(consent_spec[0].name)):
        return np.ones(len(raw), dtype=bool)
    c = consent_spec[0]
    col = found[c.name]
    vals, *_ = map_scale(raw[col], codebook.scales[c.scale])
    yes = pd.array(vals, dtype="boolean").fillna(False).to_numpy(dtype=bool)
    rows = np.flatnonzero(~yes)
    old = OldValues(raw[col])[rows]
    log.add(rows, col, np.where(pd.isna(old), "", old), ROW_REMOVED, "consent_refused")
    return yes


def _times(raw: pd.DataFrame, codebook: Codebook, found: dict) -> dict:
    """Role (``start_time``, ``end_time``, ``submission_time``) -> parsed time stamps, if exported."""
    times = {}
    for role in ("start_time", "end_time", "submission_time"):
        specs = codebook.by_role(role)
        if specs and found.get(specs[0].name):
            times[role] = parse_datetimes(raw[found[specs[0].name]])
    return times


def _respondent_ids(raw: pd.DataFrame, found: dict) -> pd.Series:
    """The respondent ids, stripped (for the duplicate rules and the table).

    An export without a respondent id (e.g. Google Forms): each data row is a
    respondent, numbered.
    """
    if found.get("respondent_id") is not None:
        return raw[found["respondent_id"]].astype("string").str.strip()
    n = len(raw)
    width = len(str(n))
    return pd.Series([f"{i:0{width}d}" for i in range(1, n + 1)], dtype="string")


def _values_and_duplicates(raw: pd.DataFrame, codebook: Codebook, found: dict, log: AuditLog,
                           problems: ProblemList, keep: np.ndarray, times: dict, *, file,
                           today) -> tuple[dict, np.ndarray]:
    """The value columns, and the rows the duplicate rules remove (worked out in a second thread).

    The duplicate rules encode and sort whole columns in Arrow and numpy code
    that mostly runs without the GIL, so they run beside the value columns;
    the two add audit-log pieces of different (rule, column), so the log's
    order does not depend on which ends first. The raw columns stay until
    both are done (the duplicate rule reads every answer). Without a
    respondent id or round in the codebook, the rows are numbered and all
    in round 1.
    """
    n = len(raw)
    sub_times = times.get("submission_time", times.get("end_time"))
    ids = _respondent_ids(raw, found)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(mark_duplicates, raw, found, codebook, keep.copy(), log, sub_times, ids)
        # a bad value column raises here; leaving the block waits for the other thread first
        out = clean_values(raw, codebook, found, log, problems, file=file, today=today, ids=ids)
        removed = pending.result()
    if not codebook.by_role("respondent_id"):
        out["respondent_id"] = ids.array
    if not codebook.by_role("round"):
        out["round"] = pd.array(np.ones(n, dtype="int64"), dtype="Int64")  # one round
    return out, removed


def _skip_logic(table: pd.DataFrame, raw: pd.DataFrame, found: dict, log: AuditLog) -> None:
    """Answers that should be empty become missing: resolved without a problem, amount without paying."""
    for parent, child in (("had_problem", "problem_resolved"), ("paid_extra", "extra_amount")):
        if parent in table.columns and child in table.columns:
            bad = (table[parent].eq(False) & table[child].notna()).fillna(False).to_numpy(dtype=bool)
            if bad.any():
                rows = np.flatnonzero(bad)
                ccol = found[child]
                log.add(rows, ccol, OldValues(raw[ccol])[rows], "", "skip_logic")
                table.loc[bad, child] = pd.NA


def _table_and_log(table, coded, codebook, times, keep, unit_pos, unit_names, log):
    """The finished table, and the audit log with its summary, built side by side in two threads.

    Nothing adds to the log any more: it is sorted and built (value
    corrections in removed rows left out, as noise beside the removal) in a
    second thread while the table is finished and sorted.
    """
    def log_and_summary():
        return log.frame(removed=~keep), log.summary(unit_pos, unit_names)

    with ThreadPoolExecutor(max_workers=2) as pool:
        pending = pool.submit(log_and_summary)
        table = _finish_table(table, coded, codebook, times, keep, unit_pos, unit_names, pool)
        log_df, summary = pending.result()
    return table, log_df, summary


def _check_ikm_answers(table: pd.DataFrame, codebook: Codebook, file, problems: ProblemList) -> None:
    """An error when every answer in the unsur columns is blank: the export lacks its SKM answers."""
    unsur_cols = [f"unsur_{k}" for k in codebook.unsur_keys if f"unsur_{k}" in table.columns]
    if len(table) and unsur_cols and not table[unsur_cols].notna().to_numpy().any():
        sources = [c.source for c in codebook.columns if c.role == "unsur"]
        problems.stop(ClemInputError(
            f"no IKM answers: every answer in the {len(sources)} unsur column(s) "
            f"({', '.join(sources[:3])}{', ...' if len(sources) > 3 else ''}) is blank or missing",
            file=file, fix="export the survey with its SKM answers, or point source: in the codebook "
                           "at the columns that hold them"))


def _finish_table(table, coded, codebook, times, keep, unit_pos, unit_names, pool) -> pd.DataFrame:
    """Derived columns and quality flags, then the kept rows in order and the columns in order."""
    n = len(table)
    table["special_group"] = _special_group(table)
    table["speeder"] = speeder_flags(times, codebook, keep, n)
    table["straightliner"] = straightliner_flags(table, codebook)

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


def _special_group(table: pd.DataFrame):
    """``special_group``: any flag true; all flags known and none true: not; else unknown.

    The flags the survey did not ask are added as unknown and have no say
    (unless it asked none of them).
    """
    n = len(table)
    any_true = np.zeros(n, dtype=bool)
    all_known = np.ones(n, dtype=bool)
    asked = [f for f in _FLAGS if f in table.columns]
    for flag in _FLAGS:
        if flag not in table.columns:
            table[flag] = pd.arrays.BooleanArray(np.zeros(n, dtype=bool), np.ones(n, dtype=bool))
        if flag not in asked and asked:
            continue
        arr = pd.array(table[flag], dtype="boolean")
        known = ~arr.isna()
        any_true |= arr.to_numpy(dtype=bool, na_value=False)
        all_known &= known
    return pd.arrays.BooleanArray(any_true, ~any_true & ~all_known)


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
    """Columns in the contract's order (docs/data_model.md), absent ones added empty, text and flags typed."""
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
