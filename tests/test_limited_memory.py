"""L-BFGS's pieces on their own: the cubic interpolation, the strong-Wolfe search and the
tolerances. Step for step agreement with torch.optim.LBFGS is in test_optimizers_vs_torch.py."""

from __future__ import annotations

import numpy as np
import pytest

import gdnotes as gd
from gdnotes.limited_memory import cubic_interpolate, strong_wolfe, two_loop


def cubic_minimiser(x1, f1, g1, x2, f2, g2, lo, hi):
    """The local minimiser of the cubic with these values and slopes at x1 and x2, clipped to
    [lo, hi]; the middle of [lo, hi] when the cubic has no local minimum. By linear algebra:
    solve for the coefficients, then take the root of p' where p'' > 0."""
    A = np.array([[x**3, x**2, x, 1.0] for x in (x1, x2)]
                 + [[3 * x**2, 2 * x, 1.0, 0.0] for x in (x1, x2)])
    a, b, c, _ = np.linalg.solve(A, [f1, f2, g1, g2])
    roots = np.roots([3 * a, 2 * b, c])
    real = [r.real for r in roots if abs(r.imag) < 1e-12 and 6 * a * r.real + 2 * b > 0]
    if not real:
        return (lo + hi) / 2
    return min(max(real[0], lo), hi)


@pytest.mark.parametrize("x1, f1, g1, x2, f2, g2", [
    (0.0, 1.0, -2.0, 1.0, 0.5, 1.0),   # a bracket: slopes of opposite sign
    (1.0, 0.5, 1.0, 0.0, 1.0, -2.0),   # the same, points given in the other order
    (0.0, 0.0, -1.0, 2.0, -3.0, -0.5),  # still going down at both ends
    (-1.0, 2.0, -3.0, 0.5, 0.2, 0.4),
])
def test_cubic_interpolation_finds_the_cubics_minimum(x1, f1, g1, x2, f2, g2):
    lo, hi = min(x1, x2), max(x1, x2)
    expected = cubic_minimiser(x1, f1, g1, x2, f2, g2, lo, hi)
    assert cubic_interpolate(x1, f1, g1, x2, f2, g2) == pytest.approx(expected, rel=1e-12)
    wide = (lo - 5.0, hi + 5.0)
    assert cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=wide) == pytest.approx(
        cubic_minimiser(x1, f1, g1, x2, f2, g2, *wide), rel=1e-12)


def test_cubic_without_a_local_minimum_returns_the_middle_of_the_bounds():
    # f = x³ + x rises everywhere (f' = 3x² + 1 > 0): no stationary point at all
    assert cubic_interpolate(-1.0, -2.0, 4.0, 1.0, 2.0, 4.0) == 0.0
    assert cubic_interpolate(-1.0, -2.0, 4.0, 1.0, 2.0, 4.0, bounds=(2.0, 5.0)) == 3.5
    assert cubic_minimiser(-1.0, -2.0, 4.0, 1.0, 2.0, 4.0, 2.0, 5.0) == 3.5


@pytest.mark.parametrize("t0", [1e-3, 0.3, 1.0, 7.0, 60.0])
def test_strong_wolfe_returns_a_step_meeting_both_conditions(t0):
    """Sufficient decrease f(x + t d) <= f + c₁ t gᵀd and curvature |∇f(x + t d)ᵀd| <= c₂|gᵀd|,
    from starting steps far too short (extrapolate) to far too long (zoom)."""
    obj = gd.rosenbrock()
    x = np.array([-1.2, 1.0])
    g = obj.grad(x)
    d = -g / np.linalg.norm(g)
    f, gtd = float(obj.value(x)), float(g @ d)

    def fg(t):
        return float(obj.value(x + t * d)), obj.grad(x + t * d)

    t, f_t, g_t = strong_wolfe(fg, t0, d, f, g, gtd)
    assert f_t == obj.value(x + t * d) and np.array_equal(g_t, obj.grad(x + t * d))
    assert f_t <= f + 1e-4 * t * gtd
    assert abs(g_t @ d) <= 0.9 * abs(gtd)
    c2 = 0.1  # a stricter curvature condition is met too when asked for
    t, f_t, g_t = strong_wolfe(fg, t0, d, f, g, gtd, c2=c2)
    assert f_t <= f + 1e-4 * t * gtd and abs(g_t @ d) <= c2 * abs(gtd)


