"""A second build from an empty cache, given the same example runs, gives a byte-identical site/.

Two builds that each run every example would cost a whole cold build of CPU more per test run, and
most of it would re-prove what other tests already prove: every served notebook and script re-runs
its example in a fresh process and must reproduce every output file byte for byte
(`test_downloads.py`), and two fully clean builds of a small project, examples re-run, are compared
file by file (`test_build.py`). What is left to prove here is that everything the build makes from
those runs is deterministic. So the second build starts from an empty cache holding only copies of
the session build's example entries: the wheel, the notebooks' install cells, the pages, the
search index and the sitemap are all made again, and any timestamp, random id or unordered output
in them shows up as a differing file.

Marked ``slow`` (CI runs it, `make test` does not): `test_build.py` proves the same of a small
project in every run; this repeats it on the whole site."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO, BuildResult, build_env, mkdocs_build
from sitetools import tree_digest

from gdnotes.site.cache import Cache
from gdnotes.site.runner import prepare

TIMEOUT = 600  # seconds for the second build (beside the rest of the suite)


def _copy_current_entries(source: Cache, target: Cache) -> list[str]:
    """Copy the session build's entry of every example (at today's keys) into `target`."""
    copied = []
    for run in prepare(REPO / "examples", REPO):
        entry = source.lookup(run.name, run.key)
        if entry is not None:
            shutil.copytree(entry, target.entry(run.name, run.key))
            copied.append(run.name)
    return sorted(copied)


@pytest.fixture(scope="module")
def second_build(built_site, tmp_path_factory) -> tuple[BuildResult, list[str]]:
    root = tmp_path_factory.mktemp("second_build")
    session_cache = Cache(REPO / (os.environ.get("GDNOTES_CACHE_DIR") or ".cache/gdnotes"))
    copied = _copy_current_entries(session_cache, Cache(root / "cache"))
    result = mkdocs_build(REPO, root / "site", env=build_env(root / "cache"), timeout=TIMEOUT)
    if result.returncode != 0:
        pytest.fail(f"second build in {root} failed:\n{result.output[-4000:]}", pytrace=False)
    return result, copied


@pytest.mark.build
@pytest.mark.slow
def test_the_second_build_reused_every_example_run_and_made_the_rest_again(second_build):
    result, copied = second_build
    examples = sorted(p.stem for p in (REPO / "examples").glob("[!_]*.py"))
    assert copied == examples, f"the session build left no entry for {set(examples) - set(copied)}"
    assert result.ran() == [] and result.cached() == examples, result.output[-3000:]
    assert list((result.site / "downloads").glob("*.whl")), "the second build served no wheel"


def _how_they_differ(a: Path, b: Path) -> str:
    """A short hint of how two versions of a file differ (the first lines of a diff for text)."""
    try:
        lines_a, lines_b = a.read_text().splitlines(), b.read_text().splitlines()
    except UnicodeDecodeError:
        return f"binary, {a.stat().st_size} vs {b.stat().st_size} bytes"
    diff = list(difflib.unified_diff(lines_a, lines_b, lineterm="", n=0))[2:8]
    return " | ".join(line[:160] for line in diff)


@pytest.mark.build
@pytest.mark.slow
def test_a_second_build_is_byte_identical_to_the_session_build(second_build, built_site):
    first, second = built_site, second_build[0].site
    a, b = tree_digest(first), tree_digest(second)
    assert a, f"the session build wrote no files to {first}"
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
