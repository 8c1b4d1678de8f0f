"""`atelier retrieval ...`, `atelier index build`, `atelier search`, `atelier caption`.

Find and describe garments: train and evaluate the retrieval encoder, index a folder of
product images, search it by text, by image or by image + modification text, and caption an
image in one of three styles.
"""

from __future__ import annotations

import argparse

from atelier.cli.arguments import positive_int

DEFAULT_WEIGHTS = "weights/retrieval"


def register(subcommands: argparse._SubParsersAction) -> None:
    _register_retrieval(subcommands)
    _register_index(subcommands)
    _register_search(subcommands)
    _register_caption(subcommands)


def _register_retrieval(subcommands: argparse._SubParsersAction) -> None:
    retrieval = subcommands.add_parser(
        "retrieval",
        help="train and evaluate the retrieval and captioning encoder",
        description="The retrieval encoder (image encoder, Q-Former queries, text encoder and caption decoder) "
        "embeds images, texts and image + modification queries in one space and captions garments.",
    )
    actions = retrieval.add_subparsers(dest="retrieval_command", metavar="ACTION")

    train = actions.add_parser(
        "train",
        help="train the encoder from a run config (resumable)",
        description="Train what configs/retrieval.yaml describes: image-text contrastive and matching, composed "
        "retrieval and captioning on the fashion world (or composed retrieval on a Fashion-IQ tree). The state is "
        "saved atomically every checkpoint_every steps; --resume continues it; the encoder file is written to "
        "weights_out at the last step.",
    )
    train.add_argument("--config", required=True, help="run config YAML, e.g. configs/retrieval.yaml")
    train.add_argument("--resume", action="store_true", help="continue from the state in output_dir")
    train.add_argument("--fashioniq", metavar="ROOT", help="train composed retrieval on this Fashion-IQ tree's train split")
    train.add_argument("--output-dir", help="override the config's output_dir")
    train.add_argument("--weights-out", help="override the config's weights_out")
    train.add_argument("--steps", type=positive_int, help="override the config's total steps")
    train.add_argument("--stop-after", type=positive_int, help="take at most this many steps now, save and stop")
    train.set_defaults(run=_train)

    evaluate = actions.add_parser(
        "eval",
        help="measure the encoder and a colour baseline on held-out world data",
        description="On the world's test split: composed retrieval through a Fashion-IQ export (R@10/R@50 per "
        "category), FashionGen-style text<->image recall (random-100 and full gallery) and captioning "
        "(BLEU-4, ROUGE-L, CIDEr per style), for the encoder and a colour-histogram / colour-word baseline. "
        "Writes DIR/results.json and DIR/examples.html.",
    )
    evaluate.add_argument("--out", required=True, help="output folder")
    evaluate.add_argument("--weights", default=DEFAULT_WEIGHTS, help=f"encoder file or folder (default {DEFAULT_WEIGHTS})")
    evaluate.add_argument("--composed-queries", type=positive_int, default=600, help="Fashion-IQ queries (default 600)")
    evaluate.add_argument("--cross-modal-items", type=positive_int, default=1500, help="cross-modal gallery (default 1500)")
    evaluate.add_argument("--caption-items", type=positive_int, default=300, help="garments captioned (default 300)")
    evaluate.add_argument("--beams", type=positive_int, default=1, help="caption beams (default 1: greedy)")
    evaluate.add_argument("--seed", type=int, default=0, help="world seed of the held-out data")
    evaluate.set_defaults(run=_evaluate)
    retrieval.set_defaults(run=lambda args: retrieval.print_help())


def _register_index(subcommands: argparse._SubParsersAction) -> None:
    index = subcommands.add_parser("index", help="build a catalogue search index from a folder of images")
    actions = index.add_subparsers(dest="index_command", metavar="ACTION")
    build = actions.add_parser(
        "build",
        help="embed every image of a folder into a FAISS index",
        description="Embed every image directly in DIR (id = file stem, metadata = file name) and save a FAISS "
        "vector store to INDEX, atomically. Every image must decode; a bad one stops the build, naming it.",
    )
    build.add_argument("--images", required=True, metavar="DIR", help="folder of product images")
    build.add_argument("--out", required=True, metavar="INDEX", help="index folder to write")
    build.add_argument("--kind", choices=("exact", "hnsw"), default="exact", help="exact (default) or hnsw (approximate, for millions)")
    build.add_argument("--weights", default=DEFAULT_WEIGHTS, help=f"encoder file or folder (default {DEFAULT_WEIGHTS})")
    build.set_defaults(run=_build_index)
    index.set_defaults(run=lambda args: index.print_help())


