"""Locations above the unit: the district (kecamatan) and the agency (dinas) each unit belongs to.

A unit may name its ``district`` and its ``agency`` in the units file, each a
plain name; both are optional. The file may also declare them in top-level
``districts:`` and ``agencies:`` lists, like units: ``name``, ``slug``
(default: the name slugified) and ``aliases``. When a list is declared, every
district (agency) a unit names must be on it, by its name, slug or an alias;
without a list, the names the units give are the districts (spellings that
match when normalised are one district, written as the first unit writes
it). A district or agency titles a report of its own, so its slug may clash
with no unit's and no other location's, nor with an output file's name.

:func:`locations` lists them with their units; :func:`resolve_location`
finds the one a user means.
"""

from __future__ import annotations

import difflib

import pandas as pd

from ..errors import ClemInputError
from .files import fail, shown
from .names import entry_name, entry_slug, normalize_label, slugify, strip_bidi

__all__ = ["locations", "resolve_location"]

#: The levels above the unit, each a key a unit may give and the top-level list that declares them.
LEVELS = ("district", "agency")
LISTS = {"district": "districts", "agency": "agencies"}
_ENTRY_KEYS = {"name", "slug", "aliases"}
#: Columns of :func:`locations`.
LOCATION_COLUMNS = ("level", "name", "slug", "units", "users_per_month", "aliases")


