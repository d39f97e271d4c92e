"""Claims of the adaptive-methods, Adam/AdamW and schedules pages, recomputed independently."""

from __future__ import annotations

import numpy as np
import pytest

import gdnotes as gd

KAPPA = 100.0
X0 = np.array([-4.0, 1.0])


def _effective_lr(path, objective, coord=0):
    grads = objective.grad(path[:-1])
    keep = np.abs(grads[:, coord]) > 1e-9
    return -np.diff(path, axis=0)[keep, coord] / grads[keep, coord]


def test_adagrad_effective_lr_never_grows_rmsprop_settles_at_two_over_L():
    bowl = gd.ill_conditioned(KAPPA, L=1.0, angle=np.pi / 4)
    ada = gd.run(gd.adagrad(lr=1.0), bowl, X0, steps=1500)
    eff = _effective_lr(ada.path(), bowl)
    assert np.all(np.diff(eff) <= 1e-12 * eff[:-1])  # non-increasing, for every step
    # the same quantity from the definition: lr / (sqrt(sum of squared gradients) + eps)
    g = bowl.grad(ada.path()[:-1])[:, 0]
    np.testing.assert_allclose(eff[:5], 1.0 / (np.sqrt(np.cumsum(g**2))[:5] + 1e-10), rtol=1e-9)
    rms = gd.run(gd.rmsprop(lr=0.1), bowl, X0, steps=1500)
    eff_rms = _effective_lr(rms.path(), bowl)
    assert eff_rms.max() > 1.2 * eff_rms[0]  # it grows back as gradients shrink
    assert eff_rms[-50:].mean() == pytest.approx(2 / bowl.L, rel=0.05)


def test_per_coordinate_scaling_helps_only_when_aligned():
    aligned = gd.ill_conditioned(KAPPA)
    rotated = gd.ill_conditioned(KAPPA, angle=np.pi / 4)
    lrs = np.geomspace(1e-3, 10, 33)

    def fewest_steps(make, bowl):
        run = gd.run(make(lr=lrs), bowl, np.broadcast_to(X0, (lrs.size, 2)), steps=1500)
        dist = np.linalg.norm(np.nan_to_num(run.points, nan=np.inf), axis=-1)
        hit = dist <= 1e-3
        return np.where(hit.any(0), hit.argmax(0), 10**9).min()

    ada_aligned, gd_aligned = fewest_steps(gd.adagrad, aligned), fewest_steps(gd.sgd, aligned)
    ada_rotated, gd_rotated = fewest_steps(gd.adagrad, rotated), fewest_steps(gd.sgd, rotated)
    assert ada_aligned < 20 < 300 < gd_aligned
    assert ada_rotated > gd_rotated / 2  # no big advantage once the axes are mixed
    # GD's count from the closed form x_t = (1 - ηλ)^t x_0 per axis, best over the same grid
    t = np.arange(1501)[:, None]
    mu, L = 1 / KAPPA, 1.0
    with np.errstate(over="ignore"):  # the diverging learning rates overflow: never a hit
        dist = np.hypot(X0[0] * (1 - lrs * mu) ** t, X0[1] * (1 - lrs * L) ** t)
    hit = dist <= 1e-3
    assert gd_aligned == np.where(hit.any(0), hit.argmax(0), 10**9).min()


def test_rmsprop_bounces_back_after_converging_adagrad_does_not():
    bowl = gd.ill_conditioned(KAPPA)
    rms = gd.run(gd.rmsprop(lr=0.3), bowl, X0, steps=3000)
    dist = np.linalg.norm(rms.points, axis=-1)
    assert dist.min() < 1e-15
    assert dist[-200:].min() > 1e-2  # thrown back out, to a distance comparable to lr
    ada = gd.run(gd.adagrad(lr=3.0), bowl, X0, steps=3000)
    dist_ada = np.linalg.norm(ada.points, axis=-1)
    assert dist_ada[-1] <= dist_ada[100:].max() and dist_ada[-1] < 1e-12


def test_adadelta_first_step_is_set_by_eps():
    bowl = gd.ill_conditioned(KAPPA)
    rho, eps = 0.9, 1e-6
    first = gd.run(gd.adadelta(lr=1.0), bowl, X0, steps=1).points[1] - X0
    g = bowl.grad(X0)
    expected = -np.sqrt(eps) / np.sqrt((1 - rho) * g**2 + eps) * g
    np.testing.assert_allclose(first, expected, rtol=1e-12)
    assert np.abs(first).max() == pytest.approx(np.sqrt(eps / (1 - rho)), rel=0.01)


