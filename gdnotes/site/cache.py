"""Content-addressed cache of example runs, with atomic entries.

An entry is a directory `<cache>/entries/<example>/<key>/` holding the run's outputs. The key hashes
the script, every gdnotes source that can change what it draws, the other shared files in
`examples/` (names starting with "_"), the pinned versions and the Python version. An entry is
built in `<cache>/tmp/` and renamed into place as its last step, so a failed or interrupted run
never leaves anything a later build would trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

FORMAT_VERSION = "gdnotes-cache-5"
KEEP_PER_EXAMPLE = 3  # older entries of the same example are pruned
STALE_SECONDS = 3600.0  # a work directory this old belongs to a build that was interrupted

# Modules that only render pages: editing them must not re-run every example.
_PAGE_ONLY = {
    "site/plugin.py",
    "site/apiref.py",
    "site/macros.py",
    "site/pages.py",
    "site/runner.py",
    "site/wheel.py",
}


def package_dir(project_dir: Path) -> Path:
    """The gdnotes sources examples import: the project's own, else the installed package."""
    local = project_dir / "gdnotes"
    if (local / "__init__.py").exists():
        return local
    return Path(__file__).resolve().parents[1]


def shared_digest(project_dir: Path, examples_dir: Path) -> str:
    """Hash of everything every example depends on besides its own script."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    h.update(sys.version.encode())
    package = package_dir(project_dir)
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel in _PAGE_ONLY or "__pycache__" in rel:
            continue
        h.update(b"\0src\0" + rel.encode() + b"\0" + path.read_bytes())
    for path in sorted(examples_dir.glob("_*.py")):
        h.update(b"\0shared\0" + path.name.encode() + b"\0" + path.read_bytes())
    constraints = project_dir / "constraints.txt"
    if constraints.exists():
        h.update(b"\0pins\0" + constraints.read_bytes())
    return h.hexdigest()


def example_key(script: Path, shared: str) -> str:
    h = hashlib.sha256(shared.encode())
    h.update(b"\0" + script.name.encode() + b"\0" + script.read_bytes())
    return h.hexdigest()[:24]


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def entry(self, name: str, key: str) -> Path:
        return self.root / "entries" / name / key

    def lookup(self, name: str, key: str) -> Path | None:
        path = self.entry(name, key)
        return path if path.is_dir() else None

    def new_workdir(self, name: str) -> Path:
        """A fresh private directory to build an entry in (same filesystem as the entries)."""
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=tmp))

    def sweep(self, older_than: float = STALE_SECONDS) -> None:
        """Remove work directories left behind by interrupted builds (never trusted anyway)."""
        now = time.time()
        for path in (self.root / "tmp").glob("*"):
            try:
                if now - path.stat().st_mtime > older_than:
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                continue

    def commit(self, name: str, key: str, workdir: Path) -> Path:
        """Atomically publish `workdir` as the entry; a concurrent identical entry wins."""
        final = self.entry(name, key)
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(workdir, final)
        except OSError:
            if not final.is_dir():
                raise
            shutil.rmtree(workdir, ignore_errors=True)
        self._prune(final.parent, keep=final.name)
        return final

    def latest(self, name: str) -> Path | None:
        """The newest entry of this example under any key (stale outputs while serving)."""
        entries = [p for p in (self.root / "entries" / name).glob("*") if p.is_dir()]
        return max(entries, key=lambda p: p.stat().st_mtime) if entries else None

    def last_seconds(self, name: str, default: float) -> float:
        """How long the newest stored run of this example took (any key), for scheduling."""
        runs = sorted(
            (self.root / "entries" / name).glob("*/run.json"),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for path in runs:
            try:
                return float(json.loads(path.read_text()).get("seconds", default))
            except (OSError, ValueError):
                continue
        return default

    def discard(self, workdir: Path) -> None:
        shutil.rmtree(workdir, ignore_errors=True)

    @staticmethod
    def _prune(example_dir: Path, keep: str) -> None:
        others = [p for p in example_dir.iterdir() if p.name != keep and p.is_dir()]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[KEEP_PER_EXAMPLE - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
