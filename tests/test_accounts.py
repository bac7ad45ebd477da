"""Accounts: sign up (claiming anonymous quizzes), log in/out, passwords, profile, deletion."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from quiz.forms import validate_display_name
from quiz.models import Player, QuizAttempt
from tests.factories import PlayerFactory, QuizAttemptFactory
from tests.playing import answer_all, latest_attempt, make_bank, start

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "a long enough passphrase 42"


def signup(client, username="annafan", display_name="Anna Fan", password=PASSWORD, **extra):
    return client.post(
        reverse("signup"),
        {
            "username": username,
            "display_name": display_name,
            "password1": password,
            "password2": password,
            **extra,
        },
    )


def test_signup_creates_user_and_player_and_logs_in(client):
    response = signup(client)
    assert response.status_code == 302
    user = User.objects.get(username="annafan")
    assert user.player.display_name == "Anna Fan"
    assert client.get(reverse("profile")).status_code == 200


def test_signup_claims_the_anonymous_finished_quiz(client, django_capture_on_commit_callbacks):
    make_bank(10)
    start(client)
    attempt = latest_attempt()
    answer_all(client, attempt)
    assert attempt.player is None
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    attempt.refresh_from_db()
    assert attempt.player.display_name == "Anna Fan"
    assert attempt.session_key == ""
    html = client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
    assert "Sign up to save this score" not in html
    assert "#1" in html


def test_login_claims_anonymous_quiz_too(client):
    make_bank(10)
    player = PlayerFactory()
    start(client)
    attempt = latest_attempt()
    answer_all(client, attempt)
    response = client.post(
        reverse("login"),
        {"username": player.user.username, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.player == player


def test_another_sessions_quiz_is_not_claimed(client):
    other = QuizAttemptFactory(player=None, session_key="someone-else", finished=True)
    signup(client)
    other.refresh_from_db()
    assert other.player is None


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password123", "too common"), ("12345678901", "entirely numeric")],
)
def test_weak_passwords_rejected(client, password, message):
    response = signup(client, password=password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="annafan").exists()


@pytest.mark.parametrize(
    "name",
    ["ab", "x" * 31, "<script>", "Netflix Official", "admin", "   ", "two  spaces", "hx-get=/x"],
)
def test_bad_display_names_rejected(client, name):
    response = signup(client, display_name=name)
    assert response.status_code == 400
    assert not User.objects.filter(username="annafan").exists()


def test_display_name_unique_case_insensitive(client):
    PlayerFactory(display_name="Jack Fan")
    response = signup(client, display_name="jack fan")
    assert response.status_code == 400
    assert "taken" in response.content.decode()


def test_validate_display_name_accepts_normal_names():
    assert validate_display_name(" Priya's #1 fan ".replace("#", "")) == "Priya's 1 fan"
    assert validate_display_name("Zoë_H") == "Zoë_H"


def test_logout_requires_post_and_ends_session(client):
    player = PlayerFactory()
    client.force_login(player.user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("profile")).status_code == 302


def test_password_change(client):
    player = PlayerFactory()
    client.force_login(player.user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery staple",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    player.user.refresh_from_db()
    assert player.user.check_password(PASSWORD)


def test_password_reset_by_email(client):
    player = PlayerFactory()
    response = client.post(reverse("password_reset"), {"email": player.user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    set_url = page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    player.user.refresh_from_db()
    assert player.user.check_password(PASSWORD)


def test_profile_lists_quizzes_and_accuracy(client):
    make_bank(10, category="cast")
    player = PlayerFactory(display_name="Profile Fan")
    client.force_login(player.user)
    start(client)
    answer_all(client, latest_attempt())
    html = client.get(reverse("profile")).content.decode()
    assert "Profile Fan" in html
    assert "Best scores" in html
    assert "Cast" in html and "5 / 5" in html and "100%" in html
    assert "Before watching" in html


def test_delete_account_removes_scores(client, django_capture_on_commit_callbacks):
    player = PlayerFactory()
    QuizAttemptFactory(player=player, finished=True)
    client.force_login(player.user)
    bad = client.post(reverse("delete_account"), {"password": "wrong"})
    assert bad.status_code == 400
    assert User.objects.filter(pk=player.user.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("delete_account"), {"password": "correct horse battery staple"}
        )
    assert response.status_code == 302
    assert not User.objects.filter(pk=player.user.pk).exists()
    assert not Player.objects.filter(pk=player.pk).exists()
    assert not QuizAttempt.objects.filter(player_id=player.pk).exists()
