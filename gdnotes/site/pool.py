"""Start example runs: forked from a pre-warmed zygote process when possible, else as fresh
processes. Both give the child the same environment, arguments and output files.

Every run is the leader of its own process group, and the whole group is killed when the run ends,
times out or the build is interrupted, so nothing an example starts outlives it. A run that times
out is first asked for its Python traceback (`faulthandler` on SIGUSR1, set up by the executor), so
the error can name the line it hung on.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from gdnotes.site import executor, zygote

BASE_PRELOAD = ["numpy", "matplotlib", "matplotlib.pyplot", "PIL.Image", "gdnotes",
                "gdnotes.site.warmup"]  # last: it draws with all of the above
DUMP_SECONDS = 0.3  # how long a timed-out run gets to write its traceback before it is killed

Progress = Callable[[float], None]  # called with the seconds a run has taken so far


class ExampleTimeout(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:g} s")
        self.seconds = seconds


class ZygoteDied(RuntimeError):
    """The zygote exited while running a job: the job's result is unknown."""


def kill_group(pid: int, dump_traceback: bool = False) -> None:
    """Kill a run's whole process group (its pid is the group id); optionally let it print where
    it is first."""
    if dump_traceback:
        try:
            os.kill(pid, signal.SIGUSR1)
            time.sleep(DUMP_SECONDS)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _wait(finished: Callable[[float], bool], timeout: float, progress: Progress | None,
          every: float) -> bool:
    """Wait until `finished(slice)` is true (False on timeout), reporting progress every `every` s."""
    started = time.monotonic()
    report = every
    while True:
        elapsed = time.monotonic() - started
        if elapsed >= timeout:
            return False
        if finished(min(timeout - elapsed, max(report - elapsed, 0.01))):
            return True
        elapsed = time.monotonic() - started
        if progress is not None and elapsed >= report:
            progress(elapsed)
            report += every


class Zygote:
    """Client for one `zygote.py` process; `run(...)` is safe to call from several threads."""

    def __init__(self, preload: list[str], env: dict, cwd: Path):
        self.proc = subprocess.Popen(
            [sys.executable, zygote.__file__, *preload],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=cwd,
        )
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._waiting: dict[str, dict] = {}
        self._ready = threading.Event()
        self.dead = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            message = json.loads(line)
            if message.get("ready"):
                self._ready.set()
                continue
            slot = self._waiting.get(message["id"])
            if slot is None:
                continue
            slot.update(message)
            if "pid" in message and slot.get("started"):
                slot["started"](message["pid"])
            if "code" in message:
                slot["done"].set()
        # the zygote died: release everyone still waiting (their runs kill themselves, see
        # executor.watch_parent)
        self.dead = True
        self._ready.set()
        for slot in list(self._waiting.values()):
            slot["done"].set()

    def run(self, argv: list[str], env: dict, stdout: Path, stderr: Path, timeout: float,
            progress: Progress | None = None, every: float = 30.0,
            started: Callable[[int], None] | None = None) -> int:
        job_id = str(next(self._ids))
        slot = {"done": threading.Event(), "started": started}
        self._waiting[job_id] = slot
        job = {"id": job_id, "argv": argv, "env": env, "stdout": str(stdout), "stderr": str(stderr)}
        try:
            with self._lock:
                if self.dead:
                    raise ZygoteDied("the zygote had exited")
                try:
                    self.proc.stdin.write((json.dumps(job) + "\n").encode())
                    self.proc.stdin.flush()
                except (BrokenPipeError, OSError) as exc:
                    raise ZygoteDied(str(exc)) from exc
            if not _wait(slot["done"].wait, timeout, progress, every):
                if "pid" in slot:
                    kill_group(slot["pid"], dump_traceback=True)
                    slot["done"].wait(10)
                raise ExampleTimeout(timeout)
            if "code" not in slot:
                raise ZygoteDied(self._how_it_died())
            return slot["code"]
        finally:
            self._waiting.pop(job_id, None)

    def _how_it_died(self) -> str:
        try:
            code = self.proc.wait(2)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        return f"killed by signal {-code}" if code < 0 else f"exit status {code}"

    def close(self) -> None:
        """Stop the zygote: closing its stdin makes it kill any run still going and exit at once
        (skipping the interpreter's slow teardown of what it preloaded)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - it only polls its stdin
            self.proc.kill()
            self.proc.wait()
        try:
            self.proc.stdout.close()
        except OSError:
            pass


def _exited(pid: int) -> Callable[[float], bool]:
    """A `finished(slice)` for `_wait`: has the child exited? (not reaped, so its group id stays
    its own until the group is killed)"""

    def finished(seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)

    return finished


def run_fresh(argv, env, cwd, stdout: Path, stderr: Path, timeout: float,
              progress: Progress | None = None, every: float = 30.0,
              started: Callable[[int], None] | None = None) -> int:
    """The plain path: a new interpreter for one run, in a new session (its own process group)."""
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, executor.__file__, *argv],
            cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    if started is not None:
        started(proc.pid)
    try:
        ok = _wait(_exited(proc.pid), timeout, progress, every)
        kill_group(proc.pid, dump_traceback=not ok)
    except BaseException:
        kill_group(proc.pid)
        proc.wait()
        raise
    code = proc.wait()
    if not ok:
        raise ExampleTimeout(timeout)
    return code
