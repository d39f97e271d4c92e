"""Tables laid out in the HTML the build writes, not by scripts after the page is drawn.

Material wraps each ``table:not([class])`` in ``md-typeset__scrollwrap`` > ``md-typeset__table``
from its JavaScript bundle, after the first paint: the table's columns were laid out once bare and
again inside the wrapper, and on a slow load the reader saw the table jump (a layout shift of 0.02
on the notation page). The tree processor here writes that wrapper during the build, so the first
layout is the final one, also with JavaScript off. Material still wraps the table once more; extra.css
makes that inner wrapper a plain block, so the boxes do not move.

Numeric columns (every non-empty cell a number, as ``gd.format_number`` writes them) get the class
``gd-num``: right-aligned, tabular figures (extra.css). Their body cells stay out of the search index
(``data-search-exclude``): every page loads the whole index, and nobody searches for ``0.009904``;
the header still names the column.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor

NUMBER = re.compile(
    r"^[−\-+±≈~<>≤≥]?\s*[\d.,\u2009\u202f]+(\s*[×x]\s*10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻\-\d]*)?([eE][−\-+]?\d+)?\s*[%×]?$"
)
_EMPTY = {"", "—"}


def _text(cell: etree.Element) -> str:
    return "".join(cell.itertext()).strip()


def mark_numeric_columns(table: etree.Element) -> None:
    """Add ``gd-num`` to every cell (header included) of each column whose body cells are all numbers."""
    rows = [row for body in table.iter("tbody") for row in body.iter("tr")]
    head = [row for thead in table.iter("thead") for row in thead.iter("tr")]
    columns = max((len(row) for row in rows), default=0)
    for c in range(columns):
        texts = [_text(row[c]) for row in rows if c < len(row)]
        texts = [t for t in texts if t not in _EMPTY]
        if not texts or not all(NUMBER.match(t) for t in texts):
            continue
        for row in head + rows:
            if c < len(row):
                cell = row[c]
                cell.set("class", " ".join(filter(None, [cell.get("class"), "gd-num"])))
        for row in rows:
            if c < len(row):
                row[c].set("data-search-exclude", "")


class TableLayout(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for table in list(root.iter("table")):
            if table.get("class") is not None or table not in parents:
                continue
            mark_numeric_columns(table)
            parent = parents[table]
            index = list(parent).index(table)
            scroll = etree.Element("div", {"class": "md-typeset__scrollwrap"})
            inner = etree.SubElement(scroll, "div", {"class": "md-typeset__table"})
            parent.remove(table)
            inner.append(table)
            scroll.tail, table.tail = table.tail, None
            parent.insert(index, scroll)


class TableExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(TableLayout(md), "gdnotes_tables", 1)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's extension hook)
    return TableExtension(**kwargs)
