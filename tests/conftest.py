"""Shared fixtures for the build pipeline, example and site tests.

`built_site` builds the real site once per test session (strict, into a temporary directory, with
the project's normal example cache so an unchanged example is not re-run) and returns the site
directory. Tests that use it belong to the xdist group "built_site" (`pytest -n 2 --dist
loadgroup` then builds it once): mark them `@pytest.mark.xdist_group("built_site")`.

`make_project` creates tiny synthetic projects (a minimal mkdocs.yml, a page, a few small
examples, a private cache) so cache and failure behaviour are tested in seconds.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from exampletools import Example

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MKDOCS = str(BIN / "mkdocs")
SITE_GROUP = "built_site"


@dataclass
class BuildResult:
    returncode: int
    output: str  # stdout + stderr of `mkdocs build`
    site: Path

    def ran(self) -> list[str]:
        """Examples the build executed (from its progress lines)."""
        return sorted(_progress(self.output, "ran") + _progress(self.output, "FAILED"))

    def cached(self) -> list[str]:
        return _progress(self.output, "cache hit")


_PROGRESS = re.compile(r"gdnotes: \[\s*\d+/\d+\] (cache hit|ran|FAILED|skipped)\s+(\S+)")


def _progress(output: str, status: str) -> list[str]:
    """Example names whose progress line has `status` ("ran", "cache hit", "FAILED", ...)."""
    return sorted(m[2] for m in _PROGRESS.finditer(output) if m[1] == status)


def build_env(cache_dir: Path | None = None, **extra: str) -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", **extra)
    env.pop("GDNOTES_SITE_DIR", None)
    if cache_dir is not None:
        env["GDNOTES_CACHE_DIR"] = str(cache_dir)
    return env


def mkdocs_build(project: Path, site: Path, *, strict=True, env=None, timeout=600) -> BuildResult:
    cmd = [MKDOCS, "build", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    if strict:
        cmd.append("--strict")
    proc = subprocess.run(
        cmd, cwd=project, env=env or build_env(), capture_output=True, text=True, timeout=timeout
    )
    return BuildResult(proc.returncode, proc.stdout + proc.stderr, site)


def everyday_or_slow(names, everyday) -> list:
    """Parameters for a per-example test: the names in ``everyday`` run in every `make test`, the
    others are marked ``slow`` (`make test-slow` and CI run them)."""
    return [pytest.param(name, marks=[] if name in everyday else [pytest.mark.slow])
            for name in names]


@pytest.fixture(scope="session")
def site_build(tmp_path_factory) -> BuildResult:
    """One strict build of the real site per test run, whether or not it succeeds.

    Workers take turns (a file lock): the first builds into a directory every worker of this run
    shares (next to their temporary directories, named by xdist's run id) and records the outcome;
    the others read that record instead of building again. Tests only read the site."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")  # the same in every worker of one run
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent / f"built_site-{run}") if run else (base / "built_site")
    lock = REPO / ".cache" / "site-build.lock"
    lock.parent.mkdir(exist_ok=True)
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        record = shared / "build.json"
        if record.is_file():
            done = json.loads(record.read_text(encoding="utf-8"))
            return BuildResult(done["returncode"], done["output"], shared / "site")
        shutil.rmtree(shared, ignore_errors=True)
        shared.mkdir(parents=True)
        result = mkdocs_build(REPO, shared / "site")
        record.write_text(json.dumps({"returncode": result.returncode, "output": result.output}),
                          encoding="utf-8")
        return result


@pytest.fixture(scope="session")
def built_site(site_build: BuildResult) -> Path:
    """The real site, built once per session with `mkdocs build --strict`; returns its directory."""
    if site_build.returncode != 0:
        pytest.fail(f"strict build of the site failed:\n{site_build.output[-6000:]}", pytrace=False)
    return site_build.site


@pytest.fixture(scope="session")
def built_outputs(built_site):
    """``name -> the directory of that example's outputs (manifest, tables, figures)`` as the
    site build left them in the project's cache (the same cache and keys the build uses)."""
    from gdnotes.site.cache import Cache
    from gdnotes.site.runner import prepare

    cache = Cache(REPO / (os.environ.get("GDNOTES_CACHE_DIR") or ".cache/gdnotes"))
    runs = {r.name: r for r in prepare(REPO / "examples", REPO)}

    def outputs(name: str) -> Path:
        entry = cache.lookup(name, runs[name].key)
        if entry is None:
            pytest.fail(f"the site build left no cache entry for {name}", pytrace=False)
        return entry / "outputs"

    return outputs


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """``example(name)``: that example run in-process once per test module (then reused);
    ``example(name, draw=True)`` when a test reads the drawn figures or animations."""
    cache: dict[tuple[str, bool], Example] = {}

    def get(name: str, draw: bool = False) -> Example:
        if (name, draw) not in cache:
            cache[name, draw] = Example(name, tmp_path_factory.mktemp(name), draw)
        return cache[name, draw]

    return get


