# %% [markdown]
# # Learning-rate schedules
#
# A schedule is a function $t \mapsto \eta_t$ of the step index (gdnotes follows
# `torch.optim.lr_scheduler`). This script draws four common ones, measures what they do to
# the noise ball of mini-batch SGD, and shows why Adam likes a warmup.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("schedules")

N, BATCH, EPOCHS = 100, 10, 30
UPDATES = EPOCHS * N // BATCH  # 300 updates in all
LR = 0.2
WARMUP = 30
STEP_SIZE, STEP_GAMMA, EXP_GAMMA = 100, 0.3, 0.99
SCHEDULES = {
    "constant": gd.constant(LR),
    f"step (×{STEP_GAMMA:g} every {STEP_SIZE})": gd.step_decay(LR, STEP_SIZE, gamma=STEP_GAMMA),
    f"exponential (×{EXP_GAMMA:g} per step)": gd.exponential_decay(LR, gamma=EXP_GAMMA),
    "cosine": gd.cosine_decay(LR, UPDATES),
    f"warmup {WARMUP} + cosine": gd.warmup(gd.cosine_decay(LR, UPDATES - WARMUP), WARMUP,
                                           start_factor=0.05),
}
COLOR = dict(zip(SCHEDULES, ("black", "orange", "green", "blue", "purple"), strict=True))

# %% [markdown]
# ## The schedules

# %%
t = np.arange(UPDATES)
fig, ax = gd.figure()
for name, schedule in SCHEDULES.items():
    ax.plot(t, schedule(t), color=gd.COLORS[COLOR[name]], label=name)
ax.set(xlabel="step $t$", ylabel=r"learning rate $\eta_t$", title=f"Five schedules from η = {LR:g}")
ax.legend()
out.figure(fig, "curves", caption=(
    f"The five schedules over {UPDATES} steps, all from η = {LR:g}: only the constant one keeps "
    "its step size; warmup plus cosine first ramps up, then decays like cosine."),
    alt=(
    f"Learning rate against step for five schedules over {UPDATES} steps, all starting from "
    f"{LR:g}: constant stays flat; step decay drops by a factor {STEP_GAMMA:g} every "
    f"{STEP_SIZE} steps; exponential decay falls smoothly to about "
    f"{LR * EXP_GAMMA ** (UPDATES - 1):.2f}; "
    "cosine follows half a cosine wave down "
    f"to 0; warmup plus cosine first ramps linearly up from near 0 over {WARMUP} steps, then "
    "follows a cosine down to 0."
))

# %% [markdown]
# ## The noise ball of mini-batch SGD
# Fitting a line to `gd.regression_data()` with batches of {{ value: schedules/batch }}: each
# step's gradient is noisy, so with a constant learning rate SGD never settles — it jitters
# around the optimum at a distance that grows with $\eta$. Decaying $\eta$ shrinks the ball.
# Each schedule is run from $(0, 0)$ with {{ value: schedules/noise_seeds }} different shuffling
# seeds; the curves are the mean excess loss $f(\theta_t) - f(\theta^\star)$ over the seeds.

# %%
x, y = gd.regression_data(n=N)
loss = gd.line_mse(x, y)
best_loss = float(loss.value(loss.optimum))
SEEDS = range(6)


def every_schedule(t):
    """All five learning rates at step ``t`` (one per run of a batch), each schedule called
    exactly as a run of its own would call it."""
    return np.stack([np.asarray(s(t), dtype=float) for s in SCHEDULES.values()], -1)


# one batched run per seed: the five schedules see the same batches, as five runs would
starts = np.zeros((len(SCHEDULES), 2))
runs = [gd.minibatch_sgd(gd.sgd(lr=every_schedule), x, y, starts, batch_size=BATCH,
                         epochs=EPOCHS, seed=s) for s in SEEDS]
excess = {name: np.mean([r.losses[:, j] - best_loss for r in runs], axis=0)
          for j, name in enumerate(SCHEDULES)}

gain = excess["constant"][-1] / excess["cosine"][-1]
fig, ax = gd.figure()
for name, curve in excess.items():
    ax.semilogy(np.arange(len(curve)), curve, color=gd.COLORS[COLOR[name]], label=name, lw=1.5)
