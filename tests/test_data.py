"""Synthetic data and batching: seeded, documented, and covering every sample once per epoch."""

import numpy as np

import gdnotes as gd


def test_regression_data_defaults():
    x, y = gd.regression_data()
    assert x.shape == y.shape == (100,)
    assert x.min() >= 0 and x.max() < 2
    x2, y2 = gd.regression_data()
    np.testing.assert_array_equal(y, y2)  # seeded: the same every time
    slope, intercept = np.polyfit(x, y, 1)
    assert abs(slope - 2) < 0.5 and abs(intercept - 3) < 0.5
    assert 0.7 < np.std(y - (2 * x + 3)) < 1.3  # noise level 1


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
