"""Issue 12, the library: every bad argument is refused up front with an error naming it and the
value (items 1-2), and stochastic runs report divergence like `gd.run` does (item 3)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import gdnotes as gd

FIRST_ORDER = [gd.sgd, gd.adagrad, gd.rmsprop, gd.adadelta, gd.adam, gd.adamw, gd.nadam]


# -- 1: every hyperparameter: a finite number of the right type and range ---------------------
@pytest.mark.parametrize("make", FIRST_ORDER + [gd.newton, gd.bfgs, gd.lbfgs],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("lr, error, shown", [
    (None, TypeError, "None"), ("0.1", TypeError, "'0.1'"), (True, TypeError, "True"),
    (math.inf, ValueError, "inf"), (np.array([0.1, np.inf]), ValueError, "inf"),
])
def test_learning_rate_of_the_wrong_type_or_infinite(make, lr, error, shown):
    with pytest.raises(error, match=rf"lr.*got {shown}"):
        make(lr=lr)


def test_none_no_longer_runs_to_a_false_divergence():
    with pytest.raises(TypeError, match="lr .*got None"):
        gd.run(gd.sgd(None), gd.quadratic([1.0, 2.0]), [1.0, 1.0], 10)


@pytest.mark.parametrize("make, name", [
    (gd.adam, "eps"), (gd.sgd, "weight_decay"), (gd.rmsprop, "eps"), (gd.adagrad, "lr_decay"),
    (gd.adamw, "weight_decay"), (gd.nadam, "momentum_decay"),
])
@pytest.mark.parametrize("value, error", [(math.inf, ValueError), (None, TypeError),
                                          ("1e-8", TypeError)])
def test_other_hyperparameters_are_finite_numbers(make, name, value, error):
    kwargs = {"lr": 0.1} if make is gd.sgd else {}
    with pytest.raises(error, match=rf"{name}.*got {value!r}"):
        make(**kwargs, **{name: value})


@pytest.mark.parametrize("schedule, step", [
    (lambda t: 0.1 - 0.01 * t, 10),  # reaches 0 at step 10: gradient ascent after
    (lambda t: 0.1 if t < 3 else math.nan, 3),
    (gd.warmup(lambda t: -0.1, 2), 0),
])
def test_a_schedule_that_leaves_lr_positive_fails_before_the_run(schedule, step):
    with pytest.raises(ValueError, match=rf"lr.*schedule must give a finite value > 0.*step {step}"):
        gd.run(gd.sgd(schedule), gd.quadratic([1.0, 2.0]), [1.0, 1.0], 20)


def test_a_good_schedule_still_runs():
    r = gd.run(gd.sgd(gd.cosine_decay(0.1, 20, min_lr=0.01)), gd.quadratic([1.0, 2.0]),
               [1.0, 1.0], 20)
    assert r.status == "max_steps"


# -- 2: clear errors instead of numpy/torch internals -----------------------------------------
def test_objective_constructors():
    with pytest.raises(ValueError, match=r"eigenvalues must be a non-empty 1-D list, got shape \(0,\)"):
        gd.quadratic([])
    with pytest.raises(TypeError, match="kappa must be a number.*got 'x'"):
        gd.ill_conditioned("x")


def test_run_needs_an_optimizer_and_an_objective():
    with pytest.raises(TypeError, match="objective must be an objective such as gd.rosenbrock.*"
                                        "got 'quadratic'"):
        gd.run(gd.sgd(0.1), "quadratic", [1.0, 1.0], 10)
    with pytest.raises(TypeError, match="optimizer must be an optimizer such as gd.sgd"):
        gd.run("sgd", gd.rosenbrock(), [1.0, 1.0], 10)


def test_lr_sweep_checks_x0():
    with pytest.raises(ValueError, match=r"x0 must have shape \(2,\) or \(3, 2\).*got shape \(4, 2\)"):
        gd.lr_sweep(gd.sgd, [0.1, 0.2, 0.3], gd.rosenbrock(), np.zeros((4, 2)), 10,
                    goal=lambda p: np.zeros(p.shape[:-1], bool))


def test_update_with_a_gradient_of_the_wrong_shape():
    opt = gd.adam(0.1)
    state = opt.init(np.zeros(2))
    with pytest.raises(ValueError, match=r"grad must have the shape of params \(2,\), got \(3,\)"):
        opt.update(state, np.zeros(2), np.zeros(3))


def test_train_manual_needs_tensors_of_the_models_dtype():
    x, y = gd.two_moons(20)
    model = gd.mlp()
    with pytest.raises(TypeError, match="inputs must be a torch tensor.*got ndarray"):
        gd.train_manual(model, x, y, lr=0.1, steps=1)
    with pytest.raises(TypeError, match="inputs must be a torch tensor.*got a torch.float32 tensor"):
        gd.train_manual(model, torch.as_tensor(x, dtype=torch.float32),
                        torch.as_tensor(y, dtype=torch.float64), lr=0.1, steps=1)
    xs, ys = torch.as_tensor(x), torch.as_tensor(y, dtype=torch.float64)
    with pytest.raises(TypeError, match="learning rate must be a number.*got None"):
        gd.train_optim(model, xs, ys, lr=None, steps=1)
    assert len(gd.train_manual(model, xs, ys, lr=0.1, steps=2)) == 2


def test_outputs_refuse_what_they_cannot_record(tmp_path):
    out = gd.Outputs("demo", directory=tmp_path)
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure.*got 'plot'"):
        out.figure("plot", "curve", alt="A curve that is long enough to describe")
    with pytest.raises(TypeError, match="value 'v' must be a number or a short string, got None"):
        out.value("v", None)
    assert out.value("v", "fine") == "fine"


# -- 3: stochastic runs have gd.run's divergence contract ------------------------------------
def _line_data():
    return gd.regression_data(40, seed=0)


def test_a_diverging_stochastic_run_has_a_status_and_no_warnings():
    x, y = _line_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = gd.minibatch_sgd(gd.sgd(10.0), x, y, [0.0, 0.0], 10, 40)
    assert r.status == "diverged" and r.diverged and r.diverged_at == r.stop_step + 1
    assert np.all(np.isfinite(r.losses[: r.stop_step + 1]))
    assert np.all(np.isnan(r.losses[r.stop_step + 1 :]))


def test_a_batch_of_stochastic_runs_reports_each():
    x, y = _line_data()
    r = gd.minibatch_sgd(gd.sgd(np.array([0.01, 10.0])), x, y, np.zeros((2, 2)), 10, 5)
    assert list(r.status) == ["max_steps", "diverged"]
    assert r.stop_step[0] == len(r.losses) - 1 and r.diverged_at[0] == -1


def test_stochastic_inputs_are_checked():
    x, y = _line_data()
    with pytest.raises(ValueError, match="x0 must be finite"):
        gd.minibatch_sgd(gd.sgd(0.1), x, y, [math.nan, 0.0], 10, 2)
    with pytest.raises(TypeError, match="optimizer must be an optimizer"):
        gd.minibatch_sgd("sgd", x, y, [0.0, 0.0], 10, 2)
