"""gdnotes.spectral: the per-eigencomponent maps, checked against numpy's roots, matrix powers,
iterated covariances and the heavy ball's known stationary variance; bad input is refused."""

from __future__ import annotations

import numpy as np
import pytest

import gdnotes as gd
from gdnotes import spectral


def test_iteration_matrix_is_the_companion_matrix():
    A = gd.iteration_matrix(0.3, 2.0, 0.5)
    np.testing.assert_allclose(A, [[1 + 0.5 - 0.6, -0.5], [1, 0]])
    N = gd.iteration_matrix(0.3, 2.0, 0.5, nesterov=True)
    np.testing.assert_allclose(N, [[1.5 * 0.4, -0.5 * 0.4], [1, 0]])
    assert gd.iteration_matrix([0.1, 0.2], [[1.0], [2.0]], 0.9).shape == (2, 2, 2, 2)


@pytest.mark.parametrize("nesterov", [False, True])
def test_spectral_radius_is_the_matrix_eigenvalue_modulus(nesterov):
    rng = np.random.default_rng(3)
    lr, lam, beta = rng.uniform(0.01, 2, 50), rng.uniform(0.01, 2, 50), rng.uniform(0, 0.99, 50)
    eig = np.abs(np.linalg.eigvals(gd.iteration_matrix(lr, lam, beta, nesterov))).max(-1)
    np.testing.assert_allclose(gd.spectral_radius(lr, lam, beta, nesterov), eig, rtol=1e-7)
    # gradient descent: |1 - ηλ|
    np.testing.assert_allclose(gd.spectral_radius(lr, lam), np.abs(1 - lr * lam), rtol=1e-12)


def test_roots_are_ordered_by_modulus():
    r = spectral.roots(0.01, 1.0, 0.5)
    assert abs(r[0]) >= abs(r[1])
    assert np.prod(r) == pytest.approx(0.5)


def test_damping_names():
    assert gd.damping(0.01, 1.0, 0.5) == "over-damped"
    assert gd.damping((1 - np.sqrt(0.5)) ** 2, 1.0, 0.5, tol=1e-12) == "critically damped"
    assert gd.damping(0.5, 1.0, 0.5) == "under-damped"
    assert gd.damping(2.95, 1.0, 0.5) == "sign-flipping"
    assert gd.damping(1.5, 1.0, 0.0) == "sign-flipping"  # gradient descent past ηλ = 1
    assert set(np.unique(gd.damping(np.linspace(0.01, 3, 50), 1.0, 0.4))) <= set(spectral.DAMPING)


@pytest.mark.parametrize("nesterov", [False, True])
def test_component_errors_match_a_loop_including_both_roots_zero(nesterov):
    for lr, lam, beta in [(0.2, 1.0, 0.5), (0.01, 1.0, 0.81), (1.0, 1.0, 0.3)]:
        e, u, path = 1.0, 0.0, [1.0]
        for _ in range(30):
            g = lam * e
            u = beta * u + g
            e -= lr * (g + beta * u if nesterov else u)
            path.append(e)
        closed = gd.component_errors(lr, lam, beta, 30, nesterov=nesterov)
        np.testing.assert_allclose(closed, path, atol=1e-10)


def test_component_errors_repeated_root():
    beta = 0.64
    lr = (1 - np.sqrt(beta)) ** 2  # critical: r = √β twice
    e, u, path = 1.0, 0.0, [1.0]
    for _ in range(40):
        u = beta * u + e
        e -= lr * u
        path.append(e)
    np.testing.assert_allclose(gd.component_errors(lr, 1.0, beta, 40), path, atol=1e-6)


def _iterated_covariance(A, Q, steps=20000):
    P = np.zeros_like(Q)
    for _ in range(steps):
        P = A @ P @ A.T + Q
    return P


