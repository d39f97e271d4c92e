# %% [markdown]
# # The optimizer race
#
# Eight optimizers, one start, three landscapes: Rosenbrock's curved valley, Beale's flat
# plains and sharp ridges, and the saddle $x^2 - y^2$. A race is only fair if everyone is
# tuned, so on Rosenbrock and Beale each optimizer gets the best learning rate from the same
# log grid (one batched `gd.run` per optimizer and landscape, `gd.race`); every other
# hyperparameter is torch's default, with momentum {{ value: optimizer_race/momentum }} for the
# two momentum methods (the line-up is `gd.racing.LINEUP`).

# %%
import numpy as np

import gdnotes as gd

out = gd.Outputs("optimizer_race")

MAKERS = gd.racing.LINEUP  # name -> (lr -> optimizer)
STYLE = {
    "GD": ("black", "-"), "momentum": ("orange", "-"), "Nesterov": ("red", "--"),
    "AdaGrad": ("sky", "-"), "RMSprop": ("green", "-"), "Adadelta": ("purple", "-"),
    "Adam": ("blue", "-"), "AdamW": ("grey", "--"),
}
LRS = np.geomspace(1e-4, 3.0, 14)
THRESHOLD = 1e-2
HOLD = 50  # must stay at the goal this many steps: fly-bys do not count
SADDLE_LR = 0.01  # the same for everyone on the saddle
ESCAPE = -1.0  # the saddle race's goal: f <= ESCAPE
TAIL, NUDGE = 100, 1e-12  # quoted: the last TAIL steps, only if the same from x0·(1 ± NUDGE)

# %% [markdown]
# ## The three races
# Goal on Rosenbrock and Beale: come within {{ value: optimizer_race/threshold }} of the
# minimiser. The saddle has no minimum; the goal there is to *escape* it,
# $f \le {{ value: optimizer_race/escape }}$, from a start just off the ridge line $y = 0$ that
# leads into the saddle point. There a larger step always escapes sooner, so tuning would only
# measure the top of the grid: instead every method gets the same
# $\eta = {{ value: optimizer_race/saddle_lr }}$, and the race shows how each update rule
# reacts to a tiny gradient.

# %%
RACES = {
    "rosenbrock": dict(objective=gd.rosenbrock(), x0=np.array([-1.2, 1.0]), steps=2000,
                       lrs=LRS, view=((-2.0, 2.0), (-1.0, 3.0))),
    "beale": dict(objective=gd.beale(), x0=np.array([1.0, 1.5]), steps=1000, lrs=LRS,
                  view=((-1.0, 4.5), (-1.5, 2.5))),
    "saddle": dict(objective=gd.saddle(), x0=np.array([1.0, 1e-3]), steps=600,
                   lrs=np.array([SADDLE_LR]), view=((-1.5, 1.5), (-1.5, 1.5))),
}
results = {}
for key, spec in RACES.items():
    objective = spec["objective"]
    if objective.minimizers.size:
        goal = gd.near_minimizer(objective, THRESHOLD)
    else:
        goal = lambda points, objective=objective: objective.value(points) <= ESCAPE  # noqa: E731
    results[key] = gd.race(MAKERS, objective, spec["x0"], spec["steps"], goal, spec["lrs"],
                           hold=HOLD, nudge=NUDGE)

# %% [markdown]
# ## Where each run ends, robustly
# The runs that do not settle (Adam on Rosenbrock, RMSprop) move chaotically: their last
# point changes completely when the start moves by one part in $10^{12}$. So the table shows
# the range of the distance to the minimiser over the last {{ value: optimizer_race/tail }}
# steps, rounded outwards to one digit, and only if that text is the same for the starts
# $x_0(1 \pm 10^{-12})$; otherwise it falls back to powers of ten that bracket the range.

# %%
def distance_range(entry, objective) -> str:
    """The last TAIL steps' distances to the minimiser, as text that survives a nudged start:
    one digit rounded outwards if all three starts agree on it, else bracketing powers of ten."""
    tails = [np.linalg.norm(path[-TAIL:] - objective.minimizers[0], axis=-1)
             for path in (entry.path, *entry.nudged)]

    def digits(d):
        lo, hi = max(d.min(), 1e-12), max(d.max(), 1e-12)
        return (f"{gd.format_bound(lo, '{:.0e}', 'lower')} to "
                f"{gd.format_bound(hi, '{:.0e}', 'upper')}")

    def decades(d):
        lo, hi = max(d.min(), 1e-12), max(d.max(), 1e-12)
        return f"{10.0 ** np.floor(np.log10(lo)):.0e} to {10.0 ** np.ceil(np.log10(hi)):.0e}"

    if all(d.max() <= 1e-12 for d in tails):
        return "below 1e-12"
    for shown in (digits, decades):
        texts = {shown(d) for d in tails}
        if len(texts) == 1:
            return texts.pop()
    return "not robust to a nudge"  # say so rather than quote a number


