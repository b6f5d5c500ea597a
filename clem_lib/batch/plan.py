"""What a run will do, decided before anything is written.

:func:`run_settings` resolves the folders, files and report parameters (the
previous run's on ``--retry-failed``); :func:`make_plan` reads the units with
answers, picks the ones to report and, on a retry, the ones to run again;
:func:`notebook_tasks` turns the plan into one :class:`NotebookTask` per
notebook, with the parameters of :func:`notebook_parameters`. Any problem is a
:class:`~clem_lib.errors.ClemInputError`, raised while the output folder is
still untouched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from ..codebook import load_units
from ..complaints import load_holidays
from ..errors import ClemInputError
from ..paths import NOTEBOOKS_DIR, UNITS_FILE
from ..report import resolve_unit
from .execute import NotebookTask
from .inputs import NOTEBOOKS, check_input_file, check_notebooks, path_parameter
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
    "notebook_tasks",
]

REPORT_DEFAULTS = {"lang": "id", "round": 0, "alpha": 0.05, "min_n": 5, "seed": 20130924, "city_weights": "design",
                   "complaint_standard_days": 5}
"""The report parameters a run uses when none is given (and the previous run recorded none)."""

_RESERVED_SLUGS = {"index", "results", "manifest", "cleaning_log", "cleaning_summary", "cleaned", CITY_KEY}
_CITY_TITLE = {"id": "Ringkasan kota", "en": "City overview"}


# ---------------------------------------------------------------------------
# Parameters and settings
# ---------------------------------------------------------------------------


def check_options(*, lang=None, jobs=None, round=None, city_weights=None, complaint_standard_days=None) -> None:
    """The options given (None: not given) are ones a run can take; a one-line error otherwise."""
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
        if not slug or not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,99}", slug) or slug in _RESERVED_SLUGS:
            raise ClemInputError(
                f"unit {name!r} has slug {slug!r}, which cannot name its report file",
                file=source, column="unit_slug",
                fix="give the unit a slug of lower-case letters, digits and '-' in units.yml "
                    f"(not {', '.join(sorted(_RESERVED_SLUGS))})")
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
    import pandas as pd

    available = sorted(set(str(a) for a in available))
    if requested is None or (isinstance(requested, str) and not requested.strip()):
        return available
    items = requested.split(",") if isinstance(requested, str) else list(requested)
    items = [str(i).strip() for i in items if str(i).strip()]
    if not items:
        return available
    known = set(str(n) for n in units_table["name"])
    extra = [a for a in available if a not in known]
    table = units_table
    if extra:  # units present in the data but not in units.yml still resolve by their name
        table = pd.concat([units_table, pd.DataFrame({"name": extra, "slug": [""] * len(extra),
                                                      "aliases": [[] for _ in extra]})],
                          ignore_index=True)
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


def _retry_choice(settings: Settings, chosen: list, info: dict, units) -> tuple:
    """On a retry: the units of the run, those to run again, whether the city overview runs,
    and the previous entries updated with the outcome records written after the manifest."""
    parts = settings.out_dir / PARTS
    prev_units = {u["unit"]: {**u, **(read_outcome(parts, u.get("slug")) or {})}
                  for u in settings.previous.get("units", [])}
    prev_city = {**(settings.previous.get("city_overview") or {}), **(read_outcome(parts, CITY_KEY) or {})}
    if units is None:
        chosen = sorted(prev_units)
    missing = [u for u in chosen if u not in info]
    if missing:
        raise ClemInputError(f"--retry-failed: unit {missing[0]!r} is no longer in the data",
                             fix="run without --retry-failed")
    rerun = [u for u in chosen if prev_units.get(u, {}).get("status") != "ok"]
    return chosen, rerun, prev_city.get("status") != "ok", prev_units, prev_city


def make_plan(settings: Settings, table, source, *, cleaned_path: Path, survey_name: str, scheme, units,
              timeout: float | None, cold: bool) -> Plan:
    """The units of the run and what runs now, from the cleaned table's :func:`unit_columns`.

    ``source`` names the table in error messages (the cleaned parquet, or the
    raw export it is being cleaned from).
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
    chosen = resolve_units(units, list(info), units_table)
    if settings.previous is not None:
        chosen, rerun, city_rerun, prev_units, prev_city = _retry_choice(settings, chosen, info, units)
    else:
        rerun, city_rerun, prev_units, prev_city = list(chosen), True, {}, {}
    _check_slugs({u: info[u] for u in chosen}, source)
    return Plan(settings=settings, survey_name=survey_name, scheme=scheme, cleaned_path=cleaned_path, info=info,
                chosen=chosen, rerun=rerun, city_rerun=city_rerun, prev_units=prev_units, prev_city=prev_city,
                timeout=timeout, cold=cold)


# ---------------------------------------------------------------------------
# Notebooks
# ---------------------------------------------------------------------------


def notebook_parameters(plan: Plan, unit: str | None = None) -> dict:
    """The papermill parameters of one notebook: the unit's report, or (``unit=None``) the city overview.

    Paths are relative to the output folder, the kernel's working folder:
    nothing of this machine's layout is in the reports.
    """
    s, out = plan.settings, plan.settings.out_dir
    p = s.params
    scheme = plan.scheme
    base = {
        "data_path": relative(plan.cleaned_path, out),
        "checklist_path": relative(s.checklist_path, out) if s.has_checklist else "",
        "units_path": relative(s.units_path, out),
        "lang": p["lang"],
        "alpha": float(p["alpha"]),
        "min_n": int(p["min_n"]),
        "seed": int(p["seed"]),
        # the codebook's IKM rule, so that every report grades as the index does
        "scheme": scheme if isinstance(scheme, str) else json.dumps(scheme, sort_keys=True, ensure_ascii=False),
    }
    if s.complaints_path is not None:  # the register's parameters only when there is a register
        base.update({
            "complaints_path": relative(s.complaints_path, out),
            "complaint_standard_days": int(p["complaint_standard_days"]),
            "holidays_path": relative(s.holidays_path, out) if s.holidays_path is not None else "",
        })
    if unit is None:
        return {**base, "city_weights": p["city_weights"], "results_path": f"{PARTS}/{CITY_KEY}.results.csv"}
    slug = plan.info[unit]["slug"]
    return {"unit": unit, **base, "round": int(p["round"]), "results_path": f"{PARTS}/{slug}.results.csv"}


def notebook_tasks(plan: Plan) -> list[NotebookTask]:
    """One task per notebook that runs now: the city overview first, then the units."""
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
    for name in plan.rerun:
        slug = plan.info[name]["slug"]
        tasks.append(NotebookTask(
            key=slug, label=name, kind="unit", notebook=str(s.location_nb),
            parameters=notebook_parameters(plan, name), cwd=str(s.out_dir), lang=lang,
            results_path=str(parts / f"{slug}.results.csv"), timeout=plan.timeout, warm=not plan.cold))
    return tasks
