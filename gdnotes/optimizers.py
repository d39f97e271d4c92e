r"""Optimizers in the shape of optax, with torch.optim's names, defaults and conventions.

An :class:`Optimizer` is plain data plus two pure functions::

    state = opt.init(params)
    params, state = opt.update(state, params, grad, objective)

First-order methods are a *chain* of small stages, each turning the gradient into a better
step direction (add weight decay, keep a momentum buffer, divide by a running RMS ...); the
chain ends with ``params - lr * direction``. Reading the chain is reading the algorithm:
AdamW is ``chain(adam scaling, decoupled weight decay)``.

Every hyperparameter may be a float or an array broadcastable to the batch shape
``params.shape[:-1]``, so a whole grid of learning rates is one vectorised call. ``lr`` may
also be a schedule (``t -> lr``, see :mod:`gdnotes.schedules`). The tests check each
optimizer against ``torch.optim`` step by step in float64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from . import validate
from .rows import Spread


# ----------------------------------------------------------------------------- the containers
@dataclass(frozen=True, eq=False)
class Optimizer:
    """An optimizer: hyperparameters, update equations and pure ``init``/``update``."""

    name: str
    hyperparams: dict
    latex: str
    torch_class: str | None
    state_per_param: str
    init: Callable = field(repr=False)
    update: Callable = field(repr=False)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Shape of the grid of runs implied by array-valued hyperparameters (``()`` if none)."""
        shapes = []
        for value in self.hyperparams.values():
            for v in value if isinstance(value, tuple) else (value,):
                if callable(v):
                    v = v(0)
                if isinstance(v, (int, float, np.ndarray, np.number, list)):
                    shapes.append(np.shape(v))
        return np.broadcast_shapes(*shapes) if shapes else ()


class Stage(NamedTuple):
    """One link of a first-order chain: ``update(g, state, params, t) -> (g', state')``."""

    init: Callable
    update: Callable


def _col(value) -> np.ndarray:
    """A hyperparameter as an array that broadcasts against params of shape ``(..., d)``."""
    return np.asarray(value, dtype=float)[..., None]


def _full(value) -> Spread:
    """A hyperparameter copied out to the params' full shape ``(*batch, d)`` when used: numpy
    multiplies same-shape arrays several times faster than a ``(B, 1)`` column by ``(B, d)``."""
    return Spread(_col(value))


def lr_at(lr, t: int) -> np.ndarray:
    """The learning rate for 0-based step ``t`` (``lr`` is a number, array or schedule)."""
    return np.asarray(lr(t) if callable(lr) else lr, dtype=float)


def chain(name, hyperparams, latex, torch_class, state_per_param, lr, *stages) -> Optimizer:
    """Build a first-order optimizer ``θ ← θ - lr · (stages applied to the gradient)``."""
    stages = tuple(s for s in stages if s is not None)

    def init(params):
        params = np.asarray(params, dtype=float)
        return {"t": 0, "lr": None, "stages": tuple(s.init(params) for s in stages)}

    lr_full = None if callable(lr) else _full(lr)
    lr_fixed = None if callable(lr) else lr_at(lr, 0)  # one array: a run keeps it once

    def update(state, params, grad, objective=None):
        t = state["t"] + 1  # torch counts steps from 1
        lr_t = lr_at(lr, t - 1) if lr_fixed is None else lr_fixed
        params, g, new = np.asarray(params, dtype=float), np.asarray(grad, dtype=float), []
        if g.shape != params.shape:
            raise ValueError(f"grad must have the shape of params {params.shape}, got {g.shape}")
        for stage, s in zip(stages, state["stages"], strict=True):
            g, s = stage.update(g, s, params, t)
            new.append(s)
        step = (lr_t[..., None] if lr_full is None else lr_full(g.shape)) * g
        return np.subtract(params, step, out=step), {"t": t, "lr": lr_t, "stages": tuple(new)}

    return Optimizer(name, hyperparams, latex, torch_class, state_per_param, init, update)


