"""The exercises' self-check box (docs/javascripts/exercises.js) on one page: the build's value is
accepted, a wrong one is not, it works from the keyboard, and without JavaScript there is no box.

One page load (the first lesson with a numeric answer); the other browser tests already visit every
page (console errors, axe, page weight) with the boxes in place."""

from __future__ import annotations

import re

import pytest

from .browsing import BROWSER

pytestmark = BROWSER

ANSWER = re.compile(r'<span class="gd-answer" data-value="([^"]+)" data-tol="([^"]+)"></span>')


@pytest.fixture(scope="module")
def answer_page(page_html) -> tuple[str, float, float]:
    """(URL path, value, tolerance) of the first answer on the first page holding one."""
    for path, html in page_html.items():
        match = ANSWER.search(html)
        if match and not path.startswith("examples/"):
            return path, float(match[1]), float(match[2])
    pytest.fail("no page has a numeric answer (<span class=\"gd-answer\" ...>)")


def test_without_javascript_there_is_no_box(page_html):
    """What a reader without JavaScript gets: empty spans, no input, no Check button."""
    problems = {path: html.count("gd-answer") for path, html in page_html.items()
                if "gd-answer" in html
                and (re.search(r"<input[^>]*gd-answer|gd-check", html)
                     or any(m[0].count("><") != 1 for m in ANSWER.finditer(html)))}
    assert not problems, f"pages with a check box in the static HTML: {problems}"


def test_the_box_checks_an_answer(browser_context, base_url, answer_page):
    path, value, tol = answer_page
    page = browser_context.new_page()
    try:
        page.goto(base_url + path, wait_until="load")
        form = page.locator("form.gd-check").first
        box = form.get_by_role("textbox")
        assert box.is_visible(), "the first exercise shows no answer box"
        label = form.locator("label").inner_text()
        assert label.startswith("Your answer (") and ("%" in label or "exactly" in label), label
        result = form.locator("output")

        def check(typed: str, key: bool = False) -> str:
            box.fill(typed)
            if key:  # Enter in the box submits, as a keyboard user would
                box.press("Enter")
            else:
                form.get_by_role("button", name="Check").click()
            return result.inner_text()

        assert check(repr(value)) == "Correct."
        assert check(repr(value + 0.9 * tol), key=True) == "Correct."
        wrong = value + 2 * tol + 1
        assert check(repr(wrong)).startswith("Not quite:"), "a wrong answer was accepted"
        assert "too high" in result.inner_text()
        assert "Type a number" in check("five")
        assert result.get_attribute("aria-live") == "polite"
    finally:
        page.close()
