"""The role of each column the earlier passes left: one rule after another, the first that fits decides."""

from __future__ import annotations

import re

from .common import CHECK, LIKELY, SURE, short, snake
from .demographics import rule_age, rule_education, rule_gender, rule_income
from .export import is_row_number
from .indicators import rule_amount, rule_channel, rule_duration, rule_yes_no
from .meta import date_note, date_share
from .sectors import rule_sector
from .state import Column, DraftState
from .locations import rule_location
from .units import rule_unit_name, text_rank

__all__ = ["classify"]


def _rule_round(st: DraftState, c: Column) -> bool:
    if re.search(r" (putaran|round|gelombang|tahap|wave|periode survei) ", c.seg_words) and c.is_num:
        if all(x == round(x) for x in c.profile.numbers()):
            st.add(c.name, "round", {}, [f"survey round guessed from the column name \"{c.segment}\" (sure)"], SURE)
            return True
    return False


def _rule_date(st: DraftState, c: Column) -> bool:
    if c.qtype in ("date",) or re.search(r" (tanggal|tgl|date|tanggal survei|tanggal wawancara|"
                                         r"tanggal pelayanan|tanggal kunjungan|waktu|time|datetime|waktu pengisian|waktu survei) ", c.text):
        if date_share(c.profile) >= 0.8:
            st.add(c.name, "interview_date", {},
                   [date_note(st, c.name, f"date of the interview guessed from {st.shown(c.name)}")], SURE)
            return True
    return False


def _rule_enumerator(st: DraftState, c: Column) -> bool:
    if re.search(r" (enumerator|enumerator id|surveyor|pewawancara|petugas survei|petugas pendata|"
                 r"interviewer|pencacah|kode enumerator) ", c.text):
        st.add(c.name, "enumerator", {}, [f"enumerator guessed from {st.shown(c.name)} (sure)"], SURE)
        return True
    return False


def _rule_weight(st: DraftState, c: Column) -> bool:
    if re.search(r" (bobot|weight|pembobot) ", c.seg_words) and c.is_num:
        st.add(c.name, "weight", {}, [f"sampling weight guessed from the column name \"{c.segment}\" (likely)"],
               LIKELY)
        return True
    return False


def _rule_free_text(st: DraftState, c: Column) -> bool:
    w = c.text
    if re.search(r" (saran|kritik|komentar|masukan|keluhan|pesan|catatan|alasan|pendapat|harapan|usul|usulan|"
                 r"comment|suggestion|feedback) ", w) and not c.is_num:
        name = st.unique_name("suggestion" if re.search(r"saran|masukan|kritik|usul|suggestion", w)
                              else snake(c.segment))
        st.add(c.name, "free_text", {"name": name, "required": False},
               [f"free text ({name}) guessed from {st.shown(c.name)}; NIK, phone numbers and e-mails are "
                "scrubbed (sure)"], SURE)
        return True
    return False


def _rule_service(st: DraftState, c: Column) -> bool:
    p = c.profile
    if re.search(r" (jenis layanan|jenis pelayanan|layanan|pelayanan yang|service|keperluan|jenis urusan|"
                 r"urusan) ", c.text) and not c.is_num and p.distinct <= max(40, p.n // 3):
        st.add(c.name, "service", {}, [f"the service used, guessed from {st.shown(c.name)}; kept as text (likely)"],
               LIKELY)
        return True
    return False


def _rule_varied_text(st: DraftState, c: Column) -> bool:
    """Long answers, nearly all different: free text."""
    p = c.profile
    if not c.is_num and p.distinct >= 2 and p.mean_len() >= 8 and p.distinct > max(30, p.n // 3):
        name = st.unique_name(snake(c.segment))
        st.add(c.name, "free_text", {"name": name, "required": False},
               [f"free text ({name}): long answers, nearly all different (check)"], CHECK)
        return True
    return False


def _rule_unit_candidate(st: DraftState, c: Column) -> bool:
    """Text with repeated values (long, or short and few): perhaps the unit."""
    rank = None if c.is_num else text_rank(c.profile)
    if rank is not None:
        st.unit_candidates.append((rank, c.name))
        return True
    return False


#: the rules in the order they are tried
RULES = (_rule_round, rule_gender, rule_age, _rule_date, _rule_enumerator, _rule_weight, rule_yes_no,
         rule_sector, _rule_free_text, rule_location, rule_unit_name, rule_channel, _rule_service, rule_education,
         rule_income, rule_amount, rule_duration, _rule_varied_text, _rule_unit_candidate)


def classify(st: DraftState, col) -> None:
    """Decide the role of one column: the first of :data:`RULES` that fits; else it is listed as not recognised."""
    p = st.profiles[col]
    if not p.n:
        st.skip(col, "empty in this export: nothing to guess from (check)")
        st.todo.append(f"column '{short(col, 60)}' is empty: add it to the codebook if later exports fill it")
        return
    if is_row_number(col, p):
        st.skip(col, "row numbers")
        return
    c = st.column(col)
    for rule in RULES:
        if rule(st, c):
            return
    desc = "numbers" if c.is_num else f"{p.distinct} distinct text values"
    st.skip(col, f"not recognised ({desc}) (check)")
