"""Authentication backend: Django's ModelBackend, with the user and their player read in one query.

Every signed-in request loads its user; most of them then need the player
too. Reading both with one compiled query (quiz.prepared) instead of building
two QuerySets per request is the cheapest path. Everything else (passwords,
permissions, is_active, the session hash check in django.contrib.auth) is
ModelBackend's, unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from quiz import prepared

PATH = "quiz.auth.PlayerBackend"
# Sessions created before this backend existed name Django's; SessionTimeoutMiddleware
# moves them to this one (the same users, the same checks).
LEGACY_PATH = "django.contrib.auth.backends.ModelBackend"


# A user row a view has already read (with its player) for this request's user id:
# get_user() takes it instead of querying again. Only for the one id it belongs to.
_supplied: contextvars.ContextVar = contextvars.ContextVar("supplied_user", default=None)


@contextlib.contextmanager
def supplying(user):
    """Within the block, PlayerBackend.get_user(user.pk) returns `user` (a whole user row
    with user.player cached, as prepared.user_with_player reads it) without a query.

    For a view that read the session's user together with what it needed anyway
    (prepared.item_with_user): evaluating request.user inside the block still runs
    every check of django.contrib.auth.get_user (the backend named in the session,
    is_active, the session hash with its fallbacks, the flush on a mismatch).
    """
    token = _supplied.set(user)
    try:
        yield
    finally:
        _supplied.reset(token)


def session_user_id(request):
    """The user id this request's session signs in with PlayerBackend, not yet
    checked (request.user does that); None when there is none."""
    session = request.session
    try:
        if session[BACKEND_SESSION_KEY] != PATH:
            return None
        return get_user_model()._meta.pk.to_python(session[SESSION_KEY])
    except (KeyError, ValidationError):
        return None


def signed_in_as(request, user) -> bool:
    """Whether request.user is `user` (a row read with what the view needed, for
    session_user_id), worked out by Django from that row: the backend named in
    the session, is_active, the session hash and its fallbacks (see supplying)."""
    with supplying(user):
        current = request.user
        return current.is_authenticated and current.pk == user.pk


class PlayerBackend(ModelBackend):
    def get_user(self, user_id):
        user = _supplied.get()
        if user is None or user.pk != user_id:
            user = prepared.user_with_player(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
