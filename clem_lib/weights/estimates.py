"""Design-based point estimates with their intervals: means, proportions, the IKM, the report-card shares."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..intervals import t_value, z_value
from ..scoring import get_scheme, ikm_grade
from ..scoring.tables import as_bool, scores
from .design import (Design, design_text, domains, ikm_ratio, indicator_values, logit_ci, numeric_values, ratio_mean,
                     with_keys)

__all__ = ["weighted_mean", "weighted_proportion", "design_ikm", "design_crc"]


def weighted_mean(df: pd.DataFrame, column: str, *, weight: str | None = "weight",
                  strata: str | None = "unit", fpc: str | None = None, by=None, conf_level: float = 0.95,
                  lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based weighted mean with a Taylor-linearised standard error, overall or by domain.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all strata; do not pre-filter missing answers or domains).
    column : str
        Numeric or boolean column.
    weight : str or None
        Sampling-weight column (``None``: equal weights, or ``N_h / n_h`` when ``fpc`` is given).
    strata : str or None
        Stratum column (default the unit).
    fpc : str or None
        Column with each respondent's stratum population size ``N_h``
        (:func:`stratum_sizes`); the variance of stratum h is multiplied by
        ``1 - n_h / N_h``. ``None``: no correction (sampling with replacement).
    by : str or list of str, optional
        Domain column(s): one row per domain, estimated inside the whole design (R ``svyby``).
    conf_level : float
        Level of the normal interval.
    lonely_psu : {"fail", "certainty"}
        A stratum with one respondent raises, or contributes no variance
        (R ``options(survey.lonely.psu = ...)``).

    Returns
    -------
    DataFrame
        One row per domain: the ``by`` columns, then ``variable, estimate, se,
        ci_low, ci_high, n, n_strata, method`` (``n`` = answered rows of the domain).

    Notes
    -----
    ``ybar_w = sum w_i y_i / sum w_i`` over answered rows of the domain;
    linearised values ``z_i = w_i (y_i - ybar_w) / sum w`` (0 for unanswered
    rows and rows outside the domain, which stay in the design);
    ``Var = sum_h (1 - f_h) n_h/(n_h-1) sum_i (z_i - zbar_h)^2`` with
    ``f_h = n_h / N_h`` (0 without ``fpc``); interval ``ybar_w +/- z SE``.
    Equals R ``svymean(~y, svydesign(ids = ~1, strata = ~unit, weights = ~w,
    fpc = ~N, data = d), na.rm = TRUE)`` and its ``confint``; with ``by``,
    ``svyby(~y, ~sector, des, svymean, na.rm = TRUE)``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2.
    Wolter, K. (2007). Introduction to Variance Estimation, 2nd ed., ch. 6.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3, "y": [1, 2, 3, 3, 4, 4], "N": [30] * 3 + [10] * 3})
    >>> r = weighted_mean(d, "y", weight=None, fpc="N").iloc[0]
    >>> round(float(r.estimate), 4), round(float(r.se), 4)
    (2.4167, 0.4167)
    """
    if column not in df.columns:
        raise ValueError(f"weighted_mean: the table has no column {column!r}")
    des = Design(df, weight, strata, fpc, lonely_psu)
    y = numeric_values(df, column)
    z = z_value(conf_level)
    rows, keys = [], []
    for key, mask in domains(df, by):
        est, zz, n = ratio_mean(y, des.w, mask)
        se = math.sqrt(des.var(zz)) if np.isfinite(est) else np.nan
        keys.append(key)
        rows.append({
            "variable": column, "estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se,
            "n": n, "n_strata": des.n_strata,
            "method": f"design-based weighted mean, {design_text(fpc)}, Taylor linearisation (R survey::svymean)",
        })
    return with_keys(rows, keys)


