import math

import pytest
import torch

from atelier.train.ema import ExponentialMovingAverage
from atelier.train.lr_schedule import warmup_cosine_factor


def test_the_average_follows_the_closed_form():
    module = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        module.weight.fill_(0.0)
    ema = ExponentialMovingAverage({"m": module}, decay=0.5)
    expected = 0.0
    for value in (1.0, 2.0, 3.0):
        with torch.no_grad():
            module.weight.fill_(value)
        decay = min(0.5, (1 + ema.updates) / (10 + ema.updates))
        ema.update({"m": module})
        expected = decay * expected + (1 - decay) * value
    assert ema.shadow["m"]["weight"].item() == pytest.approx(expected)
    averaged = ema.averaged_copy("m", module)
    assert averaged.weight.item() == pytest.approx(expected) and module.weight.item() == 3.0


def test_warmup_then_cosine_to_the_floor():
    factor = lambda step: warmup_cosine_factor(step, warmup_steps=4, total_steps=14, min_ratio=0.1)
    assert [factor(step) for step in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert factor(9) == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 0.5)))
    assert factor(14) == pytest.approx(0.1) and factor(100) == pytest.approx(0.1)
