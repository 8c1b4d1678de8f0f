"""Try-on latency on this machine: the shipped architecture (configs/default.yaml), random weights.

`--config` times another run config's architecture instead (its autoencoder checkpoint is loaded
when it is here, since its latent channels set the transformer's width; otherwise the default
autoencoder stands in, and the first line says so).

Prints one figure per line:
  seconds per denoising step and per image at 1, 3 and 6 garment references (the person is one
  more condition), with the default steps and guidance (three guidance branches: text and
  references, references alone stacked in one batch; the unconditional one apart, without
  reference tokens);
  achieved GFLOP/s of one denoising step (FLOPs counted by torch's FlopCounterMode) beside a
  plain fp32 matmul measured in the same run, and their ratio;
  peak resident memory of the process.

    .venv/bin/python benchmarks/tryon_latency.py [--threads N] [--repeats R] [--config configs/gpu_c8.yaml]
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from atelier.flow.guidance import Branch
from atelier.pipelines import PipelineConfig, TryOnPipeline
from atelier.train.components import (
    build_autoencoder_component,
    build_text_encoder_component,
    build_transformer_component,
)
from atelier.train.run_config import (
    ComponentConfig,
    RunConfig,
    RunConfigError,
    load_run_config,
)
from atelier.train.text_corpus import train_world_tokenizer
from atelier.world.tasks import make_record

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"
REFERENCE_COUNTS = (1, 3, 6)
CATEGORIES = ("top", "pants", "shoes", "bag", "hat", "coat")


def build_pipeline(config: RunConfig) -> TryOnPipeline:
    """A try-on run config's architecture with random weights (the autoencoder's checkpoint is optional)."""
    autoencoder_spec = config.model.autoencoder
    if autoencoder_spec.checkpoint and not Path(autoencoder_spec.checkpoint).exists():
        # The shipped autoencoder is the default preset, so it is built without its file.
        print(f"autoencoder: {autoencoder_spec.checkpoint} is not here, timing the default preset in its place")
        autoencoder_spec = ComponentConfig(preset="default")
    tokenizer = train_world_tokenizer(
        [], outfits=100, vocab_size=config.flow_matching.tokenizer_vocab_size, split="train", seed=0
    )
    autoencoder = build_autoencoder_component(autoencoder_spec)
    text_encoder = build_text_encoder_component(config.model.text_encoder, tokenizer)
    transformer = build_transformer_component(
        config.model.transformer, latent_channels=autoencoder.latent_channels, text_width=text_encoder.width
    )
    pipeline_config = PipelineConfig(
        image_size=config.data.image_size,
        steps=config.flow_matching.sample_steps,
        text_guidance=config.flow_matching.text_guidance,
        reference_guidance=config.flow_matching.reference_guidance,
        sigma_shift=config.flow_matching.sigma_shift,
    )
    return TryOnPipeline(transformer, autoencoder, text_encoder, config=pipeline_config)


def request(count: int) -> dict:
    record = make_record("multi", "test", 0, 1, (256, 192))
    garments = [(record.garments[i % len(record.garments)].image, CATEGORIES[i]) for i in range(count)]
    return {
        "task": "single" if count == 1 else "multi",
        "person": record.person.image,
        "garments": garments,
        "instruction": record.instruction,
        "seed": 0,
    }


def one_step_calls(pipeline: TryOnPipeline, count: int) -> list[dict]:
    """The transformer calls of one guided denoising step, as the sampler builds them: the
    FULL and REFERENCES branches stacked, then the UNCONDITIONAL branch without references."""
    checked = pipeline.check_inputs(**request(count))
    encoded = pipeline.encode([checked])
    latents = pipeline.prepare_latents([checked])
    calls = []

    def capture(x, sigma, *args, **kwargs):
        calls.append({"x": x, "sigma": sigma, "args": args, "kwargs": kwargs})
        return torch.zeros_like(x)

    original = pipeline.transformer.forward
    pipeline.transformer.forward = capture  # record the exact inputs the sampler builds
    try:
        # Scales other than 1 run all three branches, as the default guidance does.
        pipeline.denoise(latents, encoded, dataclasses.replace(checked, steps=1, text_scale=2.0, reference_scale=2.0))
    finally:
        pipeline.transformer.forward = original
    assert sum(call["x"].shape[0] for call in calls) == len(Branch), "one row per guidance branch"
    return calls


def run_calls(pipeline: TryOnPipeline, calls: list[dict]) -> None:
    for call in calls:
        pipeline.transformer(call["x"], call["sigma"], *call["args"], **call["kwargs"])


def time_call(function, repeats: int) -> float:
    function()  # warm-up
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    return (time.perf_counter() - start) / repeats


def matmul_gflops(repeats: int, size: int = 1024) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    seconds = time_call(lambda: a @ b, repeats * 5)
    return 2 * size**3 / seconds / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=torch.get_num_threads(), help="torch CPU threads")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions of each measurement")
    parser.add_argument(
        "--config",
        type=Path,
        default=CONFIG,
        help="run config whose architecture is timed (default: the shipped one's)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    try:
        config = load_run_config(args.config)
    except (FileNotFoundError, RunConfigError) as error:
        parser.error(str(error))
    if config.task != "flow_matching":
        parser.error(f"{args.config} trains {config.task!r}, not a try-on model (task: flow_matching)")
    pipeline = build_pipeline(config)
    steps = pipeline.config.steps
    print(
        f"device: cpu, fp32, {args.threads} threads, image {pipeline.config.image_size[0]}x{pipeline.config.image_size[1]}, {steps} steps"
    )

    with torch.no_grad():
        step_flops, image_seconds_by_count = {}, {}
        for count in REFERENCE_COUNTS:
            calls = one_step_calls(pipeline, count)
            call = lambda calls=calls: run_calls(pipeline, calls)
            step_seconds = time_call(call, args.repeats)
            with FlopCounterMode(display=False) as counter:
                call()
            step_flops[count] = counter.get_total_flops()
            image_seconds = time_call(lambda count=count: pipeline(**request(count)), 1)
            image_seconds_by_count[count] = image_seconds
            print(f"seconds per denoising step, {count} reference(s): {step_seconds:.3f}")
            print(f"seconds per image ({steps} steps), {count} reference(s): {image_seconds:.2f}")
            print(f"GFLOP per denoising step, {count} reference(s): {step_flops[count] / 1e9:.2f}")
            print(
                f"achieved GFLOP/s of one denoising step, {count} reference(s): {step_flops[count] / step_seconds / 1e9:.1f}"
            )
        most, least = REFERENCE_COUNTS[-1], REFERENCE_COUNTS[0]
        ratio = image_seconds_by_count[most] / image_seconds_by_count[least]
        print(f"seconds per image, {most} references / {least}: {ratio:.2f} (goal < 2)")
        matmul = matmul_gflops(args.repeats)
        print(f"plain fp32 matmul 1024x1024 GFLOP/s: {matmul:.1f}")
        calls = one_step_calls(pipeline, REFERENCE_COUNTS[-1])
        step_seconds = time_call(lambda: run_calls(pipeline, calls), args.repeats)
        achieved = step_flops[REFERENCE_COUNTS[-1]] / step_seconds / 1e9
        print(f"denoising step / matmul GFLOP/s ratio, {REFERENCE_COUNTS[-1]} references: {achieved / matmul:.2f}")
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory MiB: {peak_mib:.0f}")


if __name__ == "__main__":
    main()
