"""`atelier demo`: the README's main job on the shipped defaults.

Renders world test samples, runs every try-on task with the shipped model (`weights/tryon`),
scores each output against its ground truth with the shipped judges (`weights/eval`), and writes
`out/demo/index.html` (inputs, output, ground truth and scores side by side) with a per-task
score table printed at the end. The same samples are also scored without detail restoration
(the model's own pixels; report in `out/demo/own-pixels/`), so the table shows what the model
draws apart from what restoration gives back of the photo. A world preview sits beside it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_WEIGHTS = "weights/tryon"
DEFAULT_JUDGES = "weights/eval"


def register(subcommands: argparse._SubParsersAction) -> None:
    demo = subcommands.add_parser(
        "demo",
        help="run every try-on task with the shipped model on world samples and score them",
        description="Runs the shipped try-on model on world test samples of every task, scores each output "
        "against its ground truth (TryOnBench's four dimensions) and writes out/demo/index.html.",
    )
    demo.add_argument("--out", default="out/demo", help="output folder (default out/demo)")
    demo.add_argument("--weights", default=DEFAULT_WEIGHTS, help=f"try-on checkpoint folder (default {DEFAULT_WEIGHTS})")
    demo.add_argument("--judges", default=DEFAULT_JUDGES, help=f"judge networks (default {DEFAULT_JUDGES})")
    demo.add_argument("--n", type=int, default=3, help="samples per task (default 3)")
    demo.set_defaults(run=_demo)


def _demo(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from atelier.eval.bench.bench_set import TASKS
    from atelier.eval.bench.tryon_bench import run_bench
    from atelier.pipelines.task_inputs import PERSON_FRAME_TASKS
    from atelier.world.preview import write_preview

    out = Path(args.out)
    sheet, page = write_preview(out / "world", per_kind=1, split="test")
    if not Path(args.weights).exists():
        raise FileNotFoundError(
            f"no try-on checkpoint at {args.weights}: train one with `atelier train --config configs/default.yaml` "
            f"and `atelier export-weights --from runs/default --to {args.weights}` (world preview written to {page})"
        )
    # Every sample goes into the gallery, so the page shows all of them with their scores.
    document = run_bench(args.weights, TASKS, args.n, out, args.judges, gallery_size=args.n)
    # Only person-frame tasks are ever restored; the others' own pixels are the outputs above.
    restored_tasks = tuple(task for task in TASKS if task in PERSON_FRAME_TASKS)
    own_pixels = run_bench(
        args.weights, restored_tasks, args.n, out / "own-pixels", args.judges, gallery_size=args.n, restore_detail=False
    )["tasks"]
    index = out / "index.html"
    index.write_text((out / "report.html").read_text())
    table = Table(title=f"TryOnBench on {args.n} world test samples per task ({args.weights})")
    dimensions = ("overall", "identity", "garment", "background", "physics")
    for column in ("task", *dimensions, "overall, own pixels"):
        table.add_column(column, justify="right" if column != "task" else "left")
    for task, scores in document["tasks"].items():
        own = own_pixels.get(task, scores)["overall"]
        table.add_row(task, *(_format(scores.get(key)) for key in dimensions), _format(own))
    Console().print(table)
    print("own pixels: Overall without detail restoration, which puts the photo's pixels back where the output left it unchanged")
    print(f"demo page:     {index}\n               {out / 'own-pixels' / 'report.html'} (own pixels)")
    print(f"world preview: {page}\n               {sheet}")
    return 0


def _format(value) -> str:
    return "—" if value is None else f"{value:.2f}"
