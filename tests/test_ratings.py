"""Calibrated difficulty: each finished quiz moves its player's and its questions' ratings."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection
from django.urls import reverse

from quiz import play, rating
from quiz.models import Player, Question, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import answer_all, latest_attempt, question_url, start

pytestmark = pytest.mark.django_db


# --- the model ---------------------------------------------------------------


def test_expected_is_even_between_equals_and_favours_the_stronger():
    assert rating.expected(0, 0) == 0.5
    assert rating.expected(200, 0) > 0.5 > rating.expected(0, 200)
    assert rating.expected(400, 0) == pytest.approx(10 / 11)


def test_k_shrinks_with_answers():
    ks = [rating.k_factor(n) for n in (0, 1, 10, 100)]
    assert ks == sorted(ks, reverse=True)
    assert ks[0] == rating.K_MAX


def test_a_right_answer_raises_the_player_and_lowers_the_question():
    player, question = rating.Rating(), rating.Rating()
    rating.update(player, question, True)
    assert player.value > 0 > question.value
    assert player.value == -question.value == rating.K_MAX / 2
    assert player.answers == question.answers == 1


def test_a_wrong_answer_lowers_the_player_and_raises_the_question():
    player, question = rating.Rating(50.0, 3), rating.Rating(-20.0, 7)
    rating.update(player, question, False)
    assert player.value < 50.0
    assert question.value > -20.0


def test_an_anonymous_answer_moves_the_question_as_a_newcomer_would():
    alone, with_player = rating.Rating(), rating.Rating()
    rating.update(None, alone, False)
    rating.update(rating.Rating(rating.ANONYMOUS_RATING), with_player, False)
    assert alone == with_player


# --- playing -------------------------------------------------------------------


@pytest.fixture
def bank():
    return QuestionFactory.create_batch(5, difficulty="easy")


@pytest.fixture
def player(client):
    player = PlayerFactory()
    client.force_login(player.user)
    return player


def test_a_quiz_all_right_raises_the_player_and_makes_its_questions_easier(client, bank, player):
    start(client, length=5)
    attempt = answer_all(client, latest_attempt())
    assert attempt.rated_for_player
    player.refresh_from_db()
    assert player.rating > 0
    assert player.rated_answers == 5
    for question in Question.objects.all():
        assert question.rating < 0
        assert question.rated_answers == question.answer_count == question.correct_count == 1


def test_a_quiz_all_wrong_lowers_the_player_and_makes_its_questions_harder(client, bank, player):
    start(client, length=5)
    answer_all(client, latest_attempt(), correct=False)
    player.refresh_from_db()
    assert player.rating < 0
    for question in Question.objects.all():
        assert question.rating > 0
        assert (question.answer_count, question.correct_count) == (1, 0)


def test_ratings_follow_the_answers_in_position_order(client, bank, player):
    start(client, length=5)
    attempt = answer_all(client, latest_attempt())
    me = rating.Rating()
    expected = {}
    for item in attempt.items.order_by("position"):
        question = rating.Rating()
        rating.update(me, question, True)
        expected[item.question_id] = question.value
    player.refresh_from_db()
    assert player.rating == me.value
    assert dict(Question.objects.values_list("pk", "rating")) == expected


def test_nothing_moves_before_the_quiz_finishes(client, bank, player):
    start(client, length=5)
    attempt = latest_attempt()
    for number in range(1, 5):
        client.get(question_url(attempt, number))
        item = attempt.items.get(position=number - 1)
        client.post(question_url(attempt, number), {"option": item.correct_key})
    player.refresh_from_db()
    assert (player.rating, player.rated_answers) == (0.0, 0)
    assert set(Question.objects.values_list("rating", "rated_answers")) == {(0.0, 0)}


def test_an_abandoned_quiz_never_counts(client, bank, player):
    start(client, length=5)
    attempt = latest_attempt()
    client.get(question_url(attempt, 1))
    client.post(question_url(attempt, 1), {"option": attempt.items.get(position=0).correct_key})
    client.post(reverse("quiz:abandon", args=[attempt.public_id]))
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.ABANDONED
    player.refresh_from_db()
    assert (player.rating, player.rated_answers) == (0.0, 0)
    assert set(Question.objects.values_list("rated_answers", flat=True)) == {0}


def test_a_second_submit_of_the_last_answer_rates_once(client, bank, player):
    start(client, length=5)
    attempt = answer_all(client, latest_attempt())
    last = attempt.items.get(position=4)
    before = (Player.objects.get(pk=player.pk).rating, sorted(Question.objects.values_list()))
    response = client.post(question_url(attempt, 5), {"option": last.correct_key})
    assert response.status_code == 302
    assert (Player.objects.get(pk=player.pk).rating, sorted(Question.objects.values_list())) == (
        before
    )


def test_an_anonymous_quiz_moves_the_questions_and_stores_no_player_rating(client, bank):
    start(client, length=5)
    attempt = answer_all(client, latest_attempt())
    assert attempt.player is None
    assert not attempt.rated_for_player
    assert not Player.objects.exists()
    first = Question.objects.get(pk=attempt.items.get(position=0).question_id)
    assert first.rating == -rating.K_MAX / 2
    assert set(Question.objects.values_list("rated_answers", flat=True)) == {1}


def test_a_timed_out_answer_counts_as_wrong(bank, player):
    attempt = play.start_quiz(
        bank=bank[0].bank, difficulty="easy", watched_through=6, length=1, player=player, timed=True
    )
    item = attempt.items.get()
    play.mark_served(item)
    play.answer(attempt, item, None, now=item.deadline + dt.timedelta(seconds=5))
    item.refresh_from_db()
    assert item.timed_out
    player.refresh_from_db()
    question = Question.objects.get(pk=item.question_id)
    assert player.rating < 0 < question.rating
    assert (question.answer_count, question.correct_count) == (1, 0)


def test_every_mode_counts(bank, player):
    for mode in (QuizAttempt.Mode.EPISODE, QuizAttempt.Mode.ADAPTIVE):
        attempt = play.start_quiz(
            bank=bank[0].bank,
            difficulty="mixed",
            watched_through=0,
            length=5,
            player=player,
            mode=mode,
            allow_shorter=True,
        )
        for item in attempt.items.order_by("position"):
            play.mark_served(item)
            play.answer(attempt, item, item.correct_key)
    player.refresh_from_db()
    assert player.rated_answers == 10


def test_ratings_never_change_a_label(client, player):
    QuestionFactory.create_batch(5, difficulty="hard")
    for _ in range(6):
        start(client, difficulty="hard", length=5)
        answer_all(client, latest_attempt())
    # Every question found easy (at most -98 whatever order the draws took)...
    assert all(q.rating < -50 for q in Question.objects.all())
    # ...and still labelled hard: only an admin changes a label.
    assert set(Question.objects.values_list("difficulty", flat=True)) == {"hard"}


def test_an_answer_whose_question_was_deleted_is_skipped(client, bank, player):
    start(client, length=5)
    attempt = latest_attempt()
    for number in range(1, 6):
        client.get(question_url(attempt, number))
        item = attempt.items.get(position=number - 1)
        if number == 5:
            Question.objects.filter(pk=attempt.items.get(position=0).question_id).delete()
        client.post(question_url(attempt, number), {"option": item.correct_key})
    attempt.refresh_from_db()
    assert attempt.is_finished
    player.refresh_from_db()
    assert player.rated_answers == 4
    assert set(Question.objects.values_list("rated_answers", flat=True)) == {1}


# --- concurrency -----------------------------------------------------------------


def _finish_at_once(attempt_ids: list[int]) -> None:
    """Answer the last question of each attempt from its own thread, all at once."""
    barrier = threading.Barrier(len(attempt_ids))
    errors = []

    def finish(attempt_id):
        try:
            attempt = QuizAttempt.objects.get(pk=attempt_id)
            item = attempt.items.get(position=attempt.length - 1)
            barrier.wait(timeout=10)
            play.answer(attempt, item, item.correct_key)
        except Exception as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=finish, args=(pk,)) for pk in attempt_ids]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not errors, errors


def _assert_no_lost_rating_updates():
    questions = QuestionFactory.create_batch(5)
    player = PlayerFactory()
    attempts = []
    for _ in range(6):
        attempt = play.start_quiz(
            bank=questions[0].bank, difficulty="easy", watched_through=6, length=5, player=player
        )
        for item in attempt.items.order_by("position"):
            play.mark_served(item)
            if item.position < 4:
                play.answer(attempt, item, item.correct_key)
        attempts.append(attempt.pk)
    _finish_at_once(attempts)
    assert QuizAttempt.objects.finished().count() == 6
    player.refresh_from_db()
    assert player.rated_answers == 30
    counts = Question.objects.values_list("rated_answers", "answer_count", "correct_count")
    assert set(counts) == {(6, 6, 6)}


@pytest.mark.django_db(transaction=True)
def test_quizzes_finishing_at_once_lose_no_rating_update():
    """Threads against the real database: the file-based SQLite test db, or PostgreSQL."""
    _assert_no_lost_rating_updates()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_quizzes_finishing_at_once_lose_no_rating_update_postgres():
    assert connection.vendor == "postgresql"
    _assert_no_lost_rating_updates()
