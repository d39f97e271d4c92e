r"""Momentum methods on a quadratic, one eigencomponent at a time.

Along an eigen-direction of curvature ``λ`` the error ``e_t`` of gradient descent, the heavy
ball and Nesterov's method obeys a two-term linear recursion

    e_{t+1} = a e_t - b e_{t-1}     (heavy ball: a = 1 + β - ηλ, b = β;
                                     Nesterov:   a = (1 + β)(1 - ηλ), b = β(1 - ηλ);
                                     gradient descent: β = 0)

so the pair ``(e_t, e_{t-1})`` is multiplied by the companion matrix ``[[a, -b], [1, 0]]``
each step. Its eigenvalues, the roots of ``r² - a r + b``, say everything: their largest
modulus is the rate, and whether they are real or complex is the damping. With gradient noise
``ξ`` of variance ``Σ_B`` added to the heavy ball's gradient, the same matrix gives the
stationary covariance of ``(e_t, e_{t-1})`` through a discrete Lyapunov equation.
"""

from __future__ import annotations

import numpy as np

from . import validate

#: Damping regimes of the two-term recursion, by its roots.
DAMPING = ("over-damped", "critically damped", "under-damped", "sign-flipping")


def _coefficients(lr, curvature, momentum, nesterov: bool):
    """``(a, b)`` of ``r² - a r + b`` (broadcast), after checking the arguments."""
    validate.positive("lr", lr)
    validate.positive("curvature", curvature)
    validate.unit_interval("momentum", momentum)
    lr, curvature, momentum = (np.asarray(v, dtype=float) for v in (lr, curvature, momentum))
    step = lr * curvature
    if nesterov:
        return (1 + momentum) * (1 - step), momentum * (1 - step)
    return 1 + momentum - step, momentum + 0 * step


