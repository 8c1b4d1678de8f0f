"""`--model` of `atelier bench`: a baseline by name, or a try-on checkpoint folder."""

from __future__ import annotations

from atelier.eval.bench.baseline_models import (
    BenchModel,
    IdentityModel,
    NoiseModel,
    OracleModel,
    world_target,
)
from atelier.eval.judges.parser_network import ParserNetwork
from atelier.eval.bench.placement_baselines import PlacementBaseline

BASELINES: tuple[str, ...] = ("oracle", "warp", "paste", "identity", "noise")


def load_bench_model(spec: str, parser: ParserNetwork, seed: int = 0, restore_detail: bool | None = None) -> BenchModel:
    """The model `spec` names.

    Args:
        spec: one of `BASELINES`, or a path to a checkpoint folder (run by `PipelineModel`).
        parser: the judges' parser, which the placement baselines use to find regions.
        seed: seeds the noise baseline and the pipeline's sampling.
        restore_detail: a checkpoint's detail restoration (None: its default).

    Returns:
        a callable `model(request) -> image` with a `name`.

    Raises:
        ValueError: `restore_detail` given for a baseline, which has no restoration to set.
    """
    if spec in BASELINES and restore_detail is not None:
        raise ValueError(f"detail restoration is a try-on checkpoint's setting; the {spec!r} baseline has none")
    if spec == "oracle":
        return OracleModel(world_target)
    if spec in ("warp", "paste"):
        return PlacementBaseline(parser, spec)
    if spec == "identity":
        return IdentityModel()
    if spec == "noise":
        return NoiseModel(seed)
    from atelier.eval.bench.pipeline_model import PipelineModel

    return PipelineModel(spec, seed, restore_detail)
