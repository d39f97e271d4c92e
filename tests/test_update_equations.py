"""The update equations a reader sees for each optimizer are the right ones.

Every optimizer's ``latex`` (read from its docstring) is shown on the API page, in the summary
table and on the which-optimizer page (``gd.update_equations()``). Each is compared here with
an equation written independently from the paper or torch.optim's documentation, in the site's
notation (docs/notation.md: g is the gradient plus any L2 weight decay, η the learning rate,
u the heavy ball's velocity, v a running mean of g², ω decoupled weight decay). Spacing commands
are ignored; every symbol, index and sign counts.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
import torch

import gdnotes as gd
from gdnotes import summary
from gdnotes.optimizers import equations

# label on the page -> (constructor call, the update equations in order)
EXPECTED = {
    # plain gradient descent (Cauchy 1847)
    "gradient descent": (
        lambda: gd.sgd(lr=0.1),
        [r"\theta_{t+1} = \theta_t - \eta g_t"]),
    # torch.optim.SGD docs: b_t = mu b_{t-1} + (1 - tau) g_t with b_1 = g_1; theta -= gamma b_t
    "heavy-ball momentum": (
        lambda: gd.sgd(lr=0.1, momentum=0.9),
        [r"u_{t+1} = \beta u_t + (1-\tau) g_t (u_1 = g_1)",
         r"\theta_{t+1} = \theta_t - \eta u_{t+1}"]),
    # torch.optim.SGD docs, nesterov=True: the step is g_t + mu b_t
    "Nesterov momentum": (
        lambda: gd.sgd(lr=0.1, momentum=0.9, nesterov=True),
        [r"u_{t+1} = \beta u_t + g_t (u_1 = g_1)",
         r"\theta_{t+1} = \theta_t - \eta (g_t + \beta u_{t+1})"]),
    # Duchi et al. 2011; torch.optim.Adagrad docs: gamma~ = gamma / (1 + (t-1) eta_decay)
    "AdaGrad": (
        gd.adagrad,
        [r"G_t = G_{t-1} + g_t^2",
         r"\theta_{t+1} = \theta_t - \frac{\eta}{1 + (t-1)\zeta} \frac{g_t}{\sqrt{G_t} + \epsilon}"]),
    # Tieleman & Hinton 2012; torch.optim.RMSprop docs
    "RMSprop": (
        gd.rmsprop,
        [r"v_t = \alpha v_{t-1} + (1-\alpha) g_t^2",
         r"\theta_{t+1} = \theta_t - \eta \frac{g_t}{\sqrt{v_t} + \epsilon}"]),
    # Graves 2013 (centered); torch.optim.RMSprop docs: v~ = v - (g^ave)^2
    "RMSprop, centered": (
        lambda: gd.rmsprop(centered=True),
        [r"v_t = \alpha v_{t-1} + (1-\alpha) g_t^2",
         r"m_t = \alpha m_{t-1} + (1-\alpha) g_t",
         r"\theta_{t+1} = \theta_t - \eta \frac{g_t}{\sqrt{v_t - m_t^2} + \epsilon}"]),
    # Zeiler 2012; torch.optim.Adadelta docs
    "Adadelta": (
        gd.adadelta,
        [r"v_t = \rho v_{t-1} + (1-\rho) g_t^2",
         r"\Delta_t = \frac{\sqrt{v^\Delta_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}} g_t",
         r"v^\Delta_t = \rho v^\Delta_{t-1} + (1-\rho) \Delta_t^2",
         r"\theta_{t+1} = \theta_t - \eta \Delta_t"]),
    # Kingma & Ba 2015, Algorithm 1
    "Adam": (
        gd.adam,
        [r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t",
         r"v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2",
         r"\theta_{t+1} = \theta_t - \eta \frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)} + \epsilon}"]),
    # Loshchilov & Hutter 2019, Algorithm 2 (with the schedule multiplier eta_t = 1)
    "AdamW": (
        gd.adamw,
        [r"\theta_{t+1} = \theta_t - \eta (\frac{m_t / (1-\beta_1^t)}{\sqrt{v_t / (1-\beta_2^t)}"
         r" + \epsilon} + \omega \theta_t)"]),
    # Dozat 2016 with torch.optim.NAdam's momentum warm-up mu_t = beta_1 (1 - 0.96^(t psi) / 2)
    "NAdam": (
        gd.nadam,
        [r"\theta_{t+1} = \theta_t - \eta \frac{\frac{1-\beta_{1,t}}{1-\prod_{i\le t}\beta_{1,i}} g_t"
         r" + \frac{\beta_{1,t+1}}{1-\prod_{i\le t+1}\beta_{1,i}} m_t}"
         r"{\sqrt{v_t / (1-\beta_2^t)} + \epsilon}"]),
    # Newton's method with Levenberg's damping
    "Newton": (
        gd.newton,
        [r"\theta_{t+1} = \theta_t - \eta (\nabla^2 f(\theta_t) + \delta I)^{-1} \nabla f(\theta_t)"]),
    # Nocedal & Wright, Numerical Optimization, eq. (6.17) and Algorithm 6.1
    "BFGS": (
        gd.bfgs,
        [r"H_{t+1} = (I - \frac{s y^\top}{y^\top s}) H_t (I - \frac{y s^\top}{y^\top s})"
         r" + \frac{s s^\top}{y^\top s}",
         r"\theta_{t+1} = \theta_t - \eta_t H_t \nabla f(\theta_t)"]),
    # Liu & Nocedal 1989: a quasi-Newton direction from the last m pairs
    "L-BFGS": (
        gd.lbfgs,
        [r"p_t = -H_t \nabla f(\theta_t)", r"\theta_{t+1} = \theta_t + \eta_t p_t"]),
}

NAMES = {"gradient descent": "gd", "heavy-ball momentum": "momentum",
         "Nesterov momentum": "nesterov", "AdaGrad": "adagrad", "RMSprop": "rmsprop",
         "RMSprop, centered": "rmsprop", "Adadelta": "adadelta", "Adam": "adam",
         "AdamW": "adamw", "NAdam": "nadam", "Newton": "newton", "BFGS": "bfgs",
         "L-BFGS": "lbfgs"}

_SPACING = re.compile(r"\\(?:qquad|quad|Bigl|Bigr|Big|bigl|bigr|big|left|right)(?![a-zA-Z])"
                      r"|\\[,;!]|\s+")


def normalised(latex: str) -> str:
    """LaTeX without spacing commands, sizing of brackets or whitespace."""
    return _SPACING.sub("", latex)


def equations_of(latex: str) -> list[str]:
    """The equations of one ``latex`` string, split where the next ``lhs =`` starts."""
    flat = normalised(latex)
    # a comma that separates two equations is followed by "<lhs>=" before any other comma
    parts = re.split(r",(?=[^,=]*=)", flat)
    return [p for p in parts if p]


@pytest.mark.parametrize("label", list(EXPECTED))
def test_latex_equations_match_the_paper(label):
    make, expected = EXPECTED[label]
    opt = make()
    assert opt.name == NAMES[label]
    assert equations_of(opt.latex) == [normalised(e) for e in expected]


def test_amsgrad_is_named_and_shows_adams_equations():
    opt = gd.adam(amsgrad=True)
    assert opt.name == "amsgrad" and opt.latex == gd.adam().latex


def test_the_which_optimizer_page_shows_each_variants_equations():
    """gd.update_equations(): a bold label, the call, then display math with one aligned line
    per equation of that variant (and only that variant)."""
    markdown = summary.update_equations()
    blocks = markdown.split("\n\n**")
    assert len(blocks) == len(summary.VARIANTS)
    for block, (name, _overrides, label) in zip(blocks, summary.VARIANTS, strict=True):
        head, math = block.lstrip("*").split("\n\n", 1)
        assert head.startswith(f"{label}** — `gd.{name}(")
        assert math.startswith("$$\n") and math.endswith("\n$$")
        body = math[3:-3].strip()
        expected = [normalised(e) for e in EXPECTED[label][1]]
        if len(expected) == 1:
            assert normalised(body) == expected[0]
        else:
            assert body.startswith(r"\begin{aligned}") and body.endswith(r"\end{aligned}")
            lines = body.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}")
            shown = [normalised(line).removeprefix("&") for line in lines.split(r"\\")]
            assert shown == expected


def test_summary_table_covers_the_registry_and_matches_torch_defaults():
    rows = gd.summary_rows()
    names = {row[1].split("(")[0].removeprefix("`gd.") for row in rows}
    assert names == set(gd.OPTIMIZERS)
    assert all(len(row) == len(gd.SUMMARY_HEADERS) for row in rows)
    for row in rows:
        assert not any("$" in cell for cell in row)  # no math inside the table cells
    # documented differences: sgd's lr is required (as in torch, which has no usable default),
    # L-BFGS keeps 10 pairs, not 100 (see gd.lbfgs)
    known_differences = {("lbfgs", "history_size"), ("sgd", "lr")}
    compared = 0
    for name, make in gd.OPTIMIZERS.items():
        cls_name = make(**({"lr": 0.1} if name == "sgd" else {})).torch_class
        if cls_name is None:
            continue
        torch_cls = getattr(torch.optim, cls_name.split(".")[-1])
        theirs = inspect.signature(torch_cls.__init__).parameters
        built = make(**({"lr": 0.1} if name == "sgd" else {})).hyperparams  # what one gets
        for param, ours in inspect.signature(make).parameters.items():
            assert param in theirs, (name, param)  # same names as torch
            if (name, param) not in known_differences:
                default = theirs[param].default
                if isinstance(default, torch.Tensor):
                    default = default.item()
                assert ours.default == default, (name, param)  # what the table shows
                assert built[param] == default, (name, param)
                compared += 1
    assert compared >= 30
    # the methods torch.optim does not have, with the defaults their docstrings explain
    assert gd.summary.hyperparameters("newton") == [("lr", 1.0), ("damping", 0.0)]
    assert gd.summary.hyperparameters("bfgs") == [("lr", 1.0), ("line_search", "armijo")]
    assert dict(gd.summary.hyperparameters("lbfgs"))["history_size"] == 10
    assert gd.newton().hyperparams == {"lr": 1.0, "damping": 0.0}
    assert gd.bfgs().hyperparams == {"lr": 1.0, "line_search": "armijo"}
    assert gd.lbfgs().hyperparams["history_size"] == 10


@pytest.mark.parametrize("name", list(gd.OPTIMIZERS))
def test_hyperparams_record_every_argument_of_the_call(name):
    """``opt.hyperparams`` is the call that built it: every argument, by name, as given."""
    params = list(inspect.signature(gd.OPTIMIZERS[name]).parameters.values())
    given = {p.name: p.default for p in params}
    if given["lr"] is inspect.Parameter.empty:
        given["lr"] = 0.25
    opt = gd.get_optimizer(name, **given)
    assert list(opt.hyperparams) == [p.name for p in params]
    for key, value in given.items():
        assert opt.hyperparams[key] == value, (name, key)
    assert opt.batch_shape == ()
    lrs = np.array([0.1, 0.2])
    assert gd.get_optimizer(name, lr=lrs).hyperparams["lr"] is lrs


def test_the_calls_shown_are_the_calls_that_build_each_variant():
    rows = {row[0]: row for row in gd.summary_rows()}
    assert rows["gradient descent"][1] == "`gd.sgd(lr=η)`"
    assert rows["heavy-ball momentum"][1] == "`gd.sgd(lr=η, momentum=0.9)`"
    assert rows["Nesterov momentum"][1] == "`gd.sgd(lr=η, momentum=0.9, nesterov=True)`"
    assert rows["Adam"][1] == "`gd.adam()`"
    # hyperparameters: torch's defaults, with where gdnotes differs said in the cell
    assert rows["gradient descent"][3].startswith("`lr=0.001` (gdnotes: required), `momentum=0`")
    assert "`betas=(0.9, 0.999)`" in rows["Adam"][3]
    assert rows["BFGS"][3] == "`lr=1.0` (gdnotes only), `line_search='armijo'` (gdnotes only)"
    assert rows["Newton"][3] == "`lr=1.0` (gdnotes only), `damping=0.0` (gdnotes only)"
    assert "`history_size=100` (gdnotes: `10`)" in rows["L-BFGS"][3]
    # state per parameter: what each method keeps besides θ (torch's buffers; d for a row
    # of a d×d matrix; 2M + 2 vectors for L-BFGS's history)
    state = {label: row[2] for label, row in rows.items()}
    assert state == {
        "gradient descent": "0", "heavy-ball momentum": "1 (momentum buffer)",
        "Nesterov momentum": "1 (momentum buffer)", "AdaGrad": "1 (sum of squared gradients)",
        "RMSprop": "1 (running averages)", "Adadelta": "2 (running averages)",
        "Adam": "2 (moments)", "AdamW": "2 (moments)", "NAdam": "2 (moments)",
        "Newton": "0 kept (the d × d Hessian is recomputed each step)",
        "BFGS": "d (inverse-Hessian row)",
        "L-BFGS": "2M + 2 = 22 (M pairs s, y; last gradient and step)"}
    assert gd.rmsprop(centered=True, momentum=0.9).state_per_param == "3 (running averages)"
    assert gd.rmsprop(centered=True).state_per_param == "2 (running averages)"
    assert gd.rmsprop(momentum=0.9).state_per_param == "2 (running averages)"
    assert gd.adam(amsgrad=True).state_per_param == "3 (moments, max)"
    assert gd.adamw(amsgrad=True).state_per_param == "3 (moments, max)"
    assert gd.lbfgs(history_size=4).state_per_param == (
        "2M + 2 = 10 (M pairs s, y; last gradient and step)")
    torch_classes = {label: row[4] for label, row in rows.items()}
    assert torch_classes["L-BFGS"] == "`torch.optim.LBFGS`" and torch_classes["BFGS"] == "—"


def test_equations_reads_the_requested_display_block():
    def documented():
        """Text $$ a = 1 $$ more text $$ b =
        2 $$ end."""

    assert equations(documented) == "a = 1"
    assert equations(documented, 1) == "b = 2"  # whitespace and line breaks collapse
    assert equations(documented, 2) == ""  # no such block
    assert equations(lambda: None) == ""  # no docstring at all
