"""Report text and parameters: labels, number formats, small-cell suppression, escaping, sentences,
results rows, ReportParams."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import clem_lib as clem
from clem_lib.errors import ClemInputError
from clem_lib.results import RESULTS_COLUMNS as _RESULTS_COLUMNS
from clem_lib.text import LABELS


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
                    "(IK 95% tanpa koreksi −0,68 sampai −0,10, p Holm 0,012).")
    s_en = clem.sentence_gap(_gap(), lang="en")
    assert s_en == ("Facilities and infrastructure: Special groups 2.82, Others 3.21; gap −0.39 "
                    "(unadjusted 95% CI −0.68 to −0.10, Holm p 0.012).")
    small = clem.sentence_gap(_gap(n1=3), lang="id", min_n=5)
    assert "2,82" not in small and "−0,39" not in small and small.count("n < 5") >= 3
    pp = clem.sentence_gap(_gap(metric="pct_paid_extra", comparison="channel", group1="broker",
                                group2="in_person", estimate1=94.0, estimate2=10.2, gap=83.8,
                                gap_unit="percentage points", ci_low=60.1, ci_high=90.0), lang="id")
    assert pp.startswith("Membayar di atas tarif resmi (%): Melalui calo/biro jasa 94%, Datang sendiri 10%; "
                         "selisih +84 poin persen (IK 95% tanpa koreksi +60 sampai +90")


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


def test_gaps_to_results_n_is_the_answers_behind_each_test():
    g = pd.DataFrame([
        # Kruskal-Wallis: n1 answers of the kept units, n2 the number of units
        _gap(design="k-group", comparison="unit", group1="A; B; C", group2="", n1=420, n2=3, metric="nrr:waktu"),
        # paired: n1 = n2 = the pairs
        _gap(design="paired", comparison="harapan", group1="experience", group2="expectation", n1=104, n2=104),
        # Fisher: the odds ratio follows the gap row
        _gap(metric="pct_not_friendly", n1=12, n2=11, odds_ratio=0.1277, or_ci_low=0.009, or_ci_high=1.056),
    ])
    res = clem.gaps_to_results(g, min_n=5)
    assert res["n"].tolist() == [420, 104, 23, 23]
    assert res.loc[0, "group"] == "unit: A; B; C"  # no dangling "vs"
    assert not res.loc[0, "group"].endswith("vs") and pd.notna(res.loc[0, "estimate"])
    assert res.loc[3, "metric"] == "odds_ratio:pct_not_friendly"
    assert (res.loc[3, "estimate"], res.loc[3, "ci_low"], res.loc[3, "ci_high"]) == (0.1277, 0.009, 1.056)
    assert res.loc[3, "p_adjusted"] == res.loc[2, "p_adjusted"] and "fisher.test" in res.loc[3, "method"]


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


@pytest.mark.slow
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


def test_every_cleaning_rule_has_a_readable_label_in_both_languages():
    from clem_lib.cleaning import RULES

    for rule in RULES:
        for lang in ("id", "en"):
            text = clem.rule_label(rule, lang)
            assert text != rule and "_" not in text, (rule, lang)
        assert clem.rule_label(rule, "id") != clem.rule_label(rule, "en"), rule
    assert clem.rule_label("unit_alias", "id") == "Nama unit diseragamkan"
    assert clem.rule_label("unit_alias", "en") == "Unit name standardised"
    assert clem.rule_label("some_new_rule", "en") == "some_new_rule"


def test_direction_of_a_gap_and_recommendations_only_for_a_disadvantage():
    # group1 minus group2: lower scores, higher cost/time are the group's disadvantage
    assert clem.gap_disadvantages_group1({"metric": "nrr:waktu", "gap": -0.3})
    assert not clem.gap_disadvantages_group1({"metric": "nrr:waktu", "gap": 0.3})
    assert clem.gap_disadvantages_group1({"metric": "mean:cost_paid", "gap": 5000.0})
    assert not clem.gap_disadvantages_group1({"metric": "mean:days_to_complete", "gap": -8.6})
    assert clem.gap_disadvantages_group1({"metric": "pct_not_friendly", "gap": 17.0})
    assert not clem.gap_disadvantages_group1({"metric": "ikm", "gap": np.nan})
    favourable = pd.DataFrame([
        _gap(comparison="pregnant", metric="mean:days_to_complete", gap=-8.6, gap_unit="days", p_adjusted=0.004),
        _gap(metric="mean:cost_paid", gap=-17550.0, gap_unit="rupiah", p_adjusted=0.022)])
    rec = clem.recommendations_text(gaps=favourable, lang="en")
    assert "priority counter" not in rec and rec == clem.label("rec_none", "en")
    worse = pd.concat([favourable, pd.DataFrame([_gap()])], ignore_index=True)  # lower score on sarana
    assert "priority counter" in clem.recommendations_text(gaps=worse, lang="en")


def test_findings_cite_the_figure_that_shows_the_gap_or_else_its_table():
    rows = [_gap(comparison="channel", group1="broker", group2="in_person", metric=m, gap=g, gap_unit=u,
                 estimate1=e1, estimate2=e2, p_adjusted=0.001, effect_size=es)
            for m, g, u, e1, e2, es in [("mean:wait_minutes", -66.3, "minutes", 13.93, 80.28, -0.9),
                                        ("mean:cost_paid", 219653.0, "rupiah", 224286.0, 4633.0, 0.8),
                                        ("pct_paid_extra", 88.0, "percentage points", 100.0, 12.0, 0.7)]]
    text = clem.findings_text("X", ikm_row={"ikm": 71.8, "n": 124}, grade="C", gaps=pd.DataFrame(rows), lang="id")
    lines = text.splitlines()
    wait = next(ln for ln in lines if "waktu tunggu" in ln)
    assert "13,9 menit" in wait and "80,3 menit" in wait  # the groups' values carry their unit
    assert wait.endswith("(Tabel 3).")  # waiting time is not drawn in Figure 5
    assert next(ln for ln in lines if "biaya" in ln).endswith("(Gambar 5).")
    assert next(ln for ln in lines if "tarif resmi" in ln).endswith("(Tabel 3).")
    assert set(clem.CHANNEL_CHART_METRICS) == {"mean:cost_paid", "mean:days_to_complete",
                                               "mean:overall_satisfaction"}


def test_numeric_table_columns_are_right_aligned_whole_and_do_not_wrap():
    t = clem.ReportTable(pd.DataFrame({"Ukuran": ["Puas (%)", "Biaya"], "Selisih": ["−9 poin persen", "−0,03"],
                                       "IK 95%": ["−46.347; +11.247", "−24; +6"], "n": ["14 / 109", "n < 5"],
                                       "Nilai": ["Rp 224.286", "5,9 hari"]}))
    page = t._repr_html_()
    heads = re.findall(r"<th ([^>]*)>([^<]*)</th>", page)
    assert [h for a, h in heads if "text-align:right" in a] == ["Selisih", "IK 95%", "n", "Nilai"]
    cells = re.findall(r"<td ([^>]*)>([^<]*)</td>", page)
    assert all(("nowrap" in a) == (v not in ("Puas (%)", "Biaya")) for a, v in cells)


def test_unit_report_tables_speak_the_readers_language(tmp_path):
    path = clem.cleaned_sample()
    rep = clem.UnitReport.build(unit="pasar kliwon", data_path=str(path), lang="en", seed=20130924)
    q = rep.quality_table().frame
    assert list(q.columns) == ["Cleaning rule", "Count", "Code (cleaning_log.csv)"]
    assert "Unit name standardised" in q["Cleaning rule"].tolist()
    assert not any("_" in r for r in q["Cleaning rule"])
    c = rep.checklist_table().frame
    assert set(c["Category"]) <= {"Service delivery", "Service management", "Accessibility"}
    assert list(c.columns)[:2] == ["Category", "Components"]
    # missing components are named in English too, from the standard's names
    missing_en = {x for cell in c["Missing"] for x in str(cell).split("; ") if x}
    assert missing_en and missing_en <= set(clem.CHECKLIST_COMPONENTS_EN.values())
    text = str(rep.checklist_text())
    assert all(x in text for x in missing_en)
    rep_id = clem.UnitReport.build(unit="pasar kliwon", data_path=str(path), lang="id", seed=20130924)
    missing_id = {x for cell in rep_id.checklist_table().frame["Belum ada"] for x in str(cell).split("; ") if x}
    assert {clem.checklist_component_label(x, "en") for x in missing_id} == missing_en
    assert missing_id <= set(clem.CHECKLIST_COMPONENTS_EN)
    s = rep.suggestions()
    counts = [int(x) for x in s.frame["Count"]]
    raw = rep.data["suggestion"].astype("string").str.strip()
    raw = raw[raw.fillna("").str.len() > 0]
    assert counts == sorted(counts, reverse=True) and len(set(s.frame["Suggestion"])) == len(s.frame)
    top = s.frame["Suggestion"].iloc[0]
    assert counts[0] == int((raw == top).sum())
    assert f"from {len(raw)} answers" in s.caption
    methods = repr(rep.methods())
    assert "t interval (seed" not in methods and "seed 20130924, so the results can be reproduced" in methods


def test_city_round_table_names_its_rounds_and_signs_intervals_like_the_change():
    city = clem.CityReport.build(data_path=str(clem.cleaned_sample()), lang="id")
    t = city.rounds_table().frame
    assert list(t.columns)[1:3] == ["IKM putaran sebelumnya", "IKM putaran terakhir"]
    row = t[t["Unit layanan"].str.startswith("Dispendukcapil")].iloc[0]
    assert re.fullmatch(r"[+−]\d+,\d\d; [+−]\d+,\d\d", row["IK 95% (tanpa koreksi)"])  # one format, whatever the signs
    assert float(row["IKM putaran terakhir"].replace(",", ".")) > float(row["IKM putaran sebelumnya"].replace(",", "."))
    assert all(re.fullmatch(r"[+−]\d+,\d\d; [+−]\d+,\d\d", v) for v in t["IK 95% (tanpa koreksi)"])


def test_round_finding_reads_like_its_section_and_its_figure_has_a_caption():
    rc = {"metric": "ikm", "group1": "2", "group2": "1", "gap": 8.11, "ci_low": 5.95, "ci_high": 10.24,
          "p_value": 0.001, "p_adjusted": 0.003, "n1": 130, "n2": 120}
    text = clem.findings_text("Dispendukcapil", ikm_row={"ikm": 86.82, "n": 130}, grade="B (Baik)",
                              round_change=rc, lang="id")
    assert "IKM berubah +8,11 sejak putaran 1 (IK 95% tanpa koreksi +5,95 sampai +10,24, p Holm 0,003) (Gambar 7)." in text
    en = clem.findings_text("D", ikm_row={"ikm": 86.82, "n": 130}, grade="B", round_change=rc, lang="en")
    assert "(unadjusted 95% CI +5.95 to +10.24, Holm p 0.003) (Figure 7)." in en
    rep = clem.UnitReport.build(unit="dispendukcapil", data_path=str(clem.cleaned_sample()), lang="id")
    cap = repr(rep.caption("rounds"))
    n_all = int((rep.history["round"] <= rep.round).sum())
    assert cap == f"**Gambar 7.** IKM per putaran survei dengan IK 95%. n = {n_all}."
    assert "(Gambar 7)" in repr(rep.findings())  # the figure the finding cites is numbered in the report


def test_checklist_component_names():
    assert clem.checklist_component_label("Biaya/tarif", "en") == "Costs/fees"
    assert clem.checklist_component_label("  sistem, MEKANISME dan prosedur ", "en") == \
        "Systems, mechanisms and procedures"
    assert clem.checklist_component_label("Biaya/tarif", "id") == "Biaya/tarif"
    assert clem.checklist_component_label("Kotak saran digital", "en") == "Kotak saran digital"  # no name: as is
    with pytest.raises(ValueError):
        clem.checklist_component_label("Persyaratan", "fr")


def test_methods_name_the_tests_each_report_runs():
    kw = dict(scheme_reference="Permenpan RB 14/2017", ikm_method="delta", alpha=0.05, min_n=10, seed=1,
              weighted=False)
    for lang in ("id", "en"):
        unit = clem.methods_text(**kw, lang=lang)
        city = clem.methods_text(**kw, lang=lang, scope="city")
        assert "Mann–Whitney" in unit and "Wilcoxon" in unit and "Kruskal–Wallis" not in unit
        # the city overview runs Kruskal-Wallis across units, unit vs rest and round changes
        assert "Kruskal–Wallis" in city and "Mann–Whitney" not in city and "Wilcoxon" not in city
        assert ("unit lain di kota" if lang == "id" else "rest of the city") in city
        assert city.count("\n- ") == unit.count("\n- ")  # same caveats otherwise
    with pytest.raises(ValueError, match="scope"):
        clem.methods_text(**kw, scope="province")
    city = clem.CityReport.build(data_path=str(clem.cleaned_sample()), lang="en")
    assert "Kruskal–Wallis" in str(city.methods())


@pytest.mark.slow
def test_city_figures_design_based_by_default_unweighted_when_asked_or_when_n_is_missing():
    city = clem.CityReport.build(data_path=str(clem.cleaned_sample()), lang="en")
    assert city.design["used"] and not city.design["missing"]
    fig = city.city_figures
    ikm = fig[(fig["metric"] == "ikm") & (fig["domain"] == "")].set_index("estimator")
    assert set(ikm.index) == {"design-based", "unweighted"}
    # the design-based city IKM is the design_ikm of the latest round with N_h / n_h weights and fpc
    d = city.design_data
    want = clem.design_ikm(d, weight="weight", fpc="N", lonely_psu="certainty").iloc[0]
    assert ikm.loc["design-based", "estimate"] == pytest.approx(want["ikm"])
    assert ikm.loc["unweighted", "estimate"] == pytest.approx(clem.ikm(city.latest).iloc[0]["ikm"])
    text = str(city.city_text())
    assert "design-based" in text and "Rao–Scott" in text
    assert "Design-based" in city.city_table()._repr_html_()
    assert "finite-population correction" in str(city.methods())
    res = city.results()
    assert set(res.loc[res["metric"] == "pct_not_friendly", "group"]) == {"design-based", "unweighted"}
    # the IKM by sector and by special group (svyby domains), design-based and unweighted
    by_sector = res[(res["metric"] == "ikm") & (res["sector"] != "")]
    assert set(by_sector["group"]) == {"design-based", "unweighted"} and by_sector["sector"].nunique() == 3
    dom = clem.design_ikm(d, by="sector", weight="weight", fpc="N", lonely_psu="certainty")
    got = by_sector[by_sector["group"] == "design-based"].set_index("sector")["estimate"].astype(float)
    assert got.loc[dom["sector"]].tolist() == pytest.approx(dom["ikm"].tolist())
    assert {"design-based; special_group=True", "unweighted; special_group=False"} <= set(res["group"])

    # city_weights="none": unweighted only, and Methods says it was chosen
    none = clem.CityReport.build(data_path=str(clem.cleaned_sample()), lang="en", city_weights="none")
    assert not none.design["used"] and set(none.city_figures["estimator"]) == {"unweighted"}
    assert "city_weights = none" in str(none.methods()) and "Design-based" not in none.city_table()._repr_html_()
    assert none.city_figures.equals(fig[fig["estimator"] == "unweighted"].reset_index(drop=True))

    # a unit without users_per_month: fall back to unweighted and name the unit (no N is invented)
    city.units = city.units.assign(users_per_month=city.units["users_per_month"].astype("Float64"))
    city.units.loc[city.units["name"] == "Kec. Jebres", "users_per_month"] = pd.NA
    city._cache.clear()
    assert not city.design["used"] and city.design["missing"] == ["Kec. Jebres"]
    assert "Kec. Jebres" in str(city.methods()) and "Kec. Jebres" in str(city.city_text())
    assert set(city.results().query("unit.isna() or unit == ''", engine="python")["group"].dropna()
               .str.contains("design-based")) == {False}
    with pytest.raises(clem.ClemInputError, match="city_weights"):
        clem.CityReport.build(data_path=str(clem.cleaned_sample()), city_weights="yes")


def test_report_params_defaults_are_the_notebooks_parameters():
    """One default per parameter: the notebooks' parameters cells say the same as ReportParams."""
    import ast
    import dataclasses

    import papermill

    from clem_lib.paths import NOTEBOOKS_DIR

    fields = {f.name for f in dataclasses.fields(clem.ReportParams)}
    defaults = clem.ReportParams()
    for name in ("location_report.ipynb", "city_overview.ipynb"):
        params = papermill.inspect_notebook(str(NOTEBOOKS_DIR / name))
        assert set(params) <= fields, name
        for key, p in params.items():
            if key != "unit":  # the notebook's own example unit; a ReportParams without one is the city's
                assert ast.literal_eval(p["default"]) == getattr(defaults, key), (name, key)
    # the report classes default to the same values
    import inspect

    for cls in (clem.UnitReport, clem.CityReport):
        for key, p in inspect.signature(cls.build).parameters.items():
            if key in fields and p.default is not inspect.Parameter.empty:
                assert p.default == getattr(defaults, key), (cls.__name__, key)


