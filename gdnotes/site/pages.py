"""Markdown for the examples gallery: one page per example plus the gallery index.

An example page is its prose cells as Markdown, its code cells as Python blocks, and what each
cell printed or recorded right after it (figures through the same macros the lesson pages use),
with downloads of the script and the executed notebook, the pages that use its outputs, and links
to the gdnotes API entries it calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gdnotes.outputs import markdown_cell
from gdnotes.site.macros import code_fence, escape_html
from gdnotes.site.runner import ExampleRun
from gdnotes.site.script import title_of


@dataclass(frozen=True)
class Install:
    """Where a reader gets gdnotes: the wheel this site serves."""

    wheel: str  # file name, served at downloads/<wheel>
    url: str = ""  # absolute URL of the wheel when the site has a site_url, else ""


def install_markdown(install: Install, example: str) -> str:
    """How to run a downloaded example without the repository: the first cell of every notebook.

    Links are site-absolute when the site knows its own address; otherwise the reader is sent to
    the Examples page, where the wheel is linked."""
    if install.url:
        get = f"`%pip install {install.url}`"
    else:
        get = (f"download `{install.wheel}` from the Examples page of the site this notebook came "
               f"from, put it next to the notebook and run `%pip install {install.wheel}`")
    return (
        "**To run this notebook** you need the `gdnotes` library (it imports numpy, matplotlib "
        "and torch):\n\n"
        "1. torch 2.13.0 first. On Linux, plain `pip install torch==2.13.0` takes a CUDA build of "
        "several GB; the CPU build is enough here: "
        "`%pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu`.\n"
        f"2. Then gdnotes: {get}.\n\n"
        "Restart the kernel, then run all cells. Each figure, table and number is shown under "
        f"its cell and also saved in `gdnotes_outputs/{example}/` next to the notebook."
    )


@dataclass
class ExamplePage:
    run: ExampleRun
    install: Install | None
    used_on: list[tuple[str, str]] = field(default_factory=list)  # (title, docs-relative path)
    api: dict[str, str] = field(default_factory=dict)  # gdnotes name used -> API page identifier
    thumbnail: tuple[str, int, int] | None = None  # gallery card image: (file, width, height)

    @property
    def title(self) -> str:
        return title_of(self.run.cells, self.run.name)

    @property
    def src_uri(self) -> str:
        return f"examples/{self.run.name}.md"


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.splitlines())


def _about(page: ExamplePage) -> str:
    name = page.run.name
    lines = ['!!! info "About this example"', ""]
    downloads = f"Download [`{name}.py`]({name}.py){{ download }}"
    if page.run.notebook:
        downloads += f" or the executed notebook [`{name}.ipynb`]({name}.ipynb){{ download }}"
    run_it = (
        f"To run it yourself, [install gdnotes](index.md#run-an-example-yourself), then "
        f"`python {name}.py` in any folder: its figures, tables and numbers go to "
        f"`gdnotes_outputs/{name}/` there. The notebook shows them inline as well."
        if page.install
        else f"Run it yourself with `python {name}.py` (outputs go to `gdnotes_outputs/{name}/`)."
    )
    lines.append(
        f"    {downloads}. The build ran this script once to make everything shown here "
        f"and on the pages below. {run_it}"
    )
    if page.used_on:
        links = ", ".join(f"[{title}](../{path})" for title, path in page.used_on)
        lines += ["", f"    **Used on:** {links}."]
    if page.api:
        links = ", ".join(f"[`gd.{n}`][{target}]" for n, target in page.api.items())
        lines += ["", f"    **gdnotes API used:** {links}."]
    return "\n".join(lines)


def _cell_outputs(page: ExamplePage, index: int) -> list[str]:
    run = page.run
    result = next((c for c in run.run.get("cells", []) if c.get("index") == index), {})
    blocks = []
    stdout = result.get("stdout", "")
    if stdout.strip():
        blocks.append(code_fence(stdout, "text", "Output"))
    if result.get("stderr", "").strip():
        blocks.append(code_fence(result["stderr"], "text", "Warnings (stderr)"))
    outputs = run.manifest.get("outputs", {})
    for key in result.get("new", []):
        kind, _, name = key.partition(":")
        record = outputs.get(name) if kind == "output" else None
        if not record:
            continue
        if record.get("kind") in {"figure", "gif"}:
            blocks.append(f"{{{{ figure: {run.name}/{name} }}}}")
        elif record.get("kind") == "table":
            blocks.append(f"{{{{ table: {run.name}/{name} }}}}")
        elif record.get("kind") == "text":
            text = (run.outputs_dir / record["file"]).read_text(encoding="utf-8")
            if text.strip() not in stdout:
                blocks.append(f"{{{{ text: {run.name}/{name} }}}}")
    return blocks


VALUE_SHOWN_CHARS = 60  # a longer value (data handed to an explorer) is shown by its start


def _shown_value(text: str) -> str:
    """The value as the table shows it: whole, or its start and its length."""
    if len(text) <= VALUE_SHOWN_CHARS:
        return text
    return f"{text[:VALUE_SHOWN_CHARS].rsplit(' ', 1)[0]} … ({len(text):,} characters)"


def _values_table(run: ExampleRun) -> str:
    values = run.manifest.get("values", {})
    if not values:
        return ""
    rows = "\n".join(
        f"| `{name}` | {markdown_cell(escape_html(_shown_value(str(rec.get('text', '')))))} |"
        for name, rec in values.items())
    return (
        "## Numbers this example hands to the prose\n\n"
        f"Pages quote these as `{{{{ value: {run.name}/<name> }}}}`.\n\n"
        # out of the search index every page loads (issue 14): names and numbers, no prose
        f'<div data-search-exclude="" markdown>\n\n| name | value |\n|:--|--:|\n{rows}\n\n</div>'
    )


# Search ranks the lessons above the example pages that share their words (an example page repeats
# its lesson's vocabulary around its code); the download boilerplate is not indexed at all.
EXAMPLE_SEARCH_BOOST = 0.5
_FRONT_MATTER = f"---\nsearch:\n  boost: {EXAMPLE_SEARCH_BOOST}\n---\n\n"


def example_markdown(page: ExamplePage) -> str:
    run = page.run
    parts: list[str] = []
    cells = list(enumerate(run.cells))
    if cells and cells[0][1].kind == "markdown" and cells[0][1].source.lstrip().startswith("# "):
        parts.append(cells[0][1].source)
        cells = cells[1:]
    else:
        parts.append(f"# {page.title}")
    parts.append(f"<div data-search-exclude markdown>\n\n{_about(page)}\n\n</div>")
    if run.status == "failed":
        parts.append('!!! failure "This example failed"\n\n' + _indent(code_fence(run.error, "text")))
    if run.status == "skipped":
        parts.append(
            '!!! warning "Not run"\n\n    Example execution is switched off for this build '
            "and no cached run exists, so outputs are missing."
        )
    for index, cell in cells:
        if cell.kind == "markdown":
            parts.append(cell.source)
        else:
            parts.append(code_fence(cell.display_source, "python"))
            parts.extend(_cell_outputs(page, index))
    values = _values_table(run)
    if values:
        parts.append(values)
    return _FRONT_MATTER + "\n\n".join(parts) + "\n"


def _summary(run: ExampleRun) -> str:
    """The first prose paragraph after the title, for the gallery card."""
    for cell in run.cells:
        if cell.kind != "markdown":
            continue
        for para in cell.source.split("\n\n"):
            para = para.strip()
            if para and not para.startswith("#"):
                return " ".join(para.split())
    return ""


THUMBNAIL = "gallery-thumbnail.png"  # published beside the example's figures


def thumbnail_source(run: ExampleRun) -> tuple[str, str] | None:
    """(file, alt) of the image a gallery card shows: the first figure, or an animation's still."""
    for name, record in run.manifest.get("outputs", {}).items():
        if record.get("kind") in {"figure", "gif"}:
            return record.get("still") or record["file"], record.get("alt", name)
    return None


