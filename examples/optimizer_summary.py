# %% [markdown]
# # The optimizer summary table
#
# Every optimizer in gdnotes carries its own update equations, the state it keeps per
# parameter and the `torch.optim` class it matches; its constructor's signature carries the
# hyperparameters and their defaults (torch's). `gd.summary_rows` reads all of that from the
# registry `gd.OPTIMIZERS`, so this table is regenerated from the code on every build.

# %%
import gdnotes as gd

out = gd.Outputs("optimizer_summary")
rows = gd.summary_rows()
out.table("summary", rows, headers=list(gd.SUMMARY_HEADERS))
out.table("equations", gd.update_equations())  # ready-made Markdown: one block per method
out.value("count", len(rows))
out.value("registry", ", ".join(f"`{name}`" for name in gd.OPTIMIZERS))
print(f"{len(rows)} rows from {len(gd.OPTIMIZERS)} registered optimizers")

# %% [markdown]
# ## Exercises (docs/which-optimizer.md)
# What each first-order method keeps per parameter (counted in its state, not read from the
# table), how far Adam's first step moves on a steep and on a flat parabola, and heavy ball's
# stability limit at $\beta = 0.9$.

# %%
import numpy as np  # noqa: E402 (the exercises' cell)

# --8<-- [start:state_floats]
params = np.zeros(1000)
kept = {}
for name in ["sgd", "adagrad", "rmsprop", "adam"]:
    state = gd.get_optimizer(name, lr=0.1).init(params)
    kept[name] = gd.floats_in(state) / params.size  # floats per parameter
kept["sgd, momentum=0.9"] = gd.floats_in(gd.sgd(lr=0.1, momentum=0.9).init(params)) / params.size
# --8<-- [end:state_floats]
with out.capture("ex_state_floats"):
    for name, floats in kept.items():
        print(f"{name:18} keeps {floats:g} float(s) per parameter")
out.value("ex_adam_gb", kept["adam"] * 1e9 * 4 / 1e9, fmt="{:g}")  # 10^9 float32 weights

first_steps = {}
for scale in (1000.0, 0.001):  # f(x) = scale * x^2 from x = 1
    optimizer = gd.adam(lr=0.01)
    x = np.array([1.0])
    moved, _ = optimizer.update(optimizer.init(x), x, 2 * scale * x)
    first_steps[scale] = abs(float(moved[0] - x[0]))
out.value("ex_adam_step_steep", first_steps[1000.0], fmt="{:.6f}")
out.value("ex_adam_step_flat", first_steps[0.001], fmt="{:.6f}")
out.value("ex_hb_limit", 2 * (1 + 0.9), fmt="{:g}")
