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
from functools import cached_property

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
    recorded: tuple | None  # (values, grad_norms) if the run computed them (see .values)
    lr_record: tuple  # the lr array used at each kept step < steps (see .lrs)
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

    @property
    def values(self) -> np.ndarray:
        """``(kept, *batch)``: the objective's value at each kept point (NaN after a stop)."""
        return self._values_and_grad_norms[0]

    @property
    def grad_norms(self) -> np.ndarray:
        """``(kept, *batch)``: ``‖∇f‖`` at each kept point (NaN after a stop)."""
        return self._values_and_grad_norms[1]

    @cached_property
    def _values_and_grad_norms(self) -> tuple[np.ndarray, np.ndarray]:
        # A run that needed no values on the way (see finite_within) evaluates the kept points
        # when they are first read, one step at a time as the run would have: same numbers.
        if self.recorded is not None:
            return self.recorded
        values, norms = np.empty(self.points.shape[:-1]), np.empty(self.points.shape[:-1])
        with np.errstate(all="ignore"):
            for i, point in enumerate(self.points):
                f, g = self.objective.value_and_grad(point)
                values[i], norms[i] = f, np.sqrt(sum_of_squares(g))
        _blank_after_stop((values, norms), self.kept_steps, np.asarray(self.stop_step).reshape(-1))
        return values, norms

    @cached_property
    def lrs(self) -> np.ndarray:
        """``(kept steps < steps, *batch)``: the learning rate (or line-search step) used at
        each kept step, NaN from a run's stop step on. Built when first read: a constant lr
        costs no memory per step until then."""
        lrs = np.full((int(np.sum(self.kept_steps < self.steps)),) + self.batch_shape, np.nan)
        for i, lr in enumerate(self.lr_record):
            lrs[i] = lr
        at = self.kept_steps[: len(lrs)].reshape((-1,) + (1,) * len(self.batch_shape))
        lrs[at >= np.asarray(self.stop_step)] = np.nan
        return lrs

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


def _blank_after_stop(trajectories, kept: np.ndarray, stop: np.ndarray) -> None:
    """Write NaN into every kept row after each run's stop step (rows of a flat run index)."""
    if len(kept) == 0:
        return
    first = np.searchsorted(kept, stop, "right")  # first row after the stop, per run
    counts = len(kept) - first
    runs = np.repeat(np.arange(stop.size), counts)
    rows = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts - first, counts)
    for buf in trajectories:
        buf.reshape(len(kept), stop.size, -1)[rows, runs] = np.nan


