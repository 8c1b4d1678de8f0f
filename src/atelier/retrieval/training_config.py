"""The retrieval run config: what `atelier retrieval train --config configs/retrieval.yaml` reads.

Separate from the architecture (`RetrievalEncoderConfig`, picked by preset name here). Unknown
keys and wrong types are errors naming the key, so a typo never trains the wrong thing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from atelier.models.config_mapping import build_config, config_to_dict
from atelier.retrieval.encoder_config import PRESETS, RetrievalEncoderConfig
from atelier.retrieval.training_task import LossWeights


class RetrievalConfigError(ValueError):
    """A run config that cannot be used, naming the offending key."""


@dataclass(frozen=True)
class ModelSection:
    """The architecture: a preset, optionally with fields changed (e.g. {num_queries: 32})."""

    preset: str = "small"
    overrides: dict[str, Any] = field(default_factory=dict)

    def architecture(self) -> RetrievalEncoderConfig:
        if self.preset not in PRESETS:
            raise RetrievalConfigError(f"model.preset must be one of {sorted(PRESETS)}, got {self.preset!r}")
        values = {**PRESETS[self.preset].to_dict(), **self.overrides}
        try:
            return RetrievalEncoderConfig.from_dict(values)
        except (TypeError, ValueError) as error:
            raise RetrievalConfigError(f"model.overrides: {error}") from None


@dataclass(frozen=True)
class DataSection:
    """What the encoder learns from.

    Attributes:
        split: world split of the training garments.
        world_seed: world seed.
        caption_pool: product shots with captions (image-text and captioning objectives).
        composed_pool: reference/modification/target triplets.
        fashioniq: a Fashion-IQ folder; when set, the composed objective trains on its train
            split instead of world triplets, and the caption objectives are off (it has no
            captions of single garments).
        category_group_size: batches are made of runs of this many garments of one category
            (hard in-batch negatives, see `atelier.retrieval.training_sampler`); 0 mixes freely.
    """

    split: str = "train"
    world_seed: int = 0
    caption_pool: int = 12000
    composed_pool: int = 12000
    fashioniq: str | None = None
    category_group_size: int = 16


@dataclass(frozen=True)
class TokenizerSection:
    """The byte-level BPE tokenizer trained before the model (ignored when fine-tuning)."""

    vocab_size: int = 1024
    garments: int = 3000


@dataclass(frozen=True)
class OptimizerSection:
    """AdamW with linear warmup and cosine decay to `min_learning_rate_ratio`."""

    learning_rate: float = 1e-3
    weight_decay: float = 0.05
    warmup_steps: int = 100
    min_learning_rate_ratio: float = 0.05
    grad_clip: float = 1.0


@dataclass(frozen=True)
class RetrievalRunConfig:
    """One training run.

    Attributes:
        output_dir: run folder: resumable training state, pool cache, metrics.csv.
        weights_out: where the finished encoder file is written (a folder).
        init_weights: an encoder file or folder to fine-tune from (its tokenizer and
            architecture are kept); None trains from scratch.
        steps: optimizer steps in all.
        batch_size: pairs per objective per step.
        seed: seeds the model, the batch order and the texts.
        threads: torch CPU threads (1 on a shared machine).
        checkpoint_every: steps between resumable checkpoints.
        progress_bar: show a tqdm bar.
    """

    output_dir: str = "runs/retrieval"
    weights_out: str = "weights/retrieval"
    init_weights: str | None = None
    steps: int = 1000
    batch_size: int = 64
    seed: int = 0
    threads: int = 1
    checkpoint_every: int = 100
    progress_bar: bool = True
    model: ModelSection = field(default_factory=ModelSection)
    data: DataSection = field(default_factory=DataSection)
    tokenizer: TokenizerSection = field(default_factory=TokenizerSection)
    optimizer: OptimizerSection = field(default_factory=OptimizerSection)
    loss_weights: LossWeights = field(default_factory=LossWeights)

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "threads", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise RetrievalConfigError(f"{name} must be positive, got {getattr(self, name)}")
        if self.batch_size < 2:
            raise RetrievalConfigError("batch_size must be at least 2 (contrastive losses need negatives)")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (tuples as lists)."""
        return config_to_dict(self)

    def replace_values(self, **values: Any) -> RetrievalRunConfig:
        """A copy with top-level fields replaced (output_dir, steps ... from the command line)."""
        return dataclasses.replace(self, **values)

    def with_fashioniq(self, root: str) -> RetrievalRunConfig:
        return dataclasses.replace(self, data=dataclasses.replace(self.data, fashioniq=root))


def load_retrieval_config(path: str | Path) -> RetrievalRunConfig:
    """Read a YAML run config.

    Raises:
        FileNotFoundError: no such file.
        RetrievalConfigError: invalid YAML, unknown keys, wrong types or values.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no run config at {path}")
    try:
        values = yaml.safe_load(path.read_text()) or {}
        config = build_config(RetrievalRunConfig, values, RetrievalConfigError)
        config.model.architecture()  # a bad preset or override fails now, not after rendering
        return config
    except yaml.YAMLError as error:
        raise RetrievalConfigError(f"{path}: not valid YAML ({error})") from None
    except RetrievalConfigError as error:
        raise RetrievalConfigError(f"{path}: {error}") from None


def config_from_dict(values: dict[str, Any]) -> RetrievalRunConfig:
    """Inverse of `RetrievalRunConfig.to_dict` (as stored with the weights)."""
    return build_config(RetrievalRunConfig, values, RetrievalConfigError)


