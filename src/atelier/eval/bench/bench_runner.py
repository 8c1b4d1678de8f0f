"""Running TryOnBench: every sample of a task through a model, scored by a judge and the metrics.

Per sample: render the record, strip it to a `BenchRequest`, ask the model, score the answer with
the judge (four dimensions), and measure paired SSIM and LPIPS-atelier against the target. Per
task: FID-atelier and KID-atelier between the answers and the targets, with the feature network's
embeddings; the targets' FID statistics are cached on disk, keyed by the bench set (split, seed,
task, n, size, the world's revision) and the feature network's fingerprint.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from atelier.eval.bench.baseline_models import BenchModel, answer_all
from atelier.eval.bench.bench_request import strip_record
from atelier.eval.bench.bench_set import BENCH_SPLIT, BenchItem
from atelier.eval.metrics.distribution import FID, KID
from atelier.eval.metrics.feature_statistics import FeatureStatistics, RealStatisticsCache
from atelier.eval.judges.judges import DIMENSIONS, DimensionScores, Judge
from atelier.eval.metrics.perceptual import lpips_from_features
from atelier.eval.metrics.pixel_metrics import ssim_per_sample
from atelier.eval.judges.trained_judges import TrainedJudges
from atelier.world.records import Record
from atelier.world.tasks import WORLD_REVISION


@dataclass
class SampleResult:
    """One scored sample.

    Attributes:
        task: the task.
        position: its place in the task's set.
        key: the record key.
        scores: the judge's scores.
        ssim: paired SSIM with the target.
        lpips: paired LPIPS-atelier with the target.
        references: number of reference garments given (0 for tasks without products).
    """

    task: str
    position: int
    key: str
    scores: DimensionScores
    ssim: float
    lpips: float
    references: int

    def to_json(self) -> dict:
        row = {"task": self.task, "position": self.position, "key": self.key, "overall": self.scores.overall}
        row.update({name: getattr(self.scores, name) for name in DIMENSIONS})
        row.update({"ssim": self.ssim, "lpips": self.lpips, "references": self.references})
        row["garments"] = self.scores.garments
        row["missing"] = self.scores.details.get("missing", [])
        return row


@dataclass
class GalleryEntry:
    """A sample kept for the report's gallery of worst results.

    Attributes:
        overall: its overall score.
        key: the record key.
        task: the task.
        panels: (caption, (H, W, 3) uint8) inputs, then the output, then the target.
    """

    overall: float
    key: str
    task: str
    panels: list[tuple[str, np.ndarray]] = field(default_factory=list)


@dataclass
class TaskRun:
    """Everything measured on one task.

    Attributes:
        task: the task.
        samples: per-sample results, in set order.
        fid: FID-atelier of the answers against the targets.
        kid: KID-atelier (mean over subsets).
        worst: the lowest-scoring samples, worst first.
    """

    task: str
    samples: list[SampleResult]
    fid: float
    kid: float
    worst: list[GalleryEntry]


def conform_output(image: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """A model's answer as (H, W, 3) uint8 of `size_hw` (resized if the model drew another size)."""
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"a model must return an (H, W, 3) uint8 image, got {image.shape} {image.dtype}")
    if image.shape[:2] != tuple(size_hw):
        image = np.asarray(Image.fromarray(image).resize((size_hw[1], size_hw[0]), Image.BILINEAR))
    return image


def _to_tensor(image: np.ndarray) -> torch.Tensor:
    # A copy: bench images are read-only arrays, which torch warns about sharing.
    return torch.from_numpy(np.array(image)).permute(2, 0, 1)[None].float() / 255


def _input_panels(record: Record) -> list[tuple[str, np.ndarray]]:
    panels = []
    if record.person is not None:
        panels.append(("person", record.person.image))
    if record.outfit_source is not None:
        panels.append(("outfit source", record.outfit_source.image))
    if record.pose is not None and record.pose.pose_map is not None:
        panels.append(("pose", record.pose.pose_map))
    panels += [(f"reference: {g.category}", g.image) for g in record.garments]
    return panels


class PairedFeatures:
    """LPIPS-atelier and embeddings from one forward pass of the feature network per image."""

    def __init__(self, judges: TrainedJudges) -> None:
        self.network = judges.features

    @torch.no_grad()
    def __call__(self, output: np.ndarray, target: np.ndarray) -> tuple[float, torch.Tensor, torch.Tensor]:
        stages = self.network.forward_stages(torch.cat([_to_tensor(output), _to_tensor(target)]))
        weights = [torch.ones(c) for c in self.network.stage_channels]  # the uniform LPIPS-atelier
        lpips = float(lpips_from_features([s[:1] for s in stages], [s[1:] for s in stages], weights)[0])
        # The same pooled projection `FeatureNetwork.embed` computes, from the stages already at hand.
        embeddings = F.normalize(self.network.projection(stages[-1].mean(dim=(2, 3))), dim=-1)
        return lpips, embeddings[0], embeddings[1]


