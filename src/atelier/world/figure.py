"""The posed figure in image space: projected joints, torso outline and limb geometry.

`Figure` is what garments are fitted to: it answers "where is the torso's edge at this height",
"what quad does the upper arm cover", "which arm is in front of the torso" for one identity,
pose and view at one image size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from atelier.world.body import Frame, Identity, Pose, Skeleton, frame_for, pose_skeleton

Point = tuple[float, float]

# Torso cross-sections: body-space height -> (half-width factor, half-depth) where the width
# factor multiplies the shoulder width above the waist and the hip width below it.
_TORSO_LEVELS = (
    (-0.305, "shoulder", 0.92, 0.045),
    (-0.29, "shoulder", 1.0, 0.05),
    (-0.22, "shoulder", 0.86, 0.06),
    (-0.11, "hip", 0.86, 0.05),
    (0.0, "hip", 1.12, 0.055),
    (0.06, "hip", 1.1, 0.05),
)


@dataclass
class Limb:
    """One limb segment in pixels: from `start` to `end`, radius tapering start -> end."""

    start: Point
    end: Point
    start_radius: float
    end_radius: float
    depth: float  # mean z in body units after the view rotation; larger is nearer the camera

    def quad(self, widen: float = 1.0, extend_start: float = 0.0, extend_end: float = 0.0) -> list[Point]:
        """Quad around the segment: [start+n, start-n, end-n, end+n] (n the unit normal × radius).

        `extend_*` lengthen the segment by that many pixels so neighbouring pieces overlap at joints.
        """
        (x0, y0), (x1, y1) = self.start, self.end
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy) or 1e-6
        ux, uy = dx / length, dy / length
        nx, ny = -uy, ux
        x0, y0 = x0 - ux * extend_start, y0 - uy * extend_start
        x1, y1 = x1 + ux * extend_end, y1 + uy * extend_end
        r0, r1 = self.start_radius * widen, self.end_radius * widen
        return [(x0 + nx * r0, y0 + ny * r0), (x0 - nx * r0, y0 - ny * r0), (x1 - nx * r1, y1 - ny * r1), (x1 + nx * r1, y1 + ny * r1)]

    def point_at(self, t: float) -> Point:
        return (self.start[0] + (self.end[0] - self.start[0]) * t, self.start[1] + (self.end[1] - self.start[1]) * t)

    def part(self, t0: float, t1: float) -> Limb:
        """The piece of the segment between fractions t0 and t1 of its length."""
        r = lambda t: self.start_radius + (self.end_radius - self.start_radius) * t  # noqa: E731
        return Limb(self.point_at(t0), self.point_at(t1), r(t0), r(t1), self.depth)


class Figure:
    """A posed identity placed in an image of `size_hw`."""

    def __init__(self, identity: Identity, pose: Pose, view: str, size_hw: tuple[int, int], offset_x: float = 0.0):
        self.identity, self.pose, self.view, self.size_hw = identity, pose, view, size_hw
        self.skeleton: Skeleton = pose_skeleton(identity, pose, view)
        self.frame: Frame = frame_for(identity, self.skeleton, size_hw, offset_x)
        yaw = math.radians(self.skeleton.yaw_degrees)
        self.cos_yaw, self.sin_yaw = abs(math.cos(yaw)), abs(math.sin(yaw))
        self.is_back = self.skeleton.yaw_degrees > 100.0
        self.scale = self.frame.scale

    # -- points -------------------------------------------------------------------------------
    def point(self, joint: str) -> Point:
        return self.frame.to_pixels(self.skeleton.joints[joint])

    def depth(self, joint: str) -> float:
        return float(self.skeleton.joints[joint][2])

    def y_at(self, body_y: float) -> float:
        return self.frame.origin_y + body_y * self.scale

    # -- torso --------------------------------------------------------------------------------
    def torso_half_width(self, body_y: float, extra: float = 0.0) -> float:
        """Projected half-width of the torso at body-space height `body_y`, in pixels.

        Cross-sections are ellipses, so a turned torso shows sqrt((w cos)^2 + (d sin)^2).
        `extra` (body units) thickens it for garment layers.
        """
        ys = [level[0] for level in _TORSO_LEVELS]
        body_y = float(np.clip(body_y, ys[0], ys[-1]))
        widths, depths = [], []
        for _, ref, factor, depth in _TORSO_LEVELS:
            base = self.identity.shoulder_width if ref == "shoulder" else self.identity.hip_width
            widths.append(base * factor)
            depths.append(depth)
        w = float(np.interp(body_y, ys, widths)) + extra
        d = float(np.interp(body_y, ys, depths)) + extra
        return math.hypot(w * self.cos_yaw, d * self.sin_yaw) * self.scale

    def torso_row(self, body_y: float, extra: float = 0.0) -> tuple[Point, Point]:
        """(left, right) image points of the torso's edge at `body_y` (left = smaller x)."""
        half = self.torso_half_width(body_y, extra)
        y = self.y_at(body_y)
        cx = self.frame.origin_x
        return (cx - half, y), (cx + half, y)

    def torso_outline(self, top: float, bottom: float, extra: float = 0.0, steps: int = 6) -> list[Point]:
        """Closed outline of the torso between two heights: down the left side, up the right."""
        levels = np.linspace(top, bottom, steps)
        left = [self.torso_row(y, extra)[0] for y in levels]
        right = [self.torso_row(y, extra)[1] for y in levels[::-1]]
        return left + right

    @property
    def centre_x(self) -> float:
        return self.frame.origin_x

    # -- limbs --------------------------------------------------------------------------------
    def arm(self, side: str) -> tuple[Limb, Limb, Limb]:
        """(upper arm, forearm, hand) of side 'r' or 'l'."""
        t = self.identity.limb_thickness * self.scale
        s, e, w, h = (self.point(f"{side}_{j}") for j in ("shoulder", "elbow", "wrist", "hand"))
        depth = (self.depth(f"{side}_elbow") + self.depth(f"{side}_wrist")) / 2
        return Limb(s, e, t * 1.15, t * 0.9, depth), Limb(e, w, t * 0.9, t * 0.7, depth), Limb(w, h, t * 0.75, t * 0.6, depth)

    def leg(self, side: str) -> tuple[Limb, Limb]:
        """(thigh, shin) of side 'r' or 'l'."""
        t = self.identity.limb_thickness * self.scale
        hip, knee, ankle = (self.point(f"{side}_{j}") for j in ("hip", "knee", "ankle"))
        depth = (self.depth(f"{side}_knee") + self.depth(f"{side}_ankle")) / 2
        return Limb(hip, knee, t * 2.0, t * 1.3, depth), Limb(knee, ankle, t * 1.25, t * 0.85, depth)

    def arm_in_front(self, side: str) -> bool:
        """Whether the arm is drawn over the torso (it is nearer the camera than the torso's middle)."""
        return self.arm(side)[0].depth > -0.015

    def outward_normal_sign(self, limb: Limb) -> float:
        """+1 if the limb quad's first corner (start + n) lies away from the torso's centre line."""
        (x0, y0), (x1, y1) = limb.start, limb.end
        nx = -(y1 - y0)
        mid_x = (x0 + x1) / 2
        return 1.0 if (mid_x - self.centre_x) * nx >= 0 else -1.0
