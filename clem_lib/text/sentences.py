"""What a report says in sentences: findings, headline, recommendations, methods, in id and en.

Every sentence is built from numbers the statistics return (rows of
``scoring`` and ``stats`` tables), through :mod:`.labels` for the words and
:mod:`.format` for the one number style, so a value reads the same in a
sentence as in the table beside it.

Figures and tables are cited by number (``Gambar 4`` / ``Figure 4``):
:data:`FIGURES` and :data:`TABLES` are the numbers of a report that shows
every section; a report that leaves sections out passes its own ``numbers``.

Which results become findings is decided here too (:func:`significant_gaps`):
a gap is stated only when its Holm-adjusted p is below ``alpha`` and both
groups have at least ``min_n`` answers.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from .format import (
    escape_text,
    fmt_interval,
    fmt_number,
    fmt_p,
    fmt_percent,
    fmt_rupiah,
    is_missing,
    is_small,
    small_cell_text,
)
from .labels import check_lang, group_label, label, metric_label, unsur_label

__all__ = [
    "FIGURES",
    "TABLES",
    "figure_ref",
    "table_ref",
    "PART_LABELS",
    "not_asked_text",
    "sentence_ikm",
    "sentence_accessibility",
    "value_text",
    "gap_text",
    "side_label",
    "sentence_gap",
    "significant_gaps",
    "headline_text",
    "CHANNEL_CHART_METRICS",
    "findings_text",
    "gap_disadvantages_group1",
    "recommendations_text",
    "ikm_method_text",
    "methods_text",
]


# ---------------------------------------------------------------------------
# Figure and table numbers, as sentences cite them
# ---------------------------------------------------------------------------


FIGURES: Mapping[str, int] = {
    "sample": 1,
    "ikm_elements": 2,
    "likert": 3,
    "forest": 4,
    "broker": 5,
    "ipa": 6,
    "rounds": 7,
    "ranking": 1,
    "heatmap": 2,
    "access_units": 3,
    "rounds_city": 4,
    "register": 8,
    "complaints_city": 5,
}
"""Figure numbers of the unit report (``sample`` .. ``rounds``) and of the city
overview (``ranking`` .. ``rounds_city``); findings cite figures by these."""

TABLES: Mapping[str, int] = {
    "sample": 1, "groups": 2, "channel": 3, "ipa": 4, "rounds": 5, "checklist": 6, "complaints": 7,
    "register": 8, "register_breakdown": 9, "suggestions": 10, "quality": 11, "city": 1, "ranking": 2,
    "between": 3, "access_units": 4, "rounds_city": 5, "complaints_city": 6,
}
"""Table numbers of the unit report and of the city overview."""


def figure_ref(key: str, lang: str = "id", numbers: Mapping | None = None) -> str:
    """``Gambar 4`` / ``Figure 4`` for a figure key of :data:`FIGURES`.

    ``numbers``: the report's own numbering (``{"figure": {key: n}, "table": {...}}``,
    a report that leaves sections out numbers on); default :data:`FIGURES`.
    """
    return f"{label('figure', lang)} {_number('figure', key, numbers)}"


def _number(kind: str, key: str, numbers: Mapping | None) -> int:
    own = (numbers or {}).get(kind) or {}
    if key in own:
        return own[key]
    return (FIGURES if kind == "figure" else TABLES)[key]


def table_ref(key: str, lang: str = "id", numbers: Mapping | None = None) -> str:
    """``Tabel 3`` / ``Table 3`` for a table key of :data:`TABLES` (``numbers``: as :func:`figure_ref`)."""
    return f"{label('table', lang)} {_number('table', key, numbers)}"




# ---------------------------------------------------------------------------
# Parts a survey did not ask
# ---------------------------------------------------------------------------


#: parts a survey may leave out, in the order the Methods section names them: cleaned column -> (id, en)
PART_LABELS = {
    "service": ("jenis layanan", "service used"),
    "sector": ("sektor", "sector"),
    "interview_date": ("tanggal wawancara", "interview date"),
    "enumerator": ("enumerator", "enumerator"),
    "gender": ("jenis kelamin", "gender"),
    "age": ("umur", "age"),
    "education": ("pendidikan", "education"),
    "income_group": ("penghasilan", "income"),
    "special_group": ("kelompok khusus", "special groups"),
    "channel": ("cara mengurus (sendiri / biro jasa)", "channel (in person / broker)"),
    "overall_satisfaction": ("kepuasan umum", "overall satisfaction"),
    "facility_friendly": ("fasilitas ramah kelompok khusus", "facilities friendly to special groups"),
    "had_problem": ("mengalami masalah", "had a problem"),
    "problem_resolved": ("masalah diselesaikan", "problem resolved"),
    "paid_extra": ("membayar lebih (pungutan liar)", "paid extra"),
    "extra_amount": ("jumlah pembayaran lebih", "amount paid extra"),
    "cost_paid": ("biaya yang dibayar", "cost paid"),
    "official_fee": ("tarif resmi", "official fee"),
    "days_to_complete": ("lama penyelesaian (hari)", "days to complete"),
    "standard_days": ("waktu standar (hari)", "standard days"),
    "wait_minutes": ("waktu tunggu (menit)", "waiting time"),
    "knows_complaint": ("tahu cara mengadu", "knows where to complain"),
    "suggestion": ("saran", "suggestions"),
    "harapan": ("kepentingan / harapan per unsur", "importance / expectation per element"),
}



def not_asked_text(columns: Sequence[str], lang: str = "id") -> str:
    """One Methods bullet naming the parts the survey did not ask ("" when it asked them all)."""
    check_lang(lang)
    parts = []
    for col in columns:
        key = "harapan" if col.startswith("harapan_") else col
        if key in PART_LABELS:
            text = PART_LABELS[key][0 if lang == "id" else 1]
            if text not in parts:
                parts.append(text)
    if not parts:
        return ""
    if lang == "id":
        return ("- **Tidak ditanyakan** dalam survei ini (dan karena itu tidak ada dalam laporan): "
                + ", ".join(parts) + ".")
    return "- **Not asked** in this survey (and so absent from the report): " + ", ".join(parts) + "."



# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------


def sentence_ikm(unit: str, *, ikm, ci_low, ci_high, n, grade: str, min_n: int = 5,
                 lang: str = "id") -> str:
    """``Kec. Serengan: 120 responden. IKM 78,40 (IK 95% 76,10–80,60), mutu B (Baik).``"""
    if is_small(n, min_n) or is_missing(ikm):
        return label("s_ikm_small", lang, unit=escape_text(unit), n=fmt_number(n or 0, 0, lang),
                     small=small_cell_text(min_n, lang))
    return label("s_ikm", lang, unit=escape_text(unit), n=fmt_number(n, 0, lang),
                 ikm=fmt_number(ikm, 2, lang), ci=fmt_interval(ci_low, ci_high, 2, lang),
                 grade=escape_text(grade))


def sentence_accessibility(*, pct, ci_low, ci_high, n, min_n: int = 5, lang: str = "id") -> str:
    """``57% pengguna menyatakan fasilitas tidak ramah ... (IK 95% 49%–66%; n = 120).``

    ``pct`` and its interval are percentages (0..100), as
    :func:`clem_lib.scoring.accessibility` returns them.
    """
    if is_small(n, min_n) or is_missing(pct):
        return label("s_access_small", lang, small=small_cell_text(min_n, lang))
    text = label("s_access", lang, pct=fmt_percent(pct, 0, lang, scale=1.0),
                 ci=fmt_interval(ci_low, ci_high, 0, lang, percent=True, scale=1.0), n=fmt_number(n, 0, lang))
    return text[0].upper() + text[1:]


def value_text(value, gap_unit: str, lang: str) -> str:
    """A group's own value, in the unit of its gap (``percentage points`` -> ``%``).

    ``gap_unit`` is the ``gap_unit`` of a gap row: ``percentage points``,
    ``rupiah``, ``days``, ``minutes`` or anything else (a score, two decimals).
    """
    u = str(gap_unit or "")
    if u == "percentage points":
        return fmt_percent(value, 0, lang, scale=1.0)
    if u == "rupiah":
        return fmt_rupiah(value, lang)
    if u in ("days", "minutes") and not is_missing(value):
        word = {"days": ("hari", "days"), "minutes": ("menit", "minutes")}[u][0 if lang == "id" else 1]
        return f"{fmt_number(value, 1, lang)} {word}"
    return fmt_number(value, 2, lang)


def gap_text(value, gap_unit: str, lang: str, signed: bool = True, unit: bool = True) -> str:
    """A gap in its own unit: ``−10 poin persen``, ``+Rp 1.828``, ``−0,28``.

    ``signed``: a plus sign on a positive gap; ``unit``: the unit's word after
    the number (an interval's bounds are written without it).
    """
    u = str(gap_unit or "")
    if is_missing(value):
        return "–"
    v = float(value)
    if u == "percentage points":
        pp = " poin persen" if lang == "id" else " percentage points"
        return fmt_number(v, 0, lang, signed=signed) + (pp if unit else "")
    if u == "rupiah":
        sign = "+" if signed and v > 0 else ("−" if v < 0 else "")
        return sign + (fmt_rupiah(abs(v), lang) if unit else fmt_number(abs(v), 0, lang))
    if u in ("days", "minutes"):
        word = {"days": ("hari", "days"), "minutes": ("menit", "minutes")}[u][0 if lang == "id" else 1]
        return fmt_number(v, 1, lang, signed=signed) + (f" {word}" if unit else "")
    return fmt_number(v, 2, lang, signed=signed)


def sentence_gap(row: Mapping, *, lang: str = "id", min_n: int = 5, scheme=None) -> str:
    """One sentence for one row of a gap table (``clem_lib.stats.GAP_COLUMNS``).

    Uses ``metric``, ``comparison``, ``group1``, ``group2``, ``estimate1``,
    ``estimate2``, ``gap``, ``gap_unit``, ``ci_low``, ``ci_high``,
    ``p_adjusted`` (or ``p_value``), ``n1``, ``n2``. When either group has
    fewer than ``min_n`` answers every number is replaced by ``"n < 5"``.
    """
    metric = str(row.get("metric", ""))
    mname = metric_label(metric, lang, scheme)
    gu = row.get("gap_unit", "")
    small = is_small(row.get("n1"), min_n) or is_small(row.get("n2"), min_n)
    p = row.get("p_adjusted")
    p = row.get("p_value") if is_missing(p) else p
    if small:
        st = small_cell_text(min_n, lang)
        gap = ci = pt = v1 = v2 = st
    else:
        gap = gap_text(row.get("gap"), gu, lang)
        lo, hi = row.get("ci_low"), row.get("ci_high")
        if is_missing(lo) or is_missing(hi):
            ci = label("ci95_unadj", lang) + " –"
        else:
            ci = label("ci95_unadj", lang) + " " + gap_text(lo, gu, lang, unit=False) + \
                (" sampai " if lang == "id" else " to ") + gap_text(hi, gu, lang, unit=False)
        pt = fmt_p(p, lang)
        v1 = value_text(row.get("estimate1"), gu, lang)
        v2 = value_text(row.get("estimate2"), gu, lang)
    g1, g2 = side_label(row, "group1", lang), side_label(row, "group2", lang)
    if g1 and g2:
        return label("s_gap", lang, metric=escape_text(mname), group1=escape_text(g1), v1=v1,
                     group2=escape_text(g2), v2=v2, gap=gap, ci=ci, p=pt)
    return label("s_gap_nogroups", lang, metric=escape_text(mname),
                 comparison=escape_text(_comparison_text(row.get("comparison", ""), lang)), gap=gap, ci=ci, p=pt)


def side_label(row: Mapping, side: str, lang: str) -> str:
    """Reader's name of one side of a comparison (``special_group``/True -> Kelompok rentan)."""
    v = row.get(side)
    if is_missing(v):
        return ""
    comp = "" if is_missing(row.get("comparison")) else str(row.get("comparison"))
    text = str(v)
    if comp == "round":
        return f"{label('round', lang)} {text}"
    if text in ("True", "False", "true", "false") and comp:
        if text.lower() == "true":
            return group_label(comp, lang)
        return label("others", lang).capitalize()
    return group_label(text, lang)


def _comparison_text(group, lang: str) -> str:
    g = "" if is_missing(group) else str(group)
    if " vs " in g:
        a, _, b = g.partition(" vs ")
        return f"{group_label(a.strip(), lang)} vs {group_label(b.strip(), lang)}"
    return group_label(g, lang)


def significant_gaps(gaps: pd.DataFrame | None, *, alpha: float = 0.05, min_n: int = 5) -> pd.DataFrame:
    """Rows of a gap table that a report may state as findings, largest first.

    Kept: ``status == "ok"`` (when the column exists), Holm-adjusted p (or p
    when no adjusted value) below ``alpha``, both groups with ``>= min_n``
    answers. Sorted by absolute effect size (then absolute gap), then metric.
    """
    if gaps is None or len(gaps) == 0:
        return pd.DataFrame(columns=list(gaps.columns) if gaps is not None else [])
    p = gaps["p_adjusted"] if "p_adjusted" in gaps.columns else gaps["p_value"]
    if "p_value" in gaps.columns:
        p = p.fillna(gaps["p_value"]) if "p_adjusted" in gaps.columns else p
    keep = pd.to_numeric(p, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan) < alpha
    if "status" in gaps.columns:
        keep &= (gaps["status"].astype("string").fillna("") == "ok").to_numpy(dtype=bool)
    for c in ("n1", "n2"):
        if c in gaps.columns:
            keep &= ~gaps[c].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
    sig = gaps.loc[keep].copy()
    es = pd.to_numeric(sig.get("effect_size", pd.Series(np.nan, index=sig.index)), errors="coerce").astype(float)
    sig["_size"] = es.abs().fillna(0.0)
    sig["_gap"] = pd.to_numeric(sig["gap"], errors="coerce").astype(float).abs().fillna(0.0)
    sig = sig.sort_values(["_size", "_gap", "metric"], ascending=[False, False, True], kind="mergesort")
    return sig.drop(columns=["_size", "_gap"]).reset_index(drop=True)


def headline_text(unit: str, *, ikm_row: Mapping, grade: str, access_row: Mapping | None,
                  gaps: pd.DataFrame | None, alpha: float = 0.05, min_n: int = 5,
                  lang: str = "id", k: int = 3, scheme=None, numbers: Mapping | None = None) -> str:
    """The headline paragraph of a unit report (Markdown).

    Parameters
    ----------
    ikm_row : mapping
        ``ikm, ci_low, ci_high, n`` of the unit (one row of ``scoring.ikm``).
    grade : str
        Grade text, e.g. ``"B (Baik)"``.
    access_row : mapping or None
        ``estimate, ci_low, ci_high, n`` of ``pct_not_friendly`` (percent).
    gaps : DataFrame or None
        Between-group gap tests of the unit (``stats.gap_report``); the ``k``
        largest significant ones (:func:`significant_gaps`) are listed.
    """
    parts = [sentence_ikm(unit, ikm=ikm_row.get("ikm"), ci_low=ikm_row.get("ci_low"),
                          ci_high=ikm_row.get("ci_high"), n=ikm_row.get("n"), grade=grade,
                          min_n=min_n, lang=lang)]
    if access_row is not None:
        parts.append(sentence_accessibility(pct=access_row.get("estimate"), ci_low=access_row.get("ci_low"),
                                            ci_high=access_row.get("ci_high"), n=access_row.get("n"),
                                            min_n=min_n, lang=lang))
    text = " ".join(parts)
    sig = significant_gaps(gaps, alpha=alpha, min_n=min_n)
    if len(sig) == 0:
        return text + "\n\n" + label("s_no_gaps", lang, alpha=fmt_number(alpha, 2, lang))
    lines = [f"- {sentence_gap(r, lang=lang, min_n=min_n, scheme=scheme).rstrip('.')} ({_gap_figure(r, lang, numbers)})."
             for r in sig.head(k).to_dict("records")]
    return text + "\n\n" + label("s_top_gaps", lang) + "\n\n" + "\n".join(lines)


def _adjusted(row: Mapping) -> bool:
    """Whether a gap row's p is adjusted for multiplicity (its interval, which is not, is then labelled so)."""
    return not is_missing(row.get("p_adjusted"))


def _gap_figure(row: Mapping, lang: str, numbers: Mapping | None = None) -> str:
    """The figure that shows a gap, or else the table that lists it."""
    comp = str(row.get("comparison", ""))
    metric = str(row.get("metric", ""))
    if comp == "channel":
        if metric in CHANNEL_CHART_METRICS:
            return figure_ref("broker", lang, numbers)
        return table_ref("channel", lang, numbers)
    if metric.startswith("nrr:") and comp == "special_group":
        return figure_ref("forest", lang, numbers)
    return table_ref("groups", lang, numbers)


CHANNEL_CHART_METRICS = ("mean:cost_paid", "mean:days_to_complete", "mean:overall_satisfaction")
"""Gap metrics drawn in the broker vs in-person chart (the others are in its table)."""


def findings_text(unit: str, *, ikm_row: Mapping, grade: str, nrr: pd.DataFrame | None = None,
                  access_row: Mapping | None = None, access_test: Mapping | None = None,
                  gaps: pd.DataFrame | None = None, paired: pd.DataFrame | None = None,
                  ipa: pd.DataFrame | None = None, round_change: Mapping | None = None,
                  missing_items: str = "", alpha: float = 0.05, min_n: int = 5, lang: str = "id",
                  scheme=None, numbers: Mapping | None = None) -> str:
    """Findings of a unit report, from the significant results only, each citing its figure.

    Rules: the IKM and its grade are stated when ``n >= min_n`` (an estimate,
    not a comparison); the weakest unsur only when its interval lies wholly
    below the unit's IKM; accessibility only when the share saying "not
    friendly" is significantly above one half (``access_test``, a row of
    ``stats.proportion_vs_target``); every between-group gap with Holm p <
    ``alpha`` (:func:`significant_gaps`); IPA quadrant I unsur only when the
    expectation gap is significant (``paired``, ``stats.paired_gap``); the
    change since the previous round when its p < ``alpha``; missing checklist
    components (an observation, not a sample).

    Returns
    -------
    str
        A Markdown numbered list (or one sentence saying nothing is significant).
    """
    items = []
    ikm_ok = not is_small(ikm_row.get("n"), min_n) and not is_missing(ikm_row.get("ikm"))
    if ikm_ok:
        items.append(label("s_finding_ikm", lang, unit=escape_text(unit), ikm=fmt_number(ikm_row["ikm"], 2, lang),
                           grade=escape_text(grade), ref=figure_ref("ikm_elements", lang, numbers)))
    if ikm_ok and nrr is not None and len(nrr):
        hi = pd.to_numeric(nrr["ci_high"], errors="coerce").astype(float) * 25.0
        ok = nrr[(hi < float(ikm_row["ikm"])).to_numpy() & ~nrr["n"].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)]
        if len(ok):
            w = ok.sort_values(["nrr", "unsur"], kind="mergesort").iloc[0]
            items.append(label("s_finding_weakest", lang, unsur=escape_text(unsur_label(w["unsur"], lang, scheme)),
                               value=fmt_number(float(w["nrr"]) * 25.0, 2, lang), ref=figure_ref("ikm_elements", lang, numbers)))
    if access_row is not None and access_test is not None and not is_missing(access_test.get("p_value")) \
            and float(access_test["p_value"]) < alpha and not is_small(access_row.get("n"), min_n):
        items.append(label("s_finding_access", lang, pct=fmt_percent(access_row["estimate"], 0, lang, scale=1.0),
                           ref=label("sec_headline", lang)))
    for r in significant_gaps(gaps, alpha=alpha, min_n=min_n).to_dict("records"):
        items.append(label("s_finding_gap", lang, reading=sentence_gap(r, lang=lang, min_n=min_n, scheme=scheme)
                           .rstrip("."), ref=_gap_figure(r, lang, numbers)))
    prio = _priority_items(ipa, paired, alpha, min_n, lang, scheme)
    if prio:
        items.append(label("s_finding_priority", lang, items=prio, ref=figure_ref("ipa", lang, numbers)))
    if round_change is not None and not is_small(round_change.get("n1"), min_n) \
            and not is_small(round_change.get("n2"), min_n):
        p = round_change.get("p_adjusted")
        p = round_change.get("p_value") if is_missing(p) else p
        if not is_missing(p) and float(p) < alpha:
            # written like the round sentence of its section: signed interval, Holm p when adjusted
            lo, hi = round_change.get("ci_low"), round_change.get("ci_high")
            ci = label("ci95_unadj" if _adjusted(round_change) else "ci95", lang) + " " + (
                "–" if is_missing(lo) or is_missing(hi) else fmt_number(lo, 2, lang, signed=True) +
                (" sampai " if lang == "id" else " to ") + fmt_number(hi, 2, lang, signed=True))
            holm = not is_missing(round_change.get("p_adjusted"))
            pt = (("p Holm " if lang == "id" else "Holm p ") if holm else "p ") + fmt_p(p, lang)
            items.append(label("s_finding_round", lang, change=fmt_number(round_change["gap"], 2, lang, signed=True),
                               prev=escape_text(round_change.get("group2", "")), ci=ci, p=pt,
                               ref=figure_ref("rounds", lang, numbers)))
    if missing_items:
        items.append(label("s_finding_missing", lang, items=escape_text(missing_items),
                           ref=label("sec_checklist", lang)))
    if not items:
        return label("s_no_findings", lang, alpha=fmt_number(alpha, 2, lang))
    return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))


