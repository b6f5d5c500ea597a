"""Names as people type them: the normalised form used for matching, the slugs that name report files,
safe display text."""

from __future__ import annotations

import functools
import re
import unicodedata

from .files import fail

__all__ = ["normalize_label", "slugify", "strip_bidi", "RESERVED_SLUGS", "MAX_NAME"]

#: Report file names that a slug may not take (``<slug>.html`` sits beside them).
RESERVED_SLUGS = frozenset({"index", "results", "manifest", "cleaning_log", "cleaning_summary", "cleaned",
                            "city_overview"})
#: Longest name of a unit, district or agency: it titles a report, a chart and a row of the index.
MAX_NAME = 200
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def normalize_label(value: str) -> str:
    """Normalise a typed label for matching: case, accents, spaces, punctuation.

    ``"SANGAT  PUAS "`` and ``"Sangat puas."`` both become ``"sangat puas"``.
    """
    return normalize_text(str(value))


@functools.lru_cache(maxsize=1 << 16)
def normalize_text(text: str) -> str:
    """normalize_label of a string; cached, as units and labels repeat across files and columns."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = re.sub(r"[\s_\-./,;:()'\"]+", " ", text)
    return text.strip()


def slugify(name: str) -> str:
    """File-safe slug of a unit name: ``"Kec. Pasar Kliwon"`` -> ``"kec-pasar-kliwon"``."""
    text = normalize_label(name)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "unit"


def entry_slug(given, name: str, fallback: str, *, path, place, what: str) -> str:
    """The slug of a units-file entry (a unit, district or agency): ``given`` when there is one (checked),
    else its name slugified; never the name of another output file.

    ``place(name)`` says where the entry is (``line 12, unit 'X':``) in the one-line error.
    """
    where = place(name)
    if given is not None:
        if not isinstance(given, str) or not SLUG_RE.fullmatch(given):
            fail(path, f"{where} slug {str(given)[:60]!r} cannot name a report file",
                 "use lower-case letters, digits, '-', '_' and '.' only, starting with a letter or digit "
                 "(at most 100)")
        slug = given
    else:
        slug = slugify(name)[:100].rstrip("-") or fallback
    if slug in RESERVED_SLUGS:
        fail(path, f"{where} slug {slug!r} is the name of another output file ({slug}.html/.csv)",
             f"give the {what} another slug: (not {', '.join(sorted(RESERVED_SLUGS))})")
    return slug


def entry_name(value, *, path, place, what: str, fix: str) -> str:
    """The name of a units-file entry: text without bidirectional controls, not blank, at most
    :data:`MAX_NAME` characters (``place`` as :func:`entry_slug`; ``fix`` for a missing name)."""
    name = strip_bidi(value).strip() if isinstance(value, str) else ""
    if not name:
        fail(path, f"{place(None)} a {what} has no name", fix)
    if len(name) > MAX_NAME:
        fail(path, f"{place(name)} the name has {len(name)} characters (at most {MAX_NAME})",
             "shorten the name; put longer spellings under aliases:")
    return name


# bidirectional-text controls: they reorder what a reader sees ("Kec. \u202eevil" shows reversed)
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                        "\u2066\u2067\u2068\u2069"))


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional-text control characters (U+202A..U+202E, U+2066..U+2069, ...)."""
    return str(text).translate(_BIDI_CONTROLS)
