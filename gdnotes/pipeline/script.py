"""Read a jupytext "percent" script into cells, keeping each cell's first line number.

Parsed here (not with jupytext) because the executor needs exact source line numbers so that a
traceback names the line of the script itself, and because this is all a percent script needs.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
_MARKDOWN = re.compile(r"\[(markdown|md)\]")
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


def _uncomment(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    return line[1:] if line.startswith("#") else line


def _make_cell(kind: str, lines: list[str], start: int) -> Cell | None:
    # drop leading/trailing blank lines but keep the line numbering right
    while lines and not lines[0].strip():
        lines = lines[1:]
        start += 1
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if not lines:
        return None
    if kind == "markdown":
        return Cell("markdown", "\n".join(_uncomment(ln) for ln in lines), start)
    return Cell("code", "\n".join(lines), start)


def parse_cells(text: str) -> list[Cell]:
    """Split percent-format source into cells (code before the first marker is a code cell)."""
    cells: list[Cell] = []
    kind, lines, start = "code", [], 1
    for number, line in enumerate(text.splitlines(), start=1):
        match = _MARKER.match(line)
        if match:
            cell = _make_cell(kind, lines, start)
            if cell:
                cells.append(cell)
            kind = "markdown" if _MARKDOWN.search(match["rest"]) else "code"
            lines, start = [], number + 1
        else:
            lines.append(line)
    cell = _make_cell(kind, lines, start)
    if cell:
        cells.append(cell)
    return cells


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
