"""Change between two survey rounds of the same unit (independent samples of respondents)."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from .. import scoring
from ..defaults import CONF_LEVEL, DEFAULT_SEED, MIN_N
from .ikm_tests import ikm_gap_row
from .multitest import adjust_within_family
from .rows import gap_frame, need_columns
from .twogroup import DEFAULT_PROPORTIONS, proportions_gap_row, scores_gap_row

__all__ = ["compare_rounds"]


def compare_rounds(df: pd.DataFrame, *, unit: str | None = None, unit_column: str = "unit",
                   round: str = "round", baseline=1, followup=2, scheme="permenpan14_2017",
                   weights="exact", proportions: Sequence[tuple[str, str, object]] | None = None,
                   method: str = "holm", min_n: int = MIN_N, n_boot: int = 2000, n_perm: int = 2000,
                   seed: int = DEFAULT_SEED, conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    """Change between two survey rounds of the same unit: IKM, each unsur, proportions.

    Parameters
    ----------
    df : DataFrame
        Cleaned table holding both rounds.
    unit : str, optional
        Keep only this unit (``unit_column == unit``); default the whole table.
    round : str
        Round column (``Int64``, 1 = baseline).
    baseline, followup : int
        The two rounds; the gap is follow-up minus baseline.
    scheme, weights : see :func:`clem_lib.scoring.ikm_point`.
    proportions : sequence of (metric, column, event), optional
        Indicators compared with :func:`~clem_lib.stats.compare_proportions`
        (default: satisfied = ``overall_satisfaction >= 3``, facilities not
        friendly, paid extra; those whose column is absent are skipped).
    method : {"holm", "fdr_bh", "bonferroni"}
        Adjustment within the family ``"<unit>: round <followup> vs <baseline>"``.
    min_n, n_boot, n_perm, seed, conf_level : see :func:`~clem_lib.stats.compare_ikm`.

    Returns
    -------
    DataFrame
        ``GAP_COLUMNS``: the IKM row, one row per unsur (Mann-Whitney), one per
        proportion (chi-square/Fisher with Newcombe interval). The samples of the
        two rounds are independent respondents.

    Examples
    --------
    >>> cols = scoring.get_scheme("permenpan14_2017").columns
    >>> d = pd.DataFrame({c: [2 + (i * (j + 3)) % 3 for i in range(40)] for j, c in enumerate(cols)})
    >>> d["round"] = [1] * 20 + [2] * 20
    >>> t = compare_rounds(d, n_boot=200, n_perm=200)
    >>> t.metric.tolist()[:2], len(t), t.family[0], t.group1[0], t.group2[0]
    (['ikm', 'nrr:persyaratan'], 10, 'all units: round 2 vs 1', '2', '1')
    """
    need_columns(df, [round], "compare_rounds")
    data = df
    if unit is not None:
        need_columns(df, [unit_column], "compare_rounds")
        data = df[df[unit_column].eq(unit).fillna(False).to_numpy(dtype=bool)]
    s = scoring.get_scheme(scheme)
    fam = f"{unit or 'all units'}: round {followup} vs {baseline}"
    common = dict(by=round, group1=followup, group2=baseline, family=fam, unit=unit or "",
                  min_n=min_n, conf_level=conf_level)
    rows = [ikm_gap_row(data, scheme=scheme, weights=weights, n_boot=n_boot, n_perm=n_perm,
                        seed=seed, **common)]
    for col in s.columns:
        rows.append(scores_gap_row(data, col, **common))
    for metric, col, ev in (proportions if proportions is not None else DEFAULT_PROPORTIONS):
        if col in data.columns:
            rows.append(proportions_gap_row(data, col, event=ev, metric=metric, **common))
    return adjust_within_family(gap_frame(rows), method=method)
