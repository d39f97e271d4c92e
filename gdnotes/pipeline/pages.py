"""Markdown for the examples gallery: one page per example plus the gallery index.

An example page is its prose cells as Markdown, its code cells as Python blocks, and what each
cell printed or recorded right after it (figures through the same macros the lesson pages use),
with downloads of the script and the executed notebook, the pages that use its outputs, and links
to the gdnotes API entries it calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gdnotes.pipeline.runner import ExampleRun
from gdnotes.pipeline.script import title_of


@dataclass
class ExamplePage:
    run: ExampleRun
    used_on: list[tuple[str, str]] = field(default_factory=list)  # (title, docs-relative path)
    api: dict[str, str] = field(default_factory=dict)  # gdnotes name used -> API page identifier

    @property
    def title(self) -> str:
        return title_of(self.run.cells, self.run.name)

    @property
    def src_uri(self) -> str:
        return f"examples/{self.run.name}.md"


def _fence(text: str, lang: str, title: str = "") -> str:
    ticks = "`" * max(3, _longest_backtick_run(text) + 1)
    attrs = f' title="{title}"' if title else ""
    return f"{ticks}{lang}{attrs}\n{text.rstrip()}\n{ticks}"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.splitlines())


def _about(page: ExamplePage) -> str:
    name = page.run.name
    lines = ['!!! info "About this example"', ""]
    downloads = f"Download [`{name}.py`]({name}.py){{ download }}"
    if page.run.notebook:
        downloads += f" or the executed notebook [`{name}.ipynb`]({name}.ipynb){{ download }}"
    lines.append(
        f"    {downloads}. The build ran this script once to make everything shown here "
        "and on the pages below; run it yourself with "
        f"`python examples/{name}.py` (outputs go to `build/figures/{name}/`)."
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
        blocks.append(_fence(stdout, "text", "Output"))
    if result.get("stderr", "").strip():
        blocks.append(_fence(result["stderr"], "text", "Warnings (stderr)"))
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


def _values_table(run: ExampleRun) -> str:
    values = run.manifest.get("values", {})
    if not values:
        return ""
    rows = "\n".join(f"| `{name}` | {rec.get('text', '')} |" for name, rec in values.items())
    return (
        "## Numbers this example hands to the prose\n\n"
        f"Pages quote these as `{{{{ value: {run.name}/<name> }}}}`.\n\n"
        f"| name | value |\n|:--|--:|\n{rows}"
    )


def example_markdown(page: ExamplePage) -> str:
    run = page.run
    parts: list[str] = []
    cells = list(enumerate(run.cells))
    if cells and cells[0][1].kind == "markdown" and cells[0][1].source.lstrip().startswith("# "):
        parts.append(cells[0][1].source)
        cells = cells[1:]
    else:
        parts.append(f"# {page.title}")
    parts.append(_about(page))
    if run.status == "failed":
        parts.append('!!! failure "This example failed"\n\n' + _indent(_fence(run.error, "text")))
    if run.status == "skipped":
        parts.append(
            '!!! warning "Not run"\n\n    Example execution is switched off for this build '
            "and no cached run exists, so outputs are missing."
        )
    for index, cell in cells:
        if cell.kind == "markdown":
            parts.append(cell.source)
        else:
            parts.append(_fence(cell.display_source, "python"))
            parts.extend(_cell_outputs(page, index))
    values = _values_table(run)
    if values:
        parts.append(values)
    return "\n\n".join(parts) + "\n"


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


def _thumbnail(run: ExampleRun) -> str:
    for name, record in run.manifest.get("outputs", {}).items():
        if record.get("kind") in {"figure", "gif"}:
            file = record.get("still") or record["file"]
            alt = record.get("alt", name).replace("]", ")").replace("[", "(")
            return f"![{alt}](../figures/{run.name}/{file}){{ loading=lazy }}"
    return ""


def gallery_markdown(pages: list[ExamplePage]) -> str:
    cards = []
    for page in pages:
        card = [f"-   [**{page.title}**]({page.run.name}.md)", ""]
        thumb = _thumbnail(page.run)
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
        '<div class="grid cards" markdown>\n\n' + "\n".join(cards) + "\n</div>\n"
    )
