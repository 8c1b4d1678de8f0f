"""What each try-on task takes, and how its inputs become the model's condition images.

One model serves every task; the task only decides which clean images sit beside the noisy
target (partial diffusion) and what the target is. Training (`atelier.train`) and inference
(`TryOnPipeline`) both build conditions here, so the order and roles a model was trained on
are exactly the ones it is sampled with:

    person, outfit source, pose map, garments in the order given, requested-garment token

Try-off has no garment image to show; it asks for a category with a *requested-garment token*:
one latent patch of zeros (a single packed token) carrying the category's role, so the model
knows which garment to take off even when the instruction is empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from atelier.pipelines.image_tensors import check_image
from atelier.world.vocabulary import CATEGORIES, TASKS

# Tasks whose output is the input person's photo, changed: same camera, same background. Try-off
# shows a product shot, model-free has no photo.
PERSON_FRAME_TASKS = frozenset({"single", "multi", "pose", "m2m", "edit"})
MAX_REFERENCES = 6

# What every task needs (True), may not have (False); garment counts are (min, max).
_NEEDS_PERSON = {"single": True, "multi": True, "modelfree": False, "tryoff": True, "pose": True, "m2m": True, "edit": True}
_GARMENT_COUNT = {
    "single": (1, 1),
    "multi": (2, MAX_REFERENCES),
    "modelfree": (1, MAX_REFERENCES),
    "tryoff": (0, 0),
    "pose": (0, 0),
    "m2m": (0, 0),
    "edit": (0, 0),
}


@dataclass(frozen=True)
class ConditionImage:
    """One condition of a sample.

    Attributes:
        role: a role of `atelier.models.conditioning.ROLES` (garments use their category).
        image: (H, W, 3) uint8, or None for the requested-garment token (zeros latent).
    """

    role: str
    image: np.ndarray | None


@dataclass(frozen=True)
class TaskInputs:
    """A checked request: what the pipeline and the training batches turn into tensors.

    Attributes:
        task: one of `TASKS`.
        person: (H, W, 3) uint8 or None.
        garments: (image (H, W, 3) uint8, category) pairs, at most `MAX_REFERENCES`.
        instruction: the instruction text ("" for none).
        pose: (H, W, 3) uint8 pose map (a rendered OpenPose skeleton) or None.
        outfit_source: (H, W, 3) uint8 photo of the person whose outfit moves, or None.
        category: the garment try-off shows; None for other tasks.
    """

    task: str
    person: np.ndarray | None = None
    garments: tuple[tuple[np.ndarray, str], ...] = ()
    instruction: str = ""
    pose: np.ndarray | None = None
    outfit_source: np.ndarray | None = None
    category: str | None = None

    def conditions(self) -> list[ConditionImage]:
        """The condition images in the canonical order (see the module docstring)."""
        conditions = []
        if self.person is not None:
            conditions.append(ConditionImage("person", self.person))
        if self.outfit_source is not None:
            conditions.append(ConditionImage("outfit_source", self.outfit_source))
        if self.pose is not None:
            conditions.append(ConditionImage("pose", self.pose))
        conditions.extend(ConditionImage(category, image) for image, category in self.garments)
        if self.category is not None:
            conditions.append(ConditionImage(self.category, None))
        return conditions


def check_task_inputs(
    task: str,
    *,
    person: np.ndarray | None = None,
    garments: Sequence[tuple[np.ndarray | None, str]] = (),
    instruction: str | None = "",
    pose: np.ndarray | None = None,
    outfit_source: np.ndarray | None = None,
    category: str | None = None,
) -> TaskInputs:
    """Check that a task has the inputs it needs and none it would silently ignore.

    Try-off names its category with `category="top"` or, equivalently, `garments=[(None, "top")]`.

    Returns:
        The checked `TaskInputs`.

    Raises:
        ValueError: an unknown task or category, more than `MAX_REFERENCES` garments, a missing
            or superfluous input, or an input that is not an (H, W, 3) uint8 image
            (`atelier.data.images.EmptyImage` for a zero-size one).
    """
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {TASKS}")
    garments = list(garments or ())
    if len(garments) > MAX_REFERENCES:
        raise ValueError(f"{len(garments)} garments given; at most {MAX_REFERENCES} references are supported")
    for position, garment in enumerate(garments, start=1):
        if not isinstance(garment, (tuple, list)) or len(garment) != 2:
            raise ValueError(f"garment {position}: expected an (image, category) pair, got {type(garment).__name__}")
        _check_category(garment[1], f"garment {position}")
    if task == "tryoff":
        category, garments = _tryoff_category(category, garments)
    elif category is not None:
        raise ValueError(f"task {task!r} does not take a category; only 'tryoff' does")

    if _NEEDS_PERSON[task] and person is None:
        raise ValueError(f"task {task!r} needs a person image")
    if not _NEEDS_PERSON[task] and person is not None:
        raise ValueError(f"task {task!r} makes a new person and takes no person image")
    low, high = _GARMENT_COUNT[task]
    if not low <= len(garments) <= high:
        raise ValueError(f"task {task!r} takes {_count_words(low, high)}, got {len(garments)}{_task_hint(task, len(garments))}")
    if (pose is not None) != (task == "pose"):
        raise ValueError("task 'pose' needs a pose image" if task == "pose" else f"task {task!r} does not take a pose image")
    if (outfit_source is not None) != (task == "m2m"):
        raise ValueError(
            "task 'm2m' needs an outfit_source image" if task == "m2m" else f"task {task!r} does not take an outfit_source"
        )
    instruction = "" if instruction is None else instruction
    if not isinstance(instruction, str):
        raise ValueError(f"instruction must be a string, got {type(instruction).__name__}")  # noqa: TRY004
    if task == "edit" and not instruction.strip():
        raise ValueError("task 'edit' needs an instruction saying what to change")

    return TaskInputs(
        task=task,
        person=None if person is None else check_image(person, "person"),
        garments=tuple(
            (check_image(image, f"garment {position} ({name})"), name)
            for position, (image, name) in enumerate(garments, start=1)
        ),
        instruction=instruction,
        pose=None if pose is None else check_image(pose, "pose"),
        outfit_source=None if outfit_source is None else check_image(outfit_source, "outfit_source"),
        category=category,
    )


def _check_category(category: object, name: str) -> None:
    if category not in CATEGORIES:
        raise ValueError(f"{name}: unknown category {category!r}; expected one of {CATEGORIES}")


def _tryoff_category(
    category: str | None, garments: list[tuple[np.ndarray | None, str]]
) -> tuple[str, list[tuple[np.ndarray | None, str]]]:
    """Try-off's category from `category=` or from one image-less garment entry."""
    if garments:
        if len(garments) != 1 or garments[0][0] is not None:
            raise ValueError("task 'tryoff' takes no garment images; name the category as category='top' or garments=[(None, 'top')]")
        named = garments[0][1]
        if category is not None and category != named:
            raise ValueError(f"task 'tryoff' got two categories, {category!r} and {named!r}")
        category = named
    if category is None:
        raise ValueError("task 'tryoff' needs the category of the garment to take off, e.g. category='top'")
    _check_category(category, "tryoff")
    return category, []


def _count_words(low: int, high: int) -> str:
    if low == high:
        return "no garments" if low == 0 else f"exactly {low} garment" + ("s" if low > 1 else "")
    return f"{low} to {high} garments"


def _task_hint(task: str, count: int) -> str:
    if task == "single" and count > 1:
        return "; use task='multi' for several garments"
    if task == "multi" and count == 1:
        return "; use task='single' for one garment"
    return ""
