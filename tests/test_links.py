"""Every internal href/src of the built site resolves (files and #anchors); external links are listed,
never fetched, and must use https."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from sitetools import (
    REPO,
    html_pages,
    is_external,
    is_ignored,
    parsed,
    resolve_local,
    site_dir,
    site_test,
    site_url,
    srcset_urls,
)

URL_ATTRIBUTES = {
    "a": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
}
EXTERNAL_LIST = REPO / "test-artifacts" / "external-links.txt"
EXPECTED_EXTERNAL = REPO / "tests" / "external_links.txt"  # the reviewed list


@pytest.fixture(scope="module")
def site(request) -> Path:
    return site_dir(request)


@cache
def anchors(path: Path) -> frozenset[str]:
    """Fragment targets a page offers: every id, plus the names of <a name=...>."""
    soup = parsed(path)
    ids = {el["id"] for el in soup.find_all(id=True)}
    ids |= {el["name"] for el in soup.find_all("a", attrs={"name": True})}
    return frozenset(ids)


def references(page: Path) -> list[str]:
    """Every URL the page points at (href, src, srcset), in document order."""
    refs = []
    for tag, attributes in URL_ATTRIBUTES.items():
        for el in parsed(page).find_all(tag):
            for attr in attributes:
                value = el.get(attr)
                if not value:
                    continue
                refs.extend(srcset_urls(value) if attr == "srcset" else [value.strip()])
    return refs


@pytest.fixture(scope="module")
def all_references(site: Path) -> dict[Path, list[str]]:
    pages = html_pages(site)
    assert pages, f"no HTML pages in {site}"
    return {page: references(page) for page in pages}


@site_test
def test_every_internal_link_resolves(site, all_references):
    broken = []
    for page, refs in all_references.items():
        for ref in refs:
            if is_external(ref) or is_ignored(ref):
                continue
            target, fragment = resolve_local(site, page, ref)
            where = page.relative_to(site).as_posix()
            if target is None or not target.is_file():
                broken.append(f"{where}: {ref} -> missing file")
            elif fragment and target.suffix == ".html" and fragment not in anchors(target):
                broken.append(f"{where}: {ref} -> no id {fragment!r} in {target.name}")
    if broken:
        pytest.fail(
            f"{len(broken)} broken internal links:\n  " + "\n  ".join(sorted(set(broken))),
            pytrace=False,
        )


@site_test
def test_external_links_are_listed_and_https(site, all_references):
    own = site_url(site)  # canonical links to the published copy of each page
    by_url: dict[str, list[str]] = {}
    for page, refs in all_references.items():
        for ref in refs:
            if is_external(ref):
                by_url.setdefault(ref, []).append(page.relative_to(site).as_posix())
    listed = {u: pages for u, pages in sorted(by_url.items()) if not (own and u.startswith(own))}
    lines = [f"{url}  ({len(pages)} pages, e.g. {pages[0]})" for url, pages in listed.items()]
    if own:
        lines.append(f"+ {len(by_url) - len(listed)} links to the site's own address {own}")
    EXTERNAL_LIST.parent.mkdir(exist_ok=True)
    EXTERNAL_LIST.write_text("\n".join(lines) + "\n")
    print("\nexternal URLs (listed, not fetched):\n  " + "\n  ".join(lines))
    insecure = [
        f"{url} (on {', '.join(pages[:3])})"
        for url, pages in by_url.items()
        if not url.lower().startswith("https://")
    ]
    assert not insecure, "external links must use https:\n  " + "\n  ".join(insecure)
    expected = {line.strip() for line in EXPECTED_EXTERNAL.read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    new, gone = sorted(set(listed) - expected), sorted(expected - set(listed))
    assert not new and not gone, (
        f"external links differ from {EXPECTED_EXTERNAL.relative_to(REPO)} (update it if the "
        f"change is deliberate):\n  new: {new}\n  gone: {gone}")


def test_link_resolution_helpers(tmp_path):
    """The resolver itself: directory URLs, parent paths, fragments, outside-site paths."""
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text('<link rel="canonical" href="https://x.invalid/">')
    (tmp_path / "a" / "index.html").write_text('<h2 id="sec">x</h2>')
    page = tmp_path / "a" / "index.html"
    assert resolve_local(tmp_path, page, "../") == (tmp_path / "index.html", "")
    assert resolve_local(tmp_path, page, "#sec") == (page, "sec")
    assert resolve_local(tmp_path, tmp_path / "index.html", "a/#sec") == (page, "sec")
    assert "sec" in anchors(page)
    assert is_external("https://example.org/") and is_external("//cdn.example.org/x.js")
    assert not is_external("../figures/a.png") and is_ignored("mailto:someone@example.org")
    assert srcset_urls("a.png 1x, b.png 2x") == ["a.png", "b.png"]


# Section anchors of the single Problems page that became the Problems section (old links in the
# wild point at them).
OLD_PROBLEMS_ANCHORS = (
    "the-step-size", "local-minima", "saddle-points", "plateaus-and-small-gradients",
    "vanishing-and-exploding-gradients", "the-cost-of-full-batch-gradients",
    "choosing-hyperparameters", "a-badly-scaled-problem-one-learning-rate-for-every-coordinate",
    "at-a-glance",
)


@site_test
def test_old_problems_anchors_still_land_on_the_section(site):
    index = site / "problems" / "index.html"
    missing = [a for a in OLD_PROBLEMS_ANCHORS if a not in anchors(index)]
    assert not missing, f"/problems/ lost the old anchors {missing}"
