"""Benchmark ``clean``: clean and score a national-scale survey.

A generated survey of 1,000,000 responses (7,000 units, 3 sectors) in the raw
export format of the bundled sample is cleaned (``clem_lib.clean_survey``:
read, normalise labels and units, range checks, duplicates, privacy, audit
log) and scored to the IKM per unit and sector (``clem_lib.ikm``, default
delta-method interval). Baseline, in the same run: ``pandas.read_csv`` of the
same file.

From pandas 3.1, ``read_csv`` of a large local file parses byte ranges in
several threads (``mode.max_threads``; default ``min(CPUs, 6)``), so on two
cores the baseline itself uses both. The same read with one thread
(``mode.max_threads = 1``, as pandas before 3.1 reads) is timed beside it
and reported as a second ratio, for information: the target stays against the
default read.

Targets: clean + score wall time <= 3x the read time; peak memory <= 3x the
loaded frame (``memory_usage(deep=True)`` of the read).

Memory is the increase of the process's resident set (kernel high-water
mark) above what it held after its imports, each measurement in a fresh
interpreter (see ``benchmarks.child``).

The read, clem and the one-thread read run five times each, interleaved, and the figures are
medians (one run, in quick mode). clem runs with an empty units cache
(``CLEM_CACHE_DIR`` a new folder: the YAML is parsed, as on a first run); one
more run with the cache left by the last one is reported beside it.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from .harness import Report, run_task
from .survey import generate_survey

__all__ = ["run", "read_task", "clean_score_task"]

FULL = {"n_responses": 1_000_000, "n_units": 7_000}
QUICK = {"n_responses": 20_000, "n_units": 140}


# ---- tasks run in a fresh interpreter by benchmarks.child -----------------
def read_task(path: str, sep: str, threads: int | None = None) -> dict:
    """Baseline: pandas just reading the file (``threads``: ``mode.max_threads``, None = pandas' default)."""
    import pandas as pd

    try:
        pd.get_option("mode.max_threads")
        threaded = True
    except pd.errors.OptionError:  # pandas before 3.1: read_csv has one thread only
        threaded = False
    if threads is None or not threaded:
        frame = pd.read_csv(path, sep=sep)
    else:
        with pd.option_context("mode.max_threads", threads):
            frame = pd.read_csv(path, sep=sep)
    return {"rows": int(len(frame)), "columns": int(frame.shape[1]),
            "frame_bytes": int(frame.memory_usage(deep=True).sum()), "pandas": pd.__version__,
            "threads": threads, "max_threads_option": threaded}


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
        n_responses: int | None = None, n_units: int | None = None, repeats: int | None = None) -> Report:
    size = dict(QUICK if quick else FULL)
    if n_responses:
        size["n_responses"] = n_responses
    if n_units:
        size["n_units"] = n_units
    repeats = repeats or (1 if quick else 5)
    report = Report("clean", quick=quick, parameters={**size, "seed": seed, "sectors": 3, "repeats": repeats})
    files = generate_survey(Path(work_dir) / f"national-{size['n_units']}", seed=seed, **size)
    report.details["files"] = {"data": str(files.data), "data_bytes": files.data.stat().st_size}
    report.figure("file_bytes", files.data.stat().st_size)

    # interleaved repeats, each in a fresh process; the figures are medians. One run of each
    # can fall on a busy moment (a first read right after the file was written took 3x the others).
    # clem runs with an empty units cache (cold: the YAML is parsed, as on a first run); one more
    # run afterwards reuses the last cache (warm: what every later run over the same units.yml sees).
    def clean_score(cache_dir: Path) -> dict:
        return run_task("benchmarks.bench_clean:clean_score_task", path=str(files.data),
                        codebook=str(files.codebook), units=str(files.units),
                        env={"CLEM_CACHE_DIR": str(cache_dir)})

    reads, reads_1, cleans = [], [], []
    with tempfile.TemporaryDirectory(prefix="clem-bench-cache-") as caches:
        for i in range(repeats):
            reads.append(run_task("benchmarks.bench_clean:read_task", path=str(files.data), sep=files.sep))
            cleans.append(clean_score(Path(caches) / f"run{i}"))
            reads_1.append(run_task("benchmarks.bench_clean:read_task", path=str(files.data), sep=files.sep,
                                    threads=1))
        warm = clean_score(Path(caches) / f"run{repeats - 1}")
    report.details["read_runs"] = reads
    report.details["read_one_thread_runs"] = reads_1
    report.details["clean_score_runs"] = cleans
    report.details["clean_score_warm"] = warm
    # rows, frame size and table size are the same in every run (same file, same code)
    read, clem = reads[0], cleans[0]
    report.figure("repeats", repeats)
    report.figure("rows", read["rows"])
    _spread(report, "read_s", [r["wall_s"] for r in reads])
    _spread(report, "read_one_thread_s", [r["wall_s"] for r in reads_1])
    report.figure("read_cpu_s", statistics.median(r["cpu_s"] for r in reads))
    report.figure("frame_bytes", read["frame_bytes"])
    report.figure("read_peak_increase_bytes", statistics.median(r["peak_increase_bytes"] for r in reads))
    report.figure("clean_s", statistics.median(r["clean_s"] for r in cleans))
    report.figure("score_s", statistics.median(r["score_s"] for r in cleans))
    _spread(report, "clean_score_s", [r["wall_s"] for r in cleans])
    report.figure("clean_score_cpu_s", statistics.median(r["cpu_s"] for r in cleans))
    report.figure("clean_score_warm_units_s", warm["wall_s"])
    report.figure("clean_score_peak_increase_bytes", max(r["peak_increase_bytes"] for r in cleans))
    report.figure("clean_score_peak_rss_bytes", max(r["peak_rss_bytes"] for r in cleans))
    report.figure("rows_in_table", clem["rows_in_table"])
    report.figure("groups_scored", clem["groups_scored"])

    report.check("time: clean+score / read_csv", report.figures["clean_score_s"], report.figures["read_s"], 3.0,
                 what=f"median wall time of clean_survey + ikm(by=[unit, sector]) (units cache empty) over the "
                      f"median of pd.read_csv, {repeats} interleaved runs each")
    report.check("memory: peak increase / loaded frame", report.figures["clean_score_peak_increase_bytes"],
                 read["frame_bytes"], 3.0, unit="bytes",
                 what="largest peak RSS above the post-import RSS over memory_usage(deep=True) of the read frame")
    f = report.figures
    report.note(f"against pandas {read['pandas']} reading with one thread ({f['read_one_thread_s']:.2f} s): "
                f"{f['clean_score_s'] / f['read_one_thread_s']:.2f}x (for information; the target is against "
                f"the default read, {f['read_s']:.2f} s)")
    report.note(f"CPU time (user + system): clean+score {f['clean_score_cpu_s']:.2f} s, read {f['read_cpu_s']:.2f} s "
                f"({f['clean_score_cpu_s'] / f['read_cpu_s']:.2f}x)")
    report.note(f"with the units cache filled by an earlier run: clean+score {warm['wall_s']:.2f} s "
                f"({warm['wall_s'] / report.figures['read_s']:.2f}x the read)")
    if profile or (profile is None and not report.checks[0]["met"]):
        out = Path(work_dir) / "clean_profile.pstats"
        with tempfile.TemporaryDirectory(prefix="clem-bench-cache-") as cache:
            run_task("benchmarks.bench_clean:profile_task", path=str(files.data), codebook=str(files.codebook),
                     units=str(files.units), out=str(out), env={"CLEM_CACHE_DIR": cache})
        report.details["profile"] = top_functions(out)
        report.note(f"cleaning profile (cProfile, cumulative) in {out}; top entries in details.profile")
    return report


def _spread(report: Report, key: str, values: list[float]) -> None:
    """Figures ``key`` (the median of the runs), ``key_min`` and ``key_max``."""
    report.figure(key, statistics.median(values))
    report.figure(f"{key}_min", min(values))
    report.figure(f"{key}_max", max(values))


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
