"""Redis is an accelerator: with it dead or hung, every page a player needs works from the database.

Each test runs its own redis-server on a free port (tests/redis_server.py) and
kills or pauses it; the app is configured exactly as production with REDIS_URL.
"""

from __future__ import annotations

import logging
import time

import pytest
from django.test import Client
from django.urls import reverse

from quiz.models import QuizAttempt
from tests.factories import PlayerFactory
from tests.playing import latest_attempt, make_bank, question_url, start

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

PASSWORD = "correct horse battery staple"


def _logged_in_client(player) -> Client:
    client = Client()
    response = client.post(
        reverse("login"), {"username": player.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _outage_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "hhquiz.redis" and "unavailable" in r.getMessage()
    ]


def test_a_signed_in_player_plays_a_whole_quiz_while_redis_is_dead(
    own_redis, caplog, django_capture_on_commit_callbacks
):
    make_bank(20)
    player = PlayerFactory()
    client = _logged_in_client(player)
    assert client.get("/").status_code == 200  # the session is now cached in Redis

    own_redis.kill()
    caplog.set_level(logging.WARNING, logger="hhquiz.redis")
    assert client.get("/").status_code == 200
    assert start(client).status_code == 302
    attempt = latest_attempt()
    assert attempt.player == player
    for number in range(1, attempt.length + 1):
        page = client.get(question_url(attempt, number))
        assert page.status_code == 200
        key = attempt.items.get(position=number - 1).correct_key
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(question_url(attempt, number), {"option": key})
        assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.FINISHED
    assert client.get(reverse("quiz:results", args=[attempt.public_id])).status_code == 200
    board = client.get(reverse("quiz:leaderboard"), {"difficulty": "easy", "watched": 6})
    assert board.status_code == 200
    assert player.display_name in board.content.decode()
    assert client.get(reverse("profile")).status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    # One line for the outage, not one per request.
    assert len(_outage_warnings(caplog)) == 1


def test_visitors_sign_up_and_log_in_while_redis_is_dead(own_redis):
    make_bank(10)
    player = PlayerFactory()
    own_redis.kill()
    visitor = Client()
    assert visitor.get("/").status_code == 200
    assert start(visitor).status_code == 302
    signup = visitor.post(
        reverse("signup"),
        {
            "username": "newcomer",
            "display_name": "Newcomer",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert signup.status_code == 302
    assert visitor.get(reverse("profile")).status_code == 200
    # The anonymous quiz went with the new account.
    assert latest_attempt().player.display_name == "Newcomer"
    assert _logged_in_client(player).get(reverse("profile")).status_code == 200


def test_login_throttling_and_rate_limits_hold_while_redis_is_dead(own_redis, settings):
    settings.QUIZ_START_RATE = 2
    make_bank(10)
    player = PlayerFactory()
    own_redis.kill()
    codes = [
        Client()
        .post(
            reverse("login"),
            {"username": player.user.username, "password": "wrong password!!"},
            REMOTE_ADDR=f"198.51.100.{i + 10}",
        )
        .status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert codes == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = Client().post(
        reverse("login"),
        {"username": player.user.username, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.99",
    )
    assert locked.status_code == 429

    client = Client()
    assert [start(client).status_code for _ in range(3)] == [302, 302, 429]


def test_a_hung_redis_costs_a_bounded_wait(own_redis):
    make_bank(10)
    client = _logged_in_client(PlayerFactory())
    own_redis.pause()
    try:
        for url in ("/", reverse("quiz:leaderboard")):
            began = time.monotonic()
            assert client.get(url).status_code == 200
            # Socket timeouts of 0.5 s: a few waits at most (slower on a loaded
            # machine), never the 10+ s of old.
            assert time.monotonic() - began < 6
    finally:
        own_redis.resume()


def test_a_logout_during_the_outage_is_not_undone_when_redis_returns(own_redis):
    """The cached session would say "logged in"; the write that failed is removed on recovery."""
    client = _logged_in_client(PlayerFactory())
    assert client.get(reverse("profile")).status_code == 200
    old_session = client.cookies["sessionid"].value
    own_redis.pause()
    try:
        assert client.post(reverse("logout")).status_code == 302
    finally:
        own_redis.resume()
    stale = Client()
    # Replay the old session cookie as a thief or a second tab would.
    stale.cookies["sessionid"] = old_session
    response = stale.get(reverse("profile"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
