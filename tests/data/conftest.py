"""Synthetic records for the dataset-layout tests: small smooth images, label maps, keypoints."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from atelier.world.labels import LABEL_ID, NUM_LABELS
from atelier.world.records import GarmentImage, PersonImage, Record

HEIGHT, WIDTH = 64, 48


class SyntheticRecords:
    """Builds records whose every field a layout writer needs, from one seeded generator."""

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def image(self) -> np.ndarray:
        """(64, 48, 3) uint8, smooth so JPEG keeps it within a few levels."""
        coarse = self.rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
        return np.asarray(
            Image.fromarray(coarse).resize((WIDTH, HEIGHT), Image.Resampling.BILINEAR)
        )

    def labels(self, garment_category: str = "top") -> np.ndarray:
        """(64, 48) uint8 internal labels: 8-pixel blocks of every label, a large garment area."""
        blocks = self.rng.integers(0, NUM_LABELS, size=(HEIGHT // 8, WIDTH // 8))
        labels = np.kron(blocks, np.ones((8, 8), dtype=np.int64)).astype(np.uint8)
        labels[16:48, 8:40] = LABEL_ID[garment_category]
        return labels

    def keypoints(self) -> np.ndarray:
        """(18, 3) float32 inside the image; two joints not found (0, 0, 0)."""
        keypoints = np.zeros((18, 3), dtype=np.float32)
        keypoints[:, 0] = self.rng.uniform(0, WIDTH - 1, 18)
        keypoints[:, 1] = self.rng.uniform(0, HEIGHT - 1, 18)
        keypoints[:, 2] = self.rng.uniform(0.2, 1.0, 18)
        keypoints[[14, 17]] = 0.0
        return keypoints

    def person(self, wearing: str = "top") -> PersonImage:
        return PersonImage(
            image=self.image(),
            labels=self.labels(wearing),
            keypoints=self.keypoints(),
            person_id="p",
        )

    def garment(self, category: str, garment_id: str = "") -> GarmentImage:
        mask = np.kron(
            self.rng.random((HEIGHT // 8, WIDTH // 8)) > 0.4, np.ones((8, 8), dtype=bool)
        )
        return GarmentImage(category=category, image=self.image(), mask=mask, garment_id=garment_id)

    def single(self, key: str, category: str = "top", *, paired: bool = True) -> Record:
        """A single-garment try-on record; paired ones have the dressed target photo."""
        return Record(
            key=key,
            kind="single",
            person=self.person(),
            garments=[self.garment(category, f"{key}-garment")],
            target=self.person(wearing=category) if paired else None,
        )

    def multi(self, key: str, categories: tuple[str, ...], *, paired: bool = True) -> Record:
        """A multi-garment try-on record."""
        return Record(
            key=key,
            kind="multi",
            person=self.person(),
            garments=[self.garment(category, f"{key}-{category}") for category in categories],
            target=self.person() if paired else None,
        )

    def composed(self, key: str, category: str, *, target: bool = True, **extra) -> Record:
        """A composed-retrieval record: reference garment + two captions -> target garment."""
        captions = [f"is darker {key}", f"has longer sleeves {key}"]
        return Record(
            key=key,
            kind="composed",
            instruction=" and ".join(captions),
            garments=[self.garment(category, f"{key}ref")],
            target=self.garment(category, f"{key}tgt") if target else None,
            extra={"captions": captions, **extra},
        )


@pytest.fixture
def synthetic() -> SyntheticRecords:
    return SyntheticRecords(seed=0)
