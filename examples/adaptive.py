# %% [markdown]
# # Per-coordinate step sizes: AdaGrad, RMSprop, Adadelta
#
# A badly scaled bowl, $f(x) = \tfrac12(\mu x_1^2 + L x_2^2)$ with
# $L/\mu = {{ value: adaptive/kappa }}$: the gradient is {{ value: adaptive/kappa }} times larger
# along $x_2$ than along $x_1$ for the same distance from the minimum, so one learning rate cannot suit both coordinates. The three methods here divide
# each coordinate's gradient by a running measure of that coordinate's gradient size.
# Every method gets its best learning rate from a grid (one batched run per method).

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("adaptive")

KAPPA = 100.0
X0 = np.array([-4.0, 1.0])
STEPS = 1500
THRESHOLD = 1e-3  # "converged" = within this distance of the minimiser, and staying there
LRS = np.geomspace(1e-3, 10.0, 33)
METHODS = {
    "GD": gd.sgd,
    "AdaGrad": gd.adagrad,
    "RMSprop": gd.rmsprop,
    "RMSprop (centered)": lambda lr: gd.rmsprop(lr=lr, centered=True),
    "Adadelta": gd.adadelta,
}
COLOR = dict(zip(METHODS, ("orange", "blue", "green", "sky", "purple"), strict=True))
DASH = dict(zip(METHODS, ("-", "-", "--", ":", "-"), strict=True))

# %% [markdown]
# ## Axis-aligned versus rotated
# The same bowl twice: with its axes along the coordinates, and rotated by
# {{ value: adaptive/angle }}°. Per-coordinate scaling can only fix the first. For each method
# and bowl, one batched run covers the whole learning-rate grid; a run counts as converged at
# the first step from which it stays within the threshold of the minimiser for at least
# `HOLD` steps (a fly-by does not count). The best learning rate is picked separately for a
# coarse ({{ value: adaptive/coarse }}) and a fine ({{ value: adaptive/fine }}) threshold.

# %%
ANGLE = 45.0  # degrees, the rotation of the second bowl
ROTATED = f"rotated {ANGLE:g}°"
problems = {
    "axis-aligned": gd.ill_conditioned(KAPPA, L=1.0),
    ROTATED: gd.ill_conditioned(KAPPA, L=1.0, angle=np.deg2rad(ANGLE)),
}
COARSE = 0.1
THRESHOLDS = (COARSE, THRESHOLD)
HOLD = 100
# Some of these counts are chaotic: the tuned lr and the step count jump when the start moves
# by one part in 10¹². So every sweep also runs from nudged starts x0·(1 + ν) (same batch,
# almost free); a count is quoted only where all of them agree, else called chaotic (a range
# would not be robust either: the spread of the counts is itself chaotic).
NUDGES = np.array([0.0, 1e-12, -1e-12, 1e-9, -1e-9])
best = {}  # (method, bowl, threshold) -> (lr, steps, path) of the plain start
spread = {}  # (method, bowl, threshold) -> tuned (lr, steps) for every nudged start
for label, bowl in problems.items():
    for name, make in METHODS.items():
        starts = np.repeat(1 + NUDGES, LRS.size)[:, None] * X0
        sweep = gd.run(make(lr=np.tile(LRS, NUDGES.size)), bowl, starts, steps=STEPS)
        for threshold in THRESHOLDS:
            steps = gd.first_step(sweep, gd.near_minimizer(bowl, threshold), hold=HOLD)
            steps = np.where(steps >= 0, steps, STEPS + 1).reshape(NUDGES.size, LRS.size)
            tuned = np.argmin(steps, axis=1)  # per start
            best[name, label, threshold] = (LRS[tuned[0]], int(steps[0, tuned[0]]),
                                            sweep.path(int(tuned[0])))
            spread[name, label, threshold] = [(LRS[i], int(steps[k, i]))
                                              for k, i in enumerate(tuned)]


def count(name, label, threshold) -> str | None:
    """The step count if every nudged start agrees on it, "chaotic" if not; None: never."""
    counts = [n for _, n in spread[name, label, threshold]]
    if min(counts) > STEPS:
        return None
    return str(counts[0]) if len(set(counts)) == 1 else "chaotic"


def cell(name, label, threshold):
    text = count(name, label, threshold)
    if text is None:
        return f"did not converge in {STEPS}"
    lrs = {lr for lr, _ in spread[name, label, threshold]}
    return f"{text} (lr {lrs.pop():.2g})" if text != "chaotic" and len(lrs) == 1 else text


rows = [(name, *[cell(name, label, th) for label in problems for th in THRESHOLDS])
        for name in METHODS]
out.table("steps", rows, headers=["method"] + [f"{label}: steps to {th:g}" for label in problems
                                                for th in THRESHOLDS])
