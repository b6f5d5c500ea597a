"""The charts of the city overview and of district and agency reports: units side by side,
unsur by unit, access per unit, rounds per unit, complaint resolution curves."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..text import (
    check_lang,
    fmt_number,
    fmt_percent,
    is_small,
    label,
    small_cell_text,
    unsur_label,
)
from .style import (
    floats,
    grade_bands,
    make_axes,
    need_column,
    new_figure,
    num_formatter,
    PALETTE,
    quiet,
    short_name,
    small_mask,
    STYLE,
)

__all__ = [
    "plot_ikm_ranking",
    "plot_heatmap",
    "plot_access_units",
    "plot_rounds_city",
    "plot_resolution_curves",
]
# ---------------------------------------------------------------------------
# City overview
# ---------------------------------------------------------------------------


def plot_ikm_ranking(ikm_units: pd.DataFrame, *, unit: str = "unit", value: str = "ikm", ci_low: str = "ci_low",
                     ci_high: str = "ci_high", n: str = "n", scheme=None, lang: str = "id", min_n: int = 5,
                     title: str | None = None) -> Figure:
    """Units ranked by IKM (highest on top), 95% intervals, grade bands behind."""
    check_lang(lang)
    for c in (unit, value, n):
        need_column(ikm_units, c, "plot_ikm_ranking")
    d = ikm_units.assign(_v=floats(ikm_units[value])).sort_values(["_v", unit], ascending=[False, True],
                                                                   kind="mergesort", na_position="last")
    d = d.reset_index(drop=True)
    fig = new_figure(7.4, 0.5 * len(d) + 1.3)
    ax = make_axes(fig)
    v = d["_v"].to_numpy(dtype=float)
    small = small_mask(d[n], min_n) | np.isnan(v)
    lo, hi = floats(d[ci_low]), floats(d[ci_high])
    left = max(25.0, min(60.0, float(np.nanmin(lo[~small])) - 5 if (~small).any() else 60.0))
    grade_bands(ax, scheme, lang, vertical=True, lo=left)
    y = np.arange(len(d))
    ok = ~small
    ax.errorbar(v[ok], y[ok], xerr=[v[ok] - lo[ok], hi[ok] - v[ok]], fmt="o", color=PALETTE[0], capsize=3, zorder=3)
    for yi, vi, sm in zip(y, v, small):
        ax.text(left + 1 if sm else vi, yi - 0.22 if not sm else yi,
                small_cell_text(min_n, lang) if sm else fmt_number(vi, 2, lang),
                ha="left" if sm else "center", va="bottom" if not sm else "center", fontsize=8)
    ax.set_yticks(y, [f"{short_name(u)} (n = {fmt_number(m, 0, lang)})" for u, m in zip(d[unit], d[n])])
    ax.set_ylim(len(d) - 0.5, -0.8)
    ax.set_xlim(left, 100)
    ax.xaxis.set_major_formatter(num_formatter(0, lang))
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
        need_column(nrr_units, c, "plot_heatmap")
    keys = list(dict.fromkeys(nrr_units[unsur].astype(str)))
    units = sorted(dict.fromkeys(nrr_units[unit].astype(str)))
    d = nrr_units.assign(_v=floats(nrr_units[value]), _small=small_mask(nrr_units[n], min_n))
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
    fig = new_figure(8.6, 0.55 * len(units) + 2.6)
    ax = make_axes(fig)
    with matplotlib.rc_context(STYLE):
        sns.heatmap(mat.astype(float), ax=ax, cmap="cividis", vmin=50, vmax=100, annot=annot, fmt="",
                    annot_kws={"fontsize": 8}, linewidths=0.5, linecolor="white",
                    cbar_kws={"label": label("axis_ikm", lang), "format": num_formatter(0, lang)})
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            if pd.isna(mat.iat[i, j]):
                ax.text(j + 0.5, i + 0.5, annot[i, j], ha="center", va="center", fontsize=8, color="#222222")
    ax.set_xticklabels([unsur_label(k, lang, scheme) for k in keys], rotation=35, ha="right")
    ax.set_yticklabels([short_name(u) for u in units], rotation=0)
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
        need_column(access, c, "plot_access_units")
    units = sorted(access[unit].astype(str))
    panels = 2 if compliance is not None else 1
    fig = new_figure(8.2, 0.45 * len(units) + 1.5)
    axes = np.atleast_1d(make_axes(fig, 1, panels, sharey=True))
    a = access.set_index(access[unit].astype(str)).reindex(units)
    y = np.arange(len(units))
    v = floats(a[pct]) * 100
    small = small_mask(a[n], min_n)
    axes[0].barh(y[~small], v[~small], color=PALETTE[3], height=0.6)
    for yi, vi, sm, m in zip(y, v, small, a[n]):
        axes[0].text(1 if sm else vi + 1, yi, small_cell_text(min_n, lang) if sm else
                     f"{fmt_percent(vi, 0, lang, scale=1.0)} (n = {fmt_number(m, 0, lang)})", va="center", fontsize=8)
    axes[0].set_xlim(0, 115)
    axes[0].set_xlabel(label("col_not_friendly", lang))
    axes[0].xaxis.set_major_formatter(num_formatter(0, lang, percent=True))
    axes[0].set_yticks(y, [short_name(u) for u in units])
    axes[0].invert_yaxis()
    if compliance is not None:
        need_column(compliance, compliance_col, "plot_access_units")
        c = compliance.set_index(compliance[unit].astype(str)).reindex(units)
        cv = floats(c[compliance_col]) * 100
        okc = ~np.isnan(cv)
        axes[1].barh(y[okc], cv[okc], color=PALETTE[2], height=0.6)
        for yi, vi in zip(y, cv):
            axes[1].text((vi + 1) if not np.isnan(vi) else 1, yi,
                         fmt_percent(vi, 0, lang, scale=1.0) if not np.isnan(vi) else "–", va="center", fontsize=8)
        axes[1].set_xlim(0, 115)
        axes[1].set_xlabel(label("col_compliance", lang))
        axes[1].xaxis.set_major_formatter(num_formatter(0, lang, percent=True))
    if title:
        fig.suptitle(title, x=0.02, ha="left")
    return fig


def plot_rounds_city(rounds: pd.DataFrame, *, unit: str = "unit", round_col: str = "round", value: str = "ikm",
                     n: str = "n", scheme=None, lang: str = "id", min_n: int = 5,
                     title: str | None = None) -> Figure:
    """IKM by unit and round: one line per unit (a slope chart when there are two rounds).

    Up to eight units each get a colour and a marker of their own and a legend
    entry. With more, colours would repeat and the legend outgrow the chart:
    every unit is then a thin grey line, and only the unit with the largest
    rise and the one with the largest fall between the last two rounds are
    coloured and named (the table under the chart lists every unit's change).
    """
    check_lang(lang)
    for c in (unit, round_col, value, n):
        need_column(rounds, c, "plot_rounds_city")
    d = rounds.assign(_v=floats(rounds[value]), _small=small_mask(rounds[n], min_n))
    d = d.sort_values([unit, round_col], kind="mergesort")
    fig = new_figure(7.0, 4.0)
    ax = make_axes(fig)
    ok_vals = d.loc[~d["_small"], "_v"].dropna()
    lo = max(25.0, min(60.0, float(ok_vals.min()) - 5)) if len(ok_vals) else 60.0
    grade_bands(ax, scheme, lang, vertical=False, lo=lo)
    rounds_seen = sorted(d[round_col].dropna().astype(int).unique())
    lines = [(u, g[~g["_small"]]) for u, g in d.groupby(unit, sort=True)]
    lines = [(u, g) for u, g in lines if len(g)]
    if len(lines) <= len(PALETTE):
        markers = ["o", "s", "^", "D", "v", "P", "X", "*"]
        for i, (u, g) in enumerate(lines):
            ax.plot(g[round_col].astype(int), g["_v"], marker=markers[i % len(markers)], color=PALETTE[i],
                    label=short_name(u), lw=1.4)
        legend_title = label("col_unit", lang)
    else:
        _many_unit_rounds(ax, lines, round_col, rounds_seen, lang)
        legend_title = None
    ax.set_xticks(rounds_seen, [f"{label('round', lang)} {r}" for r in rounds_seen])
    if rounds_seen:
        ax.set_xlim(min(rounds_seen) - 0.3, max(rounds_seen) + 0.3)
    ax.set_ylim(lo, 100)
    ax.yaxis.set_major_formatter(num_formatter(0, lang))
    ax.set_ylabel(label("axis_ikm", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0), title=legend_title)
    if title:
        ax.set_title(title, loc="left")
    return fig


def _many_unit_rounds(ax, lines, round_col: str, rounds_seen, lang: str) -> None:
    """Grey lines for every unit; the largest rise and fall between the last two rounds in colour."""
    change = {}
    if len(rounds_seen) >= 2:
        a, b = rounds_seen[-2], rounds_seen[-1]
        for u, g in lines:
            v = dict(zip(g[round_col].astype(int), g["_v"]))
            if a in v and b in v and np.isfinite(v[a]) and np.isfinite(v[b]):
                change[u] = v[b] - v[a]
    # the first unit in name order wins a tie, so the same data give the same chart
    order = sorted(change, key=lambda u: (-change[u], str(u)))
    rise = order[0] if order and change[order[0]] > 0 else None
    fall = order[-1] if order and change[order[-1]] < 0 else None
    for u, g in lines:
        if u not in (rise, fall):
            ax.plot(g[round_col].astype(int), g["_v"], color="#8C8C8C", lw=0.7, alpha=0.55, zorder=2)
    others = len(lines) - (rise is not None) - (fall is not None)
    ax.plot([], [], color="#8C8C8C", lw=0.7, label=label("legend_other_units", lang, k=others))
    for u, key, color, marker in ((rise, "legend_largest_rise", PALETTE[2], "^"),
                                  (fall, "legend_largest_fall", PALETTE[3], "v")):
        if u is None:
            continue
        g = dict(lines)[u]
        ax.plot(g[round_col].astype(int), g["_v"], color=color, marker=marker, lw=1.8, zorder=4,
                label=label(key, lang, unit=short_name(u), change=fmt_number(change[u], 2, lang, signed=True)))


def plot_resolution_curves(curves: pd.DataFrame, *, group: str = "group", time: str = "time", surv: str = "surv",
                           n: str = "n", standard_days: float | None = None, standard_label: str = "",
                           lang: str = "id", min_n: int = 5, title: str | None = None) -> Figure:
    """Kaplan–Meier curves of the time to resolution: the share of complaints not yet resolved
    (y) by days since received (x), one step line per group; groups of fewer than ``min_n``
    complaints are not drawn (``n < 5`` in the legend). ``standard_days``: a dashed vertical line
    labelled ``standard_label``."""
    check_lang(lang)
    for c in (group, time, surv, n):
        need_column(curves, c, "plot_resolution_curves")
    fig = new_figure(7.0, 4.0)
    ax = make_axes(fig)
    order = list(dict.fromkeys(curves[group].astype(str)))
    styles = ["-", "--", "-.", ":"]
    for i, g in enumerate(order):
        d = curves[(curves[group].astype(str) == g).to_numpy(dtype=bool)]
        k = int(pd.to_numeric(d[n], errors="coerce").max()) if len(d) else 0
        name = f"{short_name(g)} (n = {fmt_number(k, 0, lang)})"
        if is_small(k, min_n):
            ax.plot([], [], color=PALETTE[i % len(PALETTE)], label=f"{short_name(g)} ({small_cell_text(min_n, lang)})")
            continue
        ax.step(floats(d[time]), 100 * floats(d[surv]), where="post", color=PALETTE[i % len(PALETTE)],
                ls=styles[(i // len(PALETTE)) % len(styles)], lw=1.6, label=name)
    if standard_days is not None:
        ax.axvline(float(standard_days), color="#555555", ls="--", lw=1.0, label=standard_label or None)
    ax.set_ylim(0, 102)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(num_formatter(0, lang, percent=True))
    ax.set_xlabel(label("axis_days_since_received", lang))
    ax.set_ylabel(label("axis_share_open", lang))
    ax.legend(loc="upper left", bbox_to_anchor=(1.04, 1.0))
    if title:
        ax.set_title(title, loc="left")
    return fig


# every chart is built and drawn with matplotlib's warnings caught (see quiet)
for _name in [n for n in list(globals()) if n.startswith("plot_")]:
    globals()[_name] = quiet(globals()[_name])
del _name
