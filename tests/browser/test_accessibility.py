"""axe-core (pinned, bundled by axe-playwright-python) on every page: no serious or critical violations.

A failure names the rule, the page and the first offending elements; fix the cause (CSS in
docs/stylesheets/a11y.css, templates), never disable the rule."""

from __future__ import annotations

from .browsing import BROWSER, fail_on
from .conftest import dark_axe_sample

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


def test_dark_mode_sample_has_one_page_of_each_template(page_paths):
    assert len(dark_axe_sample(page_paths)) == 5, dark_axe_sample(page_paths)


def test_no_colour_contrast_violations_in_dark_mode(page_visits, page_paths):
    checked = [v for v in page_visits if "axe" in v.dark]
    sampled_here = dark_axe_sample(page_paths) & {v.path for v in page_visits}
    assert {v.path for v in checked} == sampled_here, "a sampled page was not checked in dark mode"
    problems = {
        v.path: [
            f"{a['impact']} {a['id']} x{a['count']}: {', '.join(a['targets'])}"
            for a in v.dark["axe"]
        ]
        for v in checked
    }
    fail_on(problems, "axe-core colour-contrast violations in dark mode (slate):")
