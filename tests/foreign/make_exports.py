"""SYNTHETIC survey exports in the shapes other teams send, from fixed seeds.

    python -m tests.foreign.make_exports OUT_DIR            # the six exports

Each ``make_<shape>(out_dir)`` writes one export (and, for Kobo, its
XLSForm) and returns an :class:`Export` holding the answers the generator
gave, so a test can recompute every figure without reading the file through
clem. Nothing here is real: names, NIKs, phone numbers, e-mail addresses,
addresses and answers are invented. The same call writes the same bytes
(fixed seeds, fixed workbook properties and ZIP timestamps, a fixed SPSS
header date).

Shapes (``make_all``):

``kobo_xlsx``
    KoboToolbox XLSX export, "XML values and headers": group paths
    (``identitas/unit_layanan``, ``skm/u1_persyaratan``), answers as choice
    names, the select_multiple special groups as a space-separated column plus
    one 0/1 column per choice, Kobo's meta columns, personal data; with its
    XLSForm (``survey``, ``choices``, ``settings``; Indonesian and English
    labels; groups; a ``relevant`` follow-up).
``odk_central_csv``
    ODK Central CSV: ``-`` group separators, ``SubmissionDate`` first, Central's
    meta columns (``meta-instanceID``, ``KEY``, ...), numeric choice names
    ``1``..``4`` for the unsur (``9`` = don't know), a yes/no question.
``google_forms_csv``
    Google Forms CSV as local governments run the SKM: "Stempel waktu" in
    day/month/year, full question texts as headers (the nine questions of the
    Permenpan RB 14/2017 annex, in the annex's order), the official answer
    labels of each unsur with case and abbreviation variants, a checkbox
    question joined by ", ", unit spellings, e-mail, phone and free text; no
    respondent id, round, service or sector.
``spss_sav``
    SPSS .sav from a university team: short names, numeric codes with value
    labels (one satisfaction scale for every unsur, ``9`` = "Tidak tahu"),
    units as labelled codes, question texts as variable labels.
``bare_scores_xlsx``
    A plain office spreadsheet: No, Nama Responden, Unit Layanan, Jenis
    Kelamin (L/P), Umur, U1..U9 with scores 1-4 (some blank).

``kobo_labels_csv``
    The Kobo survey as a ``;``-separated CSV with English labels for headers
    and answers; the special groups as labels joined by spaces (not
    splittable: labels hold spaces) plus one 0/1 column per choice, named by
    its label.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Export", "UNSUR", "SKM_LABELS", "QUESTIONS", "make_all", "make_kobo_xlsx",
           "make_odk_central_csv", "make_google_forms_csv", "make_spss_sav",
           "make_bare_scores_xlsx", "make_kobo_labels_csv"]

#: unsur keys of Permenpan RB 14/2017, in the order the regulation lists them
UNSUR = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
         "pengaduan", "sarana"]

#: the order of the questionnaire annexed to the regulation (sarana before pengaduan)
ANNEX_ORDER = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
               "sarana", "pengaduan"]

#: official answer labels per unsur, score 1 -> 4 (Permenpan RB 14/2017, Lampiran)
SKM_LABELS = {
    "persyaratan": ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
    "prosedur": ["Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"],
    "waktu": ["Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"],
    "biaya": ["Sangat mahal", "Cukup mahal", "Murah", "Gratis"],
    "produk": ["Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"],
    "kompetensi": ["Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"],
    "perilaku": ["Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah",
                 "Sangat sopan dan ramah"],
    "pengaduan": ["Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal",
                  "Dikelola dengan baik"],
    "sarana": ["Buruk", "Cukup", "Baik", "Sangat baik"],
}
SKM_LABELS_EN = {
    "persyaratan": ["Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"],
    "prosedur": ["Not easy", "Less easy", "Easy", "Very easy"],
    "waktu": ["Not fast", "Less fast", "Fast", "Very fast"],
    "biaya": ["Very expensive", "Fairly expensive", "Cheap", "Free"],
    "produk": ["Not appropriate", "Less appropriate", "Appropriate", "Very appropriate"],
    "kompetensi": ["Not competent", "Less competent", "Competent", "Very competent"],
    "perilaku": ["Not polite and friendly", "Less polite and friendly", "Polite and friendly",
                 "Very polite and friendly"],
    "pengaduan": ["None", "Exists but does not work", "Works, not fully", "Well managed"],
    "sarana": ["Poor", "Fair", "Good", "Very good"],
}

#: the questions of the annex, per unsur
QUESTIONS = {
    "persyaratan": "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan "
                   "jenis pelayanannya?",
    "prosedur": "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "waktu": "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
    "biaya": "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "produk": "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang "
              "tercantum dalam standar pelayanan dengan hasil yang diberikan?",
    "kompetensi": "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
    "perilaku": "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait "
                "kesopanan dan keramahan?",
    "sarana": "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
    "pengaduan": "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
}
QUESTIONS_EN = {
    "persyaratan": "How well do the service requirements fit the kind of service?",
    "prosedur": "How easy is the service procedure at this unit?",
    "waktu": "How fast is the service delivered?",
    "biaya": "How reasonable is the cost or tariff of the service?",
    "produk": "How well does the service product match what the service standard states?",
    "kompetensi": "How competent are the staff?",
    "perilaku": "How polite and friendly are the staff?",
    "sarana": "How good are the facilities?",
    "pengaduan": "How are users' complaints handled?",
}
#: short variable labels of the unsur, as a university codebook writes them
SHORT_QUESTIONS = {
    "persyaratan": "Kesesuaian persyaratan pelayanan dengan jenis pelayanannya",
    "prosedur": "Kemudahan prosedur pelayanan",
    "waktu": "Kecepatan waktu pelayanan",
    "biaya": "Kewajaran biaya/tarif pelayanan",
    "produk": "Kesesuaian produk pelayanan dengan standar pelayanan",
    "kompetensi": "Kompetensi/kemampuan petugas",
    "perilaku": "Kesopanan dan keramahan petugas",
    "sarana": "Kualitas sarana dan prasarana",
    "pengaduan": "Penanganan pengaduan pengguna layanan",
}

# per-unsur offset of the mean score around a unit's level (sums to zero)
_OFFSET = dict(zip(UNSUR, [0.05, 0.0, -0.2, 0.25, 0.1, 0.05, 0.15, -0.3, -0.1]))

_FIRST_F = ["Sri", "Siti", "Endah", "Rini", "Yuliani", "Dwi", "Tri", "Wahyuni", "Sumiyati", "Lestari",
            "Ratna", "Nurul", "Kartika", "Sumarsih", "Ani", "Eni", "Puji", "Retno", "Dewi", "Suwarni",
            "Fitri", "Indah", "Ayu", "Novita"]
_FIRST_M = ["Budi", "Agus", "Eko", "Wahyu", "Slamet", "Joko", "Bambang", "Sutrisno", "Purwanto",
            "Hartono", "Suyanto", "Heru", "Bayu", "Dimas", "Teguh", "Sugeng", "Rudi", "Antonius",
            "Priyono", "Arif", "Fajar", "Yusuf", "Gunawan", "Rizky"]
_LAST_F = ["Rahayu", "Kurniawati", "Handayani", "Susanti", "Utami", "Wulandari", "Hartati",
           "Pratiwi", "Lestari", "Safitri", "Puspitasari", "Anggraini", "Setyaningsih", "Maryani"]
_LAST_M = ["Setiawan", "Nugroho", "Prasetyo", "Hidayat", "Saputra", "Wibowo", "Santoso", "Purnomo",
           "Sulistyo", "Widodo", "Suharto", "Mulyono", "Susilo", "Kusuma", "Permana", "Ramadhan"]
_STREETS = ["Slamet Riyadi", "Veteran", "Kapten Mulyadi", "Adi Sucipto", "Yos Sudarso", "Ir. Juanda",
            "Kolonel Sutarto", "Brigjen Katamso", "Dr. Radjiman", "Honggowongso", "Samratulangi",
            "Ahmad Yani", "Tentara Pelajar", "Sumpah Pemuda", "Kahuripan", "Letjen Suprapto"]
# Surakarta's kecamatan (NIK digits 5-6) and some of their kelurahan
_KECAMATAN = {
    "01": ["Pajang", "Sondakan", "Penumping", "Purwosari", "Karangasem"],
    "02": ["Joyotakan", "Danukusuman", "Kratonan", "Tipes"],
    "03": ["Joyosuran", "Semanggi", "Baluwarti", "Kedung Lumbu"],
    "04": ["Mojosongo", "Pucangsawit", "Jagalan", "Tegalharjo", "Sudiroprajan"],
    "05": ["Nusukan", "Gilingan", "Kadipiro", "Manahan", "Banyuanyar"],
}
_PHONE_PREFIX = ["0812", "0813", "0821", "0822", "0852", "0853", "0856", "0857", "0858", "0877",
                 "0878", "0895", "0896", "0838", "0831", "0811"]
_MAIL_DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.co.id", "yahoo.com", "ymail.com"]
_SARAN = [
    "Antrean terlalu lama, mohon ditambah loketnya",
    "Perlu loket khusus untuk lansia dan penyandang disabilitas",
    "Petugas sudah ramah, pertahankan",
    "Toilet kurang bersih",
    "Mohon disediakan kursi roda dan jalur landai",
    "Informasi persyaratan kurang jelas, sebaiknya ditempel di depan loket",
    "Pelayanan sudah baik",
    "Ruang tunggu panas, mohon ditambah kipas angin",
    "Jam pelayanan mohon ditepati",
    "Tempat parkir sempit",
    "Aplikasi antrean online sering error",
    "Perlu ruang laktasi untuk ibu menyusui",
]
_SARAN_CONTACT = ["Mohon ditindaklanjuti, hubungi saya di {phone}",
                  "Kalau ada perubahan jadwal tolong kabari ke WA {phone}",
                  "Saya pernah lapor tapi belum ada jawaban. No HP saya {phone}"]

_XLSX_TIME = dt.datetime(2025, 10, 6, 9, 0, 0)
_ZIP_TIME = (2025, 10, 6, 9, 0, 0)


@dataclass(frozen=True)
class Export:
    """One generated export and what the generator put into it.

    Attributes
    ----------
    name : str
        the shape (``kobo_xlsx``, ...).
    path : Path
        the export file.
    form : Path or None
        its XLSForm, when the shape comes with one.
    truth : DataFrame
        one row per respondent, in the export's row order: ``unit`` (canonical
        name) and one column per unsur key with the score 1-4, NaN where the
        answer was left blank or "don't know".
    personal : tuple of str
        every personal value written into the export (names, NIKs, phone
        numbers, e-mail addresses, street addresses), as written.
    unit_spellings : dict
        canonical unit name -> the spellings of it found in the export (choice
        names, labels, case and abbreviation variants).
    unsur_named : bool
        True when the export (or its form) says which unsur each column is;
        False when only a column order tells it (``U1``..``U9``).
    removed : tuple of int
        export rows (1 = first data row) that cleaning should remove by design
        (consent refused, duplicates); none in these shapes.
    """

    name: str
    path: Path
    form: Path | None
    truth: pd.DataFrame
    personal: tuple[str, ...]
    unit_spellings: dict[str, tuple[str, ...]]
    unsur_named: bool = True
    removed: tuple[int, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------
# synthetic people and answers

def _phone(rng, style: str) -> str:
    """A mobile number: ``local`` 0812..., ``intl`` +62812..., ``dashed`` 0812-3456-7890,
    ``intl_spaced`` +62 812-3456-7890."""
    prefix = _PHONE_PREFIX[rng.integers(len(_PHONE_PREFIX))]
    rest = "".join(str(d) for d in rng.integers(0, 10, size=int(rng.integers(7, 9))))
    digits = prefix + rest
    if style == "local":
        return digits
    if style == "intl":
        return "+62" + digits[1:]
    head, tail = digits[:4], digits[4:]
    dashed = f"{head}-{tail[:4]}-{tail[4:]}"
    if style == "dashed":
        return dashed
    return "+62 " + dashed[1:]


def _people(rng, n: int, phone_styles: list[str]) -> pd.DataFrame:
    """n invented adults of Surakarta: gender, name, age, NIK, phone, e-mail, address."""
    female = rng.random(n) < 0.56
    age = rng.integers(18, 76, size=n)
    rows, niks, phones = [], set(), set()
    for i in range(n):
        first = (_FIRST_F if female[i] else _FIRST_M)[rng.integers(24)]
        lasts = _LAST_F if female[i] else _LAST_M
        last = lasts[rng.integers(len(lasts))]
        middle = ""
        if rng.random() < 0.3:
            middle = (_FIRST_F if female[i] else _FIRST_M)[rng.integers(24)]
            if middle == first:
                middle = ""
        name = " ".join(p for p in (first, middle, last) if p)
        kec = f"{int(rng.integers(1, 6)):02d}"
        kel = _KECAMATAN[kec][rng.integers(len(_KECAMATAN[kec]))]
        born = dt.date(2025 - int(age[i]), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        while True:
            day = born.day + (40 if female[i] else 0)
            nik = f"3372{kec}{day:02d}{born.month:02d}{born.year % 100:02d}{int(rng.integers(1, 3000)):04d}"
            if nik not in niks:
                niks.add(nik)
                break
        while True:
            phone = _phone(rng, phone_styles[rng.integers(len(phone_styles))])
            if phone not in phones:
                phones.add(phone)
                break
        user = ".".join(p.lower() for p in (first, last)) if rng.random() < 0.6 else (first + last).lower()
        email = f"{user}{int(rng.integers(1, 99))}@{_MAIL_DOMAINS[rng.integers(len(_MAIL_DOMAINS))]}"
        address = (f"Jl. {_STREETS[rng.integers(len(_STREETS))]} No. {int(rng.integers(1, 160))}, "
                   f"RT {int(rng.integers(1, 10)):02d}/RW {int(rng.integers(1, 20)):02d}, {kel}, Surakarta")
        rows.append({"female": bool(female[i]), "name": name, "age": int(age[i]), "nik": nik,
                     "phone": phone, "email": email, "address": address})
    return pd.DataFrame(rows)


def _scores(rng, units: dict[str, float], sizes: list[int], *, p_blank: float,
            p_dont_know: dict[str, float] | None = None):
    """Scores 1..4 per respondent and unsur around each unit's level.

    Returns (unit per row, scores DataFrame with NaN for missing answers,
    don't-know mask DataFrame). Rows are shuffled as submissions arrive.
    """
    names = list(units)
    unit = np.repeat(np.array(names, dtype=object), sizes)
    n = unit.size
    level = np.array([units[u] for u in unit])
    person = rng.normal(0.0, 0.35, size=n)
    scores, dk = {}, {}
    for key in UNSUR:
        latent = level + _OFFSET[key] + person + rng.normal(0.0, 0.55, size=n)
        s = np.clip(np.rint(latent), 1, 4).astype(float)
        blank = rng.random(n) < p_blank
        d = rng.random(n) < (p_dont_know or {}).get(key, 0.0)
        s[blank | d] = np.nan
        scores[key] = s
        dk[key] = d & ~blank
    scores = pd.DataFrame(scores)
    dk = pd.DataFrame(dk)
    # every respondent answers at least one unsur
    empty = scores.isna().all(axis=1).to_numpy()
    scores.loc[empty, "persyaratan"] = 3.0
    dk.loc[empty, "persyaratan"] = False
    order = rng.permutation(n)
    return (unit[order], scores.iloc[order].reset_index(drop=True),
            dk.iloc[order].reset_index(drop=True))


def _truth(unit, scores: pd.DataFrame, canonical: dict | None = None) -> pd.DataFrame:
    canonical = canonical or {}
    t = pd.DataFrame({"unit": [canonical.get(u, u) for u in unit]})
    for key in UNSUR:
        t[key] = scores[key].to_numpy(dtype=float)
    return t


def _sizes(rng, k: int) -> list[int]:
    return [int(x) for x in rng.integers(25, 46, size=k)]


def _times(rng, n: int, start: dt.datetime, days: int):
    """Interview start and end (local time, +07:00) and submission (UTC), in order of arrival."""
    offsets = np.sort(rng.integers(0, days * 9 * 3600, size=n))
    out = []
    for off in offsets:
        day, sec = divmod(int(off), 9 * 3600)
        t0 = start + dt.timedelta(days=day, seconds=sec + 7.5 * 3600, milliseconds=int(rng.integers(1000)))
        t1 = t0 + dt.timedelta(seconds=int(rng.integers(240, 1500)), milliseconds=int(rng.integers(1000)))
        sub = t1 + dt.timedelta(seconds=int(rng.integers(20, 4 * 3600))) - dt.timedelta(hours=7)
        out.append((t0, t1, sub))
    return out


def _iso_local(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+07:00"


def _uuid(rng) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _saran(rng, phone: str, p_text=0.45, p_contact=0.06):
    u = rng.random()
    if u < p_contact:
        return _SARAN_CONTACT[rng.integers(len(_SARAN_CONTACT))].format(phone=phone)
    if u < p_text:
        return _SARAN[rng.integers(len(_SARAN))]
    return None


def _special_groups(rng, female: bool, age: int) -> list[str]:
    """Kobo-style choice names of the special groups a respondent belongs to."""
    out = []
    if rng.random() < 0.06:
        out.append("disabilitas")
    if age >= 60:
        out.append("lansia")
    if female and age < 42 and rng.random() < 0.12:
        out.append("ibu_hamil")
    if rng.random() < 0.15:
        out.append("membawa_anak")
    return out


# ---------------------------------------------------------------------------
# writers

def _save_xlsx(wb, path: Path, creator: str) -> Path:
    """Save an openpyxl workbook with fixed properties and ZIP timestamps (same bytes every time)."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.creator = creator
    wb.properties.lastModifiedBy = creator
    wb.properties.created = _XLSX_TIME
    wb.properties.modified = _XLSX_TIME
    buf = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 3
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    path.write_bytes(out.getvalue())
    return path


def _sheet(wb, title: str, header: list, rows: list[list]):
    ws = wb.create_sheet(title)
    ws.append(header)
    for r in rows:
        ws.append(r)
    return ws


def _write_csv(path: Path, header: list[str], rows: list[list], *, delimiter=",",
               quoting=csv.QUOTE_MINIMAL, lineterminator="\n") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, quoting=quoting, lineterminator=lineterminator)
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


