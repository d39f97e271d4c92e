"""The gdnotes mkdocs plugin: run the examples, add their outputs and pages to the site.

Configuration (mkdocs.yml, all optional)::

    plugins:
      - gdnotes:
          examples_dir: examples        # relative to mkdocs.yml
          cache_dir: .cache/gdnotes     # env GDNOTES_CACHE_DIR overrides
          execute: true                 # env GDNOTES_EXECUTE=0 turns example execution off
          jobs: 0                       # parallel runs; 0 = one per core (env GDNOTES_JOBS)
          wheel: true                   # build and serve the gdnotes wheel (downloads/)
          timeout: 300                  # seconds one example may run (env GDNOTES_TIMEOUT)
          budgets:                      # size limits in KB, per example run (see runner.Budgets)
            output_kb: 1500             #   any one output file
            printed_kb: 256             #   everything its cells print
            notebook_kb: 4000           #   its executed notebook
            example_kb: 8000            #   all of it together

Environment only: `GDNOTES_ZYGOTE=0` starts every example as a new interpreter instead of forking
it from a pre-warmed one (same outputs, slower).

Outputs become generated site files `figures/<example>/<file>`; example pages are generated as
`examples/<example>.md` with the script and executed notebook beside them, and the gdnotes wheel
is published as `downloads/<wheel>` so that both run without the repository (see `wheel`). Nothing is written
into `docs/`. A page referring to an output no example produced, or holding a malformed macro, is reported as a
warning naming the page, the line and the reference, which fails a `--strict` build. A failing
example (an error, a timeout, over its size budget) fails `mkdocs build`; under `mkdocs serve` it is
logged and shown on its page, the site keeps its last good outputs, and every page using them says
so in a banner. A cache directory that cannot be used is an error naming the setting and the path.
The API reference replaces `{{ api_reference }}` in `docs/api.md` (see `gdnotes.site.apiref`).
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from gdnotes.site.apiref import MARKER as API_MARKER
from gdnotes.site.apiref import api_markdown, api_targets
from gdnotes.site.cache import Cache, CacheError, package_dir
from gdnotes.site.darknojs import write_dark_without_javascript
from gdnotes.site.exercises import INDEX as EXERCISES
from gdnotes.site.exercises import SCRIPT as EXERCISES_SCRIPT
from gdnotes.site.exercises import exercises_in, exercises_markdown
from gdnotes.site.macros import OutputIndex, figure_links, image_size, references
from gdnotes.site.notebook import with_install_cell
from gdnotes.site.pages import (
    THUMBNAIL,
    ExamplePage,
    Install,
    example_markdown,
    gallery_markdown,
    install_markdown,
    thumbnail_source,
)
from gdnotes.site.pageweight import api_stylesheet_only_where_used
from gdnotes.site.runner import TIMEOUT_SECONDS, Budgets, ExampleRun, discover, run_examples
from gdnotes.site.searchtext import (
    api_details_out_of_search,
    example_body_out_of_search,
    gallery_cards_out_of_search,
    index_as_utf8,
    proofs_out_of_search,
)
from gdnotes.site.script import api_names_used, parse_cells, public_names, title_of
from gdnotes.site.thumbnails import thumbnail
from gdnotes.site.wheel import build_wheel, wheel_source

log = logging.getLogger("mkdocs.plugins.gdnotes")

GALLERY = "examples/index.md"


class GdnotesConfig(Config):
    examples_dir = c.Type(str, default="examples")
    cache_dir = c.Type(str, default=".cache/gdnotes")
    execute = c.Type(bool, default=True)
    jobs = c.Type(int, default=0)
    wheel = c.Type(bool, default=True)
    timeout = c.Type((int, float), default=TIMEOUT_SECONDS)
    budgets = c.Type(dict, default={})


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _source_date_epoch(project_dir: Path) -> str:
    """The last commit's time (else 0): sitemap dates that do not change from build to build."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            cwd=project_dir, capture_output=True, text=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return out if out.isdigit() else "0"


