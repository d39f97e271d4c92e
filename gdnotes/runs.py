"""Run an optimizer on an objective: one start, a batch of starts, or a grid of hyperparameters.

One call runs one start, a batch of starts, or a grid of hyperparameters (array-valued
hyperparameters of shape ``(B,)``), all vectorised. Each run stops on its own when it
converges or diverges; nothing after its stop step is kept (NaN), and ``status`` says why,
so a blown-up run can never pass on a NaN trajectory silently.

``keep`` says how much of each trajectory to store: every step (the default), every k-th, or
only the end. Whatever it says, each run's status, stop step, and final point, value and
gradient norm are kept, so a sweep of a million runs needs memory for its end points only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import validate
from .objectives import Objective
from .optimizers import Optimizer
from .rows import row_all, sqrt_at_most, sum_of_squares


@dataclass(frozen=True, eq=False)
class Run:
    """The trajectory of one run (or a batch of runs) and why each stopped.

    Arrays are indexed by kept step first: ``points[i]`` is the point after ``kept_steps[i]``
    steps (with the default ``keep="all"``, simply after ``i`` steps). For a batch,
    ``status``/``stop_step``/``converged``/``diverged``/``final*`` have the batch shape.
    ``stop_step`` is the step of the last valid point; a diverged run blew up at step
    ``stop_step + 1``; a converged one reached ``‖∇f‖ <= tol`` at ``stop_step``.
    """

    points: np.ndarray  # (kept, *batch, d)
    values: np.ndarray  # (kept, *batch)
    grad_norms: np.ndarray  # (kept, *batch)
    lrs: np.ndarray  # (kept steps < steps, *batch): learning rate (or line-search step) used there
    status: str | np.ndarray  # "converged" | "diverged" | "max_steps"
    stop_step: int | np.ndarray
    tol: float
    bound: float
    optimizer: Optimizer = field(repr=False)
    objective: Objective = field(repr=False)
    steps: int = 0  # the step budget
    kept_steps: np.ndarray = field(default=None, repr=False)  # the step of each kept row
    final: np.ndarray = field(default=None, repr=False)  # (*batch, d): the last valid point
    final_value: float | np.ndarray = field(default=None, repr=False)
    final_grad_norm: float | np.ndarray = field(default=None, repr=False)

    def __repr__(self) -> str:
        if self.batch_shape == ():
            status = self.status
        else:
            names, counts = np.unique(self.status, return_counts=True)
            status = {str(n): int(c) for n, c in zip(names, counts, strict=True)}
        return (f"Run({self.optimizer.name} on {self.objective.name}, steps={self.steps}, "
                f"batch={self.batch_shape}, status={status})")

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return np.shape(self.stop_step)

    @property
    def converged(self):
        return self._is("converged")

    @property
    def diverged(self):
        return self._is("diverged")

    @property
    def diverged_at(self):
        """The step at which each run blew up (``stop_step + 1``), or -1 if it did not."""
        out = np.where(self._is("diverged"), np.asarray(self.stop_step) + 1, -1)
        return int(out) if out.ndim == 0 else out

    def _is(self, status):
        out = np.asarray(self.status) == status
        return bool(out) if out.ndim == 0 else out

    def path(self, i=None) -> np.ndarray:
        """The kept valid points ``(n, d)`` of the single run, or of run ``i`` of a batch."""
        if len(self.kept_steps) == 0:
            raise ValueError("this Run kept no trajectory (gd.run(..., keep='last')); use .final, "
                             "or run with keep='all' or keep=k")
        if self.batch_shape == ():
            return self.points[: np.searchsorted(self.kept_steps, self.stop_step, "right")]
        if i is None:
            raise ValueError(f"this Run holds a batch of shape {self.batch_shape}; pass i")
        i = i if isinstance(i, tuple) else (i,)
        n = np.searchsorted(self.kept_steps, int(self.stop_step[i]), "right")
        return self.points[(slice(0, n), *i)]


def _batch_shape(x0: np.ndarray, optimizer: Optimizer) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(x0.shape[:-1], optimizer.batch_shape)
    except ValueError:
        raise ValueError(
            f"x0 batch shape {x0.shape[:-1]} does not match the hyperparameter array shape "
            f"{optimizer.batch_shape}"
        ) from None


def _kept_steps(keep, steps: int) -> np.ndarray:
    """The steps whose points are stored: all, every k-th (and the last), or none."""
    if isinstance(keep, str) and keep in ("all", "last"):
        return np.arange(steps + 1) if keep == "all" else np.arange(0)
    if isinstance(keep, bool) or not isinstance(keep, int | np.integer) or keep <= 0:
        raise ValueError(f"keep must be 'all', 'last' or a positive integer k (keep every k-th "
                         f"step), got {keep!r}")
    return np.unique(np.r_[np.arange(0, steps + 1, int(keep)), steps])


def _frozen(new: np.ndarray, old: np.ndarray, stopped: np.ndarray) -> np.ndarray:
    """``new``, with the stopped runs' entries put back to ``old`` (stopped runs stay put)."""
    if not new.flags.writeable:
        return np.where(stopped, old, new)
    np.copyto(new, old, where=stopped)  # a fresh array from update/grad: only stopped runs change
    return new


