"""``python -m benchmarks [NAME ...] [--quick]``: run the benchmarks.

Each prints its figures, the ratio against its baseline and whether the target
is met, and writes ``<results-dir>/<name>.json``. Exit status: 0 when every
benchmark ran (targets met or not; a miss is printed as MISSED), 1 when one
failed to run, or, with ``--strict``, when a target was missed.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from . import BENCHMARKS
from .harness import RESULTS_DIR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmarks of clem against baselines measured in the same run.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true",
                        help="smoke mode: tiny sizes, seconds instead of minutes (figures not comparable)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="where <name>.json goes (default: benchmarks/results/)")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where generated surveys and outputs go (default: <results-dir>/work)")
    parser.add_argument("--seed", type=int, default=20131,
                        help="seed of the generated surveys (default: 20131)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}",
              file=sys.stderr)
        return 2
    work_dir = args.work_dir or (args.results_dir / ("work-quick" if args.quick else "work"))
    work_dir.mkdir(parents=True, exist_ok=True)
    failed, missed = [], []
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        t0 = time.perf_counter()
        try:
            report = module.run(quick=args.quick, work_dir=work_dir, seed=args.seed)
        except Exception:  # a benchmark that cannot run is reported, the others go on
            traceback.print_exc()
            print(f"== {name}: FAILED to run ==", file=sys.stderr)
            failed.append(name)
            continue
        report.print()
        path = report.write(args.results_dir)
        print(f"  written to {path} ({time.perf_counter() - t0:.0f} s)")
        if not all(c["met"] for c in report.checks):
            missed.append(name)
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}", file=sys.stderr)
    if missed:
        print(f"\ntargets missed in: {', '.join(missed)}")
    return 1 if failed or (args.strict and missed) else 0


if __name__ == "__main__":
    sys.exit(main())
