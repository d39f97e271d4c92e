# %% [markdown]
# # Gradient descent in two dimensions
#
# First the round bowl $f(x, y) = x^2 + y^2$, where the gradient points straight at the
# minimum. Then a long, narrow valley (an ill-conditioned quadratic), where it does not, and
# gradient descent zig-zags. On a quadratic with Hessian eigenvalues between $\mu$ and $L$ the
# best fixed step is $\eta^* = 2/(\mu + L)$, and the error then shrinks by the factor
# $(\kappa - 1)/(\kappa + 1)$ per step, $\kappa = L/\mu$. The table at the end measures it.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("two_dimensions")


def contour(ax, objective, box, levels):
    """Level sets of a 2-D objective inside ``box = ((x0, x1), (y0, y1))``, equal axes."""
    gd.contour(ax, objective, box, n=201, levels=levels)
    ax.set(xlabel="$x$", ylabel="$y$", xlim=box[0], ylim=box[1], aspect="equal")


# %% [markdown]
# ## The round bowl
# Written as $\tfrac12 \theta^\top A \theta$ with $A = 2I$: both eigenvalues are 2.

# %%
bowl = gd.quadratic([2.0, 2.0])
X0, LR, STEPS = np.array([4.0, 3.0]), 0.1, 25
run = gd.run(gd.sgd(lr=LR), bowl, x0=X0, steps=STEPS)
path = run.points
out.value("bowl_x0", f"({X0[0]:g}, {X0[1]:g})")
out.value("bowl_lr", LR, fmt="{:g}")
out.value("bowl_steps", STEPS)
out.value("bowl_factor", 1 - 2 * LR, fmt="{:g}")
out.value("bowl_f0", run.values[0], fmt="{:g}")
out.value("bowl_f_final", run.values[-1], fmt="{:.6f}")

fig, ax = gd.figure(subplot_kw={"projection": "3d"})
X, Y, Z = bowl.grid(61, bounds=((-5, 5), (-5, 5)))
ax.plot_surface(X, Y, Z, cmap="viridis", alpha=0.55, linewidth=0, antialiased=True)
ax.plot(path[:, 0], path[:, 1], run.values, "o-", ms=3, lw=1.5, color=gd.COLORS["red"],
        label=rf"GD path, $\eta = {LR:g}$", zorder=10)
ax.set(xlabel="$x$", ylabel="$y$", zlabel="$f(x, y)$", title="The bowl $x^2 + y^2$")
ax.view_init(elev=32, azim=-60)
ax.legend(loc="upper left")
out.figure(fig, "bowl_surface", caption=(
    f"On the round bowl x² + y² the path from ({X0[0]:g}, {X0[1]:g}) heads straight down to "
    "the bottom: the gradient points directly away from the minimum."),
    alt=(
    "A 3-D bowl-shaped surface f(x, y) = x^2 + y^2 with the gradient-descent path drawn on it as "
    f"red dots, sliding from ({X0[0]:g}, {X0[1]:g}) at height {run.values[0]:g} down to the "
    "bottom at the origin."
))

fig, (ax_c, ax_l) = gd.figure(2, 1, figsize=(5.4, 5.8), height_ratios=[1.6, 1])
contour(ax_c, bowl, ((-5, 5), (-4, 4)), levels=[0.25, 1, 2.25, 4, 6.25, 9, 12.25, 16, 20.25, 25])
ax_c.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, color=gd.COLORS["red"], label="GD path")
gd.mark_start(ax_c, *X0)
ax_c.set_title("Level sets and path")
ax_c.legend(loc="lower left")
ax_l.semilogy(np.arange(STEPS + 1), run.values, "o-", ms=3, color=gd.COLORS["blue"],
              label="$f(x_t, y_t)$")
ax_l.semilogy(np.arange(STEPS + 1), run.values[0] * (1 - 2 * LR) ** (2 * np.arange(STEPS + 1)),
              color=gd.COLORS["grey"], lw=1, ls="--", label=rf"${run.values[0]:g} \cdot {(1 - 2 * LR) ** 2:g}^t$")
ax_l.set(xlabel="step $t$", ylabel="$f$ (log scale)", title="Loss per step")
ax_l.legend()
out.figure(fig, "bowl_contour", caption=(
    "Seen from above, the path crosses every circle at a right angle; below, the loss is a "
    f"straight line on a log scale, multiplied by {(1 - 2 * LR) ** 2:g} every step."),
    alt=(
    "Top: circular level sets of x^2 + y^2 with the gradient-descent path, a straight line of dots "
    f"from ({X0[0]:g}, {X0[1]:g}) to the origin, crossing every circle at a right angle. Bottom: the "
    f"loss on a log scale, a straight line falling by the factor {(1 - 2 * LR) ** 2:g} per step."
))

