"""Math rendered during the build: TeX to MathML, so a page needs no script, font or stylesheet
for its formulas (Chromium, Firefox and Safari draw MathML Core themselves).

``pymdownx.arithmatex`` (generic mode) finds ``$...$`` and ``$$...$$`` and leaves
``\\(...\\)`` / ``\\[...\\]`` in ``<span|div class="arithmatex">``; the tree processor here
replaces that TeX with MathML from `math-core` before the table of contents is built, so
headings, the TOC and the page title hold the formula too. Each ``<math>`` is
``<semantics>``: the drawn formula (an ``mstyle`` excluded from the search index), then a plain-text reading
(``θ ← θ − η∇f(θ)``, ``1/L``) that the search index holds instead of TeX.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as etree

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from gdnotes.site.macros import MISSING

_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-", strict=True))
_SUBSCRIPT_DIGITS = dict(zip("0123456789−+", "₀₁₂₃₄₅₆₇₈₉₋₊", strict=True))
_SUPERSCRIPT_DIGITS = {v: k for k, v in _SUPERSCRIPTS.items()} | {"−": "⁻", "+": "⁺"}
_SPACED = set("=≠<>≤≥≈←→↦+−±×∈")
_INVISIBLE = dict.fromkeys(range(0x2061, 0x2065))  # function application, invisible times, ...
_COMBINING = {"ˆ": "\u0302", "^": "\u0302", "¯": "\u0304", "~": "\u0303", "˜": "\u0303",
              "˙": "\u0307", "→": "\u20d7"}
_POWER = re.compile(r"([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)")


def tex_of_numbers(tex: str) -> str:
    """``4.4 × 10⁻⁹`` (as ``gd.format_number`` writes it for prose) as TeX: ``4.4 × 10^{-9}``
    (the no-break spaces that keep it on one line in prose are TeX's ordinary spacing here)."""
    tex = tex.replace("\u00a0", " ")
    return _POWER.sub(lambda m: "^{" + "".join(_SUPERSCRIPTS[c] for c in m.group(1)) + "}", tex)


@functools.cache
def _converter():
    from math_core import LatexToMathML

    return LatexToMathML()


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool) -> str:
    """MathML Core for one formula (cached: the same TeX recurs across pages and rebuilds)."""
    from math_core import LatexError

    try:
        return _converter().convert_with_local_state(tex_of_numbers(tex), displaystyle=display)
    except LatexError as exc:
        raise ValueError(f"cannot render the formula {tex!r}: {exc}") from exc


def readable(el: etree.Element) -> str:
    """A plain-text reading of a MathML element: ``\\frac{1}{L}`` reads ``1/L``."""
    kids = list(el)
    if el.tag == "mo" and (el.text or "") in _SPACED:
        return f" {el.text} "
    if el.tag in ("mi", "mn", "mo", "mtext", "ms"):
        return (el.text or "").translate(_INVISIBLE)
    if el.tag == "mspace" or el.tag == "annotation":
        return " " if el.tag == "mspace" and el.get("width", "").startswith(("0.2", "1", "2")) else ""
    parts = [readable(k) for k in kids]
    if el.tag == "mfrac" and len(parts) == 2:
        return "/".join(_grouped(p) for p in parts)
    if el.tag in ("msqrt",):
        return "√" + _grouped("".join(parts))
    if el.tag == "mroot" and len(parts) == 2:
        return f"{parts[1]}√" + _grouped(parts[0])
    if el.tag in ("msub", "msup", "msubsup", "munder", "mover", "munderover") and parts:
        base, scripts = parts[0], parts[1:]
        if el.tag in ("mover", "munder") and el.get("accent", el.get("accentunder")) == "true":
            return base + _COMBINING.get(scripts[0].strip(), "") if scripts else base
        marks = ("_", "^") if el.tag in ("msubsup", "munderover") else (
            ("_",) if el.tag in ("msub", "munder") else ("^",))
        return base + "".join(_script(m, s) for m, s in zip(marks, scripts, strict=False))
    if el.tag == "mtr":
        return " ".join(parts)
    if el.tag == "mtable":
        return "; ".join(parts)
    return "".join(parts)


