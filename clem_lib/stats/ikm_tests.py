"""The IKM of two groups: a stratified bootstrap interval, a permutation p, a standardised gap.

The IKM is :func:`clem_lib.scoring.ikm_point` (the regulation's formula). The
resamples compute the same formula from answer sums and counts per unsur
(:func:`ikm_from_counts`), checked against scoring on the observed data first
(:func:`ikm_arrays`), so thousands of resamples cost a few matrix products.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import scoring
from ..defaults import CONF_LEVEL, DEFAULT_SEED, MIN_N
from ..intervals import z_value
from .multitest import finish
from .rows import NOT_ENOUGH, float_values, gap_row, label_value, need_columns, side_values

__all__ = [
    "compare_ikm", "ikm_gap_row", "ikm_gap_core", "ikm_vs_rest_rows", "ikm_arrays", "ikm_from_counts",
    "ikm_from_sums", "resample_counts",
]

_METHOD = ("IKM (Permenpan RB 14/2017); percentile bootstrap interval stratified by group "
           "({n_boot} resamples), two-sided permutation test ({n_perm} permutations); standardised gap")
_REST_METHOD = ("IKM (Permenpan RB 14/2017); percentile bootstrap interval, every unit resampled on its own "
                "({n_boot} resamples), two-sided permutation test ({n_perm} permutations); standardised gap")


def ikm_from_counts(counts: np.ndarray, xv: np.ndarray, av: np.ndarray, w: float) -> np.ndarray:
    """IKM of each resample given respondent multiplicities ``counts`` (B x n).

    ``xv``: answers (0 where missing), ``av``: 1 where answered, both n x unsur; ``w``: unsur weight.

    >>> x = np.array([[3., 4.], [4., 4.], [2., 3.]])
    >>> ikm_from_counts(np.array([[1., 1., 1.], [0., 3., 0.]]), x, np.ones_like(x), 0.5).round(2).tolist()
    [83.33, 100.0]
    """
    return ikm_from_sums(counts @ xv, counts @ av, w)


def ikm_from_sums(sums: np.ndarray, answered: np.ndarray, w: float) -> np.ndarray:
    """IKM of each row of answer sums and answer counts per unsur (B x unsur): ``25 w sum(NRR)``.

    >>> ikm_from_sums(np.array([[9., 11.]]), np.array([[3., 3.]]), 0.5).round(2).tolist()
    [83.33]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = sums / answered
    return 25.0 * w * nrr.sum(axis=1)


def ikm_arrays(df: pd.DataFrame, scheme, weights) -> tuple[float, np.ndarray, np.ndarray]:
    """Unsur weight, answers (0 where missing) and answered mask of a table, checked against scoring.

    Raises ``RuntimeError`` when the vectorised IKM differs from
    :func:`clem_lib.scoring.ikm_point` on the observed slice.

    >>> cols = scoring.get_scheme("permenpan14_2017").columns
    >>> d = pd.DataFrame({c: pd.array([3, 4, None, 3], dtype="Int64") for c in cols})
    >>> w, xv, a = ikm_arrays(d, "permenpan14_2017", "exact")
    >>> round(w, 4), xv.shape, int(a.sum()), xv[:, 0].tolist()
    (0.1111, (4, 9), 27, [3.0, 4.0, 0.0, 3.0])
    """
    s = scoring.get_scheme(scheme)
    need_columns(df, s.columns, "IKM")
    w = s.weight(weights)
    x = (np.column_stack([float_values(df[c]) for c in s.columns]) if len(df)
         else np.empty((0, len(s.columns))))
    a = (~np.isnan(x)).astype(float)
    xv = np.where(np.isnan(x), 0.0, x)
    if len(df):
        fast = ikm_from_counts(np.ones((1, len(df))), xv, a, w)[0]
        ref = scoring.ikm_point(df, scheme=scheme, weights=weights)
        if not (np.isnan(fast) and np.isnan(ref)) and not math.isclose(fast, ref, rel_tol=1e-12, abs_tol=1e-9):
            raise RuntimeError(f"internal IKM ({fast}) differs from scoring.ikm_point ({ref})")
    return w, xv, a


