"""The unit column, and the units file drafted from its spellings."""

from __future__ import annotations

import re

from ..codebook import slugify
from .common import CHECK, SURE, short, words
from .document import Unit
from .sectors import unit_sectors
from .spellings import cluster_spellings, spelling_index
from .state import Column, DraftState

__all__ = ["is_unit_name", "text_rank", "rule_unit_name", "pass_unit", "skip_place", "unit_clusters", "draft_units"]


def is_unit_name(w: str) -> bool:
    """Whether a column's words (:func:`clem_lib.draft.common.words`) name a place where a service is given."""
    return bool(re.search(r" (unit|unit layanan|unit pelayanan|nama unit|lokasi|lokasi layanan|kecamatan|"
                          r"kelurahan|desa|puskesmas|sekolah|nama sekolah|nama puskesmas|opd|instansi|kantor|"
                          r"tempat pelayanan|tempat layanan|nama instansi|location|site|facility|fasyankes|"
                          r"satuan kerja|satker|perangkat daerah) ", w)) and not re.search(
        r" (ramah|apakah|bagaimana|berapa) ", w)


def text_rank(p) -> int | None:
    """How likely a text column (its :class:`~clem_lib.draft.export.Profile`) is the unit, by its values.

    1: long answers with repeats; 2: short answers, few distinct; None: neither (one value, or
    nearly all different).
    """
    if p.distinct >= 2 and p.mean_len() >= 8:
        return 1 if p.distinct <= max(30, p.n // 3) else None
    if 2 <= p.distinct <= max(30, p.n // 5):
        return 2
    return None


def rule_unit_name(st: DraftState, c: Column) -> bool:
    """A text column named as a place: the first choice for the unit column."""
    if is_unit_name(c.text) and not c.is_num:
        st.unit_candidates.append((0, c.name))
        return True
    return False


def pass_unit(st: DraftState, cols) -> None:
    """The unit column: a column named as a place, else a text column with few distinct values.

    At the same rank a column named as a district or an agency comes after the others: the unit
    is the finer place. Those columns, when not the unit, are left to the locations pass.
    """
    located = set(st.location_candidates)
    cands = sorted(st.unit_candidates, key=lambda t: (t[0], t[1] in located, st.order(t[1])))
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
        if other not in located:
            skip_place(st, other)


def skip_place(st: DraftState, col) -> None:
    """Leave out a text column that is not the unit, saying so (another place column: check which is the unit)."""
    p = st.profiles[col]
    if st.unit_col is not None and is_unit_name(words(st.text_of(col))) and p.distinct > 1:
        st.skip(col, "another place column (check: the unit is read from "
                f"'{short(st.unit_col, 40)}')")
        st.todo.append(f"column '{short(col, 60)}' also names a place: check which is the unit")
    else:
        st.skip(col, f"not recognised ({p.distinct} distinct text values) (check)")


def unit_clusters(st: DraftState) -> list:
    """The units of the unit column's spellings, (name, aliases, rows, merged), a form's choice list first."""
    if st.unit_clusters is None:
        p = st.profiles[st.unit_col]
        q = st.questions.get(st.unit_col)
        listed = st.form.choices.get(q.list_name, []) if q is not None and q.list_name and st.form else []
        st.unit_clusters = cluster_spellings(p.counts, listed)
    return st.unit_clusters


def draft_units(st: DraftState) -> list:
    """The units of the unit column's spellings (a form's choice list first), with sectors, unique slugs,
    and the district and agency the locations pass found for each."""
    if st.unit_col is None:
        return []
    clusters = unit_clusters(st)
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
        units.append(Unit(canon, slug, unit_sector, sector_note, aliases, total, unote,
                          st.unit_locations.get(canon, {})))
    return units
