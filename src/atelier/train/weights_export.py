"""Exporting a run's checkpoint as shippable weights: `model.safetensors` + a readable `config.json`."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from atelier.models.checkpoint import read_checkpoint_configs
from atelier.pipelines.pipeline_config import PipelineConfig
from atelier.train.components import resolve_checkpoint_file
from atelier.world.shards import write_bytes_atomic

CONFIG_FILE = "config.json"


def export_weights(
    source: str | Path,
    destination: str | Path,
    dtype: torch.dtype = torch.bfloat16,
    guidance: tuple[float, ...] | None = None,
    restoration: tuple[float, float] | None = None,
    task_garment_guidance: dict[str, float] | None = None,
) -> Path:
    """Copy a checkpoint's model file into a weights folder and write its configs beside it.

    The safetensors file already describes itself; `config.json` repeats its configs
    (architecture, pipeline defaults, the run that made it, the step) for people to read.
    Floating-point weights are stored in `dtype`: bf16 by default, half the bytes of the fp32
    training checkpoint; `TryOnPipeline.from_pretrained` computes in fp32 whatever is stored.

    Args:
        source: a checkpoint file, checkpoint folder or run folder (its latest checkpoint).
        destination: the weights folder, e.g. weights/tryon.
        dtype: storage type of floating-point tensors (torch.bfloat16 or torch.float32).
        guidance: (text, reference) or (text, reference, garment) guidance scales to ship as
            the pipeline's defaults, e.g. what `benchmarks/guidance_sweep.py` chose on the val
            split; None keeps the run's.
        restoration: (agree_below, differ_above) detail-restoration thresholds to ship, e.g.
            the pair `benchmarks/detail_restoration_sweep.py` chose on the val split; None
            keeps the run's.
        task_garment_guidance: garment scales of named tasks, e.g. {"single": 5.0}, in place of
            the model's garment scale for those tasks; None keeps the run's.

    Returns:
        The written model file.
    """
    model_file = resolve_checkpoint_file(source)
    configs = read_checkpoint_configs(model_file)
    if guidance is not None or restoration is not None or task_garment_guidance is not None:
        configs["pipeline"] = _with_sampling_settings(
            model_file, configs.get("pipeline"), guidance, restoration, task_garment_guidance
        )
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / "model.safetensors"
    descriptor, temporary = tempfile.mkstemp(dir=destination, prefix=".model.", suffix=".tmp")
    os.close(descriptor)
    try:
        with safe_open(model_file, framework="pt") as handle:
            # The model file describes itself, so its configs carry any new guidance too.
            stored_configs = {key: value for key, value in configs.items() if key != "architecture"}
            metadata = {**handle.metadata(), "configs": json.dumps(stored_configs)}
            tensors = {name: _stored(handle.get_tensor(name), dtype) for name in handle.keys()}  # noqa: SIM118
        save_file(tensors, temporary, metadata=metadata)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    readable = {"source": str(model_file), **configs}
    for description in readable["architecture"].values():
        if "tokenizer" in description:  # tens of kilobytes of merges; the model file has them
            description["tokenizer"] = "(the byte-level BPE tokenizer JSON, in model.safetensors' metadata)"
    write_bytes_atomic(destination / CONFIG_FILE, (json.dumps(readable, indent=1) + "\n").encode())
    return target


def _with_sampling_settings(
    model_file: Path,
    pipeline: dict | None,
    guidance: tuple[float, ...] | None,
    restoration: tuple[float, float] | None,
    task_garment_guidance: dict[str, float] | None = None,
) -> dict:
    """A try-on checkpoint's pipeline config with chosen guidance and restoration, checked."""
    if pipeline is None:
        raise ValueError(f"{model_file} has no pipeline config (not a try-on model): guidance and restoration do not apply")
    pipeline = dict(pipeline)
    if guidance is not None:
        if len(guidance) not in (2, 3):
            raise ValueError(f"guidance is (text, reference) or (text, reference, garment), got {guidance!r}")
        pipeline.update(text_guidance=guidance[0], reference_guidance=guidance[1])
        if len(guidance) == 3:
            pipeline.update(garment_guidance=guidance[2])
    if task_garment_guidance is not None:
        pipeline["task_garment_guidance"] = dict(task_garment_guidance)
    if restoration is not None:
        chosen = {"agree_below": restoration[0], "differ_above": restoration[1]}
        pipeline["detail_restoration"] = {**pipeline.get("detail_restoration", {}), **chosen}
    PipelineConfig.from_dict(pipeline)  # refuse bad values before anything is written
    return pipeline


def _stored(tensor: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return tensor.to(dtype).contiguous() if tensor.is_floating_point() else tensor
