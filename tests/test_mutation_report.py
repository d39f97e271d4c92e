"""tests/mutation/mutate.py's score: what it counts from mutmut's results (no mutmut run here)."""

from __future__ import annotations

import importlib.util

import pytest
from sitetools import REPO


def _mutate():
    spec = importlib.util.spec_from_file_location("mutate", REPO / "tests/mutation/mutate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_score_leaves_out_accepted_and_unrun_mutants_and_counts_the_rest():
    """killed / (run - accepted): a mutant without a result (never run, or reset because its
    function changed) is not scored but reported; one no test reaches counts against the score;
    an accepted entry that is killed or gone is stale."""
    mutate = _mutate()
    results = {"m.a": 1, "m.b": 3, "m.c": -24, "m.d": 0, "m.e": 0, "m.f": 0, "m.g": None,
               "m.h": None, "m.i": 33, "m.j": 1}
    t = mutate.tally(results, ["m.e", "m.f", "m.j", "m.h", "m.gone"])
    assert (t["mutants"], t["killed"], t["survived"], t["accepted"], t["no test"],
            t["not run"]) == (10, 4, 3, 2, 1, 2)
    assert t["open"] == ["m.d"]
    assert t["stale"] == ["m.gone", "m.j"]
    assert t["score"] == pytest.approx(4 / (10 - 2 - 2))
    assert mutate.tally({}, [])["score"] == 1.0


def test_a_retest_covers_every_mutant_not_killed_or_accepted(monkeypatch):
    mutate = _mutate()
    results = {"m.a": 1, "m.d": 0, "m.e": 0, "m.g": None, "m.i": 33}
    monkeypatch.setattr(mutate, "results", lambda module: results)
    monkeypatch.setattr(mutate, "accepted_survivors", lambda: {"m.e": "why"})
    assert mutate.pending("m", "survivors") == ["m.d", "m.g", "m.i"]
    assert mutate.pending("m", "unrun") == ["m.g"]


def test_accepted_entries_are_one_a_line_with_a_reason(tmp_path):
    listed = tmp_path / "accepted.txt"
    listed.write_text("# a comment\n\nm.a  # zip strict: lengths checked before\nm.b#why\n")
    assert _mutate().accepted_survivors(listed) == {"m.a": "zip strict: lengths checked before",
                                                    "m.b": "why"}
