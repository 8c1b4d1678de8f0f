"""TryOnBench end to end: load the judges and the model, run every task, write results and reports."""

from __future__ import annotations

from pathlib import Path

from tqdm.auto import tqdm

from atelier.eval.bench.bench_models import load_bench_model
from atelier.eval.bench.bench_report import write_report
from atelier.eval.bench.bench_results import breakdowns, write_results
from atelier.eval.bench.bench_runner import run_task
from atelier.eval.bench.bench_set import BENCH_SPLIT, bench_items
from atelier.eval.judges.ground_truth_judge import GroundTruthJudge
from atelier.eval.judges.judges import Judge
from atelier.eval.judges.trained_judges import load_trained_judges

CACHE_FOLDER = ".cache"


def run_bench(
    model_spec: str,
    tasks: tuple[str, ...],
    n: int,
    out_dir: str | Path,
    judges_dir: str | Path,
    seed: int = 0,
    judge: Judge | None = None,
    gallery_size: int = 8,
    cache_dir: str | Path | None = None,
    show_progress: bool = True,
    restore_detail: bool | None = None,
) -> dict:
    """Benchmark one model on some tasks and write results.json, samples.jsonl, breakdowns.json,
    report.md, report.html, charts and the gallery into `out_dir`.

    Args:
        model_spec: a baseline name or a checkpoint folder (`bench_models.load_bench_model`).
        tasks: the tasks to run, in order.
        n: samples per task.
        out_dir: output folder.
        judges_dir: folder with the trained judge networks.
        seed: world seed of the bench set.
        judge: who scores the four dimensions; the ground-truth judge when omitted.
        gallery_size: worst samples shown per task.
        cache_dir: real-statistics cache; `<out_dir>/../.cache` when omitted, so models benchmarked
            side by side share it.
        show_progress: draw a progress bar.
        restore_detail: for a checkpoint, whether the pipeline restores the photo's detail
            (None: the checkpoint's default; False measures the model's own pixels).

    Returns:
        results.json's document.
    """
    out_dir = Path(out_dir)
    judges = load_trained_judges(judges_dir)
    model = load_bench_model(model_spec, judges.parser, seed, restore_detail=restore_detail)
    judge = judge or GroundTruthJudge(judges.parser, judges.reader)
    cache_dir = Path(cache_dir) if cache_dir is not None else out_dir.resolve().parent / CACHE_FOLDER
    bar = tqdm(total=n * len(tasks), disable=not show_progress, unit="sample")
    runs = []
    for task in tasks:
        bar.set_description(f"{model.name} {task}")
        runs.append(run_task(model, judge, judges, bench_items(task, n, seed), cache_dir, gallery_size, bar.update))
    bar.close()
    document = write_results(out_dir, model.name, runs)
    settings = {
        "judge": judge.name,
        "bench set": f"world {BENCH_SPLIT} split, seed {seed}, {n} samples per task",
        "command": f"atelier bench --model {model_spec} --task {','.join(tasks)} --n {n} --seed {seed} --out {out_dir}"
        + (" --no-restore-detail" if restore_detail is False else ""),
    }
    write_report(out_dir, document, breakdowns([s for run in runs for s in run.samples]), runs, settings)
    return document
