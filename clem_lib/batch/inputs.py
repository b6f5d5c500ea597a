"""A run's input files and output folder: found, resolved and checked before anything is written.

Every problem is a :class:`~clem_lib.errors.ClemInputError`: one line that
names the file and says how to fix it (the command line exits with code 2).
On ``--retry-failed`` the previous run's files are reused, and a file given
again must be the previous one: a run never mixes two sets of notebooks,
units or inputs.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ..codebook import Codebook, load_codebook, units_file_for
from ..complaints import (SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, RegisterCodebook, load_register_codebook,
                          register_codebook_for)
from ..errors import ClemInputError
from ..paths import OUTPUTS_DIR, SAMPLE_CODEBOOK, SAMPLE_DATA, UNITS_FILE
from .manifest import file_record, from_output_folder, read_manifest, sha256

__all__ = [
    "output_lock",
    "NOTEBOOKS",
    "resolve_path",
    "check_input_file",
    "output_folder",
    "path_parameter",
    "check_notebooks",
    "SurveyInputs",
    "survey_inputs",
    "check_unchanged",
]

NOTEBOOKS = ("location_report.ipynb", "city_overview.ipynb")
"""The report notebooks a notebooks folder must hold: one per unit, one for the city."""


def resolve_path(path, what: str, fix: str = "check the path") -> Path:
    """``Path(path).resolve()`` with one-line errors (a symbolic link loop, an unreadable folder)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError) as exc:
        reason = "a loop of symbolic links" if isinstance(exc, RuntimeError) or \
            getattr(exc, "errno", None) == 40 else (getattr(exc, "strerror", None) or str(exc))
        raise ClemInputError(f"{what}: {reason}", file=path, fix=fix) from None


def check_input_file(path, what: str) -> Path:
    """The resolved path of an input file, or a one-line error saying what is wrong with it."""
    p = resolve_path(path, what, fix="point to the file itself, not to a link that leads back to itself")
    if not p.exists():
        raise ClemInputError(f"{what} not found", file=path, fix="check the path")
    if p.is_dir():
        raise ClemInputError(f"{what} is a folder, not a file", file=path, fix="give the file itself")
    if not os.access(p, os.R_OK):
        raise ClemInputError(f"{what} cannot be read (permission denied)", file=path,
                             fix="check the file's permissions")
    return p


def output_folder(out_dir) -> Path:
    """The resolved output folder; a file in its place, or a folder that cannot be written, is an error."""
    p = resolve_path(out_dir, "output folder", fix="give --out a folder")
    if p.exists() and not p.is_dir():
        raise ClemInputError("the output folder is an existing file", file=p,
                             fix="give --out a folder (a new one, or the folder of an earlier run)")
    existing = p
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ClemInputError("the output folder would be inside a file", file=existing,
                             fix="give --out a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ClemInputError("cannot write the output folder here (permission denied)", file=p,
                             fix="choose a folder you can write to with --out")
    return p


@contextlib.contextmanager
def output_lock(out: Path):
    """Hold the output folder for one run: a second ``clem run`` into it stops with a one-line error.

    Two runs writing the same folder would delete each other's results rows
    and pages. The lock is ``flock`` on the folder itself (created here, so
    call this only once the inputs are checked): no lock file is left behind,
    and the system releases it when the run ends, however it ends.
    """
    out.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # no flock on this system: run unlocked
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ClemInputError("another clem run is writing to this output folder", file=out,
                                 fix="wait for it to finish, or give --out another folder") from None
        yield
    finally:
        os.close(fd)


def path_parameter(name: str, given, default, prev_params: Mapping, out_dir: Path, flag: str):
    """A file or folder parameter: the given one, the previous run's on a retry, else the default.

    ``""`` means none for the optional files (checklist, complaints,
    holidays). On a retry a given value must be the previous run's (the
    reports would otherwise mix two sets of notebooks or units).
    """
    if given is not None and str(given) == "" and name not in ("checklist", "complaints", "holidays"):
        given = None
    recorded = prev_params.get(name)  # relative path, "" (none) or absent (not recorded)
    previous = None if recorded in (None, "") else from_output_folder(str(recorded), out_dir)
    if given is None:
        if recorded is not None:
            return previous
        return None if default is None else Path(default).resolve()
    chosen = None if str(given) == "" else resolve_path(given, flag)
    if recorded is not None and chosen != previous:
        raise ClemInputError(
            f"--retry-failed: {flag} {given} differs from the previous run ({recorded or 'none'})",
            fix=f"leave out {flag} to reuse the previous one, or run without --retry-failed")
    return chosen


def check_notebooks(notebooks_dir: Path) -> None:
    """The folder holds both report notebooks."""
    for nb in NOTEBOOKS:
        if not (notebooks_dir / nb).is_file():
            raise ClemInputError("report notebook not found", file=notebooks_dir / nb,
                                 fix="give the folder holding location_report.ipynb and city_overview.ipynb")


