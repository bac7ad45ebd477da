"""Streaks: consecutive UTC days with a finished daily challenge."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from quiz import streaks
from quiz.models import QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import answer_all

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def bank():
    QuestionFactory.create_batch(30, spoiler_level=0)


def _play_daily(client, watched=0) -> QuizAttempt:
    client.post(reverse("quiz:daily_start"), {"watched_through": watched})
    attempt = QuizAttempt.objects.filter(mode="daily").latest("pk")
    return answer_all(client, attempt)


def _on(day_offset: int, hour: int = 8):
    return time_machine.travel(MONDAY + dt.timedelta(days=day_offset, hours=hour - 8), tick=False)


def test_a_streak_grows_across_consecutive_days_and_resets_after_a_gap(bank, client):
    player = PlayerFactory()
    client.force_login(player.user)
    for offset in range(3):
        with _on(offset):
            _play_daily(client)
            assert streaks.streak_for(player) == streaks.Streak(offset + 1, offset + 1, True)
    with _on(3):
        # The next day, before playing: still alive, at risk.
        streak = streaks.streak_for(player)
        assert (streak.current, streak.played_today, streak.at_risk) == (3, False, True)
    with _on(5):
        # A day was missed: the streak is gone, the longest is kept.
        assert streaks.streak_for(player) == streaks.Streak(0, 3, False)
        _play_daily(client)
        assert streaks.streak_for(player) == streaks.Streak(1, 3, True)
        page = client.get(reverse("profile"))
        assert (
            "Daily streak: <strong>1 day</strong> in a row. Longest: 3 days."
            in page.content.decode()
        )


def test_an_unfinished_daily_does_not_count(bank, client):
    player = PlayerFactory()
    client.force_login(player.user)
    with _on(0):
        client.post(reverse("quiz:daily_start"), {"watched_through": 0})
        assert streaks.streak_for(player) == streaks.Streak()


def test_two_levels_on_one_day_count_once(bank, client):
    player = PlayerFactory()
    client.force_login(player.user)
    with _on(0):
        _play_daily(client, watched=0)
        _play_daily(client, watched=1)
        assert streaks.streak_for(player).current == 1


def test_the_utc_day_decides(bank, client):
    player = PlayerFactory()
    client.force_login(player.user)
    with _on(0, hour=23):
        _play_daily(client)
    with _on(1, hour=0):
        _play_daily(client)
        assert streaks.streak_for(player).current == 2


def test_an_anonymous_streak_follows_the_browser_into_its_new_account(bank, client):
    with _on(0):
        _play_daily(client)
    with _on(1):
        _play_daily(client)
        page = client.get(reverse("quiz:daily")).content.decode()
        assert "Daily streak: <strong>2 days</strong> in a row." in page
        client.post(
            reverse("signup"),
            {
                "username": "streaker",
                "display_name": "Streaker",
                "password1": "a long enough pass phrase",
                "password2": "a long enough pass phrase",
            },
        )
        player = QuizAttempt.objects.filter(mode="daily").first().player
        assert player is not None and player.display_name == "Streaker"
        assert streaks.streak_for(player).current == 2


def test_results_and_daily_page_show_the_streak(bank, client):
    client.force_login(PlayerFactory().user)
    with _on(0):
        attempt = _play_daily(client)
        results = client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
        assert "Daily streak: <strong>1 day</strong> in a row." in results
    with _on(1):
        page = client.get(reverse("quiz:daily")).content.decode()
        assert "Your <strong>1-day</strong> streak continues if you finish today" in page


def test_from_days_counts_runs():
    d = dt.date(2026, 12, 7)
    days = {d - dt.timedelta(days=n) for n in (0, 1, 2, 5, 6, 7, 8)}
    assert streaks.from_days(days, d) == streaks.Streak(3, 4, True)
    assert streaks.from_days(days, d + dt.timedelta(days=1)) == streaks.Streak(3, 4, False)
    assert streaks.from_days(days, d + dt.timedelta(days=2)) == streaks.Streak(0, 4, False)
    assert streaks.from_days(set(), d) == streaks.Streak()
