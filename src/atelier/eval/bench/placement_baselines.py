"""The classical baselines `paste` and `warp`: garments put where the parser finds their place.

Both parse the input photo with the judge's parser (the only "understanding" they have) and
keep every pixel they do not cover. Per task:

| task | paste | warp |
| --- | --- | --- |
| single, multi | each product (its cloth mask) stretched into the bounding box of the parser's region of its category on the person, or of the body parts such a garment would cover (`garment_regions`), inner layers first | each product warped onto that region's silhouette, filling it exactly: an affine fit of the product's box onto the region's, every region pixel taking the garment colour it maps to (the nearest garment pixel where it maps off the garment); a derived box, for an accessory the person does not wear, gets the paste |
| modelfree | the products pasted into fixed boxes of a standing figure on a studio-grey canvas (no person is drawn) | same as paste: there is no silhouette to warp onto |
| tryoff | the parser's region of the category cut out of the photo and stretched into the middle of a product backdrop | same as paste |
| pose | the parsed person cut out and moved so the box of its keypoints matches the target keypoints' box; the hole it leaves filled from the background on either side | the cut-out person moved by the least-squares affine map between its keypoints and the target keypoints; same hole filling |
| m2m | each garment the parser finds on the outfit source cut out and pasted into the box of the same category's region on the person | each such garment warped onto the person's region |
| edit | the garment named in the instruction filled with the colour named (unchanged when no colour is named) | the garment recoloured to the named colour keeping its shading and pattern (lightness shifted, chroma replaced) |
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from atelier.eval.bench.bench_request import BenchRequest
from atelier.eval.metrics.colour_difference import lab_to_rgb, rgb_to_lab
from atelier.eval.bench.garment_placement import (
    GarmentPiece,
    estimate_product_mask,
    paste_piece,
    warp_piece,
)
from atelier.eval.bench.garment_regions import (
    MIN_REGION_FRACTION,
    canonical_box,
    garment_region,
    person_mask,
)
from atelier.eval.judges.judge_crops import region_box
from atelier.eval.judges.parser_network import ParserNetwork
from atelier.world.labels import LABEL_ID
from atelier.world.vocabulary import CATEGORIES, COLOURS

STUDIO_GREY = (232, 232, 230)
PRODUCT_BACKDROP = (246, 246, 244)
PRODUCT_FILL = 0.8  # share of the backdrop's height and width a flat garment may take

# Words a person uses for each category (what the baseline understands of an instruction).
CATEGORY_WORDS = {
    "top": "top", "shirt": "top", "blouse": "top", "trousers": "pants", "pants": "pants", "shorts": "pants",
    "skirt": "skirt", "dress": "dress", "coat": "coat", "jacket": "coat", "shoes": "shoes", "sneakers": "shoes",
    "boots": "shoes", "bag": "bag", "tote": "bag", "hat": "hat", "cap": "hat",
}  # fmt: skip


class PlacementBaseline:
    """`paste` or `warp` (see the module docstring).

    Args:
        parser: the parser that finds regions on the input photos.
        method: "paste" or "warp".
    """

    def __init__(self, parser: ParserNetwork, method: str) -> None:
        if method not in ("paste", "warp"):
            raise ValueError(f"method must be 'paste' or 'warp', got {method!r}")
        self.parser = parser
        self.method = method
        self.name = method

    def __call__(self, request: BenchRequest) -> np.ndarray:
        handler = {
            "single": self._dress,
            "multi": self._dress,
            "modelfree": self._modelfree,
            "tryoff": self._tryoff,
            "pose": self._pose,
            "m2m": self._m2m,
            "edit": self._edit,
        }[request.task]
        return handler(request)

    def _place(self, canvas: np.ndarray, piece: GarmentPiece, labels: np.ndarray) -> None:
        region = garment_region(labels, piece.category)
        if region is None:
            return
        if self.method == "warp" and region.silhouette:
            warp_piece(canvas, piece, region.mask)
        else:
            paste_piece(canvas, piece, region.mask)

    def _dress(self, request: BenchRequest) -> np.ndarray:
        canvas = np.array(request.person, copy=True)
        labels = self.parser.parse([request.person])[0]
        for product in sorted(request.garments, key=lambda g: CATEGORIES.index(g.category)):
            mask = product.mask if product.mask is not None else estimate_product_mask(product.image)
            self._place(canvas, GarmentPiece(product.image, mask, product.category), labels)
        return canvas

    def _modelfree(self, request: BenchRequest) -> np.ndarray:
        canvas = np.empty((*request.size_hw, 3), np.uint8)
        canvas[:] = STUDIO_GREY
        for product in sorted(request.garments, key=lambda g: CATEGORIES.index(g.category)):
            mask = product.mask if product.mask is not None else estimate_product_mask(product.image)
            paste_piece(canvas, GarmentPiece(product.image, mask, product.category), canonical_box(request.size_hw, product.category))
        return canvas

    def _tryoff(self, request: BenchRequest) -> np.ndarray:
        canvas = np.empty((*request.size_hw, 3), np.uint8)
        canvas[:] = PRODUCT_BACKDROP
        labels = self.parser.parse([request.person])[0]
        region = garment_region(labels, request.category or "top")
        if region is None:
            return canvas
        box = region_box(region.mask)
        height, width = request.size_hw
        top, left, bottom, right = box
        # Keep the garment's aspect ratio inside the backdrop's central area.
        scale = min(PRODUCT_FILL * height / (bottom - top), PRODUCT_FILL * width / (right - left))
        out_h, out_w = max(1, int((bottom - top) * scale)), max(1, int((right - left) * scale))
        y0, x0 = (height - out_h) // 2, (width - out_w) // 2
        target = np.zeros(request.size_hw, bool)
        target[y0 : y0 + out_h, x0 : x0 + out_w] = True
        paste_piece(canvas, GarmentPiece(request.person, region.mask, request.category or "top"), target)
        return canvas

    def _pose(self, request: BenchRequest) -> np.ndarray:
        person = request.person
        labels = self.parser.parse([person])[0]
        body = person_mask(labels)
        plate = _fill_from_sides(person, body)
        if request.person_keypoints is None or request.pose_keypoints is None:
            return np.array(person, copy=True)
        visible = (request.person_keypoints[:, 2] > 0) & (request.pose_keypoints[:, 2] > 0)
        source, target = request.person_keypoints[visible, :2], request.pose_keypoints[visible, :2]
        if len(source) < 3:
            return np.array(person, copy=True)
        matrix = _affine_fit(source, target) if self.method == "warp" else _box_fit(source, target)
        return _composite_moved(plate, person, body, matrix)

    def _m2m(self, request: BenchRequest) -> np.ndarray:
        canvas = np.array(request.person, copy=True)
        person_labels, source_labels = self.parser.parse([request.person, request.outfit_source])
        minimum = MIN_REGION_FRACTION * source_labels.size
        for category in CATEGORIES:
            mask = source_labels == LABEL_ID[category]
            if mask.sum() >= minimum:
                self._place(canvas, GarmentPiece(request.outfit_source, mask, category), person_labels)
        return canvas

    def _edit(self, request: BenchRequest) -> np.ndarray:
        canvas = np.array(request.person, copy=True)
        category, colour = read_edit_instruction(request.instruction)
        if category is None or colour is None:
            return canvas
        labels = self.parser.parse([request.person])[0]
        region = labels == LABEL_ID[category]
        if region.sum() < MIN_REGION_FRACTION * region.size:
            return canvas
        if self.method == "paste":
            canvas[region] = COLOURS[colour]
            return canvas
        lab = rgb_to_lab(canvas[region])
        wanted = rgb_to_lab(np.array(COLOURS[colour], np.uint8))
        lab[:, 0] += wanted[0] - lab[:, 0].mean()
        lab[:, 1:] = wanted[1:]
        canvas[region] = lab_to_rgb(lab)
        return canvas


def read_edit_instruction(instruction: str) -> tuple[str | None, str | None]:
    """(category, colour name) an edit instruction names, each None when it names none.

    The colour is the last named colour in the sentence ("change the beige block to pink" asks
    for pink), matched longest name first so "light blue" is not read as "blue".
    """
    text = instruction.lower()
    category = next((CATEGORY_WORDS[w] for w in re.findall(r"[a-z]+", text) if w in CATEGORY_WORDS), None)
    found = []
    for name in sorted(COLOURS, key=len, reverse=True):
        for match in re.finditer(rf"\b{re.escape(name)}\b", text):
            if not any(start <= match.start() < end for start, end, _ in found):
                found.append((match.start(), match.end(), name))
    colour = max(found)[2] if found else None
    return category, colour


def _fill_from_sides(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The photo with `hole` filled row by row, interpolating the nearest pixels left and right."""
    plate = image.astype(np.float64)
    columns = np.arange(image.shape[1])
    for row in np.flatnonzero(hole.any(axis=1)):
        known = ~hole[row]
        if known.sum() < 2:
            continue
        for channel in range(3):
            plate[row, hole[row], channel] = np.interp(columns[hole[row]], columns[known], plate[row, known, channel])
    return plate.round().astype(np.uint8)


