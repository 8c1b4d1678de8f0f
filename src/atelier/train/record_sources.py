"""Where training records come from: the world rendered on the fly, or a built world's shards.

A source numbers its records with *positions* 0, 1, 2, … and repeats forever (epochs). Each
process of a distributed run owns the positions p with p % world_size == rank, so processes
never see the same record in a step. Because any record can be found again from its
position, a resumed run continues exactly where it stopped: its data state is a position.
"""

from __future__ import annotations

import itertools
import json
import tarfile
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from atelier.data.images import ImageError
from atelier.data.layout_errors import DatasetLayoutError
from atelier.train.render_ahead import rendered_in_order
from atelier.train.run_config import DataConfig
from atelier.world.records import Record
from atelier.world.serialization import record_from_files
from atelier.world.shards import MANIFEST, iter_shard_members
from atelier.world.tasks import make_record
from atelier.world.vocabulary import RECORD_KINDS


class WorldNotBuiltError(FileNotFoundError):
    """`data.world` names a folder that holds no world build."""


class RecordSource(Protocol):
    """Records by position."""

    def records_from(self, position: int) -> Generator[tuple[int, Record], None, None]:
        """This process's (position, record) pairs from `position` on, in increasing order, forever."""

    def records_at(self, positions: Sequence[int]) -> list[Record]:
        """The records at these positions (for restoring a resumed stream's held-back records)."""


class WorldLiveSource:
    """Renders records with `atelier.world.tasks.make_record`.

    Position p is record kind kinds[p % len(kinds)] at the world index a full build would give
    it, so the live stream is the same data as `atelier world build` of the same seed, and tasks
    (and, inside "multi", reference counts) come in balanced rotation. With `workers` > 0 the
    records are rendered ahead in that many processes (`atelier.train.render_ahead`), in the
    same order.
    """

    def __init__(
        self,
        *,
        split: str,
        seed: int,
        size_hw: tuple[int, int],
        kinds: Sequence[str],
        rank: int = 0,
        world_size: int = 1,
        workers: int = 0,
    ):
        self.split, self.seed, self.size_hw = split, seed, tuple(size_hw)
        self.kinds = tuple(kinds)
        self.rank, self.world_size = rank, world_size
        self.workers = workers

    def record(self, position: int) -> Record:
        """The record at a position (any process's)."""
        kind = self.kinds[position % len(self.kinds)]
        index = (position // len(self.kinds)) * len(RECORD_KINDS) + RECORD_KINDS.index(kind)
        return make_record(kind, self.split, self.seed, index, self.size_hw)

    def records_from(self, position: int) -> Generator[tuple[int, Record], None, None]:
        positions = itertools.count(_first_owned(position, self.rank, self.world_size), self.world_size)
        if self.workers:
            yield from rendered_in_order(self.record, positions, self.workers)
        else:
            yield from ((owned, self.record(owned)) for owned in positions)

    def records_at(self, positions: Sequence[int]) -> list[Record]:
        return [self.record(position) for position in positions]


class WorldShardSource:
    """Streams a world build's shards, decoding only this process's records of the wanted kinds."""

    def __init__(self, root: str | Path, *, kinds: Sequence[str], rank: int = 0, world_size: int = 1):
        self.root = Path(root)
        self.kinds = tuple(kinds)
        self.rank, self.world_size = rank, world_size
        self.shards = _shard_paths(self.root)

    def _members(self) -> Iterator[tuple[str, dict[str, bytes], Path]]:
        """Every wanted member of every shard, one epoch, undecoded."""
        for path in self.shards:
            try:
                for key, files in iter_shard_members(path):
                    if key.rsplit("-", 1)[-1] in self.kinds:
                        yield key, files, path
            except tarfile.TarError as error:
                raise DatasetLayoutError(path, f"not a readable tar shard ({error})") from error

    def _decode(self, key: str, files: dict[str, bytes], path: Path) -> Record:
        try:
            return record_from_files(files)
        except (KeyError, ValueError, ImageError) as error:
            raise DatasetLayoutError(path, f"record {key!r} is malformed ({error})") from error

    def records_from(self, position: int) -> Generator[tuple[int, Record], None, None]:
        position = _first_owned(position, self.rank, self.world_size)
        current = 0
        while True:
            seen_any = False
            for key, files, path in self._members():
                seen_any = True
                if current == position:
                    yield position, self._decode(key, files, path)
                    position += self.world_size
                current += 1
            if not seen_any:
                raise DatasetLayoutError(self.root, f"holds no records of kinds {self.kinds}")

    def records_at(self, positions: Sequence[int]) -> list[Record]:
        wanted = set(positions)
        found: dict[int, Record] = {}
        current = 0
        while len(found) < len(wanted):
            seen_any = False
            for key, files, path in self._members():
                seen_any = True
                if current in wanted:
                    found[current] = self._decode(key, files, path)
                current += 1
            if not seen_any:
                raise DatasetLayoutError(self.root, f"holds no records of kinds {self.kinds}")
        return [found[position] for position in positions]


def open_record_source(data: DataConfig, *, rank: int = 0, world_size: int = 1) -> RecordSource:
    """The source a run's data config describes, for one process."""
    if data.source == "world-live":
        return WorldLiveSource(
            split=data.split,
            seed=data.seed,
            size_hw=data.image_size,
            kinds=data.kinds,
            rank=rank,
            world_size=world_size,
            workers=data.workers,
        )
    return WorldShardSource(data.world, kinds=data.kinds, rank=rank, world_size=world_size)


def _first_owned(position: int, rank: int, world_size: int) -> int:
    """The first position ≥ `position` this process owns."""
    return position + (rank - position) % world_size


def _shard_paths(root: Path) -> list[Path]:
    manifest = root / MANIFEST
    if not manifest.is_file():
        raise WorldNotBuiltError(
            f"data.world = {root} is not a built world (no {MANIFEST}); build it first with "
            f"`atelier world build --split train --n 20000 --size 128x96 --out {root}` "
            "or train with data.source: world-live"
        )
    try:
        entries = json.loads(manifest.read_text())["shards"]
        paths = [root / entry["file"] for entry in entries]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise DatasetLayoutError(manifest, f"malformed manifest ({error})") from error
    for path in paths:
        if not path.is_file():
            raise DatasetLayoutError(path, "missing: listed in the manifest but not on disk", listed_in=manifest)
    if not paths:
        raise DatasetLayoutError(manifest, "lists no shards")
    return paths
