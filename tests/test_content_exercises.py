"""The numbers in the exercises' answers, recomputed independently: exact arithmetic
(fractions.Fraction), closed forms, plain-Python loops and numpy/torch, never the example's own code.

The values compared are the ones the site build recorded (the example outputs in the build's cache,
which the answer boxes and the answers show), so these tests run no example themselves: they ride on
the one site build of the test session.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
import torch
from sitetools import SITE_GROUP, BuiltExample

REPO = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.build, pytest.mark.xdist_group(SITE_GROUP)]


@pytest.fixture(scope="module")
def example(built_outputs):
    """``example(name)``: that example's outputs as the site build recorded them."""
    return lambda name: BuiltExample(built_outputs(name))


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
    # eta = 0.99: q = -0.98, as slow as eta = 0.01 (q = 0.98), exactly in rationals
    assert ex.raw("ex_q_099") == pytest.approx(float(1 - 2 * Fraction(99, 100)), rel=1e-12)
    assert ex.raw("ex_q_001") == pytest.approx(float(1 - 2 * Fraction(1, 100)), rel=1e-12)
    assert ex.raw("ex_q_099") == pytest.approx(-ex.raw("ex_q_001"), rel=1e-12)  # equally slow
    assert ex.text("ex_regime_099") == "oscillating, convergent"
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
    best_rate = (kappa - 1) / (kappa + 1)  # at eta* = 2 / (mu + L)
    eta = Fraction(19, 10) / big_l
    steep, flat = 1 - eta * big_l, 1 - eta * mu
    assert ex.raw("ex_big_step_steep") == pytest.approx(float(steep), rel=1e-12)
    assert ex.raw("ex_big_step_flat") == pytest.approx(float(flat), rel=1e-12)
    assert ex.raw("ex_big_step_rate") == pytest.approx(float(max(abs(steep), abs(flat))), rel=1e-12)
    assert abs(steep) > abs(flat) and abs(steep) > best_rate  # slower; the steep direction limits
    assert abs(1 - eta * big_l) < 1 and eta > 2 / (mu + big_l)  # past eta*, below 2 / L
    assert ex.raw("valley_best_rate") == pytest.approx(float(best_rate), abs=5e-5)
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


# ============================================================================ worked-example.md
def test_worked_example_answers(example):
    """Least squares on (1, 2), (2, 4), (3, 5) and the two-point Hessian, recomputed with numpy."""
    ex = example("worked_regression")
    x, y = np.array([1.0, 2, 3]), np.array([2.0, 4, 5])
    assert ex.raw("ex_grad_w3") == pytest.approx(2 / 3 * np.sum(-y * x), rel=1e-15)
    assert ex.raw("ex_grad_w3") == pytest.approx(-50 / 3)
    (w, b), residual, *_ = np.linalg.lstsq(np.c_[x, np.ones(3)], y, rcond=None)
    assert (ex.raw("ex_w_star3"), ex.raw("ex_b_star3")) == pytest.approx((w, b), rel=1e-12)
    assert residual[0] > 0.1  # the minimum loss is not zero
    page = _page("worked-example.md")
    assert "$w^* = (3 \\cdot 25 - 6 \\cdot 11)/6" in page and 3 * 25 - 6 * 11 == 9
    assert (np.sum(x**2), x.sum(), np.sum(x * y), y.sum()) == (14, 6, 25, 11)  # as the page says
    assert (14 * 11 - 6 * 25, 3 * 14 - 6**2) == (4, 6)  # b* = 4/6 and the determinant
    hessian = 2 / 2 * np.array([[1 + 4, 1 + 2], [1 + 2, 2]])  # (2/n) [[sum x^2, sum x], [sum x, n]]
    top = np.linalg.eigvalsh(hessian)[-1]
    assert ex.raw("ex_max_lr") == pytest.approx(2 / top, rel=1e-12)
    assert ex.raw("ex_factor_04") == pytest.approx(1 - 0.4 * top) and ex.raw("ex_factor_04") < -1
    low = np.linalg.eigvalsh(hessian)[0]  # "the flat one sets the speed for eta up to 2/(low + top)"
    for eta in np.linspace(0.01, 2 / (low + top), 50):
        assert abs(1 - eta * low) >= abs(1 - eta * top) - 1e-12


