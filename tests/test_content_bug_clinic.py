"""Claims of the bug-clinic page (docs/bug-clinic.md), recomputed independently: torch.optim and
autograd where torch is the reference, a plain training loop written here (not the example's),
several initialisations where a sentence generalises, and a 1e-12 nudge of the data for every
number the page quotes from a training run.

Cost: the numbers the page shows are read from the session's site build (``built_outputs``), and
the example runs once more here, with the data nudged: that run's quoted texts must equal the
build's, and its training loop (the same code) is compared with torch.optim on the same nudged
data. Tests that need either are ``build``-marked. The independent loops are cached: several
claims read the same run."""

from __future__ import annotations

import functools
import inspect
import math
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from exampletools import Example, quoted
from sitetools import SITE_GROUP, BuiltExample

import gdnotes as gd
from gdnotes.outputs import parse_shown

REPO = Path(__file__).resolve().parents[1]
PAGE = " ".join((REPO / "docs" / "bug-clinic.md").read_text().split())
N, BATCH = 200, 20
LR, LR_SGD, ADAM_LR, WARMUP, START, SATURATE = 1.0, 0.5, 0.5, 40, 0.01, 30.0
ORDER = ["no_zero_grad", "sign", "lr_x10", "no_shuffle", "adam_no_warmup", "saturating"]
NUDGE = 1 + 1e-12


@pytest.fixture(scope="module")
def ex(built_outputs):
    return BuiltExample(built_outputs("bug_clinic"))


@pytest.fixture(scope="module")
def nudged(tmp_path_factory):
    """The one extra run of the example: two_moons' points multiplied by NUDGE (figures not
    drawn)."""
    plain = gd.two_moons

    def moved(*args, **kwargs):
        X, y = plain(*args, **kwargs)
        return X * NUDGE, y

    with pytest.MonkeyPatch.context() as m:
        m.setattr(gd, "two_moons", moved)
        return Example("bug_clinic", tmp_path_factory.mktemp("bug_clinic_nudged"))


def shown(text: str) -> float:
    return float(parse_shown(text.rstrip("%"))) / (100 if text.endswith("%") else 1)


# ------------------------------------------------------------------------ an independent loop
def _data(seed=0, nudge=1.0):
    X, y = gd.two_moons(n=N, noise=0.15, seed=seed)
    return torch.tensor(X * nudge if nudge != 1.0 else X), torch.tensor(y)


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
    return _trained(bug, seed, steps)[1], *_data()


def _saturated_share(model, x):
    with torch.no_grad():
        return float((torch.tanh(model[0](x)).abs() > 0.99).double().mean())


@pytest.mark.parametrize("seed", range(4))
def test_sign_error_ends_wrong_about_most_points_with_huge_logits(seed):
    model, x, y = _final_model("sign", seed)
    with torch.no_grad():
        logits = model(x).squeeze(-1)
    assert float(((logits > 0).double() != y).double().mean()) > 0.8  # most points wrong
    assert float(logits.abs().median()) > 1000  # "most of its logits are over a thousand"
    with torch.no_grad():  # "nearly every unit of the last hidden layer saturated at ±1"
        last_hidden = torch.tanh(model[2](torch.tanh(model[0](x))))
    assert float((last_hidden.abs() > 0.99).double().mean()) > 0.9
    assert "wrong about most points, and most of its logits are over a thousand in size" in PAGE


def test_ten_times_the_rate_saturates_most_of_the_first_layer_in_this_run():
    model, x, _ = _final_model("lr_x10")
    assert _saturated_share(model, x) > 0.8
    assert "most of the first layer's units are saturated" in PAGE


def _loop(bug, seed=0, steps=100, lr=None, nudge=1.0):
    return _trained(bug, seed, steps, lr, nudge)[0]


@functools.cache
def _trained(bug, seed=0, steps=100, lr=None, nudge=1.0):
    """Logs (loss on all data, ‖p.grad‖, ‖ΔW₁‖/‖W₁‖, ‖ΔW₁‖) per step, with torch.optim doing the
    updates (SGD(maximize=True) for the sign error; Adam + LinearLR for warmup). The loss is the
    one before the step on full-batch runs (from the forward pass the step uses) and the
    full-data loss after the step on mini-batch runs, as the page's logs show them. Cached and
    read-only: several claims read the same run."""
    x, y = _data(nudge=nudge)
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
        loss = loss_fn(model(x[rows]).squeeze(-1), y[rows])
        loss.backward()
        w = params[0].detach().clone()
        g = math.sqrt(sum(float((p.grad**2).sum()) for p in params))
        opt.step()
        if ramp is not None:
            ramp.step()
        if order is not None:
            with torch.no_grad():
                loss = loss_fn(model(x).squeeze(-1), y)
        step = float((params[0].detach() - w).norm())
        log.append((loss.item(), g, step / float(w.norm()), step))
    log = np.array(log)
    log.flags.writeable = False
    return log, model


