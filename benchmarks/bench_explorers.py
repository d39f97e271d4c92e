"""Explorer benchmark: how long one interaction takes to redraw the optimizer race in Chromium.

The race explorer on Beale runs 8 optimizers x 1000 steps per interaction. This moves one
learning-rate slider (the same `input` event a reader's drag fires) and times, in the page:

- redraw: the event handler, i.e. the 8 runs in gdmath.js and the new SVG, plus a forced layout;
- to next frame: from the event until the next animation frame starts (what a reader waits);
- the 8 runs alone, called directly, for comparison.

Times are wall-clock on a shared machine: compare medians, and rerun when the machine is busy.

Target: redraw <= 16 ms (one frame at 60 Hz). Prints the median and the worst of `--repeat` moves.
Needs a built site: `python benchmarks/bench_explorers.py [--site site] [--repeat 30]`.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"

MOVE_JS = """async (repeat) => {
  const box = document.querySelector('.gd-explorer[data-explorer="race"]');
  const slider = box.querySelector('.gd-x-racer input[type=range]');
  const svg = box.querySelector('svg');
  const redraw = [], frame = [], handler = [];
  for (let i = 0; i < repeat; i++) {
    slider.value = String(-3 + (i % 5) * 0.1);
    const t0 = performance.now();
    slider.dispatchEvent(new Event('input'));
    handler.push(performance.now() - t0);
    svg.getBoundingClientRect(); document.body.offsetHeight;
    redraw.push(performance.now() - t0);
    await new Promise(r => requestAnimationFrame(() => { frame.push(performance.now() - t0); r(); }));
    await new Promise(r => setTimeout(r, 20));
  }
  const lineup = [...box.querySelectorAll('.gd-x-racer input[type=range]')].map(() => 0);
  const only = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    for (const [optimizer, hyper] of [["sgd", {lr: 1e-3}], ["sgd", {lr: 1e-3, momentum: 0.9}],
        ["sgd", {lr: 1e-3, momentum: 0.9, nesterov: true}], ["adagrad", {lr: 0.5}], ["rmsprop", {lr: 0.01}],
        ["adadelta", {lr: 1}], ["adam", {lr: 0.05}], ["adamw", {lr: 0.05}]])
      window.gdnotesExplore.run({optimizer, hyper, objective: "beale", x0: [1, 1.5], steps: 1000});
    only.push(performance.now() - t0);
  }
  const runs = box.querySelectorAll('polyline.gd-x-run').length;
  return {redraw, frame, only, handler, runs, steps: +box.dataset.bealeSteps};
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO / "site")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if not (args.site / "optimizer-race" / "index.html").is_file():
        raise SystemExit(f"{args.site} has no optimizer-race/index.html: run `mkdocs build` first")
    quiet = type("Quiet", (http.server.SimpleHTTPRequestHandler,), {"log_message": lambda *a: None})
    handler = functools.partial(quiet, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/optimizer-race/")
            page.select_option('.gd-explorer[data-explorer="race"] select', "beale")
            result = page.evaluate(MOVE_JS, args.repeat)
            browser.close()
    finally:
        server.shutdown()
    print(f"race explorer on Beale: {result['runs']} optimizers x {result['steps']} steps per "
          f"interaction, {args.repeat} moves")
    names = {"only": "the 8 runs alone (gdmath.js)", "handler": "input handler (runs + new SVG)",
             "redraw": "redraw (handler + layout)",
             "frame": "to next frame"}
    for label, name in names.items():
        times = result[label]
        print(f"{name}: {statistics.median(times):.1f} ms  median (worst {max(times):.1f} ms)")
    print("target: redraw <= 16 ms")


if __name__ == "__main__":
    main()
