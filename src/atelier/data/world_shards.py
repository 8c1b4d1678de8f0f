"""Streaming reader for world shards: `read_world(root)` yields `Record`s shard by shard."""

from __future__ import annotations

import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

from atelier.data.images import ImageError
from atelier.data.layout_errors import DatasetLayoutError
from atelier.world.records import Record
from atelier.world.serialization import record_from_files
from atelier.world.shards import MANIFEST, iter_shard_members


def read_manifest(root: str | os.PathLike) -> dict:
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise DatasetLayoutError(path, "missing: not a world build (run `atelier world build` first)")
    try:
        manifest = json.loads(path.read_text())
        manifest["shards"]  # noqa: B018 - presence check
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise DatasetLayoutError(path, f"malformed manifest ({error})") from error
    return manifest


def read_world(root: str | os.PathLike, *, kinds: tuple[str, ...] | None = None, limit: int | None = None) -> Iterator[Record]:
    """Yield the records of a world build, in shard order, decoding only the kinds asked for.

    Raises:
        DatasetLayoutError: a missing manifest or shard, or a record that cannot be decoded,
            naming the file.
    """
    root = Path(root)
    manifest = read_manifest(root)
    shard_paths = [root / entry["file"] for entry in manifest["shards"]]
    for path in shard_paths:
        if not path.is_file():
            raise DatasetLayoutError(path, "missing: listed in the manifest but not on disk", listed_in=root / MANIFEST)
    produced = 0
    for path in shard_paths:
        try:
            for key, files in iter_shard_members(path):
                if kinds is not None and key.rsplit("-", 1)[-1] not in kinds:
                    continue
                try:
                    record = record_from_files(files)
                except (KeyError, ValueError, ImageError) as error:
                    raise DatasetLayoutError(path, f"record {key!r} is malformed ({error})") from error
                yield record
                produced += 1
                if limit is not None and produced >= limit:
                    return
        except tarfile.TarError as error:
            raise DatasetLayoutError(path, f"not a readable tar shard ({error})") from error
