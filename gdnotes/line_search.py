r"""Gradient descent whose step is chosen at every step: backtracking (Armijo), exact line
search on a quadratic, and Polyak's step size.

Each is an :class:`~gdnotes.optimizers.Optimizer` like the others, so :func:`gdnotes.run`
runs it (batched, with its stopping rules), and ``Run.lrs`` holds the step $\eta_t$ it chose.
They need more than the gradient: backtracking evaluates $f$ at trial points, the exact step
reads the Hessian, Polyak's step needs $f$ and the minimum value $f^\star$. The ``update``
receives the objective for that, as Newton's and BFGS's do. The step rules themselves are pure
functions (:func:`exact_quadratic_step`, :func:`polyak_step_size`; the Armijo search is
:func:`gdnotes.optimizers.armijo`, shared with BFGS).
"""

from __future__ import annotations

import numpy as np

from . import validate
from .optimizers import Optimizer, armijo, equations
from .rows import sum_of_squares


def _curvature_along(grad, hessian) -> np.ndarray:
    """``gᵀ H g`` per run, for ``grad`` of shape ``(..., d)`` and ``hessian`` ``(..., d, d)``."""
    return np.sum(grad * (hessian @ grad[..., None])[..., 0], -1)


def exact_quadratic_step(grad, hessian) -> np.ndarray:
    r"""The $\eta$ that minimises a quadratic along $-g$: $\eta = g^\top g / g^\top A g$.

    Exact for $f = \tfrac12\theta^\top A\theta + b^\top\theta$ with $A$ positive definite; a
    zero gradient (already at the minimum) gets $\eta = 0$. A direction of zero or negative
    curvature has no minimiser along it: ValueError.
    """
    grad = validate.finite("grad", grad)
    hessian = validate.finite("hessian", hessian)
    if hessian.shape[-2:] != grad.shape[-1:] * 2:
        raise ValueError(f"hessian must have shape (..., {grad.shape[-1]}, {grad.shape[-1]}) "
                         f"to match grad, got shape {hessian.shape}")
    gg, gAg = sum_of_squares(grad), _curvature_along(grad, hessian)
    moving = gg > 0
    if np.any(moving & ~(gAg > 0)):
        bad = float(np.ravel(gAg[moving & ~(gAg > 0)])[0])
        raise ValueError(f"the curvature gᵀAg along the gradient must be > 0 for an exact line "
                         f"search, got {bad!r} (is the Hessian positive definite?)")
    return np.where(moving, gg / np.where(moving, gAg, 1.0), 0.0)


def polyak_step_size(value, f_star, grad) -> np.ndarray:
    r"""Polyak's step $\eta = (f(\theta) - f^\star)/\lVert g\rVert^2$ (0 where $g = 0$).

    ``f_star`` is the minimum value of $f$, which the rule must be told. ``value`` below
    ``f_star`` means ``f_star`` is wrong: ValueError.
    """
    value, grad = validate.finite("value", value), validate.finite("grad", grad)
    f_star = float(validate.finite("f_star", f_star))
    gap = value - f_star
    if np.any(gap < 0):
        raise ValueError(f"value must be >= f_star ({f_star!r}), got "
                         f"{float(np.ravel(value[gap < 0])[0])!r}: f_star is not the minimum")
    gg = sum_of_squares(grad)
    return np.where(gg > 0, gap / np.where(gg > 0, gg, 1.0), 0.0)


def _steepest(name, hyperparams, doc_of, choose) -> Optimizer:
    """``θ ← θ - η_t g`` with ``η_t = choose(params, grad, objective)``."""

    def init(params):
        return {"t": 0, "lr": None}

    def update(state, params, grad, objective):
        lr_t = np.asarray(choose(params, grad, objective), dtype=float)
        return params - lr_t[..., None] * grad, {"t": state["t"] + 1, "lr": lr_t}

    return Optimizer(name, hyperparams, equations(doc_of), None, "0 kept", init, update)


