"""Benchmark: a 200×200 grid of heavy-ball runs, one vectorised gdnotes call vs torch.optim.

Every (η, β) pair runs 100 steps of SGD with momentum on a 2-D quadratic with κ = 100.
gdnotes does all 40 000 runs in one call; the reference is the obvious Python loop over
``torch.optim.SGD``, one optimizer per run. The torch loop would take minutes, so it is timed
on a random subset of runs and extrapolated (the output says so); the subset's end points are
also checked against gdnotes'.

    .venv/bin/python benchmarks/bench_optimizers.py [--subset 400]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import gdnotes as gd

GRID, STEPS, KAPPA = 200, 100, 100.0


def torch_run(A, x0, lr, momentum, steps):
    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * p @ A @ p).backward()
        opt.step()
    return p.detach().numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=400,
                        help="torch runs actually timed (0 < subset <= 40000)")
    args = parser.parse_args()
    torch.set_num_threads(1)

    obj = gd.ill_conditioned(KAPPA, angle=np.pi / 6)
    etas, betas = np.meshgrid(np.linspace(0.01, 3.0, GRID), np.linspace(0.0, 0.99, GRID))
    x0 = np.array([1.0, 1.0])

    start = time.perf_counter()
    result = gd.run(gd.sgd(etas, momentum=betas), obj, x0, STEPS)
    t_gd = time.perf_counter() - start

    rng = np.random.default_rng(0)
    n = min(max(args.subset, 1), GRID * GRID)
    picks = rng.choice(GRID * GRID, size=n, replace=False)
    A = torch.tensor(obj.A)
    start = time.perf_counter()
    ends = [torch_run(A, x0, etas.flat[i], betas.flat[i], STEPS) for i in picks]
    t_subset = time.perf_counter() - start
    t_torch = t_subset * GRID * GRID / n

    ours = result.points[-1].reshape(-1, 2)[picks]
    ok = np.isfinite(ours).all(axis=1)  # diverged runs are NaN in gdnotes by design
    err = np.max(np.abs(ours[ok] - np.array(ends)[ok]) / np.maximum(np.abs(ends)[ok], 1e-300),
                 initial=0.0)

    print(f"grid {GRID}x{GRID} (eta, beta) heavy-ball runs, {STEPS} steps each, kappa={KAPPA:g}")
    print(f"gdnotes, one vectorised gd.run call : {t_gd:8.3f} s")
    extrapolated = ""
    if n < GRID * GRID:
        extrapolated = f" (extrapolated from {n} timed runs: {t_subset:.2f} s)"
    print(f"torch.optim.SGD, Python loop        : {t_torch:8.3f} s{extrapolated}")
    print(f"speed-up                            : {t_torch / t_gd:8.1f}x (target >= 50x)")
    names, counts = np.unique(result.status, return_counts=True)
    statuses = ", ".join(f"{c} {s}" for s, c in zip(names, counts, strict=True))
    print(f"statuses: {statuses}; "
          f"max relative end-point difference on the timed subset: {err:.1e}")


if __name__ == "__main__":
    main()
