"""The fast path of clean_survey (pyarrow reader, only the codebook's columns, labels as
categoricals, integer codes inside cleaning) gives exactly what reading every column as text
gives; files it cannot take go the careful way with the same result or the same error."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clem_lib import (
    SAMPLE_CODEBOOK,
    SAMPLE_DATA,
    ClemInputError,
    clean_frame,
    clean_survey,
    load_codebook,
    load_units,
    read_survey,
)
from clem_lib.cleaning.codes import factorize as _factorize
from clem_lib.cleaning.codes import value_codes as _value_codes
from clem_lib.cleaning.dates import parse_datetimes as _parse_datetimes
from clem_lib.cleaning.dates import parse_iso_arrow as _parse_iso_arrow
from clem_lib.cleaning.survey import column_selector as _column_selector
from clem_lib.io import read_survey_columns

FIX = Path(__file__).parent / "fixtures" / "data"
MINI, MINI_CB = FIX / "mini.csv", FIX / "mini.codebook.yml"
TODAY = "2026-01-01"


def _same(fast, careful):
    pd.testing.assert_frame_equal(fast.table, careful.table)
    pd.testing.assert_frame_equal(fast.log, careful.log)
    assert [str(d) for d in fast.log.dtypes] == ["Int64", "string", "string", "string", "string"]
    pd.testing.assert_frame_equal(fast.summary, careful.summary)
    assert fast.problems == careful.problems
    assert fast.n_raw == careful.n_raw


@pytest.mark.parametrize("data, codebook", [(SAMPLE_DATA, SAMPLE_CODEBOOK), (MINI, MINI_CB)])
def test_fast_path_cleans_exactly_like_reading_every_column(data, codebook):
    cb = load_codebook(codebook)
    raw = read_survey_columns(data, cb, _column_selector(cb))
    # the fast path was taken: labels come as categoricals, ids as plain strings, and
    # columns no codebook entry names (the sample's _id, _index...) are not even read
    if data == SAMPLE_DATA:
        assert len(raw.columns) < len(read_survey(data, cb).columns)
    kinds = {str(d) for d in raw.dtypes}
    assert "category" in kinds and "str" in kinds
    _same(clean_survey(data, cb, today=TODAY),
          clean_frame(read_survey(data, cb), cb, load_units(), file=data, today=TODAY))


def _variant(tmp_path, name, edit, encoding="utf-8"):
    lines = MINI.read_text(encoding="utf-8").splitlines()
    path = tmp_path / name
    path.write_bytes("\n".join(edit(lines)).encode(encoding) + b"\n")
    return path


VARIANTS = {
    # Windows-1252 with an accented name: the fast reader refuses, the careful one decodes
    "cp1252.csv": (lambda ls: [ls[0]] + [ls[1].replace("Siti", "Séti")] + ls[2:], "cp1252"),
    # Windows-1252 inside a label column (read dictionary-encoded by the fast reader): refused too
    "cp1252_label.csv": (lambda ls: [ls[0]] + [ls[1].replace("puas", "puás", 1)] + ls[2:], "cp1252"),
    # a short row (Excel drops trailing empty cells): pandas pads it, pyarrow refuses
    "short.csv": (lambda ls: ls[:3] + [ls[3].rsplit(",", 2)[0]] + ls[4:], "utf-8"),
    # a quoted suggestion with a line break and a delimiter inside
    "newline.csv": (lambda ls: [ls[0]] + [ls[1].replace("Antrean lama", '"Antrean\nlama, sekali"')] + ls[2:],
                    "utf-8"),
    # a byte-order mark and blank lines
    "bom.csv": (lambda ls: ["\ufeff" + ls[0], ""] + ls[1:4] + ["", ""] + ls[4:], "utf-8"),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_unusual_files_clean_the_same_either_way(tmp_path, name):
    edit, encoding = VARIANTS[name]
    path = _variant(tmp_path, name, edit, encoding)
    cb = load_codebook(MINI_CB)
    careful = clean_frame(read_survey(path, cb), cb, load_units(), file=path, today=TODAY)
    _same(clean_survey(path, cb, today=TODAY), careful)
    if name == "cp1252_label.csv":
        assert any("puás" in str(v) for v in careful.log["old"].dropna())
    if name == "newline.csv":
        assert "Antrean\nlama, sekali" in set(careful.table["suggestion"].dropna())


def test_ragged_row_error_is_the_careful_readers(tmp_path):
    path = _variant(tmp_path, "ragged.csv", lambda ls: ls[:4] + [ls[4] + ",extra,cells"] + ls[5:])
    with pytest.raises(ClemInputError) as fast:
        clean_survey(path, MINI_CB, today=TODAY)
    with pytest.raises(ClemInputError) as careful:
        read_survey(path, MINI_CB)
    assert str(fast.value) == str(careful.value)
    assert "row 4" in str(fast.value) and "ragged.csv" in str(fast.value)


def test_missing_required_column_lists_close_names_from_the_whole_header(tmp_path):
    path = _variant(tmp_path, "renamed.csv", lambda ls: [ls[0].replace("grp/kecamatan", "grp/kecamatann")] + ls[1:])
    with pytest.raises(ClemInputError, match="kecamatann"):
        clean_survey(path, MINI_CB, today=TODAY)


def test_factorize_of_categoricals_matches_pandas():
    rng = np.random.default_rng(7)
    for _ in range(50):
        k = int(rng.integers(1, 8))
        cats = [f"v{i}" for i in rng.permutation(k + 3)]  # unused and shuffled categories
        values = rng.choice([*cats[:k], None], size=int(rng.integers(0, 40)))
        s = pd.Series(pd.Categorical(values, categories=cats))
        codes, uniques = _factorize(s)
        ref_codes, ref_uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        np.testing.assert_array_equal(codes, ref_codes)
        assert list(uniques) == list(ref_uniques)


def test_factorize_of_categoricals_in_order_of_first_appearance_matches_pandas():
    # the reader's categoricals: categories in order of first appearance, all used (the quick
    # path), and near misses that must take the full way: a category unused, two swapped
    rng = np.random.default_rng(8)
    cases = [["a"], [None, "a"], ["a", None, "b", "a", "c", None], [None, None]]
    for _ in range(40):
        k = int(rng.integers(1, 6))
        values = list(rng.choice([*[f"v{i}" for i in range(k)], None], size=int(rng.integers(1, 30))))
        cases.append(values)
    for values in cases:
        seen = list(dict.fromkeys(v for v in values if v is not None))
        ref_codes, ref_uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        variants = [seen, [*seen, "unused"], ["unused", *seen]]
        if len(seen) > 1:
            variants.append([seen[1], seen[0], *seen[2:]])
        for cats in variants:
            s = pd.Series(pd.Categorical(values, categories=cats))
            codes, uniques = _factorize(s)
            np.testing.assert_array_equal(codes, ref_codes)
            assert list(uniques) == list(ref_uniques)


def test_rows_without_enumerator_are_never_duplicates_of_each_other(tmp_path):
    # rows 2 and 6 of the mini export are one interview sent twice by enumerator E01;
    # without an enumerator, identical answers are not evidence of a double submission
    def blank(ls):
        out = list(ls)
        for i in (2, 6):
            cells = out[i].split(",")
            cells[2] = ""
            out[i] = ",".join(cells)
        return out

    path = _variant(tmp_path, "noenum.csv", blank)
    res = clean_survey(path, MINI_CB, today=TODAY)
    assert "duplicate_answers" not in set(res.log["rule"])
    assert {"a2", "a6"} <= set(res.table["respondent_id"])
    assert "duplicate_answers" in set(clean_survey(MINI, MINI_CB, today=TODAY).log["rule"])


ISO_COLUMNS = [
    # Kobo's own: local time with an offset, milliseconds (converted to UTC)
    ["2024-03-04T09:00:00.000+07:00", None, "2024-12-31T23:59:59.999+05:30", "2024-03-04T09:00:00Z"],
    # no offset in any row (taken as UTC), with and without seconds, a bare date
    ["2024-03-04T03:00:00", "2024-03-04 03:10", "2024-03-04", None],
    # nanoseconds and a compact offset
    ["2024-02-14T08:43:00.123456789+07:00", "2024-02-14T08:43:00+0700"],
]
NOT_ISO_COLUMNS = [
    ["2024-03-04T09:00:00+07:00", "2024-03-04T09:00:00"],  # an offset in some rows only
    ["04/03/2024 09:00", "2024-03-04T09:00:00"],           # day first, as typed by hand
    ["2500-01-01T00:00:00", "2024-03-04T09:00:00"],        # beyond the nanosecond range
    ["2024-02-30T00:00:00", "not a time"],
]


@pytest.mark.parametrize("values", ISO_COLUMNS + NOT_ISO_COLUMNS)
def test_time_stamps_read_whole_in_arrow_parse_as_value_by_value(values):
    arrow = pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    whole = _parse_iso_arrow(arrow)
    assert (whole is None) == (values in NOT_ISO_COLUMNS)
    by_value = _parse_datetimes(pd.Series(values, dtype=object))
    pd.testing.assert_series_equal(_parse_datetimes(arrow), by_value)
    if whole is not None:
        pd.testing.assert_series_equal(whole, by_value)
    if values[0].startswith("2500"):
        assert pd.isna(by_value[0]) and by_value[1] == pd.Timestamp("2024-03-04 09:00")


def test_interview_date_beyond_the_datetime_range_is_logged_as_unreadable(tmp_path):
    path = _variant(tmp_path, "y2500.csv", lambda ls: [ls[0], ls[1].replace(",2024-03-04,", ",2500-03-04,", 1)]
                    + ls[2:])
    res = clean_survey(path, MINI_CB, today=TODAY)
    bad = res.log[res.log["rule"] == "bad_date"]
    assert list(bad["row"]) == [1] and list(bad["old"]) == ["2500-03-04"]
    assert res.table.loc[res.table["respondent_id"] == "a1", "interview_date"].isna().all()


@pytest.mark.parametrize("slow", ["mark_duplicates", "clean_values", "frame"])
def test_threads_finishing_in_any_order_give_the_same_result(monkeypatch, slow):
    # duplicates run beside the value columns, the audit log is built beside the table:
    # holding back either side changes nothing in the table, the log or the problems
    import time

    import clem_lib.cleaning.frame as cleaning

    expected = clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, today=TODAY)
    owner = cleaning.AuditLog if slow == "frame" else cleaning
    original = getattr(owner, slow)

    def held_back(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, slow, held_back)
    _same(clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, today=TODAY), expected)


def test_value_codes_are_equal_exactly_where_values_are():
    rng = np.random.default_rng(11)
    for _ in range(30):
        values = list(rng.choice(["a", "b", " a", "Ä", "", None], size=int(rng.integers(0, 60))))
        ref, _ = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        for s in (pd.Series(values, dtype=object), pd.Series(values, dtype="category"),
                  pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))):
            codes = _value_codes(s)
            assert ((codes < 0) == (ref < 0)).all()
            # the same partition of the rows: codes and reference codes map one to one
            pairs = set(zip(codes.tolist(), ref.tolist()))
            assert len(pairs) == len(set(codes.tolist())) == len(set(ref.tolist()))
    # an Arrow column in several chunks shares one dictionary
    import pyarrow as pa

    chunked = pa.chunked_array([pa.array(["x", "y"]), pa.array(["y", None, "x"])])
    s = pd.Series(pd.arrays.ArrowStringArray(chunked))
    assert _value_codes(s).tolist() == [0, 1, 1, -1, 0]


def test_an_export_without_any_respondent_id_cleans(tmp_path):
    # every _uuid empty (a short row, or a form without the field): no id repeats, nothing fails
    def no_ids(ls):
        head = ls[0].split(",")
        i = head.index("_uuid")
        rows = []
        for line in ls[1:]:
            cells = line.split(",")
            cells[i] = ""
            rows.append(",".join(cells))
        return [ls[0], *rows]

    path = _variant(tmp_path, "noids.csv", no_ids)
    res = clean_survey(path, MINI_CB, today=TODAY)
    assert "duplicate_uuid" not in set(res.log["rule"])
    assert res.table["respondent_id"].isna().all() and len(res.table) > 0