def iteration_matrix(lr, curvature, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    """The companion matrix ``[[a, -b], [1, 0]]`` mapping ``(e_t, e_{t-1})`` to
    ``(e_{t+1}, e_t)``; shape ``(..., 2, 2)`` for array arguments (broadcast)."""
    a, b = _coefficients(lr, curvature, momentum, nesterov)
    out = np.zeros(a.shape + (2, 2))
    out[..., 0, 0], out[..., 0, 1], out[..., 1, 0] = a, -b, 1.0
    return out


def roots(lr, curvature, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    """The two roots of ``r² - a r + b`` (complex dtype), shape ``(..., 2)``, larger modulus
    first."""
    a, b = _coefficients(lr, curvature, momentum, nesterov)
    root = np.sqrt((a * a - 4 * b).astype(complex))
    pair = np.stack([(a + root) / 2, (a - root) / 2], axis=-1)
    order = np.argsort(-np.abs(pair), axis=-1, kind="stable")
    return np.take_along_axis(pair, order, axis=-1)


def spectral_radius(lr, curvature, momentum=0.0, nesterov: bool = False) -> np.ndarray:
    """The per-step factor of the error in the long run: the largest root modulus
    (``|1 - ηλ|`` for gradient descent)."""
    return np.abs(roots(lr, curvature, momentum, nesterov)[..., 0])


def damping(lr, curvature, momentum, nesterov: bool = False, tol: float = 1e-12) -> np.ndarray:
    """The regime of each ``(lr, curvature, momentum)``, one of :data:`DAMPING`.

    Complex roots (discriminant ``a² - 4b < 0``) are under-damped: the error spirals, changing
    sign every half turn. Real roots with ``a > 0`` are over-damped (a repeated one, within
    ``tol`` of a zero discriminant, critically damped): the error keeps its sign. Real roots
    with ``a < 0`` are negative: the error flips sign at every step, like gradient descent with
    ``ηλ > 1``."""
    validate.nonnegative("tol", tol)
    a, b = _coefficients(lr, curvature, momentum, nesterov)
    disc = a * a - 4 * b
    critical = np.abs(disc) <= tol
    return np.select([(a < 0) & (disc >= -tol), critical, disc < 0],
                     ["sign-flipping", "critically damped", "under-damped"], "over-damped")


def component_modes(lr, curvature, momentum, nesterov: bool = False, e0=1.0):
    """``(c₁, c₂, r₁, r₂)`` with ``e_t = c₁r₁ᵗ + c₂r₂ᵗ`` from ``e_0`` at rest (torch's form: the
    buffer starts at the first gradient, so ``e_1 = (1 - ηλ)e_0``, or ``(1 - ηλ(1 + β))e_0``
    for Nesterov). Complex for complex roots; for a repeated root ``r₁ = r₂`` the constants
    are those of ``(c₁ + c₂t)rᵗ`` instead."""
    a, b = _coefficients(lr, curvature, momentum, nesterov)
    e0 = validate.finite("e0", e0)
    lr, curvature, momentum = (np.asarray(v, dtype=float) for v in (lr, curvature, momentum))
    e1 = e0 * (1 - lr * curvature * ((1 + momentum) if nesterov else 1))
    r = roots(lr, curvature, momentum, nesterov)
    r1, r2 = np.broadcast_arrays(r[..., 0], r[..., 1])
    repeated = np.isclose(r1, r2, rtol=1e-7, atol=1e-12)
    gap = np.where(repeated, 1.0, r1 - r2)
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(r1 == 0, 0.0, e1 / np.where(r1 == 0, 1.0, r1) - e0)
    c1 = np.where(repeated, e0 + 0 * r1, (e1 - r2 * e0) / gap)
    c2 = np.where(repeated, slope, (r1 * e0 - e1) / gap)
    return c1, c2, r1, r2


def component_errors(lr, curvature, momentum, steps: int, nesterov: bool = False,
                     e0=1.0) -> np.ndarray:
    """Closed form of ``e_t`` for ``t = 0..steps`` from ``e_0`` at rest (see
    :func:`component_modes`): ``c₁r₁ᵗ + c₂r₂ᵗ``, or ``(c₁ + c₂t)rᵗ`` for a repeated root.
    Shape ``(steps + 1, *broadcast shape)``."""
    steps = validate.positive_int("steps", steps)
    c1, c2, r1, r2 = component_modes(lr, curvature, momentum, nesterov, e0)
    t = np.arange(steps + 1).reshape((-1,) + (1,) * np.ndim(r1))
    repeated = np.isclose(r1, r2, rtol=1e-7, atol=1e-12)
    out = np.real(np.where(repeated, (c1 + c2 * t) * r1**t, c1 * r1**t + c2 * r2**t))
    lr, curvature, momentum = (np.asarray(v, dtype=float) for v in (lr, curvature, momentum))
    out[1] = np.asarray(e0, dtype=float) * (1 - lr * curvature * ((1 + momentum) if nesterov
                                                                   else 1))  # both roots 0
    return out


def discrete_lyapunov(A, Q) -> np.ndarray:
    """The ``P`` with ``P = A P Aᵀ + Q``: the stationary covariance of ``z ← A z + w`` when
    ``w`` has covariance ``Q``. Solved as ``(I - A⊗A) vec P = vec Q``; ``A`` must be stable
    (spectral radius < 1), or no stationary covariance exists. Batched over leading axes.
    Near the edge of stability (a root close to 1: tiny ηλ with β near 1) ``I - A⊗A`` is
    ill-conditioned and the answer keeps about seven significant digits."""
    A = validate.finite("A", A)
    Q = validate.finite("Q", Q)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"A must be a square matrix (..., n, n), got shape {A.shape}")
    n = A.shape[-1]
    if Q.shape[-2:] != (n, n):
        raise ValueError(f"Q must have shape (..., {n}, {n}) to match A, got shape {Q.shape}")
    radius = np.abs(np.linalg.eigvals(A)).max(axis=-1)
    if np.any(radius >= 1):
        raise ValueError(f"A must be stable (spectral radius < 1) for a stationary covariance, "
                         f"got spectral radius {float(np.max(radius))!r}")
    A, Q = np.broadcast_arrays(A, Q)
    kron = np.einsum("...ij,...kl->...ikjl", A, A).reshape(A.shape[:-2] + (n * n, n * n))
    vec = np.linalg.solve(np.eye(n * n) - kron, Q.reshape(Q.shape[:-2] + (n * n, 1)))
    P = vec.reshape(Q.shape)
    return (P + np.swapaxes(P, -1, -2)) / 2


def stationary_covariance(lr, curvature, noise, momentum=0.0) -> np.ndarray:
    """Stationary covariance of ``(e_t, e_{t-1})`` for the heavy ball (SGD when
    ``momentum = 0``) on one eigencomponent, with gradient ``λe + ξ`` and noise ``ξ`` of
    variance ``noise`` (``Σ_B``): the Lyapunov solution for the companion matrix and
    ``Q = diag(η²Σ_B, 0)``. Entry ``[..., 0, 0]`` is the variance of the error."""
    validate.nonnegative("noise", noise)
    A = iteration_matrix(lr, curvature, momentum)
    unstable = spectral_radius(lr, curvature, momentum) >= 1
    if np.any(unstable):
        lr_, lam_, beta_ = (float(np.broadcast_to(np.asarray(v, dtype=float), unstable.shape)[unstable]
                            .ravel()[0]) for v in (lr, curvature, momentum))
        raise ValueError(f"no stationary covariance: the run diverges at lr={lr_!r}, "
                         f"curvature={lam_!r}, momentum={beta_!r} (needs 0 < lr*curvature < "
                         f"2(1 + momentum))")
    lr, noise = np.broadcast_arrays(np.asarray(lr, dtype=float), np.asarray(noise, dtype=float))
    Q = np.zeros(np.broadcast_shapes(A.shape[:-2], lr.shape) + (2, 2))
    Q[..., 0, 0] = lr**2 * noise
    return discrete_lyapunov(np.broadcast_to(A, Q.shape), Q)



def expected_square_error(lr, curvature, noise, momentum=0.0, steps: int = 1,
                          e0=1.0) -> np.ndarray:
    """Exact ``E[e_t²]`` for ``t = 0..steps`` of the heavy ball (SGD when ``momentum = 0``)
    from ``e_0`` at rest, with gradient noise of variance ``noise``: the squared mean (the
    noiseless closed form) plus the variance, iterated as ``P ← A P Aᵀ + Q`` from ``P = 0``.
    It tends to ``stationary_covariance(...)[..., 0, 0]``. Shape ``(steps + 1, *broadcast)``."""
    validate.nonnegative("noise", noise)
    mean = component_errors(lr, curvature, momentum, steps, e0=e0)
    A = iteration_matrix(lr, curvature, momentum)
    Q = np.zeros(np.broadcast_shapes(A.shape[:-2], np.shape(lr), np.shape(noise)) + (2, 2))
    Q[..., 0, 0] = np.asarray(lr, dtype=float) ** 2 * np.asarray(noise, dtype=float)
    A = np.broadcast_to(A, Q.shape)
    P, variances = np.zeros_like(Q), [np.zeros(Q.shape[:-2])]
    for _ in range(steps):
        P = A @ P @ np.swapaxes(A, -1, -2) + Q
        variances.append(P[..., 0, 0])
    return mean**2 + np.array(variances)

def noisy_quadratic(optimizer, curvatures, noise, x0, steps: int, runs: int, seed: int = 0,
                    keep: int = 1) -> np.ndarray:
    """``runs`` independent runs of ``optimizer`` on ``f(θ) = ½ Σ λᵢθᵢ²`` with noisy gradients
    ``λ ⊙ θ + ξ``, ``ξ`` Gaussian with variance ``noise`` (``Σ_B``, a number or one per
    component) and independent across steps, components and runs; all runs in one batch.

    Returns the errors (the minimum is 0, so the iterates) at steps ``0, keep, 2·keep, …``,
    shape ``(steps // keep + 1, runs, d)``. Seeded: the same arguments give the same numbers."""
    from .optimizers import Optimizer  # here: gdnotes.optimizers imports nothing from here

    validate.instance("optimizer", optimizer, Optimizer, "an optimizer such as gd.sgd(0.1)")
    curvatures = validate.finite("curvatures", validate.positive("curvatures", curvatures))
    if curvatures.ndim != 1:
        raise ValueError(f"curvatures must be a 1-D list, got shape {curvatures.shape}")
    std = np.sqrt(validate.finite("noise", validate.nonnegative("noise", noise)))
    steps = validate.positive_int("steps", steps)
    runs = validate.positive_int("runs", runs)
    keep = validate.positive_int("keep", keep)
    validate.run_schedules(optimizer.hyperparams, steps)
    params = np.broadcast_to(validate.finite("x0", x0), (runs, curvatures.size)).copy()
    rng = np.random.default_rng(seed)
    state = optimizer.init(params)
    kept = [params]
    for t in range(1, steps + 1):
        grad = curvatures * params + std * rng.standard_normal(params.shape)
        params, state = optimizer.update(state, params, grad, None)
        if t % keep == 0:
            kept.append(params)
    return np.array(kept)
