# %% [markdown]
# # Worked example: fitting a line by hand
#
# Fit $\hat y = w x + b$ to the two points $(1, 2)$ and $(2, 4)$ with the mean-squared-error
# loss $f(w, b) = \frac1n \sum_i (\hat y_i - y_i)^2$, starting from $w = b = 0$ with learning
# rate $\eta = 0.1$. Every number in the step-by-step part is computed in exact rational
# arithmetic (`fractions.Fraction`) by [gd.worked_regression][gdnotes.worked_regression], so
# nothing on the page is rounded except where it says so.

# %%
from fractions import Fraction

import numpy as np
import torch

import gdnotes as gd

out = gd.Outputs("worked_regression")

X, Y = gd.WORKED_X, gd.WORKED_Y
LR = Fraction(1, 10)
STEPS = 6
N = len(X)
iterations = gd.worked_regression(X, Y, w0=0, b0=0, lr=LR, steps=STEPS)


def num(q: Fraction, places: int = 8) -> str:
    """Exact decimal if ``q`` has at most ``places`` decimals, else rounded and marked with ≈."""
    q = Fraction(q)
    if (q * 10**places).denominator != 1:
        return f"≈\u00a0{float(q):.{places}f}"
    sign = "-" if q < 0 else ""
    whole, frac = divmod(int(abs(q) * 10**places), 10**places)
    digits = f"{frac:0{places}d}".rstrip("0")
    return f"{sign}{whole}" + (f".{digits}" if digits else "")


def tex(q: Fraction) -> str:
    """``num`` for inside LaTeX."""
    return num(q).replace("≈\u00a0", r"\approx ")


def eq(q: Fraction) -> str:
    """``= 0.5`` for an exact value, ``\approx 0.0697...`` (no ``=`` before it) otherwise."""
    text = tex(q)
    return text if text.startswith(r"\approx") else f"= {text}"


def paren(q: Fraction) -> str:
    """A number ready to be multiplied in a formula: negative numbers get brackets."""
    return f"({tex(q)})" if q < 0 else tex(q)


# %% [markdown]
# ## Every step, with the numbers substituted
# With $n = 2$ the gradient factors $2/n$ are 1. `loss_before` is measured at the parameters
# the step starts from; `loss_after` at the updated ones (it equals the next step's
# `loss_before`).

# %%
(x1, x2), (y1, y2) = X, Y  # the formulas below are written out for two data points
tabs = []
for it in iterations:
    k = it.step
    r1, r2 = it.residuals
    yh1, yh2 = it.predictions
    w, b = it.w, it.b
    lines = [
        f'=== "Step {k + 1}"',
        "",
        f"    Start: $w_{k} {eq(w)}$, $b_{k} {eq(b)}$.",
        "",
        "    $$",
        rf"    \hat y = (w_{k} \cdot {x1} + b_{k},\; w_{k} \cdot {x2} + b_{k})"
        rf" = ({tex(yh1)},\; {tex(yh2)})",
        "    $$",
        "",
        "    $$",
        rf"    r = \hat y - y = ({tex(yh1)} - {y1},\; {tex(yh2)} - {y2}) = ({tex(r1)},\; {tex(r2)})",
        "    $$",
        "",
        "    $$",
        rf"    f(w_{k}, b_{k}) = \tfrac{{1}}{{{N}}}\left[{paren(r1)}^2 + {paren(r2)}^2\right]"
        rf" {eq(it.loss_before)}",
        "    $$",
        "",
        "    $$",
        rf"    \frac{{\partial f}}{{\partial w}} = \tfrac{{2}}{{{N}}}\left[{paren(r1)} \cdot {x1}"
        rf" + {paren(r2)} \cdot {x2}\right] {eq(it.grad_w)}, \qquad"
        rf" \frac{{\partial f}}{{\partial b}} = \tfrac{{2}}{{{N}}}\left[{paren(r1)} + {paren(r2)}\right]"
        rf" {eq(it.grad_b)}",
        "    $$",
        "",
        "    $$",
        rf"    w_{k + 1} {eq(w)} - {tex(LR)} \cdot {paren(it.grad_w)} {eq(it.new_w)}, \qquad"
        rf" b_{k + 1} {eq(b)} - {tex(LR)} \cdot {paren(it.grad_b)} {eq(it.new_b)}",
        "    $$",
        "",
        f"    New loss: $f(w_{k + 1}, b_{k + 1}) {eq(it.loss_after)}$"
        + (" (smaller)." if it.loss_after < it.loss_before else "."),
        "",
    ]
    tabs.append("\n".join(lines))
