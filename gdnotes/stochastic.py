r"""Mini-batch stochastic gradient descent on the line-fitting loss.

Full-batch gradient descent, single-sample SGD and mini-batch SGD are one loop with one knob:
how many samples each update looks at. Every epoch visits the data once in a freshly shuffled
order (:func:`gdnotes.batches`); each update fits the line to the current batch only
(``line_mse(x, y).batch(idx)``) and hands that gradient to any gdnotes optimizer. The
loop records what the comparisons on the site need: the full-data loss after every update and
the *cost*, counted as per-sample gradients evaluated. Counting instead of timing keeps the
comparison exact and the same on every machine.

A run that blows up gets the same contract as :func:`gdnotes.run`: ``status`` is "diverged"
from the first recorded row whose loss or parameters are not finite (or ``‖params‖ > bound``),
``stop_step`` is the last good row, nothing after it is kept (NaN), and no warning is printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import validate
from .data import batches
from .objectives import line_mse
from .optimizers import Optimizer


@dataclass(frozen=True)
class StochasticRun:
    """What :func:`minibatch_sgd` saw, one row per recorded update (row 0 is the start).

    ``params`` has shape ``(rows, *batch, 2)`` and ``losses`` ``(rows, *batch)``: the
    parameters ``(w, b)`` and the loss on *all* the data there. ``samples[k]`` counts the
    per-sample gradients evaluated up to row ``k`` and ``epochs[k]`` the passes over the data.
    ``status`` is "diverged" or "max_steps" (every epoch ran) and ``stop_step`` the last good
    row, per run of a batch as in :class:`gdnotes.Run`.
    """

    params: np.ndarray
    losses: np.ndarray
    samples: np.ndarray
    epochs: np.ndarray
    batch_size: int
    n: int
    status: str | np.ndarray = "max_steps"
    stop_step: int | np.ndarray = -1
    bound: float = 1e8

    @property
    def diverged(self):
        out = np.asarray(self.status) == "diverged"
        return bool(out) if out.ndim == 0 else out

    @property
    def diverged_at(self):
        """The row at which each run blew up (``stop_step + 1``), or -1 if it did not."""
        out = np.where(self.diverged, np.asarray(self.stop_step) + 1, -1)
        return int(out) if out.ndim == 0 else out

    @property
    def updates_per_epoch(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def floor(self, last_epochs: float) -> np.ndarray:
        """Mean loss over the updates of the last ``last_epochs`` epochs: where SGD hovers."""
        if not 0 < last_epochs <= self.epochs[-1]:
            raise ValueError(
                f"last_epochs must be in (0, {self.epochs[-1]:g}], got {last_epochs!r}"
            )
        tail = self.epochs > self.epochs[-1] - last_epochs
        return self.losses[tail].mean(axis=0)

    def samples_to(self, level: float) -> np.ndarray:
        """Per-sample gradients spent until the loss first drops to ``level`` (inf if never)."""
        below = self.losses <= level
        hit = below.any(axis=0)
        first = np.argmax(below, axis=0)
        return np.where(hit, self.samples[first], np.inf)


def _stop_at_divergence(params: np.ndarray, losses: np.ndarray, bound: float):
    """(params, losses, status, stop_step) with every row after a run's blow-up set to NaN."""
    bad = ~(np.isfinite(losses) & np.all(np.isfinite(params), -1)
            & (np.linalg.norm(np.nan_to_num(params, nan=np.inf), axis=-1) <= bound))
    rows = losses.shape[0]
    diverged = bad.any(axis=0)
    stop = np.where(diverged, np.argmax(bad, axis=0) - 1, rows - 1)
    after = np.arange(rows).reshape((-1,) + (1,) * (losses.ndim - 1)) > stop
    params, losses = params.copy(), losses.copy()
    params[after], losses[after] = np.nan, np.nan
    status = np.where(diverged, "diverged", "max_steps")
    if status.ndim == 0:
        return params, losses, str(status), int(stop)
    return params, losses, status, stop


