"""What a run will do, decided before anything is written.

:func:`run_settings` resolves the folders, files and report parameters (the
previous run's on ``--retry-failed``); :func:`make_plan` reads the units with
answers, picks the units, districts and agencies to report
(:mod:`clem_lib.batch.levels`) and, on a retry, the ones to run again;
:func:`notebook_tasks` turns the plan into one :class:`NotebookTask` per
notebook, with the parameters of :func:`notebook_parameters` and
:func:`location_parameters`. Any problem is a
:class:`~clem_lib.errors.ClemInputError`, raised while the output folder is
still untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..codebook import RESERVED_SLUGS, load_units
from ..codebook.names import SLUG_RE
from ..complaints import load_holidays
from ..errors import ClemInputError
from ..paths import NOTEBOOKS_DIR, UNITS_FILE
from ..report import ReportParams, resolve_unit
from .execute import NotebookTask
from .inputs import NOTEBOOKS, check_input_file, check_notebooks, path_parameter
from .levels import (RUN_LEVELS, Location, Selection, check_levels, check_location_slugs, data_locations,
                     parse_levels, select_reports, units_lookup_table)
from .manifest import CITY_KEY, PARTS, read_outcome, relative

__all__ = [
    "REPORT_DEFAULTS",
    "check_options",
    "run_parameters",
    "Settings",
    "run_settings",
    "unit_columns",
    "resolve_units",
    "Plan",
    "make_plan",
    "notebook_parameters",
    "report_params",
    "location_parameters",
    "notebook_tasks",
]

REPORT_DEFAULTS = {k: getattr(ReportParams, k) for k in ("lang", "round", "alpha", "min_n", "seed", "city_weights",
                                                         "complaint_standard_days")}
"""The report parameters a run uses when none is given (and the previous run recorded none)."""

_CITY_TITLE = {"id": "Ringkasan kota", "en": "City overview"}


# ---------------------------------------------------------------------------
# Parameters and settings
# ---------------------------------------------------------------------------


def check_options(*, lang=None, jobs=None, round=None, city_weights=None, complaint_standard_days=None,
                  levels=None) -> None:
    """The options given (None: not given) are ones a run can take; a one-line error otherwise."""
    parse_levels(levels)
    if lang is not None and lang not in ("id", "en"):
        raise ClemInputError(f"unknown language {lang!r}", fix="use --lang id or --lang en")
    if jobs is not None and int(jobs) < 1:
        raise ClemInputError(f"--jobs {jobs} is not a positive number", fix="use e.g. --jobs 4")
    if round is not None and int(round) < 0:
        raise ClemInputError(f"--round {round} is negative", fix="use 0 for the latest round, or 1, 2, ...")
    if city_weights is not None and city_weights not in ("design", "none"):
        raise ClemInputError(f"unknown city weights {city_weights!r}",
                             fix="use --city-weights design (the default) or --city-weights none")
    std = complaint_standard_days
    if std is not None and (isinstance(std, bool) or not isinstance(std, (int, float)) or std < 0
                            or std != int(std)):
        raise ClemInputError(f"--complaint-standard-days {std!r} is not a whole number of working days",
                             fix="give e.g. --complaint-standard-days 5")


def run_parameters(given: Mapping, previous: dict | None) -> dict:
    """The report parameters of a run: given, else the previous run's on a retry, else the default.

    ``given`` maps the names of :data:`REPORT_DEFAULTS` to a value or None.
    On a retry a given value must be the previous run's.
    """
    recorded = (previous or {}).get("parameters", {})
    params = {}
    for k, v in given.items():
        if previous is not None and k in recorded:
            if v is not None and v != recorded[k]:
                raise ClemInputError(
                    f"--retry-failed: {k}={v!r} differs from the previous run ({recorded[k]!r})",
                    fix=f"leave out {k} to reuse the previous value, or run without --retry-failed")
            params[k] = recorded[k]
        else:
            params[k] = REPORT_DEFAULTS[k] if v is None else v
    params["complaint_standard_days"] = int(params["complaint_standard_days"])
    return params


@dataclass(frozen=True)
class Settings:
    """A run's folders, files and report parameters, resolved and checked.

    Attributes
    ----------
    out_dir : Path
    previous : dict or None
        The previous run's manifest on ``--retry-failed``.
    notebooks_dir, units_path : Path
    checklist_path, complaints_path, holidays_path : Path or None
        The service-standard checklist, the cleaned complaint register and the
        holiday list (None: none; the notebooks then use the bundled holidays).
    params : dict
        ``lang, round, alpha, min_n, seed, city_weights, complaint_standard_days``.
    """

    out_dir: Path
    previous: dict | None
    notebooks_dir: Path
    units_path: Path
    checklist_path: Path | None
    complaints_path: Path | None
    holidays_path: Path | None
    params: dict

    @property
    def location_nb(self) -> Path:
        return self.notebooks_dir / NOTEBOOKS[0]

    @property
    def city_nb(self) -> Path:
        return self.notebooks_dir / NOTEBOOKS[1]

    @property
    def has_checklist(self) -> bool:
        return self.checklist_path is not None


def run_settings(out_dir: Path, previous: dict | None, given: Mapping, *, notebooks_dir, units_path,
                 checklist_path, complaints_path, holidays_path, checklist_default) -> Settings:
    """Resolve and check a run's files and parameters (see :func:`clem_lib.batch.run_reports`).

    ``complaints_path`` is a cleaned register; ``given`` the report
    parameters as :func:`run_parameters` takes them.
    """
    prev = (previous or {}).get("parameters", {})
    notebooks_dir = path_parameter("notebooks", notebooks_dir, NOTEBOOKS_DIR, prev, out_dir, "--notebooks")
    units_path = check_input_file(
        path_parameter("units_file", units_path, UNITS_FILE, prev, out_dir, "--units-file"), "units file")
    checklist_path = path_parameter("checklist", checklist_path, checklist_default, prev, out_dir, "--checklist")
    if checklist_path is not None:
        checklist_path = check_input_file(checklist_path, "checklist")
    complaints_path = path_parameter("complaints", complaints_path, None, prev, out_dir, "--complaints")
    if complaints_path is not None and not complaints_path.is_file():
        raise ClemInputError("cleaned complaint register not found", file=complaints_path,
                             fix="clean it with `clem clean --complaints FILE --out FILE.parquet`")
    holidays_path = path_parameter("holidays", holidays_path, None, prev, out_dir, "--holidays")
    if holidays_path is not None:
        holidays_path = check_input_file(holidays_path, "holiday list")
        load_holidays(holidays_path)  # a bad list stops here
    params = run_parameters(given, previous)
    check_notebooks(notebooks_dir)
    return Settings(out_dir=out_dir, previous=previous, notebooks_dir=notebooks_dir, units_path=units_path,
                    checklist_path=checklist_path, complaints_path=complaints_path, holidays_path=holidays_path,
                    params=params)


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------


def unit_columns(source):
    """The ``unit``, ``unit_slug``, ``sector`` and ``round`` columns of a cleaned table, as Arrow.

    ``source`` is a cleaned parquet file or a cleaned DataFrame; a table
    without ``unit`` or ``unit_slug`` is an error.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    is_file = isinstance(source, (str, Path))
    cols = pq.read_schema(source).names if is_file else list(source.columns)
    for needed in ("unit", "unit_slug"):
        if needed not in cols:
            raise ClemInputError(f"the cleaned table has no '{needed}' column", file=source if is_file else None,
                                 fix="clean the survey with `clem clean` (see docs/data_model.md)")
    wanted = ["unit", "unit_slug"] + [c for c in ("sector", "round") if c in cols]
    if is_file:
        return pq.read_table(source, columns=wanted)
    table = pa.Table.from_pandas(source[wanted], preserve_index=False)
    return pa.table({c: table[c].dictionary_decode() if pa.types.is_dictionary(table[c].type) else table[c]
                     for c in wanted})


