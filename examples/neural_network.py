# %% [markdown]
# # Gradient descent inside a neural network
#
# The same update rule, $\theta \leftarrow \theta - \eta\,\nabla f(\theta)$, trains a neural
# network; the only new ingredient is that the gradient comes from back-propagation
# (`loss.backward()`) instead of a formula written by hand. A
# {{ value: neural_network/sizes }} tanh network
# ([gd.mlp][gdnotes.mlp]) learns to separate two interleaved half moons
# ([gd.two_moons][gdnotes.two_moons]) by full-batch gradient descent on the binary
# cross-entropy loss. It is trained twice from the same initial weights: once with the update
# written out ([gd.train_manual][gdnotes.train_manual]) and once with `torch.optim.SGD`
# ([gd.train_optim][gdnotes.train_optim]).

# %%
import numpy as np
import torch
from matplotlib.colors import ListedColormap

import gdnotes as gd

torch.set_num_threads(1)  # the tensors are tiny: extra threads only add overhead
out = gd.Outputs("neural_network")

DATA_SEED = 0
X, y = gd.two_moons(n=200, noise=0.15, seed=DATA_SEED)
inputs, labels = torch.tensor(X), torch.tensor(y)
LR, STEPS, FRAMES = 0.5, 400, 30
SIZES = (2, 16, 16, 1)

# the classifier's output on a grid, stored at the frames of the animation
gx = np.linspace(-1.6, 2.6, 85)
gy = np.linspace(-1.1, 1.6, 55)
GX, GY = np.meshgrid(gx, gy)
grid = torch.tensor(np.stack([GX.ravel(), GY.ravel()], 1))
frame_steps = np.unique(np.linspace(0, STEPS, FRAMES).round().astype(int))
snapshots = {}


def probabilities(model):
    with torch.no_grad():
        return torch.sigmoid(model(grid)).reshape(GX.shape).numpy()


def record(step, model):  # called after update number step + 1
    if step + 1 in frame_steps:
        snapshots[step + 1] = probabilities(model)


model = gd.mlp(SIZES, seed=0)
snapshots[0] = probabilities(model)
losses = gd.train_manual(model, inputs, labels, lr=LR, steps=STEPS, callback=record)

twin = gd.mlp(SIZES, seed=0)  # the same initial weights
twin_losses = gd.train_optim(twin, inputs, labels, lr=LR, steps=STEPS)

# %% [markdown]
# ## Hand-written update and `torch.optim` agree

# %%
with out.capture("agreement"):
    gap = max((p - q).abs().max().item()
              for p, q in zip(model.parameters(), twin.parameters(), strict=True))
    loss_gap = max(abs(a - b) for a, b in zip(losses, twin_losses, strict=True))
    print(f"parameters: {sum(p.numel() for p in model.parameters())}, steps: {STEPS}, lr: {LR}")
    print(f"largest parameter difference, manual vs torch.optim: {gap:.1e}")
    print(f"largest loss difference over all steps:              {loss_gap:.1e}")

with torch.no_grad():
    accuracy = ((model(inputs).squeeze(-1) > 0).double() == labels).double().mean().item()
out.value("lr", LR, fmt="{:g}")
out.value("sizes", "–".join(str(s) for s in SIZES))
out.value("n_points", len(X))
out.value("data_seed", DATA_SEED)
out.value("steps", STEPS)
out.value("n_params", sum(p.numel() for p in model.parameters()))
out.value("loss_start", losses[0], fmt="{:.3f}")
out.value("loss_end", losses[-1], fmt="{:.3f}")
out.value("accuracy", accuracy, fmt="{:.1%}")

# %% [markdown]
# ## The decision boundary while it learns
#
# Top: the class the network predicts at each point of the plane (shaded), with the
# 50 % boundary in black. Bottom: the training loss. The boundary starts as an almost straight
# line (a small random network is nearly linear) and bends into the gap between the moons as
# the loss falls.

