"""Scoring: the satisfaction index (IKM) by the regulation and the indicators around it.

Schemes
    ``SCHEMES`` holds the index schemes clem knows: ``permenpan14_2017`` (nine
    unsur, the current rule) and ``kepmenpan25_2004`` (fourteen unsur, the old
    rule). ``get_scheme`` also builds a custom scheme from a codebook mapping.

Point estimate
    ``ikm_point`` applies the regulation's formula to one slice of the cleaned
    table: NRR per unsur = sum of answers / number of answers to that unsur,
    IKM = 25 x sum over unsur of NRR x weight.

Grades are read from the IKM rounded to two decimals, half up on the decimal
representation (never Python's banker's rounding of a binary float).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from ..rounding import round_half_up

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


# ---------------------------------------------------------------------------
# Schemes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """One grade band: IKM (rounded to 2 decimals) ``>= min_ikm`` earns ``grade``.

    Attributes
    ----------
    grade : str
        Letter, ``"A"`` .. ``"D"`` (*mutu pelayanan*).
    min_ikm : float
        Lowest converted IKM (25..100 scale) of the band, inclusive.
    label_id, label_en : str
        *Kinerja unit pelayanan* in Indonesian and English.
    """

    grade: str
    min_ikm: float
    label_id: str
    label_en: str


@dataclass(frozen=True)
class Scheme:
    """An IKM scheme: which unsur, how they are labelled and graded.

    Attributes
    ----------
    name : str
        ``"permenpan14_2017"``, ``"kepmenpan25_2004"`` or a custom name.
    unsur : tuple of str
        Unsur keys in the scheme's order; the cleaned table holds the answers
        in ``unsur_<key>`` (performance, X) and ``harapan_<key>`` (importance, Y).
    labels_id, labels_en : mapping key -> str
        Name of each unsur in Indonesian and English.
    bands : tuple of Band
        Grade bands, highest first.
    weight_conventions : mapping str -> float
        Named weight conventions besides ``"exact"`` (1/k): ``"rounded"`` is
        1/k rounded to three decimals as published reports do (0.111 for 9
        unsur, 0.071 for 14); ``"rounded2"`` to two decimals (0.11, 0.07).
    scale_min, scale_max : int
        Answer scale (1..4 under both regulations).
    reference : str
        The regulation the scheme follows.
    """

    name: str
    unsur: tuple[str, ...]
    labels_id: Mapping[str, str]
    labels_en: Mapping[str, str]
    bands: tuple[Band, ...]
    weight_conventions: Mapping[str, float]
    scale_min: int = 1
    scale_max: int = 4
    reference: str = ""

    @property
    def k(self) -> int:
        """Number of unsur."""
        return len(self.unsur)

    @property
    def columns(self) -> tuple[str, ...]:
        """Performance columns ``unsur_<key>`` of the cleaned table, in scheme order."""
        return tuple(f"unsur_{key}" for key in self.unsur)

    @property
    def importance_columns(self) -> tuple[str, ...]:
        """Importance columns ``harapan_<key>`` of the cleaned table, in scheme order."""
        return tuple(f"harapan_{key}" for key in self.unsur)

    def weight(self, weights: str | float = "exact") -> float:
        """The weight given to each unsur under a convention.

        Parameters
        ----------
        weights : {"exact", "rounded", "rounded2"} or float
            ``"exact"`` = 1/k; a named convention of ``weight_conventions``;
            or the weight itself as a number (e.g. ``0.111``).
        """
        if isinstance(weights, (int, float)) and not isinstance(weights, bool):
            w = float(weights)
            if not (0 < w <= 1):
                raise ValueError(
                    f"weight {weights!r} is outside (0, 1]; give a per-unsur weight such as 0.111 "
                    "or one of 'exact', " + ", ".join(repr(c) for c in self.weight_conventions)
                )
            return w
        if weights == "exact":
            return 1.0 / self.k
        if isinstance(weights, str) and weights in self.weight_conventions:
            return float(self.weight_conventions[weights])
        raise ValueError(
            f"unknown weight convention {weights!r} for scheme {self.name!r}; use 'exact', "
            + ", ".join(repr(c) for c in self.weight_conventions)
            + " or a number such as 0.111"
        )

    def label(self, key: str, lang: str = "id") -> str:
        """Name of unsur ``key`` in ``lang`` (``"id"`` or ``"en"``)."""
        table = {"id": self.labels_id, "en": self.labels_en}.get(lang)
        if table is None:
            raise ValueError(f"unknown language {lang!r}; use 'id' or 'en'")
        return table[key]


def _conventions(k: int) -> Mapping[str, float]:
    return MappingProxyType({"rounded": round(1.0 / k, 3), "rounded2": round(1.0 / k, 2)})


_BANDS_2017 = (
    Band("A", 88.31, "Sangat Baik", "Very good"),
    Band("B", 76.61, "Baik", "Good"),
    Band("C", 65.00, "Kurang Baik", "Poor"),
    Band("D", 25.00, "Tidak Baik", "Very poor"),
)

_BANDS_2004 = (
    Band("A", 81.26, "Sangat Baik", "Very good"),
    Band("B", 62.51, "Baik", "Good"),
    Band("C", 43.76, "Kurang Baik", "Poor"),
    Band("D", 25.00, "Tidak Baik", "Very poor"),
)

_UNSUR_2017 = (
    ("persyaratan", "Persyaratan", "Requirements"),
    ("prosedur", "Sistem, mekanisme, dan prosedur", "System, mechanism and procedure"),
    ("waktu", "Waktu penyelesaian", "Time to complete"),
    ("biaya", "Biaya/tarif", "Cost/tariff"),
    ("produk", "Produk spesifikasi jenis pelayanan", "Product specification"),
    ("kompetensi", "Kompetensi pelaksana", "Staff competence"),
    ("perilaku", "Perilaku pelaksana", "Staff conduct"),
    ("pengaduan", "Penanganan pengaduan, saran dan masukan",
     "Handling of complaints, suggestions and input"),
    ("sarana", "Sarana dan prasarana", "Facilities and infrastructure"),
)

_UNSUR_2004 = (
    ("prosedur", "Prosedur pelayanan", "Service procedure"),
    ("persyaratan", "Persyaratan pelayanan", "Service requirements"),
    ("kejelasan_petugas", "Kejelasan petugas pelayanan", "Clarity of service staff"),
    ("kedisiplinan_petugas", "Kedisiplinan petugas pelayanan", "Discipline of service staff"),
    ("tanggung_jawab_petugas", "Tanggung jawab petugas pelayanan",
     "Responsibility of service staff"),
    ("kemampuan_petugas", "Kemampuan petugas pelayanan", "Ability of service staff"),
    ("kecepatan_pelayanan", "Kecepatan pelayanan", "Speed of service"),
    ("keadilan", "Keadilan mendapatkan pelayanan", "Fairness in obtaining service"),
    ("kesopanan_keramahan", "Kesopanan dan keramahan petugas", "Courtesy and friendliness of staff"),
    ("kewajaran_biaya", "Kewajaran biaya pelayanan", "Reasonableness of cost"),
    ("kepastian_biaya", "Kepastian biaya pelayanan", "Certainty of cost"),
    ("kepastian_jadwal", "Kepastian jadwal pelayanan", "Certainty of schedule"),
    ("kenyamanan_lingkungan", "Kenyamanan lingkungan", "Comfort of the environment"),
    ("keamanan_pelayanan", "Keamanan pelayanan", "Security of service"),
)


def _make(name, unsur, bands, reference) -> Scheme:
    return Scheme(
        name=name,
        unsur=tuple(u[0] for u in unsur),
        labels_id=MappingProxyType({u[0]: u[1] for u in unsur}),
        labels_en=MappingProxyType({u[0]: u[2] for u in unsur}),
        bands=bands,
        weight_conventions=_conventions(len(unsur)),
        reference=reference,
    )


SCHEMES: Mapping[str, Scheme] = MappingProxyType(
    {
        "permenpan14_2017": _make(
            "permenpan14_2017",
            _UNSUR_2017,
            _BANDS_2017,
            "Peraturan Menteri PANRB Nomor 14 Tahun 2017 tentang Pedoman Penyusunan "
            "Survei Kepuasan Masyarakat Unit Penyelenggara Pelayanan Publik",
        ),
        "kepmenpan25_2004": _make(
            "kepmenpan25_2004",
            _UNSUR_2004,
            _BANDS_2004,
            "Keputusan MENPAN Nomor KEP/25/M.PAN/2/2004 tentang Pedoman Umum Penyusunan "
            "Indeks Kepuasan Masyarakat Unit Pelayanan Instansi Pemerintah",
        ),
    }
)
"""Known IKM schemes by name (read-only)."""


def _custom_scheme(spec: Mapping) -> Scheme:
    """Build a scheme from a codebook mapping (see :func:`get_scheme`)."""
    if "unsur" not in spec:
        raise ValueError(
            "a custom IKM scheme needs an 'unsur' list; give e.g. "
            "{'name': 'my_scheme', 'unsur': ['waktu', 'biaya'], 'bands': [...]} or base it on "
            "a known scheme with {'base': 'permenpan14_2017', 'unsur': [...]}"
        )
    base = spec.get("base")
    base_scheme = get_scheme(base) if base is not None else SCHEMES["permenpan14_2017"]
    keys, lab_id, lab_en = [], {}, {}
    for item in spec["unsur"]:
        if isinstance(item, str):
            key = item
            lab_id[key] = base_scheme.labels_id.get(key, key)
            lab_en[key] = base_scheme.labels_en.get(key, key)
        elif isinstance(item, Mapping) and "key" in item:
            key = str(item["key"])
            lab_id[key] = str(item.get("id", item.get("label_id", base_scheme.labels_id.get(key, key))))
            lab_en[key] = str(item.get("en", item.get("label_en", base_scheme.labels_en.get(key, key))))
        else:
            raise ValueError(
                f"unsur entry {item!r} is neither a key nor a mapping with 'key'; give "
                "'waktu' or {'key': 'waktu', 'id': 'Waktu', 'en': 'Time'}"
            )
        if not key.isidentifier() or key in keys:
            raise ValueError(f"unsur key {key!r} is not a unique identifier; use e.g. 'waktu'")
        keys.append(key)
    if not keys:
        raise ValueError("a custom IKM scheme needs at least one unsur")
    if "bands" in spec:
        bands = []
        for b in spec["bands"]:
            try:
                bands.append(
                    Band(
                        str(b["grade"]),
                        float(b["min"] if "min" in b else b["min_ikm"]),
                        str(b.get("id", b.get("label_id", ""))),
                        str(b.get("en", b.get("label_en", ""))),
                    )
                )
            except (KeyError, TypeError) as exc:
                raise ValueError(
                    f"grade band {b!r} needs 'grade' and 'min' (and 'id'/'en' labels), "
                    "e.g. {'grade': 'A', 'min': 88.31, 'id': 'Sangat Baik', 'en': 'Very good'}"
                ) from exc
        bands_t = tuple(sorted(bands, key=lambda b: -b.min_ikm))
    else:
        bands_t = base_scheme.bands
    conv = dict(_conventions(len(keys)))
    for cname, cval in dict(spec.get("weights", {}) or {}).items():
        conv[str(cname)] = float(cval)
    return Scheme(
        name=str(spec.get("name", "custom")),
        unsur=tuple(keys),
        labels_id=MappingProxyType(lab_id),
        labels_en=MappingProxyType(lab_en),
        bands=bands_t,
        weight_conventions=MappingProxyType(conv),
        scale_min=int(spec.get("scale_min", 1)),
        scale_max=int(spec.get("scale_max", 4)),
        reference=str(spec.get("reference", base_scheme.reference)),
    )


def get_scheme(name_or_mapping: str | Mapping | Scheme = "permenpan14_2017") -> Scheme:
    """Return an IKM scheme by name, or build a custom one from a codebook mapping.

    Parameters
    ----------
    name_or_mapping : str, mapping or Scheme
        A key of ``SCHEMES`` (``"permenpan14_2017"``, ``"kepmenpan25_2004"``), a
        ``Scheme`` (returned unchanged), or a mapping describing a custom scheme::

            name: pelayanan_puskesmas        # optional
            base: permenpan14_2017           # optional: labels and bands default to it
            unsur: [persyaratan, waktu, {key: antrean, id: Antrean, en: Queue}]
            bands:                           # optional, default: the base scheme's
              - {grade: A, min: 88.31, id: Sangat Baik, en: Very good}
              - ...
            weights: {published: 0.111}      # optional extra named weight conventions

    Returns
    -------
    Scheme
        Frozen; unsur keys in order, labels (id/en), grade bands, weight conventions.

    References
    ----------
    Permenpan RB No. 14/2017 (nine unsur, bands 25.00 / 65.00 / 76.61 / 88.31);
    Kepmenpan No. KEP/25/M.PAN/2/2004 (fourteen unsur, bands 25 / 43.76 / 62.51 / 81.26).
    """
    if isinstance(name_or_mapping, Scheme):
        return name_or_mapping
    if isinstance(name_or_mapping, str):
        try:
            return SCHEMES[name_or_mapping]
        except KeyError:
            raise ValueError(
                f"unknown IKM scheme {name_or_mapping!r}; use one of "
                + ", ".join(repr(s) for s in SCHEMES)
                + " or describe a custom scheme as a mapping with an 'unsur' list"
            ) from None
    if isinstance(name_or_mapping, Mapping):
        return _custom_scheme(name_or_mapping)
    raise ValueError(
        f"scheme must be a name, a mapping or a Scheme, not {type(name_or_mapping).__name__}"
    )


# ---------------------------------------------------------------------------
# Rounding and grades
# ---------------------------------------------------------------------------


def ikm_grade(value: float, scheme: str | Mapping | Scheme = "permenpan14_2017",
              *, lang: str | None = None):
    """Grade (*mutu pelayanan*) of an IKM value.

    Parameters
    ----------
    value : float
        IKM on the converted 25..100 scale.
    scheme : str, mapping or Scheme
        See :func:`get_scheme`.
    lang : {None, "id", "en"}
        ``None`` returns the :class:`Band` (letter and both labels); ``"id"`` or
        ``"en"`` return ``"B (Baik)"`` / ``"B (Good)"``.

    Returns
    -------
    Band or str or None
        ``None`` when ``value`` is missing.

    Notes
    -----
    The value is first rounded to two decimals half up (:func:`round_half_up`),
    then compared with the band minima: under 14/2017 65.00 -> C, 76.60 -> C,
    76.605 -> 76.61 -> B, 88.30 -> B, 88.31 -> A, 64.99 -> D. Values below the
    lowest band (under 25, impossible on a 1..4 scale) get the lowest grade.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran, table "Nilai Persepsi, Interval IKM,
    Interval Konversi IKM, Mutu Pelayanan dan Kinerja Unit Pelayanan".
    """
    s = get_scheme(scheme)
    if value is None or pd.isna(value):
        return None
    r = round_half_up(float(value), 2)
    band = s.bands[-1]
    for b in s.bands:  # highest first
        if r >= b.min_ikm - 1e-9:
            band = b
            break
    if lang is None:
        return band
    if lang == "id":
        return f"{band.grade} ({band.label_id})"
    if lang == "en":
        return f"{band.grade} ({band.label_en})"
    raise ValueError(f"unknown language {lang!r}; use None, 'id' or 'en'")


# ---------------------------------------------------------------------------
# Point estimate
# ---------------------------------------------------------------------------


def _check_columns(df: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{what}: the table has no column(s) {', '.join(missing)}; "
            "clean the survey with clem_lib.clean_survey or map them in the codebook"
        )


def _answers(df: pd.DataFrame, columns) -> np.ndarray:
    """Answers as a float matrix (respondents x columns), NaN for missing."""
    x = np.empty((len(df), len(columns)))
    if not len(df):
        return x
    for j, c in enumerate(columns):
        x[:, j] = _num(df[c])  # straight into the matrix, no column_stack copy
    return x


def _scores(df: pd.DataFrame, s: Scheme, columns=None) -> np.ndarray:
    """Answers of the scheme's columns, checked against the scheme's scale."""
    from ..errors import ClemInputError

    columns = list(s.columns if columns is None else columns)
    x = _answers(df, columns)
    bad = ~np.isnan(x) & ((x < s.scale_min) | (x > s.scale_max) | (x != np.floor(x)))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        who = (f"respondent {df['respondent_id'].iloc[i]}" if "respondent_id" in df.columns
               else f"table row {int(i) + 1}")
        raise ClemInputError(
            f"answer {x[i, j]:g} of {who} is outside the scale {s.scale_min}..{s.scale_max} "
            f"({int(bad.sum())} such answers)", column=columns[j],
            fix="clean the survey with clem_lib.clean_survey (out-of-scale codes become missing) "
                "or declare the scale in the scheme")
    return x


def ikm_point(df: pd.DataFrame, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
              weights: str | float = "exact") -> float:
    """IKM of one slice of the cleaned table, by the regulation's formula.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (one row per respondent) with ``unsur_<key>`` columns 1..4.
    scheme : str, mapping or Scheme
        See :func:`get_scheme`.
    weights : {"exact", "rounded", "rounded2"} or float
        Weight of each unsur: 1/k, 1/k rounded to 3 decimals (0.111 / 0.071),
        to 2 decimals (0.11), or the number given.

    Returns
    -------
    float
        IKM on the 25..100 scale, unrounded; NaN when some unsur has no answer.

    Notes
    -----
    ``NRR_u = sum of answers to u / number of answers to u`` (missing answers
    are left out of both), ``IKM = 25 * sum_u NRR_u * w``.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran, Bab IV (Pengolahan Data).
    """
    s = get_scheme(scheme)
    w = s.weight(weights)
    _check_columns(df, s.columns, "ikm_point")
    x = _scores(df, s)
    with np.errstate(invalid="ignore"):
        counts = np.sum(~np.isnan(x), axis=0)
        if x.shape[0] == 0 or np.any(counts == 0):
            return float("nan")
        nrr_u = np.nansum(x, axis=0) / counts
    return float(25.0 * np.sum(nrr_u * w))


# ---------------------------------------------------------------------------
# Helpers shared by the grouped functions
# ---------------------------------------------------------------------------


def _by_list(by) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _groups(df: pd.DataFrame, by: list[str]):
    """Yield (key dict, sub-frame) for each group, sorted; one whole-table group when by is empty."""
    if not by:
        yield {}, df
        return
    _check_columns(df, by, "grouping")
    for key, sub in df.groupby(by, sort=True, dropna=False, observed=True):
        if not isinstance(key, tuple):
            key = (key,)
        yield dict(zip(by, key)), sub


def _group_codes(df: pd.DataFrame, by: list[str]) -> tuple[list[dict], np.ndarray]:
    """Group keys (sorted, as :func:`_groups` yields them) and each row's group number."""
    if not by:
        return [{}], np.zeros(len(df), dtype=np.intp)
    _check_columns(df, by, "grouping")
    gb = df.groupby(by, sort=True, dropna=False, observed=True)
    codes = gb.ngroup().to_numpy(dtype=np.intp)
    keys = [dict(zip(by, k if isinstance(k, tuple) else (k,))) for k in gb.size().index]
    return keys, codes


