"""``clem init``: a codebook and a units file drafted from an export clean it with no hand edit.

Every export here is SYNTHETIC, built in the test from a fixed seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from clem_lib.cleaning import clean_survey
from clem_lib.cli import main
from clem_lib.codebook import load_codebook, load_units, normalize_label
from clem_lib.draft import default_out_dir, draft_survey, read_xlsform, survey_name_from, write_draft
from clem_lib.draft.spellings import cluster_units
from clem_lib.scales import BUILTIN_SCALES

UNSUR = ["persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "pengaduan", "sarana"]
QUESTIONS = {
    "persyaratan": "1. Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
    "prosedur": "2. Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "waktu": "3. Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
    "biaya": "4. Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "produk": "5. Bagaimana pendapat Saudara tentang kesesuaian produk spesifikasi jenis pelayanan?",
    "kompetensi": "6. Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
    "perilaku": "7. Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
    "sarana": "8. Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
    "pengaduan": "9. Bagaimana pendapat Saudara tentang penanganan pengaduan, saran dan masukan?",
}


def _label(key: str, score: int, variant: int) -> str:
    lab = BUILTIN_SCALES[f"skm_{key}"]["levels"][score - 1]["id"]
    return [lab, lab.upper(), lab.replace("Sangat ", "Sgt ")][variant % 3]


def _units_col(rng, n):
    spellings = ["Puskesmas Gambirsari", "PUSKESMAS GAMBIRSARI ", "Pusk. Gambirsari", "Puskesmas Manahan",
                 "Kec. Serengan", "Kecamatan Serengan"]
    return [spellings[i] for i in rng.integers(0, len(spellings), n)]


def _google_forms(tmp_path, n=40, seed=1):
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 5, size=(n, 9))
    rows = []
    groups = ["", "Lansia", "Ibu hamil", "Lansia, Ibu hamil", "Penyandang disabilitas", "Membawa anak"]
    for i in range(n):
        row = {
            "Stempel waktu": f"{(i % 27) + 1:02d}/09/2025 10:{i % 60:02d}:33",
            "Alamat email": f"warga{i}@contoh.id",
            "Nama unit pelayanan": _units_col(rng, 1)[0],
            "Jenis kelamin": ["Laki-laki", "Perempuan", "P", "L"][i % 4],
            "Usia": str(20 + i % 50),
        }
        for j, key in enumerate(UNSUR):
            row[QUESTIONS[key]] = _label(key, int(scores[i, j]), i + j)
        row["Apakah Saudara termasuk kelompok berikut?"] = groups[i % len(groups)]
        row["Apakah fasilitas ramah bagi penyandang disabilitas dan lansia?"] = ["Ya", "Tidak"][i % 2]
        row["Berapa biaya yang Saudara bayar?"] = ["Rp 25.000", "50.000", "0", "Rp 10.000"][i % 4]
        row["Kritik dan saran"] = ["Antrean lama", "", "Petugas ramah, terima kasih", ""][i % 4]
        rows.append(row)
    path = tmp_path / "raw" / "SKM Puskesmas 2025 (Jawaban).csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    return path, scores


@pytest.fixture()
def gforms(tmp_path):
    return _google_forms(tmp_path)


def _in_export_order(table):
    """The cleaned table (sorted by unit) back in the export's row order (ids are row numbers or sortable)."""
    return table.sort_values("respondent_id", key=lambda s: s.astype(str)).reset_index(drop=True)


def _entries(codebook_path):
    doc = yaml.safe_load(codebook_path.read_text(encoding="utf-8"))
    return doc, {e["source"]: e for e in doc["columns"]}