# %%
fig, (ax, ax_loss) = gd.figure(2, 1)
side = ax.imshow(snapshots[0] > 0.5, origin="lower", extent=(gx[0], gx[-1], gy[0], gy[-1]),
                 cmap=ListedColormap([gd.COLORS["blue"], gd.COLORS["orange"]]), vmin=0, vmax=1,
                 alpha=0.2, aspect="auto", interpolation="nearest",
                 zorder=0)  # a tint of the class colour the network predicts there
colors = np.where(y > 0.5, gd.COLORS["orange"], gd.COLORS["blue"])
points = ax.scatter(X[:, 0], X[:, 1], c=colors, s=12, edgecolors="white", linewidths=0.4,
                    zorder=3)
ax.set(xlabel="x₁", ylabel="x₂", xlim=(gx[0], gx[-1]), ylim=(gy[0], gy[-1]))
ax.grid(False)
title = ax.text(0.5, 1.02, "", transform=ax.transAxes, ha="center", va="bottom")
ax_loss.plot(np.arange(1, STEPS + 1), losses, color=gd.COLORS["grey"], lw=1)
progress, = ax_loss.plot([], [], color=gd.COLORS["red"], lw=2)
head, = ax_loss.plot([], [], "o", color=gd.COLORS["red"])
ax_loss.set(xlabel="gradient-descent step", ylabel="cross-entropy loss", ylim=(0, None),
            title="training loss")
# what changes between frames, plus the points, which must stay on top of the shading
gd.freeze_background(fig, [side, points, title, progress, head])
boundary = []


def draw(i):
    step = int(frame_steps[i])
    p = snapshots[step]
    side.set_data(p > 0.5)
    for artist in boundary:
        artist.remove()
    boundary[:] = [ax.contour(GX, GY, p, levels=[0.5], colors=gd.COLORS["black"],
                              linewidths=1.5, zorder=2)]
    title.set_text(f"after {step} steps")
    progress.set_data(np.arange(1, step + 1), losses[:step])
    head.set_data([max(step, 1)], [losses[max(step, 1) - 1]])


out.gif(fig, draw, frames=len(frame_steps), name="training", fps=8, caption=(
    f"Over {STEPS} steps the decision boundary bends from almost straight into an S between "
    f"the two moons, while the loss below falls from {losses[0]:.2f} to {losses[-1]:.3f}."),
    alt=(
    f"Animation of {STEPS} steps of gradient descent on a small neural network. Top: two "
    "interleaved half moons of blue and orange points, with the network's decision boundary "
    "as a black line between lightly shaded class regions; it starts almost straight and "
    "bends into an S shape that runs between the two moons. Bottom: the training loss "
    f"falls from {losses[0]:.2f} to {losses[-1]:.3f}, with a marker following the "
    "current step."))

# %% [markdown]
# ## Exercises (docs/neural-network.md)
# The loss of a network that says "one half" to every point, the cross-entropy's derivative
# with respect to the logit (by autograd), and what forgetting `zero_grad()` does to three steps
# on $f(x) = x^2$.

# %%
out.value("ex_loss_half", float(torch.nn.functional.binary_cross_entropy(
    torch.tensor([0.5]), torch.tensor([1.0]))), fmt="{:.4f}")
logit = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
torch.nn.functional.binary_cross_entropy_with_logits(logit, torch.tensor(1.0, dtype=torch.float64)
                                                     ).backward()
out.value("ex_dloss_dlogit", logit.grad.item(), fmt="{:g}")

# %%
# --8<-- [start:no_zero_grad]
x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
history = []
for _ in range(3):
    (x**2).backward()  # adds 2x to x.grad: no zero_grad() in this loop
    with torch.no_grad():
        x -= 0.1 * x.grad
    history.append((x.grad.item(), x.item()))
# --8<-- [end:no_zero_grad]
with out.capture("ex_no_zero_grad"):
    for step, (grad, value) in enumerate(history, 1):
        print(f"step {step}: x.grad = {grad:.4f}, x = {value:.4f}")
out.value("ex_x3_no_zero_grad", history[-1][1], fmt="{:.4f}")
