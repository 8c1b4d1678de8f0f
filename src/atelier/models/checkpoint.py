"""Self-describing checkpoints: weights in safetensors, configs in its metadata.

A checkpoint holds named modules (e.g. "tryon_model", "autoencoder", "text_encoder"). Each
module's architecture is written next to its weights, so `load_checkpoint` rebuilds every
module from the file alone, never from defaults or guesses. Run configs (training settings,
data, step) travel in the same header for provenance.

File layout: tensors are named "<module name>.<state-dict key>"; metadata holds
"format", "architecture" (JSON: module name -> {"kind", ...}) and "configs" (JSON).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from atelier.models.autoencoder import Autoencoder
from atelier.models.text_encoder import TextEncoder
from atelier.models.tryon_model import TryOnModel

FORMAT = "atelier-checkpoint/1"

# Modules a checkpoint can rebuild: each has `kind`, `architecture()` and `from_architecture()`.
BUILDABLE: dict[str, type[nn.Module]] = {cls.kind: cls for cls in (TryOnModel, Autoencoder, TextEncoder)}


@dataclass(frozen=True)
class Checkpoint:
    """A loaded checkpoint.

    Attributes:
        modules: rebuilt modules with their weights, by name.
        configs: the configs saved with them (run config etc.), plus "architecture".
    """

    modules: dict[str, nn.Module]
    configs: dict[str, Any]


def _kind_of(module: nn.Module) -> str:
    kind = getattr(module, "kind", None)
    if kind not in BUILDABLE or not isinstance(module, BUILDABLE[kind]):
        raise TypeError(f"{type(module).__name__} cannot be rebuilt from a checkpoint; buildable: {sorted(BUILDABLE)}")
    return kind


def save_checkpoint(path: str | Path, modules: dict[str, nn.Module], configs: dict[str, Any] | None = None) -> None:
    """Write modules and configs to one safetensors file, atomically.

    The file is written beside its destination and moved into place with `os.replace`, so a
    crash mid-write never leaves a truncated checkpoint where a good one was.

    Args:
        path: destination `.safetensors` file.
        modules: modules by name; each must be one of `BUILDABLE`'s kinds.
        configs: JSON-serialisable configs to keep with the weights (e.g. {"run": {...}}).
    """
    path = Path(path)
    configs = dict(configs or {})
    if "architecture" in configs:
        raise ValueError("'architecture' is written from the modules themselves; do not pass it in configs")
    for name in modules:
        if not name or "." in name:
            raise ValueError(f"module names must be non-empty and contain no '.', got {name!r}")
    architecture = {name: {"kind": _kind_of(module), **module.architecture()} for name, module in modules.items()}
    tensors = {
        f"{name}.{key}": tensor.detach().contiguous().cpu()
        for name, module in modules.items()
        for key, tensor in module.state_dict().items()
    }
    metadata = {"format": FORMAT, "architecture": json.dumps(architecture), "configs": json.dumps(configs)}

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        save_file(tensors, temporary, metadata=metadata)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_checkpoint_configs(path: str | Path) -> dict[str, Any]:
    """The configs of a checkpoint, with "architecture", without reading any weights."""
    with safe_open(str(path), framework="pt") as file:
        metadata = file.metadata() or {}
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path} is not an Atelier checkpoint (format {metadata.get('format')!r}, expected {FORMAT})")
    return {**json.loads(metadata["configs"]), "architecture": json.loads(metadata["architecture"])}


def load_checkpoint(path: str | Path, device: torch.device | str = "cpu") -> Checkpoint:
    """Rebuild every module of a checkpoint from its metadata and load its weights.

    Args:
        path: a file written by `save_checkpoint`.
        device: where the modules are placed.

    Returns:
        The modules (in eval mode) and configs.
    """
    configs = read_checkpoint_configs(path)
    tensors = load_file(str(path), device=str(device))
    modules = {}
    for name, description in configs["architecture"].items():
        description = dict(description)
        kind = description.pop("kind")
        if kind not in BUILDABLE:
            raise ValueError(f"checkpoint module {name!r} has unknown kind {kind!r}")
        module = BUILDABLE[kind].from_architecture(description)
        prefix = f"{name}."
        state = {key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)}
        module.load_state_dict(state, strict=True)
        modules[name] = module.to(device).eval()
    return Checkpoint(modules, configs)
