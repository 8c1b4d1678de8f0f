import json

import numpy as np
import pytest

from atelier.data import openpose
from atelier.data.layout_errors import DatasetLayoutError


def test_openpose_json_round_trip_writes_body_25_with_mid_hip(tmp_path, synthetic):
    keypoints = synthetic.keypoints()
    path = tmp_path / "a_keypoints.json"
    openpose.write_openpose_json(keypoints, path)
    document = json.loads(path.read_text())
    flat = np.array(document["people"][0]["pose_keypoints_2d"]).reshape(25, 3)
    np.testing.assert_allclose(flat[8, :2], keypoints[[8, 11], :2].mean(axis=0), atol=1e-4)
    assert (flat[19:] == 0).all()  # foot points OpenPose-18 does not have
    np.testing.assert_allclose(openpose.read_openpose_json(path), keypoints, atol=1e-3)


def test_openpose_json_reads_coco_18_and_nobody(synthetic):
    keypoints = synthetic.keypoints()
    document = {"people": [{"pose_keypoints_2d": keypoints.reshape(-1).tolist()}]}
    np.testing.assert_allclose(
        openpose.keypoints_from_openpose_document(document), keypoints, atol=1e-6
    )
    nobody = openpose.keypoints_from_openpose_document({"people": []})
    assert nobody.shape == (18, 3) and not nobody.any()


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        '{"people": [{"pose_keypoints_2d": [1, 2, 3]}]}',
        '{"people": [{"face_keypoints_2d": []}]}',
        '{"persons": []}',
    ],
)
def test_malformed_openpose_json_names_the_file(tmp_path, text):
    path = tmp_path / "bad_keypoints.json"
    path.write_text(text)
    with pytest.raises(DatasetLayoutError, match="bad_keypoints.json"):
        openpose.read_openpose_json(path)


def test_dresscode_keypoints_are_in_a_384_by_512_frame(tmp_path, synthetic):
    keypoints = synthetic.keypoints()
    path = tmp_path / "000000_2.json"
    openpose.write_dresscode_keypoints(keypoints, path, size_hw=(64, 48))
    rows = np.array(json.loads(path.read_text())["keypoints"])
    assert rows.shape == (18, 4)
    np.testing.assert_allclose(rows[:, 0], keypoints[:, 0] * 384 / 48, rtol=1e-5)
    np.testing.assert_allclose(rows[:, 1], keypoints[:, 1] * 512 / 64, rtol=1e-5)
    assert rows[14, 3] == -1 and rows[0, 3] == 0  # detection id, -1 where the joint is missing
    np.testing.assert_allclose(
        openpose.read_dresscode_keypoints(path, (64, 48)), keypoints, atol=1e-3
    )


def test_dresscode_keypoints_of_a_real_sized_photo_double():
    document = {"keypoints": [[100.0, 200.0, 0.9, float(i)] for i in range(18)]}
    keypoints = openpose.keypoints_from_dresscode_document(document, (1024, 768))
    np.testing.assert_allclose(keypoints[0], [200.0, 400.0, 0.9], rtol=1e-6)


def test_short_dresscode_keypoints_name_the_file(tmp_path):
    path = tmp_path / "x_2.json"
    path.write_text('{"keypoints": [[1, 2, 3, 4]]}')
    with pytest.raises(DatasetLayoutError, match="x_2.json"):
        openpose.read_dresscode_keypoints(path, (64, 48))


def test_render_pose_map_draws_limbs_in_openpose_colours():
    keypoints = np.zeros((18, 3), dtype=np.float32)
    keypoints[1] = (10.0, 10.0, 1.0)  # neck
    keypoints[2] = (40.0, 10.0, 1.0)  # right shoulder: limb 0 (neck-right shoulder) is red
    pose_map = openpose.render_pose_map(keypoints, (64, 48))
    assert pose_map.shape == (64, 48, 3) and pose_map.dtype == np.uint8
    np.testing.assert_array_equal(pose_map[10, 25], openpose.OPENPOSE_COLOURS[0])
    assert not pose_map[40:].any()


def test_render_pose_map_skips_joints_not_found():
    keypoints = np.zeros((18, 3), dtype=np.float32)
    keypoints[:, :2] = 20.0  # positions without confidence
    assert not openpose.render_pose_map(keypoints, (64, 48)).any()
