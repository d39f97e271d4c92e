"""One visual style for every figure on the site, and byte-reproducible PNG/GIF writers.

Figures are designed for the column they are shown in: a figure is ``FIGSIZE`` inches at
``CSS_DPI`` CSS pixels per inch (540 × 340 CSS px, under the 688 px content column) with every
text at ``FONT_PT``, saved at twice that pixel density for HiDPI screens. Panels stack
vertically rather than side by side, so a 358 px phone column shrinks a figure to no less than
two thirds and its text stays legible (`text_sizes` measures this; `gd.Outputs.figure` refuses
a figure that breaks it). Each figure also gets a dark twin: the same drawing restyled with
`restyle_dark` (slate background, light ink) and saved again.

Colour meaning, the same on every page:

- Series: Okabe–Ito (`COLORS`, `CYCLE`), distinguishable for colour-blind readers and readable
  on both the white and the slate background; black ink becomes light ink in the dark twin.
- One sequential colormap, ``SEQUENTIAL`` (viridis), for every "how much" map: **bright (yellow)
  means more of the quantity named on the colour bar**, so a map of steps-to-converge or of a
  contraction rate is bright where it is slow, and the colour bar's label says which. Never
  reverse it (no ``viridis_r``): draw the quantity whose "more" you mean instead.
- Contour lines of a function are grey (``CONTOUR_COLOR``) unless their colour is the point;
  filled levels use ``SEQUENTIAL``. Text on a map sits on an opaque box (``LABEL_BOX``), never
  bare white on yellow or black on purple.
- Categories (basins, outcomes) take Okabe–Ito colours, never a colormap.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # examples run headless; the build never opens a window

#: Okabe–Ito colours, in the order series are drawn.
COLORS = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "red": "#D55E00",
    "purple": "#CC79A7",
    "sky": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
    "grey": "#777777",
}
CYCLE = [COLORS[k] for k in ("blue", "orange", "green", "red", "purple", "sky", "black")]

#: CSS pixels per inch of figure: a figure is drawn at the size it is shown.
CSS_DPI = 100
#: Pixels per inch of the saved PNG: twice the CSS density, crisp on HiDPI screens.
DPI = 2 * CSS_DPI
#: Default figure size in inches: 540 × 340 CSS px. Width at most `MAX_WIDTH_IN`.
FIGSIZE = (5.4, 3.4)
#: Height of one panel of a stacked figure, in inches.
PANEL_HEIGHT = 2.5
#: The one text size of every figure (ticks, labels, legends, titles, annotations), in points.
FONT_PT = 10.0
#: Where figures are shown: the content column on a desktop and on a 390 px phone (CSS px), and
#: the smallest text a reader gets there (CSS px).
COLUMN_PX = 688
PHONE_COLUMN_PX = 358
MIN_TEXT_PX = 12.0
MIN_PHONE_TEXT_PX = 9.0
#: The widest figure whose FONT_PT text stays MIN_PHONE_TEXT_PX on a phone.
MAX_WIDTH_IN = FONT_PT * 100 / 72 * PHONE_COLUMN_PX / MIN_PHONE_TEXT_PX / CSS_DPI

#: The one sequential colormap (bright = more of the quantity on the colour bar).
SEQUENTIAL = "viridis"
#: Contour lines of the function under a path.
CONTOUR_COLOR = "#8a8a8a"  # 3.4:1 on white, 4.4:1 on slate
#: The box behind text placed on a map or over data (restyled with the figure for dark).
LABEL_BOX = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none",
             "alpha": 0.85}
#: material's slate scheme: its background and text colours (hsl(225, 15%, 14% / 90%)).
DARK_BACKGROUND = "#1e2129"
DARK_INK = "#e2e4e9"

STYLE = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": CSS_DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "auto",  # the figure's own facecolor: white, or slate for the dark twin
    "savefig.dpi": DPI,
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#111111",
    "axes.titlesize": FONT_PT,
    "axes.labelsize": FONT_PT,
    "figure.titlesize": FONT_PT,
    "xtick.labelsize": FONT_PT,
    "ytick.labelsize": FONT_PT,
    "legend.title_fontsize": FONT_PT,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "grid.color": "#dddddd",
    "grid.linewidth": 0.7,
    "legend.frameon": True,  # on an opaque box, so a legend that must sit on data stays legible
    "legend.framealpha": 0.9,
    "legend.edgecolor": "none",
    "legend.fontsize": FONT_PT,
    "lines.linewidth": 2.0,
    "font.size": FONT_PT,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "image.cmap": SEQUENTIAL,
    "svg.hashsalt": "gdnotes",  # stable ids inside SVGs
}


def use_style() -> None:
    """Apply the gdnotes style to matplotlib (idempotent)."""
    matplotlib.rcParams.update(STYLE)
    _share_mathtext_parses()
    _share_text_layouts()


#: The settings a text's glyphs, metrics and math parse are read from, besides its own font.
_TEXT_SETTINGS = ("font.serif", "font.sans-serif", "font.monospace", "font.cursive",
                  "font.fantasy", "font.enable_last_resort", "text.hinting",
                  "text.hinting_factor", "mathtext.fontset", "mathtext.fallback",
                  "mathtext.default", "mathtext.rm", "mathtext.it", "mathtext.bf",
                  "mathtext.bfit", "mathtext.sf", "mathtext.tt", "mathtext.cal")


def _text_settings() -> tuple:
    """The current `_TEXT_SETTINGS`, hashable: part of every shared text key, so a change of
    font or math settings later in the same process is never served an earlier text."""
    values = (dict.__getitem__(matplotlib.rcParams, k) for k in _TEXT_SETTINGS)  # validated
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def _share_mathtext_parses() -> None:
    """Let every figure of the process reuse matplotlib's parse of a math text (``$10^{-3}$``).

    matplotlib caches a parse per renderer, and each figure (and each dpi) gets a new renderer,
    so every figure parsed its tick labels and ``$η$`` labels again with pyparsing: about 40 %
    of the constrained-layout time. The parse depends only on the text, dpi, font, flags and
    the font settings (all in the key), so one process-wide cache gives the same pixels, and a
    reader who changes ``mathtext.*`` settings later in the same kernel gets a new parse.

    A parse holds the fonts its glyphs are drawn from, and a font reads its file through a
    descriptor that a forked process shares with its parent and siblings (one file offset for
    all): processes drawing at once read each other's glyphs (FreeType's "too many hints",
    or wrong pixels). So a forked child (an example run by the build's zygote) opens the fonts
    of the parses it inherits again, as matplotlib does for its own font cache."""
    from matplotlib.mathtext import MathTextParser

    original = getattr(MathTextParser._parse_cached, "__wrapped__", None)
    if original is None:  # already shared, or a matplotlib that caches differently
        return
    parses: dict = {}

    def parse_cached(self, s, dpi, prop, antialiased, load_glyph_flags):
        key = (self._output_type, s, dpi, prop, antialiased, load_glyph_flags, _text_settings())
        if key not in parses:
            parses[key] = original(self, s, dpi, prop, antialiased, load_glyph_flags)
        return parses[key]

    def reopen_fonts() -> None:  # after matplotlib's own after-fork hook emptied its font cache
        for key, parse in parses.items():
            if hasattr(parse, "glyphs"):  # a VectorParse: (font, size, char, index, dx, dy)s
                parses[key] = parse._replace(glyphs=[(_font_again(font), *rest)
                                                     for font, *rest in parse.glyphs])

    MathTextParser._parse_cached = parse_cached
    if hasattr(os, "register_at_fork"):  # not on Windows, which cannot fork
        os.register_at_fork(after_in_child=reopen_fonts)


def _font_again(font):
    """The font of this process for ``font``'s file and face (matplotlib's cached one)."""
    from matplotlib.font_manager import FontPath, get_font

    return get_font([FontPath(font.fname, font.face_index)])


def _share_text_layouts() -> None:
    """Let every text of the process reuse the layout of an equal text (same string, font,
    alignment, rotation, spacing, dpi and renderer kind).

    matplotlib lays a text out again (font lookup, metrics, line offsets) each time it is
    measured or drawn: a tick label is laid out by both constrained-layout passes, by the
    title and label placement of its axes, and by each of the light and the dark draw. The
    layout does not depend on where the text is (it is relative to the text's anchor), so
    texts that are equal in everything the layout reads share one: the same numbers."""
    from matplotlib.text import Text

    original = Text.__dict__["_get_layout"]
    if getattr(original, "_gdnotes_shared", False):
        return
    layouts: dict = {}

    def get_layout(self, renderer):
        if self.get_wrap() or self.get_usetex():  # wrapping depends on where the text is
            return original(self, renderer)
        key = (self.get_text(), hash(self._fontproperties), self.get_figure(root=True).dpi,
               type(renderer), getattr(renderer, "dpi", None), self._linespacing,
               self._get_multialignment(), self.get_rotation(), self.get_rotation_mode(),
               self._horizontalalignment, self._verticalalignment, self._parse_math,
               _text_settings())
        known = layouts.get(key)
        if known is None:
            if len(layouts) > 20_000:
                layouts.clear()
            known = layouts[key] = original(self, renderer)
        bbox, lines, box = known
        return bbox.frozen(), list(lines), box

    get_layout._gdnotes_shared, get_layout.__wrapped__ = True, original
    Text._get_layout = get_layout


def figure(nrows: int = 1, ncols: int = 1, *, figsize=None, **subplot_kw):
    """A styled ``(fig, ax)`` pair (``ax`` is an array when there are several panels).

    The default size fits the content column: ``FIGSIZE`` for one panel, and ``PANEL_HEIGHT``
    per row for panels stacked vertically (``gd.figure(2, 1)``); side-by-side panels share the
    same width, so prefer stacking."""
    use_style()
    if figsize is None:
        height = FIGSIZE[1] if nrows == 1 else PANEL_HEIGHT * nrows
        figsize = (FIGSIZE[0], height)
    import matplotlib.pyplot as plt  # here, so that importing gdnotes (the build does) stays quick

    fig, ax = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **subplot_kw)
    return fig, ax


def contour(ax, objective, bounds=None, *, n: int = 200, levels=10, **kwargs):
    """Draw the level sets of a 2-D ``objective`` on ``ax``; return matplotlib's contour set.

    One helper so every contour plot samples its function the same way (``objective.grid``,
    over ``bounds`` or the objective's own plotting box) and looks the same (thin grey lines,
    ``CONTOUR_COLOR``, which read on white and on slate); ``kwargs`` go to ``ax.contour``.
    """
    if objective.dim != 2:
        raise ValueError(f"contour needs a 2-D objective, got {objective.name!r} "
                         f"with dim={objective.dim}")
    X, Y, Z = objective.grid(n, bounds=bounds)
    if kwargs.get("cmap") is None:  # matplotlib refuses colors and cmap together
        kwargs.pop("cmap", None)
        kwargs.setdefault("colors", CONTOUR_COLOR)
    kwargs.setdefault("linewidths", 0.9)
    return ax.contour(X, Y, Z, levels=levels, **kwargs)


def mark_start(ax, x, y, *, label="start", **kwargs):
    """A black star where a run starts: the same marker on every page, so readers learn it once."""
    style = {"marker": "*", "ms": 13, "color": COLORS["black"], "ls": "none", "zorder": 5}
    return ax.plot([x], [y], label=label, **{**style, **kwargs})[0]


def mark_optimum(ax, x, y, *, label="minimum", **kwargs):
    """An orange star with a black rim where the answer is (minimiser, best setting)."""
    style = {"marker": "*", "ms": 14, "color": COLORS["orange"], "mec": COLORS["black"],
             "ls": "none", "zorder": 5}
    return ax.plot([x], [y], label=label, **{**style, **kwargs})[0]


@contextlib.contextmanager
def ticks_placed_once() -> Iterator[None]:
    """Within the block, an axis places its ticks once per view and size.

    One layout pass or draw asks each axis for its ticks many times (for the axis, for each
    spine, for the axis label of every shared or aligned neighbour), and matplotlib runs the
    tick locator and formatter and moves every tick and label each time: about a third of the
    work of a figure. The answer depends only on the axis, its view interval and its size in
    pixels, which are in the key, and nothing inside one layout or draw changes a locator or
    formatter, so every later call gets the first call's ticks: the same picture. Shared axes
    share their formatters, and an axis reads its offset text (``×10³``) from the formatter's
    state after placing its ticks, so that state is set again as placing them would."""
    from matplotlib.axis import Axis

    original = Axis.__dict__["_update_ticks"]
    placed: dict = {}

    def update_ticks(axis):
        key = (id(axis), tuple(axis.get_view_interval()), axis.axes.bbox.bounds,
               axis.get_figure(root=True).dpi)
        if key not in placed:  # the axis is held, so its id stays its own
            placed[key] = (axis, original(axis), axis.get_majorticklocs(),
                           axis.get_minorticklocs())
        else:
            axis.major.formatter.set_locs(placed[key][2])
            axis.minor.formatter.set_locs(placed[key][3])
        return list(placed[key][1])

    Axis._update_ticks = update_ticks
    try:
        yield
    finally:
        Axis._update_ticks = original


def replay_text(draw_text, glyphs: dict, real, gc, x, y, s, prop, angle, ismath=False,
                mtext=None):
    """Draw a text with Agg's ``draw_text`` (unbound), or paste the glyph bitmaps of an equal
    text drawn before (kept in ``glyphs``), moved by whole pixels.

    Agg places each glyph at ``round(64 (x + dx))`` 1/64 px, ``dx`` being the glyph's offset
    in the text (a whole number of 1/64 px), so a text moved by whole pixels gets the same
    bitmaps, moved as far, unless its place is a half-way tie: ties round to even, glyph by
    glyph, so there a text is reused only at its exact place. Either way every pixel is what
    matplotlib would draw. The colour comes from ``gc`` when pasted, so a dark twin reuses
    the light draw's glyphs. Math text and rotated text are drawn as usual. (It relies on how
    matplotlib 3.11's Agg renderer draws text: `_renderer.draw_text_image` per glyph.)"""
    inner = getattr(real, "_renderer", None)
    if ismath or angle or inner is None:
        return draw_text(real, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
    across, up = 64 * x, 64 * (real.height - y)  # in 1/64 px, as Agg computes them
    if _near_tie(across) or _near_tie(up):
        place, (ix, iy) = ("at", float(x), float(y)), (0, 0)
    else:
        (ix, fx), (iy, fy) = divmod(round(across), 64), divmod(round(up), 64)
        place = ("phase", fx, fy)
    features = (tuple(mtext.get_fontfeatures() or ()), mtext.get_language()) if mtext else ()
    key = (s, prop.copy(), place, features, real.dpi, real.height,
           bool(gc.get_antialiased()), _text_settings())
    known = glyphs.get(key)
    if known is None:  # draw it, keeping each glyph's bitmap and place
        known = []
        real._renderer = _GlyphRecorder(inner, known, ix, iy)
        try:
            draw_text(real, gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        finally:
            real._renderer = inner
        glyphs[key] = known
    else:
        for bitmap, left, top in known:  # draw_text_image's y points down
            inner.draw_text_image(bitmap, left + ix, top - iy, 0, gc)
    return None


def _near_tie(sixty_fourths: float) -> bool:
    """Whether a place in 1/64 px is (within float error) half-way between two whole ones."""
    return abs(sixty_fourths % 1 - 0.5) < 1e-6


class _GlyphRecorder:
    """Stands in for Agg's C++ renderer while a text is drawn, noting each glyph's bitmap and
    its place relative to the text's whole-pixel place (``ix`` across, ``iy`` up)."""

    def __init__(self, inner, glyphs: list, ix: int, iy: int):
        self._inner, self._glyphs, self._at = inner, glyphs, (ix, iy)

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def draw_text_image(self, bitmap, left, top, angle, gc):
        self._glyphs.append((np.array(bitmap, copy=True), left - self._at[0], top + self._at[1]))
        return self._inner.draw_text_image(bitmap, left, top, angle, gc)


_GLYPHS: dict = {}  # replay_text's bitmaps, kept for every figure of the process


@contextlib.contextmanager
def glyphs_replayed() -> Iterator[None]:
    """Within the block, Agg draws a text equal to one it drew before in this process (same
    string, font, sub-pixel place, dpi and canvas height) by pasting that text's glyph bitmaps
    (`replay_text`): the dark twin of a figure pastes the light draw's glyphs in its own
    colours, and a tick label drawn in an earlier figure of the same size is pasted too."""
    from matplotlib.backends.backend_agg import RendererAgg

    original = RendererAgg.__dict__["draw_text"]
    if len(_GLYPHS) > 5000:
        _GLYPHS.clear()
    glyphs = _GLYPHS

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        return replay_text(original, glyphs, self, gc, x, y, s, prop, angle, ismath, mtext)

    RendererAgg.draw_text = draw_text
    try:
        yield
    finally:
        RendererAgg.draw_text = original


def lay_out(fig, dpi: int = DPI) -> None:
    """Run ``fig``'s layout engine once, as saving at ``dpi`` would, then switch it off.

    With a layout engine on, ``savefig`` first draws the whole figure invisibly just to lay it
    out, then draws it again for real; laid out here, each later save (the light PNG, its dark
    twin) draws once, with the same layout: the same pixels for a third less work."""
    engine = fig.get_layout_engine()
    if engine is None or not fig.axes:
        return
    saved_dpi = fig.dpi
    fig.set_dpi(dpi)  # the layout is measured in the pixels of the saved picture, as savefig does
    try:
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:  # as Figure.draw does before it lays out
            locator = ax.get_axes_locator()
            ax.apply_aspect(locator(ax, renderer) if locator else None)
        with ticks_placed_once():
            engine.execute(fig)
    finally:
        fig.set_dpi(saved_dpi)
    fig.set_layout_engine(None)  # not "none": savefig's extra draw happens for any engine


def png_bytes(fig, dpi: int = DPI, colors: int = 256) -> bytes:
    """Render ``fig`` to PNG bytes with no metadata, so the same figure gives the same bytes.

    The picture is stored with a palette of ``colors`` colours (a line plot has few; no
    dithering), about a third of the bytes of full colour at 2x density; the palette entry
    nearest the figure's background is set to that exact colour, so the figure's edge
    disappears into a page of the same colour. ``colors=0`` keeps full colour."""
    if not colors:
        raw = io.BytesIO()
        fig.savefig(raw, format="png", dpi=dpi, metadata={"Software": None})
        return raw.getvalue()
    return _palette_png(_rgb(fig, dpi), fig.get_facecolor(), colors)


def _palette_png(image, background, colors: int = 256) -> bytes:
    """A Pillow RGB ``image`` as PNG bytes with a palette of ``colors`` colours (no dithering),
    the entry nearest ``background`` set to exactly that colour (see `png_bytes`)."""
    from PIL import Image

    indexed = image.quantize(colors=colors, method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
    palette = np.array(indexed.getpalette()[: 3 * colors], dtype=int).reshape(-1, 3)
    background = np.round(np.array(matplotlib.colors.to_rgb(background)) * 255)
    palette[np.argmin(((palette - background) ** 2).sum(axis=1))] = background
    indexed.putpalette(palette.astype(np.uint8).ravel().tolist())
    out = io.BytesIO()
    indexed.save(out, format="PNG", compress_level=6)
    return out.getvalue()


def _rgb(fig, dpi: int):
    """``fig`` rendered at ``dpi`` as a Pillow RGB image, straight from Agg's buffer (no PNG
    encoded and decoded on the way)."""
    from PIL import Image

    raw = io.BytesIO()
    with ticks_placed_once():
        fig.savefig(raw, format="rgba", dpi=dpi)
    width, height = int(fig.get_figwidth() * dpi), int(fig.get_figheight() * dpi)
    if len(raw.getbuffer()) != 4 * width * height:  # Agg rounded differently: ask a PNG
        raw = io.BytesIO()
        fig.savefig(raw, format="png", dpi=dpi, pil_kwargs={"compress_level": 0})
        return Image.open(raw).convert("RGB")
    return Image.frombuffer("RGBA", (width, height), raw.getbuffer(), "raw", "RGBA", 0, 1
                            ).convert("RGB")


def text_sizes(fig) -> dict:
    """What a reader sees of ``fig``: its CSS size and smallest text, natural and displayed.

    Call after the figure was drawn (tick labels exist only then). ``min_font_pt`` is the
    smallest visible non-empty text; ``desktop_px`` and ``phone_px`` are its size in CSS px
    once the figure is scaled down to fit the desktop and the phone column."""
    from matplotlib.text import Text

    width_in, height_in = fig.get_size_inches()
    css = (round(width_in * CSS_DPI), round(height_in * CSS_DPI))
    sizes = [t.get_fontsize() for t in fig.findobj(Text)
             if t.get_visible() and t.get_text().strip()]
    smallest = min(sizes, default=FONT_PT)
    natural_px = smallest * CSS_DPI / 72
    return {
        "css": list(css),
        "min_font_pt": round(float(smallest), 2),
        "desktop_px": round(natural_px * min(1.0, COLUMN_PX / css[0]), 2),
        "phone_px": round(natural_px * min(1.0, PHONE_COLUMN_PX / css[0]), 2),
    }


def legibility_problem(sizes: dict) -> str | None:
    """Why a figure's text is too small where it is shown (see `text_sizes`), or None."""
    if sizes["desktop_px"] < MIN_TEXT_PX or sizes["phone_px"] < MIN_PHONE_TEXT_PX:
        width = sizes["css"][0]
        return (f"its smallest text ({sizes['min_font_pt']:g} pt in a {width} CSS px wide "
                f"figure) shows at {sizes['desktop_px']:g} CSS px in the {COLUMN_PX} px column "
                f"and {sizes['phone_px']:g} px on a phone (needs >= {MIN_TEXT_PX:g} and >= "
                f"{MIN_PHONE_TEXT_PX:g}): use gd.style.FONT_PT ({FONT_PT:g} pt) for every "
                f"text and a width of at most {MAX_WIDTH_IN:.2f} in (stack panels with "
                "gd.figure(n, 1))")
    return None


def _swap_neutral(color, background, ink):
    """``color`` for the dark twin: a neutral (grey-scale) colour has its lightness swapped,
    white to ``background`` and black to ``ink``; a real colour stays as it is."""
    from matplotlib.colors import to_rgba

    r, g, b, a = to_rgba(color)
    if a == 0:
        return "none"
    if max(r, g, b) - min(r, g, b) > 0.12:
        return color  # a real colour
    v = (r + g + b) / 3
    bg, fg = to_rgba(background), to_rgba(ink)
    return tuple(bg[i] + (1 - v) * (fg[i] - bg[i]) for i in range(3)) + (a,)


def restyle_dark(fig, background: str = DARK_BACKGROUND, ink: str = DARK_INK) -> None:
    """Restyle an already drawn figure for a dark page, in place, without recomputing anything.

    The figure and axes backgrounds become ``background``; every neutral colour (black ink,
    grey grid and contours, white halos and boxes) has its lightness swapped; coloured data,
    colormapped images and meshes keep their colours (the palette reads on both)."""
    import matplotlib.collections as mcoll
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.text import Text

    def swap(color):
        return _swap_neutral(color, background, ink)

    def swap_many(colors):
        return [swap(c) for c in colors] if len(colors) else colors

    fig.patch.set_facecolor(background)
    done: set[int] = set()
    for artist in fig.findobj(Artist):
        if id(artist) in done:
            continue
        done.add(id(artist))
        if isinstance(artist, Text):
            artist.set_color(swap(artist.get_color()))
            box = artist.get_bbox_patch()
            if box is not None:
                box.set_facecolor(swap(box.get_facecolor()))
                box.set_edgecolor(swap(box.get_edgecolor()))
        elif isinstance(artist, Line2D):  # read all three first: markers follow the colour
            colors = (artist.get_color(), artist.get_markerfacecolor(),
                      artist.get_markeredgecolor())
            artist.set_color(swap(colors[0]))
            artist.set_markerfacecolor(swap(colors[1]))
            artist.set_markeredgecolor(swap(colors[2]))
        elif isinstance(artist, Patch) and artist is not fig.patch:
            artist.set_facecolor(swap(artist.get_facecolor()))
            artist.set_edgecolor(swap(artist.get_edgecolor()))
        elif isinstance(artist, mcoll.Collection):
            mapped = artist.get_array() is not None and artist.get_cmap() is not None
            if not mapped:
                artist.set_facecolor(swap_many(artist.get_facecolor()))
            artist.set_edgecolor(swap_many(artist.get_edgecolor()))
    for ax in fig.axes:
        if getattr(ax, "name", "") == "3d":
            for axis in (ax.xaxis, ax.yaxis, ax.zaxis):
                axis.set_pane_color(swap((0.95, 0.95, 0.95, 0.5)))
                axis._axinfo["grid"]["color"] = swap(axis._axinfo["grid"]["color"])  # noqa: SLF001
                axis.line.set_color(swap(axis.line.get_color()))
        else:  # ticks made while drawing again take the dark colours too
            ax.tick_params(which="both", color=swap(matplotlib.rcParams["xtick.color"]),
                           labelcolor=swap(matplotlib.rcParams["xtick.color"]),
                           grid_color=swap(matplotlib.rcParams["grid.color"]))


def gif_bytes(
    fig,
    draw_frame: Callable[[int], object],
    frames: int,
    *,
    fps: float = 12.0,
    hold_last_ms: int = 1500,
    colors: int = 64,
    quantize: str = "fastoctree",
) -> tuple[bytes, bytes]:
    """Animate ``fig`` by calling ``draw_frame(i)`` for each frame; return ``(gif, still_png)``.

    All frames share one adaptive palette (no dithering), and Pillow stores only the part of
    each frame that changed, which keeps typical plots well under the 400 KB budget. The last
    frame is held for ``hold_last_ms`` so a reader sees where the run ended; it is also
    returned as a PNG still (with a palette, as every figure, see `png_bytes`) for readers who
    prefer reduced motion. The default palette, ``"fastoctree"``, keeps small areas of saturated
    colour (thin coloured lines over a mostly grey plot) that ``"mediancut"`` would merge into
    the greys.
    """
    from PIL import Image

    from .animate import frame

    methods = {"mediancut": Image.Quantize.MEDIANCUT, "fastoctree": Image.Quantize.FASTOCTREE}
    if quantize not in methods:
        raise ValueError(f"quantize must be one of {sorted(methods)}, got {quantize!r}")
    if frames < 1:
        raise ValueError(f"frames must be >= 1, got {frames}")
    if not fps > 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    rgb = []
    for i in range(frames):
        draw_frame(i)
        rgb.append(frame(fig))
    sample = np.concatenate([rgb[0], rgb[len(rgb) // 2], rgb[-1]], axis=0)
    palette = Image.fromarray(sample).quantize(colors=colors, method=methods[quantize])
    images = [
        Image.fromarray(a).quantize(palette=palette, dither=Image.Dither.NONE) for a in rgb
    ]
    frame_ms = max(20, int(round(1000 / fps)))
    durations = [frame_ms] * (frames - 1) + [max(frame_ms, hold_last_ms)]
    gif = io.BytesIO()
    images[0].save(
        gif,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        optimize=True,
        disposal=1,
    )
    return gif.getvalue(), _palette_png(Image.fromarray(rgb[-1]), fig.get_facecolor())


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary sibling and rename, so readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
