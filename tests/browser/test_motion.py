"""Animations respect `prefers-reduced-motion`: such a reader sees a still frame and a way to play it.

Chromium's media emulation switches the preference; every GIF figure must then show its still (a
<picture> source for the reduced-motion media query) and offer a visible link that plays the GIF.
The reduced-motion figures are read in test_screens.py's phone visit with reduced motion; the
default, in test_pages.py's visit."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from .browsing import BROWSER, fail_on, toggle_palette
from .screens import HOLD_MS

pytestmark = BROWSER

@pytest.fixture(scope="session")
def gif_pages(page_visits) -> list[str]:
    """This shard's pages that show a GIF figure."""
    return [v.path for v in page_visits if any(_is_gif(i["src"]) for i in v.images)]


def test_the_home_page_shows_a_gif(site):
    """So the motion tests below have something to check (each on its shard of the pages)."""
    html = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<img[^>]+src="[^"]+\.gif"', html), "the home page shows no GIF figure"


@pytest.fixture(scope="session")
def reduced_motion_figures(screen_visits, gif_pages) -> dict[str, list[dict]]:
    """GIF figures of every page that has one, as loaded with prefers-reduced-motion: reduce."""
    visits = screen_visits["phone-light"]
    return {path: visits[path]["gif_figures"] for path in gif_pages}


def _is_gif(url: str | None) -> bool:
    return bool(url) and url.split("?")[0].lower().endswith(".gif")


def test_animations_play_by_default(page_visits, gif_pages):
    problems = {
        v.path: [
            f"{img['src']} shows {img['current']}"
            for img in v.images
            if _is_gif(img["src"]) and not _is_gif(img["current"])
        ] + [f"the player of {gif} is {state}, not playing" for gif, state in v.players
             if state != "playing"]
        for v in page_visits
        if v.path in gif_pages
    }
    fail_on(problems, "without a motion preference the GIF should play:")


def test_reduced_motion_shows_a_still_frame(reduced_motion_figures):
    problems = {}
    for path, figures in reduced_motion_figures.items():
        items = []
        for fig in figures:
            if not fig["reduced_source"]:
                items.append(f"{fig['src']}: no <source media='(prefers-reduced-motion: reduce)'>")
            elif _is_gif(fig["current"]) or fig["width"] == 0:
                items.append(f"{fig['src']}: shows {fig['current']!r} (width {fig['width']})")
        problems[path] = items
    fail_on(problems, "with prefers-reduced-motion: reduce, GIF figures must show a still:")


def test_reduced_motion_offers_a_way_to_play(reduced_motion_figures, browser_context):
    problems = {}
    for path, figures in reduced_motion_figures.items():
        items = []
        for fig in figures:
            if not fig["play_links"]:
                items.append(f"{fig['src']}: no visible link to play the animation")
                continue
            link = fig["play_links"][0]
            response = browser_context.request.get(link["href"])
            if not response.ok:
                items.append(f"{link['href']}: HTTP {response.status}")
                continue
            frames = getattr(Image.open(io.BytesIO(response.body())), "n_frames", 1)
            if frames < 2:
                items.append(f"{link['href']}: not an animation ({frames} frame)")
        problems[path] = items
    fail_on(problems, "reduced-motion readers need a working link to play each animation:")


# The frame of every player on the page, and whether the player is shown.
PLAYER_FRAMES_JS = """() => [...document.querySelectorAll('.gd-anim')]
  .map(a => [a.checkVisibility(), a.querySelector('input[type=range]')?.value ?? null])"""


def test_a_player_hidden_by_the_dark_scheme_draws_no_frames(tab, base_url):
    """The light twin of a playing animation is hidden when the reader switches to the dark
    scheme (which shows the dark still): it stops drawing frames, and plays on once shown."""
    with tab.open([]) as page:
        page.goto(base_url)  # the home page plays a GIF figure
        page.wait_for_function("[...document.querySelectorAll('.gd-anim')].some(a => "
                               "a.dataset.state === 'playing' && a.querySelector('canvas'))",
                               timeout=10000)
        assert toggle_palette(page, "slate") is None
        page.wait_for_timeout(200)  # a frame already due may still be drawn
        hidden = page.evaluate(PLAYER_FRAMES_JS)
        assert hidden and not any(shown for shown, _ in hidden), hidden
        page.wait_for_timeout(HOLD_MS)  # longer than any frame is shown
        assert page.evaluate(PLAYER_FRAMES_JS) == hidden, "a hidden player kept drawing frames"
        assert toggle_palette(page, "default") is None
        page.wait_for_function("(before) => " + PLAYER_FRAMES_JS + "().some(([shown, frame], i)"
                               " => shown && frame !== before[i][1])", arg=hidden,
                               timeout=HOLD_MS)
