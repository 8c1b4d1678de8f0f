"""`atelier demo`: the README's main job on the shipped defaults."""

from __future__ import annotations

import argparse


def register(subcommands: argparse._SubParsersAction) -> None:
    demo = subcommands.add_parser(
        "demo",
        help="render a preview of the fashion world into out/demo and say where it is",
        description="Renders two records of every task (inputs, targets, label maps) into out/demo.",
    )
    demo.add_argument("--out", default="out/demo")
    demo.set_defaults(run=_demo)


def _demo(args: argparse.Namespace) -> int:
    from atelier.world.preview import write_preview

    sheet, page = write_preview(args.out)
    print(f"The fashion world, every task with its ground truth:\n  {page}\n  {sheet}")
    return 0
