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
