"""Design-based figures: stratified sampling weights, finite-population correction, Taylor-linearised
standard errors, domain estimates and the Rao-Scott test.

A CLeM survey samples each service unit separately, so a city-wide figure is a
stratified estimate: respondents of unit h stand for ``N_h / n_h`` users
(``N_h`` = users per month from ``data/units.yml``, ``n_h`` = respondents), or
for the sampling weight given by the codebook. The standard errors follow the
stratified design (strata = units, respondents as the sampling units), computed
by Taylor linearisation exactly as R's ``survey`` package does for
``svydesign(ids = ~1, strata = ~unit, weights = ~w, fpc = ~N)``: with ``fpc``
each stratum's variance is multiplied by ``1 - n_h / N_h`` (sampling without
replacement), without it the units are treated as sampled with replacement.

Domains (a sector, special-group users, respondents who answered a question)
stay inside the whole design: rows outside the domain contribute zero, and the
strata keep their full ``n_h`` (R ``svyby`` / ``subset``), so a domain's
standard error reflects that its size was not fixed in advance.

Why not ``statsmodels.stats.weightstats.DescrStatsW``: its weights are
frequency weights (a weight of 30 means thirty identical observations), so its
standard error divides by ``sum(w) - 1`` and shrinks as the weights grow;
sampling weights only rescale who a respondent stands for, and the precision
comes from the number of respondents and the design, not from ``sum(w)``.
statsmodels has no stratified, finite-population survey variance and no
Rao-Scott correction, so both are computed here and validated against R
(``tests/test_weights.py``, ``tests/r_reference/``).
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from .errors import ClemInputError

__all__ = ["poststratify_weights", "stratum_sizes", "units_without_size", "weighted_mean",
           "weighted_proportion", "design_ikm", "design_crc", "design_chisq", "compare_proportions_design"]


def _unit_sizes(units, users: str, name: str) -> dict:
    if isinstance(units, pd.DataFrame):
        for c in (name, users):
            if c not in units.columns:
                raise ValueError(f"the units table has no column {c!r}")
        sizes = pd.to_numeric(units[users], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return dict(zip(units[name].astype(str), sizes))
    if isinstance(units, Mapping):
        return {str(k): float(v) if v is not None else np.nan for k, v in units.items()}
    raise ValueError("units must be the units table (load_units()) or a mapping unit -> users per month")


def units_without_size(df: pd.DataFrame, units, *, unit: str = "unit", users: str = "users_per_month",
                       name: str = "name") -> list[str]:
    """Units with respondents in ``df`` but no (positive) users per month in ``units``, sorted.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    units : DataFrame or mapping
        ``load_units()`` or a mapping ``unit -> users per month``.
    unit, users, name : str
        Column names, as :func:`poststratify_weights`.

    Returns
    -------
    list of str
        Empty when every unit with respondents has its ``N_h``, so design-based
        city-wide figures can be computed.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A", "A", "B"]})
    >>> units_without_size(d, {"A": 400, "B": None})
    ['B']
    """
    if unit not in df.columns:
        raise ValueError(f"units_without_size: the table has no column {unit!r}; pass unit=...")
    sizes = _unit_sizes(units, users, name)
    out = []
    for u in df[unit].dropna().astype(str).unique():
        N_h = sizes.get(u, np.nan)
        if N_h is None or not np.isfinite(N_h) or N_h <= 0:
            out.append(u)
    return sorted(out)


def poststratify_weights(df: pd.DataFrame, units, *, unit: str = "unit",
                         users: str = "users_per_month", name: str = "name") -> pd.Series:
    """Post-stratification weights ``w_i = N_h / n_h`` from each unit's users per month.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (one row per respondent).
    units : DataFrame or mapping
        ``load_units()`` (columns ``name`` and ``users_per_month``) or a mapping
        ``unit -> users per month``.
    unit : str
        Unit column of ``df``.
    users, name : str
        Columns of ``units`` holding the population size and the unit name.

    Returns
    -------
    pandas.Series
        ``Float64`` weights aligned with ``df`` (named ``"weight"``); missing
        where ``unit`` is missing.

    Raises
    ------
    ClemInputError
        When a unit of the survey has no (positive) users per month.

    Notes
    -----
    The weights of unit h sum to ``N_h``, so weighted totals estimate the
    monthly users and weighted means are stratified means
    ``sum_h (N_h / N) ybar_h``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A", "A", "B"]})
    >>> poststratify_weights(d, {"A": 400, "B": 150}).tolist()
    [200.0, 200.0, 150.0]
    """
    return _per_unit(df, units, unit=unit, users=users, name=name, per_respondent=True)


def stratum_sizes(df: pd.DataFrame, units, *, unit: str = "unit", users: str = "users_per_month",
                  name: str = "name") -> pd.Series:
    """Each respondent's stratum population size ``N_h`` (users per month of the unit), for ``fpc=``.

    Parameters and errors as :func:`poststratify_weights`.

    Returns
    -------
    pandas.Series
        ``Float64`` sizes aligned with ``df`` (named ``"N"``); R ``svydesign(fpc = ~N)``.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A", "A", "B"]})
    >>> stratum_sizes(d, {"A": 400, "B": 150}).tolist()
    [400.0, 400.0, 150.0]
    """
    return _per_unit(df, units, unit=unit, users=users, name=name, per_respondent=False)


def _per_unit(df, units, *, unit, users, name, per_respondent) -> pd.Series:
    if unit not in df.columns:
        raise ValueError(f"poststratify_weights: the table has no column {unit!r}; pass unit=...")
    sizes = _unit_sizes(units, users, name)
    col = df[unit]
    counts = col.value_counts(dropna=True)
    w = pd.Series(np.nan, index=df.index, dtype="Float64", name="weight" if per_respondent else "N")
    for u, n_h in counts.items():
        N_h = sizes.get(str(u), np.nan)
        if N_h is None or not np.isfinite(N_h) or N_h <= 0:
            raise ClemInputError(
                f"unit '{u}' has no users per month, so its respondents cannot be weighted",
                file="data/units.yml", column=users,
                fix=f"add users_per_month for '{u}' to data/units.yml or pass sampling weights")
        w[col.eq(u).fillna(False).to_numpy(dtype=bool)] = N_h / n_h if per_respondent else N_h
    return w


# ---------------------------------------------------------------------------
# The design: weights, strata, finite-population correction
# ---------------------------------------------------------------------------


class _Design:
    """Weights, stratum codes and per-stratum sampling fractions of a stratified one-stage design."""

    def __init__(self, df: pd.DataFrame, weight: str | None, strata: str | None, fpc: str | None,
                 lonely_psu: str = "fail"):
        if lonely_psu not in ("fail", "certainty"):
            raise ValueError(f"lonely_psu must be 'fail' or 'certainty', not {lonely_psu!r}")
        self.lonely_psu = lonely_psu
        n = len(df)
        if strata is None:
            codes = np.zeros(n, dtype=int)
        else:
            if strata not in df.columns:
                raise ValueError(f"the table has no strata column {strata!r}; pass strata=None for no strata")
            if df[strata].isna().any():
                raise ClemInputError("some respondents have no stratum", column=strata,
                                     fix="fill the unit of every respondent")
            codes = pd.factorize(df[strata].astype(str), sort=True)[0]
        self.codes = codes
        self.n_strata = int(len(np.unique(codes))) if n else 0
        self.n_h = np.bincount(codes, minlength=self.n_strata).astype(float) if n else np.zeros(0)
        # sampling fraction per stratum (0: with replacement)
        self.f_h = np.zeros(self.n_strata)
        if fpc is not None:
            if fpc not in df.columns:
                raise ValueError(f"the table has no population-size column {fpc!r}; pass fpc=None for no "
                                 "finite-population correction or add it with stratum_sizes()")
            N = pd.to_numeric(df[fpc], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            for h in range(self.n_strata):
                Nh = np.unique(N[codes == h])
                if len(Nh) != 1 or not np.isfinite(Nh[0]):
                    raise ClemInputError("the population size must be given, and the same, for every "
                                         "respondent of a stratum", column=fpc,
                                         fix="give each unit one users_per_month")
                if Nh[0] < self.n_h[h]:
                    raise ClemInputError(f"a stratum has more respondents ({int(self.n_h[h])}) than its "
                                         f"population size ({Nh[0]:g})", column=fpc,
                                         fix="check users_per_month of that unit (the population the sample "
                                             "was drawn from)")
                self.f_h[h] = self.n_h[h] / Nh[0]
        if weight is None:
            if fpc is not None:  # R: weights N_h / n_h when only the population sizes are given
                w = 1.0 / self.f_h[codes]
            else:
                w = np.ones(n)
        else:
            if weight not in df.columns:
                raise ValueError(f"the table has no weight column {weight!r}; pass weight=None for equal "
                                 "weights or add weights with poststratify_weights()")
            w = pd.to_numeric(df[weight], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            if np.any(~np.isfinite(w)) or np.any(w < 0):
                raise ClemInputError("sampling weights must be present and non-negative for every respondent",
                                     column=weight, fix="fill the missing weights or drop those rows")
        self.w = w

    def cov(self, Z: np.ndarray) -> np.ndarray:
        """Covariance of estimated totals with linearised values ``Z`` (rows x k):
        ``sum_h (1 - f_h) n_h/(n_h - 1) sum_i (z_hi - zbar_h)(z_hi - zbar_h)'``."""
        Z = Z.reshape(len(Z), -1)
        k = Z.shape[1]
        out = np.zeros((k, k))
        for h in range(self.n_strata):
            Zh = Z[self.codes == h]
            nh = len(Zh)
            if nh < 2:
                if self.lonely_psu == "certainty":
                    continue
                raise ClemInputError(
                    "a stratum has a single respondent, so its variance cannot be estimated",
                    fix="merge that unit with another or pass lonely_psu='certainty'")
            C = Zh - Zh.mean(axis=0)
            out += (1.0 - self.f_h[h]) * nh / (nh - 1) * (C.T @ C)
        return out

    def var(self, z: np.ndarray) -> float:
        return float(self.cov(z)[0, 0])

    def degf(self, mask: np.ndarray | None = None) -> int:
        """Design degrees of freedom of a domain: its respondents with positive weight minus its strata
        (R ``degf`` of the subset design)."""
        inset = self.w > 0 if mask is None else (self.w > 0) & mask
        return int(inset.sum()) - int(len(np.unique(self.codes[inset])))


