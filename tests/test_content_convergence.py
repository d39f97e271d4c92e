"""Claims of the convergence page (docs/convergence.md), recomputed independently: every bound
checked at every step of the runs (plain loops here, not gd.run), how close each run comes, the
lower bound's function, and the exercises' answers from the formulas. The example's quoted
numbers are read from a run of the example in this process."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from exampletools import Example
from torch.autograd.functional import hessian

import gdnotes as gd


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return Example("convergence", tmp_path_factory.mktemp("convergence"))


def _number(text: str) -> float:
    """A value's page text ("6 × 10⁻¹⁵", "10⁻¹⁴", "18,000") as a float."""
    text = text.replace("\xa0", " ").replace(",", "")
    text = ("1" + text) if text.startswith("10⁻") else text
    return float(text.replace(" × 10⁻", "e-").replace("10⁻", "e-")
                 .translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))


def _gd(grad, x0, lr, steps):
    x, path = np.array(x0, dtype=float), [np.array(x0, dtype=float)]
    for _ in range(steps):
        x = x - lr * grad(x)
        path.append(x)
    return np.array(path)


# ------------------------------------------------------------------ Theorem 1: Huber, O(1/t)
def _huber(delta, L=1.0):
    f = lambda x: np.where(np.abs(x) <= delta, L / 2 * x**2,  # noqa: E731
                           L * delta * np.abs(x) - L / 2 * delta**2)
    return f, lambda x: L * np.clip(x, -delta, delta)


@pytest.mark.parametrize("nudge", [1.0, 1 + 1e-12, 1 - 1e-12])
def test_theorem1_holds_at_every_step_and_huber_reaches_half_of_it(ex, nudge):
    L, R, T = ex.raw("convex_l"), ex.raw("convex_dist"), ex.raw("convex_t")
    f, df = _huber(R / (2 * T + 1), L)
    path = _gd(df, [R * nudge], 1 / L, 2 * T + 2)[:, 0]
    t = np.arange(1, len(path))
    bound = L * R**2 / (2 * t)
    assert np.all(f(path[1:]) <= bound * (1 + 1e-12))
    # the caption: one width a per step until step 2T, then at most one more step to 0
    np.testing.assert_allclose(np.diff(path[: 2 * T + 1]), -R / (2 * T + 1), rtol=1e-9)
    assert abs(path[2 * T + 2]) < abs(path[2 * T]) * 1e-6
    ratio = f(path[T]) / bound[T - 1]
    assert ratio == pytest.approx(2 * T / (4 * T + 2), rel=1e-9)  # Drori & Teboulle's L R²/(4T+2)
    assert f"{ratio:.3f}" == ex.text("convex_ratio")
    assert 0.49 < ratio <= 0.5
    assert np.max(f(path[1:]) / bound) <= _number(ex.text("convex_max_ratio"))
    f4, df4 = _huber(R / 9, L)
    p4 = _gd(df4, [R * nudge], 1 / L, 4)[:, 0]
    assert f"{f4(p4[4]) / (L * R**2 / 8):.3f}" == ex.text("convex_ratio_small")


def test_on_one_function_gradient_descent_leaves_theorem1s_bound_behind(ex):
    """The page: no single function keeps gradient descent near L R²/(2t) for ever (t F_t -> 0).
    On the Huber function of the longest horizon, 2t F_t / (L R²) is near ½ at T, then tiny."""
    L, R, T = ex.raw("convex_l"), ex.raw("convex_dist"), ex.raw("convex_t")
    f, df = _huber(R / (2 * T + 1), L)
    path = _gd(df, [R], 1 / L, 8 * T)[:, 0]
    t = np.arange(len(path))
    ratio = f(path[1:]) * 2 * t[1:] / (L * R**2)
    assert ratio[T - 1] > 0.49 and np.all(ratio[4 * T:] < 1e-6)


