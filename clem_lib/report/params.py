"""A report's parameters in one object: their defaults, their checks, and what papermill gets.

Every parameter a report notebook takes (the unit, the input paths, the round,
the language, ``alpha``, ``min_n``, the seed, the IKM scheme, the city weights,
the complaint register's three, where to write the results rows) is a field of
:class:`ReportParams`, with its default given once here. The notebooks'
parameters cells list the same names with the same defaults (a test keeps them
in step). ``clem run`` builds one ``ReportParams`` per notebook and hands
papermill :meth:`ReportParams.to_papermill`; the notebook reads the injected
values back with :meth:`ReportParams.from_papermill`, and the report classes
check them with :meth:`ReportParams.validate`.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, fields, replace
from typing import Mapping

import numpy as np
import pandas as pd

from ..codebook import normalize_label
from ..errors import ClemInputError
from ..text import LANGS

__all__ = ["ReportParams", "resolve_unit", "validate_report_params", "CITY_WEIGHTS"]

CITY_WEIGHTS = ("design", "none")
"""Values of the city overview's ``city_weights`` (``clem run --city-weights``)."""

DEFAULT_SCHEME = "permenpan14_2017"
"""The IKM scheme of a report that names none (Permenpan RB 14/2017)."""


@dataclass(frozen=True)
class ReportParams:
    """The parameters of one report notebook: a unit's report (``unit`` given) or the city overview.

    Paths are text, as the notebooks take them: ``""`` means the bundled sample's
    file (``data_path``, ``checklist_path``, ``units_path``), no register
    (``complaints_path``), the bundled holidays (``holidays_path``) or no results
    file (``results_path``). ``scheme`` is a scheme name, or a custom scheme as a
    mapping or as JSON text.

    Examples
    --------
    >>> p = ReportParams(unit="Kec. Serengan", lang="en", results_path="parts/kec-serengan.results.csv")
    >>> p.seed, p.min_n, p.alpha
    (20130924, 5, 0.05)
    >>> names = list(p.to_papermill())  # the unit report's parameters, in the injected cell's order
    >>> names[:2], names[-2:], "city_weights" in names
    (['unit', 'data_path'], ['round', 'results_path'], False)
    >>> ReportParams.from_papermill({"lang": "en", "min_n": 10, "other": 1}).min_n
    10
    """

    unit: str | None = None
    data_path: str = ""
    checklist_path: str = ""
    units_path: str = ""
    round: int = 0
    lang: str = "id"
    alpha: float = 0.05
    min_n: int = 5
    seed: int = 20130924
    scheme: str | Mapping = DEFAULT_SCHEME
    city_weights: str = "design"
    complaints_path: str = ""
    complaint_standard_days: int = 5
    holidays_path: str = ""
    results_path: str = ""

    @classmethod
    def from_papermill(cls, mapping: Mapping) -> "ReportParams":
        """The parameters a notebook runs with, read from its namespace (``globals()``) or from the
        mapping papermill was given: every field the mapping names; other fields keep their
        defaults and other names are ignored (a notebook's namespace holds more than parameters)."""
        return cls(**{f.name: mapping[f.name] for f in fields(cls) if f.name in mapping})

    def to_papermill(self) -> dict:
        """The mapping papermill injects: the unit report's parameters when ``unit`` is set, else
        the city overview's; only the parameters that notebook takes, in the order of its injected
        cell. The register's three (``complaints_path``, ``complaint_standard_days``,
        ``holidays_path``) are passed only with a register, so a run without one injects exactly
        the other parameters. A custom scheme goes as JSON text (keys sorted)."""
        out: dict = {} if self.unit is None else {"unit": self.unit}
        out.update({
            "data_path": str(self.data_path),
            "checklist_path": str(self.checklist_path),
            "units_path": str(self.units_path),
            "lang": self.lang,
            "alpha": float(self.alpha),
            "min_n": int(self.min_n),
            "seed": int(self.seed),
            "scheme": self.scheme if isinstance(self.scheme, str) else
            json.dumps(self.scheme, sort_keys=True, ensure_ascii=False),
        })
        if self.complaints_path:
            out.update({"complaints_path": str(self.complaints_path),
                        "complaint_standard_days": int(self.complaint_standard_days),
                        "holidays_path": str(self.holidays_path)})
        if self.unit is None:
            out["city_weights"] = self.city_weights
        else:
            out["round"] = int(self.round)
        out["results_path"] = str(self.results_path)
        return out

    def validate(self, units: pd.DataFrame | None = None) -> "ReportParams":
        """Check the parameters; return them with the unit made canonical and numbers as int / float.

        ``units``: the units table (``codebook.load_units``) the unit is looked up in (name, slug
        or alias, any case); needed only when ``unit`` is set.

        Raises
        ------
        ClemInputError
            One line per problem: language other than ``id``/``en``, ``alpha`` outside
            (0, 0.5], ``min_n`` < 1, ``round`` < 0, negative ``seed``, unknown ``city_weights``,
            unknown unit (naming the close ones).
        """
        lang, alpha, min_n, rnd, seed = self.lang, self.alpha, self.min_n, self.round, self.seed
        if lang not in LANGS:
            raise ClemInputError(f"unknown language {lang!r}", column="lang", fix="use 'id' or 'en'")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not (0 < float(alpha) <= 0.5):
            raise ClemInputError(f"alpha {alpha!r} is not in (0, 0.5]", column="alpha", fix="use e.g. 0.05")
        if not _whole(min_n, 1):
            raise ClemInputError(f"min_n {min_n!r} is not a whole number >= 1", column="min_n", fix="use e.g. 5")
        if not _whole(rnd, 0):
            raise ClemInputError(f"round {rnd!r} is not a whole number >= 0", column="round",
                                 fix="use 0 for the latest round, or 1, 2, ...")
        if not _whole(seed, 0):
            raise ClemInputError(f"seed {seed!r} is not a whole number >= 0", column="seed",
                                 fix=f"use e.g. {ReportParams.seed}")
        check_city_weights(self.city_weights)
        unit = None if self.unit is None else resolve_unit(self.unit, units)
        return replace(self, unit=unit, alpha=float(alpha), min_n=int(min_n), round=int(rnd), seed=int(seed))

    @property
    def scheme_value(self):
        """The IKM scheme as :func:`clem_lib.scoring.get_scheme` takes it (see :func:`scheme_parameter`)."""
        return scheme_parameter(self.scheme)