def resample_counts(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray:
    """Multiplicity of each of n respondents in ``n_boot`` resamples with replacement (n_boot x n).

    >>> c = resample_counts(np.random.default_rng(1), 5, 3)
    >>> c.shape, c.sum(axis=1).tolist()
    ((3, 5), [5.0, 5.0, 5.0])
    """
    idx = rng.integers(0, n, size=(n_boot, n)) + (np.arange(n_boot) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def _check_resamples(n_boot: int, n_perm: int) -> None:
    if n_boot < 100 or n_perm < 100:
        raise ValueError("n_boot and n_perm must be at least 100 (2000 recommended)")


def compare_ikm(df: pd.DataFrame, *, by: str, group1, group2=None,
                scheme="permenpan14_2017", weights="exact", family: str | None = None,
                unit: str = "", min_n: int = MIN_N, n_boot: int = 2000, n_perm: int = 2000,
                seed: int = DEFAULT_SEED, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Compare the IKM of two independent groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with the scheme's ``unsur_<key>`` columns.
    by, group1, group2 : see :func:`~clem_lib.stats.compare_scores`.
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    family, unit, min_n, conf_level : see :func:`~clem_lib.stats.compare_scores`. A side has
        "not enough data" when fewer than ``min_n`` respondents answered any unsur
        or some unsur has no answer.
    n_boot : int
        Bootstrap resamples for the interval (stratified: each group resampled
        on its own).
    n_perm : int
        Random permutations of the group labels for the p-value.
    seed : int
        Seed of the numpy Generator (same seed, same numbers).

    Returns
    -------
    DataFrame
        One row (``GAP_COLUMNS``): ``estimate1/2`` the IKM of each group (25..100)
        with percentile bootstrap intervals ``ci1_*``/``ci2_*``,
        ``gap`` their difference in IKM points with the percentile bootstrap
        interval, ``statistic`` the gap, ``p_value`` the two-sided permutation
        p ``(1 + #{|gap*| >= |gap|}) / (n_perm + 1)``, ``effect_size`` the
        standardised gap ``gap / pooled SD`` of the respondents' IKM-scale scores
        (Cohen's d on ``25 x mean of the answered unsur``) with the large-sample
        interval ``d +/- z sqrt(N/(n1 n2) + d^2/(2N))`` (Hedges & Olkin 1985).

    Notes
    -----
    ``IKM = 25 x w x sum_u NRR_u`` with ``NRR_u`` the mean of the answers to
    unsur u (Permenpan RB 14/2017); computed by :func:`clem_lib.scoring.ikm_point`
    and, for the resamples, by the same formula on resample counts.

    References
    ----------
    Efron, B. & Tibshirani, R. (1993). An Introduction to the Bootstrap, ch. 13
    (percentile interval) and 15 (permutation tests). Hedges, L. V. & Olkin, I.
    (1985). Statistical Methods for Meta-Analysis, ch. 5.

    Examples
    --------
    >>> cols = scoring.get_scheme("permenpan14_2017").columns  # the nine unsur_<key> columns
    >>> d = pd.DataFrame({c: [2 + (i * (j + 3)) % 3 if i < 25 else 2 + (i + j) % 2 for i in range(40)]
    ...                   for j, c in enumerate(cols)})  # answers 2-4 in group a, 2-3 in group b
    >>> d["g"] = ["a"] * 25 + ["b"] * 15
    >>> r = compare_ikm(d, by="g", group1="a", group2="b", n_boot=200, n_perm=200).iloc[0]
    >>> r[["estimate1", "estimate2", "gap"]].astype(float).round(2).tolist(), bool(r.ci_low < r.gap < r.ci_high)
    ([66.0, 62.59, 3.41], True)
    """
    row = ikm_gap_row(df, by=by, group1=group1, group2=group2, scheme=scheme, weights=weights, family=family,
                      unit=unit, min_n=min_n, n_boot=n_boot, n_perm=n_perm, seed=seed, conf_level=conf_level)
    return finish([row], adjust=False)


def ikm_gap_row(df, *, by, group1, group2=None, scheme="permenpan14_2017", weights="exact", family=None,
                unit="", min_n=MIN_N, n_boot=2000, n_perm=2000, seed=DEFAULT_SEED,
                conf_level=CONF_LEVEL) -> dict:
    """The row of :func:`compare_ikm` (before its p is adjusted and read).

    >>> cols = scoring.get_scheme("permenpan14_2017").columns  # the nine unsur_<key> columns
    >>> d = pd.DataFrame({c: [2 + (i * (j + 3)) % 3 if i < 25 else 2 + (i + j) % 2 for i in range(40)]
    ...                   for j, c in enumerate(cols)})  # answers 2-4 in group a, 2-3 in group b
    >>> d["g"] = ["a"] * 25 + ["b"] * 15
    >>> r = ikm_gap_row(d, by="g", group1="a", n_boot=200, n_perm=200)
    >>> r["metric"], r["group2"], round(float(r["gap"]), 2)
    ('ikm', 'rest', 3.41)
    """
    need_columns(df, [by], "compare_ikm")
    m1 = side_values(df, by, group1)
    m2 = side_values(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    _check_resamples(n_boot, n_perm)
    w, xv, a = ikm_arrays(df, scheme, weights)
    rows1 = np.flatnonzero(m1 & (a.sum(axis=1) > 0))
    rows2 = np.flatnonzero(m2 & (a.sum(axis=1) > 0))
    return ikm_gap_core(xv[rows1], a[rows1], xv[rows2], a[rows2], w, min_n=min_n, n_boot=n_boot,
                        n_perm=n_perm, seed=seed, conf_level=conf_level,
                        family=family or f"{by}: ikm", unit=unit, comparison=by, metric="ikm",
                        group1=label_value(group1), group2="rest" if group2 is None else label_value(group2))


def ikm_gap_core(x1, a1, x2, a2, w, *, min_n=MIN_N, n_boot=2000, n_perm=2000, seed=DEFAULT_SEED,
                 conf_level=CONF_LEVEL, boot=None, subset_permutation=False, method=None, **meta) -> dict:
    """IKM gap row from answer matrices (0 where missing) and answered masks of the two groups.

    ``boot``: the groups' bootstrap IKMs ``(b1, b2)`` when the caller drew them
    (:func:`ikm_vs_rest_rows` resamples every unit once); ``subset_permutation``:
    draw each permutation as a random subset of the smaller group's size from
    the pooled respondents (the same permutation distribution, at a cost that
    grows with the smaller group, not with both). ``meta`` fills the naming columns.

    >>> x = np.array([[3., 4.]] * 6 + [[2., 3.]] * 6)
    >>> r = ikm_gap_core(x[:6], np.ones((6, 2)), x[6:], np.ones((6, 2)), 0.5, n_boot=200, n_perm=200)
    >>> [float(r[k]) for k in ("estimate1", "estimate2", "gap")], r["status"]
    ([87.5, 62.5, 25.0], 'ok')
    """
    n1, n2 = len(x1), len(x2)
    e1 = ikm_from_counts(np.ones((1, n1)), x1, a1, w)[0] if n1 else np.nan
    e2 = ikm_from_counts(np.ones((1, n2)), x2, a2, w)[0] if n2 else np.nan
    row = gap_row(design="two-group", n1=n1, n2=n2, estimate1=e1, estimate2=e2, gap_unit="points",
                  effect_name="standardised gap (d)",
                  method=method or _METHOD.format(n_boot=n_boot, n_perm=n_perm), **meta)
    enough = (n1 >= max(min_n, 2) and n2 >= max(min_n, 2)
              and np.all(a1.sum(axis=0) > 0) and np.all(a2.sum(axis=0) > 0))
    if not enough:
        row["status"] = NOT_ENOUGH
        if np.isfinite(e1) and np.isfinite(e2):
            row["gap"] = e1 - e2
        return row
    gap = e1 - e2
    rng = np.random.default_rng(seed)
    if boot is None:
        b1 = ikm_from_counts(resample_counts(rng, n1, n_boot), x1, a1, w)
        b2 = ikm_from_counts(resample_counts(rng, n2, n_boot), x2, a2, w)
    else:
        b1, b2 = boot
    q = [(1 - conf_level) / 2, 1 - (1 - conf_level) / 2]
    lo, hi = np.nanquantile(b1 - b2, q)
    row["ci1_low"], row["ci1_high"] = np.nanquantile(b1, q)
    row["ci2_low"], row["ci2_high"] = np.nanquantile(b2, q)
    p = _permutation_p(rng, x1, a1, x2, a2, w, gap, n_perm, subset_permutation)
    d, dlo, dhi = _standardised_gap(x1, a1, x2, a2, gap, conf_level)
    row.update(gap=gap, ci_low=float(lo), ci_high=float(hi), statistic=gap, p_value=float(p),
               effect_size=d, effect_ci_low=dlo, effect_ci_high=dhi)
    return row


def _permutation_p(rng, x1, a1, x2, a2, w, gap, n_perm, subset_permutation) -> float:
    """Two-sided permutation p of the IKM gap: the group labels permuted among the pooled respondents."""
    n1, n2 = len(x1), len(x2)
    pool_x = np.vstack([x1, x2])
    pool_a = np.vstack([a1, a2])
    n = n1 + n2
    if subset_permutation:
        # group 1 of a permutation: a uniform random subset of n1 pooled respondents; drawn as
        # the smaller side's subset (the other side is the complement)
        m = min(n1, n2)
        idx = np.stack([rng.choice(n, size=m, replace=False) for _ in range(n_perm)])
        sm, cm = pool_x[idx].sum(axis=1), pool_a[idx].sum(axis=1)
        if m == n1:
            s1, c1 = sm, cm
        else:
            s1, c1 = pool_x.sum(axis=0) - sm, pool_a.sum(axis=0) - cm
    else:
        base = np.zeros((n_perm, n))
        base[:, :n1] = 1.0
        ind1 = rng.permuted(base, axis=1)
        s1, c1 = ind1 @ pool_x, ind1 @ pool_a
    s2, c2 = pool_x.sum(axis=0) - s1, pool_a.sum(axis=0) - c1
    with np.errstate(invalid="ignore", divide="ignore"):
        pd_ = 25.0 * w * ((s1 / c1).sum(axis=1) - (s2 / c2).sum(axis=1))
    valid = np.isfinite(pd_)
    extreme = np.sum(np.abs(pd_[valid]) >= abs(gap) - 1e-12)
    return (1 + extreme) / (1 + valid.sum())


def _standardised_gap(x1, a1, x2, a2, gap, conf_level) -> tuple[float, float, float]:
    """Cohen's d of the respondents' IKM-scale scores (25 x mean of the answered unsur), with its interval."""
    n1, n2 = len(x1), len(x2)
    n = n1 + n2
    r1 = 25 * (x1.sum(axis=1) / a1.sum(axis=1))
    r2 = 25 * (x2.sum(axis=1) / a2.sum(axis=1))
    sd = math.sqrt(((n1 - 1) * np.var(r1, ddof=1) + (n2 - 1) * np.var(r2, ddof=1)) / (n - 2))
    d = gap / sd if sd > 0 else np.nan
    if not np.isfinite(d):
        return d, np.nan, np.nan
    z = z_value(conf_level)
    se_d = math.sqrt(n / (n1 * n2) + d * d / (2 * n))
    return d, d - z * se_d, d + z * se_d


def ikm_vs_rest_rows(df, *, unit, units, scheme, weights, min_n=MIN_N, n_boot=2000, n_perm=2000,
                     seed=DEFAULT_SEED, conf_level=CONF_LEVEL) -> list:
    """IKM of each unit against the rest of the city, one gap row per unit.

    The survey samples each unit on its own (the units are its strata), so a
    bootstrap resample of the city is a resample within every unit: each unit's
    answers are resampled once (``n_boot`` times), and the rest's resample for
    unit k is the sum over the other units' resamples. One pass over the
    respondents serves every unit, where resampling the pooled rest for each
    unit would cost (units x respondents x n_boot) draws and as much memory.
    The permutation p draws each permutation as a random subset of the pooled
    respondents (seed + i for the i-th unit, as for the other kinds).

    >>> cols = scoring.get_scheme("permenpan14_2017").columns  # the nine unsur_<key> columns
    >>> d = pd.DataFrame({c: [2 + (i * (j + 3)) % 3 if i < 25 else 2 + (i + j) % 2 for i in range(40)]
    ...                   for j, c in enumerate(cols)})  # answers 2-4 in group a, 2-3 in group b
    >>> d["unit"] = ["a"] * 25 + ["b"] * 15
    >>> rows = ikm_vs_rest_rows(d, unit="unit", units=["a", "b"], scheme="permenpan14_2017", weights="exact",
    ...                         n_boot=200, n_perm=200)
    >>> [(r["group1"], r["group2"], round(float(r["gap"]), 2)) for r in rows]
    [('a', 'rest', 3.41), ('b', 'rest', -3.41)]
    """
    _check_resamples(n_boot, n_perm)
    w, xv, a = ikm_arrays(df, scheme, weights)
    answered = a.sum(axis=1) > 0
    in_city = df[unit].notna().to_numpy() & answered
    # every unit present in the data is a stratum of the rest, also those not compared
    strata = sorted(pd.unique(df.loc[in_city, unit]).tolist(), key=str)
    side = {k: side_values(df, unit, k) & answered for k in dict.fromkeys([*strata, *units])}
    rng = np.random.default_rng(seed)
    zero = np.zeros((n_boot, xv.shape[1]))
    sums, counts = {}, {}
    for k in strata:
        rows = np.flatnonzero(side[k])
        c = resample_counts(rng, rows.size, n_boot)
        sums[k], counts[k] = c @ xv[rows], c @ a[rows]
    tot_s, tot_c = sum(sums.values(), zero), sum(counts.values(), zero)
    method = _REST_METHOD.format(n_boot=n_boot, n_perm=n_perm)
    out = []
    for i, u in enumerate(units):
        r1 = np.flatnonzero(side[u])
        r2 = np.flatnonzero(in_city & ~side[u])
        s1, c1 = sums.get(u, zero), counts.get(u, zero)
        boot = (ikm_from_sums(s1, c1, w), ikm_from_sums(tot_s - s1, tot_c - c1, w))
        out.append(ikm_gap_core(xv[r1], a[r1], xv[r2], a[r2], w, min_n=min_n, n_boot=n_boot, n_perm=n_perm,
                                seed=seed + i, conf_level=conf_level, boot=boot, subset_permutation=True,
                                method=method, comparison=unit, metric="ikm", group1=label_value(u),
                                group2="rest", family=f"{unit}: ikm"))
    return out
