"""Counting what an optimizer costs: function, gradient and Hessian evaluations, stored floats.

Wall-clock time depends on the machine; counts do not. :func:`counted` wraps an objective so
every call of ``value``/``grad``/``hessian`` is tallied (one call on a batch of points counts
once per point), and :func:`floats_in` adds up the numbers held in an optimizer's state —
numpy arrays, Python numbers, and anything with a ``numel()`` method (torch tensors), nested
in dicts, lists and tuples — so memory per parameter can be reported for any implementation.
"""

from __future__ import annotations

from dataclasses import replace
from numbers import Number

import numpy as np

from .objectives import Objective


def counted(objective: Objective) -> tuple[Objective, dict[str, int]]:
    """A copy of ``objective`` that tallies its evaluations in the returned dict."""
    counts = {"value": 0, "grad": 0, "hessian": 0}

    def tally(kind, fn):
        def wrapped(p):
            counts[kind] += int(np.prod(np.shape(p)[:-1], dtype=int))
            return fn(p)
        return wrapped

    def both(p):
        counts["value"] += int(np.prod(np.shape(p)[:-1], dtype=int))
        return tally("grad", objective.fdf)(p)

    copy = replace(objective, f=tally("value", objective.f), df=tally("grad", objective.df),
                   d2f=tally("hessian", objective.d2f),
                   fdf=None if objective.fdf is None else both)
    return copy, counts


def floats_in(state) -> int:
    """How many numbers ``state`` holds (step counters and flags excluded: ints and bools)."""
    if state is None or isinstance(state, bool | int | np.integer | str):
        return 0
    if hasattr(state, "numel"):
        return int(state.numel())
    if isinstance(state, np.ndarray):
        return int(state.size) if state.dtype.kind == "f" else 0
    if isinstance(state, Number):
        return 1
    if isinstance(state, dict):
        return sum(floats_in(v) for v in state.values())
    if isinstance(state, list | tuple):
        return sum(floats_in(v) for v in state)
    raise ValueError(f"cannot count the floats in a {type(state).__name__}")
