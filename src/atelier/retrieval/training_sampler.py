"""Which pool items and which texts a training step uses: a pure function of (seed, step).

Every epoch visits the pool in a fresh permutation; the texts of a step are written from a
random source seeded by (seed, step, position). A resumed run therefore sees exactly the
batches the uninterrupted run would have seen.

The permutation can keep garments of one category together in runs of `group_size`: a batch
then holds a few runs, so most in-batch negatives of a dress are other dresses. Those are the
negatives that teach what retrieval is measured on (FashionGen's candidates and Fashion-IQ's
gallery are all of the query's category); a random batch has mostly easy ones (a dress
against shoes).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from atelier.retrieval.image_preprocessing import uint8_batch_to_tensor
from atelier.retrieval.training_batches import CaptionBatch, ComposedBatch
from atelier.retrieval.training_pools import CaptionPool, ComposedPool
from atelier.world.garments import Garment
from atelier.world.sampling import stable_hash
from atelier.world.text import CAPTION_STYLES, caption, modification_text


def batch_indices(
    pool_size: int, batch_size: int, step: int, seed: int, categories: Sequence[str] | None = None, group_size: int = 0
) -> np.ndarray:
    """Pool indices of step `step`'s batch: consecutive slices of per-epoch permutations.

    Args:
        pool_size: items in the pool.
        batch_size: items per batch.
        step: the step (0-based).
        seed: seeds the permutations.
        categories: the pool items' categories, to group by (None: no grouping).
        group_size: length of the same-category runs (0 or 1: no grouping).

    Returns:
        (batch_size,) int64 indices; a batch that crosses an epoch boundary takes the end of
        one permutation and the start of the next.
    """
    if pool_size < 1 or batch_size < 1:
        raise ValueError("pool_size and batch_size must be positive")
    if categories is not None and len(categories) != pool_size:
        raise ValueError(f"{len(categories)} categories for a pool of {pool_size}")
    positions = np.arange(step * batch_size, (step + 1) * batch_size)
    epochs, offsets = positions // pool_size, positions % pool_size
    orders = {int(epoch): epoch_order(pool_size, seed, int(epoch), categories, group_size) for epoch in np.unique(epochs)}
    return np.array([orders[int(epoch)][offset] for epoch, offset in zip(epochs, offsets)], dtype=np.int64)


def epoch_order(
    pool_size: int, seed: int, epoch: int, categories: Sequence[str] | None = None, group_size: int = 0
) -> np.ndarray:
    """A permutation of the pool for one epoch, in same-category runs when asked.

    Returns:
        (pool_size,) int64: every index once. Grouped, each category's items are shuffled and
        cut into runs of `group_size` (the last run of a category may be shorter), and the runs
        are shuffled.
    """
    rng = np.random.default_rng(stable_hash("retrieval-epoch", seed, epoch))
    if categories is None or group_size <= 1:
        return rng.permutation(pool_size)
    labels = np.asarray(categories)
    runs = []
    for category in sorted(set(categories)):
        members = rng.permutation(np.flatnonzero(labels == category))
        runs.extend(np.split(members, range(group_size, len(members), group_size)))
    return np.concatenate([runs[index] for index in rng.permutation(len(runs))]).astype(np.int64)


def caption_batch(pool: CaptionPool, indices: np.ndarray, step: int, seed: int) -> CaptionBatch:
    """Images of `indices` with a caption each, in a style drawn per image."""
    styles, captions = [], []
    for position, index in enumerate(indices.tolist()):
        rng = random.Random(stable_hash("retrieval-caption", seed, step, position))
        style = rng.choice(CAPTION_STYLES)
        styles.append(style)
        captions.append(caption(Garment.from_dict(pool.garments[index]), style, rng))
    return CaptionBatch(uint8_batch_to_tensor(pool.images[indices]), captions, styles)


def composed_batch(pool: ComposedPool, indices: np.ndarray, step: int, seed: int) -> ComposedBatch:
    """Triplets of `indices`, the modification texts written afresh (world) or drawn (real)."""
    texts = []
    for position, index in enumerate(indices.tolist()):
        rng = random.Random(stable_hash("retrieval-modification", seed, step, position))
        if pool.reference_garments is not None and pool.target_garments is not None:
            reference = Garment.from_dict(pool.reference_garments[index])
            target = Garment.from_dict(pool.target_garments[index])
            texts.append(modification_text(reference, target, rng))
        else:
            texts.append(rng.choice(pool.texts[index]))
    return ComposedBatch(uint8_batch_to_tensor(pool.references[indices]), texts, uint8_batch_to_tensor(pool.targets[indices]))
