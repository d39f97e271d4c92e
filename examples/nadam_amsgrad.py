# %% [markdown]
# # NAdam, AMSGrad, and whose convention a hyperparameter follows
#
# Two descendants of Adam that the optimizer summary lists: NAdam, which gives Adam's momentum
# a Nesterov look-ahead, and AMSGrad, which repairs a convex problem on which Adam provably
# fails. Then the small differences of convention (where the learning rate, ε and the weight
# decay go) that make "the same optimizer" take different steps in torch, in the papers, in
# optax and in Keras. Every comparison below runs both forms.

# %%
import inspect

import numpy as np
import torch

import gdnotes as gd

out = gd.Outputs("nadam_amsgrad")
torch.set_default_dtype(torch.float64)  # every torch comparison below is in float64

# %% [markdown]
# ## NAdam as torch implements it
# torch's `NAdam` (Dozat 2016, with a momentum that warms up) uses the momentum
# $\beta_{1,t} = \beta_1\bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr)$ at step $t$, where $\psi$ is
# `momentum_decay`. It starts near $\beta_1/2$ and approaches $\beta_1$ only slowly.

# %%
NADAM = {name: p.default for name, p in inspect.signature(gd.nadam).parameters.items()}
B1, B2 = NADAM["betas"]
PSI = NADAM["momentum_decay"]


def nadam_momentum(t, beta1=B1, psi=PSI):
    """torch's momentum β₁,ₜ (its `mu`) for the 1-based step t."""
    return beta1 * (1 - 0.5 * 0.96 ** (t * psi))


WARM = 1000  # the early phase the comparison below lives in
t_99 = int(np.ceil(np.log(0.02) / (PSI * np.log(0.96))))  # first t with β₁,ₜ >= 0.99 β₁
out.value("default_lr", NADAM["lr"], fmt="{:g}")
out.value("beta1", B1, fmt="{:g}")
out.value("beta2", B2, fmt="{:g}")
out.value("psi", PSI, fmt="{:g}")
out.value("mu_1", nadam_momentum(1), fmt="{:.3f}")
out.value("warm_steps", WARM)
out.value("mu_warm", nadam_momentum(WARM), fmt="{:.3f}", bound="upper")
out.value("t_99", t_99, fmt="{:,}")

# %% [markdown]
# ### `gd.nadam` against `torch.optim.NAdam`, step for step
# The same 200 steps on a rotated, ill-conditioned bowl, both in float64; the largest gap
# between the two trajectories over every step and coordinate:

# %%
def torch_path(make, grads_of, start, steps):
    """torch iterates for ``steps`` steps; ``make(param)`` builds the optimizer."""
    p = torch.tensor(start, requires_grad=True)
    opt = make(p)
    path = [np.array(start, dtype=float)]
    for t in range(steps):
        opt.zero_grad()
        p.grad = torch.from_numpy(np.asarray(grads_of(p.detach().numpy(), t), dtype=float))
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


CHECK_STEPS = 200
bowl = gd.ill_conditioned(25.0, angle=np.pi / 6)
check_start = np.array([-4.0, 1.0])
ours = gd.run(gd.nadam(lr=0.05), bowl, check_start, steps=CHECK_STEPS).points
theirs = torch_path(lambda p: torch.optim.NAdam([p], lr=0.05), lambda x, t: bowl.grad(x),
                    check_start, CHECK_STEPS)
nadam_gap = float(np.abs(ours - theirs).max())
out.value("torch_steps", CHECK_STEPS)
out.value("torch_gap", nadam_gap, fmt="{:.1e}", bound="upper")

# %% [markdown]
# ### Adam and NAdam on one bowl
# $f(x) = \tfrac12 x^2$ from $x_0 = 1$, both with torch's $\beta_1, \beta_2$ and the same
# learning rate; a third run is NAdam without the warm-up (a huge `momentum_decay`, so
# $\beta_{1,t} = \beta_1$ from the first step).

