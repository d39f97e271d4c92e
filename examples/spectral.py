# %% [markdown]
# # The spectral picture: one eigencomponent at a time
#
# On a quadratic whose Hessian is diagonal, every coordinate is an eigencomponent and evolves on
# its own. Gradient descent multiplies the error along curvature $\lambda$ by $1 - \eta\lambda$
# each step; the heavy ball and Nesterov's method multiply the pair $(e_t, e_{t-1})$ by a 2×2
# matrix, whose eigenvalues (the roots $r$) set the rate and whether the error oscillates. This
# example runs the three methods on five curvatures, draws each component against its closed
# form, and maps the heavy ball's damping regimes in the $(\eta, \beta)$ plane.

# %%
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap

import gdnotes as gd

out = gd.Outputs("spectral")

# %% [markdown]
# ## Five curvatures, three methods, one learning rate and one momentum
# The curvatures span three decades ($\kappa = 1000$). Every method uses the same $\eta$ and
# (for the two momentum methods) the same $\beta$, so the differences are the methods' own.

# %%
CURVATURES = np.geomspace(1e-3, 1.0, 5)  # λ, the diagonal of the Hessian
ETA, BETA = 0.5, 0.8
STEPS = 300
bowl = gd.quadratic(CURVATURES)
start = np.ones(CURVATURES.size)  # e_0 = 1 in every component; the minimum is at 0
METHODS = {
    "gradient descent": (gd.sgd(ETA), 0.0, False),
    "heavy ball": (gd.sgd(ETA, momentum=BETA), BETA, False),
    "Nesterov": (gd.sgd(ETA, momentum=BETA, nesterov=True), BETA, True),
}
errors, closed, rates = {}, {}, {}
for name, (optimizer, beta, nesterov) in METHODS.items():
    errors[name] = gd.run(optimizer, bowl, start, steps=STEPS).points  # (steps + 1, 5) = e_t
    closed[name] = gd.component_errors(ETA, CURVATURES, beta, STEPS, nesterov=nesterov)
    rates[name] = gd.spectral_radius(ETA, CURVATURES, beta, nesterov=nesterov)

gap = max(float(np.abs(errors[n] - closed[n]).max()) for n in METHODS)
out.value("closed_gap", gap, fmt="{:.1e}", bound="upper")
out.value("eta", ETA, fmt="{:g}")
out.value("beta", BETA, fmt="{:g}")
out.value("steps", STEPS)
out.value("mu", CURVATURES[0], fmt="{:g}")
out.value("big_l", CURVATURES[-1], fmt="{:g}")
out.value("n_components", CURVATURES.size)
out.value("sqrt_beta", np.sqrt(BETA), fmt="{:.3f}")
for name, key in [("gradient descent", "gd"), ("heavy ball", "hb"), ("Nesterov", "nag")]:
    out.value(f"rate_slow_{key}", rates[name][0], fmt="{:.5f}")
    out.value(f"rate_fast_{key}", rates[name][-1], fmt="{:.3f}")
    out.value(f"final_slow_{key}", abs(errors[name][-1, 0]), fmt="{:.3f}")
# the heavy ball's under-damped band of curvatures: (1 - √β)² < ηλ < (1 + √β)²
band = ((1 - np.sqrt(BETA)) ** 2 / ETA, (1 + np.sqrt(BETA)) ** 2 / ETA)
out.value("band_low", band[0], fmt="{:.4f}")
out.value("band_high", band[1], fmt="{:.2f}")
hb_kinds = gd.damping(ETA, CURVATURES, BETA)
out.value("hb_under", int(np.sum(hb_kinds == "under-damped")))
out.value("hb_over", int(np.sum(hb_kinds == "over-damped")))
out.value("slow_root_approx", 1 - ETA * CURVATURES[0] / (1 - BETA), fmt="{:.5f}")

# %% [markdown]
# The figure: one panel per method, $|e_t|$ on a log scale, one colour per curvature (bright
# means more curvature, as on every page). Each dashed line is the closed form's envelope
# $|k_1||r_1|^t + |k_2||r_2|^t$ from `gd.component_modes`: for gradient descent it is the run
# itself, $|1 - \eta\lambda|^t$; for the momentum methods its slope is the spectral radius.

# %%
FLOOR = 1e-12
colors = [gd.style.matplotlib.colormaps[gd.style.SEQUENTIAL](x)
          for x in np.linspace(0.2, 0.85, CURVATURES.size)]
fig, axes = gd.figure(3, 1, figsize=(5.4, 7.2), sharex=True, sharey=True)
t = np.arange(STEPS + 1)
for ax, (name, (_, beta, nesterov)) in zip(axes, METHODS.items(), strict=True):
    c1, c2, r1, r2 = gd.component_modes(ETA, CURVATURES, beta, nesterov=nesterov)
    envelope = np.abs(c1) * np.abs(r1) ** t[:, None] + np.abs(c2) * np.abs(r2) ** t[:, None]
    for i, color in enumerate(colors):
        ax.semilogy(t, np.maximum(np.abs(errors[name][:, i]), FLOOR * 1e-3), color=color, lw=1.3)
        ax.semilogy(t, envelope[:, i], "--", color=color, lw=1.0)
    label = name if nesterov is False and beta == 0 else f"{name}, β = {BETA:g}"
    ax.set_title(label, loc="left")
    ax.set(ylim=(FLOOR, 3), ylabel=r"$|e_t|$")
