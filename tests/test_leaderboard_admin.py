"""Admin tools that act on the leaderboards: hiding names, voiding attempts."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from quiz import leaderboard
from quiz.models import LeaderboardEntry, Player, QuizAttempt
from tests.factories import AttemptQuestionFactory, FinishedAttemptFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "x" * 12)
    client.force_login(admin)
    return client


def recorded(player, score):
    attempt = FinishedAttemptFactory(player=player, score=score)
    leaderboard.attempt_changed(attempt)
    return attempt


def names_on_board():
    return [
        (e.name, e.score)
        for e in leaderboard.top(leaderboard.Board(length=5, difficulty="easy", watched_through=6))
    ]


def test_player_search_by_display_name(admin_client):
    PlayerFactory(display_name="Anna Andrews")
    PlayerFactory(display_name="Jack Harper")

    html = admin_client.get(reverse("admin:quiz_player_changelist"), {"q": "anna"}).content.decode()

    assert "Anna Andrews" in html and "Jack Harper" not in html


def test_hide_display_name_action(admin_client):
    rude = PlayerFactory(display_name="Rude")
    recorded(rude, 700)

    response = admin_client.post(
        reverse("admin:quiz_player_changelist"),
        {"action": "hide_display_names", "_selected_action": [rude.pk]},
    )

    assert response.status_code == 302
    assert Player.objects.get(pk=rude.pk).display_name_hidden
    assert names_on_board() == [("Hidden player", 700)]


def test_void_and_unvoid_actions_update_the_boards(
    admin_client, django_capture_on_commit_callbacks
):
    fan = PlayerFactory(display_name="Fan")
    recorded(fan, 300)
    best = recorded(fan, 900)
    url = reverse("admin:quiz_quizattempt_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "void_attempts", "_selected_action": [best.pk]})
    assert QuizAttempt.objects.get(pk=best.pk).voided
    assert names_on_board() == [("Fan", 300)]

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "unvoid_attempts", "_selected_action": [best.pk]})
    assert not QuizAttempt.objects.get(pk=best.pk).voided
    assert names_on_board() == [("Fan", 900)]


def test_voiding_on_the_change_form_updates_the_boards(
    admin_client, django_capture_on_commit_callbacks
):
    attempt = recorded(PlayerFactory(display_name="Cheat"), 999)
    url = reverse("admin:quiz_quizattempt_change", args=[attempt.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "voided": "on",
                "items-TOTAL_FORMS": "0",
                "items-INITIAL_FORMS": "0",
                "items-MIN_NUM_FORMS": "0",
                "items-MAX_NUM_FORMS": "0",
            },
        )

    assert response.status_code == 302
    assert names_on_board() == []


def test_attempt_items_are_read_only(admin_client):
    item = AttemptQuestionFactory(text="Who plays Anna Andrews?")

    html = admin_client.get(
        reverse("admin:quiz_quizattempt_change", args=[item.attempt.pk])
    ).content.decode()

    assert "Who plays Anna Andrews?" in html
    assert 'name="items-0-text"' not in html
    assert 'name="score"' not in html  # results are a record, only "voided" is editable
    assert 'name="voided"' in html


def test_attempt_list_filters_and_search(admin_client):
    recorded(PlayerFactory(display_name="Searchable"), 500)
    url = reverse("admin:quiz_quizattempt_changelist")

    assert "Searchable" in admin_client.get(url, {"q": "searchable"}).content.decode()
    assert "Searchable" not in admin_client.get(url, {"voided__exact": "1"}).content.decode()


def test_deleting_a_player_in_the_admin_takes_them_off_the_boards(
    admin_client, django_capture_on_commit_callbacks
):
    gone = PlayerFactory(display_name="Gone")
    recorded(gone, 500)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:quiz_player_delete", args=[gone.pk]), {"post": "yes"})

    assert not LeaderboardEntry.objects.exists()
    assert names_on_board() == []