# ============================================================================ neural-network.md
def test_neural_network_answers(example):
    ex = example("neural_network")
    widths = [int(w) for w in ex.text("sizes").split("–")]
    assert ex.raw("n_params") == sum(m * k + k for m, k in zip(widths, widths[1:], strict=False))
    by_hand = " + ".join(f"({m} \\cdot {k} + {k})" for m, k in zip(widths, widths[1:], strict=False))
    assert by_hand in _page("neural-network.md")  # the sum the answer writes out, layer by layer
    assert ex.raw("ex_loss_half") == pytest.approx(math.log(2), rel=1e-6)  # float32 BCE
    assert abs(ex.raw("loss_start") - math.log(2)) < 0.05  # "close to it"
    assert ex.raw("ex_dloss_dlogit") == pytest.approx(1 / (1 + math.exp(0)) - 1)
    x, grad, lines = 1.0, 0.0, []
    for _ in range(3):  # the buggy loop by hand: the gradient accumulates
        grad += 2 * x
        x -= 0.1 * grad
        lines.append(f"x.grad = {grad:.4f}, x = {x:.4f}")
    assert ex.raw("ex_x3_no_zero_grad") == pytest.approx(x, rel=1e-9) and x < 0
    assert [line.split(": ", 1)[1] for line in ex.printed("ex_no_zero_grad").splitlines()] == lines


# ============================================================================ stochastic.md
def test_stochastic_answers(example):
    """Batch noise without replacement, and the stationary variance of e <- (1 - eta h) e - eta xi
    found by iterating the variance recursion to its fixed point."""
    ex = example("minibatch")
    n = ex.raw("n")
    ratio = Fraction(1, 10) * Fraction(n - 10, n - 1)
    assert ex.raw("ex_noise_ratio_10") == pytest.approx(float(ratio), rel=1e-12)
    assert ex.raw("ex_floor_ratio_10x") == pytest.approx(float(10 * ratio), rel=1e-12)
    # the sampling identity itself: variance of a batch mean without replacement, by enumeration
    values = np.arange(7.0) ** 2  # 7 "per-sample gradients"
    means = [np.mean(c) for c in combinations(values, 3)]
    assert np.var(means) == pytest.approx(np.var(values, ddof=1) / 3 * (7 - 3) / 7)
    # ... which is Σ1/B (n-B)/(n-1) with Σ1 the population variance
    assert np.var(means) == pytest.approx(np.var(values) / 3 * (7 - 3) / (7 - 1))
    h, eta, sigma2, v = 2.0, 0.1, 1.0, 0.0  # eta h = 0.2
    for _ in range(2000):
        v = (1 - eta * h) ** 2 * v + eta**2 * sigma2
    assert ex.raw("ex_exact_over_approx") == pytest.approx((h / 2 * v) / (eta / 4 * sigma2))


# ============================================================================ which-optimizer.md
def test_which_optimizer_answers(example):
    """State sizes from torch.optim's own state, Adam's first step by torch, the heavy-ball limit
    from the roots of its characteristic polynomial."""
    ex = example("optimizer_summary")
    p = torch.zeros(10, dtype=torch.float64, requires_grad=True)
    p.grad = torch.ones_like(p)
    counts = {}
    for name, opt in [("sgd", torch.optim.SGD([p], lr=0.1)),
                      ("adagrad", torch.optim.Adagrad([p], lr=0.1)),
                      ("rmsprop", torch.optim.RMSprop([p], lr=0.1)),
                      ("adam", torch.optim.Adam([p], lr=0.1)),
                      ("sgd, momentum=0.9", torch.optim.SGD([p], lr=0.1, momentum=0.9))]:
        opt.step()
        state = opt.state[p]
        counts[name] = sum(v.numel() for k, v in state.items()
                           if torch.is_tensor(v) and k != "step") / p.numel()
    printed = {line.split(" keeps ")[0].strip(): float(line.split(" keeps ")[1].split()[0])
               for line in ex.printed("ex_state_floats").splitlines()}
    assert printed == counts
    assert ex.raw("ex_adam_gb") == pytest.approx(counts["adam"] * 1e9 * 4 / 1e9)
    for scale, name in ((1000.0, "ex_adam_step_steep"), (0.001, "ex_adam_step_flat")):
        x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([x], lr=0.01)
        (scale * x**2).sum().backward()
        opt.step()
        assert ex.raw(name) == pytest.approx(1 - x.item(), rel=1e-12)
    beta = 0.9
    limit = ex.raw("ex_hb_limit")
    for eta_lam, stable in ((limit - 1e-6, True), (limit + 1e-6, False)):
        roots = np.roots([1, -(1 + beta - eta_lam), beta])
        assert (np.max(np.abs(roots)) < 1) == stable