for key, spec in RACES.items():
    objective = spec["objective"]
    rows = []
    for entry in results[key]:
        end = entry.path[-1]
        where = (distance_range(entry, objective)
                 if objective.minimizers.size else f"{float(objective.value(end)):.3g}")
        result = gd.outcome(entry)
        if key == "saddle":
            result = result.replace("did not converge", "did not escape")
        rows.append((entry.name, f"{entry.lr:.2g}", result, where))
        out.value(f"{key}_{entry.name.lower()}", result)
    last = (f"distance to the minimiser, last {TAIL} steps" if objective.minimizers.size
            else "f at the end")
    goal_text = (f"steps to escape (f ≤ {ESCAPE:g})" if key == "saddle"
                 else f"steps to {THRESHOLD:g}")
    out.table(f"steps_{key}", rows, headers=["optimizer", "learning rate", goal_text, last])
    # -- issue 15: each racer's tuned learning rate to the last bit, where the explorer starts --
    out.value(f"{key}_lrs", " ".join(f"{entry.lr:.17g}" for entry in results[key]))
out.value("lr_grid", f"{LRS.size} values from {LRS[0]:g} to {LRS[-1]:g}, evenly spaced in log")
out.value("threshold", THRESHOLD, fmt="{:g}")
out.value("hold", HOLD)
for key, spec in RACES.items():
    out.value(f"{key}_steps", spec["steps"])
    # the explorer beside the race figures starts from here (space-separated numbers)
    out.value(f"{key}_x0_data", " ".join(repr(float(v)) for v in spec["x0"]))
    out.value(f"{key}_xlim_data", " ".join(repr(float(v)) for v in spec["view"][0]))
    out.value(f"{key}_ylim_data", " ".join(repr(float(v)) for v in spec["view"][1]))
    out.value(f"{key}_x0", "$({:g}, {:g})$".format(*spec["x0"]))
    if spec["objective"].minimizers.size:
        out.value(f"{key}_minimiser", "$({:g}, {:g})$".format(*spec["objective"].minimizers[0]))
rosenbrock = RACES["rosenbrock"]["objective"]
curvatures = np.linalg.eigvalsh(rosenbrock.hessian(rosenbrock.minimizers[0]))
out.value("rosenbrock_kappa", curvatures[-1] / curvatures[0], fmt="{:.0f}")
out.value("momentum", gd.racing.RACE_MOMENTUM, fmt="{:g}")
out.value("tail", TAIL)
adam_hp, rms_hp, delta_hp = (MAKERS[k](1.0).hyperparams for k in ("Adam", "RMSprop", "Adadelta"))
out.value("defaults", (
    f"Adam/AdamW $\\beta = ({adam_hp['betas'][0]:g}, {adam_hp['betas'][1]:g})$, "
    f"$\\epsilon = {adam_hp['eps']:g}$; AdamW weight decay "
    f"$\\omega = {MAKERS['AdamW'](1.0).hyperparams['weight_decay']:g}$; "
    f"RMSprop $\\alpha = {rms_hp['alpha']:g}$; Adadelta $\\rho = {delta_hp['rho']:g}$"))
adamw_decay = MAKERS["AdamW"](1.0).hyperparams["weight_decay"]  # torch's default
out.value("adamw_decay", adamw_decay, fmt="{:g}")
out.value("adamw_box", 1 / adamw_decay, fmt="{:g}")
out.value("momentum_gain", 1 / (1 - gd.racing.RACE_MOMENTUM), fmt="{:.0f}")  # 1/(1 - β)
out.value("rmsprop_first", 1 / np.sqrt(1 - MAKERS["RMSprop"](1.0).hyperparams["alpha"]),
          fmt="{:.0f}")  # RMSprop's first step, in units of η: 1/√(1 - α)
