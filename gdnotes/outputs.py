"""Where an example puts what it makes: figures, GIFs, tables, numbers and captured text.

Every example starts with ``out = gd.Outputs("<example name>")``. When the site build runs an
example it sets ``GDNOTES_OUTPUT_DIR`` to a fresh directory for it; run anywhere else (``python
learning_rate.py`` from any folder, or the downloaded notebook in Jupyter) it writes to
``gdnotes_outputs/<example>/`` under the current directory, and in a notebook it also shows each
figure, table and number inline. Either way the directory ends up holding the files plus
``manifest.json``::

    {"example": "learning_rate",
     "outputs": {"regimes": {"file": "regimes.png", "kind": "figure", "alt": "...",
                             "caption": "What to notice ...", "dark": "regimes.dark.png",
                             "css": [540, 340], "pixels": [1080, 680], "min_font_pt": 10.0,
                             "desktop_px": 13.89, "phone_px": 9.2},
                 "descent": {"file": "descent.gif", "kind": "gif", "alt": "...",
                             "still": "descent.png", "dark": "descent.dark.png", ...},
                 "iterations": {"file": "iterations.md", "kind": "table", "alt": ""},
                 "torch_loop": {"file": "torch_loop.txt", "kind": "text", "alt": ""}},
     "values": {"best_eta": {"text": "0.50", "raw": 0.5}},
     "order": ["output:regimes", "output:descent", ..., "value:best_eta"]}

Pages refer to these by ``<example>/<name>`` (see the site build). Every write is atomic and
byte-reproducible, and bad input (a duplicate name, missing alt text) fails loudly. A figure
whose text would show too small in the content column or on a phone is refused, naming the
example and the figure (see `gdnotes.style.text_sizes`); its CSS size, pixel size and smallest
text are recorded for the site's browser tests. Every figure and GIF still has a dark twin
``<name>.dark.png``: the same drawing restyled for a dark page, not drawn again from the data.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from numbers import Integral, Real
from pathlib import Path

from .animate import thaw_background
from .style import (
    CSS_DPI,
    DPI,
    gif_bytes,
    glyphs_replayed,
    lay_out,
    legibility_problem,
    png_bytes,
    restyle_dark,
    text_sizes,
    ticks_placed_once,
    write_bytes_atomically,
)

OUTPUT_DIR_ENV = "GDNOTES_OUTPUT_DIR"
STANDALONE_DIR = "gdnotes_outputs"  # under the current directory, when not run by the site build
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_EXAMPLE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")
CODE_SPAN = re.compile(r"(?<!`)(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)", re.DOTALL)
_BARE_PIPE = re.compile(r"(?<!\\)\|")  # a pipe not already escaped as \|
# CPU seconds spent rendering and encoding each figure and animation of this process, by
# "<example>/<name>": the site build reads it after a run for its timing table.
RENDER_SECONDS: dict[str, float] = {}
_USELESS_ALT = {"", "alt", "alt text", "image", "figure", "plot", "gif", "animation"}


def _close(fig) -> None:
    import matplotlib.pyplot as plt  # only examples draw; importing gdnotes stays quick

    plt.close(fig)


def _notebook_display() -> Callable | None:
    """IPython's ``display`` when running inside a Jupyter kernel, else None."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "kernel"):
        return None
    from IPython.display import display

    return display


def _show(bundle: dict) -> None:
    """Show a MIME bundle inline when running in a notebook (the same bundles the site's executed
    notebooks hold, see `display_bundle`); a no-op anywhere else."""
    display = _notebook_display()
    if display is not None:
        display(bundle, raw=True)


def display_bundle(kind: str, data: bytes | str, label: str) -> dict:
    """The MIME bundle a notebook shows for one output: ``kind`` is png, gif, svg, markdown or
    text; ``label`` is the plain-text stand-in (alt text for images)."""
    if kind in {"png", "gif"}:
        return {f"image/{kind}": base64.b64encode(data).decode(), "text/plain": label}
    if kind == "svg":
        return {"image/svg+xml": data, "text/plain": label}
    if kind == "markdown":
        return {"text/markdown": data, "text/plain": label}
    return {"text/plain": data}


def value_markdown(name: str, text: str) -> str:
    """How a recorded number is shown in a notebook."""
    return f"`{name}` = {text}"


