"""Scoring: the satisfaction index (IKM) and the indicators around it."""

from .satisfaction import *  # noqa: F401,F403
from .satisfaction import CRC_COLUMNS, __all__, _bool, _scores  # noqa: F401
