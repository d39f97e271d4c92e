"""Math is on the page before any script runs, the page does not jump, and what every page loads
besides its own HTML and figures stays small.

Two visits per page: one with JavaScript off (what is in the HTML: no raw TeX, every formula as
MathML), one as a reader loads it at 1280 px (layout shift and the bytes of CSS, JS and fonts).
The page-weight table is printed and saved to test-artifacts/page-weight.txt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from .browsing import ARTIFACTS, BROWSER, RAW_MATH, VISIBLE_TEXT_JS, fail_on

pytestmark = BROWSER

MAX_LAYOUT_SHIFT = 0.02
MAX_SHARED_KB = 600  # CSS, JS, fonts, search index: everything but the page's HTML and images
TEX_COMMANDS = ("\\frac", "\\(", "\\[", "$$")

# [formulas arithmatex marked, of them holding MathML, MathML elements drawn with no size]
MATHML_JS = """() => {
  const marked = [...document.querySelectorAll('article .arithmatex')];
  const rendered = marked.filter(el => el.querySelector(':scope > math'));
  const maths = [...document.querySelectorAll('article math')];
  const empty = maths.filter(m => { const r = m.getBoundingClientRect();
    return m.checkVisibility() && (r.width === 0 || r.height === 0); });
  return [marked.length, rendered.length, empty.length];
}"""

# Layout shifts without recent input, summed from the first paint (a buffered observer set up
# before the page's own scripts), read once fonts are loaded and the page had a moment to settle.
OBSERVE_SHIFTS_JS = """window.__layoutShift = 0;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) window.__layoutShift += e.value;
}).observe({type: 'layout-shift', buffered: true});"""
LAYOUT_SHIFT_JS = """async () => {
  await document.fonts.ready;
  await new Promise(r => setTimeout(r, 500));
  return window.__layoutShift;
}"""


@dataclass
class MathVisit:
    path: str
    raw_tex: list[str] = field(default_factory=list)
    marked: int = 0
    rendered: int = 0
    empty: int = 0
    layout_shift: float = 0.0
    shared: dict[str, int] = field(default_factory=dict)  # url path -> bytes
    error: str | None = None

    @property
    def shared_kb(self) -> float:
        return sum(self.shared.values()) / 1024


def _file_bytes(site: Path, base_url: str, url: str) -> int:
    rel = unquote(urlsplit(url).path)[len(urlsplit(base_url).path):]
    path = site / rel
    if path.is_dir() or rel.endswith("/") or not rel:
        path = path / "index.html"
    return path.stat().st_size if path.is_file() else 0


def _visit(context, site: Path, base_url: str, path: str) -> MathVisit:
    record = MathVisit(path)
    url = base_url + path
    try:
        # 1. JavaScript off: what the HTML itself shows.
        page = context.new_page()
        try:
            cdp = context.new_cdp_session(page)
            cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
            page.goto(url, wait_until="load")
            text = page.evaluate(VISIBLE_TEXT_JS)
            found = {m.group(0) for m in RAW_MATH.finditer(text)}
            found |= {c for c in TEX_COMMANDS if c in text}
            record.raw_tex = sorted(found)
            record.marked, record.rendered, record.empty = page.evaluate(MATHML_JS)
        finally:
            page.close()
        # 2. As a reader loads it: layout shift and the bytes shared by every page.
        page = context.new_page()
        responses: list[tuple[str, str]] = []
        page.on("response", lambda r: responses.append((r.url, r.request.resource_type)))
        try:
            page.add_init_script(OBSERVE_SHIFTS_JS)
            page.goto(url, wait_until="load")
            record.layout_shift = page.evaluate(LAYOUT_SHIFT_JS)
            try:  # the search worker fetches the index after load
                page.wait_for_load_state("networkidle", timeout=5000)
            except Exception:  # an animation still loading: what arrived so far is counted
                pass
        finally:
            page.close()
        for response_url, kind in responses:
            if kind in ("document", "image") or not response_url.startswith(base_url):
                continue
            rel = urlsplit(response_url).path[len(urlsplit(base_url).path):]
            record.shared[rel] = _file_bytes(site, base_url, response_url)
    except Exception as exc:  # reported by the tests; the other pages still run
        record.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    return record


@pytest.fixture(scope="module")
def math_visits(browser_context, site, base_url, page_paths) -> list[MathVisit]:
    visits = [_visit(browser_context, site, base_url, p) for p in page_paths]
    lines = [f"{'page':<34} {'shared KB':>9} {'requests':>8} {'layout shift':>12} {'formulas':>8}"]
    for v in visits:
        lines.append(f"/{v.path:<33} {v.shared_kb:9.0f} {len(v.shared):8d} "
                     f"{v.layout_shift:12.4f} {v.marked:8d}")
    biggest = max(visits, key=lambda v: v.shared_kb)
    lines.append(f"largest: /{biggest.path} loads " + ", ".join(
        f"{k} {b / 1024:.0f} KB" for k, b in sorted(biggest.shared.items(), key=lambda kv: -kv[1])))
    table = "\n".join(lines)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text(table + "\n", encoding="utf-8")
    print("\n" + table)
    return visits


def test_every_page_was_measured(math_visits):
    fail_on({v.path: [v.error] for v in math_visits if v.error}, "pages that failed to load:")


def test_no_raw_tex_without_javascript(math_visits):
    fail_on({v.path: v.raw_tex for v in math_visits}, "raw TeX in the visible text (JavaScript off):")


def test_every_formula_is_mathml_without_javascript(math_visits):
    problems = {
        v.path: [f"{v.marked - v.rendered} of {v.marked} formulas are not MathML"]
        for v in math_visits if v.rendered < v.marked
    }
    problems.update({
        v.path: [f"{v.empty} formulas drawn with no width or height"] for v in math_visits if v.empty
    })
    fail_on(problems, "formulas not rendered in the HTML:")


def test_pages_with_formulas_have_some(math_visits):
    """The check above is not vacuous: the lessons' math reaches the pages."""
    with_math = [v.path for v in math_visits if v.rendered]
    assert len(with_math) >= 10, with_math


def test_layout_shift_is_small(math_visits):
    problems = {
        v.path: [f"cumulative layout shift {v.layout_shift:.3f} > {MAX_LAYOUT_SHIFT}"]
        for v in math_visits if v.layout_shift > MAX_LAYOUT_SHIFT
    }
    fail_on(problems, "pages that jump while loading (1280 px):")


def test_shared_bytes_stay_within_budget(math_visits):
    problems = {
        v.path: [f"{v.shared_kb:.0f} KB of CSS, JS, fonts and data > {MAX_SHARED_KB} KB: "
                 + ", ".join(f"{k} {b // 1024} KB" for k, b in
                             sorted(v.shared.items(), key=lambda kv: -kv[1])[:6])]
        for v in math_visits if v.shared_kb > MAX_SHARED_KB
    }
    fail_on(problems, "pages loading too much besides their HTML and figures:")
