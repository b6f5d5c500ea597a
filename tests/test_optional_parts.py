"""A survey that asked less than the sample: parts it did not ask are absent from every output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import clem_lib as clem
from clem_lib.report.unit import UNIT_FIGURES, UNIT_TABLES
from clem_lib.scales import BUILTIN_SCALES, SKM_UNSUR_SCALES

UNITS_YML = """units:
  - {name: Puskesmas Gambirsari, sectors: [kesehatan], users_per_month: 800}
  - {name: SD Negeri 5 Surakarta, sectors: [pendidikan], users_per_month: null}
"""
CODEBOOK = """survey_name: forms_small
columns:
  - {source: Stempel waktu, role: interview_date}
  - {source: Nama unit, role: unit}
  - {source: Nomor HP, role: personal, name: hp}
  - {source: Kelompok, role: special_groups, separator: ", ",
     choices: {Lansia: elderly, Ibu hamil: pregnant, Penyandang disabilitas: disability, Membawa anak: with_child}}
  - {source: Fasilitas ramah, role: indicator, name: facility_friendly, scale: ya_tidak}
""" + "".join(f"  - {{source: {k.capitalize()}, role: unsur, unsur: {k}, scale: {sc}}}\n"
              for k, sc in SKM_UNSUR_SCALES.items())


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """Two units, 24 respondents each, answered as a Google Forms SKM is: official labels per
    unsur, checkbox special groups, no id, round, sector, service, channel or importance items."""
    d = tmp_path_factory.mktemp("forms")
    rng = np.random.default_rng(11)
    rows = []
    for u in ("Puskesmas Gambirsari", "SD Negeri 5 Surakarta"):
        for i in range(24):
            r = {"Stempel waktu": f"{i + 1:02d}/09/2025 10:15:33", "Nama unit": u,
                 "Nomor HP": f"0812{rng.integers(10**7, 10**8)}",
                 "Kelompok": ["", "Lansia", "Lansia, Ibu hamil", "Penyandang disabilitas"][i % 4],
                 "Fasilitas ramah": ["Ya", "Tidak"][i % 2]}
            for k, sc in SKM_UNSUR_SCALES.items():
                r[k.capitalize()] = BUILTIN_SCALES[sc]["levels"][int(rng.integers(1, 5)) - 1]["id"]
            rows.append(r)
    pd.DataFrame(rows).to_csv(d / "forms.csv", index=False)
    (d / "forms.codebook.yml").write_text(CODEBOOK, encoding="utf-8")
    (d / "forms.units.yml").write_text(UNITS_YML, encoding="utf-8")
    res = clem.clean_survey(d / "forms.csv", d / "forms.codebook.yml", d / "forms.units.yml", today="2026-01-01")
    clem.write_cleaned(res, d / "cleaned.parquet")
    return d


def test_unasked_columns_are_read_from_the_table(survey):
    gone = clem.unasked_columns(survey / "cleaned.parquet")
    assert {"service", "channel", "gender", "had_problem", "suggestion"} <= set(gone)
    asked = {"interview_date", "elderly", "special_group", "facility_friendly", "unsur_waktu", "round",
             "respondent_id", "sector"}
    assert not asked & set(gone)
    assert clem.survey_rounds(survey / "cleaned.parquet") == [1]


def _unit_report(survey, lang="en"):
    return clem.UnitReport.build(unit="Puskesmas Gambirsari", data_path=str(survey / "cleaned.parquet"),
                                 units_path=str(survey / "forms.units.yml"), lang=lang, n_boot=200)


def test_sections_the_survey_lacks_are_absent_and_the_rest_numbered_on(survey):
    rep = _unit_report(survey)
    assert not rep.checklist_given and rep.rounds_in_survey == (1,)
    shown = [k for k in rep.SECTIONS if rep.has_section(k)]
    assert shown == ["sec_headline", "sec_sample", "sec_ikm_elements", "sec_likert", "sec_groups",
                     "sec_complaints", "sec_findings", "sec_methods", "sec_quality"]
    for key in ("sec_broker", "sec_ipa", "sec_rounds", "sec_checklist"):
        assert str(rep.section(key)) == ""
    assert str(rep.section("sec_complaints")).startswith("## 6. ")
    for cell in (rep.channel_chart, rep.channel_table, rep.ipa_chart, rep.ipa_table, rep.rounds_text,
                 rep.rounds_chart, rep.rounds_table, rep.checklist_text, rep.checklist_table, rep.suggestions):
        assert str(cell()) == ""
    for key in ("broker", "ipa", "rounds"):
        assert str(rep.caption(key)) == ""
    assert len(rep.ipa) == 0 and len(rep.paired) == 0
    # the sample chart draws a bar per sector when there is no service question
    fig = clem.plot_sample(rep.data, lang="en")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Health"]
    assert not fig.legends


def test_results_and_tables_carry_no_row_for_an_unasked_part(survey):
    rep = _unit_report(survey)
    res = rep.results()
    assert len(res)
    metrics = set(res["metric"])
    for absent in ("pct_had_problem", "pct_paid_extra", "mean:cost_paid", "pct_knows_complaint"):
        assert not any(m.startswith(absent) for m in metrics), absent
    assert "ikm" in metrics and "pct_not_friendly" in metrics
    sample = rep.sample_table().frame
    assert not sample.iloc[:, 0].astype(str).str.contains("Gender|Income|Channel").any()
    methods = str(rep.methods())
    assert methods.count("Not asked") == 1
    line = [x for x in methods.splitlines() if "Not asked" in x][0]
    assert "service used" in line and "channel" in line and "importance" in line
    assert "special groups" not in line and "facilities" not in line
    idn = str(_unit_report(survey, lang="id").methods())
    assert "Tidak ditanyakan" in idn and "jenis layanan" in idn


def test_city_overview_without_checklist_or_second_round(survey):
    city = clem.CityReport.build(data_path=str(survey / "cleaned.parquet"),
                                 units_path=str(survey / "forms.units.yml"), lang="en", n_boot=200)
    assert not city.has_section("sec_rounds_city") and city.has_section("sec_access_units")
    # city-wide figures first; no change between rounds and no register: methods is section 6
    assert str(city.section("sec_methods")).startswith("## 6. ")
    # a unit without users per month: unweighted city-wide figures, and the Methods say which unit
    assert "SD Negeri 5 Surakarta" in str(city.methods())
    assert str(city.rounds_chart()) == "" and str(city.caption("rounds_city")) == ""
    t = city.access_table().frame
    assert "Compliance" not in " ".join(map(str, t.columns)) and len(t) == 2
    assert "Not asked" in str(city.methods())


def test_figures_and_tables_are_numbered_on_without_gaps(survey):
    rep = _unit_report(survey)
    assert rep.numbers == {"figure": {"sample": 1, "ikm_elements": 2, "likert": 3, "forest": 4},
                           "table": {"sample": 1, "groups": 2, "complaints": 3, "quality": 4}}
    assert str(rep.complaints_table().caption).startswith("Table 3. ")
    assert str(rep.caption("sample")).startswith("**Figure 1.** Respondents per sector.")
    # every section present (the bundled sample): the fixed numbers the findings have always cited
    full = clem.UnitReport.build(unit="Kec. Serengan", data_path=str(clem.cleaned_sample()), n_boot=200)
    assert full.numbers == {"figure": {k: clem.FIGURES[k] for k, _ in UNIT_FIGURES},
                            "table": {k: clem.TABLES[k] for k, _ in UNIT_TABLES}}


def test_groups_without_special_groups_have_no_empty_chart_or_table(tmp_path):
    """Gender asked, special groups not: the special-group forest plot and its caption are
    absent, an empty gap table becomes a sentence, and the numbers close up."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(40):
        r = {"Stempel waktu": f"{i % 28 + 1:02d}/09/2025 10:15:33", "Nama unit": "Puskesmas Gambirsari",
             "Jenis kelamin": ["Laki-laki", "Perempuan"][i % 2]}
        for k, sc in SKM_UNSUR_SCALES.items():
            r[k.capitalize()] = BUILTIN_SCALES[sc]["levels"][int(rng.integers(2, 5)) - 1]["id"]
        rows.append(r)
    pd.DataFrame(rows).to_csv(tmp_path / "g.csv", index=False)
    book = CODEBOOK.replace(
        "  - {source: Nomor HP, role: personal, name: hp}\n", "").replace(
        CODEBOOK[CODEBOOK.index("  - {source: Kelompok"):CODEBOOK.index("  - {source: Fasilitas")], "").replace(
        "  - {source: Fasilitas ramah, role: indicator, name: facility_friendly, scale: ya_tidak}\n",
        "  - {source: Jenis kelamin, role: gender, scale: jk}\n").replace(
        "columns:\n", "scales:\n  jk:\n    kind: nominal\n    levels:\n"
        "      - {code: female, id: Perempuan, en: Female}\n      - {code: male, id: Laki-laki, en: Male}\ncolumns:\n")
    (tmp_path / "g.codebook.yml").write_text(book, encoding="utf-8")
    (tmp_path / "g.units.yml").write_text(UNITS_YML, encoding="utf-8")
    res = clem.clean_survey(tmp_path / "g.csv", tmp_path / "g.codebook.yml", tmp_path / "g.units.yml",
                            today="2026-01-01")
    clem.write_cleaned(res, tmp_path / "cleaned.parquet")
    rep = clem.UnitReport.build(unit="Puskesmas Gambirsari", data_path=str(tmp_path / "cleaned.parquet"),
                                units_path=str(tmp_path / "g.units.yml"), lang="en", n_boot=200)
    assert rep.has_section("sec_groups") and "special_group" not in rep.data
    assert str(rep.groups_chart()) == "" and str(rep.caption("forest")) == ""
    assert str(rep.section("sec_groups")) == "## 5. Gaps between groups of users"
    assert "forest" not in rep.numbers["figure"]
    assert not len(rep._group_rows())  # answers drawn alike for both genders: no significant gap
    assert str(rep.groups_table()).startswith("No gap between groups is significant")
    assert "groups" not in rep.numbers["table"]
    assert str(rep.complaints_table().caption).startswith("Table 2. ")