class _Tee(io.TextIOBase):
    """Writes to two streams: the reader still sees the output while it is being captured."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, s: str) -> int:
        for stream in self.streams:
            stream.write(s)
        return len(s)

    def flush(self) -> None:
        for stream in self.streams:
            stream.flush()


class Outputs:
    """The output directory of one example, and the only way an example writes files.

    One per example and directory in a process: ``gd.Outputs("x")`` a second time returns the
    first one (with everything it recorded), so a stray second call cannot wipe the manifest; a
    different example name for the same directory is an error. Inside Jupyter a new call starts
    the directory over instead, as re-running a notebook from the top should."""

    _open: dict[Path, Outputs] = {}

    def __new__(cls, example: str | os.PathLike, directory: str | os.PathLike | None = None):
        name, path = cls._where(example, directory)
        existing = cls._open.get(path)
        if existing is not None and _notebook_display() is None:
            if existing.example != name:
                raise ValueError(
                    f"gd.Outputs({name!r}) writes to {path}, which gd.Outputs("
                    f"{existing.example!r}) already uses; one Outputs per example"
                )
            return existing
        self = super().__new__(cls)
        self._fresh = True
        return self

    @staticmethod
    def _where(example, directory) -> tuple[str, Path]:
        """(example name, absolute output directory), or ValueError for a bad name."""
        if isinstance(example, os.PathLike) or (
            isinstance(example, str) and example.endswith(".py")
        ):
            example = Path(example).stem
        if not isinstance(example, str) or not _EXAMPLE.match(example):
            raise ValueError(
                "example must be the example's name (letters, digits, '_' or '-'), "
                f"got {example!r}"
            )
        if directory is None:
            directory = os.environ.get(OUTPUT_DIR_ENV)
        if directory is None:
            directory = Path.cwd() / STANDALONE_DIR / example
        return example, Path(directory).absolute()

    def __init__(self, example: str | os.PathLike, directory: str | os.PathLike | None = None):
        """``example`` is the example's name, e.g. ``"learning_rate"`` (a path to its script is
        accepted too, for the stem). ``directory`` overrides where the files go."""
        if not self.__dict__.pop("_fresh", False):
            return  # the example's Outputs already (see the class docstring)
        self.example, self.directory = self._where(example, directory)
        if directory is None and os.environ.get(OUTPUT_DIR_ENV) is None:
            print(f"gdnotes: {self.example} writes its figures, tables and numbers to "
                  f"{self.directory}", file=sys.stderr)
        self.directory.mkdir(parents=True, exist_ok=True)
        Outputs._open[self.directory] = self
        # "order" lists "output:<name>" and "value:<name>" in the order they were made, which is
        # the order a notebook shows them in
        self.manifest: dict = {"example": self.example, "outputs": {}, "values": {}, "order": []}
        self._write_manifest()

    # -- bookkeeping -------------------------------------------------------------------------
    def _claim(self, name: str) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(
                f"output name must be lower-case letters, digits, '_' or '-', got {name!r}"
            )
        if name in self.manifest["outputs"] or name in self.manifest["values"]:
            raise ValueError(f"output name {name!r} is already used in example {self.example!r}")

    @staticmethod
    def _check_alt(alt: str) -> str:
        if not isinstance(alt, str) or alt.strip().lower() in _USELESS_ALT or len(alt.strip()) < 15:
            raise ValueError(
                f"alt text must describe what the figure shows (15+ characters), got {alt!r}"
            )
        return " ".join(alt.split())

    def _record(self, name: str, file: str, kind: str, alt: str = "", **extra) -> Path:
        self.manifest["outputs"][name] = {"file": file, "kind": kind, "alt": alt, **extra}
        self.manifest["order"].append(f"output:{name}")
        self._write_manifest()
        return self.directory / file

    def _write_manifest(self) -> None:
        text = json.dumps(self.manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        write_bytes_atomically(self.directory / "manifest.json", text.encode())

    def _write(self, file: str, data: bytes) -> None:
        write_bytes_atomically(self.directory / file, data)

    # -- what examples call ------------------------------------------------------------------
    @staticmethod
    def _check_caption(caption: str) -> str:
        if not isinstance(caption, str):
            raise TypeError(f"caption must be a string, got {caption!r}")
        return " ".join(caption.split())

    def _legible(self, fig, name: str) -> dict:
        """The figure's text sizes (after it was drawn), or ValueError naming it if too small."""
        sizes = text_sizes(fig)
        problem = legibility_problem(sizes)
        if problem:
            _close(fig)
            raise ValueError(f"figure {name!r} of example {self.example!r}: {problem}")
        return sizes

    def figure(self, fig, name: str, *, alt: str, caption: str = "",
               dpi: int | None = None) -> Path:
        """Save a static figure as ``<name>.png`` and its dark twin ``<name>.dark.png``, then
        close it. ``caption`` says what to notice (pages number it "Figure N.")."""
        _check_figure(fig)
        self._claim(name)
        alt = self._check_alt(alt)
        caption = self._check_caption(caption)
        started = time.process_time()
        dpi = dpi or DPI
        # the dark twin only recolours: its ticks and glyphs are the light one's
        with ticks_placed_once(), glyphs_replayed():
            lay_out(fig, dpi)  # once: the light PNG and its dark twin then draw once each
            png = png_bytes(fig, dpi=dpi)
            sizes = self._legible(fig, name)
            restyle_dark(fig)
            dark = png_bytes(fig, dpi=dpi)
        RENDER_SECONDS[f"{self.example}/{name}"] = time.process_time() - started
        self._write(f"{name}.png", png)
        self._write(f"{name}.dark.png", dark)
        _close(fig)
        _show(display_bundle("png", png, alt))
        return self._record(name, f"{name}.png", "figure", alt, caption=caption,
                            dark=f"{name}.dark.png", pixels=list(_png_size(png)), **sizes)

    def gif(
        self,
        fig,
        draw_frame: Callable[[int], object],
        frames: int,
        name: str,
        *,
        alt: str,
        caption: str = "",
        fps: float = 12.0,
        hold_last_ms: int = 1500,
        quantize: str = "fastoctree",
    ) -> Path:
        """Animate ``fig`` into ``<name>.gif`` plus its last frame as ``<name>.png`` and that
        frame's dark twin ``<name>.dark.png`` (the GIF itself stays light; frames are 1x)."""
        _check_figure(fig)
        self._claim(name)
        alt = self._check_alt(alt)
        caption = self._check_caption(caption)
        started = time.process_time()
        with glyphs_replayed():
            gif, still = gif_bytes(fig, draw_frame, frames, fps=fps,
                                   hold_last_ms=hold_last_ms, quantize=quantize)
            thaw_background(fig)  # the dark still restyles the drawing, not a frozen picture
            sizes = self._legible(fig, name)
            fig.set_layout_engine(None)
            restyle_dark(fig)
            dark = png_bytes(fig, dpi=CSS_DPI)
        RENDER_SECONDS[f"{self.example}/{name}"] = time.process_time() - started
        _close(fig)
        self._write(f"{name}.png", still)
        self._write(f"{name}.dark.png", dark)
        self._write(f"{name}.gif", gif)
        _show(display_bundle("gif", gif, alt))
        return self._record(name, f"{name}.gif", "gif", alt, caption=caption,
                            still=f"{name}.png", dark=f"{name}.dark.png", frames=frames,
                            pixels=list(_png_size(still)), **sizes)

    def table(
        self,
        name: str,
        rows: Sequence[Sequence] | str,
        headers: Sequence[str] | None = None,
        *,
        floatfmt: str | Sequence[str] = ".4g",
    ) -> Path:
        """Save a Markdown table; ``rows`` is a list of rows, or ready-made Markdown text."""
        self._claim(name)
        text = rows if isinstance(rows, str) else markdown_table(rows, headers, floatfmt)
        text = outside_code_spans(text, written_powers)
        text = text.rstrip("\n") + "\n"
        self._write(f"{name}.md", text.encode())
        _show(display_bundle("markdown", text, text))
        return self._record(name, f"{name}.md", "table")

    def value(self, name: str, value, fmt: str = "{:.4g}", bound: str | None = None) -> str:
        """Record one number (or short string) for the prose; returns the text pages will show.

        ``bound="lower"`` or ``"upper"``: the number is a bound in the prose ("every norm is
        above x", "the product is at most x"), so it is rounded in the safe direction
        (:func:`format_bound`): a lower bound down, an upper bound up.
        """
        self._claim(name)
        if value is None or isinstance(value, bool) or not (
            isinstance(value, Real | str) or getattr(value, "ndim", None) is not None
        ):
            raise TypeError(f"value {name!r} must be a number or a short string, got {value!r} "
                            f"({type(value).__name__})")
        if getattr(value, "ndim", None) == 0 and value.dtype.kind in "iuf":
            value = value.item()  # a 0-d numpy number: format it like a number, not via str()
        elif getattr(value, "ndim", 0) > 0:
            raise ValueError(f"value {name!r} must be one number or a short string, "
                             f"got an array of shape {value.shape}")
        if isinstance(value, Real) and not isinstance(value, Integral):
            if not math.isfinite(float(value)):
                raise ValueError(f"value {name!r} is not finite: {value!r}")
            raw = float(value)
        elif isinstance(value, Integral):
            raw = int(value)
        else:
            raw = str(value)
        if isinstance(raw, str):
            if bound is not None:
                raise ValueError(f"value {name!r}: bound={bound!r} needs a number, got {raw!r}")
            text = outside_code_spans(raw, written_powers)
        else:
            text = format_number(value, fmt) if bound is None else format_bound(raw, fmt, bound)
        self.manifest["values"][name] = {"text": text, "raw": raw}
        if bound is not None:
            self.manifest["values"][name]["bound"] = bound
        self.manifest["order"].append(f"value:{name}")
        self._write_manifest()
        _show(display_bundle("markdown", value_markdown(name, text), f"{name} = {text}"))
        return text

    def text(self, name: str, text: str) -> Path:
        """Save text (a program's printed output) as ``<name>.txt``."""
        path = self._save_text(name, text)
        _show(display_bundle("text", text.rstrip("\n") + "\n", ""))
        return path

    def _save_text(self, name: str, text: str) -> Path:
        self._claim(name)
        self._write(f"{name}.txt", (text.rstrip("\n") + "\n").encode())
        return self._record(name, f"{name}.txt", "text")

    @contextlib.contextmanager
    def capture(self, name: str) -> Iterator[None]:
        """Print as usual inside the block, and also save what was printed as ``<name>.txt``."""
        self._claim(name)
        buffer = io.StringIO()
        with contextlib.redirect_stdout(_Tee(sys.stdout, buffer)):
            yield
        self._save_text(name, buffer.getvalue())  # already shown as it was printed


