"""The executed notebook of an example run, built with nbformat from the cells jupytext read.

Each code cell gets what it printed and what it recorded through `gd.Outputs`, as the same MIME
bundles `gd.Outputs` shows when a reader runs the notebook in Jupyter (`gdnotes.outputs.
display_bundle`), so the download looks like a fresh run of it. Cell ids are fixed (`cell-0`, ...)
and nbformat writes keys sorted, so the file is byte-identical from build to build. The cached
notebook has no install instructions: `with_install_cell` adds them when the site publishes it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from gdnotes.outputs import display_bundle, value_markdown
from gdnotes.site.script import Cell

_VALUE = re.compile(r"\{\{\s*value\s*:\s*(?P<example>[\w-]+)/(?P<name>[\w.-]+)\s*\}\}")
_IMAGE_KIND = {".png": "png", ".gif": "gif", ".svg": "svg"}


def _output_bundle(outputs_dir: Path, record: dict) -> dict | None:
    """The display bundle of one recorded output (images inline, tables as Markdown)."""
    path = outputs_dir / record.get("file", "")
    if not path.is_file():
        return None
    alt = record.get("alt") or path.name
    if path.suffix in _IMAGE_KIND:
        data = path.read_bytes() if path.suffix != ".svg" else path.read_text(encoding="utf-8")
        return display_bundle(_IMAGE_KIND[path.suffix], data, alt)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return display_bundle("markdown", text, text)
    return display_bundle("text", text, "") if record.get("kind") == "text" else None


def _fill_values(markdown: str, example: str, values: dict) -> str:
    """Put this example's own numbers into its prose (the site does the same with its macros)."""

    def replace(match: re.Match) -> str:
        record = values.get(match["name"]) if match["example"] == example else None
        return str(record.get("text", match[0])) if record else match[0]

    return _VALUE.sub(replace, markdown)


def _code_outputs(run: dict, outputs_dir: Path, manifest: dict) -> list:
    outs = [
        new_output("stream", name=stream, text=run[stream])
        for stream in ("stdout", "stderr")
        if run.get(stream)
    ]
    records, values = manifest.get("outputs", {}), manifest.get("values", {})
    for key in run.get("new", []):
        kind, _, name = key.partition(":")
        bundle = None
        if kind == "output" and name in records and records[name].get("kind") != "text":
            bundle = _output_bundle(outputs_dir, records[name])  # printed text is in stdout
        elif kind == "value" and name in values:
            text = values[name]["text"]
            bundle = display_bundle("markdown", value_markdown(name, text), f"{name} = {text}")
        if bundle:
            outs.append(new_output("display_data", data=bundle, metadata={}))
    return outs


def build_notebook(
    cells: list[Cell], result: dict, outputs_dir: Path, manifest: dict, example: str
) -> nbformat.NotebookNode:
    """The notebook a reader downloads: the script's cells with the outputs of the build's run."""
    runs = {r["index"]: r for r in result.get("cells", [])}
    notebook = new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11"},
        }
    )
    count = 0
    for index, cell in enumerate(cells):
        cell_id = f"cell-{index}"
        if cell.kind == "markdown":
            text = _fill_values(cell.source, example, manifest.get("values", {}))
            notebook.cells.append(new_markdown_cell(text, id=cell_id))
            continue
        count += 1
        run = runs.get(index)
        notebook.cells.append(
            new_code_cell(
                cell.source,
                id=cell_id,
                execution_count=count if run else None,
                outputs=_code_outputs(run, outputs_dir, manifest) if run else [],
            )
        )
    nbformat.validate(notebook)
    return notebook


def write_notebook(path: Path, notebook: nbformat.NotebookNode) -> None:
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")


def with_install_cell(path: Path, install_markdown: str) -> str:
    """The cached notebook at ``path`` with a first cell saying how to install gdnotes."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.insert(0, new_markdown_cell(install_markdown, id="install-gdnotes"))
    return nbformat.writes(notebook) + "\n"
