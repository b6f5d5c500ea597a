"""Sample size: the Krejcie-Morgan minimum and each unit's respondents against it.

Permenpan RB No. 14/2017 sets the sample of a satisfaction survey by Krejcie
and Morgan (1970); :func:`sample_size_check` compares each unit's respondents
with the minimum for its users in the survey period.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..rounding import round_half_up
from .tables import by_list, check_columns

__all__ = ["krejcie_morgan", "sample_size_check"]


def krejcie_morgan(N, *, chi2: float = 3.841, p: float = 0.5, d: float = 0.05):
    """Minimum sample size for a population of N (Krejcie & Morgan, 1970).

    Parameters
    ----------
    N : int or array-like of int
        Population size (e.g. users of the unit in the survey period).
    chi2 : float
        Chi-square for 1 df at the confidence level (3.841 for 95%).
    p : float
        Population proportion assumed (0.5 gives the largest sample).
    d : float
        Degree of accuracy (margin) as a proportion.

    Returns
    -------
    int or ndarray of int
        ``s = chi2 N p (1-p) / (d^2 (N-1) + chi2 p (1-p))`` rounded half up to
        the nearest integer: 10 -> 10, 100 -> 80, 1200 -> 291, 2800 -> 338,
        1,000,000 -> 384. All 90 entries of the published table are reproduced.

    References
    ----------
    Krejcie, R. V., & Morgan, D. W. (1970). Determining sample size for research
    activities. Educational and Psychological Measurement, 30, 607-610.
    Permenpan RB No. 14/2017, Lampiran (sample size by Krejcie and Morgan).

    Examples
    --------
    >>> krejcie_morgan(100), krejcie_morgan(1_000_000)
    (80, 384)
    >>> krejcie_morgan([10, 1200, 2800])
    array([ 10, 291, 338])
    """
    arr = np.asarray(N, dtype=float)
    if np.any(np.isnan(arr)) or np.any(arr < 1) or np.any(arr != np.floor(arr)):
        raise ValueError(f"population size must be a whole number >= 1, got {N!r}")
    s = chi2 * arr * p * (1 - p) / (d ** 2 * (arr - 1) + chi2 * p * (1 - p))
    out = np.floor(s + 0.5 + 1e-9).astype(int)
    out = np.minimum(out, arr.astype(int))
    return int(out) if out.ndim == 0 else out


def sample_size_check(df: pd.DataFrame, units, *, unit: str = "unit", by=None,
                      months: float = 1.0) -> pd.DataFrame:
    """Compare each unit's number of respondents with its Krejcie-Morgan minimum.

    Parameters
    ----------
    df : DataFrame
        Cleaned table, one row per respondent.
    units : DataFrame or mapping
        ``load_units()`` (columns ``name`` and ``users_per_month``), or a mapping
        ``{unit name: users per month}``.
    unit : str
        Column of ``df`` naming the unit.
    by : str or list of str, optional
        Further grouping inside each unit (e.g. ``"round"``: the check is per round).
    months : float
        Length of the survey period in months; the population is
        ``users_per_month x months`` (rounded to a whole number).

    Returns
    -------
    DataFrame
        One row per unit (x ``by`` group), sorted: ``unit``, the ``by`` columns,
        ``users_per_month``, ``population``, ``n`` (respondents), ``n_min``
        (Krejcie-Morgan), ``shortfall`` (``max(n_min - n, 0)``),
        ``below_minimum`` (boolean; ``<NA>`` when the unit's population is
        unknown). Units listed in ``units`` but absent from ``df`` appear with
        ``n = 0`` and are flagged.

    Examples
    --------
    >>> df = pd.DataFrame({"unit": ["A"] * 90 + ["B"] * 20})
    >>> sample_size_check(df, {"A": 100, "B": 50, "C": 40})
      unit  users_per_month  population   n  n_min  shortfall  below_minimum
    0    A            100.0         100  90     80          0          False
    1    B             50.0          50  20     44         24           True
    2    C             40.0          40   0     36         36           True
    """
    upm = _users_per_month(units)
    if months <= 0:
        raise ValueError(f"months={months!r} must be positive")
    by_cols = by_list(by)
    check_columns(df, [unit] + by_cols, "sample_size_check")
    counts = df.groupby([unit] + by_cols, sort=True, dropna=False, observed=True).size()
    rows = {}
    for key, n in counts.items():
        key = key if isinstance(key, tuple) else (key,)
        rows[key] = int(n)
    present_units = {k[0] for k in rows}
    for name in upm:
        if name not in present_units:
            rows[(name,) + tuple([pd.NA] * len(by_cols))] = 0
    out = [{"unit": key[0], **dict(zip(by_cols, key[1:])),
            **_minimum(upm.get(str(key[0])), n, months)} for key, n in rows.items()]
    cols = ["unit"] + by_cols + ["users_per_month", "population", "n", "n_min", "shortfall",
                                 "below_minimum"]
    res = pd.DataFrame(out, columns=cols)
    for c in ("population", "n_min", "shortfall"):
        res[c] = res[c].astype("Int64")
    res["users_per_month"] = pd.to_numeric(res["users_per_month"], errors="coerce").astype("Float64")
    res["n"] = res["n"].astype("int64")
    res["below_minimum"] = res["below_minimum"].astype("boolean")
    return res.sort_values(["unit"] + by_cols, kind="stable", na_position="last").reset_index(drop=True)


def _users_per_month(units) -> dict:
    """``{unit name: users per month}`` from the units table or a mapping."""
    if isinstance(units, pd.DataFrame):
        check_columns(units, ["name", "users_per_month"], "sample_size_check(units)")
        return {str(nm): v for nm, v in zip(units["name"], units["users_per_month"])}
    if isinstance(units, Mapping):
        return {str(k): v for k, v in units.items()}
    raise ValueError("units must be the load_units() table or a mapping {unit: users_per_month}")


def _minimum(users, n: int, months: float) -> dict:
    """Population, minimum, shortfall and flag of a unit with ``n`` respondents (``<NA>``: users unknown)."""
    if users is None or pd.isna(users):
        return {"users_per_month": pd.NA, "population": pd.NA, "n": n, "n_min": pd.NA,
                "shortfall": pd.NA, "below_minimum": pd.NA}
    pop = int(round_half_up(float(users) * months, 0))
    n_min = krejcie_morgan(max(pop, 1))
    return {"users_per_month": users, "population": pop, "n": n, "n_min": n_min,
            "shortfall": max(n_min - n, 0), "below_minimum": bool(n < n_min)}