def _priority_items(ipa: pd.DataFrame | None, paired: pd.DataFrame | None, alpha: float, min_n: int,
                    lang: str, scheme) -> str:
    """Quadrant I unsur whose experience falls significantly short of expectation."""
    if ipa is None or len(ipa) == 0 or "quadrant" not in ipa.columns:
        return ""
    q = ipa[(ipa["quadrant"].astype("string") == "I").fillna(False).to_numpy(dtype=bool)]
    keys = [str(u) for u in q["unsur"]]
    if paired is not None and len(paired):
        sig = significant_gaps(paired, alpha=alpha, min_n=min_n)
        sig_keys = {str(m).partition(":")[2] or str(m) for m in sig["metric"]} if len(sig) else set()
        neg = {str(m).partition(":")[2] for m, g in zip(sig.get("metric", []), sig.get("gap", [])) if float(g) < 0}
        keys = [k for k in keys if k in sig_keys and k in neg]
    else:
        keys = []
    return ", ".join(escape_text(unsur_label(k, lang, scheme)) for k in keys)


_LOWER_IS_BETTER = {"pct_not_friendly", "pct_paid_extra", "pct_had_problem", "pct_dissatisfied",
                    "mean:cost_paid", "mean:days_to_complete", "mean:wait_minutes", "mean:extra_amount"}


