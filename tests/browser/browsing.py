"""How a page is visited in the browser tests and what is recorded about it (no fixtures here)."""

from __future__ import annotations

import contextlib
import functools
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from sitetools import REPO, SITE_GROUP

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "test-artifacts"
# axe's rules that compare the computed colours of text (colour contrast; a link in a paragraph told
# apart by colour alone): their outcome comes from site-wide CSS, they are most of axe's time on a
# page (link-in-text-block half of it on a lesson), so they run on a sample of pages
# (conftest.contrast_sample) in light and dark mode, every other rule on every page.
COLOUR_RULES = ("color-contrast", "link-in-text-block")
VIEWPORT = {"width": 1280, "height": 900}
# Every browser test module: `pytestmark = BROWSER` (one browser and one site build per run).
BROWSER = [pytest.mark.browser, pytest.mark.xdist_group(SITE_GROUP)]


@dataclass
class PageVisit:
    """Everything recorded while loading one page (light scheme), for the tests to assert on."""

    path: str  # site-relative URL path, '' for the home page
    url: str
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    raw_math: list[str] = field(default_factory=list)
    math_source: int = 0  # formulas arithmatex marked in the Markdown
    math_rendered: int = 0  # of them, rendered to MathML by the build
    math_blank: int = 0  # MathML formulas drawn with no size (formula shows as a gap)
    screenshot: Path | None = None
    dark: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)  # "light"/"dark": FIGURES_JS before/after the toggle
    layout: list[str] = field(default_factory=list)  # layout_problems in dark mode, 1280 px
    players: list[tuple[str, str]] = field(default_factory=list)  # (GIF, state) of shown players
    axe: list[dict] = field(default_factory=list)  # serious/critical violations, light scheme
    contrast_checked: bool = False  # axe's COLOUR_RULES ran (a sample of pages)
    layout_shift: float = 0.0  # cumulative layout shift while loading (no input)
    shared: dict[str, int] = field(default_factory=dict)  # CSS/JS/fonts/data: url path -> bytes
    error: str | None = None  # the visit itself failed (timeout, crash)

    def __repr__(self) -> str:  # keeps pytest's failure output about the page, not the record
        return f"PageVisit(/{self.path})"


# Waits until every <img> settled (lazy ones forced eager), then describes them.
IMAGES_JS = """async () => {
  const imgs = [...document.images];
  imgs.forEach(img => { img.loading = 'eager'; });
  const settle = img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done);
  });
  await Promise.race([Promise.all(imgs.map(settle)), new Promise(r => setTimeout(r, 10000))]);
  return imgs.map(img => ({
    src: img.getAttribute('src'), current: img.currentSrc, width: img.naturalWidth,
    alt: img.getAttribute('alt'), in_content: !!img.closest('article'),
    in_figure: !!img.closest('figure'), visible: img.checkVisibility(),
  }));
}"""

# [formulas arithmatex marked, of them rendered as MathML during the build, formulas drawn with no
# width or height (a formula that shows as a gap)].
MATH_COUNT_JS = """() => {
  const marked = [...document.querySelectorAll('.arithmatex')];
  const maths = marked.map(el => el.querySelector(':scope > math')).filter(Boolean);
  const blank = maths.filter(m => { const r = m.getBoundingClientRect();
    return m.checkVisibility() && (r.width === 0 || r.height === 0); });
  return [marked.length, maths.length, blank.length];
}"""

