# %% [markdown]
# # Momentum and Adam under noise
#
# A noisy quadratic: $f(\theta) = \tfrac12\sum_i \lambda_i\theta_i^2$, and every gradient comes
# with independent Gaussian noise of variance $\Sigma_B$ per component. With a constant step no
# method converges; each settles into a noise floor. For the heavy ball the floor is exact: the
# pair $(e_t, e_{t-1})$ follows a linear recursion driven by noise, and its stationary
# covariance solves a discrete Lyapunov equation. This example solves it, measures it with
# batches of seeded runs, follows the transient into the floor, tests the "effective learning
# rate" $\eta/(1-\beta)$, and measures Adam's floor on the same problem.

# %%
import numpy as np
from matplotlib.ticker import NullLocator

import gdnotes as gd

out = gd.Outputs("momentum_noise")

# %% [markdown]
# ## The problem and the methods
# Three curvatures a decade apart, noise of variance $\Sigma_B = 1$ in every component. The
# heavy ball uses $\eta$ and $\beta$; plain SGD runs at the effective learning rate
# $\eta/(1-\beta)$, the step the heavy ball takes along a steady gradient.

# %%
CURVATURES = np.array([0.1, 1.0, 10.0])
NOISE = 1.0  # Σ_B, per component
ETA, BETA = 0.01, 0.9
ETA_EFF = ETA / (1 - BETA)
STEPS, RUNS, KEEP = 1500, 300, 1  # every step of RUNS seeded runs
BURN_IN = 750  # steps before the floor is measured (the slowest component needs ~100 per e-fold)
SEED = 1
start = np.ones(CURVATURES.size)

