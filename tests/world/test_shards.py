"""Sharded builds: atomic, resumable, spreadable over jobs, read back by the streaming reader."""

from __future__ import annotations

import json

import pytest

from atelier.cli import main
from atelier.data.layout_errors import DatasetLayoutError
from atelier.data.world_shards import read_world
from atelier.world.shards import BuildPlan, build_world

PLAN = BuildPlan("train", 12, 0, (96, 72), shard_size=5)


def test_build_and_read_back(tmp_path):
    manifest = build_world(PLAN, tmp_path, show_progress=False)
    assert manifest["complete"] and manifest["records"] == 12 and len(manifest["shards"]) == 3
    records = list(read_world(tmp_path))
    assert [r.key for r in records] == [f"train-0-{i:07d}-{r.kind}" for i, r in enumerate(records)]
    assert len({r.kind for r in records}) == 9


def test_jobs_split_the_build_and_give_the_same_bytes(tmp_path):
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    build_world(PLAN, whole, show_progress=False)
    first = build_world(PLAN, parts, job=(0, 2), show_progress=False)
    assert not first["complete"]
    second = build_world(PLAN, parts, job=(1, 2), show_progress=False)
    assert second["complete"]
    for shard in range(PLAN.num_shards):
        name = PLAN.shard_name(shard)
        assert (whole / f"{name}.tar").read_bytes() == (parts / f"{name}.tar").read_bytes()


def test_resume_skips_finished_shards(tmp_path, monkeypatch):
    build_world(PLAN, tmp_path, show_progress=False)
    (tmp_path / f"{PLAN.shard_name(1)}.json").unlink()  # as if killed before shard 1 finished
    built = []
    import atelier.world.shards as shards

    original = shards.build_shard
    monkeypatch.setattr(shards, "build_shard", lambda plan, shard, out, bar=None: built.append(shard) or original(plan, shard, out, bar))
    manifest = build_world(PLAN, tmp_path, show_progress=False)
    assert built == [1] and manifest["complete"]


def test_resume_renders_again_shards_of_an_earlier_world_revision(tmp_path, monkeypatch):
    import atelier.world.shards as shards

    build_world(PLAN, tmp_path, show_progress=False)
    index_path = tmp_path / f"{PLAN.shard_name(2)}.json"
    index = json.loads(index_path.read_text())
    assert index["world_revision"] == shards.WORLD_REVISION
    index_path.write_text(json.dumps({**index, "world_revision": shards.WORLD_REVISION - 1}))
    built = []
    original = shards.build_shard
    monkeypatch.setattr(shards, "build_shard", lambda plan, shard, out, bar=None: built.append(shard) or original(plan, shard, out, bar))
    manifest = build_world(PLAN, tmp_path, show_progress=False)
    assert built == [2] and manifest["world_revision"] == shards.WORLD_REVISION
    assert all(entry["world_revision"] == shards.WORLD_REVISION for entry in manifest["shards"])


def test_killed_write_leaves_no_partial_shard(tmp_path, monkeypatch):
    import atelier.world.shards as shards

    def explode(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(shards.os, "replace", explode)
    with pytest.raises(RuntimeError):
        build_world(PLAN, tmp_path, show_progress=False)
    assert not list(tmp_path.glob("*.tar")) and not list(tmp_path.glob(".*tmp"))


def test_reader_errors_name_the_file(tmp_path):
    with pytest.raises(DatasetLayoutError, match="manifest.json"):
        list(read_world(tmp_path))
    build_world(PLAN, tmp_path, show_progress=False)
    shard = tmp_path / f"{PLAN.shard_name(2)}.tar"
    shard.unlink()
    with pytest.raises(DatasetLayoutError, match=shard.name):
        list(read_world(tmp_path))
    shard.write_bytes(b"not a tar at all" * 100)
    with pytest.raises(DatasetLayoutError, match=shard.name):
        list(read_world(tmp_path))
    (tmp_path / "manifest.json").write_text("{broken")
    with pytest.raises(DatasetLayoutError, match="malformed"):
        list(read_world(tmp_path))


def test_cli_build_preview_and_errors(tmp_path, capsys):
    assert main(["world", "build", "--split", "val", "--n", "4", "--size", "96x72", "--out", str(tmp_path / "b")]) == 0
    assert json.loads((tmp_path / "b" / "manifest.json").read_text())["records"] == 4
    assert main(["world", "preview", "--out", str(tmp_path / "p"), "--per-kind", "1", "--size", "96x72"]) == 0
    assert (tmp_path / "p" / "contact_sheet.png").stat().st_size > 0
    assert "target" in (tmp_path / "p" / "index.html").read_text()
    with pytest.raises(SystemExit):
        main(["world", "build", "--split", "train", "--n", "4", "--out", str(tmp_path), "--shard", "3/2"])
    assert "need 0 <= i < N" in capsys.readouterr().err
