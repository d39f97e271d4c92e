"""Shared helpers for the tests that inspect the built site (links, budgets, browser, reproducibility).

Why a module and not fixtures only: the same "which pages are there, where does this link point" logic is
needed by plain tests and by the browser tests; keeping it here means one definition of a page and of a
resolved link.

The site under test is the session-scoped ``built_site`` fixture (a fresh strict build). Set
``GDNOTES_SITE_DIR=/path/to/site`` to test an already built site instead (fast iteration while editing
pages: ``GDNOTES_SITE_DIR=site pytest -m browser``).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[1]
SITE_ENV = "GDNOTES_SITE_DIR"
# Every test that needs the built site runs in this xdist group, so the site is built once per run.
SITE_GROUP = "built_site"

LOCAL_SCHEMES = ("", "file")
IGNORED_SCHEMES = ("mailto", "javascript", "data", "tel", "blob")


def site_test(test):
    """Mark a test that reads the built site: `build` marker and the shared xdist group."""
    return pytest.mark.build(pytest.mark.xdist_group(SITE_GROUP)(test))


def site_dir(request: pytest.FixtureRequest) -> Path:
    """The built site: $GDNOTES_SITE_DIR if set, else the ``built_site`` fixture."""
    override = os.environ.get(SITE_ENV)
    if override:
        path = Path(override).resolve()
        if not (path / "index.html").is_file():
            raise pytest.UsageError(
                f"{SITE_ENV}={override} has no index.html; build the site first"
            )
        return path
    return Path(request.getfixturevalue("built_site")).resolve()


def html_pages(site: Path) -> list[Path]:
    """Every HTML page of the site, sorted (directory-URL pages plus 404.html)."""
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts)


def page_url_path(site: Path, page: Path) -> str:
    """Site-relative URL path a reader uses for a page: 'index.html' -> '', 'a/index.html' -> 'a/'."""
    rel = page.relative_to(site).as_posix()
    if rel == "index.html":
        return ""
    if rel.endswith("/index.html"):
        return rel[: -len("index.html")]
    return rel


@cache
def site_url(site: Path) -> str:
    """The published address (mkdocs ``site_url``), read from the home page's canonical link."""
    home = (site / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<link[^>]*rel="canonical"[^>]*href="([^"]+)"', home)
    return match.group(1) if match else ""


def site_base_path(site: Path) -> str:
    """The path prefix of ``site_url`` (e.g. '/gdnotes/'); '/' if the site has none.

    404.html links with absolute paths under this prefix, because GitHub Pages serves it for any
    missing URL."""
    path = urlsplit(site_url(site)).path or "/"
    return path if path.endswith("/") else path + "/"


def resolve_local(site: Path, page: Path, ref: str) -> tuple[Path | None, str]:
    """Map a local href/src on ``page`` to (file in site or None if outside the site, fragment)."""
    parts = urlsplit(ref)
    page_url = "/" + page.relative_to(site).as_posix()
    target = urljoin(page_url, parts.path) if parts.path else page_url
    base = site_base_path(site)
    if parts.path.startswith("/") and base != "/":
        if not target.startswith(base):
            return None, parts.fragment
        target = "/" + target[len(base) :]
    path = site / unquote(target.lstrip("/"))
    if target.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def is_external(ref: str) -> bool:
    scheme = urlsplit(ref).scheme.lower()
    return scheme not in LOCAL_SCHEMES and scheme not in IGNORED_SCHEMES or ref.startswith("//")


def is_ignored(ref: str) -> bool:
    return urlsplit(ref).scheme.lower() in IGNORED_SCHEMES


def srcset_urls(srcset: str) -> list[str]:
    """URLs in a srcset attribute ('a.png 1x, b.png 2x' -> ['a.png', 'b.png'])."""
    return [item.strip().split()[0] for item in srcset.split(",") if item.strip()]


@cache
def parsed(page: Path):
    """The page's HTML parsed once per test process (BeautifulSoup, html.parser: a few seconds for
    the whole site), shared by every test that reads the built pages: treat it as read-only."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def text_outside(root, skip) -> str:
    """The text under ``root`` (a parsed document or element) outside the tags named in ``skip``
    (code, MathML, ...), space-joined, leaving the tree as it was."""
    from bs4.element import CData, NavigableString, Tag

    parts = []

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                if child.name not in skip:
                    walk(child)
            elif type(child) in (NavigableString, CData) and child.strip():
                parts.append(child.strip())

    walk(root)
    return " ".join(parts)


def tree_digest(root: Path) -> dict[str, str]:
    """sha256 of every file under root, keyed by relative path (for byte-for-byte comparisons)."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


class BuiltExample:
    """What one example recorded in the site build: values, printed texts and tables (read from its
    outputs directory, ``built_outputs(name)``), so content tests need not run it again."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.values = json.loads((directory / "manifest.json").read_text())["values"]

    def raw(self, name):
        return self.values[name]["raw"]

    def text(self, name) -> str:
        return self.values[name]["text"]

    def printed(self, name) -> str:
        return (self.dir / f"{name}.txt").read_text()

    def table(self, name) -> list[list[str]]:
        lines = (self.dir / f"{name}.md").read_text().strip().splitlines()
        return [[c.strip() for c in line.strip().strip("|").split("|")] for line in lines[2:]]
