"""Every page on a 390x844 phone and a 1280x800 desktop, light and dark: nothing makes the page
wider than the screen, whatever is wider than its box scrolls there with a visible cue, and every
animation can be paused (starting paused under prefers-reduced-motion).

The cue (docs/javascripts/overflow.js + docs/stylesheets/extra.css): a box whose content is wider
than it gets the class ``gd-overflow`` and, while content is hidden past its right edge,
``gd-overflow--end``, which fades that edge with a CSS mask; the test asserts the class and that
the computed ``mask-image`` is a gradient. The player (docs/javascripts/player.js): a ``.gd-anim``
figure gets a button and a frame slider; ``data-state`` says playing or paused.

On the phone a page with animations is loaded twice (light with reduced motion: animations start
paused and the button plays and pauses them; dark: no GIF is fetched, since the dark scheme shows
stills, and the button pauses them); any other page once, dark preferred, then light by the palette
toggle. The desktop is checked in test_pages.py's visit of every page, in dark mode after the
palette toggle. Screenshots of the phone (light) and desktop dark views go to
test-artifacts/phone and test-artifacts/dark.
"""

from __future__ import annotations

import pytest

from .browsing import BROWSER, fail_on
from .screens import SCREENS

pytestmark = BROWSER


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_page_fits_the_screen_and_animations_pause(screen_visits, screen):
    fail_on({path: v["problems"] for path, v in screen_visits[screen].items()},
            f"{screen} ({SCREENS[screen][0]['width']} px):")


def test_every_page_fits_the_desktop_in_dark_mode(page_visits):
    fail_on({v.path: v.layout for v in page_visits}, "desktop-dark (1280 px, palette toggle):")
