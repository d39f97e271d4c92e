"""The README's two screenshots, taken from the built site: a phone (390x844, light) and a
desktop in dark mode (1280x800). Run `make readme-screenshots` after `make build`; it rewrites
screenshots/phone.png and screenshots/dark.png (64-colour PNGs, a few tens of KB each).

Uses Debian's /usr/bin/chromium through Playwright, like the browser tests; serves `site/` on a
free local port; reduced motion, so animations show their still and the pictures are repeatable.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import io
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHOTS = {  # file: (page, viewport, colour scheme, width the PNG is stored at)
    "phone.png": ("", {"width": 390, "height": 844}, "light", 390),
    "dark.png": ("two-dimensions/", {"width": 1280, "height": 800}, "dark", 960),
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def small_png(png: bytes, width: int) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--out", type=Path, default=REPO / "screenshots")
    args = parser.parse_args()
    if not (args.site / "index.html").is_file():
        raise SystemExit(f"{args.site} has no index.html: run `make build` first")
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            for name, (path, viewport, scheme, width) in SHOTS.items():
                page = browser.new_page(viewport=viewport, color_scheme=scheme,
                                        reduced_motion="reduce")
                page.route("**/*", lambda route: route.continue_()
                           if route.request.url.startswith(base) else route.abort())
                page.goto(base + path, wait_until="load")
                page.wait_for_function("!window.MathJax || !MathJax.startup || "
                                       "MathJax.startup.promise.then(() => true)")
                page.wait_for_timeout(500)
                (args.out / name).write_bytes(small_png(page.screenshot(), width))
                print(f"{args.out / name}: {(args.out / name).stat().st_size // 1024} KB")
                page.close()
            browser.close()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
