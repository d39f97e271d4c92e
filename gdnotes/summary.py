"""The optimizer summary table, generated from the optimizers themselves.

Every :class:`~gdnotes.optimizers.Optimizer` carries its update equations (``latex``), the
state it keeps per parameter and the ``torch.optim`` class it matches; the constructors'
signatures carry the hyperparameters and their defaults. :func:`summary_rows` reads all of
that from :data:`gdnotes.OPTIMIZERS`, so the table on the site cannot drift from the code.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence

from .optimizers import OPTIMIZERS

#: Rows of the table: registry name, the overrides that define the variant, and a label.
#: Plain SGD has no default learning rate (as in the spec); 0.1 is only used to build it.
VARIANTS: tuple[tuple[str, dict, str], ...] = (
    ("sgd", {}, "gradient descent"),
    ("sgd", {"momentum": 0.9}, "heavy-ball momentum"),
    ("sgd", {"momentum": 0.9, "nesterov": True}, "Nesterov momentum"),
    ("adagrad", {}, "AdaGrad"),
    ("rmsprop", {}, "RMSprop"),
    ("adadelta", {}, "Adadelta"),
    ("adam", {}, "Adam"),
    ("adamw", {}, "AdamW"),
    ("nadam", {}, "NAdam"),
    ("newton", {}, "Newton"),
    ("bfgs", {}, "BFGS"),
    ("lbfgs", {}, "L-BFGS"),
)

HEADERS = ("method", "gdnotes call", "update", "state per parameter",
           "hyperparameters (defaults)", "torch.optim")


def _markdown_math(latex: str) -> str:
    """Inline math that is safe inside a Markdown table cell (no bare ``|``)."""
    return "$" + latex.replace(r"\|", r"\Vert ").replace("|", r"\vert ") + "$"


def _format(value) -> str:
    return repr(value) if isinstance(value, str) else f"{value}"


def hyperparameters(name: str) -> list[tuple[str, object]]:
    """``(parameter, default)`` pairs of the constructor; ``inspect.Parameter.empty`` if
    the parameter is required."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {sorted(OPTIMIZERS)}")
    return [(p.name, p.default) for p in inspect.signature(OPTIMIZERS[name]).parameters.values()]


def summary_rows(variants: Sequence[tuple[str, Mapping, str]] = VARIANTS) -> list[tuple]:
    """One row per variant: label, call, equations, state, hyperparameters, torch class."""
    rows = []
    for name, overrides, label in variants:
        params = hyperparameters(name)
        build, shown_args = dict(overrides), dict(overrides)
        if any(p == "lr" and d is inspect.Parameter.empty for p, d in params):
            build.setdefault("lr", 0.1)  # required: any valid value shows the equations
            shown_args = {"lr": "η", **overrides}
        opt = OPTIMIZERS[name](**build)
        shown = []
        for param, default in params:
            value = overrides.get(param, default)
            text = "required" if value is inspect.Parameter.empty else _format(value)
            shown.append(f"`{param}={text}`" if text != "required" else f"`{param}` (required)")
        args = ", ".join(f"{k}={v if k == 'lr' and v == 'η' else _format(v)}"
                         for k, v in shown_args.items())
        call = f"`gd.{name}({args})`"
        rows.append((label, call, _markdown_math(opt.latex), opt.state_per_param,
                     ", ".join(shown), f"`{opt.torch_class}`" if opt.torch_class else "—"))
    return rows
