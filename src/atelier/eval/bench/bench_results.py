"""TryOnBench's result files and their comparison.

`results.json` has exactly this shape (dimension scores 1–10; `null` where a dimension does not
apply to any sample of a task, e.g. Identity of try-off):

    {"model": "<name>",
     "tasks": {"<task>": {"n": int, "overall": float, "identity": float, "garment": float,
                          "background": float, "physics": float, "ssim": float, "lpips": float,
                          "fid": float, "kid": float}}}

Beside it, `samples.jsonl` holds every sample's scores and `breakdowns.json` the means by
garment category and by number of references.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from atelier.data.layout_files import write_json_atomic, write_text_atomic
from atelier.eval.bench.bench_runner import SampleResult, TaskRun
from atelier.eval.judges.judges import DIMENSIONS
from atelier.world.vocabulary import CATEGORIES

RESULTS_FILE = "results.json"
SAMPLES_FILE = "samples.jsonl"
BREAKDOWNS_FILE = "breakdowns.json"
TASK_FIELDS: tuple[str, ...] = ("n", "overall", *DIMENSIONS, "ssim", "lpips", "fid", "kid")
HIGHER_IS_BETTER = {"overall": True, "identity": True, "garment": True, "background": True, "physics": True,
                    "ssim": True, "lpips": False, "fid": False, "kid": False}  # fmt: skip


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.mean(kept)) if kept else None


def _finite(value: float) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def summarise_task(run: TaskRun) -> dict:
    """The task's entry of results.json."""
    samples = run.samples
    summary = {"n": len(samples), "overall": _mean([s.scores.overall for s in samples])}
    for name in DIMENSIONS:
        summary[name] = _mean([getattr(s.scores, name) for s in samples])
    summary.update(
        ssim=_mean([s.ssim for s in samples]), lpips=_mean([s.lpips for s in samples]), fid=_finite(run.fid), kid=_finite(run.kid)
    )
    return summary


def results_document(model_name: str, runs: list[TaskRun]) -> dict:
    """The whole results.json document."""
    return {"model": model_name, "tasks": {run.task: summarise_task(run) for run in runs}}


def breakdowns(samples: list[SampleResult]) -> dict:
    """Means by garment category (Garment fidelity of that reference; Overall of samples with it)
    and by number of references (Overall and Garment fidelity of single and multi samples)."""
    by_category: dict[str, dict[str, list[float]]] = {}
    for sample in samples:
        for category, score in sample.scores.garments.items():
            entry = by_category.setdefault(category, {"garment": [], "overall": []})
            entry["garment"].append(score)
            entry["overall"].append(sample.scores.overall)
    by_references: dict[str, dict[str, list]] = {}
    for sample in samples:
        if sample.task in ("single", "multi"):
            entry = by_references.setdefault(str(sample.references), {"overall": [], "garment": []})
            entry["overall"].append(sample.scores.overall)
            entry["garment"].append(sample.scores.garment)
    references_in_order = dict(sorted(by_references.items(), key=lambda item: int(item[0])))
    categories_in_order = {c: by_category[c] for c in CATEGORIES if c in by_category}
    return {"by_category": _group_means(categories_in_order), "by_references": _group_means(references_in_order)}


def _group_means(groups: dict[str, dict[str, list]]) -> dict[str, dict]:
    return {key: {"n": len(values["overall"]), **{name: _mean(v) for name, v in values.items()}} for key, values in groups.items()}


def write_results(out_dir: str | Path, model_name: str, runs: list[TaskRun]) -> dict:
    """Write results.json, samples.jsonl and breakdowns.json atomically; return results.json's document."""
    out_dir = Path(out_dir)
    document = results_document(model_name, runs)
    samples = [sample for run in runs for sample in run.samples]
    write_json_atomic(out_dir / RESULTS_FILE, document)
    write_text_atomic(out_dir / SAMPLES_FILE, "".join(json.dumps(sample.to_json()) + "\n" for sample in samples))
    write_json_atomic(out_dir / BREAKDOWNS_FILE, breakdowns(samples))
    return document


def load_results(path: str | Path) -> dict:
    """A results.json document, from the file or the folder holding it."""
    path = Path(path)
    if path.is_dir():
        path = path / RESULTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no results file at {path} (run `atelier bench --out DIR` first)")
    try:
        document = json.loads(path.read_text())
        document["model"], document["tasks"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path} is not a TryOnBench results.json ({error})") from error
    return document


def compare_results(a: dict, b: dict) -> list[dict]:
    """Rows (task, metric, a, b, b − a, better) for every task and metric both documents have."""
    rows = []
    for task in [t for t in a["tasks"] if t in b["tasks"]]:
        for metric in TASK_FIELDS[1:]:
            value_a, value_b = a["tasks"][task].get(metric), b["tasks"][task].get(metric)
            if value_a is None or value_b is None:
                continue
            difference = value_b - value_a
            better = None if difference == 0 else (difference > 0) == HIGHER_IS_BETTER[metric]
            rows.append({"task": task, "metric": metric, "a": value_a, "b": value_b, "difference": difference, "b_better": better})
    return rows
