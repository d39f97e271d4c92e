"""Claims of the Momentum and Nesterov pages, recomputed independently of the examples.

Reference recursions (moving-average momentum, look-ahead Nesterov) are written out here in a
few lines of numpy; rates are checked against closed forms and against the spectral radius of
the 2x2 iteration matrices, never against numbers the examples print.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import gdnotes as gd


def _rate(points, target, frac=0.5):
    """Geometric-mean contraction per step over the last ``frac`` of a trajectory."""
    err = np.linalg.norm(np.asarray(points) - target, axis=-1)
    T = len(err) - 1
    S = int(T * (1 - frac))
    return (err[T] / err[S]) ** (1 / (T - S))


def _spectral_radius_hb(eta, beta, lam):
    """Largest |root| of z^2 - (1 + beta - eta*lam) z + beta, i.e. heavy ball on curvature lam."""
    M = np.array([[1 + beta - eta * lam, -beta], [1.0, 0.0]])
    return np.abs(np.linalg.eigvals(M)).max()


@pytest.mark.parametrize("objective", [gd.ill_conditioned(30.0, angle=0.4), gd.rosenbrock()])
def test_ema_form_is_torch_form_with_rescaled_lr(objective):
    alpha, beta, steps = 0.002, 0.9, 60
    theta = np.array([-1.2, 1.0])
    m = np.zeros(2)
    ema = [theta.copy()]
    for _ in range(steps):
        m = beta * m + (1 - beta) * objective.grad(theta)
        theta = theta - alpha * m
        ema.append(theta.copy())
    torch_form = gd.run(gd.sgd(lr=alpha * (1 - beta), momentum=beta), objective,
                        np.array([-1.2, 1.0]), steps=steps)
    np.testing.assert_allclose(torch_form.points, np.array(ema), rtol=1e-11, atol=1e-13)
    # ...and without the rescaling they are *not* the same method.
    unscaled = gd.run(gd.sgd(lr=alpha, momentum=beta), objective, np.array([-1.2, 1.0]),
                      steps=steps)
    assert np.abs(unscaled.points[-1] - ema[-1]).max() > 1e-3


@pytest.mark.parametrize("kappa", [10.0, 100.0, 1000.0])
def test_polyak_rate_matches_theory_within_two_percent(kappa):
    mu, L = 1.0 / kappa, 1.0
    eta = 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2
    beta = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    predicted = (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)
    bowl = gd.ill_conditioned(kappa)
    steps = int(np.log(1e-100) / np.log(predicted))
    run = gd.run(gd.sgd(lr=eta, momentum=beta), bowl, np.ones(2), steps=steps)
    assert run.status == "max_steps"
    assert _rate(run.points, 0.0) == pytest.approx(predicted, rel=0.02)
    # the spectral radius of the iteration, computed independently, is the same number
    radius = max(_spectral_radius_hb(eta, beta, lam) for lam in (mu, L))
    assert radius == pytest.approx(predicted, rel=1e-6)
    gd_run = gd.run(gd.sgd(lr=2 / (L + mu)), bowl, np.ones(2), steps=400)
    assert _rate(gd_run.points, 0.0) == pytest.approx((kappa - 1) / (kappa + 1), rel=0.02)


def test_heavy_ball_needs_about_sqrt_kappa_fewer_steps():
    """The page's speed-up log ρ_HB / log ρ_GD, from gd's tunings and from real runs."""
    kappa = 1000.0
    bowl = gd.ill_conditioned(kappa)
    eta_gd, rate_gd = gd.gd_tuning(bowl.mu, bowl.L)
    eta_hb, beta_hb, rate_hb = gd.polyak_tuning(bowl.mu, bowl.L)
    assert rate_gd == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-14)
    assert rate_hb == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=1e-14)
    speedup = np.log(rate_hb) / np.log(rate_gd)
    # "grows like √κ" is asymptotic: log ρ_HB ≈ -2/√κ and log ρ_GD ≈ -2/κ up to O(κ^-3/2)
    # terms, 3e-4 relative at κ = 1000
    assert speedup == pytest.approx(np.sqrt(kappa), rel=1e-3)
    # the runs contract at those rates: the speed-up read off 12 000 GD and 2 000 heavy-ball
    # steps (second halves). Heavy ball's error is C·t·ρ^t (a double eigenvalue), and the
    # factor t biases a measured rate by log(2)/1000 per step: 1.1 % on this speed-up
    gd_run = gd.run(gd.sgd(eta_gd), bowl, np.ones(2), 12000)
    hb_run = gd.run(gd.sgd(eta_hb, momentum=beta_hb), bowl, np.ones(2), 2000)
    measured_gd = gd.measured_rate(gd.distances(gd_run.points, np.zeros(2)))
    measured_hb = gd.measured_rate(gd.distances(hb_run.points, np.zeros(2)))
    assert measured_gd == pytest.approx(rate_gd, rel=1e-12)  # GD: a single slow eigenvalue
    assert measured_hb == pytest.approx(rate_hb * 2 ** (1 / 1000), rel=1e-4)
    assert np.log(measured_hb) / np.log(measured_gd) == pytest.approx(speedup, rel=0.015)


def test_convergence_region_is_eta_lambda_below_two_one_plus_beta():
    kappa, L = 25.0, 1.0
    bowl = gd.ill_conditioned(kappa, L=L)
    rng = np.random.default_rng(0)
    etas = rng.uniform(0.05, 4.2, 400)
    betas = rng.uniform(0.0, 0.97, 400)
    radius = np.array([max(_spectral_radius_hb(e, b, lam) for lam in (L / kappa, L))
                       for e, b in zip(etas, betas, strict=True)])
    clear = np.abs(radius - 1) > 0.02  # skip the boundary, where 200 steps cannot decide
    run = gd.run(gd.sgd(lr=etas, momentum=betas), bowl, np.ones((400, 2)), steps=200)
    final = np.linalg.norm(run.final, axis=-1)
    converging = (final < np.sqrt(2) * 1e-1) & ~run.diverged
    theory = etas * L < 2 * (1 + betas)
    np.testing.assert_array_equal(theory, radius < 1)  # the closed form is the spectral test
    np.testing.assert_array_equal(converging[clear], theory[clear])
    # momentum widens the stable range: eta = 3 diverges for GD, converges with beta = 0.8
    assert gd.run(gd.sgd(lr=3.0), bowl, np.ones(2), steps=200).diverged
    assert np.linalg.norm(gd.run(gd.sgd(lr=3.0, momentum=0.8), bowl, np.ones(2),
                                 steps=400).final) < 1e-6


@pytest.mark.parametrize("objective", [gd.quadratic([0.05, 1.0, 3.0]), gd.rosenbrock()])
def test_lookahead_nesterov_visits_the_torch_iterates(objective):
    eta, beta, steps = (0.3, 0.85, 80) if objective.dim == 3 else (5e-4, 0.9, 80)
    x0 = np.array([1.0, -2.0, 0.5]) if objective.dim == 3 else np.array([-1.2, 1.0])
    theta, v = x0.copy(), np.zeros_like(x0)
    lookahead = [theta + beta * v]
    for _ in range(steps):
        v = beta * v - eta * objective.grad(theta + beta * v)
        theta = theta + v
        lookahead.append(theta + beta * v)
    torch_form = gd.run(gd.sgd(lr=eta, momentum=beta, nesterov=True), objective, x0, steps=steps)
    np.testing.assert_allclose(torch_form.points, np.array(lookahead), rtol=1e-10, atol=1e-12)


def test_nesterov_rates_on_a_quadratic_and_heavy_ball_wins():
    kappa = 100.0
    bowl = gd.quadratic(np.geomspace(1 / kappa, 1.0, 12))
    x0 = np.ones(12)
    sk, s3 = np.sqrt(kappa), np.sqrt(3 * kappa + 1)
    textbook = gd.run(gd.sgd(lr=1.0, momentum=(sk - 1) / (sk + 1), nesterov=True), bowl, x0,
                      steps=800)
    best = gd.run(gd.sgd(lr=4 / 3.01, momentum=(s3 - 2) / (s3 + 2), nesterov=True), bowl, x0,
                  steps=800)
    hb = gd.run(gd.sgd(lr=4 / (1 + 0.1) ** 2, momentum=((sk - 1) / (sk + 1)) ** 2), bowl, x0,
                steps=800)
    assert _rate(textbook.points, 0.0) == pytest.approx(1 - 1 / sk, rel=0.02)
    assert _rate(best.points, 0.0) == pytest.approx(1 - 2 / s3, rel=0.02)
    assert _rate(hb.points, 0.0) == pytest.approx((sk - 1) / (sk + 1), rel=0.02)
    assert _rate(hb.points, 0.0) < _rate(best.points, 0.0) < _rate(textbook.points, 0.0)


def test_lessard_function_is_smooth_strongly_convex_with_mu_1_L_25():
    f = gd.lessard()
    x = np.linspace(-3, 4, 2001)[:, None]
    h = 1e-6
    np.testing.assert_allclose(f.grad(x), (f.value(x + h) - f.value(x - h))[:, None] / (2 * h),
                               atol=1e-4)
    for kink in (1.0, 2.0):  # value and slope continuous at the break points
        left, right = np.array([[kink - 1e-12]]), np.array([[kink]])
        assert f.value(left) == pytest.approx(f.value(right), abs=1e-9)
        assert f.grad(left)[0, 0] == pytest.approx(f.grad(right)[0, 0], abs=1e-9)
    slopes = np.diff(f.grad(x)[:, 0]) / np.diff(x[:, 0])
    assert slopes.min() == pytest.approx(1.0, abs=1e-6)
    assert slopes.max() == pytest.approx(25.0, abs=1e-6)


def test_heavy_ball_cycles_on_lessard_while_nesterov_converges():
    f = gd.lessard()
    sk, s3 = 5.0, np.sqrt(76.0)
    hb = gd.run(gd.sgd(lr=4 / 36, momentum=(4 / 6) ** 2), f, [3.3], steps=300)
    tail = hb.points[-30:, 0]
    np.testing.assert_allclose(tail[3:], tail[:-3], atol=1e-9)  # period 3
    assert np.abs(tail).min() > 0.5
    nag = gd.run(gd.sgd(lr=4 / 76, momentum=(s3 - 2) / (s3 + 2), nesterov=True), f, [3.3],
                 steps=300)
    assert abs(nag.points[-1, 0]) < 1e-12
    assert sk == np.sqrt(f.kappa)


def test_torch_dampening_starts_the_buffer_at_the_raw_gradient():
    """The page's note: with dampening=β torch's first step is η·g, not η(1-β)·g."""
    p = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.9)
    steps = []
    for _ in range(2):
        opt.zero_grad()
        (p**2).sum().backward()  # gradient 2p
        before = p.item()
        opt.step()
        steps.append(before - p.item())
    assert steps[0] == pytest.approx(0.1 * 4.0)  # v_1 = g_1 = 4: no (1 - β) factor
    ours = gd.run(gd.sgd(lr=0.1, momentum=0.9, dampening=0.9), gd.parabola_plus(0.0), [2.0],
                  steps=2)
    assert -np.diff(ours.points[:, 0]) == pytest.approx(steps)


def test_rate_helpers_on_known_sequences_and_bad_input():
    t = np.arange(101)
    errors = np.stack([0.5**t, 3 * 0.9**t, (1 + t) * 0.8**t], axis=1)
    rates = gd.measured_rate(errors)
    assert rates[0] == pytest.approx(0.5) and rates[1] == pytest.approx(0.9)
    assert rates[2] == pytest.approx(0.8 * (101 / 51) ** (1 / 50))  # the t-factor, as documented
    diverged = errors.copy()
    diverged[60:, 1] = np.nan
    assert gd.measured_rate(diverged)[1] == np.inf
    first = [int(np.ceil(np.log(1e-3) / np.log(0.5))),
             int(np.ceil(np.log(1e-3 / 3) / np.log(0.9))),
             next(k for k in t if (1 + k) * 0.8**k <= 1e-3)]
    np.testing.assert_array_equal(gd.steps_to_reach(errors, 1e-3), first)
    assert gd.steps_to_reach(errors, 1e-300)[0] == -1
    assert gd.distances(np.ones((4, 2)), np.zeros(2)) == pytest.approx(np.sqrt(2))
    with pytest.raises(ValueError, match="start"):
        gd.measured_rate(errors, start=50, stop=40)
    with pytest.raises(ValueError, match="target"):
        gd.distances(np.ones((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="threshold"):
        gd.near_minimizer(gd.rosenbrock(), 0.0)
    with pytest.raises(ValueError, match="minimiser"):
        gd.near_minimizer(gd.saddle(), 0.1)
    with pytest.raises(ValueError, match="lrs"):
        gd.lr_sweep(gd.adam, [], gd.rosenbrock(), np.zeros(2), 5, lambda p: p[..., 0] > 0)


def _worst_radius(eta, beta, mu, L, nesterov):
    """Largest spectral radius over curvatures in [mu, L] of the 2x2 iteration matrix."""
    worst = 0.0
    for lam in np.linspace(mu, L, 801):
        a = 1 - eta * lam
        M = (np.array([[(1 + beta) * a, -beta * a], [1, 0]]) if nesterov
             else np.array([[1 + beta - eta * lam, -beta], [1, 0]]))
        worst = max(worst, np.abs(np.linalg.eigvals(M)).max())
    return worst


@pytest.mark.parametrize("kappa", [10.0, 100.0])
def test_tuning_helpers_give_the_worst_case_spectral_radius(kappa):
    mu, L = 1.0 / kappa, 1.0
    eta, rate = gd.gd_tuning(mu, L)
    assert _worst_radius(eta, 0.0, mu, L, False) == pytest.approx(rate, rel=1e-9)
    eta, beta, rate = gd.polyak_tuning(mu, L)
    assert _worst_radius(eta, beta, mu, L, False) == pytest.approx(rate, rel=1e-6)
    for best in (False, True):
        eta, beta, rate = gd.nesterov_tuning(mu, L, best_for_quadratics=best)
        assert _worst_radius(eta, beta, mu, L, True) == pytest.approx(rate, rel=1e-4)
    # the "best for quadratics" tuning is locally optimal: nudging it only makes it worse
    eta, beta, rate = gd.nesterov_tuning(mu, L, best_for_quadratics=True)
    for d_eta, d_beta in ((0.02, 0), (-0.02, 0), (0, 0.01), (0, -0.01)):
        assert _worst_radius(eta * (1 + d_eta), beta + d_beta, mu, L, True) > rate - 1e-9
    with pytest.raises(ValueError, match="mu"):
        gd.polyak_tuning(2.0, 1.0)
