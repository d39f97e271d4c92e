# %% [markdown]
# # Vanishing and exploding gradients
#
# A deep network is a composition of $D$ layers, $h = h_D \circ \dots \circ h_1$, so by the chain rule the
# gradient that reaches layer $l$ is the loss gradient at the output multiplied by one
# Jacobian per layer above it:
#
# $$\frac{\partial f}{\partial z_l}
#   = \frac{\partial f}{\partial z_D}\, J_D J_{D-1} \cdots J_{l+1},
#   \qquad J_k = \frac{\partial z_k}{\partial z_{k-1}}
#   = W_k\,\operatorname{diag}\!\big(\varphi'(z_{k-1})\big).$$
#
# A product of many matrices is exponentially small or exponentially large unless the factors
# are, on average, just the right size. The activation $\varphi$ fixes one part of each factor
# ($\varphi' \le \tfrac14$ for the sigmoid, $\le 1$ for tanh, $0$ or $1$ for ReLU) and the
# initial weights fix the other. [gd.deep_gradient_norms][gdnotes.deep_gradient_norms]
# writes this backward pass out in numpy for a {{ value: vanishing_gradients/depth }}-layer,
# {{ value: vanishing_gradients/width }}-unit MLP on random data and
# records the gradient norm of every layer's weights, $\lVert \partial f / \partial W_l \rVert
# = \lVert (\partial f/\partial z_l)^\top a_{l-1} \rVert$.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("vanishing_gradients")

DEPTH, WIDTH = 20, 64
INIT_STD_SMALL = gd.nets.INITS["small"](WIDTH, WIDTH)
LARGE_GAIN = gd.nets.INITS["large"](WIDTH, WIDTH) * np.sqrt(WIDTH)  # σ_w = gain/√n
ACTIVATIONS = ["sigmoid", "tanh", "relu"]
INITS = {"small": f"small, N(0, {INIT_STD_SMALL:g}²)", "xavier": "Xavier/Glorot",
         "he": "He/Kaiming", "large": f"too large, N(0, {LARGE_GAIN**2:g}/n)"}
INIT_COLORS = dict(zip(INITS, (gd.COLORS["purple"], gd.COLORS["blue"], gd.COLORS["green"],
                               gd.COLORS["red"]), strict=True))

results = {(act, init): gd.deep_gradient_norms(act, init, depth=DEPTH, width=WIDTH, seed=0)
           for act in ACTIVATIONS for init in INITS}

# %%
fig, axes = gd.figure(3, 1, sharex=True)
layers = np.arange(1, DEPTH + 1)
for ax, act in zip(axes, ACTIVATIONS, strict=True):
    for init, label in INITS.items():
        ax.semilogy(layers, results[act, init].weight_grad_norms, "o-", ms=3, lw=1.4,
                    color=INIT_COLORS[init], label=label)
    ax.set(title=act, xlabel="layer l (1 = next to the input)",
           xticks=[1, *range(5, DEPTH + 1, 5)])
axes[0].set_ylabel("‖∂L/∂W_l‖")
axes[0].legend(title="initialisation")
out.figure(fig, "layer_gradients", caption=(
    f"Gradient norm per layer of a {DEPTH}-layer network, one panel per activation: with the "
    "sigmoid the early layers get almost nothing, while tanh with Xavier and ReLU with He "
    "keep every layer at a useful size."),
    alt=(
    "Three log-scale panels, sigmoid, tanh and ReLU, each plotting the weight-gradient norm "
    f"of all {DEPTH} layers for four initialisations. With the sigmoid every curve climbs by "
    f"many orders of magnitude from layer 1 to layer {DEPTH}: the early layers get almost no "
    "gradient. The matched pairs, tanh with Xavier and ReLU with He, are flat at a useful size "
    f"(about {np.median(results['tanh', 'xavier'].weight_grad_norms):.0e} and "
    f"{np.median(results['relu', 'he'].weight_grad_norms):.0e}); ReLU with Xavier is flat too but "
    f"much smaller (about {np.median(results['relu', 'xavier'].weight_grad_norms):.0e}), since "
    "ReLU halves the variance at every layer. The "
    "small initialisation gives flat curves below "
    + gd.format_bound(max(results[a, "small"].weight_grad_norms.max() for a in ("tanh", "relu")),
                      "{:.0e}", "upper") + " "
    "(every layer starved), and the too-large "
    "initialisation makes tanh's early layers get far more gradient than its late ones and "
    "ReLU's gradients enormous everywhere."))

rows = []
for (act, init), r in results.items():
    per_layer = (r.signal_norms[0] / r.signal_norms[-1]) ** (1 / (DEPTH - 1))
    rows.append([act, INITS[init], r.weight_grad_norms[0], r.weight_grad_norms[-1],
                 r.first_last_ratio, per_layer])
out.table("ratios", rows, headers=[
    "activation", "initialisation", "‖∂L/∂W‖ layer 1", f"‖∂L/∂W‖ layer {DEPTH}", "first / last",
    "backward factor per layer"], floatfmt=["", "", ".1e", ".1e", ".1e", ".2f"])

sig = results["sigmoid", "xavier"]
out.value("sigmoid_xavier_ratio", sig.first_last_ratio, fmt="{:.0e}")
out.value("relu_he_ratio", results["relu", "he"].first_last_ratio, fmt="{:.2f}")
out.value("tanh_xavier_ratio", results["tanh", "xavier"].first_last_ratio, fmt="{:.2f}")
out.value("tanh_large_ratio", results["tanh", "large"].first_last_ratio, fmt="{:.0f}")
out.value("small_max", max(results[a, "small"].weight_grad_norms.max()
                           for a in ("tanh", "relu")), fmt="{:.0e}", bound="upper")
out.value("relu_large_min", results["relu", "large"].weight_grad_norms.min(), fmt="{:.0e}",
          bound="lower")  # "every ReLU layer's gradient norm is above ..."
# The sigmoid's guaranteed shrink: each Jacobian has norm at most ¼‖W_k‖₂.
bound = np.prod([0.25 * np.linalg.norm(w, 2) for w in sig.weights[1:]])
out.value("sigmoid_bound", bound, fmt="{:.0e}", bound="upper")  # "at most ..."
out.value("sigmoid_mean_spectral", np.mean([np.linalg.norm(w, 2) for w in sig.weights]),
          fmt="{:.2f}")
out.value("depth", DEPTH)
out.value("jacobians", DEPTH - 1)
out.value("small_factor", INIT_STD_SMALL * np.sqrt(WIDTH), fmt="{:.2f}")
out.value("width", WIDTH)
out.value("small_std", INIT_STD_SMALL, fmt="{:g}")
out.value("large_gain", LARGE_GAIN, fmt="{:g}")

# %% [markdown]
# ## Exercises (docs/problems/vanishing-gradients.md)
# The sigmoid's bound over ten layers with $\lVert W\rVert_2 \le 1$, He's standard deviation for
# this width, and what twice He's scale does to the signal over ten ReLU layers.

# %%
out.value("ex_sigmoid_10", 0.25**10, fmt="{:.3e}")
out.value("ex_he_std", np.sqrt(2 / WIDTH), fmt="{:.4f}")
gain_per_layer = np.sqrt(WIDTH * (2 * np.sqrt(2 / WIDTH)) ** 2 / 2)  # rms gain, twice He's std
out.value("ex_double_he_10", float(gain_per_layer**10), fmt="{:.0f}")
