"""The daily challenge: the same draw for a day and level, one counted attempt, its board."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse

from quiz import daily
from quiz.models import Question, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory, QuizAttemptFactory
from tests.playing import answer_all

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)


@pytest.fixture
def bank():
    for level in range(7):
        for difficulty in ("easy", "medium", "hard"):
            QuestionFactory.create_batch(8, spoiler_level=level, difficulty=difficulty)


def _start_daily(client, watched=3):
    return client.post(reverse("quiz:daily_start"), {"watched_through": watched})


def _daily_of(client, watched=3) -> QuizAttempt:
    _start_daily(client, watched)
    return QuizAttempt.objects.filter(mode="daily", watched_through=watched).latest("pk")


def _questions(attempt) -> list[int]:
    return list(attempt.items.order_by("position").values_list("question_id", flat=True))


def _signed_in(client):
    player = PlayerFactory()
    client.force_login(player.user)
    return player


@time_machine.travel(DAY, tick=False)
def test_two_players_same_day_and_level_get_the_same_questions_in_order(bank, client):
    first = _daily_of(client)
    other = type(client)()
    second = _daily_of(other)
    assert first.pk != second.pk
    assert len(_questions(first)) == daily.LENGTH
    assert _questions(first) == _questions(second)
    # The draw itself does not depend on anyone having played first.
    drawn = _questions(first)
    QuizAttempt.objects.all().delete()
    assert daily.draw(first.bank, DAY.date(), 3) == drawn
    assert first.mode == "daily" and first.daily_date == DAY.date() and not first.timed


@time_machine.travel(DAY, tick=False)
def test_another_level_or_the_next_day_draws_other_questions(bank, client):
    bank_row = Question.objects.first().bank
    today_3 = daily.draw(bank_row, DAY.date(), 3)
    assert daily.draw(bank_row, DAY.date(), 4) != today_3
    assert daily.draw(bank_row, DAY.date() + dt.timedelta(days=1), 3) != today_3


@time_machine.travel(DAY, tick=False)
def test_the_draw_never_exceeds_the_watched_level(bank, client):
    attempt = _daily_of(client, watched=1)
    assert set(attempt.items.values_list("spoiler_level", flat=True)) <= {0, 1}


@time_machine.travel(DAY, tick=False)
def test_a_second_start_resumes_and_creates_nothing(bank, client):
    _signed_in(client)
    first = _daily_of(client)
    response = _start_daily(client)
    assert response.status_code == 302
    assert response.url == first.get_absolute_url()
    assert QuizAttempt.objects.filter(mode="daily").count() == 1


@time_machine.travel(DAY, tick=False)
def test_after_finishing_a_second_start_shows_the_result_and_does_not_count(bank, client):
    player = _signed_in(client)
    attempt = answer_all(client, _daily_of(client), correct=False)
    assert attempt.is_finished and attempt.score == 0
    response = _start_daily(client, 3)
    assert response.url == attempt.get_absolute_url()
    follow = client.get(response.url, follow=True)
    page = follow.content.decode()
    # Django's engine escapes ' as &#x27;, Jinja2 (markupsafe) as &#39;.
    assert "You have played today&#x27;s challenge" in page or (
        "You have played today&#39;s challenge" in page
    )
    assert QuizAttempt.objects.filter(player=player, mode="daily").count() == 1
    # The daily page says so too, and offers the result instead of a start.
    page = client.get(reverse("quiz:daily"), {"watched_through": 3}).content.decode()
    assert "See your result" in page and "Start daily" not in page


@time_machine.travel(DAY, tick=False)
def test_the_database_holds_one_daily_per_player_and_per_browser(bank):
    player = PlayerFactory()
    QuizAttemptFactory(player=player, mode="daily", daily_date=DAY.date(), watched_through=2)
    QuizAttemptFactory(player=player, mode="daily", daily_date=DAY.date(), watched_through=3)
    with pytest.raises(IntegrityError):
        QuizAttemptFactory(player=player, mode="daily", daily_date=DAY.date(), watched_through=2)


@time_machine.travel(DAY, tick=False)
def test_one_daily_per_anonymous_browser(bank):
    QuizAttemptFactory(player=None, session_key="abc", mode="daily", daily_date=DAY.date())
    with pytest.raises(IntegrityError):
        QuizAttemptFactory(player=None, session_key="abc", mode="daily", daily_date=DAY.date())


def test_a_daily_attempt_needs_its_day():
    with pytest.raises(IntegrityError):
        QuizAttemptFactory(mode="daily", daily_date=None)


@time_machine.travel(DAY, tick=False)
def test_a_question_retired_mid_day_does_not_break_a_started_challenge(bank, client):
    first = _daily_of(client)
    retired_id = _questions(first)[4]
    Question.objects.filter(pk=retired_id).update(status=Question.Status.RETIRED)
    answered = answer_all(client, first)
    assert answered.is_finished and answered.correct_count == daily.LENGTH
    # A later player gets the same day's questions, with the retired one replaced.
    later = _daily_of(type(client)())
    later_ids = _questions(later)
    assert retired_id not in later_ids
    assert [q for q in _questions(first) if q != retired_id] == later_ids[: daily.LENGTH - 1]


def test_the_number_counts_days_from_the_first():
    assert daily.number(daily.FIRST_DAY) == 1
    assert daily.number(daily.FIRST_DAY + dt.timedelta(days=11)) == 12


@time_machine.travel(DAY, tick=False)
def test_daily_page_full_and_fragment(bank, client):
    response = client.get(reverse("quiz:daily"), {"watched_through": 2})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert f"HH Quiz daily #{daily.number(DAY.date())}" in html
    assert "watched ep 1–2" in html and "Start daily" in html
    fragment = client.get(
        reverse("quiz:daily"), {"watched_through": 2}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and 'id="daily-card"' in fragment
    # Bad input falls back to the remembered (or first) level, no error.
    assert client.get(reverse("quiz:daily"), {"watched_through": "x"}).status_code == 200


@time_machine.travel(DAY, tick=False)
def test_daily_start_rejects_bad_input(bank, client):
    response = client.post(reverse("quiz:daily_start"), {"watched_through": 9})
    assert response.status_code == 302 and response.url == reverse("quiz:daily")
    assert not QuizAttempt.objects.exists()
    assert client.get(reverse("quiz:daily_start")).status_code == 405


@time_machine.travel(DAY, tick=False)
def test_the_daily_board_ranks_the_day_and_level_and_is_linked_from_results(bank, client):
    winner = _signed_in(client)
    attempt = answer_all(client, _daily_of(client))
    loser_client = type(client)()
    loser = _signed_in(loser_client)
    answer_all(loser_client, _daily_of(loser_client), correct=False)
    other_level_client = type(client)()
    _signed_in(other_level_client)
    answer_all(other_level_client, _daily_of(other_level_client, watched=5))

    board_url = reverse("quiz:daily_board", args=[DAY.date().isoformat(), 3])
    results = client.get(reverse("quiz:results", args=[attempt.public_id])).content.decode()
    assert board_url in results
    assert "Today's board" in results and "#1" in results
    html = client.get(board_url).content.decode()
    assert html.index(winner.display_name) < html.index(loser.display_name)
    assert [r.player_id for r in daily.board(DAY.date(), 3)] == [winner.pk, loser.pk]
    assert daily.rank_of(QuizAttempt.objects.get(player=loser)) == 2


@time_machine.travel(DAY, tick=False)
def test_the_daily_board_refuses_future_and_malformed_days(client):
    tomorrow = (DAY.date() + dt.timedelta(days=1)).isoformat()
    assert client.get(reverse("quiz:daily_board", args=[tomorrow, 3])).status_code == 404
    assert client.get(reverse("quiz:daily_board", args=["2026-13-40", 3])).status_code == 404
    assert client.get(reverse("quiz:daily_board", args=["2026-12-07", 9])).status_code == 404
    assert client.get(reverse("quiz:daily_board", args=["2026-12-07", 2])).status_code == 200


@time_machine.travel(DAY, tick=False)
def test_signing_up_claims_a_daily_unless_the_player_already_played_it(bank, client):
    anonymous = _daily_of(client)
    player = PlayerFactory()
    QuizAttemptFactory(player=player, mode="daily", daily_date=DAY.date(), watched_through=3)
    from quiz import play

    assert play.claim_attempts([str(anonymous.public_id)], player) == 0
    anonymous.refresh_from_db()
    assert anonymous.player is None


@time_machine.travel(DAY, tick=False)
def test_a_start_that_loses_the_race_returns_the_winner(bank, monkeypatch):
    """Two starts at once: the database keeps one, the loser gets it instead of an error."""
    player = PlayerFactory()
    winner, created = daily.start(day=DAY.date(), watched_through=3, player=player, session_key="")
    assert created
    real_owned = daily.owned
    calls = []

    def owned_missing_the_first_time(*args):
        calls.append(args)
        return real_owned(*args).none() if len(calls) == 1 else real_owned(*args)

    monkeypatch.setattr(daily, "owned", owned_missing_the_first_time)
    again, created = daily.start(day=DAY.date(), watched_through=3, player=player, session_key="")
    assert (again.pk, created) == (winner.pk, False)
    assert QuizAttempt.objects.filter(mode="daily").count() == 1


def test_clean_up_keeps_a_recently_left_daily(bank, client):
    from quiz import play

    with time_machine.travel(DAY, tick=False):
        left = _daily_of(client)
        play.abandon(left)
        play.clean_up()
        assert QuizAttempt.objects.filter(pk=left.pk).exists()
        assert _start_daily(client).url == reverse("quiz:daily")
        assert QuizAttempt.objects.filter(mode="daily").count() == 1
    with time_machine.travel(DAY + dt.timedelta(days=2), tick=False):
        play.clean_up()
        assert not QuizAttempt.objects.filter(pk=left.pk).exists()


@time_machine.travel(DAY, tick=False)
def test_leaving_the_daily_says_there_is_no_second_try(bank, client):
    attempt = _daily_of(client)
    html = client.get(reverse("quiz:question", args=[attempt.public_id, 1])).content.decode()
    assert "Leave today&#x27;s challenge for good (no second try)" in html or (
        "Leave today's challenge for good (no second try)" in html
    )


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize("with_bank", [False, True])
def test_a_day_without_questions_says_so(client, with_bank):
    if with_bank:
        QuestionFactory(spoiler_level=6)  # a bank, but nothing safe at level 3
    response = _start_daily(client)
    assert response.url == reverse("quiz:daily")
    page = client.get(response.url).content.decode()
    assert "Today&#x27;s challenge has no questions at that level yet." in page or (
        "Today&#39;s challenge has no questions at that level yet." in page
    )
    assert not QuizAttempt.objects.exists()


def test_only_a_signed_in_daily_has_a_daily_rank(bank):
    assert daily.rank_of(QuizAttemptFactory(status="finished")) is None
    assert (
        daily.rank_of(QuizAttemptFactory(player=None, mode="daily", daily_date=DAY.date())) is None
    )


def test_the_home_page_shows_each_days_number(client, time_machine):
    """The home page offers today's daily by its number: a new one after midnight UTC,
    in the same process (its HTML around the number is memoised per number)."""
    QuestionFactory.create_batch(10)
    time_machine.move_to(dt.datetime(2026, 12, 7, 23, 59, tzinfo=dt.UTC), tick=False)
    n = daily.number(daily.today())
    assert f"HH Quiz daily #{n}</h2>" in client.get("/").content.decode()
    time_machine.shift(dt.timedelta(minutes=2))
    html = client.get("/").content.decode()
    assert f"HH Quiz daily #{n + 1}</h2>" in html
    assert f"#{n}<" not in html
