"""What a fixed learning rate does on a quadratic, read off the one-step map.

Along an eigen-direction of curvature ``L`` gradient descent multiplies the error by
``1 - lr * L`` every step. Everything the basics pages say about step sizes — the regimes, the
stability limit ``2/L``, the best fixed step ``2/(mu + L)`` and its rate ``(kappa-1)/(kappa+1)``
— follows from that one number, so it lives here once instead of in every example.
"""

from __future__ import annotations

import math

import numpy as np

from . import validate

#: Regime names, from the smallest learning rate to the largest.
REGIMES = (
    "slow monotone",
    "fast monotone",
    "one-step exact",
    "oscillating, convergent",
    "bouncing forever",
    "divergent",
)


def _positive(name: str, value) -> float:
    """A finite number > 0 as a float (these helpers work on one direction at a time)."""
    return float(validate.finite(name, validate.positive(name, value)))


def step_multiplier(lr, curvature):
    """Factor ``1 - lr * curvature`` by which one GD step scales the error along that direction."""
    return 1.0 - np.asarray(lr, dtype=float) * np.asarray(curvature, dtype=float)


def classify_step(lr: float, curvature: float, slow_above: float = 0.95) -> str:
    """Name the regime of GD with step ``lr`` along a direction of curvature ``curvature``.

    Monotone runs are called slow when each step removes less than ``1 - slow_above`` of the
    error (the default calls anything needing more than ~45 steps per decade slow).
    """
    lr = _positive("learning rate", lr)
    curvature = _positive("curvature", curvature)
    q = float(step_multiplier(lr, curvature))
    if math.isclose(q, 0.0, abs_tol=1e-12):
        return "one-step exact"
    if math.isclose(q, -1.0, abs_tol=1e-12):
        return "bouncing forever"
    if q > 0:
        return "slow monotone" if q >= slow_above else "fast monotone"
    return "oscillating, convergent" if q > -1 else "divergent"


def max_stable_lr(curvature: float) -> float:
    """Largest step that still converges (exclusive): ``2 / L``."""
    return 2.0 / _positive("curvature", curvature)


def fastest_lr(curvature: float) -> float:
    """Step that solves a 1-D quadratic in one step: ``1 / L``."""
    return 1.0 / _positive("curvature", curvature)


def best_fixed_lr(mu: float, L: float) -> float:
    """Fixed step minimising the worst per-step factor over curvatures in ``[mu, L]``."""
    mu, L = _positive("mu", mu), _positive("L", L)
    if mu > L:
        raise ValueError(f"mu must be <= L, got mu={mu}, L={L}")
    return 2.0 / (mu + L)


def optimal_rate(kappa: float) -> float:
    """Per-step error factor at the best fixed step: ``(kappa - 1) / (kappa + 1)``."""
    kappa = _positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1, got {kappa}")
    return (kappa - 1.0) / (kappa + 1.0)

