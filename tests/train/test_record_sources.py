import pytest

from atelier.data.layout_errors import DatasetLayoutError
from atelier.train.record_sources import WorldLiveSource, WorldNotBuiltError, WorldShardSource
from atelier.world.shards import BuildPlan, build_world
from atelier.world.tasks import make_record
from atelier.world.vocabulary import TASKS

SIZE = (64, 48)


def _live(**kwargs) -> WorldLiveSource:
    return WorldLiveSource(split="train", seed=0, size_hw=SIZE, kinds=TASKS, **kwargs)


def _take(source, start: int, count: int) -> list:
    iterator = source.records_from(start)
    return [next(iterator) for _ in range(count)]


def test_live_records_rotate_the_tasks_and_are_the_world_builds_records():
    records = [record for _, record in _take(_live(), 0, 8)]
    assert [r.kind for r in records] == [*TASKS, TASKS[0]]
    assert records[1].key == make_record("multi", "train", 0, 1, SIZE).key


def test_processes_share_positions_without_overlap():
    first = [position for position, _ in _take(_live(rank=0, world_size=2), 0, 3)]
    second = [position for position, _ in _take(_live(rank=1, world_size=2), 0, 3)]
    assert first == [0, 2, 4] and second == [1, 3, 5]
    assert [p for p, _ in _take(_live(rank=1, world_size=2), 4, 1)] == [5]


def test_shards_stream_the_same_records_and_restart_from_a_position(tmp_path):
    build_world(BuildPlan("train", 9, 0, SIZE, shard_size=4), tmp_path)
    shards = WorldShardSource(tmp_path, kinds=("single", "tryoff"))
    records = _take(shards, 0, 5)  # two of each per 9-record build, then round again
    assert [r.kind for _, r in records] == ["single", "tryoff", "single", "tryoff", "single"]
    assert [p for p, _ in records] == [0, 1, 2, 3, 4]
    assert records[4][1].key == records[0][1].key  # the second epoch
    assert [r.key for r in shards.records_at([3, 1])] == [records[3][1].key, records[1][1].key]
    (position, record), = _take(shards, 3, 1)
    assert position == 3 and record.key == records[3][1].key


def test_a_missing_world_says_how_to_build_it(tmp_path):
    with pytest.raises(WorldNotBuiltError, match="atelier world build --split train"):
        WorldShardSource(tmp_path / "world", kinds=TASKS)


def test_a_world_without_the_wanted_kinds_is_an_error(tmp_path):
    build_world(BuildPlan("train", 2, 0, SIZE, shard_size=4, kinds=("caption",)), tmp_path)
    with pytest.raises(DatasetLayoutError, match="no records"):
        _take(WorldShardSource(tmp_path, kinds=("single",)), 0, 1)


def test_rendering_ahead_in_workers_gives_the_same_records_in_the_same_order():
    expected = _take(_live(rank=1, world_size=2), 3, 6)
    ahead = _take(_live(rank=1, world_size=2, workers=2), 3, 6)
    assert [p for p, _ in ahead] == [p for p, _ in expected] == [3, 5, 7, 9, 11, 13]
    assert [r.key for _, r in ahead] == [r.key for _, r in expected]
    assert [r.target.image.tobytes() for _, r in ahead] == [r.target.image.tobytes() for _, r in expected]
