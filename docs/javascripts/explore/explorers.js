// explorers.js: the sliders beside the static figures. Each <div class="gd-explorer"
// data-explorer="..."> in a page is filled from its data-* attributes, which the page sets from the
// build's own numbers ({{ value: ... }}), so a widget starts where the figure and the prose are.
// The div is `hidden` in the HTML: without JavaScript the reader sees only the static figure.
// All the math is gdmath.js (gdnotes' math); this file only draws what moves, as SVG.
import { run, getObjective, getOptimizer } from "./gdmath.js";

const SVGNS = "http://www.w3.org/2000/svg";
const W = 640, H = 400;

function el(tag, attrs = {}, ...kids) {
  const svg = tag.startsWith("svg:");
  const node = svg ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (v !== false && v != null) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...kids);
  return node;
}

// The explorers' look, here so that it loads only on pages with an explorer. Colours are the
// figures' Okabe–Ito series (gdnotes/style.py); ink follows material's light and dark (slate) schemes.
const CSS = `
.gd-explorer{border:1px solid var(--md-default-fg-color--lightest);border-radius:.3rem;padding:.6rem .8rem;margin:1em 0}
.gd-x-controls{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;font-size:.7rem}
.gd-x-slider{display:flex;align-items:center;gap:.4rem;min-height:2rem}
.gd-x-slider input[type=range]{width:9rem;flex:1 1 6rem;min-width:4rem;max-width:12rem}.gd-x-slider output{min-width:3.5em;font-variant-numeric:tabular-nums}
.gd-x-racer{display:flex;align-items:center;gap:.3rem;border-left:.35rem solid var(--c);padding-left:.3rem}
.gd-x-racer label:first-of-type{min-width:5.2em}.gd-x-racer .gd-x-slider{flex:1;min-width:0}
.gd-x-plot{display:block;width:100%;height:auto;max-width:640px;margin:.4rem auto;touch-action:manipulation;cursor:crosshair}
.gd-x-map{max-width:420px;cursor:default}
.gd-x-contour,.gd-x-curve{fill:none;stroke:var(--md-default-fg-color--light);stroke-width:.8}
.gd-x-curve{stroke-width:2}
.gd-x-run{fill:none;stroke:var(--c,#0072B2);stroke-width:1.6}
.gd-x-dot{fill:var(--c,#0072B2)}.gd-x-now{stroke:var(--md-default-fg-color);stroke-width:1.5}
.gd-x-start{fill:none;stroke:var(--md-default-fg-color);stroke-width:2}
.gd-x-region{fill:var(--md-default-fg-color--lightest);stroke:var(--md-default-fg-color--light)}
.gd-x-plot text{fill:var(--md-default-fg-color);font-size:14px}
.gd-x-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.gd-x-slider label{white-space:nowrap}
.gd-x-racers{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,16rem),1fr));gap:0 1rem;width:100%}
.gd-x-faint{opacity:.35}
.gd-x-readout{font-size:.7rem;min-height:3em}
.gd-x-c0{--c:#777777}.gd-x-c1{--c:#E69F00}.gd-x-c2{--c:#D55E00}.gd-x-c3{--c:#56B4E9}
.gd-x-c4{--c:#009E73}.gd-x-c5{--c:#CC79A7}.gd-x-c6{--c:#0072B2}.gd-x-c7{--c:#999999}
.gd-x-c7.gd-x-run,.gd-x-c2.gd-x-run{stroke-dasharray:6 4}
[data-md-color-scheme=slate] .gd-x-c0{--c:#bbbbbb}
`;
document.head.append(el("style", { text: CSS }));

const numbers = (text) => text.split(/[ ,]+/).filter(Boolean).map(Number);
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
// Numbers as the site writes them: 4 significant digits, small ones as 4.4 × 10⁻⁹.
const fmt = (v, digits = 4) => {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "—" : "∞";
  if (Math.abs(v) >= 1e-3 || v === 0) return String(+v.toPrecision(digits));
  const [m, e] = v.toExponential(digits - 1).split("e");
  return `${+m} × 10${[...String(+e)].map((ch) => SUPERSCRIPT[ch]).join("")}`;
};
let uid = 0;

