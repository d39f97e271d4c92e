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
    if len(title) > 60:  # "The optimizer summary table, generated from ..." -> its first clause
        title = title.split(",", 1)[0].strip()
    return title if len(title) <= 60 else module.replace("_", " ").capitalize()


# The reader's order: what you optimise, how, running it, then helpers; the example plumbing last.
_FIRST = ("objectives", "optimizers", "limited_memory", "registry", "runs", "schedules", "data", "exact")
_LAST = ("outputs", "style")


def _reading_order(module: str) -> tuple[int, int, str]:
    if module in _FIRST:
        return (0, _FIRST.index(module), module)
    if module in _LAST:
        return (2, _LAST.index(module), module)
    return (1, 0, module)


def sections(package: Path, public: set[str]) -> list[tuple[str, str, list[str]]]:
    """(module, title, exported names) per `from .module import ...` line, in reading order."""
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
        if not names:
            continue
        earlier = next((section for section in out if section[0] == node.module), None)
        if earlier:  # two `from .summary import ...` lines: one section (one heading) per module
            earlier[2].extend(names)
        else:
            out.append((node.module, _module_title(package, node.module), names))
    return sorted(out, key=lambda section: _reading_order(section[0]))


def _shadows_submodule(package: Path, name: str) -> bool:
    """`from .race import race`: griffe sees `gdnotes.race` as the module, not the function."""
    return (package / f"{name}.py").exists() or (package / name / "__init__.py").exists()


def api_targets(package: Path, public: set[str]) -> dict[str, str]:
    """Exported name -> the identifier its entry on the API page has (what autorefs links to)."""
    targets = {}
    for module, _, names in sections(package, public):
        if not names:
            targets[module] = f"gdnotes.{module}"
        for name in names:
            shadowed = _shadows_submodule(package, name)
            targets[name] = f"gdnotes.{module}.{name}" if shadowed else f"gdnotes.{name}"
    return targets


_ROOT_BLOCK = "::: {ident}\n    options:\n      show_root_heading: true\n      heading_level: 3\n"


def api_markdown(package: Path, public: set[str]) -> str:
    blocks = []
    for module, title, names in sections(package, public):
        blocks.append(f"## {title}\n")
        if not names:
            blocks.append(_ROOT_BLOCK.format(ident=f"gdnotes.{module}"))
            continue
        plain = [n for n in names if not _shadows_submodule(package, n)]
        if plain:
            blocks.append(
                "::: gdnotes\n    options:\n      show_root_heading: false\n"
                "      show_root_toc_entry: false\n      heading_level: 3\n"
                f"      members: [{', '.join(plain)}]\n"
            )
        for name in names:
            if name not in plain:
                blocks.append(_ROOT_BLOCK.format(ident=f"gdnotes.{module}.{name}"))
    return "\n".join(blocks)
