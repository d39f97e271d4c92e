"""The gdnotes wheel the site serves, so a reader can install the library without the repository.

Built by setuptools' standard PEP 517 backend (`setuptools.build_meta`, what `pip wheel` and
`python -m build` call too) in a scratch copy of the sources, so the build leaves no `build/` or
`.egg-info` in the project. The wheel is cached under a hash of what goes into it and is
byte-identical from build to build: zip timestamps come from a fixed SOURCE_DATE_EPOCH.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

log = logging.getLogger("mkdocs.plugins.gdnotes")

WHEEL_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip entry can carry
_INPUTS = ("pyproject.toml", "README.md")
KEEP = 3  # wheels of older sources kept in the cache


def _sources(project_dir: Path) -> list[Path]:
    package = sorted(
        p for p in (project_dir / "gdnotes").rglob("*.py") if "__pycache__" not in p.parts
    )
    return [project_dir / name for name in _INPUTS] + package


def wheel_source(project_dir: Path) -> Path | None:
    """The gdnotes source tree to build from: the project itself, else the tree the running
    gdnotes was imported from; None when neither is one (gdnotes installed from a wheel)."""
    for root in (project_dir, Path(__file__).resolve().parents[2]):
        if all((root / name).is_file() for name in (*_INPUTS, "gdnotes/__init__.py")):
            return root
    return None


def wheel_key(project_dir: Path) -> str:
    h = hashlib.sha256(b"gdnotes-wheel-1\0" + sys.version.encode())
    for path in _sources(project_dir):
        h.update(path.relative_to(project_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:24]


def build_wheel(project_dir: Path, cache_root: Path) -> Path:
    """The path of the wheel of ``project_dir``'s gdnotes (built now unless cached)."""
    final = cache_root / "wheel" / wheel_key(project_dir)
    wheels = sorted(final.glob("*.whl")) if final.is_dir() else []
    if wheels:
        return wheels[0]
    final.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=final.parent, prefix=".build-") as scratch:
        source, out = Path(scratch) / "src", Path(scratch) / "dist"
        for path in _sources(project_dir):
            target = source / path.relative_to(project_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        env = {**os.environ, "SOURCE_DATE_EPOCH": WHEEL_EPOCH, "PYTHONHASHSEED": "0"}
        proc = subprocess.run(
            [sys.executable, "-c",
             "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])",
             str(out)],
            cwd=source, env=env, capture_output=True, text=True, timeout=300,
        )
        built = sorted(out.glob("*.whl")) if proc.returncode == 0 else []
        if not built:
            raise RuntimeError(
                "building the gdnotes wheel failed (setuptools.build_meta.build_wheel):\n"
                + (proc.stdout + proc.stderr)[-3000:]
            )
        staged = Path(scratch) / "staged"
        staged.mkdir()
        shutil.move(built[0], staged / built[0].name)
        try:
            os.replace(staged, final)  # atomic: a half-built wheel is never found
        except OSError:  # another build put the same wheel there first
            pass
    wheel = sorted(final.glob("*.whl"))[0]
    log.info(f"gdnotes: built {wheel.name} ({wheel.stat().st_size // 1024} KB)")
    _prune(final.parent, keep=final.name)
    return wheel


def _prune(root: Path, keep: str) -> None:
    entries = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in entries if p.name != keep][KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)
