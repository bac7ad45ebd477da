""" "I just watched episode k": questions first revealed in episode k, then the level goes up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quiz.models import QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import answer_all, latest_attempt

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    for level in range(7):
        QuestionFactory.create_batch(7, spoiler_level=level, difficulty="medium")


def _episode_quiz(client, episode=3) -> QuizAttempt:
    response = client.post(reverse("quiz:episode_start"), {"episode": episode})
    assert response.status_code == 302
    return latest_attempt()


def test_it_serves_five_questions_of_that_episode_only(bank, client):
    attempt = _episode_quiz(client, 3)
    assert attempt.mode == "episode" and attempt.watched_through == 3 and attempt.length == 5
    assert set(attempt.items.values_list("spoiler_level", flat=True)) == {3}
    assert set(attempt.items.values_list("question__spoiler_level", flat=True)) == {3}


def test_finishing_offers_to_raise_the_level_and_raises_it_once_confirmed(bank, client):
    player = PlayerFactory(watched_through=2)
    client.force_login(player.user)
    attempt = answer_all(client, _episode_quiz(client, 3))
    results_url = reverse("quiz:results", args=[attempt.public_id])
    html = client.get(results_url).content.decode()
    assert "Yes, I have watched episode 3" in html
    player.refresh_from_db()
    assert player.watched_through == 2  # not before the player confirms
    response = client.post(
        reverse("quiz:raise_watched", args=[attempt.public_id]), {"watched_through": 3}
    )
    assert response.status_code == 302 and response.url == results_url
    player.refresh_from_db()
    assert player.watched_through == 3
    assert "Yes, I have watched" not in client.get(results_url).content.decode()
    # The home page now starts from episode 3.
    assert '<option value="3" selected>' in client.get(reverse("quiz:home")).content.decode()


def test_an_anonymous_browser_remembers_the_raised_level(bank, client):
    attempt = answer_all(client, _episode_quiz(client, 4))
    client.post(reverse("quiz:raise_watched", args=[attempt.public_id]), {"watched_through": 4})
    assert client.session["watched_through"] == 4


def test_the_level_is_never_lowered(bank, client):
    player = PlayerFactory(watched_through=5)
    client.force_login(player.user)
    attempt = answer_all(client, _episode_quiz(client, 3))
    assert (
        "Yes, I have watched"
        not in client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
    )
    client.post(reverse("quiz:raise_watched", args=[attempt.public_id]), {"watched_through": 3})
    player.refresh_from_db()
    assert player.watched_through == 5


def test_raising_refuses_another_level_or_an_unfinished_quiz(bank, client):
    player = PlayerFactory(watched_through=1)
    client.force_login(player.user)
    attempt = _episode_quiz(client, 3)
    url = reverse("quiz:raise_watched", args=[attempt.public_id])
    client.post(url, {"watched_through": 3})
    answer_all(client, attempt)
    client.post(url, {"watched_through": 6})
    client.post(url, {"watched_through": "x"})
    player.refresh_from_db()
    assert player.watched_through == 1
    # Someone else's quiz is not found.
    other = type(client)()
    other.force_login(PlayerFactory().user)
    assert other.post(url, {"watched_through": 3}).status_code == 404


def test_bad_episode_is_a_400_with_the_form(bank, client):
    response = client.post(reverse("quiz:episode_start"), {"episode": 7})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_an_episode_without_questions_says_so(client):
    QuestionFactory.create_batch(3, spoiler_level=0)
    response = client.post(reverse("quiz:episode_start"), {"episode": 2}, follow=True)
    assert "There are no questions about episode 2 yet." in response.content.decode()


def test_the_home_page_offers_the_episode_after_the_remembered_level(bank, client):
    client.force_login(PlayerFactory(watched_through=2).user)
    html = client.get(reverse("quiz:home")).content.decode()
    assert "Just watched an episode?" in html
    assert '<option value="3" selected>Episode 3</option>' in html


def test_a_small_episode_pool_gives_a_shorter_quiz_marked_shortened(client):
    QuestionFactory.create_batch(3, spoiler_level=5)
    QuestionFactory.create_batch(9, spoiler_level=4)
    attempt = _episode_quiz(client, 5)
    assert attempt.length == 3 and attempt.shortened
    assert set(attempt.items.values_list("spoiler_level", flat=True)) == {5}


def test_a_full_episode_quiz_is_not_shortened(bank, client):
    assert _episode_quiz(client, 2).shortened is False
