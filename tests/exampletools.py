"""Run an example in this test process and read what it wrote (shared by the content tests)."""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Example:
    """An example's globals after running it in-process, and the outputs it wrote."""

    def __init__(self, name: str, directory: Path):
        old = os.environ.get("GDNOTES_OUTPUT_DIR")
        os.environ["GDNOTES_OUTPUT_DIR"] = str(directory)
        try:
            self.ns = runpy.run_path(str(REPO / "examples" / f"{name}.py"), run_name="__main__")
        finally:
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
