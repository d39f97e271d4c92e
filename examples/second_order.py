# %% [markdown]
# # Second-order methods: Newton, BFGS and L-BFGS
#
# Newton's method minimises the local quadratic model
# $f(\theta + s) \approx f(\theta) + g^\top s + \tfrac12 s^\top H s$ exactly:
# $s = -H^{-1} g$. BFGS and L-BFGS build an approximation of $H^{-1}$ from gradients alone.
# This script measures what each buys and costs. `torch` is imported only for the last
# section, the comparison with `torch.optim.LBFGS`.

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("second_order")

# %% [markdown]
# ## One Newton step solves a quadratic

# %%
bowl = gd.quadratic([1.0, 10.0], angle=0.5, b=np.array([1.0, -2.0]))
start = np.array([3.0, 3.0])
one = gd.run(gd.newton(), bowl, start, steps=1)
# rounding error: its exact size is noise, so quote the power of ten above it
one_step_error = np.linalg.norm(one.points[1] - bowl.minimizers[0])
out.value("newton_one_step_error", 10.0 ** np.ceil(np.log10(one_step_error)), fmt="{:.0e}")
out.value("newton_start_error", np.linalg.norm(start - bowl.minimizers[0]), fmt="{:.2f}")

# %% [markdown]
# ## Quadratic convergence, measured on Rosenbrock
# Pure Newton ($\eta = 1$, no line search) from the classic start {{ value: second_order/rosen_x0 }}. Near the
# minimum the error should square at every step: $e_{k+1} \approx C e_k^2$.

# %%
rosen = gd.rosenbrock()
X0 = np.array([-1.2, 1.0])
newton_run = gd.run(gd.newton(), rosen, X0, steps=20, tol=1e-12)
out.value("rosen_x0", f"$({X0[0]:g}, {X0[1]:g})$")
out.value("rosen_min", "$({:g}, {:g})$".format(*rosen.minimizers[0]))
err = np.linalg.norm(newton_run.path() - rosen.minimizers[0], axis=1)
rows = []
for k, e in enumerate(err):
    ratio = err[k + 1] / e**2 if k + 1 < len(err) and e > 0 and err[k + 1] > 0 else None
    digits = "exact" if e == 0 else f"{-np.log10(e):.1f}" if e < 1 else "—"
    rows.append((k, f"{e:.3e}", f"{ratio:.3g}" if ratio is not None else "—", digits))
out.table("newton_rosenbrock", rows, headers=[
    "step $k$", r"error $e_k = \|\theta_k - \theta^\star\|$", r"$e_{k+1} / e_k^2$",
    "correct digits"])
out.value("newton_steps", int(newton_run.stop_step))

# %% [markdown]
# ## At a saddle, Newton is attracted, not repelled
# On $f = x^2 - y^2$ the Hessian $\mathrm{diag}(2, -2)$ is indefinite. The Newton step
# $-H^{-1}g = -(x, y)$ goes to the stationary point $(0, 0)$ in one step, whatever kind of
# stationary point it is. Gradient descent is pushed away along $y$. Damping,
# $(H + \delta I)^{-1} g$ with $\delta = {{ value: second_order/damping }} > 2$, makes the
# matrix positive definite: the step then descends and escapes too.

# %%
saddle = gd.saddle()
S0 = np.array([1.5, 0.2])
SADDLE_STEPS = 12
DAMPING = 3.0  # δ > 2, the magnitude of the negative curvature
SADDLE_LR = 0.1
SADDLE_BOUND = 4.0  # a run that leaves this disc has escaped
saddle_runs = {
    "Newton": gd.run(gd.newton(), saddle, S0, steps=SADDLE_STEPS, bound=SADDLE_BOUND),
    f"damped Newton, δ = {DAMPING:g}": gd.run(gd.newton(damping=DAMPING), saddle, S0,
                                              steps=SADDLE_STEPS, bound=SADDLE_BOUND),
    f"gradient descent, η = {SADDLE_LR:g}": gd.run(gd.sgd(lr=SADDLE_LR), saddle, S0,
                                                   steps=SADDLE_STEPS, bound=SADDLE_BOUND),
}
out.value("damping", DAMPING, fmt="{:g}")
fig, ax = gd.figure()
gd.contour(ax, saddle, ((-2, 2), (-2, 2)), n=160, levels=np.linspace(-4, 4, 17), cmap=None,
           colors=gd.COLORS["grey"], linewidths=0.6)
