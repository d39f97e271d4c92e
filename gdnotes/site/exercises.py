"""Exercises: numbered question admonitions at the end of a lesson, and the page listing them all.

An exercise is written in a page as a material admonition of type ``question`` with a title, its
answer collapsed inside it (the format is in the README)::

    !!! question "Compute: the factor for η = 0.3"
        What is q? {{ answer: learning_rate/q_03 }}

        ??? success "Answer"
            q = 1 − 2η = {{ value: learning_rate/q_03 }}.

The tree processor numbers the exercises of a page in reading order: the admonition gets the id
``exercise-N`` on its title (a stable link target) and the title "Exercise N. ". Exercises stay out of the
search index every page loads (``data-search-exclude``; a search must not show a solution, and the
index is near its size budget); their titles are searchable on the index page.
:func:`exercises_markdown` writes that page from the pages' sources, with the same order and
numbers, so each entry links to its exercise.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

from gdnotes.site.macros import _split_fences

INDEX = "exercises.md"
SCRIPT = "javascripts/exercises.js"
QUESTION = re.compile(r'^[ \t]*!!![ \t]+question\b[ \t]*(?:"(?P<title>[^"\n]*)")?', re.MULTILINE)


def anchor(number: int) -> str:
    return f"exercise-{number}"


@dataclass(frozen=True)
class Exercise:
    page: str  # the page's source path, e.g. "learning-rate.md"
    number: int  # 1-based, in reading order on its page
    title: str  # as written, e.g. "Compute: the factor for η = 0.3"


def exercises_in(markdown: str, page: str) -> list[Exercise]:
    """The question admonitions of a page's source (outside fenced code), numbered in order."""
    titles = [m["title"] or "" for fenced, chunk in _split_fences(markdown) if not fenced
              for m in QUESTION.finditer(chunk)]
    return [Exercise(page, n, title) for n, title in enumerate(titles, 1)]


def exercises_markdown(pages: list[tuple[str, str, list[Exercise]]]) -> str:
    """The index page: for each (page path, page title, exercises) with any, a heading linking
    the page and a numbered list linking each exercise."""
    total = sum(len(exercises) for _, _, exercises in pages)
    lines = [
        "# Exercises",
        "",
        f"All {total} exercises on the site, page by page. Each ends its lesson and has its answer "
        "folded inside it. They come in four kinds: *predict* what a figure will show before you "
        "look, *compute* a number by hand, *derive* a short result, and *code* (the answer shows "
        "code that ran when the site was built, with its output). Every number in an answer is "
        "computed by the build and checked by a test; where the answer is a number, a box under "
        "the question checks what you type (with JavaScript on).",
        "",
    ]
    for page, title, exercises in pages:
        if not exercises:
            continue
        lines += [f"## [{title}]({page})", ""]
        lines += [f"{e.number}. [{e.title or f'Exercise {e.number}'}]({page}#{anchor(e.number)})"
                  for e in exercises]
        lines.append("")
    return "\n".join(lines)


def _classes(element: etree.Element) -> list[str]:
    return (element.get("class") or "").split()


class ExerciseNumbers(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        number = 0
        for div in root.iter("div"):
            if not {"admonition", "question"} <= set(_classes(div)):
                continue
            number += 1
            div.set("data-search-exclude", "")
            title = next((p for p in div if p.tag == "p" and "admonition-title" in _classes(p)),
                         None)
            # The link target is the title, not the admonition: material names each code block
            # `__code_<id of its closest ancestor with an id>`, so an id on the admonition gave
            # its two code blocks (snippet and output) one id, and the second's copy button
            # copied the first.
            (div if title is None else title).set("id", anchor(number))
            if title is not None:
                title.text = f"Exercise {number}. {title.text or ''}"


class ExercisesExtension(Extension):
    """Runs before mkdocs collects the page's anchors (priority 5), so links to the ids check."""

    def extendMarkdown(self, md):
        md.treeprocessors.register(ExerciseNumbers(md), "gdnotes_exercises", 6)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's extension hook)
    return ExercisesExtension(**kwargs)
