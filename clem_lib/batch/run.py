"""The batch runner behind ``clem run``: clean once, one report per unit, in parallel.

Steps
    1. validate and clean the raw export once -> ``<out>/cleaned.parquet`` and
       ``<out>/cleaning_log.csv``;
    2. execute ``location_report.ipynb`` once per unit and ``city_overview.ipynb``
       once, with papermill, in a pool of processes (or on a Dask cluster);
    3. render each executed notebook as a self-contained HTML page;
    4. write ``index.html``, ``results.csv`` and ``manifest.json``.

How the known failure modes of parallel papermill are avoided
    * Kernels racing for TCP ports (``ZMQError: Address already in use``):
      every kernel talks over IPC (Unix sockets) in a private temporary
      folder, with its own connection file; no port is ever chosen.
    * Pools whose notebooks silently run nothing: workers are started with the
      ``spawn`` method (no forked copies of zmq contexts or event loops), and
      every executed notebook is checked: each code cell must have run and the
      results file must exist, otherwise the unit is reported as failed.
    * ``cwd`` is process-wide and not thread-safe: nothing calls ``os.chdir``;
      every path handed to a notebook is absolute and the kernel's working
      folder is set when it is launched.
    * Kernels are launched from the running interpreter (``sys.executable``),
      so no registered Jupyter kernel is needed.

Every file in the output folder is written to a temporary name in the same
folder and renamed into place: a reader never sees half a file. The manifest is
written first with status ``running`` and last with the final status, so an
interrupted run is recognisable and ``--retry-failed`` resumes it.
"""

from __future__ import annotations

import concurrent.futures as cf
import dataclasses
import hashlib
import json
import math
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

from ..errors import ClemInputError
from ..results import check_results_text, read_results
from .kernels import make_kernel_manager, shutdown_kernel, warm_kernel, worker_init
from ..paths import CHECKLIST_FILE, NOTEBOOKS_DIR, OUTPUTS_DIR, SAMPLE_CODEBOOK, SAMPLE_DATA, UNITS_FILE

__all__ = [
    "NotebookTask",
    "NotebookOutcome",
    "RunResult",
    "execute_notebook_task",
    "run_notebooks",
    "normalize_notebook",
    "headline_figures",
    "resolve_units",
    "run_reports",
    "run_survey",
    "RunInterrupted",
]

_CITY_KEY = "city_overview"
_PARTS = ".parts"  # per-notebook results rows, kept for --retry-failed
_DASK_CONNECT_TIMEOUT = "20s"  # how long to wait for a Dask scheduler to answer
_RESERVED_SLUGS = {"index", "results", "manifest", "cleaning_log", "cleaning_summary", "cleaned", _CITY_KEY}
_PACKAGES = (
    "clem", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn", "pyarrow",
    "papermill", "nbclient", "nbconvert", "nbformat", "ipykernel", "jupyter_client", "pyzmq",
    "dask", "distributed",
)


# ---------------------------------------------------------------------------
# Small helpers: atomic writes, hashes
# ---------------------------------------------------------------------------


def _atomic_write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _atomic_write_text(path: Path, text: str) -> Path:
    return _atomic_write_bytes(path, text.encode("utf-8"))


def _sha256(path) -> str | None:
    path = Path(path)
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _one_line(text: str, limit: int = 500) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------
# One notebook execution (runs in a worker process, or on a Dask worker)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookTask:
    """One notebook to execute: what, with which parameters, where.

    Attributes
    ----------
    key : str
        File stem of the outputs (the unit's slug, or ``"city_overview"``).
    label : str
        Human name (the canonical unit name), used as the page title.
    kind : {"unit", "city"}
    notebook : str
        Absolute path of the source notebook.
    parameters : mapping
        Papermill parameters (plain str / int / float values).
    cwd : str
        Absolute working folder of the kernel.
    lang : {"id", "en"}
        Language of the rendered page's table of contents.
    results_path : str
        Absolute path where the notebook writes its results rows ("" = none).
    timeout : float or None
        Seconds one cell may run before the unit is failed (None = no limit).
    startup_timeout : float
        Seconds the kernel may take to start.
    warm : bool
        Execute in the worker's warm kernel (:class:`clem_lib.kernels.WarmKernel`:
        started once, imports done, reset before each notebook) instead of a
        kernel started for this notebook alone.
    """

    key: str
    label: str
    kind: str
    notebook: str
    parameters: Mapping
    cwd: str
    lang: str = "id"
    results_path: str = ""
    timeout: float | None = 1800.0
    startup_timeout: float = 120.0
    warm: bool = False


@dataclass(frozen=True)
class NotebookOutcome:
    """What came back from one execution.

    Attributes
    ----------
    key, label, kind : str
        As in the task.
    status : {"ok", "failed"}
    error : str or None
        One line: where and what (``cell 4: ValueError: ...``).
    ipynb : str
        The executed notebook (partial, with papermill's error banner, on
        failure), volatile metadata removed.
    html : str
        The rendered page ("" only when rendering itself failed).
    results : str or None
        Text of the results CSV the notebook wrote.
    seconds : float
        Wall time of the execution and rendering.
    cells_run, cells_total : int
        Code cells executed / present.
    host : str
        ``hostname:pid`` of the process that ran it.
    """

    key: str
    label: str
    kind: str
    status: str
    error: str | None
    ipynb: str = ""
    html: str = ""
    results: str | None = None
    seconds: float = 0.0
    cells_run: int = 0
    cells_total: int = 0
    host: str = ""


def normalize_notebook(nb, *, source_ids: Iterable[str] = (), input_name: str = "",
                       output_name: str = ""):
    """Remove what changes from run to run, so the same input gives the same bytes.

    Drops papermill's start/end times and durations (notebook and cells),
    nbclient's per-cell ``execution`` timestamps, papermill's record of the
    temporary paths; gives cells added during execution (the injected
    parameters, the error banner) ids derived from their position instead of
    random ones. The parameters stay in ``metadata.papermill.parameters``: they
    are the report's provenance.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        Changed in place and returned.
    source_ids : iterable of str
        Cell ids of the source notebook (kept as they are).
    input_name, output_name : str
        Recorded as ``metadata.papermill.input_path`` / ``output_path``.
    """
    keep = set(source_ids)
    pm = nb.metadata.get("papermill")
    if pm is not None:
        for k in ("start_time", "end_time", "duration"):
            pm.pop(k, None)
        pm["input_path"] = input_name
        pm["output_path"] = output_name
        pm["environment_variables"] = {}
    used = set()
    for i, cell in enumerate(nb.cells):
        md = cell.get("metadata", {})
        md.pop("execution", None)
        cpm = md.get("papermill")
        if cpm is not None:
            for k in ("start_time", "end_time", "duration"):
                cpm.pop(k, None)
        cid = cell.get("id")
        if cid is None or cid not in keep or cid in used:
            tags = md.get("tags", [])
            stem = "injected-parameters" if "injected-parameters" in tags else (
                "papermill-error" if any(str(t).startswith("papermill-error") for t in tags) else "cell")
            cid = f"{stem}-{i}"
            if "id" in cell or nb.get("nbformat_minor", 0) >= 5:
                cell["id"] = cid
        used.add(cid)
    return nb


