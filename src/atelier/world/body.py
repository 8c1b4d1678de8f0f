"""The body model: identity, body shape, an articulated skeleton, named poses and views.

Our stand-in for SMPL-X. A person is an `Identity` (face, hair, skin, build) posed by a `Pose`
(joint angles) and seen from a view (yaw about the vertical axis). `pose_skeleton` turns them
into 3D joints; `project` gives image-space joints with depth, from which the renderer draws
the body and `openpose_keypoints` reads the 18 OpenPose joints.

Body space: x to the image's right in the front view (the person's left), y down, z toward the
camera; units are fractions of the figure's height (head top to sole is about 1).
"""

from __future__ import annotations

import math
import random
from dataclasses import asdict, dataclass, field

import numpy as np

from atelier.world.vocabulary import HAIR_COLOURS, HAIR_STYLES, SKIN_TONES, VIEW_YAW_DEGREES, VIEWS

BUILDS = ("slim", "average", "broad")
EYE_COLOURS: dict[str, tuple[int, int, int]] = {
    "brown": (70, 44, 24),
    "dark": (30, 22, 18),
    "blue": (60, 110, 170),
    "green": (60, 120, 70),
    "grey": (110, 120, 124),
}

# OpenPose-18 joint order.
OPENPOSE_JOINTS = (
    "nose", "neck", "r_shoulder", "r_elbow", "r_wrist", "l_shoulder", "l_elbow", "l_wrist",
    "r_hip", "r_knee", "r_ankle", "l_hip", "l_knee", "l_ankle", "r_eye", "l_eye", "r_ear", "l_ear",
)  # fmt: skip


@dataclass(frozen=True)
class Identity:
    """Who a person is: everything that stays the same across outfits, poses and views."""

    identity_id: str
    skin_tone: int  # index into SKIN_TONES, 0 lightest
    hair_style: str
    hair_colour: str
    eye_colour: str
    build: str  # one of BUILDS
    height: float  # figure height as a fraction of the image height, ~0.84-0.94
    face_width: float  # head half-width in body units
    face_length: float  # head half-height in body units
    eye_spacing: float  # distance between eyes relative to face width
    eye_size: float
    brow_thickness: float
    brow_tilt: float  # degrees, positive = raised outer ends
    mouth_width: float  # relative to face width
    lip_colour: tuple[int, int, int]
    nose_length: float
    shoulder_width: float  # half-width in body units
    hip_width: float
    limb_thickness: float

    @property
    def skin_rgb(self) -> tuple[int, int, int]:
        return SKIN_TONES[self.skin_tone]

    @property
    def hair_rgb(self) -> tuple[int, int, int]:
        return HAIR_COLOURS[self.hair_colour]

    def describe(self) -> dict[str, object]:
        """The words a caption can say about the person (see `atelier.world.text.describe_person`)."""
        return {
            "hair_style": self.hair_style,
            "hair_colour": self.hair_colour,
            "skin_tone": self.skin_tone,
            "build": self.build,
        }

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def sample_identity(rng: random.Random, identity_id: str) -> Identity:
    """Draw an identity whose faces and hair a viewer can tell apart."""
    build = rng.choice(BUILDS)
    build_scale = {"slim": 0.9, "average": 1.0, "broad": 1.12}[build]
    lips = rng.choice([(170, 80, 80), (150, 70, 70), (190, 100, 110), (120, 60, 50)])
    return Identity(
        identity_id=identity_id,
        skin_tone=rng.randrange(len(SKIN_TONES)),
        hair_style=rng.choice(HAIR_STYLES),
        hair_colour=rng.choice(list(HAIR_COLOURS)),
        eye_colour=rng.choice(list(EYE_COLOURS)),
        build=build,
        height=rng.uniform(0.84, 0.92),
        face_width=rng.uniform(0.048, 0.06),
        face_length=rng.uniform(0.062, 0.074),
        eye_spacing=rng.uniform(0.34, 0.48),
        eye_size=rng.uniform(0.8, 1.3),
        brow_thickness=rng.uniform(0.6, 1.6),
        brow_tilt=rng.uniform(-14, 14),
        mouth_width=rng.uniform(0.3, 0.55),
        lip_colour=lips,
        nose_length=rng.uniform(0.6, 1.3),
        shoulder_width=0.092 * build_scale * rng.uniform(0.95, 1.05),
        hip_width=0.066 * build_scale * rng.uniform(0.92, 1.08),
        limb_thickness=0.028 * build_scale * rng.uniform(0.92, 1.08),
    )


