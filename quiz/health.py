"""Liveness/readiness check for load balancers: the database, and Redis when configured."""

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


def check_redis() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
    except Exception as exc:
        return type(exc).__name__
    return None


def health() -> tuple[bool, dict]:
    checks = {"database": check_database()}
    if settings.REDIS_URL:
        checks["redis"] = check_redis()
    ok = all(v is None for v in checks.values())
    return ok, {
        "status": "ok" if ok else "unavailable",
        "checks": {k: ("ok" if v is None else f"error: {v}") for k, v in checks.items()},
    }
