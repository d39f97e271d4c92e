"""Every optimizer that torch.optim also has follows torch's trajectory in float64.

One vectorised gdnotes run over a grid of hyperparameters is compared, run by run, with
torch.optim stepping the same objective (its gradient from autograd), to 1e-12 relative.
"""

import functools
import itertools

import numpy as np
import pytest
import torch
import torchref

import gdnotes as gd

STEPS = 60
RTOL = 1e-12


@pytest.fixture(autouse=True)
def float64_default():
    # NAdam keeps mu_product in the default dtype; float32 there would be torch's rounding.
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def random_quadratic(seed):
    """A rotated 2-D bowl with condition number in [10, 1000] and a random offset b."""
    rng = np.random.default_rng(seed)
    kappa = 10 ** rng.uniform(1, 3)
    obj = gd.quadratic([1.0 / kappa, 1.0], angle=rng.uniform(0, np.pi), b=rng.normal(size=2))
    return obj, torchref.quadratic(obj.A, obj.b), rng.normal(size=2) * 3


def rosenbrock(seed):
    rng = np.random.default_rng(seed)
    return gd.rosenbrock(), torchref.rosenbrock, np.array([-1.2, 1.0]) + rng.normal(size=2) * 0.1


def grid(**axes):
    """All combinations of the given hyperparameter values, as a list of dicts."""
    keys = list(axes)
    return [dict(zip(keys, vals, strict=True)) for vals in itertools.product(*axes.values())]


# (gdnotes constructor, torch class, fixed kwargs, grid on quadratics, grid on Rosenbrock)
CASES = {
    "sgd": (
        gd.sgd,
        torch.optim.SGD,
        {},
        grid(
            lr=[0.05, 0.5, 1.5],
            momentum=[0.0, 0.5, 0.9],
            dampening=[0.0, 0.3],
            weight_decay=[0.0, 0.1],
        ),
        grid(lr=[1e-4, 3e-4], momentum=[0.0, 0.8], dampening=[0.0, 0.3], weight_decay=[0.0, 0.1]),
    ),
    "nesterov": (
        gd.sgd,
        torch.optim.SGD,
        {"nesterov": True},
        grid(lr=[0.05, 0.5, 1.0], momentum=[0.5, 0.9], weight_decay=[0.0, 0.1]),
        grid(lr=[1e-4, 1e-3], momentum=[0.5, 0.9]),
    ),
    "adagrad": (
        gd.adagrad,
        torch.optim.Adagrad,
        {},
        grid(
            lr=[0.1, 1.0],
            lr_decay=[0.0, 0.05],
            weight_decay=[0.0, 0.1],
            initial_accumulator_value=[0.0, 0.5],
            eps=[1e-10, 1e-3],
        ),
        grid(lr=[0.01, 0.2], lr_decay=[0.0, 0.05], initial_accumulator_value=[0.0, 0.5]),
    ),
    "rmsprop": (
        gd.rmsprop,
        torch.optim.RMSprop,
        {},
        grid(
            lr=[0.003, 0.03],
            alpha=[0.9, 0.99],
            eps=[1e-8, 1e-3],
            weight_decay=[0.0, 0.1],
            momentum=[0.0, 0.8],
        ),
        grid(lr=[1e-3, 1e-2], alpha=[0.9, 0.99], momentum=[0.0, 0.8]),
    ),
    "rmsprop_centered": (
        gd.rmsprop,
        torch.optim.RMSprop,
        {"centered": True},
        grid(lr=[0.003, 0.03], alpha=[0.9, 0.99], momentum=[0.0, 0.8]),
        grid(lr=[1e-3, 1e-2], alpha=[0.9, 0.99], momentum=[0.0, 0.8]),
    ),
    "adadelta": (
        gd.adadelta,
        torch.optim.Adadelta,
        {},
        grid(lr=[0.5, 1.0, 5.0], rho=[0.5, 0.9, 0.99], eps=[1e-6, 1e-3], weight_decay=[0.0, 0.1]),
        grid(lr=[1.0, 10.0], rho=[0.9, 0.99]),
    ),
    "adam": (
        gd.adam,
        torch.optim.Adam,
        {},
        grid(
            lr=[0.01, 0.1],
            beta1=[0.0, 0.9],
            beta2=[0.9, 0.999],
            eps=[1e-8, 1e-2],
            weight_decay=[0.0, 0.1],
        ),
        grid(lr=[1e-3, 1e-2, 0.05], beta1=[0.5, 0.9], beta2=[0.99, 0.999]),
    ),
    "amsgrad": (
        gd.adam,
        torch.optim.Adam,
        {"amsgrad": True},
        grid(lr=[0.01, 0.1], beta1=[0.0, 0.9], beta2=[0.9, 0.999], weight_decay=[0.0, 0.1]),
        grid(lr=[1e-3, 1e-2, 0.05], beta1=[0.5, 0.9], beta2=[0.99, 0.999]),
    ),
    "adamw": (
        gd.adamw,
        torch.optim.AdamW,
        {},
        grid(lr=[0.01, 0.1], beta1=[0.0, 0.9], beta2=[0.9, 0.999], weight_decay=[0.0, 0.01, 0.5]),
        grid(lr=[1e-3, 1e-2], beta1=[0.5, 0.9], weight_decay=[0.01, 0.5]),
    ),
    "adamw_amsgrad": (
        gd.adamw,
        torch.optim.AdamW,
        {"amsgrad": True},
        grid(lr=[0.01, 0.1], beta1=[0.0, 0.9], weight_decay=[0.01, 0.5]),
        grid(lr=[1e-3, 1e-2], weight_decay=[0.01, 0.5]),
    ),
    "nadam": (
        gd.nadam,
        torch.optim.NAdam,
        {},
        grid(
            lr=[0.01, 0.1],
            beta1=[0.0, 0.9],
            beta2=[0.9, 0.999],
            weight_decay=[0.0, 0.1],
            momentum_decay=[4e-3, 0.1],
        ),
        grid(lr=[1e-3, 5e-3], beta1=[0.5, 0.9], momentum_decay=[4e-3, 0.1]),
    ),
}


