"""Columns as integer codes: one code per distinct value, the values kept once.

Cleaning maps, compares, sorts and counts codes instead of strings; text
columns are built at the end from the few distinct values, in Arrow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["factorize", "value_codes", "arrow_text", "Coded", "strings", "first_rows"]


def factorize(s: pd.Series):
    """``pd.factorize(s, use_na_sentinel=True)``, without hashing when ``s`` is categorical.

    Same result: codes (-1 for missing) and the distinct values in order of
    first appearance (unused categories left out).
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return pd.factorize(s, use_na_sentinel=True)
    cat = s.cat.codes.to_numpy()
    cats = s.cat.categories
    n, k = cat.size, len(cats)
    if n and k:
        # categories already in order of first appearance, each one used (the usual case: the
        # reader builds them so)? Exactly then the running maximum of the codes starts at -1 or 0,
        # never climbs by more than one and ends at k - 1. (No overflow in the code dtype: codes
        # are below k, so a step is at most k.)
        top = np.maximum.accumulate(cat)
        if top[0] <= 0 and top[-1] == k - 1 and (n == 1 or int(np.diff(top).max()) <= 1):
            return cat.astype(np.intp), pd.Index(np.asarray(cats, dtype=object), dtype=object)
    ok = cat >= 0
    first = np.full(k, n, dtype="int64")
    np.minimum.at(first, cat[ok], np.flatnonzero(ok))
    used = np.flatnonzero(first < n)
    order = used[np.argsort(first[used], kind="stable")]
    uniques = pd.Index(np.asarray(cats, dtype=object)[order], dtype=object)
    if order.size == k and (order == np.arange(k)).all():
        return cat.astype(np.intp), uniques
    remap = np.full(k + 1, -1, dtype=np.intp)
    remap[order] = np.arange(order.size)
    return remap[cat], uniques  # code -1 picks remap[-1] == -1


def value_codes(s: pd.Series) -> np.ndarray:
    """One integer per row, equal exactly where the values are equal (missing: -1).

    Categoricals give their codes; Arrow-backed text is dictionary-encoded in
    Arrow (without the GIL, fast on columns whose values are all distinct);
    anything else goes through ``pd.factorize``.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.intp)
    arr = arrow_text(s)
    if arr is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(arr)  # one dictionary for all chunks
        indices = pa.chunked_array([ch.indices for ch in encoded.chunks], type=pa.int32())
        return pc.fill_null(indices, -1).to_numpy().astype(np.intp)
    return factorize(s)[0].astype(np.intp)


def arrow_text(s: pd.Series):
    """The Arrow data of an Arrow-backed text column (a ``ChunkedArray``), or None for any other column."""
    if not (isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
        return None
    import pyarrow as pa

    return pa.chunked_array(pa.array(s.array))


@dataclass(frozen=True)
class Coded:
    """A text column kept as its distinct values and one code per row (-1: missing).

    clean_frame builds the ``string`` array only after the rows are sorted,
    from the few distinct values, instead of building it and then reordering
    a million strings.
    """

    values: np.ndarray
    codes: np.ndarray

    def strings(self, order=None):
        """The column as a ``string`` array, its rows taken in ``order`` (default: as they are)."""
        return strings(self.values, self.codes if order is None else self.codes[order])


def strings(values, codes) -> pd.api.extensions.ExtensionArray:
    """``values[codes]`` (code -1: missing) as a ``string`` array, built in Arrow (no per-row objects)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = np.asarray(codes)
    dictionary = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    taken = pc.take(dictionary, pa.array(codes, mask=codes < 0, type=pa.int64()))
    return pd.array(taken, dtype=pd.StringDtype("pyarrow"))


def first_rows(codes, k) -> np.ndarray:
    """Row of the first appearance of each of ``k`` codes (code -1 ignored)."""
    first = np.full(k, codes.size, dtype="int64")
    ok = codes >= 0
    np.minimum.at(first, codes[ok], np.flatnonzero(ok))
    return first
