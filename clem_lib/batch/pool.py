"""Fan-out: notebooks executed in a pool of processes here, or on a Dask cluster there.

Workers are started with the ``spawn`` method (no forked copies of zmq contexts
or event loops) and die with the runner (:func:`clem_lib.batch.kernels.worker_init`).
Ctrl-C, or an error while an outcome is handled, stops the run at once: the
workers are killed, and their kernels with them.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import multiprocessing
import os
import signal
import sys
import time
from typing import Callable, Iterator, Sequence

from ..errors import ClemInputError
from .execute import NotebookOutcome, NotebookTask, execute_notebook_task, one_line
from .kernels import worker_init

__all__ = ["Progress", "run_notebooks", "scheduler_client", "DASK_CONNECT_TIMEOUT"]

#: how long to wait for a Dask scheduler to answer
DASK_CONNECT_TIMEOUT = "20s"


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


def _dask_client(address: str):
    """A client connected to the Dask scheduler at ``address``; a one-line error when there is none."""
    try:
        from distributed import Client
    except ImportError:
        raise ClemInputError(
            "--scheduler needs Dask's 'distributed' package, which is not installed",
            fix="pip install 'clem[dask]'",
        ) from None
    try:
        return Client(address, timeout=DASK_CONNECT_TIMEOUT, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - OSError, TimeoutError, ValueError for bad addresses
        raise ClemInputError(
            f"cannot connect to the Dask scheduler at {address!r}: {one_line(exc, 200)}",
            fix="check the address (e.g. tcp://10.0.0.5:8786) and that the scheduler is running",
        ) from None


@contextlib.contextmanager
def scheduler_client(scheduler) -> Iterator[tuple[object, str | None]]:
    """``(client, name)`` for a run: connected here for an address, as given for a client.

    ``scheduler`` is None (a process pool: ``(None, None)``), the address of a
    Dask scheduler (connected on entry, before the run writes anything, and
    closed on exit) or a connected ``distributed.Client``. ``name`` is what
    the manifest records: the address.
    """
    if scheduler is None:
        yield None, None
    elif isinstance(scheduler, str):
        client = _dask_client(scheduler)
        try:
            yield client, scheduler
        finally:
            client.close()
    else:
        yield scheduler, getattr(getattr(scheduler, "scheduler", None), "address", None) or repr(scheduler)


def _executor(tasks: Sequence[NotebookTask], jobs, client):
    """The executor the tasks go to, and the number of workers behind it."""
    if client is not None:
        workers = sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values())
        return client.get_executor(pure=False), max(1, workers)
    workers = max(1, min(int(jobs or os.cpu_count() or 1), len(tasks)))
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=worker_init, initargs=(os.getpid(),)), workers


def _outcome(fut, task: NotebookTask) -> NotebookOutcome:
    """The outcome of a finished future; a worker that died or a cluster that went away is a failure."""
    try:
        return fut.result()
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, KeyboardInterrupt):
            raise
        return NotebookOutcome(
            key=task.key, label=task.label, kind=task.kind, status="failed",
            error=f"the worker running this notebook stopped: {type(exc).__name__}: {one_line(exc, 300)}",
        )


def _stop(executor, futures, pool: bool) -> None:
    """Stop now, not when the running notebooks end: kill the pool's workers (their kernels die
    with them, see :func:`clem_lib.batch.kernels.kernel_preexec`), or cancel the cluster's futures."""
    previous_handler = _sigint_ignored()
    try:
        if pool:
            _kill_workers(executor)
        else:
            for fut in futures:
                fut.cancel()
    finally:
        _restore_sigint(previous_handler)


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
    with scheduler_client(scheduler) as (client, _name):
        executor, workers = _executor(tasks, jobs, client)
        bar = Progress(len(tasks), workers, stream=stream, enabled=progress)
        outcomes: dict[str, NotebookOutcome] = {}
        futures: dict = {}
        stopped = False
        try:
            bar.start()
            for t in tasks:
                futures[executor.submit(execute_notebook_task, t)] = t
            for fut in cf.as_completed(futures):
                task = futures[fut]
                outcome = _outcome(fut, task)
                bar.update(outcome)
                if on_done is not None:
                    on_done(outcome)
                if not keep_pages:
                    outcome = dataclasses.replace(outcome, ipynb="", html="", results=None)
                outcomes[task.key] = outcome
            bar.close()
        except BaseException:  # Ctrl-C, or an error while handling an outcome
            stopped = True
            _stop(executor, futures, pool=client is None)
            if bar.enabled and bar.tty:
                bar.stream.write("\n")
            raise
        finally:
            if client is None:
                executor.shutdown(wait=not stopped, cancel_futures=True)
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
