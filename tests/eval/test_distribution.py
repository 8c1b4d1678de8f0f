"""FID, KID, the Fréchet distance, the real-statistics cache and the FID Inception."""

import numpy as np
import pytest
import scipy.linalg
import torch

from atelier.eval.metrics.distribution import FID, KID, InceptionV3FID, frechet_distance, polynomial_kernel_mmd
from atelier.eval.judges.feature_network import PRESETS, FeatureNetwork
from atelier.eval.metrics.feature_statistics import FeatureStatistics, RealStatisticsCache


def _scipy_frechet(mu1, sigma1, mu2, sigma2):
    covmean = scipy.linalg.sqrtm(sigma1 @ sigma2).real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(sigma1 + sigma2 - 2 * covmean))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frechet_distance_matches_scipy_reference(seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(200, 12))
    b = rng.normal(size=(150, 12)) @ rng.normal(size=(12, 12)) * 0.5 + 0.3
    mu1, sigma1 = a.mean(0), np.cov(a, rowvar=False)
    mu2, sigma2 = b.mean(0), np.cov(b, rowvar=False)
    ours = frechet_distance(mu1, sigma1, mu2, sigma2)
    assert ours == pytest.approx(_scipy_frechet(mu1, sigma1, mu2, sigma2), rel=1e-6)
    assert frechet_distance(mu1, sigma1, mu1, sigma1) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_of_known_gaussians():
    # N(0, I) vs N(1, 4I) in 3D: 3·1 + 3·(1 + 4 − 2·2) = 6.
    assert frechet_distance(np.zeros(3), np.eye(3), np.ones(3), 4 * np.eye(3)) == pytest.approx(6.0)


def _identity_extractor(images: torch.Tensor) -> torch.Tensor:
    return images.flatten(1)


def test_fid_metric_equals_frechet_of_numpy_statistics_across_batches():
    generator = torch.Generator().manual_seed(0)
    real = torch.rand(40, 3, 2, 2, generator=generator)
    fake = torch.rand(30, 3, 2, 2, generator=generator) ** 2
    metric = FID(_identity_extractor, feature_dim=12, extractor_name="pixels")
    assert metric.name == "fid-pixels"
    for chunk in real.split(7):
        metric.update(chunk, real=True)
    for chunk in fake.split(11):
        metric.update(chunk, real=False)
    r, f = real.flatten(1).double().numpy(), fake.flatten(1).double().numpy()
    expected = _scipy_frechet(r.mean(0), np.cov(r, rowvar=False), f.mean(0), np.cov(f, rowvar=False))
    assert metric.compute().item() == pytest.approx(expected, rel=1e-6)


def test_fid_keeps_real_statistics_when_asked_and_uses_the_cache(tmp_path):
    generator = torch.Generator().manual_seed(1)
    real = torch.rand(20, 3, 2, 2, generator=generator)
    fake = torch.rand(20, 3, 2, 2, generator=generator)
    metric = FID(_identity_extractor, feature_dim=12, extractor_name="pixels", reset_real_features=False)
    metric.update(real, real=True)
    metric.update(fake, real=False)
    first = metric.compute().item()
    metric.reset()
    assert int(metric.real_count) == 20 and int(metric.fake_count) == 0
    metric.update(fake, real=False)
    assert metric.compute().item() == pytest.approx(first)

    cache = RealStatisticsCache(tmp_path / "stats")
    assert cache.load("test", "pixels") is None
    path = cache.save("test", "pixels", metric.statistics(real=True))
    assert path.exists() and not list(path.parent.glob("*.tmp"))
    fresh = FID(_identity_extractor, feature_dim=12, extractor_name="pixels")
    fresh.set_real_statistics(cache.load("test", "pixels"))
    fresh.update(fake, real=False)
    assert fresh.compute().item() == pytest.approx(first)
    assert cache.load("train", "pixels") is None and cache.load("test", "other") is None


def test_feature_statistics_match_numpy():
    features = np.random.default_rng(0).normal(size=(30, 5))
    statistics = FeatureStatistics.from_features(features)
    np.testing.assert_allclose(statistics.mean, features.mean(0))
    np.testing.assert_allclose(statistics.covariance, np.cov(features, rowvar=False))