# ============================================================================ momentum.md
def test_momentum_answers(example):
    ex = example("momentum")
    assert ex.raw("ex_beta_100") == pytest.approx((9 / 11) ** 2, rel=1e-12)
    assert math.log(9 / 11) / math.log(99 / 101) == pytest.approx(10, abs=0.05)  # about sqrt(100)
    assert ex.raw("ex_rate_b081") == pytest.approx(0.9, rel=1e-12)
    roots = np.roots([1, -(1 + 0.81 - 0.5), 0.81])
    assert np.iscomplexobj(roots) and np.allclose(np.abs(roots), 0.9)
    assert ex.raw("ex_rate_b099") == pytest.approx(math.sqrt(0.99))
    assert 100 < -1 / math.log(ex.raw("ex_rate_b099")) < 1000  # "swings for hundreds of steps"
    # beta = 0.99 with Polyak's eta for kappa = 25 (L = 1): every eta*lambda in the complex band
    kappa = ex.raw("paths_kappa")
    mu, big_l = 1 / kappa, 1.0
    eta = 4 / (math.sqrt(big_l) + math.sqrt(mu)) ** 2
    s = math.sqrt(0.99)
    assert (1 - s) ** 2 < eta * mu and eta * big_l < (1 + s) ** 2
    measured = float(ex.printed("ex_too_much").split("measured rate ")[1].split()[0])
    assert measured == pytest.approx(math.sqrt(0.99), abs=2e-4)
    polyak = float(ex.printed("ex_too_much").splitlines()[1].split("rate ")[1].split()[0])
    assert polyak == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), abs=1e-4)


# ============================================================================ nesterov.md
def test_nesterov_answers(example):
    ex = example("nesterov")
    assert ex.raw("ex_nag_rate_100") == pytest.approx(1 - 2 / math.sqrt(301), rel=1e-12)
    assert ex.raw("ex_nag_rate_100") > 9 / 11  # the heavy ball's rate is smaller (faster)
    beta, edge = 0.9, ex.raw("ex_nag_edge_09")
    for eta_lam, stable in ((edge - 1e-6, True), (edge + 1e-6, False)):
        roots = np.roots([1, -(1 + beta) * (1 - eta_lam), beta * (1 - eta_lam)])
        assert (np.max(np.abs(roots)) < 1) == stable
    assert 2 * (1 + beta) / edge == pytest.approx(2.8)  # "almost three times larger"
    steps = {}
    for nesterov in (False, True):
        x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([x], lr=0.1, momentum=0.9, nesterov=nesterov)
        (x**2 / 2).sum().backward()
        opt.step()
        steps[nesterov] = 1 - x.item()
    assert ex.raw("ex_first_step_ratio") == pytest.approx(steps[True] / steps[False], rel=1e-12)


