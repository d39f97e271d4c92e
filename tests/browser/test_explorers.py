"""The explorers: the browser's math is gdnotes' math, and each widget starts where its page does.

`docs/javascripts/explore/gdmath.js` re-implements the objectives and optimizers the explorers
run. Its trajectories are held to gd.run's: every optimizer x objective it offers, over a grid of
hyperparameters, to a relative error of 1e-12 per point (one page load, one evaluate call).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import gdnotes as gd

from .browsing import BROWSER

pytestmark = BROWSER

EXPLORER_PAGE = "optimizer-race/"  # the page that loads every optimizer and objective
STEPS = 200
RTOL = 1e-12
# Relative error per point: ‖js - py‖ / max(‖py‖, FLOOR). The floor only matters for points
# within 1e-3 of the origin (a quadratic run near its minimiser): there a last-bit difference
# carried over from the O(1) steps before (V8's pow or numpy's fused multiply-add in `p @ A`
# round differently in the last bit; measured ≤ 1e-15 absolute) would read as a large relative
# error of a tiny number.
FLOOR = 1e-3

# (objective as the JavaScript takes it, x0, a learning-rate scale for plain gradient steps)
OBJECTIVES = [
    ("parabola_plus", [8.0], 0.3),
    ({"name": "parabola_plus", "c": -2.0}, [-3.0], 0.45),
    ({"name": "ill_conditioned", "kappa": 10.0, "angle": math.radians(30)}, [-4.0, 1.0], 1.5),
    ({"name": "ill_conditioned", "kappa": 25.0, "L": 2.0}, [1.0, 1.0], 0.5),
    ({"name": "quadratic", "eigenvalues": [0.5, 2.0], "angle": 1.0}, [1.5, -1.0], 0.6),
    ("rosenbrock", [-1.2, 1.0], 1e-3),
    ("beale", [1.0, 1.5], 1e-2),
    ("saddle", [1.0, 1e-3], 1e-2),
    ({"name": "line_mse", "x_data": [0.0, 0.5, 1.2, 1.9, 0.7], "y_data": [3.1, 3.9, 5.6, 6.4, 4.0]},
     [0.0, 0.0], 0.1),
]


def hyper_grid(scale: float) -> list[tuple[str, dict]]:
    """Every optimizer the module offers, each with its defaults and with every option set."""
    return [
        ("sgd", {"lr": scale}),
        ("sgd", {"lr": scale, "momentum": 0.9}),
        ("sgd", {"lr": scale, "momentum": 0.9, "nesterov": True}),
        ("sgd", {"lr": scale / 2, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}),
        ("sgd", {"lr": 4 * scale / (1 + 3 * (scale > 0.1))}),
        ("adagrad", {}),
        ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.05,
                     "initial_accumulator_value": 0.1}),
        ("rmsprop", {}),
        ("rmsprop", {"lr": 0.003, "alpha": 0.9, "momentum": 0.5, "centered": True,
                     "weight_decay": 0.01}),
        ("adadelta", {}),
        ("adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-4, "weight_decay": 0.01}),
        ("adam", {}),
        ("adam", {"lr": 0.05, "betas": [0.8, 0.99]}),
        ("adam", {"lr": 0.02, "amsgrad": True, "weight_decay": 0.01}),
        ("adamw", {"lr": 0.01}),
        ("adamw", {"lr": 0.03, "betas": [0.85, 0.95], "weight_decay": 0.1, "amsgrad": True}),
    ]


def cases() -> list[dict]:
    return [{"optimizer": name, "hyper": hyper, "objective": objective, "x0": x0, "steps": STEPS}
            for objective, x0, scale in OBJECTIVES for name, hyper in hyper_grid(scale)]


def python_points(case: dict) -> np.ndarray:
    """What gd.run gives for the same case (betas as the tuple gdnotes takes)."""
    spec = case["objective"]
    name, kwargs = (spec, {}) if isinstance(spec, str) else (spec["name"], {
        k: v for k, v in spec.items() if k != "name"})
    hyper = {k: tuple(v) if k == "betas" else v for k, v in case["hyper"].items()}
    run = gd.run(gd.get_optimizer(case["optimizer"], **hyper), gd.get_objective(name, **kwargs),
                 case["x0"], steps=case["steps"])
    return run.points


@pytest.fixture(scope="module")
def explorer_page(browser_context, base_url):
    page = browser_context.new_page()
    page.goto(base_url + EXPLORER_PAGE, wait_until="load")
    page.wait_for_function("() => window.gdnotesExplore && window.gdnotesExplore.run")
    yield page
    page.close()


def relative_errors(js: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Per point ‖js - py‖ / max(‖py‖, FLOOR); a point NaN on both sides (a diverged run) is 0,
    NaN on one side only is inf."""
    both_nan = np.isnan(js).all(-1) & np.isnan(py).all(-1)
    err = np.linalg.norm(js - py, axis=-1) / np.maximum(np.linalg.norm(py, axis=-1), FLOOR)
    return np.where(both_nan, 0.0, np.nan_to_num(err, nan=np.inf))


