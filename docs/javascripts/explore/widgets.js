// widgets.js: what every explorer shares: sliders, an SVG plot, contours, the readout, the look.
// Each <div class="gd-explorer" data-explorer="..."> in a page is filled from its data-*
// attributes, which the page sets from the build's own numbers ({{ value: ... }}), so a widget
// starts where the figure and the prose are. The div is `hidden` in the HTML: without JavaScript
// the reader sees only the static figure. The math is gdmath.js (gdnotes' math); the explorers
// (one small module per page) draw only what moves, as SVG.
const SVGNS = "http://www.w3.org/2000/svg";
const W = 640, H = 400;

export function el(tag, attrs = {}, ...kids) {
  const svg = tag.startsWith("svg:");
  const node = svg ? document.createElementNS(SVGNS, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (v !== false && v != null) node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...kids);
  return node;
}

// The explorers' look, here so that it loads only on pages with an explorer (the racers' colours
// are in race.js). Runs are the figures' blue; ink follows material's light and dark (slate) schemes.
const CSS = `
.gd-explorer{--c:#0072B2;border:1px solid var(--md-default-fg-color--lightest);border-radius:.3rem;padding:.6rem .8rem;margin:1em 0}
.gd-x-controls{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;font-size:.7rem}
.gd-x-slider{display:flex;align-items:center;gap:.4rem;min-height:2rem;flex:1 1 15rem;min-width:0;max-width:24rem}
.gd-x-slider input[type=range]{flex:1 1 0;min-width:3rem;width:auto}.gd-x-slider output{min-width:3.5em;font-variant-numeric:tabular-nums}
.gd-x-plot{display:block;width:100%;height:auto;max-width:640px;margin:.4rem auto;touch-action:manipulation}
.gd-x-map{max-width:420px}.gd-x-click{cursor:crosshair}
.gd-x-contour,.gd-x-curve{fill:none;stroke:var(--md-default-fg-color--light);stroke-width:.8}
.gd-x-curve{stroke-width:2}
.gd-x-run{fill:none;stroke:var(--c);stroke-width:1.6}
.gd-x-dot{fill:var(--c)}.gd-x-now{stroke:var(--md-default-fg-color);stroke-width:1.5}
.gd-x-start{fill:none;stroke:var(--md-default-fg-color);stroke-width:2}
.gd-x-region{fill:var(--md-default-fg-color--lightest);stroke:var(--md-default-fg-color--light)}
.gd-x-plot text{fill:var(--md-default-fg-color);font-size:14px}
.gd-x-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.gd-x-slider label{white-space:nowrap}
.gd-x-faint{opacity:.35}
.gd-x-readout{font-size:.7rem;min-height:3em}
[data-md-color-scheme=slate] .gd-explorer{--c:#56B4E9}
`;
export const addStyle = (css) => document.head.append(el("style", { text: css }));
addStyle(CSS);

export const numbers = (text) => text.split(/[ ,]+/).filter(Boolean).map(Number);
const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };
// Numbers as the site writes them: 4 significant digits, small ones as 4.4 × 10⁻⁹.
export const fmt = (v, digits = 4) => {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "—" : "∞";
  if (Math.abs(v) >= 1e-3 || v === 0) return String(+v.toPrecision(digits));
  const [m, e] = v.toExponential(digits - 1).split("e");
  return `${+m} × 10${[...String(+e)].map((ch) => SUPERSCRIPT[ch]).join("")}`;
};
let uid = 0;
export const newId = () => `gd-x${++uid}`;

// A native range slider with its label and its shown value; `log` sliders move in log10.
export function slider(box, { label, min, max, step, value, log = false, digits = 4, hideLabel = false }, onInput) {
  const id = newId(), out = el("output", { for: id });
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
export function plot(box, bounds, { label, height = H, equal = false, width = W }) {
  const [[x0, x1], [y0, y1]] = bounds;
  let h = height;
  if (equal) h = Math.round(width * (y1 - y0) / (x1 - x0));
  const px = (x) => ((x - x0) / (x1 - x0)) * width, py = (y) => h - ((y - y0) / (y1 - y0)) * h;
  const svg = el("svg:svg", { viewBox: `0 0 ${width} ${h}`, class: "gd-x-plot", role: "img", "aria-label": label });
  const clip = newId();
  svg.append(el("svg:clipPath", { id: clip }, el("svg:rect", { width, height: h })));
  const back = el("svg:g", { "clip-path": `url(#${clip})` }), front = el("svg:g", { "clip-path": `url(#${clip})` });
  svg.append(back, front);
  box.append(svg);
  const toData = (event) => {
    const r = svg.getBoundingClientRect();
    return [x0 + ((event.clientX - r.left) / r.width) * (x1 - x0), y1 - ((event.clientY - r.top) / r.height) * (y1 - y0)];
  };
  // A polyline through the finite points, skipping points under half a pixel from the last one
  // kept: a run of 1000 steps that has converged draws as a few dozen vertices.
  const path = (pts, attrs) => {
    const kept = [];
    let lx = Infinity, ly = Infinity;
    pts.forEach(([a, b], k) => {
      if (!Number.isFinite(a) || !Number.isFinite(b)) return;
      const x = px(a), y = py(b);
      if (Math.abs(x - lx) + Math.abs(y - ly) < 0.5 && k < pts.length - 1) return;
      kept.push(`${Math.round(x * 10) / 10},${Math.round(y * 10) / 10}`);
      lx = x; ly = y;
    });
    return el("svg:polyline", { points: kept.join(" "), fill: "none", ...attrs });
  };
  const dot = (x, y, r, attrs) => el("svg:circle", { cx: px(x).toFixed(1), cy: py(y).toFixed(1), r, ...attrs });
  return { svg, back, front, px, py, h, toData, path, dot };
}

// Start-point sliders, also set by a click on the plot (keyboard: the sliders).
export function startControls(box, p, bounds, x0, redraw) {
  const [[a0, a1], [b0, b1]] = bounds, step = (a1 - a0) / 200;
  const sx = slider(box, { label: "start x₁", min: a0, max: a1, step, value: x0[0], digits: 3 }, redraw);
  const sy = slider(box, { label: "start x₂", min: b0, max: b1, step, value: x0[1], digits: 3 }, redraw);
  p.svg.classList.add("gd-x-click");
  p.svg.addEventListener("click", (event) => {
    const [x, y] = p.toData(event);
    sx.value = x; sy.value = y; redraw();
  });
  return () => [sx.value, sy.value];
}

export function readout(box) {
  const out = el("p", { class: "gd-x-readout", "aria-live": "polite" });
  box.append(out);
  return out;
}

// Fill every explorer `name` on the page with `build(box, box.dataset)` and show it.
export function mount(name, build) {
  for (const box of document.querySelectorAll(`.gd-explorer[data-explorer="${name}"]`)) {
    build(box, box.dataset);
    box.hidden = false;
  }
}
