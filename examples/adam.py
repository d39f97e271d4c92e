# %% [markdown]
# # Adam: bias correction, and AdamW's decoupled weight decay
#
# Adam keeps two exponential moving averages per parameter, of the gradient ($m_t$) and of
# its square ($v_t$), both started at zero, and steps by
# $\eta\,\hat m_t / (\sqrt{\hat v_t} + \epsilon)$ with the bias-corrected
# $\hat m_t = m_t/(1-\beta_1^t)$ and $\hat v_t = v_t/(1-\beta_2^t)$.

# %%
import inspect

import numpy as np

import gdnotes as gd

out = gd.Outputs("adam")
DEFAULTS = {name: p.default for name, p in inspect.signature(gd.adam).parameters.items()}
B1, B2 = DEFAULTS["betas"]  # torch's defaults (the tests compare them with torch's signature)
out.value("default_lr", DEFAULTS["lr"], fmt="{:g}")
out.value("default_beta1", B1, fmt="{:g}")
out.value("default_beta2", B2, fmt="{:g}")
out.value("default_eps", DEFAULTS["eps"], fmt="{:g}")

# %% [markdown]
# ## Why the averages need correcting
# Started at zero, an average of a constant gradient $g$ is $m_t = (1-\beta_1^t)\,g$ and
# $v_t = (1-\beta_2^t)\,g^2$: both far too small at first. Without correction the step would
# be $\eta\,m_t/\sqrt{v_t} = \eta\,\mathrm{sign}(g)\,(1-\beta_1^t)/\sqrt{1-\beta_2^t}$.

# %%
ts = np.array([1, 2, 3, 5, 10, 20, 50, 100, 300, 1000, 3000])
rows = [(int(t), 1 - B1**t, np.sqrt(1 - B2**t), (1 - B1**t) / np.sqrt(1 - B2**t)) for t in ts]
out.table("factors", rows, headers=[
    "step $t$", r"$1-\beta_1^t$", r"$\sqrt{1-\beta_2^t}$",
    r"uncorrected step / corrected step"], floatfmt=".4f")
ratio = (1 - B1 ** np.arange(1, 10001)) / np.sqrt(1 - B2 ** np.arange(1, 10001))
out.value("ratio_t1", ratio[0], fmt="{:.2f}")
out.value("ratio_peak", ratio.max(), fmt="{:.2f}")
out.value("ratio_peak_t", int(np.argmax(ratio)) + 1)

# %% [markdown]
# ## The first steps of a real run, with and without the correction
# `gd.adam` on a bowl whose two curvatures differ by a factor of
# {{ value: adam/curvature_ratio }}: $f = \tfrac12({{ value: adam/curvature_1 }}\,x_1^2 +
# {{ value: adam/curvature_2 }}\,x_2^2)$ from {{ value: adam/start }}, learning rate
# {{ value: adam/lr }}. Far out along $x_1$ its gradient stays nearly constant for the whole
# run, which makes the comparison with the closed form fair. At every step we record the step
# Adam took and the step it *would* have taken from the same moments without correction,
# $\eta\, m_t/(\sqrt{v_t} + \epsilon)$ (both moments read from the optimizer's state).

# %%
bowl = gd.quadratic([0.01, 100.0])
LR, STEPS = 0.01, 1000
opt = gd.adam(lr=LR)
START = np.array([100.0, 1.0])
out.value("curvature_1", bowl.eigenvalues[0], fmt="{:g}")
out.value("curvature_2", bowl.eigenvalues[1], fmt="{:g}")
out.value("curvature_ratio", bowl.eigenvalues[1] / bowl.eigenvalues[0], fmt="{:,.0f}")
out.value("start", f"({START[0]:g}, {START[1]:g})")
theta = START.copy()
state = opt.init(theta)
taken, uncorrected = [], []
for _ in range(STEPS):
    new_theta, state = opt.update(state, theta, bowl.grad(theta), bowl)
    moments = state["stages"][-1]
    taken.append(new_theta - theta)
    uncorrected.append(-LR * moments["m"] / (np.sqrt(moments["v"]) + opt.hyperparams["eps"]))
    theta = new_theta