# ---------------------------------------------------------------------------
# KoboToolbox: the form and its exports

_KOBO_UNITS = {  # choice name -> (label, level of the unit's scores)
    "pkm_sibela": ("Puskesmas Sibela", 3.15),
    "pkm_ngoresan": ("Puskesmas Ngoresan", 2.85),
    "kel_kadipiro": ("Kantor Kelurahan Kadipiro", 3.3),
    "kel_mojosongo": ("Kantor Kelurahan Mojosongo", 3.0),
}
# unsur -> (question name, choice list); choice names as Kobo's form builder makes them
_KOBO_UNSUR = {
    "persyaratan": ("u1_persyaratan", "sesuai4"),
    "prosedur": ("u2_prosedur", "mudah4"),
    "waktu": ("u3_waktu", "cepat4"),
    "biaya": ("u4_biaya", "biaya4"),
    "produk": ("u5_produk", "sesuai4"),
    "kompetensi": ("u6_kompetensi", "kompeten4"),
    "perilaku": ("u7_perilaku", "sopan4"),
    "sarana": ("u8_sarana", "sarana4"),
    "pengaduan": ("u9_pengaduan", "pengaduan4"),
}
_KOBO_SPECIAL = [("disabilitas", "Penyandang disabilitas", "Person with disability"),
                 ("lansia", "Lansia (60 tahun ke atas)", "Elderly (60 or older)"),
                 ("ibu_hamil", "Ibu hamil", "Pregnant woman"),
                 ("membawa_anak", "Membawa anak balita", "With a small child"),
                 ("tidak_ada", "Tidak termasuk semuanya", "None of these")]
