"""benchmarks/run_all.py: turns the benchmarks' printed lines into one table, reports missing ones."""

from __future__ import annotations

import importlib.util
import sys

from sitetools import REPO

spec = importlib.util.spec_from_file_location("run_all", REPO / "benchmarks" / "run_all.py")
run_all = sys.modules["run_all"] = importlib.util.module_from_spec(spec)  # dataclasses look it up
spec.loader.exec_module(run_all)


def test_measurement_lines_become_rows_and_prose_stays_context():
    rows, context = run_all.parse(
        "grid 200x200 heavy-ball runs, 100 steps each\n"
        "gdnotes, one vectorised gd.run call :    0.120 s\n"
        "speed-up                            :     80.1x (target >= 50x)\n"
        "  cold build (6/6 examples run)   12.34 s  target <= 60 s: ok\n"
        "  no-change / execution off     1.05    target <= 1.2: ok\n"
        "statuses: 39000 converged, 1000 diverged\n"
        "peak resident memory : 412 MB  target < 2048 MB\n"
    )
    assert rows == [
        ("gdnotes, one vectorised gd.run call", "0.120 s", ""),
        ("speed-up", "80.1x", "(target >= 50x)"),
        ("cold build (6/6 examples run)", "12.34 s", "target <= 60 s: ok"),
        ("no-change / execution off", "1.05", "target <= 1.2: ok"),
        ("peak resident memory", "412 MB", "target < 2048 MB"),
    ]
    assert context == [
        "grid 200x200 heavy-ball runs, 100 steps each",
        "statuses: 39000 converged, 1000 diverged",
    ]


def test_missing_benchmark_is_reported_not_crashed(monkeypatch):
    monkeypatch.setitem(run_all.BENCHMARKS, "ghost", ("benchmarks/bench_ghost.py", []))
    result = run_all.run("ghost", quick=True)
    assert result.status.startswith("missing: benchmarks/bench_ghost.py")
    table = run_all.table([result])
    assert "ghost" in table and "missing" in table
