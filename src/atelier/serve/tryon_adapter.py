"""The real try-on pipeline behind the service's :class:`BatchPipeline` interface."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from atelier.serve.batch_pipeline import BatchPipeline, UnavailablePipeline
from atelier.serve.tryon_request import TryOnRequest

logger = logging.getLogger(__name__)


class TryOnPipelineAdapter:
    """Runs :class:`atelier.pipelines.TryOnPipeline` on batches of service requests.

    A pipeline with ``batch_call`` gets the whole batch at once (it stacks the requests
    whose conditions agree into one forward pass); one without it is called per request.

    Args:
        pipeline: A loaded ``TryOnPipeline`` (or anything with its call signature).
    """

    def __init__(self, pipeline: Any):
        self.pipeline = pipeline

    def __call__(self, requests: Sequence[TryOnRequest]) -> list[np.ndarray]:
        arguments = [pipeline_arguments(request) for request in requests]
        batch_call = getattr(self.pipeline, "batch_call", None)
        if callable(batch_call):
            images = batch_call(arguments)  # stacks requests whose conditions agree into one forward
        else:
            images = [self.pipeline(**one) for one in arguments]
        return [np.asarray(image, dtype=np.uint8) for image in images]

    def check(self, request: TryOnRequest) -> None:
        """Lets the pipeline refuse a request before it is queued, if it can check inputs."""
        check_inputs = getattr(self.pipeline, "check_inputs", None)
        if callable(check_inputs):
            check_inputs(**pipeline_arguments(request))


def pipeline_arguments(request: TryOnRequest) -> dict[str, Any]:
    """The keyword arguments of one ``TryOnPipeline.__call__`` for ``request``.

    Steps, guidance, seed and restore_detail are left out when the client gave none, so the
    pipeline's own defaults apply.
    """
    arguments: dict[str, Any] = {
        "person": request.person,
        "garments": list(request.garments),
        "instruction": request.instruction,
        "task": request.task,
        "pose": request.pose,
        "outfit_source": request.outfit_source,
    }
    for name in ("steps", "guidance", "seed", "restore_detail"):
        value = getattr(request, name)
        if value is not None:
            arguments[name] = value
    return arguments


def load_tryon_pipeline(weights: Path) -> BatchPipeline:
    """Loads the try-on pipeline from a checkpoint folder.

    Missing weights are not fatal: the service starts and says, on ``/readyz`` and to
    every try-on request, which path it could not find. A checkpoint that exists but is
    broken is an error, since serving without the model the operator named would mislead.

    Args:
        weights: Folder written by training (safetensors + config).

    Returns:
        The adapted pipeline, or an :class:`UnavailablePipeline` naming what is missing.

    Raises:
        ValueError: The checkpoint is there but is not a complete try-on checkpoint.
    """
    weights = Path(weights)
    if not weights.exists():
        return UnavailablePipeline(
            f"try-on weights not found at {weights}; train a checkpoint or start the service with --weights DIR"
        )
    try:
        from atelier.pipelines import MissingWeightsError, TryOnPipeline
    except ImportError as error:
        return UnavailablePipeline(f"the try-on pipeline cannot be imported ({error})")
    logger.info("loading the try-on pipeline from %s", weights)
    try:
        pipeline = TryOnPipeline.from_pretrained(weights)
    except MissingWeightsError as error:
        # A folder without a checkpoint in it is as missing as no folder.
        return UnavailablePipeline(str(error))
    return TryOnPipelineAdapter(pipeline)
