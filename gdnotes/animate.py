"""Cheap animation frames: draw the static part of a figure once, redraw only what moves.

Rendering a frame with matplotlib redraws every tick label, contour and legend, although in
a typical GIF only a few lines and markers change. :func:`freeze_background` renders the
figure once without the moving artists and keeps that picture (matplotlib's blitting: a copy
of the canvas); :func:`frame` then restores the picture and draws only the moving artists
over it, so a frame costs only what moves (:meth:`gdnotes.Outputs.gif` calls it per frame).
The frames look exactly as fully drawn ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .style import lay_out, replay_text, ticks_placed_once


@dataclass
class _Frozen:
    background: object  # the canvas region without the moving artists (copy_from_bbox)
    animated: list  # what frame() draws over it
    known: set  # ids of the axes' artists at freeze time: anything else was added later
    keep: list  # those artists, held so their ids cannot be reused by new ones
    texts: object = None  # the _TextReplay of the canvas' renderer, made by the first frame


class _TextReplay:
    """A renderer for the moving texts of a frame: it hands everything to the figure's Agg
    renderer, but a text drawn again (a runner's name tag, a tick of a moving axis) is pasted
    from the glyph bitmaps of its first drawing (`gdnotes.style.replay_text`)."""

    def __init__(self, renderer):
        self._real, self._glyphs = renderer, {}

    def __getattr__(self, name):
        return getattr(self._real, name)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        real = self._real
        return replay_text(type(real).draw_text, self._glyphs, real, gc, x, y, s, prop, angle,
                           ismath, mtext)


def freeze_background(fig, animated: Iterable) -> None:
    """Render ``fig`` without ``animated`` and keep that picture as a fixed background.

    Call it after the figure is fully set up (axes limits, labels, legends, static
    artists) and before :meth:`gdnotes.Outputs.gif`. Afterwards each frame draws only the
    artists in ``animated`` (lines, markers, texts the frame function updates) over the
    picture; the layout is frozen too. The background is drawn below everything, so a static
    artist that must stay *on top* of the moving ones (a target marker, say) belongs in
    ``animated`` as well. Artists added to an axes later (say a contour recomputed for each
    frame) are drawn in every frame too.
    """
    animated = list(animated)
    if not animated:
        raise ValueError("animated must list at least one artist that changes between frames")
    visible = [artist.get_visible() for artist in animated]
    for artist in animated:
        artist.set_visible(False)
    lay_out(fig, fig.dpi)  # frames are drawn at the figure's own dpi
    with ticks_placed_once():
        fig.canvas.draw()
    background = fig.canvas.copy_from_bbox(fig.bbox)
    for artist, shown in zip(animated, visible, strict=True):
        artist.set_visible(shown)
    keep = [child for ax in fig.axes for child in ax.get_children()]
    fig._gdnotes_frozen = _Frozen(background, animated, {id(a) for a in keep}, keep)


def thaw_background(fig) -> None:
    """Undo :func:`freeze_background`: :func:`frame` draws the whole figure again (so it can
    be restyled, e.g. for its dark twin). A no-op for a figure never frozen."""
    if hasattr(fig, "_gdnotes_frozen"):
        del fig._gdnotes_frozen


def frame(fig) -> np.ndarray:
    """The figure as it looks now, as an ``(h, w, 3)`` uint8 array: over the frozen background
    only the moving artists (and artists added since) are drawn; a figure never frozen is drawn
    in full."""
    from matplotlib.text import Text

    frozen = getattr(fig, "_gdnotes_frozen", None)
    canvas = fig.canvas
    if frozen is None:
        canvas.draw()
    else:
        canvas.restore_region(frozen.background)
        renderer = canvas.get_renderer()
        if frozen.texts is None or frozen.texts._real is not renderer:  # one per renderer, so
            frozen.texts = _TextReplay(renderer)  # matplotlib's text-size cache keeps working
        texts = frozen.texts
        moving = {id(a) for a in frozen.animated}
        drawn = set()
        for ax in sorted(fig.axes, key=lambda a: a.get_zorder()):  # as Figure.draw orders them
            mine = [c for c in ax.get_children()
                    if id(c) in moving or id(c) not in frozen.known]
            for artist in sorted(mine, key=lambda a: a.get_zorder()):  # as Axes.draw does
                drawn.add(id(artist))
                if artist.get_visible():
                    artist.draw(texts if isinstance(artist, Text) else renderer)
        for artist in frozen.animated:  # figure-level ones (fig.text, ...)
            if id(artist) not in drawn and artist.get_visible():
                artist.draw(texts if isinstance(artist, Text) else renderer)
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
