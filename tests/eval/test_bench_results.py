"""`atelier bench` end to end: results.json's exact schema, reports, compare, the CLI."""

import argparse
import json
from pathlib import Path

import pytest
import torch

from atelier.cli import bench_commands
from atelier.eval.bench.bench_results import TASK_FIELDS, compare_results, load_results
from atelier.eval.bench.bench_set import BENCH_TASKS

SHIPPED_JUDGES = Path(__file__).resolve().parents[2] / "weights" / "eval"


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    # One thread is fastest on a shared CPU (threads wait on each other under load), as the CLI does.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _atelier(argv):
    parser = argparse.ArgumentParser(prog="atelier")
    bench_commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.run(args)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    for model in ("identity", "noise"):
        argv = ["bench", "--model", model, "--task", "all", "--n", "2", "--out", str(out / model), "--judges", str(SHIPPED_JUDGES), "--gallery", "1"]
        assert _atelier(argv) == 0
    return out


def test_results_json_has_exactly_the_documented_shape(two_runs):
    document = json.loads((two_runs / "identity" / "results.json").read_text())
    assert set(document) == {"model", "tasks"} and document["model"] == "identity"
    assert list(document["tasks"]) == list(BENCH_TASKS)
    for task, values in document["tasks"].items():
        assert list(values) == list(TASK_FIELDS)
        assert values["n"] == 2
        for name in ("overall", "identity", "garment", "background", "physics"):
            assert values[name] is None or 1.0 <= values[name] <= 10.0
        assert (values["identity"] is None) == (task == "tryoff")
        for name in ("ssim", "lpips", "fid", "kid"):
            assert isinstance(values[name], float)


def test_reports_charts_gallery_and_per_sample_rows_are_written(two_runs):
    folder = two_runs / "noise"
    for name in ("report.md", "report.html", "radar.svg", "categories.svg", "references.svg", "samples.jsonl", "breakdowns.json"):
        assert (folder / name).is_file(), name
    assert len((folder / "samples.jsonl").read_text().splitlines()) == 2 * len(BENCH_TASKS)
    assert len(list((folder / "gallery").glob("*.png"))) == len(BENCH_TASKS)
    assert "<svg" in (folder / "report.html").read_text()
    breakdowns = json.loads((folder / "breakdowns.json").read_text())
    assert set(breakdowns) == {"by_category", "by_references"} and "1" in breakdowns["by_references"]


def test_real_statistics_are_cached_per_bench_set_and_extractor(two_runs):
    cached = sorted(path.name for path in (two_runs / ".cache").glob("*.npz"))
    assert len(cached) == len(BENCH_TASKS)
    assert all(name.startswith("test-seed0-") and "__atelier-" in name for name in cached)


def test_compare_reports_b_minus_a(two_runs, capsys):
    a, b = load_results(two_runs / "noise"), load_results(two_runs / "identity")
    rows = compare_results(a, b)
    single_overall = next(r for r in rows if r["task"] == "single" and r["metric"] == "overall")
    assert single_overall["difference"] == pytest.approx(b["tasks"]["single"]["overall"] - a["tasks"]["single"]["overall"])
    assert single_overall["b_better"] is True
    fid = next(r for r in rows if r["task"] == "single" and r["metric"] == "fid")
    assert fid["b_better"] == (fid["b"] < fid["a"])
    assert _atelier(["bench", "compare", str(two_runs / "noise"), str(two_runs / "identity")]) == 0
    assert "single" in capsys.readouterr().out


def test_user_errors_are_clear(tmp_path):
    with pytest.raises(ValueError, match="needs --model"):
        _atelier(["bench"])
    with pytest.raises(FileNotFoundError, match="no try-on checkpoint"):
        _atelier(["bench", "--model", str(tmp_path / "absent"), "--task", "single", "--n", "1", "--out", str(tmp_path / "o"), "--judges", str(SHIPPED_JUDGES)])
    with pytest.raises(FileNotFoundError, match="train-judges"):
        _atelier(["bench", "--model", "noise", "--task", "single", "--n", "1", "--out", str(tmp_path / "o"), "--judges", str(tmp_path)])
    with pytest.raises(FileNotFoundError, match="no results file"):
        load_results(tmp_path)
