"""Claims of the stochastic-gradient page, recomputed independently.

Expected values come from closed forms (normal equations, per-sample gradients written out or
taken from torch autograd) and from plain loops written here, never from the code under
test: ``gd.minibatch_sgd`` is checked against a hand-written SGD loop, and the noise-floor
formula against a floor measured by that loop.
"""

from __future__ import annotations

import json
import os
import runpy
from pathlib import Path

import numpy as np
import pytest
import torch

import gdnotes as gd

REPO = Path(__file__).resolve().parents[1]
X, Y = gd.regression_data()  # n = 100, seed 42: the data of the page
N = X.size
DESIGN = np.stack([X, np.ones(N)], 1)
THETA_STAR = np.linalg.solve(DESIGN.T @ DESIGN, DESIGN.T @ Y)  # normal equations
L_STAR = float(np.mean((DESIGN @ THETA_STAR - Y) ** 2))


def loss(theta):
    return np.mean((np.asarray(theta) @ DESIGN.T - Y) ** 2, axis=-1)


def grad_on(theta, idx):
    """Gradient of mean((w x + b - y)^2) over the samples idx, from the formula."""
    r = DESIGN[idx] @ theta - Y[idx]
    return 2 * DESIGN[idx].T @ r / len(idx)


def hand_sgd(lr, batch_size, epochs, theta0, seed, order="own"):
    """Plain SGD; losses per update. ``order="own"``: its own shuffling (a numpy permutation
    per epoch from one generator); ``"gdnotes"``: the order gd.batches documents, a fresh
    ``default_rng([seed, epoch]).permutation(n)`` each epoch."""
    rng = np.random.default_rng(seed)
    theta, losses = np.array(theta0, dtype=float), [loss(theta0)]
    for epoch in range(epochs):
        perm = (rng.permutation(N) if order == "own"
                else np.random.default_rng([seed, epoch]).permutation(N))
        for start in range(0, N, batch_size):
            theta = theta - lr * grad_on(theta, perm[start:start + batch_size])
            losses.append(loss(theta))
    return theta, np.array(losses)


# ----------------------------------------------------------------------------- the loop itself
def test_full_batch_is_gradient_descent_on_the_normal_equations():
    r = gd.minibatch_sgd(gd.sgd(lr=0.1), X, Y, np.zeros(2), batch_size=N, epochs=25)
    H, c = 2 * DESIGN.T @ DESIGN / N, 2 * DESIGN.T @ Y / N
    theta = np.zeros(2)
    for k in range(25):
        theta = theta - 0.1 * (H @ theta - c)
        np.testing.assert_allclose(r.params[k + 1], theta, rtol=1e-12, atol=1e-12)
    assert r.updates_per_epoch == 1 and r.samples[-1] == 25 * N


def test_single_sample_updates_follow_the_shuffled_order():
    order = np.concatenate(gd.batches(N, 1, 3, 0))
    assert sorted(order.tolist()) == list(range(N))  # every sample exactly once per epoch
    r = gd.minibatch_sgd(gd.sgd(lr=0.05), X, Y, [1.0, -1.0], batch_size=1, epochs=1, seed=3)
    theta = np.array([1.0, -1.0])
    for k, i in enumerate(order):
        theta = theta - 0.05 * 2 * (theta @ DESIGN[i] - Y[i]) * DESIGN[i]
        np.testing.assert_allclose(r.params[k + 1], theta, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r.losses, loss(r.params), rtol=1e-12)


def test_work_is_counted_per_sample_and_the_last_batch_may_be_short():
    r = gd.minibatch_sgd(gd.sgd(lr=0.01), X, Y, np.zeros(2), batch_size=30, epochs=2)
    assert r.samples.tolist() == [0, 30, 60, 90, 100, 130, 160, 190, 200]
    np.testing.assert_allclose(r.epochs, r.samples / N)
    assert r.updates_per_epoch == 4
    thin = gd.minibatch_sgd(gd.sgd(lr=0.01), X, Y, np.zeros(2), batch_size=1, epochs=1,
                            record_every=25)
    assert thin.samples.tolist() == [0, 25, 50, 75, 100]


