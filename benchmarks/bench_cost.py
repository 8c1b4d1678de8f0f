"""What TryOnBench's scoring costs: seconds per sample for the judge and the metrics alone.

Renders N single try-on samples, answers them with the warp baseline (not timed), then times the
scoring the bench does per sample (ground-truth judge: two parses, colour transport, attribute
readings, masked SSIM; paired SSIM; LPIPS-atelier and embeddings) and per set (FID and KID).
Goal: 200 single samples scored in under 2 minutes on this project's 2-core machine.

    python benchmarks/bench_cost.py [--n 200] [--threads 2] [--judges weights/eval]

Prints one figure per line.
"""

from __future__ import annotations

import argparse
import time

import torch

from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.bench_runner import (
    PairedFeatures,
    conform_output,
    distribution_scores,
    score_sample,
)
from atelier.eval.bench.bench_set import bench_items
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge
from atelier.eval.bench.placement_baselines import PlacementBaseline
from atelier.eval.judges.trained_judges import load_trained_judges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--judges", default="weights/eval")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    judges = load_trained_judges(args.judges)
    judge = GroundTruthJudge(judges.parser, judges.reader)
    paired = PairedFeatures(judges)
    model = PlacementBaseline(judges.parser, "warp")
    items = bench_items("single", args.n)
    records = [item.record() for item in items]
    outputs = [conform_output(model(strip_record(record)), record.target.image.shape[:2]) for record in records]

    started = time.perf_counter()
    fake, real = [], []
    for item, record, output in zip(items, records, outputs, strict=True):
        _, fake_embedding, real_embedding = score_sample(judge, paired, item, record, output)
        fake.append(fake_embedding)
        real.append(real_embedding)
    per_sample = time.perf_counter() - started
    set_started = time.perf_counter()
    distribution_scores(torch.stack(fake), torch.stack(real), judges, items, cache_dir=None)
    set_seconds = time.perf_counter() - set_started

    print(f"torch threads: {args.threads}")
    print(f"scoring seconds per single sample (judge + SSIM + LPIPS + embeddings): {per_sample / args.n:.3f}")
    print(f"FID + KID seconds per set of {args.n}: {set_seconds:.2f}")
    print(f"scoring seconds for {args.n} single samples: {per_sample + set_seconds:.1f} (goal < 120 for 200)")


if __name__ == "__main__":
    main()