def _grouped(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


def _script(mark: str, text: str) -> str:
    table = _SUBSCRIPT_DIGITS if mark == "_" else _SUPERSCRIPT_DIGITS
    compact = text.replace(" ", "")
    if compact and all(c in table for c in compact):
        return "".join(table[c] for c in compact)
    return mark + _grouped(text)


def math_element(tex: str, display: bool) -> etree.Element:
    """``<math>`` with the drawn formula and its plain-text reading for the search index."""
    math = etree.fromstring(_XML_ENTITY.sub(_unescape, tex_to_mathml(tex, display)))
    if math.find(".//mstyle") is not None:
        raise ValueError(f"the MathML of {tex!r} has an mstyle: the search index would show it")
    # mstyle (a plain row here) because material's search parser tracks excluded elements by tag
    # name alone, so an excluded tag must not also occur inside the formula: math-core's output
    # has mrow everywhere but no mstyle.
    drawn = etree.Element("mstyle", {"data-search-exclude": ""})
    drawn.extend(list(math))
    for child in list(math):
        math.remove(child)
    text = re.sub(r"\s+", " ", readable(drawn)).strip()
    semantics = etree.SubElement(math, "semantics")
    semantics.append(drawn)
    etree.SubElement(semantics, "annotation", {"encoding": "text/plain"}).text = text
    for node in math.iter():  # no further Markdown processing of the formula's text
        if node.text:
            node.text = AtomicString(node.text)
    return math


_XML_ENTITY = re.compile(r"&(?!(?:lt|gt|amp|quot|apos);)[A-Za-z]+;")


def _unescape(m: re.Match) -> str:  # HTML names (&ApplyFunction;) that XML does not know
    return html.unescape(m.group(0))


def _tex_of(el: etree.Element) -> tuple[str, bool] | None:
    """(TeX, display) held by an arithmatex element, or None if it holds something else."""
    text = (el.text or "").strip()
    if text.startswith("\\(") and text.endswith("\\)"):
        return text[2:-2], False
    if text.startswith("\\[") and text.endswith("\\]"):
        return html.unescape(text[2:-2]), True  # arithmatex escapes display math once
    return None


_TRAILING = re.compile(r"[.,;:!?)\]”’]+")  # what must not start a line after a formula
_LEADING = re.compile(r"[(\[“‘]+$")  # what must not end a line before one


def _keep_punctuation(span: etree.Element, math: etree.Element, parent) -> None:
    """Move the punctuation right after an inline formula, and an opening bracket right before
    it, into its span, which the site's CSS keeps on one line: a browser may break a line
    between a ``<math>`` and the full stop after it (a phone then starts a line with ``.``) or
    the bracket before it."""
    found = _TRAILING.match(span.tail or "")
    if found:
        math.tail = AtomicString(found.group(0))
        span.tail = span.tail[found.end():]
    if parent is None:
        return
    before = list(parent).index(span)
    holder, attr = (parent, "text") if before == 0 else (parent[before - 1], "tail")
    found = _LEADING.search(getattr(holder, attr) or "")
    if found:
        span.text = AtomicString(found.group(0))
        setattr(holder, attr, getattr(holder, attr)[: found.start()])


class MathTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for el in list(root.iter()):
            if "arithmatex" not in el.get("class", "").split():
                continue
            found = _tex_of(el)
            if found is None:
                continue
            tex, display = found
            heading = self._heading_of(el, parents)
            if heading is not None and "id" not in heading.attrib:
                self._keep_heading_id(heading)
            el.text = None
            missing = MISSING.findall(tex)
            if missing:  # a macro in the formula had no output (the build has reported it)
                shown = etree.SubElement(el, "strong", {"class": "gd-missing"})
                shown.text = AtomicString("; ".join(missing) + " (in a formula)")
                continue
            math = math_element(tex, display)
            el.append(math)
            if not display:
                _keep_punctuation(el, math, parents.get(el))
            if heading is not None:
                heading.set("data-toc-label", self._label(heading))

    @staticmethod
    def _heading_of(el, parents):
        node = parents.get(el)
        while node is not None and not re.fullmatch(r"h[1-6]", node.tag):
            node = parents.get(node)
        return node

    def _keep_heading_id(self, heading: etree.Element) -> None:
        """The id the heading had with TeX in it, so links to it keep working."""
        toc = self.md.treeprocessors["toc"] if "toc" in self.md.treeprocessors else None
        if toc is not None:
            text = "".join(heading.itertext())
            heading.set("id", toc.slugify(text, toc.sep))

    @staticmethod
    def _label(heading: etree.Element) -> str:
        """The heading as plain text, each formula by its reading (for the TOC, nav and title)."""
        def text_of(node) -> str:
            if node.tag == "math":
                return node.find("semantics/annotation").text or ""
            return (node.text or "") + "".join(text_of(k) + (k.tail or "") for k in node)

        return html.escape(text_of(heading).strip(), quote=False)


class MathExtension(Extension):
    """Register after the inline patterns (20) and before the table of contents (5)."""

    def extendMarkdown(self, md):
        md.treeprocessors.register(MathTreeprocessor(md), "gdnotes_math", 10)


def makeExtension(**kwargs):  # noqa: N802 (Markdown's extension hook)
    return MathExtension(**kwargs)