# %%
line = gd.quadratic([1.0])
X0 = np.array([1.0])
SLOW_STEPS = 600
TOL = 1e-6
race_lrs = np.array([0.01, 0.03, 0.1, 0.3])
no_warmup = 1e4


def steps_to(points, tol=TOL):
    """First step with |x| < tol (None if never)."""
    hit = np.nonzero(np.abs(points[:, ..., 0]) < tol)[0]
    return int(hit[0]) if hit.size else None


runs = {
    "Adam": gd.run(gd.adam(lr=race_lrs), line, np.broadcast_to(X0, (4, 1)), steps=SLOW_STEPS),
    "NAdam": gd.run(gd.nadam(lr=race_lrs), line, np.broadcast_to(X0, (4, 1)), steps=SLOW_STEPS),
    "NAdam, no warm-up": gd.run(gd.nadam(lr=race_lrs, momentum_decay=no_warmup), line,
                                np.broadcast_to(X0, (4, 1)), steps=SLOW_STEPS),
}
arrivals = {name: [steps_to(r.points[:, i]) for i in range(race_lrs.size)]
            for name, r in runs.items()}
out.table("race", [(f"{lr:g}", *(arrivals[n][i] for n in runs)) for i, lr in
                   enumerate(race_lrs)],
          headers=[r"$\eta$", *(f"{n}: steps" for n in runs)])
out.value("race_tol", TOL, fmt="{:g}")
FOCUS = 2  # η = 0.1, the figure's run
out.value("focus_lr", race_lrs[FOCUS], fmt="{:g}")
overshoot = {n: -float(r.points[:, FOCUS, 0].min()) for n, r in runs.items()}
out.value("overshoot_adam", overshoot["Adam"], fmt="{:.3f}")
out.value("overshoot_nadam", overshoot["NAdam"], fmt="{:.3f}")
out.value("overshoot_nowarm", overshoot["NAdam, no warm-up"], fmt="{:.3f}")
out.value("arrive_adam", arrivals["Adam"][FOCUS])
out.value("arrive_nadam", arrivals["NAdam"][FOCUS])
out.value("slow_lr", race_lrs[0], fmt="{:g}")

fig, ax = gd.figure()
steps = np.arange(SLOW_STEPS + 1)
styles = {"Adam": (gd.COLORS["blue"], "-"), "NAdam": (gd.COLORS["orange"], "-"),
          "NAdam, no warm-up": (gd.COLORS["green"], "--")}
shown = 260
for name, r in runs.items():
    color, ls = styles[name]
    x = np.abs(r.points[:shown, FOCUS, 0])
    ax.semilogy(steps[:shown], np.maximum(x, 1e-17), ls, color=color, lw=1.6)
    last = int(np.nonzero(x > 1e-16)[0][-1]) if name != "Adam" else shown - 1
    ax.annotate(name, (steps[last], max(x[last], 1e-16)), xytext=(4, 0),
                textcoords="offset points", color=color, fontsize=11, va="center")
ax.axhline(TOL, color=gd.COLORS["grey"], ls=":", lw=1)
ax.set(xlabel="step $t$", ylabel=r"distance to the minimum $|x_t|$",
       xlim=(0, shown * 1.28), ylim=(1e-17, 3),
       title=rf"$f = x^2/2$, $\eta = {race_lrs[FOCUS]:g}$, $\beta_1 = {B1:g}$")
out.figure(fig, "adam_vs_nadam", caption=(
    f"At η = {race_lrs[FOCUS]:g} NAdam overshoots the minimum by {overshoot['NAdam']:.3f} where "
    f"Adam overshoots by {overshoot['Adam']:.3f}, and reaches 10⁻⁶ in "
    f"{arrivals['NAdam'][FOCUS]} steps instead of {arrivals['Adam'][FOCUS]}. Without the "
    f"warm-up NAdam overshoots by {overshoot['NAdam, no warm-up']:.3f}."),
    alt=(
    "Distance to the minimum on a log axis against the step, for Adam, NAdam and NAdam "
    f"without its momentum warm-up on f = x squared over 2 at learning rate {race_lrs[FOCUS]:g}. "
    f"Adam swings past the minimum by {overshoot['Adam']:.3f} and needs "
    f"{arrivals['Adam'][FOCUS]} steps to get within one millionth; NAdam overshoots by "
    f"{overshoot['NAdam']:.3f} and gets there in {arrivals['NAdam'][FOCUS]} steps."))

