"""Cheap GIF frames: freeze everything that does not move into one image.

:func:`gdnotes.style.gif_bytes` redraws the whole figure for every frame. For a race of
eight paths over contours, ticks and a legend, almost all of that work (text layout above
all) is the same in every frame. :func:`freeze` renders the finished static figure once and
returns a new figure that shows that picture as a single image, plus a function mapping the
original axes' data coordinates onto it; paths drawn on the new figure in those coordinates
land exactly where they would have, and each frame costs one image blit and a few lines.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle


def freeze(fig, ax) -> tuple[plt.Figure, plt.Axes, Callable[[np.ndarray], np.ndarray]]:
    """Render ``fig`` and return ``(still_fig, overlay_ax, to_overlay)``.

    ``to_overlay(points)`` maps ``(n, 2)`` data coordinates of ``ax`` to the overlay's
    coordinates (pixels, origin bottom-left). Artists added to ``overlay_ax`` are clipped to
    the area of ``ax``. ``fig`` is closed.
    """
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    height, width = rgb.shape[:2]
    transform = ax.transData.frozen()
    box = ax.get_window_extent()
    dpi = fig.dpi
    plt.close(fig)

    still = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    overlay = still.add_axes((0, 0, 1, 1))
    overlay.imshow(rgb, extent=(0, width, 0, height), origin="upper", interpolation="nearest")
    overlay.set(xlim=(0, width), ylim=(0, height))
    overlay.set_axis_off()
    clip = Rectangle((box.x0, box.y0), box.width, box.height, transform=overlay.transData)
    overlay.clip_box_patch = clip  # kept for artists added later

    def to_overlay(points: np.ndarray) -> np.ndarray:
        points = np.asarray(points, dtype=float).reshape(-1, 2)
        return transform.transform(points) if len(points) else points

    return still, overlay, to_overlay


def clipped(overlay_ax, artist):
    """Clip ``artist`` (drawn on a frozen overlay) to the original axes area; returns it."""
    artist.set_clip_path(overlay_ax.clip_box_patch)
    return artist
