"""Exercises (issue 15): their format on every lesson page, the answer macro, the numbering, and the
generated index page that links every one. The numbers in the answers are recomputed in
tests/test_content_exercises.py."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
from sitetools import site_dir, site_test

from gdnotes.site.exercises import ExercisesExtension, exercises_in, exercises_markdown
from gdnotes.site.macros import MALFORMED, OutputIndex, Reference, answer_tolerance

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"

# Every lesson page, in the order the issue lists them; the home page, the problems overview and
# the reference pages are not lessons.
BASICS = ["update-rule.md", "learning-rate.md", "two-dimensions.md", "non-convex.md",
          "worked-example.md", "neural-network.md"]
IMPROVEMENTS = ["momentum.md", "nesterov.md", "adaptive.md", "adam.md", "nadam-amsgrad.md",
                "second-order.md",
                "schedules.md", "optimizer-race.md"]
PROBLEMS = sorted(f"problems/{p.name}" for p in (DOCS / "problems").glob("*.md")
                  if p.name != "index.md")
LESSONS = [*BASICS, "stochastic.md", "which-optimizer.md", *IMPROVEMENTS, *PROBLEMS]
LESSONS += ["convergence.md", "step-size-rules.md", "spectral.md", "momentum-noise.md"]  # issue 16 (nav "Theory")
LESSONS += ["bug-clinic.md"]  # issue 16 item 6
# Lessons whose exercises are not written yet (strict: a page that gains them must leave the set).
NOT_YET: set[str] = set()

KINDS = ("Predict", "Compute", "Derive", "Code")
QUESTION = re.compile(r'^!!! question "(?P<title>[^"]+)"\n(?P<body>(?:(?: {4}.*)?\n)*)', re.M)
ANSWER_MACRO = re.compile(r"\{\{\s*answer\s*:\s*[\w\-]+/[\w\-.]+(?:\s+tol=[\d.e\-]+)?\s*\}\}")


def _source(page: str) -> str:
    return (DOCS / page).read_text(encoding="utf-8")


def _lesson(page: str):
    marks = [pytest.mark.xfail(reason="exercises not written yet", strict=True)] \
        if page in NOT_YET else []
    return pytest.param(page, marks=marks, id=page)


@pytest.mark.parametrize("page", [_lesson(p) for p in LESSONS])
def test_every_lesson_ends_with_three_to_six_exercises(page):
    """The last section is "## Exercises", holding only 3-6 question admonitions, each titled by
    its kind and with its answer collapsed (`??? success "Answer"`) inside it."""
    text = _source(page)
    head, sep, tail = text.rpartition("\n## Exercises\n")
    assert sep, f"{page} has no '## Exercises' section"
    assert not re.search(r"^#{1,2} ", tail, re.M), f"{page}: a section follows the exercises"
    questions = list(QUESTION.finditer(tail))
    assert 3 <= len(questions) <= 6, f"{page} has {len(questions)} exercises"
    leftover = QUESTION.sub("", tail).strip()
    assert not leftover, f"{page}: text between or after the exercises: {leftover[:80]!r}"
    for q in questions:
        title, body = q["title"], q["body"]
        assert title.split(":")[0] in KINDS, f"{page}: '{title}' does not start with a kind"
        assert re.search(r'^ {4}\?\?\? success "Answer"\n', body, re.M), \
            f"{page}: '{title}' has no collapsed answer"
        answers = ANSWER_MACRO.findall(body)
        assert len(answers) <= 1, f"{page}: '{title}' has more than one answer box"
        if answers:  # the box sits in the question, not in the folded answer
            assert body.index(answers[0]) < body.index('??? success "Answer"')
    assert not ANSWER_MACRO.search(head), f"{page}: an answer box outside the exercises"


def test_the_kinds_are_mixed():
    """Across the site every kind of exercise occurs, and each page has at least two kinds."""
    kinds_by_page = {p: {e.title.split(":")[0] for e in exercises_in(_source(p), p)}
                     for p in LESSONS if p not in NOT_YET}
    assert set().union(*kinds_by_page.values()) == set(KINDS)
    assert not {p: k for p, k in kinds_by_page.items() if len(k) < 2}


# -- the machinery -------------------------------------------------------------------------------
def test_exercises_are_numbered_with_ids_and_out_of_search():
    md = markdown.Markdown(extensions=["admonition", "pymdownx.details", ExercisesExtension()])
    html = md.convert('!!! note "Not one"\n    x\n\n'
                      '!!! question "Compute: a"\n    Q?\n\n    ??? success "Answer"\n        A.\n\n'
                      '!!! question "Derive: b"\n    Q?\n')
    assert re.findall(r'<div class="admonition question" data-search-exclude="">'
                      r'\s*<p class="admonition-title" id="(exercise-\d)">([^<]+)<', html) == [
        ("exercise-1", "Exercise 1. Compute: a"), ("exercise-2", "Exercise 2. Derive: b")]
    assert 'class="admonition note"' in html and "Exercise 3" not in html


def test_the_index_lists_every_exercise_in_page_order():
    text = '# T\n\n```md\n!!! question "In code"\n```\n\n!!! question "Compute: one"\n    x\n'
    found = exercises_in(text, "p.md")
    assert [(e.number, e.title) for e in found] == [(1, "Compute: one")]  # fenced one skipped
    page = exercises_markdown([("a/p.md", "Page A", found), ("q.md", "Q", [])])
    assert "All 1 exercises" in page and "## [Page A](a/p.md)" in page and "[Q]" not in page
    assert "1. [Compute: one](a/p.md#exercise-1)" in page


def _index(values: dict) -> OutputIndex:
    return OutputIndex({"ex": {"values": values}}, {"ex": Path(".")}, str, str)


def test_the_answer_box_carries_the_build_value_and_tolerance():
    index = _index({"q": {"text": "0.4", "raw": 0.4}, "n": {"text": "73", "raw": 73},
                    "s": {"text": "hi", "raw": "hi"}})
    problems: list = []
    html = index.expand("A {{ answer: ex/q }} B {{ answer: ex/n }} {{ answer: ex/s }}", problems)
    assert '<span class="gd-answer" data-value="0.4" data-tol="0.004"></span>' in html
    assert '<span class="gd-answer" data-value="73" data-tol="0.0"></span>' in html
    assert [(r.name, p) for r, p in problems] == [("s", "the answer 's' must be a number, got 'hi'")]
    assert answer_tolerance(0.0) > 0 and answer_tolerance(-2.0) == pytest.approx(0.02)
    _, problem = index.find(Reference("answer", "ex", "missing"))
    assert problem.startswith("example 'ex' recorded no value 'missing'")


def test_an_answer_may_carry_its_own_tolerance():
    """`tol=` (absolute) replaces the 1 % where 1 % would pass a wrong answer (1 for a rate of
    0.995); only an answer may carry it, and only a positive one."""
    index = _index({"r": {"text": "0.995", "raw": 0.995}, "n": {"text": "73", "raw": 73}})
    problems: list = []
    html = index.expand("{{ answer: ex/r tol=0.0005 }} {{ answer: ex/n tol=1 }} "
                        "{{ answer: ex/r tol=2e-4 }}", problems)
    assert '<span class="gd-answer" data-value="0.995" data-tol="0.0005"></span>' in html
    assert '<span class="gd-answer" data-value="73" data-tol="1.0"></span>' in html
    assert 'data-tol="0.0002"' in html and not problems
    for bad in ("{{ value: ex/r tol=0.1 }}", "{{ answer: ex/r tol=0 }}", "{{ answer: ex/r tol=x }}",
                "{{ answer: ex/r tol=-1 }}"):
        problems = []
        html = index.expand(bad, problems)
        assert [p for _, p in problems] == [MALFORMED] and "gd-answer" not in html, bad
    assert len(ANSWER_MACRO.findall("{{ answer: ex/r tol=0.0005 }} {{ answer: ex/r }}")) == 2


def test_the_checker_script_is_small_and_loaded_only_where_needed():
    """Pages near their size budget: the script stays tiny and is not site-wide."""
    script = DOCS / "javascripts" / "exercises.js"
    assert script.stat().st_size < 4096
    assert "exercises.js" not in (REPO / "mkdocs.yml").read_text(encoding="utf-8")


# -- the built site ------------------------------------------------------------------------------
@site_test
def test_the_built_index_links_every_exercise(request):
    site = site_dir(request)
    ids = {}
    for page in LESSONS:
        html = (site / page.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
        ids[page] = re.findall(r'<div class="admonition question"[^>]*>\s*'
                               r'<p class="admonition-title" id="(exercise-\d+)"', html)
        boxes = html.count('<span class="gd-answer" data-value="')
        assert boxes == len(ANSWER_MACRO.findall(_source(page))), f"{page}: answer boxes lost"
        assert ("exercises.js" in html) == (boxes > 0), f"{page}: script without boxes or back"
    index = (site / "exercises" / "index.html").read_text(encoding="utf-8")
    linked = {}
    for href in re.findall(r'href="\.\./([^"#]+)/#(exercise-\d+)"', index):
        linked.setdefault(f"{href[0]}.md", []).append(href[1])
    assert {p: i for p, i in ids.items() if i} == linked
    assert all(len(i) == len(set(i)) for i in ids.values())
