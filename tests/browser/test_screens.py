"""Every page on a 390x844 phone and a 1280x800 desktop, light and dark: nothing makes the page
wider than the screen, whatever is wider than its box scrolls there with a visible cue, and every
animation can be paused (starting paused under prefers-reduced-motion).

The cue (docs/javascripts/overflow.js + docs/stylesheets/extra.css): a box whose content is wider
than it gets the class ``gd-overflow`` and, while content is hidden past its right edge,
``gd-overflow--end``, which fades that edge with a CSS mask; the test asserts the class and that
the computed ``mask-image`` is a gradient. The player (docs/javascripts/player.js): a ``.gd-anim``
figure gets a button and a frame slider; ``data-state`` says playing or paused.

One load per page per screen (three per page), every check done in that visit. The phone visits in
dark mode also emulate reduced motion, so each animation is checked both ways. Screenshots of the
phone (light) and desktop dark visits go to test-artifacts/phone and test-artifacts/dark.
"""

from __future__ import annotations

import pytest

from .browsing import ARTIFACTS, BROWSER, _slug, fail_on

pytestmark = BROWSER

# A light desktop visit would repeat the others: the scheme changes colours, not layout (the
# dark desktop visit checks the desktop layout), animations play and pause on the light phone,
# and test_pages.py already loads every page at 1280 px light (axe, images, math, errors).
SCREENS = {  # name: (viewport, colour scheme, reduced motion, screenshot folder)
    "phone-light": ({"width": 390, "height": 844}, "light", "no-preference", "phone"),
    "phone-dark": ({"width": 390, "height": 844}, "dark", "reduce", None),
    "desktop-dark": ({"width": 1280, "height": 800}, "dark", "no-preference", "dark"),
}

# The boxes that scroll sideways (as overflow.js lists them) and whether each has the cue.
OVERFLOW_JS = """async () => {
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const boxes = '.md-typeset__scrollwrap, .md-typeset div.arithmatex, .md-typeset .katex-display, '
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

HOLD_MS = 3000  # longer than any frame of any animation is shown (gd.gif holds the last 1.5 s)

# Each animation's state, frame and a fingerprint of what its canvas shows.
# (Under the dark scheme a GIF figure shows its dark still, hidden players are not checked.)
ANIMATIONS_JS = """() => [...document.querySelectorAll('.gd-anim')].filter(a => a.checkVisibility())
  .map(a => {
  const canvas = a.querySelector('canvas');
  return {gif: a.dataset.gif, state: a.dataset.state || null,
          frame: a.querySelector('input[type=range]')?.value ?? null,
          button: a.querySelector('button')?.textContent.trim() ?? null,
          label: a.querySelector('button')?.getAttribute('aria-label') ?? null,
          pixels: canvas ? canvas.toDataURL() : null};
})"""


def _animations(page, wait_ms: int) -> list[dict]:
    page.wait_for_timeout(wait_ms)
    return page.evaluate(ANIMATIONS_JS)


def _check_animations(page, reduced: bool) -> list[str]:
    """Starts playing (paused under reduced motion); the button pauses it (and plays it)."""
    found = []
    if not page.locator(".gd-anim:visible").count():
        return found
    page.wait_for_function(
        "[...document.querySelectorAll('.gd-anim')].every(a => a.dataset.state)", timeout=5000)
    buttons = page.locator(".gd-anim:visible button")
    if reduced:
        first = _animations(page, 0)
        for a in first:
            if a["state"] != "paused" or a["pixels"] is not None:
                found.append(f"{a['gif']}: under reduced motion it starts {a['state']}"
                             f"{' and decoded frames' if a['pixels'] else ''}")
        for i in range(buttons.count()):
            buttons.nth(i).click()  # Play
    else:
        page.wait_for_function(
            "[...document.querySelectorAll('.gd-anim')].filter(a => a.checkVisibility())"
            ".every(a => a.querySelector('canvas'))",
            timeout=10000)
    before = _animations(page, 700)
    for a in before:
        if a["state"] != "playing" or a["button"] != "Pause" or not a["label"]:
            found.append(f"{a['gif']}: should be playing with a labelled Pause button, is {a}")
    try:  # every one moves on within a frame's time (the last frame is held longest, 1.5 s)
        page.wait_for_function(
            """(frames) => [...document.querySelectorAll('.gd-anim')]
                 .filter(a => a.checkVisibility())
                 .every((a, i) => a.querySelector('input[type=range]').value !== frames[i])""",
            arg=[a["frame"] for a in before], timeout=HOLD_MS)
    except Exception:
        moved = _animations(page, 0)
        for a, b in zip(before, moved, strict=True):
            if a["frame"] == b["frame"]:
                found.append(f"{a['gif']}: 'playing' but the frame did not change in "
                             f"{HOLD_MS / 1000:g} s")
    for i in range(buttons.count()):
        buttons.nth(i).click()  # Pause
    paused = _animations(page, 100)
    later = _animations(page, 800)
    for a, b in zip(paused, later, strict=True):
        if a["state"] != "paused" or a["button"] != "Play":
            found.append(f"{a['gif']}: the Pause button left it {a['state']}")
        elif (a["frame"], a["pixels"]) != (b["frame"], b["pixels"]):
            found.append(f"{a['gif']}: paused, yet the picture kept changing")
    return found


def visit_screen(context, base_url: str, path: str, screen: str) -> list[str]:
    """Load one page on one screen; return what is wrong there."""
    viewport, scheme, motion, folder = SCREENS[screen]
    page = context.new_page()
    try:
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=scheme, reduced_motion=motion)
        page.goto(base_url + path, wait_until="load")
        found = []
        layout = page.evaluate(OVERFLOW_JS)
        want = "slate" if scheme == "dark" else "default"
        if layout["scheme"] != want:
            found.append(f"colour scheme is {layout['scheme']}, not {want}")
        if layout["page"] > layout["viewport"]:
            found.append(f"page is {layout['page']} px wide on a {layout['viewport']} px screen")
        for box in layout["boxes"]:
            missing = [k for k in ("scrolls", "marked", "cue", "focusable") if not box[k]]
            if missing:
                found.append(f"{box['what']} is wider than its box; missing: {', '.join(missing)}")
        if folder:
            shot = ARTIFACTS / folder / f"{_slug(path)}.jpg"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shot, full_page=True, type="jpeg", quality=70)
        found += _check_animations(page, reduced=motion == "reduce")
        return found
    except Exception as exc:  # one broken page must not hide the others
        return [f"the visit failed: {type(exc).__name__}: {exc}".splitlines()[0]]
    finally:
        page.close()


@pytest.fixture(scope="session")
def screen_problems(browser_context, base_url, shard_paths) -> dict[str, dict[str, list[str]]]:
    """screen -> page -> problems, for this shard's pages."""
    return {
        screen: {path: visit_screen(browser_context, base_url, path, screen)
                 for path in shard_paths}
        for screen in SCREENS
    }


@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_page_fits_the_screen_and_animations_pause(screen_problems, screen):
    fail_on(screen_problems[screen], f"{screen} ({SCREENS[screen][0]['width']} px):")