# ------------------------------------------------------------------ Theorem 3: strongly convex
def test_theorem3_is_exact_on_a_two_curvature_quadratic(ex):
    kappa, steps = ex.raw("strong_kappa"), ex.raw("strong_steps")
    mu, L = 1.0 / kappa, 1.0
    rng = np.random.default_rng(0)
    Q = np.linalg.qr(rng.normal(size=(2, 2)))[0]
    A = Q @ np.diag([mu, L]) @ Q.T
    rate = (kappa - 1) / (kappa + 1)
    assert ex.raw("strong_rate") == pytest.approx(rate)
    for start in (np.array([2.0, 1.0]), rng.normal(size=2)):
        d = np.linalg.norm(_gd(lambda x: A @ x, start, 2 / (mu + L), steps), axis=1)
        bound = rate ** np.arange(steps + 1) * d[0]
        assert np.max(np.abs(d / bound - 1)) < 1e-12  # equality, from any start
        d1 = np.linalg.norm(_gd(lambda x: A @ x, start, 1 / L, steps), axis=1)
        assert np.all(d1 <= (1 - 1 / kappa) ** np.arange(steps + 1) * d1[0] * (1 + 1e-12))
    assert np.max(np.abs(ex.ns["ratio2"]["best"] - 1)) <= _number(ex.text("strong_ratio_gap"))
    assert _number(ex.text("strong_ratio_gap")) < 1e-12
    assert 0.99 < ex.raw("strong_ratio_inv_l") <= 1


@pytest.mark.parametrize("seed", range(5))
def test_theorem3_holds_on_strongly_convex_non_quadratics(seed):
    """f = ½ θᵀAθ + Σ log cosh(θᵢ) · c: curvature in [μ, L] with μ = λ_min(A), L = λ_max(A) + c."""
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.normal(size=(4, 4)))[0]
    A = Q @ np.diag([0.1, 0.5, 1.0, 2.0]) @ Q.T
    c = 1.5
    mu, L = 0.1, 2.0 + c
    grad = lambda x: A @ x + c * np.tanh(x)  # noqa: E731
    rate = (L - mu) / (L + mu)
    start = rng.normal(size=4) * 3
    d = np.linalg.norm(_gd(grad, start, 2 / (mu + L), 200), axis=1)
    assert np.all(d <= rate ** np.arange(201) * d[0] * (1 + 1e-12) + 1e-300)
    d1 = np.linalg.norm(_gd(grad, start, 1 / L, 200), axis=1)  # and 1 - 1/κ at η = 1/L
    assert np.all(d1 <= (1 - mu / L) ** np.arange(201) * d1[0] * (1 + 1e-12) + 1e-300)


# ------------------------------------------------------------------ Theorem 4: PL
def _wavy():
    return (lambda x: x**2 + 3 * np.sin(x) ** 2, lambda x: 2 * x + 3 * np.sin(2 * x))


def test_pl_constants_of_the_wavy_function(ex):
    f, df = _wavy()
    # not convex: f'' = 2 + 6 cos 2θ reaches -4 at θ = π/2
    assert 2 + 6 * math.cos(math.pi) == -4 == _number(ex.text("pl_min_curv").replace("−", "-"))
    # L = 8 = max |f''|, checked against autograd on a grid
    x = torch.linspace(-6, 6, 2001, dtype=torch.float64)
    second = [float(hessian(lambda t: t**2 + 3 * torch.sin(t) ** 2, xi)) for xi in x[::50]]
    assert max(abs(s) for s in second) <= ex.raw("pl_l") == 8.0
    # μ: refine the minimum of ½f'²/f around the grid's minimiser; the quoted value is below it
    ratio = lambda t: 0.5 * df(t) ** 2 / f(t)  # noqa: E731
    start = ex.raw("pl_start")
    fine = np.linspace(start - 1e-3, start + 1e-3, 200_001)
    true_mu = ratio(fine).min()
    assert _number(ex.text("pl_mu")) <= true_mu <= ex.raw("pl_mu") + 1e-12
    coarse = np.linspace(-10, 10, 20_001)
    coarse = coarse[coarse != 0]
    assert ratio(coarse).min() >= true_mu - 1e-9  # the refined point is the global minimum
    # outside the grid: ½f'² / f >= ½(2|θ| - 3)² / (θ² + 3) >= 1, since 2θ² - 12θ + 3 >= 0 there
    edge = ex.raw("pl_edge")
    assert 2 * edge**2 - 12 * edge + 3 > 0 and edge > 3  # and the parabola grows beyond its root
    big = np.linspace(edge, 1e4, 100_001)
    assert np.all(0.5 * (2 * big - 3) ** 2 / (big**2 + 3) >= 1)
    assert 1 - true_mu / 8 <= _number(ex.text("pl_factor"))