def _whole(value, minimum: int) -> bool:
    """Whether ``value`` is a whole number (not a bool) of at least ``minimum``."""
    return not isinstance(value, bool) and isinstance(value, (int, np.integer)) and int(value) >= minimum


def check_city_weights(value) -> str:
    """``value`` when it is one of :data:`CITY_WEIGHTS`; else a ClemInputError naming them."""
    if value not in CITY_WEIGHTS:
        raise ClemInputError(f"unknown city_weights {value!r}",
                             fix="use city_weights='design' (the default) or 'none'")
    return value


def resolve_unit(unit: str, units: pd.DataFrame) -> str:
    """Canonical unit name for ``unit`` (name, slug or alias, any case).

    Raises
    ------
    ClemInputError
        When nothing matches: one line naming the closest units.
    """
    if not isinstance(unit, str) or not unit.strip():
        raise ClemInputError("parameter 'unit' is empty", fix="give a unit name such as 'Kec. Serengan'")
    want = normalize_label(unit)
    candidates: dict[str, str] = {}
    for rec in units.to_dict("records"):
        name = str(rec["name"])
        keys = [name, str(rec.get("slug", ""))]
        aliases = rec.get("aliases")
        if isinstance(aliases, (list, tuple, np.ndarray)):
            keys.extend(str(a) for a in aliases)
        elif isinstance(aliases, str) and aliases:
            keys.extend(a.strip() for a in aliases.split(";"))
        for k in keys:
            if k:
                candidates[normalize_label(k)] = name
    if want in candidates:
        return candidates[want]
    names = [str(n) for n in units["name"]]
    close = difflib.get_close_matches(want, list(candidates), n=6, cutoff=0.5)
    close_names = list(dict.fromkeys(candidates[c] for c in close))[:3]
    hint = ("did you mean " + " or ".join(repr(c) for c in close_names)) if close_names else \
        "known units: " + ", ".join(repr(n) for n in names)
    raise ClemInputError(f"unknown unit {unit!r}", column="unit", fix=hint)


def validate_report_params(*, unit: str | None = None, units: pd.DataFrame, lang: str = ReportParams.lang,
                           alpha: float = ReportParams.alpha, min_n: int = ReportParams.min_n,
                           round: int = ReportParams.round, seed: int = ReportParams.seed) -> dict:
    """Check a report's parameters; return them with the unit made canonical.

    The checks of :meth:`ReportParams.validate`, for callers that hold the values one by one.

    Raises
    ------
    ClemInputError
        One line per problem: unknown unit (naming the close ones), language
        other than ``id``/``en``, ``alpha`` outside (0, 0.5], ``min_n`` < 1,
        ``round`` < 0, negative ``seed``.
    """
    p = ReportParams(unit=unit, lang=lang, alpha=alpha, min_n=min_n, round=round, seed=seed).validate(units)
    out = {"lang": p.lang, "alpha": p.alpha, "min_n": p.min_n, "round": p.round, "seed": p.seed}
    if unit is not None:
        out["unit"] = p.unit
    return out


def scheme_parameter(scheme):
    """The IKM scheme as a notebook parameter gives it: a name, or a custom scheme as JSON text
    (``clem run`` passes the codebook's ``scheme:`` so that reports and index grade alike)."""
    if isinstance(scheme, str) and scheme.lstrip().startswith("{"):
        try:
            return json.loads(scheme)
        except ValueError as exc:
            raise ClemInputError(f"parameter 'scheme' is not valid JSON ({exc})",
                                 fix="give a scheme name such as permenpan14_2017, or the codebook's scheme as JSON")
    return scheme or DEFAULT_SCHEME
