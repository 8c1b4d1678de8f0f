"""Run configs: what `atelier train --config configs/<preset>.yaml` reads.

A run config is separate from the architecture configs of the models (those are dataclasses
with named presets in `atelier.models`); it picks presets, says what is trained on what data
and how. Every section is a frozen dataclass; unknown keys and wrong types are errors that
name the key, so a typo never silently trains the wrong thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from atelier.models.config_mapping import build_config, config_to_dict
from atelier.pipelines.task_inputs import TASKS

TASK_KINDS = ("autoencoder", "flow_matching")
DATA_SOURCES = ("world-live", "world")
PRECISIONS = ("auto", "bf16", "fp32")


class RunConfigError(ValueError):
    """A run config that cannot be used, naming the offending key."""


@dataclass(frozen=True)
class DataConfig:
    """Where training records come from.

    Attributes:
        source: "world-live" renders records on the fly (no disk, good on a CPU); "world"
            streams the shards of a build made by `atelier world build`.
        world: folder of the world build (source "world").
        split: world split to render (source "world-live").
        seed: world seed (source "world-live").
        image_size: (height, width) the models see; inputs are padded to its aspect.
        kinds: record kinds to train on.
        balance_buffer: records held back to balance tasks, categories and reference
            counts (0 takes records in the source's order).
        balance_patience: draws a held-back record may wait before it is dropped. Keep it
            above balance_buffer: a buffer of twice the patience drops 60% of the records it
            is given (benchmarks/training_stream_rate.py), half the patience 16%.
        workers: processes rendering records ahead (source "world-live"; 0 renders in the
            training process, enough on a CPU; a GPU needs many: one core renders about 40
            records a second on the H100 machine configs/gpu.yaml ran on, 120 on this
            project's CPU machine).
    """

    source: str = "world-live"
    world: str | None = None
    split: str = "train"
    seed: int = 0
    image_size: tuple[int, int] = (128, 96)
    kinds: tuple[str, ...] = TASKS
    balance_buffer: int = 0
    balance_patience: int = 32
    workers: int = 0


@dataclass(frozen=True)
class OptimizerConfig:
    """AdamW with linear warmup and a cosine decay to `min_learning_rate_ratio`."""

    learning_rate: float = 3e-4
    weight_decay: float = 0.01
    betas: tuple[float, float] = (0.9, 0.99)
    grad_clip: float = 1.0
    warmup_steps: int = 100
    min_learning_rate_ratio: float = 0.1


@dataclass(frozen=True)
class EmaConfig:
    """Exponential moving average of the trained weights (the weights that get shipped)."""

    decay: float = 0.999


@dataclass(frozen=True)
class LoggingConfig:
    """Progress, CSV/TensorBoard logs and sample grids.

    Attributes:
        every: steps between log rows.
        sample_every: steps between sample grid PNGs (0 turns them off).
        tensorboard: also write TensorBoard event files.
        progress_bar: show a tqdm bar with the loss and samples/s.
    """

    every: int = 10
    sample_every: int = 500
    tensorboard: bool = True
    progress_bar: bool = True


@dataclass(frozen=True)
class CheckpointConfig:
    """Atomic checkpoints: every `every` steps and at the end; the newest `keep` stay."""

    every: int = 500
    keep: int = 2


@dataclass(frozen=True)
class ComponentConfig:
    """One model component: a named preset with field overrides, or a trained checkpoint.

    Attributes:
        preset: preset name in the component's `PRESETS`.
        overrides: preset fields to change, e.g. {"vocab_size": 4096}.
        checkpoint: a `.safetensors` checkpoint (or a run's checkpoint folder) to load the
            trained component from; its architecture comes from the file.
    """

    preset: str = "tiny"
    overrides: dict[str, Any] = field(default_factory=dict)
    checkpoint: str | None = None


@dataclass(frozen=True)
class ModelConfig:
    """The components a run builds. The transformer's latent and text widths follow the
    autoencoder and the text encoder, so they need not be repeated."""

    autoencoder: ComponentConfig = field(default_factory=ComponentConfig)
    transformer: ComponentConfig = field(default_factory=ComponentConfig)
    text_encoder: ComponentConfig = field(default_factory=ComponentConfig)


@dataclass(frozen=True)
class AutoencoderTrainingConfig:
    """Losses and inputs of autoencoder training.

    Attributes:
        l1: weight of the pixel L1 loss.
        gradient: weight of the L1 loss between image gradients (keeps edges and prints sharp).
        kl: weight of the KL term, relative to the pixel loss summed over the image (the
            latent-diffusion convention, where 1e-6 is usual).
        crop: (height, width) random crops trained on; the autoencoder is convolutional,
            so crops teach it as well as whole images at a fraction of the cost.
        records_per_step: records whose images feed one step.
        latent_fit_images: images the latent scaling and shift are fitted on.
    """

    l1: float = 1.0
    gradient: float = 0.5
    kl: float = 1e-6
    crop: tuple[int, int] = (64, 48)
    records_per_step: int = 4
    latent_fit_images: int = 64


@dataclass(frozen=True)
class FlowMatchingConfig:
    """Flow-matching training of the try-on model.

    Attributes:
        text_dropout: probability a sample's instruction is replaced by "" (text guidance).
        reference_dropout: probability a sample loses all its conditions (reference guidance).
        garment_dropout: probability a sample that keeps its conditions loses its garments
            (`atelier.models.conditioning.GARMENT_ROLES`; the person and pose stay), so the
            model also learns the garment-free branch that garment guidance contrasts with.
        sigma_distribution: "logit_normal" or "uniform" training noise levels.
        logit_mean, logit_std: the logit-normal's parameters.
        sigma_shift: timestep shift used in training and stored for sampling.
        train_text_encoder: train the text encoder with the transformer (it starts random).
        tokenizer_vocab_size: BPE vocabulary trained on the world's text before training.
        tokenizer_outfits: outfits whose captions and instructions make the corpus.
        tokenizer_records: records whose instructions join the corpus.
        sample_steps: Euler steps of the sample grids (and the shipped default).
        text_guidance, reference_guidance: guidance of the sample grids (and the default).
        garment_guidance: garment guidance of the sample grids and the default (None: as
            reference_guidance); worth setting only where garment_dropout taught the model the
            garment-free branch.
        change_weight: extra loss weight of target latents that differ from the person photo's
            (the garment being put on; `atelier.train.change_weights`); 0 weighs all alike.
        attention_focus: weight of the attention-focus loss (`atelier.models.attention_focus`):
            one head per attention layer is taught to look at the garment images where the
            try-on changes the photo; 0 leaves attention unsupervised.
    """

    text_dropout: float = 0.1
    reference_dropout: float = 0.1
    garment_dropout: float = 0.0
    sigma_distribution: str = "logit_normal"
    logit_mean: float = 0.0
    logit_std: float = 1.0
    sigma_shift: float = 1.0
    train_text_encoder: bool = True
    tokenizer_vocab_size: int = 512
    tokenizer_outfits: int = 200
    tokenizer_records: int = 50
    sample_steps: int = 20
    text_guidance: float = 1.5
    reference_guidance: float = 1.5
    garment_guidance: float | None = None
    change_weight: float = 0.0
    attention_focus: float = 0.0


@dataclass(frozen=True)
class RunConfig:
    """A training run.

    Attributes:
        task: "autoencoder" or "flow_matching" (the try-on model).
        output_dir: where checkpoints, logs and sample grids go.
        steps: optimizer steps in total (a resumed run continues up to this).
        batch_size: samples per step and process (autoencoder: image crops).
        seed: seeds everything random in the run.
        threads: torch CPU threads (None leaves torch's default).
        precision: "auto" (bf16 autocast on a GPU, fp32 on a CPU), "bf16" or "fp32" (fp32
            weights everywhere, with TF32 matrix products on a GPU).
    """

    task: str
    output_dir: str
    steps: int
    batch_size: int
    seed: int = 0
    threads: int | None = None
    precision: str = "auto"
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optimizer: OptimizerConfig = field(default_factory=OptimizerConfig)
    ema: EmaConfig = field(default_factory=EmaConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    checkpoint: CheckpointConfig = field(default_factory=CheckpointConfig)
    autoencoder: AutoencoderTrainingConfig = field(default_factory=AutoencoderTrainingConfig)
    flow_matching: FlowMatchingConfig = field(default_factory=FlowMatchingConfig)

    def __post_init__(self) -> None:
        _require(self.task in TASK_KINDS, "task", f"must be one of {TASK_KINDS}, got {self.task!r}")
        _require(self.precision in PRECISIONS, "precision", f"must be one of {PRECISIONS}, got {self.precision!r}")
        _require(self.data.source in DATA_SOURCES, "data.source", f"must be one of {DATA_SOURCES}, got {self.data.source!r}")
        _require(self.data.source != "world" or bool(self.data.world), "data.world", "is required when data.source is 'world'")
        unknown_kinds = sorted(set(self.data.kinds) - set(TASKS))
        _require(not unknown_kinds and bool(self.data.kinds), "data.kinds", f"must be some of {TASKS}, got {unknown_kinds or 'none'}")
        _require(self.data.workers >= 0, "data.workers", "must be at least 0")
        _require(
            self.data.workers == 0 or self.data.source == "world-live",
            "data.workers",
            "renders records ahead for data.source 'world-live' only; a built world's shards are read, not rendered",
        )
        for name in ("steps", "batch_size"):
            _require(getattr(self, name) >= 1, name, "must be at least 1")
        _require(self.threads is None or self.threads >= 1, "threads", "must be at least 1")
        _require(self.logging.every >= 1 and self.checkpoint.every >= 1, "logging.every/checkpoint.every", "must be at least 1")
        _require(self.checkpoint.keep >= 1, "checkpoint.keep", "must be at least 1")
        _require(0 <= self.ema.decay < 1, "ema.decay", "must lie in [0, 1)")
        for name in ("text_dropout", "reference_dropout", "garment_dropout"):
            _require(0 <= getattr(self.flow_matching, name) <= 1, f"flow_matching.{name}", "must lie in [0, 1]")
        _require(self.flow_matching.change_weight >= 0, "flow_matching.change_weight", "must be at least 0")
        _require(self.flow_matching.attention_focus >= 0, "flow_matching.attention_focus", "must be at least 0")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (tuples as lists)."""
        return config_to_dict(self)

    def with_settings(self, settings: Sequence[tuple[str, Any]]) -> RunConfig:
        """A copy with dotted keys set, e.g. [("flow_matching.attention_focus", 2.0)]: one run
        config file serves an experiment's variants (`atelier train --set KEY=VALUE`).

        Raises:
            RunConfigError: a key whose parent is not a section of the config, or any value the
                config refuses (unknown keys are named as `from_mapping` names them).
        """
        values = self.to_dict()
        for key, value in settings:
            *sections, name = key.split(".")
            section = values
            for depth, part in enumerate(sections):
                section = section.get(part)
                if not isinstance(section, dict):
                    parent = ".".join(sections[: depth + 1])
                    raise RunConfigError(f"run config: cannot set {key}: {parent} is not a section of the config")
            section[name] = value
        return from_mapping(values)


def _require(condition: bool, key: str, message: str) -> None:
    if not condition:
        raise RunConfigError(f"run config: {key} {message}")


def load_run_config(path: str | Path) -> RunConfig:
    """Read a YAML run config.

    Raises:
        FileNotFoundError: no such file.
        RunConfigError: invalid YAML, unknown keys, wrong types or values.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no run config at {path}")
    try:
        values = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise RunConfigError(f"{path}: not valid YAML ({error})") from None
    try:
        return from_mapping(values)
    except RunConfigError as error:
        raise RunConfigError(f"{path}: {error}") from None


def from_mapping(values: Any) -> RunConfig:
    """Build a `RunConfig` from nested dictionaries (as read from YAML or a checkpoint)."""
    return build_config(RunConfig, values, RunConfigError)
