"""Citizen Report Card indicators: shares satisfied, problems, extra payments, times and costs.

One long tidy table, one row per indicator (x unsur) and group, in the order
the report card reads: satisfaction, problems, payments, time, cost,
complaints. Shares carry Wilson intervals, medians order-statistic ones.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .intervals import median_interval, wilson_percent
from .schemes import Scheme, get_scheme
from .tables import as_bool, as_float, by_list, check_level, iter_groups, rows_frame

__all__ = ["CRC_COLUMNS", "crc_indicators"]

CRC_COLUMNS = ["indicator", "unsur", "metric", "estimate", "ci_low", "ci_high", "n", "count",
               "method"]
"""Columns of :func:`crc_indicators` after the grouping columns."""


def crc_indicators(df: pd.DataFrame, by=None, *,
                   scheme: str | Mapping | Scheme = "permenpan14_2017",
                   level: float = 0.95) -> pd.DataFrame:
    """Citizen Report Card indicators as a long tidy table, optionally by group.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (data_model.md). Indicators whose columns are absent are
        left out; the unsur columns come from ``scheme``.
    by : str or list of str, optional
        Grouping columns.
    scheme : str, mapping or Scheme
        Which ``unsur_<key>`` columns are the elements.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Sorted by group, one row per indicator (x unsur); columns: the ``by``
        columns, ``indicator``, ``unsur`` (key or ``<NA>``), ``metric``
        (``indicator`` or ``indicator:unsur``, the results.csv name),
        ``estimate``, ``ci_low``, ``ci_high``, ``n`` (denominator: respondents
        who answered), ``count`` (numerator for proportions), ``method``.
        Percentages are on 0..100. Indicators:

        - ``pct_satisfied`` / ``pct_dissatisfied`` per unsur and ``overall``
          (``overall_satisfaction``): top two boxes (3-4) / bottom two (1-2);
        - ``pct_had_problem``; ``pct_problem_resolved`` among those who had one;
        - ``pct_paid_extra``; ``median_extra_amount`` (rupiah, among payers);
        - ``pct_broker`` (``channel == "broker"``);
        - ``median_days`` and ``median_standard_days``; ``pct_over_standard``
          (days_to_complete > standard_days, among those with both);
        - ``median_cost_paid`` and ``median_official_fee``; ``pct_cost_above_fee``
          (cost_paid > official_fee);
        - ``pct_knows_complaint``.

    Notes
    -----
    Proportions carry Wilson score intervals
    (``statsmodels.stats.proportion.proportion_confint(method="wilson")``);
    medians carry the distribution-free order-statistic interval
    (``scipy.stats.quantile_test(...).confidence_interval``), which is
    ``<NA>``/infinite when n is too small for the level.

    References
    ----------
    Public Affairs Centre (Bangalore), Citizen Report Cards; Wilson, E. B.
    (1927). Probable inference... JASA 22, 209-212.

    Examples
    --------
    >>> df = pd.DataFrame({"unsur_waktu": [4, 3, 2, 1, 4], "paid_extra": [True, False, False, None, True],
    ...                    "extra_amount": [20000.0, None, None, None, 50000.0]})
    >>> out = crc_indicators(df, scheme={"unsur": ["waktu"]})
    >>> out[["metric", "estimate", "n", "count"]].round(1)
                     metric  estimate  n  count
    0   pct_satisfied:waktu      60.0  5      3
    1  pct_dissatisfied:waktu    40.0  5      2
    2        pct_paid_extra      50.0  4      2
    3   median_extra_amount   35000.0  2   <NA>
    """
    check_level(level)
    s = get_scheme(scheme)
    by_cols = by_list(by)
    rows: list[dict] = []
    for key, sub in iter_groups(df, by_cols):
        card = _Card(key, level)
        _satisfaction(card, sub, s)
        _problems_and_payments(card, sub)
        _time_and_cost(card, sub)
        rows.extend(card.rows)
    out = rows_frame(rows, by_cols + CRC_COLUMNS)
    out["unsur"] = out["unsur"].astype("string")
    out["count"] = pd.array(out["count"], dtype="Int64")
    out["n"] = out["n"].astype("int64")
    return out


class _Card:
    """The rows of one group of :func:`crc_indicators`, added indicator by indicator."""

    def __init__(self, key: dict, level: float):
        self.key, self.level, self.rows = key, level, []

    def share(self, indicator: str, unsur, hit: np.ndarray, asked: np.ndarray) -> None:
        """A percentage: rows with ``hit`` among the rows ``asked``, with its Wilson interval."""
        den = int(asked.sum())
        num = int((hit & asked).sum())
        lo, hi = wilson_percent(num, den, self.level)
        self.rows.append({**self.key, "indicator": indicator, "unsur": unsur,
                          "metric": indicator if unsur is None else f"{indicator}:{unsur}",
                          "estimate": 100.0 * num / den if den else float("nan"),
                          "ci_low": lo, "ci_high": hi, "n": den, "count": num,
                          "method": "Wilson score interval"})

    def median(self, indicator: str, values: np.ndarray) -> None:
        """A median of the non-missing ``values``, with its order-statistic interval."""
        med, lo, hi = median_interval(values, self.level)
        self.rows.append({**self.key, "indicator": indicator, "unsur": None, "metric": indicator,
                          "estimate": med, "ci_low": lo, "ci_high": hi,
                          "n": int(np.sum(~np.isnan(values))), "count": pd.NA,
                          "method": "median; order-statistic (binomial) interval"})


def _flag(sub: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray]:
    """A flag column as (True where true, True where answered)."""
    b = as_bool(sub[col])
    return b.fillna(False).to_numpy(dtype=bool), b.notna().to_numpy(dtype=bool)


def _satisfaction(card: _Card, sub: pd.DataFrame, s: Scheme) -> None:
    """Top two boxes, then bottom two, of every unsur and of the overall satisfaction."""
    score_cols = [(u, f"unsur_{u}") for u in s.unsur if f"unsur_{u}" in sub.columns]
    if "overall_satisfaction" in sub.columns:
        score_cols.append(("overall", "overall_satisfaction"))
    for label in ("pct_satisfied", "pct_dissatisfied"):
        for u, col in score_cols:
            v = as_float(sub[col])
            answered = ~np.isnan(v)
            hit = (v >= 3) if label == "pct_satisfied" else (v <= 2)
            card.share(label, u, hit & answered, answered)


def _problems_and_payments(card: _Card, sub: pd.DataFrame) -> None:
    """Problems and their resolution, extra payments and their amount, brokers."""
    if "had_problem" in sub.columns:
        had, known = _flag(sub, "had_problem")
        card.share("pct_had_problem", None, had, known)
        if "problem_resolved" in sub.columns:
            res, rknown = _flag(sub, "problem_resolved")
            card.share("pct_problem_resolved", None, res, rknown & had)
    if "paid_extra" in sub.columns:
        paid, known = _flag(sub, "paid_extra")
        card.share("pct_paid_extra", None, paid, known)
        if "extra_amount" in sub.columns:
            amt = as_float(sub["extra_amount"])
            card.median("median_extra_amount", np.where(paid, amt, np.nan))
    if "channel" in sub.columns:
        ch = sub["channel"].astype("string")
        known = ch.notna().to_numpy(dtype=bool)
        card.share("pct_broker", None, (ch == "broker").fillna(False).to_numpy(dtype=bool), known)


def _time_and_cost(card: _Card, sub: pd.DataFrame) -> None:
    """Days to complete and cost paid against the standard and the official fee; complaints known."""
    for value, median, standard, median_standard, over in (
            ("days_to_complete", "median_days", "standard_days", "median_standard_days",
             "pct_over_standard"),
            ("cost_paid", "median_cost_paid", "official_fee", "median_official_fee",
             "pct_cost_above_fee")):
        if value not in sub.columns:
            continue
        v = as_float(sub[value])
        card.median(median, v)
        if standard in sub.columns:
            std = as_float(sub[standard])
            card.median(median_standard, std)
            both = ~np.isnan(v) & ~np.isnan(std)
            card.share(over, None, both & (v > std), both)
    if "knows_complaint" in sub.columns:
        knows, known = _flag(sub, "knows_complaint")
        card.share("pct_knows_complaint", None, knows, known)
