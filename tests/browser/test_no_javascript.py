"""A reader without JavaScript whose system prefers dark gets the dark page (material picks its
scheme in JavaScript, so such a reader used to get the light one; gdnotes/site/darknojs.py).

Chromium with JavaScript off, on the shortest lesson with a figure and the shortest example page
with an animation: with dark preferred, the page's colours (every custom property the generated
stylesheet sets, and the body's colours) equal those material's own JavaScript gives a dark-
preferring reader, and every figure on screen is a dark twin; with light preferred, the page is
material's light page with the light figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2

from gdnotes.site.darknojs import STYLESHEET

from .browsing import BROWSER
from .conftest import shortest

pytestmark = BROWSER


@pytest.fixture(scope="module")
def pages(page_html: dict[str, str]) -> list[str]:
    lessons = [p for p in page_html if not p.startswith(("examples/", "api/"))]
    examples = [p for p in page_html if p.startswith("examples/") and p != "examples/"]
    found = shortest(lessons, page_html, 'class="gd-figure"') + shortest(examples, page_html,
                                                                         "gd-anim")
    assert len(found) == 2, found
    return found


def _properties(site: Path) -> list[str]:
    """The custom properties the dark stylesheet sets on <body>, and the body's own colours."""
    names = {"background-color", "color", "color-scheme"}
    for rule in tinycss2.parse_stylesheet((site / STYLESHEET).read_text(), skip_comments=True):
        for token in getattr(rule, "content", None) or []:
            if token.type == "ident" and token.value.startswith("--md-"):
                names.add(token.value)
    return sorted(names)


LOOK = """names => ({
  colours: Object.fromEntries(names.map(n => [n, getComputedStyle(document.body).getPropertyValue(n).trim()])),
  figures: [...document.querySelectorAll('.gd-figure img')]
    .filter(i => i.getBoundingClientRect().width > 0 && getComputedStyle(i).display !== 'none')
    .map(i => i.getAttribute('src')),
  scheme: document.body.getAttribute('data-md-color-scheme'),
})"""


@pytest.fixture(scope="module")
def looks(browser_context, site: Path, base_url: str, pages: list[str]) -> dict:
    """{(javascript, scheme, page): what the reader sees}, in a tab of the session's browser
    (JavaScript switched off through the DevTools protocol, as Playwright's own option does)."""
    names = _properties(site)
    seen = {}
    for javascript in (False, True):
        page = browser_context.new_page()
        try:
            if not javascript:
                browser_context.new_cdp_session(page).send(
                    "Emulation.setScriptExecutionDisabled", {"value": True})
            for scheme in ("dark", "light"):
                page.emulate_media(color_scheme=scheme)
                for path in pages:
                    page.goto(base_url + path, wait_until="load")
                    seen[javascript, scheme, path] = page.evaluate(LOOK, names)
        finally:
            page.close()
    return seen


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_without_javascript_the_colours_are_those_of_the_preferred_scheme(looks, pages, scheme):
    for path in pages:
        without, with_js = looks[False, scheme, path], looks[True, scheme, path]
        assert with_js["scheme"] == {"dark": "slate", "light": "default"}[scheme]
        assert without["scheme"] == "default"  # material's first palette: no script changed it
        differ = {n: (without["colours"][n], with_js["colours"][n]) for n in with_js["colours"]
                  if without["colours"][n] != with_js["colours"][n]}
        assert not differ, f"{path} ({scheme}, JavaScript off vs on): {differ}"


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_without_javascript_the_figures_are_those_of_the_preferred_scheme(looks, pages, scheme):
    for path in pages:
        figures = looks[False, scheme, path]["figures"]
        assert figures, f"{path}: no figure shown without JavaScript"
        dark = [src.endswith(".dark.png") for src in figures]
        assert all(dark) if scheme == "dark" else not any(dark), (path, scheme, figures)


def test_only_a_reader_without_javascript_loads_the_dark_stylesheet(page_html, site):
    """Every page links it inside <noscript>, and the file the build wrote holds material's slate
    colours for a dark-preferring system."""
    link = '<noscript><link rel="stylesheet" href="'
    for path, html in page_html.items():
        start = html.find(link)
        assert start > 0 and STYLESHEET in html[start: html.index("</noscript>", start)], path
    css = (site / STYLESHEET).read_text()
    assert css.count("@media (prefers-color-scheme: dark)") == 1
    assert "color-scheme:dark" in css.replace(" ", "")