def _group_matrix_sums(x: np.ndarray, codes: np.ndarray, ngroups: int):
    """Per-group answer counts and sums (groups x unsur) of a respondents x unsur matrix."""
    r = ~np.isnan(x)
    y0 = np.where(r, x, 0.0)
    k = x.shape[1]
    counts = np.empty((ngroups, k))
    totals = np.empty((ngroups, k))
    for j in range(k):
        counts[:, j] = np.bincount(codes, weights=r[:, j], minlength=ngroups)
        totals[:, j] = np.bincount(codes, weights=y0[:, j], minlength=ngroups)
    return r, y0, counts, totals


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=columns)
    return out.reset_index(drop=True)


def _wilson(count: int, nobs: int, level: float) -> tuple[float, float]:
    """Wilson score interval for count / nobs, as percentages (statsmodels)."""
    from statsmodels.stats.proportion import proportion_confint

    if nobs <= 0:
        return float("nan"), float("nan")
    lo, hi = proportion_confint(count, nobs, alpha=1 - level, method="wilson")
    return 100.0 * float(lo), 100.0 * float(hi)


def _bool(series: pd.Series) -> pd.Series:
    """A boolean column as nullable boolean (accepts bool, 0/1 and nullable)."""
    s = series
    if s.dtype == "boolean":
        return s
    try:
        return s.astype("boolean")
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"column '{series.name}' should be boolean (True/False/<NA>); clean the survey "
            "with clem_lib.clean_survey so that flags are booleans"
        ) from exc


