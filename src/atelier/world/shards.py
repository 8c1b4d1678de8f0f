"""Building the world into WebDataset tar shards with a manifest, atomically and resumably.

A build of `n` records is cut into shards of `shard_size` consecutive indices. Shard `j` is
written as `<split>-<j>.tar` (temp file + rename, so a killed job never leaves half a shard)
with a small `<split>-<j>.json` index beside it. A job given `--shard i/N` builds the shards
`j` with `j % N == i`, so any scheduler can spread a build; a shard already on disk is skipped,
so an interrupted build resumes. `manifest.json` is rewritten after each job from the shard
indexes present.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from atelier.world.serialization import FORMAT_VERSION, record_to_files
from atelier.world.tasks import WORLD_REVISION, kind_for_index, make_record
from atelier.world.vocabulary import RECORD_KINDS, SPLITS

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BuildPlan:
    """What to build: `n` records of `kinds` from world `seed`, split `split`, at `size_hw`."""

    split: str
    n: int
    seed: int
    size_hw: tuple[int, int] = (256, 192)
    shard_size: int = 256
    kinds: tuple[str, ...] = RECORD_KINDS

    def __post_init__(self) -> None:
        if self.split not in SPLITS:
            raise ValueError(f"unknown split {self.split!r}; expected one of {SPLITS}")
        if self.n < 1 or self.shard_size < 1:
            raise ValueError("n and shard_size must be positive")
        unknown = [k for k in self.kinds if k not in RECORD_KINDS]
        if unknown or not self.kinds:
            raise ValueError(f"unknown record kinds {unknown}; expected some of {RECORD_KINDS}")

    @property
    def num_shards(self) -> int:
        return (self.n + self.shard_size - 1) // self.shard_size

    def shard_indices(self, shard: int) -> range:
        return range(shard * self.shard_size, min(self.n, (shard + 1) * self.shard_size))

    def shard_name(self, shard: int) -> str:
        return f"{self.split}-{shard:05d}"


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes files private; shards are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _add_file(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0  # fixed, so the same build gives the same bytes
    archive.addfile(info, io.BytesIO(data))


def build_shard(plan: BuildPlan, shard: int, out: Path, progress: tqdm | None = None) -> dict:
    """Render and write shard `shard` of `plan` into `out`; returns its index."""
    buffer = io.BytesIO()
    kinds: Counter[str] = Counter()
    keys = []
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for index in plan.shard_indices(shard):
            kind = kind_for_index(index, plan.kinds)
            record = make_record(kind, plan.split, plan.seed, index, plan.size_hw)
            for suffix, data in record_to_files(record).items():
                _add_file(archive, f"{record.key}.{suffix}", data)
            kinds[kind] += 1
            keys.append(record.key)
            if progress is not None:
                progress.update(1)
    name = plan.shard_name(shard)
    write_bytes_atomic(out / f"{name}.tar", buffer.getvalue())
    index = {
        "shard": name,
        "file": f"{name}.tar",
        "count": len(keys),
        "kinds": dict(kinds),
        "first": keys[0],
        "last": keys[-1],
        "world_revision": WORLD_REVISION,
    }
    # The index is written last: its presence marks the shard complete.
    write_bytes_atomic(out / f"{name}.json", json.dumps(index, indent=1).encode())
    return index


def _shard_done(out: Path, plan: BuildPlan, shard: int) -> bool:
    """A shard is done when its index and tar exist and the index is of this world's revision
    (one rendered by an earlier revision shows other pixels, so it is rendered again)."""
    name = plan.shard_name(shard)
    index, tar = out / f"{name}.json", out / f"{name}.tar"
    return index.exists() and tar.exists() and json.loads(index.read_text()).get("world_revision") == WORLD_REVISION


def _build_shard_job(args: tuple[BuildPlan, int, Path]) -> dict:
    plan, shard, out = args
    return build_shard(plan, shard, out)


def write_manifest(plan: BuildPlan, out: Path) -> dict:
    """Rewrite `manifest.json` from the shard indexes present in `out`."""
    shards = []
    for shard in range(plan.num_shards):
        path = out / f"{plan.shard_name(shard)}.json"
        if path.exists():
            shards.append(json.loads(path.read_text()))
    totals: Counter[str] = Counter()
    for entry in shards:
        totals.update(entry["kinds"])
    manifest = {
        "format": "webdataset",
        "version": FORMAT_VERSION,
        "world_revision": WORLD_REVISION,
        "split": plan.split,
        "seed": plan.seed,
        "n": plan.n,
        "size_hw": list(plan.size_hw),
        "shard_size": plan.shard_size,
        "kinds": list(plan.kinds),
        "complete": len(shards) == plan.num_shards,
        "records": sum(entry["count"] for entry in shards),
        "records_by_kind": dict(totals),
        "shards": shards,
    }
    write_bytes_atomic(out / MANIFEST, json.dumps(manifest, indent=1).encode())
    return manifest


def build_world(
    plan: BuildPlan,
    out: str | os.PathLike,
    *,
    job: tuple[int, int] = (0, 1),
    workers: int = 1,
    show_progress: bool = True,
) -> dict:
    """Build this job's shards of `plan` into `out` and return the manifest.

    Args:
        job: (i, N): build the shards j with j % N == i.
        workers: processes on this machine (each renders whole shards).
    """
    job_index, job_count = job
    if not 0 <= job_index < job_count:
        raise ValueError(f"bad shard job {job_index}/{job_count}: expected 0 <= i < N")
    out_path = Path(out)
    out_path.mkdir(parents=True, exist_ok=True)
    todo = [s for s in range(plan.num_shards) if s % job_count == job_index and not _shard_done(out_path, plan, s)]
    total = sum(len(plan.shard_indices(s)) for s in todo)
    with tqdm(total=total, desc=f"world {plan.split}", unit="rec", disable=not show_progress or total == 0) as bar:
        if workers <= 1:
            for shard in todo:
                build_shard(plan, shard, out_path, bar)
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for index in pool.map(_build_shard_job, [(plan, s, out_path) for s in todo]):
                    bar.update(index["count"])
    return write_manifest(plan, out_path)


def iter_shard_members(path: Path) -> Iterable[tuple[str, dict[str, bytes]]]:
    """(key, {suffix: bytes}) for each record of one tar shard, in order, streaming."""
    current_key, files = None, {}
    with tarfile.open(path, mode="r|") as archive:
        for member in archive:
            if not member.isfile():
                continue
            key, _, suffix = member.name.partition(".")
            handle = archive.extractfile(member)
            data = handle.read() if handle is not None else b""
            if key != current_key and current_key is not None:
                yield current_key, files
                files = {}
            current_key = key
            files[suffix] = data
    if current_key is not None:
        yield current_key, files