# ============================================================================ adaptive.md
def test_adaptive_answers(example):
    ex = example("adaptive")
    lengths = {}
    for name, make in (("adagrad", lambda p: torch.optim.Adagrad(p, lr=0.1)),
                       ("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01))):
        x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt, steps = make([x]), []
        for _ in range(100):
            before = x.item()
            opt.zero_grad()
            (3.0 * x).sum().backward()  # constant gradient 3
            opt.step()
            steps.append(abs(x.item() - before))
        lengths[name] = steps
    assert ex.raw("ex_adagrad_step_100") == pytest.approx(lengths["adagrad"][99], rel=1e-9)
    assert ex.raw("ex_adagrad_step_100") == pytest.approx(0.1 / math.sqrt(100), rel=1e-6)
    assert ex.raw("ex_rmsprop_first_ratio") == pytest.approx(lengths["rmsprop"][0] / 0.01, rel=1e-9)
    assert ex.raw("ex_rmsprop_first_ratio") == pytest.approx(1 / math.sqrt(1 - 0.99), rel=1e-6)
    c = s = math.sqrt(0.5)  # 45 degrees
    rotation = np.array([[c, -s], [s, c]])
    hessian = rotation @ np.diag([1.0, 1 / 100]) @ rotation.T
    assert ex.raw("ex_rotated_diag") == pytest.approx(hessian[0, 0], rel=1e-12)
    assert hessian[0, 0] == pytest.approx(hessian[1, 1])
    assert sum(k**-0.5 for k in range(1, 10**4 + 1)) == pytest.approx(2 * math.sqrt(10**4), rel=0.01)


# ============================================================================ adam.md
def test_adam_answers(example):
    ex = example("adam")
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x])
    for g in (1.0, 3.0):
        opt.zero_grad()
        (g * x).sum().backward()
        opt.step()
    m2 = opt.state[x]["exp_avg"].item()
    beta1 = ex.raw("default_beta1")
    assert ex.raw("ex_m_hat_2") == pytest.approx(m2 / (1 - beta1**2), rel=1e-12)
    assert 1 < ex.raw("ex_m_hat_2") < 3
    assert ex.raw("ex_weight_newest") == pytest.approx(1 / (1 + beta1), rel=1e-12)
    weights = [(1 - beta1) * beta1 ** (5 - k) / (1 - beta1**5) for k in range(1, 6)]
    assert sum(weights) == pytest.approx(1)
    y = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([y])
    (1e-10 * y).sum().backward()
    opt.step()
    assert ex.raw("ex_tiny_step_ratio") == pytest.approx(abs(y.item()) / opt.defaults["lr"], rel=1e-9)
    assert ex.raw("ex_tiny_step_ratio") == pytest.approx(1e-10 / (1e-10 + 1e-8), rel=1e-6)


# ============================================================================ nadam-amsgrad.md
def test_nadam_amsgrad_answers(example):
    ex = example("nadam_amsgrad")
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.NAdam([x])  # torch's defaults; one gradient far above eps
    x.grad = torch.tensor([3.0], dtype=torch.float64)
    opt.step()
    assert ex.raw("ex_first_step_ratio") == pytest.approx(-x.item() / opt.defaults["lr"], rel=1e-7)
    b1, psi = opt.defaults["betas"][0], opt.defaults["momentum_decay"]
    assert ex.raw("ex_mu_2") == pytest.approx(b1 * (1 - 0.5 * 0.96 ** (2 * psi)), rel=1e-12)
    c = Fraction(ex.raw("ex_c"))  # one period at x = +1 against the best point x = -1
    period = [c, Fraction(-1), Fraction(-1)]
    regret = sum(g * 1 - g * -1 for g in period) / 3
    assert ex.raw("ex_regret") == pytest.approx(float(regret), rel=1e-12)


# ============================================================================ second-order.md
def test_second_order_answers(example):
    ex = example("second_order")
    x = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    for _ in range(2):  # Newton with autograd's first and second derivatives
        (g,) = torch.autograd.grad(torch.exp(x) - 2 * x, x, create_graph=True)
        (h,) = torch.autograd.grad(g, x)
        x = (x - g / h).detach().requires_grad_(True)
    assert ex.raw("ex_newton_exp_x2") == pytest.approx(x.item(), rel=1e-12)
    assert ex.raw("ex_newton_exp_x2") == pytest.approx(2 / math.e, rel=1e-12)
    errors = [math.log(2), 1 - math.log(2), 2 / math.e - math.log(2)]
    assert (round(errors[1], 2), round(errors[2], 2)) == (0.31, 0.04)
    # "the second step shrinks it by a much larger factor than the first"
    assert errors[2] / errors[1] < 0.5 * errors[1] / errors[0]
    assert ex.raw("ex_newton_x4_factor") == pytest.approx(2 / 3, rel=1e-12)
    assert ex.raw("ex_memory_ratio") == 10**12 / (2 * 10 * 10**6)
    assert (8 * 10**12, 8 * 2 * 10 * 10**6) == (8e12, 160e6)  # 8 TB and 160 MB


