# %% [markdown]
# # Full batch, mini-batch and single-sample SGD
#
# One loop, one knob. [gd.minibatch_sgd][gdnotes.minibatch_sgd] fits the line
# $\hat y = wx + b$ to the synthetic data of [gd.regression_data][gdnotes.regression_data]
# ($y = {{ value: minibatch/slope }}x + {{ value: minibatch/intercept }} + \text{noise}$,
# {{ value: minibatch/n }} points, seed {{ value: minibatch/data_seed }}) and looks at
# `batch_size` samples per update: all of them is full-batch gradient descent, one is
# single-sample SGD, anything in between is mini-batch SGD. Every run starts at the origin
# with the same learning rate, $\eta = {{ value: minibatch/eta }}$, so the batch size is the
# only difference.
#
# Cost is *counted*, not timed: a run records how many per-sample gradients it has
# evaluated. That count is what the arithmetic scales with, and it is the same on every
# machine.

# %%
import matplotlib.colors
import numpy as np

import gdnotes as gd

out = gd.Outputs("minibatch")

SLOPE, INTERCEPT, DATA_SEED = 2.0, 3.0, 42  # gd.regression_data's defaults: 100 noisy points
x, y = gd.regression_data(seed=DATA_SEED, slope=SLOPE, intercept=INTERCEPT)  # n = 100
loss = gd.line_mse(x, y)
best = float(loss.value(loss.optimum))  # f* = the least-squares loss
ETA, START, EPOCHS = 0.1, np.zeros(2), 40
SIZES = {"full batch (100)": 100, "mini-batch (10)": 10, "single sample (1)": 1}
COLOR = dict(zip(SIZES, (gd.COLORS["blue"], gd.COLORS["orange"], gd.COLORS["green"]), strict=True))

# --8<-- [start:runs]
runs = {
    label: gd.minibatch_sgd(gd.sgd(lr=ETA), x, y, START, batch_size=size, epochs=EPOCHS, seed=0)
    for label, size in SIZES.items()
}
# --8<-- [end:runs]

out.value("eta", ETA, fmt="{:g}")
out.value("start", "$({:g}, {:g})$".format(*START))
out.value("slope", SLOPE, fmt="{:g}")
out.value("intercept", INTERCEPT, fmt="{:g}")
out.value("data_seed", DATA_SEED)
out.value("n", x.size)
out.value("epochs", EPOCHS)
out.value("best_loss", best, fmt="{:.3f}")
out.value("w_star", loss.optimum[0], fmt="{:.3f}")
out.value("b_star", loss.optimum[1], fmt="{:.3f}")
# -- issue 15: the data to the last bit, for the noise-ball explorer on the page --
data_text = " ".join(f"{v:.17g}" for v in np.concatenate([x, y]))
assert "e" not in data_text, "the explorer reads plain decimals"
out.value("data_xy", data_text)

# %% [markdown]
# ## Loss against epochs and against work
#
# Per epoch every variant touches each sample once, but the full batch turns that work into
# one update while single-sample SGD turns it into {{ value: minibatch/updates_single }}.
# Plotted against epochs the small batches win by far; plotted against per-sample gradients
# (the work) the same curves show when that advantage runs out: the stochastic runs stop
# improving at a noisy floor.

# %%


def epoch_average(r):
    """Mean loss over the last epoch's updates, from the end of the first epoch on."""
    window = r.updates_per_epoch
    c = np.cumsum(np.concatenate([[0.0], r.losses]))
    k = np.arange(window, r.losses.size)
    return k, (c[k + 1] - c[k + 1 - window]) / window


def tint(color, amount=0.6):
    """``color`` mixed with white: a light, opaque shade (smaller files than transparency)."""
    rgb = np.array(matplotlib.colors.to_rgb(color))
    return tuple(rgb + (1 - rgb) * amount)


fig, (ax_epoch, ax_work) = gd.figure(2, 1)
for label, r in runs.items():
    k, trend = epoch_average(r)
    for ax, t in ((ax_epoch, r.epochs), (ax_work, np.maximum(r.samples, 1))):
        if r.batch_size < r.n:  # the raw, noisy losses, then their running mean on top
            ax.plot(t, r.losses - best, color=tint(COLOR[label]), lw=0.7, zorder=1)
            ax.plot(t[k], trend - best, color=COLOR[label], lw=2.0, label=label, zorder=3)
        else:
            ax.plot(t, r.losses - best, color=COLOR[label], lw=2.0, label=label, zorder=3)
