"""Expand `{{ figure: ex/name }}`, `{{ table: ... }}`, `{{ value: ... }}`, `{{ text: ... }}` in pages.

Each macro becomes the output an example recorded in its manifest. `{{ answer: ex/name }}` is the
self-check box of an exercise: an empty element carrying the recorded value and its tolerance, which
docs/javascripts/exercises.js turns into an input and a Check button (see `gdnotes.site.exercises`). Figures carry the recorded alt
text and a caption linking to the example's page; a GIF becomes a `<picture>` whose reduced-motion
source is its still PNG, with visible links to the animation and the still.

What an example recorded is escaped for the place it lands: a value is HTML-escaped text, a table
loses any raw HTML (`<` outside its code spans becomes `&lt;`), a text output goes into a code fence
longer than any backtick run in it. Anything else between `{{ }}` that has a colon or starts with a
space (`{{ figur: a/b }}`, `{{ figure: }}`, `{{ value: a/b/c }}`) is not a valid macro: it is
reported with its line (failing a `--strict` build) and shown as an error. A macro inside inline code
or a fenced code block is left as written: that is how a page shows one literally.
"""

from __future__ import annotations

import html
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gdnotes.outputs import CODE_SPAN as _CODE_SPAN
from gdnotes.outputs import outside_code_spans


def missing_html(text: str) -> str:
    """A visible error where a macro's output should be (styled by ``.gd-missing``)."""
    return f'<strong class="gd-missing">{html.escape(text)}</strong>'


#: `missing_html` found in a page's text (inside a formula, say); group 1 is the error's text.
MISSING = re.compile(r'<strong class="gd-missing">(.*?)</strong>')

MACRO = re.compile(
    r"\{\{\s*(?P<kind>figure|table|value|text|answer)\s*:\s*"
    r"(?P<example>[A-Za-z0-9_\-]+)/(?P<name>[A-Za-z0-9_\-.]+)"
    r"(?:\s+tol=(?P<tol>[0-9]*\.?[0-9]+(?:e-?[0-9]+)?))?\s*\}\}"  # tol: answers only, > 0
)
FIGURE_LINK = re.compile(r"(?<![\w/])figures/(?P<example>[A-Za-z0-9_\-]+)/(?P<file>[\w\-.]+)")
# anything that looks meant as a macro: `{{` then a space, or a colon before the `}}`
LOOKS_LIKE_MACRO = re.compile(r"\{\{(?=\s|[^{}\n]*:)[^{}\n]*\}\}")
_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})")
_KINDS = {"figure": {"figure", "gif"}, "table": {"table"}, "text": {"text"}}


@dataclass
class Reference:
    kind: str
    example: str
    name: str
    line: int = field(default=0, compare=False)  # 1-based line in the page, 0 if unknown
    raw: str = field(default="", compare=False)  # the text as written, for malformed macros
    tol: float | None = field(default=None, compare=False)  # an answer's own tolerance, if given

    def __str__(self) -> str:
        return self.raw or f"{{{{ {self.kind}: {self.example}/{self.name} }}}}"


MALFORMED = ("is not a valid macro; write {{ figure: <example>/<name> }} (or table, value, text, "
             "answer; an answer may end in tol=<positive number>), "
             "or put it in inline code to show it literally")


def escape_html(text: str) -> str:
    """Markdown with any raw HTML neutralised: `<` outside code spans becomes `&lt;` (code spans
    are escaped by Markdown itself)."""
    return outside_code_spans(text, lambda piece: piece.replace("<", "&lt;"))


ANSWER_RELATIVE_TOLERANCE = 0.01  # a decimal answer is right within 1 % of the build's value


def answer_tolerance(raw: float | int) -> float:
    """How far a typed answer may be from the build's value: an integer (a count of steps) must
    be exact; a decimal may be off by 1 % of it, so three significant figures always pass."""
    if isinstance(raw, int):
        return 0.0
    return ANSWER_RELATIVE_TOLERANCE * abs(raw) or 1e-9


def answer_html(record: dict, tol: float | None = None) -> str:
    """The empty element exercises.js turns into a labelled box and a Check button; without
    JavaScript it shows nothing. The value is the build's number at full precision. `tol`
    (`{{ answer: ex/name tol=0.001 }}`, absolute) replaces the default where 1 % would accept a
    clearly wrong answer, such as 1 for a rate of 0.995 whose point is its distance from 1."""
    raw = record["raw"]
    tolerance = answer_tolerance(raw) if tol is None else tol
    return f'<span class="gd-answer" data-value="{raw!r}" data-tol="{tolerance!r}"></span>'


