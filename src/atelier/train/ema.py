"""Exponential moving average of trained weights: what a run ships and samples with."""

from __future__ import annotations

import copy

import torch
from torch import nn


class ExponentialMovingAverage:
    """Shadow copies of the parameters of named modules, updated after every optimizer step.

    The effective decay warms up as min(decay, (1 + n) / (10 + n)) after n updates, so early
    averages are not dominated by the random initialisation.

    Attributes:
        decay: the long-run decay.
        updates: number of updates so far.
        shadow: module name -> parameter name -> averaged tensor (fp32, on the parameter's device).
    """

    def __init__(self, modules: dict[str, nn.Module], decay: float):
        self.decay = decay
        self.updates = 0
        self.shadow = {
            name: {key: value.detach().float().clone() for key, value in module.named_parameters()}
            for name, module in modules.items()
        }

    def current_decay(self) -> float:
        return min(self.decay, (1 + self.updates) / (10 + self.updates))

    @torch.no_grad()
    def update(self, modules: dict[str, nn.Module]) -> None:
        """Move the averages towards the modules' current parameters."""
        decay = self.current_decay()
        for name, module in modules.items():
            shadow = self.shadow[name]
            for key, value in module.named_parameters():
                shadow[key].lerp_(value.detach().float(), 1 - decay)
        self.updates += 1

    def averaged_copy(self, name: str, module: nn.Module) -> nn.Module:
        """A copy of `module` holding the averaged parameters (buffers copied as they are)."""
        averaged = copy.deepcopy(module)
        with torch.no_grad():
            for key, value in averaged.named_parameters():
                value.copy_(self.shadow[name][key])
        return averaged.eval()

    def load_from(self, modules: dict[str, nn.Module], updates: int) -> None:
        """Take the averages from modules that hold them (e.g. a checkpoint's EMA weights)."""
        for name, module in modules.items():
            for key, value in module.named_parameters():
                self.shadow[name][key].copy_(value.detach().float())
        self.updates = updates
