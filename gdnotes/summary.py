"""The optimizer summary table, generated from the optimizers themselves.

Every :class:`~gdnotes.optimizers.Optimizer` carries its update equations (``latex``), the
state it keeps per parameter and the ``torch.optim`` class it matches; the constructors'
signatures carry the hyperparameters and their defaults. :func:`summary_rows` reads all of
that from :data:`gdnotes.OPTIMIZERS`, so the table on the site cannot drift from the code.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence

from .registry import OPTIMIZERS

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

HEADERS = ("method", "gdnotes call", "state per parameter", "hyperparameters (defaults)",
           "torch.optim")

_SEPARATORS = (r", \qquad", r",\qquad", r", \quad", r",\quad", r"\qquad", r"\quad")


def _display_math(latex: str) -> str:
    """A display-math block, one line per equation of the update (split at its quads)."""
    parts = [latex]
    for sep in _SEPARATORS:
        parts = [piece for part in parts for piece in part.split(sep)]
    lines = [p.strip().rstrip(",").strip() for p in parts if p.strip()]
    body = lines[0] if len(lines) == 1 else (
        r"\begin{aligned} " + r" \\ ".join(f"& {line}" for line in lines) + r" \end{aligned}")
    return f"$$\n{body}\n$$"


def _format(value) -> str:
    return repr(value) if isinstance(value, str) else f"{value}"


def hyperparameters(name: str) -> list[tuple[str, object]]:
    """``(parameter, default)`` pairs of the constructor; ``inspect.Parameter.empty`` if
    the parameter is required."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose from {sorted(OPTIMIZERS)}")
    return [(p.name, p.default) for p in inspect.signature(OPTIMIZERS[name]).parameters.values()]


def _lr_required(name: str) -> bool:
    return any(p == "lr" and d is inspect.Parameter.empty for p, d in hyperparameters(name))


def _build(name: str, overrides: Mapping):
    build = dict(overrides)
    if _lr_required(name):
        build.setdefault("lr", 0.1)  # required: any valid value shows the equations
    return OPTIMIZERS[name](**build)


def _call(name: str, overrides: Mapping) -> str:
    """How a reader would write the variant, e.g. ``gd.sgd(lr=η, momentum=0.9)``."""
    args = (["lr=η"] if _lr_required(name) and "lr" not in overrides else [])
    args += [f"{k}={_format(v)}" for k, v in overrides.items()]
    return f"`gd.{name}({', '.join(args)})`"


def summary_rows(variants: Sequence[tuple[str, Mapping, str]] = VARIANTS) -> list[tuple]:
    """One row per variant: label, call, state, hyperparameters, torch class."""
    rows = []
    for name, overrides, label in variants:
        opt = _build(name, overrides)
        shown = []
        for param, default in hyperparameters(name):
            value = overrides.get(param, default)
            shown.append(f"`{param}` (required)" if value is inspect.Parameter.empty
                         else f"`{param}={_format(value)}`")
        rows.append((label, _call(name, overrides), opt.state_per_param, ", ".join(shown),
                     f"`{opt.torch_class}`" if opt.torch_class else "—"))
    return rows


def update_equations(variants: Sequence[tuple[str, Mapping, str]] = VARIANTS) -> str:
    """Markdown: each variant's label and call, then its update equations as display math."""
    return "\n\n".join(
        f"**{label}** — {_call(name, overrides)}\n\n{_display_math(_build(name, overrides).latex)}"
        for name, overrides, label in variants)
