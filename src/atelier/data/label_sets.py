"""The real datasets' parser label sets and their conversions to and from Atelier's labels.

VITON-HD's `image-parse-v3` maps use the LIP/CIHP ids 0-19, except that VITON-HD's own loader
treats id 10 as the neck (LIP calls it "jumpsuits"; the VITON-HD parser puts the neck skin
there). DressCode's `label_maps` use the 18 ATR ids of the SCHP parser. Atelier's internal set is
`atelier.world.labels.LABELS`.

A conversion is a lookup array: `table[source_id] == target_id`, applied as `table[labels]`.
Conversions are lossy wherever one set has a class the other lacks; each choice is written next
to its row. Left and right are the person's own (VITON-HD's loader masks parse id 14 along the
left shoulder-elbow-wrist keypoints), as in Atelier.
"""

from __future__ import annotations

import numpy as np

from atelier.world.labels import LABEL_ID, LABELS

VITONHD_LABELS: tuple[str, ...] = (
    "background",  # 0
    "hat",  # 1
    "hair",  # 2
    "glove",  # 3
    "sunglasses",  # 4
    "upper_clothes",  # 5
    "dress",  # 6
    "coat",  # 7
    "socks",  # 8
    "pants",  # 9
    "neck",  # 10 (LIP: jumpsuits)
    "scarf",  # 11
    "skirt",  # 12
    "face",  # 13
    "left_arm",  # 14
    "right_arm",  # 15
    "left_leg",  # 16
    "right_leg",  # 17
    "left_shoe",  # 18
    "right_shoe",  # 19
)
"""VITON-HD `image-parse-v3` ids (LIP/CIHP numbering, id 10 used for the neck)."""

DRESSCODE_LABELS: tuple[str, ...] = (
    "background",  # 0
    "hat",  # 1
    "hair",  # 2
    "sunglasses",  # 3
    "upper_clothes",  # 4
    "skirt",  # 5
    "pants",  # 6
    "dress",  # 7
    "belt",  # 8
    "left_shoe",  # 9
    "right_shoe",  # 10
    "head",  # 11
    "left_leg",  # 12
    "right_leg",  # 13
    "left_arm",  # 14
    "right_arm",  # 15
    "bag",  # 16
    "scarf",  # 17
)
"""DressCode `label_maps` ids (ATR classes of the SCHP parser)."""

VITONHD_LABEL_ID: dict[str, int] = {name: i for i, name in enumerate(VITONHD_LABELS)}
DRESSCODE_LABEL_ID: dict[str, int] = {name: i for i, name in enumerate(DRESSCODE_LABELS)}

# Worn items that have no internal category (gloves, scarves, belts) become "occluder": like a
# scene object in front of the body they are kept as they are and are never a try-on garment.
_VITONHD_TO_INTERNAL_NAMES: dict[str, str] = {
    "background": "background",
    "hat": "hat",
    "hair": "hair",
    "glove": "occluder",
    "sunglasses": "face",  # worn on the face; the face region is what they cover
    "upper_clothes": "top",
    "dress": "dress",
    "coat": "coat",
    "socks": "shoes",  # footwear region; Atelier has no sock class
    "pants": "pants",
    "neck": "neck",
    "scarf": "occluder",
    "skirt": "skirt",
    "face": "face",
    "left_arm": "left_arm",
    "right_arm": "right_arm",
    "left_leg": "left_leg",
    "right_leg": "right_leg",
    "left_shoe": "shoes",
    "right_shoe": "shoes",
}

_INTERNAL_TO_VITONHD_NAMES: dict[str, str] = {
    "background": "background",
    "hair": "hair",
    "face": "face",
    "neck": "neck",
    # LIP has no body-skin class; VITON-HD's agnostic maps keep the neck label as the skin
    # around the collar, which is where visible torso skin sits in a try-on photo.
    "torso": "neck",
    "left_arm": "left_arm",
    "right_arm": "right_arm",
    "left_leg": "left_leg",
    "right_leg": "right_leg",
    "top": "upper_clothes",
    "pants": "pants",
    "skirt": "skirt",
    "dress": "dress",
    "coat": "coat",
    # Atelier does not split shoes into left and right; all shoe pixels take the left-shoe id.
    "shoes": "left_shoe",
    "bag": "background",  # LIP has no bag class
    "hat": "hat",
    "occluder": "background",  # a scene object is not part of the person
}

_DRESSCODE_TO_INTERNAL_NAMES: dict[str, str] = {
    "background": "background",
    "hat": "hat",
    "hair": "hair",
    "sunglasses": "face",
    "upper_clothes": "top",  # ATR does not tell tops from coats
    "skirt": "skirt",
    "pants": "pants",
    "dress": "dress",
    "belt": "occluder",
    "left_shoe": "shoes",
    "right_shoe": "shoes",
    "head": "face",  # ATR's head is the face and neck skin without hair
    "left_leg": "left_leg",
    "right_leg": "right_leg",
    "left_arm": "left_arm",
    "right_arm": "right_arm",
    "bag": "bag",
    "scarf": "occluder",
}

