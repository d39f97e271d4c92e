"""gd.run: batched runs equal the same runs one by one, and every run's status is honest."""

import re

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
    with pytest.raises(ValueError, match="batch of shape"):
        r.path()


def test_importing_gdnotes_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, gdnotes; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0, "gdnotes imported torch"


def test_a_single_run_reports_plain_python_values():
    """One run (no batch) gives a str status and int steps, so `run.status == "diverged"`,
    f-strings and JSON all see plain values, never 0-d arrays."""
    for lr, status, stop in [(0.1, "max_steps", 10), (1.5, "diverged", 8), (0.5, "converged", 1)]:
        r = gd.run(gd.sgd(lr), gd.parabola_plus(), [2.0], 10, tol=1e-9, bound=1e3)
        assert type(r.status) is str and r.status == status
        assert type(r.stop_step) is int and r.stop_step == stop
        assert type(r.converged) is bool and type(r.diverged) is bool
        assert type(r.diverged_at) is int
        assert r.diverged_at == (stop + 1 if status == "diverged" else -1)
    assert (r.tol, r.bound) == (1e-9, 1e3) and type(r.tol) is float and type(r.bound) is float


def test_repr_names_the_optimizer_objective_steps_and_statuses():
    one = gd.run(gd.sgd(0.1), gd.parabola_plus(), [2.0], 10)
    assert repr(one) == "Run(gd on parabola_plus, steps=10, batch=(), status=max_steps)"
    many = gd.run(gd.adam(np.array([0.1, 0.5, 1.2, 2.0])), gd.rosenbrock(), [0.0, 0.0], 3)
    assert repr(many) == ("Run(adam on rosenbrock, steps=3, batch=(4,), "
                          "status={'max_steps': 4})")
    mixed = gd.run(gd.sgd(np.array([0.1, 0.5, 1.2])), gd.parabola_plus(), [1.0], 200, tol=1e-8)
    assert repr(mixed).endswith("batch=(3,), status={'converged': 2, 'diverged': 1})")


def test_divergence_bound_is_inclusive_and_stops_only_that_run():
    """‖x‖ <= bound is fine; beyond it the run diverged. η = 1.5 on f = x² + c is x ← -2x."""
    r = gd.run(gd.sgd(1.5), gd.parabola_plus(), [1.0], 10, bound=8.0)
    # |x_t| = 2^t: 8 is allowed (t = 3), 16 is not (t = 4)
    assert r.stop_step == 3 and r.status == "diverged"
    both = gd.run(gd.sgd(np.array([1.5, 0.25])), gd.parabola_plus(), [1.0], 10, bound=8.0)
    assert both.stop_step.tolist() == [3, 10]
    np.testing.assert_array_equal(both.final[:, 0], [-8.0, 0.5**10])  # x ← (1 - 2η) x
    np.testing.assert_array_equal(both.path(1)[:, 0], 0.5 ** np.arange(11))
    np.testing.assert_array_equal(both.path(0)[:, 0], [1.0, -2.0, 4.0, -8.0])  # no NaN rows
    np.testing.assert_array_equal(both.lrs[:, 1], 0.25)
    assert np.isnan(both.lrs[3:, 0]).all() and (both.lrs[:3, 0] == 1.5).all()
    assert both.grad_norms[3, 0] == 16.0 and np.isnan(both.grad_norms[4, 0])


def test_a_nan_gradient_or_value_is_diverged():
    """Non-finite anywhere (the value or the gradient, not only the point) stops the run at the
    step before. Here f = x² turns NaN (or its gradient infinite) where x > 0.5."""
    good = gd.parabola_plus()
    poisoned = {
        "value": gd.Objective("nan value", 1, "", lambda p: np.where(p[..., 0] > 0.5, np.nan,
                                                                      good.f(p)),
                              good.df, good.d2f, good.minimizers, good.bounds),
        "grad": gd.Objective("inf grad", 1, "", good.f,
                             lambda p: np.where(p > 0.5, np.inf, good.df(p)),
                             good.d2f, good.minimizers, good.bounds),
    }
    for part, obj in poisoned.items():
        # η = 1.5: x ← -2x, so 0.2, -0.4, 0.8: step 2 enters the poisoned region
        r = gd.run(gd.sgd(1.5), obj, [0.2], 5)
        assert r.status == "diverged" and r.stop_step == 1, part
        # η = 0.75: x ← -x/2 never gets there
        assert gd.run(gd.sgd(0.75), obj, [0.2], 5).status == "max_steps", part