// A native range slider with its label and its shown value; `log` sliders move in log10.
function slider(box, { label, min, max, step, value, log = false, digits = 4, hideLabel = false }, onInput) {
  const id = `gd-x${++uid}`, out = el("output", { for: id });
  const input = el("input", {
    id, type: "range", min, max, step,
    value: log ? Math.log10(value) : value,
  });
  const read = () => (log ? 10 ** +input.value : +input.value);
  let current = value;
  const show = () => { out.textContent = fmt(current, digits); input.setAttribute("aria-valuetext", `${label} ${fmt(current, digits)}`); };
  input.addEventListener("input", () => { current = read(); show(); onInput(); });
  show();
  box.append(el("div", { class: "gd-x-slider" }, el("label", { for: id, text: label, class: hideLabel && "gd-x-sr" }), input, out));
  return {
    get value() { return current; },
    set value(v) { current = v; input.value = log ? Math.log10(v) : v; show(); },
  };
}

// An SVG plot of a data box [[x0, x1], [y0, y1]]: a static layer and a layer redrawn on input.
function plot(box, bounds, { label, height = H, equal = false }) {
  const [[x0, x1], [y0, y1]] = bounds;
  let h = height;
  if (equal) h = Math.round(W * (y1 - y0) / (x1 - x0));
  const px = (x) => ((x - x0) / (x1 - x0)) * W, py = (y) => h - ((y - y0) / (y1 - y0)) * h;
  const svg = el("svg:svg", { viewBox: `0 0 ${W} ${h}`, class: "gd-x-plot", role: "img", "aria-label": label });
  const clip = `gd-x-clip${++uid}`;
  svg.append(el("svg:clipPath", { id: clip }, el("svg:rect", { width: W, height: h })));
  const back = el("svg:g", { "clip-path": `url(#${clip})` }), front = el("svg:g", { "clip-path": `url(#${clip})` });
  svg.append(back, front);
  box.append(svg);
  const toData = (event) => {
    const r = svg.getBoundingClientRect();
    return [x0 + ((event.clientX - r.left) / r.width) * (x1 - x0), y1 - ((event.clientY - r.top) / r.height) * (y1 - y0)];
  };
  const path = (pts, attrs) => el("svg:polyline", {
    points: pts.filter((p) => p.every(Number.isFinite)).map(([a, b]) => `${px(a).toFixed(1)},${py(b).toFixed(1)}`).join(" "),
    fill: "none", ...attrs,
  });
  const dot = (x, y, r, attrs) => el("svg:circle", { cx: px(x).toFixed(1), cy: py(y).toFixed(1), r, ...attrs });
  return { svg, back, front, px, py, h, toData, path, dot };
}

// Contours of a 2-D objective: level sets of log(f - min + 1e-3), traced by marching squares on a grid.
function contours(p, f, bounds, levels = 14, n = 90) {
  const [[x0, x1], [y0, y1]] = bounds, vals = [];
  for (let j = 0; j <= n; j++) for (let i = 0; i <= n; i++) vals.push(f([x0 + ((x1 - x0) * i) / n, y0 + ((y1 - y0) * j) / n]));
  const lo = Math.min(...vals), hi = Math.max(...vals);
  const g = vals.map((v) => Math.log(v - lo + 1e-3)), gl = Math.log(1e-3), gh = Math.log(hi - lo + 1e-3);
  const at = (i, j) => g[j * (n + 1) + i], X = (i) => x0 + ((x1 - x0) * i) / n, Y = (j) => y0 + ((y1 - y0) * j) / n;
  let d = "";
  for (let k = 1; k < levels; k++) {
    const c = gl + ((gh - gl) * k) / levels;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]], cut = [];
      for (let e = 0; e < 4; e++) {
        const [a, b] = [corners[e], corners[(e + 1) % 4]], va = at(...a) - c, vb = at(...b) - c;
        if ((va < 0) !== (vb < 0)) {
          const t = va / (va - vb);
          cut.push([X(a[0] + t * (b[0] - a[0])), Y(a[1] + t * (b[1] - a[1]))]);
        }
      }
      for (let e = 0; e + 1 < cut.length; e += 2) d += `M${p.px(cut[e][0]).toFixed(1)} ${p.py(cut[e][1]).toFixed(1)}L${p.px(cut[e + 1][0]).toFixed(1)} ${p.py(cut[e + 1][1]).toFixed(1)}`;
    }
  }
  p.back.replaceChildren(el("svg:path", { d, class: "gd-x-contour" }));
}