def test_javascript_runs_equal_gd_run(explorer_page):
    """Every optimizer x objective x hyperparameters the module offers, to 1e-12 per point."""
    all_cases = cases()
    results = explorer_page.evaluate(
        "cases => cases.map(c => window.gdnotesExplore.run(c))", all_cases)
    worst, problems, diverged = 0.0, [], 0
    for case, js in zip(all_cases, results, strict=True):
        py = python_points(case)
        js = np.asarray(js, dtype=float)
        assert js.shape == py.shape == (STEPS + 1, len(case["x0"])), (case, js.shape, py.shape)
        err = relative_errors(js, py)
        diverged += bool(np.isnan(py).any())
        worst = max(worst, float(err.max()))
        if err.max() > RTOL:
            problems.append(f"{case}: max relative error {err.max():.3g} at step {err.argmax()}")
    print(f"\nJS vs gd.run: {len(all_cases)} runs of {STEPS} steps ({diverged} diverged), "
          f"max relative error {worst:.3g} (floor {FLOOR:g})")
    assert not problems, "\n".join(problems)
    assert diverged > 0, "no case diverged: the NaN convention went unchecked"


# ----------------------------------------------------------------------------- widget and text agree
# Each explorer page, once: the article's prose and figures (without the explorer), the explorer's
# shown slider values and its readout. Numbers are compared at the precision they are shown with.
PAGE_STATE_JS = """() => {
  const article = document.querySelector('article').cloneNode(true);
  article.querySelectorAll('.gd-explorer').forEach(e => e.remove());
  const box = document.querySelector('.gd-explorer');
  const tables = [...document.querySelectorAll('article table')].map(t =>
    [...t.rows].map(r => [...r.cells].map(c => c.textContent.trim())));
  return {
    prose: article.textContent.replace(/\\s+/g, ' '),
    alts: [...document.querySelectorAll('article figure img')].map(i => i.alt),
    tables,
    visible: box.checkVisibility(),
    outputs: [...box.querySelectorAll('output')].map(o => o.textContent),
    labels: [...box.querySelectorAll('label')].map(l => l.textContent),
    readout: box.querySelector('.gd-x-readout').textContent,
  };
}"""
SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻−", "0123456789--")


def shown(text: str) -> float:
    """A number as the site shows it: '0.0922', '−1.2', '6.2 × 10⁻²⁰'."""
    text = text.strip().rstrip(".").translate(SUPERSCRIPTS)
    if "×" in text or text.startswith("10"):
        mantissa, _, power = text.replace("\u00a0", " ").partition("10")
        mantissa = mantissa.replace("×", "").strip() or "1"
        return float(mantissa) * 10.0 ** int(power)
    return float(text)


def agree(a: str, b: str) -> bool:
    """Two shown numbers agree to the precision of the coarser one (half a unit in its last digit)."""
    def half_unit(text):
        digits = text.strip().rstrip(".").translate(SUPERSCRIPTS).split("×")[0].strip()
        decimals = len(digits.partition(".")[2])
        scale = abs(shown(text)) / abs(float(digits)) if float(digits) else 1.0
        return 0.5 * 10.0**-decimals * scale
    return abs(shown(a) - shown(b)) <= max(half_unit(a), half_unit(b)) * (1 + 1e-9)


def find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text, re.S)
    assert match, f"{pattern!r} not found in {text[:300]!r}..."
    return match.groups()


