"""The complaint register in the reports: what the "Pengaduan" section of a unit report and the
complaints section of the city overview say, show and write to ``results.csv``.

The numbers come from :mod:`clem_lib.complaint_stats`; the words from
:data:`clem_lib.report.LABELS`. :class:`RegisterView` holds the register of one
run (every unit, read once) and computes what both reports need; the report
classes call its methods from one-line notebook cells. No complaint text and no
complainant is ever here: the cleaned register has neither.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .complaint_stats import (
    breakdown,
    complaint_counts,
    km_table,
    logrank,
    monthly_counts,
    monthly_trend,
    register_period,
    resolution_summary,
    resolution_times,
    survey_vs_register,
)
from .complaints import CHANNELS, REGISTER_COLUMNS, load_holidays
from .errors import ClemInputError
from .plots import plot_resolution_curves
from .text.tables import report_table
from .results import results_row
from .text import escape_text, fmt_interval, fmt_number, fmt_p, fmt_percent, is_missing, is_small, label, small_cell_text

__all__ = ["RegisterView", "read_register_table", "channel_label"]

_CI = 0.95


def channel_label(code, lang: str = "id") -> str:
    """A channel code in words (``lapor`` -> ``SP4N-LAPOR!``); an unknown code as it is."""
    entry = CHANNELS.get(str(code))
    return str(code) if entry is None else entry[0 if lang == "id" else 1]


def read_register_table(path) -> pd.DataFrame:
    """The cleaned register written by ``clem clean --complaints`` / ``clem run --complaints``."""
    p = Path(path)
    if not p.is_file():
        raise ClemInputError("cleaned complaint register not found", file=p,
                             fix="clean the register with `clem clean --complaints FILE` or give it to `clem run`")
    df = pd.read_parquet(p)
    missing = [c for c in REGISTER_COLUMNS if c not in df.columns]
    if missing:
        raise ClemInputError(f"the cleaned register has no '{missing[0]}' column", file=p,
                             fix="clean the register again with this version of clem")
    return df


class RegisterView:
    """The register of one run and what the reports compute from it (cached).

    Parameters
    ----------
    register : DataFrame
        The cleaned register (every unit).
    units : DataFrame
        The units file (``users_per_month``).
    standard_days : int
        The published standard for resolving a complaint, in working days.
    holidays : array of datetime64[D]
    holidays_name : str
        Where the holidays come from (for the Methods text).
    """

    def __init__(self, register: pd.DataFrame, units: pd.DataFrame, *, standard_days: int = 5, holidays=None,
                 holidays_name: str = "", unit_names=None, alpha: float = 0.05, min_n: int = 5):
        self.unit_names = list(units["name"].astype(str)) if unit_names is None else list(unit_names)
        # complaints of units outside the report's scope (not surveyed) are left out of every figure
        self.register = register[register["unit"].isin(self.unit_names).fillna(False).to_numpy(dtype=bool)]
        self.units = units
        self.standard_days = int(standard_days)
        self.holidays = holidays
        self.holidays_name = holidays_name
        self.alpha, self.min_n = alpha, min_n
        self._cache: dict = {}

    @classmethod
    def build(cls, *, complaints_path: str, units: pd.DataFrame, standard_days: int = 5, holidays_path: str = "",
              unit_names=None, alpha: float = 0.05, min_n: int = 5) -> "RegisterView | None":
        """The view of the cleaned register at ``complaints_path``; None when no register is given."""
        if not complaints_path:
            return None
        if isinstance(standard_days, bool) or int(standard_days) != standard_days or standard_days < 0:
            raise ClemInputError(f"parameter 'complaint_standard_days' {standard_days!r} is not a whole number "
                                 "of working days", fix="give e.g. 5")
        reg = read_register_table(complaints_path)
        hol = load_holidays(holidays_path or None)
        name = Path(holidays_path).name if holidays_path else "data/holidays_id.csv"
        return cls(reg, units, standard_days=int(standard_days), holidays=hol, holidays_name=name,
                   unit_names=unit_names, alpha=alpha, min_n=min_n)

    def _get(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    # -- numbers --------------------------------------------------------------

    @property
    def period(self):
        return self._get("period", lambda: register_period(self.register))

    @property
    def times(self) -> pd.DataFrame:
        return self._get("times", lambda: resolution_times(self.register, holidays=self.holidays))

    @property
    def counts(self) -> pd.DataFrame:
        return self._get("counts", lambda: complaint_counts(self.register, self.units, unit_names=self.unit_names,
                                                            alpha=self.alpha))

    def unit_times(self, unit=None) -> pd.DataFrame:
        t = self.times
        return t if unit is None else t[(t["unit"] == unit).fillna(False).to_numpy(dtype=bool)]

    def resolution(self, unit=None) -> pd.DataFrame:
        return self._get(("resolution", unit), lambda: resolution_summary(
            self.unit_times(unit), standard_days=self.standard_days, alpha=self.alpha))

    def unit_counts(self, unit=None) -> dict:
        c = self.counts
        sel = c["unit"].isna() if unit is None else (c["unit"] == unit)
        return {r["metric"]: r for r in c[sel.fillna(False).to_numpy(dtype=bool)].to_dict("records")}

    def trend(self, unit=None) -> dict:
        def f():
            m = monthly_counts(self.register if unit is None else
                               self.register[(self.register["unit"] == unit).fillna(False).to_numpy(dtype=bool)],
                               by=None)
            # the months of the whole register, so that a quiet unit's empty months count too
            start, cut, _ = self.period
            if not pd.isna(start):
                months = pd.period_range(start.to_period("M"), cut.to_period("M"), freq="M").astype(str)
                m = m.set_index("month").reindex(months, fill_value=0).rename_axis("month").reset_index()
            return monthly_trend(m, alpha=self.alpha)
        return self._get(("trend", unit), f)

    def logrank(self, group: str, unit=None) -> dict:
        return self._get(("logrank", group, unit), lambda: logrank(self.unit_times(unit), group, min_n=self.min_n))

    def breakdown(self, column: str, unit=None) -> pd.DataFrame:
        return self._get(("breakdown", column, unit), lambda: breakdown(self.register, column, unit=unit))

    def versus(self, survey: pd.DataFrame) -> pd.DataFrame:
        """:func:`survey_vs_register` of the survey rows given (the report's round)."""
        return survey_vs_register(survey, self.counts, min_n=self.min_n, alpha=self.alpha)

    # -- results rows ----------------------------------------------------------

    def results_rows(self, unit=None, *, survey: pd.DataFrame | None = None) -> list[dict]:
        """Rows of ``results.csv`` for one unit (``unit``) or the city (None): counts and rates, resolution
        times, the share within the standard, the monthly trend, channels and categories, the log-rank
        test between channels (and, for the city, between units), and for a unit the survey beside the
        register."""
        u = "" if unit is None else unit
        rows = []
        mn = self.min_n
        for metric, r in self.unit_counts(unit).items():
            # counts and rates of a whole unit are never small cells (a zero is the finding);
            # shares of fewer than min_n complaints are
            keep_small = metric in ("count", "per_month", "per_1000_users")
            rows.append(results_row(unit=u, metric=f"complaints:{metric}", estimate=r["estimate"], ci_low=r["ci_low"],
                                    ci_high=r["ci_high"], n=r["n"], method=r["method"], min_n=0 if keep_small else mn))
        for r in self.resolution(unit).to_dict("records"):
            rows.append(results_row(unit=u, metric=f"complaints:{r['metric']}", estimate=r["estimate"],
                                    ci_low=r["ci_low"], ci_high=r["ci_high"], n=r["n"],
                                    method=f"{r['method']}; {r['n_open']} open", min_n=mn))
        tr = self.trend(unit)
        rows.append(results_row(unit=u, metric="complaints:trend_per_month", estimate=tr["estimate"],
                                ci_low=tr["ci_low"], ci_high=tr["ci_high"], n=tr["n"], statistic=tr["statistic"],
                                p_value=tr["p_value"], method=f"{tr['method']}; {tr['months']} months", min_n=mn))
        for col in ("channel", "category"):
            b = self.breakdown(col, unit)
            total = int(b["count"].sum()) if len(b) else 0
            for r in b.to_dict("records"):
                row = results_row(unit=u, group=f"{col}={r['value']}", metric="complaints:pct_of_complaints",
                                  estimate=r["pct"], n=total, method=f"share of the complaints with a {col}", min_n=1)
                if r["count"] < mn:  # a channel or category of few complaints: not shown
                    row["estimate"] = np.nan
                    row["method"] += f"; suppressed: fewer than {mn} complaints"
                rows.append(row)
        groups = [("channel", "channels")] + ([("unit", "units")] if unit is None else [])
        for col, name in groups:
            lr = self.logrank(col, unit)
            if len(lr["groups"]) >= 2:
                rows.append(results_row(unit=u, group=f"{name}: " + " vs ".join(lr["groups"]),
                                        metric="logrank:complaints:days", n=lr["n"], statistic=lr["statistic"],
                                        p_value=lr["p_value"], method=lr["method"], min_n=1))
        if unit is not None and survey is not None and len(survey):
            v = self.versus(survey)
            v = v[(v["unit"] == unit).to_numpy(dtype=bool)]
            if len(v):
                r = v.iloc[0].to_dict()
                if "had_problem" in survey.columns:
                    rows.append(results_row(unit=u, metric="complaints:survey_problems_per_1000_users",
                                            estimate=r["problems_per_1000"], ci_low=r["problems_per_1000_low"],
                                            ci_high=r["problems_per_1000_high"], n=r["n"],
                                            method="survey: 10 x percent of users with a problem; Wilson interval",
                                            min_n=mn))
                    if r["unlodged_kind"]:
                        metric = ("pct_problem_not_lodged" if r["unlodged_kind"] == "not_lodged"
                                  else "pct_problem_unaware")
                        rows.append(results_row(unit=u, metric=metric, estimate=r["pct_unlodged"],
                                                ci_low=r["pct_unlodged_low"], ci_high=r["pct_unlodged_high"],
                                                n=r["n_unlodged"], method="survey: share of respondents; Wilson "
                                                "interval", min_n=mn))
                    rows.append(results_row(unit=u, metric="complaints:zero_claim", estimate=float(r["zero_claim"]),
                                            n=r["n"], method="1 = no complaint registered while the survey's share "
                                            "of users with a problem is above 0 (95% interval)", min_n=0))
        return rows

    # -- curves for the charts ---------------------------------------------------

    def curves(self, groups: dict) -> pd.DataFrame:
        """Kaplan–Meier steps of each named subset of :attr:`times` (``{label: frame}``):
        ``group, time, surv, n`` starting at (0, 1)."""
        parts = []
        for name, t in groups.items():
            k = km_table(t["days"], t["event"], alpha=self.alpha)
            start = pd.DataFrame({"time": [0.0], "surv": [1.0]})
            steps = pd.concat([start, k[["time", "surv"]]], ignore_index=True) if len(k) else start
            tmax = float(t["days"].max()) if len(t) else 0.0
            if len(steps) and tmax > steps["time"].iloc[-1]:
                steps = pd.concat([steps, pd.DataFrame({"time": [tmax], "surv": [steps["surv"].iloc[-1]]})],
                                  ignore_index=True)
            parts.append(steps.assign(group=name, n=len(t)))
        if not parts:
            return pd.DataFrame(columns=["group", "time", "surv", "n"])
        return pd.concat(parts, ignore_index=True)[["group", "time", "surv", "n"]]


# ---------------------------------------------------------------------------
# What the reports show (called by UnitReport / CityReport, one cell each)
# ---------------------------------------------------------------------------


def _fmt_day(ts, lang: str) -> str:
    if pd.isna(ts):
        return "–"
    ts = pd.Timestamp(ts)
    months_id = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
                 "November", "Desember")
    months_en = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                 "November", "December")
    m = (months_id if lang == "id" else months_en)[ts.month - 1]
    return f"{ts.day} {m} {ts.year}"


