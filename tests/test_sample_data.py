"""The bundled synthetic sample survey: rebuilt byte for byte, Kobo-like, with its planted effects.

The effects are documented in data/README.md; other tests use them as oracles,
so the figures are pinned here.
"""

import importlib.util
import subprocess
import sys

import pandas as pd
import pytest

from clem_lib import (
    CHECKLIST_FILE,
    DATA_DIR,
    SAMPLE_CODEBOOK,
    SAMPLE_DATA,
    UNITS_FILE,
    UNSUR_14_2017,
    clean_survey,
    load_units,
    read_survey,
)

UNSUR = [f"unsur_{k}" for k in UNSUR_14_2017]
#: the six units the planted effects were designed on; the six facilities added in two
#: kecamatan come from a second random stream, so every figure of these six is unchanged
SIX = ["Dispendukcapil", "Kec. Laweyan", "Kec. Serengan", "Kec. Pasar Kliwon", "Kec. Jebres", "Kec. Banjarsari"]
FACILITIES = ["Kel. Joyotakan", "Puskesmas Kratonan", "SD Negeri Danukusuman", "Kel. Semanggi",
              "Puskesmas Sangkrah", "SD Negeri Semanggi"]


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample", DATA_DIR / "make_sample.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cleaned():
    return clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, today="2026-01-01")


@pytest.fixture(scope="module")
def full(cleaned):
    return cleaned.table


@pytest.fixture(scope="module")
def table(full):
    """The six original units (the planted effects' oracles)."""
    return full[full["unit"].isin(SIX)].reset_index(drop=True)


def _ikm(df):
    """Permenpan RB 14/2017: mean over the 9 unsur of the per-unsur mean, x 25 (weights 1/9)."""
    return df[UNSUR].astype("float64").mean().mean() * 25


def test_generator_rebuilds_committed_files_byte_for_byte():
    gen = _generator()
    assert gen.survey_csv().encode("utf-8") == SAMPLE_DATA.read_bytes()
    assert gen.checklist_csv().encode("utf-8") == CHECKLIST_FILE.read_bytes()


