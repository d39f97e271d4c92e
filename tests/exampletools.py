"""Run an example in this test process and read what it wrote (shared by the content tests)."""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path
from unittest import mock

import torch

import gdnotes as gd
from gdnotes.outputs import _close

REPO = Path(__file__).resolve().parents[1]


def _figure_undrawn(self, fig, name, *, alt, caption="", **_):
    """`Outputs.figure` minus the drawing: the record (alt text, caption) and an empty file."""
    self._claim(name)
    _close(fig)
    self._write(f"{name}.png", b"")
    return self._record(name, f"{name}.png", "figure", self._check_alt(alt),
                        caption=self._check_caption(caption))


def _gif_undrawn(self, fig, draw_frame, frames, name, *, alt, caption="", **_):
    self._claim(name)
    _close(fig)
    self._write(f"{name}.gif", b"")
    return self._record(name, f"{name}.gif", "gif", self._check_alt(alt),
                        caption=self._check_caption(caption), frames=frames)


class Example:
    """An example's globals after running it in-process, and the outputs it wrote.

    Figures and animations are recorded but not drawn unless ``draw``: drawing is about half of
    an example's time, and the content tests read numbers, tables and texts (the build's own
    figures are checked by the build and download tests)."""

    def __init__(self, name: str, directory: Path, draw: bool = False):
        old = os.environ.get("GDNOTES_OUTPUT_DIR")
        os.environ["GDNOTES_OUTPUT_DIR"] = str(directory)
        dtype = torch.get_default_dtype()  # a script may set it (nadam_amsgrad: float64)
        patches = [] if draw else [mock.patch.object(gd.Outputs, "figure", _figure_undrawn),
                                   mock.patch.object(gd.Outputs, "gif", _gif_undrawn)]
        try:
            for patch in patches:
                patch.start()
            self.ns = runpy.run_path(str(REPO / "examples" / f"{name}.py"), run_name="__main__")
        finally:
            for patch in reversed(patches):
                patch.stop()
            torch.set_default_dtype(dtype)  # the next test in this worker sees torch's own
            if old is None:
                del os.environ["GDNOTES_OUTPUT_DIR"]
            else:
                os.environ["GDNOTES_OUTPUT_DIR"] = old
        self.dir = directory
        self.manifest = json.loads((directory / "manifest.json").read_text())

    def raw(self, name):
        return self.manifest["values"][name]["raw"]

    value = raw

    def text(self, name) -> str:
        """A value's text as pages show it."""
        return self.manifest["values"][name]["text"]

    def printed(self, name) -> str:
        """A text output (what a block of the example printed)."""
        return (self.dir / f"{name}.txt").read_text()

    def table(self, name) -> list[list[str]]:
        """Body rows of a generated Markdown table, cells stripped."""
        lines = (self.dir / f"{name}.md").read_text().strip().splitlines()
        return [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines[2:]]

    def alt(self, name) -> str:
        return self.manifest["outputs"][name]["alt"]


def quoted(directory: Path) -> dict[str, str]:
    """Everything an example quotes: its values' texts and its tables' cells."""
    manifest = json.loads((directory / "manifest.json").read_text())
    found = {f"value {k}": v["text"] for k, v in manifest["values"].items()}
    for name, record in manifest["outputs"].items():
        if record["kind"] == "table":
            found[f"table {name}"] = (directory / record["file"]).read_text()
    return found
