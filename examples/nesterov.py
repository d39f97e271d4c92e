# %% [markdown]
# # Nesterov's method against the heavy ball
#
# `gd.sgd(lr, momentum=β, nesterov=True)` is Nesterov's accelerated gradient in the form
# `torch.optim.SGD(nesterov=True)` implements:
#
# $$u_{t+1} = \beta u_t + \nabla f(\theta_t), \qquad
#   \theta_{t+1} = \theta_t - \eta\,\bigl(\nabla f(\theta_t) + \beta\, u_{t+1}\bigr).$$
#
# Two comparisons with heavy ball (`nesterov=False`): on quadratics, where the theory of both
# is exact, and on a strongly convex function that is *not* quadratic.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("nesterov")

# %% [markdown]
# ## On a quadratic: four tunings, predicted and measured
# A {{ value: nesterov/dim }}-dimensional quadratic with curvatures spread from
# $\mu = {{ value: nesterov/mu }}$ to $L = {{ value: nesterov/big_l }}$ (condition number
# $\kappa = {{ value: nesterov/kappa }}$): the worst-case theory assumes any curvature in $[\mu, L]$ may occur,
# so the test bowl has many, not just the two extremes. Predicted rates: gradient descent
# $(\kappa-1)/(\kappa+1)$; heavy ball with Polyak's tuning $(\sqrt\kappa-1)/(\sqrt\kappa+1)$;
# Nesterov with the textbook tuning $\eta = 1/L$, $\beta = (\sqrt\kappa-1)/(\sqrt\kappa+1)$:
# $1 - 1/\sqrt\kappa$; Nesterov with the best tuning for quadratics (Lessard, Recht &
# Packard 2016) $\eta = 4/(3L+\mu)$, $\beta = (\sqrt{3\kappa+1}-2)/(\sqrt{3\kappa+1}+2)$:
# $1 - 2/\sqrt{3\kappa+1}$.

# %%
KAPPA = 100.0
DIM = 12
bowl = gd.quadratic(np.geomspace(1 / KAPPA, 1.0, DIM))
mu, L = bowl.mu, bowl.L
start, origin = np.ones(DIM), np.zeros(DIM)
eta_gd, rate_gd = gd.gd_tuning(mu, L)
tunings = [  # (name, eta, beta, predicted rate, nesterov)
    ("gradient descent", eta_gd, 0.0, rate_gd, False),
    ("heavy ball, Polyak", *gd.polyak_tuning(mu, L), False),
    ("Nesterov, textbook", *gd.nesterov_tuning(mu, L), True),
    ("Nesterov, best for quadratics", *gd.nesterov_tuning(mu, L, best_for_quadratics=True),
     True),
]
STEPS = 600
rows = []
for name, eta, beta, predicted, nesterov in tunings:
    run = gd.run(gd.sgd(lr=eta, momentum=beta, nesterov=nesterov), bowl, start, steps=STEPS)
    measured = float(gd.measured_rate(gd.distances(run.points, origin)))
    rows.append((name, f"{eta:.4f}", f"{beta:.4f}", predicted, measured))
out.table("quadratic_rates", rows, headers=[
    "method", r"$\eta$", r"$\beta$", "rate (theory)", "rate (measured)"], floatfmt=".4f")
out.value("kappa", KAPPA, fmt="{:g}")
out.value("dim", DIM)
out.value("mu", mu, fmt="{:g}")
out.value("big_l", L, fmt="{:g}")

# %% [markdown]
# ## Searching the whole $(\eta, \beta)$ grid, for both methods
# Formulas aside: what is the fastest either method gets on this bowl? One batched run per
# method over the same grid; colour is the measured rate, grey did not converge. Dashed lines
# are the theoretical edges of convergence, $\eta L < 2(1+\beta)$ for the heavy ball and
# $\eta L < 2(1+\beta)/(1+2\beta)$ for Nesterov.