def _register_search(subcommands: argparse._SubParsersAction) -> None:
    search = subcommands.add_parser(
        "search",
        help="search a catalogue index by text, image, image + modification text, or item",
        description="--text alone: find garments by description. --image alone: find garments that look alike. "
        "--image with --text: composed search, the pictured garment changed as the text says (\"is red\"). "
        "--like ID: the garments nearest an indexed one.",
    )
    search.add_argument("--index", required=True, help="index folder from `atelier index build`")
    search.add_argument("--text", help="description, or the modification when --image is given")
    search.add_argument("--image", help="query image file")
    search.add_argument("--like", metavar="ID", help="id of an indexed item to find neighbours of")
    search.add_argument("-k", type=positive_int, default=5, help="results (default 5)")
    search.add_argument("--weights", default=DEFAULT_WEIGHTS, help=f"encoder file or folder (default {DEFAULT_WEIGHTS})")
    search.set_defaults(run=_search)


def _register_caption(subcommands: argparse._SubParsersAction) -> None:
    caption = subcommands.add_parser("caption", help="describe the garment in an image")
    caption.add_argument("image", help="image file")
    caption.add_argument("--style", choices=("short", "professional", "detailed"), default="professional")
    caption.add_argument("--beams", type=positive_int, default=1, help="beam search width (default 1: greedy)")
    caption.add_argument("--weights", default=DEFAULT_WEIGHTS, help=f"encoder file or folder (default {DEFAULT_WEIGHTS})")
    caption.set_defaults(run=_caption)


def _train(args: argparse.Namespace) -> int:
    from atelier.retrieval.training_config import load_retrieval_config
    from atelier.retrieval.training_loop import train_retrieval

    config = load_retrieval_config(args.config)
    overrides = {
        name: value
        for name, value in (("output_dir", args.output_dir), ("weights_out", args.weights_out), ("steps", args.steps))
        if value is not None
    }
    config = config.replace_values(**overrides)
    if args.fashioniq:
        config = config.with_fashioniq(args.fashioniq)
    result = train_retrieval(config, resume=args.resume, stop_after=args.stop_after)
    where = f"encoder: {result.weights}" if result.weights else f"state saved in {config.output_dir} (continue with --resume)"
    print(f"retrieval: {result.step}/{config.steps} steps in {result.seconds:.0f} s; {where}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from atelier.retrieval.evaluation_run import (
        EvalSettings,
        comparison_rows,
        run_retrieval_eval,
    )

    settings = EvalSettings(
        composed_queries=args.composed_queries,
        cross_modal_items=args.cross_modal_items,
        caption_items=args.caption_items,
        beams=args.beams,
        seed=args.seed,
    )
    results = run_retrieval_eval(args.out, args.weights, settings)
    table = Table(title="retrieval and captioning: encoder vs colour baseline (world test split)")
    for column in ("task", "metric", "encoder", "baseline"):
        table.add_column(column, justify="right" if column in ("encoder", "baseline") else "left")
    for group, metric, encoder, baseline in comparison_rows(results):
        style = None if encoder > baseline else "bold red"
        table.add_row(group, metric, f"{encoder:.4f}", f"{baseline:.4f}", style=style)
    Console().print(table)
    print(f"results: {args.out}/results.json\nexamples: {args.out}/examples.html")
    return 0


def _build_index(args: argparse.Namespace) -> int:
    from atelier.retrieval.encoder_file import encoder_fingerprint, load_encoder
    from atelier.retrieval.index_building import build_image_index

    encoder = load_encoder(args.weights)
    summary = build_image_index(encoder, args.images, args.out, kind=args.kind, fingerprint=encoder_fingerprint(args.weights))
    print(f"{summary.path}: {summary.count} images indexed ({summary.kind})")
    return 0


def _search(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from atelier.data.images import load_image
    from atelier.retrieval.errors import EmptySearchQuery
    from atelier.retrieval.service import RetrievalService

    if args.like is not None and (args.image is not None or args.text is not None):
        raise ValueError("--like searches by an indexed item alone; leave out --text and --image")
    if args.like is None and args.image is None and args.text is None:
        raise EmptySearchQuery("give a query: --text, --image, both, or --like ID")
    image = None if args.image is None else load_image(args.image)  # a bad image fails before loading the model
    service = RetrievalService(args.weights, args.index)
    if args.like is not None:
        hits = service.search_like(args.like, args.k)
    elif image is None:
        hits = service.search_text(args.text, args.k)
    elif args.text is None:
        hits = service.search_image(image, args.k)
    else:
        hits = service.search_composed(image, args.text, args.k)
    table = Table(title=_search_title(args))
    table.add_column("#", justify="right")
    table.add_column("id")
    table.add_column("score", justify="right")
    table.add_column("file")
    for rank, hit in enumerate(hits, start=1):
        table.add_row(str(rank), hit.id, f"{hit.score:.4f}", str(hit.metadata.get("file", "")))
    Console().print(table)
    return 0


def _search_title(args: argparse.Namespace) -> str:
    if args.like is not None:
        return f"nearest to item {args.like}"
    if args.image is not None and args.text is not None:
        return f"{args.image} + \"{args.text}\""
    return args.image if args.image is not None else f"\"{args.text}\""


def _caption(args: argparse.Namespace) -> int:
    from atelier.data.images import load_image
    from atelier.retrieval.service import RetrievalService

    image = load_image(args.image)
    print(RetrievalService(args.weights).caption(image, args.style, beams=args.beams))
    return 0
