"""Model components from a run config: presets with overrides, or trained checkpoints."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer

from atelier.models import autoencoder as autoencoder_presets
from atelier.models import mmdit as mmdit_presets
from atelier.models import text_encoder as text_encoder_presets
from atelier.models.autoencoder import Autoencoder, build_autoencoder
from atelier.models.checkpoint import load_checkpoint
from atelier.models.text_encoder import TextEncoder, build_text_encoder
from atelier.models.tryon_model import TryOnModel
from atelier.pipelines.checkpoint_paths import find_model_file
from atelier.train.run_config import ComponentConfig, RunConfigError


def resolve_checkpoint_file(path: str | Path) -> Path:
    """The model file behind a path: the file itself, a checkpoint folder, or a run folder.

    Raises:
        FileNotFoundError: nothing loadable there.
    """
    file = find_model_file(path)
    if file is None:
        raise FileNotFoundError(f"no checkpoint at {path} (expected a .safetensors file, a checkpoint folder or a run folder)")
    return file


def _preset(presets: dict[str, Any], spec: ComponentConfig, what: str) -> Any:
    if spec.preset not in presets:
        raise RunConfigError(f"model.{what}.preset: unknown preset {spec.preset!r}; expected one of {sorted(presets)}")
    config = presets[spec.preset]
    names = {field.name: field for field in dataclasses.fields(config)}
    unknown = sorted(set(spec.overrides) - set(names))
    if unknown:
        raise RunConfigError(f"model.{what}.overrides: unknown field(s) {unknown}; known: {sorted(names)}")
    values = {key: tuple(value) if isinstance(value, list) else value for key, value in spec.overrides.items()}
    return dataclasses.replace(config, **values)


def build_autoencoder_component(spec: ComponentConfig) -> Autoencoder:
    """A trained autoencoder from `spec.checkpoint`, or a random one from the preset."""
    if spec.checkpoint:
        modules = load_checkpoint(resolve_checkpoint_file(spec.checkpoint)).modules
        if "autoencoder" not in modules:
            raise RunConfigError(f"model.autoencoder.checkpoint: {spec.checkpoint} holds no autoencoder")
        return modules["autoencoder"]
    return build_autoencoder(_preset(autoencoder_presets.PRESETS, spec, "autoencoder"))


def build_text_encoder_component(spec: ComponentConfig, tokenizer: Tokenizer) -> TextEncoder:
    """A random text encoder of the preset around a trained tokenizer."""
    config = _preset(text_encoder_presets.PRESETS, spec, "text_encoder")
    return build_text_encoder(config, tokenizer)


def build_transformer_component(spec: ComponentConfig, *, latent_channels: int, text_width: int) -> TryOnModel:
    """A random `TryOnModel` of the preset, its input widths matched to the other components.

    in_channels is p² × the autoencoder's latent channels (p×p packing, p the config's
    patch_size) and the text widths are the text encoder's; the preset's values for them
    are replaced.
    """
    config = _preset(mmdit_presets.PRESETS, spec, "transformer")
    config = dataclasses.replace(
        config, in_channels=config.patch_size**2 * latent_channels, joint_attention_dim=text_width, pooled_projection_dim=text_width
    )
    return TryOnModel(config)
