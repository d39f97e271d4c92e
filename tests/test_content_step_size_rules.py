"""Claims of the step-size rules page (docs/step-size-rules.md), recomputed independently with
plain numpy loops and closed forms (not gd.run, not gdnotes.line_search). The example's quoted
numbers are read from a run of the example in this process; the exercises' answers are
recomputed from the math at the end."""

from __future__ import annotations

import math

import numpy as np
import pytest
from exampletools import Example, quoted

import gdnotes as gd


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return Example("step_size_rules", tmp_path_factory.mktemp("step_size_rules"))


def _number(text: str) -> float:
    """A value's page text ("4.5 × 10⁻¹⁶", "2,308") as a float."""
    return float(text.replace("\xa0", " ").replace(" × 10⁻", "e-").replace(" × 10", "e")
                 .replace("10⁻", "1e-").replace(",", "")
                 .translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))


# ------------------------------------------------------------------------- backtracking
A1, A2 = 1.0, 0.25


def _f(x):
    r2 = x @ x
    return 0.25 * r2 * r2 + 0.5 * (A1 * x[0] ** 2 + A2 * x[1] ** 2)


def _df(x):
    return (x @ x) * x + np.array([A1, A2]) * x


def _hessian(x):
    return (x @ x) * np.eye(2) + 2 * np.outer(x, x) + np.diag([A1, A2])


def _backtrack(x0, steps, lr=1.0, c=1e-4, xi=0.5):
    x, fs, etas, trials = x0.copy(), [_f(x0)], [], []
    for _ in range(steps):
        g, eta, n = _df(x), lr, 1
        while _f(x - eta * g) > _f(x) - c * eta * (g @ g):
            eta, n = eta * xi, n + 1
        x = x - eta * g
        fs.append(_f(x))
        etas.append(eta)
        trials.append(n)
    return np.array(fs), np.array(etas), np.array(trials)


def _fixed(x0, eta, steps):
    x, fs = x0.copy(), [_f(x0)]
    for k in range(steps):
        x = x - eta * _df(x)
        fs.append(_f(x))
        if not np.isfinite(fs[-1]) or np.linalg.norm(x) > 1e8:
            return np.array(fs), k + 1
    return np.array(fs), None


def _first(values, target):
    return int(np.nonzero(np.asarray(values) <= target)[0][0])


def test_the_curvature_bound_holds_on_the_sublevel_set(ex):
    """L bounds ‖∇²f‖ wherever f <= f(θ₀): sample the set densely and check."""
    x0 = np.array([2.0, 2.0])
    assert ex.raw("x0") == "(2, 2)" and (ex.raw("a1"), ex.raw("a2")) == (A1, A2)
    f0, L = _f(x0), ex.raw("l_bound")
    g = np.linspace(-4, 4, 321)
    X, Y = np.meshgrid(g, g)
    pts = np.stack([X.ravel(), Y.ravel()], -1)
    r2 = np.sum(pts * pts, -1)
    inside = pts[0.25 * r2 * r2 + 0.5 * (A1 * pts[:, 0] ** 2 + A2 * pts[:, 1] ** 2) <= f0]
    hessians = (np.sum(inside * inside, -1)[:, None, None] * np.eye(2)
                + 2 * inside[:, :, None] * inside[:, None, :] + np.diag([A1, A2]))
    worst = np.linalg.eigvalsh(hessians)[:, -1].max()
    np.testing.assert_allclose(np.linalg.eigvalsh(hessians[::97])[:, -1],
                               [np.linalg.eigvalsh(_hessian(p))[-1] for p in inside[::97]])
    assert worst <= L <= _number(ex.text("l_bound"))
    assert worst > 0.8 * L  # and it is not a lazy bound
    # "the guarantee is for the worst point of the set, and most points are far better"
    assert np.mean(np.linalg.eigvalsh(hessians)[:, -1] < L / 2) > 0.5
    assert ex.raw("guarantee") == pytest.approx(min(1.0, 2 * 0.5 * (1 - 1e-4) / L))
    assert ex.raw("guarantee") >= _number(ex.text("guarantee"))


