"""What a reader downloads runs where the reader runs it, with nothing from the repository.

Every notebook the site serves is executed by nbclient in a real ipykernel started in an empty
directory; every script the site serves runs as `python <name>.py` from an empty directory; and a
fresh virtual environment that installs only the wheel the site serves runs a downloaded notebook.
Each must reproduce the build's outputs: the same files, byte for byte, and the same numbers.

Every run (`make test`) executes the downloads of EVERYDAY, whose outputs hold every kind of
output and both kinds of import, and checks for every example that the notebook holds exactly
the script's code. The other examples' notebooks and scripts, and the fresh venv, are marked
``slow``: `make test-slow` and CI run them, so CI runs every download in its client.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from conftest import REPO, everyday_or_slow
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from gdnotes.site.runner import discover

EXAMPLES = [p.stem for p in discover(REPO / "examples")]
# Between them: a figure, a GIF, a table, printed text and values; numpy alone (tangent_line)
# and torch with its optimizers (update_rule). test_everyday_examples_hold_every_kind checks it.
EVERYDAY = ("tangent_line", "update_rule")
BY_TIER = everyday_or_slow(EXAMPLES, EVERYDAY)
# The environment the build runs examples in, minus anything that points into the repository.
_READER_ENV = {
    "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0", "SOURCE_DATE_EPOCH": "0",
    "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
}


def reader_env() -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GDNOTES_", "PYTHONPATH", "JUPYTER_PATH"))}
    return {**env, **_READER_ENV}


@pytest.fixture
def reader_env_vars(monkeypatch):
    """The test process's environment as a reader's kernel would see it (kernels inherit it)."""
    for key in list(os.environ):
        if key.startswith(("GDNOTES_", "PYTHONPATH")):
            monkeypatch.delenv(key)
    for key, value in _READER_ENV.items():
        monkeypatch.setenv(key, value)


def execute_notebook(path: Path, workdir: Path, km: KernelManager | None = None):
    """Run every cell of the notebook at `path` in a fresh kernel whose cwd is `workdir`."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, km=km, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(workdir)}})
    client.execute()
    return notebook


def assert_matches_the_build(outputs: Path, built: Path, name: str) -> None:
    """The reader's run wrote the same files as the build, byte for byte."""
    manifest = json.loads((outputs / "manifest.json").read_text())
    assert manifest == json.loads((built / "manifest.json").read_text())
    for record in manifest["outputs"].values():
        for file in filter(None, (record["file"], record.get("still"), record.get("dark"))):
            if file.endswith(".md"):
                continue  # tables are inlined into pages, not published as files
            assert (outputs / file).read_bytes() == (built / file).read_bytes(), f"{name}: {file}"


def _display_kinds(notebook) -> list[list[str]]:
    return [
        sorted(o["data"]) for cell in notebook.cells if cell.cell_type == "code"
        for o in cell.outputs if o.output_type == "display_data"
    ]


@pytest.mark.build
def test_everyday_examples_hold_every_kind(built_site):
    """What the everyday run executes covers each way a download can differ: every kind of output
    a notebook shows inline, and a script with and without torch's optimizers."""
    kinds, values = set(), 0
    for name in EVERYDAY:
        manifest = json.loads((built_site / "figures" / name / "manifest.json").read_text())
        kinds |= {record["kind"] for record in manifest["outputs"].values()}
        values += len(manifest.get("values", {}))
    every_kind = {r["kind"] for m in (built_site / "figures").glob("*/manifest.json")
                  for r in json.loads(m.read_text())["outputs"].values()}
    assert kinds == every_kind and values, (kinds, every_kind)
    sources = [(built_site / "examples" / f"{name}.py").read_text() for name in EVERYDAY]
    assert any("torch.optim" in text for text in sources), "no everyday example uses torch.optim"
    assert any("import torch" not in text for text in sources), "every one imports torch"


@pytest.mark.build
@pytest.mark.parametrize("name", EXAMPLES)
def test_the_notebook_holds_exactly_the_scripts_code(name, built_site):
    """So the script run in plain python and the notebook run in a kernel run the same code,
    whichever of them the everyday run executes. The script is read by jupytext, not gdnotes."""
    script = (built_site / "examples" / f"{name}.py").read_text(encoding="utf-8")
    notebook = nbformat.read(built_site / "examples" / f"{name}.ipynb", as_version=4)

    def code(cells) -> list[str]:
        return [c.source.strip("\n") for c in cells if c.cell_type == "code"]

    assert code(notebook.cells) == code(jupytext.reads(script, fmt="py:percent").cells)


