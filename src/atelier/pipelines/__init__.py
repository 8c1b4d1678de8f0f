"""Inference pipelines: components in, images out; never downloads, never imports training code."""

from atelier.pipelines.pipeline_config import PipelineConfig
from atelier.pipelines.task_inputs import MAX_REFERENCES, TASKS
from atelier.pipelines.tryon_pipeline import MissingWeightsError, TryOnPipeline

__all__ = ["MAX_REFERENCES", "TASKS", "MissingWeightsError", "PipelineConfig", "TryOnPipeline"]
