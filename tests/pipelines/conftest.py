"""Tiny random try-on components, built from the shipped classes, and small test images."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from atelier.models.autoencoder import PRESETS as AUTOENCODER_PRESETS
from atelier.models.autoencoder import build_autoencoder
from atelier.models.mmdit import PRESETS as MMDIT_PRESETS
from atelier.models.text_encoder import PRESETS as TEXT_PRESETS
from atelier.models.text_encoder import build_text_encoder
from atelier.models.tokenizer import train_tokenizer
from atelier.models.tryon_model import TryOnModel
from atelier.pipelines import PipelineConfig, TryOnPipeline

# Tiny autoencoder (×2): a 16×12 image is 8×6 latents, 4×3 = 12 tokens.
IMAGE_SIZE = (16, 12)


def tiny_components() -> dict:
    torch.manual_seed(0)
    tokenizer = train_tokenizer(["put the red coat on her", "take off the hat", "show her walking"] * 10, vocab_size=300)
    return {
        "transformer": TryOnModel(MMDIT_PRESETS["tiny"]),
        "autoencoder": build_autoencoder(AUTOENCODER_PRESETS["tiny"]),
        "text_encoder": build_text_encoder(TEXT_PRESETS["tiny"], tokenizer),
    }


@pytest.fixture(scope="module")
def pipeline() -> TryOnPipeline:
    return TryOnPipeline(**tiny_components(), config=PipelineConfig(image_size=IMAGE_SIZE, steps=2))


def random_image(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