def unit_location(value, level: str, *, path, place) -> str | None:
    """The ``district`` or ``agency`` a unit entry gives: a name, or None when it gives none."""
    if value is None:
        return None
    if isinstance(value, (list, tuple, dict)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        fail(path, f"{place()} {level} is {kind} ({str(value)[:60]}): a unit belongs to one {level}",
             f"write one name, {level}: <name>; a facility serving two is listed once per {level} as two units")
    if not isinstance(value, str):
        fail(path, f"{place()} {level} {value!r} is not a name", f"write {level}: <name>, e.g. {level}: Serengan")
    return strip_bidi(value).strip() or None


def _declared(path, doc: dict, level: str, at) -> list[tuple[str, str | None, tuple, int]] | None:
    """The ``districts:`` (``agencies:``) list as (name, given slug or None, aliases, index); None when absent."""
    key = LISTS[level]
    entries = doc.get(key)
    if entries is None:
        return None
    if not isinstance(entries, list):
        fail(path, f"{key}: is not a list", f"write {key}: [- {{name: ..., aliases: [...]}}] or leave it out")
    out = []
    for k, e in enumerate(entries):
        e = {"name": e} if isinstance(e, str) else e
        if not isinstance(e, dict):
            fail(path, f"{at(key, k)} a {level} is neither a name nor a mapping",
                 f"write - {{name: <{level} name>, aliases: [...]}}")
        extra = sorted(set(map(str, e)) - _ENTRY_KEYS)
        if extra:
            fail(path, f"{at(key, k, level, str(e.get('name')))} unknown key '{extra[0]}'",
                 f"a {level} has only name, slug and aliases")
        name = entry_name(e.get("name"), path=path, place=lambda n: at(key, k, level, n), what=level,
                          fix=f"add name: <{level} name>")
        aliases = e.get("aliases") or []
        aliases = [aliases] if isinstance(aliases, str) else aliases
        if not isinstance(aliases, list):
            fail(path, f"{at(key, k, level, name)} aliases is not a list",
                 "write aliases: [Spelling one, Spelling two]")
        out.append((name, e.get("slug"), tuple(strip_bidi(str(a)) for a in aliases), k))
    return out


def _spellings(declared, level: str, path, at) -> dict[str, str]:
    """normalised name, slug or alias -> declared name; one spelling may not mean two."""
    owner: dict[str, str] = {}
    names: set[str] = set()
    for name, slug, aliases, k in declared:
        if normalize_label(name) in names:
            fail(path, f"{at(LISTS[level], k, level, name)} '{name}' is listed twice",
                 f"list each {level} once under {LISTS[level]}: (other spellings under its aliases:)")
        names.add(normalize_label(name))
        for s in [name, *aliases, *([slug] if isinstance(slug, str) else [])]:
            key = normalize_label(s)
            if key in owner and owner[key] != name:
                fail(path, f"{at(LISTS[level], k, level, name)} '{s}' also names {level} '{owner[key]}'",
                     f"keep each name and alias under one {level}")
            owner[key] = name
    return owner


def _unknown(path, place, level: str, value: str, owner: dict, declared) -> None:
    names = [d[0] for d in declared]
    close = difflib.get_close_matches(normalize_label(value), list(owner), n=3, cutoff=0.6)
    hint = (f"did you mean {' or '.join(repr(n) for n in dict.fromkeys(owner[c] for c in close))}, or add it under "
            f"{LISTS[level]}:" if close else f"use one of {_listed(names)} or add it under {LISTS[level]}:")
    fail(path, f"{place()} {level} {value!r} is not in the {LISTS[level]}: list", hint)


def _listed(names, most: int = 8) -> str:
    """``'A', 'B' and 3 more``."""
    if not names:
        return "(none)"
    return ", ".join(repr(n) for n in names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def parse_hierarchy(path, doc: dict, rows: list, at) -> tuple[tuple, tuple]:
    """Each unit's district and agency as canonical names, and the locations, from a parsed units file.

    ``rows`` are the validated units, ``(name, slug, sectors, aliases, users_per_month, district,
    agency)`` with district and agency as the unit wrote them (or None); ``at`` is the file's
    :class:`~clem_lib.codebook.files.EntryPlaces`. Returns the rows with canonical names and the
    locations ``(level, name, slug, aliases)``, districts first, each level in declared order (else
    in the order units first name them).
    """
    taken = {r[1]: ("unit", r[0]) for r in rows}  # slug -> what holds it
    rows = [list(r) for r in rows]
    found = []
    for j, level in enumerate(LEVELS):
        col = 5 + j
        declared = _declared(path, doc, level, at)
        owner = _spellings(declared, level, path, at) if declared is not None else {}
        first: dict[str, int] = {}  # location -> first unit naming it
        for i, r in enumerate(rows):
            if r[col] is None:
                continue
            key = normalize_label(r[col])
            if declared is not None and key not in owner:
                _unknown(path, lambda i=i, r=r: at("units", i, "unit", r[0]), level, r[col], owner, declared)
            r[col] = owner.setdefault(key, r[col])  # undeclared: the first spelling names it
            first.setdefault(r[col], i)
        entries = declared if declared is not None else [(n, None, (), None) for n in first]
        for name, given, aliases, k in entries:
            if name not in first:
                fail(path, f"{at(LISTS[level], k, level, name)} no unit names this {level}",
                     f"give its units {level}: {name}, or remove it from {LISTS[level]}:")
            if k is None:  # undeclared: named where its first unit names it
                def place(n, i=first[name], lv=level):
                    return at("units", i, "unit", rows[i][0]).rstrip(":") + f", {lv} {shown(n)!r}:"
                fix = (f"declare it under {LISTS[level]}: with a slug of its own, e.g. - {{name: {name}, "
                       f"slug: {level}-{slugify(name)}}}")
                entry_name(name, path=path, place=place, what=level, fix="")
            else:
                def place(n, k=k, lv=level):
                    return at(LISTS[lv], k, lv, n)
                fix = f"give the {level} a slug of its own under {LISTS[level]}:, e.g. slug: {level}-{slugify(name)}"
            slug = entry_slug(given, name, level, path=path, place=place, what=level)
            if slug in taken:
                fail(path, f"{place(name)} slug '{slug}' is also the slug of {taken[slug][0]} '{taken[slug][1]}'",
                     fix)
            taken[slug] = (level, name)
            found.append((level, name, slug, tuple(aliases)))
    return tuple(tuple(r) for r in rows), tuple(found)


def locations(units: pd.DataFrame) -> pd.DataFrame:
    """The districts and agencies of a units table, one row each, with their units.

    Parameters
    ----------
    units : DataFrame
        :func:`clem_lib.load_units` (its ``district`` and ``agency`` columns;
        slugs and aliases declared in the units file travel in
        ``units.attrs["locations"]``). A table without those columns has no
        locations.

    Returns
    -------
    DataFrame
        Columns ``level`` (``"district"`` or ``"agency"``), ``name``, ``slug``,
        ``units`` (tuple of unit names, in units-file order),
        ``users_per_month`` (Int64: the sum over its units; missing when one
        of them has none), ``aliases`` (tuple). Districts first, each level
        in the order the units file declares (or first names) them.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"name": ["Kec. Serengan", "Puskesmas Serengan", "Dispendukcapil"],
    ...                   "users_per_month": pd.array([900, 300, 5400], dtype="Int64"),
    ...                   "district": ["Serengan", "Serengan", None], "agency": [None, "Dinkes", "Dispendukcapil"]})
    >>> t = locations(u)
    >>> t[["level", "name", "slug", "users_per_month"]].values.tolist()
    [['district', 'Serengan', 'serengan', 1200], ['agency', 'Dinkes', 'dinkes', 300], ['agency', 'Dispendukcapil', 'dispendukcapil', 5400]]
    >>> t["units"].iloc[0]
    ('Kec. Serengan', 'Puskesmas Serengan')
    """
    known = {(lv, n): (s, a) for lv, n, s, a in units.attrs.get("locations", ())}
    rows = []
    for level in LEVELS:
        if level not in units.columns:
            continue
        col = units[level].astype("string")
        named = list(dict.fromkeys(col.dropna()))
        order = [n for lv, n in known if lv == level and n in named] + [n for n in named if (level, n) not in known]
        for name in order:
            mine = col.eq(name).fillna(False).to_numpy(dtype=bool)
            upm = units["users_per_month"][mine] if "users_per_month" in units.columns else pd.Series([pd.NA])
            slug, aliases = known.get((level, name), (slugify(name)[:100].rstrip("-") or level, ()))
            rows.append((level, name, slug, tuple(units["name"][mine].astype(str)),
                         pd.NA if upm.isna().any() else int(upm.sum()), tuple(aliases)))
    out = pd.DataFrame(rows, columns=list(LOCATION_COLUMNS))
    for c in ("level", "name", "slug"):
        out[c] = out[c].astype("string")
    out["users_per_month"] = out["users_per_month"].astype("Int64")
    return out


def resolve_location(units: pd.DataFrame, location: str, level: str | None = None) -> tuple[str, str]:
    """The district or agency a user means: its level and canonical name, from a name, slug or alias.

    Parameters
    ----------
    units : DataFrame
        :func:`clem_lib.load_units`.
    location : str
        As typed: ``"serengan"``, ``"Kecamatan Serengan"``, ``"dinkes"``
        (case, spaces and punctuation ignored).
    level : {None, "district", "agency"}
        Look at one level only; None: both.

    Returns
    -------
    tuple of str
        ``(level, name)``.

    Raises
    ------
    ClemInputError
        Unknown location (naming the close ones, or the known ones), a name
        that is both a district and an agency (give the level), an unknown
        level.

    Examples
    --------
    >>> import pandas as pd
    >>> u = pd.DataFrame({"name": ["Puskesmas Serengan"], "users_per_month": [300],
    ...                   "district": ["Serengan"], "agency": ["Dinas Kesehatan"]})
    >>> resolve_location(u, "dinas  kesehatan")
    ('agency', 'Dinas Kesehatan')
    """
    if level is not None and level not in LEVELS:
        raise ClemInputError(f"unknown level {level!r}", column="level", fix="use district or agency")
    what = level or "location"
    if not isinstance(location, str) or not location.strip():
        raise ClemInputError(f"the {what} is empty", column=what, fix="give a name such as 'Serengan'")
    table = locations(units)
    if level is not None:
        table = table[table["level"].eq(level).to_numpy(dtype=bool)]
    spelled: dict[str, set] = {}
    for r in table.itertuples(index=False):
        for s in (r.name, r.slug, *r.aliases):
            spelled.setdefault(normalize_label(s), set()).add((r.level, r.name))
    hits = sorted(spelled.get(normalize_label(location), ()))
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise ClemInputError(f"{location!r} names " + " and ".join(f"{lv} {n!r}" for lv, n in hits), column=what,
                             fix="give the level, district or agency")
    if table.empty:
        raise ClemInputError(f"unknown {what} {location!r}: the units file names no {level or 'district or agency'}",
                             column=what, fix=f"add {level or 'district'}: <name> to the units in the units file")
    close = difflib.get_close_matches(normalize_label(location), list(spelled), n=3, cutoff=0.6)
    names = sorted({n for c in close for _, n in spelled[c]})
    known = "; ".join(f"known {LISTS[lv]}: {_listed(list(table.loc[table['level'].eq(lv), 'name']))}"
                      for lv in LEVELS if table["level"].eq(lv).any())
    fix = (f"did you mean {' or '.join(repr(n) for n in names)}? " if names else "") + known
    raise ClemInputError(f"unknown {what} {location!r}", column=what, fix=fix)
