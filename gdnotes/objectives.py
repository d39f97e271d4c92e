r"""Objectives: the functions gradient descent walks on.

An :class:`Objective` bundles a function with its exact gradient and Hessian, all
vectorised over points of shape ``(..., d)`` so that a whole grid (for contour plots) or a
batch of runs is one call. Gradients and Hessians are written out by hand, and the tests
check every one against torch autograd.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import validate
from .rows import Spread, row_sum


@dataclass(frozen=True, eq=False)
class Objective:
    """A function of ``d`` variables with its gradient and Hessian.

    ``value(x)`` maps ``(..., d) -> (...)``, ``grad(x)`` maps ``(..., d) -> (..., d)`` and
    ``hessian(x)`` maps ``(..., d) -> (..., d, d)``. ``minimizers`` has shape ``(k, d)``
    (global minimiser first; may be empty) and ``bounds`` is a good plotting box.
    Objective-specific extras (``A``, ``kappa``, ``optimum`` ...) are attributes too.

    Two optional fields let :func:`gdnotes.run` skip work: ``fdf(x)`` returns value and
    gradient together, sharing what they have in common (a quadratic's ``x A``), and
    ``finite_within`` is a radius inside which value and gradient are certainly finite (so
    a run inside ``‖x‖ <= bound`` needs no check of them). A copy that replaces ``f`` or
    ``df`` must replace or drop ``fdf`` too.
    """

    name: str
    dim: int
    latex: str
    f: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    df: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    d2f: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    minimizers: np.ndarray = field(repr=False)
    bounds: tuple[tuple[float, float], ...]
    extras: dict = field(default_factory=dict, repr=False)
    fdf: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = field(default=None,
                                                                              repr=False)
    finite_within: float = field(default=0.0, repr=False)

    def value(self, x) -> np.ndarray:
        return self.f(validate.points("x", x, self.dim))

    def grad(self, x) -> np.ndarray:
        return self.df(validate.points("x", x, self.dim))

    def value_and_grad(self, x) -> tuple[np.ndarray, np.ndarray]:
        """``(value(x), grad(x))``, in one pass where the objective has one (``fdf``)."""
        x = validate.points("x", x, self.dim)
        return self.fdf(x) if self.fdf is not None else (self.f(x), self.df(x))

    def hessian(self, x) -> np.ndarray:
        """The Hessian at ``x`` (``(..., d, d)``); ValueError if the objective was made without
        one (``d2f=None``), for the methods that need it (Newton, exact line search)."""
        if self.d2f is None:
            raise ValueError(f"objective {self.name!r} has no Hessian (it was made with "
                             "d2f=None); Newton's method and the exact line search need one")
        return self.d2f(validate.points("x", x, self.dim))

    def grid(self, n: int = 200, bounds=None):
        """Values on a regular grid, ready to plot: ``(xs, f)`` in 1-D, ``(X, Y, Z)`` in 2-D.

        ``bounds`` defaults to ``self.bounds``; ``n`` is the number of points per axis (200 by
        default: smooth contours at the width figures are drawn).
        """
        n = validate.positive_int("n", n)
        box = self.bounds if bounds is None else tuple(bounds)
        if self.dim not in (1, 2) or len(box) != self.dim:
            raise ValueError(f"grid needs a 1-D or 2-D objective and one (lo, hi) per axis, "
                             f"got dim={self.dim}, bounds={box!r}")
        axes = [np.linspace(lo, hi, n) for lo, hi in box]
        if self.dim == 1:
            return axes[0], self.value(axes[0][:, None])
        X, Y = np.meshgrid(*axes)
        return X, Y, self.value(np.stack([X, Y], -1))

    def __getattr__(self, name):
        # Only called when normal lookup fails: expose the extras as attributes. Read the
        # fields from __dict__, which copy.copy leaves empty while it asks for __setstate__
        # (self.extras there would call __getattr__ again, without end).
        fields = self.__dict__
        if name in fields.get("extras", {}):
            return fields["extras"][name]
        raise AttributeError(f"{type(self).__name__} {fields.get('name')!r} has no attribute "
                             f"{name!r}")

    def __call__(self, x) -> np.ndarray:
        return self.value(x)


def _make(name, dim, latex, f, df, d2f, minimizers, bounds, fdf=None, finite_within=0.0,
          **extras) -> Objective:
    mins = np.asarray(minimizers, dtype=float).reshape(-1, dim) + 0.0  # + 0.0: no "-0.0"
    box = tuple((float(lo), float(hi)) for lo, hi in bounds)
    return Objective(name, dim, latex, f, df, d2f, mins, box, extras, fdf, finite_within)


def _xy(p):
    return p[..., 0], p[..., 1]


def _pair(a, b) -> np.ndarray:
    """``np.stack([a, b], -1)`` for two arrays of one shape (a 2-D gradient), the same numbers:
    for one point or a few, np.stack's own work is a third of the gradient's time."""
    out = np.empty(np.shape(a) + (2,))
    out[..., 0], out[..., 1] = a, b
    return out


def _mat(a, b, c, d):
    """Stack 2x2 matrices ``[[a, b], [c, d]]`` of broadcast entries into ``(..., 2, 2)``."""
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    return np.stack([np.stack([a, b], -1), np.stack([c, d], -1)], -2)


# ----------------------------------------------------------------------------- 1-D
def shifted_parabola(center: float = 5.0) -> Objective:
    """``(x - c)^2``: the simplest bowl, minimum at ``c`` (1-D)."""
    c = float(validate.finite("center", center))
    return _make(
        "shifted_parabola", 1, rf"f(x) = (x {'+' if c < 0 else '-'} {abs(c):g})^2",
        lambda p: (p[..., 0] - c) ** 2,
        lambda p: 2 * (p - c),
        lambda p: np.full(p.shape + (1,), 2.0),
        [[c]], [(c - 5, c + 5)], center=c,
    )


def parabola_plus(c: float = 5.0) -> Objective:
    """``x^2 + c``: same bowl, lifted; the minimiser is 0 whatever ``c`` is (1-D)."""
    c = float(validate.finite("c", c))
    return _make(
        "parabola_plus", 1, rf"f(x) = x^2 {'-' if c < 0 else '+'} {abs(c):g}",
        lambda p: p[..., 0] ** 2 + c,
        lambda p: 2 * p,
        lambda p: np.full(p.shape + (1,), 2.0),
        [[0.0]], [(-5.0, 5.0)], c=c,
    )


def quartic() -> Objective:
    """``x^4 - 5x^3 + 4x^2 + 3x``: a 1-D non-convex function with two minima.

    ``stationary_points`` are the real roots of ``f'`` (via ``np.roots``); ``minimizers``
    are those with ``f'' > 0``, global one first.
    """
    coef = np.array([1.0, -5.0, 4.0, 3.0, 0.0])
    d1, d2 = np.polyder(coef), np.polyder(coef, 2)
    roots = np.roots(d1)
    stationary = np.sort(roots[np.abs(roots.imag) < 1e-12].real)
    mins = stationary[np.polyval(d2, stationary) > 0]
    mins = mins[np.argsort(np.polyval(coef, mins))]
    return _make(
        "quartic", 1, r"f(x) = x^4 - 5x^3 + 4x^2 + 3x",
        lambda p: np.polyval(coef, p[..., 0]),
        lambda p: np.polyval(d1, p),
        lambda p: np.polyval(d2, p)[..., None],
        mins[:, None], [(-1.0, 4.2)], stationary_points=stationary,
    )


# ----------------------------------------------------------------------------- quadratics
def quadratic(eigenvalues, angle: float = 0.0, b=None) -> Objective:
    r"""``½ xᵀA x + bᵀx`` with ``A = R diag(eigenvalues) Rᵀ``.

    Choosing the eigenvalues fixes the curvature along each axis of the bowl, and so the
    condition number ``kappa = L / mu`` that decides how fast gradient descent can go.
    ``R`` rotates by ``angle`` (radians) in 2-D and is the identity otherwise. Extras:
    ``A``, ``b``, ``R`` (eigenvectors as columns), ``eigenvalues``, ``mu``, ``L``, ``kappa``.
    """
    lam = np.atleast_1d(validate.finite("eigenvalues", eigenvalues))
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError(f"eigenvalues must be a non-empty 1-D list, got shape {lam.shape}")
    d = lam.size
    angle = float(validate.finite("angle", angle))
    if d != 2 and angle != 0.0:
        raise ValueError(f"angle only applies to 2-D quadratics, got angle={angle} for d={d}")
    R = np.eye(d)
    if d == 2:
        c, s = np.cos(angle), np.sin(angle)
        R = np.array([[c, -s], [s, c]])
    A = R @ np.diag(lam) @ R.T
    bvec = np.zeros(d) if b is None else validate.finite("b", b)
    if bvec.shape != (d,):
        raise ValueError(f"b must have shape ({d},) to match the eigenvalues, got {bvec.shape}")
    mu, L = float(lam.min()), float(lam.max())
    kappa = L / mu if mu > 0 else np.inf
    b_spread = Spread(bvec)

    # f and ∇f both start from pA = p @ A (= (A p)ᵀ, A is symmetric); fdf computes it once
    def value(p, pA):  # ½ Σ (pA ⊙ p) + p·b, the sum and product done in place
        f = row_sum(pA * p)
        f *= 0.5
        f += p @ bvec
        return f

    def grad(pA):  # pA + b, written into pA
        return np.add(pA, b_spread(pA.shape), out=pA)

    def value_and_grad(p):
        pA = p @ A
        return value(p, pA), grad(pA)

    mins = np.linalg.solve(A, -bvec)[None] if mu > 0 else np.empty((0, d))
    half = 1.5 * max(1.0, *np.abs(mins).ravel()) if mins.size else 1.5
    center = mins[0] if mins.size else np.zeros(d)
    return _make(
        "quadratic", d, r"f(x) = \tfrac12 x^\top A x + b^\top x",
        lambda p: value(p, p @ A),
        lambda p: grad(p @ A),
        lambda p: np.broadcast_to(A, p.shape[:-1] + (d, d)).copy(),
        mins, [(ci - half, ci + half) for ci in center], fdf=value_and_grad,
        # |x_i| <= R makes every |(xA)_j| <= d R max|A| <= 1e100: nothing can overflow
        finite_within=1e100 / (1 + d * max(np.abs(A).max(), np.abs(bvec).max())),
        A=A, b=bvec, R=R, eigenvalues=lam, mu=mu, L=L, kappa=kappa,
    )


def ill_conditioned(kappa: float, L: float = 1.0, angle: float = 0.0) -> Objective:
    """A 2-D quadratic bowl with eigenvalues ``(L/kappa, L)``: a long, narrow valley."""
    validate.positive("L", L)
    validate.positive("kappa", kappa)
    if not kappa >= 1:
        raise ValueError(f"kappa must be a finite number >= 1, got {kappa!r}")
    obj = quadratic([L / kappa, L], angle=angle)
    extras = {**obj.extras, "kappa": float(kappa)}
    return Objective(**{**obj.__dict__, "name": "ill_conditioned", "extras": extras})


# ----------------------------------------------------------------------------- 2-D classics
def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """``(a - x)^2 + b (y - x^2)^2``: a curved banana valley, minimum at ``(a, a^2)``."""
    a, b = float(validate.finite("a", a)), float(validate.positive("b", b))

    def f(p):
        x, y = _xy(p)
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def df(p):
        x, y = _xy(p)
        return _pair(-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2))

    def fdf(p):  # f and df sharing a - x and y - x², with the same operations (same bits)
        x, y = _xy(p)
        u, v = a - x, y - x**2
        return u**2 + b * v**2, _pair(-2 * u - 4 * b * x * v, 2 * b * v)

    def d2f(p):
        x, y = _xy(p)
        return _mat(2 - 4 * b * y + 12 * b * x**2, -4 * b * x, -4 * b * x, 2 * b + 0 * x)

    s = max(1.0, abs(a))  # the classic view [-2, 2] x [-1, 3], scaled to hold (a, a²)
    return _make(
        "rosenbrock", 2, rf"f(x, y) = ({a:g} - x)^2 + {b:g}\,(y - x^2)^2",
        f, df, d2f, [[a, a * a]], [(-2 * s, 2 * s), (-s * s, 3 * s * s)], fdf=fdf, a=a, b=b,
        # |x|, |y| <= 1e50 and |a|, b <= 1e100 keep every term below 4e300 (b (y - x²)² is the
        # largest): nothing can overflow
        finite_within=1e50 if max(abs(a), b) <= 1e100 else 0.0,
    )


_BEALE_C = (1.5, 2.25, 2.625)


def beale() -> Objective:
    r"""Beale's function ``Σᵢ (cᵢ - x + x yⁱ)^2``, c = (1.5, 2.25, 2.625): flat plains, sharp
    ridges, minimum 0 at (3, 0.5)."""

    def residuals(p):
        """Each term's residual r and its derivatives (r_x, r_y, r_xy, r_yy), for the Hessian."""
        x, y = _xy(p)
        return [(c - x + x * y**i, y**i - 1, i * x * y ** (i - 1), i * y ** (i - 1),
                 i * (i - 1) * x * y ** max(i - 2, 0)) for i, c in zip((1, 2, 3), _BEALE_C, strict=True)]

    # f and df are the hot path of every Beale run: they compute only what they need, with the
    # same operations in the same order as the sums over `residuals` (so bit-identical results).
    def f(p):
        x, y = _xy(p)
        total = 0
        for i, c in zip((1, 2, 3), _BEALE_C, strict=True):
            total = total + (c - x + x * y**i) ** 2
        return total

    def df(p):
        x, y = _xy(p)
        gx = gy = 0
        for i, c in zip((1, 2, 3), _BEALE_C, strict=True):
            y_i = y**i
            r = c - x + x * y_i
            gx = gx + 2 * r * (y_i - 1)
            gy = gy + 2 * r * (i * x * y ** (i - 1))
        return _pair(gx, gy)

    def fdf(p):  # both in one pass over the three terms, each as in f and df (same bits)
        x, y = _xy(p)
        total = gx = gy = 0
        for i, c in zip((1, 2, 3), _BEALE_C, strict=True):
            y_i = y**i
            r = c - x + x * y_i
            total = total + r**2
            gx = gx + 2 * r * (y_i - 1)
            gy = gy + 2 * r * (i * x * y ** (i - 1))
        return total, _pair(gx, gy)

    def d2f(p):
        hxx = hxy = hyy = 0
        for r, rx, ry, rxy, ryy in residuals(p):
            hxx = hxx + 2 * rx * rx
            hxy = hxy + 2 * (rx * ry + r * rxy)
            hyy = hyy + 2 * (ry * ry + r * ryy)
        return _mat(hxx, hxy, hxy, hyy)

    return _make(
        "beale", 2,
        r"f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        f, df, d2f, [[3.0, 0.5]], [(-4.5, 4.5), (-4.5, 4.5)], fdf=fdf,
        finite_within=1e30,  # |x|, |y| <= 1e30: every residual below 1e121, its square 1e243
    )


def saddle() -> Objective:
    """``x^2 - y^2``: a saddle at the origin; no minimum (unbounded below along y)."""
    return _make(
        "saddle", 2, r"f(x, y) = x^2 - y^2",
        lambda p: p[..., 0] ** 2 - p[..., 1] ** 2,
        lambda p: _pair(2 * p[..., 0], -2 * p[..., 1]),
        lambda p: np.broadcast_to(np.diag([2.0, -2.0]), p.shape[:-1] + (2, 2)).copy(),
        np.empty((0, 2)), [(-2.0, 2.0), (-2.0, 2.0)], saddle_points=np.zeros((1, 2)),
        finite_within=1e150,  # squares of |x|, |y| <= 1e150 are at most 1e300
    )


def monkey_saddle() -> Objective:
    """``x^3 - 3xy^2``: three valleys meet at the origin, where the Hessian is zero too, so
    even curvature gives no hint which way is down."""

    def d2f(p):
        x, y = _xy(p)
        return _mat(6 * x, -6 * y, -6 * y, -6 * x)

    return _make(
        "monkey_saddle", 2, r"f(x, y) = x^3 - 3xy^2",
        lambda p: p[..., 0] ** 3 - 3 * p[..., 0] * p[..., 1] ** 2,
        lambda p: _pair(3 * p[..., 0] ** 2 - 3 * p[..., 1] ** 2, -6 * p[..., 0] * p[..., 1]),
        d2f, np.empty((0, 2)), [(-1.5, 1.5), (-1.5, 1.5)], saddle_points=np.zeros((1, 2)),
    )


def plateau(width: float = 1.0) -> Objective:
    r"""An upside-down Gaussian well ``1 - exp(-(x^2 + 2y^2) / (2 w^2))``.

    Far from the origin the surface is almost flat (the gradient decays like
    ``r e^{-r^2/2w^2}``), so gradient descent crawls for many steps before it "finds" the
    well, then drops fast: the shape of the plateaus that stall neural-network training.
    The factor 2 on ``y^2`` makes the well elliptical so paths are not trivially straight.
    """
    w2 = float(validate.positive("width", width)) ** 2
    scale = np.array([1.0, 2.0])

    def bump(p):
        return np.exp(-(p**2 @ scale) / (2 * w2))

    def df(p):
        return (bump(p)[..., None] * scale * p) / w2

    def d2f(p):
        sp = scale * p / w2
        outer = sp[..., :, None] * sp[..., None, :]
        return bump(p)[..., None, None] * (np.diag(scale / w2) - outer)

    return _make(
        "plateau", 2, rf"f(x, y) = 1 - \exp\!\left(-\frac{{x^2 + 2y^2}}{{{2 * w2:g}}}\right)",
        lambda p: 1 - bump(p), df, d2f, [[0.0, 0.0]],
        [(-4 * np.sqrt(w2), 4 * np.sqrt(w2)), (-4 * np.sqrt(w2), 4 * np.sqrt(w2))], width=width,
    )


# ----------------------------------------------------------------------------- data fitting
def _line_fit(x: np.ndarray, y: np.ndarray):
    """``(f, df, d2f)`` of the mean squared error of ``ŷ = w x + b`` on checked data."""

    def mean(a):  # np.mean(a, -1) is this sum and division (same bits), minus its overhead
        return np.add.reduce(a, axis=-1) / a.shape[-1]

    def residual(p):
        return p[..., 0, None] * x + p[..., 1, None] - y

    def df(p):
        r = residual(p)
        return _pair(2 * mean(r * x), 2 * mean(r))

    def d2f(p):
        H = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
        return np.broadcast_to(H, p.shape[:-1] + (2, 2)).copy()

    return lambda p: mean(residual(p) ** 2), df, d2f


_LINE_MSE_LATEX = r"f(w, b) = \frac1n \sum_i (w x_i + b - y_i)^2"


def line_mse(x_data, y_data) -> Objective:
    r"""Mean squared error of the line ``ŷ = w x + b`` on data; parameters ``θ = (w, b)``.

    ``L(θ) = mean((w xᵢ + b - yᵢ)^2)``. The loss is a quadratic in ``θ`` (Hessian
    ``2·[[mean x², mean x], [mean x, 1]]``), so ``optimum`` is the least-squares solution.
    ``batch(idx)`` is the same loss on the samples ``idx`` only (a mini-batch): the same
    values, gradients and Hessians as ``line_mse(x[idx], y[idx])``, built in a fraction of
    the time because the data were checked once and no least-squares solve is done for it
    (its ``minimizers`` are empty, as for a loss whose minimiser is not known).
    """
    # float copies (the caller's arrays may change later); strings and bools are refused
    x = validate.finite("x_data", x_data).ravel().copy()
    y = validate.finite("y_data", y_data).ravel().copy()
    if x.shape != y.shape or x.size == 0:
        raise ValueError(
            f"x_data and y_data must be non-empty and the same length, got {x.size} and {y.size}"
        )
    if np.ptp(x) > 0:
        optimum = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1), y, rcond=None)[0]
        mins = optimum[None]
    else:  # all x equal: a whole line of minimisers
        optimum, mins = None, np.empty((0, 2))
    center = optimum if optimum is not None else np.zeros(2)
    half = max(2.0, 1.25 * np.abs(center).max())  # wide enough to show the start (0, 0)
    bounds = tuple((float(c - half), float(c + half)) for c in center)
    no_minimizers = np.empty((0, 2))

    def batch(idx) -> Objective:
        xb, yb = x[idx], y[idx]
        if xb.ndim != 1 or xb.size == 0:
            raise ValueError(f"batch needs a non-empty 1-D index into the {x.size} samples, "
                             f"got {np.asarray(idx)!r}")
        return Objective("line_mse", 2, _LINE_MSE_LATEX, *_line_fit(xb, yb), no_minimizers,
                         bounds, {"x": xb, "y": yb})

    return _make("line_mse", 2, _LINE_MSE_LATEX, *_line_fit(x, y), mins, bounds, x=x, y=y,
                 optimum=optimum, batch=batch)