ax.set(xlabel="update", ylabel=r"mean excess loss $f(\theta_t) - f(\theta^\star)$",
       title=f"SGD, batch {BATCH}, mean of {len(SEEDS)} shuffling seeds")
ax.legend()
out.figure(fig, "noise_ball", caption=(
    "With noisy gradients the constant learning rate stalls at a floor; the decaying schedules "
    f"keep descending, and the cosine ones end {gain:.0f} times lower."),
    alt=(
    "Mean excess loss of mini-batch SGD on a log scale against the update, one curve per "
    "schedule. All curves drop fast at first. The constant learning rate then stalls on a "
    "noisy plateau; the decaying schedules keep going down, and cosine and warmup plus cosine "
    f"end lowest, {gain:.0f} times below constant."
))
rows = []
for name, curve in excess.items():
    rows.append((name, float(SCHEDULES[name](UPDATES - 1)), curve[-1],
                 curve[-1] / excess["constant"][-1]))
out.table("noise_ball_table", rows, headers=[
    "schedule", r"final $\eta$", "final mean excess loss", "relative to constant"],
    floatfmt=(".4g", ".3g", ".2e", ".2g"))
out.value("constant_final", excess["constant"][-1], fmt="{:.1e}")
out.value("cosine_final", excess["cosine"][-1], fmt="{:.1e}")
out.value("cosine_gain", gain, fmt="{:.0f}")

# %% [markdown]
# ## Robbins–Monro: sufficient, not necessary
# $\sum_t \eta_t = \infty$ and $\sum_t \eta_t^2 < \infty$ guarantee convergence, but a schedule
# that breaks the second condition can still converge. Single-sample SGD on the same line,
# for {{ value: schedules/rm_epochs }} epochs: a constant $\eta = {{ value: schedules/rm_constant }}$
# against $\eta_t = {{ value: schedules/rm_eta0 }}/\sqrt{1 + t/{{ value: schedules/rm_t0 }}}$
# (whose squares do not add up to anything finite), and the running average of that run's
# iterates (Polyak–Ruppert averaging). The loop is plain Python over floats: a hundred
# thousand tiny updates are faster that way than through numpy.

# %%
RM_EPOCHS, RM_CONSTANT, RM_ETA0, RM_T0 = 1000, 0.01, 0.1, 100
RM_SEEDS, RM_WINDOW = 2, 10  # the mean over seeds of the last RM_WINDOW epochs' excess loss
RM_CHECKPOINTS = (30, 100, 300, 1000)
RM_RATES = {"constant": lambda t: np.full(t.shape, RM_CONSTANT),
            "inverse_sqrt": lambda t: RM_ETA0 / np.sqrt(1 + t / RM_T0)}
hessian = loss.hessian(loss.optimum)


def single_sample_sgd(rate, seed: int, epochs: int) -> np.ndarray:
    """(epoch, [w, b, averaged w, averaged b]) at the end of every epoch, from (0, 0)."""
    order = np.concatenate([np.concatenate(gd.batches(N, 1, seed=seed, epoch=e))
                            for e in range(epochs)])
    xs, ys, etas = x[order].tolist(), y[order].tolist(), rate(np.arange(order.size)).tolist()
    w = b = avg_w = avg_b = 0.0
    ends = []
    for t, (xi, yi, eta) in enumerate(zip(xs, ys, etas, strict=True), 1):
        step = 2 * eta * (w * xi + b - yi)  # η · d(w x + b - y)²/d(w x + b)
        w, b = w - step * xi, b - step
        avg_w, avg_b = avg_w + (w - avg_w) / t, avg_b + (b - avg_b) / t
        if t % N == 0:
            ends.append((w, b, avg_w, avg_b))
    return np.array(ends)


def excess_of(points: np.ndarray) -> np.ndarray:
    """Excess loss ½ eᵀHe of the least-squares quadratic (exact for a line fit)."""
    delta = points - loss.optimum
    return 0.5 * np.einsum("...i,ij,...j->...", delta, hessian, delta)


rm = {name: np.array([single_sample_sgd(rate, seed, RM_EPOCHS) for seed in range(RM_SEEDS)])
      for name, rate in RM_RATES.items()}  # (seed, epoch, 4)
