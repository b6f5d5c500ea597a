"""IKM schemes: which unsur a survey scores, how they are labelled, weighted and graded.

``SCHEMES`` holds the schemes clem knows: ``permenpan14_2017`` (nine unsur,
the current rule) and ``kepmenpan25_2004`` (fourteen unsur, the earlier
rule). :func:`get_scheme` also builds a custom scheme from a codebook
mapping. :func:`ikm_grade` reads the grade (*mutu pelayanan*) of an IKM
rounded to two decimals, half up on the decimal representation (never
Python's banker's rounding of a binary float).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from ..rounding import round_half_up

__all__ = ["Band", "Scheme", "SCHEMES", "get_scheme", "ikm_grade"]


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

    Examples
    --------
    >>> SCHEMES["permenpan14_2017"].bands[1]
    Band(grade='B', min_ikm=76.61, label_id='Baik', label_en='Good')
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

    Examples
    --------
    >>> s = SCHEMES["permenpan14_2017"]
    >>> s.k, s.columns[:2], s.importance_columns[0]
    (9, ('unsur_persyaratan', 'unsur_prosedur'), 'harapan_persyaratan')
    >>> s.weight("rounded"), s.label("waktu", "en")
    (0.111, 'Time to complete')
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

        >>> s = SCHEMES["kepmenpan25_2004"]
        >>> round(s.weight(), 4), s.weight("rounded"), s.weight("rounded2"), s.weight(0.07)
        (0.0714, 0.071, 0.07, 0.07)
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
        """Name of unsur ``key`` in ``lang`` (``"id"`` or ``"en"``).

        >>> SCHEMES["permenpan14_2017"].label("sarana")
        'Sarana dan prasarana'
        """
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

    Examples
    --------
    >>> get_scheme("kepmenpan25_2004").k
    14
    >>> s = get_scheme({"name": "puskesmas", "unsur": ["waktu", {"key": "antrean", "en": "Queue"}]})
    >>> s.unsur, s.label("antrean", "en"), s.weight("rounded"), s.bands[0].min_ikm
    (('waktu', 'antrean'), 'Queue', 0.5, 88.31)
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

    Examples
    --------
    >>> ikm_grade(76.605).grade, ikm_grade(76.60).grade, ikm_grade(88.31, lang="en")
    ('B', 'C', 'A (Very good)')
    >>> ikm_grade(70.0, "kepmenpan25_2004", lang="id")
    'B (Baik)'
    >>> ikm_grade(float("nan")) is None
    True
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