def test_array_learning_rates_share_the_batches():
    etas = np.array([0.1, 0.02])
    both = gd.minibatch_sgd(gd.sgd(lr=etas), X, Y, np.zeros((2, 2)), batch_size=5, epochs=2)
    for j, eta in enumerate(etas):
        one = gd.minibatch_sgd(gd.sgd(lr=eta), X, Y, np.zeros(2), batch_size=5, epochs=2)
        np.testing.assert_allclose(both.params[:, j], one.params, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 0}, "batch_size"), ({"batch_size": N + 1}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"), ({"epochs": 0}, "epochs"),
    ({"record_every": 0}, "record_every"), ({"x0": [1.0, 2.0, 3.0]}, "x0"),
])
def test_bad_arguments_name_the_parameter(kwargs, match):
    args = {"x0": np.zeros(2), "batch_size": 10, "epochs": 1, **kwargs}
    with pytest.raises(ValueError, match=match):
        gd.minibatch_sgd(gd.sgd(lr=0.1), X, Y, **args)
    with pytest.raises(ValueError, match="last_epochs"):
        gd.minibatch_sgd(gd.sgd(lr=0.1), X, Y, np.zeros(2), 10, 2).floor(3)


# ----------------------------------------------------------------------------- regimes
def test_per_epoch_the_small_batches_win_per_sample_the_full_batch_catches_up():
    runs = {b: gd.minibatch_sgd(gd.sgd(lr=0.1), X, Y, np.zeros(2), batch_size=b, epochs=50)
            for b in (N, 10, 1)}
    after_one = {b: float(r.losses[r.epochs == 1][0]) - L_STAR for b, r in runs.items()}
    assert after_one[10] < after_one[N] / 50 and after_one[1] < after_one[N] / 10
    # the stochastic runs stall at a floor, the full batch keeps descending below it
    full_final = runs[N].floor(10) - L_STAR  # mean over the last 10 epochs, as on the page
    assert full_final < runs[1].floor(10) - L_STAR
    assert full_final < runs[10].floor(10) - L_STAR
    # the full batch decreases monotonically (η < 2/L); single-sample SGD does not
    assert np.all(np.diff(runs[N].losses) < 0)
    assert np.any(np.diff(runs[1].losses) > 0)


def test_per_sample_gradient_covariance_matches_autograd():
    theta = torch.tensor(THETA_STAR, requires_grad=True)
    per_sample = []
    for xi, yi in zip(X, Y, strict=True):
        (g,) = torch.autograd.grad((theta[0] * xi + theta[1] - yi) ** 2, theta)
        per_sample.append(g.numpy())
    g = np.array(per_sample)
    assert np.allclose(g.mean(0), 0, atol=1e-10)  # the optimum: the mean gradient vanishes
    sigma_1 = np.cov(g.T, bias=True)
    np.testing.assert_allclose(gd.gradient_noise(X, Y, THETA_STAR, 1), sigma_1, rtol=1e-10)
    # a batch of B without replacement: Σ₁/B · (n − B)/(n − 1), checked by enumerating
    # every batch of two samples
    pairs = ((g[:, None, :] + g[None, :, :]) / 2)[~np.eye(N, dtype=bool)]  # all i != j
    cov_2 = pairs.T @ pairs / len(pairs)
    np.testing.assert_allclose(gd.gradient_noise(X, Y, THETA_STAR, 2), cov_2, rtol=1e-10)
    np.testing.assert_allclose(gd.predicted_floor(X, Y, 0.05, 1), 0.05 / 4 * np.trace(sigma_1))


