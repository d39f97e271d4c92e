r"""L-BFGS, step for step as ``torch.optim.LBFGS`` does it (one of our steps = one torch
iteration, i.e. ``LBFGS(max_iter=1)``).

Instead of a d×d inverse Hessian, L-BFGS keeps the last ``history_size`` pairs
``(s, y)`` = (step, change in gradient) and applies the inverse-Hessian estimate to the
gradient with the *two-loop recursion*. The optional strong-Wolfe line search is a direct
port of torch's (itself from minFunc). Runs of a batch are stepped one by one: the line
search branches per run, and L-BFGS is for a few careful runs, not for grids.
"""

from __future__ import annotations

import numpy as np

from . import validate
from .optimizers import Optimizer, equations, lr_at


def two_loop(grad, ys, ss, rhos, H_diag):
    """``-H g`` for the L-BFGS inverse-Hessian estimate, never forming ``H``.

    ``ss``/``ys`` are the stored steps and gradient changes (oldest first), ``rhos`` their
    ``1/yᵀs`` and ``H_diag`` the scale of the starting estimate ``H₀ = H_diag·I``.
    """
    q, alpha = -grad, [0.0] * len(ys)
    for i in reversed(range(len(ys))):
        alpha[i] = ss[i] @ q * rhos[i]
        q = q - alpha[i] * ys[i]
    r = q * H_diag
    for i in range(len(ys)):
        beta = ys[i] @ r * rhos[i]
        r = r + (alpha[i] - beta) * ss[i]
    return r


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through two points with slopes, clipped to ``bounds``."""
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, lo), hi)


def strong_wolfe(fg, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Find ``t`` with sufficient decrease and a flat-enough slope along ``d``.

    ``fg(t)`` returns ``(f, g)`` at ``x + t d``. Returns ``(t, f, g)``. Bracket, then zoom
    with cubic interpolation (torch's ``_strong_wolfe``, line for line).
    """
    d_norm = np.abs(d).max()
    f_new, g_new = fg(t)
    gtd_new = g_new @ d
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done, ls_iter = False, 0
    while ls_iter < max_ls:
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= f_prev):
            br, br_f, br_g, br_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            br, br_f, br_g, done = [t], [f_new], [g_new], True
            break
        if gtd_new >= 0:
            br, br_f, br_g, br_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev, gtd_new]
            break
        tmp = t  # extrapolate
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = fg(t)
        gtd_new = g_new @ d
        ls_iter += 1
    if ls_iter == max_ls:
        br, br_f, br_g = [0.0, t], [f, f_new], [g, g_new]

    insuf_progress = False
    low, high = (0, 1) if br_f[0] <= br_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:  # zoom
        if abs(br[1] - br[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(br[0], br_f[0], br_gtd[0], br[1], br_f[1], br_gtd[1])
        eps = 0.1 * (max(br) - min(br))
        if min(max(br) - t, t - min(br)) < eps:  # too close to an end of the bracket
            if insuf_progress or t >= max(br) or t <= min(br):
                t = max(br) - eps if abs(t - max(br)) < abs(t - min(br)) else min(br) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = fg(t)
        gtd_new = g_new @ d
        ls_iter += 1
        if f_new > f + c1 * t * gtd or f_new >= br_f[low]:
            br[high], br_f[high], br_g[high], br_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if br_f[0] <= br_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (br[high] - br[low]) >= 0:
                br[high], br_f[high], br_g[high], br_gtd[high] = (
                    br[low], br_f[low], br_g[low], br_gtd[low])
            br[low], br_f[low], br_g[low], br_gtd[low] = t, f_new, g_new, gtd_new
    return br[low], br_f[low], br_g[low]


def _step_one(s: dict, x, g, objective, lr, history_size, line_search_fn,
              tolerance_grad, tolerance_change):
    """One torch LBFGS iteration for a single run (``s`` is its state, updated in place)."""
    if np.abs(g).max() <= tolerance_grad:  # already optimal: torch returns without moving
        return x, 0.0
    s["n_iter"] += 1
    if s["n_iter"] == 1:
        d = -g
        s.update(ys=[], ss=[], rhos=[], H_diag=1.0)
    else:
        y, step = g - s["g_prev"], s["d"] * s["t"]
        curvature = y @ step
        if curvature > 1e-10:  # keep the pair only if it has positive curvature
            if len(s["ys"]) == history_size:  # forget the oldest pair
                for key in ("ys", "ss", "rhos"):
                    s[key].pop(0)
            s["ys"].append(y)
            s["ss"].append(step)
            s["rhos"].append(1.0 / curvature)
            s["H_diag"] = curvature / (y @ y)
        d = two_loop(g, s["ys"], s["ss"], s["rhos"], s["H_diag"])
    s["g_prev"] = g
    t = min(1.0, 1.0 / np.abs(g).sum()) * lr if s["n_iter"] == 1 else lr
    gtd = g @ d
    s["d"], s["t"] = d, t
    if gtd > -tolerance_change:  # not a descent direction (to tolerance): don't move
        return x, t
    if line_search_fn == "strong_wolfe":
        f = float(objective.value(x))
        t, _, _ = strong_wolfe(lambda a: (float(objective.value(x + a * d)),
                                          objective.grad(x + a * d)), t, d, f, g, gtd)
        s["t"] = t
    return x + t * d, t


def lbfgs(lr=1.0, history_size=10, line_search_fn=None, tolerance_grad=1e-7,
          tolerance_change=1e-9) -> Optimizer:
    r"""L-BFGS with torch.optim.LBFGS's conventions.

    The direction applies the inverse-Hessian estimate built from the last $M$ pairs
    (``history_size``) $s_i = \theta_{i+1} - \theta_i$, $y_i = \nabla f(\theta_{i+1}) - \nabla f(\theta_i)$
    (two-loop recursion, starting from $H_0 = \frac{s^\top y}{y^\top y} I$):

    $$ p_t = -H_t \nabla f(\theta_t), \qquad \theta_{t+1} = \theta_t + \eta_t\, p_t $$

    The first step is scaled to ``min(1, 1/‖g‖₁)·lr``; afterwards the trial step is ``lr``
    along the two-loop direction, refined by ``line_search_fn="strong_wolfe"`` if given
    (torch's default is no line search). ``history_size`` defaults to 10 here (torch: 100);
    in the low dimensions of this site the difference is invisible.
    """
    if not callable(lr):
        validate.positive("lr (learning rate)", lr)
    history_size = validate.positive_int("history_size", history_size)
    validate.one_of("line_search_fn", line_search_fn, ["strong_wolfe", None])
    validate.nonnegative("tolerance_grad", tolerance_grad)
    validate.nonnegative("tolerance_change", tolerance_change)

    def init(params):
        batch = np.shape(params)[:-1]
        runs = [{"n_iter": 0} for _ in range(int(np.prod(batch)))]
        return {"t": 0, "lr": None, "runs": runs}

    def update(state, params, grad, objective):
        runs = [dict(r) for r in state["runs"]]  # copy the state: update stays pure
        for r in runs:
            r.update({k: list(r[k]) for k in ("ys", "ss", "rhos") if k in r})
        batch = params.shape[:-1]
        lr_b = np.broadcast_to(lr_at(lr, state["t"]), batch).reshape(-1)
        xs, gs = params.reshape(-1, params.shape[-1]), grad.reshape(-1, params.shape[-1])
        new, used = np.empty_like(xs), np.empty(len(runs))
        for i, r in enumerate(runs):
            new[i], used[i] = _step_one(r, xs[i], gs[i], objective, float(lr_b[i]),
                                        history_size, line_search_fn, tolerance_grad,
                                        tolerance_change)
        return new.reshape(params.shape), {"t": state["t"] + 1, "lr": used.reshape(batch),
                                           "runs": runs}

    hp = dict(lr=lr, history_size=history_size, line_search_fn=line_search_fn,
              tolerance_grad=tolerance_grad, tolerance_change=tolerance_change)
    return Optimizer("lbfgs", hp, equations(lbfgs), "torch.optim.LBFGS",
                     f"2M + 2 = {2 * history_size + 2} (M pairs s, y; last gradient and step)",
                     init, update)
