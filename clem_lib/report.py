"""Report text: labels in Indonesian and English, number formatting, small-cell
suppression, escaped tables, findings sentences and the long-form results rows.

Everything a report *says* is built here, so the notebooks stay thin and the
same words appear in the HTML report, in ``results.csv`` and in the tests.

Language
    Every heading, axis label, table header and sentence is looked up in
    :data:`LABELS` by key, in ``"id"`` (Bahasa Indonesia, the default) or
    ``"en"``. :func:`label` raises on an unknown key, so a missing translation
    fails a test instead of showing a key to a reader.

Numbers
    Indonesian uses a decimal comma and a thousands dot (``1.234,5``); English
    the reverse (``1,234.5``). Rounding happens here and only here, half up on
    the decimal representation (:func:`clem_lib.scoring.round_half_up`).

Small cells
    A figure computed from fewer than ``min_n`` answers is not shown: tables,
    charts and sentences show ``"n < 5"`` (with the ``min_n`` in force)
    instead of the value, and ``results.csv`` leaves the estimate empty.

Free text
    Respondents' answers are shown as text: :func:`escape_text` turns ``<``,
    ``>``, ``&`` and quotes into entities and neutralises Markdown, so an
    answer that contains HTML or script is shown, never run.
"""

from __future__ import annotations

import difflib
import html
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import ClemInputError

__all__ = [
    "LANGS",
    "LABELS",
    "FIGURES",
    "check_lang",
    "label",
    "group_label",
    "metric_label",
    "unsur_label",
    "fmt_number",
    "fmt_percent",
    "fmt_rupiah",
    "fmt_p",
    "fmt_interval",
    "fmt_estimate",
    "is_small",
    "small_cell_text",
    "suppress_table",
    "escape_text",
    "ReportTable",
    "report_table",
    "figure_caption",
    "figure_ref",
    "heading",
    "resolve_unit",
    "validate_report_params",
    "read_unit_slice",
    "results_row",
    "results_frame",
    "sentence_ikm",
    "sentence_accessibility",
    "sentence_gap",
    "headline_text",
    "findings_text",
    "recommendations_text",
    "methods_text",
]

LANGS = ("id", "en")

_RESULTS_COLUMNS = (
    "unit", "sector", "group", "metric", "estimate", "ci_low", "ci_high", "n",
    "statistic", "p_value", "p_adjusted", "method",
)  # results.csv (DESIGN.md contract); the same tuple as clem_lib.scoring.RESULTS_COLUMNS

# ---------------------------------------------------------------------------
# Label table
# ---------------------------------------------------------------------------

