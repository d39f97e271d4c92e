"""The Fraction-exact worked regression equals an independent float64 torch loop."""

from fractions import Fraction

import numpy as np
import pytest
import torch

import gdnotes as gd


def torch_loop(x, y, w0, b0, lr, steps):
    """Plain autograd gradient descent on mean((w x + b - y)^2), recording every quantity."""
    x, y = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
    w = torch.tensor(float(w0), dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b0), dtype=torch.float64, requires_grad=True)
    rows = []
    for _ in range(steps):
        loss = torch.mean((w * x + b - y) ** 2)
        gw, gb = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            rows.append((w.item(), b.item(), loss.item(), gw.item(), gb.item()))
            w -= lr * gw
            b -= lr * gb
    final_loss = torch.mean((w * x + b - y) ** 2).item()
    return rows, (w.item(), b.item(), final_loss)


@pytest.mark.parametrize("x, y, w0, b0, lr, steps", [
    (gd.WORKED_X, gd.WORKED_Y, 0, 0, Fraction(1, 10), 6),
    ([0, 1, 3], [1, 2, 2], Fraction(1, 2), -1, Fraction(1, 20), 12),
])
def test_fraction_iterations_equal_torch(x, y, w0, b0, lr, steps):
    exact = gd.worked_regression(x, y, w0, b0, lr, steps)
    rows, last = torch_loop(x, y, w0, b0, float(lr), steps)
    assert len(exact) == steps
    for it, (w, b, loss, gw, gb) in zip(exact, rows, strict=True):
        assert all(isinstance(v, Fraction) for v in (it.w, it.b, it.loss_before, it.grad_w))
        np.testing.assert_allclose([float(it.w), float(it.b), float(it.loss_before),
                                    float(it.grad_w), float(it.grad_b)],
                                   [w, b, loss, gw, gb], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose([float(exact[-1].new_w), float(exact[-1].new_b),
                                float(exact[-1].loss_after)], last, rtol=1e-12, atol=1e-15)


def test_worked_example_first_step_by_hand():
    # ŷ = 0, r = (-2, -4), L = (4 + 16)/2 = 10, dL/dw = 2·(-2·1 - 4·2)/2 = -10, dL/db = -6
    first = gd.worked_regression()[0]
    assert (first.loss_before, first.grad_w, first.grad_b) == (10, -10, -6)
    assert (first.new_w, first.new_b) == (1, Fraction(3, 5))
    assert first.residuals == (-2, -4) and first.predictions == (0, 0)
    # records chain: each step starts where the previous ended
    its = gd.worked_regression(steps=4)
    assert all(a.new_w == b.w and a.loss_after == b.loss_before for a, b in zip(its[:-1], its[1:], strict=True))


def test_float_learning_rate_means_its_decimal():
    assert gd.worked_regression(lr=0.1) == gd.worked_regression(lr=Fraction(1, 10))


def test_the_page_shows_six_steps_by_default():
    its = gd.worked_regression()
    assert [it.step for it in its] == list(range(6))
    assert its == gd.worked_regression(gd.WORKED_X, gd.WORKED_Y, 0, 0, Fraction(1, 10), 6)


@pytest.mark.parametrize("x, y, shown", [([], [], "0 and 0"), ([1, 2], [2], "2 and 1"),
                                         ([1], [2, 4], "1 and 2")])
def test_empty_or_mismatched_data_is_rejected(x, y, shown):
    with pytest.raises(ValueError, match=f"^x and y must be non-empty and the same length, got {shown}"):
        gd.worked_regression(x, y)


@pytest.mark.parametrize("arg, value, message", [
    ("x", [1, "a"], "x must be a rational number, got 'a'"),
    ("y", [2, None], "y must be a rational number, got None"),
    ("w0", float("nan"), "w0 must be finite"),
    ("b0", "1/0.5", "b0 must be a rational number, got '1/0.5'"),
    ("lr", float("inf"), "lr must be finite"),
    ("lr", Fraction(-1, 10), r"lr \(learning rate\) must be > 0, got -1/10"),
    ("steps", 0, "steps must be a positive integer, got 0"),
])
def test_bad_arguments_name_themselves(arg, value, message):
    with pytest.raises(ValueError, match="^" + message):
        gd.worked_regression(**{arg: value})


def test_one_point_and_string_inputs_are_exact():
    """A single point is fine (the line through it is not unique, the gradient still is), and
    decimal strings are read exactly: 0.1 as 1/10."""
    (it,) = gd.worked_regression([Fraction(1, 3)], ["0.1"], w0="1/2", b0=0, lr="0.3", steps=1)
    assert it.residuals == (Fraction(1, 6) - Fraction(1, 10),)
    assert it.grad_w == 2 * Fraction(1, 15) * Fraction(1, 3) and it.grad_b == Fraction(2, 15)
    assert it.new_b == -Fraction(3, 10) * Fraction(2, 15)
