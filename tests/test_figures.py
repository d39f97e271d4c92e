"""Figures designed for where they are shown: text sizes checked and recorded, a dark twin drawn
from the same figure, numbered captions, and every example's figure captioned."""

import ast
import contextlib
import io
import json
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from PIL import Image

import gdnotes as gd
from gdnotes import style
from gdnotes.site.macros import OutputIndex

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _luminance(path: Path) -> float:
    return float(np.asarray(Image.open(path).convert("L"), dtype=float).mean() / 255)


def _line_figure(**text):
    fig, ax = gd.figure()
    x = np.linspace(0, 1, 20)
    ax.plot(x, x, color=gd.COLORS["blue"], label="data")
    ax.plot(x, 1 - x, color="black", label="ink")
    ax.legend()
    if text:
        ax.text(0.5, 0.5, "note", **text)
    return fig


def test_a_default_figure_fits_the_column_with_one_text_size():
    fig = _line_figure()
    fig.canvas.draw()
    sizes = style.text_sizes(fig)
    assert sizes["css"] == [540, 340]
    assert sizes["min_font_pt"] == style.FONT_PT
    assert sizes["desktop_px"] >= style.MIN_TEXT_PX and sizes["phone_px"] >= style.MIN_PHONE_TEXT_PX
    assert style.legibility_problem(sizes) is None
    assert 540 <= style.MAX_WIDTH_IN * style.CSS_DPI < 560


def test_figure_records_css_and_pixel_size_text_size_and_dark_twin(tmp_path):
    out = gd.Outputs("demo", directory=tmp_path)
    out.figure(_line_figure(), "lines", alt="Two crossing straight lines on the unit square",
               caption="The lines cross at one half.")
    record = json.loads((tmp_path / "manifest.json").read_text())["outputs"]["lines"]
    assert record["css"] == [540, 340] and record["pixels"] == [1080, 680]  # 2x for HiDPI
    assert record["min_font_pt"] == style.FONT_PT and record["phone_px"] >= 9
    assert record["caption"] == "The lines cross at one half."
    assert record["dark"] == "lines.dark.png"
    with Image.open(tmp_path / "lines.dark.png") as dark:
        assert dark.size == (1080, 680)
    assert _luminance(tmp_path / "lines.png") > 0.8
    assert _luminance(tmp_path / "lines.dark.png") < 0.25


@pytest.mark.parametrize(("figsize", "text"), [((5.4, 3.4), {"fontsize": 6}),
                                               ((9.0, 4.0), {})])
def test_text_too_small_where_shown_fails_naming_example_and_figure(tmp_path, figsize, text):
    out = gd.Outputs("demo", directory=tmp_path)
    fig = _line_figure(**text)
    fig.set_size_inches(*figsize)
    with pytest.raises(ValueError, match="^figure 'small' of example 'demo': its smallest text"):
        out.figure(fig, "small", alt="A figure whose text would be too small")
    assert "small" not in json.loads((tmp_path / "manifest.json").read_text())["outputs"]


def test_dark_twin_swaps_ink_and_background_and_keeps_data_colours():
    fig = _line_figure(bbox=style.LABEL_BOX)
    fig.canvas.draw()
    style.restyle_dark(fig)
    ax = fig.axes[0]
    blue, ink = ax.lines[0].get_color(), ax.lines[1].get_color()
    assert blue == gd.COLORS["blue"]
    assert np.allclose(to_rgb(ink), to_rgb(style.DARK_INK), atol=0.02)
    assert np.allclose(to_rgb(fig.get_facecolor()), to_rgb(style.DARK_BACKGROUND))
    assert np.allclose(to_rgb(ax.get_facecolor()), to_rgb(style.DARK_BACKGROUND))
    box = ax.texts[0].get_bbox_patch().get_facecolor()
    assert np.allclose(box[:3], to_rgb(style.DARK_BACKGROUND))  # a white label box turns slate


