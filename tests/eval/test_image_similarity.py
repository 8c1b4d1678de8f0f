"""Embedding cosine similarity between generated and reference images."""

import importlib.util

import pytest
import torch

from atelier.eval.judges.feature_network import PRESETS, FeatureNetwork
from atelier.eval.metrics.image_similarity import ImageSimilarity, cosine_similarity_per_sample


def _mean_colour(images: torch.Tensor) -> torch.Tensor:
    return images.mean(dim=(2, 3)) - 0.5


def test_cosine_similarity_of_hand_made_embeddings():
    red = torch.zeros(1, 3, 4, 4)
    red[:, 0] = 1.0
    green = torch.zeros(1, 3, 4, 4)
    green[:, 1] = 1.0
    # Mean colours minus 0.5: (0.5, -0.5, -0.5) vs (-0.5, 0.5, -0.5): cosine -1/3.
    similarity = cosine_similarity_per_sample(red, green, _mean_colour)
    assert similarity.item() == pytest.approx(-1 / 3)
    assert cosine_similarity_per_sample(red, red, _mean_colour).item() == pytest.approx(1.0)


def test_metric_averages_pairs_and_defaults_to_the_feature_network():
    metric = ImageSimilarity(_mean_colour, name="colour")
    images = torch.rand(5, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    references = torch.rand(5, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    metric.update(images[:2], references[:2])
    metric.update(images[2:], references[2:])
    expected = cosine_similarity_per_sample(images, references, _mean_colour).double().mean()
    assert metric.compute().item() == pytest.approx(expected.item())

    default = ImageSimilarity()
    assert default.name == "image-similarity-atelier"
    assert isinstance(default.encoder_network, FeatureNetwork)
    assert torch.allclose(default.per_sample(images, images), torch.ones(5), atol=1e-5)


def test_bound_method_of_a_trained_network_is_frozen_and_registered():
    network = FeatureNetwork(PRESETS["tiny"]).train()
    metric = ImageSimilarity(network.embed)
    assert metric.encoder_network is network and not network.training
    assert not any(p.requires_grad for p in network.parameters())


@pytest.mark.skipif(importlib.util.find_spec("open_clip") is not None, reason="open_clip is installed")
def test_from_open_clip_without_the_package_says_what_is_missing(tmp_path):
    with pytest.raises(ImportError, match="open_clip_torch"):
        ImageSimilarity.from_open_clip("ViT-B-32", tmp_path / "missing.bin")
