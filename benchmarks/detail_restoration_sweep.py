"""Detail-restoration thresholds for a try-on checkpoint, chosen on the world's *validation* split.

Restoration (`atelier.pipelines.detail_restoration`) gives an output the person photo's own
pixels wherever the model left the photo unchanged. How different "changed" is, is set by two
thresholds on the blurred colour difference between the output and the photo's autoencoder
round trip. This script samples each validation record once, then restores the same outputs
with every candidate setting and prints the bench's overall score per task (and without any
restoration), one figure a line, so the settings are compared on identical samples. The best
goes into the shipped weights with
`atelier export-weights --from RUN --to weights/tryon --restoration AGREE DIFFER`.

It also prints, per setting and task, how much of the photo each setting gives back where the
ground truth keeps the photo (pixels the target leaves within 3% of the person photo: should be
near 1) and where the ground truth changes it (should be near 0; a high share there means the
model left the old garment in place, and restoration only confirms it).

    python benchmarks/detail_restoration_sweep.py --model weights/tryon [--n 10] [--settings 0.08,0.2 ...]
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch
from tqdm.auto import tqdm

from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.bench_runner import conform_output
from atelier.eval.bench.bench_set import BENCH_SIZE_HW
from atelier.eval.bench.tuning import open_tuning, tuning_arguments, tuning_records
from atelier.pipelines.detail_restoration import restore_photo_pixels, unchanged_weights
from atelier.pipelines.image_tensors import fit_to_model, restore_to_input, tensor_to_images
from atelier.pipelines.task_inputs import PERSON_FRAME_TASKS

KEPT_BELOW = 0.03  # mean colour difference (0–1) under which the target keeps a photo pixel
THRESHOLD_PAIRS = [(0.03, 0.08), (0.05, 0.12), (0.08, 0.2), (0.12, 0.3), (0.2, 0.4)]


def model_size_output(pipeline, call: dict) -> np.ndarray:
    """One request through stages 1–4 and the autoencoder: (h, w, 3) uint8 at the model's size."""
    request = pipeline.check_inputs(**call)
    encoded = pipeline.encode([request])
    latents = pipeline.denoise(pipeline.prepare_latents([request]), encoded, request)
    return tensor_to_images(pipeline.autoencoder.decode(latents))[0]


def kept_by_target(record, size_hw: tuple[int, int]) -> np.ndarray:
    """(h, w) bool at the model's size: where the ground truth leaves the person photo as it was."""
    target = fit_to_model(record.target.image, size_hw)[0].astype(np.float32)
    person = fit_to_model(record.person.image, size_hw)[0].astype(np.float32)
    return np.abs(target - person).mean(axis=2) / 255 < KEPT_BELOW


def main() -> None:
    parser = tuning_arguments(
        __doc__.splitlines()[0], "weights/tryon", 10, "--settings", THRESHOLD_PAIRS, "agree_below,differ_above"
    )
    parser.add_argument("--radius", type=int, default=2, help="blur radius of the difference map (default 2)")
    args = parser.parse_args()
    judge, model = open_tuning(args)
    pipeline = model.pipeline

    sampled = {}  # task -> [(record, request, model-size output, round trip, padding)]
    with torch.no_grad():
        for task in tqdm(sorted(PERSON_FRAME_TASKS), unit="task", desc="sampling"):
            entries = []
            for record in tuning_records(task, args.n):
                request = strip_record(record)
                output = model_size_output(pipeline, model.pipeline_request(request))
                round_trip = pipeline.photo_round_trips([request.person])[0]
                padding = fit_to_model(request.person, pipeline.config.image_size)[1]
                entries.append((record, request, output, round_trip, padding))
            sampled[task] = entries

    def overall(task: str, setting: tuple[float, float] | None) -> tuple[float, float, float]:
        """Mean Overall, and the photo's mean share where the target keeps it and where it changes it."""
        scores, kept_shares, changed_shares = [], [], []
        for record, request, output, round_trip, padding in sampled[task]:
            answer = restore_to_input(output, padding)
            if setting is not None:
                settings = replace(pipeline.config.detail_restoration, agree_below=setting[0], differ_above=setting[1], radius=args.radius)
                weights = unchanged_weights(output, round_trip, settings)
                answer = restore_photo_pixels(answer, request.person, weights, padding)
                kept = kept_by_target(record, pipeline.config.image_size)
                kept_shares.append(weights[kept].mean() if kept.any() else np.nan)
                changed_shares.append(weights[~kept].mean() if (~kept).any() else np.nan)
            scores.append(judge.score(record, conform_output(answer, BENCH_SIZE_HW)).overall)
        if setting is None:
            return float(np.mean(scores)), np.nan, np.nan
        return float(np.mean(scores)), float(np.nanmean(kept_shares)), float(np.nanmean(changed_shares))

    for setting in [None, *args.settings]:
        label = "no restoration" if setting is None else f"restoration agree {setting[0]:g} differ {setting[1]:g}"
        per_task = {task: overall(task, setting) for task in sampled}
        for task, (score, kept, changed) in per_task.items():
            print(f"{label}: {task} overall {score:.2f}")
            if setting is not None:
                print(f"{label}: {task} photo given back where the target keeps it {kept:.2f}, where it changes it {changed:.2f}")
        print(f"{label}: mean overall {np.mean([score for score, _, _ in per_task.values()]):.2f}", flush=True)


if __name__ == "__main__":
    main()