rm_curves = {"constant": excess_of(rm["constant"][..., :2]).mean(axis=0),
             "inverse_sqrt": excess_of(rm["inverse_sqrt"][..., :2]).mean(axis=0),
             "averaged": excess_of(rm["inverse_sqrt"][..., 2:]).mean(axis=0)}
rm_rows = []
for label, key in ((f"constant η = {RM_CONSTANT:g}", "constant"),
                   (f"η_t = {RM_ETA0:g}/√(1 + t/{RM_T0})", "inverse_sqrt"),
                   ("same run, averaged iterates", "averaged")):
    rm_rows.append((label, *(rm_curves[key][e - RM_WINDOW:e].mean() for e in RM_CHECKPOINTS)))
out.table("robbins_monro", rm_rows, headers=[
    "schedule", *(f"excess loss, epochs {e - RM_WINDOW + 1}–{e}" for e in RM_CHECKPOINTS)],
    floatfmt=("", *[".2g"] * len(RM_CHECKPOINTS)))
out.value("rm_epochs", RM_EPOCHS)
out.value("rm_constant", RM_CONSTANT, fmt="{:g}")
out.value("rm_eta0", RM_ETA0, fmt="{:g}")
out.value("rm_t0", RM_T0)
out.value("rm_seeds", RM_SEEDS)
out.value("rm_window", RM_WINDOW)

# %% [markdown]
# ## Why Adam wants a warmup
# Start at the least-squares optimum itself (think of fine-tuning a model that is already
# good) and run Adam with $\eta = {{ value: schedules/adam_lr }}$. The true gradient is zero
# there; each mini-batch gradient is pure noise. Plain SGD would move in proportion to that
# noise. Adam normalises: at $t = 1$ its step is $\eta\, g_1/(|g_1| + \epsilon)$, $\pm\eta$ up to
# $\epsilon$, so *every* coordinate moves by the full $\eta$ however small or unreliable its
# gradient was, and the second-moment estimate $\hat v_t$ rests on only $t$ samples for a
# while. A warmup keeps the steps small until $\hat v_t$ has averaged over enough batches. We
# read $\hat v_t$ from the optimizer state across {{ value: schedules/adam_seeds }} shuffling
# seeds.

