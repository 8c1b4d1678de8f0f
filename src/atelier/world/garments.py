"""Garments: what a garment is (category, shape, appearance) and how one is drawn at random.

A garment is pure data; `atelier.world.textures` paints its surface and
`atelier.world.renderer` draws it flat (product shot) or worn.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from atelier.world.vocabulary import CATEGORIES, COLOURS, PATTERNS, SHAPE_ATTRIBUTES


@dataclass(frozen=True)
class Garment:
    """One garment or accessory.

    Attributes:
        category: one of `CATEGORIES`.
        shape: shape attributes, keys and values from `SHAPE_ATTRIBUTES[category]`.
        colour: base colour name from `COLOURS`.
        pattern: one of `PATTERNS`.
        pattern_colour: second colour name (unused for `solid`).
        pattern_scale: pattern period relative to the garment's width, in (0, 1].
        pattern_angle: pattern angle in degrees.
        logo_text: the word printed by the `logo` pattern.
        garment_id: stable id; the same garment keeps it in every record.
    """

    category: str
    shape: dict[str, str] = field(default_factory=dict)
    colour: str = "white"
    pattern: str = "solid"
    pattern_colour: str = "black"
    pattern_scale: float = 0.2
    pattern_angle: float = 0.0
    logo_text: str = ""
    garment_id: str = ""

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown garment category {self.category!r}; expected one of {CATEGORIES}")
        if self.colour not in COLOURS or self.pattern_colour not in COLOURS:
            raise ValueError(f"unknown colour in {self.colour!r}/{self.pattern_colour!r}")
        if self.pattern not in PATTERNS:
            raise ValueError(f"unknown pattern {self.pattern!r}; expected one of {PATTERNS}")
        allowed = SHAPE_ATTRIBUTES[self.category]
        for name, value in self.shape.items():
            if name not in allowed or value not in allowed[name]:
                raise ValueError(f"{self.category}: bad shape attribute {name}={value!r}")

    def attribute(self, name: str) -> str:
        """A shape attribute, falling back to the category's default value."""
        return self.shape.get(name, SHAPE_ATTRIBUTES[self.category][name][0])

    def with_changes(self, **changes: Any) -> Garment:
        """A copy with some fields replaced (`shape` entries are merged, not replaced)."""
        if "shape" in changes:
            changes["shape"] = {**self.shape, **changes["shape"]}
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Garment:
        return cls(**data)
