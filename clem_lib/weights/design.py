"""The stratified one-stage design and its Taylor linearisation.

:class:`Design` holds each respondent's weight, stratum and the strata's
sampling fractions, and gives the covariance of estimated totals from
linearised values (R ``svyrecvar`` for ``svydesign(ids = ~1, strata = ~unit,
weights = ~w, fpc = ~N)``). The helpers beside it are shared by the
estimators: domains, the ratio mean with its linearised values, the logit
interval of a proportion.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import ClemInputError

__all__: list[str] = []


class Design:
    """Weights, stratum codes and per-stratum sampling fractions of a stratified one-stage design."""

    def __init__(self, df: pd.DataFrame, weight: str | None, strata: str | None, fpc: str | None,
                 lonely_psu: str = "fail"):
        if lonely_psu not in ("fail", "certainty"):
            raise ValueError(f"lonely_psu must be 'fail' or 'certainty', not {lonely_psu!r}")
        self.lonely_psu = lonely_psu
        n = len(df)
        if strata is None:
            codes, names = np.zeros(n, dtype=int), np.array(["all"])
        else:
            if strata not in df.columns:
                raise ValueError(f"the table has no strata column {strata!r}; pass strata=None for no strata")
            if df[strata].isna().any():
                raise ClemInputError("some respondents have no stratum", column=strata,
                                     fix="fill the unit of every respondent")
            codes, names = pd.factorize(df[strata].astype(str), sort=True)
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
                    raise ClemInputError(f"stratum '{names[h]}' has more respondents ({int(self.n_h[h])}) than "
                                         f"its population size ({Nh[0]:g})", column=fpc,
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


def domains(df: pd.DataFrame, by) -> list[tuple[dict, np.ndarray]]:
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


def ratio_mean(y: np.ndarray, w: np.ndarray, mask: np.ndarray):
    """Ratio mean over the answered rows of a domain and its linearised values (0 elsewhere)."""
    ok = mask & ~np.isnan(y)
    wy = np.where(ok, w, 0.0)
    tot = wy.sum()
    if tot <= 0:
        return np.nan, np.zeros(len(y)), int(ok.sum())
    y0 = np.where(ok, y, 0.0)
    est = float(np.sum(wy * y0) / tot)
    return est, wy * (y0 - est) / tot, int(ok.sum())



def ikm_ratio(x: np.ndarray, w: np.ndarray, mask: np.ndarray, c: float):
    """The IKM of a domain as a ratio of weighted totals per unsur, and its linearised values.

    ``x`` holds the answers (respondents x unsur, NaN when skipped), ``c`` the
    regulation's weight per unsur. Returns ``(IKM, z, n)``: ``z`` is 0 outside
    the domain, ``n`` counts the domain's respondents with an answer; the IKM
    is NaN when an unsur has no answer in the domain.
    """
    answered = ~np.isnan(x) & mask[:, None]
    y0 = np.where(answered, x, 0.0)
    wr = w[:, None] * answered
    T = wr.sum(axis=0)
    n = int(answered.any(axis=1).sum())
    if np.any(T <= 0):
        return np.nan, np.zeros(len(x)), n
    nrr = (wr * y0).sum(axis=0) / T
    return float(25.0 * c * nrr.sum()), 25.0 * c * (wr * (y0 - nrr) / T).sum(axis=1), n

def numeric_values(df: pd.DataFrame, column: str) -> np.ndarray:
    y = pd.to_numeric(df[column], errors="coerce") if df[column].dtype == object else df[column]
    return y.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def indicator_values(s: pd.Series, event) -> np.ndarray:
    if callable(event):
        hit = pd.Series(event(s), index=s.index).astype("boolean")
    else:
        hit = s.eq(event).astype("boolean")
    y = hit.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    y[s.isna().to_numpy()] = np.nan
    return y


def design_text(fpc) -> str:
    return ("stratified by unit, finite-population correction" if fpc is not None else "stratified")


def with_keys(rows: list[dict], keys: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame([{**k, **r} for k, r in zip(keys, rows)])
    return out



def logit_ci(est: float, se: float, t: float) -> tuple[float, float]:
    if not (0 < est < 1) or not np.isfinite(t):
        return (est, est) if np.isfinite(t) else (np.nan, np.nan)
    lg = math.log(est / (1 - est))
    sl = se / (est * (1 - est))
    return 1 / (1 + math.exp(-(lg - t * sl))), 1 / (1 + math.exp(-(lg + t * sl)))


