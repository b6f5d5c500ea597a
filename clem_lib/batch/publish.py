"""The run's last step: ``index.html`` with each report's headline figures, then the final manifest.

``index.html`` is removed when the notebooks start and written again here:
its absence marks an unfinished run. When the units file names districts or
agencies, the index groups the units under them (:func:`index_levels`).
"""

from __future__ import annotations

import pandas as pd

from ..htmlout import render_index_html
from ..io import write_text_atomic
from ..results import read_results
from ..scoring import ikm_grade
from .levels import Location
from .manifest import PARTS, clem_version
from .plan import Plan

__all__ = ["headline_figures", "location_figures", "index_levels", "write_index"]

_METRIC_IKM = ("ikm",)
_METRIC_ACCESS = ("pct_not_friendly",)
_METRIC_COMPLIANCE = ("compliance", "compliance_index")
_OVERALL_GROUPS = ("", "all", "overall", "total", "semua")
_FIGURES = ("n", "ikm", "ikm_low", "ikm_high", "grade", "access", "gaps", "compliance")


def _pick(rows, overall, metrics, round: int):
    """The row of one of ``metrics`` for the whole unit; for a figure given per round only (e.g.
    the checklist: group ``round=2``), the round reported, or the latest one. None without one."""
    hit = overall[overall["metric"].astype(str).isin(metrics)]
    if not hit.empty:
        return hit.iloc[0]
    by_round = rows[rows["metric"].astype(str).isin(metrics)
                    & rows["group"].fillna("").astype(str).str.fullmatch(r"round=\d+")]
    if by_round.empty:
        return None
    numbers = by_round["group"].astype(str).str.slice(6).astype(int)
    want = int(round) if round else int(numbers.max())
    hit = by_round[numbers.to_numpy() == want]
    return None if hit.empty else hit.iloc[0]


def _value(row, col):
    if row is None:
        return None
    v = row[col]
    return None if pd.isna(v) else float(v)


def headline_figures(results, unit: str, *, alpha: float = 0.05, scheme="permenpan14_2017",
                     lang: str = "id", round: int = 0) -> dict:
    """The figures ``index.html`` shows for one unit, read from its results rows.

    Parameters
    ----------
    results : DataFrame
        Rows with the ``results.csv`` columns (numbers as numbers).
    unit : str
        Canonical unit name; only rows with this ``unit`` are used.
    alpha : float
        Significance level for counting gaps.
    scheme : str or mapping
        IKM scheme for the grade (:func:`clem_lib.ikm_grade`).
    lang : {"id", "en"}
    round : int
        Round reported (0 = latest); used for figures the notebook gives per
        round only (``group == "round=2"``) instead of for the whole unit.

    Returns
    -------
    dict
        ``n``, ``ikm``, ``ikm_low``, ``ikm_high`` (metric ``ikm``, whole unit),
        ``grade`` (``"B (Baik)"``), ``access`` (metric ``pct_not_friendly``, a
        percentage 0..100), ``gaps`` (number of rows whose metric starts with
        ``gap`` and whose adjusted p-value, or p-value when no adjustment is
        given, is below ``alpha``), ``compliance`` (metric ``compliance``,
        0..100). ``None`` where the notebook wrote no such row.
    """
    rows = results[results["unit"].astype(str) == unit]
    overall = rows[rows["group"].fillna("").astype(str).str.strip().str.casefold().isin(_OVERALL_GROUPS)]
    ikm_row = _pick(rows, overall, _METRIC_IKM, round)
    ikm = _value(ikm_row, "estimate")
    gap_rows = rows[rows["metric"].astype(str).str.startswith("gap")]
    p = gap_rows["p_adjusted"].where(gap_rows["p_adjusted"].notna(), gap_rows["p_value"])
    gaps = int((pd.to_numeric(p, errors="coerce") < alpha).sum()) if len(gap_rows) else (
        0 if len(rows) else None)
    return {
        "n": _value(ikm_row, "n"),
        "ikm": ikm,
        "ikm_low": _value(ikm_row, "ci_low"),
        "ikm_high": _value(ikm_row, "ci_high"),
        "grade": ikm_grade(ikm, scheme, lang=lang) if ikm is not None else None,
        "access": _value(_pick(rows, overall, _METRIC_ACCESS, round), "estimate"),
        "gaps": gaps,
        "compliance": _value(_pick(rows, overall, _METRIC_COMPLIANCE, round), "estimate"),
    }