# %% [markdown]
# ## AMSGrad and Reddi et al.'s counterexample
# Reddi, Kale & Kumar (2018, Section 3): on $\mathcal F = [-1, 1]$ the online losses are
# $f_t(x) = Kx$ when $t \bmod 3 = 1$ and $f_t(x) = -x$ otherwise, with $K > 2$. Over every
# three steps the losses add up to $(K-2)x$, so $x = -1$ is best. Adam with $\beta_1 = 0$,
# $\beta_2 = 1/(1+K^2)$ and step sizes $\eta_t = \eta/\sqrt t$ goes to $x = +1$. Each step is
# projected back onto $[-1, 1]$ (`np.clip`), as online learning does.

# %%
KS = (3.0, 5.0)
T = 900
X_START = 1.0
ETA_SHARE = 0.5  # η = ETA_SHARE · √(1 - β₂)


def reddi_gradient(t, K):
    return K if t % 3 == 1 else -1.0


def run_online(step, K):
    """Iterates x_1..x_{T+1} of an online method; ``step(x, g, t) -> x``, then projected."""
    xs = [X_START]
    for t in range(1, T + 1):
        xs.append(float(np.clip(step(xs[-1], reddi_gradient(t, K), t), -1.0, 1.0)))
    return np.array(xs)


def with_optimizer(opt):
    """A gdnotes optimizer as an online step (its state carried between calls)."""
    state = {"s": opt.init(np.array([X_START]))}

    def step(x, g, t):
        new, state["s"] = opt.update(state["s"], np.array([x]), np.array([g]), None)
        return new[0]

    return step


def amsgrad_paper(eta0, beta2, eps=1e-8):
    """Reddi et al.'s AMSGrad with β₁ = 0: v̂_t = max(v̂_{t-1}, v_t), no bias correction."""
    moments = {"v": 0.0, "vmax": 0.0}

    def step(x, g, t):
        moments["v"] = beta2 * moments["v"] + (1 - beta2) * g * g
        moments["vmax"] = max(moments["vmax"], moments["v"])
        return x - eta0 / np.sqrt(t) * g / (np.sqrt(moments["vmax"]) + eps)

    return step


def average_regret(xs, K):
    """R_T / T with R_T = Σ f_t(x_t) - min_x Σ f_t(x) (the minimum is at x = -1)."""
    g = np.array([reddi_gradient(t, K) for t in range(1, T + 1)])
    return float(np.sum(g * (xs[:-1] + 1.0)) / T)


reddi = {}
for K in KS:
    beta2 = 1 / (1 + K * K)
    eta0 = ETA_SHARE * np.sqrt(1 - beta2)  # the theorem needs η < √(1 - β₂)

    def lr(t, eta0=eta0):  # gdnotes' schedules take the 0-based step
        return eta0 / np.sqrt(t + 1)

    reddi[K] = {
        "Adam": run_online(with_optimizer(gd.adam(lr=lr, betas=(0.0, beta2))), K),
        "AMSGrad (torch)": run_online(
            with_optimizer(gd.adam(lr=lr, betas=(0.0, beta2), amsgrad=True)), K),
        "AMSGrad (paper)": run_online(amsgrad_paper(eta0, beta2), K),
        "Adam, torch's betas": run_online(with_optimizer(gd.adam(lr=lr)), K),
    }
names = list(reddi[KS[0]])
out.table("reddi", [(f"{K:g}", *(f"{reddi[K][n][-1]:+.3f}" for n in names)) for K in KS],
          headers=["$K$", *(f"{n}: $x_{{T+1}}$" for n in names)])
