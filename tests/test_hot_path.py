"""The hot path's shortcuts (quiz.prepared, quiz.auth, quiz.sessions) keep Django's behaviour."""

import time
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from quiz.middleware import LAST_SEEN_KEY
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def _session_for(client, user, backend: str):
    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    client.cookies["sessionid"] = session.session_key
    return session.session_key


def test_a_session_from_before_the_player_backend_stays_signed_in(client):
    player = PlayerFactory()
    key = _session_for(client, player.user, "django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("profile")).status_code == 200
    data = Session.objects.get(session_key=key).get_decoded()
    assert data[BACKEND_SESSION_KEY] == "quiz.auth.PlayerBackend"


def test_a_changed_password_still_ends_other_sessions(client):
    player = PlayerFactory()
    _session_for(client, player.user, "quiz.auth.PlayerBackend")
    player.user.set_password("a whole new password")
    player.user.save()
    response = client.get(reverse("profile"))
    assert response.status_code == 302


def test_an_inactive_user_is_signed_out(client):
    player = PlayerFactory()
    _session_for(client, player.user, "quiz.auth.PlayerBackend")
    player.user.is_active = False
    player.user.save()
    assert client.get(reverse("profile")).status_code == 302


def test_an_expired_session_is_not_read(client):
    player = PlayerFactory()
    key = _session_for(client, player.user, "quiz.auth.PlayerBackend")
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    if hasattr(store, "cache_key"):  # cached_db: the copy in Redis goes too
        store._cache.delete(store.cache_key)
    assert client.get(reverse("profile")).status_code == 302


def test_a_page_that_needs_no_user_loads_only_the_session(client, django_assert_max_num_queries):
    player = PlayerFactory()
    client.force_login(player.user)
    client.get("/bench/baseline")
    # The session row (none with Redis, which holds a copy): never the user.
    with django_assert_max_num_queries(1):
        assert client.get("/bench/baseline").status_code == 200


def test_the_user_comes_with_their_player(client, django_assert_num_queries):
    from quiz.auth import PlayerBackend

    player = PlayerFactory()
    with django_assert_num_queries(1):
        user = PlayerBackend().get_user(player.user.pk)
        assert user.player.display_name == player.display_name
    assert PlayerBackend().get_user(987654) is None