def test_strong_wolfe_gives_up_after_max_ls_evaluations():
    calls = []
    obj = gd.quadratic([1.0, 2.0])
    x = np.array([1.0, 1.0])
    g = obj.grad(x)
    d = -g

    def fg(t):
        calls.append(t)
        return float(obj.value(x + t * d)), obj.grad(x + t * d)

    strong_wolfe(fg, 1e-9, d, float(obj.value(x)), g, float(g @ d), max_ls=3)
    assert len(calls) == 4  # the first trial, then 3 more


def test_two_loop_with_no_history_is_steepest_descent_scaled():
    g = np.array([3.0, -4.0])
    np.testing.assert_array_equal(two_loop(g, [], [], [], 0.5), -0.5 * g)
    # one pair on a quadratic with Hessian A: the estimate maps y to s exactly (secant)
    A = np.array([[2.0, 0.5], [0.5, 1.0]])
    s = np.array([1.0, -0.5])
    y = A @ s
    np.testing.assert_allclose(two_loop(-y, [y], [s], [1 / (y @ s)], (s @ y) / (y @ y)), s,
                               rtol=1e-14)


def test_tolerances_stop_lbfgs_from_moving():
    obj = gd.quadratic([1.0, 3.0], b=[0.5, -1.0])
    x0 = np.array([1.0, 1.0])  # ∇f = (1.5, 2), max |g| = 2
    still = gd.run(gd.lbfgs(tolerance_grad=2.0), obj, x0, 3)
    np.testing.assert_array_equal(still.points, np.tile(x0, (4, 1)))
    np.testing.assert_array_equal(still.lrs, 0.0)
    moves = gd.run(gd.lbfgs(tolerance_grad=1.99), obj, x0, 1)
    # first step: -g scaled to min(1, 1/‖g‖₁)·lr = 1/3.5
    np.testing.assert_allclose(moves.points[1], x0 - np.array([1.5, 2.0]) / 3.5, rtol=1e-15)
    assert moves.lrs[0] == pytest.approx(1 / 3.5, rel=1e-15)
    # a direction whose slope gᵀd is not below -tolerance_change: no move (first gᵀd = -6.25·t)
    flat = gd.run(gd.lbfgs(tolerance_change=100.0), obj, x0, 2)
    np.testing.assert_array_equal(flat.points[1], x0)


def test_history_keeps_the_last_m_pairs():
    obj = gd.quadratic([0.5, 1.0, 2.0, 4.0, 8.0])
    opt = gd.lbfgs(history_size=2)
    x = np.array([1.0, -1.0, 2.0, 0.5, -0.3])
    state = opt.init(x)
    g, pairs = obj.grad(x), []
    for _ in range(5):
        new_x, state = opt.update(state, x, g, obj)
        new_g = obj.grad(new_x)
        pairs.append((new_x - x, new_g - g))
        x, g = new_x, new_g
    (run,) = state["runs"]
    # the state after update k holds the pairs of updates k-1 and k-2 (the newest is stored
    # at the next update): the two before the last
    assert len(run["ss"]) == 2
    for (s, y), s_kept, y_kept in zip(pairs[-3:-1], run["ss"], run["ys"], strict=True):
        np.testing.assert_allclose(s_kept, s, rtol=1e-14)
        np.testing.assert_allclose(y_kept, y, rtol=1e-12)
    np.testing.assert_allclose(run["rhos"], [1 / (y @ s) for s, y in pairs[-3:-1]], rtol=1e-12)
    s, y = pairs[-2]
    assert run["H_diag"] == pytest.approx((s @ y) / (y @ y), rel=1e-12)