def gap_disadvantages_group1(row: Mapping) -> bool:
    """Whether a gap row (``group1`` minus ``group2``) leaves ``group1`` worse off.

    Scores, the IKM and satisfaction are better when higher (a negative gap is
    a disadvantage); cost, time, extra payments, problems and "not friendly"
    are better when lower (a positive gap is a disadvantage). A missing gap is
    not a disadvantage.
    """
    g = row.get("gap")
    if is_missing(g):
        return False
    metric = str(row.get("metric", ""))
    lower_better = metric in _LOWER_IS_BETTER or metric.partition(":")[0] in _LOWER_IS_BETTER
    return float(g) > 0 if lower_better else float(g) < 0


def recommendations_text(*, gaps: pd.DataFrame | None = None, ipa: pd.DataFrame | None = None,
                         paired: pd.DataFrame | None = None, access_significant: bool = False,
                         missing_items: str = "", alpha: float = 0.05, min_n: int = 5, lang: str = "id",
                         scheme=None) -> str:
    """Recommendations, one per kind of significant finding (Markdown bullet list)."""
    recs = []
    sig = significant_gaps(gaps, alpha=alpha, min_n=min_n)
    kinds = set()
    for r in (sig.to_dict("records") if len(sig) and "comparison" in sig.columns else []):
        comp = str(r["comparison"])
        if comp == "channel":
            kinds.add("channel")
        elif comp in ("special_group", "disability", "elderly", "pregnant", "with_child"):
            # a priority counter is only called for when the special group is worse off
            if gap_disadvantages_group1(r):
                kinds.add("special_group")
        else:
            kinds.add("other")
    for kind in ("special_group", "channel", "other"):
        if kind in kinds:
            recs.append(label(f"rec_gap_{kind}", lang))
    prio = _priority_items(ipa, paired, alpha, min_n, lang, scheme)
    if prio:
        recs.append(label("rec_priority", lang, items=prio))
    if access_significant:
        recs.append(label("rec_access", lang))
    if missing_items:
        recs.append(label("rec_missing", lang))
    if not recs:
        return label("rec_none", lang)
    return "\n".join(f"- {r}" for r in recs)


