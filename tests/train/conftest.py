"""Run configs for tests: configs/tiny.yaml with its output in a temporary folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atelier.train.run_config import RunConfig, from_mapping, load_run_config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def tiny_config(output_dir: Path, **sections: dict[str, Any] | Any) -> RunConfig:
    """configs/tiny.yaml writing to `output_dir`; dict values update a section, others replace a field."""
    values = load_run_config(CONFIGS / "tiny.yaml").to_dict()
    values["output_dir"] = str(output_dir)
    values["logging"]["tensorboard"] = False
    for key, value in sections.items():
        if isinstance(value, dict):
            values[key] = {**values.get(key, {}), **value}
        else:
            values[key] = value
    return from_mapping(values)


def tiny_autoencoder_config(output_dir: Path, **sections: Any) -> RunConfig:
    """A tiny autoencoder run: 64×48 images, 32×24 crops, a few steps."""
    return tiny_config(
        output_dir,
        task="autoencoder",
        batch_size=4,
        model={"autoencoder": {"preset": "tiny"}},
        autoencoder={"crop": [32, 24], "records_per_step": 1, "latent_fit_images": 6},
        **sections,
    )
