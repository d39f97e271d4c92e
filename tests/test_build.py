"""The build pipeline end to end: tiny synthetic projects for cache and failure behaviour, the real
site (`built_site`) for what readers get."""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SITE_GROUP, build_env, mkdocs_build
from sitetools import parsed, text_outside

from gdnotes.site.macros import figure_links, references

pytestmark = pytest.mark.build


# -- synthetic projects ---------------------------------------------------------------------------
def test_rebuild_runs_nothing_and_an_edit_reruns_only_that_example(make_project):
    project = make_project()
    first = project.build()
    assert first.returncode == 0, first.output
    assert first.ran() == ["a", "b"]
    second = project.build()
    assert second.returncode == 0, second.output
    assert second.ran() == [] and second.cached() == ["a", "b"]
    project.write_example("b", value=2.0)
    third = project.build()
    assert third.ran() == ["b"] and third.cached() == ["a"]
    assert "Value 2.00." in (third.site / "index.html").read_text()


def test_failed_example_fails_the_build_and_leaves_no_entry(make_project):
    project = make_project()
    assert project.build().returncode == 0
    broken = project.write_example("b", text="# %%\nx = 1\n\n# %%\ny = 1 / 0\n")
    result = project.build()
    assert result.returncode != 0
    assert "examples/b.py, line 5" in result.output and "ZeroDivisionError" in result.output
    assert broken.exists()
    entries = project.cache / "entries"
    assert len(list((entries / "b").iterdir())) == 1  # only the earlier good entry
    assert not any((project.cache / "tmp").iterdir())  # nothing half-written left behind
    project.write_example("b", value=3.0)
    fixed = project.build()
    assert fixed.returncode == 0 and fixed.ran() == ["b"] and fixed.cached() == ["a"]


def test_reference_to_missing_output_fails_strict_build(make_project):
    project = make_project(examples=("a",))
    project.write_page("# Home\n\n{{ figure: a/nope }}\n\n![x](figures/a/missing.png)\n")
    result = project.build()
    assert result.returncode != 0
    assert "page 'index.md' refers to {{ figure: a/nope }}" in result.output
    assert "recorded no figure 'nope' (it has: curve)" in result.output
    assert "figures/a/missing.png" in result.output


def test_two_builds_are_byte_identical(make_project):
    project = make_project()
    one = project.build("site1")
    shutil.rmtree(project.cache)  # the second build re-runs every example
    two = project.build("site2")
    assert one.returncode == 0 and two.returncode == 0 and two.ran() == ["a", "b"]
    files1 = sorted(p.relative_to(one.site) for p in one.site.rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(two.site) for p in two.site.rglob("*") if p.is_file())
    assert files1 == files2
    _, mismatch, errors = filecmp.cmpfiles(
        one.site, two.site, [str(f) for f in files1], shallow=False
    )
    assert mismatch == [] and errors == []


def test_execution_switch_builds_without_running(make_project):
    project = make_project()
    config = project.root / "mkdocs.yml"  # with math, so a value can sit in a formula
    config.write_text(config.read_text().replace(
        "markdown_extensions:\n",
        "markdown_extensions:\n  - pymdownx.arithmatex:\n      generic: true\n"
        "  - gdnotes.site.mathml\n"))
    project.write_page("# Home\n\nValue {{ value: a/answer }}, or $x = {{ value: a/answer }}$.\n")
    result = project.build(strict=False, env={"GDNOTES_EXECUTE": "0"})
    assert result.returncode == 0, result.output
    assert result.ran() == [] and not (project.cache / "entries").exists()
    page = (result.site / "index.html").read_text()  # what is missing is shown, not a crash
    assert "missing output {{ value: a/answer }} (in a formula)" in page


def test_broken_copy_of_a_real_example_names_script_and_line(tmp_path):
    """A temporary copy of the project with tangent_line broken: the build names file and line."""
    project = tmp_path / "copy"
    (project / "examples").mkdir(parents=True)
    shutil.copytree(
        REPO / "gdnotes", project / "gdnotes", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "constraints.txt", project)
    source = (REPO / "examples" / "tangent_line.py").read_text().splitlines()
    line = next(i for i, s in enumerate(source) if s.startswith("objective = ")) + 1
    source[line - 1] = 'objective = gd.shifted_parabola(center=float("nan"))'
    (project / "examples" / "tangent_line.py").write_text("\n".join(source) + "\n")
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# Home\n")
    (project / "mkdocs.yml").write_text("site_name: copy\ntheme: mkdocs\nplugins:\n  - gdnotes\n")
    result = mkdocs_build(project, project / "site", env=build_env(tmp_path / "cache"))
    assert result.returncode != 0
    assert f"example examples/tangent_line.py, line {line} failed: ValueError" in result.output
    assert f'tangent_line.py", line {line}, in <module>' in result.output


# -- the real site ----------------------------------------------------------------------------------
site_test = pytest.mark.xdist_group(SITE_GROUP)


def _page_sources() -> dict[str, str]:
    docs = REPO / "docs"
    return {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(docs.rglob("*.md"))}


