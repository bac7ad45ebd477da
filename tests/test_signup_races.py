"""Ordinary behaviour never gives a 500: double-clicked and concurrent sign-ups, concurrent
account actions; on SQLite no write transaction is open while a password is hashed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from quiz.models import Player, Report
from tests.factories import PlayerFactory, ReportFactory
from tests.test_accounts import PASSWORD, signup

User = get_user_model()


def _concurrently(n: int, send) -> list:
    barrier = threading.Barrier(n)

    def one(i):
        try:
            barrier.wait(timeout=10)
            return send(i)
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.django_db
def test_a_double_clicked_signup_logs_in_the_second_time():
    """The browser shows the answer to the last click: it must be the welcome, not an error."""
    first, second = Client(), Client()  # the second submit carries no new cookie yet
    assert signup(first).status_code == 302
    response = signup(second)
    assert response.status_code == 302
    assert second.get(reverse("profile")).status_code == 200
    assert User.objects.count() == 1 and Player.objects.count() == 1


@pytest.mark.django_db
def test_the_same_username_with_another_password_is_taken():
    assert signup(Client()).status_code == 302
    response = signup(Client(), password="another long passphrase 7")
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["username", "display_name"])
def test_a_nul_byte_in_a_taken_signup_is_a_form_error_not_a_500(field):
    """The double-click check reads the raw input: PostgreSQL refuses a NUL in a parameter
    (found by tests/test_hostile_input.py's fuzzer on PostgreSQL)."""
    assert signup(Client()).status_code == 302
    response = signup(Client(), **{field: "anna\x00fan"})
    assert response.status_code == 400
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "vary",
    [
        lambda i: {},
        lambda i: {"username": f"fan{i}"},  # only the display name collides
        lambda i: {"username": f"fan{i}", "display_name": "ANNA FAN" if i % 2 else "anna fan"},
    ],
    ids=["same-everything", "same-display-name", "display-name-case"],
)
def test_16_concurrent_signups_never_500(vary):
    statuses = _concurrently(16, lambda i: signup(Client(), **vary(i)).status_code)
    assert 500 not in statuses
    assert set(statuses) <= {302, 400}
    assert statuses.count(302) >= 1
    assert Player.objects.count() == 1
    assert User.objects.count() == 1
    assert not User.objects.filter(player__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_logins_create_one_player():
    """An account without a player (made in the admin) logging in from two tabs at once."""
    user = User.objects.create_user("admin-made", password=PASSWORD)
    statuses = _concurrently(
        8,
        lambda i: (
            Client()
            .post(
                reverse("login"),
                {"username": "admin-made", "password": PASSWORD},
                REMOTE_ADDR=f"192.0.2.{i + 1}",
            )
            .status_code
        ),
    )
    assert statuses == [302] * 8
    assert Player.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_password_is_hashed(monkeypatch):
    """SQLite has one write lock: a hash inside a transaction stalled every player for 18 s."""
    seen = []
    encode = MD5PasswordHasher.encode

    def spying_encode(self, password, salt):
        seen.append(connection.in_atomic_block)
        return encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", spying_encode)
    assert signup(Client()).status_code == 302
    assert seen == [False]


@pytest.mark.django_db
def test_deleting_an_account_removes_its_report_notes(client):
    player = PlayerFactory()
    mine = ReportFactory(player=player, note="call me on 555-0100")
    theirs = ReportFactory(note="a note from someone else")
    client.force_login(player.user)
    response = client.post(reverse("delete_account"), {"password": "correct horse battery staple"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.note == "" and mine.player is None
    assert Report.objects.get(pk=theirs.pk).note == "a note from someone else"


@pytest.mark.django_db
def test_the_signup_page_and_a_signed_in_visitor(client):
    page = client.get(reverse("signup"))
    assert page.status_code == 200 and 'name="display_name"' in page.content.decode()
    client.force_login(PlayerFactory().user)
    assert client.get(reverse("signup"))["Location"] == reverse("profile")
