"""Labelled answers: scale columns mapped through the codebook, select-multiple questions split.

Each distinct raw value is normalised and looked up once; rows get their
value by array indexing. Aliases, missing codes, unmatched labels and codes
off the scale are logged under their rules.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..codebook import Scale, normalize_label
from ..errors import ClemInputError
from ..problems import Problem
from .codes import Coded, factorize

__all__ = [
    "map_scale",
    "typed",
    "map_scale_values",
    "suggestion_text",
    "clean_scale_column",
    "choice_pieces",
    "select_multiple",
]


def map_scale(s: pd.Series, scale: Scale):
    """Map raw strings through a scale.

    Returns (typed pandas array of codes, status per row, distinct values,
    row -> distinct index, status per distinct value); status 0 =
    exact/official, 1 = alias, 2 = missing code, 3 = unmatched, 4 = out of
    range, -1 = empty. Each distinct value is normalised once.
    """
    codes, uniques = factorize(s)
    uval = np.empty(len(uniques), dtype=object)
    ustat = np.zeros(len(uniques), dtype="int8")
    valid = set(scale.codes)
    for i, u in enumerate(uniques):
        key = normalize_label(u)
        if key in scale.lookup:
            uval[i] = scale.lookup[key]
            ustat[i] = 0 if str(u) in scale.canonical else 1
        elif key in scale.missing or key == "":
            uval[i] = None
            ustat[i] = 2
        else:
            uval[i] = None
            ustat[i] = 3
            if scale.kind == "ordinal":
                try:
                    num = float(key.replace(" ", ""))
                except ValueError:
                    num = None
                if num is not None and num not in valid:
                    ustat[i] = 4
    stat = np.append(ustat, np.int8(-1))[codes]  # code -1 (missing) picks the appended -1
    return typed(scale, uval, codes), stat, uniques, codes, ustat


def typed(scale: Scale, uval, codes):
    """Per-row values as a pandas array of the scale's type, built from the distinct values."""
    known = np.array([v is not None for v in uval] + [False], dtype=bool)
    idx = np.where(codes >= 0, codes, len(uval))
    mask = ~known[idx]
    if scale.kind == "ordinal":
        u = np.array([v if v is not None else 0 for v in uval] + [0], dtype="int64")
        return pd.arrays.IntegerArray(u[idx], mask)
    if scale.kind == "boolean":
        u = np.array([bool(v) for v in uval] + [False], dtype=bool)
        return pd.arrays.BooleanArray(u[idx], mask)
    return Coded(np.array([None if v is None else str(v) for v in uval], dtype=object),
                  np.where(mask, -1, idx))


def map_scale_values(uniques, scale: Scale) -> list:
    """The code of each distinct raw value under ``scale`` (None: no level matches)."""
    return [scale.lookup.get(normalize_label(u)) for u in uniques]


def suggestion_text(scale: Scale, values) -> str:
    """The first three unmatched values, each with the closest level of ``scale`` when there is one."""
    parts = []
    for v in values[:3]:
        sug = scale.suggest(v)
        parts.append(f"'{v}'" + (f" (did you mean '{sug[0]}'?)" if sug else ""))
    return ", ".join(parts)


def clean_scale_column(s, spec, scale, raw_col, log, problems, max_share, file):
    """A labelled column through its scale: aliases, missing codes, unmatched and out-of-scale values logged.

    More unmatched answers than ``max_share`` of those given is an error
    (the codebook must name them); fewer is a warning with suggestions.
    """
    vals, stat, uniques, codes, ustat = map_scale(s, scale)
    # old and new values are taken from the distinct values: no per-row string objects
    u_old = np.asarray(uniques, dtype=object)
    u_new = np.array(["" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
                      for v in map_scale_values(uniques, scale)], dtype=object)
    for st, rule in ((1, "alias"), (2, "missing_code"), (3, "unmatched_label"), (4, "out_of_range")):
        rows = np.flatnonzero(stat == st)
        if rows.size:
            new = (u_new, codes[rows]) if st == 1 else ""
            log.add(rows, raw_col, (u_old, codes[rows]), new, rule)
    answered = int((stat >= 0).sum())
    n_bad = int((stat == 3).sum())
    if n_bad:
        counts = np.bincount(codes + 1, minlength=len(uniques) + 1)[1:]  # code -1 counted apart
        bad_idx = np.flatnonzero(ustat == 3)
        bad_idx = bad_idx[np.argsort(-counts[bad_idx], kind="stable")]  # most frequent first
        text = suggestion_text(scale, [u_old[i] for i in bad_idx])
        share = n_bad / max(answered, 1)
        first_row = int(np.flatnonzero(stat == 3)[0]) + 1
        if share > max_share:
            problems.stop(ClemInputError(
                f"{n_bad} of {answered} answers ({share:.0%}) match no level of scale '{scale.name}', "
                f"more than the allowed {max_share:.0%}: {text}",
                file=file, row=first_row, column=raw_col,
                fix=f"add the spellings as aliases of scale '{scale.name}' in the codebook",
            ))
        else:
            problems.append(Problem(first_row, raw_col,
                                    f"{n_bad} answer(s) match no level of scale '{scale.name}' and became "
                                    f"missing: {text}",
                                    f"add them as aliases of scale '{scale.name}' in the codebook",
                                    "warning"))
    n_oor = int((stat == 4).sum())
    if n_oor:
        problems.append(Problem(int(np.flatnonzero(stat == 4)[0]) + 1, raw_col,
                                f"{n_oor} answer(s) outside scale '{scale.name}' "
                                f"({', '.join(str(c) for c in scale.codes)}) became missing", None, "warning"))
    return vals


