"""The units file: the service units (canonical name, slug, sectors, aliases, users per month) and the
district and agency each belongs to, validated on load and cached by the file's content.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd

from ..errors import ClemInputError
from ..paths import UNITS_FILE
from .files import EntryPlaces, decode_yaml, fail, gc_paused, read_file_bytes
from .hierarchy import LEVELS, parse_hierarchy, unit_location
from .names import entry_name, entry_slug, normalize_label, strip_bidi

__all__ = ["load_units", "units_file_for", "units_cache_dir"]

#: Columns of the units table, in order.
UNIT_COLUMNS = ("name", "slug", "sectors", "aliases", "users_per_month", *LEVELS)


def units_file_for(codebook_path, given=None) -> Path:
    """The units file of a survey: ``given`` when there is one, else the one beside its codebook.

    Beside ``data/my_survey.codebook.yml`` clem looks for
    ``data/my_survey.units.yml`` (what ``clem init`` writes), then
    ``data/units.yml``. The bundled sample's units are never used for another
    survey.

    Raises
    ------
    ClemInputError
        No units file was given and none lies beside the codebook.
    """
    if given:
        return Path(given)
    codebook_path = Path(codebook_path)
    stem = codebook_path.name
    for suffix in (".codebook.yml", ".codebook.yaml", ".yml", ".yaml"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    candidates = [codebook_path.with_name(f"{stem}.units.yml"), codebook_path.with_name("units.yml")]
    for c in candidates:
        if c.is_file():
            return c
    raise ClemInputError("no units file given and none beside the codebook", file=codebook_path,
                         fix=f"give --units-file, or put {candidates[0].name} beside the codebook "
                             "(`clem init` drafts one)")


def load_units(path=UNITS_FILE) -> pd.DataFrame:
    """Read ``units.yml``: the service units, how field teams spell them, and where each belongs.

    Parameters
    ----------
    path : str or Path, default ``data/units.yml``

    Returns
    -------
    pandas.DataFrame
        One row per unit, in file order: ``name`` (canonical), ``slug``,
        ``sectors`` (list of sector keys), ``aliases`` (list of spellings),
        ``users_per_month`` (Int64, users served per month: the population N
        for sample-size checks and weights), ``district`` and ``agency``
        (string: the canonical name of the unit's district (kecamatan) and
        agency (dinas), missing when it names none). When the file names
        districts or agencies, ``attrs["locations"]`` holds each one's
        ``(level, name, slug, aliases)`` for :func:`clem_lib.locations`.

    Raises
    ------
    ClemInputError
        Missing file, invalid YAML, a unit without name or sectors, an alias
        claimed by two units, duplicate slugs; a unit giving several
        districts (agencies), a district (agency) not in the declared list,
        a declared one no unit names, a district's or agency's slug that
        another unit or location has. Each message names the file, the line
        and the unit, and says how to fix it.

    Notes
    -----
    Every report reads the units file, and a national registry holds
    thousands of units, so the validated units are kept by the SHA-256 of
    the file's bytes: in memory for the process, and as JSON under the cache
    folder (:func:`units_cache_dir`), so another process reading the same
    bytes skips the parsing. A changed file has another digest and is parsed
    again; a cache entry that cannot be read or written is ignored. Each
    call returns a new frame.
    """
    path = Path(path)
    data = read_file_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    with gc_paused():  # tens of thousands of new tuples and lists, none in a cycle
        parsed = _UNITS_MEMO.get(digest)
        if parsed is None:
            parsed = _units_from_cache(digest)
            if parsed is None:
                parsed = _parse_units(path, decode_yaml(data, path), data.decode("utf-8-sig", "replace"))
                _units_to_cache(digest, parsed)
            while len(_UNITS_MEMO) >= 8:  # a long session reading many registries keeps the last few
                _UNITS_MEMO.pop(next(iter(_UNITS_MEMO)))
            _UNITS_MEMO[digest] = parsed
        return _units_frame(*parsed)


#: Format of a units cache entry; bump it when the rows' shape or the validation changes.
_UNITS_CACHE_VERSION = 3
_UNITS_MEMO: dict[str, tuple] = {}


def units_cache_dir() -> Path | None:
    """Folder of the parsed-units cache, or None when it is switched off.

    ``$CLEM_CACHE_DIR`` when set (empty, ``0`` or ``off``: no cache on disk),
    else ``outputs/_cache`` of the project.
    """
    env = os.environ.get("CLEM_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "none") else Path(env)
    from ..paths import OUTPUTS_DIR

    return OUTPUTS_DIR / "_cache"


def _units_cache_file(digest: str) -> Path | None:
    folder = units_cache_dir()
    return None if folder is None else folder / "units" / f"{digest}.v{_UNITS_CACHE_VERSION}.json"


def _units_from_cache(digest: str) -> tuple | None:
    file = _units_cache_file(digest)
    if file is None:
        return None
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
        if doc.get("sha256") != digest or doc.get("version") != _UNITS_CACHE_VERSION:
            return None
        rows = tuple((str(n), str(s), tuple(sec), tuple(al), u, d, a) for n, s, sec, al, u, d, a in doc["units"])
        found = tuple((str(lv), str(n), str(s), tuple(al)) for lv, n, s, al in doc["locations"])
        return rows, found
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # absent, unreadable or not ours: parse the YAML


def _units_to_cache(digest: str, parsed: tuple) -> None:
    file = _units_cache_file(digest)
    if file is None:
        return
    rows, found = parsed
    doc = {"version": _UNITS_CACHE_VERSION, "sha256": digest, "units": [list(r) for r in rows],
           "locations": [list(f) for f in found]}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, file)  # atomic: a reader sees the whole entry or none
    except OSError:
        pass  # a read-only or full disk only costs the next process a parse


def _parse_unit(path: Path, i: int, u, at: EntryPlaces) -> tuple:
    """One validated entry of ``units:``: (name, slug, sectors, aliases, users_per_month, district, agency),
    district and agency as written."""
    name = entry_name(u.get("name") if isinstance(u, dict) else None, path=path,
                      place=lambda n: at("units", i, "unit", n), what="unit", fix="add name: <canonical unit name>")
    place = lambda n=name: at("units", i, "unit", n)  # noqa: E731
    slug = entry_slug(u.get("slug"), name, f"unit-{i + 1}", path=path, place=place, what="unit")
    sectors = u.get("sectors")
    if isinstance(sectors, str):
        sectors = [sectors]
    if not isinstance(sectors, list) or not sectors:
        fail(path, f"{place()} unit '{name[:60]}' has no sectors", "add sectors: [adminduk, ...]")
    aliases = u.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    if not isinstance(aliases, list):
        fail(path, f"{place()} aliases is not a list", "write aliases: [Spelling one, Spelling two]")
    upm = u.get("users_per_month")
    if upm is not None and (isinstance(upm, bool) or not isinstance(upm, int) or upm < 0):
        fail(path, f"{place()} users_per_month {upm!r} is not a whole number", "write users_per_month: 1200")
    levels = [unit_location(u.get(level), level, path=path, place=place) for level in LEVELS]
    return (name, slug, tuple(str(s) for s in sectors), tuple(strip_bidi(str(a)) for a in aliases), upm, *levels)


def _parse_units(path: Path, doc, text: str = "") -> tuple[tuple, tuple]:
    """Validated units of a parsed ``units.yml`` (rows as :func:`_parse_unit`, district and agency
    canonical) and its locations ``(level, name, slug, aliases)``."""
    units = doc.get("units") if isinstance(doc, dict) else None
    if not isinstance(units, list) or not units:
        fail(path, "no units: list found", "write units: [- {name: ..., sectors: [...]}]")
    at = EntryPlaces(text)
    rows, owner = [], {}
    for i, u in enumerate(units):
        row = _parse_unit(path, i, u, at)
        name = row[0]
        for s in [name, *row[3]]:
            key = normalize_label(s)
            if key in owner and owner[key] != name:
                fail(path, f"alias '{s}' belongs to both '{owner[key]}' and '{name}'", "keep each alias under one unit")
            owner[key] = name
        rows.append(row)
    seen = set()
    for _name, slug, *_ in rows:
        if slug in seen:
            fail(path, f"slug '{slug}' is used twice", "give each unit its own slug")
        seen.add(slug)
    return parse_hierarchy(path, doc, rows, at)


def _units_frame(rows: tuple, found: tuple = ()) -> pd.DataFrame:
    df = pd.DataFrame({
        "name": [r[0] for r in rows],
        "slug": [r[1] for r in rows],
        "sectors": [list(r[2]) for r in rows],
        "aliases": [list(r[3]) for r in rows],
        "users_per_month": [r[4] for r in rows],
        **{level: [r[5 + j] for r in rows] for j, level in enumerate(LEVELS)},
    }, columns=list(UNIT_COLUMNS))
    for c in ("name", "slug", *LEVELS):
        df[c] = df[c].astype("string")
    df["users_per_month"] = df["users_per_month"].astype("Int64")
    if found:
        df.attrs["locations"] = found
    return df