def run(optimizer: Optimizer, objective: Objective, x0, steps: int, tol: float = 0.0,
        bound: float = 1e8, keep="all") -> Run:
    """Take up to ``steps`` steps of ``optimizer`` on ``objective`` from ``x0``.

    ``x0`` is ``(d,)`` or ``(B, d)``; it is broadcast against array hyperparameters.
    A run stops when it diverges (non-finite value/point/gradient, or ``‖x‖ > bound``) or,
    if ``tol > 0``, converges (``‖∇f‖ <= tol``). ``keep`` stores the trajectory at every
    step (``"all"``), at every k-th step and the last (an int ``k``), or not at all
    (``"last"``: only the final point, value and gradient norm of each run).
    """
    steps = validate.positive_int("steps", steps)
    validate.nonnegative("tol", tol)
    validate.positive("bound", bound)
    kept = _kept_steps(keep, steps)
    x0 = validate.finite("x0", validate.points("x0", x0, objective.dim))
    batch = _batch_shape(x0, optimizer)
    x = np.broadcast_to(x0, batch + x0.shape[-1:]).copy()

    row = np.full(steps + 1, -1)  # row[k]: where step k is stored (-1: not kept)
    row[kept] = np.arange(len(kept))
    points = np.empty((len(kept),) + x.shape)
    values, grad_norms = np.empty((len(kept),) + batch), np.empty((len(kept),) + batch)
    lrs = np.empty((int(np.sum(kept < steps)),) + batch)
    status = np.full(batch, "max_steps", dtype="<U9")
    stop = np.full(batch, steps)
    active = np.ones(batch, dtype=bool)
    stopped = np.zeros(x.shape, dtype=bool)  # ~active per coordinate: same-shape masks are fast
    final = np.full(x.shape, np.nan)
    final_value, final_norm = np.full(batch, np.nan), np.full(batch, np.nan)
    # Norm tests on squared norms: ‖x‖ <= c exactly when Σx² <= sqrt_at_most(c).
    bound_sq, tol_sq, finite_bound = sqrt_at_most(bound), sqrt_at_most(tol), np.isfinite(bound)
    # Inside a radius where the objective promises finite values and gradients, they need no
    # check; then f (and ‖∇f‖ without tol) are computed only at kept steps and at the end.
    checked = not bound <= objective.finite_within
    every_step = checked or keep == "all"  # the final values can be picked up on the way

    def settle(k, x_new, f_new, g_sq, state, x, f, old_g_sq):
        """Stop the runs that diverged at step ``k`` (their last valid point is step ``k - 1``),
        store step ``k`` if it is kept, then stop the runs that converged at step ``k``."""
        healthy = sum_of_squares(x_new) <= bound_sq
        if checked:
            healthy &= np.isfinite(f_new) & np.isfinite(g_sq)
        if not finite_bound:  # ‖x‖ <= inf no longer implies that x is finite
            healthy &= row_all(np.isfinite(x_new))
        bad = active & ~healthy
        if bad.any():
            status[bad], stop[bad] = "diverged", k - 1
            if k > 0:
                final[bad] = x[bad]
                if every_step:
                    final_value[bad], final_norm[bad] = f[bad], np.sqrt(old_g_sq[bad])
            active[bad], stopped[bad] = False, True
        off = None if active.all() else ~active  # runs stopped before step k, or at it
        if row[k] >= 0:
            np.copyto(points[row[k], ...], x_new)
            np.copyto(values[row[k], ...], f_new)
            np.sqrt(g_sq, out=grad_norms[row[k], ...])
            if off is not None:
                np.copyto(points[row[k], ...], np.nan, where=stopped)
                np.copyto(values[row[k], ...], np.nan, where=off)
                np.copyto(grad_norms[row[k], ...], np.nan, where=off)
        if k > 0 and row[k - 1] >= 0:
            np.copyto(lrs[row[k - 1], ...], np.asarray(state["lr"], dtype=float))
            if off is not None:
                np.copyto(lrs[row[k - 1], ...], np.nan, where=off)
        if tol > 0:
            done = active & (g_sq <= tol_sq)
            if done.any():
                status[done], stop[done] = "converged", k
                final[done] = x_new[done]
                if every_step:
                    final_value[done], final_norm[done] = f_new[done], np.sqrt(g_sq[done])
                active[done], stopped[done] = False, True

    def evaluate(k, x):
        """Value (if needed at step ``k``), gradient and squared gradient norm at ``x``."""
        if every_step or row[k] >= 0:
            f, g = objective.value_and_grad(x)
            return np.asarray(f), g, np.asarray(sum_of_squares(g))
        g = objective.grad(x)
        return None, g, (np.asarray(sum_of_squares(g)) if tol > 0 else None)

    state = optimizer.init(x)
    with np.errstate(all="ignore"):
        f, g, g_sq = evaluate(0, x)
        settle(0, x, f, g_sq, None, None, None, None)
        taken = 0
        for k in range(1, steps + 1):
            if not active.any():
                break
            x_new, state = optimizer.update(state, x, g, objective)
            f_new, g_new, g_sq_new = evaluate(k, x_new)
            settle(k, x_new, f_new, g_sq_new, state, x, f, g_sq)
            if not active.all():  # stopped runs stay at their last point
                x_new, g_new = _frozen(x_new, x, stopped), _frozen(g_new, g, stopped)
            x, g, f, g_sq, taken = x_new, g_new, f_new, g_sq_new, k

        # Runs that used every step end where they are; rows after the last step taken are NaN.
        final[active] = x[active]
        if every_step:
            final_value[active], final_norm[active] = f[active], np.sqrt(g_sq[active])
        else:  # one more evaluation, at each run's last valid point (NaN where there is none)
            f_end, g_end = objective.value_and_grad(final)
            final_value[...], final_norm[...] = f_end, np.sqrt(sum_of_squares(g_end))
    for buf, first in ((points, taken + 1), (values, taken + 1), (grad_norms, taken + 1),
                       (lrs, taken)):
        buf[np.searchsorted(kept, first):] = np.nan

    scalar = batch == ()
    return Run(points, values, grad_norms, lrs,
               str(status) if scalar else status, int(stop) if scalar else stop,
               float(tol), float(bound), optimizer, objective, steps, kept,
               final, float(final_value) if scalar else final_value,
               float(final_norm) if scalar else final_norm)