def _start_loss(seed=0, saturate=False):
    x, y = _data()
    with torch.no_grad():
        return float(torch.nn.BCEWithLogitsLoss()(_model(seed, saturate)(x).squeeze(-1), y))


# ------------------------------------------------------------------------ the example agrees
@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)  # with the other users of the one extra run
def test_the_example_loop_is_torch_optims_for_every_bug(nudged):
    """The example's hand-written SGD and Adam (+ LinearLR) give torch.optim's runs: its logs
    (from the one extra run, data nudged) against ours on the same nudged data."""
    runs = nudged.ns["runs"]
    assert "for the mini-batch runs of bug 4, after the step" in PAGE  # as _trained logs it
    for bug in ORDER:
        mine, ref = runs[bug][0], _loop(bug, nudge=NUDGE)
        np.testing.assert_allclose(mine[:, 0], ref[:, 0], rtol=1e-7, err_msg=bug)
        np.testing.assert_allclose(mine[:, 1], ref[:, 1], rtol=1e-7, atol=1e-12, err_msg=bug)
        np.testing.assert_allclose(mine[:, 2], ref[:, 2], rtol=1e-6, atol=1e-14, err_msg=bug)
    twins = {"sign": "healthy", "no_shuffle": "shuffled", "adam_no_warmup": "adam_warmup"}
    for bug, twin in twins.items():  # LinearLR is recursive in torch, closed-form in the example
        np.testing.assert_allclose(runs[bug][1], _loop(twin, nudge=NUDGE)[:, :3], rtol=1e-5,
                                   err_msg=twin)
    assert list(nudged.ns["BUGS"]) == ORDER
    # Adam's constants are torch's defaults, read from torch
    defaults = torch.optim.Adam([torch.zeros(1, requires_grad=True)]).defaults
    adam = inspect.signature(nudged.ns["adam"]).parameters
    assert (adam["betas"].default, adam["eps"].default) == (defaults["betas"], defaults["eps"])


