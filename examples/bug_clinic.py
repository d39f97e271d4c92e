# %% [markdown]
# # A bug clinic: six classic training bugs, run on purpose
#
# The two-moons network of the neural-network page ([gd.mlp][gdnotes.mlp] on
# [gd.two_moons][gdnotes.two_moons]), trained with each classic bug put in on purpose: a missing
# `zero_grad()`, a sign error, a learning rate ten times too large, no shuffling of
# class-sorted data, Adam without warmup, and a saturating initialisation. Every run logs three
# numbers per step: the loss, the norm of the gradient the update used, and the update/weight
# ratio $\|W_1^{(t+1)} - W_1^{(t)}\| / \|W_1^{(t)}\|$ of the first layer's weights $W_1$. Then the
# two tools that catch bugs before training does: a gradient check
# ([gd.gradient_check][gdnotes.gradient_check]) and a learning-rate range test
# ([gd.lr_range_test][gdnotes.lr_range_test]).

# %%
import numpy as np
import torch

import gdnotes as gd

torch.set_num_threads(1)  # the tensors are tiny: extra threads only add overhead
out = gd.Outputs("bug_clinic")

SIZES = (2, 16, 16, 1)
N, NOISE = 200, 0.15
STEPS = 100
LR = 1.0  # full-batch gradient descent: the healthy run
BATCH, LR_SGD = 20, 0.5  # mini-batch SGD, for the shuffling bug
ADAM_LR, WARMUP, WARMUP_START = 0.5, 40, 0.01  # Adam, linear warmup over 40 steps (LinearLR)
SATURATE = 30.0  # the saturating initialisation multiplies the hidden layers' weights by this
SEED = 0

X, y = gd.two_moons(n=N, noise=NOISE, seed=SEED)  # first the N/2 upper-moon points, then the rest
inputs, labels = torch.tensor(X), torch.tensor(y)
loss_fn = torch.nn.BCEWithLogitsLoss()


# %% [markdown]
# ## One instrumented loop
# The loop every run goes through. A bug is one changed line: `zero_grad=False` drops the
# reset, `sign=-1` turns `p -= η g` into `p += η g`, `batches` fixes the data order, and the
# rest (η, Adam, the initial weights) are set by the caller.

# %%
def norm(tensors):
    """The Euclidean norm of a list of tensors taken as one vector."""
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(tensors))).item()


# --8<-- [start:loop]
def train(model, steps, update, batches=None, zero_grad=True):
    """Train for ``steps`` steps; ``update(params)`` changes the parameters.
    One row per step: loss on all data, ‖gradient used‖, ‖ΔW₁‖/‖W₁‖."""
    params = list(model.parameters())
    first_layer = params[0]
    log = []
    for t in range(steps):
        if zero_grad:
            model.zero_grad()  # forget the previous step's gradient
        rows = slice(None) if batches is None else batches[t]
        loss = loss_fn(model(inputs[rows]).squeeze(-1), labels[rows])
        loss.backward()  # *adds* this batch's gradient to p.grad
        before = first_layer.detach().clone()
        with torch.no_grad():
            update(params)
            if batches is not None:  # log the loss on all the data
                loss = loss_fn(model(inputs).squeeze(-1), labels)
        ratio = (first_layer.detach() - before).norm() / before.norm()
        log.append((loss.item(), norm([p.grad for p in params]), ratio.item()))
    return np.array(log)


def sgd(lr, sign=1.0):
    """p ← p − η·p.grad (sign=-1: the sign error, p ← p + η·p.grad)."""
    def update(params):
        torch._foreach_add_(params, [p.grad for p in params], alpha=-sign * lr)
    return update
# --8<-- [end:loop]


