"""Who answered: gender, age, education, and income (left for a person to decide)."""

from __future__ import annotations

import re

from .answers import BUILTIN
from .common import LIKELY, SURE, norm, pct, quoted, short
from .state import Column, DraftState

__all__ = ["rule_gender", "rule_age", "rule_education", "rule_income"]

_EDUCATION_RULES = (("sd", r"\b(sd|tidak sekolah|belum sekolah|tidak tamat|sekolah dasar|mi)\b"),
                    ("smp", r"\b(smp|sltp|mts|sekolah menengah pertama)\b"),
                    ("sma", r"\b(sma|smk|slta|ma|sekolah menengah atas|smu|stm)\b"),
                    ("diploma", r"\b(d1|d2|d3|d4|diploma|akademi)\b"),
                    ("sarjana", r"\b(s1|s2|s3|sarjana|pascasarjana|magister|doktor)\b"))
_EDUCATION_LABELS = {"sd": ("SD / tidak sekolah", "Primary or none"), "smp": ("SMP", "Junior secondary"),
                     "sma": ("SMA/SMK", "Senior secondary"), "diploma": ("Diploma", "Diploma"),
                     "sarjana": ("S1 ke atas", "Bachelor or higher")}


def rule_gender(st: DraftState, c: Column) -> bool:
    """Gender, named so or answered with the jenis_kelamin labels."""
    gender = c.profile.scale_share(BUILTIN["jenis_kelamin"])
    if re.search(r" (jenis kelamin|kelamin|gender|sex|jk) ", c.text) or (gender >= 0.9 and c.profile.distinct <= 6):
        if gender >= 0.8:
            st.add(c.name, "gender", {"scale": "jenis_kelamin"},
                   [f"gender guessed from {st.shown(c.name)}; answers match jenis_kelamin "
                    f"({pct(gender)}) (sure)"], SURE)
            return True
    return False


def rule_age(st: DraftState, c: Column) -> bool:
    """Age in years (age in bands is left out: clem's age is a number)."""
    if not (re.search(r" (umur|usia|age|umur responden|usia responden) ", c.text)
            and not re.search(r"kelompok|range", c.text)):
        return False
    if c.is_num:
        st.add(c.name, "age", {"range": [10, 110]},
               [f"age guessed from {st.shown(c.name)}; values outside 10-110 become missing (sure)"], SURE)
    else:
        st.skip(c.name, "age in bands, not years: not read (check)")
        st.todo.append(f"column '{short(c.name, 60)}' gives age in bands: clem's age is a number")
    return True


def rule_education(st: DraftState, c: Column) -> bool:
    """Education, named so, when nearly every answer maps to a level."""
    if re.search(r" (pendidikan terakhir|pendidikan responden|tingkat pendidikan|education|pendidikan) ", c.text) \
            and not c.is_num:
        return _add_education(st, c.name)
    return False


def rule_income(st: DraftState, c: Column) -> bool:
    """Income is left out: which bands are low and which high needs a decision."""
    if re.search(r" (penghasilan|pendapatan|income|gaji) ", c.text):
        st.skip(c.name, "income: which bands are low and which high needs a decision (check)")
        st.todo.append(f"column '{short(c.name, 60)}' looks like income: write an income scale with the "
                       "cut between low and high (docs/codebook.md) to read it")
        return True
    return False


def _add_education(st: DraftState, col) -> bool:
    p = st.profiles[col]
    rules = _EDUCATION_RULES
    levels: dict[str, dict] = {}
    mapped = p.share(lambda v: any(re.search(rx, norm(v)) for _k, rx in rules))
    if mapped < 0.95:
        return False
    unmatched = []
    for v, _c in p.counts:
        t = norm(v)
        code = next((k for k, rx in rules if re.search(rx, t)), None)
        if code is None:
            unmatched.append(v)
            continue
        ids = _EDUCATION_LABELS[code]
        lev = levels.setdefault(code, {"code": code, "id": ids[0], "en": ids[1], "aliases": []})
        if norm(v) not in {norm(lev["id"]), norm(lev["en"]), code}:
            lev["aliases"].append(v)
    for lev in levels.values():
        if not lev["aliases"]:
            del lev["aliases"]
    name = st.unique_scale_name("pendidikan")
    order = [k for k, _ in rules]
    st.scales[name] = ({"kind": "nominal", "levels": sorted(levels.values(), key=lambda lev: order.index(lev["code"]))},
                       f"education levels drafted from the answers of '{short(col, 60)}' (likely)")
    note = f"education guessed from {st.shown(col)} (likely)"
    if unmatched:
        note += f"; {', '.join(quoted(u) for u in unmatched[:5])} match no level"
        st.todo.append(f"column '{short(col, 60)}': education answers matching no level (e.g. "
                       f"'{unmatched[0]}'): add them as aliases of scale {name}")
    st.add(col, "education", {"scale": name}, [note], LIKELY)
    return True
