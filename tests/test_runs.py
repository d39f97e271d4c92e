"""gd.run: batched runs equal the same runs one by one, and every run's status is honest."""

import numpy as np
import pytest

import gdnotes as gd


def assert_same_run(batched, i, single):
    n = single.stop_step + 1
    np.testing.assert_allclose(batched.points[:n, i], single.points[:n], rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(batched.values[:n, i], single.values[:n], rtol=1e-13)
    np.testing.assert_allclose(batched.lrs[:, i], single.lrs, rtol=1e-13)
    assert batched.status[i] == single.status and batched.stop_step[i] == single.stop_step
    assert np.all(np.isnan(batched.points[n:, i]))


# (constructor, batched hyperparameters (arrays of shape (3,)), objective)
BATCHES = [
    (gd.sgd, dict(lr=np.array([0.1, 0.9, 2.5]), momentum=np.array([0.0, 0.5, 0.9])),
     gd.ill_conditioned(20.0, angle=0.5)),
    (gd.adam, dict(lr=np.array([0.01, 0.1, 0.5]), betas=(np.array([0.0, 0.9, 0.99]), 0.999)),
     gd.rosenbrock()),
    (gd.rmsprop, dict(lr=np.array([1e-3, 1e-2, 1e-1]), centered=True), gd.beale()),
    (gd.adagrad, dict(lr=np.array([0.1, 0.5, 1.0]), lr_decay=np.array([0.0, 0.1, 0.0])),
     gd.plateau()),
    (gd.nadam, dict(lr=np.array([0.01, 0.02, 0.05])), gd.monkey_saddle()),
    (gd.newton, dict(lr=np.array([0.5, 1.0, 1.0]), damping=np.array([0.0, 0.0, 10.0])),
     gd.rosenbrock()),
    (gd.bfgs, dict(lr=np.array([0.5, 1.0, 1.0])), gd.rosenbrock()),
    (gd.lbfgs, dict(lr=np.array([0.5, 1.0, 1.0]), line_search_fn="strong_wolfe"), gd.beale()),
]


@pytest.mark.parametrize("make, hyper, obj", BATCHES, ids=lambda v: getattr(v, "__name__", ""))
def test_batched_run_equals_runs_one_by_one(make, hyper, obj):
    rng = np.random.default_rng(3)
    lo, hi = np.array(obj.bounds).T
    x0 = rng.uniform(lo, hi, size=(3, 2)) * 0.5
    batched = gd.run(make(**hyper), obj, x0, 60, tol=1e-8)
    for i in range(3):
        one = {k: (tuple(np.asarray(b)[i] if np.ndim(b) else b for b in v) if isinstance(v, tuple)
                   else (v[i] if isinstance(v, np.ndarray) else v)) for k, v in hyper.items()}
        assert_same_run(batched, i, gd.run(make(**one), obj, x0[i], 60, tol=1e-8))


def test_hyperparameter_grid_broadcasts_a_single_start():
    etas, betas = np.meshgrid([0.1, 0.5, 1.0], [0.0, 0.5])
    r = gd.run(gd.sgd(etas, momentum=betas), gd.ill_conditioned(10.0), [1.0, 1.0], 20)
    assert r.points.shape == (21, 2, 3, 2) and r.status.shape == (2, 3)
    one = gd.run(gd.sgd(0.5, momentum=0.5), gd.ill_conditioned(10.0), [1.0, 1.0], 20)
    np.testing.assert_allclose(r.points[:, 1, 1], one.points)
    np.testing.assert_allclose(r.path((1, 1)), one.path())
    np.testing.assert_allclose(r.final[1, 1], one.final)


def test_divergence_is_reported_never_a_silent_nan():
    r = gd.run(gd.sgd(1.5), gd.parabola_plus(), [3.0], 500)
    # |1 - 2η| = 2: |x_t| = 3·2^t passes the bound 1e8 at t = 25
    assert r.status == "diverged" and r.diverged and not r.converged
    assert r.stop_step == 24 and r.diverged_at == 25
    assert np.all(np.isfinite(r.points[:25])) and np.all(np.isnan(r.points[25:]))
    assert np.all(np.isnan(r.values[25:])) and np.all(np.isnan(r.lrs[24:]))
    assert r.path().shape == (25, 1) and abs(r.final[0]) == 3 * 2**24


def test_overflow_to_inf_is_diverged_too():
    r = gd.run(gd.sgd(1.0), gd.quartic(), [50.0], 50, bound=np.inf)
    assert r.status == "diverged"
    assert np.all(np.isfinite(r.path())) and np.isnan(r.points[r.stop_step + 1]).all()


def test_convergence_stops_at_tolerance():
    r = gd.run(gd.sgd(0.25), gd.shifted_parabola(5.0), [1.0], 100, tol=1e-6)
    # x_t - 5 = -4·(1/2)^t, |f'| = 8·(1/2)^t <= 1e-6 first at t = 23
    assert r.status == "converged" and r.stop_step == 23
    assert r.grad_norms[23] <= 1e-6 < r.grad_norms[22]
    assert np.isnan(r.points[24:]).all()


def test_max_steps_status_and_lrs_record():
    sched = gd.exponential_decay(0.1, 0.9)
    r = gd.run(gd.sgd(sched), gd.parabola_plus(), [2.0], 10)
    assert r.status == "max_steps" and r.stop_step == 10
    np.testing.assert_allclose(r.lrs, 0.1 * 0.9 ** np.arange(10))
    # with a schedule, x_{t+1} = (1 - 2η_t) x_t
    np.testing.assert_allclose(r.points[1:, 0], 2.0 * np.cumprod(1 - 2 * r.lrs))


def test_scalar_start_for_1d_objective():
    r = gd.run(gd.sgd(0.1), gd.parabola_plus(), 3.0, 5)
    assert r.points.shape == (6, 1)


def test_batch_statuses_mixed():
    r = gd.run(gd.sgd(np.array([0.1, 0.5, 1.2])), gd.parabola_plus(), [1.0], 200, tol=1e-8)
    assert list(r.status) == ["converged", "converged", "diverged"]
    assert r.stop_step[1] == 1  # η = 1/2 jumps to the minimum in one step
    np.testing.assert_array_equal(r.converged, [True, True, False])
    assert r.diverged_at[0] == -1 and r.diverged_at[2] == r.stop_step[2] + 1
    with pytest.raises(ValueError, match="batch"):
        r.path()


def test_importing_gdnotes_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, gdnotes; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0, "gdnotes imported torch"