ax_epoch.set(xlabel="epochs (passes over the data)", ylabel="excess loss  f(w, b) − f*",
             yscale="log", ylim=(1e-4, 50), title="per epoch")
ax_work.set(xlabel="per-sample gradients evaluated", xscale="log", yscale="log",
            ylim=(1e-4, 50), title="per unit of work")
ax_epoch.legend(loc="upper right", title="thin: every update\nthick: mean over the last epoch")
out.figure(fig, "loss_curves", caption=(
    f"Per epoch (top), small batches win: they update {ETA:g}-sized steps many times per pass. "
    "Per gradient evaluated (below) they descend first, then level off at a noisy floor that "
    "full-batch descent eventually passes."),
    alt=(
    f"Two log-scale panels of excess loss for three batch sizes, {', '.join(SIZES)}, with "
    f"learning rate {ETA:g} over {EPOCHS} epochs. Against epochs the single-sample and mini-batch runs "
    "drop to a small loss within one or two epochs while full-batch descent is still far "
    "above; against per-sample gradients the stochastic runs descend earliest and then level "
    "off at a noisy floor, while the full-batch curve keeps falling smoothly."))

TARGET = 0.1  # "good enough": within 0.1 of the best possible loss
FINAL_WINDOW = 10  # epochs averaged for the final level of each run
out.value("final_window", FINAL_WINDOW)
for label, key in zip(SIZES, ("full", "mini", "single"), strict=True):
    r = runs[label]
    out.value(f"epoch1_{key}", float(r.losses[r.epochs == 1][0] - best), fmt="{:.3f}")
    out.value(f"final_{key}", float(r.floor(FINAL_WINDOW) - best), fmt="{:.3f}")
    out.value(f"updates_{key}", r.updates_per_epoch)
    out.value(f"work_to_target_{key}", int(r.samples_to(best + TARGET)), fmt="{:,}")
out.value("target", TARGET, fmt="{:g}")

# %% [markdown]
# ## The paths on the loss surface
#
# The loss is a quadratic bowl in $(w, b)$. Each frame below shows every path after the same
# amount of work, so the comparison is fair: per epoch the full batch takes one careful step
# while single-sample SGD takes {{ value: minibatch/updates_single }} noisy ones.

# %%
BOX = ((-0.5, 4.0), (-0.5, 4.5))  # (w range, b range)
corners = np.array([[w, b] for w in BOX[0] for b in BOX[1]])
highest = loss.value(corners).max()  # a convex loss is largest at a corner of the box
GIF_EPOCHS, FRAMES = 12, 30
budget = np.linspace(0, GIF_EPOCHS * x.size, FRAMES)

fig, ax = gd.figure(figsize=(5.4, 3.9))
gd.contour(ax, loss, BOX, n=160, levels=best + np.geomspace(0.02, highest - best, 14),
           cmap=None, colors=gd.COLORS["grey"], linewidths=0.7)  # grey: the paths carry colour
star = gd.mark_optimum(ax, *loss.optimum, label="least-squares fit", ms=16, zorder=6)
gd.mark_start(ax, *START, label=None, ms=11)
lines = {label: ax.plot([], [], color=COLOR[label], lw=0.8 if SIZES[label] == 1 else 1.6,
                        zorder=2 if SIZES[label] == 1 else 3, label=label)[0] for label in runs}
heads = {label: ax.plot([], [], "o", color=COLOR[label], ms=6, zorder=5)[0] for label in runs}
counter = ax.text(0.02, 0.96, "", transform=ax.transAxes, va="top")
ax.set(xlabel="slope w", ylabel="intercept b", xlim=BOX[0], ylim=BOX[1],
       title="same work, different paths")
ax.legend(loc="lower right")
# what moves, plus the star, which must stay on top of the paths
gd.freeze_background(fig, [*lines.values(), *heads.values(), counter, star])


def draw(i):
    for label, r in runs.items():
        k = np.searchsorted(r.samples, budget[i], side="right")
        lines[label].set_data(r.params[:k, 0], r.params[:k, 1])
        heads[label].set_data([r.params[k - 1, 0]], [r.params[k - 1, 1]])
    counter.set_text(f"{int(budget[i]):,} per-sample gradients ({budget[i] / x.size:.1f} epochs)")