out.table("step_tabs", "\n".join(tabs))

rows = [(it.step + 1, num(it.w), num(it.b), num(it.loss_before), num(it.grad_w), num(it.grad_b),
         num(it.new_w), num(it.new_b), num(it.loss_after)) for it in iterations]
out.table("iterations", rows, headers=[
    "step", "$w$", "$b$", "loss before", r"$\partial f/\partial w$", r"$\partial f/\partial b$",
    "new $w$", "new $b$", "loss after"])
first, last = iterations[0], iterations[-1]
out.value("n_steps", STEPS)
out.value("loss_start", num(first.loss_before))
out.value("loss_after_one", num(first.loss_after))
out.value("loss_end", num(last.loss_after))
out.value("w_end", num(last.new_w))
out.value("b_end", num(last.new_b))

# %% [markdown]
# ## The optimum, derived
# Setting both partial derivatives to zero gives the normal equations
# $\left(\sum x_i^2\right) w + \left(\sum x_i\right) b = \sum x_i y_i$ and
# $\left(\sum x_i\right) w + n b = \sum y_i$. Solve them exactly (Cramer's rule).

# %%
sxx = sum(Fraction(v) ** 2 for v in X)
sx = sum(Fraction(v) for v in X)
sxy = sum(Fraction(a) * b for a, b in zip(X, Y, strict=True))
sy = sum(Fraction(v) for v in Y)
det = sxx * N - sx * sx
w_star = (sxy * N - sx * sy) / det
b_star = (sxx * sy - sx * sxy) / det
for name, q in (("sxx", sxx), ("sx", sx), ("sxy", sxy), ("sy", sy), ("det", det),
                ("w_star", w_star), ("b_star", b_star)):
    out.value(name, num(q))
hessian = gd.line_mse(X, Y).hessian(np.zeros(2))
eigenvalues = np.linalg.eigvalsh(hessian)
slowest = 1 - float(LR) * eigenvalues[0]
out.value("hess_small", eigenvalues[0], fmt="{:.4f}")
out.value("hess_large", eigenvalues[1], fmt="{:.4f}")
out.value("kappa", eigenvalues[1] / eigenvalues[0], fmt="{:.1f}")
out.value("slowest_factor", slowest, fmt="{:.4f}")

# %% [markdown]
# ## A few hundred steps: the path to the optimum

# %%
LONG = 300
objective = gd.line_mse(X, Y)
long_run = gd.run(gd.sgd(lr=float(LR)), objective, x0=[0.0, 0.0], steps=LONG)
path = long_run.points
dist = np.linalg.norm(path - [float(w_star), float(b_star)], axis=-1)
out.value("long_steps", LONG)
out.value("long_w", path[-1, 0], fmt="{:.4f}")
out.value("long_b", path[-1, 1], fmt="{:.4f}")
out.value("long_loss", long_run.values[-1], fmt="{:.7f}")
out.value("long_distance", dist[-1], fmt="{:.3f}")
out.value("steps_to_loss_1e-3", int(np.argmax(long_run.values <= 1e-3)))

fig, (ax_c, ax_l) = gd.figure(2, 1, figsize=(5.4, 5.8), height_ratios=[1.6, 1])
gd.contour(ax_c, objective, ((-0.5, 3.0), (-1.5, 2.0)), n=201,
           levels=np.geomspace(1e-3, 12, 12))
ax_c.plot(path[:, 0], path[:, 1], "o-", ms=2, lw=1, color=gd.COLORS["red"],
          label=rf"GD, $\eta = {float(LR):g}$, {LONG} steps")
ax_c.plot(path[: STEPS + 1, 0], path[: STEPS + 1, 1], "o", ms=5, mfc="none",
          color=gd.COLORS["blue"], label=f"the {STEPS} steps worked by hand")
gd.mark_optimum(ax_c, float(w_star), float(b_star),
               label=f"optimum $(w^*, b^*) = ({num(w_star)}, {num(b_star)})$")
