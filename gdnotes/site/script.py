"""Read a jupytext "percent" script into cells, keeping each cell's first line number.

jupytext does the reading (the same reader that turns the script into the downloadable notebook);
this module adds what jupytext does not keep: the script line each code cell starts on, so that
the executor compiles a cell under its real line numbers and a traceback names the script's line.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from pathlib import Path

_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
_SNIPPET_LINE = re.compile(r"^\s*# -+8<-+ \[(start|end):[^\]]*\]\s*$")


@dataclass(frozen=True)
class Cell:
    kind: str  # "code" or "markdown"
    source: str  # code as written; markdown without the leading "# "
    first_line: int  # 1-based line number of the first source line in the script

    @property
    def display_source(self) -> str:
        """Code as shown to readers: without the pymdownx.snippets section markers."""
        lines = [ln for ln in self.source.splitlines() if not _SNIPPET_LINE.match(ln)]
        return "\n".join(lines).strip("\n")


def read_notebook(text: str):
    """The script as a notebook (an nbformat NotebookNode), read by jupytext."""
    import jupytext  # a second or so to import: only when a script is actually read

    return jupytext.reads(text, fmt="py:percent")


def _cell_starts(lines: list[str], count: int) -> list[int]:
    """The 1-based line after each cell's marker (1 for text before the first marker)."""
    markers = [i for i, line in enumerate(lines, start=1) if _MARKER.match(line)]
    starts = [m + 1 for m in markers]
    if len(starts) < count:  # code before the first marker is a cell of its own
        starts.insert(0, 1)
    return starts


def parse_cells(text: str) -> list[Cell]:
    """Split percent-format source into cells; a code cell knows the script line it starts on.

    Memoised on the text: the nav and the runner both read every script in one build, and
    `mkdocs serve` rebuilds with mostly unchanged scripts."""
    return list(_parse_cells(text))


@functools.lru_cache(maxsize=128)
def _parse_cells(text: str) -> tuple[Cell, ...]:
    notebook = read_notebook(text)
    lines = text.splitlines()
    starts = _cell_starts(lines, len(notebook.cells))
    if len(starts) != len(notebook.cells):
        raise ValueError(
            f"jupytext read {len(notebook.cells)} cells but the script has {len(starts)} "
            "'# %%' markers; write one marker per cell"
        )
    cells = []
    for nb_cell, start in zip(notebook.cells, starts, strict=True):
        source = nb_cell.source.strip("\n")
        if not source.strip():
            continue
        kind = "markdown" if nb_cell.cell_type == "markdown" else "code"
        if kind == "code":
            first = source.split("\n", 1)[0]
            while start <= len(lines) and lines[start - 1] != first:
                start += 1
            if start > len(lines):
                raise ValueError(f"cannot find the line {first!r} of a code cell in the script")
        cells.append(Cell(kind, source, start))
    return tuple(cells)


def title_of(cells: list[Cell], fallback: str) -> str:
    """The first Markdown heading of the script, else a readable version of its file name."""
    for cell in cells:
        if cell.kind == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback.replace("_", " ").capitalize()


def api_names_used(source: str, public: set[str]) -> list[str]:
    """Public gdnotes names a script uses as `gd.<name>` (whatever alias it imports gdnotes as)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    aliases = {"gdnotes"}
    direct: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name == "gdnotes"}
        elif isinstance(node, ast.ImportFrom) and node.module == "gdnotes":
            direct |= {a.name for a in node.names}
    used = set(direct)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            used.add(node.attr)
    return sorted(used & public)


def public_names(package_init: Path) -> set[str]:
    """Names `gdnotes/__init__.py` exports: its `__all__`, else its non-underscore imports."""
    try:
        tree = ast.parse(package_init.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            try:
                return set(ast.literal_eval(node.value))
            except ValueError:
                pass
        if isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names if a.name != "*"}
    return {n for n in names if not n.startswith("_")}
