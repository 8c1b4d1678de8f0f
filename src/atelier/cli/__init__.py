"""The `atelier` command: one entry point, a subcommand per job.

Thin by design: each subcommand parses its arguments, calls the library and prints what it
made. Errors a user can cause (bad paths, bad images, bad options) are printed as one line and
exit with status 2, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from atelier import __version__
from atelier.cli import (
    bench_commands,
    demo_commands,
    retrieval_commands,
    serve_commands,
    train_commands,
    tryon_commands,
    world_commands,
)

COMMAND_GROUPS = (
    demo_commands,
    world_commands,
    tryon_commands,
    train_commands,
    bench_commands,
    retrieval_commands,
    serve_commands,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="atelier",
        description="Atelier: open, universal virtual try-on. Renders its own fashion world, "
        "trains and runs one model for every try-on task, measures it and serves it.",
    )
    parser.add_argument("--version", action="version", version=f"atelier {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except (ValueError, FileNotFoundError, NotADirectoryError, PermissionError) as error:
        # Every error a user can cause derives from these (ImageError, DatasetLayoutError, ...).
        print(f"atelier: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("atelier: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
