"""Benchmarks of clem against baselines measured in the same run.

Run them with ``make bench`` (or ``python -m benchmarks [NAME ...] [--quick]``).
Each benchmark prints its figures, the ratio against its baseline and whether
the target is met, and writes ``benchmarks/results/<name>.json``.

Benchmarks (module ``benchmarks.bench_<name>``):

``clean``
    clean and score 1,000,000 generated responses (7,000 units, 3 sectors) to
    IKM per unit and sector, against ``pandas.read_csv`` of the same file.
``batch``
    12 units with ``clem run --jobs 2`` against a sequential loop of the
    ``papermill`` command over the same notebook and data.
``report``
    one unit's report against papermill executing a notebook that only
    imports the same libraries, with a breakdown of where the time goes.
``scale``
    6, 24 and 96 units: time per unit and each worker's peak memory.
``scaleout``
    the 24-unit batch on a Dask LocalCluster with two workers against
    ``--jobs 2``.
"""

from __future__ import annotations

BENCHMARKS = ("clean", "batch", "report", "scale", "scaleout")

__all__ = ["BENCHMARKS"]