def to_rgb(color):
    from matplotlib.colors import to_rgb as rgb

    return np.array(rgb(color))


def test_gif_still_gets_a_dark_twin_even_with_a_frozen_background(tmp_path):
    out = gd.Outputs("demo", directory=tmp_path)
    fig, ax = gd.figure()
    (point,) = ax.plot([0.0], [0.0], "o")
    ax.set(xlim=(-1, 1), ylim=(-1, 1), xlabel="x", ylabel="y")
    gd.freeze_background(fig, [point])
    out.gif(fig, lambda i: point.set_data([i / 10], [i / 10]), 4, "dot",
            alt="A dot moving diagonally across the axes", caption="It moves.")
    record = json.loads((tmp_path / "manifest.json").read_text())["outputs"]["dot"]
    assert record["dark"] == "dot.dark.png" and record["css"] == [540, 340]
    with Image.open(tmp_path / "dot.dark.png") as dark, Image.open(tmp_path / "dot.png") as still:
        assert dark.size == still.size == (540, 340)  # GIF frames stay 1x
    assert _luminance(tmp_path / "dot.dark.png") < 0.25


def _index(tmp_path: Path) -> OutputIndex:
    (tmp_path / "a.png").write_bytes(b"")
    common = {"kind": "figure", "alt": "A line <rising>", "css": [540, 340]}
    manifest = {"outputs": {
        "a": {"file": "a.png", "dark": "a.dark.png", "caption": "Notice the slope.", **common},
        "b": {"file": "b.png", "dark": "b.dark.png", "caption": "", **common},
    }}
    return OutputIndex({"ex": manifest}, {"ex": tmp_path}, lambda p: "../" + p,
                       lambda e: f"../examples/{e}/")


def test_figures_are_numbered_per_page_with_both_twins_sized_in_css_px(tmp_path):
    html = _index(tmp_path).expand("{{ figure: ex/a }}\n\ntext\n\n{{ figure: ex/b }}", p := [])
    assert not p
    assert html.count('width="540" height="340"') == 4
    assert '<img class="gd-light" src="../figures/ex/a.png"' in html
    assert '<img class="gd-dark" src="../figures/ex/a.dark.png"' in html
    assert ('<span class="gd-figure-number">Figure 1.</span> Notice the slope. '
            '<span class="gd-drawn-by">Drawn by') in html
    assert '<span class="gd-figure-number">Figure 2.</span> <span class="gd-drawn-by">' in html
    assert 'id="figure-2"' in html
    again = _index(tmp_path).expand("{{ figure: ex/b }}", [])
    assert "Figure 1." in again  # a new page starts again at 1


def _figure_calls(tree):
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("figure", "gif")
                and any(k.arg == "alt" for k in node.keywords)):
            yield node


@pytest.mark.parametrize("script", sorted(EXAMPLES.glob("*.py")), ids=lambda p: p.stem)
def test_every_example_figure_has_a_caption(script):
    missing = [f"line {call.lineno}" for call in _figure_calls(ast.parse(script.read_text()))
               if not any(k.arg == "caption" for k in call.keywords)]
    assert not missing, f"{script.name}: figures without caption= at {', '.join(missing)}"


def test_no_reversed_colormap_in_examples():
    """One colormap direction site-wide (gdnotes.style): bright means more."""
    reversed_maps = [p.name for p in EXAMPLES.glob("*.py") if "_r\"" in p.read_text()]
    assert not reversed_maps