for name in METHODS:
    slug = name.lower().replace(" (centered)", "_centered").replace(" ", "_")
    for label, key in (("axis-aligned", "aligned"), (ROTATED, "rotated")):
        for th, tkey in zip(THRESHOLDS, ("coarse", "fine"), strict=True):
            text = count(name, label, th)
            out.value(f"steps_{key}_{tkey}_{slug}", text or f"more than {STEPS}")
out.value("kappa", KAPPA, fmt="{:g}")
out.value("rmsprop_alpha", gd.rmsprop().hyperparams["alpha"], fmt="{:g}")  # torch's default
out.value("angle", ANGLE, fmt="{:g}")
out.value("hold", HOLD)
out.value("coarse", THRESHOLDS[0], fmt="{:g}")
out.value("fine", THRESHOLDS[1], fmt="{:g}")
out.value("lr_grid", f"{LRS.size} learning rates from {LRS[0]:g} to {LRS[-1]:g}")

SHOWN = 120
fig, axes = gd.figure(2, 1, sharey=True)
for ax, (label, bowl) in zip(axes, problems.items(), strict=True):
    gd.contour(ax, bowl, ((-4.5, 4.5), (-3, 3)), levels=np.geomspace(1e-3, 2 * bowl.value(X0), 10),
               cmap=None, colors=gd.COLORS["grey"], linewidths=0.6)
    for name in METHODS:
        lr, _, path = best[name, label, COARSE]
        ax.plot(*path[:SHOWN].T, DASH[name], lw=1.6, color=gd.COLORS[COLOR[name]],
                label=f"{name} (lr {lr:.2g})")
    gd.mark_start(ax, *X0, label=None)
    ax.set(xlabel="$x_1$", title=f"{label}, first {SHOWN} steps", xlim=(-4.5, 4.5), ylim=(-3, 3),
           aspect="equal")
    ax.legend(loc="lower right")
axes[0].set_ylabel("$x_2$")
out.figure(fig, "paths", caption=(
    "Per-coordinate step sizes help when the narrow direction is an axis (top): the adaptive "
    f"methods head almost straight for the minimum. Rotate the same bowl by {ANGLE:g}° (below) "
    "and they zig-zag like gradient descent."),
    alt=(
    "Two contour plots of the same long, narrow quadratic bowl, axis-aligned on top and "
    f"rotated by {ANGLE:g} degrees below, with the first {SHOWN} steps of gradient descent, "
    "AdaGrad, RMSprop, centered RMSprop and Adadelta from the star at "
    f"({X0[0]:g}, {X0[1]:g}). On the aligned bowl the "
    "adaptive methods head almost straight for the minimum; on the rotated bowl they lose that "
    "advantage and zig-zag like gradient descent."
))

# %% [markdown]
# ## AdaGrad's step only ever shrinks; RMSprop's recovers
# The effective learning rate of coordinate $i$ is the step it actually took divided by its
# gradient, $-\Delta\theta_i / g_i$, read off the runs on the rotated bowl above (where
# neither method finishes in a handful of steps).

# %%
fig, ax = gd.figure()
rotated = problems[ROTATED]
for name in ("AdaGrad", "RMSprop"):
    path = best[name, ROTATED, COARSE][2]
    grads = rotated.grad(path[:-1])
    keep = np.abs(grads[:, 0]) > 1e-9
    eff = -np.diff(path, axis=0)[keep, 0] / grads[keep, 0]
    ax.loglog(np.arange(1, len(path))[keep], eff, DASH[name], color=gd.COLORS[COLOR[name]],
              label=f"{name} (lr {best[name, ROTATED, COARSE][0]:.2g}), coordinate $x_1$")
ax.axhline(2 / rotated.L, color=gd.COLORS["grey"], ls=":", lw=1.5,
           label="$2/L$: stability limit of the steepest direction")
ax.set(xlabel="step $t$", ylabel=r"effective learning rate $-\Delta\theta_1 / g_1$",
       title="Step size per unit gradient over time (rotated bowl)")
ax.legend()
out.figure(fig, "effective_lr", caption=(
    "AdaGrad's effective learning rate (solid) only ever falls; RMSprop's (dashed) climbs as "
    "the gradients shrink, overshoots the stability limit 2/L (dotted) and settles on it."),
    alt=(
    "Log-log plot of the effective learning rate against the step on the rotated bowl. "
    "AdaGrad's (solid) drops over the first steps and then stays flat, never rising again; "
    "RMSprop's (dashed) climbs as the gradients shrink, overshoots the stability limit 2/L, "
    "and settles onto it after a few oscillations."
))

