"""The city overview: every unit side by side, what ``city_overview.ipynb`` shows.

:class:`CityReport` reads the columns the overview needs for every unit once,
compares the units (ranking, heat map, between-unit tests, change between
rounds) and gives city-wide figures: design-based (each unit a stratum,
weighted by its users per month, with a finite-population correction) with the
unweighted figure beside them, or unweighted only (``city_weights="none"``, or
when a unit lacks its users per month). The report of one district or agency,
the same notebook with ``level`` and ``location``, is its subclass
:class:`~clem_lib.report.location.LocationReport`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .. import complaints_report, plots, scoring, stats, weights
from ..io import load_checklist
from ..results import gaps_to_results, results_frame, results_row
from ..text import (
    LABELS,
    escape_text,
    fmt_interval,
    fmt_number,
    fmt_p,
    fmt_percent,
    gap_text,
    ikm_method_text,
    is_missing,
    is_small,
    label,
    methods_text,
    metric_label,
    sentence_gap,
    side_label,
    significant_gaps,
    small_cell_text,
    unsur_label,
    value_text,
)
from .base import ReportBase, only_in
from .data import input_files, is_sample_data, read_unit_slice, register_view, unasked_columns, units_table
from .params import ReportParams, check_city_weights
from ..text.tables import ReportTable, ReportText, figure_caption, report_table, table_caption

__all__ = ["CityReport"]


def _domain_value(v) -> str:
    """A domain's value as results.csv names it (``True`` / ``False`` for a yes/no domain)."""
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    return str(v)


#: columns the city-wide CRC percentages need (read when the survey has them)
CITY_CRC_COLUMNS = ("special_group", "overall_satisfaction", "had_problem", "problem_resolved", "paid_extra",
                    "channel", "days_to_complete", "standard_days", "cost_paid", "official_fee",
                    "knows_complaint")
#: figures of the city-wide table, in order (the others are in results.csv)
CITY_TABLE_METRICS = ("ikm", "pct_not_friendly", "pct_satisfied:overall", "pct_had_problem",
                      "pct_problem_resolved", "pct_paid_extra", "pct_broker", "pct_over_standard",
                      "pct_cost_above_fee", "pct_knows_complaint")


def latest_round(data: pd.DataFrame) -> pd.DataFrame:
    """The rows of each unit's latest round."""
    last = data.groupby("unit", observed=True)["round"].transform("max")
    return data[(data["round"] == last).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)


