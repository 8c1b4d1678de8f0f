"""A trained try-on checkpoint as a bench model: `atelier bench --model path/to/checkpoint`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from atelier.eval.bench.bench_request import BenchRequest
from atelier.world.sampling import stable_hash


class PipelineModel:
    """Runs `atelier.pipelines.TryOnPipeline` on bench requests.

    The pipeline is imported only when a checkpoint is benchmarked, so the bench and its
    baselines work without it.

    Args:
        path: a checkpoint folder written by training.
        seed: mixed into each sample's sampling seed (a sample's answer is reproducible).
        restore_detail: the pipeline's detail restoration (None: the checkpoint's default).
    """

    def __init__(self, path: str | Path, seed: int = 0, restore_detail: bool | None = None) -> None:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no try-on checkpoint at {path}; --model takes a baseline name or a checkpoint folder")
        try:
            from atelier.pipelines import TryOnPipeline
        except ImportError as error:
            raise ImportError(
                f"benchmarking a checkpoint needs atelier.pipelines.TryOnPipeline, which could not be imported ({error}); "
                "the baselines (oracle, warp, paste, identity, noise) run without it"
            ) from error
        self.pipeline = TryOnPipeline.from_pretrained(path)
        self.name = path.name
        self.seed = seed
        self.restore_detail = restore_detail

    def __call__(self, request: BenchRequest) -> np.ndarray:
        return self.answer_batch([request])[0]

    def answer_batch(self, requests: Sequence[BenchRequest]) -> list[np.ndarray]:
        """Answers to several requests through `TryOnPipeline.batch_call`, which stacks those
        that fit one forward; each answer is what the request gets alone."""
        return self.pipeline.batch_call([self.pipeline_request(request) for request in requests])

    def pipeline_request(self, request: BenchRequest) -> dict:
        """`TryOnPipeline.__call__`'s keyword arguments for `request`, its sampling seed included."""
        return {
            "person": request.person,
            "garments": [(garment.image, garment.category) for garment in request.garments],
            "instruction": request.instruction,
            "task": request.task,
            "pose": request.pose_map,
            "outfit_source": request.outfit_source,
            "category": request.category,
            "seed": stable_hash("bench", self.seed, request.key) % 2**31,
            "restore_detail": self.restore_detail,
        }
