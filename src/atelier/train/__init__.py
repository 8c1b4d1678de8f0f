"""Training: one loop (Accelerate) running a task object that owns its model and loss.

`train(load_run_config("configs/default.yaml"))` is what `atelier train --config ...` runs:
`AutoencoderTask` for the image autoencoder, `FlowMatchingTask` for the try-on model. The
loop writes atomic, exactly resumable checkpoints that `atelier.pipelines` loads.

The names below are imported on first use (`atelier.lazy_exports`).
"""

from atelier.lazy_exports import lazy_exports

_HOMES = {
    "AutoencoderTask": "atelier.train.autoencoder_task",
    "FlowMatchingTask": "atelier.train.flow_matching_task",
    "TrainingResult": "atelier.train.loop",
    "train": "atelier.train.loop",
    "RunConfig": "atelier.train.run_config",
    "RunConfigError": "atelier.train.run_config",
    "load_run_config": "atelier.train.run_config",
}

__all__ = list(_HOMES)
__getattr__ = lazy_exports(__name__, _HOMES)
