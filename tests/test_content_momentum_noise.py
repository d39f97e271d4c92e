"""Claims of the momentum-under-noise page (docs/momentum-noise.md), recomputed independently:
the closed-form heavy-ball variance, plain loops over noisy gradients with their own random
streams (other seeds than the example's), and torch-free numpy throughout. The example's quoted
numbers are read from a run of the example in this process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from exampletools import Example

import gdnotes as gd
from gdnotes.outputs import parse_shown

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return Example("momentum_noise", tmp_path_factory.mktemp("momentum_noise"))


def _hb_variance(lr, lam, noise, beta):
    """The page's formula: η Σ_B (1+β) / ((1-β) λ (2(1+β) - ηλ))."""
    return lr * noise * (1 + beta) / ((1 - beta) * lam * (2 * (1 + beta) - lr * lam))


def _measure(lr, beta, lams, noise, steps, runs, burn, seed):
    """Heavy ball (torch form) on noisy gradients λe + ξ, by hand: per-run mean of e² after
    ``burn`` steps, averaged over runs, and its standard error."""
    rng = np.random.default_rng(seed)
    e, u = np.ones((runs, len(lams))), np.zeros((runs, len(lams)))
    total = np.zeros((runs, len(lams)))
    for t in range(1, steps + 1):
        g = lams * e + np.sqrt(noise) * rng.standard_normal(e.shape)
        u = beta * u + g
        e = e - lr * u
        if t >= burn:
            total += e * e
    per_run = total / (steps - burn + 1)
    return per_run.mean(0), per_run.std(0, ddof=1) / np.sqrt(runs)


def _lams(ex):
    return np.array([ex.raw("lam_small"), ex.raw("lam_mid"), ex.raw("lam_big")])


def test_lyapunov_solution_is_the_closed_form_and_the_table(ex):
    lr, beta, noise = ex.raw("eta"), ex.raw("beta"), ex.raw("noise")
    lams = _lams(ex)
    rows = ex.table("stationary")
    for lr_m, beta_m, name in [(lr, beta, "heavy ball"), (lr / (1 - beta), 0.0, "SGD at η/(1−β)")]:
        exact = _hb_variance(lr_m, lams, noise, beta_m)
        np.testing.assert_allclose(gd.stationary_covariance(lr_m, lams, noise, beta_m)[:, 0, 0],
                                   exact, rtol=1e-10)
        shown = [float(r[2]) for r in rows if r[0] == name]
        np.testing.assert_allclose(shown, exact, rtol=1e-3)
    assert ex.raw("eta_eff") == pytest.approx(lr / (1 - beta))


@pytest.mark.parametrize("seed", [11, 12])
def test_measured_stationary_variance_within_four_standard_errors(ex, seed):
    """Another seed, another loop (not gd.noisy_quadratic): every measurement of the table (both
    methods) within 4 standard errors of the exact variance, and of the value the page shows for
    the example's seed."""
    lr, beta, noise = ex.raw("eta"), ex.raw("beta"), ex.raw("noise")
    lams = _lams(ex)
    steps, runs, burn = ex.raw("steps"), ex.raw("runs"), ex.raw("burn_in")
    for name, lr_m, beta_m in [("heavy ball", lr, beta), ("SGD at η/(1−β)", lr / (1 - beta), 0.0)]:
        rows = [r for r in ex.table("stationary") if r[0] == name]
        assert len(rows) == len(lams), name
        shown = np.array([float(parse_shown(r[3].split("±")[0].strip())) for r in rows])
        shown_se = np.array([float(parse_shown(r[3].split("±")[1].strip())) for r in rows])
        mean, se = _measure(lr_m, beta_m, lams, noise, steps, runs, burn, seed)
        exact = _hb_variance(lr_m, lams, noise, beta_m)
        assert np.all(np.abs(mean - exact) < 4 * se), (name, mean, exact, se)
        # the shown measurement (rounded to its standard error) survives a change of seed
        assert np.all(np.abs(mean - shown) < 4 * np.hypot(se, shown_se) + shown_se), (name, mean)
    assert ex.raw("z_max") < 4 and ex.raw("z_max") <= float(parse_shown(ex.text("z_max")))