def outside_code_spans(text: str, change: Callable[[str], str]) -> str:
    """``text`` with ``change`` applied to everything outside its Markdown code spans."""
    out, last = [], 0
    for span in CODE_SPAN.finditer(text):
        out += [change(text[last : span.start()]), span[0]]
        last = span.end()
    return "".join(out) + change(text[last:])


def markdown_cell(text: str) -> str:
    """Text as one Markdown table cell: a ``|`` (outside code spans, not already written ``\\|``)
    stays text, not a column break, and a line break becomes a space."""
    return outside_code_spans(" ".join(str(text).splitlines()),
                              lambda p: _BARE_PIPE.sub(r"\\|", p))


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, from a PNG's header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def _check_figure(fig) -> None:
    if not callable(getattr(fig, "savefig", None)):
        raise TypeError(f"fig must be a matplotlib Figure (from gd.figure() or plt.subplots()), "
                        f"got {fig!r} ({type(fig).__name__})")


# -- numbers as a reader reads them: 4.4 × 10⁻⁹, not 4.4e-09 ------------------------------------
_EXPONENT = re.compile(r"(?<![\w.])([-+]?\d+(?:\.\d*)?)[eE]([-+]?)(\d+)(?![\w.])")
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
TIMES = "\u00a0×\u00a0"  # no-break spaces: a number never breaks over two lines


