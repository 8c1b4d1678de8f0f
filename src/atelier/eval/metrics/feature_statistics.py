"""Sufficient statistics of a feature set, and an on-disk cache of them for real image sets.

FID needs only the count, the sum and the sum of outer products of the features. Those add up
across batches and processes, and for the real set they are computed once per (split, extractor)
and kept on disk so every benchmark run reuses them.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CACHE_FORMAT_VERSION = 1


@dataclass(frozen=True)
class FeatureStatistics:
    """Count, sum and sum of outer products of a set of D-dimensional features (float64).

    Attributes:
        feature_sum: (D,) sum of the features.
        outer_sum: (D, D) sum of x xᵀ over the features.
        count: number of features.
    """

    feature_sum: np.ndarray
    outer_sum: np.ndarray
    count: int

    @classmethod
    def from_features(cls, features: np.ndarray) -> FeatureStatistics:
        """Statistics of (N, D) features."""
        features = np.asarray(features, dtype=np.float64)
        return cls(features.sum(axis=0), features.T @ features, int(features.shape[0]))

    @property
    def mean(self) -> np.ndarray:
        """(D,) mean."""
        return self.feature_sum / self.count

    @property
    def covariance(self) -> np.ndarray:
        """(D, D) unbiased sample covariance (as numpy.cov and pytorch-fid)."""
        if self.count < 2:
            raise ValueError(f"a covariance needs at least 2 features, got {self.count}")
        mean = self.mean
        return (self.outer_sum - self.count * np.outer(mean, mean)) / (self.count - 1)


def _file_safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "unnamed"


class RealStatisticsCache:
    """Feature statistics of real image sets on disk, one `.npz` per (split, extractor name).

    Args:
        directory: where the files live; created on the first save.
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def path_for(self, split: str, extractor_name: str) -> Path:
        """The file holding the statistics of `split` under `extractor_name`."""
        return self.directory / f"{_file_safe(split)}__{_file_safe(extractor_name)}.npz"

    def load(self, split: str, extractor_name: str) -> FeatureStatistics | None:
        """The cached statistics, or None when absent."""
        path = self.path_for(split, extractor_name)
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as stored:
            # Two names can map to one file name; the stored keys tell them apart.
            if str(stored["split"]) != split or str(stored["extractor_name"]) != extractor_name:
                return None
            return FeatureStatistics(stored["feature_sum"], stored["outer_sum"], int(stored["count"]))

    def save(self, split: str, extractor_name: str, statistics: FeatureStatistics) -> Path:
        """Write statistics atomically: a temporary file in the same folder, then `os.replace`.

        Readers (other benchmark processes) therefore never see a half-written file.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(split, extractor_name)
        handle = tempfile.NamedTemporaryFile(dir=self.directory, prefix=f".{path.name}.", suffix=".tmp", delete=False)
        try:
            with handle:
                np.savez(
                    handle,
                    format_version=CACHE_FORMAT_VERSION,
                    split=split,
                    extractor_name=extractor_name,
                    feature_sum=statistics.feature_sum,
                    outer_sum=statistics.outer_sum,
                    count=statistics.count,
                )
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, path)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return path
