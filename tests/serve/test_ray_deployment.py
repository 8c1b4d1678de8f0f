"""Ray Serve scale-out, checked without Ray: the clear error, and the deployment it builds."""

from __future__ import annotations

import sys
import types

import pytest
from fastapi import FastAPI

from atelier.serve import ServeSettings
from atelier.serve.ray_deployment import RayServeUnavailable, build_ray_application


def test_missing_ray_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(RayServeUnavailable, match=r'pip install "ray\[serve\]"'):
        build_ray_application(ServeSettings())


def test_the_deployment_wraps_the_service_app(monkeypatch, tmp_path):
    recorded: dict = {}

    def deployment(**options):
        recorded["deployment"] = options

        def decorate(cls):
            cls.bind = classmethod(lambda cls_: ("bound", cls_))
            return cls

        return decorate

    def ingress(app):
        recorded["ingress"] = app
        return lambda cls: cls

    fake_serve = types.ModuleType("ray.serve")
    fake_serve.deployment, fake_serve.ingress = deployment, ingress
    fake_ray = types.ModuleType("ray")
    fake_ray.serve = fake_serve
    monkeypatch.setitem(sys.modules, "ray", fake_ray)
    monkeypatch.setitem(sys.modules, "ray.serve", fake_serve)

    settings = ServeSettings(weights=tmp_path / "weights", max_batch=8)
    bound, _ = build_ray_application(settings, num_replicas=3)
    assert bound == "bound"
    assert recorded["deployment"]["num_replicas"] == 3
    app = recorded["ingress"]
    assert isinstance(app, FastAPI)
    assert app.state.settings is settings
    assert app.state.inference.pipeline is None  # loaded by each replica's lifespan, not here
