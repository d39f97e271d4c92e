"""Every objective's value, gradient and Hessian agree with torch autograd at random points,
and vectorised evaluation over a batch equals point-by-point evaluation."""

import copy

import numpy as np
import pytest
import torch
from torch.autograd.functional import hessian, jacobian

import gdnotes as gd

X, Y = gd.regression_data(n=30)
ANGLE, LAM4, B4 = 0.7, [0.1, 1.0, 3.0, 20.0], [1.0, -2.0, 0.5, 0.0]

# name -> (builds the gdnotes objective, the same function written independently in torch,
# point scale). Objectives are built inside each test, never at import, so that mutation testing
# (make mutate) reaches the code that builds them.
CASES = {
    "shifted_parabola": (lambda: gd.shifted_parabola(3.0), lambda p: (p[0] - 3.0) ** 2, 5),
    "parabola_plus": (lambda: gd.parabola_plus(5.0), lambda p: p[0] ** 2 + 5.0, 5),
    "quartic": (lambda: gd.quartic(), lambda p: p[0] ** 4 - 5 * p[0] ** 3 + 4 * p[0] ** 2 + 3 * p[0], 3),
    "quadratic_2d": (
        lambda: gd.quadratic([0.5, 4.0], angle=ANGLE, b=[1.0, -1.0]),
        lambda p: 0.5 * (0.5 * (np.cos(ANGLE) * p[0] + np.sin(ANGLE) * p[1]) ** 2
                         + 4.0 * (-np.sin(ANGLE) * p[0] + np.cos(ANGLE) * p[1]) ** 2)
        + p[0] - p[1],
        3,
    ),
    "quadratic_4d": (
        lambda: gd.quadratic(LAM4, b=B4),
        lambda p: 0.5 * sum(lam * p[i] ** 2 for i, lam in enumerate(LAM4))
        + sum(b * p[i] for i, b in enumerate(B4)),
        3,
    ),
    "ill_conditioned": (
        lambda: gd.ill_conditioned(25.0, L=2.0),
        lambda p: 0.5 * (2.0 / 25.0 * p[0] ** 2 + 2.0 * p[1] ** 2),
        3,
    ),
    "rosenbrock": (lambda: gd.rosenbrock(1.5, 10.0),
                   lambda p: (1.5 - p[0]) ** 2 + 10.0 * (p[1] - p[0] ** 2) ** 2, 2),
    "beale": (lambda: gd.beale(),
              lambda p: sum((c - p[0] + p[0] * p[1] ** i) ** 2
                            for i, c in ((1, 1.5), (2, 2.25), (3, 2.625))), 2),
    "saddle": (lambda: gd.saddle(), lambda p: p[0] ** 2 - p[1] ** 2, 2),
    "monkey_saddle": (lambda: gd.monkey_saddle(), lambda p: p[0] ** 3 - 3 * p[0] * p[1] ** 2, 2),
    "plateau": (lambda: gd.plateau(), lambda p: 1 - torch.exp(-(p[0] ** 2 + 2 * p[1] ** 2) / 2), 3),
    # width 2 (w² = 4): with the default width 1, w² and 1/w² are the same number
    "plateau_wide": (lambda: gd.plateau(2.0),
                     lambda p: 1 - torch.exp(-(p[0] ** 2 + 2 * p[1] ** 2) / 8), 5),
    "line_mse": (lambda: gd.line_mse(X, Y),
                 lambda p: torch.mean((p[0] * torch.as_tensor(X) + p[1] - torch.as_tensor(Y)) ** 2),
                 4),
}


@pytest.mark.parametrize("name", list(CASES))
def test_value_grad_hessian_match_autograd(name):
    make, fn, scale = CASES[name]
    obj = make()
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
    obj = CASES[name][0]()
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
    with pytest.raises(ValueError, match="^grid needs"):
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
    with pytest.raises(ValueError, match="^n must be a positive integer"):
        rosen.grid(0)


