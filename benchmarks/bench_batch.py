"""Benchmark ``batch``: 12 units with ``clem run --jobs 2`` against a sequential papermill loop.

Survey: 12 generated units of 250 responses each in the sample's export
format (``benchmarks.survey``), with its units file and checklist.

- clem: ``clem run --jobs 2`` end to end (validate and clean once, 12 location
  reports and the city overview, HTML for each, index, results, manifest);
- baseline, same run: ``clem clean`` once, then the plain ``papermill``
  command in a sequential loop over the same notebooks (12 location reports,
  then the city overview) and the same cleaned data. The loop renders no HTML
  and writes no index: the comparison is generous to the baseline.

Target: clem <= 0.6 x the loop's wall time on 2 cores.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .harness import PROJECT_ROOT, Report, run_command
from .notebooks import papermill_cmd
from .runs import PER_UNIT, clem_clean, clem_run, peaks_by_role, read_manifest, unit_survey

__all__ = ["run", "papermill_loop"]


def papermill_loop(files, cleaned: Path, notebooks_dir: Path, out: Path) -> tuple[float, list[float]]:
    """Run the papermill command once per unit, then for the city overview; return wall times."""
    out.mkdir(parents=True, exist_ok=True)
    common = {"data_path": str(cleaned), "checklist_path": str(files.checklist), "units_path": str(files.units)}
    each = []
    for i, unit in enumerate(files.unit_names):
        res = run_command(papermill_cmd(notebooks_dir / "location_report.ipynb", out / f"unit{i:03d}.ipynb",
                                        {"unit": unit, **common, "results_path": str(out / f"unit{i:03d}.csv")}))
        each.append(res.check().wall_s)
    res = run_command(papermill_cmd(notebooks_dir / "city_overview.ipynb", out / "city.ipynb",
                                    {**common, "results_path": str(out / "city.csv")})).check()
    each.append(res.wall_s)
    return sum(each), each


def run(*, quick: bool, work_dir: Path, seed: int, notebooks_dir: Path | None = None,
        n_units: int | None = None, per_unit: int | None = None, jobs: int = 2) -> Report:
    n_units = n_units or (2 if quick else 12)
    per_unit = per_unit or (60 if quick else PER_UNIT)
    notebooks_dir = Path(notebooks_dir or PROJECT_ROOT / "notebooks")
    work = Path(work_dir) / "batch"
    report = Report("batch", quick=quick, parameters={"units": n_units, "per_unit": per_unit, "jobs": jobs,
                                                      "notebooks": str(notebooks_dir)})
    files = unit_survey(work_dir, n_units, per_unit=per_unit, seed=seed)

    out = work / "clem_run"
    shutil.rmtree(out, ignore_errors=True)
    clem = clem_run(files, out, jobs=jobs, notebooks_dir=notebooks_dir)
    manifest = read_manifest(out)
    failed = [u["unit"] for u in manifest.get("units", []) if u.get("status") != "ok"]
    if failed:
        report.note(f"clem run: {len(failed)} unit(s) failed: {failed[:3]}")

    loop_dir = work / "loop"
    shutil.rmtree(loop_dir, ignore_errors=True)
    loop_dir.mkdir(parents=True)
    clean = clem_clean(files, loop_dir / "cleaned.parquet")
    loop_s, each = papermill_loop(files, loop_dir / "cleaned.parquet", notebooks_dir, loop_dir)
    baseline = clean.wall_s + loop_s

    report.figure("clem_run_s", clem.wall_s)
    report.figure("loop_total_s", baseline)
    report.figure("loop_clean_s", clean.wall_s)
    report.figure("loop_papermill_s", loop_s)
    report.figure("loop_per_notebook_s", loop_s / len(each))
    t = manifest.get("timings", {})
    nb_secs = [v for v in (t.get("notebooks_seconds") or {}).values() if v]
    if t.get("clean_seconds"):
        report.figure("clem_clean_s", t["clean_seconds"])
    if nb_secs:
        report.figure("clem_per_notebook_s", sum(nb_secs) / len(nb_secs))
    roles = peaks_by_role(clem)
    for role, peak in sorted(roles.items()):
        report.figure(f"clem_peak_rss_{role}_bytes", peak)
    report.details["loop_each_s"] = each
    report.details["manifest_timings"] = t
    report.check(f"time: clem run --jobs {jobs} / papermill loop", clem.wall_s, baseline, 0.6,
                 what=f"{n_units} units + city overview; loop = clem clean + sequential papermill")
    return report
