import json

import numpy as np
import pytest

from atelier.data.fashioniq import (
    read_fashioniq,
    read_fashioniq_gallery,
    read_image_split,
    write_fashioniq,
)
from atelier.data.layout_errors import DatasetLayoutError


@pytest.fixture
def tree(tmp_path, synthetic):
    records = [
        synthetic.composed("q0", "dress"),
        synthetic.composed("q1", "top", fashioniq_category="shirt"),
        synthetic.composed(
            "q2", "top"
        ),  # no Fashion-IQ category: a top without a collar is a toptee
        synthetic.composed("q3", "dress"),
    ]
    assert write_fashioniq(records, tmp_path, split="val") == 4
    return tmp_path, records


def test_captions_and_galleries_as_fashioniq_writes_them(tree):
    root, _ = tree
    captions = json.loads((root / "captions" / "cap.dress.val.json").read_text())
    assert captions[0] == {
        "target": "q0tgt",
        "candidate": "q0ref",
        "captions": ["is darker q0", "has longer sleeves q0"],
    }
    assert read_image_split(root, "dress", "val") == ["q0ref", "q0tgt", "q3ref", "q3tgt"]
    assert (
        json.loads((root / "captions" / "cap.toptee.val.json").read_text())[0]["candidate"]
        == "q2ref"
    )
    assert (root / "images" / "q1tgt.png").is_file()


def test_round_trip_matches_the_source(tree):
    root, records = tree
    read = list(read_fashioniq(root, split="val"))
    by_candidate = {record.garments[0].garment_id: record for record in read}
    assert [record.extra["fashioniq_category"] for record in read] == [
        "dress",
        "dress",
        "shirt",
        "toptee",
    ]
    for source in records:
        record = by_candidate[source.garments[0].garment_id]
        assert record.kind == "composed" and record.split == "val"
        assert record.extra["captions"] == source.extra["captions"]
        assert record.instruction == source.instruction
        assert record.garments[0].category == source.garments[0].category
        np.testing.assert_array_equal(
            record.garments[0].image, source.garments[0].image
        )  # PNG: exact
        assert record.target.garment_id == source.target.garment_id
        np.testing.assert_array_equal(record.target.image, source.target.image)


def test_test_split_has_no_targets(tmp_path, synthetic):
    write_fashioniq([synthetic.composed("t0", "dress", target=False)], tmp_path, split="test")
    (entry,) = json.loads((tmp_path / "captions" / "cap.dress.test.json").read_text())
    assert "target" not in entry
    (record,) = read_fashioniq(tmp_path, split="test", categories=["dress"])
    assert record.target is None and record.instruction == "is darker t0 and has longer sleeves t0"


def test_gallery_reads_as_garments(tree):
    root, _ = tree
    gallery = list(read_fashioniq_gallery(root, "shirt", "val"))
    assert [g.garment_id for g in gallery] == ["q1ref", "q1tgt"] and gallery[0].category == "top"


def test_records_fashioniq_cannot_hold_are_refused(tmp_path, synthetic):
    with pytest.raises(ValueError, match="no 'pants' category"):
        write_fashioniq([synthetic.composed("p", "pants")], tmp_path)
    with pytest.raises(ValueError, match="plain image id"):
        write_fashioniq([synthetic.composed("../x", "dress")], tmp_path)


def test_missing_captions_file_is_named(tree):
    root, _ = tree
    with pytest.raises(DatasetLayoutError, match=r"cap\.dress\.train\.json: missing file"):
        read_fashioniq(root, split="train")


def test_missing_image_is_named_with_its_entry(tree):
    root, _ = tree
    (root / "images" / "q3tgt.png").unlink()
    with pytest.raises(
        DatasetLayoutError,
        match=r"q3tgt\.png: missing file \(named on line 2 of .*cap\.dress\.val\.json\)",
    ):
        list(read_fashioniq(root, split="val"))


def test_malformed_json_is_named(tree):
    root, _ = tree
    (root / "image_splits" / "split.toptee.val.json").write_text('["q2ref",')
    with pytest.raises(DatasetLayoutError, match=r"split\.toptee\.val\.json: malformed JSON"):
        read_fashioniq(root, split="val")
    (root / "captions" / "cap.shirt.val.json").write_text('[{"candidate": "q1ref"}]')
    with pytest.raises(DatasetLayoutError, match=r"cap\.shirt\.val\.json: entry 1: \"captions\""):
        read_fashioniq(root, split="val", categories=["shirt"])


def test_text_file_named_png_is_named(tree):
    root, _ = tree
    (root / "images" / "q0ref.png").write_text("just words")
    with pytest.raises(DatasetLayoutError, match=r"q0ref\.png: this is text"):
        next(read_fashioniq(root, split="val"))
