"""One page on one screen (viewport, colour scheme, reduced motion): what is wrong there, and its
figures as laid out there. The visits are shared by test_screens.py and test_figures_screen.py
(fixture ``screen_visits`` in conftest.py)."""

from __future__ import annotations

from .browsing import (
    ARTIFACTS,
    FIGURES_JS,
    IMAGES_JS,
    OVERFLOW_JS,
    Tab,
    _slug,
    layout_problems,
    toggle_palette,
)

# The desktop is test_pages.py's visit (1280 px light, then dark by the palette toggle: the same
# layout checks, the dark screenshot); animations start paused on the light phone (reduced
# motion) and playing on the dark one, and their button plays and pauses them on both.
SCREENS = {  # name: (viewport, colour scheme, reduced motion, screenshot folder)
    "phone-light": ({"width": 390, "height": 844}, "light", "reduce", "phone"),
    "phone-dark": ({"width": 390, "height": 844}, "dark", "no-preference", None),
}

# For every <img> showing a GIF (reduced motion: its <picture> shows the still): what the reader
# gets, and the figure's visible links to the GIF.
GIF_FIGURES_JS = """() => [...document.querySelectorAll('img')]
  .filter(img => /\\.gif$/i.test(new URL(img.getAttribute('src'), location.href).pathname))
  .map(img => {
    const figure = img.closest('figure') || img.parentElement;
    const links = [...figure.querySelectorAll('a[href]')]
      .filter(a => /\\.gif$/i.test(new URL(a.href).pathname) && a.checkVisibility())
      .map(a => ({href: a.href, text: a.textContent.trim()}));
    const reduced = img.closest('picture') && [...img.closest('picture').querySelectorAll('source')]
      .some(s => /prefers-reduced-motion:\\s*reduce/.test(s.media || ''));
    return {src: img.getAttribute('src'), current: img.currentSrc, width: img.naturalWidth,
            reduced_source: !!reduced, play_links: links};
  })"""

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
    before = _animations(page, 300)
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
    later = _animations(page, 400)  # about five frames at gd.gif's 12 fps
    for a, b in zip(paused, later, strict=True):
        if a["state"] != "paused" or a["button"] != "Play":
            found.append(f"{a['gif']}: the Pause button left it {a['state']}")
        elif (a["frame"], a["pixels"]) != (b["frame"], b["pixels"]):
            found.append(f"{a['gif']}: paused, yet the picture kept changing")
    return found


def _look(page, path: str, screen: str, gifs: list[str], animated: bool) -> dict:
    """What is wrong on the page as it is now shown on ``screen`` (whose viewport and media it
    has), its figures and, under reduced motion, its GIF figures; plays and pauses animations."""
    _, scheme, motion, folder = SCREENS[screen]
    result = {"problems": [], "figures": [], "gif_figures": []}
    found = layout_problems(page.evaluate(OVERFLOW_JS), "slate" if scheme == "dark" else "default")
    if folder:
        shot = ARTIFACTS / folder / f"{_slug(path)}.jpg"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=shot, full_page=True, type="jpeg", quality=70)
    result["figures"] = page.evaluate(FIGURES_JS)
    if motion == "reduce":
        page.evaluate(IMAGES_JS)  # every image settled, lazy ones included
        result["gif_figures"] = page.evaluate(GIF_FIGURES_JS)
    # a GIF is fetched only to be played: not for a still (reduced motion, the dark scheme)
    found += [f"fetched {url.rsplit('/', 2)[-2:]} before any animation was played"
              for url in gifs if motion == "reduce" or scheme == "dark"]
    if animated:
        found += _check_animations(page, reduced=motion == "reduce")
    result["problems"] = found
    return result


def visit_phone(tab: Tab, base_url: str, path: str, animated: bool) -> dict[str, dict]:
    """One page on every screen of SCREENS: ``{screen: {"problems": [what is wrong there],
    "figures": FIGURES_JS, "gif_figures": GIF_FIGURES_JS}}`` (GIF figures under reduced motion).

    A page with animations (``animated``: GIFs or players) is loaded once per screen, since how
    they start depends on the media the page loads with. Any other page is loaded once, dark
    preferred (material's scheme from prefers-color-scheme), and then switched to light by the
    palette toggle for the light phone: a third of the page loads, the same checks."""
    if animated:
        return {screen: _visit(tab, base_url, path, [screen], True)[screen] for screen in SCREENS}
    return _visit(tab, base_url, path, ["phone-dark", "phone-light"], False)


def _visit(tab: Tab, base_url: str, path: str, screens: list[str], animated: bool):
    """Load the page with the first screen's viewport and media, look at it there, then toggle
    the palette to each following screen's scheme (same viewport) and look again."""
    gifs: list[str] = []
    listeners = [("request", lambda req: req.url.lower().endswith(".gif") and gifs.append(req.url))]
    results = {}
    viewport, scheme, motion, _ = SCREENS[screens[0]]
    with tab.open(listeners, viewport, scheme, motion) as page:
        try:
            page.goto(base_url + path, wait_until="load")
            for i, screen in enumerate(screens):
                if i:
                    _, scheme, motion, _ = SCREENS[screen]
                    page.emulate_media(color_scheme=scheme, reduced_motion=motion)
                    error = toggle_palette(page, "slate" if scheme == "dark" else "default")
                    if error:
                        results[screen] = {"problems": [error], "figures": [], "gif_figures": []}
                        continue
                results[screen] = _look(page, path, screen, gifs, animated)
        except Exception as exc:  # one broken page must not hide the others
            problem = f"the visit failed: {type(exc).__name__}: {exc}".splitlines()[0]
            for screen in screens:
                results.setdefault(screen, {"problems": [problem], "figures": [],
                                            "gif_figures": []})
            tab.discard()
    return results
