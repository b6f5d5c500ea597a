"""Codebook: what every column of a raw export means, validated on load.

A codebook is a YAML file (format documented in ``docs/codebook.md``) that maps
the columns of a field export (KoboToolbox/ODK, Excel, SPSS, CSV) onto the
cleaned table of ``docs/data_model.md``: each column's role, its scale (ordered
numeric codes with Indonesian and English labels plus the spellings field teams
really type), the "don't know" codes that become missing, valid ranges, and
which columns hold personal data.

``data/units.yml`` lists the service units (canonical name, slug, sectors,
aliases, users per month).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import ClemInputError
from .paths import UNITS_FILE
from .scales import builtin_scale_spec

__all__ = [
    "ROLES",
    "UNSUR_14_2017",
    "Scale",
    "ColumnSpec",
    "Codebook",
    "load_codebook",
    "load_units",
    "normalize_label",
    "units_file_for",
    "slugify",
]

#: The nine elements (unsur) of Permenpan RB 14/2017, by key.
UNSUR_14_2017 = (
    "persyaratan",
    "prosedur",
    "waktu",
    "biaya",
    "produk",
    "kompetensi",
    "perilaku",
    "pengaduan",
    "sarana",
)

#: role -> (kind of value, output column name or None when the name is given
#: by the entry). ``kind`` decides how cleaning converts the raw strings.
ROLES: dict[str, str] = {
    "respondent_id": "id",
    "unit": "unit",
    "sector": "nominal",
    "service": "text",
    "round": "integer",
    "interview_date": "date",
    "enumerator": "text",
    "consent": "boolean",
    "gender": "nominal",
    "age": "number",
    "education": "nominal",
    "income": "nominal",
    "special_flag": "boolean",
    "special_groups": "multiple",
    "channel": "nominal",
    "unsur": "ordinal",
    "harapan": "ordinal",
    "overall_satisfaction": "ordinal",
    "indicator": "boolean",
    "amount": "number",
    "duration": "number",
    "free_text": "free_text",
    "personal": "personal",
    "weight": "number",
    "start_time": "datetime",
    "end_time": "datetime",
    "submission_time": "datetime",
}

# roles that give their output column a fixed name
_FIXED_NAMES = {
    "respondent_id": "respondent_id",
    "unit": "unit",
    "sector": "sector",
    "service": "service",
    "round": "round",
    "interview_date": "interview_date",
    "enumerator": "enumerator",
    "consent": "consent",
    "gender": "gender",
    "age": "age",
    "education": "education",
    "income": "income_group",
    "channel": "channel",
    "overall_satisfaction": "overall_satisfaction",
    "weight": "weight",
    "start_time": "_start",
    "end_time": "_end",
    "submission_time": "_submission_time",
}

_SPECIAL_FLAGS = ("disability", "elderly", "pregnant", "with_child")
_ROLES_REQUIRED_ONCE = ("unit",)
# at most one column each; without them every row is its own respondent (numbered by its data
# row) and the survey has one round
_ROLES_AT_MOST_ONCE = ("respondent_id", "round")
_SCALE_KINDS = ("ordinal", "boolean", "nominal")
_NAME_RE = re.compile(r"^_?[a-z][a-z0-9_]*$")

_DEFAULT_QUALITY = {
    "max_unmatched_share": 0.2,
    "duplicate_window_minutes": 10.0,
    "speeder_minutes": None,  # None: one third of the median interview length
    "speeder_fraction_of_median": 1 / 3,
    "straightliner_min_items": None,  # None: all unsur items answered
}
_DEFAULT_SOURCE = {
    "format": "auto",  # auto | csv | excel | spss | kobo
    "delimiter": "auto",  # auto (sniff ';' or ','), or a character
    "encoding": "auto",  # auto (utf-8, utf-8 with BOM, then cp1252) or a codec
    "sheet": None,  # Excel sheet name or index
    "group_separator": "/",  # Kobo/ODK group prefix separator
}
_DEFAULT_PRIVACY = {
    "salt_env": "CLEM_PII_SALT",
}


def normalize_label(value: str) -> str:
    """Normalise a typed label for matching: case, accents, spaces, punctuation.

    ``"SANGAT  PUAS "`` and ``"Sangat puas."`` both become ``"sangat puas"``.
    """
    return _normalize_text(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _normalize_text(text: str) -> str:
    """normalize_label of a string; cached, as units and labels repeat across files and columns."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = re.sub(r"[\s_\-./,;:()'\"]+", " ", text)
    return text.strip()


def slugify(name: str) -> str:
    """File-safe slug of a unit name: ``"Kec. Pasar Kliwon"`` -> ``"kec-pasar-kliwon"``."""
    text = normalize_label(name)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "unit"


@dataclass(frozen=True)
class Scale:
    """A closed answer scale.

    Attributes
    ----------
    name : str
    kind : {"ordinal", "boolean", "nominal"}
        ``ordinal`` codes are integers (cleaned to ``Int64``), ``boolean`` codes
        are true/false, ``nominal`` codes are short string keys.
    codes : tuple
        The codes, in scale order.
    labels_id, labels_en : dict
        code -> label in Indonesian / English.
    lookup : dict
        normalised spelling -> code, built from the code itself, both labels
        and every alias.
    canonical : frozenset
        exact raw spellings that need no correction: the code, the official
        labels and the level's ``values`` (other official answer options, e.g.
        income bands merged into one group). Any other match (case, spaces,
        aliases) is logged as an ``alias`` correction.
    missing : frozenset
        normalised spellings meaning "don't know" / "no answer": cleaned to
        missing, never to a score.
    """

    name: str
    kind: str
    codes: tuple
    labels_id: dict
    labels_en: dict
    lookup: dict
    canonical: frozenset
    missing: frozenset
    spellings: dict = field(default_factory=dict)

    def suggest(self, value: str, limit: int = 1) -> list[str]:
        """Known spellings closest to an unmatched value (rapidfuzz, score >= 70)."""
        from rapidfuzz import fuzz, process

        choices = sorted(set(self.lookup) | set(self.missing))
        hits = process.extract(
            normalize_label(value), choices, scorer=fuzz.ratio, limit=limit, score_cutoff=70
        )
        return [self.spellings.get(h[0], h[0]) for h in hits]


@dataclass(frozen=True)
class ColumnSpec:
    """One codebook entry: a raw column and what it becomes.

    Attributes
    ----------
    name : str
        Output column in the cleaned table (``unsur_<key>`` and
        ``harapan_<key>`` for IKM answers).
    source : str
        Column name in the raw export (Kobo group prefix included or not).
    role : str
        One of :data:`ROLES`.
    scale : str or None
    range : tuple or None
        ``(min, max)`` valid values; outside becomes missing (rule
        ``out_of_range``). For dates, ``max`` may be ``"today"``.
    required : bool
        A required column absent from the export is a ``ClemInputError``.
    unsur : str or None
        Unsur key for roles ``unsur`` / ``harapan``.
    choices : dict or None
        For ``special_groups``: choice (Kobo choice name, or the label a
        form writes) -> flag column, or None for choices that are no flag.
    pii : {"drop", "hash"}
        For ``personal``: drop the column, or keep a salted hash in ``name``.
    separator : str or None
        For ``special_groups``: what joins the ticked choices in one cell
        (None: spaces, as Kobo/ODK write choice names; ``", "`` for Google
        Forms checkboxes).
    blank : {"none", "missing"}
        For ``special_groups``: a blank cell means nothing was ticked
        (``none``, as Kobo and Google Forms write it) or no answer.
    """

    name: str
    source: str
    role: str
    scale: str | None = None
    range: tuple | None = None
    required: bool = True
    unsur: str | None = None
    choices: dict | None = None
    pii: str = "drop"
    label_id: str | None = None
    label_en: str | None = None
    separator: str | None = None
    blank: str = "none"


@dataclass(frozen=True)
class Codebook:
    """A validated codebook (see :func:`load_codebook`).

    ``survey_name`` names the output folder ``outputs/<survey_name>/``;
    ``title`` holds ``{"id": ..., "en": ...}`` display titles (default: the
    survey name); ``unsur_keys`` the IKM element keys in scheme order.
    """

    survey_name: str
    scheme: Any
    path: Path | None
    columns: tuple
    scales: dict
    source: dict = field(default_factory=dict)
    quality: dict = field(default_factory=dict)
    privacy: dict = field(default_factory=dict)
    unsur_keys: tuple = ()
    title: dict = field(default_factory=dict)

    def by_role(self, role: str) -> list[ColumnSpec]:
        """Entries with a given role, in codebook order."""
        return [c for c in self.columns if c.role == role]

    def column(self, name: str) -> ColumnSpec:
        """The entry producing output column ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _fail(path, message, fix, column=None):
    raise ClemInputError(message, file=path, column=column, fix=fix)


def _read_yaml(path) -> Any:
    path = Path(path)
    return _decode_yaml(_read_file_bytes(path), path)


_GC_LOCK = threading.Lock()
_GC_PAUSES = 0  # callers inside _gc_paused; the collector is back on when the last one leaves
_GC_WAS_ENABLED = True  # the collector's state before the first of the current pauses


@contextlib.contextmanager
def _gc_paused():
    """Python's cyclic garbage collector off while a large tree of new objects is built.

    A YAML document of thousands of units creates some 100,000 dicts, lists
    and strings; every few hundred of them the collector runs, and now and
    then it walks every object in the process (pandas, numpy and scipy hold
    many), which took three times as long as the parsing itself. Parsed data
    holds no reference cycles (short of YAML aliases pointing into
    themselves), and whatever cycle there is, the first collection after the
    pause frees, so nothing leaks. Pauses nest (``load_units`` pauses around
    the YAML parse and its validation). Thread safe: the collector is
    switched back on (if it was on before the first pause) when the last
    pause ends.
    """
    global _GC_PAUSES, _GC_WAS_ENABLED
    with _GC_LOCK:
        if _GC_PAUSES == 0:
            _GC_WAS_ENABLED = gc.isenabled()
            gc.disable()
        _GC_PAUSES += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES -= 1
            if _GC_PAUSES == 0 and _GC_WAS_ENABLED:
                gc.enable()


def _decode_yaml(data: bytes, path: Path) -> Any:
    """Parse the bytes of a YAML file (UTF-8, with or without BOM); errors name ``path``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ClemInputError(
            f"not UTF-8 text (byte {exc.start})", file=path, fix="save the file as UTF-8"
        ) from None
    try:
        with _gc_paused():
            return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ClemInputError(
            f"not valid YAML ({where}{problem})",
            file=path,
            fix="check indentation and quotes around values containing ':' or '#'",
        ) from None


def _as_code(kind, raw, path, scale_name):
    if kind == "ordinal":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or int(raw) != raw:
            _fail(path, f"scale '{scale_name}' is ordinal but code {raw!r} is not an integer",
                  "give ordinal levels integer codes 1, 2, 3, ...")
        return int(raw)
    if kind == "boolean":
        if not isinstance(raw, bool):
            _fail(path, f"scale '{scale_name}' is boolean but code {raw!r} is not true/false",
                  "use code: true / code: false")
        return raw
    if not isinstance(raw, str) or not raw:
        _fail(path, f"scale '{scale_name}' is nominal but code {raw!r} is not a text key",
              "give nominal levels short text codes, e.g. code: female")
    return raw


def _parse_scale(name, spec, path) -> Scale:
    if not isinstance(spec, dict):
        _fail(path, f"scale '{name}' must be a mapping", "see docs/codebook.md, section scales")
    kind = spec.get("kind", "ordinal")
    if kind not in _SCALE_KINDS:
        _fail(path, f"scale '{name}' has unknown kind '{kind}'",
              f"use one of {', '.join(_SCALE_KINDS)}")
    levels = spec.get("levels")
    if not isinstance(levels, list) or not levels:
        _fail(path, f"scale '{name}' has no levels", "list the levels with code, id, en, aliases")
    codes, lab_id, lab_en, lookup, canonical = [], {}, {}, {}, set()
    for lev in levels:
        if not isinstance(lev, dict) or "code" not in lev:
            _fail(path, f"scale '{name}': every level needs a code",
                  "write levels as - {code: 1, id: ..., en: ...}")
        code = _as_code(kind, lev["code"], path, name)
        if code in codes:
            _fail(path, f"scale '{name}': code {code!r} appears twice", "make codes unique")
        codes.append(code)
        lab_id[code] = str(lev.get("id", code))
        lab_en[code] = str(lev.get("en", lev.get("id", code)))
        official = [str(code).lower() if kind == "boolean" else str(code), lab_id[code], lab_en[code]]
        if kind == "ordinal":
            official.append(f"{code}.0")
        official += [str(v) for v in (lev.get("values") or [])]
        spellings = official + [str(a) for a in (lev.get("aliases") or [])]
        for i, s in enumerate(spellings):
            key = normalize_label(s)
            if not key:
                continue
            if key in lookup and lookup[key] != code:
                _fail(path, f"scale '{name}': spelling '{s}' means both {lookup[key]!r} and {code!r}",
                      "remove the alias from one of the levels")
            lookup[key] = code
            if i < len(official):
                canonical.add(s)
    spellings = {}
    for lev in levels:
        for sp in [lev.get("id"), lev.get("en"), *(lev.get("values") or []), *(lev.get("aliases") or [])]:
            if sp is not None:
                spellings.setdefault(normalize_label(sp), str(sp))
    for m in spec.get("missing") or []:
        spellings.setdefault(normalize_label(m), str(m))
    missing = frozenset(normalize_label(m) for m in (spec.get("missing") or []) if normalize_label(m))
    clash = missing & set(lookup)
    if clash:
        _fail(path, f"scale '{name}': '{sorted(clash)[0]}' is both a level and a missing code",
              "remove it from one of the two lists")
    if kind == "ordinal":
        codes_sorted = sorted(codes)
        if codes_sorted != codes:
            _fail(path, f"scale '{name}': ordinal codes must be listed in increasing order",
                  "order the levels from lowest to highest code")
    return Scale(name, kind, tuple(codes), lab_id, lab_en, lookup, frozenset(canonical), missing, spellings)


def _scheme_keys(scheme, path) -> tuple:
    if scheme in (None, "permenpan14_2017"):
        return UNSUR_14_2017
    if isinstance(scheme, str):
        # other named schemes are defined in scoring; their keys come from the columns
        return ()
    if isinstance(scheme, dict):
        keys = scheme.get("unsur")
        if isinstance(keys, dict):
            keys = list(keys)
        if not isinstance(keys, list) or not keys:
            _fail(path, "a custom scheme needs a list 'unsur' of keys",
                  "write scheme: {name: ..., unsur: [key1, key2, ...]}")
        return tuple(str(k) for k in keys)
    _fail(path, f"scheme {scheme!r} is neither a name nor a mapping",
          "write scheme: permenpan14_2017")


_COLUMN_KEYS = {"name", "source", "role", "scale", "range", "required", "unsur", "choices", "pii",
                "label_id", "label_en", "separator", "blank"}
_TOP_KEYS = {"survey_name", "title_id", "title_en", "description", "scheme", "source", "quality",
             "privacy", "scales", "columns"}


def _unknown_keys(path, where, found, allowed, column=None):
    extra = sorted(set(found) - allowed)
    if extra:
        from rapidfuzz import process

        hit = process.extractOne(str(extra[0]), sorted(allowed), score_cutoff=60)
        hint = f" (did you mean '{hit[0]}'?)" if hit else ""
        _fail(path, f"{where}: unknown key '{extra[0]}'{hint}",
              f"use only {', '.join(sorted(allowed))}", column=column)


def _parse_column(i, entry, scales, path, keys) -> ColumnSpec:
    where = f"columns[{i}]"
    if not isinstance(entry, dict):
        _fail(path, f"{where} must be a mapping", "write - {name: ..., source: ..., role: ...}")
    _unknown_keys(path, where, entry, _COLUMN_KEYS, column=entry.get("source"))
    role = entry.get("role")
    if role not in ROLES:
        _fail(path, f"{where} has unknown role {role!r}",
              f"use one of: {', '.join(sorted(ROLES))}", column=entry.get("source"))
    source = entry.get("source")
    if not isinstance(source, str) or not source:
        _fail(path, f"{where} ({role}) has no source column", "add source: <column name in the export>")
    unsur = entry.get("unsur")
    name = entry.get("name")
    if role in _FIXED_NAMES:
        default = _FIXED_NAMES[role]
        if name is not None and name != default:
            _fail(path, f"{where}: role {role} always becomes column '{default}', not '{name}'",
                  f"remove name: or write name: {default}", column=source)
        name = default
    elif role in ("unsur", "harapan"):
        if not isinstance(unsur, str):
            _fail(path, f"{where}: role {role} needs an unsur key", "add unsur: <key>", column=source)
        if keys and unsur not in keys:
            _fail(path, f"{where}: unsur '{unsur}' is not in the scheme ({', '.join(keys)})",
                  "use one of the scheme's unsur keys", column=source)
        name = f"{role}_{unsur}"
    elif role == "special_flag":
        if name not in _SPECIAL_FLAGS:
            _fail(path, f"{where}: a special_flag is named one of {', '.join(_SPECIAL_FLAGS)}",
                  "add name: disability | elderly | pregnant | with_child", column=source)
    elif role == "special_groups":
        name = name or "special_groups"
    if not isinstance(name, str) or not _NAME_RE.match(name):
        _fail(path, f"{where}: output name {name!r} is not a lower_snake_case name",
              "add name: <lower_snake_case>", column=source)
    kind = ROLES[role]
    scale = entry.get("scale")
    if kind in ("ordinal", "boolean", "nominal"):
        if scale is None:
            _fail(path, f"{where} ({name}) needs a scale", "add scale: <name of a scale>", column=source)
    if scale is not None:
        if scale not in scales:
            _fail(path, f"{where} ({name}) refers to unknown scale '{scale}'",
                  f"define it under scales: or use one of {', '.join(sorted(scales)) or '(none)'} or a built-in scale (docs/codebook.md)",
                  column=source)
        expected = {"ordinal": "ordinal", "boolean": "boolean", "nominal": "nominal"}.get(kind)
        if kind in ("integer", "text"):
            expected = None  # round / service may use any scale kind that fits
        if expected and scales[scale].kind != expected:
            _fail(path, f"{where} ({name}) needs a {expected} scale, '{scale}' is {scales[scale].kind}",
                  "point it at a scale of the right kind", column=source)
    rng = entry.get("range")
    if rng is not None:
        if not isinstance(rng, (list, tuple)) or len(rng) != 2:
            _fail(path, f"{where} ({name}): range must be [min, max]", "write range: [0, 100]",
                  column=source)
        rng = tuple(rng)
    choices = entry.get("choices")
    if role == "special_groups":
        if not isinstance(choices, dict) or not choices:
            _fail(path, f"{where}: special_groups needs choices (Kobo choice name -> flag)",
                  "write choices: {disabilitas: disability, lansia: elderly, ...}", column=source)
        for k, v in choices.items():
            if v not in _SPECIAL_FLAGS and v is not None:
                _fail(path, f"{where}: choice '{k}' maps to '{v}', not a special-group flag",
                      f"map to one of {', '.join(_SPECIAL_FLAGS)} or null", column=source)
            if k is None or not normalize_label(str(k)):
                _fail(path, f"{where}: choice {k!r} is blank; a blank cell is not a choice",
                      "remove it and say what a blank cell means with blank: none (nothing ticked, "
                      "the default) or blank: missing", column=source)
        choices = {str(k): v for k, v in choices.items()}
    separator, blank = entry.get("separator"), entry.get("blank", "none")
    if (separator is not None or "blank" in entry) and role != "special_groups":
        _fail(path, f"{where} ({name}): separator and blank apply to role special_groups only",
              "remove them from this entry", column=source)
    if separator is not None and (not isinstance(separator, str) or separator == ""):
        _fail(path, f"{where} ({name}): separator {separator!r} must be a character such as ',' or ';'",
              "write separator: \", \" for Google Forms checkboxes, or leave it out for spaces",
              column=source)
    if blank not in ("none", "missing"):
        _fail(path, f"{where} ({name}): blank must be none or missing, not {blank!r}",
              "write blank: none (a blank cell means nothing ticked) or blank: missing", column=source)
    pii = entry.get("pii", "drop")
    if pii not in ("drop", "hash"):
        _fail(path, f"{where} ({name}): pii must be drop or hash", "write pii: drop", column=source)
    required = entry.get("required", True)
    if not isinstance(required, bool):
        _fail(path, f"{where} ({name}): required must be true or false", "write required: false",
              column=source)
    return ColumnSpec(
        name=name, source=source, role=role, scale=scale, range=rng, required=required,
        unsur=unsur, choices=choices, pii=pii,
        label_id=entry.get("label_id"), label_en=entry.get("label_en"),
        separator=separator, blank=blank,
    )


def load_codebook(path) -> Codebook:
    """Read and validate a codebook YAML file.

    Parameters
    ----------
    path : str or Path
        The ``*.codebook.yml`` file (format: ``docs/codebook.md``).

    Returns
    -------
    Codebook
        Frozen dataclass: ``survey_name``, ``scheme``, ``path``, ``columns``
        (tuple of :class:`ColumnSpec`), ``scales`` (name -> :class:`Scale`),
        ``source`` (reader options), ``quality`` (cleaning thresholds),
        ``privacy`` and ``unsur_keys``.

    Raises
    ------
    ClemInputError
        Missing file, invalid YAML, unknown role or scale, duplicate output
        columns, an unsur key outside the scheme, a missing required role.
    """
    path = Path(path)
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        _fail(path, "the codebook must be a YAML mapping with survey_name, scales and columns",
              "see docs/codebook.md")
    _unknown_keys(path, "top level", doc, _TOP_KEYS)
    survey_name = doc.get("survey_name")
    if not isinstance(survey_name, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", survey_name):
        _fail(path, f"survey_name {survey_name!r} is missing or not file-safe",
              "write survey_name: my_survey (letters, digits, _ . -)")
    scheme = doc.get("scheme", "permenpan14_2017")
    keys = _scheme_keys(scheme, path)
    raw_scales = doc.get("scales") or {}
    if not isinstance(raw_scales, dict):
        _fail(path, "scales must be a mapping of name -> scale", "see docs/codebook.md, section scales")
    scales = {str(n): _parse_scale(str(n), s, path) for n, s in raw_scales.items()}
    raw_cols = doc.get("columns")
    if not isinstance(raw_cols, list) or not raw_cols:
        _fail(path, "columns is missing or empty", "list the export's columns under columns:")
    # built-in scales (clem_lib.scales) named by a column and not defined in the codebook
    for entry in raw_cols:
        name = entry.get("scale") if isinstance(entry, dict) else None
        if isinstance(name, str) and name not in scales:
            spec = builtin_scale_spec(name)
            if spec is not None:
                scales[name] = _parse_scale(name, spec, path)
    columns = tuple(_parse_column(i, e, scales, path, keys) for i, e in enumerate(raw_cols))
    seen: dict[str, str] = {}
    for c in columns:
        if c.name in seen:
            _fail(path, f"two entries produce column '{c.name}' ({seen[c.name]} and {c.source})",
                  "give each entry its own name or unsur", column=c.source)
        seen[c.name] = c.source
    for role in _ROLES_REQUIRED_ONCE:
        n = sum(c.role == role for c in columns)
        if n != 1:
            _fail(path, f"the codebook needs exactly one column with role {role} (found {n})",
                  f"add or remove an entry with role: {role}")
    for role in _ROLES_AT_MOST_ONCE:
        n = sum(c.role == role for c in columns)
        if n > 1:
            _fail(path, f"the codebook has {n} columns with role {role}; at most one is allowed",
                  f"keep one entry with role: {role}")
    if not keys:
        keys = tuple(dict.fromkeys(c.unsur for c in columns if c.role == "unsur"))
    if not any(c.role == "unsur" for c in columns):
        _fail(path, "no column has role unsur", "map the IKM answers with role: unsur, unsur: <key>")
    source = dict(_DEFAULT_SOURCE)
    _unknown_keys(path, "source", doc.get("source") or {}, set(_DEFAULT_SOURCE))
    source.update(doc.get("source") or {})
    quality = dict(_DEFAULT_QUALITY)
    _unknown_keys(path, "quality", doc.get("quality") or {}, set(_DEFAULT_QUALITY))
    quality.update(doc.get("quality") or {})
    for key in ("duplicate_window_minutes", "speeder_minutes", "speeder_fraction_of_median",
                "straightliner_min_items"):
        v = quality[key]
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
            _fail(path, f"quality.{key} {v!r} must be a non-negative number",
                  f"write {key}: <number> (or leave it out for the default)")
    share = quality["max_unmatched_share"]
    if not isinstance(share, (int, float)) or not 0 <= share <= 1:
        _fail(path, f"quality.max_unmatched_share {share!r} must be between 0 and 1",
              "write max_unmatched_share: 0.2")
    privacy = dict(_DEFAULT_PRIVACY)
    _unknown_keys(path, "privacy", doc.get("privacy") or {}, set(_DEFAULT_PRIVACY))
    privacy.update(doc.get("privacy") or {})
    title = {"id": str(doc.get("title_id") or survey_name), "en": str(doc.get("title_en") or survey_name)}
    return Codebook(
        survey_name=survey_name, scheme=scheme, path=path, columns=columns, scales=scales,
        source=source, quality=quality, privacy=privacy, unsur_keys=tuple(keys), title=title,
    )


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
    """Read ``units.yml``: the service units and how field teams spell them.

    Parameters
    ----------
    path : str or Path, default ``data/units.yml``

    Returns
    -------
    pandas.DataFrame
        One row per unit, in file order: ``name`` (canonical), ``slug``,
        ``sectors`` (list of sector keys), ``aliases`` (list of spellings),
        ``users_per_month`` (Int64, users served per month: the population N
        for sample-size checks and weights).

    Raises
    ------
    ClemInputError
        Missing file, invalid YAML, a unit without name or sectors, an alias
        claimed by two units, duplicate slugs.

    Notes
    -----
    A national registry of thousands of units takes most of a second to
    parse and validate (7,000 units: about 0.7 s, with Python's garbage
    collector paused meanwhile; 0.04 s from the cache), and every report
    reads it. The validated units are therefore
    kept by the SHA-256 of the file's bytes: in memory for the process, and
    as JSON under the cache folder (:func:`units_cache_dir`), so another
    process reading the same bytes skips the parsing. A changed file has
    another digest and is parsed again; a cache entry that cannot be read
    or written is ignored. Each call returns a new frame.
    """
    path = Path(path)
    data = _read_file_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    with _gc_paused():  # tens of thousands of new tuples and lists, none in a cycle
        rows = _UNITS_MEMO.get(digest)
        if rows is None:
            rows = _units_from_cache(digest)
            if rows is None:
                rows = _parse_units(path, _decode_yaml(data, path), data.decode("utf-8-sig", "replace"))
                _units_to_cache(digest, rows)
            while len(_UNITS_MEMO) >= 8:  # a long session reading many registries keeps the last few
                _UNITS_MEMO.pop(next(iter(_UNITS_MEMO)))
            _UNITS_MEMO[digest] = rows
        return _units_frame(rows)


#: Format of a units cache entry; bump it when the rows' shape or the validation changes.
_UNITS_CACHE_VERSION = 2
_UNITS_MEMO: dict[str, tuple] = {}


def units_cache_dir() -> Path | None:
    """Folder of the parsed-units cache, or None when it is switched off.

    ``$CLEM_CACHE_DIR`` when set (empty, ``0`` or ``off``: no cache on disk),
    else ``outputs/_cache`` of the project.
    """
    env = os.environ.get("CLEM_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "none") else Path(env)
    from .paths import OUTPUTS_DIR

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
        return tuple((str(n), str(s), tuple(sec), tuple(al), u) for n, s, sec, al, u in doc["units"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # absent, unreadable or not ours: parse the YAML


def _units_to_cache(digest: str, rows: tuple) -> None:
    file = _units_cache_file(digest)
    if file is None:
        return
    doc = {"version": _UNITS_CACHE_VERSION, "sha256": digest, "units": [list(r) for r in rows]}
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        tmp = file.with_name(f".{file.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, file)  # atomic: a reader sees the whole entry or none
    except OSError:
        pass  # a read-only or full disk only costs the next process a parse


def _read_file_bytes(path: Path) -> bytes:
    """The bytes of a YAML file; a missing file or a folder is a one-line error."""
    if not path.exists():
        raise ClemInputError("file not found", file=path, fix="check the path")
    if path.is_dir():
        raise ClemInputError("is a folder, not a YAML file", file=path, fix="give the .yml file")
    return path.read_bytes()


#: Longest unit name: it titles a report, a chart and a row of the index.
MAX_UNIT_NAME = 200
#: Report file names that a unit's slug may not take (``<slug>.html`` sits beside them).
RESERVED_SLUGS = frozenset({"index", "results", "manifest", "cleaning_log", "cleaning_summary", "cleaned",
                            "city_overview"})
_SLUG_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
# bidirectional-text controls: they reorder what a reader sees ("Kec. \u202eevil" shows reversed)
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                        "\u2066\u2067\u2068\u2069"))


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional-text control characters (U+202A..U+202E, U+2066..U+2069, ...)."""
    return str(text).translate(_BIDI_CONTROLS)


def _unit_lines(path: Path, data: str) -> list:
    """Line number (1-based) of each entry of ``units:`` in the YAML text (for messages)."""
    try:
        node = yaml.compose(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        for key, value in node.value:
            if key.value == "units" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    except (yaml.YAMLError, AttributeError, TypeError):
        pass
    return []


def _parse_units(path: Path, doc, text: str = "") -> tuple:
    """Validated units of a parsed ``units.yml``: (name, slug, sectors, aliases, users_per_month) each."""
    units = doc.get("units") if isinstance(doc, dict) else None
    if not isinstance(units, list) or not units:
        _fail(path, "no units: list found", "write units: [- {name: ..., sectors: [...]}]")
    lines = []

    def at(i: int, name=None) -> str:
        """``line 12, unit 'Kec. X':`` for a message about units[i]."""
        nonlocal lines
        if not lines and text:
            lines = _unit_lines(path, text)
        where = f"line {lines[i]}" if i < len(lines) else f"units[{i}]"
        if name is not None:
            shown = name if len(name) <= 60 else name[:57] + "..."
            where += f", unit {shown!r}"
        return where + ":"

    rows, owner = [], {}
    for i, u in enumerate(units):
        if not isinstance(u, dict) or not isinstance(u.get("name"), str) or not u["name"].strip():
            _fail(path, f"{at(i)} a unit has no name", "add name: <canonical unit name>")
        name = strip_bidi(u["name"]).strip()
        if not name:
            _fail(path, f"{at(i)} a unit has no name", "add name: <canonical unit name>")
        if len(name) > MAX_UNIT_NAME:
            _fail(path, f"{at(i, name)} the name has {len(name)} characters (at most {MAX_UNIT_NAME})",
                  "shorten the name; put longer spellings under aliases:")
        if u.get("slug") is not None:
            slug = u["slug"]
            if not isinstance(slug, str) or not _SLUG_RE.fullmatch(slug):
                _fail(path, f"{at(i, name)} slug {str(slug)[:60]!r} cannot name a report file",
                      "use lower-case letters, digits, '-', '_' and '.' only, starting with a letter or digit (at most 100)")
        else:
            slug = slugify(name)[:100].rstrip("-") or f"unit-{i + 1}"
        if slug in RESERVED_SLUGS:
            _fail(path, f"{at(i, name)} slug {slug!r} is the name of another output file ({slug}.html/.csv)",
                  f"give the unit another slug: (not {', '.join(sorted(RESERVED_SLUGS))})")
        sectors = u.get("sectors")
        if isinstance(sectors, str):
            sectors = [sectors]
        if not isinstance(sectors, list) or not sectors:
            _fail(path, f"{at(i, name)} unit '{name[:60]}' has no sectors", "add sectors: [adminduk, ...]")
        aliases = u.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list):
            _fail(path, f"{at(i, name)} aliases is not a list", "write aliases: [Spelling one, Spelling two]")
        aliases = [strip_bidi(str(a)) for a in aliases]
        upm = u.get("users_per_month")
        if upm is not None and (isinstance(upm, bool) or not isinstance(upm, int) or upm < 0):
            _fail(path, f"{at(i, name)} users_per_month {upm!r} is not a whole number",
                  "write users_per_month: 1200")
        for s in [name, *aliases]:
            key = normalize_label(s)
            if key in owner and owner[key] != name:
                _fail(path, f"alias '{s}' belongs to both '{owner[key]}' and '{name}'",
                      "keep each alias under one unit")
            owner[key] = name
        rows.append((name, slug, tuple(str(s) for s in sectors), tuple(aliases), upm))
    seen = set()
    for _name, slug, *_ in rows:
        if slug in seen:
            _fail(path, f"slug '{slug}' is used twice", "give each unit its own slug")
        seen.add(slug)
    return tuple(rows)


def _units_frame(rows: tuple) -> pd.DataFrame:
    df = pd.DataFrame({
        "name": [r[0] for r in rows],
        "slug": [r[1] for r in rows],
        "sectors": [list(r[2]) for r in rows],
        "aliases": [list(r[3]) for r in rows],
        "users_per_month": [r[4] for r in rows],
    }, columns=["name", "slug", "sectors", "aliases", "users_per_month"])
    df["name"] = df["name"].astype("string")
    df["slug"] = df["slug"].astype("string")
    df["users_per_month"] = df["users_per_month"].astype("Int64")
    return df
