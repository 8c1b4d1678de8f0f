"""LPIPS and DISTS: zero on identical images, monotone in noise, official weights load from files."""

import pytest
import torch
from safetensors.torch import save_file

from atelier.eval.judges.feature_network import PRESETS, FeatureNetwork
from atelier.eval.metrics.lpips_backbones import LpipsImageNetBackbone
from atelier.eval.metrics.perceptual import (
    DISTS,
    LPIPS,
    dists_from_features,
    dists_per_sample,
    lpips_from_features,
    lpips_per_sample,
)


def _smooth_images(n: int, size: int, seed: int) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    low = torch.rand(n, 3, 6, 6, generator=generator)
    return torch.nn.functional.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)


def _noise_ladder(images: torch.Tensor, levels: list[float]) -> list[torch.Tensor]:
    noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(7))
    return [(images + level * noise).clamp(0, 1) for level in levels]


@pytest.fixture(scope="module")
def tiny_network():
    torch.manual_seed(0)
    return FeatureNetwork(PRESETS["tiny"]).eval()


@pytest.mark.parametrize("metric_class", [LPIPS, DISTS])
def test_identical_images_score_zero_and_noise_is_monotone(metric_class, tiny_network):
    metric = metric_class(backbone=tiny_network)
    images = _smooth_images(3, 32, seed=1)
    assert torch.allclose(metric.per_sample(images, images), torch.zeros(3), atol=1e-6)
    levels = [0.02, 0.05, 0.1, 0.2, 0.4]
    distances = torch.stack([metric.per_sample(noisy, images) for noisy in _noise_ladder(images, levels)])
    assert (distances[1:] > distances[:-1]).all(), distances


def test_metric_class_names_and_batch_accumulation(tiny_network):
    lpips, dists = LPIPS(backbone=tiny_network), DISTS(backbone=tiny_network)
    assert (lpips.name, dists.name) == ("lpips-atelier", "dists-atelier")
    images = _smooth_images(4, 24, seed=2)
    noisy = _noise_ladder(images, [0.1])[0]
    for metric in (lpips, dists):
        metric.update(noisy[:1], images[:1])
        metric.update(noisy[1:], images[1:])
        expected = metric.per_sample(noisy, images).double().mean()
        assert metric.compute().item() == pytest.approx(expected.item(), rel=1e-5)


def test_default_backbone_is_atelier_feature_network():
    assert isinstance(LPIPS().backbone, FeatureNetwork)
    assert isinstance(DISTS().backbone, FeatureNetwork)


def test_lpips_formula_on_hand_made_features():
    # One stage, 2 channels, 1×1 maps: unit vectors (1, 0) and (0, 1) differ by 1 in each channel.
    a, b = [torch.tensor([[[[3.0]], [[0.0]]]])], [torch.tensor([[[[0.0]], [[5.0]]]])]
    assert lpips_from_features(a, b, [torch.tensor([1.0, 1.0])]).item() == pytest.approx(2.0)
    assert lpips_from_features(a, b, [torch.tensor([0.25, 0.0])]).item() == pytest.approx(0.25)


def test_dists_formula_on_hand_made_features():
    # One channel, 2 pixels: a = (1, 3), b = (2, 2): means 2 and 2 (texture 1), b has no variance.
    a, b = [torch.tensor([[[[1.0, 3.0]]]])], [torch.tensor([[[[2.0, 2.0]]]])]
    alpha, beta = torch.tensor([1.0]), torch.tensor([3.0])
    structure = 1e-6 / (1.0 + 1e-6)  # (2·cov + c2) / (var_a + var_b + c2), cov 0, var_a 1
    expected = 1 - (0.25 * 1.0 + 0.75 * structure)
    assert dists_from_features(a, b, alpha, beta).item() == pytest.approx(expected, rel=1e-6)


def test_functional_forms_match_the_metrics(tiny_network):
    images = _smooth_images(2, 24, seed=3)
    noisy = _noise_ladder(images, [0.2])[0]
    assert torch.allclose(lpips_per_sample(noisy, images, tiny_network), LPIPS(tiny_network).per_sample(noisy, images))
    assert torch.allclose(dists_per_sample(noisy, images, tiny_network), DISTS(tiny_network).per_sample(noisy, images))


def test_invalid_weights_are_rejected(tiny_network):
    with pytest.raises(ValueError, match="non-negative"):
        LPIPS(tiny_network, channel_weights=[-torch.ones(c) for c in tiny_network.stage_channels])
    with pytest.raises(ValueError, match="alpha"):
        DISTS(tiny_network, alpha=torch.ones(3))


@pytest.mark.parametrize("net", ["alex", "vgg"])
def test_from_official_loads_local_weight_files(tmp_path, net):
    torch.manual_seed(0)
    reference = LpipsImageNetBackbone(net)
    # A torchvision-style checkpoint: features.* plus classifier keys that must be ignored.
    checkpoint = {f"features.{k}": v for k, v in reference.features.state_dict().items()}
    checkpoint["classifier.0.weight"] = torch.zeros(2, 2)
    backbone_path = tmp_path / f"{net}.pth"
    torch.save(checkpoint, backbone_path)
    heads = {f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate(reference.stage_channels)}
    heads_path = tmp_path / f"{net}_heads.safetensors"
    save_file(heads, str(heads_path))

    metric = LPIPS.from_official(backbone_path, heads_path)
    assert metric.name == "lpips" and metric.backbone.net == net
    for loaded, original in zip(
        metric.backbone.features.state_dict().values(), reference.features.state_dict().values()
    ):
        assert torch.equal(loaded, original)
    for i, weight in enumerate(metric.channel_weights):
        assert torch.equal(weight, heads[f"lin{i}.model.1.weight"].reshape(-1))

    images = _smooth_images(2, 32, seed=4)
    expected = lpips_per_sample(images.flip(-1), images, reference, [h.reshape(-1) for h in heads.values()])
    assert torch.allclose(metric.per_sample(images.flip(-1), images), expected)
    assert torch.allclose(metric.per_sample(images, images), torch.zeros(2), atol=1e-6)


def test_official_stage_shapes():
    vgg = LpipsImageNetBackbone("vgg").forward_stages(torch.rand(1, 3, 64, 64))
    assert [tuple(f.shape[1:]) for f in vgg] == [(64, 64, 64), (128, 32, 32), (256, 16, 16), (512, 8, 8), (512, 4, 4)]
    alex = LpipsImageNetBackbone("alex").forward_stages(torch.rand(1, 3, 64, 64))
    assert [f.shape[1] for f in alex] == [64, 192, 384, 256, 256]


def test_from_official_rejects_wrong_files(tmp_path):
    path = tmp_path / "junk.pth"
    torch.save({"encoder.weight": torch.zeros(1)}, path)
    with pytest.raises(ValueError, match="VGG16 from AlexNet"):
        LPIPS.from_official(path, path)
    with pytest.raises(FileNotFoundError):
        LPIPS.from_official(tmp_path / "missing.pth", path)
