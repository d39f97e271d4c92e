r"""Training diagnostics: is the gradient right, and how large may the step be?

Two checks a training loop can run before it is trusted. :func:`gradient_check` compares a
gradient (written by hand, or from autograd) with central differences of the loss, one
parameter at a time, as CS231n's notes describe; :func:`lr_range_test` raises the learning rate
geometrically over one short run and reads a learning rate off the recorded losses (Smith's
range test, in the fast geometric form of fastai's ``lr_find``). Both work on plain functions of
a flat parameter vector, so they apply to a gdnotes :class:`~gdnotes.Objective` and, through
:func:`flat_loss`, to a torch model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import validate
from .objectives import Objective


# ----------------------------------------------------------------------------- gradient check
@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`gradient_check`, one entry per parameter ``i``."""

    analytic: np.ndarray  # the gradient being checked, ∂ᵢf
    numeric: np.ndarray  # central differences: θᵢ moved by ±ε, the change in f over 2ε
    relative_errors: np.ndarray  # |a - n| / max(|a|, |n|, floor), 0 where all three are 0
    floor: np.ndarray  # the smallest scale an error is measured against (see gradient_check)

    @property
    def worst(self) -> float:
        """The largest relative error over all parameters."""
        return float(self.relative_errors.max())

    @property
    def where(self) -> int:
        """The index of the parameter with the largest relative error."""
        return int(self.relative_errors.argmax())


#: The default floor is this many times the rounding error of one difference quotient: below it
#: the numeric derivative is mostly rounding, and a right gradient would look 100 % wrong.
ROUNDING_MARGIN = 1e4


def _scalar(name: str, value) -> float:
    """A loss value as a float, or a clear error (a loss must be one finite float64 number: a
    float32 loss's rounding, divided by 2ε, would pass for a wrong gradient)."""
    arr = np.asarray(value) if not isinstance(value, str | bytes) else None
    if arr is not None and arr.dtype.kind == "f" and arr.dtype.itemsize < 8:
        raise ValueError(f"{name} must compute the loss in float64, got a {arr.dtype} value "
                         f"{value!r}: its rounding error, divided by 2·eps, swamps small "
                         f"derivatives (use a float64 model, e.g. model.double())")
    try:
        arr = None if arr is None else arr.astype(float)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.size != 1 or not np.isfinite(arr).all():
        raise ValueError(f"{name} must return one finite number, got {value!r}")
    return float(arr.reshape(()))


def gradient_check(f, theta, grad: Callable | None = None, eps: float = 1e-6,
                   floor: float | None = None) -> GradientCheck:
    r"""Check ``grad`` against central differences of ``f`` at ``theta``, parameter by parameter.

    ``f`` is a :class:`~gdnotes.Objective` (its ``value`` and ``grad`` are used) or a function of
    a flat parameter vector returning the loss; ``grad`` maps the same vector to the gradient
    to check (for an Objective it defaults to the objective's own, and passing one checks that
    one instead). The numeric derivative of parameter ``i`` moves ``θᵢ`` alone by ``±ε`` and
    divides the change in ``f`` by ``2ε``; its error is ``O(ε²)``, and the relative error is
    CS231n's ``|a - n| / max(|a|, |n|)``: small for a right gradient whatever the gradient's
    scale, except where the gradient is as small as the rounding error of the difference
    quotient, about ``u·|f|/ε`` (``u`` the float64 unit roundoff): there ``n`` is mostly rounding
    and a right ``a`` would show an error near 1. So the denominator is at least ``floor``; by
    default ``ROUNDING_MARGIN`` times that rounding error, per parameter (``floor=0`` gives
    CS231n's plain formula, 0 where both are 0). An error in an entry far below the floor goes
    unseen. Work in float64: the rounding error of ``f`` is divided by ``2ε`` as well, and in
    float32 it swamps small partial derivatives; a float32 loss value is refused.
    """
    if isinstance(f, Objective):
        value, grad = f.value, (f.grad if grad is None else grad)
    elif callable(f):
        value = f
    else:
        raise TypeError(f"f must be a gdnotes Objective or a function of the parameter vector, "
                        f"got {f!r} ({type(f).__name__})")
    if grad is None or not callable(grad):
        raise TypeError(f"grad must be a function returning the gradient at theta, got {grad!r}")
    validate.positive("eps", eps)
    if floor is not None:
        validate.nonnegative("floor", floor)
    theta = validate.finite("theta", theta)
    if theta.ndim != 1 or theta.size == 0:
        raise ValueError(f"theta must be a non-empty 1-D array of parameters, got shape "
                         f"{theta.shape}")
    analytic = np.asarray(grad(theta.copy()), dtype=float)
    if analytic.shape != theta.shape:
        raise ValueError(f"grad(theta) must return shape {theta.shape}, like theta, got shape "
                         f"{analytic.shape}")
    numeric, rounding = np.empty_like(theta), np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = eps
        up, down = _scalar("f", value(theta + step)), _scalar("f", value(theta - step))
        numeric[i] = (up - down) / (2 * eps)
        rounding[i] = np.finfo(float).eps * max(abs(up), abs(down)) / eps
    floors = ROUNDING_MARGIN * rounding if floor is None else np.full_like(theta, float(floor))
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floors)
    diff = np.abs(analytic - numeric)
    errors = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    return GradientCheck(analytic, numeric, errors, floors)


