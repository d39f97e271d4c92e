"""The API reference page, generated from what `gdnotes/__init__.py` exports.

`docs/api.md` holds the prose and a `{{ api_reference }}` marker; the marker becomes one section per
gdnotes module, in the order `__init__.py` imports them, each a mkdocstrings block listing that
module's exported names. The identifiers are therefore `gdnotes.<name>`, exactly what pages and
example pages link to (`[gd.run][gdnotes.run]`), and a name CORE adds shows up without editing
the page.
"""

from __future__ import annotations

import ast
from pathlib import Path

MARKER = "{{ api_reference }}"


def _module_title(package: Path, module: str) -> str:
    path = package / f"{module}.py"
    if not path.exists():
        path = package / module / "__init__.py"
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        doc = ""
    first = doc.strip().splitlines()[0] if doc.strip() else ""
    title = first.split(":", 1)[0].strip().rstrip(".") if first else module
    return title if len(title) <= 60 else module.replace("_", " ").capitalize()


def sections(package: Path, public: set[str]) -> list[tuple[str, str, list[str]]]:
    """(module, title, exported names) per `from .module import ...` line, in source order."""
    tree = ast.parse((package / "__init__.py").read_text(encoding="utf-8"))
    out, seen = [], set()
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom) or node.level != 1:
            continue
        if node.module is None:  # `from . import submodule`: document the whole module
            for alias in node.names:
                name = alias.asname or alias.name
                if name in public and name not in seen:
                    seen.add(name)
                    out.append((alias.name, _module_title(package, alias.name), []))
            continue
        names = [a.asname or a.name for a in node.names]
        names = [n for n in names if n in public and n not in seen]
        seen |= set(names)
        if names:
            out.append((node.module, _module_title(package, node.module), names))
    return out


def api_markdown(package: Path, public: set[str]) -> str:
    blocks = []
    for module, title, names in sections(package, public):
        if not names:
            blocks.append(
                f"## {title}\n\n::: gdnotes.{module}\n"
                "    options:\n      show_root_heading: true\n      heading_level: 3\n"
            )
            continue
        members = ", ".join(names)
        blocks.append(
            f"## {title}\n\n::: gdnotes\n    options:\n      show_root_heading: false\n"
            f"      show_root_toc_entry: false\n      heading_level: 3\n"
            f"      members: [{members}]\n"
        )
    return "\n".join(blocks)
