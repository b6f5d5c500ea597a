"""The batch runner: parallel notebook execution, fault isolation, determinism, Dask, safety.

Most tests run the tiny fixture notebooks of tests/fixtures/notebooks (same
parameters as the real report notebooks, a second each) on a small cleaned
table written here, so they do not depend on the sample survey.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

from clem_lib import ClemInputError
from clem_lib.results import RESULTS_COLUMNS
from clem_lib.batch import (
    NotebookTask,
    NotebookOutcome,
    execute_notebook_task,
    headline_figures,
    normalize_notebook,
    resolve_units,
    run_notebooks,
    run_reports,
)
from clem_lib.batch.pool import Progress
from clem_lib.codebook import load_units
from clem_lib.htmlout import add_table_of_contents, external_references, render_index_html

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
LOCATION_NB = FIXTURES / "location_report.ipynb"

# A unit name built to break naive parameter injection: quotes of both kinds, a
# newline, a backslash, HTML, and code that would create a file if it ever ran.
EVIL_TEMPLATE = (
    'Kec. "Evil" <b>x</b> \\ \'; open(r"{pwn}", "w").close() #\n'
    'import os; os.system("touch {pwn}2")'
)

UNITS = {  # name -> (slug, number of answers, answer to unsur_waktu for every row)
    "Kec. Serengan": ("kec-serengan", 12, 4),
    "Kec. Jebres": ("kec-jebres", 9, 3),
    "Dispendukcapil": ("dispendukcapil", 7, 2),
}


def _write_units_yml(path: Path, names_slugs) -> Path:
    import yaml

    doc = {"units": [{"name": n, "slug": s, "sectors": ["adminduk"],
                      "aliases": [n.replace("Kec. ", "")] if n.startswith("Kec.") else []}
                     for n, s in names_slugs]}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _write_cleaned(path: Path, units: dict) -> Path:
    rows = []
    for name, (slug, n, answer) in units.items():
        for j in range(n):
            rows.append({"respondent_id": f"{slug}-{j}", "unit": name, "unit_slug": slug,
                         "sector": "adminduk", "round": 1, "unsur_waktu": answer})
    df = pd.DataFrame(rows)
    df["round"] = df["round"].astype("Int64")
    df["unsur_waktu"] = df["unsur_waktu"].astype("Int64")
    df.to_parquet(path, index=False)
    return path


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    """A cleaned table with four units (one with a hostile name) and its units file."""
    root = tmp_path_factory.mktemp("survey")
    evil = EVIL_TEMPLATE.format(pwn=root / "pwned")
    units = {**UNITS, evil: ("evil", 5, 1)}
    cleaned = _write_cleaned(root / "cleaned.parquet", units)
    units_yml = _write_units_yml(root / "units.yml", [(n, s) for n, (s, _, _) in units.items()])
    return {"root": root, "cleaned": cleaned, "units_yml": units_yml, "evil": evil, "units": units}


def _run(survey, out, **kw):
    kw.setdefault("jobs", 2)
    kw.setdefault("progress", False)
    return run_reports(survey["cleaned"], out, survey_name="fixture", units_path=survey["units_yml"],
                       notebooks_dir=FIXTURES, **kw)


@pytest.fixture(scope="module")
def good_run(survey, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "fixture"
    result = _run(survey, out)
    return result, out


# ---------------------------------------------------------------------------
# One execution
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_execute_task_runs_every_cell_in_the_given_folder(survey, tmp_path):
    results = tmp_path / "r.csv"
    cwd = tmp_path / "work-folder"
    cwd.mkdir()
    task = NotebookTask(key="kec-jebres", label="Kec. Jebres", kind="unit", notebook=str(LOCATION_NB),
                        parameters={"unit": "Kec. Jebres", "data_path": str(survey["cleaned"]),
                                    "results_path": str(results), "lang": "en"},
                        cwd=str(cwd), lang="en", results_path=str(results))
    o = execute_notebook_task(task)
    assert o.status == "ok", o.error
    assert (o.cells_run, o.cells_total) == (3, 3)
    df = pd.read_csv(io.StringIO(o.results))
    ikm = df.loc[df["metric"] == "ikm"].iloc[0]
    assert ikm["unit"] == "Kec. Jebres" and ikm["n"] == 9 and ikm["estimate"] == 75.0  # 25 * 3
    # the kernel worked in the folder it was given; the parent process did not move
    assert "cwd = work-folder" in o.html
    assert Path.cwd() != cwd
    # the report: no code, no prompts, image embedded, nothing fetched from elsewhere
    assert "pq.read_table" not in o.html and "import base64" not in o.html
    assert not re.search(r"In&nbsp;\[|Out\[\d+\]|jp-InputPrompt\"[^>]*>\s*In", o.html)
    assert 'src="data:image/png;base64,' in o.html
    assert "<script src=" not in o.html.lower()
    assert external_references(o.html) == []
    assert 'class="clem-toc"' in o.html and ">Findings</a>" in o.html and ">Contents<" in o.html
    # volatile metadata is gone, parameters stay as provenance
    nb = json.loads(o.ipynb)
    assert "start_time" not in nb["metadata"]["papermill"]
    assert nb["metadata"]["papermill"]["parameters"]["unit"] == "Kec. Jebres"
    assert all("execution" not in c["metadata"] for c in nb["cells"])
    assert [c["id"] for c in nb["cells"]] == ["cell-0", "cell-1", "injected-parameters-2", "cell-2", "cell-3"]


@pytest.mark.slow
def test_failing_notebook_keeps_partial_notebook_and_page(survey, tmp_path, monkeypatch):
    monkeypatch.setenv("CLEM_TEST_FAIL_UNITS", "Kec. Jebres")
    results = tmp_path / "r.csv"
    task = NotebookTask(key="kec-jebres", label="Kec. Jebres", kind="unit", notebook=str(LOCATION_NB),
                        parameters={"unit": "Kec. Jebres", "data_path": str(survey["cleaned"]),
                                    "results_path": str(results)},
                        cwd=str(tmp_path), results_path=str(results))
    o = execute_notebook_task(task)
    assert o.status == "failed"
    assert o.error.startswith("cell 3: RuntimeError: deliberate failure")
    assert o.results is None
    nb = json.loads(o.ipynb)
    assert "papermill-error-cell-tag" in nb["cells"][0]["metadata"]["tags"]  # papermill's banner
    assert "deliberate failure for the fault-isolation test" in o.html
    assert "An Exception was encountered" in o.html


@pytest.mark.slow
def test_results_file_that_breaks_the_contract_fails_the_unit(survey, tmp_path):
    import nbformat

    nb = nbformat.read(LOCATION_NB, as_version=4)
    nb.cells[-1].source += "\nopen(results_path, 'w').write('unit,metric\\nx,ikm\\n')"
    bad = tmp_path / "bad.ipynb"
    nbformat.write(nb, bad)
    results = tmp_path / "r.csv"
    o = execute_notebook_task(NotebookTask(
        key="kec-jebres", label="Kec. Jebres", kind="unit", notebook=str(bad),
        parameters={"unit": "Kec. Jebres", "data_path": str(survey["cleaned"]), "results_path": str(results)},
        cwd=str(tmp_path), results_path=str(results)))
    assert o.status == "failed"
    assert "does not have the results.csv columns; missing sector, group" in o.error


@pytest.mark.slow
def test_hostile_unit_name_is_data_not_code(survey):
    """Papermill writes string parameters as escaped literals: nothing in the name runs."""
    evil = survey["evil"]
    results = survey["root"] / "evil.csv"
    o = execute_notebook_task(NotebookTask(
        key="evil", label=evil, kind="unit", notebook=str(LOCATION_NB),
        parameters={"unit": evil, "data_path": str(survey["cleaned"]), "results_path": str(results)},
        cwd=str(survey["root"]), results_path=str(results)))
    assert o.status == "ok", o.error
    assert not (survey["root"] / "pwned").exists() and not (survey["root"] / "pwned2").exists()
    df = pd.read_csv(io.StringIO(o.results), keep_default_na=False)
    assert df["unit"].iloc[0] == evil  # round-trips exactly, newline and backslash included
    assert df["n"].iloc[0] == 5
    nb = json.loads(o.ipynb)
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])][0]
    compiled = compile("".join(injected["source"]), "<parameters>", "exec")
    names = {n for n in compiled.co_names}
    assert names == {"unit", "data_path", "results_path"}  # only assignments, no calls
    assert "<b>x</b>" not in o.html.split("<main>")[0]  # the page title is escaped


# ---------------------------------------------------------------------------
# A whole run: outputs, index, results, manifest
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_run_writes_every_output(good_run, survey):
    result, out = good_run
    assert result.exit_code == 0 and result.failures == []
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == sorted(
        ["index.html", "results.csv", "manifest.json", "city_overview.html", "city_overview.ipynb"]
        + [f"{s}.{e}" for s, _, _ in survey["units"].values() for e in ("html", "ipynb")])
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))
    assert not (survey["root"] / "pwned").exists() and not (survey["root"] / "pwned2").exists()


@pytest.mark.slow
def test_results_csv_is_the_notebooks_rows_sorted(good_run, survey):
    _, out = good_run
    df = pd.read_csv(out / "results.csv", keep_default_na=False, dtype=str)
    assert list(df.columns) == list(RESULTS_COLUMNS)
    assert len(df) == 1 + 4 * len(survey["units"])  # city: 1 + 1 per unit; 3 rows per unit report
    key = list(zip(df["unit"], df["sector"], df["group"], df["metric"]))
    assert key == sorted(key)
    assert df.iloc[0]["unit"] == "" and df.iloc[0]["metric"] == "n_units" and df.iloc[0]["estimate"] == "4"
    ikm = df[df["metric"] == "ikm"].set_index("unit")
    assert ikm.loc["Kec. Serengan", "estimate"] == "100" and ikm.loc["Kec. Serengan", "n"] == "12"
    assert ikm.loc["Dispendukcapil", "estimate"] == "50" and ikm.loc["Dispendukcapil", "n"] == "7"
    assert survey["evil"] in set(df["unit"])
    gap = df[(df["metric"] == "gap:sarana") & (df["unit"] == "Kec. Jebres")].iloc[0]
    assert gap["estimate"] == "-0.4" and gap["p_adjusted"] == "0.02"  # negatives stay numbers


@pytest.mark.slow
def test_index_lists_units_with_headline_figures(good_run, survey):
    _, out = good_run
    page = (out / "index.html").read_text(encoding="utf-8")
    assert external_references(page) == []
    assert '<html lang="id">' in page and "Unit layanan" in page
    row = re.search(r'<tr class="ok">\s*<td data-sort="Kec. Serengan">.*?</tr>', page, re.S).group(0)
    assert "100,00 (95,00–105,00)" in row  # IKM with interval, Indonesian decimal comma
    assert "A (Sangat Baik)" in row
    assert "53,0 %" in row
    # one significant gap in the unit's own report; the city's "unit vs rest" row is not counted
    assert '<td class="num" data-sort="1.0">1</td>' in row
    assert '<a href="kec-serengan.html">' in row
    jebres = re.search(r'<td data-sort="Kec. Jebres">.*?</tr>', page, re.S).group(0)
    assert "75,00" in jebres and "C (Kurang Baik)" in jebres  # 75.00 < 76.61
    # the hostile name is escaped in the index
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page
    assert "addEventListener(\"click\"" in page  # sortable by inline script


@pytest.mark.slow
def test_manifest_records_parameters_inputs_versions_timings(good_run, survey):
    _, out = good_run
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "complete" and m["failures"] == []
    assert m["parameters"]["lang"] == "id" and m["parameters"]["jobs"] == 2
    assert m["parameters"]["seed"] == 20130924 and m["parameters"]["round"] == 0
    import hashlib

    assert m["inputs"]["cleaned"]["sha256"] == hashlib.sha256(survey["cleaned"].read_bytes()).hexdigest()
    assert m["packages"]["papermill"] and m["packages"]["python"] == sys.version.split()[0]
    assert set(m["timings"]["notebooks_seconds"]) == {"city_overview", "kec-serengan", "kec-jebres",
                                                      "dispendukcapil", "evil"}
    assert {u["slug"]: u["status"] for u in m["units"]} == {
        "kec-serengan": "ok", "kec-jebres": "ok", "dispendukcapil": "ok", "evil": "ok"}
    assert m["outputs"]["index.html"] == hashlib.sha256((out / "index.html").read_bytes()).hexdigest()


@pytest.mark.slow
def test_two_runs_give_identical_bytes(good_run, survey, tmp_path):
    result, out = good_run
    first = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != "manifest.json"}
    snapshot = tmp_path / "first"
    shutil.copytree(out, snapshot)
    try:
        again = _run(survey, out, jobs=3)  # another pool size, another completion order
        assert again.exit_code == 0
        second = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != "manifest.json"}
        assert sorted(first) == sorted(second)
        different = [n for n in first if first[n] != second[n]]
        assert different == []
    finally:  # leave the module's run as it was for the other tests
        shutil.rmtree(out)
        shutil.copytree(snapshot, out)


@pytest.mark.slow
def test_failure_is_isolated_and_retry_reruns_only_it(survey, tmp_path, monkeypatch):
    out = tmp_path / "fixture"
    monkeypatch.setenv("CLEM_TEST_FAIL_UNITS", "Kec. Jebres")
    three = "Kec. Serengan,Kec. Jebres,Dispendukcapil"
    result = _run(survey, out, units=three)
    assert result.exit_code == 1
    assert [f["slug"] for f in result.failures] == ["kec-jebres"]
    assert "deliberate failure" in result.failures[0]["error"]
    # the failed unit keeps its partial notebook and page; the others finished
    assert "An Exception was encountered" in (out / "kec-jebres.html").read_text(encoding="utf-8")
    for slug in ("kec-serengan", "dispendukcapil", "city_overview"):
        assert (out / f"{slug}.html").is_file()
    page = (out / "index.html").read_text(encoding="utf-8")
    assert '<tr class="failed">\n<td data-sort="Kec. Jebres">' in page
    assert "RuntimeError: deliberate failure" in page
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "complete_with_failures"
    assert [f["slug"] for f in m["failures"]] == ["kec-jebres"]
    rows = pd.read_csv(out / "results.csv", keep_default_na=False)
    assert "Kec. Jebres" not in set(rows.loc[rows["group"] != "unit vs rest of city", "unit"])
    assert "Kec. Serengan" in set(rows["unit"])
    kept = {s: (out / f"{s}.ipynb").stat().st_mtime_ns for s in ("kec-serengan", "dispendukcapil")}

    monkeypatch.delenv("CLEM_TEST_FAIL_UNITS")
    retry = _run(survey, out, retry_failed=True)
    assert retry.exit_code == 0 and retry.failures == []
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(m["timings"]["notebooks_seconds"]) == {"kec-jebres"}  # only the failed unit ran
    assert m["parameters"]["retry_failed"] is True
    assert {s: (out / f"{s}.ipynb").stat().st_mtime_ns for s in kept} == kept
    rows = pd.read_csv(out / "results.csv", keep_default_na=False)
    own = rows.loc[rows["group"] != "unit vs rest of city", "unit"]
    assert set(own) == {"", "Kec. Serengan", "Kec. Jebres", "Dispendukcapil"}
    assert "An Exception" not in (out / "kec-jebres.html").read_text(encoding="utf-8")
    assert '<tr class="failed">' not in (out / "index.html").read_text(encoding="utf-8")


def test_retry_without_a_previous_run_is_a_usage_error(survey, tmp_path):
    with pytest.raises(ClemInputError, match="no previous run to retry"):
        _run(survey, tmp_path / "nothing", retry_failed=True)
    assert not (tmp_path / "nothing").exists()


def test_bad_usage_writes_nothing(survey, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ClemInputError, match="did you mean 'Kec. Serengan'"):
        _run(survey, out, units="Kec. Serangan")
    with pytest.raises(ClemInputError, match="round 3 is not in the data"):
        _run(survey, out, round=3)
    with pytest.raises(ClemInputError, match="unknown language 'fr'"):
        _run(survey, out, lang="fr")
    assert not out.exists()


# ---------------------------------------------------------------------------
# Parallel execution: the stress test, and Dask
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_stress_many_parallel_executions_no_spurious_failure(survey, tmp_path):
    """50 notebook executions, 6 at a time on a spawn pool: every one must run fully and
    report its own unit's numbers (no port clash, no empty run, no cross-talk)."""
    names = list(UNITS)
    tasks = []
    for i in range(50):
        name = names[i % len(names)]
        rp = tmp_path / f"r{i}.csv"
        cwd = tmp_path / f"cwd{i}"
        cwd.mkdir()
        tasks.append(NotebookTask(
            key=f"t{i:02d}", label=name, kind="unit", notebook=str(LOCATION_NB),
            parameters={"unit": name, "data_path": str(survey["cleaned"]), "results_path": str(rp)},
            cwd=str(cwd), results_path=str(rp)))
    seen = []
    outcomes = run_notebooks(tasks, jobs=6, progress=False, on_done=lambda o: seen.append(o.key))
    failed = [(o.key, o.error) for o in outcomes if o.status != "ok"]
    assert failed == []
    assert sorted(seen) == [t.key for t in tasks]
    for task, o in zip(tasks, outcomes):
        df = pd.read_csv(io.StringIO(o.results))
        slug, n, answer = UNITS[task.label]
        assert (df["unit"].iloc[0], df["n"].iloc[0], df["estimate"].iloc[0]) == (task.label, n, 25.0 * answer)
        assert f"cwd = cwd{int(task.key[1:])}" in o.html
        assert o.cells_run == o.cells_total == 3
    assert len({o.host for o in outcomes}) > 1  # really spread over worker processes


