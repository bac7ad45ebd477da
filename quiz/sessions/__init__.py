"""Session engines: Django's database and cached-database sessions, read with SQL built once.

Any request with a session cookie reads its session row (or, with Redis, on
a cache miss). The read is Django's own query, compiled once per process
(quiz.prepared), with the same expiry condition; writing, rotation at log-in,
flushing at log-out and expiry are Django's, untouched.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.sessions.models import Session
from django.utils import timezone

from quiz.prepared import Compiled

_SESSION = Compiled(
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now)[
        :1
    ],
    session_key=(Session._meta.get_field("session_key"), "sentinel-session-key"),
    now=(Session._meta.get_field("expire_date"), datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)),
)


class CompiledRead:
    """Mixin for django.contrib.sessions.backends.db.SessionStore and its subclasses."""

    def _get_session_from_db(self):
        if self.model is not Session:
            return super()._get_session_from_db()
        session = _SESSION.first(
            Session.objects.db, session_key=self.session_key, now=timezone.now()
        )
        if session is None:
            self._session_key = None
        return session