def _thumbnail(page: ExamplePage) -> str:
    source = thumbnail_source(page.run)
    if source is None:
        return ""
    file, alt = source
    alt = alt.replace("]", ")").replace("[", "(")
    if page.thumbnail:
        thumb, width, height = page.thumbnail
        return (f"![{alt}](../figures/{page.run.name}/{thumb})"
                f"{{ loading=lazy width={width} height={height} }}")
    return f"![{alt}](../figures/{page.run.name}/{file}){{ loading=lazy }}"


def _run_yourself(install: Install | None) -> str:
    if install is None:
        return ""
    return (
        "## Run an example yourself\n\n"
        "The scripts and notebooks need only the `gdnotes` library, which this site serves as "
        f"a wheel: [`{install.wheel}`](../downloads/{install.wheel}){{ download }}. In a fresh "
        "virtual environment (Python 3.11):\n\n"
        "```bash\n"
        "# torch first, its CPU build (plain PyPI torch on Linux is a CUDA build of several GB)\n"
        "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu\n"
        f"pip install {install.wheel}\n"
        "python learning_rate.py   # writes gdnotes_outputs/learning_rate/ in this folder\n"
        "```\n\n"
        "A downloaded notebook says the same in its first cell, with `%pip` lines to run in "
        "Jupyter; it shows every figure, table and number inline.\n\n"
        "## The examples\n\n"
    )


def gallery_markdown(pages: list[ExamplePage], install: Install | None) -> str:
    cards = []
    for page in pages:
        card = [f"-   [**{page.title}**]({page.run.name}.md)", ""]
        thumb = _thumbnail(page)
        if thumb:
            card += ["    " + thumb, ""]
        summary = _summary(page.run)
        if summary:
            card += ["    " + summary, ""]
        cards.append("\n".join(card))
    return (
        "# Examples\n\n"
        "Every figure, animation, table and number on this site is made by one of these scripts "
        "when the site is built. Each page below shows a script's prose, its code and what it "
        "produced, with the script and an executed notebook to download.\n\n"
        + _run_yourself(install)
        + '<div class="grid cards" markdown>\n\n'
        + "\n".join(cards)
        + "\n</div>\n"
    )