def code_fence(text: str, lang: str, title: str = "") -> str:
    """A fenced block holding `text` verbatim: the fence is longer than any backtick run in it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    attrs = f' title="{title}"' if title else ""
    return f"{ticks}{lang}{attrs}\n{text.rstrip()}\n{ticks}"


def _outside_code(chunk: str, offset: int):
    """(start, text) pieces of a non-fenced chunk that are not inline code."""
    last = 0
    for span in _CODE_SPAN.finditer(chunk):
        yield offset + last, chunk[last : span.start()]
        last = span.end()
    yield offset + last, chunk[last:]


def _macros(markdown: str):
    """(match, page offset, chunk, chunk offset) for every macro-looking text outside code."""
    offset = 0
    for fenced, chunk in _split_fences(markdown):
        if not fenced:
            for start, piece in _outside_code(chunk, offset):
                for match in LOOKS_LIKE_MACRO.finditer(piece):
                    yield match, start, chunk, offset
        offset += len(chunk)


def _reference(match: re.Match, start: int, markdown: str) -> Reference:
    line = markdown.count("\n", 0, start + match.start()) + 1
    valid = MACRO.fullmatch(match[0])
    tol = float(valid["tol"]) if valid and valid["tol"] else None
    if valid and (tol is None or (valid["kind"] == "answer" and tol > 0)):
        return Reference(valid["kind"], valid["example"], valid["name"], line, tol=tol)
    return Reference("", "", "", line, raw=match[0])


def _split_fences(markdown: str) -> list[tuple[bool, str]]:
    """Chunks of the page, flagged True when inside a fenced code block (left untouched)."""
    chunks, current, fence = [], [], None
    for line in markdown.splitlines(keepends=True):
        match = _FENCE.match(line)
        if fence is None and match:
            chunks.append((False, "".join(current)))
            current, fence = [line], match["fence"]
        elif fence is not None and match and match["fence"].startswith(fence[0] * len(fence)):
            current.append(line)
            chunks.append((True, "".join(current)))
            current, fence = [], None
        else:
            current.append(line)
    chunks.append((fence is not None, "".join(current)))
    return chunks


def references(markdown: str) -> list[Reference]:
    """Every valid macro reference outside code (fenced or inline)."""
    refs = [_reference(m, start, markdown) for m, start, _, _ in _macros(markdown)]
    return [r for r in refs if not r.raw]


def figure_links(markdown: str) -> set[str]:
    """Examples a page embeds through plain `figures/<example>/<file>` paths."""
    return {m["example"] for fenced, chunk in _split_fences(markdown) if not fenced
            for m in FIGURE_LINK.finditer(chunk)}


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) of a PNG or GIF, read from its header."""
    try:
        head = path.read_bytes()[:32]
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", head[16:24])
    if head[:4] == b"GIF8":
        return struct.unpack("<HH", head[6:10])
    return None


def animation_html(src: str, still: str, alt: str, dims: str, frames: int | None) -> str:
    """A GIF for the in-page player (docs/javascripts/player.js): without JavaScript the browser
    plays it, or shows the still under reduced motion; with it, the player adds play/pause and a
    frame scrubber and starts paused on the still under reduced motion."""
    count = f' data-frames="{int(frames)}"' if frames else ""
    return (
        f'<div class="gd-anim gd-light" data-gif="{src}"{count}>'
        f'<picture><source srcset="{still}" media="(prefers-reduced-motion: reduce)">'
        f'<img src="{src}" alt="{alt}"{dims} loading="lazy"></picture></div>'
    )


def _css_dims(record: dict, directory: Path) -> str:
    """width/height attributes in CSS px: the recorded CSS size (the PNG holds 2x as many
    pixels), else the image's own size. They reserve the space, so nothing shifts on load."""
    size = record.get("css") or image_size(directory / record["file"])
    return f' width="{size[0]}" height="{size[1]}"' if size else ""


def _caption_html(record: dict, number: int) -> str:
    """"Figure N." and the example's caption (what to notice), HTML-escaped."""
    caption = html.escape(record.get("caption", ""))
    label = f'<span class="gd-figure-number">Figure {number}.</span> ' if number else ""
    return f"{label}{caption} " if caption else label


