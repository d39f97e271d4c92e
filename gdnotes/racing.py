"""Racing optimizers fairly: tune each one's learning rate, run all from one start, tabulate.

A comparison of optimizers is only as good as its tuning. :func:`lr_sweep` runs one
optimizer for a whole grid of learning rates in *one* batched :func:`gdnotes.run` and counts
the steps each needed; :func:`race` picks every optimizer's best learning rate that way and
reruns it; :func:`race_rows` turns the result into table rows that say plainly when a run
diverged or did not finish, instead of hiding it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from . import optimizers as opt
from . import validate
from .objectives import Objective
from .optimizers import Optimizer
from .runs import Run, run

#: Momentum of the two momentum methods in the race (torch's default is none).
RACE_MOMENTUM = 0.9

#: The optimizer race's line-up, name -> ``lr -> Optimizer``: torch's defaults for everything
#: but the learning rate (tuned per race) and the momentum above. One definition, so the race
#: on the page and the tests that check its claims run the same optimizers.
LINEUP: dict[str, Callable[[float], Optimizer]] = {
    "GD": lambda lr: opt.sgd(lr=lr),
    "momentum": lambda lr: opt.sgd(lr=lr, momentum=RACE_MOMENTUM),
    "Nesterov": lambda lr: opt.sgd(lr=lr, momentum=RACE_MOMENTUM, nesterov=True),
    "AdaGrad": lambda lr: opt.adagrad(lr=lr),
    "RMSprop": lambda lr: opt.rmsprop(lr=lr),
    "Adadelta": lambda lr: opt.adadelta(lr=lr),
    "Adam": lambda lr: opt.adam(lr=lr),
    "AdamW": lambda lr: opt.adamw(lr=lr),
}


def near_minimizer(objective: Objective, threshold: float) -> Callable[[np.ndarray], np.ndarray]:
    """Goal test: within ``threshold`` (Euclidean) of the objective's first minimiser."""
    if objective.minimizers.size == 0:
        raise ValueError(f"objective {objective.name!r} has no known minimiser; pass a goal test")
    if not threshold > 0:
        raise ValueError(f"threshold must be > 0, got {threshold!r}")
    target = objective.minimizers[0]
    return lambda points: np.linalg.norm(points - target, axis=-1) <= threshold


def first_step(run_: Run, goal: Callable[[np.ndarray], np.ndarray], hold: int = 0) -> np.ndarray:
    """First step at which ``goal(point)`` holds and keeps holding for ``hold`` more steps.

    ``hold = 0`` is the first hit. A positive ``hold`` rules out fly-bys (a run that passes
    through the goal region and leaves at once); a run whose record ends sooner (it
    converged or hit the step limit) only has to hold until its last recorded step. Returns
    ``-1`` where the goal was never reached that way.
    """
    if isinstance(hold, bool) or int(hold) != hold or hold < 0:
        raise ValueError(f"hold must be an integer >= 0, got {hold!r}")
    if len(run_.kept_steps) != run_.steps + 1:
        raise ValueError(f"first_step needs every step of the run; it kept {len(run_.kept_steps)} "
                         f"of {run_.steps + 1} (run it with keep='all')")
    points, stop = run_.points, np.asarray(run_.stop_step)
    idx = np.arange(points.shape[0]).reshape((-1,) + (1,) * stop.ndim)
    with np.errstate(invalid="ignore", over="ignore"):  # the goal may see inf past a stop
        hit = goal(np.nan_to_num(points, nan=np.inf)) & (idx <= stop)
    # consecutive hits from step k onwards: the distance to the first miss at or after k
    n = hit.shape[0]
    misses = np.where(hit, n, idx)
    streak = np.minimum.accumulate(misses[::-1], axis=0)[::-1] - idx
    ok = hit & (streak >= np.minimum(hold + 1, stop - idx + 1))
    return np.where(ok.any(axis=0), ok.argmax(axis=0), -1)