@pytest.mark.slow
def test_dask_local_cluster_runs_the_same_fan_out(survey, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster:
        out = tmp_path / "fixture"
        result = _run(survey, out, scheduler=cluster.scheduler_address,
                      units="Kec. Serengan,jebres")  # names, aliases, any case
        assert result.exit_code == 0, result.failures
        assert [u["unit"] for u in result.units] == ["Kec. Jebres", "Kec. Serengan"]
        m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert m["parameters"]["scheduler"] == cluster.scheduler_address
        rows = pd.read_csv(out / "results.csv", keep_default_na=False)
        own = rows.loc[rows["group"] != "unit vs rest of city", "unit"]
        assert set(own) == {"", "Kec. Jebres", "Kec. Serengan"}
        assert rows.loc[(rows["unit"] == "Kec. Jebres") & (rows["metric"] == "ikm"), "estimate"].iloc[0] == 75.0
        # the notebooks really ran in the cluster's worker processes
        with distributed.Client(cluster.scheduler_address) as client:
            worker_pids = {str(p) for p in client.run(os.getpid).values()}
            tasks = [NotebookTask(
                key=f"d{i}", label="Dispendukcapil", kind="unit", notebook=str(LOCATION_NB),
                parameters={"unit": "Dispendukcapil", "data_path": str(survey["cleaned"])},
                cwd=str(tmp_path)) for i in range(2)]
            outcomes = run_notebooks(tasks, scheduler=client, progress=False)
        assert [o.status for o in outcomes] == ["ok"] * 2
        assert {o.host.rsplit(":", 1)[1] for o in outcomes} <= worker_pids
        assert str(os.getpid()) not in {o.host.rsplit(":", 1)[1] for o in outcomes}


def test_dask_missing_scheduler_is_a_clear_error(survey, tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr("clem_lib.batch.pool.DASK_CONNECT_TIMEOUT", "1s")
    with pytest.raises(ClemInputError, match="cannot connect to the Dask scheduler"):
        run_notebooks([NotebookTask(key="a", label="a", kind="unit", notebook=str(LOCATION_NB),
                                    parameters={}, cwd=str(tmp_path))],
                      scheduler="tcp://127.0.0.1:9", progress=False)


# ---------------------------------------------------------------------------
# Pieces
# ---------------------------------------------------------------------------


def test_resolve_units_by_name_slug_alias_and_suggestions(survey):
    table = load_units(survey["units_yml"])
    available = list(survey["units"])
    assert resolve_units(None, available, table) == sorted(available)
    assert resolve_units("serengan, KEC-JEBRES ,Dispendukcapil", available, table) == [
        "Dispendukcapil", "Kec. Jebres", "Kec. Serengan"]
    with pytest.raises(ClemInputError, match="did you mean 'Kec. Jebres'"):
        resolve_units("Jebris", available, table)
    with pytest.raises(ClemInputError, match="has no answers in the data"):
        resolve_units("serengan", ["Kec. Jebres"], table)


def test_headline_figures_from_results_rows():
    rows = pd.DataFrame([
        {"unit": "A", "sector": "adminduk", "group": "", "metric": "ikm", "estimate": 76.605,
         "ci_low": 74.0, "ci_high": 79.0, "n": 40},
        {"unit": "A", "sector": "adminduk", "group": "all", "metric": "pct_not_friendly", "estimate": 53.0},
        {"unit": "A", "sector": "adminduk", "group": "disability", "metric": "pct_not_friendly", "estimate": 80.0},
        {"unit": "A", "sector": "", "group": "", "metric": "compliance", "estimate": 64.3},
        {"unit": "A", "group": "special_group vs others", "metric": "gap:sarana", "p_value": 0.001, "p_adjusted": 0.04},
        {"unit": "A", "group": "special_group vs others", "metric": "gap:waktu", "p_value": 0.01, "p_adjusted": 0.06},
        {"unit": "A", "group": "female vs male", "metric": "gap:biaya", "p_value": 0.03},
        {"unit": "B", "group": "", "metric": "ikm", "estimate": 90.0, "n": 10},
    ], columns=list(RESULTS_COLUMNS))
    f = headline_figures(rows, "A", alpha=0.05, lang="en")
    assert f == {"n": 40.0, "ikm": 76.605, "ikm_low": 74.0, "ikm_high": 79.0,
                 "grade": "B (Good)",  # 76.605 rounds half up to 76.61, the B threshold
                 "access": 53.0, "gaps": 2, "compliance": 64.3}
    assert headline_figures(rows, "A", alpha=0.01)["gaps"] == 0
    # a figure given per round only: the round reported, else the latest
    per_round = pd.concat([rows[rows["metric"] != "compliance"], pd.DataFrame([
        {"unit": "A", "group": "round=1", "metric": "compliance", "estimate": 50.0},
        {"unit": "A", "group": "round=2", "metric": "compliance", "estimate": 95.0}])], ignore_index=True)
    assert headline_figures(per_round, "A")["compliance"] == 95.0
    assert headline_figures(per_round, "A", round=1)["compliance"] == 50.0
    assert headline_figures(per_round, "A", round=3)["compliance"] is None
    g = headline_figures(rows, "C")
    assert g["ikm"] is None and g["grade"] is None and g["gaps"] is None


def test_normalize_notebook_drops_timestamps_and_random_ids():
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "x", "end_time": "y", "duration": 1.0,
                                "input_path": "/tmp/abc/in.ipynb", "output_path": "/tmp/abc/out.ipynb",
                                "parameters": {"unit": "A"}, "environment_variables": {"A": "1"}}
    a = nbformat.v4.new_code_cell("1", metadata={"execution": {"iopub.status.busy": "t"},
                                                 "papermill": {"duration": 0.1, "status": "completed"}})
    a["id"] = "keep-me"
    b = nbformat.v4.new_code_cell("unit = 'A'", metadata={"tags": ["injected-parameters"]})
    nb.cells = [a, b]
    normalize_notebook(nb, source_ids=["keep-me"], input_name="in.ipynb", output_name="a.ipynb")
    assert nb.metadata.papermill == {"input_path": "in.ipynb", "output_path": "a.ipynb",
                                     "parameters": {"unit": "A"}, "environment_variables": {}}
    assert nb.cells[0].metadata == {"papermill": {"status": "completed"}}
    assert [c.id for c in nb.cells] == ["keep-me", "injected-parameters-1"]


def test_external_references_catches_what_a_browser_would_fetch():
    assert external_references('<a href="#x">x</a><img src="data:image/png;base64,AAA">') == []
    assert external_references('<a href="kec-serengan.html">r</a>') == []
    found = external_references(
        '<script src="x.js"></script><link href="https://cdn.example/a.css">'
        '<img src="//cdn.example/i.png"><style>@import "http://a/b.css"; x{background:url(https://a/c)}</style>')
    assert len(found) == 5


def test_table_of_contents_from_headings():
    page = ('<html><body><main><h1 id="Laporan">Laporan<a class="anchor-link" href="#Laporan">¶</a></h1>'
            '<h2 id="IKM">IKM &amp; mutu</h2><h3 id="x">Detail</h3></main></body></html>')
    out = add_table_of_contents(page, lang="en")
    nav = re.search(r"<nav.*?</nav>", out, re.S).group(0)
    assert re.findall(r'href="#([^"]+)">([^<]+)<', nav) == [
        ("Laporan", "Laporan"), ("IKM", "IKM &amp; mutu"), ("x", "Detail")]
    assert out.index("<nav") == out.index("<main>") + len("<main>\n")
    assert add_table_of_contents("<main><h2 id='a'>only</h2></main>") == "<main><h2 id='a'>only</h2></main>"


def test_index_page_escapes_and_marks_failures():
    rows = [{"unit": "<script>alert(1)</script>", "slug": "x", "sector": "adminduk", "status": "failed",
             "error": "cell 2: ValueError: <boom>", "report": "x.html", "n": None, "ikm": None,
             "ikm_low": None, "ikm_high": None, "grade": None, "access": None, "gaps": None,
             "compliance": None}]
    page = render_index_html(rows, survey_name="s", lang="en", city={"status": "ok", "report": "c.html"})
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "ValueError: &lt;boom&gt;" in page
    assert '<tr class="failed">' in page and "Units that failed" in page
    assert external_references(page) == []
    # sectors by their names in the page's language, a sector of one's own as written
    rows[0]["sector"] = "adminduk, kesehatan, umum"
    assert ">Civil registration, Health, umum</td>" in render_index_html(rows, survey_name="s", lang="en")
    assert ">Administrasi kependudukan, Kesehatan, umum</td>" in render_index_html(rows, survey_name="s", lang="id")


def test_progress_plain_lines_when_not_a_terminal():
    stream = io.StringIO()
    bar = Progress(3, 2, stream=stream)
    bar.start()
    bar.update(NotebookOutcome(key="a", label="Kec. A", kind="unit", status="ok", error=None, seconds=1.0))
    bar.update(NotebookOutcome(key="b", label="Kec. B", kind="unit", status="failed", error="boom", seconds=2.0))
    lines = stream.getvalue().splitlines()
    assert lines[0] == "clem: running 3 notebook(s) on 2 worker(s)"
    assert lines[1].startswith("clem: Kec. A: done in 1.0 s; [1/3] 1 done, 0 failed, 2 running, about ")
    assert lines[2].startswith("clem: Kec. B: FAILED (boom) in 2.0 s; [2/3] 1 done, 1 failed, 1 running")
    assert "\r" not in stream.getvalue()


# ---------------------------------------------------------------------------
# The real report notebook, through the runner
# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_real_location_report_page_shows_its_numbers(tmp_path):
    """notebooks/location_report.ipynb on the cleaned sample: runs fully, the page is
    self-contained and shows the IKM the notebook wrote to its results rows."""
    from clem_lib.cleaning import clean_survey, write_cleaned
    from clem_lib.paths import NOTEBOOKS_DIR, SAMPLE_CODEBOOK, SAMPLE_DATA, UNITS_FILE
    from clem_lib.scoring import round_half_up

    cleaned = write_cleaned(clean_survey(SAMPLE_DATA, SAMPLE_CODEBOOK), tmp_path / "cleaned.parquet")
    rp = tmp_path / "serengan.csv"
    o = execute_notebook_task(NotebookTask(
        key="kec-serengan", label="Kec. Serengan", kind="unit",
        notebook=str(NOTEBOOKS_DIR / "location_report.ipynb"),
        parameters={"unit": "Kec. Serengan", "data_path": str(cleaned), "checklist_path": "",
                    "units_path": str(UNITS_FILE), "round": 0, "lang": "id", "alpha": 0.05,
                    "min_n": 5, "seed": 20130924, "results_path": str(rp)},
        cwd=str(tmp_path), lang="id", results_path=str(rp)))
    assert o.status == "ok", o.error
    assert o.cells_run == o.cells_total > 5
    rows = pd.read_csv(io.StringIO(o.results), keep_default_na=False)
    ikm = rows[(rows["unit"] == "Kec. Serengan") & (rows["metric"] == "ikm")].iloc[0]
    table = pd.read_parquet(cleaned)
    latest = table.loc[table["unit"] == "Kec. Serengan", "round"].max()
    assert ikm["n"] == int(((table["unit"] == "Kec. Serengan") & (table["round"] == latest)).sum())
    shown = f"{round_half_up(float(ikm['estimate']), 2):.2f}".replace(".", ",")
    assert shown in o.html  # the page shows the number results.csv carries
    assert external_references(o.html) == []
    assert "<script src=" not in o.html.lower()
    assert o.html.count("data:image/png;base64,") >= 1
    assert "import clem_lib" not in o.html  # no code in the page
    assert 'class="clem-toc"' in o.html


def test_progress_rewrites_one_line_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = Progress(2, 2, stream=stream)
    bar.update(NotebookOutcome(key="a", label="Kec. A", kind="unit", status="ok", error=None, seconds=4.0))
    bar.update(NotebookOutcome(key="b", label="Kec. B", kind="unit", status="failed", error="boom", seconds=2.0))
    bar.close()
    text = stream.getvalue()
    assert text.startswith("\r\x1b[2Kclem: [1/2] 1 done, 0 failed, 1 running, about 2 s left")
    assert "\r\x1b[2Kclem: Kec. B failed: boom\n" in text
    assert text.endswith("[2/2] 1 done, 1 failed, 0 running, finished in 0 s\n")


@pytest.mark.slow
def test_interrupted_run_is_recognisable_and_retry_completes_it(survey, tmp_path, monkeypatch):
    out = tmp_path / "fixture"
    one = "Kec. Serengan"
    out.mkdir()
    (out / "index.html").write_text("index of an earlier run", encoding="utf-8")

    def interrupted(tasks, **kw):
        kw["on_done"](NotebookOutcome(key="city_overview", label="city", kind="city", status="ok",
                                      error=None, ipynb="{}", html="<html></html>"))
        raise KeyboardInterrupt

    monkeypatch.setattr("clem_lib.batch.run.run_notebooks", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(survey, out, units=one)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["status"] == "running" and [u["status"] for u in m["units"]] == ["pending"]
    assert not (out / "index.html").exists()  # no index: the run does not look complete
    assert not list(out.glob(".*.tmp"))
    monkeypatch.undo()

    result = _run(survey, out, units=one, retry_failed=True)
    assert result.exit_code == 0
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    # the city overview finished before the interruption and is kept; the rest runs
    assert m["status"] == "complete"
    assert set(m["timings"]["notebooks_seconds"]) == {"kec-serengan"}
    assert (out / "index.html").is_file()
    assert (out / "city_overview.html").read_text(encoding="utf-8") == "<html></html>"
    assert "Kec. Serengan" in (out / "kec-serengan.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_kernel_comes_from_this_interpreter_not_a_registered_kernelspec(survey, tmp_path):
    import nbformat

    nb = nbformat.read(LOCATION_NB, as_version=4)
    nb.metadata["kernelspec"] = {"name": "no-such-kernel", "display_name": "nothing", "language": "python"}
    nb.cells.append(nbformat.v4.new_code_cell("import sys; print(sys.executable)"))
    path = tmp_path / "unregistered.ipynb"
    nbformat.write(nb, path)
    o = execute_notebook_task(NotebookTask(
        key="kec-jebres", label="Kec. Jebres", kind="unit", notebook=str(path),
        parameters={"unit": "Kec. Jebres", "data_path": str(survey["cleaned"])}, cwd=str(tmp_path)))
    assert o.status == "ok", o.error
    assert sys.executable in o.html


def test_report_page_images_carry_the_charts_alt_text():
    """The chart's alt text (output metadata) reaches the <img> of the page, escaped."""
    import base64

    import nbformat
    from IPython.core.formatters import DisplayFormatter
    from matplotlib.figure import Figure

    from clem_lib.htmlout import render_notebook_html
    from clem_lib.plots import chart

    fig = Figure(figsize=(2, 1))
    fig.add_subplot().plot([0, 1], [0, 1])
    shown = chart(fig, alt='IKM per unsur <b>"A–D"</b>')
    data, metadata = DisplayFormatter().format(shown)  # what IPython puts in the notebook
    png = data["image/png"]
    data["image/png"] = png if isinstance(png, str) else base64.b64encode(png).decode()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x", outputs=[
        nbformat.v4.new_output("display_data", data=data, metadata=metadata)])]
    page = render_notebook_html(nb, title="t", lang="id")
    imgs = re.findall(r"<img\b[^>]*>", page)
    assert len(imgs) == 1
    assert "<b>" not in imgs[0]  # escaped: the text is an attribute value, not markup
    from html.parser import HTMLParser

    found = []

    class _Img(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "img":
                found.append(dict(attrs).get("alt"))

    _Img().feed(page)
    assert found == ['IKM per unsur <b>"A–D"</b>']
    assert "No description has been provided" not in page


def test_index_table_fits_narrow_windows_and_prints():
    """Long headings wrap and the table scrolls inside its own box, so no column is cut
    off in a 1280 px window; in print the box does not scroll."""
    rows = [{"unit": "Kec. Pasar Kliwon", "slug": "kec-pasar-kliwon", "sector": "adminduk", "status": "ok",
             "error": None, "report": "kec-pasar-kliwon.html", "n": 124, "ikm": 71.8, "ikm_low": 70.14,
             "ikm_high": 73.45, "grade": "C (Kurang Baik)", "access": 57.4, "gaps": 14, "compliance": 25.0}]
    page = render_index_html(rows, survey_name="s", lang="id")
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    th_rule = re.search(r"(?m)^th \{([^}]*)\}", css).group(1)
    assert "nowrap" not in th_rule  # the long headings wrap
    assert re.search(r"div\.table-scroll \{[^}]*overflow-x: auto", css)
    assert re.search(r'<div class="table-scroll">\s*<table id="units">', page)
    printed = re.search(r"@media print \{(.*?)\n\}", css, re.S).group(1)
    assert re.search(r"div\.table-scroll \{ overflow: visible; \}", printed)
    # the units of the columns are in their headings
    assert "Indeks kepatuhan (0–100)" in page and "Responden (n)" in page
    assert "57,4 %" in page and ">C (Kurang Baik)<" in page
