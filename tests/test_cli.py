"""The ``clem`` command: help, exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from clem_lib.cli import build_parser, main
from clem_lib.paths import SAMPLE_CODEBOOK, SAMPLE_DATA, UNITS_FILE

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
SAMPLE = ["--data", str(SAMPLE_DATA), "--codebook", str(SAMPLE_CODEBOOK)]


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("clem: error: ")
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("command, words", [
    ([], ["validate", "clean", "run", "exit codes"]),
    (["validate"], ["--data", "--codebook", "--units", "row"]),
    (["clean"], ["--out", "FILE.parquet", ".log.csv"]),
    (["run"], ["--units", "--jobs", "--scheduler", "--lang", "--out", "--retry-failed", "--round",
               "bundled sample"]),
])
def test_help_documents_every_option(command, words, capsys):
    with pytest.raises(SystemExit) as exc:
        main(command + ["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for w in words:
        assert w in out


@pytest.mark.parametrize("argv, expected", [
    (["run", "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
    (["run", "--jobs", "0"], "argument --jobs: 0 is not a positive number"),
    (["run", "--round", "-1"], "argument --round: -1 is negative"),
    (["clean", "--data", "x.csv"], "the following arguments are required: --codebook, --out"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_usage_errors_are_one_line_exit_2(argv, expected, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    line = _one_error_line(capsys.readouterr().err)
    assert expected in line


def test_parser_defaults():
    args = build_parser().parse_args(["run"])
    assert (args.data, args.codebook, args.units, args.jobs, args.scheduler, args.lang, args.out,
            args.retry_failed, args.round) == (None, None, None, None, None, None, None, False, None)
    # the units file and the checklist are found per survey (the sample's only for the sample)
    assert args.units_file is None and args.checklist is None


def test_units_file_is_found_beside_the_codebook_and_never_taken_from_the_sample(tmp_path, capsys):
    import shutil

    from clem_lib.codebook import units_file_for

    cb = tmp_path / "my.codebook.yml"
    shutil.copy(SAMPLE_CODEBOOK, cb)
    # nothing beside the codebook: an error naming the option, not the sample's units
    assert main(["validate", "--data", str(SAMPLE_DATA), "--codebook", str(cb)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "no units file given" in line and "--units-file" in line and "my.units.yml" in line
    assert main(["run", "--data", str(SAMPLE_DATA), "--codebook", str(cb), "--out", str(tmp_path / "o")]) == 2
    assert "no units file given" in _one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "o").exists()
    # <survey>.units.yml beside the codebook first, then units.yml
    shutil.copy(UNITS_FILE, tmp_path / "units.yml")
    assert units_file_for(cb) == tmp_path / "units.yml"
    shutil.copy(UNITS_FILE, tmp_path / "my.units.yml")
    assert units_file_for(cb) == tmp_path / "my.units.yml"
    assert units_file_for(cb, tmp_path / "other.yml") == tmp_path / "other.yml"
    assert main(["validate", "--data", str(SAMPLE_DATA), "--codebook", str(cb)]) == 0


def test_a_checklist_naming_a_unit_outside_the_units_file_stops_before_anything_is_written(tmp_path, capsys):
    checklist = tmp_path / "checklist.csv"
    checklist.write_text("unit,round,component,category,present\nKec. Lemuria,1,Persyaratan,penyampaian,ya\n",
                         encoding="utf-8")
    out = tmp_path / "o"
    code = main(["run", *SAMPLE, "--units-file", str(UNITS_FILE), "--checklist", str(checklist),
                 "--out", str(out)])
    assert code == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "checklist.csv, row 1, column 'unit'" in line and "Kec. Lemuria" in line and "units.yml" in line
    assert not out.exists()


def test_a_header_only_checklist_is_refused_as_a_checklist(tmp_path, capsys):
    checklist = tmp_path / "checklist.csv"
    checklist.write_text("unit,round,component,category,present\n", encoding="utf-8")
    out = tmp_path / "o"
    assert main(["run", *SAMPLE, "--units-file", str(UNITS_FILE), "--checklist", str(checklist),
                 "--out", str(out)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "the checklist has a header but no observations" in line and "--checklist" in line
    assert "submissions" not in line and not out.exists()


def test_flags_are_not_abbreviated_and_validate_has_no_units_list(capsys):
    # --units is the list of units to report (run only); the units file is --units-file everywhere
    with pytest.raises(SystemExit) as e:
        build_parser().parse_args(["validate", *SAMPLE, "--units", "x.yml"])
    assert e.value.code == 2
    assert "unrecognized arguments: --units" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["clean", *SAMPLE, "--out", "x.parquet", "--units-f", "u.yml"])


def test_validate_sample_is_clean_with_warnings(capsys):
    assert main(["validate", *SAMPLE]) == 0
    captured = capsys.readouterr()
    assert "is valid" in captured.err
    # the sample's planted typos are reported with row and column
    assert "row " in captured.out and "column '" in captured.out and "warning:" in captured.out


@pytest.fixture
def bad_export(tmp_path):
    """The sample with an unknown unit typed in data row 5."""
    raw = pd.read_csv(SAMPLE_DATA, sep=";", dtype=str, keep_default_na=False)
    raw.loc[4, "identitas/kecamatan"] = "Kecamatan Atlantis"
    bad = tmp_path / "bad.csv"
    raw.to_csv(bad, sep=";", index=False)
    return bad


def test_validate_reports_errors_with_row_and_column_exit_2(bad_export, capsys):
    assert main(["validate", "--data", str(bad_export), "--codebook", str(SAMPLE_CODEBOOK)]) == 2
    captured = capsys.readouterr()
    assert "error: row 5, column 'identitas/kecamatan': unit 'Kecamatan Atlantis'" in captured.out
    assert _one_error_line(captured.err).startswith("clem: error: 1 error(s)")


def test_run_on_bad_export_exits_2_and_writes_nothing(bad_export, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--data", str(bad_export), "--codebook", str(SAMPLE_CODEBOOK), "--out", str(out),
                 "--notebooks", str(FIXTURES)])
    assert code == 2
    assert "Kecamatan Atlantis" in _one_error_line(capsys.readouterr().err)
    assert not out.exists()


def test_clean_writes_table_and_log(tmp_path, capsys):
    out = tmp_path / "clean.parquet"
    assert main(["clean", *SAMPLE, "--out", str(out)]) == 0
    table = pd.read_parquet(out)
    log = pd.read_csv(tmp_path / "clean.log.csv")
    assert list(log.columns) == ["row", "column", "old", "new", "rule"]
    assert len(table) > 0 and {"unit", "unit_slug", "sector"} <= set(table.columns)
    assert f"({len(table)} rows of" in capsys.readouterr().err


def test_clean_bad_output_name_writes_nothing(tmp_path, capsys):
    out = tmp_path / "clean.csv"
    assert main(["clean", *SAMPLE, "--out", str(out)]) == 2
    assert "ending in .parquet" in _one_error_line(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []


def test_run_missing_file_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--data", str(tmp_path / "nope.csv"), "--codebook", str(SAMPLE_CODEBOOK),
                 "--out", str(out)])
    assert code == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "nope.csv" in line and "not found" in line
    assert not out.exists()


def test_run_data_without_codebook_is_usage_error(tmp_path, capsys):
    assert main(["run", "--data", str(SAMPLE_DATA), "--out", str(tmp_path / "o")]) == 2
    assert "give both --data and --codebook" in _one_error_line(capsys.readouterr().err)


def test_run_unknown_unit_suggests_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--units", "Kec. Serangan", "--out", str(out), "--notebooks", str(FIXTURES)])
    assert code == 2
    line = _one_error_line(capsys.readouterr().err)
    # the sample's units file names districts too, so the message names the closest of both
    assert "'Kec. Serangan' is neither a unit nor a district or agency" in line
    assert "closest units: 'Kec. Serengan'" in line
    assert not out.exists()


@pytest.mark.slow
def test_python_m_clem_lib_run_end_to_end(tmp_path):
    """`python -m clem_lib run` on the bundled sample (fixture notebooks), from another folder."""
    out = tmp_path / "sample"
    proc = subprocess.run(
        [sys.executable, "-m", "clem_lib", "run", "--units", "serengan,Dispendukcapil", "--jobs", "2",
         "--lang", "en", "--out", str(out), "--notebooks", str(FIXTURES)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "2 of 2 unit report(s) written" in proc.stderr
    assert "[3/3] 3 done, 0 failed, 0 running" in proc.stderr  # progress lines (not a terminal)
    for name in ("index.html", "results.csv", "cleaning_log.csv", "cleaned.parquet", "manifest.json",
                 "kec-serengan.html", "kec-serengan.ipynb", "dispendukcapil.html", "city_overview.html"):
        assert (out / name).is_file(), name
        assert (out / name).stat().st_mode & 0o044 == 0o044, name  # reviewers can read it
    cleaned = pd.read_parquet(out / "cleaned.parquet")
    n_serengan = int((cleaned["unit"] == "Kec. Serengan").sum())
    results = pd.read_csv(out / "results.csv", keep_default_na=False)
    row = results[(results["unit"] == "Kec. Serengan") & (results["metric"] == "ikm")].iloc[0]
    assert row["n"] == n_serengan
    expected_ikm = 25.0 * cleaned.loc[cleaned["unit"] == "Kec. Serengan", "unsur_waktu"].astype(float).mean()
    assert row["estimate"] == pytest.approx(expected_ikm, rel=1e-9)
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Reports by service unit" in page
    assert f"{expected_ikm:.2f}" in page  # English decimal point
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    assert manifest["inputs"]["data"]["sha256"] == hashlib.sha256(SAMPLE_DATA.read_bytes()).hexdigest()
    assert manifest["parameters"]["lang"] == "en" and manifest["parameters"]["units"] == [
        "Dispendukcapil", "Kec. Serengan"]
    log = pd.read_csv(out / "cleaning_log.csv")
    assert list(log.columns) == ["row", "column", "old", "new", "rule"] and len(log) > 0

    # --retry-failed after a clean run: nothing to rerun, exit 0, figures unchanged
    before = (out / "results.csv").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "clem_lib", "run", "--retry-failed", "--out", str(out),
         "--notebooks", str(FIXTURES), "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (out / "results.csv").read_bytes() == before
    # a different language on retry is refused: the reports would mix languages
    proc = subprocess.run(
        [sys.executable, "-m", "clem_lib", "run", "--retry-failed", "--lang", "id", "--out", str(out),
         "--notebooks", str(FIXTURES)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    assert "lang='id' differs from the previous run ('en')" in _one_error_line(proc.stderr)


def test_run_city_weights_option():
    from clem_lib.cli import build_parser

    p = build_parser()
    assert p.parse_args(["run"]).city_weights is None  # the runner's default: design
    assert p.parse_args(["run", "--city-weights", "none"]).city_weights == "none"
    with pytest.raises(SystemExit):
        p.parse_args(["run", "--city-weights", "yes"])
    run = next(a for a in p._subparsers._group_actions[0].choices["run"]._actions if a.dest == "city_weights")
    assert "design" in run.help and "users_per_month" in run.help
