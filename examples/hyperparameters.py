# %% [markdown]
# # Choosing hyperparameters
#
# Three experiments on quadratics, where the right answer is known in closed form:
# the largest stable step size is set by the curvature, a grid over learning rate and
# momentum shows how narrow the good region is, and a badly scaled bowl shows that no single
# learning rate suits every coordinate.

# %%
import math

import numpy as np

import gdnotes as gd

out = gd.Outputs("hyperparameters")

# %% [markdown]
# ## The stability limit is 2/L, not a magic number
#
# On $f(x) = \tfrac{L}{2}x^2$ one step maps $x \mapsto (1 - \eta L)\,x$, so after $k$ steps
# $|x_k| = |1 - \eta L|^k |x_0|$: it shrinks exactly when $\eta < 2/L$. Three bowls of
# different curvature, one batched [gd.run][gdnotes.run] each over a grid of step sizes.

# %%
CURVATURES = [1.0, 4.0, 10.0]
STEP_ETAS = np.geomspace(0.01, 3.0, 120)
K = 30
fig, (ax_eta, ax_scaled) = gd.figure(2, 1)
thresholds = []
styles = [(gd.COLORS["blue"], "-", 4.0), (gd.COLORS["orange"], "--", 2.2),
          (gd.COLORS["green"], ":", 1.8)]
for L, (color, ls, lw) in zip(CURVATURES, styles, strict=True):
    bowl = gd.quadratic([L])
    r = gd.run(gd.sgd(lr=STEP_ETAS), bowl, np.ones((STEP_ETAS.size, 1)), steps=K)
    final = np.abs(r.points[K, :, 0])  # NaN where the run diverged (|x| > 1e8) before step K
    final = np.where(r.diverged, np.inf, final)
    shown = np.minimum(final, 1e6)
    ax_eta.loglog(STEP_ETAS, shown, color=color, ls=ls, lw=lw, label=f"L = {L:g}")
    ax_eta.axvline(2 / L, color=color, ls=":", lw=1)
    ax_scaled.loglog(STEP_ETAS * L, shown, color=color, ls=ls, lw=lw, label=f"L = {L:g}")
    stable = STEP_ETAS[final < 1]
    thresholds.append([L, 2 / L, float(stable.max()), float(STEP_ETAS[final > 1].min())])
ax_scaled.axvline(2, color=gd.COLORS["grey"], ls="--", lw=1)
ax_eta.axhline(1, color=gd.COLORS["grey"], lw=0.8)
ax_scaled.axhline(1, color=gd.COLORS["grey"], lw=0.8)
ax_eta.set(xlabel="learning rate η", ylabel=f"|x| after {K} steps (from x₀ = 1)",
           ylim=(1e-12, 1e6), title="the limit moves with the curvature")
ax_scaled.set(xlabel="η · L", ylim=(1e-12, 1e6), title="...and is always ηL = 2")
ax_eta.legend(loc="lower left")
out.figure(fig, "step_size", caption=(
    f"Where |x| after {K} steps explodes depends on the curvature: each curve crosses 1 at its "
    "own η = 2/L (top). Plotted against ηL (below) the curves coincide: only ηL matters."),
    alt=(
    f"Two log-log panels of |x| after {K} gradient steps on x²·L/2 for curvatures "
    f"{', '.join(f'{c:g}' for c in CURVATURES)}. Top, against the learning rate: each curve "
    "dips to very small values and then shoots up past 1 at its own threshold 2/L (dotted), "
    f"{', '.join(f'{2 / c:g}' for c in CURVATURES)}. Bottom, against η times L: the three "
    "curves lie on top of each other and all cross 1 at ηL = 2."))
out.table("step_limits", thresholds, headers=[
    "curvature L", "2 / L", "largest stable η on the grid", "smallest unstable η on the grid"],
    floatfmt=["g", "g", ".4f", ".4f"])

