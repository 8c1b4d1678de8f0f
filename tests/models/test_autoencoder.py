import dataclasses

import pytest
import torch

from atelier.models.autoencoder import PRESETS, Autoencoder, build_autoencoder


@pytest.fixture(scope="module")
def autoencoder() -> Autoencoder:
    torch.manual_seed(0)
    return build_autoencoder(PRESETS["tiny"]).eval()


def _images(batch: int = 2, height: int = 16, width: int = 12) -> torch.Tensor:
    return torch.rand(batch, 3, height, width, generator=torch.Generator().manual_seed(0)) * 2 - 1


def test_encode_and_decode_shapes(autoencoder):
    with torch.no_grad():
        latents = autoencoder.encode(_images())
        images = autoencoder.decode(latents)
    assert autoencoder.downsample_factor == 2
    assert latents.shape == (2, 4, 8, 6)
    assert images.shape == (2, 3, 16, 12)


def test_default_preset_downsamples_128x96_to_32x24(capsys):
    autoencoder = build_autoencoder(PRESETS["default"])
    count = sum(parameter.numel() for parameter in autoencoder.parameters())
    with capsys.disabled():
        print(f"\nautoencoder default preset: {count:,} parameters")
    assert autoencoder.downsample_factor == PRESETS["default"].downsample_factor == 4
    assert autoencoder.latent_channels == 4
    assert count * 4 / 1e6 < 30


def test_latents_are_normalised_with_shift_and_scale():
    torch.manual_seed(0)
    plain = build_autoencoder(PRESETS["tiny"]).eval()
    scaled = Autoencoder.from_architecture(plain.architecture())
    scaled.vae.register_to_config(scaling_factor=2.0, shift_factor=0.5)
    scaled.load_state_dict(plain.state_dict())
    with torch.no_grad():
        raw = plain.encode(_images())
        normalised = scaled.encode(_images())
        torch.testing.assert_close(normalised, (raw - 0.5) * 2.0)
        torch.testing.assert_close(scaled.decode(normalised), plain.decode(raw))


def test_posterior_sampling_is_reproducible_and_differs_from_the_mean(autoencoder):
    with torch.no_grad():
        mean = autoencoder.encode(_images())
        first = autoencoder.encode(_images(), sample=True, generator=torch.Generator().manual_seed(3))
        again = autoencoder.encode(_images(), sample=True, generator=torch.Generator().manual_seed(3))
    assert torch.equal(first, again)
    assert not torch.allclose(first, mean)


def test_sizes_not_divisible_by_the_factor_are_rejected():
    autoencoder = build_autoencoder(dataclasses.replace(PRESETS["tiny"], block_out_channels=(8, 8, 16)))
    with pytest.raises(ValueError, match="divisible by 4"):
        autoencoder.encode(_images(height=18))


def test_a_saved_diffusers_autoencoder_loads_from_a_local_directory(autoencoder, tmp_path):
    autoencoder.vae.save_pretrained(tmp_path / "vae")
    loaded = Autoencoder.from_local(tmp_path, subfolder="vae").eval()
    with torch.no_grad():
        torch.testing.assert_close(loaded.encode(_images()), autoencoder.encode(_images()))