@dataclass(frozen=True)
class SurveyInputs:
    """What ``clem run`` reads before cleaning: the export, its codebook, the complaint register.

    Attributes
    ----------
    data_path, codebook_path : Path
        The raw export and its codebook (resolved).
    codebook : Codebook
        The loaded codebook (survey name, IKM scheme).
    sample : bool
        The bundled sample survey (its units, checklist and register are the defaults).
    out_dir : Path
    previous : dict or None
        The previous run's manifest on ``--retry-failed``.
    units_path : path or None
        The units file given, or the one beside the codebook; None: the previous run's.
    register_path : Path or None
        The complaint register to clean with the survey (None: none, or on a
        retry the previous run's cleaned one).
    register_codebook : RegisterCodebook or None
        Its codebook, loaded.
    records : dict
        File records (path, sha256) of the export, codebook, register and its
        codebook, for the manifest.
    """

    data_path: Path
    codebook_path: Path
    codebook: Codebook
    sample: bool
    out_dir: Path
    previous: dict | None
    units_path: Path | str | None
    register_path: Path | None
    register_codebook: RegisterCodebook | None
    records: dict


def _export_and_codebook(data_path, codebook_path, previous, out_dir):
    """The export and codebook (the previous run's on a retry, the bundled sample when neither is given)."""
    if previous is not None and data_path is None and codebook_path is None:
        recorded = previous.get("inputs", {})
        if (recorded.get("data") or {}).get("path") and (recorded.get("codebook") or {}).get("path"):
            data_path = from_output_folder(recorded["data"]["path"], out_dir)
            codebook_path = from_output_folder(recorded["codebook"]["path"], out_dir)
    sample = data_path is None and codebook_path is None
    if sample:
        data_path, codebook_path = SAMPLE_DATA, SAMPLE_CODEBOOK
    elif data_path is None or codebook_path is None:
        raise ClemInputError("give both --data and --codebook, or neither to run the bundled sample",
                             fix="add the missing option")
    return check_input_file(data_path, "data file"), check_input_file(codebook_path, "codebook"), sample


def _register(complaints_path, complaints_codebook, *, sample: bool, prev_params: Mapping, retry: bool):
    """The raw complaint register to clean and its codebook (loaded), or (None, None).

    The bundled register belongs to the bundled sample; a survey of one's own
    has none unless given. On a retry the previous run's cleaned register is
    reused as it is.
    """
    given = complaints_path is not None and str(complaints_path) != ""
    if complaints_path is None and "complaints" not in prev_params and sample:
        complaints_path, complaints_codebook, given = SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, True
    if retry:
        if given and prev_params.get("complaints", "") == "":
            raise ClemInputError("--retry-failed: --complaints differs from the previous run (none)",
                                 fix="leave out --complaints, or run without --retry-failed")
        return None, None, None
    if not given:
        return None, None, None
    complaints_path = check_input_file(complaints_path, "complaint register")
    complaints_codebook = register_codebook_for(complaints_path, complaints_codebook)
    if complaints_codebook is not None:
        complaints_codebook = check_input_file(complaints_codebook, "register codebook")
    return complaints_path, complaints_codebook, load_register_codebook(complaints_codebook)


def survey_inputs(data_path, codebook_path, *, out_dir, retry_failed: bool, units_path,
                  complaints_path, complaints_codebook) -> SurveyInputs:
    """Find and check what ``clem run`` reads before cleaning (see :func:`clem_lib.batch.run_survey`)."""
    out = output_folder(out_dir) if out_dir is not None else None
    previous = read_manifest(out) if retry_failed and out is not None else None
    data_path, codebook_path, sample = _export_and_codebook(data_path, codebook_path, previous, out)
    codebook = load_codebook(codebook_path)
    if out is None:
        out = output_folder(OUTPUTS_DIR / codebook.survey_name)
        previous = read_manifest(out) if retry_failed else None
    prev_params = (previous or {}).get("parameters", {})
    if units_path is None and "units_file" not in prev_params:
        # <survey>.units.yml or units.yml beside the codebook; the bundled units for the sample
        units_path = UNITS_FILE if sample else units_file_for(codebook_path, None)
    register, register_cb_path, register_cb = _register(
        complaints_path, complaints_codebook, sample=sample, prev_params=prev_params, retry=retry_failed)
    records = {"data": file_record(data_path, out), "codebook": file_record(codebook_path, out)}
    if register is not None:
        records["complaints"] = file_record(register, out)
        if register_cb_path is not None:
            records["complaints_codebook"] = file_record(register_cb_path, out)
    return SurveyInputs(data_path=data_path, codebook_path=codebook_path, codebook=codebook, sample=sample,
                        out_dir=out, previous=previous, units_path=units_path, register_path=register,
                        register_codebook=register_cb, records=records)


def check_unchanged(previous: dict, records: Mapping, cleaned: Path) -> None:
    """On a retry: the export, the codebook and the cleaned table are the previous run's."""
    for key in ("data", "codebook"):
        before = (previous.get("inputs", {}).get(key) or {}).get("sha256")
        if before != records[key]["sha256"]:
            raise ClemInputError(
                f"--retry-failed: the {key} file changed since the previous run",
                file=records[key]["path"], fix="run without --retry-failed to start afresh")
    before = (previous.get("inputs", {}).get("cleaned") or {}).get("sha256")
    if before is None or before != sha256(cleaned):
        raise ClemInputError("--retry-failed: the cleaned table of the previous run is missing or changed",
                             file=cleaned, fix="run without --retry-failed")
