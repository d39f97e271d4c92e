"""Run one example's cells, in order, in this process: the child side of the example runner.

Invoked as a script (stdlib only, so a broken gdnotes still yields a clean traceback):

    python executor.py CELLS_JSON SCRIPT RESULT_JSON

Each code cell is compiled with its real line numbers under the script's own path, so a traceback
names the script's failing line. Stdout and stderr are captured per cell, and the outputs each cell
recorded in `$GDNOTES_OUTPUT_DIR/manifest.json` are attributed to it (and also written through to
the process's own stdout/stderr as they happen, so a run that hangs still shows its last lines).
Exit status 1 on failure, with the traceback and failing line written to RESULT_JSON;
`sys.exit(0)` (or `sys.exit()`) ends the script early without failing it.

The run watches its parent (the build, or the zygote that forked it): if the parent dies, the run
kills its own process group. SIGUSR1 makes it print its Python traceback (the runner asks before
killing a run that timed out, to name the line it hung on).
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import os
import random
import signal
import sys
import threading
import time
import traceback

_SELF = os.path.abspath(__file__)


def _manifest_keys(out_dir: str) -> list[str]:
    """Names recorded so far in the manifest ("output:<name>" and "value:<name>"), in the order
    the example made them."""
    try:
        with open(os.path.join(out_dir, "manifest.json"), encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError):
        return []
    order = manifest.get("order") if isinstance(manifest, dict) else None
    return [k for k in order if isinstance(k, str)] if isinstance(order, list) else []


class _WriteThrough(io.TextIOBase):
    """Captures a cell's output and passes it on at once to the real stream."""

    def __init__(self, capture: io.StringIO, stream):
        self.capture, self.stream = capture, stream

    def write(self, s: str) -> int:
        self.capture.write(s)
        if self.stream is not None:
            with contextlib.suppress(OSError, ValueError):
                self.stream.write(s)
                self.stream.flush()
        return len(s)

    def flush(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(OSError, ValueError):
                self.stream.flush()


def watch_parent(interval: float = 0.2) -> None:
    """Kill this run (its whole process group when it leads one) once its parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        if os.getpgid(0) == os.getpid():
            os.killpg(0, signal.SIGKILL)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _seed_everything() -> None:
    random.seed(0)
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        return
    np.random.seed(0)  # noqa: NPY002 - pins the legacy global RNG in case a script uses it


def _failing_line(tb, script: str) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if os.path.abspath(frame.f_code.co_filename) == script:
            line = lineno
    return line


def _format_traceback(exc: BaseException) -> str:
    """The traceback without this executor's own frames."""
    tb = exc.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) == _SELF:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def run_cells(cells: list[dict], script: str) -> dict:
    out_dir = os.environ.get("GDNOTES_OUTPUT_DIR", "")
    sys.argv = [script]
    sys.path.insert(0, os.path.dirname(script))
    namespace = {"__name__": "__main__", "__file__": script, "__builtins__": __builtins__}
    _seed_everything()
    results, seen = [], set(_manifest_keys(out_dir))
    for index, cell in enumerate(cells):
        if cell["kind"] != "code":
            results.append({"index": index})
            continue
        stdout, stderr = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        error = None
        exited = False
        try:
            code = compile("\n" * (cell["first_line"] - 1) + cell["source"], script, "exec")
            with (contextlib.redirect_stdout(_WriteThrough(stdout, sys.__stdout__)),
                  contextlib.redirect_stderr(_WriteThrough(stderr, sys.__stderr__))):
                exec(code, namespace)
        except SystemExit as exc:
            exited = exc.code in (None, 0)  # the script ended itself early, successfully
            if not exited:
                error = {
                    "traceback": _format_traceback(exc),
                    "line": _failing_line(exc.__traceback__, script),
                    "message": f"SystemExit: sys.exit({exc.code!r})",
                }
        except BaseException as exc:  # noqa: BLE001 - report anything the example raises
            error = {
                "traceback": _format_traceback(exc),
                "line": _failing_line(exc.__traceback__, script)
                or (exc.lineno if isinstance(exc, SyntaxError) else None),
                "message": f"{type(exc).__name__}: {exc}",
            }
        now = _manifest_keys(out_dir)
        results.append(
            {
                "index": index,
                "stdout": stdout.getvalue(),
                "stderr": stderr.getvalue(),
                "seconds": round(time.perf_counter() - started, 3),
                "new": [k for k in now if k not in seen],
            }
        )
        seen = set(now)
        if error:
            return {"ok": False, "cells": results, "error": error}
        if exited:
            break
    return {"ok": True, "cells": results}


def main(argv: list[str]) -> int:
    cells_json, script, result_json = argv
    watch_parent()
    with contextlib.suppress(AttributeError, ValueError, OSError):
        faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=False)
    with open(cells_json, encoding="utf-8") as fh:
        cells = json.load(fh)
    cpu_started = time.process_time()
    result = run_cells(cells, os.path.abspath(script))
    result["cpu_seconds"] = round(time.process_time() - cpu_started, 2)  # for the build report
    outputs = sys.modules.get("gdnotes.outputs")  # imported by the example, if it made outputs
    rendered = getattr(outputs, "RENDER_SECONDS", {})
    result["render_seconds"] = {k: round(v, 3) for k, v in sorted(rendered.items())}
    with open(result_json, "w", encoding="utf-8") as fh:
        json.dump(result, fh, indent=1, sort_keys=True)
    if not result["ok"]:
        sys.stderr.write(result["error"]["traceback"])
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
