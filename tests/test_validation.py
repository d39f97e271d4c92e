"""Bad input fails loudly: a ValueError that names the parameter and the value it got."""

import math

import numpy as np
import pytest

import gdnotes as gd

FIRST_ORDER = [gd.sgd, gd.adagrad, gd.rmsprop, gd.adadelta, gd.adam, gd.adamw, gd.nadam]
ALL = FIRST_ORDER + [gd.newton, gd.bfgs, gd.lbfgs]


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
@pytest.mark.parametrize("lr", [0.0, -0.1, math.nan, np.array([0.1, -2.0])])
def test_bad_learning_rate(make, lr):
    shown = "-2.0" if isinstance(lr, np.ndarray) else repr(lr)
    with pytest.raises(ValueError, match=rf"^lr.*must be > 0, got {shown}"):
        make(lr=lr)


@pytest.mark.parametrize("make", ALL, ids=lambda f: f.__name__)
def test_a_missing_learning_rate_is_not_a_number(make):
    with pytest.raises(TypeError, match=r"^lr \(learning rate\) must be a number .*got None"):
        make(lr=None)


@pytest.mark.parametrize("make, name, value", [
    (gd.sgd, "momentum", 1.0), (gd.sgd, "momentum", -0.1), (gd.sgd, "momentum", math.nan),
    (gd.sgd, "weight_decay", -1.0), (gd.sgd, "dampening", 1.5),
    (gd.rmsprop, "alpha", 1.0), (gd.rmsprop, "momentum", 1.2), (gd.rmsprop, "eps", -1e-8),
    (gd.adadelta, "rho", 1.1), (gd.adagrad, "lr_decay", -0.5),
    (gd.adam, "weight_decay", -0.01), (gd.nadam, "momentum_decay", -1.0),
    (gd.adam, "eps", -1e-8), (gd.adamw, "eps", -1e-8), (gd.nadam, "eps", -1e-8),
    (gd.adagrad, "eps", -1e-10), (gd.adadelta, "eps", -1e-6), (gd.adagrad, "weight_decay", -1.0),
    (gd.adagrad, "initial_accumulator_value", -0.1), (gd.rmsprop, "weight_decay", -0.1),
    (gd.adadelta, "weight_decay", -0.1), (gd.adamw, "weight_decay", -0.01),
    (gd.nadam, "weight_decay", -0.1), (gd.sgd, "dampening", -0.1), (gd.adadelta, "rho", -0.1),
    (gd.lbfgs, "tolerance_grad", -1.0), (gd.lbfgs, "tolerance_change", -1.0),
    (gd.newton, "damping", -1.0), (gd.lbfgs, "history_size", 0),
])
def test_bad_hyperparameter(make, name, value):
    kwargs = {"lr": 0.1} if make is gd.sgd else {}
    with pytest.raises(ValueError, match=rf"^{name}.*got {value!r}"):
        make(**kwargs, **{name: value})


@pytest.mark.parametrize("make", [gd.adam, gd.adamw, gd.nadam], ids=lambda f: f.__name__)
@pytest.mark.parametrize("betas, which, bad", [((1.0, 0.999), 0, "1.0"), ((0.9, 1.0), 1, "1.0"),
                                                ((-0.1, 0.9), 0, "-0.1")])
def test_bad_betas(make, betas, which, bad):
    with pytest.raises(ValueError, match=rf"^betas\[{which}\].*got {bad}"):
        make(betas=betas)


def test_adadelta_allows_rho_one_as_torch_does():
    """torch.optim.Adadelta checks 0 <= rho <= 1; rho = 1 never forgets (and never moves)."""
    assert gd.adadelta(rho=1.0).hyperparams["rho"] == 1.0
    assert gd.adadelta(rho=0.0).hyperparams["rho"] == 0.0


