"""A pre-warmed parent process that forks one child per example run (the runner's fast path).

Every example imports numpy, matplotlib and gdnotes (some also torch); importing them once here and
forking a child per example saves that start-up time on every run. The child runs the same cell
executor as a fresh process would, in a fresh copy of this process (seeds are reset by the
executor), with its file descriptors 1/2 redirected to files.

Protocol (JSON lines): the runner writes `{"id", "argv", "env", "stdout", "stderr"}` to stdin;
this process answers `{"id", "pid"}` when it forked and `{"id", "code"}` when the child exited.
Stdlib only at import; the preloaded modules are given on the command line.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import sys


def _preload(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the child will import it again and report properly
            pass


def _child(job: dict, executor) -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    for fd, path in ((1, job["stdout"]), (2, job["stderr"])):
        target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    os.environ.update(job["env"])
    code = 1
    try:
        code = executor.main(job["argv"])
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _send(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(modules: list[str]) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import executor  # the sibling module; stdlib only

    sys.path.remove(here)
    _preload(modules)
    _send({"ready": True})
    children: dict[int, str] = {}
    buffer, stdin_open = b"", True
    while stdin_open or children:
        if stdin_open:
            readable, _, _ = select.select([0], [], [], 0.02)
            if readable:
                chunk = os.read(0, 65536)
                stdin_open = bool(chunk)
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    job = json.loads(line)
                    sys.stdout.flush()
                    pid = os.fork()
                    if pid == 0:
                        _child(job, executor)
                    children[pid] = job["id"]
                    _send({"id": job["id"], "pid": pid})
        else:
            select.select([], [], [], 0.02)
        while children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            _send({"id": children.pop(pid), "code": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    main(sys.argv[1:])
