"""gdnotes.diagnostics: the gradient check catches a planted gradient bug and passes right ones;
the learning-rate range test finds the divergence threshold 2/L of a quadratic; bad input gets
an error naming the argument and the value."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import gdnotes as gd


# ------------------------------------------------------------------------------ gradient check
@pytest.mark.parametrize("make", [lambda: gd.rosenbrock(), lambda: gd.beale(),
                                  lambda: gd.quadratic([0.5, 3.0, 9.0])])
def test_gradient_check_passes_the_objectives_own_gradients(make):
    objective = make()
    theta = np.linspace(0.3, 0.9, objective.dim)
    check = gd.gradient_check(objective, theta)
    assert check.worst < 1e-7
    np.testing.assert_allclose(check.numeric, objective.grad(theta), rtol=1e-7, atol=1e-9)


def test_gradient_check_catches_a_planted_bug_and_says_where():
    """A hand-written gradient of f(θ) = Σ θᵢ³ + θ₀θ₁ that forgets the θ₀θ₁ term in ∂f/∂θ₁."""
    def f(t):
        return float(np.sum(t**3) + t[0] * t[1])

    def right(t):
        g = 3 * t**2
        g[0] += t[1]
        g[1] += t[0]
        return g

    def buggy(t):
        g = 3 * t**2
        g[0] += t[1]
        return g

    theta = np.array([0.5, -1.0, 2.0])
    assert gd.gradient_check(f, theta, grad=right).worst < 1e-8
    bad = gd.gradient_check(f, theta, grad=buggy)
    assert bad.where == 1
    # the numeric derivative is the right one: 3θ₁² + θ₀
    assert bad.numeric[1] == pytest.approx(3 * theta[1] ** 2 + theta[0], rel=1e-9)
    expected = abs(3 * theta[1] ** 2 - bad.numeric[1]) / max(3 * theta[1] ** 2, abs(bad.numeric[1]))
    assert bad.worst == pytest.approx(expected, rel=1e-8)
    assert bad.relative_errors[[0, 2]].max() < 1e-8


def test_gradient_check_overrides_an_objectives_gradient():
    bowl = gd.quadratic([1.0, 4.0])
    check = gd.gradient_check(bowl, np.array([1.0, 1.0]), grad=lambda t: 2 * bowl.grad(t))
    assert check.worst == pytest.approx(0.5, rel=1e-8)  # |2a - a| / |2a|


def test_relative_error_is_cs231n_and_zero_where_both_are_zero():
    check = gd.gradient_check(lambda t: float(t[1] ** 2), np.array([3.0, 1.0]),
                              grad=lambda t: np.array([0.0, 2.0 * t[1]]))
    assert check.relative_errors[0] == 0.0  # ∂f/∂θ₀ is 0 both ways
    assert check.worst < 1e-8


def test_a_right_gradient_smaller_than_the_rounding_is_not_flagged_but_a_wrong_one_is():
    """f = 1 + θ₀² + 10⁻¹⁰θ₁: rounding in f (≈ 10⁻¹⁶) divided by 2ε leaves ∂f/∂θ₁ = 10⁻¹⁰ as
    numeric noise. CS231n's plain ratio (floor=0) calls that right gradient 100 % wrong; the
    default floor (ROUNDING_MARGIN × the rounding error of the quotient) does not, and a wrong
    entry of 10⁻⁶ there is still caught."""
    def f(t):
        return float(1 + t[0] ** 2 + 1e-10 * t[1])

    theta = np.array([0.3, 0.2])
    plain = gd.gradient_check(f, theta, grad=lambda t: np.array([2 * t[0], 1e-10]), floor=0)
    assert plain.relative_errors[1] > 0.5  # the false alarm the floor is for
    right = gd.gradient_check(f, theta, grad=lambda t: np.array([2 * t[0], 1e-10]))
    u = np.finfo(float).eps
    np.testing.assert_allclose(right.floor, gd.diagnostics.ROUNDING_MARGIN * u
                               * np.array([f(theta + [1e-6, 0]), f(theta + [0, 1e-6])]) / 1e-6,
                               rtol=1e-6)
    assert right.worst < 1e-3
    wrong = gd.gradient_check(f, theta, grad=lambda t: np.array([2 * t[0], 1e-6]))
    assert wrong.worst > 0.1 and wrong.where == 1
    fixed = gd.gradient_check(f, theta, grad=lambda t: np.array([2 * t[0], 1e-10]), floor=1e-3)
    assert np.all(fixed.floor == 1e-3) and fixed.worst == pytest.approx(1e-10 / 1e-3)


def test_a_float32_loss_is_refused_not_misjudged():
    """In float32 the check would call autograd's right gradient wrong: refused, with the fix."""
    with pytest.raises(ValueError, match="^f must compute the loss in float64, got a float32"):
        gd.gradient_check(lambda t: np.float32(t @ t), np.array([1.0, 2.0]), grad=lambda t: 2 * t)
    with pytest.raises(ValueError, match="^f must compute the loss in float64, got a float32"):
        gd.gradient_check(lambda t: torch.tensor(float(t @ t), dtype=torch.float32), np.array([1.0, 2.0]),
                          grad=lambda t: 2 * t)
    with pytest.raises(ValueError, match=r"^model must have float64 parameters .*float32.*"
                                         r"model\.double\(\)"):
        gd.flat_loss(gd.mlp((2, 3, 1), seed=0).float(), lambda m: m(torch.zeros(1, 2)).sum())
    value, grad, theta = gd.flat_loss(gd.mlp((2, 3, 1), seed=0),  # float64 model, float32 loss
                                      lambda m: m(torch.zeros(1, 2, dtype=torch.float64)).sum().float())
    with pytest.raises(ValueError, match=r"^loss\(model\) must be computed in float64, got "
                                         r"torch.float32"):
        gd.gradient_check(value, theta, grad=grad)
    value, _, theta = gd.flat_loss(gd.mlp((2, 3, 1), seed=0), lambda m: m(torch.zeros(2, 2, dtype=torch.float64)))
    with pytest.raises(ValueError, match=r"^loss\(model\) must return a scalar tensor"):
        value(theta)
    # a float64 value computed from float32 numbers is not detectable: the docstring says so
    assert "float32 loss value is refused" in " ".join(gd.gradient_check.__doc__.split())


