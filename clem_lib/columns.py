"""Which column of a raw export holds each codebook entry.

Exports rename and regroup columns: Kobo prefixes them with their group
(``identitas/umur``), people retype headers with other capitals or spaces, and
a select-multiple question comes as one column of ticked choices or as one
0/1 column per choice. :func:`resolve_columns` finds each codebook entry's
column the same way for cleaning, for reading only the columns cleaning uses,
and for collecting the personal values of an export (:mod:`clem_lib.privacy`).
It imports nothing from clem but the problem record, so each of them can use it.
"""

from __future__ import annotations

from .problems import Problem

__all__ = ["resolve_columns"]


def resolve_columns(raw, codebook, problems: list | None = None) -> dict:
    """Codebook entry name -> raw column name (Kobo group prefixes resolved).

    Parameters
    ----------
    raw : pandas.DataFrame
        The raw export; only its column names are read.
    codebook : Codebook
    problems : list, optional
        A missing required column is appended to it as a :class:`Problem`
        (level ``error``, with the close names of the header).

    Returns
    -------
    dict
        Entry name -> raw column; ``None`` for a select-multiple question that
        comes as Kobo's one 0/1 column per choice (``<source>/<choice>``).
        Entries found nowhere are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from clem_lib import SAMPLE_CODEBOOK, load_codebook
    >>> cb = load_codebook(SAMPLE_CODEBOOK)
    >>> export = pd.DataFrame(columns=["grup/kecamatan", "Identitas/Persetujuan"])
    >>> problems = []
    >>> resolve_columns(export, cb, problems)
    {'unit': 'grup/kecamatan', 'consent': 'Identitas/Persetujuan'}
    >>> print(problems[0])
    error: column '_uuid': required column '_uuid' (codebook entry 'respondent_id', ...) is not in the export ...
    """
    problems = [] if problems is None else problems
    sep = codebook.source.get("group_separator") or "/"
    cols = list(raw.columns)
    stripped = {c: c.strip().casefold() for c in cols}
    last = {}
    for c in cols:
        last.setdefault(c.split(sep)[-1].strip().casefold(), []).append(c)
    found = {}
    for spec in codebook.columns:
        src = spec.source
        if spec.role == "special_groups":
            # Kobo's one 0/1 column per choice, when the export has one for every choice that is a
            # flag, is read before the joined column: joined labels holding spaces cannot be split
            flagged = [c for c, f in spec.choices.items() if f is not None]
            if flagged and all(f"{src}{sep}{c}" in raw.columns for c in flagged):
                found[spec.name] = None
                continue
        if src in raw.columns:
            found[spec.name] = src
            continue
        hit = [c for c in cols if stripped[c] == src.strip().casefold()]
        if not hit:
            hit = last.get(src.split(sep)[-1].strip().casefold(), [])
        if len(hit) == 1:
            found[spec.name] = hit[0]
        elif spec.role == "special_groups":
            prefix = src + sep
            if any(c.startswith(prefix) for c in cols):
                found[spec.name] = None  # Kobo split columns: <source>/<choice> = 0/1
            elif spec.required:
                problems.append(Problem(None, src, f"required column '{src}' (codebook entry "
                                        f"'{spec.name}', role {spec.role}) is not in the export",
                                        "rename the column in the export or fix source: in the codebook"))
        elif spec.required:
            problems.append(_missing(spec, cols))
    return found


def _missing(spec, cols: list) -> Problem:
    """The error for a required column that is not in the export, with the close names of the header."""
    from rapidfuzz import process

    src = spec.source
    close = process.extract(src, cols, limit=2, score_cutoff=60)
    hint = f"; close: {', '.join(repr(h[0]) for h in close)}" if close else ""
    return Problem(
        None, src,
        f"required column '{src}' (codebook entry '{spec.name}', role {spec.role}) is not in the export{hint}",
        "rename the column in the export, fix source: in the codebook, or mark it required: false",
    )