def run(optimizer: Optimizer, objective: Objective, x0, steps: int, tol: float = 0.0,
        bound: float = 1e8, keep="all") -> Run:
    """Take up to ``steps`` steps of ``optimizer`` on ``objective`` from ``x0``.

    ``x0`` is ``(d,)`` or ``(B, d)``; it is broadcast against array hyperparameters.
    A run stops when it diverges (non-finite value/point/gradient, or ``‖x‖ > bound``) or,
    if ``tol > 0``, converges (``‖∇f‖ <= tol``). ``keep`` stores the trajectory at every
    step (``"all"``), at every k-th step and the last (an int ``k``), or not at all
    (``"last"``: only the final point, value and gradient norm of each run).
    """
    validate.instance("optimizer", optimizer, Optimizer, "an optimizer such as gd.sgd(0.1)")
    validate.instance("objective", objective, Objective,
                      "an objective such as gd.rosenbrock() (gd.get_objective(name) for a name)")
    steps = validate.positive_int("steps", steps)
    validate.nonnegative("tol", tol)
    validate.positive("bound", bound, finite=False)
    validate.run_schedules(optimizer.hyperparams, steps)
    kept = _kept_steps(keep, steps)
    x0 = validate.finite("x0", validate.points("x0", x0, objective.dim))
    batch = _batch_shape(x0, optimizer)
    x = np.broadcast_to(x0, batch + x0.shape[-1:]).copy()

    # Norm tests on squared norms: ‖x‖ <= c exactly when Σx² <= sqrt_at_most(c).
    bound_sq, tol_sq, finite_bound = sqrt_at_most(bound), sqrt_at_most(tol), np.isfinite(bound)
    # Inside a radius where the objective promises finite values and gradients, they need no
    # check, so the loop computes neither (nor ‖∇f‖ without tol); the end values are evaluated
    # once at the end, the kept rows' when first read (Run.values).
    checked = not bound <= objective.finite_within

    row = np.full(steps + 1, -1)  # row[k]: where step k is stored (-1: not kept)
    row[kept] = np.arange(len(kept))
    points = np.empty((len(kept),) + x.shape)
    values = grad_norms = None  # recorded only by a run that computes them at every step
    if checked:
        values, grad_norms = np.empty((len(kept),) + batch), np.empty((len(kept),) + batch)
    lr_record = []
    status = np.full(batch, "max_steps", dtype="<U9")
    stop = np.full(batch, steps)
    active = np.ones(batch, dtype=bool)
    stopped = np.zeros(x.shape, dtype=bool)  # ~active per coordinate: same-shape masks are fast
    final = np.full(x.shape, np.nan)
    final_value, final_norm = np.full(batch, np.nan), np.full(batch, np.nan)
    d = x.shape[-1]
    # Bookkeeping by flat run index: numpy indexes a 1-D array much faster than a grid by mask.
    status_, stop_, active_ = status.reshape(-1), stop.reshape(-1), active.reshape(-1)
    stopped_, final_ = stopped.reshape(-1, d), final.reshape(-1, d)
    final_value_, final_norm_ = final_value.reshape(-1), final_norm.reshape(-1)

    running = active.size  # how many runs are active: a count, not a reduction per step

    def halt(runs, k, why, x, f, g_sq):
        """Stop ``runs`` (flat indices) with status ``why``; their last valid point is step ``k``."""
        nonlocal running
        status_[runs], stop_[runs], active_[runs], stopped_[runs] = why, k, False, True
        running -= runs.size
        if k >= 0:
            final_[runs] = x.reshape(-1, d)[runs]
            if checked:
                final_value_[runs] = f.reshape(-1)[runs]
                final_norm_[runs] = np.sqrt(g_sq.reshape(-1)[runs])

    def settle(k, x_new, f_new, g_sq, lr, x, f, old_g_sq):
        """Stop the runs that diverged at step ``k`` (their last valid point is step ``k - 1``),
        store step ``k`` if it is kept, then stop the runs that converged at step ``k``."""
        healthy = sum_of_squares(x_new) <= bound_sq
        if checked:
            healthy &= np.isfinite(f_new) & np.isfinite(g_sq)
        if not finite_bound:  # ‖x‖ <= inf no longer implies that x is finite
            healthy &= row_all(np.isfinite(x_new))
        if not healthy.all():  # usually all are: one reduction instead of a mask and an index
            bad = np.flatnonzero(active & ~healthy)
            if bad.size:
                halt(bad, k - 1, "diverged", x, f, old_g_sq)
        if row[k] >= 0:  # stopped runs' entries are overwritten with NaN at the end
            np.copyto(points[row[k], ...], x_new)
            if checked:
                np.copyto(values[row[k], ...], f_new)
                np.sqrt(g_sq, out=grad_norms[row[k], ...])
        if k > 0 and row[k - 1] >= 0:
            same = lr_record and lr is lr_record[-1][0]  # a constant lr is kept once
            lr_record.append(lr_record[-1] if same else (lr, np.array(lr, dtype=float)))
        if tol > 0:
            reached = g_sq <= tol_sq
            if reached.any():  # as above: the mask and index only once some run got there
                done = np.flatnonzero(active & reached)
                if done.size:
                    halt(done, k, "converged", x_new, f_new, g_sq)

    def evaluate(x):
        """Value and squared gradient norm if needed, and the gradient, at ``x``."""
        if checked:
            f, g = objective.value_and_grad(x)
            return np.asarray(f), g, np.asarray(sum_of_squares(g))
        g = objective.grad(x)
        return None, g, (np.asarray(sum_of_squares(g)) if tol > 0 else None)

    state = optimizer.init(x)
    with np.errstate(all="ignore"):
        f, g, g_sq = evaluate(x)
        settle(0, x, f, g_sq, None, None, None, None)
        taken = 0
        for k in range(1, steps + 1):
            if not running:
                break
            x_new, state = optimizer.update(state, x, g, objective)
            f_new, g_new, g_sq_new = evaluate(x_new)
            settle(k, x_new, f_new, g_sq_new, state["lr"], x, f, g_sq)
            if running < active.size:  # stopped runs stay at their last point
                x_new, g_new = _frozen(x_new, x, stopped), _frozen(g_new, g, stopped)
            x, g, f, g_sq, taken = x_new, g_new, f_new, g_sq_new, k

        # Runs that used every step end where they are; rows after the last step taken are NaN.
        halt(np.flatnonzero(active), taken, "max_steps", x, f, g_sq)
        if not checked:  # one more evaluation, at each run's last valid point (NaN if none)
            f_end, g_end = objective.value_and_grad(final)
            final_value[...], final_norm[...] = f_end, np.sqrt(sum_of_squares(g_end))
    _blank_after_stop((points, values, grad_norms) if checked else (points,), kept, stop_)
    lr_record = tuple(copy for _, copy in lr_record)

    scalar = batch == ()
    return Run(points, (values, grad_norms) if checked else None, lr_record,
               str(status) if scalar else status, int(stop) if scalar else stop,
               float(tol), float(bound), optimizer, objective, steps, kept,
               final, float(final_value) if scalar else final_value,
               float(final_norm) if scalar else final_norm)