def _units_in_data(table, source) -> tuple[dict, list]:
    """``{unit: {"slug", "sectors"}}`` of every unit with answers, and the rounds in the data."""
    import pyarrow.compute as pc

    cols = table.column_names
    info: dict[str, dict] = {}
    pairs = table.group_by(["unit", "unit_slug"] + (["sector"] if "sector" in cols else [])).aggregate([])
    for rec in pairs.to_pylist():
        if rec["unit"] is None:
            continue
        entry = info.setdefault(rec["unit"], {"slug": rec["unit_slug"], "sectors": set()})
        if entry["slug"] != rec["unit_slug"]:
            raise ClemInputError(f"unit {rec['unit']!r} has two slugs in the cleaned table",
                                 file=source, column="unit_slug", fix="re-run the cleaning")
        if rec.get("sector"):
            entry["sectors"].add(rec["sector"])
    rounds = []
    if "round" in cols:
        rounds = sorted(int(r) for r in pc.unique(table["round"]).to_pylist() if r is not None)
    return info, rounds


def _check_slugs(info: dict, source) -> None:
    """Every slug can name a report file, and no two units share one."""
    seen = {}
    for name, entry in info.items():
        slug = entry["slug"]
        if not slug or not SLUG_RE.fullmatch(slug) or slug in RESERVED_SLUGS:
            raise ClemInputError(
                f"unit {name!r} has slug {slug!r}, which cannot name its report file",
                file=source, column="unit_slug",
                fix="give the unit a slug of lower-case letters, digits and '-' in units.yml "
                    f"(not {', '.join(sorted(RESERVED_SLUGS))})")
        if slug in seen:
            raise ClemInputError(f"units {seen[slug]!r} and {name!r} share the slug {slug!r}",
                                 file=source, column="unit_slug", fix="give each unit its own slug in units.yml")
        seen[slug] = name


