"""Answering is single-use, server-scored, and only for the player's current question."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from quiz import play
from quiz.models import AttemptQuestion, QuizAttempt
from tests.factories import PlayerFactory
from tests.playing import latest_attempt, make_bank, option_keys, question_url, start, started_quiz

pytestmark = pytest.mark.django_db


def test_second_submit_changes_nothing_and_shows_recorded_result(client):
    attempt, item = started_quiz(client)
    wrong = next(o["key"] for o in item.options if o["key"] != item.correct_key)
    client.post(question_url(attempt, 1), {"option": wrong})
    attempt.refresh_from_db()
    before = (attempt.score, attempt.answered_count, attempt.correct_count)
    response = client.post(
        question_url(attempt, 1), {"option": item.correct_key}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "Not quite." in response.content.decode()
    attempt.refresh_from_db()
    item.refresh_from_db()
    assert (attempt.score, attempt.answered_count, attempt.correct_count) == before
    assert item.chosen_key == wrong and item.is_correct is False


def test_correct_answer_not_in_page_before_answering(client):
    attempt, item = started_quiz(client)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(question_url(attempt, 1), headers=headers)
        html = response.content.decode()
        assert item.correct_text in html  # it is one of the options ...
        assert "The answer is" not in html  # ... but nothing marks it
        assert item.explanation not in html
        keys = option_keys(html)
        assert item.correct_key in keys
        assert "is_correct" not in html and "data-correct" not in html


def test_option_keys_are_opaque_and_per_attempt(client):
    make_bank(1)
    start(client, length=5, allow_shorter="on")
    first = latest_attempt().items.get()
    start(client, length=5, allow_shorter="on")
    second = latest_attempt().items.get()
    assert first.question_id == second.question_id
    assert {o["key"] for o in first.options}.isdisjoint({o["key"] for o in second.options})
    assert all(len(o["key"]) >= 12 for o in first.options)


def test_unknown_option_is_400_and_records_nothing(client):
    attempt, item = started_quiz(client)
    for bad in ({"option": "nope"}, {}, {"option": "x" * 5000}, {"option": ""}):
        response = client.post(question_url(attempt, 1), bad)
        assert response.status_code == 400
    item.refresh_from_db()
    assert item.answered_at is None
    attempt.refresh_from_db()
    assert attempt.answered_count == 0


def test_answer_for_future_question_is_rejected(client):
    attempt, _ = started_quiz(client)
    later = attempt.items.get(position=2)
    response = client.post(question_url(attempt, 3), {"option": later.correct_key})
    assert response.status_code == 409
    assert "not the current question" in response.content.decode()
    later.refresh_from_db()
    assert later.answered_at is None


def test_another_players_attempt_is_404(client):
    attempt, item = started_quiz(client)
    stranger = Client()
    assert stranger.get(question_url(attempt, 1)).status_code == 404
    assert stranger.post(question_url(attempt, 1), {"option": item.correct_key}).status_code == 404
    other = PlayerFactory()
    stranger.force_login(other.user)
    assert stranger.post(question_url(attempt, 1), {"option": item.correct_key}).status_code == 404
    item.refresh_from_db()
    assert item.answered_at is None


def test_option_key_from_another_attempt_is_rejected(client):
    attempt, item = started_quiz(client)
    start(client, allow_shorter="on")
    other = latest_attempt()
    foreign = other.items.get(position=0).correct_key
    response = client.post(question_url(attempt, 1), {"option": foreign})
    assert response.status_code == 400


def test_answer_after_finish_is_rejected():
    make_bank(5)
    bank = latest_bank()
    attempt = play.start_quiz(
        bank=bank, difficulty="easy", watched_through=6, length=1, session_key="k"
    )
    item = attempt.items.get()
    play.mark_served(item)
    play.answer(attempt, item, item.correct_key)
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.FINISHED
    QuizAttempt.objects.filter(pk=attempt.pk).update(answered_count=0)  # simulate a forged state
    attempt.refresh_from_db()
    fresh = AttemptQuestion.objects.get(pk=item.pk)
    fresh.answered_at = None
    with pytest.raises(play.AnswerRejected, match="over"):
        play.answer(attempt, fresh, item.correct_key)


def latest_bank():
    from quiz.models import Bank

    return Bank.objects.get()


def test_client_cannot_send_score_or_time(client):
    attempt, item = started_quiz(client)
    client.post(
        question_url(attempt, 1),
        {"option": item.correct_key, "points": 999999, "score": 10**9, "seconds": 0},
    )
    attempt.refresh_from_db()
    assert attempt.score <= 150


def _race(attempt_id: int, item_id: int, key: str, threads: int = 20) -> list[str]:
    """Submit `key` from `threads` threads at once; the rejection messages."""
    barrier = threading.Barrier(threads)
    errors, rejected = [], []

    def submit():
        try:
            attempt = QuizAttempt.objects.get(pk=attempt_id)
            item = AttemptQuestion.objects.get(pk=item_id)
            barrier.wait(timeout=10)
            try:
                play.answer(attempt, item, key)
            except play.AnswerRejected as exc:
                rejected.append(exc.message)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=submit) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not errors, errors
    return rejected


def _assert_single_answer_under_race():
    make_bank(5)
    attempt = play.start_quiz(
        bank=latest_bank(), difficulty="easy", watched_through=6, length=5, session_key="race"
    )
    item = attempt.items.get(position=0)
    play.mark_served(item)
    rejected = _race(attempt.pk, item.pk, item.correct_key)
    assert not rejected  # the losers see the recorded answer, not an error
    attempt.refresh_from_db()
    item.refresh_from_db()
    assert attempt.answered_count == 1
    assert attempt.correct_count == 1
    assert attempt.score == item.points
    assert AttemptQuestion.objects.filter(attempt=attempt, answered_at__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submits_record_one_answer():
    """Threads against the real database: the file-based SQLite test db, or PostgreSQL."""
    _assert_single_answer_under_race()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submits_record_one_answer_postgres():
    assert connection.vendor == "postgresql"
    _assert_single_answer_under_race()
