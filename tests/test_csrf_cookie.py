"""The CSRF cookie is sent again with the session's, not on every page with a form
(quiz.middleware.CsrfCookieRenewalMiddleware); every form's token still checks out."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.middleware.csrf import _mask_cipher_secret
from django.test import Client
from django.urls import reverse

from quiz.middleware import LAST_SEEN_KEY, TOUCH_EVERY
from tests.factories import PlayerFactory
from tests.playing import make_bank

pytestmark = pytest.mark.django_db

NAME = settings.CSRF_COOKIE_NAME
FORM = {"watched_through": 6, "difficulty": "easy", "length": 5, "category": ""}


def _signed_in(client, *, last_seen: float | None = None):
    player = PlayerFactory()
    session = client.session
    session[SESSION_KEY] = str(player.user.pk)
    session[BACKEND_SESSION_KEY] = "quiz.auth.PlayerBackend"
    session[HASH_SESSION_KEY] = player.user.get_session_auth_hash()
    session[LAST_SEEN_KEY] = int(time.time() if last_seen is None else last_seen)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return player


def _vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",")}


def _form_token(response) -> str:
    return response.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def test_the_renewal_rule_runs_just_before_django_s_csrf_response():
    middleware = settings.MIDDLEWARE
    csrf = middleware.index("django.middleware.csrf.CsrfViewMiddleware")
    assert middleware[csrf + 1] == "quiz.middleware.CsrfCookieRenewalMiddleware"


def test_a_new_visitor_gets_the_cookie_with_its_full_age(client):
    response = client.get("/")
    cookie = response.cookies[NAME]
    assert len(cookie.value) == 32 and cookie["max-age"] == settings.CSRF_COOKIE_AGE


def test_a_visitor_without_a_session_gets_it_renewed_on_every_form_page(client):
    first = client.get("/").cookies[NAME].value
    again = client.get("/")
    assert again.cookies[NAME].value == first  # Django's rule: renewed whenever used


def test_a_signed_in_player_s_unchanged_cookie_is_not_sent_again():
    client = Client(enforce_csrf_checks=True)
    make_bank(10)
    _signed_in(client)
    secret = client.get("/").cookies[NAME].value  # a browser without the cookie yet gets it
    response = client.get("/")
    assert response.status_code == 200
    assert NAME not in response.cookies
    assert "cookie" in _vary(response)  # the page holds a token for this cookie
    # The form's token still checks out against the cookie the browser kept.
    token = _form_token(response)
    assert token != secret and len(token) == 64
    started = client.post(reverse("quiz:start"), {**FORM, "csrfmiddlewaretoken": token})
    assert started.status_code == 302


def test_the_cookie_is_renewed_when_the_session_is(client):
    _signed_in(client, last_seen=time.time() - TOUCH_EVERY - 5)  # due for its activity stamp
    client.cookies[NAME] = secret = "a" * 32
    response = client.get("/")
    assert settings.SESSION_COOKIE_NAME in response.cookies  # the session was saved...
    cookie = response.cookies[NAME]  # ...and the CSRF cookie renewed with it
    assert cookie.value == secret and cookie["max-age"] == settings.CSRF_COOKIE_AGE
    assert NAME not in client.get("/").cookies  # and not again until the next one


def test_a_token_in_django_s_old_masked_form_is_replaced(client):
    _signed_in(client)
    secret = "b" * 32
    client.cookies[NAME] = _mask_cipher_secret(secret)  # 64 characters, as before Django 4.0
    response = client.get("/")
    assert response.cookies[NAME].value == secret


def test_a_malformed_cookie_is_replaced(client):
    _signed_in(client)
    client.cookies[NAME] = "not a token!"
    response = client.get("/")
    assert len(response.cookies[NAME].value) == 32


def test_logging_in_rotates_the_token_and_sends_it():
    client = Client(enforce_csrf_checks=True)
    player = PlayerFactory()
    player.user.set_password("a long enough password")
    player.user.save()
    page = client.get(reverse("login"))
    before = page.cookies[NAME].value
    response = client.post(
        reverse("login"),
        {
            "username": player.user.username,
            "password": "a long enough password",
            "csrfmiddlewaretoken": _form_token(page),
        },
    )
    assert response.status_code == 302
    assert response.cookies[NAME].value != before
