"""Measuring tools shared by the benchmarks.

Every measurement runs in a fresh process, so that one benchmark's caches,
imports and heap do not leak into the next, and memory is the operating
system's view of it (resident set size), not Python's.

- :func:`run_task` runs a Python function in a fresh interpreter
  (``benchmarks.child``) and returns its wall time and peak RSS.
- :func:`run_command` runs a command line (``clem run``, ``papermill``) and
  polls its whole process tree: wall time, the peak RSS of every process in it
  (read from the kernel's high-water mark, so short peaks between two polls
  are not missed), grouped by role (runner, worker, kernel), and the peak of
  the tree's summed RSS.
- :class:`Report` collects figures and checks (value, baseline, ratio, target,
  met), prints them and writes ``benchmarks/results/<name>.json``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .child import proc_status_bytes

__all__ = [
    "BENCH_DIR",
    "PROJECT_ROOT",
    "RESULTS_DIR",
    "CommandResult",
    "Report",
    "machine_info",
    "run_command",
    "run_task",
    "venv_bin",
]

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


def venv_bin(name: str) -> str:
    """Path of a console script installed beside the running interpreter."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def _lscpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine_info() -> dict:
    """The machine and software a figure was measured on."""
    import psutil

    versions = {}
    for mod in ("numpy", "pandas", "pyarrow", "papermill", "dask", "distributed"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            versions[mod] = None
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _lscpu_model(),
        "memory_total_bytes": psutil.virtual_memory().total,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "git_commit": _git_commit(),
        "loadavg": list(os.getloadavg()),
    }


# --------------------------------------------------------------------- tasks
def run_task(target: str, *, timeout: float | None = None, env: dict | None = None, **kwargs) -> dict:
    """Run ``module:function(**kwargs)`` in a fresh interpreter and measure it.

    Returns the function's own dict of figures plus ``wall_s`` (the call only),
    ``import_s`` (importing the module), ``cpu_s``, ``rss_before_bytes`` (after
    imports), ``peak_rss_bytes`` (high-water mark of the process) and
    ``peak_increase_bytes`` (peak minus the RSS after imports), and
    ``process_s``: the child's whole life seen from outside.
    """
    with tempfile.TemporaryDirectory(prefix="clem-bench-") as tmp:
        out = Path(tmp) / "out.json"
        cmd = [sys.executable, "-m", "benchmarks.child", target, json.dumps(kwargs), str(out)]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=PROJECT_ROOT, env=_env(env), capture_output=True, text=True,
                              timeout=timeout)
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"benchmark task {target} failed (exit {proc.returncode}):\n"
                               f"{proc.stderr[-4000:]}")
        result = json.loads(out.read_text(encoding="utf-8"))
    result["process_s"] = elapsed
    return result


