"""Numbers and figures as a reader sees them: the one number style of every output.

Indonesian uses a decimal comma and a thousands dot (``1.234,5``); English the
reverse (``1,234.5``). Rounding is half up on the decimal representation
(:func:`clem_lib.rounding.half_up`), the same rounding as the figures
themselves. A figure computed from fewer than ``min_n`` answers is not shown:
tables, charts and sentences show ``"n < 5"`` (with the ``min_n`` in force).
Respondents' text is shown as text (:func:`escape_text`).
"""

from __future__ import annotations

import html
import math
import re
from typing import Sequence

import pandas as pd

from ..codebook import strip_bidi
from ..rounding import half_up
from .labels import check_lang, label

__all__ = [
    "is_missing",
    "fmt_number",
    "fmt_percent",
    "fmt_rupiah",
    "fmt_p",
    "fmt_interval",
    "fmt_estimate",
    "is_small",
    "small_cell_text",
    "suppress_table",
    "escape_text",
]


def is_missing(value) -> bool:
    """True for None, ``pd.NA``, NaN and NaT; False for anything else (text, numbers)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def fmt_number(value, decimals: int = 1, lang: str = "id", *, signed: bool = False,
               missing: str = "–") -> str:
    """Format a number for a reader: ``1.234,5`` in Indonesian, ``1,234.5`` in English.

    Rounds half up on the decimal representation (``76.605 -> 76,61``).
    ``signed`` puts a ``+`` before positive numbers (for gaps and changes).
    Missing values show ``missing`` (an en dash).
    """
    check_lang(lang)
    if is_missing(value):
        return missing
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    d = half_up(value, decimals)
    if d == 0:
        d = abs(d)  # no "-0,0"
    sign = "−" if d < 0 else ("+" if signed and d > 0 else "")
    text = f"{abs(d):,.{decimals}f}"  # 1,234.5
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return sign + text


def fmt_percent(value, decimals: int = 0, lang: str = "id", *, scale: float = 100.0,
                signed: bool = False, missing: str = "–") -> str:
    """Format a proportion (0..1 by default; ``scale=1`` for values already in %) as ``53%``."""
    if is_missing(value):
        return missing
    return fmt_number(float(value) * scale, decimals, lang, signed=signed) + "%"


def fmt_rupiah(value, lang: str = "id", missing: str = "–") -> str:
    """Format rupiah without decimals: ``Rp 15.000`` (id) / ``Rp 15,000`` (en)."""
    if is_missing(value):
        return missing
    return "Rp " + fmt_number(value, 0, lang)


def fmt_p(p, lang: str = "id", missing: str = "–") -> str:
    """Format a p-value: three decimals, ``< 0,001`` below that (never ``0,000``)."""
    if is_missing(p):
        return missing
    p = float(p)
    if p < 0.001:
        return "< " + fmt_number(0.001, 3, lang)
    return fmt_number(p, 3, lang)


def fmt_interval(low, high, decimals: int = 1, lang: str = "id", *, percent: bool = False,
                 scale: float = 100.0, prefix: bool = True) -> str:
    """Format a 95% interval: ``IK 95% 74,1–79,8`` (id) / ``95% CI 74.1–79.8`` (en)."""
    if is_missing(low) or is_missing(high):
        body = "–"
    elif percent:
        body = f"{fmt_percent(low, decimals, lang, scale=scale)}–{fmt_percent(high, decimals, lang, scale=scale)}"
    elif float(low) < 0 or float(high) < 0:  # a dash between negative numbers reads as a minus
        to = " sampai " if lang == "id" else " to "
        body = fmt_number(low, decimals, lang) + to + fmt_number(high, decimals, lang)
    else:
        body = f"{fmt_number(low, decimals, lang)}–{fmt_number(high, decimals, lang)}"
    return f"{label('ci95', lang)} {body}" if prefix else body


# ---------------------------------------------------------------------------
# Small cells
# ---------------------------------------------------------------------------


def is_small(n, min_n: int = 5) -> bool:
    """True when a figure rests on fewer than ``min_n`` answers (missing n counts as small)."""
    if is_missing(n):
        return True
    return int(n) < int(min_n)


def small_cell_text(min_n: int = 5, lang: str = "id") -> str:
    """What a suppressed cell shows: ``"n < 5"``."""
    return label("small_cell", lang, min_n=int(min_n))


def fmt_estimate(value, n, *, min_n: int = 5, lang: str = "id", kind: str = "number",
                 decimals: int | None = None) -> str:
    """Format one figure, or ``"n < 5"`` when ``n < min_n``.

    Parameters
    ----------
    value : float
        The figure.
    n : int
        Number of answers behind it.
    kind : {"number", "percent", "rupiah", "ikm"}
        ``percent`` expects a proportion 0..1; ``ikm`` uses two decimals.
    """
    if is_small(n, min_n):
        return small_cell_text(min_n, lang)
    if kind == "percent":
        return fmt_percent(value, 0 if decimals is None else decimals, lang)
    if kind == "rupiah":
        return fmt_rupiah(value, lang)
    if kind == "ikm":
        return fmt_number(value, 2 if decimals is None else decimals, lang)
    if kind == "number":
        return fmt_number(value, 1 if decimals is None else decimals, lang)
    raise ValueError(f"unknown kind {kind!r}; use 'number', 'percent', 'rupiah' or 'ikm'")


def suppress_table(df: pd.DataFrame, *, n_column: str = "n", value_columns: Sequence[str],
                   min_n: int = 5, lang: str = "id") -> pd.DataFrame:
    """Replace the values of rows resting on fewer than ``min_n`` answers by ``"n < 5"``.

    Parameters
    ----------
    df : DataFrame
        Any table with a count column.
    n_column : str
        Column holding the number of answers behind each row.
    value_columns : sequence of str
        Columns to blank in small rows (the count itself stays).

    Returns
    -------
    DataFrame
        A copy; ``value_columns`` become object columns holding the original
        values or the suppression text.
    """
    if n_column not in df.columns:
        raise ValueError(f"suppress_table: no count column {n_column!r}; pass n_column=")
    out = df.copy()
    small = out[n_column].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
    text = small_cell_text(min_n, lang)
    for col in value_columns:
        if col not in out.columns:
            raise ValueError(f"suppress_table: no column {col!r} to suppress")
        values = out[col].astype(object).to_numpy(copy=True)
        values[small] = text
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")
_MD_ENTITIES = {ord("["): "&#91;", ord("]"): "&#93;", ord("`"): "&#96;", ord("*"): "&#42;",
                ord("_"): "&#95;", ord("\\"): "&#92;"}


def escape_text(text, *, markdown: bool = False) -> str:
    """Show respondent text as text: HTML entities for ``< > & " '``.

    Bidirectional-text controls (U+202E...) are removed. Brackets, backticks,
    ``*``, ``_``, backslashes and the ``:`` of ``://`` become entities too, so
    the text placed in a Markdown output shows as written: no link, image,
    emphasis or code. With ``markdown=True`` Markdown punctuation is
    backslash-escaped instead. Missing values become ``""``.
    """
    if is_missing(text):
        return ""
    s = html.escape(strip_bidi(str(text)), quote=True)
    if markdown:
        s = _MD_SPECIAL.sub(r"\\\1", s)
    else:
        # text placed in Markdown stays text: no link, image, emphasis or code, no bare-URL link
        # (entities read the same in HTML and in Markdown)
        s = s.translate(_MD_ENTITIES).replace("://", "&#58;//")
    return " ".join(s.split())