# ----------------------------------------------------------------------------- stages
# Stages take every hyperparameter explicitly: the defaults live once, in the constructors.
def _zeros(*names):
    """An ``init`` giving one zero buffer per parameter for each of ``names``."""
    return lambda p: {name: np.zeros_like(p) for name in names}


def add_weight_decay(weight_decay) -> Stage | None:
    """``g + ωθ``. First in the chain it is torch's L2 ``weight_decay`` (the adaptive scaling
    then rescales it); after the scaling it is AdamW's *decoupled* decay."""
    if np.all(np.asarray(weight_decay) == 0):
        return None
    wd = _full(weight_decay)
    return Stage(lambda p: {}, lambda g, s, p, t: (g + wd(p.shape) * p, s))


def trace(momentum, dampening=0.0, nesterov=False) -> Stage | None:
    """torch's SGD momentum buffer: ``v₁ = g₁``, then ``v ← μ v + (1 - τ) g``."""
    if np.all(np.asarray(momentum) == 0):
        return None
    mu, damp = _full(momentum), _full(dampening)
    undamped = np.all(np.asarray(dampening) == 0)
    no_buffer = Spread(_col(momentum) == 0) if np.any(np.asarray(momentum) == 0) else None

    def update(g, s, p, t):
        mu_ = mu(g.shape)
        if t == 1:
            v = g.copy()
        else:
            v = mu_ * s["v"]
            v += g if undamped else (1 - damp(g.shape)) * g  # (1 - 0)·g is g, exactly
        if nesterov:
            return g + mu_ * v, {"v": v}
        if no_buffer is not None:  # where momentum is 0 torch keeps no buffer and steps along g
            np.copyto(v, g, where=no_buffer(g.shape))  # our buffer there is never read: hold g
        return v, {"v": v}

    return Stage(_zeros("v"), update)


def scale_by_rss(initial_accumulator_value, eps) -> Stage:
    """AdaGrad: divide by the root of the *sum* of all squared gradients so far."""
    eps_ = _col(eps)

    def update(g, s, p, t):
        acc = s["sum"] + g * g
        return g / (np.sqrt(acc) + eps_), {"sum": acc}

    return Stage(lambda p: {"sum": np.zeros_like(p) + _col(initial_accumulator_value)}, update)


def scale_by_rms(alpha, eps, centered) -> Stage:
    """RMSprop: divide by a running RMS of gradients (minus their running mean if centered)."""
    a, eps_ = _col(alpha), _col(eps)
    one_minus_a = 1 - a  # constants of the update are computed once, with the same bits

    def update(g, s, p, t):
        sq = s["sq"] * a + one_minus_a * g * g
        if not centered:
            return g / (np.sqrt(sq) + eps_), {"sq": sq}
        ga = s["ga"] + one_minus_a * (g - s["ga"])
        return g / (np.sqrt(sq - ga * ga) + eps_), {"sq": sq, "ga": ga}

    return Stage(_zeros("sq", "ga") if centered else _zeros("sq"), update)


def scale_by_adadelta(rho, eps) -> Stage:
    """Adadelta: step = RMS(past steps) / RMS(gradients) · g, so the units of θ come out right."""
    r, eps_ = _col(rho), _col(eps)
    one_minus_r = 1 - r

    def update(g, s, p, t):
        sq = s["sq"] * r + one_minus_r * g * g
        delta = np.sqrt(s["acc"] + eps_) / np.sqrt(sq + eps_) * g
        return delta, {"sq": sq, "acc": s["acc"] * r + one_minus_r * delta * delta}

    return Stage(_zeros("sq", "acc"), update)


def scale_by_adam(b1, b2, eps, amsgrad) -> Stage:
    """Adam: bias-corrected momentum divided by a bias-corrected RMS (AMSGrad: its running max)."""
    b1_, b2_, eps_ = _col(b1), _col(b2), _col(eps)
    one_minus_b1, one_minus_b2 = 1 - b1_, 1 - b2_

    def update(g, s, p, t):
        m = s["m"] + one_minus_b1 * (g - s["m"])  # = β₁m + (1-β₁)g, in torch's lerp form
        v = s["v"] * b2_ + one_minus_b2 * g * g
        if not amsgrad:
            denom = np.sqrt(v) / np.sqrt(1 - b2_**t) + eps_
            return m / (1 - b1_**t) / denom, {"m": m, "v": v}
        vmax = np.maximum(s["vmax"], v)
        denom = np.sqrt(vmax) / np.sqrt(1 - b2_**t) + eps_
        return m / (1 - b1_**t) / denom, {"m": m, "v": v, "vmax": vmax}

    return Stage(_zeros("m", "v", "vmax") if amsgrad else _zeros("m", "v"), update)


