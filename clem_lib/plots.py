"""Charts of the reports, readable in print and by colour-blind readers.

Every function takes a tidy result table (from :mod:`clem_lib.scoring`,
:mod:`clem_lib.stats` or the cleaned table) first, names columns by keyword,
and returns a :class:`matplotlib.figure.Figure` built without pyplot (no
global figure state, nothing shown twice by the notebook's inline backend).
:func:`chart` turns a figure into a deterministic PNG display object for a
notebook cell; :func:`figure_png` returns the bytes.

Conventions
    * Okabe–Ito colours (:data:`PALETTE`), the cividis map for heat maps, and
      a blue/orange diverging scale for answers: safe for the common forms of
      colour blindness and legible in greyscale print.
    * Axes are labelled in the report language with their unit; n is shown
      on every chart (in the title or next to the bars).
    * Groups with fewer than ``min_n`` answers are not drawn; the chart shows
      ``"n < 5"`` where the value would be.
    * Numbers on axes and labels use the language's decimal mark.
    * Output bytes are deterministic: fixed DPI, fixed size, PNG metadata
      without software version or time.
"""

from __future__ import annotations

import functools
import io
import warnings
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox

from .text import (
    LABELS,
    check_lang,
    fmt_number,
    fmt_percent,
    group_label,
    is_small,
    label,
    metric_label,
    small_cell_text,
    unsur_label,
)

__all__ = [
    "PALETTE",
    "LIKERT_COLORS",
    "GRADE_COLORS",
    "DPI",
    "STYLE",
    "Chart",
    "chart",
    "figure_png",
    "likert_shares",
    "plot_sample",
    "plot_ikm_elements",
    "plot_likert",
    "plot_forest",
    "plot_channel",
    "plot_ipa",
    "plot_rounds",
    "plot_ikm_ranking",
    "plot_heatmap",
    "plot_access_units",
    "plot_rounds_city",
    "plot_resolution_curves",
]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
"""Okabe–Ito colours (blue, orange, green, vermillion, sky blue, purple, yellow, black)."""

LIKERT_COLORS = {1: "#B35806", 2: "#F1A340", 3: "#92C5DE", 4: "#2166AC"}
"""Answer 1..4: dark orange, light orange, light blue, dark blue (diverging, colour-blind safe)."""

GRADE_COLORS = {"A": "#E8F1F8", "B": "#F4F4F4", "C": "#FBF0E0", "D": "#F8E3D8"}
"""Pale fills for the grade bands behind IKM charts."""

DPI = 110
"""Fixed resolution of every chart (pixels per inch)."""

STYLE: Mapping[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "legend.frameon": False,
    "svg.hashsalt": "clem",
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "axes.prop_cycle": matplotlib.cycler(color=list(PALETTE)),
}
"""Matplotlib settings applied while a chart is drawn (never changed globally)."""


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def figure_png(fig: Figure, *, dpi: int = DPI) -> bytes:
    """PNG bytes of ``fig``: fixed DPI, tight box, white background, no metadata.

    The same figure gives the same bytes on every run (no timestamp, no
    software version in the PNG text chunks).
    """
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12,
                    facecolor="white", metadata={"Software": None})
    return buf.getvalue()


@dataclass(frozen=True)
class Chart:
    """A rendered chart for a notebook cell: PNG bytes plus alt text.

    Displays as ``image/png`` (the alt text goes into the output metadata,
    which the HTML export writes as the image's ``alt``); ``repr`` is the alt
    text, so text comparisons of executed notebooks see a stable line.
    """

    png: bytes = field(repr=False)
    alt: str = ""

    def _repr_png_(self):
        return self.png, {"alt": self.alt}

    def __repr__(self) -> str:
        return f"[{self.alt}]" if self.alt else "[chart]"


