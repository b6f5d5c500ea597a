"""Benchmark ``batch``: 12 units with ``clem run --jobs 2`` against a sequential papermill loop.

Survey: 12 generated units of 250 responses each in the sample's export
format (``benchmarks.survey``), with its units file and checklist.

- clem: ``clem run --jobs 2`` end to end (validate and clean once, 12 location
  reports and the city overview, HTML for each, index, results, manifest),
  twice: with warm kernels (the default: one kernel per worker, imports done
  once) and with ``--cold`` (a kernel per notebook);
- baseline, same run: ``clem clean`` once, then the plain ``papermill``
  command in a sequential loop over the same notebooks (12 location reports,
  then the city overview) and the same cleaned data. The loop renders no HTML
  and writes no index: the comparison is generous to the baseline.

Targets on 2 cores: warm <= 0.4 x the loop's wall time; cold <= 0.6 x; the
warm unit kernels' peak memory within 20 % of the cold ones' (largest unit
kernel of each run; the city overview runs in a kernel of its own either way).
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

    runs = {}
    for mode in ("warm", "cold"):
        out = work / f"clem_run_{mode}"
        shutil.rmtree(out, ignore_errors=True)
        runs[mode] = (clem_run(files, out, jobs=jobs, notebooks_dir=notebooks_dir, cold=mode == "cold"),
                      read_manifest(out))
        failed = [u["unit"] for u in runs[mode][1].get("units", []) if u.get("status") != "ok"]
        if failed:
            report.note(f"clem run ({mode}): {len(failed)} unit(s) failed: {failed[:3]}")

    loop_dir = work / "loop"
    shutil.rmtree(loop_dir, ignore_errors=True)
    loop_dir.mkdir(parents=True)
    clean = clem_clean(files, loop_dir / "cleaned.parquet")
    loop_s, each = papermill_loop(files, loop_dir / "cleaned.parquet", notebooks_dir, loop_dir)
    baseline = clean.wall_s + loop_s

    report.figure("loop_total_s", baseline)
    report.figure("loop_clean_s", clean.wall_s)
    report.figure("loop_papermill_s", loop_s)
    report.figure("loop_per_notebook_s", loop_s / len(each))
    report.details["loop_each_s"] = each
    for mode, (clem, manifest) in runs.items():
        report.figure(f"{mode}_clem_run_s", clem.wall_s)
        t = manifest.get("timings", {})
        nb_secs = [v for k, v in (t.get("notebooks_seconds") or {}).items() if v and k != "city_overview"]
        if t.get("clean_seconds"):
            report.figure(f"{mode}_clem_clean_s", t["clean_seconds"])
        if nb_secs:
            report.figure(f"{mode}_clem_per_unit_notebook_s", sum(nb_secs) / len(nb_secs))
        for role, peak in sorted(peaks_by_role(clem).items()):
            report.figure(f"{mode}_clem_peak_rss_{role}_bytes", peak)
        report.details[f"{mode}_manifest_timings"] = t
    (warm, _), (cold, _) = runs["warm"], runs["cold"]
    what = f"{n_units} units + city overview; loop = clem clean + sequential papermill"
    report.check(f"time: clem run --jobs {jobs} (warm kernels) / papermill loop", warm.wall_s, baseline, 0.4,
                 what=what)
    report.check(f"time: clem run --jobs {jobs} --cold / papermill loop", cold.wall_s, baseline, 0.6, what=what)
    warm_kernel, cold_kernel = peaks_by_role(warm).get("kernel", 0), peaks_by_role(cold).get("kernel", 0)
    if warm_kernel and cold_kernel:
        report.check("unit kernel peak RSS: warm / cold", warm_kernel, cold_kernel, 1.2, unit="bytes",
                     what="largest peak RSS of a kernel running units' reports")
    warm_worker, cold_worker = peaks_by_role(warm).get("worker", 0), peaks_by_role(cold).get("worker", 0)
    if warm_worker and cold_worker:
        report.check("worker peak RSS: warm / cold", warm_worker, cold_worker, 1.2, unit="bytes",
                     what="largest pool-process peak RSS")
    return report