_KOBO_EDU = [("sd", "SD/sederajat", "Primary school"), ("smp", "SMP/sederajat", "Junior high school"),
             ("sma", "SMA/SMK/sederajat", "Senior high school"), ("d3", "Diploma (D1-D3)", "Diploma"),
             ("s1", "S1/D4", "Bachelor"), ("s2", "S2/S3", "Master or doctorate")]
_LANG_ID, _LANG_EN = "Indonesian (id)", "English (en)"


def _choice_name(label: str) -> str:
    return "_".join("".join(c if c.isalnum() else " " for c in label.lower()).split())


def _kobo_choices() -> list[list]:
    """Rows of the ``choices`` sheet: list_name, name, label (id), label (en)."""
    rows = [["unit", name, lab, lab] for name, (lab, _lvl) in _KOBO_UNITS.items()]
    rows += [["jk", "laki_laki", "Laki-laki", "Male"], ["jk", "perempuan", "Perempuan", "Female"]]
    rows += [["pendidikan", n, li, le] for n, li, le in _KOBO_EDU]
    rows += [["kelompok", n, li, le] for n, li, le in _KOBO_SPECIAL]
    done = set()
    for key in ANNEX_ORDER:
        _q, lst = _KOBO_UNSUR[key]
        if lst in done:
            continue
        done.add(lst)
        for lid, len_ in zip(SKM_LABELS[key], SKM_LABELS_EN[key]):
            rows.append([lst, _choice_name(lid), lid, len_])
        if key in ("biaya", "pengaduan"):
            rows.append([lst, "tidak_tahu", "Tidak tahu", "Don't know"])
    rows += [["ya_tidak", "ya", "Ya", "Yes"], ["ya_tidak", "tidak", "Tidak", "No"]]
    return rows