# name -> (objective, the formula a reader sees, written from the definition)
FORMULAS = {
    "shifted_parabola": (lambda: gd.shifted_parabola(), r"f(x) = (x - 5)^2"),
    "shifted_parabola(-2.5)": (lambda: gd.shifted_parabola(-2.5), r"f(x) = (x + 2.5)^2"),
    "shifted_parabola(0.5)": (lambda: gd.shifted_parabola(0.5), r"f(x) = (x - 0.5)^2"),
    "shifted_parabola(0)": (lambda: gd.shifted_parabola(0.0), r"f(x) = (x - 0)^2"),
    "parabola_plus": (lambda: gd.parabola_plus(), r"f(x) = x^2 + 5"),
    "parabola_plus(-0.5)": (lambda: gd.parabola_plus(-0.5), r"f(x) = x^2 - 0.5"),
    "parabola_plus(0.5)": (lambda: gd.parabola_plus(0.5), r"f(x) = x^2 + 0.5"),
    "parabola_plus(0)": (lambda: gd.parabola_plus(0.0), r"f(x) = x^2 + 0"),
    "quartic": (lambda: gd.quartic(), r"f(x) = x^4 - 5x^3 + 4x^2 + 3x"),
    "quadratic": (lambda: gd.quadratic([1.0, 2.0]), r"f(x) = \tfrac12 x^\top A x + b^\top x"),
    "rosenbrock": (lambda: gd.rosenbrock(), r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2"),
    "rosenbrock(2, 10)": (lambda: gd.rosenbrock(2, 10), r"f(x, y) = (2 - x)^2 + 10\,(y - x^2)^2"),
    "beale": (lambda: gd.beale(),
              r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"),
    "saddle": (lambda: gd.saddle(), r"f(x, y) = x^2 - y^2"),
    "monkey_saddle": (lambda: gd.monkey_saddle(), r"f(x, y) = x^3 - 3xy^2"),
    "plateau": (lambda: gd.plateau(), r"f(x, y) = 1 - \exp\!\left(-\frac{x^2 + 2y^2}{2}\right)"),
    "plateau(2)": (lambda: gd.plateau(2.0), r"f(x, y) = 1 - \exp\!\left(-\frac{x^2 + 2y^2}{8}\right)"),
    "line_mse": (lambda: gd.line_mse(X, Y), r"f(w, b) = \frac1n \sum_i (w x_i + b - y_i)^2"),
}


@pytest.mark.parametrize("case", list(FORMULAS))
def test_the_formula_shown_is_the_function(case):
    make, latex = FORMULAS[case]
    obj = make()
    assert obj.latex == latex
    assert obj.name == case.split("(")[0]


def test_plotting_boxes_hold_the_interesting_points():
    """Each box contains the minimisers (or saddle points) with room around them."""
    for name, (make, _, _) in CASES.items():
        obj = make()
        points = obj.minimizers if obj.minimizers.size else getattr(obj, "saddle_points",
                                                                    np.zeros((1, obj.dim)))
        for lo, hi, p in zip(*np.array(obj.bounds).T, points.T, strict=True):
            assert np.all((lo < p) & (p < hi)), name
    assert gd.shifted_parabola(2.0).bounds == ((-3.0, 7.0),)  # centred, ±5
    assert gd.plateau(0.5).bounds == ((-2.0, 2.0), (-2.0, 2.0))  # ±4 widths
    assert gd.quadratic([1.0, 2.0], b=[-4.0, 0.0]).bounds == ((-2.0, 10.0), (-6.0, 6.0))
    line = gd.line_mse([0.0, 1.0], [0.0, 10.0])  # optimum (10, 0): box ±12.5 around it
    np.testing.assert_allclose(line.bounds, [(-2.5, 22.5), (-12.5, 12.5)], atol=1e-12)
    small = gd.line_mse([0.0, 1.0], [0.0, 1.0])  # optimum (1, 0): at least ±2
    np.testing.assert_allclose(small.bounds, [(-1.0, 3.0), (-2.0, 2.0)], atol=1e-12)


def test_minimizers_are_k_points_of_the_objectives_dimension():
    """``minimizers`` has shape ``(k, dim)``, also when there is none (the saddle's is (0, 2))."""
    for name, (make, _, _) in CASES.items():
        obj = make()
        assert obj.minimizers.ndim == 2 and obj.minimizers.shape[1] == obj.dim, name
    assert gd.saddle().minimizers.shape == (0, 2)


def test_saddle_boxes_are_centred_and_the_quartic_box_frames_its_stationary_points():
    """A saddle is drawn in the middle of its plot; the quartic's plot shows its three
    stationary points (two minima and the maximum between) with a margin of 0.5 to 1.5."""
    for obj in (gd.saddle(), gd.monkey_saddle()):
        centre = obj.saddle_points[0]
        for (lo, hi), c in zip(obj.bounds, centre, strict=True):
            assert c - lo == hi - c > 0, obj.name
    q = gd.quartic()
    (lo, hi), = q.bounds
    assert 0.5 <= q.stationary_points.min() - lo <= 1.5
    assert 0.5 <= hi - q.stationary_points.max() <= 1.5


def test_grid_has_200_points_per_axis_by_default():
    xs, _ = gd.quartic().grid()
    X, _, _ = gd.saddle().grid()
    assert xs.shape == (200,) and X.shape == (200, 200)


def test_extras_are_attributes():
    assert gd.shifted_parabola(2.0).center == 2.0 and gd.parabola_plus(3.0).c == 3.0
    np.testing.assert_array_equal(gd.saddle().saddle_points, [[0.0, 0.0]])
    np.testing.assert_array_equal(gd.monkey_saddle().saddle_points, [[0.0, 0.0]])
    assert gd.plateau(1.5).width == 1.5 and (gd.rosenbrock(2, 3).a, gd.rosenbrock(2, 3).b) == (2, 3)
    quartic = gd.quartic()
    assert quartic.stationary_points.shape == (3,)
    np.testing.assert_allclose(quartic.grad(quartic.stationary_points[:, None]), 0, atol=1e-12)
    assert list(quartic.stationary_points) == sorted(quartic.stationary_points)
    # two minima, the lower first; the middle stationary point is the maximum between them
    np.testing.assert_array_equal(quartic.minimizers[:, 0], quartic.stationary_points[[2, 0]])
    assert quartic.value(quartic.minimizers[0]) < quartic.value(quartic.minimizers[1])
    with pytest.raises(AttributeError, match="^Objective 'saddle' has no attribute 'kappa'"):
        _ = gd.saddle().kappa


def test_a_flat_direction_has_no_minimiser():
    """Eigenvalue 0: κ = ∞ and no unique minimiser; a line fit to one x value likewise."""
    flat = gd.quadratic([0.0, 1.0])
    assert flat.kappa == np.inf and flat.minimizers.shape == (0, 2) and flat.mu == 0.0
    assert flat.bounds == ((-1.5, 1.5), (-1.5, 1.5))
    line = gd.line_mse([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])
    assert line.optimum is None and line.minimizers.shape == (0, 2)
    assert line.bounds == ((-2.0, 2.0), (-2.0, 2.0))


def test_minimizers_have_no_negative_zero():
    """-0.0 would print as "-0" in tables; _make adds 0.0 to every minimiser."""
    m = gd.quadratic([1.0, 2.0], b=[0.0, -0.0]).minimizers
    assert not np.signbit(m).any()
    assert not np.signbit(gd.shifted_parabola(-0.0).minimizers).any()


@pytest.mark.parametrize("make, message", [
    (lambda: gd.quadratic([[1.0, 2.0]]), r"eigenvalues must be a non-empty 1-D list, got shape \(1, 2\)"),
    (lambda: gd.quadratic([1.0, np.inf]), "eigenvalues must be finite"),
    (lambda: gd.rosenbrock(b=0.0), "b must be > 0, got 0.0"),
    (lambda: gd.rosenbrock(a=np.nan), "a must be finite"),
    (lambda: gd.plateau(-1.0), "width must be > 0, got -1.0"),
    (lambda: gd.shifted_parabola(np.inf), "center must be finite"),
    (lambda: gd.parabola_plus(np.nan), "c must be finite"),
    (lambda: gd.ill_conditioned(10.0, L=0.0), "L must be > 0, got 0.0"),
    (lambda: gd.ill_conditioned(np.inf), "kappa must be finite, got inf"),
    (lambda: gd.line_mse([], []), "x_data and y_data must be non-empty and the same length, got 0 and 0"),
    (lambda: gd.line_mse([1.0, np.nan], [1.0, 2.0]), "x_data must be finite"),
    (lambda: gd.line_mse([1.0, 2.0], [1.0, np.inf]), "y_data must be finite"),
    (lambda: gd.quadratic([1.0, 2.0], angle=np.nan), "angle must be finite"),
    (lambda: gd.quadratic([1.0, 2.0], b=[np.nan, 1.0]), "b must be finite"),
])
def test_bad_objective_arguments(make, message):
    with pytest.raises(ValueError, match="^" + message):
        make()


# -- perf-build: the shortcuts gd.run and minibatch_sgd take give the same bits -----------------
_ARGS = {"quadratic": {"eigenvalues": [1.0, 10.0], "angle": 0.3}, "ill_conditioned": {"kappa": 25}}


@pytest.mark.parametrize("name", [n for n in gd.objectives.OBJECTIVES if n != "line_mse"])
def test_value_and_grad_in_one_pass_is_bit_identical_to_value_and_grad(name):
    objective = gd.get_objective(name, **_ARGS.get(name, {}))
    rng = np.random.default_rng(3)
    points = rng.normal(size=(50, objective.dim)) * 2
    value, grad = objective.value_and_grad(points)
    assert np.array_equal(value, objective.value(points))
    assert np.array_equal(grad, objective.grad(points))


def test_a_batch_of_line_mse_is_line_mse_of_the_batch():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=40), rng.normal(size=40)
    full, points = gd.line_mse(x, y), rng.normal(size=(6, 2))
    for idx in (np.array([5]), rng.permutation(40)[:8], np.arange(40)):
        batch, direct = full.batch(idx), gd.line_mse(x[idx], y[idx])
        for method in ("value", "grad", "hessian"):
            assert np.array_equal(getattr(batch, method)(points), getattr(direct, method)(points))
    with pytest.raises(ValueError, match="non-empty 1-D index"):
        full.batch(np.array([], dtype=int))


def test_a_batch_reads_as_the_same_loss_on_fewer_samples():
    """What a mini-batch objective says about itself: the name and formula of line_mse, no
    known minimiser (shape (0, 2)), the full problem's plotting box, and its own samples."""
    x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 3.0, 5.0, 8.0])
    full = gd.line_mse(x, y)
    batch = full.batch([1, 3])
    assert (batch.name, batch.dim, batch.latex) == ("line_mse", 2, full.latex)
    assert batch.minimizers.shape == (0, 2) and batch.bounds == full.bounds
    np.testing.assert_array_equal(batch.x, [1.0, 3.0])
    np.testing.assert_array_equal(batch.y, [3.0, 8.0])
    with pytest.raises(ValueError, match=r"non-empty 1-D index into the 4 samples, got array\(\[\]"):
        full.batch(np.array([], dtype=int))


