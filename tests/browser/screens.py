"""One page on one screen (viewport, colour scheme, reduced motion): what is wrong there, and its
figures as laid out there. The visits are shared by test_screens.py and test_figures_screen.py
(fixture ``screen_visits`` in conftest.py)."""

from __future__ import annotations

from .browsing import ARTIFACTS, FIGURES_JS, OVERFLOW_JS, _slug, layout_problems

# The desktop is test_pages.py's visit (1280 px light, then dark by the palette toggle: the same
# layout checks, the dark screenshot); animations play and pause on the light phone and start
# paused on the dark one (reduced motion).
SCREENS = {  # name: (viewport, colour scheme, reduced motion, screenshot folder)
    "phone-light": ({"width": 390, "height": 844}, "light", "no-preference", "phone"),
    "phone-dark": ({"width": 390, "height": 844}, "dark", "reduce", None),
}

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


def visit_screen(context, base_url: str, path: str, screen: str) -> dict:
    """Load one page on one screen: ``{"problems": [what is wrong there], "figures": FIGURES_JS}``."""
    viewport, scheme, motion, folder = SCREENS[screen]
    page = context.new_page()
    try:
        page.set_viewport_size(viewport)
        page.emulate_media(color_scheme=scheme, reduced_motion=motion)
        page.goto(base_url + path, wait_until="load")
        found = []
        found = layout_problems(page.evaluate(OVERFLOW_JS), "slate" if scheme == "dark" else "default")
        if folder:
            shot = ARTIFACTS / folder / f"{_slug(path)}.jpg"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=shot, full_page=True, type="jpeg", quality=70)
        figures = page.evaluate(FIGURES_JS)
        found += _check_animations(page, reduced=motion == "reduce")
        return {"problems": found, "figures": figures}
    except Exception as exc:  # one broken page must not hide the others
        return {"problems": [f"the visit failed: {type(exc).__name__}: {exc}".splitlines()[0]],
                "figures": []}
    finally:
        page.close()