def scale_by_nadam(b1, b2, eps, momentum_decay) -> Stage:
    """NAdam (torch's variant): Adam with a Nesterov look-ahead and a warming momentum μₜ."""
    b1_, b2_, eps_, psi = _col(b1), _col(b2), _col(eps), _col(momentum_decay)
    one_minus_b1, one_minus_b2 = 1 - b1_, 1 - b2_

    def update(g, s, p, t):
        mu = b1_ * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1_ * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        prod = s["mu_product"] * mu
        m = s["m"] + one_minus_b1 * (g - s["m"])
        v = s["v"] * b2_ + one_minus_b2 * g * g
        denom = np.sqrt(v / (1 - b2_**t)) + eps_
        step = (1 - mu) / (1 - prod) * g / denom + mu_next / (1 - prod * mu_next) * m / denom
        return step, {"m": m, "v": v, "mu_product": prod}

    def init(p):
        return {**_zeros("m", "v")(p), "mu_product": np.ones(p.shape[:-1] + (1,))}

    return Stage(init, update)


# ----------------------------------------------------------------------------- constructors
def equations(fn, which: int = 0) -> str:
    """The ``which``-th ``$$ ... $$`` block of ``fn``'s docstring.

    The update equations live once, in the docstrings (rendered on the API page); the
    ``latex`` attribute of each optimizer is read from there for the site's pages and tables.
    """
    blocks = (fn.__doc__ or "").split("$$")[1::2]
    return " ".join(blocks[which].split()) if which < len(blocks) else ""


def _check_lr(lr):
    return validate.learning_rate("lr (learning rate)", lr)


def sgd(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False) -> Optimizer:
    r"""Gradient descent; with ``momentum`` the heavy ball; with ``nesterov`` Nesterov's look-ahead.

    With $g_t = \nabla f(\theta_t) + \omega\theta_t$ (``weight_decay`` $\omega$), plain GD is

    $$ \theta_{t+1} = \theta_t - \eta\, g_t $$

    the heavy ball with ``momentum`` $\beta$ (torch's convention: the momentum buffer $u$
    starts at the first gradient, and ``dampening`` $\tau$ scales the new gradient) is

    $$ u_{t+1} = \beta u_t + (1-\tau)\, g_t \;\; (u_1 = g_1), \qquad
       \theta_{t+1} = \theta_t - \eta\, u_{t+1} $$

    and Nesterov steps along the look-ahead direction

    $$ u_{t+1} = \beta u_t + g_t \;\; (u_1 = g_1), \qquad
       \theta_{t+1} = \theta_t - \eta\,(g_t + \beta u_{t+1}) $$
    """
    _check_lr(lr)
    validate.unit_interval("momentum", momentum)
    validate.unit_interval("dampening", dampening, closed=True)
    validate.nonnegative("weight_decay", weight_decay)
    if nesterov and (np.any(np.asarray(momentum) <= 0) or np.any(np.asarray(dampening) != 0)):
        raise ValueError(
            f"nesterov needs momentum > 0 and dampening = 0, got momentum={momentum!r}, "
            f"dampening={dampening!r}"
        )
    has_momentum = not np.all(np.asarray(momentum) == 0)
    variant = 2 if nesterov else 1 if has_momentum else 0
    hp = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
              nesterov=nesterov)
    return chain(("gd", "momentum", "nesterov")[variant], hp, equations(sgd, variant),
                 "torch.optim.SGD", "1 (momentum buffer)" if has_momentum else "0", lr,
                 add_weight_decay(weight_decay), trace(momentum, dampening, nesterov))


