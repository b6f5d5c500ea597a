"""Build the SYNTHETIC sample survey of clem, byte for byte, from a fixed seed.

    python data/make_sample.py            # rewrites data/raw/clem_surakarta_sample.csv
                                          # and data/checklist.csv
    python data/make_sample.py --check    # exit 1 if the committed files differ

Nothing here is real: every respondent, name, NIK, phone number, address and
answer is invented. The survey imitates a KoboToolbox CSV export (``;``
separated, group-prefixed column names, ``_uuid``, ``_submission_time``) of a
Community Led Monitoring round in Surakarta: Dispendukcapil and the five
kecamatan, two rounds (baseline and follow-up). The effects it plants are
documented in ``data/README.md``; tests use them as oracles.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import uuid
from pathlib import Path

import numpy as np
from scipy.stats import norm

SEED = 20131128
HERE = Path(__file__).resolve().parent
SURVEY_CSV = HERE / "raw" / "clem_surakarta_sample.csv"
CHECKLIST_CSV = HERE / "checklist.csv"

UNSUR = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
         "pengaduan", "sarana"]
# per-unsur offset of the mean score around the unit's level (sums to zero)
UNSUR_OFFSET = np.array([0.05, 0.0, -0.2, 0.2, 0.15, 0.05, 0.1, -0.25, -0.1])
HARAPAN_MEAN = np.array([3.3, 3.35, 3.55, 3.45, 3.3, 3.35, 3.4, 3.25, 3.4])

# unit -> (kecamatan code in NIK, IKM target round 1, IKM target round 2)
UNITS = {
    "Dispendukcapil": (None, 79.0, 86.0),   # improves clearly after the hearing
    "Kec. Laweyan": ("01", 82.0, 82.5),
    "Kec. Serengan": ("02", 80.0, 80.5),
    "Kec. Pasar Kliwon": ("03", 72.5, 73.0),  # below grade B (76.61) in both rounds
    "Kec. Jebres": ("04", 83.0, 83.0),
    "Kec. Banjarsari": ("05", 80.5, 81.0),
}
# facilities sampled inside two kecamatan: unit -> (kecamatan code, IKM round 1, round 2, sector,
# interviews per round). Their rows come from a second random stream (SEED + 2), so the six units
# above keep every answer they had before the facilities were added.
FACILITIES = {
    "Kel. Joyotakan": ("02", 84.0, 84.5, "adminduk", 45),
    "Puskesmas Kratonan": ("02", 82.0, 83.0, "kesehatan", 45),
    "SD Negeri Danukusuman": ("02", 81.0, 81.5, "pendidikan", 40),
    "Kel. Semanggi": ("03", 80.0, 80.5, "adminduk", 45),
    "Puskesmas Sangkrah": ("03", 70.0, 71.0, "kesehatan", 45),  # pulls Pasar Kliwon down
    "SD Negeri Semanggi": ("03", 79.0, 79.5, "pendidikan", 40),
}
SARANA_GAP = 0.45  # special-group users score sarana this much lower (1-4 scale)
PCT_NOT_FRIENDLY = 0.53
UNIT_SPELLINGS = {
    "Dispendukcapil": [("Dispendukcapil", 60), ("DISPENDUKCAPIL", 15),
                       ("Dinas Kependudukan dan Pencatatan Sipil", 15), ("Disdukcapil", 10)],
    "Kec. Laweyan": [("Kec. Laweyan", 60), ("Kecamatan Laweyan", 20), ("LAWEYAN", 10), ("laweyan", 5),
                     ("Kec Lawean", 5)],
    "Kec. Serengan": [("Kec. Serengan", 60), ("Kecamatan Serengan", 20), ("SERENGAN", 10), ("serengan", 5),
                      ("Kec Serengan ", 5)],
    "Kec. Pasar Kliwon": [("Kec. Pasar Kliwon", 55), ("Kecamatan Pasar Kliwon", 20), ("PASAR KLIWON", 10),
                          ("Ps. Kliwon", 10), ("Pasarkliwon", 5)],
    "Kec. Jebres": [("Kec. Jebres", 60), ("Kecamatan Jebres", 20), ("JEBRES", 15), ("jebres", 5)],
    "Kec. Banjarsari": [("Kec. Banjarsari", 60), ("Kecamatan Banjarsari", 20), ("BANJARSARI", 10),
                        ("Banjar Sari", 10)],
    "Kel. Joyotakan": [("Kel. Joyotakan", 70), ("Kelurahan Joyotakan", 20), ("JOYOTAKAN", 10)],
    "Puskesmas Kratonan": [("Puskesmas Kratonan", 70), ("PKM Kratonan", 20), ("puskesmas kratonan", 10)],
    "SD Negeri Danukusuman": [("SD Negeri Danukusuman", 60), ("SDN Danukusuman", 30), ("SD N Danukusuman", 10)],
    "Kel. Semanggi": [("Kel. Semanggi", 70), ("Kelurahan Semanggi", 20), ("SEMANGGI", 10)],
    "Puskesmas Sangkrah": [("Puskesmas Sangkrah", 70), ("PKM Sangkrah", 20), ("Pusk. Sangkrah", 10)],
    "SD Negeri Semanggi": [("SD Negeri Semanggi", 60), ("SDN Semanggi", 30), ("SD N Semanggi", 10)],
}
KELURAHAN = {
    "01": ["Pajang", "Sondakan", "Bumi", "Penumping", "Purwosari"],
    "02": ["Joyotakan", "Danukusuman", "Kratonan", "Tipes"],
    "03": ["Joyosuran", "Semanggi", "Baluwarti", "Kedung Lumbu"],
    "04": ["Mojosongo", "Pucangsawit", "Jagalan", "Tegalharjo"],
    "05": ["Nusukan", "Gilingan", "Kadipiro", "Manahan"],
}
STREETS = ["Slamet Riyadi", "Veteran", "Kapten Mulyadi", "Adi Sucipto", "Yos Sudarso", "Ir. Juanda",
           "Kolonel Sutarto", "Brigjen Katamso", "Dr. Radjiman", "Honggowongso", "Samratulangi",
           "Ahmad Yani", "Tentara Pelajar", "Sumpah Pemuda", "Kahuripan", "Cempaka"]
FIRST_F = ["Sri", "Siti", "Endang", "Rina", "Yuni", "Dwi", "Tri", "Wulan", "Suparmi", "Lestari",
           "Ratna", "Nur", "Kartini", "Sumarni", "Ani", "Eni", "Puji", "Retno", "Dewi", "Sulastri"]
FIRST_M = ["Budi", "Agus", "Eko", "Wahyu", "Slamet", "Joko", "Bambang", "Sutrisno", "Purwanto",
           "Hartono", "Yanto", "Heru", "Bayu", "Dimas", "Teguh", "Sugeng", "Rudi", "Anton", "Priyo", "Arif"]
LAST = ["Rahayu", "Setiawan", "Nugroho", "Kurniawati", "Handayani", "Prasetyo", "Susanti", "Hidayat",
        "Utami", "Saputra", "Wibowo", "Santoso", "Wulandari", "Purnomo", "Hartati", "Sulistyo",
        "Widodo", "Lestari", "Mulyono", "Pratiwi"]
SERVICES = {
    "adminduk": [("KTP Elektronik", .35, 14, 0), ("Kartu Keluarga", .25, 7, 0), ("Akta kelahiran", .2, 7, 0),
                 ("Akta kematian", .08, 7, 0), ("Pindah datang", .12, 3, 0)],
    "kesehatan": [("Rawat jalan", .5, 1, 5000), ("Pemeriksaan ibu hamil", .15, 1, 0),
                  ("Imunisasi", .2, 1, 0), ("Pemeriksaan lansia", .15, 1, 0)],
    "pendidikan": [("PPDB", .6, 14, 0), ("Legalisir ijazah", .2, 3, 0), ("Beasiswa KIP", .2, 30, 0)],
}
SERVICE_VARIANTS = {"KTP Elektronik": ["KTP", "e-KTP", "ktp elektronik"], "Kartu Keluarga": ["KK"],
                    "Akta kelahiran": ["Akte kelahiran", "akta kelahiran"], "Rawat jalan": ["Berobat", "rawat jalan"],
                    "PPDB": ["ppdb", "PPDB online"], "Imunisasi": ["imunisasi"]}
SECTOR_LABEL = {"adminduk": ("Administrasi Kependudukan", ["Adminduk", "adminduk"]),
                "kesehatan": ("Kesehatan", ["KESEHATAN", "Puskesmas"]),
                "pendidikan": ("Pendidikan", ["pendidikan", "Sekolah"])}
KEPUASAN = {1: ("Tidak puas", ["tidak puas", "TIDAK PUAS", "Tdk puas", "Tidak puas ", "Tidak baik"], ["Tidak puaas"]),
            2: ("Kurang puas", ["kurang puas", "KURANG PUAS", "Krg puas", "Kurang  puas", "Kurang baik"], ["Kurang pus"]),
            3: ("Puas", ["puas", "PUAS", "Puas ", "Baik", "Cukup puas"], ["Puass"]),
            4: ("Sangat puas", ["SANGAT PUAS ", "sangat puas", "Sgt puas", "sgt. puas", "Sangat baik"], ["Sangat puass"])}
KEPENTINGAN = {1: ("Tidak penting", ["tidak penting", "Tdk penting"], ["Tidak pentig"]),
               2: ("Kurang penting", ["kurang penting", "Krg penting"], ["Kurang pentng"]),
               3: ("Penting", ["penting", "PENTING"], ["Pentng"]),
               4: ("Sangat penting", ["SANGAT PENTING", "Sgt penting", "sangat penting "], ["Sangat pentig"])}
YA_TIDAK = {True: ("Ya", ["ya", "YA", "Iya", "Y"], ["Yaa"]),
            False: ("Tidak", ["tidak", "TIDAK", "Tdk", "T"], ["Tidka"])}
DK = ["Tidak tahu", "TT", "99"]
SARAN = [
    "Antrean terlalu lama, mohon ditambah loketnya",
    "Perlu loket khusus untuk lansia dan disabilitas",
    "Petugas sudah ramah, pertahankan",
    "Toilet kurang bersih",
    "Tolong sediakan kursi roda dan jalur landai",
    "Biaya tambahan di luar ketentuan sebaiknya dihapus",
    "Informasi persyaratan kurang jelas",
    "Pelayanan sudah baik",
    "Perlu ruang laktasi untuk ibu menyusui",
    "Jam pelayanan mohon ditepati",
    "Tempat parkir sempit",
    "Sistem online sering error",
    "- antrean panjang, AC ruang tunggu mati",
    "+ tambah petugas di loket",
    "@petugas loket mohon lebih sigap",
    "=perbaiki ruang tunggu",
    "Calo masih berkeliaran di depan kantor",
    "Papan informasi biaya tidak ada",
]
CHECK_COMPONENTS = [
    ("penyampaian", "Persyaratan"), ("penyampaian", "Sistem, mekanisme, dan prosedur"),
    ("penyampaian", "Jangka waktu pelayanan"), ("penyampaian", "Biaya/tarif"),
    ("penyampaian", "Produk pelayanan"), ("penyampaian", "Penanganan pengaduan, saran, dan masukan"),
    ("pengelolaan", "Dasar hukum"), ("pengelolaan", "Sarana dan prasarana, dan/atau fasilitas"),
    ("pengelolaan", "Kompetensi pelaksana"), ("pengelolaan", "Pengawasan internal"),
    ("pengelolaan", "Jumlah pelaksana"), ("pengelolaan", "Jaminan pelayanan"),
    ("pengelolaan", "Jaminan keamanan dan keselamatan pelayanan"), ("pengelolaan", "Evaluasi kinerja pelaksana"),
    ("aksesibilitas", "Ramp / jalur landai"), ("aksesibilitas", "Loket atau antrean prioritas"),
    ("aksesibilitas", "Toilet ramah disabilitas"), ("aksesibilitas", "Kursi tunggu prioritas"),
    ("aksesibilitas", "Papan petunjuk"), ("aksesibilitas", "Informasi biaya dan waktu terpampang"),
]
HEADER = [
    "start", "end", "identitas/enumerator", "identitas/tanggal", "identitas/putaran", "identitas/kecamatan",
    "identitas/sektor", "identitas/layanan", "identitas/persetujuan",
    "responden/nama", "responden/nik", "responden/no_hp", "responden/alamat",
    "responden/jenis_kelamin", "responden/umur", "responden/pendidikan", "responden/penghasilan",
    "responden/kelompok_khusus", "layanan/cara_mengurus",
    *[f"skm/u{i + 1}_{k}" for i, k in enumerate(UNSUR)], "skm/kepuasan_umum",
    *[f"harapan/h{i + 1}_{k}" for i, k in enumerate(UNSUR)],
    "crc/fasilitas_ramah", "crc/ada_masalah", "crc/masalah_selesai", "crc/bayar_lebih", "crc/jumlah_lebih",
    "crc/biaya_dibayar", "crc/tarif_resmi", "crc/lama_hari", "crc/standar_hari", "crc/waktu_tunggu_menit",
    "crc/tahu_pengaduan", "saran/saran",
    "_id", "_uuid", "_submission_time", "_validation_status", "_index",
]


def _score_curve(sd):
    """Latent mean -> expected score on 1..4 (cuts at 1.5, 2.5, 3.5)."""
    grid = np.linspace(-2.0, 7.0, 9001)
    expected = 1 + sum(norm.cdf((grid - c) / sd) for c in (1.5, 2.5, 3.5))
    return grid, expected


def _latent_for(mean_score, sd):
    grid, expected = _score_curve(sd)
    return np.interp(mean_score, expected, grid)


def _cut(z):
    return 1 + (z > 1.5).astype(int) + (z > 2.5).astype(int) + (z > 3.5).astype(int)


def _pick(rng, options, n):
    """Spelling per row from [(text, weight), ...]."""
    texts = [o[0] for o in options]
    w = np.array([o[1] for o in options], dtype=float)
    return np.array(texts, dtype=object)[rng.choice(len(texts), size=n, p=w / w.sum())]


def _labels(rng, values, table, *, p_variant=0.08, p_code=0.03, p_typo=0.004, p_dk=0.0, p_off=0.0,
            off=("5", "0")):
    """Render codes as the labels an enumerator's tablet (and fingers) produce."""
    n = len(values)
    out = np.empty(n, dtype=object)
    u = rng.random(n)
    pick = rng.integers(0, 1000, size=n)
    for code, (label, variants, typos) in table.items():
        m = values == code
        out[m] = label
        mv = m & (u < p_variant)
        out[mv] = np.array(variants, dtype=object)[pick[mv] % len(variants)]
        mc = m & (u >= p_variant) & (u < p_variant + p_code)
        out[mc] = str(code if not isinstance(code, (bool, np.bool_)) else int(code))
        mt = m & (u >= p_variant + p_code) & (u < p_variant + p_code + p_typo)
        out[mt] = np.array(typos, dtype=object)[pick[mt] % len(typos)]
    v = rng.random(n)
    md = v < p_dk
    out[md] = np.array(DK, dtype=object)[pick[md] % len(DK)]
    mo = (v >= p_dk) & (v < p_dk + p_off)
    out[mo] = np.array(off, dtype=object)[pick[mo] % len(off)]
    return out


