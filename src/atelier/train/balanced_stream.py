"""Balancing the record stream across tasks, garment categories and reference counts.

The world already rotates tasks and reference counts evenly, but categories (and any real
dataset) are not uniform. The stream holds back a small buffer of records and always hands
out the one whose strata ("task:single", "category:shoes", "references:3") have been seen
least so far. A record that waits longer than `patience` draws is dropped: that is what turns
local reordering into a balanced long-run mix, at the price of skipping some
over-represented records.

The stream's state is small (a source position, the held-back positions, counters), so a
resumed run continues with exactly the records it would have had.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from atelier.train.record_sources import RecordSource
from atelier.world.records import Record


def record_strata(record: Record) -> tuple[str, ...]:
    """The strata a record counts towards.

    Returns:
        ("task:<kind>", "references:<n>", "category:<c>" for every garment involved).
    """
    categories = {garment.category for garment in record.garments}
    if record.kind == "tryoff" and "category" in record.extra:
        categories.add(record.extra["category"])
    references = len(record.garments) + sum(image is not None for image in (record.person, record.pose, record.outfit_source))
    return (f"task:{record.kind}", f"references:{references}", *(f"category:{c}" for c in sorted(categories)))


@dataclass
class _Held:
    position: int
    record: Record
    strata: tuple[str, ...]
    waited: int = 0


class BalancedRecordStream:
    """Hands out records from a source, balanced by `record_strata`.

    With `buffer_size` 0 it passes the source through unchanged.
    """

    def __init__(self, source: RecordSource, *, buffer_size: int = 0, patience: int = 32):
        if buffer_size < 0 or patience < 1:
            raise ValueError(f"buffer_size must be ≥ 0 and patience ≥ 1, got {buffer_size} and {patience}")
        self.source = source
        self.buffer_size = buffer_size
        self.patience = patience
        self.counts: Counter[str] = Counter()
        self.dropped = 0
        self._held: list[_Held] = []
        self._next_position = 0
        self._iterator: Generator[tuple[int, Record], None, None] | None = None

    def _pull(self) -> _Held:
        if self._iterator is None:
            self._iterator = self.source.records_from(self._next_position)
        position, record = next(self._iterator)
        self._next_position = position + 1
        return _Held(position, record, record_strata(record))

    def next_records(self, count: int) -> list[Record]:
        """The next `count` records."""
        return [self._next_record() for _ in range(count)]

    def _next_record(self) -> Record:
        while len(self._held) < max(1, self.buffer_size):
            self._held.append(self._pull())
        if self.buffer_size == 0:
            chosen = self._held.pop(0)
        else:
            # Least-seen strata first; among equals the record that has waited longest.
            index = min(range(len(self._held)), key=lambda i: (self._score(self._held[i].strata), -self._held[i].waited, i))
            chosen = self._held.pop(index)
            for held in self._held:
                held.waited += 1
            kept = [held for held in self._held if held.waited <= self.patience]
            self.dropped += len(self._held) - len(kept)
            self._held = kept
        self.counts.update(chosen.strata)
        return chosen.record

    def _score(self, strata: tuple[str, ...]) -> float:
        return sum(self.counts[stratum] for stratum in strata) / len(strata)

    def state_dict(self) -> dict[str, Any]:
        """JSON-ready state: next source position, held-back positions and waits, counters."""
        return {
            "next_position": self._next_position,
            "held": [[held.position, held.waited] for held in self._held],
            "counts": dict(self.counts),
            "dropped": self.dropped,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a `state_dict` (the held-back records are fetched again by position)."""
        positions = [int(position) for position, _ in state["held"]]
        records = self.source.records_at(positions)
        self._held = [
            _Held(int(position), record, record_strata(record), int(waited))
            for (position, waited), record in zip(state["held"], records, strict=True)
        ]
        self._next_position = int(state["next_position"])
        self.counts = Counter({key: int(value) for key, value in state["counts"].items()})
        self.dropped = int(state["dropped"])
        self.close()

    def close(self) -> None:
        """Stop the source's iterator (and any worker processes rendering ahead for it)."""
        if self._iterator is not None:
            self._iterator.close()
        self._iterator = None
