"""Turns a try-on or try-off form into a checked :class:`TryOnRequest`.

Checking happens in two steps so that the cheap one runs on the event loop and the
costly one off it: :func:`parse_tryon_form` reads and checks every text field and counts
the files; :func:`decode_tryon_form` decodes the images (through
:mod:`atelier.data.images`, the only door for pixels) and is run in a thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from atelier.data.images import ImageError, decode_image
from atelier.serve.errors import InvalidRequest, from_image_error
from atelier.serve.multipart_form import UploadedForm
from atelier.serve.task_inputs import MAX_GARMENTS, TASK_INPUTS, default_task
from atelier.serve.tryon_request import TryOnRequest
from atelier.world.vocabulary import CATEGORIES, TASKS

OUTPUT_FORMATS = ("png", "jpeg")
MAX_INSTRUCTION_CHARS = 1000
MAX_GUIDANCE = 30.0
MAX_SEED = 2**63 - 1

TRYON_FIELDS = frozenset(
    {
        "person", "garment", "category", "instruction", "task", "pose", "outfit_source",
        "steps", "guidance", "seed", "restore_detail", "format",
    }
)  # fmt: skip
# Try-off shows a product shot, which detail restoration never touches.
TRYOFF_FIELDS = frozenset({"person", "category", "instruction", "steps", "guidance", "seed", "format"})
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True, eq=False)
class TryOnForm:
    """A form whose fields are checked but whose images are still encoded bytes."""

    task: str
    person: bytes | None
    garments: tuple[bytes, ...]
    categories: tuple[str, ...]
    instruction: str
    pose: bytes | None
    outfit_source: bytes | None
    steps: int | None
    guidance: float | tuple[float, ...] | None
    seed: int | None
    restore_detail: bool | None
    output_format: str

    def __repr__(self) -> str:
        return f"TryOnForm(task={self.task!r}, garments={len(self.garments)}, categories={self.categories})"


def parse_tryon_form(form: UploadedForm, *, max_steps: int, task: str | None = None) -> TryOnForm:
    """Checks a try-on form's fields.

    Args:
        form: The parsed multipart form.
        max_steps: Largest ``steps`` accepted.
        task: Forces the task (the try-off endpoint); the form may then not name one.

    Returns:
        The checked form.

    Raises:
        InvalidRequest: An unknown or repeated field, a bad value, or inputs that do not
            fit the task (7 garments, an unknown category, counts that differ, ...).
    """
    allowed = TRYOFF_FIELDS if task == "tryoff" else TRYON_FIELDS
    unknown = sorted(form.names - allowed)
    if unknown:
        raise InvalidRequest(f"unknown form field(s) {unknown}; expected some of {sorted(allowed)}")

    person = form.one_file("person")
    garments = tuple(form.all_bytes("garment"))
    categories = tuple(value.strip() for value in form.all_text("category"))
    named_task = _optional(form.one_text("task"))
    if task is None:
        task = named_task or default_task(person is not None, len(garments))
    if task not in TASKS:
        raise InvalidRequest(f"task: unknown task {task!r}; expected one of {list(TASKS)}")

    parsed = TryOnForm(
        task=task,
        person=person,
        garments=garments,
        categories=categories,
        instruction=_instruction(form.one_text("instruction")),
        pose=form.one_file("pose"),
        outfit_source=form.one_file("outfit_source"),
        steps=_bounded_int("steps", form.one_text("steps"), 1, max_steps),
        guidance=_guidance(form.one_text("guidance")),
        seed=_bounded_int("seed", form.one_text("seed"), 0, MAX_SEED),
        restore_detail=_boolean("restore_detail", form.one_text("restore_detail")),
        output_format=_output_format(form.one_text("format")),
    )
    _check_task_inputs(parsed)
    return parsed


def decode_tryon_form(form: TryOnForm, *, max_pixels: int) -> TryOnRequest:
    """Decodes the form's images; slow, so run it off the event loop.

    Each image is named by its field (``person``, ``garment[0]``, ``pose``, ...) in errors.

    Raises:
        UnsupportedMediaType: An image is not an allowed format or is animated (415).
        InvalidRequest: An image is empty, truncated or has too many pixels (422).
    """

    def decode(data: bytes | None, name: str):
        if data is None:
            return None
        try:
            return decode_image(data, name=name, max_pixels=max_pixels)
        except ImageError as error:
            raise from_image_error(error) from None

    # Decoded in form order, so the first bad image named is the first one sent.
    person = decode(form.person, "person")
    if form.task == "tryoff":
        garments = tuple((None, category) for category in form.categories)
    else:
        garments = tuple(
            (decode(data, f"garment[{index}]"), category)
            for index, (data, category) in enumerate(zip(form.garments, form.categories, strict=True))
        )
    return TryOnRequest(
        task=form.task,
        person=person,
        garments=garments,
        instruction=form.instruction,
        pose=decode(form.pose, "pose"),
        outfit_source=decode(form.outfit_source, "outfit_source"),
        steps=form.steps,
        guidance=form.guidance,
        seed=form.seed,
        restore_detail=form.restore_detail,
    )


def _check_task_inputs(form: TryOnForm) -> None:
    needs = TASK_INPUTS[form.task]
    task = form.task
    if len(form.garments) > MAX_GARMENTS:
        raise InvalidRequest(f"garment: at most {MAX_GARMENTS} garments per request, got {len(form.garments)}")
    for index, category in enumerate(form.categories):
        if category not in CATEGORIES:
            raise InvalidRequest(f"category[{index}]: unknown category {category!r}; expected one of {list(CATEGORIES)}")
    if needs.person and form.person is None:
        raise InvalidRequest(f"person: task {task!r} needs a person photo")
    if not needs.person and form.person is not None:
        raise InvalidRequest(f"person: task {task!r} generates the person; do not send a person photo")
    if not needs.min_garments <= len(form.garments) <= needs.max_garments:
        expected = (
            str(needs.min_garments)
            if needs.min_garments == needs.max_garments
            else f"{needs.min_garments} to {needs.max_garments}"
        )
        raise InvalidRequest(f"garment: task {task!r} takes {expected} garment image(s), got {len(form.garments)}")
    expected_categories = needs.categories_without_garments or len(form.garments)
    if len(form.categories) != expected_categories:
        what = "what to take off" if needs.categories_without_garments else "one per garment, in the same order"
        raise InvalidRequest(
            f"category: task {task!r} needs {expected_categories} category value(s) ({what}), "
            f"got {len(form.categories)}"
        )
    for name, required, given in (
        ("pose", needs.pose, form.pose is not None),
        ("outfit_source", needs.outfit_source, form.outfit_source is not None),
    ):
        if required and not given:
            raise InvalidRequest(f"{name}: task {task!r} needs this image")
        if given and not required:
            raise InvalidRequest(f"{name}: task {task!r} does not take this image")
    if needs.instruction and not form.instruction:
        raise InvalidRequest(f"instruction: task {task!r} needs an instruction")


def _optional(value: str | None) -> str | None:
    """Treats an empty field as an absent one, as HTML forms send empty inputs."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _instruction(value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > MAX_INSTRUCTION_CHARS:
        raise InvalidRequest(f"instruction: at most {MAX_INSTRUCTION_CHARS} characters, got {len(text)}")
    if any(ord(char) < 32 and char not in "\t\n\r" for char in text):
        raise InvalidRequest("instruction: control characters are not allowed")
    return text


