"""The ground-truth judge: TryOnBench's four dimensions measured against the world's paired target.

Every dimension is a similarity s in [0, 1] (1 = the output cannot be told from the target in
that respect, 0 = nothing of it is right) mapped linearly to the Likert scale: score = 1 + 9 s.

The target's true label map decides what there is to judge: which garments and body regions the
target shows, and where its background is. An output has no labels, so its regions come from the
trained parser (`ParserNetwork`), and so do the target's for every comparison: the parser reads
the target photo and the output alike and the two readings are compared, so the parser's
mistakes fall alike on both sides and a perfect answer scores exactly 10 (the oracle does).
Small regions are ignored: a region counts when it has at least `MIN_REGION_FRACTION` (0.1%) of
the photo's pixels, a garment when it has `MIN_GARMENT_FRACTION` (0.4%, the world's own
visibility threshold).

Building blocks (`colour_difference`, `attribute_heads`):
- colour agreement a(ΔE) = clip((23 − ΔE) / 20.7, 0, 1): full marks within one
  just-noticeable difference (ΔE*ab 2.3), none from ten (23);
- colour match: a(colour transport distance), the transport distance being the mean ΔE*ab of
  the cheapest one-to-one matching between two regions' pixel colours (128 evenly spread pixels a
  side), taken inside the regions (2 pixels from their outline, where a parser's boundary errors
  mix in the neighbours' colours); it ignores where colours are, so a shifted garment loses
  nothing and a wrong colour or a wrong share of colours does;
- pattern agreement: histogram intersection of two regions' texture signatures
  (`texture_signature`: how much of the region is flat and how its colour edges, soft or sharp,
  are oriented relative to the dominant direction);
- readings: the judge feature network's attribute heads read a head crop
  (`judge_crops.masked_crop`) as probabilities over skin tones, hair styles and hair colours;
  two readings agree by their Bhattacharyya coefficient Σ √(p_i q_i) (1 = same, 0 = disjoint);
- IoU of two masks.

**Identity** (people in the target): the geometric mean of
- for each of face, hair and visible skin (neck, torso, arms, legs) that the target shows and
  the parser finds on the target: the colour match of the two parsed regions; 0 when the
  output's region has under 10% of the target's pixels;
- likeness: the geometric mean over skin tone, hair style and hair colour of the agreement of
  the two head crops' (hair and face) readings; 0 when the output has no head.
Identity is alignment-free: the same person in the wrong place is a structure error, not a
different person. Not applicable to try-off (None).

**Garment fidelity**: the mean over the sample's reference garments of the geometric mean of
colour, pattern and shape. The references are the products for single, multi and model-free,
the outfit the target wears for pose and model-to-model, the edited garment for edit; one counts
when the target shows it (true region T) and the parser finds at least 10% of it on the target
(region T'). With O the parser's region of the same category on the output:
- colour = colour match of T' and O;
- pattern = pattern agreement of T' and O;
- shape = IoU(O, T').
The geometric mean keeps every attribute necessary (a garment of the wrong colour, colour 0,
scores 0 whatever its shape) without compounding partial credit: three attributes each 60%
right give 0.6, as the overall's geometric mean of the dimensions would. A garment is
**missing**, and scores 1, when O has fewer than 10% as many pixels as T. For try-off the
regions are the target product's mask and the output's product mask (`estimate_product_mask`),
and Garment fidelity is the geometric mean of colour and pattern (the silhouette is scored under
Physics).

**Background**: over the pixels outside the person in the target (background and occluders; for
try-off, off the product): the mean per-pixel colour agreement a(ΔE) times the region's SSIM
(clipped at 0). Colour catches a wrong backdrop SSIM forgives on flat areas; SSIM catches lost
structure.

**Physics & structure**: the parser's label map of the output against its label map of the
target: the mean IoU over the person labels (body parts and garments) present in the target's
true label map or in either parsed map (a label absent from both parsed maps agrees). It falls
when a garment sits on the wrong body part, a layer is in the wrong order, a limb is cut or a
body part appears where the target has none. For try-off: IoU of the output's product mask
with the target's (both estimated the same way).

**Overall** (per sample) = geometric mean of the dimensions that apply; a task's score is the
mean over its samples.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import ndimage

from atelier.eval.judges.attribute_heads import (
    IDENTITY_ATTRIBUTES,
    AttributeReader,
    bhattacharyya_coefficient,
)
from atelier.eval.metrics.colour_difference import (
    colour_agreement,
    colour_transport_distance,
    delta_e,
    rgb_to_lab,
)
from atelier.eval.bench.garment_placement import estimate_product_mask
from atelier.eval.judges.judge_crops import masked_crop, stack_crops
from atelier.eval.judges.judges import DimensionScores, geometric_mean, likert_from_similarity
from atelier.eval.judges.parser_network import ParserNetwork
from atelier.eval.metrics.pixel_metrics import ssim_per_sample
from atelier.eval.metrics.texture_signature import (
    OUTLINE_PIXELS,
    signature_agreement,
    texture_signature,
)
from atelier.world.labels import LABEL_ID, PERSON_LABELS
from atelier.world.records import GarmentImage, PersonImage, Record
from atelier.world.vocabulary import CATEGORIES

MIN_REGION_FRACTION = 0.001
MIN_GARMENT_FRACTION = 0.004
MISSING_FRACTION = 0.1
MIN_BACKGROUND_FRACTION = 0.01
MIN_INTERIOR_PIXELS = 16

IDENTITY_REGIONS: dict[str, tuple[int, ...]] = {
    "face": (LABEL_ID["face"],),
    "hair": (LABEL_ID["hair"],),
    "skin": tuple(LABEL_ID[name] for name in ("neck", "torso", "left_arm", "right_arm", "left_leg", "right_leg")),
}
HEAD_LABELS = (LABEL_ID["hair"], LABEL_ID["face"])
BACKGROUND_LABELS = (LABEL_ID["background"], LABEL_ID["occluder"])
PERSON_LABEL_IDS = tuple(LABEL_ID[name] for name in PERSON_LABELS)


def reference_categories(record: Record) -> list[str]:
    """The garments a sample's Garment fidelity is about (before checking what the target shows)."""
    if record.kind in ("single", "multi", "modelfree"):
        return [g.category for g in record.garments]
    if record.kind == "tryoff":
        return [record.extra["category"]]
    if record.kind == "edit":
        return [record.extra["after"]["category"]]
    labels = record.target.labels  # pose and m2m: the outfit the target wears
    return [c for c in CATEGORIES if (labels == LABEL_ID[c]).any()]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    # Two empty masks agree completely (both say: not here).
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def _mean_iou(a: np.ndarray, b: np.ndarray, labels: list[int]) -> float:
    return float(np.mean([_iou(a == label, b == label) for label in labels]))