def resolve_units(requested: str | Sequence[str] | None, available: Sequence[str], units_table) -> list[str]:
    """Canonical names of the units to report on.

    Parameters
    ----------
    requested : str, sequence of str or None
        ``"Kec. Serengan,jebres"`` (comma-separated, as ``--units`` takes it) or
        a list. Each entry may be a canonical name, a slug or an alias, in any
        case. ``None`` or empty = every unit in ``available``.
    available : sequence of str
        Canonical names of the units that have answers in the data.
    units_table : DataFrame
        ``load_units`` table (``name, slug, aliases``).

    Returns
    -------
    list of str
        Canonical names, sorted, without duplicates.

    Raises
    ------
    ClemInputError
        An entry matches no unit (the message names the closest ones), or
        names a unit with no answers in the data.
    """
    available = sorted(set(str(a) for a in available))
    if requested is None or (isinstance(requested, str) and not requested.strip()):
        return available
    items = requested.split(",") if isinstance(requested, str) else list(requested)
    items = [str(i).strip() for i in items if str(i).strip()]
    if not items:
        return available
    table = units_lookup_table(units_table, available)  # units not in units.yml resolve by their name
    chosen = []
    for item in items:
        try:
            name = resolve_unit(item, table)
        except ClemInputError as exc:
            raise ClemInputError(f"--units: unknown unit {item!r}", fix=exc.fix) from None
        if name not in available:
            raise ClemInputError(
                f"--units: unit {name!r} has no answers in the data",
                fix="units with answers: " + ", ".join(repr(a) for a in available),
            )
        chosen.append(name)
    return sorted(set(chosen))


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a run will do.

    Attributes
    ----------
    settings : Settings
    survey_name : str
    scheme : str or mapping
        The codebook's IKM scheme (the notebooks grade as the index does).
    cleaned_path : Path
        The cleaned table the notebooks read.
    info : dict
        ``{unit: {"slug": str, "sectors": set}}`` of every unit with answers.
    chosen : list of str
        Units of the run, sorted.
    rerun : list of str
        Units whose report runs now (all of ``chosen``, or on a retry those
        that did not finish well).
    city_rerun : bool
        The city overview runs now.
    prev_units, prev_city : dict
        The previous run's entries (with what finished after its manifest
        was last written); empty on a fresh run.
    timeout : float or None
        Seconds one notebook cell may run.
    cold : bool
        A kernel per notebook instead of each worker's warm kernel.
    levels : tuple of str
        The levels of the run (:data:`~clem_lib.batch.levels.RUN_LEVELS` unless ``--level`` chose).
    levels_given : bool
        ``--level`` was given (recorded in the manifest, reused by a retry).
    places : tuple of Location
        Every district and agency of the units file (none: no hierarchy; the index is then flat).
    locations : list of Location
        District and agency reports of the run, in units-file order.
    location_rerun : list of str
        Slugs of the location reports that run now.
    prev_locations : dict
        The previous run's location entries by slug (empty on a fresh run).
    city_chosen : bool
        The city overview is part of the run (its level is chosen).
    """

    settings: Settings
    survey_name: str
    scheme: str | Mapping
    cleaned_path: Path
    info: dict
    chosen: list
    rerun: list
    city_rerun: bool
    prev_units: dict
    prev_city: dict
    timeout: float | None
    cold: bool
    levels: tuple = RUN_LEVELS
    levels_given: bool = False
    places: tuple = ()
    locations: list = field(default_factory=list)
    location_rerun: list = field(default_factory=list)
    prev_locations: dict = field(default_factory=dict)
    city_chosen: bool = True


def _run_levels(given, settings: Settings, units_table) -> tuple[tuple, bool]:
    """The levels of the run and whether they were chosen: ``--level``, else the previous run's on a retry."""
    levels = parse_levels(given)
    if settings.previous is not None:
        recorded = settings.previous.get("parameters", {}).get("levels")
        recorded = parse_levels(recorded) if recorded else None
        if levels is not None and levels != (recorded or RUN_LEVELS):
            raise ClemInputError(
                f"--retry-failed: --level {','.join(levels)} differs from the previous run "
                f"({','.join(recorded or RUN_LEVELS)})",
                fix="leave out --level to reuse the previous one, or run without --retry-failed")
        if levels is None:
            levels = recorded
    if levels is None:
        return RUN_LEVELS, False
    check_levels(levels, units_table, settings.units_path)
    return levels, True