@pytest.mark.parametrize("nudge", [0.0, 1e-12, -1e-12])
def test_theorem4_holds_along_the_run_and_its_first_step_is_close(ex, nudge):
    f, df = _wavy()
    mu, L = ex.raw("pl_mu"), ex.raw("pl_l")
    path = _gd(df, [ex.raw("pl_start") + nudge], 1 / L, 12)[:, 0]
    bound = (1 - mu / L) ** np.arange(13) * f(path[0])
    assert np.all(f(path) <= bound * (1 + 1e-12))
    assert f"{f(path[1]) / bound[1]:.3f}" == ex.text("pl_first_ratio")
    assert f(path[5]) / bound[5] <= _number(ex.text("pl_ratio_5"))
    # the theorem also holds from other starts, with the global μ
    for start in np.linspace(-8, 8, 41):
        p = _gd(df, [start], 1 / L, 40)[:, 0]
        assert np.all(f(p) <= (1 - mu / L) ** np.arange(41) * f(start) * (1 + 1e-12) + 1e-300)


# ------------------------------------------------------------------ Theorem 2: acceleration
def _tridiagonal(d, L):
    A = (L / 4) * (2 * np.eye(d) - np.eye(d, k=1) - np.eye(d, k=-1))
    b = np.zeros(d)
    b[0] = -L / 4
    return A, b


def _fista(grad, x0, L, steps):
    """Beck & Teboulle's FISTA (no prox) with their t_k = (k+1)/2 instead of the recursion: x_k is
    the k-th gradient step, from y_k = x_{k-1} + (t_{k-1} - 1)/t_k (x_{k-1} - x_{k-2})."""
    x_prev = x = np.array(x0, dtype=float)
    xs = [x]
    for k in range(1, steps + 1):
        y = x + (k - 2) / (k + 1) * (x - x_prev) if k > 1 else x  # (t-1)/(t+2) with t = k-1
        x_prev, x = x, y - grad(y) / L
        xs.append(x)
    return np.array(xs)


def test_krylov_methods_move_one_coordinate_per_step():
    """From 0, the t-th iterate of GD and of Nesterov is zero beyond coordinate t."""
    d, L = 21, 1.0
    A, b = _tridiagonal(d, L)
    grad = lambda x: A @ x + b  # noqa: E731
    for path in (_gd(grad, np.zeros(d), 1 / L, 10), _fista(grad, np.zeros(d), L, 10)):
        for t, x in enumerate(path):
            assert np.all(x[t:] == 0)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("t_max", [3, 6, 10])
def test_lower_bound_holds_for_any_method_that_steps_in_the_span_of_its_gradients(seed, t_max):
    """Theorem 2's lower bound is about every such method, not only GD and Nesterov: random
    combinations of the gradients seen (taken at random points of the span) stay on the first t
    coordinates, above the floor L/8 (1/(t+1) - 1/(d+1)), and at K = 2t+1 above 3LR²/(32(t+1)²)."""
    rng = np.random.default_rng(seed)
    L, d = 1.7, 2 * t_max + 1
    A, b = _tridiagonal(d, L)
    f = lambda x: 0.5 * x @ A @ x + b @ x  # noqa: E731
    star = np.linalg.solve(A, -b)
    grads, points = [], [np.zeros(d)]
    for t in range(1, t_max + 1):
        grads.append(A @ points[-1] + b)  # the gradient at the point asked last
        G = np.array(grads)
        theta = rng.normal(size=t) @ G * 3  # the iterate: any combination of them
        points.append(rng.normal(size=t) @ G)  # the next point to ask at: another one
        assert np.all(theta[t:] == 0)
        assert f(theta) - f(star) >= L / 8 * (1 / (t + 1) - 1 / (d + 1)) * (1 - 1e-9)
    assert f(theta) - f(star) >= 3 * L * star @ star / (32 * (t_max + 1) ** 2)


