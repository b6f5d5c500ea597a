"""Codebook and units: validated on load, one-line errors for bad files."""

import re
from pathlib import Path

import pandas as pd
import pytest

from clem_lib import (
    SAMPLE_CODEBOOK,
    UNITS_FILE,
    ClemInputError,
    UNSUR_14_2017,
    load_codebook,
    load_units,
    locations,
    normalize_label,
    resolve_location,
    slugify,
)

FIX = Path(__file__).parent / "fixtures" / "data"


def test_sample_codebook_loads_with_all_nine_unsur():
    cb = load_codebook(SAMPLE_CODEBOOK)
    assert cb.survey_name == "clem_surakarta_sample"
    assert cb.scheme == "permenpan14_2017"
    assert cb.path == Path(SAMPLE_CODEBOOK)
    assert cb.unsur_keys == UNSUR_14_2017
    assert [c.unsur for c in cb.by_role("unsur")] == list(UNSUR_14_2017)
    assert [c.name for c in cb.by_role("harapan")] == [f"harapan_{k}" for k in UNSUR_14_2017]
    assert {c.name for c in cb.by_role("personal")} == {"nama", "nik", "no_hp", "alamat"}
    assert cb.column("facility_friendly").source == "crc/fasilitas_ramah"


def test_scale_lookup_codes_labels_aliases_and_missing():
    sc = load_codebook(SAMPLE_CODEBOOK).scales["kepuasan4"]
    assert sc.kind == "ordinal" and sc.codes == (1, 2, 3, 4)
    for typed, code in [("Sangat puas", 4), ("SANGAT PUAS ", 4), ("sgt puas", 4), ("Sgt. puas", 4),
                        ("4", 4), ("Kurang  puas", 2), ("tdk puas", 1)]:
        assert sc.lookup[normalize_label(typed)] == code, typed
    assert normalize_label("Tidak tahu") in sc.missing
    assert "99" in sc.missing
    assert "Sangat puas" in sc.canonical and "4" in sc.canonical
    assert "SANGAT PUAS " not in sc.canonical  # a variant: logged as an alias correction
    assert sc.labels_en[4] == "Very satisfied"
    assert sc.suggest("Sangat puass") == ["Sangat puas"]
    assert sc.suggest("xyz") == []


def test_normalize_label_and_slugify():
    assert normalize_label("  SANGAT  puas. ") == "sangat puas"
    assert normalize_label("Kec.Serengan") == normalize_label("kec serengan")
    assert slugify("Kec. Pasar Kliwon") == "kec-pasar-kliwon"
    assert slugify("Dispendukcapil") == "dispendukcapil"


def test_load_units_table():
    u = load_units(UNITS_FILE)
    assert list(u.columns) == ["name", "slug", "sectors", "aliases", "users_per_month", "district", "agency"]
    assert list(u["name"]) == ["Dispendukcapil", "Kec. Laweyan", "Kec. Serengan", "Kec. Pasar Kliwon",
                               "Kec. Jebres", "Kec. Banjarsari", "Kel. Joyotakan", "Puskesmas Kratonan",
                               "SD Negeri Danukusuman", "Kel. Semanggi", "Puskesmas Sangkrah", "SD Negeri Semanggi"]
    assert u.set_index("name").loc["Dispendukcapil", "sectors"] == ["adminduk"]
    assert all(s == ["adminduk", "kesehatan", "pendidikan"] for s in u["sectors"].iloc[1:6])
    assert "Kecamatan Serengan" in u.set_index("name").loc["Kec. Serengan", "aliases"]
    assert u["slug"].tolist()[3] == "kec-pasar-kliwon"
    assert str(u["users_per_month"].dtype) == "Int64"
    # the sample's hierarchy: five districts (Dispendukcapil serves the whole city), four declared agencies
    assert str(u["district"].dtype) == "string" and u["district"].isna().tolist() == [True] + [False] * 11
    loc = locations(u)
    assert loc.loc[loc["level"] == "district", "name"].tolist() == ["Laweyan", "Serengan", "Pasar Kliwon", "Jebres",
                                                                     "Banjarsari"]
    assert loc.set_index("name").loc["Dinas Kesehatan", "units"] == ("Puskesmas Kratonan", "Puskesmas Sangkrah")
    assert loc.set_index("name").loc["Dispendukcapil", "slug"] == "dinas-dispendukcapil"


