# %% [markdown]
# # The site's notation
#
# One symbol per meaning across every page. The table is generated from `gd.notation.SYMBOLS`,
# the single list the tests check the pages against.

# %%
import gdnotes as gd

out = gd.Outputs("notation")
out.table("symbols", gd.notation.rows(), headers=list(gd.notation.HEADERS))
out.value("count", len(gd.notation.SYMBOLS))
