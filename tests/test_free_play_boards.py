"""The free-play boards rank free-play results only: timed, one-episode and
shortened quizzes never share a board with them (daily challenges have their own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quiz import leaderboard
from quiz.leaderboard import Board
from quiz.models import QuizAttempt
from tests.factories import FinishedAttemptFactory, PlayerFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
OTHER_FORMATS = [
    {"timed": True},
    {"mode": QuizAttempt.Mode.EPISODE},
    {"shortened": True},
]


def play(name, **fields):
    attempt = FinishedAttemptFactory(
        player=PlayerFactory(display_name=name),
        score=fields.pop("score", 500),
        seconds=60.0,
        finished_at=NOW - timedelta(hours=1),
        **fields,
    )
    leaderboard.attempt_changed(attempt, now=NOW)
    return attempt


def names(board=None):
    return [e.name for e in leaderboard.top(board or Board(), now=NOW)]


@pytest.mark.parametrize("fields", OTHER_FORMATS, ids=["timed", "episode", "shortened"])
def test_other_formats_never_rank_on_the_free_play_boards(backend, fields):
    play("Free", score=300)
    play("Other", score=900, **fields)

    assert names() == ["Free"]
    assert names(Board("today")) == ["Free"]
    leaderboard.rebuild(now=NOW)
    assert names() == ["Free"]


@pytest.mark.parametrize("fields", OTHER_FORMATS, ids=["timed", "episode", "shortened"])
def test_results_of_other_formats_say_they_are_not_ranked(client, fields):
    attempt = play("Other", **fields)
    client.force_login(attempt.player.user)

    html = client.get(f"/quiz/{attempt.public_id}/results/").content.decode()

    assert "ranks <strong>#" not in html
    assert "not ranked against free play" in html


def test_a_free_play_result_still_shows_its_rank(client):
    attempt = play("Free")
    client.force_login(attempt.player.user)

    html = client.get(f"/quiz/{attempt.public_id}/results/").content.decode()

    assert "ranks <strong>#1</strong>" in html
