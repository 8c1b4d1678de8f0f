"""Learning-rate schedule: linear warmup, then a cosine decay to a floor."""

from __future__ import annotations

import math

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


def warmup_cosine_factor(step: int, *, warmup_steps: int, total_steps: int, min_ratio: float) -> float:
    """Multiplier of the base learning rate at `step` (0-based, before the step is taken).

    Rises linearly over `warmup_steps` (so step 0 already moves a little), then follows half a
    cosine from 1 down to `min_ratio` at `total_steps`.
    """
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    decay_steps = max(1, total_steps - warmup_steps)
    progress = min(1.0, (step - warmup_steps) / decay_steps)
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def warmup_cosine_schedule(optimizer: Optimizer, *, warmup_steps: int, total_steps: int, min_ratio: float) -> LambdaLR:
    """A `LambdaLR` following `warmup_cosine_factor`; step it once per optimizer step."""
    return LambdaLR(
        optimizer,
        lambda step: warmup_cosine_factor(step, warmup_steps=warmup_steps, total_steps=total_steps, min_ratio=min_ratio),
    )
