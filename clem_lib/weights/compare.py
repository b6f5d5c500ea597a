"""Design-based comparisons of two groups of respondents (two domains of one design)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..intervals import t_value, z_value

from ..stats.multitest import finish
from ..stats.rows import NOT_ENOUGH, gap_row, label_value, side_values
from .chisq import rao_scott, table_cells
from .design import Design, design_text, ikm_ratio, indicator_values, logit_ci, numeric_values, ratio_mean
from .estimates import ikm_answers

__all__ = ["compare_proportions_design", "design_difference"]


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

    for c in (column, by):
        if c not in df.columns:
            raise ValueError(f"compare_proportions_design: the table has no column {c!r}")
    des = Design(df, weight, strata, fpc, lonely_psu)
    y = indicator_values(df[column], event)
    m1 = side_values(df, by, group1)
    m2 = side_values(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    e1, z1, n1 = ratio_mean(y, des.w, m1)
    e2, z2, n2 = ratio_mean(y, des.w, m2)
    if metric is None:
        metric = f"pct:{column}"
    row = gap_row(design="two-group", family=family or f"{by}: {metric}", unit=unit, comparison=by, metric=metric,
               group1=label_value(group1), group2="rest" if group2 is None else label_value(group2),
               n1=n1, n2=n2, gap_unit="percentage points", estimate1=100 * e1, estimate2=100 * e2,
               effect_name="odds ratio (weighted)")
    if n1 < max(min_n, 1) or n2 < max(min_n, 1):
        row.update(status=NOT_ENOUGH, method="design-based risk difference")
        if n1 and n2:
            row["gap"] = 100 * (e1 - e2)
        return finish([row], adjust=False, method="holm")
    row.update(_gap_figures(des, y, (m1, e1, z1), (m2, e2, z2), conf_level, df.index),
               method=f"Rao-Scott F test (design-based chi-square, {design_text(fpc)}); weighted risk "
                      f"difference, linearised normal interval (R survey::svychisq, svyby + svycontrast)")
    return finish([row], adjust=False, method="holm")


def _gap_figures(des: Design, y: np.ndarray, side1: tuple, side2: tuple, conf_level: float, index) -> dict:
    """Intervals, gap, Rao-Scott test and odds ratio of two domains' shares, (mask, share, z) each,
    in percent: the figures of a :func:`compare_proportions_design` row."""
    (m1, e1, z1), (m2, e2, z2) = side1, side2
    cis = []
    for mask, e, zz in (side1, side2):
        dfree = des.degf(mask)
        t = t_value(conf_level, dfree) if dfree > 0 else np.nan
        cis.append(logit_ci(e, math.sqrt(des.var(zz)), t))
    zq = z_value(conf_level)
    se_gap = math.sqrt(des.var(z1 - z2))
    gap = e1 - e2
    g = pd.Series(np.where(m1, 1.0, np.where(m2, 0.0, np.nan)), index=index)
    M, ok, la, lb = table_cells(pd.DataFrame({"g": g, "y": y}, index=index), "g", "y", None, None)
    test = (rao_scott(M, ok, des, len(la), len(lb), int(ok.sum()), des.degf(ok))
            if len(la) == 2 and len(lb) == 2 else {"statistic": np.nan, "p_value": np.nan})
    with np.errstate(divide="ignore", invalid="ignore"):
        orr = (e1 / (1 - e1)) / (e2 / (1 - e2)) if 0 < e2 < 1 and e1 < 1 else np.nan
    return dict(ci1_low=100 * cis[0][0], ci1_high=100 * cis[0][1], ci2_low=100 * cis[1][0],
                ci2_high=100 * cis[1][1], gap=100 * gap, ci_low=100 * (gap - zq * se_gap),
                ci_high=100 * (gap + zq * se_gap), statistic=test["statistic"], p_value=test["p_value"],
                effect_size=float(orr))


def design_difference(df: pd.DataFrame, *, domain: str, column: str | None = None, event=None,
                      scheme="permenpan14_2017", weights: str | float = "exact", weight: str | None = "weight",
                      strata: str | None = "unit", fpc: str | None = None, conf_level: float = 0.95,
                      lonely_psu: str = "fail") -> pd.DataFrame:
    """Design-based difference between two domains of the whole design, with its SE, t test and interval.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all strata; do not pre-filter the domains).
    domain : str
        Boolean column: ``True`` rows are the first domain (a district's
        respondents), ``False`` the second (the rest of the city), missing
        rows neither.
    column : str, optional
        The variable compared: its mean, or the share of ``event`` when
        ``event`` is given (as :func:`clem_lib.weighted_proportion`).
        ``None``: the IKM of each domain (as :func:`clem_lib.design_ikm`).
    event : scalar or callable, optional
        With ``column``: the answer counted.
    scheme, weights : as :func:`clem_lib.design_ikm` (used for the IKM).
    weight, strata, fpc, conf_level, lonely_psu : see :func:`clem_lib.weighted_mean`.

    Returns
    -------
    DataFrame
        One row: ``variable`` (``"ikm"`` or the column), ``estimate1``,
        ``estimate2`` (the two domains), ``difference`` (first minus second),
        ``se``, ``statistic`` (t), ``df``, ``p_value`` (two-sided), ``ci_low``,
        ``ci_high``, ``n1``, ``n2`` (respondents who answered), ``method``.
        Shares on the 0..1 scale, the IKM on its 25..100 scale.

    Notes
    -----
    Each domain's estimate is a ratio of weighted totals with linearised
    values ``z`` (0 outside it); the difference's variance is the design
    variance of ``z1 - z2``. ``t = difference / SE`` on the design's degrees
    of freedom less one (respondents answered in either domain, minus their
    strata, minus 1); interval ``difference +/- t_{df} SE``. For a mean or a
    share this is R ``svyttest(y ~ domain, des)``; for the IKM, ``svycontrast``
    of ``svyratio`` on each unsur's domain totals
    (``tests/r_reference/district_design.R``). P-values are not adjusted.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2.3 (domains), 5.2 (svyttest).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 3 + ["B"] * 3 + ["C"] * 3, "N": [30] * 3 + [10] * 3 + [20] * 3,
    ...                   "y": [3, 4, 2, 4, 4, 3, 2, 2, 3], "inside": [True] * 6 + [False] * 3})
    >>> r = design_difference(d, domain="inside", column="y", weight=None, fpc="N").iloc[0]
    >>> round(float(r.difference), 3), round(float(r.se), 3), int(r.df)
    (0.833, 0.518, 5)
    """
    if domain not in df.columns:
        raise ValueError(f"design_difference: the table has no domain column {domain!r}")
    inside = df[domain].astype("boolean")
    m1 = inside.fillna(False).to_numpy(dtype=bool)
    m2 = (~inside).fillna(False).to_numpy(dtype=bool)
    des = Design(df, weight, strata, fpc, lonely_psu)
    if column is None:
        s, c, x = ikm_answers(df, scheme, weights, "design_difference")
        sides = [ikm_ratio(x, des.w, m, c) for m in (m1, m2)]
        answered, variable = ~np.isnan(x).all(axis=1), "ikm"
        what = "IKM (R survey::svyratio + svycontrast)"
    else:
        if column not in df.columns:
            raise ValueError(f"design_difference: the table has no column {column!r}")
        y = numeric_values(df, column) if event is None else indicator_values(df[column], event)
        sides = [ratio_mean(y, des.w, m) for m in (m1, m2)]
        answered, variable = ~np.isnan(y), column
        what = f"{'mean' if event is None else 'share'} (R survey::svyttest)"
    row = difference_row(des, (*sides[0], m1), (*sides[1], m2), answered, conf_level)
    return pd.DataFrame([{"variable": variable, **row,
                          "method": f"design-based difference of domain {what}, {design_text(fpc)}, "
                                    "Taylor linearisation, t test on the design's degrees of freedom less one"}])


def difference_row(des: Design, side1: tuple, side2: tuple, answered: np.ndarray, conf_level: float,
                   scale: float = 1.0) -> dict:
    """The figures of a :func:`design_difference` row from two domains' ``(estimate, z, n, mask)``,
    estimates, difference, SE and interval multiplied by ``scale`` (100 for percentages)."""
    (e1, z1, n1, m1), (e2, z2, n2, m2) = side1, side2
    diff = e1 - e2
    se = math.sqrt(des.var(z1 - z2)) if np.isfinite(diff) else np.nan
    dfree = des.degf(answered & (m1 | m2)) - 1
    stat = p = lo = hi = np.nan
    if np.isfinite(diff) and dfree > 0:
        q = t_value(conf_level, dfree)
        lo, hi = diff - q * se, diff + q * se
        if se > 0:
            stat = diff / se
            p = float(2 * sps.t.sf(abs(stat), dfree))
    return {"estimate1": scale * e1, "estimate2": scale * e2, "difference": scale * diff, "se": scale * se,
            "statistic": stat, "df": dfree, "p_value": p, "ci_low": scale * lo, "ci_high": scale * hi,
            "n1": n1, "n2": n2}
