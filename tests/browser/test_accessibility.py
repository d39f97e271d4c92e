"""axe-core (pinned, bundled by axe-playwright-python) on every page: no serious or critical violations.
Its rules that compare text colours (colour contrast, links told apart by colour alone:
`browsing.COLOUR_RULES`) run on a sample of pages, in light and dark mode (`contrast_sample`).

A failure names the rule, the page and the first offending elements; fix the cause (CSS in
docs/stylesheets/a11y.css, templates), never disable the rule."""

from __future__ import annotations

from .browsing import BROWSER, fail_on
from .conftest import contrast_sample

pytestmark = BROWSER


def test_no_serious_or_critical_axe_violations(page_visits):
    problems = {
        v.path: [
            f"{a['impact']} {a['id']} ({a['help']}) x{a['count']}: {', '.join(a['targets'])}"
            for a in v.axe
        ]
        for v in page_visits
    }
    fail_on(problems, "axe-core serious/critical violations:")


def test_contrast_sample_has_each_template_and_component(page_paths, page_html):
    sample = contrast_sample(page_paths, page_html)
    assert {"", "api/", "examples/"} <= sample and len(sample) >= 5, sample
    for marker in ("<table", "admonition", "highlight"):
        assert any(marker in page_html[p] for p in sample), f"no sampled page has {marker}"


def test_no_colour_contrast_violations_in_dark_mode(page_visits, page_paths, page_html):
    checked = [v for v in page_visits if "axe" in v.dark]
    sampled_here = contrast_sample(page_paths, page_html) & {v.path for v in page_visits}
    assert {v.path for v in checked} == sampled_here, "a sampled page was not checked in dark mode"
    assert {v.path for v in page_visits if v.contrast_checked} == sampled_here
    problems = {
        v.path: [
            f"{a['impact']} {a['id']} x{a['count']}: {', '.join(a['targets'])}"
            for a in v.dark["axe"]
        ]
        for v in checked
    }
    fail_on(problems, "axe-core colour violations in dark mode (slate):")
