"""Session tokens: no question twice until reset, code 4 when exhausted, expiry after 6 h idle."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.models import ApiToken
from tests.factories import QuestionFactory

BANK = 7


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT_SECONDS = 0


@pytest.fixture
def bank(db):
    return [QuestionFactory() for _ in range(BANK)]


def new_token(client) -> str:
    data = client.get("/api/api_token.php", {"command": "request"}).json()
    assert data["response_code"] == 0
    assert data["response_message"] == "Token Generated Successfully!"
    assert len(data["token"]) == 64
    return data["token"]


def ask(client, token, amount=1, **params):
    return client.get("/api/api.php", {"amount": amount, "token": token, **params}).json()


def test_a_token_is_stored_in_the_database(client, db):
    token = new_token(client)
    assert ApiToken.objects.filter(token=token).exists()
    assert new_token(client) != token


def test_no_question_twice_until_exhausted_then_code_4(client, bank):
    token = new_token(client)
    seen = []
    for _ in range(BANK // 2):
        data = ask(client, token, amount=2)
        assert data["response_code"] == 0
        seen += [r["question"] for r in data["results"]]
    # One question left, two asked for: the token cannot serve them unseen.
    assert ask(client, token, amount=2) == {"response_code": 4, "results": []}
    (last,) = ask(client, token)["results"]
    seen.append(last["question"])
    assert sorted(seen) == sorted(q.text for q in bank)
    assert ask(client, token) == {"response_code": 4, "results": []}


def test_more_than_the_bank_is_code_1_not_4(client, bank):
    token = new_token(client)
    assert ask(client, token, amount=BANK + 1)["response_code"] == 1


def test_reset_lets_the_questions_come_again(client, bank):
    token = new_token(client)
    assert len(ask(client, token, amount=BANK)["results"]) == BANK
    assert ask(client, token)["response_code"] == 4
    reset = client.get("/api/api_token.php", {"command": "reset", "token": token}).json()
    assert reset == {"response_code": 0, "token": token}
    assert len(ask(client, token, amount=BANK)["results"]) == BANK


def test_tokens_are_independent(client, bank):
    first, second = new_token(client), new_token(client)
    assert len(ask(client, first, amount=BANK)["results"]) == BANK
    assert len(ask(client, second, amount=BANK)["results"]) == BANK


def test_a_token_remembers_across_filters(client, bank):
    QuestionFactory(difficulty="hard")
    token = new_token(client)
    assert ask(client, token, difficulty="hard")["response_code"] == 0
    assert ask(client, token, difficulty="hard")["response_code"] == 4
    assert len(ask(client, token, amount=BANK)["results"]) == BANK


@pytest.mark.parametrize("value", ["nope", "0" * 64, "'; DROP TABLE quiz_apitoken; --"])
def test_an_unknown_token_is_code_3(client, bank, value):
    assert ask(client, value) == {"response_code": 3, "results": []}
    reset = client.get("/api/api_token.php", {"command": "reset", "token": value}).json()
    assert reset["response_code"] == 3
    assert "token" not in reset


def test_a_token_expires_after_six_hours_unused(client, bank):
    token = new_token(client)
    row = ApiToken.objects.get(token=token)
    row.last_used_at = timezone.now() - timedelta(hours=6, seconds=1)
    row.save()
    assert ask(client, token) == {"response_code": 3, "results": []}
    assert not ApiToken.objects.filter(token=token).exists()


def test_an_expired_token_cannot_be_reset(client, bank):
    token = new_token(client)
    ApiToken.objects.filter(token=token).update(last_used_at=timezone.now() - timedelta(hours=7))
    reset = client.get("/api/api_token.php", {"command": "reset", "token": token}).json()
    assert reset["response_code"] == 3


def test_using_a_token_keeps_it_alive(client, bank):
    token = new_token(client)
    ApiToken.objects.filter(token=token).update(
        last_used_at=timezone.now() - timedelta(hours=5, minutes=59)
    )
    assert ask(client, token)["response_code"] == 0
    row = ApiToken.objects.get(token=token)
    assert timezone.now() - row.last_used_at < timedelta(minutes=1)


def test_requesting_a_token_purges_expired_ones(client, db):
    old = new_token(client)
    ApiToken.objects.filter(token=old).update(last_used_at=timezone.now() - timedelta(hours=7))
    new_token(client)
    assert not ApiToken.objects.filter(token=old).exists()


@pytest.mark.parametrize("params", [{}, {"command": ""}, {"command": "delete"}])
def test_a_missing_or_unknown_command_is_code_2(client, db, params):
    data = client.get("/api/api_token.php", params).json()
    assert data["response_code"] == 2
    assert not ApiToken.objects.exists()


def test_token_requests_per_address_are_capped(client, db, settings):
    settings.API_TOKEN_RATE = 2
    new_token(client)
    new_token(client)
    response = client.get("/api/api_token.php", {"command": "request"})
    assert response.status_code == 429
    assert response.json()["response_code"] == 5
    assert ApiToken.objects.count() == 2