def _quiet(fn):
    """Run a plotting function with matplotlib's ``UserWarning``s caught.

    Charts of edge cases (one respondent, no answers, a long name) make
    matplotlib warn ("constrained_layout not applied", "No artists with
    labels found to put in legend"); in a notebook the warning, with this
    machine's paths, would be printed into the report. The chart is drawn
    as well as it can be either way.
    """

    @functools.wraps(fn)
    def quiet(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn(*args, **kwargs)

    return quiet


def _short(name, limit: int = 40) -> str:
    """A unit name for a chart's axis or legend: at most ``limit`` characters (the table has it whole)."""
    text = " ".join(str(name).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart(fig: Figure, alt: str = "") -> Chart:
    """Render ``fig`` to a :class:`Chart` (and release the figure)."""
    png = figure_png(fig)
    fig.clear()
    return Chart(png=png, alt=alt)


def _new(width: float, height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _axes(fig: Figure, *args, **kwargs):
    with matplotlib.rc_context(STYLE):
        return fig.subplots(*args, **kwargs)


def _num_formatter(decimals: int, lang: str, percent: bool = False):
    def f(x, _pos=None):
        return fmt_number(x, decimals, lang) + ("%" if percent else "")
    return FuncFormatter(f)


def _col(df: pd.DataFrame, name: str, what: str) -> None:
    if name not in df.columns:
        raise ValueError(f"{what}: the table has no column {name!r}; pass the column name by keyword")


def _float(s) -> np.ndarray:
    return pd.to_numeric(pd.Series(s), errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _small_mask(s, min_n: int) -> np.ndarray:
    return np.array([is_small(v, min_n) for v in pd.Series(s).tolist()], dtype=bool)


def _grade_bands(ax, scheme, lang: str, *, vertical: bool, lo: float = 25.0, hi: float = 100.0) -> None:
    """Shade the grade bands of ``scheme`` along the value axis and letter them."""
    from .scoring import get_scheme

    s = get_scheme(scheme if scheme is not None else "permenpan14_2017")
    bands = sorted(s.bands, key=lambda b: b.min_ikm)
    for i, b in enumerate(bands):
        start = max(b.min_ikm, lo)
        end = bands[i + 1].min_ikm if i + 1 < len(bands) else hi
        if end <= lo or start >= hi:
            continue
        end = min(end, hi)
        color = GRADE_COLORS.get(b.grade, "#F4F4F4")
        text = f"{b.grade}"
        if vertical:
            ax.axvspan(start, end, color=color, zorder=0, lw=0)
            ax.axvline(start, color="#9E9E9E", lw=0.6, ls=":", zorder=1)
            ax.text((start + end) / 2, 1.0, text, transform=ax.get_xaxis_transform(), ha="center",
                    va="bottom", fontsize=8.5, color="#555555")
        else:
            ax.axhspan(start, end, color=color, zorder=0, lw=0)
            ax.axhline(start, color="#9E9E9E", lw=0.6, ls=":", zorder=1)
            ax.text(1.0, (start + end) / 2, " " + text, transform=ax.get_yaxis_transform(), ha="left",
                    va="center", fontsize=8.5, color="#555555")


# ---------------------------------------------------------------------------
# Unit report
# ---------------------------------------------------------------------------


def plot_sample(df: pd.DataFrame, *, service: str = "service", sector: str = "sector", lang: str = "id",
                min_n: int = 5, title: str | None = None) -> Figure:
    """Respondents per service, coloured by sector (horizontal bars, counts written).

    Services with fewer than ``min_n`` respondents show ``"n < 5"`` instead of a bar.
    A survey that did not ask the service (column absent or empty) gets one bar
    per sector; one that has neither, one bar for every respondent.
    """
    check_lang(lang)

    def asked(col):
        return col in df.columns and bool(df[col].notna().any())

    has_service, has_sector = asked(service), asked(sector)
    keys = [c for c, ok in ((sector, has_sector), (service, has_service)) if ok]
    if keys:
        counts = (df.groupby(keys, observed=True).size().rename("n").reset_index()
                  .sort_values(keys, kind="mergesort").reset_index(drop=True))
    else:
        counts = pd.DataFrame({"n": [len(df)]})
    sec_codes = counts[sector].astype(str).tolist() if has_sector else [""] * len(counts)

    def sector_text(s):
        return label(f"sector_{s}", lang) if f"sector_{s}" in LABELS else s

    if has_service:
        names, ylabel = [str(s) for s in counts[service]], label("col_service", lang)
    elif has_sector:
        names, ylabel = [sector_text(s) for s in sec_codes], label("col_sector", lang)
    else:
        names, ylabel = [label("grp_total", lang)], ""
    fig = _new(7.0, 0.45 * max(len(counts), 2) + 1.0)
    ax = _axes(fig)
    sectors = list(dict.fromkeys(sec_codes))
    colors = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sectors)}
    y = np.arange(len(counts))
    small = _small_mask(counts["n"], min_n)
    vals = np.where(small, 0, counts["n"].to_numpy(dtype=float))
    ax.barh(y, vals, color=[colors[s] for s in sec_codes], height=0.65)
    top = max(vals.max() if len(vals) else 1, 1)
    for yi, v, sm in zip(y, counts["n"], small):
        ax.text((0 if sm else v) + top * 0.01, yi, small_cell_text(min_n, lang) if sm else fmt_number(v, 0, lang),
                va="center", fontsize=8.5)
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(label("axis_respondents", lang))
    ax.set_ylabel(ylabel)
    ax.set_xlim(0, top * 1.15)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if has_sector and has_service:
        # the sector colours need a key; below the axes, never over a bar or its count
        handles = [Patch(color=colors[s], label=sector_text(s)) for s in sectors]
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles),
                   title=label("col_sector", lang))
    ax.set_title(title if title is not None else f"{label('fig_sample', lang)} n = {fmt_number(len(df), 0, lang)}",
                 loc="left")
    return fig


