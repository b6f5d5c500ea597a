"""Kernels and worker processes of ``clem run``: their lifetime, and warm kernels.

Lifetime: a pool worker dies with the runner (``PR_SET_PDEATHSIG`` on Linux,
and a check of the parent), a kernel with the worker that started it, and
Ctrl-C is left to the runner, which stops the workers itself.

Warm kernels: starting a kernel and importing pandas, scipy, statsmodels,
matplotlib and clem_lib costs about as much as a unit's report. A
:class:`WarmKernel` is started once per worker process with the modules a
report loads already imported (and, through ``gc.freeze``, out of the
garbage collector's walks), and each notebook executes in it after
:data:`RESET_CODE` has put every piece of process state a notebook can
change back as it was when the kernel was new: the user namespace and its
history (execution counts start at 1 again), matplotlib's rcParams and open
figures, the warning filters and every module's record of warnings already
shown, numpy's and Python's random state, numpy's floating-point error
handling, pandas' options, the decimal context, ``os.environ``,
``sys.path``, the working folder, and clem_lib's function caches; freed
memory goes back to the system. The client that ran the reset is the one
the notebook executes through, so no notebook waits for its kernel to
become ready. A kernel that dies or times out is discarded and the notebook
retried once in a fresh (cold) kernel; a warm kernel is also replaced after
:data:`WARM_UNITS` notebooks, so memory stays bounded.

Every report kernel, warm or cold, runs numpy's BLAS (and OpenMP, MKL) on
one thread (:func:`kernel_env`): the workers already run one report per
core, and idle BLAS threads spin between calls, taking CPU from the other
workers' kernels.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import sys
import tempfile
import threading

__all__ = [
    "die_with_parent",
    "worker_init",
    "kernel_preexec",
    "make_kernel_manager",
    "kernel_env",
    "ONE_THREAD",
    "shutdown_kernel",
    "release_clients",
    "WarmKernel",
    "warm_kernel",
    "WARM_UNITS",
]

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


@functools.lru_cache(maxsize=None)
def _prctl():
    """``prctl`` of the C library (Linux), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - no libc symbol
        return None


def die_with_parent(parent_pid: int) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies; exit if it already has.

    ``PR_SET_PDEATHSIG`` (Linux) is armed first, then the parent is checked: a
    parent that died before the call is no longer our parent (we were
    reparented), and nothing would ever send the signal.
    """
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def _ignore_sigint(signum, frame):  # noqa: ARG001 - signal handler signature
    """A worker's SIGINT handler: the runner stops the workers itself.

    A handler rather than ``SIG_IGN``: an ignored signal stays ignored in
    the kernels the worker starts, a handler is reset when they start.
    """


def worker_init(parent_pid: int) -> None:
    """Initializer of every pool worker: die with the runner, leave Ctrl-C to the runner."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, _ignore_sigint)


def kernel_preexec(parent_pid: int):
    """``preexec_fn`` for a kernel's ``Popen``: the kernel dies with the worker that started it.

    Runs in the forked child before ``exec``: only the prepared ``prctl``
    call and ``getppid`` (no imports, no locks). ``PR_SET_PDEATHSIG``
    survives ``exec`` of a program that is not set-user-ID.
    """
    prctl = _prctl()
    kill = int(signal.SIGKILL)

    def preexec():
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, kill, 0, 0, 0)
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


#: environment variables that make numeric libraries in a report's kernel use one thread each
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def kernel_env(base=None) -> dict:
    """The environment of a report's kernel: ``base`` (default ``os.environ``) with each of
    :data:`ONE_THREAD` set to 1 unless it is set already (a value the user chose is kept).
    """
    env = dict(os.environ if base is None else base)
    for name in ONE_THREAD:
        env.setdefault(name, "1")
    return env