@pytest.mark.build
@pytest.mark.parametrize("name", BY_TIER)
def test_notebook_runs_in_a_fresh_kernel_from_an_empty_folder(
    name, built_site, tmp_path, reader_env_vars
):
    served = built_site / "examples" / f"{name}.ipynb"
    workdir = tmp_path / "reader"
    workdir.mkdir()
    shutil.copy(served, workdir / served.name)
    ran = execute_notebook(workdir / served.name, workdir)
    built = nbformat.read(served, as_version=4)
    # the first cell says how to install gdnotes, with the wheel the site serves
    wheel = next((built_site / "downloads").glob("*.whl")).name
    assert ran.cells[0].cell_type == "markdown" and wheel in ran.cells[0].source
    assert "torch==2.13.0" in ran.cells[0].source
    # every figure, table and number is shown inline, as in the executed notebook served
    assert _display_kinds(ran) == _display_kinds(built)
    manifest = json.loads((built_site / "figures" / name / "manifest.json").read_text())
    drawn = [r for r in manifest["outputs"].values() if r["kind"] in {"figure", "gif"}]
    images = [k for k in _display_kinds(ran) if "image/png" in k or "image/gif" in k]
    assert len(images) == len(drawn)  # each figure and animation, inline
    assert_matches_the_build(workdir / "gdnotes_outputs" / name,
                             built_site / "figures" / name, name)
    # tables and values: identical Markdown in both
    text = [o["data"].get("text/markdown") for c in ran.cells if c.cell_type == "code"
            for o in c.outputs if o.output_type == "display_data"]
    assert text == [o["data"].get("text/markdown") for c in built.cells
                    if c.cell_type == "code" for o in c.outputs
                    if o.output_type == "display_data"]


@pytest.mark.build
@pytest.mark.parametrize("name", BY_TIER)
def test_script_runs_with_plain_python_from_an_empty_folder(name, built_site, tmp_path):
    served = built_site / "examples" / f"{name}.py"
    workdir = tmp_path / "reader"
    workdir.mkdir()
    shutil.copy(served, workdir / served.name)
    proc = subprocess.run([sys.executable, served.name], cwd=workdir, env=reader_env(),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    outputs = workdir / "gdnotes_outputs" / name
    assert str(outputs) in proc.stderr  # the run says where its outputs went
    assert_matches_the_build(outputs, built_site / "figures" / name, name)
    assert sorted(p.name for p in workdir.iterdir()) == sorted([served.name, "gdnotes_outputs"])


@pytest.mark.build
@pytest.mark.slow
def test_a_fresh_venv_with_only_the_served_wheel_runs_a_downloaded_notebook(
    built_site, tmp_path, reader_env_vars
):
    wheels = sorted((built_site / "downloads").glob("gdnotes-*.whl"))
    assert len(wheels) == 1, wheels
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    install = subprocess.run(
        # --no-compile: byte-compiling torch's sources is most of the install's CPU, and a
        # reader's interpreter compiles what it imports anyway
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
         "-c", str(REPO / "constraints.txt"), str(wheels[0]), "ipykernel"],
        capture_output=True, text=True, timeout=1200,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    # the wheel is the library alone: none of the site's build tools come with it
    probe = subprocess.run(
        [str(python), "-c", "import json, importlib.util as u, gdnotes; print(json.dumps("
         "[gdnotes.__file__, [m for m in ('mkdocs', 'material', 'mkdocstrings', 'jupytext') "
         "if u.find_spec(m)]]))"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    where, site_tools = json.loads(probe.stdout)
    assert where.startswith(str(venv)) and site_tools == [], probe.stdout
    # a kernel spec for that environment, and a downloaded notebook run in it
    kernels = tmp_path / "kernels" / "fresh"
    kernels.mkdir(parents=True)
    (kernels / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh venv", "language": "python",
    }))
    km = KernelManager(kernel_name="fresh",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels.parent)]))
    workdir = tmp_path / "reader"
    workdir.mkdir()
    shutil.copy(built_site / "examples" / "tangent_line.ipynb", workdir)
    ran = execute_notebook(workdir / "tangent_line.ipynb", workdir, km=km)
    assert any("image/gif" in kinds for kinds in _display_kinds(ran))
    assert_matches_the_build(workdir / "gdnotes_outputs" / "tangent_line",
                             built_site / "figures" / "tangent_line", "tangent_line")
