"""Issue 12, the site build: each way an example, a page or the cache can go wrong gets a clear
error, escaped output or a recovered cache. Fast, in-process checks of each piece; the end-to-end
runs on a synthetic project are in test_fault_injection.py."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, live_processes, wait_until_none

import gdnotes as gd
from gdnotes.site import executor, plugin, runner
from gdnotes.site.cache import CHILD_ENV, ENTRY_FILES, Cache, CacheError, shared_digest
from gdnotes.site.macros import OutputIndex, Reference, references
from gdnotes.site.pages import ExamplePage, example_markdown
from gdnotes.site.pool import ExampleTimeout, Zygote, ZygoteDied, run_fresh
from gdnotes.site.runner import Budgets, ExampleRun, Launcher
from gdnotes.site.script import parse_cells

SCRIPT_TAG = "<script>alert(1)</script>"


def processes_with(marker: str) -> list[str]:
    """Live processes whose command line contains `marker`."""
    return live_processes(lambda cmdline, cwd: marker in cmdline)


def wait_until_gone(marker: str, seconds: float = 5.0) -> list[str]:
    return wait_until_none(lambda cmdline, cwd: marker in cmdline, seconds)


# -- 4: escaping per context ------------------------------------------------------------------
def _index(tmp_path: Path, outputs: dict, values: dict | None = None) -> OutputIndex:
    manifest = {"outputs": outputs, "values": values or {}}
    return OutputIndex({"ex": manifest}, {"ex": tmp_path}, lambda p: p, lambda e: e)


def test_table_cells_cannot_inject_html_or_split_columns(tmp_path):
    table = gd.outputs.markdown_table([[SCRIPT_TAG, "a | b", "`x|y`"]], ["h", "i", "j"])
    assert "a \\| b" in table and "`x|y`" in table
    (tmp_path / "t.md").write_text(table)
    (tmp_path / "raw.md").write_text(f"| a |\n|---|\n| {SCRIPT_TAG} `<b>` |\n")
    md = _index(tmp_path, {"t": {"file": "t.md", "kind": "table"},
                           "raw": {"file": "raw.md", "kind": "table"}}).expand(
        "{{ table: ex/t }}\n\n{{ table: ex/raw }}", problems := [])
    assert not problems
    assert "<script" not in md and "&lt;script>" in md and "`<b>`" in md  # code spans untouched


def test_text_output_with_backtick_fences_stays_in_its_block(tmp_path):
    text = f"````\n{SCRIPT_TAG}\n`````\nstill text"
    (tmp_path / "log.txt").write_text(text)
    md = _index(tmp_path, {"log": {"file": "log.txt", "kind": "text"}}).expand(
        "{{ text: ex/log }}", [])
    fence = "`" * 6
    assert f"{fence}text\n{text}\n{fence}" in md


def test_values_table_escapes_html_and_pipes():
    run = ExampleRun("ex", Path("ex.py"), parse_cells("x = 1\n"), "key", status="ran")
    run.manifest = {"outputs": {}, "values": {"v": {"text": SCRIPT_TAG}, "w": {"text": "a | b"}}}
    md = example_markdown(ExamplePage(run, install=None))
    assert "<script" not in md and "| `v` | &lt;script>alert(1)&lt;/script> |" in md
    assert "| `w` | a \\| b |" in md


def test_values_table_shows_a_long_value_by_its_start_and_length():
    data = " ".join(f"{v:.17g}" for v in [0.1] * 50)
    run = ExampleRun("ex", Path("ex.py"), parse_cells("x = 1\n"), "key", status="ran")
    run.manifest = {"outputs": {}, "values": {"data": {"text": data}, "eta": {"text": "0.25"}}}
    md = example_markdown(ExamplePage(run, install=None))
    row = next(line for line in md.splitlines() if line.startswith("| `data`"))
    assert row == f"| `data` | 0.10000000000000001 0.10000000000000001 0.10000000000000001 … ({len(data):,} characters) |"
    assert "| `eta` | 0.25 |" in md


# -- 5: strict macros ------------------------------------------------------------------------
@pytest.mark.parametrize("macro", ["{{ figur: ex/a }}", "{{ figure: }}", "{{ Figure: ex/a }}",
                                   "{{ value: ex/a/b }}", "{{ figure ex/a }}"])
def test_malformed_macros_are_reported_with_their_line(tmp_path, macro):
    problems = []
    out = _index(tmp_path, {}).expand(f"# Page\n\ntext {macro} more\n", problems)
    assert [(str(ref), ref.line) for ref, _ in problems] == [(macro, 3)]
    assert "not a valid macro" in problems[0][1] and "not a macro" in out


def test_macros_in_code_are_shown_literally(tmp_path):
    page = "Write `{{ value: ex/v }}` here.\n\n```\n{{ figur: x }}\n```\n\n``{{ figure: ex/f }}``\n"
    out = _index(tmp_path, {}, {"v": {"text": "1"}}).expand(page, problems := [])
    assert out == page and not problems and references(page) == []
    assert references("a\n\n{{ value: ex/v }}")[0] == Reference("value", "ex", "v")
    assert references("a\n\n{{ value: ex/v }}")[0].line == 3


# -- 6: verified cache entries ---------------------------------------------------------------
def _entry(tmp_path: Path) -> tuple[Cache, Path]:
    cache = Cache(tmp_path / "cache")
    work = cache.new_workdir("ex")
    (work / "outputs").mkdir()
    (work / "outputs" / "curve.png").write_bytes(b"png" * 1000)
    (work / "run.json").write_text('{"cells": []}')
    return cache, cache.commit("ex", "k", work)


@pytest.mark.parametrize("damage", [
    lambda e: (e / "outputs" / "curve.png").unlink(),
    lambda e: (e / "run.json").write_text(""),
    lambda e: (e / "run.json").write_text('{"cells": 1}'),  # same size, other bytes
    lambda e: (e / ENTRY_FILES).unlink(),
])
def test_a_damaged_entry_is_removed_with_a_warning(tmp_path, caplog, damage):
    cache, entry = _entry(tmp_path)
    assert cache.lookup("ex", "k") == entry
    damage(entry)
    assert cache.lookup("ex", "k") is None
    assert not entry.exists() and "example 'ex' is damaged" in caplog.text


# -- 7: size budgets -------------------------------------------------------------------------
def test_budgets_name_the_output_its_size_and_the_limit(tmp_path):
    cache, entry = _entry(tmp_path)
    run = ExampleRun("ex", Path("ex.py"), [], "k", entry=entry)
    run.load()
    assert run.over_budget(Budgets()) == []
    over = run.over_budget(Budgets(output_kb=2))
    assert over == ["output curve.png is 3 KB, over the 2 KB limit (budgets: output_kb in "
                    "mkdocs.yml)"]
    (entry / "run.json").write_text(json.dumps({"cells": [{"stdout": "x" * 3000}]}))
    run.load()
    over = run.over_budget(Budgets(printed_kb=2))
    assert "printed output is 3 KB, over the 2 KB limit (budgets: printed_kb" in " ".join(over)
    with pytest.raises(ValueError, match="output_kb must be a positive"):
        Budgets.from_config({"output_kb": 0})
    with pytest.raises(ValueError, match="unknown budgets"):
        Budgets.from_config({"png_kb": 3})


# -- 8: one Outputs per example --------------------------------------------------------------
def test_a_second_outputs_is_the_first(tmp_path):
    first = gd.Outputs("demo", directory=tmp_path)
    first.value("kept", 1.0)
    second = gd.Outputs("demo", directory=tmp_path)
    assert second is first
    assert "kept" in json.loads((tmp_path / "manifest.json").read_text())["values"]
    with pytest.raises(ValueError, match="already used"):
        second.value("kept", 2.0)
    with pytest.raises(ValueError, match="one Outputs per example"):
        gd.Outputs("other", directory=tmp_path)


# -- 9: cache directory problems -------------------------------------------------------------
def test_cache_dir_that_is_a_file_is_a_clear_error(tmp_path):
    path = tmp_path / "cache"
    path.write_text("")
    with pytest.raises(CacheError, match="it is a file"):
        Cache(path).check_usable()


def test_full_disk_while_storing_a_run_is_a_cache_error(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runner, "write_notebook", full)
    script = tmp_path / "ex.py"
    script.write_text("# %%\nx = 1\n")
    run = ExampleRun("ex", script, parse_cells(script.read_text()), "k")
    cache = Cache(tmp_path / "cache")
    launch = Launcher(tmp_path, [run], use_zygote=False, timeout=30)
    with pytest.raises(CacheError, match="No space left"):
        runner._execute(run, cache, tmp_path, launch)
    assert not any((tmp_path / "cache" / "tmp").iterdir())


def test_plugin_names_the_setting_and_the_path(tmp_path, monkeypatch):
    path = tmp_path / "cachefile"
    path.write_text("")
    monkeypatch.setenv("GDNOTES_CACHE_DIR", str(path))
    (tmp_path / "examples").mkdir()
    gdp = plugin.GdnotesPlugin()
    gdp.load_config({})

    class Config:
        config_file_path = str(tmp_path / "mkdocs.yml")
        nav = None

    gdp.on_config(Config())
    with pytest.raises(plugin.PluginError, match=f"{path}.*GDNOTES_CACHE_DIR.*it is a file"):
        gdp.on_files(None, None)


def test_timeout_setting_is_checked(monkeypatch):
    assert plugin._timeout("2.5", 300) == 2.5 and plugin._timeout(None, 60) == 60
    with pytest.raises(plugin.PluginError, match="GDNOTES_TIMEOUT must be a positive"):
        plugin._timeout("soon", 300)


# -- 10: process hygiene ---------------------------------------------------------------------
HANG = """\
# %%
import subprocess, sys, time
subprocess.Popen(["sleep", "{marker}"])
print("about to hang", flush=True)
time.sleep(60)
"""


def _start(tmp_path: Path, source: str) -> tuple[list[str], Path, Path, Path]:
    script = tmp_path / "ex.py"
    script.write_text(source)
    cells = tmp_path / "cells.json"
    cells.write_text(json.dumps([c.__dict__ for c in parse_cells(source)]))
    (tmp_path / "out").mkdir(exist_ok=True)
    return ([str(cells), str(script), str(tmp_path / "result.json")], tmp_path / "out",
            tmp_path / "stdout.txt", tmp_path / "stderr.txt")


def test_a_hung_fresh_run_is_killed_with_what_it_started(tmp_path):
    argv, out, stdout, stderr = _start(tmp_path, HANG.format(marker="1234.125"))
    env = dict(os.environ, GDNOTES_OUTPUT_DIR=str(out))
    ticks = []
    with pytest.raises(ExampleTimeout):
        run_fresh(argv, env, tmp_path, stdout, stderr, 4.0, progress=ticks.append, every=1.0)
    assert ticks and not wait_until_gone("1234.125")
    assert "about to hang" in stdout.read_text()
    assert 'ex.py", line 5' in stderr.read_text()  # the traceback it dumped before the kill


def test_timeout_message_names_line_and_last_output(tmp_path):
    argv, out, stdout, stderr = _start(tmp_path, HANG.format(marker="1234.25"))
    run = ExampleRun("ex", tmp_path / "ex.py", [], "k")
    with pytest.raises(ExampleTimeout):
        run_fresh(argv, dict(os.environ, GDNOTES_OUTPUT_DIR=str(out)), tmp_path, stdout, stderr,
                  4.0)
    message = runner._timeout_message(run, 4.0, stdout, stderr, tmp_path)
    assert message.startswith("example ex.py, line 5 timed out after 4 s")
    assert "GDNOTES_TIMEOUT" in message and "about to hang" in message


def test_a_zygote_run_leaves_nothing_and_a_dead_zygote_is_reported(tmp_path):
    source = ("# %%\nimport subprocess, os, time\nsubprocess.Popen(['sleep', '1234.375'])\n"
              "if os.environ.get('KILL_PARENT'):\n    os.kill(os.getppid(), 9)\n    time.sleep(30)\n")
    argv, out, stdout, stderr = _start(tmp_path, source)
    zygote = Zygote([], dict(os.environ), tmp_path)
    try:
        code = zygote.run(argv, {"GDNOTES_OUTPUT_DIR": str(out)}, stdout, stderr, 30)
        assert code == 0 and not wait_until_gone("1234.375")
        with pytest.raises(ZygoteDied):
            zygote.run(argv, {"GDNOTES_OUTPUT_DIR": str(out), "KILL_PARENT": "1"}, stdout,
                       stderr, 30)
        assert not wait_until_gone("1234.375")  # the orphaned run killed its own group
    finally:
        zygote.close()


def test_zygote_ignores_ctrl_c_and_exits_with_its_runs_when_its_parent_goes(tmp_path):
    argv, out, stdout, stderr = _start(tmp_path, HANG.format(marker="1234.5"))
    job = {"id": "1", "argv": argv, "env": {"GDNOTES_OUTPUT_DIR": str(out)},
           "stdout": str(stdout), "stderr": str(stderr)}
    from gdnotes.site import zygote as zygote_module

    proc = subprocess.Popen([sys.executable, zygote_module.__file__], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    proc.stdout.readline()  # ready
    proc.stdin.write((json.dumps(job) + "\n").encode())
    proc.stdin.flush()
    proc.stdout.readline()  # forked
    deadline = time.monotonic() + 10
    while not processes_with("1234.5") and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    assert proc.poll() is None  # Ctrl-C is the build's to handle
    proc.stdin.close()  # the build is gone
    assert proc.wait(10) == 0
    assert b"Traceback" not in proc.stderr.read()
    assert not wait_until_gone("1234.5")


def test_an_interrupted_build_kills_its_runs(tmp_path):
    argv, out, stdout, stderr = _start(tmp_path, HANG.format(marker="1234.625"))
    run = ExampleRun("ex", tmp_path / "ex.py", [], "k")
    launch = Launcher(tmp_path, [run], use_zygote=False, timeout=60)
    codes = []
    thread = threading.Thread(target=lambda: codes.append(launch(run, argv, out, stdout, stderr)),
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not processes_with("1234.625") and time.monotonic() < deadline:
        time.sleep(0.05)
    launch.abort()
    thread.join(10)
    assert not thread.is_alive() and codes == [-signal.SIGKILL]
    assert not wait_until_gone("1234.625")


# -- 11: the cache key covers the example's environment ---------------------------------------
def test_cache_key_follows_the_child_environment(tmp_path, monkeypatch):
    # everything the runner sets in an example's environment is CHILD_ENV, which the key hashes
    for key in list(os.environ):
        monkeypatch.delenv(key)
    env = runner.child_env(None, REPO)
    assert {k: v for k, v in env.items() if k != "PYTHONPATH"} == CHILD_ENV
    monkeypatch.undo()
    (tmp_path / "examples").mkdir()
    base = shared_digest(tmp_path, tmp_path / "examples", CHILD_ENV)
    changed = shared_digest(tmp_path, tmp_path / "examples", {**CHILD_ENV, "PYTHONHASHSEED": "1"})
    assert base != changed
    assert runner.child_env(None, REPO)["PYTHONHASHSEED"] == CHILD_ENV["PYTHONHASHSEED"]


# -- 12: sys.exit(0) and the serve banner ----------------------------------------------------
def test_sys_exit_zero_ends_the_script_without_failing(tmp_path):
    source = "# %%\nimport sys\nprint('before')\nsys.exit(0)\n\n# %%\nprint('never')\n"
    result = executor.run_cells([c.__dict__ for c in parse_cells(source)], str(tmp_path / "x.py"))
    assert result["ok"] and result["cells"][0]["stdout"] == "before\n"
    assert len(result["cells"]) == 1
    failing = executor.run_cells([c.__dict__ for c in parse_cells("import sys\nsys.exit(3)\n")],
                                 str(tmp_path / "x.py"))
    assert not failing["ok"] and "sys.exit(3)" in failing["error"]["message"]


def test_pages_using_a_failed_examples_outputs_get_a_banner():
    failed = ExampleRun("ex", Path("ex.py"), [], "k", status="failed")
    good = ExampleRun("ok", Path("ok.py"), [], "k", status="cached")
    refs = [Reference("value", "ex", "v"), Reference("value", "ok", "v")]
    banner = plugin.stale_banner(refs, {"ex": failed, "ok": good}, lambda e: f"../{e}/")
    assert banner.startswith('!!! failure "Outdated outputs"') and "[ex](../ex/)" in banner
    assert "ok" not in banner.replace("out of date", "")
    assert plugin.stale_banner(refs[1:], {"ok": good}, str) == ""



def test_serve_banner_is_added_to_the_page_markdown(tmp_path):
    from types import SimpleNamespace

    cache, entry = _entry(tmp_path)
    (entry / "outputs" / "manifest.json").write_text(
        json.dumps({"outputs": {}, "values": {"v": {"text": "0.5"}}}))
    run = ExampleRun("ex", Path("ex.py"), [], "k", status="failed", entry=entry)
    run.load()
    gdp = plugin.GdnotesPlugin()
    gdp.runs, gdp.execute, gdp.project_dir = {"ex": run}, True, REPO
    page = SimpleNamespace(file=SimpleNamespace(url="index.html", src_uri="index.md"))
    files = SimpleNamespace(get_file_from_path=lambda path: None)
    md = gdp.on_page_markdown("# Home\n\nx = {{ value: ex/v }}\n", page, None, files)
    assert md.startswith('!!! failure "Outdated outputs"') and "x = 0.5" in md
