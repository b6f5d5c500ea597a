"""Design-based weighted figures: post-stratified weights and Taylor-linearised standard errors.

A CLeM survey samples each service unit separately, so the city-wide figure is
a stratified estimate: respondents of unit h stand for ``N_h / n_h`` users
(``N_h`` = users per month from ``data/units.yml``, ``n_h`` = respondents), or
for the sampling weight given by the codebook. The standard errors follow the
stratified design (strata = units, respondents as the sampling units, with
replacement), computed by Taylor linearisation exactly as R's ``survey``
package does for ``svydesign(ids = ~1, strata = ~unit, weights = ~w)``.

Why not ``statsmodels.stats.weightstats.DescrStatsW``: its weights are
frequency weights (a weight of 30 means thirty identical observations), so its
standard error divides by ``sum(w) - 1`` and shrinks as the weights grow;
sampling weights only rescale who a respondent stands for, and the precision
comes from the number of respondents and the design, not from ``sum(w)``.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import stats as sps

from .errors import ClemInputError

__all__ = ["poststratify_weights", "weighted_mean", "weighted_proportion"]


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
    """
    if unit not in df.columns:
        raise ValueError(f"poststratify_weights: the table has no column {unit!r}; pass unit=...")
    if isinstance(units, pd.DataFrame):
        for c in (name, users):
            if c not in units.columns:
                raise ValueError(f"poststratify_weights: the units table has no column {c!r}")
        sizes = dict(zip(units[name].astype(str), pd.to_numeric(units[users], errors="coerce")))
    elif isinstance(units, Mapping):
        sizes = {str(k): float(v) if v is not None else np.nan for k, v in units.items()}
    else:
        raise ValueError("units must be the units table (load_units()) or a mapping unit -> users per month")
    col = df[unit]
    counts = col.value_counts(dropna=True)
    w = pd.Series(np.nan, index=df.index, dtype="Float64", name="weight")
    for u, n_h in counts.items():
        N_h = sizes.get(str(u), np.nan)
        if N_h is None or not np.isfinite(N_h) or N_h <= 0:
            raise ClemInputError(
                f"unit '{u}' has no users per month, so its respondents cannot be weighted",
                file="data/units.yml", column=users,
                fix=f"add users_per_month for '{u}' to data/units.yml or pass sampling weights")
        w[col.eq(u).fillna(False).to_numpy(dtype=bool)] = N_h / n_h
    return w


