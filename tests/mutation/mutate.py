"""Mutation testing of the core library, one module at a time, with a score per module.

    python tests/mutation/mutate.py                  # every core module (slow: tens of minutes)
    python tests/mutation/mutate.py runs schedules   # only these
    python tests/mutation/mutate.py --report         # score the last results again, run nothing
    python tests/mutation/mutate.py --only survivors runs   # retest runs.py's open survivors

mutmut (configured in pyproject.toml) copies ``gdnotes/`` into ``mutants/``, makes one small
change at a time (``+`` to ``-``, ``<`` to ``<=``, a constant off by one, a string altered, an
argument dropped ...) and reruns the fast unit tests that call the changed function. A mutant a
test notices is *killed*; one no test notices *survives*. Some survivors change nothing a caller
can observe (equivalent mutants); those are listed, with why, in ``accepted_survivors.txt``
next to this file, and the score leaves them out::

    score = killed / (mutants run - accepted equivalent survivors)

Each run is niced and runs one module's mutants at a time, so it shares the machine politely.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACCEPTED = Path(__file__).with_name("accepted_survivors.txt")
MODULES = ("optimizers", "limited_memory", "runs", "schedules", "exact", "objectives",
           "stochastic")
GOAL = 0.90
# mutmut's exit codes per mutant: 1 and 3 are a failing test (killed), 0 is all tests passing
# (survived), the SIGXCPU family is a timeout (the mutant hung: killed too); 33/5 no test ran it.
KILLED = {1, 3, 36, -24, 24, 152, 255}
SURVIVED = {0}


def accepted_survivors(path: Path = ACCEPTED) -> dict[str, str]:
    """``{mutant name: why it is equivalent}`` from ``name  # why`` lines."""
    out = {}
    for line in path.read_text().splitlines():
        name, _, why = line.partition("#")
        if name.strip():
            out[name.strip()] = why.strip()
    return out


def results(module: str) -> dict[str, int | None]:
    meta = ROOT / "mutants" / "gdnotes" / f"{module}.py.meta"
    if not meta.exists():
        return {}
    return json.loads(meta.read_text())["exit_code_by_key"]


def pending(module: str, only: str) -> list[str]:
    """The mutants of ``module`` that ``--only unrun|survivors`` retests: those without a result
    (never run, or reset because mutmut saw their function change), plus, for ``survivors``,
    every other one not killed (survivors not accepted as equivalent, mutants no test reached)."""
    res, accepted = results(module), accepted_survivors()
    return sorted(n for n, c in res.items() if c is None or (
        only == "survivors" and c not in KILLED and n not in accepted))


def run_module(module: str, jobs: int, only: str | None = None) -> None:
    """``mutmut run`` on one module's mutants, niced; its chatty progress goes to a log.

    ``only="unrun"`` tests just the mutants without a result yet (finish an interrupted run),
    ``only="survivors"`` those and every other mutant not killed nor accepted as equivalent
    (after adding tests); otherwise all of them. mutmut regenerates the mutants at the start of every run
    and forgets the results of every function whose code changed, so a retest is followed by
    a second pass over any mutant left without a result."""
    log = ROOT / "mutants" / f"{module}.log"
    log.parent.mkdir(exist_ok=True)
    names = [f"gdnotes.{module}.*"]
    if only is not None:
        names = pending(module, only)
        if results(module) and not names:
            print(f"gdnotes/{module}.py: no {only} mutants", flush=True)
            return
        names = names or [f"gdnotes.{module}.*"]  # never run: all of them
    print(f"mutating gdnotes/{module}.py (log: {log.relative_to(ROOT)}) ...", flush=True)
    _mutmut(names, jobs, log)
    if only is not None and names != [f"gdnotes.{module}.*"]:
        left = pending(module, "unrun")
        if left:
            print(f"  {len(left)} mutants reset by the regeneration: testing them too", flush=True)
            _mutmut(left, jobs, log, append=True)


