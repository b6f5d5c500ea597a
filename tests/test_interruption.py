"""`clem run` under kill -9, Ctrl-C and --retry-failed: nothing left running, nothing rerun twice.

Each test runs `python -m clem_lib run` in its own process group on a small
export (the sample's first 20 rows of five units) with the fixture notebooks,
the location report waiting CLEM_TEST_SLEEP seconds, so that the run can be
interrupted while notebooks are running.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

from _small_survey import slow_notebooks, write_export  # noqa: E402
from clem_lib.paths import SAMPLE_CODEBOOK  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="process-death signals are Linux's")]
UNITS = ("Kec. Serengan", "Dispendukcapil", "Kec. Jebres", "Kec. Laweyan", "Kec. Banjarsari")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("interrupt")
    return {"data": write_export(root / "small.csv", units=UNITS, n=20),
            "notebooks": slow_notebooks(root / "nb")}


def _command(inputs, out: Path) -> list[str]:
    return [sys.executable, "-m", "clem_lib", "run", "--data", str(inputs["data"]), "--codebook",
            str(SAMPLE_CODEBOOK), "--notebooks", str(inputs["notebooks"]), "--out", str(out), "--jobs", "2"]


def _start(inputs, out: Path, sleep: float) -> subprocess.Popen:
    env = dict(os.environ, CLEM_TEST_SLEEP=str(sleep))
    return subprocess.Popen(_command(inputs, out), env=env, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen, ready, timeout: float = 120.0):
    """Descendants of ``proc`` once ``ready(descendants)`` holds."""
    me = psutil.Process(proc.pid)
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        kids = me.children(recursive=True)
        if ready(kids):
            return kids
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("the run did not get there in time")


def _kernels(kids):
    found = []
    for k in kids:
        try:
            if "ipykernel_launcher" in " ".join(k.cmdline()):
                found.append(k)
        except psutil.Error:
            pass
    return found


def _alive(procs):
    left = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                left.append(p)
        except psutil.NoSuchProcess:
            pass
    return left


def _gone_within(procs, seconds: float) -> float:
    t0 = time.monotonic()
    while _alive(procs) and time.monotonic() - t0 < seconds:
        time.sleep(0.05)
    left = _alive(procs)
    assert not left, [(p.pid, p.cmdline()) for p in left]
    return time.monotonic() - t0


def test_kill_9_leaves_no_worker_kernel_or_tracker(inputs, tmp_path):
    proc = _start(inputs, tmp_path / "out", sleep=60)
    try:
        kids = _wait_for(proc, lambda k: len(_kernels(k)) >= 1)
        kids = psutil.Process(proc.pid).children(recursive=True)  # workers, tracker, kernels
        assert len(kids) >= 3
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        _gone_within(kids, 5.0)
        parts = sorted((tmp_path / "out" / ".parts").iterdir())
        time.sleep(1.0)
        assert sorted((tmp_path / "out" / ".parts").iterdir()) == parts  # nobody writes any more
    finally:
        for p in _alive(psutil.Process(os.getpid()).children(recursive=True)):
            p.kill()


@pytest.mark.parametrize("to_group", [False, True], ids=["sigint-to-clem", "ctrl-c-to-the-group"])
def test_ctrl_c_stops_within_seconds_exit_130_one_line(inputs, tmp_path, to_group):
    proc = _start(inputs, tmp_path / "out", sleep=60)
    kids = _wait_for(proc, lambda k: len(_kernels(k)) >= 2)
    kids = psutil.Process(proc.pid).children(recursive=True)
    t0 = time.monotonic()
    (os.killpg if to_group else os.kill)(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    seconds = time.monotonic() - t0
    assert proc.returncode == 130, err
    assert seconds < 5.0, seconds
    assert "Traceback" not in err and "Task exception" not in err and "DeadKernelError" not in err, err
    last = err.strip().splitlines()[-1]
    assert last.startswith("clem: interrupted: ") and "--retry-failed" in last, err
    _gone_within(kids, 5.0)


def test_retry_after_interruption_runs_only_what_did_not_finish(inputs, tmp_path):
    # the uninterrupted reference, in a folder of the same name (pages show the folder's name)
    ref = tmp_path / "ref" / "out"
    done = subprocess.run(_command(inputs, ref), env=dict(os.environ, CLEM_TEST_SLEEP="0"),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr

    out = tmp_path / "cut" / "out"
    proc = _start(inputs, out, sleep=6)
    parts = out / ".parts"
    t0 = time.monotonic()
    while len(list(parts.glob("*.outcome.json"))) < 2 and time.monotonic() - t0 < 120:  # city + 1 unit
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGINT)
    _o, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    finished = {p.name[: -len(".outcome.json")] for p in parts.glob("*.outcome.json")}
    assert "city_overview" in finished and len(finished) < 1 + len(UNITS)
    assert not (out / "index.html").exists()

    # only --out: the export, codebook and notebooks come from the manifest
    retry = subprocess.run([sys.executable, "-m", "clem_lib", "run", "--retry-failed", "--out", str(out)],
                           env=dict(os.environ, CLEM_TEST_SLEEP="0"), capture_output=True, text=True,
                           timeout=600, cwd=tmp_path)
    assert retry.returncode == 0, retry.stderr
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ran = set(m["timings"]["notebooks_seconds"])
    assert ran and not ran & finished
    assert f"running {len(ran)} notebook(s)" in retry.stderr
    assert m["parameters"]["notebooks"] == "../../../nb" or m["parameters"]["notebooks"].endswith("/nb")
    compared = ["results.csv", "cleaning_log.csv", "cleaning_summary.csv", "index.html"] + sorted(
        p.name for p in ref.glob("*.html")) + sorted(p.name for p in ref.glob("*.ipynb"))
    different = [n for n in compared if (ref / n).read_bytes() != (out / n).read_bytes()]
    assert different == []


def test_notebooks_and_manifest_carry_no_absolute_path(inputs, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(_command(inputs, out), env=dict(os.environ, CLEM_TEST_SLEEP="0"),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for f in [*out.glob("*.ipynb"), *out.glob("*.html"), out / "manifest.json"]:
        text = f.read_text(encoding="utf-8")
        assert str(tmp_path) not in text, f.name
        for absolute in (str(Path(__file__).resolve().parents[1]), str(Path.home())):
            # a relative path may pass through the same folders ("../../work/clem/data"), never start there
            for before in ('"', "'", " ", "(", "\n"):
                assert before + absolute not in text, (f.name, absolute)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["inputs"]["data"]["path"] == "../small.csv" or not os.path.isabs(m["inputs"]["data"]["path"])
    assert m["inputs"]["cleaned"]["path"] == "cleaned.parquet"
    nb = json.loads((out / "kec-serengan.ipynb").read_text(encoding="utf-8"))
    params = nb["metadata"]["papermill"]["parameters"]
    assert params["data_path"] == "cleaned.parquet"
    assert params["results_path"] == ".parts/kec-serengan.results.csv"


def test_a_second_run_into_the_same_folder_stops_with_one_line_and_harms_nothing(inputs, tmp_path):
    out = tmp_path / "out"
    first = _start(inputs, out, sleep=8)
    try:
        _wait_for(first, lambda k: len(_kernels(k)) >= 1)
        second = subprocess.run(_command(inputs, out), env=dict(os.environ, CLEM_TEST_SLEEP="0"),
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2, second.stderr
        err = second.stderr.strip().splitlines()
        assert len(err) == 1 and "another clem run is writing to this output folder" in err[0], err
        assert str(out) in err[0] and "--out" in err[0]
        _out, ferr = first.communicate(timeout=300)
        assert first.returncode == 0, ferr
    finally:
        for p in _alive(psutil.Process(os.getpid()).children(recursive=True)):
            p.kill()
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "complete" and m["failures"] == [] and (out / "index.html").exists()