def test_lag_one_correlation(ex):
    lr, beta, lam = ex.raw("eta"), ex.raw("beta"), ex.raw("lam_mid")
    C = gd.stationary_covariance(lr, lam, 1.0, beta)
    assert C[0, 1] / C[0, 0] == pytest.approx((1 + beta - lr * lam) / (1 + beta))
    assert ex.raw("corr_exact") == pytest.approx((1 + beta - lr * lam) / (1 + beta))
    assert ex.raw("ex_corr") == pytest.approx(ex.raw("corr_exact"))


def test_transient_exact_curve_matches_runs_and_reaches_the_floor(ex):
    lr, beta, noise = ex.raw("eta"), ex.raw("beta"), ex.raw("noise")
    lams = _lams(ex)
    msq = gd.expected_square_error(lr, lams, noise, beta, 400)
    # by hand: mean-square over many runs at a few steps (another seed)
    rng = np.random.default_rng(5)
    runs = 4000
    e, u = np.ones((runs, 3)), np.zeros((runs, 3))
    for t in range(1, 401):
        u = beta * u + lams * e + np.sqrt(noise) * rng.standard_normal(e.shape)
        e = e - lr * u
        if t in (10, 50, 400):
            sq = e * e
            se = sq.std(0, ddof=1) / np.sqrt(runs)
            assert np.all(np.abs(sq.mean(0) - msq[t]) < 4 * se + 1e-12), t
    floor = _hb_variance(lr, lams, noise, beta)
    np.testing.assert_allclose(gd.expected_square_error(lr, lams, noise, beta, 3000)[-1], floor,
                               rtol=1e-6)
    floor_hb = float(np.sum(0.5 * lams * floor))
    floor_sgd = float(np.sum(0.5 * lams * _hb_variance(lr / (1 - beta), lams, noise, 0.0)))
    assert ex.raw("floor_hb") == pytest.approx(floor_hb)
    assert ex.raw("floor_sgd") == pytest.approx(floor_sgd)
    assert ex.raw("floor_ratio") == pytest.approx(floor_hb / floor_sgd)
    # "the stiffest component carries most of the gap"
    gaps = 0.5 * lams * (_hb_variance(lr / (1 - beta), lams, noise, 0.0) - floor)
    assert gaps[-1] > 0.5 * gaps.sum()
    assert ex.raw("ratio_at_1") == pytest.approx(floor[-1] / _hb_variance(lr / (1 - beta),
                                                                          lams[-1], noise, 0.0))
    assert lr / (1 - beta) * lams[-1] == pytest.approx(1.0)  # "the stiffest has x = 1"
    # its transient rings: under-damped, at √β, where SGD at η/(1-β) contracts at |1 - x|
    assert gd.damping(lr, lams[-1], beta) == "under-damped"
    assert gd.spectral_radius(lr, lams[-1], beta) == pytest.approx(np.sqrt(beta))


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_effective_learning_rate_bounds(beta):
    """Normalised floors 1/(2 - x(1-β)/(1+β)) (heavy ball) and 1/(2 - x) (SGD at η/(1-β));
    their ratio is in [1 - x/2, 1] for 0 < x < 2, within 1 % for x <= 0.02."""
    x = np.geomspace(1e-4, 1.999, 300)
    lam = 1.0
    lr = x * (1 - beta) / lam
    unit = lr * 1.0 / ((1 - beta) * lam)
    hb = gd.stationary_covariance(lr, lam, 1.0, beta)[:, 0, 0] / unit
    sgd = gd.stationary_covariance(lr / (1 - beta), lam, 1.0)[:, 0, 0] / unit
    # (I - J⊗J) is ill-conditioned for tiny ηλ: the 4×4 solve keeps ~7 digits there
    np.testing.assert_allclose(hb, 1 / (2 - x * (1 - beta) / (1 + beta)), rtol=1e-6)
    np.testing.assert_allclose(sgd, 1 / (2 - x), rtol=1e-6)
    ratio = (1 / (2 - x * (1 - beta) / (1 + beta))) / (1 / (2 - x))  # the page's formulas
    assert np.all(ratio <= 1) and np.all(ratio >= 1 - x / 2)
    assert np.all(np.abs(ratio[x <= 0.02] - 1) <= 0.01)
    if beta > 0:  # and the heavy ball is stable beyond SGD's x = 2, up to 2(1+β)/(1-β)
        edge = 2 * (1 + beta) / (1 - beta)
        assert gd.spectral_radius(edge * 0.999 * (1 - beta), 1.0, beta) < 1
        assert gd.spectral_radius(edge * 1.001 * (1 - beta), 1.0, beta) > 1
    assert gd.spectral_radius(2.001, 1.0) > 1  # SGD at x > 2


