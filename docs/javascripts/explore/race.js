// race.js: the optimizer race: choose optimizers, their learning rates, the landscape and the start.
import { getObjective, run } from "./gdmath.js";
import "./adaptive.js";
import "./landscapes.js";
import { contours } from "./contours.js";
import { addStyle, el, fmt, mount, newId, numbers, plot, readout, slider, startControls } from "./widgets.js";

// Each racer in its colour of the race figures (Okabe–Ito; GD black, white in dark mode).
addStyle(`
.gd-x-racers{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,14.5rem),1fr));gap:0 1rem;width:100%}
.gd-x-racer{display:flex;align-items:center;gap:.3rem;border-left:.35rem solid var(--c);padding-left:.3rem}
.gd-x-racer label:first-of-type{min-width:5.2em}.gd-x-racer .gd-x-slider{flex:1;min-width:0}
.gd-x-c0{--c:#000000}.gd-x-c1{--c:#E69F00}.gd-x-c2{--c:#D55E00}.gd-x-c3{--c:#56B4E9}
.gd-x-c4{--c:#009E73}.gd-x-c5{--c:#CC79A7}.gd-x-c6{--c:#0072B2}.gd-x-c7{--c:#999999}
.gd-x-c7.gd-x-run,.gd-x-c2.gd-x-run{stroke-dasharray:6 4}
[data-md-color-scheme=slate] .gd-x-c0{--c:#e2e4e9}`);

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
  const which = el("select", { id: newId() }, ...Object.keys(races).map((k) => el("option", { value: k, text: k })));
  controls.append(el("div", { class: "gd-x-slider" }, el("label", { for: which.id, text: "landscape" }), which));
  let p, startAt, spec;
  const holder = el("div");
  box.insertBefore(holder, controls);
  const text = readout(box);
  const racerBox = el("div", { class: "gd-x-racers" });
  controls.append(racerBox);
  const racers = names.map((name, i) => {
    const on = el("input", { type: "checkbox", id: newId(), checked: true });
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

mount("race", race);