def _kobo_survey() -> list[list]:
    """Rows of the ``survey`` sheet (columns in ``_KOBO_SURVEY_HEADER``)."""
    r = [
        ["start", "start", None, None, None, None, None, None],
        ["end", "end", None, None, None, None, None, None],
        ["begin_group", "identitas", "Identitas responden", "Respondent identity", None, None, None, None],
        ["select_one unit", "unit_layanan", "Unit layanan yang Saudara kunjungi", "Service unit visited",
         "true", None, None, "minimal"],
        ["text", "nama", "Nama responden", "Respondent name", "false", None, None, None],
        ["text", "nik", "NIK (16 digit)", "National ID number (16 digits)", "false", None,
         "regex(., '^[0-9]{16}$')", "numbers"],
        ["text", "no_hp", "Nomor HP/WhatsApp", "Mobile/WhatsApp number", "false", None, None, "numbers"],
        ["text", "alamat", "Alamat", "Address", "false", None, None, "multiline"],
        ["select_one jk", "jenis_kelamin", "Jenis kelamin", "Gender", "true", None, None, None],
        ["integer", "umur", "Umur (tahun)", "Age (years)", "true", None, ". >= 17 and . <= 100", None],
        ["select_one pendidikan", "pendidikan", "Pendidikan terakhir", "Highest education", "true",
         None, None, None],
        ["select_multiple kelompok", "kelompok_khusus", "Apakah Saudara termasuk kelompok berikut?",
         "Do you belong to any of these groups?", "true", None,
         "not(selected(., 'tidak_ada') and count-selected(.) > 1)", None],
        ["end_group", None, None, None, None, None, None, None],
        ["begin_group", "skm", "Survei Kepuasan Masyarakat", "Public satisfaction survey", None, None,
         None, None],
    ]
    for i, key in enumerate(ANNEX_ORDER, start=1):
        qname, lst = _KOBO_UNSUR[key]
        r.append([f"select_one {lst}", qname, f"{i}. {QUESTIONS[key]}", f"{i}. {QUESTIONS_EN[key]}",
                  "true", None, None, None])
    r += [
        ["select_one ya_tidak", "pernah_mengadu",
         "Apakah Saudara pernah menyampaikan pengaduan di unit ini?",
         "Have you ever filed a complaint at this unit?", "true", None, None, None],
        ["select_one ya_tidak", "pengaduan_ditanggapi", "Apakah pengaduan Saudara ditanggapi?",
         "Was your complaint answered?", "true", "${pernah_mengadu} = 'ya'", None, None],
        ["end_group", None, None, None, None, None, None, None],
        ["begin_group", "saran", "Kritik dan saran", "Criticism and suggestions", None, None, None, None],
        ["text", "kritik_saran", "Kritik dan saran untuk unit layanan ini",
         "Criticism and suggestions for this unit", "false", None, None, "multiline"],
        ["end_group", None, None, None, None, None, None, None],
    ]
    return r