def adam(lr, warmup, betas=(0.9, 0.999), eps=1e-8):
    """torch.optim.Adam's update (its defaults), written with torch ops; with ``warmup``, η is
    ramped up linearly from WARMUP_START·η over that many steps as torch's LinearLR does. (By
    hand only because constructing a torch.optim optimizer imports torch's compiler, seconds of
    CPU; the tests check this against torch.optim.Adam + LinearLR step for step.)"""
    b1, b2 = betas
    state = {"t": 0}

    def update(params):
        t = state["t"] = state["t"] + 1
        if t == 1:
            state["m"] = [torch.zeros_like(p) for p in params]
            state["v"] = [torch.zeros_like(p) for p in params]
        ramp = WARMUP_START + (1 - WARMUP_START) * min(t - 1, warmup) / warmup if warmup else 1.0
        grads = [p.grad for p in params]
        torch._foreach_lerp_(state["m"], grads, 1 - b1)  # m ← β₁m + (1 − β₁)g
        torch._foreach_mul_(state["v"], b2)
        torch._foreach_addcmul_(state["v"], grads, grads, 1 - b2)  # v ← β₂v + (1 − β₂)g²
        denom = torch._foreach_div(torch._foreach_sqrt(state["v"]), (1 - b2**t) ** 0.5)
        torch._foreach_add_(denom, eps)
        torch._foreach_addcdiv_(params, state["m"], denom, -lr * ramp / (1 - b1**t))
    return update


def saturated(seed):
    """gd.mlp with its hidden layers' weights and biases multiplied by SATURATE."""
    model = gd.mlp(SIZES, seed=seed)
    hidden = [m for m in model if isinstance(m, torch.nn.Linear)][:-1]
    with torch.no_grad():
        for layer in hidden:
            layer.weight.mul_(SATURATE)
            layer.bias.mul_(SATURATE)
    return model


