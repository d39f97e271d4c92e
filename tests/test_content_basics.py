"""Claims made on the basics pages (update rule, learning rate, two dimensions, non-convex,
worked example), recomputed independently: closed forms, Fraction arithmetic, plain-Python
loops and torch autograd. Expected values come from theory, never from the code under test.

Each example is run once (in-process, outputs into a temporary directory); tests then check
both the library and what the example wrote for the page.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

import gdnotes as gd
from gdnotes.outputs import parse_shown

REPO = Path(__file__).resolve().parents[1]

# One worker runs this whole module, so each example is executed once per test session.
pytestmark = pytest.mark.xdist_group("content_basics")


def cell_number(cell: str) -> float:
    """A number from a table cell: exact decimals, '≈ 0.123', '$...$' wrappers and powers of ten
    (``4.4 × 10⁻⁹``) allowed."""
    return float(parse_shown(cell.replace("≈", "").replace("$", "").strip()))


# ============================================================================ home page
def test_home_page_descent(example):
    """index.md: GD on (x - 5)^2 from x0 = -5; each step keeps keep_percent % of the distance."""
    ex = example("tangent_line")
    assert ex.ns["X0"] == -5.0 and ex.ns["objective"].minimizers[0, 0] == 5.0
    page = (REPO / "docs" / "index.md").read_text()
    assert "$f(x) = (x - 5)^2$, starting at $x_0 = -5$" in page
    eta = float(ex.value("eta"))
    xs = [Fraction(-5)]  # exact iterates x <- x - eta * 2 (x - 5)
    for _ in range(3):
        xs.append(xs[-1] - Fraction(eta) * 2 * (xs[-1] - 5))
    kept = [(b - 5) / (a - 5) for a, b in zip(xs, xs[1:], strict=False)]
    assert len(set(kept)) == 1  # the same share every step
    assert float(ex.value("keep_percent")) == pytest.approx(100 * float(kept[0]))


# ============================================================================ the update rule
def test_update_rule_three_ways_agree(example):
    ex = example("update_rule")
    numpy_path, autograd_path, optim_path = (np.array(ex.ns[k], dtype=float)
                                             for k in ("numpy_path", "autograd_path", "optim_path"))
    x0, lr, steps = ex.ns["X0"], ex.ns["LR"], ex.ns["STEPS"]
    assert len(numpy_path) == steps + 1
    # numpy and the manual torch update do the same float operations: bit-identical.
    np.testing.assert_array_equal(autograd_path, numpy_path)
    # torch.optim.SGD uses one fused multiply-add: equal up to rounding of numbers of size 10 ...
    np.testing.assert_allclose(optim_path, numpy_path, rtol=0, atol=1e-14)
    # ... and exactly equal to x + (-lr) * g rounded once (emulated with Fractions).
    fused = [x0]
    for _ in range(steps):
        x = fused[-1]
        g = 2.0 * (x - 5.0)
        fused.append(float(Fraction(x) + Fraction(-lr) * Fraction(g)))
    np.testing.assert_array_equal(optim_path, fused)
    # All three follow the closed form 5 + (x0 - 5)(1 - 2 lr)^t.
    t = np.arange(steps + 1)
    np.testing.assert_allclose(numpy_path, 5 + (x0 - 5) * (1 - 2 * lr) ** t, rtol=0, atol=1e-12)
    # gd.run does the same thing.
    run = gd.run(gd.sgd(lr=lr), gd.shifted_parabola(5.0), x0=[x0], steps=steps)
    np.testing.assert_array_equal(run.points[:, 0], numpy_path)
    assert ex.value("diff_autograd") == 0.0
    assert ex.value("diff_optim") == np.max(np.abs(optim_path - numpy_path)) <= 1e-14


def test_update_rule_differentiates_the_plotted_function(example):
    """The function plotted, the one differentiated by hand and by autograd are one function."""
    ex = example("update_rule")
    f, grad_f = ex.ns["f"], ex.ns["grad_f"]
    parabola = gd.shifted_parabola(5.0)
    xs = np.linspace(-10, 20, 31)
    np.testing.assert_allclose(f(xs), parabola.value(xs[:, None]), rtol=1e-15)
    x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    f(x).sum().backward()
    np.testing.assert_allclose(grad_f(xs), x.grad.numpy(), rtol=1e-15)


def test_update_rule_tangent_step_numbers(example):
    """For a quadratic, f(x - eta g) = f(x) - eta g^2 + eta^2 g^2 exactly (Taylor has 3 terms)."""
    ex = example("update_rule")
    x0, lr = Fraction(-5), Fraction(1, 10)
    g = 2 * (x0 - 5)
    assert ex.value("g0") == g == -20
    assert ex.value("f0") == (x0 - 5) ** 2 == 100
    assert ex.value("x1") == x0 - lr * g == -3
    assert ex.value("tangent_at_x1") == (x0 - 5) ** 2 - lr * g**2 == 60
    assert ex.value("f1") == (x0 - 5) ** 2 - lr * g**2 + lr**2 * g**2 == 64


def test_update_rule_page_shows_the_code_that_ran():
    page = (REPO / "docs" / "update-rule.md").read_text()
    source = (REPO / "examples" / "update_rule.py").read_text()
    for section in ("function", "numpy", "autograd", "optim"):
        assert f'--8<-- "examples/update_rule.py:{section}"' in page
        assert f"# --8<-- [start:{section}]" in source and f"# --8<-- [end:{section}]" in source


# ============================================================================ learning rate
ETAS = ["0.01", "0.1", "0.5", "0.9", "1.0", "1.1"]
EXPECTED_REGIME = {  # named from the one-step map x <- (1 - 2 eta) x
    "0.01": "slow monotone",
    "0.1": "fast monotone",
    "0.5": "one-step exact",
    "0.9": "oscillating, convergent",
    "1.0": "bouncing forever",
    "1.1": "divergent",
}


def exact_iterates(eta: str, steps: int = 30) -> list[Fraction]:
    """GD on x^2 + 5 from 8, in exact arithmetic, using f'(x) = 2x."""
    lr, xs = Fraction(eta), [Fraction(8)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * 2 * xs[-1])
    return xs


