"""Fixtures: one served copy of the built site, one headless Debian Chromium, one visit per page.

Every page is visited exactly once (``page_visits``); each test then asserts one property over all
visits and lists every offending page, so a failure says everything at once and the suite stays fast.
The pages come in two tiers: ``representative_pages`` (each template and the first lesson and
example page holding each component or behaviour), which every run visits, and the rest, whose
shards are marked ``slow`` (`make test-slow` and CI visit them; `make test` does not). Each tier is
split into ``SHARDS`` shards: a test over visits runs once per shard, each shard in its own xdist
group, one shard per test worker (each with its own browser).
Test modules here carry ``pytestmark = BROWSER`` (marker + the xdist group of the site build).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from sitetools import html_pages, page_url_path, site_base_path, site_dir

from .browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    PageVisit,
    Tab,
    is_local,
    visit,
)
from .screens import SCREENS, visit_phone


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under its site_url path prefix, like GitHub Pages does."""

    base_path = "/"

    def log_message(self, *args):  # keep pytest output clean
        pass

    def translate_path(self, path):
        url_path = urlsplit(path).path
        if not url_path.startswith(self.base_path):
            return str(Path(self.directory) / "__outside_site__")
        return super().translate_path("/" + url_path[len(self.base_path) :])

    def send_head(self):  # GitHub Pages answers a missing URL with 404.html
        path = Path(self.translate_path(self.path))
        if not path.exists() and not self.path.endswith("/404.html"):
            self.send_error(404)
            return None
        return super().send_head()


