"""Train the retrieval encoder from a run config: pools, steps, checkpoints, the weights file.

    atelier retrieval train --config configs/retrieval.yaml [--resume] [--fashioniq ROOT]

One process on the CPU (the encoder is small enough that a step is a second or two on one
thread). Every `checkpoint_every` steps the full training state is written atomically; with
`resume` a run continues from it and takes exactly the steps the uninterrupted run would have
taken (batches and texts are functions of (seed, step)). At the last step the encoder is
written to `weights_out` in bf16 with its configs, the file `load_encoder` rebuilds from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Tokenizer
from tqdm import tqdm

from atelier.retrieval.encoder import RetrievalEncoder
from atelier.retrieval.encoder_config import RetrievalEncoderConfig
from atelier.retrieval.encoder_file import (
    load_encoder,
    read_encoder_metadata,
    save_encoder,
)
from atelier.retrieval.training_config import RetrievalRunConfig
from atelier.retrieval.training_pools import (
    CaptionPool,
    ComposedPool,
    load_pool,
    read_fashioniq_pool,
    render_caption_pool,
    render_composed_pool,
    save_pool,
)
from atelier.retrieval.training_sampler import (
    batch_indices,
    caption_batch,
    composed_batch,
)
from atelier.retrieval.training_state import (
    STATE_FILE,
    TrainingState,
    load_training_state,
    save_training_state,
)
from atelier.retrieval.training_task import retrieval_losses
from atelier.retrieval.untrained_encoder import untrained_encoder
from atelier.train.lr_schedule import warmup_cosine_schedule
from atelier.train.metrics_log import MetricsLog
from atelier.world.sampling import stable_hash

LOSS_NAMES = ("loss", "itc", "itm", "caption", "composed")
LOG_EVERY = 10


class RunFolderInUse(ValueError):
    """A fresh run was pointed at a folder that already holds a run's state."""


@dataclass(frozen=True)
class TrainingResult:
    """What a call to `train_retrieval` did.

    Attributes:
        step: steps taken in all (this call and earlier ones).
        weights: the encoder file written at the last step, or None when stopped early.
        seconds: wall time of this call.
    """

    step: int
    weights: Path | None
    seconds: float


def train_retrieval(config: RetrievalRunConfig, *, resume: bool = False, stop_after: int | None = None) -> TrainingResult:
    """Train (or continue training) the encoder a run config describes.

    Args:
        config: the run config.
        resume: continue from the state in `config.output_dir` (a fresh start when none).
        stop_after: take at most this many steps now, save the state and return.

    Raises:
        RunFolderInUse: not resuming, but the output folder holds a run already.
    """
    started = time.perf_counter()
    torch.set_num_threads(config.threads)
    output = Path(config.output_dir)
    state = load_training_state(output) if resume else None
    if not resume and (output / STATE_FILE).exists():
        raise RunFolderInUse(f"{output} already holds a training run; pass --resume to continue it or choose another output folder")
    torch.manual_seed(config.seed)
    architecture = _architecture(config, state)
    caption_pool, composed_pool = _pools(config, architecture.image_size, output)
    encoder = _build_encoder(config, state, architecture, composed_pool)

    decayed = [parameter for parameter in encoder.parameters() if parameter.ndim >= 2]
    kept = [parameter for parameter in encoder.parameters() if parameter.ndim < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decayed, "weight_decay": config.optimizer.weight_decay}, {"params": kept, "weight_decay": 0.0}],
        lr=config.optimizer.learning_rate,
    )
    scheduler = warmup_cosine_schedule(
        optimizer,
        warmup_steps=config.optimizer.warmup_steps,
        total_steps=config.steps,
        min_ratio=config.optimizer.min_learning_rate_ratio,
    )
    step = 0
    if state is not None:
        optimizer.load_state_dict(state.optimizer)
        scheduler.load_state_dict(state.scheduler)
        torch.set_rng_state(state.rng)
        step = state.step
    end = config.steps if stop_after is None else min(config.steps, step + stop_after)
    log = MetricsLog(output, LOSS_NAMES + ("learning_rate", "logit_scale"), tensorboard=False, resume_step=step)
    bar = tqdm(total=config.steps, initial=step, desc="train retrieval", unit="step", disable=not config.progress_bar)
    encoder.train()
    try:
        while step < end:
            losses = _train_step(encoder, optimizer, config, caption_pool, composed_pool, step)
            scheduler.step()
            step += 1
            bar.update(1)
            bar.set_postfix({name: f"{value:.3f}" for name, value in losses.items()})
            if step % LOG_EVERY == 0 or step == end:
                log.write(step, {**losses, "learning_rate": scheduler.get_last_lr()[0], "logit_scale": encoder.logit_scale.item()})
            if step % config.checkpoint_every == 0 or step == end:
                save_training_state(output, _state(step, encoder, optimizer, scheduler))
    finally:
        bar.close()
        log.close()
    weights = None
    if step >= config.steps:
        weights = save_encoder(config.weights_out, encoder.eval(), config.to_dict())
    return TrainingResult(step, weights, time.perf_counter() - started)