def _days_ci(lo, hi, lang: str, decimals: int = 0) -> str:
    

    if is_missing(lo) and is_missing(hi):
        return "–"
    unknown = "belum diketahui" if lang == "id" else "not known yet"
    a = unknown if is_missing(lo) else fmt_number(lo, decimals, lang)
    b = unknown if is_missing(hi) else fmt_number(hi, decimals, lang)
    return f"{a}–{b}"


def _pct_ci(lo, hi, lang: str) -> str:

    return fmt_interval(lo, hi, 0, lang, percent=True, scale=1.0, prefix=False)


def _row(d: dict, metric: str) -> dict:
    return d.get(metric) or {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": 0}


def register_text(view: RegisterView, unit, survey: pd.DataFrame, *, lang: str, min_n: int, alpha: float) -> str:
    """The register's sentences for one unit, then the survey beside it (Markdown)."""

    start, cut, _ = view.period
    c = view.unit_counts(unit)
    k = int(_row(c, "count")["estimate"] or 0)
    s_start, s_cut = _fmt_day(start, lang), _fmt_day(cut, lang)
    lines = [f"**{label('sub_register', lang)}**"]
    if k == 0:
        lines.append(label("s_reg_none", lang, start=s_start, cutoff=s_cut))
    else:
        per1000 = _row(c, "per_1000_users")
        p1000 = ("" if pd.isna(per1000["estimate"]) else
                 label("s_reg_per_1000", lang, x=fmt_number(per1000["estimate"], 2, lang)))

        def share(metric):
            r = _row(c, metric)
            if is_small(r["n"], min_n):
                return small_cell_text(min_n, lang)
            return f"{fmt_percent(r['estimate'], 0, lang, scale=1.0)} ({label('ci95', lang)} " \
                   f"{_pct_ci(r['ci_low'], r['ci_high'], lang)})"
        lines.append(label("s_reg_summary", lang, start=s_start, cutoff=s_cut, count=fmt_number(k, 0, lang),
                           per_month=fmt_number(_row(c, "per_month")["estimate"], 1, lang), per_1000=p1000,
                           resolved=share("pct_resolved"), open=share("pct_open")))
        res = {r["metric"]: r for r in view.resolution(unit).to_dict("records")}
        med, p90 = res.get("median_days"), res.get("p90_days")
        if med is not None and is_small(med["n"], min_n):
            lines.append(f"{label('reg_median_days', lang)}: {small_cell_text(min_n, lang)}.")
        elif med is not None and pd.isna(med["estimate"]):
            lines.append(label("s_reg_median_unknown", lang))
        elif med is not None:
            lines.append(label("s_reg_times", lang, median=fmt_number(med["estimate"], 1, lang),
                               ci=_days_ci(med["ci_low"], med["ci_high"], lang, 1))
                         + " " + (label("s_reg_p90_unknown", lang) if pd.isna(p90["estimate"]) else
                                  label("s_reg_p90", lang, p90=fmt_number(p90["estimate"], 1, lang))))
        w = res.get("pct_within_standard")
        if w is not None and not is_small(w["n"], min_n) and not pd.isna(w["estimate"]):
            lines.append(label("s_reg_within", lang, std=fmt_number(view.standard_days, 0, lang),
                               pct=fmt_percent(w["estimate"], 0, lang, scale=1.0),
                               ci=_pct_ci(w["ci_low"], w["ci_high"], lang)))
        lr = view.logrank("channel", unit)
        if len(lr["groups"]) >= 2 and not pd.isna(lr["p_value"]):
            verb = label("s_reg_differ" if lr["p_value"] < alpha else "s_reg_not_differ", lang)
            lines.append(label("s_reg_channels_test", lang, verb=verb,
                               groups=", ".join(channel_label(g, lang) for g in lr["groups"]),
                               p=fmt_p(lr["p_value"], lang)))
    lines.append(survey_text(view, unit, survey, lang=lang, min_n=min_n))
    return "\n\n".join(x for x in lines if x)


def survey_text(view: RegisterView, unit, survey: pd.DataFrame, *, lang: str, min_n: int) -> str:
    """The survey beside the register for one unit, and the "zero complaints" finding when it applies."""

    if "had_problem" not in survey.columns or not len(survey):
        return ""
    v = view.versus(survey)
    v = v[(v["unit"] == unit).to_numpy(dtype=bool)]
    if not len(v):
        return ""
    r = v.iloc[0].to_dict()
    out = [f"**{label('sub_survey_register', lang)}**"]
    if is_small(r["n"], min_n):
        return ""
    reg = r["complaints_per_1000"]
    out.append(label("s_reg_survey", lang, pct=fmt_percent(r["pct_had_problem"], 0, lang, scale=1.0),
                     ci=_pct_ci(r["pct_had_problem_low"], r["pct_had_problem_high"], lang),
                     per1000=fmt_number(r["problems_per_1000"], 0, lang),
                     reg="–" if pd.isna(reg) else fmt_number(reg, 2, lang)))
    if r["unlodged_kind"] and not is_small(r["n_unlodged"], min_n):
        out.append(label(f"s_reg_unlodged_{r['unlodged_kind']}", lang,
                         pct=fmt_percent(r["pct_unlodged"], 0, lang, scale=1.0),
                         ci=_pct_ci(r["pct_unlodged_low"], r["pct_unlodged_high"], lang),
                         n=fmt_number(r["n_unlodged"], 0, lang)))
    z = zero_claim_text(r, lang=lang)
    if z:
        out.append(z)
    elif not pd.isna(reg) and not pd.isna(r["problems_per_1000_low"]) and reg * 10 < r["problems_per_1000_low"]:
        out.append(label("s_reg_low", lang))
    return "\n\n".join(out)


def zero_claim_text(r: dict, *, lang: str) -> str:
    """The plain-language finding for a unit with an empty register whose users had problems ("" otherwise)."""

    if not r.get("zero_claim"):
        return ""
    return label("s_reg_zero_claim", lang, pct=fmt_percent(r["pct_had_problem"], 0, lang, scale=1.0),
                 ci=_pct_ci(r["pct_had_problem_low"], r["pct_had_problem_high"], lang))


def register_table(view: RegisterView, unit, survey: pd.DataFrame, *, lang: str, min_n: int, caption: str):
    """The register's figures for one unit with the survey's beside them (a ReportTable)."""
    c = view.unit_counts(unit)
    rows = []

    def add(key, value, ci, n, small_ok=False, **kw):
        rows.append({"what": label(key, lang, **kw), "value": value, "ci": ci, "n": n,
                     "n_sup": 10 ** 9 if small_ok else n})

    r = _row(c, "count")
    add("reg_count", fmt_number(r["estimate"], 0, lang), "", int(r["n"]), small_ok=True)
    for m, key in (("per_month", "reg_per_month"), ("per_1000_users", "reg_per_1000_users")):
        if m in c:
            r = c[m]
            add(key, fmt_number(r["estimate"], 2, lang), _days_ci(r["ci_low"], r["ci_high"], lang, 2), int(r["n"]),
                small_ok=True)
    for m, key in (("pct_resolved", "reg_pct_resolved"), ("pct_open", "reg_pct_open")):
        if m in c:
            r = c[m]
            add(key, fmt_percent(r["estimate"], 0, lang, scale=1.0), _pct_ci(r["ci_low"], r["ci_high"], lang), int(r["n"]))
    times = view.resolution(unit).to_dict("records") if _row(c, "count")["n"] else []  # none without complaints
    for r in times:
        if r["metric"] == "pct_within_standard":
            add("reg_pct_within_standard", fmt_percent(r["estimate"], 0, lang, scale=1.0),
                _pct_ci(r["ci_low"], r["ci_high"], lang), int(r["n"]), std=fmt_number(view.standard_days, 0, lang))
        else:
            add(f"reg_{r['metric']}", "–" if pd.isna(r["estimate"]) else fmt_number(r["estimate"], 1, lang),
                _days_ci(r["ci_low"], r["ci_high"], lang, 1), int(r["n"]))
    tr = view.trend(unit)
    if not pd.isna(tr["estimate"]):
        add("reg_trend", fmt_number(tr["estimate"], 2, lang) + f" (p {fmt_p(tr['p_value'], lang)})",
            _days_ci(tr["ci_low"], tr["ci_high"], lang, 2), int(tr["n"]))
    if "had_problem" in survey.columns and len(survey):
        v = view.versus(survey)
        v = v[(v["unit"] == unit).to_numpy(dtype=bool)]
        if len(v):
            s = v.iloc[0].to_dict()
            add("reg_pct_had_problem", fmt_percent(s["pct_had_problem"], 0, lang, scale=1.0),
                _pct_ci(s["pct_had_problem_low"], s["pct_had_problem_high"], lang), int(s["n"]))
            add("reg_problems_per_1000", fmt_number(s["problems_per_1000"], 0, lang),
                _days_ci(s["problems_per_1000_low"], s["problems_per_1000_high"], lang, 0), int(s["n"]))
            if s["unlodged_kind"]:
                add(f"reg_pct_unlodged_{s['unlodged_kind']}", fmt_percent(s["pct_unlodged"], 0, lang, scale=1.0),
                    _pct_ci(s["pct_unlodged_low"], s["pct_unlodged_high"], lang), int(s["n_unlodged"]))
    t = pd.DataFrame(rows)
    return report_table(t, {"what": "col_metric", "value": "col_estimate", "ci": "col_ci", "n": "col_n"}, lang=lang,
                        formats={"what": "text", "value": "text", "ci": "text", "n": "int"}, n_column="n_sup",
                        suppress=("value", "ci"), min_n=min_n, caption=caption)


def breakdown_table(view: RegisterView, unit, *, lang: str, min_n: int, caption: str):
    """Complaints by channel and by category: count and share; fewer than ``min_n`` shown as n < 5."""
    rows = []
    for col, key in (("channel", "col_channel"), ("category", "col_category")):
        b = view.breakdown(col, unit)
        for r in b.to_dict("records"):
            small = r["count"] < min_n
            rows.append({"what": label(key, lang), "value": channel_label(r["value"], lang) if col == "channel"
                         else str(r["value"]),
                         "count": small_cell_text(min_n, lang) if small else fmt_number(r["count"], 0, lang),
                         "pct": small_cell_text(min_n, lang) if small else fmt_percent(r["pct"], 0, lang, scale=1.0)})
    if not rows:
        return None
    t = pd.DataFrame(rows)
    return report_table(t, {"what": "col_metric", "value": "col_detail", "count": "col_count", "pct": "col_share"},
                        lang=lang, formats={"what": "text", "value": "text", "count": "text", "pct": "text"},
                        n_column=None, caption=caption + " " + label("s_reg_breakdown_small", lang, min_n=min_n))


def calendar_days_for(workdays: int) -> float:
    """About how many calendar days ``workdays`` working days are (5 working days a week), for the chart."""
    return workdays * 7 / 5


def unit_chart(view: RegisterView, unit, *, lang: str, min_n: int):
    curves = view.curves({label("grp_this_unit", lang): view.unit_times(unit),
                          label("grp_city", lang): view.unit_times(None)})
    std = view.standard_days
    cal = calendar_days_for(std)
    return plot_resolution_curves(curves, standard_days=cal, lang=lang, min_n=min_n,
                                  standard_label=label("legend_standard", lang, days=fmt_number(std, 0, lang),
                                                       cal=fmt_number(cal, 0, lang)))


def city_chart(view: RegisterView, *, lang: str, min_n: int):
    t = view.times
    groups = {u: t[(t["unit"] == u).to_numpy(dtype=bool)] for u in view.unit_names}
    curves = view.curves(groups)
    std = view.standard_days
    cal = calendar_days_for(std)
    return plot_resolution_curves(curves, standard_days=cal, lang=lang, min_n=min_n,
                                  standard_label=label("legend_standard", lang, days=fmt_number(std, 0, lang),
                                                       cal=fmt_number(cal, 0, lang)))


def city_text(view: RegisterView, survey: pd.DataFrame, *, lang: str, min_n: int, alpha: float,
              opening: str = "s_reg_city", place: str = "") -> str:
    """The register across the units of ``view``: totals, units and channels compared, units claiming
    zero complaints. ``opening``: the label of the first sentence (``s_reg_city`` for the city; a
    district's or agency's report names its own, with ``place`` its word for itself)."""

    start, cut, _ = view.period
    c = view.unit_counts(None)
    k = int(_row(c, "count")["estimate"] or 0)
    op = int((~view.register["closed"].fillna(False).astype(bool)).sum())
    lines = [label(opening, lang, start=_fmt_day(start, lang), cutoff=_fmt_day(cut, lang),
                   count=fmt_number(k, 0, lang), open=fmt_number(op, 0, lang), place=place)]
    for col, key in (("unit", "s_reg_units_test"), ("channel", "s_reg_channels_test")):
        lr = view.logrank(col)
        if len(lr["groups"]) >= 2 and not pd.isna(lr["p_value"]):
            verb = label("s_reg_differ" if lr["p_value"] < alpha else "s_reg_not_differ", lang)
            lines.append(label(key, lang, verb=verb, chi2=fmt_number(lr["statistic"], 2, lang),
                               p=fmt_p(lr["p_value"], lang),
                               groups=", ".join(channel_label(g, lang) if col == "channel" else g
                                                for g in lr["groups"])))
    if "had_problem" in survey.columns and len(survey):
        v = view.versus(survey)
        zero = [str(u) for u in v.loc[v["zero_claim"], "unit"]]
        if zero:
            lines.append(label("s_reg_zero_units", lang, units=escape_text(", ".join(zero))))
    return "\n\n".join(lines)


def city_table(view: RegisterView, survey: pd.DataFrame, *, lang: str, min_n: int, caption: str):
    """One row per unit: complaints, rate, resolved, open, median days, within standard, the survey."""
    v = view.versus(survey) if ("had_problem" in survey.columns and len(survey)) else pd.DataFrame()
    vs = {r["unit"]: r for r in v.to_dict("records")} if len(v) else {}
    kind = next((r["unlodged_kind"] for r in vs.values() if r.get("unlodged_kind")), "")
    rows = []
    sm = small_cell_text(min_n, lang)
    for u in view.unit_names:
        c = view.unit_counts(u)
        k = int(_row(c, "count")["estimate"] or 0)
        res = {r["metric"]: r for r in view.resolution(u).to_dict("records")}
        med = res.get("median_days")
        w = res.get("pct_within_standard")

        def pct(m):
            r = c.get(m)
            if r is None:
                return "–"
            return sm if is_small(r["n"], min_n) else fmt_percent(r["estimate"], 0, lang, scale=1.0)
        s = vs.get(u, {})
        small_s = is_small(s.get("n", 0), min_n)
        rows.append({
            "unit": u, "count": fmt_number(k, 0, lang),
            "per1000": "–" if "per_1000_users" not in c else fmt_number(c["per_1000_users"]["estimate"], 2, lang),
            "resolved": pct("pct_resolved"), "open": pct("pct_open"),
            "median": ("–" if med is None else sm if is_small(med["n"], min_n) else
                       ("–" if pd.isna(med["estimate"]) else fmt_number(med["estimate"], 1, lang))
                       + f" ({_days_ci(med['ci_low'], med['ci_high'], lang, 1)})"),
            "within": ("–" if w is None else sm if is_small(w["n"], min_n) else
                       ("–" if pd.isna(w["estimate"]) else fmt_percent(w["estimate"], 0, lang, scale=1.0))),
            "problem": "–" if not s else sm if small_s else fmt_percent(s["pct_had_problem"], 0, lang, scale=1.0),
            "unlodged": ("–" if not s or not s.get("unlodged_kind") else sm if is_small(s["n_unlodged"], min_n)
                         else fmt_percent(s["pct_unlodged"], 0, lang, scale=1.0)),
        })
    t = pd.DataFrame(rows)
    cols = {"unit": "col_unit", "count": "col_complaints", "per1000": "col_per_1000", "resolved": "col_resolved",
            "open": "col_open", "median": "col_median_days", "within": "col_within_standard",
            "problem": "col_survey_problem",
            "unlodged": "col_survey_unlodged" if kind == "not_lodged" else "col_survey_unaware"}
    if not vs:
        cols = {k: v for k, v in cols.items() if k not in ("problem", "unlodged")}
    elif not kind:
        cols.pop("unlodged")
    return report_table(t, cols, lang=lang, formats={k: "text" for k in cols}, n_column=None, caption=caption)


def methods_text(view: RegisterView, *, lang: str) -> str:

    _, cut, _ = view.period
    return label("m_register", lang, cutoff=_fmt_day(cut, lang), holidays=view.holidays_name)
