// stochastic.js: mini-batch SGD on the line fit, from the optimum: batch size, η and the noise ball.
import { getObjective, getOptimizer } from "./gdmath.js";
import { contours } from "./contours.js";
import { el, fmt, mount, numbers, plot, readout, slider } from "./widgets.js";

// A small seeded generator (mulberry32) for the shuffles: the same picture for the same settings.
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Mini-batch SGD on the line fit, started at the optimum: the noise ball and its floor.
function stochastic(box, d) {
  const xy = numbers(d.xy), n = xy.length / 2, xs = xy.slice(0, n), ys = xy.slice(n);
  const epochs = +d.epochs, tail = +d.tail;
  const full = getObjective({ name: "line_mse", x_data: xs, y_data: ys });
  const mx = xs.reduce((a, v) => a + v, 0) / n, my = ys.reduce((a, v) => a + v, 0) / n;
  const w = xs.reduce((a, v, i) => a + (v - mx) * (ys[i] - my), 0) / xs.reduce((a, v) => a + (v - mx) ** 2, 0);
  const optimum = [w, my - w * mx], best = full.value(optimum), r = 0.6;
  const bounds = [[optimum[0] - r, optimum[0] + r], [optimum[1] - r, optimum[1] + r]];
  const controls = el("div", { class: "gd-x-controls" });
  box.append(controls);
  const p = plot(box, bounds, { label: "contours of the loss in the (w, b) plane with the iterates of the last epochs", equal: true });
  contours(p, full.value, bounds, 10);
  const text = readout(box);
  const eta = slider(controls, { label: "learning rate η", min: Math.log10(0.005), max: Math.log10(0.3), step: 0.01, value: +d.lr, log: true, digits: 3 }, redraw);
  const size = slider(controls, { label: "batch size B", min: 1, max: n, step: 1, value: +d.batch }, redraw);
  // gd.gradient_noise: covariance of the per-sample gradients 2 rᵢ (xᵢ, 1) at the optimum, / B · (n − B)/(n − 1).
  const g = xs.map((x, i) => { const res = 2 * (optimum[0] * x + optimum[1] - ys[i]); return [res * x, res]; });
  const gm = [0, 1].map((k) => g.reduce((a, v) => a + v[k], 0) / n);
  const trace1 = g.reduce((a, v) => a + (v[0] - gm[0]) ** 2 + (v[1] - gm[1]) ** 2, 0) / n;
  function redraw() {
    const B = size.value, next = random(7), opt = { lr: eta.value };
    let state = null, theta = optimum.slice(), sgd = null;
    const tailPoints = [], losses = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const order = xs.map((_, i) => i);
      for (let i = n - 1; i > 0; i--) { const j = Math.floor(next() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
      for (let start = 0; start < n; start += B) {
        const idx = order.slice(start, start + B);
        const batch = getObjective({ name: "line_mse", x_data: idx.map((i) => xs[i]), y_data: idx.map((i) => ys[i]) });
        sgd = sgd || getOptimizer("sgd", opt);
        state = state || sgd.init(theta);
        [theta, state] = sgd.update(state, theta, batch.grad(theta));
        if (epoch > epochs - tail) { tailPoints.push(theta); losses.push(full.value(theta) - best); }
      }
    }
    const floor = losses.reduce((a, v) => a + v, 0) / losses.length;
    const predicted = (eta.value / 4) * trace1 / B * (n - B) / (n - 1);
    p.front.replaceChildren(...tailPoints.slice(-600).map(([a, b]) => p.dot(a, b, 2, { class: "gd-x-dot gd-x-faint" })),
      p.dot(...optimum, 5, { class: "gd-x-start" }));
    text.textContent = `η = ${fmt(eta.value, 3)}, B = ${B}: mean excess loss over the last ${tail} of ${epochs} epochs ` +
      `${fmt(floor)}; small-step prediction (η/4)·tr Σ_B = ${fmt(predicted)}. ○ the least-squares optimum, where every run starts.`;
  }
  redraw();
}

mount("stochastic", stochastic);
