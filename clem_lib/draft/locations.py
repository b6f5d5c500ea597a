"""Each unit's district (kecamatan) and agency (dinas), from a column of the export naming them.

A column named as a district (kecamatan, kec, district, sub-district, wilayah) or as an agency
(dinas, agency, instansi, OPD) gives a unit its ``district`` or ``agency`` in the units file when
the unit's rows carry one value of it. A unit whose rows carry several is left without, and a
comment in the units file says so; a column in which most units carry several is not a unit's
place at all (the respondent's own kecamatan, say) and is not used.
"""

from __future__ import annotations

import re
from collections import Counter

from .common import CHECK, LIKELY, SURE, norm, short, words
from .spellings import cluster_spellings, spelling_index
from .state import Column, DraftState
from .units import is_unit_name, skip_place, text_rank, unit_clusters

__all__ = ["LEVELS", "location_level", "rule_location", "pass_locations"]

#: the keys of the units file, in the order they are written, with the word for them in comments
LEVELS = {"district": "district (kecamatan)", "agency": "agency (dinas)"}

# words naming the level: (sure, a weaker name that may mean something else)
_WORDS = {
    "district": (r" (kecamatan|kec|district|sub district|subdistrict) ", r" (wilayah) "),
    "agency": (r" (dinas|agency|opd|perangkat daerah) ", r" (instansi|instansi induk) "),
}
# a column with these words is the unit itself, a question, or where the respondent lives
_NOT_A_LOCATION = (r" (unit|layanan|pelayanan|puskesmas|sekolah|kantor|fasilitas|fasyankes|lokasi|tempat|"
                   r"domisili|tinggal|asal|rumah|alamat|responden|residence|home|ramah|apakah|bagaimana|"
                   r"berapa) ")


def location_level(w: str) -> tuple[str | None, bool]:
    """(``"district"``, ``"agency"`` or None, whether the name says so surely) of a column's words."""
    if re.search(_NOT_A_LOCATION, w):
        return None, False
    for level, (strong, weak) in _WORDS.items():
        if re.search(strong, w):
            return level, True
        if re.search(weak, w):
            return level, False
    return None, False


def _own_words(st: DraftState, col) -> str:
    """Words of the question's own part of the header and of its labels (group names left out)."""
    q = st.questions.get(col)
    parts = [st.last_segment(col), q.label if q is not None else "", str(st.spss_labels.get(col) or "")]
    return words(" | ".join(p for p in parts if p))


def rule_location(st: DraftState, c: Column) -> bool:
    """A text column named as a district or an agency: kept for the locations pass (and as a unit candidate).

    Varied long answers are left to the later rules (free text).
    """
    level, _strong = location_level(_own_words(st, c.name))
    if level is None or c.is_num:
        return False
    rank = 0 if is_unit_name(c.text) else text_rank(c.profile)
    if rank is None and c.profile.distinct > 1:
        return False
    st.location_candidates.append(c.name)
    if rank is not None:
        st.unit_candidates.append((rank, c.name))
    return True


def pass_locations(st: DraftState) -> None:
    """For each level, the first column whose units mostly carry one value gives each unit its own."""
    taken: set = set()
    for col in st.location_candidates:
        if col == st.unit_col:
            continue
        level, strong = location_level(_own_words(st, col))
        if st.unit_col is not None and level not in taken and _use_column(st, col, level, strong):
            taken.add(level)
            st.skip(col, f"the {LEVELS[level]} of each unit: written to the units file as {level}")
        else:
            skip_place(st, col)
    for unit, found in st.unit_locations.items():
        st.unit_locations[unit] = {level: found[level] for level in LEVELS if level in found}


def _values_by_unit(st: DraftState, col) -> tuple[dict, dict, set]:
    """What the rows of each unit carry in ``col``.

    Returns unit name -> (Counter of the column's places, spellings seen); unit name -> rows
    left blank; the places whose spellings were merged by similarity.
    """
    index = spelling_index(unit_clusters(st))
    q = st.questions.get(col)
    listed = st.form.choices.get(q.list_name, []) if q is not None and q.list_name and st.form else []
    clusters = cluster_spellings(st.profiles[col].counts, listed)
    place_of = spelling_index(clusters)
    units = st.raw[st.unit_col].astype("string").str.strip().fillna("")
    places = st.raw[col].astype("string").str.strip().fillna("")
    values: dict[str, Counter] = {}
    spellings: dict[str, set] = {}
    blank: dict[str, int] = {}
    for u, v in zip(units, places):
        unit = index.get(norm(u)) if u else None
        if unit is None:
            continue
        if not v:
            blank[unit] = blank.get(unit, 0) + 1
            continue
        place = place_of.get(norm(v), v)
        values.setdefault(unit, Counter())[place] += 1
        spellings.setdefault(unit, set()).add(" ".join(v.split()))
    merged = {canon for canon, _aliases, _n, by_similarity in clusters if by_similarity}
    return {u: (values[u], spellings[u]) for u in values}, blank, merged


def _use_column(st: DraftState, col, level: str, strong: bool) -> bool:
    """Fill ``level`` of each unit from ``col`` when at least as many units carry one value as carry several."""
    found, blank, merged = _values_by_unit(st, col)
    one = {u: vs for u, vs in found.items() if len(vs[0]) == 1}
    several = {u: vs for u, vs in found.items() if len(vs[0]) > 1}
    if not one or len(several) > len(one):
        if found:
            st.todo.append(f"column '{short(col, 60)}' names a {LEVELS[level]}, but the rows of "
                           f"{len(several)} of {len(found)} unit(s) name several: not written to the units "
                           "file (the respondents' own place?)")
        return False
    where = f"the column '{short(col, 40)}'"
    for unit, (counts, spelled) in one.items():
        (value, n), = counts.items()
        st.unit_locations.setdefault(unit, {})[level] = (
            value, f"from {where}: {_how_sure(n, blank.get(unit, 0), spelled, value in merged, strong)}")
    for unit, (counts, _spelled) in several.items():
        seen = "; ".join(f"{v}: {c} row(s)" for v, c in sorted(counts.items(), key=lambda vc: (-vc[1], vc[0])))
        st.unit_locations.setdefault(unit, {})[level] = (
            None, f"{level} left out: the rows of this unit name several in {where} ({seen}); write "
                  f"{level}: <the one it belongs to> here ({CHECK})")
    if several:
        st.todo.append(f"{level} left out for {len(several)} unit(s) whose rows name several in "
                       f"'{short(col, 60)}': {', '.join(sorted(several))}; write it in the units file")
    return True


def _how_sure(n: int, blank: int, spelled: set, by_similarity: bool, strong: bool) -> str:
    """The comment on a unit's district or agency: which rows gave it, and how sure it is."""
    sure = SURE if strong else LIKELY
    if blank:
        details = [f"{n} of {n + blank} row(s), the others blank"]
        sure = LIKELY
    else:
        details = [f"all {n} row(s)"]
    forms: dict[str, list] = {}  # one spelling per normalised form: case variants are one
    for s in spelled:
        forms.setdefault(norm(s), []).append(s)
    if len(forms) > 1:
        shown = sorted(min(vs, key=lambda v: (v.isupper() or v.islower(), v)) for vs in forms.values())
        details.append(f"spelled {', '.join(shown)}")
    if by_similarity:
        details.append("spellings merged by similarity")
        sure = LIKELY
    if not strong:
        details.append("the column's name may mean something else")
    return f"{'; '.join(details)} ({sure})"
