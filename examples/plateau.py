# %% [markdown]
# # Plateaus: converged, or just slow?
#
# [gd.plateau][gdnotes.plateau] is an upside-down Gaussian well,
# $f(x, y) = 1 - \exp\!\big(-(x^2 + 2y^2)/2\big)$: a single minimum at the origin, surrounded
# by a wide region where the surface is almost flat. Far out the gradient is tiny (it decays
# like $r\,e^{-r^2/2}$), so gradient descent crawls for a long time before the well pulls it
# in. Watching three numbers side by side shows why a small gradient alone proves nothing.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("plateau")

plateau = gd.plateau()
ETA, START, TOL = 0.5, np.array([4.3, 0.5]), 1e-3
minimiser = plateau.minimizers[0]

run = gd.run(gd.sgd(lr=ETA), plateau, START, steps=5000, tol=1e-8)
path = run.path()
steps = np.arange(len(path))
distance = np.linalg.norm(path - minimiser, axis=1)
grad_norm = run.grad_norms[: len(path)]
loss = run.values[: len(path)]

# The gradient-norm stopping rule everybody writes first, with a common tolerance:
naive = gd.run(gd.sgd(lr=ETA), plateau, START, steps=5000, tol=TOL)

# %% [markdown]
# ## Three views of one run

# %%
fig, (ax_f, ax_g, ax_d) = gd.figure(3, 1, figsize=(5.4, 5.4), sharex=True)
ax_f.plot(steps, loss, color=gd.COLORS["blue"])
ax_f.set(ylabel="loss f", title=f"gradient descent from ({START[0]:g}, {START[1]:g}), η = {ETA:g}")
ax_g.semilogy(steps, grad_norm, color=gd.COLORS["orange"])
ax_g.axhline(TOL, color=gd.COLORS["grey"], ls="--", lw=1)
ax_g.text(steps[-1], TOL * 1.4, f"tolerance {TOL:g}", ha="right", va="bottom")
ax_g.set(ylabel="‖∇f‖")
ax_d.plot(steps, distance, color=gd.COLORS["green"])
ax_d.set(xlabel="step", ylabel="distance to minimiser")
WELL = 1.0  # within this distance of the minimiser the run is in the well, off the plateau
fooled = (grad_norm <= TOL) & (distance > WELL)
on_plateau_steps = int(np.argmax(distance < WELL))  # steps until within distance WELL
for ax in (ax_f, ax_g, ax_d):
    ax.axvspan(0, steps[fooled][-1], color=gd.COLORS["yellow"], alpha=0.18, lw=0)
ax_f.text(steps[fooled][-1] / 2, 0.5, "‖∇f‖ below the tolerance,\nyet far from the minimum",
          ha="center", va="center")
out.figure(fig, "diagnostics", caption=(
    f"On the plateau the loss barely moves and the gradient norm is below the {TOL:g} "
    "tolerance for the whole shaded stretch, yet the minimiser is still "
    f"{distance[0]:.1f} away: a small gradient alone does not mean the run is done."),
    alt=(
    f"Three stacked panels over {len(path) - 1} steps of gradient descent on the plateau "
    f"function. The loss stays within a hair of 1 for most of the run and then drops to 0 "
    f"within {run.stop_step - on_plateau_steps} steps; the gradient norm starts below the "
    f"{TOL:g} tolerance and stays below it for the whole shaded first part; the distance to "
    f"the minimiser shrinks only slowly from {distance[0]:.1f} and then collapses to 0 at "
    "the same moment the loss drops."))

on_plateau = on_plateau_steps
out.value("eta", ETA, fmt="{:g}")
out.value("tol", TOL, fmt="{:g}")
out.value("start_grad", float(grad_norm[0]), fmt="{:.1e}")
out.value("start_distance", float(distance[0]), fmt="{:.2f}")
out.value("start_loss", float(loss[0]), fmt="{:.5f}")
out.value("fooled_steps", int(fooled.sum()))
out.value("steps_to_well", on_plateau)
out.value("well_radius", WELL, fmt="{:g}")
out.value("total_steps", run.stop_step)
out.value("well_steps", run.stop_step - on_plateau)
out.value("plateau_share", on_plateau / run.stop_step, fmt="{:.0%}")
out.value("naive_status", naive.status)
out.value("naive_stop", naive.stop_step)

# %% [markdown]
# ## Flat is not the same as curved upward
#
# Near a true minimum a small gradient comes with *positive curvature*: the Hessian's
# eigenvalues are clearly positive, and the step size needed to shrink the gradient further
# is predictable. On the plateau the Hessian is nearly zero too. Comparing them is the
# second-order test for "converged or just slow?".

# %%
curvature_start = np.linalg.eigvalsh(plateau.hessian(START))
curvature_min = np.linalg.eigvalsh(plateau.hessian(minimiser))
out.table("curvature", [
    ["start (on the plateau)", float(grad_norm[0]), *curvature_start],
    ["minimiser", 0.0, *curvature_min],
], headers=["point", "‖∇f‖", "smallest Hessian eigenvalue", "largest Hessian eigenvalue"],
    floatfmt=["", ".1e", ".2e", ".2e"])

XX, YY, surface = plateau.grid(241, bounds=((-1.5, 5.0), (-2.0, 2.0)))
fig, ax = gd.figure(figsize=(5.4, 3.4))
levels = [0.2, 0.5, 0.9, 0.99, 0.999, 0.9999]  # the flat region is still sloped, just barely
ax.contourf(XX, YY, surface, levels=[0.0, *levels, 1.0], cmap=gd.style.SEQUENTIAL)
labelled = ax.contour(XX, YY, surface, levels=levels, colors=gd.style.CONTOUR_COLOR,
                      linewidths=0.6)
for label in ax.clabel(labelled, fmt="%g"):  # dark text on a light box: legible on any colour
    label.set(color="black", bbox=gd.style.LABEL_BOX)
every = 25
ax.plot(path[::every, 0], path[::every, 1], "o", ms=3.5, color=gd.COLORS["red"],
        label=f"every {every}th iterate")
gd.mark_optimum(ax, *minimiser, label="minimiser")
ax.set(xlabel="x", ylabel="y", aspect="equal", title="the iterates pile up where it is flat")
ax.legend(loc="lower left")
out.figure(fig, "path", caption=(
    f"Every {every}th iterate: on the flat region the dots crowd together, because the steps "
    "are tiny there; once the path drops into the well they spread far apart."),
    alt=(
    f"Contour plot of the plateau function with labelled levels from {levels[0]:g} near the "
    f"minimum to {levels[-1]:g} far out, and every {every}th gradient-descent iterate drawn "
    f"as a red dot: the dots crowd together on the flat region beyond the {levels[-1]:g} "
    f"level near the start at ({START[0]:g}, {START[1]:g}) and are spread far apart once the "
    "path drops into the well at the origin."))

# %% [markdown]
# ## Exercises (docs/problems/plateaus.md)
# The slope at $(3, 0)$, the steepest slope along the $x$-axis, and the largest stable step at
# the minimum.

# %%
out.value("ex_grad_at_3", float(np.linalg.norm(plateau.grad(np.array([3.0, 0.0])))), fmt="{:.5f}")
radii = np.linspace(0.0, 5.0, 50001)
out.value("ex_steepest_slope", float(np.max(radii * np.exp(-radii**2 / 2))), fmt="{:.4f}")
out.value("ex_max_lr_well", 2 / float(np.linalg.eigvalsh(plateau.hessian(np.zeros(2)))[-1]),
          fmt="{:g}")
