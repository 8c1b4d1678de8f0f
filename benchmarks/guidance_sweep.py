"""Guidance scales for a try-on checkpoint, chosen on the world's *validation* split.

TryOnBench scores the test split; choosing sampling settings there would tune on the test set.
This script runs the checkpoint on N validation records per task (the bench's record layout, the
bench's ground-truth judge) for each (text, reference) guidance pair, or (text, reference,
garment) triple, and prints the overall score and Garment fidelity per task and the overall on
average, one line each. The best pair goes into the run config
(`flow_matching.text_guidance` / `reference_guidance`), which `atelier export-weights` stores
with the weights, or straight into the shipped weights of a finished run with
`atelier export-weights --from RUN --to weights/tryon --guidance TEXT REFERENCE`. A pair keeps
the model's own garment scale; to compare with and without garment guidance name all three
(`3,2.5,2.5 3,2.5,5`). `--sigma-shift` samples with another timestep shift than the one the
model was trained with, to tell a shift's effect on training from its effect on sampling.

    python benchmarks/guidance_sweep.py --model runs/default [--n 6] [--scales 1,1.5 2,2 3,2.5,5 ...] [--tasks tryoff]
"""

from __future__ import annotations

import dataclasses

import numpy as np
from tqdm.auto import tqdm

from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.bench_runner import conform_output
from atelier.eval.bench.bench_set import BENCH_TASKS
from atelier.eval.bench.tuning import open_tuning, tuning_arguments, tuning_records

GUIDANCE_PAIRS = [(1.0, 1.0), (1.5, 1.5), (1.5, 2.5), (1.5, 4.0), (3.0, 2.5)]


def main() -> None:
    parser = tuning_arguments(
        __doc__.splitlines()[0], "runs/default", 6, "--scales", GUIDANCE_PAIRS, "text,reference[,garment]", sizes=(2, 3)
    )
    parser.add_argument(
        "--no-restore-detail",
        dest="restore_detail",
        action="store_false",
        default=None,
        help="score the model's own pixels, without detail restoration",
    )
    parser.add_argument(
        "--tasks", nargs="+", choices=BENCH_TASKS, default=list(BENCH_TASKS), help="tasks to score (default all)"
    )
    parser.add_argument(
        "--sigma-shift",
        type=float,
        default=None,
        help="timestep shift of the sampling schedule (default: the model's, the one it was trained with)",
    )
    args = parser.parse_args()
    if args.sigma_shift is not None and args.sigma_shift <= 0:
        parser.error(f"--sigma-shift must be positive, got {args.sigma_shift}")
    judge, model = open_tuning(args, restore_detail=args.restore_detail)
    if args.sigma_shift is not None:
        model.pipeline.config = dataclasses.replace(model.pipeline.config, sigma_shift=args.sigma_shift)
    records = {task: tuning_records(task, args.n) for task in args.tasks}
    for scales in tqdm(args.scales, unit="setting"):
        per_task = {}
        for task, task_records in records.items():
            requests = [strip_record(record) for record in task_records]
            calls = [{**model.pipeline_request(r), "guidance": scales} for r in requests]
            answers = model.pipeline.batch_call(calls)
            scores = [
                judge.score(record, conform_output(answer, request.size_hw))
                for record, request, answer in zip(task_records, requests, answers, strict=True)
            ]
            garments = [score.garment for score in scores if score.garment is not None]
            # Garment fidelity is None where the target shows no reference garment to judge.
            garment = f"{np.mean(garments):.2f}" if garments else "—"
            per_task[task] = (float(np.mean([score.overall for score in scores])), garment)
        label = " ".join(f"{name} {scale:g}" for name, scale in zip(("text", "reference", "garment"), scales))
        label = f"guidance {label}"
        for task, (overall, garment) in per_task.items():
            print(f"{label}: {task} overall {overall:.2f} garment {garment}")
        print(f"{label}: mean overall {np.mean([overall for overall, _ in per_task.values()]):.2f}")


if __name__ == "__main__":
    main()
