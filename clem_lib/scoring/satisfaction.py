"""The satisfaction index (IKM) by the regulation: NRR per unsur, the index, its interval.

``ikm_point`` applies the regulation's formula to one slice of the cleaned
table: NRR per unsur = sum of answers / number of answers to that unsur,
IKM = 25 x sum over unsur of NRR x weight. ``nrr`` gives the NRR of every
unsur and ``ikm`` the index with its grade and interval, by group.

The grouped functions convert the answers of the whole table once and sum
them per group (``np.bincount`` over the group numbers); the same formulas
run group by group when some answer is off the scale (so the error names the
first offending respondent) and for the bootstrap (seeded per group).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import ClemInputError
from ..intervals import t_value
from ..defaults import CONF_LEVEL, DEFAULT_SEED
from .intervals import bootstrap_interval, delta_interval, group_seed
from .schemes import Scheme, get_scheme, ikm_grade
from .tables import (
    by_list,
    check_columns,
    check_level,
    group_codes,
    group_matrix_sums,
    iter_groups,
    rows_frame,
    scores,
)

__all__ = ["ikm_point", "nrr", "ikm"]


def ikm_point(df: pd.DataFrame, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
              weights: str | float = "exact") -> float:
    """IKM of one slice of the cleaned table, by the regulation's formula.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (one row per respondent) with ``unsur_<key>`` columns 1..4.
    scheme : str, mapping or Scheme
        See :func:`get_scheme`.
    weights : {"exact", "rounded", "rounded2"} or float
        Weight of each unsur: 1/k, 1/k rounded to 3 decimals (0.111 / 0.071),
        to 2 decimals (0.11), or the number given.

    Returns
    -------
    float
        IKM on the 25..100 scale, unrounded; NaN when some unsur has no answer.

    Notes
    -----
    ``NRR_u = sum of answers to u / number of answers to u`` (missing answers
    are left out of both), ``IKM = 25 * sum_u NRR_u * w``.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran, Bab IV (Pengolahan Data).

    Examples
    --------
    >>> df = pd.DataFrame({c: [3, 4, 3] for c in get_scheme().columns})
    >>> round(ikm_point(df), 4), round(ikm_point(df, weights="rounded"), 4)
    (83.3333, 83.25)
    """
    s = get_scheme(scheme)
    w = s.weight(weights)
    check_columns(df, s.columns, "ikm_point")
    x = scores(df, s)
    with np.errstate(invalid="ignore"):
        counts = np.sum(~np.isnan(x), axis=0)
        if x.shape[0] == 0 or np.any(counts == 0):
            return float("nan")
        nrr_u = np.nansum(x, axis=0) / counts
    return float(25.0 * np.sum(nrr_u * w))


def nrr(df: pd.DataFrame, by=None, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
        weights: str | float = "exact", level: float = 0.95) -> pd.DataFrame:
    """Average score (*nilai rata-rata*, NRR) of every unsur, optionally by group.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` columns (answers 1..4, ``<NA>`` missing).
    by : str or list of str, optional
        Grouping columns (``unit``, ``sector``, ``service``, ``round``, a subgroup flag...).
    scheme : str, mapping or Scheme
        See :func:`get_scheme`.
    weights : {"exact", "rounded", "rounded2"} or float
        Weight convention used for ``nrr_weighted`` (see :meth:`Scheme.weight`).
    level : float
        Confidence level of the interval for the mean.

    Returns
    -------
    DataFrame
        One row per group x unsur (scheme order within each group), columns:
        the ``by`` columns, then ``unsur`` (key), ``label_id``, ``label_en``,
        ``n`` (answers), ``total`` (sum of answers), ``nrr`` (total / n),
        ``ci_low``, ``ci_high`` (t interval of the mean, n - 1 df),
        ``nrr_weighted`` (nrr x weight, *NRR tertimbang*), ``nrr_converted``
        (nrr x 25, the unsur on the 25..100 scale), ``weight``.

    Notes
    -----
    ``NRR_u = sum_i y_iu / n_u`` over the respondents who answered unsur u;
    the interval is ``NRR_u +/- t_{n_u-1} s_u / sqrt(n_u)``.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran, Bab IV.

    Examples
    --------
    >>> df = pd.DataFrame({"unsur_waktu": [3, 4, 2, None], "unsur_biaya": [4, 4, 3, 3]})
    >>> t = nrr(df, scheme={"unsur": ["waktu", "biaya"]})
    >>> t[["unsur", "n", "total", "nrr", "nrr_converted"]]
       unsur  n  total  nrr  nrr_converted
    0  waktu  3    9.0  3.0           75.0
    1  biaya  4   14.0  3.5           87.5
    """
    check_level(level)
    s = get_scheme(scheme)
    w = s.weight(weights)
    by_cols = by_list(by)
    check_columns(df, s.columns, "nrr")
    cols = by_cols + ["unsur", "label_id", "label_en", "n", "total", "nrr", "ci_low", "ci_high",
                      "nrr_weighted", "nrr_converted", "weight"]
    fast = _nrr_fast(df, by_cols, s, w, level)
    if fast is not None:
        return rows_frame(fast, cols)
    rows = []
    for key, sub in iter_groups(df, by_cols):
        x = scores(sub, s)
        for j, u in enumerate(s.unsur):
            col = x[:, j]
            col = col[~np.isnan(col)]
            n = int(col.size)
            total = float(col.sum()) if n else float("nan")
            mean = total / n if n else float("nan")
            if n >= 2:
                se = float(np.std(col, ddof=1)) / math.sqrt(n)
                tq = t_value(level, n - 1)
                lo, hi = mean - tq * se, mean + tq * se
            else:
                lo = hi = float("nan")
            rows.append({**key, "unsur": u, "label_id": s.labels_id[u], "label_en": s.labels_en[u],
                         "n": n, "total": total, "nrr": mean, "ci_low": lo, "ci_high": hi,
                         "nrr_weighted": mean * w, "nrr_converted": mean * 25.0, "weight": w})
    return rows_frame(rows, cols)


def _fast_group_sums(df: pd.DataFrame, by_cols: list[str], s: Scheme):
    """Shared start of the fast paths: the answer matrix of the whole table, the group
    numbers and the per-group sums. None when some answer is off the scale (the per-group
    path then raises its error); an empty list when there is no group."""
    try:
        x = scores(df, s)
    except ClemInputError:
        return None
    keys, codes = group_codes(df, by_cols)
    g = len(keys)
    if g == 0:
        return []
    return (x, keys, codes, g, *group_matrix_sums(x, codes, g))


def _nrr_fast(df: pd.DataFrame, by_cols: list[str], s: Scheme, w: float,
              level: float) -> list[dict] | None:
    """Rows of :func:`nrr` from one answer matrix of the whole table and per-group sums.

    Same formulas as the per-group loop (two-pass standard deviation around
    each group's mean); returns None when some answer is off the scale, so that
    the per-group path raises its error.
    """
    from scipy import stats as sps

    sums = _fast_group_sums(df, by_cols, s)
    if sums is None or sums == []:
        return sums
    x, keys, codes, g, r, _, counts, totals = sums
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, totals / counts, np.nan)
        dev = np.where(r, x - mean[codes], 0.0)
        ss = np.column_stack([np.bincount(codes, weights=dev[:, j] ** 2, minlength=g)
                              for j in range(x.shape[1])])
        ok = counts >= 2
        se = np.where(ok, np.sqrt(ss / np.where(ok, counts - 1, 1)) / np.sqrt(counts), np.nan)
        tq = np.where(ok, sps.t.ppf(0.5 + level / 2, np.where(ok, counts - 1, 1)), np.nan)
        lo, hi = mean - tq * se, mean + tq * se
    rows = []
    for i, key in enumerate(keys):
        for j, u in enumerate(s.unsur):
            n = int(counts[i, j])
            m = float(mean[i, j])
            rows.append({**key, "unsur": u, "label_id": s.labels_id[u], "label_en": s.labels_en[u],
                         "n": n, "total": float(totals[i, j]) if n else float("nan"), "nrr": m,
                         "ci_low": float(lo[i, j]), "ci_high": float(hi[i, j]),
                         "nrr_weighted": m * w, "nrr_converted": m * 25.0, "weight": w})
    return rows


def ikm(df: pd.DataFrame, by=None, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
        weights: str | float = "exact", ci: str | None = "delta", n_boot: int = 2000,
        seed: int = DEFAULT_SEED, level: float = CONF_LEVEL, boot_method: str = "BCa") -> pd.DataFrame:
    """The satisfaction index (IKM) with its grade and a 95% interval, optionally by group.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` columns (answers 1..4, ``<NA>`` missing).
    by : str or list of str, optional
        Grouping columns, e.g. ``"unit"``, ``["unit", "round"]``, ``"special_group"``.
    scheme : str, mapping or Scheme
        See :func:`get_scheme`.
    weights : {"exact", "rounded", "rounded2"} or float
        Per-unsur weight: 1/k, 0.111 (0.071 for 14 unsur), 0.11, or a number.
    ci : {"delta", "bootstrap", None}
        Interval: delta method (default), bootstrap over respondents, or none.
    n_boot : int
        Bootstrap resamples (``ci="bootstrap"``).
    seed : int
        Seed of the bootstrap. Each group gets its own stream derived from
        ``seed`` and the group's key, so a unit's interval is the same whether
        it is computed alone or together with other units.
    level : float
        Confidence level.
    boot_method : {"BCa", "percentile", "basic"}
        Bootstrap interval type (passed to ``scipy.stats.bootstrap``).

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``ikm`` (25..100, unrounded),
        ``ci_low``, ``ci_high``, ``n`` (respondents with at least one unsur
        answer), ``grade`` (A..D, from the IKM rounded to two decimals half
        up), ``label_id``, ``label_en``, ``scheme``, ``weight``, ``method``.

    Notes
    -----
    ``IKM = 25 * sum_u NRR_u * w`` (:func:`ikm_point`). The default interval
    is the delta method with a t quantile (:func:`.intervals.delta_interval`),
    cut to the scale (25..100): a sum of ratios whose answers are correlated
    within a respondent, it equals R's ``survey::svyratio`` + ``svycontrast``
    standard error (pinned in the tests) and holds its 95% coverage at n = 30
    where the bootstrap falls short (the simulation in docs/scoring.md).
    ``ci="bootstrap"`` resamples whole respondents (BCa by default). Sampling
    weights are not used: the regulation's index of a unit is unweighted; the
    design-based IKM of a city is :func:`clem_lib.weights.design_ikm`.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran; Efron, B. (1987). Better bootstrap
    confidence intervals. JASA 82(397), 171-185; Wolter, K. (2007).
    Introduction to Variance Estimation, ch. 6 (Taylor series methods).

    Examples
    --------
    >>> df = pd.DataFrame({"unit": ["A"] * 4 + ["B"] * 3, "unsur_waktu": [3, 4, 2, 3, 4, 4, 3],
    ...                    "unsur_biaya": [4, 4, 3, None, 3, 4, 4]})
    >>> out = ikm(df, by="unit", scheme={"unsur": ["waktu", "biaya"]})
    >>> out[["unit", "ikm", "ci_low", "ci_high", "n", "grade"]].round(2)
      unit    ikm  ci_low  ci_high  n grade
    0    A  83.33   55.55    100.0  4     B
    1    B  91.67   73.74    100.0  3     A
    """
    check_level(level)
    _check_interval_options(ci, n_boot, boot_method)
    s = get_scheme(scheme)
    w = s.weight(weights)
    by_cols = by_list(by)
    check_columns(df, s.columns, "ikm")
    method = _ikm_method(s, weights, w, ci, n_boot, seed, boot_method)
    cols = by_cols + ["ikm", "ci_low", "ci_high", "n", "grade", "label_id", "label_en", "scheme",
                      "weight", "method"]
    if ci != "bootstrap":
        fast = _ikm_fast(df, by_cols, s, w, ci, level, method)
        if fast is not None:
            return rows_frame(fast, cols)
    rows = [_ikm_group(key, sub, s, w, ci, level, (int(n_boot), seed, boot_method), method)
            for key, sub in iter_groups(df, by_cols)]
    return rows_frame(rows, cols)


def _check_interval_options(ci, n_boot, boot_method) -> None:
    """Raise a ``ValueError`` for an interval :func:`ikm` does not know or cannot compute."""
    if ci not in ("bootstrap", "delta", None):
        raise ValueError(f"ci={ci!r}; use 'bootstrap', 'delta' or None")
    if ci == "bootstrap":
        if int(n_boot) < 100:
            raise ValueError(f"n_boot={n_boot} is too small for an interval; use 1000 or more")
        if boot_method not in ("BCa", "percentile", "basic"):
            raise ValueError(f"boot_method={boot_method!r}; use 'BCa', 'percentile' or 'basic'")


def _ikm_method(s: Scheme, weights, w: float, ci, n_boot, seed, boot_method) -> str:
    """The ``method`` column of :func:`ikm`: scheme, weights and interval."""
    wname = weights if isinstance(weights, str) else f"weight {w:g}"
    if ci == "bootstrap":
        how = f"{boot_method} bootstrap over respondents, {int(n_boot)} resamples, seed {seed}"
    elif ci == "delta":
        how = "delta-method (linearisation) t interval"
    else:
        how = "no interval"
    return f"{s.name} {wname} weights; {how}"


def _ikm_row(key: dict, est: float, lo: float, hi: float, n: int, s: Scheme, w: float,
             method: str) -> dict:
    """One row of :func:`ikm`: the group's key, the index, its interval and its grade."""
    band = ikm_grade(est, s)
    return {**key, "ikm": est, "ci_low": lo, "ci_high": hi, "n": n,
            "grade": band.grade if band else None,
            "label_id": band.label_id if band else None,
            "label_en": band.label_en if band else None,
            "scheme": s.name, "weight": w, "method": method}


