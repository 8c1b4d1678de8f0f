"""Choosing sampling settings on the validation split: what the sweeps in `benchmarks/` share.

TryOnBench scores the world's test split; a setting chosen there would be tuned on the test set.
The sweeps (`benchmarks/guidance_sweep.py`, `benchmarks/detail_restoration_sweep.py`) score a
checkpoint on validation records laid out exactly like the bench's, with the bench's judge.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import torch

from atelier.eval.bench.bench_set import BENCH_SIZE_HW, world_index
from atelier.eval.bench.pipeline_model import PipelineModel
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge
from atelier.eval.judges.trained_judges import load_trained_judges
from atelier.world.records import Record
from atelier.world.tasks import make_record

TUNING_SPLIT = "val"


def tuning_records(task: str, n: int, size_hw: tuple[int, int] = BENCH_SIZE_HW) -> list[Record]:
    """The first `n` records of `task` laid out like the bench set, but from the validation split."""
    return [make_record(task, TUNING_SPLIT, 0, world_index(task, position), size_hw) for position in range(n)]


def pair_argument(names: str, example: str, sizes: Sequence[int] = (2,)) -> Callable[[str], tuple[float, ...]]:
    """An argparse type reading 'a,b' (or as many numbers as `sizes` allows) into floats;
    errors name the values ('text,reference')."""

    def parse(text: str) -> tuple[float, ...]:
        try:
            values = tuple(float(part) for part in text.split(","))
        except ValueError:
            values = ()
        if len(values) not in sizes:
            raise argparse.ArgumentTypeError(f"expected '{names}' (e.g. {example}), got {text!r}")
        return values

    return parse


def tuning_arguments(
    description: str,
    default_model: str,
    default_n: int,
    pairs_flag: str,
    pairs: Sequence[tuple[float, ...]],
    names: str,
    sizes: Sequence[int] = (2,),
) -> argparse.ArgumentParser:
    """A sweep's command line: the checkpoint, the judges, records per task, threads and the
    settings to compare (pairs, or tuples of any length in `sizes`)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", default=default_model, help=f"checkpoint or run folder (default {default_model})")
    parser.add_argument("--judges", default="weights/eval", help="trained judges (default weights/eval)")
    parser.add_argument("--n", type=int, default=default_n, help=f"validation records per task (default {default_n})")
    example = ",".join(f"{value:g}" for value in pairs[len(pairs) // 2])
    parser.add_argument(
        pairs_flag, type=pair_argument(names, example, sizes), nargs="+", default=list(pairs), help=f"settings '{names}' to compare"
    )
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    return parser


def open_tuning(
    args: argparse.Namespace, restore_detail: bool | None = None
) -> tuple[GroundTruthJudge, PipelineModel]:
    """The bench's judge and the checkpoint of a sweep's parsed arguments, torch's threads set.

    `restore_detail` sets the pipeline's detail restoration (None: the checkpoint's default).
    """
    torch.set_num_threads(args.threads)
    judges = load_trained_judges(args.judges)
    print(f"model: {args.model}; {args.n} {TUNING_SPLIT} records per task")
    return GroundTruthJudge(judges.parser, judges.reader), PipelineModel(args.model, restore_detail=restore_detail)
