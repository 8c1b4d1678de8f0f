"""World generation throughput: records per second on one core at 256×192 (goal: >= 25).

Prints one figure a line. `render` is rendering alone (make_record); `build` also encodes every
picture to PNG and the record into its shard files, i.e. what `atelier world build` does per
record. Runs in one process, so the figures are per core.

    python benchmarks/world_throughput.py [--n 270] [--size 256x192]
"""

from __future__ import annotations

import argparse
import os
import time

import torch

from atelier.cli.arguments import image_size
from atelier.world.serialization import record_to_files
from atelier.world.tasks import kind_for_index, make_record
from atelier.world.vocabulary import RECORD_KINDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=270, help="records (a multiple of 9 balances the kinds)")
    parser.add_argument("--size", type=image_size, default=(256, 192))
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    make_record("single", "train", 0, 0, args.size)  # warm caches (fonts, imports)
    per_kind: dict[str, float] = {kind: 0.0 for kind in RECORD_KINDS}
    start = time.perf_counter()
    records = []
    for index in range(args.n):
        t = time.perf_counter()
        records.append(make_record(kind_for_index(index), "train", 1, index, args.size))
        per_kind[kind_for_index(index)] += time.perf_counter() - t
    render_seconds = time.perf_counter() - start
    start = time.perf_counter()
    size_bytes = sum(len(b) for r in records for b in record_to_files(r).values())
    encode_seconds = time.perf_counter() - start

    print(f"size={args.size[0]}x{args.size[1]}")
    print(f"records={args.n}")
    print(f"render_records_per_s_per_core={args.n / render_seconds:.1f}")
    print(f"build_records_per_s_per_core={args.n / (render_seconds + encode_seconds):.1f}")
    print(f"mean_record_bytes={size_bytes / args.n:.0f}")
    for kind, seconds in per_kind.items():
        print(f"ms_per_{kind}={1000 * seconds / (args.n / len(RECORD_KINDS)):.1f}")


if __name__ == "__main__":
    main()
