"""What a page loads besides its own HTML: only what it uses.

mkdocstrings adds its stylesheet (`_mkdocstrings.css`, about 7 KB) to every page, but its rules
style only the API reference's docstrings (``.doc-*``, ``.mkdocstrings-source``); a lesson's
links into the API (autorefs) use none of them. `api_stylesheet_only_where_used` drops the link
from every page without a docstring, so the other pages' budget goes to the search index.
"""

from __future__ import annotations

import re

_API_STYLESHEET = re.compile(r'\s*<link rel="stylesheet" href="[^"]*assets/_mkdocstrings\.css">')
_DOCSTRING = re.compile(r'class="doc(?:[ "]|-)|mkdocstrings-source')


def api_stylesheet_only_where_used(html: str) -> str:
    """The page's HTML without mkdocstrings' stylesheet link, unless the page shows a docstring."""
    if _DOCSTRING.search(html):
        return html
    return _API_STYLESHEET.sub("", html, count=1)
