"""SESSION_ENGINE with Redis: sessions in the database, cached in Redis (see quiz.sessions)."""

from django.contrib.sessions.backends import cached_db

from quiz.sessions import CompiledRead, VerifiedDecode


class SessionStore(VerifiedDecode, CompiledRead, cached_db.SessionStore):
    pass
