"""Write the executed notebook of an example run (nbformat 4.5 JSON, deterministic).

Written by hand rather than with nbformat: importing nbformat's validator costs more than the
whole write, and fixed cell ids (`cell-0`, ...) keep the file byte-identical across runs.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from gdnotes.pipeline.script import Cell


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _display(outputs_dir: Path, record: dict) -> dict | None:
    """A display_data output for one recorded output (images inline, tables as Markdown)."""
    kind, file = record.get("kind", ""), record.get("file", "")
    path = outputs_dir / file
    alt = record.get("alt") or file
    if kind in {"gif", "animation"} and record.get("still"):
        path = outputs_dir / record["still"]
    if path.suffix == ".gif":
        still = path.with_suffix(".png")
        path = still if still.exists() else path
    if not path.exists():
        return None
    if path.suffix == ".png":
        data = {"image/png": base64.b64encode(path.read_bytes()).decode(), "text/plain": [alt]}
    elif path.suffix == ".svg":
        data = {"image/svg+xml": _lines(path.read_text(encoding="utf-8")), "text/plain": [alt]}
    elif path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        data = {"text/markdown": _lines(text), "text/plain": _lines(text)}
    else:
        return None
    return {"output_type": "display_data", "data": data, "metadata": {}}


_VALUE = re.compile(r"\{\{\s*value\s*:\s*(?P<example>[\w-]+)/(?P<name>[\w.-]+)\s*\}\}")


def _fill_values(markdown: str, example: str, values: dict) -> str:
    """Put this example's own numbers into its prose (the site does the same with its macros)."""

    def replace(match: re.Match) -> str:
        record = values.get(match["name"]) if match["example"] == example else None
        return str(record.get("text", match[0])) if record else match[0]

    return _VALUE.sub(replace, markdown)


def build_notebook(
    cells: list[Cell],
    result: dict,
    outputs_dir: Path,
    outputs: dict,
    values: dict | None = None,
    example: str = "",
) -> dict:
    nb_cells, count = [], 0
    runs = {r["index"]: r for r in result.get("cells", [])}
    for index, cell in enumerate(cells):
        base = {"id": f"cell-{index}", "metadata": {}, "source": _lines(cell.source)}
        if cell.kind == "markdown":
            text = _fill_values(cell.source, example, values or {})
            nb_cells.append({"cell_type": "markdown", **base, "source": _lines(text)})
            continue
        count += 1
        run = runs.get(index, {})
        outs = []
        for stream in ("stdout", "stderr"):
            if run.get(stream):
                outs.append({"output_type": "stream", "name": stream, "text": _lines(run[stream])})
        for key in run.get("new", []):
            kind, _, name = key.partition(":")
            if kind == "output" and name in outputs:
                display = _display(outputs_dir, outputs[name])
                if display:
                    outs.append(display)
        nb_cells.append(
            {"cell_type": "code", "execution_count": count if run else None, **base, "outputs": outs}
        )
    return {
        "cells": nb_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_notebook(path: Path, notebook: dict) -> None:
    path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