@pytest.mark.parametrize("eta", ETAS)
def test_learning_rate_regime(eta):
    xs = exact_iterates(eta)
    regime = EXPECTED_REGIME[eta]
    assert gd.regimes.classify_step(float(eta), 2.0) == regime
    pairs = list(zip(xs, xs[1:], strict=False))
    if regime.endswith("monotone"):
        assert all(0 < b < a for a, b in pairs)
        if regime == "slow monotone":
            assert xs[30] > 4  # after 30 steps still more than half-way up
        else:
            assert xs[30] < Fraction(1, 50)
    elif regime == "one-step exact":
        assert xs[1] == 0 and all(x == 0 for x in xs[1:])
    else:
        assert all(a * b < 0 for a, b in pairs)  # the sign flips every step
        mags = [abs(x) for x in xs]
        if regime == "oscillating, convergent":
            assert all(b < a for a, b in zip(mags, mags[1:], strict=False))
        elif regime == "bouncing forever":
            assert all(m == 8 for m in mags)
        else:
            assert all(b > a for a, b in zip(mags, mags[1:], strict=False))


def test_learning_rate_runs_and_statuses(example):
    ex = example("learning_rate")
    runs = ex.ns["runs"]
    shown = ex.ns["SHOWN"]
    for i, eta in enumerate(ETAS):
        expected = [float(x) for x in exact_iterates(eta, shown)]
        np.testing.assert_allclose(runs.points[: shown + 1, i, 0], expected, rtol=1e-12, atol=1e-12)
    status = list(runs.status)
    assert status == ["max_steps"] * 5 + ["diverged"]
    # The divergent run is reported, not passed on as NaN: |8 * 1.2^k| first exceeds 1e8 at k:
    k = next(k for k in range(1000) if 8 * 1.2**k > runs.bound)
    assert runs.stop_step[5] == k - 1 and ex.value("diverged_step") == k
    assert np.all(np.isfinite(runs.path(5))) and np.all(np.isnan(runs.points[k:, 5]))
    rows = ex.table("regime_table")
    assert [r[2] for r in rows] == [EXPECTED_REGIME[e] for e in ETAS]