LABELS: Mapping[str, Mapping[str, str]] = {
    # report titles and section headings
    "title_unit": {"id": "Laporan pemantauan layanan: {unit}", "en": "Service monitoring report: {unit}"},
    "title_city": {"id": "Ringkasan kota: semua unit layanan", "en": "City overview: all service units"},
    "toc": {"id": "Daftar isi", "en": "Contents"},
    "sec_headline": {"id": "Ringkasan utama", "en": "Headline"},
    "sec_sample": {"id": "Siapa yang ditanya", "en": "Who was asked"},
    "sec_ikm_elements": {"id": "IKM per unsur pelayanan", "en": "IKM per service element"},
    "sec_likert": {"id": "Sebaran jawaban per unsur", "en": "Answers per element"},
    "sec_groups": {"id": "Kesenjangan kelompok rentan", "en": "Special-group gaps"},
    "sec_broker": {"id": "Melalui calo/biro jasa vs datang sendiri",
                   "en": "Through a broker vs in person"},
    "sec_ipa": {"id": "Harapan vs pengalaman", "en": "Expectation vs experience"},
    "sec_rounds": {"id": "Perubahan sejak putaran sebelumnya", "en": "Change since the previous round"},
    "sec_checklist": {"id": "Daftar periksa standar pelayanan", "en": "Service-standard checklist"},
    "sec_complaints": {"id": "Pengaduan", "en": "Complaints"},
    "sec_suggestions": {"id": "Saran dari pengguna", "en": "Suggestions from users"},
    "sec_findings": {"id": "Temuan dan rekomendasi", "en": "Findings and recommendations"},
    "sec_methods": {"id": "Metode dan catatan", "en": "Methods and caveats"},
    "sec_quality": {"id": "Kualitas data unit ini", "en": "Data quality for this unit"},
    "sec_ranking": {"id": "Peringkat IKM", "en": "IKM ranking"},
    "sec_heatmap": {"id": "Unit × unsur", "en": "Unit × element"},
    "sec_between": {"id": "Uji antar-unit", "en": "Between-unit tests"},
    "sec_access_units": {"id": "Aksesibilitas dan kepatuhan per unit",
                         "en": "Accessibility and compliance by unit"},
    "sec_rounds_city": {"id": "Perubahan antar-putaran", "en": "Change between rounds"},
    # generic words
    "figure": {"id": "Gambar", "en": "Figure"},
    "table": {"id": "Tabel", "en": "Table"},
    "see": {"id": "lihat", "en": "see"},
    "and": {"id": "dan", "en": "and"},
    "none": {"id": "tidak ada", "en": "none"},
    "yes": {"id": "ya", "en": "yes"},
    "no": {"id": "tidak", "en": "no"},
    "all": {"id": "semua", "en": "all"},
    "others": {"id": "lainnya", "en": "others"},
    "round": {"id": "Putaran", "en": "Round"},
    "ci95": {"id": "IK 95%", "en": "95% CI"},
    "small_cell": {"id": "n < {min_n}", "en": "n < {min_n}"},
    # table headers and axis labels
    "col_unit": {"id": "Unit layanan", "en": "Service unit"},
    "col_sector": {"id": "Sektor", "en": "Sector"},
    "col_service": {"id": "Layanan", "en": "Service"},
    "col_group": {"id": "Kelompok", "en": "Group"},
    "col_metric": {"id": "Ukuran", "en": "Measure"},
    "col_unsur": {"id": "Unsur", "en": "Element"},
    "col_n": {"id": "n", "en": "n"},
    "col_share": {"id": "Persentase", "en": "Share"},
    "col_estimate": {"id": "Nilai", "en": "Value"},
    "col_ci": {"id": "IK 95%", "en": "95% CI"},
    "col_gap": {"id": "Selisih", "en": "Gap"},
    "col_p": {"id": "p", "en": "p"},
    "col_p_adj": {"id": "p (Holm)", "en": "p (Holm)"},
    "col_method": {"id": "Uji", "en": "Test"},
    "col_reading": {"id": "Arti", "en": "Reading"},
    "col_ikm": {"id": "IKM", "en": "IKM"},
    "col_nrr": {"id": "NRR", "en": "NRR"},
    "col_grade": {"id": "Mutu", "en": "Grade"},
    "col_component": {"id": "Komponen", "en": "Component"},
    "col_category": {"id": "Kategori", "en": "Category"},
    "col_present": {"id": "Ada", "en": "Present"},
    "col_required": {"id": "Sampel minimum (Krejcie–Morgan)", "en": "Minimum sample (Krejcie–Morgan)"},
    "col_population": {"id": "Pengguna per bulan", "en": "Users per month"},
    "col_enough": {"id": "Cukup", "en": "Enough"},
    "col_suggestion": {"id": "Saran", "en": "Suggestion"},
    "col_rule": {"id": "Aturan pembersihan", "en": "Cleaning rule"},
    "col_count": {"id": "Jumlah", "en": "Count"},
    "col_conformity": {"id": "Tingkat kesesuaian (%)", "en": "Conformity (%)"},
    "col_quadrant": {"id": "Kuadran", "en": "Quadrant"},
    "col_performance": {"id": "Kinerja (X, 1–4)", "en": "Performance (X, 1–4)"},
    "col_importance": {"id": "Harapan (Y, 1–4)", "en": "Expectation (Y, 1–4)"},
    "col_change": {"id": "Perubahan", "en": "Change"},
    "col_compliance": {"id": "Kepatuhan standar (%)", "en": "Standard compliance (%)"},
    "col_not_friendly": {"id": "Fasilitas tidak ramah (%)", "en": "Facilities not friendly (%)"},
    "col_effect": {"id": "Ukuran efek", "en": "Effect size"},
    "axis_ikm": {"id": "IKM (skala 25–100)", "en": "IKM (25–100 scale)"},
    "axis_share": {"id": "Persentase jawaban (%)", "en": "Share of answers (%)"},
    "axis_gap": {"id": "Selisih (kelompok − pembanding)", "en": "Gap (group − comparison)"},
    "axis_respondents": {"id": "Jumlah responden", "en": "Respondents"},
    "axis_percent": {"id": "Persentase pengguna (%)", "en": "Share of users (%)"},
    # answer scale (14/2017 wording)
    "likert_1": {"id": "Tidak baik (1)", "en": "Not good (1)"},
    "likert_2": {"id": "Kurang baik (2)", "en": "Poor (2)"},
    "likert_3": {"id": "Baik (3)", "en": "Good (3)"},
    "likert_4": {"id": "Sangat baik (4)", "en": "Very good (4)"},
    # IPA quadrants
    "quadrant_I": {"id": "I Prioritas utama", "en": "I Top priority"},
    "quadrant_II": {"id": "II Pertahankan prestasi", "en": "II Keep up the good work"},
    "quadrant_III": {"id": "III Prioritas rendah", "en": "III Low priority"},
    "quadrant_IV": {"id": "IV Berlebihan", "en": "IV Possible overkill"},
    # groups and channels
    "grp_special_group": {"id": "Kelompok rentan", "en": "Special groups"},
    "grp_disability": {"id": "Penyandang disabilitas", "en": "People with disabilities"},
    "grp_elderly": {"id": "Lansia", "en": "Elderly"},
    "grp_pregnant": {"id": "Ibu hamil", "en": "Pregnant women"},
    "grp_with_child": {"id": "Membawa anak", "en": "With a child"},
    "grp_gender": {"id": "Jenis kelamin", "en": "Gender"},
    "grp_female": {"id": "Perempuan", "en": "Women"},
    "grp_male": {"id": "Laki-laki", "en": "Men"},
    "grp_income_group": {"id": "Kelompok pendapatan", "en": "Income group"},
    "grp_low": {"id": "Pendapatan rendah", "en": "Low income"},
    "grp_high": {"id": "Pendapatan tinggi", "en": "High income"},
    "grp_channel": {"id": "Cara mengurus", "en": "Channel"},
    "grp_broker": {"id": "Melalui calo/biro jasa", "en": "Through a broker"},
    "grp_in_person": {"id": "Datang sendiri", "en": "In person"},
    "grp_total": {"id": "Semua responden", "en": "All respondents"},
    "grp_rest_of_city": {"id": "Unit lain di kota", "en": "Rest of the city"},
    # sectors
    "sector_adminduk": {"id": "Administrasi kependudukan", "en": "Civil registration"},
    "sector_kesehatan": {"id": "Kesehatan", "en": "Health"},
    "sector_pendidikan": {"id": "Pendidikan", "en": "Education"},
    # metrics
    "m_ikm": {"id": "IKM", "en": "IKM"},
    "m_overall_satisfaction": {"id": "Kepuasan keseluruhan (1–4)", "en": "Overall satisfaction (1–4)"},
    "m_pct_satisfied": {"id": "Puas (%)", "en": "Satisfied (%)"},
    "m_pct_not_friendly": {"id": "Fasilitas tidak ramah kelompok rentan (%)",
                           "en": "Facilities not friendly to special groups (%)"},
    "m_pct_had_problem": {"id": "Mengalami masalah (%)", "en": "Had a problem (%)"},
    "m_pct_problem_resolved": {"id": "Masalah terselesaikan (%)", "en": "Problem resolved (%)"},
    "m_pct_paid_extra": {"id": "Membayar di atas tarif resmi (%)", "en": "Paid above the official fee (%)"},
    "m_pct_knows_complaint": {"id": "Tahu cara mengadu (%)", "en": "Knows how to complain (%)"},
    "m_mean_extra_amount": {"id": "Rata-rata pungutan tambahan (Rp)", "en": "Mean extra payment (Rp)"},
    "m_cost_paid": {"id": "Biaya yang dibayar (Rp)", "en": "Cost paid (Rp)"},
    "m_mean_cost_paid": {"id": "Rata-rata biaya yang dibayar (Rp)", "en": "Mean cost paid (Rp)"},
    "m_days_to_complete": {"id": "Lama penyelesaian (hari)", "en": "Days to complete"},
    "m_mean_days_to_complete": {"id": "Rata-rata lama penyelesaian (hari)", "en": "Mean days to complete"},
    "m_wait_minutes": {"id": "Waktu tunggu (menit)", "en": "Waiting time (minutes)"},
    "m_mean_wait_minutes": {"id": "Rata-rata waktu tunggu (menit)", "en": "Mean waiting time (minutes)"},
    "m_pct_over_standard": {"id": "Melebihi waktu standar (%)", "en": "Took longer than the standard (%)"},
    "m_compliance": {"id": "Kepatuhan standar pelayanan (%)", "en": "Service-standard compliance (%)"},
    "m_speeder": {"id": "Wawancara terlalu cepat", "en": "Interview too fast"},
    "m_straightliner": {"id": "Jawaban seragam", "en": "Same answer throughout"},
    "m_missing_answers": {"id": "Jawaban kosong", "en": "Missing answers"},
    # captions (figures are numbered by FIGURES)
    "fig_ikm_elements": {
        "id": "IKM per unsur (NRR × 25) dengan batas mutu A–D; garis = IK 95%.",
        "en": "IKM per element (NRR × 25) with the A–D grade bands; lines = 95% CI."},
    "fig_likert": {
        "id": "Sebaran jawaban per unsur: kiri = tidak/kurang baik, kanan = baik/sangat baik.",
        "en": "Answers per element: left = not good/poor, right = good/very good."},
    "fig_forest": {
        "id": "Selisih antara kelompok dan pembandingnya, dengan IK 95%; titik penuh = signifikan setelah koreksi Holm.",
        "en": "Gap between each group and its comparison, with 95% CI; filled = significant after Holm correction."},
    "fig_broker": {
        "id": "Calo/biro jasa vs datang sendiri: biaya, waktu dan kepuasan.",
        "en": "Broker vs in person: cost, time and satisfaction."},
    "fig_ipa": {
        "id": "Analisis kepentingan–kinerja: kinerja (X) vs harapan (Y), dibagi pada rata-rata.",
        "en": "Importance–performance analysis: performance (X) vs expectation (Y), split at the means."},
    "fig_rounds": {
        "id": "IKM per putaran survei dengan IK 95%.",
        "en": "IKM by survey round with 95% CI."},
    "fig_sample": {
        "id": "Responden per layanan.",
        "en": "Respondents per service."},
    "fig_ranking": {
        "id": "IKM per unit dengan IK 95% dan batas mutu.",
        "en": "IKM by unit with 95% CI and grade bands."},
    "fig_heatmap": {
        "id": "IKM per unsur (NRR × 25) untuk setiap unit.",
        "en": "IKM per element (NRR × 25) for every unit."},
    "fig_access_units": {
        "id": "Fasilitas tidak ramah kelompok rentan dan kepatuhan standar pelayanan per unit.",
        "en": "Facilities not friendly to special groups, and service-standard compliance, by unit."},
    "fig_rounds_city": {
        "id": "IKM per unit dan putaran.",
        "en": "IKM by unit and round."},
    # sentences
    "s_ikm": {
        "id": "{unit}: {n} responden. IKM {ikm} ({ci}), mutu {grade}.",
        "en": "{unit}: {n} respondents. IKM {ikm} ({ci}), grade {grade}."},
    "s_ikm_small": {
        "id": "{unit}: {n} responden, terlalu sedikit untuk menghitung IKM ({small}).",
        "en": "{unit}: {n} respondents, too few to compute the IKM ({small})."},
    "s_access": {
        "id": "{pct} pengguna menyatakan fasilitas tidak ramah bagi kelompok rentan ({ci}; n = {n}).",
        "en": "{pct} of users said the facilities are not friendly to special groups ({ci}; n = {n})."},
    "s_access_small": {
        "id": "Aksesibilitas fasilitas: {small}.",
        "en": "Accessibility of the facilities: {small}."},
    "s_gap": {
        "id": "{metric}: {group1} {v1}, {group2} {v2}; selisih {gap} ({ci}, p Holm {p}).",
        "en": "{metric}: {group1} {v1}, {group2} {v2}; gap {gap} ({ci}, Holm p {p})."},
    "s_gap_nogroups": {
        "id": "{metric}, {comparison}: selisih {gap} ({ci}, p Holm {p}).",
        "en": "{metric}, {comparison}: gap {gap} ({ci}, Holm p {p})."},
    "s_top_gaps": {
        "id": "Kesenjangan terbesar yang signifikan:",
        "en": "Largest significant gaps:"},
    "s_no_gaps": {
        "id": "Tidak ada kesenjangan antar-kelompok yang signifikan setelah koreksi Holm (α = {alpha}).",
        "en": "No gap between groups is significant after Holm correction (α = {alpha})."},
    "s_no_findings": {
        "id": "Tidak ada hasil yang signifikan pada α = {alpha}; laporan ini tidak menarik kesimpulan dari selisih yang tidak signifikan.",
        "en": "No result is significant at α = {alpha}; this report draws no conclusion from differences that are not significant."},
    "s_no_previous_round": {
        "id": "Belum ada putaran sebelumnya untuk unit ini; perubahan akan tampil setelah survei ulang.",
        "en": "There is no previous round for this unit yet; change is shown after a follow-up survey."},
    "s_checklist_missing": {
        "id": "Belum tersedia ({k} dari {m} komponen): {items}.",
        "en": "Missing ({k} of {m} components): {items}."},
    "s_checklist_complete": {
        "id": "Semua {m} komponen yang diperiksa tersedia.",
        "en": "All {m} components checked are present."},
    "s_checklist_none": {
        "id": "Tidak ada data daftar periksa untuk unit ini.",
        "en": "There is no checklist data for this unit."},
    "s_sample_ok": {
        "id": "Sampel {n} memenuhi ukuran minimum Krejcie–Morgan {s} untuk {N} pengguna per bulan.",
        "en": "The sample of {n} meets the Krejcie–Morgan minimum of {s} for {N} users per month."},
    "s_sample_short": {
        "id": "Sampel {n} di bawah ukuran minimum Krejcie–Morgan {s} untuk {N} pengguna per bulan; baca hasil dengan hati-hati.",
        "en": "The sample of {n} is below the Krejcie–Morgan minimum of {s} for {N} users per month; read the results with care."},
    "s_no_suggestions": {
        "id": "Tidak ada saran tertulis dari pengguna unit ini.",
        "en": "Users of this unit left no written suggestions."},
    "s_suggestions_shown": {
        "id": "{k} saran ditampilkan apa adanya (teks, bukan kode), setelah nomor identitas, telepon dan e-mail dihapus.",
        "en": "{k} suggestions shown as written (as text, never as code), after ID numbers, phone numbers and e-mail addresses were removed."},
    "s_quality": {
        "id": "Dari {n} wawancara unit ini, {speeders} ditandai terlalu cepat dan {straight} memberi jawaban seragam; wawancara itu tetap dihitung dan hanya ditandai.",
        "en": "Of this unit's {n} interviews, {speeders} were flagged as too fast and {straight} gave the same answer throughout; they are flagged, not dropped."},
    "s_quality_log": {
        "id": "Perubahan oleh pembersihan data untuk unit ini, per aturan:",
        "en": "Changes made by data cleaning for this unit, by rule:"},
    "s_quality_log_none": {
        "id": "Pembersihan data tidak mengubah jawaban dari unit ini.",
        "en": "Data cleaning changed no answer from this unit."},
    "s_finding_gap": {
        "id": "{reading} ({ref}).",
        "en": "{reading} ({ref})."},
    "s_finding_ikm": {
        "id": "IKM {unit} {ikm}, mutu {grade} ({ref}).",
        "en": "The IKM of {unit} is {ikm}, grade {grade} ({ref})."},
    "s_finding_weakest": {
        "id": "Unsur dengan nilai terendah: {unsur} ({value}) ({ref}).",
        "en": "Lowest-scoring element: {unsur} ({value}) ({ref})."},
    "s_finding_access": {
        "id": "{pct} pengguna menilai fasilitas tidak ramah bagi kelompok rentan ({ref}).",
        "en": "{pct} of users rate the facilities as not friendly to special groups ({ref})."},
    "s_finding_priority": {
        "id": "Prioritas utama perbaikan (harapan tinggi, kinerja rendah): {items} ({ref}).",
        "en": "Top priority for improvement (high expectation, low performance): {items} ({ref})."},
    "s_finding_round": {
        "id": "IKM berubah {change} sejak putaran {prev} ({ci}, p {p}) ({ref}).",
        "en": "The IKM changed by {change} since round {prev} ({ci}, p {p}) ({ref})."},
    "s_finding_missing": {
        "id": "Komponen standar pelayanan yang belum ada: {items} ({ref}).",
        "en": "Service-standard components not in place: {items} ({ref})."},
    "rec_gap_special_group": {
        "id": "Sediakan loket prioritas dan pendampingan bagi kelompok rentan; ukur kembali selisihnya pada putaran berikutnya.",
        "en": "Provide a priority counter and assistance for special groups; measure the gap again next round."},
    "rec_gap_channel": {
        "id": "Umumkan tarif dan waktu resmi di loket dan daring agar warga tidak perlu calo; awasi pungutan di luar tarif.",
        "en": "Publish the official fees and timelines at the counter and online so that residents need no broker; watch for payments above the fee."},
    "rec_gap_other": {
        "id": "Telusuri penyebab selisih antar-kelompok ini bersama mitra komunitas.",
        "en": "Look into the cause of this gap between groups with the community partners."},
    "rec_priority": {
        "id": "Dahulukan perbaikan pada unsur di kuadran I: {items}.",
        "en": "Improve the quadrant I elements first: {items}."},
    "rec_access": {
        "id": "Lengkapi fasilitas ramah kelompok rentan (ramp, toilet aksesibel, kursi tunggu, loket prioritas).",
        "en": "Complete the facilities for special groups (ramp, accessible toilet, seating, priority counter)."},
    "rec_missing": {
        "id": "Penuhi komponen standar pelayanan yang belum ada (Permenpan RB 15/2014).",
        "en": "Put the missing service-standard components in place (Permenpan RB 15/2014)."},
    "rec_none": {
        "id": "Tidak ada rekomendasi yang didukung hasil signifikan; pertahankan pemantauan.",
        "en": "No recommendation is backed by a significant result; keep monitoring."},
}
"""Every user-facing text of the reports, by key, in ``"id"`` and ``"en"``."""

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
}
"""Figure numbers of the unit report (``sample`` .. ``rounds``) and of the city
overview (``ranking`` .. ``rounds_city``); findings cite figures by these."""