@pytest.fixture(scope="module")
def explorer_states(browser_context, base_url) -> dict[str, dict]:
    states = {}
    for path in ("learning-rate/", "two-dimensions/", "momentum/", "optimizer-race/", "stochastic/"):
        page = browser_context.new_page()
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        page.goto(base_url + path, wait_until="load")
        page.wait_for_function("() => document.querySelector('.gd-explorer .gd-x-readout')")
        states[path] = {**page.evaluate(PAGE_STATE_JS), "errors": errors}
        if path in ("learning-rate/", "two-dimensions/"):
            states[path]["keyboard"] = keyboard_moves(page)
        page.close()
    return states


def keyboard_moves(page) -> dict:
    """Arrow keys on the first slider (η or κ) and on the start slider, as a reader without a mouse."""
    box = page.locator(".gd-explorer")
    before = box.locator(".gd-x-readout").text_content()
    box.locator("input[type=range]").first.focus()
    page.keyboard.press("ArrowRight")
    moved = box.locator(".gd-x-readout").text_content()
    start = box.get_by_label("start x₁")
    start_moved = None
    if start.count():
        start.focus()
        page.keyboard.press("ArrowLeft")
        start_moved = box.locator(".gd-x-readout").text_content() != moved
    outputs = box.locator("output").all_text_contents()
    box.locator("svg.gd-x-plot").first.click()  # the middle of the plot: the start moves there
    return {"before": before, "after": moved, "start_moved": start_moved, "outputs": outputs,
            "clicked": box.locator("output").all_text_contents()}


def test_explorers_load_visible_and_without_errors(explorer_states):
    for path, state in explorer_states.items():
        assert state["visible"] and not state["errors"], (path, state["errors"])


def test_learning_rate_explorer_starts_at_the_prose(explorer_states):
    s = explorer_states["learning-rate/"]
    (eta,) = find(r"With η\s*=\s*([\d.]+)", s["prose"])
    steps, x, f = find(r"After (\d+) steps, x\s*=\s*([-−\d.]+).*?f\(x\)\s*=\s*([\d.]+)", s["prose"])
    assert s["outputs"][0] == eta
    got = find(r"After (\d+) steps x = ([-−\d.]+), f\(x\) = ([\d.]+)", s["readout"])
    assert got[0] == steps and agree(got[1], x) and agree(got[2], f), (got, (steps, x, f))
    (q,) = find(r"q\s*=\s*([\d.]+)[^:]*: the table", s["prose"])
    assert agree(find(r"q = 1 − 2η = ([-−\d.]+)", s["readout"])[0], q)


def test_two_dimensions_explorer_starts_at_the_figure(explorer_states):
    s = explorer_states["two-dimensions/"]
    kappa, eta, rate = find(r"For κ\s*=\s*([\d.]+).*?η∗\s*=\s*([\d.]+).*?shrinks by ([\d.]+) per step",
                            s["prose"])
    x0 = next(find(r"paths from \(([-\d.]+), ([-\d.]+)\)", a) for a in s["alts"] if "paths from" in a)
    assert s["outputs"][0] == kappa and agree(s["outputs"][1], eta), (s["outputs"], kappa, eta)
    assert [shown(v) for v in s["outputs"][2:4]] == [float(v) for v in x0]
    assert agree(find(r"measured rate ([\d.]+)", s["readout"])[0], rate)


def test_momentum_explorer_starts_at_the_figure(explorer_states):
    s = explorer_states["momentum/"]
    kappa, eta, beta = find(r"In the figure \(κ\s*=\s*([\d.]+).*?heavy ball with η⋆\s*=\s*([\d.]+)"
                            r".*?β⋆\s*=\s*([\d.]+)", s["prose"])
    assert s["outputs"][:3] == [kappa, eta, beta], (s["outputs"], kappa, eta, beta)


def test_race_explorer_starts_at_the_race(explorer_states):
    s = explorer_states["optimizer-race/"]
    table = next(t for t in s["tables"] if "learning rate" in t[0])  # the Rosenbrock race comes first
    names, lrs = [r[0] for r in table[1:]], [r[1] for r in table[1:]]
    racers = [lab for lab in s["labels"] if lab and "learning rate" not in lab
              and not lab.startswith(("start", "landscape"))]
    assert racers == names, (racers, names)
    assert all(agree(a, b) for a, b in zip(s["outputs"][:8], lrs, strict=True)), (s["outputs"], lrs)
    x, y = find(r"Rosenbrock.*?from \(([-−\d.]+),\s*([-−\d.]+)\)", s["prose"])
    assert [shown(v) for v in s["outputs"][8:10]] == [shown(x), shown(y)]


