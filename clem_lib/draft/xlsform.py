"""A KoboToolbox / ODK XLSForm: its questions, choice lists and settings, and which export column is which question."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ClemInputError

__all__ = ["FormQuestion", "XLSForm", "read_xlsform", "form_index", "match_form"]


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
        li, lang = _label_column(head)
        questions = _questions(head, rows, li)
        choices = _choices(book)
        title, form_id = _settings(book)
    finally:
        book.close()
    return XLSForm(questions, choices, title, form_id, lang)


def _questions(head: list, rows: list, li: int | None) -> list:
    """The questions of the survey sheet, with the groups around each (label column ``li``)."""
    col = {h.lower(): i for i, h in enumerate(head)}
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
    return questions


def _choices(book) -> dict:
    """The choices sheet: list name -> [(name, label)] in form order."""
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
    return choices


def _settings(book) -> tuple[str | None, str | None]:
    """``form_title`` and ``form_id`` of the settings sheet."""
    title = form_id = None
    shead, srows = _sheet_rows(book, "settings")
    if shead and srows:
        scol = {h.lower(): i for i, h in enumerate(shead)}
        first = srows[0]
        if "form_title" in scol and scol["form_title"] < len(first):
            title = first[scol["form_title"]] or None
        if "form_id" in scol and scol["form_id"] < len(first):
            form_id = first[scol["form_id"]] or None
    return title, form_id


def form_index(form: XLSForm) -> dict:
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


def match_form(col: str, idx: dict):
    """The one question an export column answers (``idx`` from :func:`form_index`), None if none or unsure."""
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
