// gdnotes accessibility fix (checked by tests/browser/test_accessibility.py).
// axe-core scrollable-region-focusable (serious): a table too wide for the page scrolls inside
// material's .md-typeset__scrollwrap, which keyboard users cannot reach. Make each such wrapper a
// focusable, named region so arrow keys can scroll it. Runs on every page material shows.
(function () {
  const label = (wrap) => {
    const caption = wrap.querySelector("caption");
    return caption ? caption.textContent.trim() : "Table (scrolls horizontally)";
  };
  const fix = () => {
    for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap")) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", label(wrap));
      }
    }
  };
  if (typeof document$ !== "undefined") {
    document$.subscribe(fix);
  } else {
    document.addEventListener("DOMContentLoaded", fix);
  }
})();