class OutputIndex:
    """Looks up example outputs for the macros; `url(example, file, page_url)` makes links."""

    def __init__(
        self,
        manifests: dict[str, dict],
        directories: dict[str, Path],
        url: Callable[[str], str],
        example_page: Callable[[str], str],
        unavailable: dict[str, str] | None = None,
    ):
        self.unavailable = unavailable or {}  # example -> why it has no outputs this build
        self.manifests = manifests
        self.directories = directories
        self.url = url  # site-relative path -> URL relative to the current page
        self.example_page = example_page  # example name -> URL relative to the current page

    def find(self, ref: Reference) -> tuple[dict | None, str]:
        """(record, problem): the manifest record a reference names, or why there is none."""
        manifest = self.manifests.get(ref.example)
        if manifest is None:
            if ref.example in self.unavailable:
                return None, f"example '{ref.example}' {self.unavailable[ref.example]}"
            return None, f"no example named '{ref.example}' produced outputs"
        if ref.kind in ("value", "answer"):
            record = manifest.get("values", {}).get(ref.name)
            known = sorted(manifest.get("values", {}))
        else:
            outputs = manifest.get("outputs", {})
            record = outputs.get(ref.name) or next(
                (r for r in outputs.values() if r.get("file") == ref.name), None
            )
            known = sorted(n for n, r in outputs.items() if r.get("kind") in _KINDS[ref.kind])
            if record and record.get("kind") not in _KINDS[ref.kind]:
                return None, f"'{ref.name}' is a {record.get('kind')}, not a {ref.kind}"
        if record is None:
            kind = "value" if ref.kind == "answer" else ref.kind
            return None, f"example '{ref.example}' recorded no {kind} '{ref.name}' " + (
                f"(it has: {', '.join(known)})" if known else f"(it records no {kind}s)"
            )
        raw = record.get("raw")
        if ref.kind == "answer" and (isinstance(raw, bool) or not isinstance(raw, int | float)):
            return None, f"the answer '{ref.name}' must be a number, got {raw!r}"
        return record, ""

    def render(self, ref: Reference, record: dict) -> str:
        directory = self.directories[ref.example]
        if ref.kind == "value":
            return html.escape(str(record.get("text", record.get("raw", ""))))
        if ref.kind == "answer":
            return answer_html(record, ref.tol)
        if ref.kind == "figure":
            return self.figure_html(ref.example, record)
        text = (directory / record["file"]).read_text(encoding="utf-8")
        if ref.kind == "table":
            return "\n\n" + escape_html(text.strip("\n")) + "\n\n"
        return "\n\n" + code_fence(text, "text") + "\n\n"

    def figure_html(self, example: str, record: dict, number: int = 0) -> str:
        directory = self.directories[example]
        alt = html.escape(record.get("alt", ""), quote=True)
        file = record["file"]
        src = self.url(f"figures/{example}/{file}")
        dims = _css_dims(record, directory)
        source_link = (
            f'<span class="gd-drawn-by">Drawn by <a href="{self.example_page(example)}">'
            f"examples/{example}.py</a>.</span>"
        )
        if record.get("kind") == "gif" and record.get("still"):
            still = self.url(f"figures/{example}/{record['still']}")
            body = animation_html(src, still, alt, dims, record.get("frames"))
            links = (
                f'<a href="{src}">Play the animation</a> · '
                f'<a href="{still}">still image (final frame)</a>. '
            )
        else:
            body = f'<img class="gd-light" src="{src}" alt="{alt}"{dims} loading="lazy">'
            links = ""
        body += self._dark_html(example, record, alt, dims)
        anchor = f' id="figure-{number}"' if number else ""
        return (
            f'<figure class="gd-figure"{anchor}>{body}'
            f"<figcaption>{_caption_html(record, number)}{links}{source_link}</figcaption>"
            "</figure>"
        )

    # -- gdnotes figures: dark twins (issue 14, figures) ---------------------------------------
    def _dark_html(self, example: str, record: dict, alt: str, dims: str) -> str:
        """The dark twin of a figure or GIF still, shown instead of the light one under the
        slate scheme (docs/stylesheets/figures.css)."""
        if not record.get("dark"):
            return ""
        dark = self.url(f"figures/{example}/{record['dark']}")
        return f'<img class="gd-dark" src="{dark}" alt="{alt}"{dims} loading="lazy">'

    def expand(self, markdown: str, problems: list[tuple[Reference, str]]) -> str:
        """Replace every macro; unknown references become visible errors listed in `problems`
        as (reference, what is wrong)."""

        pieces, last, figures = [], 0, 0
        for match, start, chunk, chunk_offset in _macros(markdown):
            begin, end = start + match.start(), start + match.end()
            ref = _reference(match, start, markdown)
            pieces.append(markdown[last:begin])
            last = end
            if ref.raw:
                problems.append((ref, MALFORMED))
                pieces.append(missing_html(f"not a macro: {ref.raw}"))
                continue
            record, problem = self.find(ref)
            if record is None:
                problems.append((ref, problem))
                pieces.append(missing_html(f"missing output {ref}"))
                continue
            # keep multi-line output inside the block (admonition, tab, list) the macro sits in
            at = begin - chunk_offset
            prefix = chunk[chunk.rfind("\n", 0, at) + 1 : at]
            indent = prefix if not prefix.strip() else ""
            if ref.kind == "figure":  # figures are numbered per page, in reading order
                figures += 1
                rendered = self.figure_html(ref.example, record, figures)
            else:
                rendered = self.render(ref, record)
            pieces.append(rendered.replace("\n", "\n" + indent))
        pieces.append(markdown[last:])
        return "".join(pieces)