def _domains(df: pd.DataFrame, by) -> list[tuple[dict, np.ndarray]]:
    """(key, mask) per domain of ``by`` (None: the whole table), sorted, missing keys left out."""
    if by is None:
        return [({}, np.ones(len(df), dtype=bool))]
    cols = [by] if isinstance(by, str) else list(by)
    for c in cols:
        if c not in df.columns:
            raise ValueError(f"the table has no column {c!r} to estimate by")
    keys = df[cols].dropna().drop_duplicates()
    keys = keys.sort_values(cols, kind="mergesort").to_dict("records")
    out = []
    for key in keys:
        m = np.ones(len(df), dtype=bool)
        for c in cols:
            m &= df[c].eq(key[c]).fillna(False).to_numpy(dtype=bool)
        out.append((key, m))
    return out


def _ratio(y: np.ndarray, w: np.ndarray, mask: np.ndarray):
    """Ratio mean over the answered rows of a domain and its linearised values (0 elsewhere)."""
    ok = mask & ~np.isnan(y)
    wy = np.where(ok, w, 0.0)
    tot = wy.sum()
    if tot <= 0:
        return np.nan, np.zeros(len(y)), int(ok.sum())
    y0 = np.where(ok, y, 0.0)
    est = float(np.sum(wy * y0) / tot)
    return est, wy * (y0 - est) / tot, int(ok.sum())


