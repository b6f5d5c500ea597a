"""What clem says: labels in Bahasa Indonesia and English, and the one number style.

``labels``: every heading, axis label, table header and sentence part, by key.
``format``: numbers, percentages, rupiah, p-values, intervals, small-cell text
and escaped respondent text, the same in tables, sentences and charts.
``readings``: the plain sentence of each row of a gap table (``clem_lib.stats``).
"""

from .format import *  # noqa: F401,F403
from .labels import *  # noqa: F401,F403
from .readings import *  # noqa: F401,F403
from . import format as _format, labels as _labels, readings as _readings

__all__ = [*_labels.__all__, *_format.__all__, *_readings.__all__]
