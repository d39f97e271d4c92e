"""Run every example once per build, in parallel, reusing cached runs whose inputs did not change.

One child process per example (Agg backend, fixed seeds, its own `GDNOTES_OUTPUT_DIR`) executes
the script's cells in order; that single run yields both the figure files and the executed
notebook. Children are forked from a zygote that has numpy, matplotlib and gdnotes imported
already (see `pool`), which saves each run its start-up time. A run that fails leaves no cache entry; the others are stored as they finish.

A run longer than its timeout (`timeout` in mkdocs.yml, env `GDNOTES_TIMEOUT`) is killed with every
process it started, and the error names the line it hung on and its last output; meanwhile a
progress line is logged every `progress_every(timeout)` seconds. If a zygote dies, the runs it held
are started again as fresh processes. Every run is checked against the size budgets
(`Budgets`) whether it ran or came from the cache.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from gdnotes.site.cache import CHILD_ENV, ENTRY_FILES, Cache, CacheError, example_key, shared_digest
from gdnotes.site.notebook import build_notebook, write_notebook
from gdnotes.site.pool import (
    BASE_PRELOAD,
    ExampleTimeout,
    Zygote,
    ZygoteDied,
    kill_group,
    run_fresh,
)
from gdnotes.site.script import Cell, parse_cells

log = logging.getLogger("mkdocs.plugins.gdnotes")

TIMEOUT_SECONDS = 300.0
SIGNAL_POLL = 0.2  # seconds the main thread sleeps at most while examples run (see run_examples)
KB = 1000


@dataclass(frozen=True)
class Budgets:
    """Size limits of one example's run, in KB (`budgets:` in mkdocs.yml overrides any of them)."""

    output_kb: int = 1500  # any one file it writes (a page shows it; see tests/test_budgets.py)
    printed_kb: int = 256  # everything its cells print, shown on its page
    notebook_kb: int = 4000  # its executed notebook, a download
    example_kb: int = 8000  # all of it together

    @classmethod
    def from_config(cls, values: dict) -> Budgets:
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown budgets {unknown}; valid: {sorted(known)}")
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"budgets.{key} must be a positive number of KB, got {value!r}")
        return cls(**values)


def progress_every(timeout: float) -> float:
    """Seconds between "still running" lines for a long run."""
    return min(30.0, timeout / 4)
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
        """Read the manifest and per-cell results from the cache entry (checked on lookup)."""
        if not self.entry:
            return
        manifest_path = self.entry / "outputs" / "manifest.json"
        self.manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        self.manifest.setdefault("outputs", {})
        self.manifest.setdefault("values", {})
        self.run = json.loads((self.entry / "run.json").read_text())

    def over_budget(self, budgets: Budgets) -> list[str]:
        """What in this run is larger than its budget (sizes from the entry's file list)."""
        if not self.entry:
            return []
        files = json.loads((self.entry / ENTRY_FILES).read_text())["files"]
        over = []

        def check(what: str, size: int, limit_kb: int, setting: str) -> None:
            if size > limit_kb * KB:
                over.append(f"{what} is {size / KB:,.0f} KB, over the {limit_kb:,} KB limit "
                            f"(budgets: {setting} in mkdocs.yml)")

        for rel, info in sorted(files.items()):
            if rel.startswith("outputs/") and rel != "outputs/manifest.json":
                check(f"output {rel.removeprefix('outputs/')}", info["size"], budgets.output_kb,
                      "output_kb")
        printed = sum(len(c.get(k, "").encode()) for c in self.run.get("cells", [])
                      for k in ("stdout", "stderr"))
        check("printed output", printed, budgets.printed_kb, "printed_kb")
        notebook = files.get(f"{self.name}.ipynb", {}).get("size", 0)
        check(f"notebook {self.name}.ipynb", notebook, budgets.notebook_kb, "notebook_kb")
        check("the whole run", sum(i["size"] for i in files.values()), budgets.example_kb,
              "example_kb")
        return over


def discover(examples_dir: Path) -> list[Path]:
    """Example scripts: `examples/*.py`, except shared helpers whose names start with '_'."""
    return sorted(p for p in examples_dir.glob("*.py") if not p.name.startswith("_"))