for (name, r), color in zip(saddle_runs.items(), ("red", "green", "blue"), strict=True):
    path = r.path()
    ax.plot(*path.T, "o-", ms=4, lw=1.5, color=gd.COLORS[color], label=name)
gd.mark_start(ax, *S0)
ax.plot(0, 0, "x", ms=10, mew=2, color=gd.COLORS["black"], label="saddle point")
ax.set(xlabel="$x$", ylabel="$y$", xlim=(-2, 2), ylim=(-2, 2), aspect="equal",
       title=r"$f(x, y) = x^2 - y^2$")
ax.legend(loc="lower left")
out.figure(fig, "saddle", caption=(
    "On the saddle x² − y² Newton's method jumps to the saddle point in one step and stays: "
    "it seeks zero gradient, not low loss. Damped Newton and gradient descent slide away "
    "downhill along y."),
    alt=(
    f"Contours of the saddle x^2 - y^2 with three paths from the star at ({S0[0]:g}, {S0[1]:g}). "
    "Newton's "
    "method jumps straight onto the saddle point at the origin in one step and stays there. "
    "Damped Newton and gradient descent both move towards the x = 0 axis and then slide away "
    "along y, downhill, out of the plot."
))
saddle_rows = []
for name, r in saddle_runs.items():
    path = r.path()
    saddle_rows.append((name, f"({path[1, 0]:.3f}, {path[1, 1]:.3f})", f"{r.values[1]:.3f}",
                        f"escaped (left the disc ‖θ‖ ≤ {SADDLE_BOUND:g})" if r.diverged else
                        "stuck on the saddle point (∇f = 0)" if r.grad_norms[r.stop_step] == 0
                        else f"f = {r.values[r.stop_step]:.3g} after {r.stop_step} steps"))
out.table("saddle_steps", saddle_rows, headers=["method", "point after 1 step",
                                                 "f after 1 step", "outcome"])

# %% [markdown]
# ## BFGS: the secant condition, checked at every step
# BFGS keeps an estimate $H_k \approx (\nabla^2 f)^{-1}$ and updates it so that it maps the
# latest gradient change to the latest step: $H_{k+1} y_k = s_k$. On a quadratic,
# $y_k = A s_k$ exactly, so every update teaches $H$ the true inverse along one more direction.
# We step `gd.bfgs` by hand to read its state.

# %%
quad = gd.quadratic([1.0, 4.0, 20.0])
out.value("bfgs_curvatures", ", ".join(f"{c:g}" for c in quad.eigenvalues[:-1])
          + f" and {quad.eigenvalues[-1]:g}")
out.value("bfgs_dim", quad.dim)
opt = gd.bfgs()
theta = np.array([1.0, 1.0, 1.0])
state = opt.init(theta)
grad = quad.grad(theta)
bfgs_rows, grad_norms = [], []
true_inverse = np.linalg.inv(quad.A)
s_prev = y_prev = None
for k in range(6):
    new_theta, state = opt.update(state, theta, grad, quad)
    new_grad = quad.grad(new_theta)
    if s_prev is not None:  # the H in the state now includes the pair from the previous step
        residual = np.linalg.norm(state["H"] @ y_prev - s_prev) / np.linalg.norm(s_prev)
        gap = np.linalg.norm(state["H"] - true_inverse) / np.linalg.norm(true_inverse)
        grad_norms.append(np.linalg.norm(new_grad))
        bfgs_rows.append((k, f"{residual:.1e}", f"{gap:.3f}", f"{grad_norms[-1]:.2e}"))
    s_prev, y_prev = new_theta - theta, new_grad - grad
    theta, grad = new_theta, new_grad
out.table("bfgs_secant", bfgs_rows, headers=[
    "update $k$", r"secant residual $\|H_k y_{k-1} - s_{k-1}\| / \|s_{k-1}\|$",
    r"$\|H_k - A^{-1}\| / \|A^{-1}\|$", r"$\|\nabla f\|$ after the step"])
drops = np.array(grad_norms[:-1]) / grad_norms[1:]  # factor by which each update shrinks ‖∇f‖
out.value("bfgs_drop_min", drops.min(), fmt="{:.0f}")
out.value("bfgs_drop_max", drops.max(), fmt="{:.0f}")