_GROUP_KEYS = {
    "special_group", "disability", "elderly", "pregnant", "with_child", "gender", "female",
    "male", "income_group", "low", "high", "channel", "broker", "in_person", "total",
    "rest_of_city",
}


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is ``"id"`` or ``"en"``; raise ``ValueError`` otherwise."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use 'id' (Bahasa Indonesia) or 'en' (English)")
    return lang


def label(key: str, lang: str = "id", **values) -> str:
    """Text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Raises ``KeyError`` (naming the key) when the table has no such text, so
    an untranslated heading fails loudly.
    """
    check_lang(lang)
    try:
        text = LABELS[key][lang]
    except KeyError:
        raise KeyError(f"no report label {key!r}; add it to clem_lib.report.LABELS in id and en") from None
    return text.format(**values) if values else text


def group_label(name: str, lang: str = "id") -> str:
    """Readable name of a group or group value (``special_group``, ``broker``, ...).

    Names without a label (e.g. a unit name) are returned unchanged.
    """
    key = str(name)
    if key in _GROUP_KEYS:
        return label(f"grp_{key}", lang)
    return key


def metric_label(metric: str, lang: str = "id", scheme=None) -> str:
    """Readable name of a metric of ``results.csv`` (``ikm``, ``nrr:waktu``, ``gap:sarana``...)."""
    m = str(metric)
    if ":" in m:
        head, _, key = m.partition(":")
        if head in {"nrr", "gap", "unsur", "ikm_unsur", "tk"}:
            return unsur_label(key, lang, scheme)
        m = key if f"m_{key}" in LABELS else m
    if f"m_{m}" in LABELS:
        return label(f"m_{m}", lang)
    return m.replace("_", " ")


