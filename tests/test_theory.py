"""Runs agree with what the theory of gradient descent predicts, in closed form."""

import numpy as np
import pytest

import gdnotes as gd


def random_bowl(seed, d=2):
    """A random positive-definite quadratic with its eigen-decomposition (independent of gd)."""
    rng = np.random.default_rng(seed)
    lam = np.sort(10 ** rng.uniform(-1, 1, d))
    angle = rng.uniform(0, np.pi) if d == 2 else 0.0
    return gd.quadratic(lam, angle=angle), lam, rng


@pytest.mark.parametrize("seed", range(4))
def test_gd_on_quadratic_follows_closed_form_per_eigenvector(seed):
    obj, lam, rng = random_bowl(seed)
    eigvecs = np.linalg.eigh(obj.A)[1]  # independent of how gd built A
    x0, eta, steps = rng.normal(size=2) * 3, 1.5 / lam.max(), 40
    r = gd.run(gd.sgd(eta), obj, x0, steps)
    coords = r.points @ eigvecs  # coordinates along each eigenvector, per step
    t = np.arange(steps + 1)[:, None]
    expected = (1 - eta * lam) ** t * (x0 @ eigvecs)
    np.testing.assert_allclose(coords, expected, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("seed", range(3))
def test_divergence_threshold_is_two_over_lambda_max(seed):
    obj, lam, rng = random_bowl(seed)
    x0 = rng.normal(size=2)
    threshold = 2 / lam.max()
    etas = threshold * np.array([0.99, 1.0, 1.01])
    r = gd.run(gd.sgd(etas), obj, x0, 3000)
    below, at, above = r.status
    assert below == "max_steps" and np.linalg.norm(r.final[0]) < 1e-6 * np.linalg.norm(x0)
    # exactly at 2/λ_max the top eigen-direction flips sign forever without growing
    assert at == "max_steps" and r.grad_norms[-1, 1] == pytest.approx(
        lam.max() * abs(x0 @ np.linalg.eigh(obj.A)[1][:, -1]), rel=1e-6)
    assert above == "diverged"
    # it blew past the bound at the step where |1 - ηλ|^t |x0·v| first exceeds 1e8
    v = np.linalg.eigh(obj.A)[1][:, -1]
    growth = abs(1 - etas[2] * lam.max())
    predicted = np.ceil(np.log(1e8 / abs(x0 @ v)) / np.log(growth))
    assert abs(r.stop_step[2] + 1 - predicted) <= 1


@pytest.mark.parametrize("d", [2, 5])
def test_newton_minimises_a_quadratic_in_one_step(d):
    rng = np.random.default_rng(d)
    lam = 10 ** rng.uniform(-2, 2, d)
    b = rng.normal(size=d)
    obj = gd.quadratic(lam, b=b)
    r = gd.run(gd.newton(), obj, rng.normal(size=d) * 5, 1)
    np.testing.assert_allclose(r.final, np.linalg.solve(np.diag(lam), -b), rtol=1e-12)


def test_damped_newton_is_a_shrunk_newton_step():
    # with damping λ on a diagonal quadratic the step along axis i is g_i / (h_i + λ)
    obj = gd.quadratic([1.0, 4.0])
    x0 = np.array([2.0, 3.0])
    r = gd.run(gd.newton(damping=1.0), obj, x0, 1)
    np.testing.assert_allclose(r.final, x0 - np.array([1.0, 4.0]) * x0 / np.array([2.0, 5.0]))


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_heavy_ball_with_polyak_parameters_contracts_at_sqrt_kappa_rate(kappa):
    L, mu = 1.0, 1.0 / kappa
    obj = gd.ill_conditioned(kappa, L=L, angle=0.3)
    eta = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    rho = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    steps = int(40 * np.sqrt(kappa))
    r = gd.run(gd.sgd(eta, momentum=beta), obj, [1.0, 1.0], steps)
    dist = np.linalg.norm(r.points, axis=-1)
    t0 = steps // 2  # measure over the second half, after the transient
    measured = (dist[-1] / dist[t0]) ** (1 / (steps - t0))
    assert measured == pytest.approx(rho, rel=0.02)
    # and it is much faster than the best plain GD rate (κ-1)/(κ+1)
    assert measured < (kappa - 1) / (kappa + 1)


def test_plain_gd_with_best_step_contracts_at_kappa_rate():
    kappa = 50.0
    obj = gd.ill_conditioned(kappa)
    r = gd.run(gd.sgd(2 / (1 + 1 / kappa)), obj, [1.0, 1.0], 200)
    dist = np.linalg.norm(r.points, axis=-1)
    measured = (dist[-1] / dist[100]) ** (1 / 100)
    assert measured == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-6)


def test_quartic_stationary_points_and_minima():
    q = gd.quartic()
    # f'(x) = 4x^3 - 15x^2 + 8x + 3 = (x - 1)(4x^2 - 11x - 3) = (x - 1)(x - 3)(4x + 1)
    np.testing.assert_allclose(q.stationary_points, [-0.25, 1.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(q.minimizers[:, 0], [3.0, -0.25], atol=1e-12)  # global first
    assert q.value([3.0]) == pytest.approx(-9.0)


def test_bfgs_update_satisfies_the_secant_equation():
    # after each accepted pair (s, y) the new inverse-Hessian estimate maps y to s
    obj = gd.rosenbrock()
    opt = gd.bfgs()
    x = np.array([-1.2, 1.0])
    state = opt.init(x)
    checked = 0
    for _ in range(8):
        g = obj.grad(x)
        x_new, state = opt.update(state, x, g, obj)
        s, y = x_new - x, obj.grad(x_new) - g
        x = x_new
        _, peek = opt.update(state, x, obj.grad(x), obj)  # next update folds in (s, y)
        if y @ s > 1e-10:
            np.testing.assert_allclose(peek["H"] @ y, s, rtol=1e-8, atol=1e-12)
            assert np.all(np.linalg.eigvalsh(peek["H"]) > 0)
            checked += 1
    assert checked >= 6  # the check above must not pass vacuously (every pair skipped)


def test_bfgs_and_newton_solve_rosenbrock():
    for opt, budget in ((gd.bfgs(), 100), (gd.newton(), 30)):
        r = gd.run(opt, gd.rosenbrock(), [-1.2, 1.0], budget, tol=1e-8)
        assert r.converged, opt.name
        np.testing.assert_allclose(r.final, [1.0, 1.0], atol=1e-7)
        assert np.all(np.diff(r.values[: r.stop_step + 1]) <= 1e-12) or opt.name == "newton"