out.gif(fig, draw, frames=FRAMES, name="paths", fps=10, caption=(
    "After the same number of per-sample gradients: the full-batch path is still short of the "
    "least-squares star, the mini-batch path wobbles around it, and the single-sample path got "
    "there first but jitters in a wide cloud."),
    alt=(
    f"Animated contour plot of the loss over slope w and intercept b. From the black star at "
    f"({START[0]:g}, {START[1]:g}), after the "
    f"same number of per-sample gradients (up to {GIF_EPOCHS} epochs), the full-batch path "
    "creeps along a smooth curve and is still short of the orange least-squares star, the "
    "mini-batch path reaches the star and wobbles around it, and the single-sample path "
    "gets there first but keeps jittering in a wide cloud."))

# %% [markdown]
# ## The noise ball
#
# With a constant learning rate SGD never settles: every update follows the gradient of a
# few samples, which is not zero at the optimum. The iterates hover in a "noise ball" whose
# average excess loss, for small steps, is about
# $\tfrac{\eta}{4}\operatorname{tr}\Sigma_B$, where $\Sigma_B$ is the covariance of the batch
# gradient at the optimum ([gd.predicted_floor][gdnotes.predicted_floor]). Halve $\eta$ and
# the floor roughly halves; a larger batch or less noisy data shrinks $\Sigma_B$. A step size
# that decays like $\eta_t = \eta_0 / (1 + t/t_0)$ removes the floor altogether.

# %%
FLOOR_ETAS = np.array([0.2, 0.1, 0.05, 0.02, 0.01])
NOISE_EPOCHS, TAIL = 30, 15  # measure the floor as the mean loss over the last 15 epochs
T0 = 100  # the decaying schedule halves the step after one epoch (100 updates)


def steps(t):
    """The constant rates above, plus (last entry) the decaying η_t = η / (1 + t/T0)."""
    return np.append(FLOOR_ETAS, ETA / (1 + t / T0))


# One vectorised run from the start: the five constant rates and the decaying one share the
# same sequence of samples.
from_start = gd.minibatch_sgd(gd.sgd(lr=steps), x, y, np.zeros((FLOOR_ETAS.size + 1, 2)),
                              batch_size=1, epochs=NOISE_EPOCHS, seed=1)
# The floor itself is measured from runs that *start at the optimum*: no transient to wait
# for, and the point is made twice: constant-step SGD walks away from the best fit.
FLOOR_BATCH = 1  # single-sample SGD
floor_runs = gd.minibatch_sgd(gd.sgd(lr=FLOOR_ETAS), x, y,
                              np.tile(loss.optimum, (FLOOR_ETAS.size, 1)), batch_size=FLOOR_BATCH,
                              epochs=NOISE_EPOCHS, seed=2)
measured = floor_runs.floor(TAIL) - best
predicted = gd.predicted_floor(x, y, FLOOR_ETAS, batch_size=FLOOR_BATCH)
out.value("floor_batch", FLOOR_BATCH)


def epoch_means(r):
    """Average the per-update losses within each epoch (row 0, the start, is dropped)."""
    per_epoch = r.losses[1:].reshape(NOISE_EPOCHS, -1, *r.losses.shape[1:])
    return np.arange(1, NOISE_EPOCHS + 1), per_epoch.mean(axis=1) - best


fig, (ax_t, ax_eta) = gd.figure(2, 1)
epochs, means = epoch_means(from_start)
shown = [1, 2, 3]  # η = 0.1, 0.05, 0.02
for j, color in zip(shown, (gd.COLORS["orange"], gd.COLORS["sky"], gd.COLORS["purple"]),
                    strict=True):
    ax_t.plot(epochs, means[:, j], color=color, label=f"constant η = {FLOOR_ETAS[j]:g}")
    ax_t.axhline(measured[j], color=color, lw=0.8, ls=":")
ax_t.plot(epochs, means[:, -1], color=gd.COLORS["black"], label=f"η = {ETA:g} / (1 + t/{T0})")
ax_t.set(xlabel="epoch", ylabel="excess loss (epoch average)", yscale="log",
         title="constant steps stall, decaying steps don't")
ax_t.legend()
ax_eta.loglog(FLOOR_ETAS, measured, "o", color=gd.COLORS["green"], label="measured floor")
ax_eta.loglog(FLOOR_ETAS, predicted, color=gd.COLORS["grey"], ls="--",
              label="(η/4)·tr Σ₁ (small-η theory)")
