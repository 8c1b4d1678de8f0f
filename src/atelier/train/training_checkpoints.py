"""Training checkpoints: written atomically, found again by `latest`, resumed exactly.

One checkpoint is a folder `step-NNNNNNNN/`:

    model.safetensors      EMA weights of every module the task ships, configs in metadata;
                           loads with `atelier.models.checkpoint.load_checkpoint` (and is
                           what `TryOnPipeline.from_pretrained` reads)
    trainable.safetensors  the raw (non-averaged) trained weights, to resume from
    optimizer.pt           optimizer, scheduler and RNG state (read with weights_only=True)
    state.json             step, EMA update count, data stream state of every process

The folder is written under a temporary name and renamed into place when complete; then the
one-line file `latest` is replaced atomically to name it. A run killed at any moment leaves
`latest` naming the last complete checkpoint; a half-written folder is only ever a temporary
one, removed by the next save.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from atelier.models.checkpoint import save_checkpoint
from atelier.pipelines.checkpoint_paths import LATEST, MODEL_FILE
from atelier.world.shards import write_bytes_atomic

TRAINABLE_FILE = "trainable.safetensors"
OPTIMIZER_FILE = "optimizer.pt"
STATE_FILE = "state.json"
_PREFIX = "step-"


@dataclass(frozen=True)
class CheckpointContents:
    """What a training checkpoint holds besides the EMA model file.

    Attributes:
        step: optimizer steps taken.
        trainable: raw trained modules by checkpoint name.
        optimizer: optimizer state dict.
        scheduler: learning-rate scheduler state dict.
        rng: torch RNG states, {"cpu": ByteTensor, "cuda": [ByteTensor, ...]}.
        state: JSON-ready state: "ema_updates", "streams" (one per process), anything else.
    """

    step: int
    trainable: dict[str, nn.Module]
    optimizer: dict[str, Any]
    scheduler: dict[str, Any]
    rng: dict[str, Any]
    state: dict[str, Any]


def checkpoint_name(step: int) -> str:
    return f"{_PREFIX}{step:08d}"


def save_training_checkpoint(
    folder: str | Path,
    contents: CheckpointContents,
    *,
    shipped_modules: dict[str, nn.Module],
    configs: dict[str, Any],
    keep: int,
) -> Path:
    """Write a checkpoint folder atomically, point `latest` at it, prune old ones.

    Args:
        folder: the run's checkpoints folder.
        contents: the training state.
        shipped_modules: modules for model.safetensors (EMA weights, frozen parts included).
        configs: configs for model.safetensors' metadata.
        keep: how many checkpoints to keep, newest first.

    Returns:
        The checkpoint folder.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = checkpoint_name(contents.step)
    final = folder / name
    if latest_checkpoint(folder) == final:
        return final  # this step is already the latest checkpoint
    _remove_temporaries(folder)
    temporary = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=folder))
    os.chmod(temporary, 0o755)  # mkdtemp makes folders private; checkpoints are meant to be shared
    try:
        save_checkpoint(temporary / MODEL_FILE, shipped_modules, configs)
        _write_trainable(temporary / TRAINABLE_FILE, contents.trainable)
        with open(temporary / OPTIMIZER_FILE, "wb") as file:
            torch.save({"optimizer": contents.optimizer, "scheduler": contents.scheduler, "rng": contents.rng}, file)
            file.flush()
            os.fsync(file.fileno())
        write_bytes_atomic(temporary / STATE_FILE, json.dumps({"step": contents.step, **contents.state}, indent=1).encode())
        if final.exists():
            shutil.rmtree(final)  # an earlier attempt at this step that never became `latest`
        os.replace(temporary, final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    write_bytes_atomic(folder / LATEST, f"{name}\n".encode())
    _prune(folder, keep, protect=final)
    return final


def latest_checkpoint(folder: str | Path) -> Path | None:
    """The checkpoint `latest` names, or None when there is none yet."""
    pointer = Path(folder) / LATEST
    if not pointer.is_file():
        return None
    path = Path(folder) / pointer.read_text().strip()
    return path if (path / STATE_FILE).is_file() else None


def load_training_checkpoint(path: str | Path, trainable: dict[str, nn.Module]) -> CheckpointContents:
    """Read a checkpoint's training state into `trainable` modules (in place).

    Args:
        path: a checkpoint folder.
        trainable: the run's trainable modules by name, already built with the right shapes.

    Returns:
        The contents, `trainable` holding the raw weights.
    """
    path = Path(path)
    tensors = load_file(str(path / TRAINABLE_FILE))
    for name, module in trainable.items():
        prefix = f"{name}."
        module.load_state_dict({key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)})
    with open(path / OPTIMIZER_FILE, "rb") as file:
        saved = torch.load(file, weights_only=True)
    state = json.loads((path / STATE_FILE).read_text())
    return CheckpointContents(state.pop("step"), trainable, saved["optimizer"], saved["scheduler"], saved["rng"], state)


def _write_trainable(path: Path, modules: dict[str, nn.Module]) -> None:
    tensors = {
        f"{name}.{key}": value.detach().contiguous().cpu()
        for name, module in modules.items()
        for key, value in module.state_dict().items()
    }
    save_file(tensors, str(path))
    with open(path, "rb") as file:
        os.fsync(file.fileno())


def _remove_temporaries(folder: Path) -> None:
    for leftover in folder.glob(f".{_PREFIX}*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def _prune(folder: Path, keep: int, protect: Path) -> None:
    checkpoints = sorted(path for path in folder.glob(f"{_PREFIX}*") if path.is_dir())
    for old in checkpoints[:-keep]:
        if old != protect:
            shutil.rmtree(old, ignore_errors=True)
