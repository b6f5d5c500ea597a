"""Smoke runs of the benchmarks on tiny sizes, and checks of the measuring harness.

The figures of a smoke run mean nothing; what is checked is that each
benchmark runs end to end and writes a JSON file with the expected fields and
positive, finite figures. The batch benchmarks use minimal notebooks
(``benchmarks.runs.tiny_notebooks``) so that they pay the kernel start, not
a full report.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from clem_lib.paths import PROJECT_ROOT, SAMPLE_DATA

if str(PROJECT_ROOT) not in sys.path:  # benchmarks/ is a folder of the project, not an installed package
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.harness import Report, run_command, run_task  # noqa: E402
from benchmarks.notebooks import cell_breakdown, import_lines  # noqa: E402
from benchmarks.runs import tiny_notebooks  # noqa: E402
from benchmarks.survey import generate_survey  # noqa: E402

CHECK_KEYS = {"name", "value", "baseline", "ratio", "limit", "target", "met", "unit", "what"}
TOP_KEYS = {"benchmark", "quick", "started", "duration_s", "machine", "loadavg_end", "parameters", "figures",
            "checks", "all_met", "notes", "details"}


def _assert_result_file(path: Path, name: str, *, figures: set[str], zero_ok: tuple[str, ...] = ()) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert TOP_KEYS <= set(data), TOP_KEYS - set(data)
    assert data["benchmark"] == name
    assert data["machine"]["cpus"] >= 1 and data["machine"]["memory_total_bytes"] > 0
    assert figures <= set(data["figures"]), figures - set(data["figures"])
    for key, value in data["figures"].items():
        assert isinstance(value, (int, float)) and math.isfinite(value), (key, value)
        if key.startswith(zero_ok):
            assert value >= 0, (key, value)
        else:
            assert value > 0, (key, value)
    assert data["checks"], "a benchmark states at least one target"
    for check in data["checks"]:
        assert CHECK_KEYS <= set(check)
        assert math.isfinite(check["ratio"]) and check["ratio"] > 0
        assert check["ratio"] == pytest.approx(check["value"] / check["baseline"])
        assert check["met"] is (check["ratio"] <= check["limit"])
    assert data["all_met"] is all(c["met"] for c in data["checks"])
    return data


# ------------------------------------------------------------------ harness
def test_run_task_sees_memory_held_outside_python_heap_and_times_the_call():
    out = run_task("benchmarks.harness:allocate_task", mib=64, seconds=0.2)
    assert out["allocated_bytes"] == 64 * 2**20
    assert out["peak_increase_bytes"] >= 60 * 2**20
    assert out["peak_rss_bytes"] >= out["rss_before_bytes"] + out["peak_increase_bytes"] - 1
    assert 0.2 <= out["wall_s"] < out["process_s"]


def test_run_command_records_the_peak_of_every_process_in_the_tree():
    child = "import time; b = bytearray(96 * 2**20); b[::4096] = b'1' * len(b[::4096]); time.sleep(0.6)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}], check=True)"
    res = run_command([sys.executable, "-c", parent]).check()
    assert res.wall_s >= 0.6
    roles = res.peak_by_role()
    assert roles["worker"] >= 90 * 2**20  # the grandchild's array, caught by its high-water mark
    assert roles["runner"] < roles["worker"]
    assert res.tree_peak_bytes >= roles["worker"]


def test_failed_command_is_reported_not_hidden():
    res = run_command([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert res.returncode == 3
    with pytest.raises(RuntimeError, match="exit 3"):
        res.check()


def test_report_writes_ratios_and_misses(tmp_path):
    report = Report("demo", quick=True, parameters={"n": 1})
    report.figure("read_s", 2.0)
    met = report.check("time", 5.0, 2.0, 3.0)
    missed = report.check("memory", 7.0, 2.0, 3.0, unit="bytes")
    assert met["met"] and met["ratio"] == 2.5
    assert not missed["met"] and missed["ratio"] == 3.5
    data = _assert_result_file(report.write(tmp_path), "demo", figures={"read_s"})
    assert data["all_met"] is False


def test_import_lines_and_cell_breakdown(tmp_path):
    nb = {"cells": [
        {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "unit = 'x'", "outputs": []},
        {"cell_type": "code", "metadata": {"papermill": {"duration": 1.5}}, "outputs": [],
         "source": "%matplotlib inline\nimport pandas as pd\nfrom scipy import stats\nx = 1"},
        {"cell_type": "code", "metadata": {"papermill": {"duration": 0.75}}, "source": "plot()",
         "outputs": [{"output_type": "display_data", "data": {"image/png": "iVBOR"}}]},
        {"cell_type": "code", "metadata": {"papermill": {"duration": 0.25}}, "source": "import os", "outputs": []},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    assert import_lines(nb) == ["import pandas as pd", "from scipy import stats", "import os"]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    bd = cell_breakdown(path)
    assert bd["totals"] == {"parameters": 0.0, "imports": 0.25, "plotting": 0.75, "other": 1.5}
    assert bd["slowest"][0]["duration_s"] == 1.5


# ---------------------------------------------------------------- generator
def test_generated_survey_has_the_sample_format_and_cleans_without_errors(tmp_path):
    import clem_lib

    files = generate_survey(tmp_path / "s", n_responses=600, n_units=5, seed=7, equal_units=True)
    sample_header = SAMPLE_DATA.read_text(encoding="utf-8").splitlines()[0]
    assert files.data.read_text(encoding="utf-8").splitlines()[0] == sample_header
    raw = pd.read_csv(files.data, sep=";", dtype=str, keep_default_na=False)
    assert len(raw) == 600
    assert raw["_uuid"].nunique() == 599  # one resubmission (0.2%)
    # new respondents and time stamps in every row (empty where the sample row is empty)
    for col in ("responden/nik", "responden/no_hp", "responden/alamat", "start", "end", "_submission_time"):
        filled = raw.loc[raw[col] != "", col]
        assert filled.nunique() >= 0.98 * (len(filled) - 1), col
    sample = pd.read_csv(SAMPLE_DATA, sep=";", dtype=str, keep_default_na=False)
    assert not set(raw["responden/nik"]) & (set(sample["responden/nik"]) - {""})
    assert raw["start"].str.slice(0, 19).le(raw["end"].str.slice(0, 19)).mean() > 0.9  # ends after it starts
    units = clem_lib.load_units(files.units)
    assert list(units["name"]) == list(files.unit_names)
    result = clem_lib.clean_survey(files.data, files.codebook, files.units)
    assert set(result.table["unit"].dropna()) == set(files.unit_names)
    assert result.table["unit"].notna().all()
    assert result.table["sector"].isin(["adminduk", "kesehatan", "pendidikan"]).all()
    assert (result.log["rule"] == "duplicate_uuid").sum() >= 1
    checklist = pd.read_csv(files.checklist)
    assert set(checklist["unit"]) == set(files.unit_names)
    # cached: same parameters, same files, no rewrite
    mtime = files.data.stat().st_mtime_ns
    assert generate_survey(tmp_path / "s", n_responses=600, n_units=5, seed=7, equal_units=True) == files
    assert files.data.stat().st_mtime_ns == mtime


# ------------------------------------------------------------- smoke runs
@pytest.mark.slow
def test_clean_benchmark_smoke(tmp_path):
    from benchmarks import bench_clean

    report = bench_clean.run(quick=True, work_dir=tmp_path, seed=3, profile=False, n_responses=3000, n_units=30,
                             repeats=2)
    data = _assert_result_file(report.write(tmp_path / "results"), "clean",
                               figures={"read_s", "clean_s", "score_s", "clean_score_s", "frame_bytes",
                                        "clean_score_peak_increase_bytes", "rows", "clean_score_warm_units_s"})
    assert data["figures"]["rows"] == 3000
    assert data["figures"]["repeats"] == 2
    assert len(data["details"]["read_runs"]) == len(data["details"]["clean_score_runs"]) == 2
    assert len(data["details"]["read_one_thread_runs"]) == 2
    assert [r["threads"] for r in data["details"]["read_one_thread_runs"]] == [1, 1]
    assert [r["threads"] for r in data["details"]["read_runs"]] == [None, None]
    # the one-thread read reads the same frame; its ratio and the CPU ratio are reported as notes
    assert {r["rows"] for r in data["details"]["read_one_thread_runs"]} == {3000}
    f = data["figures"]
    assert f["read_one_thread_s_min"] <= f["read_one_thread_s"] <= f["read_one_thread_s_max"]
    assert f["read_cpu_s"] > 0 and f["clean_score_cpu_s"] > 0
    assert any(n.startswith("against pandas") and "one thread" in n for n in data["notes"])
    assert f["read_s_min"] <= f["read_s"] <= f["read_s_max"]
    assert f["clean_score_s_min"] <= f["clean_score_s"] <= f["clean_score_s_max"]
    assert data["checks"][0]["value"] == f["clean_score_s"] and data["checks"][0]["baseline"] == f["read_s"]
    assert data["figures"]["groups_scored"] >= 30
    assert [c["name"].split(":")[0] for c in data["checks"]] == ["time", "memory"]


def test_main_rejects_unknown_benchmark():
    out = subprocess.run([sys.executable, "-m", "benchmarks", "nosuch"], capture_output=True, text=True,
                         cwd=PROJECT_ROOT)
    assert out.returncode == 2
    assert "unknown benchmark" in out.stderr


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return tiny_notebooks(tmp_path_factory.mktemp("notebooks"))


@pytest.mark.slow
def test_report_benchmark_smoke(tmp_path, tiny):
    from benchmarks import bench_report

    report = bench_report.run(quick=True, work_dir=tmp_path, seed=1, repeats=1, notebooks_dir=tiny)
    _assert_result_file(report.write(tmp_path / "results"), "report",
                        figures={"empty_s", "floor_s", "report_s", "part_imports_s", "render_html_s",
                                 "report_kernel_peak_rss_bytes"},
                        zero_ok=("part_",))


@pytest.mark.slow
def test_batch_benchmark_smoke(tmp_path, tiny):
    from benchmarks import bench_batch

    report = bench_batch.run(quick=True, work_dir=tmp_path, seed=1, notebooks_dir=tiny, n_units=1, per_unit=30)
    data = _assert_result_file(report.write(tmp_path / "results"), "batch",
                               figures={"warm_clem_run_s", "cold_clem_run_s", "loop_total_s", "loop_papermill_s",
                                        "warm_clem_peak_rss_kernel_bytes", "cold_clem_peak_rss_kernel_bytes"})
    assert len(data["details"]["loop_each_s"]) == 2  # one unit and the city overview
    names = [c["name"] for c in data["checks"]]
    assert any("warm kernels" in n for n in names) and any("--cold" in n for n in names)
    assert "unit kernel peak RSS: warm / cold" in names


@pytest.mark.slow
def test_scale_and_scaleout_benchmarks_smoke(tmp_path, tiny):
    from benchmarks import bench_scale, bench_scaleout

    scale = bench_scale.run(quick=True, work_dir=tmp_path, seed=1, notebooks_dir=tiny, sizes=(1, 2), per_unit=30)
    data = _assert_result_file(scale.write(tmp_path / "results"), "scale",
                               figures={"n1_wall_per_unit_s", "n2_wall_per_unit_s", "n2_worker_peak_bytes",
                                        "n2_kernel_peak_bytes", "n2_city_overview_s", "n2_cold_wall_per_unit_s",
                                        "n2_cold_kernel_peak_bytes"})
    assert len(data["checks"]) == 6  # flat time and memory (warm), and warm against cold at the largest size
    # at the largest size: warm, cold, cold, warm, compared by the means of each side
    fig = data["figures"]
    warm = (fig["n2_warm1_wall_s"] + fig["n2_warm2_wall_s"]) / 2
    cold = (fig["n2_cold1_wall_s"] + fig["n2_cold2_wall_s"]) / 2
    assert fig["n2_warm1_wall_s"] == pytest.approx(fig["n2_wall_s"])
    check = next(c for c in data["checks"] if c["name"].startswith("time per unit at n=2"))
    assert check["ratio"] == pytest.approx(warm / cold)
    # two runs of each side, as in the full run (--jobs 2, Dask, Dask, --jobs 2), compared by their means
    out = bench_scaleout.run(quick=True, work_dir=tmp_path, seed=1, notebooks_dir=tiny, n_units=1, per_unit=30,
                             repeats=2)
    data = _assert_result_file(out.write(tmp_path / "results"), "scaleout",
                               figures={"jobs2_s", "dask_s", "dask_worker_peak_bytes", "dask_kernel_peak_bytes"})
    assert data["figures"]["repeats"] == 2
    runs = data["details"]
    assert len(runs["jobs2_runs_s"]) == len(runs["dask_runs_s"]) == 2
    assert data["figures"]["jobs2_s"] == pytest.approx(sum(runs["jobs2_runs_s"]) / 2)
    assert data["figures"]["dask_s"] == pytest.approx(sum(runs["dask_runs_s"]) / 2)
    assert data["checks"][0]["ratio"] == pytest.approx(data["figures"]["dask_s"] / data["figures"]["jobs2_s"])