def unsur_label(key: str, lang: str = "id", scheme=None) -> str:
    """Name of an unsur in ``lang`` from the IKM scheme (default Permenpan RB 14/2017)."""
    from .scoring import get_scheme

    s = get_scheme(scheme if scheme is not None else "permenpan14_2017")
    key = str(key).removeprefix("unsur_").removeprefix("harapan_")
    try:
        return s.label(key, lang)
    except KeyError:
        return key


# ---------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _half_up(value: float, decimals: int) -> Decimal:
    d = Decimal(repr(float(value))).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)
    return d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def fmt_number(value, decimals: int = 1, lang: str = "id", *, signed: bool = False,
               missing: str = "–") -> str:
    """Format a number for a reader: ``1.234,5`` in Indonesian, ``1,234.5`` in English.

    Rounds half up on the decimal representation (``76.605 -> 76,61``).
    ``signed`` puts a ``+`` before positive numbers (for gaps and changes).
    Missing values show ``missing`` (an en dash).
    """
    check_lang(lang)
    if _missing(value):
        return missing
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    d = _half_up(value, decimals)
    if d == 0:
        d = abs(d)  # no "-0,0"
    sign = "−" if d < 0 else ("+" if signed and d > 0 else "")
    text = f"{abs(d):,.{decimals}f}"  # 1,234.5
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return sign + text


def fmt_percent(value, decimals: int = 0, lang: str = "id", *, scale: float = 100.0,
                signed: bool = False, missing: str = "–") -> str:
    """Format a proportion (0..1 by default; ``scale=1`` for values already in %) as ``53%``."""
    if _missing(value):
        return missing
    return fmt_number(float(value) * scale, decimals, lang, signed=signed) + "%"


def fmt_rupiah(value, lang: str = "id", missing: str = "–") -> str:
    """Format rupiah without decimals: ``Rp 15.000`` (id) / ``Rp 15,000`` (en)."""
    if _missing(value):
        return missing
    return "Rp " + fmt_number(value, 0, lang)


def fmt_p(p, lang: str = "id", missing: str = "–") -> str:
    """Format a p-value: three decimals, ``< 0,001`` below that (never ``0,000``)."""
    if _missing(p):
        return missing
    p = float(p)
    if p < 0.001:
        return "< " + fmt_number(0.001, 3, lang)
    return fmt_number(p, 3, lang)


def fmt_interval(low, high, decimals: int = 1, lang: str = "id", *, percent: bool = False,
                 scale: float = 100.0, prefix: bool = True) -> str:
    """Format a 95% interval: ``IK 95% 74,1–79,8`` (id) / ``95% CI 74.1–79.8`` (en)."""
    if _missing(low) or _missing(high):
        body = "–"
    elif percent:
        body = f"{fmt_percent(low, decimals, lang, scale=scale)}–{fmt_percent(high, decimals, lang, scale=scale)}"
    elif float(low) < 0 or float(high) < 0:  # a dash between negative numbers reads as a minus
        to = " sampai " if lang == "id" else " to "
        body = fmt_number(low, decimals, lang) + to + fmt_number(high, decimals, lang)
    else:
        body = f"{fmt_number(low, decimals, lang)}–{fmt_number(high, decimals, lang)}"
    return f"{label('ci95', lang)} {body}" if prefix else body


# ---------------------------------------------------------------------------
# Small cells
# ---------------------------------------------------------------------------


def is_small(n, min_n: int = 5) -> bool:
    """True when a figure rests on fewer than ``min_n`` answers (missing n counts as small)."""
    if _missing(n):
        return True
    return int(n) < int(min_n)


def small_cell_text(min_n: int = 5, lang: str = "id") -> str:
    """What a suppressed cell shows: ``"n < 5"``."""
    return label("small_cell", lang, min_n=int(min_n))


def fmt_estimate(value, n, *, min_n: int = 5, lang: str = "id", kind: str = "number",
                 decimals: int | None = None) -> str:
    """Format one figure, or ``"n < 5"`` when ``n < min_n``.

    Parameters
    ----------
    value : float
        The figure.
    n : int
        Number of answers behind it.
    kind : {"number", "percent", "rupiah", "ikm"}
        ``percent`` expects a proportion 0..1; ``ikm`` uses two decimals.
    """
    if is_small(n, min_n):
        return small_cell_text(min_n, lang)
    if kind == "percent":
        return fmt_percent(value, 0 if decimals is None else decimals, lang)
    if kind == "rupiah":
        return fmt_rupiah(value, lang)
    if kind == "ikm":
        return fmt_number(value, 2 if decimals is None else decimals, lang)
    if kind == "number":
        return fmt_number(value, 1 if decimals is None else decimals, lang)
    raise ValueError(f"unknown kind {kind!r}; use 'number', 'percent', 'rupiah' or 'ikm'")


def suppress_table(df: pd.DataFrame, *, n_column: str = "n", value_columns: Sequence[str],
                   min_n: int = 5, lang: str = "id") -> pd.DataFrame:
    """Replace the values of rows resting on fewer than ``min_n`` answers by ``"n < 5"``.

    Parameters
    ----------
    df : DataFrame
        Any table with a count column.
    n_column : str
        Column holding the number of answers behind each row.
    value_columns : sequence of str
        Columns to blank in small rows (the count itself stays).

    Returns
    -------
    DataFrame
        A copy; ``value_columns`` become object columns holding the original
        values or the suppression text.
    """
    if n_column not in df.columns:
        raise ValueError(f"suppress_table: no count column {n_column!r}; pass n_column=")
    out = df.copy()
    small = out[n_column].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
    text = small_cell_text(min_n, lang)
    for col in value_columns:
        if col not in out.columns:
            raise ValueError(f"suppress_table: no column {col!r} to suppress")
        values = out[col].astype(object).to_numpy(copy=True)
        values[small] = text
        out[col] = pd.Series(values, index=out.index, dtype=object)
    return out


