"""Figures as readers see them, at 1280 px and on a 390 px phone, in light and dark.

For every figure of the pages that have figures (the lessons and one example page): the
displayed size of its smallest text, i.e. the smallest font the build recorded in the
example's manifest times the displayed width over the natural (CSS) width, is at least 12 CSS
px on a desktop and 9 on a phone; it has alt text and a caption "Figure N. ..." numbered in
page order. In dark mode, reached through material's palette toggle and through
prefers-color-scheme, every figure shows its dark twin (mean luminance dark) and hides the
light one. Two visits per page: desktop light then toggled dark, and phone with dark preferred.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from .browsing import ARTIFACTS, BROWSER, fail_on, relative_luminance

pytestmark = BROWSER

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
MIN_DESKTOP_PX = 12.0
MIN_PHONE_PX = 9.0
MAX_DARK_LUMINANCE = 0.2  # mean WCAG luminance of a dark figure (slate is ~0.015, white 1)

# Every gd-figure in the article: its images (shown or not), caption and number.
FIGURES_JS = """() => [...document.querySelectorAll('article figure.gd-figure')].map((f, i) => ({
  index: i,
  caption: (f.querySelector('figcaption') || {}).textContent || '',
  images: [...f.querySelectorAll('img')].map(img => ({
    src: img.getAttribute('src'), dark: img.classList.contains('gd-dark'),
    alt: img.getAttribute('alt') || '', shown: img.checkVisibility(),
    width: img.getBoundingClientRect().width, natural: Number(img.getAttribute('width')),
  })),
}))"""
WAIT_IMAGES_JS = """async () => {
  const imgs = [...document.querySelectorAll('article figure.gd-figure img')]
    .filter(img => img.checkVisibility());
  imgs.forEach(img => { img.loading = 'eager'; });
  await Promise.race([Promise.all(imgs.map(img => img.complete ? null : new Promise(done => {
    img.addEventListener('load', done); img.addEventListener('error', done); }))),
    new Promise(r => setTimeout(r, 10000))]);
}"""


@pytest.fixture(scope="module")
def figure_pages(site: Path, page_paths: list[str]) -> list[str]:
    """Pages with figures: every lesson, and the first example page (the others show the same
    figures in the same column)."""
    paths = [p for p in page_paths if (site / p / "index.html").is_file()
             and 'class="gd-figure"' in (site / p / "index.html").read_text(encoding="utf-8")]
    examples = [p for p in paths if p.startswith("examples/")]
    return [p for p in paths if not p.startswith("examples/")] + examples[:1]


@pytest.fixture(scope="module")
def fonts(site: Path) -> dict[str, float]:
    """Recorded smallest font (pt) of every figure file, light and dark, from the manifests."""
    found = {}
    for manifest in site.glob("figures/*/manifest.json"):
        for record in json.loads(manifest.read_text())["outputs"].values():
            if "min_font_pt" in record:
                for key in ("file", "still", "dark"):
                    if record.get(key):
                        found[f"{manifest.parent.name}/{record[key]}"] = record["min_font_pt"]
    return found


def _font_for(src: str, fonts: dict[str, float]) -> float | None:
    match = re.search(r"figures/([^/]+/[^/?#]+)$", src)
    return fonts.get(match[1]) if match else None


def _luminance(png: bytes) -> float:
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    return relative_luminance(rgb.reshape(-1, 3).mean(axis=0))


def _look(context, url: str, viewport: dict, scheme: str, toggle: bool, shot: Path) -> dict:
    page = context.new_page()
    try:
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=scheme)
        page.goto(url, wait_until="load")
        page.evaluate(WAIT_IMAGES_JS)
        seen = {"light": page.evaluate(FIGURES_JS)}
        if toggle:
            page.locator('form[data-md-component="palette"] label:not([hidden])').first.click()
            page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'",
                                   timeout=3000)
            page.evaluate(WAIT_IMAGES_JS)
        seen["scheme"] = page.evaluate("document.body.dataset.mdColorScheme")
        seen["dark"] = page.evaluate(FIGURES_JS)
        seen["luminance"] = []
        for i, figure in enumerate(page.locator("article figure.gd-figure").all()):
            image = figure.locator("img.gd-dark")
            if image.count() and image.first.is_visible():
                seen["luminance"].append((i, _luminance(image.first.screenshot())))
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=shot, type="jpeg", quality=70)
        return seen
    finally:
        page.close()


@pytest.fixture(scope="module")
def looks(browser_context, base_url: str, figure_pages: list[str]) -> dict[str, dict]:
    """Per page: the desktop visit (light, then dark by the toggle) and the phone visit (dark
    by prefers-color-scheme)."""
    result = {}
    for path in figure_pages:
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", path.strip("/")) or "index"
        result[path] = {
            "desktop": _look(browser_context, base_url + path, DESKTOP, "light", True,
                             ARTIFACTS / "figures" / f"{slug}-dark-1280.jpg"),
            "phone": _look(browser_context, base_url + path, PHONE, "dark", False,
                           ARTIFACTS / "figures" / f"{slug}-phone-390.jpg"),
        }
    return result


def test_pages_with_figures_were_found(figure_pages):
    assert len(figure_pages) >= 10, figure_pages


def test_figure_text_is_legible_where_shown(looks, fonts):
    problems = {}
    for path, visits in looks.items():
        items = []
        for where, state, least in (("desktop", "light", MIN_DESKTOP_PX),
                                    ("phone", "dark", MIN_PHONE_PX)):
            for figure in visits[where][state]:
                for img in figure["images"]:
                    if not img["shown"]:
                        continue
                    font = _font_for(img["src"], fonts)
                    if font is None or not img["natural"]:
                        items.append(f"{img['src']}: no recorded font or CSS width")
                        continue
                    shown = font * 100 / 72 * img["width"] / img["natural"]
                    if shown < least:
                        items.append(f"{where}: {img['src']} text shows at {shown:.1f} CSS px "
                                     f"(< {least:g}; {img['width']:.0f} of {img['natural']} px)")
        problems[path] = items
    fail_on(problems, "figure text too small where it is shown:")


def test_dark_scheme_shows_the_dark_twins(looks):
    problems = {}
    for path, visits in looks.items():
        items = []
        for where in ("desktop", "phone"):
            visit = visits[where]
            if visit["scheme"] != "slate":
                items.append(f"{where}: scheme is {visit['scheme']!r}, not slate")
            for figure in visit["dark"]:
                shown = [img for img in figure["images"] if img["shown"]]
                if [img["dark"] for img in shown] != [True]:
                    items.append(f"{where}: figure {figure['index'] + 1} shows "
                                 f"{[img['src'] for img in shown]}, not its dark twin alone")
            dark = [lum for _, lum in visit["luminance"]]
            if len(dark) != len(visit["dark"]):
                items.append(f"{where}: {len(dark)} of {len(visit['dark'])} dark twins measured")
            items += [f"{where}: figure {i + 1} has mean luminance {lum:.2f}"
                      for i, lum in visit["luminance"] if lum > MAX_DARK_LUMINANCE]
        problems[path] = items
    fail_on(problems, "in dark mode (palette toggle, prefers-color-scheme) figures must be dark:")


def test_light_scheme_shows_the_light_figures(looks):
    problems = {
        path: [f"figure {f['index'] + 1} shows {[i['src'] for i in f['images'] if i['shown']]}"
               for f in visits["desktop"]["light"]
               if [i["dark"] for i in f["images"] if i["shown"]] != [False]]
        for path, visits in looks.items()
    }
    fail_on(problems, "in the light scheme each figure must show its light image alone:")


def test_every_figure_has_alt_text_and_a_numbered_caption(looks):
    problems = {}
    for path, visits in looks.items():
        items = []
        for number, figure in enumerate(visits["desktop"]["light"], start=1):
            caption = " ".join(figure["caption"].split())
            if not caption.startswith(f"Figure {number}. "):
                items.append(f"figure {number}: caption {caption[:60]!r}")
            elif len(caption.split("Drawn by")[0]) < len(f"Figure {number}. ") + 20:
                items.append(f"figure {number}: caption says nothing: {caption[:80]!r}")
            items += [f"figure {number}: {img['src']} has no alt text"
                      for img in figure["images"] if len(img["alt"].split()) < 3]
        problems[path] = items
    fail_on(problems, "figures need alt text and a caption 'Figure N. <what to notice>':")
