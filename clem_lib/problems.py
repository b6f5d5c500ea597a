"""What is wrong with an export, as ``clem validate`` lists it.

A :class:`Problem` is one error or warning with the row and column where it
is; cleaning collects them in a :class:`ProblemList`, which raises at the
first error (``clem clean``) or notes every error and goes on
(``clem validate``). This module imports nothing from clem but its error
class, so the data layer (columns, cleaning, privacy, complaints) can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ClemInputError

__all__ = ["Problem", "ProblemList", "problem_from"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an export, as ``clem validate`` prints it.

    ``row`` is the 1-based data row (None: the whole file or column),
    ``column`` the raw column name, ``level`` ``"error"`` (exit 2) or
    ``"warning"``.

    >>> print(Problem(3, "unit", "unit 'Kec X' is not in units.yml", "add it as an alias"))
    error: row 3, column 'unit': unit 'Kec X' is not in units.yml (fix: add it as an alias)
    """

    row: int | None
    column: str | None
    message: str
    fix: str | None
    level: str = "error"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        head = f"{self.level}: " + (", ".join(where) + ": " if where else "")
        tail = f" (fix: {self.fix})" if self.fix else ""
        return head + self.message + tail


class ProblemList(list):
    """The problems of one cleaning; with ``collect``, errors are noted here instead of raised.

    ``validate_survey`` collects, so that it lists every error in one pass.

    >>> problems = ProblemList(collect=True)
    >>> problems.stop(ClemInputError("the unit is empty", row=2, column="unit"))
    >>> [str(p) for p in problems]
    ["error: row 2, column 'unit': the unit is empty"]
    """

    def __init__(self, collect: bool = False):
        super().__init__()
        self.collect = collect

    def stop(self, exc: ClemInputError) -> None:
        """Raise ``exc``, or note it as an error and let cleaning go on without the bad values."""
        if not self.collect:
            raise exc
        problem = problem_from(exc, exc.file)
        if problem not in self:  # e.g. one missing salt for several hashed columns
            self.append(problem)


def problem_from(exc: ClemInputError, data_path) -> Problem:
    """A ClemInputError as a Problem, without repeating the data file's name.

    >>> exc = ClemInputError("'x' is not a number", file="s.csv", row=4, column="age", fix="write 42")
    >>> problem_from(exc, "s.csv")
    Problem(row=4, column='age', message="'x' is not a number", fix='write 42', level='error')
    """
    text = str(exc)
    if exc.fix and text.endswith(")"):
        tail = f" (fix: {' '.join(str(exc.fix).rstrip('.').split())})"
        if text.endswith(tail):
            text = text[: -len(tail)]
    where = []
    same_file = exc.file is not None and Path(str(exc.file)) == Path(str(data_path))
    if exc.file is not None:
        where.append(str(exc.file))
    if exc.row is not None:
        where.append(f"row {exc.row}")
    if exc.column is not None:
        where.append(f"column '{exc.column}'")
    prefix = ", ".join(where) + ": "
    if where and text.startswith(prefix):
        text = text[len(prefix):]
        if not same_file and exc.file is not None:
            text = f"{exc.file}: {text}"
    return Problem(exc.row, exc.column, text, exc.fix, "error")
