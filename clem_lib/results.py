"""The results.csv contract: its columns, its rows, small-cell suppression, reading it back.

Every figure a report shows is also a row of ``results.csv`` (one results file
per notebook, stacked for the survey by the batch runner). The columns are
:data:`RESULTS_COLUMNS`: ``unit, sector, group, metric, method`` are text,
``estimate, ci_low, ci_high, statistic, p_value, p_adjusted`` numbers and
``n`` a whole number. A row resting on fewer than ``min_n`` answers keeps only
its n, and its ``method`` ends with ``suppressed: n < <min_n>``.

Rows are made by :func:`to_results` (scoring tables), :func:`gaps_to_results`
(gap tests) and :func:`results_row` (one figure); :func:`results_frame` gives
any list of rows the contract's column order and dtypes.
"""

from __future__ import annotations

import io
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .scoring import CRC_COLUMNS
from .text import is_missing, is_small

__all__ = [
    "RESULTS_COLUMNS",
    "TEXT_COLUMNS",
    "NUMERIC_COLUMNS",
    "to_results",
    "results_row",
    "results_frame",
    "gaps_to_results",
    "suppress_results",
    "check_results_text",
    "read_results",
    "nullable_type",
]


RESULTS_COLUMNS = ("unit", "sector", "group", "metric", "estimate", "ci_low", "ci_high", "n",
                   "statistic", "p_value", "p_adjusted", "method")
"""Columns of results.csv, in order: the contract every results file follows."""

