"""The complaint register: reading, checking and cleaning it (data layer).

A register holds one row per complaint: when it was received, the unit, the
channel (SMS, WhatsApp, SP4N-LAPOR!, suggestion box, in person, social media
...), a category, a status and when it was resolved, plus the complaint's
text and often the complainant's name and phone number. ``clean_register``
turns it into a tidy table (``REGISTER_COLUMNS``) with an audit log in the
survey's format (``row, column, old, new, rule``):

* units through the same units file and aliases as the survey;
* channels and statuses mapped to codes (:data:`CHANNELS`, :data:`STATUSES`),
  spellings logged as ``alias``;
* the complaint's text and every column naming the complainant are dropped
  (``pii_dropped``, logged once per column, never the value); columns the
  register codebook does not name are dropped too (``column_dropped``);
  categories are scrubbed of phone numbers, NIK and e-mail addresses;
* a row that cannot be analysed is an error naming its row, column and fix:
  an unknown unit, a received date that cannot be read, a resolved date that
  cannot be read or comes before the received date.

The register's columns are named in a small companion codebook (see
``docs/complaints.md``); without one, common column names are recognised.
Statistics are in :mod:`clem_lib.complaint_stats`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from .cleaning.audit import LOG_COLUMNS
from .codebook import normalize_label, read_yaml
from .errors import ClemInputError
from .paths import DATA_DIR, UNITS_FILE
from .problems import Problem

__all__ = [
    "CHANNELS",
    "STATUSES",
    "REGISTER_FIELDS",
    "REGISTER_COLUMNS",
    "HOLIDAYS_FILE",
    "SAMPLE_COMPLAINTS",
    "SAMPLE_COMPLAINTS_CODEBOOK",
    "RegisterCodebook",
    "RegisterResult",
    "load_register_codebook",
    "register_codebook_for",
    "clean_register",
    "validate_register",
    "write_register",
    "read_register",
    "load_holidays",
]

SAMPLE_COMPLAINTS = DATA_DIR / "raw" / "clem_surakarta_complaints.csv"
SAMPLE_COMPLAINTS_CODEBOOK = DATA_DIR / "clem_surakarta_complaints.codebook.yml"
HOLIDAYS_FILE = DATA_DIR / "holidays_id.csv"

#: channel code -> (Indonesian label, English label, spellings recognised)
CHANNELS: Mapping[str, tuple] = {
    "sms": ("SMS", "SMS", ("sms", "sms center", "sms centre", "sms gateway", "pesan singkat")),
    "whatsapp": ("WhatsApp", "WhatsApp", ("whatsapp", "wa", "whats app", "whatsapp center", "pesan wa")),
    "lapor": ("SP4N-LAPOR!", "SP4N-LAPOR!", ("lapor", "lapor!", "sp4n lapor", "sp4n-lapor!", "lapor.go.id",
                                             "sp4n", "lapor go id")),
    "box": ("Kotak saran", "Suggestion box", ("kotak saran", "kotak pengaduan", "kotak", "suggestion box")),
    "in_person": ("Langsung", "In person", ("langsung", "datang langsung", "tatap muka", "loket", "meja pengaduan",
                                            "in person", "walk in")),
    "phone": ("Telepon", "Telephone", ("telepon", "telpon", "telp", "phone", "call center", "hotline")),
    "social_media": ("Media sosial", "Social media", ("media sosial", "medsos", "sosmed", "instagram", "ig",
                                                     "facebook", "fb", "twitter", "x", "tiktok", "social media")),
    "email": ("Surel", "E-mail", ("email", "e-mail", "surel", "surat elektronik")),
    "website": ("Situs web", "Website", ("website", "web", "situs", "situs web", "aplikasi", "online")),
    "letter": ("Surat", "Letter", ("surat", "letter", "surat tertulis")),
    "other": ("Lainnya", "Other", ("lainnya", "lain-lain", "lain", "other")),
}

#: status code -> (Indonesian label, English label, closed?, spellings recognised)
STATUSES: Mapping[str, tuple] = {
    "new": ("Baru", "New", False, ("baru", "masuk", "diterima", "belum diproses", "new", "open", "menunggu")),
    "in_progress": ("Diproses", "In progress", False, ("diproses", "proses", "sedang diproses", "ditindaklanjuti",
                                                       "tindak lanjut", "disposisi", "didisposisikan",
                                                       "in progress", "verifikasi")),
    "resolved": ("Selesai", "Resolved", True, ("selesai", "tuntas", "sudah selesai", "terselesaikan", "closed",
                                               "resolved", "done", "ditutup")),
    "rejected": ("Ditolak", "Rejected", True, ("ditolak", "tidak dapat ditindaklanjuti", "bukan kewenangan",
                                               "dialihkan", "rejected", "arsip", "diarsipkan")),
}

#: register fields and the column names recognised for each without a codebook (normalised)
REGISTER_FIELDS: Mapping[str, tuple] = {
    "id": ("id", "no", "nomor", "no tiket", "nomor tiket", "tiket", "ticket", "id pengaduan", "kode"),
    "received": ("received", "tanggal masuk", "tanggal diterima", "tgl masuk", "tanggal pengaduan",
                 "waktu masuk", "tanggal", "date received", "received at", "waktu pengaduan"),
    "unit": ("unit", "unit layanan", "unit kerja", "instansi", "opd", "kecamatan", "unit pelayanan"),
    "channel": ("channel", "saluran", "media", "media pengaduan", "sumber", "kanal"),
    "category": ("category", "kategori", "jenis", "jenis pengaduan", "topik", "klasifikasi"),
    "status": ("status", "status pengaduan", "tindak lanjut status"),
    "resolved": ("resolved", "tanggal selesai", "tgl selesai", "waktu selesai", "tanggal penyelesaian",
                 "resolved at", "date resolved", "closed at"),
    "text": ("text", "isi", "isi pengaduan", "uraian", "keterangan", "pengaduan", "complaint", "deskripsi"),
}
_REQUIRED_FIELDS = ("received", "unit")

#: column names recognised as the complainant's identity (dropped), normalised
_PERSONAL_NAMES = ("nama", "nama pelapor", "pelapor", "nama pengadu", "pengadu", "name", "no hp", "hp",
                   "nomor hp", "no hp pelapor", "telepon pelapor", "no telepon", "phone", "nik", "nik pelapor",
                   "alamat", "alamat pelapor", "email", "email pelapor", "e mail", "kontak")

REGISTER_COLUMNS = ("complaint_id", "unit", "unit_slug", "received", "resolved", "channel", "category", "status",
                    "closed", "cutoff")
"""Columns of the cleaned register: ``complaint_id`` (string: the register's id, else the row number),
``unit``/``unit_slug`` (canonical, as the survey's), ``received`` (datetime64, as typed, no zone),
``resolved`` (datetime64 or missing), ``channel`` (code of :data:`CHANNELS` or missing),
``category`` (string or missing), ``status`` (code of :data:`STATUSES` or missing),
``closed`` (boolean: resolved or rejected by the cut-off, from the resolved date, else the status),
``cutoff`` (datetime64, the same in every row: the day the register was extracted)."""

_CODEBOOK_KEYS = {"register_name", "title_id", "title_en", "source", "cutoff", "columns", "personal", "channels",
                  "statuses", "categories", "standard_days", "description"}


@dataclass(frozen=True)
class RegisterCodebook:
    """What the columns of a complaint register mean (``docs/complaints.md``).

    Attributes
    ----------
    path : Path or None
        The YAML file (None: recognised from the column names).
    columns : dict
        Field (``id, received, unit, channel, category, status, resolved, text``) -> register column.
    personal : tuple of str
        Columns naming the complainant: dropped.
    cutoff : Timestamp or None
        The day the register was extracted; None: the latest date in it.
    channels, statuses, categories : dict
        Extra spellings: code -> list of spellings (categories: name -> spellings).
    standard_days : int or None
        The unit's published standard for resolving a complaint, in working days.
    source : dict
        How to read the file, as the survey codebook's ``source``.
    """

    path: Path | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    personal: tuple = ()
    cutoff: pd.Timestamp | None = None
    channels: Mapping[str, tuple] = field(default_factory=dict)
    statuses: Mapping[str, tuple] = field(default_factory=dict)
    categories: Mapping[str, tuple] = field(default_factory=dict)
    standard_days: int | None = None
    source: Mapping[str, object] = field(default_factory=dict)
    register_name: str = ""


@dataclass(frozen=True)
class RegisterResult:
    """What :func:`clean_register` returns: ``table`` (:data:`REGISTER_COLUMNS`), ``log``
    (``row, column, old, new, rule``), ``problems`` (warnings), ``n_raw``, ``cutoff``."""

    table: pd.DataFrame
    log: pd.DataFrame
    problems: tuple = ()
    n_raw: int = 0
    cutoff: pd.Timestamp | None = None


def _suggest(word, options) -> str:
    close = difflib.get_close_matches(str(word), sorted(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _spellings(path, key, value, allowed) -> dict:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ClemInputError(f"'{key}' must map each code to a list of spellings", file=path, column=key,
                             fix=f"write e.g. {key}: {{{next(iter(allowed)) if allowed else 'name'}: [spelling]}}")
    out = {}
    for code, spellings in value.items():
        code = str(code)
        if allowed is not None and code not in allowed:
            raise ClemInputError(f"unknown {key[:-1]} code '{code}'{_suggest(code, allowed)}", file=path,
                                 column=key, fix=f"use one of {', '.join(allowed)}")
        if isinstance(spellings, str):
            spellings = [spellings]
        out[code] = tuple(str(s) for s in (spellings or ()))
    return out


def load_register_codebook(path=None) -> RegisterCodebook:
    """Read a register codebook (YAML); ``None`` gives the empty one (columns recognised by name).

    Raises
    ------
    ClemInputError
        Unreadable YAML, unknown keys (with a suggestion), unknown fields or codes, a bad cut-off.
    """
    if path is None or str(path) == "":
        return RegisterCodebook()
    path = Path(path)
    if not path.is_file():
        raise ClemInputError("register codebook not found", file=path, fix="check the path")
    doc = read_yaml(path)
    if doc is None:
        doc = {}
    if not isinstance(doc, Mapping):
        raise ClemInputError("a register codebook is a mapping of keys (columns:, personal:, ...)", file=path,
                             fix="see docs/complaints.md")
    for k in doc:
        if k not in _CODEBOOK_KEYS:
            raise ClemInputError(f"unknown key '{k}'{_suggest(k, _CODEBOOK_KEYS)}", file=path,
                                 fix="see docs/complaints.md for the keys of a register codebook")
    cols = doc.get("columns") or {}
    if not isinstance(cols, Mapping):
        raise ClemInputError("'columns' must map fields to column names", file=path, column="columns",
                             fix="write e.g. columns: {received: tanggal_masuk, unit: unit_layanan}")
    for k in cols:
        if k not in REGISTER_FIELDS:
            raise ClemInputError(f"unknown field '{k}'{_suggest(k, REGISTER_FIELDS)}", file=path, column="columns",
                                 fix=f"the fields are {', '.join(REGISTER_FIELDS)}")
    personal = doc.get("personal") or []
    if isinstance(personal, str):
        personal = [personal]
    cutoff = doc.get("cutoff")
    if cutoff not in (None, ""):
        try:
            cutoff = pd.Timestamp(str(cutoff)).normalize()
        except (ValueError, TypeError):
            raise ClemInputError(f"cutoff '{cutoff}' is not a date", file=path, column="cutoff",
                                 fix="write the day the register was extracted as YYYY-MM-DD") from None
    else:
        cutoff = None
    std = doc.get("standard_days")
    if std is not None and (isinstance(std, bool) or not isinstance(std, (int, float)) or std < 0 or std != int(std)):
        raise ClemInputError(f"standard_days {std!r} is not a whole number of working days", file=path,
                             column="standard_days", fix="write e.g. standard_days: 5")
    source = doc.get("source") or {}
    if not isinstance(source, Mapping):
        raise ClemInputError("'source' must be a mapping", file=path, column="source",
                             fix="write e.g. source: {delimiter: ';'}")
    return RegisterCodebook(
        path=path, columns={str(k): str(v) for k, v in cols.items() if v not in (None, "")},
        personal=tuple(str(p) for p in personal), cutoff=cutoff,
        channels=_spellings(path, "channels", doc.get("channels"), CHANNELS),
        statuses=_spellings(path, "statuses", doc.get("statuses"), STATUSES),
        categories=_spellings(path, "categories", doc.get("categories"), None),
        standard_days=None if std is None else int(std), source=dict(source),
        register_name=str(doc.get("register_name") or ""))


def register_codebook_for(register_path, given=None) -> Path | None:
    """The register's codebook: the given one, else ``<register>.codebook.yml`` in the register's folder
    or its parent (for a register under ``raw/``), else None (columns recognised by name)."""
    if given not in (None, ""):
        return Path(given)
    p = Path(register_path)
    for folder in (p.parent, p.parent.parent):
        cand = folder / f"{p.stem}.codebook.yml"
        if cand.is_file():
            return cand
    return None


class _Source:
    """Adapter: :func:`clem_lib.io.read_survey` reads ``codebook.source``."""

    def __init__(self, source):
        self.source = source


def read_register(path, codebook: RegisterCodebook | None = None) -> pd.DataFrame:
    """The register as strings, one row per complaint (``clem_lib.io.read_survey``'s readers)."""
    from .io import read_survey

    cb = codebook or RegisterCodebook()
    try:
        return read_survey(path, _Source(cb.source))
    except ClemInputError as exc:
        if "no data rows" in str(exc):
            raise ClemInputError("the complaint register has a header but no complaints", file=path,
                                 fix="export the register with its rows, or leave out --complaints") from None
        raise


def _find_columns(raw: pd.DataFrame, cb: RegisterCodebook, file) -> dict:
    norm = {normalize_label(c): c for c in raw.columns}
    found = {}
    for f, names in REGISTER_FIELDS.items():
        if f in cb.columns:
            want = cb.columns[f]
            if want not in raw.columns:
                alt = norm.get(normalize_label(want))
                if alt is None:
                    raise ClemInputError(
                        f"column '{want}' (field {f} in the register codebook) is not in the register"
                        f"{_suggest(want, raw.columns)}", file=file, row=0, column=want,
                        fix="correct the name under columns: in the register codebook")
                want = alt
            found[f] = want
            continue
        for n in names:
            if n in norm and norm[n] not in found.values():
                found[f] = norm[n]
                break
    for f in _REQUIRED_FIELDS:
        if f not in found:
            raise ClemInputError(
                f"no column for the {'date received' if f == 'received' else 'unit'} of each complaint",
                file=file, row=0, fix=f"name it under columns: {f}: <column> in a register codebook "
                                      "(--complaints-codebook), or call the column "
                                      f"{REGISTER_FIELDS[f][1].replace(' ', '_')}")
    return found


def _parse_dates(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Datetimes (day first for ``15/03/2024``) and whether each value had a time of day."""
    text = s.astype("string").str.strip()
    text = text.mask(text.fillna("") == "")
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    miss = parsed.isna() & text.notna()
    if miss.any():
        alt = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
        for i in np.flatnonzero(miss.to_numpy()):
            try:
                alt.iloc[i] = pd.to_datetime(text.iloc[i], dayfirst=True)
            except (ValueError, TypeError, OverflowError):
                pass
        parsed = parsed.where(~miss, alt)
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    parsed = parsed.astype("datetime64[ns]")
    has_time = text.fillna("").str.contains(r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*$|T\d", regex=True).to_numpy(dtype=bool)
    return parsed, has_time & parsed.notna().to_numpy()


def _code_map(builtin: Mapping, extra: Mapping, labels_at=(0, 1)) -> dict:
    lookup = {}
    for code, entry in builtin.items():
        for s in (code, entry[labels_at[0]], entry[labels_at[1]], *entry[-1]):
            lookup.setdefault(normalize_label(s), code)
    for code, spellings in extra.items():
        for s in spellings:
            lookup[normalize_label(s)] = code
    return lookup


class _Errors(list):
    def __init__(self, collect: bool):
        super().__init__()
        self.collect = collect

    def stop(self, exc: ClemInputError):
        if not self.collect:
            raise exc
        self.append(exc)


def clean_register(path, codebook=None, units_path=UNITS_FILE, *, cutoff=None,
                   collect_errors: bool = False) -> RegisterResult:
    """Clean a complaint register.

    Parameters
    ----------
    path : path
        The register: CSV, Excel or SPSS, one row per complaint.
    codebook : RegisterCodebook or path, optional
        What its columns mean; None: columns recognised by their names.
    units_path : path
        The units file the survey uses (names, aliases).
    cutoff : date, optional
        The day the register was extracted (overrides the codebook's); default
        the codebook's, else the latest received or resolved date in the register.
    collect_errors : bool
        Note every error in ``problems`` (level ``error``) instead of raising at the first.

    Returns
    -------
    RegisterResult

    Raises
    ------
    ClemInputError
        The first error: an unknown unit, an empty unit, a received date missing
        or unreadable, a resolved date unreadable or before the received date,
        a complaint received after the cut-off, a status matching no known status.
    """
    from .codebook import load_units
    from .privacy import REMOVED, scrub_text

    cb = codebook if isinstance(codebook, RegisterCodebook) else load_register_codebook(codebook)
    file = Path(path)
    raw = read_register(file, cb)
    n = len(raw)
    found = _find_columns(raw, cb, file)
    errors = _Errors(collect_errors)
    warnings: list[Problem] = []
    log: list[tuple] = []  # (row, column, old, new, rule)

    def note(rows, column, old, new, rule):
        for r, o, nv in zip(rows, old, new):
            log.append((int(r) + 1, column, o, nv, rule))

    # --- columns dropped: the text, the complainant, anything not named ---------------------
    personal = set(cb.personal)
    for c in cb.personal:
        if c not in raw.columns:
            raise ClemInputError(f"column '{c}' (under personal: in the register codebook) is not in the register"
                                 f"{_suggest(c, raw.columns)}", file=file, row=0, column=c,
                                 fix="correct the name, or remove it from personal:")
    used = set(found.values())
    for c in raw.columns:
        if c in used and c != found.get("text"):
            continue
        if c == found.get("text") or c in personal or normalize_label(c) in _PERSONAL_NAMES:
            log.append((0, c, REMOVED, "", "pii_dropped"))
        else:
            log.append((0, c, "", "", "column_dropped"))

    # --- units -------------------------------------------------------------------------------
    units = load_units(units_path)
    lookup = {}
    for name, aliases in zip(units["name"], units["aliases"]):
        for a in [name, *aliases]:
            lookup[normalize_label(a)] = str(name)
    ucol = found["unit"]
    uraw = raw[ucol].astype("string").str.strip()
    unit = pd.Series([None] * n, dtype=object)
    for i, u in enumerate(uraw):
        if pd.isna(u) or u == "":
            errors.stop(ClemInputError("the unit is empty", file=file, row=i + 1, column=ucol,
                                       fix="fill in the unit of every complaint"))
            continue
        m = lookup.get(normalize_label(u))
        if m is None:
            close = difflib.get_close_matches(normalize_label(u), list(lookup), n=3, cutoff=0.6)
            hint = f"; close: {', '.join(dict.fromkeys(lookup[c] for c in close))}" if close else ""
            errors.stop(ClemInputError(f"unit '{u}' is not in the units file{hint}", file=file, row=i + 1,
                                       column=ucol, fix="use a unit name or alias of the units file, or add it "
                                                        "there as an alias"))
            continue
        unit.iloc[i] = m
        if m != u:
            log.append((i + 1, ucol, str(u), m, "unit_alias"))
    slug_of = dict(zip(units["name"].astype(str), units["slug"].astype(str)))

    # --- dates -------------------------------------------------------------------------------
    rcol = found["received"]
    received, _ = _parse_dates(raw[rcol])
    rtext = raw[rcol].astype("string").str.strip()
    for i in np.flatnonzero(received.isna().to_numpy()):
        v = rtext.iloc[i]
        what = "the date received is empty" if pd.isna(v) or v == "" else f"date received '{v}' cannot be read"
        errors.stop(ClemInputError(what, file=file, row=int(i) + 1, column=rcol,
                                   fix="write the date received as YYYY-MM-DD (or YYYY-MM-DD HH:MM)"))
    resolved = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    res_has_time = np.zeros(n, dtype=bool)
    scol = found.get("resolved")
    if scol is not None:
        resolved, res_has_time = _parse_dates(raw[scol])
        stext = raw[scol].astype("string").str.strip()
        bad = resolved.isna().to_numpy() & stext.fillna("").ne("").to_numpy()
        for i in np.flatnonzero(bad):
            errors.stop(ClemInputError(f"date resolved '{stext.iloc[i]}' cannot be read", file=file, row=int(i) + 1,
                                       column=scol, fix="write the date resolved as YYYY-MM-DD, or leave it empty "
                                                        "while the complaint is open"))
        # before the received date: compared by day when the resolved date has no time of day
        r_day = received.dt.normalize()
        cmp = np.where(res_has_time, (resolved < received).to_numpy(dtype=bool),
                       (resolved.dt.normalize() < r_day).to_numpy(dtype=bool))
        cmp &= resolved.notna().to_numpy() & received.notna().to_numpy()
        for i in np.flatnonzero(cmp):
            errors.stop(ClemInputError(
                f"resolved '{stext.iloc[i]}' is before received '{rtext.iloc[i]}'", file=file, row=int(i) + 1,
                column=scol, fix="correct one of the two dates (day first is read as 15/03/2024)"))

    # --- cut-off -----------------------------------------------------------------------------
    if cutoff not in (None, ""):
        cut = pd.Timestamp(str(cutoff)).normalize()
    elif cb.cutoff is not None:
        cut = cb.cutoff
    else:
        dates = pd.concat([received, resolved]).dropna()
        cut = dates.max().normalize() if len(dates) else pd.NaT
    if not pd.isna(cut):
        late = (received.dt.normalize() > cut).to_numpy(dtype=bool)
        for i in np.flatnonzero(late):
            errors.stop(ClemInputError(f"received '{rtext.iloc[i]}' is after the cut-off {cut.date()}",
                                       file=file, row=int(i) + 1, column=rcol,
                                       fix="correct the date, or give the day the register was extracted as "
                                           "cutoff: in the register codebook"))
        after = (resolved.dt.normalize() > cut).to_numpy(dtype=bool)
        if after.any():  # resolved after the extraction: still open on the cut-off day
            rows = np.flatnonzero(after)
            note(rows, scol, [str(stext.iloc[i]) for i in rows], [""] * rows.size, "after_cutoff")
            resolved = resolved.mask(after)

    # --- channel, status, category ---------------------------------------------------------
    def coded(fname, builtin, extra, rule_unknown):
        col = found.get(fname)
        out = pd.Series([None] * n, dtype=object)
        if col is None:
            return out
        lookup_c = _code_map(builtin, extra)
        vals = raw[col].astype("string").str.strip()
        unknown = {}
        for i, v in enumerate(vals):
            if pd.isna(v) or v == "":
                continue
            c = lookup_c.get(normalize_label(v))
            if c is None:
                unknown.setdefault(str(v), []).append(i)
                continue
            out.iloc[i] = c
            if normalize_label(v) not in (normalize_label(c), normalize_label(builtin[c][0])):
                log.append((i + 1, col, str(v), c, "alias"))
        for v, rows in unknown.items():
            if fname == "status":
                errors.stop(ClemInputError(
                    f"status '{v}' is not a known status{_suggest(normalize_label(v), lookup_c)}", file=file,
                    row=rows[0] + 1, column=col,
                    fix="write baru, diproses, selesai or ditolak, or list the spelling under statuses: in the "
                        "register codebook"))
            else:
                note(rows, col, [v] * len(rows), [""] * len(rows), rule_unknown)
                warnings.append(Problem(rows[0] + 1, col, f"channel '{v}' matches no known channel and became "
                                        f"missing ({len(rows)} row(s))",
                                        "list it under channels: in the register codebook", "warning"))
        return out

    channel = coded("channel", CHANNELS, cb.channels, "unmatched_label")
    status = coded("status", STATUSES, cb.statuses, "unmatched_label")
    category = pd.Series([pd.NA] * n, dtype="string")
    ccol = found.get("category")
    if ccol is not None:
        cat_raw = raw[ccol].astype("string").str.strip()
        cat_raw = cat_raw.mask(cat_raw.fillna("") == "")
        scrubbed = scrub_text(cat_raw)
        changed = (scrubbed != cat_raw).fillna(False).to_numpy(dtype=bool)
        for i in np.flatnonzero(changed):
            log.append((int(i) + 1, ccol, REMOVED, str(scrubbed.iloc[i]), "pii_free_text"))
        clookup = {}
        for name, spellings in cb.categories.items():
            for s in (name, *spellings):
                clookup[normalize_label(s)] = name
        mapped = [clookup.get(normalize_label(v)) if not pd.isna(v) else None for v in scrubbed]
        for i, (m, v) in enumerate(zip(mapped, scrubbed)):
            if m is not None and m != v:
                log.append((i + 1, ccol, str(v), m, "alias"))
        category = pd.Series([m if m is not None else v for m, v in zip(mapped, scrubbed)], dtype="string")

    # --- closed: the resolved date decides; a closed status without a date is closed at an unknown time
    has_date = resolved.notna().to_numpy()
    closed_status = np.array([s is not None and STATUSES[s][2] for s in status], dtype=bool)
    open_status = np.array([s is not None and not STATUSES[s][2] for s in status], dtype=bool)
    conflict = has_date & open_status
    if conflict.any():
        rows = np.flatnonzero(conflict)
        log.extend((int(i) + 1, found["status"], str(raw[found["status"]].iloc[i]), "resolved", "status_from_date")
                   for i in rows)
        status = status.where(~conflict, "resolved")
        warnings.append(Problem(int(rows[0]) + 1, found["status"], f"{rows.size} complaint(s) have a resolved date "
                                "but an open status; the date is taken", "update the status in the register",
                                "warning"))
    undated = closed_status & ~has_date
    if undated.any():
        rows = np.flatnonzero(undated)
        col = scol or found["status"]
        note(rows, col, [""] * rows.size, [""] * rows.size, "no_resolved_date")
        warnings.append(Problem(int(rows[0]) + 1, col, f"{rows.size} closed complaint(s) have no resolved date: "
                                "counted as closed, left out of the resolution times",
                                "fill in the date resolved", "warning"))
    closed = has_date | closed_status

    if errors:
        if collect_errors:
            probs = [Problem(e.row, e.column, _message(e), e.fix, "error") for e in errors]
            return RegisterResult(table=pd.DataFrame(columns=list(REGISTER_COLUMNS)), log=_log_frame(log),
                                  problems=tuple(probs + warnings), n_raw=n, cutoff=cut)

    ids = (raw[found["id"]].astype("string").str.strip() if "id" in found
           else pd.Series([str(i + 1) for i in range(n)], dtype="string"))
    table = pd.DataFrame({
        "complaint_id": ids.astype("string").to_numpy(),
        "unit": pd.array(unit.tolist(), dtype="string"),
        "unit_slug": pd.array([slug_of.get(u) if u is not None else None for u in unit], dtype="string"),
        "received": received.to_numpy(),
        "resolved": resolved.to_numpy(),
        "channel": pd.array(channel.tolist(), dtype="string"),
        "category": category.to_numpy(),
        "status": pd.array(status.tolist(), dtype="string"),
        "closed": pd.array(closed, dtype="boolean"),
        "cutoff": np.full(n, np.datetime64(cut) if not pd.isna(cut) else np.datetime64("NaT"), dtype="datetime64[ns]"),
    })
    table["_row"] = np.arange(n)
    table = table.sort_values(["unit", "received", "_row"], kind="mergesort").drop(columns="_row")
    return RegisterResult(table=table.reset_index(drop=True), log=_log_frame(log), problems=tuple(warnings),
                          n_raw=n, cutoff=cut)


def _message(exc: ClemInputError) -> str:
    text = str(exc)
    head = ", ".join(x for x in (str(exc.file) if exc.file is not None else None,
                                  f"row {exc.row}" if exc.row is not None else None,
                                  f"column '{exc.column}'" if exc.column is not None else None) if x)
    if head and text.startswith(head + ":"):
        text = text[len(head) + 1:].strip()
    if exc.fix and text.endswith(")"):
        text = text[: text.rfind(" (fix:")]
    return text


def _log_frame(entries) -> pd.DataFrame:
    df = pd.DataFrame(entries, columns=LOG_COLUMNS)
    df = df.sort_values("row", kind="mergesort").reset_index(drop=True)
    df["row"] = df["row"].astype("Int64")
    for c in ("column", "old", "new", "rule"):
        df[c] = df[c].astype("string")
    return df


def validate_register(path, codebook=None, units_path=UNITS_FILE, *, cutoff=None) -> list:
    """Every problem of a register (errors first, then warnings) as :class:`clem_lib.problems.Problem`."""
    try:
        res = clean_register(path, codebook, units_path, cutoff=cutoff, collect_errors=True)
    except ClemInputError as exc:
        return [Problem(exc.row, exc.column, _message(exc), exc.fix, "error")]
    errs = [p for p in res.problems if p.level == "error"]
    return errs + [p for p in res.problems if p.level != "error"]


def write_register(result: RegisterResult, out_path) -> Path:
    """The cleaned register as parquet at ``out_path`` and its audit log as ``<stem>.log.csv``, atomically."""
    from .io import atomic_path, write_csv

    out_path = Path(out_path)
    tmp, final = atomic_path(out_path)
    try:
        result.table.to_parquet(tmp, index=False)
        import os

        os.replace(tmp, final)
    finally:
        if Path(tmp).exists():
            Path(tmp).unlink()
    write_csv(result.log, out_path.with_name(out_path.stem + ".log.csv"))
    return out_path


def load_holidays(path=None) -> np.ndarray:
    """Public holidays as ``datetime64[D]`` for working-day counts (``numpy.busday_count``).

    ``path``: a CSV with a ``date`` column (``YYYY-MM-DD``; other columns, e.g. ``name``, are
    ignored); None or "": the bundled national holidays and *cuti bersama* of Indonesia
    (``data/holidays_id.csv``).
    """
    p = HOLIDAYS_FILE if path in (None, "") else Path(path)
    if not p.is_file():
        raise ClemInputError("holiday list not found", file=p, fix="give a CSV with a date column")
    df = pd.read_csv(p, dtype=str, comment="#", keep_default_na=False)
    if "date" not in df.columns:
        raise ClemInputError("the holiday list has no 'date' column", file=p, row=0,
                             fix="write one holiday per row under a header with a date column")
    out = []
    for i, v in enumerate(df["date"]):
        try:
            out.append(np.datetime64(pd.Timestamp(v.strip()).date(), "D"))
        except (ValueError, TypeError):
            raise ClemInputError(f"date '{v}' cannot be read", file=p, row=i + 1, column="date",
                                 fix="write dates as YYYY-MM-DD") from None
    return np.array(sorted(set(out)), dtype="datetime64[D]")
