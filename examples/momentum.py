# %% [markdown]
# # Momentum: the heavy ball on an ill-conditioned bowl
#
# Heavy-ball momentum in the form `torch.optim.SGD(momentum=β)` uses:
#
# $$u_{t+1} = \beta u_t + \nabla f(\theta_t), \qquad \theta_{t+1} = \theta_t - \eta\, u_{t+1}.$$
#
# On a quadratic whose Hessian eigenvalues lie in $[\mu, L]$ (condition number
# $\kappa = L/\mu$), Polyak's choice
#
# $$\eta^\star = \frac{4}{(\sqrt L + \sqrt\mu)^2}, \qquad
#   \beta^\star = \left(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\right)^2$$
#
# contracts the error by $(\sqrt\kappa - 1)/(\sqrt\kappa + 1)$ per step, against
# $(\kappa - 1)/(\kappa + 1)$ for gradient descent with its best step $2/(L + \mu)$. This
# script measures both rates, and maps which $(\eta, \beta)$ pairs converge at all.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("momentum")

# %% [markdown]
# ## Paths: gradient descent creeps, the heavy ball swings through
# Both methods get their best tuning for this bowl
# ($\kappa = {{ value: momentum/paths_kappa }}$, tilted by {{ value: momentum/paths_angle }}°).

# %%
KAPPA = 25.0
ANGLE = 30.0  # degrees: the valley is not aligned with the axes
bowl = gd.ill_conditioned(KAPPA, L=1.0, angle=np.deg2rad(ANGLE))
# Start far out along the flat direction of the valley, a little off its floor.
X0_VALLEY = np.array([-1.8, 0.35])  # along the floor, across it
x0 = bowl.R @ X0_VALLEY
eta_gd, rate_gd_theory = gd.gd_tuning(bowl.mu, bowl.L)
eta_hb, beta_hb, rate_hb_theory = gd.polyak_tuning(bowl.mu, bowl.L)
STEPS = 60
plain = gd.run(gd.sgd(lr=eta_gd), bowl, x0, steps=STEPS)
ball = gd.run(gd.sgd(lr=eta_hb, momentum=beta_hb), bowl, x0, steps=STEPS)

fig, (ax_path, ax_err) = gd.figure(2, 1, figsize=(5.4, 5.8), height_ratios=[1.6, 1])
(x_lo, x_hi), (y_lo, y_hi) = (-2.0, 2.0), (-1.6, 1.6)
GREY_LINES = dict(cmap=None, colors=gd.COLORS["grey"], linewidths=0.6)  # coloured paths on top
gd.contour(ax_path, bowl, ((x_lo, x_hi), (y_lo, y_hi)),
           levels=np.geomspace(1e-3, 2 * bowl.value(x0), 10), **GREY_LINES)
shown = 30
ax_path.plot(*plain.points[:shown].T, "o-", ms=3, lw=1.2, color=gd.COLORS["orange"],
             label=rf"GD, $\eta = {eta_gd:.3f}$")
ax_path.plot(*ball.points[:shown].T, "o-", ms=3, lw=1.2, color=gd.COLORS["blue"],
             label=rf"heavy ball, $\eta = {eta_hb:.3f}$, $\beta = {beta_hb:.3f}$")
gd.mark_start(ax_path, *x0)
ax_path.set(xlabel="$x_1$", ylabel="$x_2$", title=f"First {shown} steps, $\\kappa = {KAPPA:g}$",
            xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), aspect="equal")
ax_path.legend(loc="upper left")
# the explorer beside this figure starts from here (space-separated numbers; its start slider
# moves along and across the valley, so the start is given in the valley's axes)
out.value("paths_x0_valley_data", " ".join(repr(float(v)) for v in X0_VALLEY))
out.value("paths_steps", STEPS)
out.value("paths_xlim_data", f"{x_lo!r} {x_hi!r}")
out.value("paths_ylim_data", f"{y_lo!r} {y_hi!r}")

t = np.arange(STEPS + 1)
e0 = np.linalg.norm(x0)
ax_err.semilogy(t, gd.distances(plain.points, bowl.minimizers[0]), color=gd.COLORS["orange"],
                label="GD, measured")
ax_err.semilogy(t, gd.distances(ball.points, bowl.minimizers[0]), color=gd.COLORS["blue"],
                label="heavy ball, measured")
ax_err.semilogy(t, e0 * rate_gd_theory**t, "--", lw=1, color=gd.COLORS["orange"],
                label=r"$\|e_0\|\,((\kappa-1)/(\kappa+1))^t$")