def test_central_differences_error_is_second_order():
    """For x³ the central difference is exactly 3x² + ε²: the relative error at x = 1 is
    ε²/(3 + ε²), for ε where rounding does not dominate."""
    for eps in (1e-2, 1e-3):
        check = gd.gradient_check(lambda t: float(t[0] ** 3), np.array([1.0]),
                                  grad=lambda t: 3 * t**2, eps=eps)
        assert check.worst == pytest.approx(eps**2 / (3 + eps**2), rel=1e-5)


def test_gradient_check_on_a_torch_model_passes_autograd_and_catches_a_missing_factor():
    X, y = gd.two_moons(n=40, seed=1)
    inputs, labels = torch.tensor(X), torch.tensor(y)
    model = gd.mlp((2, 5, 1), seed=3)
    before = [p.detach().clone() for p in model.parameters()]

    def loss(m):
        return torch.nn.functional.binary_cross_entropy_with_logits(m(inputs).squeeze(-1), labels)

    value, grad, theta = gd.flat_loss(model, loss)
    assert theta.size == sum(p.numel() for p in model.parameters()) == 21
    check = gd.gradient_check(value, theta, grad=grad)
    assert check.worst < 1e-6
    for p, q in zip(before, model.parameters(), strict=True):  # the model is left as it was
        assert torch.equal(p, q)
    # a "gradient" of the loss without the mean's 1/n
    bad = gd.gradient_check(value, theta, grad=lambda t: grad(t) * len(y))
    assert bad.worst == pytest.approx(1 - 1 / len(y), rel=1e-5)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"eps": 0.0}, ValueError, "^eps must be > 0, got 0.0"),
    ({"eps": -1e-6}, ValueError, r"^eps must be > 0, got -1e-06"),
    ({"eps": "1e-6"}, TypeError, "^eps must be a number"),
    ({"theta": np.array([np.nan, 1.0])}, ValueError, "^theta must be finite"),
    ({"theta": np.ones((2, 2))}, ValueError, r"^theta must be a non-empty 1-D array .* shape \(2, 2\)"),
    ({"grad": "g"}, TypeError, "^grad must be a function"),
    ({"grad": lambda t: np.ones(3)}, ValueError, r"^grad\(theta\) must return shape \(2,\)"),
    ({"f": 3.0}, TypeError, "^f must be a gdnotes Objective or a function"),
    ({"f": lambda t: np.ones(2)}, ValueError, "^f must return one finite number, got array"),
    ({"f": lambda t: math.nan}, ValueError, "^f must return one finite number, got nan"),
    ({"floor": -1.0}, ValueError, "^floor must be >= 0, got -1.0"),
])
def test_gradient_check_rejects_bad_input_naming_it(kwargs, error, message):
    args = {"f": lambda t: float(t @ t), "theta": np.array([1.0, 2.0]), "grad": lambda t: 2 * t}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        gd.gradient_check(args.pop("f"), args.pop("theta"), **args)


