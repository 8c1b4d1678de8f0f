"""Inference pipelines: components in, images out; never downloads, never imports training code.

The names below are imported on first use (`atelier.lazy_exports`), so a module that needs only
`atelier.pipelines.task_inputs` does not import the models.
"""

from atelier.lazy_exports import lazy_exports

_HOMES = {
    "MAX_REFERENCES": "atelier.pipelines.task_inputs",
    "TASKS": "atelier.pipelines.task_inputs",
    "MissingWeightsError": "atelier.pipelines.tryon_pipeline",
    "PipelineConfig": "atelier.pipelines.pipeline_config",
    "TryOnPipeline": "atelier.pipelines.tryon_pipeline",
}

__all__ = list(_HOMES)
__getattr__ = lazy_exports(__name__, _HOMES)
