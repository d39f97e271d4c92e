"""Argument checks shared by the library.

Every public function checks its inputs up front so that a typo fails loudly with a
``ValueError`` (a value out of range, NaN or infinite) or ``TypeError`` (``None``, a string,
a bool, a function where a number belongs) naming the parameter and the value it got, instead of
producing a silently wrong figure later.
"""

from __future__ import annotations

import numpy as np


def _first_bad(value, ok) -> tuple[bool, object]:
    """(found, the first element of ``value`` for which ``ok`` is false); NaN is always bad.
    A pair, so that a falsy bad value (0, None) still counts as found."""
    arr = np.asarray(value, dtype=float)
    good = ok(arr) & ~np.isnan(arr)
    if np.all(good):
        return False, None
    bad = arr[~good] if arr.ndim else arr
    return True, (value if arr.ndim == 0 else float(np.ravel(bad)[0]))


def _numeric(name: str, value) -> np.ndarray:
    """``value`` as a float array, or TypeError: None, strings, bools and other non-numbers are
    refused rather than converted (``'0.1'``, ``True`` and ``None`` are not learning rates)."""
    kind = np.asarray(value).dtype.kind if value is not None else "O"
    if isinstance(value, str | bytes) or kind not in "iuf":
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {value!r} "
            f"({type(value).__name__})"
        )
    return np.asarray(value, dtype=float)


def _check_finite(name: str, value, arr: np.ndarray) -> None:
    if np.any(np.isinf(arr)):
        shown = value if arr.ndim == 0 else float(np.ravel(arr[np.isinf(arr)])[0])
        raise ValueError(f"{name} must be finite, got {shown!r}")


def positive(name: str, value, finite: bool = True):
    """``value > 0`` everywhere (scalars or arrays), and finite unless ``finite=False``;
    returns ``value``."""
    arr = _numeric(name, value)
    found, bad = _first_bad(value, lambda a: a > 0)
    if found:
        raise ValueError(f"{name} must be > 0, got {bad!r}")
    if finite:
        _check_finite(name, value, arr)
    return value


def nonnegative(name: str, value, finite: bool = True):
    """``value >= 0`` everywhere, and finite unless ``finite=False``; returns ``value``."""
    arr = _numeric(name, value)
    found, bad = _first_bad(value, lambda a: a >= 0)
    if found:
        raise ValueError(f"{name} must be >= 0, got {bad!r}")
    if finite:
        _check_finite(name, value, arr)
    return value


def unit_interval(name: str, value, closed: bool = False):
    """``0 <= value < 1`` (or ``<= 1`` when ``closed``) everywhere; returns ``value``."""
    _numeric(name, value)
    found, bad = _first_bad(value, lambda a: (a >= 0) & ((a <= 1) if closed else (a < 1)))
    if found:
        interval = "[0, 1]" if closed else "[0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {bad!r}")
    return value


def finite(name: str, value):
    """No NaN or infinity anywhere; returns ``value`` as a float array."""
    arr = _numeric(name, value)
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


def learning_rate(name: str, lr):
    """A learning rate: a finite number or array > 0, or a schedule (checked per run by
    ``schedule_values``, since only a run knows how many steps it takes)."""
    if callable(lr):
        return lr
    return positive(name, lr)


def schedule_values(name: str, schedule, steps: int) -> None:
    """A schedule must give a finite value > 0 at every step ``0 .. steps-1`` of a run."""
    t = np.arange(steps)
    try:
        values = np.asarray(schedule(t), dtype=float)
        if values.shape[:1] != (steps,):
            raise ValueError
    except (TypeError, ValueError):  # a plain ``t -> lr`` function: one step at a time
        values = np.array([np.asarray(schedule(int(k)), dtype=float) for k in t])
    bad = ~(np.isfinite(values) & (values > 0))
    if np.any(bad):
        k = int(np.argwhere(bad)[0][0])
        raise ValueError(
            f"{name} schedule must give a finite value > 0 at every step, got "
            f"{float(np.ravel(values[k])[np.ravel(bad[k])][0])!r} at step {k}"
        )


def instance(name: str, value, cls: type, example: str):
    """``value`` is a ``cls``; the TypeError shows what to pass instead."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be {example}, got {value!r} ({type(value).__name__})")
    return value


def run_schedules(hyperparams: dict, steps: int) -> None:
    """Every schedule among an optimizer's hyperparameters gives a finite value > 0 at each of
    the ``steps`` steps of a run."""
    for name, value in hyperparams.items():
        if callable(value):
            schedule_values(name, value, steps)


def same_shape(name: str, value, shape: tuple) -> np.ndarray:
    """A float array of exactly ``shape``."""
    arr = _numeric(name, value)
    if arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got shape {arr.shape}")
    return arr