class GdnotesPlugin(BasePlugin[GdnotesConfig]):
    def __init__(self):
        super().__init__()
        self.runs: dict[str, ExampleRun] = {}
        self.pages: dict[str, ExamplePage] = {}
        self.files: Files | None = None
        self.command = "build"
        self.example_order: list[str] = []
        self.install: Install | None = None

    def on_startup(self, *, command, dirty):
        self.command = command

    # -- paths -------------------------------------------------------------------------------
    def on_config(self, config):
        self.project_dir = Path(config.config_file_path or ".").resolve().parent
        self.examples_dir = (self.project_dir / self.config.examples_dir).resolve()
        cache_dir = os.environ.get("GDNOTES_CACHE_DIR") or self.config.cache_dir
        self.cache_setting = ("GDNOTES_CACHE_DIR" if os.environ.get("GDNOTES_CACHE_DIR")
                              else "cache_dir in mkdocs.yml")
        self.cache = Cache((self.project_dir / cache_dir).resolve())
        self.execute = _env_flag("GDNOTES_EXECUTE", self.config.execute)
        self.jobs = int(os.environ.get("GDNOTES_JOBS") or self.config.jobs or 0) or None
        self.timeout = _timeout(os.environ.get("GDNOTES_TIMEOUT"), self.config.timeout)
        try:
            self.budgets = Budgets.from_config(self.config.budgets)
        except ValueError as exc:
            raise PluginError(f"gdnotes: {exc}") from exc
        os.environ.setdefault("SOURCE_DATE_EPOCH", _source_date_epoch(self.project_dir))
        config.nav = self._expand_nav(config.nav)
        return config

    def _expand_nav(self, nav):
        """Replace the nav entry pointing at the gallery by the gallery plus one page per example."""
        if not nav:
            return nav
        self.example_order = self._story_order(nav)
        examples = []
        for name in self.example_order:
            cells = parse_cells((self.examples_dir / f"{name}.py").read_text(encoding="utf-8"))
            examples.append({title_of(cells, name): f"examples/{name}.md"})

        def walk(items):
            out = []
            for item in items:
                if isinstance(item, dict):
                    (title, value), = item.items()
                    if value == GALLERY:
                        value = [GALLERY, *examples]
                    elif isinstance(value, list):
                        value = walk(value)
                    out.append({title: value})
                elif item == GALLERY:
                    out.append({"Examples": [GALLERY, *examples]})
                else:
                    out.append(item)
            return out

        return walk(nav)

    def _story_order(self, nav) -> list[str]:
        """Examples in the order the story first uses them (nav order of pages), then the rest."""
        names = sorted(p.stem for p in discover(self.examples_dir))
        docs_dir = self.project_dir / "docs"
        seen: list[str] = []
        for page in _nav_pages(nav):
            try:
                text = (docs_dir / page).read_text(encoding="utf-8")
            except OSError:
                continue
            used = [r.example for r in references(text)] + sorted(figure_links(text))
            seen += [n for n in dict.fromkeys(used) if n in names and n not in seen]
        return seen + [n for n in names if n not in seen]

    # -- run the examples and add everything they made -----------------------------------------
    def on_files(self, files: Files, config):
        try:
            self.cache.check_usable()
            runs = run_examples(
                self.examples_dir,
                self.project_dir,
                self.cache,
                execute=self.execute,
                jobs=self.jobs,
                zygote=_env_flag("GDNOTES_ZYGOTE", True),
                timeout=self.timeout,
                budgets=self.budgets,
            )
        except CacheError as exc:
            raise PluginError(
                f"gdnotes: cannot use the example cache directory {exc.root} (set by "
                f"{self.cache_setting}): {exc.cause}. Point {self.cache_setting} at a writable "
                "directory with free space."
            ) from exc
        failed = [r for r in runs if r.status == "failed"]
        if failed:
            message = f"{len(failed)} example(s) failed:\n\n" + "\n\n".join(
                r.error for r in failed
            )
            if self.command != "serve":
                raise PluginError(message)
            # while serving, keep the site up: the error is logged and shown on the example page,
            # and pages keep the outputs of the example's last good run meanwhile
            log.error(f"gdnotes: {message}")
            for run in failed:
                run.entry = self.cache.latest(run.name)
                run.load()
        self.runs = {r.name: r for r in runs}
        self.install = self._publish_wheel(files, config) if self.config.wheel else None
        for run in runs:
            self._add_run_files(files, config, run)
        self._add_example_pages(files, config)
        self._add_exercises_page(files, config)
        self.files = files
        return files

    def _publish_wheel(self, files: Files, config) -> Install | None:
        """Build the gdnotes wheel from its source tree and serve it as downloads/<wheel>."""
        source = wheel_source(self.project_dir)
        if source is None:
            log.warning("gdnotes: no gdnotes source tree (pyproject.toml beside gdnotes/) to "
                        "build a wheel from; the site serves no wheel (set `wheel: false`)")
            return None
        try:
            wheel = build_wheel(source, self.cache.root)
        except (OSError, RuntimeError) as exc:
            raise PluginError(f"gdnotes: {exc}") from exc
        files.append(File.generated(config, f"downloads/{wheel.name}", abs_src_path=str(wheel)))
        site_url = config.site_url or ""
        return Install(wheel.name, f"{site_url}downloads/{wheel.name}" if site_url else "")

    def _add_run_files(self, files: Files, config, run: ExampleRun) -> None:
        files.append(
            File.generated(config, f"examples/{run.name}.py", abs_src_path=str(run.script))
        )
        if not run.entry:
            return
        for path in sorted(run.outputs_dir.iterdir()):
            # tables (.md) are inlined by the macros, not published as pages of their own
            if path.is_file() and not path.name.startswith(".") and path.suffix != ".md":
                files.append(
                    File.generated(
                        config, f"figures/{run.name}/{path.name}", abs_src_path=str(path)
                    )
                )
        if self.install:
            notebook = with_install_cell(run.notebook, install_markdown(self.install, run.name))
            files.append(File.generated(config, f"examples/{run.name}.ipynb", content=notebook))
        else:
            files.append(File.generated(
                config, f"examples/{run.name}.ipynb", abs_src_path=str(run.notebook)
            ))

    def _add_example_pages(self, files: Files, config) -> None:
        used_on: dict[str, list[tuple[str, str]]] = {}
        for file in files.documentation_pages():
            if file.generated_by:
                continue
            text = file.content_string
            examples = {r.example for r in references(text)} | figure_links(text)
            title = _page_title(text, file.src_uri)
            for example in sorted(examples):
                used_on.setdefault(example, []).append((title, file.src_uri))
        package = package_dir(self.project_dir)
        targets = api_targets(package, public_names(package / "__init__.py"))
        self.pages = {}
        for name, run in self.runs.items():
            page = ExamplePage(
                run,
                install=self.install,
                used_on=used_on.get(name, []),
                api={
                    name: targets[name]
                    for name in api_names_used(run.script.read_text(encoding="utf-8"), set(targets))
                },
            )
            page.thumbnail = self._publish_thumbnail(files, config, run)
            self.pages[name] = page
            files.append(File.generated(config, page.src_uri, content=example_markdown(page)))
        if not files.get_file_from_path(GALLERY):
            order = self.example_order or sorted(self.pages)
            ordered = [self.pages[n] for n in order if n in self.pages]
            ordered += [p for n, p in self.pages.items() if n not in order]
            files.append(
                File.generated(config, GALLERY, content=gallery_markdown(ordered, self.install))
            )

    # -- exercises (issue 15) ------------------------------------------------------------------
    def _add_exercises_page(self, files: Files, config) -> None:
        """`exercises.md`: every exercise on the site, linked, generated from the pages in nav
        order (unless docs/ has its own)."""
        if files.get_file_from_path(EXERCISES):
            return
        by_path = {f.src_uri: f for f in files.documentation_pages() if not f.generated_by}
        order = list(dict.fromkeys([*_nav_pages(config.nav or []), *sorted(by_path)]))
        pages = []
        for src in order:
            if src in by_path:
                text = by_path[src].content_string
                pages.append((src, _page_title(text, src), exercises_in(text, src)))
        files.append(File.generated(config, EXERCISES, content=exercises_markdown(pages)))

    def _publish_thumbnail(self, files: Files, config, run: ExampleRun):
        """The gallery card's small copy of the example's first figure, as figures/<ex>/THUMBNAIL."""
        source = thumbnail_source(run) if run.entry else None
        if source is None or not (run.outputs_dir / source[0]).is_file():
            return None
        thumb = thumbnail(run.outputs_dir / source[0], self.cache.root / "thumbnails")
        files.append(File.generated(
            config, f"figures/{run.name}/{THUMBNAIL}", abs_src_path=str(thumb)))
        size = image_size(thumb)
        return (THUMBNAIL, *size) if size else None

    # -- macros ------------------------------------------------------------------------------
    def on_page_markdown(self, markdown, page, config, files):
        if API_MARKER in markdown:
            package = package_dir(self.project_dir)
            public = public_names(package / "__init__.py")
            markdown = markdown.replace(API_MARKER, api_markdown(package, public))
        refs = references(markdown)
        if not refs and "{{" not in markdown:
            return markdown
        page_url = page.file.url

        def url(site_path: str) -> str:
            file = files.get_file_from_path(site_path)
            return get_relative_url(file.url if file else site_path, page_url)

        def example_page(example: str) -> str:
            return url(f"examples/{example}.md")

        index = OutputIndex(
            {n: r.manifest for n, r in self.runs.items() if r.entry},
            {n: r.outputs_dir for n, r in self.runs.items() if r.entry},
            url,
            example_page,
            unavailable={
                n: "failed" if r.status == "failed" else "was not run (execution is off)"
                for n, r in self.runs.items()
                if not r.entry
            },
        )
        problems: list = []
        markdown = index.expand(markdown, problems)
        for ref, problem in problems:
            run = self.runs.get(ref.example)
            page_name = f"page '{page.file.src_uri}'"
            said = f"{page_name} refers to {ref} on line {ref.line}: {problem}"
            if not self.execute and run is not None and not run.entry:
                log.info(f"gdnotes: {said}")
            elif ref.raw:
                log.warning(f"gdnotes: {page_name}, line {ref.line}: {ref} {problem}")
            else:
                log.warning(f"gdnotes: {said}")
        if 'class="gd-answer"' in markdown:  # the self-check boxes' script, on these pages only
            markdown += f'\n\n<script type="module" src="{url(EXERCISES_SCRIPT)}"></script>\n'
        own = page.file.src_uri.removeprefix("examples/").removesuffix(".md")
        return stale_banner([r for r in refs if r.example != own], self.runs, example_page) + markdown

    def on_page_content(self, html, page, config, files):
        name = page.file.src_uri.removeprefix("examples/").removesuffix(".md")
        if page.file.src_uri.startswith("examples/") and name in self.runs:
            return example_body_out_of_search(html)
        if page.file.src_uri == GALLERY:
            return gallery_cards_out_of_search(html)
        if 'class="doc doc-contents' in html:  # the API reference (mkdocstrings)
            return api_details_out_of_search(html)
        return proofs_out_of_search(html)

    def on_post_page(self, output, page, config):
        return api_stylesheet_only_where_used(output)

    def on_post_build(self, config):
        index_as_utf8(config["site_dir"])  # after material's search plugin, listed before gdnotes
        write_dark_without_javascript(config["site_dir"], config["extra_css"])

    # -- mkdocs serve --------------------------------------------------------------------------
    def on_serve(self, server, config, builder):
        server.watch(str(self.examples_dir))
        server.watch(str(package_dir(self.project_dir)))
        return server


