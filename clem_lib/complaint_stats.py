"""Figures of the complaint register: counts and rates, resolution times, tests (numbers only).

Resolution time is analysed as a survival time: a complaint still open on the
register's cut-off day is *censored* there (it has taken at least that long),
not dropped and not counted as zero. The Kaplan–Meier curve comes from
``statsmodels.duration.survfunc.SurvfuncRight``; the log-rank test from
``statsmodels.duration.survfunc.survdiff``. Quantiles (median, 90th
percentile) and their intervals follow R's ``quantile.survfit`` (Brookmeyer
and Crowley, 1982, on the log-transformed pointwise band of
``survfit(conf.type = "log")``): the first time the curve, or its band, is
at or below 1 - p, the midpoint of the flat when it sits exactly at 1 - p.
``tests/test_complaint_stats.py`` pins them against R's ``survival``.

Working days are ``numpy.busday_count`` (Monday to Friday) without the
holidays given (:func:`clem_lib.complaints.load_holidays`): a complaint
received on day r and resolved on day s took ``busday_count(r, s)`` working
days, the working days from r up to but not including s; it is within a
standard of k working days when that count is at most k. The share within
standard is 1 - S(k) of the Kaplan–Meier curve on working days, so open
complaints count for what is known about them.

Every function returns tidy frames; percentages are on the 0..100 scale like
the survey's CRC indicators.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

__all__ = [
    "AVG_DAYS_PER_MONTH",
    "resolution_times",
    "km_table",
    "km_quantile",
    "km_survival_at",
    "resolution_summary",
    "logrank",
    "register_period",
    "complaint_counts",
    "monthly_counts",
    "monthly_trend",
    "breakdown",
    "survey_vs_register",
]

AVG_DAYS_PER_MONTH = 365.25 / 12
_TOL = math.sqrt(np.finfo(float).eps)  # R's quantile.survfit tolerance for "exactly at 1 - p"


def _days(a: pd.Series) -> np.ndarray:
    return a.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")


def resolution_times(register: pd.DataFrame, *, holidays=None) -> pd.DataFrame:
    """One row per complaint whose time is known or censored.

    Returns
    -------
    DataFrame
        The register's columns plus ``end`` (resolved date, else the cut-off),
        ``days`` (calendar days from the day received to ``end``: 0 = the same
        day), ``workdays`` (``numpy.busday_count(received, end, holidays)``)
        and ``event`` (1 resolved or rejected on ``end``, 0 still open there:
        censored). Complaints closed without a resolved date are left out
        (their time is unknown).
    """
    d = register.copy()
    dated = d["resolved"].notna().to_numpy()
    closed = d["closed"].fillna(False).to_numpy(dtype=bool)
    keep = dated | ~closed
    d = d[keep].reset_index(drop=True)
    end = d["resolved"].where(d["resolved"].notna(), d["cutoff"])
    r = _days(d["received"])
    e = _days(end)
    hol = np.array([], dtype="datetime64[D]") if holidays is None else np.asarray(holidays, dtype="datetime64[D]")
    d["end"] = end
    d["days"] = (e - r).astype("int64").astype(float)
    d["workdays"] = np.busday_count(r, e, holidays=hol).astype(float) if len(d) else np.array([], dtype=float)
    d["event"] = d["resolved"].notna().to_numpy().astype(int)
    return d


def _surv(time, event):
    from statsmodels.duration.survfunc import SurvfuncRight

    return SurvfuncRight(np.asarray(time, dtype=float), np.asarray(event, dtype=float))


def km_table(time, event, *, alpha: float = 0.05) -> pd.DataFrame:
    """The Kaplan–Meier curve at each event time.

    Returns
    -------
    DataFrame
        ``time, n_risk, n_events, surv, se`` (Greenwood standard error of S,
        as ``summary(survfit)$std.err``), ``ci_low, ci_high`` (pointwise, on
        the log scale: ``S exp(-/+ z se/S)``, the upper limit capped at 1,
        as ``survfit(conf.type = "log")``). Empty when there is no event.
    """
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    cols = ["time", "n_risk", "n_events", "surv", "se", "ci_low", "ci_high"]
    if time.size == 0 or event.sum() == 0:
        return pd.DataFrame(columns=cols, dtype=float)
    sf = _surv(time, event)
    z = sps.norm.ppf(1 - alpha / 2)
    s = np.asarray(sf.surv_prob, dtype=float)
    se = np.asarray(sf.surv_prob_se, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        sel = np.where(s > 0, se / s, np.nan)
        lo = np.where(s > 0, s * np.exp(-z * sel), np.nan)
        hi = np.where(s > 0, np.minimum(1.0, s * np.exp(z * sel)), np.nan)
    return pd.DataFrame({"time": np.asarray(sf.surv_times, dtype=float), "n_risk": np.asarray(sf.n_risk, dtype=float),
                         "n_events": np.asarray(sf.n_events, dtype=float), "surv": s, "se": se,
                         "ci_low": lo, "ci_high": hi})


def _findq(times: np.ndarray, curve: np.ndarray, target: float) -> float:
    """First time the step curve is at or below ``target``; the midpoint to the next time when it sits
    exactly at ``target`` there (R's ``quantile.survfit``); NaN when it never gets there."""
    ok = ~np.isnan(curve)
    times, curve = times[ok], curve[ok]
    below = np.flatnonzero(curve <= target + _TOL)
    if not below.size:
        return float("nan")
    i = below[0]
    if abs(curve[i] - target) < _TOL:
        if i + 1 < times.size:
            return float((times[i] + times[i + 1]) / 2)
        return float("nan") if curve[i] > 0 else float(times[i])
    return float(times[i])


def km_quantile(time, event, p: float = 0.5, *, alpha: float = 0.05) -> tuple[float, float, float]:
    """Quantile ``p`` of the time to resolution (0.5: the median) with its interval.

    Returns
    -------
    (estimate, ci_low, ci_high)
        NaN where the curve (or its band) does not come down to 1 - p: a median
        that is not reached because more than half the complaints are still
        open is *not known*, and is never replaced by the longest time seen.
    """
    t = km_table(time, event, alpha=alpha)
    if not len(t):
        return (float("nan"),) * 3
    times = t["time"].to_numpy()
    target = 1 - p
    return (_findq(times, t["surv"].to_numpy(), target), _findq(times, t["ci_low"].to_numpy(), target),
            _findq(times, t["ci_high"].to_numpy(), target))


def km_survival_at(time, event, at: float, *, alpha: float = 0.05) -> tuple[float, float, float]:
    """S(at) with its pointwise log-scale interval (NaN when nothing is known beyond ``at``)."""
    t = km_table(time, event, alpha=alpha)
    time = np.asarray(time, dtype=float)
    if not len(t):
        if time.size and (time > at).any():
            return 1.0, 1.0, 1.0
        return (float("nan"),) * 3
    i = np.flatnonzero(t["time"].to_numpy() <= at)
    if not i.size:
        return 1.0, 1.0, 1.0
    if time.max() < at and t["surv"].iloc[i[-1]] > 0:  # followed up less than `at`: unknown
        return (float("nan"),) * 3
    r = t.iloc[i[-1]]
    return float(r["surv"]), float(r["ci_low"]), float(r["ci_high"])


def resolution_summary(times: pd.DataFrame, *, by: str | Sequence[str] | None = None,
                       standard_days: int | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Median and 90th percentile of the days to resolution and the share within the standard.

    Parameters
    ----------
    times : DataFrame
        :func:`resolution_times`.
    by : column(s), optional
        E.g. ``"unit"``; None: all complaints together.
    standard_days : int, optional
        The published standard in working days; None: no within-standard row.

    Returns
    -------
    DataFrame
        One row per group and metric: ``<by...>, metric`` (``median_days``,
        ``p90_days``, ``pct_within_standard``), ``estimate, ci_low, ci_high``
        (days; percent for the share), ``n`` (complaints), ``n_open`` (censored),
        ``method``.
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    groups = [((), times)] if not keys else list(times.groupby(keys, sort=True, observed=True))
    rows = []
    for key, g in groups:
        meta = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
        n, n_open = len(g), int((g["event"] == 0).sum())
        base = "Kaplan-Meier; open complaints censored at the cut-off"
        for metric, p in (("median_days", 0.5), ("p90_days", 0.9)):
            est, lo, hi = km_quantile(g["days"], g["event"], p, alpha=alpha)
            rows.append({**meta, "metric": metric, "estimate": est, "ci_low": lo, "ci_high": hi, "n": n,
                         "n_open": n_open, "method": base + "; interval Brookmeyer-Crowley (log), as R survfit"})
        if standard_days is not None:
            s, lo, hi = km_survival_at(g["workdays"], g["event"], float(standard_days), alpha=alpha)
            rows.append({**meta, "metric": "pct_within_standard", "estimate": 100 * (1 - s),
                         "ci_low": 100 * (1 - hi), "ci_high": 100 * (1 - lo), "n": n, "n_open": n_open,
                         "method": f"{base}; working days (Monday-Friday without holidays), standard "
                                   f"{int(standard_days)} working days; 1 - S(standard), log interval"})
    cols = keys + ["metric", "estimate", "ci_low", "ci_high", "n", "n_open", "method"]
    return pd.DataFrame(rows, columns=cols)


def logrank(times: pd.DataFrame, group: str, *, min_n: int = 5, time: str = "days") -> dict:
    """Log-rank test of equal resolution-time curves across the values of ``group``.

    Groups with fewer than ``min_n`` complaints are left out; with fewer than
    two groups left, the statistic and p-value are NaN.

    Returns
    -------
    dict
        ``statistic`` (chi-square), ``df``, ``p_value``, ``n`` (complaints in the
        test), ``groups`` (the values compared, sorted), ``method``.
    """
    from statsmodels.duration.survfunc import survdiff

    d = times[times[group].notna()]
    sizes = d.groupby(group, observed=True).size()
    keep = sorted(str(k) for k in sizes.index[sizes >= min_n])
    d = d[d[group].astype(str).isin(keep)]
    out = {"statistic": float("nan"), "df": len(keep) - 1, "p_value": float("nan"), "n": len(d), "groups": keep,
           "method": "log-rank test (statsmodels survdiff, as R survdiff rho = 0); open complaints censored"}
    if len(keep) < 2 or d["event"].sum() == 0:
        return out
    chi2, p = survdiff(d[time].to_numpy(dtype=float), d["event"].to_numpy(dtype=float),
                       d[group].astype(str).to_numpy())
    out.update(statistic=float(chi2), p_value=float(p))
    return out


def register_period(register: pd.DataFrame, start=None) -> tuple[pd.Timestamp, pd.Timestamp, float]:
    """(first day, cut-off, months): the period the register covers. ``start`` defaults to the first
    day of the month of the earliest complaint; months are days / (365.25 / 12)."""
    cut = pd.Timestamp(register["cutoff"].dropna().iloc[0]) if register["cutoff"].notna().any() else pd.NaT
    if start is None:
        first = register["received"].min()
        start = pd.Timestamp(first).to_period("M").to_timestamp() if not pd.isna(first) else pd.NaT
    start = pd.Timestamp(start)
    if pd.isna(start) or pd.isna(cut):
        return start, cut, float("nan")
    return start, cut, ((cut - start).days + 1) / AVG_DAYS_PER_MONTH


def _poisson_ci(k: int, alpha: float) -> tuple[float, float]:
    """Exact (Garwood) interval of a Poisson count, as R's ``poisson.test``."""
    lo = 0.0 if k == 0 else sps.chi2.ppf(alpha / 2, 2 * k) / 2
    hi = sps.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return float(lo), float(hi)


def complaint_counts(register: pd.DataFrame, units: pd.DataFrame, *, unit_names: Sequence[str] | None = None,
                     start=None, alpha: float = 0.05) -> pd.DataFrame:
    """Complaints per unit (and the city, ``unit`` missing): counts, rates, resolved and open shares.

    Parameters
    ----------
    register : DataFrame
        The cleaned register (:func:`clem_lib.complaints.clean_register`).
    units : DataFrame
        :func:`clem_lib.codebook.load_units` (``users_per_month``).
    unit_names : names, optional
        Units to report, with zero complaints when the register has none for them
        (default: every unit of the units file).

    Returns
    -------
    DataFrame
        One row per unit and metric (``unit, metric, estimate, ci_low, ci_high, n, method``):
        ``count`` (complaints in the period; n the same), ``per_month`` and
        ``per_1000_users`` (complaints per month, and per 1,000 users served in
        the period, ``users_per_month`` x months; exact Poisson intervals; the
        latter absent without ``users_per_month``), ``pct_resolved`` (status
        resolved, of all), ``pct_open`` (open at the cut-off), both with Wilson
        intervals. The city row sums the units (per 1,000 users over the units
        that have ``users_per_month``).
    """
    from .stats import wilson_ci

    start, cut, months = register_period(register, start)
    names = list(units["name"].astype(str)) if unit_names is None else list(unit_names)
    upm = dict(zip(units["name"].astype(str), units["users_per_month"]))
    period = f"{start.date() if not pd.isna(start) else '?'} to {cut.date() if not pd.isna(cut) else '?'}"
    rows = []

    def add(unit, g, users):
        k = len(g)
        lo, hi = _poisson_ci(k, alpha)
        rows.append({"unit": unit, "metric": "count", "estimate": float(k), "ci_low": np.nan, "ci_high": np.nan,
                     "n": k, "method": f"complaints registered {period}"})
        if months and months > 0:
            rows.append({"unit": unit, "metric": "per_month", "estimate": k / months, "ci_low": lo / months,
                         "ci_high": hi / months, "n": k,
                         "method": f"count / {months:.2f} months; exact Poisson interval"})
        if users and users > 0 and months and months > 0:
            served = users * months
            rows.append({"unit": unit, "metric": "per_1000_users", "estimate": 1000 * k / served,
                         "ci_low": 1000 * lo / served, "ci_high": 1000 * hi / served, "n": k,
                         "method": f"count per 1,000 users ({users:g} users per month x {months:.2f} months); "
                                   "exact Poisson interval"})
        if k:
            res = int((g["status"] == "resolved").sum())
            op = int((~g["closed"].fillna(False).astype(bool)).sum())
            for metric, x, what in (("pct_resolved", res, "status resolved"), ("pct_open", op, "open at the cut-off")):
                a, b = wilson_ci(x, k, conf_level=1 - alpha)
                rows.append({"unit": unit, "metric": metric, "estimate": 100 * x / k, "ci_low": 100 * a,
                             "ci_high": 100 * b, "n": k, "method": f"share of complaints, {what}; Wilson interval"})

    for u in names:
        g = register[(register["unit"] == u).fillna(False).to_numpy(dtype=bool)]
        users = upm.get(u)
        add(u, g, None if users is None or pd.isna(users) else float(users))
    known = [float(upm[u]) for u in names if upm.get(u) is not None and not pd.isna(upm.get(u))]
    scope = register[register["unit"].isin(names).fillna(False).to_numpy(dtype=bool)]
    if len(known) == len(names):
        add(None, scope, sum(known))
    else:
        add(None, scope, None)
    return pd.DataFrame(rows, columns=["unit", "metric", "estimate", "ci_low", "ci_high", "n", "method"])


def breakdown(register: pd.DataFrame, column: str, *, unit: str | None = None) -> pd.DataFrame:
    """Complaints by ``column`` (``channel`` or ``category``): ``value, count, pct`` (of the complaints
    with a value), most frequent first; for one unit or (None) all."""
    g = register if unit is None else register[(register["unit"] == unit).fillna(False).to_numpy(dtype=bool)]
    v = g[column].dropna().astype(str)
    if not len(v):
        return pd.DataFrame(columns=["value", "count", "pct"])
    c = v.value_counts().rename_axis("value").reset_index(name="count")
    c = c.sort_values(["count", "value"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    c["pct"] = 100 * c["count"] / c["count"].sum()
    return c


def monthly_counts(register: pd.DataFrame, *, by: str | None = "unit", unit_names: Sequence[str] | None = None,
                   start=None) -> pd.DataFrame:
    """Complaints per calendar month of the period (zero months included): ``<by>, month, count``."""
    start, cut, _ = register_period(register, start)
    if pd.isna(start) or pd.isna(cut):
        return pd.DataFrame(columns=([by] if by else []) + ["month", "count"])
    months = pd.period_range(start.to_period("M"), cut.to_period("M"), freq="M")
    m = register["received"].dt.to_period("M")
    if by is None:
        c = m.value_counts().reindex(months, fill_value=0)
        return pd.DataFrame({"month": months.astype(str), "count": c.to_numpy().astype(int)})
    names = sorted(register[by].dropna().astype(str).unique()) if unit_names is None else list(unit_names)
    parts = []
    for u in names:
        c = m[(register[by] == u).fillna(False).to_numpy(dtype=bool)].value_counts().reindex(months, fill_value=0)
        parts.append(pd.DataFrame({by: u, "month": months.astype(str), "count": c.to_numpy().astype(int)}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[by, "month", "count"])


def monthly_trend(counts: pd.DataFrame, *, alpha: float = 0.05) -> dict:
    """Trend of monthly counts (``monthly_counts`` of one unit or the city): Poisson regression of the
    count on the month number. Returns ``estimate`` (rate ratio per month), ``ci_low, ci_high``,
    ``statistic`` (Wald z), ``p_value``, ``n`` (complaints), ``months``, ``method``; NaN without
    complaints or with fewer than three months. A partial last month (the cut-off inside it) weighs
    by its days through an exposure offset."""
    import statsmodels.api as sm

    y = counts["count"].to_numpy(dtype=float)
    out = {"estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "statistic": np.nan, "p_value": np.nan,
           "n": int(y.sum()), "months": int(y.size),
           "method": "Poisson regression of monthly counts on month (log link, Wald interval)"}
    if y.size < 3 or y.sum() == 0 or (y > 0).sum() < 2:
        return out
    x = sm.add_constant(np.arange(y.size, dtype=float))
    fit = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    b, se = float(fit.params[1]), float(fit.bse[1])
    z = sps.norm.ppf(1 - alpha / 2)
    out.update(estimate=math.exp(b), ci_low=math.exp(b - z * se), ci_high=math.exp(b + z * se),
               statistic=b / se, p_value=float(2 * sps.norm.sf(abs(b / se))))
    return out


def survey_vs_register(survey: pd.DataFrame, counts: pd.DataFrame, *, min_n: int = 5,
                       alpha: float = 0.05) -> pd.DataFrame:
    """The survey's problems beside the register's complaints, one row per unit.

    Parameters
    ----------
    survey : DataFrame
        Cleaned survey rows (``unit``, ``had_problem``; optionally ``complained``
        and ``knows_complaint``).
    counts : DataFrame
        :func:`complaint_counts`.

    Returns
    -------
    DataFrame
        ``unit, n`` (respondents answering ``had_problem``), ``pct_had_problem``,
        ``pct_unlodged`` (had a problem and did not complain, from
        ``complained``; else had a problem and does not know where to
        complain, from ``knows_complaint``), ``unlodged_kind``
        (``"not_lodged"`` / ``"unaware"`` / ``""``), each percentage with
        ``_low``/``_high`` (Wilson), ``problems_per_1000`` (= 10 x
        pct_had_problem: users with a problem per 1,000 users) with its
        interval, ``complaints``, ``complaints_per_1000`` (register, per 1,000
        users) and ``zero_claim``: the register has no complaint for the unit
        while at least ``min_n`` respondents answered and the interval of the
        share with a problem lies above zero.
    """
    from .stats import wilson_ci

    z = 1 - alpha
    rows = []
    cnt = counts.set_index(["unit", "metric"])["estimate"] if len(counts) else pd.Series(dtype=float)
    for u, g in survey.groupby("unit", sort=True, observed=True):
        u = str(u)
        rec: dict = {"unit": u}
        if "had_problem" in g.columns:
            hp = g["had_problem"].astype("boolean")
            known = hp.notna().to_numpy()
            n, x = int(known.sum()), int(hp.fillna(False).sum())
            lo, hi = wilson_ci(x, n, conf_level=z) if n else (np.nan, np.nan)
            rec.update(n=n, pct_had_problem=100 * x / n if n else np.nan, pct_had_problem_low=100 * lo,
                       pct_had_problem_high=100 * hi)
            kind, flag = "", None
            if "complained" in g.columns:
                kind, flag = "not_lodged", g["complained"].astype("boolean")
            elif "knows_complaint" in g.columns:
                kind, flag = "unaware", g["knows_complaint"].astype("boolean")
            if flag is not None:
                ok = known & (~hp.fillna(False).to_numpy(dtype=bool) | flag.notna().to_numpy())
                ev = (hp.fillna(False) & ~flag.fillna(True)).to_numpy(dtype=bool) & ok
                m, y = int(ok.sum()), int(ev.sum())
                a, b = wilson_ci(y, m, conf_level=z) if m else (np.nan, np.nan)
                rec.update(unlodged_kind=kind, n_unlodged=m, pct_unlodged=100 * y / m if m else np.nan,
                           pct_unlodged_low=100 * a, pct_unlodged_high=100 * b)
        c = cnt.get((u, "count"), np.nan)
        rec["complaints"] = c
        rec["complaints_per_1000"] = cnt.get((u, "per_1000_users"), np.nan)
        rows.append(rec)
    cols = ["unit", "n", "pct_had_problem", "pct_had_problem_low", "pct_had_problem_high", "unlodged_kind",
            "n_unlodged", "pct_unlodged", "pct_unlodged_low", "pct_unlodged_high", "complaints",
            "complaints_per_1000"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    out["unlodged_kind"] = out["unlodged_kind"].fillna("")
    for c in ("", "_low", "_high"):
        out[f"problems_per_1000{c}"] = 10 * pd.to_numeric(out[f"pct_had_problem{c}"], errors="coerce")
    n_ok = pd.to_numeric(out["n"], errors="coerce").fillna(0) >= min_n
    out["zero_claim"] = ((pd.to_numeric(out["complaints"], errors="coerce") == 0) & n_ok
                         & (pd.to_numeric(out["pct_had_problem_low"], errors="coerce") > 0)).astype(bool)
    return out
