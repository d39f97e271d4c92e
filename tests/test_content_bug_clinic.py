"""Claims of the bug-clinic page (docs/bug-clinic.md), recomputed independently: torch.optim and
autograd where torch is the reference, a plain training loop written here (not the example's),
several initialisations where a sentence generalises, and a 1e-12 nudge of the data for every
number the page quotes from a training run."""

from __future__ import annotations

import inspect
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from exampletools import Example, quoted

import gdnotes as gd
from gdnotes.outputs import parse_shown

REPO = Path(__file__).resolve().parents[1]
PAGE = " ".join((REPO / "docs" / "bug-clinic.md").read_text().split())
N, BATCH = 200, 20
LR, LR_SGD, ADAM_LR, WARMUP, START, SATURATE = 1.0, 0.5, 0.5, 40, 0.01, 30.0
ORDER = ["no_zero_grad", "sign", "lr_x10", "no_shuffle", "adam_no_warmup", "saturating"]


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    return Example("bug_clinic", tmp_path_factory.mktemp("bug_clinic"))


def shown(text: str) -> float:
    return float(parse_shown(text.rstrip("%"))) / (100 if text.endswith("%") else 1)


# ------------------------------------------------------------------------ an independent loop
def _data(seed=0):
    X, y = gd.two_moons(n=N, noise=0.15, seed=seed)
    return torch.tensor(X), torch.tensor(y)


def _model(seed, saturate=False):
    torch.manual_seed(seed)  # gd.mlp's recipe: torch's default Linear init, float64
    layers = [torch.nn.Linear(2, 16, dtype=torch.float64), torch.nn.Tanh(),
              torch.nn.Linear(16, 16, dtype=torch.float64), torch.nn.Tanh(),
              torch.nn.Linear(16, 1, dtype=torch.float64)]
    model = torch.nn.Sequential(*layers)
    if saturate:
        with torch.no_grad():
            for layer in (layers[0], layers[2]):
                layer.weight *= SATURATE
                layer.bias *= SATURATE
    return model


def _final_model(bug, seed=0, steps=100):
    """The model after ``steps`` full-batch steps of ``bug`` (sign error or η × 10)."""
    x, y = _data()
    model = _model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=10 * LR if bug == "lr_x10" else LR,
                          maximize=bug == "sign")
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.BCEWithLogitsLoss()(model(x).squeeze(-1), y).backward()
        opt.step()
    return model, x, y


def _saturated_share(model, x):
    with torch.no_grad():
        return float((torch.tanh(model[0](x)).abs() > 0.99).double().mean())


@pytest.mark.parametrize("seed", range(4))
def test_sign_error_ends_wrong_about_most_points_with_huge_logits(seed):
    model, x, y = _final_model("sign", seed)
    with torch.no_grad():
        logits = model(x).squeeze(-1)
    assert float(((logits > 0).double() != y).double().mean()) > 0.8  # most points wrong
    assert logits.abs().min() > 100  # "logits in the hundreds"
    assert "wrong about most points, with logits in the hundreds" in PAGE


def test_ten_times_the_rate_saturates_most_of_the_first_layer_in_this_run():
    model, x, _ = _final_model("lr_x10")
    assert _saturated_share(model, x) > 0.8
    assert "most of the first layer's units are saturated" in PAGE


