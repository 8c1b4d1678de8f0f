"""Reading published metric weights (VGG, AlexNet, LPIPS heads, FID Inception) from local files."""

from __future__ import annotations

from pathlib import Path

import torch
from safetensors.torch import load_file


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """A state dict from a local `.safetensors` file or a PyTorch pickle.

    Published metric weights ship as `.pth` pickles, so those are read with
    `torch.load(weights_only=True)`, which refuses arbitrary objects.

    Args:
        path: file on disk; nothing is ever downloaded.

    Returns:
        parameter name -> tensor, on CPU.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"weights file not found: {path}")
    if path.suffix == ".safetensors":
        return load_file(str(path))
    loaded = torch.load(path, map_location="cpu", weights_only=True)
    # Some checkpoints wrap the weights, e.g. {"state_dict": {...}}.
    if isinstance(loaded, dict) and isinstance(loaded.get("state_dict"), dict):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise ValueError(f"{path} does not hold a state dict of tensors")
    return dict(loaded)