def flat_loss(model, loss: Callable) -> tuple[Callable, Callable, np.ndarray]:
    """A torch model's loss as numpy functions of one flat parameter vector: ``(value, grad,
    theta)``, with ``theta`` the model's parameters now.

    ``loss(model)`` must return a scalar tensor. ``value(θ)`` and ``grad(θ)`` (autograd) load
    ``θ`` into the model, evaluate, and put the model's parameters back, so the model is left as
    it was. The model and the loss must be float64 (``gd.mlp``'s are): float32 is refused.
    """
    import torch
    from torch.nn.utils import parameters_to_vector, vector_to_parameters

    validate.instance("model", model, torch.nn.Module, "a torch.nn.Module such as gd.mlp()")
    if not callable(loss):
        raise TypeError(f"loss must be a function of the model returning a scalar tensor, "
                        f"got {loss!r}")
    params = list(model.parameters())
    dtype = params[0].dtype
    if any(p.dtype != torch.float64 for p in params):
        raise ValueError(f"model must have float64 parameters for a gradient check, got "
                         f"{sorted({str(p.dtype) for p in params})}: in float32 the loss's "
                         f"rounding swamps small derivatives (use model.double(); gd.mlp's "
                         f"networks are float64)")

    def scalar_loss():
        out = loss(model)
        if not isinstance(out, torch.Tensor) or out.numel() != 1:
            raise ValueError(f"loss(model) must return a scalar tensor, got {out!r}")
        if out.dtype != torch.float64:
            raise ValueError(f"loss(model) must be computed in float64, got {out.dtype} (cast "
                             f"the data too: a float32 loss's rounding swamps small derivatives)")
        return out

    def evaluate(theta, with_grad: bool):
        saved = parameters_to_vector(params).detach().clone()
        with torch.no_grad():
            vector_to_parameters(torch.as_tensor(np.asarray(theta), dtype=dtype), params)
        try:
            if not with_grad:
                with torch.no_grad():
                    return float(scalar_loss())
            for p in params:
                p.grad = None
            scalar_loss().backward()
            return np.concatenate([(p.grad if p.grad is not None else torch.zeros_like(p))
                                   .detach().reshape(-1).numpy() for p in params])
        finally:
            with torch.no_grad():
                vector_to_parameters(saved, params)

    theta = parameters_to_vector(params).detach().numpy().copy()
    return (lambda t: evaluate(t, False)), (lambda t: evaluate(t, True)), theta


# ----------------------------------------------------------------------------- LR range test
@dataclass(frozen=True)
class RangeTest:
    """The outcome of :func:`lr_range_test`: the learning rate and the loss at every step run."""

    lrs: np.ndarray  # η of each step, growing geometrically
    losses: np.ndarray  # the loss ``step`` returned after each update (finite ones only)
    best_lr: float  # η of the step with the lowest loss
    suggestion: float  # best_lr / divisor
    stopped_early: bool  # the loss passed stop_factor × its lowest value (or was not finite)
    rule: str  # the suggestion's rule, in words


def lr_range_test(step: Callable[[float], float], lr_min: float = 1e-4, lr_max: float = 10.0,
                  steps: int = 100, divisor: float = 10.0,
                  stop_factor: float = 4.0) -> RangeTest:
    r"""Smith's learning-rate range test: one short run with ``η`` raised from ``lr_min`` to
    ``lr_max`` geometrically, ``η_k = lr_min·(lr_max/lr_min)^{k/(steps-1)}``.

    ``step(η)`` makes one update of the model with learning rate ``η`` and returns the loss
    *after* it; for a reading that noise does not move, compute that loss on the same data at
    every step (the full batch, or one fixed batch). The run stops early once the loss is above
    ``stop_factor`` times its lowest value so far (that last loss is kept), or not finite: it
    has diverged. The
    suggestion is ``η`` at the lowest loss divided by ``divisor`` (fastai's "minimum" rule with
    its default 10, on the raw losses where fastai smooths them): the lowest loss sits near
    where the steps have just become too large to keep the loss falling (on ½Lθ², at the last
    ``η`` below 2/L), and the divisor keeps the suggestion well below that edge. A heuristic,
    not a guarantee: on a bowl of several curvatures the lowest loss can come past 2/L.
    """
    if not callable(step):
        raise TypeError(f"step must be a function lr -> loss after one update, got {step!r}")
    validate.positive("lr_min", lr_min)
    validate.positive("lr_max", lr_max)
    if not lr_max > lr_min:
        raise ValueError(f"lr_max must be > lr_min={lr_min!r}, got {lr_max!r}")
    steps = validate.positive_int("steps", steps)
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps!r}")
    validate.positive("divisor", divisor)
    if not stop_factor > 1:
        raise ValueError(f"stop_factor must be > 1, got {stop_factor!r}")
    lrs = float(lr_min) * (float(lr_max) / float(lr_min)) ** (np.arange(steps) / (steps - 1))
    losses: list[float] = []
    stopped = False
    for k, lr in enumerate(lrs):
        got = step(float(lr))
        try:
            loss = float(got)
        except (TypeError, ValueError):
            raise ValueError(f"step must return one number (the loss), got {got!r}") from None
        if not np.isfinite(loss) and k == 0:
            raise ValueError(f"step(lr_min={lr_min!r}) returned {loss!r}: the loss is not finite "
                             f"even at the smallest learning rate; lower lr_min")
        if not np.isfinite(loss):
            stopped = True
            break
        losses.append(loss)  # the step that passes the stop is kept: it shows the rise
        if loss > stop_factor * min(losses):
            stopped = True
            break
    best = int(np.argmin(losses))
    rule = (f"the learning rate at the lowest loss divided by {divisor:g} "
            f"({lrs[best]:.3g} / {divisor:g})")
    return RangeTest(lrs[:len(losses)], np.array(losses), float(lrs[best]),
                     float(lrs[best] / divisor), stopped, rule)