# %%
etas = np.linspace(0.05, 4.0, 80)
betas = np.linspace(0.0, 0.96, 41)
E, B = np.meshgrid(etas, betas)
GRID_STEPS = 250
fig, axes = gd.figure(2, 1, sharey=True)
best = {}
for ax, nesterov, label in ((axes[0], False, "heavy ball"), (axes[1], True, "Nesterov")):
    momentum = np.maximum(B.ravel(), 1e-3) if nesterov else B.ravel()  # nesterov needs β > 0
    grid = gd.run(gd.sgd(lr=E.ravel(), momentum=momentum, nesterov=nesterov), bowl,
                  np.broadcast_to(start, (E.size, DIM)), steps=GRID_STEPS)
    rate = gd.measured_rate(gd.distances(grid.points, origin)).reshape(E.shape)
    ok = rate < 1
    i = np.unravel_index(np.argmin(np.where(ok, rate, np.inf)), rate.shape)
    best[label] = (float(rate[i]), float(E[i]), float(B[i]))
    ax.grid(False)
    ax.pcolormesh(E, B, np.where(ok, np.nan, 1.0), cmap="Greys", vmin=0, vmax=2.5,
                  shading="nearest")
    mesh = ax.pcolormesh(E, B, np.ma.masked_where(~ok, rate), cmap="viridis", vmin=0.8, vmax=1.0,
                         shading="nearest")
    edge = np.linspace(0, 0.96, 60)
    ax.plot(2 * (1 + edge) / ((1 + 2 * edge) if nesterov else 1.0) / L, edge, "--",
            color=gd.COLORS["red"], lw=2, label="theoretical edge")
    gd.mark_optimum(ax, best[label][1], best[label][2],
                    label=f"best cell: rate {best[label][0]:.3f}")
    ax.set(xlabel=r"learning rate $\eta$", title=f"{label}, $\\kappa = {KAPPA:g}$",
           xlim=(0, 4.0), ylim=(0, 0.96))
    ax.legend(loc="lower right")
axes[0].set_ylabel(r"momentum $\beta$")
fig.colorbar(mesh, ax=axes, label="measured rate per step (lower is faster)")
out.figure(fig, "grids", caption=(
    f"The same κ = {KAPPA:g} quadratic, bright is slow: Nesterov's converging region (below) is "
    "narrower in learning rate than the heavy ball's (top), and its best cell is slower."),
    alt=(
    f"Two heat maps over learning rate and momentum of the measured convergence rate on a "
    f"{DIM}-dimensional quadratic with condition number {KAPPA:g}: heavy ball on top, Nesterov below. "
    "Nesterov's converging region is narrower in learning rate (its edge bends left as momentum "
    "grows), and its best cell is slower than the heavy ball's best cell."
))
for label, key in (("heavy ball", "hb"), ("Nesterov", "nag")):
    rate, eta, beta = best[label]
    out.value(f"best_{key}_rate", rate, fmt="{:.3f}")
    out.value(f"best_{key}_eta", eta, fmt="{:.2f}")
    out.value(f"best_{key}_beta", beta, fmt="{:.2f}")
out.value("grid_cells", int(E.size))

# %% [markdown]
# ## Off the quadratic: a function where Polyak's tuning fails
# `gd.lessard()` is strongly convex and smooth with $\mu = {{ value: nesterov/trap_mu }}$,
# $L = {{ value: nesterov/trap_big_l }}$, but its curvature switches between the two. Both methods
# get their best tuning for quadratics with these $\mu$ and $L$ (the same formulas as above),
# and start at $x_0 = {{ value: nesterov/trap_x0 }}$.

# %%
trap = gd.lessard()
eta_hb, beta_hb, _ = gd.polyak_tuning(trap.mu, trap.L)
eta_nag, beta_nag, _ = gd.nesterov_tuning(trap.mu, trap.L, best_for_quadratics=True)
hb = gd.sgd(lr=eta_hb, momentum=beta_hb)
nag = gd.sgd(lr=eta_nag, momentum=beta_nag, nesterov=True)
eta_tb, beta_tb, _ = gd.nesterov_tuning(trap.mu, trap.L)
textbook = gd.sgd(lr=eta_tb, momentum=beta_tb, nesterov=True)
X0, TRAP_STEPS = 3.3, 150
REACH = 1e-12  # "converged": |x_t - x*| below this
run_hb = gd.run(hb, trap, [X0], steps=TRAP_STEPS)
run_nag = gd.run(nag, trap, [X0], steps=TRAP_STEPS)
run_textbook = gd.run(textbook, trap, [X0], steps=TRAP_STEPS)

