"""The files that describe a survey: its codebook and its units file, validated on load.

The codebook (``schema``) says what every column of a raw export means; the
units file (``units``) lists the service units, how field teams spell them,
and the district (kecamatan) and agency (dinas) each belongs to
(``hierarchy``). ``names`` holds the normalised spelling used for matching
and the slugs that name report files; ``files`` the YAML reading every one
of them shares (one-line errors that name the file and line).
"""

from __future__ import annotations

from .files import read_yaml
from .hierarchy import locations, resolve_location
from .names import RESERVED_SLUGS, normalize_label, slugify, strip_bidi
from .schema import FIXED_NAMES, ROLES, UNSUR_14_2017, Codebook, ColumnSpec, Scale, load_codebook
from .units import load_units, units_cache_dir, units_file_for

__all__ = [
    "ROLES",
    "UNSUR_14_2017",
    "Scale",
    "ColumnSpec",
    "Codebook",
    "load_codebook",
    "load_units",
    "normalize_label",
    "units_file_for",
    "slugify",
    "locations",
    "resolve_location",
]
