"""Quoted numbers survive a nudge: a number from a chaotic run is quoted as a range or in words.

Every value and table cell an example quotes must be the same text when every start of every
`gd.run` is multiplied by 1 ± 1e-12. The unnudged numbers are the ones the site build wrote (so
the check is of what readers see); each nudged run is this process running the example again
with figures skipped. Parametrised per example, so the runs spread over the test workers.
Every run checks EVERYDAY (quick examples, so the mechanism is tested on each change); the other
examples are marked ``slow`` (`make test-slow` and CI check them all).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import everyday_or_slow
from exampletools import Example, quoted

import gdnotes as gd

NUDGED_EXAMPLES = ["optimizer_race", "adaptive", "hyperparameters", "momentum", "nesterov",
                   "non_convex", "saddle_escape", "plateau", "second_order", "learning_rate",
                   "two_dimensions"]
NUDGED_EXAMPLES += ["convergence"]  # issue 16 item 1
NUDGES = (1 + 1e-12, 1 - 1e-12)
EVERYDAY = ("learning_rate", "non_convex", "plateau")  # about a second each, not 2-17 s


def run_nudged(name: str, directory: Path, factor: float, monkeypatch) -> dict[str, str]:
    """Run an example with every gd.run start multiplied by ``factor`` (figures not drawn)."""
    import gdnotes.racing
    import gdnotes.runs

    plain, calls = gdnotes.runs.run, []

    def nudged(optimizer, objective, x0, *args, **kwargs):
        calls.append(factor)
        return plain(optimizer, objective, np.asarray(x0, dtype=float) * factor, *args, **kwargs)

    with monkeypatch.context() as m:
        for module in (gd, gdnotes.runs, gdnotes.racing):
            m.setattr(module, "run", nudged)
        Example(name, directory)  # figures recorded, not drawn
    assert calls, f"{name} made no gd.run call the nudge could reach"
    return quoted(directory)


@pytest.mark.build
@pytest.mark.parametrize("name", everyday_or_slow(NUDGED_EXAMPLES, EVERYDAY))
def test_quoted_numbers_survive_a_nudged_start(name, built_outputs, tmp_path, monkeypatch):
    base = quoted(built_outputs(name))
    for factor in NUDGES:
        moved = run_nudged(name, tmp_path / f"nudged{factor}", factor, monkeypatch)
        changed = {k: (base[k], moved.get(k)) for k in base if base[k] != moved.get(k)}
        assert not changed, f"x0 × {factor!r} changes: {changed}"


def test_the_everyday_examples_are_nudged():
    assert set(EVERYDAY) <= set(NUDGED_EXAMPLES), set(EVERYDAY) - set(NUDGED_EXAMPLES)
