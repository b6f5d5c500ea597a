"""Small inputs built from the bundled sample: a few units, a few rows, fast notebooks.

Used by the interruption tests and the bad-input suite: every ``clem run`` on
them that reaches the notebooks runs the fixture notebooks (a second each),
optionally slowed down by ``CLEM_TEST_SLEEP`` seconds per unit.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd

from clem_lib.paths import SAMPLE_CODEBOOK, SAMPLE_DATA

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
UNIT_COLUMN = "identitas/kecamatan"


def sample_rows(units=("Kec. Serengan", "Dispendukcapil"), n: int = 20) -> pd.DataFrame:
    """The first ``n`` consenting rows of each unit of the sample export (raw strings)."""
    df = pd.read_csv(SAMPLE_DATA, sep=";", dtype=str, keep_default_na=False)
    df = df[df["identitas/persetujuan"].str.lower() == "ya"]
    parts = [df[df[UNIT_COLUMN] == u].head(n) for u in units]
    return pd.concat(parts, ignore_index=True)


def write_export(path: Path, rows: pd.DataFrame | None = None, **kw) -> Path:
    """A ';'-separated UTF-8 CSV like the sample's."""
    rows = sample_rows(**kw) if rows is None else rows
    rows.to_csv(path, sep=";", index=False)
    return path


def slow_notebooks(folder: Path) -> Path:
    """The fixture notebooks, the location report waiting ``$CLEM_TEST_SLEEP`` seconds first."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("location_report.ipynb", "city_overview.ipynb"):
        nb = nbformat.read(FIXTURES / name, as_version=4)
        if name.startswith("location"):
            nb.cells.insert(2, nbformat.v4.new_code_cell(
                "import os, time\ntime.sleep(float(os.environ.get('CLEM_TEST_SLEEP', '0')))"))
        nbformat.write(nb, folder / name)
    return folder


def codebook_text() -> str:
    return SAMPLE_CODEBOOK.read_text(encoding="utf-8")


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
