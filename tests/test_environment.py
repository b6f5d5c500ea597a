"""The two dependency lists (pyproject.toml for pip, environment.yml for conda) stay in step."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from clem_lib.paths import PROJECT_ROOT

# conda-forge spells a few names differently from PyPI.
CONDA_TO_PYPI = {"jupyter_client": "jupyter-client"}


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = list(data["project"]["dependencies"])
    for extra in data["project"]["optional-dependencies"].values():
        reqs.extend(extra)
    out = {}
    for line in reqs:
        req = Requirement(line)
        out[_canon(req.name)] = str(req.specifier)
    return out


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for item in env["dependencies"]:
        if not isinstance(item, str):
            continue  # the pip: section installs clem itself
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", item)
        name, spec = m.group(1), m.group(2).replace(" ", "")
        if name in {"python", "pip"}:
            continue
        out[_canon(CONDA_TO_PYPI.get(name, name))] = spec
    return out


def _drift(pip_side: dict[str, str], conda_side: dict[str, str]) -> list[str]:
    problems = []
    for name in sorted(set(pip_side) - set(conda_side)):
        problems.append(f"{name} is in pyproject.toml but not in environment.yml")
    for name in sorted(set(conda_side) - set(pip_side)):
        problems.append(f"{name} is in environment.yml but not in pyproject.toml")
    for name in sorted(set(pip_side) & set(conda_side)):
        if pip_side[name] != conda_side[name]:
            problems.append(f"{name}: pyproject says {pip_side[name]!r}, environment.yml says {conda_side[name]!r}")
    return problems


def test_environment_yml_and_pyproject_list_the_same_packages_and_versions():
    assert _drift(_pyproject_requirements(), _conda_requirements()) == []


def test_drift_is_detected():
    """The check above can fail: a missing package and a changed version are both reported."""
    pip_side = _pyproject_requirements()
    conda_side = _conda_requirements()
    conda_side.pop("seaborn")
    conda_side["pandas"] = ">=1.0"
    assert _drift(pip_side, conda_side) == [
        "seaborn is in pyproject.toml but not in environment.yml",
        f"pandas: pyproject says {pip_side['pandas']!r}, environment.yml says '>=1.0'",
    ]


def test_environment_python_floor_matches_requires_python():
    data = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    py = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")][0]
    assert py.replace("python", "") == data["project"]["requires-python"]