def test_linear_warmup_is_as_the_page_says():
    """"from 0.01η to η over 40 steps, as torch's LinearLR ramps it": the first step at
    start_factor·η, then linear, η from step total_iters + 1 on."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=ADAM_LR)
    ramp = torch.optim.lr_scheduler.LinearLR(opt, start_factor=START, total_iters=WARMUP)
    lrs = []
    for _ in range(WARMUP + 3):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        ramp.step()
    expected = [ADAM_LR * (START + (1 - START) * min(t, WARMUP) / WARMUP) for t in range(WARMUP + 3)]
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)
    assert lrs[WARMUP - 1] < 0.99 * ADAM_LR and lrs[WARMUP] == pytest.approx(ADAM_LR, rel=1e-12)
    assert "reaching $\\eta$ at step" in PAGE


def test_bug_numbers_on_the_page_are_the_examples_order():
    rows = re.findall(r"\| (\d) \| ([^|]+) \|", PAGE)
    assert [int(r[0]) for r in rows] == [1, 2, 3, 4, 5, 6]
    words = ["zero_grad", "sign", r"\times 10", "shuffling", "warmup", "saturating"]
    for (_, name), word in zip(rows, words, strict=True):
        assert word in name


# ------------------------------------------------------------------------ built numbers
@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
def test_the_built_run_numbers_are_torch_optims(ex):
    """The values the page quotes from training runs, recomputed with torch.optim (seed 0)."""
    bug = _loop("no_zero_grad")
    assert ex.raw("nozero_grad_growth") == pytest.approx(bug[-1, 1] / bug[0, 1], rel=1e-6)
    healthy = _loop("healthy")
    assert ex.raw("loss_start") == pytest.approx(healthy[0, 0], rel=1e-9)
    assert ex.raw("healthy_loss_end") == pytest.approx(healthy[-1, 0], rel=1e-6)
    adam = _loop("adam_no_warmup")
    assert ex.raw("adam_peak") == pytest.approx(adam[:WARMUP, 0].max() / adam[0, 0], rel=1e-6)
    sat = _loop("saturating")
    drop = np.median(healthy[:, 2]) / np.median(sat[:, 2])
    assert ex.raw("sat_ratio_drop") == pytest.approx(drop, rel=1e-6)
    for name in ("nozero_grad_growth", "adam_peak", "sat_ratio_drop"):  # "more than" the text
        assert ex.raw(name) >= shown(ex.text(name))
    assert ex.raw("class_batches") == N // 2 // BATCH
    assert ex.raw("steps") == inspect.signature(_trained).parameters["steps"].default  # 100
    assert (ex.raw("warmup"), ex.raw("warmup_start"), ex.raw("warmup_full_step")) == (
        WARMUP, START, WARMUP + 1)  # test_linear_warmup_is_as_the_page_says reads torch
    x, _ = _data()
    with torch.no_grad():
        h = torch.tanh(_model(0, saturate=True)[0](x))
    assert ex.raw("saturated_share") == pytest.approx(float((h.abs() > 0.99).double().mean()))
    assert ex.raw("sat_loss_start") == pytest.approx(_start_loss(saturate=True))
    assert abs(ex.raw("sat_loss_start") - math.log(2)) < 0.1  # "near ln 2"


# ------------------------------------------------------------------------ 1. missing zero_grad
@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
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
def test_without_zero_grad_the_used_gradient_grows_and_the_healthy_one_does_not(seed):
    """"keeps growing ... while the healthy run's gradient stays below its starting size. The
    loss falls at first ... and then wobbles"."""
    bug, ok = _loop("no_zero_grad", seed), _loop("healthy", seed)
    grown = bug[:, 1]
    assert grown[-1] > 3 * grown[0]
    # keeps growing: every 20 steps its largest value so far is higher than 20 steps before
    peaks = np.maximum.accumulate(grown)[::20]
    assert np.all(np.diff(peaks) > 0)
    assert ok[1:, 1].max() < ok[0, 1]
    assert bug[:20, 0].min() < bug[0, 0]  # the loss falls at first
    assert np.sum(np.diff(bug[50:, 0]) > 0) >= 5  # then wobbles: rises again, several times
    assert "keeps growing" in PAGE and "then wobbles" in PAGE


# ------------------------------------------------------------------------ 2. sign error
@pytest.mark.parametrize("seed", range(4))
def test_without_zero_grad_the_loss_is_below_the_healthy_runs_on_most_steps(seed):
    """Also with the data nudged by 1e-12 either way: not the luck of one curve."""
    ok = _loop("healthy", seed)[:, 0]
    for nudge in (1.0, 1 + 1e-12, 1 - 1e-12):
        assert (_loop("no_zero_grad", seed, nudge=nudge)[:, 0] < ok).mean() > 0.7
    assert "on most steps it is *below* the healthy run's (for each of four" in " ".join(PAGE.split())


@pytest.mark.parametrize("seed", range(4))
def test_sign_error_raises_the_loss_from_the_first_step(seed):
    losses = _loop("sign", seed)[:, 0]
    assert np.all(np.diff(losses[:11]) > 0)  # rises at each of the first ten steps
    assert losses[-1] > 1000  # the last logged loss: "above a thousand"
    if seed == 0:
        tail = _loop("sign", seed)[-20:, 1]
        assert np.ptp(tail) < 1e-3 * tail.mean()  # the gradient norm stops changing
    assert "above a thousand" in PAGE


# ------------------------------------------------------------------------ 3. η × 10
@pytest.mark.parametrize("seed", range(4))
def test_ten_times_the_rate_moves_the_first_layer_by_more_than_its_size(seed):
    assert _loop("lr_x10", seed)[:5, 2].max() > 1  # "its ratio passes 1 within five steps"
    assert "its ratio passes 1 within five steps (for each of four" in PAGE


@pytest.mark.parametrize("seed", range(4))
def test_ten_times_the_rate_is_chaotic_after_the_first_steps(seed):
    """"change the data in its twelfth digit and, a few dozen steps later, the loss curve is a
    different one", while a healthy run changes little."""
    plain = _loop("lr_x10", seed)[:, 0]
    for nudge in (1 + 1e-12, 1 - 1e-12):
        moved = _loop("lr_x10", seed, nudge=nudge)[:, 0]
        apart = np.abs(moved - plain) / plain
        assert apart[:5].max() < 1e-9  # the same start
        assert (apart[70:] > 0.1).mean() > 0.3  # ...and a different curve by the last 30 steps
        assert 10 <= np.argmax(apart > 0.01) <= 90  # parting after a few dozen steps
        healthy = _loop("healthy", seed)[:, 0]
        assert np.abs(_loop("healthy", seed, nudge=nudge)[:, 0] / healthy - 1).max() < 1e-3
    assert "a healthy run changes little when its data move by one part in $10^{12}$" in PAGE