@pytest.mark.parametrize("nudge", [1.0, 1 + 1e-12, 1 - 1e-12])
def test_backtracking_run_numbers(ex, nudge):
    x0 = np.array([2.0, 2.0]) * nudge
    fs, etas, trials = _backtrack(x0, 60)
    target = ex.raw("target")
    arrive = _first(fs, target)
    assert arrive == ex.raw("bt_arrive")
    assert trials[:arrive].sum() == ex.raw("bt_evals")
    assert trials[:arrive].sum() - arrive == ex.raw("bt_extra")
    assert np.all(trials[1:] == 1)  # "after the first step every first trial passed"
    assert etas.min() == ex.raw("eta_min")
    assert np.all(etas[1:] == 1.0)  # "takes at every step after the first"
    assert etas.min() >= ex.raw("guarantee")  # the guarantee holds along the run
    # and every step lowered f by at least c η ‖g‖²  (Armijo)
    safe, _ = _fixed(x0, ex.raw("safe_lr"), 1100)
    safe_arrive = _first(safe, target)
    assert safe_arrive == _number(ex.text("safe_arrive"))
    assert safe_arrive / arrive > _number(ex.text("safe_ratio"))
    assert np.all(np.diff(safe) < 0)  # 1/L is safe: f falls at every step
    _, diverged = _fixed(x0, 1.0, 50)
    assert diverged == ex.raw("big_diverged")


def _sublevel_curvature_bound(x0):
    """An upper bound on the largest Hessian eigenvalue where f <= f(x0): ‖∇²f‖ <= 3r² + max a,
    and f >= r⁴/4 + min(a) r²/2 bounds r² there."""
    low = min(A1, A2) / 2
    r2 = 2 * (-low + math.sqrt(low * low + _f(x0)))
    return 3 * r2 + max(A1, A2)


@pytest.mark.parametrize("lr, c, xi", [(1.0, 1e-4, 0.5), (8.0, 0.3, 0.7), (3.0, 0.9, 0.2)])
def test_backtracking_guarantee_needs_curvature_only_on_the_sublevel_set(lr, c, xi):
    """The page: curvature <= L where f <= f(θ₀) is enough, although longer trials land outside
    that set (where the curvature is far above L). Every accepted step is at least
    min(η_max, 2χ(1-c₁)/L), and every search ends within the stated number of trials."""
    rng = np.random.default_rng(int(lr * 10))
    outside = 0
    for x0 in rng.normal(size=(12, 2)) * 1.5:
        L, f0 = _sublevel_curvature_bound(x0), _f(x0)
        most = 1 + max(0, math.ceil(math.log(lr * L / (2 * (1 - c))) / math.log(1 / xi)))
        x = x0.copy()
        for _ in range(40):
            g, eta, n = _df(x), lr, 1
            if g @ g == 0:
                break
            while _f(x - eta * g) > _f(x) - c * eta * (g @ g):
                outside += _f(x - eta * g) > f0
                eta, n = eta * xi, n + 1
            assert eta >= min(lr, 2 * xi * (1 - c) / L) * (1 - 1e-12)
            assert eta <= 2 * (1 - c) / L or eta == lr or eta / xi > 2 * (1 - c) / L
            assert n <= most
            x = x - eta * g
            assert _f(x) <= f0
    assert outside > 0  # the condition on the set is all the guarantee used


def test_the_first_trial_of_the_run_leaves_the_sublevel_set(ex):
    """The page: "longer trials may land there (the first trial of the run below does)"."""
    x0 = np.array([2.0, 2.0])
    assert _f(x0 - ex.raw("first") * _df(x0)) > _f(x0)
    assert ex.raw("first") > 2 * (1 - ex.raw("c")) / ex.raw("l_bound")


def test_some_decrease_is_not_enough():
    """The page: steps that overshoot the minimum by a little less each time lower f at every
    step and still stall. On f = θ², θ_t = (-1)ᵗ(1 + 2⁻ᵗ) lowers f at every step, each a step
    along -f'(θ_t), yet |θ_t| -> 1, where |f'| = 2; Armijo refuses these steps (their decrease
    is a vanishing share of η_t f'(θ_t)²), and backtracking's shortest step is bounded below."""
    t = np.arange(40)
    theta = (-1.0) ** t * (1 + 0.5**t)
    f = theta**2
    assert np.all(np.diff(f) < 0)
    eta = (theta[:-1] - theta[1:]) / (2 * theta[:-1])  # θ_{t+1} = θ_t - η_t f'(θ_t)
    assert np.all(eta > 0)
    assert abs(abs(theta[-1]) - 1) < 1e-11  # stuck where |f'| = 2: not a minimum
    share = -np.diff(f) / (eta * (2 * theta[:-1]) ** 2)  # what Armijo compares with c
    assert share[-1] < 1e-10 and np.all(np.diff(share) < 0)


