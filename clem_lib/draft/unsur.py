"""The IKM unsur (Permenpan RB 14/2017 or Kepmenpan 25/2004), their importance items and overall satisfaction."""

from __future__ import annotations

import re

from ..codebook import UNSUR_14_2017
from ..scales import SKM_UNSUR_SCALES
from .answers import BUILTIN, ORDINAL_CANDIDATES, intensity_scale, pick_scale
from .common import LIKELY, RANK, SURE, short, words
from .export import int14
from .state import DraftState

__all__ = ["UNSUR_25_2004", "pass_unsur"]

#: unsur of Kepmenpan 25/2004, in the decree's order (keys as in clem_lib.scoring)
UNSUR_25_2004 = (
    "prosedur", "persyaratan", "kejelasan_petugas", "kedisiplinan_petugas", "tanggung_jawab_petugas",
    "kemampuan_petugas", "kecepatan_pelayanan", "keadilan", "kesopanan_keramahan", "kewajaran_biaya",
    "kepastian_biaya", "kepastian_jadwal", "kenyamanan_lingkungan", "keamanan_pelayanan",
)

# words of a question text (normalised) -> unsur key; the first pattern found earliest wins
_UNSUR_WORDS_2017 = (  # Indonesian, then English question wording
    ("persyaratan", r"persyaratan|syarat|requirement"),
    ("prosedur", r"prosedur|mekanisme|alur pelayanan|procedure|mechanism"),
    ("waktu", r"waktu|kecepatan|lama pelayanan|\bfast|\bspeed|how long|\btime"),
    ("biaya", r"biaya|tarif|\bcost|tariff|\bfees?\b|\bprice"),
    ("produk", r"produk|spesifikasi|product|specification"),
    ("kompetensi", r"kompetensi|kemampuan|competen|\bskill|capab"),
    ("perilaku", r"perilaku|kesopanan|keramahan|sopan|polite|courte|behavio|conduct|attitude"),
    ("pengaduan", r"pengaduan|pengelolaan keluhan|penanganan keluhan|complaint|grievance"),
    ("sarana", r"sarana|prasarana|facilit|infrastructure|premises"),
)
_UNSUR_WORDS_2004 = (
    ("kepastian_biaya", r"kepastian biaya"),
    ("kepastian_jadwal", r"kepastian jadwal|jadwal"),
    ("kewajaran_biaya", r"kewajaran biaya|kewajaran|biaya"),
    ("kejelasan_petugas", r"kejelasan"),
    ("kedisiplinan_petugas", r"kedisiplinan|disiplin"),
    ("tanggung_jawab_petugas", r"tanggung ?jawab"),
    ("kemampuan_petugas", r"kemampuan"),
    ("kecepatan_pelayanan", r"kecepatan"),
    ("keadilan", r"keadilan|adil"),
    ("kesopanan_keramahan", r"kesopanan|keramahan"),
    ("kenyamanan_lingkungan", r"kenyamanan|nyaman"),
    ("keamanan_pelayanan", r"keamanan"),
    ("prosedur", r"prosedur"),
    ("persyaratan", r"persyaratan"),
)
_ONLY_2004 = r"kejelasan|kedisiplinan|tanggung ?jawab|keadilan|kepastian|kenyamanan|keamanan"

_HARAPAN_WORDS = r"\b(harapan|kepentingan|penting|ekspektasi|importance|expectation)\b"
_OVERALL_WORDS = r"keseluruhan|secara umum|kepuasan umum|overall|kepuasan total"


def _numbered(seg: str):
    """('x', n) for U1/P1/Q1/X1/unsur1, ('y', n) for H1/K1/Y1 (importance), else None."""
    m = re.fullmatch(r"(?i)(u|unsur|q|p|x|skm|item)[ _.-]?0*(\d{1,2})(?:[ _.-][a-z_ ]*)?", seg.strip())
    if m:
        return ("x", int(m.group(2)))
    m = re.fullmatch(r"(?i)(h|k|y|harapan|kepentingan)[ _.-]?0*(\d{1,2})(?:[ _.-][a-z_ ]*)?", seg.strip())
    if m:
        return ("y", int(m.group(2)))
    return None


def scale_like(st: DraftState, col) -> bool:
    """Whether a column's answers look like a 1-4 rating (numbers, labels of a built-in scale, a short list)."""
    p = st.profiles[col]
    if not p.n:
        return False
    ok, _ = int14(p)
    if ok:
        return True
    best = max(p.scale_share(BUILTIN[n], labels_only=True) for n in
               ORDINAL_CANDIDATES + ("skm_kepentingan4",))
    if best >= 0.6:
        return True
    q = st.questions.get(col)
    if q is not None and q.type == "select_one" and q.list_name in st.form.choices:
        return 3 <= len(st.form.choices[q.list_name]) <= 6
    vals = st.spss_values.get(col)
    if vals and 3 <= len(vals) <= 6:
        return True
    return intensity_scale(st, col) is not None


