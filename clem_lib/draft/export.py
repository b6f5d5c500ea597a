"""The export as the draft sees it: each column's distinct values and counts, and an SPSS file's labels."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .common import NUMBER_RE, norm

__all__ = ["Profile", "int14", "is_row_number", "read_spss_meta"]


@dataclass
class Profile:
    """The distinct non-empty values of a column with their counts (most frequent first)."""

    n_rows: int
    counts: list  # (value, count), most frequent first, then by value
    n: int = 0  # non-empty cells

    @classmethod
    def of(cls, s: pd.Series) -> "Profile":
        t = s.dropna().astype(str).str.strip()
        t = t[t != ""]
        vc = t.value_counts()
        counts = sorted(((str(v), int(c)) for v, c in vc.items()), key=lambda x: (-x[1], x[0]))
        return cls(len(s), counts, int(len(t)))

    @property
    def distinct(self) -> int:
        return len(self.counts)

    def share(self, pred) -> float:
        """Share of the non-empty cells whose value satisfies ``pred``."""
        if not self.n:
            return 0.0
        return sum(c for v, c in self.counts if pred(v)) / self.n

    def numbers(self) -> list:
        out = []
        for v, _c in self.counts:
            if NUMBER_RE.match(v):
                out.append(float(v.replace(",", ".")))
        return out

    def is_numeric(self) -> bool:
        return self.n > 0 and self.share(lambda v: bool(NUMBER_RE.match(v))) >= 0.95

    def scale_share(self, lk, labels_only: bool = False) -> float:
        """Share of the cells a scale lookup (:class:`clem_lib.draft.answers.Lookup`) reads, or calls missing."""
        table = lk.labels if labels_only else lk.codes
        return self.share(lambda v: norm(v) in table or norm(v) in lk.missing)

    def mean_len(self) -> float:
        return sum(len(v) * c for v, c in self.counts) / self.n if self.n else 0.0


def int14(p: Profile) -> tuple[bool, list]:
    """Whether the column holds whole numbers mostly within 1-4, and those outside."""
    if not p.is_numeric():
        return False, []
    nums = [x for x in p.numbers() if not math.isnan(x)]
    if not nums or any(x != round(x) for x in nums):
        return False, []
    inside = p.share(lambda v: NUMBER_RE.match(v) and float(v.replace(",", ".")) in (1, 2, 3, 4))
    outside = sorted({int(x) for x in nums if x not in (1, 2, 3, 4)})
    return inside >= 0.9 and len({x for x in nums if x in (1, 2, 3, 4)}) >= 2, outside


def is_row_number(col: str, p: Profile) -> bool:
    """A column of running numbers (No, Nomor, No. urut) holds nothing to analyse."""
    if not re.fullmatch(r"(?i)\s*(no|nomor|no urut|nomor urut|urut|#|id|no responden|nomor responden)\s*\.?\s*", col):
        return False
    return p.is_numeric() and p.distinct == p.n


def read_spss_meta(path: Path):
    """pyreadstat's metadata of an SPSS file (variable and value labels), None for other files or a broken one."""
    if path.suffix.lower() not in (".sav", ".zsav"):
        return None
    try:
        import pyreadstat

        _df, meta = pyreadstat.read_sav(str(path), metadataonly=True)
        return meta
    except Exception:  # the data reader reports a broken file
        return None
