"""Plain readings of gap tables: one sentence per row, in Bahasa Indonesia and English.

The tests of :mod:`clem_lib.stats` return numbers; this module says them.
Every number is written by :mod:`clem_lib.text.format` in the style of the
report tables (gaps in points with two decimals, percentage points and rupiah
whole, days and minutes with one decimal, p with three, an interval with
"sampai"/"to" when a limit is negative), and unsur, rounds and the interval
label are named by :mod:`clem_lib.text.labels`, so a figure reads the same in a
table and in the sentence beside it.
"""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from ..defaults import ALPHA
from .format import fmt_interval, fmt_number, fmt_p, fmt_percent, fmt_rupiah, is_missing
from .labels import check_lang, label, unsur_label

__all__ = ["add_readings", "gap_reading"]

# the row statuses of a gap table (clem_lib.stats.rows.OK and NOT_ENOUGH; the text layer does
# not import the statistics)
_OK = "ok"
_NOT_ENOUGH = "not enough data"

_GROUP_PHRASES: dict[tuple[str, str], tuple[str, str]] = {
    ("special_group", "True"): ("pengguna kelompok rentan", "special-group users"),
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
    ("unit", "rest"): ("unit lain di kota", "the rest of the city"),
}
"""A group as the subject of a sentence, by (comparison column, group value)."""

