"""Personal data (NIK, phone, e-mail, name, address, photos, places), by column name and by value pattern."""

from __future__ import annotations

import re

from .common import SURE, pct, snake, words
from .export import Profile
from .state import DraftState

__all__ = ["NIK_RE", "PHONE_RE", "EMAIL_RE", "ADDRESS_RE", "pass_personal"]

NIK_RE = re.compile(r"^\d{16}$")
PHONE_RE = re.compile(r"^(?:\+?62|0)8\d{7,11}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
ADDRESS_RE = re.compile(r"^(jl|jln|jalan|gg|gang|dusun|dsn|perum|perumahan|komplek|kompleks|kp|kampung)\b"
                        r"|\brt\b.*\brw\b|\brt ?\d+ ?/ ?rw", re.I)

# "nama ..." of something other than the respondent
_NOT_A_PERSON = (r"^ nama (unit|layanan|pelayanan|petugas|instansi|sekolah|puskesmas|kantor|desa|kelurahan|"
                 r"kecamatan|opd|perangkat|satuan|tempat|lokasi|fasilitas|dinas|rumah sakit|klinik|enumerator|"
                 r"surveyor|pewawancara|kegiatan|program|produk|jenis)")


def pass_personal(st: DraftState, cols) -> None:
    """Mark each column of personal data ``personal`` (dropped before analysis) under a unique name."""
    for col in cols:
        if col in st.done:
            continue
        name, kind = _by_name(st, col)
        p = st.profiles[col]
        if name is None and p.n:
            name, kind = _by_value(p)
        if name is None:
            continue
        nm = st.unique_name(name)
        st.add(col, "personal", {"name": nm, "pii": "drop"},
               [f"personal data ({nm}) guessed from {kind}: dropped before analysis (sure)"], SURE)


def _by_name(st: DraftState, col) -> tuple:
    """(name, what it was guessed from) when the column's name or form type says personal data, else (None, None)."""
    w = words(st.last_segment(col))
    tail = words(col.split("/")[-1]) if "/" in col else w
    wt = words(st.text_of(col))
    q = st.questions.get(col)
    if re.search(r" (nik|no ktp|nomor ktp|nomor induk kependudukan|no nik|nomor nik) ", wt):
        return "nik", "the column name"
    if re.search(r" (no hp|nomor hp|no telp|no telepon|nomor telepon|telepon|telp|hp|handphone|"
                 r"phone|phonenumber|whatsapp|no wa|nomor wa|wa) ", w):
        return "no_hp", "the column name"
    if re.search(r" (e ?mail|surel|alamat email|alamat e mail) ", wt):
        return "email", "the column name"
    if re.search(r" (alamat|address|alamat rumah|domisili) ", w) and not re.search(r"email", wt):
        return "alamat", "the column name"
    if (re.search(r"^ (nama|name|full name|respondent name)\b", w)
            or re.search(r"^ (nama|nama responden|respondent name|full name|name) $", tail)) and not re.search(
            _NOT_A_PERSON, w):
        return "nama", "the column name"
    if re.search(r" (tanda tangan|ttd|signature|foto ktp|foto) ", w):
        return snake(st.last_segment(col)), "the column name"
    if q is not None and q.type in ("geopoint", "geotrace", "geoshape", "image"):
        return snake(st.last_segment(col)), f"the form's type {q.type}"
    return None, None


def _by_value(p: Profile) -> tuple:
    """(name, what it was guessed from) when the values look like NIKs, phones, e-mails or addresses."""
    for nm, rx, what in (("nik", NIK_RE, "16-digit NIK numbers"),
                         ("no_hp", PHONE_RE, "phone numbers"),
                         ("email", EMAIL_RE, "e-mail addresses")):
        share = p.share(lambda v, rx=rx, nm=nm: bool(rx.match(re.sub(r"[\s().-]", "", v) if nm != "email" else v)))
        if share >= 0.5:
            return nm, f"the values: {pct(share)} look like {what}"
    if not p.is_numeric():
        share = p.share(lambda v: bool(ADDRESS_RE.search(v)))
        if share >= 0.3 and p.distinct >= min(5, p.n):
            return "alamat", f"the values: {pct(share)} look like street addresses"
    return None, None
