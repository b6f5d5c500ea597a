"""HTML for reviewers: executed notebooks as self-contained report pages, and the run's index.

Reports are rendered by nbconvert's JupyterLab template with every network
dependency removed (require.js, MathJax, Mermaid and the widget manager are
loaded from CDNs by default), images embedded as ``data:`` URIs, no code and
no prompts, and a table of contents built from the headings. The page opens
offline, can be mailed, and prints.
"""

from __future__ import annotations

import html
import re
import threading
from html.parser import HTMLParser
from pathlib import Path
from typing import Mapping, Sequence

from .text import LABELS, fmt_number, label

__all__ = [
    "TEMPLATES_DIR",
    "render_notebook_html",
    "add_table_of_contents",
    "external_references",
    "render_index_html",
]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
"""Folder with clem's HTML templates (report page and index page)."""

_TOC_TITLE = {"id": "Daftar isi", "en": "Contents"}


_LOCAL = threading.local()


def _exporter():
    """One configured exporter per thread (templates are compiled once, not per page)."""
    exporter = getattr(_LOCAL, "exporter", None)
    if exporter is None:
        exporter = _LOCAL.exporter = _make_exporter()
    return exporter


def _make_exporter():
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    cfg = Config()
    cfg.HTMLExporter.template_name = "lab"
    # An absolute path: nbconvert adds its folder to the template search path.
    cfg.HTMLExporter.template_file = str(TEMPLATES_DIR / "clem_report.html.j2")
    cfg.HTMLExporter.exclude_input = True
    cfg.HTMLExporter.exclude_input_prompt = True
    cfg.HTMLExporter.exclude_output_prompt = True
    cfg.HTMLExporter.embed_images = True
    cfg.HTMLExporter.theme = "light"
    # Cells a notebook author wants out of the report: tag them in the notebook.
    cfg.TagRemovePreprocessor.enabled = True
    cfg.TagRemovePreprocessor.remove_cell_tags = {"remove-cell", "remove_cell"}
    cfg.TagRemovePreprocessor.remove_all_outputs_tags = {"remove-output", "remove_output"}
    exporter = HTMLExporter(config=cfg)
    exporter.register_preprocessor(TagRemovePreprocessor(config=cfg), enabled=True)
    return exporter


def render_notebook_html(nb, *, title: str, lang: str = "id") -> str:
    """Render an executed notebook as one self-contained HTML page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Executed notebook (failed notebooks too: the error banner and the
        traceback are shown).
    title : str
        Page title (the unit's name, or the city overview's title).
    lang : {"id", "en"}
        Language of the table-of-contents heading and of the ``lang`` attribute.

    Returns
    -------
    str
        The page. It has no code cells, no ``In [ ]`` / ``Out [ ]`` prompts, no
        ``<script src=...>`` and no link or image pointing to another host;
        images are ``data:`` URIs.
    """
    if lang not in _TOC_TITLE:
        raise ValueError(f"unknown language {lang!r}; use 'id' or 'en'")
    exporter = _exporter()
    resources = {"metadata": {"name": title}, "language_code": lang}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = add_table_of_contents(body, lang=lang)
    problems = external_references(body)
    if problems:
        raise ValueError(
            "the rendered report would load from the network: "
            + ", ".join(problems[:3])
            + "; remove the remote reference from the notebook output"
        )
    return body


