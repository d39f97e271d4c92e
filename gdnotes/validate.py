"""Argument checks shared by the library.

Every public function checks its inputs up front so that a typo fails loudly with a
``ValueError`` naming the parameter and the value it got, instead of producing a
silently wrong figure later.
"""

from __future__ import annotations

import numpy as np


def _first_bad(value, ok) -> object | None:
    """The first element of ``value`` for which ``ok`` is false (NaN is always bad)."""
    arr = np.asarray(value, dtype=float)
    good = ok(arr) & ~np.isnan(arr)
    if np.all(good):
        return None
    bad = arr[~good] if arr.ndim else arr
    return value if arr.ndim == 0 else float(np.ravel(bad)[0])


def _numeric(name: str, value) -> None:
    try:
        if value is None:  # np.asarray(None, dtype=float) is a NaN, not an error
            raise TypeError
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {value!r}") from None


def positive(name: str, value):
    """``value > 0`` everywhere (scalars or arrays); returns ``value``."""
    _numeric(name, value)
    bad = _first_bad(value, lambda a: a > 0)
    if bad is not None:
        raise ValueError(f"{name} must be > 0, got {bad!r}")
    return value


def nonnegative(name: str, value):
    """``value >= 0`` everywhere; returns ``value``."""
    _numeric(name, value)
    bad = _first_bad(value, lambda a: a >= 0)
    if bad is not None:
        raise ValueError(f"{name} must be >= 0, got {bad!r}")
    return value


def unit_interval(name: str, value, closed: bool = False):
    """``0 <= value < 1`` (or ``<= 1`` when ``closed``) everywhere; returns ``value``."""
    _numeric(name, value)
    bad = _first_bad(value, lambda a: (a >= 0) & ((a <= 1) if closed else (a < 1)))
    if bad is not None:
        interval = "[0, 1]" if closed else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {bad!r}")
    return value


def finite(name: str, value):
    """No NaN or infinity anywhere; returns ``value`` as a float array."""
    _numeric(name, value)
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return arr


def positive_int(name: str, value) -> int:
    """A positive integer (bools rejected); returns it as ``int``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def one_of(name: str, value, choices) -> object:
    """``value`` is one of ``choices``; the error lists them."""
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; valid: {valid}")
    return value


def points(name: str, x, dim: int) -> np.ndarray:
    """Points of shape ``(..., dim)`` as float64 (a scalar is accepted when ``dim == 1``)."""
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0 and dim == 1:
        arr = arr.reshape(1)
    if arr.ndim == 0 or arr.shape[-1] != dim:
        hint = " (for a grid of 1-D points use xs[:, None])" if dim == 1 else ""
        raise ValueError(
            f"{name} must have shape (..., {dim}) for this {dim}-D objective, "
            f"got shape {arr.shape}{hint}"
        )
    return arr