# %% [markdown]
# ## A narrow valley
# A quadratic with eigenvalues $\mu = {{ value: two_dimensions/valley_mu }}$ and
# $L = {{ value: two_dimensions/valley_big_l }}$, rotated by
# {{ value: two_dimensions/valley_angle }}°. Two fixed steps:
# $\eta = 1/L$ (removes the steep direction in one step, then crawls) and the best fixed step
# $\eta^* = 2/(\mu + L)$ (zig-zags, but shrinks every direction by the same factor).

# %%
KAPPA, ANGLE_DEG = 10.0, 30.0
valley = gd.ill_conditioned(KAPPA, L=1.0, angle=np.deg2rad(ANGLE_DEG))
mu, L = valley.mu, valley.L
best = gd.regimes.best_fixed_lr(mu, L)
etas = np.array([1.0 / L, best])
START = np.array([-4.0, 1.0])
VALLEY_STEPS = 30
runs = gd.run(gd.sgd(lr=etas), valley, x0=np.tile(START, (2, 1)), steps=VALLEY_STEPS)
out.value("valley_kappa", KAPPA, fmt="{:g}")
out.value("valley_mu", mu, fmt="{:g}")
out.value("valley_big_l", L, fmt="{:g}")
out.value("valley_angle", ANGLE_DEG, fmt="{:g}")
out.value("valley_best_lr", best, fmt="{:.4f}")
out.value("valley_best_rate", gd.regimes.optimal_rate(KAPPA), fmt="{:.4f}")
out.value("valley_slow_rate", 1 - 1 / KAPPA, fmt="{:g}")
out.value("valley_steps", VALLEY_STEPS)
# the explorer beside the valley figure starts from here (space-separated numbers)
out.value("valley_x0_data", " ".join(repr(float(v)) for v in START))

fig, (ax_c, ax_e) = gd.figure(2, 1, figsize=(5.4, 5.8), height_ratios=[1.6, 1])
levels = valley.value(START) * np.geomspace(1e-3, 1.0, 9)
VALLEY_BOX = ((-4.5, 4.5), (-3.5, 3.5))
contour(ax_c, valley, VALLEY_BOX, levels=levels)
labels = [rf"$\eta = 1/L = {etas[0]:g}$", rf"$\eta^* = 2/(\mu+L) \approx {etas[1]:.3f}$"]
colors = [gd.COLORS["blue"], gd.COLORS["red"]]
t = np.arange(VALLEY_STEPS + 1)
for i, (label, color) in enumerate(zip(labels, colors, strict=True)):
    p = runs.path(i)
    ax_c.plot(p[:, 0], p[:, 1], "o-", ms=2.5, lw=1, color=color, label=label)
    err = np.linalg.norm(runs.points[:, i], axis=-1)
    ax_e.semilogy(t, err / err[0], "o-", ms=2.5, lw=1, color=color, label=label)
ax_e.semilogy(t, gd.regimes.optimal_rate(KAPPA) ** t, color=gd.COLORS["grey"], ls="--", lw=1,
              label=r"$\left(\frac{\kappa-1}{\kappa+1}\right)^t$")
ax_e.semilogy(t, (1 - 1 / KAPPA) ** t, color=gd.COLORS["grey"], ls=":", lw=1,
              label=r"$(1 - 1/\kappa)^t$")
gd.mark_start(ax_c, *START, label=None)
out.value("valley_xlim_data", " ".join(repr(float(v)) for v in VALLEY_BOX[0]))
out.value("valley_ylim_data", " ".join(repr(float(v)) for v in VALLEY_BOX[1]))
ax_c.set_title(rf"Valley with $\kappa = {KAPPA:g}$")
ax_c.legend(loc="lower right")
ax_e.set(xlabel="step $t$", ylabel=r"$\|\theta_t - \theta^*\| / \|\theta_0 - \theta^*\|$",
         title="Error per step")
ax_e.legend()
out.figure(fig, "valley", caption=(
    f"On a valley with κ = {KAPPA:g}, the smooth path (η = 1/L) is the slow one: it creeps "
    "along the flat floor. The zig-zagging path (η = 2/(μ + L)) converges faster, as the error "
    "plot below shows against both predicted rates."),
    alt=(
    f"Top: elongated elliptical level sets of a quadratic with condition number {KAPPA:g}, "
    f"tilted by {ANGLE_DEG:g} degrees, and two gradient-descent paths from "
    f"({START[0]:g}, {START[1]:g}): with step 1/L the path drops into the "
    "valley floor at once and then creeps along it; with the best fixed step 2/(mu+L) it zig-zags "
    "across the valley. Bottom: the relative error on a log scale; the zig-zagging run falls faster, "
    "along the line ((kappa-1)/(kappa+1))^t, the other along (1-1/kappa)^t."
))

# %% [markdown]
# The first steps of the same two runs as an animation, one frame per step.

# %%
fig, ax = gd.figure(figsize=(5.4, 3.6))
contour(ax, valley, ((-4.5, 4.5), (-3.5, 3.5)), levels=levels)
gd.mark_start(ax, *START)
lines = [ax.plot([], [], "o-", ms=3, lw=1.2, color=color, label=label)[0]
         for label, color in zip(labels, colors, strict=True)]
counter = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top",
                  bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85})
