"""The unit column, and the units file drafted from its spellings."""

from __future__ import annotations

import re

from ..codebook import slugify
from .common import CHECK, SURE, short, words
from .document import Unit
from .sectors import unit_sectors
from .spellings import cluster_spellings, spelling_index
from .state import Column, DraftState

__all__ = ["is_unit_name", "rule_unit_name", "pass_unit", "draft_units"]


def is_unit_name(w: str) -> bool:
    """Whether a column's words (:func:`clem_lib.draft.common.words`) name a place where a service is given."""
    return bool(re.search(r" (unit|unit layanan|unit pelayanan|nama unit|lokasi|lokasi layanan|kecamatan|"
                          r"kelurahan|desa|puskesmas|sekolah|nama sekolah|nama puskesmas|opd|instansi|kantor|"
                          r"tempat pelayanan|tempat layanan|nama instansi|location|site|facility|fasyankes|"
                          r"satuan kerja|satker|perangkat daerah) ", w)) and not re.search(
        r" (ramah|apakah|bagaimana|berapa) ", w)


def rule_unit_name(st: DraftState, c: Column) -> bool:
    """A text column named as a place: the first choice for the unit column."""
    if is_unit_name(c.text) and not c.is_num:
        st.unit_candidates.append((0, c.name))
        return True
    return False


def pass_unit(st: DraftState, cols) -> None:
    """The unit column: a column named as a place, else a text column with few distinct values."""
    cands = sorted(st.unit_candidates, key=lambda t: (t[0], st.order(t[1])))
    st.unit_col = None
    if not cands:
        st.todo.append("no unit column found: clem needs one column naming the service unit of each "
                       "interview (add it to the export, then a {source: ..., role: unit} entry)")
        return
    rank, col = cands[0]
    st.unit_col = col
    sure = {0: SURE, 1: CHECK, 2: CHECK}[rank]
    how = (f"unit guessed from {st.shown(col)}" if rank == 0 else
           f"unit guessed as the text column with few distinct values ({st.profiles[col].distinct})")
    st.add(col, "unit", {}, [f"{how}; spellings merged into the units file ({sure})"], sure)
    if sure == CHECK:
        st.todo.append(f"the unit column was guessed as '{short(col, 60)}': check it")
    blank = st.profiles[col].n_rows - st.profiles[col].n
    if blank:
        st.todo.append(f"{blank} row(s) have no unit in '{short(col, 60)}': clem stops on them; fill "
                       "them in the export (or remove those rows)")
    for _r, other in cands[1:]:
        p = st.profiles[other]
        if is_unit_name(words(st.text_of(other))) and p.distinct > 1:
            st.skip(other, "another place column (check: the unit is read from "
                    f"'{short(col, 40)}')")
            st.todo.append(f"column '{short(other, 60)}' also names a place: check which is the unit")
        else:
            st.skip(other, f"not recognised ({p.distinct} distinct text values) (check)")


def draft_units(st: DraftState) -> list:
    """The units of the unit column's spellings (a form's choice list first), with sectors and unique slugs."""
    if st.unit_col is None:
        return []
    p = st.profiles[st.unit_col]
    q = st.questions.get(st.unit_col)
    listed = st.form.choices.get(q.list_name, []) if q is not None and q.list_name and st.form else []
    clusters = cluster_spellings(p.counts, listed)
    sectors = unit_sectors(st, clusters, spelling_index(clusters))
    units, slugs = [], set()
    for (canon, aliases, total, merged), (unit_sector, sector_note) in zip(clusters, sectors):
        slug = slugify(canon)
        base, i = slug, 2
        while slug in slugs:
            slug = f"{base}-{i}"
            i += 1
        slugs.add(slug)
        unote = (f"{len(aliases) + 1} spellings merged by similarity: check they are one unit" if merged else "")
        units.append(Unit(canon, slug, unit_sector, sector_note, aliases, total, unote))
    return units
