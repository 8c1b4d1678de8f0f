"""Training logs: one CSV row per logged interval of steps, mirrored to TensorBoard."""

from __future__ import annotations

import csv
import io
import os
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from atelier.world.shards import write_bytes_atomic

CSV_NAME = "metrics.csv"


class MetricsLog:
    """Append-only metrics of a run.

    The CSV has a fixed header: "step" and the given columns; a value a step lacks is left
    empty. A resumed run first drops rows after the step it resumes from, so the file reads
    as one uninterrupted run.
    """

    def __init__(self, folder: str | Path, columns: Sequence[str], *, tensorboard: bool, resume_step: int | None = None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.columns = ["step", *columns]
        self.path = self.folder / CSV_NAME
        self._start(resume_step)
        # Kept open for the whole run and closed by `close`, so each row costs one write.
        self._file = open(self.path, "a", newline="")  # noqa: SIM115
        self._writer = csv.DictWriter(self._file, fieldnames=self.columns, restval="", extrasaction="ignore")
        self._tensorboard = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._tensorboard = SummaryWriter(str(self.folder / "tensorboard"), purge_step=resume_step)

    def _start(self, resume_step: int | None) -> None:
        kept: list[dict[str, str]] = []
        if resume_step is not None and self.path.is_file():
            with open(self.path, newline="") as existing:
                kept = [row for row in csv.DictReader(existing) if row.get("step") and int(row["step"]) <= resume_step]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, restval="", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(kept)
        write_bytes_atomic(self.path, buffer.getvalue().encode())

    def write(self, step: int, values: dict[str, float]) -> None:
        """Log the values of one step."""
        self._writer.writerow({"step": step, **{key: f"{value:.6g}" for key, value in values.items()}})
        self._file.flush()
        os.fsync(self._file.fileno())
        if self._tensorboard is not None:
            for key, value in values.items():
                self._tensorboard.add_scalar(key, value, step)

    def close(self) -> None:
        self._file.close()
        if self._tensorboard is not None:
            self._tensorboard.close()


class IntervalMeans:
    """Means of the values logged between two log rows, and the throughput over them."""

    def __init__(self, samples_per_step: int):
        self.samples_per_step = samples_per_step
        self._reset()

    def _reset(self) -> None:
        self._sums: dict[str, float] = defaultdict(float)
        self._counts: dict[str, int] = defaultdict(int)
        self._steps = 0
        self._start = time.perf_counter()

    def add(self, values: dict[str, float]) -> None:
        """One step's values (a step may lack some keys, e.g. a task absent from its batch)."""
        for key, value in values.items():
            self._sums[key] += value
            self._counts[key] += 1
        self._steps += 1

    def means_and_reset(self) -> dict[str, float]:
        """Each key's mean over the interval plus "samples_per_second"; starts a new interval."""
        elapsed = max(time.perf_counter() - self._start, 1e-9)
        means = {key: self._sums[key] / self._counts[key] for key in self._sums}
        means["samples_per_second"] = self.samples_per_step * self._steps / elapsed
        self._reset()
        return means
