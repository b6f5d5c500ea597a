"""Run one measured task in a fresh interpreter.

``python -m benchmarks.child MODULE:FUNCTION KWARGS_JSON OUT_JSON``

The module is imported first (its imports are the task's libraries), then the
process's resident memory is read (``rss_before_bytes``), then the function runs
under ``time.perf_counter``. The peak is the kernel's high-water mark of this
process's resident set (``VmHWM`` in ``/proc/self/status``), which, unlike
tracemalloc, counts what pandas, numpy and Arrow allocate outside Python's
allocator. ``VmHWM`` belongs to the process's own address space, so it does not
inherit the parent's peak across ``exec`` the way ``ru_maxrss`` does.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path


def proc_status_bytes(field: str, pid: int | str = "self") -> int:
    """A ``kB`` field of ``/proc/<pid>/status`` (``VmRSS``, ``VmHWM``) in bytes."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def main(argv: list[str]) -> int:
    target, kwargs_json, out_path = argv
    module_name, func_name = target.split(":")
    t0 = time.perf_counter()
    module = importlib.import_module(module_name)
    func = getattr(module, func_name)
    import_s = time.perf_counter() - t0
    kwargs = json.loads(kwargs_json)
    rss_before = proc_status_bytes("VmRSS")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    extra = func(**kwargs) or {}
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak = proc_status_bytes("VmHWM")
    out = {
        "import_s": import_s,
        "wall_s": wall,
        "cpu_s": cpu,
        "rss_before_bytes": rss_before,
        "peak_rss_bytes": peak,
        "peak_increase_bytes": peak - rss_before,
        **extra,
    }
    Path(out_path).write_text(json.dumps(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
