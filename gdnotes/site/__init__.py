"""The site build: the mkdocs plugin and the pipeline behind it. Not needed to use the library.

Run examples once, cache their outputs, render them as pages. Modules: `plugin` (the mkdocs
plugin that glues the rest together), `script` (read a jupytext percent script into cells),
`executor` (run those cells in one child process), `zygote` and `pool` (fork those children from a
pre-warmed process), `cache` (content-addressed, atomic cache entries), `runner` (parallel runs
with progress), `notebook` (the executed .ipynb), `macros` (`{{ figure: ex/name }}` & co.),
`pages` (the examples gallery), `apiref` (the API reference page), `mathml` (TeX rendered to
MathML during the build), `searchtext` (what the search index holds), `tables` (tables laid out in
the HTML) and `thumbnails` (the gallery's small images). Needs the `site` extra (`pip install gdnotes[site]`); `import gdnotes`
never imports this package.
"""