@functools.lru_cache(maxsize=None)
def _kernel_classes():
    """Kernel manager and spec manager that launch ``sys.executable`` over IPC."""
    from jupyter_client import AsyncKernelManager
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

    class _InterpreterSpecs(KernelSpecManager):
        """Every kernel name maps to an ipykernel of the running interpreter."""

        def get_kernel_spec(self, kernel_name):
            return KernelSpec(
                argv=[sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher",
                      "-f", "{connection_file}"],
                display_name="Python (clem)",
                language="python",
                metadata={"debugger": False},
            )

    class _RunnerKernelManager(AsyncKernelManager):
        """Kernel whose stdout/stderr go to a log file in its private folder, and which is
        killed by the operating system when the process that started it dies (Linux)."""

        log_path: str | None = None

        async def _async_start_kernel(self, **kw):
            # one report per core already: numpy's BLAS threads would only compete with the other
            # workers' kernels (and spin between calls); a value the user set is kept
            kw["env"] = kernel_env(kw.get("env"))
            if os.name == "posix":
                # LocalProvisioner passes these keywords on to Popen
                kw.setdefault("preexec_fn", kernel_preexec(os.getpid()))
            if self.log_path:
                fh = open(self.log_path, "ab")
                self._clem_log = fh
                kw.setdefault("stdout", fh)
                kw.setdefault("stderr", fh)
            return await super()._async_start_kernel(**kw)

        start_kernel = _async_start_kernel

        def client(self, **kw):
            # remembered, so that a kernel kept for the next notebook does not keep the
            # channels of every client that executed in it (see release_clients)
            kc = super().client(**kw)
            self.__dict__.setdefault("_clem_clients", []).append(kc)
            return kc

    return _RunnerKernelManager, _InterpreterSpecs


def make_kernel_manager(runtime_dir: str):
    """A kernel manager whose connection file and log live in ``runtime_dir`` (see :func:`_kernel_classes`)."""
    km_class, spec_class = _kernel_classes()
    transport = "ipc" if os.name == "posix" else "tcp"
    km = km_class(
        kernel_name="python3",
        kernel_spec_manager=spec_class(),
        transport=transport,
        connection_file=os.path.join(runtime_dir, "kernel.json"),
    )
    km.log_path = os.path.join(runtime_dir, "kernel.log")
    return km


def shutdown_kernel(km) -> None:
    """Stop a kernel now (if it still runs), its clients' channels and its log file."""
    from jupyter_core.utils import run_sync

    release_clients(km)
    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - the kernel may already be gone
        pass
    fh = getattr(km, "_clem_log", None)
    if fh is not None:
        fh.close()


def release_clients(km) -> None:
    """Close the channels of every client made by ``km`` (nbclient leaves them open on a
    kernel manager it does not own)."""
    for kc in km.__dict__.pop("_clem_clients", []):
        try:
            kc.stop_channels()
        except Exception:  # noqa: BLE001 - already closed
            pass


# ---------------------------------------------------------------------------
# Warm kernels
# ---------------------------------------------------------------------------

#: notebooks one warm kernel runs before it is replaced by a fresh one
WARM_UNITS = 40

#: executed once in a new warm kernel: the imports every report makes, then a record of the state
#: RESET_CODE restores (kept in a module of its own, out of the user namespace)
WARM_CODE = """
import copy as _copy, decimal as _decimal, os as _os, random as _random, sys as _sys, types as _types
import warnings as _warnings
import numpy as _np, pandas as _pd, scipy.stats, statsmodels.stats.multitest, pyarrow.parquet, pyarrow.dataset
import matplotlib as _mpl, matplotlib.pyplot as _plt
import clem_lib, clem_lib.report, clem_lib.plots, clem_lib.stats, clem_lib.scoring
import pandas._config.config as _pdcfg
_st = _types.ModuleType("_clem_warm_state")
_st.rc = dict(_mpl.rcParams)
_st.filters = list(_warnings.filters)
_st.showwarning = _warnings.showwarning
_st.np_random = _np.random.get_state()
_st.py_random = _random.getstate()
_st.np_err = _np.geterr()
_st.pd_options = _copy.deepcopy(_pdcfg._global_config)
_st.decimal = _decimal.getcontext().copy()
_st.environ = dict(_os.environ)
_st.path = list(_sys.path)
_sys.modules["_clem_warm_state"] = _st
# what the imports made lives as long as the kernel: out of the collector's sight, so the
# collections of every notebook (and of the reset) walk only what the notebook made
import gc as _gc
_gc.collect()
_gc.freeze()
del _gc, _copy, _decimal, _os, _random, _sys, _types, _warnings, _np, _pd, _mpl, _plt, _pdcfg, _st
"""

