import shutil

import numpy as np
import pytest
from PIL import Image

from atelier.data.label_sets import internal_to_vitonhd, vitonhd_to_internal
from atelier.data.layout_errors import DatasetLayoutError
from atelier.data.openpose import render_pose_map
from atelier.data.vitonhd import read_vitonhd, upper_body_inpaint_mask, write_vitonhd


def mean_abs_diff(a, b):
    return np.abs(a.astype(np.float64) - b.astype(np.float64)).mean()


@pytest.fixture
def written(tmp_path, synthetic):
    records = [
        synthetic.single("a", paired=True),
        synthetic.single("b", paired=False),
        synthetic.single("c", paired=True),
    ]
    assert write_vitonhd(records, tmp_path, split="train") == 3
    return tmp_path, records


def test_pairs_file_holds_paired_and_unpaired_lines(written):
    root, _ = written
    assert (root / "train_pairs.txt").read_text().splitlines() == [
        "00000_00.jpg 00000_00.jpg",
        "00001_00.jpg 00001_01.jpg",
        "00002_00.jpg 00002_00.jpg",
    ]


def test_round_trip_matches_the_source(written):
    root, records = written
    read = list(read_vitonhd(root, split="train"))
    assert len(read) == len(records)
    for source, record in zip(records, read, strict=True):
        paired = source.target is not None
        photo = source.target if paired else source.person
        assert record.kind == "single" and record.split == "train"
        assert record.extra["paired"] is paired
        assert mean_abs_diff(record.person.image, photo.image) < 3
        expected_labels = vitonhd_to_internal(internal_to_vitonhd(photo.labels))
        np.testing.assert_array_equal(record.person.labels, expected_labels)
        np.testing.assert_allclose(record.person.keypoints, photo.keypoints, atol=1e-3)
        np.testing.assert_array_equal(
            record.person.pose_map, render_pose_map(photo.keypoints, (64, 48))
        )
        np.testing.assert_array_equal(
            record.extra["inpaint_mask"], upper_body_inpaint_mask(photo.labels)
        )
        (garment,) = record.garments
        assert garment.category == "top"
        assert mean_abs_diff(garment.image, source.garments[0].image) < 3
        np.testing.assert_array_equal(garment.mask, source.garments[0].mask)
        if paired:
            assert record.target is not record.person
            np.testing.assert_array_equal(record.target.image, record.person.image)
        else:
            assert record.target is None


def test_written_files_have_the_real_formats(written):
    root, _ = written
    parse = Image.open(root / "train" / "image-parse-v3" / "00000_00.png")
    assert parse.mode == "P" and parse.getpalette() is not None
    mask = Image.open(root / "train" / "cloth-mask" / "00000_00.jpg")
    assert mask.format == "JPEG" and mask.mode == "L"
    assert set(
        np.unique(np.asarray(Image.open(root / "train" / "agnostic-mask" / "00000_00_mask.png")))
    ) <= {0, 255}
    assert not list(root.rglob("*.tmp"))


def test_optional_folders_may_be_absent(written):
    root, records = written
    shutil.rmtree(root / "train" / "openpose_img")
    shutil.rmtree(root / "train" / "agnostic-mask")
    record = next(read_vitonhd(root, split="train"))
    assert record.person.pose_map is None and "inpaint_mask" not in record.extra


def test_records_vitonhd_cannot_hold_are_refused(tmp_path, synthetic):
    with pytest.raises(ValueError, match="one top"):
        write_vitonhd([synthetic.single("d", category="dress")], tmp_path)
    record = synthetic.single("e")
    record.target.keypoints = None
    with pytest.raises(ValueError, match="keypoints"):
        write_vitonhd([record], tmp_path)


def test_missing_pairs_file_is_named(written):
    root, _ = written
    with pytest.raises(DatasetLayoutError, match="test_pairs.txt"):
        read_vitonhd(root, split="test")


def test_missing_folder_is_named_before_iterating(written):
    root, _ = written
    shutil.rmtree(root / "train" / "cloth-mask")
    with pytest.raises(DatasetLayoutError, match="cloth-mask"):
        read_vitonhd(root, split="train")


def test_missing_image_names_the_file_and_the_pairs_line(written):
    root, _ = written
    (root / "train" / "image" / "00001_00.jpg").unlink()
    records = read_vitonhd(root, split="train")
    next(records)
    with pytest.raises(
        DatasetLayoutError,
        match=r"00001_00\.jpg: missing file \(named on line 2 of .*train_pairs\.txt\)",
    ):
        next(records)


def test_malformed_json_is_named(written):
    root, _ = written
    (root / "train" / "openpose_json" / "00000_00_keypoints.json").write_text('{"people": [')
    with pytest.raises(DatasetLayoutError, match="00000_00_keypoints.json: malformed JSON"):
        list(read_vitonhd(root, split="train"))


def test_text_file_named_jpg_is_named(written):
    root, _ = written
    (root / "train" / "cloth" / "00002_00.jpg").write_text("not really a picture")
    with pytest.raises(DatasetLayoutError, match=r"cloth/00002_00\.jpg: this is text.*line 3"):
        list(read_vitonhd(root, split="train"))


def test_malformed_pairs_line_and_unknown_parse_ids_are_named(written):
    root, _ = written
    pairs = root / "train_pairs.txt"
    pairs.write_text(pairs.read_text() + "lonely.jpg\n")
    with pytest.raises(DatasetLayoutError, match="train_pairs.txt: line 4"):
        read_vitonhd(root, split="train")
    pairs.write_text("00000_00.jpg 00000_00.jpg\n")
    Image.fromarray(np.full((64, 48), 25, dtype=np.uint8)).save(
        root / "train" / "image-parse-v3" / "00000_00.png"
    )
    with pytest.raises(DatasetLayoutError, match=r"00000_00\.png: label ids \[25\]"):
        list(read_vitonhd(root, split="train"))


def test_inpaint_mask_covers_upper_body_and_arms_only():
    labels = np.zeros((64, 48), dtype=np.uint8)
    labels[10:20, 10:20] = 9  # top
    labels[40:50, 10:20] = 10  # pants
    mask = upper_body_inpaint_mask(labels)
    assert mask[10:20, 10:20].all() and mask[9, 15] and mask[20, 15]  # dilated by a pixel
    assert not mask[40:50].any()
