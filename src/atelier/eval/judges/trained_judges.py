"""The shipped judge networks (`weights/eval/`), loaded together."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from atelier.eval.judges.attribute_heads import AttributeHeads, AttributeReader
from atelier.eval.judges.feature_network import FeatureNetwork
from atelier.eval.judges.judge_training import FEATURES_FILE, HEADS_FILE, PARSER_FILE
from atelier.eval.judges.parser_network import ParserNetwork


@dataclass
class TrainedJudges:
    """The parser, the feature network and its attribute heads.

    Attributes:
        parser: label maps of photos.
        features: the `-atelier` metrics' backbone (LPIPS, FID, KID).
        reader: the feature network with its attribute heads.
        fingerprint: short hash of the feature network's file; keys cached real statistics so a
            retrained network never reuses another's.
    """

    parser: ParserNetwork
    features: FeatureNetwork
    reader: AttributeReader
    fingerprint: str


def load_trained_judges(folder: str | Path) -> TrainedJudges:
    """Load `parser.safetensors`, `features.safetensors` and `attribute_heads.safetensors`.

    Raises:
        FileNotFoundError: a file is missing (naming it and the command that makes it).
    """
    folder = Path(folder)
    for name in (PARSER_FILE, FEATURES_FILE, HEADS_FILE):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"judge weights not found: {folder / name} (run `atelier bench train-judges --out {folder}`)")
    parser = ParserNetwork.load(folder / PARSER_FILE)
    features = FeatureNetwork.load(folder / FEATURES_FILE).eval().requires_grad_(False)
    heads = AttributeHeads.load(folder / HEADS_FILE)
    fingerprint = hashlib.blake2b((folder / FEATURES_FILE).read_bytes(), digest_size=6).hexdigest()
    return TrainedJudges(parser.requires_grad_(False), features, AttributeReader(features, heads), fingerprint)