out.table("reddi_regret", [(f"{K:g}", *(f"{average_regret(reddi[K][n], K):.3f}" for n in names[:2]),
                            f"{2 * (K - 2) / 3:.3f}") for K in KS],
          headers=["$K$", r"Adam: $R_T/T$", r"AMSGrad (torch): $R_T/T$",
                   r"at $x = +1$: $2(K-2)/3$"])
out.value("reddi_steps", T, fmt="{:,}")
out.value("reddi_c1", KS[0], fmt="{:g}")
out.value("reddi_c2", KS[1], fmt="{:g}")
out.value("reddi_start", X_START, fmt="{:+g}")
out.value("adam_regret_c1", average_regret(reddi[KS[0]]["Adam"], KS[0]), fmt="{:.3f}")
out.value("ams_regret_c1", average_regret(reddi[KS[0]]["AMSGrad (torch)"], KS[0]), fmt="{:.3f}")
out.value("ams_forms_gap", max(float(np.abs(reddi[K]["AMSGrad (torch)"]
                                             - reddi[K]["AMSGrad (paper)"]).max()) for K in KS),
          fmt="{:.1e}", bound="upper")
out.value("reddi_eta_share", ETA_SHARE, fmt="{:g}")
out.value("beta2_c1", 1 / (1 + KS[0] ** 2), fmt="{:g}")

fig, ax = gd.figure()
K = KS[0]
t_axis = np.arange(1, T + 2)
labels = {"Adam": (T, 1.08, "right"), "AMSGrad (torch)": (160, -0.35, "left"),
          "Adam, torch's betas": (60, -1.17, "left")}  # each next to its own curve
for name, color in [("Adam", gd.COLORS["blue"]), ("AMSGrad (torch)", gd.COLORS["orange"]),
                    ("Adam, torch's betas", gd.COLORS["green"])]:
    ax.plot(t_axis, reddi[K][name], color=color, lw=1.2)
    x_text, y_text, align = labels[name]
    ax.text(x_text, y_text, name, ha=align, va="center", color=color, fontsize=11)
ax.axhline(-1, color=gd.COLORS["grey"], ls=":", lw=1)
ax.set(xlabel="step $t$", ylabel="$x_t$", ylim=(-1.25, 1.25),
       title=rf"Reddi et al.'s problem, $K = {K:g}$: best point $x = -1$")
out.figure(fig, "reddi_run", caption=(
    "With β₁ = 0 and β₂ = 1/(1+K²) Adam settles at x = +1, the worst point, while AMSGrad "
    "approaches the best point x = −1. With torch's default betas Adam finds x = −1 too."),
    alt=(
    f"The iterate x_t against the step for K = {K:g} over {T} steps, starting at +1. Adam "
    "with beta_1 = 0 and beta_2 = 1/(1+K^2) stays near +1 throughout; AMSGrad drops to -1 "
    "within the first few hundred steps and stays near it; Adam with torch's default betas "
    "also goes to -1."))

# %% [markdown]
# ## Conventions, each checked by running both forms
# ### SGD's dampening: not applied to the first step
# torch's buffer is $u_1 = g_1$, then $u_t = \beta u_{t-1} + (1-\tau) g_t$. With $\tau = \beta$
# the buffer is an average of past gradients, except at $t = 1$.

# %%
BETA = 0.9



def constant_gradient(x, t):
    return np.ones_like(x)


DAMP_STEPS = 30
sgd_steps = {}
for tau in (BETA, 0.0):
    path = torch_path(lambda p, tau=tau: torch.optim.SGD([p], lr=1.0, momentum=BETA,
                                                          dampening=tau),
                      constant_gradient, [0.0], DAMP_STEPS)
    sgd_steps[tau] = -np.diff(path[:, 0])
out.value("damp_beta", BETA, fmt="{:g}")
out.value("damp_steps", DAMP_STEPS)
out.value("damp_max_error", float(np.abs(sgd_steps[BETA] - 1).max()), fmt="{:g}")
out.value("undamped_last", sgd_steps[0.0][-1], fmt="{:.3f}")
out.value("undamped_limit", 1 / (1 - BETA), fmt="{:g}")