axes[-1].set(xlabel="step $t$", xlim=(0, STEPS))
cmap = ListedColormap(colors)
norm = BoundaryNorm(np.arange(CURVATURES.size + 1) - 0.5, CURVATURES.size)
bar = fig.colorbar(gd.style.matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), ax=axes,
                   location="top", ticks=np.arange(CURVATURES.size), aspect=40, shrink=0.9)
bar.ax.set_xticklabels([f"{lam:.3g}" for lam in CURVATURES])
bar.set_label(rf"curvature $\lambda$ of the component ($\eta = {ETA:g}$)")
out.figure(fig, "components", caption=(
    f"Each component's error against the step, η = {ETA:g}. Gradient descent leaves the flat "
    f"components behind: at λ = {CURVATURES[0]:g} it has removed "
    f"{100 * (1 - abs(errors['gradient descent'][-1, 0])):.0f} % of the error after {STEPS} "
    f"steps. The heavy ball (β = {BETA:g}) moves the flat ones "
    f"about 1/(1 − β) = {1 / (1 - BETA):g} times faster and makes the steep ones ring at the "
    f"common rate √β; Nesterov damps the steep ones faster still. Dashed: the closed form's "
    f"envelope."), alt=(
    f"Three stacked log-scale plots of the error in each of {CURVATURES.size} eigencomponents "
    f"(curvatures {CURVATURES[0]:g} to {CURVATURES[-1]:g}) over {STEPS} steps, for gradient "
    f"descent, the heavy ball and Nesterov at learning rate {ETA:g} and momentum {BETA:g}. "
    "Gradient descent: straight lines, steeper for larger curvature, the flattest component "
    f"barely moving. Heavy ball: the {int(np.sum(hb_kinds == 'under-damped'))} steeper "
    "components oscillate under one common dashed slope, the "
    f"{int(np.sum(hb_kinds == 'over-damped'))} flat ones fall smoothly and faster than with "
    "gradient descent. "
    "Nesterov: like the heavy ball, but the steepest components fall faster. The runs lie on "
    "or under their dashed closed-form envelopes."))

# %% [markdown]
# ## The heavy ball's damping regimes in the $(\eta, \beta)$ plane
# For one curvature $\lambda$ the roots of $r^2 - (1 + \beta - \eta\lambda)r + \beta$ are real
# when the discriminant $(1 + \beta - \eta\lambda)^2 - 4\beta \ge 0$, that is outside
# $(1 - \sqrt\beta)^2 < \eta\lambda < (1 + \sqrt\beta)^2$. Inside, the error spirals
# (under-damped); on the left edge the roots meet (critically damped); left of it they are real
# and positive (over-damped); right of the right edge they are real and negative (the error
# flips sign every step); beyond $\eta\lambda = 2(1 + \beta)$ the method diverges.

# %%
LAMBDA = 1.0  # with λ = 1 the horizontal axis is ηλ
ROOT_MAX = np.sqrt(4.4)  # the map is drawn against √(ηλ), where the edges √(ηλ) = 1 ± √β are lines
root_grid = (np.arange(300) + 0.5) * ROOT_MAX / 300  # cell centres
beta_grid = (np.arange(150) + 0.5) / 150
eta_grid = root_grid**2
E, B = np.meshgrid(eta_grid, beta_grid)
kinds = gd.damping(E, LAMBDA, B)
divergent = gd.spectral_radius(E, LAMBDA, B) >= 1
REGIONS = ["over-damped", "under-damped", "sign-flipping", "divergent"]
code = np.select([divergent] + [kinds == k for k in REGIONS[:3]], [3, 0, 1, 2], 0)

SAMPLE_BETA = 0.6
critical_eta = (1 - np.sqrt(SAMPLE_BETA)) ** 2 / LAMBDA
SAMPLES = {"over-damped": 0.4 * critical_eta, "critically damped": critical_eta,
           "under-damped": 0.5}
SAMPLE_STEPS = 60
trajectories = {k: gd.run(gd.sgd(eta, momentum=SAMPLE_BETA), gd.quadratic([LAMBDA]),
                          np.ones(1), steps=SAMPLE_STEPS).points[:, 0]
                for k, eta in SAMPLES.items()}
sign_changes = {k: int(np.sum(np.diff(np.sign(e)) != 0)) for k, e in trajectories.items()}
out.value("sample_beta", SAMPLE_BETA, fmt="{:g}")
out.value("sample_steps", SAMPLE_STEPS)
out.value("eta_over", SAMPLES["over-damped"], fmt="{:.4f}")
out.value("eta_critical", SAMPLES["critically damped"], fmt="{:.4f}")
out.value("eta_under", SAMPLES["under-damped"], fmt="{:g}")
out.value("changes_under", sign_changes["under-damped"])
out.value("undershoot_under", -float(trajectories["under-damped"].min()), fmt="{:.2f}")

