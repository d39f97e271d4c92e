// gdmath.js: gdnotes' objectives and optimizers in the browser, for the explorers.
//
// The same names, hyperparameters, defaults and order of floating-point operations as
// gdnotes/objectives.py, gdnotes/optimizers.py and gdnotes/runs.py (torch's conventions), so
// a run here equals gd.run(...).points to rounding: tests/browser/test_explorers.py holds
// every optimizer and objective here, in adaptive.js and in landscapes.js to a relative error
// of 1e-12 against gd.run.
// A point is a plain array of d numbers; JavaScript numbers are float64, like numpy's.

// ---------------------------------------------------------------------------- objectives
// Each objective: {name, dim, value(p), grad(p), finiteWithin}, with the formulas written as in
// Python; finiteWithin is a radius inside which value and gradient cannot overflow (gd.run's idea).

const rotation = (angle) => {
  const c = Math.cos(angle), s = Math.sin(angle);
  return [[c, -s], [s, c]];
};

// ½ xᵀA x + bᵀx with A = R diag(eigenvalues) Rᵀ (R rotates by `angle` in 2-D); b = 0.
function quadratic({ eigenvalues, angle = 0 }) {
  const d = eigenvalues.length;
  const R = d === 2 ? rotation(angle) : eigenvalues.map((_, i) => eigenvalues.map((_, j) => +(i === j)));
  const RD = R.map((row) => row.map((r, k) => r * eigenvalues[k]));
  const A = RD.map((row) => R.map((rj) => row.reduce((sum, v, k) => (k ? sum + v * rj[k] : v * rj[k]), 0)));
  const pA = (p) => A[0].map((_, j) => p.reduce((sum, pi, i) => (i ? sum + pi * A[i][j] : pi * A[i][j]), 0));
  return {
    name: "quadratic", dim: d, A,
    finiteWithin: 1e100 / (1 + d * Math.max(...A.flat().map(Math.abs))),
    value: (p) => 0.5 * pA(p).reduce((sum, v, i) => (i ? sum + v * p[i] : v * p[i]), 0),
    grad: (p) => pA(p).map((v) => v + 0),
  };
}

// A 2-D bowl with eigenvalues (L/kappa, L): a long, narrow valley.
function ill_conditioned({ kappa, L = 1, angle = 0 }) {
  return { ...quadratic({ eigenvalues: [L / kappa, L], angle }), name: "ill_conditioned" };
}

// x² + c: the minimiser is 0 whatever c is (1-D).
function parabola_plus({ c = 5 } = {}) {
  return { name: "parabola_plus", dim: 1, finiteWithin: 1e100 / (1 + Math.abs(c)), value: (p) => p[0] ** 2 + c, grad: (p) => [2 * p[0]] };
}

// Mean squared error of the line ŷ = w x + b on data; parameters θ = (w, b).
function line_mse({ x_data, y_data }) {
  const n = x_data.length, mean = (f) => x_data.reduce((s, x, i) => s + f(x, y_data[i]), 0) / n;
  return {
    name: "line_mse", dim: 2,
    value: ([w, b]) => mean((x, y) => (w * x + b - y) ** 2),
    grad: ([w, b]) => [2 * mean((x, y) => (w * x + b - y) * x), 2 * mean((x, y) => w * x + b - y)],
  };
}

// landscapes.js adds the race's rosenbrock, beale and saddle.
export const OBJECTIVES = { parabola_plus, quadratic, ill_conditioned, line_mse };

// "rosenbrock" or {name: "ill_conditioned", kappa: 10, angle: 0.5}: keyword names as in gdnotes.
export function getObjective(spec) {
  const { name, ...kwargs } = typeof spec === "string" ? { name: spec } : spec;
  if (!(name in OBJECTIVES)) throw new Error(`objective name must be one of ${Object.keys(OBJECTIVES)}, got ${name}`);
  return OBJECTIVES[name](kwargs);
}

