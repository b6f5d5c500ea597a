"""Generate the SYNTHETIC complaint register of the sample survey, byte for byte from a fixed seed.

    python data/make_complaints.py          # writes data/raw/clem_surakarta_complaints.csv
    python data/make_complaints.py --check  # exit 1 if the committed file differs

The register covers 1 January to 31 October 2024 (the cut-off), around the
sample survey's two rounds (March and September 2024), for the sample's units
(data/units.yml). Planted, for the analysis to find:

* **Kec. Pasar Kliwon claims "zero complaints"**: its register is empty, while
  about a quarter of its surveyed users had a problem (the survey).
* **Kec. Jebres resolves slowly**: median about 15 working days, and about one
  complaint in four is never closed (open at the cut-off).
* **Dispendukcapil** runs an SMS/WhatsApp centre and an SP4N-LAPOR! desk: many
  complaints (about 25 a month), resolved fast, faster still after the June
  hearing; its SMS complaints are resolved faster than its LAPOR! ones.
* Complaints received in the last weeks are still open at the cut-off
  (censored, not missing), in every unit that has complaints.

Field spellings vary as in a real export: unit aliases, channel and status
spellings, a few day-first dates. The complaint text and the complainant's
name and phone number are fake, and must never reach an output.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240101
HERE = Path(__file__).resolve().parent
OUT = HERE / "raw" / "clem_surakarta_complaints.csv"
START, CUTOFF = np.datetime64("2024-01-01"), np.datetime64("2024-10-31")

# unit: (complaints per month, median working days, share never closed, share rejected, spellings, channels)
UNITS = {
    "Dispendukcapil": (25.0, 3.0, 0.02, 0.06,
                       [("Dispendukcapil", 50), ("Disdukcapil", 25), ("Dinas Kependudukan dan Pencatatan Sipil", 15),
                        ("DISPENDUKCAPIL", 10)],
                       [("SMS Centre Pemkot", 20), ("SMS", 15), ("WhatsApp", 15), ("WA", 10), ("LAPOR!", 15),
                        ("SP4N-LAPOR!", 5), ("Langsung", 10), ("Instagram", 5), ("Media sosial", 5)]),
    "Kec. Laweyan": (4.0, 4.0, 0.04, 0.05, [("Kec. Laweyan", 70), ("Kecamatan Laweyan", 30)],
                     [("Kotak saran", 30), ("Langsung", 30), ("WhatsApp", 25), ("LAPOR!", 15)]),
    "Kec. Serengan": (3.0, 3.0, 0.03, 0.05, [("Kec. Serengan", 70), ("Serengan", 30)],
                      [("Kotak saran", 30), ("Langsung", 35), ("WhatsApp", 20), ("LAPOR!", 15)]),
    "Kec. Pasar Kliwon": (0.0, 0.0, 0.0, 0.0, [("Kec. Pasar Kliwon", 100)], [("Langsung", 100)]),
    "Kec. Jebres": (5.0, 15.0, 0.25, 0.04, [("Kec. Jebres", 60), ("Kecamatan Jebres", 40)],
                    [("Kotak saran", 20), ("Langsung", 25), ("WhatsApp", 30), ("LAPOR!", 25)]),
    "Kec. Banjarsari": (4.0, 5.0, 0.05, 0.05, [("Kec. Banjarsari", 60), ("Banjar Sari", 20), ("Banjarsari", 20)],
                        [("Kotak saran", 25), ("Langsung", 30), ("WhatsApp", 25), ("LAPOR!", 20)]),
}
CATEGORIES = [("Waktu pelayanan lama", 30), ("Persyaratan tidak jelas", 15), ("Biaya / pungutan", 12),
              ("Perilaku petugas", 13), ("Sarana prasarana", 10), ("Informasi layanan", 10),
              ("Sistem / aplikasi error", 10)]
TEXTS = ["Antrian sangat lama, sudah datang jam 7 baru dilayani siang.",
         "KTP-el belum jadi padahal sudah lebih dari sebulan.",
         "Petugas meminta uang tambahan di luar tarif resmi.",
         "Syarat yang diminta berbeda dengan yang tertulis di papan informasi.",
         "Toilet rusak dan tidak ada ramp untuk kursi roda.",
         "Aplikasi pendaftaran online error terus, mohon dibantu. Hubungi saya di 0812-3456-{:04d}.",
         "Tidak ada informasi kapan dokumen selesai. Email saya warga{:04d}@contoh.id",
         "Petugas kurang ramah kepada lansia."]
FIRST = ["Sri", "Budi", "Wahyu", "Dwi", "Agus", "Siti", "Eko", "Rina", "Joko", "Ani", "Bambang", "Tri"]
LAST = ["Wulandari", "Santoso", "Prasetyo", "Lestari", "Nugroho", "Rahayu", "Saputra", "Handayani"]


def _holidays() -> np.ndarray:
    df = pd.read_csv(HERE / "holidays_id.csv", comment="#", dtype=str)
    return np.array(df["date"].tolist(), dtype="datetime64[D]")


def _pick(rng, options, n):
    texts, w = zip(*options)
    w = np.asarray(w, dtype=float)
    return np.array(texts, dtype=object)[rng.choice(len(texts), size=n, p=w / w.sum())]


def build(rng) -> pd.DataFrame:
    hol = _holidays()
    days = np.arange(START, CUTOFF + 1)
    work = np.is_busday(days, holidays=hol)
    rows = []
    for unit, (per_month, med_wd, never, rejected, spellings, channels) in UNITS.items():
        if per_month == 0:
            continue
        # complaints arrive mostly on working days, some at the weekend (SMS, WhatsApp, LAPOR!)
        rate = per_month * 12 / 365.25 * np.where(work, 1.25, 0.4)
        counts = rng.poisson(rate)
        received = np.repeat(days, counts)
        n = received.size
        secs = rng.integers(7 * 3600, 21 * 3600, n)
        channel = _pick(rng, channels, n)
        is_sms = np.array([c.lower().startswith("sms") for c in channel])
        is_lapor = np.array(["lapor" in c.lower() for c in channel])
        # working days to resolution: lognormal around the unit's median; after the June hearing
        # Dispendukcapil is faster; its SMS centre faster than LAPOR!, which goes through the national desk
        med = np.full(n, med_wd)
        if unit == "Dispendukcapil":
            med = np.where(received >= np.datetime64("2024-06-15"), med * 0.6, med)
            med = np.where(is_sms, med * 0.7, np.where(is_lapor, med * 1.8, med))
        wd = np.maximum(0, np.round(med * rng.lognormal(0.0, 0.7, n))).astype(int)
        start_day = np.busday_offset(received, 0, roll="forward", holidays=hol)
        resolved = np.busday_offset(start_day, wd, roll="forward", holidays=hol)
        stuck = rng.random(n) < never
        rej = (rng.random(n) < rejected) & ~stuck
        open_ = stuck | (resolved > CUTOFF)
        cat = _pick(rng, CATEGORIES, n)
        text_i = rng.integers(0, len(TEXTS), n)
        for i in range(n):
            t = pd.Timestamp(received[i]) + pd.Timedelta(seconds=int(secs[i]))
            rec = t.strftime("%d/%m/%Y %H:%M") if rng.random() < 0.1 else t.strftime("%Y-%m-%d %H:%M")
            if open_[i]:
                status = "Baru" if (CUTOFF - received[i]).astype(int) < 3 else _pick(rng, [("Diproses", 80), ("proses", 20)], 1)[0]
                res = ""
            else:
                status = "Ditolak" if rej[i] else _pick(rng, [("Selesai", 80), ("SELESAI", 10), ("Tuntas", 10)], 1)[0]
                res = str(resolved[i])
            rows.append({
                "received_sort": t, "unit_layanan": _pick(rng, spellings, 1)[0], "saluran": channel[i],
                "kategori": cat[i], "status": status, "tanggal_masuk": rec, "tanggal_selesai": res,
                "isi_pengaduan": TEXTS[text_i[i]].format(int(rng.integers(0, 10000))),
                "nama_pelapor": f"{FIRST[rng.integers(0, len(FIRST))]} {LAST[rng.integers(0, len(LAST))]}",
                "no_hp_pelapor": f"08{rng.integers(11, 99)}{rng.integers(10000000, 99999999)}",
            })
    df = pd.DataFrame(rows).sort_values(["received_sort", "unit_layanan"], kind="mergesort").reset_index(drop=True)
    df.insert(0, "no_tiket", [f"ADU-2024-{i + 1:05d}" for i in range(len(df))])
    cols = ["no_tiket", "tanggal_masuk", "unit_layanan", "saluran", "kategori", "isi_pengaduan", "nama_pelapor",
            "no_hp_pelapor", "status", "tanggal_selesai"]
    return df[cols]


def render() -> bytes:
    df = build(np.random.default_rng(SEED))
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue().encode("utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file instead of writing")
    args = ap.parse_args(argv)
    data = render()
    if args.check:
        same = OUT.is_file() and OUT.read_bytes() == data
        print(f"{OUT.name}: {'identical' if same else 'DIFFERS'}")
        return 0 if same else 1
    OUT.write_bytes(data)
    lines = data.count(b"\n") - 1
    print(f"wrote {OUT} ({lines} complaints)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
