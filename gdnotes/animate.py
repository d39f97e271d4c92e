"""Cheap animation frames: draw the static part of a figure once, redraw only what moves.

Rendering a frame with matplotlib redraws every tick label, contour and legend, although in
a typical GIF only a few lines and markers change. :func:`freeze_background` renders the
figure once without the moving artists, pastes that picture behind them as a figure image
and hides everything else, so each later ``fig.canvas.draw()`` (which is what
:meth:`gdnotes.Outputs.gif` calls per frame) only draws the moving artists. The frames look
exactly as before and cost a fraction of the time.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def freeze_background(fig, animated: Iterable) -> None:
    """Render ``fig`` without ``animated`` and keep that picture as a fixed background.

    Call it after the figure is fully set up (axes limits, labels, legends, static
    artists) and before :meth:`gdnotes.Outputs.gif`. Afterwards only the artists in
    ``animated`` (lines, markers, texts the frame function updates) are drawn again; the
    layout is frozen too. The background is drawn below everything, so a static artist
    that must stay *on top* of the moving ones (a target marker, say) belongs in
    ``animated`` as well. For a changing title use ``ax.text`` in axes coordinates: an axes
    whose axis is switched off places its own ``ax.title`` elsewhere. Artists added to an axes later (say a contour recomputed for each
    frame) are drawn as usual.
    """
    animated = list(animated)
    if not animated:
        raise ValueError("animated must list at least one artist that changes between frames")
    for artist in animated:
        artist.set_visible(False)
    fig.canvas.draw()
    background = np.asarray(fig.canvas.buffer_rgba()).copy()
    fig.set_layout_engine("none")
    keep = {id(a) for a in animated}
    hidden = []
    for ax in fig.axes:
        if ax.axison:
            ax.set_axis_off()  # ticks, labels and spines are in the background now
            hidden.append(ax)
        for child in ax.get_children():
            if id(child) not in keep and child.get_visible():
                child.set_visible(False)
                hidden.append(child)
    for artist in [*fig.legends, *fig.texts, *fig.lines, *fig.patches]:  # figure-level ones
        if id(artist) not in keep and artist.get_visible():
            artist.set_visible(False)
            hidden.append(artist)
    fig.patch.set_visible(False)
    image = fig.figimage(background, xo=0, yo=0, origin="upper", zorder=-100)
    fig._gdnotes_frozen = (image, hidden)  # for thaw_background
    for artist in animated:
        artist.set_visible(True)


def thaw_background(fig) -> None:
    """Undo :func:`freeze_background`: draw every artist again instead of the picture (so the
    figure can be restyled, e.g. for its dark twin). A no-op for a figure never frozen."""
    frozen = getattr(fig, "_gdnotes_frozen", None)
    if frozen is None:
        return
    image, hidden = frozen
    image.remove()
    fig.patch.set_visible(True)
    for item in hidden:
        if hasattr(item, "set_axis_on") and item in fig.axes:
            item.set_axis_on()
        else:
            item.set_visible(True)
    del fig._gdnotes_frozen