def test_round_trip_google_forms(gforms, tmp_path):
    path, scores = gforms
    draft = draft_survey(path)
    cb, units = write_draft(draft, tmp_path / "out")
    assert cb.name == "skm_puskesmas_2025.codebook.yml"
    doc, by_src = _entries(cb)
    for key in UNSUR:
        e = by_src[QUESTIONS[key]]
        assert (e["role"], e["unsur"], e["scale"]) == ("unsur", key, f"skm_{key}")
    assert by_src["Stempel waktu"]["role"] == "interview_date"
    assert by_src["Alamat email"] == {"source": "Alamat email", "role": "personal", "name": "email", "pii": "drop"}
    assert by_src["Nama unit pelayanan"]["role"] == "unit"
    assert by_src["Jenis kelamin"]["scale"] == "jenis_kelamin"
    assert by_src["Usia"]["role"] == "age"
    sg = by_src["Apakah Saudara termasuk kelompok berikut?"]
    assert sg["role"] == "special_groups" and sg["separator"] == ", " and sg["blank"] == "none"
    assert sg["choices"] == {"Lansia": "elderly", "Ibu hamil": "pregnant", "Penyandang disabilitas": "disability",
                             "Membawa anak": "with_child"}
    ff = by_src["Apakah fasilitas ramah bagi penyandang disabilitas dan lansia?"]
    assert (ff["role"], ff["name"], ff["scale"]) == ("indicator", "facility_friendly", "ya_tidak")
    amt = by_src["Berapa biaya yang Saudara bayar?"]
    assert (amt["role"], amt["name"]) == ("amount", "cost_paid")
    assert by_src["Kritik dan saran"]["role"] == "free_text"
    # every guess carries a comment saying how sure
    text = cb.read_text(encoding="utf-8")
    assert '# unsur persyaratan guessed from the question text "1. Bagaimana pendapat Saudara' in text
    assert "(sure)" in text
    # loads and cleans with no edit: every unsur answer gets its intended code
    load_codebook(cb)
    res = clean_survey(path, cb, units)
    t = _in_export_order(res.table)
    assert len(t) == len(scores)
    for j, key in enumerate(UNSUR):
        assert t[f"unsur_{key}"].to_numpy(dtype=int).tolist() == scores[:, j].tolist(), key
    assert t["interview_date"].iloc[0] == pd.Timestamp("2025-09-01")
    assert t["cost_paid"].tolist()[:4] == [25000, 50000, 0, 10000]
    assert t["elderly"].tolist()[:4] == [False, True, False, True]
    assert t["pregnant"].tolist()[:4] == [False, False, True, True]
    assert "Alamat email" not in t.columns and "email" not in t.columns


def test_units_clustered_with_aliases_and_sectors(gforms, tmp_path):
    path, _ = gforms
    _cb, units = write_draft(draft_survey(path), tmp_path / "out")
    u = load_units(units)
    assert len(u) == 3  # six spellings, three units
    spellings = sorted(sorted(normalize_label(x) for x in (n, *a)) for n, a in zip(u["name"], u["aliases"]))
    # case variants ("PUSKESMAS GAMBIRSARI ") match the name already: not listed
    assert spellings == [["kec serengan", "kecamatan serengan"], ["pusk gambirsari", "puskesmas gambirsari"],
                         ["puskesmas manahan"]]
    assert "PUSKESMAS GAMBIRSARI" not in set(u["name"])  # a name in proper case when the export has one
    gambir = u[u["name"].str.contains("Gambirsari")].iloc[0]
    assert gambir["sectors"] == ["kesehatan"] and gambir["slug"] in ("puskesmas-gambirsari", "pusk-gambirsari")
    assert u[u["name"].str.contains("Serengan")].iloc[0]["sectors"] == ["adminduk"]
    assert u["users_per_month"].isna().all()  # null: for the user to fill
    text = units.read_text(encoding="utf-8")
    assert "guessed from the name" in text and "users_per_month: null" in text


def test_cluster_units_keeps_numbered_and_different_units_apart():
    got = cluster_units([("Puskesmas Gambirsari", 5), ("PUSKESMAS GAMBIRSARI ", 3), ("Pusk. Gambirsari", 2),
                          ("SD Negeri 1 Klaten", 3), ("SDN 2 Klaten", 2), ("SD N 1 Klaten", 1),
                          ("Kec. Laweyan", 4), ("Kecamatan Lawean", 1), ("LAWEYAN", 2),
                          ("Puskesmas Jebres", 3), ("Kecamatan Jebres", 3), ("Jebres", 1)])
    names = {c[0]: c[1] for c in got}
    assert names["Puskesmas Gambirsari"] == ["Pusk. Gambirsari"]
    assert names["SD Negeri 1 Klaten"] == ["SD N 1 Klaten"]
    assert "SDN 2 Klaten" in names  # another number: another school
    assert set(names["Kec. Laweyan"]) == {"LAWEYAN", "Kecamatan Lawean"}
    # a bare name two units could own stays on its own
    assert "Jebres" in names and "Puskesmas Jebres" in names and "Kecamatan Jebres" in names


def test_draft_is_deterministic(gforms, tmp_path):
    path, _ = gforms
    a = write_draft(draft_survey(path), tmp_path / "a")
    b = write_draft(draft_survey(path), tmp_path / "b")
    assert a[0].read_bytes() == b[0].read_bytes()
    assert a[1].read_bytes() == b[1].read_bytes()


def test_cli_writes_beside_raw_and_refuses_to_overwrite(gforms, capsys):
    path, _ = gforms
    assert default_out_dir(path) == path.parent.parent  # the export's folder is raw/
    assert main(["init", "--data", str(path)]) == 0
    err = capsys.readouterr().err
    cb = path.parent.parent / "skm_puskesmas_2025.codebook.yml"
    assert cb.is_file() and "users_per_month" in err
    before = cb.read_bytes()
    assert main(["init", "--data", str(path)]) == 2
    lines = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("clem: error: ")
    assert "skm_puskesmas_2025.codebook.yml" in lines[0] and "--force" in lines[0]
    assert cb.read_bytes() == before
    assert main(["init", "--data", str(path), "--force"]) == 0
    assert not list(cb.parent.glob(".*.tmp"))


