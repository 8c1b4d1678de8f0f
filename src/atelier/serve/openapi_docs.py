"""OpenAPI descriptions of the forms and answers that the routes read and write by hand.

The try-on routes parse their multipart bodies themselves (to keep uploads in memory), so
FastAPI cannot infer their schemas; they are written out here and attached to the routes.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from atelier.serve.settings import DEFAULT_MAX_STEPS
from atelier.serve.task_inputs import MAX_GARMENTS
from atelier.serve.tryon_form import MAX_GUIDANCE, MAX_INSTRUCTION_CHARS, OUTPUT_FORMATS
from atelier.world.vocabulary import CATEGORIES, TASKS


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error answer: ``{"error": {"code": ..., "message": ...}}``."""

    error: ErrorDetail


_BINARY = {"type": "string", "format": "binary"}

_ERROR_DESCRIPTIONS = {
    400: "The body is not a readable multipart form.",
    401: "A bearer token is required and was missing or wrong.",
    413: "The body is larger than the limit.",
    415: "The body is not multipart/form-data, or an image is not an allowed format (or is animated).",
    422: "A field is invalid, or an image is empty, truncated or has too many pixels; the message names the field.",
    429: "The queue is full; retry after the Retry-After header's seconds.",
    503: "The pipeline or index is not loaded; the message says what is missing.",
    504: "No result within the request deadline.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Response documentation for the given error statuses."""
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        responses[status] = {"model": ErrorBody, "description": _ERROR_DESCRIPTIONS[status]}
    if 429 in responses:
        responses[429]["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}}
    return responses


IMAGE_RESPONSE = {
    200: {
        "description": "The generated image.",
        "content": {
            "image/png": {"schema": _BINARY},
            "image/jpeg": {"schema": _BINARY},
        },
    }
}

_COMMON_TRYON_FIELDS: dict[str, Any] = {
    "instruction": {
        "type": "string",
        "maxLength": MAX_INSTRUCTION_CHARS,
        "description": "How to wear it or what to edit.",
    },
    "steps": {
        "type": "integer",
        "minimum": 1,
        "maximum": DEFAULT_MAX_STEPS,
        "description": "Sampling steps (the pipeline's default if absent); the server's limit may be lower.",
    },
    "guidance": {
        "type": "string",
        "pattern": r"^[0-9.eE+-]+(,[0-9.eE+-]+){0,2}$",
        "description": f"One guidance scale for everything ('2.5'), or 'text,reference' or "
        f"'text,reference,garment' scales ('3,2.5,5'), each from 0 to {MAX_GUIDANCE:g}; the model's own if absent.",
    },
    "seed": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
    "format": {"type": "string", "enum": list(OUTPUT_FORMATS), "default": "png"},
}


def _multipart_body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": properties,
                        "required": required,
                        "additionalProperties": False,  # unknown fields are refused (422)
                    },
                }
            },
        }
    }


TRYON_BODY = _multipart_body(
    {
        "person": {**_BINARY, "description": "Photo of the person (absent for task=modelfree)."},
        "garment": {
            "type": "array",
            "items": _BINARY,
            "maxItems": MAX_GARMENTS,
            "description": f"Garment images, 1 to {MAX_GARMENTS}; named garment[0], garment[1], ... in errors.",
        },
        "category": {
            "type": "array",
            "items": {"type": "string", "enum": list(CATEGORIES)},
            "description": "One category per garment, in the same order.",
        },
        "task": {"type": "string", "enum": list(TASKS), "description": "Inferred from the inputs if absent."},
        "pose": {**_BINARY, "description": "Target pose picture (task=pose)."},
        "outfit_source": {**_BINARY, "description": "Photo of the outfit's wearer (task=m2m)."},
        "restore_detail": {
            "type": "string",
            "enum": ["true", "false"],
            "description": "Put the person photo's own pixels back wherever the output left it unchanged "
            "(the model's default if absent; false returns the model's pixels only).",
        },
        **_COMMON_TRYON_FIELDS,
    },
    required=[],
)

TRYOFF_BODY = _multipart_body(
    {
        "person": {**_BINARY, "description": "Photo of the dressed person."},
        "category": {"type": "string", "enum": list(CATEGORIES), "description": "What to take off."},
        **_COMMON_TRYON_FIELDS,
    },
    required=["person", "category"],
)

SEARCH_BODY = _multipart_body(
    {
        "text": {
            "type": "string",
            "maxLength": MAX_INSTRUCTION_CHARS,
            "description": "Query text, or the modification of a reference image.",
        },
        "image": {**_BINARY, "description": "Reference garment image (composed retrieval with text)."},
        "k": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
    },
    required=[],
)

CAPTION_BODY = _multipart_body(
    {
        "image": {**_BINARY, "description": "Garment image to describe."},
        "style": {"type": "string", "maxLength": 40, "description": "Caption style, if the captioner has several."},
    },
    required=["image"],
)
