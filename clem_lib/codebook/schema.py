"""The codebook: what every column of a raw export means, validated on load.

A codebook is a YAML file (format documented in ``docs/codebook.md``) that maps
the columns of a field export (KoboToolbox/ODK, Excel, SPSS, CSV) onto the
cleaned table of ``docs/data_model.md``: each column's role, its scale (ordered
numeric codes with Indonesian and English labels plus the spellings field teams
really type), the "don't know" codes that become missing, valid ranges, and
which columns hold personal data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..scales import builtin_scale_spec
from .files import fail, read_yaml
from .names import normalize_label

__all__ = ["ROLES", "UNSUR_14_2017", "FIXED_NAMES", "Scale", "ColumnSpec", "Codebook", "load_codebook"]

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

#: role -> kind of value: how cleaning converts the raw strings of its column.
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

#: role -> the output column it always becomes
FIXED_NAMES = {
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


def _as_code(kind, raw, path, scale_name):
    if kind == "ordinal":
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or int(raw) != raw:
            fail(path, f"scale '{scale_name}' is ordinal but code {raw!r} is not an integer",
                 "give ordinal levels integer codes 1, 2, 3, ...")
        return int(raw)
    if kind == "boolean":
        if not isinstance(raw, bool):
            fail(path, f"scale '{scale_name}' is boolean but code {raw!r} is not true/false",
                 "use code: true / code: false")
        return raw
    if not isinstance(raw, str) or not raw:
        fail(path, f"scale '{scale_name}' is nominal but code {raw!r} is not a text key",
             "give nominal levels short text codes, e.g. code: female")
    return raw


def _parse_scale(name, spec, path) -> Scale:
    if not isinstance(spec, dict):
        fail(path, f"scale '{name}' must be a mapping", "see docs/codebook.md, section scales")
    kind = spec.get("kind", "ordinal")
    if kind not in _SCALE_KINDS:
        fail(path, f"scale '{name}' has unknown kind '{kind}'",
             f"use one of {', '.join(_SCALE_KINDS)}")
    levels = spec.get("levels")
    if not isinstance(levels, list) or not levels:
        fail(path, f"scale '{name}' has no levels", "list the levels with code, id, en, aliases")
    codes, lab_id, lab_en, lookup, canonical = [], {}, {}, {}, set()
    for lev in levels:
        if not isinstance(lev, dict) or "code" not in lev:
            fail(path, f"scale '{name}': every level needs a code",
                 "write levels as - {code: 1, id: ..., en: ...}")
        code = _as_code(kind, lev["code"], path, name)
        if code in codes:
            fail(path, f"scale '{name}': code {code!r} appears twice", "make codes unique")
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
                fail(path, f"scale '{name}': spelling '{s}' means both {lookup[key]!r} and {code!r}",
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
        fail(path, f"scale '{name}': '{sorted(clash)[0]}' is both a level and a missing code",
             "remove it from one of the two lists")
    if kind == "ordinal":
        codes_sorted = sorted(codes)
        if codes_sorted != codes:
            fail(path, f"scale '{name}': ordinal codes must be listed in increasing order",
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
            fail(path, "a custom scheme needs a list 'unsur' of keys",
                 "write scheme: {name: ..., unsur: [key1, key2, ...]}")
        return tuple(str(k) for k in keys)
    fail(path, f"scheme {scheme!r} is neither a name nor a mapping",
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
        fail(path, f"{where}: unknown key '{extra[0]}'{hint}",
             f"use only {', '.join(sorted(allowed))}", column=column)


def _parse_column(i, entry, scales, path, keys) -> ColumnSpec:
    where = f"columns[{i}]"
    if not isinstance(entry, dict):
        fail(path, f"{where} must be a mapping", "write - {name: ..., source: ..., role: ...}")
    _unknown_keys(path, where, entry, _COLUMN_KEYS, column=entry.get("source"))
    role = entry.get("role")
    if role not in ROLES:
        fail(path, f"{where} has unknown role {role!r}",
             f"use one of: {', '.join(sorted(ROLES))}", column=entry.get("source"))
    source = entry.get("source")
    if not isinstance(source, str) or not source:
        fail(path, f"{where} ({role}) has no source column", "add source: <column name in the export>")
    unsur = entry.get("unsur")
    name = _column_name(path, where, entry, role, source, keys)
    scale = _column_scale(path, where, entry, role, name, source, scales)
    rng = entry.get("range")
    if rng is not None:
        if not isinstance(rng, (list, tuple)) or len(rng) != 2:
            fail(path, f"{where} ({name}): range must be [min, max]", "write range: [0, 100]",
                 column=source)
        rng = tuple(rng)
    choices, separator, blank = _special_groups_options(path, where, entry, role, name, source)
    pii = entry.get("pii", "drop")
    if pii not in ("drop", "hash"):
        fail(path, f"{where} ({name}): pii must be drop or hash", "write pii: drop", column=source)
    required = entry.get("required", True)
    if not isinstance(required, bool):
        fail(path, f"{where} ({name}): required must be true or false", "write required: false",
             column=source)
    return ColumnSpec(
        name=name, source=source, role=role, scale=scale, range=rng, required=required,
        unsur=unsur, choices=choices, pii=pii,
        label_id=entry.get("label_id"), label_en=entry.get("label_en"),
        separator=separator, blank=blank,
    )


def _column_name(path, where, entry, role, source, keys) -> str:
    """The output column of a codebook entry: fixed by its role, ``<role>_<unsur>``, or its ``name``."""
    unsur = entry.get("unsur")
    name = entry.get("name")
    if role in FIXED_NAMES:
        default = FIXED_NAMES[role]
        if name is not None and name != default:
            fail(path, f"{where}: role {role} always becomes column '{default}', not '{name}'",
                 f"remove name: or write name: {default}", column=source)
        name = default
    elif role in ("unsur", "harapan"):
        if not isinstance(unsur, str):
            fail(path, f"{where}: role {role} needs an unsur key", "add unsur: <key>", column=source)
        if keys and unsur not in keys:
            fail(path, f"{where}: unsur '{unsur}' is not in the scheme ({', '.join(keys)})",
                 "use one of the scheme's unsur keys", column=source)
        name = f"{role}_{unsur}"
    elif role == "special_flag":
        if name not in _SPECIAL_FLAGS:
            fail(path, f"{where}: a special_flag is named one of {', '.join(_SPECIAL_FLAGS)}",
                 "add name: disability | elderly | pregnant | with_child", column=source)
    elif role == "special_groups":
        name = name or "special_groups"
    if not isinstance(name, str) or not _NAME_RE.match(name):
        fail(path, f"{where}: output name {name!r} is not a lower_snake_case name",
             "add name: <lower_snake_case>", column=source)
    return name


def _column_scale(path, where, entry, role, name, source, scales):
    """The scale an entry names (None when its role needs none), checked against the role's kind."""
    kind = ROLES[role]
    scale = entry.get("scale")
    if kind in ("ordinal", "boolean", "nominal"):
        if scale is None:
            fail(path, f"{where} ({name}) needs a scale", "add scale: <name of a scale>", column=source)
    if scale is not None:
        if not isinstance(scale, str):
            fail(path, f"{where} ({name}): scale must be the name of a scale, not {type(scale).__name__} {scale!r}",
                 "define the levels under scales: <name> and write scale: <name> here (docs/codebook.md)",
                 column=source)
        if scale not in scales:
            fail(path, f"{where} ({name}) refers to unknown scale '{scale}'",
                 f"define it under scales: or use one of {', '.join(sorted(scales)) or '(none)'} or a built-in scale (docs/codebook.md)",
                 column=source)
        expected = {"ordinal": "ordinal", "boolean": "boolean", "nominal": "nominal"}.get(kind)
        if kind in ("integer", "text"):
            expected = None  # round / service may use any scale kind that fits
        if expected and scales[scale].kind != expected:
            fail(path, f"{where} ({name}) needs a {expected} scale, '{scale}' is {scales[scale].kind}",
                 "point it at a scale of the right kind", column=source)
    return scale


