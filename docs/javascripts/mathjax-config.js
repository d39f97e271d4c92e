// MathJax 3 configuration for pymdownx.arithmatex (generic mode). MathJax itself is served from
// javascripts/mathjax/ (copied from the pinned django-static-mathjax wheel by the gdnotes plugin).
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex|md-ellipsis", // md-ellipsis: headings with math in the TOC and nav
  },
  startup: {
    // Typeset once MathJax is ready, and again whenever material swaps the page content.
    // (Letting MathJax typeset on its own *and* resetting it from document$ races: the reset
    // drops the glyph styles of the first pass and formulas render blank.)
    typeset: false,
    ready() {
      MathJax.startup.defaultReady();
      const typeset = () =>
        MathJax.startup.promise.then(() => {
          MathJax.typesetClear();
          MathJax.texReset();
          return MathJax.typesetPromise();
        });
      if (typeof document$ !== "undefined") {
        document$.subscribe(typeset);
      } else {
        typeset();
      }
    },
  },
};
