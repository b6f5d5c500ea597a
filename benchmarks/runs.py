"""Shared pieces of the batch benchmarks: surveys of N units, ``clem run`` and its baseline."""

from __future__ import annotations

import json
from pathlib import Path

from .harness import CommandResult, run_command, venv_bin
from .survey import SurveyFiles, generate_survey

__all__ = ["unit_survey", "clem_run", "clem_clean", "read_manifest", "peaks_by_role", "tiny_notebooks",
           "PER_UNIT"]

PER_UNIT = 250  # respondents per unit, as in the bundled sample (about 1,500 over 6 units)


def unit_survey(work_dir: Path, n_units: int, *, per_unit: int = PER_UNIT, seed: int) -> SurveyFiles:
    """A survey of ``n_units`` units with ``per_unit`` responses each, in the sample's format."""
    return generate_survey(Path(work_dir) / f"units-{n_units}x{per_unit}", n_responses=n_units * per_unit,
                           n_units=n_units, seed=seed, equal_units=True)


def clem_run(files: SurveyFiles, out: Path, *, jobs: int | None = 2, scheduler: str | None = None,
             notebooks_dir: Path | None = None, extra_roots=None, cold: bool = False) -> CommandResult:
    """``clem run`` on a generated survey into ``out`` (measured); ``cold``: a kernel per notebook."""
    cmd = [venv_bin("clem"), "run", "--data", str(files.data), "--codebook", str(files.codebook),
           "--units-file", str(files.units), "--checklist", str(files.checklist), "--out", str(out), "--quiet"]
    if cold:
        cmd.append("--cold")
    if scheduler:
        cmd += ["--scheduler", scheduler]
    elif jobs:
        cmd += ["--jobs", str(jobs)]
    if notebooks_dir:
        cmd += ["--notebooks", str(notebooks_dir)]
    return run_command(cmd, extra_roots=extra_roots).check()


def clem_clean(files: SurveyFiles, out: Path) -> CommandResult:
    """``clem clean`` of a generated survey to ``out`` (parquet), measured."""
    return run_command([venv_bin("clem"), "clean", "--data", str(files.data), "--codebook", str(files.codebook),
                        "--units-file", str(files.units), "--out", str(out)]).check()


def read_manifest(out: Path) -> dict:
    return json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))


def peaks_by_role(result: CommandResult) -> dict[str, int]:
    """Largest single-process peak RSS per role (runner, worker, dask_worker, kernel)."""
    return result.peak_by_role()


_PARAMS = """unit: str = "Kec. Serengan"  # service unit
data_path: str = ""  # cleaned parquet
checklist_path: str = ""  # checklist
units_path: str = ""  # units file
round: int = 0  # survey round
lang: str = "id"  # language
alpha: float = 0.05  # significance level
min_n: int = 5  # smallest cell shown
seed: int = 20130924  # seed
results_path: str = ""  # results rows
"""

_LOCATION = """import csv
import pyarrow.compute as pc
import pyarrow.parquet as pq
table = pq.read_table(data_path, columns=["unit", "sector", "unsur_waktu"], filters=[("unit", "==", unit)])
n = table.num_rows
ikm = 25.0 * (pc.mean(table["unsur_waktu"]).as_py() or 0.0)
if results_path:
    with open(results_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\\n")
        w.writerow(["unit", "sector", "group", "metric", "estimate", "ci_low", "ci_high", "n",
                    "statistic", "p_value", "p_adjusted", "method"])
        w.writerow([unit, "", "", "ikm", ikm, "", "", n, "", "", "", "smoke"])
print(unit, n, ikm)
"""

_CITY = """import csv
import pyarrow.parquet as pq
n = pq.read_metadata(data_path).num_rows
if results_path:
    with open(results_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\\n")
        w.writerow(["unit", "sector", "group", "metric", "estimate", "ci_low", "ci_high", "n",
                    "statistic", "p_value", "p_adjusted", "method"])
        w.writerow(["", "", "", "n_rows", n, "", "", n, "", "", "", "smoke"])
print(n)
"""


def tiny_notebooks(dst: Path) -> Path:
    """Write minimal ``location_report.ipynb`` and ``city_overview.ipynb`` for smoke runs.

    Same parameters as the bundled notebooks; they read their slice of the
    cleaned table and write one results row, so that a smoke run of a batch
    benchmark pays the kernel start but not a full report.
    """
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    meta = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}

    def nb(params: str, body: str) -> str:
        cells = [{"cell_type": "code", "execution_count": None, "id": "parameters",
                  "metadata": {"tags": ["parameters"]}, "outputs": [], "source": params},
                 {"cell_type": "code", "execution_count": None, "id": "body", "metadata": {}, "outputs": [],
                  "source": body}]
        return json.dumps({"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": 5}, indent=1)

    (dst / "location_report.ipynb").write_text(nb(_PARAMS, _LOCATION), encoding="utf-8")
    city_params = "\n".join(line for line in _PARAMS.splitlines() if not line.startswith("unit:")) + "\n"
    (dst / "city_overview.ipynb").write_text(nb(city_params, _CITY), encoding="utf-8")
    return dst
