"""Personal data: scrubbing free text, salted hashing, no personal value in any output."""

import re
from pathlib import Path

import pandas as pd
import pytest

from clem_lib import (
    SAMPLE_CODEBOOK,
    SAMPLE_DATA,
    ClemInputError,
    clean_survey,
    get_salt,
    hash_values,
    read_survey,
    scan_for_personal_values,
    scrub_text,
    write_cleaned,
)

FIX = Path(__file__).parent / "fixtures" / "data"


@pytest.mark.parametrize("text, expected", [
    ("NIK saya 3372024405800001 belum masuk", "NIK saya [NIK] belum masuk"),
    ("NIK 3372 0245 0790 0008.", "NIK [NIK]."),
    ("hubungi 081234567890 ya", "hubungi [telepon] ya"),
    ("WA +62 812-3456-7890 kalau jadi", "WA [telepon] kalau jadi"),
    ("telp 0878 1234 0009", "telp [telepon]"),
    ("nomor 6281234567890", "nomor [telepon]"),
    ("kirim ke budi.santoso77@gmail.com, terima kasih", "kirim ke [email], terima kasih"),
    ("Antrean lama, 3 jam", "Antrean lama, 3 jam"),
    ("biaya Rp 50.000 dan 2024-03-04", "biaya Rp 50.000 dan 2024-03-04"),
    ("kode 12345678901234567 (17 digit)", "kode 12345678901234567 (17 digit)"),
])
def test_scrub_text(text, expected):
    assert scrub_text(pd.Series([text])).iloc[0] == expected


def test_scrub_keeps_missing_and_index():
    s = pd.Series([None, "ok"], index=[5, 7])
    out = scrub_text(s)
    assert out.index.tolist() == [5, 7] and pd.isna(out.iloc[0]) and out.iloc[1] == "ok"
    assert str(out.dtype) == "string"


def test_hash_values_keyed_and_stable():
    salt = b"a" * 16
    h = hash_values(pd.Series(["3372024405800001", " 3372024405800001", None, "x"]), salt)
    assert h.iloc[0] == h.iloc[1] and len(h.iloc[0]) == 20 and pd.isna(h.iloc[2])
    assert re.fullmatch(r"[0-9a-f]{20}", h.iloc[3])
    # documented construction: HMAC-SHA-256(salt, value), first 20 hex characters
    import hashlib
    import hmac

    assert h.iloc[3] == hmac.new(salt, b"x", hashlib.sha256).hexdigest()[:20]
    assert hash_values(pd.Series(["x"]), b"b" * 16).iloc[0] != h.iloc[3]
    with pytest.raises(ValueError, match="at least 16 bytes"):
        hash_values(pd.Series(["x"]), b"short")


def test_salt_from_environment(monkeypatch):
    monkeypatch.delenv("CLEM_PII_SALT", raising=False)
    with pytest.raises(ClemInputError, match=r"\$CLEM_PII_SALT.*fix: export CLEM_PII_SALT="):
        get_salt()
    monkeypatch.setenv("CLEM_PII_SALT", "0123456789abcdef-secret")
    assert get_salt() == b"0123456789abcdef-secret"


def test_hash_mode_keeps_a_linkable_hash(tmp_path, monkeypatch):
    cb = (FIX / "mini.codebook.yml").read_text(encoding="utf-8").replace(
        "{source: resp/nik, role: personal, name: nik}", "{source: resp/nik, role: personal, name: nik_hash, pii: hash}")
    (tmp_path / "cb.yml").write_text(cb, encoding="utf-8")
    monkeypatch.delenv("CLEM_PII_SALT", raising=False)
    with pytest.raises(ClemInputError, match="secret salt"):
        clean_survey(FIX / "mini.csv", tmp_path / "cb.yml", today="2026-01-01")
    monkeypatch.setenv("CLEM_PII_SALT", "s" * 24)
    res = clean_survey(FIX / "mini.csv", tmp_path / "cb.yml", today="2026-01-01")
    t = res.table.set_index("respondent_id")
    assert t.loc["a1", "nik_hash"] == hash_values(pd.Series(["3372024405800001"]), b"s" * 24).iloc[0]
    assert t.loc["a2", "nik_hash"] == t.loc["a7", "nik_hash"]  # same person, same hash
    entry = res.log[res.log["rule"] == "pii_hashed"]
    assert entry[["column", "old", "new"]].values.tolist() == [["resp/nik", "<removed>", "<hashed>"]]
    assert "3372024405800001" not in res.table.astype(str).to_csv()


