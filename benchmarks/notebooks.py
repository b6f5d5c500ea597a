"""Notebooks and papermill commands used as baselines.

- :func:`floor_notebook`: the *floor* of a report: its parameters cell and the
  same import statements, nothing else (papermill executing it costs the
  process start, the kernel start and the imports: what any report pays).
- :func:`empty_notebook`: one cell that does nothing (process + kernel only).
- :func:`papermill_cmd`: the plain ``papermill`` command line for one unit.
- :func:`cell_breakdown`: where the time of an executed notebook went, from
  the per-cell durations papermill records in the output's metadata.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from .harness import venv_bin

__all__ = ["floor_notebook", "empty_notebook", "papermill_cmd", "cell_breakdown", "import_lines"]


def _load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def import_lines(nb: dict) -> list[str]:
    """Every top-level ``import`` / ``from ... import`` statement of the code cells, in order."""
    lines: list[str] = []
    for cell in nb["cells"]:
        if cell.get("cell_type") != "code":
            continue
        src = _source(cell)
        # IPython magics are not Python: drop them before parsing
        clean = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines())
        try:
            tree = ast.parse(clean)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                stmt = ast.get_source_segment(clean, node)
                if stmt and stmt not in lines:
                    lines.append(stmt)
    return lines


def _write(nb: dict, cells: list[dict], dst: Path) -> Path:
    out = {"cells": cells, "metadata": nb.get("metadata", {}), "nbformat": nb.get("nbformat", 4),
           "nbformat_minor": nb.get("nbformat_minor", 5)}
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return dst


def _code(src: str, tags=()) -> dict:
    import hashlib

    cell_id = hashlib.sha1(f"{tags}{src}".encode()).hexdigest()[:12]
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": {"tags": list(tags)},
            "outputs": [], "source": src}


def floor_notebook(src: Path, dst: Path) -> tuple[Path, list[str]]:
    """Write the floor notebook of ``src``: its parameters cell and its imports only."""
    nb = _load(src)
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    lines = import_lines(nb)
    cells = [_code(_source(c), ("parameters",)) for c in params[:1]]
    cells.append(_code("\n".join(lines) if lines else "pass"))
    return _write(nb, cells, dst), lines


def empty_notebook(src: Path, dst: Path) -> Path:
    """Write a notebook with the kernel of ``src`` and one cell that does nothing."""
    nb = _load(src)
    params = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    cells = [_code(_source(c), ("parameters",)) for c in params[:1]] + [_code("pass")]
    return _write(nb, cells, dst)


def papermill_cmd(notebook: Path, output: Path, parameters: dict, *, cwd: Path | None = None) -> list[str]:
    """The plain papermill command line: ``papermill IN OUT -p name value ...``."""
    cmd = [venv_bin("papermill"), str(notebook), str(output), "--no-progress-bar"]
    if cwd is not None:
        cmd += ["--cwd", str(cwd)]
    for key, value in parameters.items():
        # -p lets papermill infer the type from the literal; strings stay strings
        cmd += ["-p", key, str(value)] if not isinstance(value, str) else ["-r", key, value]
    return cmd


def _has_image(cell: dict) -> bool:
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if any(k.startswith("image/") for k in data):
            return True
        html = data.get("text/html", "")
        html = "".join(html) if isinstance(html, list) else html
        if "<img" in html or "<svg" in html:
            return True
    return False


def cell_breakdown(executed: Path, import_statements: list[str] | None = None) -> dict:
    """Seconds spent per kind of cell of a notebook executed by papermill.

    Kinds: ``imports`` (cells made only of import statements), ``plotting``
    (cells whose output holds an image), ``parameters`` and ``other``
    (computation, tables, text). Also every cell's time and the five slowest.
    """
    nb = _load(executed)
    totals = {"parameters": 0.0, "imports": 0.0, "plotting": 0.0, "other": 0.0}
    cells = []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if duration is None:
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        src = _source(cell)
        code_lines = [ln for ln in src.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        if "parameters" in tags or "injected-parameters" in tags:
            kind = "parameters"
        elif code_lines and all(ln.lstrip().startswith(("import ", "from ")) for ln in code_lines):
            kind = "imports"
        elif _has_image(cell):
            kind = "plotting"
        else:
            kind = "other"
        totals[kind] += float(duration)
        first = code_lines[0][:80] if code_lines else ""
        cells.append({"index": i, "kind": kind, "duration_s": float(duration), "first_line": first})
    slowest = sorted(cells, key=lambda c: -c["duration_s"])[:5]
    return {"totals": totals, "cells_s": sum(totals.values()), "slowest": slowest, "n_cells": len(cells),
            "cells": cells}
