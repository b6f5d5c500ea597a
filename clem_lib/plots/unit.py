"""The charts of a unit report: sample, IKM per unsur, answers, gaps, channel, IPA, rounds."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox

from ..text import (
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
from .style import (
    floats,
    grade_bands,
    LIKERT_COLORS,
    make_axes,
    need_column,
    new_figure,
    num_formatter,
    PALETTE,
    small_mask,
)

__all__ = [
    "plot_sample",
    "plot_ikm_elements",
    "likert_shares",
    "plot_likert",
    "plot_forest",
    "plot_channel",
    "plot_ipa",
    "plot_rounds",
]
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
    fig = new_figure(7.0, 0.45 * max(len(counts), 2) + 1.0)
    ax = make_axes(fig)
    sectors = list(dict.fromkeys(sec_codes))
    colors = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sectors)}
    y = np.arange(len(counts))
    small = small_mask(counts["n"], min_n)
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
        need_column(nrr, c, "plot_ikm_elements")
    d = nrr.reset_index(drop=True)
    fig = new_figure(7.4, 0.42 * len(d) + 1.3)
    ax = make_axes(fig)
    grade_bands(ax, scheme, lang, vertical=True)
    y = np.arange(len(d))
    v = floats(d[value])
    small = small_mask(d[n], min_n) | np.isnan(v)
    ax.barh(y[~small], v[~small] - 25.0, left=25.0, color=PALETTE[0], height=0.6, zorder=2)
    if ci_low and ci_high and ci_low in d.columns and ci_high in d.columns:
        lo, hi = floats(d[ci_low]), floats(d[ci_high])
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
    ax.xaxis.set_major_formatter(num_formatter(0, lang))
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
    from ..scoring import get_scheme

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
        need_column(shares, c, "plot_likert")
    keys = list(dict.fromkeys(shares["unsur"].astype(str)))
    wide = shares.pivot_table(index="unsur", columns="answer", values="share", aggfunc="first").reindex(keys)
    ns = shares.groupby("unsur", sort=False)["n"].first().reindex(keys)
    fig = new_figure(7.6, 0.42 * len(keys) + 1.6)
    ax = make_axes(fig)
    y = np.arange(len(keys))
    small = small_mask(ns, min_n)
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
        need_column(gaps, c, "plot_forest")
    d = gaps.reset_index(drop=True)
    fig = new_figure(7.6, 0.38 * max(len(d), 1) + 1.4)
    ax = make_axes(fig)
    y = np.arange(len(d))
    v, lo, hi = floats(d[value]), floats(d[ci_low]), floats(d[ci_high])
    small = small_mask(d[n1], min_n) | small_mask(d[n2], min_n)
    pv = floats(d[p]) if p in d.columns else np.full(len(d), np.nan)
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
    ax.xaxis.set_major_formatter(num_formatter(2 if span < 2 else 0, lang))
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
    need_column(df, channel, "plot_channel")
    from scipy import stats as st

    fig = new_figure(8.2, 2.6)
    axes = np.atleast_1d(make_axes(fig, 1, len(metrics)))
    for ax, m in zip(axes, metrics):
        need_column(df, m, "plot_channel")
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
        ax.xaxis.set_major_formatter(num_formatter(0 if "cost" in m else 1, lang))
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
        need_column(ipa, c, "plot_ipa")
    d = ipa.reset_index(drop=True)
    small = small_mask(d[n], min_n) if (n and n in d.columns) else np.zeros(len(d), dtype=bool)
    x, y = floats(d[performance]), floats(d[importance])
    ok = ~small & ~np.isnan(x) & ~np.isnan(y)
    xs = float(np.nanmean(x[ok])) if x_split is None and ok.any() else float(x_split or 2.5)
    ys = float(np.nanmean(y[ok])) if y_split is None and ok.any() else float(y_split or 2.5)
    fig = new_figure(7.2, 5.6)
    ax = make_axes(fig)
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
    ax.xaxis.set_major_formatter(num_formatter(1, lang))
    ax.yaxis.set_major_formatter(num_formatter(1, lang))
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
        need_column(rounds, c, "plot_rounds")
    d = rounds.sort_values(round_col, kind="mergesort").reset_index(drop=True)
    fig = new_figure(6.0, 3.4)
    ax = make_axes(fig)
    v = floats(d[value])
    small = small_mask(d[n], min_n) | np.isnan(v)
    lo_all = np.nanmin(floats(d[ci_low])[~small]) if (~small).any() else 60.0
    lo = max(25.0, min(60.0, float(lo_all) - 5))
    grade_bands(ax, scheme, lang, vertical=False, lo=lo)
    xr = d[round_col].astype(int).to_numpy()
    ok = ~small
    lo_ci, hi_ci = floats(d[ci_low]), floats(d[ci_high])
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
    ax.yaxis.set_major_formatter(num_formatter(0, lang))
    ax.set_ylabel(label("axis_ikm", lang))
    if title:
        ax.set_title(title, loc="left")
    return fig
