"""Claims of the NAdam / AMSGrad / conventions page (docs/nadam-amsgrad.md), recomputed
independently: torch.optim where torch is the reference, closed forms and plain loops otherwise.
The example's quoted numbers are read from a run of the example in this process."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from exampletools import Example

import gdnotes as gd


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return Example("nadam_amsgrad", tmp_path_factory.mktemp("nadam_amsgrad"))


def _number(text: str) -> float:
    """A value's page text ("1.8 × 10⁻¹⁵", "0.518") as a float."""
    return float(text.replace("\xa0", " ").replace(" × 10⁻", "e-").replace(",", "")
                 .translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")))


def _torch_run(make, grad, start, steps, lrs=None):
    """float64 torch iterates; ``lrs`` (one per step) overrides the learning rate. torch keeps
    some state (NAdam's momentum product) in the default dtype: float64 for the run, as the
    example does."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        p = torch.tensor(np.asarray(start, dtype=float), dtype=torch.float64, requires_grad=True)
        opt = make(p)
        path = [p.detach().numpy().copy()]
        for t in range(steps):
            if lrs is not None:
                opt.param_groups[0]["lr"] = lrs[t]
            opt.zero_grad()
            p.grad = torch.from_numpy(np.asarray(grad(p.detach().numpy(), t), dtype=float))
            opt.step()
            path.append(p.detach().numpy().copy())
    finally:
        torch.set_default_dtype(old)
    return np.array(path)


# ------------------------------------------------------------------------------ NAdam
def test_nadam_defaults_and_warmup_are_torchs(ex):
    defaults = torch.optim.NAdam([torch.zeros(1, requires_grad=True)]).defaults
    assert ex.raw("default_lr") == defaults["lr"]
    assert (ex.raw("beta1"), ex.raw("beta2")) == tuple(defaults["betas"])
    assert ex.raw("psi") == defaults["momentum_decay"]
    b1, psi = defaults["betas"][0], defaults["momentum_decay"]
    mu = [b1 * (1 - 0.5 * 0.96 ** (t * psi)) for t in range(1, 30001)]
    assert ex.raw("mu_1") == pytest.approx(mu[0])
    # "through step W the momentum stays below mu_warm" (mu grows, so its value at W bounds it)
    warm = ex.raw("warm_steps")
    assert max(mu[:warm]) <= _number(ex.text("mu_warm"))
    assert mu[0] < 0.51 * b1  # "about half of β₁"
    t99 = next(t for t, m in enumerate(mu, 1) if m >= 0.99 * b1)
    assert ex.raw("t_99") == t99


@pytest.mark.parametrize("hyper", [{}, {"lr": 0.05, "betas": (0.8, 0.99), "momentum_decay": 0.1},
                                   {"lr": 0.01, "weight_decay": 0.1}])
def test_gd_nadam_is_torch_nadam_step_for_step(ex, hyper):
    bowl = gd.ill_conditioned(25.0, angle=np.pi / 6)
    start = np.array([-4.0, 1.0])
    ours = gd.run(gd.nadam(**hyper), bowl, start, steps=300).points
    theirs = _torch_run(lambda p: torch.optim.NAdam([p], **hyper),
                        lambda x, t: bowl.grad(x), start, 300)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13)
    assert ex.raw("torch_gap") <= _number(ex.text("torch_gap"))
    assert ex.raw("torch_gap") < 1e-12


def _arrival(path, tol=1e-6):
    hit = np.nonzero(np.abs(path) < tol)[0]
    return int(hit[0]) if hit.size else None


def _one_d(make, lr, x0=1.0, steps=600):
    """Plain loop on f = x²/2 with gdnotes' update (gradient = x)."""
    opt = make(lr)
    x, state, path = np.array([x0]), None, [x0]
    state = opt.init(x)
    for _ in range(steps):
        x, state = opt.update(state, x, x.copy(), None)
        path.append(x[0])
    return np.array(path)


MAKERS = {"Adam": lambda lr: gd.adam(lr=lr), "NAdam": lambda lr: gd.nadam(lr=lr),
          "NAdam, no warm-up": lambda lr: gd.nadam(lr=lr, momentum_decay=1e4)}


@pytest.mark.parametrize("nudge", [1.0, 1 + 1e-12, 1 - 1e-12])
def test_race_counts_survive_a_nudged_start(ex, nudge):
    """The table's arrival counts and the quoted overshoots, recomputed with a loop (not gd.run),
    from a nudged start."""
    lr = ex.raw("focus_lr")
    for name, key in [("Adam", "overshoot_adam"), ("NAdam", "overshoot_nadam"),
                      ("NAdam, no warm-up", "overshoot_nowarm")]:
        assert f"{-_one_d(MAKERS[name], lr, x0=nudge).min():.3f}" == ex.text(key)
    rows = ex.table("race")
    for row in rows:
        lr = float(row[0])
        for name, cell in zip(MAKERS, row[1:], strict=True):
            assert _arrival(_one_d(MAKERS[name], lr, x0=nudge)) == int(cell), (name, lr)


def test_nadam_overshoots_less_at_the_focus_lr_and_adam_wins_at_the_small_one(ex):
    lr = ex.raw("focus_lr")
    paths = {name: _one_d(make, lr) for name, make in MAKERS.items()}
    over = {name: -p.min() for name, p in paths.items()}
    assert ex.raw("overshoot_adam") == pytest.approx(over["Adam"])
    assert ex.raw("overshoot_nadam") == pytest.approx(over["NAdam"])
    assert ex.raw("overshoot_nowarm") == pytest.approx(over["NAdam, no warm-up"])
    # "most of the difference is the warm-up": without it, NAdam is closer to Adam than to NAdam
    assert over["NAdam"] < over["NAdam, no warm-up"] < over["Adam"]
    assert over["Adam"] - over["NAdam, no warm-up"] < over["NAdam, no warm-up"] - over["NAdam"]
    assert ex.raw("arrive_nadam") < ex.raw("arrive_adam")
    slow = ex.raw("slow_lr")
    assert _arrival(_one_d(MAKERS["Adam"], slow)) < _arrival(_one_d(MAKERS["NAdam"], slow))


# ------------------------------------------------------------------------------ Reddi et al.
def _reddi_run(C, T, amsgrad, beta2=None, paper_form=False, eps=1e-8, x0=1.0):
    """Projected online Adam / AMSGrad with β₁ = 0 on Reddi et al.'s problem, by hand."""
    beta2 = 1 / (1 + C * C) if beta2 is None else beta2
    eta = 0.5 * math.sqrt(1 - 1 / (1 + C * C))
    x, v, vmax, xs = x0, 0.0, 0.0, [x0]
    for t in range(1, T + 1):
        g = C if t % 3 == 1 else -1.0
        v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v)
        second = vmax if amsgrad else v
        if paper_form:
            denom = math.sqrt(second) + eps
        else:  # torch: bias-correct (the max of raw v, for AMSGrad)
            denom = math.sqrt(second / (1 - beta2**t)) + eps
        x = min(1.0, max(-1.0, x - eta / math.sqrt(t) * g / denom))
        xs.append(x)
    return np.array(xs)


