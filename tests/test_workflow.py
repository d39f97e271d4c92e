"""The GitHub Actions workflow (it cannot run here): it parses, sets up exactly like the README and
Makefile, runs the tests and publishes site/ to GitHub Pages."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from sitetools import REPO

WORKFLOW = REPO / ".github" / "workflows" / "deploy.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _commands(workflow: dict) -> list[list[str]]:
    """Every shell command the workflow runs, split into words (one per line of each run:)."""
    return [
        shlex.split(line)
        for step in _steps(workflow)
        for line in step.get("run", "").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def makefile_install_command() -> list[str]:
    """The Makefile's pip command that installs from the pins, with $(BIN) expanded."""
    makefile = (REPO / "Makefile").read_text()
    bin_dir = re.search(r"^BIN\s*:=\s*(.+)$", makefile, re.MULTILINE).group(1).strip()
    venv = re.search(r"^VENV\s*:=\s*(.+)$", makefile, re.MULTILINE).group(1).strip()
    lines = [line.strip() for line in makefile.splitlines() if "constraints.txt" in line]
    pip = [line for line in lines if "pip install" in line]
    assert len(pip) == 1, f"expected one pip install line using constraints.txt, got {pip}"
    expanded = pip[0].replace("$(BIN)", bin_dir).replace("$(VENV)", venv)
    return shlex.split(expanded)


def makefile_stamp_target() -> str:
    """The Makefile target whose recipe runs that install (`$(STAMP)`), as a path."""
    makefile = (REPO / "Makefile").read_text()
    variables = dict(re.findall(r"^(\w+)\s*:=\s*(.+)$", makefile, re.MULTILINE))
    stamp = variables["STAMP"].strip()
    return re.sub(r"\$\((\w+)\)", lambda m: variables[m.group(1)].strip(), stamp)


def test_workflow_parses_and_runs_on_push_and_pull_request(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert "push" in triggers and "pull_request" in triggers
    assert workflow["jobs"], "no jobs"


def test_workflow_installs_exactly_like_the_makefile(workflow):
    commands = _commands(workflow)
    install = makefile_install_command()
    via_make = ["make", makefile_stamp_target()] in commands
    direct = install in commands
    pip_runs = [c for c in commands if "pip" in c and "install" in c]
    assert via_make or direct, (
        f"the workflow must install with the Makefile's rule (`make {makefile_stamp_target()}`) "
        f"or its exact command `{shlex.join(install)}`; it runs {commands}"
    )
    assert all(c == install for c in pip_runs), f"other pip installs in the workflow: {pip_runs}"
    assert "-c" in install and "constraints.txt" in install, "the Makefile must install from pins"


def test_workflow_runs_the_readme_test_command_then_builds(workflow):
    readme = (REPO / "README.md").read_text()
    commands = [shlex.join(c) for c in _commands(workflow)]
    for command in ("make test", "make test-slow", "make build"):
        assert command in readme, f"README no longer documents `{command}`"
        assert command in commands, f"the workflow does not run `{command}`: {commands}"
    assert commands.index("make test") < commands.index("make test-slow") < commands.index("make build")


def test_ci_runs_the_readme_test_command_and_the_slow_tests():
    """A fresh clone's CI (`.ci/run`) runs `make test`, then what it leaves out (`make test-slow`)."""
    run = (REPO / ".ci" / "run").read_text()
    assert "for target in test test-slow" in run, run


def test_workflow_publishes_site_to_github_pages(workflow):
    uses = {step.get("uses", "").split("@")[0]: step for step in _steps(workflow)}
    upload = uses.get("actions/upload-pages-artifact")
    assert upload and upload.get("with", {}).get("path") in ("site", "site/", "./site")
    assert "actions/deploy-pages" in uses
    deploy = next(
        j
        for j in workflow["jobs"].values()
        if any(s.get("uses", "").startswith("actions/deploy-pages") for s in j.get("steps", []))
    )
    assert deploy.get("permissions", {}) == {"pages": "write", "id-token": "write"}
    assert deploy.get("environment", {}).get("name") == "github-pages"
    assert deploy.get("needs"), "deploy must wait for the tests"