def plot_ikm_elements(nrr: pd.DataFrame, *, unsur: str = "unsur", value: str = "ikm_unsur",
                      ci_low: str | None = "ikm_unsur_ci_low", ci_high: str | None = "ikm_unsur_ci_high",
                      n: str = "n", overall: float | None = None, scheme=None, lang: str = "id",
                      min_n: int = 5, title: str | None = None) -> Figure:
    """IKM per unsur (NRR × 25, the 25..100 scale) as horizontal bars over the grade bands.

    Parameters
    ----------
    nrr : DataFrame
        One row per unsur: ``unsur`` key, ``value`` on the 25..100 scale,
        optional interval columns, ``n`` answers.
    overall : float, optional
        The unit's IKM, drawn as a dashed line.
    """
    check_lang(lang)
    for c in (unsur, value, n):
        _col(nrr, c, "plot_ikm_elements")
    d = nrr.reset_index(drop=True)
    fig = _new(7.4, 0.42 * len(d) + 1.3)
    ax = _axes(fig)
    _grade_bands(ax, scheme, lang, vertical=True)
    y = np.arange(len(d))
    v = _float(d[value])
    small = _small_mask(d[n], min_n) | np.isnan(v)
    ax.barh(y[~small], v[~small] - 25.0, left=25.0, color=PALETTE[0], height=0.6, zorder=2)
    if ci_low and ci_high and ci_low in d.columns and ci_high in d.columns:
        lo, hi = _float(d[ci_low]), _float(d[ci_high])
        ok = ~small & ~np.isnan(lo) & ~np.isnan(hi)
        ax.errorbar(v[ok], y[ok], xerr=[v[ok] - lo[ok], hi[ok] - v[ok]], fmt="none", ecolor="#222222",
                    elinewidth=1.0, capsize=2.5, zorder=3)
    for yi, vi, sm in zip(y, v, small):
        ax.text(26 if sm else 26.0, yi, small_cell_text(min_n, lang) if sm else fmt_number(vi, 1, lang),
                va="center", ha="left", fontsize=8.5, color="#222222" if sm else "white", zorder=4,
                fontweight="bold")
    if overall is not None and not pd.isna(overall):
        ax.axvline(float(overall), color=PALETTE[3], ls="--", lw=1.2, zorder=3,
                   label=f"IKM {fmt_number(overall, 2, lang)}")
        ax.legend(loc="lower right", framealpha=0.9, frameon=True)
    ax.set_yticks(y, [f"{unsur_label(k, lang, scheme)} (n = {fmt_number(m, 0, lang)})"
                      for k, m in zip(d[unsur], d[n])])
    ax.set_ylim(len(d) - 0.4, -0.6)
    ax.set_xlim(25, 100)
    ax.xaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_xlabel(label("axis_ikm", lang))
    if title:
        ax.set_title(title, loc="left")
    return fig


def likert_shares(df: pd.DataFrame, *, columns: Sequence[str] | None = None, scheme=None) -> pd.DataFrame:
    """Share of each answer 1..4 per unsur (the data behind :func:`plot_likert`).

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    columns : sequence of str, optional
        Answer columns (default: the scheme's ``unsur_<key>`` columns present).

    Returns
    -------
    DataFrame
        ``unsur`` (key), ``answer`` (1..4), ``count``, ``n`` (answers to that
        unsur), ``share`` (count / n, 0..1); unsur in scheme order, answers 1..4.
    """
    from .scoring import get_scheme

    s = get_scheme(scheme if scheme is not None else "permenpan14_2017")
    cols = list(columns) if columns is not None else [c for c in s.columns if c in df.columns]
    rows = []
    for c in cols:
        x = pd.to_numeric(df[c], errors="coerce").dropna().astype(int)
        n = int(len(x))
        for a in range(s.scale_min, s.scale_max + 1):
            k = int((x == a).sum())
            rows.append({"unsur": c.removeprefix("unsur_"), "answer": a, "count": k, "n": n,
                         "share": (k / n) if n else np.nan})
    out = pd.DataFrame(rows, columns=["unsur", "answer", "count", "n", "share"])
    return out.astype({"unsur": "string", "answer": "int64", "count": "int64", "n": "int64", "share": "float64"})


def plot_likert(shares: pd.DataFrame, *, scheme=None, lang: str = "id", min_n: int = 5,
                title: str | None = None) -> Figure:
    """Diverging stacked bars: answers 1–2 to the left of zero, 3–4 to the right.

    ``shares`` is the output of :func:`likert_shares`. Unsur with fewer than
    ``min_n`` answers show ``"n < 5"``.
    """
    check_lang(lang)
    for c in ("unsur", "answer", "share", "n"):
        _col(shares, c, "plot_likert")
    keys = list(dict.fromkeys(shares["unsur"].astype(str)))
    wide = shares.pivot_table(index="unsur", columns="answer", values="share", aggfunc="first").reindex(keys)
    ns = shares.groupby("unsur", sort=False)["n"].first().reindex(keys)
    fig = _new(7.6, 0.42 * len(keys) + 1.6)
    ax = _axes(fig)
    y = np.arange(len(keys))
    small = _small_mask(ns, min_n)
    get = lambda a: np.where(small, 0.0, np.nan_to_num(wide.get(a, pd.Series(0.0, index=wide.index)).to_numpy(dtype=float)) * 100)
    p1, p2, p3, p4 = get(1), get(2), get(3), get(4)
    ax.barh(y, -p2, color=LIKERT_COLORS[2], height=0.65, label=label("likert_2", lang))
    ax.barh(y, -p1, left=-p2, color=LIKERT_COLORS[1], height=0.65, label=label("likert_1", lang))
    ax.barh(y, p3, color=LIKERT_COLORS[3], height=0.65, label=label("likert_3", lang))
    ax.barh(y, p4, left=p3, color=LIKERT_COLORS[4], height=0.65, label=label("likert_4", lang))
    ax.axvline(0, color="#222222", lw=0.8)
    for yi, sm, neg, pos in zip(y, small, p1 + p2, p3 + p4):
        if sm:
            ax.text(0, yi, small_cell_text(min_n, lang), ha="center", va="center", fontsize=8.5)
            continue
        ax.text(-neg - 1.5, yi, fmt_percent(neg, 0, lang, scale=1.0), ha="right", va="center", fontsize=8)
        ax.text(pos + 1.5, yi, fmt_percent(pos, 0, lang, scale=1.0), ha="left", va="center", fontsize=8)
    ax.set_yticks(y, [f"{unsur_label(k, lang, scheme)} (n = {fmt_number(m, 0, lang)})" for k, m in zip(keys, ns)])
    ax.invert_yaxis()
    ax.set_xlim(-110, 110)
    ax.set_xticks([-100, -50, 0, 50, 100])
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: fmt_number(abs(x), 0, lang) + "%"))
    ax.set_xlabel(label("axis_share", lang))
    handles, labels_ = ax.get_legend_handles_labels()
    order = [1, 0, 2, 3]
    fig.legend([handles[i] for i in order], [labels_[i] for i in order], loc="outside lower center", ncol=4)
    if title:
        ax.set_title(title, loc="left")
    return fig