def _avg_regret(xs, C):
    T = len(xs) - 1
    g = np.array([C if t % 3 == 1 else -1.0 for t in range(1, T + 1)])
    return np.cumsum(g * (xs[:-1] + 1.0)) / np.arange(1, T + 1)


@pytest.mark.parametrize("C", [2.5, 3.0, 5.0, 10.0])
def test_adam_goes_to_the_wrong_end_and_amsgrad_to_the_right_one(C):
    """For C > 2 (β₁ = 0, β₂ = 1/(1+C²)): Adam's iterates end at +1 and its average regret stays
    near 2(C-2)/3; AMSGrad's (both forms) head to -1 and its average regret keeps falling."""
    T = 1200
    adam = _reddi_run(C, T, amsgrad=False)
    assert adam[T // 2:].min() > 0.95 and adam[-1] == 1.0
    r = _avg_regret(adam, C)
    assert r[-1] == pytest.approx(2 * (C - 2) / 3, rel=0.05)
    for paper_form in (False, True):
        ams = _reddi_run(C, T, amsgrad=True, paper_form=paper_form)
        assert ams[-3:].max() < -0.95 and ams[T // 2:].max() < 0  # heading to -1
        regret = _avg_regret(ams, C)
        checkpoints = regret[[T // 4, T // 2, 3 * T // 4, T - 1]]
        assert np.all(np.diff(checkpoints) < 0)
        assert regret[-1] < 0.5 * r[-1]


@pytest.mark.parametrize("C", [3.0, 5.0, 10.0])
def test_why_adam_drifts_up_and_amsgrad_down(C):
    """Unprojected steps over one period late in the run: Adam's two small-gradient steps are each
    almost as long as its large-gradient step (so the period nets upwards); AMSGrad's large step
    outweighs the two small ones together."""
    beta2, eps = 1 / (1 + C * C), 1e-8
    for amsgrad in (False, True):
        v = vmax = 0.0
        steps = []
        for t in range(1, 301):
            g = C if t % 3 == 1 else -1.0
            v = beta2 * v + (1 - beta2) * g * g
            vmax = max(vmax, v)
            second = vmax if amsgrad else v
            steps.append(-g / (math.sqrt(second / (1 - beta2**t)) + eps))  # times η_t, same sign
        large, small1, small2 = steps[-3:]  # t = 298 (C), 299, 300
        if amsgrad:
            assert abs(large) > small1 + small2
        else:
            assert min(small1, small2) > 0.7 * abs(large) and small1 + small2 > abs(large)


@pytest.mark.parametrize("C", [3.0, 5.0])
def test_with_torchs_default_betas_adam_solves_it(C):
    T, eta = 1200, 0.5 * math.sqrt(1 - 1 / (1 + C * C))
    # a projected loop in torch: lr η/√t set per step, clamp after each step
    p = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=eta)
    for t in range(1, T + 1):
        opt.param_groups[0]["lr"] = eta / math.sqrt(t)
        opt.zero_grad()
        p.grad = torch.tensor([C if t % 3 == 1 else -1.0], dtype=torch.float64)
        opt.step()
        with torch.no_grad():
            p.clamp_(-1.0, 1.0)
    assert p.item() == -1.0


def test_reddi_table_matches_the_hand_loops(ex):
    T = ex.raw("reddi_steps")
    for row in ex.table("reddi"):
        C = float(row[0])
        adam, ams = _reddi_run(C, T, False), _reddi_run(C, T, True)
        ams_paper = _reddi_run(C, T, True, paper_form=True)
        assert float(row[1]) == pytest.approx(adam[-1], abs=1e-3)
        assert float(row[2]) == pytest.approx(ams[-1], abs=1e-3)
        assert float(row[3]) == pytest.approx(ams_paper[-1], abs=1e-3)
        assert float(row[4]) == -1.0
        gap = np.abs(ams - ams_paper).max()
        assert gap <= _number(ex.text("ams_forms_gap"))
    for row in ex.table("reddi_regret"):
        C = float(row[0])
        assert float(row[1]) == pytest.approx(_avg_regret(_reddi_run(C, T, False), C)[-1], abs=1e-3)
        assert float(row[2]) == pytest.approx(_avg_regret(_reddi_run(C, T, True), C)[-1], abs=1e-3)
        assert float(row[3]) == pytest.approx(2 * (C - 2) / 3, abs=1e-3)


# ------------------------------------------------------------------------------ conventions
def test_dampened_torch_buffer_starts_at_the_gradient():
    beta = 0.9
    const = lambda x, t: np.ones(1)  # noqa: E731
    damped = -np.diff(_torch_run(lambda p: torch.optim.SGD([p], lr=1.0, momentum=beta,
                                                           dampening=beta), const, [0.0], 30)[:, 0])
    plain = -np.diff(_torch_run(lambda p: torch.optim.SGD([p], lr=1.0, momentum=beta),
                                const, [0.0], 30)[:, 0])
    assert np.all(damped == 1.0)  # u₁ = g₁, then an average of equal gradients
    np.testing.assert_allclose(plain, (1 - beta ** np.arange(1, 31)) / (1 - beta), rtol=1e-12)
    # an average started at zero (Adam's m, uncorrected) would give 1 - β^t instead
    assert damped[0] != pytest.approx(1 - beta)


def test_keras_velocity_equals_torch_at_constant_lr_and_not_after_a_drop(ex):
    bowl = gd.ill_conditioned(25.0, angle=np.pi / 6)
    start, beta = np.array([-4.0, 1.0]), 0.9

    def keras(rates):
        w, vel, path = start.copy(), np.zeros(2), [start.copy()]
        for r in rates:
            vel = beta * vel - r * bowl.grad(w)
            w = w + vel
            path.append(w)
        return np.array(path)

    def torch_sgd(rates):
        return _torch_run(lambda p: torch.optim.SGD([p], lr=rates[0], momentum=beta),
                          lambda x, t: bowl.grad(x), start, len(rates), lrs=rates)

    constant = np.full(40, 0.1)
    np.testing.assert_allclose(keras(constant), torch_sgd(constant), rtol=1e-12, atol=1e-14)
    drop = ex.raw("keras_drop_at")
    rates = np.where(np.arange(40) < drop, ex.raw("keras_lr_high"), ex.raw("keras_lr_low"))
    k, t = keras(rates), torch_sgd(rates)
    np.testing.assert_allclose(k[:drop + 1], t[:drop + 1], rtol=1e-12, atol=1e-14)
    ratio = np.linalg.norm(k[drop + 1] - k[drop]) / np.linalg.norm(t[drop + 1] - t[drop])
    assert ratio == pytest.approx(ex.raw("keras_step_ratio"))
    assert ratio > 1  # Keras's old velocity still carries the old, larger rate


def test_torch_nesterov_iterates_are_sutskevers_lookahead_points(ex):
    bowl = gd.quadratic([0.1, 2.0], angle=0.4)
    start, beta, eta = np.array([3.0, -2.0]), 0.8, 0.2
    torch_path = _torch_run(lambda p: torch.optim.SGD([p], lr=eta, momentum=beta, nesterov=True),
                            lambda x, t: bowl.grad(x), start, 80)
    theta, nu, phi, thetas = start.copy(), np.zeros(2), [start.copy()], [start.copy()]
    for _ in range(80):
        nu = beta * nu - eta * bowl.grad(theta + beta * nu)
        theta = theta + nu
        phi.append(theta + beta * nu)
        thetas.append(theta.copy())
    np.testing.assert_allclose(torch_path, np.array(phi), rtol=1e-12, atol=1e-13)
    assert np.abs(torch_path[1:] - np.array(thetas)[1:]).max() > 1e-3  # not θ itself
    assert ex.raw("nest_gap") < 1e-12
    assert ex.raw("nest_theta_gap") >= _number(ex.text("nest_theta_gap"))


def test_eps_inside_or_outside_the_root(ex):
    eps, g, lr = ex.raw("eps"), ex.raw("eps_grad"), ex.raw("eps_lr")
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([p], lr=lr, eps=eps)
    p.grad = torch.tensor([g], dtype=torch.float64)
    opt.step()
    outside = -p.item()
    assert outside / lr == pytest.approx(ex.raw("eps_outside"))
    assert outside / lr == pytest.approx(g / (g + eps))
    q = torch.zeros(1, dtype=torch.float64, requires_grad=True)  # torch's Adadelta: inside
    ada = torch.optim.Adadelta([q], lr=1.0, rho=0.0, eps=eps)  # ρ = 0: v = g², Δ = √ε/√(g²+ε) g
    q.grad = torch.tensor([g], dtype=torch.float64)
    ada.step()
    assert -q.item() == pytest.approx(math.sqrt(eps) * g / math.sqrt(g * g + eps))
    inside = lr * g / math.sqrt(g * g + eps)
    assert inside / lr == pytest.approx(ex.raw("eps_inside"))
    assert outside / inside == pytest.approx(ex.raw("eps_ratio"))
    assert outside / inside > 50  # at small v the placements differ; at v ≫ ε they agree:
    big = 1.0
    assert big / (big + eps) == pytest.approx(big / math.sqrt(big * big + eps), rel=1e-7)


@pytest.mark.parametrize("t", [1, 2, 10, 1000])
def test_keras_eps_hat_is_torch_eps_over_root_of_the_bias_correction(ex, t):
    """Kingma & Ba's form before Section 2.1 (Keras): η√(1-β₂ᵗ)/(1-β₁ᵗ) · m/(√v + ε̂) equals
    torch's η m̂/(√v̂ + ε) exactly when ε = ε̂/√(1-β₂ᵗ)."""
    b1, b2, eps_hat, lr = 0.9, 0.999, ex.raw("keras_eps"), 1e-3
    rng = np.random.default_rng(t)
    m, v = rng.normal(size=5) * 1e-4, rng.random(5) * 1e-9
    keras = lr * math.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps_hat)
    eps_t = eps_hat / math.sqrt(1 - b2**t)
    torch_form = lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps_t)
    np.testing.assert_allclose(keras, torch_form, rtol=1e-12)
    if t == 1:
        assert ex.raw("keras_eps_t1") == pytest.approx(eps_t)
        # and torch's own Adam, first step, with that ε, is Keras's first step
        g = 3e-6
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=lr, eps=eps_t)
        p.grad = torch.tensor([g], dtype=torch.float64)
        opt.step()
        m1, v1 = (1 - b1) * g, (1 - b2) * g * g
        keras1 = lr * math.sqrt(1 - b2) / (1 - b1) * m1 / (math.sqrt(v1) + eps_hat)
        assert -p.item() == pytest.approx(keras1, rel=1e-12)