# ---------------------------------------------------------------------------
# Escaping and tables
# ---------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~])")


def escape_text(text, *, markdown: bool = False) -> str:
    """Show respondent text as text: HTML entities for ``< > & " '``.

    With ``markdown=True`` Markdown punctuation is also backslash-escaped, for
    text placed inside a Markdown output. Missing values become ``""``.
    """
    if _missing(text):
        return ""
    s = html.escape(str(text), quote=True)
    if markdown:
        s = _MD_SPECIAL.sub(r"\\\1", s)
    return " ".join(s.split())


@dataclass(frozen=True)
class ReportTable:
    """A formatted table for a report cell: every cell already text, every cell escaped.

    Displayed as an HTML ``<table>`` (``_repr_html_``) in notebooks and the
    rendered report, and as aligned plain text elsewhere (``__repr__``), which
    is what nbval compares.
    """

    frame: pd.DataFrame
    caption: str = ""

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape_text(c)}</th>" for c in self.frame.columns)
        rows = []
        for rec in self.frame.itertuples(index=False, name=None):
            cells = "".join(
                f'<td class="num">{escape_text(v)}</td>' if _numeric_text(v) else f"<td>{escape_text(v)}</td>"
                for v in rec
            )
            rows.append(f"<tr>{cells}</tr>")
        cap = f"<caption>{escape_text(self.caption)}</caption>" if self.caption else ""
        return (f'<table class="clem-table">{cap}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>")

    def __repr__(self) -> str:
        text = self.frame.to_string(index=False) if len(self.frame) else "(" + ", ".join(self.frame.columns) + ")"
        return (self.caption + "\n" + text) if self.caption else text


_NUMERIC_TEXT = re.compile(r"^[−+\-]?(Rp )?[\d.,]+%?$|^< [\d.,]+$|^n < \d+$|^–$")


def _numeric_text(value) -> bool:
    return bool(_NUMERIC_TEXT.match(str(value)))


def report_table(df: pd.DataFrame, columns: Mapping[str, str], *, lang: str = "id",
                 formats: Mapping[str, str] | None = None, n_column: str | None = "n",
                 suppress: Sequence[str] = (), min_n: int = 5, caption: str = "") -> ReportTable:
    """Turn a result table into a reader's table: chosen columns, translated headers,
    formatted numbers, small cells suppressed.

    Parameters
    ----------
    df : DataFrame
        A tidy result table (from scoring or stats).
    columns : mapping column -> label key
        Columns to show, in order, each with the :data:`LABELS` key of its header
        (a key missing from ``LABELS`` is used as the header text itself).
    formats : mapping column -> kind
        ``"number"``, ``"number0"``, ``"number2"``, ``"ikm"``, ``"percent"``,
        ``"percent1"``, ``"rupiah"``, ``"p"``, ``"signed"``, ``"signed2"``,
        ``"int"``, ``"text"`` (default: numbers with one decimal, text as is),
        ``"group"`` (group names translated), ``"unsur"`` (unsur keys translated),
        ``"metric"`` (metric names translated), ``"yesno"``.
    n_column : str or None
        Count column used for suppression.
    suppress : sequence of str
        Columns shown as ``"n < 5"`` in rows where ``n_column < min_n``.

    Returns
    -------
    ReportTable
    """
    check_lang(lang)
    formats = dict(formats or {})
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"report_table: no column(s) {', '.join(missing)} in the table")
    small = (df[n_column].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
             if (n_column and suppress) else np.zeros(len(df), dtype=bool))
    out = {}
    for col, key in columns.items():
        kind = formats.get(col)
        vals = [_format_cell(v, kind, lang) for v in df[col].tolist()]
        if col in suppress:
            vals = [small_cell_text(min_n, lang) if s else v for v, s in zip(vals, small)]
        header = label(key, lang) if key in LABELS else str(key)
        out[header] = vals
    return ReportTable(pd.DataFrame(out, dtype=object), caption=caption)


def _format_cell(v, kind, lang) -> str:
    if kind in (None, "number") and isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return fmt_number(v, 0, lang)
    if kind is None:
        if isinstance(v, (float, np.floating)):
            return fmt_number(v, 1, lang)
        if isinstance(v, (bool, np.bool_)):
            return label("yes" if v else "no", lang)
        return "–" if _missing(v) else str(v)
    if kind == "text":
        return "–" if _missing(v) else str(v)
    if kind == "group":
        return "–" if _missing(v) else group_label(v, lang)
    if kind == "unsur":
        return "–" if _missing(v) else unsur_label(v, lang)
    if kind == "metric":
        return "–" if _missing(v) else metric_label(v, lang)
    if kind == "sector":
        return "–" if _missing(v) else (label(f"sector_{v}", lang) if f"sector_{v}" in LABELS else str(v))
    if kind == "yesno":
        return "–" if _missing(v) else label("yes" if bool(v) else "no", lang)
    if kind == "int":
        return fmt_number(v, 0, lang)
    if kind.startswith("number"):
        return fmt_number(v, int(kind[6:] or 1), lang)
    if kind == "ikm":
        return fmt_number(v, 2, lang)
    if kind.startswith("percent"):
        return fmt_percent(v, int(kind[7:] or 0), lang)
    if kind == "pct":  # already in percent
        return fmt_percent(v, 0, lang, scale=1.0)
    if kind == "rupiah":
        return fmt_rupiah(v, lang)
    if kind == "p":
        return fmt_p(v, lang)
    if kind.startswith("signed"):
        return fmt_number(v, int(kind[6:] or 1), lang, signed=True)
    raise ValueError(f"unknown cell format {kind!r}")


# ---------------------------------------------------------------------------
# Headings and captions
# ---------------------------------------------------------------------------


def heading(key: str, lang: str = "id", *, level: int = 2, number: int | None = None, **values) -> str:
    """A Markdown heading in ``lang``: ``## 3. IKM per unsur pelayanan``."""
    text = label(key, lang, **values)
    prefix = f"{number}. " if number is not None else ""
    return f"{'#' * level} {prefix}{escape_text(text)}"


def figure_ref(key: str, lang: str = "id") -> str:
    """``Gambar 4`` / ``Figure 4`` for a figure key of :data:`FIGURES`."""
    return f"{label('figure', lang)} {FIGURES[key]}"


def figure_caption(key: str, lang: str = "id", *, n: int | None = None, note: str = "") -> str:
    """Caption of a figure: ``**Gambar 4.** <text> n = 120.`` (Markdown)."""
    text = label(f"fig_{key}", lang)
    tail = f" n = {fmt_number(n, 0, lang)}." if n is not None else ""
    extra = f" {escape_text(note)}" if note else ""
    return f"**{figure_ref(key, lang)}.** {escape_text(text)}{tail}{extra}"


# ---------------------------------------------------------------------------
# Parameters and data access
# ---------------------------------------------------------------------------


