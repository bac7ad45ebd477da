"""Django's PostgreSQL backend with a health check that costs no round trip when it can.

With CONN_HEALTH_CHECKS, Django checks a persistent connection before its first
use in each request by sending `SELECT 1` and waiting for the answer: one more
round trip to the database on every request, about a quarter of a question
page's. Here the check first looks at the connection's socket without sending
anything: when the server ends a connection (a restart, pg_terminate_backend,
idle_session_timeout, a crash) it says so on the socket, or closes it, and
the socket becomes readable. A socket with nothing to read, on a connection
psycopg still reports as idle and open, is taken as healthy; anything else
gets Django's own check (`SELECT 1`), which closes the connection if it
fails, so the request opens a new one.

What this does not see, and `SELECT 1` would: a peer that vanished without a
word (a cable pulled between two hosts). The first query then fails as it
would have without health checks; the connection is closed at the end of that
request (Django's errors_occurred handling), and TCP keepalives bound how long
such a socket can look healthy.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


def socket_is_quiet(connection) -> bool:
    """True when psycopg's connection is open and idle and the server has sent nothing."""
    try:
        if connection.closed or connection.info.transaction_status != 0:  # 0: IDLE
            return False
        fd = connection.fileno()
    except Exception:  # any doubt: ask the server
        return False
    if not hasattr(select, "poll"):  # Windows: Django's check every time
        return False
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and socket_is_quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
