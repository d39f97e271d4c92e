"""Run every example once per build, in parallel, reusing cached runs whose inputs did not change.

One child process per example (Agg backend, fixed seeds, its own `GDNOTES_OUTPUT_DIR`) executes
the script's cells in order; that single run yields both the figure files and the executed
notebook. A run that fails leaves no cache entry; the others are stored as they finish.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from gdnotes.pipeline import executor
from gdnotes.pipeline.cache import Cache, example_key, shared_digest
from gdnotes.pipeline.notebook import build_notebook, write_notebook
from gdnotes.pipeline.script import Cell, parse_cells

log = logging.getLogger("mkdocs.plugins.gdnotes")

TIMEOUT_SECONDS = 300
LABELS = {"cached": "cache hit", "ran": "ran", "failed": "FAILED", "skipped": "skipped", "pending": "?"}


@dataclass
class ExampleRun:
    """What the rest of the build needs to know about one example."""

    name: str
    script: Path
    cells: list[Cell]
    key: str
    status: str = "pending"  # "cached", "ran", "failed", "skipped" (execution off, no entry)
    seconds: float = 0.0
    entry: Path | None = None  # the cache entry holding outputs/, <name>.ipynb, run.json
    error: str = ""
    manifest: dict = field(default_factory=dict)
    run: dict = field(default_factory=dict)

    @property
    def outputs_dir(self) -> Path | None:
        return self.entry / "outputs" if self.entry else None

    @property
    def notebook(self) -> Path | None:
        return self.entry / f"{self.name}.ipynb" if self.entry else None

    def load(self) -> None:
        """Read the manifest and per-cell results from the cache entry."""
        if not self.entry:
            return
        manifest_path = self.entry / "outputs" / "manifest.json"
        self.manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        self.manifest.setdefault("outputs", {})
        self.manifest.setdefault("values", {})
        self.run = json.loads((self.entry / "run.json").read_text())


def discover(examples_dir: Path) -> list[Path]:
    """Example scripts: `examples/*.py`, except shared helpers whose names start with '_'."""
    return sorted(p for p in examples_dir.glob("*.py") if not p.name.startswith("_"))


def child_env(output_dir: Path, project_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        GDNOTES_OUTPUT_DIR=str(output_dir),
        MPLBACKEND="Agg",
        PYTHONHASHSEED="0",
        SOURCE_DATE_EPOCH="0",
        PYTHONDONTWRITEBYTECODE="1",
        OMP_NUM_THREADS="1",  # examples run side by side: no oversubscription
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(project_dir), env.get("PYTHONPATH")) if p)
    return env


def _execute(run: ExampleRun, cache: Cache, project_dir: Path) -> ExampleRun:
    workdir = cache.new_workdir(run.name)
    started = time.perf_counter()
    try:
        outputs = workdir / "outputs"
        outputs.mkdir()
        cells_json = workdir / "cells.json"
        cells_json.write_text(json.dumps([c.__dict__ for c in run.cells]))
        result_json = workdir / "run.json"
        proc = subprocess.run(
            [sys.executable, executor.__file__, str(cells_json), str(run.script), str(result_json)],
            cwd=project_dir,
            env=child_env(outputs, project_dir),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
        )
        run.seconds = time.perf_counter() - started
        result = json.loads(result_json.read_text()) if result_json.exists() else None
        if proc.returncode != 0 or not result or not result["ok"]:
            run.status = "failed"
            run.error = _failure_message(run, proc, result, project_dir)
            cache.discard(workdir)
            return run
        cells_json.unlink()
        manifest = json.loads((outputs / "manifest.json").read_text()) if (
            outputs / "manifest.json"
        ).exists() else {"outputs": {}}
        write_notebook(
            workdir / f"{run.name}.ipynb",
            build_notebook(run.cells, result, outputs, manifest.get("outputs", {})),
        )
        run.entry = cache.commit(run.name, run.key, workdir)
        run.status = "ran"
    except subprocess.TimeoutExpired:
        run.seconds = time.perf_counter() - started
        run.status = "failed"
        run.error = f"{_rel(run.script, project_dir)}: timed out after {TIMEOUT_SECONDS} s"
        cache.discard(workdir)
    except BaseException:
        cache.discard(workdir)
        raise
    return run


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def _failure_message(run: ExampleRun, proc, result: dict | None, project_dir: Path) -> str:
    where = _rel(run.script, project_dir)
    if result and result.get("error"):
        err = result["error"]
        line = f", line {err['line']}" if err.get("line") else ""
        return f"example {where}{line} failed: {err['message']}\n{err['traceback']}"
    tail = (proc.stderr or proc.stdout or "").strip()[-4000:]
    return f"example {where} failed (exit status {proc.returncode})\n{tail}"


def prepare(examples_dir: Path, project_dir: Path) -> list[ExampleRun]:
    shared = shared_digest(project_dir, examples_dir)
    runs = []
    for script in discover(examples_dir):
        text = script.read_text(encoding="utf-8")
        runs.append(
            ExampleRun(script.stem, script, parse_cells(text), example_key(script, shared))
        )
    return runs


def run_examples(
    examples_dir: Path,
    project_dir: Path,
    cache: Cache,
    *,
    execute: bool = True,
    jobs: int | None = None,
) -> list[ExampleRun]:
    """Bring every example's cache entry up to date; returns one ExampleRun per script."""
    runs = prepare(examples_dir, project_dir)
    todo = []
    for run in runs:
        run.entry = cache.lookup(run.name, run.key)
        if run.entry:
            run.status = "cached"
        elif execute:
            todo.append(run)
        else:
            run.status = "skipped"
    total, done = len(runs), 0
    for run in runs:
        if run.status != "pending":
            done += 1
            log.info(f"gdnotes: [{done:>2}/{total}] {LABELS[run.status]:<9} {run.name}")
    jobs = jobs or os.cpu_count() or 1
    if todo:
        with ThreadPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
            futures = [pool.submit(_execute, run, cache, project_dir) for run in todo]
            for future in as_completed(futures):
                run = future.result()
                done += 1
                log.info(
                    f"gdnotes: [{done:>2}/{total}] {LABELS[run.status]:<9} {run.name} "
                    f"{run.seconds:.2f} s"
                )
    for run in runs:
        run.load()
    if todo:
        log.info(summary_table(runs))
    return runs


def summary_table(runs: list[ExampleRun]) -> str:
    """The closing table: every example, what happened to it and how long it took."""
    width = max([len(r.name) for r in runs] + [7])
    lines = ["gdnotes: example runs", f"  {'example':<{width}}  {'status':<9}  seconds"]
    for run in sorted(runs, key=lambda r: -r.seconds):
        seconds = f"{run.seconds:7.2f}" if run.status in {"ran", "failed"} else "      -"
        lines.append(f"  {run.name:<{width}}  {LABELS[run.status]:<9}  {seconds}")
    ran = [r for r in runs if r.status in {"ran", "failed"}]
    lines.append(
        f"  {len(ran)} run, {sum(r.status == 'cached' for r in runs)} cached, "
        f"{sum(r.seconds for r in ran):.2f} s of example time"
    )
    return "\n".join(lines)
