"""The encoder's weights file: safetensors, bf16, describing itself.

The file holds every weight in bfloat16 (half the bytes of float32; the shipped encoder fits
well under 8 MB) and, in its metadata, everything needed to rebuild the encoder: the
architecture, the tokenizer (its JSON) and the run config that trained it. `load_encoder`
needs nothing else, and upcasts to float32 because bf16 arithmetic on a CPU without AVX-512
is many times slower than float32.

Tied weights (the token embedding is shared by the Q-Former and the caption decoder) are
stored once, under the first name the module lists them by.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from tokenizers import Tokenizer
from torch import nn

from atelier.retrieval.encoder import RetrievalEncoder
from atelier.retrieval.encoder_config import RetrievalEncoderConfig

FORMAT = "atelier-retrieval-encoder/1"
ENCODER_FILE = "encoder.safetensors"
DEFAULT_WEIGHTS = Path("weights/retrieval")


class UnusableWeights(ValueError):
    """A weights path that holds no readable retrieval encoder."""


def encoder_path(path: str | os.PathLike) -> Path:
    """The encoder file of `path`: the file itself, or `encoder.safetensors` in a folder."""
    path = Path(path)
    return path / ENCODER_FILE if path.is_dir() else path


def save_encoder(path: str | os.PathLike, encoder: RetrievalEncoder, run_config: dict[str, Any] | None = None) -> Path:
    """Write the encoder in bf16 with its configs in the metadata, atomically.

    Args:
        path: a `.safetensors` file, or a folder to hold `encoder.safetensors`.
        encoder: the encoder.
        run_config: the run config that trained it (kept for provenance).

    Returns:
        The file written.
    """
    path = Path(path)
    if path.suffix != ".safetensors":
        path = path / ENCODER_FILE
    tensors = {
        name: tensor.detach().to(torch.bfloat16).contiguous().cpu()
        for name, tensor in encoder.state_dict().items()
        if name not in tied_aliases(encoder)
    }
    metadata = {
        "format": FORMAT,
        "architecture": json.dumps(encoder.config.to_dict()),
        "tokenizer": encoder.tokenizer.to_str(),
        "run": json.dumps(run_config or {}),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        save_file(tensors, temporary, metadata=metadata)
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes files private; weights are meant to be shared
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_encoder_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """Architecture, tokenizer JSON and run config of an encoder file, reading no weights.

    Raises:
        FileNotFoundError: no file there.
        UnusableWeights: not a retrieval encoder file, or unreadable.
    """
    file = encoder_path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no retrieval encoder at {file} (train one with `atelier retrieval train`)")
    try:
        with safe_open(str(file), framework="pt") as opened:
            metadata = opened.metadata() or {}
    except (SafetensorError, OSError, ValueError) as error:
        raise UnusableWeights(f"{file}: not a readable safetensors file ({error})") from None
    if metadata.get("format") != FORMAT:
        raise UnusableWeights(f"{file} is not a retrieval encoder (format {metadata.get('format')!r}, expected {FORMAT})")
    return {
        "architecture": json.loads(metadata["architecture"]),
        "tokenizer": metadata["tokenizer"],
        "run": json.loads(metadata["run"]),
    }


def load_encoder(path: str | os.PathLike = DEFAULT_WEIGHTS, device: torch.device | str = "cpu") -> RetrievalEncoder:
    """Rebuild an encoder from its file alone, in float32 and eval mode.

    Args:
        path: an encoder file, or a folder holding `encoder.safetensors`.
        device: where to put it.

    Raises:
        FileNotFoundError: no file there.
        UnusableWeights: not a retrieval encoder file, or its weights do not fit its config.
    """
    file = encoder_path(path)
    metadata = read_encoder_metadata(file)
    try:
        config = RetrievalEncoderConfig.from_dict(metadata["architecture"])
        encoder = RetrievalEncoder(config, Tokenizer.from_str(metadata["tokenizer"]))
        state = {name: tensor.float() for name, tensor in load_file(str(file)).items()}
        missing, unexpected = encoder.load_state_dict(state, strict=False)
    except (SafetensorError, ValueError, TypeError, RuntimeError, KeyError) as error:
        raise UnusableWeights(f"{file}: cannot rebuild the encoder ({error})") from None
    missing = set(missing) - tied_aliases(encoder)
    if missing or unexpected:
        raise UnusableWeights(f"{file}: weights do not fit the architecture (missing {sorted(missing)[:3]}, unexpected {sorted(unexpected)[:3]})")
    return encoder.to(device).eval()


def tied_aliases(module: nn.Module) -> set[str]:
    """State-dict names that repeat a tensor already listed under an earlier name."""
    seen: set[int] = set()
    aliases = set()
    for name, tensor in module.state_dict(keep_vars=True).items():
        if id(tensor) in seen:
            aliases.add(name)
        seen.add(id(tensor))
    return aliases


def encoder_fingerprint(path: str | os.PathLike) -> str:
    """A short SHA-256 of an encoder file: indexes record it to refuse another encoder."""
    digest = hashlib.sha256()
    with open(encoder_path(path), "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()[:16]