# -- issue 16 item 1 (docs/convergence.md): the first-order lower bound's function -------------
NESTEROV_MAX_DIM = 4096  # 128 MB for A


def nesterov_worst_case(d: int = 11, L: float = 1.0) -> Objective:
    r"""Nesterov's worst function for first-order methods:
    ``(L/4) (½ (x₁² + Σᵢ (xᵢ - xᵢ₊₁)² + x_d²) - x₁)`` on ``d`` coordinates.

    A quadratic ``½ xᵀA x + bᵀx`` with ``A = (L/4) tridiag(-1, 2, -1)`` and ``b = -(L/4) e₁``:
    ``L``-smooth (every eigenvalue is below ``L``) and convex. A gradient couples each coordinate
    only to its neighbours, so any method whose steps are combinations of the gradients seen has
    moved at most ``t`` coordinates away from 0 after ``t`` steps from 0, and cannot beat the
    minimum over those (Nesterov 2004, Section 2.1.2). Extras: ``A``, ``b``, ``L``, ``mu``
    (the smallest eigenvalue), ``optimum`` (``xᵢ* = 1 - i/(d+1)``) and ``f_star``
    (``(L/8)(1/(d+1) - 1)``).
    """
    if isinstance(d, bool) or not isinstance(d, int | np.integer) or d < 1:
        raise ValueError(f"d must be a positive integer, got {d!r}")
    if d > NESTEROV_MAX_DIM:  # A is kept as a dense d × d matrix
        raise ValueError(f"d must be at most {NESTEROV_MAX_DIM:,} (the matrix A is stored dense: "
                         f"d² = {d * d:,} numbers), got {d!r}")
    d, L = int(d), float(validate.positive("L", L))
    A = (L / 4) * (2 * np.eye(d) - np.eye(d, k=1) - np.eye(d, k=-1))
    b = np.zeros(d)
    b[0] = -L / 4
    optimum = 1 - np.arange(1, d + 1) / (d + 1)

    def value_and_grad(p):
        pA = p @ A
        return 0.5 * np.sum(pA * p, -1) + p @ b, pA + b

    return _make(
        "nesterov_worst_case", d,
        r"f(x) = \tfrac L4 \Big(\tfrac12 \big(x_1^2 + \textstyle\sum_{i<d} (x_i - x_{i+1})^2"
        r" + x_d^2\big) - x_1\Big)",
        lambda p: value_and_grad(p)[0], lambda p: value_and_grad(p)[1],
        lambda p: np.broadcast_to(A, p.shape[:-1] + (d, d)).copy(),
        optimum[None], [(-0.5, 1.5)] * d, fdf=value_and_grad,
        A=A, b=b, L=L, mu=float(L / 2 * (1 - np.cos(np.pi / (d + 1)))), optimum=optimum,
        f_star=L / 8 * (1 / (d + 1) - 1),
    )
# -- end issue 16 item 1 -------------------------------------------------------------------------


# ----------------------------------------------------------------------------- registry
OBJECTIVES: dict[str, Callable[..., Objective]] = {
    "shifted_parabola": shifted_parabola,
    "parabola_plus": parabola_plus,
    "quartic": quartic,
    "quadratic": quadratic,
    "ill_conditioned": ill_conditioned,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "saddle": saddle,
    "monkey_saddle": monkey_saddle,
    "plateau": plateau,
    "line_mse": line_mse,
    "nesterov_worst_case": nesterov_worst_case,  # issue 16 item 1
}


def get_objective(name: str, **kwargs) -> Objective:
    """Build an objective by name, e.g. ``get_objective("rosenbrock", b=10)``."""
    validate.one_of("objective name", name, list(OBJECTIVES))
    return OBJECTIVES[name](**kwargs)
