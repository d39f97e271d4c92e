// gdnotes scroll cues (issue 14, checked by tests/browser/test_screens.py).
// A table, display equation or code block wider than the column scrolls sideways inside its own box.
// Each such box gets the class gd-overflow, and gd-overflow--start / gd-overflow--end while content
// is hidden past its left / right edge; extra.css fades that edge (the visible cue). It also becomes a
// focusable, named region so keyboard users can scroll it (axe: scrollable-region-focusable).
(function () {
  const BOXES = [
    // the wrapper around every table (the build writes it; material adds an inner one, see tables.py)
    ".md-typeset__scrollwrap:not(.md-typeset__table *)",
    ".md-typeset div.arithmatex",        // display math (the build's MathML in arithmatex's div)
    ".md-typeset .katex-display",        // display math rendered at build time by KaTeX
    ".md-typeset .gd-math-display",      // ... or by any other build-time renderer
    ".md-typeset :not(.arithmatex, .katex-mathml) > math[display=block]",  // ... or as MathML
    ".md-typeset pre > code",            // code blocks
  ].join(", ");

  const describe = (box) => {
    if (box.matches(".md-typeset__scrollwrap")) {
      const caption = box.querySelector("caption");
      return caption ? caption.textContent.trim() : "Table (scrolls sideways)";
    }
    if (box.matches("code")) return "Code (scrolls sideways)";
    return "Equation (scrolls sideways)";
  };

  const update = (box) => {
    const over = box.scrollWidth > box.clientWidth + 1;
    box.classList.toggle("gd-overflow", over);
    box.classList.toggle("gd-overflow--start", over && box.scrollLeft > 1);
    box.classList.toggle("gd-overflow--end",
      over && box.scrollLeft + box.clientWidth < box.scrollWidth - 1);
    if (over && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", describe(box));
    }
  };

  const watcher = typeof ResizeObserver === "undefined"
    ? null : new ResizeObserver((entries) => entries.forEach((e) =>
      update(e.target.dataset.gdOverflow ? e.target : e.target.parentElement)));

  // Inline math wider than its paragraph becomes a scroll box of its own (extra.css).
  const INLINE = ".md-typeset span.arithmatex, .md-typeset span.katex, " +
    ".md-typeset :not(.arithmatex, .katex-mathml) > math:not([display=block])";
  const wideInline = () => {
    for (const math of document.querySelectorAll(INLINE)) {
      const parent = math.parentElement;
      if (!math.classList.contains("gd-wide-inline") && parent &&
          math.getBoundingClientRect().width > Math.max(parent.clientWidth + 1, 120)) {
        math.classList.add("gd-wide-inline");
        math.dataset.gdOverflow = "1";
        math.addEventListener("scroll", () => update(math), { passive: true });
        if (watcher) watcher.observe(math);
        update(math);
      }
    }
  };

  const setUp = () => {
    wideInline();
    for (const box of document.querySelectorAll(BOXES)) {
      if (box.dataset.gdOverflow) continue;
      box.dataset.gdOverflow = "1";
      box.addEventListener("scroll", () => update(box), { passive: true });
      if (watcher) {
        watcher.observe(box);
        if (box.firstElementChild) watcher.observe(box.firstElementChild);  // content growing
      }
      update(box);
    }
  };
  // Fonts arriving late change widths: the ResizeObserver sees the boxes; inline math is measured
  // again once the page has loaded.
  window.addEventListener("load", wideInline);
  if (typeof document$ !== "undefined") document$.subscribe(setUp);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
