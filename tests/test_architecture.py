"""The shape of clem_lib, read from its source with ``ast`` (nothing is imported).

* no import circles among clem_lib's modules, counting imports inside
  functions too (a function-level import hides a circle, it does not remove it);
* no module imports another module's private name (``_name``);
* no module over 800 lines, except the few listed in ``LONG_MODULES`` with
  their reason;
* no function or method over 80 lines unless the line directly above its
  ``def`` (or above its first decorator) is a comment ``# long: <reason>``.

Nodes of the import graph are files: ``from .stats import x`` points at
``clem_lib/stats/__init__.py`` when ``stats`` is a package, ``from . import
scoring`` at the scoring module or package, ``from .stats.tests import x`` at
``clem_lib/stats/tests.py`` and, because Python runs a package's
``__init__.py`` before any of its submodules, also at
``clem_lib/stats/__init__.py`` (unless the importing module is inside
``clem_lib.stats`` itself). A package's ``__init__.py`` importing its own
submodules is an edge like any other. ``clem_lib/__init__.py`` re-exports
every module and is left out, on the condition that no other module imports
``clem_lib`` itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "clem_lib"
SOURCE = Path(__file__).resolve().parents[1] / PACKAGE

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80
LONG_MARK = "# long:"

# Modules allowed over MAX_MODULE_LINES, path relative to clem_lib/ -> why they stay one module.
LONG_MODULES: dict[str, str] = {}


# ---------------------------------------------------------------------------
# Reading the source
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. clem_lib.stats.tests
    path: Path
    is_package: bool

    @property
    def rel(self) -> str:
        return self.path.relative_to(SOURCE.parent).as_posix()


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module
    line: int
    names: tuple  # names taken from the target by `from target import ...` ("" for a plain import)
    implicit: bool = False  # the target is a package whose __init__ runs before the named submodule


def _modules() -> dict:
    found = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = list(path.relative_to(SOURCE.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = Module(".".join(parts), path, is_package)
    return found


MODULES = _modules()
TREES = {name: ast.parse(m.path.read_text(encoding="utf-8"), filename=str(m.path)) for name, m in MODULES.items()}


def _base(module: Module, level: int) -> str:
    """The package a relative import with ``level`` dots starts from."""
    parts = module.name.split(".")
    if not module.is_package:
        parts = parts[:-1]
    return ".".join(parts[: len(parts) - (level - 1)])


def _from_target(module: Module, node: ast.ImportFrom) -> str:
    """The dotted name after ``from`` in ``module``, relative imports resolved."""
    if node.level:
        return _base(module, node.level) + (f".{node.module}" if node.module else "")
    return node.module or ""


def _existing(name: str) -> str | None:
    """``name`` or its longest prefix that is a clem_lib module."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in MODULES:
            return ".".join(parts)
        parts.pop()
    return None


def _with_parents(edge: Edge) -> list:
    """The edge, and one to every package on the way that does not hold the importing module."""
    out = [edge]
    parts = edge.target.split(".")
    for i in range(2, len(parts)):
        parent = ".".join(parts[:i])
        if edge.source == parent or edge.source.startswith(parent + "."):
            continue
        out.append(Edge(edge.source, parent, edge.line, (), implicit=True))
    return out


def _edges(module: Module) -> list:
    """Every import of a clem_lib module by ``module``, at module level or inside functions."""
    edges = []
    for node in ast.walk(TREES[module.name]):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == PACKAGE or alias.name.startswith(PACKAGE + "."):
                    target = _existing(alias.name)
                    if target:
                        edges += _with_parents(Edge(module.name, target, node.lineno, ("",)))
        elif isinstance(node, ast.ImportFrom):
            target = _from_target(module, node)
            if not (target == PACKAGE or target.startswith(PACKAGE + ".")):
                continue
            names = []
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in MODULES:  # `from . import scoring`: the submodule itself
                    edges += _with_parents(Edge(module.name, sub, node.lineno, ()))
                else:
                    names.append(alias.name)
            if names:
                resolved = _existing(target)
                if resolved:
                    edges += _with_parents(Edge(module.name, resolved, node.lineno, tuple(names)))
    return [e for e in edges if e.target != e.source]


EDGES = [e for m in MODULES.values() for e in _edges(m)]


def _where(module_name: str, line: int) -> str:
    return f"{MODULES[module_name].rel}:{line}"


# ---------------------------------------------------------------------------
# (a) no import circles
# ---------------------------------------------------------------------------


def _cycles(graph: dict) -> list:
    """Strongly connected components with more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):  # recursion depth is bounded by the number of modules (~100)
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _one_circle(component: list, by_pair: dict) -> list:
    """A shortest circle through the component's first module, as a list of edges."""
    start, members = component[0], set(component)
    paths = {start: []}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for (a, b), edge in sorted(by_pair.items()):
                if a != v or b not in members:
                    continue
                if b == start:
                    return paths[v] + [edge]
                if b not in paths:
                    paths[b] = paths[v] + [edge]
                    nxt.append(b)
        frontier = nxt
    return []


def _describe(edge: Edge) -> str:
    what = MODULES[edge.target].rel
    if edge.implicit:
        how = f"runs {what} first (a submodule of it is imported)"
    elif edge.names:
        how = f"imports {', '.join(edge.names)} from {what}"
    else:
        how = f"imports {what}"
    return f"    {_where(edge.source, edge.line)} {how}"