# %% [markdown]
# ### Nesterov: torch's form is Sutskever's at the look-ahead point
# Sutskever et al. (2013), velocity $\nu$: $\nu_{t+1} = \beta\nu_t - \eta\nabla f(\theta_t + \beta\nu_t)$,
# $\theta_{t+1} = \theta_t + \nu_{t+1}$. With $\phi_t = \theta_t + \beta\nu_t$ and $\nu = -\eta u$
# this is torch's `SGD(nesterov=True)`; we compare torch's iterates with $\phi_t$.

# %%
NEST_STEPS, NEST_LR = 100, 0.1
torch_nesterov = torch_path(
    lambda p: torch.optim.SGD([p], lr=NEST_LR, momentum=BETA, nesterov=True),
    lambda x, t: bowl.grad(x), check_start, NEST_STEPS)
theta, v, lookahead = check_start.copy(), np.zeros(2), [check_start.copy()]
for _ in range(NEST_STEPS):
    v = BETA * v - NEST_LR * bowl.grad(theta + BETA * v)
    theta = theta + v
    lookahead.append(theta + BETA * v)
nesterov_gap = float(np.abs(torch_nesterov - np.array(lookahead)).max())
theta_gap = float(np.abs(torch_nesterov[-1] - theta).max())
out.value("nest_steps", NEST_STEPS)
out.value("nest_gap", nesterov_gap, fmt="{:.1e}", bound="upper")
out.value("nest_theta_gap", theta_gap, fmt="{:.1e}", bound="lower")

# %% [markdown]
# ### Keras puts the learning rate inside the velocity
# Keras documents `velocity = momentum * velocity - learning_rate * g`, `w = w + velocity`.
# At a constant learning rate that is torch's heavy ball with `velocity` $= -\eta u$; when
# the learning rate changes, the old velocity keeps the old rate.

# %%
DROP_AT, LR_HIGH, LR_LOW, KERAS_STEPS = 20, 0.1, 0.01, 40


def keras_momentum(rates, start):
    w, velocity, path = start.copy(), np.zeros_like(start), [start.copy()]
    for rate in rates:
        velocity = BETA * velocity - rate * bowl.grad(w)
        w = w + velocity
        path.append(w.copy())
    return np.array(path)


def torch_momentum(rates, start):
    p = torch.tensor(start, requires_grad=True)
    opt = torch.optim.SGD([p], lr=rates[0], momentum=BETA)
    path = [start.copy()]
    for rate in rates:
        opt.param_groups[0]["lr"] = rate
        opt.zero_grad()
        p.grad = torch.from_numpy(bowl.grad(p.detach().numpy()))
        opt.step()
        path.append(p.detach().numpy().copy())
    return np.array(path)


constant = np.full(KERAS_STEPS, LR_HIGH)
dropped = np.where(np.arange(KERAS_STEPS) < DROP_AT, LR_HIGH, LR_LOW)
keras_gap_constant = float(np.abs(keras_momentum(constant, check_start)
                                  - torch_momentum(constant, check_start)).max())
keras_after = keras_momentum(dropped, check_start)
torch_after = torch_momentum(dropped, check_start)
first_after = DROP_AT + 1  # the first iterate computed with the low rate
step_keras = np.linalg.norm(keras_after[first_after] - keras_after[DROP_AT])
step_torch = np.linalg.norm(torch_after[first_after] - torch_after[DROP_AT])
out.value("keras_gap_constant", keras_gap_constant, fmt="{:.1e}", bound="upper")
out.value("keras_drop_at", DROP_AT)
out.value("keras_lr_high", LR_HIGH, fmt="{:g}")
out.value("keras_lr_low", LR_LOW, fmt="{:g}")
out.value("keras_step_ratio", step_keras / step_torch, fmt="{:.1f}")

# %% [markdown]
# ### ε inside or outside the square root
# torch's Adam and RMSprop divide by $\sqrt{\hat v} + \epsilon$; its Adadelta, and optax's
# `eps_root`, use $\sqrt{v + \epsilon}$. Same ε, one tiny gradient, Adam's first step:

