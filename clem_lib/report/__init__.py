"""The reports behind the notebooks: one unit's report and the city overview.

``params``
    :class:`ReportParams`, every parameter of a report notebook with its
    default and its checks, and what papermill gets (used by ``clem run``, the
    notebooks and the report classes).
``data``
    Reading the cleaned table (one unit's slice, the parts a survey did not
    ask, its rounds) and the bundled sample's cleaned cache.
``tables``
    The display objects (:class:`ReportTable`, :class:`ReportText`),
    :func:`report_table`, headings and captions.
``base``, ``unit``, ``city``
    What both reports share; :class:`UnitReport` (``location_report.ipynb``);
    :class:`CityReport` (``city_overview.ipynb``).

The sentences the reports write are in :mod:`clem_lib.text.sentences`; the
rows of ``results.csv`` in :mod:`clem_lib.results`. The names below are
re-exported here so that ``from clem_lib.report import X`` keeps working.
"""

from ..text import (
    CHANNEL_CHART_METRICS,
    FIGURES,
    PART_LABELS,
    TABLES,
    figure_ref,
    findings_text,
    gap_disadvantages_group1,
    headline_text,
    methods_text,
    not_asked_text,
    recommendations_text,
    sentence_accessibility,
    sentence_gap,
    sentence_ikm,
    significant_gaps,
    table_ref,
)
from .params import CITY_WEIGHTS, ReportParams, resolve_unit, validate_report_params
from ..text.tables import ReportTable, ReportText, figure_caption, heading, report_table, table_caption
from .data import cleaned_sample, cleaned_sample_register, read_unit_slice, sample_cache_path, survey_rounds, \
    unasked_columns
from .unit import UnitReport
from .city import CityReport

__all__ = [
    "FIGURES",
    "gap_disadvantages_group1",
    "CHANNEL_CHART_METRICS",
    "ReportTable",
    "report_table",
    "figure_caption",
    "figure_ref",
    "table_ref",
    "heading",
    "resolve_unit",
    "validate_report_params",
    "read_unit_slice",
    "unasked_columns",
    "survey_rounds",
    "not_asked_text",
    "PART_LABELS",
    "sentence_ikm",
    "sentence_accessibility",
    "sentence_gap",
    "significant_gaps",
    "ReportText",
    "TABLES",
    "table_caption",
    "sample_cache_path",
    "cleaned_sample",
    "cleaned_sample_register",
    "UnitReport",
    "CityReport",
    "CITY_WEIGHTS",
    "headline_text",
    "findings_text",
    "recommendations_text",
    "methods_text",
    "ReportParams",
]