out.value("escape", ESCAPE, fmt="{:g}")
# GD on x² - y²: y grows by (1 + 2η) per step, from y₀ to about 1
saddle_y0 = RACES["saddle"]["x0"][1]
out.value("saddle_lr", SADDLE_LR, fmt="{:g}")
out.value("saddle_y0", saddle_y0, fmt="{:g}")
out.value("saddle_growth", 1 + 2 * SADDLE_LR, fmt="{:g}")
out.value("saddle_gd_estimate", np.log(1 / saddle_y0) / np.log(1 + 2 * SADDLE_LR), fmt="{:.0f}")
# Heavy ball along y: y_{k+1} = (1 + β + 2η) y_k - β y_{k-1}, so y grows like the largest root
# of r² - (1 + β + 2η) r + β; a step 1/(1 - β) times larger would grow by 1 + 2η/(1 - β).
beta = gd.racing.RACE_MOMENTUM
root = max(np.roots([1.0, -(1 + beta + 2 * SADDLE_LR), beta]).real)
out.value("hb_poly_b", 1 + beta + 2 * SADDLE_LR, fmt="{:g}")
out.value("hb_root", root, fmt="{:.4f}")
out.value("hb_estimate", np.log(1 / saddle_y0) / np.log(root), fmt="{:.0f}")
out.value("hb_naive_growth", 1 + 2 * SADDLE_LR / (1 - beta), fmt="{:g}")
out.value("hb_naive_estimate", np.log(1 / saddle_y0) / np.log(1 + 2 * SADDLE_LR / (1 - beta)),
          fmt="{:.0f}")
# AdaGrad does escape, much later: one longer run
ADAGRAD_LONG = 5000
long_adagrad = gd.run(MAKERS["AdaGrad"](SADDLE_LR), RACES["saddle"]["objective"],
                      RACES["saddle"]["x0"], steps=ADAGRAD_LONG)
escaped = np.flatnonzero(long_adagrad.values <= ESCAPE)
out.value("adagrad_long_escape", int(escaped[0]) if escaped.size else f"more than {ADAGRAD_LONG}")


# %% [markdown]
# ## The GIFs
# Frame $k$ shows every path up to the same step; steps grow geometrically from frame to
# frame (time is log-spaced, and the frame says so) so that both the first moves and the end
# game are visible. Each runner carries its name at its head, in its colour, instead of a
# legend: labels that would overlap are pushed apart vertically.

# %%
FRAMES = 40
LABEL_LEADING = 1.15  # name tags stack at least this many text heights apart


def spread(ys, gap):
    """Positions as close to ``ys`` as possible, in the same order, at least ``gap`` apart."""
    order = np.argsort(ys)
    placed = np.asarray(ys, dtype=float)[order].copy()
    for i in range(1, placed.size):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    shift = (placed - np.asarray(ys, dtype=float)[order]).mean()  # re-centre the stack
    out = np.empty_like(placed)
    out[order] = placed - max(shift, 0) / 2
    return out


def place_tags(ax, tags, heads_xy):
    """Put each name tag just right of its runner's head (left of it near the right edge);
    a runner outside the view (diverged, say) shows no tag."""
    to_px, to_data = ax.transData, ax.transData.inverted()
    with np.errstate(invalid="ignore", over="ignore"):
        px = to_px.transform(np.nan_to_num(heads_xy, nan=np.inf))
    box = ax.bbox
    inside = (np.isfinite(px).all(axis=1) & (px[:, 0] >= box.x0) & (px[:, 0] <= box.x1)
              & (px[:, 1] >= box.y0) & (px[:, 1] <= box.y1))
    ys = np.full(len(tags), np.nan)
    if inside.any():
        gap = LABEL_LEADING * tags[0].get_fontsize() * ax.figure.dpi / 72
        ys[inside] = spread(px[inside, 1], gap)
    for tag, (x, _), y, shown in zip(tags, px, ys, inside, strict=True):
        tag.set_visible(bool(shown))
        if shown:
            left = x < box.x1 - 60
            # at whole pixels: a tag that only moved is drawn from the glyphs it had before
            tag.set_position(to_data.transform((round(x) + (6 if left else -6), round(y))))
            tag.set_horizontalalignment("left" if left else "right")