# %%
EPS, TINY, LR = 1e-8, 1e-6, 1e-3
g = np.array([TINY])
outside = -gd.adam(lr=LR, eps=EPS).update(gd.adam(lr=LR).init(np.zeros(1)), np.zeros(1), g)[0][0]
v_hat = TINY**2  # v̂₁ = g₁² after bias correction
inside = LR * TINY / np.sqrt(v_hat + EPS)
out.value("eps", EPS, fmt="{:g}")
out.value("eps_grad", TINY, fmt="{:g}")
out.value("eps_lr", LR, fmt="{:g}")
out.value("eps_outside", outside / LR, fmt="{:.3f}")
out.value("eps_inside", inside / LR, fmt="{:.4f}")
out.value("eps_ratio", outside / inside, fmt="{:.0f}")
# Keras: ε̂ is added to √v before bias correction, so it acts as ε̂/√(1-β₂ᵗ) in torch's form.
KERAS_EPS = 1e-7
out.value("keras_eps", KERAS_EPS, fmt="{:g}")
out.value("keras_eps_t1", KERAS_EPS / np.sqrt(1 - B2), fmt="{:.2g}")

# %% [markdown]
# ### Where AdamW's decay goes
# torch (and optax's `adamw`, whose chain ends with the learning-rate scaling) multiplies the
# decay by the learning rate: one step with a zero gradient multiplies θ by $1 - \eta\omega$.

# %%
W_LR, W_DECAY = 1e-3, 1e-2
p = torch.tensor([1.0], requires_grad=True)
adamw = torch.optim.AdamW([p], lr=W_LR, weight_decay=W_DECAY)
p.grad = torch.zeros(1)
adamw.step()
out.value("adamw_lr", W_LR, fmt="{:g}")
out.value("adamw_decay", W_DECAY, fmt="{:g}")
out.value("adamw_factor", float(p.detach()[0]), fmt="{:.5f}")
out.value("adamw_paper_factor", 1 - W_DECAY, fmt="{:.5f}")

# %% [markdown]
# ### Adadelta's learning rate
# Zeiler's Adadelta has no learning rate; torch multiplies its step by `lr` (default 1.0), so
# at `lr=1` it is the paper's Algorithm 1. Checked on the bowl:

# %%
RHO, ADA_EPS, ADA_STEPS = 0.9, 1e-6, 100
torch_adadelta = torch_path(lambda p: torch.optim.Adadelta([p], lr=1.0, rho=RHO, eps=ADA_EPS),
                            lambda x, t: bowl.grad(x), check_start, ADA_STEPS)
x, eg2, edx2, zeiler = check_start.copy(), np.zeros(2), np.zeros(2), [check_start.copy()]
for _ in range(ADA_STEPS):
    grad = bowl.grad(x)
    eg2 = RHO * eg2 + (1 - RHO) * grad**2
    dx = -np.sqrt(edx2 + ADA_EPS) / np.sqrt(eg2 + ADA_EPS) * grad
    edx2 = RHO * edx2 + (1 - RHO) * dx**2
    x = x + dx
    zeiler.append(x.copy())
out.value("adadelta_gap", float(np.abs(torch_adadelta - np.array(zeiler)).max()),
          fmt="{:.1e}", bound="upper")
out.value("adadelta_steps", ADA_STEPS)
torch_default_lr = inspect.signature(torch.optim.Adadelta).parameters["lr"].default
out.value("adadelta_torch_lr", torch_default_lr, fmt="{:g}")

# %% [markdown]
# ## Exercises (docs/nadam-amsgrad.md)

# %%
out.value("ex_mu_2", nadam_momentum(2), fmt="{:.4f}")
out.value("ex_first_step_ratio",
          1 + nadam_momentum(2) * (1 - B1) / (1 - nadam_momentum(1) * nadam_momentum(2)),
          fmt="{:.4f}")
out.value("ex_c", 4.0, fmt="{:g}")
out.value("ex_regret", 2 * (4.0 - 2) / 3, fmt="{:.4f}")
