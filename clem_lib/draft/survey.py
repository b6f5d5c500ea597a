"""Draft a codebook and a units file from a survey export (``clem init``).

Reads an export someone else designed (KoboToolbox/ODK, Google Forms, SPSS,
a spreadsheet of 1-4 scores), guesses what every column is (the IKM unsur of
Permenpan RB 14/2017 or Kepmenpan 25/2004 from column names or question
texts, the answer coding of each, importance items, special groups, yes/no
indicators, personal data by name and by value pattern, free text, the unit
column, sectors, time stamps, amounts) and writes a codebook and a units file
that clean the export as they are. Every guess is written with a comment
saying what was guessed from what, and how sure: ``(sure)``, ``(likely)`` or
``(check)``. An optional XLSForm (``survey``, ``choices``, ``settings``
sheets) makes the guesses firmer: question types, labels, list choices,
groups and ``relevant`` conditions.

The YAML is written as text (comments cannot be round-tripped through a YAML
library) and is deterministic: the same export gives the same bytes.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..codebook import UNSUR_14_2017, normalize_label, slugify
from ..errors import ClemInputError
from ..scales import BUILTIN_SCALES, SKM_UNSUR_SCALES

__all__ = [
    "Draft",
    "draft_survey",
    "read_xlsform",
    "survey_name_from",
    "default_out_dir",
    "write_draft",
]

SURE, LIKELY, CHECK = "sure", "likely", "check"
_RANK = {SURE: 0, LIKELY: 1, CHECK: 2}

#: unsur of Kepmenpan 25/2004, in the decree's order (keys as in clem_lib.scoring)
UNSUR_25_2004 = (
    "prosedur", "persyaratan", "kejelasan_petugas", "kedisiplinan_petugas", "tanggung_jawab_petugas",
    "kemampuan_petugas", "kecepatan_pelayanan", "keadilan", "kesopanan_keramahan", "kewajaran_biaya",
    "kepastian_biaya", "kepastian_jadwal", "kenyamanan_lingkungan", "keamanan_pelayanan",
)

# words of a question text (normalised) -> unsur key; the first pattern found earliest wins
_UNSUR_WORDS_2017 = (  # Indonesian, then English question wording
    ("persyaratan", r"persyaratan|syarat|requirement"),
    ("prosedur", r"prosedur|mekanisme|alur pelayanan|procedure|mechanism"),
    ("waktu", r"waktu|kecepatan|lama pelayanan|\bfast|\bspeed|how long|\btime"),
    ("biaya", r"biaya|tarif|\bcost|tariff|\bfees?\b|\bprice"),
    ("produk", r"produk|spesifikasi|product|specification"),
    ("kompetensi", r"kompetensi|kemampuan|competen|\bskill|capab"),
    ("perilaku", r"perilaku|kesopanan|keramahan|sopan|polite|courte|behavio|conduct|attitude"),
    ("pengaduan", r"pengaduan|pengelolaan keluhan|penanganan keluhan|complaint|grievance"),
    ("sarana", r"sarana|prasarana|facilit|infrastructure|premises"),
)
_UNSUR_WORDS_2004 = (
    ("kepastian_biaya", r"kepastian biaya"),
    ("kepastian_jadwal", r"kepastian jadwal|jadwal"),
    ("kewajaran_biaya", r"kewajaran biaya|kewajaran|biaya"),
    ("kejelasan_petugas", r"kejelasan"),
    ("kedisiplinan_petugas", r"kedisiplinan|disiplin"),
    ("tanggung_jawab_petugas", r"tanggung ?jawab"),
    ("kemampuan_petugas", r"kemampuan"),
    ("kecepatan_pelayanan", r"kecepatan"),
    ("keadilan", r"keadilan|adil"),
    ("kesopanan_keramahan", r"kesopanan|keramahan"),
    ("kenyamanan_lingkungan", r"kenyamanan|nyaman"),
    ("keamanan_pelayanan", r"keamanan"),
    ("prosedur", r"prosedur"),
    ("persyaratan", r"persyaratan"),
)
_ONLY_2004 = r"kejelasan|kedisiplinan|tanggung ?jawab|keadilan|kepastian|kenyamanan|keamanan"

_HARAPAN_WORDS = r"\b(harapan|kepentingan|penting|ekspektasi|importance|expectation)\b"
_OVERALL_WORDS = r"keseluruhan|secara umum|kepuasan umum|overall|kepuasan total"

_FLAG_WORDS = (
    ("disability", r"disab|difabel|cacat|tuna|berkebutuhan|kursi roda|disability"),
    ("elderly", r"lansia|lanjut usia|manula|elderly|older"),
    ("pregnant", r"hamil|pregnant"),
    ("with_child", r"\banak\b|balita|bayi|child|menggendong|membawa anak"),
)
_NONE_WORDS = r"^(tidak ada|tidak|bukan|none|tidak termasuk|umum|tdk ada|tidak satupun|no)\b"

_SECTOR_VALUE_WORDS = (
    ("adminduk", r"kependudukan|adminduk|capil|ktp|kartu keluarga|akta|akte|\bkk\b|catatan sipil"),
    ("kesehatan", r"kesehatan|puskesmas|\bkes\b|rumah sakit|berobat|klinik"),
    ("pendidikan", r"pendidikan|sekolah|\bpend\b|madrasah"),
)
_SECTOR_NAME_WORDS = (
    ("kesehatan", r"\b(puskesmas|pusk|pkm|rumah sakit|rs|rsu|rsud|klinik|posyandu|kesehatan|dinkes)\b"),
    ("pendidikan", r"\b(sd|sdn|smp|smpn|sma|sman|smk|smkn|sekolah|madrasah|mi|min|mts|mtsn|ma|man|"
                   r"tk|paud|pendidikan|disdik)\b"),
    ("adminduk", r"\b(dukcapil|disdukcapil|dispendukcapil|capil|kecamatan|kec|kelurahan|kel|desa|ds|"
                 r"kependudukan)\b"),
)
_SECTOR_EN = {"adminduk": "Civil registration", "kesehatan": "Health", "pendidikan": "Education"}
_SECTOR_ID = {"adminduk": "Administrasi Kependudukan", "kesehatan": "Kesehatan", "pendidikan": "Pendidikan"}

# Kobo / ODK / Google Forms meta columns (normalised name -> role, or None: not read)
_META = {
    "_uuid": "respondent_id", "meta/instanceid": "respondent_id", "meta-instanceid": "respondent_id",
    "instanceid": "respondent_id", "key": "respondent_id",
    "_submission_time": "submission_time", "submissiondate": "submission_time",
    "start": "start_time", "end": "end_time", "starttime": "start_time", "endtime": "end_time",
    "stempel waktu": "interview_date", "timestamp": "interview_date", "cap waktu": "interview_date",
    "today": "interview_date",
}
_META_SKIP = {
    "_id", "_index", "_status", "_validation_status", "__version__", "_version_", "_tags", "_notes",
    "_submitted_by", "_xform_id_string", "_attachments", "_geolocation", "_duration",
    "_media_all_received", "_media_count", "_total_media", "formhub/uuid", "meta/rootuuid",
    "meta/deprecatedid", "submitterid", "submittername", "attachmentspresent", "attachmentsexpected",
    "status", "reviewstate", "deviceid", "edits", "formversion", "username", "simserial",
    "subscriberid", "audit", "_parent_index", "_parent_table_name", "_submission__id",
    "_submission__uuid", "_submission__submission_time", "_submission__validation_status",
    "_submission__notes", "_submission__status", "_submission__submitted_by", "_submission___version__",
    "_submission__tags", "meta/audit", "meta-audit",
}

_MISSING_WORDS = ["Tidak tahu", "TT", "Tdk tahu", "Tidak menjawab", "TJ", "98", "99"]
_YES_NO_LIST = ("ya", "tidak", "y", "t", "yes", "no", "iya", "1", "0", "ada", "tidak ada", "belum", "sudah",
                "true", "false")

_NIK_RE = re.compile(r"^\d{16}$")
_PHONE_RE = re.compile(r"^(?:\+?62|0)8\d{7,11}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_ADDRESS_RE = re.compile(r"^(jl|jln|jalan|gg|gang|dusun|dsn|perum|perumahan|komplek|kompleks|kp|kampung)\b"
                         r"|\brt\b.*\brw\b|\brt ?\d+ ?/ ?rw", re.I)
_AMOUNT_RE = re.compile(r"^(rp\.?\s*)?\d{1,3}(\.\d{3})+(,\d+)?$|^rp\.?\s*\d+$", re.I)
_NUMBER_RE = re.compile(r"^[+-]?\d+([.,]\d+)?$")


# ---------------------------------------------------------------------------------------------
# small helpers

def _norm(text) -> str:
    return normalize_label(text) if text is not None else ""


def _words(text) -> str:
    """Lower-case words of a header or question text (underscores and slashes become spaces)."""
    return " " + _norm(text) + " "


def _snake(text: str, limit: int = 40) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", _norm(text)).split()
    stop = {"apakah", "bagaimana", "berapa", "saudara", "anda", "bapak", "ibu", "yang", "dan", "di", "ke",
            "dari", "untuk", "dengan", "tentang", "pada", "dalam", "ini", "itu", "the", "of", "a"}
    keep = [w for w in words if w not in stop] or words
    out = ""
    for w in keep:
        if len(out) + len(w) + 1 > limit:
            break
        out = f"{out}_{w}" if out else w
    out = out or "column"
    if not out[0].isalpha():
        out = "q_" + out
    return out


def survey_name_from(path) -> str:
    """The survey name drafted from an export's file name.

    Parameters
    ----------
    path : str or Path
        The export.

    Returns
    -------
    str
        The file stem in lower case with every run of other characters than
        ``a-z0-9`` replaced by ``_`` (``"SKM Puskesmas 2025.csv"`` ->
        ``"skm_puskesmas_2025"``); ``"survey"`` when nothing is left. The
        suffix Google Forms adds to a response sheet's name (``" (Jawaban)"``,
        ``" (Responses)"``) is left out.
    """
    stem = Path(path).name
    for suffix in (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".sav", ".zsav"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = re.sub(r"(?i)\s*\((jawaban|responses|respons|tanggapan)\)\s*$", "", stem)
    return _slug_name(stem)


def _slug_name(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", _norm(text)).strip("_") or "survey"


def default_out_dir(path) -> Path:
    """Folder the drafts go to by default: the export's folder, or its parent when that is ``raw``.

    Parameters
    ----------
    path : str or Path
        The export.

    Returns
    -------
    Path
    """
    folder = Path(path).resolve().parent
    return folder.parent if folder.name.lower() == "raw" else folder


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


# ---------------------------------------------------------------------------------------------
# YAML text

_RESERVED = {"yes", "no", "true", "false", "on", "off", "y", "n", "null", "~", ""}
_PLAIN_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_ .()/&+-]*")


def _q(value) -> str:
    """One YAML scalar, flow-context safe."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    s = str(value)
    if (_PLAIN_RE.fullmatch(s) and s == s.strip() and "  " not in s and s.lower() not in _RESERVED
            and " -" not in s and not s.endswith((".", "-"))):
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_q(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _q(value)


def _comment(text: str, indent: str = "") -> list[str]:
    text = " ".join(str(text).split())
    return [f"{indent}# {text}"] if text else []


# ---------------------------------------------------------------------------------------------
# built-in scales as lookups

@dataclass(frozen=True)
class _Lookup:
    name: str
    kind: str
    codes: dict  # normalised spelling -> code
    labels: dict  # normalised official label (not the code) -> code
    missing: frozenset


def _lookup_of(name: str, spec: dict) -> _Lookup:
    codes, labels = {}, {}
    for lev in spec["levels"]:
        code = lev["code"]
        for sp in [lev.get("id"), lev.get("en"), *(lev.get("values") or []), *(lev.get("aliases") or [])]:
            if sp is not None and _norm(sp):
                codes[_norm(sp)] = code
                labels[_norm(sp)] = code
        codes[_norm(str(code).lower() if isinstance(code, bool) else str(code))] = code
    missing = frozenset(_norm(m) for m in spec.get("missing") or [])
    return _Lookup(name, spec.get("kind", "ordinal"), codes, labels, missing)


_BUILTIN = {name: _lookup_of(name, spec) for name, spec in BUILTIN_SCALES.items()}
_ORDINAL_CANDIDATES = ("skm_kepuasan4", "skm_baik4") + tuple(SKM_UNSUR_SCALES.values())


# ---------------------------------------------------------------------------------------------
# a column's values

@dataclass
class _Profile:
    """The distinct non-empty values of a column with their counts (most frequent first)."""

    n_rows: int
    counts: list  # (value, count), most frequent first, then by value
    n: int = 0  # non-empty cells

    @classmethod
    def of(cls, s: pd.Series) -> "_Profile":
        t = s.dropna().astype(str).str.strip()
        t = t[t != ""]
        vc = t.value_counts()
        counts = sorted(((str(v), int(c)) for v, c in vc.items()), key=lambda x: (-x[1], x[0]))
        return cls(len(s), counts, int(len(t)))

    @property
    def distinct(self) -> int:
        return len(self.counts)

    def share(self, pred) -> float:
        if not self.n:
            return 0.0
        return sum(c for v, c in self.counts if pred(v)) / self.n

    def numbers(self) -> list:
        out = []
        for v, _c in self.counts:
            if _NUMBER_RE.match(v):
                out.append(float(v.replace(",", ".")))
        return out

    def is_numeric(self) -> bool:
        return self.n > 0 and self.share(lambda v: bool(_NUMBER_RE.match(v))) >= 0.95

    def scale_share(self, lk: _Lookup, labels_only: bool = False) -> float:
        table = lk.labels if labels_only else lk.codes
        return self.share(lambda v: _norm(v) in table or _norm(v) in lk.missing)

    def mean_len(self) -> float:
        return sum(len(v) * c for v, c in self.counts) / self.n if self.n else 0.0


def _int14(p: _Profile) -> tuple[bool, list]:
    """Whether the column holds whole numbers mostly within 1-4, and those outside."""
    if not p.is_numeric():
        return False, []
    nums = [x for x in p.numbers() if not math.isnan(x)]
    if not nums or any(x != round(x) for x in nums):
        return False, []
    inside = p.share(lambda v: _NUMBER_RE.match(v) and float(v.replace(",", ".")) in (1, 2, 3, 4))
    outside = sorted({int(x) for x in nums if x not in (1, 2, 3, 4)})
    return inside >= 0.9 and len({x for x in nums if x in (1, 2, 3, 4)}) >= 2, outside


# ---------------------------------------------------------------------------------------------
# XLSForm

@dataclass
class FormQuestion:
    """One question of an XLSForm.

    Attributes
    ----------
    name : str
        Question name.
    path : tuple of str
        Group names around it, outermost first.
    type : str
        First word of the type (``select_one``, ``select_multiple``, ``integer``, ``text``...).
    list_name : str or None
        Choice list of a select question.
    label : str
        Label in the chosen language (``label`` or ``label::<lang>``).
    relevant : str
        The ``relevant`` condition ("" when always asked).
    labels : tuple of str
        The labels in every language of the form (export headers may use any).
    """

    name: str
    path: tuple
    type: str
    list_name: str | None
    label: str
    relevant: str
    labels: tuple = ()


@dataclass
class XLSForm:
    """An XLSForm as read by :func:`read_xlsform`.

    Attributes
    ----------
    questions : list of FormQuestion
    choices : dict
        List name -> list of ``(name, label)`` in form order.
    title : str or None
        ``settings.form_title``.
    form_id : str or None
        ``settings.form_id``.
    language : str or None
        The label language used (None: plain ``label``).
    """

    questions: list
    choices: dict
    title: str | None = None
    form_id: str | None = None
    language: str | None = None


def _sheet_rows(book, name):
    for ws in book.worksheets:
        if ws.title.strip().lower() == name:
            rows = [[("" if c is None else str(c).strip()) for c in r] for r in ws.iter_rows(values_only=True)]
            rows = [r for r in rows if any(r)]
            if not rows:
                return [], []
            head = [h.strip() for h in rows[0]]
            return head, rows[1:]
    return None, []


def _label_column(head: list) -> tuple[int | None, str | None]:
    cols = [(i, h) for i, h in enumerate(head) if h.lower() == "label" or h.lower().startswith("label::")]
    if not cols:
        return None, None
    for i, h in cols:
        if h.lower() == "label":
            return i, None
    for i, h in cols:
        if re.search(r"indonesia|\(id\)|bahasa", h, re.I):
            return i, h.split("::", 1)[1]
    i, h = cols[0]
    return i, h.split("::", 1)[1]


def read_xlsform(path) -> XLSForm:
    """Read the ``survey``, ``choices`` and ``settings`` sheets of an XLSForm.

    Parameters
    ----------
    path : str or Path
        A KoboToolbox / ODK XLSForm (``.xlsx``).

    Returns
    -------
    XLSForm
        Questions with their group path, type, choice list, label (plain
        ``label`` or ``label::<language>``, Indonesian preferred) and
        ``relevant`` condition; choice lists; ``form_title`` and ``form_id``.

    Raises
    ------
    ClemInputError
        The file cannot be opened as a workbook or has no ``survey`` sheet.
    """
    from openpyxl import load_workbook

    path = Path(path)
    if not path.is_file():
        raise ClemInputError("file not found", file=path, fix="check the path of the XLSForm")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for broken files
        raise ClemInputError(f"cannot open the XLSForm as Excel ({type(exc).__name__})", file=path,
                             fix="give the form as .xlsx (KoboToolbox: Form > Download XLS)") from None
    try:
        head, rows = _sheet_rows(book, "survey")
        if head is None:
            raise ClemInputError("the XLSForm has no 'survey' sheet", file=path,
                                 fix="give the form's .xlsx with its survey, choices and settings sheets")
        col = {h.lower(): i for i, h in enumerate(head)}
        li, lang = _label_column(head)
        all_li = [i for i, h in enumerate(head) if h.lower() == "label" or h.lower().startswith("label::")]
        questions, groups = [], []
        for r in rows:
            def get(key, r=r):
                i = col.get(key)
                return r[i] if i is not None and i < len(r) else ""
            typ = " ".join(get("type").split())
            words = typ.replace("begin_", "begin ").replace("end_", "end ").split()
            if not words:
                continue
            if words[0] == "begin" and len(words) > 1 and words[1] in ("group", "repeat"):
                groups.append(get("name"))
                continue
            if words[0] == "end" and len(words) > 1 and words[1] in ("group", "repeat"):
                if groups:
                    groups.pop()
                continue
            label = r[li] if li is not None and li < len(r) else ""
            base = words[0]
            list_name = words[1] if base in ("select_one", "select_multiple") and len(words) > 1 else None
            if base.startswith(("select_one_from_file", "select_multiple_from_file")):
                list_name = None
            name = get("name")
            if name:
                labels = tuple(r[i] for i in all_li if i < len(r) and r[i])
                questions.append(FormQuestion(name, tuple(g for g in groups if g), base, list_name, label,
                                              get("relevant"), labels))
        choices: dict[str, list] = {}
        chead, crows = _sheet_rows(book, "choices")
        if chead:
            ccol = {h.lower(): i for i, h in enumerate(chead)}
            cli, _ = _label_column(chead)
            ln = ccol.get("list_name", ccol.get("list name"))
            ni = ccol.get("name")
            if ln is not None and ni is not None:
                for r in crows:
                    if ln < len(r) and ni < len(r) and r[ln] and r[ni] != "":
                        lab = r[cli] if cli is not None and cli < len(r) else ""
                        choices.setdefault(r[ln], []).append((r[ni], lab or r[ni]))
        title = form_id = None
        shead, srows = _sheet_rows(book, "settings")
        if shead and srows:
            scol = {h.lower(): i for i, h in enumerate(shead)}
            first = srows[0]
            if "form_title" in scol and scol["form_title"] < len(first):
                title = first[scol["form_title"]] or None
            if "form_id" in scol and scol["form_id"] < len(first):
                form_id = first[scol["form_id"]] or None
    finally:
        book.close()
    return XLSForm(questions, choices, title, form_id, lang)


def _form_index(form: XLSForm) -> dict:
    """Spellings of a question in an export header -> question (full paths with any separator, names, labels)."""
    idx: dict[str, list] = {}

    def add(key, q):
        key = key.strip().casefold()
        if key and q not in idx.setdefault(key, []):
            idx[key].append(q)

    for q in form.questions:
        for sep in ("/", "-", ":", "."):
            add(sep.join((*q.path, q.name)), q)
        add(q.name, q)
        for lab in dict.fromkeys((q.label, *q.labels)):
            if lab:
                add(lab, q)
    return idx


def _match_form(col: str, idx: dict):
    key = col.strip().casefold()
    hit = idx.get(key)
    if not hit:
        parts = key.split("/")  # group paths (or group labels) before the question
        for i in range(1, len(parts)):
            hit = idx.get("/".join(parts[i:]).strip())
            if hit:
                break
        if not hit and "-" in key and " " not in key:
            hit = idx.get(key.split("-")[-1])
    return hit[0] if hit and len(hit) == 1 else None


# ---------------------------------------------------------------------------------------------
# the draft

@dataclass
class _Entry:
    source: str
    role: str
    fields: dict
    notes: list
    sure: str
    order: int


@dataclass
class _Unit:
    name: str
    slug: str
    sectors: list
    sector_note: str
    aliases: list
    count: int
    note: str = ""


@dataclass
class Draft:
    """A drafted codebook and units file, with what still needs a human decision.

    Attributes
    ----------
    survey_name : str
    data_path : Path
    title_id : str or None
    scheme : str
        ``permenpan14_2017`` or ``kepmenpan25_2004``.
    entries : list
        The codebook columns, in export order.
    scales : dict
        Drafted scales: name -> (specification, comment).
    units : list
        Drafted units (canonical name, slug, sectors, aliases).
    skipped : list
        ``(column, reason)`` of export columns left out of the codebook.
    todo : list of str
        What a person still has to decide or check.
    """

    survey_name: str
    data_path: Path
    title_id: str | None
    title_note: str
    scheme: str
    scheme_note: str
    entries: list
    scales: dict
    units: list
    skipped: list
    todo: list
    n_rows: int = 0
    n_cols: int = 0
    source: dict = field(default_factory=dict)

    # -- the codebook as text -------------------------------------------------------------------
    def codebook_yaml(self, units_file: str = "") -> str:
        """The codebook as YAML text with a comment on every guess.

        Parameters
        ----------
        units_file : str, optional
            File name of the drafted units file, named in the header comment.

        Returns
        -------
        str
        """
        out = [
            f"# Codebook drafted by `clem init` from {self.data_path.name} ({self.n_rows} rows, "
            f"{self.n_cols} columns).",
            "# Format: docs/codebook.md. Each guess says what it was guessed from and how sure:",
            "# (sure), (likely) or (check). Review every (check) before publishing results.",
        ]
        if units_file:
            out.append(f"# Units: {units_file} (fill users_per_month there).")
        out.append(f"survey_name: {_q(self.survey_name)}")
        if self.title_id:
            out.append(f"title_id: {_q(self.title_id)}   # {self.title_note}")
        out.append(f"scheme: {self.scheme}   # {self.scheme_note}")
        if self.source:
            out.append("")
            out.append("source:")
            for k, (v, note) in self.source.items():
                out.append(f"  {k}: {_q(v)}   # {note}")
        if self.scales:
            out.append("")
            out.append("scales:")
            for name in sorted(self.scales):
                spec, note = self.scales[name]
                out += _comment(note, "  ")
                out.append(f"  {name}:")
                out.append(f"    kind: {spec['kind']}")
                out.append("    levels:")
                for lev in spec["levels"]:
                    out.append(f"      - {_flow(lev)}")
                if spec.get("missing"):
                    out.append(f"    missing: {_flow(spec['missing'])}")
        out.append("")
        out.append("columns:")
        for e in self.entries:
            for note in e.notes:
                out += _comment(note, "  ")
            item = {"source": e.source, "role": e.role, **e.fields}
            out.append(f"  - {_flow(item)}")
        if self.skipped:
            out.append("")
            out.append("# Columns of the export this codebook does not read:")
            for col, reason in self.skipped:
                out += _comment(f"{json.dumps(_short(col, 90), ensure_ascii=False)}: {reason}")
        return "\n".join(out) + "\n"

    # -- the units file as text -----------------------------------------------------------------
    def units_yaml(self) -> str:
        """The units file as YAML text.

        Returns
        -------
        str
            One entry per unit: ``name`` (the most frequent spelling),
            ``slug``, ``sectors`` (with how they were found),
            ``users_per_month: null`` (to fill) and ``aliases`` (the other
            spellings seen in the export).
        """
        out = [
            f"# Service units drafted by `clem init` from {self.data_path.name}.",
            "# Format: docs/codebook.md, section The units file. Fill users_per_month (users served per month:",
            "# the population for sample sizes and weights) and check every sector marked (check).",
            "units:",
        ]
        for u in self.units:
            if u.note:
                out += _comment(u.note, "  ")
            out.append(f"  - name: {_q(u.name)}   # {u.count} row(s)")
            out.append(f"    slug: {_q(u.slug)}")
            out.append(f"    sectors: {_flow(u.sectors)}   # {u.sector_note}")
            out.append("    users_per_month: null   # fill in: users served per month")
            if u.aliases:
                out.append(f"    aliases: {_flow(u.aliases)}")
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# guessing, column by column

class _Drafter:
    def __init__(self, raw: pd.DataFrame, data_path: Path, form: XLSForm | None, spss_meta):
        self.raw = raw
        self.path = data_path
        self.form = form
        self.findex = _form_index(form) if form else {}
        self.spss_labels = dict(getattr(spss_meta, "column_names_to_labels", None) or {}) if spss_meta else {}
        self.spss_values = dict(getattr(spss_meta, "variable_value_labels", None) or {}) if spss_meta else {}
        self.entries: list[_Entry] = []
        self.scales: dict = {}
        self.skipped: list = []
        self.todo: list = []
        self.done: set = set()
        self.profiles = {c: _Profile.of(raw[c]) for c in raw.columns}
        self.names_used: set = set()
        self.questions = {c: (_match_form(c, self.findex) if form else None) for c in raw.columns}
        self.unit_candidates: list = []
        self.extended: dict = {}
        self.positional = False
        self.unmatched: dict = {}
        self.unit_col = None
        self.sector_col = None
        self.sector_scale = None
        self.scheme, self.scheme_note, self.keys = "permenpan14_2017", "", UNSUR_14_2017

    # -- helpers ------------------------------------------------------------------------------
    def text_of(self, col: str) -> str:
        q = self.questions.get(col)
        parts = [col]
        if q is not None and q.label:
            parts.append(q.label)
        if self.spss_labels.get(col):
            parts.append(str(self.spss_labels[col]))
        return " | ".join(parts)

    def shown(self, col: str) -> str:
        """What a guess came from: the question text (form label, SPSS label, or a long header)."""
        q = self.questions.get(col)
        if q is not None and q.label:
            return f'the form\'s question "{_short(q.label)}"'
        if self.spss_labels.get(col):
            return f'the SPSS variable label "{_short(self.spss_labels[col])}"'
        if " " in col.strip():
            return f'the question text "{_short(col)}"'
        return f'the column name "{_short(col)}"'

    def last_segment(self, col: str) -> str:
        c = col.strip()
        if " " in c:
            q = self.questions.get(col)
            if q is not None and "/" in c:  # a Kobo labels export: group label / question label
                tail = c.split("/")[-1].strip()
                return tail or c
            return c
        return re.split(r"[/:.]|-(?=[A-Za-z])", c)[-1] if ("/" in c or ":" in c or "-" in c) else c

    def add(self, col, role, fields=None, notes=(), sure=SURE):
        self.entries.append(_Entry(col, role, dict(fields or {}), [n for n in notes if n], sure,
                                   list(self.raw.columns).index(col) if col in self.raw.columns else -1))
        self.done.add(col)

    def skip(self, col, reason):
        self.skipped.append((col, reason))
        self.done.add(col)

    def unique_name(self, name: str) -> str:
        base, i = name, 2
        while name in self.names_used:
            name = f"{base}_{i}"
            i += 1
        self.names_used.add(name)
        return name

    # -- the passes -----------------------------------------------------------------------------
    def run(self) -> None:
        cols = list(self.raw.columns)
        self.pass_meta(cols)
        self.pass_select_multiple(cols)
        self.pass_personal(cols)
        self.pass_unsur(cols)
        for col in cols:
            if col not in self.done:
                self.classify(col)
        self.pass_unit(cols)
        self.resolve_fixed_names()
        self.finish_scales()

    # meta ---------------------------------------------------------------------------------------
    def pass_meta(self, cols):
        for col in cols:
            key = col.strip().casefold()
            q = self.questions.get(col)
            if key in _META_SKIP:
                self.skip(col, "export meta data (not needed)")
                continue
            role = _META.get(key)
            if role is None and q is not None and q.type in ("start", "end", "today"):
                role = {"start": "start_time", "end": "end_time", "today": "interview_date"}[q.type]
            if role is None:
                continue
            what = {"respondent_id": "the submission id", "submission_time": "the submission time",
                    "start_time": "the interview start", "end_time": "the interview end",
                    "interview_date": "the date of the interview"}[role]
            note = f'{what}: a Kobo/ODK/Google Forms meta column "{col}" (sure)'
            if role == "interview_date" and key in ("stempel waktu", "timestamp", "cap waktu"):
                note = self.date_note(col, f'{what}: the Google Forms time stamp "{col}"')
            self.add(col, role, {}, [note], SURE)

    def date_note(self, col, what) -> str:
        p = self.profiles[col]
        firsts, seconds = set(), set()
        for v, _c in p.counts:
            m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}", v)
            if m:
                firsts.add(int(m.group(1)))
                seconds.add(int(m.group(2)))
        if seconds and max(seconds) > 12 and max(firsts) <= 12:
            self.todo.append(f"column '{col}' writes dates month first (e.g. 9/24/2025); clem reads "
                             "day/month/year: set the form's locale to Indonesia or convert the dates")
            return f"{what}, month first (check)"
        if firsts:
            return f"{what}, day/month/year (sure)"
        return f"{what} (sure)"

    # select multiple ----------------------------------------------------------------------------
    def pass_select_multiple(self, cols):
        present = set(cols)
        # Kobo split columns: <parent>/<choice> holding 0/1
        children: dict[str, list] = {}
        for col in cols:
            if col in self.done or "/" not in col:
                continue
            parent, choice = col.rsplit("/", 1)
            p = self.profiles[col]
            if p.n and p.share(lambda v: v in ("0", "1", "True", "False", "true", "false")) == 1.0:
                children.setdefault(parent, []).append((col, choice))
        for parent in sorted(children):
            kids = children[parent]
            q_parent = _match_form(parent, self.findex) if self.form else None
            is_multi = q_parent is not None and q_parent.type == "select_multiple"
            joined = parent in present and (is_multi or len(kids) >= 2 or self.is_multi_column(parent))
            if parent in present and not joined:
                continue
            # with the joined column present too, the 0/1 columns are read (cleaning prefers them):
            # joined labels holding spaces cannot be split, the per-choice columns are unambiguous
            flags = {ch: _flag_of(ch) for _, ch in kids}
            if not (is_multi or (len(kids) >= 2 and any(f for f, _s in flags.values())) or
                    (len(kids) >= 2 and re.search(r"kelompok|khusus|rentan", _words(parent)))):
                continue
            choices = {ch: f for ch, (f, _s) in flags.items()}
            unsure = [ch for ch, (_f, s) in flags.items() if not s]
            sure = CHECK if unsure else SURE
            note = (f"special groups: one 0/1 column per choice under '{parent}/' "
                    f"({', '.join(ch for _, ch in kids)}); choices mapped from their names ("
                    + (f"check {', '.join(unsure)}" if unsure else "sure") + ")")
            entry = {"choices": choices, "blank": self.blank_rule(choices, q_parent)}
            for col, _ in kids:
                self.done.add(col)
            if joined:
                self.skip(parent, f"the same answers as the 0/1 columns '{parent}/…' (read from those)")
            self.entries.append(_Entry(parent, "special_groups", entry, [note], sure,
                                       list(self.raw.columns).index(kids[0][0])))
        for col in cols:
            if col in self.done:
                continue
            if self.is_multi_column(col):
                self.add_multi(col)

    def is_multi_column(self, col) -> bool:
        q = self.questions.get(col)
        if q is not None:
            if q.type == "select_multiple":
                return any(_flag_of(lab)[0] or _flag_of(n)[0] for n, lab in self.form.choices.get(q.list_name, []))
            return False
        p = self.profiles[col]
        if not p.n or p.is_numeric():
            return False
        sep = self.multi_separator(col)
        tokens = self.tokens(col, sep)
        flagged = sum(c for t, c in tokens.items() if _flag_of(t)[0])
        total = sum(tokens.values())
        named = re.search(r"kelompok (khusus|rentan)|berkebutuhan|kebutuhan khusus|special group", _words(self.text_of(col)))
        return bool(total) and ((flagged / total >= 0.3 and len(tokens) >= 2) or (named and len(tokens) >= 2))

    def multi_separator(self, col) -> str:
        q = self.questions.get(col)
        if q is not None and q.type == "select_multiple":
            return " "
        p = self.profiles[col]
        if any(", " in v for v, _c in p.counts):
            return ", "
        if any(re.search(r"[A-Z]", v) for v, _c in p.counts) and not any("_" in v for v, _c in p.counts):
            return ", "
        return " "

    def tokens(self, col, sep) -> dict:
        out: dict[str, int] = {}
        for v, c in self.profiles[col].counts:
            parts = v.split(", ") if sep == ", " else v.split()
            for t in parts:
                t = t.strip()
                if t:
                    out[t] = out.get(t, 0) + c
        return out

    def blank_rule(self, choices, q) -> str:
        if q is not None and q.relevant:
            return "missing"
        return "missing" if any(v is None for v in choices.values()) else "none"

    def add_multi(self, col):
        q = self.questions.get(col)
        sep = self.multi_separator(col)
        if q is not None and q.list_name in self.form.choices:
            listed = self.form.choices[q.list_name]
            choices, unsure = {}, []
            for name, lab in listed:
                f, s = _flag_of(lab)
                if not s:
                    f, s = _flag_of(name)
                choices[name] = f
                if not s:
                    unsure.append(name)
            src = f"the form's list '{q.list_name}'"
        else:
            toks = self.tokens(col, sep)
            choices, unsure = {}, []
            for t in sorted(toks, key=lambda t: (-toks[t], t)):
                f, s = _flag_of(t)
                key = t if sep == " " else " ".join(t.split())
                if key in choices:
                    continue
                choices[key] = f
                if not s:
                    unsure.append(key)
            src = "the answers seen"
        shape = ("Google Forms checkboxes (labels joined by \", \")" if sep == ", "
                 else "Kobo select_multiple (choice names separated by spaces)")
        blank = self.blank_rule(choices, q)
        fields = {"choices": choices}
        if sep != " ":
            fields["separator"] = sep
        fields["blank"] = blank
        blank_note = ("a blank cell counts as not answered: a 'none' choice exists" if blank == "missing"
                      and not (q is not None and q.relevant) else
                      "a blank cell counts as not answered: the question has a relevant condition"
                      if blank == "missing" else "a blank cell counts as nothing ticked")
        notes = [f"special groups from {self.shown(col)}: {shape}; choices from {src} ("
                 + (f"check {', '.join(json.dumps(u, ensure_ascii=False) for u in unsure)}" if unsure else "sure")
                 + f"); {blank_note} (likely)"]
        self.add(col, "special_groups", fields, notes, CHECK if unsure else SURE)

    # personal data ------------------------------------------------------------------------------
    def pass_personal(self, cols):
        for col in cols:
            if col in self.done:
                continue
            w = _words(self.last_segment(col))
            tail = _words(col.split("/")[-1]) if "/" in col else w
            wt = _words(self.text_of(col))
            p = self.profiles[col]
            name = kind = None
            if re.search(r" (nik|no ktp|nomor ktp|nomor induk kependudukan|no nik|nomor nik) ", wt):
                name, kind = "nik", "the column name"
            elif re.search(r" (no hp|nomor hp|no telp|no telepon|nomor telepon|telepon|telp|hp|handphone|"
                           r"phone|phonenumber|whatsapp|no wa|nomor wa|wa) ", w):
                name, kind = "no_hp", "the column name"
            elif re.search(r" (e ?mail|surel|alamat email|alamat e mail) ", wt):
                name, kind = "email", "the column name"
            elif re.search(r" (alamat|address|alamat rumah|domisili) ", w) and not re.search(r"email", wt):
                name, kind = "alamat", "the column name"
            elif (re.search(r"^ (nama|name|full name|respondent name)\b", w)
                  or re.search(r"^ (nama|nama responden|respondent name|full name|name) $", tail)) and not re.search(
                    r"^ nama (unit|layanan|pelayanan|petugas|instansi|sekolah|puskesmas|kantor|desa|kelurahan|"
                    r"kecamatan|opd|perangkat|satuan|tempat|lokasi|fasilitas|dinas|rumah sakit|klinik|enumerator|"
                    r"surveyor|pewawancara|kegiatan|program|produk|jenis)", w):
                name, kind = "nama", "the column name"
            elif re.search(r" (tanda tangan|ttd|signature|foto ktp|foto) ", w):
                name, kind = _snake(self.last_segment(col)), "the column name"
            elif self.questions.get(col) is not None and self.questions[col].type in ("geopoint", "geotrace",
                                                                                       "geoshape", "image"):
                name, kind = _snake(self.last_segment(col)), f"the form's type {self.questions[col].type}"
            if name is None and p.n:
                for nm, rx, what in (("nik", _NIK_RE, "16-digit NIK numbers"),
                                     ("no_hp", _PHONE_RE, "phone numbers"),
                                     ("email", _EMAIL_RE, "e-mail addresses")):
                    share = p.share(lambda v, rx=rx: bool(rx.match(re.sub(r"[\s().-]", "", v)
                                                                   if nm != "email" else v)))
                    if share >= 0.5:
                        name, kind = nm, f"the values: {_pct(share)} look like {what}"
                        break
                if name is None and not p.is_numeric():
                    share = p.share(lambda v: bool(_ADDRESS_RE.search(v)))
                    if share >= 0.3 and p.distinct >= min(5, p.n):
                        name, kind = "alamat", f"the values: {_pct(share)} look like street addresses"
            if name is None:
                continue
            nm = self.unique_name(name)
            self.add(col, "personal", {"name": nm, "pii": "drop"},
                     [f"personal data ({nm}) guessed from {kind}: dropped before analysis (sure)"], SURE)

    # unsur and harapan --------------------------------------------------------------------------
    def scale_like(self, col) -> bool:
        p = self.profiles[col]
        if not p.n:
            return False
        ok, _ = _int14(p)
        if ok:
            return True
        best = max(p.scale_share(_BUILTIN[n], labels_only=True) for n in
                   _ORDINAL_CANDIDATES + ("skm_kepentingan4",))
        if best >= 0.6:
            return True
        q = self.questions.get(col)
        if q is not None and q.type == "select_one" and q.list_name in self.form.choices:
            return 3 <= len(self.form.choices[q.list_name]) <= 6
        vals = self.spss_values.get(col)
        if vals and 3 <= len(vals) <= 6:
            return True
        return self.intensity_scale(col) is not None

    def pass_unsur(self, cols):
        cand = [c for c in cols if c not in self.done and self.scale_like(c)]
        texts = {c: _words(self.text_of(c)) for c in cand}
        n2004 = sum(1 for c in cand if re.search(_ONLY_2004, texts[c]))
        numbered = {c: _numbered(self.last_segment(c)) for c in cand}
        n_num_x = sum(1 for c in cand if numbered[c] and numbered[c][0] == "x")
        max_num = max([numbered[c][1] for c in cand if numbered[c] and numbered[c][0] == "x"] or [0])
        if n2004 >= 3 or max_num >= 12 or (n_num_x >= 12 and n2004 >= 1):
            self.scheme = "kepmenpan25_2004"
            keys, words = UNSUR_25_2004, _UNSUR_WORDS_2004
            self.scheme_note = (f"{n2004} question(s) name unsur of Kepmenpan 25/2004 (kejelasan, kedisiplinan, "
                                "keadilan, kepastian...) (likely)" if n2004 >= 3 else
                                f"unsur numbered up to {max_num}: the 14 unsur of Kepmenpan 25/2004 (likely)")
        else:
            self.scheme = "permenpan14_2017"
            keys, words = UNSUR_14_2017, _UNSUR_WORDS_2017
            self.scheme_note = "the 9 unsur of Permenpan RB 14/2017"
        self.keys = keys
        found: dict[tuple, list] = {}
        for c in cand:
            text = texts[c]
            harapan = bool(re.search(_HARAPAN_WORDS, text))
            num = numbered[c]
            if num and num[0] == "y":
                harapan = True
            key, how, sure = None, "", LIKELY
            seg = _words(self.last_segment(c))
            # 1. a key in the column name (u1_persyaratan, persyaratan, h3_waktu)
            for k in (keys if " " not in c.strip() else ()):
                if re.search(r"(^|[ _\d])" + k.replace("_", "[ _]") + r"($|[ _])", seg.strip()):
                    key, how, sure = k, f'the column name "{_short(c, 50)}"', SURE
                    break
            # 2. the question text
            if key is None and (" " in c.strip() or self.questions.get(c) or self.spss_labels.get(c)):
                hits = []
                for k, rx in words:
                    m = re.search(rx, text)
                    if m:
                        hits.append((m.start(), k))
                if hits:
                    hits.sort()
                    key = hits[0][1]
                    how = self.shown(c)
                    sure = SURE if len({k for _s, k in hits}) == 1 else LIKELY
            # 3. numbered U1..U9 in the rule's order
            if key is None and num and 1 <= num[1] <= len(keys):
                key = keys[num[1] - 1]
                how = f'its number in "{_short(c, 50)}" (unsur in the order of the rule)'
                sure = LIKELY
                self.positional = True
            if key is None:
                if re.search(_OVERALL_WORDS, text):
                    self.add_overall(c)
                continue
            if not harapan:
                p = self.profiles[c]
                own = SKM_UNSUR_SCALES.get(key)
                if own is None or p.scale_share(_BUILTIN[own], labels_only=True) < 0.5:
                    if p.scale_share(_BUILTIN["skm_kepentingan4"], labels_only=True) >= 0.6:
                        harapan = True
            found.setdefault(("harapan" if harapan else "unsur", key), []).append((c, how, sure))
        for (role, key), items in sorted(found.items(), key=lambda kv: min(self.order(c) for c, _h, _s in kv[1])):
            for i, (c, how, sure) in enumerate(items):
                if i > 0:
                    self.skip(c, f"another answer to {role} {key} (the first, '{items[0][0]}', is read) (check)")
                    self.todo.append(f"column '{c}' also looks like {role} {key}: decide which column to read")
                    continue
                self.add_unsur(c, role, key, how, sure)

    def order(self, col) -> int:
        return list(self.raw.columns).index(col)

    def add_overall(self, c):
        scale, note, sure = self.pick_scale(c, None, ("skm_kepuasan4", "skm_baik4"))
        self.add(c, "overall_satisfaction", {"scale": scale},
                 [f"overall satisfaction guessed from {self.shown(c)} (likely)", note], max(sure, LIKELY, key=_RANK.get))

    def add_unsur(self, c, role, key, how, sure):
        label = "importance / expectation (harapan)" if role == "harapan" else "unsur"
        if role == "harapan":
            scale, note, s2 = self.pick_scale(c, "skm_kepentingan4", ("skm_kepentingan4",))
        else:
            own = SKM_UNSUR_SCALES.get(key)
            scale, note, s2 = self.pick_scale(c, own, _ORDINAL_CANDIDATES)
        notes = [f"{label} {key} guessed from {how} ({sure})", note]
        self.add(c, role, {"unsur": key, "scale": scale}, notes, max(sure, s2, key=_RANK.get))

    # answer scales ------------------------------------------------------------------------------
    def pick_scale(self, col, own, candidates) -> tuple[str, str, str]:
        """(scale name, comment, sureness) for an ordinal 1-4 column."""
        p = self.profiles[col]
        q = self.questions.get(col)
        if q is not None and q.type == "select_one" and q.list_name in self.form.choices:
            got = self.scale_from_list(col, q.list_name, self.form.choices[q.list_name], own, candidates,
                                       f"the form's list '{q.list_name}'")
            if got:
                return got
        ok, outside = _int14(p)
        if ok:
            default = own or ("skm_kepentingan4" if "skm_kepentingan4" in candidates else "skm_kepuasan4")
            vals = self.spss_values.get(col)
            note = "answers are the numbers 1-4"
            if vals:
                note += " (SPSS values without labels)"
            dont_know = set(outside) <= {0, 8, 9, 98, 99}
            if outside:
                note += (f"; {', '.join(map(str, outside))} outside 1-4 become missing"
                         + (" (a don't-know code?)" if dont_know else ""))
                self.todo.append(f"column '{_short(col, 60)}' has values {', '.join(map(str, outside))} outside 1-4 "
                                 "(cleaned to missing): check the coding")
            sure = SURE if not outside else LIKELY if dont_know else CHECK
            return default, f"{note}: built-in scale {default} reads the codes ({sure})", sure
        best, best_share = None, -1.0
        order = ([own] if own else []) + [c for c in candidates if c != own]
        for name in order:
            sh = p.scale_share(_BUILTIN[name])
            if sh > best_share + 1e-9:
                best, best_share = name, sh
        if best is not None and best_share >= 0.8:
            lk = _BUILTIN[best]
            unmatched = [v for v, _c in p.counts if _norm(v) not in lk.codes and _norm(v) not in lk.missing]
            placed, left = {}, []
            for v in unmatched:
                code = None if _NUMBER_RE.match(v) else _place_spelling(v, best, own)
                if code is None:
                    left.append(v)
                else:
                    placed[v] = code
            name = self.extend_scale(best, placed, col) if placed else best
            sure = SURE if best_share >= 0.98 and not placed else LIKELY
            what = "the official labels of this unsur" if best == own else "the labels of a built-in scale"
            note = f"answers: {what} ({best}, {_pct(best_share)} of {p.n} answers match"
            if placed:
                note += ("; other spellings seen added as aliases in scale " + name + ": "
                         + ", ".join(f"{json.dumps(v, ensure_ascii=False)} = {c}" for v, c in list(placed.items())[:6])
                         + (" ..." if len(placed) > 6 else ""))
            if left:
                note += f"; left unmatched: {', '.join(json.dumps(u, ensure_ascii=False) for u in left[:5])}"
            note += f") ({sure})"
            words = [v for v in left if not _NUMBER_RE.match(v)]
            if words:
                cols, spell = self.unmatched.setdefault(name, ([], []))
                cols.append(col)
                spell.extend(v for v in words if v not in spell)
            return name, note, sure
        vals = self.spss_values.get(col)
        if vals:
            listed = [(str(int(k)) if float(k) == int(k) else str(k), str(v)) for k, v in sorted(vals.items())]
            got = self.scale_from_list(col, f"spss_{_snake(col, 30)}", listed, own, candidates,
                                       "the SPSS value labels", numeric_names=True)
            if got:
                return got
        drafted = self.intensity_scale(col)
        name = self.unique_scale_name(f"draft_{_snake(self.last_segment(col), 30)}")
        if drafted is None:
            levels = [{"code": i + 1, "id": v, "en": v} for i, (v, _c) in enumerate(p.counts[:4])]
            drafted = {"kind": "ordinal", "levels": sorted(levels, key=lambda lev: lev["code"]),
                       "missing": list(_MISSING_WORDS)}
        self.scales[name] = (drafted, f"drafted from the answers of '{_short(col, 60)}': the order of the levels "
                             "was guessed from the words (sangat/tidak/kurang) (check)")
        self.todo.append(f"scale {name} was drafted from the answers of '{_short(col, 60)}': check its order")
        return name, f"answers match no built-in scale: scale {name} drafted from them (check)", CHECK

    def extend_scale(self, base: str, placed: dict, col: str) -> str:
        """A copy of built-in ``base`` with extra aliases (shared by the columns it fits)."""
        name = f"{base}_plus"
        extra = self.extended.setdefault(name, (base, {}))[1]
        if any(extra.get(_norm(v), (v, c))[1] != c for v, c in placed.items()):
            name = self.unique_scale_name(f"{base}_{_snake(self.last_segment(col), 20)}")
            extra = self.extended.setdefault(name, (base, {}))[1]
        for v, c in placed.items():
            extra.setdefault(_norm(v), (v, c))
        return name

    def finish_scales(self) -> None:
        import copy

        for name, (cols, spell) in sorted(self.unmatched.items()):
            self.todo.append(f"{len(cols)} column(s) on scale {name} have answers matching no label, which become "
                             f"missing: {', '.join(repr(v) for v in spell[:5])}{' ...' if len(spell) > 5 else ''}; "
                             "add them as aliases if they are real answers")
        for name in sorted(self.extended):
            base, extra = self.extended[name]
            spec = copy.deepcopy(BUILTIN_SCALES[base])
            for _k, (v, c) in sorted(extra.items(), key=lambda kv: (kv[1][1], kv[0])):
                for lev in spec["levels"]:
                    if lev["code"] == c:
                        lev.setdefault("aliases", []).append(v)
            shown = ", ".join(f"{json.dumps(v, ensure_ascii=False)} = {c}" for _k, (v, c) in sorted(extra.items()))
            self.scales[name] = (spec, f"built-in scale {base} plus spellings seen in the export, placed by the "
                                       f"labels of other built-in scales or by similarity: {_short(shown, 300)} "
                                       "(likely)")

    def unique_scale_name(self, name):
        base, i = name, 2
        while name in self.scales or name in BUILTIN_SCALES:
            name = f"{base}_{i}"
            i += 1
        return name

    def scale_from_list(self, col, list_name, listed, own, candidates, src, numeric_names=False):
        """A scale for answers coded with a choice list [(name, label)] (XLSForm or SPSS value labels)."""
        p = self.profiles[col]
        order = ([own] if own else []) + [c for c in candidates if c != own]
        for name in order:
            lk = _BUILTIN[name]
            codes = {}
            for n, lab in listed:
                c = lk.labels.get(_norm(lab))
                if c is None and _norm(lab) in lk.missing:
                    continue
                codes[n] = c
            if not codes or any(c is None for c in codes.values()):
                continue
            # each choice name must read as the label's code (a name "4" is always code 4)
            consistent = all(lk.codes.get(_norm(n), c) == c for n, c in codes.items())
            if consistent and p.scale_share(lk) >= 0.8:
                return name, (f"answers coded with {src}, whose labels are those of built-in scale {name} "
                              "(sure)"), SURE
        # a drafted scale: codes from the labels' order in the list (or the numeric names)
        levels, missing = [], []
        numeric = all(re.fullmatch(r"\d+", n) for n, _l in listed)
        for i, (n, lab) in enumerate(listed):
            if _norm(lab) in _BUILTIN["skm_kepuasan4"].missing:
                missing.append(n)
                if lab != n:
                    missing.append(lab)
                continue
            code = int(n) if numeric else None
            levels.append([code, n, lab])
        if not levels:
            return None
        if not numeric:
            ranked = [_intensity(lab) for _c, _n, lab in levels]
            if all(r is not None for r in ranked) and len(set(ranked)) == len(ranked):
                for lev, r in zip(levels, ranked):
                    lev[0] = r
                how = "codes from the words of the labels"
            else:
                for i, lev in enumerate(levels):
                    lev[0] = i + 1
                how = "codes from the order of the list"
        else:
            how = "codes are the choice names"
        levels.sort(key=lambda lev: lev[0])
        if len({lev[0] for lev in levels}) != len(levels):
            return None
        spec_levels = []
        for code, n, lab in levels:
            lev = {"code": code, "id": lab, "en": lab}
            if _norm(n) != _norm(lab) and not (numeric and str(code) == n):
                lev["aliases"] = [n]
            spec_levels.append(lev)
        spec = {"kind": "ordinal", "levels": spec_levels, "missing": missing + [m for m in _MISSING_WORDS
                                                                               if m not in missing]}
        # no spelling may mean two codes
        seen = {}
        for lev in spec_levels:
            for sp in [lev["id"], str(lev["code"]), *(lev.get("aliases") or [])]:
                if seen.setdefault(_norm(sp), lev["code"]) != lev["code"]:
                    return None
        spec["missing"] = [m for m in spec["missing"] if _norm(m) not in seen]
        name = self.unique_scale_name(_slug_name(list_name)[:40])
        self.scales[name] = (spec, f"drafted from {src}: {how}; its labels match no built-in scale (check)")
        self.todo.append(f"scale {name} was drafted from {src}: check which label is 1 (worst) and 4 (best)")
        return name, f"answers coded with {src}: drafted scale {name} (check)", CHECK

    def intensity_scale(self, col):
        p = self.profiles[col]
        labels = [(v, c) for v, c in p.counts if _norm(v) not in _BUILTIN["skm_kepuasan4"].missing]
        if not 2 <= len(labels) <= 8 or p.is_numeric():
            return None
        by_code: dict[int, list] = {}
        for v, c in labels:
            r = _intensity(v)
            if r is None:
                return None
            by_code.setdefault(r, []).append(v)
        if len(by_code) < 3:
            return None
        levels = []
        for code in sorted(by_code):
            vs = by_code[code]
            lev = {"code": code, "id": vs[0], "en": vs[0]}
            extra = [v for v in vs[1:] if _norm(v) != _norm(vs[0])]
            if extra:
                lev["aliases"] = extra
            levels.append(lev)
        return {"kind": "ordinal", "levels": levels, "missing": list(_MISSING_WORDS)}

    # everything else ----------------------------------------------------------------------------
    def classify(self, col):
        p = self.profiles[col]
        q = self.questions.get(col)
        seg = self.last_segment(col)
        w = _words(self.text_of(col))
        ws = _words(seg)
        if not p.n:
            self.skip(col, "empty in this export: nothing to guess from (check)")
            self.todo.append(f"column '{_short(col, 60)}' is empty: add it to the codebook if later exports fill it")
            return
        if is_row_number(col, p):
            self.skip(col, "row numbers")
            return
        yes_no = p.scale_share(_BUILTIN["ya_tidak"])
        gender = p.scale_share(_BUILTIN["jenis_kelamin"])
        is_num = p.is_numeric()
        qtype = q.type if q is not None else None
        # round / wave
        if re.search(r" (putaran|round|gelombang|tahap|wave|periode survei) ", ws) and is_num:
            nums = p.numbers()
            if all(x == round(x) for x in nums):
                self.add(col, "round", {}, [f"survey round guessed from the column name \"{seg}\" (sure)"], SURE)
                return
        if re.search(r" (jenis kelamin|kelamin|gender|sex|jk) ", w) or (gender >= 0.9 and p.distinct <= 6):
            if gender >= 0.8:
                self.add(col, "gender", {"scale": "jenis_kelamin"},
                         [f"gender guessed from {self.shown(col)}; answers match jenis_kelamin "
                          f"({_pct(gender)}) (sure)"], SURE)
                return
        if re.search(r" (umur|usia|age|umur responden|usia responden) ", w) and not re.search(r"kelompok|range", w):
            if is_num:
                self.add(col, "age", {"range": [10, 110]},
                         [f"age guessed from {self.shown(col)}; values outside 10-110 become missing (sure)"], SURE)
            else:
                self.skip(col, "age in bands, not years: not read (check)")
                self.todo.append(f"column '{_short(col, 60)}' gives age in bands: clem's age is a number")
            return
        if qtype in ("date",) or re.search(r" (tanggal|tgl|date|tanggal survei|tanggal wawancara|"
                                           r"tanggal pelayanan|tanggal kunjungan) ", w):
            if self.date_share(p) >= 0.8:
                self.add(col, "interview_date", {},
                         [self.date_note(col, f"date of the interview guessed from {self.shown(col)}")], SURE)
                return
        if re.search(r" (enumerator|enumerator id|surveyor|pewawancara|petugas survei|petugas pendata|"
                     r"interviewer|pencacah|kode enumerator) ", w):
            self.add(col, "enumerator", {}, [f"enumerator guessed from {self.shown(col)} (sure)"], SURE)
            return
        if re.search(r" (bobot|weight|pembobot) ", ws) and is_num:
            self.add(col, "weight", {}, [f"sampling weight guessed from the column name \"{seg}\" (likely)"], LIKELY)
            return
        if (yes_no >= 0.85 and (not is_num or {v for v, _c in p.counts} <= {"0", "1"})) or \
                (q is not None and q.type == "select_one" and self.list_is_yes_no(q.list_name)):
            self.add_yes_no(col, w, yes_no)
            return
        if re.search(r" (sektor|sector|bidang layanan|bidang pelayanan|bidang) ", w) and not is_num:
            self.add_sector(col)
            return
        if re.search(r" (saran|kritik|komentar|masukan|keluhan|pesan|catatan|alasan|pendapat|harapan|usul|usulan|"
                     r"comment|suggestion|feedback) ", w) and not is_num:
            name = self.unique_name("suggestion" if re.search(r"saran|masukan|kritik|usul|suggestion", w)
                                    else _snake(seg))
            self.add(col, "free_text", {"name": name, "required": False},
                     [f"free text ({name}) guessed from {self.shown(col)}; NIK, phone numbers and e-mails are "
                      "scrubbed (sure)"], SURE)
            return
        if self.is_unit_name(w, ws) and not is_num:
            self.unit_candidates.append((0, col))
            return
        if re.search(r" (cara|calo|biro jasa|perantara|melalui|channel) ", w) and not is_num and self.add_channel(col):
            return
        if re.search(r" (jenis layanan|jenis pelayanan|layanan|pelayanan yang|service|keperluan|jenis urusan|"
                     r"urusan) ", w) and not is_num and p.distinct <= max(40, p.n // 3):
            self.add(col, "service", {}, [f"the service used, guessed from {self.shown(col)}; kept as text (likely)"],
                     LIKELY)
            return
        if re.search(r" (pendidikan terakhir|pendidikan responden|tingkat pendidikan|education|pendidikan) ", w) \
                and not is_num:
            if self.add_education(col):
                return
        if re.search(r" (penghasilan|pendapatan|income|gaji) ", w):
            self.skip(col, "income: which bands are low and which high needs a decision (check)")
            self.todo.append(f"column '{_short(col, 60)}' looks like income: write an income scale with the "
                             "cut between low and high (docs/codebook.md) to read it")
            return
        amount_share = p.share(lambda v: bool(_AMOUNT_RE.match(v.strip())) or bool(_NUMBER_RE.match(v))
                               or _norm(v) in ("gratis", "tidak ada", "free", "nol", "tidak bayar"))
        money_words = re.search(r" (biaya|bayar|membayar|dibayar|tarif|rp|rupiah|uang|ongkos|pungutan|"
                                r"nominal|amount|cost|fee|imbalan|jumlah uang|jumlah lebih|jumlah tambahan) ", w)
        if amount_share >= 0.9 and (money_words or p.share(lambda v: bool(_AMOUNT_RE.match(v.strip()))) >= 0.3):
            self.add_amount(col, w, p)
            return
        if is_num and re.search(r" (lama|hari|menit|jam|durasi|waktu tunggu|antri|antre|minutes|days|hours) ", w):
            name = ("wait_minutes" if re.search(r"tunggu|antri|antre|menit|minutes", w) else
                    "standard_days" if re.search(r"standar|janji|seharusnya", w) else
                    "days_to_complete" if re.search(r"hari|days|selesai", w) else _snake(seg))
            name = self.unique_name(name)
            self.add(col, "duration", {"name": name, "range": [0, 100000]},
                     [f"a duration ({name}) guessed from {self.shown(col)}; check its unit (likely)"], LIKELY)
            return
        if not is_num and p.distinct >= 2 and p.mean_len() >= 8:
            if p.distinct > max(30, p.n // 3):
                name = self.unique_name(_snake(seg))
                self.add(col, "free_text", {"name": name, "required": False},
                         [f"free text ({name}): long answers, nearly all different (check)"], CHECK)
                return
            self.unit_candidates.append((1, col))
            return
        if not is_num and 2 <= p.distinct <= max(30, p.n // 5):
            self.unit_candidates.append((2, col))
            return
        desc = "numbers" if is_num else f"{p.distinct} distinct text values"
        self.skip(col, f"not recognised ({desc}) (check)")

    def date_share(self, p):
        return p.share(lambda v: bool(re.match(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}", v)))

    def list_is_yes_no(self, list_name) -> bool:
        listed = self.form.choices.get(list_name) if self.form else None
        if not listed or len(listed) > 3:
            return False
        return all(_norm(lab) in _BUILTIN["ya_tidak"].codes or _norm(lab) in _BUILTIN["ya_tidak"].missing
                   or _norm(n) in _BUILTIN["ya_tidak"].codes for n, lab in listed)

    def add_yes_no(self, col, w, share):
        if re.search(r"persetujuan|bersedia|consent|setuju", w):
            self.add(col, "consent", {"scale": "ya_tidak"},
                     [f"consent guessed from {self.shown(col)}: rows without a yes are removed (likely)"], LIKELY)
            return
        name, sure = None, LIKELY
        rules = (
            ("facility_friendly", r"ramah|aksesib|akses", r"fasilitas|sarana|disabilitas|difabel|kelompok|lansia|"
                                                           r"ibu hamil|berkebutuhan|rentan"),
            ("problem_resolved", r"masalah|kendala|hambatan|keluhan|pengaduan", r"selesai|teratasi|terselesaikan|"
                                                                               r"ditangani|ditindaklanjuti|resolved"),
            ("knows_complaint", r"tahu|mengetahui|know", r"pengaduan|mengadu|lapor|keluhan|complain"),
            ("paid_extra", r"bayar|biaya|pungutan|uang|imbalan|paid|pungli", r"lebih|tambahan|di luar|diluar|pungli|"
                                                                             r"tidak resmi|imbalan|extra|tips|"
                                                                             r"uang rokok|pungutan"),
            ("had_problem", r"masalah|kendala|hambatan|kesulitan|problem", r""),
        )
        for nm, a, b in rules:
            if re.search(a, w) and (not b or re.search(b, w)):
                name, sure = nm, SURE
                break
        flag = None
        if name is None:
            for f, rx in _FLAG_WORDS:
                if re.search(rx, w):
                    flag = f
                    break
        if flag is not None and flag not in self.names_used:
            self.names_used.add(flag)
            self.add(col, "special_flag", {"name": flag, "scale": "ya_tidak"},
                     [f"special group {flag} (yes/no) guessed from {self.shown(col)} (likely)"], LIKELY)
            return
        if name is None or name in self.names_used:
            name, sure = _snake(self.last_segment(col)), LIKELY
        name = self.unique_name(name)
        self.add(col, "indicator", {"name": name, "scale": "ya_tidak"},
                 [f"yes/no indicator {name} guessed from {self.shown(col)}; answers match ya_tidak "
                  f"({_pct(share)}) ({sure})"], sure)

    def add_amount(self, col, w, p):
        name = ("extra_amount" if re.search(r"lebih|tambahan|di luar|diluar|pungli|imbalan|tidak resmi|extra", w)
                else "official_fee" if re.search(r"resmi|tarif|ketentuan|seharusnya|official", w)
                else "cost_paid")
        name = self.unique_name(name)
        words = [v for v, _c in p.counts if not _NUMBER_RE.match(v) and not _AMOUNT_RE.match(v.strip())]
        note = (f"an amount in rupiah ({name}) guessed from {self.shown(col)} and values such as "
                f"\"{p.counts[0][0]}\" (likely)")
        self.add(col, "amount", {"name": name, "range": [0, 1000000000]}, [note], LIKELY)
        if words:
            self.todo.append(f"column '{_short(col, 60)}': {', '.join(repr(x) for x in words[:3])} are not numbers "
                             "and become missing (for 'gratis' = 0 write 0 in the export)")

    def add_sector(self, col):
        p = self.profiles[col]
        levels: dict[str, dict] = {}
        unsure = []
        for v, _c in p.counts:
            code = _sector_of_value(v)
            if code is None:
                code = _slug_name(v)
                unsure.append(v)
            lev = levels.setdefault(code, {"code": code, "id": _SECTOR_ID.get(code, v),
                                           "en": _SECTOR_EN.get(code, v), "aliases": []})
            if _norm(v) not in {_norm(lev["id"]), _norm(lev["en"]), _norm(code)} and \
                    _norm(v) not in {_norm(a) for a in lev["aliases"]}:
                lev["aliases"].append(v)
        for lev in levels.values():
            if not lev["aliases"]:
                del lev["aliases"]
        name = self.unique_scale_name("sektor")
        order = {"adminduk": 0, "kesehatan": 1, "pendidikan": 2}
        spec = {"kind": "nominal", "levels": sorted(levels.values(), key=lambda lev: (order.get(lev["code"], 9),
                                                                                      lev["code"]))}
        self.scales[name] = (spec, "sectors drafted from the answers of '" + _short(col, 60) + "'"
                             + (f"; check the codes of {', '.join(unsure)}" if unsure else "") + " ("
                             + (CHECK if unsure else "likely") + ")")
        self.sector_col = col
        self.sector_scale = spec
        self.add(col, "sector", {"scale": name}, [f"sector guessed from {self.shown(col)} (sure)"], SURE)

    def add_education(self, col) -> bool:
        p = self.profiles[col]
        rules = (("sd", r"\b(sd|tidak sekolah|belum sekolah|tidak tamat|sekolah dasar|mi)\b"),
                 ("smp", r"\b(smp|sltp|mts|sekolah menengah pertama)\b"),
                 ("sma", r"\b(sma|smk|slta|ma|sekolah menengah atas|smu|stm)\b"),
                 ("diploma", r"\b(d1|d2|d3|d4|diploma|akademi)\b"),
                 ("sarjana", r"\b(s1|s2|s3|sarjana|pascasarjana|magister|doktor)\b"))
        ids = {"sd": ("SD / tidak sekolah", "Primary or none"), "smp": ("SMP", "Junior secondary"),
               "sma": ("SMA/SMK", "Senior secondary"), "diploma": ("Diploma", "Diploma"),
               "sarjana": ("S1 ke atas", "Bachelor or higher")}
        levels: dict[str, dict] = {}
        mapped = p.share(lambda v: any(re.search(rx, _norm(v)) for _k, rx in rules))
        if mapped < 0.95:
            return False
        unmatched = []
        for v, _c in p.counts:
            t = _norm(v)
            code = next((k for k, rx in rules if re.search(rx, t)), None)
            if code is None:
                unmatched.append(v)
                continue
            lev = levels.setdefault(code, {"code": code, "id": ids[code][0], "en": ids[code][1], "aliases": []})
            if _norm(v) not in {_norm(lev["id"]), _norm(lev["en"]), code}:
                lev["aliases"].append(v)
        for lev in levels.values():
            if not lev["aliases"]:
                del lev["aliases"]
        name = self.unique_scale_name("pendidikan")
        order = [k for k, _ in rules]
        self.scales[name] = ({"kind": "nominal", "levels": sorted(levels.values(), key=lambda lev: order.index(lev["code"]))},
                             f"education levels drafted from the answers of '{_short(col, 60)}' (likely)")
        note = f"education guessed from {self.shown(col)} (likely)"
        if unmatched:
            note += f"; {', '.join(json.dumps(u, ensure_ascii=False) for u in unmatched[:5])} match no level"
            self.todo.append(f"column '{_short(col, 60)}': education answers matching no level (e.g. "
                             f"'{unmatched[0]}'): add them as aliases of scale {name}")
        self.add(col, "education", {"scale": name}, [note], LIKELY)
        return True

    def add_channel(self, col) -> bool:
        p = self.profiles[col]
        rules = (("in_person", r"sendi?ri|langsung|mandiri|pribadi|datang"),
                 ("broker", r"calo|biro|perantara|j ?sa\b|jasa|diwakilkan|dibantu|orang lain|titip|makelar"))
        ids = {"in_person": ("Datang sendiri", "Came in person"), "broker": ("Melalui biro jasa / calo",
                                                                             "Through a broker")}

        def code_of(v):
            t = _norm(v)
            hits = [k for k, rx in rules if re.search(rx, t)]
            return hits[-1] if hits else None

        if p.share(lambda v: code_of(v) is not None) < 0.9 or p.distinct < 2:
            return False
        levels = {k: {"code": k, "id": ids[k][0], "en": ids[k][1], "aliases": []} for k, _rx in rules}
        for v, _c in p.counts:
            k = code_of(v)
            if k and _norm(v) not in {_norm(ids[k][0]), _norm(ids[k][1]), k} and \
                    _norm(v) not in {_norm(a) for a in levels[k]["aliases"]}:
                levels[k]["aliases"].append(v)
        for lev in levels.values():
            if not lev["aliases"]:
                del lev["aliases"]
        name = self.unique_scale_name("cara")
        self.scales[name] = ({"kind": "nominal", "levels": list(levels.values())},
                             f"how the service was obtained, drafted from the answers of '{_short(col, 60)}' (likely)")
        self.add(col, "channel", {"scale": name},
                 [f"channel (in person or through a broker) guessed from {self.shown(col)} (likely)"], LIKELY)
        return True

    # the unit -------------------------------------------------------------------------------------
    def is_unit_name(self, w, ws) -> bool:
        return bool(re.search(r" (unit|unit layanan|unit pelayanan|nama unit|lokasi|lokasi layanan|kecamatan|"
                              r"kelurahan|desa|puskesmas|sekolah|nama sekolah|nama puskesmas|opd|instansi|kantor|"
                              r"tempat pelayanan|tempat layanan|nama instansi|location|site|facility|fasyankes|"
                              r"satuan kerja|satker|perangkat daerah) ", w)) and not re.search(
            r" (ramah|apakah|bagaimana|berapa) ", w)

    def pass_unit(self, cols):
        cands = sorted(self.unit_candidates, key=lambda t: (t[0], self.order(t[1])))
        self.unit_col = None
        if cands:
            rank, col = cands[0]
            self.unit_col = col
            sure = {0: SURE, 1: CHECK, 2: CHECK}[rank]
            how = (f"unit guessed from {self.shown(col)}" if rank == 0 else
                   f"unit guessed as the text column with few distinct values ({self.profiles[col].distinct})")
            self.add(col, "unit", {}, [f"{how}; spellings merged into the units file ({sure})"], sure)
            if sure == CHECK:
                self.todo.append(f"the unit column was guessed as '{_short(col, 60)}': check it")
            blank = self.profiles[col].n_rows - self.profiles[col].n
            if blank:
                self.todo.append(f"{blank} row(s) have no unit in '{_short(col, 60)}': clem stops on them; fill "
                                 "them in the export (or remove those rows)")
            for _r, other in cands[1:]:
                p = self.profiles[other]
                if self.is_unit_name(_words(self.text_of(other)), _words(self.last_segment(other))) and p.distinct > 1:
                    self.skip(other, "another place column (check: the unit is read from "
                              f"'{_short(col, 40)}')")
                    self.todo.append(f"column '{_short(other, 60)}' also names a place: check which is the unit")
                else:
                    self.skip(other, f"not recognised ({p.distinct} distinct text values) (check)")
        else:
            self.todo.append("no unit column found: clem needs one column naming the service unit of each "
                             "interview (add it to the export, then a {source: ..., role: unit} entry)")

    def resolve_fixed_names(self):
        from ..codebook import _FIXED_NAMES

        keep: dict[str, _Entry] = {}
        for e in sorted(self.entries, key=lambda e: (_RANK[e.sure], e.order)):
            key = _FIXED_NAMES.get(e.role)
            if key is None:
                continue
            if key in keep:
                self.entries.remove(e)
                same = e.role == "respondent_id" and self.raw[e.source].equals(self.raw[keep[key].source])
                self.skipped.append((e.source, f"the same ids as '{keep[key].source}'" if same else
                                     f"also looks like {e.role} ('{keep[key].source}' is read) (check)"))
            else:
                keep[key] = e
        self.entries.sort(key=lambda e: e.order)


def is_row_number(col: str, p: _Profile) -> bool:
    """A column of running numbers (No, Nomor, No. urut) holds nothing to analyse."""
    if not re.fullmatch(r"(?i)\s*(no|nomor|no urut|nomor urut|urut|#|id|no responden|nomor responden)\s*\.?\s*", col):
        return False
    return p.is_numeric() and p.distinct == p.n


def _numbered(seg: str):
    """('x', n) for U1/P1/Q1/X1/unsur1, ('y', n) for H1/K1/Y1 (importance), else None."""
    m = re.fullmatch(r"(?i)(u|unsur|q|p|x|skm|item)[ _.-]?0*(\d{1,2})(?:[ _.-][a-z_ ]*)?", seg.strip())
    if m:
        return ("x", int(m.group(2)))
    m = re.fullmatch(r"(?i)(h|k|y|harapan|kepentingan)[ _.-]?0*(\d{1,2})(?:[ _.-][a-z_ ]*)?", seg.strip())
    if m:
        return ("y", int(m.group(2)))
    return None


def _place_spelling(value: str, best: str, own: str | None):
    """The code of an answer spelling the chosen built-in scale lacks, from other built-in scales or by similarity."""
    from rapidfuzz import fuzz, process

    t = _norm(value)
    for other in [own, best, "skm_kepuasan4", "skm_baik4", *SKM_UNSUR_SCALES.values()]:
        if other and t in _BUILTIN[other].labels:
            code = _BUILTIN[other].labels[t]
            return code if code in set(_BUILTIN[best].codes.values()) else None
    lk = _BUILTIN[best]
    hits = process.extract(t, sorted(lk.labels), scorer=fuzz.ratio, limit=5, score_cutoff=80)
    if not hits:
        return None
    top = hits[0]
    rivals = [h for h in hits[1:] if lk.labels[h[0]] != lk.labels[top[0]]]
    if rivals and rivals[0][1] > top[1] - 5:
        return None
    return lk.labels[top[0]]


def _flag_of(choice: str) -> tuple:
    """(flag or None, sure) for a special-group choice name or label."""
    t = _norm(choice)
    if re.search(_NONE_WORDS, t):
        return None, True
    for flag, rx in _FLAG_WORDS:
        if re.search(rx, t):
            return flag, True
    return None, False


def _intensity(label: str):
    """1-4 from the words of an answer label (tidak 1, kurang 2, plain 3, sangat 4); None if unsure."""
    t = _norm(label)
    if not t or _NUMBER_RE.match(t):
        return None
    if re.match(r"^(sangat|sgt|amat) (tidak|tdk|buruk|kurang|jelek)|^(tidak|tdk|buruk|jelek)\b", t):
        return 1
    if re.match(r"^(kurang|krg|cukup)\b", t):
        return 2
    if re.match(r"^(sangat|sgt|amat)\b", t) or t.endswith(" sekali"):
        return 4
    if re.match(r"^[a-z]+( [a-z]+){0,3}$", t):
        return 3
    return None


def _sector_of_value(v: str):
    t = " " + _norm(v) + " "
    for code, rx in _SECTOR_VALUE_WORDS:
        if re.search(rx, t):
            return code
    return None


def _sector_of_name(name: str):
    t = _norm(name)
    for code, rx in _SECTOR_NAME_WORDS:
        if re.search(rx, t):
            return code
    return None


# ---------------------------------------------------------------------------------------------
# units

_ABBREV = {"pusk": "puskesmas", "pkm": "puskesmas", "kec": "kecamatan", "kel": "kelurahan", "ds": "desa",
           "sdn": "sd negeri", "smpn": "smp negeri", "sman": "sma negeri", "smkn": "smk negeri", "ps": "pasar",
           "n": "negeri", "rsud": "rumah sakit umum daerah", "rs": "rumah sakit", "kab": "kabupaten",
           "disdukcapil": "dukcapil", "dispendukcapil": "dukcapil", "capil": "dukcapil"}
_PHRASES = ((r"\bdinas kependudukan dan pencatatan sipil\b", "dukcapil"),
            (r"\bkependudukan dan pencatatan sipil\b", "dukcapil"))
_TYPE_WORDS = {"kecamatan", "kelurahan", "desa", "puskesmas", "kantor", "dinas", "upt", "uptd", "unit"}


def _unit_key(value: str) -> str:
    words = _norm(value).split()
    out = []
    for w in words:
        out.extend(_ABBREV.get(w, w).split())
    key = " ".join(out)
    for rx, rep in _PHRASES:
        key = re.sub(rx, rep, key)
    return key


def _core(key: str) -> tuple[frozenset, str]:
    """(type words, the rest without spaces) of a unit key: "kecamatan pasar kliwon" -> ({kecamatan}, "pasarkliwon")."""
    words = key.split()
    return frozenset(w for w in words if w in _TYPE_WORDS), "".join(w for w in words if w not in _TYPE_WORDS)


_ACRONYMS = {"sd", "sdn", "smp", "smpn", "sma", "sman", "smk", "smkn", "mi", "min", "mts", "mtsn", "ma", "man",
             "rs", "rsud", "rsu", "upt", "uptd", "kua", "tk", "paud", "pkm", "opd", "dpmptsp", "bpjs"}
_WRITTEN_OUT = {"kec": "Kecamatan", "kel": "Kelurahan", "pusk": "Puskesmas", "pkm": "Puskesmas", "ds": "Desa",
                "disdukcapil": "Disdukcapil", "dispendukcapil": "Dispendukcapil"}


def _pretty(choice_name: str) -> str:
    """A unit's name from a Kobo choice name: ``pkm_sibela`` -> ``Puskesmas Sibela``, ``sman_3_x`` -> ``SMAN 3 X``."""
    words = []
    for w in choice_name.split("_"):
        words.append(_WRITTEN_OUT.get(w) or (w.upper() if w in _ACRONYMS else w.capitalize()))
    return " ".join(words)


def _cluster_units(counts: list) -> list:
    """Group spellings of the same unit: [(canonical, [aliases], total count, merged_by_similarity)].

    Spellings with the same normalised form (abbreviations such as Kec., Pusk. written out) are one
    unit; then forms whose names (without the type word) are at least 90% alike (rapidfuzz) and
    carry the same numbers and type words; then a bare name ("JEBRES") joins the one unit whose
    name it is ("Kecamatan Jebres"), when exactly one unit has it.
    """
    from rapidfuzz import fuzz

    groups: dict[str, list] = {}  # expanded key -> [(value, count)]
    for v, c in counts:
        groups.setdefault(_unit_key(v), []).append((v, c))
    keys = sorted(groups, key=lambda k: (-sum(c for _v, c in groups[k]), k))

    def alike(a, b):
        (ta, ca), (tb, cb) = _core(a), _core(b)
        if re.findall(r"\d+", a) != re.findall(r"\d+", b) or not ca or not cb:
            return False
        return fuzz.ratio(ca, cb) >= 90

    clusters: list[list] = []
    for k in [k for k in keys if _core(k)[0]] + [k for k in keys if not _core(k)[0]]:
        types = _core(k)[0]
        if types:
            hits = [cl for cl in clusters if _core(cl[0])[0] == types and alike(k, cl[0])]
        else:
            hits = [cl for cl in clusters if alike(k, cl[0])]
        if len(hits) == 1 or (hits and not types and len({_core(h[0])[0] for h in hits}) == len(hits)
                              and len([h for h in hits if _core(h[0])[0]]) == 1):
            target = hits[0] if len(hits) == 1 else next(h for h in hits if _core(h[0])[0])
            target.append(k)
        else:
            clusters.append([k])
    out = []
    for cl in clusters:
        spellings: dict[str, int] = {}
        for k in cl:
            for v, c in groups[k]:
                v = " ".join(v.split())
                spellings[v] = spellings.get(v, 0) + c
        total = sum(spellings.values())
        forms: dict[str, list] = {}  # normalised form -> its spellings (case variants are one form)
        for v in spellings:
            forms.setdefault(_norm(v), []).append(v)
        rep = {f: sorted(vs, key=lambda v: (v.isupper() or v.islower(), -spellings[v], v))[0]
               for f, vs in forms.items()}
        best = sorted(forms, key=lambda f: (-sum(spellings[v] for v in forms[f]), "." in rep[f], f))[0]
        canon = rep[best]
        if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", canon):  # a Kobo/ODK choice name: written out
            spellings.setdefault(_pretty(canon), 0)
            canon = _pretty(canon)
        aliases = [rep[f] for f in sorted(forms, key=lambda f: (-sum(spellings[v] for v in forms[f]), f))
                   if f != _norm(canon) and f in rep]
        merged = len(cl) > 1 and any(_core(k)[1] != _core(cl[0])[1] for k in cl)
        out.append((canon, aliases, total, merged))
    return sorted(out, key=lambda t: (_norm(t[0]), t[0]))


# ---------------------------------------------------------------------------------------------
# the whole draft

def _read_spss_meta(path: Path):
    if path.suffix.lower() not in (".sav", ".zsav"):
        return None
    try:
        import pyreadstat

        _df, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        return meta
    except Exception:  # the data reader reports a broken file
        return None


def draft_survey(data_path, form_path=None) -> Draft:
    """Draft a codebook and a units file for an export.

    Parameters
    ----------
    data_path : str or Path
        The export (CSV with ``;`` or ``,``, UTF-8 or Windows-1252; Excel;
        SPSS ``.sav``), read with :func:`clem_lib.io.read_survey`.
    form_path : str or Path, optional
        The Kobo/ODK XLSForm (``.xlsx``) the export came from.

    Returns
    -------
    Draft
        The guesses; :meth:`Draft.codebook_yaml` and :meth:`Draft.units_yaml`
        give the two files' text, :attr:`Draft.todo` what a person still has
        to decide.

    Raises
    ------
    ClemInputError
        The export (or the form) cannot be read.
    """
    from ..io import read_survey

    data_path = Path(data_path)
    raw = read_survey(data_path, codebook=None)
    form = read_xlsform(form_path) if form_path is not None else None
    meta = _read_spss_meta(data_path)
    d = _Drafter(raw, data_path, form, meta)
    d.run()

    survey_name = survey_name_from(data_path)
    title, title_note = None, ""
    if form is not None and form.form_id:
        survey_name = _slug_name(form.form_id)
    if form is not None and form.title:
        title, title_note = form.title, "the form's form_title (sure)"
    elif meta is not None and getattr(meta, "file_label", None):
        title, title_note = str(meta.file_label), "the SPSS file label (likely)"

    units = _draft_units(d)
    todo = list(dict.fromkeys(d.todo))
    if not any(e.role == "unsur" for e in d.entries):
        todo.insert(0, "no unsur answers recognised: map the IKM questions with role: unsur, unsur: <key>")
    checks = [e.source for e in d.entries if e.sure == CHECK]
    if checks:
        todo.append(f"{len(checks)} low-confidence guess(es) marked (check): "
                    + "; ".join(f"'{_short(c, 50)}'" for c in checks[:8]) + (" ..." if len(checks) > 8 else ""))
    unread = [c for c, reason in d.skipped if reason.endswith("(check)")]
    if unread:
        todo.append(f"{len(unread)} column(s) not mapped (listed at the end of the codebook): "
                    + "; ".join(f"'{_short(c, 50)}'" for c in unread[:8]) + (" ..." if len(unread) > 8 else ""))
    guessed = [u.name for u in units if "guessed from the name" in u.sector_note]
    if guessed:
        todo.append(f"check the sectors guessed from the unit names: {', '.join(guessed[:8])}"
                    + (" ..." if len(guessed) > 8 else ""))
    merged = [u.name for u in units if u.note]
    if merged:
        todo.append(f"check the unit spellings merged by similarity: {', '.join(merged[:8])}"
                    + (" ..." if len(merged) > 8 else ""))
    if units:
        todo.insert(0, f"fill users_per_month for {len(units)} unit(s) in the units file")
    if d.positional:
        todo.append("unsur numbered U1..U9 were mapped in the regulation's order (... 8 pengaduan, 9 sarana); "
                    "the annexed questionnaire asks sarana before pengaduan: check against the questionnaire")
    found = sum(1 for e in d.entries if e.role == "unsur")
    scheme_note = d.scheme_note
    if d.scheme == "permenpan14_2017":
        scheme_note += f": {found} of 9 found" + (" (sure)" if found == 9 else " (check)")
        if 0 < found < 9:
            missing = [k for k in UNSUR_14_2017 if k not in {e.fields.get('unsur') for e in d.entries
                                                               if e.role == 'unsur'}]
            todo.append(f"unsur not found in the export: {', '.join(missing)}")
    return Draft(
        survey_name=survey_name, data_path=data_path, title_id=title, title_note=title_note,
        scheme=d.scheme, scheme_note=scheme_note, entries=d.entries, scales=d.scales, units=units,
        skipped=d.skipped, todo=todo, n_rows=len(raw), n_cols=len(raw.columns),
    )


def _draft_units(d: _Drafter) -> list:
    if d.unit_col is None:
        return []
    p = d.profiles[d.unit_col]
    q = d.questions.get(d.unit_col)
    listed = d.form.choices.get(q.list_name, []) if q is not None and q.list_name and d.form else []
    clusters = []
    if listed:
        # the form's choice list: label = name of the unit, choice name an alias; unlisted spellings clustered
        by_norm = {}
        for n, lab in listed:
            by_norm[_norm(n)] = lab
            by_norm[_norm(lab)] = lab
        counts = {lab: 0 for _n, lab in listed}
        rest = []
        for v, c in p.counts:
            if _norm(v) in by_norm:
                counts[by_norm[_norm(v)]] += c
            else:
                rest.append((v, c))
        for n, lab in listed:
            clusters.append((lab, [n] if _norm(n) != _norm(lab) else [], counts[lab], False))
        clusters += _cluster_units(rest)
        clusters.sort(key=lambda t: (_norm(t[0]), t[0]))
    else:
        clusters = _cluster_units(p.counts)
    # sectors seen with each unit
    seen_sectors: dict[str, set] = {}
    if d.sector_col is not None:
        lookup = {}
        for lev in d.sector_scale["levels"]:
            for sp in [lev["code"], lev["id"], lev["en"], *(lev.get("aliases") or [])]:
                lookup[_norm(sp)] = lev["code"]
        unit_of = {}
        for canon, aliases, _t, _m in clusters:
            for s in [canon, *aliases]:
                unit_of[_norm(s)] = canon
        ucol = d.raw[d.unit_col].astype("string").str.strip()
        scol = d.raw[d.sector_col].astype("string").str.strip()
        for u, s in zip(ucol.fillna(""), scol.fillna("")):
            if u and s:
                code = lookup.get(_norm(s))
                if code is not None and _norm(u) in unit_of:
                    seen_sectors.setdefault(unit_of[_norm(u)], set()).add(code)
    order = {"adminduk": 0, "kesehatan": 1, "pendidikan": 2}
    units, slugs = [], set()
    for canon, aliases, total, merged in clusters:
        if canon in seen_sectors:
            sectors = sorted(seen_sectors[canon], key=lambda s: (order.get(s, 9), s))
            note = f"from the sector column '{_short(d.sector_col, 40)}' (sure)"
        else:
            guess = _sector_of_name(canon) or next((_sector_of_name(a) for a in aliases if _sector_of_name(a)), None)
            if guess is None and d.sector_col is not None:
                guess = "umum"
            sectors = [guess or "umum"]
            note = f"guessed from the name '{canon}' (check)" if guess else "no sector word in the name: umum (check)"
            if not guess:
                note = f"guessed from the name: no sector word, so umum (check)"
            else:
                note = "guessed from the name (check)"
        slug = slugify(canon)
        base, i = slug, 2
        while slug in slugs:
            slug = f"{base}-{i}"
            i += 1
        slugs.add(slug)
        unote = (f"{len(aliases) + 1} spellings merged by similarity: check they are one unit" if merged else "")
        units.append(_Unit(canon, slug, sectors, note, aliases, total, unote))
    return units


# ---------------------------------------------------------------------------------------------
# writing

def _write_atomic(path: Path, text: str) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        mask = os.umask(0o022)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_draft(draft: Draft, out_dir, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``<survey_name>.codebook.yml`` and ``<survey_name>.units.yml`` into ``out_dir``.

    Parameters
    ----------
    draft : Draft
    out_dir : str or Path
        Created when missing.
    force : bool, default False
        Overwrite existing files.

    Returns
    -------
    (Path, Path)
        The codebook and the units file.

    Raises
    ------
    ClemInputError
        A file exists and ``force`` is false (nothing is written), or the
        folder cannot be created.

    Notes
    -----
    Each file is written to a temporary name in the same folder, then
    renamed into place, so a reader never sees half a file.
    """
    out_dir = Path(out_dir)
    codebook = out_dir / f"{draft.survey_name}.codebook.yml"
    units = out_dir / f"{draft.survey_name}.units.yml"
    if not force:
        for f in (codebook, units):
            if f.exists():
                raise ClemInputError("already exists; not overwritten", file=f,
                                     fix="pass --force to overwrite it, or choose another folder with --out")
    if out_dir.exists() and not out_dir.is_dir():
        raise ClemInputError("is a file, not a folder", file=out_dir, fix="give a folder with --out")
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(units, draft.units_yaml())
    _write_atomic(codebook, draft.codebook_yaml(units.name))
    return codebook, units