@pytest.mark.parametrize("nudge", [1.0, 1 + 1e-12, 1 - 1e-12])
def test_in_this_run_the_loss_keeps_jumping_and_the_first_layer_stops_moving(nudge):
    """Seed 0, the example's run, and the same run on nudged data (it is chaotic: these hold for
    each curve, not by luck of one)."""
    bug, ok = _loop("lr_x10", nudge=nudge), _loop("healthy")
    late = bug[50:, 0]
    assert late.max() > 2 * late.min() and late.mean() > 3 * ok[50:, 0].mean()
    assert np.median(bug[50:, 2]) < 1e-4 * np.median(ok[50:, 2])  # "collapses by many orders"


def test_from_other_initial_weights_the_ratio_need_not_collapse():
    collapsed = {seed: np.median(_loop("lr_x10", seed)[50:, 2]) for seed in range(4)}
    assert collapsed[0] < 1e-8 and max(collapsed.values()) > 1e-3, collapsed
    assert "From other initial weights the ratio need not collapse." in PAGE


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


# ------------------------------------------------------------------------ 5. Adam warmup
@pytest.mark.parametrize("seed", range(6))
def test_adam_without_warmup_jumps_at_a_large_rate(seed):
    bug, ok = _loop("adam_no_warmup", seed, WARMUP), _loop("adam_warmup", seed, WARMUP)
    assert bug[:, 0].max() > 1.5 * bug[0, 0]
    assert ok[:, 0].max() <= ok[0, 0]  # never above its start
    assert "six initialisations" in PAGE and "$\\eta = 0.1$ neither run rises" in PAGE
    whole = _loop("adam_warmup", seed)[:, 0]  # all the steps: still never above its start...
    assert whole.max() <= whole[0] and "in all {{ value: bug_clinic/steps }} steps" in PAGE
    lowest = np.minimum.accumulate(whole)  # ...but not smooth
    assert (whole[1:] / lowest[:-1]).max() > 2
    assert "now and then its loss jumps to more than twice its lowest value so far" in PAGE


@pytest.mark.parametrize("seed", range(4))
def test_at_a_small_rate_adam_needs_no_warmup(seed):
    for bug in ("adam_no_warmup", "adam_warmup"):
        log = _loop(bug, seed, steps=WARMUP, lr=0.1)
        assert log[:, 0].max() <= log[0, 0]


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
@pytest.mark.parametrize("seed", range(4))
def test_saturated_first_layer_barely_moves_while_the_loss_falls(seed):
    bug, ok = _loop("saturating", seed), _loop("healthy", seed)
    drop = np.median(ok[:, 2]) / np.median(bug[:, 2])
    assert drop > 20
    assert bug[-1, 0] < bug[0, 0] / 3  # the loss still falls
    assert bug[-1, 0] < 2 * ok[-1, 0]  # about as fast as healthy


def _moved(bug, seed):
    """How far each layer's weights moved over the run, relative to where they started."""
    start, end = _model(seed, saturate=bug == "saturating"), _trained(bug, seed)[1]
    with torch.no_grad():
        return [float((end[i].weight - start[i].weight).norm() / start[i].weight.norm())
                for i in (0, 2, 4)]


@pytest.mark.parametrize("seed", range(4))
def test_saturated_layers_take_steps_a_few_times_smaller_but_move_little(seed):
    """"Its steps are only a few times smaller than the healthy run's, but its weights are 30
    times larger": the gradient does reach the first layer; the ratio falls mostly because of
    the weights. Then how far each layer moves over the run."""
    bug, ok = _loop("saturating", seed), _loop("healthy", seed)
    assert 1 < np.median(ok[:, 3]) / np.median(bug[:, 3]) < 5  # median ‖ΔW₁‖ per step
    first, second, output = _moved("saturating", seed)
    healthy = _moved("healthy", seed)
    assert max(first, second) < 0.05 < 0.5 < min(healthy[:2])  # "less than 5 %" / "more than half"
    assert output > 3  # "several times their own"
    assert "Its steps are only a few times smaller than the healthy run's" in PAGE
    assert "both hidden layers move by less than 5 % of their size" in " ".join(PAGE.split())


