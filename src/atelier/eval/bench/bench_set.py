"""TryOnBench's fixed test set: which world records each task is scored on.

Every sample is a record of the world's *test* split, whose identities and garment
colour × pattern × category combinations never occur in training. Sample `i` of a task is the
record a world build would hold at index `9 i + k` (k = the task's place in `RECORD_KINDS`), so
the bench set is a slice of `atelier world build --split test` and the same for everyone. For
`multi` that index gives `2 + i mod 5` references: the set cycles through 2, 3, 4, 5 and 6 and is
balanced for any n that is a multiple of 5. `--seed` draws a different world (other records of
the same held-out split).
"""

from __future__ import annotations

from dataclasses import dataclass

from atelier.world.records import Record
from atelier.world.tasks import make_record
from atelier.world.vocabulary import RECORD_KINDS, TASKS

BENCH_SPLIT = "test"
BENCH_TASKS = TASKS
BENCH_SIZE_HW = (256, 192)


@dataclass(frozen=True)
class BenchItem:
    """One sample of the bench set.

    Attributes:
        task: one of `BENCH_TASKS`.
        position: its place in the task's set (0 … n−1).
        world_index: the index of its record in the world's test split.
        seed: world seed.
        size_hw: rendering size (H, W).
    """

    task: str
    position: int
    world_index: int
    seed: int
    size_hw: tuple[int, int] = BENCH_SIZE_HW

    def record(self) -> Record:
        """Render the sample's record (inputs and ground truth)."""
        return make_record(self.task, BENCH_SPLIT, self.seed, self.world_index, self.size_hw)


def world_index(task: str, position: int) -> int:
    """Index in a world build of the `position`-th record of `task`."""
    if task not in BENCH_TASKS:
        raise ValueError(f"unknown bench task {task!r}; expected one of {BENCH_TASKS}")
    return len(RECORD_KINDS) * position + RECORD_KINDS.index(task)


def bench_items(task: str, n: int, seed: int = 0, size_hw: tuple[int, int] = BENCH_SIZE_HW) -> list[BenchItem]:
    """The first `n` samples of `task` in world `seed`."""
    return [BenchItem(task, position, world_index(task, position), seed, size_hw) for position in range(n)]


def parse_tasks(text: str) -> tuple[str, ...]:
    """'all' or a comma-separated list of tasks -> tasks in bench order."""
    if text == "all":
        return BENCH_TASKS
    tasks = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [task for task in tasks if task not in BENCH_TASKS]
    if unknown or not tasks:
        raise ValueError(f"unknown task(s) {unknown or text!r}; expected 'all' or some of {', '.join(BENCH_TASKS)}")
    return tuple(task for task in BENCH_TASKS if task in tasks)