ax_eta.set(xlabel="learning rate η", ylabel="floor of the excess loss",
           title="single-sample SGD: floor vs η")
ax_eta.legend()
out.figure(fig, "noise_ball", caption=(
    "With a constant learning rate, single-sample SGD stalls at a floor that is lower for "
    "smaller steps (top); the floor follows the small-step prediction (below). A decaying step "
    "keeps going down."),
    alt=(
    f"Top: epoch-averaged excess loss of single-sample SGD over {NOISE_EPOCHS} epochs on a "
    "log scale; with constant learning rates "
    f"{', '.join(f'{FLOOR_ETAS[j]:g}' for j in shown)} each curve flattens at its own floor, "
    "lower for smaller steps, while the run with a decaying step size keeps going down "
    "below all of them. Bottom: log-log plot of the measured floor against the learning rate "
    f"from {FLOOR_ETAS.min():g} to {FLOOR_ETAS.max():g}; the points lie close to the straight "
    "small-step prediction line, a little below it for the smallest rates and above it for "
    "the largest."))

out.table("floors", [
    [f"{eta:g}", m, p, m / p]
    for eta, m, p in zip(FLOOR_ETAS, measured, predicted, strict=True)
], headers=["η", "measured floor", "(η/4)·tr Σ₁", "measured / predicted"],
    floatfmt=["", ".4f", ".4f", ".2f"])
tail = from_start.epochs > NOISE_EPOCHS - TAIL
decay_final = float(np.mean(from_start.losses[tail, -1]) - best)
out.value("decay_final", decay_final, fmt="{:.4f}")
out.value("decay_last_eta", steps(NOISE_EPOCHS * x.size)[-1], fmt="{:.4f}")
out.value("smallest_floor", float(measured.min()), fmt="{:.4f}")
out.value("noise_epochs", NOISE_EPOCHS)
out.value("t0", T0)
out.value("floor_min_eta", FLOOR_ETAS.min(), fmt="{:g}")
out.value("mini_size", SIZES["mini-batch (10)"])
out.value("tail", TAIL)

# %% [markdown]
# The floor also depends on how noisy each gradient is. A larger batch averages more samples
# and noisier data makes every per-sample gradient noisier; both move the floor as the
# formula says.

