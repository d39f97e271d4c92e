"""Every optimizer by its torch-style name: what `get_optimizer` and the summary table read.

Kept apart from `optimizers.py` so that `limited_memory.py` can build on `Optimizer` without an
import cycle (optimizers -> limited_memory -> optimizers).
"""

from __future__ import annotations

from collections.abc import Callable

from . import validate
from .limited_memory import lbfgs
from .optimizers import (
    Optimizer,
    adadelta,
    adagrad,
    adam,
    adamw,
    bfgs,
    nadam,
    newton,
    rmsprop,
    sgd,
)

OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adadelta": adadelta,
    "adam": adam,
    "adamw": adamw,
    "nadam": nadam,
    "newton": newton,
    "bfgs": bfgs,
    "lbfgs": lbfgs,
}


def get_optimizer(name: str, **hyperparams) -> Optimizer:
    """Build an optimizer by name, e.g. ``get_optimizer("adam", lr=0.1)``."""
    validate.one_of("optimizer name", name, list(OPTIMIZERS))
    return OPTIMIZERS[name](**hyperparams)
