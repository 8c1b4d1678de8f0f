"""Two processes with DDP on gloo, launched the documented way: `accelerate launch`."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.train.conftest import tiny_config

REPOSITORY = Path(__file__).resolve().parents[2]


def test_two_processes_train_one_model_on_disjoint_data(tmp_path):
    accelerate = shutil.which("accelerate", path=str(Path(sys.executable).parent))
    if accelerate is None:
        pytest.skip("the accelerate launcher is not installed")
    config_path = tmp_path / "tiny.yaml"
    config_path.write_text(yaml.safe_dump(tiny_config(tmp_path / "run", steps=2, checkpoint={"every": 2}).to_dict()))
    # On a machine without GPUs `--multi_gpu` means "torchrun"; Accelerate then picks gloo on the CPU.
    command = [
        accelerate, "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
        "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", "0",
        "-m", "atelier.cli", "train", "--config", str(config_path),
    ]  # fmt: skip
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"}
    finished = subprocess.run(command, check=False, cwd=REPOSITORY, env=environment, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "checkpoint:" in finished.stdout

    state = json.loads((tmp_path / "run" / "checkpoints" / "step-00000002" / "state.json").read_text())
    streams = state["streams"]
    assert len(streams) == 2  # one data stream per process, both saved for resume
    for rank, stream in enumerate(streams):  # each process read only its own positions
        assert (stream["next_position"] - 1) % 2 == rank
        assert all(position % 2 == rank for position, _ in stream["held"])
