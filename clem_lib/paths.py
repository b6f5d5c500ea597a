"""Locations inside the project, resolved from the package, never from the cwd."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "PROJECT_ROOT",
    "DATA_DIR",
    "NOTEBOOKS_DIR",
    "OUTPUTS_DIR",
    "SAMPLE_DATA",
    "SAMPLE_CODEBOOK",
    "UNITS_FILE",
    "CHECKLIST_FILE",
]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
SAMPLE_DATA = DATA_DIR / "raw" / "clem_surakarta_sample.csv"
SAMPLE_CODEBOOK = DATA_DIR / "clem_surakarta_sample.codebook.yml"
UNITS_FILE = DATA_DIR / "units.yml"
CHECKLIST_FILE = DATA_DIR / "checklist.csv"
