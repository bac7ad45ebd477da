"""SESSION_ENGINE without Redis: sessions in the database (see quiz.sessions)."""

from django.contrib.sessions.backends import db

from quiz.sessions import CompiledRead, VerifiedDecode


class SessionStore(VerifiedDecode, CompiledRead, db.SessionStore):
    pass
