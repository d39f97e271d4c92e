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


# ----------------------------------------------------------------------------- theory
# Worst-case linear rates on quadratics with curvatures in [mu, L] (kappa = L / mu), and the
# tunings that achieve them; pages compare these with measured rates.


def _check_curvatures(mu: float, L: float) -> float:
    if not (np.isfinite(mu) and np.isfinite(L) and 0 < mu <= L):
        raise ValueError(f"curvatures must satisfy 0 < mu <= L, got mu={mu!r}, L={L!r}")
    return L / mu


def gd_tuning(mu: float, L: float) -> tuple[float, float]:
    """Gradient descent's best step ``2/(L+mu)`` and its rate ``(kappa-1)/(kappa+1)``."""
    kappa = _check_curvatures(mu, L)
    return 2.0 / (L + mu), (kappa - 1) / (kappa + 1)


def polyak_tuning(mu: float, L: float) -> tuple[float, float, float]:
    """Heavy ball (Polyak 1964): ``(eta, beta, rate)`` with ``rate = (√κ-1)/(√κ+1)``."""
    kappa = _check_curvatures(mu, L)
    rate = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    return 4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2, rate**2, rate


def nesterov_tuning(mu: float, L: float, best_for_quadratics: bool = False):
    """Nesterov: the textbook ``(1/L, (√κ-1)/(√κ+1))`` with rate ``1 - 1/√κ``, or the best
    tuning for quadratics (Lessard, Recht & Packard 2016) with rate ``1 - 2/√(3κ+1)``.
    Returns ``(eta, beta, rate)``."""
    kappa = _check_curvatures(mu, L)
    if best_for_quadratics:
        s = np.sqrt(3 * kappa + 1)
        return 4.0 / (3 * L + mu), (s - 2) / (s + 2), 1 - 2 / s
    sk = np.sqrt(kappa)
    return 1.0 / L, (sk - 1) / (sk + 1), 1 - 1 / sk
