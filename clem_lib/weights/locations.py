"""Figures of a location (a district or an agency) as a whole, and the location against the rest of the city.

A location is a set of service units. Each unit was sampled on its own, so
the location's figure is a stratified estimate over its units (strata =
units, weights ``N_h / n_h`` and the finite-population correction from each
unit's users per month), as the city's is over all units. It differs from
the plain mean of its units' figures whenever the units serve different
numbers of users or were sampled at different rates: a busy unit counts for
more users than a quiet one.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from ..scoring import ikm_point
from .compare import difference_row
from .design import Design, design_text, ikm_ratio, ratio_mean
from .estimates import crc_events, design_crc, design_ikm, ikm_answers
from .sizes import stratum_sizes

__all__ = ["location_ikm", "location_crc", "compare_location_design"]


def _with_sizes(df: pd.DataFrame, units, unit: str) -> tuple[pd.DataFrame, str]:
    """``df`` with a column of each respondent's unit size ``N_h`` (for ``fpc=``), and that column's name."""
    name = "N"
    while name in df.columns:
        name = f"_{name}"
    return df.assign(**{name: stratum_sizes(df, units, unit=unit)}), name


def location_ikm(df: pd.DataFrame, units, *, unit: str = "unit", scheme="permenpan14_2017",
                 weights: str | float = "exact", conf_level: float = 0.95, lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based IKM of a location (district or agency) as a whole, beside the mean of its units' IKMs.

    Parameters
    ----------
    df : DataFrame
        Cleaned table of the location's units only (one round), with the
        scheme's ``unsur_<key>`` columns.
    units : DataFrame or mapping
        ``load_units()`` or a mapping ``unit -> users per month``: ``N_h`` of
        each unit.
    unit : str
        Unit column of ``df`` (the strata).
    scheme, weights, conf_level, lonely_psu : as :func:`clem_lib.design_ikm`.

    Returns
    -------
    DataFrame
        One row: the columns of :func:`clem_lib.design_ikm` (``ikm, se,
        ci_low, ci_high, n, n_strata, df, grade, label_id, label_en, method``)
        for the location, then ``mean_of_units`` (the unweighted mean of the
        units' IKMs, each by the regulation's formula) and ``n_units`` (units
        with an IKM, i.e. with an answer to every unsur).

    Raises
    ------
    ClemInputError
        A unit with respondents has no users per month, or more respondents
        than users.

    Notes
    -----
    R: ``svydesign(ids = ~1, strata = ~unit, fpc = ~N, weights = ~w, data =
    location_rows)`` with ``w = N_h / n_h``, then the IKM as
    :func:`clem_lib.design_ikm` (``tests/r_reference/district_design.R``).
    Estimated on the location's rows alone, this equals the location as a
    domain of the city-wide design, because a location is a union of whole
    strata.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3, "unsur_x": [3, 4, 2, 4, 4, 3],
    ...                   "unsur_y": [3, 3, 2, 4, 2, 3]})
    >>> s = {"name": "two", "base": "permenpan14_2017", "unsur": ["x", "y"]}
    >>> r = location_ikm(d, {"A": 300, "B": 100}, scheme=s).iloc[0]
    >>> round(float(r.ikm), 2), round(float(r.mean_of_units), 2), int(r.n_units)
    (73.96, 77.08, 2)
    """
    d, size = _with_sizes(df, units, unit)
    out = design_ikm(d, scheme=scheme, weights=weights, weight=None, strata=unit, fpc=size,
                     conf_level=conf_level, lonely_psu=lonely_psu)
    per_unit = [ikm_point(part, scheme=scheme, weights=weights) for _, part in df.groupby(unit, sort=True, observed=True)]
    per_unit = [v for v in per_unit if np.isfinite(v)]
    out["mean_of_units"] = float(np.mean(per_unit)) if per_unit else np.nan
    out["n_units"] = len(per_unit)
    return out


