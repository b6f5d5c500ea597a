"""The Rao-Scott design-based chi-square test of association (R ``svychisq``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from .design import Design, design_text, indicator_values

__all__ = ["design_chisq"]


def table_cells(df: pd.DataFrame, row: str, column: str, row_event, col_event):
    """0/1 cell indicators of the r x c table of two columns (NaN where either is missing) and labels."""
    def values(s, event):
        if event is not None:
            return pd.Series(indicator_values(s, event), index=s.index), [1.0, 0.0]
        lv = sorted(s.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))
        return s, lv
    a, la = values(df[row], row_event)
    b, lb = values(df[column], col_event)
    ok = (a.notna() & b.notna()).to_numpy(dtype=bool)
    av, bv = a.to_numpy(dtype=object), b.to_numpy(dtype=object)
    M = np.zeros((len(df), len(la) * len(lb)))
    # cell order as R's interaction(rows, cols): the row level varies fastest
    for j, vb in enumerate(lb):
        for i, va in enumerate(la):
            M[:, i + j * len(la)] = np.array([bool(o) and x == va and y == vb for o, x, y in zip(ok, av, bv)],
                                             dtype=float)
    return M, ok, la, lb


def rao_scott(M: np.ndarray, ok: np.ndarray, des: Design, nr: int, nc: int, n: int, nu: int) -> dict:
    """Rao-Scott second-order F of an r x c table of cell indicators ``M`` (R svychisq, statistic "F")."""
    wd = np.where(ok, des.w, 0.0)
    W = wd.sum()
    p = (wd[:, None] * M).sum(axis=0) / W
    Z = wd[:, None] * (M - p) / W
    V = des.cov(Z)
    # Pearson X2 of the weighted table scaled to n
    tab = (p * n).reshape(nc, nr).T
    expct = np.outer(tab.sum(axis=1), tab.sum(axis=0)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = float(np.nansum((tab - expct) ** 2 / expct))
    # contrasts: interaction columns of the saturated model, residualised on the main effects
    rows_i = np.tile(np.arange(nr), nc)  # cell order: row level fastest
    cols_i = np.repeat(np.arange(nc), nr)
    X1 = np.column_stack([np.ones(nr * nc)] + [(rows_i == i).astype(float) for i in range(1, nr)]
                         + [(cols_i == j).astype(float) for j in range(1, nc)])
    X2 = np.column_stack([((rows_i == i) & (cols_i == j)).astype(float)
                          for j in range(1, nc) for i in range(1, nr)])
    Q, _ = np.linalg.qr(X1)
    C = X2 - Q @ (Q.T @ X2)
    iD = np.diag(np.where(p == 0, 0.0, 1.0 / np.where(p == 0, 1.0, p)))
    denom = C.T @ (iD / n) @ C
    numr = C.T @ iD @ V @ iD @ C
    Delta = np.linalg.solve(denom, numr)
    tr = float(np.trace(Delta))
    d0 = tr ** 2 / float(np.trace(Delta @ Delta))
    F = x2 / tr
    return {"statistic": F, "ndf": d0, "ddf": d0 * nu, "p_value": float(sps.f.sf(F, d0, d0 * nu)), "chisq": x2,
            "deff_mean": tr / Delta.shape[0]}


def design_chisq(df: pd.DataFrame, row: str, column: str, *, row_event=None, column_event=None,
                 weight: str | None = "weight", strata: str | None = "unit", fpc: str | None = None,
                 lonely_psu: str = "fail") -> pd.DataFrame:
    """Rao-Scott second-order test of association of two categorical columns, as R ``svychisq``.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all strata).
    row, column : str
        The two columns of the table.
    row_event, column_event : scalar or callable, optional
        Collapse a column to "event" vs "not" (e.g. ``column_event=False`` on
        ``facility_friendly``: not friendly vs friendly). ``None``: its values.
    weight, strata, fpc, lonely_psu : see :func:`weighted_mean`.

    Returns
    -------
    DataFrame
        One row: ``statistic`` (the Rao-Scott F), ``ndf``, ``ddf``, ``p_value``,
        ``chisq`` (Pearson's X2 of the weighted table scaled to the sample size),
        ``deff_mean`` (mean generalised design effect, ``trace(Delta) / df``),
        ``n`` (respondents who answered both), ``n_strata``, ``method``.

    Notes
    -----
    Respondents missing either answer are a domain of the design (R:
    ``svychisq(~a + b, subset(des, !is.na(a) & !is.na(b)))``). With ``p`` the
    weighted cell proportions, ``V`` their linearised covariance, ``C`` the
    interaction contrasts orthogonal to the main effects, ``D = diag(p)``:
    ``Delta = (C' D^-1 C / n)^-1 C' D^-1 V D^-1 C``; ``F = X2 / trace(Delta)``
    referred to ``F(d0, d0 nu)`` with ``d0 = trace(Delta)^2 / trace(Delta^2)``
    and ``nu`` = respondents minus strata (Rao & Scott 1984 second-order
    correction; R's default ``statistic = "F"``). statsmodels has no
    design-based chi-square; the computation follows R's and is pinned
    against it.

    References
    ----------
    Rao, J. N. K. & Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data.
    Annals of Statistics 12, 46-60. Lumley (2010), ch. 6.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"unit": ["A"] * 6 + ["B"] * 6, "N": [60] * 6 + [20] * 6,
    ...                   "sg": [True, True, False, False, False, True] * 2,
    ...                   "ok": [False, False, True, True, False, False, True, False, True, True, True, False]})
    >>> r = design_chisq(d, "sg", "ok", weight=None, fpc="N").iloc[0]
    >>> float(r.ndf), round(float(r.p_value), 3)
    (1.0, 0.024)
    """
    for c in (row, column):
        if c not in df.columns:
            raise ValueError(f"design_chisq: the table has no column {c!r}")
    des = Design(df, weight, strata, fpc, lonely_psu)
    M, ok, la, lb = table_cells(df, row, column, row_event, column_event)
    nr, nc = len(la), len(lb)
    n = int(ok.sum())
    nu = des.degf(ok)
    out = {"statistic": np.nan, "ndf": np.nan, "ddf": np.nan, "p_value": np.nan, "chisq": np.nan,
           "deff_mean": np.nan, "n": n, "n_strata": des.n_strata,
           "method": f"Rao-Scott second-order corrected chi-square (F), design-based, {design_text(fpc)} "
                     "(R survey::svychisq)"}
    if nr < 2 or nc < 2 or n == 0:
        return pd.DataFrame([out])
    out.update(rao_scott(M, ok, des, nr, nc, n, nu))
    return pd.DataFrame([out])