def _busy_figure():
    """Two panels with log ticks, math text, a title, a legend and one string boxed four
    times (aligned, rotated and bold in turn): texts whose layouts may and may not be shared."""
    fig, (top, bottom) = gd.figure(2, 1)
    x = np.linspace(1, 100, 50)
    top.loglog(x, 1 / x, label=r"$\eta = 0.1$")
    top.set(title="loss", xlabel=r"step $t$", ylabel="f")
    top.legend(title="two\nlines")
    bottom.plot(x, np.sin(x))
    for y, kwargs in enumerate([{"ha": "center"}, {"ha": "center", "rotation": 30},
                                {"ha": "left"}, {"ha": "left", "fontweight": "bold"}]):
        bottom.text(50, y / 2 - 1, "boxed", bbox=style.LABEL_BOX, **kwargs)
    bottom.set(xlabel="x", ylabel="sin x")
    return fig


def test_shared_text_layouts_draw_the_same_pixels_as_matplotlib():
    from matplotlib.text import Text

    fig = _busy_figure()
    style.lay_out(fig)
    shared = style.png_bytes(fig)
    own = Text._get_layout
    try:
        Text._get_layout = own.__wrapped__  # matplotlib's: every text laid out afresh
        fig = _busy_figure()
        Text._get_layout = own.__wrapped__  # gd.figure() shares again; undo it once more
        style.lay_out(fig)
        fresh = style.png_bytes(fig)
    finally:
        Text._get_layout = own
    assert shared == fresh


def test_a_figure_and_its_dark_twin_are_the_pictures_of_separate_draws(tmp_path):
    # Outputs.figure places each axis's ticks once for the layout and both draws
    out = gd.Outputs("demo", directory=tmp_path)
    out.figure(_busy_figure(), "busy", alt="Two panels of curves, labels and boxed texts")
    fig = _busy_figure()
    style.lay_out(fig)
    light = style.png_bytes(fig)
    style.restyle_dark(fig)
    dark = style.png_bytes(fig)
    assert (tmp_path / "busy.png").read_bytes() == light
    assert (tmp_path / "busy.dark.png").read_bytes() == dark


def _texts_at(places, replay: bool, strings=None, seed=0) -> np.ndarray:
    """Agg's pixels of texts drawn at each (x, y) display pixel of a figure, glyphs replayed or
    not: "BCBC" at 10 pt (at 200 dpi the advance from B to C is an odd number of 1/64 px), or
    ``strings`` in sizes, weights and alignments drawn with ``seed``."""
    import matplotlib.pyplot as plt
    from matplotlib.transforms import IdentityTransform

    rng = np.random.default_rng(seed)
    fig = plt.figure(figsize=style.FIGSIZE)
    for x, y in places:
        if strings is None:
            fig.text(x, y, "BCBC", fontsize=10, transform=IdentityTransform())
            continue
        fig.text(x, y, strings[rng.integers(len(strings))], transform=IdentityTransform(),
                 fontsize=10, fontweight=rng.choice(["normal", "bold"]),
                 ha=rng.choice(["left", "center", "right"]), va=rng.choice(["baseline", "top"]))
    raw = io.BytesIO()
    with style.glyphs_replayed() if replay else contextlib.nullcontext():
        fig.savefig(raw, format="rgba", dpi=style.DPI)
    plt.close(fig)
    return np.frombuffer(raw.getvalue(), np.uint8)


@pytest.mark.parametrize("earlier, later, reused", [
    ((100 + 2.5 / 64, 300), (401 + 1.5 / 64, 300), False),  # both round to 2/64 px (ties to even)
    ((100 + 0.3 / 64, 300.25), (500 + 0.5 / 64, 300.25), False),
    ((500 + 0.5 / 64, 300), (100 + 0.3 / 64, 300), False),
    ((100 + 0.3 / 64, 300 + 0.7 / 64), (163 + 0.3 / 64, 250 + 0.7 / 64), True),  # moved 63, 50 px
    ((100.3, 300.2), (140.3, 320.2), True),
])
def test_a_pasted_text_has_the_pixels_matplotlib_draws_at_its_place(earlier, later, reused):
    # Agg rounds each glyph's place to 1/64 px, ties to even, so the same text moved by whole
    # pixels is the same picture moved, except at a tie; an earlier figure must not leak in
    style._GLYPHS.clear()
    _texts_at([earlier], replay=True)
    assert np.array_equal(_texts_at([later], replay=True), _texts_at([later], replay=False))
    assert len(style._GLYPHS) == (1 if reused else 2)
    assert np.array_equal(_texts_at([earlier, earlier], replay=True),
                          _texts_at([earlier, earlier], replay=False))