def _unit_plan():
    rows = []
    for rnd in (1, 2):
        for unit in UNITS:
            if unit == "Dispendukcapil":
                rows += [(rnd, unit, "adminduk")] * 130
            else:
                rows += [(rnd, unit, "adminduk")] * 42 + [(rnd, unit, "kesehatan")] * 42 \
                    + [(rnd, unit, "pendidikan")] * 40
    return rows


def _facility_plan():
    return [(rnd, unit, spec[3]) for rnd in (1, 2) for unit, spec in FACILITIES.items()
            for _ in range(spec[4])]


def _targets(unit, rnd):
    spec = UNITS[unit] if unit in UNITS else FACILITIES[unit]
    return spec[1] if rnd == 1 else spec[2]


def _kecamatan_code(unit):
    return UNITS[unit][0] if unit in UNITS else FACILITIES[unit][0]


def build_respondents(rng, rows):
    rnd = np.array([r[0] for r in rows])
    unit = np.array([r[1] for r in rows], dtype=object)
    sector = np.array([r[2] for r in rows], dtype=object)
    n = len(rows)
    d = {"round": rnd, "unit": unit, "sector": sector}

    # service, fee, standard days
    service = np.empty(n, dtype=object)
    fee = np.zeros(n)
    std_days = np.zeros(n)
    for sec, opts in SERVICES.items():
        m = sector == sec
        p = np.array([o[1] for o in opts])
        idx = rng.choice(len(opts), size=m.sum(), p=p / p.sum())
        service[m] = np.array([o[0] for o in opts], dtype=object)[idx]
        std_days[m] = np.array([o[2] for o in opts])[idx]
        fee[m] = np.array([o[3] for o in opts])[idx]
    d.update(service=service, official_fee=fee, standard_days=std_days)

    # demographics and special groups
    female = rng.random(n) < 0.55
    age = np.where(rng.random(n) < 0.16, rng.integers(60, 83, n), rng.integers(18, 60, n))
    lansia_svc = service == "Pemeriksaan lansia"
    age = np.where(lansia_svc, rng.integers(60, 86, n), age)
    hamil_svc = service == "Pemeriksaan ibu hamil"
    female |= hamil_svc
    age = np.where(hamil_svc, rng.integers(19, 41, n), age)
    pregnant = hamil_svc | (female & (age >= 19) & (age <= 40) & (rng.random(n) < 0.03))
    with_child = (service == "Imunisasi") | ((service == "Akta kelahiran") & (rng.random(n) < 0.5)) \
        | ((service == "PPDB") & (rng.random(n) < 0.3)) | (rng.random(n) < 0.04)
    elderly = age >= 60
    disability = rng.random(n) < np.where(elderly, 0.10, 0.04)
    special = disability | elderly | pregnant | with_child
    d.update(female=female, age=age, pregnant=pregnant, with_child=with_child, elderly=elderly,
             disability=disability, special=special)
    d["education"] = rng.choice(5, size=n, p=[.2, .22, .38, .08, .12])
    d["income"] = rng.choice(4, size=n, p=[.25, .35, .25, .15])

    # channel
    p_broker = np.select([unit == "Dispendukcapil", sector == "adminduk", sector == "pendidikan"],
                         [0.32, 0.25, 0.08], 0.03)
    broker = rng.random(n) < p_broker
    d["broker"] = broker

    # IKM answers: latent normal, cut into 1..4, calibrated to the unit's IKM target
    sd_a, sd_e = 0.35, 0.55
    sd = np.hypot(sd_a, sd_e)
    target = np.array([_targets(u, r) for u, r in zip(unit, rnd)]) / 25.0
    # the sarana gap of special-group users lowers the unit mean; compensate in the target
    target = target + SARANA_GAP * special.mean() / len(UNSUR)
    mean = target[:, None] + UNSUR_OFFSET[None, :]
    mean[:, UNSUR.index("sarana")] -= np.where(special, SARANA_GAP, 0.0)
    mean = np.clip(mean, 1.05, 3.95)
    latent_mean = _latent_for(mean, sd)
    a = rng.normal(0, sd_a, size=(n, 1))
    z = latent_mean + a + rng.normal(0, sd_e, size=(n, len(UNSUR)))
    # residual correlation enters through a; the marginal sd is sd as calibrated
    scores = _cut(z)
    hz = _latent_for(HARAPAN_MEAN[None, :] + np.where(special, 0.1, 0.0)[:, None], np.hypot(.3, .45)) \
        + rng.normal(0, .3, size=(n, 1)) + rng.normal(0, .45, size=(n, len(UNSUR)))
    harapan = _cut(hz)
    overall = _cut(scores.mean(axis=1) + rng.normal(0, 0.35, n))
    d.update(scores=scores, harapan=harapan, overall=overall)

    # facilities friendly to special groups: exactly 53 % say no
    p_special = 0.62
    n_s, n_o = special.sum(), (~special).sum()
    k_s = int(round(p_special * n_s))
    k_o = int(round(PCT_NOT_FRIENDLY * n)) - k_s
    not_friendly = np.zeros(n, dtype=bool)
    for m, k in ((special, k_s), (~special, k_o)):
        idx = np.flatnonzero(m)
        not_friendly[rng.permutation(idx)[:k]] = True
    d["friendly"] = ~not_friendly

    # problems and complaints
    dis = unit == "Dispendukcapil"
    low = (unit == "Kec. Pasar Kliwon") | (unit == "Puskesmas Sangkrah")
    p_prob = np.select([low, dis & (rnd == 1), dis & (rnd == 2)], [0.35, 0.30, 0.15], 0.22)
    had_problem = rng.random(n) < p_prob
    resolved = had_problem & (rng.random(n) < 0.55)
    knows = rng.random(n) < np.where(dis & (rnd == 2), 0.55, 0.35)
    d.update(had_problem=had_problem, resolved=resolved, knows=knows)

    # costs: brokers cost money; some in-person users pay pungutan liar
    p_extra = np.where(broker, 0.93, np.where(unit == "Kec. Pasar Kliwon", 0.15, 0.07))
    paid_extra = rng.random(n) < p_extra
    small = rng.choice([5000, 10000, 20000, 25000, 50000], size=n)
    big = np.maximum(20000, np.round(rng.lognormal(np.log(150000), 0.5, n), -4))
    extra = np.where(paid_extra, np.where(broker, big, small), 0)
    d.update(paid_extra=paid_extra, extra=extra, cost=fee + extra)

    # time: brokers get the product faster and wait less at the counter
    days = np.maximum(1, np.round(std_days * rng.lognormal(0.05, 0.45, n)))
    days = np.where(broker, np.maximum(1, np.round(days * 0.45)), days)
    wait = np.where(broker, rng.gamma(2, 10, n), rng.gamma(3, 25, n))
    d.update(days=days, wait=np.maximum(5, np.round(wait / 5) * 5))

    # interview timing
    minutes = 12 + rng.gamma(4, 4, n)
    d["minutes"] = minutes
    return d


