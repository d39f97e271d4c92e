"""Tables are laid out in the HTML the build writes (gdnotes.site.tables): wrapped for sideways
scrolling as material's script would wrap them, and numeric columns marked, so the first layout
is the final one and a page without JavaScript reads the same."""

from __future__ import annotations

import markdown
from bs4 import BeautifulSoup

TABLE = """before

| name | value | note |
|:-----|------:|------|
| a    | 4.4 × 10⁻⁹ | first |
| b    | 37    | — |
| c    | —     | 12 |

after
"""


def render(text: str) -> BeautifulSoup:
    html = markdown.markdown(text, extensions=["tables", "gdnotes.site.tables"])
    return BeautifulSoup(html, "html.parser")


def test_a_table_is_wrapped_in_place_as_material_wraps_it():
    soup = render(TABLE)
    wrap = soup.find("div", class_="md-typeset__scrollwrap")
    assert wrap is not None
    assert [c.name for c in wrap.find_all(recursive=False)] == ["div"]
    inner = wrap.div
    assert inner["class"] == ["md-typeset__table"] and inner.table is not None
    # the paragraphs around it stay where they were
    assert [p.text for p in soup.find_all("p")] == ["before", "after"]
    assert str(soup).index("before") < str(soup).index("md-typeset__scrollwrap") < str(soup).index(
        "after")


def test_only_all_number_columns_are_marked_numeric():
    table = render(TABLE).table
    marked = [[("gd-num" in (cell.get("class") or [])) for cell in row.find_all(["th", "td"])]
              for row in table.find_all("tr")]
    # the value column (numbers and a dash) is numeric, header included; the note column has
    # a word in it, the name column has letters
    assert marked == [[False, True, False]] * 4


def test_a_table_with_a_class_is_left_alone():
    html = markdown.markdown('<table class="x"><tr><td>1</td></tr></table>',
                             extensions=["tables", "gdnotes.site.tables"])
    assert "md-typeset__scrollwrap" not in html and "gd-num" not in html


def test_numeric_body_cells_stay_out_of_search_but_their_header_does_not():
    table = render(TABLE).table
    excluded = [[cell.has_attr("data-search-exclude") for cell in row.find_all(["th", "td"])]
                for row in table.find_all("tr")]
    assert excluded == [[False, False, False]] + [[False, True, False]] * 3