def test_backtracking_steps_meet_armijo_and_f_bounded_below_forces_small_gradients():
    x = np.array([2.0, 2.0])
    for _ in range(120):
        g, eta = _df(x), 1.0
        while _f(x - eta * g) > _f(x) - 1e-4 * eta * (g @ g):
            eta *= 0.5
        new = x - eta * g
        assert _f(new) <= _f(x) - 1e-4 * eta * (g @ g)
        x = new
    assert np.linalg.norm(_df(x)) < 1e-6


# ------------------------------------------------------------------------- exact line search
def _quadratic(eigs, angle):
    c, s = math.cos(angle), math.sin(angle)
    R = np.array([[c, -s], [s, c]])
    return R @ np.diag(eigs) @ R.T, R


def _exact_path(A, x0, steps):
    x, xs = x0.copy(), [x0.copy()]
    for _ in range(steps):
        g = A @ x
        if g @ g == 0:
            break
        x = x - (g @ g) / (g @ A @ g) * g
        xs.append(x.copy())
    return np.array(xs)


def _values(A, xs):
    return 0.5 * np.einsum("ti,ij,tj->t", xs, A, xs)


def test_worst_start_ratio_is_exactly_the_rate(ex):
    kappa = ex.raw("kappa")
    rate = ((kappa - 1) / (kappa + 1)) ** 2
    assert ex.raw("rate") == pytest.approx(rate)
    A, R = _quadratic([1.0, kappa], 0.5)
    worst = np.linalg.solve(A, R @ np.array([1.0, 1.0]))  # g₀ = A θ₀ = v_μ + v_L
    xs = _exact_path(A, worst, 30)
    ratios = _values(A, xs)[1:] / _values(A, xs)[:-1]
    np.testing.assert_allclose(ratios, rate, rtol=1e-12)
    g = xs @ A
    cos = np.sum(g[1:] * g[:-1], -1) / np.linalg.norm(g[1:], axis=-1) / np.linalg.norm(g[:-1],
                                                                                     axis=-1)
    assert np.abs(cos).max() < ex.raw("rounding")
    assert np.abs(ratios - rate).max() < ex.raw("rounding")


@pytest.mark.parametrize("seed", range(5))
def test_kantorovich_bound_and_constant_ratio_in_two_dimensions(seed):
    """From any start the ratio is at most ((κ-1)/(κ+1))²; in 2-D it is the same at every step.
    In 3-D it need not be constant (the 2-D argument is what the page uses)."""
    rng = np.random.default_rng(seed)
    kappa = rng.uniform(2, 50)
    A, _ = _quadratic([1.0, kappa], rng.uniform(0, np.pi))
    xs = _exact_path(A, rng.normal(size=2) * 3, 12)
    v = _values(A, xs)
    ratios = v[1:] / v[:-1]
    assert ratios.max() <= ((kappa - 1) / (kappa + 1)) ** 2 * (1 + 1e-12)
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-8)
    g = xs @ A  # in 2-D, g_{t+2} is parallel to g_t (both are at a right angle to g_{t+1})
    cross = g[2:, 0] * g[:-2, 1] - g[2:, 1] * g[:-2, 0]
    assert np.all(np.abs(cross) <= 1e-9 * np.linalg.norm(g[2:], axis=-1)
                  * np.linalg.norm(g[:-2], axis=-1))
    A3 = np.diag([1.0, 3.0, kappa])
    xs3 = _exact_path(A3, rng.normal(size=3), 6)
    r3 = _values(A3, xs3)[1:] / _values(A3, xs3)[:-1]
    assert r3.max() <= ((kappa - 1) / (kappa + 1)) ** 2 * (1 + 1e-12)
    assert np.ptp(r3) > 1e-6


