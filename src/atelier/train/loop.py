"""The training loop: one generic loop on Accelerate, running whatever task the config names.

A task owns its modules and its loss: it turns records into a batch (`make_batch`), returns a
dict of losses from `forward` ("loss" is optimised, the rest logged), draws sample grids and
says what a checkpoint ships. The loop owns everything else: data stream, AdamW with warmup
and cosine decay, gradient clipping, EMA, logs, sample grids, atomic checkpoints and resume.

Resume is exact: every step's randomness comes from generators seeded by (seed, step,
process), the data stream restarts from its saved position, and the optimizer, scheduler and
EMA states are restored, so k steps + resume + k steps reproduce 2k steps loss for loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch
from accelerate import Accelerator
from accelerate.utils import gather_object
from tqdm import tqdm

from atelier.data.images import save_image_atomic
from atelier.models.checkpoint import load_checkpoint
from atelier.pipelines.checkpoint_paths import CHECKPOINTS
from atelier.train.balanced_stream import BalancedRecordStream
from atelier.train.ema import ExponentialMovingAverage
from atelier.train.lr_schedule import warmup_cosine_schedule
from atelier.train.metrics_log import IntervalMeans, MetricsLog
from atelier.train.record_sources import WorldLiveSource, open_record_source
from atelier.train.run_config import RunConfig
from atelier.train.task_builder import Task, build_task
from atelier.train.training_checkpoints import (
    MODEL_FILE,
    CheckpointContents,
    latest_checkpoint,
    load_training_checkpoint,
    save_training_checkpoint,
)
from atelier.world.records import Record

PREVIEW_SPLIT = "val"


@dataclass
class TrainingResult:
    """What a call to `train` did.

    Attributes:
        checkpoint: the newest checkpoint folder.
        step: steps taken in total (including those before a resume).
        losses: the optimised loss of every step this call ran (averaged over processes).
    """

    checkpoint: Path | None
    step: int
    losses: list[float] = field(default_factory=list)


def step_seed(seed: int, step: int, rank: int) -> int:
    """The seed of one step on one process; a pure function, so resumed runs replay it."""
    return ((seed * 1_000_003 + step) * 1_009 + rank) % (2**63 - 1)


def preview_records(config: RunConfig, count: int) -> list[Record]:
    """Fixed held-out records for sample grids and latent fitting, rendered from the world."""
    source = WorldLiveSource(
        split=PREVIEW_SPLIT, seed=config.data.seed, size_hw=config.data.image_size, kinds=config.data.kinds
    )
    return source.records_at(range(count))


def train(config: RunConfig, *, resume: bool = False, stop_after: int | None = None) -> TrainingResult:
    """Run (or continue) a training run.

    Args:
        config: the run config.
        resume: continue from the newest checkpoint in `output_dir`; without it an
            `output_dir` that already holds checkpoints is refused rather than overwritten.
        stop_after: take at most this many steps in this call, then checkpoint and return
            (to split a long run into sessions; `resume` continues it).

    Returns:
        A `TrainingResult`.

    Raises:
        FileNotFoundError: `resume` without a checkpoint; a missing world build.
        ValueError: an `output_dir` with checkpoints but no `resume`; a bad config.
    """
    if stop_after is not None and stop_after < 1:
        raise ValueError(f"stop_after must be at least 1, got {stop_after}")
    if config.threads is not None:
        torch.set_num_threads(config.threads)
    accelerator = _accelerator(config.precision)
    output_dir = Path(config.output_dir)
    checkpoints = output_dir / CHECKPOINTS
    start = latest_checkpoint(checkpoints)
    if resume and start is None:
        raise FileNotFoundError(f"--resume: no checkpoint in {checkpoints} to continue from")
    if not resume and start is not None:
        raise ValueError(f"{output_dir} already holds checkpoints; pass --resume to continue that run or choose another output_dir")

    torch.manual_seed(config.seed)  # identical initial weights in every process
    task = build_task(config, accelerator, None if start is None else start / MODEL_FILE)
    trainable = task.trainable_modules()
    parameters = [p for module in trainable.values() for p in module.parameters() if p.requires_grad]
    settings = config.optimizer
    optimizer = torch.optim.AdamW(
        parameters, lr=settings.learning_rate, betas=settings.betas, weight_decay=settings.weight_decay
    )
    scheduler = warmup_cosine_schedule(
        optimizer, warmup_steps=settings.warmup_steps, total_steps=config.steps, min_ratio=settings.min_learning_rate_ratio
    )
    rank, processes = accelerator.process_index, accelerator.num_processes
    stream = BalancedRecordStream(
        open_record_source(config.data, rank=rank, world_size=processes),
        buffer_size=config.data.balance_buffer,
        patience=config.data.balance_patience,
    )
    step, ema_updates = 0, 0
    if start is not None:
        contents = load_training_checkpoint(start, trainable)
        if len(contents.state["streams"]) != processes:
            raise ValueError(f"{start} was written by {len(contents.state['streams'])} processes; resume it with as many, not {processes}")
        stream.load_state_dict(contents.state["streams"][rank])
        step, ema_updates = contents.step, contents.state["ema_updates"]

    wrapped, optimizer = accelerator.prepare(task, optimizer)
    task.train()
    # After `prepare`, so the averages live on the parameters' device.
    ema = ExponentialMovingAverage(trainable, config.ema.decay)
    if start is not None:
        averaged = load_checkpoint(start / MODEL_FILE, device=accelerator.device).modules
        ema.load_from({name: averaged[name] for name in trainable}, ema_updates)
        optimizer.load_state_dict(contents.optimizer)
        scheduler.load_state_dict(contents.scheduler)
        torch.set_rng_state(contents.rng["cpu"])

    main = accelerator.is_main_process
    previews: list[Record] = preview_records(config, task.preview_record_count) if main else []
    log = (
        MetricsLog(
            output_dir,
            [*task.metric_names, "learning_rate", "grad_norm", "samples_per_second"],
            tensorboard=config.logging.tensorboard,
            resume_step=step if start is not None else None,
        )
        if main
        else None
    )
    progress = tqdm(
        total=config.steps, initial=step, disable=not (main and config.logging.progress_bar), dynamic_ncols=True, unit="step"
    )
    result = TrainingResult(checkpoint=start, step=step)
    meter = IntervalMeans(samples_per_step=config.batch_size * processes)
    until = config.steps if stop_after is None else min(config.steps, step + stop_after)
    while step < until:
        seed = step_seed(config.seed, step, rank)
        torch.manual_seed(seed)  # dropout inside the models
        generator = torch.Generator().manual_seed(seed)
        batch = task.make_batch(stream.next_records(task.records_per_step), generator)
        with accelerator.autocast():
            losses = wrapped(batch, generator)
        accelerator.backward(losses["loss"])
        grad_norm = accelerator.clip_grad_norm_(parameters, settings.grad_clip)
        learning_rate = scheduler.get_last_lr()[0]
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        ema.update(trainable)
        step += 1

        loss = accelerator.reduce(losses["loss"].detach().float(), reduction="mean").item()
        result.losses.append(loss)
        meter.add({**{key: value.detach().item() for key, value in losses.items()}, "loss": loss, "grad_norm": float(grad_norm)})
        progress.update(1)
        if step % config.logging.every == 0 or step == until:
            values = meter.means_and_reset()
            values["learning_rate"] = learning_rate
            progress.set_postfix(loss=f"{values['loss']:.4f}", samples_per_s=f"{values['samples_per_second']:.1f}")
            if log is not None:
                log.write(step, values)
        if main and config.logging.sample_every and step % config.logging.sample_every == 0:
            _write_sample_grid(task, trainable, ema, previews, output_dir / "samples" / f"step-{step:08d}.png")
        if step % config.checkpoint.every == 0 or step == until:
            result.checkpoint = _save(config, task, trainable, ema, optimizer, scheduler, stream, step, accelerator, previews)

    progress.close()
    stream.close()
    if log is not None:
        log.close()
    result.step = step
    accelerator.end_training()
    return result


def _accelerator(precision: str) -> Accelerator:
    """One process's Accelerator: the GPU when there is one, autocast as `precision` asks."""
    on_gpu = torch.cuda.is_available()
    bf16 = precision == "bf16" or (precision == "auto" and on_gpu)
    if bf16 and on_gpu:
        # cuDNN's fused attention failed in bf16 on an H100 (torch 2.11, CUDA 13: "mha_graph.execute
        # ... is_good()"); the flash and memory-efficient kernels remain.
        torch.backends.cuda.enable_cudnn_sdp(False)
    if on_gpu and not bf16:
        # fp32 weights and sums with TF32 matrix products: several times the fp32 rate on
        # Ampere and later, ~1e-3 relative error per product, far below the gradient noise.
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return Accelerator(cpu=not on_gpu, mixed_precision="bf16" if bf16 else "no")


