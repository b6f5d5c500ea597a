"""Report-card indicators: yes/no questions (consent, special-group flags), amounts paid, durations, the channel."""

from __future__ import annotations

import re

from .answers import BUILTIN
from .common import LIKELY, NUMBER_RE, SURE, norm, pct, short, snake
from .special import FLAG_WORDS
from .state import Column, DraftState

__all__ = ["AMOUNT_RE", "rule_yes_no", "rule_channel", "rule_amount", "rule_duration"]

#: an amount in rupiah as typed: "Rp 25.000", "25.000", "Rp. 5000"
AMOUNT_RE = re.compile(r"^(rp\.?\s*)?\d{1,3}(\.\d{3})+(,\d+)?$|^rp\.?\s*\d+$", re.I)

# yes/no indicator name -> words that must both appear in its question ("" : the first alone)
_YES_NO_RULES = (
    ("facility_friendly", r"ramah|aksesib|akses", r"fasilitas|sarana|disabilitas|difabel|kelompok|lansia|"
                                                   r"ibu hamil|berkebutuhan|rentan"),
    ("problem_resolved", r"masalah|kendala|hambatan|keluhan|pengaduan", r"selesai|teratasi|terselesaikan|"
                                                                       r"ditangani|ditindaklanjuti|resolved"),
    ("knows_complaint", r"tahu|mengetahui|know", r"pengaduan|mengadu|lapor|keluhan|complain"),
    ("paid_extra", r"bayar|biaya|pungutan|uang|imbalan|paid|pungli", r"lebih|tambahan|di luar|diluar|pungli|"
                                                                     r"tidak resmi|imbalan|extra|tips|"
                                                                     r"uang rokok|pungutan"),
    ("had_problem", r"masalah|kendala|hambatan|kesulitan|problem", r""),
)


def _list_is_yes_no(st: DraftState, list_name) -> bool:
    listed = st.form.choices.get(list_name) if st.form else None
    if not listed or len(listed) > 3:
        return False
    return all(norm(lab) in BUILTIN["ya_tidak"].codes or norm(lab) in BUILTIN["ya_tidak"].missing
               or norm(n) in BUILTIN["ya_tidak"].codes for n, lab in listed)


def rule_yes_no(st: DraftState, c: Column) -> bool:
    """A yes/no question: answered with ya_tidak (or 0/1), or a form list of yes and no."""
    p, q = c.profile, c.question
    yes_no = p.scale_share(BUILTIN["ya_tidak"])
    if (yes_no >= 0.85 and (not c.is_num or {v for v, _c in p.counts} <= {"0", "1"})) or \
            (q is not None and q.type == "select_one" and _list_is_yes_no(st, q.list_name)):
        _add_yes_no(st, c.name, c.text, yes_no)
        return True
    return False


def _add_yes_no(st: DraftState, col, w, share) -> None:
    """Consent, a named indicator, a special-group flag, or an indicator named after the question."""
    if re.search(r"persetujuan|bersedia|consent|setuju", w):
        st.add(col, "consent", {"scale": "ya_tidak"},
               [f"consent guessed from {st.shown(col)}: rows without a yes are removed (likely)"], LIKELY)
        return
    name, sure = None, LIKELY
    for nm, a, b in _YES_NO_RULES:
        if re.search(a, w) and (not b or re.search(b, w)):
            name, sure = nm, SURE
            break
    flag = None
    if name is None:
        for f, rx in FLAG_WORDS:
            if re.search(rx, w):
                flag = f
                break
    if flag is not None and flag not in st.names_used:
        st.names_used.add(flag)
        st.add(col, "special_flag", {"name": flag, "scale": "ya_tidak"},
               [f"special group {flag} (yes/no) guessed from {st.shown(col)} (likely)"], LIKELY)
        return
    if name is None or name in st.names_used:
        name, sure = snake(st.last_segment(col)), LIKELY
    name = st.unique_name(name)
    st.add(col, "indicator", {"name": name, "scale": "ya_tidak"},
           [f"yes/no indicator {name} guessed from {st.shown(col)}; answers match ya_tidak "
            f"({pct(share)}) ({sure})"], sure)


