"""`AutoencoderTask`: trains the image autoencoder on every picture the world draws.

Loss: L1 on pixels + L1 on image gradients (a light, weight-free stand-in for a perceptual
loss: it keeps edges, prints and stripes sharp where plain L1 blurs) + a small KL term that
keeps the latent space smooth for diffusion. Before the weights are shipped the latent
shift and scaling are fitted so the try-on model sees roughly unit-variance latents.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from atelier.models.autoencoder import Autoencoder
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor, tensor_to_images
from atelier.train.latent_statistics import fit_latent_normalisation, set_latent_normalisation
from atelier.train.run_config import AutoencoderTrainingConfig
from atelier.train.sample_grid import grid_image
from atelier.world.records import Record


def record_images(record: Record) -> list[np.ndarray]:
    """Every image of a record: person, garments, pose map, outfit source and target.

    Returns:
        (H, W, 3) uint8 arrays.
    """
    images = [garment.image for garment in record.garments]
    for person in (record.person, record.outfit_source, record.target):
        if person is not None:
            images.append(person.image)
    if record.pose is not None and record.pose.pose_map is not None:
        images.append(record.pose.pose_map)
    return images


def image_gradient_l1(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute difference of horizontal and vertical pixel differences.

    Args:
        prediction, target: (B, 3, H, W).

    Returns:
        Scalar loss.
    """
    rows = (prediction.diff(dim=-2) - target.diff(dim=-2)).abs().mean()
    columns = (prediction.diff(dim=-1) - target.diff(dim=-1)).abs().mean()
    return (rows + columns) / 2


class AutoencoderTask(nn.Module):
    """Owns the autoencoder and its reconstruction loss.

    Attributes:
        autoencoder: the model being trained.
        settings: loss weights, crop size, records per step.
        image_size: (H, W) images are brought to before cropping.
        batch_size: crops per step.
    """

    metric_names = ("loss", "l1", "gradient", "kl")

    def __init__(
        self, autoencoder: Autoencoder, settings: AutoencoderTrainingConfig, image_size: tuple[int, int], batch_size: int
    ):
        super().__init__()
        crop_height, crop_width = settings.crop
        factor = autoencoder.downsample_factor
        if crop_height % factor or crop_width % factor or crop_height > image_size[0] or crop_width > image_size[1]:
            raise ValueError(
                f"autoencoder.crop {settings.crop} must fit in image_size {image_size} and be divisible by {factor}"
            )
        self.autoencoder = autoencoder
        self.settings = settings
        self.image_size = tuple(image_size)
        self.batch_size = batch_size

    @property
    def records_per_step(self) -> int:
        return self.settings.records_per_step

    @property
    def preview_record_count(self) -> int:
        """Held-out records for grids and latent fitting (a record holds three or more images)."""
        return max(2, -(-self.settings.latent_fit_images // 3))

    def trainable_modules(self) -> dict[str, nn.Module]:
        return {"autoencoder": self.autoencoder}

    def make_batch(self, records: Sequence[Record], generator: torch.Generator) -> torch.Tensor:
        """Random crops (with random horizontal flips) of the records' images.

        Returns:
            (batch_size, 3, crop_h, crop_w) in [-1, 1], on the task's device.
        """
        images = images_to_tensor([fit_to_model(image, self.image_size)[0] for r in records for image in record_images(r)])
        crop_height, crop_width = self.settings.crop
        picks = torch.randint(len(images), (self.batch_size,), generator=generator)
        tops = torch.randint(self.image_size[0] - crop_height + 1, (self.batch_size,), generator=generator)
        lefts = torch.randint(self.image_size[1] - crop_width + 1, (self.batch_size,), generator=generator)
        flips = torch.rand(self.batch_size, generator=generator) < 0.5
        crops = []
        for pick, top, left, flip in zip(picks.tolist(), tops.tolist(), lefts.tolist(), flips.tolist(), strict=True):
            crop = images[pick, :, top : top + crop_height, left : left + crop_width]
            crops.append(crop.flip(-1) if flip else crop)
        return torch.stack(crops).to(next(self.parameters()).device)

    def forward(self, images: torch.Tensor, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Reconstruction losses of one batch.

        Args:
            images: (B, 3, h, w) in [-1, 1].
            generator: randomness of the posterior sample.

        Returns:
            {"loss", "l1", "gradient", "kl"} scalars; "loss" is the weighted sum.
        """
        posterior = self.autoencoder.vae.encode(images).latent_dist
        latents = posterior.mean + posterior.std * torch.randn(
            posterior.mean.shape, generator=generator, dtype=posterior.mean.dtype
        ).to(posterior.mean.device)
        reconstruction = self.autoencoder.vae.decode(latents).sample.float()
        images = images.float()
        l1 = (reconstruction - images).abs().mean()
        gradient = image_gradient_l1(reconstruction, images)
        # KL summed over the latent, per pixel of the image, matching a pixel loss summed per image.
        kl = posterior.kl().float().mean() / images[0].numel()
        loss = self.settings.l1 * l1 + self.settings.gradient * gradient + self.settings.kl * kl
        return {"loss": loss, "l1": l1.detach(), "gradient": gradient.detach(), "kl": kl.detach()}

    # -- previews and shipping -------------------------------------------------------------

    def preview_images(self, records: Sequence[Record], count: int) -> torch.Tensor:
        """The first `count` whole images of the preview records, (N, 3, H, W) in [-1, 1]."""
        images = [fit_to_model(image, self.image_size)[0] for r in records for image in record_images(r)]
        return images_to_tensor(images[:count])

    @torch.no_grad()
    def sample_grid(self, modules: dict[str, nn.Module], records: Sequence[Record]) -> np.ndarray:
        """Inputs (top row) over their reconstructions (bottom row), as one uint8 image."""
        autoencoder = modules["autoencoder"]
        images = self.preview_images(records, 8).to(next(autoencoder.parameters()).device)
        reconstruction = autoencoder.vae.decode(autoencoder.vae.encode(images).latent_dist.mode()).sample
        return grid_image([tensor_to_images(images), tensor_to_images(reconstruction)])

    def shipped_modules(self, modules: dict[str, nn.Module], records: Sequence[Record]) -> dict[str, nn.Module]:
        """The averaged autoencoder with its latent shift and scaling fitted on preview images."""
        autoencoder = modules["autoencoder"]
        images = self.preview_images(records, self.settings.latent_fit_images).to(next(autoencoder.parameters()).device)
        scaling, shift = fit_latent_normalisation(autoencoder, images)
        set_latent_normalisation(autoencoder, scaling=scaling, shift=shift)
        return {"autoencoder": autoencoder}

    def shipped_configs(self) -> dict[str, object]:
        return {}
