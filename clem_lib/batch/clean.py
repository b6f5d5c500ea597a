"""``clem run``'s first step: clean the export (and the complaint register) once, for every report.

Cleaning happens in memory first, so that bad input stops the run before
anything is written; the cleaned table, its audit log and the register are
then published into the output folder together, from a staging folder beside
them.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..cleaning import CleanResult, clean_survey, write_cleaned
from ..complaints import RegisterResult, clean_register, write_register
from ..errors import ClemInputError
from ..io import load_checklist
from .inputs import SurveyInputs
from .plan import Settings

__all__ = ["Cleaned", "clean_inputs", "write_cleaned_outputs", "report_warnings"]


@dataclass(frozen=True)
class Cleaned:
    """The cleaned survey and complaint register (None without one), in memory."""

    survey: CleanResult
    register: RegisterResult | None = None


def clean_inputs(inputs: SurveyInputs, settings: Settings) -> Cleaned:
    """Clean the export, check the checklist against the units, clean the register; nothing is written."""
    survey = clean_survey(inputs.data_path, inputs.codebook, settings.units_path)
    if len(survey.table) == 0:
        raise ClemInputError("no answers left after cleaning", file=inputs.data_path,
                             fix="run `clem validate` to see what was removed and why")
    if settings.checklist_path is not None:
        load_checklist(settings.checklist_path, settings.units_path)  # its units must be in the units file
    register = None
    if inputs.register_path is not None:
        register = clean_register(inputs.register_path, inputs.register_codebook, settings.units_path)
    return Cleaned(survey=survey, register=register)


def write_cleaned_outputs(cleaned: Cleaned, out_dir: Path) -> Path:
    """Publish ``cleaned.parquet``, ``cleaning_log.csv``, ``cleaning_summary.csv`` (the reports'
    data-quality section reads the changes per rule and unit from it) and, with a register,
    ``complaints.parquet`` and ``complaints_log.csv`` (an earlier run's are removed without one).

    Returns the path of ``cleaned.parquet``, published last.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".clean-", dir=out_dir))
    try:
        write_cleaned(cleaned.survey, staging / "cleaned.parquet")
        os.replace(staging / "cleaned.log.csv", out_dir / "cleaning_log.csv")
        os.replace(staging / "cleaned.summary.csv", out_dir / "cleaning_summary.csv")
        if cleaned.register is not None:
            write_register(cleaned.register, staging / "complaints.parquet")
            os.replace(staging / "complaints.log.csv", out_dir / "complaints_log.csv")
            os.replace(staging / "complaints.parquet", out_dir / "complaints.parquet")
        else:
            for stale in ("complaints.parquet", "complaints_log.csv"):
                if (out_dir / stale).exists():
                    (out_dir / stale).unlink()
        os.replace(staging / "cleaned.parquet", out_dir / "cleaned.parquet")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir / "cleaned.parquet"


def report_warnings(cleaned: Cleaned, stream=None) -> None:
    """One line on ``stream`` (stderr) when cleaning found problems short of errors."""
    warnings = [p for p in cleaned.survey.problems if getattr(p, "level", "warning") != "error"]
    if warnings:
        (stream or sys.stderr).write(
            f"clem: cleaning: {len(warnings)} warning(s); the changes are in cleaning_log.csv "
            "(`clem validate` lists them)\n")