def location_figures(results, name: str, level: str, *, alpha: float = 0.05, scheme="permenpan14_2017",
                     lang: str = "id", round: int = 0) -> dict:
    """The figures ``index.html`` shows for a district or agency, read from its report's rows.

    A location's rows name it in ``unit`` and their ``group`` starts with
    ``level=<level>`` (``level=district; design-based``, ``level=district;
    unit vs rest of district``, ...). The figures of the location as a whole
    are the design-based ones, else the unweighted ones, else those of group
    ``level=<level>`` alone; rows of the other weighting are not counted as
    gaps. Returns what :func:`headline_figures` returns.
    """
    prefix = f"level={level}"
    group = results["group"].fillna("").astype(str)
    rows = results[(results["unit"].astype(str) == name) & (group.eq(prefix) | group.str.startswith(prefix + ";"))]
    rest = rows["group"].fillna("").astype(str).str.slice(len(prefix)).str.lstrip(";").str.strip()
    whole = next((w for w in ("design-based", "unweighted") if rest.eq(w).any()), "")
    if whole == "design-based":
        keep = ~(rest.eq("unweighted") | rest.str.endswith("; unweighted"))
        rows, rest = rows[keep], rest[keep]
    rows = rows.assign(group=rest.mask(rest.eq(whole), ""))
    return headline_figures(rows, name, alpha=alpha, scheme=scheme, lang=lang, round=round)


def _own_rows(plan: Plan, entry: dict):
    """The rows a finished report wrote itself (None when it did not finish well)."""
    part = plan.settings.out_dir / PARTS / f"{entry['slug']}.results.csv"
    if entry["status"] != "ok" or not part.is_file():
        return None
    return read_results([part.read_text(encoding="utf-8")])


def _index_rows(plan: Plan, units: list) -> tuple[list, bool]:
    """One row per unit (its entry and headline figures), and whether the survey asked about
    facilities for special groups (a unit's report has the rows)."""
    params = plan.settings.params
    rows, asked_access = [], False
    for e in units:
        figures = {}
        # the figures of the unit's own report (the city overview also writes rows that
        # name a unit, e.g. "unit vs rest of city"; they are in results.csv, not here)
        own = _own_rows(plan, e)
        if own is not None:
            asked_access = asked_access or bool((own["metric"] == "pct_not_friendly").any())
            figures = headline_figures(own, e["unit"], alpha=float(params["alpha"]), scheme=plan.scheme,
                                       lang=params["lang"], round=int(params["round"]))
        rows.append({**{k: None for k in _FIGURES}, **figures, **e})
    return rows, asked_access


def _location_rows(plan: Plan, places: list) -> list:
    """One row per district or agency report of the run: its entry and headline figures."""
    params = plan.settings.params
    rows = []
    for e in places:
        own = _own_rows(plan, e)
        figures = {} if own is None else location_figures(
            own, e["name"], e["level"], alpha=float(params["alpha"]), scheme=plan.scheme, lang=params["lang"],
            round=int(params["round"]))
        rows.append({**{k: None for k in _FIGURES}, **figures, **e})
    return rows


def _placeholder(plan: Plan, place: Location) -> dict:
    """A location with a report that is not part of this run: its name, no figures, no link."""
    return {**{k: None for k in _FIGURES}, "level": place.level, "name": place.name, "slug": place.slug,
            "label": place.label, "units": list(place.units), "status": None, "error": None, "report": None,
            "sector": ", ".join(sorted(set().union(*(plan.info[u]["sectors"] for u in place.units))))}


def index_levels(plan: Plan, unit_rows: list, location_rows: list) -> list:
    """The index's sections, one per level the units file names (districts, then agencies).

    Each is ``{"level", "groups", "single", "other"}``: ``groups`` the locations
    with a report (two units or more with answers), each its row with
    ``rows``, its units' rows in units-file order; ``single`` the unit rows of
    locations with one unit (``place``: the location's name); ``other`` the
    unit rows of units in no location of that level. A level with none of these has no section;
    there are none without a hierarchy.
    """
    by_unit = {r["unit"]: r for r in unit_rows}
    by_slug = {r["slug"]: r for r in location_rows}
    sections = []
    for level in ("district", "agency"):
        places = [p for p in plan.places if p.level == level]
        if not places:
            continue
        groups, single, placed = [], [], set()
        for p in places:
            rows = [by_unit[u] for u in p.units if u in by_unit]
            placed.update(p.units)
            if p.reportable and (rows or p.slug in by_slug):
                groups.append({**by_slug.get(p.slug, _placeholder(plan, p)), "rows": rows})
            elif not p.reportable:
                single.extend({**r, "place": p.name} for r in rows)
        other = [r for r in unit_rows if r["unit"] not in placed]
        if groups or single or other:
            sections.append({"level": level, "groups": groups, "single": single, "other": other})
    return sections


def write_index(plan: Plan, units: list, city: dict | None, locations: list = ()) -> None:
    """``index.html``: every unit with its headline figures and report link, grouped under its
    district and agency when the units file names them, and the city overview."""
    params = plan.settings.params
    rows, asked_access = _index_rows(plan, units)
    place_rows = _location_rows(plan, list(locations))
    # columns of parts the survey did not ask (no facilities question, no checklist) are left out
    shown = [c for c, asked in (("access", asked_access or not any(e["status"] == "ok" for e in units)),
                                ("compliance", plan.settings.has_checklist))
             if asked]
    page = render_index_html(rows, survey_name=plan.survey_name, lang=params["lang"],
                             round=int(params["round"]), alpha=float(params["alpha"]), city=city,
                             version=clem_version(), columns=shown, levels=index_levels(plan, rows, place_rows))
    write_text_atomic(plan.settings.out_dir / "index.html", page)
