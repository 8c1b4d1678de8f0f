"""The training task a run config describes, built fresh or rebuilt from a checkpoint."""

from __future__ import annotations

from pathlib import Path

from accelerate import Accelerator
from tokenizers import Tokenizer

from atelier.models.checkpoint import load_checkpoint
from atelier.pipelines.pipeline_config import PipelineConfig
from atelier.pipelines.tryon_pipeline import AUTOENCODER, TEXT_ENCODER, TRANSFORMER
from atelier.train.autoencoder_task import AutoencoderTask
from atelier.train.components import (
    build_autoencoder_component,
    build_text_encoder_component,
    build_transformer_component,
    resolve_checkpoint_file,
)
from atelier.train.flow_matching_task import FlowMatchingTask
from atelier.train.record_sources import open_record_source
from atelier.train.run_config import RunConfig, RunConfigError
from atelier.train.text_corpus import train_world_tokenizer
from atelier.world.shards import write_bytes_atomic

TOKENIZER_FILE = "tokenizer.json"
Task = AutoencoderTask | FlowMatchingTask


def build_task(config: RunConfig, accelerator: Accelerator, resume_file: Path | None = None) -> Task:
    """Build the run's task.

    Args:
        config: the run config.
        accelerator: for sharing the tokenizer between processes.
        resume_file: a checkpoint's model.safetensors to rebuild the modules from (their
            architecture, tokenizer and frozen weights; the loop loads the trained weights).
    """
    if config.task == "autoencoder":
        autoencoder = (
            load_checkpoint(resume_file).modules[AUTOENCODER]
            if resume_file is not None
            else build_autoencoder_component(config.model.autoencoder)
        )
        return AutoencoderTask(autoencoder, config.autoencoder, config.data.image_size, config.batch_size)
    pipeline_config = PipelineConfig(
        image_size=config.data.image_size,
        steps=config.flow_matching.sample_steps,
        text_guidance=config.flow_matching.text_guidance,
        reference_guidance=config.flow_matching.reference_guidance,
        garment_guidance=config.flow_matching.garment_guidance,
        sigma_shift=config.flow_matching.sigma_shift,
    )
    if resume_file is not None:
        modules = load_checkpoint(resume_file).modules
    elif config.model.transformer.checkpoint:
        modules = load_checkpoint(resolve_checkpoint_file(config.model.transformer.checkpoint)).modules
        missing = sorted({TRANSFORMER, TEXT_ENCODER, AUTOENCODER} - set(modules))
        if missing:
            raise RunConfigError(f"model.transformer.checkpoint lacks {missing}; it must be a complete try-on checkpoint")
    else:
        modules = _fresh_modules(config, accelerator)
    for module in modules.values():
        module.train()
    return FlowMatchingTask(
        modules[TRANSFORMER], modules[AUTOENCODER], modules[TEXT_ENCODER], config.flow_matching, pipeline_config, config.batch_size
    )


def _fresh_modules(config: RunConfig, accelerator: Accelerator) -> dict:
    autoencoder = build_autoencoder_component(config.model.autoencoder)
    text_encoder = build_text_encoder_component(config.model.text_encoder, _shared_tokenizer(config, accelerator))
    transformer = build_transformer_component(
        config.model.transformer, latent_channels=autoencoder.latent_channels, text_width=text_encoder.width
    )
    return {TRANSFORMER: transformer, AUTOENCODER: autoencoder, TEXT_ENCODER: text_encoder}


def _shared_tokenizer(config: RunConfig, accelerator: Accelerator) -> Tokenizer:
    """Train the tokenizer once (main process), every other process reads the same file."""
    path = Path(config.output_dir) / TOKENIZER_FILE
    with accelerator.main_process_first():
        if accelerator.is_main_process:
            settings = config.flow_matching
            source = open_record_source(config.data)
            records = source.records_at(range(settings.tokenizer_records))
            tokenizer = train_world_tokenizer(
                records,
                outfits=settings.tokenizer_outfits,
                vocab_size=settings.tokenizer_vocab_size,
                split=config.data.split,
                seed=config.data.seed,
            )
            write_bytes_atomic(path, tokenizer.to_str().encode())
        # Every process, the main one included, reads the file, so all hold the same tokenizer.
        return Tokenizer.from_file(str(path))