def _retry_choice(settings: Settings, sel: Selection, info: dict, units, places) -> dict:
    """On a retry: the reports of the run and those to run again, with the previous entries updated
    with the outcome records written after the manifest (the fields of :class:`Plan`)."""
    parts, prev = settings.out_dir / PARTS, settings.previous
    prev_units = {u["unit"]: {**u, **(read_outcome(parts, u.get("slug")) or {})} for u in prev.get("units", [])}
    prev_city = {**(prev.get("city_overview") or {}), **(read_outcome(parts, CITY_KEY) or {})}
    prev_locations = {e["slug"]: {**e, **(read_outcome(parts, e.get("slug")) or {})}
                      for e in prev.get("locations", [])}
    chosen, located = sel.units, sel.locations
    if units is None:
        chosen = sorted(prev_units)
        reportable = {p.slug: p for p in places if p.reportable}
        gone = [e for s, e in prev_locations.items() if s not in reportable]
        if gone:
            raise ClemInputError(f"--retry-failed: {gone[0].get('level')} {gone[0].get('name')!r} no longer has "
                                 "two units with answers", fix="run without --retry-failed")
        located = [p for p in places if p.slug in prev_locations]
    missing = [u for u in chosen if u not in info]
    if missing:
        raise ClemInputError(f"--retry-failed: unit {missing[0]!r} is no longer in the data",
                             fix="run without --retry-failed")
    return dict(chosen=chosen, rerun=[u for u in chosen if prev_units.get(u, {}).get("status") != "ok"],
                city_rerun=sel.city and prev_city.get("status") != "ok", prev_units=prev_units,
                prev_city=prev_city, locations=located, prev_locations=prev_locations,
                location_rerun=[p.slug for p in located if prev_locations.get(p.slug, {}).get("status") != "ok"])


def make_plan(settings: Settings, table, source, *, cleaned_path: Path, survey_name: str, scheme, units,
              timeout: float | None, cold: bool, levels=None) -> Plan:
    """The reports of the run and what runs now, from the cleaned table's :func:`unit_columns`.

    ``source`` names the table in error messages (the cleaned parquet, or the
    raw export it is being cleaned from); ``levels`` is ``--level`` (None: not given).
    """
    units_table = load_units(settings.units_path)
    info, rounds = _units_in_data(table, source)
    if not info:
        raise ClemInputError("the cleaned table has no answers", file=source,
                             fix="check the export and its codebook")
    round_ = settings.params["round"]
    if round_ and rounds and round_ not in rounds:
        raise ClemInputError(f"round {round_} is not in the data",
                             fix="rounds in the data: " + ", ".join(str(r) for r in rounds) + " (0 = latest)")
    run_levels, given = _run_levels(levels, settings, units_table)
    places = data_locations(units_table, list(info), settings.params["lang"])
    check_location_slugs([p for p in places if p.reportable], info, RESERVED_SLUGS, settings.units_path)
    sel = select_reports(units, run_levels, given, list(info), units_table, places)
    if settings.previous is not None:
        choice = _retry_choice(settings, sel, info, units, places)
    else:
        if not (sel.units or sel.locations or sel.city):
            raise ClemInputError(f"--level {','.join(run_levels)}: nothing to report",
                                 fix="a district or agency gets a report when two of its units have answers; "
                                     "add unit to --level")
        choice = dict(chosen=sel.units, rerun=list(sel.units), city_rerun=sel.city, prev_units={}, prev_city={},
                      locations=list(sel.locations), location_rerun=[p.slug for p in sel.locations],
                      prev_locations={})
    _check_slugs({u: info[u] for u in choice["chosen"]}, source)
    return Plan(settings=settings, survey_name=survey_name, scheme=scheme, cleaned_path=cleaned_path, info=info,
                timeout=timeout, cold=cold, levels=run_levels, levels_given=given, places=places,
                city_chosen=sel.city, **choice)


