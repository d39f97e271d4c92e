"""Data for the regression examples: a seeded synthetic line and the two-point worked example."""

from __future__ import annotations

import numpy as np

from . import validate

WORKED_X = [1, 2]
"""Inputs of the worked example: two points small enough to follow by hand."""
WORKED_Y = [2, 4]
"""Targets of the worked example; they lie exactly on ``y = 2x`` (so ``w = 2, b = 0``)."""


def regression_data(n: int = 100, seed: int = 42, slope: float = 2.0, intercept: float = 3.0,
                    noise: float = 1.0, x_range: tuple[float, float] = (0, 2)):
    """``n`` points ``y = slope·x + intercept + noise·ε`` with ``x ~ Uniform(x_range)`` and
    ``ε ~ N(0, 1)``: by default ``y = 2x + 3 + N(0, 1)`` on ``x ∈ [0, 2)``, seed 42.

    Returns ``(x, y)``, two float arrays of shape ``(n,)``.
    """
    n = validate.positive_int("n", n)
    validate.nonnegative("noise", noise)
    lo, hi = x_range
    if not lo < hi:
        raise ValueError(f"x_range must be (low, high) with low < high, got {x_range!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(lo, hi, n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return x, y


def batches(n: int, batch_size: int, seed: int = 0, epoch: int = 0) -> list[np.ndarray]:
    """Index arrays covering ``range(n)`` once, shuffled per ``(seed, epoch)``.

    ``batch_size = n`` is full-batch gradient descent (one batch, in order); ``1`` is
    single-sample SGD. The last batch is smaller when ``batch_size`` does not divide ``n``.
    """
    n = validate.positive_int("n", n)
    batch_size = validate.positive_int("batch_size", batch_size)
    if batch_size > n:
        raise ValueError(f"batch_size must be <= n={n}, got {batch_size}")
    if batch_size == n:
        return [np.arange(n)]
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]
