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


CASES = [
    ("step", gd.step_decay(0.5, 7, gamma=0.3), lambda o: S.StepLR(o, 7, gamma=0.3), 0.5, 40),
    ("exp", gd.exponential_decay(0.2, 0.95), lambda o: S.ExponentialLR(o, 0.95), 0.2, 40),
    ("cos", gd.cosine_decay(0.3, 30, min_lr=0.01),
     lambda o: S.CosineAnnealingLR(o, 30, eta_min=0.01), 0.3, 31),
    ("warm", gd.warmup(gd.cosine_decay(0.3, 25), 5, start_factor=0.1),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=5), S.CosineAnnealingLR(o, 25)],
                              milestones=[5]), 0.3, 31),
    ("warm_const", gd.warmup(0.2, 4),
     lambda o: S.LinearLR(o, start_factor=1 / 3, total_iters=4), 0.2, 12),
]


@pytest.mark.parametrize("name, ours, theirs, lr, steps", CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_torch(name, ours, theirs, lr, steps):
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