def _ikm_group(key: dict, sub: pd.DataFrame, s: Scheme, w: float, ci, level: float, boot,
               method: str) -> dict:
    """The row of :func:`ikm` for one group, computed from its own answers.

    ``boot`` is ``(n_boot, seed, boot_method)``.
    """
    x = scores(sub, s)
    x = x[~np.all(np.isnan(x), axis=1)] if x.size else x
    est = ikm_point(sub, scheme=s, weights=w)
    lo = hi = float("nan")
    if ci == "delta":
        lo, hi, _ = delta_interval(x, w, level)
        lo, hi = max(lo, 25.0 * s.scale_min * s.k * w), min(hi, 25.0 * s.scale_max * s.k * w)
    elif ci == "bootstrap":
        n_boot, seed, boot_method = boot
        rng = np.random.default_rng(group_seed(seed, key))
        lo, hi = bootstrap_interval(x, w, level, n_boot, rng, boot_method)
    return _ikm_row(key, est, lo, hi, int(x.shape[0]), s, w, method)


def _ikm_fast(df: pd.DataFrame, by_cols: list[str], s: Scheme, w: float, ci: str | None,
              level: float, method: str) -> list[dict] | None:
    """Rows of :func:`ikm` (delta interval or none) from one answer matrix of the whole table.

    The answers are converted once; each group's NRR, IKM and delta-method SE
    come from per-group sums (``np.bincount`` over the group numbers), with the
    same formulas as :func:`ikm_point` and :func:`.intervals.delta_interval`. Returns
    None when some answer is off the scale, so that the per-group path raises
    its error naming the first offending group's respondent.
    """
    from scipy import stats as sps

    sums = _fast_group_sums(df, by_cols, s)
    if sums is None or sums == []:
        return sums
    _, keys, codes, g, r, y0, counts, totals = sums
    rows_in_group = np.bincount(codes, minlength=g)
    n = np.bincount(codes, weights=r.any(axis=1), minlength=g).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr_u = totals / counts
        complete = np.all(counts > 0, axis=1) & (rows_in_group > 0)
        est = np.where(complete, 25.0 * np.sum(nrr_u * w, axis=1), np.nan)
        lo = np.full(g, np.nan)
        hi = np.full(g, np.nan)
        if ci == "delta":
            ok = complete & (n >= 2)
            z = 25.0 * w * ((y0 - nrr_u[codes] * r) / counts[codes]).sum(axis=1)
            ssz = np.bincount(codes, weights=np.where(ok[codes], z, 0.0) ** 2, minlength=g)
            idx = np.flatnonzero(ok)
            nn = n[idx].astype(float)
            se = np.sqrt(nn / (nn - 1) * ssz[idx])
            est_d = 25.0 * w * nrr_u[idx].sum(axis=1)
            tq = sps.t.ppf(0.5 + level / 2, nn - 1)
            lo[idx] = np.maximum(est_d - tq * se, 25.0 * s.scale_min * s.k * w)
            hi[idx] = np.minimum(est_d + tq * se, 25.0 * s.scale_max * s.k * w)
    return [_ikm_row(key, float(est[i]), float(lo[i]), float(hi[i]), int(n[i]), s, w, method)
            for i, key in enumerate(keys)]
