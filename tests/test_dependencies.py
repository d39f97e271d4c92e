"""Every declared dependency is used, and the library a reader installs does not need the site's.

A runtime dependency (the library's own, or the `site` extra's) counts as used when one of its
top-level modules is imported by the code that needs it or configured by name in mkdocs.yml (a
theme, plugin or Markdown extension). A dev dependency counts as used when the tests, benchmarks
or Makefile name it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest
from conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
_NAME = re.compile(r"^[A-Za-z0-9_.-]+")


def _dist(requirement: str) -> str:
    return _NAME.match(requirement)[0].lower().replace("_", "-")


def _modules_of() -> dict[str, set[str]]:
    """distribution name -> its top-level import names, from the installed metadata."""
    out: dict[str, set[str]] = {}
    for module, dists in packages_distributions().items():
        for dist in dists:
            out.setdefault(dist.lower().replace("_", "-"), set()).add(module)
    return out


def _imports(paths) -> set[str]:
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


LIBRARY = [p for p in (REPO / "gdnotes").glob("*.py")]
SITE = list((REPO / "gdnotes" / "site").glob("*.py"))
MKDOCS_YML = (REPO / "mkdocs.yml").read_text()


def _unused(requirements, imported: set[str], configured: str) -> list[str]:
    modules = _modules_of()
    unused = []
    for requirement in requirements:
        dist = _dist(requirement)
        if dist == "gdnotes":
            continue
        names = modules.get(dist)
        assert names, f"{dist} is declared but not installed"
        words = set(re.findall(r"[A-Za-z_][\w]*", configured))
        if not (names & imported or names & words):
            unused.append(f"{dist} (modules {sorted(names)})")
    return unused


def test_every_library_dependency_is_imported_by_the_library():
    assert _unused(PROJECT["dependencies"], _imports(LIBRARY), "") == []


def test_every_site_dependency_is_imported_by_the_site_build_or_configured():
    extra = PROJECT["optional-dependencies"]["site"]
    site_text = "\n".join(p.read_text(encoding="utf-8") for p in SITE)  # e.g. a subprocess's code
    assert _unused(extra, _imports(SITE), MKDOCS_YML + site_text) == []


def test_every_dev_dependency_is_named_by_the_tests_benchmarks_or_makefile():
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in [*REPO.glob("tests/**/*.py"), *REPO.glob("benchmarks/*.py"), REPO / "Makefile"]
    )
    imported = _imports([*REPO.glob("tests/**/*.py"), *REPO.glob("benchmarks/*.py")])
    assert _unused(PROJECT["optional-dependencies"]["dev"], imported, text) == []


def test_the_library_does_not_import_the_site_build_or_its_tools():
    """`pip install gdnotes` gives the library only: nothing outside gdnotes/site imports it or
    mkdocs & co., and `import gdnotes` loads none of them."""
    site_only = {"mkdocs", "material", "mkdocstrings", "pymdownx", "jupytext", "nbformat",
                 "math_core", "setuptools"}
    assert _imports(LIBRARY) & site_only == set()
    for path in LIBRARY:
        assert "gdnotes.site" not in path.read_text(encoding="utf-8"), path.name
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, gdnotes; print('\\n'.join(sorted(sys.modules)))"],
        capture_output=True, text=True, cwd=REPO, check=True,
    ).stdout.split()
    assert {m.split(".")[0] for m in loaded} & site_only == set()
    assert not [m for m in loaded if m.startswith("gdnotes.site")]


@pytest.mark.parametrize("requirement", PROJECT["dependencies"])
def test_library_dependencies_are_pinned(requirement):
    pins = dict(
        line.split("==", 1) for line in (REPO / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    pins = {k.lower().replace("_", "-"): v for k, v in pins.items()}
    assert _dist(requirement) in pins, f"{requirement} has no pin in constraints.txt"