def _bounded_int(name: str, value: str | None, low: int, high: int) -> int | None:
    value = _optional(value)
    if value is None:
        return None
    # isdecimal() also refuses "1e3", "+5", "1_000" and non-ASCII digits that int() would take.
    if not (value.isascii() and value.isdecimal() and len(value) <= 20):
        raise InvalidRequest(f"{name}: expected a whole number from {low} to {high}, got {value[:40]!r}")
    number = int(value)
    if not low <= number <= high:
        raise InvalidRequest(f"{name}: expected a whole number from {low} to {high}, got {number}")
    return number


def _guidance(value: str | None) -> float | tuple[float, ...] | None:
    """One scale for everything, or 'text,reference[,garment]' scales, as the pipeline takes them."""
    value = _optional(value)
    if value is None:
        return None
    expected = f"one number or 'text,reference[,garment]' numbers from 0 to {MAX_GUIDANCE:g}"
    parts = value.split(",")
    try:
        numbers = tuple(float(part) for part in parts) if len(parts) <= 3 else ()
    except ValueError:
        numbers = ()
    if not numbers or not all(math.isfinite(number) and 0.0 <= number <= MAX_GUIDANCE for number in numbers):
        raise InvalidRequest(f"guidance: expected {expected}, got {value[:40]!r}")
    return numbers[0] if len(numbers) == 1 else numbers


def _boolean(name: str, value: str | None) -> bool | None:
    value = _optional(value)
    if value is None:
        return None
    if value.lower() not in BOOLEANS:
        raise InvalidRequest(f"{name}: expected true or false, got {value[:40]!r}")
    return BOOLEANS[value.lower()]


def _output_format(value: str | None) -> str:
    value = (_optional(value) or "png").lower()
    if value == "jpg":
        value = "jpeg"
    if value not in OUTPUT_FORMATS:
        raise InvalidRequest(f"format: expected one of {list(OUTPUT_FORMATS)}, got {value[:40]!r}")
    return value