ax_c.set(xlabel="slope $w$", ylabel="intercept $b$", title="Level sets of $f(w, b)$",
         aspect="equal")
ax_c.legend(loc="lower left")
ax_l.semilogy(np.arange(LONG + 1), long_run.values, color=gd.COLORS["blue"], label="loss $L$")
ax_l.semilogy(np.arange(LONG + 1), dist, color=gd.COLORS["orange"],
              label=r"distance to optimum $\|\theta_t - \theta^*\|$")
ax_l.set(xlabel="step $t$", title="Loss and distance per step")
ax_l.legend()
out.figure(fig, "path", caption=(
    f"The first step jumps from (0, 0) to ({num(first.new_w)}, {num(first.new_b)}), near the "
    "valley floor; the rest creeps along the valley. Below, the loss shows the same story: a "
    "fast first drop, then a slow straight-line decline."),
    alt=(
    f"Top: elliptical level sets of the loss f(w, b) with the gradient-descent path from (0, 0): "
    f"the first step jumps to ({num(first.new_w)}, {num(first.new_b)}), close to the valley "
    f"floor, then the path bends and creeps along the valley towards the optimum ({num(w_star)}, "
    f"{num(b_star)}). Bottom: loss and distance to the optimum over {LONG} steps on a log scale, "
    "a fast first drop followed by a slow straight-line decline."
))

# %% [markdown]
# ## The same loop in PyTorch
# First with a manual update under `torch.no_grad()`, then with `torch.optim.SGD`. Each printed
# line shows the loss **before** that step's update and the parameters **after** it.

# %%
# --8<-- [start:torch_manual]
x = torch.tensor([1.0, 2.0], dtype=torch.float64)
y = torch.tensor([2.0, 4.0], dtype=torch.float64)


def train_manual(steps, lr=0.1):
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    for step in range(1, steps + 1):
        loss = ((w * x + b - y) ** 2).mean()  # measured BEFORE this step's update
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        print(f"step {step}: loss before update {loss.item():.8f} | "
              f"after update w = {w.item():.8f}, b = {b.item():.8f}")
    with torch.no_grad():
        print(f"loss after step {steps}: {((w * x + b - y) ** 2).mean().item():.8f}")
# --8<-- [end:torch_manual]


with out.capture("torch_manual"):
    train_manual(STEPS)

# %%
# --8<-- [start:torch_optim]
def train_optim(steps, lr=0.1):
    w = torch.zeros((), dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=lr)
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = ((w * x + b - y) ** 2).mean()  # measured BEFORE this step's update
        loss.backward()
        optimizer.step()
        print(f"step {step}: loss before update {loss.item():.8f} | "
              f"after update w = {w.item():.8f}, b = {b.item():.8f}")
    with torch.no_grad():
        print(f"loss after step {steps}: {((w * x + b - y) ** 2).mean().item():.8f}")
# --8<-- [end:torch_optim]


with out.capture("torch_optim"):
    train_optim(STEPS)

# %% [markdown]
# ## Exercises (docs/worked-example.md)
# A third point $(3, 5)$: the first gradient and the best line, in exact arithmetic; and the
# largest stable learning rate of the two-point problem, $2 / \lambda_{\max}$.

# %%
X3, Y3 = [*X, 3], [*Y, 5]
grad_w3 = Fraction(2, len(X3)) * sum((0 - Fraction(y)) * x for x, y in zip(X3, Y3, strict=True))
sxx3, sx3 = sum(Fraction(v) ** 2 for v in X3), sum(Fraction(v) for v in X3)
sxy3 = sum(Fraction(a) * b for a, b in zip(X3, Y3, strict=True))
sy3 = sum(Fraction(v) for v in Y3)
det3 = sxx3 * len(X3) - sx3 * sx3
out.value("ex_grad_w3", float(grad_w3), fmt="{:.4f}")
out.value("ex_w_star3", float((sxy3 * len(X3) - sx3 * sy3) / det3), fmt="{:g}")
out.value("ex_b_star3", float((sxx3 * sy3 - sx3 * sxy3) / det3), fmt="{:.4f}")
out.value("ex_max_lr", 2 / eigenvalues[1], fmt="{:.4f}")
out.value("ex_factor_04", 1 - 0.4 * eigenvalues[1], fmt="{:.3f}")
