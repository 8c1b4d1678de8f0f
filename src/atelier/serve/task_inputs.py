"""Which inputs each try-on task takes, as data the form checks read.

These are the pipeline's own rules (``atelier.pipelines.task_inputs``), restated here so
that a form is refused before its images are decoded and without importing the model
stack; a test holds the two to agreement.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_GARMENTS = 6
"""Most garment references one request may carry (the model's 1-6 reference streams)."""


@dataclass(frozen=True)
class TaskInputs:
    """The inputs one task needs.

    Attributes:
        person: Whether a person photo is required (False: it must be absent).
        min_garments: Fewest garment images.
        max_garments: Most garment images.
        pose: Whether a target-pose picture is required.
        outfit_source: Whether a photo of the outfit's wearer is required.
        instruction: Whether a non-empty instruction is required.
        categories_without_garments: Categories given with no garment image (try-off names
            what to take off this way).
    """

    person: bool = True
    min_garments: int = 0
    max_garments: int = 0
    pose: bool = False
    outfit_source: bool = False
    instruction: bool = False
    categories_without_garments: int = 0


TASK_INPUTS: dict[str, TaskInputs] = {
    "single": TaskInputs(min_garments=1, max_garments=1),
    "multi": TaskInputs(min_garments=2, max_garments=MAX_GARMENTS),
    "modelfree": TaskInputs(person=False, min_garments=1, max_garments=MAX_GARMENTS),
    "tryoff": TaskInputs(categories_without_garments=1),
    "pose": TaskInputs(pose=True),
    "m2m": TaskInputs(outfit_source=True),
    "edit": TaskInputs(instruction=True),
}

def default_task(has_person: bool, garment_count: int) -> str:
    """The task a form means when it names none: model-free without a person, else try-on."""
    if not has_person:
        return "modelfree"
    return "single" if garment_count == 1 else "multi"