def test_the_other_start_and_the_best_fixed_step(ex):
    kappa = ex.raw("kappa")
    A, _ = _quadratic([1.0, kappa], 0.5)
    other = np.array([float(s) for s in ex.raw("other_start").strip("()").split(",")])
    xs = _exact_path(A, other, 30)
    v = _values(A, xs)
    keep = v > 1e-200
    ratios = v[keep][1:] / v[keep][:-1]
    assert ratios.mean() == pytest.approx(ex.raw("other_ratio"), rel=1e-6)
    assert ratios.max() < ((kappa - 1) / (kappa + 1)) ** 2
    # gradient descent with η = 2/(μ + L): the same factor from every start
    rng = np.random.default_rng(7)
    eta = 2 / (1 + kappa)
    for x in rng.normal(size=(5, 2)):
        vals = [0.5 * x @ A @ x]
        for _ in range(20):
            x = x - eta * (A @ x)
            vals.append(0.5 * x @ A @ x)
        np.testing.assert_allclose(np.array(vals[1:]) / vals[:-1],
                                   ((kappa - 1) / (kappa + 1)) ** 2, rtol=1e-9)
    # "at most the same factor from every start": in more dimensions the middle curvatures
    # shrink faster, so the factor is below it (and not constant)
    for d in (3, 6):
        lam = np.concatenate([[1.0, kappa], rng.uniform(1.0, kappa, d - 2)])
        x = rng.normal(size=d)
        vals = [0.5 * np.sum(lam * x * x)]
        for _ in range(20):
            x = x - eta * lam * x
            vals.append(0.5 * np.sum(lam * x * x))
        r = np.array(vals[1:]) / vals[:-1]
        assert r.max() <= ((kappa - 1) / (kappa + 1)) ** 2 * (1 + 1e-12)
        assert r.min() < ((kappa - 1) / (kappa + 1)) ** 2 * (1 - 1e-3)


# ------------------------------------------------------------------------- Polyak
W = np.array([1.0, 4.0])
C, S = math.cos(0.5), math.sin(0.5)
R_KINK = np.array([[C, -S], [S, C]])


def _kink(x):
    return float(np.sum(W * np.abs(x @ R_KINK)))


def _kink_grad(x):
    return (W * np.sign(x @ R_KINK)) @ R_KINK.T


def _subgradient(x0, rule, steps):
    x, fs, ds = x0.copy(), [_kink(x0)], [np.linalg.norm(x0)]
    for t in range(steps):
        g = _kink_grad(x)
        x = x - rule(t, x, g) * g
        fs.append(_kink(x))
        ds.append(np.linalg.norm(x))
    return np.array(fs), np.array(ds)


def _polyak_rule(t, x, g):
    return _kink(x) / (g @ g)


@pytest.mark.parametrize("nudge", [1.0, 1 + 1e-12])
def test_kinked_function_numbers(ex, nudge):
    x0 = np.array([2.0, 1.5]) * nudge
    steps = ex.raw("kink_steps")
    fixed, _ = _subgradient(x0, lambda t, x, g: ex.raw("kink_fixed"), steps)
    decay, _ = _subgradient(x0, lambda t, x, g: ex.raw("kink_decay") / math.sqrt(t + 1), steps)
    polyak, dist = _subgradient(x0, _polyak_rule, steps)
    best_fixed = np.minimum.accumulate(fixed)
    assert f"{best_fixed[-1]:.2f}" == ex.text("kink_floor")
    assert _first(best_fixed, best_fixed[-1]) == ex.raw("kink_floor_at")
    assert best_fixed[ex.raw("kink_floor_at")] == best_fixed[-1]  # "stops improving"
    assert f"{np.minimum.accumulate(decay)[-1]:.3f}" == ex.text("kink_decay_end")
    best_polyak = np.minimum.accumulate(polyak)
    assert best_polyak[-1] <= _number(ex.text("kink_polyak_end"))
    rate = (best_polyak[-1] / best_polyak[100]) ** (1 / 100)
    assert f"{rate:.2f}" == ex.text("kink_polyak_rate")
    # "falls by about that factor per step": every 20-step stretch of the second half
    per = (best_polyak[120::20] / best_polyak[100:-20:20]) ** (1 / 20)
    assert np.all(np.abs(per - rate) < 0.03)
    assert np.all(np.diff(dist) <= 1e-15)  # the distance to the minimiser never grows
    # the decaying step keeps improving while the fixed one has stopped
    assert np.minimum.accumulate(decay)[-1] < np.minimum.accumulate(decay)[100]