# Visible text outside code, i.e. what a reader sees as prose; raw TeX here means math did not render.
VISIBLE_TEXT_JS = """() => {
  const skip = 'code, pre, kbd, samp, script, style, noscript, textarea, math';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest(skip) || !el.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""

# The distinct images shown in the content, at least 40 px each way (at most MAX_FIGURES_PER_PAGE:
# the gallery repeats thumbnails). What an image looks like is read from its file in the built site.
MAX_FIGURES_PER_PAGE = 20
SHOWN_IMAGES_JS = """(limit) => {
  const seen = new Set();
  return [...document.querySelectorAll('article img')]
    .filter(img => img.checkVisibility() && img.naturalWidth > 0)
    .filter(img => { const r = img.getBoundingClientRect(); return r.width >= 40 && r.height >= 40; })
    .map(img => img.currentSrc)
    .filter(src => !seen.has(src) && seen.add(src))
    .slice(0, limit);
}"""

# Every gd-figure in the article: its images (shown or not), caption and number. Sizes come from
# layout (the <img> has width and height attributes), so nothing needs to have loaded.
FIGURES_JS = """() => [...document.querySelectorAll('article figure.gd-figure')].map((f, i) => ({
  index: i,
  caption: (f.querySelector('figcaption') || {}).textContent || '',
  images: [...f.querySelectorAll('img')].map(img => ({
    src: img.getAttribute('src'), url: img.src, dark: img.classList.contains('gd-dark'),
    alt: img.getAttribute('alt') || '', shown: img.checkVisibility(),
    width: img.getBoundingClientRect().width, natural: Number(img.getAttribute('width')),
  })),
}))"""

# The boxes that scroll sideways (as overflow.js lists them) and whether each has the cue.
OVERFLOW_JS = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const boxes = '.md-typeset__scrollwrap:not(.md-typeset__table *), .md-typeset div.arithmatex, .md-typeset .katex-display, '
    + '.md-typeset .gd-math-display, .md-typeset :not(.arithmatex, .katex-mathml) > math[display=block], '
    + '.md-typeset pre > code, '
    + '.md-typeset .gd-wide-inline';
  const name = el => el.tagName.toLowerCase() + (el.className ? '.' + [...el.classList].join('.') : '')
    + ' "' + el.textContent.trim().slice(0, 40) + '"';
  const found = [];
  for (const el of document.querySelectorAll(boxes)) {
    if (!el.checkVisibility() || el.scrollWidth <= el.clientWidth + 1) continue;
    el.scrollLeft = 0;
    el.dispatchEvent(new Event('scroll'));
    const style = getComputedStyle(el);
    found.push({what: name(el), scrolls: ['auto', 'scroll'].includes(style.overflowX),
                marked: el.classList.contains('gd-overflow') && el.classList.contains('gd-overflow--end'),
                cue: /gradient/.test(style.maskImage || style.webkitMaskImage || ''),
                focusable: el.tabIndex >= 0});
  }
  return {page: document.documentElement.scrollWidth, viewport: innerWidth,
          scheme: document.body.dataset.mdColorScheme, boxes: found};
}"""


def layout_problems(layout: dict, scheme: str) -> list[str]:
    """What OVERFLOW_JS found wrong: the scheme, a page wider than the screen, a wide box without
    its scroll cue."""
    found = []
    if layout["scheme"] != scheme:
        found.append(f"colour scheme is {layout['scheme']}, not {scheme}")
    if layout["page"] > layout["viewport"]:
        found.append(f"page is {layout['page']} px wide on a {layout['viewport']} px screen")
    for box in layout["boxes"]:
        missing = [k for k in ("scrolls", "marked", "cue", "focusable") if not box[k]]
        if missing:
            found.append(f"{box['what']} is wider than its box; missing: {', '.join(missing)}")
    return found


# (GIF, state) of every animation player shown (state is set once the player started).
PLAYERS_JS = """async () => {
  const shown = () => [...document.querySelectorAll('.gd-anim')].filter(a => a.checkVisibility());
  for (let i = 0; i < 50 && !shown().every(a => a.dataset.state); i++)
    await new Promise(r => setTimeout(r, 100));
  return shown().map(a => [a.dataset.gif, a.dataset.state || 'not started']);
}"""

# Layout shifts without recent input, summed from the first paint (a buffered observer set up
# before the page's own scripts), read once fonts are loaded and the page had a moment to settle.
# A shift whose every source had no box before (Chromium sometimes reports the footer of a short
# page "moving" from an empty rectangle at 0,0 as parsing reaches it) moved nothing the reader
# saw, and is not counted.
OBSERVE_SHIFTS_JS = """window.__layoutShift = 0;
const seen = r => r && r.width * r.height > 0;
new PerformanceObserver(list => {
  for (const e of list.getEntries()) {
    const sources = e.sources || [];
    if (e.hadRecentInput || (sources.length && !sources.some(s => seen(s.previousRect)))) continue;
    window.__layoutShift += e.value;
  }
}).observe({type: 'layout-shift', buffered: true});"""
LAYOUT_SHIFT_JS = """async () => {
  await document.fonts.ready;
  await new Promise(r => setTimeout(r, 300));
  return window.__layoutShift;
}"""

RAW_MATH = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\$[^$\n]{0,80}[\\^_][^$\n]{0,80}\$")


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", path.strip("/")) or "index"


