"""How far a latent try-on model can get through its autoencoder: TryOnBench on decoded targets.

A try-on model makes latents and the autoencoder turns them into pixels, so no model scores
better than the targets' own latents decoded. This script scores exactly that — each bench
target brought to the model's size, encoded, decoded and brought back — with TryOnBench's
ground-truth judge, beside the target only resized to the model's size and back (what the
resolution alone costs), and, on the tasks whose output is the person photo changed, beside
the decoded target with the pipeline's detail restoration (the photo's pixels put back wherever
the decoded target agrees with the decoded photo): the best a perfect model can score as shipped.
One figure a line: per task the overall and each judged dimension, then the overall on average.

    python benchmarks/autoencoder_ceiling.py [--checkpoint weights/tryon] [--n 20] [--threads 2]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from atelier.data.images import Padding
from atelier.eval.bench.bench_runner import conform_output
from atelier.eval.bench.bench_set import BENCH_TASKS, bench_items
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge
from atelier.eval.judges.judges import DIMENSIONS
from atelier.eval.judges.trained_judges import load_trained_judges
from atelier.models.checkpoint import load_checkpoint
from atelier.pipelines.checkpoint_paths import find_model_file
from atelier.pipelines.detail_restoration import DetailRestoration, restore_photo_pixels, unchanged_weights
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor, restore_to_input, tensor_to_images
from atelier.pipelines.pipeline_config import PipelineConfig
from atelier.pipelines.task_inputs import PERSON_FRAME_TASKS
from atelier.world.records import Record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default="weights/tryon", help="a try-on or autoencoder checkpoint folder")
    parser.add_argument("--size", type=int, nargs=2, default=(128, 96), metavar=("H", "W"), help="the model's image size")
    parser.add_argument("--judges", default="weights/eval", help="trained judges (default weights/eval)")
    parser.add_argument("--n", type=int, default=20, help="bench samples per task (default 20)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    file = find_model_file(args.checkpoint)
    if file is None:
        raise SystemExit(f"no checkpoint in {args.checkpoint}")
    checkpoint = load_checkpoint(file)
    autoencoder = checkpoint.modules["autoencoder"].float().eval()
    pipeline = checkpoint.configs.get("pipeline")
    restoration = PipelineConfig.from_dict(pipeline).detail_restoration if pipeline else DetailRestoration()
    judges = load_trained_judges(args.judges)
    judge = GroundTruthJudge(judges.parser, judges.reader)
    size = tuple(args.size)

    def round_trip(image: np.ndarray) -> tuple[np.ndarray, Padding]:
        """The image fitted to the model's size, encoded and decoded: (h, w, 3) uint8, and its padding."""
        small, padding = fit_to_model(image, size)
        with torch.no_grad():
            decoded = autoencoder.decode(autoencoder.encode(images_to_tensor([small])))
        return tensor_to_images(decoded)[0], padding

    def through_autoencoder(record: Record) -> np.ndarray:
        return restore_to_input(*round_trip(record.target.image))

    def resized_only(record: Record) -> np.ndarray:
        small, padding = fit_to_model(record.target.image, size)
        return restore_to_input(small, padding)

    def through_autoencoder_restored(record: Record) -> np.ndarray:
        # The target has the person photo's size, so one padding serves both.
        person = record.person.image
        decoded, padding = round_trip(record.target.image)
        weights = unchanged_weights(decoded, round_trip(person)[0], restoration)
        return restore_photo_pixels(restore_to_input(decoded, padding), person, weights, padding)

    print(f"checkpoint: {args.checkpoint}; {args.n} bench samples per task; model size {size[0]}x{size[1]}")
    means: dict[str, list[float]] = {"resized": [], "autoencoder": [], "autoencoder restored": []}
    for task in BENCH_TASKS:
        records = [item.record() for item in bench_items(task, args.n)]
        transforms = {"resized": resized_only, "autoencoder": through_autoencoder}
        if task in PERSON_FRAME_TASKS:
            transforms["autoencoder restored"] = through_autoencoder_restored
        for name, transform in transforms.items():
            scores = [
                judge.score(record, conform_output(transform(record), record.target.image.shape[:2]))
                for record in records
            ]
            means[name].append(float(np.mean([score.overall for score in scores])))
            print(f"{task} overall of the target {name}: {means[name][-1]:.2f}")
            # Which dimension the round trip costs: the mean of each where the task scores it.
            for dimension in DIMENSIONS:
                values = [getattr(score, dimension) for score in scores if getattr(score, dimension) is not None]
                if values:
                    print(f"{task} {dimension} of the target {name}: {np.mean(values):.2f}")
    for name, values in means.items():
        tasks = "the five restored tasks" if name == "autoencoder restored" else "all tasks"
        print(f"mean overall of the target {name} ({tasks}): {np.mean(values):.2f}")


if __name__ == "__main__":
    main()