class GroundTruthJudge:
    """TryOnBench's four dimensions against the ground truth (see the module docstring).

    Args:
        parser: the trained parser.
        reader: the trained feature network with its attribute heads.
    """

    name = "ground-truth"

    def __init__(self, parser: ParserNetwork, reader: AttributeReader) -> None:
        self.parser = parser
        self.reader = reader

    def score(self, record: Record, output: np.ndarray) -> DimensionScores:
        """Scores of `output` ((H, W, 3) uint8, the target's size) as the answer to `record`."""
        target = record.target
        if not isinstance(target, PersonImage | GarmentImage):
            raise TypeError(f"record {record.key} has no image target")
        if output.shape != target.image.shape or output.dtype != np.uint8:
            raise ValueError(f"output must be {target.image.shape} uint8 like the target, got {output.shape} {output.dtype}")
        if isinstance(target, GarmentImage):
            return self._score_product(record, target, output)
        return self._score_person(record, target, output)

    def _score_person(self, record: Record, target: PersonImage, output: np.ndarray) -> DimensionScores:
        parsed_output, parsed_target = self.parser.parse([output, target.image])
        lab_target, lab_output = rgb_to_lab(target.image), rgb_to_lab(output)
        details: dict = {}
        identity = self._identity(target, output, parsed_output, parsed_target, lab_target, lab_output, details)
        garments = self._person_garments(record, target, output, parsed_output, parsed_target, lab_target, lab_output, details)
        background = self._background(target.image, output, np.isin(target.labels, BACKGROUND_LABELS), lab_target, lab_output, details)
        physics = self._physics(target.labels, parsed_output, parsed_target, details)
        return _scores(identity, garments, background, physics, details)

    def _score_product(self, record: Record, target: GarmentImage, output: np.ndarray) -> DimensionScores:
        details: dict = {}
        # The output's garment is found by `estimate_product_mask`, so the target's is too (like
        # with like); the true mask sets the size below which the garment counts as missing.
        seen = estimate_product_mask(target.image)
        truth = target.mask if target.mask is not None else seen
        found = estimate_product_mask(output)
        lab_target, lab_output = rgb_to_lab(target.image), rgb_to_lab(output)
        category = record.extra["category"]
        if found.sum() < MISSING_FRACTION * truth.sum():
            garments = {category: 0.0}
            details["missing"] = [category]
        else:
            colour = _colour_match(lab_target, seen, lab_output, found)
            pattern = _pattern_agreement(lab_target, seen, lab_output, found)
            garments = {category: _geometric_mean_unit([colour, pattern])}
            details[f"garment_{category}"] = {"colour": colour, "pattern": pattern}
        background = self._background(target.image, output, ~truth, lab_target, lab_output, details)
        physics = _iou(found, seen)
        details["physics_silhouette"] = physics
        return _scores(None, garments, background, physics, details)

    def _identity(self, target, output, parsed_output, parsed_target, lab_target, lab_output, details) -> float | None:
        minimum = MIN_REGION_FRACTION * target.labels.size
        components: dict[str, float] = {}
        for name, labels in (*IDENTITY_REGIONS.items(), ("likeness", HEAD_LABELS)):
            seen = np.isin(parsed_target, labels)
            if np.isin(target.labels, labels).sum() < minimum or seen.sum() < minimum:
                continue  # the target does not show it, or the parser cannot find it even there
            found = np.isin(parsed_output, labels)
            if found.sum() < MISSING_FRACTION * seen.sum():
                components[name] = 0.0
            elif name == "likeness":
                readings = self.reader.read(stack_crops([masked_crop(target.image, seen), masked_crop(output, found)]))
                agreements = [float(bhattacharyya_coefficient(readings[n][0], readings[n][1])) for n in IDENTITY_ATTRIBUTES]
                components[name] = _geometric_mean_unit(agreements)
            else:
                components[name] = _colour_match(lab_target, seen, lab_output, found)
        details["identity"] = components
        return _geometric_mean_unit(list(components.values())) if components else None

    def _person_garments(self, record, target, output, parsed_output, parsed_target, lab_target, lab_output, details) -> dict[str, float]:
        minimum = MIN_GARMENT_FRACTION * target.labels.size
        judged = []
        for category in dict.fromkeys(reference_categories(record)):
            label = LABEL_ID[category]
            truth, seen, found = target.labels == label, parsed_target == label, parsed_output == label
            # Judged when the target shows the garment and the parser finds it there too.
            if truth.sum() >= minimum and seen.sum() >= MISSING_FRACTION * truth.sum():
                judged.append((category, truth, seen, found))
        scores: dict[str, float] = {}
        for category, truth, seen, found in judged:
            if found.sum() < MISSING_FRACTION * truth.sum():
                scores[category] = 0.0
                details.setdefault("missing", []).append(category)
                continue
            colour = _colour_match(lab_target, seen, lab_output, found)
            pattern = _pattern_agreement(lab_target, seen, lab_output, found)
            shape = _iou(found, seen)
            scores[category] = _geometric_mean_unit([colour, pattern, shape])
            details[f"garment_{category}"] = {"colour": colour, "pattern": pattern, "shape": shape}
        return scores

    def _background(self, target_image, output, region, lab_target, lab_output, details) -> float | None:
        if region.sum() < MIN_BACKGROUND_FRACTION * region.size:
            return None
        colour = float(colour_agreement(delta_e(lab_target[region], lab_output[region])).mean())
        mask = torch.from_numpy(region)[None, None]
        structure = float(ssim_per_sample(_as_tensor(output), _as_tensor(target_image), mask=mask)[0])
        structure = max(0.0, structure) if np.isfinite(structure) else colour
        details["background"] = {"colour": colour, "structure": structure}
        return colour * structure

    def _physics(self, truth, parsed_output, parsed_target, details) -> float | None:
        minimum = MIN_REGION_FRACTION * truth.size
        labels = [
            label
            for label in PERSON_LABEL_IDS
            if max((truth == label).sum(), (parsed_output == label).sum(), (parsed_target == label).sum()) >= minimum
        ]
        if not labels:
            return None
        agreement = _mean_iou(parsed_output, parsed_target, labels)
        details["physics"] = {"miou": agreement}
        return agreement


