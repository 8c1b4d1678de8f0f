"""`atelier train`, `export-weights`, `autoencoder-psnr`: train from a run config, ship and measure the result."""

from __future__ import annotations

import argparse

from atelier.cli.arguments import dotted_setting, image_size, positive_int, task_scale


def register(subcommands: argparse._SubParsersAction) -> None:
    train = subcommands.add_parser(
        "train",
        help="train the autoencoder or the try-on model from a run config",
        description="Train what configs/<preset>.yaml describes (task: autoencoder or flow_matching) with "
        "checkpoints, logs and sample grids in its output_dir. One process by default; for DDP over N "
        "processes `accelerate launch --multi_gpu --num_processes N $(which atelier) train --config ...` "
        "(--multi_gpu selects torchrun; without GPUs the processes use gloo on the CPU).",
    )
    train.add_argument("--config", required=True, help="run config YAML, e.g. configs/default.yaml")
    train.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in output_dir")
    train.add_argument("--output-dir", help="override the config's output_dir")
    train.add_argument("--steps", type=positive_int, help="override the config's total steps")
    train.add_argument(
        "--set",
        dest="settings",
        type=dotted_setting,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one key of the config, dotted, with a YAML value (repeatable), e.g. --set "
        "flow_matching.attention_focus=2 --set model.autoencoder.checkpoint=weights/autoencoder-c8",
    )
    train.add_argument(
        "--stop-after", type=positive_int, help="take at most this many steps now, checkpoint and stop (continue with --resume)"
    )
    train.set_defaults(run=_train)

    export = subcommands.add_parser(
        "export-weights",
        help="copy a run's newest checkpoint into a weights folder (model.safetensors + config.json)",
        description="Copy the EMA model file of a run (or checkpoint) to e.g. weights/tryon, with its configs as JSON.",
    )
    export.add_argument("--from", dest="source", required=True, help="run folder, checkpoint folder or file")
    export.add_argument("--to", dest="destination", required=True, help="weights folder, e.g. weights/tryon")
    export.add_argument(
        "--dtype",
        choices=("bfloat16", "float32"),
        default="bfloat16",
        help="storage type of the weights (default bfloat16: half the size; inference computes in fp32)",
    )
    # Sampling settings chosen on val after training, shipped as the pipeline's defaults.
    export.add_argument(
        "--guidance",
        type=float,
        nargs="+",
        metavar="SCALE",
        help="TEXT REFERENCE [GARMENT] guidance scales to ship (choose them on val: benchmarks/guidance_sweep.py); "
        "default: the run's",
    )
    export.add_argument(
        "--task-garment-guidance",
        type=task_scale,
        nargs="+",
        metavar="TASK=SCALE",
        help="garment guidance scales for named tasks, in place of the model's garment scale, e.g. single=5 "
        "(compare them on val: benchmarks/guidance_sweep.py --tasks single); default: the run's",
    )
    export.add_argument(
        "--restoration",
        type=float,
        nargs=2,
        metavar=("AGREE", "DIFFER"),
        help="detail-restoration thresholds to ship (compare them on val: benchmarks/detail_restoration_sweep.py); "
        "default: the run's",
    )
    export.set_defaults(run=_export_weights)

    psnr = subcommands.add_parser(
        "autoencoder-psnr",
        help="reconstruction PSNR of a trained autoencoder on held-out world images",
        description="Encode and decode every image of N records of a world split and print the mean PSNR (dB).",
    )
    psnr.add_argument("--checkpoint", required=True, help="checkpoint file, checkpoint folder or run folder")
    psnr.add_argument("--n", type=positive_int, default=70, help="records (default 70, ten of each task)")
    psnr.add_argument("--split", default="test", choices=("train", "val", "test"))
    psnr.add_argument("--seed", type=int, default=0, help="world seed")
    psnr.add_argument("--size", type=image_size, default=(128, 96), help="image size HxW (default 128x96)")
    psnr.set_defaults(run=_autoencoder_psnr)


def _train(args: argparse.Namespace) -> int:
    from atelier.train.loop import train
    from atelier.train.run_config import load_run_config

    # --output-dir and --steps are shorthands for two settings; they win over --set.
    shorthands = [(key, value) for key, value in (("output_dir", args.output_dir), ("steps", args.steps)) if value is not None]
    config = load_run_config(args.config).with_settings([*args.settings, *shorthands])
    result = train(config, resume=args.resume, stop_after=args.stop_after)
    if result.checkpoint is not None:
        print(f"{config.task}: {result.step} steps; checkpoint: {result.checkpoint}")
    return 0


def _export_weights(args: argparse.Namespace) -> int:
    import torch

    from atelier.train.weights_export import export_weights

    guidance = tuple(args.guidance) if args.guidance else None
    restoration = tuple(args.restoration) if args.restoration else None
    task_guidance = dict(args.task_garment_guidance) if args.task_garment_guidance else None
    target = export_weights(
        args.source,
        args.destination,
        dtype=getattr(torch, args.dtype),
        guidance=guidance,
        restoration=restoration,
        task_garment_guidance=task_guidance,
    )
    print(f"wrote {target} ({target.stat().st_size / 2**20:.1f} MiB) and {target.parent / 'config.json'}")
    return 0


def _autoencoder_psnr(args: argparse.Namespace) -> int:
    from atelier.train.reconstruction_quality import world_reconstruction_psnr

    psnr, count = world_reconstruction_psnr(args.checkpoint, records=args.n, split=args.split, seed=args.seed, size_hw=args.size)
    print(f"autoencoder PSNR on {count} {args.split} images at {args.size[0]}x{args.size[1]}: {psnr:.2f} dB")
    return 0
