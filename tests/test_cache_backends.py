"""The cache backends of quiz/cache.py: CounterCache (counters in the database) and
ResilientRedisCache (Redis with a fallback), operation by operation, with Redis up,
dead and hung."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.core.cache import caches

from quiz import cache as quiz_cache
from quiz.cache import CounterCache
from quiz.leaderboard import Board, mirror
from quiz.models import Counter
from tests.factories import FinishedAttemptFactory, PlayerFactory


@pytest.fixture
def counters():
    return CounterCache("quiz_counter", {"KEY_PREFIX": "t"})


@pytest.mark.django_db
def test_counter_cache_operations(counters):
    assert counters.add("a", 1, timeout=60)
    assert not counters.add("a", 5, timeout=60)
    assert counters.get("a") == 1
    assert counters.incr("a", 2) == 3
    assert counters.has_key("a") and not counters.has_key("b")
    with pytest.raises(ValueError, match="not found"):
        counters.incr("b")
    counters.set("b", 7, timeout=None)  # never expires
    assert counters.get("b") == 7
    assert counters.touch("b", timeout=60) and not counters.touch("missing")
    assert counters.delete("b") and not counters.delete("b")
    with pytest.raises(TypeError, match="integers only"):
        counters.set("c", "text")
    counters.clear()
    assert Counter.objects.count() == 0


@pytest.mark.django_db
def test_an_expired_counter_starts_again(counters):
    assert [counters.count("w", 60) for _ in range(3)] == [1, 2, 3]
    assert counters.count("gone", -1) == 1  # already expired when written
    assert counters.count("gone", 60) == 1
    assert counters.add("old", 9, timeout=-1)
    assert counters.get("old") is None
    assert counters.add("old", 1, timeout=60)  # an expired key can be added again
    Counter.objects.filter(key__endswith=":w").update(expires_at=time.time() - 1)
    assert counters.delete_expired() == 1
    assert counters.count("w", 60) == 1


@pytest.mark.redis
@pytest.mark.django_db
def test_the_redis_cache_answers_every_operation_while_redis_is_dead(own_redis, caplog):
    default, counts = caches["default"], caches["ratelimit"]
    default.set_many({"x": 1, "y": 2})
    assert default.get_many(["x", "y"]) == {"x": 1, "y": 2}
    assert default.has_key("x") and default.touch("x")
    assert default.incr("x") == 2
    assert counts.count("hits", 60) == 1
    default.delete_many(["y"])

    own_redis.kill()
    caplog.set_level(logging.WARNING, logger="hhquiz.redis")
    assert default.get_many(["x"]) == {}
    assert not default.has_key("x") and not default.touch("x")
    with pytest.raises(ValueError, match="Redis unavailable"):
        default.incr("x")
    assert default.set_many({"z": 3}) == []
    default.delete_many(["z"])
    assert default.clear() is False
    with pytest.raises(RuntimeError, match="FALLBACK"):
        default.count("hits", 60)
    # Counters go on in the database.
    assert [counts.count("hits", 60) for _ in range(2)] == [1, 2]
    assert counts.add("k", 1) and counts.incr("k") == 2
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1


@pytest.mark.redis
@pytest.mark.django_db
def test_keys_written_during_an_outage_are_removed_when_redis_returns(own_redis, caplog):
    default = caches["default"]
    default.set("session-like", "logged in")
    own_redis.pause()
    try:
        default.delete("session-like")  # times out: Redis still holds the old value
    finally:
        own_redis.resume()
    caplog.set_level(logging.WARNING, logger="hhquiz.redis")
    assert default.get("session-like") is None
    assert any("available again" in r.getMessage() for r in caplog.records)


@pytest.mark.redis
@pytest.mark.django_db
def test_too_many_stale_keys_are_reported(own_redis, monkeypatch, caplog):
    monkeypatch.setattr(quiz_cache, "MAX_DIRTY_KEYS", 1)
    default = caches["default"]
    own_redis.kill()
    default.set_many({"a": 1, "b": 2})
    monkeypatch.setattr(quiz_cache, "RETRY_AFTER", 60.0)
    default.set("c", 3)  # Redis is skipped now; the key is noted, beyond the cap
    own_redis.start()
    monkeypatch.setattr(quiz_cache, "RETRY_AFTER", 0.0)
    default.state.retry_at = 0.0
    caplog.set_level(logging.WARNING, logger="hhquiz.redis")
    assert default.get("a") is None
    assert any("more were not tracked" in r.getMessage() for r in caplog.records)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_leaderboard_copy_is_rebuilt_in_the_background(own_redis, monkeypatch):
    from quiz import leaderboard

    monkeypatch.setattr(mirror, "REBUILD_IN_BACKGROUND", True)
    attempt = FinishedAttemptFactory(player=PlayerFactory(display_name="Fan"), score=300)
    leaderboard.attempt_changed(attempt)
    client = own_redis.client()
    client.set("outage-test:lb~rebuilding", "1")  # another process is rebuilding
    assert [
        e.name for e in leaderboard.top(Board(length=5, difficulty="easy", watched_through=6))
    ] == ["Fan"]  # from the database
    assert not client.exists("outage-test:lb~generation~formats")
    client.delete("outage-test:lb~rebuilding")
    assert [
        e.name for e in leaderboard.top(Board(length=5, difficulty="easy", watched_through=6))
    ] == ["Fan"]
    rebuilds = [t for t in threading.enumerate() if t.name == "leaderboard-rebuild"]
    assert rebuilds
    for thread in rebuilds:
        thread.join(timeout=15)
    assert client.exists("outage-test:lb~generation~formats")
    assert not client.exists("outage-test:lb~rebuilding")
    assert client.hget(
        f"outage-test:lb:{Board(length=5, difficulty='easy', watched_through=6).key()}:p",
        attempt.player_id,
    )


@pytest.mark.django_db
def test_a_login_lockout_ends_after_its_cool_off(counters, time_machine):
    """The lockout counter must expire: seconds from now, not from twice now."""
    time_machine.move_to("2026-11-26 12:00:00+00:00", tick=False)
    counters.add("lock", 5, timeout=900)
    time_machine.shift(899)
    assert counters.get("lock") == 5
    time_machine.shift(2)
    assert counters.get("lock") is None


@pytest.mark.redis
@pytest.mark.django_db
def test_one_redis_client_per_pool_and_it_survives_an_outage(own_redis):
    default = caches["default"]
    client = default._cache.get_client(write=True)
    assert default._cache.get_client("any-key", write=True) is client
    assert default._cache.get_client() is client  # one server: reads use the same pool
    default.set("k", "v")
    own_redis.kill()
    assert default.get("k") is None  # answered from the fallback path
    own_redis.start()
    default.state.retry_at = time.monotonic() - 1  # retry now
    default.set("k2", "v2")
    assert default.get("k2") == "v2"
    assert default._cache.get_client(write=True) is client