def _num(series: pd.Series) -> np.ndarray:
    """A column as float64, NaN for missing or not a number (booleans become 0/1)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        # the cleaned table's Int64 and Float64 columns: one conversion
        return series.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(series, errors="coerce").astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _check_level(level: float) -> None:
    if not (0 < level < 1):
        raise ValueError(f"level {level!r} must be between 0 and 1, e.g. 0.95")


# ---------------------------------------------------------------------------
# NRR and IKM
# ---------------------------------------------------------------------------


def nrr(df: pd.DataFrame, by=None, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
        weights: str | float = "exact", level: float = 0.95) -> pd.DataFrame:
    """Average score (*nilai rata-rata*, NRR) of every unsur, optionally by group.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` columns (answers 1..4, ``<NA>`` missing).
    by : str or list of str, optional
        Grouping columns (``unit``, ``sector``, ``service``, ``round``, a subgroup flag...).
    scheme : str, mapping or Scheme
        See :func:`get_scheme`.
    weights : {"exact", "rounded", "rounded2"} or float
        Weight convention used for ``nrr_weighted`` (see :meth:`Scheme.weight`).
    level : float
        Confidence level of the interval for the mean.

    Returns
    -------
    DataFrame
        One row per group x unsur (scheme order within each group), columns:
        the ``by`` columns, then ``unsur`` (key), ``label_id``, ``label_en``,
        ``n`` (answers), ``total`` (sum of answers), ``nrr`` (total / n),
        ``ci_low``, ``ci_high`` (t interval of the mean, n - 1 df),
        ``nrr_weighted`` (nrr x weight, *NRR tertimbang*), ``nrr_converted``
        (nrr x 25, the unsur on the 25..100 scale), ``weight``.

    Notes
    -----
    ``NRR_u = sum_i y_iu / n_u`` over the respondents who answered unsur u;
    the interval is ``NRR_u +/- t_{n_u-1} s_u / sqrt(n_u)``.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran, Bab IV.
    """
    from scipy import stats as sps

    _check_level(level)
    s = get_scheme(scheme)
    w = s.weight(weights)
    by_cols = _by_list(by)
    _check_columns(df, s.columns, "nrr")
    cols = by_cols + ["unsur", "label_id", "label_en", "n", "total", "nrr", "ci_low", "ci_high",
                      "nrr_weighted", "nrr_converted", "weight"]
    fast = _nrr_fast(df, by_cols, s, w, level)
    if fast is not None:
        return _frame(fast, cols)
    rows = []
    for key, sub in _groups(df, by_cols):
        x = _scores(sub, s)
        for j, u in enumerate(s.unsur):
            col = x[:, j]
            col = col[~np.isnan(col)]
            n = int(col.size)
            total = float(col.sum()) if n else float("nan")
            mean = total / n if n else float("nan")
            if n >= 2:
                se = float(np.std(col, ddof=1)) / math.sqrt(n)
                tq = float(sps.t.ppf(0.5 + level / 2, n - 1))
                lo, hi = mean - tq * se, mean + tq * se
            else:
                lo = hi = float("nan")
            rows.append({**key, "unsur": u, "label_id": s.labels_id[u], "label_en": s.labels_en[u],
                         "n": n, "total": total, "nrr": mean, "ci_low": lo, "ci_high": hi,
                         "nrr_weighted": mean * w, "nrr_converted": mean * 25.0, "weight": w})
    return _frame(rows, cols)


def _fast_group_sums(df: pd.DataFrame, by_cols: list[str], s: "Scheme"):
    """Shared start of the fast paths: the answer matrix of the whole table, the group
    numbers and the per-group sums. None when some answer is off the scale (the per-group
    path then raises its error); an empty list when there is no group."""
    from ..errors import ClemInputError

    try:
        x = _scores(df, s)
    except ClemInputError:
        return None
    keys, codes = _group_codes(df, by_cols)
    g = len(keys)
    if g == 0:
        return []
    return (x, keys, codes, g, *_group_matrix_sums(x, codes, g))


def _nrr_fast(df: pd.DataFrame, by_cols: list[str], s: Scheme, w: float,
              level: float) -> list[dict] | None:
    """Rows of :func:`nrr` from one answer matrix of the whole table and per-group sums.

    Same formulas as the per-group loop (two-pass standard deviation around
    each group's mean); returns None when some answer is off the scale, so that
    the per-group path raises its error.
    """
    from scipy import stats as sps

    sums = _fast_group_sums(df, by_cols, s)
    if sums is None or sums == []:
        return sums
    x, keys, codes, g, r, _, counts, totals = sums
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(counts > 0, totals / counts, np.nan)
        dev = np.where(r, x - mean[codes], 0.0)
        ss = np.column_stack([np.bincount(codes, weights=dev[:, j] ** 2, minlength=g)
                              for j in range(x.shape[1])])
        ok = counts >= 2
        se = np.where(ok, np.sqrt(ss / np.where(ok, counts - 1, 1)) / np.sqrt(counts), np.nan)
        tq = np.where(ok, sps.t.ppf(0.5 + level / 2, np.where(ok, counts - 1, 1)), np.nan)
        lo, hi = mean - tq * se, mean + tq * se
    rows = []
    for i, key in enumerate(keys):
        for j, u in enumerate(s.unsur):
            n = int(counts[i, j])
            m = float(mean[i, j])
            rows.append({**key, "unsur": u, "label_id": s.labels_id[u], "label_en": s.labels_en[u],
                         "n": n, "total": float(totals[i, j]) if n else float("nan"), "nrr": m,
                         "ci_low": float(lo[i, j]), "ci_high": float(hi[i, j]),
                         "nrr_weighted": m * w, "nrr_converted": m * 25.0, "weight": w})
    return rows


def _ikm_parts(x: np.ndarray):
    """Zero-filled answers and answered-indicators of a respondents x unsur matrix."""
    r = ~np.isnan(x)
    y0 = np.where(r, x, 0.0)
    return y0, r.astype(float)


def _delta_interval(x: np.ndarray, w: float, level: float) -> tuple[float, float, float]:
    """Linearisation (delta-method) interval of IKM = 25 w sum_u ybar_u.

    Influence of respondent i: z_i = 25 w sum_u r_iu (y_iu - ybar_u) / n_u.
    Var = n/(n-1) sum_i z_i^2 (with complete answers: s^2/n of the respondent
    scores 25 w sum_u y_iu). Interval: estimate +/- t_{n-1} SE.
    """
    from scipy import stats as sps

    y0, r = _ikm_parts(x)
    n_u = r.sum(axis=0)
    n = x.shape[0]
    if n < 2 or np.any(n_u == 0):
        return float("nan"), float("nan"), float("nan")
    ybar = y0.sum(axis=0) / n_u
    z = 25.0 * w * ((y0 - ybar * r) / n_u).sum(axis=1)
    var = n / (n - 1) * float(np.sum(z ** 2))
    se = math.sqrt(var)
    est = float(25.0 * w * ybar.sum())
    tq = float(sps.t.ppf(0.5 + level / 2, n - 1))
    return est - tq * se, est + tq * se, se


def _group_seed(seed: int, key: dict) -> np.random.SeedSequence:
    """Seed for one group from the user seed and the group's key (order-independent)."""
    import zlib

    text = "|".join(f"{k}={key[k]}" for k in sorted(key))
    return np.random.SeedSequence([int(seed), zlib.crc32(text.encode("utf-8"))])


def _bootstrap_interval(x: np.ndarray, w: float, level: float, n_boot: int, rng,
                        method: str) -> tuple[float, float]:
    """Bootstrap over respondents (scipy.stats.bootstrap) of the IKM with item non-response."""
    from scipy import stats as sps

    n = x.shape[0]
    y0, r = _ikm_parts(x)
    if n < 2 or np.any(r.sum(axis=0) == 0):
        return float("nan"), float("nan")

    def stat(idx, axis=-1):
        idx = np.asarray(idx, dtype=np.intp)
        sums = y0[idx].sum(axis=-2)
        counts = r[idx].sum(axis=-2)
        with np.errstate(invalid="ignore", divide="ignore"):
            return 25.0 * w * (sums / counts).sum(axis=-1)

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate samples (all answers equal) give NaN bounds
        res = sps.bootstrap((np.arange(n),), stat, n_resamples=n_boot, batch=min(n_boot, 250),
                            vectorized=True, confidence_level=level, method=method, rng=rng)
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if np.isnan(lo) or np.isnan(hi):
        # every resample equal (e.g. all respondents answered 4 everywhere): the interval is the point
        est = float(stat(np.arange(n)))
        if np.allclose(res.bootstrap_distribution, est):
            return est, est
    return lo, hi


def ikm(df: pd.DataFrame, by=None, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
        weights: str | float = "exact", ci: str | None = "delta", n_boot: int = 2000,
        seed: int = 2017, level: float = 0.95, boot_method: str = "BCa") -> pd.DataFrame:
    """The satisfaction index (IKM) with its grade and a 95% interval, optionally by group.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` columns (answers 1..4, ``<NA>`` missing).
    by : str or list of str, optional
        Grouping columns, e.g. ``"unit"``, ``["unit", "round"]``, ``"special_group"``.
    scheme : str, mapping or Scheme
        See :func:`get_scheme`.
    weights : {"exact", "rounded", "rounded2"} or float
        Per-unsur weight: 1/k, 0.111 (0.071 for 14 unsur), 0.11, or a number.
    ci : {"delta", "bootstrap", None}
        Interval: delta method (default), bootstrap over respondents, or none.
    n_boot : int
        Bootstrap resamples (``ci="bootstrap"``).
    seed : int
        Seed of the bootstrap. Each group gets its own stream derived from
        ``seed`` and the group's key, so a unit's interval is the same whether
        it is computed alone or together with other units.
    level : float
        Confidence level.
    boot_method : {"BCa", "percentile", "basic"}
        Bootstrap interval type (passed to ``scipy.stats.bootstrap``).

    Returns
    -------
    DataFrame
        One row per group, columns: the ``by`` columns, ``ikm`` (25..100,
        unrounded), ``ci_low``, ``ci_high``, ``n`` (respondents with at least
        one unsur answer), ``grade`` (A..D, from the IKM rounded to two
        decimals half up), ``label_id``, ``label_en``, ``scheme``, ``weight``,
        ``method`` (e.g. ``"permenpan14_2017 exact weights; delta-method
        (linearisation) t interval"``).

    Notes
    -----
    ``IKM = 25 * sum_u NRR_u * w`` (:func:`ikm_point`).

    Interval. The default is the delta method (linearisation) with a t
    quantile: the influence of respondent i is
    ``z_i = 25 w sum_u r_iu (y_iu - NRR_u) / n_u`` (``r_iu`` = 1 when i answered
    u), ``SE^2 = n/(n-1) sum_i z_i^2`` and the interval is
    ``IKM +/- t_{n-1} SE``, cut to the scale (25..100). It treats the IKM
    with item non-response as what it is, a sum of ratios whose answers are
    correlated within a respondent; with no skipped answers it is exactly
    the textbook ``s/sqrt(n)`` of the respondents' scores, and it equals R's
    ``survey::svyratio`` + ``svycontrast`` standard error (pinned in the
    tests). It is the default because in the simulation of docs/scoring.md
    it holds its 95% coverage at n = 30 (0.952; 0.932 near the ceiling) where
    the bootstrap falls short (0.917 BCa and percentile; 0.922 near the
    ceiling), is as good at n = 100 (0.95 both), and is deterministic and
    fast for batch runs. ``ci="bootstrap"`` resamples whole respondents
    (``scipy.stats.bootstrap``, BCa by default, seeded per group) for users
    who prefer an interval free of the normal approximation.

    Sampling weights (``weight`` column) are not used: the regulation's index
    of a unit is the unweighted formula. The design-based IKM of a city or a
    domain is :func:`clem_lib.weights.design_ikm`.

    References
    ----------
    Permenpan RB No. 14/2017, Lampiran; Efron, B. (1987). Better bootstrap
    confidence intervals. JASA 82(397), 171-185; Wolter, K. (2007).
    Introduction to Variance Estimation, ch. 6 (Taylor series methods).
    """
    _check_level(level)
    if ci not in ("bootstrap", "delta", None):
        raise ValueError(f"ci={ci!r}; use 'bootstrap', 'delta' or None")
    if ci == "bootstrap":
        if int(n_boot) < 100:
            raise ValueError(f"n_boot={n_boot} is too small for an interval; use 1000 or more")
        if boot_method not in ("BCa", "percentile", "basic"):
            raise ValueError(f"boot_method={boot_method!r}; use 'BCa', 'percentile' or 'basic'")
    s = get_scheme(scheme)
    w = s.weight(weights)
    by_cols = _by_list(by)
    _check_columns(df, s.columns, "ikm")
    wname = weights if isinstance(weights, str) else f"weight {w:g}"
    if ci == "bootstrap":
        how = f"{boot_method} bootstrap over respondents, {int(n_boot)} resamples, seed {seed}"
    elif ci == "delta":
        how = "delta-method (linearisation) t interval"
    else:
        how = "no interval"
    method = f"{s.name} {wname} weights; {how}"
    cols = by_cols + ["ikm", "ci_low", "ci_high", "n", "grade", "label_id", "label_en", "scheme",
                      "weight", "method"]
    if ci != "bootstrap":
        fast = _ikm_fast(df, by_cols, s, w, ci, level, method)
        if fast is not None:
            return _frame(fast, cols)
    rows = []
    for key, sub in _groups(df, by_cols):
        x = _scores(sub, s)
        x = x[~np.all(np.isnan(x), axis=1)] if x.size else x
        est = ikm_point(sub, scheme=s, weights=w)
        lo = hi = float("nan")
        if ci == "delta":
            lo, hi, _ = _delta_interval(x, w, level)
            lo, hi = max(lo, 25.0 * s.scale_min * s.k * w), min(hi, 25.0 * s.scale_max * s.k * w)
        elif ci == "bootstrap":
            rng = np.random.default_rng(_group_seed(seed, key))
            lo, hi = _bootstrap_interval(x, w, level, int(n_boot), rng, boot_method)
        band = ikm_grade(est, s)
        rows.append({**key, "ikm": est, "ci_low": lo, "ci_high": hi, "n": int(x.shape[0]),
                     "grade": band.grade if band else None,
                     "label_id": band.label_id if band else None,
                     "label_en": band.label_en if band else None,
                     "scheme": s.name, "weight": w, "method": method})
    return _frame(rows, cols)


def _ikm_fast(df: pd.DataFrame, by_cols: list[str], s: Scheme, w: float, ci: str | None,
              level: float, method: str) -> list[dict] | None:
    """Rows of :func:`ikm` (delta interval or none) from one answer matrix of the whole table.

    The answers are converted once; each group's NRR, IKM and delta-method SE
    come from per-group sums (``np.bincount`` over the group numbers), with the
    same formulas as :func:`ikm_point` and :func:`_delta_interval`. Returns
    None when some answer is off the scale, so that the per-group path raises
    its error naming the first offending group's respondent.
    """
    from scipy import stats as sps

    sums = _fast_group_sums(df, by_cols, s)
    if sums is None or sums == []:
        return sums
    x, keys, codes, g, r, y0, counts, totals = sums
    rows_in_group = np.bincount(codes, minlength=g)
    n = np.bincount(codes, weights=r.any(axis=1), minlength=g).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        nrr_u = totals / counts
        complete = np.all(counts > 0, axis=1) & (rows_in_group > 0)
        est = np.where(complete, 25.0 * np.sum(nrr_u * w, axis=1), np.nan)
        lo = np.full(g, np.nan)
        hi = np.full(g, np.nan)
        if ci == "delta":
            ok = complete & (n >= 2)
            z = 25.0 * w * ((y0 - nrr_u[codes] * r) / counts[codes]).sum(axis=1)
            ssz = np.bincount(codes, weights=np.where(ok[codes], z, 0.0) ** 2, minlength=g)
            idx = np.flatnonzero(ok)
            nn = n[idx].astype(float)
            se = np.sqrt(nn / (nn - 1) * ssz[idx])
            est_d = 25.0 * w * nrr_u[idx].sum(axis=1)
            tq = sps.t.ppf(0.5 + level / 2, nn - 1)
            lo[idx] = np.maximum(est_d - tq * se, 25.0 * s.scale_min * s.k * w)
            hi[idx] = np.minimum(est_d + tq * se, 25.0 * s.scale_max * s.k * w)
    rows = []
    for i, key in enumerate(keys):
        band = ikm_grade(float(est[i]), s)
        rows.append({**key, "ikm": float(est[i]), "ci_low": float(lo[i]), "ci_high": float(hi[i]),
                     "n": int(n[i]),
                     "grade": band.grade if band else None,
                     "label_id": band.label_id if band else None,
                     "label_en": band.label_en if band else None,
                     "scheme": s.name, "weight": w, "method": method})
    return rows


# ---------------------------------------------------------------------------
# Sample size
# ---------------------------------------------------------------------------


def krejcie_morgan(N, *, chi2: float = 3.841, p: float = 0.5, d: float = 0.05):
    """Minimum sample size for a population of N (Krejcie & Morgan, 1970).

    Parameters
    ----------
    N : int or array-like of int
        Population size (e.g. users of the unit in the survey period).
    chi2 : float
        Chi-square for 1 df at the confidence level (3.841 for 95%).
    p : float
        Population proportion assumed (0.5 gives the largest sample).
    d : float
        Degree of accuracy (margin) as a proportion.

    Returns
    -------
    int or ndarray of int
        ``s = chi2 N p (1-p) / (d^2 (N-1) + chi2 p (1-p))`` rounded half up to
        the nearest integer: 10 -> 10, 100 -> 80, 1200 -> 291, 2800 -> 338,
        1,000,000 -> 384. All 90 entries of the published table are reproduced.

    References
    ----------
    Krejcie, R. V., & Morgan, D. W. (1970). Determining sample size for research
    activities. Educational and Psychological Measurement, 30, 607-610.
    Permenpan RB No. 14/2017, Lampiran (sample size by Krejcie and Morgan).
    """
    arr = np.asarray(N, dtype=float)
    if np.any(np.isnan(arr)) or np.any(arr < 1) or np.any(arr != np.floor(arr)):
        raise ValueError(f"population size must be a whole number >= 1, got {N!r}")
    s = chi2 * arr * p * (1 - p) / (d ** 2 * (arr - 1) + chi2 * p * (1 - p))
    out = np.floor(s + 0.5 + 1e-9).astype(int)
    out = np.minimum(out, arr.astype(int))
    return int(out) if out.ndim == 0 else out


def sample_size_check(df: pd.DataFrame, units, *, unit: str = "unit", by=None,
                      months: float = 1.0) -> pd.DataFrame:
    """Compare each unit's number of respondents with its Krejcie-Morgan minimum.

    Parameters
    ----------
    df : DataFrame
        Cleaned table, one row per respondent.
    units : DataFrame or mapping
        ``load_units()`` (columns ``name`` and ``users_per_month``), or a mapping
        ``{unit name: users per month}``.
    unit : str
        Column of ``df`` naming the unit.
    by : str or list of str, optional
        Further grouping inside each unit (e.g. ``"round"``: the check is per round).
    months : float
        Length of the survey period in months; the population is
        ``users_per_month x months`` (rounded to a whole number).

    Returns
    -------
    DataFrame
        One row per unit (x ``by`` group), sorted: ``unit``, the ``by`` columns,
        ``users_per_month``, ``population``, ``n`` (respondents), ``n_min``
        (Krejcie-Morgan), ``shortfall`` (``max(n_min - n, 0)``),
        ``below_minimum`` (boolean; ``<NA>`` when the unit's population is
        unknown). Units listed in ``units`` but absent from ``df`` appear with
        ``n = 0`` and are flagged.
    """
    if isinstance(units, pd.DataFrame):
        _check_columns(units, ["name", "users_per_month"], "sample_size_check(units)")
        upm = {str(nm): v for nm, v in zip(units["name"], units["users_per_month"])}
    elif isinstance(units, Mapping):
        upm = {str(k): v for k, v in units.items()}
    else:
        raise ValueError("units must be the load_units() table or a mapping {unit: users_per_month}")
    if months <= 0:
        raise ValueError(f"months={months!r} must be positive")
    by_cols = _by_list(by)
    _check_columns(df, [unit] + by_cols, "sample_size_check")
    counts = df.groupby([unit] + by_cols, sort=True, dropna=False, observed=True).size()
    rows = {}
    for key, n in counts.items():
        key = key if isinstance(key, tuple) else (key,)
        rows[key] = int(n)
    present_units = {k[0] for k in rows}
    for name in upm:
        if name not in present_units:
            rows[(name,) + tuple([pd.NA] * len(by_cols))] = 0
    out = []
    for key, n in rows.items():
        name = key[0]
        u = upm.get(str(name))
        if u is None or pd.isna(u):
            pop = n_min = shortfall = pd.NA
            below = pd.NA
            u = pd.NA
        else:
            pop = int(round_half_up(float(u) * months, 0))
            n_min = krejcie_morgan(max(pop, 1))
            shortfall = max(n_min - n, 0)
            below = bool(n < n_min)
        out.append({"unit": name, **dict(zip(by_cols, key[1:])), "users_per_month": u,
                    "population": pop, "n": n, "n_min": n_min, "shortfall": shortfall,
                    "below_minimum": below})
    cols = ["unit"] + by_cols + ["users_per_month", "population", "n", "n_min", "shortfall",
                                 "below_minimum"]
    res = pd.DataFrame(out, columns=cols)
    for c in ("population", "n_min", "shortfall"):
        res[c] = res[c].astype("Int64")
    res["users_per_month"] = pd.to_numeric(res["users_per_month"], errors="coerce").astype("Float64")
    res["n"] = res["n"].astype("int64")
    res["below_minimum"] = res["below_minimum"].astype("boolean")
    return res.sort_values(["unit"] + by_cols, kind="stable", na_position="last").reset_index(drop=True)


# ---------------------------------------------------------------------------
# Citizen Report Card indicators
# ---------------------------------------------------------------------------


def _median_ci(values: np.ndarray, level: float) -> tuple[float, float, float]:
    """Median and its distribution-free interval (binomial order statistics, scipy)."""
    from scipy import stats as sps

    v = values[~np.isnan(values)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    med = float(np.median(v))
    ci = sps.quantile_test(v, q=med, p=0.5).confidence_interval(confidence_level=level)
    return med, float(ci.low), float(ci.high)


CRC_COLUMNS = ["indicator", "unsur", "metric", "estimate", "ci_low", "ci_high", "n", "count",
                "method"]


def crc_indicators(df: pd.DataFrame, by=None, *,
                   scheme: str | Mapping | Scheme = "permenpan14_2017",
                   level: float = 0.95) -> pd.DataFrame:
    """Citizen Report Card indicators as a long tidy table, optionally by group.

    Parameters
    ----------
    df : DataFrame
        Cleaned table (data_model.md). Indicators whose columns are absent are
        left out; the unsur columns come from ``scheme``.
    by : str or list of str, optional
        Grouping columns.
    scheme : str, mapping or Scheme
        Which ``unsur_<key>`` columns are the elements.
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Sorted by group, one row per indicator (x unsur); columns: the ``by``
        columns, ``indicator``, ``unsur`` (key or ``<NA>``), ``metric``
        (``indicator`` or ``indicator:unsur``, the results.csv name),
        ``estimate``, ``ci_low``, ``ci_high``, ``n`` (denominator: respondents
        who answered), ``count`` (numerator for proportions), ``method``.
        Percentages are on 0..100. Indicators:

        - ``pct_satisfied`` / ``pct_dissatisfied`` per unsur and ``overall``
          (``overall_satisfaction``): top two boxes (3-4) / bottom two (1-2);
        - ``pct_had_problem``; ``pct_problem_resolved`` among those who had one;
        - ``pct_paid_extra``; ``median_extra_amount`` (rupiah, among payers);
        - ``pct_broker`` (``channel == "broker"``);
        - ``median_days`` and ``median_standard_days``; ``pct_over_standard``
          (days_to_complete > standard_days, among those with both);
        - ``median_cost_paid`` and ``median_official_fee``; ``pct_cost_above_fee``
          (cost_paid > official_fee);
        - ``pct_knows_complaint``.

    Notes
    -----
    Proportions carry Wilson score intervals
    (``statsmodels.stats.proportion.proportion_confint(method="wilson")``);
    medians carry the distribution-free order-statistic interval
    (``scipy.stats.quantile_test(...).confidence_interval``), which is
    ``<NA>``/infinite when n is too small for the level.

    References
    ----------
    Public Affairs Centre (Bangalore), Citizen Report Cards; Wilson, E. B.
    (1927). Probable inference... JASA 22, 209-212.
    """
    _check_level(level)
    s = get_scheme(scheme)
    by_cols = _by_list(by)
    wilson = "Wilson score interval"
    rows = []

    def prop(key, indicator, unsur, mask_num, mask_den):
        den = int(mask_den.sum())
        num = int((mask_num & mask_den).sum())
        est = 100.0 * num / den if den else float("nan")
        lo, hi = _wilson(num, den, level)
        metric = indicator if unsur is None else f"{indicator}:{unsur}"
        rows.append({**key, "indicator": indicator, "unsur": unsur, "metric": metric,
                     "estimate": est, "ci_low": lo, "ci_high": hi, "n": den, "count": num,
                     "method": wilson})

    def median(key, indicator, values):
        med, lo, hi = _median_ci(values, level)
        rows.append({**key, "indicator": indicator, "unsur": None, "metric": indicator,
                     "estimate": med, "ci_low": lo, "ci_high": hi,
                     "n": int(np.sum(~np.isnan(values))), "count": pd.NA,
                     "method": "median; order-statistic (binomial) interval"})

    def flag(sub, col):
        b = _bool(sub[col])
        return b.fillna(False).to_numpy(dtype=bool), b.notna().to_numpy(dtype=bool)

    for key, sub in _groups(df, by_cols):
        score_cols = [(u, f"unsur_{u}") for u in s.unsur if f"unsur_{u}" in sub.columns]
        if "overall_satisfaction" in sub.columns:
            score_cols.append(("overall", "overall_satisfaction"))
        for label in ("pct_satisfied", "pct_dissatisfied"):
            for u, col in score_cols:
                v = _num(sub[col])
                answered = ~np.isnan(v)
                hit = (v >= 3) if label == "pct_satisfied" else (v <= 2)
                prop(key, label, u, hit & answered, answered)
        if "had_problem" in sub.columns:
            had, known = flag(sub, "had_problem")
            prop(key, "pct_had_problem", None, had, known)
            if "problem_resolved" in sub.columns:
                res, rknown = flag(sub, "problem_resolved")
                prop(key, "pct_problem_resolved", None, res, rknown & had)
        if "paid_extra" in sub.columns:
            paid, known = flag(sub, "paid_extra")
            prop(key, "pct_paid_extra", None, paid, known)
            if "extra_amount" in sub.columns:
                amt = _num(sub["extra_amount"])
                median(key, "median_extra_amount", np.where(paid, amt, np.nan))
        if "channel" in sub.columns:
            ch = sub["channel"].astype("string")
            known = ch.notna().to_numpy(dtype=bool)
            prop(key, "pct_broker", None, (ch == "broker").fillna(False).to_numpy(dtype=bool), known)
        if "days_to_complete" in sub.columns:
            days = _num(sub["days_to_complete"])
            median(key, "median_days", days)
            if "standard_days" in sub.columns:
                std = _num(sub["standard_days"])
                median(key, "median_standard_days", std)
                both = ~np.isnan(days) & ~np.isnan(std)
                prop(key, "pct_over_standard", None, both & (days > std), both)
        if "cost_paid" in sub.columns:
            cost = _num(sub["cost_paid"])
            median(key, "median_cost_paid", cost)
            if "official_fee" in sub.columns:
                fee = _num(sub["official_fee"])
                median(key, "median_official_fee", fee)
                both = ~np.isnan(cost) & ~np.isnan(fee)
                prop(key, "pct_cost_above_fee", None, both & (cost > fee), both)
        if "knows_complaint" in sub.columns:
            knows, known = flag(sub, "knows_complaint")
            prop(key, "pct_knows_complaint", None, knows, known)
    out = _frame(rows, by_cols + CRC_COLUMNS)
    out["unsur"] = out["unsur"].astype("string")
    out["count"] = pd.array(out["count"], dtype="Int64")
    out["n"] = out["n"].astype("int64")
    return out


# ---------------------------------------------------------------------------
# Accessibility for special groups
# ---------------------------------------------------------------------------

SPECIAL_GROUPS = ("disability", "elderly", "pregnant", "with_child", "special_group")


def accessibility(df: pd.DataFrame, by=None, *, groups=SPECIAL_GROUPS,
                  column: str = "facility_friendly", level: float = 0.95) -> pd.DataFrame:
    """Share of users who say the facilities are not friendly to special groups.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with the boolean ``facility_friendly`` column and the
        special-group flags.
    by : str or list of str, optional
        Grouping columns (``"unit"`` for the per-unit figure; ``None`` city-wide).
    groups : sequence of str
        Boolean flag columns; each gives the figure as answered by users with
        the flag set. Flags absent from ``df`` are skipped.
    column : str
        The friendliness answer (False = not friendly).
    level : float
        Confidence level.

    Returns
    -------
    DataFrame
        Per group of ``by``: a row ``group = "all"``, then one per flag
        (``group = "disability"``, ...; users with the flag True), then
        ``group = "not_special_group"`` (flag False) when ``special_group`` is
        among the flags. Columns: the ``by`` columns, ``group``, ``metric``
        (``"pct_not_friendly"``), ``estimate`` (% answering not friendly,
        0..100), ``ci_low``, ``ci_high`` (Wilson), ``n`` (users who answered),
        ``count`` (users answering not friendly), ``method``.

    Notes
    -----
    ``pct_not_friendly = 100 x #(facility_friendly == False) / #(answered)``.
    The seed report: 53% of users said the facilities were not friendly.
    """
    _check_level(level)
    by_cols = _by_list(by)
    _check_columns(df, [column], "accessibility")
    rows = []
    for key, sub in _groups(df, by_cols):
        friendly = _bool(sub[column])
        answered = friendly.notna().to_numpy(dtype=bool)
        notf = (~friendly).fillna(False).to_numpy(dtype=bool)
        subsets = [("all", np.ones(len(sub), dtype=bool))]
        for g in groups:
            if g in sub.columns:
                f = _bool(sub[g])
                subsets.append((g, f.fillna(False).to_numpy(dtype=bool)))
                if g == "special_group":
                    subsets.append(("not_special_group", (~f).fillna(False).to_numpy(dtype=bool)))
        for name, m in subsets:
            den = int((answered & m).sum())
            num = int((notf & answered & m).sum())
            lo, hi = _wilson(num, den, level)
            rows.append({**key, "group": name, "metric": "pct_not_friendly",
                         "estimate": 100.0 * num / den if den else float("nan"),
                         "ci_low": lo, "ci_high": hi, "n": den, "count": num,
                         "method": "Wilson score interval"})
    cols = by_cols + ["group", "metric", "estimate", "ci_low", "ci_high", "n", "count", "method"]
    return _frame(rows, cols)


# ---------------------------------------------------------------------------
# Service-standard compliance
# ---------------------------------------------------------------------------

_YES = {"ya", "y", "yes", "true", "1", "ada"}
_NO = {"tidak", "t", "no", "false", "0", "tidak ada"}


def compliance(checklist: pd.DataFrame, by="unit", *, component: str = "component",
               category: str = "category", present: str = "present") -> pd.DataFrame:
    """Service-standard compliance index (0..100) with the missing components listed.

    Parameters
    ----------
    checklist : DataFrame
        Observation checklist, one row per unit x item: ``unit, round,
        component, category, present`` (``present`` is ``ya``/``tidak``; also
        accepted: yes/no, true/false, 1/0, booleans; empty = not observed).
    by : str or list of str
        Grouping columns; ``round`` is added when the checklist has it, so
        observation rounds are never pooled.
    component, category, present : str
        Column names.

    Returns
    -------
    DataFrame
        Per group, a row ``category = "all"`` then one per category (sorted):
        the ``by`` columns, ``category``, ``metric`` (``"compliance"`` or
        ``"compliance:<category>"``), ``n_items`` (items observed), ``n_present``,
        ``n_unobserved``, ``index`` (``100 x n_present / n_items``), ``missing``
        (components not present, sorted, joined by ``"; "``; empty string when
        none).

    Notes
    -----
    Every observed item weighs the same. The components follow Permenpan RB
    No. 15/2014 (service standard: 14 components) plus the observers'
    accessibility items (ramp, priority counter, accessible toilet, seating,
    signage, published fees and times).

    Raises
    ------
    ClemInputError
        When ``present`` holds a value that is neither yes nor no (names the row).

    References
    ----------
    Permenpan RB No. 15/2014 tentang Pedoman Standar Pelayanan.
    """
    from ..errors import ClemInputError

    by_cols = _by_list(by)
    if "round" in checklist.columns and "round" not in by_cols:
        by_cols = by_cols + ["round"]
    _check_columns(checklist, by_cols + [component, category, present], "compliance")
    raw = checklist[present]
    val = pd.Series(pd.NA, index=checklist.index, dtype="boolean")
    for i, (idx, v) in enumerate(raw.items()):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            val.loc[idx] = bool(v)
            continue
        t = str(v).strip().lower()
        if t == "":
            continue
        if t in _YES:
            val.loc[idx] = True
        elif t in _NO:
            val.loc[idx] = False
        else:
            raise ClemInputError(f"'{v}' is not a checklist answer", row=i + 1, column=present,
                                 fix="write 'ya' or 'tidak' (leave empty when not observed)")
    data = checklist.assign(_present=val)
    rows = []
    for key, sub in _groups(data, by_cols):
        cats = [("all", sub)] + [(str(c), g) for c, g in
                                 sub.groupby(category, sort=True, dropna=True, observed=True)]
        for cat, g in cats:
            obs = g["_present"].notna()
            yes = g["_present"].fillna(False).astype(bool)
            n_items = int(obs.sum())
            n_present = int(yes.sum())
            missing = sorted({str(c) for c in g.loc[obs & ~yes, component]})
            rows.append({**key, "category": cat,
                         "metric": "compliance" if cat == "all" else f"compliance:{cat}",
                         "n_items": n_items, "n_present": n_present,
                         "n_unobserved": int((~obs).sum()),
                         "index": 100.0 * n_present / n_items if n_items else float("nan"),
                         "missing": "; ".join(missing)})
    cols = by_cols + ["category", "metric", "n_items", "n_present", "n_unobserved", "index",
                      "missing"]
    return _frame(rows, cols)


# ---------------------------------------------------------------------------
# Importance-performance analysis
# ---------------------------------------------------------------------------

QUADRANTS = MappingProxyType({
    "I": ("Prioritas Utama", "Concentrate here"),
    "II": ("Pertahankan Prestasi", "Keep up the good work"),
    "III": ("Prioritas Rendah", "Low priority"),
    "IV": ("Berlebihan", "Possible overkill"),
})
"""Importance-performance quadrants: Indonesian and English labels."""


def ipa(df: pd.DataFrame, by=None, *, scheme: str | Mapping | Scheme = "permenpan14_2017",
        cross: str | tuple[float, float] = "mean") -> pd.DataFrame:
    """Importance-performance analysis: conformity level and quadrant of each unsur.

    Parameters
    ----------
    df : DataFrame
        Cleaned table with ``unsur_<key>`` (performance, X) and ``harapan_<key>``
        (importance / expectation, Y).
    by : str or list of str, optional
        Grouping columns.
    scheme : str, mapping or Scheme
        Which unsur.
    cross : {"mean", "midpoint"} or (x, y)
        Where the quadrant lines cross: the mean of the unsur means (within each
        group), the scale midpoint ((1 + 4) / 2 = 2.5), or given values.

    Returns
    -------
    DataFrame
        One row per group x unsur (scheme order): the ``by`` columns, ``unsur``,
        ``label_id``, ``label_en``, ``n`` (respondents answering both X and Y),
        ``sum_x``, ``sum_y``, ``mean_x``, ``mean_y``, ``tk`` (conformity level,
        %), ``gap`` (mean_x - mean_y), ``x_cross``, ``y_cross``, ``quadrant``
        (I..IV), ``quadrant_id``, ``quadrant_en``.

    Notes
    -----
    ``TK = sum X / sum Y x 100`` over respondents who answered both; below 100
    means expectations are not met. Performance on the x axis, importance on the
    y axis; a value on a line counts as high. I *Prioritas Utama* (Y high, X
    low), II *Pertahankan Prestasi* (both high), III *Prioritas Rendah* (both
    low), IV *Berlebihan* (X high, Y low).

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis.
    Journal of Marketing, 41(1), 77-79; Supranto, J. (2006). Pengukuran Tingkat
    Kepuasan Pelanggan. Jakarta: Rineka Cipta.
    """
    s = get_scheme(scheme)
    by_cols = _by_list(by)
    _check_columns(df, list(s.columns) + list(s.importance_columns), "ipa")
    if isinstance(cross, str):
        if cross not in ("mean", "midpoint"):
            raise ValueError(f"cross={cross!r}; use 'mean', 'midpoint' or an (x, y) pair")
    else:
        try:
            cx, cy = (float(c) for c in cross)
        except (TypeError, ValueError):
            raise ValueError(f"cross={cross!r}; use 'mean', 'midpoint' or an (x, y) pair") from None
    rows = []
    for key, sub in _groups(df, by_cols):
        x = _scores(sub, s)
        y = _scores(sub, s, s.importance_columns)
        both = ~np.isnan(x) & ~np.isnan(y)
        n = both.sum(axis=0)
        sx = np.where(both, x, 0).sum(axis=0)
        sy = np.where(both, y, 0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mx = np.where(n > 0, sx / np.maximum(n, 1), np.nan)
            my = np.where(n > 0, sy / np.maximum(n, 1), np.nan)
            tk = np.where(sy > 0, sx / np.where(sy > 0, sy, 1) * 100.0, np.nan)
        if cross == "mean":
            xc, yc = float(np.nanmean(mx)) if np.any(n) else np.nan, \
                float(np.nanmean(my)) if np.any(n) else np.nan
        elif cross == "midpoint":
            xc = yc = (s.scale_min + s.scale_max) / 2.0
        else:
            xc, yc = cx, cy
        for j, u in enumerate(s.unsur):
            if n[j] == 0:
                q = None
            else:
                hx, hy = mx[j] >= xc - 1e-12, my[j] >= yc - 1e-12
                q = "II" if (hx and hy) else "I" if hy else "IV" if hx else "III"
            rows.append({**key, "unsur": u, "label_id": s.labels_id[u], "label_en": s.labels_en[u],
                         "n": int(n[j]), "sum_x": float(sx[j]), "sum_y": float(sy[j]),
                         "mean_x": float(mx[j]), "mean_y": float(my[j]), "tk": float(tk[j]),
                         "gap": float(mx[j] - my[j]), "x_cross": xc, "y_cross": yc,
                         "quadrant": q,
                         "quadrant_id": QUADRANTS[q][0] if q else None,
                         "quadrant_en": QUADRANTS[q][1] if q else None})
    cols = by_cols + ["unsur", "label_id", "label_en", "n", "sum_x", "sum_y", "mean_x", "mean_y",
                      "tk", "gap", "x_cross", "y_cross", "quadrant", "quadrant_id", "quadrant_en"]
    return _frame(rows, cols)
