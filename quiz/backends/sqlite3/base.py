"""Django's SQLite backend with the writers of one process queued on a Python lock.

SQLite lets one connection write at a time. A connection that finds the write
lock taken waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20,
25 ms... between tries, whatever the holder does meanwhile: under load the
server's threads sleep while the lock is free, and the one CPU idles. Most
transactions here hold the lock for well under a millisecond.

Here the writers of one process (gunicorn's threads) first queue on a
`threading.Lock` per database file, so the next writer starts the moment the
last one commits. The lock is taken

- by `BEGIN IMMEDIATE` (every `transaction.atomic` block: transaction_mode is
  IMMEDIATE), and given back when that transaction commits, rolls back or its
  connection closes;
- around a write statement run outside a transaction (autocommit: INSERT,
  UPDATE, DELETE, REPLACE), which SQLite commits when the statement ends. A
  statement with RETURNING ends only when its rows have been read, so those
  rows are read before the lock is given back and kept for the fetch calls.

The lock is an accelerator, not the guarantee: SQLite's own lock still decides
between processes (several gunicorn workers) and between connections that do
not take it (a transaction begun by the sqlite3 module itself when autocommit
is off). A thread never waits on it while holding SQLite's write lock without
it, so the two cannot deadlock; a thread that already holds it (a second
connection to the same file opened inside a transaction) goes straight to
SQLite, as it would without this backend; and a wait longer than SQLite's own
busy timeout goes on to SQLite, which then reports "database is locked" as
before.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping

from django.db.backends.sqlite3 import base

_execute = sqlite3.Cursor.execute

# One lock per database file in this process, with its cursor class.
_locks: dict[str, tuple[WriteLock, type]] = {}
_locks_guard = threading.Lock()

# Statements that write, as the ORM and the project's SQL spell them.
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "insert", "update", "delete", "replace")


class WriteLock:
    """A lock with its owner's thread, so that the owner never waits on itself."""

    __slots__ = ("_lock", "owner", "timeout")

    def __init__(self, timeout: float):
        self._lock = threading.Lock()
        self.owner = None
        self.timeout = timeout

    def acquire(self) -> bool:
        """True when taken; False when this thread holds it already or the wait
        outlasted SQLite's busy timeout (SQLite's own lock decides then)."""
        me = threading.get_ident()
        if self.owner == me:
            return False
        if not self._lock.acquire(timeout=self.timeout):
            return False
        self.owner = me
        return True

    def release(self) -> None:
        self.owner = None
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()


def write_lock_for(name: str, timeout: float) -> tuple[WriteLock, type]:
    """The lock of database file `name` in this process, and its cursor class."""
    try:
        return _locks[name]
    except KeyError:
        with _locks_guard:
            if name not in _locks:
                lock = WriteLock(timeout)
                _locks[name] = lock, cursor_class(lock)
            return _locks[name]


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    """Django's cursor, taking the write lock for a write outside a transaction.

    Each lock has its own subclass (`cursor_class`), the lock a class attribute,
    so that making a cursor costs nothing more than Django's; reads pay one
    attribute test (the sqlite3 connection's `in_transaction`) and, outside a
    transaction, a look at the statement's first word.
    """

    write_lock: WriteLock

    def execute(self, query, params=None):
        # Django's SQLiteCursorWrapper.execute, inline (one Python call per
        # statement, not two: this runs for every read too).
        if params is not None:
            query = self.convert_query(
                query, param_names=list(params) if isinstance(params, Mapping) else None
            )
        if self.connection.in_transaction or not query.lstrip().startswith(WRITES):
            return _execute(self, query) if params is None else _execute(self, query, params)
        # A write in autocommit: one statement, committed when it ends.
        taken = self.write_lock.acquire()
        try:
            if params is None:
                _execute(self, query)
            else:
                _execute(self, query, params)
            if self.description is not None:
                # RETURNING: SQLite commits once the rows are read, so read them
                # all now, under the lock, and serve them from a list.
                rows = self.fetchall()
                self.__class__ = self._buffered
                self._rows = rows
        finally:
            if taken:
                self.write_lock.release()
        return self

    def executemany(self, query, param_list):
        if self.connection.in_transaction or not query.lstrip().startswith(WRITES):
            return super().executemany(query, param_list)
        taken = self.write_lock.acquire()
        try:
            return super().executemany(query, param_list)
        finally:
            if taken:
                self.write_lock.release()


class BufferedRows:
    """Fetch methods for a cursor whose rows were read already (mixed in first).

    The cursor becomes an instance of the lock's buffered class for as long as
    it serves those rows; its next execute turns it back (the two classes share
    sqlite3.Cursor's layout, so __class__ can be swapped), and reads through an
    ordinary cursor never go through these Python methods.
    """

    _rows: list

    def _unbuffer(self):
        del self._rows
        self.__class__ = self._plain

    def execute(self, query, params=None):
        self._unbuffer()
        return self.execute(query, params)

    def executemany(self, query, param_list):
        self._unbuffer()
        return self.executemany(query, param_list)

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def fetchmany(self, size=None):
        size = self.arraysize if size is None else size
        taken, self._rows = self._rows[:size], self._rows[size:]
        return taken

    def fetchall(self):
        rows, self._rows = self._rows, []
        return rows

    def __iter__(self):
        return self

    def __next__(self):
        if not self._rows:
            raise StopIteration
        return self._rows.pop(0)


def cursor_class(lock: WriteLock) -> type[SQLiteCursorWrapper]:
    plain = type("SQLiteCursorWrapper", (SQLiteCursorWrapper,), {"write_lock": lock})
    buffered = type("BufferedSQLiteCursorWrapper", (BufferedRows, plain), {})
    plain._plain = buffered._plain = plain
    plain._buffered = buffered
    return plain


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.write_lock: WriteLock | None = None
        self._cursor_class = base.SQLiteCursorWrapper
        self._holds_write_lock = False

    def get_new_connection(self, conn_params):
        # An in-memory database has one connection: nothing to queue for.
        if self.write_lock is None and not self.is_in_memory_db():
            timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
            self.write_lock, self._cursor_class = write_lock_for(
                str(self.settings_dict["NAME"]), timeout
            )
        return super().get_new_connection(conn_params)

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=self._cursor_class)

    def _take_write_lock(self) -> None:
        if self.write_lock is not None and not self._holds_write_lock:
            self._holds_write_lock = self.write_lock.acquire()

    def _give_back_write_lock(self) -> None:
        if self._holds_write_lock:
            self._holds_write_lock = False
            self.write_lock.release()

    def _start_transaction_under_autocommit(self):
        self._take_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._give_back_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            # A failed COMMIT leaves the transaction open: the rollback that
            # follows gives the lock back.
            if self.connection is None or not self.connection.in_transaction:
                self._give_back_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._give_back_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._give_back_write_lock()
