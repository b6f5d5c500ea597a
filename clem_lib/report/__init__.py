"""The reports: a unit's report and the city overview behind the notebooks."""

from .unit import *  # noqa: F401,F403
from . import unit as _unit

__all__ = list(_unit.__all__)
