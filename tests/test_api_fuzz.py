"""Property-based fuzzing of the API from its own OpenAPI description (schemathesis).

Requests are generated from /api/openapi.json's schemas; every response must
not be a 5xx and must match the documented status codes, content type and
response schema. Examples per operation are bounded so CI stays fast.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from quiz.api_schema import openapi_document
from quiz.models import Question
from tests.factories import BankFactory, QuestionFactory

schema = schemathesis.openapi.from_dict(openapi_document("/api"))
schema.app = get_wsgi_application()

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bank(db, settings):
    settings.API_RATE_LIMIT_SECONDS = 0
    settings.API_TOKEN_RATE = 1_000_000
    for level in range(7):
        QuestionFactory(spoiler_level=level, difficulty="hard", category="cast")
        QuestionFactory(spoiler_level=level, kind=Question.Kind.BOOLEAN, category="music")
    QuestionFactory(draft=True, category="draft only")
    QuestionFactory(bank=BankFactory(slug="closed", name="Closed", is_published=False))
    # As Django's test client does: the request cycle must not close the test's connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_no_5xx_and_every_response_matches_the_schema(case, bank):
    case.call_and_validate(checks=CHECKS)


@pytest.fixture
def rate_limited_bank(bank, settings):
    settings.API_RATE_LIMIT_SECONDS = 5


@schema.include(operation_id="getQuestions").parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
def test_rate_limited_answers_match_the_schema_too(case, rate_limited_bank):
    """With Open Trivia DB's limit on, all but the first request are 429 + response_code 5."""
    response = case.call_and_validate(checks=[*CHECKS, response_headers_conformance])
    # Schemathesis also tries other methods: a CORS preflight is 204, the rest 405.
    expected = {"GET": (200, 429), "HEAD": (200, 429), "OPTIONS": (204,)}
    assert response.status_code in expected.get(case.method.upper(), (405,))