def resolve_unit(unit: str, units: pd.DataFrame) -> str:
    """Canonical unit name for ``unit`` (name, slug or alias, any case).

    Raises
    ------
    ClemInputError
        When nothing matches: one line naming the closest units.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise ClemInputError("parameter 'unit' is empty", fix="give a unit name such as 'Kec. Serengan'")
    want = " ".join(unit.split()).casefold()
    candidates: dict[str, str] = {}
    for rec in units.to_dict("records"):
        name = str(rec["name"])
        keys = [name, str(rec.get("slug", ""))]
        aliases = rec.get("aliases")
        if isinstance(aliases, (list, tuple, np.ndarray)):
            keys.extend(str(a) for a in aliases)
        elif isinstance(aliases, str) and aliases:
            keys.extend(a.strip() for a in aliases.split(";"))
        for k in keys:
            if k:
                candidates[" ".join(k.split()).casefold()] = name
    if want in candidates:
        return candidates[want]
    names = [str(n) for n in units["name"]]
    close = difflib.get_close_matches(want, list(candidates), n=6, cutoff=0.5)
    close_names = list(dict.fromkeys(candidates[c] for c in close))[:3]
    hint = ("did you mean " + " or ".join(repr(c) for c in close_names)) if close_names else \
        "known units: " + ", ".join(repr(n) for n in names)
    raise ClemInputError(f"unknown unit {unit!r}", column="unit", fix=hint)


def validate_report_params(*, unit: str | None = None, units: pd.DataFrame, lang: str = "id",
                           alpha: float = 0.05, min_n: int = 5, round: int = 0,
                           seed: int = 20130924) -> dict:
    """Check a report's parameters; return them with the unit made canonical.

    Raises
    ------
    ClemInputError
        One line per problem: unknown unit (naming the close ones), language
        other than ``id``/``en``, ``alpha`` outside (0, 0.5], ``min_n`` < 1,
        ``round`` < 0, negative ``seed``.
    """
    if lang not in LANGS:
        raise ClemInputError(f"unknown language {lang!r}", column="lang", fix="use 'id' or 'en'")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not (0 < float(alpha) <= 0.5):
        raise ClemInputError(f"alpha {alpha!r} is not in (0, 0.5]", column="alpha", fix="use e.g. 0.05")
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or int(min_n) < 1:
        raise ClemInputError(f"min_n {min_n!r} is not a whole number >= 1", column="min_n", fix="use e.g. 5")
    if isinstance(round, bool) or not isinstance(round, (int, np.integer)) or int(round) < 0:
        raise ClemInputError(f"round {round!r} is not a whole number >= 0", column="round",
                             fix="use 0 for the latest round, or 1, 2, ...")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) < 0:
        raise ClemInputError(f"seed {seed!r} is not a whole number >= 0", column="seed", fix="use e.g. 20130924")
    out = {"lang": lang, "alpha": float(alpha), "min_n": int(min_n), "round": int(round), "seed": int(seed)}
    if unit is not None:
        out["unit"] = resolve_unit(unit, units)
    return out


def read_unit_slice(data_path, unit: str | None = None, *, columns: Sequence[str] | None = None,
                    rounds: Iterable[int] | None = None) -> pd.DataFrame:
    """Read only what a report needs from the cleaned parquet.

    Parameters
    ----------
    data_path : path
        ``cleaned.parquet`` written by the cleaning step.
    unit : str or None
        Canonical unit name; only its rows are read (a pyarrow row filter, so
        row groups of other units are skipped). ``None`` reads every unit.
    columns : sequence of str or None
        Read only these columns (``None`` = all).
    rounds : iterable of int or None
        Keep only these rounds.

    Returns
    -------
    DataFrame
        The cleaned-table slice with its nullable dtypes, rows in file order.
    """
    import pyarrow.parquet as pq

    path = Path(data_path)
    if not path.is_file():
        raise ClemInputError("cleaned data not found", file=path,
                             fix="run `clem clean` first or give data_path=''")
    filters = []
    if unit is not None:
        filters.append(("unit", "==", unit))
    if rounds is not None:
        filters.append(("round", "in", [int(r) for r in rounds]))
    table = pq.read_table(path, columns=list(columns) if columns is not None else None,
                          filters=filters or None)
    df = table.to_pandas(types_mapper=_nullable_type)
    return df.reset_index(drop=True)


def _nullable_type(pa_type):
    import pyarrow as pa

    mapping = {
        pa.int8(): pd.Int64Dtype(), pa.int16(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype(),
        pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.float64(): pd.Float64Dtype(),
        pa.float32(): pd.Float64Dtype(), pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
    }
    return mapping.get(pa_type)


# ---------------------------------------------------------------------------
# Results rows
# ---------------------------------------------------------------------------


def _num(v):
    return np.nan if _missing(v) else float(v)


def results_row(*, unit="", sector="", group="", metric: str, estimate=None, ci_low=None,
                ci_high=None, n=None, statistic=None, p_value=None, p_adjusted=None,
                method: str = "", min_n: int = 5) -> dict:
    """One row of ``results.csv``; the estimate and test are left empty when ``n < min_n``.

    ``n`` is the number of answers behind the figure (for a two-group test the
    smaller group decides suppression; pass ``n`` as the total and the caller
    suppresses with ``min_n`` on the smaller group).
    """
    row = {
        "unit": "" if _missing(unit) else str(unit),
        "sector": "" if _missing(sector) else str(sector),
        "group": "" if _missing(group) else str(group),
        "metric": str(metric),
        "estimate": _num(estimate), "ci_low": _num(ci_low), "ci_high": _num(ci_high),
        "n": pd.NA if _missing(n) else int(n),
        "statistic": _num(statistic), "p_value": _num(p_value), "p_adjusted": _num(p_adjusted),
        "method": str(method or ""),
    }
    if n is not None and not _missing(n) and is_small(n, min_n):
        for k in ("estimate", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted"):
            row[k] = np.nan
        row["method"] = (row["method"] + "; " if row["method"] else "") + f"suppressed: n < {int(min_n)}"
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
    df = pd.DataFrame(list(rows), columns=list(_RESULTS_COLUMNS))
    for c in ("unit", "sector", "group", "metric", "method"):
        df[c] = df[c].fillna("").astype("string")
    for c in ("estimate", "ci_low", "ci_high", "statistic", "p_value", "p_adjusted"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Float64")
    df["n"] = pd.to_numeric(df["n"], errors="coerce").astype("Int64")
    return df.reset_index(drop=True)


# ---------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------


def sentence_ikm(unit: str, *, ikm, ci_low, ci_high, n, grade: str, min_n: int = 5,
                 lang: str = "id") -> str:
    """``Kec. Serengan: 120 responden. IKM 78,40 (IK 95% 76,10–80,60), mutu B (Baik).``"""
    if is_small(n, min_n) or _missing(ikm):
        return label("s_ikm_small", lang, unit=escape_text(unit), n=fmt_number(n or 0, 0, lang),
                     small=small_cell_text(min_n, lang))
    return label("s_ikm", lang, unit=escape_text(unit), n=fmt_number(n, 0, lang),
                 ikm=fmt_number(ikm, 2, lang), ci=fmt_interval(ci_low, ci_high, 2, lang),
                 grade=escape_text(grade))


def sentence_accessibility(*, pct, ci_low, ci_high, n, min_n: int = 5, lang: str = "id") -> str:
    """``53% pengguna menyatakan fasilitas tidak ramah ... (IK 95% 44%–62%; n = 120).``

    ``pct`` and the interval are proportions (0..1).
    """
    if is_small(n, min_n) or _missing(pct):
        return label("s_access_small", lang, small=small_cell_text(min_n, lang))
    text = label("s_access", lang, pct=fmt_percent(pct, 0, lang),
                 ci=fmt_interval(ci_low, ci_high, 0, lang, percent=True), n=fmt_number(n, 0, lang))
    return text[0].upper() + text[1:]


def _value_text(value, metric: str, lang: str) -> str:
    m = str(metric)
    if m.startswith("pct_"):
        return fmt_percent(value, 0, lang)
    if "cost" in m or "amount" in m or "fee" in m:
        return fmt_rupiah(value, lang)
    return fmt_number(value, 2 if (m.startswith(("nrr", "unsur", "gap:")) or m in {"overall_satisfaction"}) else 1, lang)


def _gap_text(value, metric: str, lang: str, signed: bool = True, unit: bool = True) -> str:
    m = str(metric)
    if m.startswith("pct_"):
        pp = " poin persen" if lang == "id" else " percentage points"
        return fmt_number(float(value) * 100, 0, lang, signed=signed) + (pp if unit else "")
    if "cost" in m or "amount" in m or "fee" in m:
        sign = "+" if signed and float(value) > 0 else ("−" if float(value) < 0 else "")
        return sign + (fmt_rupiah(abs(float(value)), lang) if unit else fmt_number(abs(float(value)), 0, lang))
    return fmt_number(value, 2, lang, signed=signed)


def sentence_gap(row: Mapping, *, lang: str = "id", min_n: int = 5, scheme=None) -> str:
    """One sentence for one gap test row (a row of a stats gap table).

    Uses ``metric``, ``gap``, ``ci_low``, ``ci_high``, ``p_adjusted`` (or
    ``p_value``), ``n1``, ``n2`` and, when present, ``group``, ``level1``,
    ``level2``, ``mean1``, ``mean2``. When either group has fewer than
    ``min_n`` answers the numbers are replaced by ``"n < 5"``.
    """
    metric = str(row.get("metric", ""))
    mname = metric_label(metric, lang, scheme)
    small = is_small(row.get("n1"), min_n) or is_small(row.get("n2"), min_n)
    p = row.get("p_adjusted")
    p = row.get("p_value") if _missing(p) else p
    level1, level2 = row.get("level1"), row.get("level2")
    if small:
        st = small_cell_text(min_n, lang)
        gap = ci = pt = st
    else:
        gap = _gap_text(row["gap"], metric, lang)
        ci = label("ci95", lang) + " " + _gap_text(row["ci_low"], metric, lang, unit=False) + \
            (" sampai " if lang == "id" else " to ") + _gap_text(row["ci_high"], metric, lang, unit=False)
        pt = fmt_p(p, lang)
    if not _missing(level1) and not _missing(level2) and "mean1" in row and "mean2" in row:
        v1 = small_cell_text(min_n, lang) if is_small(row.get("n1"), min_n) else _value_text(row["mean1"], metric, lang)
        v2 = small_cell_text(min_n, lang) if is_small(row.get("n2"), min_n) else _value_text(row["mean2"], metric, lang)
        return label("s_gap", lang, metric=escape_text(mname), group1=escape_text(group_label(level1, lang)),
                     v1=v1, group2=escape_text(group_label(level2, lang)), v2=v2, gap=gap, ci=ci, p=pt)
    comparison = row.get("group", "")
    return label("s_gap_nogroups", lang, metric=escape_text(mname),
                 comparison=escape_text(_comparison_text(comparison, lang)), gap=gap, ci=ci, p=pt)


def _comparison_text(group, lang: str) -> str:
    g = "" if _missing(group) else str(group)
    if " vs " in g:
        a, _, b = g.partition(" vs ")
        return f"{group_label(a.strip(), lang)} vs {group_label(b.strip(), lang)}"
    return group_label(g, lang)


def _significant(gaps: pd.DataFrame, alpha: float, min_n: int) -> pd.DataFrame:
    if gaps is None or len(gaps) == 0:
        return pd.DataFrame()
    p = gaps["p_adjusted"] if "p_adjusted" in gaps.columns else gaps["p_value"]
    keep = pd.to_numeric(p, errors="coerce").astype(float).to_numpy() < alpha
    if "n1" in gaps.columns and "n2" in gaps.columns:
        keep &= ~gaps["n1"].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
        keep &= ~gaps["n2"].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)
    sig = gaps.loc[keep].copy()
    es = "effect_size" if "effect_size" in sig.columns else "gap"
    sig["_size"] = pd.to_numeric(sig[es], errors="coerce").astype(float).abs()
    sort_cols = ["_size"] + [c for c in ("metric", "group") if c in sig.columns]
    asc = [False] + [True] * (len(sort_cols) - 1)
    return sig.sort_values(sort_cols, ascending=asc, kind="mergesort").drop(columns="_size")


def headline_text(unit: str, *, ikm_row: Mapping, grade: str, access_row: Mapping | None,
                  gaps: pd.DataFrame | None, alpha: float = 0.05, min_n: int = 5,
                  lang: str = "id", k: int = 3, scheme=None) -> str:
    """The headline paragraph of a unit report (Markdown).

    Parameters
    ----------
    ikm_row : mapping
        ``ikm, ci_low, ci_high, n`` of the unit (one row of ``scoring.ikm``).
    grade : str
        Grade text, e.g. ``"B (Baik)"``.
    access_row : mapping or None
        ``pct_not_friendly, ci_low, ci_high, n`` (proportions 0..1).
    gaps : DataFrame or None
        Gap tests of the unit (``stats.gap_report``); the ``k`` largest
        significant ones (Holm-adjusted ``p < alpha``, both groups ``>= min_n``,
        ordered by absolute effect size) are listed.
    """
    parts = [sentence_ikm(unit, ikm=ikm_row.get("ikm"), ci_low=ikm_row.get("ci_low"),
                          ci_high=ikm_row.get("ci_high"), n=ikm_row.get("n"), grade=grade,
                          min_n=min_n, lang=lang)]
    if access_row is not None:
        parts.append(sentence_accessibility(pct=access_row.get("pct_not_friendly"),
                                            ci_low=access_row.get("ci_low"), ci_high=access_row.get("ci_high"),
                                            n=access_row.get("n"), min_n=min_n, lang=lang))
    text = " ".join(parts)
    sig = _significant(gaps, alpha, min_n)
    if len(sig) == 0:
        return text + "\n\n" + label("s_no_gaps", lang, alpha=fmt_number(alpha, 2, lang))
    lines = [f"- {sentence_gap(r, lang=lang, min_n=min_n, scheme=scheme)} ({figure_ref('forest', lang)})"
             for r in sig.head(k).to_dict("records")]
    return text + "\n\n" + label("s_top_gaps", lang) + "\n\n" + "\n".join(lines)


def findings_text(unit: str, *, ikm_row: Mapping, grade: str, nrr: pd.DataFrame | None = None,
                  access_row: Mapping | None = None, access_p: float | None = None,
                  gaps: pd.DataFrame | None = None, ipa: pd.DataFrame | None = None,
                  round_change: Mapping | None = None, missing_items: Sequence[str] = (),
                  alpha: float = 0.05, min_n: int = 5, lang: str = "id", scheme=None) -> str:
    """Findings of a unit report, from the significant results only, each citing its figure.

    A statement enters only when it rests on ``>= min_n`` answers and, for a
    comparison, when its Holm-adjusted p-value is below ``alpha``. The IKM and
    its grade are always stated (a point estimate, not a comparison); the
    weakest unsur only when its interval lies wholly below the unit's IKM;
    accessibility only when ``access_p`` (test against the target) is below
    ``alpha``; IPA quadrant I elements only when their expectation gap is
    significant (column ``p_adjusted`` of ``ipa`` when present).

    Returns
    -------
    str
        A Markdown numbered list.
    """
    items = []
    if not is_small(ikm_row.get("n"), min_n) and not _missing(ikm_row.get("ikm")):
        items.append(label("s_finding_ikm", lang, unit=escape_text(unit), ikm=fmt_number(ikm_row["ikm"], 2, lang),
                           grade=escape_text(grade), ref=figure_ref("ikm_elements", lang)))
    if nrr is not None and len(nrr) and {"ikm_unsur", "ci_high", "n"} <= set(nrr.columns):
        ok = nrr[~nrr["n"].map(lambda v: is_small(v, min_n)).to_numpy(dtype=bool)]
        ok = ok[pd.to_numeric(ok["ci_high"], errors="coerce").astype(float) < float(ikm_row.get("ikm", np.nan))]
        if len(ok):
            w = ok.sort_values(["ikm_unsur", "unsur"], kind="mergesort").iloc[0]
            items.append(label("s_finding_weakest", lang, unsur=escape_text(unsur_label(w["unsur"], lang, scheme)),
                               value=fmt_number(w["ikm_unsur"], 2, lang), ref=figure_ref("ikm_elements", lang)))
    if access_row is not None and access_p is not None and not _missing(access_p) and float(access_p) < alpha \
            and not is_small(access_row.get("n"), min_n):
        items.append(label("s_finding_access", lang, pct=fmt_percent(access_row["pct_not_friendly"], 0, lang),
                           ref=label("sec_headline", lang)))
    sig = _significant(gaps, alpha, min_n)
    for r in sig.to_dict("records"):
        ref = figure_ref("broker", lang) if str(r.get("group", "")).startswith("channel") or \
            "broker" in str(r.get("group", "")) else figure_ref("forest", lang)
        reading = r.get(f"reading_{lang}")
        reading = escape_text(reading) if not _missing(reading) and str(reading) else \
            sentence_gap(r, lang=lang, min_n=min_n, scheme=scheme).rstrip(".")
        items.append(label("s_finding_gap", lang, reading=reading.rstrip("."), ref=ref))
    prio = _priority_items(ipa, alpha, lang, scheme)
    if prio:
        items.append(label("s_finding_priority", lang, items=prio, ref=figure_ref("ipa", lang)))
    if round_change is not None and not _missing(round_change.get("p_value")) \
            and float(round_change.get("p_value")) < alpha:
        items.append(label("s_finding_round", lang, change=fmt_number(round_change["gap"], 2, lang, signed=True),
                           prev=int(round_change["previous_round"]),
                           ci=fmt_interval(round_change["ci_low"], round_change["ci_high"], 2, lang),
                           p=fmt_p(round_change["p_value"], lang), ref=figure_ref("rounds", lang)))
    if missing_items:
        items.append(label("s_finding_missing", lang, items=escape_text("; ".join(missing_items)),
                           ref=label("sec_checklist", lang)))
    if not items:
        return label("s_no_findings", lang, alpha=fmt_number(alpha, 2, lang))
    return "\n".join(f"{i}. {t}" for i, t in enumerate(items, 1))


def _priority_items(ipa: pd.DataFrame | None, alpha: float, lang: str, scheme) -> str:
    if ipa is None or len(ipa) == 0 or "quadrant" not in ipa.columns:
        return ""
    q = ipa[ipa["quadrant"].astype(str) == "I"]
    if "p_adjusted" in q.columns:
        q = q[pd.to_numeric(q["p_adjusted"], errors="coerce").astype(float) < alpha]
    keys = sorted(str(u) for u in q["unsur"])
    return ", ".join(escape_text(unsur_label(k, lang, scheme)) for k in keys)


def recommendations_text(*, gaps: pd.DataFrame | None = None, ipa: pd.DataFrame | None = None,
                         access_significant: bool = False, missing_items: Sequence[str] = (),
                         alpha: float = 0.05, min_n: int = 5, lang: str = "id", scheme=None) -> str:
    """Recommendations, one per kind of significant finding (Markdown bullet list)."""
    recs = []
    sig = _significant(gaps, alpha, min_n)
    kinds = []
    for g in sig.get("group", pd.Series(dtype=str)).astype(str):
        if "channel" in g or "broker" in g:
            kinds.append("channel")
        elif any(k in g for k in ("special_group", "disability", "elderly", "pregnant", "with_child")):
            kinds.append("special_group")
        else:
            kinds.append("other")
    for kind in ("special_group", "channel", "other"):
        if kind in kinds:
            recs.append(label(f"rec_gap_{kind}", lang))
    prio = _priority_items(ipa, alpha, lang, scheme)
    if prio:
        recs.append(label("rec_priority", lang, items=prio))
    if access_significant:
        recs.append(label("rec_access", lang))
    if missing_items:
        recs.append(label("rec_missing", lang))
    if not recs:
        return label("rec_none", lang)
    return "\n".join(f"- {r}" for r in recs)


def methods_text(*, scheme_reference: str, alpha: float, min_n: int, n_boot: int | None,
                 seed: int, weighted: bool, lang: str = "id") -> str:
    """Methods and caveats paragraph (Markdown), in ``lang``."""
    a = fmt_number(alpha, 2, lang)
    if lang == "id":
        lines = [
            f"- **IKM** dihitung menurut {escape_text(scheme_reference)}: NRR per unsur = jumlah nilai / jumlah jawaban; "
            "IKM = 25 × Σ NRR × 1/k. Mutu dibaca dari IKM yang dibulatkan dua desimal.",
            f"- **Interval** IKM: bootstrap persentil ({fmt_number(n_boot or 0, 0, lang)} ulangan, seed {seed}). "
            "Persentase: interval Wilson; selisih persentase: Newcombe.",
            "- **Uji kesenjangan**: dua kelompok dengan Mann–Whitney (skor ordinal 1–4) atau Welch (biaya, waktu), "
            f"proporsi dengan uji z / Fisher; p dikoreksi Holm dalam setiap keluarga uji; signifikan bila p Holm < {a}.",
            f"- **Sel kecil**: angka dari kurang dari {min_n} jawaban tidak ditampilkan (\u201cn < {min_n}\u201d), "
            "baik di tabel, grafik maupun kalimat.",
            "- **Bobot**: " + ("hasil diboboti dengan bobot sampling." if weighted else
                               "tanpa bobot sampling: setiap responden dihitung sama; sampel bukan acak murni, "
                               "jadi hasil menggambarkan pengguna yang ditemui, bukan seluruh penduduk."),
            "- Temuan hanya ditulis dari hasil yang signifikan; selisih yang tidak signifikan tidak ditafsirkan.",
        ]
    else:
        lines = [
            f"- **IKM** follows {escape_text(scheme_reference)}: NRR per element = sum of scores / number of answers; "
            "IKM = 25 × Σ NRR × 1/k. The grade is read from the IKM rounded to two decimals.",
            f"- **Interval** of the IKM: percentile bootstrap ({fmt_number(n_boot or 0, 0, lang)} resamples, seed {seed}). "
            "Percentages: Wilson interval; differences of percentages: Newcombe.",
            "- **Gap tests**: two groups with Mann–Whitney (ordinal 1–4 scores) or Welch (cost, time), "
            f"proportions with a z / Fisher test; p adjusted by Holm within each family; significant when Holm p < {a}.",
            f"- **Small cells**: a figure from fewer than {min_n} answers is not shown (\u201cn < {min_n}\u201d) "
            "in tables, charts and sentences.",
            "- **Weights**: " + ("results use the sampling weights." if weighted else
                                 "no sampling weights: every respondent counts the same; the sample is not a "
                                 "simple random sample, so results describe the users met, not the whole population."),
            "- Findings are written from significant results only; non-significant differences are not interpreted.",
        ]
    return "\n".join(lines)