def test_bad_yaml_is_one_line_with_position():
    with pytest.raises(ClemInputError) as e:
        load_codebook(FIX / "bad_yaml.codebook.yml")
    msg = str(e.value)
    assert "\n" not in msg
    assert "bad_yaml.codebook.yml" in msg and "not valid YAML" in msg and "line" in msg


def test_unknown_scale_names_entry_and_known_scales():
    with pytest.raises(ClemInputError) as e:
        load_codebook(FIX / "unknown_scale.codebook.yml")
    msg = str(e.value)
    assert "unknown scale 'puas5'" in msg and "unsur_persyaratan" in msg
    assert "jk, puas4, yn" in msg and "\n" not in msg


def test_missing_codebook_file():
    with pytest.raises(ClemInputError, match="file not found"):
        load_codebook(FIX / "nope.codebook.yml")


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["columns"].append({"source": "x", "role": "unsur", "unsur": "kebersihan",
                                    "scale": "puas4"}), "unsur 'kebersihan' is not in the scheme"),
    (lambda d: d["columns"].append({"source": "x", "role": "mood"}), "unknown role 'mood'"),
    (lambda d: d["columns"].append({"source": "x2", "role": "unsur", "unsur": "waktu", "scale": "puas4"}),
     "two entries produce column 'unsur_waktu'"),
    (lambda d: d["columns"].append({"source": "x", "role": "indicator", "name": "ok", "scale": "puas4"}),
     "needs a boolean scale"),
    (lambda d: d["scales"]["puas4"]["levels"].append({"code": 2, "id": "Dua"}), "code 2 appears twice"),
    (lambda d: d["scales"]["yn"].update(missing=["Ya"]), "both a level and a missing code"),
    (lambda d: d.update(survey_name="my survey/1"), "not file-safe"),
    (lambda d: d["columns"].append({"source": "id2", "role": "respondent_id"}),
     "two entries produce column 'respondent_id'"),
    (lambda d: d.update(columns=[c for c in d["columns"] if c["role"] != "unit"]),
     "exactly one column with role unit"),
    (lambda d: d["columns"].append({"source": "k", "role": "special_groups",
                                    "choices": {"lansia": "elderly", "": None}}), "choice '' is blank"),
    (lambda d: d["columns"].append({"source": "k", "role": "special_groups", "blank": "empty",
                                    "choices": {"lansia": "elderly"}}), "blank must be none or missing"),
    (lambda d: d["columns"].append({"source": "k", "role": "indicator", "name": "ok", "scale": "yn",
                                    "separator": ","}), "apply to role special_groups only"),
    (lambda d: d["columns"].append({"source": "k", "role": "unsur", "unsur": "waktu",
                                    "scale": "skm_waktuu"}), "or a built-in scale"),
])
def test_invalid_codebooks(tmp_path, edit, expected):
    import yaml

    doc = yaml.safe_load((FIX / "mini.codebook.yml").read_text(encoding="utf-8"))
    edit(doc)
    p = tmp_path / "cb.yml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ClemInputError) as e:
        load_codebook(p)
    assert expected in str(e.value)
    assert "(fix: " in str(e.value)


def test_units_alias_claimed_twice(tmp_path):
    p = tmp_path / "units.yml"
    p.write_text("units:\n  - {name: A, sectors: [adminduk], aliases: [X]}\n"
                 "  - {name: B, sectors: [adminduk], aliases: [x]}\n", encoding="utf-8")
    with pytest.raises(ClemInputError, match="alias 'x' belongs to both 'A' and 'B'"):
        load_units(p)


def test_custom_scheme_keys(tmp_path):
    import yaml

    doc = yaml.safe_load((FIX / "mini.codebook.yml").read_text(encoding="utf-8"))
    doc["scheme"] = {"name": "mini3", "unsur": ["persyaratan", "waktu", "sarana"]}
    p = tmp_path / "cb.yml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    assert load_codebook(p).unsur_keys == ("persyaratan", "waktu", "sarana")
    assert isinstance(load_units(UNITS_FILE), pd.DataFrame)