// ---------------------------------------------------------------------------- stages
// A stage turns the gradient into a better direction: {init(p), update(g, s, p, t) -> [g', s']}.
export const zeros = (p) => p.map(() => 0);

// g + ωθ. First in the chain it is torch's L2 weight_decay; after the scaling, AdamW's decoupled decay.
export const addWeightDecay = (wd) => wd === 0 ? null : {
  init: () => ({}),
  update: (g, s, p) => [g.map((gi, i) => gi + wd * p[i]), s],
};

// torch's SGD momentum buffer: v₁ = g₁, then v ← μ v + (1 - τ) g; Nesterov steps along g + μ v.
export const trace = (mu, dampening = 0, nesterov = false) => mu === 0 ? null : {
  init: () => ({}),
  update: (g, s, p, t) => {
    const v = t === 1 ? g.slice() : g.map((gi, i) => mu * s.v[i] + (dampening === 0 ? gi : (1 - dampening) * gi));
    return [nesterov ? g.map((gi, i) => gi + mu * v[i]) : v, { v }];
  },
};

// ---------------------------------------------------------------------------- optimizers
// θ ← θ - lr(t) · (the stages applied to the gradient); torch counts steps t from 1.
export function chain(lr, ...stages) {
  stages = stages.filter(Boolean);
  return {
    init: (p) => ({ t: 0, stages: stages.map((s) => s.init(p)) }),
    update: (state, p, grad) => {
      const t = state.t + 1, lrT = typeof lr === "function" ? lr(t - 1) : lr, next = [];
      let g = grad;
      for (let k = 0; k < stages.length; k++) {
        const [direction, s] = stages[k].update(g, state.stages[k], p, t);
        g = direction;
        next.push(s);
      }
      return [p.map((pi, i) => pi - lrT * g[i]), { t, stages: next }];
    },
  };
}

const sgd = ({ lr, momentum = 0, dampening = 0, weight_decay = 0, nesterov = false }) =>
  chain(lr, addWeightDecay(weight_decay), trace(momentum, dampening, nesterov));

// adaptive.js adds adagrad, rmsprop, adadelta, adam and adamw (only the race needs them).
export const OPTIMIZERS = { sgd };

export function getOptimizer(name, hyper = {}) {
  if (!(name in OPTIMIZERS)) throw new Error(`optimizer name must be one of ${Object.keys(OPTIMIZERS)}, got ${name}`);
  return OPTIMIZERS[name](hyper);
}

// ---------------------------------------------------------------------------- run
const sumOfSquares = (v) => v.reduce((s, vi) => s + vi * vi, 0);

// gd.run for one start: steps + 1 points from x0. As in gd.run, a run that leaves ‖x‖ <= bound or
// meets a non-finite value or gradient diverged: that point and every later one is NaN.
export function run({ optimizer, hyper = {}, objective, x0, steps, bound = 1e8 }) {
  const opt = getOptimizer(optimizer, hyper), f = getObjective(objective);
  if (x0.length !== f.dim) throw new Error(`x0 must have ${f.dim} coordinates, got ${x0.length}`);
  // As gd.run: inside a radius where the objective's value and gradient are certainly finite,
  // a run within ‖x‖ <= bound needs no check of them.
  const checked = !(bound <= f.finiteWithin);
  const points = [x0.slice()];
  let x = x0.slice(), g = f.grad(x), state = opt.init(x);
  for (let k = 1; k <= steps; k++) {
    [x, state] = opt.update(state, x, g);
    g = f.grad(x);
    const healthy = Math.sqrt(sumOfSquares(x)) <= bound && x.every(Number.isFinite)
      && (!checked || (Number.isFinite(f.value(x)) && Number.isFinite(sumOfSquares(g))));
    if (!healthy) {
      while (points.length <= steps) points.push(x0.map(() => NaN));
      break;
    }
    points.push(x);
  }
  return points;
}

window.gdnotesExplore = { ...window.gdnotesExplore, run, getObjective, getOptimizer };