class CityReport(ReportBase):
    """Every unit side by side: what ``city_overview.ipynb`` shows.

    Built with :meth:`from_params` (the notebook's first cell) or :meth:`build`; each
    method returns one display object. Every
    unit enters with its latest round (``latest``); ``data`` keeps all rounds
    for the change between rounds.
    """

    SECTIONS = ("sec_city", "sec_ranking", "sec_heatmap", "sec_between", "sec_access_units", "sec_rounds_city",
                "sec_complaints_city", "sec_methods")
    #: the ``level`` values this class reports (a subclass reports the others: ``report.location``)
    LEVELS = ("city",)
    #: the level of this report; its word for the area it covers is :attr:`place`
    level = "city"
    #: label keys this report says in words of its own (a location's for the city's); see :meth:`say`
    WORDING: Mapping[str, str] = {}

    def __init__(self, *, lang, alpha, min_n, seed, scheme, data, checklist, units, n_boot, not_asked=(),
                 city_weights: str = "design", register=None):
        check_city_weights(city_weights)
        self.lang, self.alpha, self.min_n, self.seed, self.n_boot = lang, alpha, min_n, seed, n_boot
        #: what the reader asked for: "design" (design-based city-wide figures when N is known) or "none"
        self.city_weights = city_weights
        self.scheme = scoring.get_scheme(scheme)
        self.data, self.checklist, self.units = data, checklist, units
        #: parts the survey did not ask (cleaned columns), absent from the overview and its results
        self.not_asked = tuple(not_asked)
        #: the complaint register (``complaints_report.RegisterView``), None when none is given
        self.register = register
        self.latest = latest_round(data)
        self._cache: dict = {}

    @classmethod
    def build(cls, *, data_path: str = "", checklist_path: str = "", units_path: str = "",
              lang: str = ReportParams.lang, alpha: float = ReportParams.alpha, min_n: int = ReportParams.min_n,
              seed: int = ReportParams.seed, n_boot: int = 2000, scheme=ReportParams.scheme,
              city_weights: str = ReportParams.city_weights, complaints_path: str = "",
              complaint_standard_days: int = ReportParams.complaint_standard_days,
              holidays_path: str = "") -> "CityReport":
        """Validate the parameters and read the columns the overview needs
        (:meth:`from_params` with a :class:`~clem_lib.report.ReportParams` of these values)."""
        params = ReportParams(data_path=data_path, checklist_path=checklist_path, units_path=units_path, lang=lang,
                              alpha=alpha, min_n=min_n, seed=seed, scheme=scheme, city_weights=city_weights,
                              complaints_path=complaints_path, complaint_standard_days=complaint_standard_days,
                              holidays_path=holidays_path)
        return cls.from_params(params, n_boot=n_boot)

    @classmethod
    def from_params(cls, params: ReportParams, *, n_boot: int = 2000) -> "CityReport":
        """Validate ``params`` (its ``unit``, if any, is not used) and read the columns the overview
        needs (the notebook's first cell). ``n_boot``: resamples of every bootstrap and permutation test.

        ``level`` ``"district"`` or ``"agency"`` gives the report of that one location
        (:class:`~clem_lib.report.location.LocationReport`, the subclass whose ``LEVELS`` name it).

        ``city_weights``: ``"design"`` (default) gives design-based city-wide
        figures (stratified by unit, weights ``N_h / n_h`` from the units file's
        ``users_per_month``, finite-population correction) with the unweighted
        figure beside them, falling back to unweighted figures when a unit with
        respondents has no users per month; ``"none"`` gives unweighted figures only.
        """
        units = units_table(params.units_path)
        params = replace(params, unit=None).validate(units)
        kind = next(c for c in (CityReport, *CityReport.__subclasses__()) if params.level in c.LEVELS)
        return kind.read(params, units, n_boot=n_boot)

    @classmethod
    def read(cls, params: ReportParams, units: pd.DataFrame, *, n_boot: int = 2000, unit_names=None,
             **extra) -> "CityReport":
        """The report of validated ``params``: the columns the overview needs of the units ``unit_names``
        (None: every unit; else only their rows are read, and only their checklist rows and complaints
        kept); ``extra`` goes to the constructor."""
        data_file, checklist_file, units_file = input_files(params)
        s = scoring.get_scheme(params.scheme_value)
        not_asked = unasked_columns(data_file)
        have = set(pq.read_schema(data_file).names) - set(not_asked)
        want = ["unit", "sector", "round", "facility_friendly", *s.columns, *CITY_CRC_COLUMNS]
        if params.complaints_path or is_sample_data(params.data_path):  # the survey beside the register
            want += ["had_problem", "knows_complaint", "complained"]
        data = read_unit_slice(data_file, columns=[c for c in dict.fromkeys(want) if c in have], units=unit_names)
        checklist = (load_checklist(checklist_file, units_file) if checklist_file is not None and checklist_file.is_file()
                     else pd.DataFrame())
        if unit_names is not None and len(checklist):
            checklist = checklist[checklist["unit"].isin(list(unit_names)).to_numpy(dtype=bool)].reset_index(drop=True)
        in_data = set(data["unit"].dropna().astype(str))
        register = register_view(params, units, units_file,
                                 unit_names=[u for u in units["name"].astype(str) if u in in_data])
        return cls(lang=params.lang, alpha=params.alpha, min_n=params.min_n, seed=params.seed, scheme=s, data=data,
                   checklist=checklist, units=units, n_boot=n_boot, not_asked=not_asked,
                   city_weights=params.city_weights, register=register, **extra)

    @property
    def place(self) -> str:
        """The report's word for the area it covers: ``kota`` / ``city`` (a location's: kecamatan, district, ...)."""
        return label(f"place_{self.level}", self.lang)

    def say(self, key: str, **values) -> str:
        """Label ``key`` in the report's language and words (:attr:`WORDING`), ``{place}`` filled in."""
        return label(self.WORDING.get(key, key), self.lang, place=self.place, **values)

    def table_caption(self, key: str) -> str:
        """Caption of table ``key``, numbered as this report numbers its tables (the city-wide
        table's says whether its figures are design-based)."""
        unweighted = key == "city" and not self.design["used"]
        return table_caption(key, self.lang, text="city_unweighted" if unweighted else None)

    def has_section(self, key: str) -> bool:
        """Accessibility and compliance show when the survey asked about facilities or has a
        checklist; the change between rounds when it has several rounds."""
        if key == "sec_access_units":
            return "facility_friendly" in self.data.columns or len(self.checklist) > 0
        if key == "sec_rounds_city":
            return self.data["round"].nunique() > 1
        if key == "sec_complaints_city":
            return self.register is not None
        if key == "sec_vs_city":  # a location's report only
            return key in self.SECTIONS
        return True

    @property
    def ikm_units(self) -> pd.DataFrame:
        return self._get("ikm_units", lambda: scoring.ikm(self.latest, by="unit", scheme=self.scheme, seed=self.seed,
                                                          n_boot=self.n_boot))

    @property
    def ikm_city(self) -> pd.DataFrame:
        return self._get("ikm_city", lambda: scoring.ikm(self.latest, scheme=self.scheme, seed=self.seed,
                                                         n_boot=self.n_boot))

    @property
    def design(self) -> dict:
        """Which city-wide estimator is used: ``used`` (design-based figures computed),
        ``requested`` (``city_weights``), ``missing`` (units with respondents but no users per month),
        ``fractions`` (unit -> sampling fraction n_h / N_h, when used)."""
        def f():
            missing = weights.units_without_size(self.latest, self.units) if self.city_weights == "design" else []
            used = self.city_weights == "design" and not missing and len(self.latest) > 0
            fr = {}
            if used:
                sizes = dict(zip(self.units["name"].astype(str),
                                 pd.to_numeric(self.units["users_per_month"], errors="coerce")))
                for u, n in self.latest["unit"].astype(str).value_counts().sort_index().items():
                    fr[u] = n / float(sizes[u])
            return {"used": used, "requested": self.city_weights, "missing": missing, "fractions": fr}
        return self._get("design", f)

    @property
    def design_data(self) -> pd.DataFrame:
        """The latest round with each respondent's weight ``N_h / n_h`` and stratum size ``N`` (empty
        when design-based figures are not used)."""
        def f():
            if not self.design["used"]:
                return self.latest.iloc[:0]
            d = self.latest.copy()
            d["weight"] = weights.poststratify_weights(d, self.units)
            d["N"] = weights.stratum_sizes(d, self.units)
            return d
        return self._get("design_data", f)

    def _design_kw(self) -> dict:
        # a unit with a single respondent contributes no variance (R survey.lonely.psu = "certainty")
        return {"weight": "weight", "strata": "unit", "fpc": "N", "lonely_psu": "certainty"}

    @property
    def city_figures(self) -> pd.DataFrame:
        """City-wide IKM, "not friendly" share and CRC percentages: one row per figure and estimator.

        Columns ``metric``, ``estimator`` (``design-based`` / ``unweighted``), ``estimate``,
        ``ci_low``, ``ci_high``, ``n``, ``method`` (percentages on 0..100). The unweighted rows are the
        figures of all respondents as one sample (IKM: delta interval; percentages: Wilson), the
        design-based ones are there when :attr:`design` is used.
        """
        def f():
            rows = []
            if self.design["used"]:
                d = self.design_data
                k = weights.design_ikm(d, scheme=self.scheme, **self._design_kw()).iloc[0]
                rows.append({"metric": "ikm", "estimator": "design-based", "estimate": k["ikm"],
                             "ci_low": k["ci_low"], "ci_high": k["ci_high"], "n": k["n"], "method": k["method"]})
                for r in weights.design_crc(d, scheme=self.scheme, **self._design_kw()).to_dict("records"):
                    rows.append({**{c: r[c] for c in ("metric", "estimate", "ci_low", "ci_high", "n", "method")},
                                 "estimator": "design-based"})
            k = self.ikm_city.iloc[0] if len(self.ikm_city) else None
            if k is not None:
                rows.append({"metric": "ikm", "estimator": "unweighted", "estimate": k["ikm"], "ci_low": k["ci_low"],
                             "ci_high": k["ci_high"], "n": k["n"],
                             "method": f"unweighted (all respondents as one sample): {k['method']}"})
            if "facility_friendly" in self.latest.columns:
                a = scoring.accessibility(self.latest)
                a = a[(a["group"] == "all").to_numpy(dtype=bool)]
                for r in a.to_dict("records"):
                    rows.append({"metric": r["metric"], "estimator": "unweighted", "estimate": r["estimate"],
                                 "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                                 "method": f"unweighted (all respondents as one sample): {r['method']}"})
            c = scoring.crc_indicators(self.latest, scheme=self.scheme)
            c = c[c["metric"].astype(str).str.startswith("pct_").to_numpy(dtype=bool)]
            for r in c.to_dict("records"):
                rows.append({"metric": r["metric"], "estimator": "unweighted", "estimate": r["estimate"],
                             "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                             "method": f"unweighted (all respondents as one sample): {r['method']}"})
            rows.extend(self._ikm_domain_rows())
            out = pd.DataFrame(rows, columns=["metric", "estimator", "domain", "value", "estimate", "ci_low",
                                              "ci_high", "n", "method"])
            out["domain"] = out["domain"].fillna("").astype(str)
            out["value"] = out["value"].fillna("").astype(str)
            for col in ("estimate", "ci_low", "ci_high"):
                out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
            out["n"] = pd.to_numeric(out["n"], errors="coerce").astype("Int64")
            return out
        return self._get("city_figures", f)

    def _ikm_domain_rows(self) -> list[dict]:
        """The city IKM by sector and by special group (domains), design-based (R svyby) and unweighted."""
        rows = []
        for dom in ("sector", "special_group"):
            if dom not in self.latest.columns or self.latest[dom].notna().sum() == 0:
                continue
            if self.design["used"]:
                for r in weights.design_ikm(self.design_data, by=dom, scheme=self.scheme, **self._design_kw()).to_dict(
                        "records"):
                    rows.append({"metric": "ikm", "estimator": "design-based", "domain": dom,
                                 "value": _domain_value(r[dom]), "estimate": r["ikm"], "ci_low": r["ci_low"],
                                 "ci_high": r["ci_high"], "n": r["n"], "method": r["method"]})
            for r in scoring.ikm(self.latest.dropna(subset=[dom]), by=dom, scheme=self.scheme, seed=self.seed,
                                 n_boot=self.n_boot).to_dict("records"):
                rows.append({"metric": "ikm", "estimator": "unweighted", "domain": dom, "value": _domain_value(r[dom]),
                             "estimate": r["ikm"], "ci_low": r["ci_low"], "ci_high": r["ci_high"], "n": r["n"],
                             "method": f"unweighted (all respondents as one sample): {r['method']}"})
        # special-group users before the others (a stable sort keeps the estimators' order)
        return sorted(rows, key=lambda r: (r["domain"] == "special_group", r["value"] == "False"))

    @property
    def special_test(self) -> pd.DataFrame:
        """City-wide: do special-group users say "not friendly" more than others? A gap table
        (``stats.GAP_COLUMNS``): the design-based row (Rao-Scott F, weighted shares) when the
        design is used, then the unweighted row (chi-square or Fisher, as in the unit reports)."""
        def f():
            if not {"facility_friendly", "special_group"} <= set(self.latest.columns):
                return pd.DataFrame(columns=list(stats.GAP_COLUMNS) + ["estimator"])
            kw = dict(by="special_group", group1=True, group2=False, event=False, metric="pct_not_friendly",
                      family="city: special_group vs not friendly", min_n=self.min_n)
            parts = []
            if self.design["used"]:
                parts.append(weights.compare_proportions_design(self.design_data, "facility_friendly", **kw,
                                                                **self._design_kw()).assign(estimator="design-based"))
            parts.append(stats.compare_proportions(self.latest, "facility_friendly", **kw)
                         .assign(estimator="unweighted"))
            return pd.concat(parts, ignore_index=True)
        return self._get("special_test", f)

    @property
    def nrr_units(self) -> pd.DataFrame:
        return self._get("nrr_units", lambda: scoring.nrr(self.latest, by="unit", scheme=self.scheme))

    @property
    def between(self) -> pd.DataFrame:
        """Kruskal-Wallis across units for each unsur (omnibus rows, Holm across unsur)."""
        def f():
            rows = []
            for col in self.scheme.columns:
                # the omnibus row only: the overview does not show Dunn's k(k-1)/2 pairs
                t = stats.compare_units(self.latest, col, min_n=self.min_n, seed=self.seed,
                                        n_boot=min(self.n_boot, 1000), pairs=False)
                rows.append(t)
            out = pd.concat(rows, ignore_index=True)
            p = pd.to_numeric(out["p_value"], errors="coerce").astype(float).to_numpy()
            ok = ~np.isnan(p)
            adj = np.full(len(p), np.nan)
            if ok.any():
                adj[ok] = stats.adjust_pvalues(p[ok], "holm")
            out["p_adjusted"] = adj
            out["family"] = "between units: unsur (Kruskal-Wallis)"
            return out
        return self._get("between", f)

    @property
    def vs_rest(self) -> pd.DataFrame:
        return self._get("vs_rest", lambda: stats.unit_vs_rest(self.latest, kind="ikm", scheme=self.scheme,
                                                               min_n=self.min_n, n_boot=self.n_boot,
                                                               n_perm=self.n_boot, seed=self.seed))

    @property
    def access(self) -> pd.DataFrame:
        def f():
            if "facility_friendly" not in self.latest.columns:
                return pd.DataFrame(columns=["unit", "group", "estimate", "ci_low", "ci_high", "n"])
            a = scoring.accessibility(self.latest, by="unit")
            return a[(a["group"] == "all").to_numpy(dtype=bool)].reset_index(drop=True)
        return self._get("access", f)

    @property
    def compliance(self) -> pd.DataFrame:
        def f():
            if not len(self.checklist):
                return pd.DataFrame(columns=["unit", "round", "category", "index", "n_items", "missing"])
            c = scoring.compliance(self.checklist, by="unit")
            c = c[(c["category"] == "all").to_numpy(dtype=bool)]
            last = c.groupby("unit")["round"].transform("max")
            return c[(c["round"] == last).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
        return self._get("compliance", f)

    @property
    def ikm_rounds(self) -> pd.DataFrame:
        return self._get("ikm_rounds", lambda: scoring.ikm(self.data, by=["unit", "round"], scheme=self.scheme,
                                                           seed=self.seed, n_boot=self.n_boot))

    @property
    def round_tests(self) -> pd.DataFrame:
        def f():
            parts = []
            for u, g in self.data.groupby("unit", sort=True, observed=True):
                rs = sorted(int(r) for r in g["round"].dropna().unique())
                if len(rs) >= 2:
                    t = stats.compare_rounds(g, unit=str(u), baseline=rs[-2], followup=rs[-1], scheme=self.scheme,
                                             min_n=self.min_n, n_boot=self.n_boot, n_perm=self.n_boot, seed=self.seed)
                    parts.append(t[(t["metric"] == "ikm").to_numpy(dtype=bool)])
            return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        return self._get("round_tests", f)

    def title(self) -> ReportText:
        n = fmt_number(len(self.latest), 0, self.lang)
        k = self.latest["unit"].nunique()
        sub = (f"{k} unit · n = {n}" if self.lang == "id" else f"{k} units · n = {n}")
        return ReportText(f"# {escape_text(self.title_text())}\n\n{sub}")

    def title_text(self) -> str:
        """The report's title, plain text."""
        return label("title_city", self.lang)

    def caption(self, key: str) -> ReportText:
        """Caption of figure ``key`` with the number of respondents it rests on (every
        round for ``rounds_city``, which is empty when the data have a single round)."""
        if key == "access_units" and not self.has_section("sec_access_units"):
            return ReportText("")
        if key == "rounds_city":
            if self.data["round"].nunique() < 2:
                return ReportText("")
            return ReportText(figure_caption(key, self.lang, n=len(self.data)))
        if key == "complaints_city":  # n: complaints with a known or censored time
            if self.register is None:
                return ReportText("")
            return ReportText(figure_caption(key, self.lang, n=len(self.register.times)))
        return ReportText(figure_caption(key, self.lang, n=len(self.latest)))

    def _fraction_range(self) -> tuple[str, str]:
        fr = list(self.design["fractions"].values())
        return (fmt_percent(min(fr), 0, self.lang, scale=100.0), fmt_percent(max(fr), 0, self.lang, scale=100.0))

    def city_text(self) -> ReportText:
        """Which city-wide estimator the figures use and why; the city IKM; the special-group test."""
        d = self.design
        if d["used"]:
            fmin, fmax = self._fraction_range()
            head = self.say("s_city_design", fmin=fmin, fmax=fmax)
        elif d["requested"] == "none":
            head = self.say("s_city_none")
        else:
            head = self.say("s_city_missing", units=escape_text(", ".join(d["missing"])))
        lines = [head]
        est = "design-based" if d["used"] else "unweighted"
        fig = self.city_figures
        k = fig[((fig["metric"] == "ikm") & (fig["estimator"] == est) & (fig["domain"] == "")).to_numpy(dtype=bool)]
        if len(k) and not is_small(k["n"].iloc[0], self.min_n):
            r = k.iloc[0]
            lines.append(self.say("s_city_ikm", ikm=fmt_number(r["estimate"], 2, self.lang),
                                  ci=fmt_interval(r["ci_low"], r["ci_high"], 2, self.lang),
                                  grade=scoring.ikm_grade(float(r["estimate"]), self.scheme, lang=self.lang),
                                  n=fmt_number(r["n"], 0, self.lang)))
        lines.extend(self.headline_context())
        t = self.special_test
        if len(t):
            r = t[(t["estimator"] == est).to_numpy(dtype=bool)].iloc[0].to_dict()
            lines.append(self._special_sentence(r, est))
        return ReportText("\n\n".join(lines))

    def headline_context(self) -> list[str]:
        """Sentences the headline adds after the IKM (none for the city; a location's: the mean of its
        units and why the two differ)."""
        return []

    def _special_sentence(self, r: Mapping, est: str) -> str:
        small = is_small(r.get("n1"), self.min_n) or is_small(r.get("n2"), self.min_n)
        how = label("how_design" if est == "design-based" else "how_unweighted", self.lang)
        if small:
            st = small_cell_text(self.min_n, self.lang)
            return label("s_special_city", self.lang, how=how, v1=st, v2=st, gap=st, ci=st, test="", p=st)
        test = ("Rao–Scott" if est == "design-based" else
                ("Fisher" if "Fisher" in str(r.get("method", "")) else "chi-square"))
        ci = label("ci95", self.lang) + " " + gap_text(r.get("ci_low"), "percentage points", self.lang,
                                                       unit=False) + \
            (" sampai " if self.lang == "id" else " to ") + gap_text(r.get("ci_high"), "percentage points",
                                                                     self.lang, unit=False)
        line = label("s_special_city", self.lang, how=how,
                     v1=value_text(r.get("estimate1"), "percentage points", self.lang),
                     v2=value_text(r.get("estimate2"), "percentage points", self.lang),
                     gap=gap_text(r.get("gap"), "percentage points", self.lang), ci=ci, test=test,
                     p=fmt_p(r.get("p_value"), self.lang))
        p = r.get("p_value")
        if not is_missing(p) and float(p) < self.alpha:
            more = label("more_often" if float(r.get("gap")) > 0 else "less_often", self.lang)
            return self.say("s_special_city_sig", more=more) + " " + line
        return self.say("s_special_city_ns") + " " + line

    def city_table(self) -> ReportTable:
        """City-wide figures: design-based with its interval, the unweighted figure beside it, n."""
        fig = self.city_figures
        shown = [(m, "", "") for m in CITY_TABLE_METRICS if m in set(fig["metric"])]
        doms = fig.loc[fig["domain"] != "", ["domain", "value"]].drop_duplicates()
        at = 1 if shown and shown[0][0] == "ikm" else 0  # the IKM of each domain right after the city IKM
        shown[at:at] = [("ikm", d, v) for d, v in zip(doms["domain"], doms["value"])]
        rows = []
        for m, dom, val in shown:
            what = metric_label(m, self.lang, self.scheme)
            if dom == "sector":
                what += ": " + (label(f"sector_{val}", self.lang) if f"sector_{val}" in LABELS else val)
            elif dom:
                what += ": " + side_label({"comparison": dom, "v": val}, "v", self.lang)
            row = {"what": what}
            for est, tag in (("design-based", "d"), ("unweighted", "u")):
                r = fig[((fig["metric"] == m) & (fig["estimator"] == est) & (fig["domain"] == dom)
                         & (fig["value"] == val)).to_numpy(dtype=bool)]
                if not len(r):
                    row[f"v_{tag}"] = row[f"ci_{tag}"] = "–"
                    continue
                r = r.iloc[0]
                if m == "ikm":
                    row[f"v_{tag}"] = fmt_number(r["estimate"], 2, self.lang)
                    row[f"ci_{tag}"] = fmt_interval(r["ci_low"], r["ci_high"], 2, self.lang, prefix=False)
                else:
                    row[f"v_{tag}"] = fmt_percent(r["estimate"], 0, self.lang, scale=1.0)
                    row[f"ci_{tag}"] = fmt_interval(r["ci_low"], r["ci_high"], 0, self.lang, percent=True,
                                                    scale=1.0, prefix=False)
                row["n"] = int(r["n"])
            rows.append(row)
        t = pd.DataFrame(rows, columns=["what", "v_d", "ci_d", "v_u", "ci_u", "n"])
        cols = {"what": "col_figure", "v_d": "col_design", "ci_d": "col_ci_design", "v_u": "col_unweighted",
                "ci_u": "col_ci_unweighted", "n": "col_n"}
        if not self.design["used"]:
            cols = {k: v for k, v in cols.items() if k not in ("v_d", "ci_d")}
        return report_table(t, cols, lang=self.lang,
                            formats={"what": "text", "v_d": "text", "ci_d": "text", "v_u": "text", "ci_u": "text",
                                     "n": "int"},
                            suppress=("v_d", "ci_d", "v_u", "ci_u"), min_n=self.min_n,
                            caption=self.table_caption("city"))

    def ranking_chart(self):
        return self._chart(plots.plot_ikm_ranking(self.ikm_units, scheme=self.scheme, lang=self.lang, min_n=self.min_n),
                           "ranking")

    def ranking_table(self) -> ReportTable:
        t = self.ikm_units.copy()
        t["_v"] = pd.to_numeric(t["ikm"], errors="coerce").astype(float)
        t = t.sort_values(["_v", "unit"], ascending=[False, True], kind="mergesort", na_position="last")
        t["grade_t"] = [f"{g} ({a if self.lang == 'id' else b})" for g, a, b in zip(t["grade"], t["label_id"],
                                                                                   t["label_en"])]
        t["ci_t"] = [fmt_interval(lo, hi, 2, self.lang, prefix=False) for lo, hi in zip(t["ci_low"], t["ci_high"])]
        return report_table(t, {"unit": "col_unit", "n": "col_n", "ikm": "col_ikm", "ci_t": "col_ci",
                                "grade_t": "col_grade"}, lang=self.lang,
                            formats={"unit": "text", "n": "int", "ikm": "ikm", "ci_t": "text", "grade_t": "text"},
                            suppress=("ikm", "ci_t", "grade_t"), min_n=self.min_n,
                            caption=self.table_caption("ranking"))

    def heatmap_chart(self):
        t = self.nrr_units.assign(ikm_unsur=lambda d: d["nrr_converted"])
        return self._chart(plots.plot_heatmap(t, scheme=self.scheme, lang=self.lang, min_n=self.min_n), "heatmap")

    def between_text(self) -> ReportText:
        sig = significant_gaps(self.between.drop(columns=["n1", "n2"]), alpha=self.alpha, min_n=self.min_n)
        vr = significant_gaps(self.vs_rest, alpha=self.alpha, min_n=self.min_n)
        lines = []
        if len(sig):
            names = "; ".join(unsur_label(str(m).partition(":")[2] or m, self.lang, self.scheme) for m in sig["metric"])
            lines.append(("Unsur yang berbeda nyata antar-unit (Kruskal–Wallis, p Holm < {a}): {x}."
                          if self.lang == "id" else
                          "Elements that differ between units (Kruskal–Wallis, Holm p < {a}): {x}.")
                         .format(a=fmt_number(self.alpha, 2, self.lang), x=escape_text(names)))
        else:
            lines.append(("Tidak ada unsur yang berbeda nyata antar-unit (p Holm < {a})." if self.lang == "id" else
                          "No element differs significantly between units (Holm p < {a}).")
                         .format(a=fmt_number(self.alpha, 2, self.lang)))
        for r in vr.to_dict("records"):
            lines.append("- " + sentence_gap({**r, "group2": self.say("grp_rest_of_city")}, lang=self.lang,
                                             min_n=self.min_n, scheme=self.scheme))
        return ReportText("\n\n".join(lines[:1]) + ("\n\n" + "\n".join(lines[1:]) if len(lines) > 1 else ""))

    def between_table(self) -> ReportTable:
        b = self.between.copy()
        b["what"] = [unsur_label(str(m).partition(":")[2] or m, self.lang, self.scheme) for m in b["metric"]]
        b["test"] = "Kruskal–Wallis H"
        v = self.vs_rest.copy()
        v["what"] = [f"IKM: {u} vs {self.say('grp_rest_of_city')}" for u in v["group1"]]
        v["test"] = "IKM (bootstrap/permutasi)" if self.lang == "id" else "IKM (bootstrap/permutation)"
        t = pd.concat([b, v], ignore_index=True)
        t["n_small"] = [min(int(a) if not is_missing(a) else 0, int(c) if not is_missing(c) else 0) if w else 99
                        for a, c, w in zip(t["n1"], t["n2"], [False] * len(b) + [True] * len(v))]
        return report_table(t, {"what": "col_metric", "test": "col_method", "statistic": "Statistik"
                                if self.lang == "id" else "Statistic", "gap": "col_gap", "p_adjusted": "col_p_adj"},
                            lang=self.lang, formats={"what": "text", "test": "text", "statistic": "number2",
                                                     "gap": "signed2", "p_adjusted": "p"},
                            n_column="n_small", suppress=("statistic", "gap", "p_adjusted"), min_n=self.min_n,
                            caption=self.table_caption("between"))

    @only_in("sec_access_units")
    def access_chart(self):
        a = self.access.assign(pct_not_friendly=lambda d: pd.to_numeric(d["estimate"], errors="coerce") / 100.0)
        c = self.compliance.assign(pct_present=lambda d: pd.to_numeric(d["index"], errors="coerce") / 100.0) \
            if len(self.compliance) else None
        return self._chart(plots.plot_access_units(a, compliance=c, lang=self.lang, min_n=self.min_n), "access_units")

    @only_in("sec_access_units")
    def access_table(self) -> ReportTable:
        a = self.access[["unit", "estimate", "ci_low", "ci_high", "n"]].copy()
        c = self.compliance[["unit", "index", "missing"]] if len(self.compliance) else \
            pd.DataFrame(columns=["unit", "index", "missing"])
        t = a.merge(c, on="unit", how="outer").sort_values("unit", kind="mergesort")
        t["ci_t"] = [fmt_interval(lo, hi, 0, self.lang, percent=True, scale=1.0, prefix=False)
                     for lo, hi in zip(t["ci_low"], t["ci_high"])]
        cols = {"unit": "col_unit", "n": "col_n", "estimate": "col_not_friendly", "ci_t": "col_ci",
                "index": "col_compliance", "missing": "col_missing"}
        if not len(self.compliance):  # no checklist: no compliance columns
            cols = {k: v for k, v in cols.items() if k not in ("index", "missing")}
        if "facility_friendly" not in self.data.columns:  # not asked: compliance only
            cols = {k: v for k, v in cols.items() if k not in ("n", "estimate", "ci_t")}
        return report_table(t, cols, lang=self.lang,
                            formats={"unit": "text", "n": "int", "estimate": "pct", "ci_t": "text", "index": "pct",
                                     "missing": "text"},
                            suppress=("estimate", "ci_t"), min_n=self.min_n, caption=self.table_caption("access_units"))

    @only_in("sec_rounds_city")
    def rounds_chart(self):
        if self.data["round"].nunique() < 2:
            return ReportText(label("s_no_previous_round", self.lang).replace("unit ini", f"{self.place} ini")
                              .replace("this unit", f"the {self.place}"))
        return self._chart(plots.plot_rounds_city(self.ikm_rounds, scheme=self.scheme, lang=self.lang,
                                                  min_n=self.min_n), "rounds_city")

    def rounds_table(self):
        rt = self.round_tests
        if not len(rt):
            return ReportText("")
        t = rt.copy()
        t["who"] = [f"{u}: {label('round', self.lang)} {a} vs {b}" for u, a, b in zip(t["unit"], t["group1"], t["group2"])]
        t["n_small"] = [min(int(a or 0), int(b or 0)) for a, b in zip(t["n1"].fillna(0), t["n2"].fillna(0))]
        # the interval of a change, signed like the change itself (as in the unit reports' gap tables)
        t["ci_t"] = [("–" if is_missing(lo) or is_missing(hi) else
                      f"{fmt_number(lo, 2, self.lang, signed=True)}; {fmt_number(hi, 2, self.lang, signed=True)}")
                     for lo, hi in zip(t["ci_low"], t["ci_high"])]
        return report_table(t, {"who": "col_unit", "estimate2": "col_ikm_previous",
                                "estimate1": "col_ikm_latest", "gap": "col_change",
                                "ci_t": "col_ci_gap", "p_adjusted": "col_p_adj"}, lang=self.lang,
                            formats={"who": "text", "estimate1": "ikm", "estimate2": "ikm", "gap": "signed2",
                                     "ci_t": "text", "p_adjusted": "p"}, n_column="n_small",
                            suppress=("estimate1", "estimate2", "gap", "ci_t", "p_adjusted"), min_n=self.min_n,
                            caption=self.table_caption("rounds_city"))

    def _per_unit_weights_text(self) -> str:
        return (" Angka per unit (peringkat, peta panas, uji antar-unit) tidak dibobot: di dalam unit, "
                "responden adalah sampel unit itu sendiri; intervalnya tanpa koreksi populasi terhingga, "
                "sama dengan laporan unit." if self.lang == "id" else
                " Per-unit figures (ranking, heat map, between-unit tests) are not weighted: within a unit "
                "the respondents are that unit's own sample; their intervals carry no finite-population "
                "correction, as in the unit reports.")

    def weights_text(self) -> str:
        """The Methods bullet on weights: which estimator the {place}-wide figures use, and why."""
        d, id_, place = self.design, self.lang == "id", self.place
        per_unit = self._per_unit_weights_text()
        if d["used"]:
            fmin, fmax = self._fraction_range()
            return (("angka tingkat {p} (IKM, persentase tidak ramah, persentase CRC, uji kelompok rentan) "
                     "berbasis desain, karena unit disampel dengan fraksi yang berbeda ({a}–{b}) dan angka tanpa "
                     "bobot akan memberi bobot berlebih pada unit yang banyak disampel: strata = unit, bobot "
                     "N_h/n_h (N_h = pengguna per bulan di berkas unit), koreksi populasi terhingga 1 − n_h/N_h, "
                     "galat baku dengan linearisasi Taylor; IKM sebagai rasio total berbobot per unsur (rumus "
                     "Permenpan), interval t; persentase dengan interval logit (seperti R svyciprop); uji kelompok "
                     "rentan dengan Rao–Scott. Angka tanpa bobot ditampilkan di sampingnya sebagai pembanding; "
                     "city_weights = none mematikannya." if id_ else
                     "{p}-wide figures (IKM, not-friendly share, CRC percentages, the special-group test) are "
                     "design-based, because the units were sampled at different rates ({a} to {b}) and unweighted "
                     "figures would give too much weight to the units sampled most heavily: strata = units, weights "
                     "N_h/n_h (N_h = users per month from the units file), finite-population correction "
                     "1 − n_h/N_h, Taylor-linearised standard errors; the IKM as a ratio of weighted totals per "
                     "element (the regulation's formula), t interval; percentages with a logit interval (as R "
                     "svyciprop); the special-group test by Rao–Scott. The unweighted figure is shown beside it "
                     "for comparison; city_weights = none turns this off.").format(a=fmin, b=fmax, p=place)
                    + per_unit)
        if d["requested"] == "none":
            return ((f"tanpa bobot sampling (dipilih dengan city_weights = none): angka tingkat {place} menghitung "
                     "semua responden seolah-olah satu sampel acak sederhana, walaupun unit mungkin disampel dengan "
                     "fraksi berbeda." if id_ else
                     f"no sampling weights (chosen with city_weights = none): {place}-wide figures count all "
                     "respondents as one simple random sample, although the units may have been sampled at "
                     "different rates.") + per_unit)
        units = escape_text(", ".join(d["missing"]))
        return ((f"tanpa bobot sampling: angka tingkat {place} berbasis desain memerlukan jumlah pengguna per bulan "
                 f"(users_per_month) setiap unit, dan berkas unit tidak memuatnya untuk {units}; angka {place} "
                 "dihitung seolah-olah semua responden satu sampel acak sederhana dan dapat bias bila unit "
                 "disampel dengan fraksi berbeda. Isi users_per_month untuk mendapat angka berbasis desain."
                 if id_ else
                 f"no sampling weights: design-based {place}-wide figures need the users per month "
                 f"(users_per_month) of every unit, and the units file lacks them for {units}; {place}-wide figures "
                 "count all respondents as one simple random sample and can be biased when the units were "
                 "sampled at different rates. Fill in users_per_month to get design-based figures.") + per_unit)

    @only_in("sec_complaints_city")
    def complaints_text(self) -> ReportText:
        """The register city-wide: totals, units and channels compared, units claiming zero complaints."""
        opening = self.WORDING.get("s_reg_city", "s_reg_city")
        return ReportText(complaints_report.city_text(self.register, self.latest, lang=self.lang, min_n=self.min_n,
                                                      alpha=self.alpha, opening=opening, place=self.place))

    @only_in("sec_complaints_city")
    def complaints_table(self):
        return complaints_report.city_table(self.register, self.latest, lang=self.lang, min_n=self.min_n,
                                            caption=self.table_caption("complaints_city"))

    @only_in("sec_complaints_city")
    def complaints_chart(self):
        return self._chart(complaints_report.city_chart(self.register, lang=self.lang, min_n=self.min_n),
                           "complaints_city")

    def methods(self) -> ReportText:
        r = self.ikm_city.iloc[0].to_dict() if len(self.ikm_city) else {}
        return self._methods_with_tail(methods_text(
            scheme_reference=self.scheme.reference, ikm_method=ikm_method_text(r.get("method", ""), self.lang),
            alpha=self.alpha, min_n=self.min_n, seed=self.seed, weighted=self.design["used"], lang=self.lang,
            scope=self.level, weights_text=self.weights_text()))

    def results(self) -> pd.DataFrame:
        """City-level rows of ``results.csv``: the city-wide figures (``unit`` empty; ``group``
        ``design-based`` or ``unweighted``), the special-group test (``group`` ``special_group: True vs
        False; design-based`` / ``...; unweighted``), the between-unit tests and each unit against the
        rest. Per-unit figures are the unit reports' rows."""
        return results_frame(pd.concat(list(self.result_parts().values()), ignore_index=True).to_dict("records"))

    def result_parts(self) -> dict:
        """The rows of :meth:`results` by kind, in order: ``figures``, ``special`` (when tested),
        ``between``, ``vs_rest`` (each row names the unit compared in ``unit``) and, with a register,
        ``register``; each a results frame."""
        fig = self.city_figures
        rows = [results_row(sector=r["value"] if r["domain"] == "sector" else "",
                            group=r["estimator"] + (f"; {r['domain']}={r['value']}"
                                                    if r["domain"] not in ("", "sector") else ""),
                            metric=r["metric"], estimate=r["estimate"], ci_low=r["ci_low"],
                            ci_high=r["ci_high"], n=r["n"], method=r["method"], min_n=self.min_n)
                for r in fig.to_dict("records")]
        parts = {"figures": results_frame(rows)}
        sp = self.special_test
        special = []
        for est in ("design-based", "unweighted"):
            part = sp[(sp["estimator"] == est).to_numpy(dtype=bool)] if len(sp) else sp
            if len(part):
                g = gaps_to_results(part.drop(columns=["estimator"]).assign(unit=""), min_n=self.min_n)
                g["group"] = g["group"] + f"; {est}"
                g["method"] = f"{est}: " + g["method"]
                special.append(g)
        if special:
            parts["special"] = pd.concat(special, ignore_index=True)
        b = self.between.copy()
        b["unit"] = ""
        tests = gaps_to_results(b, min_n=1)
        tests["group"] = "units: " + tests["group"].str.split(": ", n=1).str[-1]
        parts["between"] = tests
        vs_rest = self.vs_rest.copy()
        vs_rest["unit"] = vs_rest["group1"]  # the unit compared with the rest of the city
        rest = gaps_to_results(vs_rest, min_n=self.min_n)
        rest["group"] = "unit vs rest of city"
        parts["vs_rest"] = rest
        if self.register is not None:
            parts["register"] = results_frame(self.register.results_rows(None))
        return parts