# ============================================================================ schedules.md
def test_schedules_answers(example):
    ex = example("schedules")
    lr = ex.raw("lr")
    scheduler_lrs = []
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=300)
    for _ in range(101):
        scheduler_lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        cosine.step()
    assert ex.raw("ex_cosine_100") == pytest.approx(scheduler_lrs[100], rel=1e-12)
    assert ex.raw("ex_cosine_100") == pytest.approx(0.75 * lr)
    # warmup (LinearLR from 5 %) for 30 steps, then cosine over 270, as torch's SequentialLR
    opt = torch.optim.SGD([p], lr=lr)
    warm = torch.optim.lr_scheduler.SequentialLR(opt, [
        torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.05, total_iters=30),
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=270)], milestones=[30])
    lrs = []
    for _ in range(300):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        warm.step()
    assert ex.raw("ex_warm_165") == pytest.approx(lrs[165], rel=1e-9) and lrs[165] == pytest.approx(lr / 2)
    printed = {int(line.split(":")[0].split("=")[1]): float(line.split("lr = ")[1])
               for line in ex.printed("ex_read_schedule").splitlines()}
    assert printed == {t: pytest.approx(lrs[t], abs=5e-5) for t in (0, 15, 30, 165, 299)}
    assert ex.raw("ex_sum_squares") == pytest.approx(sum(1 / k**2 for k in range(1, 10**6)), rel=1e-5)


# ============================================================================ optimizer-race.md
def test_optimizer_race_answers(example):
    ex = example("optimizer_race")
    xy = torch.tensor([1.0, 1.0], dtype=torch.float64)

    def rosen(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    hessian = torch.autograd.functional.hessian(rosen, xy).numpy()
    assert np.array_equal(hessian, [[802, -400], [-400, 200]])
    low, high = np.linalg.eigvalsh(hessian)
    assert ex.raw("ex_rosen_lambda_min") == pytest.approx(low, rel=1e-12)
    assert ex.raw("ex_rosen_max_lr") == pytest.approx(2 / high, rel=1e-12)
    assert ex.raw("ex_rosen_max_lr") < 0.003
    assert round(high) == 1002 and ex.raw("ex_rosen_max_lr") * low < 0.001
    start = torch.tensor([-1.2, 1.0], dtype=torch.float64, requires_grad=True)
    rosen(start).backward()
    assert ex.raw("ex_rosen_grad_y0") == pytest.approx(start.grad[1].item(), rel=1e-12)
    assert start.grad[1].item() == pytest.approx(200 * (1 - 1.44))


# ============================================================================ problems/*.md
def test_step_size_and_hyperparameters_answers(example):
    ex = example("hyperparameters")
    assert ex.raw("ex_limit_l50") == pytest.approx(2 / 50)
    assert ex.raw("ex_factor_l50") == pytest.approx(1 - 0.05 * 50) and 0.05 * 50 == 2.5
    assert 0.05 / ex.raw("ex_limit_l50") == pytest.approx(1.25)  # "only a quarter above the limit"
    x0, eta, big_l = Fraction(3), Fraction(3, 100), 50  # eta L = 1.5: the loss ratio, exactly
    x1 = x0 - eta * big_l * x0
    assert ex.raw("ex_loss_ratio_15") == (x1**2 / x0**2) == Fraction(1, 4)
    kappa = ex.raw("scaled_kappa")
    assert ex.raw("ex_shared_factor") == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)
    assert round(1 - ex.raw("ex_shared_factor"), 2) == 0.02  # "about 2 %"
    assert kappa == 100  # the answer writes (kappa - 1)/(kappa + 1) as 99/101
    assert ex.raw("ex_scaled_factor_21") == pytest.approx(1 - 2.1)
    big_l, beta = ex.raw("ex_heatmap_l"), 0.5
    limit = ex.raw("ex_hb_limit_05")
    for eta_, stable in ((limit * (1 - 1e-6), True), (limit * (1 + 1e-6), False)):
        roots = np.roots([1, -(1 + beta - eta_ * big_l), beta])
        assert (np.max(np.abs(roots)) < 1) == stable