def test_strong_wolfe_and_cubic_steps_equal_torchs_on_random_searches():
    """Our port against torch.optim.lbfgs's own _strong_wolfe and _cubic_interpolate, on line
    searches from random points, directions and first trials over ten orders of magnitude, so
    the bracketing, the zoom and its insufficient-progress safeguard all run."""
    import torch
    from torch.optim.lbfgs import _cubic_interpolate, _strong_wolfe

    rng = np.random.default_rng(0)
    objectives = [gd.rosenbrock(), gd.beale(), gd.quadratic([0.1, 10.0], angle=0.3)]
    checked = 0
    for k in range(300):
        obj = objectives[k % 3]
        x = rng.uniform(-1.5, 1.5, 2)
        g = obj.grad(x)
        d = -g + rng.normal(size=2) * np.linalg.norm(g) * 0.5  # not quite steepest descent
        gtd = float(g @ d)
        if gtd >= 0:
            continue
        t0 = 10.0 ** rng.uniform(-6, 4)
        c2 = float(rng.choice([0.9, 0.1]))
        c1 = float(rng.choice([1e-4, 0.05, 0.3]))
        max_ls = int(rng.choice([25, 4, 1]))
        tol = float(rng.choice([1e-9, 1e-4]))

        def fg(t, obj=obj, x=x, d=d):
            return float(obj.value(x + t * d)), obj.grad(x + t * d)

        def torch_fg(x_t, t, d_t, obj=obj):
            p = x_t.numpy() + float(t) * d_t.numpy()  # torch passes t as a 0-d tensor at times
            return float(obj.value(p)), torch.tensor(obj.grad(p), dtype=torch.float64)

        ours = strong_wolfe(fg, t0, d, float(obj.value(x)), g, gtd, c1=c1, c2=c2,
                            tolerance_change=tol, max_ls=max_ls)
        f_ref, g_ref, t_ref, _ = _strong_wolfe(
            torch_fg, torch.tensor(x), t0, torch.tensor(d), float(obj.value(x)),
            torch.tensor(g), gtd, c1=c1, c2=c2, tolerance_change=tol, max_ls=max_ls)
        t_ref = float(t_ref)
        assert ours[0] == pytest.approx(t_ref, rel=1e-12, abs=1e-300), (k, t0)
        # f and g are the objective at the step found, so they inherit its rounding. numpy's and
        # torch's dot products round differently on some CPUs (on one with AVX-512, a quarter
        # of random 2-vectors), the cubic step amplifies that to ~1e-13 of t, and that moves f
        # by about t·|f'(t)| times it: more than 1e-12 of f on a steep Rosenbrock line
        f_at, g_at = fg(ours[0])
        assert ours[1] == f_at
        np.testing.assert_array_equal(ours[2], g_at)
        slope = max(abs(gtd), abs(float(g_ref @ torch.tensor(d))))
        assert ours[1] == pytest.approx(float(f_ref), rel=1e-12, abs=1e-12 * abs(t_ref) * slope)
        np.testing.assert_allclose(ours[2], g_ref.numpy(), rtol=1e-10, atol=1e-300)
        checked += 1
    assert checked > 200
    for _ in range(200):
        x1, x2 = rng.normal(size=2) * 3
        f1, g1, f2, g2 = rng.normal(size=4) * 5
        bounds = None if rng.random() < 0.5 else tuple(sorted(rng.normal(size=2) * 4))
        assert cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds) == pytest.approx(
            float(_cubic_interpolate(x1, f1, torch.tensor(g1), x2, f2, torch.tensor(g2), bounds)),
            rel=1e-12, abs=1e-15)  # torch takes the slopes as tensors