@pytest.fixture(scope="session")
def site(request) -> Path:
    return site_dir(request)


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """http://127.0.0.1:<free port><site_url path>/ serving the built site from a daemon thread."""
    handler = type("SiteHandler", (_QuietHandler,), {"base_path": site_base_path(site)})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{site_base_path(site)}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser_context(base_url: str):
    """One persistent Chromium context (fresh profile dir) for the whole session; every request
    that would leave the local server is aborted (and reported by the tests)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `bash .ci/browser-deps` (installs Debian's chromium)"
        )
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="gdnotes-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
            locale="en-US",
            timezone_id="UTC",
            reduced_motion="no-preference",
            color_scheme="light",
        )
        # Each visit starts from the default (light) palette: material remembers the toggle there.
        context.add_init_script("try { localStorage.clear(); } catch (e) {}")
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if is_local(route.request.url, base_url)
                else route.abort("blockedbyclient")
            ),
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


# One shard per xdist worker (the same number in every worker, so they collect the same tests).
SHARDS = max(2, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "2")))


class Shard(NamedTuple):
    """Every SHARDS-th page of a tier ("pages": representative_pages; "rest": the others)."""

    tier: str
    index: int

    def __str__(self) -> str:
        return f"{self.tier}{self.index}"


def pytest_generate_tests(metafunc):
    if "shard" in metafunc.fixturenames:  # page_visits, screen_visits
        metafunc.parametrize(
            "shard",
            [pytest.param(Shard(tier, i), id=f"{tier}{i}",
                          marks=[pytest.mark.xdist_group(f"{tier}{i}"),
                                 *([pytest.mark.slow] if tier == "rest" else [])])
             for tier in ("pages", "rest") for i in range(SHARDS)],
            scope="session",
        )


@pytest.fixture(scope="session")
def page_paths(site: Path) -> list[str]:
    return [page_url_path(site, p) for p in html_pages(site)]


def pages_of(shard: Shard, paths: list[str], html: dict[str, str]) -> list[str]:
    """The shard's pages: every SHARDS-th page of its tier, starting at the shard's index."""
    sample = representative_pages(paths, html)
    tier = [p for p in paths if (p in sample) == (shard.tier == "pages")]
    return tier[shard.index::SHARDS]


@pytest.fixture(scope="session")
def shard_paths(page_paths: list[str], page_html: dict[str, str], shard: Shard) -> list[str]:
    return pages_of(shard, page_paths, page_html)


# Components whose colours axe's COLOUR_RULES must see at least once (markers in the HTML).
COMPONENTS = ("gd-anim", "<table", "admonition", "highlight", "gd-figure", "tabbed-set")


def shortest(pages: list[str], html: dict[str, str], marker: str = "") -> list[str]:
    """The shortest of ``pages`` (by HTML) holding ``marker``, as a list of none or one: a page
    stands for its template or component, and a short one costs the browser least."""
    holding = [p for p in pages if marker in html.get(p, "")]
    return [min(holding, key=lambda p: len(html.get(p, "")))] if holding else []


def contrast_sample(paths: list[str], html: dict[str, str]) -> set[str]:
    """Pages checked by axe's rules on text colours (browsing.COLOUR_RULES), in light and in dark
    mode: one of each template (home, a content page, the gallery, an example page, the API page)
    and the shortest page holding each of COMPONENTS. Those colours come from site-wide CSS, so
    this covers every coloured component at a fraction of the time of every page (the two rules
    are most of axe's time on a page); every other axe rule runs on every page."""
    content = [p for p in paths if p and "/" not in p.rstrip("/") and p not in ("api/", "404.html")]
    examples = [p for p in paths if p.startswith("examples/") and p != "examples/"]
    # a lesson: a content page with a figure (the shortest content page is an index of links)
    wanted = ["", "api/", "examples/", *shortest(examples, html),
              *shortest(content, html, 'class="gd-figure"')]
    for marker in COMPONENTS:
        wanted += shortest(content, html, marker)
    return {p for p in wanted if p in paths}


# What a page can hold that behaves or looks different (markers in its HTML): a player, a GIF,
# an explorer, an exercise box, display math, a figure with its dark twin, tabs, a table.
FEATURES = (*COMPONENTS, "gd-explorer", "gd-answer", ".gif", "arithmatex")


def representative_pages(paths: list[str], html: dict[str, str]) -> set[str]:
    """The pages every run visits: contrast_sample (each template, the first page holding each
    coloured component), the 404 page, the exercises page, the problems index and its first
    problem, and the shortest lesson and example page holding each of FEATURES. Every
    page is built from the same templates, CSS and scripts as one of these; the slow tier visits
    the others (CI visits every page). Except the API page: it is as long as all the others
    together (its docstrings change only with the library), so only the slow tier visits it."""
    content = [p for p in paths if not p.startswith("examples/") and p != "api/"]
    examples = [p for p in paths if p.startswith("examples/") and p != "examples/"]
    problems = [p for p in paths if p.startswith("problems/") and p != "problems/"]
    wanted = contrast_sample(paths, html) | {"404.html", "exercises/", "problems/", *problems[:1]}
    for marker in FEATURES:
        for group in (content, examples):
            wanted |= set(shortest(group, html, marker))
    return (wanted - {"api/"}) & set(paths)


@pytest.fixture(scope="session")
def page_html(site: Path) -> dict[str, str]:
    """URL path -> the page's HTML as built (what a reader without JavaScript gets)."""
    return {page_url_path(site, p): p.read_text(encoding="utf-8") for p in html_pages(site)}


@pytest.fixture(scope="session")
def tab(browser_context) -> Tab:
    """The browser tab that makes every visit of this worker's shard (browsing.Tab)."""
    return Tab(browser_context)


@pytest.fixture(scope="session")
def page_visits(tab: Tab, site: Path, base_url: str, page_paths: list[str],
                page_html: dict[str, str], shard_paths: list[str]) -> list[PageVisit]:
    """Every page of this shard, visited once (its screenshot in ARTIFACTS is replaced)."""
    sample = contrast_sample(page_paths, page_html)
    return [visit(tab, base_url, path, path in sample, site) for path in shard_paths]


@pytest.fixture(scope="session")
def screen_visits(tab: Tab, base_url, shard_paths,
                  page_html: dict[str, str]) -> dict[str, dict[str, dict]]:
    """screen -> page -> {"problems", "figures", "gif_figures"}: this shard's pages on every
    screen of SCREENS (a page with animations loaded once per screen, any other once)."""
    found: dict[str, dict[str, dict]] = {screen: {} for screen in SCREENS}
    for path in shard_paths:
        animated = bool(ANIMATED.search(page_html.get(path, "")))
        for screen, result in visit_phone(tab, base_url, path, animated).items():
            found[screen][path] = result
    return found


# A page whose start depends on the motion preference: a GIF anywhere in it, or a player.
ANIMATED = re.compile(r"\.gif\b|gd-anim", re.I)