def allocate_task(mib: int, seconds: float = 0.0) -> dict:
    """A task for checking the harness: hold ``mib`` MiB of touched memory."""
    block = bytearray(mib * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    time.sleep(seconds)
    return {"allocated_bytes": len(block)}


def _env(extra: dict | None) -> dict:
    env = dict(os.environ)
    # the benchmarks package must be importable from the child
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    if extra:
        env.update(extra)
    return env


# ------------------------------------------------------------------ commands
@dataclass
class CommandResult:
    """What :func:`run_command` measured."""

    cmd: list[str]
    returncode: int
    wall_s: float
    stdout: str
    stderr: str
    peaks: dict[int, dict] = field(default_factory=dict)
    tree_peak_bytes: int = 0

    def peak_by_role(self) -> dict[str, int]:
        """Largest single-process peak RSS for each role."""
        out: dict[str, int] = {}
        for info in self.peaks.values():
            if info["role"]:  # a process gone before its command line could be read has no role
                out[info["role"]] = max(out.get(info["role"], 0), info["hwm"])
        return out

    def check(self) -> "CommandResult":
        if self.returncode != 0:
            raise RuntimeError(f"command failed (exit {self.returncode}): {' '.join(self.cmd)}\n"
                               f"{self.stderr[-4000:]}")
        return self


def default_role(cmdline: list[str], depth: int) -> str:
    """Name a process of the measured tree by what it runs."""
    text = " ".join(cmdline)
    if "ipykernel_launcher" in text or "ipykernel" in text:
        return "kernel"
    if depth == 0:
        return "runner"
    if "distributed" in text or "dask" in text:
        return "dask_worker"
    return "worker"


def _children_of(pid: int) -> list[int]:
    """Children of every thread of ``pid`` (a child started from a worker thread is listed under it)."""
    out: list[int] = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", encoding="ascii") as fh:
                out.extend(int(x) for x in fh.read().split())
        except OSError:
            continue
    return out


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return [p.decode(errors="replace") for p in fh.read().split(b"\0") if p]
    except OSError:
        return []


def _label_kernel(info: dict, cmdline: list[str]) -> None:
    """Tell a unit's kernel from the city overview's, for kernels started by ``clem run``.

    The batch runner keeps each cold kernel's connection file and a ``task.json``
    (``kind``: ``unit`` or ``city``) in one private folder; a warm kernel's
    folder is named ``clem-warm-*`` and runs units' reports only. Kernels of
    other launchers stay unlabelled.
    """
    try:
        conn = cmdline[cmdline.index("-f") + 1]
    except (ValueError, IndexError):
        info["notebook"] = None
        return
    if Path(conn).parent.name.startswith("clem-warm-"):
        info["notebook"] = "location_report"  # a warm kernel runs units' reports only
        return
    task = Path(conn).parent / "task.json"
    if not task.exists():
        return  # not written yet: try again at the next poll
    try:
        kind = json.loads(task.read_text(encoding="utf-8"))["kind"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    info["notebook"] = "location_report" if kind == "unit" else "city_overview"
    if info["notebook"] == "city_overview":
        info["role"] = "city_kernel"


def _poll_tree(root: int, peaks: dict, stop: threading.Event, interval: float, state: dict) -> None:
    while not stop.is_set():
        total = 0
        stack = [(root, 0)]
        while stack:
            pid, depth = stack.pop()
            try:
                hwm = proc_status_bytes("VmHWM", pid)
                rss = proc_status_bytes("VmRSS", pid)
            except (OSError, KeyError, ValueError):
                continue
            total += rss
            info = peaks.get(pid)
            if info is None:
                info = peaks[pid] = {"role": "", "hwm": 0, "cmd": "", "depth": depth}
            # read the command line every time: a forked child shows its parent's until it execs
            cmdline = _cmdline(pid)
            if cmdline:
                cmd = " ".join(cmdline)[:200]
                if cmd != info["cmd"]:  # exec'd into another program: a new address space
                    info["hwm"] = 0
                    info.pop("notebook", None)
                    info["role"] = default_role(cmdline, depth)
                    info["cmd"] = cmd
            info["hwm"] = max(info["hwm"], hwm)
            if info["role"] == "kernel" and "notebook" not in info:
                _label_kernel(info, cmdline)
            stack.extend((c, depth + 1) for c in _children_of(pid))
        state["tree_peak"] = max(state.get("tree_peak", 0), total)
        stop.wait(interval)


def run_command(cmd: list[str], *, cwd: str | Path | None = None, env: dict | None = None,
                timeout: float | None = None, poll_interval: float = 0.1,
                extra_roots=None) -> CommandResult:
    """Run ``cmd`` to completion, timing it and polling its process tree.

    ``extra_roots`` is a callable returning pids of processes outside the tree
    that do part of the work (the workers of a Dask cluster started by this
    process); their peaks are recorded too, with the role ``dask_worker``.
    """
    peaks: dict[int, dict] = {}
    state: dict = {}
    stop = threading.Event()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd or PROJECT_ROOT, env=_env(env), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    poller = threading.Thread(target=_poll_tree, args=(proc.pid, peaks, stop, poll_interval, state),
                              daemon=True)
    poller.start()
    extra_state: dict = {}
    extra_threads = []
    extra_peaks: dict[int, dict] = {}
    for pid in (extra_roots() if extra_roots else []):
        th = threading.Thread(target=_poll_tree, args=(pid, extra_peaks, stop, poll_interval, extra_state),
                              daemon=True)
        th.start()
        extra_threads.append(th)
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    stop.set()
    poller.join()
    for th in extra_threads:
        th.join()
    for pid, info in extra_peaks.items():
        if info["role"] != "kernel":
            info["role"] = "dask_worker"
        peaks[-pid] = info  # negative keys: outside the command's own tree
    return CommandResult(cmd=[str(c) for c in cmd], returncode=proc.returncode, wall_s=wall,
                         stdout=stdout, stderr=stderr, peaks=peaks,
                         tree_peak_bytes=state.get("tree_peak", 0) + extra_state.get("tree_peak", 0))


# -------------------------------------------------------------------- report
def _finite_positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


class Report:
    """Figures and checks of one benchmark run, printed and written as JSON."""

    def __init__(self, name: str, *, quick: bool, parameters: dict | None = None):
        self.name = name
        self.quick = quick
        self.parameters = dict(parameters or {})
        self.figures: dict[str, float] = {}
        self.checks: list[dict] = []
        self.notes: list[str] = []
        self.details: dict = {}
        self.started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        self._t0 = time.perf_counter()
        self.machine = machine_info()

    def figure(self, key: str, value: float) -> float:
        self.figures[key] = float(value)
        return float(value)

    def check(self, name: str, value: float, baseline: float, limit: float, *, unit: str = "s",
              what: str = "") -> dict:
        """Record ``value / baseline`` against ``ratio <= limit``."""
        ratio = value / baseline if baseline else math.inf
        entry = {"name": name, "value": float(value), "baseline": float(baseline), "ratio": ratio,
                 "limit": float(limit), "target": f"ratio <= {limit:g}", "met": bool(ratio <= limit),
                 "unit": unit, "what": what}
        self.checks.append(entry)
        return entry

    def note(self, text: str) -> None:
        self.notes.append(text)

    def as_dict(self) -> dict:
        return {
            "benchmark": self.name,
            "quick": self.quick,
            "started": self.started,
            "duration_s": time.perf_counter() - self._t0,
            "machine": self.machine,
            "loadavg_end": list(os.getloadavg()),
            "parameters": self.parameters,
            "figures": self.figures,
            "checks": self.checks,
            "all_met": all(c["met"] for c in self.checks),
            "notes": self.notes,
            "details": self.details,
        }

    def write(self, results_dir: Path | None = None) -> Path:
        results_dir = Path(results_dir or RESULTS_DIR)
        results_dir.mkdir(parents=True, exist_ok=True)
        path = results_dir / f"{self.name}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.as_dict(), indent=2, sort_keys=False) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path

    def print(self, file=None) -> None:
        file = file or sys.stdout
        mode = " (quick)" if self.quick else ""
        print(f"\n== {self.name}{mode} ==", file=file)
        for key, value in self.figures.items():
            print(f"  {key:<40} {_fmt(key, value)}", file=file)
        for c in self.checks:
            verdict = "MET" if c["met"] else "MISSED"
            print(f"  {c['name']:<40} {_fmt(c['unit'], c['value'])} vs {_fmt(c['unit'], c['baseline'])}"
                  f"  ratio {c['ratio']:.3f}  target <= {c['limit']:g}  {verdict}", file=file)
        for n in self.notes:
            print(f"  note: {n}", file=file)
        load = os.getloadavg()
        print(f"  load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
              f"{self.machine['cpus']} cpus", file=file)


def _fmt(key: str, value: float) -> str:
    if key.endswith("bytes") or key == "bytes":
        return f"{value / 2**20:,.1f} MiB"
    if key.endswith("_s") or key == "s":
        return f"{value:,.2f} s"
    return f"{value:,.4g}"
