"""A clean build gives a site/ tree byte-identical to the session's build of the same sources.

The clean build really runs every example (it gets its own fresh, empty example cache), in another
process, on one core. The session's build (`built_site`) is clean too on a fresh clone, as in CI;
on a developer's machine it reads the project's cache, written by earlier builds on other days,
which makes the comparison stricter still. Any timestamp, random id or unordered output in a
PNG/GIF/SVG, a notebook, the wheel, the sitemap, the search index or a page shows up here as a
differing file. (One clean build instead of two saves a whole cold build of CPU per test run.)"""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
from conftest import MKDOCS, REPO, BuildResult, build_env
from sitetools import tree_digest

clean_builds_test = pytest.mark.xdist_group("reproducible")
TIMEOUT = 600  # seconds for the clean build (on one core, beside the rest of the suite)


def _start_build(root: Path) -> subprocess.Popen:
    """Start a strict build into root/site with a fresh example cache root/cache, on one core."""
    with (root / "build.log").open("w") as log:
        return subprocess.Popen(
            [MKDOCS, "build", "--strict", "-d", str(root / "site")],
            cwd=REPO,
            env=build_env(root / "cache", GDNOTES_JOBS="1"),
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _finish(proc: subprocess.Popen, root: Path) -> BuildResult:
    try:
        proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    result = BuildResult(proc.returncode, (root / "build.log").read_text(), root / "site")
    if result.returncode != 0:
        pytest.fail(f"clean build in {root} failed:\n{result.output[-4000:]}", pytrace=False)
    return result


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory) -> BuildResult:
    root = tmp_path_factory.mktemp("clean_build")
    return _finish(_start_build(root), root)


@pytest.mark.build
@clean_builds_test
def test_the_clean_build_ran_every_example(clean_build):
    examples = sorted(p.stem for p in (REPO / "examples").glob("[!_]*.py"))
    assert clean_build.cached() == [], f"the clean build reused cached runs: {clean_build.cached()}"
    assert clean_build.ran() == examples, f"the clean build ran {clean_build.ran()}, not every example"


def _how_they_differ(a: Path, b: Path) -> str:
    """A short hint of how two versions of a file differ (the first lines of a diff for text)."""
    try:
        lines_a, lines_b = a.read_text().splitlines(), b.read_text().splitlines()
    except UnicodeDecodeError:
        return f"binary, {a.stat().st_size} vs {b.stat().st_size} bytes"
    diff = list(difflib.unified_diff(lines_a, lines_b, lineterm="", n=0))[2:8]
    return " | ".join(line[:160] for line in diff)


@pytest.mark.build
@clean_builds_test
def test_a_clean_build_is_byte_identical_to_the_session_build(clean_build, built_site):
    first, second = built_site, clean_build.site
    a, b = tree_digest(first), tree_digest(second)
    assert a, f"the clean build wrote no files to {first}"
    problems = [f"only in one build: {path}" for path in sorted(set(a) ^ set(b))]
    problems += [
        f"{path}: {_how_they_differ(first / path, second / path)}"
        for path in sorted(set(a) & set(b))
        if a[path] != b[path]
    ]
    assert not problems, (
        f"{len(problems)} of {len(a)} files differ between the two builds:\n  "
        + "\n  ".join(problems[:30])
    )


def test_tree_digest_sees_one_changed_byte(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"abc")
    before = tree_digest(tmp_path)
    (tmp_path / "a" / "x.txt").write_bytes(b"abd")
    assert set(before) == {"a/x.txt"} and tree_digest(tmp_path) != before
