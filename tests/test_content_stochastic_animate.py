"""gd.freeze_background: frames drawn over the frozen background look like fully drawn ones."""

from __future__ import annotations

import numpy as np
import pytest

import gdnotes as gd


def _scene():
    fig, ax = gd.figure()
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(t, np.sin(t), color=gd.COLORS["grey"])  # static
    ax.set(xlabel="t", ylabel="sin t", title="a static title")
    ax.legend(["sin"], loc="lower left")
    moving, = ax.plot([], [], "o-", color=gd.COLORS["red"])
    label = ax.text(0.02, 0.95, "", transform=ax.transAxes, va="top")
    return fig, moving, label, t


def _frame(fig, moving, label, t, i):
    moving.set_data(t[: 20 * i + 1], np.cos(t[: 20 * i + 1]))
    label.set_text(f"frame {i}")
    return gd.animate.frame(fig).astype(int)  # in full, or only what moves once frozen


def test_frozen_frames_match_full_redraws():
    fig, moving, label, t = _scene()
    fig.canvas.draw()
    fig.set_layout_engine("none")  # same layout in both renderings
    full = [_frame(fig, moving, label, t, i) for i in (1, 5, 9)]
    gd.freeze_background(fig, [moving, label])
    frozen = [_frame(fig, moving, label, t, i) for i in (1, 5, 9)]
    for a, b in zip(full, frozen, strict=True):
        differs = np.any(np.abs(a - b) > 8, axis=-1)
        assert differs.mean() < 0.002  # anti-aliasing at a few edge pixels at most


def test_freeze_needs_something_that_moves():
    fig, *_ = _scene()
    with pytest.raises(ValueError, match="animated"):
        gd.freeze_background(fig, [])


def test_artists_added_after_freezing_are_drawn_and_thawing_draws_everything():
    fig, moving, label, t = _scene()
    ax = fig.axes[0]
    gd.freeze_background(fig, [moving, label])
    before = _frame(fig, moving, label, t, 3)
    added = ax.axvline(3.0, color=gd.COLORS["blue"], lw=4)  # e.g. a contour redrawn per frame
    after = _frame(fig, moving, label, t, 3)
    assert np.any(np.abs(after - before) > 8, axis=-1).mean() > 0.005
    added.remove()
    assert np.array_equal(_frame(fig, moving, label, t, 3), before)
    gd.animate.thaw_background(fig)
    assert np.abs(_frame(fig, moving, label, t, 3) - before).max() <= 8  # all drawn again