def _personal_values():
    """Every personal value of the sample export: personal columns, and e-mails/NIK/phones in free text."""
    raw = read_survey(SAMPLE_DATA)
    values = set()
    for col in ("responden/nama", "responden/nik", "responden/no_hp", "responden/alamat"):
        values |= set(raw[col].dropna())
    text = " ".join(raw["saran/saran"].dropna())
    values |= set(re.findall(r"\S+@\S+\.\w+", text))
    values |= set(re.findall(r"\d{16}", text))
    values |= set(re.findall(r"(?:\+62|08)[\d -]{8,}\d", text))
    return raw, values


def test_no_personal_value_in_cleaned_table_or_log(tmp_path):
    raw, values = _personal_values()
    assert len(values) > 3000
    assert any("@" in v for v in values) and any(v.startswith("+62") for v in values)
    res = clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, today="2026-01-01")
    out = write_cleaned(res, tmp_path / "cleaned.parquet")
    table_text = pd.read_parquet(out).astype(str).to_csv(index=False)
    log_text = (tmp_path / "cleaned.log.csv").read_text(encoding="utf-8")
    summary_text = res.summary.to_csv(index=False)
    for v in values:
        for where, text in (("table", table_text), ("log", log_text), ("summary", summary_text)):
            assert v not in text, f"personal value {v!r} found in the {where}"
    assert {"responden/nama", "responden/nik", "responden/no_hp", "responden/alamat"} == set(
        res.log.loc[res.log["rule"] == "pii_dropped", "column"])
    scrubbed = res.log[res.log["rule"] == "pii_free_text"]
    assert len(scrubbed) == 45 and set(scrubbed["old"]) == {"<removed>"}
    # digits-only numbers: no NIK-like 16-digit run and no phone number survives anywhere
    assert not re.search(r"(?<!\d)\d{16}(?!\d)", table_text + log_text)
    assert not re.search(r"(?<![\d-])08\d{8,11}(?!\d)", table_text + log_text)


def test_personal_respondent_id_is_hashed_even_in_the_duplicate_log(tmp_path, monkeypatch):
    """An export whose id is the NIK: the table and the log hold only salted hashes."""
    cb = (FIX / "mini.codebook.yml").read_text(encoding="utf-8")
    cb = cb.replace("{source: _uuid, role: respondent_id}", "{source: resp/nik, role: respondent_id, pii: hash}")
    cb = cb.replace("  - {source: resp/nik, role: personal, name: nik}\n", "")
    (tmp_path / "cb.yml").write_text(cb, encoding="utf-8")
    monkeypatch.setenv("CLEM_PII_SALT", "k" * 32)
    res = clean_survey(FIX / "mini.csv", tmp_path / "cb.yml", today="2026-01-01")
    raw = read_survey(FIX / "mini.csv")
    text = res.table.astype(str).to_csv() + res.log.astype(str).to_csv()
    for nik in raw["resp/nik"].dropna():
        assert nik not in text
    dup = res.log[res.log["rule"].isin(["duplicate_uuid", "duplicate_answers"])]
    assert len(dup) >= 1 and set(dup["old"]) == {"<removed>"}
    assert res.table["respondent_id"].str.fullmatch(r"[0-9a-f]{20}").all()


@pytest.mark.slow
def test_personal_values_and_scan(tmp_path):
    from clem_lib import load_codebook, personal_values, scan_for_personal_values

    raw = read_survey(SAMPLE_DATA)
    values = personal_values(raw, load_codebook(SAMPLE_CODEBOOK))
    _, reference = _personal_values()
    assert {v for v in reference if len(v) >= 6} <= values
    res = clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK, today="2026-01-01")
    write_cleaned(res, tmp_path / "out" / "cleaned.parquet")
    assert scan_for_personal_values(tmp_path / "out", values) == []
    leak = sorted(values)[0]
    (tmp_path / "out" / "leak.html").write_text(f"<p>{leak}</p>", encoding="utf-8")
    assert scan_for_personal_values(tmp_path / "out", values) == [(tmp_path / "out" / "leak.html", leak)]


def test_scan_finds_every_value_among_thousands_and_overlapping_ones(tmp_path):
    """The scan's one pattern (a trie of the values) finds each value wherever it is, also a value
    that begins another one, and nothing else."""
    values = {f"08{n:010d}" for n in range(0, 30_000_000, 7_001)} | {"Sri Rahayu", "Sri Rahayu Utami", "Siti Aminah"}
    (tmp_path / "a.html").write_text("<p>kontak 080004200600 dan Sri Rahayu.</p>", encoding="utf-8")
    (tmp_path / "b.csv").write_text("x\nSri Rahayu Utami\nSiti Amina\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("nothing here 0800042006", encoding="utf-8")
    hits = [(p.name, v) for p, v in scan_for_personal_values(tmp_path, values)]
    assert hits == [("a.html", "080004200600"), ("a.html", "Sri Rahayu"), ("b.csv", "Sri Rahayu Utami")]
