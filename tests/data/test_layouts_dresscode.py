import json
import shutil

import numpy as np
import pytest

from atelier.data.dresscode import (
    read_dresscode,
    read_dresscode_mr,
    write_dresscode,
    write_dresscode_mr,
)
from atelier.data.label_sets import dresscode_to_internal, internal_to_dresscode
from atelier.data.layout_errors import DatasetLayoutError


def mean_abs_diff(a, b):
    return np.abs(a.astype(np.float64) - b.astype(np.float64)).mean()


@pytest.fixture
def train_tree(tmp_path, synthetic):
    records = [
        synthetic.single("top", "top"),
        synthetic.single("skirt", "skirt"),
        synthetic.single("pants", "pants"),
        synthetic.single("dress", "dress"),
        synthetic.single("coat", "coat"),
    ]
    assert write_dresscode(records, tmp_path, split="train") == 5
    return tmp_path, records


def test_groups_and_pairs_files(train_tree):
    root, _ = train_tree
    assert (root / "upper_body" / "train_pairs.txt").read_text().splitlines() == [
        "000000_0.jpg 000000_1.jpg",
        "000004_0.jpg 000004_1.jpg",
    ]
    assert (root / "lower_body" / "train_pairs.txt").read_text().splitlines() == [
        "000001_0.jpg 000001_1.jpg",
        "000002_0.jpg 000002_1.jpg",
    ]
    assert (root / "dresses" / "train_pairs.txt").read_text() == "000003_0.jpg 000003_1.jpg\n"
    assert not list(root.rglob("*.tmp"))


def test_paired_round_trip_matches_the_source(train_tree):
    root, records = train_tree
    read = {record.key.split("/")[3]: record for record in read_dresscode(root, split="train")}
    expected_category = {
        "top": "top",
        "skirt": "skirt",
        "pants": "pants",
        "dress": "dress",
        "coat": "top",
    }
    for index, source in enumerate(records):
        record = read[f"{index:06d}"]
        photo = source.target
        assert record.kind == "single" and record.extra["paired"]
        assert mean_abs_diff(record.person.image, photo.image) < 3
        expected_labels = dresscode_to_internal(internal_to_dresscode(photo.labels))
        np.testing.assert_array_equal(record.person.labels, expected_labels)
        np.testing.assert_allclose(record.person.keypoints, photo.keypoints, atol=1e-3)
        assert record.person.pose_map.shape == (64, 48, 3) and record.person.pose_map.any()
        (garment,) = record.garments
        assert garment.category == expected_category[source.garments[0].category]
        assert mean_abs_diff(garment.image, source.garments[0].image) < 3
        np.testing.assert_array_equal(record.target.image, record.person.image)


def test_test_split_keeps_paired_and_unpaired_apart(tmp_path, synthetic):
    records = [
        synthetic.single("a", "top", paired=True),
        synthetic.single("b", "pants", paired=False),
        synthetic.single("c", "skirt", paired=False),
    ]
    assert write_dresscode(records, tmp_path, split="test") == 3
    paired = list(read_dresscode(tmp_path, split="test", pairing="paired"))
    unpaired = list(read_dresscode(tmp_path, split="test", pairing="unpaired"))
    assert [r.extra["person_file"] for r in paired] == ["000000_0.jpg"]
    assert [(r.extra["person_file"], r.extra["cloth_file"]) for r in unpaired] == [
        ("000001_0.jpg", "000002_1.jpg"),
        ("000003_0.jpg", "000004_1.jpg"),
    ]
    for source, record in zip(records[1:], unpaired, strict=True):
        assert record.target is None
        assert mean_abs_diff(record.person.image, source.person.image) < 3
        assert mean_abs_diff(record.garments[0].image, source.garments[0].image) < 3
    # An exported unpaired cloth has no photo of its own to tell skirt from pants: documented loss.
    assert [r.garments[0].category for r in unpaired] == ["pants", "pants"]


def test_lower_body_category_comes_from_the_cloths_own_label_map(train_tree):
    root, _ = train_tree
    lower = root / "lower_body"
    # Pair the pants photo with the skirt's cloth: the skirt's label map still says skirt.
    (lower / "train_pairs.txt").write_text("000002_0.jpg 000001_1.jpg\n")
    (record,) = read_dresscode(root, split="train", groups=["lower_body"])
    assert record.target is None and record.garments[0].category == "skirt"


def test_groups_present_are_read_when_none_are_named(train_tree):
    root, _ = train_tree
    shutil.rmtree(root / "dresses")
    assert len(list(read_dresscode(root, split="train"))) == 4
    with pytest.raises(DatasetLayoutError, match="dresses: missing folder"):
        read_dresscode(root, split="train", groups=["dresses"])


def test_records_dresscode_cannot_hold_are_refused(tmp_path, synthetic):
    with pytest.raises(ValueError, match="one garment"):
        write_dresscode([synthetic.single("h", "hat")], tmp_path)
    with pytest.raises(ValueError, match="splits"):
        write_dresscode([], tmp_path, split="val")


def test_missing_pairs_file_is_named(train_tree):
    root, _ = train_tree
    with pytest.raises(DatasetLayoutError, match="test_pairs_paired.txt"):
        read_dresscode(root, split="test")


