"""Task samplers: every try-on and retrieval record with its paired ground truth.

`make_record(kind, split, seed, index)` is a pure function of its arguments: the same call
gives the same record, byte for byte. Each sampler renders its inputs and its target from the
same identity, pose, scene and garments, changing only what the task changes.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from atelier.world import text
from atelier.world.body import NAMED_POSES, Identity, Pose, sample_pose, sample_view
from atelier.world.garments import Garment
from atelier.world.labels import LABEL_ID
from atelier.world.records import GarmentImage, PersonImage, Record
from atelier.world.renderer import RenderedPerson, render_person, render_product
from atelier.world.sampling import (
    sample_garment,
    sample_identity_for_split,
    sample_outfit,
    sample_variant,
    stable_hash,
)
from atelier.world.scenes import Scene, sample_scene
from atelier.world.vocabulary import RECORD_KINDS, VIEWS

Size = tuple[int, int]
Outfit = dict[str, Garment]

WORLD_REVISION = 2
"""Raised whenever the same `make_record` call starts rendering other pixels, so that what is
cached under a record's coordinates (the bench's target statistics) does not outlive them.
2: garments seen from behind are whole and plain (no open front, lapels or collar points, and
a shallow neck opening whatever the front's neckline); a worn dress shows its collar points, as
its product shot does."""


class _Context:
    """What one record's sampler needs: its rng, split, seed and image size."""

    def __init__(self, kind: str, split: str, seed: int, index: int, size_hw: Size) -> None:
        self.rng = random.Random(stable_hash("record", kind, split, seed, index))
        self.kind, self.split, self.seed, self.index, self.size_hw = kind, split, seed, index, size_hw
        self.key = f"{split}-{seed}-{index:07d}-{kind}"

    def identity(self) -> Identity:
        return sample_identity_for_split(self.rng, self.seed, self.split)

    def person(self, identity: Identity, pose: Pose, view: str, outfit: Outfit, scene: Scene) -> PersonImage:
        rendered = render_person(identity, pose, view, outfit, scene, self.size_hw)
        return _person_image(rendered, identity, outfit)

    def product(self, garment: Garment) -> GarmentImage:
        image, mask = render_product(garment, self.size_hw)
        return GarmentImage(garment.category, image, mask, garment.garment_id, garment.to_dict())

    def record(self, **fields) -> Record:
        return Record(key=self.key, kind=self.kind, split=self.split, **fields)


def _person_image(rendered: RenderedPerson, identity: Identity, outfit: Outfit) -> PersonImage:
    return PersonImage(
        image=rendered.image,
        labels=rendered.labels,
        keypoints=rendered.keypoints,
        pose_map=rendered.pose_map,
        person_id=identity.identity_id,
        body=rendered.body,
        garment_ids={c: g.garment_id for c, g in outfit.items()},
    )


def _replace(outfit: Outfit, garments: list[Garment]) -> Outfit:
    """`outfit` with `garments` put on: a dress takes off the top and bottoms and vice versa."""
    result = dict(outfit)
    for garment in garments:
        if garment.category == "dress":
            for category in ("top", "pants", "skirt"):
                result.pop(category, None)
        if garment.category in ("top", "pants", "skirt"):
            result.pop("dress", None)
        if garment.category in ("pants", "skirt"):
            result.pop("pants", None)
            result.pop("skirt", None)
        result[garment.category] = garment
    return result


def _visible_categories(person: PersonImage, outfit: Outfit, min_fraction: float = 0.004) -> list[str]:
    """Categories of `outfit` that cover at least `min_fraction` of the picture."""
    area = person.labels.size
    return [c for c in outfit if np.count_nonzero(person.labels == LABEL_ID[c]) >= min_fraction * area]


def _single(ctx: _Context) -> Record:
    rng = ctx.rng
    identity, pose, view, scene = ctx.identity(), sample_pose(rng), sample_view(rng), sample_scene(rng)
    outfit = sample_outfit(rng, ctx.split)
    choices = ["coat", "shoes", "bag", "hat"] + (["dress", "dress"] if "dress" in outfit else ["top", "top", "pants", "skirt"])
    garment = sample_garment(rng, rng.choice(choices), ctx.split)
    target_outfit = _replace(outfit, [garment])
    inner = target_outfit.get("top") or target_outfit.get("dress")
    if garment.category == "coat" and inner is not None:
        instruction = text.tryon_instruction("multi", [inner, garment], rng)  # says how to wear the coat
    else:
        instruction = text.tryon_instruction("single", [garment], rng)
    return ctx.record(
        instruction=instruction,
        person=ctx.person(identity, pose, view, outfit, scene),
        garments=[ctx.product(garment)],
        target=ctx.person(identity, pose, view, target_outfit, scene),
    )


def _multi(ctx: _Context) -> Record:
    rng = ctx.rng
    count = 2 + ctx.index // len(RECORD_KINDS) % 5  # 2..6 references, balanced over a build
    identity, pose, view, scene = ctx.identity(), sample_pose(rng), sample_view(rng), sample_scene(rng)
    outfit = sample_outfit(rng, ctx.split)
    optional = ["coat", "shoes", "bag", "hat"]
    for _ in range(100):
        base = rng.choice((("dress",), ("top", "pants"), ("top", "skirt"), ("top",), ("pants",), ()))
        extra = rng.sample(optional, k=max(0, min(4, count - len(base))))
        categories = tuple(base) + tuple(extra)
        replaces_half_of_dress = "dress" in outfit and len({"top", "pants", "skirt"} & set(categories)) == 1
        if len(categories) == count and not replaces_half_of_dress:
            break
    new = sample_outfit(rng, ctx.split, require=categories)
    garments = [new[c] for c in categories]
    target_outfit = _replace(outfit, garments)
    return ctx.record(
        instruction=text.tryon_instruction("multi", garments, rng),
        person=ctx.person(identity, pose, view, outfit, scene),
        garments=[ctx.product(g) for g in garments],
        target=ctx.person(identity, pose, view, target_outfit, scene),
    )


def _modelfree(ctx: _Context) -> Record:
    rng = ctx.rng
    identity, pose, view = ctx.identity(), sample_pose(rng, rng.choice(["standing", "standing", "hands on hips", "walking"])), rng.choice(("front", "front", "three-quarter"))
    scene = sample_scene(rng, studio_only=True)
    outfit = sample_outfit(rng, ctx.split)
    garments = list(outfit.values())
    person = {**identity.describe(), "view": view, "pose": pose.name}
    return ctx.record(
        instruction=text.tryon_instruction("modelfree", garments, rng, person=person),
        garments=[ctx.product(g) for g in garments],
        target=ctx.person(identity, pose, view, outfit, scene),
        extra={"person": person},
    )


def _tryoff(ctx: _Context) -> Record:
    rng = ctx.rng
    identity, pose, view, scene = ctx.identity(), sample_pose(rng), sample_view(rng), sample_scene(rng)
    outfit = sample_outfit(rng, ctx.split)
    person = ctx.person(identity, pose, view, outfit, scene)
    visible = [c for c in _visible_categories(person, outfit) if c != "bag" or view != "back"]
    category = rng.choice(visible or list(outfit))
    garment = outfit[category]
    return ctx.record(
        instruction=text.tryon_instruction("tryoff", [garment], rng),
        person=person,
        target=ctx.product(garment),
        extra={"category": category},
    )


def _pose(ctx: _Context) -> Record:
    rng = ctx.rng
    identity, scene = ctx.identity(), sample_scene(rng)
    outfit = sample_outfit(rng, ctx.split)
    pose_a, view_a = sample_pose(rng), sample_view(rng)
    pose_b = sample_pose(rng, rng.choice([n for n in NAMED_POSES if n != pose_a.name]))
    view_b = rng.choice([v for v in VIEWS if v != view_a]) if rng.random() < 0.5 else view_a
    target = ctx.person(identity, pose_b, view_b, outfit, scene)
    pose_input = PersonImage(image=target.pose_map, keypoints=target.keypoints, pose_map=target.pose_map, body={"pose": pose_b.to_dict(), "view": view_b})
    return ctx.record(
        instruction=text.tryon_instruction("pose", [], rng, new_pose={"pose": pose_b.name, "view": view_b}),
        person=ctx.person(identity, pose_a, view_a, outfit, scene),
        pose=pose_input,
        target=target,
    )


def _m2m(ctx: _Context) -> Record:
    rng = ctx.rng
    identity_b, pose_b, view_b, scene_b = ctx.identity(), sample_pose(rng), sample_view(rng), sample_scene(rng)
    identity_a = ctx.identity()
    pose_a, view_a, scene_a = sample_pose(rng), rng.choice(("front", "front", "three-quarter")), sample_scene(rng)
    outfit_a, outfit_b = sample_outfit(rng, ctx.split), sample_outfit(rng, ctx.split)
    return ctx.record(
        instruction=text.tryon_instruction("m2m", list(outfit_a.values()), rng),
        person=ctx.person(identity_b, pose_b, view_b, outfit_b, scene_b),
        outfit_source=ctx.person(identity_a, pose_a, view_a, outfit_a, scene_a),
        target=ctx.person(identity_b, pose_b, view_b, outfit_a, scene_b),
    )


def _edit(ctx: _Context) -> Record:
    rng = ctx.rng
    identity, pose, view, scene = ctx.identity(), sample_pose(rng), sample_view(rng), sample_scene(rng)
    outfit = sample_outfit(rng, ctx.split)
    person = ctx.person(identity, pose, view, outfit, scene)
    visible = [c for c in _visible_categories(person, outfit, 0.01) if c not in ("shoes", "bag")] or list(outfit)
    before = outfit[rng.choice(visible)]
    after = sample_variant(rng, before, ctx.split, changes=1)
    return ctx.record(
        instruction=text.edit_instruction(before, after, rng),
        person=person,
        target=ctx.person(identity, pose, view, _replace(outfit, [after]), scene),
        extra={"before": before.to_dict(), "after": after.to_dict()},
    )


def _composed(ctx: _Context) -> Record:
    rng = ctx.rng
    category = rng.choice(("top", "top", "dress", "dress", "skirt", "pants", "coat"))
    reference = sample_garment(rng, category, ctx.split)
    target = sample_variant(rng, reference, ctx.split, changes=rng.choice((1, 1, 2, 3)))
    return ctx.record(
        instruction=text.modification_text(reference, target, rng),
        garments=[ctx.product(reference)],
        target=ctx.product(target),
    )


def _caption(ctx: _Context) -> Record:
    rng = ctx.rng
    garment = sample_garment(rng, rng.choice(("top", "top", "pants", "skirt", "dress", "dress", "coat", "shoes", "bag", "hat")), ctx.split)
    return ctx.record(garments=[ctx.product(garment)], captions=text.captions(garment, rng))


SAMPLERS: dict[str, Callable[[_Context], Record]] = {
    "single": _single,
    "multi": _multi,
    "modelfree": _modelfree,
    "tryoff": _tryoff,
    "pose": _pose,
    "m2m": _m2m,
    "edit": _edit,
    "composed": _composed,
    "caption": _caption,
}


def make_record(kind: str, split: str, seed: int, index: int, size_hw: Size = (256, 192)) -> Record:
    """Record `index` of task `kind` in `split` of world `seed`, rendered at `size_hw` (H, W)."""
    if kind not in SAMPLERS:
        raise ValueError(f"unknown record kind {kind!r}; expected one of {tuple(SAMPLERS)}")
    height, width = size_hw
    if height < 64 or width < 48:
        raise ValueError(f"image size {size_hw} is too small; the world renders at 64×48 or more")
    return SAMPLERS[kind](_Context(kind, split, seed, index, size_hw))


def kind_for_index(index: int, kinds: tuple[str, ...] = RECORD_KINDS) -> str:
    """Builds cycle through the kinds so any prefix of a build is balanced across tasks."""
    return kinds[index % len(kinds)]