def child_env(output_dir: Path | None, project_dir: Path) -> dict:
    """The environment every example runs in (the build's and the tests' standalone runs)."""
    env = dict(os.environ)
    env.pop("GDNOTES_OUTPUT_DIR", None)
    if output_dir is not None:
        env["GDNOTES_OUTPUT_DIR"] = str(output_dir)
    env.update(CHILD_ENV)  # part of the cache key
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(project_dir), env.get("PYTHONPATH")) if p)
    return env


# An example needs torch if it imports it or calls a gdnotes function that imports it on first
# use (optimizer_summary reads torch's defaults): it then runs on the zygote with torch loaded.
_TORCH_IMPORT = re.compile(
    r"^\s*(import|from)\s+torch\b|\b(summary_rows|mlp|train_manual|train_optim)\(", re.MULTILINE)


class Launcher:
    """Starts example runs: forked from pre-warmed zygotes when several examples must run (one
    with torch preloaded if at least two of them import torch), else as fresh interpreters.
    Keeps the process group of every run in flight, so `abort` can end them all."""

    def __init__(self, project_dir: Path, todo: list[ExampleRun], use_zygote: bool = True,
                 timeout: float = TIMEOUT_SECONDS):
        self.project_dir = project_dir
        self.timeout = timeout
        self.env = child_env(None, project_dir)
        self.torch = {r.name for r in todo if _TORCH_IMPORT.search(r.script.read_text())}
        self.zygotes: dict[str, Zygote] = {}
        self.active: set[int] = set()
        if use_zygote and len(todo) >= 2:
            try:
                self.zygotes["base"] = Zygote(BASE_PRELOAD, self.env, project_dir)
                if len(self.torch) >= 2:
                    preload = [*BASE_PRELOAD, "torch", "gdnotes.site.warmup_torch"]
                    self.zygotes["torch"] = Zygote(preload, self.env, project_dir)
            except OSError as exc:  # pragma: no cover - fall back to fresh processes
                log.info(f"gdnotes: no zygote ({exc}); starting examples as new processes")
                self.close()

    def __call__(self, run: ExampleRun, argv: list[str], outputs: Path, stdout: Path,
                 stderr: Path) -> int:
        extra = {"GDNOTES_OUTPUT_DIR": str(outputs)}
        kind = "torch" if run.name in self.torch else "base"
        zygote = self.zygotes.get(kind)
        pids: list[int] = []

        def started(pid: int) -> None:
            pids.append(pid)
            self.active.add(pid)

        def progress(seconds: float) -> None:
            last = _tail(stdout, 1)
            log.info(f"gdnotes: still running {run.name} after {seconds:.0f} s "
                     f"(timeout {self.timeout:g} s)" + (f"; last output: {last}" if last else ""))

        options = dict(progress=progress, every=progress_every(self.timeout), started=started)
        try:
            if zygote is not None:
                try:
                    return zygote.run(argv, extra, stdout, stderr, self.timeout, **options)
                except ZygoteDied as exc:
                    log.info(f"gdnotes: the process running examples died ({exc}); "
                             f"running {run.name} again as a new process")
                    self.zygotes.pop(kind, None)
                    for pid in pids:  # the orphaned run, before it notices on its own
                        kill_group(pid)
                    shutil.rmtree(outputs, ignore_errors=True)
                    outputs.mkdir()
            return run_fresh(argv, {**self.env, **extra}, self.project_dir, stdout, stderr,
                             self.timeout, **options)
        finally:
            self.active.difference_update(pids)

    def abort(self) -> None:
        """Kill every run in flight, with whatever it started (Ctrl-C, or the build failing)."""
        for pid in list(self.active):
            kill_group(pid)

    def close(self) -> None:
        for zygote in self.zygotes.values():
            zygote.close()
        self.zygotes = {}


