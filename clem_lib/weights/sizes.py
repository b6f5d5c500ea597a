"""Stratum sizes and weights from the units file: ``N_h`` (users per month) and ``N_h / n_h``."""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..errors import ClemInputError

__all__ = ["poststratify_weights", "stratum_sizes", "units_without_size"]


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