methods = {
    "heavy ball": (gd.sgd(ETA, momentum=BETA), ETA, BETA),
    "SGD at η/(1−β)": (gd.sgd(ETA_EFF), ETA_EFF, 0.0),
}
errors, exact_var, exact_msq, measured, se = {}, {}, {}, {}, {}
for name, (optimizer, lr, beta) in methods.items():
    errors[name] = gd.noisy_quadratic(optimizer, CURVATURES, NOISE, start, STEPS, RUNS,
                                      seed=SEED, keep=KEEP)
    exact_var[name] = gd.stationary_covariance(lr, CURVATURES, NOISE, beta)[:, 0, 0]
    exact_msq[name] = gd.expected_square_error(lr, CURVATURES, NOISE, beta, STEPS)[::KEEP]
    per_run = (errors[name][BURN_IN // KEEP:] ** 2).mean(axis=0)  # (runs, d): time averages
    measured[name] = per_run.mean(axis=0)
    se[name] = per_run.std(axis=0, ddof=1) / np.sqrt(RUNS)  # runs are independent

out.value("eta", ETA, fmt="{:g}")
out.value("beta", BETA, fmt="{:g}")
out.value("eta_eff", ETA_EFF, fmt="{:g}")
out.value("noise", NOISE, fmt="{:g}")
out.value("steps", STEPS, fmt="{:,}")
out.value("runs", RUNS)
out.value("burn_in", BURN_IN, fmt="{:,}")
out.value("keep", KEEP)
out.value("seed", SEED)
out.value("lam_small", CURVATURES[0], fmt="{:g}")
out.value("lam_mid", CURVATURES[1], fmt="{:g}")
out.value("lam_big", CURVATURES[2], fmt="{:g}")
z_max = max(float(np.max(np.abs(measured[n] - exact_var[n]) / se[n])) for n in methods)
out.value("z_max", z_max, fmt="{:.1f}", bound="upper")

rows = []
for name in methods:
    for i, lam in enumerate(CURVATURES):
        rows.append((name, f"{lam:g}", f"{exact_var[name][i]:.4g}",
                     f"{measured[name][i]:.3g} ± {se[name][i]:.1g}"))
out.table("stationary", rows, headers=["method", r"$\lambda$", r"exact $\mathbb E[e^2]$",
                                        r"measured ± standard error"])

# the lag-one correlation of the heavy ball's errors: P[0, 1] / P[0, 0], exact and measured
P_mid = gd.stationary_covariance(ETA, CURVATURES[1], NOISE, BETA)
tail = gd.noisy_quadratic(gd.sgd(ETA, momentum=BETA), CURVATURES[1:2], NOISE, 0.0, 400, RUNS,
                          seed=SEED + 1)[-2:, :, 0]  # the last two steps of each run
out.value("corr_exact", P_mid[0, 1] / P_mid[0, 0], fmt="{:.3f}")
out.value("corr_measured", float(np.corrcoef(tail[0], tail[1])[0, 1]), fmt="{:.3f}")
# the measured correlation moves by about (1 - ρ²)/√runs ≈ 0.0006 from seed to seed; the tests
# hold other seeds to this tolerance
out.value("corr_tol", 0.002, fmt="{:g}")

# %% [markdown]
# ## The transient and the floor
# The exact mean-square error $\mathbb E[e_t^2]$ is the noiseless error squared plus the
# variance, which grows from 0 by $C \leftarrow J C J^\top + Q$ (`gd.expected_square_error`).
# The excess loss is $\sum_i \tfrac12\lambda_i\,\mathbb E[e_{t,i}^2]$.

# %%
t = np.arange(0, STEPS + 1, KEEP)
shown = np.unique(np.geomspace(1, t.size - 1, 400).astype(int))  # log-spaced rows to draw
fig, ax = gd.figure(figsize=(5.4, 3.8))
styles = {"heavy ball": gd.COLORS["blue"], "SGD at η/(1−β)": gd.COLORS["orange"]}
floors, starts = {}, {}
for name in methods:
    loss_runs = (0.5 * CURVATURES * errors[name] ** 2).sum(-1).mean(-1)
    loss_exact = (0.5 * CURVATURES * exact_msq[name]).sum(-1)
    floors[name] = float((0.5 * CURVATURES * exact_var[name]).sum())
    starts[name] = float(loss_exact[shown[0]])  # the first step drawn (t = 1, log axis)
    ax.loglog(t[shown], loss_runs[shown], color=styles[name], lw=1.0, alpha=0.8)
    ax.loglog(t[shown], loss_exact[shown], "--", color=gd.COLORS["black"], lw=1.0)
    ax.axhline(floors[name], color=styles[name], ls=":", lw=1.2)
ax.text(STEPS, floors["heavy ball"] * 0.8, "heavy ball", color=styles["heavy ball"],
        ha="right", va="top")
ax.text(STEPS, floors["SGD at η/(1−β)"] * 1.25, r"SGD at $\eta/(1-\beta)$",
        color=styles["SGD at η/(1−β)"], ha="right", va="bottom")
ax.set(xlabel="step $t$", ylabel=r"mean excess loss $\mathbb{E}[f] - f^\star$",
       xlim=(1, STEPS), ylim=(min(floors.values()) * 0.3, 8),
       title=rf"$\eta = {ETA:g}$, $\beta = {BETA:g}$, $\Sigma_B = {NOISE:g}$, {RUNS} runs")
ax.yaxis.set_minor_locator(NullLocator())  # decades only: fewer labels to measure and draw
out.value("floor_hb", floors["heavy ball"], fmt="{:.4f}")
out.value("floor_sgd", floors["SGD at η/(1−β)"], fmt="{:.4f}")
out.value("floor_ratio", floors["heavy ball"] / floors["SGD at η/(1−β)"], fmt="{:.2f}")
out.figure(fig, "transient", caption=(
    f"Mean excess loss over {RUNS} runs (solid), its exact value (dashed) and the exact "
    "floors (dotted). Both methods first shed the error they started with, then sit at their "
    f"noise floor. The heavy ball's floor is {floors['heavy ball'] / floors['SGD at η/(1−β)']:.2f} "
    "times that of SGD at the effective learning rate: the stiff component breaks the "
    "effective-learning-rate picture."), alt=(
    f"Mean excess loss on a log axis over {STEPS} steps for the heavy ball (eta {ETA:g}, beta "
    f"{BETA:g}) and plain SGD at eta {ETA_EFF:g}, each averaged over {RUNS} noisy runs, with "
    f"dashed exact curves on top of the measured ones. At step 1 the heavy ball is at "
    f"{starts['heavy ball']:.2g} and falls while ringing; SGD, whose first step removes the "
    f"stiffest component, starts at {starts['SGD at η/(1−β)']:.2g} and falls smoothly. Both "
    f"level off: the heavy ball at {floors['heavy ball']:.4f}, SGD at "
    f"{floors['SGD at η/(1−β)']:.4f}, each marked by a dotted line. The measured curves "
    "jitter around the exact ones."))

# %% [markdown]
# ## When is η/(1−β) the right picture?
# From the Lyapunov solution, with $x = \eta\lambda/(1-\beta)$ (the effective step times the
# curvature), the heavy ball's floor and SGD's at $\eta/(1-\beta)$ are
# $\mathbb E[e^2] = \frac{\eta\Sigma_B}{(1-\beta)\lambda}\cdot\frac{1}{2 - x(1-\beta)/(1+\beta)}$
# and $\frac{\eta\Sigma_B}{(1-\beta)\lambda}\cdot\frac{1}{2 - x}$. They agree when $x$ is small
# and part as $x$ grows; SGD diverges at $x = 2$, the heavy ball only at
# $x = 2(1+\beta)/(1-\beta)$.

# %%
def normalised_floor(x, beta):
    """λ E[e²] / (η Σ_B/(1-β)) from the Lyapunov solution (heavy ball; β = 0 is SGD at η')."""
    lam = 1.0
    lr = x * (1 - beta) / lam
    return gd.stationary_covariance(lr, lam, 1.0, beta)[..., 0, 0] * lam * (1 - beta) / lr


XS = np.array([0.01, 0.1, 0.5, 1.0, 1.5, 1.9, 3.0])
rows = []
for x in XS:
    hb = float(normalised_floor(x, BETA))
    sgd = float(normalised_floor(x, 0.0)) if x < 2 else None
    rows.append((f"{x:g}", f"{hb:.4f}", f"{sgd:.4f}" if sgd else "diverges",
                 f"{hb / sgd:.3f}" if sgd else "—"))
out.table("effective", rows, headers=[r"$x = \eta\lambda/(1-\beta)$", "heavy ball",
                                      r"SGD at $\eta/(1-\beta)$", "ratio"])
out.value("x_edge_hb", 2 * (1 + BETA) / (1 - BETA), fmt="{:g}")
x_one_percent = 0.02  # the ratio is within x/2 of 1, so x <= 0.02 keeps it within 1 %
out.value("x_one_percent", x_one_percent, fmt="{:g}")
out.value("ratio_at_1", float(normalised_floor(1.0, BETA) / normalised_floor(1.0, 0.0)),
          fmt="{:.3f}")

fig, ax = gd.figure()
X_MAX = 60
x_line = np.geomspace(1e-3, X_MAX, 400)
DRAWN_BETAS = (0.5, BETA, 0.99)
for beta, color in zip(DRAWN_BETAS, [gd.COLORS["sky"], gd.COLORS["blue"], gd.COLORS["purple"]],
                       strict=True):
    inside = x_line < 2 * (1 + beta) / (1 - beta) * 0.995
    ax.loglog(x_line[inside], normalised_floor(x_line[inside], beta), color=color, lw=1.6)
    xe = x_line[inside][-1]
    label, (x_text, y_text, va) = {
        0.5: (r"$\beta = 0.5$", (5.2, 15, "center")),
        BETA: ("heavy ball\n" + rf"$\beta = {BETA:g}$", (33, 4, "center")),
        0.99: (r"heavy ball, $\beta = 0.99$", (55, 0.5, "top"))}[beta]
    ax.text(x_text, y_text, label, color=color, ha="right", va=va)
sgd_x = x_line[x_line < 1.995]
ax.loglog(sgd_x, normalised_floor(sgd_x, 0.0), color=gd.COLORS["orange"], lw=1.6)
ax.text(1.5, 6, "SGD at\n" + r"$\eta/(1-\beta)$", color=gd.COLORS["orange"], ha="right")
ax.axvline(2, color=gd.COLORS["orange"], ls=":", lw=1)
for name, marker, color in [("heavy ball", "o", gd.COLORS["blue"]),
                            ("SGD at η/(1−β)", "s", gd.COLORS["orange"])]:
    x_meas = ETA_EFF * CURVATURES
    ax.plot(x_meas, measured[name] * CURVATURES / ETA_EFF / NOISE, marker, color=color,
            mfc="none", ms=8, mew=1.5)
ax.set(xlabel=r"$x = \eta\lambda/(1-\beta)$",
       ylabel=r"floor $\lambda\,\mathbb{E}[e^2] \,/\, (\eta\Sigma_B/(1-\beta))$",
       ylim=(0.3, 30), xlim=(1e-3, X_MAX))
ax.xaxis.set_minor_locator(NullLocator())
ax.yaxis.set_minor_locator(NullLocator())
out.figure(fig, "effective_lr", caption=(
    "The stationary variance in units of the effective-learning-rate prediction, exact "
    "(lines) and measured at the three curvatures of the runs above (markers, β = "
    f"{BETA:g}). For small x every curve starts at 1/2: there η/(1−β) is the right picture. "
    "As x grows SGD's floor blows up at x = 2, while the heavy ball's stays lower and finite "
    "up to x = 2(1+β)/(1−β)."), alt=(
    "Log-log plot of the normalised noise floor against x = eta lambda / (1 - beta). SGD at "
    "the effective learning rate and the heavy ball with beta "
    f"{', '.join(f'{b:g}' for b in DRAWN_BETAS[:-1])} and {DRAWN_BETAS[-1]:g} all start at one "
    "half for small x. SGD's curve rises steeply to a vertical asymptote at x = 2; the "
    "heavy-ball curves stay below it and rise only near their own limits "
    f"{', '.join(f'{2 * (1 + b) / (1 - b):.3g}' for b in DRAWN_BETAS[:-1])} and "
    f"{2 * (1 + DRAWN_BETAS[-1]) / (1 - DRAWN_BETAS[-1]):.3g} (the last beyond the plot's "
    f"right edge at {X_MAX:g}). Circles (heavy ball) and squares (SGD) measured at x = "
    f"{', '.join(f'{x:g}' for x in ETA_EFF * CURVATURES[:-1])} and "
    f"{ETA_EFF * CURVATURES[-1]:g} sit on their curves."))


# %% [markdown]
# ## Adam under the same noise
# Near the floor Adam's gradient is mostly noise, so $v \approx \mathbb E[g^2] \approx \Sigma_B$
# and its step is roughly SGD's divided by $\sqrt{\Sigma_B}$ (with momentum $\beta_1$, in
# moving-average form). If so, its floor in excess loss per component is about
# $\eta\sqrt{\Sigma_B}/4$, where SGD's (small steps) is $\eta\Sigma_B/4$. We measure it, with
# torch's default betas and the heavy ball's $\eta$, at two noise levels and two curvatures, all
# in one batch: Adam treats every coordinate on its own.

# %%
ADAM_NOISES = np.array([0.25, 4.0])
ADAM_STEPS, ADAM_RUNS, ADAM_BURN = 3000, 150, 1500  # v needs ~1/(1-β₂) = 1000 steps to settle
ADAM_CURVATURES = CURVATURES[1:]  # λ = 0.1 would need ~1/(λη/√Σ_B) = 2000 steps per e-fold
lam_grid = np.tile(ADAM_CURVATURES, ADAM_NOISES.size)
noise_grid = np.repeat(ADAM_NOISES, ADAM_CURVATURES.size)
adam_errors = gd.noisy_quadratic(gd.adam(ETA), lam_grid, noise_grid, np.zeros(lam_grid.size),
                                 ADAM_STEPS, ADAM_RUNS, seed=SEED, keep=KEEP)
adam_per_run = (0.5 * lam_grid * adam_errors[ADAM_BURN // KEEP:] ** 2).mean(axis=0)
adam_floor = adam_per_run.mean(axis=0)
adam_se = adam_per_run.std(axis=0, ddof=1) / np.sqrt(ADAM_RUNS)
sgd_floor = 0.5 * lam_grid * gd.stationary_covariance(ETA, lam_grid, noise_grid)[:, 0, 0]
rows = [(f"{s:g}", f"{lam:g}", f"{a:.5f} ± {e:.5f}", f"{ETA * np.sqrt(s) / 4:.5f}", f"{g:.5f}")
        for s, lam, a, e, g in zip(noise_grid, lam_grid, adam_floor, adam_se, sgd_floor,
                                   strict=True)]
out.table("adam", rows, headers=[r"$\Sigma_B$", r"$\lambda$", "Adam, measured",
                                 r"$\eta\sqrt{\Sigma_B}/4$", "SGD, exact"])
n = ADAM_CURVATURES.size
out.value("adam_noise_low", ADAM_NOISES[0], fmt="{:g}")
out.value("adam_noise_high", ADAM_NOISES[1], fmt="{:g}")
out.value("adam_steps", ADAM_STEPS, fmt="{:,}")
out.value("adam_runs", ADAM_RUNS)
out.value("adam_burn", ADAM_BURN, fmt="{:,}")
out.value("noise_ratio", ADAM_NOISES[1] / ADAM_NOISES[0], fmt="{:g}")
out.value("adam_lam_small", ADAM_CURVATURES[0], fmt="{:g}")
out.value("adam_growth_model", np.sqrt(ADAM_NOISES[1] / ADAM_NOISES[0]), fmt="{:g}")
out.value("sgd_growth", float((sgd_floor[n:] / sgd_floor[:n]).mean()), fmt="{:.0f}")

# %% [markdown]
# ## Exercises (docs/momentum-noise.md)

# %%
# Compute: the heavy ball's floor where SGD at η/(1-β) has none (x = 2)
EX_HB_LAM = 2 * (1 - BETA) / ETA
out.value("ex_hb_lam", EX_HB_LAM, fmt="{:g}")
out.value("ex_hb_x", ETA * EX_HB_LAM / (1 - BETA), fmt="{:g}")
out.value("ex_var_hb", ETA * NOISE * (1 + BETA)
          / ((1 - BETA) * EX_HB_LAM * (2 * (1 + BETA) - ETA * EX_HB_LAM)), fmt="{:.5f}")
out.value("ex_var_hb_rule", ETA * NOISE / (2 * (1 - BETA) * EX_HB_LAM), fmt="{:.5f}")
# Compute: the ratio of the floors at an x the table does not list
EX_X = 0.8
out.value("ex_x", EX_X, fmt="{:g}")
out.value("ex_ratio", (2 - EX_X) / (2 - EX_X * (1 - BETA) / (1 + BETA)), fmt="{:.4f}")
out.value("ex_ratio_lower", 1 - EX_X / 2, fmt="{:g}")
out.value("ex_corr", (1 + BETA - ETA * CURVATURES[1]) / (1 + BETA), fmt="{:.4f}")
# Predict: Adam's floor, model η√Σ_B/4, with η halved and the noise variance times 9
EX_LR_FACTOR, EX_NOISE_FACTOR = 0.5, 9.0
out.value("ex_adam_lr_factor", EX_LR_FACTOR, fmt="{:g}")
out.value("ex_adam_noise_factor", EX_NOISE_FACTOR, fmt="{:g}")
out.value("ex_adam_floor_factor", EX_LR_FACTOR * np.sqrt(EX_NOISE_FACTOR), fmt="{:g}")
out.value("ex_sgd_floor_factor", EX_LR_FACTOR * EX_NOISE_FACTOR, fmt="{:g}")
