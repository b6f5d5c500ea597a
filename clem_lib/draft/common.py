"""What every part of the draft shares: how sure a guess is, and how header and answer texts are compared."""

from __future__ import annotations

import json
import re

from ..codebook import normalize_label

__all__ = ["SURE", "LIKELY", "CHECK", "RANK", "NUMBER_RE", "norm", "words", "snake", "slug_name", "short",
           "pct", "quoted"]

#: how sure a guess is, as its comment says
SURE, LIKELY, CHECK = "sure", "likely", "check"
#: surer first (sorting key, and ``max(..., key=RANK.get)`` for the least sure of several)
RANK = {SURE: 0, LIKELY: 1, CHECK: 2}

#: a plain number, with a decimal point or comma
NUMBER_RE = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def norm(text) -> str:
    """:func:`clem_lib.codebook.normalize_label` of a text; ``""`` for None."""
    return normalize_label(text) if text is not None else ""


def words(text) -> str:
    """Lower-case words of a header or question text (underscores and slashes become spaces)."""
    return " " + norm(text) + " "


def snake(text: str, limit: int = 40) -> str:
    """A snake_case name of at most ``limit`` characters from a header or question text, question words left out."""
    found = re.sub(r"[^a-z0-9]+", " ", norm(text)).split()
    stop = {"apakah", "bagaimana", "berapa", "saudara", "anda", "bapak", "ibu", "yang", "dan", "di", "ke",
            "dari", "untuk", "dengan", "tentang", "pada", "dalam", "ini", "itu", "the", "of", "a"}
    keep = [w for w in found if w not in stop] or found
    out = ""
    for w in keep:
        if len(out) + len(w) + 1 > limit:
            break
        out = f"{out}_{w}" if out else w
    out = out or "column"
    if not out[0].isalpha():
        out = "q_" + out
    return out


def slug_name(text: str) -> str:
    """``a-z0-9`` runs joined by ``_`` (``"SKM Puskesmas 2025"`` -> ``"skm_puskesmas_2025"``); ``"survey"`` if empty."""
    return re.sub(r"[^a-z0-9]+", "_", norm(text)).strip("_") or "survey"


def short(text: str, limit: int = 70) -> str:
    """A text on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def pct(x: float) -> str:
    """A share as a whole percentage (``0.853`` -> ``"85%"``)."""
    return f"{100 * x:.0f}%"


def quoted(text) -> str:
    """A text in double quotes as JSON writes it (``"Sgt puas"``), non-ASCII letters kept."""
    return json.dumps(text, ensure_ascii=False)
