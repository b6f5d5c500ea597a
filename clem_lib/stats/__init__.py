"""Significance tests on satisfaction gaps: is a gap real, how big is it, how sure are we.

Every test returns a tidy table with one row per comparison and the columns of
``GAP_COLUMNS``: the gap in the metric's own units (points, IKM points,
percentage points) with its 95% interval, the test statistic, p, p adjusted
within a declared ``family``, an effect size with its interval, n on each side,
the method's name, a ``status`` (``"ok"``, ``"not enough data"`` or a model
failure) and a one-sentence plain reading in Indonesian and English.

Families of tests
    two groups on an ordinal score (:func:`compare_scores`, Mann-Whitney U);
    two proportions (:func:`compare_proportions`, chi-square or Fisher);
    IKM of two groups (:func:`compare_ikm`, bootstrap and permutation);
    k units of a sector (:func:`compare_units`, Kruskal-Wallis then Dunn);
    each unit against the rest of the city (:func:`unit_vs_rest`);
    expectation vs experience (:func:`paired_gap`, Wilcoxon signed-rank);
    survey rounds (:func:`compare_rounds`); targets (:func:`ikm_vs_target`,
    :func:`proportion_vs_target`); the ordinal model (:func:`ordinal_model`);
    and the between-group report of one unit (:func:`gap_report`).

Multiplicity: :func:`adjust_pvalues` and :func:`adjust_within_family` (Holm by
default, Benjamini-Hochberg on request); rows with too few answers are left out
of their family. The methods, their validation against R and a simulation of
their size, coverage and power are written up in ``docs/statistics.md``.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from .. import scoring as _scoring

__all__ = [
    "GAP_COLUMNS",
    "GRADE_B_2017",
    "wilson_ci",
    "newcombe_ci",
    "fisher_odds_ratio",
    "cliffs_delta",
    "dunn_test",
    "adjust_pvalues",
    "adjust_within_family",
    "add_readings",
    "compare_scores",
    "compare_proportions",
    "compare_ikm",
    "compare_units",
    "unit_vs_rest",
    "paired_gap",
    "compare_rounds",
    "ikm_vs_target",
    "proportion_vs_target",
    "ordinal_model",
    "gap_report",
    "GROUP_COMPARISONS",
]

GAP_COLUMNS: tuple[str, ...] = (  # ci1_*/ci2_*: 95% interval of estimate1 / estimate2
    "family", "unit", "design", "comparison", "metric", "group1", "group2", "n1", "n2",
    "estimate1", "estimate2", "ci1_low", "ci1_high", "ci2_low", "ci2_high", "gap", "gap_unit", "ci_low", "ci_high", "statistic",
    "p_value", "p_adjusted", "effect_size", "effect_name", "effect_ci_low", "effect_ci_high",
    "odds_ratio", "or_ci_low", "or_ci_high",
    "method", "status", "reading_id", "reading_en",
)
"""Columns of every gap table, in order."""

GRADE_B_2017 = 76.61
"""Lowest IKM of grade B (*Baik*) under Permenpan RB 14/2017."""

OK = "ok"
NOT_ENOUGH = "not enough data"

GROUP_COMPARISONS: tuple[tuple[str, object, object], ...] = (
    ("special_group", True, False),
    ("disability", True, False),
    ("elderly", True, False),
    ("pregnant", True, False),
    ("with_child", True, False),
    ("gender", "female", "male"),
    ("channel", "broker", "in_person"),
    ("income_group", "low", "high"),
)
"""Between-group comparisons of :func:`gap_report`: (column, group1, group2)."""


# ---------------------------------------------------------------------------
# The indirection to the IKM formula (scoring owns it)
# ---------------------------------------------------------------------------


def _ikm_point(df: pd.DataFrame, *, scheme, weights) -> float:
    """IKM of one slice through :func:`clem_lib.scoring.ikm_point`."""
    return _scoring.ikm_point(df, scheme=scheme, weights=weights)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _z(conf_level: float) -> float:
    if not (0 < conf_level < 1):
        raise ValueError(f"conf_level must be between 0 and 1 (e.g. 0.95), not {conf_level!r}")
    return float(sps.norm.ppf(0.5 + conf_level / 2))


def _need(df: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{what}: the first argument must be a DataFrame (the cleaned table)")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: the table has no column(s) {', '.join(map(str, missing))}; "
            "pass the right column names by keyword or clean the survey with clem_lib.clean_survey"
        )


def _floats(s: pd.Series) -> np.ndarray:
    """A column as float64 with NaN for missing (booleans become 0/1)."""
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        s = pd.to_numeric(s, errors="coerce")
    return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _side(df: pd.DataFrame, by: str, value) -> np.ndarray:
    """Boolean mask of rows whose ``by`` equals ``value`` (missing -> False)."""
    col = df[by]
    if isinstance(value, (list, tuple, set, frozenset)):
        m = col.isin(list(value))
    else:
        m = col.eq(value)
    return m.fillna(False).to_numpy(dtype=bool)


def _row(**kw) -> dict:
    row = {c: np.nan for c in GAP_COLUMNS}
    row.update(status=OK, reading_id="", reading_en="", family="", unit="", design="",
               comparison="", metric="", group1="", group2="", method="", effect_name="",
               gap_unit="")
    row.update(kw)
    return row


def _frame(rows: list[dict]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(GAP_COLUMNS))
    if out.empty:
        out = pd.DataFrame({c: pd.Series(dtype=float) for c in GAP_COLUMNS})
    for c in ("n1", "n2"):
        out[c] = pd.array(out[c], dtype="Int64")
    for c in ("estimate1", "estimate2", "ci1_low", "ci1_high", "ci2_low", "ci2_high", "gap", "ci_low", "ci_high", "statistic", "p_value",
              "p_adjusted", "effect_size", "effect_ci_low", "effect_ci_high", "odds_ratio", "or_ci_low",
              "or_ci_high"):
        out[c] = out[c].astype(float)
    for c in ("family", "unit", "design", "comparison", "metric", "group1", "group2", "gap_unit",
              "effect_name", "method", "status", "reading_id", "reading_en"):
        out[c] = out[c].fillna("").astype(str)
    return out


def _label_value(v) -> str:
    if isinstance(v, (list, tuple, set, frozenset)):
        return "+".join(str(x) for x in v)
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def _mean_ci(x: np.ndarray, conf_level: float) -> tuple[float, float]:
    """t interval of a mean (NaN with fewer than two values)."""
    n = len(x)
    if n < 2:
        return np.nan, np.nan
    m = float(np.mean(x))
    h = sps.t.ppf(0.5 + conf_level / 2, n - 1) * float(np.std(x, ddof=1)) / math.sqrt(n)
    return m - h, m + h


def _welch_ci(x: np.ndarray, y: np.ndarray, conf_level: float) -> tuple[float, float]:
    """Welch-Satterthwaite interval for mean(x) - mean(y)."""
    n1, n2 = len(x), len(y)
    v1, v2 = np.var(x, ddof=1) / n1, np.var(y, ddof=1) / n2
    se = math.sqrt(v1 + v2)
    d = float(np.mean(x) - np.mean(y))
    if se == 0:
        return d, d
    df = (v1 + v2) ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    t = sps.t.ppf(0.5 + conf_level / 2, df)
    return d - t * se, d + t * se


# ---------------------------------------------------------------------------
# Intervals
# ---------------------------------------------------------------------------


def wilson_ci(successes, n, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion.

    Parameters
    ----------
    successes, n : int
        Number of events and of answers.
    conf_level : float
        Confidence level (0.95).

    Returns
    -------
    (float, float)
        Lower and upper limit on the 0..1 scale; (NaN, NaN) when ``n == 0``.

    Notes
    -----
    ``(p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``; equals R's
    ``prop.test(x, n, correct = FALSE)$conf.int``.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. JASA 22, 209-212.
    """
    n = int(n)
    x = int(successes)
    if n < 0 or x < 0 or x > n:
        raise ValueError(f"wilson_ci needs 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return float("nan"), float("nan")
    z = _z(conf_level)
    p = x / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_ci(x1, n1, x2, n2, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for a difference of two proportions p1 - p2.

    Parameters
    ----------
    x1, n1, x2, n2 : int
        Events and answers of group 1 and group 2.
    conf_level : float
        Confidence level (0.95).

    Returns
    -------
    (float, float)
        Limits for ``p1 - p2`` on the -1..1 scale.

    Notes
    -----
    With Wilson limits ``(l1, u1)`` and ``(l2, u2)``:
    ``lower = d - sqrt((p1-l1)^2 + (u2-p2)^2)``,
    ``upper = d + sqrt((u1-p1)^2 + (p2-l2)^2)``, ``d = p1 - p2``
    (method 10 of Newcombe 1998).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between
    independent proportions: comparison of eleven methods. Statistics in
    Medicine 17, 873-890.
    """
    if int(n1) == 0 or int(n2) == 0:
        return float("nan"), float("nan")
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_ci(x1, n1, conf_level=conf_level)
    l2, u2 = wilson_ci(x2, n2, conf_level=conf_level)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def cliffs_delta(x, y, *, conf_level: float = 0.95) -> tuple[float, float, float]:
    """Cliff's delta (= rank-biserial correlation) with Cliff's asymmetric interval.

    Parameters
    ----------
    x, y : array-like
        Scores of group 1 and group 2 (missing values dropped).
    conf_level : float
        Confidence level (0.95).

    Returns
    -------
    (delta, low, high) : tuple of float
        ``delta = P(X > Y) - P(X < Y)`` in -1..1; positive when group 1 scores higher.

    Notes
    -----
    ``delta = 2U/(n1 n2) - 1`` with U the Mann-Whitney statistic of ``x``
    (ties count one half), which is also the rank-biserial correlation.
    Its variance is Cliff's unbiased estimate from the dominance matrix
    ``d_ij = sign(x_i - y_j)``:
    ``s^2 = (n2^2 S_x + n1^2 S_y - S_xy) / (n1 n2 (n1-1)(n2-1))`` with
    ``S_x = sum_i (d_i. - delta)^2``, ``S_y = sum_j (d_.j - delta)^2``,
    ``S_xy = sum_ij (d_ij - delta)^2``; floored at ``(1 - delta^2)/(n1 n2)``.
    Under complete separation (``|delta| = 1``) the far limit is computed at
    ``|delta| = 1 - 2/(n1 n2)`` (one pair reversed) and the near limit is 1.
    The interval is
    ``(delta - delta^3 -/+ z s sqrt((1-delta^2)^2 + z^2 s^2)) / (1 - delta^2 + z^2 s^2)``.

    References
    ----------
    Cliff, N. (1993). Dominance statistics: ordinal analyses to answer ordinal
    questions. Psychological Bulletin 114, 494-509.
    Feng, D. & Cliff, N. (2004). Monte Carlo evaluation of ordinal d with
    improved confidence interval. JMASM 3, 322-332.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x = x[~np.isnan(x)]
    y = y[~np.isnan(y)]
    n1, n2 = len(x), len(y)
    if n1 == 0 or n2 == 0:
        return float("nan"), float("nan"), float("nan")
    ys = np.sort(y)
    xs = np.sort(x)
    # row means of the dominance matrix: (#y below x_i - #y above x_i) / n2
    di = (np.searchsorted(ys, x, side="left") - (n2 - np.searchsorted(ys, x, side="right"))) / n2
    dj = (np.searchsorted(xs, y, side="left") - (n1 - np.searchsorted(xs, y, side="right"))) / n1
    dj = -dj  # column means of d_ij = sign(x_i - y_j)
    delta = float(np.mean(di))
    if n1 < 2 or n2 < 2:
        return delta, float("nan"), float("nan")
    ties = int(np.sum(np.searchsorted(ys, x, side="right") - np.searchsorted(ys, x, side="left")))
    s_xy = (n1 * n2 - ties) - n1 * n2 * delta ** 2  # sum of (d_ij - delta)^2, d_ij^2 = 1 unless tied
    s_x = float(np.sum((di - delta) ** 2))
    s_y = float(np.sum((dj - delta) ** 2))
    var = (n2 ** 2 * s_x + n1 ** 2 * s_y - s_xy) / (n1 * n2 * (n1 - 1) * (n2 - 1))
    m = n1 * n2
    # complete separation (|delta| = 1) makes the interval degenerate: bound it with the
    # delta of one reversed pair, 1 - 2/(n1 n2), and keep the other limit at +/-1
    dd = math.copysign(min(abs(delta), 1 - 2 / m), delta) if m > 1 else delta
    var = max(var, (1 - dd ** 2) / m)
    s = math.sqrt(var)
    z = _z(conf_level)
    den = 1 - dd ** 2 + z * z * var
    root = z * s * math.sqrt((1 - dd ** 2) ** 2 + z * z * var)
    lo = (dd - dd ** 3 - root) / den
    hi = (dd - dd ** 3 + root) / den
    if delta == 1.0:
        hi = 1.0
    elif delta == -1.0:
        lo = -1.0
    return delta, max(-1.0, lo), min(1.0, hi)


# ---------------------------------------------------------------------------
# Multiplicity
# ---------------------------------------------------------------------------


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
        Re-write ``reading_id`` / ``reading_en`` with the adjusted p.

    Returns
    -------
    DataFrame
        A copy with ``p_adjusted`` filled (NaN where excluded).
    """
    _need(table, [family, p_value], "adjust_within_family")
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


# ---------------------------------------------------------------------------
# Plain readings (Indonesian and English)
# ---------------------------------------------------------------------------

_GROUP_LABELS: dict[tuple[str, str], tuple[str, str]] = {
    ("special_group", "True"): ("pengguna kelompok khusus", "special-group users"),
    ("special_group", "False"): ("pengguna lain", "other users"),
    ("disability", "True"): ("pengguna penyandang disabilitas", "users with disabilities"),
    ("disability", "False"): ("pengguna lain", "other users"),
    ("elderly", "True"): ("pengguna lansia", "elderly users"),
    ("elderly", "False"): ("pengguna lain", "other users"),
    ("pregnant", "True"): ("pengguna ibu hamil", "pregnant users"),
    ("pregnant", "False"): ("pengguna lain", "other users"),
    ("with_child", "True"): ("pengguna yang membawa anak", "users with children"),
    ("with_child", "False"): ("pengguna lain", "other users"),
    ("gender", "female"): ("perempuan", "women"),
    ("gender", "male"): ("laki-laki", "men"),
    ("channel", "broker"): ("pengguna biro jasa/calo", "users who went through a broker"),
    ("channel", "in_person"): ("pengguna yang datang sendiri", "users who came in person"),
    ("income_group", "low"): ("pengguna berpenghasilan rendah", "lower-income users"),
    ("income_group", "high"): ("pengguna berpenghasilan tinggi", "higher-income users"),
}

_METRIC_LABELS: dict[str, tuple[str, str]] = {
    "ikm": ("IKM", "the IKM"),
    "pct_satisfied": ("persentase pengguna yang puas", "the share of satisfied users"),
    "pct_not_friendly": ("persentase pengguna yang menilai sarana tidak ramah kelompok khusus",
                         "the share of users who find the facilities unfriendly to special groups"),
    "pct_paid_extra": ("persentase pengguna yang membayar di atas tarif resmi",
                       "the share of users who paid more than the official fee"),
    "pct_had_problem": ("persentase pengguna yang mengalami masalah",
                        "the share of users who had a problem"),
    "pct_knows_complaint": ("persentase pengguna yang tahu cara mengadu",
                            "the share of users who know how to complain"),
    "mean:cost_paid": ("rata-rata biaya yang dibayar", "the mean amount paid"),
    "mean:overall_satisfaction": ("rata-rata kepuasan keseluruhan", "the mean overall satisfaction"),
    "mean:days_to_complete": ("rata-rata lama penyelesaian", "the mean number of days to complete"),
    "mean:wait_minutes": ("rata-rata waktu tunggu di loket", "the mean waiting time at the counter"),
}

_UNIT_LABELS = {
    "points": ("poin", "points"),
    "percentage points": ("poin persentase", "percentage points"),
    "rupiah": ("rupiah", "rupiah"),
    "days": ("hari", "days"),
    "minutes": ("menit", "minutes"),
}


def _group_label(comparison: str, value: str, lang: str) -> str:
    i = 0 if lang == "id" else 1
    if (comparison, value) in _GROUP_LABELS:
        return _GROUP_LABELS[(comparison, value)][i]
    if comparison == "unit":
        if value == "rest":
            return "unit lain di kota" if lang == "id" else "the rest of the city"
        return value
    if comparison == "round":
        return f"putaran {value}" if lang == "id" else f"round {value}"
    return f"{comparison} = {value}"


def _metric_label(metric: str, lang: str) -> str:
    i = 0 if lang == "id" else 1
    if metric in _METRIC_LABELS:
        return _METRIC_LABELS[metric][i]
    if metric.startswith("nrr:"):
        key = metric[4:]
        s = _scoring.SCHEMES["permenpan14_2017"]
        lab = (s.labels_id if lang == "id" else s.labels_en).get(key, key)
        if lang == "id":
            return f"rata-rata nilai unsur {lab.lower()}"
        return f"the mean score for {lab.lower()}"
    if metric.startswith("pct:"):
        return (f"persentase {metric[4:]}" if lang == "id" else f"the share {metric[4:]}")
    if metric.startswith("mean:"):
        return (f"rata-rata {metric[5:]}" if lang == "id" else f"the mean {metric[5:]}")
    return metric


def _unsur_label(metric: str, lang: str) -> str:
    key = metric.split(":", 1)[-1]
    s = _scoring.SCHEMES["permenpan14_2017"]
    return (s.labels_id if lang == "id" else s.labels_en).get(key, key).lower()


def _num(x: float, lang: str, digits: int = 2) -> str:
    if x is None or not np.isfinite(x):
        return "NA"
    s = f"{x:,.{digits}f}"
    if s.startswith("-") and float(s.replace(",", "")) == 0:
        s = s[1:]
    if lang == "id":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s


def _pfmt(p: float, lang: str) -> str:
    if p is None or not np.isfinite(p):
        return "NA"
    if p < 0.001:
        return "< " + _num(0.001, lang, 3)
    return "= " + _num(p, lang, 3)


def _digits(gap_unit: str) -> int:
    return {"percentage points": 1, "rupiah": 0, "days": 1, "minutes": 1}.get(gap_unit, 2)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _range(lo: float, hi: float, lang: str, d: int) -> str:
    a, b = _num(lo, lang, d), _num(hi, lang, d)
    if lo >= 0 and hi >= 0:
        return f"{a}\u2013{b}"
    return f"{a} s.d. {b}" if lang == "id" else f"{a} to {b}"


def _reading(r: Mapping, lang: str, alpha: float = 0.05) -> str:
    design = r.get("design", "")
    comp = str(r.get("comparison", ""))
    metric = str(r.get("metric", ""))
    status = str(r.get("status", OK))
    g1 = _group_label(comp, str(r.get("group1", "")), lang)
    g2 = _group_label(comp, str(r.get("group2", "")), lang)
    m = _metric_label(metric, lang)
    unit_txt = _UNIT_LABELS.get(str(r.get("gap_unit", "")), ("", ""))[0 if lang == "id" else 1]
    d = _digits(str(r.get("gap_unit", "")))
    gap, lo, hi = r.get("gap", np.nan), r.get("ci_low", np.nan), r.get("ci_high", np.nan)
    p = r.get("p_adjusted", np.nan)
    if p is None or not np.isfinite(p):
        p = r.get("p_value", np.nan)
    n1, n2 = r.get("n1"), r.get("n2")
    n1s = "NA" if n1 is None or pd.isna(n1) else str(int(n1))
    n2s = "NA" if n2 is None or pd.isna(n2) else str(int(n2))
    sig = p is not None and np.isfinite(p) and p < alpha
    ptxt = _pfmt(p, lang)

    if status == NOT_ENOUGH:
        if design == "paired":
            return (f"Data belum cukup untuk membandingkan kinerja dan harapan {_unsur_label(metric, lang)} "
                    f"(n = {n1s}; terlalu sedikit jawaban untuk diuji)." if lang == "id" else
                    f"Not enough data to compare experience with expectation for {_unsur_label(metric, lang)} "
                    f"(n = {n1s}; too few answers to test).")
        if design in ("target",):
            return (f"Data belum cukup untuk menguji {m} terhadap target (n = {n1s})." if lang == "id"
                    else f"Not enough data to test {m} against the target (n = {n1s}).")
        if design == "k-group":
            return (f"Data belum cukup untuk membandingkan {m} antar unit." if lang == "id"
                    else f"Not enough data to compare {m} across units.")
        return (f"Data belum cukup untuk membandingkan {m} antara {g1} dan {g2} "
                f"(n = {n1s} dan {n2s}; terlalu sedikit jawaban untuk diuji)." if lang == "id" else
                f"Not enough data to compare {m} between {g1} and {g2} "
                f"(n = {n1s} and {n2s}; too few answers to test).")
    if status != OK:
        return (f"{_cap(m)}: model tidak dapat diestimasi ({status})." if lang == "id"
                else f"{_cap(m)}: the model could not be estimated ({status}).")

    if design in ("two-group", "k-group pair"):
        if sig:
            lower = gap < 0
            mag_lo, mag_hi = (-hi, -lo) if lower else (lo, hi)
            if lang == "id":
                return (f"{_cap(m)} pada {g1} {_num(abs(gap), lang, d)} {unit_txt} lebih "
                        f"{'rendah' if lower else 'tinggi'} daripada pada {g2} "
                        f"(IK 95% tanpa koreksi: {_range(mag_lo, mag_hi, lang, d)}; p terkoreksi {ptxt}).")
            return (f"{_cap(m)} among {g1} is {_num(abs(gap), lang, d)} {unit_txt} "
                    f"{'lower' if lower else 'higher'} than among {g2} "
                    f"(unadjusted 95% CI: {_range(mag_lo, mag_hi, lang, d)}; adjusted p {ptxt}).")
        if lang == "id":
            return (f"Tidak ada perbedaan bermakna pada {m} antara {g1} dan {g2}: selisih "
                    f"{_num(gap, lang, d)} {unit_txt} (IK 95% tanpa koreksi: {_range(lo, hi, lang, d)}; p terkoreksi {ptxt}).")
        return (f"No significant difference in {m} between {g1} and {g2}: gap "
                f"{_num(gap, lang, d)} {unit_txt} (unadjusted 95% CI: {_range(lo, hi, lang, d)}; adjusted p {ptxt}).")

    if design == "k-group":
        eff = _num(r.get("effect_size", np.nan), lang, 3)
        h = _num(r.get("statistic", np.nan), lang, 2)
        if lang == "id":
            head = (f"{_cap(m)} berbeda antar unit" if sig else
                    f"Tidak ada bukti bahwa {m} berbeda antar unit")
            return f"{head} (Kruskal\u2013Wallis H = {h}; p {ptxt}; \u03b5\u00b2 = {eff})."
        head = (f"{_cap(m)} differs between units" if sig else
                f"No evidence that {m} differs between units")
        return f"{head} (Kruskal\u2013Wallis H = {h}; p {ptxt}; \u03b5\u00b2 = {eff})."

    if design == "paired":
        u = _unsur_label(metric, lang)
        if sig:
            lower = gap < 0
            mag_lo, mag_hi = (-hi, -lo) if lower else (lo, hi)
            if lang == "id":
                return (f"Untuk unsur {u}, kinerja {_num(abs(gap), lang, 2)} poin "
                        f"{'di bawah' if lower else 'di atas'} harapan "
                        f"(IK 95% tanpa koreksi: {_range(mag_lo, mag_hi, lang, 2)}; p terkoreksi {ptxt}).")
            return (f"For {u}, experience is {_num(abs(gap), lang, 2)} points "
                    f"{'below' if lower else 'above'} expectation "
                    f"(unadjusted 95% CI: {_range(mag_lo, mag_hi, lang, 2)}; adjusted p {ptxt}).")
        if lang == "id":
            return (f"Untuk unsur {u}, kinerja tidak berbeda bermakna dari harapan: selisih "
                    f"{_num(gap, lang, 2)} poin (IK 95% tanpa koreksi: {_range(lo, hi, lang, 2)}; p terkoreksi {ptxt}).")
        return (f"For {u}, experience does not differ significantly from expectation: gap "
                f"{_num(gap, lang, 2)} points (unadjusted 95% CI: {_range(lo, hi, lang, 2)}; adjusted p {ptxt}).")

    if design == "target":
        pct = "%" if r.get("gap_unit", "") == "percentage points" else ""
        est = _num(r.get("estimate1", np.nan), lang, d) + pct
        tgt = _num(r.get("estimate2", np.nan), lang, d) + pct
        lo_txt = _num(lo + r.get("estimate2", np.nan), lang, d) + pct
        if lang == "id":
            verb = "berada di atas" if sig else "belum terbukti berada di atas"
            return (f"{_cap(m)} {est} {verb} target {tgt} (batas bawah IK 95% satu sisi: {lo_txt}; "
                    f"p {ptxt}).")
        verb = "is above" if sig else "is not shown to be above"
        return f"{_cap(m)} of {est} {verb} the target of {tgt} (one-sided 95% lower bound: {lo_txt}; p {ptxt})."

    if design == "model":
        orr = _num(r.get("effect_size", np.nan), lang, 2)
        elo = r.get("effect_ci_low", np.nan)
        ehi = r.get("effect_ci_high", np.nan)
        u = _unsur_label(metric, lang)
        rng = _range(elo, ehi, lang, 2)
        if lang == "id":
            tail = "" if sig else "; tidak bermakna"
            return (f"Setelah memperhitungkan unit, sektor dan layanan, peluang {g1} memberi nilai lebih "
                    f"tinggi untuk unsur {u} adalah {orr} kali peluang {g2} (IK 95% tanpa koreksi: {rng}; "
                    f"p terkoreksi {ptxt}{tail}).")
        tail = "" if sig else "; not significant"
        return (f"After adjusting for unit, sector and service, the odds that {g1} give a higher score for "
                f"{u} are {orr} times those of {g2} (unadjusted 95% CI: {rng}; adjusted p {ptxt}{tail}).")
    return ""


def add_readings(table: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """(Re)write the plain readings ``reading_id`` and ``reading_en`` of a gap table.

    Parameters
    ----------
    table : DataFrame
        A gap table (``GAP_COLUMNS``).
    alpha : float
        A gap is read as significant when its adjusted p (or p, when not
        adjusted) is below ``alpha``.

    Returns
    -------
    DataFrame
        A copy with the two reading columns filled; Indonesian readings use
        decimal commas (``0,45``), English ones decimal points.
    """
    out = table.copy()
    recs = out.to_dict("records")
    out["reading_id"] = [_reading(r, "id", alpha) for r in recs]
    out["reading_en"] = [_reading(r, "en", alpha) for r in recs]
    return out


def _finish(rows: list[dict], *, adjust: bool, method: str) -> pd.DataFrame:
    out = _frame(rows)
    if adjust:
        out = adjust_within_family(out, method=method, readings=False)
    else:
        ok = out["status"].eq(OK)
        out["p_adjusted"] = np.where(ok, out["p_value"], np.nan)
    return add_readings(out)


# ---------------------------------------------------------------------------
# Two independent groups: ordinal scores
# ---------------------------------------------------------------------------


def _score_row(x: np.ndarray, y: np.ndarray, *, min_n: int, conf_level: float, **meta) -> dict:
    x = x[~np.isnan(x)]
    y = y[~np.isnan(y)]
    n1, n2 = len(x), len(y)
    (c1l, c1h), (c2l, c2h) = _mean_ci(x, conf_level), _mean_ci(y, conf_level)
    row = _row(design="two-group", n1=n1, n2=n2,
               estimate1=float(np.mean(x)) if n1 else np.nan,
               estimate2=float(np.mean(y)) if n2 else np.nan,
               ci1_low=c1l, ci1_high=c1h, ci2_low=c2l, ci2_high=c2h,
               effect_name="Cliff's delta",
               method="Mann-Whitney U (normal approximation, tie and continuity corrected); "
                      "gap = difference in means, Welch interval; Cliff's delta, Cliff interval",
               **meta)
    if n1 < max(min_n, 2) or n2 < max(min_n, 2):
        row["status"] = NOT_ENOUGH
        if n1 and n2:
            row["gap"] = row["estimate1"] - row["estimate2"]
        return row
    row["gap"] = float(np.mean(x) - np.mean(y))
    row["ci_low"], row["ci_high"] = _welch_ci(x, y, conf_level)
    if np.ptp(np.concatenate([x, y])) == 0:
        row.update(statistic=n1 * n2 / 2, p_value=1.0, effect_size=0.0,
                   effect_ci_low=np.nan, effect_ci_high=np.nan)
        return row
    res = sps.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided", method="asymptotic")
    delta, lo, hi = cliffs_delta(x, y, conf_level=conf_level)
    row.update(statistic=float(res.statistic), p_value=float(res.pvalue),
               effect_size=delta, effect_ci_low=lo, effect_ci_high=hi)
    return row


def compare_scores(df: pd.DataFrame, column: str, *, by: str, group1, group2=None,
                   metric: str | None = None, family: str | None = None, unit: str = "",
                   gap_unit: str = "points", min_n: int = 5,
                   conf_level: float = 0.95) -> pd.DataFrame:
    """Compare an ordinal (1..4) or numeric score between two independent groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Score column, e.g. ``"unsur_sarana"``.
    by : str
        Column that defines the groups, e.g. ``"special_group"``.
    group1, group2 : scalar or list
        Values of ``by`` for each side; ``group2=None`` means every other
        (non-missing) value ("the rest").
    metric : str, optional
        Metric name in the output (default ``"nrr:<key>"`` for ``unsur_<key>``,
        else ``"mean:<column>"``).
    family : str, optional
        Multiplicity family written to the ``family`` column.
    unit : str
        Service unit the comparison is made in (written to ``unit``).
    gap_unit : str
        Unit of the gap for the reading (``"points"``, ``"rupiah"``).
    min_n : int
        Fewest answers per side to run the test (default 5); below it the row
        has status ``"not enough data"`` and no p-value.
    conf_level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row with ``GAP_COLUMNS``: ``estimate1/2`` are the mean scores
        (``ci1_*``/``ci2_*`` their t intervals),
        ``gap = estimate1 - estimate2``, ``ci_low/ci_high`` its Welch interval,
        ``statistic`` the Mann-Whitney U of group 1 (R's ``W``), ``p_value``
        two-sided, ``effect_size`` Cliff's delta with Cliff's interval.

    Notes
    -----
    U is referred to the normal distribution with the tie-corrected variance
    ``n1 n2 / 12 * ((N+1) - sum(t^3 - t) / (N (N-1)))`` and a continuity
    correction of 1/2, as R's ``wilcox.test(x, y, correct = TRUE, exact = FALSE)``.

    References
    ----------
    Mann, H. B. & Whitney, D. R. (1947). Ann. Math. Statist. 18, 50-60.
    Welch, B. L. (1947). Biometrika 34, 28-35. Cliff, N. (1993), see :func:`cliffs_delta`.
    """
    row = _scores_gap_row(df, column, by=by, group1=group1, group2=group2, metric=metric, family=family,
                          unit=unit, gap_unit=gap_unit, min_n=min_n, conf_level=conf_level)
    return _finish([row], adjust=False, method="holm")


def _scores_gap_row(df, column, *, by, group1, group2=None, metric=None, family=None, unit="",
                    gap_unit="points", min_n=5, conf_level=0.95) -> dict:
    """The row of :func:`compare_scores` (before its p is adjusted and read)."""
    _need(df, [column, by], "compare_scores")
    m1 = _side(df, by, group1)
    m2 = _side(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    v = _floats(df[column])
    if metric is None:
        metric = f"nrr:{column[6:]}" if column.startswith("unsur_") else f"mean:{column}"
    return _score_row(v[m1], v[m2], min_n=min_n, conf_level=conf_level,
                      family=family or f"{by}: {metric}", unit=unit, comparison=by, metric=metric,
                      group1=_label_value(group1), group2="rest" if group2 is None else _label_value(group2),
                      gap_unit=gap_unit)


# ---------------------------------------------------------------------------
# Two independent groups: proportions
# ---------------------------------------------------------------------------


def _events(values: pd.Series, event) -> np.ndarray:
    """1.0 where the answer is the event, 0.0 where it is another answer, NaN when missing."""
    if callable(event):
        hit = event(values)
        hit = pd.Series(hit, index=values.index).astype("boolean")
    else:
        hit = values.eq(event).astype("boolean")
    out = hit.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    out[values.isna().to_numpy()] = np.nan
    return out


def _prop_row(a: np.ndarray, b: np.ndarray, *, min_n: int, conf_level: float, **meta) -> dict:
    a = a[~np.isnan(a)]
    b = b[~np.isnan(b)]
    n1, n2 = len(a), len(b)
    x1, x2 = int(a.sum()), int(b.sum())
    (c1l, c1h) = wilson_ci(x1, n1, conf_level=conf_level)
    (c2l, c2h) = wilson_ci(x2, n2, conf_level=conf_level)
    row = _row(design="two-group", n1=n1, n2=n2, gap_unit="percentage points",
               ci1_low=100 * c1l, ci1_high=100 * c1h, ci2_low=100 * c2l, ci2_high=100 * c2h,
               estimate1=100 * x1 / n1 if n1 else np.nan, estimate2=100 * x2 / n2 if n2 else np.nan,
               effect_name="Cohen's h", **meta)
    if n1 < max(min_n, 1) or n2 < max(min_n, 1):
        row["status"] = NOT_ENOUGH
        row["method"] = "risk difference"
        if n1 and n2:
            row["gap"] = row["estimate1"] - row["estimate2"]
        return row
    p1, p2 = x1 / n1, x2 / n2
    lo, hi = newcombe_ci(x1, n1, x2, n2, conf_level=conf_level)
    table = np.array([[x1, n1 - x1], [x2, n2 - x2]], dtype=float)
    col = table.sum(axis=0)
    expected = np.outer(table.sum(axis=1), col) / table.sum()
    odds = {}
    if col.min() == 0:
        stat, p, test = 0.0, 1.0, "no test (every answer is the same)"
    elif expected.min() < 5:
        res = sps.fisher_exact(table.astype(int), alternative="two-sided")
        orr, or_lo, or_hi = fisher_odds_ratio(table.astype(int), conf_level=conf_level)
        stat, p = orr, float(res.pvalue)
        test = ("Fisher's exact test (an expected count < 5); conditional maximum-likelihood odds ratio "
                "with exact interval")
        odds = {"odds_ratio": orr, "or_ci_low": or_lo, "or_ci_high": or_hi}
    else:
        res = sps.chi2_contingency(table, correction=False)
        stat, p, test = float(res.statistic), float(res.pvalue), "Pearson chi-square test without continuity correction"
    h = 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
    z = _z(conf_level)
    se_h = math.sqrt(1 / n1 + 1 / n2)
    row.update(gap=100 * (p1 - p2), ci_low=100 * lo, ci_high=100 * hi, statistic=stat, p_value=p,
               effect_size=h, effect_ci_low=h - z * se_h, effect_ci_high=h + z * se_h,
               method=f"{test}; risk difference, Newcombe hybrid score interval; Cohen's h", **odds)
    return row


def fisher_odds_ratio(table, *, conf_level: float = 0.95) -> tuple[float, float, float]:
    """Conditional maximum-likelihood odds ratio of a 2x2 table and its exact interval, as R ``fisher.test``.

    Parameters
    ----------
    table : array-like, 2 x 2
        Counts ``[[a, b], [c, d]]`` (group 1: a events, b others; group 2: c, d).
    conf_level : float
        Level of the two-sided interval.

    Returns
    -------
    tuple of float
        ``(odds_ratio, ci_low, ci_high)``; 0 or infinity at the edges of the
        support (a zero cell), as R gives.

    Notes
    -----
    The estimate maximises the conditional (non-central hypergeometric)
    likelihood given the margins; the interval inverts the two one-sided
    exact tests at ``(1 - conf_level) / 2`` each
    (``scipy.stats.contingency.odds_ratio(kind="conditional")``). R's
    ``fisher.test`` solves the same equations with ``uniroot``'s default
    tolerance (1.2e-4), so its printed estimate agrees to about four digits;
    solved tightly in R the two agree to 1e-12 (``tests/r_reference/survey_design.R``).
    The sample odds ratio ``ad / bc`` is a different figure.

    References
    ----------
    Fisher, R. A. (1935). The logic of inductive inference. JRSS 98, 39-82;
    Cornfield, J. (1956). A statistical problem arising from retrospective studies.

    Examples
    --------
    >>> orr, lo, hi = fisher_odds_ratio([[2, 10], [7, 4]])
    >>> round(orr, 4), round(lo, 4), round(hi, 4)
    (0.1277, 0.0091, 1.0559)
    """
    from scipy.stats.contingency import odds_ratio

    res = odds_ratio(np.asarray(table, dtype=int), kind="conditional")
    ci = res.confidence_interval(confidence_level=conf_level)
    return float(res.statistic), float(ci.low), float(ci.high)


def compare_proportions(df: pd.DataFrame, column: str, *, by: str, group1, group2=None,
                        event=True, metric: str | None = None, family: str | None = None,
                        unit: str = "", min_n: int = 5, conf_level: float = 0.95) -> pd.DataFrame:
    """Compare the share of an answer between two independent groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Indicator column, e.g. ``"paid_extra"`` or ``"facility_friendly"``.
    by, group1, group2 : see :func:`compare_scores`.
    event : scalar or callable
        The answer counted (default ``True``); ``event=False`` on
        ``facility_friendly`` counts "not friendly". A callable receives the
        column and returns booleans (e.g. ``lambda s: s >= 3`` for "satisfied").
    metric, family, unit, min_n, conf_level : see :func:`compare_scores`.

    Returns
    -------
    DataFrame
        One row (``GAP_COLUMNS``): ``estimate1/2`` in percent (``ci1_*``/``ci2_*``
        their Wilson intervals), ``gap`` in
        percentage points with Newcombe's interval, ``statistic`` the chi-square
        (or, under Fisher, the conditional maximum-likelihood odds ratio, which is also
        in ``odds_ratio`` with its exact interval ``or_ci_low``, ``or_ci_high``, as R
        ``fisher.test``; see :func:`fisher_odds_ratio`), ``effect_size`` Cohen's h with
        the interval ``h +/- z sqrt(1/n1 + 1/n2)``.

    Notes
    -----
    Test rule (Cochran): Pearson's chi-square without continuity correction
    (R ``chisq.test(tab, correct = FALSE)``, equal to ``prop.test(correct = FALSE)``)
    when every expected count of the 2x2 table is at least 5, otherwise
    Fisher's exact test (R ``fisher.test``, two-sided). Cohen's
    ``h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2))``.

    References
    ----------
    Newcombe (1998), see :func:`newcombe_ci`. Cochran, W. G. (1954). Some
    methods for strengthening the common chi-square tests. Biometrics 10, 417-451.
    Cohen, J. (1988). Statistical Power Analysis for the Behavioral Sciences, ch. 6.
    """
    row = _proportions_gap_row(df, column, by=by, group1=group1, group2=group2, event=event, metric=metric,
                               family=family, unit=unit, min_n=min_n, conf_level=conf_level)
    return _finish([row], adjust=False, method="holm")


def _proportions_gap_row(df, column, *, by, group1, group2=None, event=True, metric=None, family=None,
                         unit="", min_n=5, conf_level=0.95) -> dict:
    """The row of :func:`compare_proportions` (before its p is adjusted and read)."""
    _need(df, [column, by], "compare_proportions")
    m1 = _side(df, by, group1)
    m2 = _side(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    ev = _events(df[column], event)
    if metric is None:
        metric = f"pct:{column}"
    return _prop_row(ev[m1], ev[m2], min_n=min_n, conf_level=conf_level,
                     family=family or f"{by}: {metric}", unit=unit, comparison=by, metric=metric,
                     group1=_label_value(group1), group2="rest" if group2 is None else _label_value(group2))


# ---------------------------------------------------------------------------
# Two independent groups: IKM
# ---------------------------------------------------------------------------


def _answers(df: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    if len(df) == 0:
        return np.empty((0, len(columns)))
    return np.column_stack([_floats(df[c]) for c in columns])


def _ikm_from_counts(counts: np.ndarray, xv: np.ndarray, av: np.ndarray, w: float) -> np.ndarray:
    """IKM of each resample given respondent multiplicities ``counts`` (B x n)."""
    return _ikm_from_sums(counts @ xv, counts @ av, w)


def _ikm_from_sums(sums: np.ndarray, answered: np.ndarray, w: float) -> np.ndarray:
    """IKM of each row of answer sums and answer counts per unsur (B x unsur)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr = sums / answered
    return 25.0 * w * nrr.sum(axis=1)


def _ikm_setup(df: pd.DataFrame, scheme, weights):
    s = _scoring.get_scheme(scheme)
    _need(df, s.columns, "IKM")
    w = s.weight(weights)
    x = _answers(df, s.columns)
    a = (~np.isnan(x)).astype(float)
    xv = np.where(np.isnan(x), 0.0, x)
    return s, w, xv, a


def _check_fast(df, xv, a, w, scheme, weights) -> None:
    """The vectorised IKM must equal the regulation's formula on the observed slice."""
    if len(df) == 0:
        return
    fast = _ikm_from_counts(np.ones((1, len(df))), xv, a, w)[0]
    ref = _ikm_point(df, scheme=scheme, weights=weights)
    if not (np.isnan(fast) and np.isnan(ref)) and not math.isclose(fast, ref, rel_tol=1e-12, abs_tol=1e-9):
        raise RuntimeError(f"internal IKM ({fast}) differs from scoring.ikm_point ({ref})")


def _resample_counts(rng: np.random.Generator, n: int, n_boot: int) -> np.ndarray:
    """Multiplicity of each respondent in ``n_boot`` resamples with replacement (n_boot x n)."""
    idx = rng.integers(0, n, size=(n_boot, n)) + (np.arange(n_boot) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(float)


def compare_ikm(df: pd.DataFrame, *, by: str, group1, group2=None,
                scheme="permenpan14_2017", weights="exact", family: str | None = None,
                unit: str = "", min_n: int = 5, n_boot: int = 2000, n_perm: int = 2000,
                seed: int = 12345, conf_level: float = 0.95) -> pd.DataFrame:
    """Compare the IKM of two independent groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with the scheme's ``unsur_<key>`` columns.
    by, group1, group2 : see :func:`compare_scores`.
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    family, unit, min_n, conf_level : see :func:`compare_scores`. A side has
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
    """
    row = _ikm_gap_row(df, by=by, group1=group1, group2=group2, scheme=scheme, weights=weights, family=family,
                       unit=unit, min_n=min_n, n_boot=n_boot, n_perm=n_perm, seed=seed, conf_level=conf_level)
    return _finish([row], adjust=False, method="holm")


def _ikm_gap_row(df, *, by, group1, group2=None, scheme="permenpan14_2017", weights="exact", family=None,
                 unit="", min_n=5, n_boot=2000, n_perm=2000, seed=12345, conf_level=0.95) -> dict:
    """The row of :func:`compare_ikm` (before its p is adjusted and read)."""
    _need(df, [by], "compare_ikm")
    m1 = _side(df, by, group1)
    m2 = _side(df, by, group2) if group2 is not None else (~m1 & df[by].notna().to_numpy())
    return _ikm_two(df, m1, m2, scheme=scheme, weights=weights, min_n=min_n, n_boot=n_boot,
                    n_perm=n_perm, seed=seed, conf_level=conf_level,
                    family=family or f"{by}: ikm", unit=unit, comparison=by, metric="ikm",
                    group1=_label_value(group1),
                    group2="rest" if group2 is None else _label_value(group2))


def _ikm_checked(df, scheme, weights, n_boot, n_perm):
    """Weight, answers (0 where missing) and answered mask for the resampled IKM tests, checked."""
    if n_boot < 100 or n_perm < 100:
        raise ValueError("n_boot and n_perm must be at least 100 (2000 recommended)")
    _s, w, xv, a = _ikm_setup(df, scheme, weights)
    _check_fast(df, xv, a, w, scheme, weights)
    return w, xv, a


def _ikm_two(df, m1, m2, *, scheme, weights, min_n, n_boot, n_perm, seed, conf_level, **meta):
    w, xv, a = _ikm_checked(df, scheme, weights, n_boot, n_perm)
    rows1 = np.flatnonzero(m1 & (a.sum(axis=1) > 0))
    rows2 = np.flatnonzero(m2 & (a.sum(axis=1) > 0))
    return _ikm_core(xv[rows1], a[rows1], xv[rows2], a[rows2], w, min_n=min_n, n_boot=n_boot,
                     n_perm=n_perm, seed=seed, conf_level=conf_level, **meta)


def _ikm_core(x1, a1, x2, a2, w, *, min_n, n_boot, n_perm, seed, conf_level, boot=None,
              subset_permutation=False, method=None, **meta) -> dict:
    """IKM gap row from answer matrices (0 where missing) and answered masks of the two groups.

    ``boot``: the groups' bootstrap IKMs ``(b1, b2)`` when the caller drew them
    (``unit_vs_rest`` resamples every unit once); ``subset_permutation``: draw
    each permutation as a random subset of the smaller group's size from the
    pooled respondents (the same permutation distribution, at a cost that grows
    with the smaller group, not with both).
    """
    n1, n2 = len(x1), len(x2)
    e1 = _ikm_from_counts(np.ones((1, n1)), x1, a1, w)[0] if n1 else np.nan
    e2 = _ikm_from_counts(np.ones((1, n2)), x2, a2, w)[0] if n2 else np.nan
    method = method or ("IKM (Permenpan RB 14/2017); percentile bootstrap interval stratified by group "
                        f"({n_boot} resamples), two-sided permutation test ({n_perm} permutations); "
                        "standardised gap")
    row = _row(design="two-group", n1=n1, n2=n2, estimate1=e1, estimate2=e2, gap_unit="points",
               effect_name="standardised gap (d)", method=method, **meta)
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
        b1 = _ikm_from_counts(_resample_counts(rng, n1, n_boot), x1, a1, w)
        b2 = _ikm_from_counts(_resample_counts(rng, n2, n_boot), x2, a2, w)
    else:
        b1, b2 = boot
    bd = b1 - b2
    alpha = 1 - conf_level
    lo, hi = np.nanquantile(bd, [alpha / 2, 1 - alpha / 2])
    row["ci1_low"], row["ci1_high"] = np.nanquantile(b1, [alpha / 2, 1 - alpha / 2])
    row["ci2_low"], row["ci2_high"] = np.nanquantile(b2, [alpha / 2, 1 - alpha / 2])
    # permutation of the group labels among the pooled respondents
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
    p = (1 + extreme) / (1 + valid.sum())
    # standardised gap: respondent-level score 25 x mean of the answered unsur
    r1 = 25 * (x1.sum(axis=1) / a1.sum(axis=1))
    r2 = 25 * (x2.sum(axis=1) / a2.sum(axis=1))
    sd = math.sqrt(((n1 - 1) * np.var(r1, ddof=1) + (n2 - 1) * np.var(r2, ddof=1)) / (n - 2))
    d = gap / sd if sd > 0 else np.nan
    if np.isfinite(d):
        z = _z(conf_level)
        se_d = math.sqrt(n / (n1 * n2) + d * d / (2 * n))
        dlo, dhi = d - z * se_d, d + z * se_d
    else:
        dlo = dhi = np.nan
    row.update(gap=gap, ci_low=float(lo), ci_high=float(hi), statistic=gap, p_value=float(p),
               effect_size=d, effect_ci_low=dlo, effect_ci_high=dhi)
    return row


# ---------------------------------------------------------------------------
# k units: Kruskal-Wallis, Dunn, each unit against the rest
# ---------------------------------------------------------------------------


def _epsilon_sq(h: float, n: int) -> float:
    return h * (n + 1) / (n * n - 1)


def _dunn_core(samples: Sequence[np.ndarray]) -> tuple[np.ndarray, float]:
    """Mean pooled mid-rank of each sample and the tie-corrected rank variance ``S^2``."""
    allv = np.concatenate(samples)
    ranks = sps.rankdata(allv)
    n_tot = len(allv)
    _, t = np.unique(allv, return_counts=True)
    s2 = n_tot * (n_tot + 1) / 12 - np.sum(t ** 3 - t) / (12 * (n_tot - 1))
    bounds = np.cumsum([0] + [len(x) for x in samples])
    return np.array([ranks[bounds[i]:bounds[i + 1]].mean() for i in range(len(samples))]), float(s2)


def _dunn_pairs(samples: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Dunn's z and two-sided p for every pair i < j of the samples (in that order)."""
    mr, s2 = _dunn_core(samples)
    zs, ps = [], []
    for i in range(len(samples)):
        for j in range(i + 1, len(samples)):
            if s2 > 0:
                z = (mr[i] - mr[j]) / math.sqrt(s2 * (1 / len(samples[i]) + 1 / len(samples[j])))
            else:
                z = 0.0
            zs.append(z)
            ps.append(2 * sps.norm.sf(abs(z)))
    return np.array(zs), np.array(ps)


def dunn_test(df: pd.DataFrame, column: str, *, by: str = "unit", groups: Sequence | None = None,
              metric: str | None = None, family: str | None = None, method: str = "holm",
              min_n: int = 5, conf_level: float = 0.95) -> pd.DataFrame:
    """Dunn's pairwise z tests after Kruskal-Wallis, tie-corrected, p adjusted within the family.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Score column (e.g. ``"unsur_waktu"``).
    by : str
        Group column (default ``"unit"``).
    groups : sequence, optional
        Groups to compare, in this order (default: every value of ``by``, sorted).
        Groups with fewer than ``min_n`` answers are not ranked; their pairs get
        status ``"not enough data"``.
    metric, family : str, optional
        Names written to the output (default ``"nrr:<key>"`` and ``"Dunn: <metric>"``).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment over all pairs (see :func:`adjust_pvalues`).
    min_n, conf_level : see :func:`compare_scores`.

    Returns
    -------
    DataFrame
        One row per pair (``GAP_COLUMNS``, design ``"k-group pair"``): mean scores,
        gap in means with its Welch interval, ``statistic`` Dunn's z (positive when
        group 1 has the higher mean rank), two-sided ``p_value``, ``p_adjusted``,
        Cliff's delta of the pair with its interval.

    Notes
    -----
    All kept groups are ranked together (mid-ranks for ties);
    ``z_ij = (Rbar_i - Rbar_j) / sqrt((N(N+1)/12 - sum(t^3 - t)/(12(N-1))) (1/n_i + 1/n_j))``,
    ``p = 2 (1 - Phi(|z|))``.

    References
    ----------
    Dunn, O. J. (1964). Multiple comparisons using rank sums. Technometrics 6,
    241-252.
    """
    _need(df, [column, by], "dunn_test")
    if metric is None:
        metric = f"nrr:{column[6:]}" if column.startswith("unsur_") else f"mean:{column}"
    family = family or f"Dunn: {metric}"
    v = _floats(df[column])
    g = df[by]
    if groups is None:
        groups = sorted(pd.unique(g.dropna()).tolist(), key=str)
    values = {k: v[_side(df, by, k)] for k in groups}
    values = {k: x[~np.isnan(x)] for k, x in values.items()}
    kept = [k for k in groups if len(values[k]) >= max(min_n, 2)]
    rows = []
    if len(kept) >= 2:
        mean_rank, s2 = _dunn_core([values[k] for k in kept])
        mean_rank = dict(zip(kept, mean_rank))
    for i, k1 in enumerate(groups):
        for k2 in groups[i + 1:]:
            meta = dict(family=family, comparison=by, metric=metric, group1=_label_value(k1),
                        group2=_label_value(k2), gap_unit="points")
            row = _score_row(values[k1], values[k2], min_n=min_n, conf_level=conf_level, **meta)
            row["design"] = "k-group pair"
            row["method"] = ("Dunn's z test (tie-corrected, all kept groups ranked together); "
                             "gap = difference in means, Welch interval; Cliff's delta, Cliff interval")
            if k1 in kept and k2 in kept:
                n1, n2 = len(values[k1]), len(values[k2])
                if s2 > 0:
                    z = (mean_rank[k1] - mean_rank[k2]) / math.sqrt(s2 * (1 / n1 + 1 / n2))
                    p = 2 * sps.norm.sf(abs(z))
                else:
                    z, p = 0.0, 1.0
                row.update(statistic=float(z), p_value=float(p), status=OK)
            else:
                row.update(statistic=np.nan, p_value=np.nan, status=NOT_ENOUGH)
            rows.append(row)
    return _finish(rows, adjust=True, method=method)


def _kruskal_from_counts(counts: np.ndarray) -> np.ndarray:
    """Tie-corrected Kruskal-Wallis H from count tables (..., k groups, L ordered values)."""
    n_g = counts.sum(axis=-1)
    tot = counts.sum(axis=-2)
    n = tot.sum(axis=-1)
    midrank = np.cumsum(tot, axis=-1) - tot + (tot + 1) / 2
    r_g = np.sum(counts * midrank[..., None, :], axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = 12 / (n * (n + 1)) * np.sum(r_g ** 2 / n_g, axis=-1) - 3 * (n + 1)
        c = 1 - np.sum(tot ** 3 - tot, axis=-1) / (n ** 3 - n)
        return np.where(c > 0, h / c, 0.0)


def compare_units(df: pd.DataFrame, column: str, *, unit: str = "unit", sector: str | None = None,
                  sector_column: str = "sector", units: Sequence | None = None,
                  metric: str | None = None, method: str = "holm", min_n: int = 5,
                  n_boot: int = 1000, seed: int = 12345, conf_level: float = 0.95,
                  pairs: bool = True) -> pd.DataFrame:
    """Compare a score across the units of a sector: Kruskal-Wallis, then Dunn's pairwise tests.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Score column, e.g. ``"unsur_waktu"``.
    unit : str
        Unit column (default ``"unit"``).
    sector : str, optional
        Keep only rows of this sector (``sector_column == sector``).
    units : sequence, optional
        Units to compare (default: all units present, sorted).
    metric : str, optional
        Metric name (default ``"nrr:<key>"``).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment of the Dunn pairs.
    min_n : int
        Units with fewer answers are left out of the test (their pairs are
        "not enough data"); fewer than two units left gives "not enough data".
    n_boot, seed : int
        Bootstrap resamples (stratified by unit) and seed for the interval of
        epsilon squared.
    conf_level : float
        Confidence level.
    pairs : bool, default True
        Add Dunn's pairwise tests. ``k`` units make ``k (k - 1) / 2`` pairs
        (4,560 for 96 units), each with its own interval and effect size;
        ``pairs=False`` returns the omnibus row alone.

    Returns
    -------
    DataFrame
        First row: the omnibus test (design ``"k-group"``; ``group1`` lists the
        units, ``n1`` the answers used, ``n2`` the number of units,
        ``statistic`` H, ``effect_size`` epsilon squared with a percentile
        bootstrap interval). Then, with ``pairs``, one row per pair from
        :func:`dunn_test`.

    Notes
    -----
    H is tie-corrected (``scipy.stats.kruskal``, equal to R ``kruskal.test``).
    ``epsilon^2 = H (N + 1) / (N^2 - 1) = H / (N - 1)``.

    References
    ----------
    Kruskal, W. H. & Wallis, W. A. (1952). JASA 47, 583-621. Tomczak, M. &
    Tomczak, E. (2014). The need to report effect size estimates revisited.
    Trends in Sport Sciences 21, 19-25 (epsilon squared). Dunn (1964).
    """
    _need(df, [column, unit], "compare_units")
    data = df
    if sector is not None:
        _need(df, [sector_column], "compare_units")
        data = df[df[sector_column].eq(sector).fillna(False).to_numpy(dtype=bool)]
    if metric is None:
        metric = f"nrr:{column[6:]}" if column.startswith("unsur_") else f"mean:{column}"
    if units is None:
        units = sorted(pd.unique(data[unit].dropna()).tolist(), key=str)
    v = _floats(data[column])
    values = {k: v[_side(data, unit, k)] for k in units}
    values = {k: x[~np.isnan(x)] for k, x in values.items()}
    kept = [k for k in units if len(values[k]) >= max(min_n, 2)]
    scope = sector or "all sectors"
    row = _row(design="k-group", family=f"{scope}: Kruskal-Wallis", comparison=unit, metric=metric,
               group1="; ".join(map(str, kept)), group2="", gap_unit="points",
               n1=int(sum(len(values[k]) for k in kept)), n2=len(kept),
               effect_name="epsilon squared",
               method=f"Kruskal-Wallis H (tie-corrected, chi-square with k-1 df); epsilon squared, "
                      f"percentile bootstrap interval stratified by unit ({n_boot} resamples)")
    if len(kept) < 2:
        row["status"] = NOT_ENOUGH
    else:
        samples = [values[k] for k in kept]
        allv = np.concatenate(samples)
        n = len(allv)
        if np.ptp(allv) == 0:
            row.update(statistic=0.0, p_value=1.0, effect_size=0.0)
        else:
            res = sps.kruskal(*samples)
            eps = _epsilon_sq(float(res.statistic), n)
            rng = np.random.default_rng(seed)
            # resampling within a unit only changes how many answers fall on each value, so the
            # bootstrap draws multinomial counts per unit and computes H from the count table
            levels = np.unique(allv)
            props = [np.searchsorted(levels, s_) for s_ in samples]
            props = [np.bincount(ix, minlength=len(levels)) / len(ix) for ix in props]
            counts = np.stack([rng.multinomial(len(s_), pr, size=n_boot) for s_, pr in zip(samples, props)],
                              axis=1).astype(float)
            boots = _epsilon_sq(_kruskal_from_counts(counts), n)
            alpha = 1 - conf_level
            lo, hi = np.quantile(boots, [alpha / 2, 1 - alpha / 2])
            row.update(statistic=float(res.statistic), p_value=float(res.pvalue), effect_size=eps,
                       effect_ci_low=float(lo), effect_ci_high=float(hi))
    omnibus = _finish([row], adjust=False, method=method)
    if not pairs:
        return omnibus
    dunn = dunn_test(data, column, by=unit, groups=list(units), metric=metric,
                     family=f"{scope}: Dunn {metric}", method=method, min_n=min_n,
                     conf_level=conf_level)
    return pd.concat([omnibus, dunn], ignore_index=True)


def unit_vs_rest(df: pd.DataFrame, column: str | None = None, *, kind: str = "score",
                 unit: str = "unit", units: Sequence | None = None, event=True,
                 metric: str | None = None, scheme="permenpan14_2017", weights="exact",
                 method: str = "holm", min_n: int = 5, n_boot: int = 2000, n_perm: int = 2000,
                 seed: int = 12345, conf_level: float = 0.95) -> pd.DataFrame:
    """Compare each unit with the rest of the city (every other unit pooled).

    Parameters
    ----------
    df : DataFrame
        Cleaned table (all units).
    column : str, optional
        Score or indicator column; not needed for ``kind="ikm"``.
    kind : {"score", "proportion", "ikm"}
        Which two-group test: :func:`compare_scores`, :func:`compare_proportions`
        or :func:`compare_ikm`.
    unit, units : see :func:`compare_units`.
    event : see :func:`compare_proportions`.
    metric, scheme, weights, min_n, n_boot, n_perm, seed, conf_level :
        passed on to the two-group test.
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment over the units (one family per metric).

    Returns
    -------
    DataFrame
        One row per unit (``GAP_COLUMNS``), ``group1`` the unit, ``group2 = "rest"``,
        family ``"unit vs rest: <metric>"``.

    Notes
    -----
    ``kind="ikm"``: the point figures are those of :func:`compare_ikm`; the
    bootstrap resamples every unit on its own, once for all units (the units
    are the survey's strata; the rest's resample is the sum of the other
    units'), and each permutation is a random subset of the pooled respondents,
    so the cost grows with the respondents, not with units x respondents.
    """
    _need(df, [unit], "unit_vs_rest")
    if units is None:
        units = sorted(pd.unique(df[unit].dropna()).tolist(), key=str)
    if kind == "ikm":
        rows = _ikm_vs_rest_rows(df, unit=unit, units=units, scheme=scheme, weights=weights, min_n=min_n,
                                 n_boot=n_boot, n_perm=n_perm, seed=seed, conf_level=conf_level)
        out = _frame(rows)
        out["family"] = "unit vs rest: " + out["metric"]
        return adjust_within_family(out, method=method)
    rows = []  # one frame at the end: the rows' p are adjusted and read once, for all units
    for u in units:
        if kind == "score":
            r = _scores_gap_row(df, column, by=unit, group1=u, metric=metric, min_n=min_n,
                                conf_level=conf_level)
        elif kind == "proportion":
            r = _proportions_gap_row(df, column, by=unit, group1=u, event=event, metric=metric,
                                     min_n=min_n, conf_level=conf_level)
        else:
            raise ValueError(f"unknown kind {kind!r}; use 'score', 'proportion' or 'ikm'")
        rows.append(r)
    out = _frame(rows)
    out["family"] = "unit vs rest: " + out["metric"]
    return adjust_within_family(out, method=method)


def _ikm_vs_rest_rows(df, *, unit, units, scheme, weights, min_n, n_boot, n_perm, seed, conf_level) -> list:
    """IKM of each unit against the rest of the city, one gap row per unit.

    The survey samples each unit on its own (the units are its strata), so a
    bootstrap resample of the city is a resample within every unit: each unit's
    answers are resampled once (``n_boot`` times), and the rest's resample for
    unit k is the sum over the other units' resamples. One pass over the
    respondents serves every unit, where resampling the pooled rest for each
    unit would cost (units x respondents x n_boot) draws and as much memory.
    The permutation p draws each permutation as a random subset of the pooled
    respondents (seed + i for the i-th unit, as for the other kinds).
    """
    w, xv, a = _ikm_checked(df, scheme, weights, n_boot, n_perm)
    answered = a.sum(axis=1) > 0
    in_city = df[unit].notna().to_numpy() & answered
    # every unit present in the data is a stratum of the rest, also those not compared
    strata = sorted(pd.unique(df.loc[in_city, unit]).tolist(), key=str)
    side = {k: _side(df, unit, k) & answered for k in dict.fromkeys([*strata, *units])}
    rng = np.random.default_rng(seed)
    zero = np.zeros((n_boot, xv.shape[1]))
    sums, counts = {}, {}
    for k in strata:
        rows = np.flatnonzero(side[k])
        c = _resample_counts(rng, rows.size, n_boot)
        sums[k], counts[k] = c @ xv[rows], c @ a[rows]
    tot_s, tot_c = sum(sums.values(), zero), sum(counts.values(), zero)
    method = ("IKM (Permenpan RB 14/2017); percentile bootstrap interval, every unit resampled on its own "
              f"({n_boot} resamples), two-sided permutation test ({n_perm} permutations); standardised gap")
    out = []
    for i, u in enumerate(units):
        r1 = np.flatnonzero(side[u])
        r2 = np.flatnonzero(in_city & ~side[u])
        s1, c1 = sums.get(u, zero), counts.get(u, zero)
        boot = (_ikm_from_sums(s1, c1, w), _ikm_from_sums(tot_s - s1, tot_c - c1, w))
        out.append(_ikm_core(xv[r1], a[r1], xv[r2], a[r2], w, min_n=min_n, n_boot=n_boot, n_perm=n_perm,
                             seed=seed + i, conf_level=conf_level, boot=boot, subset_permutation=True,
                             method=method, comparison=unit, metric="ikm", group1=_label_value(u),
                             group2="rest", family=f"{unit}: ikm"))
    return out


# ---------------------------------------------------------------------------
# Paired: expectation (harapan, Y) vs experience (unsur, X)
# ---------------------------------------------------------------------------


def _signed_rank_r(d: np.ndarray) -> np.ndarray:
    """Matched-pairs rank-biserial of each row of ``d`` (zeros dropped)."""
    d = np.atleast_2d(d)
    absd = np.abs(d)
    ranks = sps.rankdata(absd, axis=1)
    nz = (d == 0).sum(axis=1, keepdims=True)
    ranks = ranks - nz  # zeros are the smallest |d|: removing them shifts the other ranks
    rp = np.where(d > 0, ranks, 0).sum(axis=1)
    rm = np.where(d < 0, ranks, 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rp - rm) / (rp + rm)


def _paired_row(x: np.ndarray, y: np.ndarray, *, rng, n_boot: int, min_n: int, conf_level: float,
                **meta) -> dict:
    """Paired gap row (experience x, expectation y); incomplete pairs dropped."""
    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[ok], y[ok]
    d = x - y
    n = len(d)
    nz = int(np.sum(d != 0))
    (c1l, c1h), (c2l, c2h) = _mean_ci(x, conf_level), _mean_ci(y, conf_level)
    row = _row(design="paired", comparison="expectation", group1="experience", group2="expectation",
               n1=n, n2=n, estimate1=float(x.mean()) if n else np.nan,
               estimate2=float(y.mean()) if n else np.nan, gap_unit="points",
               ci1_low=c1l, ci1_high=c1h, ci2_low=c2l, ci2_high=c2h,
               effect_name="matched-pairs rank-biserial",
               method="Wilcoxon signed-rank (zeros dropped, tie-corrected normal approximation with "
                      "continuity correction); gap = mean of X - Y, paired t interval; "
                      f"matched-pairs rank-biserial, percentile bootstrap interval ({n_boot} resamples)",
               **meta)
    if nz < max(min_n, 1) and not (n >= max(min_n, 2) and nz == 0):
        row["status"] = NOT_ENOUGH
        if n:
            row["gap"] = float(d.mean())
        return row
    gap = float(d.mean())
    sd = float(np.std(d, ddof=1))
    t = sps.t.ppf(0.5 + conf_level / 2, n - 1)
    row.update(gap=gap, ci_low=gap - t * sd / math.sqrt(n), ci_high=gap + t * sd / math.sqrt(n))
    if nz == 0:  # every pair equal: no evidence of a gap
        row.update(statistic=0.0, p_value=1.0, effect_size=0.0)
        return row
    try:
        res = sps.wilcoxon(x, y, zero_method="wilcox", correction=True, alternative="two-sided",
                           method="asymptotic")
    except ValueError:  # scipy < 1.13 calls the normal approximation "approx"
        res = sps.wilcoxon(x, y, zero_method="wilcox", correction=True, alternative="two-sided",
                           method="approx")
    dn = d[d != 0]
    ranks = sps.rankdata(np.abs(dn))
    v = float(ranks[dn > 0].sum())
    r = float(_signed_rank_r(d)[0])
    idx = rng.integers(0, n, size=(n_boot, n))
    rb = _signed_rank_r(d[idx])
    rb = rb[np.isfinite(rb)]
    alpha = 1 - conf_level
    lo, hi = (np.quantile(rb, [alpha / 2, 1 - alpha / 2]) if len(rb) else (np.nan, np.nan))
    row.update(statistic=v, p_value=float(res.pvalue), effect_size=r,
               effect_ci_low=float(lo), effect_ci_high=float(hi))
    return row


def paired_gap(df: pd.DataFrame, *, scheme="permenpan14_2017", unsur: Sequence[str] | None = None,
               experience: str = "unsur_{key}", expectation: str = "harapan_{key}",
               unit: str = "", family: str | None = None, method: str = "holm", min_n: int = 5,
               n_boot: int = 2000, seed: int = 12345, conf_level: float = 0.95) -> pd.DataFrame:
    """Experience (X) against expectation (Y) per unsur: the IPA gap, paired.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` (X) and ``harapan_<key>`` (Y).
    scheme : str, mapping or Scheme
        Which unsur (see :func:`clem_lib.scoring.get_scheme`).
    unsur : sequence of str, optional
        Subset of unsur keys (default: every unsur of the scheme).
    experience, expectation : str
        Column patterns with ``{key}``.
    unit, family : str
        Written to the output; ``family`` default ``"<unit>: expectation vs experience"``.
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment across the unsur.
    min_n : int
        Fewest complete pairs with a non-zero difference to run the test.
    n_boot, seed : int
        Bootstrap resamples of pairs and seed for the interval of the effect size.
    conf_level : float
        Confidence level.

    Returns
    -------
    DataFrame
        One row per unsur (``GAP_COLUMNS``, design ``"paired"``): ``n1 = n2`` the
        complete pairs, ``estimate1`` mean X, ``estimate2`` mean Y, ``gap`` mean of
        X - Y with the paired t interval, ``statistic`` R's V (sum of the ranks of
        the positive differences), two-sided ``p_value``, ``effect_size`` the
        matched-pairs rank-biserial ``(R+ - R-)/(R+ + R-)`` with a percentile
        bootstrap interval.

    Notes
    -----
    Wilcoxon signed-rank test, normal approximation with tie-corrected variance
    and continuity correction; zero differences are dropped before ranking
    (Wilcoxon's method), as R ``wilcox.test(x, y, paired = TRUE, correct = TRUE,
    exact = FALSE)``. The mean gap and its interval use every complete pair,
    zeros included. The conformity level of IPA is ``TK = 100 x estimate1 / estimate2``.

    References
    ----------
    Wilcoxon, F. (1945). Individual comparisons by ranking methods. Biometrics
    Bulletin 1, 80-83. Kerby, D. S. (2014). The simple difference formula: an
    approach to teaching nonparametric correlation. Comprehensive Psychology 3, 1.
    Martilla, J. A. & James, J. C. (1977). Importance-performance analysis.
    Journal of Marketing 41, 77-79.
    """
    s = _scoring.get_scheme(scheme)
    keys = list(unsur) if unsur is not None else list(s.unsur)
    cols = [experience.format(key=k) for k in keys] + [expectation.format(key=k) for k in keys]
    _need(df, cols, "paired_gap")
    family = family or (f"{unit}: expectation vs experience" if unit else "expectation vs experience")
    rng = np.random.default_rng(seed)
    rows = []
    for k in keys:
        x = _floats(df[experience.format(key=k)])
        y = _floats(df[expectation.format(key=k)])
        rows.append(_paired_row(x, y, rng=rng, n_boot=n_boot, min_n=min_n, conf_level=conf_level,
                                family=family, unit=unit, metric=f"nrr:{k}"))
    return _finish(rows, adjust=True, method=method)


# ---------------------------------------------------------------------------
# Between survey rounds (independent samples of the same unit)
# ---------------------------------------------------------------------------

_DEFAULT_PROPORTIONS: tuple[tuple[str, str, object], ...] = (
    ("pct_satisfied", "overall_satisfaction", lambda s: s >= 3),
    ("pct_not_friendly", "facility_friendly", False),
    ("pct_paid_extra", "paid_extra", True),
)


def compare_rounds(df: pd.DataFrame, *, unit: str | None = None, unit_column: str = "unit",
                   round: str = "round", baseline=1, followup=2, scheme="permenpan14_2017",
                   weights="exact", proportions: Sequence[tuple[str, str, object]] | None = None,
                   method: str = "holm", min_n: int = 5, n_boot: int = 2000, n_perm: int = 2000,
                   seed: int = 12345, conf_level: float = 0.95) -> pd.DataFrame:
    """Change between two survey rounds of the same unit: IKM, each unsur, proportions.

    Parameters
    ----------
    df : DataFrame
        Cleaned table holding both rounds.
    unit : str, optional
        Keep only this unit (``unit_column == unit``); default the whole table.
    round : str
        Round column (``Int64``, 1 = baseline).
    baseline, followup : int
        The two rounds; the gap is follow-up minus baseline.
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    proportions : sequence of (metric, column, event), optional
        Indicators compared with :func:`compare_proportions` (default: satisfied =
        ``overall_satisfaction >= 3``, facilities not friendly, paid extra; those
        whose column is absent are skipped).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment within the family ``"<unit>: round <followup> vs <baseline>"``.
    min_n, n_boot, n_perm, seed, conf_level : see :func:`compare_ikm`.

    Returns
    -------
    DataFrame
        ``GAP_COLUMNS``: the IKM row, one row per unsur (Mann-Whitney), one per
        proportion (chi-square/Fisher with Newcombe interval). The samples of the
        two rounds are independent respondents.
    """
    _need(df, [round], "compare_rounds")
    data = df
    if unit is not None:
        _need(df, [unit_column], "compare_rounds")
        data = df[df[unit_column].eq(unit).fillna(False).to_numpy(dtype=bool)]
    s = _scoring.get_scheme(scheme)
    fam = f"{unit or 'all units'}: round {followup} vs {baseline}"
    common = dict(by=round, group1=followup, group2=baseline, family=fam, unit=unit or "",
                  min_n=min_n, conf_level=conf_level)
    rows = [_ikm_gap_row(data, scheme=scheme, weights=weights, n_boot=n_boot, n_perm=n_perm,
                         seed=seed, **common)]
    for col in s.columns:
        rows.append(_scores_gap_row(data, col, **common))
    for metric, col, ev in (proportions if proportions is not None else _DEFAULT_PROPORTIONS):
        if col in data.columns:
            rows.append(_proportions_gap_row(data, col, event=ev, metric=metric, **common))
    return adjust_within_family(_frame(rows), method=method)


# ---------------------------------------------------------------------------
# Against a target
# ---------------------------------------------------------------------------


def ikm_vs_target(df: pd.DataFrame, *, target: float = GRADE_B_2017, scheme="permenpan14_2017",
                  weights="exact", unit: str = "", min_n: int = 5, n_boot: int = 2000,
                  seed: int = 12345, conf_level: float = 0.95) -> pd.DataFrame:
    """Is the IKM above a target (by default the grade-B threshold 76.61)? One-sided.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (one unit's slice).
    target : float
        Threshold on the 25..100 scale (``GRADE_B_2017`` = 76.61; 88.31 for A).
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    unit : str
        Written to the output.
    min_n : int
        Fewest respondents (with every unsur answered by someone).
    n_boot, seed : int
        Bootstrap resamples of respondents and seed.
    conf_level : float
        One-sided confidence level (0.95: the 5th percentile is the lower bound).

    Returns
    -------
    DataFrame
        One row (design ``"target"``): ``estimate1`` the IKM, ``estimate2`` the
        target, ``gap = IKM - target`` with the one-sided interval
        ``[ci_low, inf)`` (``ci_high`` is ``inf``), ``statistic`` the gap over its
        bootstrap standard error, ``p_value`` the one-sided bootstrap p
        ``(1 + #{IKM* <= target}) / (n_boot + 1)``; no effect size.

    Notes
    -----
    The IKM is "above the target" at level ``1 - conf_level`` exactly when the
    lower percentile bound exceeds the target.

    References
    ----------
    Permenpan RB No. 14/2017 (grade bands). Efron & Tibshirani (1993), ch. 13 and 16.
    """
    s, w, xv, a = _ikm_setup(df, scheme, weights)
    _check_fast(df, xv, a, w, scheme, weights)
    rows = np.flatnonzero(a.sum(axis=1) > 0)
    n = len(rows)
    est = _ikm_point(df.iloc[rows], scheme=scheme, weights=weights) if n else np.nan
    row = _row(design="target", family=f"{unit or 'all'}: IKM vs target", unit=unit, comparison="target",
               metric="ikm", group1="ikm", group2=f"target {target:g}", n1=n, n2=pd.NA, estimate1=est,
               estimate2=float(target), gap_unit="points", effect_name="",
               method=f"IKM (Permenpan RB 14/2017); one-sided percentile bootstrap bound and p "
                      f"({n_boot} resamples)")
    if n < max(min_n, 2) or not np.all(a[rows].sum(axis=0) > 0):
        row["status"] = NOT_ENOUGH
        return _finish([row], adjust=False, method="holm")
    rng = np.random.default_rng(seed)
    boot = _ikm_from_counts(_resample_counts(rng, n, n_boot), xv[rows], a[rows], w)
    boot = boot[np.isfinite(boot)]
    lo = float(np.quantile(boot, 1 - conf_level))
    row["ci1_low"], row["ci1_high"] = np.quantile(boot, [(1 - conf_level) / 2, (1 + conf_level) / 2])
    se = float(np.std(boot, ddof=1))
    p = (1 + np.sum(boot <= target)) / (1 + len(boot))
    row.update(gap=est - target, ci_low=lo - target, ci_high=np.inf,
               statistic=(est - target) / se if se > 0 else np.nan, p_value=float(p))
    return _finish([row], adjust=False, method="holm")


def proportion_vs_target(df: pd.DataFrame, column: str, *, target: float, event=True,
                         metric: str | None = None, unit: str = "", min_n: int = 5,
                         conf_level: float = 0.95) -> pd.DataFrame:
    """Is a proportion above a target? Exact binomial test, one-sided, Wilson bound.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    column : str
        Indicator column.
    target : float
        Target share on the 0..1 scale (e.g. ``0.8`` for 80 %).
    event : see :func:`compare_proportions`.
    metric, unit : str
        Written to the output (metric default ``"pct:<column>"``).
    min_n : int
        Fewest answers.
    conf_level : float
        One-sided level of the lower bound.

    Returns
    -------
    DataFrame
        One row (design ``"target"``): ``estimate1`` the share in percent,
        ``estimate2`` the target in percent, ``gap`` in percentage points with
        the one-sided Wilson lower bound (``ci_high = inf``), ``statistic`` the
        number of events, ``p_value`` the exact binomial
        ``P(X >= x | n, target)`` (R ``binom.test(x, n, p = target,
        alternative = "greater")``), ``effect_size`` Cohen's h against the target.

    References
    ----------
    Clopper-Pearson exact test; Wilson (1927); Cohen (1988), ch. 6.
    """
    _need(df, [column], "proportion_vs_target")
    if not (0 < target < 1):
        raise ValueError(f"target must be a share between 0 and 1 (e.g. 0.8 for 80 %), not {target!r}")
    ev = _events(df[column], event)
    ev = ev[~np.isnan(ev)]
    n, x = len(ev), int(ev.sum())
    metric = metric or f"pct:{column}"
    row = _row(design="target", family=f"{unit or 'all'}: {metric} vs target", unit=unit,
               comparison="target", metric=metric, group1=metric, group2=f"target {100 * target:g}%",
               n1=n, n2=pd.NA, estimate1=100 * x / n if n else np.nan, estimate2=100 * target,
               gap_unit="percentage points", effect_name="Cohen's h",
               method="exact binomial test, one-sided (greater); one-sided Wilson lower bound; Cohen's h")
    if n < max(min_n, 1):
        row["status"] = NOT_ENOUGH
        return _finish([row], adjust=False, method="holm")
    lo, _ = wilson_ci(x, n, conf_level=1 - 2 * (1 - conf_level))
    c1l, c1h = wilson_ci(x, n, conf_level=conf_level)
    row.update(ci1_low=100 * c1l, ci1_high=100 * c1h)
    res = sps.binomtest(x, n, target, alternative="greater")
    h = 2 * math.asin(math.sqrt(x / n)) - 2 * math.asin(math.sqrt(target))
    z = _z(conf_level)
    row.update(gap=100 * (x / n - target), ci_low=100 * (lo - target), ci_high=np.inf, statistic=x,
               p_value=float(res.pvalue), effect_size=h, effect_ci_low=h - z / math.sqrt(n),
               effect_ci_high=h + z / math.sqrt(n))
    return _finish([row], adjust=False, method="holm")


# ---------------------------------------------------------------------------
# Ordinal logistic model
# ---------------------------------------------------------------------------


def _independent_columns(X: pd.DataFrame, first: str) -> pd.DataFrame:
    """Drop constant dummies and columns linearly dependent on earlier ones (and the thresholds)."""
    X = X.loc[:, X.std(ddof=0) > 0]
    kept: list[str] = []
    base = np.ones((len(X), 1))
    rank = 1
    for c in [first] + [c for c in X.columns if c != first]:
        if c not in X.columns:
            continue
        trial = np.column_stack([base] + [X[k].to_numpy(float) for k in kept + [c]])
        r = np.linalg.matrix_rank(trial)
        if r > rank:
            kept.append(c)
            rank = r
    return X[kept]


def ordinal_model(df: pd.DataFrame, *, exposure: str = "special_group",
                  adjust: Sequence[str] = ("unit", "sector", "service"), scheme="permenpan14_2017",
                  unsur: Sequence[str] | None = None, family: str | None = None, method: str = "holm",
                  min_n: int = 5, conf_level: float = 0.95) -> pd.DataFrame:
    """Proportional-odds (ordinal logistic) model of each unsur on a group, adjusted.

    Parameters
    ----------
    df : DataFrame
        Cleaned table.
    exposure : str
        Boolean column whose effect is reported (default ``"special_group"``).
    adjust : sequence of str
        Categorical adjusters, entered as dummies (first level dropped); dummies
        that are constant or linearly dependent on earlier ones (e.g. ``sector``
        when ``service`` nests in it) are dropped. Absent columns are skipped.
    scheme, unsur : which unsur to model (default every unsur of the scheme).
    family : str, optional
        Default ``"ordinal model: <exposure>"``; p adjusted across the unsur.
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment.
    min_n : int
        Fewest respondents in each exposure group.
    conf_level : float
        Level of the odds-ratio interval.

    Returns
    -------
    DataFrame
        One row per unsur (``GAP_COLUMNS``, design ``"model"``): ``estimate1/2``
        mean scores of the two groups, ``gap`` their difference (unadjusted),
        ``statistic`` the Wald z of the exposure, ``p_value``, ``effect_size`` the
        adjusted odds ratio of a higher answer with its Wald interval
        ``exp(b +/- z se)``; ``status`` reports sparse data or a failed fit
        (``"model failed: ..."``) instead of raising.

    Notes
    -----
    ``logit P(Y <= j) = theta_j - x'beta`` (statsmodels ``OrderedModel``,
    ``distr="logit"``, Newton-Raphson, BFGS as fallback), the same parameterisation as R ``MASS::polr``:
    an odds ratio above 1 means higher (better) answers are more likely.

    References
    ----------
    McCullagh, P. (1980). Regression models for ordinal data. JRSS B 42, 109-142.
    """
    import warnings

    from statsmodels.miscmodels.ordinal_model import OrderedModel

    s = _scoring.get_scheme(scheme)
    keys = list(unsur) if unsur is not None else list(s.unsur)
    _need(df, [exposure] + [f"unsur_{k}" for k in keys], "ordinal_model")
    adj = [c for c in adjust if c in df.columns and c != exposure]
    family = family or f"ordinal model: {exposure}"
    z = _z(conf_level)
    rows = []
    for k in keys:
        col = f"unsur_{k}"
        data = df[[col, exposure] + adj].dropna()
        y = _floats(data[col])
        e = _floats(data[exposure])
        n1, n2 = int(np.sum(e == 1)), int(np.sum(e == 0))
        row = _row(design="model", family=family, comparison=exposure, metric=f"nrr:{k}",
                   group1="True", group2="False", n1=n1, n2=n2,
                   estimate1=float(y[e == 1].mean()) if n1 else np.nan,
                   estimate2=float(y[e == 0].mean()) if n2 else np.nan, gap_unit="points",
                   effect_name="odds ratio (adjusted)",
                   method="ordinal logistic (proportional odds) model, statsmodels OrderedModel logit; "
                          f"adjusted for {', '.join(adj) if adj else 'nothing'}; Wald z and interval")
        if n1 and n2:
            row["gap"] = row["estimate1"] - row["estimate2"]
        if n1 < max(min_n, 1) or n2 < max(min_n, 1):
            row["status"] = NOT_ENOUGH
            rows.append(row)
            continue
        levels = np.unique(y)
        if len(levels) < 2:
            row["status"] = "model failed: every answer is the same"
            rows.append(row)
            continue
        X = pd.DataFrame({exposure: e}, index=data.index)
        for c in adj:
            X = pd.concat([X, pd.get_dummies(data[c].astype(str), prefix=c, drop_first=True,
                                             dtype=float)], axis=1)
        X = _independent_columns(X, exposure)
        if exposure not in X.columns:
            row["status"] = "model failed: the group is collinear with the adjusters"
            rows.append(row)
            continue
        endog = pd.Series(pd.Categorical(y.astype(int), categories=levels.astype(int), ordered=True),
                          index=data.index)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = OrderedModel(endog, X, distr="logit")
                try:
                    res = model.fit(method="newton", disp=False, maxiter=200)
                    if not res.mle_retvals.get("converged", False):
                        raise ValueError("newton did not converge")
                except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                    res = model.fit(method="bfgs", disp=False, maxiter=2000)
            b = float(res.params[exposure])
            se = float(res.bse[exposure])
            converged = bool(res.mle_retvals.get("converged", True))
        except (np.linalg.LinAlgError, ValueError, FloatingPointError) as exc:
            row["status"] = f"model failed: {type(exc).__name__}"
            rows.append(row)
            continue
        if not converged or not np.isfinite(se) or se <= 0 or not np.isfinite(b):
            row["status"] = "model failed: no convergence (sparse cells)"
            rows.append(row)
            continue
        zstat = b / se
        row.update(statistic=zstat, p_value=float(2 * sps.norm.sf(abs(zstat))),
                   effect_size=math.exp(b), effect_ci_low=math.exp(b - z * se),
                   effect_ci_high=math.exp(b + z * se))
        rows.append(row)
    return _finish(rows, adjust=True, method=method)


# ---------------------------------------------------------------------------
# The between-group report of one unit
# ---------------------------------------------------------------------------


def gap_report(df: pd.DataFrame, *, unit: str | None = None, unit_column: str = "unit",
               comparisons: Sequence[tuple[str, object, object]] = GROUP_COMPARISONS,
               scheme="permenpan14_2017", weights="exact",
               proportions: Sequence[tuple[str, str, object]] | None = None,
               means: Sequence[tuple[str, str, str]] = (("mean:cost_paid", "cost_paid", "rupiah"),),
               method: str = "holm", min_n: int = 5, n_boot: int = 2000, n_perm: int = 2000,
               seed: int = 12345, conf_level: float = 0.95) -> pd.DataFrame:
    """All between-group gaps of one unit, each comparison a family adjusted on its own.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (the whole survey or one unit's slice).
    unit : str, optional
        Keep only this unit (``unit_column == unit``); default: the rows given.
    comparisons : sequence of (column, group1, group2)
        Default ``GROUP_COMPARISONS``: special_group, disability, elderly,
        pregnant, with_child (True vs False), female vs male, broker vs
        in_person, low vs high income. Comparisons whose column is absent are skipped.
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    proportions : sequence of (metric, column, event), optional
        Default: ``pct_satisfied`` (overall_satisfaction >= 3),
        ``pct_not_friendly`` (facility_friendly is False), ``pct_paid_extra``.
    means : sequence of (metric, column, gap_unit)
        Numeric columns compared like scores (default: ``cost_paid`` in rupiah).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment within each family ``"<unit>: <column> <group1> vs <group2>"``
        (all metrics of one comparison).
    min_n, n_boot, n_perm, seed, conf_level : see :func:`compare_ikm`.

    Returns
    -------
    DataFrame
        ``GAP_COLUMNS``, per comparison: each unsur score (Mann-Whitney), IKM
        (bootstrap/permutation), each proportion (chi-square/Fisher, Newcombe),
        each mean; rows in that order, comparisons in the given order.

    Examples
    --------
    >>> table = gap_report(cleaned, unit="Kec. Serengan")            # doctest: +SKIP
    >>> table.loc[table.p_adjusted < 0.05, "reading_en"]              # doctest: +SKIP
    """
    data = df
    if unit is not None:
        _need(df, [unit_column], "gap_report")
        data = df[df[unit_column].eq(unit).fillna(False).to_numpy(dtype=bool)]
    s = _scoring.get_scheme(scheme)
    props = proportions if proportions is not None else _DEFAULT_PROPORTIONS
    rows = []  # one frame at the end: every p is adjusted and read once (not once per test)
    for i, (by, g1, g2) in enumerate(comparisons):
        if by not in data.columns:
            continue
        fam = f"{unit + ': ' if unit else ''}{by} {_label_value(g1)} vs {_label_value(g2)}"
        common = dict(by=by, group1=g1, group2=g2, family=fam, unit=unit or "", min_n=min_n,
                      conf_level=conf_level)
        for col in s.columns:
            if col in data.columns:
                rows.append(_scores_gap_row(data, col, **common))
        if all(c in data.columns for c in s.columns):
            rows.append(_ikm_gap_row(data, scheme=scheme, weights=weights, n_boot=n_boot,
                                     n_perm=n_perm, seed=seed + i, **common))
        for metric, col, ev in props:
            if col in data.columns:
                rows.append(_proportions_gap_row(data, col, event=ev, metric=metric, **common))
        for metric, col, gu in means:
            if col in data.columns:
                rows.append(_scores_gap_row(data, col, metric=metric, gap_unit=gu, **common))
    if not rows:
        return _frame([])
    return adjust_within_family(_frame(rows), method=method)