_KOBO_SURVEY_HEADER = ["type", "name", f"label::{_LANG_ID}", f"label::{_LANG_EN}", "required",
                       "relevant", "constraint", "appearance"]


def _write_xlsform(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "survey", _KOBO_SURVEY_HEADER, _kobo_survey())
    _sheet(wb, "choices", ["list_name", "name", f"label::{_LANG_ID}", f"label::{_LANG_EN}"],
           _kobo_choices())
    _sheet(wb, "settings", ["form_title", "form_id", "version", "default_language", "style"],
           [["SKM Kota Surakarta 2025", "skm_surakarta_2025", "2025091501", _LANG_ID, "pages"]])
    return _save_xlsx(wb, path, "Tim SKM Kota Surakarta")


def _kobo_records(seed: int):
    """The Kobo submissions as dicts of XML names -> choice names / values, and the Export parts."""
    rng = np.random.default_rng(seed)
    sizes = _sizes(rng, len(_KOBO_UNITS))
    unit, scores, dk = _scores(rng, {k: v[1] for k, v in _KOBO_UNITS.items()}, sizes,
                               p_blank=0.0, p_dont_know={"pengaduan": 0.12, "biaya": 0.02})
    n = unit.size
    people = _people(rng, n, ["local", "local", "local", "intl"])
    times = _times(rng, n, dt.datetime(2025, 9, 15), 12)
    names_by_key = {key: [_choice_name(lab) for lab in SKM_LABELS[key]] for key in UNSUR}
    edu = [c[0] for c in _KOBO_EDU]
    recs, personal = [], []
    for i in range(n):
        p = people.iloc[i]
        rec = {"start": _iso_local(times[i][0]), "end": _iso_local(times[i][1]),
               "identitas/unit_layanan": unit[i]}
        # names and NIK are optional on the form: some respondents leave them out
        rec["identitas/nama"] = p["name"] if rng.random() < 0.85 else None
        rec["identitas/nik"] = p["nik"] if rng.random() < 0.6 else None
        rec["identitas/no_hp"] = p["phone"] if rng.random() < 0.7 else None
        rec["identitas/alamat"] = p["address"] if rng.random() < 0.5 else None
        personal += [v for v in (rec["identitas/nama"], rec["identitas/nik"], rec["identitas/no_hp"],
                                 rec["identitas/alamat"]) if v]
        rec["identitas/jenis_kelamin"] = "perempuan" if p["female"] else "laki_laki"
        rec["identitas/umur"] = int(p["age"])
        rec["identitas/pendidikan"] = edu[min(5, max(0, int(rng.normal(2.3, 1.1))))]
        groups = _special_groups(rng, bool(p["female"]), int(p["age"])) or ["tidak_ada"]
        rec["identitas/kelompok_khusus"] = groups
        for key in ANNEX_ORDER:
            qname, _lst = _KOBO_UNSUR[key]
            s = scores.at[i, key]
            rec[f"skm/{qname}"] = ("tidak_tahu" if dk.at[i, key] else names_by_key[key][int(s) - 1])
        complained = rng.random() < 0.18
        rec["skm/pernah_mengadu"] = "ya" if complained else "tidak"
        rec["skm/pengaduan_ditanggapi"] = (("ya" if rng.random() < 0.5 else "tidak") if complained else None)
        saran = _saran(rng, p["phone"])
        rec["saran/kritik_saran"] = saran
        rec["_id"] = 518700000 + 137 * i + int(rng.integers(0, 100))
        rec["_uuid"] = _uuid(rng)
        rec["_submission_time"] = times[i][2].strftime("%Y-%m-%dT%H:%M:%S")
        rec["_validation_status"] = "Approved" if rng.random() < 0.7 else None
        rec["_index"] = i + 1
        recs.append(rec)
    truth = _truth(unit, scores, {k: v[0] for k, v in _KOBO_UNITS.items()})
    spellings = {lab: (name,) for name, (lab, _lvl) in _KOBO_UNITS.items()}
    return recs, truth, tuple(personal), spellings


_KOBO_FIELDS = ["identitas/unit_layanan", "identitas/nama", "identitas/nik", "identitas/no_hp",
                "identitas/alamat", "identitas/jenis_kelamin", "identitas/umur", "identitas/pendidikan",
                "identitas/kelompok_khusus",
                *[f"skm/{_KOBO_UNSUR[k][0]}" for k in ANNEX_ORDER],
                "skm/pernah_mengadu", "skm/pengaduan_ditanggapi", "saran/kritik_saran"]
_KOBO_META_TAIL = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
                   "_submitted_by", "__version__", "_tags", "_index"]