def shuffled_batches(steps, seed):
    per_epoch = N // BATCH
    return [torch.as_tensor(i) for e in range(-(-steps // per_epoch))
            for i in gd.batches(N, BATCH, seed=seed, epoch=e)][:steps]


def sorted_batches(steps):
    """The data in its stored order: every batch of one class, the upper moon first."""
    return [torch.arange(k * BATCH, (k + 1) * BATCH) % N for k in range(steps)]


BUGS = {  # the page numbers them in this order
    "no_zero_grad": "missing zero_grad()",
    "sign": "sign error",
    "lr_x10": "η × 10",
    "no_shuffle": "no shuffling",
    "adam_no_warmup": "Adam, no warmup",
    "saturating": "saturating init",
}


def run(bug, seed=SEED, steps=STEPS):
    """The training with ``bug`` in it: one change to the healthy run."""
    if bug not in BUGS:
        raise ValueError(f"bug must be one of {sorted(BUGS)}, got {bug!r}")
    if bug == "no_shuffle":
        return train(gd.mlp(SIZES, seed=seed), steps, sgd(LR_SGD), sorted_batches(steps))
    if bug == "adam_no_warmup":
        return train(gd.mlp(SIZES, seed=seed), steps, adam(ADAM_LR, warmup=0))
    model = saturated(seed) if bug == "saturating" else gd.mlp(SIZES, seed=seed)
    update = sgd(10 * LR if bug == "lr_x10" else LR, sign=-1.0 if bug == "sign" else 1.0)
    return train(model, steps, update, zero_grad=bug != "no_zero_grad")


def healthy(bug, seed=SEED, steps=STEPS):
    """The same training without the bug (cached: four bugs share full-batch descent)."""
    kind = bug if bug in ("no_shuffle", "adam_no_warmup") else "gradient descent"
    if (kind, seed, steps) not in _healthy:
        model = gd.mlp(SIZES, seed=seed)
        _healthy[kind, seed, steps] = (
            train(model, steps, sgd(LR_SGD), shuffled_batches(steps, seed))
            if kind == "no_shuffle" else
            train(model, steps, adam(ADAM_LR, warmup=WARMUP))
            if kind == "adam_no_warmup" else train(model, steps, sgd(LR)))
    return _healthy[kind, seed, steps]


_healthy = {}
runs = {bug: (run(bug), healthy(bug)) for bug in BUGS}
healthy_gd = healthy("sign")

out.value("sizes", "–".join(str(s) for s in SIZES))
out.value("n_points", N)
out.value("steps", STEPS)
out.value("lr", LR, fmt="{:g}")
out.value("lr_x10", 10 * LR, fmt="{:g}")
out.value("batch", BATCH)
out.value("class_batches", N // 2 // BATCH)
out.value("lr_sgd", LR_SGD, fmt="{:g}")
out.value("adam_lr", ADAM_LR, fmt="{:g}")
out.value("warmup", WARMUP)
out.value("warmup_start", WARMUP_START, fmt="{:g}")
out.value("warmup_full_step", WARMUP + 1)  # LinearLR: factor 1 from step total_iters + 1 on
out.value("saturate", SATURATE, fmt="{:g}")

# %% [markdown]
# ## What a missing `zero_grad()` does, read from torch
# `backward()` adds to `p.grad`. Without the reset, the gradient the update uses at step $t$ is
# the sum of every gradient so far. Checked directly: the same loop without `zero_grad()`,
# compared with the sum of fresh gradients taken at the same weights.

# %%
probe = gd.mlp(SIZES, seed=SEED)
params = list(probe.parameters())
fresh_sum = [torch.zeros_like(p) for p in params]
worst_gap, ACCUMULATE = 0.0, 5
for _ in range(ACCUMULATE):
    fresh = torch.autograd.grad(loss_fn(probe(inputs).squeeze(-1), labels), params)
    torch._foreach_add_(fresh_sum, fresh)
    loss_fn(probe(inputs).squeeze(-1), labels).backward()  # no zero_grad(): accumulates
    worst_gap = max(worst_gap, max((p.grad - s).abs().max().item()
                                   for p, s in zip(params, fresh_sum, strict=True)))
    with torch.no_grad():
        torch._foreach_add_(params, [p.grad for p in params], alpha=-LR)
out.value("accumulation_gap", worst_gap, fmt="{:.0e}", bound="upper")
out.value("accumulation_steps", ACCUMULATE)

# %% [markdown]
# ## The numbers the page quotes
# Robust ones: the starting loss of each run (nothing has been trained yet) and what the
# saturating initialisation does to the hidden units before the first step.

# %%
bug_runs = {bug: pair[0] for bug, pair in runs.items()}
out.value("loss_start", healthy_gd[0, 0], fmt="{:.3f}")
out.value("ln2", np.log(2), fmt="{:.3f}")
sat_model = saturated(SEED)
with torch.no_grad():
    hidden_out = torch.tanh(sat_model[0](inputs))
saturated_share = (hidden_out.abs() > 0.99).double().mean().item()
out.value("saturated_share", saturated_share, fmt="{:.0%}")
out.value("sat_loss_start", bug_runs["saturating"][0, 0], fmt="{:.3f}")
ratio_drop = np.median(healthy_gd[:, 2]) / np.median(bug_runs["saturating"][:, 2])
out.value("sat_ratio_drop", ratio_drop, fmt="{:.0f}", bound="lower")
out.value("healthy_loss_end", healthy_gd[-1, 0], fmt="{:.3f}")
grad_used = bug_runs["no_zero_grad"][:, 1]
out.value("nozero_grad_growth", grad_used[-1] / grad_used[0], fmt="{:.0f}", bound="lower")
adam_bug, adam_ok = runs["adam_no_warmup"]
out.value("adam_peak", adam_bug[:WARMUP, 0].max() / adam_bug[0, 0], fmt="{:.2f}", bound="lower")
assert adam_ok[:WARMUP, 0].max() <= adam_ok[0, 0]  # warmed up: never above its start


# %% [markdown]
# ## The curves, bug against healthy
# Small multiples: one row per bug, the bug's run in colour and the same training without the
# bug in grey, on shared logarithmic axes per column.

# %%
COLUMNS = ("loss", "‖gradient‖", "‖ΔW₁‖/‖W₁‖")


def small_multiples(rows, colour=gd.COLORS["red"], label_at=(0, -1, "below")):
    """rows: (label, bug run, healthy run) -> a figure with one row of three panels each.
    ``label_at``: (row, step index, "above"/"below") where the grey line is named, off the data."""
    height = 0.75 + 1.55 * len(rows)
    fig, axes = gd.figure(len(rows), 3, figsize=(5.4, height), sharex=True, sharey="col")
    fig.set_layout_engine(None)  # a fixed grid: laying out nine panels costs more than drawing
    fig.subplots_adjust(left=0.15, right=0.98, bottom=0.5 / height, top=1 - 0.3 / height,
                        wspace=0.55, hspace=0.12)
    axes = np.atleast_2d(axes)
    steps = np.arange(1, STEPS + 1)
    for r, (label, bug, ok) in enumerate(rows):
        for c in range(3):
            ax = axes[r, c]
            ax.semilogy(steps[:len(ok)], ok[:, c], color=gd.COLORS["grey"], lw=1.2)
            ax.semilogy(steps[:len(bug)], bug[:, c], color=colour, lw=1.4)
            ax.grid(True, which="major")
            ax.yaxis.set_major_locator(_decades())
            ax.yaxis.set_minor_locator(_no_ticks())
            if r == 0:
                ax.set_title(COLUMNS[c])
            if (r, c) == (label_at[0], 0):  # name the grey line once, where it is clear
                k, above = label_at[1] % len(ok), label_at[2] == "above"
                ax.annotate("healthy", (k + 1, ok[k, 0]), xytext=(0, 4 if above else -4),
                            textcoords="offset points", ha="center" if k < len(ok) - 1
                            else "right", va="bottom" if above else "top",
                            color=gd.COLORS["grey"])
            if r == len(rows) - 1:
                ax.set_xlabel("step")
        axes[r, 0].set_ylabel(label)
    return fig


def _decades():
    from matplotlib.ticker import LogLocator
    return LogLocator(base=10, numticks=3)


def _no_ticks():
    from matplotlib.ticker import NullLocator
    return NullLocator()


step_bugs = ["no_zero_grad", "sign", "lr_x10"]
fig = small_multiples([(BUGS[b], *runs[b]) for b in step_bugs], label_at=(2, -1, "below"))
out.figure(fig, "step_bugs", caption=(
    "Three bugs in the update, each against the healthy run (grey, full-batch gradient descent "
    f"at η = {LR:g}). Without zero_grad() the gradient norm keeps growing; with the sign "
    "flipped the loss climbs from the first step; at η × 10 everything jumps from step to step."),
    alt=(
    "Three rows of three small log-scale plots against the step, one row per bug (missing "
    "zero_grad, sign error, learning rate times ten), columns loss, gradient norm and "
    "update-to-weight ratio of the first layer, each with the healthy run in grey. Missing "
    "zero_grad: the gradient norm climbs steadily above the healthy one while the loss first "
    "falls, then wobbles. Sign error: the loss rises from the first steps to above a thousand. "
    "Learning rate times ten: loss, gradient norm and ratio jump up and down, the ratio near "
    "one at the start."))

setup_bugs = ["no_shuffle", "adam_no_warmup", "saturating"]
fig = small_multiples([(BUGS[b], *runs[b]) for b in setup_bugs], colour=gd.COLORS["blue"],
                      label_at=(2, STEPS // 2, "above"))
out.figure(fig, "setup_bugs", caption=(
    "Three bugs in the set-up, each against its healthy twin (grey): shuffled mini-batches, Adam "
    f"with a {WARMUP}-step warmup, the default initialisation. Class-sorted batches make the "
    "loss saw up and down with each block of one class; Adam without warmup jumps at its first steps; the "
    "saturated network's first layer barely moves."),
    alt=(
    "Three rows of three small log-scale plots against the step (loss, gradient norm, "
    "update-to-weight ratio of the first layer). No shuffling: the loss saws up and down, "
    f"repeating every {N // BATCH} steps (one epoch); the shuffled run's does not repeat. Adam "
    "without warmup: the loss jumps above its starting value in the first steps, the warmed-up "
    "run does not. Saturating initialisation: the loss falls about as the healthy one, but the "
    f"update-to-weight ratio is more than {np.floor(ratio_drop):.0f} times below the healthy "
    "run's (medians)."))

# %% [markdown]
# ## A gradient check, on a hand-written backward pass
# The same network's loss and gradient written out in numpy, read from the flat parameter
# vector. The right backward pass multiplies by $\tanh' = 1 - \tanh^2$ at each hidden layer;
# the planted bug forgets it at the first one. [gd.gradient_check][gdnotes.gradient_check]
# compares each against central differences.

# %%
CHECK_EVERY = 10  # every 10th point, both classes: a check needs the formulas, not all data
X_check, y_check = X[::CHECK_EVERY], y[::CHECK_EVERY]
check_model = gd.mlp(SIZES, seed=SEED)
value, autograd, theta0 = gd.flat_loss(check_model, lambda m: loss_fn(
    m(inputs[::CHECK_EVERY]).squeeze(-1), labels[::CHECK_EVERY]))
shapes = [tuple(p.shape) for p in check_model.parameters()]


def unflatten(theta):
    parts, k = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        parts.append(theta[k:k + size].reshape(shape))
        k += size
    return parts


def numpy_loss(theta, X, y):
    """The mean binary cross-entropy of the network with parameters theta on (X, y), in numpy."""
    W1, b1, W2, b2, W3, b3 = unflatten(theta)
    logits = (np.tanh(np.tanh(X @ W1.T + b1) @ W2.T + b2) @ W3.T + b3)[:, 0]
    return float(np.mean(np.logaddexp(0.0, logits) - y * logits))


# --8<-- [start:backward]
def backward(theta, X, y, forget_tanh_derivative=False):
    """∇f of the tanh MLP by hand: the chain rule, from the loss down."""
    W1, b1, W2, b2, W3, b3 = unflatten(theta)
    h1 = np.tanh(X @ W1.T + b1)
    h2 = np.tanh(h1 @ W2.T + b2)
    logits = (h2 @ W3.T + b3)[:, 0]
    d_out = (1 / (1 + np.exp(-logits)) - y)[:, None] / len(y)  # (σ(h) − y)/n
    d_h2 = d_out @ W3 * (1 - h2**2)
    d_h1 = d_h2 @ W2
    if not forget_tanh_derivative:  # the planted bug drops this line
        d_h1 = d_h1 * (1 - h1**2)
    grads = [d_h1.T @ X, d_h1.sum(0), d_h2.T @ h1, d_h2.sum(0),
             d_out.T @ h2, d_out.sum(0)]
    return np.concatenate([g.ravel() for g in grads])
# --8<-- [end:backward]


EPS = 1e-5


def loss_check(theta):
    return numpy_loss(theta, X_check, y_check)


checks = {
    "autograd": gd.gradient_check(loss_check, theta0, grad=autograd, eps=EPS),
    "hand-written": gd.gradient_check(
        loss_check, theta0, grad=lambda t: backward(t, X_check, y_check), eps=EPS),
    "hand-written, bug": gd.gradient_check(
        loss_check, theta0, eps=EPS,
        grad=lambda t: backward(t, X_check, y_check, forget_tanh_derivative=True)),
}
names = ["W₁", "b₁", "W₂", "b₂", "W₃", "b₃"]
offsets = np.cumsum([0] + [int(np.prod(s)) for s in shapes])


def tensor_of(index):
    return names[int(np.searchsorted(offsets, index, side="right")) - 1]


bad = checks["hand-written, bug"]
LOSSES_AGREE = 1e-14
assert abs(loss_check(theta0) - value(theta0)) < LOSSES_AGREE
out.value("numpy_torch_gap", LOSSES_AGREE, fmt="{:.0e}")
RIGHT_BELOW = 1e-6  # what a right gradient's worst error stays under here (rounding sets it)
assert max(checks["autograd"].worst, checks["hand-written"].worst) < RIGHT_BELOW
out.table("gradient_check", [
    (name, f"{c.worst:.2g}" if c is bad else f"< {RIGHT_BELOW:.0e}",
     tensor_of(c.where) if c is bad else "—") for name, c in checks.items()],
    headers=["gradient", "worst relative error", "where"])
out.value("n_params", theta0.size)
out.value("n_check_points", len(y_check))
out.value("check_eps", EPS, fmt="{:g}")
out.value("check_ok", RIGHT_BELOW, fmt="{:.0e}")
out.value("check_bad", bad.worst, fmt="{:.2f}", bound="lower")
layer_one = slice(0, offsets[2])
assert bad.relative_errors[offsets[2]:].max() < RIGHT_BELOW  # the layers above are right
assert np.all(bad.relative_errors[layer_one] > 1e-3)  # every entry of W₁ and b₁ is off
out.value("n_first_layer", offsets[2])

# %% [markdown]
# ## A learning-rate range test
# Full-batch gradient descent from the initial weights, with η raised geometrically from
# $10^{-3}$ to $10^{2}$ over 100 steps; the loss after each step is recorded.

# %%
range_model = gd.mlp(SIZES, seed=SEED)
range_params = list(range_model.parameters())


# --8<-- [start:range_test]
def one_step(lr):
    """One full-batch step at learning rate lr; the loss after it."""
    range_model.zero_grad()
    loss_fn(range_model(inputs).squeeze(-1), labels).backward()
    with torch.no_grad():
        torch._foreach_add_(range_params, [p.grad for p in range_params], alpha=-lr)
        return loss_fn(range_model(inputs).squeeze(-1), labels).item()


found = gd.lr_range_test(one_step, lr_min=1e-3, lr_max=100.0, steps=100)
# --8<-- [end:range_test]
with out.capture("range_printed"):
    print(f"steps run: {found.lrs.size} of 100 (stopped early: {found.stopped_early})")
    print(f"lowest loss {found.losses.min():.3f} at lr = {found.best_lr:.3g}")
    print(f"suggestion: {found.rule} = {found.suggestion:.3g}")
out.value("range_best", found.best_lr, fmt="{:.2g}")
out.value("range_suggestion", found.suggestion, fmt="{:.2g}")

fig, ax = gd.figure()
ax.semilogx(found.lrs, found.losses, color=gd.COLORS["blue"], lw=1.6)
ax.axvline(found.best_lr, color=gd.COLORS["grey"], ls=":", lw=1)
ax.axvline(found.suggestion, color=gd.COLORS["green"], ls="--", lw=1.2)
top = float(found.losses.max())
ax.text(found.best_lr, top, "lowest loss ", color=gd.COLORS["grey"], va="top", ha="right")
ax.text(found.suggestion, top, "suggestion ", color=gd.COLORS["green"], va="top", ha="right")
ax.set(xlabel="learning rate η (raised every step)", ylabel="loss after the step",
       title="learning-rate range test, full batch")
out.figure(fig, "range_test", caption=(
    f"The loss barely moves while η is small, falls steeply once η is large enough, and turns "
    f"up after η = {found.best_lr:.2g}; the range test suggests a tenth of that, "
    f"{found.suggestion:.2g}."),
    alt=(
    f"Loss after each step against a learning rate that grows geometrically from "
    f"{found.lrs[0]:g} to {found.lrs[-1]:.2g}, on a log axis. The loss stays near its starting "
    f"value {found.losses[0]:.2f} for small rates, then drops steeply, reaches its lowest value "
    f"at {found.best_lr:.2g} (dotted line) and jumps up at the last step; a dashed line marks "
    f"the suggestion {found.suggestion:.2g}."))

# %% [markdown]
# ## Exercises (docs/bug-clinic.md)
# Two mystery runs from another initialisation (seed 1) for the reader to name, the error of a
# central difference on $x^3$, and the range test on a quadratic.

# %%
MYSTERY_SEED, MYSTERY_STEPS = 1, 60
ORDER = list(BUGS)
mystery = {"A": "saturating", "B": "no_zero_grad"}
shown_steps = (1, 10, 30, 60)


def log_table(log):
    """The logged numbers at a few steps, as a reader would see them in a log."""
    return [(t, *(f"{log[t - 1, c]:.2g}" for c in range(3))) for t in shown_steps]


for key, bug in mystery.items():
    out.value(f"ex_mystery_{key.lower()}", ORDER.index(bug) + 1)
    out.table(f"mystery_{key.lower()}", log_table(run(bug, seed=MYSTERY_SEED,
                                                      steps=MYSTERY_STEPS)),
              headers=["step", "loss", "‖g‖", "ratio"])
# both bugs change the same healthy run (full-batch descent from seed 1): shown once
out.table("mystery_healthy", log_table(healthy("sign", seed=MYSTERY_SEED, steps=MYSTERY_STEPS)),
          headers=["step", "loss", "‖g‖", "ratio"])
out.value("mystery_seed", MYSTERY_SEED)

EX_EPS = 1e-3
cube = gd.gradient_check(lambda t: float(t[0] ** 3), np.array([1.0]),
                         grad=lambda t: 3 * t**2, eps=EX_EPS)
out.value("ex_eps", EX_EPS, fmt="{:g}")
out.value("ex_cube_error", cube.worst, fmt="{:.3g}")
EX_L = 4.0
out.value("ex_curvature", EX_L, fmt="{:g}")
out.value("ex_threshold", 2 / EX_L, fmt="{:g}")