def _numeric(df: pd.DataFrame, column: str) -> np.ndarray:
    y = pd.to_numeric(df[column], errors="coerce") if df[column].dtype == object else df[column]
    return y.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _indicator(s: pd.Series, event) -> np.ndarray:
    if callable(event):
        hit = pd.Series(event(s), index=s.index).astype("boolean")
    else:
        hit = s.eq(event).astype("boolean")
    y = hit.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    y[s.isna().to_numpy()] = np.nan
    return y


def _design_text(fpc) -> str:
    return ("stratified by unit, finite-population correction" if fpc is not None else "stratified")


def _with_keys(rows: list[dict], keys: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame([{**k, **r} for k, r in zip(keys, rows)])
    return out


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
    des = _Design(df, weight, strata, fpc, lonely_psu)
    y = _numeric(df, column)
    z = float(sps.norm.ppf(0.5 + conf_level / 2))
    rows, keys = [], []
    for key, mask in _domains(df, by):
        est, zz, n = _ratio(y, des.w, mask)
        se = math.sqrt(des.var(zz)) if np.isfinite(est) else np.nan
        keys.append(key)
        rows.append({
            "variable": column, "estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se,
            "n": n, "n_strata": des.n_strata,
            "method": f"design-based weighted mean, {_design_text(fpc)}, Taylor linearisation (R survey::svymean)",
        })
    return _with_keys(rows, keys)


def _logit_ci(est: float, se: float, t: float) -> tuple[float, float]:
    if not (0 < est < 1) or not np.isfinite(t):
        return (est, est) if np.isfinite(t) else (np.nan, np.nan)
    lg = math.log(est / (1 - est))
    sl = se / (est * (1 - est))
    return 1 / (1 + math.exp(-(lg - t * sl))), 1 / (1 + math.exp(-(lg + t * sl)))


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
    des = _Design(df, weight, strata, fpc, lonely_psu)
    y = _indicator(df[column], event)
    rows, keys = [], []
    for key, mask in _domains(df, by):
        est, zz, n = _ratio(y, des.w, mask)
        se = math.sqrt(des.var(zz)) if np.isfinite(est) else np.nan
        dfree = des.degf(None if by is None else mask)
        t = float(sps.t.ppf(0.5 + conf_level / 2, dfree)) if dfree > 0 else np.nan
        if method == "mean":
            lo, hi = est - t * se, est + t * se
        else:
            lo, hi = _logit_ci(est, se, t)
        keys.append(key)
        rows.append({
            "variable": column, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi, "n": n,
            "n_strata": des.n_strata, "df": dfree,
            "method": f"design-based weighted proportion, {_design_text(fpc)}, Taylor linearisation; "
                      f"{method} interval (R survey::svyciprop)",
        })
    return _with_keys(rows, keys)


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
    from .scoring import _scores, get_scheme, ikm_grade

    s = get_scheme(scheme)
    c = s.weight(weights)
    missing = [col for col in s.columns if col not in df.columns]
    if missing:
        raise ValueError(f"design_ikm: the table has no column(s) {', '.join(missing)}")
    des = _Design(df, weight, strata, fpc, lonely_psu)
    x = _scores(df, s)
    answered = ~np.isnan(x)
    y0 = np.where(answered, x, 0.0)
    rows, keys = [], []
    for key, mask in _domains(df, by):
        r = answered & mask[:, None]
        wr = des.w[:, None] * r
        T = wr.sum(axis=0)
        n = int((r.any(axis=1)).sum())
        dfree = des.degf(None if by is None else mask)
        if np.any(T <= 0):
            est = se = lo = hi = np.nan
        else:
            nrr = (wr * y0).sum(axis=0) / T
            est = float(25.0 * c * nrr.sum())
            z = 25.0 * c * (wr * (y0 - nrr) / T).sum(axis=1)
            se = math.sqrt(des.var(z))
            t = float(sps.t.ppf(0.5 + conf_level / 2, dfree)) if dfree > 0 else np.nan
            # cut to the scale, as the unit IKM's interval (25..100 on a 1..4 scale)
            lo, hi = max(est - t * se, 25.0 * s.scale_min), min(est + t * se, 25.0 * s.scale_max)
        g = ikm_grade(est, s) if np.isfinite(est) else None
        keys.append(key)
        rows.append({
            "ikm": est, "se": se, "ci_low": lo, "ci_high": hi, "n": n, "n_strata": des.n_strata, "df": dfree,
            "grade": g.grade if g is not None else pd.NA,
            "label_id": g.label_id if g is not None else pd.NA, "label_en": g.label_en if g is not None else pd.NA,
            "method": f"design-based IKM (ratio of weighted totals per unsur), {_design_text(fpc)}, "
                      "Taylor linearisation, t interval (R survey::svyratio + svycontrast)",
        })
    return _with_keys(rows, keys)


def _crc_events(df: pd.DataFrame, scheme) -> list[tuple[str, np.ndarray]]:
    """(metric, 0/1 indicator with NaN outside its denominator) for every proportion of
    :func:`clem_lib.crc_indicators` and :func:`clem_lib.accessibility` the table has."""
    from .scoring import _bool, get_scheme

    s = get_scheme(scheme)
    out = []

    def flag(col):
        b = _bool(df[col])
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
            v = _numeric(df, col)
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
            x, y = _numeric(df, a), _numeric(df, b)
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
    des = _Design(df, weight, strata, fpc, lonely_psu)
    rows = []
    for metric, y in _crc_events(df, scheme):
        est, zz, n = _ratio(y, des.w, np.ones(len(df), dtype=bool))
        se = math.sqrt(des.var(zz)) if np.isfinite(est) else np.nan
        dfree = des.degf()
        t = float(sps.t.ppf(0.5 + conf_level / 2, dfree)) if dfree > 0 else np.nan
        lo, hi = _logit_ci(est, se, t) if np.isfinite(est) else (np.nan, np.nan)
        rows.append({"metric": metric, "estimate": 100 * est, "ci_low": 100 * lo, "ci_high": 100 * hi,
                     "se": 100 * se, "n": n, "df": dfree,
                     "method": f"design-based weighted percentage, {_design_text(fpc)}, Taylor linearisation; "
                               "logit interval (R survey::svyciprop)"})
    return pd.DataFrame(rows, columns=["metric", "estimate", "ci_low", "ci_high", "se", "n", "df", "method"])


def _cells(df: pd.DataFrame, row: str, column: str, row_event, col_event):
    """0/1 cell indicators of the r x c table of two columns (NaN where either is missing) and labels."""
    def values(s, event):
        if event is not None:
            return pd.Series(_indicator(s, event), index=s.index), [1.0, 0.0]
        lv = sorted(s.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
        return s, lv
    a, la = values(df[row], row_event)
    b, lb = values(df[column], col_event)
    ok = (a.notna() & b.notna()).to_numpy(dtype=bool)
    av, bv = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    M = np.zeros((len(df), len(la) * len(lb)))
    # cell order as R's interaction(rows, cols): the row level varies fastest
    for j, vb in enumerate(lb):
        for i, va in enumerate(la):
            M[:, i + j * len(la)] = np.array([bool(o) and x == va and y == vb for o, x, y in zip(ok, av, bv)],
                                             dtype=float)
    return M, ok, la, lb


def _rao_scott(M: np.ndarray, ok: np.ndarray, des: _Design, nr: int, nc: int, n: int, nu: int) -> dict:
    """Rao-Scott second-order F of an r x c table of cell indicators ``M`` (R svychisq, statistic "F")."""
    wd = np.where(ok, des.w, 0.0)
    W = wd.sum()
    p = (wd[:, None] * M).sum(axis=0) / W
    Z = wd[:, None] * (M - p) / W
    V = des.cov(Z)
    # Pearson X2 of the weighted table scaled to n
    tab = (p * n).reshape(nc, nr).T
    expct = np.outer(tab.sum(axis=1), tab.sum(axis=0)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.nansum((tab - expct) ** 2 / expct))
    # contrasts: interaction columns of the saturated model, residualised on the main effects
    rows_i = np.tile(np.arange(nr), nc)  # cell order: row level fastest
    cols_i = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack([np.ones(nr * nc)] + [(rows_i == i).astype(float) for i in range(1, nr)]
                         + [(cols_i == j).astype(float) for j in range(1, nc)])
    X2 = np.column_stack([((rows_i == i) & (cols_i == j)).astype(float)
                          for j in range(1, nc) for i in range(1, nr)])
    Q, _ = np.linalg.qr(X1)
    C = X2 - Q @ (Q.T @ X2)
    iD = np.diag(np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p)))
    denom = C.T @ (iD / n) @ C
    numr = C.T @ iD @ V @ iD @ C
    Delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(Delta))
    d0 = tr ** 2 / float(np.trace(Delta @ Delta))
    F = x2 / tr
    return {"statistic": F, "ndf": d0, "ddf": d0 * nu, "p_value": float(sps.f.sf(F, d0, d0 * nu)), "chisq": x2,
            "deff_mean": tr / Delta.shape[0]}