ax_err.semilogy(t, e0 * rate_hb_theory**t, "--", lw=1, color=gd.COLORS["blue"],
                label=r"$\|e_0\|\,((\sqrt{\kappa}-1)/(\sqrt{\kappa}+1))^t$")
ax_err.set(xlabel="step $t$", ylabel=r"distance to minimiser $\|\theta_t - \theta^\star\|$",
           title="Error per step (log scale)")
ax_err.legend()
out.figure(fig, "paths", caption=(
    f"On a κ = {KAPPA:g} valley, the heavy ball swings in wide arcs but reaches the minimum far "
    "sooner than gradient descent's short zig-zags; below, both error curves follow their "
    "predicted straight lines."),
    alt=(
    f"Top: contour lines of a tilted quadratic bowl with condition number {KAPPA:g}; gradient "
    "descent creeps along the valley in short zig-zag hops, while the heavy ball swings in wider "
    "arcs and reaches the minimum far sooner. Bottom: distance to the minimiser on a log scale against the step; both "
    "measured curves follow their predicted straight lines, the heavy ball's far steeper."
))
out.value("paths_kappa", KAPPA, fmt="{:g}")
out.value("paths_angle", ANGLE, fmt="{:g}")
out.value("paths_eta_gd", eta_gd, fmt="{:.3f}")
out.value("paths_eta_hb", eta_hb, fmt="{:.3f}")
out.value("paths_beta_hb", beta_hb, fmt="{:.3f}")

# %% [markdown]
# ## Measured rates for several condition numbers
# Each run starts at $(1, 1)$ and runs long enough for the error to fall by ~100 orders of
# magnitude (the minimiser is the origin, so nothing underflows). The rate is the geometric
# mean contraction over the second half of the run, where start-up transients are gone.

# %%
KAPPAS = (10.0, 100.0, 1000.0)
rows = []
for kappa in KAPPAS:
    bowl_k = gd.ill_conditioned(kappa)
    eta_k, beta_k, theory_hb = gd.polyak_tuning(bowl_k.mu, bowl_k.L)
    eta_gd_k, theory_gd = gd.gd_tuning(bowl_k.mu, bowl_k.L)
    steps = int(np.ceil(np.log(1e-100) / np.log(theory_hb)))
    start = np.ones(2)
    run_gd = gd.run(gd.sgd(lr=eta_gd_k), bowl_k, start, steps=steps)
    run_hb = gd.run(gd.sgd(lr=eta_k, momentum=beta_k), bowl_k, start, steps=steps)
    rate_gd = float(gd.measured_rate(gd.distances(run_gd.points, np.zeros(2))))
    rate_hb = float(gd.measured_rate(gd.distances(run_hb.points, np.zeros(2))))
    speedup = np.log(rate_hb) / np.log(rate_gd)
    rows.append((f"{kappa:g}", f"{eta_k:.4f}", f"{beta_k:.4f}", theory_gd, rate_gd, theory_hb,
                 rate_hb, f"{speedup:.1f}×"))
    out.value(f"rate_hb_{kappa:g}", rate_hb, fmt="{:.4f}")
    out.value(f"speedup_{kappa:g}", speedup, fmt="{:.1f}")
out.value("kappa_largest", KAPPAS[-1], fmt="{:g}")
out.value("speedup_largest", speedup, fmt="{:.1f}")  # of the last, largest κ
out.table("rates", rows, headers=[
    r"$\kappa$", r"$\eta^\star$", r"$\beta^\star$", "GD theory", "GD measured", "HB theory",
    "HB measured", "speed-up",
], floatfmt=".4f")

# %% [markdown]
# ## Which $(\eta, \beta)$ converge? One batched run over a grid
# Every cell of the grid is one run; all of them are a single call of
# `gd.run` with array-valued `lr` and `momentum`. Colour is the measured rate
# (darker is faster); grey cells did not converge. The dashed line is the theoretical edge
# $\eta L = 2(1 + \beta)$: for heavy ball on a quadratic, every eigenvalue $\lambda$ must
# satisfy $0 < \eta\lambda < 2(1 + \beta)$ with $0 \le \beta < 1$.

# %%
KAPPA_MAP = 25.0
bowl_map = gd.ill_conditioned(KAPPA_MAP)
etas = np.linspace(0.02, 4.2, 106)
betas = np.linspace(0.0, 0.98, 50)
E, B = np.meshgrid(etas, betas)
MAP_STEPS = 200
grid_run = gd.run(gd.sgd(lr=E.ravel(), momentum=B.ravel()), bowl_map,
                  np.ones((E.size, 2)), steps=MAP_STEPS)