def test_no_import_circles():
    graph, by_pair = {}, {}
    for e in EDGES:
        if PACKAGE in (e.source, e.target):
            continue  # clem_lib/__init__.py re-exports everything; see the next test
        graph.setdefault(e.source, set()).add(e.target)
        by_pair.setdefault((e.source, e.target), e)
    problems = []
    for component in _cycles(graph):
        circle = _one_circle(component, by_pair)
        problems.append(
            f"import circle among {', '.join(MODULES[m].rel for m in component)}; for example:\n"
            + "\n".join(_describe(e) for e in circle)
            + "\n  fix: move what both sides need into a module that imports neither, or let one side"
            " receive it as an argument (an import inside a function does not remove the circle)"
        )
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def test_no_module_imports_the_top_package():
    problems = [
        f"{_where(e.source, e.line)} imports "
        + (f"{', '.join(n for n in e.names if n)} from " if any(e.names) else "")
        + f"{PACKAGE} itself; clem_lib/__init__.py imports every module, so this is a circle."
        f" Fix: import from the module that defines it"
        + (" (the version: importlib.metadata.version('clem'))" if "__version__" in e.names else "")
        for e in EDGES
        if e.target == PACKAGE and e.source != PACKAGE and not e.implicit
    ]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


# ---------------------------------------------------------------------------
# (b) no module imports another module's private name
# ---------------------------------------------------------------------------


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _same_package(a: str, b: str) -> bool:
    """``b`` is a submodule of the package that holds ``a`` (or of ``a`` itself, a package)."""
    holder = a if MODULES[a].is_package else a.rsplit(".", 1)[0]
    return b.startswith(holder + ".")


def _module_aliases(module: Module) -> dict:
    """Local names bound to clem_lib modules by ``from . import x [as y]`` or ``import clem_lib.x as y``."""
    aliases = {}
    for node in ast.walk(TREES[module.name]):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith(PACKAGE)):
            target = _from_target(module, node)
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and alias.name in MODULES:
                    aliases[alias.asname] = alias.name
    return aliases


def test_no_module_imports_a_private_name_of_another():
    problems = []
    for e in EDGES:
        for name in e.names:
            if _private(name):
                problems.append(
                    f"{_where(e.source, e.line)} imports the private name {name} from {MODULES[e.target].rel}."
                    f" Fix: give it a public name (no leading underscore) in the module where it belongs,"
                    f" or keep it private and stop using it outside {MODULES[e.target].rel}")
    for m in MODULES.values():
        # a private submodule is private to its package
        for e in EDGES:
            if e.source == m.name and not e.implicit and not e.names:
                last = e.target.rsplit(".", 1)[-1]
                if _private(last) and not _same_package(m.name, e.target):
                    problems.append(f"{_where(m.name, e.line)} imports {MODULES[e.target].rel}, private to its"
                                    f" package. Fix: import the public name its package exports")
        # `from . import cleaning` then `cleaning._resolve_columns`
        aliases = _module_aliases(m)
        for node in ast.walk(TREES[m.name]):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and _private(node.attr)):
                problems.append(
                    f"{_where(m.name, node.lineno)} uses the private name {node.attr} of"
                    f" {MODULES[aliases[node.value.id]].rel}. Fix: give it a public name in the module where"
                    f" it belongs")
    if problems:
        pytest.fail("\n".join(sorted(set(problems))), pytrace=False)


# ---------------------------------------------------------------------------
# (c) module length, (d) function length
# ---------------------------------------------------------------------------


def _lines(module: Module) -> int:
    return len(module.path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_800_lines():
    problems = [
        f"{m.rel}: {_lines(m)} lines (limit {MAX_MODULE_LINES}). Fix: split it by concern into a package"
        f" whose __init__.py re-exports the same public names, or, if it is one concern, add it to"
        f" LONG_MODULES in tests/test_architecture.py with the reason"
        for m in MODULES.values()
        if _lines(m) > MAX_MODULE_LINES and m.path.relative_to(SOURCE).as_posix() not in LONG_MODULES
    ]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_every_long_module_exception_is_still_needed():
    problems = []
    for rel, reason in LONG_MODULES.items():
        path = SOURCE / rel
        if not reason.strip():
            problems.append(f"LONG_MODULES[{rel!r}] gives no reason")
        if not path.is_file():
            problems.append(f"LONG_MODULES lists clem_lib/{rel}, which does not exist. Fix: remove the entry")
        elif len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES:
            problems.append(f"clem_lib/{rel} is within {MAX_MODULE_LINES} lines. Fix: remove it from LONG_MODULES")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def _long_reason(source_lines: list, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The text after ``# long:`` on the line directly above the def or its first decorator."""
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    if first < 2:
        return None
    above = source_lines[first - 2].strip()
    if above.startswith(LONG_MARK):
        return above[len(LONG_MARK):].strip()
    return None


def test_no_function_over_80_lines_without_a_reason():
    problems = []
    for m in MODULES.values():
        source_lines = m.path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(TREES[m.name]):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = node.end_lineno - node.lineno + 1
            if length <= MAX_FUNCTION_LINES:
                continue
            reason = _long_reason(source_lines, node)
            if reason is None:
                problems.append(
                    f"{m.rel}:{node.lineno}: {node.name} is {length} lines (limit {MAX_FUNCTION_LINES})."
                    f" Fix: split it into named steps, or put `{LONG_MARK} <reason>` on the line directly"
                    f" above the def (or above its first decorator)")
            elif not reason:
                problems.append(f"{m.rel}:{node.lineno}: {node.name} has `{LONG_MARK}` without a reason."
                                f" Fix: say why it stays long after the colon")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
