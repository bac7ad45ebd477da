"""api.php's rate limit: one request per address every API_RATE_LIMIT_SECONDS (5 by default)."""

from __future__ import annotations

import time

import pytest

from tests.factories import QuestionFactory

URL = "/api/api.php"


@pytest.fixture
def question(db):
    return QuestionFactory()


def test_the_default_is_one_request_per_five_seconds(settings):
    from hhquiz.env import env_int

    assert env_int({}, "API_RATE_LIMIT_SECONDS", 5) == settings.API_RATE_LIMIT_SECONDS == 5


def test_a_second_request_inside_the_window_is_code_5_and_429(client, question):
    assert client.get(URL, {"amount": 1}).json()["response_code"] == 0
    response = client.get(URL, {"amount": 1})
    assert response.status_code == 429
    assert response.json() == {"response_code": 5, "results": []}
    assert response["Retry-After"] == "5"
    assert response["Access-Control-Allow-Origin"] == "*"


def test_invalid_requests_count_too(client, question):
    assert client.get(URL, {"amount": "x"}).json()["response_code"] == 2
    assert client.get(URL, {"amount": 1}).status_code == 429


def test_each_address_has_its_own_window(client, question):
    assert client.get(URL, {"amount": 1}, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(URL, {"amount": 1}, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get(URL, {"amount": 1}, REMOTE_ADDR="10.0.0.1").status_code == 429


def test_a_forged_forwarded_for_does_not_escape_the_limit(client, question):
    assert client.get(URL, {"amount": 1}, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(URL, {"amount": 1}, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_is_limited(client, question, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client.get(URL, {"amount": 1}, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    assert client.get(URL, {"amount": 1}, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 200
    assert client.get(URL, {"amount": 1}, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 429


def test_the_window_ends(client, question, settings):
    settings.API_RATE_LIMIT_SECONDS = 1
    assert client.get(URL, {"amount": 1}).status_code == 200
    assert client.get(URL, {"amount": 1}).status_code == 429
    time.sleep(1.05)
    assert client.get(URL, {"amount": 1}).status_code == 200


def test_other_endpoints_are_not_limited(client, question):
    """A client asks for a token, then for questions at once: both must work."""
    assert client.get("/api/api_token.php", {"command": "request"}).status_code == 200
    assert client.get("/api/api_category.php").status_code == 200
    assert client.get(URL, {"amount": 1}).status_code == 200


def test_zero_disables_the_limit(client, question, settings):
    settings.API_RATE_LIMIT_SECONDS = 0
    for _ in range(5):
        assert client.get(URL, {"amount": 1}).status_code == 200
