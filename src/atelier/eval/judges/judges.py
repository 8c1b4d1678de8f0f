"""The judge interface of TryOnBench: four scores from 1 to 10 for one model output.

A judge looks at one sample (its record: inputs and ground truth) and the model's output and
returns `DimensionScores`: Identity, Garment fidelity, Background, Physics & structure, each on
the Likert scale 1–10 of Tstars-VTON Bench, or None where a dimension does not apply (Identity
of a try-off, whose answer shows no person). The overall score of a sample is the geometric mean
of the dimensions it has, so one failed dimension pulls it down hard: a try-on that keeps the
person and the background but shows the wrong garment has failed.

Two judges implement it: `GroundTruthJudge` (measured against the world's ground truth) and
`VLMJudge` (a vision-language model asked the published two-stage Likert questions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from atelier.world.records import Record

DIMENSIONS: tuple[str, ...] = ("identity", "garment", "background", "physics")
LOWEST, HIGHEST = 1.0, 10.0


def likert_from_similarity(similarity: float) -> float:
    """Map a similarity in [0, 1] (1 = indistinguishable from the truth) onto 1–10, linearly."""
    return LOWEST + (HIGHEST - LOWEST) * float(np.clip(similarity, 0.0, 1.0))


def geometric_mean(values: list[float]) -> float:
    """Geometric mean of positive values (NaN for none)."""
    if not values:
        return float("nan")
    return math.exp(sum(math.log(v) for v in values) / len(values))


@dataclass(frozen=True)
class DimensionScores:
    """One sample's scores.

    Attributes:
        identity: 1–10, or None where the task's answer shows no person.
        garment: 1–10, or None where no reference garment is visible in the target.
        background: 1–10, or None.
        physics: 1–10, or None.
        garments: reference garment category -> its own 1–10 fidelity (the category breakdown).
        details: the raw components behind the scores, for reports and debugging.
    """

    identity: float | None
    garment: float | None
    background: float | None
    physics: float | None
    garments: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in DIMENSIONS:
            value = getattr(self, name)
            if value is not None and not LOWEST - 1e-9 <= value <= HIGHEST + 1e-9:
                raise ValueError(f"{name} score {value} is outside {LOWEST}–{HIGHEST}")

    @property
    def overall(self) -> float:
        """Geometric mean of the dimensions that apply."""
        return geometric_mean([v for v in (getattr(self, name) for name in DIMENSIONS) if v is not None])


class Judge(Protocol):
    """Scores a model's output for one bench sample."""

    name: str

    def score(self, record: Record, output: np.ndarray) -> DimensionScores:
        """Scores of `output` ((H, W, 3) uint8) as the answer to `record`."""
        ...
