"""One service unit's report: what ``location_report.ipynb`` shows, cell by cell.

:class:`UnitReport` reads the unit's slice of the cleaned table once, computes
every figure and test through ``scoring`` and ``stats`` (cached), and returns
one display object per notebook cell: a :class:`~clem_lib.report.ReportText`,
a :class:`~clem_lib.report.ReportTable` or a :class:`clem_lib.plots.Chart`.
Sections the survey did not ask for are left out and the rest numbered on.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from .. import complaints_report, plots, scoring, stats
from ..errors import ClemInputError
from ..io import load_checklist
from ..results import gaps_to_results, results_frame, suppress_results, to_results
from ..text import (
    CHANNEL_CHART_METRICS,
    LABELS,
    checklist_category_label,
    component_list,
    escape_text,
    findings_text,
    fmt_interval,
    fmt_number,
    fmt_percent,
    fmt_rupiah,
    gap_text,
    group_label,
    headline_text,
    ikm_method_text,
    is_missing,
    is_small,
    label,
    methods_text,
    recommendations_text,
    rule_label,
    sentence_gap,
    side_label,
    significant_gaps,
    small_cell_text,
    table_ref,
    unsur_label,
    value_text,
)
from .base import ReportBase, only_in
from .data import (
    cleaning_summary,
    input_files,
    read_unit_slice,
    register_view,
    survey_rounds,
    unasked_columns,
    units_table,
)
from .params import ReportParams, scheme_parameter
from ..text.tables import ReportTable, ReportText, figure_caption, report_table, table_caption

__all__ = ["UnitReport"]

#: figures and tables of a unit report in order, with what each needs (see ``UnitReport.shows``)
UNIT_FIGURES = (("sample", None), ("ikm_elements", None), ("likert", None), ("forest", "special_group"),
                ("broker", "sec_broker"), ("ipa", "sec_ipa"), ("rounds", "sec_rounds"), ("register", "sec_register"))
UNIT_TABLES = (("sample", None), ("groups", "group_rows"), ("channel", "sec_broker"), ("ipa", "sec_ipa"),
               ("rounds", "sec_rounds"), ("checklist", "sec_checklist"), ("complaints", None),
               ("register", "sec_register"), ("register_breakdown", "sec_register"),
               ("suggestions", "suggestion"), ("quality", None))
_FIGURE_NEEDS = dict(UNIT_FIGURES)
#: cleaned columns that make the "groups of users" section
_GROUP_COLUMNS = ("special_group", "gender", "income_group", "education", "age")


def _report_round(history: pd.DataFrame, round: int, unit: str, data_file) -> int:
    """The round a unit's report shows: ``round``, or its latest when ``round`` is 0."""
    rounds = sorted(int(r) for r in history["round"].dropna().unique()) if "round" in history else []
    if not rounds:
        raise ClemInputError(f"the cleaned data has no answers for unit {unit!r}", file=data_file,
                             column="unit", fix="check the unit names in the export against data/units.yml")
    want = round or rounds[-1]
    if want not in rounds:
        raise ClemInputError(f"unit {unit!r} has no round {want}", column="round",
                             fix=f"use 0 (latest) or one of {', '.join(map(str, rounds))}")
    return want


def _unit_checklist(checklist_file, units_file, unit: str, round: int) -> pd.DataFrame:
    """The unit's checklist rows of its latest observation round up to ``round`` (none: no rows)."""
    checklist = pd.DataFrame(columns=["unit", "round", "component", "category", "present"])
    if checklist_file is None:
        return checklist
    cl = load_checklist(checklist_file, units_file)
    cl = cl[(cl["unit"] == unit).fillna(False).to_numpy(dtype=bool)]
    if len(cl):
        r_ok = [int(r) for r in cl["round"].dropna().unique() if int(r) <= round]
        if r_ok:
            cl = cl[(cl["round"] == max(r_ok)).fillna(False).to_numpy(dtype=bool)]
            checklist = cl.reset_index(drop=True)
    return checklist