# %% [markdown]
# ## Learning rate and momentum together
#
# The ill-conditioned bowl [gd.ill_conditioned][gdnotes.ill_conditioned] with
# $\kappa = L/\mu = {{ value: hyperparameters/kappa }}$, and a grid of learning rates $\eta$ and
# momentum coefficients $\beta$ (torch's `SGD(momentum=β)`): every cell is one run of the
# *same* batched call, stopped when $\lVert\nabla f\rVert \le$
# {{ value: hyperparameters/grid_tol }}. The theory of the heavy-ball method puts the best pair at
# $\eta^\star = 4/(\sqrt L + \sqrt\mu)^2$,
# $\beta^\star = \big((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\big)^2$
# (star); beyond $\eta L = 2(1 + \beta)$ (dashed) the runs diverge.

# %%
KAPPA, GRID_STEPS, GRID_TOL = 25.0, 600, 1e-6
bowl = gd.ill_conditioned(kappa=KAPPA, angle=np.pi / 6)
etas = np.geomspace(0.05, 5.0, 41)
betas = np.linspace(0.0, 0.95, 39)
E, Bm = np.meshgrid(etas, betas)  # rows: beta, columns: eta
start = np.array([1.0, 1.0])
# --8<-- [start:grid]
grid = gd.run(gd.sgd(lr=E.ravel(), momentum=Bm.ravel()), bowl,
              np.tile(start, (E.size, 1)), steps=GRID_STEPS, tol=GRID_TOL,
              keep="last")  # statuses and stop steps are all the map needs
steps_needed = np.where(grid.converged, grid.stop_step, np.nan).reshape(E.shape)
# --8<-- [end:grid]

eta_star, beta_star, _ = gd.polyak_tuning(bowl.mu, bowl.L)
best = np.unravel_index(np.nanargmin(steps_needed), steps_needed.shape)
plain = steps_needed[0]  # beta = 0: plain gradient descent

fig, ax = gd.figure(figsize=(5.4, 3.7))
mesh = ax.pcolormesh(etas, betas, steps_needed, norm="log", cmap=gd.style.SEQUENTIAL,
                     shading="nearest")  # bright = more steps = slower (gd.style)
ax.plot(2 * (1 + betas) / bowl.L, betas, color=gd.COLORS["red"], ls="--", lw=1.4,
        label="ηL = 2(1 + β): stability limit")
gd.mark_optimum(ax, eta_star, beta_star, label=f"theory: η* = {eta_star:.2f}, β* = {beta_star:.2f}")
ax.plot(etas[best[1]], betas[best[0]], marker="s", ms=8, mfc="none", mec=gd.COLORS["red"],
        mew=2, ls="none", label=f"best cell: {int(steps_needed[best])} steps")
ax.set(xscale="log", xlabel="learning rate η", ylabel="momentum β",
       xlim=(etas[0] / 1.06, etas[-1] * 1.06),
       title=f"steps to ‖∇f‖ ≤ 1e-6, κ = {KAPPA:g} (blank: not within {GRID_STEPS})")
fig.colorbar(mesh, ax=ax, label="steps to converge (bright: slow)")
ax.legend(loc="lower left")
out.figure(fig, "heatmap", caption=(
    f"Steps to converge for heavy ball on a κ = {KAPPA:g} bowl; bright is slow, as on every map "
    "of this site. The fast cells are a narrow band just inside the dashed stability limit, "
    f"and the best cell ({int(steps_needed[best])} steps) sits next to Polyak's optimum (star)."),
    alt=(
    f"Heatmap of the steps needed to converge over a grid of {etas.size} learning rates "
    f"(log scale, {etas[0]:g} to {etas[-1]:g}) and {betas.size} momentum values "
    f"({betas[0]:g} to {betas[-1]:g}) on an ill-conditioned bowl with condition number "
    f"{KAPPA:g}. Cells beyond the dashed stability line are blank because those runs diverged, and "
    "so are cells with tiny learning rates and high momentum, too slow to finish within "
    f"{GRID_STEPS} steps. Small learning rates need hundreds of steps; the fastest cells form "
    "a narrow band just "
    "below the stability line at moderate momentum, where the theoretical optimum (star) "
    "and the best grid cell (square) sit next to each other."))