def _tail(path: Path, lines: int) -> str:
    """The last lines a run printed so far."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - 4000))
            text = fh.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.strip().splitlines()[-lines:])


_HUNG_AT = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _timeout_message(run: ExampleRun, seconds: float, stdout: Path, stderr: Path,
                     project_dir: Path) -> str:
    """Where a killed run was (from the traceback it dumped) and what it printed last."""
    dump = stderr.read_text(errors="replace") if stderr.exists() else ""
    script = str(run.script.resolve())
    lines = [m["line"] for m in _HUNG_AT.finditer(dump) if Path(m["file"]).resolve() == Path(script)]
    where = f", line {lines[0]}" if lines else ""
    message = (f"example {_rel(run.script, project_dir)}{where} timed out after {seconds:g} s and "
               f"was stopped (raise the limit with `timeout:` under the gdnotes plugin in "
               f"mkdocs.yml or GDNOTES_TIMEOUT)")
    last = _tail(stdout, 10)
    return message + (f"\nlast output:\n{last}" if last else "")


def _execute(run: ExampleRun, cache: Cache, project_dir: Path, launch: Launcher) -> ExampleRun:
    try:
        workdir = cache.new_workdir(run.name)
    except OSError as exc:
        raise CacheError(cache.root, exc) from exc
    started = time.perf_counter()
    stdout, stderr = workdir / "stdout.txt", workdir / "stderr.txt"
    try:
        outputs = workdir / "outputs"
        outputs.mkdir()
        cells_json = workdir / "cells.json"
        cells_json.write_text(json.dumps([c.__dict__ for c in run.cells]))
        result_json = workdir / "run.json"
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
    except ExampleTimeout as exc:
        run.seconds = time.perf_counter() - started
        run.status = "failed"
        run.error = _timeout_message(run, exc.seconds, stdout, stderr, project_dir)
        cache.discard(workdir)
    except OSError as exc:  # the cache's disk: full, read-only, gone
        cache.discard(workdir)
        raise CacheError(cache.root, exc) from exc
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
        hint = ("\n(the disk is full: free space, or point cache_dir / GDNOTES_CACHE_DIR "
                "elsewhere)" if "[Errno 28]" in err["message"] else "")
        return f"example {where}{line} failed: {err['message']}{hint}\n{err['traceback']}"
    how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
    return f"example {where} failed ({how})\n{stderr.strip()}"


def prepare(examples_dir: Path, project_dir: Path) -> list[ExampleRun]:
    shared = shared_digest(project_dir, examples_dir, CHILD_ENV)
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
    timeout: float = TIMEOUT_SECONDS,
    budgets: Budgets = Budgets(),
) -> list[ExampleRun]:
    """Bring every example's cache entry up to date; returns one ExampleRun per script.
    Raises `CacheError` when the cache cannot be written."""
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
    # longest first (by the last run's time; never-run examples first, longest script first,
    # as a cold build has no times): a shorter critical path
    todo.sort(key=lambda r: -cache.last_seconds(r.name, default=1e9 + r.script.stat().st_size))
    if todo:
        cache.sweep()
        launch = Launcher(project_dir, todo, use_zygote=zygote, timeout=timeout)
        pool = ThreadPoolExecutor(max_workers=min(jobs, len(todo)))
        try:
            futures = [pool.submit(_execute, run, cache, project_dir, launch) for run in todo]
            pending = set(futures)
            while pending:
                # Wake up often: a Ctrl-C that the kernel hands to a worker thread is acted on
                # only when the main thread next runs Python, and a hung example never finishes.
                finished, pending = wait(pending, timeout=SIGNAL_POLL, return_when=FIRST_COMPLETED)
                for future in (f for f in futures if f in finished):
                    run = future.result()
                    done += 1
                    log.info(
                        f"gdnotes: [{done:>2}/{total}] {LABELS[run.status]:<9} {run.name} "
                        f"{run.seconds:.2f} s"
                    )
        except BaseException:  # Ctrl-C, or the cache failing: stop every run still going
            launch.abort()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            launch.close()
    for run in runs:
        run.load()
        over = run.over_budget(budgets)
        if over:
            run.status = "failed"
            run.error = (f"example {_rel(run.script, project_dir)} is over its size budget: "
                         + "; ".join(over))
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