def design_chisq(df: pd.DataFrame, row: str, column: str, *, row_event=None, column_event=None,
                 weight: str | None = "weight", strata: str | None = "unit", fpc: str | None = None,
                 lonely_psu: str = "fail") -> pd.DataFrame:
    """Rao-Scott second-order test of association of two categorical columns, as R ``svychisq``.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all strata).
    row, column : str
        The two columns of the table.
    row_event, column_event : scalar or callable, optional
        Collapse a column to "event" vs "not" (e.g. ``column_event=False`` on
        ``facility_friendly``: not friendly vs friendly). ``None``: its values.
    weight, strata, fpc, lonely_psu : see :func:`weighted_mean`.

    Returns
    -------
    DataFrame
        One row: ``statistic`` (the Rao-Scott F), ``ndf``, ``ddf``, ``p_value``,
        ``chisq`` (Pearson's X2 of the weighted table scaled to the sample size),
        ``deff_mean`` (mean generalised design effect, ``trace(Delta) / df``),
        ``n`` (respondents who answered both), ``n_strata``, ``method``.

    Notes
    -----
    Respondents missing either answer are a domain of the design (R:
    ``svychisq(~a + b, subset(des, !is.na(a) & !is.na(b)))``). With ``p`` the
    weighted cell proportions, ``V`` their linearised covariance, ``C`` the
    interaction contrasts orthogonal to the main effects, ``D = diag(p)``:
    ``Delta = (C' D^-1 C / n)^-1 C' D^-1 V D^-1 C``; ``F = X2 / trace(Delta)``
    referred to ``F(d0, d0 nu)`` with ``d0 = trace(Delta)^2 / trace(Delta^2)``
    and ``nu`` = respondents minus strata (Rao & Scott 1984 second-order
    correction; R's default ``statistic = "F"``). statsmodels has no
    design-based chi-square; the computation follows R's and is pinned
    against it.

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data.
    Annals of Statistics 12, 46-60. Lumley (2010), ch. 6.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6, "N": [60] * 6 + [20] * 6,
    ...                   "sg": [True, True, False, False, False, True] * 2,
    ...                   "ok": [False, False, True, True, False, False, True, False, True, True, True, False]})
    >>> r = design_chisq(d, "sg", "ok", weight=None, fpc="N").iloc[0]
    >>> float(r.ndf), round(float(r.p_value), 3)
    (1.0, 0.024)
    """
    for c in (row, column):
        if c not in df.columns:
            raise ValueError(f"design_chisq: the table has no column {c!r}")
    des = _Design(df, weight, strata, fpc, lonely_psu)
    M, ok, la, lb = _cells(df, row, column, row_event, column_event)
    nr, nc = len(la), len(lb)
    n = int(ok.sum())
    nu = des.degf(ok)
    out = {"statistic": np.nan, "ndf": np.nan, "ddf": np.nan, "p_value": np.nan, "chisq": np.nan,
           "deff_mean": np.nan, "n": n, "n_strata": des.n_strata,
           "method": f"Rao-Scott second-order corrected chi-square (F), design-based, {_design_text(fpc)} "
                     "(R survey::svychisq)"}
    if nr < 2 or nc < 2 or n == 0:
        return pd.DataFrame([out])
    out.update(_rao_scott(M, ok, des, nr, nc, n, nu))
    return pd.DataFrame([out])


