"""Data access for the reports: the cleaned table's slices, the parts a survey did not ask, the
bundled sample's cleaned cache, and the files a report reads.

Notebooks run with ``data_path=""`` report on the bundled sample survey,
cleaned once into ``outputs/_sample_cache/`` (again when the sample, its
codebook or the units file change); the sample's checklist and complaint
register come with it. A survey of one's own has neither unless given.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from ..cleaning import clean_survey, write_cleaned
from ..codebook import load_units
from ..complaints import SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, clean_register, write_register
from ..complaints_report import RegisterView
from ..errors import ClemInputError
from ..io import restore_formulas, write_csv
from ..paths import CHECKLIST_FILE, OUTPUTS_DIR, SAMPLE_CODEBOOK, SAMPLE_DATA, UNITS_FILE
from ..results import nullable_type
from .params import ReportParams

__all__ = ["read_unit_slice", "unasked_columns", "survey_rounds", "sample_cache_path", "cleaned_sample",
           "cleaned_sample_register"]


def read_unit_slice(data_path, unit: str | None = None, *, columns: Sequence[str] | None = None,
                    rounds: Iterable[int] | None = None) -> pd.DataFrame:
    """Read only what a report needs from the cleaned parquet.

    Parameters
    ----------
    data_path : path
        ``cleaned.parquet`` written by the cleaning step.
    unit : str or None
        Canonical unit name; only its rows are read (a pyarrow row filter, so
        row groups of other units are skipped). ``None`` reads every unit.
    columns : sequence of str or None
        Read only these columns (``None`` = all).
    rounds : iterable of int or None
        Keep only these rounds.

    Returns
    -------
    DataFrame
        The cleaned-table slice with its nullable dtypes, rows in file order.
    """
    import pyarrow.parquet as pq

    path = Path(data_path)
    if not path.is_file():
        raise ClemInputError("cleaned data not found", file=path,
                             fix="run `clem clean` first or give data_path=''")
    filters = []
    if unit is not None:
        filters.append(("unit", "==", unit))
    if rounds is not None:
        filters.append(("round", "in", [int(r) for r in rounds]))
    table = pq.read_table(path, columns=list(columns) if columns is not None else None,
                          filters=filters or None)
    df = table.to_pandas(types_mapper=nullable_type)
    return df.reset_index(drop=True)


#: cleaned columns every survey has (identity, round, scores, quality flags): never "not asked"
_CORE_COLUMNS = ("respondent_id", "unit", "unit_slug", "round", "speeder", "straightliner")


def unasked_columns(data_path) -> list[str]:
    """Columns of the cleaned table that no respondent of the whole survey answered.

    A part the survey did not ask (no codebook entry) is such a column, and so
    is one asked of nobody; both are left out of every report and of
    ``results.csv``. Read from the parquet footer's null counts (no data is
    read unless a row group lacks statistics). Identity columns, rounds, the
    unsur scores and the quality flags are never counted as unasked.
    """
    import pyarrow.parquet as pq

    f = pq.ParquetFile(data_path)
    md = f.metadata
    if md.num_rows == 0:
        return []
    names = f.schema_arrow.names
    nulls = dict.fromkeys(names, 0)
    unknown = set()
    for i in range(md.num_row_groups):
        rg = md.row_group(i)
        for j in range(rg.num_columns):
            col = rg.column(j)
            name = col.path_in_schema
            st = col.statistics
            if name not in nulls:
                continue
            if st is None or not st.has_null_count:
                unknown.add(name)
            else:
                nulls[name] += st.null_count
    out = []
    for name in names:
        if name in _CORE_COLUMNS or name.startswith("unsur_"):
            continue
        if name in unknown:
            if f.read(columns=[name]).column(0).null_count < md.num_rows:
                continue
        elif nulls[name] < md.num_rows:
            continue
        out.append(name)
    return out


def survey_rounds(data_path) -> list[int]:
    """The rounds present in the cleaned table (every unit), ascending."""
    import pyarrow.parquet as pq

    col = pq.read_table(data_path, columns=["round"]).column(0).drop_null()
    return sorted({int(r) for r in col.to_pylist()})


def sample_cache_path() -> Path:
    """Where the bundled sample survey is cleaned for standalone runs (under ``outputs/``)."""
    return OUTPUTS_DIR / "_sample_cache" / "cleaned.parquet"


def _inputs_hash(*files) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(Path(f).read_bytes())
    return h.hexdigest()


def cleaned_sample(*, units_path=None) -> Path:
    """Clean the bundled sample survey once and return the cached parquet.

    The cache (``outputs/_sample_cache/cleaned.parquet`` with its audit log and
    a ``cleaned.summary.csv`` of changes per rule and unit) is rebuilt when
    the sample, its codebook or the units file change (their SHA-256 is kept
    beside it). Used when a notebook runs with ``data_path=""``.
    """
    units_path = Path(units_path) if units_path else UNITS_FILE
    for f in (SAMPLE_DATA, SAMPLE_CODEBOOK, units_path):
        if not Path(f).is_file():
            raise ClemInputError("bundled input not found", file=f, fix="reinstall clem or give data_path")
    stamp = _inputs_hash(SAMPLE_DATA, SAMPLE_CODEBOOK, units_path)
    out = sample_cache_path()
    stamp_file = out.with_name("inputs.sha256")
    if out.is_file() and stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    result = clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, units_path)
    write_cleaned(result, out)
    write_csv(result.summary, out.with_name("cleaned.summary.csv"))
    stamp_file.write_text(stamp + "\n")
    return out


def cleaned_sample_register(*, units_path=None) -> Path:
    """Clean the bundled sample's complaint register once (``outputs/_sample_cache/complaints.parquet``),
    again when the register, its codebook or the units file change."""
    units_path = Path(units_path) if units_path else UNITS_FILE
    stamp = _inputs_hash(SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, units_path)
    out = sample_cache_path().with_name("complaints.parquet")
    stamp_file = out.with_name("complaints.sha256")
    if out.is_file() and stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    write_register(clean_register(SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, units_path), out)
    stamp_file.write_text(stamp + "\n")
    return out


def is_sample_data(data_path) -> bool:
    """Whether a report's ``data_path`` is the bundled sample (empty, or its cleaned cache)."""
    return not data_path or Path(data_path).resolve() == sample_cache_path().resolve()


