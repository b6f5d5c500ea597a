"""What a report shows besides sentences: formatted tables, Markdown text, headings and captions.

:class:`ReportTable` and :class:`ReportText` are the display objects every
report cell returns (HTML / Markdown in the rendered report, plain text for
nbval). :func:`report_table` turns a result table into a reader's table:
chosen columns, translated headers, numbers in the one style, small cells
suppressed, every cell escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .format import escape_text, fmt_number, fmt_p, fmt_percent, fmt_rupiah, is_missing, is_small, small_cell_text
from .labels import check_lang, group_label, label, LABELS, metric_label, unsur_label
from .sentences import figure_ref, table_ref

__all__ = ["ReportTable", "ReportText", "report_table", "heading", "figure_caption", "table_caption"]


@dataclass(frozen=True)
class ReportTable:
    """A formatted table for a report cell: every cell already text, every cell escaped.

    Displayed as an HTML ``<table>`` (``_repr_html_``) in notebooks and the
    rendered report, and as aligned plain text elsewhere (``__repr__``), which
    is what nbval compares.
    """

    frame: pd.DataFrame
    caption: str = ""

    def _repr_html_(self) -> str:
        # a column whose cells are all numbers (with their unit, interval or "n < 5") is
        # right-aligned as a whole, header included, and its cells do not wrap
        numeric = [all(_numeric_text(v) for v in self.frame[c].tolist()) and len(self.frame) > 0
                   for c in self.frame.columns]
        right = 'class="num" style="text-align:right;white-space:nowrap"'
        left = 'style="text-align:left"'
        head = "".join(f"<th {right if num else left}>{escape_text(c)}</th>"
                       for c, num in zip(self.frame.columns, numeric))
        rows = []
        for rec in self.frame.itertuples(index=False, name=None):
            cells = "".join(
                f"<td {right if num else left}>{escape_text(v)}</td>"
                for v, num in zip(rec, numeric)
            )
            rows.append(f"<tr>{cells}</tr>")
        cap = f"<caption>{escape_text(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="clem-table">{cap}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False) if len(self.frame) else "(" + ", ".join(self.frame.columns) + ")"
        return (self.caption + "\n" + text) if self.caption else text


_NUM = r"[−+\-]?(?:Rp )?[\d.,]+(?:%| (?:poin persen|percentage points|hari|days|menit|minutes))?"
_NUMERIC_TEXT = re.compile(rf"^{_NUM}(?: ?[;–/] ?{_NUM})?$|^< [\d.,]+$|^n < \d+$|^–$")


def _numeric_text(value) -> bool:
    return bool(_NUMERIC_TEXT.match(str(value)))


def report_table(df: pd.DataFrame, columns: Mapping[str, str], *, lang: str = "id",
                 formats: Mapping[str, str] | None = None, n_column: str | None = "n",
                 suppress: Sequence[str] = (), min_n: int = 5, caption: str = "") -> ReportTable:
    """Turn a result table into a reader's table: chosen columns, translated headers,
    formatted numbers, small cells suppressed.

    Parameters
    ----------
    df : DataFrame
        A tidy result table (from scoring or stats).
    columns : mapping column -> label key
        Columns to show, in order, each with the :data:`LABELS` key of its header
        (a key missing from ``LABELS`` is used as the header text itself).
    formats : mapping column -> kind
        ``"number"``, ``"number0"``, ``"number2"``, ``"ikm"``, ``"percent"``,
        ``"percent1"``, ``"rupiah"``, ``"p"``, ``"signed"``, ``"signed2"``,
        ``"int"``, ``"text"`` (default: numbers with one decimal, text as is),
        ``"group"`` (group names translated), ``"unsur"`` (unsur keys translated),
        ``"metric"`` (metric names translated), ``"yesno"``.
    n_column : str or None
        Count column used for suppression.
    suppress : sequence of str
        Columns shown as ``"n < 5"`` in rows where ``n_column < min_n``.

    Returns
    -------
    ReportTable
    """
    check_lang(lang)
    formats = dict(formats or {})
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"report_table: no column(s) {', '.join(missing)} in the table")
    small = (df[n_column].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
             if (n_column and suppress) else np.zeros(len(df), dtype=bool))
    out = {}
    for col, key in columns.items():
        kind = formats.get(col)
        vals = [_format_cell(v, kind, lang) for v in df[col].tolist()]
        if col in suppress:
            vals = [small_cell_text(min_n, lang) if s else v for v, s in zip(vals, small)]
        header = label(key, lang) if key in LABELS else str(key)
        out[header] = vals
    return ReportTable(pd.DataFrame(out, dtype=object), caption=caption)


def _format_cell(v, kind, lang) -> str:
    if kind in (None, "number") and isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return fmt_number(v, 0, lang)
    if kind is None:
        if isinstance(v, (float, np.floating)):
            return fmt_number(v, 1, lang)
        if isinstance(v, (bool, np.bool_)):
            return label("yes" if v else "no", lang)
        return "–" if is_missing(v) else str(v)
    if kind == "text":
        return "–" if is_missing(v) else str(v)
    if kind == "group":
        return "–" if is_missing(v) else group_label(v, lang)
    if kind == "unsur":
        return "–" if is_missing(v) else unsur_label(v, lang)
    if kind == "metric":
        return "–" if is_missing(v) else metric_label(v, lang)
    if kind == "sector":
        return "–" if is_missing(v) else (label(f"sector_{v}", lang) if f"sector_{v}" in LABELS else str(v))
    if kind == "yesno":
        return "–" if is_missing(v) else label("yes" if bool(v) else "no", lang)
    if kind == "int":
        return fmt_number(v, 0, lang)
    if kind.startswith("number"):
        return fmt_number(v, int(kind[6:] or 1), lang)
    if kind == "ikm":
        return fmt_number(v, 2, lang)
    if kind.startswith("percent"):
        return fmt_percent(v, int(kind[7:] or 0), lang)
    if kind == "pct":  # already in percent
        return fmt_percent(v, 0, lang, scale=1.0)
    if kind == "rupiah":
        return fmt_rupiah(v, lang)
    if kind == "p":
        return fmt_p(v, lang)
    if kind.startswith("signed"):
        return fmt_number(v, int(kind[6:] or 1), lang, signed=True)
    raise ValueError(f"unknown cell format {kind!r}")


def heading(key: str, lang: str = "id", *, level: int = 2, number: int | None = None, **values) -> str:
    """A Markdown heading in ``lang``: ``## 3. IKM per unsur pelayanan``."""
    text = label(key, lang, **values)
    prefix = f"{number}. " if number is not None else ""
    return f"{'#' * level} {prefix}{escape_text(text)}"