def plot_forest(gaps: pd.DataFrame, *, row_label: str = "label", value: str = "gap", ci_low: str = "ci_low",
                ci_high: str = "ci_high", p: str = "p_adjusted", n1: str = "n1", n2: str = "n2",
                alpha: float = 0.05, lang: str = "id", min_n: int = 5, xlabel: str | None = None,
                title: str | None = None) -> Figure:
    """Forest plot: one row per comparison, point at the gap, line for its 95% interval.

    Filled points are significant (``p < alpha``), open points are not. Rows
    where either group has fewer than ``min_n`` answers show ``"n < 5"``.
    Give rows on one scale only (e.g. all unsur score gaps, 1..4 points).
    """
    check_lang(lang)
    for c in (row_label, value, ci_low, ci_high, n1, n2):
        _col(gaps, c, "plot_forest")
    d = gaps.reset_index(drop=True)
    fig = _new(7.6, 0.38 * max(len(d), 1) + 1.4)
    ax = _axes(fig)
    y = np.arange(len(d))
    v, lo, hi = _float(d[value]), _float(d[ci_low]), _float(d[ci_high])
    small = _small_mask(d[n1], min_n) | _small_mask(d[n2], min_n)
    pv = _float(d[p]) if p in d.columns else np.full(len(d), np.nan)
    sig = (pv < alpha) & ~small
    ok = ~small & ~np.isnan(v)
    ax.axvline(0, color="#555555", lw=0.9)
    ax.hlines(y[ok], lo[ok], hi[ok], color=PALETTE[0], lw=1.6)
    ax.scatter(v[ok & sig], y[ok & sig], s=38, color=PALETTE[0], zorder=3)
    ax.scatter(v[ok & ~sig], y[ok & ~sig], s=38, facecolor="white", edgecolor=PALETTE[0], zorder=3)
    span = np.nanmax(np.abs(np.concatenate([lo[ok], hi[ok], [0.1]]))) if ok.any() else 1.0
    for yi in y[small]:
        ax.text(0, yi, small_cell_text(min_n, lang), ha="center", va="center", fontsize=8.5,
                bbox=dict(facecolor="white", edgecolor="none", pad=1))
    ax.set_xlim(-span * 1.15, span * 1.15)
    ax.set_yticks(y, [f"{t} (n = {fmt_number(a, 0, lang)} / {fmt_number(b, 0, lang)})"
                      for t, a, b in zip(d[row_label].astype(str), d[n1], d[n2])])
    ax.set_ylim(len(d) - 0.4, -0.6)
    ax.xaxis.set_major_formatter(_num_formatter(2 if span < 2 else 0, lang))
    ax.set_xlabel(xlabel if xlabel is not None else label("axis_gap", lang))
    handles = [Line2D([], [], marker="o", ls="", color=PALETTE[0], label=f"p Holm < {fmt_number(alpha, 2, lang)}"),
               Line2D([], [], marker="o", ls="", markerfacecolor="white", markeredgecolor=PALETTE[0],
                      label=f"p Holm ≥ {fmt_number(alpha, 2, lang)}")]
    fig.legend(handles=handles, loc="outside lower center", ncol=2)
    if title:
        ax.set_title(title, loc="left")
    return fig


_TIME_UNITS = {"days": ("hari", "days"), "minutes": ("menit", "minutes")}


def _value_with_unit(value: float, metric: str, lang: str) -> str:
    """A mean as written on a chart: ``Rp 4.633``, ``9,6 hari``, ``2,9``."""
    if "cost" in metric or "amount" in metric:
        return "Rp " + fmt_number(value, 0, lang)
    for key, words in _TIME_UNITS.items():
        if key in metric:
            return f"{fmt_number(value, 1, lang)} {words[0 if lang == 'id' else 1]}"
    return fmt_number(value, 1, lang)