def test_flat_loss_rejects_a_non_model():
    with pytest.raises(TypeError, match="^model must be a torch.nn.Module"):
        gd.flat_loss(np.ones(3), lambda m: m)


# ------------------------------------------------------------------------------ LR range test
def _quadratic_steps(eigenvalues, x0):
    """Gradient descent on ½ Σ λᵢ xᵢ², one step per call; returns the loss after the step."""
    lam, x = np.asarray(eigenvalues, dtype=float), np.array(x0, dtype=float)

    def step(lr):
        x[:] = x - lr * lam * x
        return 0.5 * float(np.sum(lam * x * x))

    return step


@pytest.mark.parametrize("L", [0.5, 4.0, 30.0])
def test_range_test_finds_the_divergence_threshold_of_a_quadratic(L):
    """On ½Lx² the loss after a step at η falls iff |1 - ηL| < 1, i.e. η < 2/L: the lowest loss
    is at the last grid η below 2/L, and the suggestion is a tenth of it."""
    result = gd.lr_range_test(_quadratic_steps([L], [1.0]), lr_min=1e-4, lr_max=100.0, steps=120)
    ratio = result.lrs[1] / result.lrs[0]
    assert 2 / (L * ratio) <= result.best_lr < 2 / L
    assert result.suggestion == pytest.approx(result.best_lr / 10)
    assert result.stopped_early and result.lrs[-1] < 100.0
    assert result.losses[-1] > 4.0 * result.losses.min()  # the step past the stop is kept
    grid = 1e-4 * (100.0 / 1e-4) ** (np.arange(120) / 119)
    np.testing.assert_allclose(result.lrs, grid[:result.lrs.size], rtol=1e-13)
    assert np.all(np.diff(result.losses[:np.argmin(result.losses) + 1]) < 0)
    assert "divided by 10" in result.rule


def test_range_test_on_a_bowl_with_several_curvatures_can_overshoot_2_over_L():
    """While η < 2/L every component shrinks, so the loss falls; but once the steep direction
    has been flattened out, the flatter ones keep the loss falling past 2/L. The lowest loss then
    comes after the stability limit, and the divided suggestion is what stays below it."""
    lam, L = [0.05, 0.5, 5.0], 5.0
    result = gd.lr_range_test(_quadratic_steps(lam, [1.0, 1.0, 1.0]), lr_min=1e-4,
                              lr_max=100.0, steps=120)
    below = result.lrs < 2 / L
    assert np.all(np.diff(result.losses[:below.sum() + 1]) < 0)
    assert result.best_lr > 2 / L  # overshoot
    assert result.suggestion < 2 / L


def test_range_test_divisor_and_no_early_stop():
    result = gd.lr_range_test(_quadratic_steps([1.0], [1.0]), lr_min=1e-3, lr_max=0.1, steps=10,
                              divisor=4.0)
    assert not result.stopped_early and result.lrs.size == 10
    assert result.best_lr == pytest.approx(0.1) and result.suggestion == pytest.approx(0.025)


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"lr_min": 0.0}, ValueError, "^lr_min must be > 0, got 0.0"),
    ({"lr_max": 1e-5}, ValueError, r"^lr_max must be > lr_min=0.0001, got 1e-05"),
    ({"steps": 1}, ValueError, "^steps must be at least 2, got 1"),
    ({"steps": 2.5}, ValueError, "^steps must be a positive integer, got 2.5"),
    ({"divisor": -1.0}, ValueError, "^divisor must be > 0, got -1.0"),
    ({"stop_factor": 1.0}, ValueError, "^stop_factor must be > 1, got 1.0"),
    ({"step": None}, TypeError, "^step must be a function"),
    ({"step": lambda lr: [1.0, 2.0]}, ValueError, r"^step must return one number \(the loss\)"),
    ({"step": lambda lr: math.inf}, ValueError, r"^step\(lr_min=0.0001\) returned inf"),
])
def test_range_test_rejects_bad_input_naming_it(kwargs, error, message):
    args = {"step": _quadratic_steps([1.0], [1.0])}
    args.update(kwargs)
    with pytest.raises(error, match=message):
        gd.lr_range_test(args.pop("step"), **args)
