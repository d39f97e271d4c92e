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


# ============================================================================ two-dimensions.md
def test_two_dimensions_answers(example):
    """Quadratic with curvatures mu, L: factors 1 - eta mu and 1 - eta L; eta* = 2 / (mu + L)."""
    ex = example("two_dimensions")
    mu, big_l = Fraction(str(ex.raw("valley_mu"))), Fraction(str(ex.raw("valley_big_l")))
    kappa = big_l / mu
    assert kappa == ex.raw("valley_kappa")
    best = 2 / (mu + big_l)
    assert ex.raw("ex_steep_factor") == pytest.approx(float(1 - best * big_l), rel=1e-12)
    assert ex.raw("ex_steep_factor") == pytest.approx(-float((kappa - 1) / (kappa + 1)))
    ratio = math.log(float((kappa - 1) / (kappa + 1))) / math.log(float(1 - 1 / kappa))
    assert ex.raw("ex_steps_ratio") == pytest.approx(ratio, rel=1e-12) and 1.8 < ratio < 2
    rate = Fraction(999, 1001)
    t = math.ceil(math.log(1e-6) / math.log(999 / 1001))
    assert rate**t <= Fraction(1, 10**6) < rate ** (t - 1)  # the smallest such t, exactly
    assert ex.raw("ex_steps_kappa_1000") == t
    assert abs(3 * 1000 * math.log(10) - t) < 1  # "the shortcut ... within a step of it"


# ============================================================================ non-convex.md
def test_non_convex_answers(example):
    """f(x) = x^4 - 5x^3 + 4x^2 + 3x, differentiated by hand here."""
    ex = example("non_convex")

    def f1(x):
        return 4 * x**3 - 15 * x**2 + 8 * x + 3

    def f2(x):
        return 12 * x**2 - 30 * x + 8

    eta = Fraction(str(ex.raw("lr")))
    assert f1(-1) == -24 and "f'(-1) = -4 - 15 - 8 + 3 = -24" in _page("non-convex.md")
    assert ex.raw("ex_x1_from_m1") == pytest.approx(float(-1 - eta * f1(-1)), rel=1e-14)
    assert f1(3) == 0 and ex.raw("global_min") == pytest.approx(3)
    assert ex.raw("ex_factor_global_01") == pytest.approx(1 - 0.1 * f2(3))  # -1.6: repelled
    assert 2 / f2(3) < 0.1 < 2 / f2(Fraction(-1, 4))  # between the two limits
    assert f1(1) == 0 and f2(1) == -10 and "1 - \\eta f''(\\bar x) = 1 + 10\\eta" in _page(
        "non-convex.md")
    assert ex.raw("ex_hump_factor") == pytest.approx(float(1 - eta * f2(1)))
    # the roots of f' are -1/4, 1 and 3, exactly
    assert [f1(Fraction(x)) for x in ("-1/4", "1", "3")] == [0, 0, 0]
    lines = ex.printed("ex_roots").splitlines()
    assert [line.split()[2] for line in lines] == ["-0.250000", "+1.000000", "+3.000000"]
    assert [line.split()[-1] for line in lines] == ["minimum", "maximum", "minimum"]