def test_typo_in_a_key_is_caught(tmp_path):
    text = (FIX / "mini.codebook.yml").read_text(encoding="utf-8").replace(
        "{source: resp/umur, role: age, range: [15, 100]}", "{source: resp/umur, role: age, rang: [15, 100]}")
    (tmp_path / "cb.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ClemInputError, match=r"column 'resp/umur': columns\[13\]: unknown key 'rang' "
                                             r"\(did you mean 'range'\?\)"):
        load_codebook(tmp_path / "cb.yml")
    text = (FIX / "mini.codebook.yml").read_text(encoding="utf-8").replace("quality:", "qualty:")
    (tmp_path / "cb.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ClemInputError, match="top level: unknown key 'qualty' \\(did you mean 'quality'\\?\\)"):
        load_codebook(tmp_path / "cb.yml")


def test_titles():
    cb = load_codebook(SAMPLE_CODEBOOK)
    assert cb.title["en"] == "CLeM survey of public services, Surakarta (synthetic data)"
    assert load_codebook(FIX / "mini.codebook.yml").title == {"id": "mini", "en": "mini"}


# ---- the parsed-units cache ------------------------------------------------
_UNITS_YML = ("units:\n"
              "  - {name: Kec. A, sectors: [adminduk, kesehatan], aliases: [A, Kecamatan A], users_per_month: 40}\n"
              "  - {name: Kec. B, slug: kec-b, sectors: adminduk}\n")


@pytest.fixture
def units_cache(tmp_path, monkeypatch):
    from clem_lib.codebook import units as units_module

    folder = tmp_path / "cache"
    monkeypatch.setenv("CLEM_CACHE_DIR", str(folder))
    monkeypatch.setattr(units_module, "_UNITS_MEMO", {})
    return folder


def test_units_cache_is_written_and_read_back(tmp_path, units_cache, monkeypatch):
    import hashlib

    from clem_lib.codebook import units as units_module

    p = tmp_path / "units.yml"
    p.write_text(_UNITS_YML, encoding="utf-8")
    first = load_units(p)
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    entries = list((units_cache / "units").glob("*.json"))
    assert [e.name for e in entries] == [f"{digest}.v{units_module._UNITS_CACHE_VERSION}.json"]
    # another process: no memo, the YAML parser must not be called
    units_module._UNITS_MEMO.clear()
    calls = []
    real = units_module.decode_yaml
    monkeypatch.setattr(units_module, "decode_yaml", lambda *a: calls.append(a) or real(*a))
    second = load_units(p)
    assert calls == []
    pd.testing.assert_frame_equal(first, second)
    assert second["sectors"].tolist() == [["adminduk", "kesehatan"], ["adminduk"]]
    assert second["aliases"].tolist() == [["A", "Kecamatan A"], []]
    assert second["users_per_month"].tolist() == [40, pd.NA]
    assert second["slug"].tolist() == ["kec-a", "kec-b"]
    # each call gets its own frame: changing one does not change the next
    second.loc[0, "name"] = "changed"
    second.loc[0, "sectors"].append("pendidikan")
    assert load_units(p).equals(first)


def test_units_cache_follows_the_file_content(tmp_path, units_cache):
    p = tmp_path / "units.yml"
    p.write_text(_UNITS_YML, encoding="utf-8")
    assert load_units(p)["users_per_month"].iloc[0] == 40
    p.write_text(_UNITS_YML.replace("users_per_month: 40", "users_per_month: 41"), encoding="utf-8")
    assert load_units(p)["users_per_month"].iloc[0] == 41
    # a file made bad after a good read is reported, not served from the cache
    p.write_text(_UNITS_YML.replace("aliases: [A, Kecamatan A]", "aliases: [A, Kec. B]"), encoding="utf-8")
    with pytest.raises(ClemInputError, match="alias 'Kec. B' belongs to both"):
        load_units(p)
    assert len(list((units_cache / "units").glob("*.json"))) == 2  # the bad file left no entry


def test_units_cache_entry_that_is_not_ours_is_ignored(tmp_path, units_cache):
    import hashlib

    from clem_lib.codebook import units as units_module

    p = tmp_path / "units.yml"
    p.write_text(_UNITS_YML, encoding="utf-8")
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    entry = units_cache / "units" / f"{digest}.v{units_module._UNITS_CACHE_VERSION}.json"
    entry.parent.mkdir(parents=True)
    for junk in ("{not json", '{"version": 1, "sha256": "other", "units": []}', '{"version": 1}', "[]"):
        entry.write_text(junk, encoding="utf-8")
        units_module._UNITS_MEMO.clear()
        assert load_units(p)["name"].tolist() == ["Kec. A", "Kec. B"]


@pytest.mark.parametrize("off", ["off", "", "0"])
def test_units_cache_can_be_switched_off(tmp_path, monkeypatch, off):
    from clem_lib.codebook import units as units_module

    monkeypatch.setenv("CLEM_CACHE_DIR", off)
    assert units_module.units_cache_dir() is None
    p = tmp_path / "units.yml"
    p.write_text(_UNITS_YML, encoding="utf-8")
    assert len(load_units(p)) == 2
    assert not any(tmp_path.rglob("*.json"))


def test_units_cache_that_cannot_be_written_is_no_error(tmp_path, monkeypatch):
    from clem_lib.codebook import units as units_module

    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("CLEM_CACHE_DIR", str(blocker / "cache"))  # under a file: mkdir fails
    monkeypatch.setattr(units_module, "_UNITS_MEMO", {})
    p = tmp_path / "units.yml"
    p.write_text(_UNITS_YML, encoding="utf-8")
    assert len(load_units(p)) == 2


def test_yaml_is_parsed_with_the_collector_paused_and_restored(tmp_path, monkeypatch):
    """The cyclic collector is off while a YAML tree is built, and on again afterwards."""
    import gc

    import yaml

    from clem_lib.codebook import files

    seen = []
    real = yaml.load
    monkeypatch.setattr(yaml, "load", lambda *a, **k: seen.append(gc.isenabled()) or real(*a, **k))
    p = tmp_path / "units.yml"
    p.write_text(_UNITS_YML, encoding="utf-8")
    assert gc.isenabled()
    assert len(files.read_yaml(p)["units"]) == 2
    assert seen == [False]
    assert gc.isenabled()
    # a YAML error on the way out switches it back on too
    p.write_text("units: [a, b", encoding="utf-8")
    with pytest.raises(ClemInputError, match="not valid YAML"):
        files.read_yaml(p)
    assert seen == [False, False]
    assert gc.isenabled()
    # a caller who switched the collector off keeps it off
    gc.disable()
    try:
        with files.gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_load_units_builds_its_rows_with_the_collector_paused(tmp_path, units_cache, monkeypatch):
    """From the YAML and from the cache alike; switched back on afterwards."""
    import gc

    from clem_lib.codebook import units as units_module

    seen = []
    real = units_module._units_frame
    monkeypatch.setattr(units_module, "_units_frame", lambda *parsed: seen.append(gc.isenabled()) or real(*parsed))
    p = tmp_path / "units.yml"
    p.write_text(_UNITS_YML, encoding="utf-8")
    first = load_units(p)  # parsed
    units_module._UNITS_MEMO.clear()
    second = load_units(p)  # from the cache on disk
    assert seen == [False, False]
    assert gc.isenabled()
    pd.testing.assert_frame_equal(first, second)


def test_collector_pauses_overlapping_in_threads_end_with_it_on():
    """Two overlapping pauses (a units file and a codebook read in two threads): on only after the last."""
    import gc
    import threading

    from clem_lib.codebook import files

    entered, leave = threading.Event(), threading.Event()
    states = []

    def other():
        with files.gc_paused():
            entered.set()
            leave.wait(10)
        states.append(gc.isenabled())

    t = threading.Thread(target=other)
    with files.gc_paused():
        t.start()
        assert entered.wait(10)
    states.append(gc.isenabled())  # the other pause is still on
    leave.set()
    t.join(10)
    assert states == [False, True]
    assert gc.isenabled()


# ---- districts and agencies ---------------------------------------------------
_HIERARCHY_YML = """\
units:
  - {name: Kec. Serengan, sectors: [adminduk], users_per_month: 900, district: Serengan}
  - {name: Puskesmas Serengan, sectors: [kesehatan], users_per_month: 300, district: serengan,
     agency: Dinas Kesehatan}
  - {name: Puskesmas Sibela, sectors: [kesehatan], district: Jebres, agency: Dinas Kesehatan}
  - {name: Dispendukcapil, sectors: [adminduk], users_per_month: 5400, agency: Disdukcapil}
"""


_PLAIN_YML = "units:\n  - {name: Kec. Serengan, sectors: [adminduk]}\n"


def _units_file(tmp_path, text):
    p = tmp_path / "units.yml"
    p.write_text(text, encoding="utf-8")
    return p


def test_units_name_their_district_and_agency(tmp_path, units_cache):
    u = load_units(_units_file(tmp_path, _HIERARCHY_YML))
    # spellings that match when normalised are one district, named as the first unit writes it
    assert u["district"].tolist() == ["Serengan", "Serengan", "Jebres", pd.NA]
    assert u["agency"].tolist() == [pd.NA, "Dinas Kesehatan", "Dinas Kesehatan", "Disdukcapil"]
    t = locations(u)
    assert list(t.columns) == ["level", "name", "slug", "units", "users_per_month", "aliases"]
    assert t[["level", "name", "slug"]].values.tolist() == [
        ["district", "Serengan", "serengan"], ["district", "Jebres", "jebres"],
        ["agency", "Dinas Kesehatan", "dinas-kesehatan"], ["agency", "Disdukcapil", "disdukcapil"]]
    assert t["units"].tolist() == [("Kec. Serengan", "Puskesmas Serengan"), ("Puskesmas Sibela",),
                                   ("Puskesmas Serengan", "Puskesmas Sibela"), ("Dispendukcapil",)]
    # the sum of its units' users per month; missing when one of them has none
    assert t["users_per_month"].tolist() == [1200, pd.NA, pd.NA, 5400]
    assert str(t["users_per_month"].dtype) == "Int64"


def test_declared_districts_and_agencies(tmp_path, units_cache):
    from clem_lib.codebook import units as units_module

    text = ("districts:\n"
            "  - {name: Jebres}\n"
            "  - {name: Kecamatan Serengan, slug: serengan, aliases: [Serengan, Kec Srengan]}\n"
            "agencies:\n"
            "  - {name: Dinas Kesehatan, aliases: [Dinkes]}\n"
            "  - {name: Dispendukcapil, slug: agency-dispendukcapil, aliases: [Disdukcapil]}\n" + _HIERARCHY_YML.replace("agency: Dinas Kesehatan}", "agency: dinkes}"))
    p = _units_file(tmp_path, text)
    u = load_units(p)
    assert u["district"].tolist() == ["Kecamatan Serengan", "Kecamatan Serengan", "Jebres", pd.NA]
    assert u["agency"].tolist() == [pd.NA, "Dinas Kesehatan", "Dinas Kesehatan", "Dispendukcapil"]
    t = locations(u)
    # in declared order, with the declared slug and aliases
    assert t[["level", "name", "slug"]].values.tolist() == [
        ["district", "Jebres", "jebres"], ["district", "Kecamatan Serengan", "serengan"],
        ["agency", "Dinas Kesehatan", "dinas-kesehatan"], ["agency", "Dispendukcapil", "agency-dispendukcapil"]]
    assert t["aliases"].tolist() == [(), ("Serengan", "Kec Srengan"), ("Dinkes",), ("Disdukcapil",)]
    # the same from the cache on disk, in another process
    units_module._UNITS_MEMO.clear()
    again = load_units(p)
    pd.testing.assert_frame_equal(again, u)
    assert again.attrs == u.attrs
    pd.testing.assert_frame_equal(locations(again), t)


@pytest.mark.parametrize("edit, expected", [
    # a unit belongs to one district (agency)
    (lambda t: t.replace("district: Jebres", "district: [Jebres, Serengan]"),
     r"line 5, unit 'Puskesmas Sibela': district is a list \(\['Jebres', 'Serengan'\]\): a unit belongs to one "
     r"district \(fix: write one name, district: <name>"),
    (lambda t: t.replace("agency: Disdukcapil", "agency: {name: Disdukcapil}"),
     "line 6, unit 'Dispendukcapil': agency is a mapping .*: a unit belongs to one agency"),
    (lambda t: t.replace("district: Jebres", "district: 12"), "line 5, unit 'Puskesmas Sibela': district 12 is not a name"),
    # a district the declared list does not have
    (lambda t: "districts: [Serengan, Jebres]\n" + t.replace("district: Jebres", "district: Jebress"),
     r"line 6, unit 'Puskesmas Sibela': district 'Jebress' is not in the districts: list \(fix: did you mean "
     r"'Jebres', or add it under districts:\)"),
    (lambda t: "agencies: [Disdukcapil]\n" + t,
     r"line 4, unit 'Puskesmas Serengan': agency 'Dinas Kesehatan' is not in the agencies: list \(fix: use one of "
     r"'Disdukcapil' or add it under agencies:\)"),
    # a declared district with no unit
    (lambda t: "districts:\n  - Serengan\n  - Jebres\n  - {name: Laweyan}\n" + t,
     r"line 4, district 'Laweyan': no unit names this district \(fix: give its units district: Laweyan, or remove "
     r"it from districts:\)"),
    # slugs: a unit's, another location's, an output file's
    (lambda t: t.replace("district: Jebres", "district: Kec. Serengan"),
     r"line 5, unit 'Puskesmas Sibela', district 'Kec. Serengan': slug 'kec-serengan' is also the slug of unit "
     r"'Kec. Serengan' \(fix: declare it under districts: with a slug of its own, e.g. - \{name: Kec. Serengan, "
     r"slug: district-kec-serengan\}\)"),
    (lambda t: "districts: [Serengan, {name: Jebres, slug: dinas-kesehatan}]\n" + t,
     r"line 4, unit 'Puskesmas Serengan', agency 'Dinas Kesehatan': slug 'dinas-kesehatan' is also the slug of "
     r"district 'Jebres'"),
    (lambda t: t.replace("agency: Disdukcapil", "agency: Dispendukcapil"),
     r"line 6, unit 'Dispendukcapil', agency 'Dispendukcapil': slug 'dispendukcapil' is also the slug of unit "
     r"'Dispendukcapil' \(fix: declare it under agencies: with a slug of its own, e.g. - \{name: Dispendukcapil, "
     r"slug: agency-dispendukcapil\}\)"),
    (lambda t: "agencies: [Dinas Kesehatan, Dispendukcapil]\n" + t.replace("agency: Disdukcapil", "agency: Dispendukcapil"),
     r"line 1, agency 'Dispendukcapil': slug 'dispendukcapil' is also the slug of unit 'Dispendukcapil' \(fix: give "
     r"the agency a slug of its own under agencies:, e.g. slug: agency-dispendukcapil\)"),
    (lambda t: t.replace("district: Jebres", "district: Index"),
     r"line 5, unit 'Puskesmas Sibela', district 'Index': slug 'index' is the name of another output file"),
    (lambda t: "districts: [Serengan, {name: Jebres, slug: ../jebres}]\n" + t,
     r"line 1, district 'Jebres': slug '../jebres' cannot name a report file"),
    # declared entries like units
    (lambda t: "districts: [Serengan, {name: Jebres, alias: [Jebres Kota]}]\n" + t,
     r"line 1, district 'Jebres': unknown key 'alias' \(fix: a district has only name, slug and aliases\)"),
    (lambda t: "districts:\n  - {name: Serengan, aliases: [Kota]}\n  - {name: Jebres, aliases: [kota]}\n" + t,
     r"line 3, district 'Jebres': 'kota' also names district 'Serengan'"),
    (lambda t: "districts: {Serengan: 1}\n" + t, r"districts: is not a list"),
    (lambda t: "districts: [Serengan, Jebres, serengan]\n" + t, r"line 1, district 'serengan': 'serengan' is listed twice"),
    (lambda t: "districts:\n  - Serengan\n  - {slug: jebres}\n" + t, r"line 3: a district has no name"),
])
def test_bad_hierarchy_is_one_line_with_file_line_unit_and_fix(tmp_path, units_cache, edit, expected):
    p = _units_file(tmp_path, edit(_HIERARCHY_YML))
    with pytest.raises(ClemInputError) as e:
        load_units(p)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(str(p)) and "(fix: " in msg
    assert re.search(expected, msg), msg


def test_bad_hierarchy_exits_2_through_the_command_line(tmp_path, capsys):
    from clem_lib.cli import main

    p = _units_file(tmp_path, UNITS_FILE.read_text(encoding="utf-8").replace(
        "    users_per_month: 900\n", "    users_per_month: 900\n    district: [Serengan, Jebres]\n"))
    code = main(["validate", "--data", str(FIX / "mini.csv"), "--codebook", str(FIX / "mini.codebook.yml"),
                 "--units-file", str(p)])
    assert code == 2
    out = capsys.readouterr()
    assert "unit 'Kec. Serengan': district is a list" in out.out + out.err
    assert "a unit belongs to one district" in out.out + out.err


def test_resolve_location(tmp_path, units_cache):
    text = ("districts: [{name: Kecamatan Serengan, slug: serengan, aliases: [Serengan]}, Jebres]\n"
            "agencies: [Dinas Kesehatan, {name: Jebres, slug: agency-jebres}]\n"
            + _HIERARCHY_YML.replace("agency: Disdukcapil", "agency: Jebres"))
    u = load_units(_units_file(tmp_path, text))
    assert resolve_location(u, "kecamatan  serengan") == ("district", "Kecamatan Serengan")
    assert resolve_location(u, "SERENGAN") == ("district", "Kecamatan Serengan")  # an alias, and the slug
    assert resolve_location(u, "dinas-kesehatan") == ("agency", "Dinas Kesehatan")
    # a name of two levels needs its level
    with pytest.raises(ClemInputError, match=r"'jebres' names agency 'Jebres' and district 'Jebres' .*give the level"):
        resolve_location(u, "jebres")
    assert resolve_location(u, "jebres", level="agency") == ("agency", "Jebres")
    with pytest.raises(ClemInputError, match=r"unknown location 'Serengn' \(fix: did you mean 'Kecamatan Serengan'\? "
                                             r"known districts: 'Kecamatan Serengan', 'Jebres'; known agencies: "
                                             r"'Dinas Kesehatan', 'Jebres'\)"):
        resolve_location(u, "Serengn")
    with pytest.raises(ClemInputError, match=r"unknown agency 'Serengan' \(fix: known agencies: 'Dinas Kesehatan', "
                                             r"'Jebres'\)"):
        resolve_location(u, "Serengan", level="agency")
    with pytest.raises(ClemInputError, match="unknown level 'kelurahan'"):
        resolve_location(u, "Serengan", level="kelurahan")
    with pytest.raises(ClemInputError, match="the units file names no district or agency"):
        resolve_location(load_units(_units_file(tmp_path, _PLAIN_YML)), "Serengan")
    assert resolve_location(load_units(UNITS_FILE), "Serengan") == ("district", "Serengan")


def test_levels_written_in_place_of_a_scale_name_are_a_one_line_error(tmp_path):
    text = (FIX / "unknown_scale.codebook.yml").read_text(encoding="utf-8").replace(
        "scale: puas5", "scale: {Puas: 3, Tidak puas: 1}")
    assert "{Puas: 3" in text
    (tmp_path / "inline.codebook.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ClemInputError) as e:
        load_codebook(tmp_path / "inline.codebook.yml")
    msg = str(e.value)
    assert "scale must be the name of a scale" in msg and "inline.codebook.yml" in msg
    assert "unsur_persyaratan" in msg and "scales:" in msg and "\n" not in msg