def _weekdays(start, end):
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1)
    return days[np.is_busday(days)]


def render(rng, d, *, plant=True):
    """The export's columns for the respondents ``d``; ``plant`` adds the planted speeders,
    straight-liners, personal data in suggestions and the impossible date."""
    n = len(d["round"])
    rnd, unit, sector = d["round"], d["unit"], d["sector"]
    units = list(UNITS) + list(FACILITIES)
    uidx = np.array([units.index(u) for u in unit])
    enum = np.array([f"E{2 * i + 1 + k:02d}" for i, k in zip(uidx, rng.integers(0, 2, n))], dtype=object)
    r1, r2 = _weekdays("2024-03-04", "2024-03-28"), _weekdays("2024-09-02", "2024-09-27")
    day = np.where(rnd == 1, r1[rng.integers(0, len(r1), n)], r2[rng.integers(0, len(r2), n)])
    start_s = rng.integers(8 * 3600, 14 * 3600, n)
    start = day.astype("datetime64[s]") + start_s.astype("timedelta64[s]")

    # planted speeders and straight-liners
    minutes = d["minutes"].copy()
    scores = d["scores"].copy()
    if plant:
        speeders = rng.choice(n, size=24, replace=False)
        minutes[speeders] = rng.uniform(2.0, 5.0, size=24)
        rest = np.setdiff1d(np.arange(n), speeders)
        straight = rng.choice(rest, size=22, replace=False)
        scores[straight] = np.clip(np.round(scores[straight].mean(axis=1)), 1, 4).astype(int)[:, None]
    end = start + np.round(minutes * 60).astype("timedelta64[s]")
    sub = end - np.timedelta64(7, "h") + rng.integers(60, 6 * 3600, n).astype("timedelta64[s]")

    def iso_local(t):
        ms = rng.integers(0, 1000, n)
        return np.array([f"{str(x)}.{m:03d}+07:00" for x, m in zip(t, ms)], dtype=object)

    cols = {}
    cols["start"] = iso_local(start)
    cols["end"] = iso_local(end)
    cols["identitas/enumerator"] = enum
    date_txt = np.array([str(x) for x in day], dtype=object)
    cols["identitas/tanggal"] = date_txt
    cols["identitas/putaran"] = rnd.astype(str).astype(object)
    unit_txt = np.empty(n, dtype=object)
    for u in units:
        m = unit == u
        unit_txt[m] = _pick(rng, UNIT_SPELLINGS[u], m.sum())
    cols["identitas/kecamatan"] = unit_txt
    sec_txt = np.empty(n, dtype=object)
    v = rng.random(n)
    for s, (label, variants) in SECTOR_LABEL.items():
        m = sector == s
        sec_txt[m] = label
        mv = m & (v < 0.1)
        sec_txt[mv] = np.array(variants, dtype=object)[rng.integers(0, len(variants), mv.sum())]
    cols["identitas/sektor"] = sec_txt
    svc = d["service"].copy()
    v = rng.random(n)
    for s, variants in SERVICE_VARIANTS.items():
        m = (svc == s) & (v < 0.15)
        svc[m] = np.array(variants, dtype=object)[rng.integers(0, len(variants), m.sum())]
    cols["identitas/layanan"] = svc
    cols["identitas/persetujuan"] = np.where(rng.random(n) < 0.05, "ya", "Ya").astype(object)

    # fake personal data
    female = d["female"]
    first = np.where(female, np.array(FIRST_F, dtype=object)[rng.integers(0, 20, n)],
                     np.array(FIRST_M, dtype=object)[rng.integers(0, 20, n)])
    last = np.array(LAST, dtype=object)[rng.integers(0, len(LAST), n)]
    cols["responden/nama"] = np.array([f"{a} {b}" for a, b in zip(first, last)], dtype=object)
    kec = np.array([_kecamatan_code(u) or f"0{rng.integers(1, 6)}" for u in unit], dtype=object)
    birth_year = 2024 - d["age"]
    bday = rng.integers(1, 29, n) + np.where(female, 40, 0)
    bmon = rng.integers(1, 13, n)
    serial = rng.integers(1, 3000, n)
    nik = np.array([f"3372{k}{dd:02d}{mm:02d}{yy % 100:02d}{s:04d}"
                    for k, dd, mm, yy, s in zip(kec, bday, bmon, birth_year, serial)], dtype=object)
    cols["responden/nik"] = nik
    prefix = np.array(["812", "813", "821", "822", "852", "857", "877", "878", "881", "895", "896"], dtype=object)
    pre = prefix[rng.integers(0, len(prefix), n)]
    body = rng.integers(10_000_000, 99_999_999, n)
    plus = rng.random(n) < 0.2
    phone = np.array([f"+62 {p}-{str(b)[:4]}-{str(b)[4:]}" if pl else f"0{p}{b}"
                      for p, b, pl in zip(pre, body, plus)], dtype=object)
    cols["responden/no_hp"] = phone
    kel = np.array([KELURAHAN[k][i % len(KELURAHAN[k])] for k, i in zip(kec, rng.integers(0, 100, n))],
                   dtype=object)
    street = np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), n)]
    cols["responden/alamat"] = np.array(
        [f"Jl. {s} No. {no}, RT {rt:02d}/RW {rw:02d}, {k}, Surakarta"
         for s, no, rt, rw, k in zip(street, rng.integers(1, 200, n), rng.integers(1, 12, n),
                                      rng.integers(1, 20, n), kel)], dtype=object)

    cols["responden/jenis_kelamin"] = _labels(
        rng, np.where(female, 1, 2),
        {1: ("Perempuan", ["perempuan", "PEREMPUAN", "P", "Wanita"], ["Perempaun"]),
         2: ("Laki-laki", ["laki-laki", "Laki laki", "L", "LAKI-LAKI", "Pria"], ["Laki-lak"])},
        p_code=0.0, p_typo=0.003)
    age_txt = d["age"].astype(str).astype(object)
    bad_age = rng.choice(n, size=4, replace=False)
    age_txt[bad_age] = np.array(["250", "2", "340", "0"], dtype=object)
    cols["responden/umur"] = age_txt
    edu = {0: ("Tidak sekolah / SD", ["SD", "Tidak tamat SD"], ["SD sedrajat"]),
           1: ("SMP", ["smp", "SLTP"], ["SPM"]),
           2: ("SMA/SMK", ["SMA", "SMK", "sma"], ["SMAK"]),
           3: ("Diploma", ["D3", "D1"], ["Diplma"]),
           4: ("S1 ke atas", ["S1", "S2", "Sarjana"], ["S1 keatas"])}
    cols["responden/pendidikan"] = _labels(rng, d["education"], edu, p_code=0.0, p_typo=0.002)
    inc = np.array(["< Rp 1 juta", "Rp 1 - 2 juta", "Rp 2 - 3 juta", "> Rp 3 juta"], dtype=object)
    cols["responden/penghasilan"] = inc[d["income"]]
    parts = np.empty(n, dtype=object)
    for i in range(n):
        groups = [name for name, flag in (("disabilitas", d["disability"][i]), ("lansia", d["elderly"][i]),
                                          ("ibu_hamil", d["pregnant"][i]), ("anak", d["with_child"][i])) if flag]
        parts[i] = " ".join(groups) if groups else "tidak_ada"
    cols["responden/kelompok_khusus"] = parts
    cols["layanan/cara_mengurus"] = _labels(
        rng, np.where(d["broker"], 2, 1),
        {1: ("Datang sendiri", ["datang sendiri", "Sendiri", "DATANG SENDIRI"], ["Datang sendri"]),
         2: ("Melalui biro jasa / calo", ["Biro jasa", "Calo", "lewat calo"], ["biro jsa"])},
        p_code=0.0, p_typo=0.002)

    for i, k in enumerate(UNSUR):
        cols[f"skm/u{i + 1}_{k}"] = _labels(rng, scores[:, i], KEPUASAN, p_dk=0.012, p_off=0.002)
    cols["skm/kepuasan_umum"] = _labels(rng, d["overall"], KEPUASAN, p_dk=0.01, p_off=0.001)
    for i, k in enumerate(UNSUR):
        cols[f"harapan/h{i + 1}_{k}"] = _labels(rng, d["harapan"][:, i], KEPENTINGAN, p_dk=0.01, p_off=0.001)

    def yn(values, p_dk=0.01):
        return _labels(rng, values, YA_TIDAK, p_dk=p_dk, p_code=0.0, p_typo=0.002)

    cols["crc/fasilitas_ramah"] = yn(d["friendly"], p_dk=0.02)
    cols["crc/ada_masalah"] = yn(d["had_problem"])
    res = yn(d["resolved"])
    res[~d["had_problem"]] = ""
    cols["crc/masalah_selesai"] = res
    cols["crc/bayar_lebih"] = yn(d["paid_extra"], p_dk=0.0)
    extra_txt = np.where(d["paid_extra"], d["extra"].astype(int).astype(str), "").astype(object)
    cols["crc/jumlah_lebih"] = extra_txt
    cost_txt = d["cost"].astype(int).astype(str).astype(object)
    dots = rng.random(n) < 0.05
    cost_txt[dots] = np.array([f"{int(c):,}".replace(",", ".") for c in d["cost"][dots]], dtype=object)
    neg = rng.choice(np.flatnonzero(d["cost"] > 0), size=3, replace=False)
    cost_txt[neg] = np.array(["-" + str(int(c)) for c in d["cost"][neg]], dtype=object)
    cols["crc/biaya_dibayar"] = cost_txt
    cols["crc/tarif_resmi"] = d["official_fee"].astype(int).astype(str).astype(object)
    cols["crc/lama_hari"] = d["days"].astype(int).astype(str).astype(object)
    cols["crc/standar_hari"] = d["standard_days"].astype(int).astype(str).astype(object)
    cols["crc/waktu_tunggu_menit"] = d["wait"].astype(int).astype(str).astype(object)
    cols["crc/tahu_pengaduan"] = yn(d["knows"])

    saran = np.full(n, "", dtype=object)
    has = rng.random(n) < 0.4
    saran[has] = np.array(SARAN, dtype=object)[rng.integers(0, len(SARAN), has.sum())]
    n_pii = 45 if plant else 0
    pii_rows = rng.choice(np.flatnonzero(has), size=n_pii, replace=False)
    kinds = rng.integers(0, 4, n_pii)
    for r, kind in zip(pii_rows, kinds):
        if kind == 0:
            saran[r] = f"{saran[r]}. Hubungi saya di {cols['responden/no_hp'][r]}"
        elif kind == 1:
            saran[r] = f"NIK saya {cols['responden/nik'][r]} belum masuk data. {saran[r]}"
        elif kind == 2:
            nm = cols["responden/nama"][r].lower().replace(" ", ".")
            saran[r] = f"{saran[r]}, kabari lewat email {nm}{r % 90 + 10}@gmail.com"
        else:
            saran[r] = f"WA {cols['responden/no_hp'][r]} kalau sudah jadi"
    cols["saran/saran"] = saran

    # one planted impossible interview date
    if plant:
        fut = rng.choice(n, size=1)
        cols["identitas/tanggal"][fut] = "2062-03-14"

    cols["_uuid"] = np.array([str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)], dtype=object)
    cols["_submission_time"] = np.array([str(x) for x in sub], dtype=object)
    cols["_validation_status"] = np.full(n, "", dtype=object)
    return cols, sub