def stale_banner(refs, runs: dict[str, ExampleRun], example_page) -> str:
    """A notice at the top of a page showing outputs of examples that failed this build (only
    under `mkdocs serve`, which keeps their last good outputs; `mkdocs build` stops instead)."""
    failed = sorted({r.example for r in refs
                     if r.example in runs and runs[r.example].status == "failed"})
    if not failed:
        return ""
    links = ", ".join(f"[{name}]({example_page(name)})" for name in failed)
    return (f'!!! failure "Outdated outputs"\n\n    Example {links} failed in this build; this '
            "page shows its last good outputs, which may be out of date. The example's page "
            "has the error.\n\n")


def _timeout(env: str | None, configured) -> float:
    """The example timeout in seconds: GDNOTES_TIMEOUT, else `timeout:` in mkdocs.yml."""
    value = env if env else configured
    setting = "GDNOTES_TIMEOUT" if env else "timeout in mkdocs.yml"
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if isinstance(value, bool) or not seconds > 0 or seconds == float("inf"):
        raise PluginError(f"gdnotes: {setting} must be a positive number of seconds, got {value!r}")
    return seconds


def _nav_pages(items):
    """The .md paths of a nav (as written in mkdocs.yml), in order."""
    for item in items:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        if isinstance(value, list):
            yield from _nav_pages(value)
        elif isinstance(value, str) and value.endswith(".md"):
            yield value


def _page_title(markdown: str, fallback: str) -> str:
    for line in markdown.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return Path(fallback).stem.replace("-", " ").capitalize()
