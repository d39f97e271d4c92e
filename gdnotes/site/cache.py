"""Content-addressed cache of example runs, with atomic entries.

An entry is a directory `<cache>/entries/<example>/<key>/` holding the run's outputs. The key hashes
the script, every gdnotes source that can change what it draws, the other shared files in
`examples/` (names starting with "_"), the pinned and installed versions, the Python version and the
environment every example runs in (`CHILD_ENV`). An entry is built in `<cache>/tmp/`, its file list
(`entry.json`: every file's size and SHA-256) is written last and atomically, and then the directory
is renamed into place, so a failed or interrupted run never leaves anything a later build would trust.
A lookup checks the entry against its file list; a damaged entry (a file missing, emptied, cut
short or changed) is removed, with a warning naming it, and its example runs again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.gdnotes")

FORMAT_VERSION = "gdnotes-cache-6"
ENTRY_FILES = "entry.json"  # an entry's file list: written last, checked on every lookup
# The environment every example runs in (on top of the build's own): part of the cache key.
CHILD_ENV = {
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "SOURCE_DATE_EPOCH": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "OMP_NUM_THREADS": "1",  # examples run side by side: no oversubscription
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}
# Installed distributions whose version can change what an example computes or draws.
_KEY_DISTRIBUTIONS = ("numpy", "matplotlib", "pillow", "torch", "nbformat", "jupytext")
KEEP_PER_EXAMPLE = 3  # older entries of the same example are pruned
STALE_SECONDS = 3600.0  # a work directory this old belongs to a build that was interrupted

# Modules that only render pages: editing them must not re-run every example.
_PAGE_ONLY = {
    "site/plugin.py",
    "site/apiref.py",
    "site/macros.py",
    "site/mathml.py",
    "site/searchtext.py",
    "site/tables.py",
    "site/pages.py",
    "site/runner.py",
    "site/wheel.py",
}


class CacheError(Exception):
    """The example cache cannot be used (a file where the directory should be, no permission,
    a full disk); the plugin reports it naming the setting and the path."""

    def __init__(self, root: Path, cause: BaseException | str):
        super().__init__(f"{root}: {cause}")
        self.root = root
        self.cause = cause


def package_dir(project_dir: Path) -> Path:
    """The gdnotes sources examples import: the project's own, else the installed package."""
    local = project_dir / "gdnotes"
    if (local / "__init__.py").exists():
        return local
    return Path(__file__).resolve().parents[1]


def _installed_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def shared_digest(project_dir: Path, examples_dir: Path, env: dict | None = None) -> str:
    """Hash of everything every example depends on besides its own script."""
    h = hashlib.sha256(FORMAT_VERSION.encode())
    h.update(sys.version.encode())
    for key, value in sorted((CHILD_ENV if env is None else env).items()):
        h.update(b"\0env\0" + key.encode() + b"=" + value.encode())
    for name in _KEY_DISTRIBUTIONS:
        h.update(b"\0dist\0" + name.encode() + b"=" + _installed_version(name).encode())
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

    def check_usable(self) -> None:
        """Create the cache directory and write a file in it, or raise `CacheError`."""
        if self.root.exists() and not self.root.is_dir():
            raise CacheError(self.root, "it is a file, not a directory")
        try:
            (self.root / "tmp").mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.root / "tmp", prefix=".probe-"):
                pass
        except OSError as exc:
            raise CacheError(self.root, exc) from exc

    def entry(self, name: str, key: str) -> Path:
        return self.root / "entries" / name / key

    def lookup(self, name: str, key: str) -> Path | None:
        """The entry, if it exists and matches its file list; a damaged one is removed."""
        path = self.entry(name, key)
        if not path.is_dir():
            return None
        problem = entry_problem(path)
        if problem:
            log.warning(f"gdnotes: cache entry of example '{name}' is damaged ({problem}); "
                        f"removed it, the example runs again: {path}")
            shutil.rmtree(path, ignore_errors=True)
            return None
        return path

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
        """Atomically publish `workdir` as the entry (its file list written last); a concurrent
        identical entry wins."""
        write_entry_files(workdir)
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
        """The newest sound entry of this example under any key (stale outputs while serving)."""
        entries = [p for p in (self.root / "entries" / name).glob("*")
                   if p.is_dir() and not entry_problem(p)]
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


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def write_entry_files(directory: Path) -> None:
    """Record every file of an entry with its size and hash, atomically, as its last file."""
    files = {
        path.relative_to(directory).as_posix(): {"size": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != ENTRY_FILES
    }
    tmp = directory / f".{ENTRY_FILES}.tmp"
    tmp.write_text(json.dumps({"format": FORMAT_VERSION, "files": files}, indent=1, sort_keys=True))
    os.replace(tmp, directory / ENTRY_FILES)


def entry_problem(directory: Path) -> str:
    """What is wrong with a stored entry ("" when it matches its file list).

    Sizes are checked first (a stat each), then every file is hashed: the whole cache of the
    site hashes in a few tens of milliseconds, a small price for never serving a changed file."""
    try:
        recorded = json.loads((directory / ENTRY_FILES).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return f"no readable {ENTRY_FILES}"
    for rel, info in recorded.items():
        try:
            size = (directory / rel).stat().st_size
        except OSError:
            return f"{rel} is missing"
        if size != info.get("size"):
            return f"{rel} has {size} bytes, expected {info.get('size')}"
    for rel, info in recorded.items():
        if _sha256(directory / rel) != info.get("sha256"):
            return f"{rel} changed since it was written"
    return ""