def _error_banner(nb, message: str):
    """Put a visible error cell at the top when papermill could not write its own."""
    import nbformat

    tags = [t for c in nb.cells for t in c.get("metadata", {}).get("tags", [])]
    if any(str(t).startswith("papermill-error") for t in tags):
        return nb
    cell = nbformat.v4.new_markdown_cell(
        '<span style="color:red; font-size:1.5em;">This report could not be completed / '
        "Laporan ini tidak dapat diselesaikan.</span>\n\n```\n" + message.replace("```", "'''") + "\n```",
        metadata={"tags": ["papermill-error-cell-tag"]},
    )
    nb.cells.insert(0, cell)
    return nb


def _papermill(task: NotebookTask, out_path: str, km) -> str | None:
    """Execute ``task.notebook`` into ``out_path`` in the kernel of ``km``; the error text, or None.

    Raises what is not a notebook's own error (a dead kernel, a cell timeout, ...).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            task.notebook,
            out_path,
            parameters=dict(task.parameters),
            progress_bar=False,
            log_output=False,
            # written once at the end (and, with its error banner, when a cell fails): saving after
            # every cell rewrote the growing notebook, images and all, about 100 times per report
            request_save_on_cell_execute=False,
            start_timeout=task.startup_timeout,
            execution_timeout=task.timeout,
            km=km,
            resources={"metadata": {"path": task.cwd}},
        )
    except PapermillExecutionError as exc:
        return f"cell {exc.exec_count}: {exc.ename}: {_one_line(exc.evalue, 400)}"
    return None


def _execute_cold(task: NotebookTask, out_path: str, runtime: str) -> str | None:
    """Execute in a kernel started for this notebook alone (working folder ``task.cwd``)."""
    km = make_kernel_manager(runtime)
    try:
        return _papermill(task, out_path, km)
    except Exception as exc:  # noqa: BLE001 - kernel died, timeout, bad notebook...
        error = f"{type(exc).__name__}: {_one_line(exc, 400)}"
        log = os.path.join(runtime, "kernel.log")
        if os.path.exists(log):
            tail = Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            if tail:
                error += " | kernel: " + _one_line(" / ".join(tail), 300)
        return error
    finally:
        shutdown_kernel(km)


def _execute_warm(task: NotebookTask, out_path: str, runtime: str) -> str | None:
    """Execute in this worker's warm kernel; a kernel that dies, times out or cannot be reset is
    discarded and the notebook run again in a cold kernel."""
    warm = warm_kernel(task.startup_timeout)
    if not warm.lock.acquire(blocking=False):  # another thread of this process holds it (Dask)
        return _execute_cold(task, out_path, runtime)
    try:
        try:
            warm.prepare(task.cwd)
        except Exception:  # noqa: BLE001 - no warm kernel to be had: a cold one
            warm.discard()
            return _execute_cold(task, out_path, runtime)
        try:
            error = _papermill(task, out_path, warm.km)
        except Exception:  # noqa: BLE001 - dead or timed out: a fresh kernel, once
            warm.discard()
            if os.path.exists(out_path):
                os.unlink(out_path)
            if task.results_path and os.path.exists(task.results_path):
                os.unlink(task.results_path)
            return _execute_cold(task, out_path, runtime)
        warm.finished()
        return error
    finally:
        warm.lock.release()


def execute_notebook_task(task: NotebookTask) -> NotebookOutcome:
    """Execute one notebook, check it really ran, render it; never raises for notebook errors.

    The kernel runs the current interpreter on IPC transport with a connection
    file in a private temporary folder (removed afterwards), working in
    ``task.cwd``: started for this notebook, or (``task.warm``) the worker's
    warm kernel reset to the state of a new one. A failing notebook comes
    back with ``status="failed"``, its partial notebook (papermill's error
    banner at the top) and its rendered page.
    """
    import logging

    import nbformat

    logging.getLogger("papermill").setLevel(logging.ERROR)

    from ..htmlout import render_notebook_html

    t0 = time.perf_counter()
    host = f"{socket.gethostname()}:{os.getpid()}"
    error = None
    runtime = tempfile.mkdtemp(prefix="clem-")
    try:
        source = nbformat.read(task.notebook, as_version=4)
        source_ids = [c.get("id") for c in source.cells if c.get("id")]
        out_path = os.path.join(runtime, "executed.ipynb")
        if task.results_path and os.path.exists(task.results_path):
            os.unlink(task.results_path)
        # what this folder's kernel is running, for whoever watches the processes (the benchmarks)
        Path(runtime, "task.json").write_text(json.dumps({"key": task.key, "kind": task.kind}), encoding="utf-8")
        error = (_execute_warm if task.warm else _execute_cold)(task, out_path, runtime)

        if os.path.exists(out_path):
            nb = nbformat.read(out_path, as_version=4)
        else:  # nothing ran (the kernel did not start): show the source with the error
            nb = source
        code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()
                and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
        ran = sum(1 for c in code if c.get("execution_count") is not None)
        if error is None and ran < len(code):
            error = f"the kernel ran {ran} of {len(code)} code cells and reported no error"
        results = None
        if error is None and task.results_path:
            if not os.path.exists(task.results_path):
                error = f"the notebook did not write its results rows to {task.results_path}"
            else:
                results = Path(task.results_path).read_text(encoding="utf-8")
                problem = check_results_text(results)
                if problem:
                    error, results = problem, None
        if error is not None:
            nb = _error_banner(nb, error)
        normalize_notebook(nb, source_ids=source_ids, input_name=os.path.basename(task.notebook),
                           output_name=f"{task.key}.ipynb")
        ipynb = nbformat.writes(nb) + "\n"
        try:
            html = render_notebook_html(nb, title=task.label, lang=task.lang)
        except Exception as exc:  # noqa: BLE001
            html = ""
            error = (error + "; " if error else "") + f"rendering failed: {type(exc).__name__}: {_one_line(exc, 300)}"
        return NotebookOutcome(
            key=task.key, label=task.label, kind=task.kind,
            status="ok" if error is None else "failed", error=error, ipynb=ipynb, html=html,
            results=results, seconds=time.perf_counter() - t0, cells_run=ran,
            cells_total=len(code), host=host,
        )
    except Exception as exc:  # noqa: BLE001 - unreadable notebook and the like
        return NotebookOutcome(
            key=task.key, label=task.label, kind=task.kind, status="failed",
            error=f"{type(exc).__name__}: {_one_line(exc, 400)}", seconds=time.perf_counter() - t0,
            host=host,
        )
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


# ---------------------------------------------------------------------------
# Fan-out: a process pool here, a Dask cluster there
# ---------------------------------------------------------------------------


class Progress:
    """Done / failed / running / time left, on stderr.

    On a terminal one line is rewritten in place; otherwise (a log file, CI) a
    plain line is printed each time a notebook finishes.
    """

    def __init__(self, total: int, workers: int, *, stream=None, enabled: bool = True):
        self.total = total
        self.workers = max(1, workers)
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.done = 0
        self.failed = 0
        self.busy = 0.0
        self.t0 = time.perf_counter()

    def _status(self) -> str:
        finished = self.done + self.failed
        left = self.total - finished
        running = min(self.workers, left)
        elapsed = time.perf_counter() - self.t0
        if finished and left:
            # mean execution time of the finished notebooks, spread over the workers
            eta = f"about {_duration(self.busy / finished * left / self.workers)} left"
        elif left:
            eta = "time left unknown"
        else:
            eta = f"finished in {_duration(elapsed)}"
        return (f"[{finished}/{self.total}] {self.done} done, {self.failed} failed, "
                f"{running} running, {eta}")

    def start(self) -> None:
        if self.enabled:
            self._emit(f"clem: running {self.total} notebook(s) on {self.workers} worker(s)", final=True)

    def update(self, outcome: NotebookOutcome) -> None:
        self.busy += outcome.seconds
        if outcome.status == "ok":
            self.done += 1
        else:
            self.failed += 1
        if not self.enabled:
            return
        if self.tty:
            self._emit("clem: " + self._status(), final=False)
            if outcome.status != "ok":
                self._emit(f"clem: {outcome.label} failed: {outcome.error}", final=True)
        else:
            what = "done" if outcome.status == "ok" else f"FAILED ({outcome.error})"
            self._emit(f"clem: {outcome.label}: {what} in {outcome.seconds:.1f} s; {self._status()}",
                       final=True)

    def close(self) -> None:
        if self.enabled and self.tty:
            self._emit("clem: " + self._status(), final=True)

    def _emit(self, text: str, *, final: bool) -> None:
        if self.tty:
            self.stream.write("\r\x1b[2K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    m, s = divmod(seconds, 60)
    if m < 60:
        return f"{m} min {s:02d} s"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def _dask_executor(address: str):
    try:
        from distributed import Client
    except ImportError:
        raise ClemInputError(
            "--scheduler needs Dask's 'distributed' package, which is not installed",
            fix="pip install 'clem[dask]'",
        ) from None
    try:
        client = Client(address, timeout=_DASK_CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for bad addresses
        raise ClemInputError(
            f"cannot connect to the Dask scheduler at {address!r}: {_one_line(exc, 200)}",
            fix="check the address (e.g. tcp://10.0.0.5:8786) and that the scheduler is running",
        ) from None
    return client, client.get_executor(pure=False)


def run_notebooks(
    tasks: Sequence[NotebookTask],
    *,
    jobs: int | None = None,
    scheduler=None,
    progress: bool = True,
    stream=None,
    on_done: Callable[[NotebookOutcome], None] | None = None,
    keep_pages: bool = True,
) -> list[NotebookOutcome]:
    """Execute notebooks in parallel; one outcome per task, in task order.

    Parameters
    ----------
    tasks : sequence of NotebookTask
    jobs : int, optional
        Worker processes (default: the number of cores). Ignored with a scheduler.
    scheduler : str or distributed.Client, optional
        Address of a Dask scheduler (``tcp://host:8786``), or a connected
        client. Tasks go through the client's ``concurrent.futures`` executor,
        not treated as pure (each run is a fresh execution).
    progress : bool
        Show done / failed / running / time left on ``stream`` (stderr).
    on_done : callable, optional
        Called in this process with each outcome as soon as it arrives (used
        to write files as they come).
    keep_pages : bool
        ``False`` empties ``ipynb``, ``html`` and ``results`` of the returned
        outcomes once ``on_done`` has seen them, so memory does not grow with
        the number of units.

    Returns
    -------
    list of NotebookOutcome
        A task whose worker died is a failed outcome; nothing is raised for a
        failing notebook.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("every task needs its own key (file stem); two tasks share one")
    client = None
    own_client = False
    if scheduler is not None:
        if isinstance(scheduler, str):
            client, executor = _dask_executor(scheduler)
            own_client = True
        else:
            client = scheduler
            executor = client.get_executor(pure=False)
        workers = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()))
    else:
        workers = max(1, min(int(jobs or os.cpu_count() or 1), len(tasks)))
        executor = cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                          initializer=worker_init, initargs=(os.getpid(),))
    bar = Progress(len(tasks), workers, stream=stream, enabled=progress)
    outcomes: dict[str, NotebookOutcome] = {}
    stopped = False
    futures: dict = {}
    try:
        bar.start()
        futures = {}
        for t in tasks:
            futures[executor.submit(execute_notebook_task, t)] = t
        for fut in cf.as_completed(futures):
            task = futures[fut]
            try:
                outcome = fut.result()
            except BaseException as exc:  # noqa: BLE001 - a worker died or the cluster went away
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome = NotebookOutcome(
                    key=task.key, label=task.label, kind=task.kind, status="failed",
                    error=f"the worker running this notebook stopped: {type(exc).__name__}: {_one_line(exc, 300)}",
                )
            bar.update(outcome)
            if on_done is not None:
                on_done(outcome)
            if not keep_pages:
                outcome = dataclasses.replace(outcome, ipynb="", html="", results=None)
            outcomes[task.key] = outcome
        bar.close()
    except BaseException:
        # Ctrl-C, or an error while handling an outcome: stop now, not when the running
        # notebooks end. Killing a worker kills its kernel too (see clem_lib.kernels.kernel_preexec).
        stopped = True
        previous_handler = _sigint_ignored()
        try:
            if scheduler is None:
                _kill_workers(executor)
            else:
                for fut in futures:
                    fut.cancel()
        finally:
            _restore_sigint(previous_handler)
        if bar.enabled and bar.tty:
            bar.stream.write("\n")
        raise
    finally:
        if scheduler is None:
            executor.shutdown(wait=not stopped, cancel_futures=True)
        elif own_client:
            client.close()
    return [outcomes[k] for k in keys]


