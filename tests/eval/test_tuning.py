"""Sweeps tune on validation records laid out like the bench's test records, never on those."""

import argparse

import pytest

from atelier.eval.bench.bench_set import bench_items
from atelier.eval.bench.tuning import pair_argument, tuning_arguments, tuning_records


def test_tuning_records_are_the_bench_layout_from_the_validation_split():
    tuning = tuning_records("single", 2, size_hw=(64, 48))
    test = [item.record() for item in bench_items("single", 2, size_hw=(64, 48))]
    assert [record.kind for record in tuning] == ["single", "single"]
    assert all(record.split == "val" for record in tuning)
    assert all(a.person.image.tobytes() != b.person.image.tobytes() for a, b in zip(tuning, test, strict=True))


def test_pairs_are_read_and_a_bad_one_names_its_form():
    parse = pair_argument("text,reference", "1.5,2")
    assert parse("3,2.5") == (3.0, 2.5)
    with pytest.raises(argparse.ArgumentTypeError, match="'text,reference'"):
        parse("3")
    parser = tuning_arguments("sweep", "weights/tryon", 4, "--scales", [(1.0, 1.0), (3.0, 2.5)], "text,reference")
    args = parser.parse_args(["--scales", "2,2", "1,4"])
    assert args.scales == [(2.0, 2.0), (1.0, 4.0)] and args.n == 4 and args.model == "weights/tryon"
    assert parser.parse_args([]).scales == [(1.0, 1.0), (3.0, 2.5)]


def test_settings_of_several_lengths_are_read_where_allowed():
    parse = pair_argument("text,reference[,garment]", "3,2.5", sizes=(2, 3))
    assert parse("3,2.5") == (3.0, 2.5) and parse("3,2.5,6") == (3.0, 2.5, 6.0)
    for bad in ("3", "1,2,3,4", "a,b"):
        with pytest.raises(argparse.ArgumentTypeError, match=r"'text,reference\[,garment\]'"):
            parse(bad)
