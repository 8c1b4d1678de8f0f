"""OpenPose keypoint files as the try-on datasets store them, and the rendered skeleton.

Atelier's keypoints are (18, 3) float32 in OpenPose-18 (COCO) order, (x, y, confidence) in pixels
of the photo, confidence 0 for a joint that was not found.

VITON-HD `openpose_json/<name>_keypoints.json` is OpenPose's own output:
`{"people": [{"pose_keypoints_2d": [x, y, c, ...]}]}`. VITON-HD's released files hold the BODY_25
model's 25 joints (its loader reads the hips at BODY_25 indices 9 and 12); other copies hold the
COCO-18 joints. Both are read; BODY_25 is written, so exported trees suit VITON-HD's own code.

DressCode `keypoints/<id>_2.json` is `{"keypoints": 18 x [x, y, c, id]}` in COCO-18 order, from
pytorch-openpose (c the joint score, id the detection index, -1 where the joint is missing). Its
coordinates are in a 384 x 512 (W x H) frame, half the 768 x 1024 photos: every public DressCode
loader scales them by width / 384 and height / 512. They are converted to and from photo pixels
here, so a record's keypoints always match its image.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from atelier.data.layout_files import Listing, layout_error, read_json, write_json_atomic

OPENPOSE_18_JOINTS: tuple[str, ...] = (
    "nose",
    "neck",
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "right_hip",
    "right_knee",
    "right_ankle",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_eye",
    "left_eye",
    "right_ear",
    "left_ear",
)
NUM_JOINTS = len(OPENPOSE_18_JOINTS)

# OpenPose-18's limbs (joint index pairs) and the colour OpenPose draws each limb and joint in.
OPENPOSE_LIMBS: tuple[tuple[int, int], ...] = (
    (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10),
    (1, 11), (11, 12), (12, 13), (1, 0), (0, 14), (14, 16), (0, 15), (15, 17),
)  # fmt: skip
OPENPOSE_COLOURS = np.array(
    [
        (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0),
        (0, 255, 0), (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255),
        (0, 0, 255), (85, 0, 255), (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
    ],
    dtype=np.uint8,
)  # fmt: skip
"""(18, 3) uint8: colour of limb i and of joint i."""

# BODY_25 index of each OpenPose-18 joint; BODY_25 adds a mid-hip (8) and six foot points.
BODY_25_INDEX_OF_JOINT = (0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18)
BODY_25_MID_HIP = 8
NUM_BODY_25_JOINTS = 25

DRESSCODE_KEYPOINT_FRAME_HW = (512, 384)
"""(H, W) of the frame DressCode's keypoint coordinates are given in."""

_RIGHT_HIP, _LEFT_HIP = OPENPOSE_18_JOINTS.index("right_hip"), OPENPOSE_18_JOINTS.index("left_hip")


