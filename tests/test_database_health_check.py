"""PostgreSQL's per-request health check (quiz.backends.postgresql): no round trip while
the connection is sound, and a connection the server has ended is replaced before use.

As in production, each "request" below starts with close_if_unusable_or_obsolete()
(Django's request_started handler; the test client switches that handler off).
"""

import time

import psycopg
import pytest
from django.db import connection, connections

from quiz.backends.postgresql import base as backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _new_request():
    connection.close_if_unusable_or_obsolete()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def selects_sent(monkeypatch):
    """How many times Django's own check (SELECT 1 on the raw connection) ran."""
    calls = []
    original = backend.base.DatabaseWrapper.is_usable

    def counting(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(backend.base.DatabaseWrapper, "is_usable", counting)
    return calls


def test_postgres_uses_this_backend():
    assert connection.vendor == "postgresql"
    assert isinstance(connections["default"], backend.DatabaseWrapper)
    assert connection.health_check_enabled


def test_a_sound_connection_is_checked_without_a_round_trip(selects_sent):
    pid = _backend_pid()
    for _ in range(3):
        _new_request()
        assert _backend_pid() == pid  # the same connection, kept
    assert selects_sent == []


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(selects_sent):
    pid = _backend_pid()
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
        autocommit=True,
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
    deadline = time.monotonic() + 5
    while backend.socket_is_quiet(connection.connection) and time.monotonic() < deadline:
        time.sleep(0.01)

    _new_request()
    assert _backend_pid() != pid  # no error: a new connection served the request
    assert selects_sent == [1]  # the socket said something, so Django's check ran and failed


def test_a_connection_in_a_transaction_is_not_taken_as_idle():
    with connection.cursor() as cursor:
        connection.set_autocommit(False)
        try:
            cursor.execute("SELECT 1")
            assert not backend.socket_is_quiet(connection.connection)
        finally:
            connection.rollback()
            connection.set_autocommit(True)
    assert backend.socket_is_quiet(connection.connection)