# ------------------------------------------------------------------------ gradient check
def _forgetting_model(seed=0):
    """The network with tanh's derivative dropped at the first hidden layer, through autograd:
    forward tanh(z), backward as if it were z (the planted bug, written independently)."""
    model = _model(seed)

    def forward(x):
        z = model[0](x)
        h = z + (torch.tanh(z) - z).detach()
        return model[4](model[3](model[2](h)))

    return model, forward


@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
def test_gradient_check_numbers(ex, nudged):
    """The planted bug's errors against autograd's right gradient (which central differences
    match to ~1e-9): the built worst error, where it is, and which layers are off."""
    x, y = _data()
    x, y = x[::10], y[::10]
    assert ex.raw("n_check_points") == len(y) == 20 and y.sum() == 10  # both classes
    model, forward = _forgetting_model()
    params = list(model.parameters())
    loss_fn = torch.nn.BCEWithLogitsLoss()
    right = torch.cat([g.reshape(-1) for g in torch.autograd.grad(
        loss_fn(model(x).squeeze(-1), y), params)])
    bug = torch.cat([g.reshape(-1) for g in torch.autograd.grad(
        loss_fn(forward(x).squeeze(-1), y), params)])
    assert right.numel() == ex.raw("n_params") == 337
    errors = ((bug - right).abs() / torch.maximum(bug.abs(), right.abs())).numpy()
    assert ex.raw("check_bad") == pytest.approx(errors.max(), rel=1e-5)
    assert ex.raw("check_bad") >= shown(ex.text("check_bad"))
    assert 16 * 2 <= errors.argmax() < 16 * 3  # in b₁, as the table says
    assert ex.table("gradient_check")[2] == ["hand-written, bug", f"{errors.max():.2g}", "b₁"]
    assert np.all(errors[:48] > 1e-3) and ex.raw("n_first_layer") == 48
    assert np.all(errors[48:] == 0)  # the layers above are untouched by the bug
    # the example's numpy forward and backward (from the extra run) are torch's
    theta = torch.cat([p.detach().reshape(-1) for p in params]).numpy()
    xn, yn = x.numpy(), y.numpy()
    np.testing.assert_allclose(nudged.ns["backward"](theta, xn, yn), right.numpy(), rtol=1e-9,
                               atol=1e-14)
    with torch.no_grad():
        torch_loss = float(loss_fn(model(x).squeeze(-1), y))
    assert abs(nudged.ns["numpy_loss"](theta, xn, yn) - torch_loss) < shown(
        ex.text("numpy_torch_gap"))


def test_float32_swamps_the_check_float64_does_not():
    """"Check in float64 ... in float32 it swamps the small partial derivatives": the same right
    gradient (autograd) judged through a float32 loss is called wrong; gd refuses one."""
    x, y = _data()
    x, y = x[::10], y[::10]
    worst = {}
    for dtype in (torch.float32, torch.float64):
        model = _model(0).to(dtype)
        params = list(model.parameters())
        xd, yd = x.to(dtype), y.to(dtype)

        def loss(theta, grad=False, model=model, params=params, xd=xd, yd=yd):
            torch.nn.utils.vector_to_parameters(torch.as_tensor(theta, dtype=xd.dtype), params)
            out = torch.nn.BCEWithLogitsLoss()(model(xd).squeeze(-1), yd)
            if not grad:
                return out.item()  # a Python float: gd cannot see it was float32
            return np.concatenate([g.reshape(-1).double().numpy()
                                   for g in torch.autograd.grad(out, params)])

        theta = torch.nn.utils.parameters_to_vector(params).detach().double().numpy()
        worst[dtype] = gd.gradient_check(loss, theta, grad=lambda t, f=loss: f(t, True),
                                         eps=1e-5).worst
    assert worst[torch.float64] < 1e-6 < 1e-2 < worst[torch.float32]  # .item() was not caught
    with pytest.raises(ValueError, match="^model must have float64 parameters"):
        gd.flat_loss(_model(0).float(), lambda m: m(x.float()).sum())
    with pytest.raises(ValueError, match="must compute the loss in float64, got a float32"):
        gd.gradient_check(lambda t: np.float32(t @ t), np.ones(3), grad=lambda t: 2 * t)
    assert "refuse a float32 loss value or model" in PAGE
    assert "float with `.item()` has lost its dtype, so that check cannot catch it" in PAGE