def _write_sample_grid(
    task: Task, trainable: dict, ema: ExponentialMovingAverage, previews: list[Record], path: Path
) -> None:
    """A sample grid of the averaged weights, the ones a checkpoint ships."""
    averaged = {name: ema.averaged_copy(name, module) for name, module in trainable.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image_atomic(task.sample_grid(averaged, previews), path)


def _save(
    config: RunConfig,
    task: Task,
    trainable: dict,
    ema: ExponentialMovingAverage,
    optimizer,
    scheduler,
    stream: BalancedRecordStream,
    step: int,
    accelerator: Accelerator,
    previews: list[Record],
) -> Path | None:
    """Write a checkpoint from the main process with every process's data stream state."""
    streams = gather_object([stream.state_dict()])
    path = None
    if accelerator.is_main_process:
        averaged = {name: ema.averaged_copy(name, module) for name, module in trainable.items()}
        configs = {"run": config.to_dict(), "training": {"step": step}, **task.shipped_configs()}
        rng = {"cpu": torch.get_rng_state()}
        contents = CheckpointContents(
            step=step,
            trainable=trainable,
            optimizer=optimizer.state_dict(),
            scheduler=scheduler.state_dict(),
            rng=rng,
            state={"ema_updates": ema.updates, "streams": streams},
        )
        path = save_training_checkpoint(
            Path(config.output_dir) / CHECKPOINTS,
            contents,
            shipped_modules=task.shipped_modules(averaged, previews),
            configs=configs,
            keep=config.checkpoint.keep,
        )
    accelerator.wait_for_everyone()
    return path
