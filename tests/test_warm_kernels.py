"""Warm kernels: reused across notebooks, yet each notebook sees the state of a new kernel.

Isolation is shown three ways: a warm kernel reset between two pieces of code
forgets everything the first changed (checked inside the kernel); a notebook
that pollutes every kind of state, run unit after unit in one warm kernel,
never sees the previous unit's pollution; the bundled notebooks on a small
survey give the same bytes warm and cold. A kernel that dies is replaced and
its notebook run again cold.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from jupyter_client import BlockingKernelClient

from _small_survey import FIXTURES, codebook_text, write_export
from clem_lib.batch import run_reports
from clem_lib.cli import main
from clem_lib.cleaning import clean_survey, write_cleaned
from clem_lib.batch.kernels import ONE_THREAD, WarmKernel, kernel_env
from clem_lib.paths import UNITS_FILE

UNITS = ("Kec. Serengan", "Dispendukcapil", "Kec. Jebres")


def _evaluate(wk: WarmKernel, code: str, expressions: dict) -> dict:
    """Run ``code`` in the warm kernel as a notebook cell would, then evaluate ``expressions``."""
    kc = BlockingKernelClient(connection_file=wk.km.connection_file)
    kc.load_connection_file()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(code, user_expressions=expressions, timeout=60,
                                       output_hook=lambda msg: None)
    finally:
        kc.stop_channels()
    content = reply["content"]
    assert content["status"] == "ok", content
    out = {}
    for name, value in content["user_expressions"].items():
        assert value["status"] == "ok", (name, value)
        out[name] = value["data"]["text/plain"]
    return out


POLLUTE = """
import os, random, sys, warnings
import numpy as np, pandas as pd, matplotlib, matplotlib.pyplot as plt
import clem_lib.codebook
POLLUTED = 1
matplotlib.rcParams["hatch.linewidth"] = 7.0
np.random.seed(123)
random.seed(123)
np.seterr(all="raise")
warnings.filterwarnings("error", message="clem-pollution")
pd.set_option("display.max_rows", 3)
os.environ["CLEM_POLLUTION"] = "1"
sys.path.append("/clem-pollution")
plt.figure()
clem_lib.codebook.names.normalize_text("clem pollution")
os.chdir("/")
"""

CHECK = {
    "polluted": "'POLLUTED' in globals()",
    "hatch": "__import__('matplotlib').rcParams['hatch.linewidth']",
    "seeded_np": "int(__import__('numpy').random.get_state()[1][0]) == 123",  # the key's first word after seed(123)
    "seeded_py": "__import__('random').getstate() == __import__('random').Random(123).getstate()",
    "np_err": "__import__('numpy').geterr()['divide']",
    "filters": "any('clem-pollution' in str(f[1]) for f in __import__('warnings').filters)",
    "max_rows": "__import__('pandas').get_option('display.max_rows')",
    "environ": "'CLEM_POLLUTION' in __import__('os').environ",
    "path": "'/clem-pollution' in __import__('sys').path",
    "figures": "len(__import__('matplotlib.pyplot').pyplot.get_fignums())",
    "cache": "__import__('clem_lib.codebook.names').codebook.names.normalize_text.cache_info().currsize",
    "cwd": "__import__('os').getcwd()",
    "count": "get_ipython().execution_count",
}

#: what a warm kernel is started with, whatever a notebook does
SETUP = {
    "blas": "__import__('os').environ.get('OPENBLAS_NUM_THREADS')",
    "history": "get_ipython().history_manager.hist_file",
}


@pytest.mark.slow
def test_reset_puts_back_every_kind_of_state(tmp_path):
    wk = WarmKernel(startup_timeout=120)
    try:
        wk.prepare(str(tmp_path))
        fresh = _evaluate(wk, "pass", CHECK)
        polluted = _evaluate(wk, POLLUTE, CHECK)
        # the pollution took
        assert polluted["polluted"] == "True" and polluted["hatch"] == "7.0" and polluted["environ"] == "True"
        assert polluted["seeded_np"] == "True" and polluted["np_err"] == "'raise'" and polluted["filters"] == "True"
        assert polluted["max_rows"] == "3" and polluted["path"] == "True"  # (figures: the inline backend closes them)
        assert polluted["cwd"] == "'/'" and int(polluted["cache"]) >= 1
        wk.finished()
        wk.prepare(str(tmp_path))
        after = _evaluate(wk, "pass", CHECK)
        assert after["polluted"] == "False" and after["hatch"] == fresh["hatch"]
        assert after["seeded_np"] == "False" and after["seeded_py"] == "False"
        assert after["np_err"] == fresh["np_err"] and after["filters"] == "False"
        assert after["max_rows"] == fresh["max_rows"] == "60"
        assert after["environ"] == "False" and after["path"] == "False" and after["figures"] == "0"
        assert after["cache"] == "0" and after["cwd"] == repr(str(tmp_path))
        # a new session: the first cell of the next notebook is cell 1 again
        assert after["count"] == fresh["count"]
        # one BLAS thread (the workers' kernels already share the cores), history in memory
        setup = _evaluate(wk, "pass", SETUP)
        assert setup == {"blas": "'1'", "history": "':memory:'"}
        # prepare hands back a connected client, which the next notebook executes through
        kc = wk.prepare(str(tmp_path))
        assert kc.channels_running
        wk.finished()
        assert not kc.channels_running
    finally:
        wk.discard()
    assert wk.km is None


def test_kernels_run_numeric_libraries_on_one_thread_unless_told_otherwise():
    env = kernel_env({"PATH": "/bin", "MKL_NUM_THREADS": "3"})
    assert env["PATH"] == "/bin" and env["MKL_NUM_THREADS"] == "3"
    assert all(env[name] == "1" for name in ONE_THREAD if name != "MKL_NUM_THREADS")


def _pollution_notebooks(folder: Path) -> Path:
    """The fixture notebooks; the location report first checks that nothing of a previous unit
    is left, and ends by polluting every kind of state."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(FIXTURES / "location_report.ipynb", as_version=4)
    checks = "\n".join(f"_v_{k} = {v}" for k, v in CHECK.items())
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        checks + "\n"
        "assert not _v_polluted and not _v_seeded_np and not _v_seeded_py and _v_hatch != 7.0\n"
        "assert _v_np_err != 'raise' and not _v_filters and _v_max_rows == 60 and not _v_environ\n"
        "assert not _v_path and _v_figures == 0 and _v_cwd != '/'\n"
        "print('clean state')"))
    nb.cells.append(nbformat.v4.new_code_cell(POLLUTE))
    nbformat.write(nb, folder / "location_report.ipynb")
    nbformat.write(nbformat.read(FIXTURES / "city_overview.ipynb", as_version=4), folder / "city_overview.ipynb")
    return folder


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    d = tmp_path_factory.mktemp("warm")
    export = write_export(d / "small.csv", units=UNITS)
    cb = d / "small.codebook.yml"
    cb.write_text(codebook_text(), encoding="utf-8")
    res = clean_survey(export, cb, UNITS_FILE)
    write_cleaned(res, d / "cleaned.parquet")
    return d, export, cb


