"""Cleaning: from a raw export to the cleaned table, with an audit trail."""

from .frame import *  # noqa: F401,F403
from .frame import ROW_REMOVED, __all__, _resolve_columns  # noqa: F401
