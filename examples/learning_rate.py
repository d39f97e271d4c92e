# %% [markdown]
# # The learning rate decides everything
#
# Gradient descent on $f(x) = x^2 + 5$ from $x_0 = 8$. Its derivative is $f'(x) = 2x$, so one
# step is the map $x \leftarrow x - \eta\,2x = (1 - 2\eta)\,x$: every step multiplies $x$ by
# the same number $q = 1 - 2\eta$, and $x_t = q^t x_0$. The sign and size of $q$ decide the
# regime.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("learning_rate")

C, X0 = 5.0, 8.0
objective = gd.parabola_plus(C)
CURVATURE = 2.0  # f''(x) = 2 everywhere: the L of this function

# %% [markdown]
# ## One learning rate, twenty steps

# %%
LR, STEPS = 0.1, 20
run = gd.run(gd.sgd(lr=LR), objective, x0=[X0], steps=STEPS)
xs = run.points[:, 0]
grads = objective.grad(run.points)[:, 0]
rows = [(t, xs[t], run.values[t], grads[t], -LR * grads[t] if t < STEPS else "—")
        for t in range(STEPS + 1)]
out.table("iterations", rows, headers=["step $t$", "$x_t$", "$f(x_t)$", "$f'(x_t)$",
                                       r"step $-\eta f'(x_t)$"], floatfmt=".6f")
out.value("lr", LR, fmt="{:g}")
out.value("x0", X0, fmt="{!r}")
out.value("c", C, fmt="{!r}")
out.value("steps", STEPS)
out.value("q", 1 - CURVATURE * LR, fmt="{:g}")
out.value("x_final", xs[-1], fmt="{:.4f}")
out.value("f_final", run.values[-1], fmt="{:.4f}")

fig, (ax_curve, ax_loss) = gd.figure(2, 1)
ax_curve.plot(*objective.grid(300, ((-9, 9),)), color=gd.COLORS["grey"], label="$x^2 + 5$")
ax_curve.plot(xs, run.values, "o-", ms=4, lw=1, color=gd.COLORS["blue"],
              label=rf"GD, $\eta = {LR:g}$")
gd.mark_start(ax_curve, xs[0], run.values[0], label=f"start $x_0 = {X0:g}$")
ax_curve.set(xlabel="$x$", ylabel="$f(x)$", title="Iterates on the curve")
ax_curve.legend(loc="upper center")
ax_loss.plot(np.arange(STEPS + 1), run.values, "o-", ms=4, color=gd.COLORS["blue"], label="$f(x_t)$")
F_MIN = float(objective.value(objective.minimizers[0]))
ax_loss.axhline(F_MIN, color=gd.COLORS["grey"], ls="--", lw=1, label=f"minimum value {F_MIN:g}")
ax_loss.set(xlabel="step $t$", ylabel="$f(x_t)$", title="Loss per step",
            xticks=np.arange(0, STEPS + 1, 5))
ax_loss.legend()
out.figure(fig, "descent", caption=(
    f"With η = {LR:g} the steps are long where x² + 5 is steep and shrink as it flattens; "
    f"below, the loss falls towards its minimum {F_MIN:g} without overshooting."),
    alt=(
    f"Top: the parabola x^2 + 5 with {STEPS + 1} gradient-descent iterates for learning rate "
    f"{LR:g}, moving from x = {X0:g} down to near 0 in ever smaller steps. Bottom: f(x_t) against "
    f"the step, falling from {run.values[0]:g} towards the minimum value {F_MIN:g}."
))

# %% [markdown]
# ## Six learning rates, six regimes
# One batched call runs all six: the learning rate is an array with one entry per run.

# %%
ETAS = np.array([0.01, 0.1, 0.5, 0.9, 1.0, 1.1])
SHOWN, LONG = 30, 200  # steps drawn; steps run (long enough for the divergent run to blow up)
runs = gd.run(gd.sgd(lr=ETAS), objective, x0=np.full((ETAS.size, 1), X0), steps=LONG)
q = gd.regimes.step_multiplier(ETAS, CURVATURE)
regime_names = [gd.regimes.classify_step(eta, CURVATURE) for eta in ETAS]

regime_rows = []
for i, eta in enumerate(ETAS):
    x_shown = runs.points[SHOWN, i, 0]
    regime_rows.append((
        f"{eta:g}", f"{q[i]:g}", regime_names[i], f"{x_shown:.4g}",
        f"diverged at step {runs.stop_step[i] + 1}" if runs.diverged[i] else runs.status[i],
    ))
out.table("regime_table", regime_rows, headers=[
    r"$\eta$", r"$q = 1 - 2\eta$", "regime", rf"$x_{{{SHOWN}}}$",
    f"[gd.run][gdnotes.run] status after {LONG} steps",
])
for i, eta in enumerate(ETAS):
    key = f"{eta:g}".replace(".", "")
    out.value(f"q_{key}", q[i], fmt="{:g}")
    out.value(f"regime_{key}", regime_names[i])
diverged = int(np.flatnonzero(runs.diverged)[0])
out.value("diverged_eta", ETAS[diverged], fmt="{:g}")
out.value("diverged_step", int(runs.stop_step[diverged]) + 1)  # first step past the bound
exponent = int(round(np.log10(runs.bound)))
assert runs.bound == 10.0**exponent  # written as a power of ten on the page
out.value("bound", f"10^{{{exponent}}}")
out.value("long_steps", LONG)
out.value("shown_steps", SHOWN)
out.value("max_stable_lr", gd.regimes.max_stable_lr(CURVATURE), fmt="{:g}")
out.value("fastest_lr", gd.regimes.fastest_lr(CURVATURE), fmt="{:g}")