def _loop(bug, seed=0, steps=100, lr=None, data_seed=0):
    """Logs (loss on all data, ‖p.grad‖, ‖ΔW₁‖/‖W₁‖) per step, with torch.optim doing the
    updates (SGD(maximize=True) for the sign error; Adam + LinearLR for warmup)."""
    x, y = _data(data_seed)
    model = _model(seed, saturate=bug == "saturating")
    params = list(model.parameters())
    order = None
    if bug in ("no_shuffle", "shuffled"):
        rate = LR_SGD if lr is None else lr
        if bug == "no_shuffle":
            order = [torch.arange(k * BATCH, (k + 1) * BATCH) % N for k in range(steps)]
        else:
            order = [torch.as_tensor(i) for e in range(steps // 10 + 1)
                     for i in gd.batches(N, BATCH, seed=seed, epoch=e)][:steps]
        opt = torch.optim.SGD(params, lr=rate)
    elif bug in ("adam_no_warmup", "adam_warmup"):
        opt = torch.optim.Adam(params, lr=ADAM_LR if lr is None else lr)
    else:
        rate = (10 * LR if bug == "lr_x10" else LR) if lr is None else lr
        opt = torch.optim.SGD(params, lr=rate, maximize=bug == "sign")
    ramp = (torch.optim.lr_scheduler.LinearLR(opt, start_factor=START, total_iters=WARMUP)
            if bug == "adam_warmup" else None)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    log = []
    for t in range(steps):
        if bug != "no_zero_grad":
            opt.zero_grad()
        rows = slice(None) if order is None else order[t]
        loss_fn(model(x[rows]).squeeze(-1), y[rows]).backward()
        w = params[0].detach().clone()
        g = math.sqrt(sum(float((p.grad**2).sum()) for p in params))
        opt.step()
        if ramp is not None:
            ramp.step()
        with torch.no_grad():
            full = float(loss_fn(model(x).squeeze(-1), y))
        log.append((full, g, float((params[0].detach() - w).norm() / w.norm())))
    return np.array(log)


def _before(log_after, first):
    """The example logs the loss *before* each update on full-batch runs; ours logs after."""
    return np.concatenate([[first], log_after[:-1, 0]])


def _start_loss(seed=0, saturate=False):
    x, y = _data()
    with torch.no_grad():
        return float(torch.nn.BCEWithLogitsLoss()(_model(seed, saturate)(x).squeeze(-1), y))


# ------------------------------------------------------------------------ the example agrees
def test_the_example_loop_is_torch_optims_for_every_bug(ex):
    """The example's hand-written SGD and Adam (+ LinearLR) give torch.optim's runs."""
    for bug in ORDER:
        mine = ex.ns["run"](bug)
        ref = _loop(bug)
        np.testing.assert_allclose(mine[:, 1], ref[:, 1], rtol=1e-7, atol=1e-12, err_msg=bug)
        np.testing.assert_allclose(mine[:, 2], ref[:, 2], rtol=1e-6, atol=1e-14, err_msg=bug)
        if bug == "no_shuffle":
            np.testing.assert_allclose(mine[:, 0], ref[:, 0], rtol=1e-8)
        else:  # full batch: the example logs the loss before the step, from the same forward pass
            np.testing.assert_allclose(mine[:, 0], _before(ref, _start_loss(
                saturate=bug == "saturating")), rtol=1e-7, err_msg=bug)
    np.testing.assert_allclose(ex.ns["healthy"]("adam_no_warmup")[:, 1],
                               _loop("adam_warmup")[:, 1], rtol=1e-5)  # LinearLR: recursive
    np.testing.assert_allclose(ex.ns["healthy"]("no_shuffle")[:, 2],
                               _loop("shuffled")[:, 2], rtol=1e-6)


def test_bug_numbers_on_the_page_are_the_examples_order(ex):
    assert list(ex.ns["BUGS"]) == ORDER
    rows = re.findall(r"\| (\d) \| ([^|]+) \|", PAGE)
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5, 6]
    words = ["zero_grad", "sign", r"\times 10", "shuffling", "warmup", "saturating"]
    for (_, name), word in zip(rows, words, strict=True):
        assert word in name


# ------------------------------------------------------------------------ 1. missing zero_grad
def test_torch_accumulates_gradients_without_zero_grad(ex):
    """p.grad after k backward() calls is the sum of the k gradients (torch, not the example)."""
    x, y = _data()
    model = _model(0)
    params = list(model.parameters())
    total = [torch.zeros_like(p) for p in params]
    for _ in range(ex.raw("accumulation_steps")):
        loss = torch.nn.BCEWithLogitsLoss()(model(x).squeeze(-1), y)
        fresh = torch.autograd.grad(loss, params, retain_graph=True)
        loss.backward()
        for s, g in zip(total, fresh, strict=True):
            s += g
        for p, s in zip(params, total, strict=True):
            torch.testing.assert_close(p.grad, s, rtol=0, atol=1e-15)
        with torch.no_grad():
            for p in params:
                p -= 0.5 * p.grad
    assert ex.raw("accumulation_gap") <= shown(ex.text("accumulation_gap"))


@pytest.mark.parametrize("seed", range(4))
def test_without_zero_grad_the_used_gradient_grows_and_the_healthy_one_does_not(ex, seed):
    bug, ok = _loop("no_zero_grad", seed), _loop("healthy", seed)
    assert bug[-1, 1] > 3 * bug[0, 1]
    assert ok[1:, 1].max() < ok[0, 1]
    assert bug[:20, 0].min() < bug[0, 0]  # the loss falls at first
    if seed == 0:
        assert bug[-1, 1] / bug[0, 1] >= shown(ex.text("nozero_grad_growth"))