def _mutmut(names: list[str], jobs: int, log: Path, append: bool = False) -> None:
    cmd = ["nice", "-n", "10", str(Path(sys.executable).parent / "mutmut"), "run",
           "--max-children", str(jobs), *names]
    with log.open("a" if append else "w") as out:
        code = subprocess.call(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    if code != 0:
        sys.exit(f"mutmut failed (exit {code}); see {log}")


def diff(name: str, module: str) -> str:
    """mutmut's diff of one mutant against the original function."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        text = get_diff_for_mutant(name, path=Path("gdnotes") / f"{module}.py")
    finally:
        os.chdir(cwd)
    changed = [ln for ln in text.splitlines()[2:] if ln[:1] in "+-"]
    return "\n".join("        " + ln for ln in changed)


def tally(res: dict[str, int | None], accepted) -> dict:
    """One module's counts from mutmut's ``{mutant: exit code}`` and the accepted names.

    ``accepted`` counts only listed mutants that survive now; ``not run`` (no result yet, or
    reset because its function changed) is left out of the score, which covers the decided
    mutants only, and a module with any is not finished. A mutant no test reaches (``no
    test``) or that crashed oddly counts against the score, like a survivor."""
    status = {n: "killed" if c in KILLED else "survived" if c in SURVIVED
              else "not run" if c is None else "no test" for n, c in res.items()}
    counts = Counter(status.values())
    equivalent = sorted(n for n in accepted if status.get(n) == "survived")
    scored = len(res) - counts["not run"] - len(equivalent)
    return {
        "mutants": len(res), "killed": counts["killed"], "survived": counts["survived"],
        "accepted": len(equivalent), "no test": counts["no test"],
        "not run": counts["not run"],
        "open": sorted(n for n, s in status.items() if s == "survived" and n not in accepted),
        "stale": sorted(n for n in accepted if status.get(n) in (None, "killed")),  # None: gone
        "score": counts["killed"] / scored if scored else 1.0,
    }


def report(modules, show_diffs: bool = True) -> bool:
    """Print the score table (and the survivors nobody accepted); True if every module meets
    the goal with every mutant run."""
    accepted = accepted_survivors()
    rows, ok, stale = [], True, []
    print(f"\n{'module':16} {'mutants':>7} {'killed':>7} {'survived':>8} {'accepted':>8} "
          f"{'no test':>7} {'not run':>7} {'score':>7}")
    for module in modules:
        res = results(module)
        if not res:
            print(f"{module:16} (not run)")
            ok = False
            continue
        t = tally(res, [n for n in accepted if n.startswith(f"gdnotes.{module}.")])
        stale += t["stale"]
        met = t["score"] >= GOAL and not t["not run"]
        ok &= met
        score = f"{t['score']:7.1%}" if t["not run"] < t["mutants"] else f"{'-':>7}"
        print(f"{module:16} {t['mutants']:7d} {t['killed']:7d} {t['survived']:8d} "
              f"{t['accepted']:8d} {t['no test']:7d} {t['not run']:7d} {score}"
              + ("" if met else "  < goal" if t["score"] < GOAL else "  unfinished"))
        rows.append((module, t["open"]))
    for module, open_ in rows:
        if open_:
            print(f"\n{len(open_)} survivors of gdnotes/{module}.py not in {ACCEPTED.name}:")
            for name in open_:
                print(f"    {name}")
                if show_diffs:
                    print(diff(name, module))
    if stale:
        print(f"\nstale entries in {ACCEPTED.name} (killed now, or gone): {', '.join(stale)}")
    print(f"\nscore = killed / (run - accepted); goal: {GOAL:.0%} in every module, every mutant "
          f"run; inspect one with `mutmut show NAME`")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help=f"any of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--report", action="store_true", help="score the last results only")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested in parallel")
    parser.add_argument("--no-diffs", action="store_true", help="list survivors by name only")
    parser.add_argument("--only", choices=("unrun", "survivors"),
                        help="retest only the mutants without a result (an interrupted run) or "
                             "only the survivors (after adding tests)")
    args = parser.parse_args()
    modules = args.modules or list(MODULES)
    unknown = sorted(set(modules) - set(MODULES))
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; valid: {', '.join(MODULES)}")
    if not args.report:
        for module in modules:
            run_module(module, args.jobs, args.only)
    sys.exit(0 if report(modules, show_diffs=not args.no_diffs) else 1)


if __name__ == "__main__":
    main()
