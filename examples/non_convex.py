# %% [markdown]
# # Non-convex: where you start decides where you end
#
# $f(x) = x^4 - 5x^3 + 4x^2 + 3x$ has two valleys. Gradient descent only ever sees the local
# slope, so which valley it settles in depends on the start, and, once the step is large, on the
# learning rate too.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("non_convex")
quartic = gd.quartic()


def f(x):
    """f on plain numbers or arrays of x (the objective wants points of shape (..., 1))."""
    return quartic.value(np.asarray(x, dtype=float)[..., None])[()]


def f2(x):
    """f''(x), read off the objective's 1x1 Hessian."""
    return quartic.hessian(np.asarray(x, dtype=float)[..., None])[..., 0, 0][()]


# %% [markdown]
# ## Stationary points
# Solve $f'(x) = 4x^3 - 15x^2 + 8x + 3 = 0$ and classify each root by the sign of $f''$.

# %%
stationary = np.asarray(quartic.stationary_points, dtype=float)
global_min = float(quartic.minimizers[0, 0])


def kind(x):
    if f2(x) < 0:
        return "local maximum"
    return "global minimum" if np.isclose(x, global_min) else "local minimum"


point_rows = [(x, f(x), f2(x), kind(x)) for x in stationary]
out.table("stationary", point_rows, headers=["$x$", "$f(x)$", "$f''(x)$", "kind"],
          floatfmt=[".4g", ".6g", ".4g", "s"])
minima = [x for x in stationary if f2(x) > 0]
local_min = float(next(x for x in minima if not np.isclose(x, global_min)))
local_max = float(next(x for x in stationary if f2(x) < 0))
out.value("global_min", global_min, fmt="{:g}")
out.value("global_min_f", float(f(global_min)), fmt="{:g}")
out.value("local_min", local_min, fmt="{:g}")
out.value("local_min_f", float(f(local_min)), fmt="{:.6g}")
out.value("local_max", local_max, fmt="{:g}")
out.value("local_max_f", float(f(local_max)), fmt="{:g}")
for name, x in (("global", global_min), ("local", local_min)):
    out.value(f"curv_{name}", float(f2(x)), fmt="{:g}")
    out.value(f"limit_{name}", 2 / float(f2(x)), fmt="{:.4f}")

# %% [markdown]
# ## Four starts, one learning rate

# %%
STARTS = np.array([-1.0, 0.0, 2.0, 4.0])
LR, STEPS, TOL = 0.01, 500, 1e-8
SETTLED = 1e-3  # a run "ends at" a stationary point if its last point is this close to it
runs = gd.run(gd.sgd(lr=LR), quartic, x0=STARTS[:, None], steps=STEPS, tol=TOL)


def reached(x):
    nearest = stationary[np.argmin(np.abs(stationary - x))]
    return f"{kind(nearest)} $x = {nearest:g}$"


start_rows = [(x0, runs.final[i, 0], float(f(runs.final[i, 0])), reached(runs.final[i, 0]),
               runs.status[i], int(runs.stop_step[i])) for i, x0 in enumerate(STARTS)]
out.table("starts", start_rows, headers=[
    "start $x_0$", "final $x$", "final $f(x)$", "reached", "status", "steps"],
    floatfmt=[".4g", ".6f", ".6f", "s", "s", "d"])
out.value("lr", LR, fmt="{:g}")
out.value("tol", TOL, fmt="{:g}")
out.value("max_steps", STEPS)

fig, ax = gd.figure()
ax.plot(*quartic.grid(400, ((-1.3, 4.4),)), color=gd.COLORS["grey"], label="$f(x)$")
palette = [gd.COLORS[k] for k in ("blue", "green", "orange", "purple")]
for i, (x0, color) in enumerate(zip(STARTS, palette, strict=True)):
    p = runs.path(i)[:, 0]
    ax.plot(p, f(p), "o", ms=3, alpha=0.6, color=color)
    ax.plot([x0], [f(x0)], "*", ms=13, color=color, label=f"start {x0:g}")
    ax.plot(p[-1:], f(p[-1:]), "o", ms=9, mfc="none", mew=2, color=color)
for x in stationary:
    ax.axvline(x, color=gd.COLORS["grey"], lw=0.8, ls=":")
ax.set(xlabel="$x$", ylabel="$f(x)$", ylim=(-11, 14),
       title=rf"Gradient descent, $\eta = {LR:g}$, from four starts")
ax.legend(loc="upper center", ncol=2)
ends_global = np.isclose(runs.final[:, 0], global_min, rtol=0, atol=SETTLED)


def starts_where(mask):
    return " and ".join(f"{x0:g}" for x0 in STARTS[mask])


out.figure(fig, "four_starts", caption=(
    "Where a run ends depends on where it starts: gradient descent goes downhill from its "
    f"start, so starts left of the hump at x = {local_max:g} end in the shallow valley, "
    "starts right of it in the deep one."),
    alt=(
    f"The quartic x^4 - 5x^3 + 4x^2 + 3x with a shallow left valley at x = {local_min:g}, a hump "
    f"at x = {local_max:g} and a deep right valley at x = {global_min:g}. Runs started at "
    f"{starts_where(~ends_global)} slide into the left valley; runs started at "
    f"{starts_where(ends_global)} slide into the deep right valley. Dotted lines mark the "
    "stationary points."
))