def plot_channel(df: pd.DataFrame, *, channel: str = "channel",
                 metrics: Sequence[str] = ("cost_paid", "days_to_complete", "overall_satisfaction"),
                 levels: Sequence[str] = ("in_person", "broker"), lang: str = "id", min_n: int = 5,
                 title: str | None = None) -> Figure:
    """Broker vs in person: one panel per metric, mean with 95% t-interval per channel.

    Channels with fewer than ``min_n`` answers to a metric show ``"n < 5"``.
    """
    check_lang(lang)
    _col(df, channel, "plot_channel")
    from scipy import stats as st

    fig = _new(8.2, 2.6)
    axes = np.atleast_1d(_axes(fig, 1, len(metrics)))
    for ax, m in zip(axes, metrics):
        _col(df, m, "plot_channel")
        for i, lev in enumerate(levels):
            x = pd.to_numeric(df.loc[df[channel].astype("string") == lev, m], errors="coerce").dropna()
            x = x.to_numpy(dtype=float)
            nx = len(x)
            if is_small(nx, min_n):
                ax.text(0.5, i, small_cell_text(min_n, lang), ha="center", va="center", fontsize=8.5,
                        transform=ax.get_yaxis_transform())
                continue
            mean = float(x.mean())
            half = float(st.t.ppf(0.975, nx - 1) * x.std(ddof=1) / np.sqrt(nx)) if nx > 1 else 0.0
            ax.errorbar(mean, i, xerr=half, fmt="o", color=PALETTE[i], capsize=3, ms=6)
            ax.text(0.98, i - 0.3, f"{_value_with_unit(mean, m, lang)} (n = {fmt_number(nx, 0, lang)})",
                    transform=ax.get_yaxis_transform(), ha="right", va="bottom", fontsize=8)
        ax.set_yticks(range(len(levels)), [group_label(lv, lang) for lv in levels] if ax is axes[0] else
                      [""] * len(levels))
        ax.set_ylim(len(levels) - 0.5, -0.7)
        ax.margins(x=0.3)
        ax.set_xlabel(metric_label(m, lang))
        ax.xaxis.set_major_formatter(_num_formatter(0 if "cost" in m else 1, lang))
        ax.xaxis.set_major_locator(MaxNLocator(4))
    if title:
        fig.suptitle(title, x=0.02, ha="left")
    return fig


def plot_ipa(ipa: pd.DataFrame, *, unsur: str = "unsur", performance: str = "performance",
             importance: str = "importance", x_split: float | None = None, y_split: float | None = None,
             n: str | None = "n", scheme=None, lang: str = "id", min_n: int = 5,
             title: str | None = None) -> Figure:
    """Importance–performance quadrant chart, every unsur labelled.

    Performance (X, mean experience 1..4) on the x axis, importance (Y, mean
    expectation 1..4) on the y axis, split at ``x_split``/``y_split`` (default:
    the mean of the item means). Quadrants: I top priority (upper left), II
    keep up (upper right), III low priority (lower left), IV possible overkill
    (lower right).
    """
    check_lang(lang)
    for c in (unsur, performance, importance):
        _col(ipa, c, "plot_ipa")
    d = ipa.reset_index(drop=True)
    small = _small_mask(d[n], min_n) if (n and n in d.columns) else np.zeros(len(d), dtype=bool)
    x, y = _float(d[performance]), _float(d[importance])
    ok = ~small & ~np.isnan(x) & ~np.isnan(y)
    xs = float(np.nanmean(x[ok])) if x_split is None and ok.any() else float(x_split or 2.5)
    ys = float(np.nanmean(y[ok])) if y_split is None and ok.any() else float(y_split or 2.5)
    fig = _new(7.2, 5.6)
    ax = _axes(fig)
    if ok.any():
        pad_x = max(0.15, (np.nanmax(x[ok]) - np.nanmin(x[ok])) * 0.25)
        pad_y = max(0.15, (np.nanmax(y[ok]) - np.nanmin(y[ok])) * 0.25)
        xl = (max(1.0, min(np.nanmin(x[ok]), xs) - pad_x), min(4.0, max(np.nanmax(x[ok]), xs) + pad_x))
        yl = (max(1.0, min(np.nanmin(y[ok]), ys) - pad_y), min(4.0, max(np.nanmax(y[ok]), ys) + pad_y))
    else:
        xl = yl = (1.0, 4.0)
    ax.set_xlim(*xl)
    ax.set_ylim(*yl)
    ax.axvline(xs, color="#777777", lw=0.9, ls="--")
    ax.axhline(ys, color="#777777", lw=0.9, ls="--")
    corner = dict(fontsize=8.5, color="#555555", fontweight="bold")
    ax.text(0.01, 0.99, label("quadrant_I", lang), transform=ax.transAxes, ha="left", va="top", **corner)
    ax.text(0.99, 0.99, label("quadrant_II", lang), transform=ax.transAxes, ha="right", va="top", **corner)
    ax.text(0.01, 0.01, label("quadrant_III", lang), transform=ax.transAxes, ha="left", va="bottom", **corner)
    ax.text(0.99, 0.01, label("quadrant_IV", lang), transform=ax.transAxes, ha="right", va="bottom", **corner)
    ax.scatter(x[ok], y[ok], s=42, color=PALETTE[0], zorder=3)
    _place_labels(ax, x, y, [unsur_label(k, lang, scheme) for k in d[unsur]], ok)
    hidden = [unsur_label(k, lang, scheme) for k, s in zip(d[unsur], small) if s]
    if hidden:
        ax.text(0.5, -0.16, f"{small_cell_text(min_n, lang)}: " + ", ".join(hidden), transform=ax.transAxes,
                ha="center", fontsize=8)
    ax.xaxis.set_major_formatter(_num_formatter(1, lang))
    ax.yaxis.set_major_formatter(_num_formatter(1, lang))
    ax.set_xlabel(label("col_performance", lang))
    ax.set_ylabel(label("col_importance", lang))
    if title:
        ax.set_title(title, loc="left")
    return fig


