"""Session engines: Django's database and cached-database sessions, read with SQL built once.

Any request with a session cookie reads its session row (or, with Redis, on
a cache miss). The read is Django's own query, compiled once per process
(quiz.prepared), with the same expiry condition; writing, rotation at log-in,
flushing at log-out and expiry are Django's, untouched.

Decoding a row checks its signature (an HMAC under SECRET_KEY: two SHA-256
runs, a signer built per call, base64 and zlib): measured with
benchmarks/cost.py, 0.12 M instructions of every signed-in request (the
signed-in baseline 1.30 -> 1.18 M on SQLite). A row's data only changes when the session is written, so the
result of checking a given string is kept (bounded, per process): the same
string, under the same keys, is the same verdict. The JSON is parsed anew on
every read, so no two requests share a dict.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from quiz.prepared import Compiled

# Django's query (Session.objects.get(session_key=…, expire_date__gt=now)), reading
# only the two columns load() uses, as plain values: no Session instance is built.
_SESSION = Compiled(
    lambda session_key, now: Session.objects.filter(
        session_key=session_key, expire_date__gt=now
    ).values_list("session_data", "expire_date")[:1],
    session_key=(Session._meta.get_field("session_key"), "sentinel-session-key"),
    now=(Session._meta.get_field("expire_date"), datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)),
)


class SessionRow(NamedTuple):
    """What Django's load() reads of a session row (the db and cached_db backends)."""

    session_data: str
    expire_date: datetime


class CompiledRead:
    """Mixin for django.contrib.sessions.backends.db.SessionStore and its subclasses."""

    def _get_session_from_db(self):
        if self.model is not Session:
            return super()._get_session_from_db()
        rows = _SESSION.rows(Session.objects.db, session_key=self.session_key, now=timezone.now())
        if not rows:
            self._session_key = None
            return None
        return SessionRow(*rows[0])


VERIFIED_ENTRIES = 10_000
_verified: dict[tuple, str] = {}


class VerifiedDecode:
    """Mixin for a session store whose decode() checks a signature: a string already
    verified under the current keys is parsed without checking it again."""

    def decode(self, session_data):
        key = (session_data, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
        text = _verified.get(key)
        if text is not None:
            return json.loads(text)
        session = super().decode(session_data)
        if session:  # {} is also what a bad signature gives: never remembered
            if len(_verified) >= VERIFIED_ENTRIES:
                _verified.clear()
            _verified[key] = json.dumps(session)
        return session