_METRIC_PHRASES: dict[str, tuple[str, str]] = {
    "ikm": ("IKM", "the IKM"),
    "pct_satisfied": ("persentase pengguna yang puas", "the share of satisfied users"),
    "pct_not_friendly": ("persentase pengguna yang menilai sarana tidak ramah kelompok rentan",
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
"""A metric as the subject of a sentence."""

_UNIT_WORDS = {
    "points": ("poin", "points"),
    "percentage points": ("poin persen", "percentage points"),
    "days": ("hari", "days"),
    "minutes": ("menit", "minutes"),
}
_DECIMALS = {"points": 2, "percentage points": 0, "rupiah": 0, "days": 1, "minutes": 1}

_TEXT: dict[str, tuple[str, str]] = {
    "not_enough_paired": (
        "Data belum cukup untuk membandingkan kinerja dan harapan {unsur} (n = {n1}; terlalu sedikit "
        "jawaban untuk diuji).",
        "Not enough data to compare experience with expectation for {unsur} (n = {n1}; too few answers "
        "to test)."),
    "not_enough_target": (
        "Data belum cukup untuk menguji {metric} terhadap target (n = {n1}).",
        "Not enough data to test {metric} against the target (n = {n1})."),
    "not_enough_k": (
        "Data belum cukup untuk membandingkan {metric} antar unit.",
        "Not enough data to compare {metric} across units."),
    "not_enough": (
        "Data belum cukup untuk membandingkan {metric} antara {g1} dan {g2} (n = {n1} dan {n2}; terlalu "
        "sedikit jawaban untuk diuji).",
        "Not enough data to compare {metric} between {g1} and {g2} (n = {n1} and {n2}; too few answers "
        "to test)."),
    "failed": (
        "{Metric}: model tidak dapat diestimasi ({status}).",
        "{Metric}: the model could not be estimated ({status})."),
    "two_sig": (
        "{Metric} pada {g1} {amount} lebih {direction} daripada pada {g2} ({ci}: {interval}; "
        "p terkoreksi {p}).",
        "{Metric} among {g1} is {amount} {direction} than among {g2} ({ci}: {interval}; adjusted p {p})."),
    "two_ns": (
        "Tidak ada perbedaan bermakna pada {metric} antara {g1} dan {g2}: selisih {amount} ({ci}: "
        "{interval}; p terkoreksi {p}).",
        "No significant difference in {metric} between {g1} and {g2}: gap {amount} ({ci}: {interval}; "
        "adjusted p {p})."),
    "k_sig": (
        "{Metric} berbeda antar unit (Kruskal\u2013Wallis H = {h}; p {p}; \u03b5\u00b2 = {eps}).",
        "{Metric} differs between units (Kruskal\u2013Wallis H = {h}; p {p}; \u03b5\u00b2 = {eps})."),
    "k_ns": (
        "Tidak ada bukti bahwa {metric} berbeda antar unit (Kruskal\u2013Wallis H = {h}; p {p}; "
        "\u03b5\u00b2 = {eps}).",
        "No evidence that {metric} differs between units (Kruskal\u2013Wallis H = {h}; p {p}; "
        "\u03b5\u00b2 = {eps})."),
    "paired_sig": (
        "Untuk unsur {unsur}, kinerja {amount} {direction} harapan ({ci}: {interval}; p terkoreksi {p}).",
        "For {unsur}, experience is {amount} {direction} expectation ({ci}: {interval}; adjusted p {p})."),
    "paired_ns": (
        "Untuk unsur {unsur}, kinerja tidak berbeda bermakna dari harapan: selisih {amount} ({ci}: "
        "{interval}; p terkoreksi {p}).",
        "For {unsur}, experience does not differ significantly from expectation: gap {amount} ({ci}: "
        "{interval}; adjusted p {p})."),
    "target": (
        "{Metric} {estimate} {verb} target {target} (batas bawah IK 95% satu sisi: {bound}; p {p}).",
        "{Metric} of {estimate} {verb} the target of {target} (one-sided 95% lower bound: {bound}; p {p})."),
    "model": (
        "Setelah memperhitungkan unit, sektor dan layanan, peluang {g1} memberi nilai lebih tinggi untuk "
        "unsur {unsur} adalah {odds} kali peluang {g2} ({ci}: {interval}; p terkoreksi {p}{tail}).",
        "After adjusting for unit, sector and service, the odds that {g1} give a higher score for {unsur} "
        "are {odds} times those of {g2} ({ci}: {interval}; adjusted p {p}{tail})."),
}
"""The sentences, by kind, in (Indonesian, English)."""

_WORDS: dict[str, tuple[str, str]] = {
    "lower": ("rendah", "lower"), "higher": ("tinggi", "higher"),
    "below": ("di bawah", "below"), "above": ("di atas", "above"),
    "is_above": ("berada di atas", "is above"),
    "not_above": ("belum terbukti berada di atas", "is not shown to be above"),
    "not_significant": ("; tidak bermakna", "; not significant"),
}


def _say(key: str, lang: str, **values) -> str:
    return _TEXT[key][0 if lang == "id" else 1].format(**values)


def _word(key: str, lang: str) -> str:
    return _WORDS[key][0 if lang == "id" else 1]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _group(comparison: str, value: str, lang: str) -> str:
    if (comparison, value) in _GROUP_PHRASES:
        return _GROUP_PHRASES[(comparison, value)][0 if lang == "id" else 1]
    if comparison == "unit":
        return value
    if comparison == "round":
        return f"{label('round', lang).lower()} {value}"
    return f"{comparison} = {value}"


def _unsur(metric: str, lang: str) -> str:
    return unsur_label(metric.split(":", 1)[-1], lang).lower()


def _metric(metric: str, lang: str) -> str:
    if metric in _METRIC_PHRASES:
        return _METRIC_PHRASES[metric][0 if lang == "id" else 1]
    if metric.startswith("nrr:"):
        return (f"rata-rata nilai unsur {_unsur(metric, lang)}" if lang == "id"
                else f"the mean score for {_unsur(metric, lang)}")
    if metric.startswith("pct:"):
        return f"persentase {metric[4:]}" if lang == "id" else f"the share {metric[4:]}"
    if metric.startswith("mean:"):
        return f"rata-rata {metric[5:]}" if lang == "id" else f"the mean {metric[5:]}"
    return metric


def _amount(value, gap_unit: str, lang: str, *, signed: bool = False) -> str:
    """A gap in its own unit, as the report tables write it: ``+0,45 poin``, ``12 poin persen``, ``Rp 1.828``."""
    if gap_unit == "rupiah" and not is_missing(value):
        v = float(value)
        sign = "+" if signed and v > 0 else ("\u2212" if v < 0 else "")
        return sign + fmt_rupiah(abs(v), lang)
    text = fmt_number(value, _DECIMALS.get(gap_unit, 2), lang, signed=signed)
    word = _UNIT_WORDS.get(gap_unit)
    return f"{text} {word[0 if lang == 'id' else 1]}" if word else text


def _value(value, gap_unit: str, lang: str) -> str:
    """A group's own figure: a percentage for gaps in percentage points, else a number."""
    if gap_unit == "percentage points":
        return fmt_percent(value, 0, lang, scale=1.0)
    return fmt_number(value, _DECIMALS.get(gap_unit, 2), lang)


def _p(p, lang: str) -> str:
    """``= 0,012`` or ``< 0,001``."""
    text = fmt_p(p, lang)
    return text if is_missing(p) or text.startswith("<") else "= " + text


def _parts(r: Mapping, lang: str, alpha: float) -> dict:
    """What every kind of reading draws on, named and formatted once."""
    comp = str(r.get("comparison", ""))
    metric = str(r.get("metric", ""))
    gap_unit = str(r.get("gap_unit", ""))
    p = r.get("p_adjusted", float("nan"))
    if is_missing(p):
        p = r.get("p_value", float("nan"))
    m = _metric(metric, lang)
    return dict(
        comparison=comp, metric_key=metric, gap_unit=gap_unit, metric=m, Metric=_cap(m),
        g1=_group(comp, str(r.get("group1", "")), lang), g2=_group(comp, str(r.get("group2", "")), lang),
        n1=fmt_number(r.get("n1"), 0, lang), n2=fmt_number(r.get("n2"), 0, lang),
        gap=r.get("gap", float("nan")), lo=r.get("ci_low", float("nan")), hi=r.get("ci_high", float("nan")),
        sig=not is_missing(p) and float(p) < alpha, p=_p(p, lang), ci=label("ci95_unadj", lang),
        decimals=_DECIMALS.get(gap_unit, 2))


def _directed(x: dict, lang: str, less: str, more: str) -> dict:
    """Magnitude, direction word and interval of a significant gap (the interval turned with it)."""
    lower = float(x["gap"]) < 0
    lo, hi = (-x["hi"], -x["lo"]) if lower else (x["lo"], x["hi"])
    return dict(amount=_amount(abs(float(x["gap"])), x["gap_unit"], lang),
                direction=_word(less if lower else more, lang),
                interval=fmt_interval(lo, hi, x["decimals"], lang, prefix=False))


def _undirected(x: dict, lang: str) -> dict:
    return dict(amount=_amount(x["gap"], x["gap_unit"], lang, signed=True),
                interval=fmt_interval(x["lo"], x["hi"], x["decimals"], lang, prefix=False))


def _not_enough(r: Mapping, x: dict, lang: str) -> str:
    design = r.get("design", "")
    if design == "paired":
        return _say("not_enough_paired", lang, unsur=_unsur(x["metric_key"], lang), n1=x["n1"])
    if design == "target":
        return _say("not_enough_target", lang, **x)
    if design == "k-group":
        return _say("not_enough_k", lang, **x)
    return _say("not_enough", lang, **x)


def _two_group(r: Mapping, x: dict, lang: str) -> str:
    if x["sig"]:
        return _say("two_sig", lang, **{**x, **_directed(x, lang, "lower", "higher")})
    return _say("two_ns", lang, **{**x, **_undirected(x, lang)})


def _k_group(r: Mapping, x: dict, lang: str) -> str:
    return _say("k_sig" if x["sig"] else "k_ns", lang, **x,
                h=fmt_number(r.get("statistic"), 2, lang), eps=fmt_number(r.get("effect_size"), 3, lang))


def _paired(r: Mapping, x: dict, lang: str) -> str:
    x = {**x, "gap_unit": "points", "decimals": 2, "unsur": _unsur(x["metric_key"], lang)}
    if x["sig"]:
        return _say("paired_sig", lang, **{**x, **_directed(x, lang, "below", "above")})
    return _say("paired_ns", lang, **{**x, **_undirected(x, lang)})


def _target(r: Mapping, x: dict, lang: str) -> str:
    target = r.get("estimate2", float("nan"))
    return _say("target", lang, **x, estimate=_value(r.get("estimate1"), x["gap_unit"], lang),
                target=_value(target, x["gap_unit"], lang),
                bound=_value(float(x["lo"]) + float(target), x["gap_unit"], lang),
                verb=_word("is_above" if x["sig"] else "not_above", lang))


def _model(r: Mapping, x: dict, lang: str) -> str:
    return _say("model", lang, **x, unsur=_unsur(x["metric_key"], lang),
                odds=fmt_number(r.get("effect_size"), 2, lang),
                interval=fmt_interval(r.get("effect_ci_low"), r.get("effect_ci_high"), 2, lang, prefix=False),
                tail="" if x["sig"] else _word("not_significant", lang))


_BY_DESIGN = {"two-group": _two_group, "k-group pair": _two_group, "k-group": _k_group,
              "paired": _paired, "target": _target, "model": _model}


def gap_reading(row: Mapping, lang: str = "id", *, alpha: float = ALPHA) -> str:
    """The plain reading of one row of a gap table (``clem_lib.stats.GAP_COLUMNS``).

    Parameters
    ----------
    row : mapping
        One row: ``design``, ``comparison``, ``metric``, ``group1``, ``group2``,
        ``n1``, ``n2``, the estimates, ``gap`` with ``gap_unit``, ``ci_low``,
        ``ci_high``, ``p_value``, ``p_adjusted``, ``statistic``, the effect size
        and ``status``.
    lang : {"id", "en"}
        Language.
    alpha : float
        The gap is read as significant when its adjusted p (or p, when not
        adjusted) is below ``alpha``.

    Returns
    -------
    str
        One sentence; ``""`` for a design it does not know.

    Examples
    --------
    >>> row = dict(design="two-group", comparison="special_group", metric="nrr:sarana",
    ...            group1="True", group2="False", n1=40, n2=120, gap=-0.45, gap_unit="points",
    ...            ci_low=-0.60, ci_high=-0.30, p_adjusted=0.0012, status="ok")
    >>> gap_reading(row, "en")
    'The mean score for facilities and infrastructure among special-group users is 0.45 points lower than among other users (unadjusted 95% CI: 0.30–0.60; adjusted p = 0.001).'
    >>> gap_reading({**row, "p_adjusted": 0.2}, "id")
    'Tidak ada perbedaan bermakna pada rata-rata nilai unsur sarana dan prasarana antara pengguna kelompok rentan dan pengguna lain: selisih −0,45 poin (IK 95% tanpa koreksi: −0,60 sampai −0,30; p terkoreksi = 0,200).'
    """
    check_lang(lang)
    status = str(row.get("status", _OK))
    x = _parts(row, lang, alpha)
    if status == _NOT_ENOUGH:
        return _not_enough(row, x, lang)
    if status != _OK:
        return _say("failed", lang, status=status, **x)
    how = _BY_DESIGN.get(row.get("design", ""))
    return how(row, x, lang) if how else ""


def add_readings(table: pd.DataFrame, *, alpha: float = ALPHA) -> pd.DataFrame:
    """(Re)write the plain readings ``reading_id`` and ``reading_en`` of a gap table.

    Parameters
    ----------
    table : DataFrame
        A gap table (``clem_lib.stats.GAP_COLUMNS``).
    alpha : float
        A gap is read as significant when its adjusted p (or p, when not
        adjusted) is below ``alpha``.

    Returns
    -------
    DataFrame
        A copy with the two reading columns filled (:func:`gap_reading`);
        numbers in the one number style of :mod:`clem_lib.text.format`
        (``0,45`` in Indonesian, ``0.45`` in English).

    Examples
    --------
    >>> t = pd.DataFrame([dict(design="target", comparison="target", metric="ikm", n1=120,
    ...                        estimate1=78.4, estimate2=76.61, gap=1.79, ci_low=0.41,
    ...                        gap_unit="points", p_value=0.012, status="ok")])
    >>> print(add_readings(t).reading_id[0])
    IKM 78,40 berada di atas target 76,61 (batas bawah IK 95% satu sisi: 77,02; p = 0,012).
    """
    out = table.copy()
    recs = out.to_dict("records")
    out["reading_id"] = [gap_reading(r, "id", alpha=alpha) for r in recs]
    out["reading_en"] = [gap_reading(r, "en", alpha=alpha) for r in recs]
    return out
