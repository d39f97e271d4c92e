r"""Small neural networks: why deep gradients vanish, and gradient descent on a real model.

Two halves. The numpy half (:func:`deep_gradient_norms`) is a plain deep MLP with its
backward pass written out, because the backward pass *is* the explanation of vanishing and
exploding gradients: the gradient reaching layer ``l`` is the loss gradient multiplied by
one Jacobian per layer above it. The torch half (:func:`two_moons`, :func:`mlp`,
:func:`train_manual`, :func:`train_optim`) trains a tiny classifier twice, once with a
hand-written update and once with ``torch.optim``; torch is imported inside those functions
only, so ``import gdnotes`` stays fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import validate

# ----------------------------------------------------------------------------- numpy deep MLP


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free form of 1 / (1 + e^-z)


#: Activation φ and its derivative φ'. The derivative bounds how much each layer can pass back:
#: sigmoid' ≤ 1/4, tanh' ≤ 1, relu' ∈ {0, 1}.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
}

#: Standard deviation of the Gaussian initial weights of a layer with ``fan_in`` inputs and
#: ``fan_out`` outputs: a fixed small value, Xavier/Glorot (keeps the variance of tanh-like
#: units), He/Kaiming (compensates for ReLU zeroing half its inputs), and a deliberately
#: too large ``3/√fan_in`` to show gradients exploding.
INITS: dict[str, Callable[[int, int], float]] = {
    "small": lambda fan_in, fan_out: 0.01,
    "xavier": lambda fan_in, fan_out: float(np.sqrt(2.0 / (fan_in + fan_out))),
    "he": lambda fan_in, fan_out: float(np.sqrt(2.0 / fan_in)),
    "large": lambda fan_in, fan_out: float(3.0 / np.sqrt(fan_in)),
}


@dataclass(frozen=True)
class DeepGradients:
    """Per-layer quantities of one backward pass through a deep MLP (index 0 = first layer)."""

    weights: list[np.ndarray]  # W_l, shape (width, width)
    inputs: np.ndarray  # (batch, width) Gaussian inputs
    targets: np.ndarray  # (batch, width) Gaussian targets
    weight_grad_norms: np.ndarray  # ‖∂f/∂W_l‖_F: what the optimizer gets to update layer l
    signal_norms: np.ndarray  # ‖∂f/∂z_l‖_F: the back-propagated signal at pre-activation z_l
    activation_rms: np.ndarray  # RMS of the layer outputs a_l in the forward pass

    @property
    def first_last_ratio(self) -> float:
        """‖∂f/∂W_1‖ / ‖∂f/∂W_D‖: below 1 the early layers learn slower than the late ones."""
        return float(self.weight_grad_norms[0] / self.weight_grad_norms[-1])


def deep_gradient_norms(
    activation: str,
    init: str,
    depth: int = 20,
    width: int = 64,
    batch: int = 128,
    seed: int = 0,
) -> DeepGradients:
    """One forward and backward pass of a ``depth``-layer MLP on random data, by hand.

    Every layer is ``z_l = a_{l-1} W_lᵀ`` (``width → width``, no bias), ``a_l = φ(z_l)``
    except the last, which is linear; the loss is ``½·mean_batch ‖a_L − y‖²`` for Gaussian
    inputs and targets. Going down, ``∂f/∂z_{l-1} = (∂f/∂z_l · W_l) ⊙ φ'(z_{l-1})``: each
    layer multiplies the signal by its Jacobian, and ``∂f/∂W_l = (∂f/∂z_l)ᵀ a_{l-1}``.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {sorted(INITS)}, got {init!r}")
    for name, value in (("depth", depth), ("width", width), ("batch", batch)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise ValueError(f"{name} must be an integer >= 2, got {value!r}")
    phi, dphi = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    std = INITS[init](width, width)
    weights = [rng.normal(0.0, std, (width, width)) for _ in range(depth)]
    inputs = rng.normal(size=(batch, width))
    targets = rng.normal(size=(batch, width))

    acts, pre = [inputs], []
    for layer, w in enumerate(weights):
        z = acts[-1] @ w.T
        pre.append(z)
        acts.append(phi(z) if layer < depth - 1 else z)

    signal = (acts[-1] - targets) / batch  # ∂f/∂z_D
    grad_norms, signal_norms = np.empty(depth), np.empty(depth)
    for layer in reversed(range(depth)):
        grad_norms[layer] = np.linalg.norm(signal.T @ acts[layer])
        signal_norms[layer] = np.linalg.norm(signal)
        if layer > 0:
            signal = (signal @ weights[layer]) * dphi(pre[layer - 1])
    rms = np.array([np.sqrt(np.mean(a * a)) for a in acts[1:]])
    return DeepGradients(weights, inputs, targets, grad_norms, signal_norms, rms)


# ----------------------------------------------------------------------------- torch classifier


def two_moons(n: int = 200, noise: float = 0.15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles in 2-D, labels 0/1: a toy set no straight line separates.

    Half the points lie on the upper arc ``(cos t, sin t)``, half on the lower arc
    ``(1 − cos t, ½ − sin t)``, ``t`` uniform in ``[0, π]``, plus Gaussian noise of std
    ``noise``. Returns ``X`` of shape ``(n, 2)`` and ``y`` of shape ``(n,)``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    upper = n // 2
    t = rng.uniform(0.0, np.pi, n)
    arc = np.where(np.arange(n)[:, None] < upper,
                   np.stack([np.cos(t), np.sin(t)], 1),
                   np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], 1))
    X = arc + rng.normal(0.0, noise, (n, 2))
    y = (np.arange(n) >= upper).astype(float)
    return X, y