def _bad_quadratic_run(kappa, rule, x0, steps=800):
    lam = np.array([1.0, kappa])
    x, vs, ds = np.array(x0, dtype=float), [], []
    for _ in range(steps + 1):
        vs.append(0.5 * np.sum(lam * x * x))
        ds.append(np.linalg.norm(x))
        g = lam * x
        if g @ g == 0:
            break
        x = x - rule(x, g, lam) * g
    return np.array(vs), np.array(ds)


RULES = {"polyak": lambda x, g, lam: 0.5 * np.sum(lam * x * x) / (g @ g),
         "exact": lambda x, g, lam: (g @ g) / np.sum(lam * g * g),
         "fixed": lambda x, g, lam: 2 / (1 + lam[-1])}


def test_polyak_on_the_badly_scaled_quadratic(ex):
    kappa, target = ex.raw("bad_kappa"), ex.raw("bad_target")
    runs = {n: _bad_quadratic_run(kappa, rule, [1.0, 0.1]) for n, rule in RULES.items()}
    arrive = {n: _first(v / v[0], target) for n, (v, _) in runs.items()}
    assert arrive["exact"] == ex.raw("bad_exact")
    assert arrive["fixed"] == ex.raw("bad_fixed")
    # "in between", "chaotic", "f goes up on many steps", "distance falls at every step":
    # from the page's start nudged, and from other starts
    rng = np.random.default_rng(11)
    starts = [np.array([1.0, 0.1]) * (1 + nu) for nu in (0, 1e-12, -1e-12, 1e-9)]
    # a uniform factor only rescales Polyak's run on a quadratic (its steps are scale-free), so
    # the counts above differ by rounding alone; moving one coordinate changes the run itself
    starts += [np.array([1.0, 0.1]) * (1 + np.array(nu)) for nu in ((1e-12, 0), (0, 1e-12))]
    starts += list(rng.normal(size=(12, 2)))
    counts = []
    for x0 in starts:
        v, d = _bad_quadratic_run(kappa, RULES["polyak"], x0)
        n = _first(v / v[0], target)
        ve, _ = _bad_quadratic_run(kappa, RULES["exact"], x0)
        vf, _ = _bad_quadratic_run(kappa, RULES["fixed"], x0)
        assert _first(ve / ve[0], target) < n < _first(vf / vf[0], target)
        rises = v[1:n + 1] / v[:n] > 1
        assert rises.mean() > 0.2
        assert np.all(np.diff(d[:n + 1]) < 0)
        counts.append(n)
    assert len(set(counts[:4])) > 1  # chaotic: a nudge of 10⁻¹² changes the count
    assert len({counts[0], counts[4], counts[5]}) == 3  # and so does one coordinate's


def test_polyak_with_a_too_low_f_star_stalls_near_the_minimum():
    """The page: a too-low guess keeps the steps too long near the minimum."""
    lam = np.array([1.0, 10.0])
    for guess in (-1e-2, -1e-4):
        x = np.array([1.0, 1.0])
        for _ in range(2000):
            f, g = 0.5 * np.sum(lam * x * x), lam * x
            x = x - (f - guess) / (g @ g) * g
        assert 0.5 * np.sum(lam * x * x) > 1e-3 * abs(guess)  # never gets close
    x = np.array([1.0, 1.0])
    for _ in range(2000):  # with the right f* it does
        f, g = 0.5 * np.sum(lam * x * x), lam * x
        x = x - f / (g @ g) * g
    assert 0.5 * np.sum(lam * x * x) < 1e-20


# ------------------------------------------------------------------------- preconditioning
def _kappa(M):
    lam = np.linalg.eigvalsh(M)
    return lam[-1] / lam[0]


def _sqrtm(M):
    lam, V = np.linalg.eigh(M)
    return V @ np.diag(np.sqrt(lam)) @ V.T