@dataclass(frozen=True)
class Sweep:
    """A learning-rate sweep: its batched run and the steps each lr needed (``-1``: never)."""

    lrs: np.ndarray
    run: Run
    steps: np.ndarray

    @property
    def final_values(self) -> np.ndarray:
        return self.run.final_value

    @property
    def best(self) -> int:
        """Index of the lr that reached the goal in fewest steps (ties: the smaller lr); if
        none did, of the one that ended lowest without diverging."""
        ok = self.steps >= 0
        if ok.any():
            return int(np.flatnonzero(ok)[np.argmin(self.steps[ok])])
        n = self.lrs.size  # the run may hold more (nudged) runs after the lrs' own
        final = self.final_values[:n]
        alive = ~np.asarray(self.run.diverged)[:n] & np.isfinite(final)
        if not alive.any():
            raise ValueError("every learning rate in the sweep diverged; lower the grid")
        return int(np.flatnonzero(alive)[np.argmin(final[alive])])

    @property
    def best_lr(self) -> float:
        return float(self.lrs[self.best])


def lr_sweep(make: Callable[..., Optimizer], lrs, objective: Objective, x0, steps: int,
             goal: Callable[[np.ndarray], np.ndarray], hold: int = 0) -> Sweep:
    """Run ``make(lr=lrs)`` (array-valued lr: one batched run) and count steps to ``goal``."""
    lrs = np.asarray(lrs, dtype=float)
    if lrs.ndim != 1 or lrs.size == 0:
        raise ValueError(f"lrs must be a non-empty 1-D array, got shape {lrs.shape}")
    x0 = validate.points("x0", x0, objective.dim)
    if x0.shape not in {(objective.dim,), (lrs.size, objective.dim)}:
        raise ValueError(f"x0 must have shape ({objective.dim},) or ({lrs.size}, "
                         f"{objective.dim}) (one start per lr), got shape {x0.shape}")
    x0 = np.broadcast_to(x0, (lrs.size, objective.dim))
    result = run(make(lr=lrs), objective, x0, steps=steps)
    return Sweep(lrs, result, first_step(result, goal, hold=hold))


@dataclass(frozen=True)
class Entry:
    """One optimizer in a race: tuned lr, its path, when it reached the goal, how it ended."""

    name: str
    lr: float
    path: np.ndarray  # (n, d): the valid points of the run
    step: int  # first step at the goal, -1 if never
    status: str  # gd.run's status: "converged" | "diverged" | "max_steps"
    steps: int  # the step budget
    nudged: tuple[np.ndarray, ...] = ()  # paths from x0·(1 ± nudge), same lr (see race)


def race(makers: Mapping[str, Callable[..., Optimizer]], objective: Objective, x0, steps: int,
         goal: Callable[[np.ndarray], np.ndarray], lrs, hold: int = 0,
         nudge: float = 0.0) -> list[Entry]:
    """Tune each optimizer's lr on the grid ``lrs`` (one batched run each) and keep the best
    run of each: every optimizer starts at ``x0`` and gets the same step budget.

    ``nudge > 0`` also runs every lr from ``x0·(1 + nudge)`` and ``x0·(1 - nudge)`` in the
    same batch (almost free) and keeps those paths in ``Entry.nudged``: a number quoted from
    a run is only worth quoting if the nudged runs give the same.
    """
    if not (nudge >= 0 and np.isfinite(nudge)):
        raise ValueError(f"nudge must be a finite number >= 0, got {nudge!r}")
    lrs = np.asarray(lrs, dtype=float)
    factors = np.array([1.0, 1 + nudge, 1 - nudge] if nudge else [1.0])
    starts = np.repeat(factors, lrs.size)[:, None] * np.asarray(x0, dtype=float)
    entries = []
    for name, make in makers.items():
        sweep = lr_sweep(make, np.tile(lrs, factors.size), objective, starts, steps, goal,
                         hold=hold)
        tuned = Sweep(lrs, sweep.run, sweep.steps[: lrs.size])  # choose from the plain starts
        i = tuned.best
        nudged = tuple(sweep.run.path(i + k * lrs.size) for k in range(1, factors.size))
        entries.append(Entry(name, float(lrs[i]), sweep.run.path(i), int(sweep.steps[i]),
                             str(sweep.run.status[i]), steps, nudged))
    return entries


def outcome(entry: Entry) -> str:
    """``"123"``, ``"diverged (step k)"`` or ``"did not converge in N"``: never a silent NaN."""
    if entry.step >= 0:
        return str(entry.step)
    if entry.status == "diverged":
        return f"diverged (step {len(entry.path)})"
    return f"did not converge in {entry.steps}"
