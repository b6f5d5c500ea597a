"""Report text: labels in Indonesian and English, number formatting, small-cell
suppression, escaped tables, findings sentences and the long-form results rows.

Everything a report *says* is built here, so the notebooks stay thin and the
same words appear in the HTML report, in ``results.csv`` and in the tests.

Language
    Every heading, axis label, table header and sentence is looked up in
    :data:`LABELS` by key, in ``"id"`` (Bahasa Indonesia, the default) or
    ``"en"``. :func:`label` raises on an unknown key, so a missing translation
    fails a test instead of showing a key to a reader.

Numbers
    Indonesian uses a decimal comma and a thousands dot (``1.234,5``); English
    the reverse (``1,234.5``). Rounding happens here and only here, half up on
    the decimal representation (:func:`clem_lib.rounding.half_up`).

Small cells
    A figure computed from fewer than ``min_n`` answers is not shown: tables,
    charts and sentences show ``"n < 5"`` (with the ``min_n`` in force)
    instead of the value, and ``results.csv`` leaves the estimate empty.

Free text
    Respondents' answers are shown as text: :func:`escape_text` turns ``<``,
    ``>``, ``&`` and quotes into entities and neutralises Markdown, so an
    answer that contains HTML or script is shown, never run.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import ClemInputError
from ..results import gaps_to_results, nullable_type, results_frame, results_row, suppress_results
from ..text import (
    LABELS,
    LANGS,
    check_lang,
    checklist_category_label,
    component_list,
    escape_text,
    fmt_interval,
    fmt_number,
    fmt_p,
    fmt_percent,
    fmt_rupiah,
    group_label,
    is_missing,
    is_small,
    label,
    metric_label,
    rule_label,
    small_cell_text,
    unsur_label,
)

__all__ = [
    "FIGURES",
    "gap_disadvantages_group1",
    "CHANNEL_CHART_METRICS",
    "ReportTable",
    "report_table",
    "figure_caption",
    "figure_ref",
    "table_ref",
    "heading",
    "resolve_unit",
    "validate_report_params",
    "read_unit_slice",
    "unasked_columns",
    "survey_rounds",
    "not_asked_text",
    "PART_LABELS",
    "sentence_ikm",
    "sentence_accessibility",
    "sentence_gap",
    "significant_gaps",
    "ReportText",
    "TABLES",
    "table_caption",
    "sample_cache_path",
    "cleaned_sample",
    "cleaned_sample_register",
    "UnitReport",
    "CityReport",
    "CITY_WEIGHTS",
    "headline_text",
    "findings_text",
    "recommendations_text",
    "methods_text",
]

FIGURES: Mapping[str, int] = {
    "sample": 1,
    "ikm_elements": 2,
    "likert": 3,
    "forest": 4,
    "broker": 5,
    "ipa": 6,
    "rounds": 7,
    "ranking": 1,
    "heatmap": 2,
    "access_units": 3,
    "rounds_city": 4,
    "register": 8,
    "complaints_city": 5,
}
"""Figure numbers of the unit report (``sample`` .. ``rounds``) and of the city
overview (``ranking`` .. ``rounds_city``); findings cite figures by these."""


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


# ---------------------------------------------------------------------------
# Headings and captions
# ---------------------------------------------------------------------------


def heading(key: str, lang: str = "id", *, level: int = 2, number: int | None = None, **values) -> str:
    """A Markdown heading in ``lang``: ``## 3. IKM per unsur pelayanan``."""
    text = label(key, lang, **values)
    prefix = f"{number}. " if number is not None else ""
    return f"{'#' * level} {prefix}{escape_text(text)}"


def figure_ref(key: str, lang: str = "id", numbers: Mapping | None = None) -> str:
    """``Gambar 4`` / ``Figure 4`` for a figure key of :data:`FIGURES`.

    ``numbers``: the report's own numbering (``{"figure": {key: n}, "table": {...}}``,
    a report that leaves sections out numbers on); default :data:`FIGURES`.
    """
    return f"{label('figure', lang)} {_number('figure', key, numbers)}"


def _number(kind: str, key: str, numbers: Mapping | None) -> int:
    own = (numbers or {}).get(kind) or {}
    if key in own:
        return own[key]
    return (FIGURES if kind == "figure" else TABLES)[key]


def table_ref(key: str, lang: str = "id", numbers: Mapping | None = None) -> str:
    """``Tabel 3`` / ``Table 3`` for a table key of :data:`TABLES` (``numbers``: as :func:`figure_ref`)."""
    return f"{label('table', lang)} {_number('table', key, numbers)}"


def figure_caption(key: str, lang: str = "id", *, n: int | None = None, note: str = "",
                   numbers: Mapping | None = None) -> str:
    """Caption of a figure: ``**Gambar 4.** <text> n = 120.`` (Markdown)."""
    text = label(f"fig_{key}", lang)
    tail = f" n = {fmt_number(n, 0, lang)}." if n is not None else ""
    extra = f" {escape_text(note)}" if note else ""
    return f"**{figure_ref(key, lang, numbers)}.** {escape_text(text)}{tail}{extra}"


# ---------------------------------------------------------------------------
# Parameters and data access
# ---------------------------------------------------------------------------


def resolve_unit(unit: str, units: pd.DataFrame) -> str:
    """Canonical unit name for ``unit`` (name, slug or alias, any case).

    Raises
    ------
    ClemInputError
        When nothing matches: one line naming the closest units.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise ClemInputError("parameter 'unit' is empty", fix="give a unit name such as 'Kec. Serengan'")
    from ..codebook import normalize_label

    want = normalize_label(unit)
    candidates: dict[str, str] = {}
    for rec in units.to_dict("records"):
        name = str(rec["name"])
        keys = [name, str(rec.get("slug", ""))]
        aliases = rec.get("aliases")
        if isinstance(aliases, (list, tuple, np.ndarray)):
            keys.extend(str(a) for a in aliases)
        elif isinstance(aliases, str) and aliases:
            keys.extend(a.strip() for a in aliases.split(";"))
        for k in keys:
            if k:
                candidates[normalize_label(k)] = name
    if want in candidates:
        return candidates[want]
    names = [str(n) for n in units["name"]]
    close = difflib.get_close_matches(want, list(candidates), n=6, cutoff=0.5)
    close_names = list(dict.fromkeys(candidates[c] for c in close))[:3]
    hint = ("did you mean " + " or ".join(repr(c) for c in close_names)) if close_names else \
        "known units: " + ", ".join(repr(n) for n in names)
    raise ClemInputError(f"unknown unit {unit!r}", column="unit", fix=hint)


def validate_report_params(*, unit: str | None = None, units: pd.DataFrame, lang: str = "id",
                           alpha: float = 0.05, min_n: int = 5, round: int = 0,
                           seed: int = 20130924) -> dict:
    """Check a report's parameters; return them with the unit made canonical.

    Raises
    ------
    ClemInputError
        One line per problem: unknown unit (naming the close ones), language
        other than ``id``/``en``, ``alpha`` outside (0, 0.5], ``min_n`` < 1,
        ``round`` < 0, negative ``seed``.
    """
    if lang not in LANGS:
        raise ClemInputError(f"unknown language {lang!r}", column="lang", fix="use 'id' or 'en'")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not (0 < float(alpha) <= 0.5):
        raise ClemInputError(f"alpha {alpha!r} is not in (0, 0.5]", column="alpha", fix="use e.g. 0.05")
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or int(min_n) < 1:
        raise ClemInputError(f"min_n {min_n!r} is not a whole number >= 1", column="min_n", fix="use e.g. 5")
    if isinstance(round, bool) or not isinstance(round, (int, np.integer)) or int(round) < 0:
        raise ClemInputError(f"round {round!r} is not a whole number >= 0", column="round",
                             fix="use 0 for the latest round, or 1, 2, ...")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ClemInputError(f"seed {seed!r} is not a whole number >= 0", column="seed", fix="use e.g. 20130924")
    out = {"lang": lang, "alpha": float(alpha), "min_n": int(min_n), "round": int(round), "seed": int(seed)}
    if unit is not None:
        out["unit"] = resolve_unit(unit, units)
    return out


def read_unit_slice(data_path, unit: str | None = None, *, columns: Sequence[str] | None = None,
                    rounds: Iterable[int] | None = None) -> pd.DataFrame:
    """Read only what a report needs from the cleaned parquet.

    Parameters
    ----------
    data_path : path
        ``cleaned.parquet`` written by the cleaning step.
    unit : str or None
        Canonical unit name; only its rows are read (a pyarrow row filter, so
        row groups of other units are skipped). ``None`` reads every unit.
    columns : sequence of str or None
        Read only these columns (``None`` = all).
    rounds : iterable of int or None
        Keep only these rounds.

    Returns
    -------
    DataFrame
        The cleaned-table slice with its nullable dtypes, rows in file order.
    """
    import pyarrow.parquet as pq

    path = Path(data_path)
    if not path.is_file():
        raise ClemInputError("cleaned data not found", file=path,
                             fix="run `clem clean` first or give data_path=''")
    filters = []
    if unit is not None:
        filters.append(("unit", "==", unit))
    if rounds is not None:
        filters.append(("round", "in", [int(r) for r in rounds]))
    table = pq.read_table(path, columns=list(columns) if columns is not None else None,
                          filters=filters or None)
    df = table.to_pandas(types_mapper=nullable_type)
    return df.reset_index(drop=True)


#: cleaned columns every survey has (identity, round, scores, quality flags): never "not asked"
_CORE_COLUMNS = ("respondent_id", "unit", "unit_slug", "round", "speeder", "straightliner")

#: parts a survey may leave out, in the order the Methods section names them: cleaned column -> (id, en)
PART_LABELS = {
    "service": ("jenis layanan", "service used"),
    "sector": ("sektor", "sector"),
    "interview_date": ("tanggal wawancara", "interview date"),
    "enumerator": ("enumerator", "enumerator"),
    "gender": ("jenis kelamin", "gender"),
    "age": ("umur", "age"),
    "education": ("pendidikan", "education"),
    "income_group": ("penghasilan", "income"),
    "special_group": ("kelompok khusus", "special groups"),
    "channel": ("cara mengurus (sendiri / biro jasa)", "channel (in person / broker)"),
    "overall_satisfaction": ("kepuasan umum", "overall satisfaction"),
    "facility_friendly": ("fasilitas ramah kelompok khusus", "facilities friendly to special groups"),
    "had_problem": ("mengalami masalah", "had a problem"),
    "problem_resolved": ("masalah diselesaikan", "problem resolved"),
    "paid_extra": ("membayar lebih (pungutan liar)", "paid extra"),
    "extra_amount": ("jumlah pembayaran lebih", "amount paid extra"),
    "cost_paid": ("biaya yang dibayar", "cost paid"),
    "official_fee": ("tarif resmi", "official fee"),
    "days_to_complete": ("lama penyelesaian (hari)", "days to complete"),
    "standard_days": ("waktu standar (hari)", "standard days"),
    "wait_minutes": ("waktu tunggu (menit)", "waiting time"),
    "knows_complaint": ("tahu cara mengadu", "knows where to complain"),
    "suggestion": ("saran", "suggestions"),
    "harapan": ("kepentingan / harapan per unsur", "importance / expectation per element"),
}


def unasked_columns(data_path) -> list[str]:
    """Columns of the cleaned table that no respondent of the whole survey answered.

    A part the survey did not ask (no codebook entry) is such a column, and so
    is one asked of nobody; both are left out of every report and of
    ``results.csv``. Read from the parquet footer's null counts (no data is
    read unless a row group lacks statistics). Identity columns, rounds, the
    unsur scores and the quality flags are never counted as unasked.
    """
    import pyarrow.parquet as pq

    f = pq.ParquetFile(data_path)
    md = f.metadata
    if md.num_rows == 0:
        return []
    names = f.schema_arrow.names
    nulls = dict.fromkeys(names, 0)
    unknown = set()
    for i in range(md.num_row_groups):
        rg = md.row_group(i)
        for j in range(rg.num_columns):
            col = rg.column(j)
            name = col.path_in_schema
            st = col.statistics
            if name not in nulls:
                continue
            if st is None or not st.has_null_count:
                unknown.add(name)
            else:
                nulls[name] += st.null_count
    out = []
    for name in names:
        if name in _CORE_COLUMNS or name.startswith("unsur_"):
            continue
        if name in unknown:
            if f.read(columns=[name]).column(0).null_count < md.num_rows:
                continue
        elif nulls[name] < md.num_rows:
            continue
        out.append(name)
    return out


def survey_rounds(data_path) -> list[int]:
    """The rounds present in the cleaned table (every unit), ascending."""
    import pyarrow.parquet as pq

    col = pq.read_table(data_path, columns=["round"]).column(0).drop_null()
    return sorted({int(r) for r in col.to_pylist()})


def not_asked_text(columns: Sequence[str], lang: str = "id") -> str:
    """One Methods bullet naming the parts the survey did not ask ("" when it asked them all)."""
    check_lang(lang)
    parts = []
    for col in columns:
        key = "harapan" if col.startswith("harapan_") else col
        if key in PART_LABELS:
            text = PART_LABELS[key][0 if lang == "id" else 1]
            if text not in parts:
                parts.append(text)
    if not parts:
        return ""
    if lang == "id":
        return ("- **Tidak ditanyakan** dalam survei ini (dan karena itu tidak ada dalam laporan): "
                + ", ".join(parts) + ".")
    return "- **Not asked** in this survey (and so absent from the report): " + ", ".join(parts) + "."


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------


def sentence_ikm(unit: str, *, ikm, ci_low, ci_high, n, grade: str, min_n: int = 5,
                 lang: str = "id") -> str:
    """``Kec. Serengan: 120 responden. IKM 78,40 (IK 95% 76,10–80,60), mutu B (Baik).``"""
    if is_small(n, min_n) or is_missing(ikm):
        return label("s_ikm_small", lang, unit=escape_text(unit), n=fmt_number(n or 0, 0, lang),
                     small=small_cell_text(min_n, lang))
    return label("s_ikm", lang, unit=escape_text(unit), n=fmt_number(n, 0, lang),
                 ikm=fmt_number(ikm, 2, lang), ci=fmt_interval(ci_low, ci_high, 2, lang),
                 grade=escape_text(grade))


def sentence_accessibility(*, pct, ci_low, ci_high, n, min_n: int = 5, lang: str = "id") -> str:
    """``57% pengguna menyatakan fasilitas tidak ramah ... (IK 95% 49%–66%; n = 120).``

    ``pct`` and its interval are percentages (0..100), as
    :func:`clem_lib.scoring.accessibility` returns them.
    """
    if is_small(n, min_n) or is_missing(pct):
        return label("s_access_small", lang, small=small_cell_text(min_n, lang))
    text = label("s_access", lang, pct=fmt_percent(pct, 0, lang, scale=1.0),
                 ci=fmt_interval(ci_low, ci_high, 0, lang, percent=True, scale=1.0), n=fmt_number(n, 0, lang))
    return text[0].upper() + text[1:]


def _value_text(value, gap_unit: str, lang: str) -> str:
    """A group's own value, in the unit of its gap (``percentage points`` -> ``%``)."""
    u = str(gap_unit or "")
    if u == "percentage points":
        return fmt_percent(value, 0, lang, scale=1.0)
    if u == "rupiah":
        return fmt_rupiah(value, lang)
    if u in ("days", "minutes") and not is_missing(value):
        word = {"days": ("hari", "days"), "minutes": ("menit", "minutes")}[u][0 if lang == "id" else 1]
        return f"{fmt_number(value, 1, lang)} {word}"
    return fmt_number(value, 2, lang)