taken, uncorrected = np.abs(np.array(taken)), np.abs(np.array(uncorrected))
first_rows = [(t + 1, taken[t, 0], taken[t, 1], uncorrected[t, 0], uncorrected[t, 1])
              for t in range(6)]
out.table("first_steps", first_rows, headers=[
    "step", r"$\lvert\Delta x_1\rvert$ with correction",
    r"$\lvert\Delta x_2\rvert$ with correction", r"$\lvert\Delta x_1\rvert$ without",
    r"$\lvert\Delta x_2\rvert$ without"], floatfmt=".5f")
out.value("grad_ratio", abs(bowl.grad(START)[1] / bowl.grad(START)[0]), fmt="{:g}")
out.value("lr", LR, fmt="{:g}")

fig, ax = gd.figure()
t = np.arange(1, STEPS + 1)
ax.semilogx(t, taken[:, 0] / LR, color=gd.COLORS["blue"], label="with correction (Adam)")
ax.semilogx(t, uncorrected[:, 0] / LR, color=gd.COLORS["orange"],
            label="without correction, same moments")
ax.semilogx(t, (1 - B1**t) / np.sqrt(1 - B2**t), ":", color=gd.COLORS["black"], lw=1.5,
            label=r"$(1-\beta_1^t)/\sqrt{1-\beta_2^t}$ (constant gradient)")
ax.set(xlabel="step $t$", ylabel=r"step size of $x_1$ / learning rate",
       title=rf"Adam's steps on the flat coordinate ($\beta_1 = {B1:g}$, $\beta_2 = {B2:g}$)")
ax.legend()
out.figure(fig, "bias_correction", caption=(
    f"Without bias correction Adam's first step is {ratio[0]:.1f} times the learning rate and "
    f"the excess peaks at {ratio.max():.1f} times (step {np.argmax(ratio) + 1}); with it, the "
    "steps are about one learning rate from the start."),
    alt=(
    "Step size of the flat coordinate divided by the learning rate, against the step on a log "
    "axis. With bias correction Adam's steps are about one learning rate from the very first "
    f"step. Without it the steps start {ratio[0]:.1f} times too large, grow to about "
    f"{ratio.max():.1f} times at step {np.argmax(ratio) + 1} and are still "
    f"{ratio[STEPS - 1]:.2f} times too large at step {STEPS}, following the dotted closed-form "
    "curve throughout."
))

# %% [markdown]
# ## AMSGrad: which step can never grow
# AMSGrad divides by a running maximum of the second moment. Reddi et al. take the maximum
# of $v_t$ and use it without bias correction; torch's `Adam(amsgrad=True)` and
# `gd.adam(amsgrad=True)` take the maximum of the *raw* $v_t$ and then divide it by
# $1-\beta_2^t$. Feed one large gradient ($g_1 = {{ value: adam/ams_spike }}$), then small
# ones ($g_t = {{ value: adam/ams_small }}$), with $\eta = {{ value: adam/ams_lr }}$: the maximum
# is set at step 1 and held, and the step per unit of $\hat m_t$, $|\Delta\theta_t| / |\hat m_t|$,
# is read off the optimizer's own steps.

# %%
AMS_LR, SPIKE, SMALL = 0.01, 1.0, 0.01
AMS_STEPS = np.array([1, 2, 10, 100, 1000, 2000, 5000])
ams = gd.adam(lr=AMS_LR, amsgrad=True)
theta = np.zeros(1)
state = ams.init(theta)
per_unit = []
for t in range(1, AMS_STEPS[-1] + 1):
    g = np.array([SPIKE if t == 1 else SMALL])
    new_theta, state = ams.update(state, theta, g, None)
    m_hat = state["stages"][-1]["m"] / (1 - B1**t)
    per_unit.append(float(np.abs(new_theta - theta)[0] / np.abs(m_hat)[0]))
    theta = new_theta
