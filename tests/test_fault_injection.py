"""The adversarial set of issue 12, end to end on synthetic projects: hostile example output, damaged
cache entries, a hung and a spawning example, a killed zygote, an interrupted or killed build, a bad
cache directory and malformed macros. Each build must end with a clear error or a correct site, and
leave no process behind (checked by the project directory: nothing may still run in it)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import MKDOCS, build_env, live_processes, wait_until_none

pytestmark = pytest.mark.build

SCRIPT_TAG = "<script>alert(1)</script>"


def _inside(root: Path):
    return lambda cmdline, cwd: cwd == root or root in cwd.parents


def running_in(root: Path) -> list[str]:
    """Command lines of live processes whose working directory is inside `root`."""
    return live_processes(_inside(root))


def no_process_left(root: Path, seconds: float = 5.0) -> list[str]:
    return wait_until_none(_inside(root), seconds)


HOSTILE = f"""\
# %% [markdown]
# # Hostile
# Writes a script tag through every path an output can take.

# %%
import gdnotes as gd

out = gd.Outputs("hostile")
out.table("cells", [["{SCRIPT_TAG}", "a | b"]], headers=["x", "y"])
out.table("raw", "| x |\\n|---|\\n| {SCRIPT_TAG} |")
out.value("word", "{SCRIPT_TAG}")
out.value("pipe", "a | b")
out.text("log", "````\\n{SCRIPT_TAG}\\n````\\nafter the fence")
print("{SCRIPT_TAG}")
"""


def test_hostile_output_reaches_no_page_unescaped(make_project):
    project = make_project(examples=("a",))
    project.write_example("hostile", text=HOSTILE)
    project.write_page("# Home\n\n{{ table: hostile/cells }}\n\n{{ table: hostile/raw }}\n\n"
                       "Said {{ value: hostile/word }}.\n\n{{ text: hostile/log }}\n\n"
                       "{{ figure: a/curve }}\n")
    result = project.build()
    assert result.returncode == 0, result.output
    for page in result.site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert not [s for s in soup.find_all("script") if "alert" in s.text], page
    home = BeautifulSoup((result.site / "index.html").read_text(), "html.parser")
    assert SCRIPT_TAG in home.get_text() and "after the fence" in home.find("pre").get_text()
    example = BeautifulSoup((result.site / "examples/hostile/index.html").read_text(),
                            "html.parser")
    cells = [td.get_text() for td in example.find_all("td")]
    assert "a | b" in cells and SCRIPT_TAG in cells


def test_damaged_entries_are_rerun_with_a_warning(make_project):
    project = make_project()
    assert project.build().returncode == 0
    entries = project.cache / "entries"
    (next((entries / "a").iterdir()) / "outputs" / "curve.png").unlink()
    (next((entries / "b").iterdir()) / "run.json").write_text("")
    result = project.build(strict=False)  # a warning: --strict would stop after the re-runs
    assert result.returncode == 0, result.output
    assert result.ran() == ["a", "b"]
    assert "cache entry of example 'a' is damaged (outputs/curve.png is missing)" in result.output
    assert "cache entry of example 'b' is damaged (run.json has 0 bytes" in result.output
    assert (result.site / "figures/a/curve.png").is_file()
    again = project.build()
    assert again.returncode == 0 and again.cached() == ["a", "b"], again.output


HUNG = """\
# %%
import subprocess, time
import gdnotes as gd

out = gd.Outputs("hung")
subprocess.Popen(["sleep", "4321.5"])
print("working on it", flush=True)
time.sleep(120)
"""

SPAWNS = """\
# %%
import subprocess
import gdnotes as gd

