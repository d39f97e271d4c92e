"""Run every benchmark and print one small table of their results.

    .venv/bin/python benchmarks/run_all.py [--quick]     (also: make bench)

Each benchmark is its own script (run in a child process with this interpreter, from the repo root)
that prints its measurements as `label : value` or `label  value  note` lines; those lines become
table rows, anything else is kept as context. A missing or failing benchmark is reported in the
table and makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# name -> (script, extra arguments for --quick)
BENCHMARKS = {
    "optimizers": ("benchmarks/bench_optimizers.py",
                   ["--subset", "100", "--repeat", "2", "--no-million"]),
    "build": ("benchmarks/bench_build.py", ["--repeat", "1"]),
    # the race explorer's redraw in Chromium; reads the site in site/ (`make build` first)
    "explorers": ("benchmarks/bench_explorers.py", ["--repeat", "10"]),
}

MEASUREMENT = re.compile(
    r"^\s*(?P<label>[^:]*?\S)\s*(?P<sep>:\s*|\s{2,})"  # a label, then ':' or 2+ spaces
    r"(?P<value>-?\d+(?:\.\d+)?)(?P<unit>\s?(?:s|ms|x|%|MB|GB))?(?=\s|$)\s*(?P<note>.*)$"
)


@dataclass
class Result:
    name: str
    script: str
    status: str = "ok"
    seconds: float = 0.0
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    context: list[str] = field(default_factory=list)


def parse(output: str) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Split a benchmark's stdout into (label, value, note) measurements and context lines."""
    rows, context = [], []
    for line in output.splitlines():
        match = MEASUREMENT.match(line)
        # "label: 3 things" is prose; a measurement after ':' carries a unit (s, ms, x, %, MB, GB)
        if match and (match["unit"] or not match["sep"].startswith(":")):
            value = match["value"] + (match["unit"] or "")
            rows.append((match["label"], value, match["note"].strip()))
        elif line.strip():
            context.append(line.strip())
    return rows, context


def run(name: str, quick: bool) -> Result:
    script, quick_args = BENCHMARKS[name]
    result = Result(name, script)
    if not (REPO / script).is_file():
        result.status = f"missing: {script} not found"
        return result
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, script, *(quick_args if quick else [])],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    result.seconds = time.perf_counter() - start
    result.rows, result.context = parse(proc.stdout)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        result.status = f"FAILED (exit {proc.returncode}): " + " / ".join(tail)
    return result


def table(results: list[Result]) -> str:
    lines = [("benchmark", "measurement", "value", "note")]
    for r in results:
        lines.append((r.name, f"[{r.script}, {r.seconds:.1f} s wall]", "", r.status))
        lines.extend(("", label, value, note) for label, value, note in r.rows)
    widths = [max(len(row[i]) for row in lines) for i in range(3)]
    out = []
    for i, row in enumerate(lines):
        out.append(
            "  ".join(
                [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].rjust(widths[2]), row[3]]
            ).rstrip()
        )
        if i == 0:
            out.append("-" * len(out[0]))
    for r in results:
        for line in r.context:
            out.append(f"{r.name}: {line}")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default: all of {', '.join(BENCHMARKS)})"
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    results = [run(name, args.quick) for name in args.names or BENCHMARKS]
    print(table(results))
    return 0 if all(r.status == "ok" for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
