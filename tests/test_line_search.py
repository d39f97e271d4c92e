"""gdnotes.line_search: the step rules (exact quadratic step, Polyak's step) and the three
optimizers built on them, checked against the rules written out here and against the
guarantees the step-size page states."""

from __future__ import annotations

import numpy as np
import pytest

import gdnotes as gd
from gdnotes.line_search import exact_quadratic_step, polyak_step_size


def _random_quadratic(rng, d=3):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    lam = rng.uniform(0.2, 5.0, d)
    return Q @ np.diag(lam) @ Q.T, lam


# ----------------------------------------------------------------------------- pure step rules
def test_exact_quadratic_step_minimises_f_along_the_line():
    rng = np.random.default_rng(1)
    for _ in range(20):
        A, _ = _random_quadratic(rng)
        g = rng.normal(size=3)
        eta = exact_quadratic_step(g, A)
        assert eta == pytest.approx(g @ g / (g @ A @ g), rel=1e-14)
        # f(θ - η g) for f = ½θᵀAθ from θ = A⁻¹g (so ∇f = g): a parabola in η, least at eta
        theta = np.linalg.solve(A, g)
        along = [0.5 * (theta - e * g) @ A @ (theta - e * g) for e in eta * np.array([0.9, 1, 1.1])]
        assert along[1] < along[0] and along[1] < along[2]
        assert (A @ (theta - eta * g)) @ g == pytest.approx(0.0, abs=1e-10 * (g @ g))


def test_exact_quadratic_step_batches_and_gives_zero_at_the_minimum():
    A = np.diag([1.0, 4.0])
    g = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [1.0, 1.0]])
    np.testing.assert_allclose(exact_quadratic_step(g, np.broadcast_to(A, (4, 2, 2))),
                               [1.0, 0.25, 0.0, 2 / 5])