@pytest.mark.slow
def test_a_polluting_notebook_never_reaches_the_next_unit(small, tmp_path):
    d, _, _ = small
    nbs = _pollution_notebooks(tmp_path / "nbs")
    out = tmp_path / "out"
    result = run_reports(d / "cleaned.parquet", out, survey_name="small", jobs=1, units_path=UNITS_FILE,
                         checklist_path="", notebooks_dir=nbs, progress=False)
    assert [u["status"] for u in result.units] == ["ok"] * len(UNITS), result.failures
    for u in result.units:
        nb = nbformat.read(out / f"{u['slug']}.ipynb", as_version=4)
        counts = [c.get("execution_count") for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1)), (u["unit"], counts)  # a new session each time
        assert "clean state" in json.dumps(nb.cells[3].get("outputs", []))


@pytest.mark.slow
def test_warm_and_cold_runs_write_the_same_bytes(small, tmp_path):
    _, export, cb = small
    runs = {}
    for mode in ("warm", "cold"):
        out = tmp_path / mode
        args = ["run", "--data", str(export), "--codebook", str(cb), "--units-file", str(UNITS_FILE),
                "--out", str(out), "--jobs", "1", "--quiet"] + (["--cold"] if mode == "cold" else [])
        assert main(args) == 0
        runs[mode] = out
    files = sorted(p.relative_to(runs["warm"]) for p in runs["warm"].rglob("*") if p.is_file()
                   and p.name != "manifest.json" and not p.name.endswith(".outcome.json"))
    assert any(str(f).endswith(".html") for f in files) and any(str(f).endswith(".ipynb") for f in files)
    differ = [str(f) for f in files if (runs["warm"] / f).read_bytes() != (runs["cold"] / f).read_bytes()]
    assert not differ, differ


@pytest.mark.slow
def test_a_kernel_that_dies_is_replaced_and_its_notebook_run_again_cold(small, tmp_path):
    d, _, _ = small
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    nb = nbformat.read(FIXTURES / "location_report.ipynb", as_version=4)
    # the second unit's first attempt kills its kernel (the marker file says it has)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import os\n"
        f"marker = {str(tmp_path / 'died')!r}\n"
        "if unit == 'Dispendukcapil' and not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        "    os._exit(1)"))
    nbformat.write(nb, nbs / "location_report.ipynb")
    nbformat.write(nbformat.read(FIXTURES / "city_overview.ipynb", as_version=4), nbs / "city_overview.ipynb")
    out = tmp_path / "out"
    result = run_reports(d / "cleaned.parquet", out, survey_name="small", jobs=1, units_path=UNITS_FILE,
                         checklist_path="", notebooks_dir=nbs, progress=False)
    assert (tmp_path / "died").exists()
    assert [u["status"] for u in result.units] == ["ok"] * len(UNITS), result.failures