out.value("kappa", KAPPA, fmt="{:g}")
out.value("eta_star", eta_star, fmt="{:.2f}")
out.value("beta_star", beta_star, fmt="{:.2f}")
out.value("best_steps", int(steps_needed[best]))
out.value("best_eta", etas[best[1]], fmt="{:.2f}")
out.value("best_beta", betas[best[0]], fmt="{:.2f}")
# Without momentum, the best step is computed, not read off the grid: η = 2/(L + μ) makes the
# two contraction factors |1 - ημ| and |1 - ηL| equal, the smallest worst case possible.
plain_eta, plain_rate = gd.gd_tuning(bowl.mu, bowl.L)
plain_run = gd.run(gd.sgd(lr=plain_eta), bowl, start, steps=GRID_STEPS, tol=GRID_TOL)
out.value("best_plain_steps", int(plain_run.stop_step))
out.value("best_plain_eta", plain_eta, fmt="{:.3f}")
out.value("best_plain_grid_steps", int(np.nanmin(plain)))
out.value("grid_runs", E.size)
out.value("grid_tol", GRID_TOL, fmt="{:.0e}")
out.value("diverged_share", float(np.mean(grid.diverged)), fmt="{:.0%}")

# %% [markdown]
# ## A badly scaled problem: no single learning rate fits
#
# Take the axis-aligned bowl $f(x, y) = \tfrac12(\mu x^2 + L y^2)$ with
# $L = {{ value: hyperparameters/scaled_big_l }}$ and
# $\mu = L/{{ value: hyperparameters/scaled_kappa }}$
# (<code>gd.ill_conditioned(kappa={{ value: hyperparameters/scaled_kappa }})</code>, the same problem the
# pages on adaptive methods use). Each coordinate is its own one-dimensional problem, with its
# own best step $1/\lambda_i$: {{ value: hyperparameters/scaled_inv_l }} for $y$ but
# {{ value: hyperparameters/scaled_inv_mu }} for $x$. Gradient descent must use one $\eta$
# for both, and anything above $2/L$ = {{ value: hyperparameters/scaled_limit }} blows up the
# steep $y$ direction, so the flat $x$ direction is stuck with steps
# {{ value: hyperparameters/scaled_ratio }} times smaller than it could take.

# %%
SCALED_KAPPA, COORD_TOL = 100.0, 1e-3
scaled = gd.ill_conditioned(kappa=SCALED_KAPPA)  # eigenvalues (0.01, 1) along x and y
coord_etas = np.geomspace(0.2, 200.0, 121)
# The bowl is axis-aligned, so GD moves each coordinate on its own: x_{k+1} = (1 - ηλ_i) x_k.
# Running each coordinate as its own 1-D bowl shows what it would do even where the other
# one blows up.
coordinate_steps = []
for curvature in scaled.eigenvalues:
    r = gd.run(gd.sgd(lr=coord_etas), gd.quadratic([curvature]), np.ones((coord_etas.size, 1)),
               steps=4000)
    small = np.abs(r.points[..., 0]) <= COORD_TOL  # NaN (after divergence) counts as False
    settled = np.flip(np.logical_and.accumulate(np.flip(small, 0), 0), 0)  # small from here on
    coordinate_steps.append(np.where(settled.any(0), np.argmax(settled, 0), np.inf))
flat_steps, steep_steps = coordinate_steps
both = np.maximum(flat_steps, steep_steps)  # the 2-D run needs both coordinates small

fig, ax = gd.figure()
cap = 1e4  # "never" is drawn at the top edge
ax.loglog(coord_etas, np.minimum(flat_steps, cap), color=gd.COLORS["blue"],
          label=f"flat coordinate x (curvature {scaled.mu:g})")
ax.loglog(coord_etas, np.minimum(steep_steps, cap), color=gd.COLORS["orange"],
          label=f"steep coordinate y (curvature {scaled.L:g})")
