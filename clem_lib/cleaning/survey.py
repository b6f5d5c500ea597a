"""Whole files: read and clean an export, check it without writing, write the cleaned table.

:func:`clean_survey` reads only the columns the codebook names
(:func:`column_selector`), labels as categoricals, while the units file is
parsed in a second thread; :func:`validate_survey` lists every problem in one
pass; :func:`write_cleaned` writes the table, its audit log and the summary
atomically.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from ..codebook import ROLES, Codebook, load_codebook, load_units
from ..columns import resolve_columns
from ..errors import ClemInputError
from ..io import atomic_path, read_survey_columns, write_csv
from ..paths import UNITS_FILE
from ..problems import Problem, problem_from
from .frame import CleanResult, clean_frame

__all__ = ["clean_survey", "column_selector", "validate_survey", "write_cleaned"]


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
            raw = [read_survey_columns(data_path, codebook, column_selector(codebook), sheet=sheet)]
        except ClemInputError:
            pending.result()  # a bad units file is reported first, as when read one after the other
            raise
        units = pending.result()
    # no other reference to the raw frame: clean_frame frees its columns as it goes
    return clean_frame(raw.pop(), codebook, units, file=Path(data_path), today=today)


_TEXT_KINDS = ("id", "free_text", "personal")


_TEXT_ROLES = ("start_time", "end_time", "submission_time")


def column_selector(codebook: Codebook):
    """For :func:`read_survey_columns`: the raw columns cleaning uses, and those read as plain text.

    Columns no codebook entry names are never read; answers with few distinct
    values (labels, codes, dates, units) come back as categoricals; ids,
    free text, personal data and time stamps (distinct in nearly every row)
    as strings. When a required column is missing every column is read, so
    the error lists the close names from the whole header.
    """
    def select(names):
        problems: list[Problem] = []
        found = resolve_columns(pd.DataFrame(columns=names), codebook, problems)
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
        raw = read_survey_columns(data_path, codebook, column_selector(codebook), sheet=sheet)
    except ClemInputError as exc:
        return [problem_from(exc, data_path)]
    problems: list[Problem] = []
    resolve_columns(raw, codebook, problems)
    errors = [p for p in problems if p.level == "error"]
    if errors:
        return errors
    try:
        res = clean_frame(raw, codebook, units, file=Path(data_path), today=today, collect_errors=True)
    except ClemInputError as exc:
        return [problem_from(exc, data_path)]
    errors = [p for p in res.problems if p.level == "error"]
    return errors if errors else list(res.problems)


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
