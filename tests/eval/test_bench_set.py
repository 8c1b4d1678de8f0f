"""The bench set: test split only, task-consistent world indices, balanced reference counts."""

from collections import Counter

import pytest

from atelier.eval.bench.bench_set import BENCH_TASKS, bench_items, parse_tasks, world_index
from atelier.world.tasks import kind_for_index


def test_every_task_draws_its_own_kind_from_the_test_split():
    for task in BENCH_TASKS:
        for item in bench_items(task, 3):
            assert kind_for_index(item.world_index) == task
        record = bench_items(task, 1)[0].record()
        assert record.kind == task and record.split == "test"


def test_multi_reference_counts_are_balanced_from_two_to_six():
    counts = Counter(len(item.record().garments) for item in bench_items("multi", 10))
    assert counts == {2: 2, 3: 2, 4: 2, 5: 2, 6: 2}


def test_seed_draws_another_set():
    first = bench_items("single", 1, seed=0)[0].record()
    other = bench_items("single", 1, seed=1)[0].record()
    assert first.key != other.key
    assert not (first.target.image == other.target.image).all()


def test_parse_tasks():
    assert parse_tasks("all") == BENCH_TASKS
    assert parse_tasks("edit,single") == ("single", "edit")
    with pytest.raises(ValueError, match="unknown task"):
        parse_tasks("dance")
    with pytest.raises(ValueError):
        world_index("caption", 0)
