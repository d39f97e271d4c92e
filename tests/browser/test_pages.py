"""Every page of the built site, loaded in headless Chromium: offline, error-free, images and math shown,
legible in dark mode. Each test lists every offending page of its shard (the everyday tier's
pages, or the slow tier's: conftest.representative_pages)."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from sitetools import REPO

from .browsing import BROWSER, fail_on, is_local
from .conftest import FEATURES, SHARDS, Shard, pages_of

pytestmark = BROWSER

# Alt text that says nothing about the figure.
PLACEHOLDER_ALTS = {"alt text", "image", "figure", "img", "picture", "graph", "plot", "todo"}
FILENAME_ALT = re.compile(r"^[\w./-]+\.(png|gif|jpe?g|svg|webp)$", re.IGNORECASE)
MIN_ALT_WORDS = 3
MIN_FIGURE_CONTRAST = 3.0  # WCAG 1.4.11 non-text contrast (graphics); thumbnails blur text

MATH_IN_MARKDOWN = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$[^$\s][^$\n]*?(?<![\\\s])\$", re.DOTALL)
CODE = re.compile(r"^(```|~~~).*?^\1|`[^`\n]+`", re.DOTALL | re.MULTILINE)


def test_the_two_tiers_hold_every_page_once(page_paths, page_html):
    """The everyday shards and the slow ones (`rest`) between them visit each page exactly once,
    and the everyday ones visit every template and a lesson and an example page with each feature."""
    shards = [Shard(tier, i) for tier in ("pages", "rest") for i in range(SHARDS)]
    visited = [p for shard in shards for p in pages_of(shard, page_paths, page_html)]
    assert sorted(visited) == sorted(page_paths)
    everyday = {p for i in range(SHARDS) for p in pages_of(Shard("pages", i), page_paths, page_html)}
    assert {"", "404.html", "examples/", "exercises/", "problems/"} <= everyday, everyday
    content = [p for p in page_paths if not p.startswith("examples/") and p != "api/"]
    examples = [p for p in page_paths if p.startswith("examples/")]
    for marker in FEATURES:
        for group in (content, examples):
            holding = {p for p in group if marker in page_html[p]}
            assert not holding or holding & everyday, (marker, sorted(holding)[:3])
    assert len(everyday) < len(page_paths) / 3, "the everyday tier is no longer a sample"


def test_every_page_was_visited(page_visits, page_paths, shard_paths):
    assert page_paths, "the built site has no HTML pages"
    assert "" in page_paths, "the built site has no home page (index.html)"
    assert [v.path for v in page_visits] == shard_paths


def test_every_page_loads(page_visits):
    fail_on({v.path: [v.error] for v in page_visits if v.error}, "pages that failed to load:")


def test_no_request_leaves_the_local_server(page_visits, base_url):
    problems = {
        v.path: sorted({url for url in v.requests if not is_local(url, base_url)})
        for v in page_visits
    }
    fail_on(problems, "requests to hosts other than the local server:")


def test_no_console_errors(page_visits):
    problems = {v.path: v.console_errors for v in page_visits if v.console_errors}
    fail_on(problems, "console errors:")


def test_no_failed_requests(page_visits, base_url):
    problems = {
        v.path: [r for r in v.failed_requests if is_local(r.split(" ")[0], base_url)]
        for v in page_visits
    }
    fail_on(problems, "failed requests:")


def test_every_image_loaded(page_visits):
    problems = {
        v.path: [f"{img['src']} did not load" for img in v.images if img["width"] == 0]
        for v in page_visits
    }
    fail_on(problems, "images with naturalWidth 0:")


def alt_text_problem(alt: str | None) -> str | None:
    """Why an alt text is not meaningful for a content figure, or None if it is."""
    if alt is None or not alt.strip():
        return "no alt text"
    text = alt.strip()
    if text.lower() in PLACEHOLDER_ALTS:
        return f"placeholder alt text {text!r}"
    if FILENAME_ALT.match(text) or PurePosixPath(text).suffix.lower() in (".png", ".gif"):
        return f"alt text is a file name: {text!r}"
    if len(text.split()) < MIN_ALT_WORDS:
        return f"alt text too short to describe a figure: {text!r}"
    return None


def test_alt_text_rejects_placeholders():
    assert alt_text_problem("") == "no alt text"
    assert alt_text_problem("Alt text") is not None
    assert alt_text_problem("descent.gif") is not None
    assert alt_text_problem("Six runs of gradient descent, one per learning rate") is None


def test_every_figure_has_meaningful_alt_text(page_visits):
    problems = {}
    for v in page_visits:
        items = [
            f"{img['src']}: {why}"
            for img in v.images
            if img["in_content"] and (why := alt_text_problem(img["alt"]))
        ]
        if items:
            problems[v.path] = items
    fail_on(problems, "figures without meaningful alt text:")


def test_no_raw_tex_in_visible_text(page_visits):
    problems = {v.path: v.raw_math for v in page_visits if v.raw_math}
    fail_on(problems, "unrendered TeX left in visible text:")


def test_arithmatex_math_is_typeset(page_visits):
    problems = {
        v.path: [f"{v.math_source} formulas but {v.math_rendered} rendered as MathML"]
        for v in page_visits
        if v.math_source and v.math_rendered < v.math_source
    }
    fail_on(problems, "math not rendered to MathML by the build:")


def test_typeset_math_is_drawn(page_visits):
    problems = {
        v.path: [f"{v.math_blank} of {v.math_rendered} formulas typeset but drawn blank"]
        for v in page_visits
        if v.math_blank
    }
    fail_on(problems, "MathML formulas drawn with no size:")


def pages_with_math_in_markdown(docs: Path = REPO / "docs") -> list[str]:
    """URL paths of docs/**/*.md pages whose Markdown (outside code) contains $...$ or $$...$$ math."""
    paths = []
    for md in sorted(docs.rglob("*.md")):
        prose = CODE.sub("", md.read_text(encoding="utf-8"))
        if MATH_IN_MARKDOWN.search(prose):
            page = md.relative_to(docs).with_suffix("").as_posix()  # problems/step-size
            page = page.removesuffix("index").rstrip("/")
            paths.append(f"{page}/" if page else "")
    return paths


def test_pages_whose_markdown_has_math_show_rendered_math(page_visits):
    expected = set(pages_with_math_in_markdown())
    problems = {
        v.path: ["the Markdown has $...$ math but no MathML formula is on the page"]
        for v in page_visits
        if v.path in expected and v.math_rendered == 0
    }
    fail_on(problems, "math not rendered:")


def test_palette_toggle_switches_to_dark_mode(page_visits):
    problems = {
        v.path: [v.dark.get("error") or f"scheme after toggle: {v.dark.get('scheme')!r}"]
        for v in page_visits
        if v.dark.get("scheme") != "slate"
    }
    fail_on(problems, "palette toggle did not reach the dark (slate) scheme:")


def test_figures_stay_legible_in_dark_mode(page_visits):
    problems = {}
    for v in page_visits:
        items = [
            f"{_short(fig['src'])}: contrast {fig['contrast']} between background "
            f"(luminance {fig['background']}) and ink ({fig['ink']})"
            for fig in v.dark.get("figures", [])
            if fig["contrast"] < MIN_FIGURE_CONTRAST
        ]
        if items:
            problems[v.path] = items
    fail_on(
        problems,
        (
            f"figures with ink/background contrast < {MIN_FIGURE_CONTRAST} in dark mode "
            "(a dark twin keeps light ink on the slate background):"
        ),
    )


def test_full_page_screenshots_saved(page_visits):
    missing = [v.path for v in page_visits if not (v.screenshot and v.screenshot.stat().st_size)]
    assert not missing, f"no screenshot for: {missing}"


def _short(url: str) -> str:
    return unquote(urlsplit(url).path).rsplit("/", 2)[-2:][-1]