def _train_step(
    encoder: RetrievalEncoder,
    optimizer: torch.optim.Optimizer,
    config: RetrievalRunConfig,
    caption_pool: CaptionPool | None,
    composed_pool: ComposedPool,
    step: int,
) -> dict[str, float]:
    seed, size, group = config.seed, config.batch_size, config.data.category_group_size
    captions = None
    if caption_pool is not None:
        categories = [garment["category"] for garment in caption_pool.garments]
        indices = batch_indices(len(caption_pool), size, step, seed, categories, group)
        captions = caption_batch(caption_pool, indices, step, seed)
    categories = None
    if composed_pool.reference_garments is not None:
        categories = [garment["category"] for garment in composed_pool.reference_garments]
    indices = batch_indices(len(composed_pool), size, step, seed + 1, categories, group)
    composed = composed_batch(composed_pool, indices, step, seed)
    generator = torch.Generator().manual_seed(stable_hash("retrieval-negatives", seed, step))
    losses = retrieval_losses(encoder, captions, composed, config.loss_weights, generator)
    optimizer.zero_grad(set_to_none=True)
    losses["loss"].backward()
    torch.nn.utils.clip_grad_norm_(encoder.parameters(), config.optimizer.grad_clip)
    optimizer.step()
    return {name: value.item() for name, value in losses.items()}


def _architecture(config: RetrievalRunConfig, state: TrainingState | None) -> RetrievalEncoderConfig:
    """The architecture of the run: the saved state's, the init weights', or the config's."""
    if state is not None:
        return RetrievalEncoderConfig.from_dict(state.architecture)
    if config.init_weights is not None:
        return RetrievalEncoderConfig.from_dict(read_encoder_metadata(config.init_weights)["architecture"])
    return config.model.architecture()


def _build_encoder(
    config: RetrievalRunConfig, state: TrainingState | None, architecture: RetrievalEncoderConfig, composed_pool: ComposedPool
) -> RetrievalEncoder:
    """The encoder to train: from the saved state, from init weights, or new."""
    if state is not None:
        encoder = RetrievalEncoder(architecture, Tokenizer.from_str(state.tokenizer))
        encoder.load_state_dict(state.model)
        return encoder
    if config.init_weights is not None:
        return load_encoder(config.init_weights)
    # A real dataset's own words join the world's, so its vocabulary gets whole-word tokens.
    return untrained_encoder(
        architecture,
        garments=config.tokenizer.garments,
        vocab_size=config.tokenizer.vocab_size,
        split=config.data.split,
        seed=config.data.world_seed,
        extra_texts=[text for texts in composed_pool.texts for text in texts],
    )


def _pools(config: RetrievalRunConfig, size_hw: tuple[int, int], output: Path) -> tuple[CaptionPool | None, ComposedPool]:
    """The training pools, rendered (or read) once and cached in the run folder."""
    data = config.data
    if data.fashioniq:
        return None, read_fashioniq_pool(data.fashioniq, "train", size_hw, progress=config.progress_bar)
    tag = f"{data.split}-{data.world_seed}-{size_hw[0]}x{size_hw[1]}"
    caption_path = output / f"pool-caption-{tag}-{data.caption_pool}.npz"
    composed_path = output / f"pool-composed-{tag}-{data.composed_pool}.npz"
    if caption_path.is_file():
        caption_pool = load_pool(caption_path)
    else:
        caption_pool = render_caption_pool(data.split, data.world_seed, data.caption_pool, size_hw, config.progress_bar)
        save_pool(caption_pool, caption_path)
    if composed_path.is_file():
        composed_pool = load_pool(composed_path)
    else:
        composed_pool = render_composed_pool(data.split, data.world_seed, data.composed_pool, size_hw, config.progress_bar)
        save_pool(composed_pool, composed_path)
    return caption_pool, composed_pool


def _state(step: int, encoder: RetrievalEncoder, optimizer: torch.optim.Optimizer, scheduler) -> TrainingState:
    return TrainingState(
        step=step,
        model={name: tensor.detach().clone() for name, tensor in encoder.state_dict().items()},
        optimizer=optimizer.state_dict(),
        scheduler=scheduler.state_dict(),
        rng=torch.get_rng_state(),
        architecture=encoder.config.to_dict(),
        tokenizer=encoder.tokenizer.to_str(),
    )
