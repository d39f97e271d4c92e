"""The optimizer summary table, generated from the optimizers themselves.

Every :class:`~gdnotes.optimizers.Optimizer` carries its update equations (``latex``), the
state it keeps per parameter and the ``torch.optim`` class it matches; the constructors'
signatures carry the hyperparameters. :func:`summary_rows` reads all of that from
:data:`gdnotes.OPTIMIZERS`, and the defaults from ``torch.optim``'s own signatures (saying
where gdnotes' differ), so the table on the site cannot drift from the code or from torch.
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

HEADERS = ("method", "gdnotes call", "state per parameter",
           "hyperparameters (torch's defaults; gdnotes' where it differs)", "torch.optim")

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


def torch_defaults(torch_class: str | None) -> dict[str, object]:
    """``{parameter: default}`` of a ``torch.optim`` class, read from the installed torch's
    own signature (so the table cannot drift from the torch version that is pinned)."""
    if torch_class is None:
        return {}
    import torch  # imported only when the table is built: importing gdnotes stays quick

    cls = getattr(torch.optim, torch_class.split(".")[-1])
    return {p.name: p.default for p in inspect.signature(cls).parameters.values()
            if p.name != "params"}


def _shown_default(param: str, ours, theirs: dict) -> str:
    """``lr=0.001``; with gdnotes' own default appended where it is not torch's."""
    if param not in theirs:
        return (f"`{param}` (required, gdnotes only)" if ours is inspect.Parameter.empty
                else f"`{param}={_format(ours)}` (gdnotes only)")
    text = f"`{param}={_format(theirs[param])}`"
    if ours is inspect.Parameter.empty:
        return f"{text} (gdnotes: required)"
    return text if ours == theirs[param] else f"{text} (gdnotes: `{_format(ours)}`)"


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
        theirs = torch_defaults(opt.torch_class)
        shown = []
        for param, default in hyperparameters(name):
            if param in overrides:  # the variant's own setting, e.g. momentum=0.9
                shown.append(f"`{param}={_format(overrides[param])}`")
            else:
                shown.append(_shown_default(param, default, theirs))
        rows.append((label, _call(name, overrides), opt.state_per_param, ", ".join(shown),
                     f"`{opt.torch_class}`" if opt.torch_class else "—"))
    return rows


def update_equations(variants: Sequence[tuple[str, Mapping, str]] = VARIANTS) -> str:
    """Markdown: each variant's label and call, then its update equations as display math."""
    return "\n\n".join(
        f"**{label}** — {_call(name, overrides)}\n\n{_display_math(_build(name, overrides).latex)}"
        for name, overrides, label in variants)
