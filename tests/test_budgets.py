"""Size budgets of the built site, so pages stay quick to load: each GIF <= 400 KB, all GIFs together
<= 6 MB, and each page's HTML plus the non-GIF images it shows <= 1.5 MB."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitetools import (
    html_pages,
    is_external,
    is_ignored,
    parsed,
    resolve_local,
    site_dir,
    site_test,
    srcset_urls,
)

KB = 1000
GIF_MAX = 400 * KB
ALL_GIFS_MAX = 6000 * KB
PAGE_MAX = 1500 * KB


@pytest.fixture(scope="module")
def site(request) -> Path:
    return site_dir(request)


def _size(path: Path) -> str:
    return f"{path.stat().st_size / KB:.0f} KB"


def page_images(site: Path, page: Path) -> set[Path]:
    """Local image files a page shows (<img src>, <source srcset>), resolved to files in the site."""
    soup = parsed(page)
    refs = [img.get("src", "") for img in soup.find_all("img")]
    for el in soup.find_all(["img", "source"]):
        refs.extend(srcset_urls(el.get("srcset", "")))
    files = set()
    for ref in refs:
        if ref and not is_external(ref) and not is_ignored(ref):
            target, _ = resolve_local(site, page, ref)
            if target is not None and target.is_file():
                files.add(target)
    return files


@site_test
def test_each_gif_within_budget(site):
    gifs = sorted(site.rglob("*.gif"))
    assert gifs, "the built site has no GIFs, so this budget would pass without checking anything"
    over = [f"{g.relative_to(site)}: {_size(g)}" for g in gifs if g.stat().st_size > GIF_MAX]
    assert not over, f"GIFs over {GIF_MAX // KB} KB:\n  " + "\n  ".join(over)


@site_test
def test_all_gifs_within_budget(site):
    gifs = sorted(site.rglob("*.gif"))
    assert gifs, "the built site has no GIFs, so this budget would pass without checking anything"
    total = sum(g.stat().st_size for g in gifs)
    biggest = sorted(gifs, key=lambda g: -g.stat().st_size)[:5]
    assert total <= ALL_GIFS_MAX, (
        f"{len(gifs)} GIFs total {total / KB:.0f} KB > {ALL_GIFS_MAX // KB} KB; biggest: "
        + ", ".join(f"{g.relative_to(site)} ({_size(g)})" for g in biggest)
    )


@site_test
def test_each_page_html_plus_still_images_within_budget(site):
    over = []
    assert html_pages(site), "the built site has no pages"
    for page in html_pages(site):
        images = {p for p in page_images(site, page) if p.suffix.lower() != ".gif"}
        total = page.stat().st_size + sum(p.stat().st_size for p in images)
        if total > PAGE_MAX:
            parts = sorted(images, key=lambda p: -p.stat().st_size)[:3]
            over.append(
                f"{page.relative_to(site)}: {total / KB:.0f} KB (HTML {_size(page)}; biggest: "
                + ", ".join(f"{p.relative_to(site)} {_size(p)}" for p in parts)
                + ")"
            )
    assert not over, f"pages over {PAGE_MAX // KB} KB (HTML + non-GIF images):\n  " + "\n  ".join(
        over
    )