def _steps_preconditioned(A, P, x0, target):
    """θ ← θ - η P ∇f(θ) with η = 2/(μ̃ + L̃) for P^{1/2} A P^{1/2}: steps until f falls by target."""
    lam = np.linalg.eigvalsh(_sqrtm(P) @ A @ _sqrtm(P))
    eta = 2 / (lam[0] + lam[-1])
    x, f0 = x0.copy(), 0.5 * x0 @ A @ x0
    for k in range(1, 1000):
        x = x - eta * P @ (A @ x)
        if 0.5 * x @ A @ x <= target * f0:
            return k
    return None


def test_preconditioning_table(ex):
    kappa, target = ex.raw("pre_kappa"), ex.raw("pre_target")
    x0 = np.array([-2.0, 1.2])
    rows = ex.table("precondition")
    assert len(rows) == 6
    angles = {"slightly rotated": math.radians(ex.raw("pre_angle")), "rotated 45°": math.pi / 4}
    for bowl, pname, kappa_cell, steps_cell in rows:
        A, _ = _quadratic([1.0, kappa], angles[bowl])
        P = {"none": np.eye(2), "diagonal": np.diag(1 / np.diag(A)),
             "Newton": np.linalg.inv(A)}[pname.split(",")[0]]
        M = _sqrtm(P) @ A @ _sqrtm(P)
        assert float(kappa_cell) == pytest.approx(_kappa(M), rel=5e-3)
        assert int(steps_cell) == _steps_preconditioned(A, P, x0, target)
    assert ex.raw("pre_diag_kappa") == pytest.approx(
        float(rows[1][2]), rel=5e-3)
    assert ex.raw("pre_diag_steps") < ex.raw("pre_none_steps")


def test_gd_in_the_new_variables_is_preconditioned_gd():
    """θ = P^{1/2}θ̃: a gradient step on f(P^{1/2}θ̃) maps to θ ← θ - η P ∇f(θ)."""
    A, _ = _quadratic([1.0, 25.0], 0.15)
    P = np.diag(1 / np.diag(A))
    root = _sqrtm(P)
    M = root @ A @ root
    theta, tilde, eta = np.array([-2.0, 1.2]), np.linalg.solve(root, np.array([-2.0, 1.2])), 0.3
    for _ in range(20):
        tilde = tilde - eta * (M @ tilde)
        theta = theta - eta * P @ (A @ theta)
        np.testing.assert_allclose(root @ tilde, theta, rtol=1e-12, atol=1e-14)


def test_no_diagonal_preconditioner_helps_the_45_degree_bowl(ex):
    """κ(D A D) for D = diag(1, s) depends on tr²/det, which is least at s = 1 on the 45° bowl
    (equal diagonal entries); random diagonal P's never go below κ."""
    kappa = ex.raw("pre_kappa")
    A, _ = _quadratic([1.0, kappa], math.pi / 4)
    rng = np.random.default_rng(3)
    for d in np.exp(rng.uniform(-5, 5, size=(500, 2))):
        D = np.diag(np.sqrt(d))
        M = D @ A @ D
        assert _kappa(M) >= kappa * (1 - 1e-12)
        k = _kappa(M)  # in 2-D, tr²/det = κ + 2 + 1/κ, which grows with κ
        assert np.trace(M) ** 2 / np.linalg.det(M) == pytest.approx(k + 2 + 1 / k, rel=1e-9)
    # "a diagonal P can undo a stretching of the axes": on an unrotated bowl, κ becomes 1
    A0, _ = _quadratic([1.0, kappa], 0.0)
    P0 = np.diag(1 / np.diag(A0))
    assert _kappa(_sqrtm(P0) @ A0 @ _sqrtm(P0)) == pytest.approx(1.0, abs=1e-12)
    assert ex.raw("pre_best45") >= _number(ex.text("pre_best45"))
    assert _number(ex.text("pre_best45")) == kappa


