// landscapes.js: the optimizer race's test functions for gdmath.js, as in gdnotes/objectives.py
// (same formulas, same order of operations). Only the race page loads them.
import { OBJECTIVES } from "./gdmath.js";

// (a - x)² + b (y - x²)²: a curved banana valley, minimum at (a, a²).
function rosenbrock({ a = 1, b = 100 } = {}) {
  return {
    name: "rosenbrock", dim: 2, finiteWithin: 1e60 / (1 + Math.abs(a) + b),
    value: ([x, y]) => (a - x) ** 2 + b * (y - x * x) ** 2,
    grad: ([x, y]) => {
      const u = a - x, v = y - x * x;
      return [-2 * u - 4 * b * x * v, 2 * b * v];
    },
  };
}

// Σᵢ (cᵢ - x + x yⁱ)², c = (1.5, 2.25, 2.625): flat plains, sharp ridges, minimum at (3, 0.5).
const BEALE_C = [1.5, 2.25, 2.625];
function beale() {
  return {
    name: "beale", dim: 2, finiteWithin: 1e30,
    value: ([x, y]) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2,
    grad: ([x, y]) => {
      let gx = 0, gy = 0;
      for (let i = 1; i <= 3; i++) {
        const yi = y ** i, r = BEALE_C[i - 1] - x + x * yi;
        gx = gx + 2 * r * (yi - 1);
        gy = gy + 2 * r * (i * x * y ** (i - 1));
      }
      return [gx, gy];
    },
  };
}

// x² - y²: a saddle at the origin, no minimum.
function saddle() {
  return { name: "saddle", dim: 2, finiteWithin: 1e100, value: ([x, y]) => x ** 2 - y ** 2, grad: ([x, y]) => [2 * x, -2 * y] };
}

Object.assign(OBJECTIVES, { rosenbrock, beale, saddle });
