"""What the optimizers do beyond the torch trajectories: the line search, the singular-Hessian
fallback, batch shapes from any array hyperparameter, other dimensions, and schedules for every
kind of method. Expected values come from the update rules written out here."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchref

import gdnotes as gd
from gdnotes.optimizers import armijo


# ----------------------------------------------------------------------------- Armijo
def test_armijo_takes_the_first_halving_with_sufficient_decrease():
    """f(x) = ½x² from x = 1 along d = -1: t = 4 and t = 2 overshoot to f = 4.5 and f = 0.5,
    which is not below f(1) + c₁ t g d = 0.5 - c₁ t; t = 1 lands on the minimum."""
    f = gd.quadratic([1.0])
    x, g = np.array([1.0]), np.array([1.0])
    assert armijo(f, x, -g, g, 4.0) == 1.0
    assert armijo(f, x, -g, g, 1.0) == 1.0  # accepted as is
    # c₁ = 0.6 asks for more: t = 1 (f = 0 > 0.5 - 0.6) fails, t = 1/2 (0.125 <= 0.2) passes
    assert armijo(f, x, -g, g, 2.0, c1=0.6) == 0.5
    # t = 1.5 gives f = 0.125 > 0.5 - 0.4·1.5; t = 0.75 gives 0.03125 <= 0.5 - 0.4·0.75
    assert armijo(f, x, -g, g, 1.5, c1=0.4) == 0.75
    # equality counts as enough: with c₁ = 1/2, t = 1 gives f = 0 = 0.5 - 0.5·1 exactly
    assert armijo(f, x, -g, g, 1.0, c1=0.5) == 1.0
    # the rule itself on a batch of random cases
    rng = np.random.default_rng(0)
    obj = gd.quadratic([0.5, 3.0], angle=0.4, b=[1.0, -2.0])
    x = rng.normal(size=(200, 2)) * 3
    grad = obj.grad(x)
    d = -grad * rng.uniform(0.1, 2.0, size=(200, 1))
    for c1, shrink in [(1e-4, 0.5), (0.3, 0.5), (0.1, 0.8)]:
        t0 = rng.uniform(0.5, 8.0, 200)
        t = armijo(obj, x, d, grad, t0, c1=c1, shrink=shrink)
        slope = np.sum(grad * d, -1)
        ok = obj.value(x + t[:, None] * d) <= obj.value(x) + c1 * t * slope
        assert ok.all()
        # the largest accepted trial: t = t0 · shrink^k and the trial before it failed
        k = np.round(np.log(t / t0) / np.log(shrink))
        np.testing.assert_allclose(t, t0 * shrink**k, rtol=1e-12)
        before = t / shrink
        failed = obj.value(x + before[:, None] * d) > obj.value(x) + c1 * before * slope
        assert failed[k > 0].all() and (k > 0).any()


def test_armijo_is_per_run_and_gives_up_after_max_halvings():
    f = gd.quadratic([1.0])
    x = np.array([[1.0], [1.0]])
    g = f.grad(x)
    # run 0 searches along -g (descent), run 1 along +g (ascent: no step is ever good enough)
    t = armijo(f, x, np.array([[-1.0], [1.0]]), g, 4.0)
    assert t[0] == 1.0 and t[1] == 4.0 * 0.5**40
    assert armijo(f, x[0], np.array([1.0]), g[0], 1.0, max_halvings=3) == 0.5**3


def test_bfgs_line_search_shortens_an_overshooting_first_step():
    """BFGS's first direction is -g: on f = 5x² from x = 1 a unit step jumps to x = -9;
    Armijo halves it to 1/8, the first trial with f(1 - 10t) <= 5 - 1e-4·100 t."""
    f = gd.quadratic([10.0])
    r = gd.run(gd.bfgs(), f, [1.0], 1)
    assert r.lrs[0] == 0.125 and r.points[1, 0] == 1 - 10 * 0.125
    plain = gd.run(gd.bfgs(line_search=None), f, [1.0], 1)
    assert plain.lrs[0] == 1.0 and plain.points[1, 0] == -9.0


# ----------------------------------------------------------------------------- Newton
def test_a_singular_hessian_gives_a_nan_step_reported_as_diverged():
    """Newton's docstring: a singular system gives a NaN step, which the run reports as
    diverged. f = ½y² + x + y has the Hessian diag(0, 1): singular everywhere."""
    flat = gd.quadratic([0.0, 1.0], b=[1.0, 1.0])
    r = gd.run(gd.newton(), flat, [1.0, 2.0], 5)
    assert r.status == "diverged" and r.stop_step == 0 and r.diverged_at == 1
    assert np.isnan(r.points[1]).all()
    # in a batch only the singular run fails; damping 1 makes H + I = diag(1, 2) invertible
    both = gd.run(gd.newton(damping=np.array([0.0, 1.0])), flat, [1.0, 2.0], 1)
    assert both.status.tolist() == ["diverged", "max_steps"]
    g = np.array([1.0, 3.0])  # A x + b at (1, 2)
    np.testing.assert_allclose(both.points[1, 1], [1.0, 2.0] - g / [1.0, 2.0], rtol=1e-15)
    # a 2-D grid of runs: only the undamped ones fail, each in its own place
    damping = np.array([[0.0, 1.0, 0.0], [2.0, 0.0, 3.0]])
    grid = gd.run(gd.newton(damping=damping), flat, [1.0, 2.0], 1)
    np.testing.assert_array_equal(grid.diverged, damping == 0)
    lam = damping[1, 2]
    np.testing.assert_allclose(grid.points[1, 1, 2], [1.0, 2.0] - g / [lam, 1 + lam], rtol=1e-15)
    # a batch of starts where every system is singular: NaN for all, no exception
    many = gd.run(gd.newton(), flat, np.ones((3, 2)), 2)
    assert (many.status == "diverged").all() and (many.stop_step == 0).all()


def test_newton_follows_a_schedule():
    """On a quadratic the Newton step points at the minimiser: x_{t+1} - x* = (1 - η_t)(x_t - x*)."""
    bowl = gd.quadratic([1.0, 4.0], angle=0.3, b=[1.0, 0.5])
    sched = gd.exponential_decay(0.5, 0.8)
    r = gd.run(gd.newton(lr=sched), bowl, [2.0, -1.0], 6)
    np.testing.assert_allclose(r.lrs, 0.5 * 0.8 ** np.arange(6), rtol=1e-15)
    gap = ([2.0, -1.0] - bowl.minimizers[0]) * np.cumprod(1 - r.lrs)[:, None]
    np.testing.assert_allclose(r.points[1:] - bowl.minimizers[0], gap, rtol=1e-10, atol=1e-14)


# ----------------------------------------------------------------------------- schedules
def test_bfgs_starts_each_line_search_from_the_schedule():
    bowl = gd.quadratic([1.0, 2.0])
    sched = gd.step_decay(0.4, 2, gamma=0.5)
    plain = gd.run(gd.bfgs(lr=sched, line_search=None), bowl, [1.0, 1.0], 5)
    np.testing.assert_allclose(plain.lrs, 0.4 * 0.5 ** (np.arange(5) // 2), rtol=1e-15)
    # first step: H = I, so θ₁ = θ₀ - η₀ ∇f(θ₀)
    np.testing.assert_allclose(plain.points[1], [1.0 - 0.4, 1.0 - 0.8], rtol=1e-15)
    # these steps are short enough for Armijo to accept them unchanged
    searched = gd.run(gd.bfgs(lr=sched), bowl, [1.0, 1.0], 5)
    np.testing.assert_array_equal(searched.lrs, plain.lrs)


def test_adagrad_divides_the_schedule_by_its_lr_decay():
    """torch's Adagrad: step t (from 1) uses lr_t / (1 + (t - 1) lr_decay)."""
    sched = gd.step_decay(0.5, 3, gamma=0.1)
    f = gd.quadratic([1.0, 2.0])
    r = gd.run(gd.adagrad(lr=sched, lr_decay=0.25), f, [1.0, -1.0], 7)
    t = np.arange(7)
    np.testing.assert_allclose(r.lrs, sched(t) / (1 + 0.25 * t), rtol=1e-15)
    # and the trajectory is AdaGrad's with those rates
    x, acc = np.array([1.0, -1.0]), np.zeros(2)
    for k in range(7):
        g = f.grad(x)
        acc = acc + g * g
        x = x - r.lrs[k] * g / (np.sqrt(acc) + 1e-10)
        np.testing.assert_allclose(r.points[k + 1], x, rtol=1e-14)