def test_nesterov_needs_momentum_and_no_dampening():
    """torch.optim.SGD: "Nesterov momentum requires a momentum and zero dampening"."""
    with pytest.raises(ValueError, match="^nesterov.*momentum=0"):
        gd.sgd(0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"^nesterov needs .*dampening = 0.*dampening=0.1"):
        gd.sgd(0.1, momentum=0.9, dampening=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"momentum=array\(\[0\. , 0\.9\]\)"):
        gd.sgd(0.1, momentum=np.array([0.0, 0.9]), nesterov=True)  # every run needs momentum
    with pytest.raises(ValueError, match="dampening=array"):
        gd.sgd(0.1, momentum=0.9, dampening=np.array([0.0, 0.2]), nesterov=True)
    assert gd.sgd(0.1, momentum=0.9, dampening=0.1).name == "momentum"  # fine without nesterov
    assert gd.sgd(0.1, momentum=np.array([0.5, 0.9]), nesterov=True).name == "nesterov"


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="^unknown optimizer name 'adamm'.*'adam'"):
        gd.get_optimizer("adamm")
    with pytest.raises(ValueError, match="^unknown objective name 'rosenbrok'.*'rosenbrock'"):
        gd.get_objective("rosenbrok")
    with pytest.raises(ValueError, match="line_search_fn 'wolfe'"):
        gd.lbfgs(line_search_fn="wolfe")
    with pytest.raises(ValueError, match="^unknown line_search 'wolfe'; valid: 'armijo', None$"):
        gd.bfgs(line_search="wolfe")


@pytest.mark.parametrize("steps", [0, -3, 2.5, True])
def test_bad_step_count(steps):
    with pytest.raises(ValueError, match=rf"^steps must be a positive integer, got {steps!r}"):
        gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], steps)


def test_mismatched_shapes():
    with pytest.raises(ValueError, match=r"^x0 must have shape \(\.\.\., 2\).*got shape \(3,\)"):
        gd.run(gd.sgd(0.1), gd.rosenbrock(), [1.0, 2.0, 3.0], 10)
    with pytest.raises(ValueError, match=r"^x0 batch shape \(3,\).*\(4,\)"):
        gd.run(gd.sgd(np.full(4, 0.1)), gd.rosenbrock(), np.zeros((3, 2)), 10)
    with pytest.raises(ValueError, match=r"xs\[:, None\]"):
        gd.parabola_plus().value(np.linspace(0, 1, 5))
    with pytest.raises(ValueError, match="^x_data and y_data.*3 and 2"):
        gd.line_mse([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match=r"^b must have shape \(2,\)"):
        gd.quadratic([1.0, 2.0], b=[1.0])


def test_bad_run_and_objective_arguments():
    with pytest.raises(ValueError, match="^x0 must be finite"):
        gd.run(gd.sgd(0.1), gd.rosenbrock(), [np.nan, 0.0], 10)
    with pytest.raises(ValueError, match="^tol must be >= 0, got -1"):
        gd.run(gd.sgd(0.1), gd.rosenbrock(), [0.0, 0.0], 10, tol=-1)
    with pytest.raises(ValueError, match="^kappa must be .* >= 1, got 0.5"):
        gd.ill_conditioned(0.5)
    with pytest.raises(ValueError, match="^angle only applies to 2-D"):
        gd.quadratic([1.0, 2.0, 3.0], angle=0.1)


def test_bad_schedules_and_data():
    with pytest.raises(ValueError, match="^gamma must be > 0, got -0.5"):
        gd.exponential_decay(0.1, -0.5)
    with pytest.raises(ValueError, match="^step_size must be a positive integer, got 0"):
        gd.step_decay(0.1, 0)
    with pytest.raises(ValueError, match="^warmup_steps must be a positive integer, got -1"):
        gd.warmup(gd.constant(0.1), -1)
    with pytest.raises(ValueError, match="^batch_size must be <= n=10, got 11"):
        gd.batches(10, 11, seed=0, epoch=0)
    with pytest.raises(ValueError, match="^lr .*must be > 0, got 0"):
        gd.worked_regression(lr=0)
