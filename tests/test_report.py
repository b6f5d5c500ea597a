"""Report text: labels, number formats, small-cell suppression, escaping, sentences, results rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clem_lib as clem
from clem_lib.errors import ClemInputError
from clem_lib.report import LABELS, _RESULTS_COLUMNS


def test_every_label_has_both_languages_and_the_same_placeholders():
    import string

    for key, texts in LABELS.items():
        assert set(texts) == {"id", "en"}, key
        assert texts["id"].strip() and texts["en"].strip(), key
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(t) if f} for lang, t in texts.items()}
        assert fields["id"] == fields["en"], key


def test_label_switches_language_and_fails_loudly():
    assert clem.label("sec_headline", "id") == "Ringkasan utama"
    assert clem.label("sec_headline", "en") == "Headline"
    with pytest.raises(KeyError, match="no report label 'nope'"):
        clem.label("nope")
    with pytest.raises(ValueError, match="use 'id'"):
        clem.label("sec_headline", "fr")


@pytest.mark.parametrize("value, decimals, lang, expected", [
    (1234.55, 1, "id", "1.234,6"),
    (1234.55, 1, "en", "1,234.6"),
    (76.605, 2, "id", "76,61"),      # half up on the decimal value, not banker's rounding
    (2.675, 2, "en", "2.68"),
    (-0.04, 1, "id", "0,0"),         # no negative zero
    (-3.25, 1, "id", "−3,3"),        # a real minus sign
    (1500000, 0, "id", "1.500.000"),
    (np.nan, 1, "id", "–"),
    (pd.NA, 1, "en", "–"),
])
def test_fmt_number(value, decimals, lang, expected):
    assert clem.fmt_number(value, decimals, lang) == expected


def test_other_formats():
    assert clem.fmt_number(0.5, 2, "id", signed=True) == "+0,50"
    assert clem.fmt_percent(0.534, 0, "id") == "53%"
    assert clem.fmt_percent(53.45, 1, "en", scale=1.0) == "53.5%"
    assert clem.fmt_rupiah(15000, "id") == "Rp 15.000"
    assert clem.fmt_rupiah(15000, "en") == "Rp 15,000"
    assert clem.fmt_p(0.0004, "id") == "< 0,001"
    assert clem.fmt_p(0.0456, "en") == "0.046"
    assert clem.fmt_interval(74.14, 79.86, 1, "id") == "IK 95% 74,1–79,9"
    assert clem.fmt_interval(-0.5, 0.25, 2, "en") == "95% CI −0.50 to 0.25"
    assert clem.fmt_interval(44.0, 62.0, 0, "id", percent=True, scale=1.0, prefix=False) == "44%–62%"


def test_small_cell_suppression():
    assert clem.is_small(4, 5) and not clem.is_small(5, 5) and clem.is_small(pd.NA, 5)
    assert clem.fmt_estimate(0.53, 4, min_n=5, kind="percent") == "n < 5"
    assert clem.fmt_estimate(0.53, 5, min_n=5, kind="percent") == "53%"
    assert clem.fmt_estimate(0.53, 9, min_n=10, kind="percent", lang="en") == "n < 10"
    df = pd.DataFrame({"group": ["a", "b"], "n": [3, 40], "mean": [2.5, 3.1]})
    out = clem.suppress_table(df, value_columns=["mean"], min_n=5)
    assert out["mean"].tolist() == ["n < 5", 3.1]
    assert out["n"].tolist() == [3, 40]  # the count itself stays


def test_report_table_formats_translates_and_suppresses():
    df = pd.DataFrame({"unsur": ["waktu", "sarana"], "n": [120, 3], "nrr": [3.0512, 2.0],
                       "p": [0.0004, 0.2]})
    t = clem.report_table(df, {"unsur": "col_unsur", "n": "col_n", "nrr": "col_nrr", "p": "col_p_adj"},
                          lang="id", formats={"unsur": "unsur", "n": "int", "nrr": "number2", "p": "p"},
                          suppress=("nrr", "p"), min_n=5)
    assert list(t.frame.columns) == ["Unsur", "n", "NRR", "p (Holm)"]
    assert t.frame.iloc[0].tolist() == ["Waktu penyelesaian", "120", "3,05", "< 0,001"]
    assert t.frame.iloc[1].tolist() == ["Sarana dan prasarana", "3", "n < 5", "n < 5"]
    html = t._repr_html_()
    assert ">Unsur</th>" in html and "n &lt; 5" in html
    en = clem.report_table(df, {"unsur": "col_unsur"}, lang="en", formats={"unsur": "unsur"})
    assert en.frame.iloc[1, 0] == "Facilities and infrastructure"


def test_free_text_is_escaped_never_run():
    evil = '<script>alert("x")</script> <img src=x onerror=alert(1)> & **bold**'
    esc = clem.escape_text(evil)
    assert "<script>" not in esc and "&lt;script&gt;" in esc and "&lt;img" in esc
    assert "&amp;" in esc and "&quot;x&quot;" in esc
    md = clem.escape_text(evil, markdown=True)
    assert r"\*\*bold\*\*" in md
    table = clem.report_table(pd.DataFrame({"suggestion": [evil]}), {"suggestion": "col_suggestion"},
                              formats={"suggestion": "text"}, n_column=None)
    html = table._repr_html_()
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert clem.escape_text(pd.NA) == ""


def test_resolve_unit_accepts_aliases_and_names_close_ones():
    units = clem.load_units()
    assert clem.resolve_unit("Kec. Serengan", units) == "Kec. Serengan"
    assert clem.resolve_unit("kec-serengan", units) == "Kec. Serengan"
    assert clem.resolve_unit("KEC SERENGAN", units) == "Kec. Serengan"
    assert clem.resolve_unit("Disdukcapil", units) == "Dispendukcapil"
    with pytest.raises(ClemInputError) as err:
        clem.resolve_unit("Kec. Serengen", units)
    msg = str(err.value)
    assert "unknown unit 'Kec. Serengen'" in msg and "'Kec. Serengan'" in msg and "\n" not in msg


@pytest.mark.parametrize("kw, fragment", [
    ({"lang": "fr"}, "unknown language 'fr'"),
    ({"alpha": 0.0}, "alpha 0.0 is not in (0, 0.5]"),
    ({"min_n": 0}, "min_n 0"),
    ({"round": -1}, "round -1"),
    ({"seed": -5}, "seed -5"),
])
def test_validate_report_params_rejects_bad_values(kw, fragment):
    with pytest.raises(ClemInputError, match=None) as err:
        clem.validate_report_params(units=clem.load_units(), **kw)
    assert fragment in str(err.value)


def test_validate_report_params_returns_canonical_values():
    got = clem.validate_report_params(unit="serengan", units=clem.load_units(), lang="en", alpha=0.01,
                                      min_n=10, round=2, seed=1)
    assert got == {"unit": "Kec. Serengan", "lang": "en", "alpha": 0.01, "min_n": 10, "round": 2, "seed": 1}


def _gap(**kw):
    row = {"comparison": "special_group", "metric": "nrr:sarana", "group1": "True", "group2": "False",
           "n1": 50, "n2": 72, "estimate1": 2.82, "estimate2": 3.21, "gap": -0.39, "gap_unit": "points",
           "ci_low": -0.68, "ci_high": -0.10, "p_value": 0.01, "p_adjusted": 0.012, "effect_size": -0.2,
           "status": "ok", "unit": "Kec. Serengan", "statistic": 1200.0, "method": "Mann-Whitney U"}
    row.update(kw)
    return row


def test_sentence_gap_in_both_languages_and_suppressed():
    s_id = clem.sentence_gap(_gap(), lang="id")
    assert s_id == ("Sarana dan prasarana: Kelompok rentan 2,82, Lainnya 3,21; selisih −0,39 "
                    "(IK 95% −0,68 sampai −0,10, p Holm 0,012).")
    s_en = clem.sentence_gap(_gap(), lang="en")
    assert s_en == ("Facilities and infrastructure: Special groups 2.82, Others 3.21; gap −0.39 "
                    "(95% CI −0.68 to −0.10, Holm p 0.012).")
    small = clem.sentence_gap(_gap(n1=3), lang="id", min_n=5)
    assert "2,82" not in small and "−0,39" not in small and small.count("n < 5") >= 3
    pp = clem.sentence_gap(_gap(metric="pct_paid_extra", comparison="channel", group1="broker",
                                group2="in_person", estimate1=94.0, estimate2=10.2, gap=83.8,
                                gap_unit="percentage points", ci_low=60.1, ci_high=90.0), lang="id")
    assert pp.startswith("Membayar di atas tarif resmi (%): Melalui calo/biro jasa 94%, Datang sendiri 10%; "
                         "selisih +84 poin persen (IK 95% +60 sampai +90")


def test_significant_gaps_keeps_only_holm_significant_large_enough_rows():
    g = pd.DataFrame([_gap(metric="a", p_adjusted=0.2, effect_size=0.9),
                      _gap(metric="b", p_adjusted=0.01, effect_size=-0.3),
                      _gap(metric="c", p_adjusted=0.001, effect_size=0.6),
                      _gap(metric="d", p_adjusted=0.001, effect_size=0.9, n1=4),
                      _gap(metric="e", p_adjusted=0.001, effect_size=0.9, status="not enough data")])
    sig = clem.significant_gaps(g, alpha=0.05, min_n=5)
    assert sig["metric"].tolist() == ["c", "b"]


def test_headline_lists_three_largest_significant_gaps_with_figure_reference():
    g = pd.DataFrame([_gap(metric=f"nrr:{k}", p_adjusted=0.01, effect_size=e)
                      for k, e in [("waktu", 0.2), ("biaya", 0.5), ("sarana", 0.4), ("produk", 0.3)]])
    text = clem.headline_text("Kec. Serengan", ikm_row={"ikm": 82.1111, "ci_low": 80.46, "ci_high": 83.77,
                                                        "n": 124}, grade="B (Baik)",
                              access_row={"estimate": 49.2, "ci_low": 40.3, "ci_high": 58.0, "n": 121},
                              gaps=g, lang="id")
    assert text.startswith("Kec. Serengan: 124 responden. IKM 82,11 (IK 95% 80,46–83,77), mutu B (Baik). "
                           "49% pengguna menyatakan fasilitas tidak ramah")
    lines = [ln for ln in text.splitlines() if ln.startswith("- ")]
    assert [ln.split(":")[0] for ln in lines] == ["- Biaya/tarif", "- Sarana dan prasarana",
                                                 "- Produk spesifikasi jenis pelayanan"]
    assert all(ln.endswith("(Gambar 4).") for ln in lines)
    none = clem.headline_text("X", ikm_row={"ikm": 70.0, "ci_low": 60, "ci_high": 80, "n": 3}, grade="C",
                              access_row=None, gaps=None, lang="en")
    assert "too few to compute the IKM (n < 5)" in none and "No gap between groups" in none


def test_findings_come_from_significant_results_only():
    g = pd.DataFrame([_gap(p_adjusted=0.2), _gap(metric="nrr:waktu", p_adjusted=0.03)])
    text = clem.findings_text("Kec. Serengan", ikm_row={"ikm": 82.11, "n": 124}, grade="B (Baik)", gaps=g,
                              lang="en")
    assert "Time to complete" in text and "Facilities and infrastructure" not in text
    assert text.startswith("1. The IKM of Kec. Serengan is 82.11, grade B (Baik) (Figure 2).")
    nothing = clem.findings_text("X", ikm_row={"ikm": np.nan, "n": 2}, grade="", gaps=g.iloc[:1], lang="id")
    assert nothing.startswith("Tidak ada hasil yang signifikan pada α = 0,05")


def test_results_rows_follow_the_contract_and_suppress_small_cells():
    rows = [clem.results_row(unit="Kec. Serengan", metric="ikm", estimate=82.1, ci_low=80.0, ci_high=84.0,
                             n=124, method="delta"),
            clem.results_row(unit="Kec. Serengan", group="disability", metric="pct_not_friendly",
                             estimate=50.0, ci_low=20.0, ci_high=80.0, n=4, method="Wilson")]
    df = clem.results_frame(rows)
    assert tuple(df.columns) == _RESULTS_COLUMNS == tuple(clem.RESULTS_COLUMNS)
    assert df.loc[0, "estimate"] == 82.1 and df.loc[0, "n"] == 124
    assert pd.isna(df.loc[1, "estimate"]) and pd.isna(df.loc[1, "ci_low"]) and df.loc[1, "n"] == 4
    assert df.loc[1, "method"] == "Wilson; suppressed: n < 5"
    assert str(df["n"].dtype) == "Int64" and str(df["estimate"].dtype) == "Float64"


def test_gaps_to_results():
    g = pd.DataFrame([_gap(), _gap(metric="ikm", n1=3, gap=-5.0)])
    res = clem.gaps_to_results(g, min_n=5)
    assert res["metric"].tolist() == ["gap:nrr:sarana", "gap:ikm"]
    assert res.loc[0, "group"] == "special_group: True vs False"
    assert res.loc[0, "estimate"] == -0.39 and res.loc[0, "p_adjusted"] == 0.012 and res.loc[0, "n"] == 122
    assert pd.isna(res.loc[1, "estimate"]) and pd.isna(res.loc[1, "p_value"]) and res.loc[1, "n"] == 75


def test_read_unit_slice_reads_only_that_unit(tmp_path):
    df = pd.DataFrame({"unit": pd.array(["A", "B", "A"], dtype="string"),
                       "round": pd.array([1, 1, 2], dtype="Int64"),
                       "unsur_waktu": pd.array([3, pd.NA, 4], dtype="Int64"),
                       "friendly": pd.array([True, pd.NA, False], dtype="boolean")})
    path = tmp_path / "c.parquet"
    df.to_parquet(path, index=False)
    a = clem.read_unit_slice(path, "A")
    assert a["unit"].tolist() == ["A", "A"] and a["unsur_waktu"].tolist() == [3, 4]
    assert str(a["unsur_waktu"].dtype) == "Int64" and str(a["friendly"].dtype) == "boolean"
    only = clem.read_unit_slice(path, "A", columns=["unit", "round"], rounds=[2])
    assert list(only.columns) == ["unit", "round"] and only["round"].tolist() == [2]
    with pytest.raises(ClemInputError, match="cleaned data not found"):
        clem.read_unit_slice(tmp_path / "missing.parquet", "A")


def test_unit_report_on_the_sample(tmp_path):
    """The unit report's numbers are the results rows' numbers."""
    path = clem.cleaned_sample()
    rep = clem.UnitReport.build(unit="serengan", data_path=str(path), lang="en", seed=20130924)
    assert rep.unit == "Kec. Serengan" and rep.round == int(rep.history["round"].max())
    assert set(rep.data["unit"]) == {"Kec. Serengan"}
    res = rep.results()
    ikm = res[(res["metric"] == "ikm") & (res["group"] == "")]
    assert len(ikm) == 1
    assert clem.fmt_number(ikm["estimate"].iloc[0], 2, "en") in repr(rep.headline())
    assert (res["unit"] == "Kec. Serengan").all()
    small = res[res["n"].fillna(0) < 5]
    assert small["estimate"].isna().all()
    out = tmp_path / "r.csv"
    rep.write_results(str(out))
    back = pd.read_csv(out)
    assert tuple(back.columns) == _RESULTS_COLUMNS and len(back) == len(res)
    with pytest.raises(ClemInputError, match="has no round 9"):
        clem.UnitReport.build(unit="serengan", data_path=str(path), round=9)
