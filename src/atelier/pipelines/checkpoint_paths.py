"""Where a model file is found: the file itself, a checkpoint folder, or a training run's folder.

Training (`atelier.train`) writes `<run>/checkpoints/step-NNNNNNNN/model.safetensors` and a
one-line `<run>/checkpoints/latest` naming the newest complete one; a shipped weights folder
(`weights/tryon`) holds `model.safetensors` directly. Every loader accepts all three.
"""

from __future__ import annotations

from pathlib import Path

MODEL_FILE = "model.safetensors"
LATEST = "latest"
CHECKPOINTS = "checkpoints"


def find_model_file(path: str | Path) -> Path | None:
    """The model file behind `path`, or None when there is none.

    Args:
        path: a `.safetensors` file, a folder holding `model.safetensors`, a run's
            checkpoints folder or the run folder (both resolve through `latest`).
    """
    path = Path(path)
    for candidate in (path, path / MODEL_FILE):
        if candidate.is_file():
            return candidate
    for checkpoints in (path, path / CHECKPOINTS):
        pointer = checkpoints / LATEST
        if pointer.is_file():
            file = checkpoints / pointer.read_text().strip() / MODEL_FILE
            if file.is_file():
                return file
    return None
