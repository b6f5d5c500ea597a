"""Benchmark ``scaleout``: the 24-unit batch on a Dask LocalCluster against ``--jobs 2``.

The cluster (two worker processes, one thread each) is started before the
timed run, as a cluster is when a user passes ``--scheduler ADDRESS``; its
start-up time is reported apart. Both runs use the same generated survey (24
units of 250 responses) and the bundled notebooks; the ``--jobs 2`` run is the
baseline, measured in the same run.

Target: Dask run <= 1.15 x the ``--jobs 2`` run (overhead <= 15%).

The full run times each side twice in the order ``--jobs 2``, Dask, Dask,
``--jobs 2`` (the cluster is up only for its runs) and compares the means:
a machine that speeds up or slows down steadily during the run weighs on
both sides alike. A single pair on the 2-core test machine gave 1.08, 1.20
and 1.09 for the same code. Quick mode times each side once.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from pathlib import Path

from .harness import PROJECT_ROOT, Report
from .runs import PER_UNIT, clem_run, read_manifest, unit_survey

__all__ = ["run"]


def run(*, quick: bool, work_dir: Path, seed: int, notebooks_dir: Path | None = None,
        n_units: int | None = None, per_unit: int | None = None, repeats: int | None = None) -> Report:
    from dask.distributed import Client, LocalCluster

    n_units = n_units or (2 if quick else 24)
    per_unit = per_unit or (60 if quick else PER_UNIT)
    notebooks_dir = Path(notebooks_dir or PROJECT_ROOT / "notebooks")
    report = Report("scaleout", quick=quick, parameters={"units": n_units, "per_unit": per_unit,
                                                         "dask_workers": 2, "threads_per_worker": 1,
                                                         "notebooks": str(notebooks_dir)})
    files = unit_survey(work_dir, n_units, per_unit=per_unit, seed=seed)
    base = Path(work_dir) / "scaleout"

    repeats = repeats or (1 if quick else 2)

    def jobs_run(i: int):
        out = base / f"jobs2-{i}"
        shutil.rmtree(out, ignore_errors=True)
        return out, clem_run(files, out, jobs=2, notebooks_dir=notebooks_dir)

    jobs_runs = [jobs_run(1)]
    dask_runs = []
    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           local_directory=str(base / "dask-scratch"))
    client = Client(cluster)
    try:
        worker_pids = list(client.run(os.getpid).values())
        startup = time.perf_counter() - t0
        for i in range(1, repeats + 1):
            out = base / f"dask-{i}"
            shutil.rmtree(out, ignore_errors=True)
            dask_runs.append((out, clem_run(files, out, scheduler=cluster.scheduler_address,
                                            notebooks_dir=notebooks_dir, extra_roots=lambda: worker_pids)))
    finally:
        client.close()
        cluster.close()
    for i in range(2, repeats + 1):
        jobs_runs.append(jobs_run(i))

    for name, runs in (("jobs2", jobs_runs), ("dask", dask_runs)):
        for i, (out, _) in enumerate(runs, 1):
            failed = [u["unit"] for u in read_manifest(out).get("units", []) if u.get("status") != "ok"]
            if failed:
                report.note(f"{name} run {i}: {len(failed)} unit(s) failed")
    jobs_s = statistics.mean(r.wall_s for _, r in jobs_runs)
    dask_s = statistics.mean(r.wall_s for _, r in dask_runs)
    report.details["jobs2_runs_s"] = [r.wall_s for _, r in jobs_runs]
    report.details["dask_runs_s"] = [r.wall_s for _, r in dask_runs]
    report.figure("repeats", repeats)
    report.figure("jobs2_s", jobs_s)
    report.figure("dask_s", dask_s)
    report.figure("cluster_start_s", startup)

    def peak(runs, role):
        return max(r.peak_by_role().get(role, 0) for _, r in runs)

    report.figure("jobs2_worker_peak_bytes", peak(jobs_runs, "worker"))
    report.figure("jobs2_kernel_peak_bytes", peak(jobs_runs, "kernel"))
    report.figure("dask_worker_peak_bytes", peak(dask_runs, "dask_worker"))
    report.figure("dask_kernel_peak_bytes", peak(dask_runs, "kernel"))
    report.check("time: Dask LocalCluster (2 workers) / --jobs 2", dask_s, jobs_s, 1.15,
                 what=f"mean wall time of clem run on {n_units} units, {repeats} run(s) each"
                      + (f" (order: --jobs 2, Dask x {repeats}, --jobs 2 x {repeats - 1})" if repeats > 1 else "")
                      + "; cluster start-up not included")
    return report