def add_noise_rows(rng, cols, sub):
    """Refusals, re-sent submissions (same uuid) and double taps (new uuid, minutes later)."""
    n = len(sub)
    extra_rows, extra_sub = [], []
    # refusals: consent no, only identification filled
    for i in rng.choice(n, size=36, replace=False):
        row = {k: ("" if k.split("/")[0] in ("responden", "skm", "harapan", "crc", "saran", "layanan") else v[i])
               for k, v in cols.items()}
        row["identitas/persetujuan"] = ["Tidak", "tidak", "TIDAK"][i % 3]
        row["_uuid"] = str(uuid.UUID(bytes=rng.bytes(16), version=4))
        t = sub[i] + np.timedelta64(int(rng.integers(300, 4000)), "s")
        row["_submission_time"] = str(t)
        extra_rows.append(row)
        extra_sub.append(t)
    # same uuid sent twice (sync retry): identical row, later submission time
    for i in rng.choice(n, size=12, replace=False):
        row = {k: v[i] for k, v in cols.items()}
        t = sub[i] + np.timedelta64(int(rng.integers(2 * 3600, 30 * 3600)), "s")
        row["_submission_time"] = str(t)
        extra_rows.append(row)
        extra_sub.append(t)
    # double tap: same answers, new uuid, 1-4 minutes later
    for i in rng.choice(n, size=14, replace=False):
        row = {k: v[i] for k, v in cols.items()}
        row["_uuid"] = str(uuid.UUID(bytes=rng.bytes(16), version=4))
        t = sub[i] + np.timedelta64(int(rng.integers(60, 240)), "s")
        row["_submission_time"] = str(t)
        extra_rows.append(row)
        extra_sub.append(t)
    for k in cols:
        cols[k] = np.concatenate([cols[k], np.array([r[k] for r in extra_rows], dtype=object)])
    return cols, np.concatenate([sub, np.array(extra_sub, dtype="datetime64[s]")])


