"""What the search index holds: the prose, headings, inline code and formulas (as their plain
reading, see `mathml`), not code blocks.

Material loads the whole index on every page; the examples' scripts and captured output were
about 40 % of it, and a reader searches for what the prose explains ("learning rate",
``gd.run``), which the prose and inline code still carry. A code block is marked
``data-search-exclude``, which material's search plugin skips.

An example's page tells, with its code, the story a lesson tells in prose, and shows the same
tables, figures and captions: only its title and first paragraph (what the gallery card says) go
into the index (`example_body_out_of_search`), so a search for a topic lands once, on the lesson
that explains it, and a search for an example's title on the example. The gallery's list of cards
repeats those paragraphs and stays out (`gallery_cards_out_of_search`).

On the API page only the first paragraph of each docstring (its summary) goes into the index
(`api_details_out_of_search`): a search for a function lands on its entry, whose summary says
what it is for; the details are a click away.

A theorem's proof (a collapsed ``??? note "Proof…"`` block) stays out too
(`proofs_out_of_search`): a search for the result lands on its statement, and the proof's
chain of formulas would be a large share of a theory page's entry.

Material writes the index as ASCII JSON, where every θ, η, ≤ or − is a six-byte ``\\uXXXX``
escape; `index_as_utf8` rewrites it as UTF-8 (the same JSON to any parser), 5 % smaller.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from markdown import Extension
from markdown.postprocessors import Postprocessor

_PRE = re.compile(r"<pre(?=[\s>])(?![^>]*data-search-exclude)")
_BLOCK = re.compile(r"<(?P<tag>h[2-6]|p|ul|ol|table|figcaption|div)(?=[\s>])(?![^>]*data-search-exclude)")
_FIRST_PARAGRAPH_END = re.compile(r"</p>")


def example_body_out_of_search(html: str) -> str:
    """An example page's HTML with every heading and block after its first paragraph marked
    ``data-search-exclude`` (material's search then skips them, headings' sections included)."""
    first = _FIRST_PARAGRAPH_END.search(html)
    if first is None:
        return html
    head, body = html[:first.end()], html[first.end():]
    return head + _BLOCK.sub(lambda m: f"<{m['tag']} data-search-exclude", body)


_CARDS_HEADING = re.compile(r'<h2 id="the-examples"(?![^>]*data-search-exclude)')


def gallery_cards_out_of_search(html: str) -> str:
    """The gallery index with its "The examples" section (one card per example, each repeating
    the example page's first paragraph) marked ``data-search-exclude``."""
    return _CARDS_HEADING.sub(lambda m: m.group(0) + " data-search-exclude", html, count=1)


_PROOF = re.compile(r'<details class="note"(?=>\s*<summary>Proof\b)')


def proofs_out_of_search(html: str) -> str:
    """The page's HTML with every collapsed block titled "Proof…" marked ``data-search-exclude``."""
    return _PROOF.sub(lambda m: m.group(0) + " data-search-exclude", html)


_DOC_CONTENTS = re.compile(r'<div class="doc doc-contents[^"]*">')
_NEXT_OBJECT = re.compile(r'<div class="doc doc-(?:object|contents)|<h2[\s>]')
_DETAIL = re.compile(r'<(?P<tag>p|ul|ol|table|details|div class="arithmatex")(?=[\s>])'
                     r'(?![^>]*data-search-exclude)')


def api_details_out_of_search(html: str) -> str:
    """mkdocstrings' HTML with everything in a docstring but its first paragraph (the summary)
    marked ``data-search-exclude``: later paragraphs, lists, tables and displayed formulas, up
    to the next documented object or section heading."""
    out, done = [], 0
    for contents in _DOC_CONTENTS.finditer(html):
        if contents.start() < done:
            continue
        end = _NEXT_OBJECT.search(html, contents.end())
        end = end.start() if end else len(html)
        body, seen = html[contents.end():end], iter(range(1_000_000))

        def mark(m: re.Match, seen=seen) -> str:
            if m["tag"] == "p" and next(seen) == 0:
                return m[0]
            return f"<{m['tag']} data-search-exclude"

        out += [html[done:contents.end()], _DETAIL.sub(mark, body)]
        done = end
    return "".join(out) + html[done:]


def index_as_utf8(site_dir: Path) -> None:
    """Rewrite material's search index (if the site has one) as compact UTF-8 JSON."""
    index = Path(site_dir) / "search" / "search_index.json"
    if index.is_file():
        data = json.loads(index.read_text(encoding="utf-8"))
        index.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")),
                         encoding="utf-8")


class CodeOutOfSearch(Postprocessor):
    def run(self, text: str) -> str:
        return _PRE.sub("<pre data-search-exclude", text)


class SearchTextExtension(Extension):
    """Runs after the raw HTML (highlighted code) is put back into the page (priority 30)."""

    def extendMarkdown(self, md):
        md.postprocessors.register(CodeOutOfSearch(md), "gdnotes_search_text", 5)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's extension hook)
    return SearchTextExtension(**kwargs)