def adagrad(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
            eps=1e-10) -> Optimizer:
    r"""AdaGrad: per-coordinate steps that shrink with all the squared gradient seen so far.

    Coordinates with steep history get small steps, rarely-moved ones keep big steps. torch's
    ``lr_decay`` $\zeta$ also divides the learning rate by $1 + (t-1)\zeta$:

    $$ G_t = G_{t-1} + g_t^2, \qquad
       \theta_{t+1} = \theta_t - \frac{\eta}{1 + (t-1)\zeta}\, \frac{g_t}{\sqrt{G_t} + \epsilon} $$
    """
    _check_lr(lr)
    validate.nonnegative("lr_decay", lr_decay)
    validate.nonnegative("weight_decay", weight_decay)
    validate.nonnegative("initial_accumulator_value", initial_accumulator_value)
    validate.nonnegative("eps", eps)

    def decayed(t):
        return lr_at(lr, t) / (1 + t * np.asarray(lr_decay, dtype=float))

    hp = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
              initial_accumulator_value=initial_accumulator_value, eps=eps)
    return chain("adagrad", hp, equations(adagrad), "torch.optim.Adagrad",
                 "1 (sum of squared gradients)", decayed, add_weight_decay(weight_decay),
                 scale_by_rss(initial_accumulator_value, eps))


def rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
            centered=False) -> Optimizer:
    r"""RMSprop: AdaGrad with a *forgetting* average, so steps don't shrink forever.

    $$ v_t = \alpha v_{t-1} + (1-\alpha) g_t^2, \qquad
       \theta_{t+1} = \theta_t - \eta\, \frac{g_t}{\sqrt{v_t} + \epsilon} $$

    ``centered`` divides by an estimate of the gradient's standard deviation instead:

    $$ v_t = \alpha v_{t-1} + (1-\alpha) g_t^2, \quad m_t = \alpha m_{t-1} + (1-\alpha) g_t, \qquad
       \theta_{t+1} = \theta_t - \eta\, \frac{g_t}{\sqrt{v_t - m_t^2} + \epsilon} $$

    and ``momentum`` $\beta$ smooths the scaled step in a buffer $u$:
    $u_t = \beta u_{t-1} + g_t / (\cdot)$, $\theta_{t+1} = \theta_t - \eta u_t$ (torch's
    buffer starts at zero).
    """
    _check_lr(lr)
    validate.unit_interval("alpha", alpha)
    validate.nonnegative("eps", eps)
    validate.nonnegative("weight_decay", weight_decay)
    validate.unit_interval("momentum", momentum)
    n = 1 + bool(centered) + (not np.all(np.asarray(momentum) == 0))
    hp = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
              centered=centered)
    return chain("rmsprop", hp, equations(rmsprop, int(bool(centered))), "torch.optim.RMSprop",
                 f"{n} (running averages)", lr, add_weight_decay(weight_decay),
                 scale_by_rms(alpha, eps, centered), trace(momentum))


def adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0) -> Optimizer:
    r"""Adadelta: RMSprop whose step size is a running RMS of past *steps*.

    The ratio of two RMS values has the units of $\theta$, so no learning rate is needed;
    torch still multiplies by ``lr`` (default 1.0, the original method):

    $$ v_t = \rho v_{t-1} + (1-\rho) g_t^2, \quad
       \Delta_t = \frac{\sqrt{v^\Delta_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t, \quad
       v^\Delta_t = \rho v^\Delta_{t-1} + (1-\rho) \Delta_t^2, \quad
       \theta_{t+1} = \theta_t - \eta\, \Delta_t $$
    """
    _check_lr(lr)
    validate.unit_interval("rho", rho, closed=True)
    validate.nonnegative("eps", eps)
    validate.nonnegative("weight_decay", weight_decay)
    hp = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
    return chain("adadelta", hp, equations(adadelta), "torch.optim.Adadelta",
                 "2 (running averages)", lr, add_weight_decay(weight_decay),
                 scale_by_adadelta(rho, eps))