def relative_luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour given as 0-255 ints."""

    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def figure_legibility(image: bytes) -> dict:
    """Luminance of a figure's background (its border ring), the contrast ratio between that
    background and its ink (the 0.5 % of pixels farthest from it) and the luminance of its mean
    colour, from the image file (PNG, GIF: its first frame, JPEG)."""
    import numpy as np
    from PIL import Image

    srgb = np.asarray(Image.open(io.BytesIO(image)).convert("RGB"), dtype=float)[2:-2, 2:-2] / 255
    linear = np.where(srgb <= 0.03928, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    lum = linear @ np.array([0.2126, 0.7152, 0.0722])
    background = float(np.median(np.concatenate([lum[0], lum[-1], lum[:, 0], lum[:, -1]])))
    mean = relative_luminance(srgb.reshape(-1, 3).mean(axis=0) * 255)  # of the mean colour
    ink = float(np.percentile(lum, 0.5 if background > 0.5 else 99.5))
    hi, lo = max(background, ink), min(background, ink)
    return {
        "background": round(background, 3),
        "ink": round(ink, 3),
        "contrast": round((hi + 0.05) / (lo + 0.05), 2),
        "mean": round(mean, 3),
    }


@functools.cache
def file_legibility(file: Path) -> dict:
    """figure_legibility of a built file, computed once per worker (a figure is looked at on its
    lesson and its example page, at 1280 px and on the phone)."""
    return figure_legibility(file.read_bytes())


@functools.cache
def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _serious_axe(page, rules: list[str] | None = None, skip: tuple[str, ...] = ()) -> list[dict]:
    """axe-core's serious and critical violations on the page (all rules but `skip`, or only
    `rules`)."""
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    if skip:
        options["rules"] = {rule: {"enabled": False} for rule in skip}
    response = _axe().run(page, options=options).response
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [" ".join(map(str, n["target"])) for n in v["nodes"][:5]],
            "count": len(v["nodes"]),
        }
        for v in response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


class Tab:
    """One browser tab that visits page after page. A new tab per visit costs about a third more
    CPU (Chromium starts a renderer for it). Each visit gets the tab with its own listeners, at the
    viewport and media it asks for, and ends on about:blank with its listeners removed, so nothing
    of one visit (a late request, a console message) reaches the next; a visit that failed
    (``discard``) leaves a fresh tab to the next."""

    def __init__(self, context):
        self.context = context
        self.page = None

    @contextlib.contextmanager
    def open(self, listeners: list[tuple[str, Callable]], viewport: dict = VIEWPORT,
             color_scheme: str = "light", reduced_motion: str = "no-preference") -> Iterator:
        if self.page is None:
            self.page = self.context.new_page()
            self.page.add_init_script(OBSERVE_SHIFTS_JS)
        page = self.page
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=color_scheme, reduced_motion=reduced_motion)
        for event, handler in listeners:
            page.on(event, handler)
        try:
            yield page
        finally:
            for event, handler in listeners:
                page.remove_listener(event, handler)
            if self.page is page:
                try:
                    page.goto("about:blank")
                except Exception:  # a tab that cannot even leave the page is not reused
                    self.discard()

    def discard(self) -> None:
        if self.page is not None:
            self.page.close()
            self.page = None


def visit(tab: Tab, base_url: str, path: str, contrast: bool = False,
          site: Path | None = None) -> PageVisit:
    """Load one page and record requests, errors, layout shift, images, math, a screenshot, axe
    (its COLOUR_RULES only if `contrast`, then in light and dark mode), dark mode and the
    bytes of what it loads besides its HTML and images (read from `site`)."""
    url = base_url + path
    record = PageVisit(path=path, url=url)
    loaded: list[tuple[str, str]] = []  # (url, resource type) of every response

    def response(resp):
        loaded.append((resp.url, resp.request.resource_type))
        if resp.status >= 400:
            record.failed_requests.append(f"{resp.url} (HTTP {resp.status})")

    listeners = [
        ("request", lambda req: record.requests.append(req.url)),
        ("requestfailed", lambda req: record.failed_requests.append(f"{req.url} ({req.failure})")),
        ("response", response),
        ("console", lambda msg: msg.type == "error" and record.console_errors.append(msg.text)),
        ("pageerror", lambda exc: record.console_errors.append(f"uncaught: {exc}")),
    ]
    with tab.open(listeners) as page:
        try:
            page.goto(url, wait_until="load")
            # before anything scrolls or clicks
            record.layout_shift = page.evaluate(LAYOUT_SHIFT_JS)
            record.images = page.evaluate(IMAGES_JS)
            record.figures["light"] = page.evaluate(FIGURES_JS)
            record.players = [tuple(p) for p in page.evaluate(PLAYERS_JS)]
            math = page.evaluate(MATH_COUNT_JS)
            record.math_source, record.math_rendered, record.math_blank = math
            text = page.evaluate(VISIBLE_TEXT_JS)
            record.raw_math = sorted({m.group(0) for m in RAW_MATH.finditer(text)})
            shot = ARTIFACTS / "light" / f"{_slug(path)}.jpg"
            shot.parent.mkdir(parents=True, exist_ok=True)
            # JPEG: about twice as fast as PNG
            page.screenshot(path=shot, full_page=True, type="jpeg", quality=70)
            record.screenshot = shot
            record.axe = _serious_axe(page, skip=() if contrast else COLOUR_RULES)
            record.contrast_checked = contrast
            record.dark = _dark_mode(page, site, base_url)
            record.figures["dark"] = page.evaluate(FIGURES_JS)
            record.layout = layout_problems(page.evaluate(OVERFLOW_JS), "slate")
            dark_shot = ARTIFACTS / "dark" / f"{_slug(path)}.jpg"
            dark_shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=dark_shot, full_page=True, type="jpeg", quality=70)
            if contrast and record.dark["scheme"] == "slate":
                record.dark["axe"] = _serious_axe(page, rules=list(COLOUR_RULES))
            try:  # the search worker fetches its index after load
                page.wait_for_load_state("networkidle", timeout=5000)
            except Exception:  # an animation still loading: what arrived so far is counted
                pass
            record.shared = shared_bytes(site, base_url, loaded)
        except Exception as exc:  # reported by test_every_page_loads; the other pages still run
            record.error = f"{type(exc).__name__}: {exc}".splitlines()[0]
            tab.discard()
    return record


def toggle_palette(page, scheme: str) -> str | None:
    """Click material's palette toggle in the header and wait (up to 3 s) for ``scheme``
    ('slate' or 'default'); an error message if there is no toggle."""
    toggle = page.locator('form[data-md-component="palette"] label:not([hidden])')
    if toggle.count() == 0:
        return "no palette toggle in the header"
    toggle.first.click()
    try:
        page.wait_for_function(f"document.body.dataset.mdColorScheme === '{scheme}'",
                               timeout=3000)
    except Exception:  # reported by the tests through the scheme the page shows
        pass
    return None


def _dark_mode(page, site: Path | None, base_url: str) -> dict:
    """Click the palette toggle; report the scheme reached and how legible each image shown is
    there (read from the file served, see figure_legibility)."""
    error = toggle_palette(page, "slate")
    if error:
        return {"scheme": None, "figures": [], "error": error}
    figures = []
    for src in page.evaluate(SHOWN_IMAGES_JS, MAX_FIGURES_PER_PAGE):
        file = site_file(site, base_url, src)
        if file is not None and file.is_file():
            figures.append({"src": src, **file_legibility(file)})
    return {"scheme": page.evaluate("document.body.dataset.mdColorScheme"), "figures": figures}


def site_file(site: Path | None, base_url: str, url: str) -> Path | None:
    """The built file a same-site URL serves (a directory URL serves its index.html)."""
    if site is None or not url.startswith(base_url):
        return None
    rel = unquote(urlsplit(url).path)[len(urlsplit(base_url).path):]
    path = site / rel
    return path / "index.html" if path.is_dir() or not rel or rel.endswith("/") else path


def shared_bytes(site: Path | None, base_url: str, loaded: list[tuple[str, str]]) -> dict[str, int]:
    """Bytes of what a page loads besides its own HTML and images (CSS, JS, fonts, search data),
    by site-relative path, read from the built files."""
    found = {}
    base = urlsplit(base_url).path
    for url, kind in loaded:
        path = site_file(site, base_url, url)
        rel = unquote(urlsplit(url).path)[len(base):]
        if kind in ("document", "image") or path is None:
            continue
        if rel.startswith("figures/"):  # the page's own figures (the player fetches its GIF)
            continue
        found[rel] = path.stat().st_size if path.is_file() else 0
    return found


def is_local(url: str, base_url: str) -> bool:
    """True for requests the reader's browser makes to the site itself (or inline data)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    return parts.scheme in ("data", "blob", "about") or parts.netloc == base.netloc


def fail_on(problems: dict[str, list], title: str) -> None:
    """Fail listing every offending page and its items, if any page has any."""
    problems = {page: items for page, items in problems.items() if items}
    if problems:
        lines = [title.rstrip(":") + ":"]
        for page, items in problems.items():
            lines.append(f"  /{page}")
            lines.extend(f"      {item}" for item in items)
        pytest.fail("\n".join(lines), pytrace=False)
