"""Cleaning rules on a small hand-made Kobo export, each change checked in the audit log."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clem_lib import (
    LOG_COLUMNS,
    ClemInputError,
    Problem,
    clean_frame,
    clean_survey,
    load_codebook,
    load_units,
    read_survey,
    validate_survey,
    write_cleaned,
)

FIX = Path(__file__).parent / "fixtures" / "data"
MINI, MINI_CB = FIX / "mini.csv", FIX / "mini.codebook.yml"
TODAY = "2026-01-01"


@pytest.fixture(scope="module")
def res():
    return clean_survey(MINI, MINI_CB, today=TODAY)


def _log(res, row):
    sub = res.log[res.log["row"] == row]
    return sorted(map(tuple, sub[["column", "old", "new", "rule"]].astype(object).fillna("").values.tolist()))


def test_rows_kept_and_sorted(res):
    # rows 4 (consent no), 5 (same uuid as row 1) and 6 (double tap of row 2) are removed
    assert res.n_raw == 9
    assert res.table["respondent_id"].tolist() == ["a3", "a1", "a2", "a7", "a9", "a8"]
    assert res.survey_name == "mini"


def test_values_and_dtypes(res):
    t = res.table.set_index("respondent_id")
    assert t.loc["a1", ["unsur_persyaratan", "unsur_waktu", "unsur_sarana"]].tolist() == [4, 3, 2]
    assert t.loc["a2", ["unsur_persyaratan", "unsur_waktu", "unsur_sarana"]].tolist() == [4, 4, 4]
    assert t.loc["a3", ["unsur_persyaratan", "unsur_waktu", "unsur_sarana"]].isna().all()
    assert t.loc["a9", ["unsur_persyaratan", "unsur_waktu"]].tolist() == [2, 1]
    assert t.loc["a2", "gender"] == "female" and t.loc["a9", "gender"] == "male"
    assert t.loc["a2", "cost_paid"] == 50000.0 and t.loc["a9", "cost_paid"] == 25000.0
    assert pd.isna(t.loc["a3", "age"]) and pd.isna(t.loc["a9", "age"]) and t.loc["a8", "age"] == 61
    assert t.loc["a9", "interview_date"] == pd.Timestamp("2024-09-15")  # dd/mm/yyyy read day first
    assert pd.isna(t.loc["a8", "interview_date"])
    assert t.loc["a9", "unit"] == "Kec. Pasar Kliwon" and t.loc["a9", "unit_slug"] == "kec-pasar-kliwon"
    assert t.loc["a3", "sector"] == "adminduk"  # Dispendukcapil serves one sector only
    assert pd.isna(t.loc["a1", "sector"])
    assert t.loc["a8", ["elderly", "pregnant", "disability", "with_child"]].tolist() == [True, True, False, False]
    assert t.loc["a2", "special_group"] == False and t.loc["a3", "special_group"] == True  # noqa: E712
    assert pd.isna(t.loc["a9", "facility_friendly"]) and t.loc["a1", "facility_friendly"] == False  # noqa: E712
    dt = res.table.dtypes.astype(str)
    assert dt["respondent_id"] == "string" and dt["round"] == "Int64" and dt["age"] == "Float64"
    assert dt["unsur_waktu"] == "Int64" and dt["special_group"] == "boolean"
    assert dt["interview_date"] == "datetime64[ns]" and dt["facility_friendly"] == "boolean"
    assert "nama" not in res.table.columns and "nik" not in res.table.columns
    assert "weight" not in res.table.columns  # absent: equal weights


def test_quality_flags(res):
    t = res.table.set_index("respondent_id")
    assert t["speeder"].tolist() == [False, False, False, False, False, True]  # a8: 3 minutes
    assert t.loc["a8", "straightliner"] and t.loc["a2", "straightliner"]
    assert not t.loc["a1", "straightliner"]
    assert not t.loc["a3", "straightliner"]  # nothing answered is not straight-lining


def test_audit_log_exact(res):
    assert list(res.log.columns) == LOG_COLUMNS
    assert _log(res, 2) == sorted([
        ("grp/kecamatan", "SERENGAN", "Kec. Serengan", "unit_alias"),
        ("resp/jk", "P", "female", "alias"),
        ("saran", "<removed>", "hubungi [telepon] ya", "pii_free_text"),
        ("skm/u1_persyaratan", "SANGAT PUAS ", "4", "alias"),
        ("skm/u3_waktu", "sgt puas", "4", "alias"),
    ])
    assert _log(res, 3) == sorted([
        ("crc/biaya", "-100", "", "out_of_range"),
        ("crc/ramah", "TT", "", "unmatched_label"),
        ("resp/umur", "250", "", "out_of_range"),
        ("saran", "<removed>", "email [email]", "pii_free_text"),
        ("skm/u1_persyaratan", "Tidak tahu", "", "missing_code"),
        ("skm/u3_waktu", "Puass", "", "unmatched_label"),
        ("skm/u9_sarana", "5", "", "out_of_range"),
    ])
    # removed rows: only the removal, no value corrections
    assert _log(res, 4) == [("grp/setuju", "Tidak", "<row removed>", "consent_refused")]
    assert _log(res, 5) == [("_uuid", "a1", "<row removed>", "duplicate_uuid")]
    assert _log(res, 6) == [("_uuid", "a6", "<row removed>", "duplicate_answers")]
    assert ("grp/tanggal", "2099-01-01", "", "future_date") in _log(res, 8)
    assert ("resp/umur", "abc", "", "not_a_number") in _log(res, 9)
    assert _log(res, 1) == []
    assert res.log["row"].isna().sum() == 3  # one entry per dropped personal column
    assert set(res.log.loc[res.log["row"].isna(), "rule"]) == {"pii_dropped"}


def test_summary_by_rule_and_unit(res):
    s = res.summary.set_index(["rule", "unit"])["n"]
    assert s[("consent_refused", "Kec. Jebres")] == 1
    assert s[("duplicate_uuid", "Kec. Serengan")] == 1
    assert s[("out_of_range", "Dispendukcapil")] == 3
    assert s[("pii_dropped", "")] == 3
    assert s.sum() == len(res.log)
    assert list(res.summary.columns) == ["rule", "unit", "n"]


def test_summary_agrees_with_a_groupby_of_the_log_and_with_summarize_log():
    from clem_lib import SAMPLE_CODEBOOK, SAMPLE_DATA
    from clem_lib.cleaning import RULES, summarize_log
    from clem_lib.codebook import normalize_label

    big = clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, today=TODAY)
    raw = read_survey(SAMPLE_DATA, load_codebook(SAMPLE_CODEBOOK))
    # each raw row's unit, mapped from the spelling typed through units.yml's names and aliases
    units = load_units()
    name_of = {normalize_label(a): name for name, aliases in zip(units["name"], units["aliases"])
               for a in [name, *aliases]}
    unit_by_row = pd.Series([name_of[normalize_label(v)] for v in raw["identitas/kecamatan"]], index=raw.index + 1)
    log = big.log.assign(unit=big.log["row"].map(unit_by_row).fillna(""))
    ref = log.groupby(["rule", "unit"]).size()
    got = big.summary.set_index(["rule", "unit"])["n"]
    assert got.to_dict() == ref.to_dict()
    assert list(dict.fromkeys(big.summary["rule"])) == [r for r in RULES if r in set(big.log["rule"])]
    pd.testing.assert_frame_equal(summarize_log(big.log, unit_by_row), big.summary)


def test_duplicate_window(tmp_path):
    cb = MINI_CB.read_text(encoding="utf-8").replace("duplicate_window_minutes: 10",
                                                     "duplicate_window_minutes: 1")
    (tmp_path / "cb.yml").write_text(cb, encoding="utf-8")
    r = clean_survey(MINI, tmp_path / "cb.yml", today=TODAY)
    assert "a6" in set(r.table["respondent_id"])  # 2 minutes apart > 1 minute window
    cb = cb.replace("duplicate_window_minutes: 1", "duplicate_window_minutes: 200")
    (tmp_path / "cb.yml").write_text(cb, encoding="utf-8")
    r = clean_survey(MINI, tmp_path / "cb.yml", today=TODAY)
    assert "a7" not in set(r.table["respondent_id"])  # 3 hours apart < 200 minutes


def test_group_prefix_resolution_and_split_select_multiple(tmp_path):
    raw = read_survey(MINI)
    for choice in ("disabilitas", "lansia", "ibu_hamil", "anak"):
        raw[f"resp/kelompok/{choice}"] = raw["resp/kelompok"].str.contains(choice).map({True: "1", False: "0"})
    raw = raw.drop(columns="resp/kelompok")
    cb = load_codebook(MINI_CB)
    # codebook names without the Kobo group prefix still find their columns
    text = MINI_CB.read_text(encoding="utf-8").replace("source: skm/u1_persyaratan", "source: u1_persyaratan")
    (tmp_path / "cb.yml").write_text(text, encoding="utf-8")
    r = clean_frame(raw, load_codebook(tmp_path / "cb.yml"), load_units(), today=TODAY)
    ref = clean_frame(read_survey(MINI), cb, load_units(), today=TODAY)
    pd.testing.assert_frame_equal(r.table, ref.table)


def test_future_date_uses_today():
    r = clean_survey(MINI, MINI_CB, today="2100-01-01")
    assert r.table.set_index("respondent_id").loc["a8", "interview_date"] == pd.Timestamp("2099-01-01")


def test_missing_required_column_names_codebook_entry():
    with pytest.raises(ClemInputError) as e:
        clean_survey(FIX / "missing_column.csv", MINI_CB, today=TODAY)
    msg = str(e.value)
    assert "missing_column.csv, column 'skm/u3_waktu'" in msg
    assert "codebook entry 'unsur_waktu', role unsur" in msg and "\n" not in msg


def test_unknown_unit_lists_close_ones():
    with pytest.raises(ClemInputError) as e:
        clean_survey(FIX / "unknown_unit.csv", MINI_CB, today=TODAY)
    msg = str(e.value)
    assert "row 2, column 'grp/kecamatan': unit 'Kec. Serangan Baru' is not in units.yml" in msg
    assert "close: Kec. Serengan" in msg and "fix: add it as an alias" in msg


def test_too_many_unmatched_labels():
    with pytest.raises(ClemInputError) as e:
        clean_survey(FIX / "unmatched_labels.csv", MINI_CB, today=TODAY)
    msg = str(e.value)
    assert "column 'skm/u9_sarana'" in msg and "3 of 3 answers (100%) match no level" in msg
    assert "'Puass' (did you mean 'Puas'?)" in msg and "'Sangat puass' (did you mean 'Sangat puas'?)" in msg


@pytest.mark.parametrize("data, codebook, expected", [
    ("does_not_exist.csv", "mini.codebook.yml", "file not found"),
    ("empty.csv", "mini.codebook.yml", "the file is empty"),
    ("header_only.csv", "mini.codebook.yml", "header but no data rows"),
    ("tab_delimited.csv", "mini.codebook.yml", "wrong delimiter"),
    ("undecodable.csv", "mini.codebook.yml", "undecodable bytes at line 3"),
    ("missing_column.csv", "mini.codebook.yml", "required column 'skm/u3_waktu'"),
    ("unknown_unit.csv", "mini.codebook.yml", "not in units.yml"),
    ("unmatched_labels.csv", "mini.codebook.yml", "match no level"),
    ("mini.csv", "bad_yaml.codebook.yml", "not valid YAML"),
    ("mini.csv", "unknown_scale.codebook.yml", "unknown scale 'puas5'"),
])
def test_every_bad_input_is_one_error_line_and_writes_nothing(tmp_path, data, codebook, expected):
    before = sorted(p.name for p in FIX.iterdir())
    with pytest.raises(ClemInputError) as e:
        clean_survey(FIX / data, FIX / codebook, today=TODAY)
    assert expected in str(e.value) and "\n" not in str(e.value) and "(fix: " in str(e.value)
    problems = validate_survey(FIX / data, FIX / codebook, today=TODAY)
    assert [p.level for p in problems] == ["error"]
    assert expected in problems[0].message
    assert sorted(p.name for p in FIX.iterdir()) == before
    assert list(tmp_path.iterdir()) == []


def test_validate_warnings_and_clean_export():
    problems = validate_survey(MINI, MINI_CB, today=TODAY)
    assert all(isinstance(p, Problem) and p.level == "warning" for p in problems)
    waktu = [p for p in problems if p.column == "skm/u3_waktu"][0]
    assert waktu.row == 3 and "'Puass' (did you mean 'Puas'?)" in waktu.message
    assert str(waktu).startswith("warning: row 3, column 'skm/u3_waktu': 1 answer(s) match no level")
    err = validate_survey(FIX / "unknown_unit.csv", MINI_CB)[0]
    assert err.row == 2 and err.column == "grp/kecamatan" and err.message.startswith("unit 'Kec. Serangan Baru'")
    assert "unknown_unit.csv" not in err.message  # the CLI prefixes the file itself


def test_write_cleaned_roundtrip(res, tmp_path):
    out = write_cleaned(res, tmp_path / "cleaned.parquet")
    back = pd.read_parquet(out)
    pd.testing.assert_frame_equal(back, res.table)
    log = pd.read_csv(tmp_path / "cleaned.log.csv", dtype=str, keep_default_na=False)
    assert list(log.columns) == LOG_COLUMNS and len(log) == len(res.log)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cleaned.log.csv", "cleaned.parquet", "cleaned.summary.csv"]
    summary = pd.read_csv(tmp_path / "cleaned.summary.csv", keep_default_na=False)
    assert list(summary.columns) == ["rule", "unit", "n"] and len(summary) == len(res.summary) > 0
    expected = res.summary.astype({"rule": object, "unit": object}).fillna("").reset_index(drop=True)
    pd.testing.assert_frame_equal(summary, expected, check_dtype=False)
    with pytest.raises(ClemInputError, match="parquet"):
        write_cleaned(res, tmp_path / "cleaned.csv")


def test_many_rows_clean_the_same_as_few():
    """20,000 rows (copies of six) give the six rows' changes 3,400 times over.

    Speed is measured by the benchmarks (``make bench``), not here."""
    raw = read_survey(MINI)
    big = pd.concat([raw.iloc[[0, 1, 2, 6, 7, 8]]] * 3400, ignore_index=True)
    big["_uuid"] = [f"id{i}" for i in range(len(big))]
    big["_submission_time"] = (pd.Timestamp("2024-03-04") + pd.to_timedelta(np.arange(len(big)) * 20, unit="min")
                               ).astype(str)
    r = clean_frame(big, load_codebook(MINI_CB), load_units(), today=TODAY)
    assert len(r.table) == len(big)
    assert (r.log["rule"] == "out_of_range").sum() == 3 * 3400


def test_same_input_same_bytes(tmp_path):
    for name in ("a", "b"):
        write_cleaned(clean_survey(MINI, MINI_CB, today=TODAY), tmp_path / name / "cleaned.parquet")
    for f in ("cleaned.parquet", "cleaned.log.csv", "cleaned.summary.csv"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()


def test_validate_lists_every_error_in_one_pass(tmp_path):
    """Two unknown units, a column of unreadable labels and a round that is not a whole number:
    cleaning stops at the first, validate names all four with row and column."""
    raw = read_survey(MINI)
    raw.loc[1, "grp/kecamatan"] = "Kec. Atlantis"
    raw.loc[4, "grp/kecamatan"] = "Kec. Lemuria"
    raw.loc[6, "grp/kecamatan"] = "Kec. Atlantis"
    raw["skm/u9_sarana"] = "lumayan"
    raw.loc[7, "grp/putaran"] = "1.5"
    bad = tmp_path / "bad.csv"
    raw.to_csv(bad, index=False)
    with pytest.raises(ClemInputError, match=r"row 2, column 'grp/kecamatan': unit 'Kec. Atlantis' .*"
                                             r"\(2 unknown unit values in all\)"):
        clean_survey(bad, MINI_CB, today=TODAY)
    problems = validate_survey(bad, MINI_CB, today=TODAY)
    assert [p.level for p in problems] == ["error"] * 4
    where = [(p.row, p.column) for p in problems]
    assert where == [(2, "grp/kecamatan"), (5, "grp/kecamatan"), (8, "grp/putaran"), (1, "skm/u9_sarana")], where
    assert problems[1].message.startswith("unit 'Kec. Lemuria' is not in units.yml")
    assert "'1.5' is not a whole number" in problems[2].message
    assert "match no level of scale" in problems[3].message
    assert all("\n" not in str(p) and p.fix for p in problems)
    # the same export without those mistakes validates with warnings only
    assert all(p.level == "warning" for p in validate_survey(MINI, MINI_CB, today=TODAY))


# -- a survey without id, round or sector, with checkbox labels (as Google Forms exports it) -------

_FORMS_CB = """
survey_name: forms
columns:
  - {source: Stempel waktu, role: interview_date}
  - {source: Unit layanan, role: unit}
  - {source: Kelompok, role: special_groups, separator: ", ",
     choices: {Lansia: elderly, Ibu hamil: pregnant, Penyandang disabilitas: disability,
               Membawa anak: with_child, Tidak ada: null}%s}
  - {source: Persyaratan, role: unsur, unsur: persyaratan, scale: skm_persyaratan}
  - {source: Biaya, role: unsur, unsur: biaya, scale: skm_biaya}
  - {source: Pengaduan, role: unsur, unsur: pengaduan, scale: skm_pengaduan}