def test_missing_folder_is_named_before_iterating(train_tree):
    root, _ = train_tree
    shutil.rmtree(root / "upper_body" / "skeletons")
    with pytest.raises(DatasetLayoutError, match="upper_body/skeletons: missing folder"):
        read_dresscode(root, split="train")


def test_missing_image_names_the_file_and_the_pairs_line(train_tree):
    root, _ = train_tree
    (root / "upper_body" / "images" / "000004_1.jpg").unlink()
    with pytest.raises(
        DatasetLayoutError,
        match=r"000004_1\.jpg: missing file \(named on line 2 of .*upper_body/train_pairs\.txt\)",
    ):
        list(read_dresscode(root, split="train"))


def test_malformed_keypoints_json_is_named(train_tree):
    root, _ = train_tree
    (root / "dresses" / "keypoints" / "000003_2.json").write_text("[1, 2")
    with pytest.raises(DatasetLayoutError, match=r"000003_2\.json: malformed JSON"):
        list(read_dresscode(root, split="train"))


def test_text_file_named_jpg_is_named(train_tree):
    root, _ = train_tree
    (root / "lower_body" / "skeletons" / "000001_5.jpg").write_text("hello")
    with pytest.raises(DatasetLayoutError, match=r"000001_5\.jpg: this is text"):
        list(read_dresscode(root, split="train"))


def test_badly_named_pairs_line_is_named(train_tree):
    root, _ = train_tree
    (root / "dresses" / "train_pairs.txt").write_text("000003.jpg 000003_1.jpg\n")
    with pytest.raises(DatasetLayoutError, match=r"dresses/train_pairs\.txt: line 1"):
        list(read_dresscode(root, split="train"))


# --- DressCode-MR ---------------------------------------------------------------------------------


@pytest.fixture
def mr_tree(tmp_path, synthetic):
    records = [
        synthetic.multi("a", ("top", "pants", "shoes")),
        synthetic.multi("b", ("dress", "bag"), paired=False),
        synthetic.multi("c", ("coat", "skirt", "shoes", "bag")),
    ]
    assert write_dresscode_mr(records, tmp_path) == 3
    return tmp_path, records


def test_mr_lines_have_all_six_keys(mr_tree):
    root, _ = mr_tree
    first = json.loads((root / "test.jsonl").read_text().splitlines()[0])
    assert first == {
        "person": "person/000000.jpg",
        "upper": "upper/000000.jpg",
        "lower": "lower/000000.jpg",
        "overall": None,
        "shoe": "shoe/000000.jpg",
        "bag": None,
    }
    assert len((root / "test_unpair.jsonl").read_text().splitlines()) == 1


def test_mr_round_trip_matches_the_source(mr_tree):
    root, records = mr_tree
    paired = list(read_dresscode_mr(root))
    unpaired = list(read_dresscode_mr(root, paired=False))
    expected = {"top": "top", "coat": "top", "pants": "pants", "skirt": "pants", "dress": "dress",
                "shoes": "shoes", "bag": "bag"}  # fmt: skip
    slot_order = ["top", "coat", "pants", "skirt", "dress", "shoes", "bag"]
    for source, record in zip([records[0], records[2], records[1]], paired + unpaired, strict=True):
        assert record.kind == "multi"
        photo = source.target if source.target is not None else source.person
        assert mean_abs_diff(record.person.image, photo.image) < 3
        assert (record.target is None) == (source.target is None)
        ordered = sorted(source.garments, key=lambda garment: slot_order.index(garment.category))
        assert [g.category for g in record.garments] == [expected[g.category] for g in ordered]
        for read_garment, garment in zip(record.garments, ordered, strict=True):
            assert mean_abs_diff(read_garment.image, garment.image) < 3


def test_mr_refuses_what_it_cannot_hold(tmp_path, synthetic):
    with pytest.raises(ValueError, match="no slot for a hat"):
        write_dresscode_mr([synthetic.multi("h", ("top", "hat"))], tmp_path)
    with pytest.raises(ValueError, match="'upper' slot"):
        write_dresscode_mr([synthetic.multi("u", ("top", "coat"))], tmp_path)


def test_mr_bad_files_are_named(mr_tree):
    root, _ = mr_tree
    with pytest.raises(DatasetLayoutError, match="val.jsonl: missing file"):
        read_dresscode_mr(root, split="val")
    (root / "shoe" / "000002.jpg").unlink()
    with pytest.raises(
        DatasetLayoutError,
        match=r"shoe/000002\.jpg: missing file \(named on line 2 of .*test\.jsonl\)",
    ):
        list(read_dresscode_mr(root))
    (root / "test.jsonl").write_text(
        '{"person": "person/000000.jpg", "upper": "../../etc/passwd"}\n'
    )
    with pytest.raises(
        DatasetLayoutError, match="test.jsonl: line 1: '../../etc/passwd' leaves the dataset root"
    ):
        list(read_dresscode_mr(root))
    (root / "test.jsonl").write_text('\n{"person"\n')
    with pytest.raises(DatasetLayoutError, match="test.jsonl: line 2: malformed JSON"):
        list(read_dresscode_mr(root))
