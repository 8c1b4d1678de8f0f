"""Guidance scales for a try-on checkpoint, chosen on the world's *validation* split.

TryOnBench scores the test split; choosing sampling settings there would tune on the test set.
This script runs the checkpoint on N validation records per task (the bench's record layout, the
bench's ground-truth judge) for each (text, reference) guidance pair and prints the overall
score per task and on average, one figure a line. The best pair goes into the run config
(`flow_matching.text_guidance` / `reference_guidance`), which `atelier export-weights` stores
with the weights, or straight into the shipped weights of a finished run with
`atelier export-weights --from RUN --to weights/tryon --guidance TEXT REFERENCE`.

    python benchmarks/guidance_sweep.py --model runs/default [--n 6] [--scales 1,1.5 2,2 ...]
"""

from __future__ import annotations

import argparse

import numpy as np
import torch
from tqdm.auto import tqdm

from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.bench_runner import conform_output
from atelier.eval.bench.bench_set import BENCH_TASKS, TUNING_SPLIT, tuning_records
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge
from atelier.eval.bench.pipeline_model import PipelineModel
from atelier.eval.judges.trained_judges import load_trained_judges


def parse_pair(text: str) -> tuple[float, float]:
    """'text,reference' -> (text_scale, reference_scale)."""
    try:
        text_scale, reference_scale = (float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a guidance pair is 'text,reference' (e.g. 1.5,2), got {text!r}") from None
    return text_scale, reference_scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="runs/default", help="checkpoint or run folder (default runs/default)")
    parser.add_argument("--judges", default="weights/eval", help="trained judges (default weights/eval)")
    parser.add_argument("--n", type=int, default=6, help="validation records per task (default 6)")
    parser.add_argument(
        "--scales",
        type=parse_pair,
        nargs="+",
        default=[(1.0, 1.0), (1.5, 1.5), (1.5, 2.5), (1.5, 4.0), (3.0, 2.5)],
        help="guidance pairs 'text,reference' to compare",
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    judges = load_trained_judges(args.judges)
    judge = GroundTruthJudge(judges.parser, judges.reader)
    model = PipelineModel(args.model)
    records = {task: tuning_records(task, args.n) for task in BENCH_TASKS}
    print(f"model: {args.model}; {args.n} {TUNING_SPLIT} records per task")
    for text_scale, reference_scale in tqdm(args.scales, unit="setting"):
        per_task = {}
        for task, task_records in records.items():
            requests = [strip_record(record) for record in task_records]
            calls = [{**model.pipeline_request(r), "guidance": (text_scale, reference_scale)} for r in requests]
            answers = model.pipeline.batch_call(calls)
            scores = [
                judge.score(record, conform_output(answer, request.size_hw)).overall
                for record, request, answer in zip(task_records, requests, answers, strict=True)
            ]
            per_task[task] = float(np.mean(scores))
        label = f"guidance text {text_scale:g} reference {reference_scale:g}"
        for task, overall in per_task.items():
            print(f"{label}: {task} overall {overall:.2f}")
        print(f"{label}: mean overall {np.mean(list(per_task.values())):.2f}")


if __name__ == "__main__":
    main()