def figure_caption(key: str, lang: str = "id", *, n: int | None = None, note: str = "",
                   numbers: Mapping | None = None) -> str:
    """Caption of a figure: ``**Gambar 4.** <text> n = 120.`` (Markdown)."""
    text = label(f"fig_{key}", lang)
    tail = f" n = {fmt_number(n, 0, lang)}." if n is not None else ""
    extra = f" {escape_text(note)}" if note else ""
    return f"**{figure_ref(key, lang, numbers)}.** {escape_text(text)}{tail}{extra}"


@dataclass(frozen=True)
class ReportText:
    """Markdown generated in the report language (headings, sentences, lists).

    Shown as Markdown in notebooks and the HTML report; its plain-text form
    (``repr``) is the Markdown itself, which nbval compares.
    """

    text: str

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text


_TABLE_CAPTIONS = {
    "sample": ("Responden per sektor, layanan dan kelompok.", "Respondents by sector, service and group."),
    "groups": ("Kesenjangan antar-kelompok: semua uji untuk kelompok rentan, dan uji kelompok lain yang "
               "signifikan.", "Gaps between groups: every test for special groups, and the significant tests "
               "for other groups."),
    "channel": ("Calo/biro jasa vs datang sendiri.", "Broker vs in person."),
    "ipa": ("Harapan (Y) vs pengalaman (X) per unsur, tingkat kesesuaian dan uji Wilcoxon bertanda.",
            "Expectation (Y) vs experience (X) per element, conformity level and Wilcoxon signed-rank test."),
    "rounds": ("Perubahan antara dua putaran terakhir.", "Change between the last two rounds."),
    "checklist": ("Kepatuhan standar pelayanan per kategori (Permenpan RB 15/2014).",
                  "Service-standard compliance by category (Permenpan RB 15/2014)."),
    "complaints": ("Masalah, pengaduan dan pungutan.", "Problems, complaints and extra payments."),
    "register": ("Register pengaduan: jumlah, laju, waktu penyelesaian; survei di sampingnya.",
                 "Complaint register: counts, rates, resolution times; the survey beside it."),
    "register_breakdown": ("Pengaduan per saluran dan kategori.", "Complaints by channel and category."),
    "complaints_city": ("Register pengaduan dan survei per unit.", "Complaint register and survey by unit."),
    "suggestions": ("Saran pengguna (teks asli).", "Users' suggestions (as written)."),
    "quality": ("Catatan pembersihan data untuk unit ini.", "Data-cleaning notes for this unit."),
    "city": ("Angka tingkat kota: berbasis desain dan tanpa bobot.",
             "City-wide figures: design-based and unweighted."),
    "city_unweighted": ("Angka tingkat kota: tanpa bobot.", "City-wide figures: unweighted."),
    "ranking": ("IKM per unit.", "IKM by unit."),
    "between": ("Perbedaan antar-unit per unsur (Kruskal–Wallis) dan setiap unit vs unit lain (IKM).",
                "Differences between units per element (Kruskal–Wallis) and each unit vs the rest (IKM)."),
    "access_units": ("Aksesibilitas dan kepatuhan per unit.", "Accessibility and compliance by unit."),
    "rounds_city": ("Perubahan IKM antar-putaran per unit.", "Change in IKM between rounds by unit."),
}


def table_caption(key: str, lang: str = "id", numbers: Mapping | None = None, *, text: str | None = None) -> str:
    """``Tabel 2. <caption>`` / ``Table 2. <caption>`` (``numbers``: as :func:`figure_ref`); ``text``
    names another caption for table ``key`` (``city_unweighted``)."""
    check_lang(lang)
    caption = _TABLE_CAPTIONS[text or key][0 if lang == "id" else 1]
    return f"{table_ref(key, lang, numbers)}. {caption}"
