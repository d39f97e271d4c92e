"""Independent torch references for the core tests: objectives written again in torch, and
trajectories of torch.optim optimizers. Nothing here calls gdnotes' own formulas."""

from __future__ import annotations

import numpy as np
import torch

T64 = torch.float64


def rosenbrock(p, a=1.0, b=100.0):
    return (a - p[0]) ** 2 + b * (p[1] - p[0] ** 2) ** 2


def quadratic(A, b):
    A, b = torch.as_tensor(A, dtype=T64), torch.as_tensor(b, dtype=T64)
    return lambda p: 0.5 * p @ A @ p + b @ p


def trajectory(opt_cls, kwargs, fn, x0, steps, closure_steps=False):
    """Points visited by ``opt_cls([p], **kwargs)`` minimising ``fn`` from ``x0``."""
    p = torch.tensor(np.asarray(x0, dtype=float), dtype=T64, requires_grad=True)
    opt = opt_cls([p], **kwargs)
    out = [p.detach().numpy().copy()]

    def closure():
        opt.zero_grad()
        loss = fn(p)
        loss.backward()
        return loss

    for _ in range(steps):
        if closure_steps:
            opt.step(closure)
        else:
            closure()
            opt.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def relative_error(ours, ref):
    """Largest ``‖ours - ref‖ / ‖ref‖`` over the steps of a trajectory."""
    num = np.linalg.norm(np.asarray(ours) - ref, axis=-1)
    return float(np.max(num / np.maximum(np.linalg.norm(ref, axis=-1), 1e-300)))