@dataclass(frozen=True)
class Pose:
    """Joint angles in degrees (right/left from the person's point of view).

    Arms: `abduction` lifts the arm sideways from hanging down, `flexion` swings it forward,
    `elbow` bends the forearm (positive toward the front), `forearm_inward` swings the bent
    forearm across the body. Legs: `abduction` sideways, `flexion` forward, `knee` bend backward.
    """

    name: str
    arm_abduction: tuple[float, float] = (8.0, 8.0)  # (right, left)
    arm_flexion: tuple[float, float] = (0.0, 0.0)
    elbow: tuple[float, float] = (5.0, 5.0)
    forearm_inward: tuple[float, float] = (0.0, 0.0)
    leg_abduction: tuple[float, float] = (3.0, 3.0)
    leg_flexion: tuple[float, float] = (0.0, 0.0)
    knee: tuple[float, float] = (0.0, 0.0)
    head_tilt: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


NAMED_POSES: dict[str, Pose] = {
    "standing": Pose("standing"),
    "hands on hips": Pose("hands on hips", arm_abduction=(40, 40), elbow=(65, 65), forearm_inward=(90, 90)),
    "arms crossed": Pose(
        "arms crossed", arm_abduction=(6, 6), arm_flexion=(18, 18), elbow=(100, 96), forearm_inward=(85, 80)
    ),
    "walking": Pose(
        "walking", arm_flexion=(22, -22), elbow=(18, 12), leg_flexion=(-16, 20), knee=(6, 18)
    ),
    "waving": Pose("waving", arm_abduction=(8, 110), elbow=(5, 40), forearm_inward=(0, 90)),
    "arms out": Pose("arms out", arm_abduction=(62, 62), elbow=(8, 8)),
    "hand on chest": Pose(
        "hand on chest", arm_abduction=(8, 10), arm_flexion=(0, 20), elbow=(5, 120), forearm_inward=(0, 80)
    ),
}


def sample_pose(rng: random.Random, name: str | None = None) -> Pose:
    """A named pose with small random variation (every angle jittered by a few degrees)."""
    base = NAMED_POSES[name or rng.choice(list(NAMED_POSES))]

    def jitter(pair: tuple[float, float], amount: float) -> tuple[float, float]:
        return (pair[0] + rng.uniform(-amount, amount), pair[1] + rng.uniform(-amount, amount))

    return Pose(
        name=base.name,
        arm_abduction=jitter(base.arm_abduction, 5),
        arm_flexion=jitter(base.arm_flexion, 5),
        elbow=jitter(base.elbow, 6),
        forearm_inward=jitter(base.forearm_inward, 4),
        leg_abduction=jitter(base.leg_abduction, 2),
        leg_flexion=jitter(base.leg_flexion, 3),
        knee=jitter(base.knee, 3),
        head_tilt=rng.uniform(-6, 6),
    )


def sample_view(rng: random.Random) -> str:
    """Front views are most common in shop photos; the others still appear often."""
    return rng.choices(VIEWS, weights=(0.5, 0.25, 0.13, 0.12))[0]


# ---------------------------------------------------------------------------------------------
# Skeleton


@dataclass
class Skeleton:
    """Posed joints in body space, (x, y, z) each, plus the segment widths the renderer needs."""

    joints: dict[str, np.ndarray] = field(default_factory=dict)
    yaw_degrees: float = 0.0


def _direction(abduction: float, flexion: float, side: float) -> np.ndarray:
    """Unit vector of a limb hanging down, lifted sideways by `abduction`, forward by `flexion`.

    `side` is +1 for the person's left (image right in the front view), -1 for the right.
    """
    a, f = math.radians(abduction), math.radians(flexion)
    down = math.cos(a) * math.cos(f)
    out = math.sin(a) * side
    forward = math.cos(a) * math.sin(f)
    v = np.array([out, down, forward])
    return v / np.linalg.norm(v)


def _bend(upper: np.ndarray, bend: float, inward: float, side: float) -> np.ndarray:
    """Direction of a forearm: the upper arm's direction bent by `bend` degrees.

    The bent part points forward, swung by `inward` degrees toward the body's midline (90 means
    straight across the body), so arms can cross in front of the torso or rest on the hips.
    """
    b, s = math.radians(bend), math.radians(inward)
    forward = np.array([0.0, 0.0, 1.0])
    across = np.array([-side, 0.0, 0.0])
    d = upper * math.cos(b) + math.sin(b) * (forward * math.cos(s) + across * math.sin(s))
    return d / np.linalg.norm(d)


