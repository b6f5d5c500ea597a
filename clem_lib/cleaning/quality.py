"""Quality rules: duplicate submissions removed; speeders and straight-liners flagged, never dropped.

Duplicates are found on integer codes (one per distinct value), not on the
strings: the same respondent id as an earlier submission (``duplicate_uuid``),
or the same enumerator with identical answers submitted within
``quality.duplicate_window_minutes`` (``duplicate_answers``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..privacy import REMOVED
from .audit import ROW_REMOVED, OldValues
from .codes import factorize, value_codes

__all__ = ["mark_duplicates", "answer_key", "repeated", "mix64", "speeder_flags", "straightliner_flags"]


def mark_duplicates(raw, found, codebook, keep_mask, log, sub_times, ids):
    """Mark duplicate submissions (same uuid; identical answers minutes apart).

    Sorting and comparing work on integer codes (one per distinct value), not
    on the strings.
    """
    id_col = found.get("respondent_id")
    n = len(raw)
    if sub_times is not None:
        t = sub_times.to_numpy().astype("datetime64[ns]").view("int64").copy()
        t[np.isnat(sub_times.to_numpy())] = np.iinfo("int64").max  # no time stamp: last
    else:
        t = np.zeros(n, dtype="int64")
    remove_uuid = np.zeros(n, dtype=bool)
    id_codes = value_codes(ids)
    # among kept rows with an id, in submission order (ties: row order), every repeat of an id after
    # its first; only the rows whose id occurs more than once are sorted
    cand = keep_mask & (id_codes >= 0)
    counts = np.bincount(id_codes[cand] + 1, minlength=int(id_codes.max(initial=-1)) + 2)  # [0]: no id
    rows = np.flatnonzero(cand & (counts[id_codes + 1] > 1))
    rows = rows[np.lexsort((rows, t[rows], id_codes[rows]))]
    later = id_codes[rows][1:] == id_codes[rows][:-1]
    remove_uuid[rows[1:][later]] = True
    ans_specs = [c for c in codebook.columns
                 if c.role not in ("respondent_id", "submission_time") and found.get(c.name)]
    ans_cols = list(dict.fromkeys(found[c.name] for c in ans_specs))
    enum_col = found.get("enumerator")
    remove_ans = np.zeros(n, dtype=bool)
    if enum_col is not None and ans_cols:
        enum_codes, _ = factorize(raw[enum_col])
        # rows without an enumerator are never "the same enumerator"
        live = np.flatnonzero(keep_mask & ~remove_uuid & (enum_codes >= 0))
        # only rows whose answers repeat under the same enumerator can be duplicates: first narrowed
        # by the label columns (categoricals: cheap codes), then the key of every answer is built for
        # the rows left (text with a distinct value in nearly every row is encoded for those alone)
        labels = [c for c in ans_cols if isinstance(raw[c].dtype, pd.CategoricalDtype)]
        if labels:
            live = live[repeated(answer_key([raw[c] for c in labels], enum_codes, live))]
        h = answer_key([raw[c] for c in ans_cols], enum_codes, live)
        again = repeated(h)
        live, h = live[again], h[again]
        # by enumerator and answers, then submission time, then row
        by = np.lexsort((live, t[live], h, enum_codes[live]))
        srt, h = live[by], h[by]
        same = (h[1:] == h[:-1]) & (enum_codes[srt][1:] == enum_codes[srt][:-1])
        if sub_times is not None:
            window = pd.Timedelta(minutes=float(codebook.quality["duplicate_window_minutes"]))
            ts = sub_times.to_numpy().astype("datetime64[ns]")[srt]
            close = (ts[1:] - ts[:-1]) <= window.to_timedelta64()
        else:
            close = np.ones(max(srt.size - 1, 0), dtype=bool)
        dup = np.concatenate([[False], same & close]) if srt.size else np.zeros(0, dtype=bool)
        remove_ans[srt[dup]] = True
    id_specs = codebook.by_role("respondent_id")
    old = OldValues(ids) if not id_specs or id_specs[0].pii != "hash" else (lambda rows: REMOVED)
    id_col = id_col if id_col is not None else ""  # rows numbered by clem: no export column
    rows = np.flatnonzero(remove_uuid)
    fetch = old.__getitem__ if isinstance(old, OldValues) else old
    log.add(rows, id_col, fetch(rows), ROW_REMOVED, "duplicate_uuid")
    rows = np.flatnonzero(remove_ans)
    log.add(rows, id_col, fetch(rows), ROW_REMOVED, "duplicate_answers")
    return remove_uuid | remove_ans


def answer_key(columns, enum_codes, rows) -> np.ndarray:
    """One 64-bit key per row of ``rows``, from its enumerator and its value in each column.

    Each column's value codes (:func:`value_codes`, over ``rows`` alone) are
    mixed (:func:`mix64`) and combined: equal keys mean equal values but for
    a 64-bit collision.
    """
    h = mix64(enum_codes[rows])
    for s in columns:
        codes = value_codes(s if rows.size == len(s) else s.take(rows))
        mixed = mix64(np.arange(-1, int(codes.max(initial=-1)) + 1))  # per distinct value (and missing)
        codes += 1
        np.multiply(h, np.uint64(1000003), out=h)
        np.bitwise_xor(h, mixed.take(codes), out=h)
    return h


def repeated(h: np.ndarray) -> np.ndarray:
    """Boolean: the entries of ``h`` that occur more than once."""
    return pd.Series(h).duplicated(keep=False).to_numpy()


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (Steele, Lea and Flood 2014): well-spread 64-bit values from integers."""
    x = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def speeder_flags(times: dict, codebook, keep: np.ndarray, n: int):
    """``speeder``: the interview took less than ``quality.speeder_minutes``.

    Without that setting the threshold is ``quality.speeder_fraction_of_median``
    times the median duration of the kept interviews. ``<NA>`` where a time
    stamp is missing or the duration is not positive, and everywhere when the
    export has no start and end times.
    """
    if "start_time" not in times or "end_time" not in times:
        return pd.array([pd.NA] * n, dtype="boolean")
    minutes = (times["end_time"] - times["start_time"]).dt.total_seconds() / 60.0
    ok_minutes = minutes.where(minutes > 0)
    thr = codebook.quality.get("speeder_minutes")
    if thr is None:
        med = ok_minutes[keep].median()
        thr = float(codebook.quality["speeder_fraction_of_median"]) * med
    sp = (ok_minutes < float(thr))
    return pd.array(sp.where(ok_minutes.notna()), dtype="boolean")


def straightliner_flags(table: pd.DataFrame, codebook):
    """``straightliner``: every answered unsur item has the same answer.

    At least ``quality.straightliner_min_items`` items must be answered
    (default: all of them); none answered is no straight-liner. ``<NA>``
    everywhere when the table has no unsur column.
    """
    n = len(table)
    unsur_cols = [f"unsur_{k}" for k in codebook.unsur_keys if f"unsur_{k}" in table.columns]
    if not unsur_cols:
        return pd.array([pd.NA] * n, dtype="boolean")
    answered = np.zeros(n, dtype="int64")
    hi = np.full(n, -np.inf)
    lo = np.full(n, np.inf)
    for c in unsur_cols:
        v = table[c].to_numpy(dtype="float64", na_value=np.nan)
        ok = ~np.isnan(v)
        answered += ok
        hi = np.where(ok, np.maximum(hi, v), hi)
        lo = np.where(ok, np.minimum(lo, v), lo)
    need = codebook.quality.get("straightliner_min_items") or len(unsur_cols)
    return pd.array((hi == lo) & (answered >= need), dtype="boolean")