def make_kobo_xlsx(out_dir, seed: int = 2025091501) -> Export:
    """KoboToolbox XLSX export ("XML values and headers") and its XLSForm."""
    from openpyxl import Workbook

    out_dir = Path(out_dir)
    form = _write_xlsform(out_dir / "skm_surakarta_2025_xlsform.xlsx")
    recs, truth, personal, spellings = _kobo_records(seed)
    header = ["start", "end"]
    for f in _KOBO_FIELDS:
        header.append(f)
        if f == "identitas/kelompok_khusus":
            header += [f"{f}/{c[0]}" for c in _KOBO_SPECIAL]
    header += _KOBO_META_TAIL
    rows = []
    for rec in recs:
        row = []
        for col in header:
            if col.startswith("identitas/kelompok_khusus/"):
                row.append(int(col.rsplit("/", 1)[1] in rec["identitas/kelompok_khusus"]))
            elif col == "identitas/kelompok_khusus":
                row.append(" ".join(rec[col]))
            elif col == "_status":
                row.append("submitted_via_web")
            elif col == "__version__":
                row.append("vXkQ7bJ3pN2mRtLs9wYdEa")
            elif col in ("_notes", "_tags", "_submitted_by"):
                row.append(None)
            else:
                row.append(rec.get(col))
        rows.append(row)
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, "SKM Kota Surakarta 2025", header, rows)
    path = _save_xlsx(wb, out_dir / "SKM_Kota_Surakarta_2025_-_all_versions_-_False_-_2025-10-06-02-15-44.xlsx",
                      "KoboToolbox")
    return Export("kobo_xlsx", path, form, truth, personal, spellings)


def make_kobo_labels_csv(out_dir, seed: int = 2025091501) -> Export:
    """The Kobo survey exported as CSV with English labels for headers and answers, ``;``-separated.

    Headers are the group and question labels joined by ``/``; answers are
    choice labels; the split special-group columns are named by their labels.
    """
    out_dir = Path(out_dir)
    form = _write_xlsform(out_dir / "skm_surakarta_2025_xlsform.xlsx")
    recs, truth, personal, _ = _kobo_records(seed)
    survey = {r[1]: r for r in _kobo_survey() if r[1]}
    choices = {(r[0], r[1]): r[3] for r in _kobo_choices()}
    group_label = {"identitas": survey["identitas"][3], "skm": survey["skm"][3], "saran": survey["saran"][3]}
    lists = {r[1]: r[0].split(" ", 1)[1] for r in _kobo_survey() if r[0].startswith("select_")}

    def head(path):
        grp, name = path.split("/")
        return f"{group_label[grp]}/{survey[name][3]}"

    header, plan = ["start", "end"], [("start", None), ("end", None)]
    for f in _KOBO_FIELDS:
        header.append(head(f))
        plan.append((f, None))
        if f == "identitas/kelompok_khusus":
            for c in _KOBO_SPECIAL:
                header.append(f"{head(f)}/{c[2]}")
                plan.append((f, c[0]))
    header += _KOBO_META_TAIL
    plan += [(c, None) for c in _KOBO_META_TAIL]
    rows = []
    for rec in recs:
        row = []
        for col, choice in plan:
            v = rec.get(col)
            name = col.split("/")[-1]
            if choice is not None:
                row.append(str(int(choice in v)))
            elif col == "identitas/kelompok_khusus":
                row.append(" ".join(choices[("kelompok", c)] for c in v))
            elif name in lists and v is not None:
                row.append(choices[(lists[name], v)])
            elif col == "_status":
                row.append("submitted_via_web")
            elif col == "__version__":
                row.append("vXkQ7bJ3pN2mRtLs9wYdEa")
            else:
                row.append("" if v is None else str(v))
        rows.append(row)
    unit_label = {lab: (lab,) for _n, (lab, _lvl) in _KOBO_UNITS.items()}
    path = _write_csv(out_dir / "SKM_Kota_Surakarta_2025_-_English_en_-_2025-10-06-02-20-11.csv",
                      header, rows, delimiter=";", quoting=csv.QUOTE_ALL)
    return Export("kobo_labels_csv", path, form, truth, personal, unit_label)


# ---------------------------------------------------------------------------
# ODK Central

_ODK_UNITS = {  # choice name -> (school, level)
    "smpn_1_surakarta": ("SMP Negeri 1 Surakarta", 3.25),
    "smpn_4_surakarta": ("SMP Negeri 4 Surakarta", 2.95),
    "sman_3_surakarta": ("SMA Negeri 3 Surakarta", 3.1),
}


def make_odk_central_csv(out_dir, seed: int = 2025100203) -> Export:
    """ODK Central CSV export: ``-`` group separators, numeric choice names for the unsur."""
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    sizes = _sizes(rng, len(_ODK_UNITS))
    unit, scores, dk = _scores(rng, {k: v[1] for k, v in _ODK_UNITS.items()}, sizes,
                               p_blank=0.015, p_dont_know={"pengaduan": 0.1, "biaya": 0.03})
    n = unit.size
    people = _people(rng, n, ["local"])
    times = _times(rng, n, dt.datetime(2025, 10, 1), 8)
    header = ["SubmissionDate", "start", "end", "identitas-unit", "identitas-nama", "identitas-nik",
              "identitas-no_hp", "identitas-jenis_kelamin", "identitas-umur",
              *[f"skm-{k}" for k in ANNEX_ORDER], "skm-bayar_di_luar_tarif", "saran-saran",
              "meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent",
              "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
    devices = [f"collect:{''.join(rng.choice(list('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789'), 16))}"
               for _ in range(4)]
    submitters = [("412", "enum_smp1"), ("413", "enum_smp4"), ("415", "enum_sma3")]
    rows, personal = [], []
    for i in range(n):
        p = people.iloc[i]
        u = list(_ODK_UNITS).index(unit[i])
        iid = "uuid:" + _uuid(rng)
        answers = []
        for key in ANNEX_ORDER:
            s = scores.at[i, key]
            answers.append("9" if dk.at[i, key] else ("" if np.isnan(s) else str(int(s))))
        nama = p["name"] if rng.random() < 0.9 else ""
        hp = p["phone"] if rng.random() < 0.75 else ""
        personal += [v for v in (nama, p["nik"], hp) if v]
        sub = times[i][2]
        rows.append([
            sub.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(rng.integers(1000)):03d}Z",
            _iso_local(times[i][0]), _iso_local(times[i][1]), unit[i], nama, p["nik"], hp,
            "perempuan" if p["female"] else "laki_laki", str(int(p["age"])), *answers,
            "yes" if rng.random() < 0.09 else "no",
            _saran(rng, hp or p["phone"], p_contact=0.0) or "",
            iid, iid, submitters[u][0], submitters[u][1], "0", "0", "", "",
            devices[u], "0", "2025092901",
        ])
    path = _write_csv(out_dir / "skm_sekolah_surakarta.csv", header, rows)
    truth = _truth(unit, scores, {k: v[0] for k, v in _ODK_UNITS.items()})
    spellings = {lab: (name,) for name, (lab, _lvl) in _ODK_UNITS.items()}
    return Export("odk_central_csv", path, None, truth, tuple(personal), spellings)


