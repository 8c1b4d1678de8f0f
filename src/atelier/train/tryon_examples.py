"""World records as try-on training examples: the task's inputs and the image it must make.

Partial diffusion means the record's kind decides the target: a dressed person for try-on,
model-free generation, edits and model-to-model; the garment itself for try-off; the person
in another pose for pose transfer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atelier.pipelines.task_inputs import TASKS, TaskInputs, check_task_inputs
from atelier.world.records import Record


@dataclass(frozen=True)
class TryOnExample:
    """One training example.

    Attributes:
        inputs: the checked task inputs (what a pipeline call would get).
        target: (H, W, 3) uint8 image the model learns to generate.
    """

    inputs: TaskInputs
    target: np.ndarray


def record_example(record: Record) -> TryOnExample:
    """The example a world (or real-dataset) record teaches.

    Raises:
        ValueError: the record's kind is not a try-on task, or it lacks what its task needs.
    """
    if record.kind not in TASKS:
        raise ValueError(f"record {record.key!r} of kind {record.kind!r} is not a try-on task; expected one of {TASKS}")
    if record.target is None:
        raise ValueError(f"record {record.key!r} has no target image")
    person = None if record.person is None else record.person.image
    inputs = check_task_inputs(
        record.kind,
        person=person,
        garments=[(garment.image, garment.category) for garment in record.garments],
        instruction=record.instruction,
        pose=None if record.pose is None else record.pose.pose_map,
        outfit_source=None if record.outfit_source is None else record.outfit_source.image,
        category=record.extra.get("category") if record.kind == "tryoff" else None,
    )
    return TryOnExample(inputs, record.target.image)