def test_cli_unreadable_export_exit_2(tmp_path, capsys):
    bad = tmp_path / "kosong.csv"
    bad.write_text("")
    assert main(["init", "--data", str(bad), "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("clem: error: ")


def _kobo_export(tmp_path, n=30, seed=2):
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 5, size=(n, 9))
    names = {1: "tidak_sesuai", 2: "kurang_sesuai", 3: "sesuai", 4: "sangat_sesuai"}
    groups = ["lansia ibu_hamil", "tidak_ada", "disabilitas", "anak", "", "lansia"]
    rows = []
    for i in range(n):
        row = {"start": f"2025-09-0{1 + i % 9}T08:00:00.000+07:00", "end": f"2025-09-0{1 + i % 9}T08:20:00.000+07:00",
               "grp/unit": ["pkm_sibela", "pkm_ngoresan"][i % 2], "grp/nama": f"Warga Contoh {i}",
               "grp/kelompok_khusus": groups[i % len(groups)]}
        for ch in ("lansia", "ibu_hamil", "disabilitas", "anak", "tidak_ada"):
            row[f"grp/kelompok_khusus/{ch}"] = "1" if ch in row["grp/kelompok_khusus"].split() else "0"
        for j, key in enumerate(UNSUR):
            row[f"skm/u{j + 1}_{key}"] = names[int(scores[i, j])] if key in ("persyaratan", "produk") \
                else str(int(scores[i, j]))
        row["skm/h1_persyaratan"] = ["penting", "sangat_penting"][i % 2]
        row["putaran"] = "1"
        row["_id"] = str(1000 + i)
        row["_uuid"] = f"uuid-{i:04d}"
        row["_submission_time"] = f"2025-09-0{1 + i % 9}T02:00:00"
        row["_index"] = str(i + 1)
        row["__version__"] = "v1"
        rows.append(row)
    path = tmp_path / "kobo.csv"
    pd.DataFrame(rows).to_csv(path, index=False, sep=";")
    return path, scores


def test_kobo_names_select_multiple_meta_and_numbers(tmp_path):
    path, scores = _kobo_export(tmp_path)
    cb, units = write_draft(draft_survey(path), tmp_path)
    _doc, by_src = _entries(cb)
    assert by_src["_uuid"]["role"] == "respondent_id"
    assert by_src["_submission_time"]["role"] == "submission_time"
    assert by_src["start"]["role"] == "start_time" and by_src["end"]["role"] == "end_time"
    assert by_src["putaran"]["role"] == "round"
    for meta in ("_id", "_index", "__version__"):
        assert meta not in by_src
    assert not any(s.startswith("grp/kelompok_khusus/") for s in by_src)  # read from the space-separated column
    sg = by_src["grp/kelompok_khusus"]
    assert sg["choices"] == {"lansia": "elderly", "tidak_ada": None, "anak": "with_child", "disabilitas": "disability",
                             "ibu_hamil": "pregnant"}
    assert "separator" not in sg and sg["blank"] == "missing"  # a "none" choice exists: blank = not answered
    assert by_src["skm/u1_persyaratan"]["scale"] == "skm_persyaratan"
    assert by_src["skm/u3_waktu"]["scale"] == "skm_waktu"  # numbers 1-4: the unsur's own scale
    h = by_src["skm/h1_persyaratan"]
    assert (h["role"], h["unsur"], h["scale"]) == ("harapan", "persyaratan", "skm_kepentingan4")
    assert by_src["grp/nama"]["role"] == "personal"
    res = clean_survey(path, cb, units)
    t = _in_export_order(res.table)
    for j, key in enumerate(UNSUR):
        assert t[f"unsur_{key}"].to_numpy(dtype=int).tolist() == scores[:, j].tolist(), key
    assert t["harapan_persyaratan"].tolist()[:2] == [3, 4]
    assert sorted(load_units(units)["name"]) == ["Puskesmas Ngoresan", "Puskesmas Sibela"]
    assert pd.isna(t["elderly"].iloc[4])  # blank cell, a "none" choice exists: not answered


def test_kobo_split_columns_only(tmp_path):
    rng = np.random.default_rng(3)
    n = 12
    df = pd.DataFrame({"unit": ["Puskesmas A", "Puskesmas B"] * (n // 2)})
    for j, key in enumerate(UNSUR):
        df[f"U{j + 1}"] = rng.integers(1, 5, n).astype(str)
    for ch in ("lansia", "disabilitas", "ibu_hamil"):
        df[f"kelompok/{ch}"] = rng.integers(0, 2, n).astype(str)
    path = tmp_path / "split.csv"
    df.to_csv(path, index=False)
    cb, units = write_draft(draft_survey(path), tmp_path)
    _doc, by_src = _entries(cb)
    assert by_src["kelompok"]["choices"] == {"lansia": "elderly", "disabilitas": "disability", "ibu_hamil": "pregnant"}
    assert [by_src[f"U{j + 1}"]["unsur"] for j in range(9)] == UNSUR  # numbered: the rule's order
    t = _in_export_order(clean_survey(path, cb, units).table)
    assert t["elderly"].astype(bool).tolist() == (df["kelompok/lansia"] == "1").tolist()


def test_pii_by_value_pattern(tmp_path):
    rng = np.random.default_rng(4)
    n = 20
    df = pd.DataFrame({
        "lokasi": ["SDN 1 Contoh", "SMP Negeri 2 Contoh"] * (n // 2),
        "kolom_a": [f"3372{rng.integers(10**11, 10**12)}" for _ in range(n)],
        "kolom_b": [f"08{rng.integers(10**9, 10**10)}" for _ in range(n)],
        "kolom_c": [f"+62 812-{rng.integers(1000, 9999)}-{rng.integers(1000, 9999)}" for _ in range(n)],
        "kolom_d": [f"orang{i}@contoh.id" for i in range(n)],
        "kolom_e": [f"Jl. Melati No. {i}, RT 0{i % 9 + 1}/RW 02" for i in range(n)],
    })
    for j, key in enumerate(UNSUR):
        df[f"u{j + 1}_{key}"] = rng.integers(1, 5, n).astype(str)
    path = tmp_path / "pii.csv"
    df.to_csv(path, index=False)
    cb, units = write_draft(draft_survey(path), tmp_path)
    _doc, by_src = _entries(cb)
    assert {c: by_src[c]["name"] for c in ("kolom_a", "kolom_b", "kolom_c", "kolom_d", "kolom_e")} == {
        "kolom_a": "nik", "kolom_b": "no_hp", "kolom_c": "no_hp_2", "kolom_d": "email", "kolom_e": "alamat"}
    assert all(by_src[c]["role"] == "personal" for c in ("kolom_a", "kolom_b", "kolom_c", "kolom_d", "kolom_e"))
    assert "16-digit NIK" in cb.read_text(encoding="utf-8")
    t = clean_survey(path, cb, units).table
    assert not {"nik", "no_hp", "email", "alamat"} & set(t.columns)
    u = load_units(units)
    assert sorted(u["name"]) == ["SDN 1 Contoh", "SMP Negeri 2 Contoh"]
    assert all(s == ["pendidikan"] for s in u["sectors"])


def test_sector_column_crosstab_and_yes_no_names(tmp_path):
    rng = np.random.default_rng(5)
    n = 24
    df = pd.DataFrame({
        "Unit layanan": ["Kec. Serengan", "Kec. Serengan", "Puskesmas Manahan"] * (n // 3),
        "Sektor": ["Kependudukan", "Kesehatan", "Kesehatan"] * (n // 3),
        "Layanan": ["KTP", "Imunisasi", "Rawat jalan"] * (n // 3),
        "Apakah Saudara mengalami masalah?": ["Ya", "Tidak"] * (n // 2),
        "Apakah masalah Saudara diselesaikan?": ["Ya", ""] * (n // 2),
        "Apakah Saudara membayar biaya tambahan di luar tarif resmi?": ["Tidak", "Tidak", "Ya"] * (n // 3),
        "Apakah Saudara tahu cara menyampaikan pengaduan?": ["Ya", "Tidak", "Tdk"] * (n // 3),
        "Apakah Saudara sudah divaksin?": ["Ya", "Tidak"] * (n // 2),
    })
    for j, key in enumerate(UNSUR):
        df[QUESTIONS[key]] = rng.integers(1, 5, n).astype(str)
    path = tmp_path / "crc.xlsx"
    df.to_excel(path, index=False)
    cb, units = write_draft(draft_survey(path), tmp_path)
    doc, by_src = _entries(cb)
    assert by_src["Sektor"]["role"] == "sector"
    codes = [lev["code"] for lev in doc["scales"][by_src["Sektor"]["scale"]]["levels"]]
    assert codes == ["adminduk", "kesehatan"]
    assert by_src["Layanan"]["role"] == "service"
    names = {c: by_src[c].get("name") for c in df.columns[3:8]}
    assert list(names.values()) == ["had_problem", "problem_resolved", "paid_extra", "knows_complaint",
                                    "sudah_divaksin"]
    u = load_units(units).set_index("name")
    assert u.loc["Kec. Serengan", "sectors"] == ["adminduk", "kesehatan"]  # from the sector column
    assert u.loc["Puskesmas Manahan", "sectors"] == ["kesehatan"]
    t = clean_survey(path, cb, units).table
    assert t["paid_extra"].sum() == n // 3


def test_kepmenpan_2004_scheme(tmp_path):
    rng = np.random.default_rng(6)
    texts = ["Prosedur pelayanan", "Persyaratan pelayanan", "Kejelasan petugas pelayanan",
             "Kedisiplinan petugas pelayanan", "Tanggung jawab petugas pelayanan", "Kemampuan petugas pelayanan",
             "Kecepatan pelayanan", "Keadilan mendapatkan pelayanan", "Kesopanan dan keramahan petugas",
             "Kewajaran biaya pelayanan", "Kepastian biaya pelayanan", "Kepastian jadwal pelayanan",
             "Kenyamanan lingkungan", "Keamanan pelayanan"]
    n = 16
    df = pd.DataFrame({"Unit": ["Kantor A", "Kantor B"] * (n // 2)})
    labels = ["Tidak baik", "Kurang baik", "Baik", "Sangat baik"]
    for t in texts:
        df[t] = [labels[i] for i in rng.integers(0, 4, n)]
    path = tmp_path / "ikm2004.csv"
    df.to_csv(path, index=False, sep=";", encoding="cp1252")
    cb, units = write_draft(draft_survey(path), tmp_path)
    doc, by_src = _entries(cb)
    assert doc["scheme"] == "kepmenpan25_2004"
    assert [by_src[t]["unsur"] for t in texts] == [
        "prosedur", "persyaratan", "kejelasan_petugas", "kedisiplinan_petugas", "tanggung_jawab_petugas",
        "kemampuan_petugas", "kecepatan_pelayanan", "keadilan", "kesopanan_keramahan", "kewajaran_biaya",
        "kepastian_biaya", "kepastian_jadwal", "kenyamanan_lingkungan", "keamanan_pelayanan"]
    assert {by_src[t]["scale"] for t in texts} == {"skm_baik4"}
    t = _in_export_order(clean_survey(path, cb, units).table)
    assert t["unsur_keadilan"].tolist() == [labels.index(v) + 1 for v in df["Keadilan mendapatkan pelayanan"]]


def test_unknown_labels_draft_a_scale_with_a_low_confidence_comment(tmp_path):
    n = 12
    df = pd.DataFrame({"unit": ["Desa A", "Desa B"] * (n // 2)})
    for j, key in enumerate(UNSUR):
        df[f"u{j + 1}_{key}"] = ["Jelek sekali", "Lumayan jelek", "Lumayan", "Bagus sekali"][j % 4:] + \
            ["Jelek sekali", "Lumayan jelek", "Lumayan", "Bagus sekali"][: j % 4] + \
            ["Lumayan"] * (n - 4)
    path = tmp_path / "aneh.csv"
    df.to_csv(path, index=False)
    draft = draft_survey(path)
    text = draft.codebook_yaml()
    assert "(check)" in text
    assert any("drafted" in t for t in draft.todo)
    cb, units = write_draft(draft, tmp_path)
    load_codebook(cb)


def _write_xlsform(path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label::Indonesian (id)", "label::English (en)", "relevant"])
    ws.append(["start", "start", "", "", ""])
    ws.append(["begin_group", "ident", "Identitas", "Identity", ""])
    ws.append(["select_one unit", "lokasi", "Unit yang dikunjungi", "Unit visited", ""])
    ws.append(["select_multiple kel", "khusus", "Termasuk kelompok?", "Groups?", ""])
    ws.append(["end_group", "", "", "", ""])
    ws.append(["begin_group", "skm", "SKM", "SKM", ""])
    ws.append(["select_one s4", "q1", QUESTIONS["persyaratan"], "Requirements", ""])
    ws.append(["select_one abc", "q2", QUESTIONS["prosedur"], "Procedure", ""])
    ws.append(["select_one yn", "mengadu", "Apakah pernah mengadu?", "Complained?", ""])
    ws.append(["select_one yn", "ditanggapi", "Apakah pengaduan ditanggapi?", "Answered?", "${mengadu} = 'ya'"])
    ws.append(["end_group", "", "", "", ""])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label::Indonesian (id)", "label::English (en)"])
    for name, lab in [("1", "Tidak sesuai"), ("2", "Kurang sesuai"), ("3", "Sesuai"), ("4", "Sangat sesuai")]:
        ch.append(["s4", name, lab, lab])
    for name, lab in [("a", "Tidak mudah"), ("b", "Kurang mudah"), ("c", "Mudah"), ("d", "Sangat mudah")]:
        ch.append(["abc", name, lab, lab])
    for name, lab in [("ya", "Ya"), ("tidak", "Tidak")]:
        ch.append(["yn", name, lab, lab])
    for name, lab in [("pkm_a", "Puskesmas Alpha"), ("pkm_b", "Puskesmas Beta")]:
        ch.append(["unit", name, lab, lab])
    for name, lab in [("lansia", "Lansia"), ("hamil", "Ibu hamil"), ("tidak", "Tidak ada")]:
        ch.append(["kel", name, lab, lab])
    st = wb.create_sheet("settings")
    st.append(["form_title", "form_id"])
    st.append(["SKM Uji Coba 2025", "skm_uji_2025"])
    wb.save(path)


def test_xlsform_read_and_used(tmp_path):
    form = tmp_path / "form.xlsx"
    _write_xlsform(form)
    f = read_xlsform(form)
    assert (f.title, f.form_id, f.language) == ("SKM Uji Coba 2025", "skm_uji_2025", "Indonesian (id)")
    q = {x.name: x for x in f.questions}
    assert q["q1"].path == ("skm",) and q["q1"].type == "select_one" and q["q1"].list_name == "s4"
    assert q["khusus"].type == "select_multiple" and q["ditanggapi"].relevant
    assert f.choices["abc"][0] == ("a", "Tidak mudah")
    rng = np.random.default_rng(7)
    n = 10
    s1, s2 = rng.integers(1, 5, n), rng.integers(1, 5, n)
    df = pd.DataFrame({
        "start": ["2025-09-01T08:00:00"] * n, "ident/lokasi": ["pkm_a", "pkm_b"] * (n // 2),
        "ident/khusus": ["lansia", "tidak", "hamil lansia", "", "tidak"] * (n // 5),
        "skm/q1": s1.astype(str), "skm/q2": ["abcd"[i - 1] for i in s2],
        "skm/mengadu": ["ya", "tidak"] * (n // 2), "skm/ditanggapi": ["ya", ""] * (n // 2),
    })
    path = tmp_path / "export.csv"
    df.to_csv(path, index=False)
    draft = draft_survey(path, form)
    assert draft.survey_name == "skm_uji_2025" and draft.title_id == "SKM Uji Coba 2025"
    cb, units = write_draft(draft, tmp_path)
    doc, by_src = _entries(cb)
    assert by_src["skm/q1"]["scale"] == "skm_persyaratan" and by_src["skm/q1"]["unsur"] == "persyaratan"
    sc = doc["scales"][by_src["skm/q2"]["scale"]]
    assert [(lev["code"], lev["aliases"]) for lev in sc["levels"]] == [(1, ["a"]), (2, ["b"]), (3, ["c"]),
                                                                       (4, ["d"])]
    assert by_src["ident/khusus"]["choices"] == {"lansia": "elderly", "hamil": "pregnant", "tidak": None}
    assert by_src["ident/lokasi"]["role"] == "unit"
    u = load_units(units)
    assert list(u["name"]) == ["Puskesmas Alpha", "Puskesmas Beta"] and list(u["aliases"]) == [["pkm_a"], ["pkm_b"]]
    t = _in_export_order(clean_survey(path, cb, units).table)
    assert t["unsur_persyaratan"].tolist() == s1.tolist() and t["unsur_prosedur"].tolist() == s2.tolist()


def test_spss_value_labels(tmp_path):
    pyreadstat = pytest.importorskip("pyreadstat")
    rng = np.random.default_rng(8)
    n = 12
    df = pd.DataFrame({"unit": [1.0, 2.0] * (n // 2)})
    labels = {}
    for j in range(9):
        df[f"q{j + 1}"] = rng.integers(1, 5, n).astype(float)
        labels[f"q{j + 1}"] = {1.0: "Tidak puas", 2.0: "Kurang puas", 3.0: "Puas", 4.0: "Sangat puas"}
    labels["unit"] = {1.0: "Puskesmas Satu", 2.0: "Kecamatan Dua"}
    path = tmp_path / "skm.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels=labels,
                         column_labels=["Unit pelayanan"] + [QUESTIONS[k] for k in UNSUR])
    cb, units = write_draft(draft_survey(path), tmp_path)
    _doc, by_src = _entries(cb)
    assert [by_src[f"q{j + 1}"]["unsur"] for j in range(9)] == UNSUR
    assert {by_src[f"q{j + 1}"]["scale"] for j in range(9)} == {"skm_kepuasan4"}
    assert "the SPSS variable label" in cb.read_text(encoding="utf-8")
    t = _in_export_order(clean_survey(path, cb, units).table)
    assert t["unsur_persyaratan"].tolist() == df["q1"].astype(int).tolist()
    assert sorted(load_units(units)["name"]) == ["Kecamatan Dua", "Puskesmas Satu"]


def test_survey_name_slug():
    assert survey_name_from("data/raw/SKM Puskesmas (Jawaban) 2025.csv") == "skm_puskesmas_jawaban_2025"
    assert survey_name_from("x/Rekap-SKM.xlsx") == "rekap_skm"
    # the suffix Google Forms gives a response sheet is not part of the survey's name
    assert survey_name_from("SKM Puskesmas 2025 (Jawaban).csv") == "skm_puskesmas_2025"
    assert survey_name_from("Service survey (Responses).csv") == "service_survey"


# --- district (kecamatan) and agency (dinas) of each unit ---------------------------------------------

#: unit -> (district, agency) the generated exports below give its rows
PLACES = {"Puskesmas Sangkrah": ("Pasar Kliwon", "Dinas Kesehatan"),
          "Puskesmas Gajahan": ("Pasar Kliwon", "Dinas Kesehatan"),
          "Kelurahan Joyotakan": ("Serengan", "Dispendukcapil"),
          "SMPN 4 Surakarta": ("Jebres", "Dinas Pendidikan")}


def _located_export(tmp_path, conflict=None, n=80, seed=7):
    """A spreadsheet of scores with a Kecamatan column (before the unit column) and a Dinas column.

    Kecamatan is spelled with and without "Kec."; SMPN 4 leaves it blank on some rows.
    ``conflict``: a unit whose rows name two kecamatan (every fourth of its rows says Laweyan).
    """
    rng = np.random.default_rng(seed)
    names = list(PLACES)
    rows = []
    for i in range(n):
        unit = names[i % len(names)]
        district, agency = PLACES[unit]
        if unit == conflict and (i // len(names)) % 4 == 1:
            district = "Laweyan"
        kec = ["Kec. " + district, district, "KEC. " + district.upper()][i % 3]
        if unit == "SMPN 4 Surakarta" and i % 5 == 3:
            kec = ""
        row = {"No": i + 1, "Kecamatan": kec, "Unit layanan": unit, "Dinas": agency,
               "Jenis kelamin": ["L", "P"][i % 2], "Umur": 20 + i % 40}
        row.update({f"U{j}": int(rng.integers(1, 5)) for j in range(1, 10)})
        rows.append(row)
    path = tmp_path / ("rekap_konflik.csv" if conflict else "rekap_skm.csv")
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _unit_blocks(units_text):
    """Each unit's lines in the drafted units file, by its name."""
    blocks, name = {}, None
    for line in units_text.splitlines():
        if line.startswith("  - name: "):
            name = line[len("  - name: "):].split("   #")[0]
            blocks[name] = []
        if name is not None:
            blocks[name].append(line)
    return blocks


def test_district_and_agency_filled_from_the_export(tmp_path, capsys):
    path = _located_export(tmp_path)
    assert main(["init", "--data", str(path), "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    cb, units = tmp_path / "out" / "rekap_skm.codebook.yml", tmp_path / "out" / "rekap_skm.units.yml"
    doc = yaml.safe_load(units.read_text(encoding="utf-8"))
    got = {u["name"]: (u.get("district"), u.get("agency")) for u in doc["units"]}
    # the unit is the finer place, though the Kecamatan column comes first
    assert set(got) == set(PLACES)
    assert {u: (normalize_label(d).removeprefix("kec "), a) for u, (d, a) in got.items()} == \
        {u: (normalize_label(d), a) for u, (d, a) in PLACES.items()}
    blocks = _unit_blocks(units.read_text(encoding="utf-8"))
    # every guess commented with where it came from and how sure
    assert any(line.startswith("    district: ") and "from the column 'Kecamatan': all 20 row(s)" in line
               and line.endswith("(sure)") for line in blocks["Puskesmas Sangkrah"])
    assert any(line.startswith("    agency: Dinas Kesehatan   # from the column 'Dinas': all 20 row(s) (sure)")
               for line in blocks["Puskesmas Sangkrah"])
    smp = next(line for line in blocks["SMPN 4 Surakarta"] if line.startswith("    district: "))
    assert "16 of 20 row(s), the others blank" in smp and smp.endswith("(likely)")
    # the two columns are not analysed: listed at the end of the codebook as written to the units file
    _doc, by_src = _entries(cb)
    assert by_src["Unit layanan"]["role"] == "unit"
    assert "Kecamatan" not in by_src and "Dinas" not in by_src
    text = cb.read_text(encoding="utf-8")
    assert '# "Kecamatan": the district (kecamatan) of each unit: written to the units file as district' in text
    assert '# "Dinas": the agency (dinas) of each unit: written to the units file as agency' in text
    # the files load and clean the export as they are
    assert len(load_units(units)) == 4
    assert len(clean_survey(path, cb, units).table) == 80


def test_conflicting_district_left_out_with_a_check_comment(tmp_path):
    path = _located_export(tmp_path, conflict="Kelurahan Joyotakan")
    draft = draft_survey(path)
    _cb, units = write_draft(draft, tmp_path / "out")
    doc = yaml.safe_load(units.read_text(encoding="utf-8"))
    by_name = {u["name"]: u for u in doc["units"]}
    assert "district" not in by_name["Kelurahan Joyotakan"]
    assert by_name["Kelurahan Joyotakan"]["agency"] == "Dispendukcapil"  # the agency column agrees
    assert normalize_label(by_name["Puskesmas Gajahan"]["district"]).endswith("pasar kliwon")
    note = [line for line in _unit_blocks(units.read_text(encoding="utf-8"))["Kelurahan Joyotakan"]
            if line.startswith("    # district left out")]
    assert len(note) == 1 and note[0].endswith("(check)")
    assert "Laweyan: 5 row(s)" in note[0] and "Serengan: 15 row(s)" in note[0]
    assert any("district left out for 1 unit(s)" in t and "Kelurahan Joyotakan" in t for t in draft.todo)
    assert len(load_units(units)) == 4


def test_respondents_own_kecamatan_is_not_a_units_district(tmp_path):
    """A kecamatan column whose values vary within most units says where respondents live: not used."""
    rng = np.random.default_rng(3)
    n = 60
    df = pd.DataFrame({"Unit layanan": [list(PLACES)[i % 4] for i in range(n)],
                       "Kecamatan": [["Jebres", "Serengan", "Laweyan"][int(rng.integers(0, 3))] for _ in range(n)],
                       **{f"U{j}": rng.integers(1, 5, n) for j in range(1, 10)}})
    path = tmp_path / "skm.csv"
    df.to_csv(path, index=False)
    draft = draft_survey(path)
    assert all(not u.locations for u in draft.units)
    assert "district:" not in draft.units_yaml()
    assert any("'Kecamatan' names a district (kecamatan)" in t and "not written to the units file" in t
               for t in draft.todo)
    assert [e.source for e in draft.entries if e.role == "unit"] == ["Unit layanan"]


def test_a_kecamatan_column_alone_is_still_the_unit(tmp_path):
    df = pd.DataFrame({"Kecamatan": ["Kec. Serengan", "Kec. Jebres"] * 15,
                       **{f"U{j}": [1, 2, 3, 4, 3] * 6 for j in range(1, 10)}})
    path = tmp_path / "skm.csv"
    df.to_csv(path, index=False)
    draft = draft_survey(path)
    assert [e.source for e in draft.entries if e.role == "unit"] == ["Kecamatan"]
    assert sorted(u.name for u in draft.units) == ["Kec. Jebres", "Kec. Serengan"]
    assert all(not u.locations for u in draft.units)


def test_district_from_a_kobo_choice_list(tmp_path):
    """A select_one kecamatan under the respondent's group: the form's labels name the districts."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label"])
    ws.append(["begin_group", "identitas", "Identitas responden"])
    ws.append(["select_one kec", "kecamatan", "Kecamatan"])
    ws.append(["select_one unit", "unit_layanan", "Unit layanan yang dikunjungi"])
    ws.append(["end_group", "", ""])
    ch = wb.create_sheet("choices")
    ch.append(["list_name", "name", "label"])
    for name, lab in [("pasar_kliwon", "Pasar Kliwon"), ("jebres", "Jebres")]:
        ch.append(["kec", name, lab])
    for name, lab in [("pkm_sangkrah", "Puskesmas Sangkrah"), ("pkm_sibela", "Puskesmas Sibela")]:
        ch.append(["unit", name, lab])
    form = tmp_path / "form.xlsx"
    wb.save(form)
    rng = np.random.default_rng(9)
    n = 24
    df = pd.DataFrame({"identitas/kecamatan": ["pasar_kliwon", "jebres"] * (n // 2),
                       "identitas/unit_layanan": ["pkm_sangkrah", "pkm_sibela"] * (n // 2),
                       **{f"skm/u{j + 1}_{key}": rng.integers(1, 5, n) for j, key in enumerate(UNSUR)}})
    path = tmp_path / "kobo.csv"
    df.to_csv(path, index=False)
    draft = draft_survey(path, form)
    got = {u.name: u.locations for u in draft.units}
    how = "from the column 'identitas/kecamatan': all 12 row(s) (sure)"
    assert got == {"Puskesmas Sangkrah": {"district": ("Pasar Kliwon", how)},
                   "Puskesmas Sibela": {"district": ("Jebres", how)}}
    assert [e.source for e in draft.entries if e.role == "unit"] == ["identitas/unit_layanan"]


def test_a_waktu_column_of_date_times_is_the_interview_date_and_a_waktu_unsur_is_not(tmp_path):
    rng = np.random.default_rng(8)
    n = 30
    df = pd.DataFrame({"Waktu": [f"2026-06-{i % 28 + 1:02d} 09:{i:02d}" for i in range(n)],
                       "Nama Puskesmas": ["Puskesmas Melong", "Puskesmas Cigugur"] * (n // 2)})
    for j, key in enumerate(UNSUR):
        df[f"u{j + 1}_{key}"] = rng.integers(1, 5, n)
    path = tmp_path / "waktu.csv"
    df.to_csv(path, index=False, sep=";")
    cb, _units = write_draft(draft_survey(path), tmp_path)
    _doc, by_src = _entries(cb)
    assert by_src["Waktu"]["role"] == "interview_date"
    assert by_src[f"u3_{UNSUR[2]}"]["role"] == "unsur"  # the 'waktu' unsur stays an unsur