# ------------------------------------------------------------------------ 2. sign error
@pytest.mark.parametrize("seed", range(4))
def test_sign_error_raises_the_loss_from_the_first_step(seed):
    log = _loop("sign", seed)
    losses = np.concatenate([[_start_loss(seed)], log[:, 0]])
    assert np.all(np.diff(losses[:11]) > 0)  # rises at each of the first ten steps
    assert losses[-2] > 1000  # the example's last logged loss: "above a thousand"
    if seed == 0:
        tail = log[-20:, 1]
        assert np.ptp(tail) < 1e-3 * tail.mean()  # the gradient norm stops changing
    assert "above a thousand" in PAGE


# ------------------------------------------------------------------------ 3. η × 10
@pytest.mark.parametrize("seed", range(4))
def test_ten_times_the_rate_jumps_and_never_settles(seed):
    bug, ok = _loop("lr_x10", seed), _loop("healthy", seed)
    assert bug[:5, 2].max() > 0.5  # a step moves W₁ by about its own size
    late = bug[50:, 0]
    assert late.max() > 2 * late.min() and late.mean() > 3 * ok[50:, 0].mean()
    if seed == 0:  # in this run the first layer saturates and stops moving
        assert np.median(bug[50:, 2]) < 1e-4 * np.median(ok[50:, 2])


# ------------------------------------------------------------------------ 4. no shuffling
def _swing(log):
    return np.mean([np.ptp(log[k:k + 10, 0]) for k in range(50, 100, 10)])