def _power_of_ten(m: re.Match) -> str:
    mantissa, sign, exponent = m.group(1), m.group(2), m.group(3).lstrip("0")
    if not exponent:  # 1.00e+00
        return mantissa
    power = "10" + ((("-" if sign == "-" else "") + exponent).translate(_SUPERSCRIPT))
    if mantissa.lstrip("+-") == "1":
        return mantissa[:-1] + power  # 1e-08 -> 10⁻⁸, -1e+03 -> -10³
    return mantissa + TIMES + power


def written_powers(text: str) -> str:
    """Every number in ``text`` written with an exponent (``4.4e-09``) as ``4.4 × 10⁻⁹``."""
    return _EXPONENT.sub(_power_of_ten, text)


def format_number(value, fmt: str = "{:.4g}") -> str:
    """``fmt.format(value)`` as the site shows numbers: an exponent as a power of ten
    (``format_number(4.4e-9, "{:.1e}")`` is ``"4.4 × 10⁻⁹"``). Every number a page shows goes
    through here (values, table cells, bounds), so prose, tables, math and notebooks agree."""
    return written_powers(fmt.format(value))


_PARSE_POWER = re.compile(r"^([-+]?[\d.,]*?)(?:\u00a0×\u00a0)?10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)$")


def parse_shown(text: str) -> Decimal:
    """The number a formatted text shows (thousands separators, a leading '+' and powers of ten
    written ``a × 10ᵏ`` allowed)."""
    power = _PARSE_POWER.match(text)
    if power:
        digits = power.group(2).translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
        mantissa = power.group(1)
        text = f"{mantissa if mantissa.strip('+-') else mantissa + '1'}e{digits}"
    try:
        return Decimal(text.replace(",", "").replace("\u2212", "-"))
    except ArithmeticError as exc:
        raise ValueError(f"cannot read a number back from {text!r}") from exc


