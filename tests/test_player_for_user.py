"""Every signed-in user has a player when one is needed, even one made by createsuperuser."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from quiz.models import Player, QuizAttempt
from tests.factories import PlayerFactory, UserFactory
from tests.playing import answer_all, latest_attempt, make_bank, question_url, start

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "an admin passphrase 2026"


def test_a_superuser_made_by_createsuperuser_plays_a_whole_quiz(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command(
        "createsuperuser", interactive=False, username="boss", email="boss@example.com", verbosity=0
    )
    admin = User.objects.get(username="boss")
    assert not Player.objects.filter(user=admin).exists()
    # Signed in through the admin's login page, which knows nothing about players.
    response = client.post(
        reverse("admin:login"), {"username": "boss", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    make_bank(10)

    assert start(client).status_code == 302
    attempt = latest_attempt()
    assert attempt.player.user == admin
    assert client.get(question_url(attempt, 1)).status_code == 200
    answer_all(client, attempt)

    assert attempt.status == QuizAttempt.Status.FINISHED
    assert attempt.correct_count == attempt.length
    response = client.get(reverse("quiz:results", args=[attempt.public_id]))
    assert response.status_code == 200
    assert "Sign up to save this score" not in response.content.decode()
    assert Player.objects.get(user=admin).display_name == f"player-{admin.pk}"


def test_for_user_returns_the_existing_player():
    player = PlayerFactory(display_name="Anna Fan")
    assert Player.objects.for_user(player.user) == player
    assert Player.objects.count() == 1


def test_for_user_creates_one_player_once():
    user = UserFactory()
    first = Player.objects.for_user(user)
    user.refresh_from_db()
    assert Player.objects.for_user(user) == first
    assert first.display_name == f"player-{user.pk}"
    assert Player.objects.filter(user=user).count() == 1


def test_for_user_when_the_default_name_is_taken():
    user = UserFactory()
    PlayerFactory(display_name=f"PLAYER-{user.pk}")
    player = Player.objects.for_user(user)
    assert player.user == user
    assert player.display_name.startswith(f"player-{user.pk}-")
    assert Player.objects.count() == 2
