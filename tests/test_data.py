"""Synthetic data and batching: seeded, documented, and covering every sample once per epoch."""

import numpy as np
import pytest

import gdnotes as gd


def test_regression_data_defaults():
    """The documented recipe, redone here: seed 42, x ~ U[0, 2), then ε ~ N(0, 1), so
    y = 2x + 3 + ε exactly (pinned bit for bit, not to a loose fit)."""
    x, y = gd.regression_data()
    rng = np.random.default_rng(42)
    x_ref = rng.uniform(0, 2, 100)
    eps = rng.standard_normal(100)
    np.testing.assert_array_equal(x, x_ref)
    np.testing.assert_array_equal(y, 2.0 * x_ref + 3.0 + 1.0 * eps)
    # every knob goes where the docstring says
    x2, y2 = gd.regression_data(n=7, seed=3, slope=-1.5, intercept=0.25, noise=0.5,
                                x_range=(-1, 4))
    rng = np.random.default_rng(3)
    x_ref = rng.uniform(-1, 4, 7)
    np.testing.assert_array_equal(x2, x_ref)
    np.testing.assert_array_equal(y2, -1.5 * x_ref + 0.25 + 0.5 * rng.standard_normal(7))


def test_bad_data_arguments():
    with pytest.raises(ValueError, match=r"^x_range must be \(low, high\) with low < high, got \(2, 2\)"):
        gd.regression_data(x_range=(2, 2))
    with pytest.raises(ValueError, match="^noise must be >= 0, got -1.0"):
        gd.regression_data(noise=-1.0)
    with pytest.raises(ValueError, match="^n must be a positive integer, got 0"):
        gd.regression_data(n=0)


def test_noise_free_data_lies_on_the_line():
    x, y = gd.regression_data(n=10, noise=0.0, slope=-1.0, intercept=0.5, x_range=(-3, 3))
    np.testing.assert_allclose(y, -x + 0.5)
    assert x.min() >= -3 and x.max() < 3


def test_worked_points():
    assert gd.WORKED_X == [1, 2] and gd.WORKED_Y == [2, 4]


def test_batches_partition_and_reshuffle():
    for size in (1, 7, 32):
        bs = gd.batches(100, size, seed=1, epoch=0)
        assert sorted(np.concatenate(bs).tolist()) == list(range(100))
        assert all(len(b) == size for b in bs[:-1]) and 0 < len(bs[-1]) <= size
    a0, a1 = gd.batches(100, 10, seed=1, epoch=0), gd.batches(100, 10, seed=1, epoch=1)
    again = gd.batches(100, 10, seed=1, epoch=0)
    assert all(np.array_equal(p, q) for p, q in zip(a0, again, strict=True))
    assert not all(np.array_equal(p, q) for p, q in zip(a0, a1, strict=True))
    full = gd.batches(100, 100, seed=1, epoch=3)
    assert len(full) == 1 and np.array_equal(full[0], np.arange(100))
