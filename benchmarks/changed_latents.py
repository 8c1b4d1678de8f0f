"""How much of a try-on target is new: the share of target latents that differ from the person photo's.

For N train records of each task whose output is the person photo changed, both images are
encoded by the checkpoint's autoencoder at the model's size; a latent counts as changed where
the mean absolute difference over channels exceeds `CHANGE_SCALE` (the change weighting's own
scale, `atelier.train.change_weights`). Prints the mean share per task, one figure a line; the
reason `flow_matching.change_weight` exists.

    python benchmarks/changed_latents.py --checkpoint weights/tryon [--n 20]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from atelier.eval.bench.bench_set import world_index
from atelier.models.checkpoint import load_checkpoint
from atelier.pipelines.checkpoint_paths import find_model_file
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor
from atelier.pipelines.task_inputs import PERSON_FRAME_TASKS
from atelier.train.change_weights import CHANGE_SCALE
from atelier.train.tryon_examples import record_example
from atelier.world.tasks import make_record

MODEL_SIZE = (128, 96)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default="weights/tryon", help="try-on weights with their autoencoder (default weights/tryon)")
    parser.add_argument("--n", type=int, default=20, help="train records per task (default 20)")
    args = parser.parse_args()
    torch.set_num_threads(1)

    autoencoder = load_checkpoint(find_model_file(args.checkpoint)).modules["autoencoder"].float().eval()
    print(f"autoencoder of {args.checkpoint}; {args.n} train records per task; changed: mean |Δlatent| > {CHANGE_SCALE}")
    for task in sorted(PERSON_FRAME_TASKS):
        shares = []
        for position in range(args.n):
            example = record_example(make_record(task, "train", 0, world_index(task, position), (256, 192)))
            pixels = images_to_tensor([fit_to_model(image, MODEL_SIZE)[0] for image in (example.target, example.inputs.person)])
            with torch.no_grad():
                target, person = autoencoder.encode(pixels)
            shares.append(float(((target - person).abs().mean(dim=0) > CHANGE_SCALE).float().mean()))
        print(f"{task}: {100 * np.mean(shares):.1f}% of latents changed")


if __name__ == "__main__":
    main()
