"""Cleaning: from a raw export to the cleaned table, with an audit trail.

Each rule is named; every change it makes is one row of the audit log
``(row, column, old, new, rule)``, where ``row`` is the 1-based data row of the
raw export and ``column`` the raw column name. Rules:

=====================  ==========================================================
rule                   what it does
=====================  ==========================================================
``consent_refused``    consent is "no" (or missing): the interview is removed
``duplicate_uuid``     same respondent id as an earlier submission: removed
``duplicate_answers``  same enumerator, identical answers, submitted within
                       ``quality.duplicate_window_minutes``: removed
``alias``              a known variant spelling was mapped to its code
``missing_code``       "don't know" / "no answer" became missing (never 0)
``unmatched_label``    a value matching no level became missing
``out_of_range``       a number or code outside the valid range became missing
``not_a_number``       text in a numeric column became missing
``bad_date``           an unreadable date became missing
``future_date``        a date after today became missing
``unit_alias``         a unit spelling was mapped to its canonical name
``sector_not_at_unit`` a sector the unit does not serve became missing
``skip_logic``         an answer that should be empty (resolved without a
                       problem, extra amount without paying extra) became missing
``pii_dropped``        a personal-data column was dropped (one row per column)
``pii_hashed``         a personal-data column was replaced by a salted hash
``pii_free_text``      NIK, phone numbers or e-mails were removed from free text
=====================  ==========================================================

Speeders and straight-liners are flagged (``speeder``, ``straightliner``),
never dropped. Personal values never appear in the log: they show as
``<removed>``.

The steps live one kind to a module:

=============  ================================================================
module         what it holds
=============  ================================================================
``survey``     ``clean_survey``, ``validate_survey``, ``write_cleaned``: whole files
``frame``      ``clean_frame`` and its steps, ``CleanResult``
``values``     the value columns, each by its kind; personal data
``labels``     scale columns and select-multiple questions
``numbers``    amounts, decimals, whole numbers
``dates``      dates and time stamps
``units``      units and the sectors they serve
``quality``    duplicates removed; speeders and straight-liners flagged
``audit``      the audit log (``RULES``, ``LOG_COLUMNS``, ``summarize_log``)
``codes``      columns as integer codes, text built from the distinct values
=============  ================================================================

Which raw column holds each codebook entry is :mod:`clem_lib.columns`; the
problems of an export (``Problem``) are :mod:`clem_lib.problems`.
"""

from ..problems import Problem
# ROW_REMOVED: what the log's ``new`` says for a removed row
from .audit import LOG_COLUMNS, ROW_REMOVED, RULES, summarize_log  # noqa: F401
from .frame import CleanResult, clean_frame
from .survey import clean_survey, validate_survey, write_cleaned

__all__ = [
    "RULES",
    "LOG_COLUMNS",
    "Problem",
    "CleanResult",
    "clean_survey",
    "clean_frame",
    "validate_survey",
    "write_cleaned",
    "summarize_log",
]
