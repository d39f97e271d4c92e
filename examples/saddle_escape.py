# %% [markdown]
# # Where gradient descent ends up: basins and saddle points
#
# Gradient descent only ever looks at the slope under its feet, so *where it starts* decides
# where it stops. Two demonstrations: the basins of attraction of a non-convex function, and
# the saddle point of $f(x, y) = x^2 - y^2$, where a start on one special line converges to
# the saddle while a start a hair's breadth away escapes, after a number of steps we can
# predict exactly.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("saddle_escape")

# %% [markdown]
# ## Basins of attraction
#
# The quartic $f(x) = x^4 - 5x^3 + 4x^2 + 3x$ has a local minimum, a local maximum and a
# global minimum ([gd.quartic][gdnotes.quartic]). One batched [gd.run][gdnotes.run] starts
# gradient descent from a row of points and colours each start by the minimum it reaches.

# %%
quartic = gd.quartic()
low, peak, high = quartic.stationary_points  # minimum, maximum, minimum
BASIN_ETA = 0.02
starts = np.linspace(-1.0, 4.2, 40)
starts = np.sort(np.append(starts, peak))[:, None]  # one start exactly on the peak
basins = gd.run(gd.sgd(lr=BASIN_ETA), quartic, starts, steps=2000, tol=1e-9)
ends = basins.final[:, 0]

fig, ax = gd.figure()
grid = np.linspace(-1.0, 4.2, 300)
ax.plot(grid, quartic.value(grid[:, None]), color=gd.COLORS["grey"], lw=1.5, zorder=1)
for target, color, name in ((low, gd.COLORS["blue"], "local minimum"),
                            (high, gd.COLORS["orange"], "global minimum"),
                            (peak, gd.COLORS["black"], "stays on the peak")):
    hit = np.isclose(ends, target, atol=1e-4)
    ax.scatter(starts[hit, 0], quartic.value(starts[hit]), color=color, s=22, zorder=3,
               label=f"start ends at x = {target:.2f} ({name})")
    ax.axvline(target, color=color, lw=0.8, ls=":")
ax.set(xlabel="x", ylabel="f(x)", title="which start ends where")
ax.legend(loc="lower left")
out.figure(fig, "basins", caption=(
    f"Every start left of the local maximum at x = {peak:.2f} rolls into the local minimum, "
    "every start right of it into the global one; the start exactly on the maximum has zero "
    "gradient and never moves."),
    alt=(
    f"The quartic curve with {len(starts)} starting points coloured by where gradient descent "
    "ends: "
    f"every start left of the local maximum at x = {peak:.2f} rolls into the local minimum "
    f"at x = {low:.2f}, every start right of it into the global minimum at x = {high:.2f}, "
    "and the start placed exactly on the maximum never moves."))
out.value("peak", peak, fmt="{:.2f}")
out.value("low", low, fmt="{:.2f}")
out.value("high", high, fmt="{:.2f}")
out.value("f_low", float(quartic.value([low])), fmt="{:.3f}")
out.value("f_high", float(quartic.value([high])), fmt="{:.3f}")

# %% [markdown]
# ## The saddle of $x^2 - y^2$
#
# The gradient is $(2x, -2y)$, so one gradient step multiplies the two coordinates
# separately:
#
# $$x_{k+1} = (1 - 2\eta)\,x_k, \qquad y_{k+1} = (1 + 2\eta)\,y_k .$$
#
# For $0 < \eta < 1$ the $x$-coordinate shrinks and $|y|$ grows. A start with $y_0 = 0$
# (on the *stable manifold* of the saddle, the $x$-axis) stays there and converges to the
# saddle; a start with $|y_0| = \varepsilon > 0$ leaves the band $|y| < {{ value: saddle_escape/band }}$ after the
# first $k$ with $\varepsilon (1 + 2\eta)^k \ge {{ value: saddle_escape/band }}$, that is after
#
# $$k_\text{escape} = \left\lceil \frac{\log({{ value: saddle_escape/band }}/\varepsilon)}{\log(1 + 2\eta)}
#   \right\rceil$$
#
# steps: ten times closer costs a fixed $\log 10 / \log(1+2\eta)$ more steps.

