"""Errors that clem reports to the user as one line (exit code 2)."""

from __future__ import annotations

__all__ = ["ClemInputError"]


class ClemInputError(ValueError):
    """Bad input: a file, a codebook, a parameter.

    The message is one line that names the file, the row and the column where
    they are known, and says how to fix it. The command line prints it as
    ``clem: error: <message>`` and exits with code 2.
    """

    def __init__(self, message: str, *, file=None, row=None, column=None, fix=None):
        parts = []
        where = []
        if file is not None:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        if where:
            parts.append(", ".join(where) + ":")
        parts.append(message.rstrip("."))
        text = " ".join(parts)
        if fix:
            text += f" (fix: {fix.rstrip('.')})"
        text = " ".join(text.split())  # always one line
        super().__init__(text)
        self.file = file
        self.row = row
        self.column = column
        self.fix = fix