ax.axvline(1 / scaled.L, color=gd.COLORS["orange"], ls=":", lw=1)
ax.axvline(1 / scaled.mu, color=gd.COLORS["blue"], ls=":", lw=1)
ax.axvspan(2 / scaled.L, coord_etas[-1], color=gd.COLORS["red"], alpha=0.08, lw=0)
# The best shared step is computed, not read off the grid: the 2-D run needs
# max_i ceil(log(tol) / log|1 - ηλ_i|) steps, smallest where the larger factor |1 - ηλ_i| is
# smallest, at η = 2/(L + μ) with factor (κ - 1)/(κ + 1).
shared_eta, shared_rate = gd.gd_tuning(scaled.mu, scaled.L)
shared_steps = math.ceil(math.log(COORD_TOL) / math.log(shared_rate))
check = gd.run(gd.sgd(lr=shared_eta), scaled, np.ones(2), steps=shared_steps)
assert np.abs(check.points[shared_steps]).max() <= COORD_TOL < np.abs(check.points[-2]).max()
ax.plot(shared_eta, shared_steps, "o", color=gd.COLORS["black"],
        label=f"best shared η = 2/(L + μ): {shared_steps} steps")
ax.text(12, 3, "y diverges\nfor η > 2", color=gd.COLORS["red"])
ax.set(xlabel="learning rate η (the same for both coordinates)",
       ylabel=f"steps until |coordinate| ≤ {COORD_TOL:g}", ylim=(0.8, 1.5 * cap),
       title="each coordinate wants its own step size")
ax.legend(loc="upper center")
out.figure(fig, "per_coordinate", caption=(
    f"One learning rate cannot suit both curvatures: the steep coordinate ({scaled.L:g}) "
    f"diverges beyond η = {2 / scaled.L:g}, long before the flat one ({scaled.mu:g}) is fast; "
    f"the best shared η = {shared_eta:.3f} still leaves it {shared_steps} steps."),
    alt=(
    "Log-log plot of the steps each coordinate of an axis-aligned bowl with curvatures "
    f"{scaled.mu:g} and {scaled.L:g} needs to fall below {COORD_TOL:g}, against a learning "
    f"rate shared by both. The steep coordinate is fastest near η = {1 / scaled.L:g} (a step "
    f"or two) and diverges beyond η = {2 / scaled.L:g}, shaded; the flat coordinate keeps "
    f"getting faster as η grows and is fastest only near η = {1 / scaled.mu:g}, deep inside "
    "the region where the steep coordinate diverges. The best shared learning rate, "
    f"2/(L + μ) = {shared_eta:.3f}, still leaves the flat coordinate needing "
    f"{shared_steps} steps."))
out.value("scaled_kappa", SCALED_KAPPA, fmt="{:g}")
out.value("scaled_big_l", scaled.L, fmt="{:g}")
out.value("scaled_inv_l", 1 / scaled.L, fmt="{:g}")
out.value("scaled_inv_mu", 1 / scaled.mu, fmt="{:g}")
out.value("scaled_limit", 2 / scaled.L, fmt="{:g}")
out.value("scaled_ratio", (1 / scaled.mu) / (2 / scaled.L), fmt="{:g}")
out.value("coord_tol", COORD_TOL, fmt="{:g}")
out.value("best_shared_steps", shared_steps)
out.value("best_shared_eta", shared_eta, fmt="{:.3f}")

# %% [markdown]
# ## Exercises (docs/problems/step-size.md, docs/problems/hyperparameters.md)
# The step limit of a steeper bowl, what one step too many does, the loss ratio of one step,
# the best shared factor on the badly scaled bowl, and heavy ball's limit at $\beta = 0.5$.

# %%
out.value("ex_limit_l50", gd.regimes.max_stable_lr(50.0), fmt="{:g}")
out.value("ex_factor_l50", float(gd.regimes.step_multiplier(0.05, 50.0)), fmt="{:g}")
out.value("ex_loss_ratio_15", (1 - 1.5) ** 2, fmt="{:g}")  # f(x1)/f(x0) = (1 - eta L)^2 at eta L = 1.5
out.value("ex_shared_factor", gd.regimes.optimal_rate(SCALED_KAPPA), fmt="{:.4f}")
out.value("ex_scaled_factor_21", 1 - 2.1, fmt="{:g}")  # the steep coordinate at eta = 2.1 / L
out.value("ex_heatmap_l", bowl.L, fmt="{:g}")
out.value("ex_hb_limit_05", 2 * (1 + 0.5) / bowl.L, fmt="{:g}")