def _design(df: pd.DataFrame, weight: str | None, strata: str | None):
    n = len(df)
    if weight is None:
        w = np.ones(n)
    else:
        if weight not in df.columns:
            raise ValueError(f"the table has no weight column {weight!r}; pass weight=None for equal "
                             "weights or add weights with poststratify_weights()")
        w = pd.to_numeric(df[weight], errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        if np.any(~np.isfinite(w)) or np.any(w < 0):
            raise ClemInputError("sampling weights must be present and non-negative for every respondent",
                                 column=weight, fix="fill the missing weights or drop those rows")
    if strata is None:
        codes = np.zeros(n, dtype=int)
    else:
        if strata not in df.columns:
            raise ValueError(f"the table has no strata column {strata!r}; pass strata=None for no strata")
        if df[strata].isna().any():
            raise ClemInputError("some respondents have no stratum", column=strata,
                                 fix="fill the unit of every respondent")
        codes = pd.factorize(df[strata].astype(str), sort=True)[0]
    return w, codes


def _strat_var(z: np.ndarray, codes: np.ndarray, lonely_psu: str) -> float:
    """Between-PSU variance of a total, stratified, with replacement."""
    var = 0.0
    for h in np.unique(codes):
        zh = z[codes == h]
        nh = len(zh)
        if nh < 2:
            if lonely_psu == "certainty":
                continue
            raise ClemInputError(
                "a stratum has a single respondent, so its variance cannot be estimated",
                fix="merge that unit with another or pass lonely_psu='certainty'")
        var += nh / (nh - 1) * float(np.sum((zh - zh.mean()) ** 2))
    return var


def _weighted(y: np.ndarray, w: np.ndarray, codes: np.ndarray, lonely_psu: str):
    """Ratio mean and its linearised SE; rows with missing y are a domain (zero weight)."""
    ok = ~np.isnan(y)
    wy = np.where(ok, w, 0.0)
    tot = wy.sum()
    if tot <= 0:
        return np.nan, np.nan, int(ok.sum())
    est = float(np.sum(wy * np.where(ok, y, 0.0)) / tot)
    z = wy * (np.where(ok, y, 0.0) - est) / tot
    return est, math.sqrt(_strat_var(z, codes, lonely_psu)), int(ok.sum())


def weighted_mean(df: pd.DataFrame, column: str, *, weight: str | None = "weight",
                  strata: str | None = "unit", conf_level: float = 0.95,
                  lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based weighted mean with a Taylor-linearised standard error.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all strata; do not pre-filter missing answers).
    column : str
        Numeric or boolean column.
    weight : str or None
        Sampling-weight column (``None``: equal weights).
    strata : str or None
        Stratum column (default the unit).
    conf_level : float
        Level of the normal interval.
    lonely_psu : {"fail", "certainty"}
        A stratum with one respondent raises, or contributes no variance
        (R ``options(survey.lonely.psu = ...)``).

    Returns
    -------
    DataFrame
        One row: ``variable, estimate, se, ci_low, ci_high, n, n_strata, method``.

    Notes
    -----
    ``ybar_w = sum w_i y_i / sum w_i`` over answered rows; linearised values
    ``z_i = w_i (y_i - ybar_w) / sum w`` (0 for unanswered rows, which stay in
    the design as a domain); ``Var = sum_h n_h/(n_h-1) sum_i (z_i - zbar_h)^2``;
    interval ``ybar_w +/- z_{1-alpha/2} SE``. Equals R
    ``svymean(~y, svydesign(ids = ~1, strata = ~unit, weights = ~w, data = d), na.rm = TRUE)``
    and its ``confint``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2.
    Wolter, K. (2007). Introduction to Variance Estimation, 2nd ed., ch. 6.
    """
    if column not in df.columns:
        raise ValueError(f"weighted_mean: the table has no column {column!r}")
    w, codes = _design(df, weight, strata)
    y = pd.to_numeric(df[column], errors="coerce") if df[column].dtype == object else df[column]
    y = y.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    est, se, n = _weighted(y, w, codes, lonely_psu)
    z = float(sps.norm.ppf(0.5 + conf_level / 2))
    return pd.DataFrame([{
        "variable": column, "estimate": est, "se": se, "ci_low": est - z * se, "ci_high": est + z * se,
        "n": n, "n_strata": int(len(np.unique(codes))),
        "method": "design-based weighted mean, stratified, Taylor linearisation (R survey::svymean)",
    }])


def weighted_proportion(df: pd.DataFrame, column: str, *, event=True, weight: str | None = "weight",
                        strata: str | None = "unit", conf_level: float = 0.95,
                        method: str = "logit", lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based weighted proportion with its interval, as R ``svyciprop``.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Indicator column.
    event : scalar
        The answer counted (default ``True``; ``False`` on ``facility_friendly``
        counts "not friendly").
    weight, strata, conf_level, lonely_psu : see :func:`weighted_mean`.
    method : {"logit", "mean"}
        ``"logit"`` (svyciprop's default): Wald interval on the logit scale,
        back-transformed; ``"mean"``: the normal interval of the proportion.

    Returns
    -------
    DataFrame
        One row: ``variable, estimate, se, ci_low, ci_high, n, n_strata, df, method``
        on the 0..1 scale.

    Notes
    -----
    ``p`` and ``SE(p)`` as :func:`weighted_mean` of the 0/1 indicator.
    Logit: ``expit(logit(p) +/- t_{df} SE(p) / (p (1 - p)))`` with
    ``df = (respondents with positive weight) - (number of strata)`` (R ``degf``);
    equals ``svyciprop(~I(y), design, method = "logit")``. Mean:
    ``p +/- t_{df} SE(p)`` (``method = "mean"``).

    References
    ----------
    Lumley (2010), ch. 2.2; Korn, E. L. & Graubard, B. I. (1998). Confidence
    intervals for proportions with small expected number of positive counts
    estimated from survey data. Survey Methodology 24, 193-201.
    """
    if column not in df.columns:
        raise ValueError(f"weighted_proportion: the table has no column {column!r}")
    if method not in ("logit", "mean"):
        raise ValueError(f"unknown method {method!r}; use 'logit' (default) or 'mean'")
    w, codes = _design(df, weight, strata)
    s = df[column]
    y = s.eq(event).astype("boolean").astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    y[s.isna().to_numpy()] = np.nan
    est, se, n = _weighted(y, w, codes, lonely_psu)
    dfree = int(np.sum(w > 0)) - int(len(np.unique(codes[w > 0])))
    t = float(sps.t.ppf(0.5 + conf_level / 2, dfree)) if dfree > 0 else np.nan
    if method == "mean":
        lo, hi = est - t * se, est + t * se
    elif 0 < est < 1:
        lg = math.log(est / (1 - est))
        sl = se / (est * (1 - est))
        lo, hi = 1 / (1 + math.exp(-(lg - t * sl))), 1 / (1 + math.exp(-(lg + t * sl)))
    else:
        lo = hi = est
    return pd.DataFrame([{
        "variable": column, "estimate": est, "se": se, "ci_low": lo, "ci_high": hi, "n": n,
        "n_strata": int(len(np.unique(codes))), "df": dfree,
        "method": f"design-based weighted proportion, stratified, Taylor linearisation; "
                  f"{method} interval (R survey::svyciprop)",
    }])
