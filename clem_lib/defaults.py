"""The defaults every analysis shares: seed, confidence level, significance level, smallest cell.

One value each, imported by the modules that need them, so a function called
without the argument gives the figure the reports give. This module imports
nothing from clem, so any module may use it.

>>> DEFAULT_SEED, CONF_LEVEL, ALPHA, MIN_N
(20130924, 0.95, 0.05, 5)
"""

from __future__ import annotations

__all__ = ["DEFAULT_SEED", "CONF_LEVEL", "ALPHA", "MIN_N"]

DEFAULT_SEED: int = 20130924
"""Seed of every bootstrap and permutation (the reports' ``seed`` parameter)."""

CONF_LEVEL: float = 0.95
"""Confidence level of every interval."""

ALPHA: float = 0.05
"""Significance level: a result is read as significant when its (adjusted) p is below it."""

MIN_N: int = 5
"""Fewest answers behind a figure or a test; below it the figure is not shown and the test not run."""