# -- tiny synthetic projects ---------------------------------------------------------------------
MINI_MKDOCS = """\
site_name: mini
theme:
  name: mkdocs
plugins:
  - gdnotes:
      wheel: false
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - pymdownx.superfences
  - pymdownx.highlight
nav:
  - Home: index.md
  - Examples: examples/index.md
"""

MINI_EXAMPLE = """\
# %% [markdown]
# # Example {name}
# A small example used by the pipeline tests.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("{name}")
print("hello from {name}")

# %%
fig, ax = gd.figure()
ax.plot(np.arange(4.0) ** 2)
out.figure(fig, "curve", alt="A parabola through four points, drawn by {name}")
out.value("answer", {value}, fmt="{{:.2f}}")
out.table("steps", [[0, 1.5], [1, 0.75]], headers=["k", "x"])
"""


@dataclass
class MiniProject:
    root: Path
    cache: Path

    def write_example(self, name: str, value: float = 1.0, text: str | None = None) -> Path:
        path = self.root / "examples" / f"{name}.py"
        path.write_text(text if text is not None else MINI_EXAMPLE.format(name=name, value=value))
        return path

    def write_page(self, markdown: str) -> None:
        (self.root / "docs" / "index.md").write_text(textwrap.dedent(markdown))

    def build(self, site_name="site", **kw) -> BuildResult:
        return mkdocs_build(
            self.root, self.root / site_name, env=build_env(self.cache, **kw.pop("env", {})), **kw
        )


@pytest.fixture
def make_project(tmp_path):
    """A factory for synthetic projects with examples `a` and `b` and a page using both."""

    def make(examples=("a", "b")) -> MiniProject:
        root = tmp_path / "project"
        (root / "docs").mkdir(parents=True)
        (root / "examples").mkdir()
        (root / "mkdocs.yml").write_text(MINI_MKDOCS)
        shutil.copy(REPO / "constraints.txt", root / "constraints.txt")
        # a snapshot of gdnotes: the examples import it (not the working tree being edited)
        shutil.copytree(REPO / "gdnotes", root / "gdnotes",
                        ignore=shutil.ignore_patterns("__pycache__"))
        project = MiniProject(root, tmp_path / "cache")
        for name in examples:
            project.write_example(name)
        project.write_page(
            "# Home\n\n"
            + "".join(
                f"{{{{ figure: {n}/curve }}}}\n\nValue {{{{ value: {n}/answer }}}}.\n\n"
                for n in examples
            )
        )
        return project

    return make


# -- processes (the fault-injection tests check that nothing is left running) ------------------
def live_processes(match) -> list[str]:
    """Command lines of live (not zombie) processes other than this one for which
    `match(cmdline, cwd)` is true; `cwd` is the process's working directory."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if state != "Z" and match(cmdline, cwd):
            found.append(cmdline)
    return found


def wait_until_none(match, seconds: float = 5.0) -> list[str]:
    """`live_processes(match)` once it is empty, or what is still there after `seconds`."""
    deadline = time.monotonic() + seconds
    while (left := live_processes(match)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


# -- scheduling: the longest single tests first, so no worker is left with one at the end -------
# xdist hands out the groups (browser shards, the built-site group) largest first, then single
# tests in collection order: these, each 5-40 s of CPU, go to the front of that order.
SLOWEST_FIRST = (
    "tests/test_downloads.py::test_a_fresh_venv",
    "tests/test_downloads.py",
    "tests/test_fault_injection.py",
    "tests/test_build.py",
    "tests/test_reproducible.py",
)


def _rank(item) -> int:
    return next((i for i, prefix in enumerate(SLOWEST_FIRST) if item.nodeid.startswith(prefix)),
                len(SLOWEST_FIRST))


# -- pytest 9 + pytest-xdist 3.8: keep `--dist loadgroup` grouping -------------------------
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Put SLOWEST_FIRST first (a stable sort), then fix xdist's groups. xdist groups `xdist_group` tests by appending "@<group>" to `item._nodeid`, but pytest 9
    derives `nodeid` from `item._id`, so the suffix is lost and a group scatters over the workers
    (each then builds its own `built_site`). Put the suffix where pytest 9 reads it; a no-op
    without xdist, or once xdist's own hook works again."""
    items.sort(key=_rank)
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest < 9: xdist's hook works
        return
    for item in items:
        groups = {
            str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
            for mark in item.iter_markers("xdist_group")
        }
        if groups and "@" not in item.nodeid:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(sorted(groups))}")