@pytest.mark.parametrize("first, then, text", [
    ({}, {"font.sans-serif": ["DejaVu Serif"]}, "Wide words"),
    ({"mathtext.fontset": "custom"}, {"mathtext.fontset": "custom", "mathtext.rm": "DejaVu Serif"},
     r"$\mathrm{Wide}$"),
])
def test_a_reader_who_changes_font_settings_later_is_not_served_an_earlier_text(first, then, text):
    # the shared layouts, math parses and glyphs are process-wide: a reader's kernel keeps them
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    def drawn(shared: bool):
        fig, ax = gd.figure()
        label = ax.set_title(text)
        with contextlib.ExitStack() as stack:
            if not shared:
                stack.enter_context(mock.patch.object(Text, "_get_layout",
                                                      Text._get_layout.__wrapped__))
            extent = label.get_window_extent(fig.canvas.get_renderer()).bounds
            rgba = style.png_bytes(fig, colors=0)
        plt.close(fig)
        return extent, rgba

    with matplotlib.rc_context(first):
        before = drawn(shared=True)
    with matplotlib.rc_context(then):
        after = drawn(shared=True)
        assert after[0] != before[0]
        assert after == drawn(shared=False)


def test_texts_pasted_from_an_earlier_figure_are_the_texts_matplotlib_draws():
    # many texts at three sub-pixel places that round alike, two of them half-way ties (to
    # even): most of the second figure's texts are pasted from the first, and every pixel must
    # still be matplotlib's
    rng = np.random.default_rng(0)
    strings = ["BCBC", "0.001", "AVA To", "step 12 of 40"]
    phases = np.array([[6, 40], [6.5, 40], [6, 40.5]])  # in 1/64 px

    def places(n):
        at = rng.integers([5, 5], [1000, 600], size=(n, 2)) + phases[rng.integers(3, size=n)] / 64
        return [tuple(p) for p in at]

    style._GLYPHS.clear()
    _texts_at(places(300), replay=True, strings=strings, seed=1)
    later = places(300)
    pasted = _texts_at(later, replay=True, strings=strings, seed=2)
    assert np.array_equal(pasted, _texts_at(later, replay=False, strings=strings, seed=2))


_FORKED_CHILD = """
import os
import gdnotes as gd
from gdnotes import style
from matplotlib.font_manager import FontPath, get_font
from matplotlib.mathtext import MathTextParser

fig, ax = gd.figure()
ax.set(xlabel=r"step $t$", ylabel=r"$f(x_t)$", yscale="log", ylim=(1e-3, 1))
style.png_bytes(fig)  # the parses of these math texts are now shared by the whole process
shared = MathTextParser._parse_cached
parses = dict(zip(shared.__code__.co_freevars, (c.cell_contents for c in shared.__closure__)))
fonts = [font for parse in parses["parses"].values() for font, *_ in parse.glyphs]
pid = os.fork()
if pid == 0:
    inherited = sum(font is not get_font([FontPath(font.fname, font.face_index)])
                    for parse in parses["parses"].values() for font, *_ in parse.glyphs)
    os._exit(min(inherited, 100))
print(len(fonts), os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


def test_a_forked_process_draws_shared_math_texts_with_fonts_of_its_own():
    # a font reads its file through a descriptor that forked processes share (one offset):
    # examples forked by the build's zygote, drawing at once, read each other's glyphs
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _FORKED_CHILD], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    glyphs, inherited = map(int, run.stdout.split())
    assert glyphs > 10 and inherited == 0, run.stdout