per_unit = np.array(per_unit)
vmax = state["stages"][-1]["vmax"][0]  # the held maximum: v_1 = (1 - β₂) g₁²
reddi = AMS_LR / (np.sqrt(vmax) + ams.hyperparams["eps"])  # Reddi et al.: η/√max v, constant
out.table("amsgrad", [(int(t), per_unit[t - 1], reddi) for t in AMS_STEPS], headers=[
    "step $t$", r"torch / `gd.adam(amsgrad=True)`: $\eta\sqrt{1-\beta_2^t}/\sqrt{v^{\max}_t}$",
    r"Reddi et al. (no bias correction): $\eta/\sqrt{v^{\max}_t}$"], floatfmt=".4f")
out.value("ams_lr", AMS_LR, fmt="{:g}")
out.value("ams_spike", SPIKE, fmt="{:g}")
out.value("ams_small", SMALL, fmt="{:g}")
out.value("ams_growth", per_unit[999] / per_unit[0], fmt="{:.0f}", bound="lower")
out.value("ams_limit", 1 / np.sqrt(1 - B2), fmt="{:.1f}")  # √(1/(1-β₂)): where it ends

# %% [markdown]
# ## AdamW is not Adam with an L2 term
# Problem: $f(\theta) = \tfrac12\sum_i a_i(\theta_i - c_i)^2$ with curvatures
# $a = {{ value: adam/wd_curvatures }}$ and unregularised minimiser
# $c = {{ value: adam/wd_minimiser }}$; weight decay $\omega = {{ value: adam/wd_lambda }}$.
# `gd.adam` with `weight_decay` adds $\omega\theta$ to the gradient *before* the adaptive
# scaling; `gd.adamw` subtracts $\eta\omega\theta$ *after* it. Both run
# {{ value: adam/wd_steps }} steps with a cosine learning-rate decay so that they come to rest.

# %%
# Which decay torch's AdamW applies: one step with a zero gradient only decays θ.
DECAY_LR, DECAY_LAMBDA = 1e-3, 1e-2  # torch's AdamW defaults
decayed, _ = gd.adamw(lr=DECAY_LR, weight_decay=DECAY_LAMBDA).update(
    gd.adamw(lr=DECAY_LR).init(np.ones(1)), np.ones(1), np.zeros(1), None)
out.value("decay_lr", DECAY_LR, fmt="{:g}")
out.value("decay_lambda", DECAY_LAMBDA, fmt="{:g}")
out.value("decay_torch", decayed[0], fmt="{:.5f}")  # 1 - lr·ω
out.value("decay_paper", 1 - DECAY_LAMBDA, fmt="{:.5f}")  # the paper: 1 - (η_t/η̄)·ω, no schedule

# %%
a, c, lam = np.array([1.0, 0.01]), np.array([1.0, 20.0]), 0.1
problem = gd.quadratic(a, b=-a * c)
WD_STEPS = 3000
out.value("wd_curvatures", f"({a[0]:g}, {a[1]:g})")
out.value("wd_minimiser", f"({c[0]:g}, {c[1]:g})")
out.value("wd_lambda", lam, fmt="{:g}")
out.value("wd_inverse_lambda", 1 / lam, fmt="{:g}")
out.value("wd_steps", WD_STEPS)
schedule = gd.cosine_decay(0.3, WD_STEPS)
start = np.zeros(2)
run_l2 = gd.run(gd.adam(lr=schedule, weight_decay=lam), problem, start, steps=WD_STEPS)
run_w = gd.run(gd.adamw(lr=schedule, weight_decay=lam), problem, start, steps=WD_STEPS)
ridge = a * c / (a + lam)  # minimiser of f + (ω/2)|θ|²
box = np.clip(c, -1 / lam, 1 / lam)  # minimiser of f subject to |θ_i| <= 1/ω
wd_rows = [
    ("Adam + L2", *np.round(run_l2.final, 4), "ridge: $(A + \\omega I)^{-1} A c$",
     *np.round(ridge, 4)),
    ("AdamW", *np.round(run_w.final, 4),
     "$\\min f$, $\\lvert\\theta_i\\rvert \\le 1/\\omega$", *np.round(box, 4)),
]
out.table("weight_decay", wd_rows, headers=[
    "optimizer", r"final $\theta_1$", r"final $\theta_2$", "closed form", r"$\theta_1$",
    r"$\theta_2$"], floatfmt=".4f")