def _check_betas(betas):
    if not (isinstance(betas, tuple | list) and len(betas) == 2):
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    validate.unit_interval("betas[0]", betas[0])
    validate.unit_interval("betas[1]", betas[1])
    return tuple(betas)


def adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False) -> Optimizer:
    r"""Adam: momentum (first moment) divided by an RMS (second moment), both bias-corrected.

    $$ m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
       v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2, \quad
       \theta_{t+1} = \theta_t - \eta\, \frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon} $$

    The bias corrections undo the zero start of $m$ and $v$. ``amsgrad`` replaces $v_t$ by
    its running maximum $v^{\max}_t$ *before* the bias correction (as torch does), so the
    step per unit of $m_t/(1-\beta_1^t)$ can still grow while the maximum is held: it is not
    Reddi et al.'s monotone AMSGrad, which applies no bias correction.
    """
    _check_lr(lr)
    betas = _check_betas(betas)
    validate.nonnegative("eps", eps)
    validate.nonnegative("weight_decay", weight_decay)
    hp = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    return chain("amsgrad" if amsgrad else "adam", hp, equations(adam), "torch.optim.Adam",
                 "3 (moments, max)" if amsgrad else "2 (moments)", lr,
                 add_weight_decay(weight_decay), scale_by_adam(*betas, eps, amsgrad))


def adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False) -> Optimizer:
    r"""AdamW: Adam with the weight decay applied to $\theta$ directly (Loshchilov & Hutter).

    In Adam, $\omega\theta$ is added to the gradient and then divided by the RMS, so large
    weights with large gradients barely decay; here every weight shrinks at the same rate:

    $$ \theta_{t+1} = \theta_t - \eta\, \Big(\frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)}
       + \epsilon} + \omega \theta_t\Big) $$

    with $m_t, v_t$ as in Adam (computed from the raw gradient).
    """
    _check_lr(lr)
    betas = _check_betas(betas)
    validate.nonnegative("eps", eps)
    validate.nonnegative("weight_decay", weight_decay)
    hp = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
    return chain("adamw", hp, equations(adamw), "torch.optim.AdamW",
                 "3 (moments, max)" if amsgrad else "2 (moments)", lr,
                 scale_by_adam(*betas, eps, amsgrad),
                 add_weight_decay(weight_decay))  # after the scaling: decoupled


def nadam(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
          momentum_decay=4e-3) -> Optimizer:
    r"""NAdam: Adam whose momentum looks one step ahead, as Nesterov does for SGD.

    torch's variant warms the momentum up, $\beta_{1,t} = \beta_1 (1 - \tfrac12\, 0.96^{t\psi})$
    (``momentum_decay`` $\psi$), and mixes the fresh gradient with the next momentum:

    $$ \theta_{t+1} = \theta_t - \eta\, \frac{\frac{1-\beta_{1,t}}{1-\prod_{i\le t}\beta_{1,i}}\, g_t
       + \frac{\beta_{1,t+1}}{1-\prod_{i\le t+1}\beta_{1,i}}\, m_t}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon} $$
    """
    _check_lr(lr)
    betas = _check_betas(betas)
    validate.nonnegative("eps", eps)
    validate.nonnegative("weight_decay", weight_decay)
    validate.nonnegative("momentum_decay", momentum_decay)
    hp = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
              momentum_decay=momentum_decay)
    return chain("nadam", hp, equations(nadam), "torch.optim.NAdam", "2 (moments)", lr,
                 add_weight_decay(weight_decay), scale_by_nadam(*betas, eps, momentum_decay))