def _sigint_ignored():
    """Ignore Ctrl-C while the workers are being stopped; returns the handler to restore."""
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        return None


def _restore_sigint(handler) -> None:
    if handler is not None:
        signal.signal(signal.SIGINT, handler)


def _kill_workers(executor) -> None:
    """SIGKILL every worker process of a ``ProcessPoolExecutor`` and reap them."""
    procs = list((getattr(executor, "_processes", None) or {}).values())
    for proc in procs:
        try:
            proc.kill()
        except (OSError, ValueError, AttributeError):
            pass
    for proc in procs:
        try:
            proc.join(5)
        except (OSError, ValueError, AttributeError, AssertionError):
            pass


# ---------------------------------------------------------------------------
# Units: which ones, and their headline figures
# ---------------------------------------------------------------------------


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

    from ..report import resolve_unit

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


_METRIC_IKM = ("ikm",)
_METRIC_ACCESS = ("pct_not_friendly",)
_METRIC_COMPLIANCE = ("compliance", "compliance_index")
_OVERALL_GROUPS = ("", "all", "overall", "total", "semua")


def headline_figures(results, unit: str, *, alpha: float = 0.05, scheme="permenpan14_2017",
                     lang: str = "id", round: int = 0) -> dict:
    """The figures ``index.html`` shows for one unit, read from its results rows.

    Parameters
    ----------
    results : DataFrame
        Rows with the ``results.csv`` columns (numbers as numbers).
    unit : str
        Canonical unit name; only rows with this ``unit`` are used.
    alpha : float
        Significance level for counting gaps.
    scheme : str or mapping
        IKM scheme for the grade (:func:`clem_lib.ikm_grade`).
    lang : {"id", "en"}
    round : int
        Round reported (0 = latest); used for figures the notebook gives per
        round only (``group == "round=2"``) instead of for the whole unit.

    Returns
    -------
    dict
        ``n``, ``ikm``, ``ikm_low``, ``ikm_high`` (metric ``ikm``, whole unit),
        ``grade`` (``"B (Baik)"``), ``access`` (metric ``pct_not_friendly``, a
        percentage 0..100), ``gaps`` (number of rows whose metric starts with
        ``gap`` and whose adjusted p-value, or p-value when no adjustment is
        given, is below ``alpha``), ``compliance`` (metric ``compliance``,
        0..100). ``None`` where the notebook wrote no such row.
    """
    import pandas as pd

    from ..scoring import ikm_grade

    rows = results[results["unit"].astype(str) == unit]
    overall = rows[rows["group"].fillna("").astype(str).str.strip().str.casefold().isin(_OVERALL_GROUPS)]

    def pick(metrics):
        hit = overall[overall["metric"].astype(str).isin(metrics)]
        if not hit.empty:
            return hit.iloc[0]
        # figures given per round only (e.g. the checklist: group "round=2"): the round
        # reported, or the latest one
        by_round = rows[rows["metric"].astype(str).isin(metrics)
                        & rows["group"].fillna("").astype(str).str.fullmatch(r"round=\d+")]
        if by_round.empty:
            return None
        numbers = by_round["group"].astype(str).str.slice(6).astype(int)
        want = int(round) if round else int(numbers.max())
        hit = by_round[numbers.to_numpy() == want]
        return None if hit.empty else hit.iloc[0]

    def val(row, col):
        if row is None:
            return None
        v = row[col]
        return None if pd.isna(v) else float(v)

    ikm_row = pick(_METRIC_IKM)
    ikm = val(ikm_row, "estimate")
    access_row = pick(_METRIC_ACCESS)
    compliance_row = pick(_METRIC_COMPLIANCE)
    gap_rows = rows[rows["metric"].astype(str).str.startswith("gap")]
    p = gap_rows["p_adjusted"].where(gap_rows["p_adjusted"].notna(), gap_rows["p_value"])
    gaps = int((pd.to_numeric(p, errors="coerce") < alpha).sum()) if len(gap_rows) else (
        0 if len(rows) else None)
    return {
        "n": val(ikm_row, "n"),
        "ikm": ikm,
        "ikm_low": val(ikm_row, "ci_low"),
        "ikm_high": val(ikm_row, "ci_high"),
        "grade": ikm_grade(ikm, scheme, lang=lang) if ikm is not None else None,
        "access": val(access_row, "estimate"),
        "gaps": gaps,
        "compliance": val(compliance_row, "estimate"),
    }


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


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
        The city overview's entry.
    failures : list of dict
        Units (and the city overview) that failed, with their error.
    seconds : float
        Wall time.
    """

    out_dir: Path
    survey_name: str
    units: list = field(default_factory=list)
    city: dict | None = None
    failures: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        """0 when every notebook succeeded, 1 when some failed."""
        return 1 if self.failures else 0


def _package_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def _file_record(path, base=None) -> dict | None:
    """Path (relative to ``base``, the output folder, when given) and sha256 of a file."""
    if not path:
        return None
    path = Path(path)
    return {"path": _relative(path, base) if base is not None else str(path), "sha256": _sha256(path)}


def _relative(path, base) -> str:
    """``path`` relative to the folder ``base`` (``..`` where needed); absolute only across drives."""
    try:
        return Path(os.path.relpath(Path(path), Path(base))).as_posix()
    except ValueError:  # Windows: another drive
        return str(path)


def _from_output_folder(recorded: str, out_dir: Path) -> Path:
    """A path recorded by :func:`_relative` back to an absolute one."""
    return Path(os.path.normpath(os.path.join(out_dir, recorded)))


def _resolve(path, what: str, fix: str = "check the path") -> Path:
    """``Path(path).resolve()`` with one-line errors (a symbolic link loop, an unreadable folder)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError) as exc:
        reason = "a loop of symbolic links" if isinstance(exc, RuntimeError) or \
            getattr(exc, "errno", None) == 40 else (getattr(exc, "strerror", None) or str(exc))
        raise ClemInputError(f"{what}: {reason}", file=path, fix=fix) from None