# %%
saddle = gd.saddle()
ETA = 0.1
X0 = 1.5
EPSILONS = 10.0 ** -np.array([1, 2, 4, 6, 8, 12])
ETAS = np.array([ETA, ETA / 2])
BAND = 1.0  # a run has escaped once |y| reaches BAND

# one batched run: every (eta, epsilon) pair
lr = np.repeat(ETAS, EPSILONS.size)
x0 = np.stack([np.full(lr.size, X0), np.tile(EPSILONS, ETAS.size)], axis=1)
escape_run = gd.run(gd.sgd(lr=lr), saddle, x0, steps=400)
escaped = np.abs(escape_run.points[..., 1]) >= BAND
measured = np.argmax(escaped, axis=0).reshape(ETAS.size, EPSILONS.size)
predicted = np.log(BAND / EPSILONS)[None] / np.log(1 + 2 * ETAS)[:, None]

rows = [[f"1e-{round(-np.log10(e))}", measured[0, i], predicted[0, i], measured[1, i],
         predicted[1, i]] for i, e in enumerate(EPSILONS)]
out.table("escape_steps", rows, headers=[
    "ε (offset y₀)", f"measured, η = {ETAS[0]:g}",
    f"log({BAND:g}/ε) / log(1+2η), η = {ETAS[0]:g}", f"measured, η = {ETAS[1]:g}",
    f"log({BAND:g}/ε) / log(1+2η), η = {ETAS[1]:g}"],
    floatfmt=["", "", ".2f", "", ".2f"])
out.value("eta", ETA, fmt="{:g}")
out.value("band", BAND, fmt="{:g}")
out.value("steps_per_decade", np.log(10) / np.log(1 + 2 * ETA), fmt="{:.1f}")

MANIFOLD_TOL = 1e-8
on_manifold = gd.run(gd.sgd(lr=ETA), saddle, [X0, 0.0], steps=400, tol=MANIFOLD_TOL)
out.value("x0", X0, fmt="{:g}")
out.value("manifold_tol", MANIFOLD_TOL, fmt="{:.0e}")
out.value("manifold_steps", on_manifold.stop_step)
out.value("manifold_status", on_manifold.status)
out.value("manifold_final_x", float(on_manifold.final[0]), fmt="{:.1e}")

# %% [markdown]
# The animation runs four starts at $x_0 = {{ value: saddle_escape/x0 }}$: exactly on the
# $x$-axis, and $\varepsilon$ = {{ value: saddle_escape/gif_offsets }} above it. Below: $|y_k|$ on a log scale grows
# along straight lines of the same slope $\log(1+2\eta)$; each run leaves the band
# $|y| < {{ value: saddle_escape/band }}$ where the prediction says (dotted).

# %%
GIF_EPS = [0.0, 1e-1, 1e-3, 1e-6]
out.value("gif_offsets", ", ".join(f"{e:g}" for e in GIF_EPS[1:]))
STEPS, FRAMES = 100, 50
gif_run = gd.run(gd.sgd(lr=ETA), saddle, np.array([[X0, e] for e in GIF_EPS]), steps=STEPS)
colors = [gd.COLORS["black"], gd.COLORS["orange"], gd.COLORS["blue"], gd.COLORS["green"]]
labels = [f"ε = 1e{round(np.log10(e))}" if e > 0 else "ε = 0 (on the x-axis)" for e in GIF_EPS]

fig, (ax, ax_y) = gd.figure(2, 1)
gd.contour(ax, saddle, ((-2, 2), (-2, 2)), n=161, levels=np.linspace(-3.5, 3.5, 15),
           cmap=None, colors=gd.COLORS["grey"], linewidths=0.7)  # grey: the paths carry colour
