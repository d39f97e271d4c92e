r"""Learning-rate schedules: functions ``t -> lr`` of the 0-based step index ``t``.

They follow ``torch.optim.lr_scheduler`` (StepLR, ExponentialLR, CosineAnnealingLR,
LinearLR + SequentialLR) and accept numpy arrays of ``t``, so a whole schedule is one call
for plotting. Pass one as ``lr=`` to any optimizer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import validate


@dataclass(frozen=True)
class Schedule:
    """A named learning-rate schedule; call it with a step index (or array of them)."""

    name: str
    fn: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    latex: str = ""

    def __call__(self, t):
        t = np.asarray(t)
        if np.any(t < 0):
            raise ValueError(f"step index t must be >= 0, got {t.min().item()!r}")
        return self.fn(t)


def constant(lr: float) -> Schedule:
    """``η_t = η``."""
    validate.positive("lr (learning rate)", lr)
    return Schedule("constant", lambda t: np.full(np.shape(t), float(lr)), r"\eta_t = \eta")


def step_decay(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """Multiply by ``gamma`` every ``step_size`` steps (torch ``StepLR``)."""
    validate.positive("lr (learning rate)", lr)
    step_size = validate.positive_int("step_size", step_size)
    validate.positive("gamma", gamma)
    return Schedule("step_decay", lambda t: lr * gamma ** (t // step_size),
                    r"\eta_t = \eta\,\gamma^{\lfloor t / s \rfloor}")


def exponential_decay(lr: float, gamma: float) -> Schedule:
    """Multiply by ``gamma`` every step (torch ``ExponentialLR``)."""
    validate.positive("lr (learning rate)", lr)
    validate.positive("gamma", gamma)
    return Schedule("exponential_decay", lambda t: lr * gamma**t, r"\eta_t = \eta\,\gamma^t")


def cosine_decay(lr: float, total_steps: int, min_lr: float = 0.0) -> Schedule:
    """Half a cosine from ``lr`` down to ``min_lr`` over ``total_steps`` (torch
    ``CosineAnnealingLR`` with ``T_max = total_steps``), then held at ``min_lr`` (torch's
    would climb back up)."""
    validate.positive("lr (learning rate)", lr)
    total_steps = validate.positive_int("total_steps", total_steps)
    validate.nonnegative("min_lr", min_lr)
    if min_lr > lr:
        raise ValueError(f"min_lr must be <= lr={lr!r}, got {min_lr!r}")

    def fn(t):
        frac = np.minimum(t, total_steps) / total_steps
        return min_lr + (lr - min_lr) * (1 + np.cos(np.pi * frac)) / 2

    return Schedule("cosine_decay", fn,
                    r"\eta_t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T))")


def warmup(schedule: Callable | float, warmup_steps: int,
           start_factor: float = 1 / 3) -> Schedule:
    """Ramp linearly from ``start_factor·schedule(0)`` to ``schedule(0)`` over
    ``warmup_steps`` steps, then follow ``schedule`` from its start (torch ``LinearLR``
    followed by the schedule in ``SequentialLR``; the default ``start_factor`` is torch's)."""
    inner = schedule if callable(schedule) else constant(schedule)
    warmup_steps = validate.positive_int("warmup_steps", warmup_steps)
    if not (0 < start_factor <= 1):
        raise ValueError(f"start_factor must be in (0, 1], got {start_factor!r}")

    def fn(t):
        ramp = start_factor + (1 - start_factor) * np.minimum(t, warmup_steps) / warmup_steps
        after = inner(np.maximum(t - warmup_steps, 0))
        return np.where(t < warmup_steps, ramp * inner(0 * t), after)

    return Schedule(f"warmup+{getattr(inner, 'name', 'schedule')}", fn)
