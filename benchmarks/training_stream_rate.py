"""How fast a run config's record stream feeds training, and how many rendered records it wastes.

Builds the stream exactly as `atelier train` does (`open_record_source` with `data.workers`,
then `BalancedRecordStream` with the config's buffer and patience), draws `--steps` batches of
the config's batch size and prints one figure a line: records delivered per second, records
rendered per record delivered, and the share the balance buffer dropped (held back longer than
its patience). The GPU run of configs/gpu.yaml was bound by this stream, not by the GPU.

    python benchmarks/training_stream_rate.py --config configs/gpu.yaml --workers 2 [--buffer 16]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from tqdm import tqdm

from atelier.train.balanced_stream import BalancedRecordStream
from atelier.train.record_sources import open_record_source
from atelier.train.run_config import load_run_config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="configs/gpu.yaml", help="run config (default configs/gpu.yaml)")
    parser.add_argument("--workers", type=int, help="override data.workers (this machine has 2 cores)")
    parser.add_argument("--buffer", type=int, help="override data.balance_buffer")
    parser.add_argument("--steps", type=int, default=10, help="batches to draw (default 10)")
    args = parser.parse_args()
    config = load_run_config(args.config)
    overrides = {"workers": args.workers, "balance_buffer": args.buffer}
    data = dataclasses.replace(config.data, **{key: value for key, value in overrides.items() if value is not None})

    stream = BalancedRecordStream(open_record_source(data), buffer_size=data.balance_buffer, patience=data.balance_patience)
    stream.next_records(config.batch_size)  # workers start and the buffer fills outside the timing
    rendered_before, dropped_before = stream.state_dict()["next_position"], stream.dropped
    start = time.perf_counter()
    for _ in tqdm(range(args.steps), desc="batches", unit="batch"):
        stream.next_records(config.batch_size)
    seconds = time.perf_counter() - start
    stream.close()
    delivered = args.steps * config.batch_size
    rendered = stream.state_dict()["next_position"] - rendered_before
    print(f"config: {args.config}; workers {data.workers}, balance buffer {data.balance_buffer}, patience {data.balance_patience}, batch {config.batch_size}")
    print(f"records delivered per second: {delivered / seconds:.1f}")
    print(f"records rendered per record delivered: {rendered / delivered:.2f}")
    print(f"share dropped by the balance buffer: {(stream.dropped - dropped_before) / rendered:.2f}")


if __name__ == "__main__":
    main()