def test_adamw_decay_times_lr_and_optax_order_is_torchs(ex):
    assert ex.raw("adamw_factor") == pytest.approx(1 - ex.raw("adamw_lr") * ex.raw("adamw_decay"))
    assert ex.raw("adamw_paper_factor") == pytest.approx(1 - ex.raw("adamw_decay"))
    # optax's chain: d = adam_direction(g) + ω θ, then θ ← θ - lr · d
    bowl = gd.ill_conditioned(25.0, angle=np.pi / 6)
    start, lr, wd, b1, b2, eps = np.array([-4.0, 1.0]), 0.05, 0.1, 0.9, 0.999, 1e-8
    theta, m, v, path = start.copy(), np.zeros(2), np.zeros(2), [start.copy()]
    for t in range(1, 101):
        g = bowl.grad(theta)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        direction = (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps) + wd * theta
        theta = theta - lr * direction
        path.append(theta.copy())
    theirs = _torch_run(lambda p: torch.optim.AdamW([p], lr=lr, weight_decay=wd),
                        lambda x, t: bowl.grad(x), start, 100)
    np.testing.assert_allclose(np.array(path), theirs, rtol=1e-10, atol=1e-12)


def test_torch_adadelta_at_lr_one_is_zeilers_algorithm(ex):
    assert ex.raw("adadelta_torch_lr") == torch.optim.Adadelta(
        [torch.zeros(1, requires_grad=True)]).defaults["lr"] == 1.0
    assert ex.raw("adadelta_gap") < 1e-12
    bowl = gd.quadratic([0.3, 3.0], angle=1.0)
    start, rho, eps = np.array([1.0, 2.0]), 0.95, 1e-6
    x, eg2, edx2, path = start.copy(), np.zeros(2), np.zeros(2), [start.copy()]
    for _ in range(60):
        g = bowl.grad(x)
        eg2 = rho * eg2 + (1 - rho) * g * g
        dx = -np.sqrt(edx2 + eps) / np.sqrt(eg2 + eps) * g
        edx2 = rho * edx2 + (1 - rho) * dx * dx
        x = x + dx
        path.append(x.copy())
    theirs = _torch_run(lambda p: torch.optim.Adadelta([p], lr=1.0, rho=rho, eps=eps),
                        lambda x, t: bowl.grad(x), start, 60)
    np.testing.assert_allclose(np.array(path), theirs, rtol=1e-12, atol=1e-14)
