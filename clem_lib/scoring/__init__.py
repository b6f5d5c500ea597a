"""Scoring: the satisfaction index (IKM) by the regulation and the indicators around it.

One module per kind of figure:

=================  ============================================================
module             what it holds
=================  ============================================================
``schemes``        ``Band``, ``Scheme``, ``SCHEMES``, ``get_scheme``, ``ikm_grade``
``satisfaction``   ``ikm_point``, ``nrr``, ``ikm`` (the index and its interval)
``sample_size``    ``krejcie_morgan``, ``sample_size_check``
``crc``            ``crc_indicators`` (Citizen Report Card), ``CRC_COLUMNS``
``access``         ``accessibility`` for special groups, ``SPECIAL_GROUPS``
``standards``      ``compliance`` with the service standard
``importance``     ``ipa`` (importance-performance analysis), ``QUADRANTS``
``intervals``      Wilson, median, delta-method and bootstrap intervals
``tables``         reading the cleaned table: columns, answers, groups
=================  ============================================================

Grades are read from the IKM rounded to two decimals,
half up on the decimal representation (:func:`clem_lib.rounding.round_half_up`).
"""

from ..rounding import round_half_up
from .access import SPECIAL_GROUPS, accessibility
from .crc import CRC_COLUMNS, crc_indicators  # noqa: F401 (CRC_COLUMNS: read by clem_lib.results)
from .importance import QUADRANTS, ipa
from .sample_size import krejcie_morgan, sample_size_check
from .satisfaction import ikm, ikm_point, nrr
from .schemes import SCHEMES, Band, Scheme, get_scheme, ikm_grade
from .standards import compliance

__all__ = [
    "Band",
    "Scheme",
    "SCHEMES",
    "get_scheme",
    "round_half_up",
    "ikm_point",
    "ikm_grade",
    "nrr",
    "ikm",
    "krejcie_morgan",
    "sample_size_check",
    "crc_indicators",
    "SPECIAL_GROUPS",
    "accessibility",
    "compliance",
    "QUADRANTS",
    "ipa",
]

