"""The build pipeline behind the site: run examples once, cache their outputs, render them as pages.

Modules: `script` (read a jupytext percent script into cells), `executor` (run those cells in one
child process), `zygote` and `pool` (fork those children from a pre-warmed process), `cache`
(content-addressed, atomic cache entries), `runner` (parallel runs with progress), `notebook`
(the executed .ipynb), `macros` (`{{ figure: ex/name }}` & co.), `pages` (the examples gallery),
`apiref` (the API reference page) and `mathjax` (MathJax served from the pinned wheel).
`gdnotes.mkdocs_plugin` glues them into mkdocs.
"""