def check_keypoints(keypoints: np.ndarray) -> np.ndarray:
    """Return keypoints as a finite (18, 3) float32 array, or raise ValueError."""
    array = np.asarray(keypoints, dtype=np.float32)
    if array.shape != (NUM_JOINTS, 3):
        raise ValueError(f"expected (18, 3) OpenPose-18 keypoints, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("keypoints must be finite")
    return array


# --- VITON-HD: OpenPose's own JSON -------------------------------------------------------------


def keypoints_from_openpose_document(document: Any) -> np.ndarray:
    """Take the first person's keypoints from an OpenPose JSON document.

    Args:
        document: parsed JSON, `{"people": [{"pose_keypoints_2d": [...]}, ...]}` with 54
            (COCO-18) or 75 (BODY_25) numbers.

    Returns:
        (18, 3) float32; all zeros when OpenPose found nobody (`people` empty).

    Raises:
        ValueError: the document does not have that shape.
    """
    if not isinstance(document, dict) or not isinstance(document.get("people"), list):
        raise ValueError('expected an object with a "people" list')
    if not document["people"]:
        return np.zeros((NUM_JOINTS, 3), dtype=np.float32)
    person = document["people"][0]
    flat = person.get("pose_keypoints_2d") if isinstance(person, dict) else None
    if not isinstance(flat, list):
        raise ValueError('people[0] has no "pose_keypoints_2d" list')
    values = _numbers(flat, "pose_keypoints_2d")
    if values.size == NUM_JOINTS * 3:
        return check_keypoints(values.reshape(NUM_JOINTS, 3))
    if values.size == NUM_BODY_25_JOINTS * 3:
        return check_keypoints(values.reshape(NUM_BODY_25_JOINTS, 3)[list(BODY_25_INDEX_OF_JOINT)])
    raise ValueError(
        f"pose_keypoints_2d has {values.size} numbers; expected 54 (COCO-18) or 75 (BODY_25)"
    )


def openpose_document(keypoints: np.ndarray) -> dict[str, Any]:
    """Build OpenPose's JSON document (BODY_25 layout) for one person.

    The mid-hip is the mean of the hips where both were found; BODY_25's foot points, which
    OpenPose-18 lacks, are written as not found (0, 0, 0).

    Args:
        keypoints: (18, 3) OpenPose-18 (x, y, confidence).
    """
    keypoints = check_keypoints(keypoints)
    body_25 = np.zeros((NUM_BODY_25_JOINTS, 3), dtype=np.float32)
    body_25[list(BODY_25_INDEX_OF_JOINT)] = keypoints
    hips = keypoints[[_RIGHT_HIP, _LEFT_HIP]]
    if (hips[:, 2] > 0).all():
        body_25[BODY_25_MID_HIP] = (*hips[:, :2].mean(axis=0), hips[:, 2].min())
    person = {
        "person_id": [-1],
        "pose_keypoints_2d": [float(v) for v in body_25.reshape(-1)],
        "face_keypoints_2d": [],
        "hand_left_keypoints_2d": [],
        "hand_right_keypoints_2d": [],
        "pose_keypoints_3d": [],
        "face_keypoints_3d": [],
        "hand_left_keypoints_3d": [],
        "hand_right_keypoints_3d": [],
    }
    return {"version": 1.3, "people": [person]}


def read_openpose_json(path: Path, listing: Listing | None = None) -> np.ndarray:
    """Read a VITON-HD `*_keypoints.json` into (18, 3) float32; problems -> DatasetLayoutError."""
    document = read_json(path, listing)
    try:
        return keypoints_from_openpose_document(document)
    except ValueError as error:
        raise layout_error(path, str(error), listing) from None


def write_openpose_json(keypoints: np.ndarray, path: Path) -> None:
    """Write (18, 3) keypoints as an OpenPose BODY_25 JSON file, atomically."""
    write_json_atomic(path, openpose_document(keypoints))


# --- DressCode: {"keypoints": 18 x [x, y, c, id]} in a 384 x 512 frame ------------------------


def keypoints_from_dresscode_document(document: Any, size_hw: tuple[int, int]) -> np.ndarray:
    """Read DressCode keypoints and scale them from DressCode's frame to the photo's pixels.

    Args:
        document: parsed JSON, `{"keypoints": [[x, y, c, id], ...] * 18}`.
        size_hw: (H, W) of the photo the keypoints belong to.

    Returns:
        (18, 3) float32 (x, y, confidence) in photo pixels.

    Raises:
        ValueError: the document does not have that shape.
    """
    if not isinstance(document, dict) or not isinstance(document.get("keypoints"), list):
        raise ValueError('expected an object with a "keypoints" list')
    values = _numbers(document["keypoints"], "keypoints")
    if values.size != NUM_JOINTS * 4:
        raise ValueError(f"keypoints has {values.size} numbers; expected 18 x [x, y, c, id]")
    keypoints = values.reshape(NUM_JOINTS, 4)[:, :3].copy()
    keypoints[:, :2] *= _frame_to_photo_scale(size_hw)
    return check_keypoints(keypoints)


def dresscode_document(keypoints: np.ndarray, size_hw: tuple[int, int]) -> dict[str, Any]:
    """Build DressCode's keypoint document, scaling photo pixels to DressCode's frame.

    Args:
        keypoints: (18, 3) (x, y, confidence) in pixels of a photo of size `size_hw` (H, W).
    """
    keypoints = check_keypoints(keypoints).astype(np.float64)
    frame = keypoints[:, :2] / _frame_to_photo_scale(size_hw)
    rows = []
    for joint, ((x, y), confidence) in enumerate(zip(frame, keypoints[:, 2], strict=True)):
        detection = float(joint) if confidence > 0 else -1.0
        rows.append([float(x), float(y), float(confidence), detection])
    return {"keypoints": rows}


def read_dresscode_keypoints(
    path: Path, size_hw: tuple[int, int], listing: Listing | None = None
) -> np.ndarray:
    """Read a DressCode `*_2.json` for a photo of (H, W) `size_hw`; errors name the file."""
    document = read_json(path, listing)
    try:
        return keypoints_from_dresscode_document(document, size_hw)
    except ValueError as error:
        raise layout_error(path, str(error), listing) from None


def write_dresscode_keypoints(keypoints: np.ndarray, path: Path, size_hw: tuple[int, int]) -> None:
    """Write (18, 3) photo-pixel keypoints as a DressCode `*_2.json`, atomically."""
    write_json_atomic(path, dresscode_document(keypoints, size_hw))


def _frame_to_photo_scale(size_hw: tuple[int, int]) -> np.ndarray:
    """(2,) factors (x, y) that take DressCode-frame coordinates to photo pixels."""
    frame_height, frame_width = DRESSCODE_KEYPOINT_FRAME_HW
    height, width = size_hw
    return np.array([width / frame_width, height / frame_height])


# --- the rendered skeleton ---------------------------------------------------------------------


def render_pose_map(keypoints: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """Draw an OpenPose-style skeleton: coloured limbs and joints on black.

    This is the picture VITON-HD ships as `openpose_img/*_rendered.png` and DressCode as
    `skeletons/*_5.jpg`. Joints with confidence 0 and the limbs touching them are not drawn.

    Args:
        keypoints: (18, 3) OpenPose-18 (x, y, confidence) in pixels.
        size_hw: (H, W) of the picture.

    Returns:
        (H, W, 3) uint8.
    """
    keypoints = check_keypoints(keypoints)
    height, width = size_hw
    # OpenPose draws 4-pixel limbs on its ~400-pixel working size; scale with the picture.
    thickness = max(1, round(min(height, width) / 96))
    canvas = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(canvas)
    found = keypoints[:, 2] > 0
    for limb, (start, end) in enumerate(OPENPOSE_LIMBS):
        if found[start] and found[end]:
            points = [
                tuple(map(float, keypoints[start, :2])),
                tuple(map(float, keypoints[end, :2])),
            ]
            draw.line(points, fill=tuple(int(c) for c in OPENPOSE_COLOURS[limb]), width=thickness)
    radius = thickness
    for joint in np.flatnonzero(found):
        x, y = (float(v) for v in keypoints[joint, :2])
        colour = tuple(int(c) for c in OPENPOSE_COLOURS[joint])
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    return np.asarray(canvas, dtype=np.uint8).copy()


def _numbers(values: list, field: str) -> np.ndarray:
    """Flatten a (nested) list of numbers to float64, or raise ValueError naming the field."""
    try:
        array = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"{field} must hold only numbers") from None
    if not np.isfinite(array).all():
        raise ValueError(f"{field} must hold finite numbers")
    return array
