"""Which reports a run writes: units, districts, agencies and the city overview.

A units file may put each unit in a ``district`` (kecamatan) and an ``agency``
(dinas). A district or agency with at least two units that have answers in the
data gets a report of its own: the city overview notebook run for its units
only (``level``, ``location``). A location with one such unit gets none (its
report would repeat the unit's); the index lists that unit under it directly.

``clem run --level`` picks the levels, ``--units`` the units and locations:

* no ``--units``: every report of the levels chosen (default: all four);
* ``--units``: each item is a unit (name, slug or alias), else a district or
  agency (``district:<name>`` or ``agency:<name>`` says which). A unit item
  selects its report; a location item its report and its units' reports.
  Districts and agencies of the unit items are added only when ``--level``
  names their level explicitly; the city overview runs when its level is
  chosen.

Every problem is a :class:`~clem_lib.errors.ClemInputError` raised before
anything is written.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from ..codebook import locations, normalize_label, resolve_location
from ..errors import ClemInputError
from ..report import resolve_unit
from ..text import label

__all__ = [
    "RUN_LEVELS",
    "parse_levels",
    "check_levels",
    "Location",
    "location_label",
    "data_locations",
    "check_location_slugs",
    "Selection",
    "select_reports",
    "units_lookup_table",
]

RUN_LEVELS = ("unit", "district", "agency", "city")
"""The levels ``clem run --level`` takes, in the order they are listed."""

_LOCATION_LEVELS = ("district", "agency")
_PREFIX = re.compile(r"\s*(district|agency)\s*:\s*(.+)", re.IGNORECASE)


def parse_levels(given: str | Sequence[str] | None) -> tuple | None:
    """``"unit,district"`` (or a list) as a tuple in :data:`RUN_LEVELS` order; None when not given.

    Examples
    --------
    >>> parse_levels("city, unit")
    ('unit', 'city')
    >>> parse_levels(None) is None
    True
    """
    if given is None:
        return None
    items = given.split(",") if isinstance(given, str) else list(given)
    items = [str(i).strip().lower() for i in items if str(i).strip()]
    if not items:
        return None
    for item in items:
        if item not in RUN_LEVELS:
            raise ClemInputError(f"--level: unknown level {item!r}",
                                 fix="give a comma list of " + ", ".join(RUN_LEVELS) + ", e.g. --level unit,district")
    return tuple(lv for lv in RUN_LEVELS if lv in items)


def check_levels(levels: Sequence[str], units_table: pd.DataFrame, units_path) -> None:
    """Levels named explicitly must exist: ``--level district`` needs a units file naming districts."""
    for level in _LOCATION_LEVELS:
        if level in levels and not (level in units_table.columns and units_table[level].notna().any()):
            raise ClemInputError(f"--level {level}: the units file names no {level}",
                                 fix=f"add {level}: to units in {units_path}, or leave {level} out of --level")


@dataclass(frozen=True)
class Location:
    """A district or agency of the units file, with its units that have answers in the data.

    Attributes
    ----------
    level : {"district", "agency"}
    name, slug : str
        Canonical name (the notebook's ``location``) and file stem of its report.
    label : str
        Title of its report page ("Kecamatan Serengan", "Dinas Kesehatan").
    units : tuple of str
        Its units with answers in the data, in units-file order.
    """

    level: str
    name: str
    slug: str
    label: str
    units: tuple

    @property
    def reportable(self) -> bool:
        """It gets a report of its own: two units or more (one unit's report would repeat it)."""
        return len(self.units) >= 2


def location_label(level: str, name: str, lang: str) -> str:
    """The title of a location's report: ``Kecamatan Serengan`` (a name that already starts with
    "Kec" as it is), an agency by its name.

    Examples
    --------
    >>> location_label("district", "Serengan", "id"), location_label("district", "Kec. Jebres", "id")
    ('Kecamatan Serengan', 'Kec. Jebres')
    >>> location_label("agency", "Dinas Kesehatan", "en")
    'Dinas Kesehatan (agency)'
    """
    if level == "district" and name.casefold().startswith("kec"):
        return label("idx_title_district_named", lang, name=name)
    return label(f"idx_title_{level}", lang, name=name)


def data_locations(units_table: pd.DataFrame, available, lang: str) -> tuple:
    """Every district and agency of the units file (:func:`clem_lib.codebook.locations`), each with
    its units that have answers in ``available``; districts first, in units-file order."""
    present = set(available)
    return tuple(Location(level=str(r.level), name=str(r.name), slug=str(r.slug),
                          label=location_label(str(r.level), str(r.name), lang),
                          units=tuple(u for u in r.units if u in present))
                 for r in locations(units_table).itertuples(index=False))


def check_location_slugs(places: Sequence[Location], info: dict, reserved, source) -> None:
    """A location's report file may clash with no unit's (units missing from the units file
    included: their slugs come from the data) and with no output file of the run."""
    taken = {entry["slug"]: name for name, entry in info.items()}
    for p in places:
        if p.slug in reserved or p.slug in taken:
            what = f"unit {taken[p.slug]!r}" if p.slug in taken else "an output file"
            raise ClemInputError(f"{p.level} {p.name!r} has slug {p.slug!r}, which is also the name of {what}",
                                 file=source, fix=f"give the {p.level} a slug of its own in the units file")


def units_lookup_table(units_table: pd.DataFrame, available: Sequence[str]) -> pd.DataFrame:
    """The units file's units, plus units with answers that it lacks (they resolve by their name)."""
    known = set(str(n) for n in units_table["name"])
    extra = [a for a in available if a not in known]
    if not extra:
        return units_table
    return pd.concat([units_table, pd.DataFrame({"name": extra, "slug": [""] * len(extra),
                                                 "aliases": [[] for _ in extra]})], ignore_index=True)


@dataclass(frozen=True)
class Selection:
    """The reports a run writes: unit names (sorted), locations (units-file order), the city overview."""

    units: list
    locations: list
    city: bool


def _closest(item: str, table: pd.DataFrame, places: Sequence[Location]) -> str:
    """``closest units: 'A', 'B'; closest locations: district 'C'`` (or the known ones)."""
    want = normalize_label(item)
    units: dict[str, str] = {}
    for rec in table.to_dict("records"):
        aliases = rec.get("aliases")
        aliases = [] if aliases is None or isinstance(aliases, str) else list(aliases)
        for s in [rec["name"], rec.get("slug") or "", *aliases]:
            if s:
                units[normalize_label(str(s))] = str(rec["name"])
    wheres = {normalize_label(s): f"{p.level} {p.name!r}" for p in places for s in (p.name, p.slug)}
    near_u = list(dict.fromkeys(units[c] for c in difflib.get_close_matches(want, list(units), n=6, cutoff=0.5)))
    near_p = list(dict.fromkeys(wheres[c] for c in difflib.get_close_matches(want, list(wheres), n=6, cutoff=0.5)))
    shown_u = ", ".join(repr(u) for u in near_u[:3]) or "none close (" + ", ".join(
        repr(n) for n in list(dict.fromkeys(units.values()))[:8]) + ")"
    shown_p = ", ".join(near_p[:3]) or "none close (" + ", ".join(
        f"{p.level} {p.name!r}" for p in places[:8]) + ")"
    return f"closest units: {shown_u}; closest districts and agencies: {shown_p}"


def _resolve_item(item: str, table: pd.DataFrame, units_table: pd.DataFrame, places) -> tuple[str, str]:
    """``("unit", name)``, ``("district", name)`` or ``("agency", name)``: units first."""
    m = _PREFIX.fullmatch(item)
    if m and places:
        try:
            level, name = resolve_location(units_table, m.group(2), m.group(1).lower())
        except ClemInputError as exc:
            raise ClemInputError(f"--units: unknown {m.group(1).lower()} {m.group(2).strip()!r}",
                                 fix=exc.fix) from None
        return level, name
    try:
        return "unit", resolve_unit(item, table)
    except ClemInputError as unit_error:
        if not places:
            raise ClemInputError(f"--units: unknown unit {item!r}", fix=unit_error.fix) from None
    try:
        level, name = resolve_location(units_table, item)
    except ClemInputError as exc:
        if " names " in str(exc):  # a district and an agency of the same spelling
            raise ClemInputError(f"--units: {exc}", fix=f"write district:{item} or agency:{item}") from None
        raise ClemInputError(f"--units: {item!r} is neither a unit nor a district or agency",
                             fix=_closest(item, table, places)) from None
    return level, name


def _named(items, available, units_table, places) -> tuple[set, list]:
    """The units and the locations the ``--units`` items name."""
    table = units_lookup_table(units_table, available)
    by_name = {(p.level, p.name): p for p in places}
    units, named = set(), []
    for item in items:
        level, name = _resolve_item(item, table, units_table, places)
        if level == "unit":
            if name not in available:
                raise ClemInputError(f"--units: unit {name!r} has no answers in the data",
                                     fix="units with answers: " + ", ".join(repr(a) for a in available))
            units.add(name)
            continue
        place = by_name[(level, name)]
        if not place.units:
            raise ClemInputError(f"--units: {level} {name!r} has no unit with answers in the data",
                                 fix="units with answers: " + ", ".join(repr(a) for a in available))
        if place not in named:
            named.append(place)
    return units, named


def select_reports(requested, levels: Sequence[str], explicit: bool, available: Sequence[str],
                   units_table: pd.DataFrame, places: Sequence[Location]) -> Selection:
    """The reports of a run (see the module's description for the rules).

    Parameters
    ----------
    requested : str, sequence of str or None
        ``--units``: ``"Kec. Serengan,district:Pasar Kliwon"`` or a list; None or empty: everything.
    levels : sequence of str
        The levels of the run (:func:`parse_levels`, default :data:`RUN_LEVELS`).
    explicit : bool
        ``--level`` was given: the districts and agencies of the named units run too.
    available : sequence of str
        Units with answers in the data.
    units_table : DataFrame
        :func:`clem_lib.load_units`.
    places : sequence of Location
        :func:`data_locations`.
    """
    available = sorted(set(str(a) for a in available))
    reportable = [p for p in places if p.reportable and p.level in levels]
    items = requested.split(",") if isinstance(requested, str) else list(requested or [])
    items = [str(i).strip() for i in items if str(i).strip()]
    if not items:
        return Selection(units=available if "unit" in levels else [], locations=reportable, city="city" in levels)
    units, named = _named(items, available, units_table, places)
    chosen_units = set(units)
    for p in named:
        chosen_units.update(p.units)
    pick = {p.slug for p in named}
    if explicit:
        pick.update(p.slug for p in reportable if set(p.units) & units)
    return Selection(units=sorted(chosen_units) if "unit" in levels else [],
                     locations=[p for p in reportable if p.slug in pick], city="city" in levels)