#: executed before every notebook in a warm kernel (``{cwd}`` filled in): the state of a new kernel
RESET_CODE = """
def _clem_reset(cwd):
    import copy, decimal, gc, os, random, sys, warnings
    import matplotlib, matplotlib.pyplot as plt, numpy as np
    import pandas._config.config as pdcfg
    st = sys.modules["_clem_warm_state"]
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.clear()
        matplotlib.rcParams.update(st.rc)
    warnings.filters[:] = st.filters
    warnings.showwarning = st.showwarning
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    warnings._filters_mutated()
    np.random.set_state(st.np_random)
    random.setstate(st.py_random)
    np.seterr(**st.np_err)
    pdcfg._global_config.clear()
    pdcfg._global_config.update(copy.deepcopy(st.pd_options))
    decimal.setcontext(st.decimal.copy())
    os.environ.clear()
    os.environ.update(st.environ)
    sys.path[:] = st.path
    os.chdir(cwd)
    for name, module in list(sys.modules.items()):
        if name == "clem_lib" or name.startswith("clem_lib."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    get_ipython().reset(new_session=True)
    gc.collect()
    try:  # give what the last notebook freed back to the system (glibc), so the next starts as small
        import ctypes
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass
_clem_reset({cwd!r})
"""


#: IPython's history of a warm kernel: in memory (nbclient's default for the kernels it starts)
HISTORY_IN_MEMORY = "--HistoryManager.hist_file=:memory:"


async def _reply_to(channel, msg_id: str, timeout: float, *, idle: bool = False, required: bool = True):
    """The first message on ``channel`` whose parent is ``msg_id`` (with ``idle``: the kernel's
    ``status: idle`` for it), other messages skipped; None after ``timeout`` seconds unless
    ``required`` (then :class:`TimeoutError`)."""
    import time
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            if required:
                raise TimeoutError(f"no reply from the warm kernel in {timeout:g} s")
            return None
        try:
            msg = await channel.get_msg(timeout=left)
        except Empty:
            continue
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if not idle or (msg.get("msg_type") == "status" and msg["content"].get("execution_state") == "idle"):
            return msg


async def _connected_client(km, timeout: float):
    """A client of ``km``'s running kernel with its channels connected.

    What ``wait_for_ready`` makes sure of (the kernel answers on the shell channel, and this
    client's IOPub subscription receives what the kernel publishes), without its fixed
    0.2 s wait for IOPub to fall silent: the kernel's ``idle`` for our ``kernel_info`` request
    arriving on IOPub proves the subscription. A request whose IOPub message was published
    before the subscription took is simply asked again.
    """
    import time

    kc = km.client()
    kc.allow_stdin = False
    kc.start_channels()
    deadline = time.monotonic() + timeout
    while True:
        msg_id = kc.kernel_info()
        if await _reply_to(kc.shell_channel, msg_id, 1.0, required=False) is not None and \
                await _reply_to(kc.iopub_channel, msg_id, 0.5, idle=True, required=False) is not None:
            return kc
        if time.monotonic() > deadline or not await km.is_alive():
            release_clients(km)
            raise RuntimeError(f"the warm kernel did not answer in {timeout:g} s")