# ------------------------------------------------------------------------ range test
@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
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
@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
def test_mystery_answers_are_the_bugs_that_made_the_runs(ex):
    """Rerun the bug each answer names (our loop, seed 1) and find the tables' numbers; no other
    bug gives them."""
    seed, steps = ex.raw("mystery_seed"), [1, 10, 30, 60]

    def cells(bug):
        log = _loop(bug, seed, steps=60)
        return [[str(t), *(f"{log[t - 1, c]:.2g}" for c in range(3))] for t in steps]

    for key in ("a", "b"):
        bug = ORDER[ex.raw(f"ex_mystery_{key}") - 1]
        assert cells(bug) == ex.table(f"mystery_{key}")
        for other in ORDER:
            if other != bug:
                assert cells(other) != ex.table(f"mystery_{key}"), (key, other)
    assert cells("healthy") == ex.table("mystery_healthy")


@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
def test_mystery_tables_show_what_the_answers_read_off_them(ex):
    """The answers read the tables: A's ratio > 10× below the healthy one at every step shown
    and its loss falling; B identical to healthy at step 1, its ‖g‖ growing at every step shown
    while healthy's ends well below its start; the questions do not name the signature."""
    a, b, h = (ex.table(f"mystery_{k}") for k in ("a", "b", "healthy"))
    col = {name: [[shown(r[c]) for r in t] for t in (a, b, h)] for c, name in
           ((1, "loss"), (2, "g"), (3, "ratio"))}
    (a_ratio, _, h_ratio), (_, b_g, h_g) = col["ratio"], col["g"]
    assert all(x < 0.1 * z for x, z in zip(a_ratio, h_ratio, strict=True))
    assert "more than ten times below the healthy run's at every step shown" in PAGE
    assert all(np.diff(col["loss"][0]) < 0)  # A's loss falls
    assert all(np.diff(b_g) > 0) and h_g[-1] < h_g[0] / 2
    assert "grows at every step shown, while the healthy one ends well below where it started" in PAGE
    assert b[0] == h[0]  # the same at step 1
    exercises = PAGE[PAGE.index("## Exercises"):]
    questions = [q.split('??? success')[0] for q in exercises.split('!!! question')[1:3]]
    for q in questions:
        assert not re.search(r"far below|grows|shrinks|saturat|zero_grad", q), q


@pytest.mark.parametrize("seed", range(3))
def test_no_other_bug_lowers_the_ratio_from_the_first_step(seed):
    twins = {"no_shuffle": "shuffled", "adam_no_warmup": "adam_warmup"}
    for bug in ORDER:
        steps = WARMUP if bug == "adam_no_warmup" else 100  # the runs other tests make
        first = _loop(bug, seed, steps)[0, 2]
        twin = _loop(twins.get(bug, "healthy"), seed, steps)[0, 2]
        if bug == "saturating":
            assert first < 0.02 * twin
        else:
            assert first > 0.3 * twin, bug


# ------------------------------------------------------------------------ exercises
@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
def test_exercise_answers(ex):
    eps = ex.raw("ex_eps")
    # ((1 + ε)³ − (1 − ε)³)/2ε = 3 + ε², exactly
    assert ex.raw("ex_cube_error") == pytest.approx(eps**2 / (3 + eps**2), rel=1e-4)
    assert ex.raw("ex_threshold") == 2 / ex.raw("ex_curvature")
    assert ORDER[ex.raw("ex_mystery_a") - 1] == "saturating"
    assert ORDER[ex.raw("ex_mystery_b") - 1] == "no_zero_grad"


# ------------------------------------------------------------------------ robustness
@pytest.mark.build
@pytest.mark.xdist_group(SITE_GROUP)
def test_quoted_numbers_survive_a_nudged_data_set(ex, nudged):
    """Every value and table cell the page quotes is the same text when the data are multiplied
    by 1 + 1e-12 (the built outputs against the one extra run)."""
    assert nudged.ns["X"][0, 0] != gd.two_moons(n=N, noise=0.15, seed=0)[0][0, 0]
    mine, theirs = quoted(ex.dir), quoted(nudged.dir)
    assert mine.keys() == theirs.keys()
    for key in mine:
        assert mine[key] == theirs[key], key


def test_the_floor_the_page_states_is_the_default():
    """"never divides by less than a floor, by default ten thousand times that rounding error
    (floor=0 gives the formula as written)"."""
    assert gd.diagnostics.ROUNDING_MARGIN == 1e4
    assert "ten thousand times that rounding error" in PAGE and "`floor=0` gives" in PAGE
    assert inspect.signature(gd.gradient_check).parameters["floor"].default is None
