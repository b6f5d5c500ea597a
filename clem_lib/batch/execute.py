"""One notebook execution: run it with papermill, check it really ran, render its page.

Runs in a worker process of the pool (or on a Dask worker). The kernel runs
the current interpreter over IPC, with its connection file in a private
temporary folder, working in the task's folder (see
:mod:`clem_lib.batch.kernels`). What comes back is a :class:`NotebookOutcome`:
a failing notebook is an outcome with ``status="failed"``, never an exception.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from ..htmlout import render_notebook_html
from ..results import check_results_text
from .kernels import make_kernel_manager, shutdown_kernel, warm_kernel

__all__ = ["NotebookTask", "NotebookOutcome", "normalize_notebook", "execute_notebook_task", "one_line"]


def one_line(text, limit: int = 500) -> str:
    """``text`` on one line (runs of white space as one space), cut at ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class NotebookTask:
    """One notebook to execute: what, with which parameters, where.

    Attributes
    ----------
    key : str
        File stem of the outputs (the slug of the unit, district or agency, or ``"city_overview"``).
    label : str
        Human name (the canonical unit name, or a location's report title), used as the page title.
    kind : {"unit", "district", "agency", "city"}
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
        Execute in the worker's warm kernel (:class:`clem_lib.batch.kernels.WarmKernel`:
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


@functools.lru_cache(maxsize=None)
def _connected_engine() -> str:
    """Register, once, a papermill engine that executes through an already connected client.

    papermill's own engine hands its keyword arguments to nbclient, which sets its client to
    None and then connects a new one and waits for the kernel (``wait_for_ready``, at least
    0.2 s). A warm kernel's client is connected and ready already (see
    :meth:`clem_lib.batch.kernels.WarmKernel.prepare`): this engine gives it to nbclient.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class _Client(PapermillNotebookClient):
        def __init__(self, nb_man, km=None, kc=None, **kw):
            super().__init__(nb_man, km=km, **kw)
            self.kc = kc

    class _Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            # NBClientEngine.execute_managed_notebook, with the client class above
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logging.getLogger("papermill"),
                log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
            )
            return _Client(nb_man, **final_kwargs).execute()

    papermill_engines.register(CONNECTED_ENGINE, _Engine)
    return CONNECTED_ENGINE


#: papermill engine name of :func:`_connected_engine`
CONNECTED_ENGINE = "clem-connected"


