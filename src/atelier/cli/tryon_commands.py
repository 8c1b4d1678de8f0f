"""`atelier tryon | tryoff | transfer | generate | edit`: run the try-on model on image files."""

from __future__ import annotations

import argparse

from atelier.world.vocabulary import CATEGORIES


def garment_argument(text: str) -> tuple[str, str]:
    """Parse 'category=path' (e.g. top=shirt.jpg) into (category, path)."""
    category, separator, path = text.partition("=")
    if not separator or not path:
        raise argparse.ArgumentTypeError(f"expected CATEGORY=IMAGE such as top=shirt.jpg, got {text!r}")
    if category not in CATEGORIES:
        raise argparse.ArgumentTypeError(f"unknown category {category!r} in {text!r}; expected one of {', '.join(CATEGORIES)}")
    return category, path


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--out", required=True, help="output image (.png, .jpg or .webp)")
    parser.add_argument("--instruction", default="", help="free text, e.g. 'keep the coat open'")
    parser.add_argument("--steps", type=int, help="denoising steps (default: the model's)")
    parser.add_argument(
        "--guidance",
        type=float,
        nargs="+",
        metavar="SCALE",
        help="one guidance scale for everything, or TEXT REFERENCE [GARMENT] scales (garment: follow the garment "
        "images harder than the person photo); default: the model's",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the starting noise (default 0)")
    parser.add_argument("--weights", help="checkpoint folder or file (default: the shipped weights/tryon)")
    parser.add_argument(
        "--no-restore-detail",
        dest="restore_detail",
        action="store_false",
        default=None,
        help="keep the model's own pixels everywhere; by default the person photo's pixels come back wherever "
        "the output left the photo unchanged (face, background, untouched garments)",
    )


def register(subcommands: argparse._SubParsersAction) -> None:
    tryon = subcommands.add_parser(
        "tryon", help="dress a person in 1–6 garments", description="Dress the person in the garments (1–6, one per --garment)."
    )
    tryon.add_argument("--person", required=True, help="photo of the person")
    tryon.add_argument(
        "--garment", type=garment_argument, action="append", required=True, metavar="CATEGORY=IMAGE",
        help=f"a garment image and its category ({', '.join(CATEGORIES)}); repeat for several",
    )  # fmt: skip
    _add_common(tryon)
    tryon.set_defaults(run=_tryon)

    tryoff = subcommands.add_parser(
        "tryoff", help="show a garment a person wears as a product photo", description="Take a garment off a person."
    )
    tryoff.add_argument("--person", required=True, help="photo of the dressed person")
    tryoff.add_argument("--category", required=True, choices=CATEGORIES, help="which garment to take off")
    _add_common(tryoff)
    tryoff.set_defaults(run=_tryoff)

    transfer = subcommands.add_parser(
        "transfer",
        help="show a person in another pose, or wearing another person's outfit",
        description="Move the person to the pose of --pose (a rendered pose map), or dress them in the outfit of --outfit-from.",
    )
    transfer.add_argument("--person", required=True, help="photo of the person")
    source = transfer.add_mutually_exclusive_group(required=True)
    source.add_argument("--pose", help="pose map image (an OpenPose skeleton rendering) of the new pose")
    source.add_argument("--outfit-from", help="photo of a person whose outfit to move over")
    _add_common(transfer)
    transfer.set_defaults(run=_transfer)

    generate = subcommands.add_parser(
        "generate",
        help="invent a person wearing the garments (model-free)",
        description="Generate a new person wearing the garments; the instruction describes the person.",
    )
    generate.add_argument("--garment", type=garment_argument, action="append", required=True, metavar="CATEGORY=IMAGE")
    _add_common(generate)
    generate.set_defaults(run=_generate)

    edit = subcommands.add_parser(
        "edit", help="change a garment a person wears by instruction", description="Edit the outfit as the instruction says."
    )
    edit.add_argument("--person", required=True, help="photo of the person")
    _add_common(edit)
    edit.set_defaults(run=_edit)


def _run(args: argparse.Namespace, **request) -> int:
    from atelier.data.images import save_image_atomic
    from atelier.pipelines.tryon_pipeline import TryOnPipeline

    pipeline = TryOnPipeline.from_pretrained(args.weights)
    image = pipeline(
        instruction=args.instruction, steps=args.steps, guidance=_guidance(args.guidance), seed=args.seed,
        restore_detail=args.restore_detail, **request,
    )  # fmt: skip
    save_image_atomic(image, args.out)
    print(f"wrote {args.out}")
    return 0


def _guidance(scales: list[float] | None) -> float | tuple[float, ...] | None:
    """--guidance's numbers as the pipeline takes them: one scale, or a tuple it checks."""
    if scales is None:
        return None
    return scales[0] if len(scales) == 1 else tuple(scales)


def _load(path: str):
    from atelier.data.images import load_image

    return load_image(path)


def _garments(pairs: list[tuple[str, str]]) -> list:
    return [(_load(path), category) for category, path in pairs]


def _tryon(args: argparse.Namespace) -> int:
    task = "single" if len(args.garment) == 1 else "multi"
    return _run(args, task=task, person=_load(args.person), garments=_garments(args.garment))


def _tryoff(args: argparse.Namespace) -> int:
    return _run(args, task="tryoff", person=_load(args.person), category=args.category)


def _transfer(args: argparse.Namespace) -> int:
    if args.pose is not None:
        return _run(args, task="pose", person=_load(args.person), pose=_load(args.pose))
    return _run(args, task="m2m", person=_load(args.person), outfit_source=_load(args.outfit_from))


def _generate(args: argparse.Namespace) -> int:
    return _run(args, task="modelfree", garments=_garments(args.garment))


def _edit(args: argparse.Namespace) -> int:
    return _run(args, task="edit", person=_load(args.person))