region_colors = [gd.COLORS["sky"], gd.COLORS["orange"], gd.COLORS["green"], "#cccccc"]
fig, (ax_map, ax_run) = gd.figure(2, 1, figsize=(5.4, 6.6), height_ratios=[1.25, 1])
ax_map.imshow(code, origin="lower", aspect="auto", interpolation="nearest",
              extent=(0, ROOT_MAX, 0, 1), cmap=ListedColormap(region_colors), vmin=-0.5,
              vmax=3.5)
TICKS = [0.05, 0.2, 0.5, 1, 2, 3, 4]
ax_map.set_xticks(np.sqrt(TICKS), [f"{v:g}" for v in TICKS])  # positions in √(ηλ), labels ηλ
ax_map.grid(False)
b_line = np.linspace(0, 1, 300)
ax_map.plot(1 - np.sqrt(b_line), b_line, color=gd.COLORS["black"], lw=1.6)
ax_map.plot(1 + np.sqrt(b_line), b_line, color=gd.COLORS["black"], lw=1.0, ls="--")
for (x, y, text) in [(0.012, 0.35, "over-\ndamped"), (0.5, 0.8, "under-damped"),
                     (2.5, 0.1, "sign-\nflipping"), (3.7, 0.55, "divergent")]:
    ax_map.text(np.sqrt(x), y, text, ha="center", va="center", bbox=gd.style.LABEL_BOX)
markers = {"over-damped": "o", "critically damped": "s", "under-damped": "^"}
for k, eta in SAMPLES.items():
    ax_map.plot([np.sqrt(eta)], [SAMPLE_BETA], markers[k], color=gd.COLORS["black"], ms=7,
                mfc="white")
ax_map.set(xlabel=r"$\eta\lambda$ (on a square-root scale)", ylabel=r"momentum $\beta$",
           xlim=(0, ROOT_MAX), ylim=(0, 1),
           title=r"solid: $\eta\lambda = (1-\sqrt{\beta})^2$ (critically damped)")
run_colors = {"over-damped": gd.COLORS["blue"], "critically damped": gd.COLORS["black"],
              "under-damped": gd.COLORS["red"]}
ts = np.arange(SAMPLE_STEPS + 1)
for k, e in trajectories.items():
    ax_run.plot(ts, e, marker=markers[k], ms=4, markevery=6, color=run_colors[k], lw=1.4,
                label=rf"{k}, $\eta\lambda = {SAMPLES[k]:.3g}$")
ax_run.axhline(0, color=gd.COLORS["grey"], lw=0.8)
ax_run.legend(loc="upper right")
ax_run.set(xlabel="step $t$", ylabel=r"$e_t$", xlim=(0, SAMPLE_STEPS),
           title=rf"$\beta = {SAMPLE_BETA:g}$, $e_0 = 1$, from rest")
out.figure(fig, "regimes", caption=(
    "Top: the heavy ball's regimes for one curvature λ in the (ηλ, β) plane; the solid curve "
    "is where the roots meet (critically damped). Bottom: one run per regime at "
    f"β = {SAMPLE_BETA:g} (the markers on the map). Only the under-damped run crosses zero; "
    "of the two that do not, the critically damped one settles faster."), alt=(
    f"Top: a map with eta times lambda from 0 to {ROOT_MAX**2:.2g} across and beta from 0 to "
    "1 up. A thin "
    "over-damped strip on the left, bounded by the solid curve (1 - sqrt beta) squared; a "
    "wide under-damped lens in the middle up to the dashed curve (1 + sqrt beta) squared; a "
    "sign-flipping sliver after it; divergent beyond 2(1 + beta). Three markers at beta "
    f"{SAMPLE_BETA:g}. Bottom: the three runs over {SAMPLE_STEPS} steps from e = 1: the "
    "over-damped one decays slowly and stays positive, the critically damped one decays "
    f"faster and stays positive, the under-damped one swings below zero "
    f"{sign_changes['under-damped']} times while shrinking."))

# %% [markdown]
# ## Exercises (docs/spectral.md)

# %%
EX_STEP = 0.1  # ηλ
out.value("ex_step", EX_STEP, fmt="{:g}")
out.value("ex_beta_critical", (1 - np.sqrt(EX_STEP)) ** 2, fmt="{:.4f}")
EX_NESTEROV_LAM = CURVATURES[-2]  # the second-steepest component: its rate is not on the page
out.value("ex_nesterov_lam", EX_NESTEROV_LAM, fmt="{:.3g}")
out.value("ex_nesterov_rate", np.sqrt(BETA * (1 - ETA * EX_NESTEROV_LAM)), fmt="{:.4f}")
EX_PREDICT_BETA = 0.9  # the flattest component under a momentum the page does not run
out.value("ex_predict_beta", EX_PREDICT_BETA, fmt="{:g}")
out.value("ex_slow_root_estimate", 1 - ETA * CURVATURES[0] / (1 - EX_PREDICT_BETA),
          fmt="{:.4f}")
out.value("ex_slow_root", gd.spectral_radius(ETA, CURVATURES[0], EX_PREDICT_BETA),
          fmt="{:.5f}")
