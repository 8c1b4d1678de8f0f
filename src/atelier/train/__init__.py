"""Training: one loop (Accelerate) running a task object that owns its model and loss.

`train(load_run_config("configs/default.yaml"))` is what `atelier train --config ...` runs:
`AutoencoderTask` for the image autoencoder, `FlowMatchingTask` for the try-on model. The
loop writes atomic, exactly resumable checkpoints that `atelier.pipelines` loads.
"""

from atelier.train.autoencoder_task import AutoencoderTask
from atelier.train.flow_matching_task import FlowMatchingTask
from atelier.train.loop import TrainingResult, train
from atelier.train.run_config import RunConfig, RunConfigError, load_run_config

__all__ = ["AutoencoderTask", "FlowMatchingTask", "RunConfig", "RunConfigError", "TrainingResult", "load_run_config", "train"]
