"""What the search index holds: the prose, headings, inline code and formulas (as their plain
reading, see `mathml`), not code blocks.

Material loads the whole index on every page; the examples' scripts and captured output were
about 40 % of it, and a reader searches for what the prose explains ("learning rate",
``gd.run``), which the prose and inline code still carry. A code block is marked
``data-search-exclude``, which material's search plugin skips.
"""

from __future__ import annotations

import re

from markdown import Extension
from markdown.postprocessors import Postprocessor

_PRE = re.compile(r"<pre(?=[\s>])(?![^>]*data-search-exclude)")


class CodeOutOfSearch(Postprocessor):
    def run(self, text: str) -> str:
        return _PRE.sub("<pre data-search-exclude", text)


class SearchTextExtension(Extension):
    """Runs after the raw HTML (highlighted code) is put back into the page (priority 30)."""

    def extendMarkdown(self, md):
        md.postprocessors.register(CodeOutOfSearch(md), "gdnotes_search_text", 5)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's extension hook)
    return SearchTextExtension(**kwargs)
