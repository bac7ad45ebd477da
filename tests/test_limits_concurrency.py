"""Rate limits hold under concurrency on the default set-up (no Redis): two gunicorn
workers, 64 requests released at once, every one counted exactly once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from quiz.models import QuizAttempt
from quiz.ratelimit import WINDOW
from tests.factories import PlayerFactory, QuestionFactory
from tests.live_server import Browser, Gunicorn, give_real_password, server_env

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "counted once, every time"
START_RATE = 30
ANSWER_RATE = 120


@pytest.fixture
def server(transactional_db):
    """Two worker processes, 8 threads each, counters in the database."""
    env = server_env(
        QUIZ_START_RATE=str(START_RATE),
        QUIZ_ANSWER_RATE=str(ANSWER_RATE),
        CACHE_KEY_PREFIX="limits-test",
    )
    gunicorn = Gunicorn(env, workers=2, threads=8)
    try:
        gunicorn.wait_until_up()
        yield gunicorn.base
    finally:
        gunicorn.stop()


def _fresh_window(needed: float = 30) -> int:
    """Wait, if need be, until at least `needed` s of the current rate-limit window
    remain, and return that window. The limits count per fixed minute of the clock:
    a burst that straddled two minutes would be counted against two limits."""
    left = WINDOW - time.time() % WINDOW
    if left < needed:
        time.sleep(left + 0.05)
    return int(time.time() // WINDOW)


def _burst(n: int, send) -> list[int]:
    barrier = threading.Barrier(n)

    def one(_):
        barrier.wait()
        return send()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _signed_in(server) -> tuple:
    QuestionFactory.create_batch(30, difficulty="easy")
    player = PlayerFactory()
    give_real_password(player.user, PASSWORD)
    browser = Browser()
    browser.log_in(server, player.user.username, PASSWORD)
    return player, browser


def test_64_concurrent_starts_create_exactly_the_limit(server):
    player, browser = _signed_in(server)
    status, html, _ = browser.request(server, "/")
    assert status == 200
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    form = {"watched_through": 6, "difficulty": "easy", "length": 5, "category": ""}

    window = _fresh_window()
    statuses = _burst(
        64,
        lambda: browser.request(server, "/quiz/start/", {**form, "csrfmiddlewaretoken": token})[0],
    )
    assert int(time.time() // WINDOW) == window, "the burst took longer than its window"

    assert sorted(set(statuses)) == [302, 429]
    assert statuses.count(302) == START_RATE
    assert QuizAttempt.objects.filter(player=player).count() == START_RATE


def test_3x64_concurrent_answers_are_limited_to_the_rate(server):
    player, browser = _signed_in(server)
    status, play_url = browser.start_quiz(server)
    assert status == 302
    assert browser.request(server, f"{play_url}q/1/")[0] == 200
    attempt = QuizAttempt.objects.get(player=player)
    key = attempt.items.get(position=0).correct_key

    statuses = []
    window = _fresh_window(needed=45)
    for _ in range(3):
        statuses += _burst(
            64, lambda: browser.request(server, f"{play_url}q/1/", {"option": key}, htmx=True)[0]
        )

    assert int(time.time() // WINDOW) == window, "the bursts took longer than their window"
    assert len(statuses) == 192
    assert statuses.count(429) == 192 - ANSWER_RATE
    assert statuses.count(200) == ANSWER_RATE
    attempt.refresh_from_db()
    assert attempt.answered_count == 1
