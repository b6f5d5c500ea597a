"""The report of one district (kecamatan) or agency (dinas): the city overview of that location's units.

:class:`LocationReport` is what ``city_overview.ipynb`` shows when it runs with
``level="district"`` or ``"agency"`` and a ``location``. It reads only the rows
of the location's units, and of the other units only the IKM and report-card
columns of their latest round, for the one comparison with the rest of the
city. Its figures:

- the location as a whole, design-based across its units (strata = its units,
  weights ``N_h / n_h`` and the finite-population correction from each unit's
  users per month), beside the unweighted figure and the plain mean of its
  units' IKMs, with why the two differ;
- the location against the rest of the city (every other surveyed unit), as two
  domains of the city-wide design (:func:`clem_lib.weights.compare_location_design`);
- its units side by side (ranking, heat map, between-unit tests, each unit
  against the rest of the location), accessibility, compliance, change between
  rounds and complaints, as the city overview shows them for the whole city.

Its rows of ``results.csv`` carry the location's name in ``unit`` and its level
first in ``group`` (``level=district; design-based``, ``level=district; unit vs
rest of district: <unit>``, ``level=district; vs rest of city``), so the
contract's columns stay as they are (``docs/reports.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .. import scoring, stats, weights
from ..codebook import locations
from ..errors import ClemInputError
from ..results import gaps_to_results, results_frame
from ..stats.rows import gap_row
from ..text import (
    escape_text,
    fmt_number,
    fmt_p,
    fmt_percent,
    is_missing,
    is_small,
    location_title,
    metric_label,
    sentence_gap,
    significant_gaps,
    table_ref,
)
from ..text.tables import ReportText, heading, report_table, table_caption
from .base import ReportParts, only_in
from .city import CITY_TABLE_METRICS, CityReport, latest_round
from .data import input_files, read_unit_slice, unasked_columns
from .params import ReportParams

__all__ = ["LocationReport"]

#: what the comparison with the rest of the city reads of the other units (besides the scheme's unsur)
VS_CITY_COLUMNS = ("unit", "round", "facility_friendly", "overall_satisfaction", "had_problem", "problem_resolved",
                   "paid_extra", "channel", "days_to_complete", "standard_days", "cost_paid", "official_fee",
                   "knows_complaint")


def location_units(units: pd.DataFrame, level: str, name: str) -> tuple[str, ...]:
    """The units of the district or agency ``name`` (canonical, as :func:`clem_lib.resolve_location`
    gives it), in units-file order."""
    t = locations(units)
    hit = t[(t["level"].eq(level) & t["name"].eq(name)).to_numpy(dtype=bool)]
    if not len(hit):
        raise ClemInputError(f"unknown {level} {name!r}", column="location",
                             fix=f"give a {level} the units file names")
    return tuple(hit["units"].iloc[0])


def rest_of_city(data_file, others, scheme) -> pd.DataFrame:
    """The latest round of the units ``others``: only the columns the comparison with the rest of the
    city needs (the scheme's unsur and the report-card columns the survey asked)."""
    s = scoring.get_scheme(scheme)
    have = set(pq.read_schema(data_file).names) - set(unasked_columns(data_file))
    want = [*VS_CITY_COLUMNS[:2], *s.columns, *VS_CITY_COLUMNS[2:]]
    return latest_round(read_unit_slice(data_file, columns=[c for c in dict.fromkeys(want) if c in have],
                                        units=list(others)))


class LocationReport(CityReport):
    """One district's or agency's units side by side, and the location as a whole.

    Built by :meth:`CityReport.from_params <clem_lib.report.CityReport.from_params>` when
    ``level`` is ``"district"`` or ``"agency"``. ``data`` and ``latest`` hold the location's
    units only; ``rest`` the latest round of every other unit, IKM and report-card
    columns only; ``location_units`` the location's units as the units file lists them.
    """

    LEVELS = ("district", "agency")
    SECTIONS = ("sec_city", "sec_vs_city", "sec_ranking", "sec_heatmap", "sec_between", "sec_access_units",
                "sec_rounds_city", "sec_complaints_city", "sec_methods")
    WORDING = {"sec_city": "sec_location", "s_city_ikm": "s_location_ikm", "s_special_city_sig": "s_special_location_sig",
               "s_special_city_ns": "s_special_location_ns", "grp_rest_of_city": "grp_rest_of_place",
               "s_reg_city": "s_reg_location"}
    #: table numbers: the comparison with the rest of the city is the second table
    NUMBERS = {"table": {"city": 1, "vs_city": 2, "ranking": 3, "between": 4, "access_units": 5, "rounds_city": 6,
                         "complaints_city": 7}}

    def __init__(self, *, level: str, location: str, location_units, rest: pd.DataFrame, **kw):
        super().__init__(**kw)
        self.level, self.location = level, location
        self.location_units = tuple(location_units)
        self.rest = rest

    @classmethod
    def read(cls, params: ReportParams, units: pd.DataFrame, *, n_boot: int = 2000, unit_names=None,
             **extra) -> "LocationReport":
        """The report of validated ``params`` (``level``, canonical ``location``): the location's rows,
        and the other units' columns the comparison with the rest of the city needs."""
        mine = location_units(units, params.level, params.location)
        data_file = input_files(params)[0]
        rest = rest_of_city(data_file, [u for u in units["name"].astype(str) if u not in mine], params.scheme_value)
        report = super().read(params, units, n_boot=n_boot, unit_names=mine, level=params.level,
                              location=params.location, location_units=mine, rest=rest, **extra)
        if not len(report.data):
            raise ClemInputError(f"no respondents in {params.level} {params.location!r}: the cleaned data has no row "
                                 f"of its units ({', '.join(mine)})", column="location",
                                 fix="give a location whose units were surveyed")
        return report

    # -- words ------------------------------------------------------------------

    def title_text(self) -> str:
        return location_title(self.level, self.location, self.lang)

    def section_heading(self, key: str, number: int) -> str:
        return heading(self.WORDING.get(key, key), self.lang, number=number, place=self.place)

    def table_caption(self, key: str) -> str:
        if key in ("city", "vs_city"):
            caption = "cap_vs_city" if key == "vs_city" else \
                ("cap_location" if self.design["used"] else "cap_location_unweighted")
            return f"{table_ref(key, self.lang, self.NUMBERS)}. " + self.say(caption)
        return table_caption(key, self.lang, self.NUMBERS)

    # -- the location as a whole ------------------------------------------------------

    @property
    def mean_of_units(self) -> tuple[float, int]:
        """The plain mean of the location's units' IKMs and how many units it averages (units with an
        IKM; NaN when a unit's IKM rests on fewer than ``min_n`` answers, as it is not shown)."""
        def f():
            t = self.ikm_units
            v = pd.to_numeric(t["ikm"], errors="coerce").astype(float)
            ok = np.isfinite(v.to_numpy())
            if not ok.any() or any(is_small(n, self.min_n) for n in t.loc[ok, "n"]):
                return np.nan, int(ok.sum())
            if self.design["used"]:  # the same mean, as the design-based estimator of the location gives it
                r = weights.location_ikm(self.latest, self.units, scheme=self.scheme, lonely_psu="certainty").iloc[0]
                return float(r["mean_of_units"]), int(r["n_units"])
            return float(v[ok].mean()), int(ok.sum())
        return self._get("mean_of_units", f)

    def headline_context(self) -> list[str]:
        """The plain mean of the units' IKMs, and in one sentence why the location's figure differs."""
        mean, k = self.mean_of_units
        if k < 2 or is_missing(mean):
            return []
        why = "s_location_why" if self.design["used"] else "s_location_why_unweighted"
        return [self.say("s_location_mean", k=fmt_number(k, 0, self.lang), mean=fmt_number(mean, 2, self.lang))
                + " " + self.say(why)]

    def city_table(self):
        """The location's figures; then (in the same cell, so the city overview keeps its cells) the
        section comparing the location with the rest of the city."""
        return ReportParts((super().city_table(), self.section("sec_vs_city"), self.vs_city_text(),
                            self.vs_city_table()))

    # -- against the rest of the city -----------------------------------------------

    @property
    def vs_city_status(self) -> str:
        """``ok``; ``no_rest`` (every surveyed unit is in the location); ``none`` (``city_weights="none"``:
        the comparison is design-based only); ``missing`` (a unit lacks its users per month)."""
        if not len(self.rest):
            return "no_rest"
        if self.city_weights == "none":
            return "none"
        return "missing" if self.vs_city_missing else "ok"

    @property
    def vs_city_missing(self) -> list[str]:
        """Units with respondents, in the location or not, whose users per month the units file lacks."""
        return sorted(set(weights.units_without_size(self.latest, self.units))
                      | set(weights.units_without_size(self.rest, self.units)))

    @property
    def vs_city(self) -> pd.DataFrame:
        """The location against the rest of the city: a gap table (``stats.GAP_COLUMNS``), one row per
        figure of the headline table, design-based (:func:`clem_lib.weights.compare_location_design`),
        p Holm-adjusted across the figures; empty unless :attr:`vs_city_status` is ``ok``."""
        def f():
            if self.vs_city_status != "ok":
                return pd.DataFrame(columns=list(stats.GAP_COLUMNS))
            both = pd.concat([self.latest[[c for c in self.rest.columns if c in self.latest.columns]], self.rest],
                             ignore_index=True)
            t = weights.compare_location_design(both, self.units, self.location_units, scheme=self.scheme,
                                                lonely_psu="certainty")
            t = t.set_index("metric")
            rows = [gap_row(family="location vs rest of city", design="two-group", comparison="", metric=m,
                            group1=self.location, group2="rest_of_city", n1=t.at[m, "n1"], n2=t.at[m, "n2"],
                            estimate1=t.at[m, "estimate1"], estimate2=t.at[m, "estimate2"],
                            gap=t.at[m, "difference"], gap_unit="" if m == "ikm" else "percentage points",
                            ci_low=t.at[m, "ci_low"], ci_high=t.at[m, "ci_high"], statistic=t.at[m, "statistic"],
                            p_value=t.at[m, "p_value"], method=t.at[m, "method"])
                    for m in CITY_TABLE_METRICS if m in t.index]
            out = pd.DataFrame(rows, columns=list(stats.GAP_COLUMNS))
            p = pd.to_numeric(out["p_value"], errors="coerce").astype(float).to_numpy()
            ok = ~np.isnan(p) & (np.minimum(out["n1"].astype(float), out["n2"].astype(float)) >= self.min_n)
            adj = np.full(len(p), np.nan)
            if ok.any():
                adj[ok] = stats.adjust_pvalues(p[ok], "holm")
            out["p_adjusted"] = adj
            out["method"] = out["method"] + f"; Holm across the {int(ok.sum())} figures tested"
            return out
        return self._get("vs_city", f)

    @only_in("sec_vs_city")
    def vs_city_text(self) -> ReportText:
        """What the rest of the city is, and one sentence per figure that differs from it (Holm)."""
        status = self.vs_city_status
        if status == "no_rest":
            return ReportText(self.say("s_vs_city_no_rest"))
        if status == "none":
            return ReportText(self.say("s_vs_city_unweighted"))
        if status == "missing":
            return ReportText(self.say("s_vs_city_missing", units=escape_text(", ".join(self.vs_city_missing))))
        t = self.vs_city
        lines = [self.say("s_vs_city_rest", k=fmt_number(self.rest["unit"].nunique(), 0, self.lang),
                          n=fmt_number(len(self.rest), 0, self.lang),
                          m=fmt_number(int(t["p_adjusted"].notna().sum()), 0, self.lang))]
        a = fmt_number(self.alpha, 2, self.lang)
        sig = significant_gaps(t, alpha=self.alpha, min_n=self.min_n)
        if not len(sig):
            return ReportText("\n\n".join([*lines, self.say("s_vs_city_none", a=a)]))
        named = [{**r, "group1": self.title_text()} for r in sig.to_dict("records")]
        items = "\n".join("- " + sentence_gap(r, lang=self.lang, min_n=self.min_n, scheme=self.scheme) for r in named)
        return ReportText("\n\n".join([*lines, self.say("s_vs_city_sig", a=a), items]))

    @only_in("sec_vs_city")
    def vs_city_table(self):
        """The location, the rest of the city, the difference with its 95 % CI and the Holm p, per figure."""
        t = self.vs_city.copy()
        if not len(t):
            return ReportText("")

        def value(v, m):
            return fmt_number(v, 2, self.lang) if m == "ikm" else fmt_percent(v, 0, self.lang, scale=1.0)
        t["v1"] = [value(v, m) for v, m in zip(t["estimate1"], t["metric"])]
        t["v2"] = [value(v, m) for v, m in zip(t["estimate2"], t["metric"])]
        t["what"] = [metric_label(m, self.lang, self.scheme) for m in t["metric"]]
        # differences and their intervals signed, as the change between rounds (IKM points, percentage points)
        t["gap_t"] = [fmt_number(g, 2 if m == "ikm" else 0, self.lang, signed=True) for g, m in zip(t["gap"], t["metric"])]
        t["ci_t"] = [("–" if is_missing(lo) or is_missing(hi) else
                      f"{fmt_number(lo, 2 if m == 'ikm' else 0, self.lang, signed=True)}; "
                      f"{fmt_number(hi, 2 if m == 'ikm' else 0, self.lang, signed=True)}")
                     for lo, hi, m in zip(t["ci_low"], t["ci_high"], t["metric"])]
        t["p_t"] = [fmt_p(p, self.lang) for p in t["p_adjusted"]]
        t["n_small"] = [min(int(a) if not is_missing(a) else 0, int(b) if not is_missing(b) else 0)
                        for a, b in zip(t["n1"], t["n2"])]
        t["n_t"] = [f"{fmt_number(a, 0, self.lang)} / {fmt_number(b, 0, self.lang)}" for a, b in zip(t["n1"], t["n2"])]
        cols = {"what": "col_figure", "v1": self.title_text(), "v2": "grp_rest_of_city", "gap_t": "col_gap",
                "ci_t": "col_ci_gap", "p_t": "col_p_adj", "n_t": "col_n"}
        return report_table(t, cols, lang=self.lang, formats={k: "text" for k in cols}, n_column="n_small",
                            suppress=("v1", "v2", "gap_t", "ci_t", "p_t"), min_n=self.min_n,
                            caption=self.table_caption("vs_city"))

    # -- the rest as the city overview has it, in the location's words ------------------

    def weights_text(self) -> str:
        text = super().weights_text()
        if self.design["used"]:
            text += " " + self.say("m_location_units")
        return text + "\n- " + self.say("m_vs_city")

    def result_parts(self) -> dict:
        """The city overview's rows for the location's units, each with ``unit`` the location's name and
        ``group`` starting ``level=<level>`` (``level=district; design-based``; ``level=district; unit vs
        rest of district: <unit>``), and after the figures the comparison with the rest of the city
        (``vs_city``: ``level=district; vs rest of city``, metrics ``gap:<figure>``)."""
        tag = f"level={self.level}"
        out = {}
        for kind, frame in super().result_parts().items():
            f = frame.copy()
            if kind == "vs_rest":  # each unit against the rest of the location
                f["group"] = f"{tag}; unit vs rest of {self.level}: " + f["unit"].astype(str)
            else:
                f["group"] = (tag + "; " + f["group"].astype(str)).where(f["group"].astype(str) != "", tag)
            f["unit"] = self.location
            out[kind] = f
            if kind == "figures":
                out["vs_city"] = self.vs_city_rows()
        return out

    def vs_city_rows(self) -> pd.DataFrame:
        """Rows of ``results.csv`` of the comparison with the rest of the city (``gap:<figure>``)."""
        if not len(self.vs_city):
            return results_frame([])
        g = gaps_to_results(self.vs_city.assign(unit=self.location), min_n=self.min_n)
        g["group"] = f"level={self.level}; vs rest of city"
        return g
