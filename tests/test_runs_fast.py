"""gd.run's fast paths change no bit: every float64 it returns equals what the straightforward
code returns (the runner as it was before `keep`, numpy's own reductions and broadcasts), and
`keep` only chooses which of those numbers are stored."""

import tracemalloc

import numpy as np
import pytest

import gdnotes as gd
from gdnotes.rows import Spread, row_all, row_sum, sqrt_at_most, sum_of_squares


def same_bits(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def awkward_numbers(shape, seed=0):
    """Random magnitudes from 1e-30 to 1e30 with signed zeros, infinities and NaN mixed in."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=shape) * 10.0 ** rng.integers(-30, 30, size=shape)
    for value, share in ((-0.0, 0.1), (0.0, 0.05), (np.inf, 0.01), (-np.inf, 0.01), (np.nan, 0.01)):
        y[rng.random(shape) < share] = value
    return y


# ----------------------------------------------------------------------------- building blocks
@pytest.mark.parametrize("d", range(1, 11))
def test_row_helpers_equal_numpy_bit_for_bit(d):
    y = awkward_numbers((5000, d), seed=d)  # large enough for the column-by-column path
    with np.errstate(all="ignore"):
        assert same_bits(row_sum(y), np.add.reduce(y, axis=-1))
        assert same_bits(np.sqrt(sum_of_squares(y)), np.linalg.norm(y, axis=-1))
        assert same_bits(row_all(np.isfinite(y)), np.all(np.isfinite(y), axis=-1))
        grid = y.reshape(50, 100, d)  # a batch of any shape
        assert same_bits(row_sum(grid), np.sum(grid, -1))
        small = y[:3]  # a few runs: one numpy call
        assert same_bits(np.sqrt(sum_of_squares(small)), np.linalg.norm(small, axis=-1))


@pytest.mark.parametrize("c", [1e-8, 0.3, 1.0, 2.0, 1e8, 1e154, 1e200, np.inf])
def test_sqrt_at_most_is_the_exact_threshold(c):
    s = sqrt_at_most(c)
    assert np.sqrt(s) <= c
    if s < np.finfo(float).max:
        assert np.sqrt(np.nextafter(s, np.inf)) > c


def test_spread_is_the_broadcast_copied_out():
    col = np.arange(6.0).reshape(3, 2, 1)
    full = Spread(col)((3, 2, 4))
    assert full.flags.c_contiguous and same_bits(full * 2.5, col * np.full((3, 2, 4), 2.5))
    assert Spread(2.0)((3, 2)).shape == ()  # a scalar is left to broadcast


def test_quadratic_value_and_gradient_equal_the_textbook_formulas_bit_for_bit():
    obj = gd.quadratic([0.01, 1.0], angle=0.7, b=[0.3, -2.0])
    A, b = obj.A, obj.b
    p = awkward_numbers((300, 2)) * 1e-10
    with np.errstate(all="ignore"):
        f, g = obj.value_and_grad(p)
        assert same_bits(f, 0.5 * np.sum((p @ A) * p, -1) + p @ b)
        assert same_bits(g, p @ A + b)
        assert same_bits(obj.value(p), f) and same_bits(obj.grad(p), g)
        assert same_bits(obj.grad(p[0]), p[0] @ A + b)


def test_momentum_stage_equals_torch_buffer_formula_bit_for_bit():
    """The in-place heavy-ball update gives the arrays `μv + (1-τ)g`, `where(μ = 0, g, v)`."""
    rng = np.random.default_rng(1)
    mu = np.array([0.0, 0.5, 0.9])[:, None]
    for damp in (0.0, 0.25):
        opt = gd.sgd(np.array([0.1, 0.2, 0.3]), momentum=mu[:, 0], dampening=damp)
        x, g1, g2 = rng.normal(size=(3, 3, 2))
        state = opt.init(x)
        x1, state = opt.update(state, x, g1)
        x2, state = opt.update(state, x1, g2)
        v = mu * g1 + (1 - damp) * g2
        lr = np.array([0.1, 0.2, 0.3])[:, None]
        assert same_bits(x1, x - lr * g1)
        assert same_bits(x2, x1 - lr * np.where(mu == 0, g2, v))


def test_line_fit_value_and_gradient_equal_np_mean_bit_for_bit():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 2, 101), rng.normal(size=101)
    loss, p = gd.line_mse(x, y), rng.normal(size=(7, 2)) * 10.0 ** rng.integers(-3, 4, (7, 1))
    for obj, (xs, ys) in ((loss, (x, y)), (loss.batch(np.arange(0, 101, 9)), (x[::9], y[::9]))):
        for q in (p, p[0]):
            r = q[..., 0, None] * xs + q[..., 1, None] - ys
            assert same_bits(obj.value(q), np.mean(r**2, -1))
            assert same_bits(obj.grad(q), np.stack([2 * np.mean(r * xs, -1),
                                                    2 * np.mean(r, -1)], -1))


# ----------------------------------------------------------------------------- the runner
def runner_before_keep(optimizer, objective, x0, steps, tol=0.0, bound=1e8):
    """gd.run as it was before `keep` (trajectories, statuses), kept here as the oracle."""
    x0 = np.asarray(x0, dtype=float)
    batch = np.broadcast_shapes(x0.shape[:-1], optimizer.batch_shape)
    x = np.broadcast_to(x0, batch + x0.shape[-1:]).copy()
    points = np.empty((steps + 1,) + x.shape)
    values, grad_norms = np.empty((steps + 1,) + batch), np.empty((steps + 1,) + batch)
    lrs = np.empty((steps,) + batch)
    status, stop = np.full(batch, "max_steps", dtype="<U9"), np.full(batch, steps)
    active = np.ones(batch, dtype=bool)

    def record(k, x_new, f_new, g_new):
        norm = np.linalg.norm(g_new, axis=-1)
        points[k], values[k], grad_norms[k] = x_new, f_new, norm
        bad = active & ~(np.isfinite(f_new) & np.all(np.isfinite(x_new), -1)
                         & np.isfinite(norm) & (np.linalg.norm(x_new, axis=-1) <= bound))
        status[bad], stop[bad], active[bad] = "diverged", k - 1, False
        done = active & (norm <= tol) if tol > 0 else np.zeros(batch, dtype=bool)
        status[done], stop[done], active[done] = "converged", k, False

    state = optimizer.init(x)
    with np.errstate(all="ignore"):
        g = objective.grad(x)
        record(0, x, objective.value(x), g)
        for k in range(1, steps + 1):
            if not active.any():
                break
            x_new, state = optimizer.update(state, x, g, objective)
            lrs[k - 1] = np.asarray(state["lr"], dtype=float)
            g_new = objective.grad(x_new)
            record(k, x_new, objective.value(x_new), g_new)
            x = np.where(active[..., None], x_new, x)
            g = np.where(active[..., None], g_new, g)
    after = np.arange(steps + 1).reshape((-1,) + (1,) * len(batch)) > stop
    points[after], values[after], grad_norms[after] = np.nan, np.nan, np.nan
    lrs[after[1:]] = np.nan
    scalar = batch == ()
    return dict(points=points, values=values, grad_norms=grad_norms, lrs=lrs,
                status=str(status) if scalar else status, stop_step=int(stop) if scalar else stop)


ETAS, BETAS = np.meshgrid(np.linspace(0.01, 3.0, 12), np.linspace(0.0, 0.99, 12))
START = np.random.default_rng(0).uniform(-1.5, 1.5, size=(3, 2))
ILL = gd.ill_conditioned(100.0, angle=np.pi / 6)
CASES = {  # name: (optimizer, objective, x0, steps, tol, bound)
    "heavy ball sweep": (gd.sgd(ETAS, momentum=BETAS), ILL, [1.0, 1.0], 100, 0.0, 1e8),
    "sweep, tol": (gd.sgd(ETAS, momentum=BETAS), ILL, [1.0, 1.0], 100, 1e-4, 1e8),
    "sweep, small bound": (gd.sgd(ETAS, momentum=BETAS), ILL, [1.0, 1.0], 60, 0.0, 50.0),
    "sweep, no bound": (gd.sgd(3 * ETAS, momentum=BETAS), ILL, [1.0, 1.0], 200, 0.0, np.inf),
    "nesterov": (gd.sgd(ETAS[1:], momentum=BETAS[1:] + 1e-3, nesterov=True), ILL, [1.0, 1.0],
                 80, 0.0, 1e8),
    "damped, decayed": (gd.sgd(5e-4, momentum=np.array([0.0, 0.5, 0.9]), dampening=0.3,
                               weight_decay=0.1), gd.rosenbrock(), START, 70, 0.0, 1e8),
    "schedule": (gd.sgd(gd.exponential_decay(3e-3, 0.97), momentum=0.8), gd.beale(), START, 60,
                 0.0, 1e8),
    "quadratic with b, 3-D": (gd.sgd(np.array([0.1, 0.3]), momentum=0.5),
                              gd.quadratic([1.0, 2.0, 5.0], b=[1.0, -1.0, 0.5]),
                              np.array([[0.3, -1.0, 2.0], [1.0, 1.0, -0.5]]), 40, 0.0, 1e8),
    "1-D divergence": (gd.sgd(1.5), gd.parabola_plus(), [3.0], 500, 0.0, 1e8),
    "quartic overflow": (gd.sgd(1.0), gd.quartic(), [50.0], 50, 0.0, np.inf),
    "value overflows inside the bound": (gd.sgd(0.1), gd.quadratic([1.0, 1e305]), [0.0, 10.0],
                                         5, 0.0, 1e8),
    "adam": (gd.adam(np.array([0.01, 0.1, 0.5]), betas=(np.array([0.0, 0.9, 0.99]), 0.999)),
             gd.rosenbrock(), START, 80, 1e-8, 1e8),
    "adamw amsgrad": (gd.adamw(0.05, amsgrad=True, weight_decay=0.1), gd.beale(), START, 60,
                      0.0, 1e8),
    "nadam": (gd.nadam(np.array([0.01, 0.02, 0.05])), gd.monkey_saddle(), START, 60, 0.0, 1e8),
    "rmsprop centered momentum": (gd.rmsprop(np.array([1e-3, 1e-2, 1e-1]), centered=True,
                                             momentum=0.5), gd.beale(), START, 60, 0.0, 1e8),
    "adagrad": (gd.adagrad(np.array([0.1, 0.5, 1.0]), lr_decay=np.array([0.0, 0.1, 0.0])),
                gd.plateau(), START, 60, 0.0, 1e8),
    "adadelta": (gd.adadelta(weight_decay=0.01), gd.saddle(), START, 60, 0.0, 1e8),
    "newton": (gd.newton(np.array([0.5, 1.0, 1.0]), damping=np.array([0.0, 0.0, 10.0])),
               gd.rosenbrock(), START, 40, 1e-10, 1e8),
    "bfgs": (gd.bfgs(np.array([0.5, 1.0, 1.0])), gd.rosenbrock(), START, 40, 1e-10, 1e8),
    "lbfgs": (gd.lbfgs(np.array([0.5, 1.0, 1.0]), line_search_fn="strong_wolfe"), gd.beale(),
              START, 30, 0.0, 1e8),
    "single run": (gd.sgd(1e-3, momentum=0.9), gd.rosenbrock(), [-1.0, 1.0], 300, 1e-3, 1e8),
}


@pytest.mark.parametrize("name", CASES)
def test_every_number_equals_the_runner_before_keep(name):
    opt, obj, x0, steps, tol, bound = CASES[name]
    old = runner_before_keep(opt, obj, x0, steps, tol, bound)
    new = gd.run(opt, obj, x0, steps, tol=tol, bound=bound)
    for field, value in old.items():
        assert same_bits(getattr(new, field), value), field
    stop = np.asarray(new.stop_step)
    at_stop = np.take_along_axis(old["points"], stop[None, ..., None], 0)[0]
    assert same_bits(new.final, at_stop)
    for field, final in (("values", new.final_value), ("grad_norms", new.final_grad_norm)):
        assert same_bits(np.asarray(final), np.take_along_axis(old[field], stop[None], 0)[0])


@pytest.mark.parametrize("name", ["heavy ball sweep", "sweep, tol", "sweep, no bound", "adam",
                                  "lbfgs", "1-D divergence", "value overflows inside the bound",
                                  "single run"])
@pytest.mark.parametrize("keep", ["last", 1, 3, 7, 1000])
def test_keep_only_chooses_what_is_stored(name, keep):
    opt, obj, x0, steps, tol, bound = CASES[name]
    full = gd.run(opt, obj, x0, steps, tol=tol, bound=bound)
    some = gd.run(opt, obj, x0, steps, tol=tol, bound=bound, keep=keep)
    for field in ("status", "stop_step", "final", "final_value", "final_grad_norm"):
        assert same_bits(getattr(some, field), getattr(full, field)), field
    rows = some.kept_steps
    if keep == "last":
        assert len(rows) == 0 and some.points.shape == (0,) + full.points.shape[1:]
        with pytest.raises(ValueError, match="keep='last'"):
            some.path() if full.batch_shape == () else some.path(0)
        return
    assert rows[0] == 0 and rows[-1] == steps and np.all(np.diff(rows) <= keep)
    for field in ("points", "values", "grad_norms"):
        assert same_bits(getattr(some, field), getattr(full, field)[rows]), field
    assert same_bits(some.lrs, full.lrs[rows[rows < steps]])


@pytest.mark.parametrize("keep", ["every", "", 0, -2, 1.5, True, None, [1]])
def test_bad_keep_is_a_clear_error(keep):
    with pytest.raises(ValueError, match=r"keep must be 'all', 'last' or a positive integer") as e:
        gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 5, keep=keep)
    assert repr(keep) in str(e.value)


def test_path_of_a_thinned_run_ends_at_its_stop():
    r = gd.run(gd.sgd(np.array([0.1, 1.2])), gd.parabola_plus(), [1.0], 200, keep=10)
    assert r.status[1] == "diverged"
    np.testing.assert_array_equal(r.path(1), r.points[r.kept_steps <= r.stop_step[1], 1])
    assert len(r.path(0)) == len(r.kept_steps)


def test_memory_without_trajectories_does_not_grow_with_steps():
    """keep='last' holds a few arrays of the batch's size, however many steps run: the 10⁶-run,
    100-step sweep of the benchmark then needs well under 2 GB (measured there)."""
    runs = 20_000
    etas = np.linspace(0.01, 3.0, runs)
    peaks = []
    for steps in (10, 200):
        tracemalloc.start()
        gd.run(gd.sgd(etas, momentum=0.5), gd.ill_conditioned(100.0), [1.0, 1.0], steps,
               keep="last")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    per_run = max(peaks) / runs
    assert peaks[1] < 1.1 * peaks[0]
    assert per_run < 1000, f"{per_run:.0f} bytes per run: 10⁶ runs would need {per_run / 1e3:.1f} GB"


def test_first_step_refuses_a_thinned_run():
    r = gd.run(gd.sgd(0.1), gd.parabola_plus(), [1.0], 20, keep=5)
    with pytest.raises(ValueError, match="keep='all'"):
        gd.first_step(r, lambda p: np.abs(p[..., 0]) < 0.5)


def test_a_quadratic_run_evaluates_values_only_when_they_are_read():
    """Inside its bound a quadratic's value cannot overflow, so the run computes gradients only
    (plus one value per run at the end); the kept values are evaluated when first read."""
    bowl, calls = gd.counted(gd.ill_conditioned(10.0))
    r = gd.run(gd.sgd(np.array([0.1, 0.5, 2.5])), bowl, [1.0, 1.0], 30)
    assert calls["value"] == 3 and calls["grad"] == 3 * 31 + 3
    reference = runner_before_keep(gd.sgd(np.array([0.1, 0.5, 2.5])), gd.ill_conditioned(10.0),
                                   [1.0, 1.0], 30)
    assert same_bits(r.values, reference["values"]) and calls["value"] == 3 + 3 * 31