def test_report_params_to_papermill_is_what_each_notebook_takes():
    unit = clem.ReportParams(unit="Kec. Serengan", data_path="cleaned.parquet", units_path="units.yml", round=2,
                             alpha=0.01, min_n=10, results_path=".parts/kec-serengan.results.csv")
    got = unit.to_papermill()
    assert list(got) == ["unit", "data_path", "checklist_path", "units_path", "lang", "alpha", "min_n", "seed",
                         "scheme", "round", "results_path"]
    assert got["round"] == 2 and got["alpha"] == 0.01 and got["seed"] == 20130924 and got["checklist_path"] == ""
    city = clem.ReportParams(scheme={"name": "custom", "unsur": ["a"]}, complaints_path="complaints.parquet",
                             city_weights="none").to_papermill()
    # the register's three only with a register; city_weights only for the city overview; a custom scheme as JSON
    assert list(city) == ["data_path", "checklist_path", "units_path", "lang", "alpha", "min_n", "seed", "scheme",
                          "complaints_path", "complaint_standard_days", "holidays_path", "city_weights",
                          "results_path"]
    assert city["scheme"] == '{"name": "custom", "unsur": ["a"]}' and city["complaint_standard_days"] == 5
    # what a notebook reads back is what it was given; other names in its namespace are ignored
    assert clem.ReportParams.from_papermill({**got, "In": [], "clem": clem}) == unit
    assert clem.ReportParams.from_papermill({}) == clem.ReportParams()


def test_report_params_validate_makes_the_unit_canonical_and_rejects_what_validate_report_params_does():
    units = clem.load_units()
    p = clem.ReportParams(unit="serengan", min_n=np.int64(10), seed=1).validate(units)
    assert p.unit == "Kec. Serengan" and p.min_n == 10 and type(p.min_n) is int and p.seed == 1
    assert clem.ReportParams().validate().unit is None  # the city overview: no unit to resolve
    for kw, fragment in [({"lang": "fr"}, "unknown language 'fr'"),
                         ({"alpha": 0.6}, "alpha 0.6 is not in (0, 0.5]"), ({"round": True}, "round True"),
                         ({"city_weights": "yes"}, "unknown city_weights 'yes'"),
                         ({"unit": "Kec. Serengen"}, "unknown unit 'Kec. Serengen'")]:
        with pytest.raises(ClemInputError) as err:
            clem.ReportParams(**kw).validate(units)
        assert fragment in str(err.value)
    with pytest.raises(ClemInputError, match="parameter 'unit' is empty"):
        clem.UnitReport.from_params(clem.ReportParams(data_path=str(clem.cleaned_sample())))