def test_effective_table_and_edges(ex):
    beta = ex.raw("beta")
    assert ex.raw("x_edge_hb") == pytest.approx(2 * (1 + beta) / (1 - beta))
    for row in ex.table("effective"):
        x = float(row[0])
        assert float(row[1]) == pytest.approx(1 / (2 - x * (1 - beta) / (1 + beta)), abs=6e-5)
        if x < 2:
            assert float(row[2]) == pytest.approx(1 / (2 - x), abs=6e-5)
            assert float(row[3]) == pytest.approx((2 - x) / (2 - x * (1 - beta) / (1 + beta)),
                                                  abs=6e-4)
        else:
            assert row[2] == "diverges"
    x = ex.raw("ex_x")
    ratio = (1 / (2 - x * (1 - beta) / (1 + beta))) / (1 / (2 - x))
    assert ex.raw("ex_ratio") == pytest.approx(ratio)
    assert ex.raw("ex_ratio_lower") == pytest.approx(1 - x / 2)
    assert 1 - x / 2 < ratio < 1  # "inside the bounds"
    # the box (tol 0.002) rejects the lower bound, and the answer is not a row of the table
    assert abs(ex.raw("ex_ratio") - ex.raw("ex_ratio_lower")) > 0.002
    assert f"{x:g}" not in [row[0] for row in ex.table("effective")]


def _adam_floor(lr, lams, noises, steps, runs, burn, seed, b1=0.9, b2=0.999, eps=1e-8):
    """torch's Adam on noisy gradients, by hand: mean over runs of the per-run mean of ½λe²."""
    rng = np.random.default_rng(seed)
    shape = (runs, len(lams))
    e, m, v, total = np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for t in range(1, steps + 1):
        g = lams * e + np.sqrt(noises) * rng.standard_normal(shape)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        e = e - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        if t >= burn:
            total += 0.5 * lams * e * e
    return (total / (steps - burn + 1)).mean(0)


@pytest.mark.parametrize("seed", [21, 22])
def test_adam_floor_follows_the_noise_standard_deviation(ex, seed):
    """With another seed and a hand-written Adam: every floor within 15 % of η√Σ_B/4, the growth
    with 16 times the noise variance within 20 % of 4, and Adam below SGD's exact floor at the
    large noise, above it at the small one."""
    lr = ex.raw("eta")
    rows = ex.table("adam")
    noises = np.array([float(r[0]) for r in rows])
    lams = np.array([float(r[1]) for r in rows])
    floor = _adam_floor(lr, lams, noises, ex.raw("adam_steps"), ex.raw("adam_runs"),
                        ex.raw("adam_burn"), seed)
    model = lr * np.sqrt(noises) / 4
    np.testing.assert_allclose(floor, model, rtol=0.15)
    np.testing.assert_allclose([float(r[3]) for r in rows], model, rtol=1e-3)
    sgd = 0.5 * lams * _hb_variance(lr, lams, noises, 0.0)
    np.testing.assert_allclose([float(r[4]) for r in rows], sgd, rtol=1e-2, atol=1e-5)
    low, high = noises == noises.min(), noises == noises.max()
    growth = floor[high] / floor[low]
    assert np.all(np.abs(growth - 4) < 0.8)
    assert ex.raw("adam_growth_model") == 4 == np.sqrt(noises.max() / noises.min())
    assert np.all(floor[high] < sgd[high]) and np.all(floor[low] > sgd[low])
    assert ex.raw("sgd_growth") == pytest.approx(np.mean(sgd[high] / sgd[low]), abs=0.5)
    # the example's own measurement agrees too
    shown = np.array([float(r[2].split("±")[0]) for r in rows])
    np.testing.assert_allclose(shown, model, rtol=0.15)


