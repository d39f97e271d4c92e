"""Imported by the example zygote that has torch loaded (see `runner.Launcher`): take one step of
a torch optimizer and one backward pass, so that forked examples skip torch's lazy one-off
imports (the first `torch.optim` optimizer imports torch._dynamo: about 3 s of CPU, in every
child otherwise). Leaves torch's random state as it found it, so the children draw the same
numbers as without the warm-up."""

from __future__ import annotations

import torch


def _warm() -> None:
    rng = torch.random.get_rng_state()
    model = torch.nn.Sequential(torch.nn.Linear(2, 2, dtype=torch.float64), torch.nn.Tanh())
    for make in (torch.optim.SGD, torch.optim.Adam):
        optimizer = make(model.parameters(), lr=0.1)
        optimizer.zero_grad()
        model(torch.ones(1, 2, dtype=torch.float64)).sum().backward()
        optimizer.step()
    torch.random.set_rng_state(rng)


_warm()
