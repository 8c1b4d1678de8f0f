"""What the judge's feature network reads off a crop: garment attributes and identity attributes.

`AttributeHeads` are linear classifiers on `FeatureNetwork.embed`, trained together with the
network (`atelier bench train-judges`): on garment crops and product shots they name the
category, the colour (the world's 20 named colours) and the pattern; on head crops they name the
skin tone, the hair style and the hair colour, the attributes a viewer tells people apart by at
a glance. `AttributeReader` pairs the network with its heads and turns crops into probability
vectors; TryOnBench compares two head readings with the Bhattacharyya coefficient (the garment
heads shape the embedding the `-atelier` metrics use).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save
from torch import nn

from atelier.data.layout_files import write_bytes_atomic
from atelier.eval.judges.feature_network import FeatureNetwork
from atelier.world.vocabulary import (
    CATEGORIES,
    COLOURS,
    HAIR_COLOURS,
    HAIR_STYLES,
    PATTERNS,
    SKIN_TONES,
)

# The tag stored in saved files; it names the module's old path and must not change.
FILE_FORMAT = "atelier.eval.attribute_heads"

GARMENT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "category": CATEGORIES,
    "colour": tuple(COLOURS),
    "pattern": PATTERNS,
}
IDENTITY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "skin_tone": tuple(str(index) for index in range(len(SKIN_TONES))),
    "hair_style": HAIR_STYLES,
    "hair_colour": tuple(HAIR_COLOURS),
}
ATTRIBUTES: dict[str, tuple[str, ...]] = {**GARMENT_ATTRIBUTES, **IDENTITY_ATTRIBUTES}

# Cosine classifier scale: the embedding is unit length, so logits need a temperature to be sharp.
LOGIT_SCALE = 16.0


class AttributeHeads(nn.Module):
    """One linear classifier per attribute on a unit-length embedding.

    Args:
        embed_dim: size D of the embedding.
        attributes: attribute name -> class names; `ATTRIBUTES` when omitted.
    """

    def __init__(self, embed_dim: int, attributes: dict[str, tuple[str, ...]] | None = None) -> None:
        super().__init__()
        self.attributes = {name: tuple(values) for name, values in (attributes or ATTRIBUTES).items()}
        self.embed_dim = embed_dim
        self.heads = nn.ModuleDict({name: nn.Linear(embed_dim, len(values)) for name, values in self.attributes.items()})

    def forward(self, embeddings: torch.Tensor) -> dict[str, torch.Tensor]:
        """(N, D) unit embeddings -> attribute name -> (N, classes) logits."""
        return {name: head(embeddings * LOGIT_SCALE) for name, head in self.heads.items()}

    def save(self, path: str | Path) -> None:
        """Write weights and the attribute vocabularies to one safetensors file, atomically."""
        metadata = {
            "format": FILE_FORMAT,
            "embed_dim": str(self.embed_dim),
            "attributes": json.dumps(self.attributes),
        }
        tensors = {name: tensor.detach().contiguous().cpu() for name, tensor in self.state_dict().items()}
        write_bytes_atomic(Path(path), save(tensors, metadata=metadata))

    @classmethod
    def load(cls, path: str | Path) -> AttributeHeads:
        """Rebuild heads saved by `save`."""
        if not Path(path).is_file():
            raise FileNotFoundError(f"attribute heads not found: {path} (run `atelier bench train-judges`)")
        with safe_open(str(path), framework="pt", device="cpu") as handle:
            metadata = handle.metadata() or {}
            if metadata.get("format") != FILE_FORMAT:
                raise ValueError(f"{path} is not saved AttributeHeads (metadata format {metadata.get('format')!r})")
            state_dict = {name: handle.get_tensor(name) for name in handle.keys()}  # noqa: SIM118 - safe_open is not a dict
        attributes = {name: tuple(values) for name, values in json.loads(metadata["attributes"]).items()}
        heads = cls(int(metadata["embed_dim"]), attributes)
        heads.load_state_dict(state_dict)
        return heads.eval()


class AttributeReader(nn.Module):
    """A feature network with its attribute heads: crops in, attribute probabilities out.

    Args:
        network: the trained feature network.
        heads: its attribute heads.
    """

    def __init__(self, network: FeatureNetwork, heads: AttributeHeads) -> None:
        super().__init__()
        if heads.embed_dim != network.feature_dim:
            raise ValueError(f"heads expect {heads.embed_dim}-d embeddings, the network gives {network.feature_dim}")
        self.network = network.eval()
        self.heads = heads.eval()

    @torch.no_grad()
    def read(self, crops: torch.Tensor) -> dict[str, torch.Tensor]:
        """Attribute probabilities of crops.

        Args:
            crops: (N, 3, S, S) in [0, 1], as made by `atelier.eval.judges.judge_crops.masked_crop`.

        Returns:
            attribute name -> (N, classes) probabilities (rows sum to one).
        """
        logits = self.heads(self.network.embed(crops))
        return {name: values.softmax(dim=-1) for name, values in logits.items()}


def bhattacharyya_coefficient(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Overlap of two probability vectors, Σ √(p_i q_i): 1 for equal readings, 0 for disjoint ones.

    Args:
        p: (..., K) probabilities.
        q: (..., K) probabilities.

    Returns:
        (...) coefficients in [0, 1].
    """
    return (p.clamp_min(0) * q.clamp_min(0)).sqrt().sum(dim=-1).clamp(0, 1)
