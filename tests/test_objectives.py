"""Every objective's value, gradient and Hessian agree with torch autograd at random points,
and vectorised evaluation over a batch equals point-by-point evaluation."""

import numpy as np
import pytest
import torch
from torch.autograd.functional import hessian, jacobian

import gdnotes as gd

X, Y = gd.regression_data(n=30)
ANGLE, LAM4, B4 = 0.7, [0.1, 1.0, 3.0, 20.0], [1.0, -2.0, 0.5, 0.0]

# name -> (gdnotes objective, the same function written independently in torch, point scale)
CASES = {
    "shifted_parabola": (gd.shifted_parabola(3.0), lambda p: (p[0] - 3.0) ** 2, 5),
    "parabola_plus": (gd.parabola_plus(5.0), lambda p: p[0] ** 2 + 5.0, 5),
    "quartic": (gd.quartic(), lambda p: p[0] ** 4 - 5 * p[0] ** 3 + 4 * p[0] ** 2 + 3 * p[0], 3),
    "quadratic_2d": (
        gd.quadratic([0.5, 4.0], angle=ANGLE, b=[1.0, -1.0]),
        lambda p: 0.5 * (0.5 * (np.cos(ANGLE) * p[0] + np.sin(ANGLE) * p[1]) ** 2
                         + 4.0 * (-np.sin(ANGLE) * p[0] + np.cos(ANGLE) * p[1]) ** 2)
        + p[0] - p[1],
        3,
    ),
    "quadratic_4d": (
        gd.quadratic(LAM4, b=B4),
        lambda p: 0.5 * sum(lam * p[i] ** 2 for i, lam in enumerate(LAM4))
        + sum(b * p[i] for i, b in enumerate(B4)),
        3,
    ),
    "ill_conditioned": (
        gd.ill_conditioned(25.0, L=2.0),
        lambda p: 0.5 * (2.0 / 25.0 * p[0] ** 2 + 2.0 * p[1] ** 2),
        3,
    ),
    "rosenbrock": (gd.rosenbrock(1.5, 10.0),
                   lambda p: (1.5 - p[0]) ** 2 + 10.0 * (p[1] - p[0] ** 2) ** 2, 2),
    "beale": (gd.beale(),
              lambda p: sum((c - p[0] + p[0] * p[1] ** i) ** 2
                            for i, c in ((1, 1.5), (2, 2.25), (3, 2.625))), 2),
    "saddle": (gd.saddle(), lambda p: p[0] ** 2 - p[1] ** 2, 2),
    "monkey_saddle": (gd.monkey_saddle(), lambda p: p[0] ** 3 - 3 * p[0] * p[1] ** 2, 2),
    "plateau": (gd.plateau(), lambda p: 1 - torch.exp(-(p[0] ** 2 + 2 * p[1] ** 2) / 2), 3),
    "line_mse": (gd.line_mse(X, Y),
                 lambda p: torch.mean((p[0] * torch.as_tensor(X) + p[1] - torch.as_tensor(Y)) ** 2),
                 4),
}


