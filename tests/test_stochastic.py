"""gd.minibatch_sgd and the noise formulas, checked against loops and enumerations written here.

The page-level claims (floors, costs) are in test_content_stochastic.py; these are the library's
contracts: what is recorded when, what the cost counts, which batches are drawn, and the
mini-batch covariance by brute force over every possible batch.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import gdnotes as gd

X = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 3.5])
Y = np.array([1.0, 1.2, 2.9, 3.1, 5.2, 6.8, 8.1])
N = X.size


def hand_loop(lr, batch_size, epochs, theta0, seed):
    """SGD on mean((w x + b - y)²) over batches in the documented order: each epoch a fresh
    ``default_rng([seed, epoch]).permutation(n)`` cut into consecutive batches (the full batch
    in order). Returns params and full-data losses after every update, and samples used."""
    design = np.stack([X, np.ones(N)], 1)
    theta, params, losses, used = np.array(theta0, float), [], [], []
    count = 0
    for epoch in range(epochs):
        order = (np.arange(N) if batch_size == N
                 else np.random.default_rng([seed, epoch]).permutation(N))
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            r = design[idx] @ theta - Y[idx]
            theta = theta - lr * 2 * design[idx].T @ r / len(idx)
            count += len(idx)
            params.append(theta)
            losses.append(np.mean((design @ theta - Y) ** 2))
            used.append(count)
    return np.array(params), np.array(losses), np.array(used)


@pytest.mark.parametrize("batch_size", [1, 3, N])
def test_each_update_is_sgd_on_the_documented_batches(batch_size):
    r = gd.minibatch_sgd(gd.sgd(lr=0.05), X, Y, [0.5, -0.5], batch_size, epochs=3, seed=4)
    params, losses, used = hand_loop(0.05, batch_size, 3, [0.5, -0.5], seed=4)
    np.testing.assert_allclose(r.params[1:], params, rtol=1e-13)
    np.testing.assert_allclose(r.losses[1:], losses, rtol=1e-13)
    np.testing.assert_array_equal(r.samples[1:], used)
    assert r.samples[0] == 0 and r.losses[0] == pytest.approx(np.mean((0.5 * X - 0.5 - Y) ** 2))
    np.testing.assert_array_equal(r.epochs, r.samples / N)
    assert (r.batch_size, r.n) == (batch_size, N)
    assert type(r.batch_size) is int and type(r.n) is int
    assert r.updates_per_epoch == math.ceil(N / batch_size)


def test_record_every_keeps_every_kth_update_and_each_epoch_end():
    every = gd.minibatch_sgd(gd.sgd(lr=0.05), X, Y, [0.0, 0.0], 2, epochs=2, seed=1)
    sparse = gd.minibatch_sgd(gd.sgd(lr=0.05), X, Y, [0.0, 0.0], 2, epochs=2, seed=1,
                              record_every=3)
    # 4 updates per epoch (2+2+2+1 samples): recorded after updates 3 and 4 of each epoch
    np.testing.assert_array_equal(sparse.samples, [0, 6, 7, 13, 14])
    keep = [0, 3, 4, 7, 8]
    np.testing.assert_array_equal(sparse.params, every.params[keep])
    np.testing.assert_array_equal(sparse.losses, every.losses[keep])


def test_a_batch_of_starts_and_learning_rates_share_the_batches():
    lrs = np.array([0.01, 0.05, 0.1])
    starts = np.array([[0.0, 0.0], [1.0, -1.0], [2.0, 1.0]])
    r = gd.minibatch_sgd(gd.sgd(lr=lrs), X, Y, starts, 2, epochs=2, seed=3)
    assert r.params.shape == (9, 3, 2) and r.losses.shape == (9, 3)
    for i in range(3):
        one = gd.minibatch_sgd(gd.sgd(lr=lrs[i]), X, Y, starts[i], 2, epochs=2, seed=3)
        np.testing.assert_allclose(r.params[:, i], one.params, rtol=1e-14)
    # any optimizer: its state is carried from batch to batch (full batch: gd.run's steps)
    for make in (lambda: gd.adam(lr=0.1), lambda: gd.nadam(lr=0.1)):
        ours = gd.minibatch_sgd(make(), X, Y, starts, N, epochs=5)
        run = gd.run(make(), gd.line_mse(X, Y), starts, 5)
        np.testing.assert_allclose(ours.params, run.points, rtol=1e-13)
    bfgs = gd.minibatch_sgd(gd.bfgs(), X, Y, starts, N, epochs=4)  # a d×d state per run
    np.testing.assert_allclose(bfgs.params, gd.run(gd.bfgs(), gd.line_mse(X, Y), starts,
                                                   4).points, rtol=1e-12)
    # second-order methods get the batch's objective: full-batch Newton lands on the optimum
    newton = gd.minibatch_sgd(gd.newton(), X, Y, [5.0, -5.0], N, epochs=1)
    np.testing.assert_allclose(newton.params[1], gd.line_mse(X, Y).optimum, rtol=1e-12)


def test_floor_and_samples_to():
    r = gd.minibatch_sgd(gd.sgd(lr=0.02), X, Y, [0.0, 0.0], 1, epochs=4, seed=0)
    tail = r.epochs > 4 - 1.5
    np.testing.assert_allclose(r.floor(1.5), r.losses[tail].mean(), rtol=1e-15)
    np.testing.assert_allclose(r.floor(4), r.losses[1:].mean(), rtol=1e-15)  # all but row 0
    for bad in (0, -1, 4.5):
        with pytest.raises(ValueError, match=rf"^last_epochs must be in \(0, 4\], got {bad!r}"):
            r.floor(bad)
    level = r.losses[10]
    first = int(np.argmax(r.losses <= level))
    assert r.samples_to(level) == r.samples[first] and first <= 10
    assert r.samples_to(r.losses.min() / 2) == np.inf
    assert r.samples_to(r.losses[0]) == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_size=0), rf"batch_size must be an integer in \[1, {N}\], got 0"),
    (dict(batch_size=N + 1), rf"batch_size must be an integer in \[1, {N}\], got {N + 1}"),
    (dict(batch_size=2.0), r"batch_size must be an integer .*got 2.0"),
    (dict(batch_size=True), r"batch_size must be an integer .*got True"),
    (dict(epochs=0), "epochs must be a positive integer, got 0"),
    (dict(epochs=False), "epochs must be a positive integer, got False"),
    (dict(epochs=1.5), "epochs must be a positive integer, got 1.5"),
    (dict(record_every=0), "record_every must be a positive integer, got 0"),
    (dict(record_every=True), "record_every must be a positive integer, got True"),
    (dict(x0=[1.0, 2.0, 3.0]), r"x0 must have shape \(2,\) or \(B, 2\), got \(3,\)"),
    (dict(x0=np.zeros((2, 2, 2))), r"x0 must have shape \(2,\) or \(B, 2\), got \(2, 2, 2\)"),
])
def test_minibatch_arguments_are_checked(kwargs, message):
    args = dict(x0=[0.0, 0.0], batch_size=2, epochs=1) | kwargs
    with pytest.raises(ValueError, match="^" + message):
        gd.minibatch_sgd(gd.sgd(lr=0.1), X, Y, **args)


def test_a_numpy_integer_batch_size_is_fine():
    r = gd.minibatch_sgd(gd.sgd(lr=0.1), X, Y, [0.0, 0.0], np.int64(3), epochs=np.int64(1),
                         record_every=np.int64(1))
    assert r.updates_per_epoch == 3 and len(r.samples) == 4


@pytest.mark.parametrize("batch_size", [1, 2, 3, N])
def test_gradient_noise_is_the_covariance_over_every_possible_batch(batch_size):
    """Enumerate all C(n, B) batches: the covariance of their mean gradient is Σ_B."""
    w, b = 0.7, 0.4
    per_sample = 2 * (w * X + b - Y)[:, None] * np.stack([X, np.ones(N)], 1)
    means = np.array([per_sample[list(c)].mean(0)
                      for c in itertools.combinations(range(N), batch_size)])
    centred = means - means.mean(0)
    expected = centred.T @ centred / len(means)
    np.testing.assert_allclose(gd.gradient_noise(X, Y, [w, b], batch_size), expected,
                               rtol=1e-12, atol=1e-14)


def test_gradient_noise_edge_cases():
    np.testing.assert_array_equal(gd.gradient_noise([1.0], [2.0], [0.5, 0.5], 1), np.zeros((2, 2)))
    for bad in (0, N + 1, 1.0, False):
        with pytest.raises(ValueError, match=rf"^batch_size must be an integer in \[1, {N}\]"):
            gd.gradient_noise(X, Y, [0.0, 0.0], bad)


def test_predicted_floor_is_a_quarter_of_eta_times_the_noise_trace():
    opt = gd.line_mse(X, Y).optimum
    for eta, batch in [(0.01, 1), (0.1, 3), (np.array([0.01, 0.02]), 2)]:
        expected = np.asarray(eta) / 4 * np.trace(gd.gradient_noise(X, Y, opt, batch))
        np.testing.assert_allclose(gd.predicted_floor(X, Y, eta, batch), expected, rtol=1e-15)
    assert gd.predicted_floor(X, Y, 0.1, N) == 0.0  # the full batch has no noise
    with pytest.raises(ValueError, match="^x must take at least two different values"):
        gd.predicted_floor([1.0, 1.0, 1.0], [1.0, 2.0, 3.0], 0.1, 1)


def test_floor_and_samples_to_per_run_of_a_batch():
    lrs = np.array([0.005, 0.02, 0.08])
    r = gd.minibatch_sgd(gd.sgd(lr=lrs), X, Y, np.zeros((3, 2)), 1, epochs=3)
    assert r.floor(0.5).shape == (3,) and r.samples_to(5.0).shape == (3,)
    for i, lr in enumerate(lrs):
        one = gd.minibatch_sgd(gd.sgd(lr=lr), X, Y, np.zeros(2), 1, epochs=3)
        np.testing.assert_allclose(r.floor(0.5)[i], one.floor(0.5), rtol=1e-13)
        assert r.samples_to(5.0)[i] == one.samples_to(5.0)
    level = r.losses[:, 2].min()  # reached by the fastest run only
    reached = r.samples_to(level)
    assert np.isinf(reached[0]) and np.isfinite(reached[2])
    # the default seed is 0: the batches of hand_loop(seed=0)
    params, _, _ = hand_loop(0.02, 1, 3, [0.0, 0.0], seed=0)
    np.testing.assert_allclose(r.params[1:, 1], params, rtol=1e-13)


def test_each_run_of_a_batch_stops_at_its_own_last_good_row():
    """A stochastic run's status and stop step, per run, against the same runs without a bound:
    the last row with ‖params‖ <= bound (equality allowed) is kept, everything after it is NaN."""
    x, y = gd.regression_data(40, seed=0)
    lrs, starts = np.array([0.01, 10.0]), np.zeros((2, 2))
    free = gd.minibatch_sgd(gd.sgd(lrs), x, y, starts, 10, 5, bound=np.inf)
    assert free.status.tolist() == ["max_steps", "max_steps"] and np.isfinite(free.params).all()
    norms = np.linalg.norm(free.params[:, 1], axis=-1)
    bound = norms[6]  # a row exactly on the bound is still good
    stop = int(np.argmax(norms > bound)) - 1
    assert stop >= 6
    r = gd.minibatch_sgd(gd.sgd(lrs), x, y, starts, 10, 5, bound=bound)
    rows = len(r.losses)
    assert r.status.tolist() == ["max_steps", "diverged"]
    assert r.stop_step.tolist() == [rows - 1, stop] and r.diverged_at.tolist() == [-1, stop + 1]
    np.testing.assert_array_equal(r.params[:, 0], free.params[:, 0])
    np.testing.assert_array_equal(r.params[: stop + 1, 1], free.params[: stop + 1, 1])
    np.testing.assert_array_equal(r.losses[: stop + 1, 1], free.losses[: stop + 1, 1])
    assert np.isnan(r.params[stop + 1 :, 1]).all() and np.isnan(r.losses[stop + 1 :, 1]).all()
    one = gd.minibatch_sgd(gd.sgd(10.0), x, y, [0.0, 0.0], 10, 5, bound=bound)
    assert type(one.status) is str and one.status == "diverged"
    assert type(one.stop_step) is int and one.stop_step == stop


def test_one_run_overflowing_does_not_stop_the_others():
    """Without a bound a run stops only when it overflows; the other runs of the batch go on."""
    x, y = gd.regression_data(40, seed=0)
    r = gd.minibatch_sgd(gd.sgd(np.array([0.01, 1e3])), x, y, np.zeros((2, 2)), 10, 40,
                         bound=np.inf)
    assert r.status.tolist() == ["max_steps", "diverged"]
    assert not np.isfinite(gd.minibatch_sgd(gd.sgd(1e3), x, y, [0.0, 0.0], 10, 40,
                                            bound=np.inf).params[r.stop_step[1] + 1]).all()
    assert np.isfinite(r.params[:, 0]).all()
