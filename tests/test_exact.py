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