@pytest.mark.parametrize("seed", range(4))
def test_sorted_batches_swing_once_per_epoch(seed):
    sorted_log, shuffled_log = _loop("no_shuffle", seed), _loop("shuffled", seed)
    assert _swing(sorted_log) > 1.5 * _swing(shuffled_log)
    y = _data()[1].numpy()
    assert np.all(y[:N // 2] == 0) and np.all(y[N // 2:] == 1)  # stored sorted by class
    assert "second half of the run" in PAGE and "one and a half times" in PAGE


def _lag_correlations(loss, lags):
    wiggle = (loss - np.convolve(loss, np.ones(10) / 10, mode="same"))[5:-5]
    return [np.corrcoef(wiggle[:-k], wiggle[k:])[0, 1] for k in lags]


@pytest.mark.parametrize("seed", range(4))
def test_sorted_loss_repeats_every_epoch_with_a_tooth_per_class_block(seed):
    """"repeats with every epoch, one tooth for each block of one class": over the second half
    the loss's wiggle correlates almost perfectly with itself one epoch (10 steps) later and
    strongly half an epoch later, and not at other lags; the shuffled run's does not repeat."""
    epoch, block, off = _lag_correlations(_loop("no_shuffle", seed)[50:, 0], (10, 5, 3))
    assert epoch > 0.95 and block > 0.5 > off
    assert _lag_correlations(_loop("shuffled", seed)[50:, 0], (10,))[0] < 0.5
    assert "one tooth for each block of one class" in PAGE


def test_class_batches_value(ex):
    assert ex.raw("class_batches") == N // 2 // BATCH


# ------------------------------------------------------------------------ 5. Adam warmup
@pytest.mark.parametrize("seed", range(6))
def test_adam_without_warmup_jumps_at_a_large_rate(ex, seed):
    bug, ok = _loop("adam_no_warmup", seed, steps=WARMUP), _loop("adam_warmup", seed, steps=WARMUP)
    start = _start_loss(seed)
    assert bug[:, 0].max() > 1.5 * start
    assert ok[:, 0].max() <= start  # never above its start
    if seed == 0:
        assert bug[:, 0].max() / start >= shown(ex.text("adam_peak"))
    assert "six initialisations" in PAGE and "$\\eta = 0.1$ neither run rises" in PAGE


@pytest.mark.parametrize("seed", range(4))
def test_at_a_small_rate_adam_needs_no_warmup(seed):
    start = _start_loss(seed)
    for bug in ("adam_no_warmup", "adam_warmup"):
        assert _loop(bug, seed, steps=WARMUP, lr=0.1)[:, 0].max() <= start


def test_adams_first_step_moves_every_parameter_by_about_eta():
    x, y = _data()
    model = _model(0)
    before = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.Adam(model.parameters(), lr=ADAM_LR)
    torch.nn.BCEWithLogitsLoss()(model(x).squeeze(-1), y).backward()
    opt.step()
    moves = torch.cat([(p.detach() - b).abs().reshape(-1) for p, b in
                       zip(model.parameters(), before, strict=True)])
    grads = torch.cat([p.grad.abs().reshape(-1) for p in model.parameters()])
    big = grads > 1e-5
    torch.testing.assert_close(moves[big], torch.full_like(moves[big], ADAM_LR), rtol=1e-2, atol=0)


# ------------------------------------------------------------------------ 6. saturating init
def test_saturation_share_and_start(ex):
    x, _ = _data()
    with torch.no_grad():
        h = torch.tanh(_model(0, saturate=True)[0](x))
    assert ex.raw("saturated_share") == pytest.approx(float((h.abs() > 0.99).double().mean()))
    assert ex.raw("sat_loss_start") == pytest.approx(_start_loss(saturate=True))
    assert abs(ex.raw("sat_loss_start") - math.log(2)) < 0.1  # "near ln 2"


@pytest.mark.parametrize("seed", range(4))
def test_saturated_first_layer_barely_moves_while_the_loss_falls(ex, seed):
    bug, ok = _loop("saturating", seed), _loop("healthy", seed)
    drop = np.median(ok[:, 2]) / np.median(bug[:, 2])
    assert drop > 20
    assert bug[-1, 0] < _start_loss(seed, saturate=True) / 3  # the loss still falls
    assert bug[-1, 0] < 2 * ok[-1, 0]  # about as fast as healthy
    if seed == 0:
        assert drop >= shown(ex.text("sat_ratio_drop"))


# ------------------------------------------------------------------------ gradient check
def test_gradient_check_numbers(ex):
    """Autograd against central differences of torch's own loss (via gd.flat_loss, not the
    example's numpy loss), and the planted bug located in the first layer."""
    x, y = _data()
    x, y = x[::10], y[::10]
    assert ex.raw("n_check_points") == len(y) == 20 and y.sum() == 10  # both classes
    value, grad, theta = gd.flat_loss(
        _model(0), lambda m: torch.nn.BCEWithLogitsLoss()(m(x).squeeze(-1), y))
    assert theta.size == ex.raw("n_params") == 337
    eps = ex.raw("check_eps")
    autograd = grad(theta)
    for i in range(0, theta.size, 7):  # every 7th parameter: flat_loss is slow per call
        e = np.zeros_like(theta)
        e[i] = eps
        numeric = (value(theta + e) - value(theta - e)) / (2 * eps)
        a = autograd[i]
        err = abs(a - numeric) / max(abs(a), abs(numeric)) if max(abs(a), abs(numeric)) else 0
        assert err <= shown(ex.text("check_ok"))
    bad = ex.ns["checks"]["hand-written, bug"]
    assert ex.raw("check_bad") == pytest.approx(bad.worst)
    assert bad.worst >= shown(ex.text("check_bad"))
    assert bad.where < 16 * 2 + 16  # in W₁ or b₁
    assert bad.relative_errors[48:].max() <= shown(ex.text("check_ok"))
    assert np.all(bad.relative_errors[:48] > 1e-3) and ex.raw("n_first_layer") == 48
    xn, yn = x.numpy(), y.numpy()
    np.testing.assert_allclose(ex.ns["backward"](theta, xn, yn), grad(theta), rtol=1e-9,
                               atol=1e-14)
    assert abs(ex.ns["numpy_loss"](theta, xn, yn) - value(theta)) < shown(
        ex.text("numpy_torch_gap"))


def test_float32_swamps_the_check_float64_does_not(ex):
    """"Check in float64 ... in float32 it swamps the small partial derivatives"."""
    x, y = _data()
    worst = {}
    for dtype in (torch.float32, torch.float64):
        model = _model(0).to(dtype)
        value, grad, theta = gd.flat_loss(model, lambda m, d=dtype: torch.nn.BCEWithLogitsLoss()(
            m(x.to(d)).squeeze(-1), y.to(d)))
        worst[dtype] = gd.gradient_check(value, theta, grad=grad, eps=ex.raw("check_eps")).worst
    assert worst[torch.float64] < ex.raw("check_ok") < 1e-2 < worst[torch.float32]


# ------------------------------------------------------------------------ range test
def test_range_test_on_the_network(ex):
    x, y = _data()
    model = _model(0)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step(lr):
        opt.param_groups[0]["lr"] = lr
        opt.zero_grad()
        loss_fn(model(x).squeeze(-1), y).backward()
        opt.step()
        with torch.no_grad():
            return float(loss_fn(model(x).squeeze(-1), y))

    found = gd.lr_range_test(step, lr_min=1e-3, lr_max=100.0, steps=100)
    defaults = inspect.signature(gd.lr_range_test).parameters
    assert defaults["stop_factor"].default == 4 and defaults["divisor"].default == 10
    assert "four times its lowest value" in PAGE and "divided by 10" in PAGE
    assert f"{found.best_lr:.2g}" == ex.text("range_best")
    assert f"{found.suggestion:.2g}" == ex.text("range_suggestion")
    assert found.suggestion < LR < 10 * LR and 10 * LR > found.best_lr


# ------------------------------------------------------------------------ the mystery runs
def test_mystery_answers_are_the_bugs_that_made_the_runs(ex):
    """Rerun the bug each answer names (our loop, seed 1) and find the tables' numbers; the
    other full-batch bugs do not give them."""
    seed, steps = ex.raw("mystery_seed"), [1, 10, 30, 60]

    def cells(log):
        return [[str(t), *(f"{log[t - 1, c]:.2g}" for c in range(3))] for t in steps]

    def logged(bug):
        log = _loop(bug, seed, steps=60)
        log[:, 0] = _before(log, _start_loss(seed, saturate=bug == "saturating"))
        return log

    for key in ("a", "b"):
        bug = ORDER[ex.raw(f"ex_mystery_{key}") - 1]
        assert cells(logged(bug)) == ex.table(f"mystery_{key}")
        for other in ("no_zero_grad", "sign", "lr_x10", "saturating"):
            if other != bug:
                assert cells(logged(other)) != ex.table(f"mystery_{key}"), (key, other)
    assert cells(logged("healthy")) == ex.table("mystery_healthy")
    a = [shown(r[3]) for r in ex.table("mystery_a")]
    h = [shown(r[3]) for r in ex.table("mystery_healthy")]
    assert all(x < 0.1 * z for x, z in zip(a, h, strict=True))  # "far below"
    b_g = [shown(r[2]) for r in ex.table("mystery_b")]
    h_g = [shown(r[2]) for r in ex.table("mystery_healthy")]
    assert all(np.diff(b_g) > 0) and h_g[-1] < h_g[0]  # grows / shrinks over the steps shown
    assert ex.table("mystery_b")[0] == ex.table("mystery_healthy")[0]  # the same at step 1


@pytest.mark.parametrize("seed", range(3))
def test_no_other_bug_lowers_the_ratio_from_the_first_step(seed):
    twins = {"no_shuffle": "shuffled", "adam_no_warmup": "adam_warmup"}
    for bug in ORDER:
        first = _loop(bug, seed, steps=1)[0, 2]
        twin = _loop(twins.get(bug, "healthy"), seed, steps=1)[0, 2]
        if bug == "saturating":
            assert first < 0.02 * twin
        else:
            assert first > 0.3 * twin, bug


# ------------------------------------------------------------------------ exercises
def test_exercise_answers(ex):
    eps = ex.raw("ex_eps")
    assert ex.raw("ex_cube_error") == pytest.approx(eps**2 / (3 + eps**2), rel=1e-4)
    assert ex.raw("ex_threshold") == 2 / ex.raw("ex_curvature")
    assert ORDER[ex.raw("ex_mystery_a") - 1] == "saturating"
    assert ORDER[ex.raw("ex_mystery_b") - 1] == "no_zero_grad"


# ------------------------------------------------------------------------ robustness
def test_quoted_numbers_survive_a_nudged_data_set(ex, tmp_path, monkeypatch):
    """Every value and table cell the example quotes is the same text when the data are
    multiplied by 1 + 1e-12."""
    plain = gd.two_moons

    def nudged(*args, **kwargs):
        X, y = plain(*args, **kwargs)
        return X * (1 + 1e-12), y

    monkeypatch.setattr(gd, "two_moons", nudged)
    again = Example("bug_clinic", tmp_path)
    assert again.ns["X"][0, 0] != ex.ns["X"][0, 0]
    mine, theirs = quoted(ex.dir), quoted(tmp_path)
    assert mine.keys() == theirs.keys()
    for key in mine:
        assert mine[key] == theirs[key], key