# %% [markdown]
# ## L-BFGS against `torch.optim.LBFGS` on Rosenbrock
# Both with history $M = {{ value: second_order/lbfgs_m }}$ and the strong-Wolfe line search,
# from {{ value: second_order/rosen_x0 }}. The gdnotes methods are stepped in the plain loop every `optimizer.step()`
# hides — evaluate the gradient, stop if $\|\nabla f\| \le$ {{ value: second_order/tol }},
# update — on an objective wrapped by `gd.counted`, which tallies every evaluation. torch then
# runs for the same number of iterations and reports its own count (`func_evals`; its closure
# returns $f$ and $\nabla f$ together). Memory is what each optimizer keeps between iterations
# (`gd.floats_in` on its state), per parameter.

# %%
import torch  # noqa: E402  (only this section needs it)

TOL = 1e-8
HISTORY = 10  # m, the number of (s, y) pairs L-BFGS keeps
rosen_counted, calls = gd.counted(rosen)
QUIET = dict(tolerance_grad=1e-30, tolerance_change=1e-30)  # stop on TOL only
cost_rows = []
for name, opt_ in (("Newton `gd.newton`", gd.newton()),
                   ("BFGS `gd.bfgs`", gd.bfgs()),
                   ("L-BFGS `gd.lbfgs`",
                    gd.lbfgs(history_size=HISTORY, line_search_fn="strong_wolfe", **QUIET))):
    for key in calls:
        calls[key] = 0
    point, state = X0, opt_.init(X0)
    for k in range(200):  # noqa: B007  (k is the iteration count afterwards)
        g = rosen_counted.grad(point)
        if np.linalg.norm(g) <= TOL:
            break
        point, state = opt_.update(state, point, g, rosen_counted)
    stored = gd.floats_in({key: v for key, v in state.items() if key not in ("t", "lr")})
    cost_rows.append((name, str(k), calls["value"], calls["grad"], calls["hessian"],
                      f"{np.linalg.norm(point - 1):.1e}", f"{stored / rosen.dim:g}"))
    if "L-BFGS" in name:
        gd_lbfgs_point, gd_lbfgs_iters = point, k

x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
lbfgs_torch = torch.optim.LBFGS([x], lr=1, max_iter=gd_lbfgs_iters, max_eval=10 * gd_lbfgs_iters,
                                history_size=HISTORY, line_search_fn="strong_wolfe", **QUIET)


def closure():
    lbfgs_torch.zero_grad()
    loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    loss.backward()
    return loss


lbfgs_torch.step(closure)
torch_state = lbfgs_torch.state[x]
torch_point = x.detach().numpy().copy()
cost_rows.append(("L-BFGS `torch.optim`", str(int(torch_state["n_iter"])),
                  int(torch_state["func_evals"]), int(torch_state["func_evals"]), 0,
                  f"{np.linalg.norm(torch_point - 1):.1e}",
                  f"{gd.floats_in(dict(torch_state)) / x.numel():g}"))
out.table("costs", cost_rows, headers=[
    "method", "iterations", "$f$ evals", r"$\nabla f$ evals", "Hessians", "final error",
    "floats kept / parameter"])
gap = float(np.linalg.norm(gd_lbfgs_point - torch_point))
out.value("lbfgs_gap", "exactly 0 (the same floating-point numbers)" if gap == 0 else f"{gap:.1e}")
out.value("lbfgs_iters", gd_lbfgs_iters)
out.value("lbfgs_m", HISTORY)
out.value("lbfgs_history_floats", 2 * HISTORY)
out.value("lbfgs_floats_large_d", 2 * HISTORY + 2)
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
out.value("tol", "10" + str(round(np.log10(TOL))).translate(SUPERSCRIPT))

# %% [markdown]
# ## Exercises (docs/second-order.md)
# Pure Newton on $x^4$ (a minimum with zero curvature), two Newton steps on $e^x - 2x$, and the
# memory of BFGS against L-BFGS for a million parameters.

# %%
x = 1.0
for _ in range(5):
    x_next = x - (4 * x**3) / (12 * x**2)  # Newton on f(x) = x^4
    factor, x = x_next / x, x_next
out.value("ex_newton_x4_factor", factor, fmt="{:.4f}")
x = 0.0
for _ in range(2):
    x = x - (np.exp(x) - 2) / np.exp(x)  # Newton on f(x) = e^x - 2x
out.value("ex_newton_exp_x2", x, fmt="{:.4f}")
D, M = 10**6, 10
out.value("ex_memory_ratio", D * D / (2 * M * D), fmt="{:g}")
