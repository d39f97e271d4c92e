"""Build benchmark: how long `mkdocs build` takes cold, unchanged, and with one example edited.

Runs on a temporary copy of the project (docs, examples, gdnotes, mkdocs.yml) with a private
example cache, so the working tree and its cache are never touched. Prints:

- cold build (empty cache: every example runs),
- no-change rebuild (every example is a cache hit),
- one-touched-example rebuild (one script edited: only it runs),
- the no-change rebuild divided by a build with example execution switched off
  (`GDNOTES_EXECUTE=0` and no cache: the same site without running or looking up anything),
  i.e. what the pipeline costs when nothing changed.

Targets: cold <= 60 s, ratio <= 1.3. Usage: `python benchmarks/bench_build.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MKDOCS = str(Path(sys.executable).parent / "mkdocs")
COPY = ("docs", "examples", "gdnotes", "overrides", "mkdocs.yml", "constraints.txt", "pyproject.toml")
TOUCHED = "tangent_line"
COLD_TARGET, RATIO_TARGET = 60.0, 1.3


def copy_project(dest: Path) -> Path:
    for name in COPY:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / name)
    return dest


def build(project: Path, cache: Path, *, execute=True, strict=False) -> tuple[float, str]:
    """One `mkdocs build` (not strict: a page's wording problem must not stop a timing run)."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", GDNOTES_CACHE_DIR=str(cache))
    env["GDNOTES_EXECUTE"] = "1" if execute else "0"
    cmd = [MKDOCS, "build", "-q" if not execute else "", "-d", str(project / "site")]
    cmd = [c for c in cmd if c] + (["--strict"] if strict else [])
    started, cpu_before = time.perf_counter(), _children_cpu()
    proc = subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    CPU[len(CPU)] = _children_cpu() - cpu_before
    if proc.returncode != 0:
        sys.exit(f"build failed ({' '.join(cmd)}):\n{(proc.stdout + proc.stderr)[-4000:]}")
    return seconds, proc.stdout + proc.stderr


CPU: dict[int, float] = {}  # CPU seconds (user + sys) of each build, in order


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ran(output: str) -> int:
    return len(re.findall(r"gdnotes: \[\s*\d+/\d+\] ran ", output))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each warm measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gdnotes-bench-") as tmp:
        project = copy_project(Path(tmp) / "project")
        cache = Path(tmp) / "cache"
        examples = len([p for p in (project / "examples").glob("*.py") if p.name[0] != "_"])

        cold, out = build(project, cache)
        cold_cpu = CPU[0]
        cold_ran = ran(out)
        warm = [build(project, cache) for _ in range(args.repeat)]
        nochange = statistics.median(s for s, _ in warm)
        assert all(ran(o) == 0 for _, o in warm), "a no-change rebuild ran an example"
        baseline = statistics.median(
            build(project, Path(tmp) / "no-cache", execute=False)[0]
            for _ in range(args.repeat)
        )
        touched = []
        script = project / "examples" / f"{TOUCHED}.py"
        for i in range(args.repeat):
            script.write_text(script.read_text() + f"\n# benchmark edit {i}\n")
            seconds, out = build(project, cache)
            assert ran(out) == 1, "touching one example must re-run exactly one"
            touched.append(seconds)
        one = statistics.median(touched)

    ratio = nochange / baseline
    rows = [
        (f"cold build ({cold_ran}/{examples} examples run)", f"{cold:7.2f} s",
         f"target <= {COLD_TARGET:.0f} s: {'ok' if cold <= COLD_TARGET else 'MISSED'}"),
        ("no-change rebuild (0 run)", f"{nochange:7.2f} s", ""),
        (f"one touched example ({TOUCHED})", f"{one:7.2f} s", ""),
        ("build with execution off", f"{baseline:7.2f} s", ""),
        ("no-change / execution off", f"{ratio:7.2f}  ",
         f"target <= {RATIO_TARGET}: {'ok' if ratio <= RATIO_TARGET else 'MISSED'}"),
    ]
    width = max(len(r[0]) for r in rows)
    load = os.getloadavg()[0]
    print(f"gdnotes build benchmark ({os.cpu_count()} cores, median of {args.repeat} warm runs, "
          f"load average {load:.1f} at the end)")
    print(f"  cold build used {cold_cpu:.1f} s of CPU (user + sys, all processes): wall times "
          "above stretch with the machine's load")
    for label, value, note in rows:
        print(f"  {label:<{width}}  {value}  {note}")


if __name__ == "__main__":
    main()
