"""Significance tests on satisfaction gaps: is a gap real, how big is it, how sure are we.

Every test returns a tidy table with one row per comparison and the columns of
``GAP_COLUMNS``: the gap in the metric's own units (points, IKM points,
percentage points) with its 95% interval, the test statistic, p, p adjusted
within a declared ``family``, an effect size with its interval, n on each side,
the method's name, a ``status`` (``"ok"``, ``"not enough data"`` or a model
failure) and a one-sentence plain reading in Indonesian and English. The tests
compute numbers; the readings are written by :mod:`clem_lib.text.readings`.

One module per family of tests:

``twogroup``
    two groups on an ordinal score (:func:`compare_scores`, Mann-Whitney U) and
    two proportions (:func:`compare_proportions`, chi-square or Fisher);
``ikm_tests``
    the IKM of two groups (:func:`compare_ikm`, bootstrap and permutation);
``units``
    k units of a sector (:func:`compare_units`, Kruskal-Wallis then
    :func:`dunn_test`) and each unit against the rest (:func:`unit_vs_rest`);
``paired``
    expectation vs experience (:func:`paired_gap`, Wilcoxon signed-rank);
``rounds``
    survey rounds (:func:`compare_rounds`);
``target``
    targets (:func:`ikm_vs_target`, :func:`proportion_vs_target`);
``ordinal``
    the ordinal model (:func:`ordinal_model`);
``gaps``
    the between-group report of one unit (:func:`gap_report`).

Beside them: ``intervals`` (:func:`wilson_ci`, :func:`newcombe_ci`),
``effects`` (:func:`cliffs_delta`, :func:`fisher_odds_ratio`, Cohen's h,
epsilon squared), ``multitest`` (:func:`adjust_pvalues`,
:func:`adjust_within_family`: Holm by default, Benjamini-Hochberg on request;
rows with too few answers are left out of their family) and ``rows`` (the gap
table's columns and row statuses). A new test goes in the module of its family
and builds its rows with :func:`clem_lib.stats.rows.gap_row`. The methods,
their validation against R and a simulation of their size, coverage and power
are written up in ``docs/statistics.md``.
"""

from __future__ import annotations

from ..text.readings import add_readings
from .effects import cliffs_delta, fisher_odds_ratio
from .gaps import GROUP_COMPARISONS, gap_report
from .ikm_tests import compare_ikm
from .intervals import newcombe_ci, wilson_ci
from .multitest import adjust_pvalues, adjust_within_family
from .ordinal import ordinal_model
from .paired import paired_gap
from .rounds import compare_rounds
from .rows import GAP_COLUMNS
from .target import GRADE_B_2017, ikm_vs_target, proportion_vs_target
from .twogroup import compare_proportions, compare_scores
from .units import compare_units, dunn_test, unit_vs_rest

__all__ = [
    "GAP_COLUMNS",
    "GRADE_B_2017",
    "wilson_ci",
    "newcombe_ci",
    "fisher_odds_ratio",
    "cliffs_delta",
    "dunn_test",
    "adjust_pvalues",
    "adjust_within_family",
    "add_readings",
    "compare_scores",
    "compare_proportions",
    "compare_ikm",
    "compare_units",
    "unit_vs_rest",
    "paired_gap",
    "compare_rounds",
    "ikm_vs_target",
    "proportion_vs_target",
    "ordinal_model",
    "gap_report",
    "GROUP_COMPARISONS",
]