"""
_FORMS_ROWS = [
    # Stempel waktu, unit, kelompok, persyaratan, biaya, pengaduan
    ("24/09/2025 10:15:33", "Kec. Serengan", "Lansia, Ibu hamil", "Sangat sesuai", "Gratis", "Dikelola dengan baik"),
    ("24/09/2025 10:20:01", "Serengan", "", "SANGAT SESUAI", "Cukup mahal", "Ada tetapi tidak berfungsi"),
    ("25/09/2025 08:01:00", "Dispendukcapil", "Penyandang disabilitas", "Kurang sesuai", "murah", "Tidak ada"),
    ("25/09/2025 09:00:00", "Dispendukcapil", "Tidak ada", "Sesuai", "4", "Berfungsi kurang maksimal"),
]


def _forms(tmp_path, rows=_FORMS_ROWS, blank=""):
    data = tmp_path / "forms.csv"
    pd.DataFrame(rows, columns=["Stempel waktu", "Unit layanan", "Kelompok", "Persyaratan", "Biaya",
                                "Pengaduan"]).to_csv(data, index=False)
    cb = tmp_path / "forms.codebook.yml"
    cb.write_text(_FORMS_CB % blank, encoding="utf-8")
    return data, cb


def test_survey_without_id_round_or_sector_cleans(tmp_path):
    data, cb = _forms(tmp_path)
    r = clean_survey(data, cb, today=TODAY)
    t = r.table
    # every data row is a respondent, numbered by its row; one round
    assert sorted(t["respondent_id"]) == ["1", "2", "3", "4"]
    assert t["round"].tolist() == [1, 1, 1, 1] and str(t["round"].dtype) == "Int64"
    t = t.set_index("respondent_id")
    # the official labels of each unsur, through the built-in scales
    assert t.loc["1", ["unsur_persyaratan", "unsur_biaya", "unsur_pengaduan"]].tolist() == [4, 4, 4]
    assert t.loc["2", ["unsur_persyaratan", "unsur_biaya", "unsur_pengaduan"]].tolist() == [4, 2, 2]
    assert t.loc["3", ["unsur_persyaratan", "unsur_biaya", "unsur_pengaduan"]].tolist() == [2, 3, 1]
    assert t.loc["4", ["unsur_persyaratan", "unsur_biaya", "unsur_pengaduan"]].tolist() == [3, 4, 3]
    assert t.loc["1", "interview_date"] == pd.Timestamp("2025-09-24")
    # checkbox labels joined by ", "; a blank cell is "nothing ticked" by default
    assert t.loc["1", ["elderly", "pregnant", "disability", "with_child"]].tolist() == [True, True, False, False]
    assert t.loc["2", ["elderly", "pregnant", "disability", "with_child"]].tolist() == [False] * 4
    assert t.loc["3", "disability"] == True and t.loc["4", "special_group"] == False  # noqa: E712
    assert t.loc["2", "special_group"] == False  # noqa: E712
    assert pd.isna(t.loc["1", "sector"])  # Kec. Serengan serves three sectors: none implied
    assert t.loc["3", "sector"] == "adminduk"  # Dispendukcapil serves one
    # case variants are logged as aliases, with no row id column to name: the row number says it
    aliases = r.log[r.log["rule"] == "alias"]
    assert ("Persyaratan", "SANGAT SESUAI", "4") in set(map(tuple, aliases[["column", "old", "new"]].values))


def test_a_mostly_blank_select_multiple_is_a_warning_saying_what_blanks_count_as(tmp_path):
    rows = [r[:2] + ("",) + r[3:] for r in _FORMS_ROWS]
    data, cb = _forms(tmp_path, rows=rows)
    problems = validate_survey(data, cb, today=TODAY)
    warn = [p for p in problems if p.column == "Kelompok"]
    assert [p.level for p in warn] == ["warning"]
    assert "100% of the cells are blank; they count as nothing ticked" in warn[0].message
    assert "blank: missing" in warn[0].fix
    rows[0] = _FORMS_ROWS[0]
    data, cb = _forms(tmp_path, rows=rows)  # three blanks in four: as many users belong to no group
    assert not [p for p in validate_survey(data, cb, today=TODAY) if p.column == "Kelompok"]
    data, cb = _forms(tmp_path)
    assert not [p for p in validate_survey(data, cb, today=TODAY) if p.column == "Kelompok"]


def test_select_multiple_blank_missing_and_unknown_choice(tmp_path):
    data, cb = _forms(tmp_path, blank=", blank: missing")
    t = clean_survey(data, cb, today=TODAY).table.set_index("respondent_id")
    assert t.loc["2", ["elderly", "pregnant", "disability", "with_child", "special_group"]].isna().all()
    assert t.loc["4", "special_group"] == False  # noqa: E712  "Tidak ada" ticked
    rows = list(_FORMS_ROWS)
    rows[1] = rows[1][:2] + ("Lansia, Veteran",) + rows[1][3:]
    data, cb = _forms(tmp_path, rows=rows)
    with pytest.raises(ClemInputError) as e:
        clean_survey(data, cb, today=TODAY)
    msg = str(e.value)
    assert "row 2" in msg and "'Kelompok'" in msg and "'Lansia, Veteran'" in msg and "choices:" in msg
    problems = validate_survey(data, cb, today=TODAY)
    assert [p.level for p in problems if "choices the codebook does not list" in p.message] == ["error"]


def test_split_select_multiple_blank_means_none_or_missing(tmp_path):
    raw = read_survey(MINI)
    for choice in ("disabilitas", "lansia", "ibu_hamil", "anak"):
        raw[f"resp/kelompok/{choice}"] = raw["resp/kelompok"].str.contains(choice).map({True: "1", False: ""})
    raw = raw.drop(columns="resp/kelompok")
    for blank, expect in (("none", False), ("missing", None)):
        text = MINI_CB.read_text(encoding="utf-8").replace(
            "    role: special_groups\n", f"    role: special_groups\n    blank: {blank}\n")
        (tmp_path / "cb.yml").write_text(text, encoding="utf-8")
        t = clean_frame(raw, load_codebook(tmp_path / "cb.yml"), load_units(), today=TODAY).table
        t = t.set_index("respondent_id")
        # a2 ticked nothing: every split column blank
        got = t.loc["a2", "elderly"]
        assert (pd.isna(got) if expect is None else got == expect)
        assert t.loc["a1", "elderly"] == True  # noqa: E712


def test_amounts_typed_as_words_or_with_trailing_marks(tmp_path):
    data = tmp_path / "a.csv"
    pd.DataFrame({"Unit": ["Dispendukcapil"] * 5, "U1": ["Sesuai"] * 5,
                  "Biaya": ["Rp 25.000", "gratis", "Rp. 10.000,-", "Rp 1.250.000,00", "mahal"],
                  "Umur": ["gratis", "40", "41", "42", "43"]}).to_csv(data, index=False)
    cb = tmp_path / "a.codebook.yml"
    cb.write_text("survey_name: a\ncolumns:\n  - {source: Unit, role: unit}\n"
                  "  - {source: U1, role: unsur, unsur: persyaratan, scale: skm_persyaratan}\n"
                  "  - {source: Biaya, role: amount, name: cost_paid}\n  - {source: Umur, role: age}\n",
                  encoding="utf-8")
    r = clean_survey(data, cb, today=TODAY)
    t = r.table.set_index("respondent_id")
    assert t["cost_paid"].tolist()[:4] == [25000.0, 0.0, 10000.0, 1250000.0] and pd.isna(t.loc["5", "cost_paid"])
    assert pd.isna(t.loc["1", "age"])  # "gratis" means nothing paid only for an amount
    log = set(map(tuple, r.log[["row", "column", "old", "new", "rule"]].astype(str).values))
    assert ("2", "Biaya", "gratis", "0", "alias") in log and ("5", "Biaya", "mahal", "", "not_a_number") in log


def test_split_choice_columns_are_read_before_a_joined_column_of_labels(tmp_path):
    # a Kobo export with labels: the joined column cannot be split (labels hold spaces)
    src = "Special groups"
    data = tmp_path / "k.csv"
    pd.DataFrame({"Unit": ["Dispendukcapil"] * 3, "U1": ["Sesuai"] * 3,
                  src: ["Elderly (60 or older) Pregnant woman", "", "Person with a disability"],
                  f"{src}/Elderly (60 or older)": ["1", "0", "0"],
                  f"{src}/Pregnant woman": ["1", "0", "0"],
                  f"{src}/Person with a disability": ["0", "0", "1"]}).to_csv(data, index=False)
    cb = tmp_path / "k.codebook.yml"
    cb.write_text("survey_name: k\ncolumns:\n  - {source: Unit, role: unit}\n"
                  "  - {source: U1, role: unsur, unsur: persyaratan, scale: skm_persyaratan}\n"
                  f"  - {{source: {src}, role: special_groups, choices: {{'Elderly (60 or older)': elderly, "
                  "'Pregnant woman': pregnant, 'Person with a disability': disability}}\n", encoding="utf-8")
    t = clean_survey(data, cb, today=TODAY).table.set_index("respondent_id")
    assert t.loc["1", ["elderly", "pregnant", "disability"]].tolist() == [True, True, False]
    assert t.loc["2", ["elderly", "pregnant", "disability", "special_group"]].tolist() == [False] * 4
    assert t.loc["3", "disability"] == True  # noqa: E712
