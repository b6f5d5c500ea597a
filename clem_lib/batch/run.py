"""``clem run`` as a short sequence of named steps: plan, execute, collect, publish.

:func:`run_survey` (``clem run``)
    check the options → find the inputs (:mod:`.inputs`) → resolve the
    settings (:func:`.plan.run_settings`) → clean in memory (:mod:`.clean`) →
    plan the units → connect to the cluster → write the cleaned table → the
    reports.
:func:`run_reports` (a table cleaned already)
    check the options → resolve the settings → plan the units → connect →
    the reports.
The reports (both)
    prepare the folder and write the manifest as ``running`` → execute the
    notebooks (:mod:`.pool`), each one's files written as it finishes
    (:mod:`.collect`) → ``results.csv`` and each report's entry → ``index.html``
    and the final manifest (:mod:`.publish`).

Every check happens once, in the plan, before anything is written: bad input
or usage is a :class:`~clem_lib.errors.ClemInputError` and leaves the output
folder as it was.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from ..errors import ClemInputError
from ..paths import CHECKLIST_FILE
from .clean import clean_inputs, report_warnings, write_cleaned_outputs
from .collect import OutcomeFiles, prepare_folder, report_entries, write_results
from .inputs import check_unchanged, output_folder, output_lock, survey_inputs
from .manifest import Clock, file_record, final_manifest, read_manifest, running_manifest, write_manifest
from .plan import Plan, check_options, make_plan, notebook_tasks, run_settings, unit_columns
from .pool import run_notebooks, scheduler_client
from .publish import write_index

__all__ = ["RunResult", "RunInterrupted", "run_reports", "run_survey"]


@dataclass(frozen=True)
class RunResult:
    """What ``run_reports`` / ``run_survey`` did.

    Attributes
    ----------
    out_dir : Path
        The output folder.
    survey_name : str
    units : list of dict
        One per unit of the run (``unit``, ``slug``, ``status``, ``error``, ...).
    city : dict or None
        The city overview's entry (None when ``--level`` leaves it out).
    failures : list of dict
        Units, districts, agencies (and the city overview) that failed, with their error.
    seconds : float
        Wall time of the reports (cleaning not included: see the manifest's timings).
    locations : list of dict
        One per district or agency report of the run (``level``, ``name``, ``slug``, ``units``,
        ``status``, ``error``, ...).
    """

    out_dir: Path
    survey_name: str
    units: list = field(default_factory=list)
    city: dict | None = None
    failures: list = field(default_factory=list)
    seconds: float = 0.0
    locations: list = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every notebook succeeded, 1 when some failed."""
        return 1 if self.failures else 0


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during the notebooks: workers and kernels stopped, finished reports kept.

    Attributes
    ----------
    finished, total : int
        Reports (units, districts, agencies and the city overview) finished and recorded, of all.
    out_dir : Path
    """

    def __init__(self, *, finished: int, total: int, out_dir: Path):
        super().__init__(f"interrupted: {finished} of {total} reports finished")
        self.finished, self.total, self.out_dir = finished, total, out_dir


def _execute(plan: Plan, *, client, jobs, progress: bool, stream) -> list:
    """Run the plan's notebooks, writing each one's files as it finishes; Ctrl-C is :class:`RunInterrupted`."""
    files = OutcomeFiles(plan.settings.out_dir)
    try:
        return run_notebooks(notebook_tasks(plan), jobs=jobs, scheduler=client, progress=progress, stream=stream,
                             on_done=files, keep_pages=False)
    except KeyboardInterrupt:
        kept = (sum(1 for u in plan.chosen if u not in plan.rerun and plan.prev_units.get(u, {}).get("status") == "ok")
                + sum(1 for p in plan.locations if p.slug not in plan.location_rerun
                      and plan.prev_locations.get(p.slug, {}).get("status") == "ok")
                + (1 if plan.city_chosen and not plan.city_rerun else 0))
        total = len(plan.chosen) + len(plan.locations) + (1 if plan.city_chosen else 0)
        raise RunInterrupted(finished=kept + files.finished.count("ok"), total=total,
                             out_dir=plan.settings.out_dir) from None


def _reports(plan: Plan, *, clock: Clock, inputs: Mapping | None, clean_seconds: float, client, scheduler_name,
             jobs, progress: bool, stream) -> RunResult:
    """Execute the plan's notebooks, collect what they leave, publish the index and the manifest."""
    out = plan.settings.out_dir
    prepare_folder(plan)
    manifest = running_manifest(plan, inputs=inputs, clock=clock, jobs=jobs, scheduler_name=scheduler_name)
    write_manifest(out, manifest)
    if (out / "index.html").exists():
        (out / "index.html").unlink()  # rewritten at the end: its absence marks an unfinished run
    outcomes = _execute(plan, client=client, jobs=jobs, progress=progress, stream=stream)
    by_key = {o.key: o for o in outcomes}
    write_results(plan, by_key)
    units, places, city, failures = report_entries(plan, by_key)
    write_index(plan, units, city, places)
    seconds = clock.seconds()
    write_manifest(out, final_manifest(manifest, plan, clock=clock, seconds=seconds, clean_seconds=clean_seconds,
                                       outcomes=outcomes, units=units, city=city, failures=failures,
                                       locations=places))
    return RunResult(out_dir=out, survey_name=plan.survey_name, units=units, city=city, failures=failures,
                     seconds=seconds, locations=places)


def _report_parameters(lang, round, alpha, min_n, seed, city_weights, complaint_standard_days) -> dict:
    """The report parameters as given (None: not given), for :func:`.plan.run_parameters`."""
    return {"lang": lang, "round": round, "alpha": alpha, "min_n": min_n, "seed": seed,
            "city_weights": city_weights, "complaint_standard_days": complaint_standard_days}


def run_reports(
    cleaned_path,
    out_dir,
    *,
    survey_name: str,
    units: str | Sequence[str] | None = None,
    levels: str | Sequence[str] | None = None,
    jobs: int | None = None,
    scheduler=None,
    lang: str | None = None,
    round: int | None = None,
    retry_failed: bool = False,
    units_path=None,
    checklist_path=None,
    notebooks_dir=None,
    alpha: float | None = None,
    min_n: int | None = None,
    seed: int | None = None,
    city_weights: str | None = None,
    scheme="permenpan14_2017",
    complaints_path=None,
    complaint_standard_days: int | None = None,
    holidays_path=None,
    timeout: float | None = 1800.0,
    cold: bool = False,
    progress: bool = True,
    stream=None,
    inputs: Mapping | None = None,
    clean_seconds: float = 0.0,
) -> RunResult:
    """Reports for every unit of a cleaned table: notebooks, pages, index, results, manifest.

    ``cleaned_path`` must already be the output folder's ``cleaned.parquet``
    (``run_survey`` writes it there) or any cleaned parquet (it is then read in
    place). Parameters are those of :func:`run_survey`; ``inputs`` adds file
    records (path and sha256 of the raw export, codebook, ...) to the manifest.
    ``units_path``, ``checklist_path`` and ``notebooks_dir`` left as None are
    the previous run's on a retry, else the bundled ones (``checklist_path=""``:
    no checklist). ``scheduler`` may also be a connected ``distributed.Client``.

    Returns
    -------
    RunResult

    Raises
    ------
    ClemInputError
        Bad input or usage; nothing is written.
    RunInterrupted
        Ctrl-C: the workers and kernels are stopped, finished reports are kept
        and recorded, ``--retry-failed`` completes the run.
    """
    clock = Clock.start()
    check_options(lang=lang, jobs=jobs, round=round, city_weights=city_weights,
                  complaint_standard_days=complaint_standard_days, levels=levels)
    out_dir = output_folder(out_dir)
    previous = read_manifest(out_dir) if retry_failed else None
    given = _report_parameters(lang, round, alpha, min_n, seed, city_weights, complaint_standard_days)
    settings = run_settings(out_dir, previous, given, notebooks_dir=notebooks_dir, units_path=units_path,
                            checklist_path=checklist_path, checklist_default=CHECKLIST_FILE,
                            complaints_path=complaints_path, holidays_path=holidays_path)
    cleaned_path = Path(cleaned_path).resolve()
    if not cleaned_path.is_file():
        raise ClemInputError("cleaned data not found", file=cleaned_path, fix="run `clem clean` first")
    plan = make_plan(settings, unit_columns(cleaned_path), cleaned_path, cleaned_path=cleaned_path,
                     survey_name=survey_name, scheme=scheme, units=units, timeout=timeout, cold=cold,
                     levels=levels)
    with scheduler_client(scheduler) as (client, scheduler_name), output_lock(out_dir):
        return _reports(plan, clock=clock, inputs=inputs, clean_seconds=clean_seconds, client=client,
                        scheduler_name=scheduler_name, jobs=jobs, progress=progress, stream=stream)


# long: the docstring documents every option of `clem run`; the body is a sequence of steps
def run_survey(
    data_path=None,
    codebook_path=None,
    *,
    units: str | Sequence[str] | None = None,
    levels: str | Sequence[str] | None = None,
    jobs: int | None = None,
    scheduler=None,
    lang: str | None = None,
    out_dir=None,
    retry_failed: bool = False,
    round: int | None = None,
    units_path=None,
    checklist_path=None,
    notebooks_dir=None,
    alpha: float | None = None,
    min_n: int | None = None,
    seed: int | None = None,
    city_weights: str | None = None,
    timeout: float | None = 1800.0,
    cold: bool = False,
    progress: bool = True,
    stream=None,
    complaints_path=None,
    complaints_codebook=None,
    complaint_standard_days: int | None = None,
    holidays_path=None,
) -> RunResult:
    """``clem run``: validate and clean once, then one report per unit, an index and the results.

    Parameters
    ----------
    data_path, codebook_path : path, optional
        Raw export and its codebook. Both omitted: the bundled sample survey.
    units : str or sequence of str, optional
        ``"Kec. Serengan,jebres"``: names, slugs or aliases. Default: every unit
        with answers in the data. An item may also be a district or agency of
        the units file (``district:<name>`` / ``agency:<name>`` when a unit has
        the same spelling): its report and its units' reports.
    levels : str or sequence of str, optional
        ``--level``: ``"unit,district,agency,city"`` (the default) or some of
        them. A district or agency with two units or more that have answers
        gets a report of its own (``city_overview.ipynb`` with ``level`` and
        ``location``); see :mod:`clem_lib.batch.levels` for how ``--units``
        and ``--level`` combine.
    jobs : int, optional
        Worker processes (default: the number of cores).
    scheduler : str, optional
        Dask scheduler address: run the notebooks on that cluster instead
        (needs ``clem[dask]``; the output folder must be reachable from the
        workers under the same path).
    lang : {"id", "en"}, default "id"
    out_dir : path, optional
        Default ``outputs/<survey name>/``.
    retry_failed : bool
        Rerun only the units that failed (or never finished) in the previous
        run of ``out_dir``, with the previous parameters, notebooks, units
        file, checklist and (when not given) export and codebook; the raw
        inputs must be unchanged.
    round : int, default 0
        Survey round to report (0 = latest).
    units_path, checklist_path, notebooks_dir : path, optional
        Units file, service-standard checklist, folder with
        ``location_report.ipynb`` and ``city_overview.ipynb``. None: the
        previous run's on a retry, else the bundled ones.
    alpha, min_n, seed : optional
        Significance level (0.05), smallest cell shown (5), random seed
        (20130924), passed to the notebooks.
    city_weights : {"design", "none"}, default "design"
        City-wide figures of the city overview: design-based (stratified by
        unit, weights ``N_h / n_h`` from the units file's ``users_per_month``,
        finite-population correction; the unweighted figure beside it), or
        unweighted only. With ``design`` and a unit without users per month the
        overview falls back to unweighted figures and says so in its Methods.
    complaints_path, complaints_codebook : path, optional
        The complaint register (one row per complaint) and its register
        codebook (default: ``<register>.codebook.yml`` beside it, else
        columns recognised by name). Cleaned once with the survey into
        ``complaints.parquet`` and ``complaints_log.csv``; a bad row stops the
        run before anything is written. None: the bundled register for the
        bundled sample, none for a survey of one's own; "" none.
    complaint_standard_days : int, optional
        Published standard for resolving a complaint in working days (the
        register codebook's ``standard_days``, else 5).
    holidays_path : path, optional
        Public holidays (CSV with a ``date`` column); default the bundled
        Indonesian list ``data/holidays_id.csv``.
    timeout : float or None
        Seconds one notebook cell may run.
    cold : bool
        Start a kernel for every notebook instead of reusing each worker's
        warm kernel (see :mod:`clem_lib.batch.kernels`); the outputs are the same.
    progress : bool
        Progress lines on stderr.

    Returns
    -------
    RunResult
        ``exit_code`` is 1 when some unit failed.

    Raises
    ------
    ClemInputError
        Bad input or usage (nothing is written).
    RunInterrupted
        Ctrl-C while the notebooks ran (see :func:`run_reports`).
    """
    t0 = time.perf_counter()
    check_options(lang=lang, jobs=jobs, round=round, city_weights=city_weights,
                  complaint_standard_days=complaint_standard_days, levels=levels)
    found = survey_inputs(data_path, codebook_path, out_dir=out_dir, retry_failed=retry_failed,
                          units_path=units_path, complaints_path=complaints_path,
                          complaints_codebook=complaints_codebook)
    if complaint_standard_days is None and found.register_codebook is not None:
        complaint_standard_days = found.register_codebook.standard_days
    given = _report_parameters(lang, round, alpha, min_n, seed, city_weights, complaint_standard_days)
    out = found.out_dir
    # on a retry the previous run's register and holiday list, else the ones of this run (none: "")
    settings = run_settings(
        out, found.previous, given, notebooks_dir=notebooks_dir, units_path=found.units_path,
        checklist_path=checklist_path, checklist_default=CHECKLIST_FILE if found.sample else None,
        complaints_path=None if retry_failed else "",
        holidays_path=holidays_path if holidays_path not in (None, "") else (None if retry_failed else ""))
    if found.register_path is not None:  # the register cleaned by this run, written beside the survey
        settings = dataclasses.replace(settings, complaints_path=out / "complaints.parquet")
    cleaned_path = out / "cleaned.parquet"
    if retry_failed:
        check_unchanged(found.previous, found.records, cleaned_path)
        cleaned, table, source = None, unit_columns(cleaned_path), cleaned_path
    else:
        cleaned = clean_inputs(found, settings)
        table, source = unit_columns(cleaned.survey.table), found.data_path
    plan = make_plan(settings, table, source, cleaned_path=cleaned_path, survey_name=found.codebook.survey_name,
                     scheme=found.codebook.scheme, units=units, timeout=timeout, cold=cold, levels=levels)
    # connected, and the folder held, before anything is written
    with scheduler_client(scheduler) as (client, scheduler_name), output_lock(out):
        clean_seconds = 0.0
        if cleaned is not None:
            write_cleaned_outputs(cleaned, out)
            if progress:
                report_warnings(cleaned, stream)
            clean_seconds = time.perf_counter() - t0
        inputs = {**found.records, "cleaning_log": file_record(out / "cleaning_log.csv", out)}
        return _reports(plan, clock=Clock.start(), inputs=inputs, clean_seconds=clean_seconds, client=client,
                        scheduler_name=scheduler_name, jobs=jobs, progress=progress, stream=stream)
