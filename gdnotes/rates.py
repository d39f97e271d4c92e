"""Reading a linear convergence rate off a run, so pages can compare it with theory.

A method that converges linearly shrinks the error by a factor ``rho`` per step in the
long run: ``e_t ≈ C t^k rho^t``. The polynomial factor ``t^k`` (``k = 1`` when the
iteration matrix has a repeated eigenvalue, as heavy ball with Polyak's tuning does) and the
constant ``C`` wash out of the ratio ``(e_T / e_S)^(1 / (T - S))`` when the window is long
and late, which is why :func:`measured_rate` uses the second half of the run by default.
"""

from __future__ import annotations

import numpy as np


def distances(points, target) -> np.ndarray:
    """Euclidean distance of each point ``(..., d)`` to ``target`` ``(d,)``."""
    points = np.asarray(points, dtype=float)
    target = np.asarray(target, dtype=float)
    if points.shape[-1:] != target.shape:
        raise ValueError(
            f"target must have shape ({points.shape[-1]},) to match the points, got {target.shape}"
        )
    return np.linalg.norm(points - target, axis=-1)


def measured_rate(errors, start: int | None = None, stop: int | None = None) -> np.ndarray:
    """Geometric-mean contraction per step between steps ``start`` and ``stop``.

    ``errors`` has shape ``(steps + 1, *batch)`` (as ``Run.points`` distances do). The
    default window is the second half of the run. Runs whose error is not finite at ``stop``
    (diverged) get ``inf``; a run that reached exactly zero error gets 0.
    """
    errors = np.asarray(errors, dtype=float)
    if errors.ndim < 1 or errors.shape[0] < 2:
        raise ValueError(f"errors need at least 2 steps along axis 0, got shape {errors.shape}")
    last = errors.shape[0] - 1
    stop = last if stop is None else int(stop)
    start = stop // 2 if start is None else int(start)
    if not 0 <= start < stop <= last:
        raise ValueError(f"need 0 <= start < stop <= {last}, got start={start}, stop={stop}")
    first, final = errors[start], errors[stop]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rate = (final / first) ** (1.0 / (stop - start))
    rate = np.where(np.isfinite(final) & np.isfinite(first), rate, np.inf)
    return np.where(first == 0, 0.0, rate)


def steps_to_reach(errors, threshold: float) -> np.ndarray:
    """First step at which ``errors`` drops to ``threshold`` or below (``-1`` if never)."""
    errors = np.asarray(errors, dtype=float)
    below = np.nan_to_num(errors, nan=np.inf) <= threshold
    return np.where(below.any(axis=0), below.argmax(axis=0), -1)
