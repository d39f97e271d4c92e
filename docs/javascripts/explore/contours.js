// contours.js: level lines of a 2-D objective, the background of the 2-D explorers.
import { el } from "./widgets.js";

// Contours of a 2-D objective: level sets of log(f - min + 1e-3), traced by marching squares on a grid.
export function contours(p, f, bounds, levels = 14, n = 120) {
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