def pass_unsur(st: DraftState, cols) -> None:
    """Choose the scheme, then map each rating column to an unsur (or its importance item) by name, text or number."""
    cand = [c for c in cols if c not in st.done and scale_like(st, c)]
    texts = {c: words(st.text_of(c)) for c in cand}
    numbered = {c: _numbered(st.last_segment(c)) for c in cand}
    keys, key_words = _choose_scheme(st, cand, texts, numbered)
    found: dict[tuple, list] = {}
    for c in cand:
        text = texts[c]
        harapan = bool(re.search(_HARAPAN_WORDS, text))
        num = numbered[c]
        if num and num[0] == "y":
            harapan = True
        key, how, sure = _unsur_key(st, c, text, num, keys, key_words)
        if key is None:
            if re.search(_OVERALL_WORDS, text):
                _add_overall(st, c)
            continue
        if not harapan:
            p = st.profiles[c]
            own = SKM_UNSUR_SCALES.get(key)
            if own is None or p.scale_share(BUILTIN[own], labels_only=True) < 0.5:
                if p.scale_share(BUILTIN["skm_kepentingan4"], labels_only=True) >= 0.6:
                    harapan = True
        found.setdefault(("harapan" if harapan else "unsur", key), []).append((c, how, sure))
    for (role, key), items in sorted(found.items(), key=lambda kv: min(st.order(c) for c, _h, _s in kv[1])):
        for i, (c, how, sure) in enumerate(items):
            if i > 0:
                st.skip(c, f"another answer to {role} {key} (the first, '{items[0][0]}', is read) (check)")
                st.todo.append(f"column '{c}' also looks like {role} {key}: decide which column to read")
                continue
            _add_unsur(st, c, role, key, how, sure)


def _choose_scheme(st: DraftState, cand, texts, numbered) -> tuple:
    """Kepmenpan 25/2004 when questions name its unsur or unsur are numbered past 9; else Permenpan RB 14/2017.

    Sets ``st.scheme``, ``st.scheme_note`` and ``st.keys``; returns (unsur keys, question words per key).
    """
    n2004 = sum(1 for c in cand if re.search(_ONLY_2004, texts[c]))
    n_num_x = sum(1 for c in cand if numbered[c] and numbered[c][0] == "x")
    max_num = max([numbered[c][1] for c in cand if numbered[c] and numbered[c][0] == "x"] or [0])
    if n2004 >= 3 or max_num >= 12 or (n_num_x >= 12 and n2004 >= 1):
        st.scheme = "kepmenpan25_2004"
        keys, key_words = UNSUR_25_2004, _UNSUR_WORDS_2004
        st.scheme_note = (f"{n2004} question(s) name unsur of Kepmenpan 25/2004 (kejelasan, kedisiplinan, "
                          "keadilan, kepastian...) (likely)" if n2004 >= 3 else
                          f"unsur numbered up to {max_num}: the 14 unsur of Kepmenpan 25/2004 (likely)")
    else:
        st.scheme = "permenpan14_2017"
        keys, key_words = UNSUR_14_2017, _UNSUR_WORDS_2017
        st.scheme_note = "the 9 unsur of Permenpan RB 14/2017"
    st.keys = keys
    return keys, key_words


def _unsur_key(st: DraftState, c, text, num, keys, key_words) -> tuple:
    """(unsur key or None, what it was guessed from, sureness) of one rating column."""
    key, how, sure = None, "", LIKELY
    seg = words(st.last_segment(c))
    # 1. a key in the column name (u1_persyaratan, persyaratan, h3_waktu)
    for k in (keys if " " not in c.strip() else ()):
        if re.search(r"(^|[ _\d])" + k.replace("_", "[ _]") + r"($|[ _])", seg.strip()):
            return k, f'the column name "{short(c, 50)}"', SURE
    # 2. the question text
    if " " in c.strip() or st.questions.get(c) or st.spss_labels.get(c):
        hits = []
        for k, rx in key_words:
            m = re.search(rx, text)
            if m:
                hits.append((m.start(), k))
        if hits:
            hits.sort()
            return hits[0][1], st.shown(c), SURE if len({k for _s, k in hits}) == 1 else LIKELY
    # 3. numbered U1..U9 in the rule's order
    if num and 1 <= num[1] <= len(keys):
        st.positional = True
        return keys[num[1] - 1], f'its number in "{short(c, 50)}" (unsur in the order of the rule)', LIKELY
    return key, how, sure


def _add_overall(st: DraftState, c) -> None:
    scale, note, sure = pick_scale(st, c, None, ("skm_kepuasan4", "skm_baik4"))
    st.add(c, "overall_satisfaction", {"scale": scale},
           [f"overall satisfaction guessed from {st.shown(c)} (likely)", note], max(sure, LIKELY, key=RANK.get))


def _add_unsur(st: DraftState, c, role, key, how, sure) -> None:
    label = "importance / expectation (harapan)" if role == "harapan" else "unsur"
    if role == "harapan":
        scale, note, s2 = pick_scale(st, c, "skm_kepentingan4", ("skm_kepentingan4",))
    else:
        own = SKM_UNSUR_SCALES.get(key)
        scale, note, s2 = pick_scale(st, c, own, ORDINAL_CANDIDATES)
    notes = [f"{label} {key} guessed from {how} ({sure})", note]
    st.add(c, role, {"unsur": key, "scale": scale}, notes, max(sure, s2, key=RANK.get))