@np.errstate(all="ignore")  # a run that blows up is reported by its status, not by warnings
def minibatch_sgd(
    optimizer,
    x,
    y,
    x0,
    batch_size: int,
    epochs: int,
    seed: int = 0,
    record_every: int = 1,
    bound: float = 1e8,
) -> StochasticRun:
    """Fit ``y ≈ w x + b`` by ``optimizer`` using ``batch_size`` samples per update.

    ``batch_size = len(x)`` is full-batch gradient descent and ``1`` is single-sample SGD.
    ``x0`` is ``(2,)`` or a batch ``(B, 2)`` of starts; combined with array hyperparameters
    of shape ``(B,)`` this runs a whole family (say one run per learning rate) on the *same*
    sequence of batches, so the runs differ only in what is being compared. Losses are
    recorded every ``record_every`` updates (and always at the end of each epoch). A run whose
    loss or parameters stop being finite, or leave ``‖params‖ <= bound``, is "diverged" (see
    :class:`StochasticRun`).
    """
    validate.instance("optimizer", optimizer, Optimizer, "an optimizer such as gd.sgd(0.1)")
    validate.positive("bound", bound, finite=False)
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    full = line_mse(x, y)  # validates the data
    n = x.size
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or not (
        1 <= batch_size <= n
    ):
        raise ValueError(f"batch_size must be an integer in [1, {n}], got {batch_size!r}")
    for name, value in (("epochs", epochs), ("record_every", record_every)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    params = validate.finite("x0", x0).copy()
    if params.shape[-1:] != (2,) or params.ndim > 2:
        raise ValueError(f"x0 must have shape (2,) or (B, 2), got {params.shape}")
    validate.run_schedules(optimizer.hyperparams, epochs * math.ceil(n / batch_size))

    # --8<-- [start:loop]
    state = optimizer.init(params)
    rows_p, rows_l, rows_s = [params], [full.value(params)], [0]
    touched, per_epoch = 0, math.ceil(n / batch_size)
    for epoch in range(epochs):
        for k, idx in enumerate(batches(n, batch_size, seed, epoch)):
            batch = full.batch(idx)  # the loss of this batch only
            params, state = optimizer.update(state, params, batch.grad(params), batch)
            touched += idx.size
            if (k + 1) % record_every == 0 or k + 1 == per_epoch:
                rows_p.append(params)
                rows_l.append(full.value(params))
                rows_s.append(touched)
    # --8<-- [end:loop]
    samples = np.array(rows_s)
    params, losses, status, stop = _stop_at_divergence(np.array(rows_p), np.array(rows_l), bound)
    return StochasticRun(
        params=params,
        losses=losses,
        samples=samples,
        epochs=samples / n,
        batch_size=int(batch_size),
        n=n,
        status=status,
        stop_step=stop,
        bound=float(bound),
    )


def gradient_noise(x, y, params, batch_size: int) -> np.ndarray:
    r"""Covariance ``Σ_B`` (2×2) of the mini-batch gradient at ``params``.

    Per-sample gradients of ``(w xᵢ + b − yᵢ)²`` are ``gᵢ = 2 rᵢ (xᵢ, 1)``; a batch of ``B``
    drawn without replacement averages ``B`` of them, so its covariance is the population
    covariance ``S`` of the ``gᵢ`` divided by ``B`` and shrunk by ``(n − B)/(n − 1)``
    (zero for the full batch).
    """
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    n = x.size
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) or not (
        1 <= batch_size <= n
    ):
        raise ValueError(f"batch_size must be an integer in [1, {n}], got {batch_size!r}")
    if n == 1:
        return np.zeros((2, 2))
    w, b = np.asarray(params, dtype=float)
    per_sample = 2 * (w * x + b - y)[:, None] * np.stack([x, np.ones_like(x)], 1)
    centred = per_sample - per_sample.mean(axis=0)
    population = centred.T @ centred / n
    return population / batch_size * (n - batch_size) / (n - 1)


def predicted_floor(x, y, lr, batch_size: int) -> np.ndarray:
    r"""Small-step prediction of the SGD noise floor ``E[L] − L* ≈ (η/4) tr Σ_B``.

    Near the optimum the loss is the quadratic ``½ eᵀHe`` of the error ``e`` and SGD is ``e ← (I − ηH)e − ηξ``
    with gradient noise ``ξ`` of covariance ``Σ_B``. Its stationary covariance ``C`` solves
    ``HC + CH − ηHCH = ηΣ_B``; dropping the ``η²`` term and taking the trace gives
    ``½ tr(HC) = (η/4) tr Σ_B``: a floor proportional to the step size and to the noise.
    """
    optimum = line_mse(x, y).optimum
    if optimum is None:
        raise ValueError("x must take at least two different values to define the optimum")
    return np.asarray(lr, dtype=float) / 4 * np.trace(gradient_noise(x, y, optimum, batch_size))
