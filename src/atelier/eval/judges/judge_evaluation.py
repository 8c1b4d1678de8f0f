"""How good the judges are on the world's held-out test split: parser mIoU, attribute accuracy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from atelier.eval.judges.attribute_heads import ATTRIBUTES, AttributeReader
from atelier.eval.judges.judge_crops import stack_crops
from atelier.eval.judges.judge_training_data import crops_of_record, labelled_people
from atelier.eval.judges.parser_network import ParserNetwork
from atelier.eval.metrics.segmentation_metrics import confusion_matrix, iou_per_class, mean_iou
from atelier.world.labels import LABELS, NUM_LABELS
from atelier.world.tasks import kind_for_index, make_record
from atelier.world.vocabulary import TASKS


def evaluate_judges(
    parser: ParserNetwork,
    reader: AttributeReader,
    split: str = "test",
    seed: int = 0,
    num_records: int = 150,
    size_hw: tuple[int, int] = (256, 192),
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Parse and read every labelled photo of `num_records` records of `split`.

    Args:
        parser: the human parser.
        reader: the feature network with its attribute heads.
        split: world split (never "train" for an honest score).
        seed: world seed.
        num_records: records rendered; kinds cycle through the try-on tasks.
        size_hw: rendering size; the parser is scored at this full resolution.
        progress: called with 1 after each record.

    Returns:
        {"parser": {"miou", "pixel_accuracy", "iou": {label: IoU}, "photos"},
         "attributes": {name: accuracy}, "crops": count}.
    """
    confusion = np.zeros((NUM_LABELS, NUM_LABELS), np.int64)
    photos = 0
    correct = {name: 0 for name in ATTRIBUTES}
    counted = {name: 0 for name in ATTRIBUTES}
    for index in range(num_records):
        record = make_record(kind_for_index(index, TASKS), split, seed, index, size_hw)
        people = labelled_people(record)
        if people:
            predicted = parser.parse([p.image for p in people])
            confusion += confusion_matrix(predicted, np.stack([p.labels for p in people]), NUM_LABELS)
            photos += len(people)
        examples = crops_of_record(record)
        if examples:
            readings = reader.read(stack_crops([crop for crop, _ in examples]))
            for row, (_, targets) in enumerate(examples):
                for name, target in targets.items():
                    correct[name] += int(readings[name][row].argmax()) == target
                    counted[name] += 1
        if progress is not None:
            progress(1)
    ious = iou_per_class(confusion)
    return {
        "parser": {
            "miou": mean_iou(confusion),
            "pixel_accuracy": float(np.diag(confusion).sum() / max(confusion.sum(), 1)),
            "iou": {label: (None if np.isnan(value) else round(float(value), 4)) for label, value in zip(LABELS, ious)},
            "photos": photos,
        },
        "attributes": {name: (correct[name] / counted[name] if counted[name] else None) for name in ATTRIBUTES},
        "crops": int(sum(counted[name] for name in ("category", "skin_tone"))),
    }

