"""What no report page a reviewer opens may contain: warnings, tracebacks, paths of the machine."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from clem_lib.paths import PROJECT_ROOT


def machine_paths(*extra) -> list[str]:
    """Absolute folders of this machine a page could leak: the project, home, temp, and ``extra``."""
    roots = {str(PROJECT_ROOT), str(Path.home()), tempfile.gettempdir(), os.getcwd(), *map(str, extra)}
    return sorted(r for r in roots if r and r != "/")


def page_problems(html: str, *extra_roots) -> list[str]:
    """What is wrong with a report page: a warning or traceback text, or a path of the machine."""
    found = [w for w in ("Traceback", "Warning") if re.search(rf"\b{w}\b", html)]
    found += [f"path {r}" for r in machine_paths(*extra_roots) if r in html]
    return found


def assert_clean_pages(out_dir, *extra_roots) -> None:
    """Every ``*.html`` of a run folder is free of warnings, tracebacks and machine paths."""
    bad = {}
    for page in sorted(Path(out_dir).glob("*.html")):
        problems = page_problems(page.read_text(encoding="utf-8"), out_dir, *extra_roots)
        if problems:
            bad[page.name] = problems
    assert not bad, bad
