"""CLIP-I / DINO-style similarity: cosine of image embeddings of a generated and a reference image.

The encoder is any callable (N, 3, H, W) in [0, 1] -> (N, D). By default it is Atelier's own
`FeatureNetwork.embed` (score name `"image-similarity-atelier"`); `ImageSimilarity.from_open_clip`
wraps an OpenCLIP image tower loaded from a local checkpoint (`"clip-i"`) when `open_clip` is
installed. open_clip is deliberately not a dependency.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torchmetrics import Metric

from atelier.eval.judges.feature_network import FeatureNetwork

Encoder = Callable[[torch.Tensor], torch.Tensor]

# CLIP's input normalisation (OpenAI statistics), used by every OpenCLIP checkpoint we load.
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def cosine_similarity_per_sample(generated: torch.Tensor, reference: torch.Tensor, encoder: Encoder) -> torch.Tensor:
    """Cosine similarity of each generated image's embedding with its reference's.

    Args:
        generated: (N, 3, H, W) in [0, 1].
        reference: (N, 3, H', W') in [0, 1].
        encoder: (N, 3, H, W) -> (N, D).

    Returns:
        (N,) similarities in [-1, 1].
    """
    if generated.shape[0] != reference.shape[0]:
        raise ValueError(f"batch sizes differ: {generated.shape[0]} generated vs {reference.shape[0]} references")
    return F.cosine_similarity(encoder(generated), encoder(reference), dim=-1)


class OpenClipImageEncoder(torch.nn.Module):
    """An OpenCLIP image tower as an encoder (N, 3, H, W) in [0, 1] -> (N, D).

    Args:
        model: an `open_clip` CLIP model.
        image_size: side the images are resized to (the model's training resolution).
    """

    def __init__(self, model: torch.nn.Module, image_size: int) -> None:
        super().__init__()
        self.model = model
        self.image_size = image_size
        self.register_buffer("mean", torch.tensor(CLIP_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(CLIP_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(images, size=(self.image_size, self.image_size), mode="bicubic", align_corners=False)
        return self.model.encode_image((x.clamp(0, 1) - self.mean) / self.std)


class ImageSimilarity(Metric):
    """Mean cosine similarity between generated and reference image embeddings (higher is closer).

    Args:
        encoder: (N, 3, H, W) -> (N, D); a randomly initialised `FeatureNetwork().embed` when
            omitted (pass a trained network's `embed` in practice).
        name: the report name; `"image-similarity-atelier"` unless set.
    """

    is_differentiable = False
    higher_is_better = True
    full_state_update = False

    def __init__(self, encoder: Encoder | None = None, name: str = "image-similarity-atelier", **kwargs) -> None:
        super().__init__(**kwargs)
        encoder = encoder if encoder is not None else FeatureNetwork().embed
        owner = encoder if isinstance(encoder, torch.nn.Module) else getattr(encoder, "__self__", None)
        if isinstance(owner, torch.nn.Module):
            owner.eval().requires_grad_(False)
            if owner is not encoder:
                self.encoder_network = owner  # registered so `.to(device)` moves a bound method's network
        self.encoder = encoder
        self.name = name
        self.add_state("similarity_sum", default=torch.tensor(0.0, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("count", default=torch.tensor(0, dtype=torch.long), dist_reduce_fx="sum")

    @classmethod
    def from_open_clip(cls, model_name: str, checkpoint_path: str | Path, **kwargs) -> ImageSimilarity:
        """CLIP-I with an OpenCLIP model loaded from a local checkpoint, named `"clip-i"`.

        Args:
            model_name: an OpenCLIP architecture name, e.g. "ViT-B-32".
            checkpoint_path: local weights file; nothing is downloaded.
        """
        try:
            import open_clip
        except ImportError as error:
            raise ImportError(
                "ImageSimilarity.from_open_clip needs the optional package `open_clip_torch` "
                "(pip install open_clip_torch); the default encoder needs nothing extra"
            ) from error
        if not Path(checkpoint_path).is_file():
            raise FileNotFoundError(f"OpenCLIP checkpoint not found: {checkpoint_path}")
        model = open_clip.create_model(model_name, pretrained=str(checkpoint_path))
        image_size = model.visual.image_size
        image_size = image_size[0] if isinstance(image_size, tuple | list) else image_size
        return cls(OpenClipImageEncoder(model, int(image_size)), name="clip-i", **kwargs)

    def per_sample(self, generated: torch.Tensor, reference: torch.Tensor) -> torch.Tensor:
        """(N,) cosine similarity of each (generated, reference) pair of (N, 3, H, W) images."""
        with torch.no_grad():
            return cosine_similarity_per_sample(generated, reference, self.encoder)

    def update(self, generated: torch.Tensor, reference: torch.Tensor) -> None:
        """Add a batch of pairs, (N, 3, H, W) images in [0, 1]."""
        similarities = self.per_sample(generated, reference)
        self.similarity_sum += similarities.double().sum()
        self.count += similarities.numel()

    def compute(self) -> torch.Tensor:
        """The mean similarity over every pair seen (a scalar float64 tensor)."""
        return self.similarity_sum / self.count
