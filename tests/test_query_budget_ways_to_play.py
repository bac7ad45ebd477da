"""Query budgets of the daily challenge, the results with a share card and the public card.

Counted as in tests/test_query_budget.py: a signed-in player with a history,
whatever the number of days played (the streak reads one date per day).
"""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from quiz.models import QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import answer_all
from tests.test_query_budget import budget, per_vendor

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def daily_player(client):
    QuestionFactory.create_batch(40, spoiler_level=0)
    player = PlayerFactory()
    client.force_login(player.user)
    for offset in range(4, -1, -1):
        with time_machine.travel(DAY - dt.timedelta(days=offset), tick=False):
            client.post(reverse("quiz:daily_start"), {"watched_through": 0})
            answer_all(client, QuizAttempt.objects.filter(player=player).latest("pk"))
    return client, QuizAttempt.objects.filter(player=player).latest("pk")


@time_machine.travel(DAY, tick=False)
def test_daily_page_budget(daily_player, django_assert_num_queries):
    client, _ = daily_player
    with django_assert_num_queries(budget(per_vendor(4, 3))):
        response = client.get(reverse("quiz:daily"), headers={"HX-Request": "true"})
    assert "5 days" in response.content.decode()


@time_machine.travel(DAY, tick=False)
def test_daily_results_budget(daily_player, django_assert_num_queries):
    client, attempt = daily_player
    # Session, the quiz with the user and their player, its questions, the day's
    # rank, the streak (the session from Redis when configured).
    with django_assert_num_queries(budget(per_vendor(5, 4))):
        response = client.get(reverse("quiz:results", args=[attempt.public_id]))
    assert response.status_code == 200


@time_machine.travel(DAY, tick=False)
def test_public_card_and_daily_board_budget(daily_player, django_assert_num_queries):
    _, attempt = daily_player
    anyone = Client()
    with django_assert_num_queries(budget(2)):
        assert anyone.get(reverse("quiz:share", args=[attempt.share_token])).status_code == 200
    with django_assert_num_queries(budget(1)):
        board = reverse("quiz:daily_board", args=[DAY.date().isoformat(), 0])
        assert anyone.get(board).status_code == 200
