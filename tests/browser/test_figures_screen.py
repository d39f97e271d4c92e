"""Figures as readers see them, at 1280 px and on a 390 px phone, in light and dark.

For every figure on every page: the displayed size of its smallest text, i.e. the smallest font
the build recorded in the example's manifest times the displayed width over the natural (CSS)
width, is at least 12 CSS px on a desktop and 9 on a phone; it has alt text and a caption
"Figure N. ..." numbered in page order. In dark mode, reached through material's palette toggle
(desktop) and through prefers-color-scheme (phone), every figure shows its dark twin alone, and
that twin is dark (mean luminance of the file served).

No visits of its own: the figures are read in the visits test_pages.py (1280 px, light, then the
toggle) and test_screens.py (390 px, dark preferred) make anyway. Sizes come from layout, since
every figure's <img> carries width and height.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .browsing import BROWSER, fail_on, file_legibility, site_file

pytestmark = BROWSER

MIN_DESKTOP_PX = 12.0
MIN_PHONE_PX = 9.0
# Luminance of a figure's mean colour: dark twins measure 0.02-0.20 (a filled colour map is the
# brightest), light figures 0.48 (a filled colour map) to 0.95; slate is ~0.015, white 1.
MAX_DARK_LUMINANCE = 0.25


@pytest.fixture(scope="session")
def looks(page_visits, screen_visits) -> dict[str, dict]:
    """Per page of this shard with figures: {"desktop": {"light", "dark"}, "phone": {"dark"}}."""
    phone = screen_visits["phone-dark"]
    return {
        v.path: {"desktop": v.figures, "phone": {"dark": phone.get(v.path, {}).get("figures", [])}}
        for v in page_visits if v.figures.get("light")
    }


@pytest.fixture(scope="session")
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


def test_pages_with_figures_were_found(page_html):
    with_figures = [p for p, html in page_html.items() if 'class="gd-figure"' in html]
    assert len(with_figures) >= 10, with_figures


def test_every_figure_page_was_looked_at(looks, page_html, shard_paths):
    """The figure data of the visits covers this shard's pages with figures (on both screens)."""
    wanted = {p for p in shard_paths if 'class="gd-figure"' in page_html.get(p, "")}
    fail_on({p: ["no figures recorded at 1280 px" if p not in looks else
                 "no figures recorded on the phone"]
             for p in wanted if p not in looks or not looks[p]["phone"]["dark"]},
            "pages whose figures the visits did not record:")


def test_figure_text_is_legible_where_shown(looks, fonts):
    problems = {}
    for path, visits in looks.items():
        items = []
        for where, state, least in (("desktop", "light", MIN_DESKTOP_PX),
                                    ("phone", "dark", MIN_PHONE_PX)):
            for figure in visits[where].get(state, []):
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


def test_dark_scheme_shows_the_dark_twins(looks, site, base_url):
    problems = {}
    for path, visits in looks.items():
        items = []
        for where in ("desktop", "phone"):
            for figure in visits[where].get("dark", []):
                shown = [img for img in figure["images"] if img["shown"]]
                if [img["dark"] for img in shown] != [True]:
                    items.append(f"{where}: figure {figure['index'] + 1} shows "
                                 f"{[img['src'] for img in shown]}, not its dark twin alone")
                    continue
                file = site_file(site, base_url, shown[0]["url"])
                if file is None or not file.is_file():
                    items.append(f"{where}: figure {figure['index'] + 1}: {shown[0]['src']} "
                                 "is not a file of the site")
                    continue
                mean = file_legibility(file)["mean"]
                if mean > MAX_DARK_LUMINANCE:
                    items.append(f"{where}: figure {figure['index'] + 1} has mean luminance "
                                 f"{mean:.2f}")
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
