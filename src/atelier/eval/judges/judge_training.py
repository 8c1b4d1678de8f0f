"""`atelier bench train-judges`: train the parser and the feature network that TryOnBench judges with.

Both learn from the fashion world's train split only (`judge_training_data`) and are scored on
its test split (`judge_evaluation`), whose identities and garment combinations they never saw.
Training is resumable: every `checkpoint_every` steps the whole state (weights, optimiser, phase,
step) is written atomically to `<out>/.train-judges-state.pt`; rerunning the same command picks
up from there. Batches are drawn from generators seeded by (seed, phase, step), so a resumed run
draws the batches the uninterrupted one would have. When both networks are done the shipped
files are written atomically and the state file is removed:

    parser.safetensors            ParserNetwork (self-describing)
    features.safetensors          FeatureNetwork (self-describing; the `-atelier` metrics' backbone)
    attribute_heads.safetensors   AttributeHeads on the feature network's embedding
    judges.json                   training settings and held-out scores
"""

from __future__ import annotations

import io
import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save
from tqdm.auto import tqdm

from atelier.data.layout_files import write_bytes_atomic, write_json_atomic
from atelier.eval.judges.attribute_heads import ATTRIBUTES, AttributeHeads, AttributeReader
from atelier.eval.judges.feature_network import FILE_FORMAT as FEATURE_FILE_FORMAT
from atelier.eval.judges.feature_network import FeatureNetwork, FeatureNetworkConfig
from atelier.eval.judges.judge_evaluation import evaluate_judges
from atelier.eval.judges.judge_training_data import (
    UNKNOWN,
    CropExamples,
    ParserExamples,
    draw_judge_examples,
)
from atelier.eval.judges.parser_network import PRESETS as PARSER_PRESETS
from atelier.eval.judges.parser_network import ParserConfig, ParserNetwork
from atelier.world.labels import LABEL_ID, NUM_LABELS

PARSER_FILE = "parser.safetensors"
FEATURES_FILE = "features.safetensors"
HEADS_FILE = "attribute_heads.safetensors"
REPORT_FILE = "judges.json"
STATE_FILE = ".train-judges-state.pt"

# One normalisation group (a layer norm over channels and space): with groups of two channels the
# first layers normalise each colour response on its own and the network cannot tell colours apart.
JUDGE_FEATURE_CONFIG = FeatureNetworkConfig(stage_channels=(16, 32, 64, 96, 128), convs_per_stage=2, embed_dim=128, norm_groups=1)
"""The feature network TryOnBench ships: about 0.5M parameters, 2 MB."""
JUDGE_PARSER_CONFIG = PARSER_PRESETS["default"]
"""The parser TryOnBench ships: about 0.5M parameters, 2 MB, working at 64×48."""

NETWORKS = ("parser", "features")
WARMUP_STEPS = 50
FINAL_LR_FRACTION = 0.02


@dataclass(frozen=True)
class JudgeTrainingConfig:
    """Settings of one `train_judges` run (stored in judges.json).

    Attributes:
        parser_steps: optimiser steps of the parser.
        feature_steps: optimiser steps of the feature network and its heads.
        train_records: world train-split records rendered into training examples.
        test_records: world test-split records the judges are scored on.
        parser_batch: photos per parser step.
        feature_batch: crops per feature-network step.
        parser_lr: peak AdamW learning rate of the parser (cosine decay after a warm-up).
        feature_lr: peak AdamW learning rate of the feature network.
        weight_decay: AdamW weight decay.
        world_seed: the world seed records are drawn from.
        seed: initialisation and batch-order seed.
        checkpoint_every: steps between resumable checkpoints.
        parser: the parser's architecture.
        features: the feature network's architecture.
    """

    parser_steps: int = 1800
    feature_steps: int = 1400
    train_records: int = 2000
    test_records: int = 150
    parser_batch: int = 16
    feature_batch: int = 64
    parser_lr: float = 3e-3
    feature_lr: float = 2e-3
    weight_decay: float = 1e-4
    world_seed: int = 0
    seed: int = 0
    checkpoint_every: int = 100
    parser: ParserConfig = JUDGE_PARSER_CONFIG
    features: FeatureNetworkConfig = JUDGE_FEATURE_CONFIG

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _learning_rate(peak: float, step: int, total: int) -> float:
    warmup = min(1.0, (step + 1) / WARMUP_STEPS)
    cosine = 0.5 * (1 + math.cos(math.pi * min(step / max(total, 1), 1.0)))
    return peak * warmup * max(cosine, FINAL_LR_FRACTION)


