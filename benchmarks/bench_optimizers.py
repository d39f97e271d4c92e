"""Benchmark: a 200×200 grid of heavy-ball runs, gd.run against every peer, as ratios.

Every (η, β) pair runs 100 steps of SGD with momentum on a 2-D quadratic with κ = 100, on
one thread. The reference is the same update written by hand as a vectorised numpy loop
(what a competent user would write for this job); every other way of doing the sweep is
printed as its CPU time divided by that one's, because absolute times on a shared machine are
noisy. Each is timed ``--repeat`` times, interleaved, and the best time is kept.

- hand-vectorised numpy (the reference), the same loop tuned (hyperparameters copied out to
  full shape, updates in place: what gd.run does inside), and the loop in torch tensors;
- ``gd.run`` by default (statuses and every point of every run), the same then reading every
  value, gradient norm and learning rate it kept, and with ``keep="last"`` (statuses and end
  points only);
- the obvious Python loop over ``torch.optim.SGD``, one optimizer per run: it would take
  minutes, so it is timed on a random subset of runs and extrapolated (the output says so);
- a floating-point-operation limit: the update's flop count at the rate this machine reaches
  in a large matrix product (a bound no elementwise loop gets near; it shows the headroom).

It also runs a 1000×1000 sweep (10⁶ runs × 100 steps) with ``keep="last"`` in a fresh
process (one that never imports torch) and reports its peak memory (skip: ``--no-million``).

    .venv/bin/python benchmarks/bench_optimizers.py [--subset 400] [--repeat 5] [--no-million]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

import gdnotes as gd

GRID, STEPS, KAPPA = 200, 100, 100.0
FLOP_PER_RUN_STEP = 14  # g = xA: 4 multiplies + 2 adds; v = βv + g: 4; x = x - ηv: 4 (d = 2)


def sweep(grid: int):
    """The objective, the (η, β) grid and the start shared by every contender."""
    obj = gd.ill_conditioned(KAPPA, angle=np.pi / 6)
    etas, betas = np.meshgrid(np.linspace(0.01, 3.0, grid), np.linspace(0.0, 0.99, grid))
    return obj, etas, betas, np.array([1.0, 1.0])


def numpy_loop(A, x0, etas, betas, steps):
    """Heavy ball by hand, vectorised over the grid (torch's convention: v₁ = g₁)."""
    eta, beta = etas[..., None], betas[..., None]
    x = np.broadcast_to(x0, etas.shape + x0.shape).copy()
    v = None
    for _ in range(steps):
        g = x @ A
        v = g if v is None else beta * v + g
        x = x - eta * v
    return x


def numpy_loop_tuned(A, x0, etas, betas, steps):
    """The same loop tuned by hand: η, β copied out to the full (B, 2) shape (numpy broadcasts a
    (B, 1) column over (B, 2) slowly) and the updates done in place. Same numbers."""
    shape = etas.shape + x0.shape
    eta, beta = (np.ascontiguousarray(np.broadcast_to(h[..., None], shape)) for h in (etas, betas))
    x = np.broadcast_to(x0, shape).copy()
    v = None
    for _ in range(steps):
        g = x @ A
        if v is None:
            v = g
        else:
            v *= beta
            v += g
        x -= eta * v
    return x


def torch_loop(A, x0, etas, betas, steps):
    """The same loop in torch tensors."""
    import torch

    A, eta, beta = torch.from_numpy(A), torch.from_numpy(etas)[..., None], torch.from_numpy(betas)[..., None]
    x = torch.from_numpy(np.broadcast_to(x0, etas.shape + x0.shape).copy())
    v = None
    for _ in range(steps):
        g = x @ A
        v = g if v is None else beta * v + g
        x = x - eta * v
    return x.numpy()


def torch_optim_run(A, x0, lr, momentum, steps):
    """One run the obvious way: a parameter tensor, autograd and torch.optim.SGD."""
    import torch

    p = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=momentum)
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * p @ A @ p).backward()
        opt.step()
    return p.detach().numpy()


def read_everything(result):
    """Touch what a default run keeps beyond its points: on a quadratic (whose values cannot
    overflow inside the bound) values and gradient norms are computed when first read."""
    return result.values, result.grad_norms, result.lrs


def flop_rate(n: int = 1024) -> float:
    """Floating-point operations per second of one thread in a large matrix product."""
    a = np.random.default_rng(0).normal(size=(n, n))
    best = min(_timed(lambda: a @ a)[0] for _ in range(3))
    return 2 * n**3 / best