# %% [markdown]
# ## The catch: RMSprop's memory fades at the minimum too
# Run longer. Once RMSprop has converged, the gradients are tiny, $v_t$ decays by $\alpha$ per
# step and the effective learning rate $\eta/(\sqrt{v_t}+\epsilon)$ grows without limit, until
# the steep coordinate is unstable again and the iterate is thrown back out to a distance of
# the order of $\eta$. AdaGrad's sum never decays, so it stays put.

# %%
LONG = 3000
bowl = problems["axis-aligned"]
fig, ax = gd.figure(figsize=(5.0, 3.2))  # shown inside a warning box: a narrower column
bounce = {}
for name in ("AdaGrad", "RMSprop"):
    lr = best[name, "axis-aligned", COARSE][0]
    long_run = gd.run(METHODS[name](lr=lr), bowl, X0, steps=LONG)
    dist = gd.distances(long_run.points, np.zeros(2))
    bounce[name] = (float(dist.min()), float(dist[-1]), lr)
    ax.semilogy(np.arange(LONG + 1), np.maximum(dist, 1e-40), color=gd.COLORS[COLOR[name]],
                label=f"{name}, lr {lr:.2g}")
ax.set(xlabel="step $t$", ylabel=r"distance to the minimiser $\|\theta_t\|$", ylim=(1e-40, 1e3),
       title="Long runs on the aligned bowl (floor drawn at $10^{-40}$)")
ax.legend()
out.figure(fig, "long_run", caption=(
    f"Over {LONG} steps AdaGrad keeps the accuracy it reached; RMSprop, riding the stability "
    "limit, loses many orders of magnitude again and ends oscillating."),
    alt=(
    f"Distance to the minimum on a log scale over {LONG} steps. AdaGrad converges and stays at "
    "its final accuracy. RMSprop first converges to extremely small distances, then the error "
    "grows back by many orders of magnitude and settles into an oscillation at a distance "
    "comparable to its learning rate."
))
out.value("rmsprop_lr", bounce["RMSprop"][2], fmt="{:.2g}")
out.value("rmsprop_min", bounce["RMSprop"][0], fmt="{:.0e}")
out.value("rmsprop_end", bounce["RMSprop"][1], fmt="{:.2g}")
out.value("long_steps", LONG)

# %% [markdown]
# ## Units: rescale the problem, keep the hyperparameters
# Measure $x$ in different units: $f_c(\theta) = f(\theta / c)$, started at $c\,x_0$. A method
# whose steps carry the units of $\theta$ should need the same number of steps for every $c$
# (to the same *relative* accuracy, here ${{ value: adaptive/coarse }}\,c$). Each method keeps the learning rate it
# was tuned to at $c = 1$.

# %%
base = problems["axis-aligned"]
tuned = {name: best[name, "axis-aligned", COARSE][0] for name in METHODS}
scale_rows = []
SCALES = (0.01, 1.0, 100.0)
for name in ("GD", "AdaGrad", "RMSprop", "Adadelta"):
    cells = []
    for c in SCALES:
        scaled = gd.quadratic(base.eigenvalues / c**2)
        run = gd.run(METHODS[name](lr=tuned[name]), scaled, c * X0, steps=STEPS)
        step = int(gd.first_step(run, gd.near_minimizer(scaled, COARSE * c), hold=HOLD))
        cells.append(gd.outcome(gd.Entry(name, tuned[name], run.path(), step, run.status, STEPS)))
    scale_rows.append((name, f"{tuned[name]:.3g}", *cells))
out.table("units", scale_rows, headers=[
    "method", "lr (tuned at c = 1)", *[f"steps, c = {c:g}" for c in SCALES]])
out.value("largest_scale", max(SCALES), fmt="{:g}")
adadelta = gd.adadelta().hyperparams  # torch's defaults
out.value("adadelta_first_step", np.sqrt(adadelta["eps"] / (1 - adadelta["rho"])), fmt="{:.1e}")

# %% [markdown]
# ## Exercises (docs/adaptive.md)
# AdaGrad's 100th step under a constant gradient, RMSprop's first step (no bias correction),
# and the diagonal of the rotated bowl's Hessian, which is all a per-coordinate method sees.

# %%
def step_sizes(optimizer, steps, grad=3.0):
    """The length of each step under a constant gradient (a linear function)."""
    x = np.zeros(1)
    state, sizes = optimizer.init(x), []
    for _ in range(steps):
        moved, state = optimizer.update(state, x, np.array([grad]))
        sizes.append(abs(float(moved[0] - x[0])))
        x = moved
    return sizes


out.value("ex_adagrad_step_100", step_sizes(gd.adagrad(lr=0.1), 100)[-1], fmt="{:.4f}")
out.value("ex_rmsprop_first_ratio", step_sizes(gd.rmsprop(lr=0.01), 1)[0] / 0.01, fmt="{:.4f}")
out.value("ex_rotated_diag", float(problems[ROTATED].hessian(np.zeros(2))[0, 0]), fmt="{:.4f}")
