"""Detail-restoration thresholds for a try-on checkpoint, chosen on the world's *validation* split.

Restoration (`atelier.pipelines.detail_restoration`) gives an output the person photo's own
pixels wherever the model left the photo unchanged. How different "changed" is, is set by two
thresholds on the blurred colour difference between the output and the photo's autoencoder
round trip. This script samples each validation record once, then restores the same outputs
with every candidate setting and prints the bench's overall score per task (and without any
restoration), one figure a line, so the settings are compared on identical samples. The best
goes into the shipped weights with
`atelier export-weights --from RUN --to weights/tryon --restoration AGREE DIFFER`.

    python benchmarks/detail_restoration_sweep.py --model weights/tryon [--n 10] [--settings 0.08,0.2 ...]
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import torch
from tqdm.auto import tqdm

from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.bench_runner import conform_output
from atelier.eval.bench.bench_set import BENCH_SIZE_HW, TUNING_SPLIT, tuning_records
from atelier.eval.bench.pipeline_model import PipelineModel
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge
from atelier.eval.judges.trained_judges import load_trained_judges
from atelier.pipelines.detail_restoration import RESTORED_TASKS, restore_photo_pixels, unchanged_weights
from atelier.pipelines.image_tensors import fit_to_model, restore_to_input, tensor_to_images


def parse_thresholds(text: str) -> tuple[float, float]:
    """'agree,differ' -> (agree_below, differ_above)."""
    try:
        agree, differ = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a setting is 'agree,differ' (e.g. 0.08,0.2), got {text!r}") from None
    return agree, differ


def model_size_output(pipeline, call: dict) -> np.ndarray:
    """One request through stages 1–4 and the autoencoder: (h, w, 3) uint8 at the model's size."""
    request = pipeline.check_inputs(**call)
    encoded = pipeline.encode([request])
    latents = pipeline.denoise(pipeline.prepare_latents([request]), encoded, request)
    return tensor_to_images(pipeline.autoencoder.decode(latents))[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="weights/tryon", help="checkpoint or run folder (default weights/tryon)")
    parser.add_argument("--judges", default="weights/eval", help="trained judges (default weights/eval)")
    parser.add_argument("--n", type=int, default=10, help="validation records per task (default 10)")
    parser.add_argument(
        "--settings",
        type=parse_thresholds,
        nargs="+",
        default=[(0.03, 0.08), (0.05, 0.12), (0.08, 0.2), (0.12, 0.3), (0.2, 0.4)],
        help="threshold pairs 'agree_below,differ_above' to compare",
    )
    parser.add_argument("--radius", type=int, default=2, help="blur radius of the difference map (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    judges = load_trained_judges(args.judges)
    judge = GroundTruthJudge(judges.parser, judges.reader)
    model = PipelineModel(args.model)
    pipeline = model.pipeline
    print(f"model: {args.model}; {args.n} {TUNING_SPLIT} records per task")

    sampled = {}  # task -> [(record, request, model-size output, round trip, padding)]
    with torch.no_grad():
        for task in tqdm(sorted(RESTORED_TASKS), unit="task", desc="sampling"):
            entries = []
            for record in tuning_records(task, args.n):
                request = strip_record(record)
                output = model_size_output(pipeline, model.pipeline_request(request))
                round_trip = pipeline.photo_round_trips([request.person])[0]
                padding = fit_to_model(request.person, pipeline.config.image_size)[1]
                entries.append((record, request, output, round_trip, padding))
            sampled[task] = entries

    def overall(task: str, setting: tuple[float, float] | None) -> float:
        scores = []
        for record, request, output, round_trip, padding in sampled[task]:
            answer = restore_to_input(output, padding)
            if setting is not None:
                settings = replace(pipeline.config.detail_restoration, agree_below=setting[0], differ_above=setting[1], radius=args.radius)
                answer = restore_photo_pixels(answer, request.person, unchanged_weights(output, round_trip, settings), padding)
            scores.append(judge.score(record, conform_output(answer, BENCH_SIZE_HW)).overall)
        return float(np.mean(scores))

    for setting in [None, *args.settings]:
        label = "no restoration" if setting is None else f"restoration agree {setting[0]:g} differ {setting[1]:g}"
        per_task = {task: overall(task, setting) for task in sampled}
        for task, score in per_task.items():
            print(f"{label}: {task} overall {score:.2f}")
        print(f"{label}: mean overall {np.mean(list(per_task.values())):.2f}", flush=True)


if __name__ == "__main__":
    main()
