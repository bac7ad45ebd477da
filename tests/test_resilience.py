"""Chaos over HTTP: gunicorn with Redis (a redis-server of the test's own), Redis killed
in the middle of a quiz. The quiz finishes, every page answers, /healthz says degraded,
and when Redis returns the score is on the board with nobody running a rebuild."""

from __future__ import annotations

import re
import time

import pytest

from quiz.models import AttemptQuestion, QuizAttempt
from tests.factories import FinishedAttemptFactory, PlayerFactory, QuestionFactory
from tests.live_server import OPTION_RE, Browser, Gunicorn, give_real_password, server_env
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PASSWORD = "redis is only an accelerator"
BOARD = "/leaderboard/?period=all&length=5&difficulty=easy&watched=6&timed=0"
ROW_RE = re.compile(r"<td>([^<]+)</td><td class=\"num\">(\d+)</td>")


@pytest.fixture
def site(tmp_path):
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    env = server_env(
        REDIS_URL=redis_server.url,
        CACHE_KEY_PREFIX="resilience",
        LEADERBOARD_BACKEND="redis",
        LEADERBOARD_REDIS_PREFIX="resilience:lb",
    )
    gunicorn = Gunicorn(env, workers=2, threads=4)
    try:
        gunicorn.wait_until_up()
        yield gunicorn.base, redis_server
    finally:
        gunicorn.stop()
        redis_server.kill()


def _board(browser, base) -> dict[str, int]:
    status, html, _ = browser.request(base, BOARD)
    assert status == 200
    return {name: int(score) for name, score in ROW_RE.findall(html)}


def test_redis_killed_mid_quiz(site):
    base, redis_server = site
    QuestionFactory.create_batch(15, difficulty="easy")
    earlier = FinishedAttemptFactory(
        player=PlayerFactory(display_name="Earlier"), score=250, difficulty="easy"
    )
    from quiz import leaderboard

    leaderboard.rebuild()
    player = PlayerFactory(display_name="Mid Quiz")
    give_real_password(player.user, PASSWORD)
    browser = Browser()
    browser.log_in(base, player.user.username, PASSWORD)
    assert _board(browser, base) == {"Earlier": 250}
    status, play_url = browser.start_quiz(base)
    assert status == 302
    attempt = QuizAttempt.objects.get(public_id=play_url.strip("/").split("/")[-1])
    statuses = []

    def answer(number: int) -> None:
        status, html, _ = browser.request(base, f"{play_url}q/{number}/")
        statuses.append(status)
        assert status == 200
        right = AttemptQuestion.objects.get(attempt=attempt, position=number - 1).correct_key
        assert right in OPTION_RE.findall(html)
        status, _, _ = browser.request(base, f"{play_url}q/{number}/", {"option": right}, htmx=True)
        statuses.append(status)

    answer(1)
    answer(2)
    redis_server.kill()
    for number in range(3, 6):
        answer(number)
    status, html, _ = browser.request(base, f"{play_url}results/")
    statuses.append(status)
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.FINISHED
    during = _board(browser, base)
    status, health, _ = browser.request(base, "/healthz")
    assert status == 200 and '"degraded"' in health
    assert set(statuses) == {200}, statuses
    assert during == {"Mid Quiz": attempt.score, "Earlier": earlier.score}

    redis_server.start()  # empty, as after a restart; nobody runs rebuild_leaderboards
    assert _board(browser, base) == during  # from the database while the copy is rebuilt
    client = redis_server.client()
    deadline = time.monotonic() + 15
    while not client.exists("resilience:lb~generation~formats") and time.monotonic() < deadline:
        _board(browser, base)
        time.sleep(0.2)
    assert client.exists("resilience:lb~generation~formats"), "the Redis copy was not rebuilt"
    assert _board(browser, base) == during  # now from Redis
    board_key = f"resilience:lb:{leaderboard.Board('all', length=5, difficulty='easy', watched_through=6).key()}:p"
    assert client.hget(board_key, player.pk)
    status, health, _ = browser.request(base, "/healthz")
    assert status == 200 and '"ok"' in health
    print(f"\nRedis killed mid-quiz: statuses {sorted(set(statuses))}, score {attempt.score}")