rate_map = gd.measured_rate(gd.distances(grid_run.points, np.zeros(2))).reshape(E.shape)
converges = rate_map < 1.0
theory_inside = E * bowl_map.L < 2 * (1 + B)
agreement = float(np.mean(converges == theory_inside))

fig, ax = gd.figure()
ax.grid(False)
shown_rate = np.ma.masked_where(~converges, rate_map)
ax.pcolormesh(E, B, np.where(converges, np.nan, 1.0), cmap="Greys", vmin=0, vmax=2.5,
              shading="nearest")
eta_star, beta_star, rate_star = gd.polyak_tuning(bowl_map.mu, bowl_map.L)
mesh = ax.pcolormesh(E, B, shown_rate, cmap="viridis", vmin=rate_star,
                     vmax=1.0, shading="nearest")
fig.colorbar(mesh, ax=ax, label="measured rate per step (lower is faster)")
edge_beta = np.linspace(0, 1, 50)
ax.plot(2 * (1 + edge_beta) / bowl_map.L, edge_beta, "--", color=gd.COLORS["red"], lw=2,
        label=r"theory: $\eta L = 2(1+\beta)$")
gd.mark_optimum(ax, eta_star, beta_star,
                label=rf"Polyak: $\eta^\star = {eta_star:.2f}$, $\beta^\star = {beta_star:.2f}$")
ax.set(xlabel=r"learning rate $\eta$", ylabel=r"momentum $\beta$", xlim=(0, 4.2), ylim=(0, 0.98),
       title=rf"Heavy ball on a quadratic, $\kappa = {KAPPA_MAP:g}$, $L = {bowl_map.L:g}$")
ax.legend(loc="lower right")
out.figure(fig, "region", caption=(
    f"Convergence rate of heavy ball on a κ = {KAPPA_MAP:g} quadratic: bright is slow, as on "
    "every map of this site. Runs converge left of the dashed boundary η = 2(1 + β)/L, and the "
    f"fastest, rate {rate_star:.3f}, are at Polyak's tuning (star)."),
    alt=(
    f"Heat map over learning rate ({etas[0]:g} to {etas[-1]:g}) and momentum (0 to {betas[-1]:g}) "
    "of the measured "
    f"convergence rate of heavy ball on a quadratic with condition number {KAPPA_MAP:g}. "
    "Converging runs fill the region left of the dashed theoretical boundary eta = 2(1 + beta); "
    "the grey region right of it did not converge. The fastest cells sit around Polyak's "
    "optimum, marked with a star."
))
best = np.unravel_index(np.argmin(np.where(converges, rate_map, np.inf)), rate_map.shape)
out.value("map_kappa", KAPPA_MAP, fmt="{:g}")
out.value("map_runs", int(E.size))
out.value("map_steps", MAP_STEPS)
out.value("map_agreement", 100 * agreement, fmt="{:.1f}")
out.value("map_best_rate", rate_map[best], fmt="{:.3f}")
out.value("map_best_eta", E[best], fmt="{:.2f}")
out.value("map_best_beta", B[best], fmt="{:.2f}")
out.value("map_polyak_rate", rate_star, fmt="{:.3f}")

# %% [markdown]
# ## Exercises (docs/momentum.md)
# Polyak's momentum for $\kappa = 100$, and what too much momentum ($\beta = 0.99$ with Polyak's
# learning rate) does on the $\kappa = 25$ valley of the first figure, predicted and measured.

# %%
bowl_100 = gd.ill_conditioned(100.0)
out.value("ex_beta_100", gd.polyak_tuning(bowl_100.mu, bowl_100.L)[1], fmt="{:.4f}")
out.value("ex_rate_b081", float(np.max(np.abs(np.roots([1, -(1 + 0.81 - 0.5), 0.81])))),
          fmt="{:g}")  # the roots' modulus for beta = 0.81 at eta * lambda = 0.5

# %%
# --8<-- [start:too_much]
eta_star, _, polyak_rate = gd.polyak_tuning(bowl.mu, bowl.L)
heavy = gd.run(gd.sgd(lr=eta_star, momentum=0.99), bowl, x0, steps=3000)
rate = float(gd.measured_rate(gd.distances(heavy.points, bowl.minimizers[0])))
# --8<-- [end:too_much]
with out.capture("ex_too_much"):
    print(f"beta = 0.99: measured rate {rate:.4f} per step (sqrt(0.99) = {0.99**0.5:.4f})")
    print(f"Polyak's beta = {beta_hb:.3f}: rate {polyak_rate:.4f} per step")
out.value("ex_rate_b099", 0.99**0.5, fmt="{:.4f}")
