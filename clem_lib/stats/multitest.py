"""Multiple testing: Holm, Benjamini-Hochberg and Bonferroni, within the families of a gap table.

:func:`finish` is the last step of every test: its rows become a gap table,
p is adjusted within each family and the readings are added by
:mod:`clem_lib.text.readings`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..text.readings import add_readings
from .rows import OK, gap_frame, need_columns

__all__ = ["adjust_pvalues", "adjust_within_family", "finish"]


def adjust_pvalues(p, method: str = "holm") -> np.ndarray:
    """Adjust a family of p-values for multiple testing.

    Parameters
    ----------
    p : array-like of float
        Raw p-values; NaN entries (tests not run) are left out and stay NaN.
    method : {"holm", "fdr_bh", "bonferroni"}
        Holm's step-down (controls the family-wise error rate, the default),
        Benjamini-Hochberg (controls the false discovery rate) or Bonferroni.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Notes
    -----
    Benjamini-Hochberg and Bonferroni are computed by
    ``statsmodels.stats.multitest.multipletests``; Holm by the same formula
    (``p_(i) (m - i + 1)``, cumulative maximum, capped at 1) without the garbage
    collection statsmodels runs inside its Holm branch. All equal R's
    ``p.adjust(p, "holm")`` / ``p.adjust(p, "BH")``.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scand. J. Statist. 6, 65-70. Benjamini, Y. & Hochberg, Y. (1995).
    Controlling the false discovery rate. JRSS B 57, 289-300.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, float("nan")]).round(3).tolist()
    [0.03, 0.06, 0.06, nan]
    >>> adjust_pvalues([0.01, 0.04, 0.03], "fdr_bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    from statsmodels.stats.multitest import multipletests

    allowed = {"holm": "holm", "fdr_bh": "fdr_bh", "bh": "fdr_bh", "bonferroni": "bonferroni"}
    if method not in allowed:
        raise ValueError(f"unknown p-value adjustment {method!r}; use 'holm' (default), 'fdr_bh' or 'bonferroni'")
    arr = np.asarray(p, dtype=float).ravel()
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if np.any((arr[ok] < 0) | (arr[ok] > 1)):
        raise ValueError("p-values must lie in [0, 1]")
    if ok.any():
        if allowed[method] == "holm":
            out[ok] = _holm(arr[ok])
        else:
            out[ok] = multipletests(arr[ok], method=allowed[method])[1]
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment, the formula of ``multipletests(method="holm")``.

    statsmodels runs a full garbage collection inside every Holm call, which
    costs a noticeable fraction of a second in a large process; the three lines
    here give identical numbers (checked in the tests) without it.
    """
    m = len(p)
    order = np.argsort(p, kind="mergesort")
    adj = np.minimum(1.0, np.maximum.accumulate(p[order] * np.arange(m, 0, -1)))
    out = np.empty(m)
    out[order] = adj
    return out


def adjust_within_family(table: pd.DataFrame, *, family: str = "family", p_value: str = "p_value",
                         method: str = "holm", status: str = "status",
                         readings: bool = True) -> pd.DataFrame:
    """Fill ``p_adjusted`` by adjusting ``p_value`` within each family.

    Parameters
    ----------
    table : DataFrame
        A gap table (``GAP_COLUMNS``) or any frame with the named columns.
    family : str
        Column declaring the family; each distinct value is adjusted on its own.
    p_value, status : str
        Columns of raw p-values and of row status; rows whose status is not
        ``"ok"`` (e.g. ``"not enough data"``) are excluded from their family.
    method : {"holm", "fdr_bh", "bonferroni"}
        See :func:`adjust_pvalues`.
    readings : bool
        Re-write ``reading_id`` / ``reading_en`` with the adjusted p
        (:func:`clem_lib.text.readings.add_readings`).

    Returns
    -------
    DataFrame
        A copy with ``p_adjusted`` filled (NaN where excluded).

    Examples
    --------
    >>> t = pd.DataFrame({"family": ["a", "a", "b"], "p_value": [0.01, 0.04, 0.04],
    ...                   "status": ["ok", "ok", "ok"]})
    >>> adjust_within_family(t).p_adjusted.round(3).tolist()
    [0.02, 0.04, 0.04]
    """
    need_columns(table, [family, p_value], "adjust_within_family")
    out = table.copy()
    adj = np.full(len(out), np.nan)
    p = out[p_value].astype(float).to_numpy()
    keep = np.ones(len(out), dtype=bool)
    if status in out.columns:
        keep = out[status].astype(str).eq(OK).to_numpy()
    fam = out[family].astype(str).to_numpy()
    for f in pd.unique(fam):
        idx = np.flatnonzero((fam == f) & keep)
        if len(idx):
            adj[idx] = adjust_pvalues(p[idx], method=method)
    out["p_adjusted"] = adj
    if readings and {"reading_id", "reading_en", "design"} <= set(out.columns):
        out = add_readings(out)
    return out


def finish(rows: list[dict], *, adjust: bool, method: str = "holm") -> pd.DataFrame:
    """A gap table from rows of :func:`~clem_lib.stats.rows.gap_row`, p adjusted, readings added.

    Parameters
    ----------
    rows : list of dict
        The rows of one test (one family or several, by their ``family``).
    adjust : bool
        Adjust p within each family (:func:`adjust_within_family`); otherwise
        ``p_adjusted`` is p for rows with status ``"ok"`` (a single test).
    method : {"holm", "fdr_bh", "bonferroni"}
        See :func:`adjust_pvalues`.

    Examples
    --------
    >>> from clem_lib.stats.rows import gap_row
    >>> rows = [gap_row(family="f", p_value=p, design="k-group pair") for p in (0.01, 0.04)]
    >>> finish(rows, adjust=True).p_adjusted.tolist()
    [0.02, 0.04]
    """
    out = gap_frame(rows)
    if adjust:
        out = adjust_within_family(out, method=method, readings=False)
    else:
        ok = out["status"].eq(OK)
        out["p_adjusted"] = np.where(ok, out["p_value"], np.nan)
    return add_readings(out)
