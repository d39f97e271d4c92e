"""The tangent_line animation stays within its budget and shows the run it claims to.

(That every example runs standalone and reproduces the build's outputs byte for byte is tested on
the files the site serves, in test_downloads.py.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO

from gdnotes.site.runner import child_env


def _run_standalone(script: Path, out_dir: Path) -> subprocess.CompletedProcess:
    env = child_env(out_dir, REPO)  # same threads/backend as the build, so bytes can match
    return subprocess.run(
        [sys.executable, str(script)], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=120,
    )


def test_tangent_line_gif_budget_and_still(tmp_path):
    proc = _run_standalone(REPO / "examples" / "tangent_line.py", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    record = manifest["outputs"]["descent"]
    gif, still = tmp_path / record["file"], tmp_path / record["still"]
    assert gif.stat().st_size <= 400 * 1024
    from PIL import Image

    with Image.open(gif) as im:
        assert im.n_frames == manifest["values"]["steps"]["raw"] + 1 <= 60
    with Image.open(still) as im:
        assert im.format == "PNG" and not im.text  # no metadata chunks (dates, software)
    # the run it animates: GD with eta on (x-5)^2 contracts the distance by 1 - 2 eta per step
    eta = manifest["values"]["eta"]["raw"]
    steps = manifest["values"]["steps"]["raw"]
    final = float(manifest["values"]["final_x"]["raw"])
    assert abs(final - (5 - 10 * (1 - 2 * eta) ** steps)) < 1e-9
    assert 10 * (1 - 2 * eta) ** steps < 0.05 <= 10 * (1 - 2 * eta) ** (steps - 1)
    assert manifest["values"]["keep_percent"]["text"] == f"{100 * (1 - 2 * eta):.0f}"
    assert manifest["values"]["seconds"]["raw"] == (steps + 1) / manifest["values"]["fps"]["raw"]
    # the prose's claim: eta = 0.5 lands on the minimum in one jump (x - 0.5 * 2 (x - 5) = 5)
    import gdnotes as gd

    jump = gd.run(gd.sgd(lr=0.5), gd.shifted_parabola(5.0), x0=[[-5.0], [7.0]], steps=1)
    assert jump.points[1, :, 0].tolist() == [5.0, 5.0]