def _gap_text(value, gap_unit: str, lang: str, signed: bool = True, unit: bool = True) -> str:
    """A gap in its own unit: ``−10 poin persen``, ``+Rp 1.828``, ``−0,28``."""
    u = str(gap_unit or "")
    if is_missing(value):
        return "–"
    v = float(value)
    if u == "percentage points":
        pp = " poin persen" if lang == "id" else " percentage points"
        return fmt_number(v, 0, lang, signed=signed) + (pp if unit else "")
    if u == "rupiah":
        sign = "+" if signed and v > 0 else ("−" if v < 0 else "")
        return sign + (fmt_rupiah(abs(v), lang) if unit else fmt_number(abs(v), 0, lang))
    if u in ("days", "minutes"):
        word = {"days": ("hari", "days"), "minutes": ("menit", "minutes")}[u][0 if lang == "id" else 1]
        return fmt_number(v, 1, lang, signed=signed) + (f" {word}" if unit else "")
    return fmt_number(v, 2, lang, signed=signed)


def sentence_gap(row: Mapping, *, lang: str = "id", min_n: int = 5, scheme=None) -> str:
    """One sentence for one row of a gap table (``clem_lib.stats.GAP_COLUMNS``).

    Uses ``metric``, ``comparison``, ``group1``, ``group2``, ``estimate1``,
    ``estimate2``, ``gap``, ``gap_unit``, ``ci_low``, ``ci_high``,
    ``p_adjusted`` (or ``p_value``), ``n1``, ``n2``. When either group has
    fewer than ``min_n`` answers every number is replaced by ``"n < 5"``.
    """
    metric = str(row.get("metric", ""))
    mname = metric_label(metric, lang, scheme)
    gu = row.get("gap_unit", "")
    small = is_small(row.get("n1"), min_n) or is_small(row.get("n2"), min_n)
    p = row.get("p_adjusted")
    p = row.get("p_value") if is_missing(p) else p
    if small:
        st = small_cell_text(min_n, lang)
        gap = ci = pt = v1 = v2 = st
    else:
        gap = _gap_text(row.get("gap"), gu, lang)
        lo, hi = row.get("ci_low"), row.get("ci_high")
        if is_missing(lo) or is_missing(hi):
            ci = label("ci95_unadj", lang) + " –"
        else:
            ci = label("ci95_unadj", lang) + " " + _gap_text(lo, gu, lang, unit=False) + \
                (" sampai " if lang == "id" else " to ") + _gap_text(hi, gu, lang, unit=False)
        pt = fmt_p(p, lang)
        v1 = _value_text(row.get("estimate1"), gu, lang)
        v2 = _value_text(row.get("estimate2"), gu, lang)
    g1, g2 = _side_label(row, "group1", lang), _side_label(row, "group2", lang)
    if g1 and g2:
        return label("s_gap", lang, metric=escape_text(mname), group1=escape_text(g1), v1=v1,
                     group2=escape_text(g2), v2=v2, gap=gap, ci=ci, p=pt)
    return label("s_gap_nogroups", lang, metric=escape_text(mname),
                 comparison=escape_text(_comparison_text(row.get("comparison", ""), lang)), gap=gap, ci=ci, p=pt)


def _side_label(row: Mapping, side: str, lang: str) -> str:
    """Reader's name of one side of a comparison (``special_group``/True -> Kelompok rentan)."""
    v = row.get(side)
    if is_missing(v):
        return ""
    comp = "" if is_missing(row.get("comparison")) else str(row.get("comparison"))
    text = str(v)
    if comp == "round":
        return f"{label('round', lang)} {text}"
    if text in ("True", "False", "true", "false") and comp:
        if text.lower() == "true":
            return group_label(comp, lang)
        return label("others", lang).capitalize()
    return group_label(text, lang)


def _comparison_text(group, lang: str) -> str:
    g = "" if is_missing(group) else str(group)
    if " vs " in g:
        a, _, b = g.partition(" vs ")
        return f"{group_label(a.strip(), lang)} vs {group_label(b.strip(), lang)}"
    return group_label(g, lang)


def significant_gaps(gaps: pd.DataFrame | None, *, alpha: float = 0.05, min_n: int = 5) -> pd.DataFrame:
    """Rows of a gap table that a report may state as findings, largest first.

    Kept: ``status == "ok"`` (when the column exists), Holm-adjusted p (or p
    when no adjusted value) below ``alpha``, both groups with ``>= min_n``
    answers. Sorted by absolute effect size (then absolute gap), then metric.
    """
    if gaps is None or len(gaps) == 0:
        return pd.DataFrame(columns=list(gaps.columns) if gaps is not None else [])
    p = gaps["p_adjusted"] if "p_adjusted" in gaps.columns else gaps["p_value"]
    if "p_value" in gaps.columns:
        p = p.fillna(gaps["p_value"]) if "p_adjusted" in gaps.columns else p
    keep = pd.to_numeric(p, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan) < alpha
    if "status" in gaps.columns:
        keep &= (gaps["status"].astype("string").fillna("") == "ok").to_numpy(dtype=bool)
    for c in ("n1", "n2"):
        if c in gaps.columns:
            keep &= ~gaps[c].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
    sig = gaps.loc[keep].copy()
    es = pd.to_numeric(sig.get("effect_size", pd.Series(np.nan, index=sig.index)), errors="coerce").astype(float)
    sig["_size"] = es.abs().fillna(0.0)
    sig["_gap"] = pd.to_numeric(sig["gap"], errors="coerce").astype(float).abs().fillna(0.0)
    sig = sig.sort_values(["_size", "_gap", "metric"], ascending=[False, False, True], kind="mergesort")
    return sig.drop(columns=["_size", "_gap"]).reset_index(drop=True)


def headline_text(unit: str, *, ikm_row: Mapping, grade: str, access_row: Mapping | None,
                  gaps: pd.DataFrame | None, alpha: float = 0.05, min_n: int = 5,
                  lang: str = "id", k: int = 3, scheme=None, numbers: Mapping | None = None) -> str:
    """The headline paragraph of a unit report (Markdown).

    Parameters
    ----------
    ikm_row : mapping
        ``ikm, ci_low, ci_high, n`` of the unit (one row of ``scoring.ikm``).
    grade : str
        Grade text, e.g. ``"B (Baik)"``.
    access_row : mapping or None
        ``estimate, ci_low, ci_high, n`` of ``pct_not_friendly`` (percent).
    gaps : DataFrame or None
        Between-group gap tests of the unit (``stats.gap_report``); the ``k``
        largest significant ones (:func:`significant_gaps`) are listed.
    """
    parts = [sentence_ikm(unit, ikm=ikm_row.get("ikm"), ci_low=ikm_row.get("ci_low"),
                          ci_high=ikm_row.get("ci_high"), n=ikm_row.get("n"), grade=grade,
                          min_n=min_n, lang=lang)]
    if access_row is not None:
        parts.append(sentence_accessibility(pct=access_row.get("estimate"), ci_low=access_row.get("ci_low"),
                                            ci_high=access_row.get("ci_high"), n=access_row.get("n"),
                                            min_n=min_n, lang=lang))
    text = " ".join(parts)
    sig = significant_gaps(gaps, alpha=alpha, min_n=min_n)
    if len(sig) == 0:
        return text + "\n\n" + label("s_no_gaps", lang, alpha=fmt_number(alpha, 2, lang))
    lines = [f"- {sentence_gap(r, lang=lang, min_n=min_n, scheme=scheme).rstrip('.')} ({_gap_figure(r, lang, numbers)})."
             for r in sig.head(k).to_dict("records")]
    return text + "\n\n" + label("s_top_gaps", lang) + "\n\n" + "\n".join(lines)


def _adjusted(row: Mapping) -> bool:
    """Whether a gap row's p is adjusted for multiplicity (its interval, which is not, is then labelled so)."""
    return not is_missing(row.get("p_adjusted"))


def _gap_figure(row: Mapping, lang: str, numbers: Mapping | None = None) -> str:
    """The figure that shows a gap, or else the table that lists it."""
    comp = str(row.get("comparison", ""))
    metric = str(row.get("metric", ""))
    if comp == "channel":
        if metric in CHANNEL_CHART_METRICS:
            return figure_ref("broker", lang, numbers)
        return table_ref("channel", lang, numbers)
    if metric.startswith("nrr:") and comp == "special_group":
        return figure_ref("forest", lang, numbers)
    return table_ref("groups", lang, numbers)


CHANNEL_CHART_METRICS = ("mean:cost_paid", "mean:days_to_complete", "mean:overall_satisfaction")
"""Gap metrics drawn in the broker vs in-person chart (the others are in its table)."""


def findings_text(unit: str, *, ikm_row: Mapping, grade: str, nrr: pd.DataFrame | None = None,
                  access_row: Mapping | None = None, access_test: Mapping | None = None,
                  gaps: pd.DataFrame | None = None, paired: pd.DataFrame | None = None,
                  ipa: pd.DataFrame | None = None, round_change: Mapping | None = None,
                  missing_items: str = "", alpha: float = 0.05, min_n: int = 5, lang: str = "id",
                  scheme=None, numbers: Mapping | None = None) -> str:
    """Findings of a unit report, from the significant results only, each citing its figure.

    Rules: the IKM and its grade are stated when ``n >= min_n`` (an estimate,
    not a comparison); the weakest unsur only when its interval lies wholly
    below the unit's IKM; accessibility only when the share saying "not
    friendly" is significantly above one half (``access_test``, a row of
    ``stats.proportion_vs_target``); every between-group gap with Holm p <
    ``alpha`` (:func:`significant_gaps`); IPA quadrant I unsur only when the
    expectation gap is significant (``paired``, ``stats.paired_gap``); the
    change since the previous round when its p < ``alpha``; missing checklist
    components (an observation, not a sample).

    Returns
    -------
    str
        A Markdown numbered list (or one sentence saying nothing is significant).
    """
    items = []
    ikm_ok = not is_small(ikm_row.get("n"), min_n) and not is_missing(ikm_row.get("ikm"))
    if ikm_ok:
        items.append(label("s_finding_ikm", lang, unit=escape_text(unit), ikm=fmt_number(ikm_row["ikm"], 2, lang),
                           grade=escape_text(grade), ref=figure_ref("ikm_elements", lang, numbers)))
    if ikm_ok and nrr is not None and len(nrr):
        hi = pd.to_numeric(nrr["ci_high"], errors="coerce").astype(float) * 25.0
        ok = nrr[(hi < float(ikm_row["ikm"])).to_numpy() & ~nrr["n"].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)]
        if len(ok):
            w = ok.sort_values(["nrr", "unsur"], kind="mergesort").iloc[0]
            items.append(label("s_finding_weakest", lang, unsur=escape_text(unsur_label(w["unsur"], lang, scheme)),
                               value=fmt_number(float(w["nrr"]) * 25.0, 2, lang), ref=figure_ref("ikm_elements", lang, numbers)))
    if access_row is not None and access_test is not None and not is_missing(access_test.get("p_value")) \
            and float(access_test["p_value"]) < alpha and not is_small(access_row.get("n"), min_n):
        items.append(label("s_finding_access", lang, pct=fmt_percent(access_row["estimate"], 0, lang, scale=1.0),
                           ref=label("sec_headline", lang)))
    for r in significant_gaps(gaps, alpha=alpha, min_n=min_n).to_dict("records"):
        items.append(label("s_finding_gap", lang, reading=sentence_gap(r, lang=lang, min_n=min_n, scheme=scheme)
                           .rstrip("."), ref=_gap_figure(r, lang, numbers)))
    prio = _priority_items(ipa, paired, alpha, min_n, lang, scheme)
    if prio:
        items.append(label("s_finding_priority", lang, items=prio, ref=figure_ref("ipa", lang, numbers)))
    if round_change is not None and not is_small(round_change.get("n1"), min_n) \
            and not is_small(round_change.get("n2"), min_n):
        p = round_change.get("p_adjusted")
        p = round_change.get("p_value") if is_missing(p) else p
        if not is_missing(p) and float(p) < alpha:
            # written like the round sentence of its section: signed interval, Holm p when adjusted
            lo, hi = round_change.get("ci_low"), round_change.get("ci_high")
            ci = label("ci95_unadj" if _adjusted(round_change) else "ci95", lang) + " " + (
                "–" if is_missing(lo) or is_missing(hi) else fmt_number(lo, 2, lang, signed=True) +
                (" sampai " if lang == "id" else " to ") + fmt_number(hi, 2, lang, signed=True))
            holm = not is_missing(round_change.get("p_adjusted"))
            pt = (("p Holm " if lang == "id" else "Holm p ") if holm else "p ") + fmt_p(p, lang)
            items.append(label("s_finding_round", lang, change=fmt_number(round_change["gap"], 2, lang, signed=True),
                               prev=escape_text(round_change.get("group2", "")), ci=ci, p=pt,
                               ref=figure_ref("rounds", lang, numbers)))
    if missing_items:
        items.append(label("s_finding_missing", lang, items=escape_text(missing_items),
                           ref=label("sec_checklist", lang)))
    if not items:
        return label("s_no_findings", lang, alpha=fmt_number(alpha, 2, lang))
    return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))


def _priority_items(ipa: pd.DataFrame | None, paired: pd.DataFrame | None, alpha: float, min_n: int,
                    lang: str, scheme) -> str:
    """Quadrant I unsur whose experience falls significantly short of expectation."""
    if ipa is None or len(ipa) == 0 or "quadrant" not in ipa.columns:
        return ""
    q = ipa[(ipa["quadrant"].astype("string") == "I").fillna(False).to_numpy(dtype=bool)]
    keys = [str(u) for u in q["unsur"]]
    if paired is not None and len(paired):
        sig = significant_gaps(paired, alpha=alpha, min_n=min_n)
        sig_keys = {str(m).partition(":")[2] or str(m) for m in sig["metric"]} if len(sig) else set()
        neg = {str(m).partition(":")[2] for m, g in zip(sig.get("metric", []), sig.get("gap", [])) if float(g) < 0}
        keys = [k for k in keys if k in sig_keys and k in neg]
    else:
        keys = []
    return ", ".join(escape_text(unsur_label(k, lang, scheme)) for k in keys)


_LOWER_IS_BETTER = {"pct_not_friendly", "pct_paid_extra", "pct_had_problem", "pct_dissatisfied",
                    "mean:cost_paid", "mean:days_to_complete", "mean:wait_minutes", "mean:extra_amount"}


def gap_disadvantages_group1(row: Mapping) -> bool:
    """Whether a gap row (``group1`` minus ``group2``) leaves ``group1`` worse off.

    Scores, the IKM and satisfaction are better when higher (a negative gap is
    a disadvantage); cost, time, extra payments, problems and "not friendly"
    are better when lower (a positive gap is a disadvantage). A missing gap is
    not a disadvantage.
    """
    g = row.get("gap")
    if is_missing(g):
        return False
    metric = str(row.get("metric", ""))
    lower_better = metric in _LOWER_IS_BETTER or metric.partition(":")[0] in _LOWER_IS_BETTER
    return float(g) > 0 if lower_better else float(g) < 0


