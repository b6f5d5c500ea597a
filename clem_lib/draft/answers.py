"""Answer scales: which built-in scale reads a column's answers, or a drafted one when none does."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from ..scales import BUILTIN_SCALES, SKM_UNSUR_SCALES
from .common import CHECK, LIKELY, NUMBER_RE, SURE, norm, pct, short, slug_name, snake
from .export import int14
from .state import DraftState

__all__ = ["Lookup", "BUILTIN", "ORDINAL_CANDIDATES", "MISSING_WORDS", "intensity", "pick_scale",
           "intensity_scale", "finish_scales"]

#: "don't know" and "no answer" spellings every drafted ordinal scale reads as missing
MISSING_WORDS = ["Tidak tahu", "TT", "Tdk tahu", "Tidak menjawab", "TJ", "98", "99"]


@dataclass(frozen=True)
class Lookup:
    """A scale as lookups of normalised spellings."""

    name: str
    kind: str
    codes: dict  # normalised spelling -> code
    labels: dict  # normalised official label (not the code) -> code
    missing: frozenset


def _lookup_of(name: str, spec: dict) -> Lookup:
    codes, labels = {}, {}
    for lev in spec["levels"]:
        code = lev["code"]
        for sp in [lev.get("id"), lev.get("en"), *(lev.get("values") or []), *(lev.get("aliases") or [])]:
            if sp is not None and norm(sp):
                codes[norm(sp)] = code
                labels[norm(sp)] = code
        codes[norm(str(code).lower() if isinstance(code, bool) else str(code))] = code
    missing = frozenset(norm(m) for m in spec.get("missing") or [])
    return Lookup(name, spec.get("kind", "ordinal"), codes, labels, missing)


#: every built-in scale as a :class:`Lookup`, by name
BUILTIN = {name: _lookup_of(name, spec) for name, spec in BUILTIN_SCALES.items()}
#: the built-in scales an unsur answered in words may be on
ORDINAL_CANDIDATES = ("skm_kepuasan4", "skm_baik4") + tuple(SKM_UNSUR_SCALES.values())


def intensity(label: str):
    """1-4 from the words of an answer label (tidak 1, kurang 2, plain 3, sangat 4); None if unsure."""
    t = norm(label)
    if not t or NUMBER_RE.match(t):
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


def _place_spelling(value: str, best: str, own: str | None):
    """The code of an answer spelling the chosen built-in scale lacks, from other built-in scales or by similarity."""
    t = norm(value)
    for other in [own, best, "skm_kepuasan4", "skm_baik4", *SKM_UNSUR_SCALES.values()]:
        if other and t in BUILTIN[other].labels:
            code = BUILTIN[other].labels[t]
            return code if code in set(BUILTIN[best].codes.values()) else None
    lk = BUILTIN[best]
    hits = process.extract(t, sorted(lk.labels), scorer=fuzz.ratio, limit=5, score_cutoff=80)
    if not hits:
        return None
    top = hits[0]
    rivals = [h for h in hits[1:] if lk.labels[h[0]] != lk.labels[top[0]]]
    if rivals and rivals[0][1] > top[1] - 5:
        return None
    return lk.labels[top[0]]


def pick_scale(st: DraftState, col, own, candidates) -> tuple[str, str, str]:
    """(scale name, comment, sureness) for an ordinal 1-4 column.

    In turn: the form's choice list; the numbers 1-4; the labels of a built-in scale (``own``
    first, then ``candidates``), with other spellings placed as aliases; SPSS value labels;
    a scale drafted from the answers' words.
    """
    p = st.profiles[col]
    q = st.questions.get(col)
    if q is not None and q.type == "select_one" and q.list_name in st.form.choices:
        got = _scale_from_list(st, col, q.list_name, st.form.choices[q.list_name], own, candidates,
                               f"the form's list '{q.list_name}'")
        if got:
            return got
    ok, outside = int14(p)
    if ok:
        return _numbers_scale(st, col, own, candidates, outside)
    got = _builtin_labels_scale(st, col, own, candidates)
    if got:
        return got
    vals = st.spss_values.get(col)
    if vals:
        listed = [(str(int(k)) if float(k) == int(k) else str(k), str(v)) for k, v in sorted(vals.items())]
        got = _scale_from_list(st, col, f"spss_{snake(col, 30)}", listed, own, candidates,
                               "the SPSS value labels")
        if got:
            return got
    drafted = intensity_scale(st, col)
    name = st.unique_scale_name(f"draft_{snake(st.last_segment(col), 30)}")
    if drafted is None:
        levels = [{"code": i + 1, "id": v, "en": v} for i, (v, _c) in enumerate(p.counts[:4])]
        drafted = {"kind": "ordinal", "levels": sorted(levels, key=lambda lev: lev["code"]),
                   "missing": list(MISSING_WORDS)}
    st.scales[name] = (drafted, f"drafted from the answers of '{short(col, 60)}': the order of the levels "
                       "was guessed from the words (sangat/tidak/kurang) (check)")
    st.todo.append(f"scale {name} was drafted from the answers of '{short(col, 60)}': check its order")
    return name, f"answers match no built-in scale: scale {name} drafted from them (check)", CHECK


def _numbers_scale(st: DraftState, col, own, candidates, outside) -> tuple[str, str, str]:
    """A column answered with the numbers 1-4 (``outside``: the other numbers seen, which become missing)."""
    default = own or ("skm_kepentingan4" if "skm_kepentingan4" in candidates else "skm_kepuasan4")
    vals = st.spss_values.get(col)
    note = "answers are the numbers 1-4"
    if vals:
        note += " (SPSS values without labels)"
    dont_know = set(outside) <= {0, 8, 9, 98, 99}
    if outside:
        note += (f"; {', '.join(map(str, outside))} outside 1-4 become missing"
                 + (" (a don't-know code?)" if dont_know else ""))
        st.todo.append(f"column '{short(col, 60)}' has values {', '.join(map(str, outside))} outside 1-4 "
                       "(cleaned to missing): check the coding")
    sure = SURE if not outside else LIKELY if dont_know else CHECK
    return default, f"{note}: built-in scale {default} reads the codes ({sure})", sure


def _builtin_labels_scale(st: DraftState, col, own, candidates):
    """The built-in scale whose labels read at least 80% of the answers (with other spellings placed), or None."""
    p = st.profiles[col]
    best, best_share = None, -1.0
    order = ([own] if own else []) + [c for c in candidates if c != own]
    for name in order:
        sh = p.scale_share(BUILTIN[name])
        if sh > best_share + 1e-9:
            best, best_share = name, sh
    if best is None or best_share < 0.8:
        return None
    lk = BUILTIN[best]
    unmatched = [v for v, _c in p.counts if norm(v) not in lk.codes and norm(v) not in lk.missing]
    placed, left = {}, []
    for v in unmatched:
        code = None if NUMBER_RE.match(v) else _place_spelling(v, best, own)
        if code is None:
            left.append(v)
        else:
            placed[v] = code
    name = _extend_scale(st, best, placed, col) if placed else best
    sure = SURE if best_share >= 0.98 and not placed else LIKELY
    what = "the official labels of this unsur" if best == own else "the labels of a built-in scale"
    note = f"answers: {what} ({best}, {pct(best_share)} of {p.n} answers match"
    if placed:
        note += ("; other spellings seen added as aliases in scale " + name + ": "
                 + ", ".join(f"{json.dumps(v, ensure_ascii=False)} = {c}" for v, c in list(placed.items())[:6])
                 + (" ..." if len(placed) > 6 else ""))
    if left:
        note += f"; left unmatched: {', '.join(json.dumps(u, ensure_ascii=False) for u in left[:5])}"
    note += f") ({sure})"
    found = [v for v in left if not NUMBER_RE.match(v)]
    if found:
        cols, spell = st.unmatched.setdefault(name, ([], []))
        cols.append(col)
        spell.extend(v for v in found if v not in spell)
    return name, note, sure


def _extend_scale(st: DraftState, base: str, placed: dict, col: str) -> str:
    """A copy of built-in ``base`` with extra aliases (shared by the columns it fits)."""
    name = f"{base}_plus"
    extra = st.extended.setdefault(name, (base, {}))[1]
    if any(extra.get(norm(v), (v, c))[1] != c for v, c in placed.items()):
        name = st.unique_scale_name(f"{base}_{snake(st.last_segment(col), 20)}")
        extra = st.extended.setdefault(name, (base, {}))[1]
    for v, c in placed.items():
        extra.setdefault(norm(v), (v, c))
    return name


def finish_scales(st: DraftState) -> None:
    """Write out the extended built-in scales, and a to-do for answers no scale reads."""
    for name, (cols, spell) in sorted(st.unmatched.items()):
        st.todo.append(f"{len(cols)} column(s) on scale {name} have answers matching no label, which become "
                       f"missing: {', '.join(repr(v) for v in spell[:5])}{' ...' if len(spell) > 5 else ''}; "
                       "add them as aliases if they are real answers")
    for name in sorted(st.extended):
        base, extra = st.extended[name]
        spec = copy.deepcopy(BUILTIN_SCALES[base])
        for _k, (v, c) in sorted(extra.items(), key=lambda kv: (kv[1][1], kv[0])):
            for lev in spec["levels"]:
                if lev["code"] == c:
                    lev.setdefault("aliases", []).append(v)
        shown = ", ".join(f"{json.dumps(v, ensure_ascii=False)} = {c}" for _k, (v, c) in sorted(extra.items()))
        st.scales[name] = (spec, f"built-in scale {base} plus spellings seen in the export, placed by the "
                                 f"labels of other built-in scales or by similarity: {short(shown, 300)} "
                                 "(likely)")


def _scale_from_list(st: DraftState, col, list_name, listed, own, candidates, src):
    """A scale for answers coded with a choice list [(name, label)] (XLSForm or SPSS value labels)."""
    p = st.profiles[col]
    order = ([own] if own else []) + [c for c in candidates if c != own]
    for name in order:
        lk = BUILTIN[name]
        codes = {}
        for n, lab in listed:
            c = lk.labels.get(norm(lab))
            if c is None and norm(lab) in lk.missing:
                continue
            codes[n] = c
        if not codes or any(c is None for c in codes.values()):
            continue
        # each choice name must read as the label's code (a name "4" is always code 4)
        consistent = all(lk.codes.get(norm(n), c) == c for n, c in codes.items())
        if consistent and p.scale_share(lk) >= 0.8:
            return name, (f"answers coded with {src}, whose labels are those of built-in scale {name} "
                          "(sure)"), SURE
    spec, how = _list_scale_spec(listed)
    if spec is None:
        return None
    name = st.unique_scale_name(slug_name(list_name)[:40])
    st.scales[name] = (spec, f"drafted from {src}: {how}; its labels match no built-in scale (check)")
    st.todo.append(f"scale {name} was drafted from {src}: check which label is 1 (worst) and 4 (best)")
    return name, f"answers coded with {src}: drafted scale {name} (check)", CHECK


def _list_scale_spec(listed) -> tuple:
    """(scale specification, how its codes were found) drafted from a choice list; (None, "") when it is ambiguous.

    Codes are the choice names when they are numbers, else from the words of the labels, else
    the order of the list.
    """
    levels, missing = [], []
    numeric = all(re.fullmatch(r"\d+", n) for n, _l in listed)
    for n, lab in listed:
        if norm(lab) in BUILTIN["skm_kepuasan4"].missing:
            missing.append(n)
            if lab != n:
                missing.append(lab)
            continue
        code = int(n) if numeric else None
        levels.append([code, n, lab])
    if not levels:
        return None, ""
    if not numeric:
        ranked = [intensity(lab) for _c, _n, lab in levels]
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
        return None, ""
    spec_levels = []
    for code, n, lab in levels:
        lev = {"code": code, "id": lab, "en": lab}
        if norm(n) != norm(lab) and not (numeric and str(code) == n):
            lev["aliases"] = [n]
        spec_levels.append(lev)
    spec = {"kind": "ordinal", "levels": spec_levels, "missing": missing + [m for m in MISSING_WORDS
                                                                           if m not in missing]}
    # no spelling may mean two codes
    seen = {}
    for lev in spec_levels:
        for sp in [lev["id"], str(lev["code"]), *(lev.get("aliases") or [])]:
            if seen.setdefault(norm(sp), lev["code"]) != lev["code"]:
                return None, ""
    spec["missing"] = [m for m in spec["missing"] if norm(m) not in seen]
    return spec, how


def intensity_scale(st: DraftState, col):
    """An ordinal scale drafted from the words of a column's answers (tidak/kurang/plain/sangat), or None."""
    p = st.profiles[col]
    labels = [(v, c) for v, c in p.counts if norm(v) not in BUILTIN["skm_kepuasan4"].missing]
    if not 2 <= len(labels) <= 8 or p.is_numeric():
        return None
    by_code: dict[int, list] = {}
    for v, c in labels:
        r = intensity(v)
        if r is None:
            return None
        by_code.setdefault(r, []).append(v)
    if len(by_code) < 3:
        return None
    levels = []
    for code in sorted(by_code):
        vs = by_code[code]
        lev = {"code": code, "id": vs[0], "en": vs[0]}
        extra = [v for v in vs[1:] if norm(v) != norm(vs[0])]
        if extra:
            lev["aliases"] = extra
        levels.append(lev)
    return {"kind": "ordinal", "levels": levels, "missing": list(MISSING_WORDS)}
