"""`manage.py recalibrate` recomputes every rating from the stored answers, exactly."""

from __future__ import annotations

import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from quiz import play
from quiz.models import Player, Question, QuizAttempt
from tests.factories import PlayerFactory, QuestionFactory
from tests.playing import latest_attempt, question_url, start
from tests.rated import finished_quiz, ratings_snapshot

pytestmark = pytest.mark.django_db


def play_quiz(client, rng: random.Random, *, stop_after: int | None = None):
    """A quiz of 5 through the pages, each answer right with probability 0.6."""
    start(client, difficulty="mixed", length=5)
    attempt = latest_attempt()
    for number in range(1, (stop_after or attempt.length) + 1):
        client.get(question_url(attempt, number))
        item = attempt.items.get(position=number - 1)
        key = (
            item.correct_key
            if rng.random() < 0.6
            else next(o["key"] for o in item.options if o["key"] != item.correct_key)
        )
        client.post(question_url(attempt, number), {"option": key})
    return attempt


@pytest.fixture
def history(client):
    """Three players and an anonymous browser, 14 finished quizzes, one abandoned, one unfinished."""
    rng = random.Random(14)
    for difficulty in ("easy", "medium", "hard"):
        QuestionFactory.create_batch(4, difficulty=difficulty)
    players = PlayerFactory.create_batch(3)
    for round_ in range(4):
        for player in players:
            client.force_login(player.user)
            play_quiz(client, rng)
        if round_ == 1:
            client.logout()
            play_quiz(client, rng)
            play_quiz(client, rng)
    attempt = play_quiz(client, rng, stop_after=2)
    client.post(reverse("quiz:abandon", args=[attempt.public_id]))
    play_quiz(client, rng, stop_after=3)
    assert QuizAttempt.objects.finished().count() == 14
    return players


def test_recalibrate_reproduces_the_incremental_ratings_exactly(history):
    incremental = ratings_snapshot()
    assert any(rated for _, _, rated in incremental["players"])
    Question.objects.update(rating=123.4, rated_answers=7, answer_count=9, correct_count=1)
    Player.objects.update(rating=-55.0, rated_answers=3)
    call_command("recalibrate", stdout=StringIO())
    assert ratings_snapshot() == incremental


def test_recalibrate_twice_changes_nothing(history):
    call_command("recalibrate", stdout=StringIO())
    once = ratings_snapshot()
    call_command("recalibrate", stdout=StringIO())
    assert ratings_snapshot() == once


def test_recalibrate_reports_what_it_replayed(history):
    out = StringIO()
    call_command("recalibrate", stdout=out)
    assert "from 70 answer(s) in 14 finished quiz(zes)" in out.getvalue()
    assert "3 player(s)" in out.getvalue()


def test_recalibrate_resets_what_no_finished_quiz_supports():
    question = QuestionFactory(rating=300.0, rated_answers=40, answer_count=40, correct_count=5)
    player = PlayerFactory(rating=-80.0, rated_answers=12)
    finished_quiz([(question, False)], status=QuizAttempt.Status.ABANDONED)
    call_command("recalibrate", stdout=StringIO())
    question.refresh_from_db()
    player.refresh_from_db()
    assert (question.rating, question.rated_answers, question.answer_count) == (0.0, 0, 0)
    assert (player.rating, player.rated_answers) == (0.0, 0)


def test_a_quiz_claimed_after_it_finished_stays_anonymous(client):
    """Its answers were rated with the player at the start rating: recalibrate does the same."""
    QuestionFactory.create_batch(5)
    start(client, length=5)
    attempt = latest_attempt()
    play_quiz_all = [attempt.items.get(position=n) for n in range(5)]
    for number, item in enumerate(play_quiz_all, 1):
        client.get(question_url(attempt, number))
        client.post(question_url(attempt, number), {"option": item.correct_key})
    player = PlayerFactory()
    assert play.claim_attempts([str(attempt.public_id)], player) == 1
    before = ratings_snapshot()
    call_command("recalibrate", stdout=StringIO())
    assert ratings_snapshot() == before
    player.refresh_from_db()
    assert player.rated_answers == 0


def test_the_replay_follows_the_order_quizzes_finished():
    """Replaying in another order would give other floats: the order is (finished_at, id)."""
    questions = QuestionFactory.create_batch(2)
    player = PlayerFactory()
    finished_quiz([(questions[0], True), (questions[1], False)], player)
    finished_quiz([(questions[1], True), (questions[0], True)], player)
    finished_quiz([(questions[0], False)])
    incremental = ratings_snapshot()
    call_command("recalibrate", stdout=StringIO())
    assert ratings_snapshot() == incremental