# ----------------------------------------------------------------------------- batch shapes
@pytest.mark.parametrize("make, hyper", [
    (gd.sgd, dict(lr=0.1, momentum=np.array([0.0, 0.5, 0.9]))),
    (gd.sgd, dict(lr=0.1, weight_decay=[0.0, 0.1, 0.2])),
    (gd.adam, dict(lr=0.05, betas=(0.9, np.array([0.9, 0.99, 0.999])))),
    (gd.rmsprop, dict(eps=np.array([1e-8, 1e-3, 1e-1]))),
    (gd.newton, dict(damping=np.array([0.0, 1.0, 10.0]))),
    (gd.sgd, dict(lr=gd.constant(0.1), momentum=np.array([0.0, 0.5, 0.9]))),
])
def test_any_array_hyperparameter_sets_the_batch_shape(make, hyper):
    """Only a non-lr hyperparameter is an array: one start still becomes three runs, each the
    run with that value alone."""
    opt = make(**hyper)
    assert opt.batch_shape == (3,)
    bowl = gd.quadratic([0.5, 2.0], angle=0.2)
    r = gd.run(opt, bowl, [1.0, -1.0], 15)
    assert r.points.shape == (16, 3, 2) and r.status.shape == (3,)
    for i in range(3):
        one = {k: (tuple(np.asarray(b)[i] if np.ndim(b) else b for b in v) if isinstance(v, tuple)
                   else np.asarray(v)[i] if isinstance(v, np.ndarray | list) else v)
               for k, v in hyper.items()}
        np.testing.assert_allclose(r.points[:, i], gd.run(make(**one), bowl, [1.0, -1.0],
                                                           15).points, rtol=1e-14)


