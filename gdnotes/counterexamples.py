r"""Small functions built to break a method, so pages can show the failure rather than assert it.

:func:`lessard` is the one-dimensional, strongly convex, smooth function of Lessard, Recht &
Packard (2016, SIAM J. Optim. 26(1)): its curvature is 25 on two pieces and 1 on the middle
one, so ``mu = 1`` and ``L = 25``. Heavy ball with Polyak's tuning for exactly these ``mu``
and ``L`` (the tuning that is optimal on *quadratics*) falls into a 3-cycle from some starts,
while Nesterov's method converges from everywhere.
"""

from __future__ import annotations

import numpy as np

from .objectives import Objective

_LESSARD_LATEX = (
    r"f(x) = \begin{cases} \tfrac{25}{2}x^2 & x < 1 \\ \tfrac12 x^2 + 24x - 12 & 1 \le x < 2 \\"
    r" \tfrac{25}{2}x^2 - 24x + 36 & x \ge 2 \end{cases}"
)


def lessard() -> Objective:
    """Lessard–Recht–Packard's piecewise quadratic (1-D): ``mu = 1``, ``L = 25``, minimum at 0.

    Value and slope are continuous at the break points 1 and 2; the second derivative jumps
    between 25 and 1, which is what a quadratic-tuned heavy ball cannot cope with.
    """

    def f(p):
        x = p[..., 0]
        return np.where(x < 1, 12.5 * x**2,
                        np.where(x < 2, 0.5 * x**2 + 24 * x - 12, 12.5 * x**2 - 24 * x + 36))

    def df(p):
        return np.where(p < 1, 25 * p, np.where(p < 2, p + 24, 25 * p - 24))

    def d2f(p):
        return np.where(p < 1, 25.0, np.where(p < 2, 1.0, 25.0))[..., None]

    return Objective("lessard", 1, _LESSARD_LATEX, f, df, d2f, np.zeros((1, 1)),
                     ((-3.0, 4.0),), {"mu": 1.0, "L": 25.0, "kappa": 25.0})