def location_crc(df: pd.DataFrame, units, *, unit: str = "unit", scheme="permenpan14_2017",
                 conf_level: float = 0.95, lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based report-card percentages of a location as a whole (strata = its units).

    Parameters
    ----------
    df : DataFrame
        Cleaned table of the location's units only (one round).
    units : DataFrame or mapping
        ``load_units()`` or a mapping ``unit -> users per month``.
    unit, scheme, conf_level, lonely_psu : as :func:`location_ikm`.

    Returns
    -------
    DataFrame
        The rows of :func:`clem_lib.design_crc` (``metric, estimate, ci_low,
        ci_high, se, n, df, method``, percentages), weighted ``N_h / n_h``
        with the finite-population correction.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3,
    ...                   "paid_extra": [True, False, False, True, True, None]})
    >>> r = location_crc(d, {"A": 30, "B": 10})
    >>> r.metric.tolist(), round(float(r.estimate.iloc[0]), 2)
    (['pct_paid_extra'], 45.45)
    """
    d, size = _with_sizes(df, units, unit)
    return design_crc(d, scheme=scheme, weight=None, strata=unit, fpc=size, conf_level=conf_level,
                      lonely_psu=lonely_psu)


def compare_location_design(df: pd.DataFrame, units, location_units: Iterable[str], *, unit: str = "unit",
                            scheme="permenpan14_2017", weights: str | float = "exact", conf_level: float = 0.95,
                            lonely_psu: str = "fail") -> pd.DataFrame:
    """A location against the rest of the city: design-based differences of the IKM and report-card shares.

    Parameters
    ----------
    df : DataFrame
        Cleaned table of the whole city (every unit, one round).
    units : DataFrame or mapping
        ``load_units()`` or a mapping ``unit -> users per month``.
    location_units : iterable of str
        The location's units (the ``units`` of :func:`clem_lib.locations`);
        every other unit of ``df`` is the rest of the city.
    unit, scheme, weights, conf_level, lonely_psu : as :func:`location_ikm`.

    Returns
    -------
    DataFrame
        One row per figure the table has: ``metric`` (``ikm``, then the
        metrics of :func:`clem_lib.design_crc`), ``estimate1`` (the location),
        ``estimate2`` (the rest of the city), ``difference``, ``se``,
        ``statistic`` (t), ``df``, ``p_value``, ``ci_low``, ``ci_high``,
        ``n1``, ``n2``, ``method``. IKM rows in IKM points, the others in
        percent and percentage points. Rest figures are missing when the
        location has every unit of the table.

    Raises
    ------
    ValueError
        None of the location's units has respondents in ``df``.

    Notes
    -----
    The location and the rest are two domains of the city-wide design
    (strata = units, weights ``N_h / n_h``, finite-population correction);
    each row is :func:`clem_lib.design_difference` of that figure. P-values
    are not adjusted for the several figures.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3 + ["C"] * 3,
    ...                   "unsur_x": [3, 4, 2, 4, 4, 3, 2, 2, 3], "unsur_y": [3, 3, 2, 4, 2, 3, 2, 3, 2]})
    >>> s = {"name": "two", "base": "permenpan14_2017", "unsur": ["x", "y"]}
    >>> r = compare_location_design(d, {"A": 300, "B": 100, "C": 200}, ["A", "B"], scheme=s).iloc[0]
    >>> r.metric, round(float(r.difference), 2), int(r.df)
    ('ikm', 15.62, 5)
    """
    inside = df[unit].astype("string").isin([str(u) for u in location_units]).to_numpy(dtype=bool)
    if not inside.any():
        raise ValueError("compare_location_design: none of the location's units has respondents in the table")
    d, size = _with_sizes(df, units, unit)
    des = Design(d, None, unit, size, lonely_psu)
    s, c, x = ikm_answers(df, scheme, weights, "compare_location_design")
    figures = [("ikm", [ikm_ratio(x, des.w, m, c) for m in (inside, ~inside)], ~np.isnan(x).all(axis=1), 1.0)]
    for metric, y in crc_events(df, s):
        figures.append((metric, [ratio_mean(y, des.w, m) for m in (inside, ~inside)], ~np.isnan(y), 100.0))
    rows = []
    for metric, (one, rest), answered, scale in figures:
        row = difference_row(des, (*one, inside), (*rest, ~inside), answered, conf_level, scale)
        rows.append({"metric": metric, **row,
                     "method": f"design-based difference, location minus rest of the city, {design_text(size)}, "
                               "Taylor linearisation, t test on the design's degrees of freedom less one "
                               "(R survey::svyttest; the IKM by svyratio + svycontrast)"})
    return pd.DataFrame(rows, columns=["metric", "estimate1", "estimate2", "difference", "se", "statistic", "df",
                                       "p_value", "ci_low", "ci_high", "n1", "n2", "method"])
