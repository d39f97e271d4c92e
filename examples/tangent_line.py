# %% [markdown]
# # Sliding down the tangent line
#
# Gradient descent on $f(x) = (x - 5)^2$, starting at $x_0 = -5$. At every step the point
# looks at the slope of the tangent line where it stands, $f'(x_k) = 2(x_k - 5)$, and moves
# against it:
#
# $$x_{k+1} = x_k - \eta\, f'(x_k).$$
#
# The animation draws that tangent line at each step, so you can see the slope shrink and the
# steps shrink with it.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("tangent_line")

objective = gd.shifted_parabola(center=5.0)
X0 = -5.0
STOP_DISTANCE = 0.05  # the animation ends once |x_k - 5| is below this

# %% [markdown]
# ## Choosing the learning rate and the number of frames
#
# On this parabola one step multiplies the distance to the minimum by $1 - 2\eta$. A learning
# rate of $\eta = 0.5$ would land on the minimum in a single jump, and anything above it makes
# the point overshoot and zig-zag, which hides the idea we want to show. A small $\eta$ makes
# every step a clearly visible slide along the tangent, with steps that visibly shrink as the
# slope flattens. $\eta = {{ value: tangent_line/eta }}$ is that: each step keeps
# {{ value: tangent_line/keep_percent }} % of the remaining distance.
#
# We stop the animation once the point is within {{ value: tangent_line/stop_distance }} of the
# minimum, where it sits on the bottom of the curve at this scale: later frames would look identical and only make the GIF longer. That takes
# {{ value: tangent_line/steps }} steps. At {{ value: tangent_line/fps }} frames per second the
# whole descent lasts about {{ value: tangent_line/seconds }} seconds, slow enough to follow every
# step while the slowing-down is still obvious.

# %%
# --8<-- [start:run]
ETA = 0.1
contraction = 1 - 2 * ETA  # distance to the minimum after one step, relative to before
# steps until the distance |x_k - 5| = contraction**k * |x_0 - 5| drops below STOP_DISTANCE
distance0 = abs(X0 - objective.center)
steps = int(np.ceil(np.log(STOP_DISTANCE / distance0) / np.log(contraction)))

run = gd.run(gd.sgd(lr=ETA), objective, x0=np.array([X0]), steps=steps)
xs = run.points[:, 0]
# --8<-- [end:run]

out.value("eta", ETA, fmt="{:.1f}")
out.value("contraction", contraction, fmt="{:.1f}")
out.value("keep_percent", 100 * contraction, fmt="{:.0f}")
out.value("steps", steps)
out.value("stop_distance", STOP_DISTANCE, fmt="{:g}")
out.value("final_x", float(xs[-1]), fmt="{:.3f}")
print(f"{steps} steps with eta = {ETA}: x goes from {xs[0]:.1f} to {xs[-1]:.4f}")

rows = [
    [k, xs[k], float(objective.grad(xs[k : k + 1])[0]), xs[k + 1] - xs[k]]
    for k in range(5)
]
out.table("first_steps", rows, headers=["step k", "x_k", "slope f'(x_k)", "move x_{k+1} - x_k"],
          floatfmt=["d", ".4f", ".4f", ".4f"])

# %% [markdown]
# ## Drawing the animation
#
# One frame per step: the parabola, the points visited so far, the current point and its
# tangent line $y = f(x_k) + f'(x_k)(x - x_k)$.

# %%
grid = np.linspace(-7, 13, 300)
fig, ax = gd.figure()
ax.plot(grid, objective.value(grid[:, None]), color=gd.COLORS["blue"], label="$f(x) = (x-5)^2$")
ax.set(xlim=(-7, 13), ylim=(-15, 130), xlabel="$x$", ylabel="$f(x)$")
(trail,) = ax.plot([], [], "o", color=gd.COLORS["grey"], markersize=4, alpha=0.6,
                   label="earlier steps")
(tangent,) = ax.plot([], [], color=gd.COLORS["orange"], label="tangent line")
(point,) = ax.plot([], [], "o", color=gd.COLORS["red"], markersize=9, label="current $x_k$")
caption = ax.text(0.02, 0.04, "", transform=ax.transAxes)
ax.legend(loc="upper right")
ax.set_title(f"Gradient descent on $(x-5)^2$, $\\eta = {ETA}$")


def draw_frame(k):
    x = xs[k]
    fx = float(objective.value(np.array([x])))
    slope = float(objective.grad(np.array([x]))[0])
    span = np.array([x - 3.0, x + 3.0])
    tangent.set_data(span, fx + slope * (span - x))
    point.set_data([x], [fx])
    trail.set_data(xs[:k], objective.value(xs[:k, None]))
    caption.set_text(f"step {k}:  x = {x:6.3f}   slope f'(x) = {slope:7.3f}")


gd.freeze_background(fig, [trail, tangent, point, caption])


FPS = 4
out.value("fps", FPS)
out.value("seconds", (steps + 1) / FPS, fmt="{:.0f}")
gif = out.gif(
    fig, draw_frame, frames=steps + 1, name="descent", fps=FPS,
    caption=(
    f"Each frame is one step of η = {ETA:g} on (x − 5)²: the step is η times the slope of the "
    "orange tangent, so as the tangent flattens near the minimum the steps shrink, each keeping "
    f"{100 * contraction:.0f} % of the remaining distance."),
    alt=(
        f"Animation: a red point starts at x = {X0:g} on the parabola (x-{objective.center:g})^2 "
        f"and takes {steps} gradient descent steps towards the minimum at "
        f"x = {objective.center:g}, with the orange tangent line "
        "drawn at each step; the tangent flattens and the steps shrink as the point approaches "
        "the bottom."
    ),
)
print(f"GIF size: {gif.stat().st_size / 1024:.0f} KB")