def test_lbfgs_update_is_pure_follows_a_schedule_and_scales_only_a_large_first_step():
    obj = gd.rosenbrock()
    opt = gd.lbfgs(lr=gd.exponential_decay(0.5, 0.5))
    x = np.array([[-1.2, 1.0], [0.5, 0.5]])
    state = opt.init(x)
    for _ in range(3):  # a few steps to fill the history
        x, state = opt.update(state, x, obj.grad(x), obj)
    a, sa = opt.update(state, x, obj.grad(x), obj)
    b, sb = opt.update(state, x, obj.grad(x), obj)  # the same state again: the same step
    np.testing.assert_array_equal(a, b)
    assert [len(r["ys"]) for r in state["runs"]] == [2, 2]  # update did not touch it
    np.testing.assert_array_equal(sa["lr"], 0.5 * 0.5**3)  # step 3 of the schedule
    assert gd.lbfgs(line_search_fn="strong_wolfe").hyperparams["line_search_fn"] == "strong_wolfe"
    # the first step is -g scaled by min(1, 1/‖g‖₁): a small gradient is not scaled up
    bowl = gd.quadratic([1.0, 1.0])
    r = gd.run(gd.lbfgs(), bowl, [0.1, 0.2], 1)  # ‖g‖₁ = 0.3
    np.testing.assert_allclose(r.points[1], [0.0, 0.0], atol=1e-17)
    assert r.lrs[0] == 1.0


# -- issue 18: the branches of the line search and the state that random searches missed ---------
# φ(t) and φ'(t) along a line (d = [1] in one dimension), each going down at t = 0
LINES = {
    "bowl": (lambda t: 0.5 * t * t - t, lambda t: t - 1.0),
    "quartic": (lambda t: t**4 - 3 * t**3 + t**2 - t, lambda t: 4 * t**3 - 9 * t**2 + 2 * t - 1),
    "steep": (lambda t: 0.01 * t**6 - t, lambda t: 0.06 * t**5 - 1),
    "wavy": (lambda t: 0.1 * t * t - t + 0.3 * np.sin(3 * t),
             lambda t: 0.2 * t - 1 + 0.9 * np.cos(3 * t)),
    # bumps on a slope: a trial can land higher than the last one while still going down
    "bumpy": (lambda t: 0.05 * t * t - 1.5 * t + 0.2 * np.sin(3 * t),
              lambda t: 0.1 * t - 1.5 + 0.6 * np.cos(3 * t)),
    # two ripples: the cubic through a bracket's ends can put its minimum outside the bracket
    "ripples": (lambda t: 0.01 * t * t - 0.5 * t + 0.5 * np.sin(t + 1.8) + 0.6 * np.sin(4.4 * t + 2.8),
                lambda t: 0.02 * t - 0.5 + 0.5 * np.cos(t + 1.8) + 2.64 * np.cos(4.4 * t + 2.8)),
    # a rounded |t - 1|: the slope is flat enough for c2 = 0.1 only within 1e-4 of the bottom,
    # so a loose tolerance_change stops the zoom first
    "kink": (lambda t: np.sqrt((t - 1) ** 2 + 1e-4), lambda t: (t - 1) / np.sqrt((t - 1) ** 2 + 1e-4)),
}


@pytest.mark.parametrize("line", list(LINES))
def test_strong_wolfe_equals_torchs_from_every_first_trial(line):
    """First trials on a fine grid over six orders of magnitude, so that every branch of the
    bracketing and of the zoom's safeguards is taken for some of them: our search returns
    torch's step, value and slope."""
    import torch
    from torch.optim.lbfgs import _strong_wolfe

    phi, dphi = LINES[line]
    d, g0 = np.array([1.0]), np.array([dphi(0.0)])
    f0, gtd = float(phi(0.0)), float(dphi(0.0))

    def fg(t):
        return float(phi(t)), np.array([dphi(t)])

    def torch_fg(x, t, d_t):
        t = float(t)
        return float(phi(t)), torch.tensor([dphi(t)], dtype=torch.float64)

    settings = [(1e-4, 0.9, 1e-9, 25), (0.3, 0.9, 1e-9, 25), (1e-4, 0.1, 1e-9, 3)]
    if line != "bumpy":  # there a loose tolerance_change stops the zoom on the last bit of the
        settings.append((0.3, 0.1, 1e-2, 25))  # bracket, where torch's tensors and our floats differ
    for c1, c2, tol, max_ls in settings:
        for t0 in np.geomspace(1e-3, 1e3, 97):
            t, f, g = strong_wolfe(fg, t0, d, f0, g0, gtd, c1=c1, c2=c2,
                                   tolerance_change=tol, max_ls=max_ls)
            f_ref, g_ref, t_ref, evals = _strong_wolfe(
                torch_fg, torch.zeros(1, dtype=torch.float64), float(t0),
                torch.tensor(d), f0, torch.tensor(g0), gtd, c1=c1, c2=c2,
                tolerance_change=tol, max_ls=max_ls)
            case = (line, c1, c2, tol, max_ls, t0)
            # to rounding: torch interpolates in tensors, we in floats
            assert t == pytest.approx(float(t_ref), rel=1e-12), case
            assert f == pytest.approx(float(f_ref), rel=1e-12, abs=1e-15), case
            np.testing.assert_allclose(g, g_ref.numpy(), rtol=1e-10, atol=1e-13,
                                       err_msg=str(case))