out = gd.Outputs("spawns")
subprocess.Popen(["sleep", "4321.75"])  # left running: the build must end it
out.value("done", 1)
"""


def test_hung_and_spawning_examples_leave_nothing_behind(make_project):
    project = make_project(examples=("a",))
    project.write_example("hung", text=HUNG)
    project.write_example("spawns", text=SPAWNS)
    # 8 s, not less: on a loaded machine the example must reach its sleep on line 8 first
    result = project.build(env={"GDNOTES_TIMEOUT": "8"})
    assert result.returncode != 0
    assert "example examples/hung.py, line 8 timed out after 8 s" in result.output
    assert "GDNOTES_TIMEOUT" in result.output and "working on it" in result.output
    assert "still running hung after" in result.output  # the progress line
    assert "spawns" not in result.output.split("failed:")[-1].split("timed out")[0]
    assert not no_process_left(project.root)


KILLS_ZYGOTE = """\
# %%
import os, time
import gdnotes as gd

out = gd.Outputs("killer")
parent = open(f"/proc/{os.getppid()}/cmdline").read()
if "zygote.py" in parent:
    os.kill(os.getppid(), 9)
    time.sleep(30)
out.value("survived", 1)
"""


def test_a_killed_zygote_is_replaced_by_fresh_runs(make_project):
    project = make_project()
    project.write_example("killer", text=KILLS_ZYGOTE)
    result = project.build()
    assert result.returncode == 0, result.output
    assert "the process running examples died" in result.output
    assert "exit status -1" not in result.output
    assert result.ran() == ["a", "b", "killer"]
    assert not no_process_left(project.root)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_or_killed_build_leaves_no_process(make_project, sig):
    project = make_project(examples=("a",))
    project.write_example("hung", text=HUNG)
    proc = subprocess.Popen(
        [MKDOCS, "build", "-f", str(project.root / "mkdocs.yml"), "-d", str(project.root / "s")],
        cwd=project.root, env=build_env(project.cache), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any("4321.5" in c for c in running_in(project.root)):
        time.sleep(0.1)
    assert any("4321.5" in c for c in running_in(project.root)), "the hung example never started"
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # Ctrl-C in a terminal: the whole foreground group
    else:
        os.kill(proc.pid, sig)  # `kill -9` of mkdocs alone: its zygote must notice and clean up
    output = proc.communicate(timeout=30)[0]
    assert "zygote.py" not in output  # no traceback from the example runner
    assert not no_process_left(project.root)
    assert not any((project.cache / "tmp").glob("hung-*/run.json"))


def test_cache_dir_that_is_a_file_is_a_clear_error(make_project, tmp_path):
    project = make_project(examples=("a",))
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    project.cache = blocker
    result = project.build()
    assert result.returncode != 0 and "Traceback" not in result.output
    assert f"cannot use the example cache directory {blocker} (set by GDNOTES_CACHE_DIR)" in (
        result.output)


def test_malformed_macros_fail_strict_and_code_shows_them(make_project):
    project = make_project(examples=("a",))
    project.write_page("# Home\n\n{{ figure: a/curve }}\n\n{{ figur: a/curve }}\n\n"
                       "Literally: `{{ value: a/answer }}`.\n\n{{ value: a/answer/x }}\n")
    result = project.build()
    assert result.returncode != 0
    assert "page 'index.md', line 5: {{ figur: a/curve }} is not a valid macro" in result.output
    assert "page 'index.md', line 9: {{ value: a/answer/x }} is not a valid macro" in result.output
    loose = project.build(strict=False)
    home = (loose.site / "index.html").read_text()
    assert "<code>{{ value: a/answer }}</code>" in home


def test_budgets_from_mkdocs_yml_and_sys_exit_zero(make_project):
    project = make_project(examples=("a",))
    project.write_example("quits", text="# %%\nimport sys\nprint('x' * 3000)\nsys.exit(0)\n")
    yml = project.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace(
        "      wheel: false\n", "      wheel: false\n      budgets:\n        printed_kb: 2\n"))
    result = project.build()
    assert result.returncode != 0
    assert ("example examples/quits.py is over its size budget: printed output is 3 KB, over the "
            "2 KB limit (budgets: printed_kb in mkdocs.yml)") in result.output
    assert "SystemExit" not in result.output
    yml.write_text(yml.read_text().replace("printed_kb: 2", "printed_kb: 4"))
    assert project.build().returncode == 0  # same cached run, new budget: no re-run needed