def test_line_mse_keeps_its_data_as_floats():
    """Integer data become float64 samples (a mean of squared ints must not wrap or truncate),
    kept as the attributes x and y; data with one x value have no single minimiser."""
    obj = gd.line_mse([0, 1, 2], [1, 3, 5])
    assert obj.x.dtype == obj.y.dtype == np.float64
    np.testing.assert_array_equal(obj.x, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(obj.y, [1.0, 3.0, 5.0])
    flat = gd.line_mse([2.0, 2.0], [1.0, 3.0])
    assert flat.optimum is None and flat.minimizers.shape == (0, 2)


@pytest.mark.parametrize("method", ["value", "grad", "hessian"])
def test_a_point_of_the_wrong_dimension_is_refused_naming_x(method):
    with pytest.raises(ValueError, match=r"^x must have shape \(\.\.\., 2\) for this 2-D objective"):
        getattr(gd.rosenbrock(), method)([[1.0, 2.0, 3.0]])


def test_quadratic_curvature_extras():
    """mu, L and kappa = L / mu are read from the eigenvalues (any order); a zero eigenvalue
    (a flat direction) makes kappa infinite, an eigenvalue below 1 does not."""
    q = gd.quadratic([10.0, 0.5])
    np.testing.assert_array_equal(q.eigenvalues, [10.0, 0.5])
    assert (q.mu, q.L, q.kappa) == (0.5, 10.0, 20.0)
    assert gd.quadratic([0.0, 2.0]).kappa == np.inf


# -- issue 18: what the last mutation survivors showed untested ----------------------------------
def test_an_objective_can_be_copied_with_its_extras():
    """copy.copy asks a still-empty object for __setstate__; the extras lookup must not recurse."""
    for obj in (gd.saddle(), gd.quadratic([1.0, 4.0], b=[1.0, 0.0])):
        for twin in (copy.copy(obj), copy.deepcopy(obj)):
            assert twin.name == obj.name and twin.bounds == obj.bounds
            np.testing.assert_array_equal(twin.value([[0.5, 1.0]]), obj.value([[0.5, 1.0]]))
    assert copy.copy(gd.quadratic([1.0, 4.0])).kappa == 4.0
    np.testing.assert_array_equal(copy.deepcopy(gd.saddle()).saddle_points, [[0.0, 0.0]])
    with pytest.raises(AttributeError, match="^Objective 'saddle' has no attribute 'mu'$"):
        _ = copy.copy(gd.saddle()).mu


def _overflowing_line_fit():
    return gd.line_mse([0.0, 1.0], [1e200, 1e200])  # its loss at (0, 0) is (1e200)² = inf


def test_values_are_finite_wherever_an_objective_promises_it():
    """``finite_within`` is a radius inside which value and gradient are certainly finite (gd.run
    skips its checks there). Checked on spheres of that radius, for quadratics whose entries
    reach 1e200; an objective without such a promise (radius 0) includes a loss that overflows."""
    objectives = [make() for make, _, _ in CASES.values()] + [
        gd.quadratic([1e200, 1.0]), gd.quadratic([1.0, 2.0], b=[1e200, 0.0]),
        gd.quadratic([1e-3, 1e3], angle=0.3), gd.quadratic([5.0]), _overflowing_line_fit(),
        gd.rosenbrock(a=-1e100, b=1e100), gd.rosenbrock(b=1e101)]
    rng = np.random.default_rng(18)
    for obj in objectives:
        radius = obj.finite_within
        assert radius >= 0, obj.name
        if radius == 0:
            continue
        directions = np.vstack([np.eye(obj.dim), -np.eye(obj.dim),
                                rng.normal(size=(20, obj.dim))])
        points = radius * directions / np.linalg.norm(directions, axis=1, keepdims=True)
        with np.errstate(all="ignore"):
            value, grad = obj.value_and_grad(points)
            assert np.isfinite(value).all() and np.isfinite(grad).all(), obj.name
            assert np.isfinite(obj.value(points)).all() and np.isfinite(obj.grad(points)).all()


def test_the_lessons_quadratics_need_no_finiteness_checks():
    """A quadratic with moderate entries promises finite values far beyond gd.run's default bound
    (1e8), so its runs skip the checks; a run on a loss that overflows still sees it."""
    for eigenvalues in ([1.0, 10.0], [0.01, 1.0], LAM4):
        assert gd.quadratic(eigenvalues).finite_within >= 1e90
    assert gd.ill_conditioned(100.0).finite_within >= 1e90
    for classic in (gd.rosenbrock(), gd.beale(), gd.saddle()):  # the optimizer race's three
        assert classic.finite_within >= 1e8, classic.name
    assert gd.rosenbrock(b=1e101).finite_within == 0  # beyond what its radius was worked out for
    r = gd.run(gd.sgd(0.1), _overflowing_line_fit(), [0.0, 0.0], 5, bound=0.5)
    assert r.status == "diverged"


@pytest.mark.parametrize("name", list(gd.objectives.OBJECTIVES))
def test_value_and_grad_together_equal_value_and_grad_at_any_batch_shape(name):
    """One point, a batch and a (2, 3) grid of points: value_and_grad (the one-pass shortcut
    where an objective has one) gives the same bits as value and grad called separately."""
    args = {**_ARGS, "line_mse": {"x_data": X, "y_data": Y}}.get(name, {})
    objective = gd.get_objective(name, **args)
    rng = np.random.default_rng(7)
    for shape in ((), (5,), (2, 3)):
        points = rng.normal(size=shape + (objective.dim,)) * 1.5
        value, grad = objective.value_and_grad(points)
        assert value.shape == shape and grad.shape == shape + (objective.dim,)
        assert np.array_equal(value, objective.value(points))
        assert np.array_equal(grad, objective.grad(points))


def test_value_and_grad_refuses_a_point_of_the_wrong_dimension_naming_x():
    with pytest.raises(ValueError, match=r"^x must have shape \(\.\.\., 2\) for this 2-D objective"):
        gd.beale().value_and_grad([[1.0, 2.0, 3.0]])


def test_calling_an_objective_is_its_value():
    rosen = gd.rosenbrock()
    assert rosen([0.0, 1.0]) == rosen.value([0.0, 1.0]) == 101.0
    np.testing.assert_array_equal(gd.quartic()([[1.0], [2.0]]), [3.0, -2.0])


def test_rosenbrocks_hessian_where_x_is_zero():
    """Exactly [[2 - 4by, -4bx], [-4bx, 2b]] on the line x = 0 (random points never land on it)."""
    rosen = gd.rosenbrock(1.0, 10.0)
    np.testing.assert_array_equal(rosen.hessian([[0.0, 0.5], [0.0, -1.0]]),
                                  [[[-18.0, 0.0], [0.0, 20.0]], [[42.0, 0.0], [0.0, 20.0]]])


def test_plotting_boxes_frame_the_classic_views():
    """Beale's function on its usual domain [-4.5, 4.5]², Rosenbrock's banana on [-2, 2] x [-1, 3]
    (the valley's bottom and both arms); with another a the Rosenbrock box grows to hold
    (a, a²). A parabola is drawn ±5 around its minimiser, a bowl with its minimiser within 1 of
    the origin over ±1.5."""
    assert gd.beale().bounds == ((-4.5, 4.5), (-4.5, 4.5))
    assert gd.rosenbrock().bounds == ((-2.0, 2.0), (-1.0, 3.0))
    assert gd.rosenbrock(0.5, 10.0).bounds == ((-2.0, 2.0), (-1.0, 3.0))
    for a in (-1.5, 2.0, 3.0):
        rosen = gd.rosenbrock(a)
        (xlo, xhi), (ylo, yhi) = rosen.bounds
        assert xlo < a < xhi and ylo < a * a < yhi, a
        assert xlo == -xhi  # the valley's two arms drawn alike
    # x scaled by 2 and y by 4 map the valley y = x² onto itself: the same picture
    assert gd.rosenbrock(2.0).bounds == ((-4.0, 4.0), (-4.0, 12.0))
    for c in (5.0, -3.0):
        assert gd.parabola_plus(c).bounds == ((-5.0, 5.0),)
    assert gd.quadratic([1.0, 2.0]).bounds == ((-1.5, 1.5), (-1.5, 1.5))
    assert gd.quadratic([1.0, 2.0], b=[-0.5, 1.0]).bounds == ((-1.0, 2.0), (-2.0, 1.0))


def test_ill_conditioned_takes_any_kappa_from_1_and_keeps_it_exactly():
    """kappa = 1 is a round bowl (A = L I); below 1 is refused. The kappa given is the kappa
    reported, bit for bit (L / (L / 49) is 49.00000000000001); ``angle`` turns the valley."""
    round_bowl = gd.ill_conditioned(1.0, L=3.0)
    np.testing.assert_array_equal(round_bowl.A, 3.0 * np.eye(2))
    assert gd.ill_conditioned(1.5).kappa == 1.5
    with pytest.raises(ValueError, match="^kappa must be a finite number >= 1, got 0.5"):
        gd.ill_conditioned(0.5)
    assert gd.ill_conditioned(49.0).kappa == 49.0
    angle = 0.4
    turned = gd.ill_conditioned(10.0, L=2.0, angle=angle)
    steep = np.array([-np.sin(angle), np.cos(angle)])  # the second axis, turned by angle
    np.testing.assert_allclose(turned.A @ steep, 2.0 * steep, rtol=1e-14)
    np.testing.assert_allclose(turned.R[:, 0], [np.cos(angle), np.sin(angle)], rtol=1e-14)


def test_line_mse_refuses_strings_and_bools_and_keeps_its_own_copy_of_the_data():
    """Data go through the same number check as every argument (no "1" read as 1.0, no True
    as 1.0), and changing the caller's arrays afterwards does not change the loss."""
    with pytest.raises(TypeError, match="^x_data must be a number or an array of numbers"):
        gd.line_mse(["0", "1"], [0.0, 1.0])
    with pytest.raises(TypeError, match="^y_data must be a number or an array of numbers"):
        gd.line_mse([0.0, 1.0], [True, False])
    x, y = np.array([0.0, 1.0, 2.0]), np.array([1.0, 3.0, 5.0])
    fit = gd.line_mse(x, y)
    before = fit.value([[2.0, 1.0]])
    x[:], y[:] = 7.0, -7.0
    np.testing.assert_array_equal(fit.value([[2.0, 1.0]]), before)
    np.testing.assert_array_equal(fit.x, [0.0, 1.0, 2.0])
    assert before == 0.0


# -- issue 16 item 1: Nesterov's worst function (docs/convergence.md) ---------------------------
def test_nesterov_worst_case_objective_matches_autograd_and_its_closed_forms():
    d, L = 7, 2.5
    obj = gd.nesterov_worst_case(d, L=L)

    def fn(p):
        return L / 4 * (0.5 * (p[0] ** 2 + torch.sum((p[:-1] - p[1:]) ** 2) + p[-1] ** 2) - p[0])

    rng = np.random.default_rng(1)
    for p in rng.normal(size=(4, d)):
        t = torch.tensor(p, dtype=torch.float64)
        assert obj.value(p) == pytest.approx(float(fn(t)), rel=1e-12, abs=1e-12)
        np.testing.assert_allclose(obj.grad(p), jacobian(fn, t).numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(obj.hessian(p), hessian(fn, t).numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(obj.optimum, 1 - np.arange(1, d + 1) / (d + 1))
    np.testing.assert_allclose(obj.grad(obj.optimum), 0, atol=1e-14)
    assert obj.value(obj.optimum) == pytest.approx(obj.f_star) == pytest.approx(L / 8 * (1 / 8 - 1))
    eig = np.linalg.eigvalsh(obj.A)
    assert 0 < eig.min() == pytest.approx(obj.mu) and eig.max() < L  # convex and L-smooth
    assert np.sum(obj.optimum**2) == pytest.approx(d * (2 * d + 1) / (6 * (d + 1)))


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "5"])
def test_nesterov_worst_case_refuses_a_bad_dimension(bad):
    with pytest.raises(ValueError, match="^d must be a positive integer"):
        gd.nesterov_worst_case(bad)


def test_nesterov_worst_case_refuses_a_bad_L():
    with pytest.raises(ValueError, match="^L must be > 0"):
        gd.nesterov_worst_case(5, L=0.0)


def test_nesterov_worst_case_refuses_a_dimension_too_large_to_store():
    from gdnotes.objectives import NESTEROV_MAX_DIM

    with pytest.raises(ValueError, match=r"d must be at most 4,096 .* got 102400"):
        gd.nesterov_worst_case(NESTEROV_MAX_DIM * 25)  # 84 GB: an error naming d, not a MemoryError


def test_an_objective_without_a_hessian_says_so_where_one_is_needed():
    import dataclasses

    no_hessian = dataclasses.replace(gd.rosenbrock(), d2f=None)
    with pytest.raises(ValueError, match=r"'rosenbrock' has no Hessian .*d2f=None"):
        no_hessian.hessian([0.0, 0.0])
    with pytest.raises(ValueError, match="has no Hessian"):
        gd.run(gd.exact_line_search(), no_hessian, [0.0, 0.0], steps=2)
    with pytest.raises(ValueError, match="has no Hessian"):
        gd.run(gd.newton(), no_hessian, [0.0, 0.0], steps=2)
