"""One decoded try-on request: the unit the worker queues and the pipeline batches."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class TryOnRequest:
    """Everything one call of the try-on pipeline needs, already decoded and checked.

    Images are (H, W, 3) uint8 RGB arrays held in memory for the life of the request only.

    Attributes:
        task: One of ``atelier.world.vocabulary.TASKS``.
        person: Photo of the person, None for model-free generation.
        garments: (image, category) pairs; for try-off the image is None and the
            category names what to take off.
        instruction: Free text (how to wear, what to edit); may be empty.
        pose: Picture of the target pose (``task="pose"``), else None.
        outfit_source: Photo of the person whose outfit is moved (``task="m2m"``), else None.
        steps: Sampling steps, or None for the pipeline's default.
        guidance: One guidance scale, (text, reference) or (text, reference, garment) scales,
            or None for the pipeline's default.
        seed: Random seed, or None for a fresh one.
        restore_detail: Put the person photo's pixels back where the output left it
            unchanged, or None for the pipeline's default.
    """

    task: str
    person: np.ndarray | None
    garments: tuple[tuple[np.ndarray | None, str], ...]
    instruction: str = ""
    pose: np.ndarray | None = None
    outfit_source: np.ndarray | None = None
    steps: int | None = None
    guidance: float | tuple[float, ...] | None = None
    seed: int | None = None
    restore_detail: bool | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        """The garment categories in upload order."""
        return tuple(category for _, category in self.garments)

    def __repr__(self) -> str:
        # Shapes only: a request's repr may reach a log, its pixels must not.
        def shape(image: np.ndarray | None) -> str:
            return "None" if image is None else "x".join(str(n) for n in image.shape)

        garments = ", ".join(f"{shape(image)}:{category}" for image, category in self.garments)
        return (
            f"TryOnRequest(task={self.task!r}, person={shape(self.person)}, garments=[{garments}], "
            f"steps={self.steps}, guidance={self.guidance}, seed={self.seed})"
        )
