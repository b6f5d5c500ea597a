"""The batch runner behind ``clem run``: clean once, one report per unit, in parallel.

Steps (:mod:`.run`)
    1. plan (:mod:`.inputs`, :mod:`.plan`, :mod:`.levels`): find and check every
       input, the output folder, the parameters and the reports to write, before
       anything is written; clean the raw export in memory (:mod:`.clean`);
    2. write ``<out>/cleaned.parquet`` and ``<out>/cleaning_log.csv``;
    3. execute (:mod:`.execute`, :mod:`.pool`): ``location_report.ipynb`` once
       per unit and ``city_overview.ipynb`` once for the city and once per
       district and agency of two units or more (:mod:`.levels`), with
       papermill, in a pool of processes (or on a Dask cluster), each rendered
       as a self-contained HTML page;
    4. collect (:mod:`.collect`): each notebook's files as it finishes, then
       ``results.csv``;
    5. publish (:mod:`.publish`): ``index.html`` and ``manifest.json``
       (:mod:`.manifest`).

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
      so no registered Jupyter kernel is needed (:mod:`.kernels`).

Every file in the output folder is written to a temporary name in the same
folder and renamed into place: a reader never sees half a file. The manifest is
written first with status ``running`` and last with the final status, so an
interrupted run is recognisable and ``--retry-failed`` resumes it.
"""

from __future__ import annotations

from .execute import NotebookOutcome, NotebookTask, execute_notebook_task, normalize_notebook
from .plan import resolve_units
from .pool import Progress, run_notebooks  # noqa: F401 - Progress: importable here, not in __all__
from .publish import headline_figures
from .run import RunInterrupted, RunResult, run_reports, run_survey

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