def _timed(fn):
    """(CPU seconds of this process, result): on a shared machine CPU time is far steadier than
    wall time, and every contender runs on one thread."""
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def peak_rss() -> int:
    """This process's peak resident memory in bytes. Linux's VmHWM, which starts afresh at exec
    (getrusage's ru_maxrss would carry over the larger parent that started this process)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def million(grid: int = 1000) -> None:
    """Run the 1000×1000 sweep with keep="last" and print its time and peak memory."""
    import tracemalloc

    obj, etas, betas, x0 = sweep(grid)
    tracemalloc.start()
    seconds, result = _timed(lambda: gd.run(gd.sgd(etas, momentum=betas), obj, x0, STEPS,
                                            keep="last"))
    traced = tracemalloc.get_traced_memory()[1]
    rss = peak_rss()
    ok = "ok" if rss < 2 * 2**30 else "OVER"
    names, counts = np.unique(result.status, return_counts=True)
    print(f"{grid}x{grid} sweep ({grid * grid} runs x {STEPS} steps) with keep='last': "
          + ", ".join(f"{c} {s}" for s, c in zip(names, counts, strict=True)))
    print(f"  {grid}x{grid} sweep, keep='last', CPU time     : {seconds:8.2f} s")
    print(f"  {grid}x{grid} sweep, peak numpy arrays       : {traced / 2**20:8.0f} MB  "
          f"(tracemalloc)")
    print(f"  {grid}x{grid} sweep, peak resident memory    : {rss / 2**20:8.0f} MB  "
          f"whole process (VmHWM); target < 2048 MB: {ok}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", type=int, default=400,
                        help="torch.optim runs actually timed (0 < subset <= 40000)")
    parser.add_argument("--repeat", type=int, default=5, help="timings per contender (best kept)")
    parser.add_argument("--no-million", action="store_true",
                        help="skip the 1000x1000 sweep with keep='last' (its memory and time)")
    parser.add_argument("--million-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.million_only:
        million()
        return
    import torch  # not before: the 10⁶-run process measures gdnotes' memory, not torch's

    torch.set_num_threads(1)

    obj, etas, betas, x0 = sweep(GRID)
    A = obj.A
    contenders = {
        "numpy": lambda: numpy_loop(A, x0, etas, betas, STEPS),
        "tuned": lambda: numpy_loop_tuned(A, x0, etas, betas, STEPS),
        "torch": lambda: torch_loop(A, x0, etas, betas, STEPS),
        "all": lambda: gd.run(gd.sgd(etas, momentum=betas), obj, x0, STEPS),
        "last": lambda: gd.run(gd.sgd(etas, momentum=betas), obj, x0, STEPS, keep="last"),
        "read": lambda: read_everything(gd.run(gd.sgd(etas, momentum=betas), obj, x0, STEPS)),
    }
    best, outputs = {name: np.inf for name in contenders}, {}
    for _ in range(max(args.repeat, 1)):
        for name, fn in contenders.items():
            seconds, outputs[name] = _timed(fn)
            best[name] = min(best[name], seconds)

    rng = np.random.default_rng(0)
    n = min(max(args.subset, 1), GRID * GRID)
    picks = rng.choice(GRID * GRID, size=n, replace=False)
    A_torch = torch.tensor(A)
    t_subset, ends = _timed(lambda: [torch_optim_run(A_torch, x0, etas.flat[i], betas.flat[i],
                                                     STEPS) for i in picks])
    t_optim = t_subset * GRID * GRID / n
    rate = flop_rate()
    t_flops = FLOP_PER_RUN_STEP * GRID * GRID * STEPS / rate

    ref = best["numpy"]
    print(f"grid {GRID}x{GRID} (eta, beta) heavy-ball runs, {STEPS} steps each, kappa={KAPPA:g}, "
          f"one thread; time / hand-vectorised numpy loop, best of {args.repeat}")
    rows = [
        ("hand-vectorised numpy loop (reference)", ref, f"{ref:.3f} s"),
        ("hand-vectorised numpy loop, tuned", best["tuned"], "full-shape eta, beta; in place"),
        ("hand-vectorised torch loop", best["torch"], ""),
        ("gd.run, default (statuses + every point)", best["all"], "target <= 2x"),
        ("gd.run, keep='last' (statuses + end points)", best["last"], "target <= 1.3x"),
        ("gd.run, default, then reading every value", best["read"],
         "values, gradient norms and lrs of every step"),
        ("torch.optim.SGD, Python loop over runs", t_optim,
         f"extrapolated from {n} timed runs" if n < GRID * GRID else ""),
        ("flop limit", t_flops, f"{FLOP_PER_RUN_STEP} flop per run-step at {rate / 1e9:.1f} "
                                f"GFLOP/s (matrix product)"),
    ]
    for label, seconds, note in rows:
        print(f"{label:<46}: {seconds / ref:9.2f}x  {note}".rstrip())

    # The contenders compute the same numbers: compare end points of the runs that did not blow up.
    result, last = outputs["all"], outputs["last"]
    alive = ~result.diverged
    hand_np, hand_torch = outputs["numpy"][alive], outputs["torch"][alive]
    same = (np.array_equal(result.final[alive], hand_np)
            and np.array_equal(outputs["tuned"][alive], hand_np)
            and np.array_equal(last.final, result.final, equal_nan=True))
    ours = result.final.reshape(-1, 2)[picks]
    ok = ~result.diverged.reshape(-1)[picks]  # torch.optim's diverged runs end at inf/NaN
    err = np.max(np.abs(ours[ok] - np.array(ends)[ok]) / np.maximum(np.abs(ends)[ok], 1e-300),
                 initial=0.0)
    names, counts = np.unique(result.status, return_counts=True)
    statuses = ", ".join(f"{c} {s}" for s, c in zip(names, counts, strict=True))
    torch_err = np.max(np.abs(hand_torch - hand_np) / np.maximum(np.abs(hand_np), 1e-300),
                       initial=0.0)
    print(f"statuses: {statuses}; end points of the runs that did not diverge: equal to the numpy "
          f"loop's bit for bit: {same}; largest relative difference to the torch loop "
          f"{torch_err:.1e}, to torch.optim on the timed subset {err:.1e}")

    if not args.no_million:  # in a fresh process, so its peak memory is the sweep's alone
        proc = subprocess.run([sys.executable, __file__, "--million-only"], capture_output=True,
                              text=True, check=True)
        print(proc.stdout.rstrip())


if __name__ == "__main__":
    main()
