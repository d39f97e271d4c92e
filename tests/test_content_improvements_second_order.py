"""Claims of the second-order, race and which-optimizer pages, plus the helpers behind them."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import gdnotes as gd


def test_newton_solves_a_quadratic_in_one_step():
    rng = np.random.default_rng(0)
    b = rng.standard_normal(2)
    f = gd.quadratic([1.0, 10.0], angle=0.5, b=b)
    c, s = np.cos(0.5), np.sin(0.5)
    R = np.array([[c, -s], [s, c]])
    minimiser = np.linalg.solve(R @ np.diag([1.0, 10.0]) @ R.T, -b)  # A x* = -b
    for x0 in rng.standard_normal((5, 2)) * 3:
        one = gd.run(gd.newton(), f, x0, steps=1)
        assert np.linalg.norm(one.points[1] - minimiser) < 1e-12


def test_newton_converges_quadratically_near_the_rosenbrock_minimum():
    run = gd.run(gd.newton(), gd.rosenbrock(), np.array([-1.2, 1.0]), steps=20, tol=1e-12)
    err = np.linalg.norm(run.path() - 1.0, axis=1)
    assert run.converged and run.stop_step <= 7
    close = [k for k in range(len(err) - 1) if 0 < err[k] < 0.6 and err[k + 1] > 0]
    assert len(close) >= 3
    for k in close:  # e_{k+1} <= C e_k^2 with a modest C once near the minimum
        assert err[k + 1] <= 1.0 * err[k] ** 2
    assert err[-2] < 1e-10


def test_newton_goes_to_the_saddle_and_damping_escapes():
    saddle = gd.saddle()
    start = np.array([1.5, 0.2])
    newton = gd.run(gd.newton(), saddle, start, steps=1)
    np.testing.assert_allclose(newton.points[1], [0.0, 0.0], atol=1e-15)
    delta = 3.0
    damped = gd.run(gd.newton(damping=delta), saddle, start, steps=1)
    # (H + δI)^{-1} g with H = diag(2, -2): x·δ/(δ+2), y·δ/(δ-2)
    np.testing.assert_allclose(damped.points[1], [1.5 * delta / (delta + 2),
                                                  0.2 * delta / (delta - 2)], rtol=1e-12)


@pytest.mark.parametrize("objective", [gd.quadratic([1.0, 4.0, 20.0]), gd.rosenbrock()])
def test_bfgs_state_satisfies_the_secant_condition(objective):
    opt = gd.bfgs()
    theta = np.ones(objective.dim) if objective.dim == 3 else np.array([-1.2, 1.0])
    state = opt.init(theta)
    grad = objective.grad(theta)
    previous = None
    for _ in range(12):
        new_theta, state = opt.update(state, theta, grad, objective)
        new_grad = objective.grad(new_theta)
        H = state["H"]
        if previous is not None:
            s, y = previous
            if y @ s > 1e-10:
                np.testing.assert_allclose(H @ y, s, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(H, H.T, atol=1e-10)
        assert np.all(np.linalg.eigvalsh(H) > 0)
        previous = (new_theta - theta, new_grad - grad)
        theta, grad = new_theta, new_grad
        if np.linalg.norm(grad) < 1e-12:
            break


def test_lbfgs_matches_torch_on_rosenbrock():
    x0 = np.array([-1.2, 1.0])
    quiet = dict(tolerance_grad=1e-30, tolerance_change=1e-30)
    run = gd.run(gd.lbfgs(history_size=10, line_search_fn="strong_wolfe", **quiet),
                 gd.rosenbrock(), x0, steps=200, tol=1e-8)
    assert run.converged
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([x], lr=1, max_iter=int(run.stop_step), max_eval=10**4,
                            history_size=10, line_search_fn="strong_wolfe", **quiet)

    def closure():
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), run.final, atol=1e-10)
    np.testing.assert_allclose(run.final, [1.0, 1.0], atol=1e-8)


def test_counted_tallies_points_and_floats_in_counts_state():
    f, calls = gd.counted(gd.rosenbrock())
    f.value(np.zeros((5, 2)))
    f.grad(np.zeros(2))
    f.hessian(np.zeros((3, 2)))
    assert calls == {"value": 5, "grad": 1, "hessian": 3}
    state = {"t": 3, "H": np.eye(2), "pairs": [np.zeros(2), (np.zeros(3), 1.5)], "flag": True}
    assert gd.floats_in(state) == 4 + 2 + 3 + 1
    with pytest.raises(ValueError, match="cannot count"):
        gd.floats_in({"x": object()})


def test_first_step_hold_and_outcome_wording():
    f = gd.ill_conditioned(10.0)
    run = gd.run(gd.sgd(lr=np.array([0.5, 1.9, 2.5])), f, np.ones((3, 2)), steps=60)
    goal = gd.near_minimizer(f, 1e-3)
    first = gd.first_step(run, goal)
    # closed form per axis: x_t = (1 - ηλ)^t, λ in {0.1, 1}
    t = np.arange(61)[:, None]
    etas = np.array([0.5, 1.9, 2.5])
    with np.errstate(over="ignore"):
        dist = np.hypot((1 - etas * 0.1) ** t, (1 - etas) ** t)
    expected = np.where((dist <= 1e-3).any(0), (dist <= 1e-3).argmax(0), -1)
    expected[~np.isfinite(dist).all(0) | run.diverged] = -1
    np.testing.assert_array_equal(first, expected)
    assert run.diverged[2]  # |1 - 2.5| = 1.5 > 1: blows past the bound
    entry = gd.Entry("x", 2.5, run.path(2), -1, str(run.status[2]), 60)
    assert gd.outcome(entry) == f"diverged (step {run.stop_step[2] + 1})"
    slow = gd.Entry("x", 0.01, np.zeros((61, 2)), -1, "max_steps", 60)
    assert gd.outcome(slow) == "did not converge in 60"
    with pytest.raises(ValueError, match="hold"):
        gd.first_step(run, goal, hold=-1)


def test_gd_escape_time_from_the_saddle_matches_the_closed_form():
    saddle = gd.saddle()
    x0, eta = np.array([1.0, 1e-3]), 0.01
    entries = gd.race({"GD": lambda lr: gd.sgd(lr=lr)}, saddle, x0, 600,
                      lambda p: saddle.value(p) <= -1.0, np.array([eta]))
    t = 0
    while (x0[0] * (1 - 2 * eta) ** t) ** 2 - (x0[1] * (1 + 2 * eta) ** t) ** 2 > -1:
        t += 1
    assert entries[0].step == t


MAKERS = gd.racing.LINEUP  # the race's line-up, the one examples/optimizer_race.py runs


def test_race_lineup_is_torch_defaults_but_lr_and_momentum():
    """The page says: torch's defaults except the tuned lr and momentum β for the two
    momentum methods (checked against torch.optim's signatures, not against gdnotes)."""
    assert list(MAKERS) == ["GD", "momentum", "Nesterov", "AdaGrad", "RMSprop", "Adadelta",
                            "Adam", "AdamW"]
    beta = gd.racing.RACE_MOMENTUM
    assert 0 < beta < 1
    for name, make in MAKERS.items():
        o = make(0.123)
        theirs = inspect.signature(getattr(torch.optim, o.torch_class.split(".")[-1])).parameters
        for param, value in o.hyperparams.items():
            if param == "lr":
                assert value == 0.123
            elif name in ("momentum", "Nesterov") and param in ("momentum", "nesterov"):
                assert value == (beta if param == "momentum" else name == "Nesterov")
            elif param in theirs:
                assert value == theirs[param].default, (name, param)
LRS = np.geomspace(1e-4, 3.0, 14)


def _race(objective, x0, steps, goal, lrs):
    return {e.name: e for e in gd.race(MAKERS, objective, x0, steps, goal, lrs, hold=50)}


def test_race_claims_on_rosenbrock_and_beale():
    rosen = gd.rosenbrock()
    r = _race(rosen, np.array([-1.2, 1.0]), 2000, gd.near_minimizer(rosen, 1e-2), LRS)
    finished = {name for name, e in r.items() if e.step >= 0}
    assert finished == {"momentum", "Nesterov", "Adam"}
    assert np.linalg.norm(r["Adam"].path[-1] - 1) > 1e-2  # reached, then thrown out again
    beale = gd.beale()
    b = _race(beale, np.array([1.0, 1.5]), 1000, gd.near_minimizer(beale, 1e-2), LRS)
    steps = {name: e.step for name, e in b.items() if e.step >= 0}
    assert min(steps, key=steps.get) == "Adam"
    assert sorted(steps, key=steps.get)[1] == "RMSprop"
    assert np.linalg.norm(b["RMSprop"].path[-1] - beale.minimizers[0]) > 1e-2
    assert b["Adadelta"].step < 0 and b["AdamW"].step < 0
    # Hessian condition number at Rosenbrock's minimum: "about 2500"
    eig = np.linalg.eigvalsh(np.array([[802.0, -400.0], [-400.0, 200.0]]))
    assert eig.max() / eig.min() == pytest.approx(2500, rel=0.01)
    np.testing.assert_allclose(rosen.hessian(np.ones(2)), [[802, -400], [-400, 200]])


def test_race_claims_on_the_saddle():
    saddle = gd.saddle()
    s = _race(saddle, np.array([1.0, 1e-3]), 600, lambda p: saddle.value(p) <= -1.0,
              np.array([0.01]))
    assert s["RMSprop"].step < min(s["momentum"].step, s["Nesterov"].step, s["Adam"].step)
    assert max(s["momentum"].step, s["Nesterov"].step, s["Adam"].step) < s["GD"].step
    assert s["AdaGrad"].step < 0  # did not escape


def test_lbfgs_memory_tends_to_2m_plus_2_floats_per_parameter():
    """second-order.md: with history m, L-BFGS keeps 2m history vectors plus the previous
    gradient and the last direction, so floats per parameter tend to 2m + 2 for large d."""
    m, d = 4, 400
    f = gd.quadratic(np.linspace(1.0, 50.0, d))
    opt = gd.lbfgs(history_size=m, line_search_fn="strong_wolfe")
    theta = np.ones(d)
    state = opt.init(theta)
    for _ in range(m + 3):  # more updates than the history holds: the history is full
        theta, state = opt.update(state, theta, f.grad(theta), f)
    per_parameter = gd.floats_in(state["runs"]) / d
    assert 2 * m + 2 <= per_parameter < 2 * m + 2 + 0.05  # the rest: O(m) scalars over d
    (run,) = state["runs"]
    assert len(run["ss"]) == len(run["ys"]) == m


def test_bfgs_shrinks_the_gradient_norm_tenfold_to_hundredfold_per_update():
    """second-order.md's BFGS table on the 3-D quadratic, from gd.bfgs itself: every update
    after the first shrinks ‖∇f‖ by a factor of about ten to a hundred."""
    quad = gd.quadratic([1.0, 4.0, 20.0])
    run = gd.run(gd.bfgs(), quad, np.ones(3), 6)
    A = np.diag([1.0, 4.0, 20.0])
    np.testing.assert_allclose(run.grad_norms, np.linalg.norm(run.points @ A, axis=-1),
                               rtol=1e-14)  # the recorded norms are ‖Aθ‖ at each point
    # the first two steps are the line search finding its feet (H still near I): the Armijo
    # rule halves the unit step four times, then once
    np.testing.assert_array_equal(run.lrs, [1 / 16, 1 / 2, 1, 1, 1, 1])
    drops = run.grad_norms[2:-1] / run.grad_norms[3:]  # the ratios the page quotes (min, max)
    # a deterministic run: pinned to rounding, so a changed BFGS cannot hide in a range
    np.testing.assert_allclose(drops, [9.43932255, 14.95082751, 101.50627073, 69.6713484],
                               rtol=1e-8)
    assert drops.min() > 9 and drops.max() > 100
