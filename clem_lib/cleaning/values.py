"""The value columns: each codebook entry cleaned by its kind, personal data dropped or hashed.

:func:`clean_values` goes through the codebook's entries in order and hands
each column to the cleaner of its kind (labels, numbers, dates, free text
scrubbed of personal data, plain text stripped).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codebook import ROLES, Codebook
from ..errors import ClemInputError
from ..privacy import REMOVED, get_salt, hash_values, scrub_text
from ..problems import ProblemList
from .codes import Coded, factorize
from .dates import clean_date
from .labels import clean_scale_column, select_multiple
from .numbers import clean_integer, clean_number

__all__ = ["clean_values"]


def _salt(codebook: Codebook, problems: ProblemList):
    """The salt for hashing personal data, or None when it is missing and errors are collected."""
    try:
        return get_salt(codebook.privacy.get("salt_env", "CLEM_PII_SALT"))
    except ClemInputError as exc:
        problems.stop(exc)
        return None


def clean_values(raw, codebook, found, log, problems, *, file, today, ids) -> dict:
    """The value columns, one after another: codebook entry name -> cleaned array (or Coded).

    ``ids``: the respondent ids, stripped (by :func:`clean_frame`, for the duplicate rules too).
    """
    n = len(raw)
    max_share = float(codebook.quality["max_unmatched_share"])
    sep = codebook.source.get("group_separator") or "/"
    out: dict[str, object] = {}
    for spec in codebook.columns:
        col = found.get(spec.name)
        kind = ROLES[spec.role]
        if spec.role in ("unit", "consent", "start_time", "end_time", "submission_time"):
            continue
        if spec.role == "special_groups":
            if spec.name in found:
                out.update(select_multiple(raw, spec, col, sep, n, log, problems, file))
            continue
        if col is None:
            continue
        s = raw[col]
        scale = codebook.scales.get(spec.scale) if spec.scale else None
        if kind == "personal":
            if spec.pii == "hash":
                salt = _salt(codebook, problems)
                if salt is None:
                    continue
                out[spec.name] = hash_values(s, salt).array
                log.add_column(col, REMOVED, "<hashed>", "pii_hashed")
            else:
                log.add_column(col, REMOVED, "<dropped>", "pii_dropped")
            continue
        if kind == "id":
            if spec.pii == "hash":
                salt = _salt(codebook, problems)
                if salt is None:
                    continue
                ids = hash_values(ids, salt)
                log.add_column(col, REMOVED, "<hashed>", "pii_hashed")
            out[spec.name] = ids.array
            continue
        if kind in ("ordinal", "boolean", "nominal") or (kind == "text" and scale is not None):
            out[spec.name] = clean_scale_column(s, spec, scale, col, log, problems, max_share, file)
        elif kind == "integer":
            out[spec.name] = clean_integer(s, spec, scale, col, log, problems, max_share, file)
        elif kind == "number":
            out[spec.name] = clean_number(s, spec, col, log, problems)
        elif kind == "date":
            out[spec.name] = clean_date(s, spec, col, log, problems, today).array
        elif kind == "free_text":
            codes, uniques = factorize(s)
            u = pd.Series(uniques, dtype="string")
            su = scrub_text(u)
            changed_u = (su != u).fillna(False).to_numpy(dtype=bool)
            clean_u = su.str.strip().replace("", pd.NA).to_numpy(dtype=object, na_value=None)
            changed = np.append(changed_u, False)[codes]  # code -1: the appended False
            rows = np.flatnonzero(changed)
            log.add(rows, col, REMOVED, (clean_u, codes[rows]), "pii_free_text")
            out[spec.name] = Coded(clean_u, codes)
        else:  # text: stripped, each distinct value once
            codes, uniques = factorize(s)
            out[spec.name] = Coded(np.array([str(u).strip() for u in uniques], dtype=object), codes)

    return out