def test_theorem2_bounds_hold_at_every_step_on_the_worst_function(ex):
    d, T = ex.raw("accel_d"), ex.raw("accel_t")
    assert T == (d - 1) // 2
    L = 1.0
    A, b = _tridiagonal(d, L)
    grad = lambda x: A @ x + b  # noqa: E731
    f = lambda x: 0.5 * np.einsum("...i,ij,...j->...", x, A, x) + x @ b  # noqa: E731
    star = 1 - np.arange(1, d + 1) / (d + 1)
    f_star, R2 = f(star), np.sum(star**2)
    t = np.arange(1, T + 1)
    nest = f(_fista(grad, np.zeros(d), L, T))[1:] - f_star
    plain = f(_gd(grad, np.zeros(d), 1 / L, T))[1:] - f_star
    floor = L / 8 * (1 / (t + 1) - 1 / (d + 1))
    assert np.all(nest <= 2 * L * R2 / (t + 1) ** 2)
    assert np.all(plain <= L * R2 / (2 * t))
    assert np.all(nest >= floor * (1 - 1e-9)) and np.all(plain >= floor * (1 - 1e-9))
    # the theorem's 3LR²/(32(t+1)²) is below the floor at t = (d-1)/2 (the cross)
    assert 3 * L * R2 / (32 * (T + 1) ** 2) <= floor[-1]
    assert f"{nest[-1] / floor[-1]:.2f}" == ex.text("accel_nest_over_floor")
    assert f"{nest[-1] / (2 * L * R2 / (T + 1) ** 2):.3f}" == ex.text("accel_nest_ratio")
    assert f"{plain[-1] / nest[-1]:.1f}" == ex.text("accel_gd_over_nest")
    assert ex.raw("accel_upper_over_lower") == pytest.approx(64 / 3)  # 2 / (3/32), at every t
    assert nest[-1] < plain[-1]


@pytest.mark.parametrize("seed", range(4))
def test_theorem2_upper_bound_on_random_smooth_convex_functions(seed):
    """log-sum-exp plus a rank-deficient quadratic: convex, L-smooth with L = 1 + λ_max."""
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(6, 3))
    A = M @ M.T / 10  # rank 3: not strongly convex
    W = rng.normal(size=(5, 6)) / 3

    def f(x):
        z = W @ x
        return np.log(np.sum(np.exp(z))) + 0.5 * x @ A @ x

    def grad(x):
        z = W @ x
        p = np.exp(z - z.max())
        return W.T @ (p / p.sum()) + A @ x

    L = np.linalg.eigvalsh(W.T @ W).max() + np.linalg.eigvalsh(A).max()  # softmax Hessian ⪯ I
    x0 = rng.normal(size=6) * 2
    ref = _gd(grad, x0, 1 / L, 20000)[-1]  # a minimiser, to high accuracy
    xs = _fista(grad, x0, L, 150)
    f_ref = min(f(ref), min(f(x) for x in xs))
    R2 = np.sum((x0 - ref) ** 2)
    for t in range(1, 151):
        assert f(xs[t]) - f_ref <= 2 * L * R2 / (t + 1) ** 2 + 1e-9