def test_noise_floor_shrinks_with_eta_and_matches_the_small_step_formula():
    etas = [0.1, 0.05, 0.02, 0.01]
    floors = []
    for eta in etas:  # start at the optimum, 40 epochs, floor = mean over the last 20
        _, losses = hand_sgd(eta, 1, 40, THETA_STAR, seed=11)
        floors.append(losses[-20 * N:].mean() - L_STAR)
    floors = np.array(floors)
    assert np.all(np.diff(floors) < 0)  # smaller step, lower floor
    assert floors[0] > 4 * floors[-1]
    predicted = np.array([gd.predicted_floor(X, Y, eta, 1) for eta in etas])
    ratio = floors / predicted
    # Loose on purpose: the formula is a small-step approximation (it drops the η² term), and
    # a floor measured over 20 epochs is the mean of a strongly autocorrelated sequence (its
    # correlation time 1/(2ηλ_min) is hundreds of updates at η = 0.01), so each measured
    # floor carries tens of percent of sampling error.
    assert np.all((ratio > 0.4) & (ratio < 1.6)), ratio
    # the library's loop on the same batches is the same computation: equal to rounding
    # (batches in gd.batches' documented order, a fresh permutation per (seed, epoch))
    lib = gd.minibatch_sgd(gd.sgd(lr=np.array(etas)), X, Y, np.tile(THETA_STAR, (4, 1)),
                           batch_size=1, epochs=40, seed=11)
    same_batches = np.array([hand_sgd(eta, 1, 40, THETA_STAR, seed=11, order="gdnotes")[1]
                             [-20 * N:].mean() - L_STAR for eta in etas])
    np.testing.assert_allclose(lib.floor(20) - L_STAR, same_batches, rtol=1e-9)
    assert np.all(np.diff(lib.floor(20)) < 0)


def test_floor_shrinks_with_batch_size_and_scales_with_the_noise_variance():
    floors = []
    for b in (1, 5, 25):
        r = gd.minibatch_sgd(gd.sgd(lr=0.05), X, Y, THETA_STAR, batch_size=b,
                             epochs=15 * b, seed=2)
        floors.append(r.floor(7 * b) - L_STAR)
    assert floors[0] > 3 * floors[1] > 3 * 2 * floors[2] > 0
    # noise σ scales every residual at the optimum, and SGD from the optimum is linear in
    # them: the floor scales exactly with σ²
    by_noise = []
    for sigma in (1.0, 2.0):
        x, y = gd.regression_data(noise=sigma)
        fit = gd.line_mse(x, y)
        r = gd.minibatch_sgd(gd.sgd(lr=0.05), x, y, fit.optimum, batch_size=5, epochs=20,
                             seed=2)
        by_noise.append(r.floor(10) - fit.value(fit.optimum))
    assert by_noise[1] / by_noise[0] == pytest.approx(4.0, rel=1e-6)


def test_a_decaying_step_removes_the_floor():
    eta0, t0 = 0.1, 100

    def inverse_time(t):
        return eta0 / (1 + t / t0)

    decayed = gd.minibatch_sgd(gd.sgd(lr=inverse_time), X, Y, np.zeros(2), batch_size=1,
                               epochs=40, seed=1)
    constant = gd.minibatch_sgd(gd.sgd(lr=np.array([0.1, 0.01])), X, Y, np.zeros((2, 2)),
                                batch_size=1, epochs=40, seed=1)
    late = decayed.floor(10) - L_STAR
    assert late < (constant.floor(10) - L_STAR).min()
    middle = decayed.losses[(decayed.epochs > 10) & (decayed.epochs <= 20)].mean() - L_STAR
    assert late < middle / 1.5  # still going down, not stuck at a level


