"""`atelier serve`: options reach the settings, uvicorn gets the app, --ray explains itself."""

from __future__ import annotations

import argparse
import sys

import pytest
import uvicorn
from fastapi import FastAPI

from atelier.cli import serve_commands


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="atelier")
    serve_commands.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["serve", *argv])


@pytest.fixture
def uvicorn_calls(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append({"app": app, **options}))
    return calls


def test_defaults_bind_loopback_with_the_documented_limits(uvicorn_calls, tmp_path, capsys):
    args = parse(["--weights", str(tmp_path / "absent")])
    assert args.run(args) == 0
    (call,) = uvicorn_calls
    assert isinstance(call["app"], FastAPI)
    assert (call["host"], call["port"]) == ("127.0.0.1", 8000)
    settings = call["app"].state.settings
    assert (settings.max_batch, settings.max_wait_ms, settings.queue_size) == (4, 20.0, 16)
    assert (settings.timeout_s, settings.max_body_mb, settings.api_key, settings.cors_origins) == (60.0, 20.0, None, ())
    assert "reachable from other machines" not in capsys.readouterr().err


def test_options_reach_the_settings(uvicorn_calls, tmp_path, capsys):
    key_file = tmp_path / "key"
    key_file.write_text("tok\n")
    args = parse(
        [
            "--host", "0.0.0.0", "--port", "9001", "--max-batch", "8", "--max-wait-ms", "5", "--queue-size", "3",
            "--timeout-s", "2.5", "--max-body-mb", "1", "--api-key-file", str(key_file),
            "--cors-origin", "https://a.example", "--cors-origin", "https://b.example",
        ]
    )
    args.run(args)
    settings = uvicorn_calls[0]["app"].state.settings
    assert (settings.host, settings.port, settings.max_batch, settings.queue_size) == ("0.0.0.0", 9001, 8, 3)
    assert settings.api_key == "tok" and settings.cors_origins == ("https://a.example", "https://b.example")
    assert "reachable from other machines" in capsys.readouterr().err


def test_bad_limits_are_refused_before_serving(uvicorn_calls):
    args = parse(["--timeout-s", "0"])
    with pytest.raises(ValueError, match="timeout_s"):
        args.run(args)
    assert uvicorn_calls == []


def test_ray_without_ray_installed_says_how_to_install_it(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # makes `import ray` fail as if absent
    args = parse(["--ray"])
    assert args.run(args) == 2
    assert 'pip install "ray[serve]"' in capsys.readouterr().err