# %% [markdown]
# ## Basin map: one batched run over a grid of starts and learning rates
# Each pixel is one run. Colour = where it ended after at most the step budget.

# %%
N_START, N_LR, MAP_STEPS = 241, 60, 400
starts = np.linspace(-1.5, 4.5, N_START)
lrs = np.linspace(0.002, 0.14, N_LR)
S, E = np.meshgrid(starts, lrs)  # shape (N_LR, N_START)
grid_runs = gd.run(gd.sgd(lr=E.ravel()), quartic, x0=S.reshape(-1, 1), steps=MAP_STEPS, tol=TOL,
                   keep="last")  # the map needs where each run ended, not its path
final = grid_runs.final[:, 0]
outcome = np.full(final.shape, 3)  # 3 = not settled: still moving, or cycling
outcome[np.isclose(final, local_min, rtol=0, atol=SETTLED)] = 0
outcome[np.isclose(final, global_min, rtol=0, atol=SETTLED)] = 1
outcome[np.isclose(final, local_max, rtol=0, atol=SETTLED)] = 4
outcome[grid_runs.diverged] = 2
outcome = outcome.reshape(E.shape)
categories = [f"local min {local_min:g}", f"global min {global_min:g}", "diverged",
              "not settled", f"stuck on max {local_max:g}"]
shares = [(outcome == k).mean() for k in range(len(categories))]
out.table("basin_shares", [(c, 100 * s) for c, s in zip(categories, shares, strict=True)],
          headers=["outcome", "share of grid (%)"], floatfmt=["s", ".0f"])  # whole percent:
# starts on the fractal boundary between basins flip when the start moves by 1e-12
out.value("map_runs", int(outcome.size))
out.value("map_steps", MAP_STEPS)
out.value("map_lr_min", lrs[0], fmt="{:g}")
out.value("map_lr_max", lrs[-1], fmt="{:g}")
from matplotlib.colors import BoundaryNorm, ListedColormap  # noqa: E402

cmap = ListedColormap([gd.COLORS["blue"], gd.COLORS["green"], gd.COLORS["red"],
                       gd.COLORS["yellow"], gd.COLORS["black"]])
fig, ax = gd.figure(figsize=(5.4, 3.7))
ax.pcolormesh(S, E, outcome, cmap=cmap, norm=BoundaryNorm(np.arange(-0.5, 5), cmap.N),
              shading="nearest", rasterized=True)
for x in (global_min, local_min):
    ax.axhline(2 / float(f2(x)), color="#222222", lw=1.2, ls="--")
    ax.text(4.4, 2 / float(f2(x)) + 0.002, rf"$\eta = 2/f''({x:g})$", color="#222222",
            ha="right", va="bottom",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
ax.grid(False)
handles = [ax.plot([], [], "s", ms=9, color=cmap(k), label=c)[0]
           for k, c in enumerate(categories) if shares[k] > 0]
ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3)
ax.set(xlabel="start $x_0$", ylabel=r"learning rate $\eta$",
       title=f"Where {outcome.size} runs end ({MAP_STEPS} steps max)")
out.figure(fig, "basins", caption=(
    "Each pixel is one run: at small learning rates the outcome depends only on the side of "
    f"the hump ({local_max:g}) it starts on; above η = 2/{float(f2(global_min)):g} the deep "
    "minimum becomes unstable and the map breaks up."),
    alt=(
    "A map with the start x0 on the horizontal axis and the learning rate on the vertical axis, "
    "coloured by where each run ends. For small learning rates the map splits cleanly at the "
    f"hump x = {local_max:g}: starts left of it reach the local minimum {local_min:g}, starts "
    f"right of it the global minimum {global_min:g}. Above eta = 2/{float(f2(global_min)):g} the "
    "global minimum becomes unstable and runs end in the local minimum, fail to settle, or "
    f"diverge; above eta = 2/{float(f2(local_min)):g} almost nothing converges."
))

# %% [markdown]
# ## Exercises (docs/non-convex.md)
# The first step from $x_0 = -1$, the factor by which the hump pushes a nearby start away, and
# the stationary points from the roots of $f'$ in code.

# %%
out.value("ex_x1_from_m1", -1.0 - LR * float(quartic.grad(np.array([-1.0]))[0]), fmt="{:g}")
out.value("ex_hump_factor", 1 - LR * float(f2(local_max)), fmt="{:.4f}")

# %%
# --8<-- [start:roots]
roots = np.sort(np.roots([4, -15, 8, 3]).real)  # f'(x) = 4x^3 - 15x^2 + 8x + 3
curvatures = 12 * roots**2 - 30 * roots + 8  # f''(x) at each root
# --8<-- [end:roots]
with out.capture("ex_roots"):
    for x, c in zip(roots, curvatures, strict=True):
        print(f"x = {x:+.6f}   f''(x) = {c:+.4f}   {'minimum' if c > 0 else 'maximum'}")
out.value("ex_factor_global_01", 1 - 0.1 * float(f2(global_min)), fmt="{:g}")
