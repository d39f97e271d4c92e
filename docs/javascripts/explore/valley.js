// valley.js: gradient descent (κ, η, start) and the heavy ball (κ, η, β) on a tilted quadratic valley.
import { getObjective, run } from "./gdmath.js";
import { contours } from "./contours.js";
import { el, fmt, mount, numbers, plot, readout, slider, startControls } from "./widgets.js";

const distance = (pt) => Math.hypot(...pt);
// gd.measured_rate: the geometric-mean contraction of the error over the second half of the run.
function measuredRate(errors) {
  const stop = errors.length - 1, start = Math.floor(stop / 2);
  if (!Number.isFinite(errors[stop]) || !Number.isFinite(errors[start])) return Infinity;
  return errors[start] === 0 ? 0 : (errors[stop] / errors[start]) ** (1 / (stop - start));
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
    const k = kappa.value, from = `from (${startAt().map((v) => fmt(v, 3)).join(", ")})`;
    if (!momentum) {
      const predicted = Math.max(Math.abs(1 - eta.value * mu), Math.abs(1 - eta.value * L));
      text.textContent = `κ = ${fmt(k, 3)}, η = ${fmt(eta.value)}: measured rate ${fmt(rate)} per step (second half of ${steps} steps ${from}), ` +
        `predicted max(|1 − ημ|, |1 − ηL|) = ${fmt(predicted)}. Best fixed step η* = 2/(μ + L) = ${fmt(2 / (mu + L))}, rate (κ − 1)/(κ + 1) = ${fmt((k - 1) / (k + 1))}.`;
    } else {
      const polyak = (Math.sqrt(k) - 1) / (Math.sqrt(k) + 1);
      const predicted = Math.max(...[mu, L].map((lam) => heavyBallRate(eta.value, beta.value, lam)));
      text.textContent = `κ = ${fmt(k, 3)}, η = ${fmt(eta.value)}, β = ${fmt(beta.value)}: measured rate ${fmt(rate)} per step ` +
        `(second half of ${steps} steps ${from}), predicted ${fmt(predicted)}; Polyak's optimum (√κ − 1)/(√κ + 1) = ${fmt(polyak)} ` +
        `at η* = ${fmt(4 / (Math.sqrt(L) + Math.sqrt(mu)) ** 2)}, β* = ${fmt(polyak ** 2)}. On the map of (η, β): ● now, ○ Polyak's optimum.`;
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
  const p = plot(box, [[0, 4.2], [0, 1]], { label: "convergence region of the heavy ball in the (η, β) plane, with the current setting marked", height: 200, width: 400 });
  p.svg.classList.add("gd-x-map");
  return (eta, beta, L, kappa) => {
    const corners = [[0, 0], [2 / L, 0], [4 / L, 1], [0, 1]].map(([a, b]) => `${p.px(a)},${p.py(b)}`).join(" ");
    const polyak = (Math.sqrt(kappa) - 1) / (Math.sqrt(kappa) + 1), mu = L / kappa;
    p.front.replaceChildren(el("svg:polygon", { points: corners, class: "gd-x-region" }),
      el("svg:text", { x: p.px(0.1), y: p.py(0.45), text: "converges:" }),
      el("svg:text", { x: p.px(0.1), y: p.py(0.3), text: "η < 2(1 + β)/L" }),
      el("svg:text", { x: p.px(3.1), y: p.py(0.2), text: "diverges" }),
      p.dot(4 / (Math.sqrt(L) + Math.sqrt(mu)) ** 2, polyak ** 2, 6, { class: "gd-x-start" }),
      p.dot(eta, beta, 6, { class: "gd-x-dot gd-x-now" }),
      el("svg:text", { x: p.px(0.1), y: p.py(0.88), text: "β = 1" }), el("svg:text", { x: p.px(2 / L) - 12, y: p.py(0.02) - 4, text: "2/L" }),
      el("svg:text", { x: p.px(4 / L) - 30, y: p.py(0.88), text: "4/L" }));
  };
}

mount("two-dimensions", (box, d) => valley(box, d, false));
mount("momentum", (box, d) => valley(box, d, true));
