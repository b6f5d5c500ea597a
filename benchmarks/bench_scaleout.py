"""Benchmark ``scaleout``: the 24-unit batch on a Dask LocalCluster against ``--jobs 2``.

The cluster (two worker processes, one thread each) is started before the
timed run, as a cluster is when a user passes ``--scheduler ADDRESS``; its
start-up time is reported apart. Both runs use the same generated survey (24
units of 250 responses) and the bundled notebooks; the ``--jobs 2`` run is the
baseline, measured in the same run.

Target: Dask run <= 1.15 x the ``--jobs 2`` run (overhead <= 15%).
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from .harness import PROJECT_ROOT, Report
from .runs import PER_UNIT, clem_run, read_manifest, unit_survey

__all__ = ["run"]


def run(*, quick: bool, work_dir: Path, seed: int, notebooks_dir: Path | None = None,
        n_units: int | None = None, per_unit: int | None = None) -> Report:
    from dask.distributed import Client, LocalCluster

    n_units = n_units or (2 if quick else 24)
    per_unit = per_unit or (60 if quick else PER_UNIT)
    notebooks_dir = Path(notebooks_dir or PROJECT_ROOT / "notebooks")
    report = Report("scaleout", quick=quick, parameters={"units": n_units, "per_unit": per_unit,
                                                         "dask_workers": 2, "threads_per_worker": 1,
                                                         "notebooks": str(notebooks_dir)})
    files = unit_survey(work_dir, n_units, per_unit=per_unit, seed=seed)
    base = Path(work_dir) / "scaleout"

    out_jobs = base / "jobs2"
    shutil.rmtree(out_jobs, ignore_errors=True)
    jobs = clem_run(files, out_jobs, jobs=2, notebooks_dir=notebooks_dir)

    t0 = time.perf_counter()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           local_directory=str(base / "dask-scratch"))
    client = Client(cluster)
    try:
        worker_pids = list(client.run(os.getpid).values())
        startup = time.perf_counter() - t0
        out_dask = base / "dask"
        shutil.rmtree(out_dask, ignore_errors=True)
        dask = clem_run(files, out_dask, scheduler=cluster.scheduler_address, notebooks_dir=notebooks_dir,
                        extra_roots=lambda: worker_pids)
    finally:
        client.close()
        cluster.close()

    for name, out in (("jobs2", out_jobs), ("dask", out_dask)):
        failed = [u["unit"] for u in read_manifest(out).get("units", []) if u.get("status") != "ok"]
        if failed:
            report.note(f"{name}: {len(failed)} unit(s) failed")
    report.figure("jobs2_s", jobs.wall_s)
    report.figure("dask_s", dask.wall_s)
    report.figure("cluster_start_s", startup)
    jr, dr = jobs.peak_by_role(), dask.peak_by_role()
    report.figure("jobs2_worker_peak_bytes", jr.get("worker", 0))
    report.figure("jobs2_kernel_peak_bytes", jr.get("kernel", 0))
    report.figure("dask_worker_peak_bytes", dr.get("dask_worker", 0))
    report.figure("dask_kernel_peak_bytes", dr.get("kernel", 0))
    report.check("time: Dask LocalCluster (2 workers) / --jobs 2", dask.wall_s, jobs.wall_s, 1.15,
                 what=f"clem run on {n_units} units; cluster start-up not included")
    return report