def rule_amount(st: DraftState, c: Column) -> bool:
    """An amount in rupiah: nearly all answers amounts (or 'gratis'), with money words or typed as Rp."""
    p, w = c.profile, c.text
    amount_share = p.share(lambda v: bool(AMOUNT_RE.match(v.strip())) or bool(NUMBER_RE.match(v))
                           or norm(v) in ("gratis", "tidak ada", "free", "nol", "tidak bayar"))
    money_words = re.search(r" (biaya|bayar|membayar|dibayar|tarif|rp|rupiah|uang|ongkos|pungutan|"
                            r"nominal|amount|cost|fee|imbalan|jumlah uang|jumlah lebih|jumlah tambahan) ", w)
    if not (amount_share >= 0.9 and (money_words or p.share(lambda v: bool(AMOUNT_RE.match(v.strip()))) >= 0.3)):
        return False
    col = c.name
    name = ("extra_amount" if re.search(r"lebih|tambahan|di luar|diluar|pungli|imbalan|tidak resmi|extra", w)
            else "official_fee" if re.search(r"resmi|tarif|ketentuan|seharusnya|official", w)
            else "cost_paid")
    name = st.unique_name(name)
    found = [v for v, _c in p.counts if not NUMBER_RE.match(v) and not AMOUNT_RE.match(v.strip())]
    note = (f"an amount in rupiah ({name}) guessed from {st.shown(col)} and values such as "
            f"\"{p.counts[0][0]}\" (likely)")
    st.add(col, "amount", {"name": name, "range": [0, 1000000000]}, [note], LIKELY)
    if found:
        st.todo.append(f"column '{short(col, 60)}': {', '.join(repr(x) for x in found[:3])} are not numbers "
                       "and become missing (for 'gratis' = 0 write 0 in the export)")
    return True


def rule_duration(st: DraftState, c: Column) -> bool:
    """A duration (waiting minutes, days to complete, the standard's days), numbers named so."""
    w = c.text
    if not (c.is_num and re.search(r" (lama|hari|menit|jam|durasi|waktu tunggu|antri|antre|minutes|days|hours) ", w)):
        return False
    name = ("wait_minutes" if re.search(r"tunggu|antri|antre|menit|minutes", w) else
            "standard_days" if re.search(r"standar|janji|seharusnya", w) else
            "days_to_complete" if re.search(r"hari|days|selesai", w) else snake(c.segment))
    name = st.unique_name(name)
    st.add(c.name, "duration", {"name": name, "range": [0, 100000]},
           [f"a duration ({name}) guessed from {st.shown(c.name)}; check its unit (likely)"], LIKELY)
    return True


_CHANNEL_RULES = (("in_person", r"sendi?ri|langsung|mandiri|pribadi|datang"),
                  ("broker", r"calo|biro|perantara|j ?sa\b|jasa|diwakilkan|dibantu|orang lain|titip|makelar"))
_CHANNEL_LABELS = {"in_person": ("Datang sendiri", "Came in person"),
                   "broker": ("Melalui biro jasa / calo", "Through a broker")}


def rule_channel(st: DraftState, c: Column) -> bool:
    """How the service was obtained (in person or through a broker), named so, when nearly every answer says which."""
    if re.search(r" (cara|calo|biro jasa|perantara|melalui|channel) ", c.text) and not c.is_num:
        return _add_channel(st, c.name)
    return False


def _channel_of(v):
    t = norm(v)
    hits = [k for k, rx in _CHANNEL_RULES if re.search(rx, t)]
    return hits[-1] if hits else None


def _add_channel(st: DraftState, col) -> bool:
    p = st.profiles[col]
    ids = _CHANNEL_LABELS
    if p.share(lambda v: _channel_of(v) is not None) < 0.9 or p.distinct < 2:
        return False
    levels = {k: {"code": k, "id": ids[k][0], "en": ids[k][1], "aliases": []} for k, _rx in _CHANNEL_RULES}
    for v, _c in p.counts:
        k = _channel_of(v)
        if k and norm(v) not in {norm(ids[k][0]), norm(ids[k][1]), k} and \
                norm(v) not in {norm(a) for a in levels[k]["aliases"]}:
            levels[k]["aliases"].append(v)
    for lev in levels.values():
        if not lev["aliases"]:
            del lev["aliases"]
    name = st.unique_scale_name("cara")
    st.scales[name] = ({"kind": "nominal", "levels": list(levels.values())},
                       f"how the service was obtained, drafted from the answers of '{short(col, 60)}' (likely)")
    st.add(col, "channel", {"scale": name},
           [f"channel (in person or through a broker) guessed from {st.shown(col)} (likely)"], LIKELY)
    return True