def test_exercise_answers(ex):
    lr, beta, noise = ex.raw("eta"), ex.raw("beta"), ex.raw("noise")
    # a floor the rule of thumb cannot give: x = 2, SGD at η/(1-β) has none, the heavy ball has
    lam = ex.raw("ex_hb_lam")
    assert ex.raw("ex_hb_x") == pytest.approx(lr * lam / (1 - beta)) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="diverges"):
        gd.stationary_covariance(lr / (1 - beta), lam, noise)
    assert gd.spectral_radius(lr / (1 - beta), lam) == pytest.approx(1.0)
    assert gd.spectral_radius(lr, lam, beta) < 1
    V = 0.0
    A = np.array([[1 + beta - lr * lam, -beta], [1.0, 0.0]])
    P = np.zeros((2, 2))
    for _ in range(20000):  # C ← JCJᵀ + Q, iterated by hand
        P = A @ P @ A.T + np.diag([lr**2 * noise, 0.0])
    V = P[0, 0]
    assert ex.raw("ex_var_hb") == pytest.approx(V, rel=1e-9)
    rule = lr * noise / (2 * (1 - beta) * lam)
    assert ex.raw("ex_var_hb_rule") == pytest.approx(rule)
    assert abs(rule - V) > 0.01 * V  # the box (1 %) rejects the rule of thumb's value
    assert abs(rule - V) < 0.1 * V  # "is close"
    # the predicted factor for Adam's floor: η√Σ_B
    assert ex.raw("ex_adam_floor_factor") == pytest.approx(
        ex.raw("ex_adam_lr_factor") * np.sqrt(ex.raw("ex_adam_noise_factor")))
    assert ex.raw("ex_sgd_floor_factor") == pytest.approx(
        ex.raw("ex_adam_lr_factor") * ex.raw("ex_adam_noise_factor"))


@pytest.mark.parametrize("seed", [31, 32])
def test_adam_floor_follows_the_step_times_the_noise_standard_deviation(ex, seed):
    """The Predict exercise's factor, measured: η multiplied by ½ and Σ_B by 9 moves Adam's floor
    by ½·3 within 20 % (hand-written Adam, other seeds, the page's curvatures λ ≥ 1)."""
    lr, lr_f, noise_f = ex.raw("eta"), ex.raw("ex_adam_lr_factor"), ex.raw("ex_adam_noise_factor")
    lams = np.array([ex.raw("lam_mid"), ex.raw("lam_big")])
    base_noise = ex.raw("adam_noise_low")
    steps, runs, burn = ex.raw("adam_steps"), ex.raw("adam_runs"), ex.raw("adam_burn")
    before = _adam_floor(lr, lams, np.full(2, base_noise), steps, runs, burn, seed)
    after = _adam_floor(lr * lr_f, lams, np.full(2, base_noise * noise_f), steps, runs, burn,
                        seed + 100)
    np.testing.assert_allclose(after / before, ex.raw("ex_adam_floor_factor"), rtol=0.2)
    # and clearly not SGD's factor
    assert np.all(np.abs(after / before - ex.raw("ex_sgd_floor_factor")) > 1)


