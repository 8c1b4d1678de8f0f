"""Drawing garments, outfits and identities for a split, holding out identities and combinations.

Splits are disjoint by construction:
- identities: each split has its own pool, identified as `<split>-<seed>-<n>`;
- garments: every (category, colour, pattern) combination belongs to exactly one split (a stable
  hash decides), so the test split's "red striped dress" is never seen in training.
"""

from __future__ import annotations

import hashlib
import random

from atelier.world.body import Identity, sample_identity
from atelier.world.garments import Garment
from atelier.world.vocabulary import CATEGORIES, COLOURS, LOGO_WORDS, PATTERNS, SHAPE_ATTRIBUTES, SPLITS

IDENTITY_POOL = {"train": 4000, "val": 300, "test": 300}
PATTERN_WEIGHTS = {"solid": 0.3, "stripes": 0.13, "checks": 0.1, "dots": 0.1, "floral": 0.1, "logo": 0.09, "gradient": 0.08, "colour-block": 0.1}


def stable_hash(*parts: object) -> int:
    """A 63-bit hash of the parts' reprs, the same on every machine and Python run."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def combination_split(category: str, colour: str, pattern: str) -> str:
    """The split a (category, colour, pattern) combination belongs to: 80% train, 10% val, 10% test."""
    bucket = stable_hash("combination", category, colour, pattern) % 10
    return "test" if bucket == 0 else "val" if bucket == 1 else "train"


def garment_id(garment: Garment) -> str:
    fields = garment.to_dict()
    fields.pop("garment_id")
    return f"g{stable_hash('garment', sorted(fields.items())) % 16**12:012x}"


def _with_id(garment: Garment) -> Garment:
    return garment.with_changes(garment_id=garment_id(garment))


def sample_garment(rng: random.Random, category: str, split: str, **fixed: object) -> Garment:
    """A random garment of `category` whose colour/pattern combination belongs to `split`.

    `fixed` pins fields (e.g. `shape={"closure": "open"}`); shape entries not pinned are drawn.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    for _ in range(500):
        shape = {name: rng.choice(values) for name, values in SHAPE_ATTRIBUTES[category].items()}
        shape.update(fixed.get("shape", {}))  # type: ignore[arg-type]
        colour = fixed.get("colour") or rng.choice(list(COLOURS))
        pattern = fixed.get("pattern") or rng.choices(list(PATTERN_WEIGHTS), weights=list(PATTERN_WEIGHTS.values()))[0]
        if combination_split(category, colour, pattern) != split:
            continue
        pattern_colour = rng.choice([c for c in COLOURS if c != colour])
        angle = rng.choice((0.0, 90.0)) if pattern == "stripes" and rng.random() < 0.7 else rng.uniform(-60, 60)
        garment = Garment(
            category=category,
            shape=shape,
            colour=colour,
            pattern=pattern,
            pattern_colour=pattern_colour,
            pattern_scale=round(rng.uniform(0.1, 0.9), 3),
            pattern_angle=round(angle, 1),
            logo_text=rng.choice(LOGO_WORDS) if pattern == "logo" else "",
        )
        return _with_id(garment)
    raise ValueError(f"no {category} combination in split {split!r} matches {fixed}")


def sample_variant(rng: random.Random, garment: Garment, split: str, changes: int = 1) -> Garment:
    """The same garment with `changes` attributes changed (colour, pattern, pattern colour or shape).

    The variant stays in `split`'s combinations; the coat's `closure` (how it is worn) is never
    changed, as it is not a property of the product.
    """
    shape_names = [n for n, values in SHAPE_ATTRIBUTES[garment.category].items() if len(values) > 1 and n != "closure"]
    for _ in range(500):
        fields = rng.sample(["colour", "pattern", "pattern_colour", *["shape"] * min(2, len(shape_names))], k=changes)
        variant = garment
        for name in fields:
            if name == "colour":
                variant = variant.with_changes(colour=rng.choice([c for c in COLOURS if c not in (variant.colour, variant.pattern_colour)]))
            elif name == "pattern":
                variant = variant.with_changes(pattern=rng.choice([p for p in PATTERNS if p != variant.pattern]))
                if variant.pattern == "logo" and not variant.logo_text:
                    variant = variant.with_changes(logo_text=rng.choice(LOGO_WORDS))
            elif name == "pattern_colour" and variant.pattern != "solid":
                variant = variant.with_changes(pattern_colour=rng.choice([c for c in COLOURS if c not in (variant.colour, variant.pattern_colour)]))
            elif name == "shape":
                attribute = rng.choice(shape_names)
                values = [v for v in SHAPE_ATTRIBUTES[variant.category][attribute] if v != variant.attribute(attribute)]
                variant = variant.with_changes(shape={attribute: rng.choice(values)})
        variant = _with_id(variant)
        if variant.garment_id != garment.garment_id and combination_split(variant.category, variant.colour, variant.pattern) == split:
            return variant
    raise ValueError(f"no variant of {garment.garment_id} found in split {split!r}")


def sample_outfit(rng: random.Random, split: str, *, require: tuple[str, ...] = ()) -> dict[str, Garment]:
    """A wearable outfit: a dress, or a top with pants or a skirt; maybe a coat, shoes, bag, hat.

    `require` lists categories that must be present (a dress in `require` replaces the top).
    """
    outfit: dict[str, Garment] = {}
    wants_dress = "dress" in require or (not {"top", "pants", "skirt"} & set(require) and rng.random() < 0.25)
    if wants_dress:
        outfit["dress"] = sample_garment(rng, "dress", split)
    else:
        outfit["top"] = sample_garment(rng, "top", split)
        bottom = "pants" if "pants" in require else "skirt" if "skirt" in require else rng.choice(("pants", "pants", "skirt"))
        outfit[bottom] = sample_garment(rng, bottom, split)
    for category, chance in (("coat", 0.3), ("shoes", 0.8), ("bag", 0.3), ("hat", 0.25)):
        if category in require or rng.random() < chance:
            outfit[category] = sample_garment(rng, category, split)
    return {c: outfit[c] for c in sorted(outfit, key=CATEGORIES.index)}


def identity_for(seed: int, split: str, number: int) -> Identity:
    """Identity `number` of `split`'s pool: a pure function of (seed, split, number)."""
    rng = random.Random(stable_hash("identity", seed, split, number))
    return sample_identity(rng, f"{split}-{seed}-{number}")


def sample_identity_for_split(rng: random.Random, seed: int, split: str) -> Identity:
    return identity_for(seed, split, rng.randrange(IDENTITY_POOL[split]))
