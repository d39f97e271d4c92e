"""Run every example once per build, in parallel, reusing cached runs whose inputs did not change.

One child process per example (Agg backend, fixed seeds, its own `GDNOTES_OUTPUT_DIR`) executes
the script's cells in order; that single run yields both the figure files and the executed
notebook. Children are forked from a zygote that has numpy, matplotlib and gdnotes imported
already (see `pool`), which saves each run its start-up time. A run that fails leaves no cache entry; the others are stored as they finish.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from gdnotes.site.cache import Cache, example_key, shared_digest
from gdnotes.site.notebook import build_notebook, write_notebook
from gdnotes.site.pool import BASE_PRELOAD, Zygote, run_fresh
from gdnotes.site.script import Cell, parse_cells

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


def child_env(output_dir: Path | None, project_dir: Path) -> dict:
    """The environment every example runs in (the build's and the tests' standalone runs)."""
    env = dict(os.environ)
    env.pop("GDNOTES_OUTPUT_DIR", None)
    if output_dir is not None:
        env["GDNOTES_OUTPUT_DIR"] = str(output_dir)
    env.update(
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


_TORCH_IMPORT = re.compile(r"^\s*(import|from)\s+torch\b", re.MULTILINE)


class Launcher:
    """Starts example runs: forked from pre-warmed zygotes when several examples must run (one
    with torch preloaded if at least two of them import torch), else as fresh interpreters."""

    def __init__(self, project_dir: Path, todo: list[ExampleRun], use_zygote: bool = True):
        self.project_dir = project_dir
        self.env = child_env(None, project_dir)
        self.torch = {r.name for r in todo if _TORCH_IMPORT.search(r.script.read_text())}
        self.zygotes: dict[str, Zygote] = {}
        if use_zygote and len(todo) >= 2:
            try:
                self.zygotes["base"] = Zygote(BASE_PRELOAD, self.env, project_dir)
                if len(self.torch) >= 2:
                    self.zygotes["torch"] = Zygote([*BASE_PRELOAD, "torch"], self.env, project_dir)
            except OSError as exc:  # pragma: no cover - fall back to fresh processes
                log.info(f"gdnotes: no zygote ({exc}); starting examples as new processes")
                self.close()

    def __call__(self, run: ExampleRun, argv: list[str], outputs: Path, stdout: Path,
                 stderr: Path) -> int:
        extra = {"GDNOTES_OUTPUT_DIR": str(outputs)}
        zygote = self.zygotes.get("torch" if run.name in self.torch else "base")
        if zygote is not None:
            return zygote.run(argv, extra, stdout, stderr, TIMEOUT_SECONDS)
        return run_fresh(argv, {**self.env, **extra}, self.project_dir, stdout, stderr,
                         TIMEOUT_SECONDS)

    def close(self) -> None:
        for zygote in self.zygotes.values():
            zygote.close()
        self.zygotes = {}


def _execute(run: ExampleRun, cache: Cache, project_dir: Path, launch: Launcher) -> ExampleRun:
    workdir = cache.new_workdir(run.name)
    started = time.perf_counter()
    try:
        outputs = workdir / "outputs"
        outputs.mkdir()
        cells_json = workdir / "cells.json"
        cells_json.write_text(json.dumps([c.__dict__ for c in run.cells]))
        result_json = workdir / "run.json"
        stdout, stderr = workdir / "stdout.txt", workdir / "stderr.txt"
        code = launch(run, [str(cells_json), str(run.script), str(result_json)], outputs,
                      stdout, stderr)
        run.seconds = time.perf_counter() - started
        result = json.loads(result_json.read_text()) if result_json.exists() else None
        if code != 0 or not result or not result["ok"]:
            run.status = "failed"
            tail = (stderr.read_text(errors="replace") if stderr.exists() else "")[-4000:]
            run.error = _failure_message(run, code, tail, result, project_dir)
            cache.discard(workdir)
            return run
        for scratch in (cells_json, stdout, stderr):
            scratch.unlink()
        result["seconds"] = round(run.seconds, 2)
        result_json.write_text(json.dumps(result, indent=1, sort_keys=True))
        manifest_path = outputs / "manifest.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        if manifest and manifest.get("example") != run.name:
            run.status = "failed"
            run.error = (
                f"example {_rel(run.script, project_dir)} wrote its outputs as "
                f"gd.Outputs({manifest.get('example')!r}); name it after its script: "
                f"gd.Outputs({run.name!r})"
            )
            cache.discard(workdir)
            return run
        write_notebook(
            workdir / f"{run.name}.ipynb",
            build_notebook(run.cells, result, outputs, manifest, run.name),
        )
        run.entry = cache.commit(run.name, run.key, workdir)
        run.status = "ran"
    except subprocess.TimeoutExpired:
        run.seconds = time.perf_counter() - started
        run.status = "failed"
        run.error = f"example {_rel(run.script, project_dir)} timed out after {TIMEOUT_SECONDS} s"
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


def _failure_message(
    run: ExampleRun, code: int, stderr: str, result: dict | None, project_dir: Path
) -> str:
    where = _rel(run.script, project_dir)
    if result and result.get("error"):
        err = result["error"]
        line = f", line {err['line']}" if err.get("line") else ""
        return f"example {where}{line} failed: {err['message']}\n{err['traceback']}"
    return f"example {where} failed (exit status {code})\n{stderr.strip()}"


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
    zygote: bool = True,
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
    # longest first (by the last run's time; never-run examples first): a shorter critical path
    todo.sort(key=lambda r: -cache.last_seconds(r.name, default=1e9))
    if todo:
        cache.sweep()
        launch = Launcher(project_dir, todo, use_zygote=zygote)
        try:
            with ThreadPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
                futures = [pool.submit(_execute, run, cache, project_dir, launch) for run in todo]
                for future in as_completed(futures):
                    run = future.result()
                    done += 1
                    log.info(
                        f"gdnotes: [{done:>2}/{total}] {LABELS[run.status]:<9} {run.name} "
                        f"{run.seconds:.2f} s"
                    )
        finally:
            launch.close()
    for run in runs:
        run.load()
    if todo:
        log.info(summary_table(runs))
    elif runs:
        hits = sum(r.status == "cached" for r in runs)
        skipped = f", {len(runs) - hits} not run (execution off)" if hits < len(runs) else ""
        log.info(f"gdnotes: nothing to run: {hits} of {len(runs)} examples are cache hits{skipped}")
    return runs


SLOWEST_OUTPUTS = 5


def summary_table(runs: list[ExampleRun]) -> str:
    """The closing table: every example, what happened to it, its wall time and CPU time, and
    the figures and animations that cost the most CPU to render."""
    width = max([len(r.name) for r in runs] + [7])
    lines = ["gdnotes: example runs",
             f"  {'example':<{width}}  {'status':<9}  seconds      CPU  rendering"]
    rendered: dict[str, float] = {}
    for run in sorted(runs, key=lambda r: -r.seconds):
        if run.status in {"ran", "failed"}:
            cpu = run.run.get("cpu_seconds") if run.status == "ran" else None
            render = run.run.get("render_seconds", {}) if run.status == "ran" else {}
            rendered.update(render)
            numbers = (f"{run.seconds:7.2f}  " + (f"{cpu:7.2f}" if cpu is not None else "      -")
                       + (f"  {sum(render.values()):9.2f}" if render else "          -"))
        else:
            numbers = "      -        -          -"
        lines.append(f"  {run.name:<{width}}  {LABELS[run.status]:<9}  {numbers}")
    ran = [r for r in runs if r.status in {"ran", "failed"}]
    cpu = sum(r.run.get("cpu_seconds", 0.0) for r in ran if r.status == "ran")
    lines.append(
        f"  {len(ran)} run, {sum(r.status == 'cached' for r in runs)} cached, "
        f"{sum(r.seconds for r in ran):.2f} s of example time ({cpu:.2f} s CPU in the examples, "
        f"{sum(rendered.values()):.2f} s of it rendering figures and animations)"
    )
    if rendered:
        slowest = sorted(rendered.items(), key=lambda kv: -kv[1])[:SLOWEST_OUTPUTS]
        lines.append("  slowest outputs to render (CPU s): "
                     + ", ".join(f"{name} {seconds:.2f}" for name, seconds in slowest))
    return "\n".join(lines)