@pytest.mark.parametrize("name", list(CASES))
def test_value_grad_hessian_match_autograd(name):
    obj, fn, scale = CASES[name]
    rng = np.random.default_rng(len(name))
    pts = rng.normal(size=(6, obj.dim)) * scale
    for p in pts:
        t = torch.tensor(p, dtype=torch.float64)
        assert obj.value(p) == pytest.approx(float(fn(t)), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(obj.grad(p), jacobian(fn, t).numpy(), rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(obj.hessian(p), hessian(fn, t).numpy(), rtol=1e-10, atol=1e-10)
    # vectorised: a (2, 3, d) grid of points in one call equals the points one by one
    grid = pts.reshape(2, 3, obj.dim)
    np.testing.assert_allclose(obj.value(grid).reshape(-1), [obj.value(p) for p in pts], rtol=1e-14)
    np.testing.assert_allclose(obj.grad(grid).reshape(6, -1), [obj.grad(p) for p in pts],
                               rtol=1e-14)
    np.testing.assert_allclose(obj.hessian(grid).reshape(6, obj.dim, obj.dim),
                               [obj.hessian(p) for p in pts], rtol=1e-14)


@pytest.mark.parametrize("name", list(CASES))
def test_minimizers_are_stationary_with_positive_curvature(name):
    obj = CASES[name][0]
    for m in obj.minimizers:
        assert np.linalg.norm(obj.grad(m)) < 1e-9
        assert np.all(np.linalg.eigvalsh(obj.hessian(m)) > 0)
    assert len(obj.bounds) == obj.dim and all(lo < hi for lo, hi in obj.bounds)
    assert isinstance(obj.latex, str) and obj.latex


def test_known_minimisers():
    np.testing.assert_allclose(gd.rosenbrock().minimizers, [[1.0, 1.0]])
    np.testing.assert_allclose(gd.beale().minimizers, [[3.0, 0.5]])
    assert gd.beale().value([3.0, 0.5]) == 0.0
    np.testing.assert_allclose(gd.shifted_parabola(5.0).minimizers, [[5.0]])
    assert gd.saddle().minimizers.shape == (0, 2)


def test_line_mse_optimum_is_least_squares():
    obj = gd.line_mse(X, Y)
    design = np.stack([X, np.ones_like(X)], 1)
    normal_eq = np.linalg.solve(design.T @ design, design.T @ Y)  # the normal equations
    np.testing.assert_allclose(obj.optimum, normal_eq, rtol=1e-10)
    # and gradient descent finds it
    r = gd.run(gd.sgd(0.3), obj, [0.0, 0.0], 3000, tol=1e-10)
    assert r.converged
    np.testing.assert_allclose(r.final, normal_eq, rtol=1e-8)


def test_quadratic_extras():
    q = gd.ill_conditioned(100.0, L=2.0, angle=0.4)
    assert (q.mu, q.L, q.kappa) == pytest.approx((0.02, 2.0, 100.0))
    np.testing.assert_allclose(np.linalg.eigvalsh(q.A), [0.02, 2.0])
    np.testing.assert_allclose(q.R @ q.R.T, np.eye(2), atol=1e-15)


def test_get_objective_builds_by_name():
    assert gd.get_objective("rosenbrock", b=10).value([0.0, 1.0]) == pytest.approx(11.0)
    for name, make in gd.OBJECTIVES.items():
        assert gd.get_objective(name, **({"x_data": X, "y_data": Y} if name == "line_mse" else
                                          {"eigenvalues": [1.0]} if name == "quadratic" else
                                          {"kappa": 4.0} if name == "ill_conditioned" else {})
                                ).name == make.__name__


def test_grid_for_plots():
    X, Y, Z = gd.rosenbrock().grid(n=5, bounds=[(-1, 1), (0, 2)])
    assert X.shape == Y.shape == Z.shape == (5, 5)
    assert X[0].tolist() == [-1, -0.5, 0, 0.5, 1] and Y[:, 0].tolist() == [0, 0.5, 1, 1.5, 2]
    np.testing.assert_allclose(Z, (1 - X) ** 2 + 100 * (Y - X**2) ** 2)
    xs, f = gd.quartic().grid(n=7)
    assert xs[0] == gd.quartic().bounds[0][0] and f.shape == (7,)
    np.testing.assert_allclose(f, xs**4 - 5 * xs**3 + 4 * xs**2 + 3 * xs)
    with pytest.raises(ValueError, match="grid needs"):
        gd.quadratic([1.0, 2.0, 3.0]).grid()


def test_grid_samples_the_function_over_the_box():
    """Objective.grid (what every contour plot uses): rows follow y, columns follow x, and each
    value is the closed-form function at that grid point."""
    xs, fx = gd.quartic().grid(5, ((-1.0, 3.0),))
    np.testing.assert_array_equal(xs, [-1.0, 0.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(fx, xs**4 - 5 * xs**3 + 4 * xs**2 + 3 * xs)
    X, Y, Z = gd.saddle().grid(4, ((0.0, 3.0), (-2.0, 1.0)))
    np.testing.assert_array_equal(X[0], [0.0, 1.0, 2.0, 3.0])  # x varies along a row
    np.testing.assert_array_equal(Y[:, 0], [-2.0, -1.0, 0.0, 1.0])  # y down a column
    np.testing.assert_array_equal(Z, X**2 - Y**2)
    rosen = gd.rosenbrock()
    X, Y, _ = rosen.grid(3)  # default box: the objective's own plotting bounds
    assert (X.min(), X.max(), Y.min(), Y.max()) == (*rosen.bounds[0], *rosen.bounds[1])
    with pytest.raises(ValueError, match="one \\(lo, hi\\) per axis"):
        rosen.grid(3, ((0.0, 1.0),))
    with pytest.raises(ValueError, match="dim=3"):
        gd.quadratic([1.0, 2.0, 3.0]).grid()
    with pytest.raises(ValueError, match="n must be a positive integer"):
        rosen.grid(0)