@pytest.mark.slow
def test_generator_check_mode_writes_nothing():
    before = SAMPLE_DATA.stat().st_mtime_ns
    out = subprocess.run([sys.executable, str(DATA_DIR / "make_sample.py"), "--check"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "same: raw/clem_surakarta_sample.csv" in out.stdout.replace("data/", "")
    assert SAMPLE_DATA.stat().st_mtime_ns == before


def test_another_seed_gives_another_survey():
    assert _generator().survey_csv(seed=1)[:5000] != SAMPLE_DATA.read_text(encoding="utf-8")[:5000]


def test_looks_like_a_kobo_export():
    head = SAMPLE_DATA.read_text(encoding="utf-8").splitlines()[0]
    assert head.count(";") > 50 and "," not in head  # Kobo's ';' CSV
    raw = read_survey(SAMPLE_DATA)
    assert len(raw) == 2082
    for col in ("_uuid", "_submission_time", "_id", "_index", "start", "end", "identitas/kecamatan",
                "skm/u1_persyaratan", "harapan/h9_sarana", "responden/kelompok_khusus"):
        assert col in raw.columns
    assert raw["_uuid"].duplicated().sum() == 12
    assert set(raw["identitas/persetujuan"]) == {"Ya", "ya", "Tidak", "tidak", "TIDAK"}
    variants = set(raw["skm/u1_persyaratan"].dropna())
    assert {"Sangat puas", "SANGAT PUAS ", "Sgt puas", "4", "Tidak tahu"} <= variants
    assert {"Kec. Serengan", "Kecamatan Serengan", "SERENGAN"} <= set(raw["identitas/kecamatan"])
    assert raw["responden/nik"].dropna().str.fullmatch(r"3372\d{12}").all()
    assert raw["responden/kelompok_khusus"].dropna().str.contains(" ").any()  # select_multiple


def test_size_units_sectors_rounds(full, table):
    assert len(full) == 2020 and len(table) == 1500
    assert full["round"].value_counts().to_dict() == {1: 1010, 2: 1010}
    units = load_units(UNITS_FILE)
    assert sorted(full["unit"].unique()) == sorted(units["name"]) == sorted(SIX + FACILITIES)
    sectors = full.groupby("unit")["sector"].agg(lambda s: sorted(s.dropna().unique()))
    assert sectors["Dispendukcapil"] == ["adminduk"]
    for u in SIX[1:]:
        assert sectors[u] == ["adminduk", "kesehatan", "pendidikan"]
    assert [sectors[u] for u in FACILITIES] == [["adminduk"], ["kesehatan"], ["pendidikan"]] * 2
    assert table.groupby(["unit", "round"]).size().min() == 124
    assert full.groupby(["unit", "round"]).size().min() == 40
    assert full["respondent_id"].is_unique


def test_units_name_their_district_and_agency():
    units = load_units(UNITS_FILE).set_index("name")
    assert units.loc[FACILITIES[:3], "district"].tolist() == ["Serengan"] * 3
    assert units.loc[FACILITIES[3:], "district"].tolist() == ["Pasar Kliwon"] * 3
    assert units.loc["Dispendukcapil", "district"] is pd.NA or pd.isna(units.loc["Dispendukcapil", "district"])
    assert units.loc[["Puskesmas Kratonan", "Puskesmas Sangkrah"], "agency"].tolist() == ["Dinas Kesehatan"] * 2


def test_planted_data_problems_are_caught(cleaned):
    res = cleaned
    summary = res.summary[res.summary["unit"].isin([*SIX, ""])]  # "": rules on whole columns
    n = summary.groupby("rule")["n"].sum()
    assert n["consent_refused"] == 36 and n["duplicate_uuid"] == 12 and n["duplicate_answers"] == 14
    assert n["future_date"] == 1 and n["pii_free_text"] == 45 and n["pii_dropped"] == 4
    assert n["unmatched_label"] == 126 and n["missing_code"] == 369 and n["out_of_range"] == 54
    six = res.table[res.table["unit"].isin(SIX)]
    assert int(six["speeder"].sum()) == 24 and int(res.table["speeder"].sum()) == 24  # none in the facilities
    assert int(six["straightliner"].sum()) == 40  # 22 planted + natural ones
    assert res.table["age"].max() <= 100 and res.table["cost_paid"].min() >= 0


def test_effect_53_percent_not_friendly(table):
    f = table["facility_friendly"].dropna().astype(bool)
    assert (~f).sum() == 774 and len(f) == 1467
    assert (~f).mean() == pytest.approx(0.5276, abs=1e-4)


def test_effect_special_group_sarana_gap_only(table):
    means = table.groupby("special_group")[UNSUR].mean().astype("float64")
    gap = means.loc[True] - means.loc[False]
    assert gap["unsur_sarana"] == pytest.approx(-0.4390, abs=1e-3)
    assert gap.drop("unsur_sarana").abs().max() < 0.07
    assert table["special_group"].sum() == 625


def test_effect_broker_pays_more_and_waits_less(table):
    by = table.groupby("channel")
    cost = by["cost_paid"].mean().astype("float64")
    assert cost["broker"] == pytest.approx(148035.02, abs=0.01)
    assert cost["in_person"] == pytest.approx(2680.16, abs=0.01)
    extra = by["paid_extra"].mean().astype("float64")
    assert extra["broker"] == pytest.approx(0.9035, abs=1e-4) and extra["in_person"] == pytest.approx(0.0802, abs=1e-4)
    days = by["days_to_complete"].mean().astype("float64")
    assert days["broker"] == pytest.approx(5.2008, abs=1e-4) and days["in_person"] == pytest.approx(9.1909, abs=1e-4)
    wait = by["wait_minutes"].mean().astype("float64")
    assert wait["broker"] < wait["in_person"] / 3


def test_effect_one_unit_below_grade_b(table, full):
    ikm = {u: _ikm(d) for u, d in table.groupby("unit")}
    assert ikm["Kec. Pasar Kliwon"] == pytest.approx(72.340, abs=1e-3)
    below = [u for u, v in ikm.items() if v < 76.61]
    assert below == ["Kec. Pasar Kliwon"]
    per_round = {k: _ikm(d) for k, d in table.groupby(["unit", "round"])}
    for (u, r), v in per_round.items():
        if u == "Kec. Pasar Kliwon":
            assert 70 < v < 74
        else:
            assert v >= 76.61, (u, r, v)
    # in the same kecamatan, Puskesmas Sangkrah is below grade B too (planted 70 and 71)
    facility = {u: _ikm(d) for u, d in full[full["unit"].isin(FACILITIES)].groupby("unit")}
    assert [u for u, v in facility.items() if v < 76.61] == ["Puskesmas Sangkrah"]


def test_effect_one_unit_improves(table):
    per_round = {k: _ikm(d) for k, d in table.groupby(["unit", "round"])}
    change = {u: per_round[(u, 2)] - per_round[(u, 1)] for u in table["unit"].unique()}
    assert per_round[("Dispendukcapil", 1)] == pytest.approx(78.710, abs=1e-3)
    assert per_round[("Dispendukcapil", 2)] == pytest.approx(86.823, abs=1e-3)
    assert max(change, key=change.get) == "Dispendukcapil"
    assert all(abs(v) < 2 for u, v in change.items() if u != "Dispendukcapil")
