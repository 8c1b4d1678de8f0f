"""Label-map agreement: confusion matrices, per-class IoU and mean IoU."""

from __future__ import annotations

import numpy as np


def confusion_matrix(predicted: np.ndarray, target: np.ndarray, num_labels: int) -> np.ndarray:
    """Pixel counts of (target label, predicted label) pairs.

    Args:
        predicted: (...) integer label map(s).
        target: (...) integer label map(s), same shape.
        num_labels: K.

    Returns:
        (K, K) int64 matrix, rows = target, columns = prediction.
    """
    if predicted.shape != target.shape:
        raise ValueError(f"label maps differ in shape: {predicted.shape} vs {target.shape}")
    pairs = target.astype(np.int64).ravel() * num_labels + predicted.astype(np.int64).ravel()
    return np.bincount(pairs, minlength=num_labels * num_labels).reshape(num_labels, num_labels)


def iou_per_class(confusion: np.ndarray) -> np.ndarray:
    """(K,) intersection over union of each label; NaN for a label in neither map."""
    intersection = np.diag(confusion).astype(np.float64)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - intersection
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, intersection / union, np.nan)


def mean_iou(confusion: np.ndarray) -> float:
    """Mean IoU over the labels present in the target or the prediction (NaN if none)."""
    ious = iou_per_class(confusion)
    return float(np.nanmean(ious)) if np.isfinite(ious).any() else float("nan")
