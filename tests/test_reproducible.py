"""Two clean builds of the same sources give a byte-identical site/ tree.

Both builds really run every example (each gets its own fresh, empty example cache). They run in
parallel processes, one core each, so the check costs about one cold build of wall time, and in
their own xdist group (no `built_site` needed) so they overlap with the browser tests. Any timestamp,
random id or unordered output in a PNG/GIF/SVG, the sitemap, the search index or a page shows up
here as a differing file."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
from conftest import MKDOCS, REPO, BuildResult, build_env
from sitetools import tree_digest

clean_builds_test = pytest.mark.xdist_group("reproducible")
TIMEOUT = 240  # seconds for the two parallel builds


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
def two_clean_builds(tmp_path_factory) -> list[BuildResult]:
    roots = [tmp_path_factory.mktemp(f"clean_build_{i}") for i in (1, 2)]
    procs = [_start_build(root) for root in roots]  # both run at once
    return [_finish(proc, root) for proc, root in zip(procs, roots, strict=True)]


@pytest.mark.build
@clean_builds_test
def test_both_clean_builds_ran_every_example(two_clean_builds):
    examples = sorted(p.stem for p in (REPO / "examples").glob("[!_]*.py"))
    for build in two_clean_builds:
        assert build.cached() == [], f"a clean build reused cached example runs: {build.cached()}"
        assert build.ran() == examples, f"a clean build ran {build.ran()}, not every example"


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
def test_two_clean_builds_are_byte_identical(two_clean_builds):
    first, second = (build.site for build in two_clean_builds)
    a, b = tree_digest(first), tree_digest(second)
    assert a, f"the clean build wrote no files to {first}"
    problems = [f"only in one build: {path}" for path in sorted(set(a) ^ set(b))]
    problems += [
        f"{path}: {_how_they_differ(first / path, second / path)}"
        for path in sorted(set(a) & set(b))
        if a[path] != b[path]
    ]
    assert not problems, (
        f"{len(problems)} of {len(a)} files differ between two clean builds:\n  "
        + "\n  ".join(problems[:30])
    )


def test_tree_digest_sees_one_changed_byte(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"abc")
    before = tree_digest(tmp_path)
    (tmp_path / "a" / "x.txt").write_bytes(b"abd")
    assert set(before) == {"a/x.txt"} and tree_digest(tmp_path) != before