// Start-point sliders, also set by a click on the plot (keyboard: the sliders).
function startControls(box, p, bounds, x0, redraw) {
  const [[a0, a1], [b0, b1]] = bounds, step = (a1 - a0) / 200;
  const sx = slider(box, { label: "start x₁", min: a0, max: a1, step, value: x0[0], digits: 3 }, redraw);
  const sy = slider(box, { label: "start x₂", min: b0, max: b1, step, value: x0[1], digits: 3 }, redraw);
  p.svg.addEventListener("click", (event) => {
    const [x, y] = p.toData(event);
    sx.value = x; sy.value = y; redraw();
  });
  return () => [sx.value, sy.value];
}

function readout(box) {
  const out = el("p", { class: "gd-x-readout", "aria-live": "polite" });
  box.append(out);
  return out;
}

const distance = (pt) => Math.hypot(...pt);
// gd.measured_rate: the geometric-mean contraction of the error over the second half of the run.
function measuredRate(errors) {
  const stop = errors.length - 1, start = Math.floor(stop / 2);
  if (!Number.isFinite(errors[stop]) || !Number.isFinite(errors[start])) return Infinity;
  return errors[start] === 0 ? 0 : (errors[stop] / errors[start]) ** (1 / (stop - start));
}

// ---------------------------------------------------------------------------- the explorers
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

// A 2-D quadratic valley: contours, a path, measured vs predicted rate.
function valley(box, d, momentum) {
  const angle = (+d.angle * Math.PI) / 180, steps = +d.steps, bounds = [numbers(d.xlim), numbers(d.ylim)];
  const controls = el("div", { class: "gd-x-controls" });
  box.append(controls);
  const p = plot(box, bounds, { label: "contours of the quadratic valley with the path of the run", equal: true });
  const text = readout(box);
  const kappa = slider(controls, { label: "condition number κ", min: 0, max: 3, step: 0.01, value: +d.kappa, log: true, digits: 3 }, () => { drawBowl(); redraw(); });
  const eta = slider(controls, { label: "learning rate η", min: 0.01, max: momentum ? 4 : 2.2, step: 0.001, value: +d.lr }, redraw);
  const beta = momentum && slider(controls, { label: "momentum β", min: 0, max: 0.99, step: 0.001, value: +d.beta }, redraw);
  const spec = () => ({ name: "ill_conditioned", kappa: kappa.value, angle });
  const drawBowl = () => contours(p, getObjective(spec()).value, bounds);
  const start = momentum ? rotate(numbers(d.x0), angle) : numbers(d.x0);
  const startAt = startControls(controls, p, bounds, start, redraw);
  const map = momentum && regionMap(box);
  drawBowl();
  function redraw() {
    const mu = 1 / kappa.value, L = 1, hyper = { lr: eta.value, ...(momentum && { momentum: beta.value }) };
    const pts = run({ optimizer: "sgd", hyper, objective: spec(), x0: startAt(), steps });
    const rate = measuredRate(pts.map(distance));
    p.front.replaceChildren(p.path(pts, { class: "gd-x-run" }), ...pts.filter((q) => q.every(Number.isFinite)).map(([x, y]) => p.dot(x, y, 2.5, { class: "gd-x-dot" })), p.dot(...startAt(), 5, { class: "gd-x-start" }));
    const k = kappa.value;
    if (!momentum) {
      const predicted = Math.max(Math.abs(1 - eta.value * mu), Math.abs(1 - eta.value * L));
      text.textContent = `κ = ${fmt(k, 3)}, η = ${fmt(eta.value)}: measured rate ${fmt(rate)} per step (second half of ${steps} steps), ` +
        `predicted max(|1 − ημ|, |1 − ηL|) = ${fmt(predicted)}. Best fixed step η* = 2/(μ + L) = ${fmt(2 / (mu + L))}, rate (κ − 1)/(κ + 1) = ${fmt((k - 1) / (k + 1))}.`;
    } else {
      const polyak = (Math.sqrt(k) - 1) / (Math.sqrt(k) + 1);
      const predicted = Math.max(...[mu, L].map((lam) => heavyBallRate(eta.value, beta.value, lam)));
      text.textContent = `κ = ${fmt(k, 3)}, η = ${fmt(eta.value)}, β = ${fmt(beta.value)}: measured rate ${fmt(rate)} per step ` +
        `(second half of ${steps} steps), predicted ${fmt(predicted)}; Polyak's optimum (√κ − 1)/(√κ + 1) = ${fmt(polyak)} ` +
        `at η* = ${fmt(4 / (Math.sqrt(L) + Math.sqrt(mu)) ** 2)}, β* = ${fmt(polyak ** 2)}.`;
      map(eta.value, beta.value, L, k);
    }
  }
  redraw();
}