fig, axes = gd.figure(3, 2, figsize=(5.4, 6.6), sharex=True)
t = np.arange(SHOWN + 1)
palette = [gd.COLORS[k] for k in ("blue", "sky", "green", "orange", "purple", "red")]
for ax, eta, qi, name, color, i in zip(axes.flat, ETAS, q, regime_names, palette, range(ETAS.size),
                                       strict=True):
    ax.axhline(0.0, color=gd.COLORS["grey"], lw=1)
    ax.plot(t, runs.points[: SHOWN + 1, i, 0], "o-", ms=3, lw=1.2, color=color)
    if runs.diverged[i]:
        name += f"\n(gd.run: diverged at step {runs.stop_step[i] + 1})"
        ax.set_yscale("symlog", linthresh=10)
    ax.set_title(rf"$\eta = {eta:g}$, $q = {qi:g}$" + f"\n{name}")
for ax in axes[1]:
    ax.set_xlabel("step $t$")
for ax in axes[:, 0]:
    ax.set_ylabel("$x_t$")
out.figure(fig, "regimes", caption=(
    "One panel per learning rate, the same start: the sign of q = 1 − ηL decides whether x_t "
    "slides (q > 0) or flips sign every step (q < 0), and its size decides whether it shrinks, "
    f"bounces or grows (the η = {ETAS[-1]:g} panel has a symmetric log axis)."),
    alt=(
    f"Six panels of x_t against the step t, one per learning rate, all starting at x = {X0:g}. "
    + "; ".join(f"learning rate {eta:g}: {name}" for eta, name in zip(ETAS, regime_names, strict=True))
    + ". Monotone runs slide down to 0 (slowly or quickly), the one-step run drops to 0 at once, "
    "oscillating runs flip sign every step with shrinking, constant or growing amplitude "
    "(the divergent one on a symmetric log axis)."
))

# %% [markdown]
# ## The general picture: one multiplier per step
# On any quadratic with curvature $L$ the error is multiplied by $1 - \eta L$ per step. It
# shrinks iff $|1 - \eta L| < 1$, i.e. $0 < \eta < 2/L$, and fastest when $\eta = 1/L$.

# %%
fig, ax = gd.figure()
eta_l = np.linspace(0, 2.4, 481)
ax.axvspan(0, 2, color=gd.COLORS["green"], alpha=0.12, lw=0, label=r"converges: $0 < \eta L < 2$")
ax.plot(eta_l, np.abs(1 - eta_l), color=gd.COLORS["blue"], label=r"$|1 - \eta L|$ (error factor per step)")
ax.axhline(1.0, color=gd.COLORS["grey"], ls="--", lw=1)
for eta, name, color in zip(ETAS, regime_names, palette, strict=True):
    ax.plot([eta * CURVATURE], [abs(1 - eta * CURVATURE)], "o", ms=8, color=color,
            label=rf"$\eta = {eta:g}$: {name}")
ax.set(xlabel=r"$\eta L$ (learning rate times curvature)", ylabel=r"$|1 - \eta L|$",
       title="One number decides the regime", xlim=(0, 2.4), ylim=(0, 1.45))
ax.legend(loc="upper center", ncol=2)
out.figure(fig, "multiplier", caption=(
    "Every regime is a point on one V: the error factor |1 − ηL| is below 1, so runs converge, "
    f"exactly for 0 < ηL < 2, and is 0 at ηL = 1 (L = {CURVATURE:g} here)."),
    alt=(
    "The error factor |1 - eta L| against eta L: a V shape that is 1 at eta L = 0, touches 0 at "
    "eta L = 1 and returns to 1 at eta L = 2, beyond which it exceeds 1. The band 0 < eta L < 2 is "
    f"shaded as convergent; the {ETAS.size} learning rates of this page are marked on the V "
    f"(L = {CURVATURE:g})."
))

# %% [markdown]
# ## Exercises (docs/learning-rate.md)
# The factor $q$ of $\eta = 0.99$ (just below the bouncing rate) and of $\eta = 0.01$, the steps
# $\eta = 0.25$ needs to bring $|x|$ below $0.01$, the stability limit of a steeper parabola, and
# ten divergent steps written out.

# %%
quarter = gd.run(gd.sgd(lr=0.25), objective, x0=[X0], steps=LONG)
steps_025 = int(gd.steps_to_reach(np.abs(quarter.points[:, 0]), 0.01))  # never exactly 0.01 here
out.value("ex_steps_025", steps_025)
out.value("ex_max_lr_l6", gd.regimes.max_stable_lr(6.0), fmt="{:.4f}")
out.value("ex_q_099", 1 - CURVATURE * 0.99, fmt="{:g}")  # just below the bouncing rate
out.value("ex_q_001", 1 - CURVATURE * 0.01, fmt="{:g}")
out.value("ex_regime_099", gd.regimes.classify_step(0.99, CURVATURE))

# %%
# --8<-- [start:diverge]
x = 8.0
for _ in range(10):
    x = x - 1.1 * 2 * x  # eta = 1.1 on f(x) = x^2 + 5
# --8<-- [end:diverge]
with out.capture("ex_diverge"):
    print(f"after 10 steps: x = {x:.4f}, |x| / |x0| = {abs(x) / 8.0:.4f}")
out.value("ex_x10_eta11", abs(x), fmt="{:.2f}")
