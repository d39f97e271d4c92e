"""Run an optimizer on an objective and keep the whole trajectory.

One call runs one start, a batch of starts, or a grid of hyperparameters (array-valued
hyperparameters of shape ``(B,)``), all vectorised. Each run stops on its own when it
converges or diverges; nothing after its stop step is kept (NaN), and ``status`` says why,
so a blown-up run can never pass on a NaN trajectory silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import validate
from .objectives import Objective
from .optimizers import Optimizer


@dataclass(frozen=True, eq=False)
class Run:
    """The trajectory of one run (or a batch of runs) and why each stopped.

    Arrays are indexed by step first: ``points[k]`` is the point after ``k`` steps. For a
    batch, ``status``/``stop_step``/``converged``/``diverged`` are arrays of the batch shape.
    ``stop_step`` is the index of the last valid point; a diverged run blew up at step
    ``stop_step + 1``; a converged one reached ``‖∇f‖ <= tol`` at ``stop_step``.
    """

    points: np.ndarray  # (steps+1, *batch, d)
    values: np.ndarray  # (steps+1, *batch)
    grad_norms: np.ndarray  # (steps+1, *batch)
    lrs: np.ndarray  # (steps, *batch): learning rate (or line-search step) used at each step
    status: str | np.ndarray  # "converged" | "diverged" | "max_steps"
    stop_step: int | np.ndarray
    tol: float
    bound: float
    optimizer: Optimizer = field(repr=False)
    objective: Objective = field(repr=False)

    def __repr__(self) -> str:
        steps, batch = len(self.lrs), self.batch_shape
        if batch == ():
            status = self.status
        else:
            names, counts = np.unique(self.status, return_counts=True)
            status = {str(n): int(c) for n, c in zip(names, counts, strict=True)}
        return (f"Run({self.optimizer.name} on {self.objective.name}, steps={steps}, "
                f"batch={batch}, status={status})")

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.values.shape[1:]

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
        """The valid points ``(n, d)`` of the single run, or of run ``i`` of a batch."""
        if self.batch_shape == ():
            return self.points[: self.stop_step + 1]
        if i is None:
            raise ValueError(f"this Run holds a batch of shape {self.batch_shape}; pass i")
        i = i if isinstance(i, tuple) else (i,)
        return self.points[(slice(0, int(self.stop_step[i]) + 1), *i)]

    @property
    def final(self) -> np.ndarray:
        """The last valid point of each run, shape ``(*batch, d)``."""
        if self.batch_shape == ():
            return self.points[self.stop_step]
        stop = np.asarray(self.stop_step)[None, ..., None]
        return np.take_along_axis(self.points, stop, axis=0)[0]


def _batch_shape(x0: np.ndarray, optimizer: Optimizer) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(x0.shape[:-1], optimizer.batch_shape)
    except ValueError:
        raise ValueError(
            f"x0 batch shape {x0.shape[:-1]} does not match the hyperparameter array shape "
            f"{optimizer.batch_shape}"
        ) from None


def run(optimizer: Optimizer, objective: Objective, x0, steps: int, tol: float = 0.0,
        bound: float = 1e8) -> Run:
    """Take up to ``steps`` steps of ``optimizer`` on ``objective`` from ``x0``.

    ``x0`` is ``(d,)`` or ``(B, d)``; it is broadcast against array hyperparameters.
    A run stops when it diverges (non-finite value/point/gradient, or ``‖x‖ > bound``) or,
    if ``tol > 0``, converges (``‖∇f‖ <= tol``).
    """
    validate.instance("optimizer", optimizer, Optimizer, "an optimizer such as gd.sgd(0.1)")
    validate.instance("objective", objective, Objective,
                      "an objective such as gd.rosenbrock() (gd.get_objective(name) for a name)")
    steps = validate.positive_int("steps", steps)
    validate.nonnegative("tol", tol)
    validate.positive("bound", bound, finite=False)
    validate.run_schedules(optimizer.hyperparams, steps)
    x0 = validate.finite("x0", validate.points("x0", x0, objective.dim))
    batch = _batch_shape(x0, optimizer)
    x = np.broadcast_to(x0, batch + x0.shape[-1:]).copy()

    points = np.empty((steps + 1,) + x.shape)
    values, grad_norms = np.empty((steps + 1,) + batch), np.empty((steps + 1,) + batch)
    lrs = np.empty((steps,) + batch)
    status = np.full(batch, "max_steps", dtype="<U9")
    stop = np.full(batch, steps)
    active = np.ones(batch, dtype=bool)

    def record(k, x_new, f_new, g_new):
        """Store step ``k``, then stop the runs that diverged or converged there."""
        norm = np.linalg.norm(g_new, axis=-1)
        points[k], values[k], grad_norms[k] = x_new, f_new, norm
        bad = active & ~(np.isfinite(f_new) & np.all(np.isfinite(x_new), -1)
                         & np.isfinite(norm) & (np.linalg.norm(x_new, axis=-1) <= bound))
        status[bad], stop[bad] = "diverged", k - 1
        active[bad] = False
        done = active & (norm <= tol) if tol > 0 else np.zeros(batch, dtype=bool)
        status[done], stop[done] = "converged", k
        active[done] = False

    state = optimizer.init(x)
    with np.errstate(all="ignore"):
        g = objective.grad(x)
        record(0, x, objective.value(x), g)
        for k in range(1, steps + 1):
            if not active.any():
                break
            x_new, state = optimizer.update(state, x, g, objective)
            lrs[k - 1] = np.asarray(state["lr"], dtype=float)
            g_new = objective.grad(x_new)
            record(k, x_new, objective.value(x_new), g_new)
            x = np.where(active[..., None], x_new, x)  # stopped runs stay at their last point
            g = np.where(active[..., None], g_new, g)

    # Nothing after a run's stop step is kept: NaN there, and `status` says why.
    after = np.arange(steps + 1).reshape((-1,) + (1,) * len(batch)) > stop
    points[after], values[after], grad_norms[after] = np.nan, np.nan, np.nan
    lrs[after[1:]] = np.nan

    scalar = batch == ()
    return Run(points, values, grad_norms, lrs,
               str(status) if scalar else status, int(stop) if scalar else stop,
               float(tol), float(bound), optimizer, objective)