def test_exact_quadratic_step_refuses_bad_input():
    with pytest.raises(ValueError, match=r"curvature gᵀAg .* > 0 .* got -1\.0"):
        exact_quadratic_step(np.array([1.0, 0.0]), np.diag([-1.0, 1.0]))
    with pytest.raises(ValueError, match=r"curvature gᵀAg .* got 0\.0"):
        exact_quadratic_step(np.array([1.0, 0.0]), np.diag([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"hessian must have shape \(\.\.\., 2, 2\) .* \(3, 3\)"):
        exact_quadratic_step(np.ones(2), np.eye(3))
    with pytest.raises(ValueError, match="grad must be finite"):
        exact_quadratic_step(np.array([np.nan, 1.0]), np.eye(2))


def test_polyak_step_size_is_the_gap_over_the_squared_gradient():
    assert polyak_step_size(3.0, 1.0, np.array([1.0, 1.0])) == pytest.approx(1.0)
    np.testing.assert_allclose(polyak_step_size(np.array([2.0, 5.0]), 0.0,
                                                np.array([[2.0, 0.0], [0.0, 0.0]])), [0.5, 0.0])
    with pytest.raises(ValueError, match=r"value must be >= f_star \(1\.0\), got 0\.5"):
        polyak_step_size(0.5, 1.0, np.ones(2))
    with pytest.raises(ValueError, match="f_star must be finite"):
        polyak_step_size(1.0, np.inf, np.ones(2))


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("kwargs, message", [
    ({"lr": 0.0}, r"lr \(first trial step\) must be > 0, got 0\.0"),
    ({"lr": -1.0}, r"lr \(first trial step\) must be > 0, got -1\.0"),
    ({"c1": 0.0}, r"c1 \(Armijo constant\) must be > 0, got 0\.0"),
    ({"c1": 1.0}, r"c1 \(Armijo constant\) must be in \[0, 1\), got 1\.0"),
    ({"shrink": 1.5}, r"shrink must be in \[0, 1\), got 1\.5"),
    ({"shrink": 0.0}, r"shrink must be > 0, got 0\.0"),
    ({"max_halvings": 0}, r"max_halvings must be a positive integer, got 0"),
    ({"max_halvings": 2.5}, r"max_halvings must be a positive integer, got 2\.5"),
])
def test_backtracking_names_the_bad_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        gd.backtracking(**kwargs)


def test_polyak_names_the_bad_argument():
    with pytest.raises(ValueError, match=r"max_lr must be > 0, got 0\.0"):
        gd.polyak(0.0, max_lr=0.0)
    with pytest.raises(ValueError, match="f_star must be finite, got nan"):
        gd.polyak(np.nan)
    with pytest.raises(TypeError, match="f_star must be a number"):
        gd.polyak("0")


# ----------------------------------------------------------------------------- backtracking
def _hand_backtracking(f, df, x, steps, lr, c, xi):
    """Plain loop: GD with Armijo backtracking; returns the iterates and the accepted steps."""
    xs, etas = [x.copy()], []
    for _ in range(steps):
        g = df(x)
        eta = lr
        while not f(x - eta * g) <= f(x) - c * eta * (g @ g):
            eta *= xi
        x = x - eta * g
        xs.append(x.copy())
        etas.append(eta)
    return np.array(xs), np.array(etas)


def test_backtracking_run_is_the_hand_loop_and_meets_armijo_every_step():
    bowl = gd.rosenbrock()
    x0 = np.array([-1.2, 1.0])
    run = gd.run(gd.backtracking(lr=1.0, c1=0.3, shrink=0.7), bowl, x0, steps=200)
    xs, etas = _hand_backtracking(lambda p: float(bowl.value(p)), bowl.grad, x0, 200,
                                  1.0, 0.3, 0.7)
    np.testing.assert_allclose(run.points, xs, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(run.lrs, etas, rtol=1e-12)
    f, g = run.values, run.grad_norms
    assert np.all(f[1:] <= f[:-1] - 0.3 * run.lrs * g[:-1] ** 2 + 1e-15)


@pytest.mark.parametrize("seed", range(4))
def test_backtracking_guarantee_on_l_smooth_functions(seed):
    """On a quadratic (L its largest eigenvalue) every accepted step is at least
    min(lr, 2χ(1-c)/L), and the number of trials is at most 1 + ⌈log_{1/χ}(lr L/(2(1-c)))⌉."""
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.2, 5.0, 3)
    L = lam.max()
    lr, c, xi = rng.uniform(0.5, 20.0), rng.uniform(1e-4, 0.9), rng.uniform(0.1, 0.9)
    obj = gd.quadratic(lam)
    x0 = rng.normal(size=(8, 3)) * 3
    run = gd.run(gd.backtracking(lr=lr, c1=c, shrink=xi), obj, x0, steps=40)
    etas = run.lrs[np.isfinite(run.lrs)]
    assert etas.min() >= min(lr, 2 * xi * (1 - c) / L) * (1 - 1e-12)
    trials = 1 + np.rint(np.log(etas / lr) / np.log(xi))
    assert trials.max() <= 1 + max(0, np.ceil(np.log(lr * L / (2 * (1 - c))) / np.log(1 / xi)))


@pytest.mark.parametrize("c", [1e-4, 0.1, 0.5, 0.9])
def test_backtracking_threshold_is_exact_on_a_one_d_parabola(c):
    """On f = L θ²/2 a trial passes exactly when η <= 2(1-c)/L: the accepted step is the first
    trial at or below it, so the guarantee 2χ(1-c)/L is approached and cannot be raised."""
    L, xi, lr = 3.0, 0.5, 1.0
    threshold = 2 * (1 - c) / L
    obj = gd.quadratic([L])
    eta = gd.run(gd.backtracking(lr=lr, c1=c, shrink=xi), obj, [1.0], steps=1).lrs[0]
    expected = lr * xi ** np.ceil(np.log(threshold / lr) / np.log(xi) - 1e-12) \
        if threshold < lr else lr
    assert eta == pytest.approx(expected)
    assert eta <= threshold < eta / xi or eta == lr
    # a step just above the threshold fails the Armijo test, one just below passes
    f = lambda e: 0.5 * L * (1 - e * L) ** 2  # noqa: E731  (θ = 1, g = L)
    assert f(threshold * 1.001) > 0.5 * L - c * threshold * 1.001 * L * L
    assert f(threshold * 0.999) <= 0.5 * L - c * threshold * 0.999 * L * L


def test_backtracking_batch_equals_runs_one_by_one():
    bowl = gd.rosenbrock()
    starts = np.array([[-1.2, 1.0], [0.5, -0.5], [2.0, 2.0]])
    batch = gd.run(gd.backtracking(lr=np.array([1.0, 0.5, 2.0])), bowl, starts, steps=50)
    for i, lr in enumerate([1.0, 0.5, 2.0]):
        one = gd.run(gd.backtracking(lr=lr), bowl, starts[i], steps=50)
        np.testing.assert_allclose(batch.points[:, i], one.points, rtol=1e-13, atol=1e-15)


# ----------------------------------------------------------------------------- exact line search
def test_exact_line_search_run_is_the_hand_loop_and_zig_zags():
    bowl = gd.quadratic([0.5, 4.0], angle=0.7, b=[1.0, -1.0])
    x0 = np.array([3.0, 2.0])
    run = gd.run(gd.exact_line_search(), bowl, x0, steps=25)
    A, b, x, xs = bowl.A, bowl.b, x0.copy(), [x0.copy()]
    for _ in range(25):
        g = A @ x + b
        x = x - (g @ g) / (g @ A @ g) * g
        xs.append(x.copy())
    np.testing.assert_allclose(run.points, np.array(xs), rtol=1e-12, atol=1e-13)
    g = bowl.grad(run.points[:12])
    cos = np.sum(g[1:] * g[:-1], -1) / np.linalg.norm(g[1:], axis=-1) / np.linalg.norm(g[:-1],
                                                                                     axis=-1)
    assert np.abs(cos).max() < 1e-12


# ----------------------------------------------------------------------------- Polyak
@pytest.mark.parametrize("seed", range(3))
def test_polyak_never_moves_away_from_the_minimiser_on_convex_functions(seed):
    rng = np.random.default_rng(seed)
    lam = rng.uniform(0.01, 10.0, 2)
    quad = gd.quadratic(lam, angle=rng.uniform(0, np.pi))
    x0 = rng.normal(size=(16, 2)) * 5
    run = gd.run(gd.polyak(0.0), quad, x0, steps=200)
    d = np.linalg.norm(run.points, axis=-1)
    d = np.where(np.isnan(d), 0.0, d)
    assert np.all(np.diff(d, axis=0) <= 1e-12 * d[:-1] + 1e-300)


def test_polyak_cap_and_run_records_the_steps():
    quad = gd.quadratic([1.0])
    run = gd.run(gd.polyak(0.0), quad, [2.0], steps=3)
    np.testing.assert_allclose(run.points[:, 0], [2.0, 1.0, 0.5, 0.25])  # η = 1/(2λ): θ halves
    np.testing.assert_allclose(run.lrs, [0.5, 0.5, 0.5])
    capped = gd.run(gd.polyak(0.0, max_lr=0.1), quad, [2.0], steps=2)
    np.testing.assert_allclose(capped.lrs, [0.1, 0.1])


def test_new_names_are_exported():
    for name in ("backtracking", "exact_line_search", "polyak", "exact_quadratic_step",
                 "polyak_step_size"):
        assert callable(getattr(gd, name))
    assert gd.backtracking().hyperparams == {"lr": 1.0, "c1": 1e-4, "shrink": 0.5,
                                             "max_halvings": 60}
    assert r"\chi" not in gd.update_equations()  # not in the torch-optimizer summary


# ----------------------------------------------------------------------------- edge cases
def test_exact_line_search_run_refuses_negative_curvature_instead_of_nan():
    """On a saddle the line along -g has no minimum: the run stops with the error, not a NaN
    or a step uphill."""
    saddle = gd.quadratic([1.0, -2.0])
    with pytest.raises(ValueError, match=r"curvature gᵀAg .* > 0 .* got -7\.0"):
        gd.run(gd.exact_line_search(), saddle, [1.0, 1.0], steps=3)  # g = (1, -2): gᵀAg = -7
    with pytest.raises(ValueError, match=r"curvature gᵀAg .* got -8\.0"):
        gd.run(gd.exact_line_search(), saddle, [0.0, 1.0], steps=3)  # g = (0, -2): gᵀAg = -8


def test_rules_stand_still_at_a_zero_gradient():
    """At the minimum (g = 0) every rule keeps θ: Armijo's first trial passes trivially, the
    exact and Polyak steps are defined as 0 there (no 0/0)."""
    quad = gd.quadratic([1.0, 3.0])
    for opt, lr in [(gd.backtracking(lr=2.0), 2.0), (gd.exact_line_search(), 0.0),
                    (gd.polyak(0.0), 0.0)]:
        run = gd.run(opt, quad, [0.0, 0.0], steps=3)
        np.testing.assert_array_equal(run.points, 0.0)
        np.testing.assert_array_equal(run.lrs, lr)


def test_backtracking_shrinks_past_trials_where_f_is_not_finite():
    """A trial where f is NaN or infinite fails the Armijo test (it is not <=), so the search
    shrinks instead of accepting it: f(θ) = Σ θ - log θ is NaN for θ <= 0."""
    def value(p):
        with np.errstate(all="ignore"):
            return np.where(np.all(p > 0, -1), np.sum(p - np.log(np.abs(p)), -1), np.nan)

    barrier = gd.Objective("barrier", 2, "x", value, lambda p: 1 - 1 / p, None, np.ones((1, 2)),
                           ((0.01, 3.0), (0.01, 3.0)))
    run = gd.run(gd.backtracking(lr=10.0), barrier, [3.0, 0.2], steps=30)
    assert np.all(np.isfinite(run.values)) and np.all(np.diff(run.values) <= 0)
    np.testing.assert_allclose(run.points[-1], [1.0, 1.0], atol=1e-6)


def test_capped_polyak_still_never_moves_away_and_gains_what_the_docstring_says():
    """With max_lr binding, the squared distance falls by η(2(f - f*) - η‖g‖²) >= 0 at least
    (convex f), less than the uncapped (f - f*)²/‖g‖²."""
    quad = gd.quadratic([0.5, 8.0], angle=0.4)
    x0 = np.random.default_rng(2).normal(size=(6, 2)) * 3
    run = gd.run(gd.polyak(0.0, max_lr=0.05), quad, x0, steps=60)
    assert np.any(run.lrs == 0.05)  # the cap binds
    d2 = np.sum(run.points**2, -1)
    f, g2 = run.values, run.grad_norms**2
    gain = run.lrs * (2 * f[:-1] - run.lrs * g2[:-1])
    assert np.all(gain >= 0)
    assert np.all(d2[1:] <= d2[:-1] - gain + 1e-12 * d2[:-1])