def test_the_examples_accelerated_loop_is_fista(ex):
    d = 31
    obj = gd.nesterov_worst_case(d)
    ours = ex.ns["nesterov_accelerated"](obj, np.zeros(d), 15, 1.0)
    A, b = _tridiagonal(d, 1.0)
    np.testing.assert_allclose(ours, _fista(lambda x: A @ x + b, np.zeros(d), 1.0, 15),
                               rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------------ Theorem 5: SGD
def test_theorem5_holds_in_expectation_at_every_horizon(ex):
    """Independent runs (another generator) of SGD on the smoothed |θ| with noisy gradients."""
    c, s, eps, x0 = ex.raw("sgd_c"), ex.raw("sgd_s"), ex.raw("sgd_eps"), 1.0
    gamma = math.hypot(c, s)
    rng = np.random.default_rng(12345)
    f = lambda x: c * (np.sqrt(x * x + eps * eps) - eps)  # noqa: E731
    seeds = 400
    ratios = []
    for T in (10, 100, 1000):
        eta = x0 / (gamma * math.sqrt(T))
        x, total = np.full(seeds, x0), np.zeros(seeds)
        for _ in range(T):
            total += x
            x = x - eta * (c * x / np.sqrt(x * x + eps * eps) + s * rng.standard_normal(seeds))
        gaps = f(total / T)
        bound = x0 * gamma / math.sqrt(T)
        mean, sem = gaps.mean(), gaps.std(ddof=1) / math.sqrt(seeds)
        assert mean + 4 * sem <= bound  # the bound holds, well outside the sampling error
        ratios.append(mean / bound)
    lo, hi = _number(ex.text("sgd_ratio_low")), _number(ex.text("sgd_ratio_high"))
    assert all(lo <= r <= hi for r in ratios), ratios
    assert lo <= ex.raw("sgd_ratio_low") <= ex.raw("sgd_ratio_high") <= hi


def test_the_sgd_runs_gamma_bounds_the_gradients_second_moment_everywhere(ex):
    """E g² = f'(θ)² + s² for Gaussian noise; |f'| = c|θ|/√(θ² + a²) < c on the whole line, so
    Γ² = c² + s² holds at every point the run can reach, not only near the start."""
    c, s, eps = ex.raw("sgd_c"), ex.raw("sgd_s"), ex.raw("sgd_eps")
    theta = np.concatenate([-np.geomspace(1e-9, 1e9, 2001), [0.0], np.geomspace(1e-9, 1e9, 2001)])
    slope = c * np.abs(theta) / np.sqrt(theta**2 + eps**2)
    assert np.all(slope <= c) and np.max(slope**2 + s**2) <= ex.ns["GAMMA5"] ** 2 * (1 + 1e-15)
    rng = np.random.default_rng(7)  # the second moment of one noisy gradient, by sampling
    g = ex.ns["vee"].grad(np.array([[0.3]]))[0, 0] + s * rng.standard_normal(400_000)
    assert np.mean(g**2) == pytest.approx(c**2 * 0.3**2 / (0.3**2 + eps**2) + s**2, rel=0.01)


def test_sgd_example_ratios_are_within_the_quoted_range(ex):
    assert 1e-2 < ex.ns["mean5"].min() and ex.ns["bound5"].max() < 1  # inside the figure's y-range
    ratio = ex.ns["ratio5"]
    sem = ex.ns["sem5"] / ex.ns["bound5"]
    assert np.all(ratio + 4 * sem <= 1)  # every horizon under the bound
    lo, hi = _number(ex.text("sgd_ratio_low")), _number(ex.text("sgd_ratio_high"))
    assert np.all((lo <= ratio - 3 * sem) & (ratio + 3 * sem <= hi))  # robust to the seed


# ------------------------------------------------------------------ exercises
def test_exercise_answers_from_the_formulas(ex):
    L, R, tol = ex.raw("ex_l"), ex.raw("ex_dist"), ex.raw("ex_tol")
    # Theorem 1: the smallest t with L R² / (2t) <= tol, by counting
    t = 1
    while L * R * R / (2 * t) > tol * (1 + 1e-12):
        t += 1
    assert ex.raw("ex_gd_steps") == t
    t = 1
    while 2 * L * R * R / (t + 1) ** 2 > tol * (1 + 1e-12):
        t += 1
    assert ex.raw("ex_nest_steps") == t
    kappa, shrink = ex.raw("ex_kappa"), ex.raw("ex_shrink")
    q, t, factor = (kappa - 1) / (kappa + 1), 0, 1.0
    while factor > shrink:
        factor *= q
        t += 1
    assert ex.raw("ex_sc_steps") == t
    gamma, target = ex.raw("ex_gamma"), ex.raw("ex_target")
    T = math.ceil((R * gamma / target) ** 2 - 1e-6)
    assert R * gamma / math.sqrt(T) <= target * (1 + 1e-12) < R * gamma / math.sqrt(T - 1)
    assert ex.raw("ex_sgd_steps") == T


def test_strong_convexity_implies_pl_numerically():
    """The Derive exercise: ½‖∇f‖² >= μ (f - f*) for μ-strongly convex f (a quadratic here)."""
    rng = np.random.default_rng(3)
    Q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    lam = np.array([0.2, 1.0, 5.0])
    A = Q @ np.diag(lam) @ Q.T
    for x in rng.normal(size=(100, 3)):
        assert 0.5 * np.sum((A @ x) ** 2) >= lam.min() * 0.5 * x @ A @ x * (1 - 1e-12)
    # not quadratic: f = ½ μ‖x‖² + Σ log cosh(xᵢ) is μ-strongly convex, minimum 0 at 0
    mu = 0.3
    for x in rng.normal(size=(200, 3)) * 4:
        grad = mu * x + np.tanh(x)
        value = 0.5 * mu * x @ x + np.sum(np.log(np.cosh(x)))
        assert 0.5 * grad @ grad >= mu * value * (1 - 1e-12)
