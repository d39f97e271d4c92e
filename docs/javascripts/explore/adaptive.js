// adaptive.js: AdaGrad, RMSprop, Adadelta, Adam and AdamW for gdmath.js, as stages of its chain
// (gdnotes/optimizers.py's scale_by_* stages, torch's defaults). Only the race page loads them.
import { OPTIMIZERS, addWeightDecay, chain, trace, zeros } from "./gdmath.js";

// AdaGrad: G ← G + g², step g / (√G + ε).
const scaleByRss = (initial, eps) => ({
  init: (p) => ({ sum: p.map(() => 0 + initial) }),
  update: (g, s) => {
    const sum = g.map((gi, i) => s.sum[i] + gi * gi);
    return [g.map((gi, i) => gi / (Math.sqrt(sum[i]) + eps)), { sum }];
  },
});

// RMSprop: v ← αv + (1-α)g², step g / (√v + ε); centered: minus the running mean's square.
const scaleByRms = (a, eps, centered) => ({
  init: (p) => ({ sq: zeros(p), ga: zeros(p) }),
  update: (g, s) => {
    const sq = g.map((gi, i) => s.sq[i] * a + (1 - a) * gi * gi);
    if (!centered) return [g.map((gi, i) => gi / (Math.sqrt(sq[i]) + eps)), { sq, ga: s.ga }];
    const ga = g.map((gi, i) => s.ga[i] + (1 - a) * (gi - s.ga[i]));
    return [g.map((gi, i) => gi / (Math.sqrt(sq[i] - ga[i] * ga[i]) + eps)), { sq, ga }];
  },
});

// Adadelta: Δ = √(acc + ε)/√(v + ε) · g, then acc ← ρ acc + (1-ρ)Δ².
const scaleByAdadelta = (r, eps) => ({
  init: (p) => ({ sq: zeros(p), acc: zeros(p) }),
  update: (g, s) => {
    const sq = g.map((gi, i) => s.sq[i] * r + (1 - r) * gi * gi);
    const delta = g.map((gi, i) => Math.sqrt(s.acc[i] + eps) / Math.sqrt(sq[i] + eps) * gi);
    return [delta, { sq, acc: delta.map((di, i) => s.acc[i] * r + (1 - r) * di * di) }];
  },
});

// Adam: (m / (1-β₁ᵗ)) / (√v / √(1-β₂ᵗ) + ε), m in torch's lerp form; AMSGrad: v's running max.
const scaleByAdam = (b1, b2, eps, amsgrad) => ({
  init: (p) => ({ m: zeros(p), v: zeros(p), vmax: zeros(p) }),
  update: (g, s, p, t) => {
    const m = g.map((gi, i) => s.m[i] + (1 - b1) * (gi - s.m[i]));
    const v = g.map((gi, i) => s.v[i] * b2 + (1 - b2) * gi * gi);
    const vmax = amsgrad ? v.map((vi, i) => Math.max(s.vmax[i], vi)) : s.vmax;
    const root = amsgrad ? vmax : v;
    return [m.map((mi, i) => mi / (1 - b1 ** t) / (Math.sqrt(root[i]) / Math.sqrt(1 - b2 ** t) + eps)),
      { m, v, vmax }];
  },
});

const adagrad = ({ lr = 1e-2, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10 } = {}) =>
  chain((t) => lr / (1 + t * lr_decay), addWeightDecay(weight_decay), scaleByRss(initial_accumulator_value, eps));

const rmsprop = ({ lr = 1e-2, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false } = {}) =>
  chain(lr, addWeightDecay(weight_decay), scaleByRms(alpha, eps, centered), trace(momentum));

const adadelta = ({ lr = 1, rho = 0.9, eps = 1e-6, weight_decay = 0 } = {}) =>
  chain(lr, addWeightDecay(weight_decay), scaleByAdadelta(rho, eps));

const adam = ({ lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 0, amsgrad = false } = {}) =>
  chain(lr, addWeightDecay(weight_decay), scaleByAdam(betas[0], betas[1], eps, amsgrad));

const adamw = ({ lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weight_decay = 1e-2, amsgrad = false } = {}) =>
  chain(lr, scaleByAdam(betas[0], betas[1], eps, amsgrad), addWeightDecay(weight_decay));

Object.assign(OPTIMIZERS, { adagrad, rmsprop, adadelta, adam, adamw });