class _HeadingCollector(HTMLParser):
    """Collects (level, id, text) of h1..h3 elements that carry an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[tuple[int, str, str]] = []
        self._current: list | None = None  # [level, id, parts, depth_of_anchor]
        self._in_anchor = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3"):
            ident = dict(attrs).get("id")
            self._current = [int(tag[1]), ident, []] if ident else None
        elif tag == "a" and self._current is not None:
            if "anchor-link" in (dict(attrs).get("class") or ""):
                self._in_anchor += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._in_anchor:
            self._in_anchor -= 1
        elif tag in ("h1", "h2", "h3") and self._current is not None:
            level, ident, parts = self._current
            text = " ".join("".join(parts).split())
            if text:
                self.headings.append((level, ident, text))
            self._current = None

    def handle_data(self, data):
        if self._current is not None and not self._in_anchor:
            self._current[2].append(data)


def add_table_of_contents(page: str, *, lang: str = "id") -> str:
    """Insert a table of contents (h1..h3 with ids) at the top of ``<main>``.

    A page with fewer than two headings is returned unchanged.
    """
    collector = _HeadingCollector()
    collector.feed(page)
    headings = collector.headings
    if len(headings) < 2:
        return page
    top = min(level for level, _, _ in headings)
    items = []
    for level, ident, text in headings:
        css = "clem-toc-h3" if level > top else "clem-toc-h2"
        items.append(
            f'<li class="{css}"><a href="#{html.escape(ident, quote=True)}">{html.escape(text)}</a></li>'
        )
    nav = (
        f'<nav class="clem-toc" aria-label="{_TOC_TITLE[lang]}">'
        f'<div class="clem-toc-title">{_TOC_TITLE[lang]}</div><ol>'
        + "".join(items)
        + "</ol></nav>"
    )
    match = re.search(r"<main[^>]*>", page)
    if match is None:
        match = re.search(r"<body[^>]*>", page)
    if match is None:
        return nav + page
    return page[: match.end()] + "\n" + nav + page[match.end():]


_REF = re.compile(r"""(?:\b(?:src|href|action|data|poster)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])\s*([^"'\s)>]+)""",
                  re.IGNORECASE)


def external_references(page: str) -> list[str]:
    """Everything in ``page`` that a browser would fetch from elsewhere.

    Returns the offending references (``<script src=...>`` of any kind, and
    ``src``/``href``/``url()``/``@import`` values that point to a host or to a
    protocol-relative address); an empty list for a self-contained page.
    Local anchors (``#...``) and ``data:`` URIs are fine.
    """
    found = []
    for m in re.finditer(r"<script\b[^>]*\bsrc\s*=", page, re.IGNORECASE):
        found.append(page[m.start(): m.end() + 60])
    for m in _REF.finditer(page):
        ref = m.group(1)
        low = ref.lower()
        if low.startswith(("#", "data:")):
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", low) or low.startswith("//"):
            found.append(ref)
    return found


_INDEX_TEXT = {
    "id": {
        "title": "Laporan per unit layanan",
        "survey": "Survei",
        "round": "Putaran",
        "latest": "terakhir",
        "unit": "Unit layanan",
        "sector": "Sektor",
        "n": "Responden (n)",
        "ikm": "IKM (interval 95%)",
        "grade": "Mutu",
        "access": "Fasilitas tidak ramah kelompok khusus",
        "gaps": "Kesenjangan signifikan",
        "compliance": "Indeks kepatuhan (0–100)",
        "report": "Laporan",
        "status": "Status",
        "ok": "selesai",
        "failed": "gagal",
        "open": "buka",
        "city": "Ringkasan kota",
        "failures": "Unit yang gagal",
        "results": "Semua angka: results.csv",
        "log": "Catatan pembersihan data: cleaning_log.csv",
        "manifest": "Parameter dan versi: manifest.json",
        "sort": "Klik judul kolom untuk mengurutkan.",
        "none": "tidak ada",
        "generated": "Dibuat oleh clem",
        "gap_note": "Kesenjangan signifikan: uji dengan p terkoreksi < {alpha}.",
    },
    "en": {
        "title": "Reports by service unit",
        "survey": "Survey",
        "round": "Round",
        "latest": "latest",
        "unit": "Service unit",
        "sector": "Sector",
        "n": "Respondents (n)",
        "ikm": "IKM (95% interval)",
        "grade": "Grade",
        "access": "Facilities not friendly to special groups",
        "gaps": "Significant gaps",
        "compliance": "Compliance index (0–100)",
        "report": "Report",
        "status": "Status",
        "ok": "done",
        "failed": "failed",
        "open": "open",
        "city": "City overview",
        "failures": "Units that failed",
        "results": "Every figure: results.csv",
        "log": "Data-cleaning log: cleaning_log.csv",
        "manifest": "Parameters and versions: manifest.json",
        "sort": "Click a column heading to sort.",
        "none": "none",
        "generated": "Made by clem",
        "gap_note": "Significant gaps: tests with adjusted p < {alpha}.",
    },
}


def render_index_html(
    rows: Sequence[Mapping],
    *,
    survey_name: str,
    lang: str = "id",
    round: int = 0,
    alpha: float = 0.05,
    city: Mapping | None = None,
    version: str = "",
    columns: Sequence[str] = ("access", "compliance"),
    levels: Sequence[Mapping] = (),
) -> str:
    """Render ``index.html``: one row per unit with its headline figures and report link.

    Parameters
    ----------
    rows : sequence of mappings
        One per unit, keys: ``unit``, ``slug``, ``sector``, ``status``
        (``"ok"``/``"failed"``), ``error`` (str or None), ``report`` (file name
        of the HTML page or None), ``n``, ``ikm``, ``ikm_low``, ``ikm_high``,
        ``grade`` (text), ``access`` (percent, 0..100), ``gaps`` (int),
        ``compliance`` (0..100). Missing figures are ``None`` and show as "–".
    survey_name, lang, round, alpha, version
        Shown in the page header (no date: the page is byte-identical between
        runs on the same input).
    city : mapping, optional
        ``status``, ``report``, ``error`` of the city overview.
    columns : sequence of str
        The optional columns to show, of ``access`` and ``compliance``: a
        survey that did not ask about facilities, or has no checklist, has
        no such column.
    levels : sequence of mappings, optional
        When the units file names districts or agencies, one section per
        level (:func:`clem_lib.batch.publish.index_levels`): ``level``
        (``"district"``/``"agency"``), ``groups`` (each a location's row,
        keys as a unit's plus ``label``, ``units`` and ``rows``, its units'
        rows), ``single`` (unit rows with ``place``, the one-unit location)
        and ``other`` (unit rows in no location of the level). The units are
        then listed in these sections, each location in a ``<details>`` that
        opens on its units (no script); empty: one sortable table of units.

    Returns
    -------
    str
        A self-contained page; the flat table sorts by clicking a heading
        (inline script, no library).
    """
    if lang not in _INDEX_TEXT:
        raise ValueError(f"unknown language {lang!r}; use 'id' or 'en'")
    text = _INDEX_TEXT[lang]
    levels = list(levels)
    failures = [r for r in rows if r.get("status") != "ok"]
    if levels:  # failed district and agency reports too, under their title
        failures += [{**g, "unit": g["label"]} for sec in levels for g in sec["groups"] if g.get("status") == "failed"]
    page = _index_environment(lang).get_template("run_index.html.j2").render(
        rows=list(rows),
        t=text,
        lang=lang,
        survey_name=survey_name,
        round=round,
        alpha=_fmt(alpha, 2, lang),
        city=city,
        version=version,
        failures=failures,
        shown=set(columns),
        levels=levels,
        lt=_level_text(lang) if levels else {},
    )
    problems = external_references(page)
    if problems:  # pragma: no cover - the template has none; guards future edits
        raise ValueError("index.html would load from the network: " + ", ".join(problems[:3]))
    return page


def _index_environment(lang: str):
    """The index template's environment: escaping, no undefined names, the number style as filters."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["num"] = lambda v, d=2: _fmt(v, d, lang)
    env.filters["sectors"] = lambda v: _sector_names(v, lang)
    env.filters["sortkey"] = _sortkey
    env.filters["nunits"] = lambda n: label("idx_n_units", lang, n=n)
    env.filters["whole"] = lambda name: label("idx_whole", lang, name=name)
    return env


def _level_text(lang: str) -> dict:
    """The grouped index's words (:data:`clem_lib.text.LABELS` ``idx_*``), by level."""
    out: dict = {level: {"title": label(f"idx_level_{level}", lang), "col": label(f"idx_col_{level}", lang),
                         "single": label(f"idx_single_{level}", lang), "none": label(f"idx_none_{level}", lang)}
                 for level in ("district", "agency")}
    out["expand"] = label("idx_expand", lang)
    out["failures"] = label("idx_failures_all", lang)
    return out


def _fmt(value, decimals: int, lang: str) -> str:
    """A figure in the one number style (:func:`clem_lib.text.fmt_number`, '–' if missing); text as it is."""
    try:
        return fmt_number(value, decimals, lang)
    except (TypeError, ValueError):
        return str(value)


def _sector_names(codes, lang: str) -> str:
    """``"adminduk, kesehatan"`` -> ``"Administrasi kependudukan, Kesehatan"``; a code without a
    label (a sector of one's own) is shown as written."""
    if not codes:
        return ""
    names = [LABELS[f"sector_{c}"][lang] if f"sector_{c}" in LABELS else c
             for c in (x.strip() for x in str(codes).split(",")) if c]
    return ", ".join(names)


def _sortkey(value) -> str:
    """Value for the ``data-sort`` attribute (numbers as plain decimals, missing last)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        if value != value:
            return ""
        return repr(float(value))
    return str(value)