def _special_groups_options(path, where, entry, role, name, source) -> tuple:
    """``(choices, separator, blank)`` of a ``special_groups`` entry; other roles may not give them."""
    choices = entry.get("choices")
    if role == "special_groups":
        if not isinstance(choices, dict) or not choices:
            fail(path, f"{where}: special_groups needs choices (Kobo choice name -> flag)",
                 "write choices: {disabilitas: disability, lansia: elderly, ...}", column=source)
        for k, v in choices.items():
            if v not in _SPECIAL_FLAGS and v is not None:
                fail(path, f"{where}: choice '{k}' maps to '{v}', not a special-group flag",
                     f"map to one of {', '.join(_SPECIAL_FLAGS)} or null", column=source)
            if k is None or not normalize_label(str(k)):
                fail(path, f"{where}: choice {k!r} is blank; a blank cell is not a choice",
                     "remove it and say what a blank cell means with blank: none (nothing ticked, "
                     "the default) or blank: missing", column=source)
        choices = {str(k): v for k, v in choices.items()}
    separator, blank = entry.get("separator"), entry.get("blank", "none")
    if (separator is not None or "blank" in entry) and role != "special_groups":
        fail(path, f"{where} ({name}): separator and blank apply to role special_groups only",
             "remove them from this entry", column=source)
    if separator is not None and (not isinstance(separator, str) or separator == ""):
        fail(path, f"{where} ({name}): separator {separator!r} must be a character such as ',' or ';'",
             "write separator: \", \" for Google Forms checkboxes, or leave it out for spaces",
             column=source)
    if blank not in ("none", "missing"):
        fail(path, f"{where} ({name}): blank must be none or missing, not {blank!r}",
             "write blank: none (a blank cell means nothing ticked) or blank: missing", column=source)
    return choices, separator, blank


