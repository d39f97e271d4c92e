"""The worked regression example in exact rational arithmetic.

With ``fractions.Fraction`` every number on the worked-example page is exact (no rounding
to explain away), and the tests compare it with an independent float64 torch loop.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from . import validate
from .data import WORKED_X, WORKED_Y


class Iteration(NamedTuple):
    """One step of gradient descent on ``f(w, b) = mean((w x + b - y)^2)``.

    ``residuals`` are ``ŷ - y``; ``grad_w = 2·mean(r·x)`` and ``grad_b = 2·mean(r)``.
    """

    step: int
    w: Fraction
    b: Fraction
    predictions: tuple[Fraction, ...]
    residuals: tuple[Fraction, ...]
    loss_before: Fraction
    grad_w: Fraction
    grad_b: Fraction
    new_w: Fraction
    new_b: Fraction
    loss_after: Fraction


def _exact(name, value) -> Fraction:
    """Fractions from ints, Fractions, decimal strings or floats (``0.1`` means 1/10)."""
    if isinstance(value, float):
        value = repr(validate.finite(name, value).item())
    try:
        return Fraction(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a rational number, got {value!r}") from None


def _loss(w, b, x, y) -> Fraction:
    return sum(((w * xi + b - yi) ** 2 for xi, yi in zip(x, y, strict=True)), Fraction(0)) / len(x)


def worked_regression(x=WORKED_X, y=WORKED_Y, w0=0, b0=0, lr=Fraction(1, 10),
                      steps: int = 6) -> list[Iteration]:
    """``steps`` exact iterations of gradient descent for the line ``ŷ = w x + b``."""
    x = [_exact("x", v) for v in x]
    y = [_exact("y", v) for v in y]
    if len(x) != len(y) or not x:
        raise ValueError(f"x and y must be non-empty and the same length, got {len(x)} and {len(y)}")
    w, b, lr = _exact("w0", w0), _exact("b0", b0), _exact("lr", lr)
    if lr <= 0:
        raise ValueError(f"lr (learning rate) must be > 0, got {lr}")
    steps = validate.positive_int("steps", steps)
    n, out = len(x), []
    for k in range(steps):
        pred = tuple(w * xi + b for xi in x)
        res = tuple(p - yi for p, yi in zip(pred, y, strict=True))
        gw = 2 * sum(r * xi for r, xi in zip(res, x, strict=True)) / n
        gb = 2 * sum(res) / n
        new_w, new_b = w - lr * gw, b - lr * gb
        out.append(Iteration(k, w, b, pred, res, _loss(w, b, x, y), gw, gb, new_w, new_b,
                             _loss(new_w, new_b, x, y)))
        w, b = new_w, new_b
    return out
