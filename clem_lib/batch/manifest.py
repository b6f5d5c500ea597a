"""The output folder's records: ``manifest.json``, each notebook's outcome, file records.

An output folder holds, besides the pages and tables a reader opens:

``manifest.json``
    Parameters, inputs (path and SHA-256), package versions, timings, the
    status of every report. Written first with status ``running`` and last
    with the final status, so an interrupted run is recognisable and
    ``--retry-failed`` resumes it.
``.parts/<key>.results.csv``
    One notebook's results rows, stacked into ``results.csv``.
``.parts/<key>.outcome.json``
    The record that one notebook finished (status, error, seconds), written
    as soon as it did; ``--retry-failed`` reads it back.

Paths in the manifest are relative to the output folder (``..`` where needed):
nothing of this machine's layout is recorded, and the folder can be moved
with its inputs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import ClemInputError
from ..io import write_text_atomic

__all__ = [
    "CITY_KEY", "PARTS", "PACKAGES", "Clock", "package_versions", "clem_version", "sha256", "relative",
    "from_output_folder", "file_record", "round_seconds", "write_outcome", "read_outcome", "clear_outcomes",
    "write_manifest", "read_manifest", "running_manifest", "final_manifest",
]

CITY_KEY = "city_overview"
"""File stem of the city overview's outputs (a unit's are its slug)."""

PARTS = ".parts"
"""Folder (inside the output folder) of each notebook's results rows and outcome record."""

_OUTCOME_SUFFIX = ".outcome.json"

PACKAGES = (
    "clem", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "pyarrow",
    "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "jupyter_client", "pyzmq",
    "dask", "distributed",
)
"""Packages whose versions the manifest records."""


@dataclass(frozen=True)
class Clock:
    """When the reports of a run started: wall-clock time for the manifest, a counter for durations."""

    t0: float
    started: str

    @classmethod
    def start(cls) -> "Clock":
        return cls(time.perf_counter(), _now())

    def seconds(self) -> float:
        return time.perf_counter() - self.t0


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def package_versions() -> dict:
    """``{"python": ..., package: version}`` of the :data:`PACKAGES` installed."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def clem_version() -> str:
    """clem's installed version (``0.0.0+unknown`` in a source tree that is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clem")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def sha256(path) -> str | None:
    """SHA-256 of a file's bytes (hex), or None when there is no such file."""
    path = Path(path)
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def relative(path, base) -> str:
    """``path`` relative to the folder ``base`` (``..`` where needed); absolute only across drives."""
    try:
        return Path(os.path.relpath(Path(path), Path(base))).as_posix()
    except ValueError:  # Windows: another drive
        return str(path)


def from_output_folder(recorded: str, out_dir: Path) -> Path:
    """A path recorded by :func:`relative` back to an absolute one."""
    return Path(os.path.normpath(os.path.join(out_dir, recorded)))


def file_record(path, base=None) -> dict | None:
    """Path (relative to ``base``, the output folder, when given) and sha256 of a file."""
    if not path:
        return None
    path = Path(path)
    return {"path": relative(path, base) if base is not None else str(path), "sha256": sha256(path)}


def round_seconds(x):
    """Seconds for the manifest (three decimals), or None."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(f"{x:.3f}")


# ---------------------------------------------------------------------------
# Outcome records
# ---------------------------------------------------------------------------


def write_outcome(parts: Path, outcome) -> None:
    """Record, atomically, that one notebook finished (a :class:`NotebookOutcome`)."""
    record = {"key": outcome.key, "status": outcome.status, "error": outcome.error,
              "seconds": round_seconds(outcome.seconds)}
    write_text_atomic(parts / f"{outcome.key}{_OUTCOME_SUFFIX}", json.dumps(record, ensure_ascii=False) + "\n")


def read_outcome(parts: Path, key) -> dict | None:
    """``status``, ``error``, ``seconds`` of a finished notebook, or None when it did not finish."""
    if not key:
        return None
    try:
        rec = json.loads((parts / f"{key}{_OUTCOME_SUFFIX}").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or rec.get("status") not in ("ok", "failed"):
        return None
    return {k: rec.get(k) for k in ("status", "error", "seconds")}


def clear_outcomes(parts: Path, keys=None) -> None:
    """Remove the outcome records of ``keys`` (every record when None): notebooks about to run."""
    for f in parts.glob("*" + _OUTCOME_SUFFIX):
        if keys is None or f.name[: -len(_OUTCOME_SUFFIX)] in keys:
            f.unlink()


# ---------------------------------------------------------------------------
# The manifest
# ---------------------------------------------------------------------------


def write_manifest(out_dir: Path, manifest: dict) -> None:
    write_text_atomic(out_dir / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False,
                                                           default=str) + "\n")


def read_manifest(out_dir: Path) -> dict:
    """The previous run's manifest, for ``--retry-failed``; a usage error when there is none."""
    path = out_dir / "manifest.json"
    if not path.is_file():
        raise ClemInputError("no previous run to retry: manifest.json not found", file=out_dir,
                             fix="run once without --retry-failed")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClemInputError(f"cannot read the previous manifest: {exc}", file=path,
                             fix="run again without --retry-failed") from None


