"""Schedules reproduce torch.optim.lr_scheduler's learning rates step by step."""

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as S

import gdnotes as gd


def torch_lrs(make_scheduler, lr, steps):
    """Learning rates torch uses at steps 0..steps-1 (read before each optimizer step)."""
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    sched = make_scheduler(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return np.array(out)


# (name, builds ours (inside the test, so mutation testing reaches it), torch scheduler, lr, steps)
CASES = [
    ("step", lambda: gd.step_decay(0.5, 7, gamma=0.3), lambda o: S.StepLR(o, 7, gamma=0.3), 0.5, 40),
    ("exp", lambda: gd.exponential_decay(0.2, 0.95), lambda o: S.ExponentialLR(o, 0.95), 0.2, 40),
    ("cos", lambda: gd.cosine_decay(0.3, 30, min_lr=0.01),
     lambda o: S.CosineAnnealingLR(o, 30, eta_min=0.01), 0.3, 31),
    ("warm", lambda: gd.warmup(gd.cosine_decay(0.3, 25), 5, start_factor=0.1),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=5), S.CosineAnnealingLR(o, 25)],
                              milestones=[5]), 0.3, 31),
    ("warm_const", lambda: gd.warmup(0.2, 4),
     lambda o: S.LinearLR(o, start_factor=1 / 3, total_iters=4), 0.2, 12),
]


@pytest.mark.parametrize("name, ours, theirs, lr, steps", CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_torch(name, ours, theirs, lr, steps):
    ours = ours()
    np.testing.assert_allclose(ours(np.arange(steps)), torch_lrs(theirs, lr, steps), rtol=1e-12)
    # scalar and array calls agree
    assert ours(3) == pytest.approx(ours(np.arange(5))[3])


def test_cosine_holds_min_after_total_steps():
    sched = gd.cosine_decay(1.0, 10, min_lr=0.1)
    np.testing.assert_allclose(sched(np.array([10, 11, 50])), 0.1)
    assert gd.constant(0.3)(np.arange(4)).tolist() == [0.3] * 4


def test_schedule_drives_an_optimizer():
    r = gd.run(gd.adam(gd.step_decay(0.1, 5)), gd.rosenbrock(), [0.0, 0.0], 12)
    np.testing.assert_allclose(r.lrs, 0.1 * 0.1 ** (np.arange(12) // 5))


@pytest.mark.parametrize("make", [
    lambda lr: gd.constant(lr), lambda lr: gd.step_decay(lr, 5), lambda lr: gd.exponential_decay(lr, 0.9),
    lambda lr: gd.cosine_decay(lr, 10), lambda lr: gd.warmup(lr, 3),
], ids=["constant", "step_decay", "exponential_decay", "cosine_decay", "warmup"])
@pytest.mark.parametrize("lr", [0.0, -0.1])
def test_a_schedule_needs_a_positive_learning_rate(make, lr):
    with pytest.raises(ValueError, match=rf"^lr \(learning rate\) must be > 0, got {lr!r}"):
        make(lr)


def test_a_negative_step_index_is_rejected():
    sched = gd.exponential_decay(0.2, 0.5)
    with pytest.raises(ValueError, match=r"^step index t must be >= 0, got -1"):
        sched(-1)
    with pytest.raises(ValueError, match=r"^step index t must be >= 0, got -2"):
        sched(np.array([0, 1, -2]))
    assert sched(0) == 0.2  # t = 0 is the first step


def test_warmup_of_a_plain_function_and_a_negative_gamma():
    ramp = gd.warmup(lambda t: 0.2 * 0.5**t, 2, start_factor=0.5)
    assert ramp.name == "warmup+schedule"  # a plain callable has no name
    np.testing.assert_allclose(ramp(np.arange(5)), [0.1, 0.15, 0.2, 0.1, 0.05], rtol=1e-15)
    with pytest.raises(ValueError, match="^gamma must be > 0, got -0.5"):
        gd.step_decay(0.1, 5, gamma=-0.5)


def test_warmup_start_factor_bounds():
    """torch's LinearLR: 0 < start_factor <= 1 (1 means no warm-up at all)."""
    for bad in (0.0, -0.5, 1.01):
        with pytest.raises(ValueError, match=rf"^start_factor must be in \(0, 1\], got {bad!r}"):
            gd.warmup(0.1, 5, start_factor=bad)
    flat = gd.warmup(0.1, 5, start_factor=1.0)
    np.testing.assert_allclose(flat(np.arange(10)), 0.1, rtol=1e-15)
    tiny = gd.warmup(0.1, 4, start_factor=1e-3)
    np.testing.assert_allclose(tiny(np.arange(6)), 0.1 * np.array(
        [1e-3, 1e-3 + (1 - 1e-3) / 4, 1e-3 + (1 - 1e-3) / 2, 1e-3 + 3 * (1 - 1e-3) / 4, 1, 1]),
        rtol=1e-12)
    assert gd.warmup(gd.cosine_decay(0.3, 25), 5).name == "warmup+cosine_decay"
    assert gd.warmup(0.3, 5).name == "warmup+constant"


def test_cosine_min_lr_bounds():
    """0 <= min_lr <= lr: min_lr = lr is a constant schedule, min_lr = 0 torch's default."""
    with pytest.raises(ValueError, match=r"^min_lr must be <= lr=0.1, got 0.2"):
        gd.cosine_decay(0.1, 10, min_lr=0.2)
    with pytest.raises(ValueError, match=r"^min_lr must be >= 0, got -0.01"):
        gd.cosine_decay(0.1, 10, min_lr=-0.01)
    with pytest.raises(ValueError, match=r"^total_steps must be a positive integer, got 0"):
        gd.cosine_decay(0.1, 0)
    np.testing.assert_allclose(gd.cosine_decay(0.1, 10, min_lr=0.1)(np.arange(15)), 0.1)
    half = gd.cosine_decay(0.1, 10)(np.array([0, 5, 10]))
    np.testing.assert_allclose(half, [0.1, 0.05, 0.0], atol=1e-17)


def test_each_schedule_states_its_formula():
    """The formula the schedules page shows next to each curve, from torch's docs."""
    assert gd.constant(0.1).latex == r"\eta_t = \eta"
    assert gd.step_decay(0.1, 5).latex == r"\eta_t = \eta\,\gamma^{\lfloor t / s \rfloor}"
    assert gd.exponential_decay(0.1, 0.9).latex == r"\eta_t = \eta\,\gamma^t"
    assert gd.cosine_decay(0.1, 5).latex == (
        r"\eta_t = \eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T))")
    names = [s.name for s in (gd.constant(0.1), gd.step_decay(0.1, 5),
                              gd.exponential_decay(0.1, 0.9), gd.cosine_decay(0.1, 5))]
    assert names == ["constant", "step_decay", "exponential_decay", "cosine_decay"]
    assert gd.step_decay(0.1, 5)(np.arange(12)).tolist() == pytest.approx(
        [0.1] * 5 + [0.1 * 0.1] * 5 + [0.1 * 0.01] * 2, rel=1e-15)  # default gamma 0.1