def weighted_proportion(df: pd.DataFrame, column: str, *, event=True, weight: str | None = "weight",
                        strata: str | None = "unit", fpc: str | None = None, by=None,
                        conf_level: float = 0.95, method: str = "logit",
                        lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based weighted proportion with its interval, as R ``svyciprop``, overall or by domain.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Indicator column.
    event : scalar or callable
        The answer counted (default ``True``; ``False`` on ``facility_friendly``
        counts "not friendly"; a callable such as ``lambda s: s >= 3`` makes "satisfied").
    weight, strata, fpc, by, conf_level, lonely_psu : see :func:`weighted_mean`.
    method : {"logit", "mean"}
        ``"logit"`` (svyciprop's default): Wald interval on the logit scale,
        back-transformed; ``"mean"``: the normal interval of the proportion.

    Returns
    -------
    DataFrame
        One row per domain: the ``by`` columns, then ``variable, estimate, se,
        ci_low, ci_high, n, n_strata, df, method`` on the 0..1 scale.

    Notes
    -----
    ``p`` and ``SE(p)`` as :func:`weighted_mean` of the 0/1 indicator.
    Logit: ``expit(logit(p) +/- t_{df} SE(p) / (p (1 - p)))`` with
    ``df = (respondents of the domain with positive weight) - (its strata)``
    (R ``degf`` of the design, or of the domain's subset under ``svyby``);
    equals ``svyciprop(~I(y), design, method = "logit")``. Mean:
    ``p +/- t_{df} SE(p)`` (``method = "mean"``).

    References
    ----------
    Lumley (2010), ch. 2.2; Korn, E. L. & Graubard, B. I. (1998). Confidence
    intervals for proportions with small expected number of positive counts
    estimated from survey data. Survey Methodology 24, 193-201.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 4, "ok": [True, False, True, True, False, False, True, False],
    ...                   "N": [40] * 4 + [20] * 4})
    >>> round(float(weighted_proportion(d, "ok", weight=None, fpc="N").estimate.iloc[0]), 4)
    0.5833
    """
    if column not in df.columns:
        raise ValueError(f"weighted_proportion: the table has no column {column!r}")
    if method not in ("logit", "mean"):
        raise ValueError(f"unknown method {method!r}; use 'logit' (default) or 'mean'")
    des = Design(df, weight, strata, fpc, lonely_psu)
    y = indicator_values(df[column], event)
    rows, keys = [], []
    for key, mask in domains(df, by):
        est, zz, n = ratio_mean(y, des.w, mask)
        se = math.sqrt(des.var(zz)) if np.isfinite(est) else np.nan
        dfree = des.degf(None if by is None else mask)
        t = t_value(conf_level, dfree) if dfree > 0 else np.nan
        if method == "mean":
            lo, hi = est - t * se, est + t * se
        else:
            lo, hi = logit_ci(est, se, t)
        keys.append(key)
        rows.append({
            "variable": column, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi, "n": n,
            "n_strata": des.n_strata, "df": dfree,
            "method": f"design-based weighted proportion, {design_text(fpc)}, Taylor linearisation; "
                      f"{method} interval (R survey::svyciprop)",
        })
    return with_keys(rows, keys)


def design_ikm(df: pd.DataFrame, *, by=None, scheme="permenpan14_2017", weights: str | float = "exact",
               weight: str | None = "weight", strata: str | None = "unit", fpc: str | None = None,
               conf_level: float = 0.95, lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based IKM (ratio of weighted totals per unsur) with its linearised SE and interval.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with the scheme's ``unsur_<key>`` columns (all strata).
    by : str or list of str, optional
        Domain column(s), e.g. ``"sector"`` or ``"special_group"`` (R ``svyby``).
    scheme : str, mapping or Scheme
        See :func:`clem_lib.get_scheme`.
    weights : {"exact", "rounded", "rounded2"} or float
        The regulation's per-unsur weight convention (as :func:`clem_lib.ikm`);
        not the sampling weights.
    weight, strata, fpc, conf_level, lonely_psu : see :func:`weighted_mean`.

    Returns
    -------
    DataFrame
        One row per domain: the ``by`` columns, then ``ikm, se, ci_low, ci_high,
        n, n_strata, df, grade, label_id, label_en, method``. ``n`` counts the
        respondents of the domain with at least one unsur answered.

    Notes
    -----
    The regulation's IKM is ``25 c sum_u NRR_u`` with ``NRR_u`` the mean of
    the answers to unsur u (``c`` = 1/k or a rounded weight). Its
    design-based estimator replaces each mean by a ratio of weighted totals,
    ``NRR_u = sum_i w_i r_iu y_iu / sum_i w_i r_iu`` (``r_iu`` = 1 when i
    answered u), so with equal weights it is the regulation's own figure,
    missing answers included. Linearised values
    ``z_i = 25 c sum_u w_i r_iu (y_iu - NRR_u) / sum_j w_j r_ju`` (0 outside the
    domain) give ``SE^2 = sum_h (1 - f_h) n_h/(n_h-1) sum_i (z_i - zbar_h)^2``;
    interval ``IKM +/- t_{df} SE`` with the design degrees of freedom
    (respondents minus strata of the domain), cut to the scale. With one
    stratum, equal weights and no ``fpc`` this is exactly the delta interval
    of :func:`clem_lib.ikm`.

    This equals R ``svycontrast(svyratio(~y1+...+yk, ~r1+...+rk, des, covmat = TRUE),
    <25 c on the k ratios y_u/r_u>)`` with ``confint(..., df = degf(des))``.
    ``svymean`` of the per-respondent score ``25 c sum_u y_iu`` gives the same
    figure only when nobody skipped an unsur; it is not used.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran; Lumley (2010), ch. 2 and 3 (ratios, domains).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3, "N": [30] * 3 + [10] * 3,
    ...                   "unsur_x": [3, 4, 2, 4, 4, 3], "unsur_y": [3, 3, None, 4, 2, 3]})
    >>> s = {"name": "two", "base": "permenpan14_2017", "unsur": ["x", "y"]}
    >>> round(float(design_ikm(d, scheme=s, weight=None, fpc="N").ikm.iloc[0]), 3)
    77.083
    """
    s, c, x = ikm_answers(df, scheme, weights, "design_ikm")
    des = Design(df, weight, strata, fpc, lonely_psu)
    rows, keys = [], []
    for key, mask in domains(df, by):
        keys.append(key)
        rows.append(_ikm_row(des, x, mask, des.degf(None if by is None else mask), c=c, scheme=s,
                             conf_level=conf_level, fpc=fpc))
    return with_keys(rows, keys)


def ikm_answers(df: pd.DataFrame, scheme, weights, caller: str):
    """``(scheme, weight per unsur, answers)`` for an IKM estimator: the answers as a float matrix
    (respondents x unsur, NaN when skipped), checked against the scheme's scale."""
    s = get_scheme(scheme)
    missing = [col for col in s.columns if col not in df.columns]
    if missing:
        raise ValueError(f"{caller}: the table has no column(s) {', '.join(missing)}")
    return s, s.weight(weights), scores(df, s)


def _ikm_row(des: Design, x: np.ndarray, mask: np.ndarray, dfree: int, *, c: float, scheme, conf_level: float,
             fpc) -> dict:
    """One row of :func:`design_ikm`: the IKM of a domain, its SE, t interval and grade."""
    est, z, n = ikm_ratio(x, des.w, mask, c)
    se = lo = hi = np.nan
    if np.isfinite(est):
        se = math.sqrt(des.var(z))
        t = t_value(conf_level, dfree) if dfree > 0 else np.nan
        # cut to the scale, as the unit IKM's interval (25..100 on a 1..4 scale)
        lo, hi = max(est - t * se, 25.0 * scheme.scale_min), min(est + t * se, 25.0 * scheme.scale_max)
    g = ikm_grade(est, scheme) if np.isfinite(est) else None
    return {
        "ikm": est, "se": se, "ci_low": lo, "ci_high": hi, "n": n, "n_strata": des.n_strata, "df": dfree,
        "grade": g.grade if g is not None else pd.NA,
        "label_id": g.label_id if g is not None else pd.NA, "label_en": g.label_en if g is not None else pd.NA,
        "method": f"design-based IKM (ratio of weighted totals per unsur), {design_text(fpc)}, "
                  "Taylor linearisation, t interval (R survey::svyratio + svycontrast)",
    }


def crc_events(df: pd.DataFrame, scheme) -> list[tuple[str, np.ndarray]]:
    """(metric, 0/1 indicator with NaN outside its denominator) for every proportion of
    :func:`clem_lib.crc_indicators` and :func:`clem_lib.accessibility` the table has."""

    s = get_scheme(scheme)
    out = []

    def flag(col):
        b = as_bool(df[col])
        return b.fillna(False).to_numpy(dtype=bool), b.notna().to_numpy(dtype=bool)

    def ev(hit, den):
        return np.where(den, hit.astype(float), np.nan)

    if "facility_friendly" in df.columns:
        ok, known = flag("facility_friendly")
        out.append(("pct_not_friendly", ev(~ok, known)))
    score_cols = [(u, f"unsur_{u}") for u in s.unsur if f"unsur_{u}" in df.columns]
    if "overall_satisfaction" in df.columns:
        score_cols.append(("overall", "overall_satisfaction"))
    for name in ("pct_satisfied", "pct_dissatisfied"):
        for u, col in score_cols:
            v = numeric_values(df, col)
            answered = ~np.isnan(v)
            out.append((f"{name}:{u}", ev((v >= 3) if name == "pct_satisfied" else (v <= 2), answered)))
    if "had_problem" in df.columns:
        had, known = flag("had_problem")
        out.append(("pct_had_problem", ev(had, known)))
        if "problem_resolved" in df.columns:
            res, rknown = flag("problem_resolved")
            out.append(("pct_problem_resolved", ev(res, rknown & had)))
    if "paid_extra" in df.columns:
        paid, known = flag("paid_extra")
        out.append(("pct_paid_extra", ev(paid, known)))
    if "channel" in df.columns:
        ch = df["channel"].astype("string")
        out.append(("pct_broker", ev((ch == "broker").fillna(False).to_numpy(dtype=bool),
                                     ch.notna().to_numpy(dtype=bool))))
    for a, b, name in (("days_to_complete", "standard_days", "pct_over_standard"),
                       ("cost_paid", "official_fee", "pct_cost_above_fee")):
        if a in df.columns and b in df.columns:
            x, y = numeric_values(df, a), numeric_values(df, b)
            both = ~np.isnan(x) & ~np.isnan(y)
            with np.errstate(invalid="ignore"):
                out.append((name, ev(both & (x > y), both)))
    if "knows_complaint" in df.columns:
        knows, known = flag("knows_complaint")
        out.append(("pct_knows_complaint", ev(knows, known)))
    return out


def design_crc(df: pd.DataFrame, *, scheme="permenpan14_2017", weight: str | None = "weight",
               strata: str | None = "unit", fpc: str | None = None, conf_level: float = 0.95,
               lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based Citizen Report Card percentages and the "not friendly" share, one row each.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all strata). Indicators whose columns are absent are left out.
    scheme : str, mapping or Scheme
        Which ``unsur_<key>`` columns are the elements.
    weight, strata, fpc, conf_level, lonely_psu : see :func:`weighted_mean`.

    Returns
    -------
    DataFrame
        ``metric`` (the names of :func:`clem_lib.crc_indicators` and
        :func:`clem_lib.accessibility`: ``pct_not_friendly``,
        ``pct_satisfied:<unsur>``, ``pct_satisfied:overall``, ``pct_had_problem``,
        ``pct_problem_resolved``, ...), ``estimate``, ``ci_low``, ``ci_high`` in
        percent (svyciprop logit interval), ``se`` (percentage points), ``n``
        (respondents in the denominator), ``df``, ``method``.

    Notes
    -----
    Numerators and denominators are those of ``crc_indicators`` (a
    proportion among those who answered; problem resolved among those who
    had a problem: a domain of the design). Each is :func:`weighted_proportion`
    of the indicator.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3, "N": [30] * 3 + [10] * 3,
    ...                   "paid_extra": [True, False, False, True, True, None]})
    >>> r = design_crc(d, weight=None, fpc="N")
    >>> r.metric.tolist(), round(float(r.estimate.iloc[0]), 2)
    (['pct_paid_extra'], 45.45)
    """
    des = Design(df, weight, strata, fpc, lonely_psu)
    rows = []
    for metric, y in crc_events(df, scheme):
        est, zz, n = ratio_mean(y, des.w, np.ones(len(df), dtype=bool))
        se = math.sqrt(des.var(zz)) if np.isfinite(est) else np.nan
        dfree = des.degf()
        t = t_value(conf_level, dfree) if dfree > 0 else np.nan
        lo, hi = logit_ci(est, se, t) if np.isfinite(est) else (np.nan, np.nan)
        rows.append({"metric": metric, "estimate": 100 * est, "ci_low": 100 * lo, "ci_high": 100 * hi,
                     "se": 100 * se, "n": n, "df": dfree,
                     "method": f"design-based weighted percentage, {design_text(fpc)}, Taylor linearisation; "
                               "logit interval (R survey::svyciprop)"})
    return pd.DataFrame(rows, columns=["metric", "estimate", "ci_low", "ci_high", "se", "n", "df", "method"])