# ---------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------


def report_params(plan: Plan, *, unit: str | None = None, place: Location | None = None) -> ReportParams:
    """The parameters of one notebook: a unit's report (``unit``), a district's or agency's
    (``place``), or the city overview (neither).

    Paths are relative to the output folder, the kernel's working folder:
    nothing of this machine's layout is in the reports. The scheme is the
    codebook's, so that every report grades as the index does.
    """
    s, out, p = plan.settings, plan.settings.out_dir, plan.settings.params
    key = plan.info[unit]["slug"] if unit is not None else (place.slug if place is not None else CITY_KEY)
    register = s.complaints_path is not None  # the register's parameters only when there is a register
    return ReportParams(
        unit=unit, data_path=relative(plan.cleaned_path, out),
        checklist_path=relative(s.checklist_path, out) if s.has_checklist else "",
        units_path=relative(s.units_path, out), round=int(p["round"]), lang=p["lang"], alpha=float(p["alpha"]),
        min_n=int(p["min_n"]), seed=int(p["seed"]), scheme=plan.scheme, city_weights=p["city_weights"],
        complaints_path=relative(s.complaints_path, out) if register else "",
        complaint_standard_days=int(p["complaint_standard_days"]),
        holidays_path=relative(s.holidays_path, out) if register and s.holidays_path is not None else "",
        level=place.level if place is not None else "city", location=place.name if place is not None else "",
        results_path=f"{PARTS}/{key}.results.csv")


def notebook_parameters(plan: Plan, unit: str | None = None) -> dict:
    """What papermill injects into a unit's report, or (``unit=None``) into the city overview."""
    return report_params(plan, unit=unit).to_papermill()


def location_parameters(plan: Plan, place: Location) -> dict:
    """What papermill injects into a district's or agency's report (the city overview notebook,
    with its ``level`` and ``location``)."""
    return report_params(plan, place=place).to_papermill()


def notebook_tasks(plan: Plan) -> list[NotebookTask]:
    """One task per notebook that runs now: the city overview first, then the districts and
    agencies, then the units (the longest first)."""
    s = plan.settings
    parts, lang = s.out_dir / PARTS, s.params["lang"]
    tasks = []
    if plan.city_rerun:
        tasks.append(NotebookTask(
            key=CITY_KEY, label=_CITY_TITLE[lang], kind="city", notebook=str(s.city_nb),
            parameters=notebook_parameters(plan), cwd=str(s.out_dir), lang=lang,
            results_path=str(parts / f"{CITY_KEY}.results.csv"),
            # the city overview reads every unit: its own kernel, so the warm ones stay small
            timeout=plan.timeout, warm=False))
    for place in plan.locations:
        if place.slug in plan.location_rerun:  # a location reads only its units' rows: a warm kernel
            tasks.append(NotebookTask(
                key=place.slug, label=place.label, kind=place.level, notebook=str(s.city_nb),
                parameters=location_parameters(plan, place), cwd=str(s.out_dir), lang=lang,
                results_path=str(parts / f"{place.slug}.results.csv"), timeout=plan.timeout, warm=not plan.cold))
    for name in plan.rerun:
        slug = plan.info[name]["slug"]
        tasks.append(NotebookTask(
            key=slug, label=name, kind="unit", notebook=str(s.location_nb),
            parameters=notebook_parameters(plan, name), cwd=str(s.out_dir), lang=lang,
            results_path=str(parts / f"{slug}.results.csv"), timeout=plan.timeout, warm=not plan.cold))
    return tasks
