"""Design-based comparisons of two groups of respondents."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..stats import NOT_ENOUGH, _finish, _label_value, _row, _side
from .chisq import rao_scott, table_cells
from .design import Design, design_text, indicator_values, logit_ci, ratio_mean

__all__ = ["compare_proportions_design"]


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
    m1 = _side(df, by, group1)
    m2 = _side(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    e1, z1, n1 = ratio_mean(y, des.w, m1)
    e2, z2, n2 = ratio_mean(y, des.w, m2)
    if metric is None:
        metric = f"pct:{column}"
    row = _row(design="two-group", family=family or f"{by}: {metric}", unit=unit, comparison=by, metric=metric,
               group1=_label_value(group1), group2="rest" if group2 is None else _label_value(group2),
               n1=n1, n2=n2, gap_unit="percentage points", estimate1=100 * e1, estimate2=100 * e2,
               effect_name="odds ratio (weighted)")
    if n1 < max(min_n, 1) or n2 < max(min_n, 1):
        row.update(status=NOT_ENOUGH, method="design-based risk difference")
        if n1 and n2:
            row["gap"] = 100 * (e1 - e2)
        return _finish([row], adjust=False, method="holm")
    row.update(_gap_figures(des, y, (m1, e1, z1), (m2, e2, z2), conf_level, df.index),
               method=f"Rao-Scott F test (design-based chi-square, {design_text(fpc)}); weighted risk "
                      f"difference, linearised normal interval (R survey::svychisq, svyby + svycontrast)")
    return _finish([row], adjust=False, method="holm")


def _gap_figures(des: Design, y: np.ndarray, side1: tuple, side2: tuple, conf_level: float, index) -> dict:
    """Intervals, gap, Rao-Scott test and odds ratio of two domains' shares, (mask, share, z) each,
    in percent: the figures of a :func:`compare_proportions_design` row."""
    (m1, e1, z1), (m2, e2, z2) = side1, side2
    cis = []
    for mask, e, zz in (side1, side2):
        dfree = des.degf(mask)
        t = float(sps.t.ppf(0.5 + conf_level / 2, dfree)) if dfree > 0 else np.nan
        cis.append(logit_ci(e, math.sqrt(des.var(zz)), t))
    zq = float(sps.norm.ppf(0.5 + conf_level / 2))
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