def test_local_minima_and_saddle_answers(example):
    ex = example("saddle_escape")

    def f(x):
        return x**4 - 5 * x**3 + 4 * x**2 + 3 * x

    assert f(Fraction(-1, 4)) == Fraction(-107, 256)
    assert ex.raw("ex_f_low") == pytest.approx(-107 / 256, rel=1e-9)
    rng = np.random.default_rng(0)  # restarts by simulation: 5 uniform starts, any right of 1
    hits = (rng.uniform(-1, 4, size=(200_000, 5)) > 1).any(axis=1).mean()
    assert ex.raw("ex_restarts_5") == pytest.approx(1 - 0.4**5, rel=1e-9)
    assert hits == pytest.approx(ex.raw("ex_restarts_5"), abs=0.002)
    assert ex.raw("ex_hump_factor") == pytest.approx(1 + 0.01 * 10)  # 1 - eta f''(1), f''(1) = -10
    assert ex.raw("ex_hump_growth") == pytest.approx(math.log(100) / math.log(1.1), rel=1e-9)
    k = next(k for k in range(200) if Fraction(1, 1000) * Fraction(11, 10) ** k >= Fraction(1, 10))
    assert ex.raw("ex_hump_steps") == k  # the first whole step at least 0.1 away, linearised
    x, steps = 1.001, 0  # "the full, nonlinear iteration takes as many"
    while abs(x - 1) < 0.1:
        x, steps = x - 0.01 * (4 * x**3 - 15 * x**2 + 8 * x + 3), steps + 1
    assert steps == k
    for _ in range(3000):  # "then it rolls down to the global minimum"
        x -= 0.01 * (4 * x**3 - 15 * x**2 + 8 * x + 3)
    assert x == pytest.approx(3) and 0.01 < 2 / 26  # below the global minimum's limit 2/f''(3)
    eta, band = ex.raw("eta"), ex.raw("band")
    assert band == 1  # the answer writes log(band / 1e-6) as log(10^6), "six decades"
    y, k = 1e-6, 0
    while abs(y) < band:  # the escape, iterated
        y, k = y + eta * 2 * y, k + 1
    assert ex.raw("ex_escape_1e6") == k
    y, k2 = 1e-6, 0
    while abs(y) < band:
        y, k2 = y + 2 * eta * 2 * y, k2 + 1
    assert ex.raw("ex_escape_ratio") == pytest.approx(k / k2, rel=1e-12) and 1 < k / k2 < 2
    hessian = torch.autograd.functional.hessian(
        lambda p: p[0] ** 2 + p[0] * p[1] - p[1] ** 2, torch.zeros(2, dtype=torch.float64))
    assert ex.raw("ex_tilted_curvature") == pytest.approx(
        -torch.linalg.eigvalsh(hessian)[0].item(), rel=1e-12)
    assert ex.raw("ex_tilted_curvature") == pytest.approx(math.sqrt(5))


def test_plateau_answers(example):
    ex = example("plateau")

    def f(p):
        return 1 - torch.exp(-(p[0] ** 2 + 2 * p[1] ** 2) / 2)

    p = torch.tensor([3.0, 0.0], dtype=torch.float64, requires_grad=True)
    f(p).backward()
    assert ex.raw("ex_grad_at_3") == pytest.approx(p.grad.norm().item(), rel=1e-12)
    assert round(1 / (ex.raw("eta") * ex.raw("ex_grad_at_3"))) == 60  # "a sixtieth of a unit"
    assert ex.raw("ex_steepest_slope") == pytest.approx(math.exp(-0.5), rel=1e-7)
    hessian = torch.autograd.functional.hessian(f, torch.zeros(2, dtype=torch.float64))
    assert ex.raw("ex_max_lr_well") == pytest.approx(2 / torch.linalg.eigvalsh(hessian)[-1].item())
    assert ex.raw("eta") < ex.raw("ex_max_lr_well")