fig, (ax_f, ax_x) = gd.figure(2, 1)
ax_f.plot(*trap.grid(400, ((-2.5, 3.6),)), color=gd.COLORS["grey"], label="$f$ (Lessard et al.)")
cycle = run_hb.points[-3:, 0]
ax_f.plot(cycle, trap.value(cycle[:, None]), "o", ms=9, color=gd.COLORS["orange"],
          label="heavy ball's 3-cycle")
gd.mark_start(ax_f, X0, trap.value(np.array([X0])))
ax_f.set(xlabel="$x$", ylabel="$f(x)$", title=rf"Curvature {trap.L:g} | {trap.mu:g} | {trap.L:g}, "
         rf"$\mu = {trap.mu:g}$, $L = {trap.L:g}$")
ax_f.legend()
t = np.arange(TRAP_STEPS + 1)
ax_x.semilogy(t, np.abs(run_hb.points[:, 0]), color=gd.COLORS["orange"],
              label=r"heavy ball (Polyak's $\eta, \beta$)")
ax_x.semilogy(t, np.maximum(np.abs(run_nag.points[:, 0]), 1e-300), color=gd.COLORS["blue"],
              label=r"Nesterov (its best $\eta, \beta$ for quadratics)")
ax_x.set(xlabel="step $t$", ylabel=r"$|x_t - x^\star|$", ylim=(1e-16, 10),
         title="Distance to the minimum")
ax_x.legend()
NAG_LEVEL = 1e-15
nag_below = int(gd.steps_to_reach(np.abs(run_nag.points[:, 0]), NAG_LEVEL))
out.figure(fig, "lessard", caption=(
    "On this convex piecewise quadratic the heavy ball, Polyak-tuned, cycles through the "
    "three orange points and never converges; Nesterov's method falls below "
    f"{gd.format_number(NAG_LEVEL, '{:.0e}')} within {nag_below} steps."),
    alt=(
    f"Top: a convex piecewise-quadratic function whose curvature switches between {trap.L:g} and "
    f"{trap.mu:g}, with "
    "three orange dots marking points the heavy ball keeps visiting in a cycle. Bottom: distance "
    "to the minimum against the step on a log scale; the heavy ball levels off and never "
    f"converges, while Nesterov's method falls steadily below 1e-15 within {nag_below} steps."
))
out.value("trap_x0", X0, fmt="{:g}")
out.value("trap_hb_final", abs(run_hb.points[-1, 0]), fmt="{:.2f}")
for key, r in (("nag", run_nag), ("textbook", run_textbook)):
    out.value(f"trap_{key}_steps", int(gd.steps_to_reach(np.abs(r.points[:, 0]), REACH)))
out.value("trap_reach", f"10^{{{round(np.log10(REACH))}}}")
out.value("trap_mu", trap.mu, fmt="{:g}")
out.value("trap_big_l", trap.L, fmt="{:g}")
out.value("trap_steps", TRAP_STEPS)
out.value("trap_cycle", ", ".join(f"{c:.3f}" for c in sorted(cycle)))

# %% [markdown]
# ## Exercises (docs/nesterov.md)
# Nesterov's best rate on quadratics at $\kappa = 100$, its stability edge at $\beta = 0.9$, and its
# first step against the heavy ball's (one step each on $f(x) = x^2/2$ from $x = 1$).

# %%
out.value("ex_nag_rate_100", 1 - 2 / np.sqrt(3 * 100 + 1), fmt="{:.4f}")
out.value("ex_nag_edge_09", 2 * (1 + 0.9) / (1 + 2 * 0.9), fmt="{:.4f}")
half_square = gd.ill_conditioned(1.0)  # f(x) = |x|^2 / 2: the gradient is x
first = {}
for key, nesterov in (("hb", False), ("nag", True)):
    one = gd.run(gd.sgd(lr=0.1, momentum=0.9, nesterov=nesterov), half_square, [1.0, 0.0], steps=1)
    first[key] = 1.0 - one.points[1, 0]
out.value("ex_first_step_ratio", first["nag"] / first["hb"], fmt="{:g}")