def torch_kwargs(hp):
    """gdnotes' grid axes beta1/beta2 become torch's ``betas`` pair."""
    hp = dict(hp)
    if "beta1" in hp:
        hp["betas"] = (hp.pop("beta1"), hp.pop("beta2", 0.999))
    return hp


def gd_kwargs(points):
    """A list of per-run hyperparameter dicts -> one dict of (B,) arrays for one gdnotes call."""
    arrays = {k: np.array([p[k] for p in points], dtype=float) for k in points[0]}
    if "beta1" in arrays:
        arrays["betas"] = (arrays.pop("beta1"), arrays.pop("beta2", 0.999))
    return arrays


@pytest.mark.parametrize("problem", ["quadratic", "rosenbrock"])
@pytest.mark.parametrize("case", list(CASES))
def test_trajectory_matches_torch(case, problem):
    make, torch_cls, fixed, quad_grid, rosen_grid = CASES[case]
    points = quad_grid if problem == "quadratic" else rosen_grid
    # each run gets its own random problem instance only via x0; the objective is shared
    obj, fn, x0 = random_quadratic(sum(map(ord, case))) if problem == "quadratic" else rosenbrock(1)
    rng = np.random.default_rng(7)
    starts = x0 + rng.normal(size=(len(points), 2)) * 0.5
    opt = make(**gd_kwargs(points), **fixed)
    ours = gd.run(opt, obj, starts, STEPS)
    # A comparison at 1e-12 only means something if a 1-ulp change of x0 moves the trajectory
    # by much less than that (some Rosenbrock runs are that chaotic); keep the grid honest.
    nudged = gd.run(opt, obj, starts * (1 + 2.0**-52), STEPS)
    for i, hp in enumerate(points):
        sensitivity = torchref.relative_error(nudged.points[:, i], ours.points[:, i])
        assert sensitivity < RTOL / 10, f"{case} {hp} is too chaotic to compare; change the grid"
    bad = [points[i] for i in np.flatnonzero(ours.diverged)]
    assert not bad, f"{case}: runs diverged, pick a stabler grid: {bad}"
    for i, (hp, ref) in enumerate(zip(points, torch_trajectories(case, problem), strict=True)):
        np.testing.assert_array_equal(ref[0], starts[i])  # the same start on both sides
        err = torchref.relative_error(ours.points[:, i], ref)
        assert err <= RTOL, f"{case} {hp}: relative error {err:.2e} vs torch.optim"


