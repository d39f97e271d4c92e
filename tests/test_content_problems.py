"""Claims of the problems page, recomputed independently.

Step-size limits and escape times come from closed forms evaluated in exact rational
arithmetic, heavy-ball convergence from the spectral radius of its 2x2 iteration matrices,
layer gradients from torch autograd, curvature from torch's Hessian. Nothing expected is
copied from the code under test.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import torch

import gdnotes as gd


# ----------------------------------------------------------------------------- step size
@pytest.mark.parametrize("curvature", [1.0, 4.0, 10.0])
def test_step_size_limit_is_two_over_the_curvature(curvature):
    etas = np.geomspace(0.01, 3.0, 120)
    steps = 30
    r = gd.run(gd.sgd(lr=etas), gd.quadratic([curvature]), np.ones((etas.size, 1)), steps=steps)
    shrinks = ~r.diverged & (np.abs(r.points[steps, :, 0]) < 1)
    expected = np.abs(1 - etas * curvature) < 1  # |x_k| = |1 - ηL|^k from x₀ = 1
    assert np.array_equal(shrinks, expected)
    assert shrinks[etas < 2 / curvature].all() and not shrinks[etas > 2 / curvature].any()


def test_at_exactly_two_over_l_the_iterate_bounces_forever():
    r = gd.run(gd.sgd(lr=2.0), gd.quadratic([1.0]), [1.0], steps=11)
    np.testing.assert_array_equal(r.points[:, 0], [(-1.0) ** k for k in range(12)])
    assert r.status == "max_steps"


# ----------------------------------------------------------------------------- local minima
def test_basins_of_the_quartic_split_at_the_local_maximum():
    # f'(x) = 4x³ − 15x² + 8x + 3 = (x − 1)(x − 3)(4x + 1): stationary at −1/4, 1, 3
    crit = [Fraction(-1, 4), Fraction(1), Fraction(3)]
    for c in crit:
        assert 4 * c**3 - 15 * c**2 + 8 * c + 3 == 0
    low, peak, high = (float(c) for c in crit)
    starts = np.array([-1.0, -0.5, 0.0, 0.5, 0.99, 1.0, 1.01, 2.0, 3.5, 4.2])[:, None]
    r = gd.run(gd.sgd(lr=0.02), gd.quartic(), starts, steps=3000, tol=1e-9)
    ends = r.final[:, 0]
    np.testing.assert_allclose(ends[starts[:, 0] < peak], low, atol=1e-6)
    np.testing.assert_allclose(ends[starts[:, 0] > peak], high, atol=1e-6)
    assert ends[starts[:, 0] == peak] == pytest.approx(peak)  # the maximum is a fixed point
    f = gd.quartic()
    assert f.value([high]) < f.value([low])  # only one of the two basins holds the global min


# ----------------------------------------------------------------------------- saddle point
def test_start_on_the_stable_manifold_converges_to_the_saddle():
    saddle = gd.saddle()
    r = gd.run(gd.sgd(lr=0.1), saddle, [1.5, 0.0], steps=400, tol=1e-8)
    assert r.status == "converged"
    np.testing.assert_allclose(r.final, [0.0, 0.0], atol=1e-8)
    assert np.all(r.points[: r.stop_step + 1, 1] == 0.0)  # y never moves off the axis
    eig = np.linalg.eigvalsh(saddle.hessian(r.final))
    assert eig.min() < 0 < eig.max()  # where it stopped is a saddle, not a minimum


def exact_escape_step(exponent: int, eta: Fraction) -> int:
    """Smallest k with 10^-exponent · (1 + 2η)^k ≥ 1, in exact rational arithmetic."""
    y, k = Fraction(1, 10**exponent), 0
    while y < 1:
        y, k = y * (1 + 2 * eta), k + 1
    return k


@pytest.mark.parametrize("eta", [Fraction(1, 10), Fraction(1, 20)])
def test_escape_time_grows_like_log_one_over_epsilon(eta):
    exponents = [1, 2, 4, 6, 8, 12]
    eps = np.array([10.0**-e for e in exponents])
    x0 = np.stack([np.full(eps.size, 1.5), eps], 1)
    r = gd.run(gd.sgd(lr=float(eta)), gd.saddle(), x0, steps=400)
    measured = np.argmax(np.abs(r.points[..., 1]) >= 1.0, axis=0)
    exact = [exact_escape_step(e, eta) for e in exponents]
    assert measured.tolist() == exact
    predicted = np.log(1 / eps) / np.log(1 + 2 * float(eta))
    assert np.all((measured >= predicted) & (measured < predicted + 1))
    # each factor 10 closer to the manifold costs the same number of extra steps
    per_decade = np.diff(measured) / np.diff(exponents)
    assert np.allclose(per_decade, np.log(10) / np.log(1 + 2 * float(eta)), atol=0.6)


def test_the_monkey_saddle_is_degenerate():
    # no negative Hessian eigenvalue at the origin: not a strict saddle
    np.testing.assert_array_equal(gd.monkey_saddle().hessian([0.0, 0.0]), np.zeros((2, 2)))
    np.testing.assert_array_equal(gd.monkey_saddle().grad([0.0, 0.0]), [0.0, 0.0])


def test_random_starts_escape_the_saddle():
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-1, 1, (200, 2))
    r = gd.run(gd.sgd(lr=0.1), gd.saddle(), x0, steps=300)
    assert r.diverged.all()  # f is unbounded below: every escaping run leaves for infinity


# ----------------------------------------------------------------------------- plateau
def test_small_gradient_on_the_plateau_is_not_convergence():
    plateau = gd.plateau()
    start = np.array([4.3, 0.5])
    naive = gd.run(gd.sgd(lr=0.5), plateau, start, steps=5000, tol=1e-3)
    assert naive.status == "converged" and naive.stop_step == 0  # the rule is fooled at once
    assert np.linalg.norm(naive.final) > 4
    full = gd.run(gd.sgd(lr=0.5), plateau, start, steps=5000, tol=1e-8)
    assert full.status == "converged"
    path = full.path()
    distance = np.linalg.norm(path, axis=1)
    assert distance[-1] < 1e-7
    assert np.argmax(distance < 1) > 0.9 * full.stop_step  # >90 % of the run on the plateau
    small_but_far = (full.grad_norms[: len(path)] <= 1e-3) & (distance > 1)
    assert small_but_far.sum() > 500


def test_curvature_tells_the_plateau_from_the_minimum():
    def f(p):
        return 1 - torch.exp(-(p[0] ** 2 + 2 * p[1] ** 2) / 2)

    for point, lo, hi in (([4.3, 0.5], -2e-3, 2e-3), ([0.0, 0.0], 1.0, 2.0)):
        h = torch.autograd.functional.hessian(f, torch.tensor(point, dtype=torch.float64))
        eig = np.linalg.eigvalsh(h.numpy())
        np.testing.assert_allclose(np.linalg.eigvalsh(gd.plateau().hessian(point)), eig,
                                   rtol=1e-9, atol=1e-15)
        if point == [0.0, 0.0]:
            np.testing.assert_allclose(eig, [lo, hi])
        else:  # nearly flat, and curving slightly downwards towards the well
            assert lo < eig.min() < 0 and eig.max() < hi


# ----------------------------------------------------------------------------- deep gradients
def autograd_norms(result: gd.nets.DeepGradients, activation: str):
    """The same network in torch: weight-gradient and signal norms per layer."""
    phi = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    weights = [torch.tensor(w, requires_grad=True) for w in result.weights]
    a, pre = torch.tensor(result.inputs), []
    for i, w in enumerate(weights):
        z = a @ w.T
        z.retain_grad()
        pre.append(z)
        a = phi(z) if i < len(weights) - 1 else z
    loss = 0.5 * ((a - torch.tensor(result.targets)) ** 2).sum(1).mean()
    loss.backward()
    return (np.array([w.grad.norm().item() for w in weights]),
            np.array([z.grad.norm().item() for z in pre]))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("init", ["small", "xavier", "he", "large"])
def test_hand_written_backward_pass_matches_autograd(activation, init):
    r = gd.deep_gradient_norms(activation, init, seed=1)
    weight_norms, signal_norms = autograd_norms(r, activation)
    np.testing.assert_allclose(r.weight_grad_norms, weight_norms, rtol=1e-8)
    np.testing.assert_allclose(r.signal_norms, signal_norms, rtol=1e-8)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vanishing_and_exploding_gradient_claims(seed):
    res = {(a, i): gd.deep_gradient_norms(a, i, seed=seed)
           for a in ("sigmoid", "tanh", "relu") for i in ("small", "xavier", "he", "large")}
    for init in ("small", "xavier", "he"):  # sigmoid: the first layer gets next to nothing
        assert res["sigmoid", init].first_last_ratio < 1e-9
    assert res["sigmoid", "large"].first_last_ratio < 1e-4
    for act in ("tanh", "relu"):  # small init: every layer starves
        assert res[act, "small"].weight_grad_norms.max() < 1e-15
    for key in (("tanh", "xavier"), ("relu", "he")):  # healthy: balanced and O(1)
        assert 0.1 < res[key].first_last_ratio < 10
        assert res[key].weight_grad_norms.min() > 1e-2
    assert res["tanh", "large"].first_last_ratio > 10  # exploding towards the input
    assert res["relu", "large"].weight_grad_norms.min() > 1e8  # exploding everywhere


def test_sigmoid_shrink_is_bounded_by_the_product_of_jacobian_norms():
    # |φ'| ≤ 1/4, so each layer shrinks the signal by at least a factor ¼‖W‖₂ ...
    for init in ("xavier", "he", "large"):
        r = gd.deep_gradient_norms("sigmoid", init, seed=0)
        norms = [np.linalg.norm(w, 2) for w in r.weights]
        for layer in range(1, len(norms)):
            assert r.signal_norms[layer - 1] <= 0.25 * norms[layer] * r.signal_norms[layer] * (
                1 + 1e-12)
        bound = np.prod([0.25 * s for s in norms[1:]])
        assert r.signal_norms[0] / r.signal_norms[-1] <= bound


# the seeded factors (seeds 0, 1, 2): pinned to rounding, so a change in the network shows
RELU_FACTORS = {
    "xavier": [0.7095437647821444, 0.6896076470493707, 0.6972708120075672],
    "he": [1.0791226321395782, 1.0033705328149733, 1.0459118828857055],
    "large": [2.3082296315440742, 2.2298222116854722, 2.2629656430902485],
}


@pytest.mark.parametrize("init, std", [("xavier", 1 / 8), ("he", np.sqrt(2) / 8),
                                        ("large", 3 / 8)])
def test_relu_backward_factor_matches_mean_field_theory(init, std):
    # ReLU passes half the coordinates: E‖J v‖² = σ² (n/2) ‖v‖² for a width-n layer
    factors = []
    for seed in range(3):
        r = gd.deep_gradient_norms("relu", init, seed=seed)
        factors.append((r.signal_norms[0] / r.signal_norms[-1]) ** (1 / 19))
    np.testing.assert_allclose(factors, RELU_FACTORS[init], rtol=1e-9)
    # Against the theory the tolerance stays loose because the theory is approximate here: it
    # is an expectation for infinitely wide layers, while this is a geometric mean over 19
    # layers of width 64 on one batch. Over 20 seeds the measured factor sits 0-9 % above
    # the prediction, with a 1-2.5 % spread from seed to seed: 15 % covers that bias.
    assert np.mean(factors) == pytest.approx(std * np.sqrt(64 / 2), rel=0.15)


def test_deep_gradient_arguments_are_validated():
    with pytest.raises(ValueError, match="activation"):
        gd.deep_gradient_norms("gelu", "he")
    with pytest.raises(ValueError, match="init"):
        gd.deep_gradient_norms("relu", "orthogonal")
    with pytest.raises(ValueError, match="depth"):
        gd.deep_gradient_norms("relu", "he", depth=1)


# ----------------------------------------------------------------------------- hyperparameters
def heavy_ball_radius(eta, beta, eigenvalues):
    """Spectral radius of x_{k+1} = x_k − η λ x_k + β (x_k − x_{k−1}), worst eigenvalue."""
    worst = np.zeros(np.broadcast(eta, beta).shape)
    for lam in eigenvalues:
        t = 1 + beta - eta * lam  # characteristic polynomial z² − t z + β
        disc = np.sqrt((t * t - 4 * beta).astype(complex))
        roots = np.stack([np.abs((t + disc) / 2), np.abs((t - disc) / 2)])
        worst = np.maximum(worst, roots.max(0))
    return worst


def test_learning_rate_momentum_grid_matches_heavy_ball_theory():
    kappa = 25.0
    bowl = gd.ill_conditioned(kappa=kappa, angle=np.pi / 6)
    etas, betas = np.geomspace(0.05, 5.0, 41), np.linspace(0.0, 0.95, 39)
    E, B = np.meshgrid(etas, betas)
    r = gd.run(gd.sgd(lr=E.ravel(), momentum=B.ravel()), bowl, np.ones((E.size, 2)),
               steps=600, tol=1e-6)
    rho = heavy_ball_radius(E.ravel(), B.ravel(), [1 / kappa, 1.0])
    assert not r.diverged[rho < 1].any() and not r.converged[rho > 1].any()
    assert r.diverged[rho > 1.05].all()  # 1.05^600 ≫ the 1e8 bound of gd.run
    assert (rho > 1).any() and (rho < 1).any()
    steps = np.where(r.converged, r.stop_step, np.inf).reshape(E.shape)
    i, j = np.unravel_index(np.argmin(steps), steps.shape)
    eta_star = 4 / (1 + np.sqrt(1 / kappa)) ** 2
    beta_star = ((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2
    assert abs(np.log(etas[j] / eta_star)) < 0.25 and abs(betas[i] - beta_star) < 0.1
    # momentum pays: the best plain-GD cell (β = 0) needs several times more steps
    assert steps[0].min() > 3 * steps.min()
    assert abs(np.log(etas[np.argmin(steps[0])] / (2 / (1 + 1 / kappa)))) < 0.15


def test_no_single_learning_rate_suits_both_coordinates():
    kappa, tol = 100.0, 1e-3
    scaled = gd.ill_conditioned(kappa=kappa)
    np.testing.assert_allclose(scaled.A, np.diag([1 / kappa, 1.0]))  # axis-aligned

    def closed_form_steps(eta, lam):
        """|x_k| = |1 − ηλ|^k from x₀ = 1: smallest k with |1 − ηλ|^k ≤ tol."""
        m = np.abs(1 - eta * lam)
        with np.errstate(divide="ignore"):
            k = np.ceil(np.log(tol) / np.log(m))
        return np.where(m >= 1, np.inf, np.where(m == 0, 1, k))

    etas = np.geomspace(0.2, 200.0, 121)
    shared = np.maximum(closed_form_steps(etas, 1 / kappa), closed_form_steps(etas, 1.0))
    assert shared.min() > 300  # the best shared η still needs hundreds of steps ...
    assert np.all(shared[etas > 2] == np.inf)  # ... and above 2/L the steep one diverges
    # ... while each coordinate alone, with its own step 1/λ, is done in one step (exactly)
    for lam in (1 / kappa, 1.0):
        alone = gd.run(gd.sgd(lr=1 / lam), gd.quadratic([lam]), [1.0], steps=1)
        assert alone.points[1, 0] == 0.0
    # gd.run agrees with the closed form for the flat coordinate at a near-best shared step
    r = gd.run(gd.sgd(lr=1.98), scaled, [1.0, 1.0], steps=2000)
    flat = np.argmax(np.abs(r.points[:, 0]) <= tol)
    assert flat == closed_form_steps(1.98, 1 / kappa)
