"""Fast unit tests of the build pipeline pieces (no mkdocs build)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from gdnotes.site import executor
from gdnotes.site.cache import Cache, example_key, shared_digest
from gdnotes.site.macros import OutputIndex, Reference, references
from gdnotes.site.script import api_names_used, parse_cells, title_of

SCRIPT = """\
# %% [markdown]
# # Title here
# Some prose.

# %%
import gdnotes as gd
x = 1

# %% [markdown]
# More prose.

# %%
y = x + 1
print(y)
"""


def test_cells_keep_their_line_numbers():
    cells = parse_cells(SCRIPT)
    assert [c.kind for c in cells] == ["markdown", "code", "markdown", "code"]
    lines = SCRIPT.splitlines()
    for cell in cells:
        first = cell.source.splitlines()[0]
        raw = lines[cell.first_line - 1]
        assert raw == first or raw == "# " + first
    assert title_of(cells, "fallback") == "Title here"


def test_api_names_follow_the_import_alias():
    source = "import gdnotes as g\nfrom gdnotes import run\ng.sgd(lr=1)\ng.secret\nnp.sgd\n"
    assert api_names_used(source, {"sgd", "run", "adam"}) == ["run", "sgd"]


def _run_executor(tmp_path: Path, source: str) -> tuple[int, dict]:
    script = tmp_path / "ex.py"
    script.write_text(source)
    cells = tmp_path / "cells.json"
    cells.write_text(json.dumps([c.__dict__ for c in parse_cells(source)]))
    result = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, executor.__file__, str(cells), str(script), str(result)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"GDNOTES_OUTPUT_DIR": str(tmp_path / "out"), "PATH": ""},
    )
    return proc.returncode, json.loads(result.read_text())


def test_executor_captures_stdout_per_cell(tmp_path):
    code, result = _run_executor(tmp_path, SCRIPT.replace("import gdnotes as gd\n", ""))
    assert code == 0 and result["ok"]
    printed = [c.get("stdout") for c in result["cells"] if "stdout" in c]
    assert printed == ["", "2\n"]


def test_executor_names_the_failing_script_line(tmp_path):
    source = (
        SCRIPT.replace("import gdnotes as gd\n", "") + "\n# %%\nz = 1\nraise ValueError('boom')\n"
    )
    expected_line = source.splitlines().index("raise ValueError('boom')") + 1
    code, result = _run_executor(tmp_path, source)
    assert code == 1 and not result["ok"]
    assert result["error"]["line"] == expected_line
    assert f'ex.py", line {expected_line}' in result["error"]["traceback"]
    assert "executor.py" not in result["error"]["traceback"]


def _index(tmp_path: Path) -> OutputIndex:
    out = tmp_path / "ex"
    out.mkdir()
    (out / "anim.gif").write_bytes(
        b"GIF89a" + (64).to_bytes(2, "little") + (32).to_bytes(2, "little")
    )
    (out / "anim.png").write_bytes(b"")
    (out / "t.md").write_text("| a |\n|--:|\n| 1 |\n")
    manifest = {
        "outputs": {
            "anim": {
                "file": "anim.gif",
                "kind": "gif",
                "alt": "A dot <moving>",
                "still": "anim.png",
            },
            "t": {"file": "t.md", "kind": "table", "alt": ""},
        },
        "values": {"v": {"text": "0.50", "raw": 0.5}},
    }
    return OutputIndex({"ex": manifest}, {"ex": out}, lambda p: "../" + p, lambda e: f"../ex/{e}/")


def test_gif_figure_has_reduced_motion_still_and_links(tmp_path):
    html = _index(tmp_path).expand("{{ figure: ex/anim }}", problems := [])
    assert not problems
    assert (
        '<source srcset="../figures/ex/anim.png" media="(prefers-reduced-motion: reduce)">' in html
    )
    assert 'alt="A dot &lt;moving&gt;"' in html and 'width="64" height="32"' in html
    assert 'href="../figures/ex/anim.gif"' in html and 'href="../ex/ex/"' in html
    # the player (docs/javascripts/player.js) finds the GIF through its wrapper
    assert '<div class="gd-anim gd-light" data-gif="../figures/ex/anim.gif">' in html


# -- issue 14 layout: thumbnails, search rank, API headings ---------------------------------------
def test_gallery_thumbnail_is_small_cached_and_keeps_the_aspect(tmp_path):
    from PIL import Image

    from gdnotes.site.thumbnails import THUMB_WIDTH, thumbnail

    big = tmp_path / "fig.png"
    Image.new("RGB", (1200, 600), "white").save(big)
    thumb = thumbnail(big, tmp_path / "thumbs")
    assert Image.open(thumb).size == (THUMB_WIDTH, THUMB_WIDTH // 2)
    assert thumb.stat().st_size < big.stat().st_size
    mtime = thumb.stat().st_mtime_ns
    assert thumbnail(big, tmp_path / "thumbs") == thumb and thumb.stat().st_mtime_ns == mtime


def test_example_pages_rank_below_lessons_in_search():
    import yaml

    from gdnotes.site.pages import _FRONT_MATTER, EXAMPLE_SEARCH_BOOST

    assert yaml.safe_load(_FRONT_MATTER.strip().strip("-")) == {
        "search": {"boost": EXAMPLE_SEARCH_BOOST}}
    assert 0 < EXAMPLE_SEARCH_BOOST < 1  # a lesson's boost is 1


def test_only_an_example_pages_title_and_first_paragraph_go_into_search():
    from gdnotes.site.searchtext import example_body_out_of_search

    html = ('<h1 id="t">Title</h1><p>Summary <code>gd.run</code>.</p>'
            '<div class="admonition info">\n<p class="admonition-title">About this example</p></div>'
            '<p>prose</p><ul><li>item</li></ul><figure><img src="a.png"><figcaption>Figure 1.</figcaption>'
            '</figure><h2 id="s">Section</h2><div class="md-typeset__table"><table>\n<tr><td>1</td></tr>'
            '</table></div><h3 id="u">Sub</h3>')
    marked = example_body_out_of_search(html)
    assert marked.startswith('<h1 id="t">Title</h1><p>Summary <code>gd.run</code>.</p><div data-search-exclude')
    for start in ("<p>", "<ul>", "<figcaption>", '<h2 id="s">', "<table>", '<h3 id="u">'):
        assert marked.count(start) == (1 if start == "<p>" else 0), start
    assert marked.count("data-search-exclude") == 9
    assert example_body_out_of_search(marked) == marked  # marking twice changes nothing
    assert example_body_out_of_search("<h1>no paragraph</h1>") == "<h1>no paragraph</h1>"


def test_the_gallery_cards_stay_out_of_search_but_its_other_sections_do_not():
    from gdnotes.site.searchtext import gallery_cards_out_of_search

    html = '<p>Intro</p><h2 id="run-an-example-yourself">Run</h2><h2 id="the-examples">The examples</h2>'
    marked = gallery_cards_out_of_search(html)
    assert marked.count("data-search-exclude") == 1 and '<h2 id="the-examples" data-search-exclude' in marked
    assert gallery_cards_out_of_search(marked) == marked


def test_only_a_docstrings_summary_goes_into_search():
    from gdnotes.site.searchtext import api_details_out_of_search

    html = ('<p>intro</p><div class="doc doc-contents ">\n<p>Summary of run.</p>\n'
            '<div class="arithmatex"><math></math></div>\n<p>Details.</p><ul><li>More.</li></ul>\n'
            '</div><div class="doc doc-object"><div class="doc doc-contents first"><p>Module summary.'
            '</p><p>Its details.</p></div></div><h2 id="next">Next</h2><p>page</p>')
    marked = api_details_out_of_search(html)
    assert marked.count("data-search-exclude") == 4
    assert '<div class="arithmatex" data-search-exclude><math>' in marked
    assert "<p>Summary of run.</p>" in marked and "<p>Module summary.</p>" in marked
    assert marked.startswith("<p>intro</p>") and marked.endswith("<p>page</p>")
    assert api_details_out_of_search(marked) == marked


def test_the_search_index_is_rewritten_as_the_same_json_in_utf8(tmp_path):
    import json

    from gdnotes.site.searchtext import index_as_utf8

    index = tmp_path / "search" / "search_index.json"
    index.parent.mkdir()
    data = {"config": {"lang": ["en"]}, "docs": [{"location": "", "title": "θ ← θ − η∇L",
                                                  "text": "<p>x ≤ 2/L, \"quoted\"</p>"}]}
    index.write_text(json.dumps(data, separators=(",", ":")), encoding="ascii")
    before = index.stat().st_size
    index_as_utf8(tmp_path)
    assert json.loads(index.read_text(encoding="utf-8")) == data
    assert index.stat().st_size < before and "θ" in index.read_text(encoding="utf-8")
    index_as_utf8(tmp_path / "no-site-here")  # a site without search: nothing to do


def test_api_page_has_one_section_per_module_with_distinct_titles():
    from gdnotes.site.apiref import sections
    from gdnotes.site.script import public_names

    package = Path(__file__).resolve().parents[1] / "gdnotes"
    found = sections(package, public_names(package / "__init__.py"))
    titles = [title for _, title, _ in found]
    modules = [module for module, _, _ in found]
    assert len(set(titles)) == len(titles) and len(set(modules)) == len(modules), titles


def test_table_and_value_and_indentation(tmp_path):
    md = _index(tmp_path).expand(
        "!!! note\n    {{ table: ex/t }}\n\nx = {{ value: ex/v }}", p := []
    )
    assert not p
    assert "    | a |\n    |--:|\n    | 1 |" in md and "x = 0.50" in md


def test_unknown_references_are_reported_not_expanded(tmp_path):
    problems = []
    md = "{{ figure: ex/nope }} {{ value: other/x }} {{ table: ex/anim }}\n```\n{{ value: ex/v }}\n```\n"
    out = _index(tmp_path).expand(md, problems)
    assert len(problems) == 3
    messages = [message for _, message in problems]
    assert "recorded no figure 'nope'" in messages[0] and "anim" in messages[0]
    assert "no example named 'other'" in messages[1]
    assert "is a gif, not a table" in messages[2]
    assert [str(ref) for ref, _ in problems][0] == "{{ figure: ex/nope }}"
    assert "```\n{{ value: ex/v }}\n```" in out  # fenced code is left alone
    assert references(md) == [
        Reference("figure", "ex", "nope"),
        Reference("value", "other", "x"),
        Reference("table", "ex", "anim"),
    ]


def test_cache_commit_is_atomic_and_keys_follow_content(tmp_path):
    examples = tmp_path / "examples"
    examples.mkdir()
    script = examples / "a.py"
    script.write_text("x = 1\n")
    shared = shared_digest(tmp_path, examples)
    key = example_key(script, shared)
    cache = Cache(tmp_path / "cache")
    assert cache.lookup("a", key) is None
    work = cache.new_workdir("a")
    (work / "file").write_text("data")
    assert cache.lookup("a", key) is None  # not visible before the commit
    entry = cache.commit("a", key, work)
    assert cache.lookup("a", key) == entry and (entry / "file").read_text() == "data"
    assert not any((tmp_path / "cache" / "tmp").iterdir())
    script.write_text("x = 2\n")
    assert example_key(script, shared) != key
    (examples / "_helper.py").write_text("")
    assert shared_digest(tmp_path, examples) != shared


def test_text_macro_is_a_text_block(tmp_path):
    index = _index(tmp_path)
    (tmp_path / "ex" / "log.txt").write_text("step 1\nstep 2\n")
    index.manifests["ex"]["outputs"]["log"] = {"file": "log.txt", "kind": "text", "alt": ""}
    out = index.expand("{{ text: ex/log }}", problems := [])
    assert not problems and "```text\nstep 1\nstep 2\n```" in out


def test_serve_watches_examples_and_gdnotes(tmp_path):
    from gdnotes.site.plugin import GdnotesPlugin

    class Server:
        watched: list[str] = []

        def watch(self, path, *args, **kwargs):
            self.watched.append(path)

    plugin = GdnotesPlugin()
    plugin.project_dir, plugin.examples_dir = tmp_path, tmp_path / "examples"
    server = plugin.on_serve(Server(), config=None, builder=None)
    assert str(tmp_path / "examples") in server.watched
    assert any(Path(p).name == "gdnotes" for p in server.watched)


def test_sweep_removes_only_stale_work_directories(tmp_path):
    import os

    cache = Cache(tmp_path)
    old, fresh = cache.new_workdir("a"), cache.new_workdir("b")
    os.utime(old, (0, 0))
    cache.sweep()
    assert not old.exists() and fresh.exists()


def test_examples_nav_lists_each_example_once_in_story_order():
    """A page that uses one example many times must not repeat it in the navigation."""
    from mkdocs.config import load_config

    root = Path(__file__).resolve().parents[1]
    config = load_config(str(root / "mkdocs.yml"))
    config = config.plugins["gdnotes"].on_config(config)
    (gallery,) = [item["Examples"] for item in config.nav
                  if isinstance(item, dict) and "Examples" in item]
    pages = [next(iter(entry.values())) for entry in gallery[1:]]
    scripts = sorted(f"examples/{p.stem}.md" for p in (root / "examples").glob("*.py"))
    assert sorted(pages) == scripts, "every example appears exactly once"
    assert pages[0] == "examples/tangent_line.md", "the home page's example comes first"


def test_timing_table_shows_cpu_and_the_costliest_renders(tmp_path):
    """The build's closing table: wall and CPU seconds per example, rendering CPU, and the
    outputs that cost most to render, so the next slow figure is visible in the build log."""
    from gdnotes.site.runner import ExampleRun, summary_table

    fast = ExampleRun("fast", tmp_path / "fast.py", [], "k1", status="ran", seconds=1.5,
                      run={"cpu_seconds": 1.25, "render_seconds": {"fast/a": 0.5, "fast/b": 0.25}})
    slow = ExampleRun("slow", tmp_path / "slow.py", [], "k2", status="ran", seconds=4.0,
                      run={"cpu_seconds": 3.5, "render_seconds": {"slow/anim": 2.0}})
    hit = ExampleRun("hit", tmp_path / "hit.py", [], "k3", status="cached")
    table = summary_table([fast, hit, slow]).splitlines()
    assert table[1].split() == ["example", "status", "seconds", "CPU", "rendering"]
    assert table[2].split() == ["slow", "ran", "4.00", "3.50", "2.00"]  # slowest first
    assert table[3].split() == ["fast", "ran", "1.50", "1.25", "0.75"]
    assert table[4].split() == ["hit", "cache", "hit", "-", "-", "-"]
    assert "4.75 s CPU in the examples, 2.75 s of it rendering" in table[5]
    assert table[6].endswith("slow/anim 2.00, fast/a 0.50, fast/b 0.25")


def test_outputs_record_the_render_cpu_of_each_figure(tmp_path, monkeypatch):
    import gdnotes as gd

    monkeypatch.setenv("GDNOTES_OUTPUT_DIR", str(tmp_path / "out"))
    monkeypatch.setattr(gd.outputs, "RENDER_SECONDS", {})
    out = gd.Outputs("timed")
    fig, ax = gd.figure()
    ax.plot([0, 1], [1, 0])
    out.figure(fig, "line", alt="A falling straight line, for timing")
    assert list(gd.outputs.RENDER_SECONDS) == ["timed/line"]
    assert gd.outputs.RENDER_SECONDS["timed/line"] > 0


def test_mkdocstrings_stylesheet_only_on_pages_with_a_docstring():
    from gdnotes.site.pageweight import api_stylesheet_only_where_used

    head = ('<link rel="stylesheet" href="../assets/stylesheets/main.css">\n'
            '      <link rel="stylesheet" href="../assets/_mkdocstrings.css">\n')
    lesson = head + '<a class="autorefs autorefs-internal" href="../api/#gdnotes.run">gd.run</a>'
    api = head + '<div class="doc doc-object doc-function"><div class="doc doc-contents "></div></div>'
    assert "_mkdocstrings.css" not in api_stylesheet_only_where_used(lesson)
    assert "main.css" in api_stylesheet_only_where_used(lesson)
    assert api_stylesheet_only_where_used(api) == api


def test_proofs_stay_out_of_search_but_other_collapsed_notes_do_not():
    from gdnotes.site.searchtext import proofs_out_of_search

    html = ('<details class="note">\n<summary>Proof of the lower bound</summary><p>x</p></details>'
            '<details class="note">\n<summary>Where the formula comes from</summary></details>'
            '<details class="note">\n<summary>Proofreading</summary></details>')
    marked = proofs_out_of_search(html)
    assert marked.count("data-search-exclude") == 1
    assert marked.startswith('<details class="note" data-search-exclude>\n<summary>Proof of')
    assert proofs_out_of_search(marked) == marked


def test_the_dark_stylesheet_without_javascript_copies_every_slate_rule_for_any_scheme():
    from gdnotes.site.darknojs import STYLESHEET, dark_without_javascript

    css = dark_without_javascript([
        "@media screen{[data-md-color-scheme=slate]{--md-x:1}}",
        '/* a comment */ [data-md-color-scheme="slate"] .gd-light, .other {display: none}',
        "[data-md-color-scheme=slate][data-md-color-primary=indigo]{--md-a:#5488e8}",
        ":is(.a, [data-md-color-scheme=slate]) .b {color: red} .c {color: blue}",
        "[data-md-color-primary=lime]:not([data-md-color-scheme=slate]){--md-y:2}",
    ])
    assert css.count("@media (prefers-color-scheme: dark) {") == 1
    assert "@media screen {\nbody[data-md-color-scheme] {--md-x:1}\n}" in css
    assert "body[data-md-color-scheme] .gd-light {display: none}" in css  # not `.other`
    assert "body[data-md-color-scheme][data-md-color-primary=indigo] {--md-a:#5488e8}" in css
    for other in (".other", ".b", ".c", "--md-y", "slate"):  # only rules led by the slate scheme
        assert other not in css.split("*/", 1)[1], other
    assert dark_without_javascript([".a {color: red}"]) is None  # a theme with no dark scheme
    template = (Path(__file__).parents[1] / "overrides" / "main.html").read_text()
    assert f"<noscript><link rel=\"stylesheet\" href=\"{{{{ '{STYLESHEET}' | url }}}}\"></noscript>" \
        in template