def recommendations_text(*, gaps: pd.DataFrame | None = None, ipa: pd.DataFrame | None = None,
                         paired: pd.DataFrame | None = None, access_significant: bool = False,
                         missing_items: str = "", alpha: float = 0.05, min_n: int = 5, lang: str = "id",
                         scheme=None) -> str:
    """Recommendations, one per kind of significant finding (Markdown bullet list)."""
    recs = []
    sig = significant_gaps(gaps, alpha=alpha, min_n=min_n)
    kinds = set()
    for r in (sig.to_dict("records") if len(sig) and "comparison" in sig.columns else []):
        comp = str(r["comparison"])
        if comp == "channel":
            kinds.add("channel")
        elif comp in ("special_group", "disability", "elderly", "pregnant", "with_child"):
            # a priority counter is only called for when the special group is worse off
            if gap_disadvantages_group1(r):
                kinds.add("special_group")
        else:
            kinds.add("other")
    for kind in ("special_group", "channel", "other"):
        if kind in kinds:
            recs.append(label(f"rec_gap_{kind}", lang))
    prio = _priority_items(ipa, paired, alpha, min_n, lang, scheme)
    if prio:
        recs.append(label("rec_priority", lang, items=prio))
    if access_significant:
        recs.append(label("rec_access", lang))
    if missing_items:
        recs.append(label("rec_missing", lang))
    if not recs:
        return label("rec_none", lang)
    return "\n".join(f"- {r}" for r in recs)


def methods_text(*, scheme_reference: str, ikm_method: str, alpha: float, min_n: int, seed: int,
                 weighted: bool, lang: str = "id", scope: str = "unit", weights_text: str | None = None) -> str:
    """Methods and caveats (Markdown bullet list), in ``lang``.

    ``scope``: ``"unit"`` (a unit report: gaps between groups of users,
    expectation vs experience) or ``"city"`` (the city overview: between
    units, each unit against the rest of the city, change between rounds).
    ``weights_text``: the weights bullet in full (the city overview says which
    city-wide estimator it used and why); default: from ``weighted``.
    """
    if scope not in ("unit", "city"):
        raise ValueError(f"scope must be 'unit' or 'city', not {scope!r}")
    a = fmt_number(alpha, 2, lang)
    if scope == "city":
        gaps_id = ("- **Uji kesenjangan**: nilai setiap unsur antarunit dengan Kruskal–Wallis (koreksi Holm atas "
                   "unsur); IKM setiap unit dibandingkan dengan unit lain di kota dengan bootstrap dan uji "
                   "permutasi (koreksi Holm atas unit); perubahan IKM setiap unit antara dua putaran terakhir "
                   f"dengan bootstrap dan uji permutasi. Signifikan bila p Holm < {a}. Kruskal–Wallis "
                   "membandingkan sebaran nilai (peringkat), bukan rata-rata. "
                   f"Bootstrap dan permutasi memakai seed {seed}, sehingga hasilnya dapat diulang.")
        gaps_en = ("- **Gap tests**: each element's scores across units with Kruskal–Wallis (Holm across the "
                   "elements); each unit's IKM against the rest of the city with a bootstrap and a permutation "
                   "test (Holm across the units); each unit's change in IKM between its last two rounds with a "
                   f"bootstrap and a permutation test. Significant when Holm p < {a}. Kruskal–Wallis compares "
                   "the distributions (ranks), not the means. "
                   f"Bootstraps and permutations use seed {seed}, so the results can be reproduced.")
    if lang == "id":
        lines = [
            f"- **IKM** dihitung menurut {escape_text(scheme_reference)}: NRR per unsur = jumlah nilai / jumlah "
            "jawaban; IKM = 25 × Σ NRR × 1/k. Mutu dibaca dari IKM yang dibulatkan dua desimal.",
            f"- **Interval** IKM: {escape_text(ikm_method)}. Persentase: interval Wilson; "
            "selisih persentase: Newcombe; nilai rata-rata per unsur: interval t.",
            "- **Uji kesenjangan**: skor ordinal 1–4 dan biaya dengan Mann–Whitney (ukuran efek Cliff's delta), "
            "IKM dua kelompok dengan bootstrap dan uji permutasi, proporsi dengan chi-square / Fisher; "
            "harapan vs pengalaman dengan Wilcoxon bertanda. "
            f"Nilai p dikoreksi Holm di dalam setiap keluarga uji; signifikan bila p Holm < {a}. "
            "Mann–Whitney membandingkan sebaran nilai (peringkat), bukan rata-rata: p bisa kecil walaupun "
            "interval selisih rata-rata memuat 0. "
            f"Bootstrap dan permutasi memakai seed {seed}, sehingga hasilnya dapat diulang." if scope == "unit"
            else gaps_id,
            f"- **Sel kecil**: angka dari kurang dari {min_n} jawaban tidak ditampilkan (\u201cn < {min_n}\u201d) "
            "di tabel, grafik maupun kalimat, dan tidak diuji.",
            "- **Bobot**: " + (weights_text if weights_text else
                               "hasil diboboti dengan bobot sampling." if weighted else
                               "tanpa bobot sampling: setiap responden dihitung sama. Sampel diambil dari "
                               "pengguna yang ditemui di unit layanan, bukan sampel acak penduduk."),
            "- **Interval dan koreksi Holm**: hanya nilai p yang dikoreksi untuk banyak uji; interval 95% "
            "selisih tidak dikoreksi (ditulis \u201ctanpa koreksi\u201d). Interval yang tidak memuat 0 di samping "
            f"p Holm \u2265 {a} berarti selisih itu tidak signifikan setelah koreksi; keputusan mengikuti p Holm.",
            "- Temuan hanya ditulis dari hasil yang signifikan; selisih yang tidak signifikan tidak ditafsirkan "
            "sebagai perbedaan.",
        ]
    else:
        lines = [
            f"- **IKM** follows {escape_text(scheme_reference)}: NRR per element = sum of scores / number of "
            "answers; IKM = 25 × Σ NRR × 1/k. The grade is read from the IKM rounded to two decimals.",
            f"- **Interval** of the IKM: {escape_text(ikm_method)}. Percentages: Wilson interval; "
            "differences of percentages: Newcombe; element means: t interval.",
            "- **Gap tests**: ordinal 1–4 scores and costs with Mann–Whitney (effect size Cliff's delta), the IKM "
            "of two groups with a bootstrap and a permutation test, proportions with chi-square / Fisher; "
            "expectation vs experience with the Wilcoxon signed-rank test. "
            f"p-values are Holm-adjusted within each family of tests; significant when Holm p < {a}. "
            "Mann–Whitney compares the distributions (ranks), not the means: p can be small while the "
            "interval of the difference in means includes 0. "
            f"Bootstraps and permutations use seed {seed}, so the results can be reproduced." if scope == "unit"
            else gaps_en,
            f"- **Small cells**: a figure from fewer than {min_n} answers is not shown (\u201cn < {min_n}\u201d) "
            "in tables, charts and sentences, and is not tested.",
            "- **Weights**: " + (weights_text if weights_text else
                                 "results use the sampling weights." if weighted else
                                 "no sampling weights: every respondent counts the same. The sample is the users "
                                 "met at the service unit, not a random sample of residents."),
            "- **Intervals and the Holm correction**: only p-values are adjusted for multiple tests; the 95% "
            "intervals of gaps are not (labelled \u201cunadjusted\u201d). An interval that excludes 0 beside a "
            f"Holm p \u2265 {a} means the gap is not significant after the correction; the decision follows "
            "the Holm p.",
            "- Findings are written from significant results only; differences that are not significant are not "
            "read as differences.",
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Display objects and the report builders behind the notebooks
# ---------------------------------------------------------------------------


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


TABLES: Mapping[str, int] = {
    "sample": 1, "groups": 2, "channel": 3, "ipa": 4, "rounds": 5, "checklist": 6, "complaints": 7,
    "register": 8, "register_breakdown": 9, "suggestions": 10, "quality": 11, "city": 1, "ranking": 2,
    "between": 3, "access_units": 4, "rounds_city": 5, "complaints_city": 6,
}
"""Table numbers of the unit report and of the city overview."""

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
    "ranking": ("IKM per unit.", "IKM by unit."),
    "between": ("Perbedaan antar-unit per unsur (Kruskal–Wallis) dan setiap unit vs unit lain (IKM).",
                "Differences between units per element (Kruskal–Wallis) and each unit vs the rest (IKM)."),
    "access_units": ("Aksesibilitas dan kepatuhan per unit.", "Accessibility and compliance by unit."),
    "rounds_city": ("Perubahan IKM antar-putaran per unit.", "Change in IKM between rounds by unit."),
}


def table_caption(key: str, lang: str = "id", numbers: Mapping | None = None) -> str:
    """``Tabel 2. <caption>`` / ``Table 2. <caption>`` (``numbers``: as :func:`figure_ref`)."""
    check_lang(lang)
    text = _TABLE_CAPTIONS[key][0 if lang == "id" else 1]
    return f"{table_ref(key, lang, numbers)}. {text}"


def _markdown(text: str) -> ReportText:
    return ReportText(text)


def sample_cache_path() -> Path:
    """Where the bundled sample survey is cleaned for standalone runs (under ``outputs/``)."""
    from ..paths import OUTPUTS_DIR

    return OUTPUTS_DIR / "_sample_cache" / "cleaned.parquet"


def cleaned_sample(*, units_path=None) -> Path:
    """Clean the bundled sample survey once and return the cached parquet.

    The cache (``outputs/_sample_cache/cleaned.parquet`` with its audit log and
    a ``cleaned.summary.csv`` of changes per rule and unit) is rebuilt when
    the sample, its codebook or the units file change (their SHA-256 is kept
    beside it). Used when a notebook runs with ``data_path=""``.
    """
    import hashlib

    from ..cleaning import clean_survey, write_cleaned
    from ..io import write_csv
    from ..paths import SAMPLE_CODEBOOK, SAMPLE_DATA, UNITS_FILE

    units_path = Path(units_path) if units_path else UNITS_FILE
    for f in (SAMPLE_DATA, SAMPLE_CODEBOOK, units_path):
        if not Path(f).is_file():
            raise ClemInputError("bundled input not found", file=f, fix="reinstall clem or give data_path")
    h = hashlib.sha256()
    for f in (SAMPLE_DATA, SAMPLE_CODEBOOK, units_path):
        h.update(Path(f).read_bytes())
    stamp = h.hexdigest()
    out = sample_cache_path()
    stamp_file = out.with_name("inputs.sha256")
    if out.is_file() and stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    result = clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, units_path)
    write_cleaned(result, out)
    write_csv(result.summary, out.with_name("cleaned.summary.csv"))
    stamp_file.write_text(stamp + "\n")
    return out


def _summary_for(data_path: Path) -> pd.DataFrame | None:
    """Cleaning summary (rule, unit, n) written next to a cleaned parquet, if any."""
    for cand in (data_path.with_name(data_path.stem + ".summary.csv"),
                 data_path.with_name("cleaning_summary.csv")):
        if cand.is_file():
            df = pd.read_csv(cand, dtype={"rule": "string", "unit": "string"}, keep_default_na=False)
            if {"rule", "unit", "n"} <= set(df.columns):
                from ..io import restore_formulas

                df["unit"] = restore_formulas(df["unit"]).astype("string")  # written with the formula guard
                return df
    return None


def _inputs(data_path: str, checklist_path: str, units_path: str):
    from ..paths import CHECKLIST_FILE, UNITS_FILE

    units_file = Path(units_path) if units_path else UNITS_FILE
    # the bundled checklist belongs to the bundled sample (its cleaned cache included): a survey of
    # one's own has none unless given
    is_sample = not data_path or Path(data_path).resolve() == sample_cache_path().resolve()
    checklist_file = Path(checklist_path) if checklist_path else (CHECKLIST_FILE if is_sample else None)
    data_file = Path(data_path) if data_path else cleaned_sample(units_path=units_file)
    if not data_file.is_file():
        raise ClemInputError("cleaned data not found", file=data_file,
                             fix="run `clem clean` first, or leave data_path empty to use the bundled sample")
    return data_file, checklist_file, units_file


def _method_text(method, lang: str) -> str:
    """The IKM interval method in the reader's language."""
    m = "" if is_missing(method) else str(method)
    if "delta" in m:
        return "metode delta (linearisasi), interval t" if lang == "id" else "delta method (linearisation), t interval"
    if "bootstrap" in m:
        kind = "BCa" if "BCa" in m else ("persentil" if lang == "id" else "percentile")
        return f"bootstrap {kind} atas responden" if lang == "id" else f"{kind} bootstrap over respondents"
    return m


