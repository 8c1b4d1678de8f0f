"""Where a garment of a category goes on a parsed person: the placement baselines' only knowledge.

The baselines see a photo, never its labels, so they read regions off the parser's label map.
`garment_region` returns the parser's region of the category when the person wears one (cleaned:
gaps closed, holes filled, stray specks dropped); when not, the body parts such a garment would
cover (a top goes over the upper torso, trousers over the legs), or for accessories a box derived
from the head, the feet or the torso. Model-free
generation has no person at all, so `canonical_box` gives fixed boxes of a standing figure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from atelier.eval.judges.judge_crops import region_box
from atelier.world.labels import LABEL_ID, PERSON_LABELS

MIN_REGION_FRACTION = 0.002  # fewer parsed pixels than this share of the photo is parser noise
# A parsed garment counts as worn when it covers this share of the parsed person; less is a
# stray patch (accessories are small, clothes are not).
MIN_WORN_SHARE = {"top": 0.05, "pants": 0.05, "skirt": 0.05, "dress": 0.08, "coat": 0.08, "shoes": 0.005, "bag": 0.005, "hat": 0.005}

# Labels a garment of each category would cover when the person does not wear one, and the
# vertical band of the person (fractions of its height from the top) it would cover.
_COVERED_LABELS: dict[str, tuple[tuple[str, ...], tuple[float, float]]] = {
    "top": (("torso", "dress", "coat", "top"), (0.12, 0.5)),
    "coat": (("top", "dress", "torso", "left_arm", "right_arm"), (0.12, 0.6)),
    "dress": (("top", "torso", "pants", "skirt", "left_leg", "right_leg"), (0.12, 0.75)),
    "pants": (("pants", "skirt", "dress", "left_leg", "right_leg"), (0.45, 0.95)),
    "skirt": (("skirt", "pants", "dress", "left_leg", "right_leg"), (0.45, 0.72)),
    "shoes": (("shoes", "left_leg", "right_leg", "pants"), (0.93, 1.0)),
}

# Model-free canvases: (top, left, bottom, right) as fractions of (H, W) of a standing figure.
CANONICAL_BOXES: dict[str, tuple[float, float, float, float]] = {
    "hat": (0.03, 0.42, 0.10, 0.58),
    "top": (0.17, 0.33, 0.45, 0.67),
    "coat": (0.17, 0.30, 0.55, 0.70),
    "dress": (0.17, 0.35, 0.72, 0.65),
    "pants": (0.45, 0.38, 0.90, 0.62),
    "skirt": (0.45, 0.36, 0.68, 0.64),
    "shoes": (0.90, 0.38, 0.96, 0.62),
    "bag": (0.45, 0.66, 0.58, 0.80),
}


@dataclass(frozen=True)
class Region:
    """Where to put a garment.

    Attributes:
        mask: (H, W) bool pixels the garment covers.
        silhouette: True when the mask follows the parsed body or garment (worth warping onto);
            False for a derived box.
    """

    mask: np.ndarray
    silhouette: bool


def _disc(radius: int) -> np.ndarray:
    yy, xx = np.mgrid[-radius : radius + 1, -radius : radius + 1]
    return xx**2 + yy**2 <= radius**2


def clean_region(mask: np.ndarray) -> np.ndarray:
    """A parsed region as one garment: gaps closed, holes filled, stray specks dropped.

    Closing uses a disc of 1.5% of the photo's height; components smaller than 15% of the
    largest are dropped (two shoes or two trouser legs stay, a misparsed patch goes).
    """
    radius = max(1, round(0.015 * mask.shape[0]))
    closed = ndimage.binary_closing(np.pad(mask, radius), structure=_disc(radius))[radius:-radius, radius:-radius]
    filled = ndimage.binary_fill_holes(closed | mask)
    components, count = ndimage.label(filled)
    if count <= 1:
        return filled
    sizes = np.bincount(components.ravel())[1:]
    keep = np.flatnonzero(sizes >= 0.15 * sizes.max()) + 1
    return np.isin(components, keep)


def _box_mask(size_hw: tuple[int, int], top: float, left: float, bottom: float, right: float) -> np.ndarray:
    mask = np.zeros(size_hw, bool)
    top, bottom = int(np.clip(round(top), 0, size_hw[0])), int(np.clip(round(bottom), 0, size_hw[0]))
    left, right = int(np.clip(round(left), 0, size_hw[1])), int(np.clip(round(right), 0, size_hw[1]))
    mask[top:bottom, left:right] = True
    return mask


def canonical_box(size_hw: tuple[int, int], category: str) -> np.ndarray:
    """(H, W) bool box where a model-free canvas puts `category`."""
    top, left, bottom, right = CANONICAL_BOXES[category]
    height, width = size_hw
    return _box_mask(size_hw, top * height, left * width, bottom * height, right * width)


def person_mask(labels: np.ndarray) -> np.ndarray:
    """(H, W) bool: every parsed person label (body parts and garments)."""
    return np.isin(labels, [LABEL_ID[name] for name in PERSON_LABELS])


def garment_region(labels: np.ndarray, category: str) -> Region | None:
    """The region a garment of `category` takes on the parsed person.

    Args:
        labels: (H, W) parser label map of the person photo.
        category: garment category.

    Returns:
        the region, or None when the parser finds no person.
    """
    minimum = MIN_REGION_FRACTION * labels.size
    person = person_mask(labels)
    box = region_box(person)
    if box is None or person.sum() < minimum:
        return None
    worn = labels == LABEL_ID[category]
    if worn.sum() >= max(minimum, MIN_WORN_SHARE[category] * person.sum()):
        return Region(clean_region(worn), True)
    top, left, bottom, right = box
    height, width = bottom - top, right - left
    if category in _COVERED_LABELS:
        names, (start, end) = _COVERED_LABELS[category]
        covered = np.isin(labels, [LABEL_ID[name] for name in names])
        band = np.zeros_like(covered)
        band[int(top + start * height) : int(top + end * height) + 1] = True
        if (covered & band).sum() >= minimum:
            return Region(clean_region(covered & band), True)
        return Region(band & _box_mask(labels.shape, top, left, bottom, right), False)
    head = region_box(np.isin(labels, (LABEL_ID["hair"], LABEL_ID["face"])))
    if category == "hat" and head is not None:
        head_top, head_left, head_bottom, head_right = head
        head_height = head_bottom - head_top
        return Region(_box_mask(labels.shape, head_top - 0.25 * head_height, head_left, head_top + 0.3 * head_height, head_right), False)
    if category == "hat":
        return Region(_box_mask(labels.shape, top, left + 0.3 * width, top + 0.08 * height, right - 0.3 * width), False)
    # A bag hangs beside the body at hip height.
    return Region(_box_mask(labels.shape, top + 0.45 * height, right - 0.05 * width, top + 0.6 * height, right + 0.25 * width), False)
