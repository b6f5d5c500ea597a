"""Reading the YAML files that describe a survey: bytes, UTF-8, parse errors that name the file and line.

Large files are parsed with Python's cyclic garbage collector paused
(:func:`gc_paused`), and :class:`EntryPlaces` finds the line of each entry
of a top-level list for error messages.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from pathlib import Path
from typing import Any

import yaml

from ..errors import ClemInputError

__all__: list[str] = []

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def fail(path, message, fix, column=None):
    """Raise the one-line :class:`ClemInputError` about ``path``, with the fix."""
    raise ClemInputError(message, file=path, column=column, fix=fix)


def read_yaml(path) -> Any:
    """The parsed content of a YAML file (see :func:`decode_yaml`)."""
    path = Path(path)
    return decode_yaml(read_file_bytes(path), path)


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a YAML file; a missing file or a folder is a one-line error."""
    if not path.exists():
        raise ClemInputError("file not found", file=path, fix="check the path")
    if path.is_dir():
        raise ClemInputError("is a folder, not a YAML file", file=path, fix="give the .yml file")
    return path.read_bytes()


_GC_LOCK = threading.Lock()
_GC_PAUSES = 0  # callers inside gc_paused; the collector is back on when the last one leaves
_GC_WAS_ENABLED = True  # the collector's state before the first of the current pauses


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector off while a large tree of new objects is built.

    A YAML document of thousands of units creates some 100,000 dicts, lists
    and strings; every few hundred of them the collector runs, and now and
    then it walks every object in the process (pandas, numpy and scipy hold
    many), which costs more than the parsing itself. Parsed data holds no
    reference cycles (short of YAML aliases pointing into themselves), and
    whatever cycle there is, the first collection after the pause frees, so
    nothing leaks. Pauses nest (``load_units`` pauses around the YAML parse
    and its validation). Thread safe: the collector is switched back on (if
    it was on before the first pause) when the last pause ends.
    """
    global _GC_PAUSES, _GC_WAS_ENABLED
    with _GC_LOCK:
        if _GC_PAUSES == 0:
            _GC_WAS_ENABLED = gc.isenabled()
            gc.disable()
        _GC_PAUSES += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES -= 1
            if _GC_PAUSES == 0 and _GC_WAS_ENABLED:
                gc.enable()


def decode_yaml(data: bytes, path: Path) -> Any:
    """Parse the bytes of a YAML file (UTF-8, with or without BOM); errors name ``path``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ClemInputError(
            f"not UTF-8 text (byte {exc.start})", file=path, fix="save the file as UTF-8"
        ) from None
    try:
        with gc_paused():
            return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ClemInputError(
            f"not valid YAML ({where}{problem})",
            file=path,
            fix="check indentation and quotes around values containing ':' or '#'",
        ) from None


class EntryPlaces:
    """Where the entries of a YAML file's top-level lists are, for messages: ``line 12, unit 'Kec. X':``.

    The text is composed (positions only) the first time a message needs a
    line, so a valid file costs nothing.
    """

    def __init__(self, text: str):
        self._text = text
        self._lines: dict[str, list[int]] | None = None

    def lines(self, key: str) -> list[int]:
        """Line number (1-based) of each entry of the top-level list ``key``."""
        if self._lines is None:
            self._lines = {}
            try:
                node = yaml.compose(self._text, Loader=_LOADER)
                for k, value in node.value:
                    if isinstance(value, yaml.SequenceNode):
                        self._lines[str(k.value)] = [item.start_mark.line + 1 for item in value.value]
            except (yaml.YAMLError, AttributeError, TypeError):
                pass
        return self._lines.get(key, [])

    def __call__(self, key: str, i: int, what: str | None = None, name: str | None = None) -> str:
        """``line 12, <what> '<name>':`` for entry ``i`` of list ``key`` (``key[i]`` without a line)."""
        lines = self.lines(key)
        where = f"line {lines[i]}" if i < len(lines) else f"{key}[{i}]"
        if name is not None:
            where += f", {what} {shown(name)!r}"
        return where + ":"


def shown(name: str) -> str:
    """A name as a message shows it: at most 60 characters."""
    return name if len(name) <= 60 else name[:57] + "..."
