"""Training: one loop (Accelerate) running a task object that owns its model and loss.

`train(load_run_config("configs/default.yaml"))` is what `atelier train --config ...` runs:
`AutoencoderTask` for the image autoencoder, `FlowMatchingTask` for the try-on model. The
loop writes atomic, exactly resumable checkpoints that `atelier.pipelines` loads.

The names below are imported on first use, so a render worker that only needs
`atelier.train.record_sources` does not import the models (diffusers, transformers) too.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "AutoencoderTask": "atelier.train.autoencoder_task",
    "FlowMatchingTask": "atelier.train.flow_matching_task",
    "TrainingResult": "atelier.train.loop",
    "train": "atelier.train.loop",
    "RunConfig": "atelier.train.run_config",
    "RunConfigError": "atelier.train.run_config",
    "load_run_config": "atelier.train.run_config",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'atelier.train' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
