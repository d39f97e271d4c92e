"""Benchmark: wall-clock time per epoch of full-batch, mini-batch and single-sample SGD.

The site compares the variants by *counted* work (per-sample gradients), which is exact and
the same on every machine; this script measures what the counts leave out, the fixed cost of
each update. Every variant touches each of the n samples once per epoch, so the arithmetic is
the same; what differs is how many updates (Python-level iterations of
``gd.minibatch_sgd``) that arithmetic is split into. Times are machine-dependent and are
printed only, never written into the site.

    .venv/bin/python benchmarks/bench_sgd_epoch.py [--n 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import gdnotes as gd


def seconds_per_epoch(x, y, batch_size: int, repeat: int) -> float:
    """Best of ``repeat`` timings of one epoch (losses recorded once, at the end)."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        gd.minibatch_sgd(gd.sgd(lr=0.01), x, y, np.zeros(2), batch_size=batch_size, epochs=1,
                         record_every=x.size)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="data-set size")
    parser.add_argument("--repeat", type=int, default=3, help="timings per variant (best kept)")
    args = parser.parse_args()
    x, y = gd.regression_data(n=args.n)
    print(f"n = {args.n:,} samples, one epoch each, best of {args.repeat}")
    print(f"{'variant':>22} {'updates/epoch':>14} {'ms/epoch':>10} {'µs/update':>10}")
    for label, size in (("full batch", args.n), ("mini-batch (1000)", 1000),
                        ("mini-batch (100)", 100), ("mini-batch (10)", 10),
                        ("single sample", 1)):
        if size > args.n:
            continue
        t = seconds_per_epoch(x, y, size, args.repeat)
        updates = -(-args.n // size)
        print(f"{label:>22} {updates:>14,} {1e3 * t:>10.2f} {1e6 * t / updates:>10.1f}")


if __name__ == "__main__":
    main()
