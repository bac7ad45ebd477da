"""GET /healthz: always JSON. 200 ok, 200 degraded without Redis, 503 without a database or disk."""

import shutil
from collections import namedtuple

import pytest
from django.db import connection
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def _checks(settings, **extra):
    sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    return {"database": "ok", **({"disk": "ok"} if sqlite else {}), **extra}


def test_healthz_ok(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": _checks(settings)}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_503_when_database_down(client, settings, monkeypatch):
    settings.REDIS_URL = ""

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "error: OperationalError"


def test_healthz_reports_redis_unreachable_as_degraded(client, settings):
    """Every instance shares the Redis: failing them all would turn a slowdown into an outage."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["redis"].startswith("error:")


def test_healthz_is_json_for_a_client_with_a_broken_session(client, settings, monkeypatch):
    """A probe carrying a session cookie gets the health report even if the session store fails."""
    from django.contrib.sessions.backends import db

    def broken(*args, **kwargs):
        raise RuntimeError("session store down")

    monkeypatch.setattr(db.SessionStore, "load", broken)
    client.cookies["sessionid"] = "abcdefghijklmnopqrstuvwxyz012345"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_503_when_the_sqlite_disk_is_full(client, settings, monkeypatch):
    """Reads would still work but no answer could be written: take the instance out of rotation."""
    settings.REDIS_URL = ""
    # On the PostgreSQL pass too: only the disk check reads the engine.
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3")
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(8 << 20, 8 << 20, 4096))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["disk"] == "error: disk full (0 MB free)"


@pytest.mark.redis
def test_healthz_checks_redis_when_configured(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == _checks(settings, redis="ok")


def test_healthz_exempt_from_ssl_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.REDIS_URL = ""
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code in (403, 405)


def test_healthz_503_when_the_sqlite_disk_cannot_be_read(client, settings, monkeypatch):
    settings.REDIS_URL = ""
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3")

    def unreadable(path):
        raise PermissionError("denied")

    monkeypatch.setattr(shutil, "disk_usage", unreadable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["disk"] == "error: PermissionError"