def _generator(seed: int, phase: str, step: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed * 1_000_003 + {"parser": 1, "features": 2}[phase] * 100_000_007 + step)


# Mirroring a photo swaps which limb is the person's left and which the right.
_MIRRORED_LABELS = torch.arange(NUM_LABELS)
for _left, _right in (("left_arm", "right_arm"), ("left_leg", "right_leg")):
    _MIRRORED_LABELS[LABEL_ID[_left]], _MIRRORED_LABELS[LABEL_ID[_right]] = LABEL_ID[_right], LABEL_ID[_left]


def parser_class_weights(labels: np.ndarray) -> torch.Tensor:
    """(K,) loss weights ∝ 1/√frequency, scaled so the average pixel weighs 1.

    Small regions (face, neck, shoes) would otherwise barely move the loss; the square root
    keeps rare labels from dominating it.
    """
    frequency = np.bincount(labels.ravel(), minlength=NUM_LABELS).astype(np.float64) / labels.size
    weights = 1 / np.sqrt(frequency + 1e-4)
    return torch.tensor(weights / (frequency * weights).sum(), dtype=torch.float32)


def parser_batch(examples: ParserExamples, size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """A random augmented batch: (B, 3, h, w) in [0, 1] and (B, h, w) int64 labels.

    Augmentations a generated try-on image may show: mirroring, brightness and contrast shifts,
    pixel noise.
    """
    index = torch.randint(len(examples.images), (size,), generator=generator)
    images = torch.from_numpy(examples.images[index.numpy()]).permute(0, 3, 1, 2).float() / 255
    labels = torch.from_numpy(examples.labels[index.numpy()]).long()
    mirror = torch.rand(size, generator=generator) < 0.5
    images[mirror] = images[mirror].flip(-1)
    labels[mirror] = _MIRRORED_LABELS[labels[mirror].flip(-1)]
    contrast = 1 + (torch.rand(size, 1, 1, 1, generator=generator) - 0.5) * 0.3
    brightness = (torch.rand(size, 1, 1, 1, generator=generator) - 0.5) * 0.12
    noise = torch.randn(images.shape, generator=generator) * torch.rand(size, 1, 1, 1, generator=generator) * 0.03
    images = ((images - 0.5) * contrast + 0.5 + brightness + noise).clamp(0, 1)
    return images, labels


def feature_batch(examples: CropExamples, size: int, generator: torch.Generator) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """A random augmented batch of crops (B, 3, S, S) in [0, 1] and their targets (B,) per attribute.

    Random affine warps (rotation, scale, shear, shift) and mirroring, with neutral grey filling
    the border: worn and pasted garments reach the judge bent and shifted.
    """
    index = torch.randint(len(examples), (size,), generator=generator)
    crops = torch.from_numpy(examples.crops[index.numpy()]).float() / 255
    angle = (torch.rand(size, generator=generator) - 0.5) * math.radians(30)
    scale = 1 + (torch.rand(size, generator=generator) - 0.5) * 0.3
    shear = (torch.rand(size, generator=generator) - 0.5) * 0.2
    shift = (torch.rand(size, 2, generator=generator) - 0.5) * 0.12
    mirror = torch.where(torch.rand(size, generator=generator) < 0.5, -1.0, 1.0)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack(
        [torch.stack([cos * mirror, -sin + shear, shift[:, 0]], 1), torch.stack([sin * mirror, cos, shift[:, 1]], 1)], 1
    )
    grid = F.affine_grid(theta, list(crops.shape), align_corners=False)
    # Sampling the crop minus grey pads with grey once the grey is added back.
    crops = F.grid_sample(crops - 0.5, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + 0.5
    targets = {name: torch.from_numpy(values[index.numpy()]) for name, values in examples.targets.items()}
    return crops.clamp(0, 1), targets


def multi_task_loss(logits: dict[str, torch.Tensor], targets: dict[str, torch.Tensor]) -> torch.Tensor:
    """Sum over attributes of the cross-entropy on the crops that show that attribute."""
    total = torch.zeros(())
    for name, values in logits.items():
        known = targets[name] != UNKNOWN
        if known.any():
            total = total + F.cross_entropy(values[known], targets[name][known])
    return total


class _TrainingState:
    """Everything a resumed run needs, saved atomically as one `torch.save` file."""

    def __init__(self, config: JudgeTrainingConfig) -> None:
        torch.manual_seed(config.seed)
        self.config = config
        self.parser = ParserNetwork(config.parser)
        self.features = FeatureNetwork(config.features)
        self.heads = AttributeHeads(config.features.embed_dim, ATTRIBUTES)
        self.parser_optimizer = torch.optim.AdamW(self.parser.parameters(), lr=config.parser_lr, weight_decay=config.weight_decay)
        feature_parameters = list(self.features.parameters()) + list(self.heads.parameters())
        self.feature_optimizer = torch.optim.AdamW(feature_parameters, lr=config.feature_lr, weight_decay=config.weight_decay)
        self.parser_step = 0
        self.feature_step = 0

    def save(self, path: Path) -> None:
        state = {
            "config": self.config.to_json(),
            "parser": self.parser.state_dict(),
            "parser_optimizer": self.parser_optimizer.state_dict(),
            "features": self.features.state_dict(),
            "heads": self.heads.state_dict(),
            "feature_optimizer": self.feature_optimizer.state_dict(),
            "parser_step": self.parser_step,
            "feature_step": self.feature_step,
        }
        buffer = io.BytesIO()
        torch.save(state, buffer)
        write_bytes_atomic(path, buffer.getvalue())

    def load(self, path: Path) -> None:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if state["config"] != self.config.to_json():
            raise ValueError(
                f"{path} was written by a run with other settings; rerun with the same options or delete it to start over"
            )
        self.parser.load_state_dict(state["parser"])
        self.parser_optimizer.load_state_dict(state["parser_optimizer"])
        self.features.load_state_dict(state["features"])
        self.heads.load_state_dict(state["heads"])
        self.feature_optimizer.load_state_dict(state["feature_optimizer"])
        self.parser_step, self.feature_step = int(state["parser_step"]), int(state["feature_step"])


def train_judges(
    out_dir: str | Path,
    config: JudgeTrainingConfig | None = None,
    show_progress: bool = True,
    networks: tuple[str, ...] = NETWORKS,
) -> dict:
    """Train (or resume training) the parser and the feature network, then ship and score them.

    Each network draws its own batches, and the feature network's initialisation depends only on
    the seed and the parser's architecture (drawn first), so training one network alone gives the
    network a run training both would give.

    Args:
        out_dir: where the weights, judges.json and the resumable state go.
        config: the run's settings; `JudgeTrainingConfig()` when omitted.
        show_progress: draw a progress bar.
        networks: which to train, of "parser" and "features"; one left out is read from `out_dir`
            (it must be there) to score the judges together.

    Returns:
        the judges.json report: settings, held-out scores, seconds spent.
    """
    config = config or JudgeTrainingConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state_path = out_dir / STATE_FILE
    unknown = set(networks) - set(NETWORKS)
    if unknown or not networks:
        raise ValueError(f"networks must be some of {NETWORKS}, got {networks}")
    state = _TrainingState(config)
    if state_path.is_file():
        state.load(state_path)
    if "parser" not in networks:
        state.parser = ParserNetwork.load(out_dir / PARSER_FILE)
        state.parser_step = config.parser_steps
    if "features" not in networks:
        state.features = FeatureNetwork.load(out_dir / FEATURES_FILE)
        state.heads = AttributeHeads.load(out_dir / HEADS_FILE)
        state.feature_step = config.feature_steps
    started = time.perf_counter()
    total = config.train_records + config.parser_steps + config.feature_steps + config.test_records
    bar = tqdm(total=total, disable=not show_progress, desc="world train split", unit="it")
    bar.update(state.parser_step + state.feature_step)

    parser_examples, crop_examples = draw_judge_examples(
        "train", config.world_seed, config.train_records, config.parser.input_hw, progress=bar.update
    )
    class_weights = parser_class_weights(parser_examples.labels)

    bar.set_description("parser")
    state.parser.train()
    while state.parser_step < config.parser_steps:
        images, labels = parser_batch(parser_examples, config.parser_batch, _generator(config.seed, "parser", state.parser_step))
        for group in state.parser_optimizer.param_groups:
            group["lr"] = _learning_rate(config.parser_lr, state.parser_step, config.parser_steps)
        loss = F.cross_entropy(state.parser(images), labels, weight=class_weights)
        state.parser_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        state.parser_optimizer.step()
        state.parser_step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if state.parser_step % config.checkpoint_every == 0 or state.parser_step == config.parser_steps:
            state.save(state_path)
    del parser_examples

    bar.set_description("feature network")
    state.features.train()
    state.heads.train()
    while state.feature_step < config.feature_steps:
        crops, targets = feature_batch(crop_examples, config.feature_batch, _generator(config.seed, "features", state.feature_step))
        for group in state.feature_optimizer.param_groups:
            group["lr"] = _learning_rate(config.feature_lr, state.feature_step, config.feature_steps)
        loss = multi_task_loss(state.heads(state.features.embed(crops)), targets)
        state.feature_optimizer.zero_grad(set_to_none=True)
        loss.backward()
        state.feature_optimizer.step()
        state.feature_step += 1
        bar.update(1)
        bar.set_postfix(loss=f"{loss.item():.3f}")
        if state.feature_step % config.checkpoint_every == 0 or state.feature_step == config.feature_steps:
            state.save(state_path)
    del crop_examples

    bar.set_description("world test split")
    state.parser.eval()
    reader = AttributeReader(state.features.eval(), state.heads.eval())
    scores = evaluate_judges(state.parser, reader, "test", config.world_seed, config.test_records, progress=bar.update)
    bar.close()

    if "parser" in networks:
        state.parser.save(out_dir / PARSER_FILE)
    if "features" in networks:
        _save_feature_network(state.features, out_dir / FEATURES_FILE)
        state.heads.save(out_dir / HEADS_FILE)
    report = {
        "config": json.loads(config.to_json()),
        "trained_this_run": list(networks),
        "parser_parameters": sum(p.numel() for p in state.parser.parameters()),
        "feature_parameters": sum(p.numel() for p in state.features.parameters()),
        "test": scores,
        "seconds_this_run": round(time.perf_counter() - started, 1),
    }
    write_json_atomic(out_dir / REPORT_FILE, report)
    state_path.unlink(missing_ok=True)
    return report


def _save_feature_network(network: FeatureNetwork, path: Path) -> None:
    """`FeatureNetwork.save`'s file (same format and metadata), written atomically."""
    metadata = {"format": FEATURE_FILE_FORMAT, "config": json.dumps(asdict(network.config))}
    tensors = {name: tensor.detach().contiguous().cpu() for name, tensor in network.state_dict().items()}
    write_bytes_atomic(path, save(tensors, metadata=metadata))