# ----------------------------------------------------------------------------- cost
def test_full_batch_work_grows_with_n_mini_batch_work_does_not():
    target = 0.1
    full_work, mini_work = [], []
    for n in (100, 1000, 10000):
        x, y = gd.regression_data(n=n)
        design = np.stack([x, np.ones(n)], 1)
        opt = np.linalg.lstsq(design, y, rcond=None)[0]
        goal = np.mean((design @ opt - y) ** 2) + target
        theta, steps = np.zeros(2), 0
        while np.mean((design @ theta - y) ** 2) > goal:  # full-batch GD, η = 0.1
            theta = theta - 0.1 * 2 * design.T @ (design @ theta - y) / n
            steps += 1
        full_work.append(steps * n)
        mini = gd.minibatch_sgd(gd.sgd(lr=0.1), x, y, np.zeros(2), batch_size=10,
                                epochs=max(1, 3000 // n))
        mini_work.append(float(mini.samples_to(goal)))
    assert full_work[2] / full_work[0] > 50  # ~ linear in n (100x more data)
    assert max(mini_work) < 5 * min(mini_work)  # flat
    assert mini_work[2] < full_work[2] / 100


# ----------------------------------------------------------------------------- neural network
@pytest.fixture(scope="module")
def moons():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead (restored afterwards)
    X2, y2 = gd.two_moons(n=200, noise=0.15, seed=0)
    yield torch.tensor(X2), torch.tensor(y2)
    torch.set_num_threads(threads)


def test_two_moons_shape_balance_and_validation():
    X2, y2 = gd.two_moons(n=201, noise=0.0, seed=1)
    assert X2.shape == (201, 2) and set(np.unique(y2)) == {0.0, 1.0}
    upper, lower = X2[y2 == 0], X2[y2 == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)  # noise-free: points on the arcs
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    with pytest.raises(ValueError, match="noise"):
        gd.two_moons(noise=-1)
    with pytest.raises(ValueError, match="n must"):
        gd.two_moons(n=1)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_manual_update_matches_torch_optim(moons, momentum):
    inputs, labels = moons
    a, b = gd.mlp(seed=3), gd.mlp(seed=3)
    la = gd.train_manual(a, inputs, labels, lr=0.3, momentum=momentum, steps=60)
    lb = gd.train_optim(b, inputs, labels, lr=0.3, momentum=momentum, steps=60)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-12)
    np.testing.assert_allclose(la, lb, rtol=0, atol=1e-12)


def test_manual_update_is_the_gdnotes_heavy_ball_step(moons):
    """Cross-check with a third implementation: gd.sgd's numpy update on the flat gradient."""
    inputs, labels = moons
    model = gd.mlp(seed=5)
    flat = torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy().copy()
    opt = gd.sgd(lr=0.2, momentum=0.5)
    state = opt.init(flat)
    reference = gd.mlp(seed=5)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    for _ in range(5):
        reference.zero_grad()
        loss_fn(reference(inputs).squeeze(-1), labels).backward()
        g = torch.cat([p.grad.ravel() for p in reference.parameters()]).numpy()
        flat, state = opt.update(state, flat, g, None)
        with torch.no_grad():
            torch.nn.utils.vector_to_parameters(torch.tensor(flat), reference.parameters())
    gd.train_manual(model, inputs, labels, lr=0.2, momentum=0.5, steps=5)
    np.testing.assert_allclose(
        torch.nn.utils.parameters_to_vector(model.parameters()).detach().numpy(), flat,
        rtol=0, atol=1e-12)


def test_an_in_place_update_outside_no_grad_is_an_error(moons):
    """The page's pitfall: updating a parameter (a leaf that requires grad) in place outside
    ``torch.no_grad()`` raises, in both spellings the page names."""
    inputs, labels = moons
    model = gd.mlp(seed=0)
    torch.nn.BCEWithLogitsLoss()(model(inputs).squeeze(-1), labels).backward()
    p = next(model.parameters())
    assert p.is_leaf and p.requires_grad
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        p -= 0.1 * p.grad
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        p.sub_(0.1 * p.grad)


def test_the_network_learns_the_moons(moons):
    inputs, labels = moons
    model = gd.mlp(seed=0)
    losses = gd.train_manual(model, inputs, labels, lr=0.5, steps=400)
    with torch.no_grad():
        accuracy = ((model(inputs).squeeze(-1) > 0).double() == labels).double().mean().item()
    assert accuracy >= 0.95
    assert losses[-1] < losses[0] / 10
    # fast drop, plateau, second drop: the loss barely moves between steps 40 and 100
    first, plateau, second = (losses[a] - losses[b] for a, b in ((0, 40), (40, 100), (100, 200)))
    assert plateau < first / 5 and plateau < second / 5
    # a straight line cannot do as well: logistic regression on the raw inputs
    linear = gd.mlp((2, 1), seed=0)
    gd.train_manual(linear, inputs, labels, lr=0.5, steps=200)
    with torch.no_grad():
        lin_acc = ((linear(inputs).squeeze(-1) > 0).double() == labels).double().mean().item()
    assert lin_acc < accuracy - 0.05


def test_the_untrained_network_is_nearly_linear(moons):
    """Why the boundary starts almost straight: at initialisation the logit over the plotted
    region is explained by a plane to within a few percent of its variance."""
    gx, gy = np.meshgrid(np.linspace(-1.6, 2.6, 60), np.linspace(-1.1, 1.6, 40))
    grid = np.stack([gx.ravel(), gy.ravel()], 1)
    with torch.no_grad():
        logit = gd.mlp(seed=0)(torch.tensor(grid)).numpy().ravel()
    plane = np.c_[grid, np.ones(len(grid))]
    residual = logit - plane @ np.linalg.lstsq(plane, logit, rcond=None)[0]
    assert residual.var() < 0.05 * logit.var()


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": 0.0}, "learning rate"), ({"lr": float("nan")}, "learning rate"),
    ({"momentum": 1.0}, "momentum"), ({"steps": 0}, "steps"),
])
def test_training_arguments_are_validated(moons, kwargs, match):
    inputs, labels = moons
    args = {"lr": 0.1, "momentum": 0.0, "steps": 1, **kwargs}
    for train in (gd.train_manual, gd.train_optim):
        with pytest.raises(ValueError, match=match):
            train(gd.mlp(seed=0), inputs, labels, **args)