def _parameters(plan, *, jobs, scheduler_name) -> dict:
    s, out = plan.settings, plan.settings.out_dir
    register = {}
    if s.complaints_path is not None:
        register = {"complaints": relative(s.complaints_path, out),
                    "complaint_standard_days": int(s.params["complaint_standard_days"]),
                    "holidays": relative(s.holidays_path, out) if s.holidays_path is not None else ""}
    return {
        **{k: s.params[k] for k in ("lang", "round", "alpha", "min_n", "seed", "city_weights")},
        **register,
        "units": plan.chosen,
        **({"levels": list(plan.levels)} if plan.levels_given else {}),
        "jobs": None if scheduler_name is not None else int(jobs or os.cpu_count() or 1),
        "scheduler": scheduler_name,
        "retry_failed": s.previous is not None,
        "timeout_per_cell": plan.timeout,
        "notebooks": relative(s.notebooks_dir, out),
        "units_file": relative(s.units_path, out),
        "checklist": relative(s.checklist_path, out) if s.has_checklist else "",
    }


def _inputs(plan, inputs) -> dict:
    s, out = plan.settings, plan.settings.out_dir
    return {
        **dict(inputs or {}),
        "cleaned": file_record(plan.cleaned_path, out),
        "units_file": file_record(s.units_path, out),
        "checklist": file_record(s.checklist_path, out) if s.has_checklist else None,
        **({"complaints_cleaned": file_record(s.complaints_path, out)} if s.complaints_path is not None else {}),
        **({"holidays": file_record(s.holidays_path, out)} if s.holidays_path is not None else {}),
        "location_report": file_record(s.location_nb, out),
        "city_overview": file_record(s.city_nb, out),
    }


def running_manifest(plan, *, inputs, clock: Clock, jobs, scheduler_name) -> dict:
    """The manifest written before the notebooks run (status ``running``, reports ``pending``).

    ``plan`` is a :class:`clem_lib.batch.plan.Plan`; ``inputs`` adds file
    records (the raw export, codebook, ...); ``scheduler_name`` is the Dask
    scheduler's address (None: a process pool of ``jobs`` workers).
    """
    previous = plan.settings.previous
    city = plan.prev_city if previous and not plan.city_rerun else {"status": "pending"}
    manifest = {
        "tool": "clem",
        "survey_name": plan.survey_name,
        "status": "running",
        "parameters": _parameters(plan, jobs=jobs, scheduler_name=scheduler_name),
        "inputs": _inputs(plan, inputs),
        "packages": package_versions(),
        "timings": {"started": clock.started},
        "units": [{"unit": u, "slug": plan.info[u]["slug"],
                   "status": "pending" if u in plan.rerun else plan.prev_units.get(u, {}).get("status", "pending")}
                  for u in plan.chosen],
        "city_overview": city if plan.city_chosen else None,
        "failures": [],
    }
    if plan.places:  # a units file that names districts or agencies: their reports, after the units'
        manifest = _insert_after(manifest, "units", "locations", [
            {"level": p.level, "name": p.name, "slug": p.slug, "units": list(p.units),
             "status": "pending" if p.slug in plan.location_rerun else
             plan.prev_locations.get(p.slug, {}).get("status", "pending")}
            for p in plan.locations])
    return manifest


def _insert_after(d: dict, after: str, key: str, value) -> dict:
    """``d`` with ``key: value`` placed right after ``after`` (the manifest's keys keep a reading order)."""
    out = {}
    for k, v in d.items():
        out[k] = v
        if k == after:
            out[key] = value
    return out


def _output_hashes(plan, units: list, locations: list) -> dict:
    out, register = plan.settings.out_dir, plan.settings.complaints_path
    names = (["index.html", "results.csv"]
             + [f"{e['slug']}.{ext}" for e in [*units, *locations] for ext in ("html", "ipynb")]
             + ([f"{CITY_KEY}.{ext}" for ext in ("html", "ipynb")] if plan.city_chosen else [])
             + (["cleaned.parquet", "cleaning_log.csv", "cleaning_summary.csv"]
                if (out / "cleaned.parquet").is_file() else [])
             + (["complaints.parquet", "complaints_log.csv"]
                if register is not None and register.parent == out else []))
    return {name: sha256(out / name) for name in sorted(names) if (out / name).is_file()}


def final_manifest(manifest: dict, plan, *, clock: Clock, seconds: float, clean_seconds: float, outcomes,
                   units: list, city: dict | None, failures: list, locations: list = ()) -> dict:
    """``manifest`` completed: final status, timings, every report's entry, the outputs' SHA-256.

    ``locations`` (the district and agency reports' entries) is recorded when the units file names
    any; ``city`` is None when the run leaves the city overview out (``--level``).
    """
    manifest.update({
        "status": "complete" if not failures else "complete_with_failures",
        "timings": {
            "started": clock.started,
            "finished": _now(),
            "total_seconds": round_seconds(seconds),
            "clean_seconds": round_seconds(clean_seconds),
            "notebooks_seconds": {o.key: round_seconds(o.seconds) for o in outcomes},
        },
        "units": units,
        **({"locations": list(locations)} if plan.places else {}),
        "city_overview": city,
        "failures": failures,
        "outputs": _output_hashes(plan, units, list(locations)),
    })
    return manifest