ax.axhspan(-BAND, BAND, color=gd.COLORS["sky"], alpha=0.12, lw=0)
ax.plot(0, 0, marker="x", ms=9, color=gd.COLORS["red"], ls="none", label="saddle")
ax.set(xlabel="x", ylabel="y", xlim=(-2, 2), ylim=(-2, 2), title="f(x, y) = x² − y²",
       aspect="equal")
steps = np.arange(STEPS + 1)
ax_y.axhline(BAND, color=gd.COLORS["grey"], lw=1)
ax_y.set(xlabel="step k", ylabel="|y_k|", yscale="log", xlim=(0, STEPS), ylim=(1e-7, 10),
         title="|y| grows by (1 + 2η) per step")
paths, heads, curves = [], [], []
for eps, color, label in zip(GIF_EPS, colors, labels, strict=True):
    paths.append(ax.plot([], [], color=color, lw=1.6, label=label)[0])
    heads.append(ax.plot([], [], "o", color=color, ms=5)[0])
    curves.append(ax_y.plot([], [], color=color, lw=1.6)[0])
    if eps > 0:
        ax_y.axvline(np.log(BAND / eps) / np.log(1 + 2 * ETA), color=color, lw=0.9, ls=":")
ax_y.legend(handles=[*paths, ax.lines[0]], loc="lower right")
gd.freeze_background(fig, paths + heads + curves)  # only these change between frames


def draw(i):
    k = round(i * STEPS / (FRAMES - 1))
    for j in range(len(GIF_EPS)):
        path = gif_run.path(j)[: k + 1]
        paths[j].set_data(path[:, 0], path[:, 1])
        heads[j].set_data(path[-1:, 0], path[-1:, 1])
        curves[j].set_data(steps[: len(path)], np.abs(path[:, 1]))


out.gif(fig, draw, frames=FRAMES, name="escape", fps=10, caption=(
    "A start exactly on the x-axis slides into the saddle and stays; a start above it slides "
    "in too, then leaves along y. Below, |y| grows on straight parallel lines (log scale): "
    "smaller offsets escape later, at the predicted steps."),
    alt=(
    f"Animation of gradient descent on x squared minus y squared from x = {X0:g}. The start "
    "exactly on the x-axis slides straight into the saddle at the origin and stays there. "
    f"Starts {', '.join(f'{e:g}' for e in GIF_EPS[1:])} above the axis first slide towards the "
    "saddle too, then "
    "turn and shoot off along the y-axis; below, their distance from the axis grows "
    f"on straight, parallel lines in a log plot and crosses {BAND:g} at the predicted steps, "
    "later for smaller offsets."))

# %% [markdown]
# ## Exercises (docs/problems/local-minima.md, docs/problems/saddle-points.md)
# The local minimum's value, restarts, leaving the hump; the escape time from $10^{-6}$, what
# doubling $\eta$ buys, and the negative curvature of a tilted saddle.

# %%
out.value("ex_f_low", float(quartic.value([low])), fmt="{:.5f}")
share_global = (4.0 - peak) / (4.0 - (-1.0))  # starts uniform on [-1, 4], small steps
out.value("ex_restarts_5", 1 - (1 - share_global) ** 5, fmt="{:.4f}")
hump_factor = 1 - 0.01 * float(quartic.hessian(np.array([peak]))[0, 0])  # eta = 0.01
hump_growth = float(np.log(0.1 / 0.001) / np.log(hump_factor))  # distance 0.001 -> 0.1, linearised
out.value("ex_hump_factor", hump_factor, fmt="{:.4g}")
out.value("ex_hump_growth", hump_growth, fmt="{:.2f}")
out.value("ex_hump_steps", int(np.ceil(hump_growth)))  # a whole number of steps


def escape_steps(eps, eta):
    return int(np.ceil(np.log(BAND / eps) / np.log(1 + 2 * eta)))


out.value("ex_escape_1e6", escape_steps(1e-6, ETA))
out.value("ex_escape_ratio", escape_steps(1e-6, ETA) / escape_steps(1e-6, 2 * ETA), fmt="{:.3f}")
out.value("ex_tilted_curvature", float(-np.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, -2.0]]))[0]),
          fmt="{:.4f}")