def _check_input_file(path, what: str) -> Path:
    """The resolved path of an input file, or a one-line error saying what is wrong with it."""
    p = _resolve(path, what, fix="point to the file itself, not to a link that leads back to itself")
    if not p.exists():
        raise ClemInputError(f"{what} not found", file=path, fix="check the path")
    if p.is_dir():
        raise ClemInputError(f"{what} is a folder, not a file", file=path, fix="give the file itself")
    if not os.access(p, os.R_OK):
        raise ClemInputError(f"{what} cannot be read (permission denied)", file=path,
                             fix="check the file's permissions")
    return p


def _output_folder(out_dir) -> Path:
    """The resolved output folder; a file in its place, or a folder that cannot be written, is an error."""
    p = _resolve(out_dir, "output folder", fix="give --out a folder")
    if p.exists() and not p.is_dir():
        raise ClemInputError("the output folder is an existing file", file=p,
                             fix="give --out a folder (a new one, or the folder of an earlier run)")
    existing = p
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ClemInputError("the output folder would be inside a file", file=existing,
                             fix="give --out a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ClemInputError("cannot write the output folder here (permission denied)", file=p,
                             fix="choose a folder you can write to with --out")
    return p


def _path_parameter(name: str, given, default, prev_params: Mapping, out_dir: Path, flag: str):
    """A file or folder parameter: the given one, the previous run's on a retry, else the default.

    On a retry a given value must be the previous run's (the reports would
    otherwise mix two sets of notebooks or units).
    """
    if given is not None and str(given) == "" and name not in ("checklist", "complaints", "holidays"):
        given = None
    recorded = prev_params.get(name)  # relative path, "" (none) or absent (not recorded)
    previous = None if recorded in (None, "") else _from_output_folder(str(recorded), out_dir)
    if given is None:
        if recorded is not None:
            return previous
        return None if default is None else Path(default).resolve()
    chosen = None if str(given) == "" else _resolve(given, flag)
    if recorded is not None and chosen != previous:
        raise ClemInputError(
            f"--retry-failed: {flag} {given} differs from the previous run ({recorded or 'none'})",
            fix=f"leave out {flag} to reuse the previous one, or run without --retry-failed")
    return chosen


_OUTCOME_SUFFIX = ".outcome.json"


def _write_outcome(parts: Path, o: NotebookOutcome) -> None:
    """Record, atomically, that one notebook finished (read back by ``--retry-failed``)."""
    record = {"key": o.key, "status": o.status, "error": o.error, "seconds": _round_seconds(o.seconds)}
    _atomic_write_text(parts / f"{o.key}{_OUTCOME_SUFFIX}", json.dumps(record, ensure_ascii=False) + "\n")