def _place_labels(ax, x, y, texts, ok) -> None:
    """Label points without overlaps: try offsets around each point, keep the first free spot."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    fig.draw_without_rendering()
    placed = []
    pts = [ax.transData.transform((xi, yi)) for xi, yi in zip(x, y)]
    offsets = [(5, 4, "left", "bottom"), (5, -4, "left", "top"), (-5, 4, "right", "bottom"),
               (-5, -4, "right", "top"), (5, 14, "left", "bottom"), (5, -14, "left", "top"),
               (-5, 14, "right", "bottom"), (-5, -14, "right", "top"), (0, 24, "center", "bottom"),
               (0, -24, "center", "top"), (-8, 24, "right", "bottom"), (-8, -24, "right", "top"),
               (8, 24, "left", "bottom"), (8, -24, "left", "top"), (-8, 36, "right", "bottom"),
               (-8, -36, "right", "top")]
    scale = fig.dpi / 72.0
    r = 4.5 * scale  # a marker's half-width in pixels (s=42 points², plus a margin)
    marks = [Bbox.from_extents(px - r, py - r, px + r, py + r) for px, py in pts]
    for i in sorted(np.flatnonzero(ok), key=lambda k: (x[k], y[k])):
        best = None
        for dx, dy, ha, va in offsets:
            # a label set further off than the first ring gets a thin line to its point
            lead = dict(arrowprops=dict(arrowstyle="-", color="#777777", lw=0.6, shrinkA=0, shrinkB=3)) \
                if abs(dy) > 4 else {}
            t = ax.annotate(texts[i], (x[i], y[i]), xytext=(dx, dy), textcoords="offset points", fontsize=8,
                            ha=ha, va=va, **lead)
            t.update_positions(renderer)
            bb = Text.get_window_extent(t, renderer).expanded(1.02, 1.1)  # the words, not their leader line
            clash = any(bb.overlaps(o) for o in placed) or any(
                bb.overlaps(m) for j, m in enumerate(marks) if j != i and ok[j])
            inside = ax.bbox.contains(bb.x0, bb.y0) and ax.bbox.contains(bb.x1, bb.y1)
            if not clash and inside:
                best = bb
                break
            t.remove()
        if best is None:  # nowhere free: first choice, with a leader line
            t = ax.annotate(texts[i], (x[i], y[i]), xytext=(8 * scale, 18), textcoords="offset points",
                            fontsize=8, arrowprops=dict(arrowstyle="-", color="#777777", lw=0.6))
            t.update_positions(renderer)
            best = Text.get_window_extent(t, renderer)
        placed.append(best)


def plot_rounds(rounds: pd.DataFrame, *, round_col: str = "round", value: str = "ikm", ci_low: str = "ci_low",
                ci_high: str = "ci_high", n: str = "n", scheme=None, lang: str = "id", min_n: int = 5,
                title: str | None = None) -> Figure:
    """IKM per survey round with 95% intervals over the grade bands."""
    check_lang(lang)
    for c in (round_col, value, n):
        _col(rounds, c, "plot_rounds")
    d = rounds.sort_values(round_col, kind="mergesort").reset_index(drop=True)
    fig = _new(6.0, 3.4)
    ax = _axes(fig)
    v = _float(d[value])
    small = _small_mask(d[n], min_n) | np.isnan(v)
    lo_all = np.nanmin(_float(d[ci_low])[~small]) if (~small).any() else 60.0
    lo = max(25.0, min(60.0, float(lo_all) - 5))
    _grade_bands(ax, scheme, lang, vertical=False, lo=lo)
    xr = d[round_col].astype(int).to_numpy()
    ok = ~small
    lo_ci, hi_ci = _float(d[ci_low]), _float(d[ci_high])
    ax.errorbar(xr[ok], v[ok], yerr=[v[ok] - lo_ci[ok], hi_ci[ok] - v[ok]], fmt="o-", color=PALETTE[0],
                capsize=3, zorder=3)
    for xi, vi, hi, m, sm in zip(xr, v, hi_ci, d[n], small):
        if sm:
            ax.text(xi, lo + 2, small_cell_text(min_n, lang), fontsize=8, va="center", ha="center")
        else:  # above the interval's upper end, clear of the line and the caps
            ax.annotate(f"{fmt_number(vi, 2, lang)} (n = {fmt_number(m, 0, lang)})",
                        (xi, hi if np.isfinite(hi) else vi), xytext=(0, 5), textcoords="offset points",
                        fontsize=8, ha="center", va="bottom")
    ax.set_xticks(xr, [f"{label('round', lang)} {r}" for r in xr])
    ax.set_xlim(xr.min() - 0.5, xr.max() + 0.9)
    ax.set_ylim(lo, 100)
    ax.yaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_ylabel(label("axis_ikm", lang))
    if title:
        ax.set_title(title, loc="left")
    return fig


# ---------------------------------------------------------------------------
# City overview
# ---------------------------------------------------------------------------


def plot_ikm_ranking(ikm_units: pd.DataFrame, *, unit: str = "unit", value: str = "ikm", ci_low: str = "ci_low",
                     ci_high: str = "ci_high", n: str = "n", scheme=None, lang: str = "id", min_n: int = 5,
                     title: str | None = None) -> Figure:
    """Units ranked by IKM (highest on top), 95% intervals, grade bands behind."""
    check_lang(lang)
    for c in (unit, value, n):
        _col(ikm_units, c, "plot_ikm_ranking")
    d = ikm_units.assign(_v=_float(ikm_units[value])).sort_values(["_v", unit], ascending=[False, True],
                                                                   kind="mergesort", na_position="last")
    d = d.reset_index(drop=True)
    fig = _new(7.4, 0.5 * len(d) + 1.3)
    ax = _axes(fig)
    v = d["_v"].to_numpy(dtype=float)
    small = _small_mask(d[n], min_n) | np.isnan(v)
    lo, hi = _float(d[ci_low]), _float(d[ci_high])
    left = max(25.0, min(60.0, float(np.nanmin(lo[~small])) - 5 if (~small).any() else 60.0))
    _grade_bands(ax, scheme, lang, vertical=True, lo=left)
    y = np.arange(len(d))
    ok = ~small
    ax.errorbar(v[ok], y[ok], xerr=[v[ok] - lo[ok], hi[ok] - v[ok]], fmt="o", color=PALETTE[0], capsize=3, zorder=3)
    for yi, vi, sm in zip(y, v, small):
        ax.text(left + 1 if sm else vi, yi - 0.22 if not sm else yi,
                small_cell_text(min_n, lang) if sm else fmt_number(vi, 2, lang),
                ha="left" if sm else "center", va="bottom" if not sm else "center", fontsize=8)
    ax.set_yticks(y, [f"{_short(u)} (n = {fmt_number(m, 0, lang)})" for u, m in zip(d[unit], d[n])])
    ax.set_ylim(len(d) - 0.5, -0.8)
    ax.set_xlim(left, 100)
    ax.xaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_xlabel(label("axis_ikm", lang))
    if title:
        ax.set_title(title, loc="left")
    return fig


def plot_heatmap(nrr_units: pd.DataFrame, *, unit: str = "unit", unsur: str = "unsur", value: str = "ikm_unsur",
                 n: str = "n", scheme=None, lang: str = "id", min_n: int = 5, title: str | None = None) -> Figure:
    """Unit × unsur heat map of the element scores (25..100), each cell written.

    Cells from fewer than ``min_n`` answers are left blank and read ``"n < 5"``.
    """
    check_lang(lang)
    import seaborn as sns

    for c in (unit, unsur, value, n):
        _col(nrr_units, c, "plot_heatmap")
    keys = list(dict.fromkeys(nrr_units[unsur].astype(str)))
    units = sorted(dict.fromkeys(nrr_units[unit].astype(str)))
    d = nrr_units.assign(_v=_float(nrr_units[value]), _small=_small_mask(nrr_units[n], min_n))
    d.loc[d["_small"], "_v"] = np.nan
    mat = d.pivot_table(index=unit, columns=unsur, values="_v", aggfunc="first", dropna=False).reindex(
        index=units, columns=keys)
    smalls = d.pivot_table(index=unit, columns=unsur, values="_small", aggfunc="first", dropna=False).reindex(
        index=units, columns=keys)
    annot = np.empty(mat.shape, dtype=object)
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            val = mat.iat[i, j]
            sm = smalls.iat[i, j]
            annot[i, j] = small_cell_text(min_n, lang) if (not pd.isna(sm) and bool(sm)) else (
                "–" if pd.isna(val) else fmt_number(val, 1, lang))
    fig = _new(8.6, 0.55 * len(units) + 2.6)
    ax = _axes(fig)
    with matplotlib.rc_context(STYLE):
        sns.heatmap(mat.astype(float), ax=ax, cmap="cividis", vmin=50, vmax=100, annot=annot, fmt="",
                    annot_kws={"fontsize": 8}, linewidths=0.5, linecolor="white",
                    cbar_kws={"label": label("axis_ikm", lang), "format": _num_formatter(0, lang)})
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            if pd.isna(mat.iat[i, j]):
                ax.text(j + 0.5, i + 0.5, annot[i, j], ha="center", va="center", fontsize=8, color="#222222")
    ax.set_xticklabels([unsur_label(k, lang, scheme) for k in keys], rotation=35, ha="right")
    ax.set_yticklabels([_short(u) for u in units], rotation=0)
    ax.set_xlabel(label("col_unsur", lang))
    ax.set_ylabel(label("col_unit", lang))
    if title:
        ax.set_title(title, loc="left")
    return fig


def plot_access_units(access: pd.DataFrame, *, unit: str = "unit", pct: str = "pct_not_friendly",
                      n: str = "n", compliance: pd.DataFrame | None = None, compliance_col: str = "pct_present",
                      lang: str = "id", min_n: int = 5, title: str | None = None) -> Figure:
    """By unit: share of users who found the facilities not friendly, and checklist compliance.

    ``pct`` and ``compliance_col`` are proportions (0..1).
    """
    check_lang(lang)
    for c in (unit, pct, n):
        _col(access, c, "plot_access_units")
    units = sorted(access[unit].astype(str))
    panels = 2 if compliance is not None else 1
    fig = _new(8.2, 0.45 * len(units) + 1.5)
    axes = np.atleast_1d(_axes(fig, 1, panels, sharey=True))
    a = access.set_index(access[unit].astype(str)).reindex(units)
    y = np.arange(len(units))
    v = _float(a[pct]) * 100
    small = _small_mask(a[n], min_n)
    axes[0].barh(y[~small], v[~small], color=PALETTE[3], height=0.6)
    for yi, vi, sm, m in zip(y, v, small, a[n]):
        axes[0].text(1 if sm else vi + 1, yi, small_cell_text(min_n, lang) if sm else
                     f"{fmt_percent(vi, 0, lang, scale=1.0)} (n = {fmt_number(m, 0, lang)})", va="center", fontsize=8)
    axes[0].set_xlim(0, 115)
    axes[0].set_xlabel(label("col_not_friendly", lang))
    axes[0].xaxis.set_major_formatter(_num_formatter(0, lang, percent=True))
    axes[0].set_yticks(y, [_short(u) for u in units])
    axes[0].invert_yaxis()
    if compliance is not None:
        _col(compliance, compliance_col, "plot_access_units")
        c = compliance.set_index(compliance[unit].astype(str)).reindex(units)
        cv = _float(c[compliance_col]) * 100
        okc = ~np.isnan(cv)
        axes[1].barh(y[okc], cv[okc], color=PALETTE[2], height=0.6)
        for yi, vi in zip(y, cv):
            axes[1].text((vi + 1) if not np.isnan(vi) else 1, yi,
                         fmt_percent(vi, 0, lang, scale=1.0) if not np.isnan(vi) else "–", va="center", fontsize=8)
        axes[1].set_xlim(0, 115)
        axes[1].set_xlabel(label("col_compliance", lang))
        axes[1].xaxis.set_major_formatter(_num_formatter(0, lang, percent=True))
    if title:
        fig.suptitle(title, x=0.02, ha="left")
    return fig


def plot_rounds_city(rounds: pd.DataFrame, *, unit: str = "unit", round_col: str = "round", value: str = "ikm",
                     n: str = "n", scheme=None, lang: str = "id", min_n: int = 5,
                     title: str | None = None) -> Figure:
    """IKM by unit and round: one line per unit (a slope chart when there are two rounds)."""
    check_lang(lang)
    for c in (unit, round_col, value, n):
        _col(rounds, c, "plot_rounds_city")
    d = rounds.assign(_v=_float(rounds[value]), _small=_small_mask(rounds[n], min_n))
    d = d.sort_values([unit, round_col], kind="mergesort")
    fig = _new(7.0, 4.0)
    ax = _axes(fig)
    ok_vals = d.loc[~d["_small"], "_v"].dropna()
    lo = max(25.0, min(60.0, float(ok_vals.min()) - 5)) if len(ok_vals) else 60.0
    _grade_bands(ax, scheme, lang, vertical=False, lo=lo)
    markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
    rounds_seen = sorted(d[round_col].dropna().astype(int).unique())
    for i, (u, g) in enumerate(d.groupby(unit, sort=True)):
        g = g[~g["_small"]]
        if not len(g):
            continue
        ax.plot(g[round_col].astype(int), g["_v"], marker=markers[i % len(markers)], color=PALETTE[i % len(PALETTE)],
                label=_short(u), lw=1.4)
    ax.set_xticks(rounds_seen, [f"{label('round', lang)} {r}" for r in rounds_seen])
    if rounds_seen:
        ax.set_xlim(min(rounds_seen) - 0.3, max(rounds_seen) + 0.3)
    ax.set_ylim(lo, 100)
    ax.yaxis.set_major_formatter(_num_formatter(0, lang))
    ax.set_ylabel(label("axis_ikm", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0), title=label("col_unit", lang))
    if title:
        ax.set_title(title, loc="left")
    return fig


def plot_resolution_curves(curves: pd.DataFrame, *, group: str = "group", time: str = "time", surv: str = "surv",
                           n: str = "n", standard_days: float | None = None, standard_label: str = "",
                           lang: str = "id", min_n: int = 5, title: str | None = None) -> Figure:
    """Kaplan–Meier curves of the time to resolution: the share of complaints not yet resolved
    (y) by days since received (x), one step line per group; groups of fewer than ``min_n``
    complaints are not drawn (``n < 5`` in the legend). ``standard_days``: a dashed vertical line
    labelled ``standard_label``."""
    check_lang(lang)
    for c in (group, time, surv, n):
        _col(curves, c, "plot_resolution_curves")
    fig = _new(7.0, 4.0)
    ax = _axes(fig)
    order = list(dict.fromkeys(curves[group].astype(str)))
    styles = ["-", "--", "-.", ":"]
    for i, g in enumerate(order):
        d = curves[(curves[group].astype(str) == g).to_numpy(dtype=bool)]
        k = int(pd.to_numeric(d[n], errors="coerce").max()) if len(d) else 0
        name = f"{_short(g)} (n = {fmt_number(k, 0, lang)})"
        if is_small(k, min_n):
            ax.plot([], [], color=PALETTE[i % len(PALETTE)], label=f"{_short(g)} ({small_cell_text(min_n, lang)})")
            continue
        ax.step(_float(d[time]), 100 * _float(d[surv]), where="post", color=PALETTE[i % len(PALETTE)],
                ls=styles[(i // len(PALETTE)) % len(styles)], lw=1.6, label=name)
    if standard_days is not None:
        ax.axvline(float(standard_days), color="#555555", ls="--", lw=1.0, label=standard_label or None)
    ax.set_ylim(0, 102)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(_num_formatter(0, lang, percent=True))
    ax.set_xlabel(label("axis_days_since_received", lang))
    ax.set_ylabel(label("axis_share_open", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0))
    if title:
        ax.set_title(title, loc="left")
    return fig


# every chart is built and drawn with matplotlib's warnings caught (see _quiet)
for _name in [n for n in list(globals()) if n.startswith("plot_") or n == "figure_png"]:
    globals()[_name] = _quiet(globals()[_name])
del _name
