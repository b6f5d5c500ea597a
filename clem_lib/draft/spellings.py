"""The spellings of one place (a unit, a district, an agency) merged into one name with aliases."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from .common import norm

__all__ = ["cluster_units", "cluster_spellings", "spelling_index"]

_ABBREV = {"pusk": "puskesmas", "pkm": "puskesmas", "kec": "kecamatan", "kel": "kelurahan", "ds": "desa",
           "sdn": "sd negeri", "smpn": "smp negeri", "sman": "sma negeri", "smkn": "smk negeri", "ps": "pasar",
           "n": "negeri", "rsud": "rumah sakit umum daerah", "rs": "rumah sakit", "kab": "kabupaten",
           "disdukcapil": "dukcapil", "dispendukcapil": "dukcapil", "capil": "dukcapil"}
_PHRASES = ((r"\bdinas kependudukan dan pencatatan sipil\b", "dukcapil"),
            (r"\bkependudukan dan pencatatan sipil\b", "dukcapil"))
_TYPE_WORDS = {"kecamatan", "kelurahan", "desa", "puskesmas", "kantor", "dinas", "upt", "uptd", "unit"}

_ACRONYMS = {"sd", "sdn", "smp", "smpn", "sma", "sman", "smk", "smkn", "mi", "min", "mts", "mtsn", "ma", "man",
             "rs", "rsud", "rsu", "upt", "uptd", "kua", "tk", "paud", "pkm", "opd", "dpmptsp", "bpjs"}
_WRITTEN_OUT = {"kec": "Kecamatan", "kel": "Kelurahan", "pusk": "Puskesmas", "pkm": "Puskesmas", "ds": "Desa",
                "disdukcapil": "Disdukcapil", "dispendukcapil": "Dispendukcapil"}


def _unit_key(value: str) -> str:
    found = norm(value).split()
    out = []
    for w in found:
        out.extend(_ABBREV.get(w, w).split())
    key = " ".join(out)
    for rx, rep in _PHRASES:
        key = re.sub(rx, rep, key)
    return key


def _core(key: str) -> tuple[frozenset, str]:
    """(type words, the rest without spaces) of a unit key: "kecamatan pasar kliwon" -> ({kecamatan}, "pasarkliwon")."""
    found = key.split()
    return frozenset(w for w in found if w in _TYPE_WORDS), "".join(w for w in found if w not in _TYPE_WORDS)


def _pretty(choice_name: str) -> str:
    """A unit's name from a Kobo choice name: ``pkm_sibela`` -> ``Puskesmas Sibela``, ``sman_3_x`` -> ``SMAN 3 X``."""
    out = []
    for w in choice_name.split("_"):
        out.append(_WRITTEN_OUT.get(w) or (w.upper() if w in _ACRONYMS else w.capitalize()))
    return " ".join(out)


def _alike(a: str, b: str) -> bool:
    (_ta, ca), (_tb, cb) = _core(a), _core(b)
    if re.findall(r"\d+", a) != re.findall(r"\d+", b) or not ca or not cb:
        return False
    return fuzz.ratio(ca, cb) >= 90


def _group_keys(keys: list) -> list:
    """Normalised keys grouped into places: [[key, ...]], the first key of each group its head."""
    clusters: list[list] = []
    for k in [k for k in keys if _core(k)[0]] + [k for k in keys if not _core(k)[0]]:
        types = _core(k)[0]
        if types:
            hits = [cl for cl in clusters if _core(cl[0])[0] == types and _alike(k, cl[0])]
        else:
            hits = [cl for cl in clusters if _alike(k, cl[0])]
        if len(hits) == 1 or (hits and not types and len({_core(h[0])[0] for h in hits}) == len(hits)
                              and len([h for h in hits if _core(h[0])[0]]) == 1):
            target = hits[0] if len(hits) == 1 else next(h for h in hits if _core(h[0])[0])
            target.append(k)
        else:
            clusters.append([k])
    return clusters


def cluster_units(counts: list) -> list:
    """Group spellings of the same unit: [(canonical, [aliases], total count, merged_by_similarity)].

    Spellings with the same normalised form (abbreviations such as Kec., Pusk. written out) are one
    unit; then forms whose names (without the type word) are at least 90% alike (rapidfuzz) and
    carry the same numbers and type words; then a bare name ("JEBRES") joins the one unit whose
    name it is ("Kecamatan Jebres"), when exactly one unit has it.

    Parameters
    ----------
    counts : list of (str, int)
        Each spelling seen and how many rows carry it.

    Returns
    -------
    list of (str, list of str, int, bool)
        Sorted by normalised name. The name is the most frequent spelling (a Kobo choice name
        such as ``pkm_sibela`` written out: ``Puskesmas Sibela``); merged is true when spellings
        joined by similarity, not only by their normalised form.
    """
    groups: dict[str, list] = {}  # expanded key -> [(value, count)]
    for v, c in counts:
        groups.setdefault(_unit_key(v), []).append((v, c))
    keys = sorted(groups, key=lambda k: (-sum(c for _v, c in groups[k]), k))
    out = []
    for cl in _group_keys(keys):
        spellings: dict[str, int] = {}
        for k in cl:
            for v, c in groups[k]:
                v = " ".join(v.split())
                spellings[v] = spellings.get(v, 0) + c
        total = sum(spellings.values())
        forms: dict[str, list] = {}  # normalised form -> its spellings (case variants are one form)
        for v in spellings:
            forms.setdefault(norm(v), []).append(v)
        rep = {f: sorted(vs, key=lambda v: (v.isupper() or v.islower(), -spellings[v], v))[0]
               for f, vs in forms.items()}
        best = sorted(forms, key=lambda f: (-sum(spellings[v] for v in forms[f]), "." in rep[f], f))[0]
        canon = rep[best]
        if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", canon):  # a Kobo/ODK choice name: written out
            spellings.setdefault(_pretty(canon), 0)
            canon = _pretty(canon)
        aliases = [rep[f] for f in sorted(forms, key=lambda f: (-sum(spellings[v] for v in forms[f]), f))
                   if f != norm(canon) and f in rep]
        merged = len(cl) > 1 and any(_core(k)[1] != _core(cl[0])[1] for k in cl)
        out.append((canon, aliases, total, merged))
    return sorted(out, key=lambda t: (norm(t[0]), t[0]))


def cluster_spellings(counts: list, listed=()) -> list:
    """Like :func:`cluster_units`, the choices of a form's list first.

    Each choice of ``listed`` [(name, label)] is one place named by its label, its choice name an
    alias; spellings the list does not have are clustered.
    """
    if not listed:
        return cluster_units(counts)
    by_norm = {}
    for n, lab in listed:
        by_norm[norm(n)] = lab
        by_norm[norm(lab)] = lab
    totals = {lab: 0 for _n, lab in listed}
    rest = []
    for v, c in counts:
        if norm(v) in by_norm:
            totals[by_norm[norm(v)]] += c
        else:
            rest.append((v, c))
    clusters = [(lab, [n] if norm(n) != norm(lab) else [], totals[lab], False) for n, lab in listed]
    clusters += cluster_units(rest)
    clusters.sort(key=lambda t: (norm(t[0]), t[0]))
    return clusters


def spelling_index(clusters: list) -> dict:
    """Normalised spelling -> the name of its place, for clusters as :func:`cluster_spellings` gives them."""
    out = {}
    for canon, aliases, _t, _m in clusters:
        for s in [canon, *aliases]:
            out[norm(s)] = canon
    return out
