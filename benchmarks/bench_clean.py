"""Benchmark ``clean``: clean and score a national-scale survey.

A generated survey of 1,000,000 responses (7,000 units, 3 sectors) in the raw
export format of the bundled sample is cleaned (``clem_lib.clean_survey``:
read, normalise labels and units, range checks, duplicates, privacy, audit
log) and scored to the IKM per unit and sector (``clem_lib.ikm``, default
delta-method interval). Baseline, in the same run: ``pandas.read_csv`` of the
same file.

Targets: clean + score wall time <= 3x the read time; peak memory <= 3x the
loaded frame (``memory_usage(deep=True)`` of the read).

Memory is the increase of the process's resident set (kernel high-water
mark) above what it held after its imports, each measurement in a fresh
interpreter (see ``benchmarks.child``).
"""

from __future__ import annotations

from pathlib import Path

from .harness import Report, run_task
from .survey import generate_survey

__all__ = ["run", "read_task", "clean_score_task"]

FULL = {"n_responses": 1_000_000, "n_units": 7_000}
QUICK = {"n_responses": 20_000, "n_units": 140}


# ---- tasks run in a fresh interpreter by benchmarks.child -----------------
def read_task(path: str, sep: str) -> dict:
    """Baseline: pandas just reading the file."""
    import pandas as pd

    frame = pd.read_csv(path, sep=sep)
    return {"rows": int(len(frame)), "columns": int(frame.shape[1]),
            "frame_bytes": int(frame.memory_usage(deep=True).sum())}


def clean_score_task(path: str, codebook: str, units: str) -> dict:
    """clem: clean the raw export, then the IKM per unit and sector."""
    import time

    import clem_lib

    t0 = time.perf_counter()
    result = clem_lib.clean_survey(path, codebook, units)
    clean_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores = clem_lib.ikm(result.table, by=["unit", "sector"])
    score_s = time.perf_counter() - t0
    return {"rows_in_table": int(len(result.table)), "log_rows": int(len(result.log)),
            "groups_scored": int(len(scores)), "clean_s": clean_s, "score_s": score_s,
            "table_bytes": int(result.table.memory_usage(deep=True).sum())}


def profile_task(path: str, codebook: str, units: str, out: str) -> dict:
    """cProfile of the cleaning, written to ``out`` (a pstats file)."""
    import cProfile

    import clem_lib

    prof = cProfile.Profile()
    prof.enable()
    clem_lib.clean_survey(path, codebook, units)
    prof.disable()
    prof.dump_stats(out)
    return {}


# ---- the benchmark --------------------------------------------------------
def run(*, quick: bool, work_dir: Path, seed: int, profile: bool | None = None,
        n_responses: int | None = None, n_units: int | None = None) -> Report:
    size = dict(QUICK if quick else FULL)
    if n_responses:
        size["n_responses"] = n_responses
    if n_units:
        size["n_units"] = n_units
    report = Report("clean", quick=quick, parameters={**size, "seed": seed, "sectors": 3})
    files = generate_survey(Path(work_dir) / f"national-{size['n_units']}", seed=seed, **size)
    report.details["files"] = {"data": str(files.data), "data_bytes": files.data.stat().st_size}
    report.figure("file_bytes", files.data.stat().st_size)

    read = run_task("benchmarks.bench_clean:read_task", path=str(files.data), sep=files.sep)
    clem = run_task("benchmarks.bench_clean:clean_score_task", path=str(files.data),
                    codebook=str(files.codebook), units=str(files.units))
    report.details["read"] = read
    report.details["clean_score"] = clem

    report.figure("rows", read["rows"])
    report.figure("read_s", read["wall_s"])
    report.figure("frame_bytes", read["frame_bytes"])
    report.figure("read_peak_increase_bytes", read["peak_increase_bytes"])
    report.figure("clean_s", clem["clean_s"])
    report.figure("score_s", clem["score_s"])
    report.figure("clean_score_s", clem["wall_s"])
    report.figure("clean_score_peak_increase_bytes", clem["peak_increase_bytes"])
    report.figure("clean_score_peak_rss_bytes", clem["peak_rss_bytes"])
    report.figure("rows_in_table", clem["rows_in_table"])
    report.figure("groups_scored", clem["groups_scored"])

    report.check("time: clean+score / read_csv", clem["wall_s"], read["wall_s"], 3.0,
                 what="wall time of clean_survey + ikm(by=[unit, sector]) over pd.read_csv")
    report.check("memory: peak increase / loaded frame", clem["peak_increase_bytes"], read["frame_bytes"],
                 3.0, unit="bytes",
                 what="peak RSS above the post-import RSS over memory_usage(deep=True) of the read frame")
    if profile or (profile is None and not report.checks[0]["met"]):
        out = Path(work_dir) / "clean_profile.pstats"
        run_task("benchmarks.bench_clean:profile_task", path=str(files.data), codebook=str(files.codebook),
                 units=str(files.units), out=str(out))
        report.details["profile"] = top_functions(out)
        report.note(f"cleaning profile (cProfile, cumulative) in {out}; top entries in details.profile")
    return report


def top_functions(pstats_path: Path, n: int = 25) -> list[dict]:
    """The functions with the most own time (tottime) and their cumulative time."""
    import pstats

    stats = pstats.Stats(str(pstats_path))
    total = stats.total_tt
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():
        rows.append({"function": func, "file": file, "line": line, "calls": nc, "tottime_s": tt,
                     "cumtime_s": ct, "tottime_share": tt / total if total else 0.0})
    rows.sort(key=lambda r: -r["tottime_s"])
    return rows[:n]
