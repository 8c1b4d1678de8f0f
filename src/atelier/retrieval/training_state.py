"""The resumable training state: one file, replaced atomically.

`training_state.pt` holds the float32 weights, the optimizer and scheduler state, the step,
the torch RNG state, the architecture and the tokenizer (so a resumed run rebuilds the very
same encoder). It is written under a temporary name, fsynced and renamed over the previous
one: a run killed at any moment leaves the last complete state. It contains only tensors,
numbers and strings, so it loads with `torch.load(weights_only=True)`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

STATE_FILE = "training_state.pt"


@dataclass(frozen=True)
class TrainingState:
    """Everything a run needs to continue exactly where it stopped.

    Attributes:
        step: optimizer steps taken.
        model: the encoder's float32 state dict.
        optimizer: optimizer state dict.
        scheduler: learning-rate scheduler state dict.
        rng: torch's CPU RNG state (ByteTensor).
        architecture: `RetrievalEncoderConfig.to_dict()`.
        tokenizer: the tokenizer's JSON.
    """

    step: int
    model: dict[str, torch.Tensor]
    optimizer: dict[str, Any]
    scheduler: dict[str, Any]
    rng: torch.Tensor
    architecture: dict[str, Any]
    tokenizer: str


def save_training_state(folder: str | Path, state: TrainingState) -> Path:
    """Write `folder/training_state.pt` atomically; returns its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{STATE_FILE}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            torch.save(state.__dict__, file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes files private; a run folder is meant to be shared
        os.replace(temporary, folder / STATE_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return folder / STATE_FILE


def load_training_state(folder: str | Path) -> TrainingState | None:
    """The state saved in `folder`, or None when there is none yet."""
    path = Path(folder) / STATE_FILE
    if not path.is_file():
        return None
    with open(path, "rb") as file:
        return TrainingState(**torch.load(file, weights_only=True))
