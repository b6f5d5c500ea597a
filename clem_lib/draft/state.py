"""What the passes over an export share: its columns' profiles and questions, and the guesses made so far."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..codebook import UNSUR_14_2017
from ..scales import BUILTIN_SCALES
from .common import SURE, short, words
from .export import Profile
from .xlsform import XLSForm, form_index, match_form

__all__ = ["Entry", "Column", "DraftState"]


@dataclass
class Entry:
    """One drafted codebook column: its fields, the comments above it, and how sure the guess is."""

    source: str
    role: str
    fields: dict
    notes: list
    sure: str
    order: int  # position of the column in the export (-1: not one of its columns)


@dataclass(frozen=True)
class Column:
    """One column as the recognising rules read it."""

    name: str
    profile: Profile
    question: object  # the form's FormQuestion, or None
    segment: str  # the question's own part of the header (DraftState.last_segment)
    text: str  # words of the header with its form and SPSS labels (DraftState.text_of)
    seg_words: str  # words of the segment
    is_num: bool

    @property
    def qtype(self):
        return self.question.type if self.question is not None else None


class DraftState:
    """The export being drafted and everything guessed about it so far.

    Each recognising module (``meta``, ``special``, ``personal``, ``unsur``, ``classify`` ...)
    reads the profiles and questions here and records its guesses through :meth:`add` and
    :meth:`skip`; a column once decided (``done``) is not looked at again.
    """

    def __init__(self, raw: pd.DataFrame, data_path: Path, form: XLSForm | None, spss_meta):
        self.raw = raw
        self.path = data_path
        self.form = form
        self.findex = form_index(form) if form else {}
        self.spss_labels = dict(getattr(spss_meta, "column_names_to_labels", None) or {}) if spss_meta else {}
        self.spss_values = dict(getattr(spss_meta, "variable_value_labels", None) or {}) if spss_meta else {}
        self.entries: list[Entry] = []
        self.scales: dict = {}  # drafted scales: name -> (specification, comment)
        self.skipped: list = []  # (column, reason)
        self.todo: list = []
        self.done: set = set()
        self.profiles = {c: Profile.of(raw[c]) for c in raw.columns}
        self.names_used: set = set()
        self.questions = {c: (match_form(c, self.findex) if form else None) for c in raw.columns}
        self.unit_candidates: list = []  # (rank, column): 0 named as a place, 1 long text, 2 few values
        self.location_candidates: list = []  # columns naming a district or an agency
        self.extended: dict = {}  # built-in scales with spellings added: name -> (base, {norm: (value, code)})
        self.positional = False  # some unsur were placed by their number
        self.unmatched: dict = {}  # scale name -> (columns, spellings no level reads)
        self.unit_col = None
        self.unit_clusters = None  # the unit column's spellings as units (units.unit_clusters)
        self.unit_locations: dict = {}  # unit name -> {"district"/"agency": (value or None, comment)}
        self.sector_col = None
        self.sector_scale = None
        self.scheme, self.scheme_note, self.keys = "permenpan14_2017", "", UNSUR_14_2017

    # -- what a column says ---------------------------------------------------------------------
    def text_of(self, col: str) -> str:
        """The column name with its form label and SPSS variable label, for matching words."""
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
            return f'the form\'s question "{short(q.label)}"'
        if self.spss_labels.get(col):
            return f'the SPSS variable label "{short(self.spss_labels[col])}"'
        if " " in col.strip():
            return f'the question text "{short(col)}"'
        return f'the column name "{short(col)}"'

    def last_segment(self, col: str) -> str:
        """The question's own part of a header: ``identitas/umur`` -> ``umur`` (a text header whole)."""
        c = col.strip()
        if " " in c:
            q = self.questions.get(col)
            if q is not None and "/" in c:  # a Kobo labels export: group label / question label
                tail = c.split("/")[-1].strip()
                return tail or c
            return c
        return re.split(r"[/:.]|-(?=[A-Za-z])", c)[-1] if ("/" in c or ":" in c or "-" in c) else c

    def order(self, col) -> int:
        """Position of a column in the export."""
        return list(self.raw.columns).index(col)

    def column(self, col: str) -> Column:
        """The view of ``col`` the recognising rules read."""
        p = self.profiles[col]
        seg = self.last_segment(col)
        return Column(col, p, self.questions.get(col), seg, words(self.text_of(col)), words(seg), p.is_numeric())

    # -- recording guesses ----------------------------------------------------------------------
    def add(self, col, role, fields=None, notes=(), sure=SURE):
        """A codebook entry for ``col`` (the notes become its comments)."""
        self.entries.append(Entry(col, role, dict(fields or {}), [n for n in notes if n], sure,
                                  list(self.raw.columns).index(col) if col in self.raw.columns else -1))
        self.done.add(col)

    def skip(self, col, reason):
        """Leave ``col`` out of the codebook; the reason is listed at its end."""
        self.skipped.append((col, reason))
        self.done.add(col)

    def unique_name(self, name: str) -> str:
        """``name``, or ``name_2``, ``name_3`` ... when an entry already has it."""
        base, i = name, 2
        while name in self.names_used:
            name = f"{base}_{i}"
            i += 1
        self.names_used.add(name)
        return name

    def unique_scale_name(self, name):
        """``name``, or ``name_2`` ... when a drafted or built-in scale already has it."""
        base, i = name, 2
        while name in self.scales or name in BUILTIN_SCALES:
            name = f"{base}_{i}"
            i += 1
        return name