def backtracking(lr=1.0, c1=1e-4, shrink=0.5, max_halvings=60) -> Optimizer:
    r"""Gradient descent with a backtracking (Armijo) line search.

    Each step tries $\eta = \eta_{\max}$ (``lr``) and multiplies it by ``shrink`` $\chi$
    until the step lowers $f$ by at least the share ``c1`` $c_1$ of what the slope promises:

    $$ f(\theta_t - \eta_t g_t) \le f(\theta_t) - c_1\eta_t \lVert g_t\rVert^2, \qquad
       \theta_{t+1} = \theta_t - \eta_t\, g_t $$

    If $\lVert\nabla^2 f\rVert \le L$ where $f \le f(\theta_0)$, every trial
    $\eta \le 2(1-c_1)/L$ passes, so the search stops at some
    $\eta_t \ge \min(\eta_{\max}, 2\chi(1-c_1)/L)$. ``max_halvings`` caps the trials (a run
    that hits the cap takes its last trial).
    """
    validate.positive("lr (first trial step)", lr)
    validate.positive("c1 (Armijo constant)", c1)
    validate.unit_interval("c1 (Armijo constant)", c1)
    validate.positive("shrink", shrink)
    validate.unit_interval("shrink", shrink)
    max_halvings = validate.positive_int("max_halvings", max_halvings)

    def choose(params, grad, objective):
        first = np.broadcast_to(np.asarray(lr, dtype=float), params.shape[:-1])
        return armijo(objective, params, -grad, grad, first, c1=c1, shrink=shrink,
                      max_halvings=max_halvings)

    return _steepest("backtracking", dict(lr=lr, c1=c1, shrink=shrink,
                                          max_halvings=max_halvings), backtracking, choose)


def exact_line_search() -> Optimizer:
    r"""Steepest descent with the exact line search of a quadratic (Cauchy's method).

    $$ \eta_t = \frac{g_t^\top g_t}{g_t^\top A\, g_t}, \qquad
       \theta_{t+1} = \theta_t - \eta_t\, g_t $$

    $A$ is the Hessian at $\theta_t$, so the step is exact when $f$ is a quadratic; on other
    functions it is the minimiser of the local quadratic model along $-g_t$. Where that model
    has no minimum along the line ($g_t^\top A g_t \le 0$, a saddle or a concave region) the
    run stops with a ValueError rather than step to infinity or uphill.
    """
    return _steepest("exact_line_search", {}, exact_line_search,
                     lambda params, grad, objective: exact_quadratic_step(
                         grad, objective.hessian(params)))


def polyak(f_star, max_lr=np.inf) -> Optimizer:
    r"""Gradient (or subgradient) descent with Polyak's step size, for a known minimum $f^\star$.

    $$ \eta_t = \min\Bigl(\frac{f(\theta_t) - f^\star}{\lVert g_t\rVert^2},\;
       \eta_{\max}\Bigr), \qquad \theta_{t+1} = \theta_t - \eta_t\, g_t $$

    On a convex $f$ with the right $f^\star$ each step moves no farther from every
    minimiser: $\lVert\theta_{t+1} - \theta^\star\rVert^2 \le \lVert\theta_t -
    \theta^\star\rVert^2 - (f(\theta_t) - f^\star)^2/\lVert g_t\rVert^2$. ``max_lr``
    $\eta_{\max}$ caps the step (none by default); a capped step $\eta$ gains less, only
    $\eta\,(2(f(\theta_t) - f^\star) - \eta\lVert g_t\rVert^2) \ge 0$, but still never moves
    away.
    """
    f_star = float(validate.finite("f_star", f_star))
    validate.positive("max_lr", max_lr, finite=False)

    def choose(params, grad, objective):
        return np.minimum(polyak_step_size(objective.value(params), f_star, grad), max_lr)

    return _steepest("polyak", dict(f_star=f_star, max_lr=max_lr), polyak, choose)
