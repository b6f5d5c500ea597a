"""Where the drafts go and under which name, and writing them without ever leaving half a file."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ClemInputError
from ..io import write_text_atomic
from .common import slug_name
from .document import Draft

__all__ = ["survey_name_from", "default_out_dir", "write_draft"]


def survey_name_from(path) -> str:
    """The survey name drafted from an export's file name.

    Parameters
    ----------
    path : str or Path
        The export.

    Returns
    -------
    str
        The file stem in lower case with every run of other characters than
        ``a-z0-9`` replaced by ``_`` (``"SKM Puskesmas 2025.csv"`` ->
        ``"skm_puskesmas_2025"``); ``"survey"`` when nothing is left. The
        suffix Google Forms adds to a response sheet's name (``" (Jawaban)"``,
        ``" (Responses)"``) is left out.
    """
    stem = Path(path).name
    for suffix in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".sav", ".zsav"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = re.sub(r"(?i)\s*\((jawaban|responses|respons|tanggapan)\)\s*$", "", stem)
    return slug_name(stem)


def default_out_dir(path) -> Path:
    """Folder the drafts go to by default: the export's folder, or its parent when that is ``raw``.

    Parameters
    ----------
    path : str or Path
        The export.

    Returns
    -------
    Path
    """
    folder = Path(path).resolve().parent
    return folder.parent if folder.name.lower() == "raw" else folder


def write_draft(draft: Draft, out_dir, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``<survey_name>.codebook.yml`` and ``<survey_name>.units.yml`` into ``out_dir``.

    Parameters
    ----------
    draft : Draft
    out_dir : str or Path
        Created when missing.
    force : bool, default False
        Overwrite existing files.

    Returns
    -------
    (Path, Path)
        The codebook and the units file.

    Raises
    ------
    ClemInputError
        A file exists and ``force`` is false (nothing is written), or the
        folder cannot be created.

    Notes
    -----
    Each file is written to a temporary name in the same folder, then
    renamed into place, so a reader never sees half a file.
    """
    out_dir = Path(out_dir)
    codebook = out_dir / f"{draft.survey_name}.codebook.yml"
    units = out_dir / f"{draft.survey_name}.units.yml"
    if not force:
        for f in (codebook, units):
            if f.exists():
                raise ClemInputError("already exists; not overwritten", file=f,
                                     fix="pass --force to overwrite it, or choose another folder with --out")
    if out_dir.exists() and not out_dir.is_dir():
        raise ClemInputError("is a file, not a folder", file=out_dir, fix="give a folder with --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(units, draft.units_yaml())
    write_text_atomic(codebook, draft.codebook_yaml(units.name))
    return codebook, units