# ----------------------------------------------------------------------------- second order
def _solve(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``H⁻¹ g`` for a batch of systems; NaN (not an exception) where ``H`` is singular."""
    try:
        return np.linalg.solve(H, g[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full(np.broadcast_shapes(H.shape[:-1], g.shape), np.nan)
        for i in np.ndindex(out.shape[:-1]):
            try:
                out[i] = np.linalg.solve(H[i], g[i])
            except np.linalg.LinAlgError:
                pass
        return out


def newton(lr=1.0, damping=0.0) -> Optimizer:
    r"""Damped Newton: jump to the minimum of the local quadratic model.

    $$ \theta_{t+1} = \theta_t - \eta\, \big(\nabla^2 f(\theta_t) + \delta I\big)^{-1}
       \nabla f(\theta_t) $$

    On a quadratic with ``lr = 1`` and ``damping = 0`` this lands on the minimiser in one
    step. ``damping`` $\delta$ (Levenberg) shortens the step towards gradient descent where
    the Hessian is not positive definite. A singular system gives a NaN step, which the run
    reports as diverged.
    """
    _check_lr(lr)
    validate.nonnegative("damping", damping)
    lam = np.asarray(damping, dtype=float)[..., None, None]

    def init(params):
        return {"t": 0, "lr": None}

    def update(state, params, grad, objective):
        H = objective.hessian(params) + lam * np.eye(params.shape[-1])
        lr_t = lr_at(lr, state["t"])
        return params - lr_t[..., None] * _solve(H, grad), {"t": state["t"] + 1, "lr": lr_t}

    return Optimizer("newton", dict(lr=lr, damping=damping), equations(newton), None,
                     "0 kept (the d × d Hessian is recomputed each step)", init, update)


def armijo(objective, x, direction, grad, t0, c1=1e-4, shrink=0.5, max_halvings=40):
    """Backtracking line search: halve ``t`` until ``f(x + t d) <= f(x) + c1 t gᵀd`` (per run)."""
    f0, slope = objective.value(x), np.sum(grad * direction, -1)
    t = np.broadcast_to(np.asarray(t0, dtype=float), f0.shape).copy()
    for _ in range(max_halvings):
        with np.errstate(all="ignore"):
            bad = ~(objective.value(x + t[..., None] * direction) <= f0 + c1 * t * slope)
        if not np.any(bad):
            break
        t = np.where(bad, t * shrink, t)
    return t


def bfgs(lr=1.0, line_search="armijo") -> Optimizer:
    r"""BFGS: build up an inverse-Hessian estimate $H$ from successive gradient changes.

    After a step $s$ with gradient change $y$ (used only if $y^\top s > 10^{-10}$, which
    keeps $H$ positive definite):

    $$ H_{t+1} = \Bigl(I - \frac{s y^\top}{y^\top s}\Bigr)\, H_t\,
       \Bigl(I - \frac{y s^\top}{y^\top s}\Bigr) + \frac{s s^\top}{y^\top s}, \qquad
       \theta_{t+1} = \theta_t - \eta_t H_t \nabla f(\theta_t) $$

    $\eta_t$ starts at ``lr`` and is halved until $f$ decreases enough (Armijo backtracking).
    """
    _check_lr(lr)
    validate.one_of("line_search", line_search, ["armijo", None])

    def init(params):
        params = np.asarray(params, dtype=float)
        eye = np.broadcast_to(np.eye(params.shape[-1]), params.shape + params.shape[-1:])
        return {"t": 0, "lr": None, "H": eye.copy(), "g": None, "s": None}

    def update(state, params, grad, objective=None):
        H = state["H"]
        if state["s"] is not None:
            s, y = state["s"], grad - state["g"]
            ys = np.sum(y * s, -1)
            ok = (ys > 1e-10)[..., None, None]
            rho = np.where(ok, 1 / np.where(ok[..., 0, 0], ys, 1.0)[..., None, None], 0.0)
            V = np.eye(s.shape[-1]) - rho * s[..., :, None] * y[..., None, :]
            H_new = V @ H @ np.swapaxes(V, -1, -2) + rho * s[..., :, None] * s[..., None, :]
            H = np.where(ok, H_new, H)
        direction = -(H @ grad[..., None])[..., 0]
        lr_t = np.broadcast_to(lr_at(lr, state["t"]), params.shape[:-1])
        if line_search == "armijo":
            lr_t = armijo(objective, params, direction, grad, lr_t)
        step = lr_t[..., None] * direction
        return params + step, {"t": state["t"] + 1, "lr": lr_t, "H": H, "g": grad, "s": step}

    return Optimizer("bfgs", dict(lr=lr, line_search=line_search), equations(bfgs), None,
                     "d (inverse-Hessian row)", init, update)
