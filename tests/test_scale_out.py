"""Two app servers, one PostgreSQL and one Redis: a quiz played across both
comes out exactly as a quiz played on one.

Two gunicorn processes share the test database (committed data: transaction=True)
and a Redis key prefix of their own. A browser (one cookie jar) logs in on one
server and then alternates every request between the two: sessions, CSRF,
rate limits, quiz state and the leaderboard must all live outside the processes.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from itertools import cycle
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from quiz.models import AttemptQuestion, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "two servers, one truth"
CSRF_INPUT_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
OPTION_RE = re.compile(r'name="option" value="([^"]+)"')
SCORE_RE = re.compile(r'<span class="muted">Score</span><b>(\d+)</b>')
CORRECT_RE = re.compile(r'<span class="muted">Correct</span><b>(\d+) / (\d+)</b>')
RANK_RE = re.compile(r'<span class="muted">Leaderboard</span><b>#(\d+)</b>')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "", safe="")
    password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def servers(transactional_db, settings, redis_url):
    """Two gunicorn servers on free ports, sharing the test database and one Redis."""
    prefix = f"hhquiz-scale-out-{secrets.token_hex(4)}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL or redis_url,
        # DEBUG=1 only spares a collectstatic run (production static storage
        # needs its manifest); nothing here depends on it.
        "DEBUG": "1",
        "SECRET_KEY": f"scale-out-test-{secrets.token_urlsafe(40)}",
        "CACHE_KEY_PREFIX": prefix,
        "LEADERBOARD_BACKEND": "redis",
        "LEADERBOARD_REDIS_PREFIX": f"{prefix}:lb",
        "LOG_LEVEL": "WARNING",
        # Connections closed after each request: the test database is dropped
        # right after the test and must have no sessions left open.
        "CONN_MAX_AGE": "0",
    }
    procs, bases = [], []
    for _ in range(2):
        port = _free_port()
        procs.append(
            subprocess.Popen(
                [
                    str(GUNICORN),
                    "hhquiz.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--worker-class",
                    "gthread",
                    "--workers",
                    "1",
                    "--threads",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for proc, base in zip(procs, bases, strict=True):
            _wait_until_up(proc, base)
        yield bases
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            proc.stderr.close()
        import redis

        client = redis.Redis.from_url(env["REDIS_URL"])
        for key in client.scan_iter(f"*{prefix}*", count=1000):
            client.delete(key)


def _wait_until_up(proc, base: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{base} did not come up")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One browser: one cookie jar, whatever server answers (cookies ignore the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def csrf_cookie(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, base: str, path: str, data: dict | None = None, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = self.csrf_cookie()
        request = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310 - loopback
        try:
            with self.opener.open(request, timeout=20) as response:
                return (
                    response.status,
                    response.read().decode(),
                    response.headers.get("Location", ""),
                )
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode(), exc.headers.get("Location", "")


def _log_in(browser: Browser, base: str, username: str) -> None:
    status, html, _ = browser.request(base, "/accounts/login/")
    assert status == 200
    token = CSRF_INPUT_RE.search(html).group(1)
    status, _, _ = browser.request(
        base,
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert status == 302, "login failed"


def _play(browser: Browser, bases) -> tuple[QuizAttempt, list[dict]]:
    """Play a 5-question easy quiz, every request on the next server of `bases`;
    every answer right except the second. Returns the attempt and each server's results page."""
    status, html, _ = browser.request(next(bases), "/")
    assert status == 200
    form = {
        "watched_through": 6,
        "difficulty": "easy",
        "length": 5,
        "category": "",
        "csrfmiddlewaretoken": CSRF_INPUT_RE.search(html).group(1),
    }
    status, _, play_url = browser.request(next(bases), "/quiz/start/", form)
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
    salt = PBKDF2PasswordHasher().salt()
    player.user.password = PBKDF2PasswordHasher().encode(PASSWORD, salt)
    player.user.save(update_fields=["password"])
    browser = Browser()
    _log_in(browser, servers[0], player.user.username)

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
    assert across_pages[0] == alone_pages[0] == {"score": 400, "correct": ("4", "5"), "rank": 1}
    # The leaderboard (Redis, shared) shows the player on both servers.
    for base in servers:
        status, html, _ = browser.request(
            base, "/leaderboard/?period=all&difficulty=easy&watched=6"
        )
        assert status == 200 and "Scale Out" in html
