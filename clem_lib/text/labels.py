"""Every word a report says, by key, in Bahasa Indonesia (``"id"``) and English (``"en"``).

:func:`label` raises on an unknown key, so a missing translation fails a test
instead of showing a key to a reader. The ``*_label`` helpers name groups,
metrics, cleaning rules, checklist items and unsur in the reader's language.
"""

from __future__ import annotations

from typing import Mapping

from ..codebook import normalize_label
from ..scoring import get_scheme

__all__ = [
    "LANGS",
    "LABELS",
    "check_lang",
    "label",
    "group_label",
    "metric_label",
    "rule_label",
    "checklist_category_label",
    "checklist_component_label",
    "component_list",
    "CHECKLIST_COMPONENTS_EN",
    "unsur_label",
]

LANGS = ("id", "en")

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
    "sec_groups_users": {"id": "Kesenjangan antar-kelompok pengguna", "en": "Gaps between groups of users"},
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
    "sec_city": {"id": "Angka tingkat kota", "en": "City-wide figures"},
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
    "col_missing": {"id": "Belum ada", "en": "Missing"},
    "col_detail": {"id": "Rincian", "en": "Detail"},
    "col_rule": {"id": "Aturan pembersihan", "en": "Cleaning rule"},
    "col_count": {"id": "Jumlah", "en": "Count"},
    "col_rule_code": {"id": "Kode (cleaning_log.csv)", "en": "Code (cleaning_log.csv)"},
    "col_components": {"id": "Komponen", "en": "Components"},
    "col_ikm_previous": {"id": "IKM putaran sebelumnya", "en": "IKM, previous round"},
    "col_ikm_latest": {"id": "IKM putaran terakhir", "en": "IKM, latest round"},
    # categories of the service-standard checklist (Permenpan RB 15/2014)
    "chk_penyampaian": {"id": "Penyampaian pelayanan", "en": "Service delivery"},
    "chk_pengelolaan": {"id": "Pengelolaan pelayanan", "en": "Service management"},
    "chk_aksesibilitas": {"id": "Aksesibilitas", "en": "Accessibility"},
    # cleaning rules (clem_lib.cleaning.RULES) as readers see them
    "rule_consent_refused": {"id": "Wawancara tanpa persetujuan (dihapus)",
                             "en": "Interview without consent (removed)"},
    "rule_duplicate_uuid": {"id": "Wawancara ganda dengan ID sama (dihapus)",
                            "en": "Duplicate interview, same ID (removed)"},
    "rule_duplicate_answers": {"id": "Wawancara ganda dengan jawaban sama (dihapus)",
                               "en": "Duplicate interview, same answers (removed)"},
    "rule_alias": {"id": "Penulisan jawaban diseragamkan", "en": "Answer spelling standardised"},
    "rule_missing_code": {"id": "Kode \u201ctidak tahu / tidak menjawab\u201d dijadikan kosong",
                          "en": "\u201cDon't know / no answer\u201d code set to missing"},
    "rule_unmatched_label": {"id": "Jawaban tidak dikenali, dikosongkan",
                             "en": "Unrecognised answer, set to missing"},
    "rule_out_of_range": {"id": "Nilai di luar rentang, dikosongkan", "en": "Value out of range, set to missing"},
    "rule_not_a_number": {"id": "Bukan angka, dikosongkan", "en": "Not a number, set to missing"},
    "rule_bad_date": {"id": "Tanggal tidak terbaca, dikosongkan", "en": "Unreadable date, set to missing"},
    "rule_future_date": {"id": "Tanggal di masa depan, dikosongkan", "en": "Date in the future, set to missing"},
    "rule_unit_alias": {"id": "Nama unit diseragamkan", "en": "Unit name standardised"},
    "rule_sector_not_at_unit": {"id": "Sektor tidak dilayani unit ini, dikosongkan",
                                "en": "Sector not served by this unit, set to missing"},
    "rule_skip_logic": {"id": "Jawaban pertanyaan yang seharusnya dilewati, dikosongkan",
                        "en": "Answer to a question that should have been skipped, set to missing"},
    "rule_pii_dropped": {"id": "Kolom data pribadi dihapus", "en": "Personal-data column removed"},
    "rule_pii_hashed": {"id": "Data pribadi disamarkan (hash)", "en": "Personal data pseudonymised (hash)"},
    "rule_pii_free_text": {"id": "Data pribadi dihapus dari teks saran",
                           "en": "Personal data removed from free text"},
    "col_conformity": {"id": "Tingkat kesesuaian (%)", "en": "Conformity (%)"},
    "col_quadrant": {"id": "Kuadran", "en": "Quadrant"},
    "col_performance": {"id": "Kinerja (X, 1–4)", "en": "Performance (X, 1–4)"},
    "col_importance": {"id": "Harapan (Y, 1–4)", "en": "Expectation (Y, 1–4)"},
    "col_change": {"id": "Perubahan", "en": "Change"},
    "col_compliance": {"id": "Kepatuhan standar (%)", "en": "Standard compliance (%)"},
    "col_not_friendly": {"id": "Fasilitas tidak ramah (%)", "en": "Facilities not friendly (%)"},
    "col_effect": {"id": "Ukuran efek", "en": "Effect size"},
    "col_ci_gap": {"id": "IK 95% (tanpa koreksi)", "en": "95% CI (unadjusted)"},
    "col_design": {"id": "Berbasis desain", "en": "Design-based"},
    "col_unweighted": {"id": "Tanpa bobot", "en": "Unweighted"},
    "col_ci_design": {"id": "IK 95% (desain)", "en": "95% CI (design)"},
    "col_ci_unweighted": {"id": "IK 95% (tanpa bobot)", "en": "95% CI (unweighted)"},
    "col_figure": {"id": "Angka", "en": "Figure"},
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
    "m_median_extra_amount": {"id": "Median pungutan tambahan (Rp)", "en": "Median extra payment (Rp)"},
    "m_pct_dissatisfied": {"id": "Tidak puas (%)", "en": "Dissatisfied (%)"},
    "m_mean_extra_amount": {"id": "Rata-rata pungutan tambahan (Rp)", "en": "Mean extra payment (Rp)"},
    "m_cost_paid": {"id": "Biaya yang dibayar (Rp)", "en": "Cost paid (Rp)"},
    "m_mean_cost_paid": {"id": "Rata-rata biaya yang dibayar (Rp)", "en": "Mean cost paid (Rp)"},
    "m_days_to_complete": {"id": "Lama penyelesaian (hari)", "en": "Days to complete"},
    "m_mean_days_to_complete": {"id": "Rata-rata lama penyelesaian (hari)", "en": "Mean days to complete"},
    "m_wait_minutes": {"id": "Waktu tunggu (menit)", "en": "Waiting time (minutes)"},
    "m_mean_wait_minutes": {"id": "Rata-rata waktu tunggu (menit)", "en": "Mean waiting time (minutes)"},
    "m_pct_over_standard": {"id": "Melebihi waktu standar (%)", "en": "Took longer than the standard (%)"},
    "m_pct_broker": {"id": "Melalui calo/biro jasa (%)", "en": "Through a broker (%)"},
    "m_pct_cost_above_fee": {"id": "Biaya di atas tarif resmi (%)", "en": "Cost above the official fee (%)"},
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
    "fig_sample_sector": {
        "id": "Responden per sektor.",
        "en": "Respondents per sector."},
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
    "s_city_design": {
        "id": "Angka tingkat {place} di bawah ini berbasis desain: setiap unit adalah strata yang disampel "
              "sendiri, responden unit h mewakili N_h/n_h pengguna (N_h = pengguna per bulan), dengan koreksi "
              "populasi terhingga. Fraksi sampling unit berkisar {fmin}–{fmax}, sehingga angka tanpa bobot "
              "(ditampilkan di sampingnya sebagai pembanding) memberi bobot berlebih pada unit yang banyak "
              "disampel.",
        "en": "The {place}-wide figures below are design-based: each unit is a stratum sampled on its own, the "
              "respondents of unit h stand for N_h/n_h users (N_h = users per month), with a finite-population "
              "correction. The units' sampling fractions range from {fmin} to {fmax}, so the unweighted figure "
              "(shown beside it for comparison) gives too much weight to the units sampled most heavily."},
    "s_city_none": {
        "id": "Angka tingkat {place} di bawah ini tanpa bobot sampling (dipilih dengan city_weights = none): "
              "semua responden dihitung seolah-olah satu sampel acak sederhana.",
        "en": "The {place}-wide figures below are unweighted (chosen with city_weights = none): all respondents "
              "are counted as if they were one simple random sample."},
    "s_city_missing": {
        "id": "Angka tingkat {place} di bawah ini tanpa bobot sampling: angka berbasis desain memerlukan jumlah "
              "pengguna per bulan setiap unit, dan berkas unit tidak memuatnya untuk {units}. Semua responden "
              "dihitung seolah-olah satu sampel acak sederhana.",
        "en": "The {place}-wide figures below are unweighted: design-based figures need the users per month of "
              "every unit, and the units file lacks them for {units}. All respondents are counted as if they "
              "were one simple random sample."},
    "s_city_ikm": {
        "id": "IKM kota {ikm} ({ci}), mutu {grade}; n = {n}.",
        "en": "City IKM {ikm} ({ci}), grade {grade}; n = {n}."},
    "s_special_city": {
        "id": "Kelompok rentan vs lainnya, fasilitas tidak ramah ({how}): {v1} vs {v2}; selisih {gap} "
              "({ci}; {test} p {p}).",
        "en": "Special groups vs others, facilities not friendly ({how}): {v1} vs {v2}; gap {gap} "
              "({ci}; {test} p {p})."},
    "s_special_city_sig": {
        "id": "Di tingkat kota, pengguna kelompok rentan {more} menyatakan fasilitas tidak ramah daripada "
              "pengguna lain.",
        "en": "City-wide, special-group users {more} say the facilities are not friendly than other users."},
    "more_often": {"id": "lebih sering", "en": "more often"},
    "less_often": {"id": "lebih jarang", "en": "less often"},
    "s_special_city_ns": {
        "id": "Di tingkat kota, tidak ada perbedaan bermakna antara kelompok rentan dan pengguna lain dalam "
              "menilai fasilitas tidak ramah.",
        "en": "City-wide, special-group users and other users do not differ significantly in saying the "
              "facilities are not friendly."},
    "how_design": {"id": "berbasis desain", "en": "design-based"},
    "how_unweighted": {"id": "tanpa bobot", "en": "unweighted"},
    "ci95_unadj": {"id": "IK 95% tanpa koreksi", "en": "unadjusted 95% CI"},
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
        "id": "{k} saran berbeda dari {total} jawaban, dengan jumlah penulisnya; ditampilkan apa adanya, setelah nomor identitas, telepon dan e-mail dihapus.",
        "en": "{k} different suggestions from {total} answers, with how many wrote each; shown as written, after ID numbers, phone numbers and e-mail addresses were removed."},
    "s_quality": {
        "id": "Dari {n} wawancara unit ini, {speeders} ditandai terlalu cepat dan {straight} memberi jawaban seragam; wawancara itu tetap dihitung dan hanya ditandai.",
        "en": "Of this unit's {n} interviews, {speeders} were flagged as too fast and {straight} gave the same answer throughout; they are flagged, not dropped."},
    "s_quality_log": {
        "id": "Jumlah perubahan per aturan; setiap perubahan tercatat di cleaning_log.csv.",
        "en": "Number of changes by rule; every change is listed in cleaning_log.csv."},
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
        "id": "IKM berubah {change} sejak putaran {prev} ({ci}, {p}) ({ref}).",
        "en": "The IKM changed by {change} since round {prev} ({ci}, {p}) ({ref})."},
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
    # the complaint register (clem_lib.complaints_report)
    "sec_complaints_city": {"id": "Pengaduan: register dan survei", "en": "Complaints: register and survey"},
    "sub_register": {"id": "Register pengaduan", "en": "Complaint register"},
    "sub_survey_register": {"id": "Survei dan register berdampingan", "en": "Survey and register side by side"},
    "reg_count": {"id": "Pengaduan tercatat", "en": "Complaints registered"},
    "reg_per_month": {"id": "Pengaduan per bulan", "en": "Complaints per month"},
    "reg_per_1000_users": {"id": "Pengaduan per 1.000 pengguna", "en": "Complaints per 1,000 users"},
    "reg_pct_resolved": {"id": "Selesai (status)", "en": "Resolved (status)"},
    "reg_pct_open": {"id": "Masih terbuka pada tanggal batas", "en": "Still open at the cut-off"},
    "reg_median_days": {"id": "Median waktu penyelesaian (hari)", "en": "Median time to resolution (days)"},
    "reg_p90_days": {"id": "90% selesai dalam (hari)", "en": "90% resolved within (days)"},
    "reg_pct_within_standard": {"id": "Selesai dalam standar {std} hari kerja",
                                "en": "Resolved within the standard of {std} working days"},
    "reg_trend": {"id": "Tren bulanan (rasio per bulan)", "en": "Monthly trend (ratio per month)"},
    "reg_problems_per_1000": {"id": "Pengguna yang mengalami masalah per 1.000 (survei)",
                              "en": "Users with a problem per 1,000 (survey)"},
    "reg_pct_had_problem": {"id": "Mengalami masalah (survei)", "en": "Had a problem (survey)"},
    "reg_pct_unlodged_not_lodged": {"id": "Mengalami masalah dan tidak mengadu (survei)",
                                    "en": "Had a problem and did not complain (survey)"},
    "reg_pct_unlodged_unaware": {"id": "Mengalami masalah dan tidak tahu ke mana mengadu (survei)",
                                 "en": "Had a problem and does not know where to complain (survey)"},
    "col_channel": {"id": "Saluran", "en": "Channel"},
    "col_complaints": {"id": "Pengaduan", "en": "Complaints"},
    "col_per_1000": {"id": "Per 1.000 pengguna", "en": "Per 1,000 users"},
    "col_resolved": {"id": "Selesai", "en": "Resolved"},
    "col_open": {"id": "Terbuka", "en": "Open"},
    "col_median_days": {"id": "Median hari (IK 95%)", "en": "Median days (95% CI)"},
    "col_within_standard": {"id": "Dalam standar", "en": "Within standard"},
    "col_survey_problem": {"id": "Bermasalah (survei)", "en": "Had a problem (survey)"},
    "col_survey_unlodged": {"id": "Masalah tak diadukan (survei)", "en": "Problem not lodged (survey)"},
    "col_survey_unaware": {"id": "Masalah, tak tahu saluran (survei)",
                           "en": "Problem, channel unknown (survey)"},
    "axis_days_since_received": {"id": "Hari sejak pengaduan diterima", "en": "Days since the complaint was received"},
    "axis_share_open": {"id": "Bagian yang belum selesai", "en": "Share not yet resolved"},
    "legend_standard": {"id": "Standar ({days} hari kerja ≈ {cal} hari)",
                        "en": "Standard ({days} working days ≈ {cal} days)"},
    "legend_other_units": {"id": "Unit lain ({k})", "en": "Other units ({k})"},
    "legend_largest_rise": {"id": "Kenaikan terbesar: {unit} ({change})",
                            "en": "Largest rise: {unit} ({change})"},
    "legend_largest_fall": {"id": "Penurunan terbesar: {unit} ({change})",
                            "en": "Largest fall: {unit} ({change})"},
    "grp_this_unit": {"id": "Unit ini", "en": "This unit"},
    "grp_city": {"id": "Seluruh kota", "en": "Whole city"},
    "fig_register": {
        "id": "Pengaduan yang belum selesai menurut lama sejak diterima (Kaplan–Meier); pengaduan yang masih "
              "terbuka dihitung sampai tanggal batas (tersensor), tidak dibuang.",
        "en": "Complaints not yet resolved by time since received (Kaplan–Meier); complaints still open count "
              "up to the cut-off (censored), not dropped."},
    "fig_complaints_city": {
        "id": "Pengaduan yang belum selesai menurut lama sejak diterima, per unit (Kaplan–Meier, pengaduan terbuka "
              "tersensor pada tanggal batas).",
        "en": "Complaints not yet resolved by time since received, by unit (Kaplan–Meier, open complaints censored "
              "at the cut-off)."},
    "s_reg_summary": {
        "id": "Register pengaduan {start} s.d. {cutoff}: **{count} pengaduan** ({per_month} per bulan{per_1000}). "
              "Selesai: {resolved}; masih terbuka pada {cutoff}: {open}.",
        "en": "Complaint register {start} to {cutoff}: **{count} complaints** ({per_month} per month{per_1000}). "
              "Resolved: {resolved}; still open on {cutoff}: {open}."},
    "s_reg_per_1000": {"id": "; {x} per 1.000 pengguna", "en": "; {x} per 1,000 users"},
    "s_reg_none": {
        "id": "Register tidak mencatat satu pun pengaduan untuk unit ini antara {start} dan {cutoff}.",
        "en": "The register holds no complaint for this unit between {start} and {cutoff}."},
    "s_reg_times": {
        "id": "Median waktu penyelesaian {median} hari (IK 95% {ci}). Pengaduan yang masih terbuka dihitung sampai "
              "tanggal batas (tersensor), tidak dibuang dan tidak dihitung nol.",
        "en": "Median time to resolution {median} days (95% CI {ci}). Complaints still open count up to the "
              "cut-off (censored): not dropped, not counted as zero."},
    "s_reg_p90": {"id": "90% pengaduan selesai dalam {p90} hari.", "en": "90% of complaints are resolved within "
                                                                           "{p90} days."},
    "s_reg_p90_unknown": {
        "id": "Waktu sampai 90% pengaduan selesai belum dapat diketahui: lebih dari 10% belum selesai pada tanggal "
              "batas.",
        "en": "The time by which 90% of complaints are resolved is not known yet: more than 10% were not resolved "
              "by the cut-off."},
    "s_reg_median_unknown": {
        "id": "Median waktu penyelesaian belum dapat diketahui: lebih dari separuh pengaduan belum selesai pada "
              "tanggal batas.",
        "en": "The median time to resolution is not known yet: more than half the complaints were not resolved "
              "by the cut-off."},
    "s_reg_within": {
        "id": "Selesai dalam standar {std} hari kerja: {pct} (IK 95% {ci}).",
        "en": "Resolved within the standard of {std} working days: {pct} (95% CI {ci})."},
    "s_reg_channels_test": {
        "id": "Waktu penyelesaian {verb} antar-saluran ({groups}; uji log-rank, p {p}).",
        "en": "Resolution times {verb} between channels ({groups}; log-rank test, p {p})."},
    "s_reg_units_test": {
        "id": "Waktu penyelesaian {verb} antar-unit (uji log-rank, χ² = {chi2}, p {p}).",
        "en": "Resolution times {verb} between units (log-rank test, χ² = {chi2}, p {p})."},
    "s_reg_differ": {"id": "berbeda nyata", "en": "differ"},
    "s_reg_not_differ": {"id": "tidak berbeda nyata", "en": "do not differ significantly"},
    "s_reg_survey": {
        "id": "Survei: {pct} pengguna mengalami masalah (IK 95% {ci}), sekitar {per1000} per 1.000 pengguna; "
              "register mencatat {reg} pengaduan per 1.000 pengguna.",
        "en": "Survey: {pct} of users had a problem (95% CI {ci}), about {per1000} per 1,000 users; the register "
              "holds {reg} complaints per 1,000 users."},
    "s_reg_unlodged_not_lodged": {
        "id": "{pct} pengguna mengalami masalah dan tidak mengadu (IK 95% {ci}, n = {n}).",
        "en": "{pct} of users had a problem and did not complain (95% CI {ci}, n = {n})."},
    "s_reg_unlodged_unaware": {
        "id": "{pct} pengguna mengalami masalah dan tidak tahu ke mana harus mengadu (IK 95% {ci}, n = {n}).",
        "en": "{pct} of users had a problem and do not know where to complain (95% CI {ci}, n = {n})."},
    "s_reg_zero_claim": {
        "id": "**\u201cNol pengaduan\u201d bukan berarti tanpa masalah.** Register unit ini kosong, padahal {pct} "
              "penggunanya mengalami masalah (IK 95% {ci}). Angka pengaduan yang rendah menunjukkan saluran yang "
              "tidak dipakai pengguna, bukan unit tanpa masalah.",
        "en": "**\u201cZero complaints\u201d does not mean no problems.** This unit's register is empty, yet {pct} "
              "of its users had a problem (95% CI {ci}). A low count shows a channel users do not use, not a unit "
              "without problems."},
    "s_reg_low": {
        "id": "Jauh lebih sedikit pengaduan tercatat daripada masalah yang dialami pengguna: sebagian besar masalah "
              "tidak sampai ke register.",
        "en": "Far fewer complaints are registered than users have problems: most problems never reach the "
              "register."},
    "s_reg_zero_units": {
        "id": "Unit dengan register kosong padahal penggunanya mengalami masalah: {units}. Angka pengaduan yang "
              "rendah menunjukkan saluran yang tidak dipakai pengguna, bukan unit tanpa masalah.",
        "en": "Units whose register is empty although their users had problems: {units}. A low count shows a "
              "channel users do not use, not a unit without problems."},
    "s_reg_city": {
        "id": "Register seluruh kota {start} s.d. {cutoff}: {count} pengaduan, {open} masih terbuka pada tanggal batas.",
        "en": "City-wide register {start} to {cutoff}: {count} complaints, {open} still open at the cut-off."},
    "s_reg_breakdown_small": {
        "id": "Saluran atau kategori dengan kurang dari {min_n} pengaduan ditampilkan sebagai n < {min_n}.",
        "en": "Channels or categories with fewer than {min_n} complaints are shown as n < {min_n}."},
    # the report of a district (kecamatan) or an agency (dinas): the city overview of one location;
    # {place} is the place_* word of the report's level
    "place_city": {"id": "kota", "en": "city"},
    "place_district": {"id": "kecamatan", "en": "district"},
    "place_agency": {"id": "instansi", "en": "agency"},
    "title_district": {"id": "Kecamatan {name}", "en": "District of {name}"},
    "title_district_named": {"id": "{name}", "en": "{name} (district)"},
    "title_agency": {"id": "{name}", "en": "{name} (agency)"},
    "sec_location": {"id": "Angka {place} secara keseluruhan", "en": "The {place} as a whole"},
    "sec_vs_city": {"id": "Dibandingkan dengan unit lain di kota", "en": "Against the rest of the city"},
    "grp_rest_of_place": {"id": "Unit lain di {place}", "en": "Rest of the {place}"},
    "s_location_ikm": {
        "id": "IKM {place} secara keseluruhan {ikm} ({ci}), mutu {grade}; n = {n}.",
        "en": "IKM of the {place} as a whole {ikm} ({ci}), grade {grade}; n = {n}."},
    "s_location_mean": {
        "id": "Rata-rata sederhana IKM {k} unitnya: {mean}.",
        "en": "The plain mean of its {k} units' IKMs: {mean}."},
    "s_location_why": {
        "id": "Keduanya berbeda karena angka {place} menghitung setiap unit sesuai jumlah penggunanya per bulan, "
              "sedangkan rata-rata sederhana menghitung setiap unit sama, ramai atau sepi.",
        "en": "The two differ because the {place} figure counts each unit by the number of people it serves each "
              "month, while the plain mean counts every unit the same, busy or quiet."},
    "s_location_why_unweighted": {
        "id": "Keduanya berbeda karena angka {place} tanpa bobot menghitung setiap responden sama, sehingga unit "
              "dengan lebih banyak responden lebih berpengaruh, sedangkan rata-rata sederhana menghitung setiap "
              "unit sama.",
        "en": "The two differ because the unweighted {place} figure counts every respondent the same, so units "
              "with more respondents weigh more, while the plain mean counts every unit the same."},
    "s_special_location_sig": {
        "id": "Di tingkat {place}, pengguna kelompok rentan {more} menyatakan fasilitas tidak ramah daripada "
              "pengguna lain.",
        "en": "Across the {place}, special-group users {more} say the facilities are not friendly than other "
              "users."},
    "s_special_location_ns": {
        "id": "Di tingkat {place}, tidak ada perbedaan bermakna antara kelompok rentan dan pengguna lain dalam "
              "menilai fasilitas tidak ramah.",
        "en": "Across the {place}, special-group users and other users do not differ significantly in saying the "
              "facilities are not friendly."},
    "cap_location": {
        "id": "Angka tingkat {place}: berbasis desain dan tanpa bobot.",
        "en": "Figures of the {place} as a whole: design-based and unweighted."},
    "cap_location_unweighted": {
        "id": "Angka tingkat {place}: tanpa bobot.",
        "en": "Figures of the {place} as a whole: unweighted."},
    "cap_vs_city": {
        "id": "Dibandingkan dengan unit lain di kota: angka berbasis desain, selisih dengan IK 95% dan uji t.",
        "en": "Against the rest of the city: design-based figures, differences with 95% CI and t test."},
    "s_vs_city_rest": {
        "id": "Unit lain di kota: semua unit survei di luar {place} ini ({k} unit, n = {n}), masing-masing dengan "
              "putaran terakhirnya. Keduanya dibandingkan sebagai dua bagian dari desain tingkat kota (strata = "
              "unit, bobot N_h/n_h, koreksi populasi terhingga) dengan uji t berbasis desain; nilai p dikoreksi "
              "Holm atas {m} angka dalam tabel.",
        "en": "Rest of the city: every surveyed unit outside this {place} ({k} units, n = {n}), each with its "
              "latest round. The two are compared as two parts of the city-wide design (strata = units, weights "
              "N_h/n_h, finite-population correction) with a design-based t test; p-values are Holm-adjusted "
              "across the {m} figures of the table."},
    "s_vs_city_sig": {
        "id": "Angka {place} ini yang berbeda nyata dari unit lain di kota (p Holm < {a}):",
        "en": "Figures of this {place} that differ significantly from the rest of the city (Holm p < {a}):"},
    "s_vs_city_none": {
        "id": "Tidak ada angka {place} ini yang berbeda nyata dari unit lain di kota (p Holm < {a}).",
        "en": "No figure of this {place} differs significantly from the rest of the city (Holm p < {a})."},
    "s_vs_city_no_rest": {
        "id": "Semua unit survei termasuk dalam {place} ini: tidak ada unit lain di kota sebagai pembanding.",
        "en": "Every surveyed unit is in this {place}: there is no rest of the city to compare with."},
    "s_vs_city_unweighted": {
        "id": "Perbandingan dengan unit lain di kota hanya dibuat berbasis desain, dan city_weights = none "
              "mematikannya.",
        "en": "The comparison with the rest of the city is design-based only, and city_weights = none turns it "
              "off."},
    "s_vs_city_missing": {
        "id": "Perbandingan dengan unit lain di kota memerlukan jumlah pengguna per bulan setiap unit, dan berkas "
              "unit tidak memuatnya untuk {units}.",
        "en": "The comparison with the rest of the city needs the users per month of every unit, and the units "
              "file lacks them for {units}."},
    "s_reg_location": {
        "id": "Register semua unit {place} ini {start} s.d. {cutoff}: {count} pengaduan, {open} masih terbuka pada "
              "tanggal batas.",
        "en": "Register of this {place}'s units {start} to {cutoff}: {count} complaints, {open} still open at the "
              "cut-off."},
    "m_location_units": {
        "id": "Angka {place} dihitung di antara unit-unit {place} ini saja (strata = unit-unitnya), dan berbeda "
              "dari rata-rata sederhana IKM unit-unitnya karena unit yang melayani lebih banyak pengguna dihitung "
              "lebih berat.",
        "en": "The {place}'s figures are computed across its own units only (strata = its units), and differ from "
              "the plain mean of its units' IKMs because a unit serving more users counts for more."},
    "m_vs_city": {
        "id": "**Unit lain di kota**: semua unit survei di luar {place} ini, masing-masing dengan putaran "
              "terakhirnya; {place} ini dan unit lain di kota dibandingkan sebagai dua domain dari desain tingkat "
              "kota (strata = unit, bobot N_h/n_h, koreksi populasi terhingga) dengan uji t berbasis desain "
              "(R survey::svyttest; IKM dengan svyratio + svycontrast), p dikoreksi Holm atas angka dalam "
              "tabel. Dari unit lain hanya kolom IKM dan CRC yang dibaca.",
        "en": "**Rest of the city**: every surveyed unit outside this {place}, each with its latest round; "
              "the {place} and the rest of the city are compared as two domains of the city-wide design "
              "(strata = units, weights N_h/n_h, finite-population correction) with a design-based t test "
              "(R survey::svyttest; the IKM by svyratio + svycontrast), p Holm-adjusted across the figures of "
              "the table. Of the other units only the IKM and CRC columns are read."},
    "m_register": {
        "id": "- **Register pengaduan**: satu baris per pengaduan; isi pengaduan dan identitas pelapor dibuang saat "
              "pembersihan (tidak ada dalam laporan). Waktu penyelesaian dianalisis sebagai data ketahanan "
              "(Kaplan–Meier): pengaduan yang masih terbuka pada tanggal batas ({cutoff}) disensor di sana, tidak "
              "dibuang (membuangnya membuat median terlalu rendah). Median dan persentil ke-90 dengan IK "
              "Brookmeyer–Crowley; perbandingan antar-saluran dan antar-unit dengan uji log-rank. Hari kerja: "
              "Senin–Jumat tanpa hari libur nasional dan cuti bersama ({holidays}). Laju per 1.000 pengguna memakai "
              "pengguna per bulan dari berkas unit; IK Poisson eksak.",
        "en": "- **Complaint register**: one row per complaint; complaint texts and complainants' identities are "
              "dropped when it is cleaned (none is in the report). Resolution time is analysed as survival data "
              "(Kaplan–Meier): complaints still open at the cut-off ({cutoff}) are censored there, not dropped "
              "(dropping them biases the median low). Median and 90th percentile with Brookmeyer–Crowley "
              "intervals; channels and units compared with the log-rank test. Working days: Monday to Friday "
              "without national holidays and cuti bersama ({holidays}). Rates per 1,000 users use the users per "
              "month of the units file; exact Poisson intervals."},
    # index.html of a run whose units file names districts (kecamatan) and agencies (dinas)
    "idx_title_district": {"id": "Kecamatan {name}", "en": "District of {name}"},
    "idx_title_district_named": {"id": "{name}", "en": "{name} (district)"},
    "idx_title_agency": {"id": "{name}", "en": "{name} (agency)"},
    "idx_level_district": {"id": "Kecamatan", "en": "Districts"},
    "idx_level_agency": {"id": "Dinas", "en": "Agencies"},
    "idx_col_district": {"id": "Kecamatan", "en": "District"},
    "idx_col_agency": {"id": "Dinas", "en": "Agency"},
    "idx_single_district": {"id": "Kecamatan dengan satu unit", "en": "Districts with one unit"},
    "idx_single_agency": {"id": "Dinas dengan satu unit", "en": "Agencies with one unit"},
    "idx_none_district": {"id": "Tanpa kecamatan", "en": "No district"},
    "idx_none_agency": {"id": "Tanpa dinas", "en": "No agency"},
    "idx_whole": {"id": "{name}: semua unit", "en": "{name}: all units"},
    "idx_n_units": {"id": "{n} unit", "en": "{n} units"},
    "idx_expand": {"id": "Klik kecamatan atau dinas untuk melihat unit-unitnya.",
                   "en": "Click a district or agency to see its units."},
    "idx_failures_all": {"id": "Laporan yang gagal", "en": "Reports that failed"},
}
"""Every user-facing text of the reports, by key, in ``"id"`` and ``"en"``."""

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
        raise KeyError(f"no report label {key!r}; add it to clem_lib.text.LABELS in id and en") from None
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
    """Readable name of a metric of ``results.csv`` / a gap table.

    ``ikm``; ``nrr:waktu`` and ``gap:waktu`` (the unsur's name);
    ``pct_satisfied:waktu`` (share satisfied with that unsur);
    ``mean:cost_paid``; ``pct_not_friendly``; ...
    """
    m = str(metric)
    if ":" in m:
        head, _, key = m.partition(":")
        if head in {"nrr", "gap", "unsur", "tk"}:
            return unsur_label(key, lang, scheme)
        if head == "mean" and f"m_mean_{key}" in LABELS:
            return label(f"m_mean_{key}", lang)
        if head == "mean" and f"m_{key}" in LABELS:
            return label(f"m_{key}", lang)
        if f"m_{head}" in LABELS:
            return f"{label(f'm_{head}', lang)}: {unsur_label(key, lang, scheme) if key != 'overall' else label('m_overall_satisfaction', lang)}"
    if f"m_{m}" in LABELS:
        return label(f"m_{m}", lang)
    return m.replace("_", " ")


