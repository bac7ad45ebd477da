"""SQLite writers of one process queue on a Python lock (quiz.backends.sqlite3).

Each test's other connection has SQLite's busy timeout at 0: had it gone to
SQLite while the write lock was taken, it would fail at once with "database is
locked". Passing means it waited on the Python lock instead, and went on the
moment the holder committed.
"""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, transaction

from quiz.backends.sqlite3.base import DatabaseWrapper, WriteLock
from quiz.models import Counter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's lock"),
]


@pytest.fixture(autouse=True)
def _connected():
    connection.ensure_connection()  # the lock is found when the connection opens


def other_connection(busy_ms: int = 0) -> DatabaseWrapper:
    """A second connection to the test database, as another thread of the server has."""
    other = DatabaseWrapper(connection.settings_dict.copy(), alias="other")
    other.ensure_connection()
    with other.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    return other


def count(key: str) -> int | None:
    return Counter.objects.filter(key=key).values_list("value", flat=True).first()


def write_in_thread(target) -> tuple[threading.Thread, list]:
    errors: list = []

    def run():
        other = other_connection()
        try:
            target(other)
        except Exception as exc:  # reported to the test
            errors.append(exc)
        finally:
            other.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def insert(db, key: str, value: int = 1) -> None:
    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO quiz_counter (key, value, expires_at) VALUES (%s, %s, NULL)",
            [key, value],
        )


def wait_until_waiting(lock: WriteLock, thread: threading.Thread) -> None:
    """Give the thread time to reach the lock (it cannot pass it while we hold it)."""
    thread.join(0.3)
    assert thread.is_alive(), "the other writer did not wait for the transaction"
    assert lock.locked()


def test_a_transaction_holds_the_lock_until_it_commits():
    lock = connection.write_lock
    with transaction.atomic():
        insert(connection, "held")
        assert lock.locked() and lock.owner == threading.get_ident()
        thread, errors = write_in_thread(lambda other: atomic_insert(other, "after"))
        wait_until_waiting(lock, thread)
        assert count("after") is None
    thread.join(10)
    assert not errors
    assert count("held") == 1 and count("after") == 1
    assert not lock.locked()


def atomic_insert(db, key: str) -> None:
    """What transaction.atomic does on SQLite (BEGIN IMMEDIATE ... COMMIT), on `db`."""
    db.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        insert(db, key)
        db.commit()
    finally:
        db.set_autocommit(True)


def test_an_autocommit_write_waits_for_a_transaction_then_commits():
    lock = connection.write_lock
    with transaction.atomic():
        insert(connection, "first")
        thread, errors = write_in_thread(lambda other: insert(other, "autocommit"))
        wait_until_waiting(lock, thread)
    thread.join(10)
    assert not errors
    assert count("autocommit") == 1
    assert not lock.locked()


def test_several_rows_written_in_autocommit_wait_for_a_transaction_too():
    lock = connection.write_lock

    def insert_many(other):
        with other.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO quiz_counter (key, value, expires_at) VALUES (%s, %s, NULL)",
                [("m1", 1), ("m2", 2), ("m3", 3)],
            )

    with transaction.atomic():
        insert(connection, "first")
        thread, errors = write_in_thread(insert_many)
        wait_until_waiting(lock, thread)
    thread.join(10)
    assert not errors
    assert [count(key) for key in ("m1", "m2", "m3")] == [1, 2, 3]


def test_a_write_with_returning_in_autocommit_gives_its_rows_and_the_lock_back():
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO quiz_counter (key, value, expires_at) VALUES "
            "('a', 1, NULL), ('b', 2, NULL), ('c', 3, NULL), ('d', 4, NULL) "
            "RETURNING key, value"
        )
        # The rows are read already: SQLite's lock is free before this cursor
        # is read, so another writer that does not wait at all gets through.
        other = other_connection()
        try:
            insert(other, "meanwhile")
        finally:
            other.close()
        rows = [cursor.fetchone(), *cursor.fetchmany(2), *cursor.fetchall()]
        assert cursor.fetchone() is None and cursor.fetchall() == []
    assert sorted(rows) == [("a", 1), ("b", 2), ("c", 3), ("d", 4)]
    assert count("meanwhile") == 1
    assert not connection.write_lock.locked()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE quiz_counter SET value = value + 10 RETURNING key")
        assert sorted(key for (key,) in cursor) == ["a", "b", "c", "d", "meanwhile"]
        cursor.execute("SELECT COUNT(*) FROM quiz_counter")  # the cursor reads normally again
        assert cursor.fetchone() == (5,)
        cursor.execute("DELETE FROM quiz_counter WHERE key = 'a' RETURNING value")
        cursor.executemany(  # and writes normally after rows it served from its list
            "INSERT INTO quiz_counter (key, value, expires_at) VALUES (%s, 0, NULL)", [("e",)]
        )
    assert count("a") is None and count("e") == 0


def test_the_cache_counters_stay_exact_under_threads():
    from django.core.cache import caches

    counters = caches["ratelimit"]
    counters.add("hits", 0, 60)
    threads, per_thread = 6, 40
    errors: list = []

    def hit():
        try:
            for _ in range(per_thread):
                counters.incr("hits")
                with transaction.atomic():
                    Counter.objects.update_or_create(key="row", defaults={"value": 0})
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert not errors
    assert counters.get("hits") == threads * per_thread
    assert not connection.write_lock.locked()


def test_a_rolled_back_transaction_gives_the_lock_back():
    lock = connection.write_lock
    with pytest.raises(RuntimeError), transaction.atomic():
        insert(connection, "gone")
        assert lock.locked()
        raise RuntimeError("the view failed")
    assert not lock.locked()
    assert count("gone") is None


def test_a_failed_begin_gives_the_lock_back(monkeypatch):
    from django.db.backends.sqlite3.base import DatabaseWrapper as DjangoWrapper

    def fails(self):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(DjangoWrapper, "_start_transaction_under_autocommit", fails)
    with pytest.raises(OperationalError), transaction.atomic():
        pass
    assert not connection.write_lock.locked()


def test_closing_the_connection_inside_a_transaction_gives_the_lock_back():
    lock = connection.write_lock
    with transaction.atomic():
        insert(connection, "closed")
        connection.close()
        assert not lock.locked()
    assert count("closed") is None


def test_a_second_connection_of_the_same_thread_goes_to_sqlite_not_to_a_deadlock():
    with transaction.atomic():
        insert(connection, "outer")
        other = other_connection()
        try:
            with pytest.raises(OperationalError, match="locked"):
                insert(other, "inner")
        finally:
            other.close()
    assert count("outer") == 1


def test_a_wait_longer_than_the_busy_timeout_goes_on_to_sqlite():
    lock = WriteLock(timeout=0.05)
    assert lock.acquire()
    taken = []
    thread = threading.Thread(target=lambda: taken.append(lock.acquire()))
    thread.start()
    thread.join(5)
    assert taken == [False]
    lock.release()
    assert not lock.locked()
