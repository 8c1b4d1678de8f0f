"""/metrics: request counts by route template and status, latency, queue depth, batch sizes."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.serve.conftest import png, tryon_form


def samples(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_requests_are_counted_by_route_template_and_status(client):
    client.post("/v1/tryon", files=tryon_form(png(1), [(png(2), "top")]))
    client.post("/v1/tryon", files=tryon_form(b"", [(png(2), "top")]))
    client.get("/v1/tryon/../../etc/passwd")
    client.get("/static/style.css")
    found = samples(client)
    count = "atelier_http_requests_total"
    assert found[(count, (("method", "POST"), ("route", "/v1/tryon"), ("status", "200")))] == 1
    assert found[(count, (("method", "POST"), ("route", "/v1/tryon"), ("status", "422")))] == 1
    assert found[(count, (("method", "GET"), ("route", "/static/{path}"), ("status", "200")))] == 1
    routes = {dict(labels)["route"] for name, labels in found if name == count}
    assert not any("passwd" in route for route in routes)  # raw paths never become labels
    assert found[("atelier_http_request_duration_seconds_count", (("route", "/v1/tryon"),))] == 2


def test_batches_and_queue_depth_are_exported(client):
    for seed in range(3):
        assert client.post("/v1/tryon", files=tryon_form(png(seed), [(png(9), "hat")])).status_code == 200
    found = samples(client)
    assert found[("atelier_batch_size_count", ())] == 3
    assert found[("atelier_batch_size_sum", ())] == 3
    assert found[("atelier_queue_depth", ())] == 0
    assert found[("atelier_batch_duration_seconds_count", ())] == 3