def _box_fit(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """2×3 map taking the box of `source` points onto the box of `target` points."""
    s_min, s_max = source.min(axis=0), source.max(axis=0)
    t_min, t_max = target.min(axis=0), target.max(axis=0)
    scale = (t_max - t_min) / np.maximum(s_max - s_min, 1.0)
    if s_max[0] - s_min[0] < 4:  # a side view's keypoints are nearly a line: keep proportions
        scale[0] = scale[1]
    return np.array([[scale[0], 0, t_min[0] - scale[0] * s_min[0]], [0, scale[1], t_min[1] - scale[1] * s_min[1]]])


def _affine_fit(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """2×3 least-squares affine map from (N, 2) `source` points to `target` points."""
    design = np.hstack([source, np.ones((len(source), 1))])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    return solution.T


def _composite_moved(plate: np.ndarray, person: np.ndarray, body: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """`plate` with the `body` pixels of `person` moved by the 2×3 map `matrix` painted over it."""
    full = np.vstack([matrix, [0, 0, 1]])
    try:
        inverse = np.linalg.inv(full)
    except np.linalg.LinAlgError:
        return np.array(person, copy=True)
    # PIL wants the output -> input map.
    coefficients = tuple(inverse[:2].ravel())
    size = (person.shape[1], person.shape[0])
    moved = np.asarray(Image.fromarray(person).transform(size, Image.AFFINE, coefficients, Image.BILINEAR))
    moved_body = np.asarray(Image.fromarray(body.astype(np.uint8) * 255).transform(size, Image.AFFINE, coefficients, Image.NEAREST)) > 127
    result = np.array(plate, copy=True)
    result[moved_body] = moved[moved_body]
    return result
