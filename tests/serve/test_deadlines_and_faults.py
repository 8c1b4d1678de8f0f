"""Deadlines (504), refusals by the model (422), real faults (500, logged without data), and
readiness when the weights are missing (503 naming the path)."""

from __future__ import annotations

import logging
import time

from atelier.serve import ServeSettings, create_app
from atelier.serve.batch_pipeline import UnavailablePipeline
from atelier.serve.tryon_adapter import load_tryon_pipeline
from tests.serve.conftest import assert_error, png, tryon_form
from tests.serve.pipeline_doubles import (
    FailingPipeline,
    RejectingPipeline,
    SlowEchoPipeline,
)


def test_a_request_not_answered_by_its_deadline_is_504(make_client):
    pipeline = SlowEchoPipeline(held=True)
    client = make_client(pipeline=pipeline, timeout_s=0.3)
    asked = time.monotonic()
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")]))
    assert_error(response, 504, "deadline_exceeded", "deadline")
    assert time.monotonic() - asked < 5
    pipeline.release.set()


def test_a_request_the_model_refuses_is_422(make_client):
    client = make_client(pipeline=RejectingPipeline())
    response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")], instruction="refuse it"))
    assert_error(response, 422, "rejected_by_model", "refuses")


def test_a_server_fault_is_500_json_and_logged_without_its_message(make_client, caplog):
    client = make_client(pipeline=FailingPipeline())
    with caplog.at_level(logging.DEBUG):
        response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")]))
    assert_error(response, 500, "internal_error")
    assert FailingPipeline.SECRET not in response.text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged and "/v1/tryon" in logged
    assert FailingPipeline.SECRET not in logged
    assert all(record.exc_info is None for record in caplog.records)  # no traceback text either


def test_missing_weights_start_the_service_not_ready(tmp_path):
    missing = tmp_path / "no-such-weights"
    pipeline = load_tryon_pipeline(missing)
    assert isinstance(pipeline, UnavailablePipeline)
    from fastapi.testclient import TestClient

    with TestClient(create_app(ServeSettings(weights=missing))) as client:
        assert client.get("/healthz").status_code == 200
        assert_error(client.get("/readyz"), 503, "not_ready", str(missing))
        response = client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")]))
        assert_error(response, 503, "not_ready", str(missing))
        assert client.get("/").status_code == 200


def test_ready_service_reports_its_queue(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and body["queue_depth"] == 0
