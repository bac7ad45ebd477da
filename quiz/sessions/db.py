"""SESSION_ENGINE without Redis: sessions in the database (see quiz.sessions)."""

from django.contrib.sessions.backends import db

from quiz.sessions import CompiledRead


class SessionStore(CompiledRead, db.SessionStore):
    pass
