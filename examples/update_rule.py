# %% [markdown]
# # The update rule, three ways
#
# Gradient descent on $f(x) = (x - 5)^2$ from $x_0 = -5$ with learning rate $\eta = 0.1$,
# written three times: by hand with numpy, with torch autograd and a manual update, and with
# `torch.optim.SGD`. All three differentiate and plot the **same** Python function `f`, so
# the curve in the figure is the function that was actually minimised.

# %%
import numpy as np
import torch

import gdnotes as gd

out = gd.Outputs("update_rule")

X0 = -5.0  # start
LR = 0.1  # learning rate eta
STEPS = 30


# --8<-- [start:function]
def f(x):
    """The function we minimise; works on floats, numpy arrays and torch tensors."""
    return (x - 5.0) ** 2


def grad_f(x):
    """Its derivative, worked out by hand: f'(x) = 2 (x - 5)."""
    return 2.0 * (x - 5.0)
# --8<-- [end:function]


# %% [markdown]
# ## 1. By hand, with numpy

# %%
# --8<-- [start:numpy]
x = np.float64(X0)
numpy_path = [x]
for _ in range(STEPS):
    x = x - LR * grad_f(x)  # theta <- theta - eta * grad
    numpy_path.append(x)
# --8<-- [end:numpy]

# %% [markdown]
# ## 2. torch autograd computes the gradient; we update by hand under `no_grad`

# %%
# --8<-- [start:autograd]
x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
autograd_path = [x.item()]
for _ in range(STEPS):
    loss = f(x)
    loss.backward()  # x.grad = f'(x)
    with torch.no_grad():  # the update itself must not be recorded in the graph
        x -= LR * x.grad
    x.grad.zero_()  # .backward() accumulates: clear before the next step
    autograd_path.append(x.item())
# --8<-- [end:autograd]

# %% [markdown]
# ## 3. `torch.optim.SGD` does the update

# %%
# --8<-- [start:optim]
x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
optimizer = torch.optim.SGD([x], lr=LR)
optim_path = [x.item()]
for _ in range(STEPS):
    optimizer.zero_grad()
    f(x).backward()
    optimizer.step()  # x <- x - lr * x.grad
    optim_path.append(x.item())
# --8<-- [end:optim]

# %% [markdown]
# ## Are they the same?
# numpy and the manual torch update perform exactly the same floating-point operations, so they
# agree bit for bit. `torch.optim.SGD` computes $x + (-\eta)\,g$ with a fused multiply-add
# (one rounding instead of two), so it may differ in the last bit.

# %%
paths = np.array([numpy_path, autograd_path, optim_path], dtype=float)
diff_autograd = float(np.max(np.abs(paths[1] - paths[0])))
diff_optim = float(np.max(np.abs(paths[2] - paths[0])))
out.value("x0", X0, fmt="{:g}")
out.value("lr", LR, fmt="{:g}")
out.value("steps", STEPS)
out.value("diff_autograd", diff_autograd, fmt="{:.1e}")
out.value("diff_optim", diff_optim, fmt="{:.1e}")
out.value("factor", abs(1 - 2 * LR), fmt="{:g}")
out.value("x_final", paths[0, -1], fmt="{:.6f}")

rows = [(t, *(f"{v:.17g}" for v in paths[:, t])) for t in range(8)]
out.table("first_steps", rows, headers=["step $t$", "numpy", "autograd + no_grad", "optim.SGD"])

# %% [markdown]
# The figure: the iterates on the curve they minimise, and the distance to the minimiser,
# which shrinks by the factor $|1 - 2\eta|$ every step.

# %%
fig, (ax_curve, ax_err) = gd.figure(2, 1)
grid = np.linspace(-7, 11, 300)
ax_curve.plot(grid, f(grid), color=gd.COLORS["grey"], label="$f(x) = (x-5)^2$")
styles = [("numpy", "o", 9, gd.COLORS["blue"]), ("autograd + no_grad", "x", 7, gd.COLORS["orange"]),
          ("torch.optim.SGD", "+", 11, gd.COLORS["green"])]
t = np.arange(STEPS + 1)
for path, (label, marker, size, color) in zip(paths, styles, strict=True):
    filled = "none" if marker == "o" else color
    ax_curve.plot(path, f(path), marker, ms=size, mfc=filled, color=color, label=label, ls="none")
    err = np.abs(path - 5.0)
    ax_err.semilogy(t, err, marker, ms=size, mfc=filled, color=color, label=label, ls="none")
ax_err.semilogy(t, abs(X0 - 5) * abs(1 - 2 * LR) ** t, color=gd.COLORS["grey"], lw=1,
                label=rf"${abs(X0 - 5):g} \cdot {abs(1 - 2 * LR):g}^t$")
