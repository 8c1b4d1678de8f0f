"""Train, val and test hold out identities and garment attribute combinations."""

from __future__ import annotations

import random

from atelier.world.sampling import combination_split, identity_for, sample_garment, sample_variant
from atelier.world.tasks import make_record
from atelier.world.vocabulary import CATEGORIES, COLOURS, PATTERNS, SPLITS


def _collect(split: str, n: int = 30):
    identities, garments, combos = set(), set(), set()
    for index in range(n):
        record = make_record(("single", "multi", "m2m")[index % 3], split, 0, index, (96, 72))
        for person in (record.person, record.target, record.outfit_source):
            if person is not None:
                identities.add(person.person_id)
        for garment in record.garments:
            garments.add(garment.garment_id)
            a = garment.attributes
            combos.add((a["category"], a["colour"], a["pattern"]))
    return identities, garments, combos


def test_splits_are_disjoint():
    collected = {split: _collect(split) for split in SPLITS}
    for i, a in enumerate(SPLITS):
        for b in SPLITS[i + 1 :]:
            for part in range(3):
                assert not collected[a][part] & collected[b][part], (a, b, part)


def test_every_combination_belongs_to_one_split_and_all_splits_are_used():
    owners = {combination_split(c, colour, p) for c in CATEGORIES for colour in COLOURS for p in PATTERNS}
    assert owners == set(SPLITS)


def test_sampled_garments_stay_in_their_split():
    rng = random.Random(0)
    for split in SPLITS:
        for category in CATEGORIES:
            garment = sample_garment(rng, category, split)
            assert combination_split(category, garment.colour, garment.pattern) == split
            variant = sample_variant(rng, garment, split)
            assert combination_split(category, variant.colour, variant.pattern) == split


def test_identity_is_a_pure_function_of_seed_split_and_number():
    assert identity_for(0, "train", 5) == identity_for(0, "train", 5)
    assert identity_for(0, "train", 5) != identity_for(0, "test", 5)
