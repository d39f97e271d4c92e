"""A pre-warmed parent process that forks one child per example run (the runner's fast path).

Every example imports numpy, matplotlib and gdnotes (some also torch); importing them once here and
forking a child per example saves that start-up time on every run. The child runs the same cell
executor as a fresh process would, in a fresh copy of this process (seeds are reset by the
executor), with its file descriptors 1/2 redirected to files.

Protocol (JSON lines): the runner writes `{"id", "argv", "env", "stdout", "stderr"}` to stdin;
this process answers `{"id", "pid"}` when it forked and `{"id", "code"}` when the child exited.
Stdlib only at import; the preloaded modules are given on the command line.

Each child leads its own process group; when it exits, whatever it left running in that group is
killed before the child is reaped. Ctrl-C is the build's business (this process ignores SIGINT):
when its stdin closes (the build finished, was interrupted or died), it kills every run still
going and exits.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import sys


def _preload(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the child will import it again and report properly
            pass


def _child(job: dict, executor) -> None:
    os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.default_int_handler)
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


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _finished_child() -> int:
    """A child that has exited (0 if none), with its process group killed, not yet reaped."""
    info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    if info is None or info.si_pid == 0:
        return 0
    _kill_group(info.si_pid)
    return info.si_pid


def main(modules: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    import executor  # the sibling module; stdlib only

    sys.path.remove(here)
    _preload(modules)
    _send({"ready": True})
    children: dict[int, str] = {}
    buffer, stdin_open = b"", True
    try:
        while stdin_open:
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
                    try:
                        os.setpgid(pid, pid)  # also here: no race with the child's own call
                    except OSError:
                        pass
                    children[pid] = job["id"]
                    _send({"id": job["id"], "pid": pid})
            while children:
                pid = _finished_child()
                if pid == 0:
                    break
                _, status = os.waitpid(pid, 0)
                _send({"id": children.pop(pid), "code": os.waitstatus_to_exitcode(status)})
    except OSError:  # the build's end of a pipe is gone: same as stdin closing
        pass
    # stdin closed: the build is over or gone; leave nothing behind
    for pid in children:
        _kill_group(pid)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