def mlp(sizes=(2, 16, 16, 1), seed: int = 0):
    """A tanh MLP with the given layer sizes, float64, weights seeded by ``seed``."""
    import torch

    if len(sizes) < 2 or any(int(s) < 1 for s in sizes):
        raise ValueError(f"sizes must list at least 2 positive layer widths, got {sizes!r}")
    torch.manual_seed(seed)
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(int(fan_in), int(fan_out), dtype=torch.float64))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def _check_training(lr, momentum, steps):
    validate.positive("learning rate", lr)
    validate.unit_interval("momentum", momentum)
    validate.positive_int("steps", steps)


def _check_tensors(train: Callable) -> Callable:
    """``train`` with its model, inputs and labels checked first: torch tensors of the model's
    dtype, one label per input (numpy arrays or float32 tensors fail here, not deep in torch).
    A decorator above each loop's snippet marker, so the loops shown on the site stay as they
    are."""

    @functools.wraps(train)
    def checked(model, inputs, labels, *args, **kwargs):
        _check_model_data(model, inputs, labels)
        return train(model, inputs, labels, *args, **kwargs)

    return checked


def _check_model_data(model, inputs, labels) -> None:
    import torch

    validate.instance("model", model, torch.nn.Module, "a torch.nn.Module such as gd.mlp()")
    dtype = next(model.parameters()).dtype
    for name, value in (("inputs", inputs), ("labels", labels)):
        if not isinstance(value, torch.Tensor) or value.dtype != dtype:
            got = (f"a {value.dtype} tensor" if isinstance(value, torch.Tensor)
                   else f"{type(value).__name__}")
            raise TypeError(f"{name} must be a torch tensor of the model's dtype {dtype} "
                            f"(torch.as_tensor({name}, dtype={dtype})), got {got}")
    if labels.shape != inputs.shape[:1]:
        raise ValueError(f"labels must have shape ({inputs.shape[0]},), one per input row, "
                         f"got {tuple(labels.shape)}")


# The two loops below are shown side by side on the neural-network page. They compute the
# same thing; the test suite checks that they produce the same weights.
@_check_tensors
# --8<-- [start:manual]
def train_manual(model, inputs, labels, lr, momentum=0.0, steps=100, callback=None):
    """Full-batch gradient descent (with optional heavy-ball momentum), update written out."""
    import torch

    _check_training(lr, momentum, steps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    losses = []
    for step in range(steps):
        loss = loss_fn(model(inputs).squeeze(-1), labels)  # forward pass and loss
        model.zero_grad()
        loss.backward()  # back-propagation fills p.grad for every parameter
        with torch.no_grad():  # outside no_grad, updating a parameter in place is an error
            for p, v in zip(model.parameters(), velocity, strict=True):
                v.mul_(momentum).add_(p.grad)  # v ← β v + ∇L
                p.sub_(lr * v)  # θ ← θ − η v
        losses.append(loss.item())
        if callback is not None:
            callback(step, model)
    return losses
# --8<-- [end:manual]


@_check_tensors
# --8<-- [start:optim]
def train_optim(model, inputs, labels, lr, momentum=0.0, steps=100, callback=None):
    """The same training with torch.optim.SGD doing the update."""
    import torch

    _check_training(lr, momentum, steps)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    losses = []
    for step in range(steps):
        loss = loss_fn(model(inputs).squeeze(-1), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()  # θ ← θ − η v with v ← β v + ∇L, as above
        losses.append(loss.item())
        if callback is not None:
            callback(step, model)
    return losses
# --8<-- [end:optim]