ax.set_title(rf"Valley with $\kappa = {KAPPA:g}$: two fixed steps")
ax.legend(loc="lower right")


def draw_frame(i):
    for k, line in enumerate(lines):
        line.set_data(runs.points[: i + 1, k, 0], runs.points[: i + 1, k, 1])
    counter.set_text(f"step {i}")


GIF_STEPS = 15  # the zig-zag is plain within 15 steps; fewer frames keep the build fast
gd.freeze_background(fig, [*lines, counter])  # contours and legend are drawn once
out.gif(fig, draw_frame, frames=GIF_STEPS + 1, name="valley_descent", fps=4, caption=(
    f"The first {GIF_STEPS} steps of the two runs, one frame per step: the η = 1/L run drops "
    "to the valley floor at once and then creeps; the η = 2/(μ + L) run bounces across but "
    "gains more ground along the valley."),
    alt=(
    f"Animation over {GIF_STEPS} steps on the tilted valley with condition number {KAPPA:g}: "
    "the run with step 1/L drops to the valley floor in one step and then creeps along it; the run "
    "with the best fixed step 2/(mu+L) bounces from wall to wall across the valley while moving "
    "faster towards the centre."
))

# %% [markdown]
# ## Measured against predicted rates
# For several condition numbers: the per-step error factor, measured as the geometric mean
# over the part of the run where the error is between ${{ value: two_dimensions/window_hi }}$
# and ${{ value: two_dimensions/window_lo }}$ of its start.

# %%
KAPPAS = [2, 5, 10, 20, 50, 100]
TABLE_STEPS = 1500
WINDOW = (1e-2, 1e-10)  # measure the rate while the relative error is inside this band
for name, bound in zip(("window_hi", "window_lo"), WINDOW, strict=True):
    out.value(name, f"10^{{{int(np.log10(bound))}}}")


def measured(objective, lr):
    """Asymptotic per-step error factor of GD with step ``lr`` from (1, 1), and steps to 1e-6."""
    r = gd.run(gd.sgd(lr=lr), objective, x0=[1.0, 1.0], steps=TABLE_STEPS)
    rel = gd.distances(r.points, objective.minimizers[0])
    rel = rel / rel[0]
    inside = np.flatnonzero((rel <= WINDOW[0]) & (rel >= WINDOW[1]))
    rate = float(gd.measured_rate(rel, start=inside[0], stop=inside[-1]))
    return rate, int(gd.steps_to_reach(rel, 1e-6))


rate_rows = []
for kappa in KAPPAS:
    q = gd.ill_conditioned(kappa, L=1.0, angle=np.deg2rad(ANGLE_DEG))
    eta_star = gd.regimes.best_fixed_lr(q.mu, q.L)
    predicted = gd.regimes.optimal_rate(kappa)
    rate_star, steps_star = measured(q, eta_star)
    rate_one, _ = measured(q, 1.0 / q.L)
    difference = 100 * (rate_star / predicted - 1)
    rate_rows.append((kappa, eta_star, predicted, rate_star,
                      f"{difference:.0e}" if difference else "0", steps_star, 1 - 1 / kappa,
                      rate_one))
out.table("rates", rate_rows, headers=[
    r"$\kappa$", r"$\eta^* = 2/(\mu+L)$", r"predicted $\frac{\kappa-1}{\kappa+1}$",
    r"measured at $\eta^*$", "difference (%)", r"steps to $10^{-6}$ at $\eta^*$",
    r"predicted $1 - 1/\kappa$ at $\eta = 1/L$", r"measured at $1/L$",
], floatfmt=["g", ".4f", ".4f", ".4f", "s", "d", ".4f", ".4f"])
out.value("rates_kappas", ", ".join(str(k) for k in KAPPAS))
out.value("rates_max_difference", max(abs(float(r[4])) for r in rate_rows), fmt="{:.0e}")

# %% [markdown]
# ## Exercises (docs/two-dimensions.md)
# The factors and the rate of $\eta = 1.9/L$ (past $\eta^*$), how many more steps $\eta = 1/L$ takes than $\eta^*$
# on this valley, and the steps $\eta^*$ needs to shrink the error a million times at
# $\kappa = 1000$ (the closed form, no run).

# %%
big_step = 1.9 / L  # above eta*, below 2 / L
out.value("ex_big_step_steep", 1 - big_step * L, fmt="{:.4g}")
out.value("ex_big_step_flat", 1 - big_step * mu, fmt="{:.4g}")
out.value("ex_big_step_rate", max(abs(1 - big_step * L), abs(1 - big_step * mu)), fmt="{:.4g}")
out.value("ex_steps_ratio", np.log(gd.regimes.optimal_rate(KAPPA)) / np.log(1 - 1 / KAPPA),
          fmt="{:.3f}")
steps_1000 = int(np.ceil(np.log(1e-6) / np.log(gd.regimes.optimal_rate(1000.0))))
out.value("ex_steps_kappa_1000", float(steps_1000), fmt="{:.0f}")  # a float: checked to 1 %