def test_fid_defaults_to_atelier_feature_network_and_separates_distributions():
    torch.manual_seed(0)
    metric = FID(FeatureNetwork(PRESETS["tiny"]))
    assert metric.name == "fid-atelier" and FID().name == "fid-atelier"
    generator = torch.Generator().manual_seed(2)
    dark = torch.rand(64, 3, 16, 16, generator=generator) * 0.3
    dark_too = torch.rand(64, 3, 16, 16, generator=generator) * 0.3
    bright = 0.7 + torch.rand(64, 3, 16, 16, generator=generator) * 0.3
    metric.update(dark, real=True)
    metric.update(dark_too, real=False)
    same = metric.compute().item()
    metric.reset()
    metric.update(dark, real=True)
    metric.update(bright, real=False)
    assert metric.compute().item() > 2 * same


def test_polynomial_mmd_matches_a_direct_loop():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 4)) + 0.5

    def k(a, b):
        return (a @ b / 4 + 1) ** 3

    m = 6
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    ours = polynomial_kernel_mmd(torch.from_numpy(x), torch.from_numpy(y)).item()
    assert ours == pytest.approx(xx + yy - 2 * xy, rel=1e-10)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_two():
    generator = torch.Generator().manual_seed(4)
    features = torch.randn(300, 8, generator=generator, dtype=torch.float64)
    other = torch.randn(300, 8, generator=generator, dtype=torch.float64)
    shifted = torch.randn(300, 8, generator=generator, dtype=torch.float64) + 1.0
    metric = KID(_identity_extractor, subsets=20, subset_size=100, seed=0)
    metric.update(None, real=True, features=features)
    metric.update(None, real=False, features=other)
    same_mean, same_std = metric.compute()
    metric.reset()
    metric.update(None, real=True, features=features)
    metric.update(None, real=False, features=shifted)
    different_mean, _ = metric.compute()
    assert abs(same_mean.item()) < 3 * same_std.item() + 1e-3
    assert different_mean.item() > 0.1 > abs(same_mean.item())


def test_kid_with_one_full_subset_equals_the_mmd():
    generator = torch.Generator().manual_seed(5)
    real, fake = torch.rand(10, 3, 2, 2, generator=generator), torch.rand(10, 3, 2, 2, generator=generator)
    metric = KID(_identity_extractor, subsets=1, subset_size=50)  # capped to the 10 available
    metric.update(real[:4], real=True)
    metric.update(real[4:], real=True)
    metric.update(fake, real=False)
    mean, std = metric.compute()
    expected = polynomial_kernel_mmd(real.flatten(1).double(), fake.flatten(1).double())
    assert mean.item() == pytest.approx(expected.item(), rel=1e-10) and std.item() == 0.0


@pytest.fixture(scope="module")
def random_inception():
    torch.manual_seed(0)
    return InceptionV3FID()


def test_inception_resizes_and_outputs_2048_features(random_inception):
    random_inception.train()
    assert not random_inception.training  # BatchNorm statistics must never update
    with torch.no_grad():
        features = random_inception(torch.rand(2, 3, 40, 32))
    assert features.shape == (2, 2048) and torch.isfinite(features).all()


def test_inception_weights_round_trip_through_a_file(tmp_path, random_inception):
    path = tmp_path / "pt_inception.pth"
    torch.save(random_inception.state_dict(), path)
    metric = FID.from_inception(path)
    assert metric.name == "fid" and metric.extractor_name == "inception-v3-fid"
    loaded = metric.extractor.state_dict()
    for key, value in random_inception.state_dict().items():
        assert torch.equal(loaded[key], value), key


def test_inception_has_the_published_parameter_layout(random_inception):
    # torchvision's inception_v3 without aux logits, 1008 classes: 23,850,960 parameters.
    assert sum(p.numel() for p in random_inception.parameters()) == 23_850_960
    state = random_inception.state_dict()
    assert state["Mixed_7c.branch_pool.conv.weight"].shape == (192, 2048, 1, 1)
    assert state["fc.weight"].shape == (1008, 2048)
    assert "Conv2d_1a_3x3.bn.running_var" in state
