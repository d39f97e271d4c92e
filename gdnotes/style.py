"""One visual style for every figure on the site, and byte-reproducible PNG/GIF writers.

Figures keep an opaque white background so they stay legible on both the light and the dark
theme; the palette is Okabe–Ito, which stays distinguishable for colour-blind readers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
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

#: Default figure size in inches and resolution: 640×400 px, small files, readable labels.
FIGSIZE = (6.4, 4.0)
DPI = 100

STYLE = {
    "figure.figsize": FIGSIZE,
    "figure.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": DPI,
    "axes.facecolor": "white",
    "axes.edgecolor": "#333333",
    "axes.labelcolor": "#111111",
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "grid.color": "#dddddd",
    "grid.linewidth": 0.7,
    "legend.frameon": False,
    "legend.fontsize": 9.5,
    "lines.linewidth": 2.0,
    "font.size": 10.5,
    "xtick.color": "#333333",
    "ytick.color": "#333333",
    "image.cmap": "viridis",
    "svg.hashsalt": "gdnotes",  # stable ids inside SVGs
}


def use_style() -> None:
    """Apply the gdnotes style to matplotlib (idempotent)."""
    matplotlib.rcParams.update(STYLE)


def figure(nrows: int = 1, ncols: int = 1, *, figsize=None, **subplot_kw):
    """A styled ``(fig, ax)`` pair (``ax`` is an array when there are several panels)."""
    use_style()
    if figsize is None:
        figsize = (FIGSIZE[0] * (1 if ncols == 1 else 1.0 + 0.55 * (ncols - 1)), FIGSIZE[1])
    import matplotlib.pyplot as plt  # here, so that importing gdnotes (the build does) stays quick

    fig, ax = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **subplot_kw)
    return fig, ax


def contour(ax, objective, bounds=None, *, n: int = 200, levels=10, **kwargs):
    """Draw the level sets of a 2-D ``objective`` on ``ax``; return matplotlib's contour set.

    One helper so every contour plot samples its function the same way (``objective.grid``,
    over ``bounds`` or the objective's own plotting box) and looks the same (viridis, thin
    lines); ``kwargs`` go to ``ax.contour``.
    """
    if objective.dim != 2:
        raise ValueError(f"contour needs a 2-D objective, got {objective.name!r} "
                         f"with dim={objective.dim}")
    X, Y, Z = objective.grid(n, bounds=bounds)
    if "colors" not in kwargs:  # matplotlib refuses colors and cmap together
        kwargs.setdefault("cmap", "viridis")
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


def png_bytes(fig, dpi: int = DPI) -> bytes:
    """Render ``fig`` to PNG bytes with no metadata, so the same figure gives the same bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def _frame_rgb(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


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
    returned as a PNG still for readers who prefer reduced motion. The default palette,
    ``"fastoctree"``, keeps small areas of saturated colour (thin coloured lines over a mostly
    grey plot) that ``"mediancut"`` would merge into the greys.
    """
    from PIL import Image

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
        rgb.append(_frame_rgb(fig))
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
    still = io.BytesIO()
    Image.fromarray(rgb[-1]).save(still, format="PNG", optimize=True)
    return gif.getvalue(), still.getvalue()


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary sibling and rename, so readers never see half a file."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
