"""Cache backends that keep the site up when Redis is not.

Redis is an accelerator here, never the only copy of anything:

- `ResilientRedisCache` is Django's Redis cache with short socket timeouts and
  a circuit breaker. When Redis fails, the outage is logged once (and its end
  once), reads are misses and writes go to the FALLBACK cache if one is named
  (counters) or nowhere (sessions fall back to their database rows, the
  categories are recomputed). For a few seconds after a failure Redis is not
  tried at all, so a dead or hung Redis costs a request nothing. Keys written
  or deleted while Redis was away are deleted from it when it returns, so a
  session changed or logged out during the outage is never served stale.
- `CounterCache` keeps integer counters (rate limits, login failures) in a
  database table with atomic upserts: correct under concurrent processes and
  never culled early. Expired rows are removed by `clean_up_quizzes`.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connection

from quiz.sql import named_params, named_placeholders

logger = logging.getLogger("hhquiz.redis")

# Seconds during which a failed Redis is not tried again.
RETRY_AFTER = 5.0
# Keys remembered for invalidation when Redis returns; beyond this the whole
# outage is treated as unknown and the next recovery logs it.
MAX_DIRTY_KEYS = 10_000


@dataclass
class RedisState:
    """What this process knows about one Redis server (shared by every thread)."""

    location: str
    down_since: float | None = None
    retry_at: float = 0.0
    dirty: set[str] = field(default_factory=set)
    dirty_overflow: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def available(self) -> bool:
        return self.down_since is None or time.monotonic() >= self.retry_at

    def failed(self, exc: Exception, keys=()) -> None:
        with self.lock:
            if self.down_since is None:
                self.down_since = time.monotonic()
                logger.warning(
                    "Redis at %s is unavailable (%s: %s); serving from the database until it returns",
                    _safe_location(self.location),
                    type(exc).__name__,
                    exc,
                )
            self.retry_at = time.monotonic() + RETRY_AFTER
            self._add_dirty(keys)

    def note_dirty(self, keys) -> None:
        """Keys written elsewhere while Redis was skipped: delete them when it returns."""
        with self.lock:
            self._add_dirty(keys)

    def _add_dirty(self, keys) -> None:
        for key in keys:
            if len(self.dirty) >= MAX_DIRTY_KEYS:
                self.dirty_overflow = True
                break
            self.dirty.add(key)

    def recovered(self, client) -> None:
        """Redis answered again: drop what went stale during the outage, then log it once."""
        with self.lock:
            if self.down_since is None:
                return
            dirty = list(self.dirty)
            client.ping()
            for start in range(0, len(dirty), 500):
                client.delete(*dirty[start : start + 500])
            logger.warning(
                "Redis at %s is available again after %.0f s (%d stale key(s) removed%s)",
                _safe_location(self.location),
                time.monotonic() - self.down_since,
                len(dirty),
                ", more were not tracked" if self.dirty_overflow else "",
            )
            self.dirty.clear()
            self.dirty_overflow = False
            self.down_since = None


_states: dict[str, RedisState] = {}
_states_lock = threading.Lock()


def redis_state(location: str) -> RedisState:
    with _states_lock:
        return _states.setdefault(location, RedisState(location))


def _safe_location(location: str) -> str:
    # Never log a password from redis://user:password@host.
    head, sep, tail = location.rpartition("@")
    return f"redis://…@{tail}" if sep else location


def _redis_errors() -> tuple[type[Exception], ...]:
    import redis

    return (redis.exceptions.RedisError, OSError)


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one redis.Redis object per connection pool.

    Django's get_client() builds a new redis.Redis around the pool for every
    cache call, and redis-py's constructor fills a case-insensitive table of
    about 170 response callbacks each time: half a million instructions per
    Redis command, more than the signed-in session read itself. A redis.Redis
    only wraps its pool and may be shared between threads (redis-py), so one
    per pool is kept; connections still come from, and go back to, the pool.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self._fallback_alias = options.pop("FALLBACK", None)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("socket_connect_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self.state = redis_state(self._servers[0])

    @property
    def fallback(self) -> BaseCache | None:
        return caches[self._fallback_alias] if self._fallback_alias else None

    def _run(self, op: str, args, kwargs, *, default=None, write_keys=()):
        if self.state.available:
            try:
                if self.state.down_since is not None:
                    self.state.recovered(self._cache.get_client(write=True))
                return getattr(super(), op)(*args, **kwargs)
            except _redis_errors() as exc:
                version = kwargs.get("version")
                self.state.failed(exc, [self.make_key(k, version=version) for k in write_keys])
        elif write_keys:
            version = kwargs.get("version")
            self.state.note_dirty([self.make_key(k, version=version) for k in write_keys])
        if self.fallback is not None:
            return getattr(self.fallback, op)(*args, **kwargs)
        return default() if callable(default) else default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(
            "add", (key, value, timeout), {"version": version}, default=False, write_keys=[key]
        )

    def get(self, key, default=None, version=None):
        return self._run("get", (key, default), {"version": version}, default=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", (key, value, timeout), {"version": version}, write_keys=[key])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", (key, timeout), {"version": version}, default=False)

    def delete(self, key, version=None):
        return self._run("delete", (key,), {"version": version}, default=False, write_keys=[key])

    def get_many(self, keys, version=None):
        return self._run("get_many", (keys,), {"version": version}, default=dict)

    def has_key(self, key, version=None):
        return self._run("has_key", (key,), {"version": version}, default=False)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (Redis unavailable)")

        return self._run("incr", (key, delta), {"version": version}, default=missing)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(
            "set_many", (data, timeout), {"version": version}, default=list, write_keys=list(data)
        )

    def delete_many(self, keys, version=None):
        return self._run("delete_many", (keys,), {"version": version}, write_keys=list(keys))

    def clear(self):
        return self._run("clear", (), {}, default=False)

    def count(self, key, timeout: int) -> int:
        """Add one to the counter `key` and return it; it expires `timeout` s after its first hit."""
        if self.state.available:
            try:
                if self.state.down_since is not None:
                    self.state.recovered(self._cache.get_client(write=True))
                full_key = self.make_and_validate_key(key)
                client = self._cache.get_client(full_key, write=True)
                pipe = client.pipeline()
                pipe.incr(full_key)
                pipe.expire(full_key, timeout, nx=True)
                return int(pipe.execute()[0])
            except _redis_errors() as exc:
                self.state.failed(exc, [self.make_key(key)])
        if self.fallback is None:
            raise RuntimeError("count() needs a FALLBACK cache while Redis is unavailable")
        return self.fallback.count(key, timeout)


class CounterCache(BaseCache):
    """Integer counters in the quiz_counter table: atomic, shared, never culled early.

    Only the operations counters need are offered; every one is a single SQL
    statement, so concurrent processes can neither lose an increment nor
    both "add" the same key.
    """

    def __init__(self, table, params):
        super().__init__(params)
        self._table = table or "quiz_counter"
        self._statements: dict[tuple, str] = {}

    def _sql(self, sql: str, params) -> list:
        # Each statement is formatted once per database vendor, with named placeholders (quiz.sql).
        cache_key = (sql, connection.vendor, len(params))
        try:
            ready = self._statements[cache_key]
        except KeyError:
            qn = connection.ops.quote_name
            ready = sql.format(t=qn(self._table), k=qn("key"), v=qn("value"), e=qn("expires_at"))
            ready = self._statements[cache_key] = named_placeholders(ready, len(params))
        with connection.cursor() as cursor:
            cursor.execute(ready, named_params(params))
            return cursor.fetchall() if cursor.description else []

    def _expiry(self, timeout) -> float | None:
        # BaseCache gives the expiry as Unix time (None: never).
        return self.get_backend_timeout(timeout)

    @staticmethod
    def _int(value) -> int:
        if type(value) is not int:
            raise TypeError("CounterCache stores integers only")
        return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        rows = self._sql(
            "INSERT INTO {t} ({k}, {v}, {e}) VALUES (%s, %s, %s) "
            "ON CONFLICT ({k}) DO UPDATE SET {v} = excluded.{v}, {e} = excluded.{e} "
            "WHERE {t}.{e} IS NOT NULL AND {t}.{e} <= %s RETURNING {v}",
            [key, self._int(value), self._expiry(timeout), time.time()],
        )
        return bool(rows)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._sql(
            "INSERT INTO {t} ({k}, {v}, {e}) VALUES (%s, %s, %s) "
            "ON CONFLICT ({k}) DO UPDATE SET {v} = excluded.{v}, {e} = excluded.{e}",
            [key, self._int(value), self._expiry(timeout)],
        )

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        rows = self._sql(
            "SELECT {v} FROM {t} WHERE {k} = %s AND ({e} IS NULL OR {e} > %s)",
            [key, time.time()],
        )
        return rows[0][0] if rows else default

    def incr(self, key, delta=1, version=None):
        full_key = self.make_and_validate_key(key, version=version)
        rows = self._sql(
            "UPDATE {t} SET {v} = {v} + %s WHERE {k} = %s AND ({e} IS NULL OR {e} > %s) "
            "RETURNING {v}",
            [delta, full_key, time.time()],
        )
        if not rows:
            raise ValueError(f"Key '{key}' not found")
        return rows[0][0]

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        rows = self._sql(
            "UPDATE {t} SET {e} = %s WHERE {k} = %s AND ({e} IS NULL OR {e} > %s) RETURNING {v}",
            [self._expiry(timeout), key, time.time()],
        )
        return bool(rows)

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return bool(self._sql("DELETE FROM {t} WHERE {k} = %s RETURNING {v}", [key]))

    def has_key(self, key, version=None):
        return self.get(key, version=version) is not None

    def clear(self):
        self._sql("DELETE FROM {t}", [])

    def count(self, key, timeout: int) -> int:
        """Add one to the counter `key` and return it; it expires `timeout` s after its first hit."""
        key = self.make_and_validate_key(key)
        now = time.time()
        rows = self._sql(
            "INSERT INTO {t} ({k}, {v}, {e}) VALUES (%s, 1, %s) ON CONFLICT ({k}) DO UPDATE SET "
            "{v} = CASE WHEN {t}.{e} <= %s THEN 1 ELSE {t}.{v} + 1 END, "
            "{e} = CASE WHEN {t}.{e} <= %s THEN excluded.{e} ELSE {t}.{e} END RETURNING {v}",
            [key, now + timeout, now, now],
        )
        return rows[0][0]

    def delete_expired(self) -> int:
        return len(
            self._sql(
                "DELETE FROM {t} WHERE {e} IS NOT NULL AND {e} <= %s RETURNING {v}", [time.time()]
            )
        )