# ---------------------------------------------------------------------------
# Google Forms

_GF_UNITS = {  # canonical name -> (level, [(spelling, weight)])
    "Puskesmas Gambirsari": (3.2, [("Puskesmas Gambirsari", 70), ("PUSKESMAS GAMBIRSARI ", 15),
                                   ("Pusk. Gambirsari", 15)]),
    "Puskesmas Pajang": (2.9, [("Puskesmas Pajang", 75), ("puskesmas pajang", 15), ("Pusk. Pajang", 10)]),
    "Puskesmas Penumping": (3.05, [("Puskesmas Penumping", 80), ("PUSKESMAS PENUMPING", 10),
                                   ("Pusk. Penumping ", 10)]),
    "Puskesmas Manahan": (3.35, [("Puskesmas Manahan", 85), ("Puskesmas  Manahan", 15)]),
}
_GF_SPECIAL = {"disabilitas": "Penyandang disabilitas", "lansia": "Lansia", "ibu_hamil": "Ibu hamil",
               "membawa_anak": "Membawa balita"}
_GF_EDU = ["SD", "SMP", "SMA/SMK", "D3", "S1", "S2"]
_GF_JOB = ["PNS", "TNI/Polri", "Pegawai swasta", "Wirausaha", "Pelajar/Mahasiswa", "Ibu rumah tangga",
           "Lainnya"]


def _gf_label(rng, key: str, score: int) -> str:
    """The official label of ``score`` for ``key`` as typed or picked: mostly exact,
    sometimes in capitals or abbreviated (Sgt, Tdk, Krg)."""
    label = SKM_LABELS[key][score - 1]
    u = rng.random()
    if u < 0.06:
        return label.upper()
    if u < 0.1:
        for full, short in (("Sangat ", "Sgt "), ("Tidak ", "Tdk "), ("Kurang ", "Krg ")):
            if label.startswith(full):
                return short + label[len(full):].lower()
    if u < 0.12:
        return label.lower()
    return label