def _papermill(task: NotebookTask, out_path: str, km, kc=None) -> str | None:
    """Execute ``task.notebook`` into ``out_path`` in the kernel of ``km`` (through the connected
    client ``kc`` when given); the error text, or None.

    Raises what is not a notebook's own error (a dead kernel, a cell timeout, ...).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    connected = {} if kc is None else {"engine_name": _connected_engine(), "kc": kc}
    try:
        papermill.execute_notebook(
            task.notebook,
            out_path,
            parameters=dict(task.parameters),
            progress_bar=False,
            log_output=False,
            # written once at the end (and, with its error banner, when a cell fails): saving after
            # every cell would rewrite the growing notebook, images and all, about 100 times per report
            request_save_on_cell_execute=False,
            start_timeout=task.startup_timeout,
            execution_timeout=task.timeout,
            km=km,
            resources={"metadata": {"path": task.cwd}},
            **connected,
        )
    except PapermillExecutionError as exc:
        return f"cell {exc.exec_count}: {exc.ename}: {one_line(exc.evalue, 400)}"
    return None


def _execute_cold(task: NotebookTask, out_path: str, runtime: str) -> str | None:
    """Execute in a kernel started for this notebook alone (working folder ``task.cwd``)."""
    km = make_kernel_manager(runtime)
    try:
        return _papermill(task, out_path, km)
    except Exception as exc:  # noqa: BLE001 - kernel died, timeout, bad notebook...
        error = f"{type(exc).__name__}: {one_line(exc, 400)}"
        log = os.path.join(runtime, "kernel.log")
        if os.path.exists(log):
            tail = Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
            if tail:
                error += " | kernel: " + one_line(" / ".join(tail), 300)
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
            kc = warm.prepare(task.cwd)
        except Exception:  # noqa: BLE001 - no warm kernel to be had: a cold one
            warm.discard()
            return _execute_cold(task, out_path, runtime)
        try:
            error = _papermill(task, out_path, warm.km, kc)
        except Exception:  # noqa: BLE001 - dead or timed out: a fresh kernel, once
            warm.discard()
            _remove(out_path, task.results_path)
            return _execute_cold(task, out_path, runtime)
        warm.finished()
        return error
    finally:
        warm.lock.release()


def _remove(*paths: str) -> None:
    for path in paths:
        if path and os.path.exists(path):
            os.unlink(path)


def _code_cells_run(nb) -> tuple[int, int]:
    """Code cells of ``nb`` that ran, and all of them (the injected parameters not counted)."""
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()
            and "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    return sum(1 for c in code if c.get("execution_count") is not None), len(code)


def _results_rows(task: NotebookTask, error: str | None) -> tuple[str | None, str | None]:
    """The results rows the notebook wrote, and the error (a missing or malformed file is one)."""
    if error is not None or not task.results_path:
        return None, error
    if not os.path.exists(task.results_path):
        return None, f"the notebook did not write its results rows to {task.results_path}"
    results = Path(task.results_path).read_text(encoding="utf-8")
    problem = check_results_text(results)
    return (None, problem) if problem else (results, None)


def _render(task: NotebookTask, nb, error: str | None) -> tuple[str, str | None]:
    """The page of the executed notebook, and the error (rendering failures added to it)."""
    try:
        return render_notebook_html(nb, title=task.label, lang=task.lang), error
    except Exception as exc:  # noqa: BLE001
        return "", (error + "; " if error else "") + f"rendering failed: {type(exc).__name__}: {one_line(exc, 300)}"


def _run_and_collect(task: NotebookTask, runtime: str, t0: float, host: str) -> NotebookOutcome:
    """Execute, count the cells that ran, read the results rows, normalise and render."""
    import nbformat

    source = nbformat.read(task.notebook, as_version=4)
    source_ids = [c.get("id") for c in source.cells if c.get("id")]
    out_path = os.path.join(runtime, "executed.ipynb")
    _remove(task.results_path)
    # what this folder's kernel is running, for whoever watches the processes (the benchmarks)
    Path(runtime, "task.json").write_text(json.dumps({"key": task.key, "kind": task.kind}), encoding="utf-8")
    error = (_execute_warm if task.warm else _execute_cold)(task, out_path, runtime)
    # nothing ran when there is no executed notebook (the kernel did not start): the source, with the error
    nb = nbformat.read(out_path, as_version=4) if os.path.exists(out_path) else source
    ran, total = _code_cells_run(nb)
    if error is None and ran < total:
        error = f"the kernel ran {ran} of {total} code cells and reported no error"
    results, error = _results_rows(task, error)
    if error is not None:
        nb = _error_banner(nb, error)
    normalize_notebook(nb, source_ids=source_ids, input_name=os.path.basename(task.notebook),
                       output_name=f"{task.key}.ipynb")
    ipynb = nbformat.writes(nb) + "\n"
    html, error = _render(task, nb, error)
    return NotebookOutcome(
        key=task.key, label=task.label, kind=task.kind,
        status="ok" if error is None else "failed", error=error, ipynb=ipynb, html=html,
        results=results, seconds=time.perf_counter() - t0, cells_run=ran,
        cells_total=total, host=host,
    )


def execute_notebook_task(task: NotebookTask) -> NotebookOutcome:
    """Execute one notebook, check it really ran, render it; never raises for notebook errors.

    The kernel runs the current interpreter on IPC transport with a connection
    file in a private temporary folder (removed afterwards), working in
    ``task.cwd``: started for this notebook, or (``task.warm``) the worker's
    warm kernel reset to the state of a new one. A failing notebook comes
    back with ``status="failed"``, its partial notebook (papermill's error
    banner at the top) and its rendered page.
    """
    logging.getLogger("papermill").setLevel(logging.ERROR)
    t0 = time.perf_counter()
    host = f"{socket.gethostname()}:{os.getpid()}"
    runtime = tempfile.mkdtemp(prefix="clem-")
    try:
        return _run_and_collect(task, runtime, t0, host)
    except Exception as exc:  # noqa: BLE001 - unreadable notebook and the like
        return NotebookOutcome(
            key=task.key, label=task.label, kind=task.kind, status="failed",
            error=f"{type(exc).__name__}: {one_line(exc, 400)}", seconds=time.perf_counter() - t0,
            host=host,
        )
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
