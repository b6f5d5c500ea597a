"""Benchmark ``report``: one unit's report against its floor, and where the time goes.

Measured (each with the plain ``papermill`` command, which is what a user or
the batch runner pays for one notebook):

- ``report``: ``notebooks/location_report.ipynb`` for one unit of the bundled
  sample, on a cleaned table made beforehand (``clem clean``);
- ``floor``: a notebook with the same parameters cell that only imports the
  same libraries: every module the report's kernel had loaded when it
  finished (read from ``sys.modules`` in a separate probe run), minus those
  an empty kernel already has, imported in the report's order;
- ``empty``: a notebook with one cell that does nothing: the papermill
  process, the kernel start and shutdown.

Target: report <= 2x floor.

Breakdown of the report's time: papermill process + kernel (``empty``),
imports (the floor's import cell, timed by papermill), building the unit's
figures (the report's first cell minus the imports), plotting (cells whose
output is an image), tables and text (the other cells), and, separately,
rendering the executed notebook to HTML (``clem_lib.htmlout``), which the
batch runner does after papermill.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from .harness import PROJECT_ROOT, Report, run_command, run_task, venv_bin
from .notebooks import _code, _load, _write, cell_breakdown, empty_notebook, papermill_cmd

__all__ = ["run", "render_task", "prepare_sample"]

NOTEBOOK = PROJECT_ROOT / "notebooks" / "location_report.ipynb"


def prepare_sample(work_dir: Path) -> Path:
    """The bundled sample cleaned once with ``clem clean`` (cached)."""
    from clem_lib.paths import SAMPLE_CODEBOOK, SAMPLE_DATA

    out = Path(work_dir) / "sample" / "cleaned.parquet"
    stamp = out.with_suffix(".source")
    key = f"{SAMPLE_DATA.stat().st_mtime_ns}:{SAMPLE_CODEBOOK.stat().st_mtime_ns}"
    if out.exists() and stamp.exists() and stamp.read_text() == key:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    run_command([venv_bin("clem"), "clean", "--data", str(SAMPLE_DATA), "--codebook", str(SAMPLE_CODEBOOK),
                 "--out", str(out)]).check()
    stamp.write_text(key)
    return out


def _probe_notebook(src: Path, dst: Path, modules_out: Path) -> Path:
    """``src`` with one more cell that writes the kernel's loaded modules, in import order."""
    nb = _load(src)
    cell = _code("import json as _json, sys as _sys\n"
                 f"_json.dump(list(_sys.modules), open({str(modules_out)!r}, 'w'))\n")
    return _write(nb, list(nb["cells"]) + [cell], dst)


def floor_from_modules(src: Path, dst: Path, report_modules: list[str], empty_modules: list[str]) -> tuple[Path, int]:
    """The floor notebook: parameters cell, then import every module the report loaded."""
    nb = _load(src)
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    have = set(empty_modules)
    wanted = [m for m in report_modules if m not in have and m not in ("__main__", "__mp_main__")]
    src_lines = [
        "import importlib",
        "import clem_lib",
        f"_modules = {json.dumps(wanted)}",
        "for _m in _modules:",
        "    try:",
        "        importlib.import_module(_m)",
        "    except Exception:",
        "        pass",
    ]
    cells = [_code("".join(c["source"]) if isinstance(c["source"], list) else c["source"], ("parameters",))
             for c in params[:1]]
    cells.append(_code("\n".join(src_lines)))
    return _write(nb, cells, dst), len(wanted)


def _imports_first(floor_nb: Path, src: Path, dst: Path) -> Path:
    """The report with the floor's import cell first: its cells' times are then work, not imports."""
    floor = _load(floor_nb)
    nb = _load(src)
    imports = [c for c in floor["cells"] if "parameters" not in c.get("metadata", {}).get("tags", [])]
    cells = list(nb["cells"])
    at = next(i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])) + 1
    return _write(nb, cells[:at] + imports + cells[at:], dst)


def render_task(notebook: str, title: str, lang: str) -> dict:
    """Render an executed notebook to HTML the way the batch runner does."""
    import time

    import nbformat

    t0 = time.perf_counter()
    try:
        from clem_lib.htmlout import render_notebook_html
    except ImportError:  # older tree: plain nbconvert without inputs
        from nbconvert import HTMLExporter

        def render_notebook_html(nb, *, title, lang):
            return HTMLExporter(exclude_input=True).from_notebook_node(nb)[0]
    import_s = time.perf_counter() - t0
    nb = nbformat.read(notebook, as_version=4)
    t0 = time.perf_counter()
    html = render_notebook_html(nb, title=title, lang=lang)
    return {"render_only_s": time.perf_counter() - t0, "render_import_s": import_s, "html_bytes": len(html)}


