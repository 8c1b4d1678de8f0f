"""The bench's model interface and its three trivial reference models: oracle, identity, noise.

A bench model is any callable `model(request) -> image` taking a `BenchRequest` (inputs only) and
returning an (H, W, 3) uint8 picture of the request's `size_hw`; it may add
`answer_batch(requests)` to answer several at once. What each one returns per task:

| task | oracle | identity | noise |
| --- | --- | --- | --- |
| single, multi, edit | the target | the person photo, unchanged | uniform noise |
| modelfree | the target | the first product shot | uniform noise |
| tryoff | the target product shot | the person photo | uniform noise |
| pose, m2m | the target | the person photo | uniform noise |

The oracle is the only model that knows the answers: it looks the target up by the sample's key
(rendering the world record again), and still receives only the stripped request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from atelier.eval.bench.bench_request import BenchRequest
from atelier.eval.bench.bench_set import BENCH_SIZE_HW
from atelier.world.sampling import stable_hash
from atelier.world.tasks import make_record


class BenchModel(Protocol):
    """A try-on model as the bench runs it."""

    name: str

    def __call__(self, request: BenchRequest) -> np.ndarray:
        """The (H, W, 3) uint8 answer to `request`, (H, W) = `request.size_hw`."""
        ...


def answer_all(model: BenchModel, requests: Sequence[BenchRequest]) -> list[np.ndarray]:
    """The model's answers to `requests`, in order: through its `answer_batch(requests)` when
    it has one (a network answers a batch faster than one request at a time), else one call each.
    """
    answer_batch = getattr(model, "answer_batch", None)
    if answer_batch is not None:
        return list(answer_batch(requests))
    return [model(request) for request in requests]


class OracleModel:
    """Returns the ground truth: the ceiling every judge must put at (or next to) 10.

    Args:
        target_for_key: sample key -> (H, W, 3) uint8 target image (e.g. a dict's `__getitem__`,
            or `world_target`, which renders it again).
    """

    name = "oracle"

    def __init__(self, target_for_key: Callable[[str], np.ndarray]) -> None:
        self.target_for_key = target_for_key

    def __call__(self, request: BenchRequest) -> np.ndarray:
        return np.array(self.target_for_key(request.key), copy=True)


def world_target(key: str, size_hw: tuple[int, int] = BENCH_SIZE_HW) -> np.ndarray:
    """The target image of the world record named `key` ("<split>-<seed>-<index>-<kind>")."""
    split, rest = key.split("-", 1)  # split names hold no "-"; a seed may be negative
    seed, index, kind = rest.rsplit("-", 2)
    return make_record(kind, split, int(seed), int(index), size_hw).target.image


class IdentityModel:
    """Returns the main input unchanged: the person, or for model-free the first product shot."""

    name = "identity"

    def __call__(self, request: BenchRequest) -> np.ndarray:
        if request.person is not None:
            return np.array(request.person, copy=True)
        if request.garments:
            return np.array(request.garments[0].image, copy=True)
        return np.full((*request.size_hw, 3), 255, np.uint8)


class NoiseModel:
    """Uniform random pixels, seeded by the sample key (the floor of every score).

    Args:
        seed: mixed into every sample's noise.
    """

    name = "noise"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    def __call__(self, request: BenchRequest) -> np.ndarray:
        rng = np.random.default_rng(stable_hash("noise", self.seed, request.key))
        return rng.integers(0, 256, size=(*request.size_hw, 3), dtype=np.uint8)
