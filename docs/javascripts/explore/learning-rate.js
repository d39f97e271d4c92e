// learning-rate.js: drag η on f(x) = x² + c and watch the iterates, q = 1 − 2η and the regime.
import { run } from "./gdmath.js";
import { el, fmt, mount, plot, readout, slider } from "./widgets.js";

// gd.regimes.classify_step on f(x) = x² + c (curvature 2).
function regime(q) {
  if (Math.abs(q) <= 1e-12) return "one-step exact";
  if (Math.abs(q + 1) <= 1e-12) return "bouncing forever";
  if (q > 0) return q >= 0.95 ? "slow monotone" : "fast monotone";
  return q > -1 ? "oscillating, convergent" : "divergent";
}

function learningRate(box, d) {
  const x0 = +d.x0, c = +d.c, steps = +d.steps, f = (x) => x * x + c;
  const bounds = [[-1.5 * x0, 1.5 * x0], [0, f(1.5 * x0) * 1.05]];
  const controls = el("div", { class: "gd-x-controls" });
  box.append(controls);
  const p = plot(box, bounds, { label: `f(x) = x² + ${c} with the iterates of gradient descent`, height: 300 });
  const curve = [];
  for (let i = 0; i <= 120; i++) { const x = bounds[0][0] + (i / 120) * (bounds[0][1] - bounds[0][0]); curve.push([x, f(x)]); }
  p.back.append(p.path(curve, { class: "gd-x-curve" }));
  const text = readout(box);
  const eta = slider(controls, { label: "learning rate η", min: 0.01, max: 1.1, step: 0.01, value: +d.lr }, redraw);
  function redraw() {
    const pts = run({ optimizer: "sgd", hyper: { lr: eta.value }, objective: { name: "parabola_plus", c }, x0: [x0], steps });
    const xs = pts.map(([x]) => x), zig = [];
    xs.forEach((x, t) => { if (t) zig.push([xs[t - 1], f(xs[t - 1])], [x, f(x)]); });
    const q = 1 - 2 * eta.value, last = xs.findLast(Number.isFinite), t = xs.lastIndexOf(last);
    p.front.replaceChildren(p.path(zig, { class: "gd-x-run" }),
      ...xs.filter(Number.isFinite).map((x) => p.dot(x, f(x), 4, { class: "gd-x-dot" })));
    text.textContent = `η = ${fmt(eta.value)}: q = 1 − 2η = ${fmt(q)}, ${regime(q)}. ` +
      (t < steps ? `gd.run stops it as diverged at step ${t + 1}.` : `After ${steps} steps x = ${fmt(last)}, f(x) = ${fmt(f(last))}.`);
  }
  redraw();
}

mount("learning-rate", learningRate);
