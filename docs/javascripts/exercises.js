// Exercises: a box to type a numeric answer and check it, in the browser, against the build's value.
// The build writes each as <span class="gd-answer" data-value="..." data-tol="..."> (the macro
// {{ answer: example/name }}, gdnotes/site/macros.py); without JavaScript the span stays empty.
// The box goes right after the paragraph holding the span.
// Right means |typed - value| <= tol: 0 for a whole number, 1 % of the value for a decimal, or
// the tol= the page gives that answer.

const STYLE = `
.gd-check{display:flex;flex-wrap:wrap;align-items:center;gap:.4em .6em;margin:.6em 0}
.gd-check input{width:9em;padding:.2em .4em;font:inherit;color:inherit;background:var(--md-default-bg-color);
 border:1px solid var(--md-default-fg-color--light);border-radius:.2em}
.gd-check button{padding:.2em .8em;font:inherit;color:var(--md-primary-bg-color);
 background:var(--md-primary-fg-color);border:0;border-radius:.2em;cursor:pointer}
.gd-check :focus-visible{outline:2px solid var(--md-accent-fg-color);outline-offset:2px}
.gd-check output{flex-basis:100%;font-weight:700}`;

// "0.4", "−0.4", ".4", "1/3", "2.5e-3", "1,000.5", "0,4": a number, or NaN.
export function parseAnswer(text) {
  let s = text.trim().replace(/[\u2212\u2013]/g, "-").replace(/[\s\u2009\u202f]/g, "");
  s = /^[^.]*,\d{1,2}$|^-?0,/.test(s) ? s.replace(",", ".") : s.replace(/,/g, "");
  const parts = s.split("/");
  if (parts.length > 2 || parts.some((p) => !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(p))) {
    return NaN;
  }
  return parts.length === 2 ? Number(parts[0]) / Number(parts[1]) : Number(parts[0]);
}

function tolerance(value, tol) {
  if (tol === 0) return "a whole number, exactly";
  return `within ${+((100 * tol) / Math.abs(value)).toPrecision(2)} %`;
}

function checker(span, index) {
  const value = Number(span.dataset.value);
  const tol = Number(span.dataset.tol);
  const id = `gd-answer-${index}`;
  const form = document.createElement("form");
  form.className = "gd-check";
  form.innerHTML =
    `<label for="${id}">Your answer (${tolerance(value, tol)})</label>` +
    `<input id="${id}" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">` +
    `<button type="submit">Check</button><output role="status" aria-live="polite"></output>`;
  const input = form.querySelector("input");
  const result = form.querySelector("output");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = parseAnswer(input.value);
    if (!Number.isFinite(typed)) {
      result.textContent = "Type a number, such as 0.25, -3 or 1/4.";
    } else if (Math.abs(typed - value) <= tol + 1e-12 * Math.abs(value)) {
      result.textContent = "Correct.";
    } else {
      const side = typed > value ? "too high" : "too low";
      result.textContent = `Not quite: ${input.value.trim()} is ${side}. Try again, or open the answer.`;
    }
  });
  (span.closest("p") ?? span).after(form);
}

const answers = document.querySelectorAll(".gd-answer[data-value]");
if (answers.length) {
  const style = document.createElement("style");
  style.textContent = STYLE;
  document.head.append(style);
  answers.forEach(checker);
}
