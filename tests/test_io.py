"""Readers (CSV encodings and delimiters, Excel, SPSS, Kobo) and the safe CSV writer."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clem_lib import (
    CHECKLIST_FILE,
    ClemInputError,
    clean_survey,
    load_checklist,
    neutralize_formulas,
    read_survey,
    write_csv,
)

FIX = Path(__file__).parent / "fixtures" / "data"
MINI, MINI_CB = FIX / "mini.csv", FIX / "mini.codebook.yml"
TODAY = "2026-01-01"


def _mini_text():
    return MINI.read_text(encoding="utf-8")


def test_reads_kobo_csv_as_strings():
    df = read_survey(MINI)
    assert df.shape == (9, 21)
    assert df.columns[5] == "grp/kecamatan"
    assert df.loc[1, "skm/u1_persyaratan"] == "SANGAT PUAS "  # spaces kept: cleaning logs them
    assert df.loc[0, "resp/umur"] == "34"
    assert pd.isna(df.loc[3, "resp/nama"])  # empty cell is missing, not ""
    assert df.index.tolist() == list(range(9))


@pytest.mark.parametrize("encoding, sep", [("utf-8", ","), ("utf-8-sig", ","), ("cp1252", ";"),
                                           ("utf-8-sig", ";"), ("cp1252", ",")])
def test_csv_encodings_and_delimiters_give_the_same_frame(tmp_path, encoding, sep):
    base = read_survey(MINI)
    text = _mini_text().replace("Antrean lama", "Antrean lama di café")  # a non-ASCII character
    variant = pd.read_csv(pd.io.common.StringIO(text), dtype=str, keep_default_na=False)
    p = tmp_path / f"v_{encoding}_{'semi' if sep == ';' else 'comma'}.csv"
    variant.to_csv(p, sep=sep, index=False, encoding=encoding)
    if encoding == "utf-8-sig":
        assert p.read_bytes()[:3] == b"\xef\xbb\xbf"
    df = read_survey(p)
    assert list(df.columns) == list(base.columns)  # the BOM does not stick to the first name
    assert df.loc[0, "saran"] == "Antrean lama di café"
    pd.testing.assert_frame_equal(df.drop(columns="saran"), base.drop(columns="saran"))


def test_cp1252_export_is_cleaned_like_utf8(tmp_path):
    p = tmp_path / "win.csv"
    p.write_bytes(_mini_text().replace("Antrean lama", "Antrean lama – ruang tunggu panas").encode("cp1252"))
    res = clean_survey(p, MINI_CB, today=TODAY)
    assert "Antrean lama – ruang tunggu panas" in set(res.table["suggestion"].dropna())


def test_excel_sheet_choice(tmp_path):
    raw = read_survey(MINI)
    p = tmp_path / "export.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"catatan": ["lembar ini bukan data"]}).to_excel(xw, sheet_name="catatan", index=False)
        num = raw.copy()
        num["saran"] = num["saran"].str.lstrip("=")  # Excel would store '=...' as a formula
        num["grp/putaran"] = pd.to_numeric(num["grp/putaran"])  # Excel stores numbers as numbers
        num.to_excel(xw, sheet_name="data", index=False)
    df = read_survey(p, sheet="data")
    assert df.shape == raw.shape
    assert df["grp/putaran"].tolist() == raw["grp/putaran"].tolist()  # 1.0 comes back as "1"
    res = clean_survey(p, MINI_CB, today=TODAY, sheet="data")
    ref = clean_survey(MINI, MINI_CB, today=TODAY)
    pd.testing.assert_frame_equal(res.table.drop(columns="suggestion"), ref.table.drop(columns="suggestion"))
    with pytest.raises(ClemInputError, match="there is no sheet 'Sheet9'.*choose one of catatan, data"):
        read_survey(p, sheet="Sheet9")


def test_spss_value_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    raw = read_survey(MINI)
    codes = {"Tidak puas": 1, "Kurang puas": 2, "Puas": 3, "Sangat puas": 4}
    df = raw.copy()
    for col in ("skm/u1_persyaratan", "skm/u3_waktu", "skm/u9_sarana"):
        df[col] = df[col].map(lambda v: codes.get(str(v).strip().capitalize(), np.nan)).astype(float)
    df["grp/putaran"] = pd.to_numeric(df["grp/putaran"])
    df.columns = [c.replace("/", "_").lstrip("_") for c in df.columns]  # SPSS: no '/', no leading '_'
    labels = {k.replace("/", "_"): {float(v): lab for lab, v in codes.items()}
              for k in ("skm/u1_persyaratan", "skm/u3_waktu", "skm/u9_sarana")}
    p = tmp_path / "export.sav"
    pyreadstat.write_sav(df, str(p), variable_value_labels=labels)
    back = read_survey(p)
    assert back.loc[0, "skm_u1_persyaratan"] == "Sangat puas"  # value label applied
    assert back.loc[0, "grp_putaran"] == "1"  # 1.0 -> "1"
    assert pd.isna(back.loc[3, "skm_u1_persyaratan"])
    # the codebook resolves 'grp/kecamatan' style names only with '/', so map through '_' names
    cb = MINI_CB.read_text(encoding="utf-8").replace("source: grp/", "source: grp_") \
        .replace("source: resp/", "source: resp_").replace("source: skm/", "source: skm_") \
        .replace("source: crc/", "source: crc_").replace("source: _", "source: ")
    (tmp_path / "cb.yml").write_text(cb, encoding="utf-8")
    res = clean_survey(p, tmp_path / "cb.yml", today=TODAY)
    assert res.table.set_index("respondent_id").loc["a1", "unsur_persyaratan"] == 4
    assert res.table.set_index("respondent_id").loc["a9", "unsur_sarana"] == 3


@pytest.mark.parametrize("name, pattern", [
    ("does_not_exist.csv", r"does_not_exist.csv: file not found \(fix: check the path"),
    ("empty.csv", r"empty.csv: the file is empty \(fix: "),
    ("header_only.csv", r"header_only.csv: the file has a header but no data rows"),
    ("tab_delimited.csv", r"tab_delimited.csv, row 0: columns are separated by 'tab'.*wrong delimiter"),
    ("undecodable.csv", r"undecodable.csv: undecodable bytes at line 3 \(byte \d+: 0x81\): "
                        r"the file is not UTF-8 nor Windows-1252"),
])
def test_bad_files_raise_one_line(name, pattern):
    with pytest.raises(ClemInputError, match=pattern) as e:
        read_survey(FIX / name)
    assert "\n" not in str(e.value)


def test_explicit_delimiter_mismatch(tmp_path):
    cb = MINI_CB.read_text(encoding="utf-8").replace("delimiter: auto", "delimiter: ';'")
    (tmp_path / "cb.yml").write_text(cb, encoding="utf-8")
    with pytest.raises(ClemInputError, match=r"header has no ';' but \d+ ',': wrong delimiter"):
        read_survey(MINI, tmp_path / "cb.yml")


def test_explicit_encoding_mismatch(tmp_path):
    p = tmp_path / "win.csv"
    p.write_bytes(_mini_text().replace("Antrean lama", "Antrean lama é").encode("cp1252"))
    cb = MINI_CB.read_text(encoding="utf-8").replace("encoding: auto", "encoding: utf-8")
    (tmp_path / "cb.yml").write_text(cb, encoding="utf-8")
    with pytest.raises(ClemInputError, match=r"undecodable bytes at line 2 .*not utf-8"):
        read_survey(p, tmp_path / "cb.yml")


def test_unsupported_extension(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{}")
    with pytest.raises(ClemInputError, match="unsupported file type '.json'"):
        read_survey(p)


def test_neutralize_formulas():
    df = pd.DataFrame({
        "text": ["=HYPERLINK(\"http://x\")", "+62 812", "-3", "@SUM(A1)", "- antrean", "ok", None, "+1.5e3"],
        "num": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
    })
    out = neutralize_formulas(df)
    assert out["text"].tolist()[:6] == ["'=HYPERLINK(\"http://x\")", "'+62 812", "-3", "'@SUM(A1)",
                                        "'- antrean", "ok"]
    assert pd.isna(out["text"].iloc[6]) and out["text"].iloc[7] == "+1.5e3"
    assert out["num"].tolist() == df["num"].tolist()
    assert df["text"].iloc[0].startswith("=")  # input untouched


def test_neutralize_formulas_matches_its_definition_on_odd_cells():
    """Prefixed exactly when the cell starts with = + - @ tab or CR and is not a number."""
    import re

    from clem_lib.io import _NUMBER_RE

    cells = ["=1+1", " =1", "\t=cmd", "\rx", "-", "+", "@", "", "-٣", "+٣,5", "- 3", "-3 ", "+62", "-.5",
             "-1e5", "-1e", "=", "–3", "＋1", "ok", None, 42, -7.5, "@@", "-3-3"]
    df = pd.DataFrame({"c": pd.Series(cells, dtype=object), "s": pd.Series(cells, dtype=object).astype("string")})
    out = neutralize_formulas(df)

    def expected(v):
        if v is None or pd.isna(v):
            return v
        t = str(v)
        return "'" + t if re.match(r"^[=+\-@\t\r]", t) and not re.match(_NUMBER_RE, t) else v

    for col in ("c", "s"):
        got = out[col].tolist()
        want = [expected(v) for v in df[col].tolist()]
        assert [None if pd.isna(g) else g for g in got] == [None if pd.isna(w) else w for w in want], col
    assert out["c"].tolist()[:4] == ["'=1+1", " =1", "'\t=cmd", "'\rx"]


def test_write_csv_is_safe_atomic_and_deterministic(tmp_path):
    df = pd.DataFrame({"unit": ["Kec. Serengan", "=cmd|' /C calc'!A0"], "x": [0.1 + 0.2, -1.0],
                       "n": pd.array([3, None], dtype="Int64")})
    p = write_csv(df, tmp_path / "sub" / "out.csv")
    text = p.read_bytes().decode("utf-8")
    assert text == "unit,x,n\nKec. Serengan,0.3,3\n'=cmd|' /C calc'!A0,-1,\n"
    assert [f.name for f in p.parent.iterdir()] == ["out.csv"]  # no temporary file left
    write_csv(df, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_bytes() == p.read_bytes()


def test_load_checklist():
    ck = load_checklist(CHECKLIST_FILE)
    assert list(ck.columns) == ["unit", "round", "component", "category", "present"]
    assert len(ck) == 12 * 2 * 20  # the six units and the six facilities, two rounds, 20 items
    assert ck.groupby(["unit", "round"]).size().eq(20).all()
    assert set(ck["category"]) == {"penyampaian", "pengelolaan", "aksesibilitas"}
    assert (ck["category"] != "aksesibilitas").groupby([ck["unit"], ck["round"]]).sum().eq(14).all()
    share = ck.groupby(["unit", "round"])["present"].mean()
    assert share[("Dispendukcapil", 2)] > share[("Dispendukcapil", 1)] + 0.3
    assert share.xs(1, level="round").idxmin() == "Kec. Pasar Kliwon"
    assert str(ck["present"].dtype) == "boolean"


def test_load_checklist_bad_values(tmp_path):
    p = tmp_path / "ck.csv"
    p.write_text("unit,round,component,category,present\nSERENGAN,1,Persyaratan,penyampaian,ya\n"
                 "Kec. Jebres,1,Biaya/tarif,penyampaian,mungkin\n", encoding="utf-8")
    with pytest.raises(ClemInputError, match=r"row 2, column 'present': present 'mungkin' is not ya/tidak"):
        load_checklist(p)
    p.write_text("unit,round,component,category,present\nSERENGAN,1,Persyaratan,penyampaian,ya\n"
                 "Kec. Jebres,1,Biaya/tarif,penyampaian,\n", encoding="utf-8")
    ck = load_checklist(p)
    assert ck["unit"].tolist() == ["Kec. Jebres", "Kec. Serengan"]
    assert pd.isna(ck["present"].iloc[0]) and ck["present"].iloc[1]


def test_tsv_extension_reads_tabs(tmp_path):
    p = tmp_path / "export.tsv"
    p.write_bytes((FIX / "tab_delimited.csv").read_bytes())
    df = read_survey(p)
    assert df.shape == (2, 21) and df.loc[1, "grp/kecamatan"] == "SERENGAN"


def test_written_files_are_readable_by_others_like_any_ordinary_file(tmp_path):
    import stat

    import pandas as pd

    from clem_lib.io import write_csv

    out = write_csv(pd.DataFrame({"a": [1]}), tmp_path / "x.csv")
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode & stat.S_IRUSR and mode & stat.S_IRGRP and mode & stat.S_IROTH, oct(mode)