def _gap_tests_bullet(scope: str, a: str, seed: int, lang: str) -> str:
    """The Methods bullet on the gap tests a report runs (``a``: alpha as the report prints it)."""
    if scope == "city" and lang == "id":
        return ("- **Uji kesenjangan**: nilai setiap unsur antarunit dengan Kruskal–Wallis (koreksi Holm atas "
                "unsur); IKM setiap unit dibandingkan dengan unit lain di kota dengan bootstrap dan uji "
                "permutasi (koreksi Holm atas unit); perubahan IKM setiap unit antara dua putaran terakhir "
                f"dengan bootstrap dan uji permutasi. Signifikan bila p Holm < {a}. Kruskal–Wallis "
                "membandingkan sebaran nilai (peringkat), bukan rata-rata. "
                f"Bootstrap dan permutasi memakai seed {seed}, sehingga hasilnya dapat diulang.")
    if scope == "city":
        return ("- **Gap tests**: each element's scores across units with Kruskal–Wallis (Holm across the "
                "elements); each unit's IKM against the rest of the city with a bootstrap and a permutation "
                "test (Holm across the units); each unit's change in IKM between its last two rounds with a "
                f"bootstrap and a permutation test. Significant when Holm p < {a}. Kruskal–Wallis compares "
                "the distributions (ranks), not the means. "
                f"Bootstraps and permutations use seed {seed}, so the results can be reproduced.")
    if lang == "id":
        return ("- **Uji kesenjangan**: skor ordinal 1–4 dan biaya dengan Mann–Whitney (ukuran efek Cliff's delta), "
                "IKM dua kelompok dengan bootstrap dan uji permutasi, proporsi dengan chi-square / Fisher; "
                "harapan vs pengalaman dengan Wilcoxon bertanda. "
                f"Nilai p dikoreksi Holm di dalam setiap keluarga uji; signifikan bila p Holm < {a}. "
                "Mann–Whitney membandingkan sebaran nilai (peringkat), bukan rata-rata: p bisa kecil walaupun "
                "interval selisih rata-rata memuat 0. "
                f"Bootstrap dan permutasi memakai seed {seed}, sehingga hasilnya dapat diulang.")
    return ("- **Gap tests**: ordinal 1–4 scores and costs with Mann–Whitney (effect size Cliff's delta), the IKM "
            "of two groups with a bootstrap and a permutation test, proportions with chi-square / Fisher; "
            "expectation vs experience with the Wilcoxon signed-rank test. "
            f"p-values are Holm-adjusted within each family of tests; significant when Holm p < {a}. "
            "Mann–Whitney compares the distributions (ranks), not the means: p can be small while the "
            "interval of the difference in means includes 0. "
            f"Bootstraps and permutations use seed {seed}, so the results can be reproduced.")


