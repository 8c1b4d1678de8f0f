"""Atelier's internal label set: body parts and one label per garment category.

Every label map in Atelier, rendered by the world or converted from a real dataset's parser
output, uses these ids. An outfit holds at most one garment per category, so a category label
is also a garment-instance label.
"""

from __future__ import annotations

import numpy as np

LABELS: tuple[str, ...] = (
    "background",  # 0
    "hair",  # 1
    "face",  # 2
    "neck",  # 3
    "torso",  # 4  skin of the torso
    "left_arm",  # 5
    "right_arm",  # 6
    "left_leg",  # 7
    "right_leg",  # 8
    "top",  # 9
    "pants",  # 10
    "skirt",  # 11
    "dress",  # 12
    "coat",  # 13
    "shoes",  # 14
    "bag",  # 15
    "hat",  # 16
    "occluder",  # 17 a scene object in front of the person
)
LABEL_ID: dict[str, int] = {name: i for i, name in enumerate(LABELS)}
NUM_LABELS = len(LABELS)

SKIN_LABELS = ("face", "neck", "torso", "left_arm", "right_arm", "left_leg", "right_leg")
PERSON_LABELS = tuple(name for name in LABELS if name not in ("background", "occluder"))

# A fixed colour per label for label-map pictures (N, 3) uint8.
LABEL_COLOURS = np.array(
    [
        (0, 0, 0),
        (90, 50, 20),
        (250, 200, 160),
        (230, 160, 120),
        (200, 120, 90),
        (255, 120, 0),
        (255, 200, 0),
        (0, 160, 80),
        (0, 220, 160),
        (220, 30, 40),
        (30, 60, 220),
        (160, 40, 200),
        (255, 80, 200),
        (120, 80, 40),
        (60, 60, 60),
        (0, 200, 230),
        (240, 240, 80),
        (140, 140, 140),
    ],
    dtype=np.uint8,
)


def colourise(labels: np.ndarray) -> np.ndarray:
    """Turn a label map (H, W) of ids into a picture (H, W, 3) uint8."""
    return LABEL_COLOURS[np.clip(labels, 0, NUM_LABELS - 1)]
