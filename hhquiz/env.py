"""Parsing helpers for settings read from the environment.

Kept apart from settings.py so tests can call them with a dict instead of
mutating os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ValueError(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}")


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(env: Mapping[str, str], name: str, default: list[str]) -> list[str]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(env: Mapping[str, str], base_dir: Path) -> dict[str, Any]:
    """The DATABASES['default'] entry for DATABASE_URL (SQLite file by default).

    SQLite gets WAL and IMMEDIATE transactions so that concurrent writers queue
    on the write lock instead of failing with "database is locked"; PostgreSQL
    gets persistent connections with health checks (quiz.backends.postgresql).
    """
    url = env.get("DATABASE_URL") or f"sqlite:///{base_dir / 'db.sqlite3'}"
    config = dj_database_url.parse(url)
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        # Django's backend, with the writers of one process queued on a Python
        # lock rather than in SQLite's sleeping busy handler (quiz/backends/sqlite3).
        config["ENGINE"] = "quiz.backends.sqlite3"
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            # No type detection in the sqlite3 module (Django asks for
            # PARSE_DECLTYPES | PARSE_COLNAMES): it looked up every column's
            # declared type and name on every statement, about 1,400
            # instructions a column, 0.09 M of each question page's one read.
            # Django's own converters turn the stored text and integers into
            # datetimes, dates and booleans for every ORM read either way; the
            # project's plain-SQL reads convert what they use (as_datetime,
            # bool()), as they must for values computed in SQL anyway.
            "detect_types": 0,
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        }
        config["CONN_MAX_AGE"] = env_int(env, "CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
        # The test database is a file too: the in-memory default does not behave
        # like production under concurrent writes.
        # One file per test process, so two test runs on one machine never
        # share (and lock) a database.
        config["TEST"] = {"NAME": str(base_dir / f"test_db_{os.getpid()}.sqlite3")}
    elif engine == "django.db.backends.postgresql":
        # Django's backend, with a health check that looks at the socket before
        # it sends SELECT 1 (quiz/backends/postgresql: no round trip per request).
        config["ENGINE"] = "quiz.backends.postgresql"
        config["CONN_MAX_AGE"] = env_int(env, "CONN_MAX_AGE", 600)
        config["CONN_HEALTH_CHECKS"] = True
        if env_bool(env, "DATABASE_PREPARED_STATEMENTS", True):
            # Parameters bound by the server, and a statement a connection has
            # run twice prepared there: PostgreSQL parses and plans the hot
            # path's few statements once per connection instead of once per
            # request. PgBouncer in transaction mode needs
            # max_prepared_statements (1.21+), or DATABASE_PREPARED_STATEMENTS=0.
            config.setdefault("OPTIONS", {}).update(
                {"server_side_binding": True, "prepare_threshold": 2}
            )
    else:
        raise ValueError(f"DATABASE_URL must be sqlite:// or postgres://, not {engine}")
    return config


def cache_config(env: Mapping[str, str]) -> dict[str, Any]:
    """CACHES for REDIS_URL, or the database shared by every local process.

    "ratelimit" holds counters (rate limits, login failures): they must be
    shared by every process and counted atomically, so without Redis, and
    while Redis is unavailable, they live in a database table (quiz_counter).
    "default" (sessions, the categories) is only an accelerator: with Redis
    down it answers misses and the database serves.
    """
    redis_url = env.get("REDIS_URL", "").strip()
    prefix = env.get("CACHE_KEY_PREFIX", "hhquiz")
    counters_db = {
        "BACKEND": "quiz.cache.CounterCache",
        "LOCATION": "quiz_counter",
        "KEY_PREFIX": prefix,
    }
    if redis_url:
        if not redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(
                f"REDIS_URL must start with redis://, rediss:// or unix://, not {redis_url!r}"
            )
        timeout = float(env.get("REDIS_SOCKET_TIMEOUT") or 0.5)
        redis = {
            "BACKEND": "quiz.cache.ResilientRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_timeout": timeout, "socket_connect_timeout": timeout},
        }
        return {
            "default": redis,
            "ratelimit": {**redis, "OPTIONS": {**redis["OPTIONS"], "FALLBACK": "ratelimit-db"}},
            "ratelimit-db": counters_db,
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hhquiz_cache",
            "KEY_PREFIX": prefix,
        },
        "ratelimit": counters_db,
    }
