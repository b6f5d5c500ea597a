"""What clem says: labels in Bahasa Indonesia and English, the one number style, and sentences.

``labels``: every heading, axis label, table header and sentence part, by key.
``format``: numbers, percentages, rupiah, p-values, intervals, small-cell text
and escaped respondent text, the same in tables, sentences and charts.
``readings``: the plain sentence of each row of a gap table (``clem_lib.stats``).
``sentences``: the reports' sentences (headline, findings, recommendations,
methods) built from result rows, and the figure and table numbers they cite.
"""

from .format import *  # noqa: F401,F403
from .labels import *  # noqa: F401,F403
from .readings import *  # noqa: F401,F403
from .sentences import *  # noqa: F401,F403
from . import format as _format, labels as _labels, readings as _readings, sentences as _sentences

__all__ = [*_labels.__all__, *_format.__all__, *_readings.__all__, *_sentences.__all__]
