"""Play again from the results: the same settings, a new quiz."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quiz.models import QuizAttempt
from tests.factories import QuestionFactory
from tests.playing import answer_all, latest_attempt, start

pytestmark = pytest.mark.django_db

HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


@pytest.fixture
def bank():
    for category in ("cast", "music"):
        QuestionFactory.create_batch(12, spoiler_level=2, difficulty="hard", category=category)


def _play_again_form(html: str) -> dict[str, str]:
    form = re.search(
        r'<form class="inline-form" method="post" action="/quiz/start/">(.*?)</form>', html, re.S
    )
    assert form, "no play-again form"
    return dict(HIDDEN.findall(form[1]))


def test_play_again_starts_a_quiz_with_the_same_settings(bank, client):
    start(client, watched=2, difficulty="hard", length=5, category="music", timed="on")
    first = answer_all(client, latest_attempt())
    html = client.get(reverse("quiz:results", args=[first.public_id])).content.decode()
    data = _play_again_form(html)
    assert data["timed"] == "on" and data["category"] == "music"
    response = client.post(reverse("quiz:start"), data)
    again = latest_attempt()
    assert response.status_code == 302 and again.pk != first.pk
    fields = ("watched_through", "difficulty", "length", "category", "timed", "mode", "bank_id")
    assert [getattr(again, f) for f in fields] == [getattr(first, f) for f in fields]


def test_an_untimed_quiz_plays_again_untimed(bank, client):
    start(client, watched=2, difficulty="hard", length=5)
    first = answer_all(client, latest_attempt())
    data = _play_again_form(
        client.get(reverse("quiz:results", args=[first.public_id])).content.decode()
    )
    assert "timed" not in data
    client.post(reverse("quiz:start"), data)
    assert latest_attempt().timed is False


def test_an_episode_quiz_plays_the_same_episode_again(bank, client):
    client.post(reverse("quiz:episode_start"), {"episode": 2})
    first = answer_all(client, latest_attempt())
    html = client.get(reverse("quiz:results", args=[first.public_id])).content.decode()
    assert 'action="/quiz/episode/"' in html and 'name="episode" value="2"' in html
    client.post(reverse("quiz:episode_start"), {"episode": 2})
    assert QuizAttempt.objects.filter(mode="episode", watched_through=2).count() == 2
