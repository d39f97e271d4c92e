"""Row sums and broadcasts for batches of small points: numpy's results, bit for bit, faster.

A batch of 2-D points is an array of shape ``(B, 2)``. numpy runs ``np.sum(x, -1)``, and a
broadcast like ``(B, 2) + (2,)`` or ``(B, 1) * (B, 2)``, with its inner loop over the two
numbers of one row: 5-10× slower than adding two columns or two same-shape arrays. The
helpers here do the fast thing and give the same float64 results (tests check them).
"""

from __future__ import annotations

import numpy as np

SMALL = 1024  # below this many numbers one numpy call beats one per column

def row_sum(y: np.ndarray) -> np.ndarray:
    """``np.add.reduce(y, axis=-1)``, bit for bit.

    numpy sums fewer than 8 numbers left to right from +0.0 (its pairwise summation starts
    at 8), so adding the columns in that order gives the same result.
    """
    if y.shape[-1] >= 8 or y.size <= SMALL:
        return np.add.reduce(y, axis=-1)
    out = 0.0 + y[..., 0]
    for j in range(1, y.shape[-1]):
        out += y[..., j]
    return out


def sum_of_squares(v: np.ndarray) -> np.ndarray:
    """``row_sum(v * v)``, the squared norm of each row, bit for bit (``np.linalg.norm`` is its
    square root). Squares are >= +0, so starting from the first one instead of +0.0 is exact."""
    squares = v * v
    if v.shape[-1] >= 8 or v.size <= SMALL:
        return np.add.reduce(squares, axis=-1)
    if v.shape[-1] == 1:
        return squares[..., 0].copy()
    out = squares[..., 0] + squares[..., 1]
    for j in range(2, v.shape[-1]):
        out += squares[..., j]
    return out


def row_all(b: np.ndarray) -> np.ndarray:
    """``np.all(b, axis=-1)`` (the order does not matter for ``and``)."""
    if b.shape[-1] >= 8 or b.size <= SMALL:
        return np.all(b, axis=-1)
    out = b[..., 0].copy()
    for j in range(1, b.shape[-1]):
        out &= b[..., j]
    return out


def sqrt_at_most(c: float) -> float:
    """The largest float ``s`` with ``sqrt(s) <= c``: as sqrt is monotone, ``sqrt(s) <= c``
    exactly when ``s <= sqrt_at_most(c)``, so a norm test needs no square root."""
    c = np.float64(c)
    if not np.isfinite(c):
        return float(c)
    with np.errstate(over="ignore"):  # c * c may overflow; the loops step back from inf
        s = c * c
        while np.sqrt(s) > c:
            s = np.nextafter(s, 0.0)
        while np.sqrt(np.nextafter(s, np.inf)) <= c:
            s = np.nextafter(s, np.inf)
    return float(s)


class Spread:
    """An array copied out to the shape it is broadcast against, once per shape.

    ``Spread(b)(x.shape)`` is ``b`` at the full shape of ``x``, so ``x + Spread(b)(x.shape)``
    is a fast same-shape addition with the same result as ``x + b``.
    """

    def __init__(self, value):
        value = np.asarray(value)
        self.value = value if value.dtype == bool else value.astype(float, copy=False)
        self.shape, self.full = None, None

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        if self.value.size == 1 or self.value.shape == shape:
            return self.value
        if shape != self.shape:
            self.full, self.shape = np.ascontiguousarray(np.broadcast_to(self.value, shape)), shape
        return self.full
