"""gdnotes: gradient descent, taught by code that runs.

The library behind the site: objectives, optimizers, runs, schedules, data, and the helpers
examples use to write their figures. ``import gdnotes as gd``.
"""

from . import notation, regimes
from .animate import freeze_background
from .counterexamples import lessard
from .counting import counted, floats_in
from .data import WORKED_X, WORKED_Y, batches, regression_data
from .diagnostics import (  # issue 16 item 6 (bug clinic)
    GradientCheck,
    RangeTest,
    flat_loss,
    gradient_check,
    lr_range_test,
)
from .exact import Iteration, worked_regression
from .limited_memory import lbfgs

# -- issue 16 item 2: step sizes chosen at every step (docs/step-size-rules.md) --
from .line_search import (
    backtracking,
    exact_line_search,
    exact_quadratic_step,
    polyak,
    polyak_step_size,
)

# -- end issue 16 item 2 --
from .nets import deep_gradient_norms, mlp, train_manual, train_optim, two_moons
from .objectives import (
    OBJECTIVES,
    Objective,
    beale,
    get_objective,
    ill_conditioned,
    line_mse,
    monkey_saddle,
    nesterov_worst_case,  # issue 16 item 1 (docs/convergence.md)
    parabola_plus,
    plateau,
    quadratic,
    quartic,
    rosenbrock,
    saddle,
    shifted_parabola,
)
from .optimizers import (
    Optimizer,
    adadelta,
    adagrad,
    adam,
    adamw,
    bfgs,
    nadam,
    newton,
    rmsprop,
    sgd,
)
from .outputs import Outputs, format_bound, format_number, markdown_table
from .racing import Entry, Sweep, first_step, lr_sweep, near_minimizer, outcome, race
from .rates import (
    distances,
    gd_tuning,
    measured_rate,
    nesterov_tuning,
    polyak_tuning,
    steps_to_reach,
)
from .registry import OPTIMIZERS, get_optimizer
from .runs import Run, run
from .schedules import Schedule, constant, cosine_decay, exponential_decay, step_decay, warmup

# -- issue 16 items 3-4 (spectral picture, momentum under noise): per-eigencomponent maps --
from .spectral import (
    component_errors,
    component_modes,
    damping,
    discrete_lyapunov,
    expected_square_error,
    iteration_matrix,
    noisy_quadratic,
    spectral_radius,
    stationary_covariance,
)

# -- end issue 16 items 3-4 --
from .stochastic import StochasticRun, gradient_noise, minibatch_sgd, predicted_floor
from .style import COLORS, contour, figure, mark_optimum, mark_start, use_style
from .summary import HEADERS as SUMMARY_HEADERS
from .summary import summary_rows, update_equations
