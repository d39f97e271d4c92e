"""Start example runs: forked from a pre-warmed zygote process when possible, else as fresh
processes. Both give the child the same environment, arguments and output files."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from gdnotes.site import executor, zygote

BASE_PRELOAD = ["numpy", "matplotlib", "matplotlib.pyplot", "PIL.Image", "gdnotes"]


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
            if "code" in message:
                slot["done"].set()
        # the zygote died: release everyone still waiting
        self._ready.set()
        for slot in list(self._waiting.values()):
            slot.setdefault("code", -1)
            slot["done"].set()

    def run(self, argv: list[str], env: dict, stdout: Path, stderr: Path, timeout: float) -> int:
        job_id = str(next(self._ids))
        slot = {"done": threading.Event()}
        self._waiting[job_id] = slot
        job = {"id": job_id, "argv": argv, "env": env, "stdout": str(stdout), "stderr": str(stderr)}
        with self._lock:
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            self.proc.stdin.flush()
        try:
            if not slot["done"].wait(timeout):
                if "pid" in slot:
                    os.kill(slot["pid"], signal.SIGKILL)
                    slot["done"].wait(10)
                raise subprocess.TimeoutExpired(argv, timeout)
            return slot["code"]
        finally:
            self._waiting.pop(job_id, None)

    def close(self) -> None:
        """Stop the zygote. Every job has been waited for, so nothing is lost by killing it, and
        it skips the interpreter's slow teardown of what it preloaded."""
        self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


def run_fresh(argv, env, cwd, stdout: Path, stderr: Path, timeout: float) -> int:
    """The plain path: a new interpreter for one run."""
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        proc = subprocess.run(
            [sys.executable, executor.__file__, *argv],
            cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, timeout=timeout,
        )
    return proc.returncode