def test_learning_rate_iterations_table(example):
    ex = example("learning_rate")
    rows = ex.table("iterations")
    assert len(rows) == 21
    for t, row in enumerate(rows):
        x = 8 * 0.8**t
        assert int(row[0]) == t
        assert cell_number(row[1]) == pytest.approx(x, abs=5e-7)
        assert cell_number(row[2]) == pytest.approx(x * x + 5, abs=5e-7)
        assert cell_number(row[3]) == pytest.approx(2 * x, abs=5e-7)


@pytest.mark.parametrize("L", [0.5, 2.0, 7.0])
def test_convergence_iff_lr_below_two_over_L(L):
    """On a quadratic with curvature L: converges for lr just below 2/L, not just above."""
    objective = gd.quadratic([L])
    lrs = np.array([0.1, 0.5, 1.0, 1.5, 1.98, 2.02, 2.5]) / L
    runs = gd.run(gd.sgd(lr=lrs), objective, x0=np.ones((lrs.size, 1)), steps=2000)
    final = np.abs(np.nan_to_num(runs.final[:, 0], nan=np.inf))
    converged = (final < 1e-6) & ~runs.diverged
    assert list(converged) == [True] * 5 + [False] * 2
    assert gd.regimes.max_stable_lr(L) == pytest.approx(2 / L)


def test_fastest_lr_is_one_over_L():
    L = 3.0
    lrs = np.linspace(0.05, 0.65, 121)
    runs = gd.run(gd.sgd(lr=lrs), gd.quadratic([L]), x0=np.ones((lrs.size, 1)), steps=5)
    err = np.abs(runs.points[5, :, 0])
    assert lrs[np.argmin(err)] == pytest.approx(1 / L, abs=0.006)
    assert gd.regimes.fastest_lr(L) == pytest.approx(1 / L)


def test_regime_helpers_validate():
    with pytest.raises(ValueError, match="learning rate"):
        gd.regimes.classify_step(-0.1, 2.0)
    with pytest.raises(ValueError, match="kappa"):
        gd.regimes.optimal_rate(0.5)
    with pytest.raises(ValueError, match="mu"):
        gd.regimes.best_fixed_lr(2.0, 1.0)


# ============================================================================ two dimensions
KAPPAS = [2, 5, 10, 20, 50, 100]


