"""`PipelineConfig`: how a trained try-on model is sampled; saved in its checkpoint."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from atelier.models.config_mapping import build_config, config_to_dict
from atelier.pipelines.detail_restoration import DetailRestoration
from atelier.pipelines.task_inputs import TASKS


@dataclass(frozen=True)
class PipelineConfig:
    """Sampling settings that belong to a model (stored as configs["pipeline"]).

    Attributes:
        image_size: (height, width) the model was trained at; inputs are padded to its aspect.
        steps: default number of Euler steps.
        text_guidance: default s_text, how strongly to follow the instruction.
        reference_guidance: default s_ref, how strongly to follow the reference images.
        garment_guidance: default s_garment, how strongly to follow the garment images over the
            person photo (`atelier.flow.guidance`); None follows them as much as the other
            references (s_ref), which needs no extra model call.
        task_garment_guidance: s_garment for named tasks, in place of `garment_guidance`, e.g.
            {"single": 5.0}: a scale for the tasks it helps, where it costs those whose
            garment-free branch drops a whole outfit (README, "Garment guidance").
        sigma_shift: timestep shift of the sampling schedule (the one used in training).
        detail_restoration: how outputs get the person photo's own pixels back where the
            model left the photo unchanged (`atelier.pipelines.detail_restoration`).
    """

    image_size: tuple[int, int] = (128, 96)
    steps: int = 20
    text_guidance: float = 1.5
    reference_guidance: float = 1.5
    garment_guidance: float | None = None
    task_garment_guidance: dict[str, float] = field(default_factory=dict)
    sigma_shift: float = 1.0
    detail_restoration: DetailRestoration = DetailRestoration()

    def __post_init__(self) -> None:
        height, width = self.image_size
        if height <= 0 or width <= 0:
            raise ValueError(f"image_size must be positive, got {self.image_size}")
        if self.steps < 1:
            raise ValueError(f"steps must be at least 1, got {self.steps}")
        if self.garment_guidance is not None and not self.garment_guidance >= 0:
            raise ValueError(f"garment_guidance must be non-negative or None, got {self.garment_guidance}")
        unknown_tasks = sorted(set(self.task_garment_guidance) - set(TASKS))
        if unknown_tasks:
            raise ValueError(f"task_garment_guidance names unknown task(s) {unknown_tasks}; tasks: {list(TASKS)}")
        negative = {task: scale for task, scale in self.task_garment_guidance.items() if not scale >= 0}
        if negative:
            raise ValueError(f"task_garment_guidance scales must be non-negative, got {negative}")
        if self.sigma_shift <= 0:
            raise ValueError(f"sigma_shift must be positive, got {self.sigma_shift}")

    def garment_scale(self, task: str, reference_scale: float) -> float:
        """The default s_garment of a task: its own, else the model's, else `reference_scale`."""
        if task in self.task_garment_guidance:
            return self.task_garment_guidance[task]
        return reference_scale if self.garment_guidance is None else self.garment_guidance

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return config_to_dict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> PipelineConfig:
        """Inverse of `to_dict`; unknown keys are an error."""
        return build_config(cls, values)
