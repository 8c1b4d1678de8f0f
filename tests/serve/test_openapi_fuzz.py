"""Property-based requests generated from /openapi.json never get a 5xx.

Runs against a real uvicorn server on 127.0.0.1 with the test-double pipeline, so the
worker, the body limit and the form parser are all on the path. Bounded: 30 examples per
operation, derandomized so a failure reproduces.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (pip install schemathesis)")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from atelier.serve import ServeSettings, create_app  # noqa: E402
from atelier.serve.background_server import BackgroundServer  # noqa: E402
from tests.serve.pipeline_doubles import SlowEchoPipeline  # noqa: E402
from tests.serve.retrieval_doubles import FixedCatalogueRetrieval  # noqa: E402


def build_app():
    settings = ServeSettings(max_body_mb=1, max_image_pixels=512 * 512, timeout_s=10)
    return create_app(settings, pipeline=SlowEchoPipeline(), retrieval=FixedCatalogueRetrieval())


# The schema is what the app publishes at /openapi.json; building it needs no server.
schema = schemathesis.openapi.from_dict(build_app().openapi())


@pytest.fixture(scope="module")
def server():
    with BackgroundServer(build_app()) as running:
        yield running


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_request_from_the_schema_gets_a_server_error(case, server):
    case.call_and_validate(
        base_url=server.url,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        timeout=30,
    )