# ------------------------------------------------------------------------- robustness
@pytest.mark.parametrize("factor", [1 + 1e-12, 1 - 1e-12, (1 + 1e-9, 1 - 1e-9)])
def test_every_quoted_number_survives_a_nudged_start(ex, factor, tmp_path, monkeypatch):
    """Every value and table the example quotes is the same text when every gd.run start is
    multiplied by 1 ± 1e-12 (as tests/test_robust_quotes.py does for the older examples), and
    when its two coordinates are moved by +1e-9 and -1e-9 relative: a uniform factor only
    rescales a run on a quadratic (exact line search, Polyak's and a fixed step are all
    scale-equivariant there), so it would move nothing but rounding."""
    import gdnotes.runs

    plain, calls = gdnotes.runs.run, []

    def nudged(optimizer, objective, x0, *args, **kwargs):
        calls.append(factor)
        return plain(optimizer, objective, np.asarray(x0, dtype=float) * factor, *args, **kwargs)

    monkeypatch.setattr(gd, "run", nudged)
    Example("step_size_rules", tmp_path)
    assert len(calls) >= 10
    base, moved = quoted(ex.dir), quoted(tmp_path)
    assert {k: (base[k], moved.get(k)) for k in base if base[k] != moved.get(k)} == {}


# ------------------------------------------------------------------------- figures and exercises
def test_figures_have_alt_text_and_captions(ex):
    for name in ("backtracking", "zigzag", "polyak", "preconditioned"):
        record = ex.manifest["outputs"][name]
        assert len(record["alt"]) > 80 and record["caption"]


def _fixed_parabola_backtracking(lam, c, xi):
    """The step one Armijo search (first trial 1) accepts on f = λθ²/2 from θ = 1."""
    eta = 1.0
    while 0.5 * lam * (1 - eta * lam) ** 2 > 0.5 * lam - c * eta * lam**2:
        eta *= xi
    return eta


def test_exercise_answers_from_the_math(ex):
    L, c, xi = ex.raw("ex_l"), ex.raw("ex_c"), ex.raw("ex_shrink")
    assert ex.raw("ex_guarantee") == pytest.approx(min(1.0, 2 * xi * (1 - c) / L))
    assert ex.raw("ex_threshold") == pytest.approx(2 * (1 - c) / L)
    # the smallest accepted step: on f = L θ²/2 (curvature exactly L) the trials 1, χ, χ², ...
    # stop at the first one <= 2(1-c)/L; on any f with curvature <= L they stop there or sooner
    k = 0
    while xi**k > 2 * (1 - c) / L:
        k += 1
    assert ex.raw("ex_smallest") == xi**k
    assert _fixed_parabola_backtracking(L, c, xi) == xi**k
    rng = np.random.default_rng(5)
    for lam in rng.uniform(0.01, L, 50):  # any 1-D parabola of curvature <= L, and L itself
        assert _fixed_parabola_backtracking(lam, c, xi) >= xi**k
    assert xi**k > ex.raw("ex_guarantee")  # the general bound is lower: "is lower"
    assert abs(ex.raw("ex_guarantee") - xi**k) > 0.01 * xi**k  # the box tells them apart
    kappa = ex.raw("ex_kappa")
    assert ex.raw("ex_rate") == pytest.approx(((kappa - 1) / (kappa + 1)) ** 2)
    A = np.diag([1.0, kappa])
    xs = _exact_path(A, np.linalg.solve(A, np.array([1.0, 1.0])), 3)
    v = _values(A, xs)
    np.testing.assert_allclose(v[1:] / v[:-1], ex.raw("ex_rate"), rtol=1e-12)
    # in more dimensions too: from g₀ = v_μ + v_L the run stays in their plane, ratio = rate
    A4 = np.diag([1.0, 2.0, 3.0, kappa])
    xs = _exact_path(A4, np.linalg.solve(A4, np.array([1.0, 0.0, 0.0, 1.0])), 6)
    v = _values(A4, xs)
    np.testing.assert_allclose(v[1:] / v[:-1], ex.raw("ex_rate"), rtol=1e-10)
    lam = ex.raw("ex_lambda")
    assert ex.raw("ex_polyak_eta") == pytest.approx(1 / (2 * lam))
    for lam_ in (0.1, lam, 40.0):  # "stops short, halfway", for every λ
        for theta in (-3.0, 0.2, 1.7):
            eta = (0.5 * lam_ * theta**2) / (lam_ * theta) ** 2
            assert theta - eta * lam_ * theta == pytest.approx(theta / 2, rel=1e-14)
    theta = 1.7
    eta = (0.5 * lam * theta**2) / (lam * theta) ** 2
    assert eta == pytest.approx(ex.raw("ex_polyak_eta"))
    assert (theta - eta * lam * theta) / theta == pytest.approx(ex.raw("ex_polyak_factor"))
