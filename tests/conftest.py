"""Test-wide fixtures and the rules for tests that need more than Python.

Markers e2e (Chromium), redis (a Redis server) and postgres (the database is
PostgreSQL): on a laptop without them such tests skip with the reason; with
CI=true a missing dependency fails the test instead, so CI can never pass by
skipping. postgres tests are deselected in the SQLite pass (CI runs the
PostgreSQL pass right after) and run in the PostgreSQL pass.
"""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"
TEST_REDIS_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
)


def _is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "quiz.backends.postgresql"


def _redis_problem() -> str | None:
    try:
        import redis

        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:
        return f"needs a Redis server at {TEST_REDIS_URL} ({type(exc).__name__})"
    return None


def _chromium_problem() -> str | None:
    if not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "needs the playwright package (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):
    if _is_postgres():
        return
    keep, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") and IN_CI else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


_problems: dict[str, str | None] = {}


def _problem(kind: str) -> str | None:
    if kind not in _problems:
        if kind == "redis":
            _problems[kind] = _redis_problem()
        elif kind == "e2e":
            _problems[kind] = _chromium_problem()
        elif kind == "nginx":
            _problems[kind] = (
                None
                if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")
                else "needs nginx (apt-get install nginx)"
            )
        elif kind == "postgres":
            _problems[kind] = (
                None if _is_postgres() else "needs DATABASE_URL=postgres://… (make test-postgres)"
            )
    return _problems[kind]


def pytest_runtest_setup(item):
    for kind in ("e2e", "redis", "postgres", "nginx"):
        if item.get_closest_marker(kind):
            problem = _problem(kind)
            if problem:
                if IN_CI:
                    pytest.fail(f"CI=true and this {kind} test cannot run: {problem}")
                pytest.skip(problem)


@pytest.fixture
def redis_url() -> str:
    return TEST_REDIS_URL


@pytest.fixture(autouse=True)
def _rebuild_leaderboard_copies_inline(monkeypatch):
    """With Redis, a read that finds no complete copy rebuilds it in a background
    thread in production; a test's thread could not see the test's data, so tests
    rebuild in the request (a test may opt back in)."""
    from quiz.leaderboard import mirror

    monkeypatch.setattr(mirror, "REBUILD_IN_BACKGROUND", False)


@pytest.fixture(autouse=True)
def _clear_redis_cache(settings):
    """Rate limits and throttles live in the cache: start every test clean.

    The database cache is rolled back with each test's transaction; Redis is
    not, so a Redis cache (its own database number in CI) is flushed.
    """
    from django.core.cache import caches

    # The database caches (and the quiz_counter table) roll back with each test.
    for alias in ("default", "ratelimit"):
        if settings.CACHES[alias]["BACKEND"].endswith("RedisCache"):
            caches[alias].clear()
    yield


@pytest.fixture(params=["database", pytest.param("redis", marks=pytest.mark.redis)])
def backend(request, settings):
    """Run a leaderboard test once per backend; the Redis run gets its own key prefix, flushed after."""
    settings.LEADERBOARD_BACKEND = request.param
    if request.param == "database":
        yield request.param
        return
    import redis

    url = request.getfixturevalue("redis_url")
    prefix = f"test:lb:{uuid.uuid4().hex}"
    settings.REDIS_URL = url
    settings.LEADERBOARD_REDIS_PREFIX = prefix
    yield request.param
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def own_redis(tmp_path, settings, monkeypatch):
    """A redis-server of this test's own (it may kill or pause it), and the app configured
    for it as in production: sessions, cache, counters and the Redis leaderboards."""
    from tests.redis_server import RedisServer, point_the_app_at

    server = RedisServer(tmp_path)
    server.start()
    point_the_app_at(server, settings, monkeypatch, leaderboard="redis")
    yield server
    server.kill()