@site_test
def test_site_contains_every_referenced_output(built_site: Path):
    missing = []
    for page, text in _page_sources().items():
        for ref in references(text):
            if ref.kind == "figure" and not list((built_site / "figures" / ref.example).glob("*")):
                missing.append(f"{page}: {ref}")
        for match in re.finditer(r"figures/([\w-]+)/([\w.-]+)", text):
            if not (built_site / "figures" / match[1] / match[2]).is_file():
                missing.append(f"{page}: {match[0]}")
    assert not missing
    # every image a page shows exists in the site
    for html in built_site.rglob("*.html"):
        for src in re.findall(r'<(?:img|source)[^>]*?(?:src|srcset)="([^"#?]+)"', html.read_text()):
            if not src.startswith(("data:", "http:", "https:", "//")):
                target = (html.parent / src).resolve()
                assert target.is_file(), f"{html.relative_to(built_site)} shows missing {src}"


@site_test
def test_every_example_has_a_page_script_and_notebook(built_site: Path):
    import nbformat

    for script in sorted((REPO / "examples").glob("[!_]*.py")):
        name = script.stem
        page = built_site / "examples" / name / "index.html"
        assert page.is_file(), name
        assert (built_site / "examples" / f"{name}.py").read_bytes() == script.read_bytes()
        nb = nbformat.read(built_site / "examples" / f"{name}.ipynb", as_version=4)
        nbformat.validate(nb)
        html = page.read_text()
        assert f'href="../{name}.py"' in html and f'href="../{name}.ipynb"' in html


@site_test
def test_pages_link_to_their_examples_and_back(built_site: Path):
    for page, text in _page_sources().items():
        examples = {r.example for r in references(text) if r.kind == "figure"} | figure_links(text)
        if not examples:
            continue
        url = "" if page == "index.md" else page.removesuffix(".md") + "/"
        html = (built_site / url / "index.html").read_text()
        for example in examples:
            assert f"examples/{example}/" in html, f"{page} has no link to example {example}"
            back = (built_site / "examples" / example / "index.html").read_text()
            assert f'href="../../{url}"' in back, f"example {example} does not link back to {page}"


# attributes that make a browser fetch something (an <a href> is a link, not a fetch)
_FETCHING = re.compile(
    r"<(?:script|img|source|iframe|embed|video|audio|track|link)\b[^>]*?\s(?:src|srcset|href|data)="
    r'"([^"]*)"|url\(\s*[\'"]?([^\'")]+)|@import\s+[\'"]([^\'"]+)',
    re.IGNORECASE,
)


@site_test
def test_built_html_fetches_nothing_from_another_host(built_site: Path):
    offenders = []
    for path in [*built_site.rglob("*.html"), *built_site.glob("stylesheets/*.css")]:
        for match in _FETCHING.finditer(path.read_text(encoding="utf-8")):
            url = next(g for g in match.groups() if g)
            for part in url.split(","):  # srcset lists
                part = part.strip()
                if re.match(r"^([a-z][a-z0-9+.-]*:)?//", part, re.I) or part.startswith("http"):
                    offenders.append(f"{path.relative_to(built_site)}: {part}")
    assert not offenders, "\n".join(offenders[:20])
    home = (built_site / "index.html").read_text()
    assert "mathjax" not in home.lower() and not (built_site / "javascripts" / "mathjax").exists()
    assert "fonts.googleapis" not in home and "require.js" not in home


_TEX = re.compile(r"\\\(|\\\[|\\frac|\\eta\b|\$\$")


@site_test
def test_math_is_mathml_in_the_html_and_plain_text_in_search(built_site: Path):
    """Every formula is rendered during the build; the search index holds each formula once,
    as plain text (its reading), never TeX or the MathML's text glued together."""
    left, formulas = [], 0
    for path in built_site.rglob("*.html"):
        soup = parsed(path)
        for marked in soup.select(".arithmatex"):
            formulas += 1
            if marked.find("math", recursive=False) is None:
                left.append(f"{path.relative_to(built_site)}: {marked.get_text()[:60]}")
        tex = _TEX.search(text_outside(soup, {"code", "pre", "script", "style"}))
        if tex:
            left.append(f"{path.relative_to(built_site)}: {tex[0]}")
    assert formulas > 500 and not left, left[:10]

    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    texts = {d["location"]: d["title"] + " " + d["text"] for d in index["docs"]}
    everything = " ".join(texts.values())
    assert not _TEX.search(everything), _TEX.search(everything)
    rule = " ".join(t for loc, t in texts.items() if loc.startswith("update-rule/"))
    assert rule.count("θ_(t + 1) = θ_t − η∇f(θ_t)") == 1  # the update rule, read plainly, once
    assert "θt+1" not in rule and "=θt−η" not in rule  # not the drawn MathML's text glued on


@site_test
def test_an_example_is_one_search_entry_and_a_topic_lands_on_its_lesson(built_site: Path):
    """Each example page is in the index once (its title and first paragraph); the lesson, not the
    example that draws its figures, is where a search for the topic lands."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [d["location"] for d in index["docs"]]
    examples = [loc for loc in locations if loc.startswith("examples/") and loc.count("/") == 2]
    assert len(examples) >= 20 and all(loc.endswith("/") for loc in examples), examples
    assert not any(loc.startswith("examples/") and "#" in loc and loc.count("/") == 2 for loc in locations)
    assert "examples/#the-examples" not in locations and "examples/#run-an-example-yourself" in locations
    adam = next(d for d in index["docs"] if d["location"] == "examples/adam/")
    assert "bias" in adam["text"] and "AdamW" in adam["title"]


@site_test
def test_only_the_api_page_loads_the_docstring_stylesheet(built_site: Path):
    loads = {p.parent.name: "_mkdocstrings.css" in p.read_text(encoding="utf-8")
             for p in (built_site / "api" / "index.html", built_site / "momentum" / "index.html")}
    assert loads == {"api": True, "momentum": False}