ax_curve.set(xlabel="$x$", ylabel="$f(x)$", title="Iterates on the curve")
ax_err.set(xlabel="step $t$", ylabel=r"$|x_t - 5|$", title="Distance to the minimiser")
ax_curve.legend(loc="upper center")
ax_err.legend()
out.figure(fig, "three_ways", caption=(
    "numpy, autograd and torch.optim.SGD land on the same iterates: their markers coincide at "
    f"every step. Below, on a log scale, the distance to the minimiser is a straight line: "
    f"each step multiplies it by |1 − 2η| = {abs(1 - 2 * LR):g} (η = {LR:g})."),
    alt=(
    f"Top: the parabola (x-5)^2 with the {STEPS + 1} iterates of the three implementations, "
    f"whose markers sit exactly on top of each other, moving from x = {X0:g} towards 5. Bottom: "
    "their distance to the minimiser on a log scale, a straight line shrinking by "
    f"{abs(1 - 2 * LR):g} per step."
))

# %% [markdown]
# ## Why minus the gradient: the first step through the tangent line
# Near $x_0$ the tangent line $f(x_0) + f'(x_0)(x - x_0)$ is a good model of $f$. A step
# $-\eta f'(x_0)$ lowers the tangent line by $\eta f'(x_0)^2$; the true function drops a bit
# less, because it curves up.

# %%
g0 = grad_f(X0)
x1 = X0 - LR * g0
predicted = f(X0) - LR * g0**2  # value of the tangent line at x1
out.value("f0", f(X0), fmt="{:g}")
out.value("g0", g0, fmt="{:g}")
out.value("x1", x1, fmt="{:g}")
out.value("step0", -LR * g0, fmt="{:+g}")
out.value("tangent_at_x1", predicted, fmt="{:g}")
out.value("f1", f(x1), fmt="{:g}")

fig, ax = gd.figure()
grid = np.linspace(-7, 6, 300)
ax.plot(grid, f(grid), color=gd.COLORS["grey"], label="$f(x) = (x-5)^2$")
line = np.linspace(-7, 1, 2)
ax.plot(line, f(X0) + g0 * (line - X0), color=gd.COLORS["orange"], lw=1.5,
        label=rf"tangent at $x_0$, slope $f'(x_0) = {g0:g}$")
ax.plot([X0], [f(X0)], "o", color=gd.COLORS["blue"], label=f"$x_0 = {X0:g}$")
ax.plot([x1], [predicted], "s", mfc="none", color=gd.COLORS["orange"],
        label=f"tangent's prediction at $x_1$: {predicted:g}")
ax.plot([x1], [f(x1)], "o", color=gd.COLORS["green"], label=f"$f(x_1) = {f(x1):g}$")
ax.annotate("", xy=(x1, f(X0)), xytext=(X0, f(X0)),
            arrowprops={"arrowstyle": "->", "color": gd.COLORS["red"], "lw": 1.5})
ax.text(x1 + 0.3, f(X0) + 2, rf"step $-\eta f'(x_0) = {-LR * g0:g}$",
        ha="left", va="bottom", color=gd.COLORS["red"])
ax.set(xlabel="$x$", ylabel="$f(x)$", title="One gradient step, read off the tangent line",
       ylim=(-5, 160))
ax.legend(loc="upper right")
out.figure(fig, "tangent_step", caption=(
    f"The step follows the tangent line down to {predicted:g}, but the parabola curves up and "
    f"is at {f(x1):g} there: the gap, {f(x1) - predicted:g} = (ηf′(x₀))², is the curvature "
    "the tangent ignores, and it grows with the square of the step."),
    alt=(
    f"The parabola (x-5)^2 with its tangent line at x0 = {X0:g} (slope {g0:g}). An arrow shows "
    f"the step of length {-LR * g0:g} to x1 = {x1:g}; the tangent line predicts {predicted:g} "
    f"there, the parabola's true value is {f(x1):g}."
))

# %% [markdown]
# ## Exercises (docs/update-rule.md)
# The numbers the page's exercises ask for: the second iterate, one step with $\eta = 1$, the
# learning rate that reaches the minimiser in one step, and the steps the loop needs to get
# within $10^{-6}$ of it.

# %%
curvature = grad_f(1.0) - grad_f(0.0)  # f'' of the parabola: its gradient is linear
out.value("ex_x2", numpy_path[2], fmt="{:g}")
out.value("ex_x1_eta1", X0 - 1.0 * grad_f(X0), fmt="{:g}")
out.value("ex_x2_eta1", (X0 - grad_f(X0)) - grad_f(X0 - grad_f(X0)), fmt="{:g}")
out.value("ex_eta_one_step", 1 / curvature, fmt="{:g}")

# %%
# --8<-- [start:stop_early]
x, steps = X0, 0
while abs(x - 5.0) >= 1e-6:  # stop once within 1e-6 of the minimiser
    x = x - LR * grad_f(x)
    steps += 1
# --8<-- [end:stop_early]
with out.capture("ex_stop_early"):
    print(f"{steps} steps, x = {x:.9f}")
out.value("ex_steps_1e6", steps)