def test_the_default_bound_is_1e8_inclusive():
    """A start just inside ‖x‖ <= 1e8 runs; a start just outside has diverged already."""
    inside = gd.run(gd.sgd(1e-12), gd.parabola_plus(), [1e8 - 0.5], 1)
    outside = gd.run(gd.sgd(1e-12), gd.parabola_plus(), [1e8 + 0.5], 1)
    assert inside.status == "max_steps" and outside.status == "diverged"
    assert outside.stop_step == -1 and inside.bound == 1e8


def test_bad_bound_and_batch_shape_messages():
    with pytest.raises(ValueError, match="^bound must be > 0, got 0"):
        gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 5, bound=0)
    with pytest.raises(ValueError, match=r"^x0 batch shape \(2, 3\) does not match the "
                                         r"hyperparameter array shape \(4,\)"):
        gd.run(gd.sgd(np.full(4, 0.1)), gd.rosenbrock(), np.zeros((2, 3, 2)), 5)


def test_tolerance_is_inclusive_and_zero_means_never_converge():
    """‖∇f‖ <= tol converges (equality included); with tol = 0 a run never 'converges', even on
    an exact zero gradient (the docstring: only if tol > 0)."""
    # x_t - 5 = -4·(1/2)^t, so |f'(x_t)| = 8·2^-t exactly
    r = gd.run(gd.sgd(0.25), gd.shifted_parabola(5.0), [1.0], 100, tol=8 * 2.0**-10)
    assert r.status == "converged" and r.stop_step == 10
    # equality in the squared norms the loop compares: |f'(0.375)|² = 0.75² is exactly the
    # largest float whose square root is <= tol = 0.75
    edge = gd.run(gd.sgd(0.1), gd.parabola_plus(), [0.375], 5, tol=0.75)
    assert edge.status == "converged" and edge.stop_step == 0
    exact = gd.run(gd.sgd(0.5), gd.parabola_plus(), [3.0], 5)  # lands on 0, f' = 0, at step 1
    assert exact.grad_norms[1] == 0.0
    assert exact.status == "max_steps" and exact.stop_step == 5


def test_a_point_that_overflows_is_diverged_even_if_f_stays_finite():
    """A value tanh(x) and a slope 1 that stay finite at x = -inf (a made-up objective): only
    the check on the point itself catches the overflow."""
    finite_at_inf = gd.Objective("tanh", 1, "", lambda p: np.tanh(p[..., 0]),
                                 lambda p: np.ones_like(p), lambda p: p[..., None] * 0,
                                 np.empty((0, 1)), ((-1.0, 1.0),))
    r = gd.run(gd.sgd(1e308), finite_at_inf, [-1e308], 3, bound=np.inf)
    assert r.status == "diverged" and r.stop_step == 0  # x₁ = -1e308 - 1e308 = -inf


def test_a_run_that_blows_up_says_so_in_its_status_not_in_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would fail the test
        r = gd.run(gd.sgd(1.0), gd.quartic(), [50.0], 50, bound=np.inf)
        bad = gd.run(gd.newton(), gd.quadratic([0.0, 1.0]), [1.0, 1.0], 2)
    assert r.status == "diverged" and bad.status == "diverged"


def test_path_of_a_run_that_kept_no_trajectory_says_what_to_do():
    """keep='last' stores no rows: path() refuses with the way out, it does not return nothing."""
    r = gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 5, keep="last")
    assert len(r.kept_steps) == 0
    with pytest.raises(ValueError, match=r"^this Run kept no trajectory \(gd\.run\(\.\.\., "
                                         r"keep='last'\)\); use \.final, or run with keep='all' "
                                         r"or keep=k$"):
        r.path()
    ends = gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 5, keep=5)  # the first and last rows
    np.testing.assert_array_equal(ends.path(), gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0],
                                                      5).points[[0, 5]])
    with pytest.raises(ValueError, match=r"^this Run holds a batch of shape \(2,\); pass i$"):
        gd.run(gd.sgd(np.array([0.1, 0.2])), gd.parabola_plus(), [1.0], 5).path()