@pytest.mark.parametrize("scales", [(0.01, 100.0), (1e-4, 1e4)])
def test_adam_first_steps_are_lr_in_every_coordinate(scales):
    bowl = gd.quadratic(list(scales))
    lr = 0.01
    run = gd.run(gd.adam(lr=lr), bowl, np.array([100.0, 1.0]), steps=3)
    steps = np.abs(np.diff(run.points, axis=0))
    np.testing.assert_allclose(steps[0], [lr, lr], rtol=1e-6)  # exactly lr·sign(g) at t = 1
    np.testing.assert_allclose(steps, lr, rtol=1e-2)


def test_adams_first_step_is_g_over_abs_g_plus_eps():
    """schedules.md: at t = 1 the normalised update is g/(|g| + ε) — ±1 only up to ε, which
    matters once |g| is comparable to ε."""
    eps, lr = 1e-8, 0.1
    g = np.array([3.0, -1e-8, 2e-9])
    new, _ = gd.adam(lr=lr, eps=eps).update(gd.adam(lr=lr, eps=eps).init(np.zeros(3)),
                                            np.zeros(3), g, None)
    np.testing.assert_allclose(-new / lr, g / (np.abs(g) + eps), rtol=1e-9)
    assert -new[1] / lr == pytest.approx(-0.5) and abs(new[2]) < lr / 5


def test_uncorrected_moments_from_adam_state_match_the_closed_form():
    b1, b2 = 0.9, 0.999
    bowl = gd.quadratic([0.01, 100.0])
    opt = gd.adam(lr=0.01)
    theta = np.array([100.0, 1.0])
    state = opt.init(theta)
    m = v = np.zeros(2)
    for _ in range(20):
        g = bowl.grad(theta)
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g  # independent recursion
        theta, state = opt.update(state, theta, g, bowl)
        moments = state["stages"][-1]
        np.testing.assert_allclose(moments["m"], m, rtol=1e-12)
        np.testing.assert_allclose(moments["v"], v, rtol=1e-12)
    # constant-gradient bias factor: 3.16 at t = 1, peak about 6.57 at t = 12
    t = np.arange(1, 5001)
    ratio = (1 - b1**t) / np.sqrt(1 - b2**t)
    assert ratio[0] == pytest.approx(0.1 / np.sqrt(0.001))
    assert int(np.argmax(ratio)) + 1 == 12
    assert ratio.max() == pytest.approx(6.57, abs=0.01)


def test_adamw_and_adam_l2_converge_to_different_closed_forms():
    a, c, lam = np.array([1.0, 0.01]), np.array([1.0, 20.0]), 0.1
    problem = gd.quadratic(a, b=-a * c)
    steps = 3000
    schedule = gd.cosine_decay(0.3, steps)
    l2 = gd.run(gd.adam(lr=schedule, weight_decay=lam), problem, np.zeros(2), steps=steps)
    w = gd.run(gd.adamw(lr=schedule, weight_decay=lam), problem, np.zeros(2), steps=steps)
    ridge = np.linalg.solve(np.diag(a) + lam * np.eye(2), a * c)  # argmin f + λ/2 |θ|²
    np.testing.assert_allclose(l2.final, ridge, atol=1e-6)
    assert w.final[0] == pytest.approx(1.0, abs=0.01)  # steep coordinate: unregularised
    assert 9.5 < w.final[1] <= 10.0 + 1e-9  # flat coordinate: at the edge 1/λ
    assert np.linalg.norm(w.final - ridge) > 7


def test_decaying_schedules_shrink_the_sgd_noise_ball():
    x, y = gd.regression_data(n=100)
    loss = gd.line_mse(x, y)
    best = loss.value(loss.optimum)

    def final_excess(schedule):
        ends = [gd.minibatch_sgd(gd.sgd(lr=schedule), x, y, np.zeros(2), batch_size=10,
                                 epochs=30, seed=s).losses[-1] - best for s in range(4)]
        return float(np.mean(ends))

    constant = final_excess(gd.constant(0.2))
    cosine = final_excess(gd.cosine_decay(0.2, 300))
    assert cosine < constant / 100


def test_warmup_lowers_adams_early_excursion_from_the_optimum():
    x, y = gd.regression_data(n=100)
    loss = gd.line_mse(x, y)
    best = loss.value(loss.optimum)

    def peak(lr):
        curves = []
        for seed in range(16):
            opt, theta = gd.adam(lr=lr), loss.optimum.copy()
            state, curve = opt.init(theta), []
            for epoch in range(5):
                for idx in gd.batches(100, 10, seed=seed, epoch=epoch):
                    batch = gd.line_mse(x[idx], y[idx])
                    theta, state = opt.update(state, theta, batch.grad(theta), batch)
                    curve.append(loss.value(theta) - best)
            curves.append(curve)
        return np.mean(curves, axis=0).max()

    assert peak(gd.warmup(0.1, 40, start_factor=0.05)) < 0.6 * peak(0.1)