_INTERNAL_TO_DRESSCODE_NAMES: dict[str, str] = {
    "background": "background",
    "hair": "hair",
    "face": "head",
    "neck": "head",  # ATR's head region runs down to the collar
    "torso": "background",  # ATR has no body-skin class beyond head, arms and legs
    "left_arm": "left_arm",
    "right_arm": "right_arm",
    "left_leg": "left_leg",
    "right_leg": "right_leg",
    "top": "upper_clothes",
    "pants": "pants",
    "skirt": "skirt",
    "dress": "dress",
    "coat": "upper_clothes",  # ATR's upper_clothes covers outerwear too
    "shoes": "left_shoe",  # as for VITON-HD: no left/right split in Atelier
    "bag": "bag",
    "hat": "hat",
    "occluder": "background",
}


def _lookup(names: dict[str, str], source: tuple[str, ...], target: dict[str, int]) -> np.ndarray:
    """Build a (len(source),) uint8 lookup array from a name-to-name table."""
    return np.array([target[names[name]] for name in source], dtype=np.uint8)


VITONHD_TO_INTERNAL = _lookup(_VITONHD_TO_INTERNAL_NAMES, VITONHD_LABELS, LABEL_ID)
"""(20,) uint8: VITON-HD parse id -> internal label id."""
INTERNAL_TO_VITONHD = _lookup(_INTERNAL_TO_VITONHD_NAMES, LABELS, VITONHD_LABEL_ID)
"""(NUM_LABELS,) uint8: internal label id -> VITON-HD parse id."""
DRESSCODE_TO_INTERNAL = _lookup(_DRESSCODE_TO_INTERNAL_NAMES, DRESSCODE_LABELS, LABEL_ID)
"""(18,) uint8: DressCode ATR id -> internal label id."""
INTERNAL_TO_DRESSCODE = _lookup(_INTERNAL_TO_DRESSCODE_NAMES, LABELS, DRESSCODE_LABEL_ID)
"""(NUM_LABELS,) uint8: internal label id -> DressCode ATR id."""


def convert_labels(labels: np.ndarray, table: np.ndarray, *, set_name: str) -> np.ndarray:
    """Map a label map through a lookup array, refusing ids the source set does not have.

    Args:
        labels: (H, W) integer label map in the source set.
        table: (N,) uint8 lookup array, one of this module's conversions.
        set_name: the source set's name, for the error message.

    Returns:
        (H, W) uint8 label map in the target set.

    Raises:
        ValueError: `labels` holds an id >= N (or < 0).
    """
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= len(table)):
        unknown = sorted({int(v) for v in np.unique(labels) if v < 0 or v >= len(table)})
        raise ValueError(
            f"label ids {unknown} are not in the {set_name} label set (0-{len(table) - 1})"
        )
    return table[labels]


def vitonhd_to_internal(labels: np.ndarray) -> np.ndarray:
    """(H, W) VITON-HD parse ids -> (H, W) uint8 internal ids."""
    return convert_labels(labels, VITONHD_TO_INTERNAL, set_name="VITON-HD")


def internal_to_vitonhd(labels: np.ndarray) -> np.ndarray:
    """(H, W) internal ids -> (H, W) uint8 VITON-HD parse ids."""
    return convert_labels(labels, INTERNAL_TO_VITONHD, set_name="internal")


def dresscode_to_internal(labels: np.ndarray) -> np.ndarray:
    """(H, W) DressCode ATR ids -> (H, W) uint8 internal ids."""
    return convert_labels(labels, DRESSCODE_TO_INTERNAL, set_name="DressCode")


def internal_to_dresscode(labels: np.ndarray) -> np.ndarray:
    """(H, W) internal ids -> (H, W) uint8 DressCode ATR ids."""
    return convert_labels(labels, INTERNAL_TO_DRESSCODE, set_name="internal")


def label_palette(num_labels: int) -> list[int]:
    """A flat 768-entry RGB palette for P-mode label PNGs (the LIP/ATR visualisation colours).

    Label ids, not colours, are the data: readers take the palette indices. The colours follow
    the bit-interleaving scheme of the LIP/PASCAL tools so the PNGs look as the real ones do.

    Args:
        num_labels: how many ids get a distinct colour; the rest of the 256 entries are black.
    """
    palette = [0] * 768
    for label in range(num_labels):
        value, red, green, blue = label, 0, 0, 0
        for bit in range(8):
            red |= ((value >> 0) & 1) << (7 - bit)
            green |= ((value >> 1) & 1) << (7 - bit)
            blue |= ((value >> 2) & 1) << (7 - bit)
            value >>= 3
            if not value:
                break
        palette[3 * label : 3 * label + 3] = [red, green, blue]
    return palette