def rule_label(rule: str, lang: str = "id") -> str:
    """Readable name of a cleaning rule (``clem_lib.cleaning.RULES``), e.g.
    ``unit_alias`` -> ``Nama unit diseragamkan``; an unknown code is returned as it is."""
    key = f"rule_{rule}"
    return label(key, lang) if key in LABELS else str(rule)


def checklist_category_label(category: str, lang: str = "id") -> str:
    """Readable name of a checklist category (``penyampaian`` -> ``Service delivery``);
    a category without a label is shown as it is written in the checklist."""
    key = f"chk_{str(category).strip().lower()}"
    return label(key, lang) if key in LABELS else str(category)


#: English names of the service-standard components (Permenpan RB 15/2014) and of the
#: accessibility items of the bundled checklist, keyed by their Indonesian name.
CHECKLIST_COMPONENTS_EN: Mapping[str, str] = {
    "Persyaratan": "Requirements",
    "Sistem, mekanisme, dan prosedur": "Systems, mechanisms and procedures",
    "Jangka waktu pelayanan": "Service time frame",
    "Biaya/tarif": "Costs/fees",
    "Produk pelayanan": "Service products",
    "Penanganan pengaduan, saran, dan masukan": "Handling of complaints, suggestions and feedback",
    "Dasar hukum": "Legal basis",
    "Sarana dan prasarana, dan/atau fasilitas": "Facilities and infrastructure",
    "Kompetensi pelaksana": "Competence of staff",
    "Pengawasan internal": "Internal supervision",
    "Jumlah pelaksana": "Number of staff",
    "Jaminan pelayanan": "Service guarantee",
    "Jaminan keamanan dan keselamatan pelayanan": "Security and safety guarantee",
    "Evaluasi kinerja pelaksana": "Evaluation of staff performance",
    "Informasi biaya dan waktu terpampang": "Costs and times on display",
    "Kursi tunggu prioritas": "Priority waiting seats",
    "Loket atau antrean prioritas": "Priority counter or queue",
    "Papan petunjuk": "Signposts",
    "Ramp / jalur landai": "Ramp",
    "Toilet ramah disabilitas": "Disability-friendly toilet",
}


def checklist_component_label(component: str, lang: str = "id") -> str:
    """Name of a checklist component in ``lang``: as written in the checklist for ``"id"``;
    in English from :data:`CHECKLIST_COMPONENTS_EN` (spelling, case and punctuation
    variants found too), or as written when the component has no English name."""
    check_lang(lang)
    if lang == "id":
        return str(component)
    key = normalize_label(component)
    for name, english in CHECKLIST_COMPONENTS_EN.items():
        if normalize_label(name) == key:
            return english
    return str(component)


def component_list(items: str, lang: str) -> str:
    """A "; "-separated list of components, each named in ``lang``."""
    return "; ".join(checklist_component_label(x, lang) for x in str(items).split("; ") if x)


def unsur_label(key: str, lang: str = "id", scheme=None) -> str:
    """Name of an unsur in ``lang`` from the IKM scheme (default Permenpan RB 14/2017)."""
    s = get_scheme(scheme if scheme is not None else "permenpan14_2017")
    key = str(key).removeprefix("unsur_").removeprefix("harapan_")
    try:
        return s.label(key, lang)
    except KeyError:
        return key