def test_vanishing_gradients_answers(example):
    ex = example("vanishing_gradients")
    z = torch.linspace(-10, 10, 20001, dtype=torch.float64, requires_grad=True)
    torch.sigmoid(z).sum().backward()
    assert z.grad.max().item() == pytest.approx(0.25)  # the sigmoid's largest slope
    assert ex.raw("ex_sigmoid_10") == pytest.approx(0.25**10)
    n = ex.raw("width")
    gen = torch.Generator().manual_seed(0)  # He's scale keeps E[z^2] through a ReLU layer
    a = torch.randn(4000, n, generator=gen, dtype=torch.float64)
    w = torch.randn(n, n, generator=gen, dtype=torch.float64) * ex.raw("ex_he_std")
    ratio = (torch.relu(a) @ w).pow(2).mean() / a.pow(2).mean()
    assert ratio.item() == pytest.approx(1, abs=0.1)
    assert ex.raw("ex_he_std") == pytest.approx(math.sqrt(2 / n))
    # ten ReLU layers at twice He's scale, 20 networks: on average the second moment grows 4^10
    # (one network of this width lands anywhere from about half to twice that rms, hence the mean)
    a = torch.randn(20, 500, n, generator=gen, dtype=torch.float64)
    z = a
    for _ in range(10):
        z = torch.relu(z) @ (torch.randn(20, n, n, generator=gen, dtype=torch.float64)
                             * 2 * math.sqrt(2 / n))
    growth = (z.pow(2).mean(dim=(1, 2)) / a.pow(2).mean(dim=(1, 2))).mean().sqrt().item()
    assert growth == pytest.approx(2**10, rel=0.15)
    assert ex.raw("ex_double_he_10") == pytest.approx(2**10, rel=1e-9)


def test_full_batch_cost_answers(example):
    ex = example("minibatch")
    assert ex.raw("ex_updates_10k") == 10_000 // 10 and ex.raw("ex_work_50_full") == 500_000
    values = np.arange(12.0) ** 1.5  # the without-replacement variance, by enumeration
    means = [np.mean(c) for c in combinations(values, 4)]
    assert np.var(means) == pytest.approx(np.var(values) / 4 * (12 - 4) / (12 - 1))
    assert ex.raw("ex_noise_ratio_10k") == pytest.approx(0.1 * 9990 / 9999, rel=1e-12)


# ============================================================================ answer tolerances
def _box_tolerance(page: str, name: str, value: float) -> float:
    """The tolerance the page's answer box for `name` checks with (its tol=, else the default)."""
    import re

    from gdnotes.site.macros import answer_tolerance
    match = re.search(r"\{\{\s*answer\s*:\s*[\w\-]+/" + re.escape(name) + r"(?:\s+tol=(\S+))?\s*\}\}",
                      _page(page))
    assert match, f"{page} has no answer box for {name}"
    return float(match[1]) if match[1] else answer_tolerance(value)


@pytest.mark.parametrize(("page", "example_name", "name", "slips"), [
    # beta itself (rate = beta instead of sqrt(beta)) and 1 (no convergence at all)
    ("momentum.md", "momentum", "ex_rate_b099", (0.99, 1.0)),
    # 1 - 1/kappa: the factor of eta = 1/L, not of the best shared eta
    ("problems/hyperparameters.md", "hyperparameters", "ex_shared_factor", (0.99,)),
    # one restart too many or too few: 1 - 0.4^6, 1 - 0.4^4
    ("problems/local-minima.md", "saddle_escape", "ex_restarts_5", (1 - 0.4**6, 1 - 0.4**4, 1.0)),
])
def test_answer_boxes_reject_the_likely_slips(example, page, example_name, name, slips):
    """Where 1 % of the value would pass a wrong answer, the box has its own tol=, which still
    passes the right answer to three decimals."""
    value = example(example_name).raw(name)
    tol = _box_tolerance(page, name, value)
    assert abs(round(value, 3) - value) <= tol
    assert all(abs(slip - value) > tol for slip in slips), (name, value, tol)