def survey_csv(seed=SEED) -> str:
    rng = np.random.default_rng(seed)
    d = build_respondents(rng, _unit_plan())
    cols, sub = render(rng, d)
    cols, sub = add_noise_rows(rng, cols, sub)
    rng_f = np.random.default_rng(seed + 2)
    cols_f, sub_f = render(rng_f, build_respondents(rng_f, _facility_plan()), plant=False)
    cols = {k: np.concatenate([v, cols_f[k]]) for k, v in cols.items()}
    sub = np.concatenate([sub, sub_f])
    order = np.lexsort((cols["_uuid"], sub))
    n = len(order)
    cols = {k: v[order] for k, v in cols.items()}
    cols["_id"] = (np.arange(n) + 41_250_001).astype(str).astype(object)
    cols["_index"] = (np.arange(n) + 1).astype(str).astype(object)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(HEADER)
    for i in range(n):
        w.writerow([cols[h][i] for h in HEADER])
    return buf.getvalue()


def checklist_csv(seed=SEED) -> str:
    rng = np.random.default_rng(seed + 1)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["unit", "round", "component", "category", "present"])
    for unit in UNITS:
        u1 = rng.random(len(CHECK_COMPONENTS))
        u2 = rng.random(len(CHECK_COMPONENTS))
        for rnd in (1, 2):
            for j, (cat, comp) in enumerate(CHECK_COMPONENTS):
                access = cat == "aksesibilitas"
                if unit == "Dispendukcapil":
                    p1 = 0.35 if access else 0.65
                    present = u1[j] < p1 if rnd == 1 else (u1[j] < p1 or u2[j] < 0.85)
                elif unit == "Kec. Pasar Kliwon":
                    present = u1[j] < (0.2 if access else 0.45)
                else:
                    present = u1[j] < (0.4 if access else 0.75)
                w.writerow([unit, rnd, comp, cat, "ya" if present else "tidak"])
    rng_f = np.random.default_rng(seed + 3)
    for unit, (_, _, _, sector, _) in FACILITIES.items():
        u1 = rng_f.random(len(CHECK_COMPONENTS))
        for rnd in (1, 2):
            for j, (cat, comp) in enumerate(CHECK_COMPONENTS):
                p = 0.3 if unit == "Puskesmas Sangkrah" else (0.5 if cat == "aksesibilitas" else 0.75)
                w.writerow([unit, rnd, comp, cat, "ya" if u1[j] < p else "tidak"])
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    args = ap.parse_args(argv)
    outputs = {SURVEY_CSV: survey_csv(), CHECKLIST_CSV: checklist_csv()}
    status = 0
    for path, text in outputs.items():
        data = text.encode("utf-8")
        if args.check:
            same = path.exists() and path.read_bytes() == data
            print(f"{'same' if same else 'DIFFERS'}: {path.relative_to(HERE.parent)}")
            status |= not same
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(HERE.parent)} ({len(data):,} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
