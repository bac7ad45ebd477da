"""Timed mode: a deadline per question, set when served and enforced by the server."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from quiz import play
from quiz.models import AttemptQuestion, LeaderboardEntry
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import latest_attempt, question_url, start

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def bank():
    QuestionFactory.create_batch(12, spoiler_level=0)


def _timed_quiz(client):
    start(client, watched=0, length=5, timed="on")
    attempt = latest_attempt()
    assert attempt.timed
    return attempt


@pytest.fixture
def served(bank, client):
    """A timed quiz whose first question was served at T0: (attempt, item)."""
    with time_machine.travel(T0, tick=False):
        attempt = _timed_quiz(client)
        client.get(question_url(attempt, 1))
    return attempt, attempt.items.get(position=0)


def test_serving_a_question_sets_its_deadline_once(bank, client):
    with time_machine.travel(T0, tick=False):
        attempt = _timed_quiz(client)
        html = client.get(question_url(attempt, 1)).content.decode()
    item = attempt.items.get(position=0)
    allowed = play.time_allowed(item)
    assert item.served_at == T0
    assert item.deadline == T0 + dt.timedelta(seconds=allowed)
    # With JavaScript off the deadline is there as text.
    assert f'answer by <time datetime="{item.deadline.isoformat()}">12:00:' in html
    assert f"({round(allowed)} s for this question)" in html
    assert 'data-seconds-left="' in html
    with time_machine.travel(T0 + dt.timedelta(seconds=5), tick=False):
        client.get(question_url(attempt, 1))
    item.refresh_from_db()
    assert item.deadline == T0 + dt.timedelta(seconds=allowed)


def test_a_late_answer_scores_zero_even_when_posted_directly(served, client):
    attempt, item = served
    with time_machine.travel(item.deadline + dt.timedelta(seconds=3), tick=False):
        response = client.post(question_url(attempt, 1), {"option": item.correct_key})
    assert response.status_code == 302
    item.refresh_from_db()
    attempt.refresh_from_db()
    assert item.is_answered and item.is_correct is False and item.points == 0
    assert item.timed_out
    assert (attempt.score, attempt.correct_count, attempt.answered_count) == (0, 0, 1)
    page = client.get(question_url(attempt, 1)).content.decode()
    assert "Time&#x27;s up." in page or "Time's up." in page


def test_an_answer_in_time_scores(served, client):
    attempt, item = served
    with time_machine.travel(item.deadline, tick=False):
        client.post(question_url(attempt, 1), {"option": item.correct_key})
    item.refresh_from_db()
    assert item.is_correct and item.points == 100


def test_opening_the_question_after_its_deadline_records_the_time_out(served, client):
    attempt, item = served
    with time_machine.travel(item.deadline + dt.timedelta(seconds=2), tick=False):
        fragment = client.get(question_url(attempt, 1), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html and "No answer arrived before the deadline" in html
    assert "Next question" in html
    item.refresh_from_db()
    assert item.timed_out and item.points == 0


def test_before_the_deadline_the_question_stays(served, client):
    attempt, _ = served
    with time_machine.travel(T0 + dt.timedelta(seconds=10), tick=False):
        html = client.get(question_url(attempt, 1), headers={"HX-Request": "true"}).content.decode()
    assert 'name="option"' in html
    assert not AttemptQuestion.objects.filter(answered_at__isnull=False).exists()


def test_untimed_quizzes_have_no_deadline(bank, client):
    start(client, watched=0, length=5)
    attempt = latest_attempt()
    html = client.get(question_url(attempt, 1)).content.decode()
    assert attempt.items.get(position=0).deadline is None
    assert "data-seconds-left" not in html


def test_the_start_form_offers_timed_mode(client):
    html = client.get(reverse("quiz:home")).content.decode()
    assert 'name="timed"' in html and "20 seconds per question" in html


def test_the_domain_rejects_a_missing_option_before_the_deadline(served):
    attempt, item = served
    with (
        time_machine.travel(T0 + dt.timedelta(seconds=1), tick=False),
        pytest.raises(play.AnswerRejected),
    ):
        play.answer(attempt, item, None)


def test_two_tabs_serving_at_once_share_one_deadline(bank, client):
    with time_machine.travel(T0, tick=False):
        attempt = _timed_quiz(client)
    first, second = (
        AttemptQuestion.objects.select_related("attempt").get(attempt=attempt, position=0)
        for _ in range(2)
    )
    with time_machine.travel(T0, tick=False):
        play.mark_served(first)
    with time_machine.travel(T0 + dt.timedelta(seconds=3), tick=False):
        play.mark_served(second)  # loses the conditional update: reads the first deadline
    assert second.deadline == first.deadline == T0 + dt.timedelta(seconds=play.time_allowed(first))


def test_an_abandoned_quiz_records_no_time_out(served):
    attempt, item = served
    play.abandon(attempt)
    attempt.refresh_from_db()
    late = item.deadline + dt.timedelta(seconds=5)
    assert play.expire(attempt, item, now=late) is False
    item.refresh_from_db()
    assert not item.is_answered


def test_opening_the_last_question_after_its_deadline_finishes_the_quiz(
    bank, client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """The time-out of a GET reads the attempt whole (a question page reads only what it
    shows): finishing then rates the quiz and puts it on its board as an answer would."""
    client.force_login(PlayerFactory().user)
    with time_machine.travel(T0, tick=False):
        attempt = _timed_quiz(client)
    moment = T0
    for number in range(1, attempt.length):
        with time_machine.travel(moment, tick=False):
            client.get(question_url(attempt, number))
            item = attempt.items.get(position=number - 1)
            client.post(question_url(attempt, number), {"option": item.correct_key})
        moment += dt.timedelta(seconds=1)
    with time_machine.travel(moment, tick=False):
        client.get(question_url(attempt, attempt.length))
    last = attempt.items.get(position=attempt.length - 1)
    with (
        time_machine.travel(last.deadline + dt.timedelta(seconds=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
        django_assert_max_num_queries(30) as captured,
    ):
        html = client.get(question_url(attempt, attempt.length)).content.decode()
    assert "No answer arrived before the deadline" in html
    # The time-out read the attempt whole first: no column of it loaded on its own.
    deferred_load = re.compile(r'SELECT "quiz_quizattempt"\."id", "quiz_quizattempt"\."\w+" FROM')
    assert not [q["sql"] for q in captured.captured_queries if deferred_load.match(q["sql"])]
    attempt.refresh_from_db()
    last.refresh_from_db()
    assert attempt.is_finished and attempt.finished_at is not None and attempt.share_token
    assert last.timed_out and last.points == 0
    assert attempt.correct_count == attempt.length - 1
    assert attempt.rated_for_player
    assert LeaderboardEntry.objects.filter(attempt=attempt).exists()