def make_google_forms_csv(out_dir, seed: int = 2025092410) -> Export:
    """Google Forms CSV of a Puskesmas SKM: question texts as headers, official labels as answers."""
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    sizes = _sizes(rng, len(_GF_UNITS))
    unit, scores, _dk = _scores(rng, {k: v[0] for k, v in _GF_UNITS.items()}, sizes, p_blank=0.02)
    n = unit.size
    people = _people(rng, n, ["dashed", "local", "intl_spaced", "local"])
    times = _times(rng, n, dt.datetime(2025, 9, 22), 10)
    special_q = "Apakah Saudara termasuk salah satu kelompok berikut? (boleh pilih lebih dari satu)"
    header = ["Stempel waktu", "Alamat email", "Unit layanan yang Saudara kunjungi",
              "Nama (boleh dikosongkan)", "Jenis kelamin", "Usia (tahun)", "Pendidikan terakhir",
              "Pekerjaan utama", "Nomor HP/WhatsApp",
              *[f"{i}. {QUESTIONS[k]}" for i, k in enumerate(ANNEX_ORDER, start=1)],
              special_q, "Kritik dan saran"]
    rows, personal = [], []
    spellings: dict[str, set] = {u: set() for u in _GF_UNITS}
    for i in range(n):
        p = people.iloc[i]
        opts = _GF_UNITS[unit[i]][1]
        w = np.array([o[1] for o in opts], dtype=float)
        spelled = opts[rng.choice(len(opts), p=w / w.sum())][0]
        spellings[unit[i]].add(spelled)
        nama = p["name"] if rng.random() < 0.7 else ""
        hp = p["phone"] if rng.random() < 0.8 else ""
        personal += [v for v in (p["email"], nama, hp) if v]
        answers = []
        for key in ANNEX_ORDER:
            s = scores.at[i, key]
            answers.append("" if np.isnan(s) else _gf_label(rng, key, int(s)))
        groups = _special_groups(rng, bool(p["female"]), int(p["age"]))
        saran = _saran(rng, p["phone"], p_contact=0.1) or ""
        if p["phone"] in saran:
            personal.append(p["phone"])
        rows.append([
            times[i][0].strftime("%d/%m/%Y %H:%M:%S"), p["email"], spelled, nama,
            "Perempuan" if p["female"] else "Laki-laki", str(int(p["age"])),
            _GF_EDU[min(5, max(0, int(rng.normal(2.4, 1.1))))], _GF_JOB[rng.integers(len(_GF_JOB))], hp,
            *answers, ", ".join(_GF_SPECIAL[g] for g in groups), saran,
        ])
    path = _write_csv(out_dir / "SKM Puskesmas Kota Surakarta 2025 (Jawaban).csv", header, rows,
                      quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    truth = _truth(unit, scores)
    spell = {u: tuple(sorted(s | {u})) for u, s in spellings.items()}
    return Export("google_forms_csv", path, None, truth, tuple(dict.fromkeys(personal)), spell)


# ---------------------------------------------------------------------------
# SPSS

_SAV_UNITS = {1: ("Dispendukcapil Kota Surakarta", 3.05), 2: ("Kecamatan Jebres", 3.2),
              3: ("Kecamatan Serengan", 2.9)}
_SAV_DATE = b"06 Oct 25"
_SAV_TIME = b"09:00:00"


def make_spss_sav(out_dir, seed: int = 2025100617) -> Export:
    """SPSS .sav of a university team: u1..u9 coded 1-4 (9 = Tidak tahu) with value labels."""
    import pyreadstat

    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    sizes = _sizes(rng, len(_SAV_UNITS))
    names = {code: lab for code, (lab, _lvl) in _SAV_UNITS.items()}
    unit, scores, dk = _scores(rng, {lab: lvl for lab, lvl in _SAV_UNITS.values()}, sizes,
                               p_blank=0.02, p_dont_know={"pengaduan": 0.15, "biaya": 0.04,
                                                          "kompetensi": 0.02})
    n = unit.size
    people = _people(rng, n, ["local"])
    code_of = {lab: code for code, lab in names.items()}
    df = pd.DataFrame({"no": np.arange(1, n + 1, dtype=float),
                       "unit": [float(code_of[u]) for u in unit],
                       "jk": np.where(people["female"], 2.0, 1.0),
                       "umur": people["age"].astype(float)})
    labels = {"no": "Nomor responden", "unit": "Unit pelayanan", "jk": "Jenis kelamin responden",
              "umur": "Umur responden (tahun)"}
    for i, key in enumerate(ANNEX_ORDER, start=1):
        v = scores[key].to_numpy(dtype=float).copy()
        v[dk[key].to_numpy()] = 9.0
        df[f"u{i}"] = v
        labels[f"u{i}"] = f"U{i}. {SHORT_QUESTIONS[key]}"
    kepuasan = {1.0: "Tidak puas", 2.0: "Kurang puas", 3.0: "Puas", 4.0: "Sangat puas", 9.0: "Tidak tahu"}
    value_labels = {"unit": {float(c): lab for c, lab in names.items()},
                    "jk": {1.0: "Laki-laki", 2.0: "Perempuan"},
                    **{f"u{i}": dict(kepuasan) for i in range(1, 10)}}
    path = out_dir / "data_skm_surakarta_2025.sav"
    pyreadstat.write_sav(
        df, str(path), file_label="SKM Dispendukcapil dan Kecamatan, Surakarta 2025",
        column_labels=labels, variable_value_labels=value_labels,
        variable_measure={"no": "scale", "unit": "nominal", "jk": "nominal", "umur": "scale",
                          **{f"u{i}": "ordinal" for i in range(1, 10)}},
        variable_format={"no": "F4.0", "unit": "F2.0", "jk": "F1.0", "umur": "F3.0",
                         **{f"u{i}": "F1.0" for i in range(1, 10)}},
    )
    # the file header's creation date (bytes 92-100) and time (101-108) -> fixed
    data = bytearray(path.read_bytes())
    if data[:4] != b"$FL2":
        raise RuntimeError(f"{path}: not an SPSS system file")
    data[92:101] = _SAV_DATE
    data[101:109] = _SAV_TIME
    path.write_bytes(bytes(data))
    truth = _truth(unit, scores)
    return Export("spss_sav", path, None, truth, (), {lab: (lab,) for lab in names.values()})


# ---------------------------------------------------------------------------
# a plain office spreadsheet

_BARE_UNITS = {"Kelurahan Sondakan": 3.1, "Kelurahan Purwosari": 2.85, "Kelurahan Kratonan": 3.3,
               "Kelurahan Joyotakan": 3.0}


def make_bare_scores_xlsx(out_dir, seed: int = 2025093008) -> Export:
    """The office's own sheet: No, Nama Responden, Unit Layanan, Jenis Kelamin, Umur, U1..U9.

    U1..U9 follow the regulation's list of unsur (``UNSUR``: U8 pengaduan,
    U9 sarana); nothing in the file says so.
    """
    from openpyxl import Workbook

    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    sizes = _sizes(rng, len(_BARE_UNITS))
    unit, scores, _dk = _scores(rng, _BARE_UNITS, sizes, p_blank=0.03)
    n = unit.size
    people = _people(rng, n, ["local"])
    header = ["No", "Nama Responden", "Unit Layanan", "Jenis Kelamin", "Umur",
              *[f"U{i}" for i in range(1, 10)]]
    rows, personal = [], []
    for i in range(n):
        p = people.iloc[i]
        personal.append(p["name"])
        row = [i + 1, p["name"], unit[i], "P" if p["female"] else "L", int(p["age"])]
        row += [None if np.isnan(scores.at[i, k]) else int(scores.at[i, k]) for k in UNSUR]
        rows.append(row)
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(header)
    for r in rows:
        ws.append(r)
    path = _save_xlsx(wb, out_dir / "Rekap SKM Kelurahan 2025.xlsx", "Admin Kelurahan")
    truth = _truth(unit, scores)
    return Export("bare_scores_xlsx", path, None, truth, tuple(personal),
                  {u: (u,) for u in _BARE_UNITS}, unsur_named=False)


# ---------------------------------------------------------------------------

_MAKERS = {
    "kobo_xlsx": make_kobo_xlsx,
    "odk_central_csv": make_odk_central_csv,
    "google_forms_csv": make_google_forms_csv,
    "spss_sav": make_spss_sav,
    "bare_scores_xlsx": make_bare_scores_xlsx,
    "kobo_labels_csv": make_kobo_labels_csv,
}


def make_all(out_dir) -> dict[str, Export]:
    """Write the six exports, each in its own sub-folder ``out_dir/<shape>/``."""
    out_dir = Path(out_dir)
    exports = {}
    for name, make in _MAKERS.items():
        sub = out_dir / name
        sub.mkdir(parents=True, exist_ok=True)
        exports[name] = make(sub)
    return exports


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="folder to write the exports into")
    args = parser.parse_args(argv)
    exports = make_all(args.out_dir)
    for name, e in exports.items():
        print(f"{name}: {e.path} ({len(e.truth)} rows, {e.truth['unit'].nunique()} units)"
              + (f", form {e.form}" if e.form else ""))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
