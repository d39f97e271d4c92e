"""The numbers in the exercises' answers, recomputed independently: exact arithmetic
(fractions.Fraction), closed forms and plain-Python loops, never the example's own code.

Each example is run once per module (in-process, figures not drawn); a test then compares what the
example recorded for the page (the value the answer box checks against) with the recomputation.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.xdist_group("content_exercises")


# ============================================================================ update-rule.md
def test_update_rule_answers(example):
    """f(x) = (x - 5)^2 from x0 = -5 with eta = 0.1: x_{t+1} - 5 = (1 - 2 eta)(x_t - 5)."""
    ex = example("update_rule")
    x0, eta = Fraction(str(ex.raw("x0"))), Fraction(str(ex.raw("lr")))
    assert (x0, eta) == (-5, Fraction(1, 10))

    def step(x, lr):
        return x - lr * 2 * (x - 5)

    assert ex.raw("ex_x2") == pytest.approx(float(step(step(x0, eta), eta)), rel=1e-15)
    assert ex.raw("ex_x1_eta1") == step(x0, 1) == 15
    assert ex.raw("ex_x2_eta1") == step(step(x0, 1), 1) == x0  # back at the start
    # one step lands on 5 from any start exactly when 1 - 2 eta = 0
    assert ex.raw("ex_eta_one_step") == 0.5 and step(Fraction(123, 7), Fraction(1, 2)) == 5
    # first t with |x0 - 5| (1 - 2 eta)^t < 1e-6, from the closed form (no float boundary nearby)
    t = math.log(1e-6 / abs(float(x0) - 5)) / math.log(1 - 2 * float(eta))
    assert abs(t - round(t)) > 0.01
    assert ex.raw("ex_steps_1e6") == math.floor(t) + 1
    assert ex.printed("ex_stop_early").startswith(f"{math.floor(t) + 1} steps, x = 4.99999")


def _page(name: str) -> str:
    return (REPO / "docs" / name).read_text(encoding="utf-8")


# ============================================================================ learning-rate.md
def test_learning_rate_answers(example):
    """f(x) = x^2 + 5 from x0 = 8: x_{t+1} = (1 - 2 eta) x_t."""
    ex = example("learning_rate")
    assert ex.raw("q_09") == pytest.approx(1 - 2 * 0.9) and ex.raw("q_01") == pytest.approx(0.8)
    assert abs(ex.raw("q_09")) == pytest.approx(abs(ex.raw("q_01")))  # equally fast
    assert ex.text("regime_09").startswith("oscillat")
    # |x_t| = 8 / 2^t < 0.01  <=>  2^t > 800, exactly in rationals
    t = next(t for t in range(100) if Fraction(8, 2**t) < Fraction(1, 100))
    assert ex.raw("ex_steps_025") == t and 2 ** (t - 1) <= 800 < 2**t
    assert round(math.log2(10), 1) == 3.3 and "\\log_2 10 \\approx 3.3" in _page("learning-rate.md")
    assert ex.raw("ex_max_lr_l6") == pytest.approx(1 / 3, rel=1e-15)  # |1 - 6 eta| < 1
    assert ex.raw("ex_x10_eta11") == pytest.approx(8 * 1.2**10, rel=1e-12)
    assert ex.printed("ex_diverge").strip() == (
        f"after 10 steps: x = {8 * 1.2**10:.4f}, |x| / |x0| = {1.2**10:.4f}")