def test_batch_shape_of_scalars_and_schedules():
    assert gd.sgd(0.1).batch_shape == ()
    assert gd.sgd(gd.constant(0.1), momentum=0.9).batch_shape == ()
    sched = gd.exponential_decay(0.1, 0.9)
    grid = gd.Schedule("grid", lambda t: np.full((2, 1), 0.1) * sched(t))
    assert gd.sgd(grid, momentum=np.array([0.0, 0.5, 0.9])).batch_shape == (2, 3)
    assert gd.bfgs(lr=np.ones((4, 1))).batch_shape == (4, 1)


# ----------------------------------------------------------------------------- other dims
@pytest.mark.parametrize("dim", [1, 3])
def test_nadam_matches_torch_outside_two_dimensions(dim):
    """NAdam keeps one μ-product per run: its shape must fit 1-D and 3-D runs and batches."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # torch keeps mu_product in the default dtype
    try:
        bowl = gd.quadratic([0.3, 1.0, 2.5][:dim], b=np.ones(dim))  # minimum away from 0
        starts = np.random.default_rng(dim).normal(size=(2, 3, dim))
        lrs = np.array([0.05, 0.1, 0.3])
        r = gd.run(gd.nadam(lr=lrs, betas=(0.8, 0.99)), bowl, starts, 25)
        for i in np.ndindex(2, 3):
            ref = torchref.trajectory(torch.optim.NAdam, dict(lr=lrs[i[1]], betas=(0.8, 0.99)),
                                      torchref.quadratic(bowl.A, bowl.b), starts[i], 25)
            # 1e-11: rounding of torch's fused ops over 25 steps; a wrong formula is off by >1e-3
            assert torchref.relative_error(r.points[(slice(None), *i)], ref) < 1e-11
    finally:
        torch.set_default_dtype(old)


def test_armijo_overshoots_silently():
    """A trial step that overflows f is just a failed trial, with no warning; from a start
    far beyond overflow the search gives up after 40 halvings, as documented."""
    import warnings

    f = gd.quartic()
    x = np.array([[2.0]])  # f'(2) = -9
    g = f.grad(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert armijo(f, x, -g, g, 1e200) == 1e200 * 0.5**40  # f = inf at every trial


def test_bfgs_skips_the_update_without_positive_curvature():
    """On the saddle x² - y² a step along y has yᵀs < 0: H would lose positive
    definiteness, so BFGS keeps the previous H (the docstring's yᵀs > 10⁻¹⁰ rule)."""
    saddle = gd.saddle()
    opt = gd.bfgs(line_search=None, lr=0.25)
    x = np.array([0.0, 1.0])  # ∇f = (0, -2): the first step goes along +y, uphill in curvature
    state = opt.init(x)
    x1, state = opt.update(state, x, saddle.grad(x), saddle)
    x2, state2 = opt.update(state, x1, saddle.grad(x1), saddle)
    s, y = x1 - x, saddle.grad(x1) - saddle.grad(x)
    assert y @ s < 0
    np.testing.assert_array_equal(state2["H"], np.eye(2))
    # with positive curvature the same code does update H, and H y = s afterwards
    bowl = gd.quadratic([1.0, 3.0])
    z1, st = opt.update(opt.init(x), x, bowl.grad(x), bowl)
    _, st2 = opt.update(st, z1, bowl.grad(z1), bowl)
    np.testing.assert_allclose(st2["H"] @ (bowl.grad(z1) - bowl.grad(x)), z1 - x, rtol=1e-14)


@pytest.mark.parametrize("make", [gd.adam, gd.adamw, gd.nadam], ids=lambda f: f.__name__)
@pytest.mark.parametrize("betas", [0.9, (0.9,), (0.9, 0.99, 0.999), "ab"])
def test_betas_must_be_a_pair(make, betas):
    with pytest.raises(ValueError, match=r"^betas must be a pair \(beta1, beta2\), got"):
        make(betas=betas)
    assert make(betas=[0.8, 0.9]).hyperparams["betas"] == (0.8, 0.9)  # a list is fine


@pytest.mark.parametrize("make", [
    lambda: gd.sgd(0.1), lambda: gd.sgd(0.1, momentum=0.9), gd.adagrad, gd.rmsprop,
    lambda: gd.rmsprop(centered=True, momentum=0.5), gd.adadelta, gd.adam,
    lambda: gd.adam(amsgrad=True), gd.adamw, gd.nadam,
])
def test_state_holds_what_the_summary_table_says(make):
    """"State per parameter" in the table is the number of parameter-shaped buffers that
    init creates for a batch of parameters (and update keeps)."""
    opt = make()
    params = np.zeros((4, 3))

    def buffers(state):
        return [b for s in state["stages"] for b in s.values() if np.shape(b) == params.shape]

    state = opt.init(params)
    expected = int(opt.state_per_param.split()[0])
    assert len(buffers(state)) == expected
    _, state = opt.update(state, params, np.ones_like(params))
    assert len(buffers(state)) == expected


def test_dampening_one_is_allowed():
    """dampening τ ∈ [0, 1]: τ = 1 ignores new gradients after the first (torch accepts it)."""
    r = gd.run(gd.sgd(0.1, momentum=0.5, dampening=1.0), gd.parabola_plus(), [1.0], 3)
    g0 = 2.0  # the buffer starts at the first gradient and then only decays: u = 2, 1, 0.5
    np.testing.assert_allclose(r.points[1:, 0], 1.0 - 0.1 * g0 * np.cumsum([1, 0.5, 0.25]))


@pytest.mark.parametrize("weight_decay", [1.0, 0.5, np.array([1.0, 0.0])])
def test_weight_decay_adds_omega_theta_whatever_its_value(weight_decay):
    """g + ωθ for every ω, ω = 1 included; ω = 0 adds nothing."""
    p = np.array([[1.0, -2.0], [3.0, 0.5]])
    g = np.array([[0.5, 0.25], [-1.0, 2.0]])
    opt = gd.sgd(0.1, weight_decay=weight_decay)
    new, _ = opt.update(opt.init(p), p, g)
    omega = np.asarray(weight_decay, dtype=float).reshape(-1, 1)
    np.testing.assert_array_equal(new, p - 0.1 * (g + omega * p))


def test_a_gradient_of_another_shape_is_refused_by_name():
    opt = gd.adam(0.1)
    with pytest.raises(ValueError, match=r"^grad must have the shape of params \(2,\), got \(3,\)$"):
        opt.update(opt.init(np.zeros(2)), np.zeros(2), np.zeros(3))


def test_a_state_from_another_optimizer_is_refused_not_half_used():
    """The state holds one entry per stage: another optimizer's state (here without the weight
    decay stage) is an error, not a step that silently skips a stage."""
    p = np.ones(2)
    with pytest.raises(ValueError, match=r"^zip\(\) argument 2 is shorter than argument 1$"):
        gd.sgd(0.1, weight_decay=0.1).update(gd.sgd(0.1).init(p), p, p)
