"""World records exported into every real layout read back as the records they came from."""

from __future__ import annotations

import numpy as np
import pytest

from atelier.data.dresscode import read_dresscode, read_dresscode_mr
from atelier.data.fashioniq import read_fashioniq
from atelier.data.label_sets import dresscode_to_internal, internal_to_dresscode, internal_to_vitonhd, vitonhd_to_internal
from atelier.data.vitonhd import read_vitonhd
from atelier.world.export import exportable_records, export_world

SIZE = (128, 96)


def _close(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    assert np.abs(a.astype(np.int16) - b.astype(np.int16)).mean() < 4.0  # JPEG at quality 95 on small pictures with hard edges


def test_vitonhd_round_trip(tmp_path):
    source = list(exportable_records("vitonhd", "test", 3, 0, SIZE))
    assert export_world("vitonhd", tmp_path, split="test", n=3, size_hw=SIZE, show_progress=False) == 3
    back = list(read_vitonhd(tmp_path, "test"))
    assert len(back) == 3
    for src, got in zip(source, back, strict=True):
        _close(got.target.image, src.target.image)
        _close(got.garments[0].image, src.garments[0].image)
        np.testing.assert_array_equal(got.target.labels, vitonhd_to_internal(internal_to_vitonhd(src.target.labels)))
        visible = src.target.keypoints[:, 2] > 0
        np.testing.assert_allclose(got.target.keypoints[visible, :2], src.target.keypoints[visible, :2], atol=1e-2)


def test_dresscode_round_trip(tmp_path):
    source = list(exportable_records("dresscode", "test", 4, 0, SIZE))
    export_world("dresscode", tmp_path, split="test", n=4, size_hw=SIZE, show_progress=False)
    back = list(read_dresscode(tmp_path, "test"))
    assert len(back) == 4
    for got in back:
        src = source[int(got.extra["person_file"].split("_")[0])]  # ids follow record order
        _close(got.target.image, src.target.image)
        _close(got.garments[0].image, src.garments[0].image)
        np.testing.assert_array_equal(got.target.labels, dresscode_to_internal(internal_to_dresscode(src.target.labels)))
        assert got.garments[0].category == src.garments[0].category


def test_dresscode_mr_round_trip(tmp_path):
    source = list(exportable_records("dresscode-mr", "test", 3, 0, SIZE))
    export_world("dresscode-mr", tmp_path, split="test", n=3, size_hw=SIZE, show_progress=False)
    back = list(read_dresscode_mr(tmp_path, "test"))
    assert len(back) == 3
    read_as = {"coat": "top", "skirt": "pants"}
    for src, got in zip(source, back, strict=True):
        assert sorted(g.category for g in got.garments) == sorted(read_as.get(g.category, g.category) for g in src.garments)
        _close(got.target.image, src.target.image)


def test_fashioniq_round_trip(tmp_path):
    source = list(exportable_records("fashioniq", "val", 4, 0, SIZE))
    export_world("fashioniq", tmp_path, split="val", n=4, size_hw=SIZE, show_progress=False)
    back = list(read_fashioniq(tmp_path, "val"))
    assert sorted(r.instruction for r in back) == sorted(s.instruction for s in source)
    by_id = {s.garments[0].garment_id: s for s in source}
    for got in back:
        src = by_id[got.garments[0].garment_id]
        np.testing.assert_array_equal(got.garments[0].image, src.garments[0].image)  # PNG: exact
        assert got.target.garment_id == src.target.garment_id


def test_unknown_format_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown export format"):
        export_world("coco", tmp_path, n=1)
