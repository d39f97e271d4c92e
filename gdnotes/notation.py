"""The site's notation: one symbol per meaning, where it is defined, and torch's name for it.

:data:`SYMBOLS` is the single list the notation page is generated from; the tests check that
each symbol appears on the page that defines it, that every torch argument named here exists
in that ``torch.optim`` class, and that the optimizers' update equations use no other symbol.
"""

from __future__ import annotations

from typing import NamedTuple


class Symbol(NamedTuple):
    latex: str  # as written in the pages' math, without the dollars
    meaning: str
    page: str  # the page (docs/<page>.md) where it is introduced
    torch: str = ""  # the torch.optim argument (or state entry) it corresponds to, if any
    torch_class: str = ""  # the class whose signature has that argument


SYMBOLS: tuple[Symbol, ...] = (
    Symbol(r"\theta", "the parameters being optimised", "update-rule", "params"),
    Symbol(r"f", "the function being minimised (the loss)", "update-rule"),
    Symbol(r"g_t", r"the gradient used at step $t$ (plus $\omega\theta_t$ with L2 weight decay)",
           "which-optimizer", "p.grad"),
    Symbol(r"\eta", r"the learning rate ($\eta_t$ at step $t$ under a schedule)", "update-rule",
           "lr", "SGD"),
    Symbol(r"\bar\eta", "the base learning rate a schedule multiplies", "adam"),
    Symbol(r"L", "the largest curvature (largest Hessian eigenvalue, smoothness constant)",
           "two-dimensions"),
    Symbol(r"\mu", "the smallest curvature (smallest Hessian eigenvalue; the strong-convexity "
           "constant, and on the convergence page also the PL constant)", "two-dimensions"),
    Symbol(r"\kappa", r"the condition number $L/\mu$", "two-dimensions"),
    Symbol(r"\lambda", "a curvature: an eigenvalue of the Hessian", "problems/step-size"),
    Symbol(r"q", r"the factor $1 - \eta\lambda$ one gradient step multiplies the error by",
           "learning-rate"),
    Symbol(r"r", "a root of the heavy ball's characteristic polynomial (its per-step factor)",
           "momentum"),
    Symbol(r"\beta", "the momentum coefficient", "momentum", "momentum", "SGD"),
    Symbol(r"u", "the momentum buffer (the heavy ball's velocity)", "momentum",
           "momentum_buffer"),
    Symbol(r"\tilde\eta", "the learning rate of the moving-average form of momentum",
           "momentum"),
    Symbol(r"\tau", "the dampening of the momentum buffer", "which-optimizer", "dampening",
           "SGD"),
    Symbol(r"s_t", r"a step $\theta_{t+1} - \theta_t$ (Nesterov's look-ahead form, BFGS pairs)",
           "nesterov"),
    Symbol(r"m", "exponential moving average of the gradients (first moment)", "adam",
           "exp_avg"),
    Symbol(r"v", "exponential moving average of the squared gradients (second moment)", "adam",
           "exp_avg_sq"),
    Symbol(r"\beta_1, \beta_2", r"the decay rates of $m$ and $v$ in Adam", "adam", "betas",
           "Adam"),
    Symbol(r"v^{\max}", r"AMSGrad's running maximum of $v$", "adam", "max_exp_avg_sq"),
    Symbol(r"\epsilon", "the small constant that keeps a denominator away from zero", "adam",
           "eps", "Adam"),
    Symbol(r"\omega", "the weight decay", "adam", "weight_decay", "AdamW"),
    Symbol(r"G", "AdaGrad's sum of squared gradients", "adaptive", "sum"),
    Symbol(r"\zeta", "AdaGrad's learning-rate decay", "which-optimizer", "lr_decay", "Adagrad"),
    Symbol(r"\alpha", r"RMSprop's smoothing constant for $v$", "adaptive", "alpha", "RMSprop"),
    Symbol(r"\rho", "Adadelta's smoothing constant", "adaptive", "rho", "Adadelta"),
    Symbol(r"\Delta_t", "Adadelta's step before the learning rate", "adaptive"),
    Symbol(r"v^\Delta", r"Adadelta's moving average of the squared steps $\Delta_t^2$",
           "adaptive", "acc_delta"),
    Symbol(r"\psi", "NAdam's momentum decay", "which-optimizer", "momentum_decay", "NAdam"),
    Symbol(r"\delta", "Newton's damping (Levenberg)", "second-order"),
    Symbol(r"H", "the Hessian; in BFGS, the inverse-Hessian estimate", "second-order"),
    Symbol(r"y", "a gradient change paired with a step $s$ (BFGS, L-BFGS)", "second-order"),
    Symbol(r"M", "L-BFGS's history size: the number of $(s, y)$ pairs kept", "second-order",
           "history_size", "LBFGS"),
    Symbol(r"d", "the number of parameters", "second-order"),
    Symbol(r"D", "the number of layers of a deep network", "problems/vanishing-gradients"),
    Symbol(r"e", r"the error $\theta - \theta^\star$ of SGD near the optimum", "stochastic"),
    Symbol(r"\Sigma_B", "the covariance of a batch gradient at the optimum", "stochastic"),
    Symbol(r"\xi", "the gradient noise: a batch gradient minus the full gradient", "stochastic"),
    Symbol(r"C", r"the stationary covariance $\mathbb E[ee^\top]$ of the error under noise",
           "stochastic"),
    # -- issue 16: convergence (item 1) and step-size rules (item 2) --
    Symbol(r"\theta^\star", r"a minimiser of $f$", "stochastic"),
    Symbol(r"f^\star", r"the minimum value $f(\theta^\star)$", "stochastic"),
    Symbol(r"\Gamma", r"a bound on the stochastic gradient's size: $\mathbb E\|g_t\|^2 \le \Gamma^2$",
           "convergence"),
    Symbol(r"\bar\theta_T", r"the average of the first $T$ iterates $\theta_0, \dots, \theta_{T-1}$",
           "convergence"),
    Symbol(r"\eta_{\max}", "the largest step a step-size rule may take (backtracking's first "
           "trial)", "step-size-rules"),
    Symbol(r"c_1", "the Armijo constant: the share of the promised decrease a step must achieve",
           "step-size-rules"),
    Symbol(r"\chi", "the factor a backtracking line search shrinks a rejected step by",
           "step-size-rules"),
    Symbol(r"P", "a preconditioner: the matrix that multiplies the gradient in a step",
           "step-size-rules"),
    # -- end issue 16 --
    # -- issue 16 item 6 (bug clinic) --
    Symbol(r"\epsilon_{\mathrm{fd}}", "the step of a finite-difference gradient check",
           "bug-clinic"),
)

HEADERS = ("symbol", "meaning", "introduced on", "torch")


def rows() -> list[tuple[str, str, str, str]]:
    """The notation table: symbol, meaning, the page that introduces it, torch's
    name (argument or state entry)."""
    return [(f"${s.latex}$", s.meaning, f"`{s.page}.md`",
             f"`{s.torch}`" if s.torch else "—") for s in SYMBOLS]