def pose_skeleton(identity: Identity, pose: Pose, view: str) -> Skeleton:
    """3D joints of `identity` in `pose`, rotated to `view`.

    Returns a Skeleton whose joints include the 18 OpenPose joints plus `head`, `pelvis`,
    `r_hand`, `l_hand`, `r_toe`, `l_toe`, `r_waist`, `l_waist`.
    """
    sw, hw = identity.shoulder_width, identity.hip_width
    # Proportions of an adult figure 1 unit tall with the hip joints at y = 0.
    upper_arm, forearm, hand = 0.185, 0.150, 0.070
    thigh, shin = 0.245, 0.245
    j: dict[str, np.ndarray] = {}
    j["pelvis"] = np.array([0.0, 0.0, 0.0])
    j["neck"] = np.array([0.0, -0.325, 0.0])
    tilt = math.radians(pose.head_tilt)
    head_offset = np.array([math.sin(tilt) * 0.08, -math.cos(tilt) * 0.08, 0.0])
    j["head"] = j["neck"] + head_offset
    for side_name, side, k in (("r", -1.0, 0), ("l", 1.0, 1)):
        shoulder = np.array([side * sw, -0.29, 0.0])
        up = _direction(pose.arm_abduction[k], pose.arm_flexion[k], side)
        elbow = shoulder + up * upper_arm
        down = _bend(up, pose.elbow[k], pose.forearm_inward[k], side)
        wrist = elbow + down * forearm
        j[f"{side_name}_shoulder"], j[f"{side_name}_elbow"], j[f"{side_name}_wrist"] = shoulder, elbow, wrist
        j[f"{side_name}_hand"] = wrist + down * hand
        hip = np.array([side * hw * 0.75, 0.0, 0.0])
        thigh_dir = _direction(pose.leg_abduction[k], pose.leg_flexion[k], side)
        knee = hip + thigh_dir * thigh
        kb = math.radians(pose.knee[k])
        shin_dir = thigh_dir * math.cos(kb) + np.array([0.0, 0.0, -1.0]) * math.sin(kb)
        shin_dir = shin_dir / np.linalg.norm(shin_dir)
        ankle = knee + shin_dir * shin
        j[f"{side_name}_hip"], j[f"{side_name}_knee"], j[f"{side_name}_ankle"] = hip, knee, ankle
        j[f"{side_name}_toe"] = ankle + np.array([side * 0.006, 0.03, 0.06])
        j[f"{side_name}_waist"] = np.array([side * hw * 0.88, -0.11, 0.0])
        j[f"{side_name}_eye"] = j["head"] + np.array([side * identity.face_width * identity.eye_spacing, -0.006, identity.face_width * 0.9])
        j[f"{side_name}_ear"] = j["head"] + np.array([side * identity.face_width * 1.0, 0.0, 0.0])
    j["nose"] = j["head"] + np.array([0.0, 0.014, identity.face_width * 1.05])

    yaw = VIEW_YAW_DEGREES[view]
    c, s = math.cos(math.radians(yaw)), math.sin(math.radians(yaw))
    # Rotating the body by +yaw about y turns its left side away from the camera.
    rotation = np.array([[c, 0.0, s], [0.0, 1.0, 0.0], [-s, 0.0, c]])
    return Skeleton({name: rotation @ p for name, p in j.items()}, yaw_degrees=yaw)


@dataclass(frozen=True)
class Frame:
    """Where the figure stands in the image: pixels per body unit and the pelvis position."""

    scale: float  # pixels per body unit
    origin_x: float  # pelvis x in pixels
    origin_y: float  # pelvis y in pixels

    def to_pixels(self, p: np.ndarray) -> tuple[float, float]:
        return (self.origin_x + p[0] * self.scale, self.origin_y + p[1] * self.scale)


def frame_for(
    identity: Identity, skeleton: Skeleton, size_hw: tuple[int, int], offset_x: float = 0.0
) -> Frame:
    """Place the figure: head near the top, soles near the bottom, centred (shifted by offset_x).

    A raised hand above the head shrinks the figure so that it stays inside the picture.
    """
    height, width = size_hw
    head_top = skeleton.joints["head"][1] - identity.face_length * 1.35
    top = min(head_top, min(p[1] for p in skeleton.joints.values()) - 0.02)
    bottom = max(skeleton.joints["r_toe"][1], skeleton.joints["l_toe"][1]) + 0.02
    scale = height * identity.height / max(1.0, bottom - top)
    return Frame(scale=scale, origin_x=width / 2 + offset_x * width, origin_y=height * 0.03 - top * scale)


def openpose_keypoints(skeleton: Skeleton, frame: Frame) -> np.ndarray:
    """OpenPose-18 keypoints (18, 3) float32: x, y in pixels and a visibility confidence.

    A joint turned away from the camera (eyes and ears in back or side views) gets confidence 0,
    as a pose estimator would not see it.
    """
    out = np.zeros((18, 3), dtype=np.float32)
    yaw = skeleton.yaw_degrees
    for i, name in enumerate(OPENPOSE_JOINTS):
        p = skeleton.joints[name]
        x, y = frame.to_pixels(p)
        visible = 1.0
        if name in ("nose", "r_eye", "l_eye") and yaw > 100:
            visible = 0.0
        if name in ("r_eye", "l_eye", "r_ear", "l_ear") and yaw > 60:
            # In a side view the far eye and ear are hidden behind the head.
            visible = 0.0 if p[2] < skeleton.joints["head"][2] else visible
        out[i] = (x, y, visible)
    return out