def score_sample(
    judge: Judge, paired: PairedFeatures, item: BenchItem, record: Record, output: np.ndarray
) -> tuple[SampleResult, torch.Tensor, torch.Tensor]:
    """Everything measured on one answer: the judge's scores, paired SSIM and LPIPS, and the
    (D,) embeddings of the answer and the target for FID and KID."""
    scores = judge.score(record, output)
    ssim = float(ssim_per_sample(_to_tensor(output).double(), _to_tensor(record.target.image).double())[0])
    lpips, fake_embedding, real_embedding = paired(output, record.target.image)
    sample = SampleResult(item.task, item.position, record.key, scores, ssim, lpips, len(record.garments))
    return sample, fake_embedding, real_embedding


def run_task(
    model: BenchModel,
    judge: Judge,
    judges: TrainedJudges,
    items: list[BenchItem],
    cache_dir: str | Path | None = None,
    gallery_size: int = 8,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 8,
) -> TaskRun:
    """Score `model` on the samples `items` (all of one task).

    Args:
        model: the model under test.
        judge: scores the four dimensions.
        judges: the trained networks (feature network for LPIPS, FID and KID).
        items: the task's bench set.
        cache_dir: where the targets' FID statistics are cached; None to not cache.
        gallery_size: worst samples kept with their pictures.
        progress: called with 1 after each sample.
        batch_size: requests handed to the model at once (see `answer_all`); a batch's
            answers equal the one-at-a-time answers.

    Returns:
        the task's results.
    """
    if not items or len({item.task for item in items}) != 1:
        raise ValueError("run_task needs a non-empty list of samples of one task")
    task = items[0].task
    paired = PairedFeatures(judges)
    samples: list[SampleResult] = []
    fake, real = [], []
    worst: list[tuple[float, int, GalleryEntry]] = []  # a max-heap on -overall keeps the lowest
    for start in range(0, len(items), batch_size):
        chunk = items[start : start + batch_size]
        records = [item.record() for item in chunk]
        requests = [strip_record(record) for record in records]
        answers = answer_all(model, requests)
        for item, record, request, answer in zip(chunk, records, requests, answers, strict=True):
            output = conform_output(answer, request.size_hw)
            sample, fake_embedding, real_embedding = score_sample(judge, paired, item, record, output)
            fake.append(fake_embedding)
            real.append(real_embedding)
            samples.append(sample)
            scores = sample.scores
            entry = (-scores.overall, -item.position, GalleryEntry(scores.overall, record.key, task))
            if gallery_size > 0 and (len(worst) < gallery_size or entry[:2] > worst[0][:2]):
                entry[2].panels = [*_input_panels(record), ("output", output), ("target", record.target.image)]
                (heapq.heappush if len(worst) < gallery_size else heapq.heapreplace)(worst, entry)
            if progress is not None:
                progress(1)
    fid, kid = distribution_scores(torch.stack(fake), torch.stack(real), judges, items, cache_dir)
    gallery = [entry for _, _, entry in sorted(worst, key=lambda e: (e[2].overall, e[2].key))]
    return TaskRun(task, samples, fid, kid, gallery)


def distribution_scores(
    fake: torch.Tensor, real: torch.Tensor, judges: TrainedJudges, items: list[BenchItem], cache_dir: str | Path | None
) -> tuple[float, float]:
    """FID-atelier and KID-atelier (mean) of (N, D) answer embeddings against target embeddings.

    The targets' FID statistics are read from (or written to) the cache when `cache_dir` is set.
    """
    extractor_name = f"atelier-{judges.fingerprint}"
    item = items[0]
    size = f"{item.size_hw[0]}x{item.size_hw[1]}"
    real_set = f"{BENCH_SPLIT}-seed{item.seed}-{item.task}-n{len(items)}-{size}-world{WORLD_REVISION}"
    fid = FID(judges.features, extractor_name=extractor_name)
    cache = RealStatisticsCache(cache_dir) if cache_dir is not None else None
    cached = cache.load(real_set, extractor_name) if cache is not None else None
    if cached is not None:
        fid.set_real_statistics(cached)
    else:
        fid.update(None, real=True, features=real)
        if cache is not None:
            cache.save(real_set, extractor_name, FeatureStatistics.from_features(real.double().numpy()))
    fid.update(None, real=False, features=fake)
    kid = KID(judges.features, extractor_name=extractor_name, subsets=50, subset_size=1000)
    kid.update(None, real=True, features=real)
    kid.update(None, real=False, features=fake)
    if len(items) < 2:
        return float("nan"), float("nan")
    return float(fid.compute()), float(kid.compute()[0])