def choice_pieces(value: str, separator: str | None) -> list[str]:
    """The ticked choices of one cell, each normalised as labels are (see ``normalize_label``).

    With no separator the choices are Kobo/ODK choice names joined by spaces;
    otherwise the cell is split at the separator (Google Forms joins checkbox
    labels with ", ", and a label may itself hold spaces).
    """
    if separator is None or not separator.strip():
        parts = re.split(r"[\s,;]+", value)
    else:
        parts = value.split(separator.strip())
    return [p for p in (normalize_label(x) for x in parts) if p]


def select_multiple(raw, spec, raw_col, sep, n, log=None, problems=None, file=None):
    """A select-multiple question -> {flag: boolean array}.

    One column of ticked choices (Kobo/ODK names joined by spaces, or labels
    joined by ``spec.separator``), or Kobo's split columns
    ``<source><sep><choice>`` holding 1/0. A blank cell means nothing ticked
    (``spec.blank == "none"``, flags false) or no answer (``"missing"``).
    Ticked values that are no choice of the codebook are logged as
    ``unmatched_label`` and are an error: the codebook must say what they mean.
    """
    blank_is_none = spec.blank == "none"
    wanted = {normalize_label(c): flag for c, flag in spec.choices.items()}
    flag_names = list(dict.fromkeys(f for f in spec.choices.values() if f is not None))
    if raw_col is not None:
        codes, uniques = factorize(raw[raw_col])
        n_u = len(uniques)
        hits = {f: np.zeros(n_u + 1, dtype=bool) for f in flag_names}  # last: blank cell (code -1)
        unknown = []
        blank_u = np.zeros(n_u + 1, dtype=bool)
        blank_u[n_u] = True
        for i, u in enumerate(uniques):
            pieces = choice_pieces(str(u), spec.separator)
            if not pieces:
                blank_u[i] = True
            for piece in pieces:
                if piece not in wanted:
                    unknown.append(i)
                elif wanted[piece] is not None:
                    hits[wanted[piece]][i] = True
        idx = np.where(codes >= 0, codes, n_u)
        if unknown and log is not None:
            bad_u = np.zeros(n_u + 1, dtype=bool)
            bad_u[unknown] = True
            rows = np.flatnonzero(bad_u[idx])
            log.add(rows, raw_col, (np.asarray(uniques, dtype=object), codes[rows]), "", "unmatched_label")
            shown = ", ".join(repr(str(uniques[i])) for i in unknown[:3])
            problems.stop(ClemInputError(
                f"{rows.size} answer(s) hold choices the codebook does not list: {shown}",
                file=file, row=int(rows[0]) + 1, column=raw_col,
                fix=f"add each choice under choices: of '{spec.source}' (map it to a flag, or to null "
                    "when it is none of the special groups)"))
        blank_rows = blank_u[idx]
        if problems is not None and n and blank_rows.mean() > 0.9:  # most users belong to no special group
            problems.append(Problem(
                None, raw_col, f"{blank_rows.mean():.0%} of the cells are blank; they count as "
                + ("nothing ticked (blank: none)" if blank_is_none else "not answered (blank: missing)"),
                "if a blank means the question was skipped, write blank: missing in the codebook entry"
                if blank_is_none else "if a blank means nothing was ticked, write blank: none", "warning"))
        mask = blank_rows if not blank_is_none else np.zeros(n, dtype=bool)
        return {f: pd.arrays.BooleanArray(hits[f][idx] & ~mask, mask.copy()) for f in flag_names}
    flags = {}
    present = [c for c in spec.choices if f"{spec.source}{sep}{c}" in raw.columns]
    for choice, flag in spec.choices.items():
        col = f"{spec.source}{sep}{choice}"
        if flag is None or col not in raw.columns:
            continue
        v = raw[col].astype("string").str.strip().str.casefold()
        hit = v.isin(["1", "true", "ya", "yes", "1.0"]).astype("boolean")
        if not blank_is_none:
            hit = hit.mask(v.isna() | v.eq(""))
        prev = flags.get(flag)
        flags[flag] = hit if prev is None else (prev | hit)
    if not blank_is_none and present:
        # a row with every split column blank was not answered: unknown, whatever the flag; so is a
        # row whose joined column (Kobo writes both) is blank
        cols = [raw[f"{spec.source}{sep}{c}"].astype("string").str.strip() for c in present]
        if spec.source in raw.columns:
            cols = [raw[spec.source].astype("string").str.strip()]
        unanswered = np.logical_and.reduce([(c.isna() | c.eq("")).to_numpy(dtype=bool) for c in cols])
        flags = {k: v.mask(unanswered) for k, v in flags.items()}
    return {k: v.array for k, v in flags.items()}