def _read_outcome(parts: Path, key) -> dict | None:
    """``status``, ``error``, ``seconds`` of a finished notebook, or None when it did not finish."""
    if not key:
        return None
    try:
        rec = json.loads((parts / f"{key}{_OUTCOME_SUFFIX}").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rec, dict) or rec.get("status") not in ("ok", "failed"):
        return None
    return {k: rec.get(k) for k in ("status", "error", "seconds")}


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during the notebooks: workers and kernels stopped, finished reports kept.

    Attributes
    ----------
    finished, total : int
        Reports (units and the city overview) finished and recorded, of all.
    out_dir : Path
    """

    def __init__(self, *, finished: int, total: int, out_dir: Path):
        super().__init__(f"interrupted: {finished} of {total} reports finished")
        self.finished, self.total, self.out_dir = finished, total, out_dir


def _write_manifest(out_dir: Path, manifest: dict) -> None:
    _atomic_write_text(out_dir / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False,
                                                             default=str) + "\n")


def _read_manifest(out_dir: Path) -> dict:
    path = out_dir / "manifest.json"
    if not path.is_file():
        raise ClemInputError("no previous run to retry: manifest.json not found", file=out_dir,
                             fix="run once without --retry-failed")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ClemInputError(f"cannot read the previous manifest: {exc}", file=path,
                             fix="run again without --retry-failed") from None


def _units_in_data(cleaned_path: Path):
    """Unit name, slug and sectors of every unit with answers, from the parquet."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    cols = pq.read_schema(cleaned_path).names
    for needed in ("unit", "unit_slug"):
        if needed not in cols:
            raise ClemInputError(f"the cleaned table has no '{needed}' column", file=cleaned_path,
                                 fix="clean the survey with `clem clean` (see docs/data_model.md)")
    wanted = ["unit", "unit_slug"] + [c for c in ("sector", "round") if c in cols]
    table = pq.read_table(cleaned_path, columns=wanted)
    info: dict[str, dict] = {}
    pairs = table.group_by(["unit", "unit_slug"] + (["sector"] if "sector" in cols else [])).aggregate([])
    for rec in pairs.to_pylist():
        if rec["unit"] is None:
            continue
        entry = info.setdefault(rec["unit"], {"slug": rec["unit_slug"], "sectors": set()})
        if entry["slug"] != rec["unit_slug"]:
            raise ClemInputError(f"unit {rec['unit']!r} has two slugs in the cleaned table",
                                 file=cleaned_path, column="unit_slug", fix="re-run the cleaning")
        if rec.get("sector"):
            entry["sectors"].add(rec["sector"])
    rounds = []
    if "round" in cols:
        rounds = sorted(int(r) for r in pc.unique(table["round"]).to_pylist() if r is not None)
    return info, rounds


def _check_slugs(info: dict, cleaned_path: Path) -> None:
    import re

    seen = {}
    for name, entry in info.items():
        slug = entry["slug"]
        if not slug or not re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,99}", slug) or slug in _RESERVED_SLUGS:
            raise ClemInputError(
                f"unit {name!r} has slug {slug!r}, which cannot name its report file",
                file=cleaned_path, column="unit_slug",
                fix="give the unit a slug of lower-case letters, digits and '-' in units.yml "
                    f"(not {', '.join(sorted(_RESERVED_SLUGS))})")
        if slug in seen:
            raise ClemInputError(f"units {seen[slug]!r} and {name!r} share the slug {slug!r}",
                                 file=cleaned_path, column="unit_slug", fix="give each unit its own slug in units.yml")
        seen[slug] = name