def format_bound(value: float, fmt: str, side: str) -> str:
    """``fmt.format(value)``, rounded in the safe direction for a bound.

    A lower bound ("above x") must not be shown larger than ``value``, an upper bound ("at
    most x") not smaller: ``format_bound(2.94e14, "{:.0e}", "lower")`` is ``"2 × 10¹⁴"``, not
    ``"3 × 10¹⁴"`` (written by :func:`format_number`'s rule). Works for fixed, exponent and
    general formats (not ``%``).
    """
    if side not in ("lower", "upper"):
        raise ValueError(f"side must be 'lower' or 'upper', got {side!r}")
    if "%" in fmt:
        raise ValueError(f"format_bound does not support percent formats, got {fmt!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"a bound must be finite, got {value!r}")
    text = fmt.format(value)
    shown = parse_shown(text)
    exact = Decimal(value)
    if (side == "lower" and shown <= exact) or (side == "upper" and shown >= exact):
        return written_powers(text)
    ulp = Decimal(1).scaleb(shown.as_tuple().exponent)  # one unit in the last shown digit
    # one unit down or up; below a power of ten an exponent format's unit is ten times smaller
    steps = (-ulp / 10, -ulp) if side == "lower" else (ulp,)
    for step in steps:
        text = fmt.format(float(shown + step))
        if parse_shown(text) == shown + step:  # shown exactly at this precision
            return written_powers(text)
    raise ValueError(f"cannot round {value!r} with {fmt!r} as a {side} bound")


def _cell(value, fmt: str) -> str:
    if isinstance(value, bool) or not isinstance(value, Real):
        return markdown_cell(value)
    if isinstance(value, Integral):
        return str(int(value))
    return format_number(float(value), "{:" + fmt + "}")


def markdown_table(
    rows: Sequence[Sequence],
    headers: Sequence[str] | None,
    floatfmt: str | Sequence[str] = ".4g",
) -> str:
    """A pipe table; numbers right-aligned and formatted with ``floatfmt`` (one, or one per column)."""
    if headers is None:
        raise ValueError("headers are required for a table built from rows")
    width = len(headers)
    fmts = [floatfmt] * width if isinstance(floatfmt, str) else list(floatfmt)
    if len(fmts) != width:
        raise ValueError(f"floatfmt has {len(fmts)} entries for {width} columns")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"table row {i} has {len(row)} cells, expected {width}")
    lines = ["| " + " | ".join(markdown_cell(h) for h in headers) + " |"]
    numeric = [all(isinstance(r[j], Real) and not isinstance(r[j], bool) for r in rows)
               for j in range(width)] if rows else [False] * width
    lines.append("|" + "|".join("---:" if n else ":---" for n in numeric) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_cell(v, f) for v, f in zip(row, fmts, strict=True)) + " |")
    return "\n".join(lines)