# ----------------------------------------------------------------------------- the page's numbers
def run_example(name: str, directory: Path) -> tuple[dict, Path]:
    """Run examples/<name>.py with its outputs in ``directory``; return its values."""
    old = os.environ.get("GDNOTES_OUTPUT_DIR")
    os.environ["GDNOTES_OUTPUT_DIR"] = str(directory)
    try:
        runpy.run_path(str(REPO / "examples" / f"{name}.py"), run_name="__main__")
    finally:
        if old is None:
            del os.environ["GDNOTES_OUTPUT_DIR"]
        else:
            os.environ["GDNOTES_OUTPUT_DIR"] = old
    manifest = json.loads((directory / "manifest.json").read_text())
    return {k: v["raw"] for k, v in manifest["values"].items()}, directory


def table(directory: Path, name: str) -> np.ndarray:
    """The numeric body of a generated Markdown table."""
    lines = (directory / f"{name}.md").read_text().strip().splitlines()[2:]
    return np.array([[float(c.replace(",", "")) for c in line.strip().strip("|").split("|")]
                     for line in lines])


def test_minibatch_example_numbers_back_the_prose(tmp_path):
    v, out = run_example("minibatch", tmp_path)
    # per epoch the small batches win; at the end the full batch is lowest
    assert v["epoch1_mini"] < v["epoch1_full"] / 50 and v["epoch1_single"] < v["epoch1_full"] / 10
    assert v["final_full"] < v["final_mini"] < v["final_single"]
    assert v["work_to_target_mini"] < v["work_to_target_full"] / 5
    # single-sample SGD gets within the target first (the paths paragraph)
    assert v["work_to_target_single"] < v["work_to_target_mini"] < v["work_to_target_full"]
    eta, measured, predicted, ratio = table(out, "floors").T
    assert np.all(np.diff(measured) < 0)  # the floor falls with η
    np.testing.assert_allclose(predicted, eta / 4 * np.trace(gd.gradient_noise(
        X, Y, THETA_STAR, 1)), rtol=1e-3)
    small = eta <= 0.1
    assert np.all((ratio[small] > 0.5) & (ratio[small] < 2.0))  # within a factor of two
    assert ratio[eta == eta.max()] > 1 and ratio[eta == eta.min()] < 1  # above, below
    assert v["decay_final"] < v["smallest_floor"]  # the decaying step beats every floor
    size, b_measured, b_predicted = table(out, "floor_vs_batch").T
    assert np.all(np.diff(b_measured) < 0)
    assert np.all(b_measured[size >= 5] < b_predicted[size >= 5])  # reshuffling beats it
    _, n_measured, _ = table(out, "floor_vs_noise").T
    np.testing.assert_allclose(n_measured[1:] / n_measured[:-1], 4.0, rtol=0.02)
    n, full_updates, full_work, mini_work = table(out, "cost_table").T
    np.testing.assert_array_equal(full_work, full_updates * n)
    assert full_work[-1] / full_work[0] > 50 and mini_work.max() < 5 * mini_work.min()