const rotate = ([a, b], angle) => [Math.cos(angle) * a - Math.sin(angle) * b, Math.sin(angle) * a + Math.cos(angle) * b];

// The heavy ball along a direction of curvature λ: the larger |root| of r² − (1 + β − ηλ) r + β.
function heavyBallRate(eta, beta, lam) {
  const b = 1 + beta - eta * lam, disc = b * b - 4 * beta;
  return disc < 0 ? Math.sqrt(beta) : (Math.abs(b) + Math.sqrt(disc)) / 2;
}

// Where the heavy ball converges on every curvature up to L: 0 ≤ β < 1, 0 < η < 2(1 + β)/L.
function regionMap(box) {
  const p = plot(box, [[0, 4.2], [0, 1]], { label: "convergence region of the heavy ball in the (η, β) plane, with the current setting marked", height: 220 });
  p.svg.classList.add("gd-x-map");
  return (eta, beta, L, kappa) => {
    const corners = [[0, 0], [2 / L, 0], [4 / L, 1], [0, 1]].map(([a, b]) => `${p.px(a)},${p.py(b)}`).join(" ");
    const polyak = (Math.sqrt(kappa) - 1) / (Math.sqrt(kappa) + 1), mu = L / kappa;
    p.front.replaceChildren(el("svg:polygon", { points: corners, class: "gd-x-region" }),
      el("svg:text", { x: p.px(0.1), y: p.py(0.08), text: "converges: η < 2(1 + β)/L" }),
      el("svg:text", { x: p.px(3), y: p.py(0.08), text: "diverges" }),
      p.dot(4 / (Math.sqrt(L) + Math.sqrt(mu)) ** 2, polyak ** 2, 6, { class: "gd-x-start" }),
      p.dot(eta, beta, 6, { class: "gd-x-dot gd-x-now" }),
      el("svg:text", { x: p.px(0.1), y: p.py(0.9), text: "β = 1" }), el("svg:text", { x: p.px(2 / L) - 10, y: p.py(0.2), text: "2/L" }),
      el("svg:text", { x: p.px(4 / L) - 40, y: p.py(0.9), text: "4/L" }),
      el("svg:text", { x: p.px(1.2), y: p.py(0.9), text: "η across, β up; ● now, ○ Polyak's optimum" }));
  };
}

