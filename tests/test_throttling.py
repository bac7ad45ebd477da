"""Brute force and flooding: login throttled per username and per IP; play rate-limited."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PlayerFactory
from tests.playing import latest_attempt, make_bank, question_url, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock(time_machine):
    """Hold the clock still a moment before a minute ends.

    The play limits count per wall-clock minute (quiz.ratelimit.WINDOW): with a
    running clock a test straddling a minute boundary saw two half-empty
    windows and failed (about one run in a hundred).
    """
    time_machine.move_to(datetime(2026, 11, 26, 12, 0, 59, 900_000, tzinfo=UTC), tick=False)
    return time_machine


def _login(client, username, password="wrong password!!", ip="198.51.100.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_locked_per_username_after_repeated_failures(settings):
    player = PlayerFactory()
    name = player.user.username
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        # Different addresses: the username alone triggers the lock.
        assert _login(Client(), name, ip=f"198.51.100.{i + 10}").status_code == 200
    locked = _login(Client(), name, ip="198.51.100.99")
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    # Even the right password is refused while locked.
    right = _login(Client(), name, password="correct horse battery staple", ip="198.51.100.100")
    assert right.status_code == 429


def test_login_locked_per_ip_across_usernames(settings):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, f"nobody{i}").status_code == 200
    assert _login(client, "someone-else").status_code == 429
    # Another address is not affected.
    assert _login(Client(), "someone-else", ip="192.0.2.1").status_code == 200


def test_successful_login_rotates_session():
    player = PlayerFactory()
    client = Client()
    client.get("/")
    client.session.save()
    before = client.session.session_key
    response = _login(client, player.user.username, password="correct horse battery staple")
    assert response.status_code == 302
    assert client.session.session_key != before


def test_start_quiz_rate_limited_per_session(client, settings):
    settings.QUIZ_START_RATE = 3
    make_bank(10)
    for _ in range(3):
        assert start(client).status_code == 302
    response = start(client)
    assert response.status_code == 429
    assert "starting quizzes very fast" in response.content.decode()
    # Another visitor is unaffected.
    assert start(Client()).status_code == 302


def test_answer_rate_limited_per_player(client, settings):
    settings.QUIZ_ANSWER_RATE = 2
    make_bank(10)
    player = PlayerFactory()
    client.force_login(player.user)
    start(client)
    attempt = latest_attempt()
    client.post(question_url(attempt, 1), {"option": "x"})
    client.post(question_url(attempt, 1), {"option": "y"})
    item = attempt.items.get(position=0)
    response = client.post(question_url(attempt, 1), {"option": item.correct_key})
    assert response.status_code == 429
    item.refresh_from_db()
    assert item.answered_at is None


def test_fresh_sessions_from_one_address_are_limited_too(settings):
    settings.QUIZ_START_RATE = 1
    make_bank(10)
    statuses = [start(Client()).status_code for _ in range(11)]
    assert statuses[:10] == [302] * 10
    assert statuses[10] == 429


def test_the_next_minute_opens_a_new_window(client, settings, clock):
    settings.QUIZ_START_RATE = 1
    make_bank(10)
    assert start(client).status_code == 302
    assert start(client).status_code == 429
    clock.shift(1)  # 12:01:00.9, a new one-minute window
    assert start(client).status_code == 302


def test_lockouts_are_not_evicted_by_other_failed_logins(settings):
    """The old database cache culled a third of its 300 entries: other traffic unlocked accounts."""
    locked = PlayerFactory()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _login(Client(), locked.user.username, ip=f"198.51.100.{i + 10}")
    others = Client()  # one client, many addresses: a new Client reloads the middleware
    for i in range(160):
        _login(others, f"someone-{i}", ip=f"203.0.113.{i}")
    response = _login(
        Client(), locked.user.username, password="correct horse battery staple", ip="192.0.2.50"
    )
    assert response.status_code == 429