def methods_text(*, scheme_reference: str, ikm_method: str, alpha: float, min_n: int, seed: int,
                 weighted: bool, lang: str = "id", scope: str = "unit", weights_text: str | None = None) -> str:
    """Methods and caveats (Markdown bullet list), in ``lang``.

    ``scope``: ``"unit"`` (a unit report: gaps between groups of users,
    expectation vs experience) or ``"city"`` (the city overview: between
    units, each unit against the rest of the city, change between rounds).
    ``weights_text``: the weights bullet in full (the city overview says which
    city-wide estimator it used and why); default: from ``weighted``.
    """
    if scope not in ("unit", "city"):
        raise ValueError(f"scope must be 'unit' or 'city', not {scope!r}")
    a = fmt_number(alpha, 2, lang)
    gaps = _gap_tests_bullet(scope, a, seed, lang)
    if lang == "id":
        lines = [
            f"- **IKM** dihitung menurut {escape_text(scheme_reference)}: NRR per unsur = jumlah nilai / jumlah "
            "jawaban; IKM = 25 × Σ NRR × 1/k. Mutu dibaca dari IKM yang dibulatkan dua desimal.",
            f"- **Interval** IKM: {escape_text(ikm_method)}. Persentase: interval Wilson; "
            "selisih persentase: Newcombe; nilai rata-rata per unsur: interval t.",
            gaps,
            f"- **Sel kecil**: angka dari kurang dari {min_n} jawaban tidak ditampilkan (\u201cn < {min_n}\u201d) "
            "di tabel, grafik maupun kalimat, dan tidak diuji.",
            "- **Bobot**: " + (weights_text if weights_text else
                               "hasil diboboti dengan bobot sampling." if weighted else
                               "tanpa bobot sampling: setiap responden dihitung sama. Sampel diambil dari "
                               "pengguna yang ditemui di unit layanan, bukan sampel acak penduduk."),
            "- **Interval dan koreksi Holm**: hanya nilai p yang dikoreksi untuk banyak uji; interval 95% "
            "selisih tidak dikoreksi (ditulis \u201ctanpa koreksi\u201d). Interval yang tidak memuat 0 di samping "
            f"p Holm \u2265 {a} berarti selisih itu tidak signifikan setelah koreksi; keputusan mengikuti p Holm.",
            "- Temuan hanya ditulis dari hasil yang signifikan; selisih yang tidak signifikan tidak ditafsirkan "
            "sebagai perbedaan.",
        ]
    else:
        lines = [
            f"- **IKM** follows {escape_text(scheme_reference)}: NRR per element = sum of scores / number of "
            "answers; IKM = 25 × Σ NRR × 1/k. The grade is read from the IKM rounded to two decimals.",
            f"- **Interval** of the IKM: {escape_text(ikm_method)}. Percentages: Wilson interval; "
            "differences of percentages: Newcombe; element means: t interval.",
            gaps,
            f"- **Small cells**: a figure from fewer than {min_n} answers is not shown (\u201cn < {min_n}\u201d) "
            "in tables, charts and sentences, and is not tested.",
            "- **Weights**: " + (weights_text if weights_text else
                                 "results use the sampling weights." if weighted else
                                 "no sampling weights: every respondent counts the same. The sample is the users "
                                 "met at the service unit, not a random sample of residents."),
            "- **Intervals and the Holm correction**: only p-values are adjusted for multiple tests; the 95% "
            "intervals of gaps are not (labelled \u201cunadjusted\u201d). An interval that excludes 0 beside a "
            f"Holm p \u2265 {a} means the gap is not significant after the correction; the decision follows "
            "the Holm p.",
            "- Findings are written from significant results only; differences that are not significant are not "
            "read as differences.",
        ]
    return "\n".join(lines)


def ikm_method_text(method, lang: str) -> str:
    """The IKM interval method in the reader's language, from the ``method`` of a ``scoring.ikm`` row
    (``delta ...`` or ``bootstrap ...``; anything else as it is)."""
    m = "" if is_missing(method) else str(method)
    if "delta" in m:
        return "metode delta (linearisasi), interval t" if lang == "id" else "delta method (linearisation), t interval"
    if "bootstrap" in m:
        kind = "BCa" if "BCa" in m else ("persentil" if lang == "id" else "percentile")
        return f"bootstrap {kind} atas responden" if lang == "id" else f"{kind} bootstrap over respondents"
    return m
