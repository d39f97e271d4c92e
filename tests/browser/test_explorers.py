"""The explorers: the browser's math is gdnotes' math, and each widget starts where its page does.

`docs/javascripts/explore/gdmath.js` re-implements the objectives and optimizers the explorers
run. Its trajectories are held to gd.run's: every optimizer x objective it offers, over a grid of
hyperparameters, to a relative error of 1e-12 per point (one page load, one evaluate call).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import gdnotes as gd

from .browsing import BROWSER

pytestmark = BROWSER

EXPLORER_PAGE = "learning-rate/"
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
        ("nadam", {}),
        ("nadam", {"lr": 0.02, "momentum_decay": 0.01, "weight_decay": 0.01}),
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