class _ReportBase:
    """What the unit report and the city overview share: a cache of computed tables,
    numbered section headings, charts with alt text, and writing the rows of ``results()``
    (which each report defines)."""

    SECTIONS: tuple = ()

    def _get(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def _chart(self, fig, key):
        from ..plots import chart

        return chart(fig, alt=label(f"fig_{key}", self.lang))

    def has_section(self, key: str) -> bool:
        """Whether the survey has what section ``key`` needs (every section by default)."""
        return True

    def section(self, key: str) -> ReportText:
        """Numbered heading of a section (``## 3. IKM per unsur pelayanan``); nothing for a section
        the survey has no data for, and the sections after it are numbered on."""
        if not self.has_section(key):
            return ReportText("")
        shown = [k for k in self.SECTIONS if self.has_section(k)]
        return _markdown(heading(key, self.lang, number=shown.index(key) + 1))

    def write_results(self, path) -> ReportText:
        """Write :meth:`results` to ``path`` (safe CSV writer); empty path: do nothing."""
        if not path:
            return ReportText("")
        from ..io import write_csv

        res = self.results()
        # read back by `clem run` (its results.csv, written with the formula guard, is the
        # file people open): unit names stay as they are
        write_csv(res, path, neutralize=False)
        return ReportText(f"results: {len(res)} rows")


def _only_in(section: str):
    """A report cell that shows nothing when the survey has no data for ``section``."""
    def wrap(fn):
        @functools.wraps(fn)
        def cell(self, *args, **kwargs):
            if not self.has_section(section):
                return ReportText("")
            return fn(self, *args, **kwargs)
        return cell
    return wrap


#: figure key -> the section it belongs to (a figure of a section the survey lacks is not drawn)
_FIGURE_SECTION = {"forest": "sec_groups", "broker": "sec_broker", "ipa": "sec_ipa", "rounds": "sec_rounds",
                   "register": "sec_register"}
#: figures and tables of a unit report in order, with the section each needs (None: always there)
_UNIT_FIGURES = (("sample", None), ("ikm_elements", None), ("likert", None), ("forest", "sec_groups"),
                 ("broker", "sec_broker"), ("ipa", "sec_ipa"), ("rounds", "sec_rounds"), ("register", "sec_register"))
_UNIT_TABLES = (("sample", None), ("groups", "sec_groups"), ("channel", "sec_broker"), ("ipa", "sec_ipa"),
                ("rounds", "sec_rounds"), ("checklist", "sec_checklist"), ("complaints", None),
                ("register", "sec_register"), ("register_breakdown", "sec_register"),
                ("suggestions", "suggestion"), ("quality", None))
#: cleaned columns that make the "groups of users" section
_GROUP_COLUMNS = ("special_group", "gender", "income_group", "education", "age")


class UnitReport(_ReportBase):
    """Everything one unit's report shows, computed once through scoring and stats.

    Build it with :meth:`build` (the notebook's validation cell); every other
    cell calls one method and shows what it returns: a :class:`ReportText`,
    a :class:`ReportTable` or a :class:`clem_lib.plots.Chart`. :meth:`results`
    returns the same numbers as ``results.csv`` rows.

    Attributes
    ----------
    unit, slug, lang, alpha, min_n, seed, round, scheme
        Parameters (unit canonical, round resolved: 0 -> the latest).
    data : DataFrame
        The unit's respondents in ``round``.
    history : DataFrame
        The unit's respondents in every round.
    checklist : DataFrame
        The unit's checklist rows (the latest observation round up to ``round``).
    """

    SECTIONS = ("sec_headline", "sec_sample", "sec_ikm_elements", "sec_likert", "sec_groups", "sec_broker",
                "sec_ipa", "sec_rounds", "sec_checklist", "sec_complaints", "sec_findings", "sec_methods",
                "sec_quality")

    def __init__(self, *, unit, slug, lang, alpha, min_n, seed, round, scheme, data, history, checklist,
                 units, summary, n_boot, not_asked=(), rounds_in_survey=None, checklist_given=True, register=None):
        self.unit, self.slug, self.lang, self.alpha, self.min_n = unit, slug, lang, alpha, min_n
        self.seed, self.round, self.n_boot = seed, round, n_boot
        from ..scoring import get_scheme

        self.scheme = get_scheme(scheme_parameter(scheme))
        self.data, self.history, self.checklist, self.units, self.summary = data, history, checklist, units, summary
        #: parts the survey did not ask (cleaned columns), absent from the report and its results
        self.not_asked = tuple(not_asked)
        #: rounds of the whole survey (None: not known, taken as several)
        self.rounds_in_survey = None if rounds_in_survey is None else tuple(rounds_in_survey)
        self.checklist_given = bool(checklist_given)
        #: the complaint register of the run (``complaints_report.RegisterView``), None when none is given
        self.register = register
        self._cache: dict = {}

    @property
    def numbers(self) -> dict:
        """Figure and table numbers of this report: consecutive over what the survey has, so a
        report without (say) a channel question has no gap where its figure and table would be.
        The same as :data:`FIGURES` and :data:`TABLES` when every section shows."""
        def count(items):
            shown = [k for k, need in items if need is None or
                     (self.has_section(need) if need.startswith("sec_") else need in self.data.columns)]
            return {k: i for i, k in enumerate(shown, start=1)}

        return {"figure": count(_UNIT_FIGURES), "table": count(_UNIT_TABLES)}

    def has_section(self, key: str) -> bool:
        """A section shows when the survey asked what it needs: user groups (``sec_groups``), the
        channel (``sec_broker``), importance items (``sec_ipa``), several rounds (``sec_rounds``)
        and a checklist (``sec_checklist``)."""
        cols = self.data.columns
        if key == "sec_groups":
            return any(c in cols for c in _GROUP_COLUMNS)
        if key == "sec_broker":
            return "channel" in cols
        if key == "sec_ipa":
            return any(str(c).startswith("harapan_") for c in cols)
        if key == "sec_rounds":
            return self.rounds_in_survey is None or len(self.rounds_in_survey) > 1
        if key == "sec_checklist":
            return self.checklist_given
        if key == "sec_register":
            return self.register is not None
        return True

    # -- construction -------------------------------------------------------

    @classmethod
    def build(cls, *, unit: str, data_path: str = "", checklist_path: str = "", units_path: str = "",
              round: int = 0, lang: str = "id", alpha: float = 0.05, min_n: int = 5, seed: int = 20130924,
              n_boot: int = 2000, scheme="permenpan14_2017", complaints_path: str = "",
              complaint_standard_days: int = 5, holidays_path: str = "") -> "UnitReport":
        """Validate the parameters and read the unit's slice of the cleaned table.

        Raises
        ------
        ClemInputError
            Unknown unit (naming the close ones), bad language / alpha / min_n /
            round, missing files, or a round the unit does not have.
        """
        from ..codebook import load_units
        from ..io import load_checklist

        check = validate_report_params(unit=unit, units=_load_units_for(units_path), lang=lang, alpha=alpha,
                                       min_n=min_n, round=round, seed=seed)
        data_file, checklist_file, units_file = _inputs(data_path, checklist_path, units_path)
        units = load_units(units_file)
        name = check["unit"]
        slug = str(units.loc[units["name"] == name, "slug"].iloc[0])
        history = read_unit_slice(data_file, name)
        not_asked = [c for c in unasked_columns(data_file) if c in history.columns]
        history = history.drop(columns=not_asked)
        if not any(str(c).startswith("harapan_") for c in history.columns):
            not_asked.append("harapan")  # no importance items: the codebook has none
        rounds = sorted(int(r) for r in history["round"].dropna().unique()) if "round" in history else []
        if not rounds:
            raise ClemInputError(f"the cleaned data has no answers for unit {name!r}", file=data_file,
                                 column="unit", fix="check the unit names in the export against data/units.yml")
        want = check["round"] or rounds[-1]
        if want not in rounds:
            raise ClemInputError(f"unit {name!r} has no round {want}", column="round",
                                 fix=f"use 0 (latest) or one of {', '.join(map(str, rounds))}")
        data = history[(history["round"] == want).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
        checklist = pd.DataFrame(columns=["unit", "round", "component", "category", "present"])
        if checklist_file is not None and checklist_file.is_file():
            cl = load_checklist(checklist_file, units_file)
            cl = cl[(cl["unit"] == name).fillna(False).to_numpy(dtype=bool)]
            if len(cl):
                r_ok = [int(r) for r in cl["round"].dropna().unique() if int(r) <= want]
                if r_ok:
                    cl = cl[(cl["round"] == max(r_ok)).fillna(False).to_numpy(dtype=bool)]
                    checklist = cl.reset_index(drop=True)
        summary = _summary_for(data_file)
        register = _register_view(data_path, complaints_path, units, units_file, complaint_standard_days,
                                  holidays_path, check)
        return cls(unit=name, slug=slug, lang=check["lang"], alpha=check["alpha"], min_n=check["min_n"],
                   seed=check["seed"], round=want, scheme=scheme, data=data, history=history,
                   checklist=checklist, units=units, summary=summary, n_boot=n_boot, not_asked=not_asked,
                   rounds_in_survey=survey_rounds(data_file),
                   checklist_given=checklist_file is not None and checklist_file.is_file(), register=register)

    # -- computations (cached) ---------------------------------------------

    @property
    def ikm(self) -> pd.DataFrame:
        """``scoring.ikm`` of the unit (one row)."""
        from ..scoring import ikm

        return self._get("ikm", lambda: ikm(self.data, by="unit", scheme=self.scheme, seed=self.seed,
                                            n_boot=self.n_boot))

    @property
    def nrr(self) -> pd.DataFrame:
        """``scoring.nrr`` of the unit (one row per unsur)."""
        from ..scoring import nrr

        return self._get("nrr", lambda: nrr(self.data, by="unit", scheme=self.scheme))

    @property
    def crc(self) -> pd.DataFrame:
        from ..scoring import crc_indicators

        return self._get("crc", lambda: crc_indicators(self.data, by="unit", scheme=self.scheme))

    @property
    def access(self) -> pd.DataFrame:
        from ..scoring import accessibility

        return self._get("access", lambda: accessibility(self.data, by="unit")
                         if "facility_friendly" in self.data.columns else pd.DataFrame())

    @property
    def access_test(self) -> pd.DataFrame:
        """Is the share saying "not friendly" above one half? (``stats.proportion_vs_target``)."""
        from ..stats import proportion_vs_target

        def f():
            if "facility_friendly" not in self.data.columns:
                return pd.DataFrame()
            return proportion_vs_target(self.data, "facility_friendly", target=0.5, event=False,
                                        metric="pct_not_friendly", unit=self.unit, min_n=self.min_n)
        return self._get("access_test", f)

    @property
    def gaps(self) -> pd.DataFrame:
        """``stats.gap_report`` of the unit, with days and satisfaction compared as well."""
        from ..stats import gap_report

        means = tuple((f"mean:{c}", c, gu) for c, gu in (("cost_paid", "rupiah"), ("days_to_complete", "days"),
                                                          ("wait_minutes", "minutes"),
                                                          ("overall_satisfaction", "points"))
                      if c in self.data.columns)
        return self._get("gaps", lambda: gap_report(self.data, unit=self.unit, scheme=self.scheme, means=means,
                                                    min_n=self.min_n, n_boot=self.n_boot, n_perm=self.n_boot,
                                                    seed=self.seed))

    @property
    def ipa(self) -> pd.DataFrame:
        from ..scoring import ipa

        return self._get("ipa", lambda: ipa(self._with_harapan(), by="unit", scheme=self.scheme)
                         .iloc[: None if self.has_section("sec_ipa") else 0])

    @property
    def paired(self) -> pd.DataFrame:
        from ..stats import paired_gap

        return self._get("paired", lambda: paired_gap(self._with_harapan(), scheme=self.scheme, unit=self.unit,
                                                      min_n=self.min_n, n_boot=self.n_boot, seed=self.seed)
                         .iloc[: None if self.has_section("sec_ipa") else 0])

    def _with_harapan(self) -> pd.DataFrame:
        """The data, or for a survey without importance items its first row with them empty: the
        importance tables keep their columns and have no rows."""
        if self.has_section("sec_ipa"):
            return self.data
        empty = pd.array([pd.NA], dtype="Int64")
        return self.data.head(1).assign(**{f"harapan_{k}": empty[: min(1, len(self.data))]
                                           for k in self.scheme.unsur})

    @property
    def previous_round(self) -> int | None:
        prev = sorted(int(r) for r in self.history["round"].dropna().unique() if int(r) < self.round)
        return prev[-1] if prev else None

    @property
    def ikm_rounds(self) -> pd.DataFrame:
        from ..scoring import ikm

        def f():
            h = self.history[(self.history["round"] <= self.round).fillna(False).to_numpy(dtype=bool)]
            return ikm(h, by=["unit", "round"], scheme=self.scheme, seed=self.seed, n_boot=self.n_boot)
        return self._get("ikm_rounds", f)

    @property
    def round_tests(self) -> pd.DataFrame:
        from ..stats import compare_rounds

        def f():
            if self.previous_round is None:
                return pd.DataFrame()
            return compare_rounds(self.history, unit=self.unit, baseline=self.previous_round, followup=self.round,
                                  scheme=self.scheme, min_n=self.min_n, n_boot=self.n_boot, n_perm=self.n_boot,
                                  seed=self.seed)
        return self._get("round_tests", f)

    @property
    def compliance(self) -> pd.DataFrame:
        from ..scoring import compliance

        return self._get("compliance", lambda: compliance(self.checklist, by="unit") if len(self.checklist)
                         else pd.DataFrame())

    @property
    def sample_size(self) -> pd.DataFrame:
        from ..scoring import sample_size_check

        return self._get("sample_size", lambda: sample_size_check(
            self.data, self.units[self.units["name"] == self.unit]))

    # -- small helpers ------------------------------------------------------

    def _ikm_row(self) -> dict:
        return self.ikm.iloc[0].to_dict() if len(self.ikm) else {"ikm": np.nan, "n": 0}

    def _grade(self) -> str:
        r = self._ikm_row()
        if is_small(r.get("n"), self.min_n) or is_missing(r.get("ikm")):
            return small_cell_text(self.min_n, self.lang)
        return f"{r['grade']} ({r['label_id'] if self.lang == 'id' else r['label_en']})"

    def _access_row(self) -> dict | None:
        a = self.access
        if not len(a):
            return None
        row = a[(a["group"] == "all").to_numpy(dtype=bool)]
        return row.iloc[0].to_dict() if len(row) else None

    def _missing_items(self) -> str:
        c = self.compliance
        if not len(c):
            return ""
        row = c[(c["category"] == "all").to_numpy(dtype=bool)]
        return component_list(row["missing"].iloc[0], self.lang) if len(row) else ""

    # -- cells ------------------------------------------------------------

    def title(self) -> ReportText:
        """Report title with the unit, round and the number of respondents."""
        sub = (f"{label('round', self.lang)} {self.round} · n = {fmt_number(len(self.data), 0, self.lang)}")
        return _markdown(f"# {escape_text(label('title_unit', self.lang, unit=self.unit))}\n\n{sub}")

    def headline(self) -> ReportText:
        between = self.gaps
        return _markdown(headline_text(self.unit, ikm_row=self._ikm_row(), grade=self._grade(),
                                       access_row=self._access_row(), gaps=between, alpha=self.alpha,
                                       min_n=self.min_n, lang=self.lang, scheme=self.scheme,
                                       numbers=self.numbers))

    def sample_table(self) -> ReportTable:
        """Respondents by sector and service, and by group (counts under min_n suppressed)."""
        rows = []
        d = self.data
        keys = [c for c in ("sector", "service") if c in d.columns]
        for key, g in (d.groupby(keys, sort=True, observed=True, dropna=False) if keys else ()):
            key = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            sec = key.get("sector")
            what = ((label(f"sector_{sec}", self.lang) if f"sector_{sec}" in LABELS else str(sec))
                    if "sector" in key else label("col_service", self.lang))
            rows.append({"what": what, "value": str(key["service"]) if "service" in key else "", "n": len(g)})
        for col in ("special_group", "disability", "elderly", "pregnant", "with_child"):
            if col in d.columns:
                rows.append({"what": label("col_group", self.lang), "value": group_label(col, self.lang),
                             "n": int(d[col].fillna(False).astype(bool).sum())})
        for col, levels in (("gender", ("female", "male")), ("channel", ("in_person", "broker")),
                            ("income_group", ("low", "high"))):
            if col in d.columns:
                for lev in levels:
                    rows.append({"what": group_label(col, self.lang), "value": group_label(lev, self.lang),
                                 "n": int((d[col] == lev).fillna(False).sum())})
        rows.append({"what": label("grp_total", self.lang), "value": "", "n": len(d)})
        t = pd.DataFrame(rows)
        t["shown"] = t["n"]
        return report_table(t, {"what": "col_category", "value": "col_detail", "shown": "col_n"},
                            lang=self.lang, formats={"shown": "int", "what": "text", "value": "text"},
                            suppress=("shown",), min_n=self.min_n,
                            caption=table_caption("sample", self.lang, self.numbers))

    def sample_chart(self):
        from ..plots import plot_sample

        return self._chart(plot_sample(self.data, lang=self.lang, min_n=self.min_n, title=""), "sample")

    def sample_size_text(self) -> ReportText:
        s = self.sample_size
        row = s.iloc[0].to_dict() if len(s) else {}
        if not row or is_missing(row.get("n_min")):
            return _markdown("")
        key = "s_sample_short" if bool(row.get("below_minimum")) else "s_sample_ok"
        return _markdown(label(key, self.lang, n=fmt_number(row["n"], 0, self.lang),
                               s=fmt_number(row["n_min"], 0, self.lang),
                               N=fmt_number(row["population"], 0, self.lang)))

    def ikm_elements_chart(self):
        from ..plots import plot_ikm_elements

        t = self.nrr.assign(ikm_unsur=lambda d: d["nrr_converted"], ikm_unsur_ci_low=lambda d: d["ci_low"] * 25,
                            ikm_unsur_ci_high=lambda d: d["ci_high"] * 25)
        r = self._ikm_row()
        overall = None if is_small(r.get("n"), self.min_n) else r.get("ikm")
        return self._chart(plot_ikm_elements(t, overall=overall, scheme=self.scheme, lang=self.lang,
                                             min_n=self.min_n), "ikm_elements")

    def ikm_elements_caption(self) -> ReportText:
        return _markdown(figure_caption("ikm_elements", self.lang, numbers=self.numbers, n=len(self.data)))

    def likert_chart(self):
        from ..plots import likert_shares, plot_likert

        return self._chart(plot_likert(likert_shares(self.data, scheme=self.scheme), scheme=self.scheme,
                                       lang=self.lang, min_n=self.min_n), "likert")

    def caption(self, key: str) -> ReportText:
        """Caption of figure ``key`` (``FIGURES``) with the unit's n (for ``rounds``: the
        respondents of every round drawn; empty when there is no previous round to draw)."""
        if key in _FIGURE_SECTION and not self.has_section(_FIGURE_SECTION[key]):
            return ReportText("")
        if key == "sample" and "service" not in self.data.columns:  # no service question: bars by sector
            text = figure_caption(key, self.lang, numbers=self.numbers, n=len(self.data))
            return _markdown(text.replace(escape_text(label("fig_sample", self.lang)),
                                          escape_text(label("fig_sample_sector", self.lang))))
        if key == "rounds":
            if self.previous_round is None:
                return ReportText("")
            n = int(pd.to_numeric(self.ikm_rounds["n"], errors="coerce").fillna(0).sum())
            return _markdown(figure_caption(key, self.lang, numbers=self.numbers, n=n))
        if key == "register":  # n: the unit's complaints with a known or censored time
            return _markdown(figure_caption(key, self.lang, numbers=self.numbers,
                                            n=len(self.register.unit_times(self.unit))))
        return _markdown(figure_caption(key, self.lang, numbers=self.numbers, n=len(self.data)))

    def _group_rows(self) -> pd.DataFrame:
        g = self.gaps
        if not len(g):
            return g
        g = g[(g["comparison"] != "channel").to_numpy(dtype=bool)]
        sig = significant_gaps(g, alpha=self.alpha, min_n=self.min_n)
        special = g[(g["comparison"] == "special_group").to_numpy(dtype=bool)]
        others = sig[(sig["comparison"] != "special_group").to_numpy(dtype=bool)] if len(sig) else sig
        return pd.concat([special, others], ignore_index=True)

    @_only_in("sec_groups")
    def groups_chart(self):
        """Forest plot of the special-group gap on every unsur (points on the 1..4 scale)."""
        from ..plots import plot_forest

        g = self.gaps
        g = g[((g["comparison"] == "special_group") & g["metric"].astype("string").str.startswith("nrr:"))
              .fillna(False).to_numpy(dtype=bool)].copy()
        g["label"] = [unsur_label(str(m).partition(":")[2], self.lang, self.scheme) for m in g["metric"]]
        xl = label("axis_gap", self.lang) + (" — poin skala 1–4" if self.lang == "id" else " — points on the 1–4 scale")
        return self._chart(plot_forest(g, alpha=self.alpha, lang=self.lang, min_n=self.min_n, xlabel=xl,
                                       title=group_label("special_group", self.lang) + " vs " +
                                       label("others", self.lang)), "forest")

    def _gap_table(self, g: pd.DataFrame, key: str) -> ReportTable:
        t = g.copy()
        t["who"] = [f"{_side_label(r, 'group1', self.lang)} vs {_side_label(r, 'group2', self.lang)}"
                    for r in t.to_dict("records")]
        t["v1"] = [_value_text(a, u, self.lang) for a, u in zip(t["estimate1"], t["gap_unit"])]
        t["v2"] = [_value_text(a, u, self.lang) for a, u in zip(t["estimate2"], t["gap_unit"])]
        t["gap_t"] = [_gap_text(a, u, self.lang) for a, u in zip(t["gap"], t["gap_unit"])]
        t["ci_t"] = [("–" if is_missing(lo) or is_missing(hi) else
                      f"{_gap_text(lo, u, self.lang, unit=False)}; {_gap_text(hi, u, self.lang, unit=False)}")
                     for lo, hi, u in zip(t["ci_low"], t["ci_high"], t["gap_unit"])]
        t["n_t"] = [f"{fmt_number(a, 0, self.lang)} / {fmt_number(b, 0, self.lang)}" for a, b in zip(t["n1"], t["n2"])]
        t["n_min"] = [min(int(a or 0), int(b or 0)) for a, b in zip(t["n1"].fillna(0), t["n2"].fillna(0))]
        return report_table(t, {"who": "col_group", "metric": "col_metric", "v1": label("col_estimate", self.lang)
                                + " 1", "v2": label("col_estimate", self.lang) + " 2", "gap_t": "col_gap",
                                "ci_t": "col_ci_gap", "p_adjusted": "col_p_adj", "n_t": "col_n"},
                            lang=self.lang, formats={"who": "text", "metric": "metric", "v1": "text", "v2": "text",
                                                     "gap_t": "text", "ci_t": "text", "p_adjusted": "p",
                                                     "n_t": "text"},
                            n_column="n_min", suppress=("v1", "v2", "gap_t", "ci_t", "p_adjusted"),
                            min_n=self.min_n, caption=table_caption(key, self.lang, self.numbers))

    @_only_in("sec_groups")
    def groups_table(self) -> ReportTable:
        return self._gap_table(self._group_rows(), "groups")

    @_only_in("sec_broker")
    def channel_chart(self):
        from ..plots import plot_channel

        metrics = [m.partition(":")[2] for m in CHANNEL_CHART_METRICS if m.partition(":")[2] in self.data.columns]
        return self._chart(plot_channel(self.data, metrics=metrics, lang=self.lang, min_n=self.min_n), "broker")

    @_only_in("sec_broker")
    def channel_table(self) -> ReportTable:
        g = self.gaps
        g = g[(g["comparison"] == "channel").to_numpy(dtype=bool)]
        keep = g["metric"].astype("string").isin(["ikm", "pct_satisfied", "pct_paid_extra", "mean:cost_paid",
                                                  "mean:days_to_complete", "mean:overall_satisfaction",
                                                  "mean:wait_minutes"]).fillna(False).to_numpy(dtype=bool)
        return self._gap_table(g[keep], "channel")

    @_only_in("sec_ipa")
    def ipa_chart(self):
        from ..plots import plot_ipa

        t = self.ipa
        xs = float(t["x_cross"].iloc[0]) if len(t) else None
        ys = float(t["y_cross"].iloc[0]) if len(t) else None
        return self._chart(plot_ipa(t, performance="mean_x", importance="mean_y", x_split=xs, y_split=ys,
                                    scheme=self.scheme, lang=self.lang, min_n=self.min_n), "ipa")

    @_only_in("sec_ipa")
    def ipa_table(self) -> ReportTable:
        t = self.ipa.copy()
        p = self.paired
        pmap = {str(m).partition(":")[2] or str(m): v for m, v in zip(p.get("metric", []), p.get("p_adjusted", []))}
        t["p_adjusted"] = [pmap.get(str(k), np.nan) for k in t["unsur"]]
        t["quadrant_t"] = [label(f"quadrant_{q}", self.lang) if f"quadrant_{q}" in LABELS else "–"
                           for q in t["quadrant"].astype(str)]
        return report_table(t, {"unsur": "col_unsur", "n": "col_n", "mean_x": "col_performance",
                                "mean_y": "col_importance", "tk": "col_conformity", "gap": "col_gap",
                                "p_adjusted": "col_p_adj", "quadrant_t": "col_quadrant"},
                            lang=self.lang, formats={"unsur": "unsur", "n": "int", "mean_x": "number2",
                                                     "mean_y": "number2", "tk": "number1", "gap": "signed2",
                                                     "p_adjusted": "p", "quadrant_t": "text"},
                            suppress=("mean_x", "mean_y", "tk", "gap", "p_adjusted", "quadrant_t"),
                            min_n=self.min_n, caption=table_caption("ipa", self.lang, self.numbers))

    @_only_in("sec_rounds")
    def rounds_text(self) -> ReportText:
        if self.previous_round is None:
            return _markdown(label("s_no_previous_round", self.lang))
        rt = self.round_tests
        row = rt[(rt["metric"] == "ikm").to_numpy(dtype=bool)]
        if not len(row):
            return _markdown(label("s_no_previous_round", self.lang))
        return _markdown(sentence_gap(row.iloc[0].to_dict(), lang=self.lang, min_n=self.min_n,
                                      scheme=self.scheme))

    def rounds_chart(self):
        from ..plots import plot_rounds

        if self.previous_round is None or not self.has_section("sec_rounds"):
            return ReportText("")
        return self._chart(plot_rounds(self.ikm_rounds, scheme=self.scheme, lang=self.lang, min_n=self.min_n),
                           "rounds")

    def rounds_table(self):
        if self.previous_round is None:
            return ReportText("")
        return self._gap_table(self.round_tests, "rounds")

    @_only_in("sec_checklist")
    def checklist_text(self) -> ReportText:
        c = self.compliance
        if not len(c):
            return _markdown(label("s_checklist_none", self.lang))
        row = c[(c["category"] == "all").to_numpy(dtype=bool)].iloc[0]
        m = int(row["n_items"])
        missing = self._missing_items()
        head = (f"{label('m_compliance', self.lang).replace(' (%)', '')}: "
                f"**{fmt_percent(row['index'], 0, self.lang, scale=1.0)}** "
                f"({fmt_number(row['n_present'], 0, self.lang)}/{fmt_number(m, 0, self.lang)}). ")
        if missing:
            k = len([x for x in missing.split("; ") if x])
            return _markdown(head + label("s_checklist_missing", self.lang, k=k, m=m, items=escape_text(missing)))
        return _markdown(head + label("s_checklist_complete", self.lang, m=m))

    @_only_in("sec_checklist")
    def checklist_table(self):
        c = self.compliance
        if not len(c):
            return ReportText("")
        t = c[(c["category"] != "all").to_numpy(dtype=bool)].copy()
        t["category"] = [checklist_category_label(x, self.lang) for x in t["category"]]
        t["missing"] = [component_list(x, self.lang) for x in t["missing"]]
        return report_table(t, {"category": "col_category", "n_items": "col_components", "n_present": "col_present",
                                "index": "col_compliance", "missing": "col_missing"},
                            lang=self.lang, formats={"category": "text", "n_items": "int", "n_present": "int",
                                                     "index": "pct", "missing": "text"},
                            n_column=None, caption=table_caption("checklist", self.lang, self.numbers))

    def complaints_table(self) -> ReportTable:
        want = ["pct_had_problem", "pct_problem_resolved", "pct_knows_complaint", "pct_paid_extra",
                "median_extra_amount", "pct_dissatisfied:pengaduan"]
        c = self.crc
        t = c[c["metric"].astype("string").isin(want).fillna(False).to_numpy(dtype=bool)].copy()
        t["_o"] = [want.index(m) for m in t["metric"]]
        t = t.sort_values("_o", kind="mergesort")
        t["value"] = [fmt_rupiah(v, self.lang) if "amount" in m else fmt_percent(v, 0, self.lang, scale=1.0)
                      for v, m in zip(t["estimate"], t["metric"])]
        t["ci"] = [fmt_interval(lo, hi, 0, self.lang, prefix=False) if "amount" in m else
                   fmt_interval(lo, hi, 0, self.lang, percent=True, scale=1.0, prefix=False)
                   for lo, hi, m in zip(t["ci_low"], t["ci_high"], t["metric"])]
        return report_table(t, {"metric": "col_metric", "value": "col_estimate", "ci": "col_ci", "n": "col_n"},
                            lang=self.lang, formats={"metric": "metric", "value": "text", "ci": "text", "n": "int"},
                            suppress=("value", "ci"), min_n=self.min_n,
                            caption=table_caption("complaints", self.lang, self.numbers))

    def suggestions(self, limit: int = 40):
        """Respondents' suggestions, escaped: each distinct text once with how many wrote it,
        most frequent first (ties in interview order), at most ``limit`` rows; nothing when the
        survey did not ask for suggestions."""
        if "suggestion" not in self.data.columns:
            return ReportText("")
        s = self.data["suggestion"].astype("string").str.strip()
        s = s[s.fillna("").str.len() > 0]
        if not len(s):
            return _markdown(label("s_no_suggestions", self.lang))
        t = pd.DataFrame({"suggestion": s.tolist(), "order": np.arange(len(s))})
        t = (t.groupby("suggestion", sort=False).agg(count=("order", "size"), first=("order", "min"))
             .reset_index().sort_values(["count", "first"], ascending=[False, True], kind="mergesort"))
        shown = t.head(limit)
        return report_table(shown, {"suggestion": "col_suggestion", "count": "col_count"}, lang=self.lang,
                            formats={"suggestion": "text", "count": "int"}, n_column=None,
                            caption=table_caption("suggestions", self.lang, self.numbers) + " " +
                            label("s_suggestions_shown", self.lang, k=fmt_number(len(shown), 0, self.lang),
                                  total=fmt_number(len(s), 0, self.lang)))

    @_only_in("sec_register")
    def register_text(self) -> ReportText:
        """The complaint register of the unit, then the survey beside it and the "zero complaints"
        finding when the register is empty while users had problems (nothing without a register)."""
        from ..complaints_report import register_text

        return _markdown(register_text(self.register, self.unit, self.data, lang=self.lang, min_n=self.min_n,
                                       alpha=self.alpha))

    @_only_in("sec_register")
    def register_table(self):
        from ..complaints_report import register_table

        return register_table(self.register, self.unit, self.data, lang=self.lang, min_n=self.min_n,
                              caption=table_caption("register", self.lang, self.numbers))

    @_only_in("sec_register")
    def register_chart(self):
        from ..complaints_report import unit_chart

        return self._chart(unit_chart(self.register, self.unit, lang=self.lang, min_n=self.min_n), "register")

    @_only_in("sec_register")
    def register_breakdown(self):
        from ..complaints_report import breakdown_table

        t = breakdown_table(self.register, self.unit, lang=self.lang, min_n=self.min_n,
                            caption=table_caption("register_breakdown", self.lang, self.numbers))
        return ReportText("") if t is None else t

    def _zero_claim(self) -> str:
        from ..complaints_report import zero_claim_text

        if self.register is None or "had_problem" not in self.data.columns:
            return ""
        v = self.register.versus(self.data)
        v = v[(v["unit"] == self.unit).to_numpy(dtype=bool)]
        return zero_claim_text(v.iloc[0].to_dict(), lang=self.lang) if len(v) else ""

    def findings(self) -> ReportText:
        rt = self.round_tests
        rc = rt[(rt["metric"] == "ikm").to_numpy(dtype=bool)].iloc[0].to_dict() if len(rt) else None
        at = self.access_test.iloc[0].to_dict() if len(self.access_test) else None
        text = findings_text(self.unit, ikm_row=self._ikm_row(), grade=self._grade(), nrr=self.nrr,
                             access_row=self._access_row(), access_test=at, gaps=self.gaps,
                             paired=self.paired, ipa=self.ipa, round_change=rc,
                             missing_items=self._missing_items(), alpha=self.alpha, min_n=self.min_n,
                             lang=self.lang, scheme=self.scheme, numbers=self.numbers)
        zero = self._zero_claim()  # "zero complaints" while users had problems: the next finding
        if zero:
            k = len(re.findall(r"(?m)^\d+\. ", text))
            text += f"\n{k + 1}. {zero} ({table_ref('register', self.lang, self.numbers)})"
        return _markdown(text)

    def _access_significant(self) -> bool:
        at = self.access_test
        if not len(at):
            return False
        r = at.iloc[0]
        return (not is_missing(r["p_value"])) and float(r["p_value"]) < self.alpha and str(r.get("status", "ok")) == "ok"

    def recommendations(self) -> ReportText:
        head = "**" + ("Rekomendasi" if self.lang == "id" else "Recommendations") + "**\n\n"
        return _markdown(head + recommendations_text(gaps=self.gaps, ipa=self.ipa, paired=self.paired,
                                                     access_significant=self._access_significant(),
                                                     missing_items=self._missing_items(), alpha=self.alpha,
                                                     min_n=self.min_n, lang=self.lang, scheme=self.scheme))

    def methods(self) -> ReportText:
        r = self._ikm_row()
        weighted = False
        text = methods_text(scheme_reference=self.scheme.reference,
                            ikm_method=_method_text(r.get("method", ""), self.lang),
                            alpha=self.alpha, min_n=self.min_n, seed=self.seed, weighted=weighted, lang=self.lang)
        if self.register is not None:
            from ..complaints_report import methods_text as register_methods

            text += "\n" + register_methods(self.register, lang=self.lang)
        extra = not_asked_text(self.not_asked, self.lang)
        return _markdown(text + ("\n" + extra if extra else ""))

    def quality_text(self) -> ReportText:
        d = self.data
        sp = int(d["speeder"].fillna(False).astype(bool).sum()) if "speeder" in d.columns else 0
        st = int(d["straightliner"].fillna(False).astype(bool).sum()) if "straightliner" in d.columns else 0
        miss = sum(int(d[c].isna().sum()) for c in self.scheme.columns if c in d.columns)
        text = label("s_quality", self.lang, n=fmt_number(len(d), 0, self.lang), speeders=fmt_number(sp, 0, self.lang),
                     straight=fmt_number(st, 0, self.lang))
        text += f" {label('m_missing_answers', self.lang)} ({label('col_unsur', self.lang).lower()}): " \
                f"{fmt_number(miss, 0, self.lang)}."
        return _markdown(text)

    def quality_table(self):
        s = self.summary
        if s is None:
            return ReportText("")
        t = s[(s["unit"].astype("string") == self.unit).fillna(False).to_numpy(dtype=bool)]
        if not len(t):
            return _markdown(label("s_quality_log_none", self.lang))
        t = t.assign(rule_text=[rule_label(r, self.lang) for r in t["rule"]])
        return report_table(t, {"rule_text": "col_rule", "n": "col_count", "rule": "col_rule_code"},
                            lang=self.lang, formats={"rule_text": "text", "n": "int", "rule": "text"}, n_column=None,
                            caption=table_caption("quality", self.lang, self.numbers) + " "
                            + label("s_quality_log", self.lang))

    # -- results --------------------------------------------------------------

    def results(self) -> pd.DataFrame:
        """The unit's rows of ``results.csv``: every figure and test the report shows.

        Figures resting on fewer than ``min_n`` answers keep their n and lose
        their value, as in the report.
        """
        from ..results import to_results

        parts = [to_results(self.ikm, "ikm"), to_results(self.nrr, "nrr"), to_results(self.crc, "crc")]
        if len(self.access):
            parts.append(to_results(self.access, "accessibility"))
        parts.append(to_results(self.ipa, "ipa"))
        parts.append(to_results(self.sample_size, "sample_size"))
        if len(self.compliance):
            parts.append(to_results(self.compliance, "compliance"))
        scoring_rows = results_frame(pd.concat(parts, ignore_index=True).to_dict("records"))
        scoring_rows = suppress_results(scoring_rows, self.min_n)
        # the Krejcie-Morgan row: n is the sample, not a cell; never suppress it
        tests = [self.gaps, self.paired]
        if len(self.access_test):
            tests.append(self.access_test)
        if len(self.round_tests):
            tests.append(self.round_tests)
        test_rows = gaps_to_results(pd.concat(tests, ignore_index=True), min_n=self.min_n)
        out = pd.concat([scoring_rows, test_rows], ignore_index=True)
        if self.register is not None:
            out = pd.concat([out, results_frame(self.register.results_rows(self.unit, survey=self.data))],
                            ignore_index=True)
        out["unit"] = out["unit"].fillna("").replace("", self.unit)
        return results_frame(out.to_dict("records"))



def _register_view(data_path, complaints_path, units, units_file, standard_days, holidays_path, check,
                   unit_names=None):
    """The complaint register of a report (``complaints_report.RegisterView``), or None.

    Empty ``complaints_path``: none, except for the bundled sample survey (the standalone notebook),
    whose register is ``data/raw/clem_surakarta_complaints.csv``, cleaned into the sample cache.
    """
    from ..complaints_report import RegisterView

    is_sample = not data_path or Path(data_path).resolve() == sample_cache_path().resolve()
    path = complaints_path or (str(cleaned_sample_register(units_path=units_file)) if is_sample else "")
    return RegisterView.build(complaints_path=path, units=units, standard_days=standard_days,
                              holidays_path=holidays_path, unit_names=unit_names, alpha=check["alpha"],
                              min_n=check["min_n"])


def cleaned_sample_register(*, units_path=None) -> Path:
    """Clean the bundled sample's complaint register once (``outputs/_sample_cache/complaints.parquet``),
    again when the register, its codebook or the units file change."""
    import hashlib

    from ..complaints import SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, clean_register, write_register
    from ..paths import UNITS_FILE

    units_path = Path(units_path) if units_path else UNITS_FILE
    h = hashlib.sha256()
    for f in (SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, units_path):
        h.update(Path(f).read_bytes())
    out = sample_cache_path().with_name("complaints.parquet")
    stamp_file = out.with_name("complaints.sha256")
    if out.is_file() and stamp_file.is_file() and stamp_file.read_text().strip() == h.hexdigest():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    write_register(clean_register(SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, units_path), out)
    stamp_file.write_text(h.hexdigest() + "\n")
    return out


def scheme_parameter(scheme):
    """The IKM scheme as a notebook parameter gives it: a name, or a custom scheme as JSON text
    (``clem run`` passes the codebook's ``scheme:`` so that reports and index grade alike)."""
    import json

    if isinstance(scheme, str) and scheme.lstrip().startswith("{"):
        try:
            return json.loads(scheme)
        except ValueError as exc:
            raise ClemInputError(f"parameter 'scheme' is not valid JSON ({exc})",
                                 fix="give a scheme name such as permenpan14_2017, or the codebook's scheme as JSON")
    return scheme or "permenpan14_2017"


def _load_units_for(units_path: str) -> pd.DataFrame:
    from ..codebook import load_units
    from ..paths import UNITS_FILE

    return load_units(Path(units_path) if units_path else UNITS_FILE)


def _domain_value(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    return str(v)


CITY_WEIGHTS = ("design", "none")
"""Values of the city overview's ``city_weights`` (``clem run --city-weights``)."""

#: columns the city-wide CRC percentages need (read when the survey has them)
_CITY_CRC_COLUMNS = ("special_group", "overall_satisfaction", "had_problem", "problem_resolved", "paid_extra",
                     "channel", "days_to_complete", "standard_days", "cost_paid", "official_fee",
                     "knows_complaint")
#: figures of the city-wide table, in order (the others are in results.csv)
_CITY_TABLE_METRICS = ("ikm", "pct_not_friendly", "pct_satisfied:overall", "pct_had_problem",
                       "pct_problem_resolved", "pct_paid_extra", "pct_broker", "pct_over_standard",
                       "pct_cost_above_fee", "pct_knows_complaint")


class CityReport(_ReportBase):
    """Every unit side by side: what ``city_overview.ipynb`` shows.

    Built with :meth:`build`; each method returns one display object. Every
    unit enters with its latest round (``latest``); ``data`` keeps all rounds
    for the change between rounds.
    """

    SECTIONS = ("sec_city", "sec_ranking", "sec_heatmap", "sec_between", "sec_access_units", "sec_rounds_city",
                "sec_complaints_city", "sec_methods")

    def __init__(self, *, lang, alpha, min_n, seed, scheme, data, checklist, units, n_boot, not_asked=(),
                 city_weights: str = "design", register=None):
        from ..scoring import get_scheme

        if city_weights not in CITY_WEIGHTS:
            raise ClemInputError(f"unknown city_weights {city_weights!r}",
                                 fix="use city_weights='design' (the default) or 'none'")
        self.lang, self.alpha, self.min_n, self.seed, self.n_boot = lang, alpha, min_n, seed, n_boot
        #: what the reader asked for: "design" (design-based city-wide figures when N is known) or "none"
        self.city_weights = city_weights
        self.scheme = get_scheme(scheme)
        self.data, self.checklist, self.units = data, checklist, units
        #: parts the survey did not ask (cleaned columns), absent from the overview and its results
        self.not_asked = tuple(not_asked)
        #: the complaint register (``complaints_report.RegisterView``), None when none is given
        self.register = register
        last = data.groupby("unit", observed=True)["round"].transform("max")
        self.latest = data[(data["round"] == last).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
        self._cache: dict = {}

    @classmethod
    def build(cls, *, data_path: str = "", checklist_path: str = "", units_path: str = "", lang: str = "id",
              alpha: float = 0.05, min_n: int = 5, seed: int = 20130924, n_boot: int = 2000,
              scheme="permenpan14_2017", city_weights: str = "design", complaints_path: str = "",
              complaint_standard_days: int = 5, holidays_path: str = "") -> "CityReport":
        """Validate the parameters and read the columns the overview needs.

        ``city_weights``: ``"design"`` (default) gives design-based city-wide
        figures (stratified by unit, weights ``N_h / n_h`` from the units file's
        ``users_per_month``, finite-population correction) with the unweighted
        figure beside them, falling back to unweighted figures when a unit with
        respondents has no users per month; ``"none"`` gives unweighted figures only.
        """
        from ..codebook import load_units
        from ..io import load_checklist
        from ..scoring import get_scheme

        check = validate_report_params(units=_load_units_for(units_path), lang=lang, alpha=alpha, min_n=min_n,
                                       seed=seed)
        data_file, checklist_file, units_file = _inputs(data_path, checklist_path, units_path)
        s = get_scheme(scheme_parameter(scheme))
        import pyarrow.parquet as pq

        not_asked = unasked_columns(data_file)
        have = set(pq.read_schema(data_file).names) - set(not_asked)
        want = ["unit", "sector", "round", "facility_friendly", *s.columns, *_CITY_CRC_COLUMNS]
        register_wanted = bool(complaints_path) or not data_path or \
            Path(data_path).resolve() == sample_cache_path().resolve()
        if register_wanted:  # the survey beside the register
            want += ["had_problem", "knows_complaint", "complained"]
        data = read_unit_slice(data_file, columns=[c for c in dict.fromkeys(want) if c in have])
        checklist = (load_checklist(checklist_file, units_file) if checklist_file is not None and checklist_file.is_file()
                     else pd.DataFrame())
        units = load_units(units_file)
        in_data = set(data["unit"].dropna().astype(str))
        register = _register_view(data_path, complaints_path, units, units_file, complaint_standard_days,
                                  holidays_path, check,
                                  unit_names=[u for u in units["name"].astype(str) if u in in_data])
        return cls(lang=check["lang"], alpha=check["alpha"], min_n=check["min_n"], seed=check["seed"],
                   scheme=s, data=data, checklist=checklist, units=units, n_boot=n_boot,
                   not_asked=not_asked, city_weights=city_weights, register=register)

    def has_section(self, key: str) -> bool:
        """Accessibility and compliance show when the survey asked about facilities or has a
        checklist; the change between rounds when it has several rounds."""
        if key == "sec_access_units":
            return "facility_friendly" in self.data.columns or len(self.checklist) > 0
        if key == "sec_rounds_city":
            return self.data["round"].nunique() > 1
        if key == "sec_complaints_city":
            return self.register is not None
        return True

    @property
    def ikm_units(self) -> pd.DataFrame:
        from ..scoring import ikm

        return self._get("ikm_units", lambda: ikm(self.latest, by="unit", scheme=self.scheme, seed=self.seed,
                                                  n_boot=self.n_boot))

    @property
    def ikm_city(self) -> pd.DataFrame:
        from ..scoring import ikm

        return self._get("ikm_city", lambda: ikm(self.latest, scheme=self.scheme, seed=self.seed, n_boot=self.n_boot))

    @property
    def design(self) -> dict:
        """Which city-wide estimator is used: ``used`` (design-based figures computed),
        ``requested`` (``city_weights``), ``missing`` (units with respondents but no users per month),
        ``fractions`` (unit -> sampling fraction n_h / N_h, when used)."""
        from ..weights import units_without_size

        def f():
            missing = units_without_size(self.latest, self.units) if self.city_weights == "design" else []
            used = self.city_weights == "design" and not missing and len(self.latest) > 0
            fr = {}
            if used:
                sizes = dict(zip(self.units["name"].astype(str),
                                 pd.to_numeric(self.units["users_per_month"], errors="coerce")))
                for u, n in self.latest["unit"].astype(str).value_counts().sort_index().items():
                    fr[u] = n / float(sizes[u])
            return {"used": used, "requested": self.city_weights, "missing": missing, "fractions": fr}
        return self._get("design", f)

    @property
    def design_data(self) -> pd.DataFrame:
        """The latest round with each respondent's weight ``N_h / n_h`` and stratum size ``N`` (empty
        when design-based figures are not used)."""
        from ..weights import poststratify_weights, stratum_sizes

        def f():
            if not self.design["used"]:
                return self.latest.iloc[:0]
            d = self.latest.copy()
            d["weight"] = poststratify_weights(d, self.units)
            d["N"] = stratum_sizes(d, self.units)
            return d
        return self._get("design_data", f)

    def _design_kw(self) -> dict:
        # a unit with a single respondent contributes no variance (R survey.lonely.psu = "certainty")
        return {"weight": "weight", "strata": "unit", "fpc": "N", "lonely_psu": "certainty"}

    @property
    def city_figures(self) -> pd.DataFrame:
        """City-wide IKM, "not friendly" share and CRC percentages: one row per figure and estimator.

        Columns ``metric``, ``estimator`` (``design-based`` / ``unweighted``), ``estimate``,
        ``ci_low``, ``ci_high``, ``n``, ``method`` (percentages on 0..100). The unweighted rows are the
        figures of all respondents as one sample (IKM: delta interval; percentages: Wilson), the
        design-based ones are there when :attr:`design` is used.
        """
        from ..scoring import accessibility, crc_indicators
        from ..weights import design_crc, design_ikm

        def f():
            rows = []
            if self.design["used"]:
                d = self.design_data
                k = design_ikm(d, scheme=self.scheme, **self._design_kw()).iloc[0]
                rows.append({"metric": "ikm", "estimator": "design-based", "estimate": k["ikm"],
                             "ci_low": k["ci_low"], "ci_high": k["ci_high"], "n": k["n"], "method": k["method"]})
                for r in design_crc(d, scheme=self.scheme, **self._design_kw()).to_dict("records"):
                    rows.append({**{c: r[c] for c in ("metric", "estimate", "ci_low", "ci_high", "n", "method")},
                                 "estimator": "design-based"})
            k = self.ikm_city.iloc[0] if len(self.ikm_city) else None
            if k is not None:
                rows.append({"metric": "ikm", "estimator": "unweighted", "estimate": k["ikm"], "ci_low": k["ci_low"],
                             "ci_high": k["ci_high"], "n": k["n"],
                             "method": f"unweighted (all respondents as one sample): {k['method']}"})
            if "facility_friendly" in self.latest.columns:
                a = accessibility(self.latest)
                a = a[(a["group"] == "all").to_numpy(dtype=bool)]
                for r in a.to_dict("records"):
                    rows.append({"metric": r["metric"], "estimator": "unweighted", "estimate": r["estimate"],
                                 "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                                 "method": f"unweighted (all respondents as one sample): {r['method']}"})
            c = crc_indicators(self.latest, scheme=self.scheme)
            c = c[c["metric"].astype(str).str.startswith("pct_").to_numpy(dtype=bool)]
            for r in c.to_dict("records"):
                rows.append({"metric": r["metric"], "estimator": "unweighted", "estimate": r["estimate"],
                             "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                             "method": f"unweighted (all respondents as one sample): {r['method']}"})
            rows.extend(self._ikm_domain_rows())
            out = pd.DataFrame(rows, columns=["metric", "estimator", "domain", "value", "estimate", "ci_low",
                                              "ci_high", "n", "method"])
            out["domain"] = out["domain"].fillna("").astype(str)
            out["value"] = out["value"].fillna("").astype(str)
            for col in ("estimate", "ci_low", "ci_high"):
                out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out["n"] = pd.to_numeric(out["n"], errors="coerce").astype("Int64")
            return out
        return self._get("city_figures", f)

    def _ikm_domain_rows(self) -> list[dict]:
        """The city IKM by sector and by special group (domains), design-based (R svyby) and unweighted."""
        from ..scoring import ikm
        from ..weights import design_ikm

        rows = []
        for dom in ("sector", "special_group"):
            if dom not in self.latest.columns or self.latest[dom].notna().sum() == 0:
                continue
            if self.design["used"]:
                for r in design_ikm(self.design_data, by=dom, scheme=self.scheme, **self._design_kw()).to_dict(
                        "records"):
                    rows.append({"metric": "ikm", "estimator": "design-based", "domain": dom,
                                 "value": _domain_value(r[dom]), "estimate": r["ikm"], "ci_low": r["ci_low"],
                                 "ci_high": r["ci_high"], "n": r["n"], "method": r["method"]})
            for r in ikm(self.latest.dropna(subset=[dom]), by=dom, scheme=self.scheme, seed=self.seed,
                         n_boot=self.n_boot).to_dict("records"):
                rows.append({"metric": "ikm", "estimator": "unweighted", "domain": dom, "value": _domain_value(r[dom]),
                             "estimate": r["ikm"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                             "method": f"unweighted (all respondents as one sample): {r['method']}"})
        # special-group users before the others (a stable sort keeps the estimators' order)
        return sorted(rows, key=lambda r: (r["domain"] == "special_group", r["value"] == "False"))

    @property
    def special_test(self) -> pd.DataFrame:
        """City-wide: do special-group users say "not friendly" more than others? A gap table
        (``stats.GAP_COLUMNS``): the design-based row (Rao-Scott F, weighted shares) when the
        design is used, then the unweighted row (chi-square or Fisher, as in the unit reports)."""
        from ..stats import GAP_COLUMNS, compare_proportions
        from ..weights import compare_proportions_design

        def f():
            if not {"facility_friendly", "special_group"} <= set(self.latest.columns):
                return pd.DataFrame(columns=list(GAP_COLUMNS) + ["estimator"])
            kw = dict(by="special_group", group1=True, group2=False, event=False, metric="pct_not_friendly",
                      family="city: special_group vs not friendly", min_n=self.min_n)
            parts = []
            if self.design["used"]:
                parts.append(compare_proportions_design(self.design_data, "facility_friendly", **kw,
                                                        **self._design_kw()).assign(estimator="design-based"))
            parts.append(compare_proportions(self.latest, "facility_friendly", **kw).assign(estimator="unweighted"))
            return pd.concat(parts, ignore_index=True)
        return self._get("special_test", f)

    @property
    def nrr_units(self) -> pd.DataFrame:
        from ..scoring import nrr

        return self._get("nrr_units", lambda: nrr(self.latest, by="unit", scheme=self.scheme))

    @property
    def between(self) -> pd.DataFrame:
        """Kruskal-Wallis across units for each unsur (omnibus rows, Holm across unsur)."""
        from ..stats import adjust_pvalues, compare_units

        def f():
            rows = []
            for col in self.scheme.columns:
                # the omnibus row only: the overview does not show Dunn's k(k-1)/2 pairs
                t = compare_units(self.latest, col, min_n=self.min_n, seed=self.seed, n_boot=min(self.n_boot, 1000),
                                  pairs=False)
                rows.append(t)
            out = pd.concat(rows, ignore_index=True)
            p = pd.to_numeric(out["p_value"], errors="coerce").astype(float).to_numpy()
            ok = ~np.isnan(p)
            adj = np.full(len(p), np.nan)
            if ok.any():
                adj[ok] = adjust_pvalues(p[ok], "holm")
            out["p_adjusted"] = adj
            out["family"] = "between units: unsur (Kruskal-Wallis)"
            return out
        return self._get("between", f)

    @property
    def vs_rest(self) -> pd.DataFrame:
        from ..stats import unit_vs_rest

        return self._get("vs_rest", lambda: unit_vs_rest(self.latest, kind="ikm", scheme=self.scheme,
                                                         min_n=self.min_n, n_boot=self.n_boot,
                                                         n_perm=self.n_boot, seed=self.seed))

    @property
    def access(self) -> pd.DataFrame:
        from ..scoring import accessibility

        def f():
            if "facility_friendly" not in self.latest.columns:
                return pd.DataFrame(columns=["unit", "group", "estimate", "ci_low", "ci_high", "n"])
            a = accessibility(self.latest, by="unit")
            return a[(a["group"] == "all").to_numpy(dtype=bool)].reset_index(drop=True)
        return self._get("access", f)

    @property
    def compliance(self) -> pd.DataFrame:
        from ..scoring import compliance

        def f():
            if not len(self.checklist):
                return pd.DataFrame(columns=["unit", "round", "category", "index", "n_items", "missing"])
            c = compliance(self.checklist, by="unit")
            c = c[(c["category"] == "all").to_numpy(dtype=bool)]
            last = c.groupby("unit")["round"].transform("max")
            return c[(c["round"] == last).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
        return self._get("compliance", f)

    @property
    def ikm_rounds(self) -> pd.DataFrame:
        from ..scoring import ikm

        return self._get("ikm_rounds", lambda: ikm(self.data, by=["unit", "round"], scheme=self.scheme,
                                                   seed=self.seed, n_boot=self.n_boot))

    @property
    def round_tests(self) -> pd.DataFrame:
        from ..stats import compare_rounds

        def f():
            parts = []
            for u, g in self.data.groupby("unit", sort=True, observed=True):
                rs = sorted(int(r) for r in g["round"].dropna().unique())
                if len(rs) >= 2:
                    t = compare_rounds(g, unit=str(u), baseline=rs[-2], followup=rs[-1], scheme=self.scheme,
                                       min_n=self.min_n, n_boot=self.n_boot, n_perm=self.n_boot, seed=self.seed)
                    parts.append(t[(t["metric"] == "ikm").to_numpy(dtype=bool)])
            return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        return self._get("round_tests", f)

    def title(self) -> ReportText:
        n = fmt_number(len(self.latest), 0, self.lang)
        k = self.latest["unit"].nunique()
        sub = (f"{k} unit · n = {n}" if self.lang == "id" else f"{k} units · n = {n}")
        return _markdown(f"# {escape_text(label('title_city', self.lang))}\n\n{sub}")

    def caption(self, key: str) -> ReportText:
        """Caption of figure ``key`` with the number of respondents it rests on (every
        round for ``rounds_city``, which is empty when the data have a single round)."""
        if key == "access_units" and not self.has_section("sec_access_units"):
            return ReportText("")
        if key == "rounds_city":
            if self.data["round"].nunique() < 2:
                return ReportText("")
            return _markdown(figure_caption(key, self.lang, n=len(self.data)))
        if key == "complaints_city":  # n: complaints with a known or censored time
            if self.register is None:
                return ReportText("")
            return _markdown(figure_caption(key, self.lang, n=len(self.register.times)))
        return _markdown(figure_caption(key, self.lang, n=len(self.latest)))

    def _fraction_range(self) -> tuple[str, str]:
        fr = list(self.design["fractions"].values())
        return (fmt_percent(min(fr), 0, self.lang, scale=100.0), fmt_percent(max(fr), 0, self.lang, scale=100.0))

    def city_text(self) -> ReportText:
        """Which city-wide estimator the figures use and why; the city IKM; the special-group test."""
        d = self.design
        if d["used"]:
            fmin, fmax = self._fraction_range()
            head = label("s_city_design", self.lang, fmin=fmin, fmax=fmax)
        elif d["requested"] == "none":
            head = label("s_city_none", self.lang)
        else:
            head = label("s_city_missing", self.lang, units=escape_text(", ".join(d["missing"])))
        lines = [head]
        est = "design-based" if d["used"] else "unweighted"
        fig = self.city_figures
        k = fig[((fig["metric"] == "ikm") & (fig["estimator"] == est) & (fig["domain"] == "")).to_numpy(dtype=bool)]
        if len(k) and not is_small(k["n"].iloc[0], self.min_n):
            r = k.iloc[0]
            from ..scoring import ikm_grade

            lines.append(label("s_city_ikm", self.lang, ikm=fmt_number(r["estimate"], 2, self.lang),
                               ci=fmt_interval(r["ci_low"], r["ci_high"], 2, self.lang),
                               grade=ikm_grade(float(r["estimate"]), self.scheme, lang=self.lang),
                               n=fmt_number(r["n"], 0, self.lang)))
        t = self.special_test
        if len(t):
            r = t[(t["estimator"] == est).to_numpy(dtype=bool)].iloc[0].to_dict()
            lines.append(self._special_sentence(r, est))
        return _markdown("\n\n".join(lines))

    def _special_sentence(self, r: Mapping, est: str) -> str:
        small = is_small(r.get("n1"), self.min_n) or is_small(r.get("n2"), self.min_n)
        how = label("how_design" if est == "design-based" else "how_unweighted", self.lang)
        if small:
            st = small_cell_text(self.min_n, self.lang)
            return label("s_special_city", self.lang, how=how, v1=st, v2=st, gap=st, ci=st, test="", p=st)
        test = ("Rao–Scott" if est == "design-based" else
                ("Fisher" if "Fisher" in str(r.get("method", "")) else "chi-square"))
        ci = label("ci95", self.lang) + " " + _gap_text(r.get("ci_low"), "percentage points", self.lang,
                                                         unit=False) + \
            (" sampai " if self.lang == "id" else " to ") + _gap_text(r.get("ci_high"), "percentage points",
                                                                       self.lang, unit=False)
        line = label("s_special_city", self.lang, how=how,
                     v1=_value_text(r.get("estimate1"), "percentage points", self.lang),
                     v2=_value_text(r.get("estimate2"), "percentage points", self.lang),
                     gap=_gap_text(r.get("gap"), "percentage points", self.lang), ci=ci, test=test,
                     p=fmt_p(r.get("p_value"), self.lang))
        p = r.get("p_value")
        if not is_missing(p) and float(p) < self.alpha:
            more = label("more_often" if float(r.get("gap")) > 0 else "less_often", self.lang)
            return label("s_special_city_sig", self.lang, more=more) + " " + line
        return label("s_special_city_ns", self.lang) + " " + line

    def city_table(self) -> ReportTable:
        """City-wide figures: design-based with its interval, the unweighted figure beside it, n."""
        fig = self.city_figures
        shown = [(m, "", "") for m in _CITY_TABLE_METRICS if m in set(fig["metric"])]
        doms = fig.loc[fig["domain"] != "", ["domain", "value"]].drop_duplicates()
        at = 1 if shown and shown[0][0] == "ikm" else 0  # the IKM of each domain right after the city IKM
        shown[at:at] = [("ikm", d, v) for d, v in zip(doms["domain"], doms["value"])]
        rows = []
        for m, dom, val in shown:
            what = metric_label(m, self.lang, self.scheme)
            if dom == "sector":
                what += ": " + (label(f"sector_{val}", self.lang) if f"sector_{val}" in LABELS else val)
            elif dom:
                what += ": " + _side_label({"comparison": dom, "v": val}, "v", self.lang)
            row = {"what": what}
            for est, tag in (("design-based", "d"), ("unweighted", "u")):
                r = fig[((fig["metric"] == m) & (fig["estimator"] == est) & (fig["domain"] == dom)
                         & (fig["value"] == val)).to_numpy(dtype=bool)]
                if not len(r):
                    row[f"v_{tag}"] = row[f"ci_{tag}"] = "–"
                    continue
                r = r.iloc[0]
                if m == "ikm":
                    row[f"v_{tag}"] = fmt_number(r["estimate"], 2, self.lang)
                    row[f"ci_{tag}"] = fmt_interval(r["ci_low"], r["ci_high"], 2, self.lang, prefix=False)
                else:
                    row[f"v_{tag}"] = fmt_percent(r["estimate"], 0, self.lang, scale=1.0)
                    row[f"ci_{tag}"] = fmt_interval(r["ci_low"], r["ci_high"], 0, self.lang, percent=True,
                                                    scale=1.0, prefix=False)
                row["n"] = int(r["n"])
            rows.append(row)
        t = pd.DataFrame(rows, columns=["what", "v_d", "ci_d", "v_u", "ci_u", "n"])
        cols = {"what": "col_figure", "v_d": "col_design", "ci_d": "col_ci_design", "v_u": "col_unweighted",
                "ci_u": "col_ci_unweighted", "n": "col_n"}
        if not self.design["used"]:
            cols = {k: v for k, v in cols.items() if k not in ("v_d", "ci_d")}
        return report_table(t, cols, lang=self.lang,
                            formats={"what": "text", "v_d": "text", "ci_d": "text", "v_u": "text", "ci_u": "text",
                                     "n": "int"},
                            suppress=("v_d", "ci_d", "v_u", "ci_u"), min_n=self.min_n,
                            caption=table_caption("city", self.lang))

    def ranking_chart(self):
        from ..plots import plot_ikm_ranking

        return self._chart(plot_ikm_ranking(self.ikm_units, scheme=self.scheme, lang=self.lang, min_n=self.min_n),
                           "ranking")

    def ranking_table(self) -> ReportTable:
        t = self.ikm_units.copy()
        t["_v"] = pd.to_numeric(t["ikm"], errors="coerce").astype(float)
        t = t.sort_values(["_v", "unit"], ascending=[False, True], kind="mergesort", na_position="last")
        t["grade_t"] = [f"{g} ({a if self.lang == 'id' else b})" for g, a, b in zip(t["grade"], t["label_id"],
                                                                                   t["label_en"])]
        t["ci_t"] = [fmt_interval(lo, hi, 2, self.lang, prefix=False) for lo, hi in zip(t["ci_low"], t["ci_high"])]
        return report_table(t, {"unit": "col_unit", "n": "col_n", "ikm": "col_ikm", "ci_t": "col_ci",
                                "grade_t": "col_grade"}, lang=self.lang,
                            formats={"unit": "text", "n": "int", "ikm": "ikm", "ci_t": "text", "grade_t": "text"},
                            suppress=("ikm", "ci_t", "grade_t"), min_n=self.min_n,
                            caption=table_caption("ranking", self.lang))

    def heatmap_chart(self):
        from ..plots import plot_heatmap

        t = self.nrr_units.assign(ikm_unsur=lambda d: d["nrr_converted"])
        return self._chart(plot_heatmap(t, scheme=self.scheme, lang=self.lang, min_n=self.min_n), "heatmap")

    def between_text(self) -> ReportText:
        sig = significant_gaps(self.between.drop(columns=["n1", "n2"]), alpha=self.alpha, min_n=self.min_n)
        vr = significant_gaps(self.vs_rest, alpha=self.alpha, min_n=self.min_n)
        lines = []
        if len(sig):
            names = "; ".join(unsur_label(str(m).partition(":")[2] or m, self.lang, self.scheme) for m in sig["metric"])
            lines.append(("Unsur yang berbeda nyata antar-unit (Kruskal–Wallis, p Holm < {a}): {x}."
                          if self.lang == "id" else
                          "Elements that differ between units (Kruskal–Wallis, Holm p < {a}): {x}.")
                         .format(a=fmt_number(self.alpha, 2, self.lang), x=escape_text(names)))
        else:
            lines.append(("Tidak ada unsur yang berbeda nyata antar-unit (p Holm < {a})." if self.lang == "id" else
                          "No element differs significantly between units (Holm p < {a}).")
                         .format(a=fmt_number(self.alpha, 2, self.lang)))
        for r in vr.to_dict("records"):
            lines.append("- " + sentence_gap({**r, "group2": label("grp_rest_of_city", self.lang)}, lang=self.lang,
                                             min_n=self.min_n, scheme=self.scheme))
        return _markdown("\n\n".join(lines[:1]) + ("\n\n" + "\n".join(lines[1:]) if len(lines) > 1 else ""))

    def between_table(self) -> ReportTable:
        b = self.between.copy()
        b["what"] = [unsur_label(str(m).partition(":")[2] or m, self.lang, self.scheme) for m in b["metric"]]
        b["test"] = "Kruskal–Wallis H"
        v = self.vs_rest.copy()
        v["what"] = [f"IKM: {u} vs {label('grp_rest_of_city', self.lang)}" for u in v["group1"]]
        v["test"] = "IKM (bootstrap/permutasi)" if self.lang == "id" else "IKM (bootstrap/permutation)"
        t = pd.concat([b, v], ignore_index=True)
        t["n_small"] = [min(int(a) if not is_missing(a) else 0, int(c) if not is_missing(c) else 0) if w else 99
                        for a, c, w in zip(t["n1"], t["n2"], [False] * len(b) + [True] * len(v))]
        return report_table(t, {"what": "col_metric", "test": "col_method", "statistic": "Statistik"
                                if self.lang == "id" else "Statistic", "gap": "col_gap", "p_adjusted": "col_p_adj"},
                            lang=self.lang, formats={"what": "text", "test": "text", "statistic": "number2",
                                                     "gap": "signed2", "p_adjusted": "p"},
                            n_column="n_small", suppress=("statistic", "gap", "p_adjusted"), min_n=self.min_n,
                            caption=table_caption("between", self.lang))

    @_only_in("sec_access_units")
    def access_chart(self):
        from ..plots import plot_access_units

        a = self.access.assign(pct_not_friendly=lambda d: pd.to_numeric(d["estimate"], errors="coerce") / 100.0)
        c = self.compliance.assign(pct_present=lambda d: pd.to_numeric(d["index"], errors="coerce") / 100.0) \
            if len(self.compliance) else None
        return self._chart(plot_access_units(a, compliance=c, lang=self.lang, min_n=self.min_n), "access_units")

    @_only_in("sec_access_units")
    def access_table(self) -> ReportTable:
        a = self.access[["unit", "estimate", "ci_low", "ci_high", "n"]].copy()
        c = self.compliance[["unit", "index", "missing"]] if len(self.compliance) else \
            pd.DataFrame(columns=["unit", "index", "missing"])
        t = a.merge(c, on="unit", how="outer").sort_values("unit", kind="mergesort")
        t["ci_t"] = [fmt_interval(lo, hi, 0, self.lang, percent=True, scale=1.0, prefix=False)
                     for lo, hi in zip(t["ci_low"], t["ci_high"])]
        cols = {"unit": "col_unit", "n": "col_n", "estimate": "col_not_friendly", "ci_t": "col_ci",
                "index": "col_compliance", "missing": "col_missing"}
        if not len(self.compliance):  # no checklist: no compliance columns
            cols = {k: v for k, v in cols.items() if k not in ("index", "missing")}
        if "facility_friendly" not in self.data.columns:  # not asked: compliance only
            cols = {k: v for k, v in cols.items() if k not in ("n", "estimate", "ci_t")}
        return report_table(t, cols, lang=self.lang,
                            formats={"unit": "text", "n": "int", "estimate": "pct", "ci_t": "text", "index": "pct",
                                     "missing": "text"},
                            suppress=("estimate", "ci_t"), min_n=self.min_n, caption=table_caption("access_units",
                                                                                               self.lang))

    @_only_in("sec_rounds_city")
    def rounds_chart(self):
        from ..plots import plot_rounds_city

        if self.data["round"].nunique() < 2:
            return _markdown(label("s_no_previous_round", self.lang).replace("unit ini", "kota ini")
                             .replace("this unit", "the city"))
        return self._chart(plot_rounds_city(self.ikm_rounds, scheme=self.scheme, lang=self.lang, min_n=self.min_n),
                           "rounds_city")

    def rounds_table(self):
        rt = self.round_tests
        if not len(rt):
            return ReportText("")
        t = rt.copy()
        t["who"] = [f"{u}: {label('round', self.lang)} {a} vs {b}" for u, a, b in zip(t["unit"], t["group1"], t["group2"])]
        t["n_small"] = [min(int(a or 0), int(b or 0)) for a, b in zip(t["n1"].fillna(0), t["n2"].fillna(0))]
        # the interval of a change, signed like the change itself (as in the unit reports' gap tables)
        t["ci_t"] = [("–" if is_missing(lo) or is_missing(hi) else
                      f"{fmt_number(lo, 2, self.lang, signed=True)}; {fmt_number(hi, 2, self.lang, signed=True)}")
                     for lo, hi in zip(t["ci_low"], t["ci_high"])]
        return report_table(t, {"who": "col_unit", "estimate2": "col_ikm_previous",
                                "estimate1": "col_ikm_latest", "gap": "col_change",
                                "ci_t": "col_ci_gap", "p_adjusted": "col_p_adj"}, lang=self.lang,
                            formats={"who": "text", "estimate1": "ikm", "estimate2": "ikm", "gap": "signed2",
                                     "ci_t": "text", "p_adjusted": "p"}, n_column="n_small",
                            suppress=("estimate1", "estimate2", "gap", "ci_t", "p_adjusted"), min_n=self.min_n,
                            caption=table_caption("rounds_city", self.lang))

    def _weights_text(self) -> str:
        d, id_ = self.design, self.lang == "id"
        per_unit = (" Angka per unit (peringkat, peta panas, uji antar-unit) tidak dibobot: di dalam unit, "
                    "responden adalah sampel unit itu sendiri; intervalnya tanpa koreksi populasi terhingga, "
                    "sama dengan laporan unit." if id_ else
                    " Per-unit figures (ranking, heat map, between-unit tests) are not weighted: within a unit "
                    "the respondents are that unit's own sample; their intervals carry no finite-population "
                    "correction, as in the unit reports.")
        if d["used"]:
            fmin, fmax = self._fraction_range()
            return (("angka tingkat kota (IKM, persentase tidak ramah, persentase CRC, uji kelompok rentan) "
                     "berbasis desain, karena unit disampel dengan fraksi yang berbeda ({a}–{b}) dan angka tanpa "
                     "bobot akan memberi bobot berlebih pada unit yang banyak disampel: strata = unit, bobot "
                     "N_h/n_h (N_h = pengguna per bulan di berkas unit), koreksi populasi terhingga 1 − n_h/N_h, "
                     "galat baku dengan linearisasi Taylor; IKM sebagai rasio total berbobot per unsur (rumus "
                     "Permenpan), interval t; persentase dengan interval logit (seperti R svyciprop); uji kelompok "
                     "rentan dengan Rao–Scott. Angka tanpa bobot ditampilkan di sampingnya sebagai pembanding; "
                     "city_weights = none mematikannya." if id_ else
                     "city-wide figures (IKM, not-friendly share, CRC percentages, the special-group test) are "
                     "design-based, because the units were sampled at different rates ({a} to {b}) and unweighted "
                     "figures would give too much weight to the units sampled most heavily: strata = units, weights "
                     "N_h/n_h (N_h = users per month from the units file), finite-population correction "
                     "1 − n_h/N_h, Taylor-linearised standard errors; the IKM as a ratio of weighted totals per "
                     "element (the regulation's formula), t interval; percentages with a logit interval (as R "
                     "svyciprop); the special-group test by Rao–Scott. The unweighted figure is shown beside it "
                     "for comparison; city_weights = none turns this off.").format(a=fmin, b=fmax) + per_unit)
        if d["requested"] == "none":
            return (("tanpa bobot sampling (dipilih dengan city_weights = none): angka tingkat kota menghitung "
                     "semua responden seolah-olah satu sampel acak sederhana, walaupun unit mungkin disampel dengan "
                     "fraksi berbeda." if id_ else
                     "no sampling weights (chosen with city_weights = none): city-wide figures count all "
                     "respondents as one simple random sample, although the units may have been sampled at "
                     "different rates.") + per_unit)
        units = escape_text(", ".join(d["missing"]))
        return (("tanpa bobot sampling: angka tingkat kota berbasis desain memerlukan jumlah pengguna per bulan "
                 f"(users_per_month) setiap unit, dan berkas unit tidak memuatnya untuk {units}; angka kota "
                 "dihitung seolah-olah semua responden satu sampel acak sederhana dan dapat bias bila unit "
                 "disampel dengan fraksi berbeda. Isi users_per_month untuk mendapat angka berbasis desain."
                 if id_ else
                 "no sampling weights: design-based city-wide figures need the users per month "
                 f"(users_per_month) of every unit, and the units file lacks them for {units}; city-wide figures "
                 "count all respondents as one simple random sample and can be biased when the units were "
                 "sampled at different rates. Fill in users_per_month to get design-based figures.") + per_unit)
    @_only_in("sec_complaints_city")
    def complaints_text(self) -> ReportText:
        """The register city-wide: totals, units and channels compared, units claiming zero complaints."""
        from ..complaints_report import city_text

        return _markdown(city_text(self.register, self.latest, lang=self.lang, min_n=self.min_n, alpha=self.alpha))

    @_only_in("sec_complaints_city")
    def complaints_table(self):
        from ..complaints_report import city_table

        return city_table(self.register, self.latest, lang=self.lang, min_n=self.min_n,
                          caption=table_caption("complaints_city", self.lang))

    @_only_in("sec_complaints_city")
    def complaints_chart(self):
        from ..complaints_report import city_chart

        return self._chart(city_chart(self.register, lang=self.lang, min_n=self.min_n), "complaints_city")

    def methods(self) -> ReportText:
        r = self.ikm_city.iloc[0].to_dict() if len(self.ikm_city) else {}
        text = methods_text(scheme_reference=self.scheme.reference,
                            ikm_method=_method_text(r.get("method", ""), self.lang),
                            alpha=self.alpha, min_n=self.min_n, seed=self.seed, weighted=self.design["used"],
                            lang=self.lang, scope="city", weights_text=self._weights_text())
        if self.register is not None:
            from ..complaints_report import methods_text as register_methods

            text += "\n" + register_methods(self.register, lang=self.lang)
        extra = not_asked_text(self.not_asked, self.lang)
        return _markdown(text + ("\n" + extra if extra else ""))

    def results(self) -> pd.DataFrame:
        """City-level rows of ``results.csv``: the city-wide figures (``unit`` empty; ``group``
        ``design-based`` or ``unweighted``), the special-group test (``group`` ``special_group: True vs
        False; design-based`` / ``...; unweighted``), the between-unit tests and each unit against the
        rest. Per-unit figures are the unit reports' rows."""
        fig = self.city_figures
        rows = [results_row(sector=r["value"] if r["domain"] == "sector" else "",
                            group=r["estimator"] + (f"; {r['domain']}={r['value']}"
                                                    if r["domain"] not in ("", "sector") else ""),
                            metric=r["metric"], estimate=r["estimate"], ci_low=r["ci_low"],
                            ci_high=r["ci_high"], n=r["n"], method=r["method"], min_n=self.min_n)
                for r in fig.to_dict("records")]
        rows = results_frame(rows)
        sp = self.special_test
        special = []
        for est in ("design-based", "unweighted"):
            part = sp[(sp["estimator"] == est).to_numpy(dtype=bool)] if len(sp) else sp
            if len(part):
                g = gaps_to_results(part.drop(columns=["estimator"]).assign(unit=""), min_n=self.min_n)
                g["group"] = g["group"] + f"; {est}"
                g["method"] = f"{est}: " + g["method"]
                special.append(g)
        b = self.between.copy()
        b["unit"] = ""
        tests = gaps_to_results(b, min_n=1)
        tests["group"] = "units: " + tests["group"].str.split(": ", n=1).str[-1]
        vs_rest = self.vs_rest.copy()
        vs_rest["unit"] = vs_rest["group1"]  # the unit compared with the rest of the city
        rest = gaps_to_results(vs_rest, min_n=self.min_n)
        rest["group"] = "unit vs rest of city"
        out = pd.concat([rows, *special, tests, rest], ignore_index=True)
        if self.register is not None:
            out = pd.concat([out, results_frame(self.register.results_rows(None))], ignore_index=True)
        return results_frame(out.to_dict("records"))

