"""Does a try-on checkpoint read its references? How much its output moves when one input is blanked.

For N validation records of single try-on, each sampled with the same seed: the output with the
real inputs, with the garment image replaced by a blank product shot (all white), and with the
person photo replaced by flat grey. It prints the mean absolute change of the model's own pixels
(0–255, detail restoration off) for each, one figure a line. A model that dresses people in the
garment it is given moves a lot when the garment goes; one that redraws the person it was shown
barely moves.

    python benchmarks/reference_sensitivity.py --model weights/tryon [--n 10] [--threads 2] [--guidance 3 2.5 5]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from tqdm.auto import tqdm

from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.pipeline_model import PipelineModel
from atelier.eval.bench.tuning import TUNING_SPLIT, tuning_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="weights/tryon", help="checkpoint or run folder (default weights/tryon)")
    parser.add_argument("--n", type=int, default=10, help="validation records of single try-on (default 10)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    parser.add_argument(
        "--guidance", type=float, nargs="+", metavar="SCALE", help="TEXT REFERENCE [GARMENT] scales (default: the model's)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    model = PipelineModel(args.model, restore_detail=False)
    changes: dict[str, list[float]] = {"blank garment": [], "grey person": []}
    for record in tqdm(tuning_records("single", args.n), unit="record"):
        call = model.pipeline_request(strip_record(record))
        if args.guidance:
            call["guidance"] = tuple(args.guidance)
        garment, category = call["garments"][0]
        variants = {
            "blank garment": {**call, "garments": [(np.full_like(garment, 255), category)]},
            "grey person": {**call, "person": np.full_like(call["person"], 128)},
        }
        outputs = model.pipeline.batch_call([call, *variants.values()])
        for name, output in zip(variants, outputs[1:], strict=True):
            changes[name].append(float(np.abs(output.astype(np.int16) - outputs[0].astype(np.int16)).mean()))
    guidance = "the model's guidance" if not args.guidance else "guidance " + ",".join(f"{g:g}" for g in args.guidance)
    print(f"model: {args.model}; {args.n} {TUNING_SPLIT} single try-on records, {guidance}; mean absolute change of the output (0-255)")
    for name, values in changes.items():
        print(f"{name}: {np.mean(values):.2f}")


if __name__ == "__main__":
    main()