def run(*, quick: bool, work_dir: Path, seed: int, repeats: int | None = None,
        notebooks_dir: Path | None = None) -> Report:
    from clem_lib.paths import UNITS_FILE, CHECKLIST_FILE

    repeats = repeats or (1 if quick else 3)
    notebook = Path(notebooks_dir) / "location_report.ipynb" if notebooks_dir else NOTEBOOK
    work = Path(work_dir) / "report"
    work.mkdir(parents=True, exist_ok=True)
    data = prepare_sample(work_dir)
    unit = "Kec. Serengan"
    params = {"unit": unit, "data_path": str(data), "checklist_path": str(CHECKLIST_FILE),
              "units_path": str(UNITS_FILE), "lang": "id", "seed": 20130924,
              "results_path": str(work / "results_part.csv")}
    report = Report("report", quick=quick, parameters={"unit": unit, "repeats": repeats, "data": "bundled sample",
                                                        "notebook": str(notebook)})

    # probe runs (not timed): which modules a report and an empty kernel hold
    empty_nb = empty_notebook(notebook, work / "empty.ipynb")
    mods_report, mods_empty = work / "modules_report.json", work / "modules_empty.json"
    run_command(papermill_cmd(_probe_notebook(notebook, work / "probe_report.ipynb", mods_report),
                              work / "probe_report.out.ipynb", params)).check()
    run_command(papermill_cmd(_probe_notebook(empty_nb, work / "probe_empty.ipynb", mods_empty),
                              work / "probe_empty.out.ipynb", params)).check()
    floor_nb, n_modules = floor_from_modules(notebook, work / "floor.ipynb",
                                             json.loads(mods_report.read_text()), json.loads(mods_empty.read_text()))
    report.details["floor_modules"] = n_modules
    split_nb = _imports_first(floor_nb, notebook, work / "imports_first.ipynb")

    # timed runs, interleaved so that a busy moment hits all of them alike
    sources = {"empty": empty_nb, "floor": floor_nb, "report": notebook, "split": split_nb}
    times = {k: [] for k in sources}
    peaks = {k: [] for k in sources}
    breakdowns = []
    for _ in range(repeats):
        for name, nb in sources.items():
            out = work / f"{name}.out.ipynb"
            res = run_command(papermill_cmd(nb, out, params)).check()
            times[name].append(res.wall_s)
            peaks[name].append(res.peak_by_role().get("kernel", 0))
            if name == "split":
                breakdowns.append(cell_breakdown(out))
    med = {k: statistics.median(v) for k, v in times.items()}
    render = run_task("benchmarks.bench_report:render_task", notebook=str(work / "report.out.ipynb"),
                      title=unit, lang="id")

    report.figure("empty_s", med["empty"])
    report.figure("floor_s", med["floor"])
    report.figure("report_s", med["report"])
    # the fastest run of each is the least disturbed by other work on a shared machine
    report.figure("empty_min_s", min(times["empty"]))
    report.figure("floor_min_s", min(times["floor"]))
    report.figure("report_min_s", min(times["report"]))
    report.figure("ratio_of_fastest_runs", min(times["report"]) / min(times["floor"]))
    # breakdown from the imports-first run whose time is the median one
    order = sorted(range(repeats), key=lambda i: times["split"][i])
    bd = breakdowns[order[len(order) // 2]]
    cells = [c for c in bd["cells"] if c["kind"] != "parameters"]
    imports_s = cells[0]["duration_s"]      # the floor's import cell
    build_s = cells[1]["duration_s"]        # the report's first cell: load the unit's data, build every figure
    rest = cells[2:]
    plotting_s = sum(c["duration_s"] for c in rest if c["kind"] == "plotting")
    other_s = sum(c["duration_s"] for c in rest if c["kind"] != "plotting")
    report.figure("imports_first_s", med["split"])
    report.figure("part_papermill_and_kernel_s", med["empty"])
    report.figure("part_imports_s", imports_s)
    report.figure("part_build_figures_s", build_s)
    report.figure("part_plotting_s", plotting_s)
    report.figure("part_tables_text_s", other_s)
    report.figure("report_cells_total_s", bd["cells_s"])
    report.figure("render_html_s", render["render_only_s"])
    report.figure("render_html_bytes", render["html_bytes"])
    report.figure("report_kernel_peak_rss_bytes", max(peaks["report"]))
    report.figure("floor_kernel_peak_rss_bytes", max(peaks["floor"]))
    report.details["runs_s"] = times
    report.details["slowest_cells"] = bd["slowest"]
    report.details["cells"] = bd["cells"]
    report.details["render"] = render
    report.check("time: report / floor (papermill)", med["report"], med["floor"], 2.0,
                 what="papermill wall time of location_report for one unit over a notebook importing the same modules")
    report.note(f"median of {repeats} interleaved runs; floor imports {n_modules} modules the report loaded")
    return report