def draw_race(key: str):
    spec, entries = RACES[key], results[key]
    objective = spec["objective"]
    (x_lo, x_hi), (y_lo, y_hi) = spec["view"]
    fig, ax = gd.figure(figsize=(5.4, 4.6))
    # light grey, not anti-aliased: few colours, so the GIF palette keeps the paths' colours
    lines_style = dict(cmap=None, colors="#bbbbbb", linewidths=0.6, antialiased=False)
    if objective.minimizers.size:  # level sets spaced evenly in log f: the valley floors show
        z = objective.grid(200, spec["view"])[2]
        levels = np.geomspace(max(z.min(), 1e-3), z.max(), 14)
        gd.contour(ax, objective, spec["view"], levels=levels, **lines_style)
        ax.plot(*objective.minimizers[0], "x", ms=9, mew=2, color=gd.COLORS["black"])
    else:
        gd.contour(ax, objective, spec["view"], levels=np.linspace(-2, 2, 13), **lines_style)
    gd.mark_start(ax, *spec["x0"], label=None, ms=11)
    lines, heads, tags = [], [], []
    for entry in entries:
        color, dash = STYLE[entry.name]
        (line,) = ax.plot([], [], dash, lw=1.8, color=gd.COLORS[color])
        (head,) = ax.plot([], [], "o", ms=5, color=gd.COLORS[color])
        tag = ax.text(0, 0, entry.name, color=gd.COLORS[color], va="center",
                      fontweight="bold", clip_on=True,
                      bbox=dict(facecolor="white", edgecolor="none", alpha=0.75, pad=0.5))
        lines.append(line)
        heads.append(head)
        tags.append(tag)
    ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="$x$", ylabel="$y$",
           title=f"{objective.name}, {spec['steps']} steps at most")
    label = ax.text(0.97, 0.03, "", transform=ax.transAxes, ha="right", va="bottom",
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.8))
    # Everything but the paths is static: render it once, redraw only the moving artists.
    gd.freeze_background(fig, [*lines, *heads, *tags, label])
    shown = np.unique(np.geomspace(1, spec["steps"], FRAMES).astype(int))
    shown = np.concatenate([shown, np.full(FRAMES - shown.size, spec["steps"])])

    def draw_frame(i):
        step = int(shown[i])
        ends = []
        for entry, line, head in zip(entries, lines, heads, strict=True):
            part = entry.path[: step + 1]
            line.set_data(part[:, 0], part[:, 1])
            head.set_data(part[-1:, 0], part[-1:, 1])
            ends.append(part[-1])
        place_tags(ax, tags, np.array(ends))
        label.set_text(f"step {step} of {spec['steps']} (steps log-spaced)")

    return fig, draw_frame


def point(p) -> str:
    return f"({p[0]:g}, {p[1]:g})"


ALT = {
    "rosenbrock": "Animation on the contours of Rosenbrock's banana-shaped valley: eight optimizers "
                  f"start at {point(RACES['rosenbrock']['x0'])}, drop into the curved valley and "
                  "crawl along it towards the minimum at "
                  f"{point(RACES['rosenbrock']['objective'].minimizers[0])} at very different "
                  "speeds; the table below gives the step at which each arrives.",
    "beale": "Animation on the contours of Beale's function: eight optimizers start at "
             f"{point(RACES['beale']['x0'])} and head for the minimum at "
             f"{point(RACES['beale']['objective'].minimizers[0])} across a flat region, some "
             "directly, some with wide swings.",
    "saddle": "Animation on the contours of the saddle x^2 - y^2: eight optimizers start at "
              f"{point(RACES['saddle']['x0'])}, almost on the line that leads into the saddle "
              "point; all first slide towards the origin, then the adaptive ones peel away along "
              "y quickly while plain gradient descent takes much longer to escape.",
}
# Frames are spaced geometrically in steps, and every caption says so.
CAPTION = {
    "rosenbrock": f"Eight optimizers from {point(RACES['rosenbrock']['x0'])}, frames log-spaced "
                  "in steps (step number at the bottom right): all reach the curved valley "
                  "quickly; the race is along its floor, which is where they differ.",
    "beale": f"Eight optimizers from {point(RACES['beale']['x0'])} towards the minimum at "
             f"{point(RACES['beale']['objective'].minimizers[0])}, frames log-spaced in steps: "
             "the gradient changes by orders of magnitude between the flat plain and the "
             "ridges, which favours methods that normalise their step.",
    "saddle": f"Eight optimizers from {point(RACES['saddle']['x0'])}, almost on the line into "
              "the saddle point, frames log-spaced in steps: all first slide towards the "
              "origin; how soon each peels away along y is the race.",
}
for key in RACES:
    fig, draw_frame = draw_race(key)
    out.gif(fig, draw_frame, frames=FRAMES, name=key, alt=ALT[key], caption=CAPTION[key],
            fps=8)

# %% [markdown]
# ## Exercises (docs/optimizer-race.md)
# Rosenbrock's curvatures at the minimum, the largest step plain gradient descent can take
# there, and the gradient at the start.

# %%
out.value("ex_rosen_lambda_min", curvatures[0], fmt="{:.4f}")
out.value("ex_rosen_max_lr", 2 / curvatures[-1], fmt="{:.6f}")
out.value("ex_rosen_grad_y0", float(rosenbrock.grad(RACES["rosenbrock"]["x0"])[1]), fmt="{:g}")