def _interior(region: np.ndarray) -> np.ndarray:
    """The region without its outline (a parser's boundary errors mix in neighbouring colours)."""
    inside = ndimage.binary_erosion(region, iterations=OUTLINE_PIXELS)
    return inside if inside.sum() >= MIN_INTERIOR_PIXELS else region


def _colour_match(lab_a: np.ndarray, region_a: np.ndarray, lab_b: np.ndarray, region_b: np.ndarray) -> float:
    distance = colour_transport_distance(lab_a[_interior(region_a)], lab_b[_interior(region_b)])
    return float(colour_agreement(distance))


def _pattern_agreement(lab_a: np.ndarray, region_a: np.ndarray, lab_b: np.ndarray, region_b: np.ndarray) -> float:
    signature_a, signature_b = texture_signature(lab_a, region_a), texture_signature(lab_b, region_b)
    return signature_agreement(signature_a, signature_b) if signature_a is not None and signature_b is not None else 0.0


def _as_tensor(image: np.ndarray) -> torch.Tensor:
    # A copy: bench inputs are read-only arrays, which torch warns about sharing.
    return torch.from_numpy(image.copy()).permute(2, 0, 1)[None].float() / 255


def _likert_or_none(similarity: float | None) -> float | None:
    return None if similarity is None else likert_from_similarity(similarity)


def _geometric_mean_unit(values: list[float]) -> float:
    """Geometric mean of similarities in [0, 1]; 0 if any is 0."""
    if any(v <= 0 for v in values):
        return 0.0
    return geometric_mean(values)


def _scores(identity, garments: dict[str, float], background, physics, details) -> DimensionScores:
    garment = float(np.mean(list(garments.values()))) if garments else None
    details["similarities"] = {"identity": identity, "garment": garment, "background": background, "physics": physics}
    return DimensionScores(
        identity=_likert_or_none(identity),
        garment=_likert_or_none(garment),
        background=_likert_or_none(background),
        physics=_likert_or_none(physics),
        garments={category: likert_from_similarity(s) for category, s in garments.items()},
        details=details,
    )