class UnitReport(ReportBase):
    """Everything one unit's report shows, computed once through scoring and stats.

    Build it with :meth:`from_params` (the notebook's first cell) or :meth:`build`;
    every other cell calls one method and shows what it returns: a :class:`ReportText`,
    a :class:`ReportTable` or a :class:`clem_lib.plots.Chart`. :meth:`results`
    returns the same numbers as ``results.csv`` rows.

    Attributes
    ----------
    unit, slug, lang, alpha, min_n, seed, round, scheme
        Parameters (unit canonical, round resolved: 0 -> the latest).
    data : DataFrame
        The unit's respondents in ``round``.
    history : DataFrame
        The unit's respondents in every round.
    checklist : DataFrame
        The unit's checklist rows (the latest observation round up to ``round``).
    """

    SECTIONS = ("sec_headline", "sec_sample", "sec_ikm_elements", "sec_likert", "sec_groups", "sec_broker",
                "sec_ipa", "sec_rounds", "sec_checklist", "sec_complaints", "sec_findings", "sec_methods",
                "sec_quality")

    def __init__(self, *, unit, slug, lang, alpha, min_n, seed, round, scheme, data, history, checklist,
                 units, summary, n_boot, not_asked=(), rounds_in_survey=None, checklist_given=True, register=None):
        self.unit, self.slug, self.lang, self.alpha, self.min_n = unit, slug, lang, alpha, min_n
        self.seed, self.round, self.n_boot = seed, round, n_boot
        self.scheme = scoring.get_scheme(scheme_parameter(scheme))
        self.data, self.history, self.checklist, self.units, self.summary = data, history, checklist, units, summary
        #: parts the survey did not ask (cleaned columns), absent from the report and its results
        self.not_asked = tuple(not_asked)
        #: rounds of the whole survey (None: not known, taken as several)
        self.rounds_in_survey = None if rounds_in_survey is None else tuple(rounds_in_survey)
        self.checklist_given = bool(checklist_given)
        #: the complaint register of the run (``complaints_report.RegisterView``), None when none is given
        self.register = register
        self._cache: dict = {}

    @property
    def numbers(self) -> dict:
        """Figure and table numbers of this report: consecutive over what the survey has, so a
        report without (say) a channel question has no gap where its figure and table would be.
        The same as :data:`FIGURES` and :data:`TABLES` when every section shows."""
        def count(items):
            return {k: i for i, k in enumerate((k for k, need in items if self.shows(need)), start=1)}

        return {"figure": count(UNIT_FIGURES), "table": count(UNIT_TABLES)}

    def shows(self, need: str | None) -> bool:
        """Whether a figure or table that needs ``need`` is in the report: None (always), a
        section (``sec_...``), ``group_rows`` (gap rows to list in the groups table) or a
        cleaned column the survey must have."""
        if need is None:
            return True
        if need.startswith("sec_"):
            return self.has_section(need)
        if need == "group_rows":
            return self.has_section("sec_groups") and len(self._group_rows()) > 0
        return need in self.data.columns

    def section_heading(self, key: str, number: int) -> str:
        """As :meth:`ReportBase.section_heading`; the groups section is named after special groups
        only when the survey asked about them."""
        if key == "sec_groups" and not self.shows("special_group"):
            key = "sec_groups_users"
        return super().section_heading(key, number)

    def has_section(self, key: str) -> bool:
        """A section shows when the survey asked what it needs: user groups (``sec_groups``), the
        channel (``sec_broker``), importance items (``sec_ipa``), several rounds (``sec_rounds``)
        and a checklist (``sec_checklist``)."""
        cols = self.data.columns
        if key == "sec_groups":
            return any(c in cols for c in _GROUP_COLUMNS)
        if key == "sec_broker":
            return "channel" in cols
        if key == "sec_ipa":
            return any(str(c).startswith("harapan_") for c in cols)
        if key == "sec_rounds":
            return self.rounds_in_survey is None or len(self.rounds_in_survey) > 1
        if key == "sec_checklist":
            return self.checklist_given
        if key == "sec_register":
            return self.register is not None
        return True

    # -- construction -------------------------------------------------------

    @classmethod
    def build(cls, *, unit: str, data_path: str = "", checklist_path: str = "", units_path: str = "",
              round: int = ReportParams.round, lang: str = ReportParams.lang, alpha: float = ReportParams.alpha,
              min_n: int = ReportParams.min_n, seed: int = ReportParams.seed, n_boot: int = 2000,
              scheme=ReportParams.scheme, complaints_path: str = "",
              complaint_standard_days: int = ReportParams.complaint_standard_days,
              holidays_path: str = "") -> "UnitReport":
        """Validate the parameters and read the unit's slice of the cleaned table
        (:meth:`from_params` with a :class:`~clem_lib.report.ReportParams` of these values)."""
        params = ReportParams(unit=unit, data_path=data_path, checklist_path=checklist_path, units_path=units_path,
                              round=round, lang=lang, alpha=alpha, min_n=min_n, seed=seed, scheme=scheme,
                              complaints_path=complaints_path, complaint_standard_days=complaint_standard_days,
                              holidays_path=holidays_path)
        return cls.from_params(params, n_boot=n_boot)

    @classmethod
    def from_params(cls, params: ReportParams, *, n_boot: int = 2000) -> "UnitReport":
        """Validate ``params`` and read the unit's slice of the cleaned table (the notebook's first cell).

        ``n_boot``: resamples of every bootstrap and permutation test.

        Raises
        ------
        ClemInputError
            Unknown unit (naming the close ones), bad language / alpha / min_n /
            round, missing files, or a round the unit does not have.
        """
        units = units_table(params.units_path)
        # a unit's report needs a unit: none is reported as an empty one
        params = replace(params, unit=params.unit or "").validate(units)
        data_file, checklist_file, units_file = input_files(params)
        name = params.unit
        history = read_unit_slice(data_file, name)
        not_asked = [c for c in unasked_columns(data_file) if c in history.columns]
        history = history.drop(columns=not_asked)
        if not any(str(c).startswith("harapan_") for c in history.columns):
            not_asked.append("harapan")  # no importance items: the codebook has none
        want = _report_round(history, params.round, name, data_file)
        data = history[(history["round"] == want).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
        checklist_given = checklist_file is not None and checklist_file.is_file()
        checklist = _unit_checklist(checklist_file if checklist_given else None, units_file, name, want)
        return cls(unit=name, slug=str(units.loc[units["name"] == name, "slug"].iloc[0]), lang=params.lang,
                   alpha=params.alpha, min_n=params.min_n, seed=params.seed, round=want, scheme=params.scheme,
                   data=data, history=history, checklist=checklist, units=units,
                   summary=cleaning_summary(data_file), n_boot=n_boot, not_asked=not_asked,
                   rounds_in_survey=survey_rounds(data_file), checklist_given=checklist_given,
                   register=register_view(params, units, units_file))

    # -- computations (cached) ---------------------------------------------

    @property
    def ikm(self) -> pd.DataFrame:
        """``scoring.ikm`` of the unit (one row)."""
        return self._get("ikm", lambda: scoring.ikm(self.data, by="unit", scheme=self.scheme, seed=self.seed,
                                                    n_boot=self.n_boot))

    @property
    def nrr(self) -> pd.DataFrame:
        """``scoring.nrr`` of the unit (one row per unsur)."""
        return self._get("nrr", lambda: scoring.nrr(self.data, by="unit", scheme=self.scheme))

    @property
    def crc(self) -> pd.DataFrame:
        return self._get("crc", lambda: scoring.crc_indicators(self.data, by="unit", scheme=self.scheme))

    @property
    def access(self) -> pd.DataFrame:
        return self._get("access", lambda: scoring.accessibility(self.data, by="unit")
                         if "facility_friendly" in self.data.columns else pd.DataFrame())

    @property
    def access_test(self) -> pd.DataFrame:
        """Is the share saying "not friendly" above one half? (``stats.proportion_vs_target``)."""
        def f():
            if "facility_friendly" not in self.data.columns:
                return pd.DataFrame()
            return stats.proportion_vs_target(self.data, "facility_friendly", target=0.5, event=False,
                                              metric="pct_not_friendly", unit=self.unit, min_n=self.min_n)
        return self._get("access_test", f)

    @property
    def gaps(self) -> pd.DataFrame:
        """``stats.gap_report`` of the unit, with days and satisfaction compared as well."""
        means = tuple((f"mean:{c}", c, gu) for c, gu in (("cost_paid", "rupiah"), ("days_to_complete", "days"),
                                                          ("wait_minutes", "minutes"),
                                                          ("overall_satisfaction", "points"))
                      if c in self.data.columns)
        return self._get("gaps", lambda: stats.gap_report(self.data, unit=self.unit, scheme=self.scheme, means=means,
                                                          min_n=self.min_n, n_boot=self.n_boot, n_perm=self.n_boot,
                                                          seed=self.seed))

    @property
    def ipa(self) -> pd.DataFrame:
        return self._get("ipa", lambda: scoring.ipa(self._with_harapan(), by="unit", scheme=self.scheme)
                         .iloc[: None if self.has_section("sec_ipa") else 0])

    @property
    def paired(self) -> pd.DataFrame:
        return self._get("paired", lambda: stats.paired_gap(self._with_harapan(), scheme=self.scheme, unit=self.unit,
                                                            min_n=self.min_n, n_boot=self.n_boot, seed=self.seed)
                         .iloc[: None if self.has_section("sec_ipa") else 0])

    def _with_harapan(self) -> pd.DataFrame:
        """The data, or for a survey without importance items its first row with them empty: the
        importance tables keep their columns and have no rows."""
        if self.has_section("sec_ipa"):
            return self.data
        empty = pd.array([pd.NA], dtype="Int64")
        return self.data.head(1).assign(**{f"harapan_{k}": empty[: min(1, len(self.data))]
                                           for k in self.scheme.unsur})

    @property
    def previous_round(self) -> int | None:
        prev = sorted(int(r) for r in self.history["round"].dropna().unique() if int(r) < self.round)
        return prev[-1] if prev else None

    @property
    def ikm_rounds(self) -> pd.DataFrame:
        def f():
            h = self.history[(self.history["round"] <= self.round).fillna(False).to_numpy(dtype=bool)]
            return scoring.ikm(h, by=["unit", "round"], scheme=self.scheme, seed=self.seed, n_boot=self.n_boot)
        return self._get("ikm_rounds", f)

    @property
    def round_tests(self) -> pd.DataFrame:
        def f():
            if self.previous_round is None:
                return pd.DataFrame()
            return stats.compare_rounds(self.history, unit=self.unit, baseline=self.previous_round, followup=self.round,
                                        scheme=self.scheme, min_n=self.min_n, n_boot=self.n_boot, n_perm=self.n_boot,
                                        seed=self.seed)
        return self._get("round_tests", f)

    @property
    def compliance(self) -> pd.DataFrame:
        return self._get("compliance", lambda: scoring.compliance(self.checklist, by="unit") if len(self.checklist)
                         else pd.DataFrame())

    @property
    def sample_size(self) -> pd.DataFrame:
        return self._get("sample_size", lambda: scoring.sample_size_check(
            self.data, self.units[self.units["name"] == self.unit]))

    # -- small helpers ------------------------------------------------------

    def _ikm_row(self) -> dict:
        return self.ikm.iloc[0].to_dict() if len(self.ikm) else {"ikm": np.nan, "n": 0}

    def _grade(self) -> str:
        r = self._ikm_row()
        if is_small(r.get("n"), self.min_n) or is_missing(r.get("ikm")):
            return small_cell_text(self.min_n, self.lang)
        return f"{r['grade']} ({r['label_id'] if self.lang == 'id' else r['label_en']})"

    def _access_row(self) -> dict | None:
        a = self.access
        if not len(a):
            return None
        row = a[(a["group"] == "all").to_numpy(dtype=bool)]
        return row.iloc[0].to_dict() if len(row) else None

    def _missing_items(self) -> str:
        c = self.compliance
        if not len(c):
            return ""
        row = c[(c["category"] == "all").to_numpy(dtype=bool)]
        return component_list(row["missing"].iloc[0], self.lang) if len(row) else ""

    # -- cells ------------------------------------------------------------

    def title(self) -> ReportText:
        """Report title with the unit, round and the number of respondents."""
        sub = (f"{label('round', self.lang)} {self.round} · n = {fmt_number(len(self.data), 0, self.lang)}")
        return ReportText(f"# {escape_text(label('title_unit', self.lang, unit=self.unit))}\n\n{sub}")

    def headline(self) -> ReportText:
        between = self.gaps
        return ReportText(headline_text(self.unit, ikm_row=self._ikm_row(), grade=self._grade(),
                                        access_row=self._access_row(), gaps=between, alpha=self.alpha,
                                        min_n=self.min_n, lang=self.lang, scheme=self.scheme,
                                        numbers=self.numbers))

    def sample_table(self) -> ReportTable:
        """Respondents by sector and service, and by group (counts under min_n suppressed)."""
        rows = []
        d = self.data
        keys = [c for c in ("sector", "service") if c in d.columns]
        for key, g in (d.groupby(keys, sort=True, observed=True, dropna=False) if keys else ()):
            key = dict(zip(keys, key if isinstance(key, tuple) else (key,)))
            sec = key.get("sector")
            what = ((label(f"sector_{sec}", self.lang) if f"sector_{sec}" in LABELS else str(sec))
                    if "sector" in key else label("col_service", self.lang))
            rows.append({"what": what, "value": str(key["service"]) if "service" in key else "", "n": len(g)})
        for col in ("special_group", "disability", "elderly", "pregnant", "with_child"):
            if col in d.columns:
                rows.append({"what": label("col_group", self.lang), "value": group_label(col, self.lang),
                             "n": int(d[col].fillna(False).astype(bool).sum())})
        for col, levels in (("gender", ("female", "male")), ("channel", ("in_person", "broker")),
                            ("income_group", ("low", "high"))):
            if col in d.columns:
                for lev in levels:
                    rows.append({"what": group_label(col, self.lang), "value": group_label(lev, self.lang),
                                 "n": int((d[col] == lev).fillna(False).sum())})
        rows.append({"what": label("grp_total", self.lang), "value": "", "n": len(d)})
        t = pd.DataFrame(rows)
        t["shown"] = t["n"]
        return report_table(t, {"what": "col_category", "value": "col_detail", "shown": "col_n"},
                            lang=self.lang, formats={"shown": "int", "what": "text", "value": "text"},
                            suppress=("shown",), min_n=self.min_n,
                            caption=table_caption("sample", self.lang, self.numbers))

    def sample_chart(self):
        return self._chart(plots.plot_sample(self.data, lang=self.lang, min_n=self.min_n, title=""), "sample")

    def sample_size_text(self) -> ReportText:
        s = self.sample_size
        row = s.iloc[0].to_dict() if len(s) else {}
        if not row or is_missing(row.get("n_min")):
            return ReportText("")
        key = "s_sample_short" if bool(row.get("below_minimum")) else "s_sample_ok"
        return ReportText(label(key, self.lang, n=fmt_number(row["n"], 0, self.lang),
                                s=fmt_number(row["n_min"], 0, self.lang),
                                N=fmt_number(row["population"], 0, self.lang)))

    def ikm_elements_chart(self):
        t = self.nrr.assign(ikm_unsur=lambda d: d["nrr_converted"], ikm_unsur_ci_low=lambda d: d["ci_low"] * 25,
                            ikm_unsur_ci_high=lambda d: d["ci_high"] * 25)
        r = self._ikm_row()
        overall = None if is_small(r.get("n"), self.min_n) else r.get("ikm")
        return self._chart(plots.plot_ikm_elements(t, overall=overall, scheme=self.scheme, lang=self.lang,
                                                   min_n=self.min_n), "ikm_elements")

    def ikm_elements_caption(self) -> ReportText:
        return ReportText(figure_caption("ikm_elements", self.lang, numbers=self.numbers, n=len(self.data)))

    def likert_chart(self):
        return self._chart(plots.plot_likert(plots.likert_shares(self.data, scheme=self.scheme), scheme=self.scheme,
                                             lang=self.lang, min_n=self.min_n), "likert")

    def caption(self, key: str) -> ReportText:
        """Caption of figure ``key`` (``FIGURES``) with the unit's n (for ``rounds``: the
        respondents of every round drawn; empty when there is no previous round to draw)."""
        if not self.shows(_FIGURE_NEEDS.get(key)):
            return ReportText("")
        if key == "sample" and "service" not in self.data.columns:  # no service question: bars by sector
            text = figure_caption(key, self.lang, numbers=self.numbers, n=len(self.data))
            return ReportText(text.replace(escape_text(label("fig_sample", self.lang)),
                                           escape_text(label("fig_sample_sector", self.lang))))
        if key == "rounds":
            if self.previous_round is None:
                return ReportText("")
            n = int(pd.to_numeric(self.ikm_rounds["n"], errors="coerce").fillna(0).sum())
            return ReportText(figure_caption(key, self.lang, numbers=self.numbers, n=n))
        if key == "register":  # n: the unit's complaints with a known or censored time
            return ReportText(figure_caption(key, self.lang, numbers=self.numbers,
                                             n=len(self.register.unit_times(self.unit))))
        return ReportText(figure_caption(key, self.lang, numbers=self.numbers, n=len(self.data)))

    def _group_rows(self) -> pd.DataFrame:
        g = self.gaps
        if not len(g):
            return g
        g = g[(g["comparison"] != "channel").to_numpy(dtype=bool)]
        sig = significant_gaps(g, alpha=self.alpha, min_n=self.min_n)
        special = g[(g["comparison"] == "special_group").to_numpy(dtype=bool)]
        others = sig[(sig["comparison"] != "special_group").to_numpy(dtype=bool)] if len(sig) else sig
        return pd.concat([special, others], ignore_index=True)

    @only_in("sec_groups")
    def groups_chart(self):
        """Forest plot of the special-group gap on every unsur (points on the 1..4 scale); nothing
        when the survey did not ask about special groups (the section then has the table only)."""
        if not self.shows(_FIGURE_NEEDS["forest"]):
            return ReportText("")
        g = self.gaps
        g = g[((g["comparison"] == "special_group") & g["metric"].astype("string").str.startswith("nrr:"))
              .fillna(False).to_numpy(dtype=bool)].copy()
        g["label"] = [unsur_label(str(m).partition(":")[2], self.lang, self.scheme) for m in g["metric"]]
        xl = label("axis_gap", self.lang) + (" — poin skala 1–4" if self.lang == "id" else " — points on the 1–4 scale")
        return self._chart(plots.plot_forest(g, alpha=self.alpha, lang=self.lang, min_n=self.min_n, xlabel=xl,
                                             title=group_label("special_group", self.lang) + " vs " +
                                             label("others", self.lang)), "forest")

    def _gap_table(self, g: pd.DataFrame, key: str) -> ReportTable:
        t = g.copy()
        t["who"] = [f"{side_label(r, 'group1', self.lang)} vs {side_label(r, 'group2', self.lang)}"
                    for r in t.to_dict("records")]
        t["v1"] = [value_text(a, u, self.lang) for a, u in zip(t["estimate1"], t["gap_unit"])]
        t["v2"] = [value_text(a, u, self.lang) for a, u in zip(t["estimate2"], t["gap_unit"])]
        t["gap_t"] = [gap_text(a, u, self.lang) for a, u in zip(t["gap"], t["gap_unit"])]
        t["ci_t"] = [("–" if is_missing(lo) or is_missing(hi) else
                      f"{gap_text(lo, u, self.lang, unit=False)}; {gap_text(hi, u, self.lang, unit=False)}")
                     for lo, hi, u in zip(t["ci_low"], t["ci_high"], t["gap_unit"])]
        t["n_t"] = [f"{fmt_number(a, 0, self.lang)} / {fmt_number(b, 0, self.lang)}" for a, b in zip(t["n1"], t["n2"])]
        t["n_min"] = [min(int(a or 0), int(b or 0)) for a, b in zip(t["n1"].fillna(0), t["n2"].fillna(0))]
        return report_table(t, {"who": "col_group", "metric": "col_metric", "v1": label("col_estimate", self.lang)
                                + " 1", "v2": label("col_estimate", self.lang) + " 2", "gap_t": "col_gap",
                                "ci_t": "col_ci_gap", "p_adjusted": "col_p_adj", "n_t": "col_n"},
                            lang=self.lang, formats={"who": "text", "metric": "metric", "v1": "text", "v2": "text",
                                                     "gap_t": "text", "ci_t": "text", "p_adjusted": "p",
                                                     "n_t": "text"},
                            n_column="n_min", suppress=("v1", "v2", "gap_t", "ci_t", "p_adjusted"),
                            min_n=self.min_n, caption=table_caption(key, self.lang, self.numbers))

    @only_in("sec_groups")
    def groups_table(self):
        if not self.shows("group_rows"):  # no special-group question, no significant gap: a sentence
            return ReportText(label("s_no_gaps", self.lang, alpha=fmt_number(self.alpha, 2, self.lang)))
        return self._gap_table(self._group_rows(), "groups")

    @only_in("sec_broker")
    def channel_chart(self):
        metrics = [m.partition(":")[2] for m in CHANNEL_CHART_METRICS if m.partition(":")[2] in self.data.columns]
        return self._chart(plots.plot_channel(self.data, metrics=metrics, lang=self.lang, min_n=self.min_n), "broker")

    @only_in("sec_broker")
    def channel_table(self) -> ReportTable:
        g = self.gaps
        g = g[(g["comparison"] == "channel").to_numpy(dtype=bool)]
        keep = g["metric"].astype("string").isin(["ikm", "pct_satisfied", "pct_paid_extra", "mean:cost_paid",
                                                  "mean:days_to_complete", "mean:overall_satisfaction",
                                                  "mean:wait_minutes"]).fillna(False).to_numpy(dtype=bool)
        return self._gap_table(g[keep], "channel")

    @only_in("sec_ipa")
    def ipa_chart(self):
        t = self.ipa
        xs = float(t["x_cross"].iloc[0]) if len(t) else None
        ys = float(t["y_cross"].iloc[0]) if len(t) else None
        return self._chart(plots.plot_ipa(t, performance="mean_x", importance="mean_y", x_split=xs, y_split=ys,
                                          scheme=self.scheme, lang=self.lang, min_n=self.min_n), "ipa")

    @only_in("sec_ipa")
    def ipa_table(self) -> ReportTable:
        t = self.ipa.copy()
        p = self.paired
        pmap = {str(m).partition(":")[2] or str(m): v for m, v in zip(p.get("metric", []), p.get("p_adjusted", []))}
        t["p_adjusted"] = [pmap.get(str(k), np.nan) for k in t["unsur"]]
        t["quadrant_t"] = [label(f"quadrant_{q}", self.lang) if f"quadrant_{q}" in LABELS else "–"
                           for q in t["quadrant"].astype(str)]
        return report_table(t, {"unsur": "col_unsur", "n": "col_n", "mean_x": "col_performance",
                                "mean_y": "col_importance", "tk": "col_conformity", "gap": "col_gap",
                                "p_adjusted": "col_p_adj", "quadrant_t": "col_quadrant"},
                            lang=self.lang, formats={"unsur": "unsur", "n": "int", "mean_x": "number2",
                                                     "mean_y": "number2", "tk": "number1", "gap": "signed2",
                                                     "p_adjusted": "p", "quadrant_t": "text"},
                            suppress=("mean_x", "mean_y", "tk", "gap", "p_adjusted", "quadrant_t"),
                            min_n=self.min_n, caption=table_caption("ipa", self.lang, self.numbers))

    @only_in("sec_rounds")
    def rounds_text(self) -> ReportText:
        if self.previous_round is None:
            return ReportText(label("s_no_previous_round", self.lang))
        rt = self.round_tests
        row = rt[(rt["metric"] == "ikm").to_numpy(dtype=bool)]
        if not len(row):
            return ReportText(label("s_no_previous_round", self.lang))
        return ReportText(sentence_gap(row.iloc[0].to_dict(), lang=self.lang, min_n=self.min_n,
                                       scheme=self.scheme))

    def rounds_chart(self):
        if self.previous_round is None or not self.has_section("sec_rounds"):
            return ReportText("")
        return self._chart(plots.plot_rounds(self.ikm_rounds, scheme=self.scheme, lang=self.lang, min_n=self.min_n),
                           "rounds")

    def rounds_table(self):
        if self.previous_round is None:
            return ReportText("")
        return self._gap_table(self.round_tests, "rounds")

    @only_in("sec_checklist")
    def checklist_text(self) -> ReportText:
        c = self.compliance
        if not len(c):
            return ReportText(label("s_checklist_none", self.lang))
        row = c[(c["category"] == "all").to_numpy(dtype=bool)].iloc[0]
        m = int(row["n_items"])
        missing = self._missing_items()
        head = (f"{label('m_compliance', self.lang).replace(' (%)', '')}: "
                f"**{fmt_percent(row['index'], 0, self.lang, scale=1.0)}** "
                f"({fmt_number(row['n_present'], 0, self.lang)}/{fmt_number(m, 0, self.lang)}). ")
        if missing:
            k = len([x for x in missing.split("; ") if x])
            return ReportText(head + label("s_checklist_missing", self.lang, k=k, m=m, items=escape_text(missing)))
        return ReportText(head + label("s_checklist_complete", self.lang, m=m))

    @only_in("sec_checklist")
    def checklist_table(self):
        c = self.compliance
        if not len(c):
            return ReportText("")
        t = c[(c["category"] != "all").to_numpy(dtype=bool)].copy()
        t["category"] = [checklist_category_label(x, self.lang) for x in t["category"]]
        t["missing"] = [component_list(x, self.lang) for x in t["missing"]]
        return report_table(t, {"category": "col_category", "n_items": "col_components", "n_present": "col_present",
                                "index": "col_compliance", "missing": "col_missing"},
                            lang=self.lang, formats={"category": "text", "n_items": "int", "n_present": "int",
                                                     "index": "pct", "missing": "text"},
                            n_column=None, caption=table_caption("checklist", self.lang, self.numbers))

    def complaints_table(self) -> ReportTable:
        want = ["pct_had_problem", "pct_problem_resolved", "pct_knows_complaint", "pct_paid_extra",
                "median_extra_amount", "pct_dissatisfied:pengaduan"]
        c = self.crc
        t = c[c["metric"].astype("string").isin(want).fillna(False).to_numpy(dtype=bool)].copy()
        t["_o"] = [want.index(m) for m in t["metric"]]
        t = t.sort_values("_o", kind="mergesort")
        t["value"] = [fmt_rupiah(v, self.lang) if "amount" in m else fmt_percent(v, 0, self.lang, scale=1.0)
                      for v, m in zip(t["estimate"], t["metric"])]
        t["ci"] = [fmt_interval(lo, hi, 0, self.lang, prefix=False) if "amount" in m else
                   fmt_interval(lo, hi, 0, self.lang, percent=True, scale=1.0, prefix=False)
                   for lo, hi, m in zip(t["ci_low"], t["ci_high"], t["metric"])]
        return report_table(t, {"metric": "col_metric", "value": "col_estimate", "ci": "col_ci", "n": "col_n"},
                            lang=self.lang, formats={"metric": "metric", "value": "text", "ci": "text", "n": "int"},
                            suppress=("value", "ci"), min_n=self.min_n,
                            caption=table_caption("complaints", self.lang, self.numbers))

    def suggestions(self, limit: int = 40):
        """Respondents' suggestions, escaped: each distinct text once with how many wrote it,
        most frequent first (ties in interview order), at most ``limit`` rows; nothing when the
        survey did not ask for suggestions."""
        if "suggestion" not in self.data.columns:
            return ReportText("")
        s = self.data["suggestion"].astype("string").str.strip()
        s = s[s.fillna("").str.len() > 0]
        if not len(s):
            return ReportText(label("s_no_suggestions", self.lang))
        t = pd.DataFrame({"suggestion": s.tolist(), "order": np.arange(len(s))})
        t = (t.groupby("suggestion", sort=False).agg(count=("order", "size"), first=("order", "min"))
             .reset_index().sort_values(["count", "first"], ascending=[False, True], kind="mergesort"))
        shown = t.head(limit)
        return report_table(shown, {"suggestion": "col_suggestion", "count": "col_count"}, lang=self.lang,
                            formats={"suggestion": "text", "count": "int"}, n_column=None,
                            caption=table_caption("suggestions", self.lang, self.numbers) + " " +
                            label("s_suggestions_shown", self.lang, k=fmt_number(len(shown), 0, self.lang),
                                  total=fmt_number(len(s), 0, self.lang)))

    @only_in("sec_register")
    def register_text(self) -> ReportText:
        """The complaint register of the unit, then the survey beside it and the "zero complaints"
        finding when the register is empty while users had problems (nothing without a register)."""
        return ReportText(complaints_report.register_text(self.register, self.unit, self.data, lang=self.lang,
                                                          min_n=self.min_n, alpha=self.alpha))

    @only_in("sec_register")
    def register_table(self):
        return complaints_report.register_table(self.register, self.unit, self.data, lang=self.lang, min_n=self.min_n,
                                                caption=table_caption("register", self.lang, self.numbers))

    @only_in("sec_register")
    def register_chart(self):
        return self._chart(complaints_report.unit_chart(self.register, self.unit, lang=self.lang, min_n=self.min_n),
                           "register")

    @only_in("sec_register")
    def register_breakdown(self):
        t = complaints_report.breakdown_table(self.register, self.unit, lang=self.lang, min_n=self.min_n,
                                              caption=table_caption("register_breakdown", self.lang, self.numbers))
        return ReportText("") if t is None else t

    def _zero_claim(self) -> str:
        if self.register is None or "had_problem" not in self.data.columns:
            return ""
        v = self.register.versus(self.data)
        v = v[(v["unit"] == self.unit).to_numpy(dtype=bool)]
        return complaints_report.zero_claim_text(v.iloc[0].to_dict(), lang=self.lang) if len(v) else ""

    def findings(self) -> ReportText:
        rt = self.round_tests
        rc = rt[(rt["metric"] == "ikm").to_numpy(dtype=bool)].iloc[0].to_dict() if len(rt) else None
        at = self.access_test.iloc[0].to_dict() if len(self.access_test) else None
        text = findings_text(self.unit, ikm_row=self._ikm_row(), grade=self._grade(), nrr=self.nrr,
                             access_row=self._access_row(), access_test=at, gaps=self.gaps,
                             paired=self.paired, ipa=self.ipa, round_change=rc,
                             missing_items=self._missing_items(), alpha=self.alpha, min_n=self.min_n,
                             lang=self.lang, scheme=self.scheme, numbers=self.numbers)
        zero = self._zero_claim()  # "zero complaints" while users had problems: the next finding
        if zero:
            k = len(re.findall(r"(?m)^\d+\. ", text))
            text += f"\n{k + 1}. {zero} ({table_ref('register', self.lang, self.numbers)})"
        return ReportText(text)

    def _access_significant(self) -> bool:
        at = self.access_test
        if not len(at):
            return False
        r = at.iloc[0]
        return (not is_missing(r["p_value"])) and float(r["p_value"]) < self.alpha and str(r.get("status", "ok")) == "ok"

    def recommendations(self) -> ReportText:
        head = "**" + ("Rekomendasi" if self.lang == "id" else "Recommendations") + "**\n\n"
        return ReportText(head + recommendations_text(gaps=self.gaps, ipa=self.ipa, paired=self.paired,
                                                      access_significant=self._access_significant(),
                                                      missing_items=self._missing_items(), alpha=self.alpha,
                                                      min_n=self.min_n, lang=self.lang, scheme=self.scheme))

    def methods(self) -> ReportText:
        r = self._ikm_row()
        return self._methods_with_tail(methods_text(
            scheme_reference=self.scheme.reference, ikm_method=ikm_method_text(r.get("method", ""), self.lang),
            alpha=self.alpha, min_n=self.min_n, seed=self.seed, weighted=False, lang=self.lang))

    def quality_text(self) -> ReportText:
        d = self.data
        sp = int(d["speeder"].fillna(False).astype(bool).sum()) if "speeder" in d.columns else 0
        st = int(d["straightliner"].fillna(False).astype(bool).sum()) if "straightliner" in d.columns else 0
        miss = sum(int(d[c].isna().sum()) for c in self.scheme.columns if c in d.columns)
        text = label("s_quality", self.lang, n=fmt_number(len(d), 0, self.lang), speeders=fmt_number(sp, 0, self.lang),
                     straight=fmt_number(st, 0, self.lang))
        text += f" {label('m_missing_answers', self.lang)} ({label('col_unsur', self.lang).lower()}): " \
                f"{fmt_number(miss, 0, self.lang)}."
        return ReportText(text)

    def quality_table(self):
        s = self.summary
        if s is None:
            return ReportText("")
        t = s[(s["unit"].astype("string") == self.unit).fillna(False).to_numpy(dtype=bool)]
        if not len(t):
            return ReportText(label("s_quality_log_none", self.lang))
        t = t.assign(rule_text=[rule_label(r, self.lang) for r in t["rule"]])
        return report_table(t, {"rule_text": "col_rule", "n": "col_count", "rule": "col_rule_code"},
                            lang=self.lang, formats={"rule_text": "text", "n": "int", "rule": "text"}, n_column=None,
                            caption=table_caption("quality", self.lang, self.numbers) + " "
                            + label("s_quality_log", self.lang))

    # -- results --------------------------------------------------------------

    def results(self) -> pd.DataFrame:
        """The unit's rows of ``results.csv``: every figure and test the report shows.

        Figures resting on fewer than ``min_n`` answers keep their n and lose
        their value, as in the report.
        """
        parts = [to_results(self.ikm, "ikm"), to_results(self.nrr, "nrr"), to_results(self.crc, "crc")]
        if len(self.access):
            parts.append(to_results(self.access, "accessibility"))
        parts.append(to_results(self.ipa, "ipa"))
        parts.append(to_results(self.sample_size, "sample_size"))
        if len(self.compliance):
            parts.append(to_results(self.compliance, "compliance"))
        scoring_rows = results_frame(pd.concat(parts, ignore_index=True).to_dict("records"))
        scoring_rows = suppress_results(scoring_rows, self.min_n)
        # the Krejcie-Morgan row: n is the sample, not a cell; never suppress it
        tests = [self.gaps, self.paired]
        if len(self.access_test):
            tests.append(self.access_test)
        if len(self.round_tests):
            tests.append(self.round_tests)
        test_rows = gaps_to_results(pd.concat(tests, ignore_index=True), min_n=self.min_n)
        out = pd.concat([scoring_rows, test_rows], ignore_index=True)
        if self.register is not None:
            out = pd.concat([out, results_frame(self.register.results_rows(self.unit, survey=self.data))],
                            ignore_index=True)
        out["unit"] = out["unit"].fillna("").replace("", self.unit)
        return results_frame(out.to_dict("records"))


