"""`atelier bench ...`: TryOnBench runs, comparisons of results, and training of the judges."""

from __future__ import annotations

import argparse

from atelier.cli.arguments import positive_int

DEFAULT_JUDGES = "weights/eval"


def register(subcommands: argparse._SubParsersAction) -> None:
    bench = subcommands.add_parser(
        "bench",
        help="TryOnBench: score a try-on model or a baseline on every task of the world's test split",
        description="Score a model on a fixed set drawn from the fashion world's test split, per task, on four "
        "dimensions from 1 to 10 (identity, garment fidelity, background, physics & structure; overall = "
        "geometric mean), with paired SSIM/LPIPS and set-level FID/KID. Writes results.json, report.md and "
        "report.html. See docs/tryonbench.md for how each score is computed.",
    )
    bench.add_argument("--model", help="oracle, warp, paste, identity, noise, or a try-on checkpoint folder")
    bench.add_argument("--task", default="all", help="single, multi, modelfree, tryoff, pose, m2m, edit, or all (default)")
    bench.add_argument("--n", type=positive_int, default=200, help="samples per task (default 200)")
    bench.add_argument("--seed", type=int, default=0, help="draws another fixed set (default 0)")
    bench.add_argument("--out", help="output folder (default out/bench/<model>)")
    bench.add_argument("--judges", default=DEFAULT_JUDGES, help=f"folder with the trained judges (default {DEFAULT_JUDGES})")
    bench.add_argument("--judge", choices=("ground-truth", "vlm"), default="ground-truth", help="who scores the four dimensions")
    bench.add_argument("--vlm-path", help="local folder of a vision-language model (with --judge vlm)")
    bench.add_argument("--gallery", type=int, default=8, help="worst samples shown per task in the report (default 8)")
    bench.add_argument("--threads", type=positive_int, default=1, help="CPU threads for torch (default 1)")
    bench.add_argument(
        "--no-restore-detail",
        dest="restore_detail",
        action="store_false",
        default=None,
        help="score a checkpoint's own pixels, without restoring the person photo's detail where it left it unchanged",
    )
    bench.set_defaults(run=_run_bench)
    actions = bench.add_subparsers(dest="bench_command", metavar="ACTION")

    compare = actions.add_parser("compare", help="print the differences between two results.json (B minus A)")
    compare.add_argument("a", help="results.json, or the folder holding it")
    compare.add_argument("b", help="results.json, or the folder holding it")
    compare.set_defaults(run=_compare)

    train = actions.add_parser(
        "train-judges",
        help="train the parser and the feature network TryOnBench judges with (world train split)",
        description="Train Atelier's human parser (a compact U-Net) and feature network (with garment and "
        "identity attribute heads) on the fashion world's train split, score them on its test split, and "
        "write parser.safetensors, features.safetensors, attribute_heads.safetensors and judges.json. "
        "Resumable: rerun the same command after an interruption.",
    )
    train.add_argument("--out", default=DEFAULT_JUDGES, help=f"output folder (default {DEFAULT_JUDGES})")
    train.add_argument("--steps", type=positive_int, help="optimiser steps for each network (defaults: parser 1800, features 1400)")
    train.add_argument("--records", type=positive_int, default=2000, help="world train records rendered (default 2000)")
    train.add_argument("--test-records", type=positive_int, default=150, help="world test records scored (default 150)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--only", choices=("parser", "features"), help="train one network; the other is read from --out")
    train.add_argument("--threads", type=positive_int, default=1, help="CPU threads for torch (default 1)")
    train.set_defaults(run=_train_judges)


def _train_judges(args: argparse.Namespace) -> int:
    import torch

    from atelier.eval.judges.judge_training import JudgeTrainingConfig, train_judges

    torch.set_num_threads(args.threads)
    config = JudgeTrainingConfig(train_records=args.records, test_records=args.test_records, seed=args.seed)
    if args.steps:
        config = JudgeTrainingConfig(
            parser_steps=args.steps, feature_steps=args.steps, train_records=args.records, test_records=args.test_records, seed=args.seed
        )
    report = train_judges(args.out, config, networks=(args.only,) if args.only else ("parser", "features"))
    scores = report["test"]
    print(f"{args.out}: parser mIoU {scores['parser']['miou']:.3f} on {scores['parser']['photos']} test photos; "
          + ", ".join(f"{name} accuracy {value:.3f}" for name, value in scores["attributes"].items() if value is not None))
    return 0


def _run_bench(args: argparse.Namespace) -> int:
    if not args.model:
        raise ValueError("atelier bench needs --model (oracle, warp, paste, identity, noise or a checkpoint folder), "
                         "or an action: compare, train-judges")
    import torch

    from atelier.eval.bench.bench_set import parse_tasks
    from atelier.eval.bench.tryon_bench import run_bench

    torch.set_num_threads(args.threads)
    tasks = parse_tasks(args.task)
    judge = _vlm_judge(args.vlm_path) if args.judge == "vlm" else None
    out = args.out or f"out/bench/{args.model.rstrip('/').split('/')[-1]}"
    document = run_bench(
        args.model, tasks, args.n, out, args.judges, seed=args.seed, judge=judge, gallery_size=args.gallery,
        restore_detail=args.restore_detail,
    )  # fmt: skip
    _print_results(document)
    print(f"{out}: results.json, report.md, report.html")
    return 0


def _vlm_judge(path: str | None):
    if not path:
        raise ValueError("--judge vlm needs --vlm-path, a local folder holding a vision-language model")
    from atelier.eval.judges.vlm_judge import TransformersVLM, VLMJudge

    return VLMJudge(TransformersVLM.from_local(path))


def _print_results(document: dict) -> None:
    from rich.table import Table

    from atelier.eval.bench.bench_results import TASK_FIELDS

    table = Table(title=f"TryOnBench: {document['model']}")
    table.add_column("task")
    for name in TASK_FIELDS:
        table.add_column(name, justify="right")
    for task, values in document["tasks"].items():
        table.add_row(task, *(_cell(values[name]) for name in TASK_FIELDS))
    _console().print(table)


def _console():
    import sys

    from rich.console import Console

    # Piped output gets no terminal width; keep every column readable in logs.
    return Console() if sys.stdout.isatty() else Console(width=160)


def _cell(value) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.4f}" if abs(value) < 1 else f"{value:.2f}"


def _compare(args: argparse.Namespace) -> int:
    from rich.table import Table

    from atelier.eval.bench.bench_results import compare_results, load_results

    a, b = load_results(args.a), load_results(args.b)
    rows = compare_results(a, b)
    if not rows:
        raise ValueError(f"{args.a} and {args.b} share no task to compare")
    table = Table(title=f"TryOnBench: {b['model']} (B) minus {a['model']} (A)")
    for name, justify in (("task", "left"), ("metric", "left"), ("A", "right"), ("B", "right"), ("B − A", "right")):
        table.add_column(name, justify=justify)
    for row in rows:
        style = "green" if row["b_better"] else "red" if row["b_better"] is False else ""
        difference = f"[{style}]{row['difference']:+.4f}[/{style}]" if style else f"{row['difference']:+.4f}"
        table.add_row(row["task"], row["metric"], _cell(row["a"]), _cell(row["b"]), difference)
    _console().print(table)
    return 0
