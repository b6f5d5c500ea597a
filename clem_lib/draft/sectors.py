"""Sectors (adminduk, kesehatan, pendidikan): a sector column's answers, or a unit's name."""

from __future__ import annotations

import re

from .common import CHECK, SURE, norm, short, slug_name
from .state import Column, DraftState

__all__ = ["SECTOR_ORDER", "sector_of_name", "rule_sector", "unit_sectors"]

_SECTOR_VALUE_WORDS = (
    ("adminduk", r"kependudukan|adminduk|capil|ktp|kartu keluarga|akta|akte|\bkk\b|catatan sipil"),
    ("kesehatan", r"kesehatan|puskesmas|\bkes\b|rumah sakit|berobat|klinik"),
    ("pendidikan", r"pendidikan|sekolah|\bpend\b|madrasah"),
)
_SECTOR_NAME_WORDS = (
    ("kesehatan", r"\b(puskesmas|pusk|pkm|rumah sakit|rs|rsu|rsud|klinik|posyandu|kesehatan|dinkes)\b"),
    ("pendidikan", r"\b(sd|sdn|smp|smpn|sma|sman|smk|smkn|sekolah|madrasah|mi|min|mts|mtsn|ma|man|"
                   r"tk|paud|pendidikan|disdik)\b"),
    ("adminduk", r"\b(dukcapil|disdukcapil|dispendukcapil|capil|kecamatan|kec|kelurahan|kel|desa|ds|"
                 r"kependudukan)\b"),
)
_SECTOR_EN = {"adminduk": "Civil registration", "kesehatan": "Health", "pendidikan": "Education"}
_SECTOR_ID = {"adminduk": "Administrasi Kependudukan", "kesehatan": "Kesehatan", "pendidikan": "Pendidikan"}
#: the order sectors are listed in (others after them, by code)
SECTOR_ORDER = {"adminduk": 0, "kesehatan": 1, "pendidikan": 2}


def _sector_of_value(v: str):
    t = " " + norm(v) + " "
    for code, rx in _SECTOR_VALUE_WORDS:
        if re.search(rx, t):
            return code
    return None


def sector_of_name(name: str):
    """The sector a unit's name says (``Puskesmas ...`` -> ``kesehatan``), or None."""
    t = norm(name)
    for code, rx in _SECTOR_NAME_WORDS:
        if re.search(rx, t):
            return code
    return None


def rule_sector(st: DraftState, c: Column) -> bool:
    """A sector column (named so, text): its answers become a drafted nominal scale."""
    if re.search(r" (sektor|sector|bidang layanan|bidang pelayanan|bidang) ", c.text) and not c.is_num:
        _add_sector(st, c.name)
        return True
    return False


def _add_sector(st: DraftState, col) -> None:
    p = st.profiles[col]
    levels: dict[str, dict] = {}
    unsure = []
    for v, _c in p.counts:
        code = _sector_of_value(v)
        if code is None:
            code = slug_name(v)
            unsure.append(v)
        lev = levels.setdefault(code, {"code": code, "id": _SECTOR_ID.get(code, v),
                                       "en": _SECTOR_EN.get(code, v), "aliases": []})
        if norm(v) not in {norm(lev["id"]), norm(lev["en"]), norm(code)} and \
                norm(v) not in {norm(a) for a in lev["aliases"]}:
            lev["aliases"].append(v)
    for lev in levels.values():
        if not lev["aliases"]:
            del lev["aliases"]
    name = st.unique_scale_name("sektor")
    spec = {"kind": "nominal", "levels": sorted(levels.values(), key=lambda lev: (SECTOR_ORDER.get(lev["code"], 9),
                                                                                  lev["code"]))}
    st.scales[name] = (spec, "sectors drafted from the answers of '" + short(col, 60) + "'"
                       + (f"; check the codes of {', '.join(unsure)}" if unsure else "") + " ("
                       + (CHECK if unsure else "likely") + ")")
    st.sector_col = col
    st.sector_scale = spec
    st.add(col, "sector", {"scale": name}, [f"sector guessed from {st.shown(col)} (sure)"], SURE)


def _seen_sectors(st: DraftState, unit_of: dict) -> dict:
    """Unit -> the sector codes its rows give in the sector column (``unit_of``: normalised spelling -> unit)."""
    seen: dict[str, set] = {}
    if st.sector_col is None:
        return seen
    lookup = {}
    for lev in st.sector_scale["levels"]:
        for sp in [lev["code"], lev["id"], lev["en"], *(lev.get("aliases") or [])]:
            lookup[norm(sp)] = lev["code"]
    ucol = st.raw[st.unit_col].astype("string").str.strip()
    scol = st.raw[st.sector_col].astype("string").str.strip()
    for u, s in zip(ucol.fillna(""), scol.fillna("")):
        if u and s:
            code = lookup.get(norm(s))
            if code is not None and norm(u) in unit_of:
                seen.setdefault(unit_of[norm(u)], set()).add(code)
    return seen


def unit_sectors(st: DraftState, clusters: list, unit_of: dict) -> list:
    """(sectors, comment) of each unit: from the sector column when it names the unit's, else from the name.

    ``clusters`` are (name, aliases, rows, merged) as :func:`clem_lib.draft.spellings.cluster_spellings`
    gives them; ``unit_of`` maps each normalised spelling to its unit's name.
    """
    seen = _seen_sectors(st, unit_of)
    out = []
    for canon, aliases, _total, _merged in clusters:
        if canon in seen:
            sectors = sorted(seen[canon], key=lambda s: (SECTOR_ORDER.get(s, 9), s))
            note = f"from the sector column '{short(st.sector_col, 40)}' (sure)"
        else:
            guess = sector_of_name(canon) or next((sector_of_name(a) for a in aliases if sector_of_name(a)), None)
            if guess is None and st.sector_col is not None:
                guess = "umum"
            sectors = [guess or "umum"]
            note = "guessed from the name (check)" if guess else "guessed from the name: no sector word, so umum (check)"
        out.append((sectors, note))
    return out