def test_noise_ball_explorer_starts_at_the_table(explorer_states):
    s = explorer_states["stochastic/"]
    table = next(t for t in s["tables"] if "measured floor" in t[0][1] and t[0][0] == "η")
    eta, batch = s["outputs"][:2]
    row = next(r for r in table[1:] if r[0] == eta)
    assert batch == "1" and "(η/4)·tr Σ₁" in table[0][2]
    assert agree(find(r"tr Σ_B = ([\d.]+)", s["readout"])[0], row[2]), (s["readout"], row)


def test_explorers_answer_the_keyboard(explorer_states):
    for path in ("learning-rate/", "two-dimensions/"):
        moves = explorer_states[path]["keyboard"]
        assert moves["after"] != moves["before"], f"{path}: an arrow key on the first slider did nothing"
        assert moves["start_moved"] in (None, True), f"{path}: the start slider did not move the run"
    assert explorer_states["learning-rate/"]["keyboard"]["outputs"][0] == "0.11"
    assert explorer_states["two-dimensions/"]["keyboard"]["start_moved"]
    clicked = explorer_states["two-dimensions/"]["keyboard"]["clicked"][2:4]  # the box is symmetric
    assert all(abs(shown(v)) < 0.05 for v in clicked), clicked


# ----------------------------------------------------------------------------- without JavaScript
PAGE_MODULES = ("learning-rate.js", "valley.js", "race.js", "stochastic.js")  # one per page
EXPLORE_JS = Path(__file__).resolve().parents[2] / "docs" / "javascripts" / "explore"


def test_without_javascript_only_the_static_figure_shows(site):
    """Each explorer is an empty, `hidden` div after a figure: no dead controls without JavaScript,
    and its module loads on its page only."""
    pages = {p.parent.name: p.read_text(encoding="utf-8") for p in site.glob("*/index.html")}
    with_explorer = {name for name, html in pages.items() if 'class="gd-explorer"' in html}
    assert with_explorer == {"learning-rate", "two-dimensions", "momentum", "optimizer-race",
                             "stochastic"}
    for name in sorted(with_explorer):
        html = pages[name]
        for div in re.finditer(r'<div class="gd-explorer"[^>]*>(.*?)</div>', html, re.S):
            assert re.search(r"\shidden[\s>]", div.group(0)), f"{name}: explorer not hidden"
            assert div.group(1).strip() == "", f"{name}: the explorer has content without JS"
            assert "gd-figure" in html[: div.start()], f"{name}: no figure before the explorer"
        article = html[html.index("<article"): html.index("</article>")]
        assert not re.search(r'type="range"|<select\b|gd-x-', article), f"{name}: a control without JS"
    for name, html in pages.items():
        if name not in with_explorer:
            assert "javascripts/explore/" not in html, f"{name} loads explorer code"


IMPORT = re.compile(r'(?:from|import) "\./([\w-]+\.js)"')


def loaded_modules(name: str) -> set[str]:
    """`name` and every module it imports, transitively (what its page loads)."""
    found, todo = set(), [name]
    while todo:
        module = todo.pop()
        if module not in found:
            found.add(module)
            todo += IMPORT.findall((EXPLORE_JS / module).read_text(encoding="utf-8"))
    return found


def test_explorer_code_is_small_and_never_animates_by_itself():
    """At most 25 KB per page (its module and what that imports), and nothing moves without the
    reader (no timers or animation loops: reduced motion needs nothing else)."""
    for page_module in PAGE_MODULES:
        modules = loaded_modules(page_module)
        size = sum((EXPLORE_JS / m).stat().st_size for m in modules)
        assert size <= 25_000, (page_module, sorted(modules), size)
    for path in EXPLORE_JS.glob("*.js"):
        source = path.read_text(encoding="utf-8")
        for timer in ("requestAnimationFrame", "setInterval", "setTimeout", "fetch(", "http"):
            assert timer not in source.replace(SVG_NAMESPACE, ""), f"{path.name} uses {timer}"


SVG_NAMESPACE = "http://www.w3.org/2000/svg"