// The optimizer race: the line-up of gd.racing.LINEUP, each with its tuned learning rate.
const LINEUP = {
  GD: (lr) => ["sgd", { lr }], momentum: (lr, m) => ["sgd", { lr, momentum: m }],
  Nesterov: (lr, m) => ["sgd", { lr, momentum: m, nesterov: true }], AdaGrad: (lr) => ["adagrad", { lr }],
  RMSprop: (lr) => ["rmsprop", { lr }], Adadelta: (lr) => ["adadelta", { lr }],
  Adam: (lr) => ["adam", { lr }], AdamW: (lr) => ["adamw", { lr }],
};

function race(box, d) {
  const m = +d.momentum, names = Object.keys(LINEUP), races = {};
  for (const key of d.races.split(" ")) {
    const at = (what) => d[key + what];
    races[key] = { x0: numbers(at("X0")), steps: +at("Steps"), lrs: numbers(at("Lrs")), view: [numbers(at("Xlim")), numbers(at("Ylim"))] };
  }
  const controls = el("div", { class: "gd-x-controls" });
  box.append(controls);
  const which = el("select", { id: `gd-x${++uid}` }, ...Object.keys(races).map((k) => el("option", { value: k, text: k })));
  controls.append(el("div", { class: "gd-x-slider" }, el("label", { for: which.id, text: "landscape" }), which));
  let p, startAt, spec;
  const holder = el("div");
  box.insertBefore(holder, controls);
  const text = readout(box);
  const racerBox = el("div", { class: "gd-x-racers" });
  controls.append(racerBox);
  const racers = names.map((name, i) => {
    const on = el("input", { type: "checkbox", id: `gd-x${++uid}`, checked: true });
    on.addEventListener("change", redraw);
    const row = el("div", { class: `gd-x-racer gd-x-c${i}` }, on, el("label", { for: on.id, text: name }));
    racerBox.append(row);
    return { name, on, lr: slider(row, { label: `${name} learning rate`, min: -4, max: Math.log10(3), step: 0.01, value: 1, log: true, digits: 2, hideLabel: true }, redraw) };
  });
  const startBox = el("div", { class: "gd-x-controls" });
  controls.append(startBox);
  function setup() {
    spec = races[which.value];
    racers.forEach((r, i) => { r.lr.value = spec.lrs[i]; });
    holder.replaceChildren();
    startBox.replaceChildren();
    p = plot(holder, spec.view, { label: `contours of ${which.value} with the paths of the chosen optimizers`, equal: true });
    contours(p, getObjective(which.value).value, spec.view);
    startAt = startControls(startBox, p, spec.view, spec.x0, redraw);
    redraw();
  }
  which.addEventListener("change", setup);
  function redraw() {
    const f = getObjective(which.value), lines = [], ends = [];
    racers.forEach((r, i) => {
      if (!r.on.checked) return;
      const [optimizer, hyper] = LINEUP[r.name](r.lr.value, m);
      const pts = run({ optimizer, hyper, objective: which.value, x0: startAt(), steps: spec.steps });
      lines.push(p.path(pts, { class: `gd-x-run gd-x-c${i}` }));
      const end = pts.findLast((q) => q.every(Number.isFinite));
      ends.push(`${r.name} (η = ${fmt(r.lr.value, 2)}) ${pts.length - 1 === pts.indexOf(end) ? `ends at f = ${fmt(f.value(end), 3)}` : "diverged"}`);
    });
    p.front.replaceChildren(...lines, p.dot(...startAt(), 5, { class: "gd-x-start" }));
    text.textContent = `${spec.steps} steps from (${startAt().map((v) => fmt(v, 3)).join(", ")}): ${ends.join("; ") || "choose an optimizer"}.`;
  }
  setup();
}

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

const EXPLORERS = { "learning-rate": learningRate, "two-dimensions": (b, d) => valley(b, d, false), momentum: (b, d) => valley(b, d, true), race, stochastic };

for (const box of document.querySelectorAll(".gd-explorer[data-explorer]")) {
  EXPLORERS[box.dataset.explorer](box, box.dataset);
  box.hidden = false;
}