@pytest.mark.parametrize("kappa", KAPPAS)
def test_best_fixed_step_rate_within_two_percent(kappa):
    mu, L = 1.0 / kappa, 1.0
    objective = gd.ill_conditioned(kappa, L=L, angle=0.4)
    lr = 2 / (mu + L)
    predicted = (kappa - 1) / (kappa + 1)
    run = gd.run(gd.sgd(lr=lr), objective, x0=[1.0, -2.0], steps=400)
    err = np.linalg.norm(run.points, axis=-1)
    ok = np.flatnonzero(err > 1e-250)
    lo, hi = ok[len(ok) // 2], ok[-1]
    measured = (err[hi] / err[lo]) ** (1 / (hi - lo))
    assert measured == pytest.approx(predicted, rel=0.02)
    # 2/(mu + L) is the best fixed step in the worst case: start on each eigenvector (columns
    # of R), measure the per-step factor, take the worse one; it is smallest at 2/(mu + L).
    lrs = np.linspace(0.5, 1.99, 150) / L
    starts = objective.R.T  # (2, 2): one eigenvector per row
    x0 = np.repeat(starts, lrs.size, axis=0)
    r = gd.run(gd.sgd(lr=np.tile(lrs, 2)), objective, x0=x0, steps=20)
    factor = np.abs(np.linalg.norm(r.points[20], axis=-1)) ** (1 / 20)
    worst = factor.reshape(2, lrs.size).max(axis=0)
    assert lrs[np.argmin(worst)] == pytest.approx(lr, abs=0.011)
    assert worst.min() == pytest.approx(predicted, rel=0.02)


def test_two_dimensions_rate_table(example):
    ex = example("two_dimensions")
    rows = ex.table("rates")
    assert [int(cell_number(r[0])) for r in rows] == KAPPAS
    for row in rows:
        kappa = cell_number(row[0])
        assert cell_number(row[1]) == pytest.approx(2 / (1 / kappa + 1), abs=1e-4)
        predicted = (kappa - 1) / (kappa + 1)
        assert cell_number(row[2]) == pytest.approx(predicted, abs=1e-4)
        assert cell_number(row[3]) == pytest.approx(predicted, rel=0.02)
        steps = int(row[5])  # error factor rho^t drops below 1e-6 first at ceil(log 1e-6 / log rho)
        assert steps == math.ceil(math.log(1e-6) / math.log(predicted))
        assert cell_number(row[7]) == pytest.approx(1 - 1 / kappa, rel=0.02)
    # the page calls the largest measured-vs-predicted difference "floating-point rounding"
    assert float(ex.value("rates_max_difference")) < 1e-9


def test_two_dimensions_bowl(example):
    ex = example("two_dimensions")
    run = ex.ns["run"]
    t = np.arange(len(run.values))
    np.testing.assert_allclose(run.values, 25 * 0.64**t, rtol=1e-12)
    np.testing.assert_allclose(gd.quadratic([2.0, 2.0]).value(np.array([4.0, 3.0])), 25.0)


# ============================================================================ non-convex
def quartic_d1(x):
    return 4 * x**3 - 15 * x**2 + 8 * x + 3


def quartic_d2(x):
    return 12 * x**2 - 30 * x + 8


def test_quartic_stationary_points():
    roots = [Fraction(-1, 4), Fraction(1), Fraction(3)]
    assert all(quartic_d1(r) == 0 for r in roots)  # exact roots, and a cubic has at most 3
    np.testing.assert_allclose(gd.quartic().stationary_points, [float(r) for r in roots],
                               atol=1e-12)
    assert [quartic_d2(r) for r in roots] == [Fraction(65, 4), -10, 26]
    f = [r**4 - 5 * r**3 + 4 * r**2 + 3 * r for r in roots]
    assert f[2] < f[0]  # x = 3 is the global minimum
    assert f == [Fraction(-107, 256), 3, -9]


def test_non_convex_four_starts(example):
    """Plain-Python GD from each start; -1 and 0 reach the local minimum, 2 and 4 the global."""
    ex = example("non_convex")
    expected = {-1.0: -0.25, 0.0: -0.25, 2.0: 3.0, 4.0: 3.0}
    for x0, target in expected.items():
        x = x0
        for _ in range(2000):
            x -= 0.01 * quartic_d1(x)
        assert x == pytest.approx(target, abs=1e-9)
    rows = ex.table("starts")
    assert [float(r[0]) for r in rows] == list(expected)
    for row, target in zip(rows, expected.values(), strict=True):
        assert cell_number(row[1]) == pytest.approx(target, abs=1e-6)
        assert f"x = {target:g}" in row[3]
        assert ("global" in row[3]) == (target == 3.0)


def test_non_convex_basin_map_matches_scalar_loops(example):
    ex = example("non_convex")
    S, E, outcome = ex.ns["S"], ex.ns["E"], ex.ns["outcome"]
    steps, tol, settled = ex.ns["MAP_STEPS"], ex.ns["TOL"], ex.ns["SETTLED"]
    rng = np.random.default_rng(0)
    cells = rng.choice(S.size, size=150, replace=False)
    for idx in cells:
        x, lr = float(S.flat[idx]), float(E.flat[idx])
        state = None
        for _ in range(steps):
            if abs(quartic_d1(x)) <= tol:
                break
            x -= lr * quartic_d1(x)
            if not math.isfinite(x) or abs(x) > 1e8:
                state = 2
                break
        if state is None:
            near = [abs(x - (-0.25)) <= settled, abs(x - 3) <= settled, abs(x - 1) <= settled]
            state = 0 if near[0] else 1 if near[1] else 4 if near[2] else 3
        assert outcome.flat[idx] == state, (x, lr)
    # Theory: for lr < 2/f''(3) the basin boundary is the hump x = 1 (the map is monotone there
    # only for small lr, so check the clearly small ones); the global minimum is unstable for
    # 2/26 < lr < 2/16.25, so no run ends there.
    small = E[:, 0] < 0.04
    left = (S[0] > -0.8) & (S[0] < 0.9)  # near the hump, slow starts may not settle in time
    right = (S[0] > 1.1) & (S[0] < 3.7)
    assert np.all(outcome[np.ix_(small, left)] == 0)
    assert np.all(outcome[np.ix_(small, right)] == 1)
    band = (E[:, 0] > 2 / 26 + 1e-3) & (E[:, 0] < 2 / 16.25)
    # (Only a run that starts on x = 3, or happens to land within tolerance of it, stops there.)
    elsewhere = ~np.isclose(S[0], 3.0)
    assert np.mean(outcome[band][:, elsewhere] == 1) < 1e-3
    # above 2/f''(-1/4) = 2/16.25 neither minimum is stable: "almost nothing converges"
    unstable = E[:, 0] > 2 / 16.25
    assert unstable.any() and np.isin(outcome[unstable], [0, 1]).mean() < 0.05


# ============================================================================ worked example
def torch_table(steps=6):
    """The worked regression in float64 torch, autograd for the gradients."""
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    y = torch.tensor([2.0, 4.0], dtype=torch.float64)
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    rows = []
    for k in range(steps):
        pred = w * x + b
        loss = ((pred - y) ** 2).mean()
        gw, gb = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            new_w, new_b = w - 0.1 * gw, b - 0.1 * gb
            after = ((new_w * x + new_b - y) ** 2).mean()
        rows.append([k + 1, w.item(), b.item(), *pred.tolist(), loss.item(), gw.item(), gb.item(),
                     new_w.item(), new_b.item(), after.item()])
        w = new_w.clone().requires_grad_(True)
        b = new_b.clone().requires_grad_(True)
    return np.array(rows)


def test_worked_regression_exact_matches_torch():
    exact = gd.worked_regression(steps=6)
    expected = torch_table(6)
    got = np.array([[it.step + 1, it.w, it.b, *it.predictions, it.loss_before, it.grad_w,
                     it.grad_b, it.new_w, it.new_b, it.loss_after] for it in exact], dtype=float)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    assert exact[0].loss_before == 10 and exact[0].loss_after == Fraction(53, 50)
    for a, b in zip(exact, exact[1:], strict=False):
        assert a.loss_after == b.loss_before


def test_worked_regression_page_table(example):
    ex = example("worked_regression")
    expected = torch_table(ex.ns["STEPS"])
    rows = ex.table("iterations")
    assert len(rows) >= 6 and len(rows) == len(expected)
    shown = [0, 1, 2, 5, 6, 7, 8, 9, 10]  # the page table leaves the predictions to the tabs
    for row, exp in zip(rows, expected[:, shown], strict=True):
        for cell, value in zip(row, exp, strict=True):
            tol = 5e-9 if "≈" in cell else 1e-12
            assert cell_number(cell) == pytest.approx(value, abs=tol), (row, exp)
    tabs = (ex.dir / "step_tabs.md").read_text()
    assert tabs.count('=== "Step') == len(rows)
    number = r"(-?\d+(?:\.\d+)?)"
    rel = r"(?:=|\\approx) "  # "= 0.5" for an exact value, "\approx 0.0697" otherwise
    new_loss = re.findall(r"New loss: \$f\(w_\d+, b_\d+\) " + rel + number, tabs)
    updates = re.findall(r"w_\d+ " + rel + ".* " + rel + number + r", \\qquad b_\d+ " + rel
                         + ".* " + rel + number, tabs)
    np.testing.assert_allclose([float(v) for v in new_loss], expected[:, 10], atol=5e-9)
    np.testing.assert_allclose(np.array(updates, dtype=float), expected[:, 8:10], atol=5e-9)


def test_worked_regression_printed_torch_output(example):
    ex = example("worked_regression")
    expected = torch_table(ex.ns["STEPS"])
    for name in ("torch_manual", "torch_optim"):
        lines = ex.printed(name).strip().splitlines()
        assert len(lines) == len(expected) + 1
        for line, exp in zip(lines, expected, strict=False):
            loss, w, b = map(float, re.findall(r"-?\d+\.\d+", line))
            assert loss == pytest.approx(exp[5], abs=1e-8)  # loss BEFORE the update
            assert w == pytest.approx(exp[8], abs=1e-8) and b == pytest.approx(exp[9], abs=1e-8)
        final = float(re.findall(r"-?\d+\.\d+", lines[-1])[-1])
        assert final == pytest.approx(expected[-1, 10], abs=1e-8)


def test_worked_regression_optimum_and_long_run(example):
    ex = example("worked_regression")
    X = np.array([[1.0, 1.0], [2.0, 1.0]])
    y = np.array([2.0, 4.0])
    optimum = np.linalg.solve(X.T @ X, X.T @ y)
    np.testing.assert_allclose(optimum, [2.0, 0.0], atol=1e-12)
    assert (ex.value("w_star"), ex.value("b_star")) == ("2", "0")
    # theta_t - theta* = (I - lr H)^t (theta_0 - theta*), H = (2/n) X^T X
    H = 2 / 2 * X.T @ X
    steps = ex.ns["LONG"]
    M = np.linalg.matrix_power(np.eye(2) - 0.1 * H, steps)
    theta = optimum + M @ (np.zeros(2) - optimum)
    np.testing.assert_allclose(ex.ns["path"][-1], theta, rtol=1e-9)
    assert ex.value("long_loss") == pytest.approx(np.mean((X @ theta - y) ** 2), rel=1e-9)
    eig = np.linalg.eigvalsh(H)
    assert ex.value("hess_small") == pytest.approx(eig[0]) and ex.value("hess_large") == pytest.approx(eig[1])
    assert eig == pytest.approx([(7 - math.sqrt(45)) / 2, (7 + math.sqrt(45)) / 2])


def test_regime_names_in_order_of_the_learning_rate():
    """gd.regimes.REGIMES lists the regimes from the smallest step to the largest; the six page
    learning rates (increasing) hit each one once, in that order."""
    assert [EXPECTED_REGIME[e] for e in ETAS] == list(gd.regimes.REGIMES)
    assert [float(e) for e in ETAS] == sorted(float(e) for e in ETAS)


def test_slow_monotone_threshold():
    assert gd.regimes.classify_step(0.025, 2.0) == "slow monotone"  # q = 0.95
    assert gd.regimes.classify_step(0.026, 2.0) == "fast monotone"  # q = 0.948


def test_non_convex_large_steps_jump_the_hump():
    """Claims of the basin-map bullets, by plain loops: far-out starts with larger steps land in
    the other valley, and a start on the hump never moves (and counts as converged)."""
    def final(x, lr, steps=2000):
        for _ in range(steps):
            x -= lr * quartic_d1(x)
        return x

    assert final(-1.5, 0.06) == pytest.approx(3.0, abs=1e-9)  # far left -> global minimum
    assert final(4.5, 0.05) == pytest.approx(-0.25, abs=1e-9)  # far right -> local minimum
    run = gd.run(gd.sgd(lr=0.01), gd.quartic(), x0=[1.0], steps=100, tol=1e-8)
    assert run.status == "converged" and run.stop_step == 0 and quartic_d1(1.0) == 0


def test_basics_gifs_within_budget(example):
    ex = example("two_dimensions", draw=True)
    gifs = {k: v for k, v in ex.manifest["outputs"].items() if v["kind"] == "gif"}
    assert gifs
    for record in gifs.values():
        assert record["frames"] <= 60
        assert (ex.dir / record["file"]).stat().st_size <= 400 * 1024


def test_threshold_scales_with_curvature():
    """The 'diverges when lr > 1' warning: 10x^2 (L = 20) and 0.01x^2 (L = 0.02)."""
    steep = gd.quadratic([20.0])  # 1/2 * 20 x^2 = 10 x^2
    assert steep.value(np.array([1.0])) == 10.0
    lrs = np.array([0.099, 0.101])
    runs = gd.run(gd.sgd(lr=lrs), steep, x0=np.ones((2, 1)), steps=3000)
    assert abs(runs.final[0, 0]) < 1e-6 and runs.diverged[1]
    flat = gd.quadratic([0.02])  # 0.01 x^2
    assert flat.value(np.array([1.0])) == pytest.approx(0.01)
    run = gd.run(gd.sgd(lr=50.0), flat, x0=[3.0], steps=1)
    assert run.points[1, 0] == pytest.approx(0.0, abs=1e-15)
