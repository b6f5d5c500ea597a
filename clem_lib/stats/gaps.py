"""The between-group gaps of one unit: every comparison of :data:`GROUP_COMPARISONS`, each a family."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from .. import scoring
from ..defaults import CONF_LEVEL, DEFAULT_SEED, MIN_N
from .ikm_tests import ikm_gap_row
from .multitest import adjust_within_family
from .rows import gap_frame, label_value, need_columns
from .twogroup import DEFAULT_PROPORTIONS, proportions_gap_row, scores_gap_row

__all__ = ["GROUP_COMPARISONS", "gap_report"]

GROUP_COMPARISONS: tuple[tuple[str, object, object], ...] = (
    ("special_group", True, False),
    ("disability", True, False),
    ("elderly", True, False),
    ("pregnant", True, False),
    ("with_child", True, False),
    ("gender", "female", "male"),
    ("channel", "broker", "in_person"),
    ("income_group", "low", "high"),
)
"""Between-group comparisons of :func:`gap_report`: (column, group1, group2)."""


def gap_report(df: pd.DataFrame, *, unit: str | None = None, unit_column: str = "unit",
               comparisons: Sequence[tuple[str, object, object]] = GROUP_COMPARISONS,
               scheme="permenpan14_2017", weights="exact",
               proportions: Sequence[tuple[str, str, object]] | None = None,
               means: Sequence[tuple[str, str, str]] = (("mean:cost_paid", "cost_paid", "rupiah"),),
               method: str = "holm", min_n: int = MIN_N, n_boot: int = 2000, n_perm: int = 2000,
               seed: int = DEFAULT_SEED, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """All between-group gaps of one unit, each comparison a family adjusted on its own.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (the whole survey or one unit's slice).
    unit : str, optional
        Keep only this unit (``unit_column == unit``); default: the rows given.
    comparisons : sequence of (column, group1, group2)
        Default ``GROUP_COMPARISONS``: special_group, disability, elderly,
        pregnant, with_child (True vs False), female vs male, broker vs
        in_person, low vs high income. Comparisons whose column is absent are skipped.
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    proportions : sequence of (metric, column, event), optional
        Default: ``pct_satisfied`` (overall_satisfaction >= 3),
        ``pct_not_friendly`` (facility_friendly is False), ``pct_paid_extra``.
    means : sequence of (metric, column, gap_unit)
        Numeric columns compared like scores (default: ``cost_paid`` in rupiah).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment within each family ``"<unit>: <column> <group1> vs <group2>"``
        (all metrics of one comparison).
    min_n, n_boot, n_perm, seed, conf_level : see :func:`~clem_lib.stats.compare_ikm`.

    Returns
    -------
    DataFrame
        ``GAP_COLUMNS``, per comparison: each unsur score (Mann-Whitney), IKM
        (bootstrap/permutation), each proportion (chi-square/Fisher, Newcombe),
        each mean; rows in that order, comparisons in the given order.

    Examples
    --------
    >>> d = pd.DataFrame({"unit": "Kec. Serengan", "special_group": [True] * 8 + [False] * 12,
    ...                   "unsur_sarana": [2, 2, 3, 1, 2, 3, 2, 2] + [3, 4, 3, 3, 4, 4, 3, 2, 4, 3, 3, 4],
    ...                   "paid_extra": [True, False] * 10})
    >>> t = gap_report(d, unit="Kec. Serengan")
    >>> t.family.unique().tolist(), t.metric.tolist(), t.gap.round(2).tolist()
    (['Kec. Serengan: special_group True vs False'], ['nrr:sarana', 'pct_paid_extra'], [-1.21, 0.0])
    >>> print(t.reading_en[0])
    The mean score for facilities and infrastructure among special-group users is 1.21 points lower than among other users (unadjusted 95% CI: 0.58–1.83; adjusted p = 0.005).
    """
    data = df
    if unit is not None:
        need_columns(df, [unit_column], "gap_report")
        data = df[df[unit_column].eq(unit).fillna(False).to_numpy(dtype=bool)]
    s = scoring.get_scheme(scheme)
    props = proportions if proportions is not None else DEFAULT_PROPORTIONS
    rows = []  # one frame at the end: every p is adjusted and read once (not once per test)
    for i, (by, g1, g2) in enumerate(comparisons):
        if by not in data.columns:
            continue
        fam = f"{unit + ': ' if unit else ''}{by} {label_value(g1)} vs {label_value(g2)}"
        common = dict(by=by, group1=g1, group2=g2, family=fam, unit=unit or "", min_n=min_n,
                      conf_level=conf_level)
        for col in s.columns:
            if col in data.columns:
                rows.append(scores_gap_row(data, col, **common))
        if all(c in data.columns for c in s.columns):
            rows.append(ikm_gap_row(data, scheme=scheme, weights=weights, n_boot=n_boot,
                                    n_perm=n_perm, seed=seed + i, **common))
        for metric, col, ev in props:
            if col in data.columns:
                rows.append(proportions_gap_row(data, col, event=ev, metric=metric, **common))
        for metric, col, gu in means:
            if col in data.columns:
                rows.append(scores_gap_row(data, col, metric=metric, gap_unit=gu, **common))
    if not rows:
        return gap_frame([])
    return adjust_within_family(gap_frame(rows), method=method)