out.value("l2_theta2", run_l2.final[1], fmt="{:.3f}")
out.value("w_theta2", run_w.final[1], fmt="{:.3f}")
out.value("l2_theta1", run_l2.final[0], fmt="{:.3f}")
out.value("w_theta1", run_w.final[0], fmt="{:.3f}")
out.value("l2_shrink", c[1] / run_l2.final[1], fmt="{:.0f}")  # how much L2 shrinks θ₂

fig, ax = gd.figure()
gd.contour(ax, problem, ((-0.5, 2.0), (-2, 22)), n=150, levels=12, cmap=None,
           colors=gd.COLORS["grey"], linewidths=0.6, linestyles="solid")
ax.axhline(1 / lam, color=gd.COLORS["red"], ls=":", lw=1.5, label=r"$\theta_2 = 1/\omega$")
ax.plot(*run_l2.path().T, color=gd.COLORS["blue"], label="Adam + L2")
ax.plot(*run_w.path().T, color=gd.COLORS["orange"], label="AdamW")
gd.mark_optimum(ax, *c, label=rf"minimiser of $f$, $c = ({c[0]:g}, {c[1]:g})$")
ax.plot(*ridge, "s", ms=8, color=gd.COLORS["blue"], mec="black", label="ridge solution")
ax.set(xlabel=rf"$\theta_1$ (curvature {a[0]:g})", ylabel=rf"$\theta_2$ (curvature {a[1]:g})",
       title=rf"Same $\omega = {lam:g}$, two different answers")
ax.legend(loc="upper left")
out.figure(fig, "weight_decay_paths", caption=(
    "Same problem, same decay strength: Adam with an L2 term shrinks the flat coordinate "
    f"by a factor {c[1] / run_l2.final[1]:.0f}, while AdamW stops near θ₂ = 1/ω = {1 / lam:g} "
    "and leaves the steep coordinate where it was."),
    alt=(
    "Contours of a quadratic that is steep in theta_1 and very flat in theta_2, with minimiser "
    f"({c[0]:g}, {c[1]:g}). Adam with an L2 term ends at the ridge solution near "
    f"({run_l2.final[0]:.2f}, {run_l2.final[1]:.2f}), shrinking the flat coordinate by a factor "
    f"{c[1] / run_l2.final[1]:.0f}; AdamW ends at ({run_w.final[0]:.2f}, {run_w.final[1]:.2f}), "
    f"just below the dotted line theta_2 = 1/omega = {1 / lam:g}, leaving the steep "
    "coordinate at its unregularised value."
))

# %% [markdown]
# ## Exercises (docs/adam.md)
# The bias-corrected average of two gradients, and Adam's first step when the gradient is far
# below $\epsilon$ (torch's defaults).

# %%
adam_default = gd.adam()
m2 = (B1 * (1 - B1) * 1.0 + (1 - B1) * 3.0) / (1 - B1**2)  # the corrected average, by hand
out.value("ex_m_hat_2", m2, fmt="{:.4f}")
out.value("ex_weight_newest", (1 - B1) / (1 - B1**2), fmt="{:.4f}")
tiny_state = adam_default.init(np.zeros(1))
tiny_x, _ = adam_default.update(tiny_state, np.zeros(1), np.array([1e-10]))
out.value("ex_tiny_step_ratio", abs(float(tiny_x[0])) / DEFAULTS["lr"], fmt="{:.4f}")