class WarmKernel:
    """A kernel started once, with the reports' imports done, that notebooks execute in one after
    another (each after :data:`RESET_CODE`).

    Use :meth:`prepare` before each notebook (it starts or replaces the kernel when needed and
    resets it), pass :attr:`km` to papermill, then call :meth:`finished` (or :meth:`discard`
    when the kernel died or timed out).
    """

    def __init__(self, *, startup_timeout: float = 120.0, max_units: int = WARM_UNITS):
        self.startup_timeout = startup_timeout
        self.max_units = max_units
        self.km = None
        self.runtime = None
        self.units = 0
        self.lock = threading.Lock()

    def _start(self) -> None:
        from jupyter_core.utils import run_sync

        self.runtime = tempfile.mkdtemp(prefix="clem-warm-")
        self.km = make_kernel_manager(self.runtime)
        # IPython's history in memory, as nbclient gives the kernels it starts (no sqlite file
        # shared by the workers' kernels)
        run_sync(self.km.start_kernel)(extra_arguments=[HISTORY_IN_MEMORY])
        self.units = 0
        self._run(WARM_CODE, timeout=self.startup_timeout)
        release_clients(self.km)  # the next notebook's reset connects its own

    def _run(self, code: str, *, timeout: float):
        """Execute ``code`` silently (no output, no execution count); raise when it fails.

        Returns the connected client, which the notebook that follows executes through
        (papermill's ``kc=``): nbclient then neither connects nor waits for the kernel again.
        """
        from jupyter_core.utils import run_sync

        return run_sync(self._async_run)(code, timeout)

    async def _async_run(self, code: str, timeout: float):
        kc = await _connected_client(self.km, timeout)
        try:
            msg_id = kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            reply = await _reply_to(kc.shell_channel, msg_id, timeout)
            # the kernel says idle on IOPub once it is done with the request: read up to there,
            # so the notebook's client starts on an empty channel
            await _reply_to(kc.iopub_channel, msg_id, 5.0, idle=True, required=False)
        except BaseException:
            release_clients(self.km)
            raise
        content = reply.get("content", {})
        if content.get("status") != "ok":
            release_clients(self.km)
            raise RuntimeError(f"warm kernel: {content.get('ename', 'error')}: {content.get('evalue', '')}")
        return kc

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return self.km is not None and self.km.has_kernel and bool(run_sync(self.km.is_alive)())
        except Exception:  # noqa: BLE001
            return False

    def prepare(self, cwd: str):
        """A kernel in the state of a new one, working in ``cwd``, ready for the next notebook;
        returns the client to execute it through (closed by :meth:`finished`)."""
        if self.km is not None and (self.units >= self.max_units or not self.alive()):
            self.discard()
        if self.km is None:
            self._start()
        return self._run(RESET_CODE.format(cwd=str(cwd)), timeout=self.startup_timeout)

    def finished(self) -> None:
        """The notebook is done; the kernel stays for the next one."""
        release_clients(self.km)
        self.units += 1

    def discard(self) -> None:
        """Stop the kernel (dead, timed out, or used enough) and remove its folder."""
        if self.km is not None:
            shutdown_kernel(self.km)
        if self.runtime is not None:
            shutil.rmtree(self.runtime, ignore_errors=True)
        self.km, self.runtime, self.units = None, None, 0


_WARM: WarmKernel | None = None
_WARM_LOCK = threading.Lock()


def warm_kernel(startup_timeout: float = 120.0) -> WarmKernel:
    """This process's warm kernel (one per worker process; stopped when the process exits)."""
    global _WARM
    with _WARM_LOCK:
        if _WARM is None:
            import atexit
            from multiprocessing import util

            _WARM = WarmKernel(startup_timeout=startup_timeout)
            # a pool worker leaves through multiprocessing's exit functions, a script through atexit
            util.Finalize(_WARM, _WARM.discard, exitpriority=10)
            atexit.register(_WARM.discard)
        return _WARM