def test_runs_with_a_read_only_gradient_stop_one_by_one():
    """An objective may hand back a read-only gradient (here a broadcast constant slope): when
    one run of the batch stops, the others go on exactly as they would alone."""
    linear = gd.Objective("linear", 1, "", lambda p: p[..., 0].copy(),
                          lambda p: np.broadcast_to(np.ones(1), p.shape),
                          lambda p: np.zeros(p.shape + (1,)), np.empty((0, 1)), ((-1.0, 1.0),))
    assert not linear.grad(np.zeros((2, 1))).flags.writeable
    # x ← x - η: with η = 4 the run leaves ‖x‖ <= 10 at step 3, with η = 1 it never does
    both = gd.run(gd.sgd(np.array([4.0, 1.0])), linear, [0.0], 5, bound=10.0)
    assert both.status.tolist() == ["diverged", "max_steps"] and both.stop_step.tolist() == [2, 5]
    np.testing.assert_array_equal(both.path(0)[:, 0], [0.0, -4.0, -8.0])
    np.testing.assert_array_equal(both.path(1)[:, 0], -np.arange(6.0))
    np.testing.assert_array_equal(both.final[:, 0], [-8.0, -5.0])


@pytest.mark.parametrize("keep, rows", [("all", range(8)), (1, range(8)), (np.int64(3), [0, 3, 6, 7]),
                                        (4, [0, 4, 7]), (7, [0, 7]), (9, [0, 7]), ("last", [])])
def test_keep_stores_every_kth_step_and_the_last(keep, rows):
    """keep=k stores steps 0, k, 2k, ... and the last step; 'last' stores no rows at all."""
    full = gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 7)
    some = gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 7, keep=keep)
    assert some.kept_steps.tolist() == list(rows)
    np.testing.assert_array_equal(some.points, full.points[list(rows)])
    assert some.final == full.final and some.stop_step == full.stop_step == 7
    kept = np.array(list(rows), dtype=int)
    np.testing.assert_array_equal(some.lrs, full.lrs[kept[kept < 7]])  # the lr of each kept step


@pytest.mark.parametrize("keep", ["every", "LAST", 0, -1, 1.5, True, None])
def test_keep_refuses_anything_else_by_name(keep):
    message = ("keep must be 'all', 'last' or a positive integer k (keep every k-th step), "
               f"got {keep!r}")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 7, keep=keep)


def test_run_names_what_to_pass_for_a_wrong_optimizer_or_objective():
    with pytest.raises(TypeError, match=re.escape(
            "optimizer must be an optimizer such as gd.sgd(0.1), got 'sgd' (str)") + "$"):
        gd.run("sgd", gd.rosenbrock(), [1.0, 1.0], 10)
    with pytest.raises(TypeError, match=re.escape(
            "objective must be an objective such as gd.rosenbrock() (gd.get_objective(name) for "
            "a name), got 'quadratic' (str)") + "$"):
        gd.run(gd.sgd(0.1), "quadratic", [1.0, 1.0], 10)


@pytest.mark.parametrize("obj", [gd.parabola_plus(), gd.quadratic([2.0])], ids=["checked", "quadratic"])
def test_the_end_point_value_and_gradient_norm_are_kept_as_plain_floats(obj):
    """A single run's final value and gradient norm are floats at its last valid point, both when
    the loop checks every value and when a quadratic's are evaluated once at the end."""
    r = gd.run(gd.sgd(0.1), obj, [1.0], 5)
    assert type(r.final_value) is float and type(r.final_grad_norm) is float
    assert r.final_value == r.values[5] == obj.value(r.final)
    assert r.final_grad_norm == r.grad_norms[5] == abs(obj.grad(r.final)[0])
    # a run that blows up at step 1 ends at its start (stop step 0): that point is kept too
    bad = gd.run(gd.sgd(1.5), obj, [1.0], 5, bound=1.5)
    assert bad.status == "diverged" and bad.stop_step == 0 and bad.final.tolist() == [1.0]
    assert bad.final_value == obj.value([1.0]) and bad.final_grad_norm == abs(obj.grad([1.0])[0])
    many = gd.run(gd.sgd(np.array([0.1, 1.5])), obj, [1.0], 5, bound=1.5)
    assert many.stop_step.dtype == np.int64 and many.stop_step.tolist() == [5, 0]
    np.testing.assert_array_equal(many.final_value, [r.final_value, bad.final_value])
    np.testing.assert_array_equal(many.final_grad_norm, [r.final_grad_norm, bad.final_grad_norm])


def test_without_a_bound_a_nan_value_still_stops_the_run():
    """bound=inf drops only the norm test: a value that turns NaN is still divergence."""
    good = gd.parabola_plus()
    nan_value = gd.Objective("nan value", 1, "", lambda p: np.where(p[..., 0] > 0.5, np.nan,
                                                                     good.f(p)),
                             good.df, good.d2f, good.minimizers, good.bounds)
    r = gd.run(gd.sgd(1.5), nan_value, [0.2], 5, bound=np.inf)  # 0.2, -0.4, 0.8 (NaN)
    assert r.status == "diverged" and r.stop_step == 1