# %%
ADAM_LR, ADAM_STEPS, WARM = 0.1, 100, 40
adam_schedules = {
    "Adam, constant η": ADAM_LR,
    f"Adam, {WARM}-step linear warmup": gd.warmup(ADAM_LR, WARM, start_factor=0.05),
}
ADAM_SEEDS = 32
adam_excess, adam_curves, eff_lr = {}, {}, []
for name, lr in adam_schedules.items():
    curves = []
    for seed in range(ADAM_SEEDS):
        opt = gd.adam(lr=lr)
        theta = loss.optimum.copy()
        state = opt.init(theta)
        curve = []
        for epoch in range(ADAM_STEPS // (N // BATCH)):
            for idx in gd.batches(N, BATCH, seed=seed, epoch=epoch):
                batch = loss.batch(idx)  # the loss of this batch only
                theta, state = opt.update(state, theta, batch.grad(theta), batch)
                curve.append(float(loss.value(theta)) - best_loss)
                if lr == ADAM_LR:  # per-unit-lr step size 1/sqrt(v_hat), coordinate w
                    beta2, eps = opt.hyperparams["betas"][1], opt.hyperparams["eps"]
                    v_hat = state["stages"][-1]["v"][0] / (1 - beta2 ** state["t"])
                    eff_lr.append((seed, state["t"], 1 / (np.sqrt(v_hat) + eps)))
        curves.append(curve)
    adam_curves[name] = np.array(curves)  # (seed, step)
    adam_excess[name] = np.mean(curves, axis=0)

fig, (ax_loss, ax_eff) = gd.figure(2, 1)
for (name, curve), color in zip(adam_excess.items(), ("red", "blue"), strict=True):
    ax_loss.plot(np.arange(1, ADAM_STEPS + 1), curve, color=gd.COLORS[color], label=name)
ax_loss.set(xlabel="step $t$", ylabel="mean excess loss",
            title=f"Adam from the optimum, {ADAM_SEEDS} seeds")
ax_loss.legend()
eff = np.array(eff_lr)
steps_t = np.arange(1, ADAM_STEPS + 1)
table = np.array([eff[eff[:, 1] == s, 2] for s in steps_t])
BAND_PCT = (10, 90)  # the shaded spread across seeds, in percentiles
lo, mid, hi = np.percentile(table, [BAND_PCT[0], 50, BAND_PCT[1]], axis=1)
ax_eff.fill_between(steps_t, lo, hi, color=gd.COLORS["sky"], alpha=0.5,
                    label=f"{BAND_PCT[0]}–{BAND_PCT[1]} % of seeds")
ax_eff.plot(steps_t, mid, color=gd.COLORS["blue"], label="median")
ax_eff.set_yscale("log")
ax_eff.set(xlabel="step $t$", ylabel=r"$1/\sqrt{\hat v_t}$ for $w$ (step per unit $\eta$ and gradient)",
           title="How unsettled Adam's scaling is early on")
ax_eff.legend()
out.figure(fig, "adam_warmup", caption=(
    "Started at the optimum, Adam's loss jumps in the first steps; a linear warmup makes the "
    "jump smaller (top), because Adam's per-coordinate scaling is widest in the first steps "
    f"(below, spread over {ADAM_SEEDS} seeds)."),
    alt=(
    f"Top: mean excess loss over the first {ADAM_STEPS} steps of Adam started at the optimum; "
    "without "
    "warmup the loss jumps up in the first steps and peaks early, with a linear warmup it rises "
    f"more slowly and peaks lower. Bottom: across {ADAM_SEEDS} seeds, the spread of Adam's per-coordinate "
    "scaling 1/sqrt(v_hat) is widest in the first steps and narrows as more batches are "
    "averaged."
))
# The claim is about the warmup itself: the largest excess loss over its first WARM steps,
# of the mean over seeds and of every seed on its own.
constant_name, warm_name = adam_schedules
early = {name: curves[:, :WARM] for name, curves in adam_curves.items()}
out.value("adam_peak_constant", early[constant_name].mean(axis=0).max(), fmt="{:.3f}")
out.value("adam_peak_warmup", early[warm_name].mean(axis=0).max(), fmt="{:.4f}", bound="upper")
seeds_lower = int(np.sum(early[warm_name].max(axis=1) < early[constant_name].max(axis=1)))
out.value("adam_seeds_lower", seeds_lower)
out.value("spread_first", hi[0] / lo[0], fmt="{:.0f}")
out.value("spread_last", hi[-1] / lo[-1], fmt="{:.1f}")
out.value("adam_lr", ADAM_LR, fmt="{:g}")
out.value("warm_steps", WARM)
out.value("noise_seeds", len(SEEDS))
out.value("batch", BATCH)
out.value("adam_steps", ADAM_STEPS)
out.value("lr", LR, fmt="{:g}")
out.value("adam_seeds", ADAM_SEEDS)
out.value("band_low", BAND_PCT[0])
out.value("band_high", BAND_PCT[1])

# %% [markdown]
# ## Exercises (docs/schedules.md)
# The cosine schedule a third of the way, the warmup + cosine schedule read in code, and the
# noise budget $\sum_t \eta_t^2$ of $\eta_t = 1/(t + 1)$ (a partial sum and its tail bound).

# %%
out.value("ex_cosine_100", float(SCHEDULES["cosine"](100)), fmt="{:g}")

# --8<-- [start:read_schedule]
warm_cosine = SCHEDULES[f"warmup {WARMUP} + cosine"]  # a schedule is a function of the step t


def show(schedule, steps=(0, 15, 30, 165, 299)):
    for t in steps:
        print(f"t = {t:3d}: lr = {float(schedule(t)):.4f}")
# --8<-- [end:read_schedule]


with out.capture("ex_read_schedule"):
    show(warm_cosine)
out.value("ex_warm_165", float(warm_cosine(165)), fmt="{:.4f}")
out.value("ex_sum_squares", float(np.pi**2 / 6), fmt="{:.4f}")
