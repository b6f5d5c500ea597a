"""Special groups (disability, elderly, pregnant, with a child): select-multiple columns and their choices."""

from __future__ import annotations

import json
import re

from .common import CHECK, SURE, norm, words
from .state import DraftState, Entry
from .xlsform import match_form

__all__ = ["FLAG_WORDS", "NONE_WORDS", "flag_of", "pass_select_multiple", "is_multi_column", "add_multi"]

#: special-group flag -> words of a choice or question naming it
FLAG_WORDS = (
    ("disability", r"disab|difabel|cacat|tuna|berkebutuhan|kursi roda|disability"),
    ("elderly", r"lansia|lanjut usia|manula|elderly|older"),
    ("pregnant", r"hamil|pregnant"),
    ("with_child", r"\banak\b|balita|bayi|child|menggendong|membawa anak"),
)
#: a choice meaning "none of these"
NONE_WORDS = r"^(tidak ada|tidak|bukan|none|tidak termasuk|umum|tdk ada|tidak satupun|no)\b"


def flag_of(choice: str) -> tuple:
    """(flag or None, sure) for a special-group choice name or label."""
    t = norm(choice)
    if re.search(NONE_WORDS, t):
        return None, True
    for flag, rx in FLAG_WORDS:
        if re.search(rx, t):
            return flag, True
    return None, False


def pass_select_multiple(st: DraftState, cols) -> None:
    """Special groups as Kobo's 0/1 columns per choice (``<parent>/<choice>``) or as one joined column."""
    present = set(cols)
    # Kobo split columns: <parent>/<choice> holding 0/1
    children: dict[str, list] = {}
    for col in cols:
        if col in st.done or "/" not in col:
            continue
        parent, choice = col.rsplit("/", 1)
        p = st.profiles[col]
        if p.n and p.share(lambda v: v in ("0", "1", "True", "False", "true", "false")) == 1.0:
            children.setdefault(parent, []).append((col, choice))
    for parent in sorted(children):
        _add_split(st, parent, children[parent], present)
    for col in cols:
        if col in st.done:
            continue
        if is_multi_column(st, col):
            add_multi(st, col)


def _add_split(st: DraftState, parent: str, kids: list, present: set) -> None:
    """One special_groups entry read from the 0/1 columns ``kids`` [(column, choice)] under ``parent``."""
    q_parent = match_form(parent, st.findex) if st.form else None
    is_multi = q_parent is not None and q_parent.type == "select_multiple"
    joined = parent in present and (is_multi or len(kids) >= 2 or is_multi_column(st, parent))
    if parent in present and not joined:
        return
    # with the joined column present too, the 0/1 columns are read (cleaning prefers them):
    # joined labels holding spaces cannot be split, the per-choice columns are unambiguous
    flags = {ch: flag_of(ch) for _, ch in kids}
    if not (is_multi or (len(kids) >= 2 and any(f for f, _s in flags.values())) or
            (len(kids) >= 2 and re.search(r"kelompok|khusus|rentan", words(parent)))):
        return
    choices = {ch: f for ch, (f, _s) in flags.items()}
    unsure = [ch for ch, (_f, s) in flags.items() if not s]
    sure = CHECK if unsure else SURE
    note = (f"special groups: one 0/1 column per choice under '{parent}/' "
            f"({', '.join(ch for _, ch in kids)}); choices mapped from their names ("
            + (f"check {', '.join(unsure)}" if unsure else "sure") + ")")
    entry = {"choices": choices, "blank": _blank_rule(choices, q_parent)}
    for col, _ in kids:
        st.done.add(col)
    if joined:
        st.skip(parent, f"the same answers as the 0/1 columns '{parent}/…' (read from those)")
    st.entries.append(Entry(parent, "special_groups", entry, [note], sure,
                            list(st.raw.columns).index(kids[0][0])))


def is_multi_column(st: DraftState, col) -> bool:
    """Whether one column holds special groups ticked together (a select_multiple, or joined answers naming them)."""
    q = st.questions.get(col)
    if q is not None:
        if q.type == "select_multiple":
            return any(flag_of(lab)[0] or flag_of(n)[0] for n, lab in st.form.choices.get(q.list_name, []))
        return False
    p = st.profiles[col]
    if not p.n or p.is_numeric():
        return False
    sep = _multi_separator(st, col)
    tokens = _tokens(st, col, sep)
    flagged = sum(c for t, c in tokens.items() if flag_of(t)[0])
    total = sum(tokens.values())
    named = re.search(r"kelompok (khusus|rentan)|berkebutuhan|kebutuhan khusus|special group", words(st.text_of(col)))
    return bool(total) and ((flagged / total >= 0.3 and len(tokens) >= 2) or (named and len(tokens) >= 2))


def _multi_separator(st: DraftState, col) -> str:
    q = st.questions.get(col)
    if q is not None and q.type == "select_multiple":
        return " "
    p = st.profiles[col]
    if any(", " in v for v, _c in p.counts):
        return ", "
    if any(re.search(r"[A-Z]", v) for v, _c in p.counts) and not any("_" in v for v, _c in p.counts):
        return ", "
    return " "


def _tokens(st: DraftState, col, sep) -> dict:
    out: dict[str, int] = {}
    for v, c in st.profiles[col].counts:
        parts = v.split(", ") if sep == ", " else v.split()
        for t in parts:
            t = t.strip()
            if t:
                out[t] = out.get(t, 0) + c
    return out


def _blank_rule(choices, q) -> str:
    if q is not None and q.relevant:
        return "missing"
    return "missing" if any(v is None for v in choices.values()) else "none"


def add_multi(st: DraftState, col) -> None:
    """The special_groups entry of a column of ticked groups, its choices from the form's list or the answers."""
    q = st.questions.get(col)
    sep = _multi_separator(st, col)
    if q is not None and q.list_name in st.form.choices:
        listed = st.form.choices[q.list_name]
        choices, unsure = {}, []
        for name, lab in listed:
            f, s = flag_of(lab)
            if not s:
                f, s = flag_of(name)
            choices[name] = f
            if not s:
                unsure.append(name)
        src = f"the form's list '{q.list_name}'"
    else:
        toks = _tokens(st, col, sep)
        choices, unsure = {}, []
        for t in sorted(toks, key=lambda t: (-toks[t], t)):
            f, s = flag_of(t)
            key = t if sep == " " else " ".join(t.split())
            if key in choices:
                continue
            choices[key] = f
            if not s:
                unsure.append(key)
        src = "the answers seen"
    shape = ("Google Forms checkboxes (labels joined by \", \")" if sep == ", "
             else "Kobo select_multiple (choice names separated by spaces)")
    blank = _blank_rule(choices, q)
    fields = {"choices": choices}
    if sep != " ":
        fields["separator"] = sep
    fields["blank"] = blank
    blank_note = ("a blank cell counts as not answered: a 'none' choice exists" if blank == "missing"
                  and not (q is not None and q.relevant) else
                  "a blank cell counts as not answered: the question has a relevant condition"
                  if blank == "missing" else "a blank cell counts as nothing ticked")
    notes = [f"special groups from {st.shown(col)}: {shape}; choices from {src} ("
             + (f"check {', '.join(json.dumps(u, ensure_ascii=False) for u in unsure)}" if unsure else "sure")
             + f"); {blank_note} (likely)"]
    st.add(col, "special_groups", fields, notes, CHECK if unsure else SURE)
