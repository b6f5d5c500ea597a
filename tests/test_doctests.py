"""The examples in the docstrings of scoring, stats and weights run and print what they say.

Every public function and class (a name in the package's ``__all__``) carries
at least one example (``>>>``), and every example found in these modules
(their submodules included, when they are packages) passes. Examples of a
public name defined elsewhere (re-exported, e.g. ``round_half_up``) run too.

Options: ``ELLIPSIS`` (``...`` stands for any text) and
``NORMALIZE_WHITESPACE`` (runs of blanks and line breaks compare equal).
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["clem_lib.scoring", "clem_lib.stats", "clem_lib.weights"]
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
FINDER = doctest.DocTestFinder(exclude_empty=True)


def _modules(name: str) -> list:
    """The module, and every submodule when it is a package."""
    top = importlib.import_module(name)
    found = [top]
    if hasattr(top, "__path__"):
        for info in pkgutil.walk_packages(top.__path__, prefix=f"{name}."):
            found.append(importlib.import_module(info.name))
    return found


def _public() -> list:
    """(dotted name, object) for every function and class in the packages' ``__all__``."""
    out = []
    for name in PACKAGES:
        top = importlib.import_module(name)
        for attr in getattr(top, "__all__", []):
            obj = getattr(top, attr)
            if inspect.isroutine(obj) or inspect.isclass(obj):
                out.append((f"{name}.{attr}", obj))
    return out


def _tests_of(obj, name: str) -> list:
    module = inspect.getmodule(obj)
    return [t for t in FINDER.find(obj, name, module=module) if t.examples]


def _all_tests() -> list:
    """Every doctest of the packages' modules, and of public names defined outside them; once each."""
    tests, seen = [], set()

    def add(found):
        for t in found:
            key = (t.filename, t.lineno, t.name.rsplit(".", 1)[-1])
            if t.examples and key not in seen:
                seen.add(key)
                tests.append(t)

    for name in PACKAGES:
        for module in _modules(name):
            add(FINDER.find(module))
    for name, obj in PUBLIC:
        add(_tests_of(obj, name))
    return sorted(tests, key=lambda t: t.name)


def _shown(filename: str) -> str:
    """A source file's path relative to the project, when it is in it."""
    path = Path(filename).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


PUBLIC = _public()
TESTS = _all_tests()


@pytest.mark.parametrize("name, obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_public_name_has_an_example(name, obj):
    where = f"{_shown(inspect.getsourcefile(obj))}:{inspect.getsourcelines(obj)[1]}"
    if not inspect.getdoc(obj):
        pytest.fail(f"{name} ({where}) has no docstring. Fix: add one with an Examples section", pytrace=False)
    if not _tests_of(obj, name):
        pytest.fail(f"{name} ({where}) has no runnable example. Fix: add an Examples section with `>>>` lines"
                    f" and the output they print", pytrace=False)


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_example_passes(test):
    out = []
    runner = doctest.DocTestRunner(optionflags=OPTIONS, verbose=False)
    result = runner.run(test, out=out.append, clear_globs=True)
    if result.failed:
        pytest.fail(f"{_shown(test.filename)}:{test.lineno}: {test.name}\n" + "".join(out), pytrace=False)