def units_table(units_path) -> pd.DataFrame:
    """The units file a report reads (``""``: the bundled sample's)."""
    return load_units(Path(units_path) if units_path else UNITS_FILE)


def input_files(params: ReportParams) -> tuple[Path, Path | None, Path]:
    """The cleaned data, the checklist (None: none) and the units file a report reads.

    The bundled checklist belongs to the bundled sample (its cleaned cache
    included): a survey of one's own has none unless ``checklist_path`` names one.
    An empty ``data_path`` cleans the bundled sample first (:func:`cleaned_sample`).
    """
    units_file = Path(params.units_path) if params.units_path else UNITS_FILE
    is_sample = is_sample_data(params.data_path)
    checklist_file = (Path(params.checklist_path) if params.checklist_path else
                      (CHECKLIST_FILE if is_sample else None))
    data_file = Path(params.data_path) if params.data_path else cleaned_sample(units_path=units_file)
    if not data_file.is_file():
        raise ClemInputError("cleaned data not found", file=data_file,
                             fix="run `clem clean` first, or leave data_path empty to use the bundled sample")
    return data_file, checklist_file, units_file


def cleaning_summary(data_path: Path) -> pd.DataFrame | None:
    """Cleaning summary (rule, unit, n) written next to a cleaned parquet, if any."""
    for cand in (data_path.with_name(data_path.stem + ".summary.csv"),
                 data_path.with_name("cleaning_summary.csv")):
        if cand.is_file():
            df = pd.read_csv(cand, dtype={"rule": "string", "unit": "string"}, keep_default_na=False)
            if {"rule", "unit", "n"} <= set(df.columns):
                df["unit"] = restore_formulas(df["unit"]).astype("string")  # written with the formula guard
                return df
    return None


def register_view(params: ReportParams, units: pd.DataFrame, units_file: Path,
                  unit_names=None) -> RegisterView | None:
    """The complaint register of a report (``complaints_report.RegisterView``), or None.

    Empty ``complaints_path``: none, except for the bundled sample survey (the standalone notebook),
    whose register is ``data/raw/clem_surakarta_complaints.csv``, cleaned into the sample cache.
    """
    path = params.complaints_path or (str(cleaned_sample_register(units_path=units_file))
                                      if is_sample_data(params.data_path) else "")
    return RegisterView.build(complaints_path=path, units=units, standard_days=params.complaint_standard_days,
                              holidays_path=params.holidays_path, unit_names=unit_names, alpha=params.alpha,
                              min_n=params.min_n)