def _columns(path, raw_cols, scales, keys) -> tuple:
    """The codebook's entries, each producing its own column, with the roles needed once present once."""
    columns = tuple(_parse_column(i, e, scales, path, keys) for i, e in enumerate(raw_cols))
    seen: dict[str, str] = {}
    for c in columns:
        if c.name in seen:
            fail(path, f"two entries produce column '{c.name}' ({seen[c.name]} and {c.source})",
                 "give each entry its own name or unsur", column=c.source)
        seen[c.name] = c.source
    for role in _ROLES_REQUIRED_ONCE:
        n = sum(c.role == role for c in columns)
        if n != 1:
            fail(path, f"the codebook needs exactly one column with role {role} (found {n})",
                 f"add or remove an entry with role: {role}")
    for role in _ROLES_AT_MOST_ONCE:
        n = sum(c.role == role for c in columns)
        if n > 1:
            fail(path, f"the codebook has {n} columns with role {role}; at most one is allowed",
                 f"keep one entry with role: {role}")
    return columns


def _settings(path, doc) -> tuple[dict, dict, dict]:
    """The ``source``, ``quality`` and ``privacy`` settings over their defaults, checked."""
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
            fail(path, f"quality.{key} {v!r} must be a non-negative number",
                 f"write {key}: <number> (or leave it out for the default)")
    share = quality["max_unmatched_share"]
    if not isinstance(share, (int, float)) or not 0 <= share <= 1:
        fail(path, f"quality.max_unmatched_share {share!r} must be between 0 and 1",
             "write max_unmatched_share: 0.2")
    privacy = dict(_DEFAULT_PRIVACY)
    _unknown_keys(path, "privacy", doc.get("privacy") or {}, set(_DEFAULT_PRIVACY))
    privacy.update(doc.get("privacy") or {})
    return source, quality, privacy


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
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        fail(path, "the codebook must be a YAML mapping with survey_name, scales and columns",
             "see docs/codebook.md")
    _unknown_keys(path, "top level", doc, _TOP_KEYS)
    survey_name = doc.get("survey_name")
    if not isinstance(survey_name, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", survey_name):
        fail(path, f"survey_name {survey_name!r} is missing or not file-safe",
             "write survey_name: my_survey (letters, digits, _ . -)")
    scheme = doc.get("scheme", "permenpan14_2017")
    keys = _scheme_keys(scheme, path)
    raw_scales = doc.get("scales") or {}
    if not isinstance(raw_scales, dict):
        fail(path, "scales must be a mapping of name -> scale", "see docs/codebook.md, section scales")
    scales = {str(n): _parse_scale(str(n), s, path) for n, s in raw_scales.items()}
    raw_cols = doc.get("columns")
    if not isinstance(raw_cols, list) or not raw_cols:
        fail(path, "columns is missing or empty", "list the export's columns under columns:")
    # built-in scales (clem_lib.scales) named by a column and not defined in the codebook
    for entry in raw_cols:
        name = entry.get("scale") if isinstance(entry, dict) else None
        if isinstance(name, str) and name not in scales:
            spec = builtin_scale_spec(name)
            if spec is not None:
                scales[name] = _parse_scale(name, spec, path)
    columns = _columns(path, raw_cols, scales, keys)
    if not keys:
        keys = tuple(dict.fromkeys(c.unsur for c in columns if c.role == "unsur"))
    if not any(c.role == "unsur" for c in columns):
        fail(path, "no column has role unsur", "map the IKM answers with role: unsur, unsur: <key>")
    source, quality, privacy = _settings(path, doc)
    title = {"id": str(doc.get("title_id") or survey_name), "en": str(doc.get("title_en") or survey_name)}
    return Codebook(
        survey_name=survey_name, scheme=scheme, path=path, columns=columns, scales=scales,
        source=source, quality=quality, privacy=privacy, unsur_keys=tuple(keys), title=title,
    )
