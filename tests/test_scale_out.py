"""Two app servers, one PostgreSQL and one Redis: a quiz played across both
comes out exactly as a quiz played on one.

Two gunicorn processes share the test database (committed data: transaction=True)
and a Redis key prefix of their own. A browser (one cookie jar) logs in on one
server and then alternates every request between the two: sessions, CSRF,
rate limits, quiz state and the leaderboard must all live outside the processes.
"""

from __future__ import annotations

import re
import secrets
from itertools import cycle

import pytest

from quiz.leaderboard.ranking import sort_key
from quiz.models import AttemptQuestion, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory
from tests.live_server import OPTION_RE, Browser, Gunicorn, give_real_password, server_env

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

PASSWORD = "two servers, one truth"
SCORE_RE = re.compile(r'<span class="muted">Score</span><b>(\d+)</b>')
CORRECT_RE = re.compile(r'<span class="muted">Correct</span><b>(\d+) / (\d+)</b>')
RANK_RE = re.compile(r'<span class="muted">Leaderboard</span><b>#(\d+)</b>')


@pytest.fixture
def servers(transactional_db, settings, redis_url):
    """Two gunicorn servers on free ports, sharing the test database and one Redis."""
    prefix = f"hhquiz-scale-out-{secrets.token_hex(4)}"
    env = server_env(
        REDIS_URL=settings.REDIS_URL or redis_url,
        CACHE_KEY_PREFIX=prefix,
        LEADERBOARD_BACKEND="redis",
        LEADERBOARD_REDIS_PREFIX=f"{prefix}:lb",
    )
    # The servers' Redis copy of the boards starts complete (as after
    # rebuild_leaderboards on deploying), so no background rebuild races the test.
    from django.test import override_settings

    from quiz import leaderboard

    with override_settings(
        REDIS_URL=env["REDIS_URL"],
        LEADERBOARD_BACKEND="redis",
        LEADERBOARD_REDIS_PREFIX=f"{prefix}:lb",
    ):
        leaderboard.rebuild()
    servers = [Gunicorn(env) for _ in range(2)]
    try:
        for server in servers:
            server.wait_until_up()
        yield [server.base for server in servers]
    finally:
        for server in servers:
            server.stop()
        import redis

        client = redis.Redis.from_url(env["REDIS_URL"])
        for key in client.scan_iter(f"*{prefix}*", count=1000):
            client.delete(key)


def _play(browser: Browser, bases) -> tuple[QuizAttempt, list[dict]]:
    """Play a 5-question easy quiz, every request on the next server of `bases`;
    every answer right except the second. Returns the attempt and each server's results page."""
    status, play_url = browser.start_quiz(next(bases))
    assert status == 302, "start failed"
    status, _, question_url = browser.request(next(bases), play_url)
    assert status == 302 and question_url.endswith("/q/1/")
    attempt = QuizAttempt.objects.get(public_id=play_url.strip("/").split("/")[-1])
    for number in range(1, 6):
        status, html, _ = browser.request(next(bases), f"{play_url}q/{number}/", htmx=number > 1)
        assert status == 200
        keys = OPTION_RE.findall(html)
        right = AttemptQuestion.objects.get(attempt=attempt, position=number - 1).correct_key
        choice = right if number != 2 else next(k for k in keys if k != right)
        status, html, _ = browser.request(
            next(bases), f"{play_url}q/{number}/", {"option": choice}, htmx=True
        )
        assert status == 200
        assert ("Correct!" in html) == (number != 2)
    pages = []
    for base in sorted({next(bases) for _ in range(2)}):
        status, html, _ = browser.request(base, f"{play_url}results/")
        assert status == 200
        pages.append(
            {
                "score": int(SCORE_RE.search(html).group(1)),
                "correct": CORRECT_RE.search(html).groups(),
                "rank": int(RANK_RE.search(html).group(1)),
            }
        )
    attempt.refresh_from_db()
    return attempt, pages


def test_a_quiz_played_across_two_servers_ends_as_on_one(servers):
    QuestionFactory.create_batch(15, difficulty="easy")
    player = PlayerFactory(display_name="Scale Out")
    give_real_password(player.user, PASSWORD)
    browser = Browser()
    browser.log_in(servers[0], player.user.username, PASSWORD)

    across, across_pages = _play(browser, cycle(servers))
    alone, alone_pages = _play(browser, cycle(servers[:1]))

    # Both servers render the same results for the quiz played across them...
    assert len(across_pages) == 2 and across_pages[0] == across_pages[1]
    # ...and it is what one server gives for the same answers.
    for attempt in (across, alone):
        assert attempt.status == QuizAttempt.Status.FINISHED
        assert attempt.player == player
        assert (attempt.answered_count, attempt.correct_count) == (5, 4)
        # Answers faster than the reading floor earn the base points only: 4 x 100.
        assert attempt.score == 400
    assert across_pages[0] == {"score": 400, "correct": ("4", "5"), "rank": 1}
    # The second quiz ranks against the player's first one (the board keeps a
    # player's best): #1 if it was at least as fast, #2 behind it otherwise.
    faster = sort_key(alone.score, alone.seconds) <= sort_key(across.score, across.seconds)
    assert alone_pages[0] == {"score": 400, "correct": ("4", "5"), "rank": 1 if faster else 2}
    # The leaderboard (Redis, shared) shows the player on both servers.
    for base in servers:
        status, html, _ = browser.request(
            base, "/leaderboard/?period=all&length=5&difficulty=easy&watched=6&timed=0"
        )
        assert status == 200 and "Scale Out" in html