TEXT_COLUMNS = ("unit", "sector", "group", "metric", "method")
NUMERIC_COLUMNS = ("estimate", "ci_low", "ci_high", "n", "statistic", "p_value", "p_adjusted")
_SUPPRESSED = ("estimate", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted")

_KIND_COLUMNS = {
    "ikm": {"ikm", "ci_low", "ci_high", "n", "grade", "label_id", "label_en", "scheme", "weight",
            "method"},
    "nrr": {"unsur", "label_id", "label_en", "n", "total", "nrr", "ci_low", "ci_high",
            "nrr_weighted", "nrr_converted", "weight"},
    "crc": set(CRC_COLUMNS),
    "accessibility": {"group", "metric", "estimate", "ci_low", "ci_high", "n", "count", "method"},
    "compliance": {"category", "metric", "n_items", "n_present", "n_unobserved", "index",
                   "missing"},
    "ipa": {"unsur", "label_id", "label_en", "n", "sum_x", "sum_y", "mean_x", "mean_y", "tk",
            "gap", "x_cross", "y_cross", "quadrant", "quadrant_id", "quadrant_en"},
    "sample_size": {"users_per_month", "population", "n", "n_min", "shortfall", "below_minimum"},
}


def _label(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "NA"
    return str(value)


def to_results(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Turn a scoring table into rows of results.csv, numbers unchanged.

    Parameters
    ----------
    frame : DataFrame
        Output of a table of :mod:`clem_lib.scoring`: ``ikm``, ``nrr``, ``crc_indicators``,
        ``accessibility``, ``compliance``, ``ipa`` or ``sample_size_check``.
    kind : {"ikm", "nrr", "crc", "accessibility", "compliance", "ipa", "sample_size"}
        Which function produced ``frame``.

    Returns
    -------
    DataFrame
        Columns ``unit, sector, group, metric, estimate, ci_low, ci_high, n,
        statistic, p_value, p_adjusted, method`` (``RESULTS_COLUMNS``). ``unit``
        and ``sector`` come from grouping columns of those names (``<NA>``,
        written empty, when the figure is city-wide); every other grouping
        column becomes ``name=value`` in ``group`` (joined by ``"; "``), after
        which the accessibility group is appended (``"all"`` leaves it empty).
        ``metric``: ``ikm``; ``nrr:<unsur>``; the CRC ``metric`` column
        (``pct_satisfied:waktu``, ``pct_paid_extra``, ...);
        ``pct_not_friendly``; ``compliance`` / ``compliance:<category>``;
        ``tk:<unsur>`` (IPA conformity level); ``n_min`` (Krejcie-Morgan
        minimum, with ``n`` the respondents). ``statistic``, ``p_value`` and
        ``p_adjusted`` are empty (scoring runs no tests).
    """
    if kind not in _KIND_COLUMNS:
        raise ValueError(f"kind={kind!r}; use one of {', '.join(sorted(_KIND_COLUMNS))}")
    known = _KIND_COLUMNS[kind]
    by_cols = [c for c in frame.columns if c not in known]
    extra = [c for c in by_cols if c not in ("unit", "sector")]
    out = []
    for rec in frame.to_dict("records"):
        parts = [f"{c}={_label(rec[c])}" for c in extra]
        row = {"unit": rec.get("unit", pd.NA) if "unit" in by_cols else pd.NA,
               "sector": rec.get("sector", pd.NA) if "sector" in by_cols else pd.NA,
               "ci_low": np.nan, "ci_high": np.nan, "method": None}
        if kind == "ikm":
            row.update(metric="ikm", estimate=rec["ikm"], ci_low=rec["ci_low"],
                       ci_high=rec["ci_high"], n=rec["n"], method=rec["method"])
        elif kind == "nrr":
            row.update(metric=f"nrr:{rec['unsur']}", estimate=rec["nrr"], ci_low=rec["ci_low"],
                       ci_high=rec["ci_high"], n=rec["n"], method="mean of answers; t interval")
        elif kind in ("crc", "accessibility"):
            row.update(metric=rec["metric"], estimate=rec["estimate"], ci_low=rec["ci_low"],
                       ci_high=rec["ci_high"], n=rec["n"], method=rec["method"])
            if kind == "accessibility" and rec["group"] != "all":
                parts.append(str(rec["group"]))
        elif kind == "compliance":
            row.update(metric=rec["metric"], estimate=rec["index"], n=rec["n_items"],
                       method="share of observed checklist items present (Permenpan RB 15/2014)")
        elif kind == "ipa":
            row.update(metric=f"tk:{rec['unsur']}", estimate=rec["tk"], n=rec["n"],
                       method=f"sum X / sum Y x 100; quadrant {rec['quadrant']}")
        elif kind == "sample_size":
            row.update(metric="n_min", estimate=rec["n_min"], n=rec["n"],
                       method=f"Krejcie & Morgan (1970), population {_label(rec['population'])}")
        row["group"] = "; ".join(parts) if parts else pd.NA
        out.append(row)
    res = pd.DataFrame(out, columns=list(RESULTS_COLUMNS))
    res["estimate"] = pd.to_numeric(res["estimate"], errors="coerce").astype(float)
    for c in ("ci_low", "ci_high", "statistic", "p_value", "p_adjusted"):
        res[c] = pd.to_numeric(res[c], errors="coerce").astype(float)
    res["n"] = pd.array(pd.to_numeric(res["n"], errors="coerce"), dtype="Int64")
    for c in ("unit", "sector", "group", "metric", "method"):
        res[c] = res[c].astype("string")
    return res




def _num(v):
    return np.nan if is_missing(v) else float(v)


def results_row(*, unit="", sector="", group="", metric: str, estimate=None, ci_low=None,
                ci_high=None, n=None, statistic=None, p_value=None, p_adjusted=None,
                method: str = "", min_n: int = 5) -> dict:
    """One row of ``results.csv``; the estimate and test are left empty when ``n < min_n``.

    ``n`` is the number of answers behind the figure (for a two-group test the
    smaller group decides suppression; pass ``n`` as the total and the caller
    suppresses with ``min_n`` on the smaller group).
    """
    row = {
        "unit": "" if is_missing(unit) else str(unit),
        "sector": "" if is_missing(sector) else str(sector),
        "group": "" if is_missing(group) else str(group),
        "metric": str(metric),
        "estimate": _num(estimate), "ci_low": _num(ci_low), "ci_high": _num(ci_high),
        "n": pd.NA if is_missing(n) else int(n),
        "statistic": _num(statistic), "p_value": _num(p_value), "p_adjusted": _num(p_adjusted),
        "method": str(method or ""),
    }
    if n is not None and not is_missing(n) and is_small(n, min_n):
        _suppress(row, min_n)
    return row


def results_frame(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Stack results rows into the ``results.csv`` table (columns in contract order).

    Returns
    -------
    DataFrame
        ``unit, sector, group, metric`` (string), ``estimate, ci_low, ci_high``
        (Float64), ``n`` (Int64), ``statistic, p_value, p_adjusted`` (Float64),
        ``method`` (string); rows in the order given.
    """
    df = pd.DataFrame(list(rows), columns=list(RESULTS_COLUMNS))
    for c in ("unit", "sector", "group", "metric", "method"):
        df[c] = df[c].fillna("").astype("string")
    for c in ("estimate", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Float64")
    df["n"] = pd.to_numeric(df["n"], errors="coerce").astype("Int64")
    return df.reset_index(drop=True)


def gaps_to_results(gaps: pd.DataFrame, *, min_n: int = 5) -> pd.DataFrame:
    """Rows of ``results.csv`` from a gap table (``clem_lib.stats.GAP_COLUMNS``).

    ``group`` is ``"<comparison>: <group1> vs <group2>"`` (``"<comparison>: <group1>"``
    when there is no second side, as for Kruskal-Wallis); ``metric`` the gap
    table's metric prefixed ``gap:`` (``gap:nrr:waktu``, ``gap:ikm``);
    ``estimate`` the gap with its (unadjusted) 95 % interval; ``n`` the
    answers behind the test: both groups together for two groups, the answers
    of the kept units for Kruskal-Wallis (``n1``; ``n2`` there counts units),
    the pairs for a paired test; ``statistic``, ``p_value``, ``p_adjusted``
    and ``method`` as tested. A Fisher row (a proportion with an expected
    count below 5) is followed by a row ``odds_ratio:<metric>`` with the
    conditional maximum-likelihood odds ratio and its exact interval (R
    ``fisher.test``), the same p. Rows where either group has fewer than
    ``min_n`` answers keep only n.
    """
    rows = []
    for r in gaps.to_dict("records"):
        design = r.get("design", "")
        if design in ("k-group", "paired", "target"):
            # k-group: n2 is the number of units; paired: n1 = n2 = the pairs; target: one side
            n = None if is_missing(r.get("n1")) else int(r.get("n1"))
            small = n is not None and is_small(n, min_n) and design != "k-group"
        else:
            small = is_small(r.get("n1"), min_n) or is_small(r.get("n2"), min_n)
            n = sum(int(v) for v in (r.get("n1"), r.get("n2")) if not is_missing(v))
        g2 = "" if is_missing(r.get("group2")) else str(r.get("group2"))
        group = f"{r.get('comparison', '')}: {r.get('group1', '')}" + (f" vs {g2}" if g2 else "")
        row = results_row(unit=r.get("unit", ""), group=group, metric=f"gap:{r.get('metric', '')}",
                          estimate=r.get("gap"), ci_low=r.get("ci_low"), ci_high=r.get("ci_high"), n=n,
                          statistic=r.get("statistic"), p_value=r.get("p_value"), p_adjusted=r.get("p_adjusted"),
                          method=r.get("method", ""), min_n=1)
        extra = []
        if not is_missing(r.get("odds_ratio")):
            extra.append(results_row(
                unit=r.get("unit", ""), group=group, metric=f"odds_ratio:{r.get('metric', '')}",
                estimate=r.get("odds_ratio"), ci_low=r.get("or_ci_low"), ci_high=r.get("or_ci_high"), n=n,
                p_value=r.get("p_value"), p_adjusted=r.get("p_adjusted"),
                method="Fisher's exact test; conditional maximum-likelihood odds ratio (group 1 vs group 2) "
                       "with exact 95% interval (R fisher.test)", min_n=1))
        for x in [row, *extra]:
            if small:
                _suppress(x, min_n)
            rows.append(x)
    return results_frame(rows)


def suppress_results(res: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Results rows with ``n < min_n`` keep only their n (and say so in ``method``)."""
    small = res["n"].map(lambda v: (not is_missing(v)) and is_small(v, min_n)).to_numpy(dtype=bool)
    if not small.any():
        return res
    res = res.copy()
    for c in _SUPPRESSED:
        res.loc[small, c] = pd.NA
    res.loc[small, "method"] = [_suppressed_method(m, min_n) for m in res.loc[small, "method"]]
    return res


def _suppressed_method(method, min_n: int) -> str:
    m = "" if is_missing(method) else str(method)
    return (m + "; " if m else "") + f"suppressed: n < {int(min_n)}"


def _suppress(row: dict, min_n: int) -> None:
    for k in _SUPPRESSED:
        row[k] = np.nan
    row["method"] = _suppressed_method(row["method"], min_n)


def nullable_type(pa_type):
    """The pandas nullable dtype for an Arrow type (``types_mapper`` of ``Table.to_pandas``)."""
    import pyarrow as pa

    mapping = {
        pa.int8(): pd.Int64Dtype(), pa.int16(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype(),
        pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.float64(): pd.Float64Dtype(),
        pa.float32(): pd.Float64Dtype(), pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
    }
    return mapping.get(pa_type)


# ---------------------------------------------------------------------------
# Reading results files back
# ---------------------------------------------------------------------------


def check_results_text(text: str) -> str | None:
    """Problem with a results CSV text, or None when it follows the contract."""
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001  any parser error means a broken file
        return f"results file is not a CSV: {' '.join(str(exc).split())[:200]}"
    missing = [c for c in RESULTS_COLUMNS if c not in df.columns]
    extra = [c for c in df.columns if c not in RESULTS_COLUMNS]
    if missing or extra:
        return ("results file does not have the results.csv columns"
                + (f"; missing {', '.join(missing)}" if missing else "")
                + (f"; unexpected {', '.join(extra)}" if extra else ""))
    for col in NUMERIC_COLUMNS:
        values = df[col].str.strip()
        bad = values[(values != "") & pd.to_numeric(values, errors="coerce").isna()]
        if len(bad):
            return f"results file: column '{col}' row {bad.index[0] + 2} is not a number: {bad.iloc[0]!r}"
    return None


def read_results(texts: Iterable[str]) -> pd.DataFrame:
    """Stack results CSV texts into one table, numbers as numbers, sorted by
    ``unit, sector, group, metric, method`` (stable: equal keys keep their order)."""
    frames = [pd.read_csv(io.StringIO(t), dtype=str, keep_default_na=False) for t in texts if t]
    if frames:
        df = pd.concat(frames, ignore_index=True)[list(RESULTS_COLUMNS)]
    else:
        df = pd.DataFrame({c: pd.Series([], dtype=str) for c in RESULTS_COLUMNS})
    for c in TEXT_COLUMNS:
        df[c] = df[c].fillna("").astype(str)
    for c in NUMERIC_COLUMNS:
        df[c] = pd.to_numeric(df[c].replace("", None), errors="coerce").astype("Float64")
    df["n"] = df["n"].round().astype("Int64")
    order = ["unit", "sector", "group", "metric", "method"]
    return df.sort_values(order, kind="mergesort", na_position="first").reset_index(drop=True)
