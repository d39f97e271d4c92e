"""Serve MathJax 3 from the pinned `django-static-mathjax` wheel: no CDN, nothing committed.

Only the CommonHTML TeX component and what it loads lazily (fonts, TeX extensions, menu and
accessibility components, speech-rule maps) is added, as generated files under
`javascripts/mathjax/`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

_PARTS = (
    "tex-chtml.js",
    "output/chtml/fonts/woff-v2",
    "input/tex/extensions",
    "ui",
    "a11y",
    "sre",
    "adaptors",
)


def mathjax_root() -> Path:
    import mathjax  # the django-static-mathjax wheel; needs no Django

    root = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (root / "tex-chtml.js").exists():
        raise FileNotFoundError(f"MathJax not found at {root} (is django-static-mathjax installed?)")
    return root


def mathjax_files(prefix: str = "javascripts/mathjax") -> Iterator[tuple[str, Path]]:
    """(site path, file on disk) for every MathJax file the site needs."""
    root = mathjax_root()
    for part in _PARTS:
        path = root / part
        paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in paths:
            yield f"{prefix}/{file.relative_to(root).as_posix()}", file
