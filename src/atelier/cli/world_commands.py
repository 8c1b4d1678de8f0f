"""`atelier world ...`: preview, build and export the fashion world."""

from __future__ import annotations

import argparse

from atelier.cli.arguments import image_size, positive_int, shard_job
from atelier.world.vocabulary import RECORD_KINDS, SPLITS


def register(subcommands: argparse._SubParsersAction) -> None:
    world = subcommands.add_parser(
        "world",
        help="render the fashion world: previews, sharded builds, exports to real layouts",
        description="The fashion world renders people, garments, scenes, captions and every task's "
        "paired ground truth from a seed. It is Atelier's training data, benchmark and demo.",
    )
    actions = world.add_subparsers(dest="world_command", metavar="ACTION")

    preview = actions.add_parser("preview", help="write a contact sheet PNG and an HTML page of every task")
    preview.add_argument("--out", required=True, help="folder for contact_sheet.png, index.html and images/")
    preview.add_argument("--seed", type=int, default=0, help="world seed (default 0)")
    preview.add_argument("--split", choices=SPLITS, default="train")
    preview.add_argument("--per-kind", type=positive_int, default=2, help="records shown per task (default 2)")
    preview.add_argument("--size", type=image_size, default=(256, 192), help="image size HxW (default 256x192)")
    preview.set_defaults(run=_preview)

    build = actions.add_parser(
        "build",
        help="render N records into WebDataset tar shards with a manifest",
        description="Render records of every task into <out>/<split>-NNNNN.tar shards. Shards are written "
        "atomically; rerunning resumes, skipping finished shards. --shard i/N builds every N-th shard "
        "so that N jobs (on any scheduler) can share a build.",
    )
    build.add_argument("--split", choices=SPLITS, required=True)
    build.add_argument("--n", type=positive_int, required=True, help="number of records")
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--out", required=True)
    build.add_argument("--size", type=image_size, default=(256, 192), help="image size HxW (default 256x192)")
    build.add_argument("--shard-size", type=positive_int, default=256, help="records per shard (default 256)")
    build.add_argument("--shard", type=shard_job, default=(0, 1), metavar="i/N", help="build only shards j with j %% N == i")
    build.add_argument("--workers", type=positive_int, default=1, help="processes on this machine (default 1)")
    build.add_argument("--kinds", nargs="+", choices=RECORD_KINDS, default=list(RECORD_KINDS), help="record kinds (default all)")
    build.set_defaults(run=_build)

    export = actions.add_parser(
        "export",
        help="write world records in a real dataset's layout",
        description="Write world records as a VITON-HD, DressCode, DressCode-MR or Fashion-IQ tree, "
        "readable by the same readers as a real copy.",
    )
    export.add_argument("--format", required=True, choices=("vitonhd", "dresscode", "dresscode-mr", "fashioniq"))
    export.add_argument("--out", required=True)
    export.add_argument("--split", choices=SPLITS, default="test")
    export.add_argument("--n", type=positive_int, default=100)
    export.add_argument("--seed", type=int, default=0)
    export.add_argument("--size", type=image_size, default=(256, 192))
    export.set_defaults(run=_export)
    world.set_defaults(run=lambda args: world.print_help())


def _preview(args: argparse.Namespace) -> int:
    from atelier.world.preview import write_preview

    sheet, page = write_preview(args.out, seed=args.seed, split=args.split, per_kind=args.per_kind, size_hw=args.size)
    print(f"contact sheet: {sheet}\nHTML page:     {page}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from atelier.world.shards import BuildPlan, build_world

    plan = BuildPlan(args.split, args.n, args.seed, args.size, args.shard_size, tuple(args.kinds))
    manifest = build_world(plan, args.out, job=args.shard, workers=args.workers)
    state = "complete" if manifest["complete"] else f"{len(manifest['shards'])}/{plan.num_shards} shards done"
    print(f"{args.out}: {manifest['records']} records in {len(manifest['shards'])} shards ({state})")
    return 0


def _export(args: argparse.Namespace) -> int:
    from atelier.world.export import export_world

    count = export_world(args.format, args.out, split=args.split, n=args.n, seed=args.seed, size_hw=args.size)
    print(f"{args.out}: {count} {args.format} records")
    return 0