def run_reports(
    cleaned_path,
    out_dir,
    *,
    survey_name: str,
    units: str | Sequence[str] | None = None,
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
    t0 = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out_dir = _output_folder(out_dir)
    cleaned_path = Path(cleaned_path).resolve()

    previous = _read_manifest(out_dir) if retry_failed else None
    prev_params = (previous or {}).get("parameters", {})
    notebooks_dir = _path_parameter("notebooks", notebooks_dir, NOTEBOOKS_DIR, prev_params, out_dir, "--notebooks")
    units_path = _path_parameter("units_file", units_path, UNITS_FILE, prev_params, out_dir, "--units-file")
    checklist_path = _path_parameter("checklist", checklist_path, CHECKLIST_FILE, prev_params, out_dir,
                                     "--checklist")
    # the cleaned complaint register (none unless given) and the holiday list (the bundled one unless given)
    complaints_path = _path_parameter("complaints", complaints_path, None, prev_params, out_dir, "--complaints")
    holidays_path = _path_parameter("holidays", holidays_path, None, prev_params, out_dir, "--holidays")
    if complaints_path is not None and not complaints_path.is_file():
        raise ClemInputError("cleaned complaint register not found", file=complaints_path,
                             fix="clean it with `clem clean --complaints FILE --out FILE.parquet`")
    if holidays_path is not None:
        from ..complaints import load_holidays

        load_holidays(holidays_path)  # a bad list stops here, before anything is written
    defaults = {"lang": "id", "round": 0, "alpha": 0.05, "min_n": 5, "seed": 20130924, "city_weights": "design",
                "complaint_standard_days": 5}
    given = {"lang": lang, "round": round, "alpha": alpha, "min_n": min_n, "seed": seed,
             "city_weights": city_weights, "complaint_standard_days": complaint_standard_days}
    params = {}
    for k, v in given.items():
        if previous is not None and k in prev_params:
            if v is not None and v != prev_params[k]:
                raise ClemInputError(
                    f"--retry-failed: {k}={v!r} differs from the previous run ({prev_params[k]!r})",
                    fix=f"leave out {k} to reuse the previous value, or run without --retry-failed")
            params[k] = prev_params[k]
        else:
            params[k] = defaults[k] if v is None else v
    if params["lang"] not in ("id", "en"):
        raise ClemInputError(f"unknown language {params['lang']!r}", fix="use --lang id or --lang en")
    if params["city_weights"] not in ("design", "none"):
        raise ClemInputError(f"unknown city weights {params['city_weights']!r}",
                             fix="use --city-weights design (the default) or --city-weights none")
    std = params["complaint_standard_days"]
    if isinstance(std, bool) or not isinstance(std, (int, float)) or std < 0 or std != int(std):
        raise ClemInputError(f"--complaint-standard-days {std!r} is not a whole number of working days",
                             fix="give e.g. --complaint-standard-days 5")
    params["complaint_standard_days"] = int(std)
    if jobs is not None and int(jobs) < 1:
        raise ClemInputError(f"--jobs {jobs} is not a positive number", fix="use e.g. --jobs 4")
    location_nb = notebooks_dir / "location_report.ipynb"
    city_nb = notebooks_dir / "city_overview.ipynb"
    for nb in (location_nb, city_nb):
        if not nb.is_file():
            raise ClemInputError("report notebook not found", file=nb,
                                 fix="give the folder holding location_report.ipynb and city_overview.ipynb")
    if not cleaned_path.is_file():
        raise ClemInputError("cleaned data not found", file=cleaned_path, fix="run `clem clean` first")
    if not units_path.is_file():
        raise ClemInputError("units file not found", file=units_path, fix="give --units-file")

    from ..codebook import load_units

    units_table = load_units(units_path)
    info, rounds = _units_in_data(cleaned_path)
    if not info:
        raise ClemInputError("the cleaned table has no answers", file=cleaned_path,
                             fix="check the export and its codebook")
    if params["round"] and rounds and params["round"] not in rounds:
        raise ClemInputError(f"round {params['round']} is not in the data",
                             fix="rounds in the data: " + ", ".join(str(r) for r in rounds) + " (0 = latest)")
    chosen = resolve_units(units, list(info), units_table)
    if previous is not None:
        prev_units = {u["unit"]: u for u in previous.get("units", [])}
        # what finished after the manifest was last written (an interrupted run)
        for u in prev_units.values():
            u.update(_read_outcome(out_dir / _PARTS, u.get("slug")) or {})
        prev_city = {**(previous.get("city_overview") or {}), **(_read_outcome(out_dir / _PARTS, _CITY_KEY) or {})}
        previous["city_overview"] = prev_city
        if units is None:
            chosen = sorted(prev_units)
        missing = [u for u in chosen if u not in info]
        if missing:
            raise ClemInputError(f"--retry-failed: unit {missing[0]!r} is no longer in the data",
                                 fix="run without --retry-failed")
        rerun = [u for u in chosen if prev_units.get(u, {}).get("status") != "ok"]
        city_rerun = prev_city.get("status") != "ok"
    else:
        prev_units = {}
        rerun = list(chosen)
        city_rerun = True
    _check_slugs({u: info[u] for u in chosen}, cleaned_path)

    # connect to the cluster before anything is written
    client, own_client = None, False
    if isinstance(scheduler, str):
        client, _executor = _dask_executor(scheduler)
        own_client = True
        scheduler_name = scheduler
    elif scheduler is not None:
        client = scheduler
        scheduler_name = getattr(getattr(scheduler, "scheduler", None), "address", None) or repr(scheduler)
    else:
        scheduler_name = None
    try:
        return _run_reports_write(
            out_dir=out_dir, cleaned_path=cleaned_path, survey_name=survey_name, chosen=chosen, rerun=rerun,
            city_rerun=city_rerun, info=info, params=params, previous=previous, prev_units=prev_units,
            notebooks_dir=notebooks_dir, units_path=units_path, checklist_path=checklist_path,
            complaints_path=complaints_path, holidays_path=holidays_path,
            location_nb=location_nb, city_nb=city_nb, jobs=jobs, client=client,
            scheduler_name=scheduler_name, retry_failed=retry_failed, scheme=scheme, timeout=timeout,
            cold=cold, progress=progress, stream=stream, inputs=inputs, clean_seconds=clean_seconds, t0=t0,
            started=started)
    finally:
        if own_client:
            client.close()


def _run_reports_write(*, out_dir, cleaned_path, survey_name, chosen, rerun, city_rerun, info, params,
                       previous, prev_units, notebooks_dir, units_path, checklist_path, complaints_path,
                       holidays_path, location_nb, city_nb,
                       jobs, client, scheduler_name, retry_failed, scheme, timeout, cold, progress, stream,
                       inputs, clean_seconds, t0, started) -> RunResult:
    """The writing half of :func:`run_reports`, once every check has passed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    parts = out_dir / _PARTS
    parts.mkdir(exist_ok=True)
    # outcome records of the notebooks about to run (all of them on a fresh run) are stale
    stale = {_CITY_KEY, *(info[u]["slug"] for u in rerun)} if previous is not None else None
    for f in parts.glob("*" + _OUTCOME_SUFFIX):
        if stale is None or f.name[: -len(_OUTCOME_SUFFIX)] in stale:
            f.unlink()
    if cleaned_path.parent != out_dir:
        data_for_notebooks = cleaned_path
    else:
        data_for_notebooks = out_dir / cleaned_path.name
    has_checklist = bool(checklist_path) and checklist_path.is_file()
    # paths the notebooks get (and their executed copies record) are relative to the output
    # folder, the kernel's working folder: nothing of this machine's layout is in the reports
    base_params = {
        "data_path": _relative(data_for_notebooks, out_dir),
        "checklist_path": _relative(checklist_path, out_dir) if has_checklist else "",
        "units_path": _relative(units_path, out_dir),
        "lang": params["lang"],
        "alpha": float(params["alpha"]),
        "min_n": int(params["min_n"]),
        "seed": int(params["seed"]),
        # the codebook's IKM rule, so that every report grades as the index does
        "scheme": scheme if isinstance(scheme, str) else json.dumps(scheme, sort_keys=True, ensure_ascii=False),
    }
    if complaints_path is not None:  # without a register the notebooks get exactly what they got before
        base_params.update({
            "complaints_path": _relative(complaints_path, out_dir),
            "complaint_standard_days": int(params["complaint_standard_days"]),
            "holidays_path": _relative(holidays_path, out_dir) if holidays_path is not None else "",
        })
    tasks = []
    if city_rerun:
        tasks.append(NotebookTask(
            key=_CITY_KEY, label="City overview" if params["lang"] == "en" else "Ringkasan kota",
            kind="city", notebook=str(city_nb),
            parameters={**base_params, "city_weights": params["city_weights"],
                        "results_path": f"{_PARTS}/{_CITY_KEY}.results.csv"},
            cwd=str(out_dir), lang=params["lang"], results_path=str(parts / f"{_CITY_KEY}.results.csv"),
            # the city overview reads every unit: its own kernel, so the warm ones stay small
            timeout=timeout, warm=False))
    for name in rerun:
        slug = info[name]["slug"]
        rp = str(parts / f"{slug}.results.csv")
        tasks.append(NotebookTask(
            key=slug, label=name, kind="unit", notebook=str(location_nb),
            parameters={"unit": name, **base_params, "round": int(params["round"]),
                        "results_path": f"{_PARTS}/{slug}.results.csv"},
            cwd=str(out_dir), lang=params["lang"], results_path=rp, timeout=timeout, warm=not cold))

    manifest = {
        "tool": "clem",
        "survey_name": survey_name,
        "status": "running",
        "parameters": {
            **{k: params[k] for k in ("lang", "round", "alpha", "min_n", "seed", "city_weights")},
            **({"complaints": _relative(complaints_path, out_dir),
                "complaint_standard_days": int(params["complaint_standard_days"]),
                "holidays": _relative(holidays_path, out_dir) if holidays_path is not None else ""}
               if complaints_path is not None else {}),
            "units": chosen,
            "jobs": None if client is not None else int(jobs or os.cpu_count() or 1),
            "scheduler": scheduler_name,
            "retry_failed": bool(retry_failed),
            "timeout_per_cell": timeout,
            "notebooks": _relative(notebooks_dir, out_dir),
            "units_file": _relative(units_path, out_dir),
            "checklist": _relative(checklist_path, out_dir) if has_checklist else "",
        },
        "inputs": {
            **dict(inputs or {}),
            "cleaned": _file_record(cleaned_path, out_dir),
            "units_file": _file_record(units_path, out_dir),
            "checklist": _file_record(checklist_path, out_dir) if has_checklist else None,
            **({"complaints_cleaned": _file_record(complaints_path, out_dir)} if complaints_path is not None else {}),
            **({"holidays": _file_record(holidays_path, out_dir)} if holidays_path is not None else {}),
            "location_report": _file_record(location_nb, out_dir),
            "city_overview": _file_record(city_nb, out_dir),
        },
        "packages": _package_versions(),
        "timings": {"started": started},
        "units": [{"unit": u, "slug": info[u]["slug"], "status": prev_units.get(u, {}).get("status", "pending")
                   if u not in rerun else "pending"} for u in chosen],
        "city_overview": previous.get("city_overview") if previous and not city_rerun else {"status": "pending"},
        "failures": [],
    }
    _write_manifest(out_dir, manifest)
    stale_index = out_dir / "index.html"
    if stale_index.exists():
        stale_index.unlink()  # rewritten at the end: its absence marks an unfinished run

    def write_outputs(o: NotebookOutcome) -> None:
        for ext, text in (("ipynb", o.ipynb), ("html", o.html)):
            target = out_dir / f"{o.key}.{ext}"
            if text:
                _atomic_write_text(target, text)
            elif target.exists():
                target.unlink()  # never leave an older page standing in for this run's
        part = parts / f"{o.key}.results.csv"
        if o.status != "ok" and part.exists():
            part.unlink()  # a failed notebook contributes no figures
        # last: the record that this notebook finished, read back by --retry-failed
        _write_outcome(parts, o)
        finished.append(o.status)

    finished: list = []
    try:
        outcomes = run_notebooks(tasks, jobs=jobs, scheduler=client, progress=progress, stream=stream,
                                 on_done=write_outputs, keep_pages=False)
    except KeyboardInterrupt:
        kept = (sum(1 for u in chosen if u not in rerun and prev_units.get(u, {}).get("status") == "ok")
                + (0 if city_rerun else 1))
        raise RunInterrupted(finished=kept + finished.count("ok"), total=len(chosen) + 1,
                             out_dir=out_dir) from None
    by_key = {o.key: o for o in outcomes}

    # results.csv: every unit of this run (fresh or kept from the previous run) and the city

    part_texts = []
    keys = ([_CITY_KEY] if (by_key.get(_CITY_KEY) or not city_rerun) else []) + [info[u]["slug"] for u in chosen]
    for key in sorted(keys):
        p = parts / f"{key}.results.csv"
        if p.is_file():
            part_texts.append(p.read_text(encoding="utf-8"))
    results = read_results(part_texts)
    from ..io import write_csv

    write_csv(results, out_dir / "results.csv")
    os.chmod(out_dir / "results.csv", 0o644)

    unit_entries = []
    failures = []
    for name in chosen:
        slug = info[name]["slug"]
        o = by_key.get(slug)
        if o is not None:
            status, error, seconds = o.status, o.error, _round_seconds(o.seconds)
        else:  # kept from the previous run
            prev = prev_units.get(name, {})
            status, error, seconds = prev.get("status", "ok"), prev.get("error"), prev.get("seconds")
        entry = {
            "unit": name,
            "slug": slug,
            "sector": ", ".join(sorted(info[name]["sectors"])),
            "status": status,
            "error": error,
            "report": f"{slug}.html" if (out_dir / f"{slug}.html").is_file() else None,
            "notebook": f"{slug}.ipynb" if (out_dir / f"{slug}.ipynb").is_file() else None,
            "seconds": seconds,
        }
        unit_entries.append(entry)
        if status != "ok":
            failures.append({"unit": name, "slug": slug, "error": error})
    co = by_key.get(_CITY_KEY)
    if co is not None:
        city = {"status": co.status, "error": co.error, "seconds": _round_seconds(co.seconds),
                "report": f"{_CITY_KEY}.html" if (out_dir / f"{_CITY_KEY}.html").is_file() else None,
                "notebook": f"{_CITY_KEY}.ipynb" if (out_dir / f"{_CITY_KEY}.ipynb").is_file() else None}
    else:
        city = dict(previous.get("city_overview") or {}) if previous else {"status": "failed", "error": "not run"}
        for key, ext in (("report", "html"), ("notebook", "ipynb")):
            city[key] = f"{_CITY_KEY}.{ext}" if (out_dir / f"{_CITY_KEY}.{ext}").is_file() else None
    if city.get("status") != "ok":
        failures.append({"unit": "", "slug": _CITY_KEY, "error": city.get("error")})

    # index.html
    from .. import __version__
    from ..htmlout import render_index_html

    index_rows = []
    asked_access = False  # the survey asked about facilities for special groups (any unit has the rows)
    for e in unit_entries:
        figures = {}
        part = parts / f"{e['slug']}.results.csv"
        if e["status"] == "ok" and part.is_file():
            # the figures of the unit's own report (the city overview also writes rows that
            # name a unit, e.g. "unit vs rest of city"; they are in results.csv, not here)
            own = read_results([part.read_text(encoding="utf-8")])
            asked_access = asked_access or bool((own["metric"] == "pct_not_friendly").any())
            figures = headline_figures(own, e["unit"], alpha=float(params["alpha"]), scheme=scheme,
                                       lang=params["lang"], round=int(params["round"]))
        index_rows.append({**{k: None for k in ("n", "ikm", "ikm_low", "ikm_high", "grade", "access",
                                                 "gaps", "compliance")}, **figures, **e})
    # columns of parts the survey did not ask (no facilities question, no checklist) are left out
    shown = [c for c, asked in (("access", asked_access or not any(e["status"] == "ok" for e in unit_entries)),
                                ("compliance", checklist_path is not None and checklist_path.is_file()))
             if asked]
    page = render_index_html(index_rows, survey_name=survey_name, lang=params["lang"],
                             round=int(params["round"]), alpha=float(params["alpha"]), city=city,
                             version=__version__, columns=shown)
    _atomic_write_text(out_dir / "index.html", page)

    seconds = time.perf_counter() - t0
    manifest.update({
        "status": "complete" if not failures else "complete_with_failures",
        "timings": {
            "started": started,
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "total_seconds": _round_seconds(seconds),
            "clean_seconds": _round_seconds(clean_seconds),
            "notebooks_seconds": {o.key: _round_seconds(o.seconds) for o in outcomes},
        },
        "units": unit_entries,
        "city_overview": city,
        "failures": failures,
        "outputs": {
            name: _sha256(out_dir / name)
            for name in sorted(["index.html", "results.csv"]
                               + [f"{e['slug']}.{ext}" for e in unit_entries for ext in ("html", "ipynb")]
                               + [f"{_CITY_KEY}.{ext}" for ext in ("html", "ipynb")]
                               + (["cleaned.parquet", "cleaning_log.csv", "cleaning_summary.csv"]
                                  if (out_dir / "cleaned.parquet").is_file() else [])
                               + (["complaints.parquet", "complaints_log.csv"]
                                  if complaints_path is not None and complaints_path.parent == out_dir else []))
            if (out_dir / name).is_file()
        },
    })
    _write_manifest(out_dir, manifest)
    return RunResult(out_dir=out_dir, survey_name=survey_name, units=unit_entries, city=city,
                     failures=failures, seconds=seconds)


def _round_seconds(x):
    """Seconds for the manifest (three decimals), or None."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return float(f"{x:.3f}")


def run_survey(
    data_path=None,
    codebook_path=None,
    *,
    units: str | Sequence[str] | None = None,
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
        with answers in the data.
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
        warm kernel (see :mod:`clem_lib.kernels`); the outputs are the same.
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
    from ..cleaning import clean_survey, write_cleaned
    from ..codebook import load_codebook, load_units

    t0 = time.perf_counter()
    if lang is not None and lang not in ("id", "en"):
        raise ClemInputError(f"unknown language {lang!r}", fix="use --lang id or --lang en")
    if jobs is not None and int(jobs) < 1:
        raise ClemInputError(f"--jobs {jobs} is not a positive number", fix="use e.g. --jobs 4")
    if round is not None and int(round) < 0:
        raise ClemInputError(f"--round {round} is negative", fix="use 0 for the latest round, or 1, 2, ...")
    previous = None
    if retry_failed and out_dir is not None:
        out_dir = _output_folder(out_dir)
        previous = _read_manifest(out_dir)
        if data_path is None and codebook_path is None:  # the previous run's export and codebook
            recorded = previous.get("inputs", {})
            if (recorded.get("data") or {}).get("path") and (recorded.get("codebook") or {}).get("path"):
                data_path = _from_output_folder(recorded["data"]["path"], out_dir)
                codebook_path = _from_output_folder(recorded["codebook"]["path"], out_dir)
    sample = data_path is None and codebook_path is None
    if sample:
        # the bundled sample, with its own units and checklist unless others are given
        data_path, codebook_path = SAMPLE_DATA, SAMPLE_CODEBOOK
    elif data_path is None or codebook_path is None:
        raise ClemInputError("give both --data and --codebook, or neither to run the bundled sample",
                             fix="add the missing option")
    data_path = _check_input_file(data_path, "data file")
    codebook_path = _check_input_file(codebook_path, "codebook")
    codebook = load_codebook(codebook_path)
    out_dir = _output_folder(out_dir if out_dir is not None else OUTPUTS_DIR / codebook.survey_name)
    if retry_failed and previous is None:
        previous = _read_manifest(out_dir)
    prev_params = (previous or {}).get("parameters", {})
    notebooks_dir = _path_parameter("notebooks", notebooks_dir, NOTEBOOKS_DIR, prev_params, out_dir, "--notebooks")
    if units_path is None and "units_file" not in prev_params:
        from ..codebook import units_file_for

        # <survey>.units.yml or units.yml beside the codebook; the bundled units for the sample
        units_path = UNITS_FILE if sample else units_file_for(codebook_path, None)
    units_path = _path_parameter("units_file", units_path, UNITS_FILE, prev_params, out_dir, "--units-file")
    # the bundled checklist belongs to the bundled sample; a survey of one's own has none unless given
    checklist_path = _path_parameter("checklist", checklist_path, CHECKLIST_FILE if sample else None,
                                     prev_params, out_dir, "--checklist")
    units_path = _check_input_file(units_path, "units file")
    if checklist_path is not None:
        checklist_path = _check_input_file(checklist_path, "checklist")
    # the bundled register belongs to the bundled sample; a survey of one's own has none unless given
    from ..complaints import SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK, register_codebook_for

    register_given = complaints_path is not None and str(complaints_path) != ""
    if complaints_path is None and "complaints" not in prev_params and sample:
        complaints_path, complaints_codebook = SAMPLE_COMPLAINTS, SAMPLE_COMPLAINTS_CODEBOOK
        register_given = True
    if retry_failed:
        if register_given and prev_params.get("complaints", "") == "":
            raise ClemInputError("--retry-failed: --complaints differs from the previous run (none)",
                                 fix="leave out --complaints, or run without --retry-failed")
        register_given = False  # the previous run's cleaned register is reused as it is
    if register_given:
        complaints_path = _check_input_file(complaints_path, "complaint register")
        complaints_codebook = register_codebook_for(complaints_path, complaints_codebook)
        if complaints_codebook is not None:
            complaints_codebook = _check_input_file(complaints_codebook, "register codebook")
    if holidays_path not in (None, ""):
        holidays_path = _check_input_file(holidays_path, "holiday list")
    for nb in ("location_report.ipynb", "city_overview.ipynb"):
        if not (notebooks_dir / nb).is_file():
            raise ClemInputError("report notebook not found", file=notebooks_dir / nb,
                                 fix="give the folder holding location_report.ipynb and city_overview.ipynb")
    inputs = {"data": _file_record(data_path, out_dir), "codebook": _file_record(codebook_path, out_dir)}
    if register_given:
        inputs["complaints"] = _file_record(complaints_path, out_dir)
        if complaints_codebook is not None:
            inputs["complaints_codebook"] = _file_record(complaints_codebook, out_dir)
    cleaned = out_dir / "cleaned.parquet"
    client = None
    try:
        if retry_failed:
            for key in ("data", "codebook"):
                before = (previous.get("inputs", {}).get(key) or {}).get("sha256")
                if before != inputs[key]["sha256"]:
                    raise ClemInputError(
                        f"--retry-failed: the {key} file changed since the previous run",
                        file=inputs[key]["path"], fix="run without --retry-failed to start afresh")
            before = (previous.get("inputs", {}).get("cleaned") or {}).get("sha256")
            if before is None or before != _sha256(cleaned):
                raise ClemInputError("--retry-failed: the cleaned table of the previous run is missing or changed",
                                     file=cleaned, fix="run without --retry-failed")
            if isinstance(scheduler, str):  # connect before anything is written
                client, _executor = _dask_executor(scheduler)
            clean_seconds = 0.0
        else:
            # Clean in memory first: bad input stops here, before anything is written.
            result = clean_survey(data_path, codebook, units_path)
            if len(result.table) == 0:
                raise ClemInputError("no answers left after cleaning", file=data_path,
                                     fix="run `clem validate` to see what was removed and why")
            # Usage problems are found before anything is written too.
            table = result.table
            chosen = resolve_units(units, table["unit"].dropna().astype(str).unique(), load_units(units_path))
            if checklist_path is not None:
                from ..io import load_checklist

                load_checklist(checklist_path, units_path)  # its units must be in the units file
            register = None
            if register_given:
                from ..complaints import clean_register, load_register_codebook

                reg_cb = load_register_codebook(complaints_codebook)
                register = clean_register(complaints_path, reg_cb, units_path)
                if complaint_standard_days is None and reg_cb.standard_days is not None:
                    complaint_standard_days = reg_cb.standard_days
            if holidays_path not in (None, ""):
                from ..complaints import load_holidays

                load_holidays(holidays_path)
            if round:
                present = sorted(int(r) for r in table["round"].dropna().unique())
                if int(round) not in present:
                    raise ClemInputError(f"round {round} is not in the data",
                                         fix="rounds in the data: " + ", ".join(map(str, present)) + " (0 = latest)")
            if "unit_slug" in table.columns:
                pairs = table.loc[table["unit"].astype("object").isin(chosen), ["unit", "unit_slug"]]
                pairs = pairs.astype(str).drop_duplicates()
                _check_slugs({u: {"slug": sl} for u, sl in zip(pairs["unit"], pairs["unit_slug"])}, data_path)
            if isinstance(scheduler, str):  # connect before anything is written
                client, _executor = _dask_executor(scheduler)
            out_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".clean-", dir=out_dir))
            try:
                write_cleaned(result, staging / "cleaned.parquet")
                os.replace(staging / "cleaned.log.csv", out_dir / "cleaning_log.csv")
                # the reports' data-quality section reads the changes per rule and unit from here
                os.replace(staging / "cleaned.summary.csv", out_dir / "cleaning_summary.csv")
                if register is not None:
                    from ..complaints import write_register

                    write_register(register, staging / "complaints.parquet")
                    os.replace(staging / "complaints.log.csv", out_dir / "complaints_log.csv")
                    os.replace(staging / "complaints.parquet", out_dir / "complaints.parquet")
                else:
                    for stale in ("complaints.parquet", "complaints_log.csv"):  # an earlier run's register
                        if (out_dir / stale).exists():
                            (out_dir / stale).unlink()
                os.replace(staging / "cleaned.parquet", cleaned)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            warnings = [p for p in result.problems if getattr(p, "level", "warning") != "error"]
            if warnings and progress:
                (stream or sys.stderr).write(
                    f"clem: cleaning: {len(warnings)} warning(s); the changes are in cleaning_log.csv "
                    "(`clem validate` lists them)\n")
            clean_seconds = time.perf_counter() - t0
        inputs["cleaning_log"] = _file_record(out_dir / "cleaning_log.csv", out_dir)
        return run_reports(
            cleaned, out_dir, survey_name=codebook.survey_name, units=units, jobs=jobs,
            scheduler=client if client is not None else scheduler, lang=lang, round=round,
            retry_failed=retry_failed, units_path=units_path,
            checklist_path=checklist_path if checklist_path is not None else "",
            complaints_path=(out_dir / "complaints.parquet" if register_given else None if retry_failed else ""),
            complaint_standard_days=complaint_standard_days,
            holidays_path=holidays_path if holidays_path not in (None, "") else (None if retry_failed else ""),
            notebooks_dir=notebooks_dir, alpha=alpha, min_n=min_n, seed=seed, city_weights=city_weights,
            scheme=codebook.scheme, timeout=timeout, cold=cold, progress=progress, stream=stream, inputs=inputs,
            clean_seconds=clean_seconds,
        )
    finally:
        if client is not None:
            client.close()