def compare_proportions_design(df: pd.DataFrame, column: str, *, by: str, group1, group2=None, event=True,
                               weight: str | None = "weight", strata: str | None = "unit",
                               fpc: str | None = None, metric: str | None = None, family: str | None = None,
                               unit: str = "", min_n: int = 5, conf_level: float = 0.95,
                               lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based comparison of a share between two groups of respondents (a gap-table row).

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all strata).
    column : str
        Indicator column (``facility_friendly``).
    by, group1, group2 : str, scalar, scalar or None
        The column that defines the groups, the first group, and the second
        (``None``: every other answered value).
    event : scalar or callable
        The answer counted (``event=False`` on ``facility_friendly``: not friendly).
    weight, strata, fpc, conf_level, lonely_psu : see :func:`weighted_mean`.
    metric, family, unit, min_n : as :func:`clem_lib.compare_proportions`.

    Returns
    -------
    DataFrame
        One row of ``clem_lib.GAP_COLUMNS``: ``estimate1/2`` the weighted
        percentages with their svyciprop logit intervals (domain degrees of
        freedom), ``gap`` the difference in percentage points with a normal
        interval from the linearised variance of the difference (the two
        domains share the strata, so their covariance is included),
        ``statistic`` the Rao-Scott F of :func:`design_chisq` and ``p_value``
        its p. ``effect_size`` is the design-based odds ratio of the two
        weighted shares (no interval). ``n1``, ``n2`` count respondents.

    Notes
    -----
    R: ``svyby(~y, ~g, des, svymean, covmat = TRUE)`` then
    ``svycontrast(b, c(1, -1))`` for the gap and its ``confint``;
    ``svychisq(~g + y, subset(des, !is.na(g) & !is.na(y)))`` for the test.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6, "N": [60] * 6 + [20] * 6,
    ...                   "sg": [True, True, False, False, False, True] * 2,
    ...                   "ok": [False, False, True, True, False, False, True, False, True, True, True, False]})
    >>> r = compare_proportions_design(d, "ok", by="sg", group1=True, group2=False, event=False,
    ...                                weight=None, fpc="N", min_n=2).iloc[0]
    >>> round(float(r.gap), 1)
    66.7
    """
    from .stats import NOT_ENOUGH, _finish, _label_value, _row, _side

    for c in (column, by):
        if c not in df.columns:
            raise ValueError(f"compare_proportions_design: the table has no column {c!r}")
    des = _Design(df, weight, strata, fpc, lonely_psu)
    y = _indicator(df[column], event)
    m1 = _side(df, by, group1)
    m2 = _side(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    e1, z1, n1 = _ratio(y, des.w, m1)
    e2, z2, n2 = _ratio(y, des.w, m2)
    if metric is None:
        metric = f"pct:{column}"
    zq = float(sps.norm.ppf(0.5 + conf_level / 2))
    row = _row(design="two-group", family=family or f"{by}: {metric}", unit=unit, comparison=by, metric=metric,
               group1=_label_value(group1), group2="rest" if group2 is None else _label_value(group2),
               n1=n1, n2=n2, gap_unit="percentage points", estimate1=100 * e1, estimate2=100 * e2,
               effect_name="odds ratio (weighted)")
    if n1 < max(min_n, 1) or n2 < max(min_n, 1):
        row.update(status=NOT_ENOUGH, method="design-based risk difference")
        if n1 and n2:
            row["gap"] = 100 * (e1 - e2)
        return _finish([row], adjust=False, method="holm")
    cis = []
    for mask, e, zz in ((m1, e1, z1), (m2, e2, z2)):
        dfree = des.degf(mask)
        t = float(sps.t.ppf(0.5 + conf_level / 2, dfree)) if dfree > 0 else np.nan
        cis.append(_logit_ci(e, math.sqrt(des.var(zz)), t))
    se_gap = math.sqrt(des.var(z1 - z2))
    gap = e1 - e2
    g = pd.Series(np.where(m1, 1.0, np.where(m2, 0.0, np.nan)), index=df.index)
    M, ok, la, lb = _cells(pd.DataFrame({"g": g, "y": y}, index=df.index), "g", "y", None, None)
    test = (_rao_scott(M, ok, des, len(la), len(lb), int(ok.sum()), des.degf(ok))
            if len(la) == 2 and len(lb) == 2 else {"statistic": np.nan, "p_value": np.nan})
    with np.errstate(divide="ignore", invalid="ignore"):
        orr = (e1 / (1 - e1)) / (e2 / (1 - e2)) if 0 < e2 < 1 and e1 < 1 else np.nan
    row.update(ci1_low=100 * cis[0][0], ci1_high=100 * cis[0][1], ci2_low=100 * cis[1][0],
               ci2_high=100 * cis[1][1], gap=100 * gap, ci_low=100 * (gap - zq * se_gap),
               ci_high=100 * (gap + zq * se_gap), statistic=test["statistic"], p_value=test["p_value"],
               effect_size=float(orr),
               method=f"Rao-Scott F test (design-based chi-square, {_design_text(fpc)}); weighted risk "
                      f"difference, linearised normal interval (R survey::svychisq, svyby + svycontrast)")
    return _finish([row], adjust=False, method="holm")