def test_discrete_lyapunov_is_the_fixed_point_of_the_covariance_recursion():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    A *= 0.9 / np.abs(np.linalg.eigvals(A)).max()
    W = rng.normal(size=(3, 3))
    Q = W @ W.T
    P = gd.discrete_lyapunov(A, Q)
    np.testing.assert_allclose(P, A @ P @ A.T + Q, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(P, _iterated_covariance(A, Q, 2000), rtol=1e-8)
    batch = gd.discrete_lyapunov(np.stack([A, 0.5 * A]), np.stack([Q, Q]))
    np.testing.assert_allclose(batch[0], P)
    np.testing.assert_allclose(batch[1], gd.discrete_lyapunov(0.5 * A, Q))


@pytest.mark.parametrize(("lr", "lam", "beta"), [(0.1, 1.0, 0.0), (0.1, 1.0, 0.9),
                                                  (0.5, 2.0, 0.5), (0.01, 0.3, 0.99)])
def test_heavy_ball_stationary_variance_closed_form(lr, lam, beta):
    """Var e = η²Σ_B(1+β) / ((1-β) ηλ (2(1+β) - ηλ)); β = 0 gives SGD's ηΣ_B/(λ(2-ηλ))."""
    noise = 0.7
    P = gd.stationary_covariance(lr, lam, noise, beta)
    expected = lr**2 * noise * (1 + beta) / ((1 - beta) * lr * lam * (2 * (1 + beta) - lr * lam))
    assert P[0, 0] == pytest.approx(expected, rel=1e-9)
    assert P[1, 1] == pytest.approx(expected, rel=1e-9)  # e_{t-1} has the same variance
    A = gd.iteration_matrix(lr, lam, beta)
    np.testing.assert_allclose(P, A @ P @ A.T + np.diag([lr**2 * noise, 0.0]), rtol=1e-9,
                               atol=1e-15)


def test_stationary_covariance_broadcasts():
    P = gd.stationary_covariance(np.array([0.1, 0.2]), 1.0, 0.5, np.array([0.0, 0.9]))
    assert P.shape == (2, 2, 2)
    assert P[1, 0, 0] == pytest.approx(gd.stationary_covariance(0.2, 1.0, 0.5, 0.9)[0, 0])


@pytest.mark.parametrize(("call", "message"), [
    (lambda: gd.spectral_radius(-0.1, 1.0), "lr must be > 0, got -0.1"),
    (lambda: gd.spectral_radius(0.1, 0.0), "curvature must be > 0, got 0.0"),
    (lambda: gd.damping(0.1, 1.0, 1.0), r"momentum must be in \[0, 1\), got 1.0"),
    (lambda: gd.damping(0.1, 1.0, 0.5, tol=-1), "tol must be >= 0, got -1"),
    (lambda: gd.component_errors(0.1, 1.0, 0.5, 0), "steps must be a positive integer, got 0"),
    (lambda: gd.component_errors(0.1, 1.0, 0.5, 5, e0=np.nan), "e0 must be finite"),
    (lambda: gd.discrete_lyapunov(np.ones((2, 3)), np.eye(2)), r"A must be a square matrix"),
    (lambda: gd.discrete_lyapunov(np.eye(2) * 0.5, np.eye(3)), r"Q must have shape \(..., 2, 2\)"),
    (lambda: gd.discrete_lyapunov(np.eye(2) * 1.5, np.eye(2)),
     "A must be stable .* got spectral radius 1.5"),
    (lambda: gd.stationary_covariance(0.1, 1.0, -1.0), "noise must be >= 0, got -1.0"),
    (lambda: gd.stationary_covariance(3.0, 1.0, 1.0), "diverges at lr=3.0, curvature=1.0, "
                                                       "momentum=0.0"),
])
def test_bad_input_is_refused_with_its_name_and_value(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_non_numbers_are_type_errors():
    with pytest.raises(TypeError, match="lr must be a number"):
        gd.spectral_radius("0.1", 1.0)


def test_noisy_quadratic_without_noise_is_gd_run():
    lams = np.array([0.5, 2.0])
    opt = gd.sgd(0.1, momentum=0.8)
    noisy = gd.noisy_quadratic(opt, lams, 0.0, np.array([1.0, -2.0]), 50, 3)
    plain = gd.run(opt, gd.quadratic(lams), np.array([1.0, -2.0]), steps=50).points
    assert noisy.shape == (51, 3, 2)
    for r in range(3):
        np.testing.assert_allclose(noisy[:, r], plain, rtol=1e-13, atol=1e-15)
    kept = gd.noisy_quadratic(opt, lams, 0.0, np.array([1.0, -2.0]), 50, 3, keep=10)
    np.testing.assert_allclose(kept, noisy[::10])


def test_noisy_quadratic_is_seeded_and_its_noise_has_the_variance_asked():
    opt = gd.sgd(1.0)  # one step from 0 with λ tiny: e₁ = -ξ₀
    a = gd.noisy_quadratic(opt, [1e-12, 1e-12], [0.25, 4.0], 0.0, 1, 20000, seed=3)
    b = gd.noisy_quadratic(opt, [1e-12, 1e-12], [0.25, 4.0], 0.0, 1, 20000, seed=3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[1].var(axis=0), [0.25, 4.0], rtol=0.05)
    c = gd.noisy_quadratic(opt, [1e-12, 1e-12], [0.25, 4.0], 0.0, 1, 20000, seed=4)
    assert not np.array_equal(a, c)


def test_expected_square_error_starts_at_e0_squared_and_tends_to_the_floor():
    msq = gd.expected_square_error(0.05, np.array([1.0, 3.0]), 2.0, 0.9, 3000, e0=2.0)
    np.testing.assert_allclose(msq[0], [4.0, 4.0])
    np.testing.assert_allclose(msq[-1], gd.stationary_covariance(0.05, np.array([1.0, 3.0]), 2.0,
                                                                 0.9)[:, 0, 0], rtol=1e-8)
    noiseless = gd.expected_square_error(0.05, 1.0, 0.0, 0.9, 40, e0=2.0)
    np.testing.assert_allclose(noiseless, gd.component_errors(0.05, 1.0, 0.9, 40, e0=2.0) ** 2)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: gd.noisy_quadratic("sgd", [1.0], 1.0, 0.0, 5, 2), "optimizer must be"),
    (lambda: gd.noisy_quadratic(gd.sgd(0.1), [1.0, -1.0], 1.0, 0.0, 5, 2),
     "curvatures must be > 0, got -1.0"),
    (lambda: gd.noisy_quadratic(gd.sgd(0.1), [[1.0]], 1.0, 0.0, 5, 2),
     r"curvatures must be a 1-D list, got shape \(1, 1\)"),
    (lambda: gd.noisy_quadratic(gd.sgd(0.1), [1.0], -2.0, 0.0, 5, 2), "noise must be >= 0, got -2.0"),
    (lambda: gd.noisy_quadratic(gd.sgd(0.1), [1.0], 1.0, 0.0, 0, 2),
     "steps must be a positive integer, got 0"),
    (lambda: gd.noisy_quadratic(gd.sgd(0.1), [1.0], 1.0, 0.0, 5, 2.5),
     "runs must be a positive integer, got 2.5"),
    (lambda: gd.noisy_quadratic(gd.sgd(0.1), [1.0], 1.0, 0.0, 5, 2, keep=0),
     "keep must be a positive integer, got 0"),
    (lambda: gd.noisy_quadratic(gd.sgd(0.1), [1.0], 1.0, np.inf, 5, 2), "x0 must be finite"),
    (lambda: gd.expected_square_error(0.1, 1.0, -1.0), "noise must be >= 0, got -1.0"),
])
def test_noisy_helpers_refuse_bad_input(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
