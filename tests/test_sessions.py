"""Sessions: idle and absolute timeouts, invalidated at logout."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from quiz.middleware import LAST_SEEN_KEY
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def test_idle_session_is_logged_out(client, settings):
    player = PlayerFactory()
    client.force_login(player.user)
    assert client.get(reverse("profile")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_active_session_stays(client, settings):
    player = PlayerFactory()
    client.force_login(player.user)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert client.get(reverse("profile")).status_code == 200


def test_absolute_timeout_is_the_session_cookie_age(client, settings):
    player = PlayerFactory()
    client.force_login(player.user)
    client.get("/")
    stored = Session.objects.get(session_key=client.session.session_key)
    remaining = (
        stored.expire_date - stored.expire_date.now(tz=stored.expire_date.tzinfo)
    ).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 60 < remaining <= settings.SESSION_COOKIE_AGE
    assert settings.SESSION_IDLE_TIMEOUT < settings.SESSION_COOKIE_AGE


def test_logout_deletes_the_server_side_session(client):
    player = PlayerFactory()
    client.force_login(player.user)
    key = client.session.session_key
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_a_session_row_is_read_as_its_data_and_expiry():
    """quiz.sessions reads the two columns load() uses (no Session instance), under
    Django's own condition: an expired or unknown key reads as no session."""
    from datetime import timedelta

    from django.utils import timezone

    from quiz.sessions.db import SessionStore

    store = SessionStore()
    store["answer"] = 42
    store.create()
    stored = Session.objects.get(session_key=store.session_key)
    row = SessionStore(store.session_key)._get_session_from_db()
    assert (row.session_data, row.expire_date) == (stored.session_data, stored.expire_date)
    assert SessionStore(store.session_key).load() == {"answer": 42}

    Session.objects.filter(pk=stored.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired._get_session_from_db() is None and expired.session_key is None
    assert SessionStore("no-such-key-" + "x" * 20).load() == {}