@functools.cache
def torch_trajectories(case, problem):
    """torch.optim's trajectory for each grid point of a case. They do not depend on the code
    under test, so they are computed once per process: mutation testing forks each mutant from
    a process that already has them, instead of rerunning hundreds of torch runs per mutant."""
    _, torch_cls, fixed, quad_grid, rosen_grid = CASES[case]
    points = quad_grid if problem == "quadratic" else rosen_grid
    _, fn, x0 = random_quadratic(sum(map(ord, case))) if problem == "quadratic" else rosenbrock(1)
    starts = x0 + np.random.default_rng(7).normal(size=(len(points), 2)) * 0.5
    return tuple(torchref.trajectory(torch_cls, {**torch_kwargs(hp), **fixed}, fn, starts[i], STEPS)
                 for i, hp in enumerate(points))


# ----------------------------------------------------------------------------- L-BFGS
LBFGS_CASES = [
    # (objective, torch fn, x0, line search, lr, history): one gdnotes step = one torch iteration
    ("rosenbrock", None, [-1.2, 1.0], "strong_wolfe", 1.0, 10),
    ("rosenbrock", None, [0.5, -0.8], "strong_wolfe", 1.0, 3),
    ("rosenbrock", None, [-1.2, 1.0], None, 0.05, 10),
    ("quadratic", 11, [3.0, -2.0], None, 1.0, 10),
    ("quadratic", 12, [3.0, -2.0], "strong_wolfe", 1.0, 2),
]


@pytest.mark.parametrize("name, seed, x0, line_search, lr, history", LBFGS_CASES)
def test_lbfgs_iterates_match_torch(name, seed, x0, line_search, lr, history):
    obj, fn, _ = rosenbrock(0) if name == "rosenbrock" else random_quadratic(seed)
    steps = 40
    ours = gd.run(
        gd.lbfgs(lr=lr, history_size=history, line_search_fn=line_search), obj, np.array(x0), steps
    )
    ref = torchref.trajectory(
        torch.optim.LBFGS,
        dict(lr=lr, max_iter=1, max_eval=26, history_size=history, line_search_fn=line_search),
        fn,
        x0,
        steps,
        closure_steps=True,
    )
    # compare until the run has converged to round-off: past that both just sit at the minimum
    err = torchref.relative_error(ours.points, ref)
    assert err <= 1e-9, f"L-BFGS iterates differ from torch by {err:.2e}"


def test_lbfgs_reaches_torch_minimiser_on_rosenbrock():
    x0 = [-1.2, 1.0]
    tight = dict(line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-15)
    ours = gd.run(gd.lbfgs(**tight), gd.rosenbrock(), x0, 100, tol=1e-6)
    # torch's own way: a few step() calls of up to 100 iterations each
    ref = torchref.trajectory(
        torch.optim.LBFGS,
        dict(max_iter=100, **tight),
        torchref.rosenbrock,
        x0,
        3,
        closure_steps=True,
    )[-1]
    assert ours.converged
    np.testing.assert_allclose(ref, [1.0, 1.0], atol=1e-7)
    np.testing.assert_allclose(ours.final, [1.0, 1.0], atol=1e-7)


@pytest.mark.parametrize("name, hyper", [
    ("sgd", {"lr": 0.1}), ("sgd", {"lr": 0.1, "momentum": 0.9}), ("adagrad", {}),
    ("rmsprop", {}), ("rmsprop", {"momentum": 0.9, "centered": True}), ("adadelta", {}),
    ("adam", {}), ("adam", {"amsgrad": True}), ("adamw", {}), ("nadam", {}),
])
def test_state_per_param_counts_torchs_buffers(name, hyper):
    """The summary table's "state per parameter" for first-order methods is the number of
    parameter-shaped buffers torch.optim keeps (counted in torch after one step)."""
    opt = gd.get_optimizer(name, **hyper)
    p = torch.zeros(5, requires_grad=True)
    ref = getattr(torch.optim, opt.torch_class.removeprefix("torch.optim."))([p], **hyper)
    (p - 1.0).pow(2).sum().backward()
    ref.step()
    buffers = [v for v in ref.state[p].values() if torch.is_tensor(v) and v.shape == p.shape]
    assert int(opt.state_per_param.split()[0]) == len(buffers), (opt.state_per_param, buffers)
