"""Liveness/readiness for load balancers: always a JSON answer.

- 200 "ok": the database answers (and Redis, when configured).
- 200 "degraded": Redis is unavailable. The site still works from the
  database, so every instance stays in rotation (they all share one Redis:
  failing them all would turn a slowdown into an outage).
- 503 "unavailable": the database does not answer, or (SQLite) the disk it
  lives on is full, so no answer or quiz could be recorded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import connection


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return type(exc).__name__
    return None


def is_sqlite(db: dict) -> bool:
    return db["ENGINE"] in ("django.db.backends.sqlite3", "quiz.backends.sqlite3")


def check_disk() -> str | None:
    """SQLite only: is there room left to write on the database's disk?"""
    db = settings.DATABASES["default"]
    if not is_sqlite(db):
        return None
    try:
        free = shutil.disk_usage(Path(str(db["NAME"])).resolve().parent).free
    except OSError as exc:
        return type(exc).__name__
    if free < settings.HEALTH_MIN_FREE_MB * 1024 * 1024:
        return f"disk full ({free // (1024 * 1024)} MB free)"
    return None


def check_redis() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:
        return type(exc).__name__
    return None


def health() -> tuple[int, dict]:
    essential = {"database": check_database()}
    if essential["database"] is None:
        disk = check_disk()
        if is_sqlite(settings.DATABASES["default"]):
            essential["disk"] = disk
    optional = {"redis": check_redis()} if settings.REDIS_URL else {}
    if any(essential.values()):
        status, code = "unavailable", 503
    elif any(optional.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    checks = {**essential, **optional}
    return code, {
        "status": status,
        "checks": {k: ("ok" if v is None else f"error: {v}") for k, v in checks.items()},
    }
