"""Personal data: dropped or replaced by a salted hash, free text scrubbed.

Columns whose codebook role is ``personal`` (names, NIK, phone numbers,
addresses) never reach the cleaned table: they are dropped (``pii: drop``, the
default) or replaced by a keyed hash (``pii: hash``) so that records can still
be linked without the value. Free text (role ``free_text``) is scrubbed of
NIK-like 16-digit numbers, Indonesian phone numbers (``08...``, ``+62...``,
``62 8...``) and e-mail addresses.

Where the salt comes from
-------------------------
Hashing needs a secret salt, read from the environment variable named by the
codebook's ``privacy.salt_env`` (default ``CLEM_PII_SALT``), at least 16
characters. The salt is never stored in the repository, the codebook, the
outputs or the manifest. Without it, hashing stops with a ``ClemInputError``
rather than fall back to a guessable salt: a NIK has so few possible values
that an unsalted (or publicly salted) hash can be reversed by trying them all.
The bundled sample survey drops every personal column, so it needs no salt
and its cleaned table is deterministic.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import numpy as np
import pandas as pd

from .columns import resolve_columns
from .errors import ClemInputError

__all__ = [
    "PII_PATTERNS",
    "REMOVED",
    "scrub_text",
    "get_salt",
    "hash_values",
    "personal_values",
    "scan_for_personal_values",
]

#: What the audit log shows instead of a personal value.
REMOVED = "<removed>"

#: (name, regex, replacement), applied in this order.
PII_PATTERNS: tuple[tuple[str, str, str], ...] = (
    ("email", r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", "[email]"),
    ("nik", r"(?<!\d)\d{4}[ .\-]?\d{4}[ .\-]?\d{4}[ .\-]?\d{4}(?!\d)", "[NIK]"),
    ("phone_plus62", r"\+\s?62[\s.\-]?\(?\d{1,4}\)?(?:[\s.\-]?\d){5,11}(?!\d)", "[telepon]"),
    ("phone_62", r"(?<![\d+])62[\s.\-]?8\d(?:[\s.\-]?\d){6,11}(?!\d)", "[telepon]"),
    ("phone_08", r"(?<!\d)08\d(?:[\s.\-]?\d){6,11}(?!\d)", "[telepon]"),
)


def scrub_text(text: pd.Series) -> pd.Series:
    """Remove NIK numbers, Indonesian phone numbers and e-mail addresses from free text.

    Parameters
    ----------
    text : pandas.Series
        Free-text answers (strings or missing).

    Returns
    -------
    pandas.Series
        ``string`` dtype, same index; each match replaced by ``[NIK]``,
        ``[telepon]`` or ``[email]``. Missing stays missing.

    Notes
    -----
    Patterns (:data:`PII_PATTERNS`): e-mail ``local@domain.tld``; NIK = 16
    digits, optionally in groups of four separated by space, dot or hyphen
    (Undang-Undang 24/2013: 6-digit region, 6-digit birth date, 4-digit
    serial); mobile numbers ``08`` + 8-13 digits, ``+62`` / ``62`` + digits,
    with spaces, dots or hyphens between digits. Vectorised (``Series.str``).
    """
    s = text.astype("string")
    for _name, pattern, repl in PII_PATTERNS:
        s = s.str.replace(pattern, repl, regex=True)
    return s


def get_salt(env_var: str = "CLEM_PII_SALT") -> bytes:
    """The secret salt for hashing personal values, from the environment.

    Parameters
    ----------
    env_var : str, default ``"CLEM_PII_SALT"``
        Name of the environment variable (the codebook's ``privacy.salt_env``).

    Returns
    -------
    bytes

    Raises
    ------
    ClemInputError
        The variable is unset or shorter than 16 characters.
    """
    value = os.environ.get(env_var, "")
    if len(value) < 16:
        raise ClemInputError(
            f"hashing personal data needs a secret salt of at least 16 characters in ${env_var}",
            fix=f"export {env_var}=<long random text, kept out of the repository>, "
                "or use pii: drop in the codebook",
        )
    return value.encode("utf-8")


def hash_values(values: pd.Series, salt: bytes, *, length: int = 20) -> pd.Series:
    """Replace values by a keyed hash (HMAC-SHA-256 with ``salt``).

    Parameters
    ----------
    values : pandas.Series
    salt : bytes
        From :func:`get_salt`.
    length : int, default 20
        Hex characters kept (20 = 80 bits).

    Returns
    -------
    pandas.Series
        ``string`` dtype; the same input value always gives the same hash for
        the same salt; missing stays missing. Values are stripped of
        surrounding spaces before hashing.

    References
    ----------
    RFC 2104, HMAC: Keyed-Hashing for Message Authentication.
    """
    if not isinstance(salt, (bytes, bytearray)) or len(salt) < 16:
        raise ValueError("salt must be at least 16 bytes; get it with get_salt()")
    s = values.astype("string").str.strip()
    codes, uniques = pd.factorize(s)
    hashed = np.array(
        [hmac.new(salt, str(u).encode("utf-8"), hashlib.sha256).hexdigest()[:length] for u in uniques],
        dtype=object,
    )
    out = np.full(len(s), None, dtype=object)
    ok = codes >= 0
    out[ok] = hashed[codes[ok]]
    return pd.Series(out, index=values.index, dtype="string")


def personal_values(raw: pd.DataFrame, codebook, *, min_length: int = 6) -> set:
    """Every personal value of a raw export, for leak checks.

    Parameters
    ----------
    raw : pandas.DataFrame
        The raw export (:func:`clem_lib.read_survey`).
    codebook : Codebook
        Columns of role ``personal`` (and ``respondent_id`` with ``pii: hash``)
        are collected whole; free-text columns contribute what
        :data:`PII_PATTERNS` finds in them.
    min_length : int, default 6
        Shorter values are skipped (a two-letter name would match anywhere).

    Returns
    -------
    set of str
    """
    found = resolve_columns(raw, codebook)  # the same column resolution as cleaning
    values: set = set()
    for spec in codebook.columns:
        col = found.get(spec.name)
        if col is None:
            continue
        if spec.role == "personal" or (spec.role == "respondent_id" and spec.pii == "hash"):
            values |= {str(v).strip() for v in pd.unique(raw[col].dropna())}
        elif spec.role == "free_text":
            text = pd.Series(pd.unique(raw[col].dropna()), dtype="string")
            for _name, pattern, _repl in PII_PATTERNS:
                hits = text.str.findall(pattern).explode().dropna()
                values |= set(hits.astype(str))
    return {v for v in values if len(v) >= min_length}


def scan_for_personal_values(folder, values, *, suffixes=(".csv", ".html", ".ipynb", ".json", ".md",
                                                          ".txt", ".parquet", ".svg")) -> list:
    """Files under ``folder`` that contain any of ``values``.

    Parameters
    ----------
    folder : str or Path
        E.g. ``outputs/<survey>/``.
    values : iterable of str
        From :func:`personal_values`.
    suffixes : tuple of str
        File types read (text files as UTF-8, parquet through pandas).

    Returns
    -------
    list of (path, value)
        Sorted; empty when no personal value leaked.
    """
    from pathlib import Path

    values = sorted(set(values))
    if not values:
        return []
    pattern = re.compile(_trie_pattern(values))
    hits = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file() or path.suffix.lower() not in suffixes:
            continue
        if path.suffix.lower() == ".parquet":
            text = pd.read_parquet(path).astype(str).to_csv(index=False)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
        for m in sorted(set(pattern.findall(text))):
            hits.append((path, m))
    return hits


def _trie_pattern(words) -> str:
    """One regular expression matching any of ``words``, as a trie: ``Sri|Siti`` becomes
    ``S(?:ri|iti)``. At each position of the text the engine follows one branch per
    character instead of trying every word in turn, so thousands of values scan a
    report in milliseconds, not seconds. Of two words where one begins the other, the
    longer match is reported."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != ""]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)
