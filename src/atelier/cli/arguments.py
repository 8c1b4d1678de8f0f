"""Argument types shared by several subcommands."""

from __future__ import annotations

import argparse
from typing import Any

import yaml


def image_size(text: str) -> tuple[int, int]:
    """Parse 'HxW' (e.g. 256x192) into (H, W)."""
    try:
        height, width = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HxW such as 256x192, got {text!r}") from None
    if height < 64 or width < 48:
        raise argparse.ArgumentTypeError(f"image size {text} is too small (at least 64x48)")
    return height, width


def shard_job(text: str) -> tuple[int, int]:
    """Parse 'i/N' into (i, N) with 0 <= i < N."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected i/N such as 0/4, got {text!r}") from None
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"shard {text}: need 0 <= i < N")
    return index, count


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text}")
    return value


def task_scale(text: str) -> tuple[str, float]:
    """Parse 'TASK=SCALE' (e.g. single=5) into ("single", 5.0); the task is checked where it is used."""
    task, separator, scale = text.partition("=")
    try:
        value = float(scale)
    except ValueError:
        value = None
    if not separator or not task or value is None:
        raise argparse.ArgumentTypeError(f"expected TASK=SCALE such as single=5, got {text!r}")
    return task, value


def dotted_setting(text: str) -> tuple[str, Any]:
    """Parse 'a.b=VALUE' into ("a.b", VALUE read as YAML: 2 is a number, [1, 2] a list, x a string)."""
    key, separator, value = text.partition("=")
    if not separator or not key or any(not part for part in key.split(".")):
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE such as flow_matching.attention_focus=2, got {text!r}")
    try:
        return key, yaml.safe_load(value)
    except yaml.YAMLError:
        raise argparse.ArgumentTypeError(f"{key}: {value!r} is not a YAML value") from None
