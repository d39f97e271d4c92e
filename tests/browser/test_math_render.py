"""Math is on the page before any script runs, the page does not jump, and what every page loads
besides its own HTML and figures stays small.

With JavaScript off a page is exactly its HTML, so that half is checked on the built files (no raw
TeX in the text a reader sees, every formula as MathML). Layout shift and the bytes of CSS, JS,
fonts and search data are measured in the one visit per page at 1280 px (``page_visits``), and
the page-weight table is printed and saved to test-artifacts/page-weight-<shard>.txt.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sitetools import html_pages, page_url_path, parsed, text_outside

from .browsing import ARTIFACTS, BROWSER, RAW_MATH, fail_on

pytestmark = BROWSER

MAX_LAYOUT_SHIFT = 0.02
MAX_SHARED_KB = 600  # CSS, JS, fonts, search index: everything but the page's HTML and images
TEX_COMMANDS = ("\\frac", "\\(", "\\[", "$$")
# Text a reader does not see as prose: code, scripts, and the MathML itself.
NOT_PROSE = ["code", "pre", "kbd", "samp", "script", "style", "noscript", "textarea", "template",
             "math"]


def _without_javascript(soup) -> tuple[list[str], int, int]:
    """(raw TeX found in the prose, formulas arithmatex marked, of them holding MathML) of a
    parsed page."""
    marked = soup.select(".arithmatex")
    rendered = [el for el in marked if el.find("math", recursive=False)]
    text = text_outside(soup.body or soup, set(NOT_PROSE))
    found = {m.group(0) for m in RAW_MATH.finditer(text)} | {c for c in TEX_COMMANDS if c in text}
    return sorted(found), len(marked), len(rendered)


@pytest.fixture(scope="module")
def static_pages(site) -> dict[str, tuple[list[str], int, int]]:
    return {page_url_path(site, page): _without_javascript(parsed(page))
            for page in html_pages(site)}


def test_no_raw_tex_without_javascript(static_pages):
    fail_on({path: raw for path, (raw, _, _) in static_pages.items()},
            "raw TeX in the text of the HTML (what shows with JavaScript off):")


def test_every_formula_is_mathml_without_javascript(static_pages):
    fail_on({path: [f"{marked - rendered} of {marked} formulas are not MathML"]
             for path, (_, marked, rendered) in static_pages.items() if rendered < marked},
            "formulas not rendered in the HTML:")


def test_pages_with_formulas_have_some(static_pages):
    """The check above is not vacuous: the lessons' math reaches the pages."""
    assert sum(1 for _, _, rendered in static_pages.values() if rendered) >= 10


def test_the_tex_check_sees_tex():
    raw, marked, rendered = _without_javascript(BeautifulSoup(
        '<body><p>where \\(\\frac{1}{2}\\) is</p><span class="arithmatex">\\(x\\)</span>'
        '<span class="arithmatex"><math><mi>y</mi></math></span><code>\\(ok\\)</code></body>',
        "html.parser"))
    assert "\\(" in raw and "\\frac" in raw and (marked, rendered) == (2, 1)


def test_layout_shift_is_small(page_visits):
    fail_on({v.path: [f"cumulative layout shift {v.layout_shift:.3f} > {MAX_LAYOUT_SHIFT}"]
             for v in page_visits if v.layout_shift > MAX_LAYOUT_SHIFT},
            "pages that jump while loading (1280 px):")


def test_shared_bytes_stay_within_budget(page_visits, shard):
    lines = [f"{'page':<34} {'shared KB':>9} {'requests':>8} {'layout shift':>12}"]
    for v in page_visits:
        kb = sum(v.shared.values()) / 1024
        lines.append(f"/{v.path:<33} {kb:9.0f} {len(v.shared):8d} {v.layout_shift:12.4f}")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"page-weight-{shard}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines))
    measured = [v for v in page_visits if not v.error]
    assert measured and all(v.shared for v in measured), "no page's CSS/JS was measured"
    fail_on({v.path: [f"{sum(v.shared.values()) / 1024:.0f} KB of CSS, JS, fonts and data > "
                      f"{MAX_SHARED_KB} KB: " + ", ".join(
                          f"{k} {b // 1024} KB"
                          for k, b in sorted(v.shared.items(), key=lambda kv: -kv[1])[:6])]
             for v in measured if sum(v.shared.values()) / 1024 > MAX_SHARED_KB},
            "pages loading too much besides their HTML and figures:")