# %%
BATCH_ETA = 0.05  # the η = 0.05 column of the runs above, now with larger batches
j = int(np.flatnonzero(FLOOR_ETAS == BATCH_ETA)[0])
rows = [[1, float(measured[j]), float(predicted[j])]]
UPDATES = 1500  # every batch size gets the same number of updates, the last half measured
for size in (5, 25):
    r = gd.minibatch_sgd(gd.sgd(lr=BATCH_ETA), x, y, loss.optimum, batch_size=size,
                         epochs=UPDATES * size // x.size, seed=2)
    r_tail = UPDATES * size // x.size // 2
    rows.append([size, float(r.floor(r_tail) - best),
                 float(gd.predicted_floor(x, y, BATCH_ETA, size))])
out.table("floor_vs_batch", rows, headers=["batch size", "measured floor", "(η/4)·tr Σ_B"],
          floatfmt=["", ".4f", ".4f"])

NOISE_BATCH = 5  # σ = 1 is the batch-size-5 row above; rerun with noisier and cleaner data
rows = [[1.0, rows[1][1], rows[1][2]]]
for noise in (0.5, 2.0):
    xn, yn = gd.regression_data(noise=noise)
    fit = gd.line_mse(xn, yn)
    r = gd.minibatch_sgd(gd.sgd(lr=BATCH_ETA), xn, yn, fit.optimum, batch_size=NOISE_BATCH,
                         epochs=UPDATES * NOISE_BATCH // x.size, seed=2)
    tail = UPDATES * NOISE_BATCH // x.size // 2
    rows.append([noise, float(r.floor(tail) - fit.value(fit.optimum)),
                 float(gd.predicted_floor(xn, yn, BATCH_ETA, NOISE_BATCH))])
rows.sort()
out.table("floor_vs_noise", rows,
          headers=["noise std of the data", "measured floor",
                   f"(η/4)·tr Σ_B, B = {NOISE_BATCH}"],
          floatfmt=["g", ".4f", ".4f"])
out.value("batch_eta", BATCH_ETA, fmt="{:g}")
out.value("noise_batch", NOISE_BATCH)

# %% [markdown]
# ## What one update costs as the data grows
#
# A full-batch update evaluates one gradient per sample, so its cost grows with the data
# set; a mini-batch update costs `batch_size` gradients whatever the size of the data. The
# number of *updates* needed to fit the line barely depends on $n$, so the work to reach the
# target loss grows linearly with $n$ for the full batch and stays flat for mini-batches.
# (Wall-clock time follows the same counts; `benchmarks/bench_sgd_epoch.py` measures it on
# your machine. The site shows counts so that it is identical on every build.)

# %%
SIZES_N = [100, 300, 1000, 3000, 10000]
MINI = 10
cost_rows = []
for n in SIZES_N:
    xn, yn = gd.regression_data(n=n)
    fit = gd.line_mse(xn, yn)
    goal = float(fit.value(fit.optimum)) + TARGET
    full_run = gd.run(gd.sgd(lr=ETA), fit, START, steps=300)
    full_steps = int(np.argmax(full_run.values <= goal))
    mini = gd.minibatch_sgd(gd.sgd(lr=ETA), xn, yn, START, batch_size=MINI,
                            epochs=max(1, 3000 // n))
    cost_rows.append([n, full_steps, full_steps * n, int(mini.samples_to(goal))])
cost = np.array(cost_rows, dtype=float)

fig, ax = gd.figure()
ax.loglog(cost[:, 0], cost[:, 2], "o-", color=gd.COLORS["blue"], label="full batch")
ax.loglog(cost[:, 0], cost[:, 3], "s-", color=gd.COLORS["orange"],
          label=f"mini-batch ({MINI})")
ax.set(xlabel="data-set size n", ylabel=f"per-sample gradients to reach f* + {TARGET:g}",
       title="work to fit the line")
ax.legend()
out.figure(fig, "cost", caption=(
    f"Gradients needed to get within {TARGET:g} of the best loss: full batch grows in "
    "proportion to the data-set size n; mini-batch stays between "
    f"{int(cost[:, 3].min())} and {int(cost[:, 3].max())} at every size shown."),
    alt=(
    f"Log-log plot of the per-sample gradients needed to get within {TARGET:g} of the best "
    f"loss, against the data-set size from {SIZES_N[0]:,} to {SIZES_N[-1]:,}. The full-batch "
    "line rises in proportion to n because every update touches every sample; the mini-batch "
    f"line stays between {int(cost[:, 3].min())} and {int(cost[:, 3].max())} gradients for "
    "every size."))
out.table("cost_table", cost_rows, headers=[
    "n", "full-batch updates", "full-batch gradients", f"mini-batch ({MINI}) gradients"])

per_epoch = [[label, -(-10_000 // size), 10_000, size] for label, size in
             (("full batch", 10_000), ("mini-batch (100)", 100), (f"mini-batch ({MINI})", MINI),
              ("single sample", 1))]
out.table("epoch_cost", per_epoch,
          headers=["variant (n = 10,000)", "updates per epoch", "gradients per epoch",
                   "gradients per update"])

# %% [markdown]
# ## Exercises (docs/stochastic.md)
# The noise of a batch of 10 against a single sample (without replacement, $n$ samples), the
# same with a ten times larger step, and the exact one-dimensional floor against $\eta/4$.

# %%
n_samples = x.size
out.value("ex_noise_ratio_10", (1 / 10) * (n_samples - 10) / (n_samples - 1), fmt="{:.4f}")
out.value("ex_floor_ratio_10x", 10 * (1 / 10) * (n_samples - 10) / (n_samples - 1), fmt="{:.4f}")
ETA_LAMBDA = 0.2  # eta times the curvature
out.value("ex_eta_lambda", ETA_LAMBDA, fmt="{:g}")
out.value("ex_exact_over_approx", 2 / (2 - ETA_LAMBDA), fmt="{:.4f}")

# %% [markdown]
# ## Exercises (docs/problems/full-batch-cost.md)
# Updates per epoch and the work of fifty full-batch steps at $n = 10^4$, and the noise of a
# batch of 10 drawn from $10^4$ samples.

# %%
N_LARGE = 10_000
out.value("ex_updates_10k", N_LARGE // MINI)
out.value("ex_work_50_full", 50 * N_LARGE)
out.value("ex_noise_ratio_10k", (1 / MINI) * (N_LARGE - MINI) / (N_LARGE - 1), fmt="{:.5f}")
