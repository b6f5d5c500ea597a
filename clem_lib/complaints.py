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
from .codebook import load_units, normalize_label, read_yaml
from .errors import ClemInputError
from .paths import DATA_DIR, UNITS_FILE
from .privacy import REMOVED, scrub_text
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


class _RegisterCleaning:
    """One register being cleaned: the raw frame and its found columns, with what the steps
    note on the way (errors, warnings, log rows ``(row, column, old, new, rule)``) and what each
    step leaves for the next. The steps run in the order :func:`clean_register` calls them."""

    def __init__(self, raw: pd.DataFrame, cb: RegisterCodebook, file: Path, found: dict, errors: _Errors):
        self.raw, self.cb, self.file, self.found, self.errors = raw, cb, file, found, errors
        self.n = len(raw)
        self.warnings: list[Problem] = []
        self.log: list[tuple] = []

    def note(self, rows, column, old, new, rule):
        for r, o, nv in zip(rows, old, new):
            self.log.append((int(r) + 1, column, o, nv, rule))

    def drop_columns(self):
        """The text, the complainant and anything not named: logged once per column, never a value."""
        raw, found = self.raw, self.found
        personal = set(self.cb.personal)
        for c in self.cb.personal:
            if c not in raw.columns:
                raise ClemInputError(f"column '{c}' (under personal: in the register codebook) is not in the "
                                     f"register{_suggest(c, raw.columns)}", file=self.file, row=0, column=c,
                                     fix="correct the name, or remove it from personal:")
        used = set(found.values())
        for c in raw.columns:
            if c in used and c != found.get("text"):
                continue
            if c == found.get("text") or c in personal or normalize_label(c) in _PERSONAL_NAMES:
                self.log.append((0, c, REMOVED, "", "pii_dropped"))
            else:
                self.log.append((0, c, "", "", "column_dropped"))

    def match_units(self, units_path):
        """Each complaint's unit through the units file's names and aliases."""
        units = load_units(units_path)
        lookup = {}
        for name, aliases in zip(units["name"], units["aliases"]):
            for a in [name, *aliases]:
                lookup[normalize_label(a)] = str(name)
        ucol = self.found["unit"]
        uraw = self.raw[ucol].astype("string").str.strip()
        unit = pd.Series([None] * self.n, dtype=object)
        for i, u in enumerate(uraw):
            if pd.isna(u) or u == "":
                self.errors.stop(ClemInputError("the unit is empty", file=self.file, row=i + 1, column=ucol,
                                                fix="fill in the unit of every complaint"))
                continue
            m = lookup.get(normalize_label(u))
            if m is None:
                close = difflib.get_close_matches(normalize_label(u), list(lookup), n=3, cutoff=0.6)
                hint = f"; close: {', '.join(dict.fromkeys(lookup[c] for c in close))}" if close else ""
                self.errors.stop(ClemInputError(f"unit '{u}' is not in the units file{hint}", file=self.file,
                                                row=i + 1, column=ucol,
                                                fix="use a unit name or alias of the units file, or add it "
                                                    "there as an alias"))
                continue
            unit.iloc[i] = m
            if m != u:
                self.log.append((i + 1, ucol, str(u), m, "unit_alias"))
        self.unit = unit
        self.slug_of = dict(zip(units["name"].astype(str), units["slug"].astype(str)))

    def read_dates(self):
        """The received date (required) and the resolved date (optional, not before the received one)."""
        raw, file = self.raw, self.file
        self.rcol = rcol = self.found["received"]
        received, _ = _parse_dates(raw[rcol])
        self.rtext = rtext = raw[rcol].astype("string").str.strip()
        for i in np.flatnonzero(received.isna().to_numpy()):
            v = rtext.iloc[i]
            what = "the date received is empty" if pd.isna(v) or v == "" else f"date received '{v}' cannot be read"
            self.errors.stop(ClemInputError(what, file=file, row=int(i) + 1, column=rcol,
                                            fix="write the date received as YYYY-MM-DD (or YYYY-MM-DD HH:MM)"))
        self.received = received
        self.resolved = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
        self.stext = None
        self.scol = scol = self.found.get("resolved")
        if scol is None:
            return
        resolved, res_has_time = _parse_dates(raw[scol])
        self.stext = stext = raw[scol].astype("string").str.strip()
        bad = resolved.isna().to_numpy() & stext.fillna("").ne("").to_numpy()
        for i in np.flatnonzero(bad):
            self.errors.stop(ClemInputError(f"date resolved '{stext.iloc[i]}' cannot be read", file=file,
                                            row=int(i) + 1, column=scol,
                                            fix="write the date resolved as YYYY-MM-DD, or leave it empty "
                                                "while the complaint is open"))
        # before the received date: compared by day when the resolved date has no time of day
        r_day = received.dt.normalize()
        cmp = np.where(res_has_time, (resolved < received).to_numpy(dtype=bool),
                       (resolved.dt.normalize() < r_day).to_numpy(dtype=bool))
        cmp &= resolved.notna().to_numpy() & received.notna().to_numpy()
        for i in np.flatnonzero(cmp):
            self.errors.stop(ClemInputError(
                f"resolved '{stext.iloc[i]}' is before received '{rtext.iloc[i]}'", file=file, row=int(i) + 1,
                column=scol, fix="correct one of the two dates (day first is read as 15/03/2024)"))
        self.resolved = resolved

    def apply_cutoff(self, cutoff):
        """The day the register was extracted: nothing received after it, resolved after it is still open."""
        received, resolved = self.received, self.resolved
        if cutoff not in (None, ""):
            cut = pd.Timestamp(str(cutoff)).normalize()
        elif self.cb.cutoff is not None:
            cut = self.cb.cutoff
        else:
            dates = pd.concat([received, resolved]).dropna()
            cut = dates.max().normalize() if len(dates) else pd.NaT
        self.cut = cut
        if pd.isna(cut):
            return
        late = (received.dt.normalize() > cut).to_numpy(dtype=bool)
        for i in np.flatnonzero(late):
            self.errors.stop(ClemInputError(f"received '{self.rtext.iloc[i]}' is after the cut-off {cut.date()}",
                                            file=self.file, row=int(i) + 1, column=self.rcol,
                                            fix="correct the date, or give the day the register was extracted "
                                                "as cutoff: in the register codebook"))
        after = (resolved.dt.normalize() > cut).to_numpy(dtype=bool)
        if after.any():  # resolved after the extraction: still open on the cut-off day
            rows = np.flatnonzero(after)
            self.note(rows, self.scol, [str(self.stext.iloc[i]) for i in rows], [""] * rows.size, "after_cutoff")
            self.resolved = resolved.mask(after)

    def code_columns(self):
        """Channel and status as codes; an unknown channel becomes missing, an unknown status is an error."""
        self.channel = self._coded("channel", CHANNELS, self.cb.channels, "unmatched_label")
        self.status = self._coded("status", STATUSES, self.cb.statuses, "unmatched_label")

    def _coded(self, fname, builtin, extra, rule_unknown) -> pd.Series:
        col = self.found.get(fname)
        out = pd.Series([None] * self.n, dtype=object)
        if col is None:
            return out
        lookup_c = _code_map(builtin, extra)
        vals = self.raw[col].astype("string").str.strip()
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
                self.log.append((i + 1, col, str(v), c, "alias"))
        for v, rows in unknown.items():
            if fname == "status":
                self.errors.stop(ClemInputError(
                    f"status '{v}' is not a known status{_suggest(normalize_label(v), lookup_c)}", file=self.file,
                    row=rows[0] + 1, column=col,
                    fix="write baru, diproses, selesai or ditolak, or list the spelling under statuses: in the "
                        "register codebook"))
            else:
                self.note(rows, col, [v] * len(rows), [""] * len(rows), rule_unknown)
                self.warnings.append(Problem(rows[0] + 1, col, f"channel '{v}' matches no known channel and "
                                             f"became missing ({len(rows)} row(s))",
                                             "list it under channels: in the register codebook", "warning"))
        return out

    def map_category(self):
        """The category scrubbed of personal data, spellings mapped to the codebook's categories."""
        category = pd.Series([pd.NA] * self.n, dtype="string")
        ccol = self.found.get("category")
        if ccol is not None:
            cat_raw = self.raw[ccol].astype("string").str.strip()
            cat_raw = cat_raw.mask(cat_raw.fillna("") == "")
            scrubbed = scrub_text(cat_raw)
            changed = (scrubbed != cat_raw).fillna(False).to_numpy(dtype=bool)
            for i in np.flatnonzero(changed):
                self.log.append((int(i) + 1, ccol, REMOVED, str(scrubbed.iloc[i]), "pii_free_text"))
            clookup = {}
            for name, spellings in self.cb.categories.items():
                for s in (name, *spellings):
                    clookup[normalize_label(s)] = name
            mapped = [clookup.get(normalize_label(v)) if not pd.isna(v) else None for v in scrubbed]
            for i, (m, v) in enumerate(zip(mapped, scrubbed)):
                if m is not None and m != v:
                    self.log.append((i + 1, ccol, str(v), m, "alias"))
            category = pd.Series([m if m is not None else v for m, v in zip(mapped, scrubbed)], dtype="string")
        self.category = category

    def decide_closed(self):
        """Closed: the resolved date decides; a closed status without a date is closed at an unknown time."""
        found, status = self.found, self.status
        has_date = self.resolved.notna().to_numpy()
        closed_status = np.array([s is not None and STATUSES[s][2] for s in status], dtype=bool)
        open_status = np.array([s is not None and not STATUSES[s][2] for s in status], dtype=bool)
        conflict = has_date & open_status
        if conflict.any():
            rows = np.flatnonzero(conflict)
            self.log.extend((int(i) + 1, found["status"], str(self.raw[found["status"]].iloc[i]), "resolved",
                             "status_from_date") for i in rows)
            self.status = status.where(~conflict, "resolved")
            self.warnings.append(Problem(int(rows[0]) + 1, found["status"], f"{rows.size} complaint(s) have a "
                                         "resolved date but an open status; the date is taken",
                                         "update the status in the register", "warning"))
        undated = closed_status & ~has_date
        if undated.any():
            rows = np.flatnonzero(undated)
            col = self.scol or found["status"]
            self.note(rows, col, [""] * rows.size, [""] * rows.size, "no_resolved_date")
            self.warnings.append(Problem(int(rows[0]) + 1, col, f"{rows.size} closed complaint(s) have no resolved "
                                         "date: counted as closed, left out of the resolution times",
                                         "fill in the date resolved", "warning"))
        self.closed = has_date | closed_status

    def failed(self) -> RegisterResult:
        """The collected errors, then the warnings, with an empty table."""
        probs = [Problem(e.row, e.column, _message(e), e.fix, "error") for e in self.errors]
        return RegisterResult(table=pd.DataFrame(columns=list(REGISTER_COLUMNS)), log=_log_frame(self.log),
                              problems=tuple(probs + self.warnings), n_raw=self.n, cutoff=self.cut)

    def table(self) -> pd.DataFrame:
        """The cleaned register (:data:`REGISTER_COLUMNS`), sorted by unit, received date and row."""
        raw, found, n, unit, cut = self.raw, self.found, self.n, self.unit, self.cut
        ids = (raw[found["id"]].astype("string").str.strip() if "id" in found
               else pd.Series([str(i + 1) for i in range(n)], dtype="string"))
        table = pd.DataFrame({
            "complaint_id": ids.astype("string").to_numpy(),
            "unit": pd.array(unit.tolist(), dtype="string"),
            "unit_slug": pd.array([self.slug_of.get(u) if u is not None else None for u in unit], dtype="string"),
            "received": self.received.to_numpy(),
            "resolved": self.resolved.to_numpy(),
            "channel": pd.array(self.channel.tolist(), dtype="string"),
            "category": self.category.to_numpy(),
            "status": pd.array(self.status.tolist(), dtype="string"),
            "closed": pd.array(self.closed, dtype="boolean"),
            "cutoff": np.full(n, np.datetime64(cut) if not pd.isna(cut) else np.datetime64("NaT"),
                              dtype="datetime64[ns]"),
        })
        table["_row"] = np.arange(n)
        table = table.sort_values(["unit", "received", "_row"], kind="mergesort").drop(columns="_row")
        return table.reset_index(drop=True)

    def result(self) -> RegisterResult:
        return RegisterResult(table=self.table(), log=_log_frame(self.log), problems=tuple(self.warnings),
                              n_raw=self.n, cutoff=self.cut)


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
    cb = codebook if isinstance(codebook, RegisterCodebook) else load_register_codebook(codebook)
    file = Path(path)
    raw = read_register(file, cb)
    found = _find_columns(raw, cb, file)
    steps = _RegisterCleaning(raw, cb, file, found, _Errors(collect_errors))
    steps.drop_columns()
    steps.match_units(units_path)
    steps.read_dates()
    steps.apply_cutoff(cutoff)
    steps.code_columns()
    steps.map_category()
    steps.decide_closed()
    if steps.errors:  # only collected ones: otherwise the first was raised
        return steps.failed()
    return steps.result()


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
