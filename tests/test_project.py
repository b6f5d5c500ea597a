"""The project's shape: what a new user and CI rely on."""

from __future__ import annotations

import re
import subprocess

from clem_lib.paths import PROJECT_ROOT


def _readme() -> str:
    return (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_layout_asked_for_by_the_design_exists():
    for name in ["notebooks", "clem_lib", "data", "outputs", "tests", "environment.yml",
                 "README.md", "pyproject.toml", "Makefile", ".ci/run"]:
        assert (PROJECT_ROOT / name).exists(), name


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = _readme()
    block = re.search(r"## The two commands.*?```bash\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    ci_commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.startswith("#")]
    assert "make test" in ci_commands
    assert "set -euo pipefail" in ci_commands


def test_make_help_is_the_default_target_and_lists_every_target():
    out = subprocess.run(["make", "-s", "-C", str(PROJECT_ROOT)], capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"^  (\S+)\s", out, re.M))
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    declared = set(re.findall(r"^([a-zA-Z_-]+):.*?## ", makefile, re.M))
    assert {"run", "test", "lab", "bench", "install"} <= listed
    assert listed == declared


def test_readme_tree_names_every_top_level_folder():
    readme = _readme()
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout
    top = {p.split("/")[0] for p in tracked.splitlines() if "/" in p and not p.startswith(".")}
    for folder in sorted(top):
        assert f"{folder}/" in readme, f"README's folder tree does not mention {folder}/"


def test_outputs_contents_are_ignored_by_git_but_its_readme_is_kept():
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=PROJECT_ROOT).returncode == 0

    assert ignored("outputs/some_survey/index.html")
    assert not ignored("outputs/README.md")
    assert ignored(".venv/bin/python")
