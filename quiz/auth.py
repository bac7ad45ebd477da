"""Authentication backend: Django's ModelBackend, with the user and their player read in one query.

Every signed-in request loads its user; most of them then need the player
too. Reading both with one compiled query (quiz.prepared) instead of building
two QuerySets per request is the cheapest path. Everything else (passwords,
permissions, is_active, the session hash check in django.contrib.auth) is
ModelBackend's, unchanged.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from quiz import prepared

PATH = "quiz.auth.PlayerBackend"
# Sessions created before this backend existed name Django's; SessionTimeoutMiddleware
# moves them to this one (the same users, the same checks).
LEGACY_PATH = "django.contrib.auth.backends.ModelBackend"


class PlayerBackend(ModelBackend):
    def get_user(self, user_id):
        user = prepared.user_with_player(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