def test_strong_wolfe_evaluates_at_most_26_times_by_default():
    """torch's default max_ls = 25: on a line going down forever the search extrapolates
    (each trial 10 times the last) and gives up after the first trial and 25 more."""
    calls = []

    def fg(t):
        calls.append(t)
        return -t, np.array([-1.0])

    with np.errstate(divide="ignore"):  # a straight line: the cubic's minimiser is at infinity
        t, f, _ = strong_wolfe(fg, 1.0, np.array([1.0]), 0.0, np.array([-1.0]), -1.0)
    assert len(calls) == 26 and calls[1] == 10.0 and t == calls[-1] and f == -t


def test_lbfgs_skips_a_pair_of_negative_curvature_as_torch_does():
    """On the saddle x² - y², moving mostly along y gives sᵀy < 0: torch keeps no pair and its
    next direction is -g with the starting scale H_diag = 1, as ours."""
    import torch
    import torchref

    x0 = [0.1, 1.0]  # g = (0.2, -2): the first step is mostly along y
    ours = gd.run(gd.lbfgs(), gd.saddle(), x0, 4)
    ref = torchref.trajectory(torch.optim.LBFGS, dict(lr=1.0, max_iter=1, history_size=10),
                              lambda p: p[0] ** 2 - p[1] ** 2, x0, 4, closure_steps=True)
    np.testing.assert_allclose(ours.points, ref, rtol=1e-14)
    state = gd.lbfgs().init(np.array(x0))
    x = np.array(x0)
    for _ in range(2):
        x, state = gd.lbfgs().update(state, x, gd.saddle().grad(x), gd.saddle())
    assert state["runs"][0]["ys"] == [] and state["runs"][0]["H_diag"] == 1.0


def test_lbfgs_update_leaves_the_state_it_was_given_untouched():
    """update is pure: every list of the old state (pairs s and y, their 1/yᵀs) is as it was,
    also once the history is full and the oldest pair is dropped, so stepping twice from one
    state gives the same point."""
    obj = gd.quadratic([0.5, 1.0, 2.0, 4.0])
    opt = gd.lbfgs(history_size=2)
    x = np.array([1.0, -1.0, 2.0, 0.5])
    state = opt.init(x)
    for k in range(6):
        before = [{key: [np.copy(v) for v in r[key]] for key in ("ys", "ss", "rhos") if key in r}
                  for r in state["runs"]]
        new_x, new_state = opt.update(state, x, obj.grad(x), obj)
        again, _ = opt.update(state, x, obj.grad(x), obj)
        np.testing.assert_array_equal(again, new_x)
        for r, kept in zip(state["runs"], before, strict=True):
            for key, values in kept.items():
                assert len(r[key]) == len(values), (k, key)
                for v, w in zip(r[key], values, strict=True):
                    np.testing.assert_array_equal(v, w)
        x, state = new_x, new_state
    assert [len(r["ss"]) for r in state["runs"]] == [2]