@pytest.mark.parametrize("seed", [41, 42, 43])
def test_measured_correlation_survives_other_seeds(ex, seed):
    """The lag-one correlation measured as the example does (the last two steps of independent
    runs from 0), by hand and with other seeds: within the page's stated tolerance of the exact
    value, as the shown measurement is."""
    lr, beta, lam = ex.raw("eta"), ex.raw("beta"), ex.raw("lam_mid")
    rng = np.random.default_rng(seed)
    runs = ex.raw("runs")
    e, u, prev = np.zeros(runs), np.zeros(runs), None
    for _ in range(400):
        u = beta * u + lam * e + rng.standard_normal(runs)
        prev, e = e, e - lr * u
    tol = ex.raw("corr_tol")
    assert abs(np.corrcoef(prev, e)[0, 1] - ex.raw("corr_exact")) < tol
    assert abs(ex.raw("corr_measured") - ex.raw("corr_exact")) < tol


def test_no_method_on_the_page_converges_with_a_constant_step(ex):
    """"None of the methods on this page converges with a constant step while the noise does not
    vanish": the exact floors of SGD and the heavy ball are positive and reached, and Adam's
    measured floor does not shrink between two late windows (hand-written Adam, another seed)."""
    lr, beta, noise = ex.raw("eta"), ex.raw("beta"), ex.raw("noise")
    lams = _lams(ex)
    for lr_m, beta_m in [(lr, beta), (lr / (1 - beta), 0.0)]:
        floor = _hb_variance(lr_m, lams, noise, beta_m)
        assert np.all(floor > 0)
        late = gd.expected_square_error(lr_m, lams, noise, beta_m, 5000)[-1]
        np.testing.assert_allclose(late, floor, rtol=1e-6)
    lams_adam = np.array([ex.raw("lam_mid"), ex.raw("lam_big")])
    noises = np.full(2, ex.raw("adam_noise_high"))
    steps, runs, burn = ex.raw("adam_steps"), ex.raw("adam_runs"), ex.raw("adam_burn")
    middle = (burn + steps) // 2
    early = _adam_floor(lr, lams_adam, noises, middle, runs, burn, 51)
    late = _adam_floor(lr, lams_adam, noises, steps, runs, middle, 51)  # same runs, later
    np.testing.assert_allclose(late, early, rtol=0.15)
    assert np.all(late > 0.5 * lr * np.sqrt(noises) / 4)


def test_consecutive_errors_are_alike_because_the_step_is_small(ex):
    """"a floor estimated from a few hundred consecutive steps of one run rests on far fewer
    independent samples than steps", and "for plain SGD at the same η the correlation is 1 − ηλ,
    also close to 1". For a stationary Gaussian process corr(e_t², e_{t+k}²) = ρ_k², with the
    heavy ball's ρ_k from its recursion (ρ_k = (1+β−ηλ)ρ_{k−1} − βρ_{k−2}); the mean of n
    consecutive e² then has the variance of n / (1 + 2 Σ (1 − k/n) ρ_k²) independent ones."""
    lr, beta, lam = ex.raw("eta"), ex.raw("beta"), ex.raw("lam_mid")
    n = 300
    rho = [1.0, (1 + beta - lr * lam) / (1 + beta)]
    for _ in range(n - 2):
        rho.append((1 + beta - lr * lam) * rho[-1] - beta * rho[-2])
    k = np.arange(1, n)
    samples = n / (1 + 2 * np.sum((1 - k / n) * np.array(rho[1:]) ** 2))
    assert samples < n / 5, samples
    sgd = gd.stationary_covariance(lr, lam, 1.0, 0.0)
    assert sgd[0, 1] / sgd[0, 0] == pytest.approx(1 - lr * lam) and 1 - lr * lam > 0.95
    page = " ".join((REPO / "docs" / "momentum-noise.md").read_text().split())
    assert "far fewer independent samples than steps" in page
    assert "the correlation is $1 - \\eta\\lambda$, also close to 1" in page
