"""Math is rendered to MathML during the build (gdnotes.site.mathml), with a plain-text reading
for the search index and the table of contents."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest

from gdnotes.site.mathml import math_element, tex_of_numbers, tex_to_mathml

EXTENSIONS = ["pymdownx.arithmatex", "toc", "gdnotes.site.mathml", "gdnotes.site.searchtext"]
CONFIG = {"pymdownx.arithmatex": {"generic": True}}


def render(text: str) -> tuple[str, markdown.Markdown]:
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=CONFIG)
    return md.convert(text), md


@pytest.mark.parametrize(("tex", "reading"), [
    (r"\theta \leftarrow \theta - \eta \nabla f(\theta)", "θ ← θ − η∇f(θ)"),
    (r"\frac{1}{L}", "1/L"),
    (r"\eta^* = \frac{2}{\mu + L}", "η^∗ = 2/(μ + L)"),
    (r"\hat v_t", "v̂_t"),
    (r"\beta_1", "β₁"),
    (r"x^2 - y^2", "x² − y²"),
    (r"\sqrt{1-\beta_2}", "√(1 − β₂)"),
    (r"\epsilon = 10^{-8}", "ϵ = 10⁻⁸"),
])
def test_a_formula_reads_as_plain_text(tex, reading):
    math = math_element(tex, display=False)
    assert math.find("semantics/annotation").text == reading
    assert math.find("semantics/mstyle").get("data-search-exclude") == ""  # search reads the text


def test_inline_and_display_math_become_mathml_without_tex():
    html, _ = render("Step: $x_{t+1} = x_t - \\eta f'(x_t)$.\n\n$$\n\\frac{a}{b}\n$$\n")
    assert '<span class="arithmatex"><math>' in html
    assert '<div class="arithmatex"><math display="block">' in html
    assert "\\(" not in html and "\\[" not in html and "\\frac" not in html and "$" not in html


def test_a_heading_with_math_keeps_its_id_and_reads_plainly_in_the_toc():
    html, md = render("## The saddle of $x^2 - y^2$\n")
    assert 'id="the-saddle-of-x2-y2"' in html  # the id it had when the heading held TeX
    assert md.toc_tokens[0]["name"] == "The saddle of x² − y²"


def test_numbers_written_as_powers_of_ten_are_powers_in_math():
    assert tex_of_numbers("\\epsilon = 4.4\u00a0×\u00a010⁻⁹") == "\\epsilon = 4.4 × 10^{-9}"
    mathml = tex_to_mathml(tex_of_numbers("10⁻⁸"), False)
    assert "<msup><mn>10</mn>" in mathml


def test_bad_tex_names_the_formula():
    with pytest.raises(ValueError, match=r"^cannot render the formula '\\\\nosuchcommand'"):
        tex_to_mathml("\\nosuchcommand", False)


def test_the_same_formula_is_rendered_once():
    tex_to_mathml.cache_clear()
    for _ in range(3):
        tex_to_mathml("a + b", False)
    assert tex_to_mathml.cache_info().hits == 2


def test_code_blocks_are_marked_out_of_the_search_index():
    html, _ = render("Run `gd.run` like this:\n\n    x = 1\n")
    assert "<pre data-search-exclude>" in html and "<code>gd.run</code>" in html


def test_a_formula_with_a_missing_output_shows_it_instead_of_failing():
    # what macros.expand leaves where a value is missing (a build with execution off, say)
    missing = '<strong class="gd-missing">missing output {{ value: adam/m_hat }}</strong>'
    html, _ = render(f"Here $\\hat m_2 = {missing}$ and\n\n$$\n{missing} + 1\n$$\n")
    assert html.count("missing output {{ value: adam/m_hat }} (in a formula)") == 2
    assert "<math" not in html and "\\(" not in html


def test_the_punctuation_after_an_inline_formula_stays_on_its_line():
    """A browser may break between a <math> and the full stop after it, or the bracket before
    it; the build moves both into the formula's span, which extra.css keeps on one line."""
    html, _ = render("saturated at $\\pm 1$. In this run, $x$), and $y$ then (*a* ($z$)).\n"
                     "\n($w$ first)\n")
    assert html.count('<span class="arithmatex">') == 5
    assert "</math>.</span> In this run" in html
    assert "</math>),</span> and" in html
    assert "</math></span> then" in html  # nothing to move
    assert '(<em>a</em> <span class="arithmatex">(<math>' in html and "</math>)).</span>" in html
    assert '<p><span class="arithmatex">(<math>' in html  # the bracket was the paragraph's text
    css = (Path(__file__).parents[1] / "docs" / "stylesheets" / "extra.css").read_text()
    assert re.search(r"\.md-typeset span\.arithmatex \{\s*white-space: nowrap;", css)
